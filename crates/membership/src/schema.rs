// @generated automatically by Diesel CLI.

pub mod membership {
    diesel::table! {
        membership.applications (id) {
            id -> Uuid,
            member_id -> Uuid,
            status -> Text,
            full_name -> Text,
            full_name_kana -> Text,
            former_surnames -> Array<Nullable<Text>>,
            employee_number -> Nullable<Text>,
            company_id -> Uuid,
            joined_on -> Date,
            left_on -> Date,
            last_department -> Text,
            name_key -> Text,
            kana_key -> Text,
            roster_entry_id -> Nullable<Uuid>,
            invitation_id -> Nullable<Uuid>,
            approval_basis -> Nullable<Text>,
            submitted_at -> Timestamptz,
            decided_at -> Nullable<Timestamptz>,
            decided_by -> Nullable<Uuid>,
            rejection_reason -> Nullable<Text>,
            possible_duplicate -> Bool,
            duplicate_of -> Nullable<Uuid>,
            email_verified_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        membership.companies (id) {
            id -> Uuid,
            name -> Text,
            name_kana -> Text,
            short_name -> Text,
            is_current -> Bool,
            merged_on -> Nullable<Date>,
            description -> Text,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        membership.consents (member_id, terms_version_id) {
            member_id -> Uuid,
            terms_version_id -> Uuid,
            accepted_at -> Timestamptz,
            purposes -> Array<Nullable<Text>>,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        membership.directory_gram_counts (gram) {
            gram -> Text,
            postings -> Int4,
        }
    }

    diesel::table! {
        membership.directory_grams (gram, sort_key, member_id) {
            gram -> Text,
            sort_key -> Text,
            member_id -> Uuid,
        }
    }

    diesel::table! {
        membership.directory_skills (tag_id, sort_key, member_id) {
            tag_id -> Uuid,
            sort_key -> Text,
            member_id -> Uuid,
        }
    }

    diesel::table! {
        membership.email_changes (member_id) {
            member_id -> Uuid,
            new_email -> Text,
            code_hash -> Nullable<Bytea>,
            attempts -> Int4,
            created_at -> Timestamptz,
            expires_at -> Timestamptz,
        }
    }

    diesel::table! {
        membership.email_verifications (member_id) {
            member_id -> Uuid,
            code_hash -> Bytea,
            attempts -> Int4,
            created_at -> Timestamptz,
            expires_at -> Timestamptz,
        }
    }

    diesel::table! {
        membership.invitations (id) {
            id -> Uuid,
            code_hash -> Bytea,
            note -> Text,
            created_by -> Uuid,
            created_at -> Timestamptz,
            expires_at -> Timestamptz,
            used_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        membership.member_skills (member_id, tag_id) {
            member_id -> Uuid,
            tag_id -> Uuid,
        }
    }

    diesel::table! {
        membership.members (id) {
            id -> Uuid,
            email -> Nullable<Text>,
            password_hash -> Nullable<Text>,
            roles -> Array<Nullable<Text>>,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
            status -> Text,
            status_reason -> Nullable<Text>,
            last_seen_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        membership.password_resets (token_hash) {
            token_hash -> Bytea,
            member_id -> Uuid,
            created_at -> Timestamptz,
            expires_at -> Timestamptz,
            used_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        membership.profiles (member_id) {
            member_id -> Uuid,
            display_name -> Text,
            display_name_kana -> Text,
            sort_key -> Text,
            former_surnames -> Array<Nullable<Text>>,
            former_surnames_visibility -> Text,
            current_company -> Text,
            current_title -> Text,
            current_work_visibility -> Text,
            prefecture -> Nullable<Text>,
            prefecture_visibility -> Text,
            bio -> Text,
            bio_visibility -> Text,
            skills_visibility -> Text,
            interests -> Array<Nullable<Text>>,
            interests_visibility -> Text,
            links -> Jsonb,
            links_visibility -> Text,
            company_id -> Nullable<Uuid>,
            joined_on -> Nullable<Date>,
            left_on -> Nullable<Date>,
            last_department -> Text,
            employment_visibility -> Text,
            open_to_returning -> Bool,
            listed_in_directory -> Bool,
            name_text -> Text,
            name_grams -> Array<Nullable<Text>>,
            former_text -> Text,
            former_grams -> Array<Nullable<Text>>,
            updated_at -> Timestamptz,
            moderation -> Text,
        }
    }

    diesel::table! {
        membership.roster_entries (id) {
            id -> Uuid,
            employee_number -> Text,
            full_name -> Text,
            full_name_kana -> Text,
            former_surnames -> Array<Nullable<Text>>,
            emails -> Array<Nullable<Text>>,
            company_id -> Uuid,
            joined_on -> Date,
            left_on -> Date,
            last_department -> Text,
            name_key -> Text,
            kana_key -> Text,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        membership.sessions (id) {
            id -> Uuid,
            member_id -> Uuid,
            token_hash -> Bytea,
            created_at -> Timestamptz,
            expires_at -> Timestamptz,
            revoked_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        membership.sign_in_attempts (key) {
            key -> Bytea,
            address_hash -> Bytea,
            attempts -> Int4,
            last_attempt_at -> Timestamptz,
            blocked_until -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        membership.tag_aliases (slug) {
            slug -> Text,
            tag_id -> Uuid,
            name -> Text,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        membership.tags (id) {
            id -> Uuid,
            slug -> Text,
            name -> Text,
            created_at -> Timestamptz,
            label_ja -> Nullable<Text>,
            label_en -> Nullable<Text>,
        }
    }

    diesel::table! {
        membership.terms_versions (id) {
            id -> Uuid,
            version -> Text,
            title -> Text,
            body -> Text,
            published_at -> Timestamptz,
            published_by -> Nullable<Uuid>,
        }
    }

    diesel::joinable!(applications -> companies (company_id));
    diesel::joinable!(applications -> invitations (invitation_id));
    diesel::joinable!(applications -> roster_entries (roster_entry_id));
    diesel::joinable!(consents -> members (member_id));
    diesel::joinable!(email_changes -> members (member_id));
    diesel::joinable!(email_verifications -> members (member_id));
    diesel::joinable!(password_resets -> members (member_id));
    diesel::joinable!(consents -> terms_versions (terms_version_id));
    diesel::joinable!(invitations -> members (created_by));
    diesel::joinable!(member_skills -> members (member_id));
    diesel::joinable!(member_skills -> tags (tag_id));
    diesel::joinable!(profiles -> companies (company_id));
    diesel::joinable!(profiles -> members (member_id));
    diesel::joinable!(roster_entries -> companies (company_id));
    diesel::joinable!(sessions -> members (member_id));
    diesel::joinable!(tag_aliases -> tags (tag_id));
    diesel::joinable!(terms_versions -> members (published_by));

    diesel::allow_tables_to_appear_in_same_query!(
        applications,
        companies,
        consents,
        directory_gram_counts,
        directory_grams,
        directory_skills,
        email_changes,
        email_verifications,
        invitations,
        password_resets,
        member_skills,
        members,
        profiles,
        roster_entries,
        sessions,
        sign_in_attempts,
        tag_aliases,
        tags,
        terms_versions,
    );
}
