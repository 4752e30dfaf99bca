// @generated automatically by Diesel CLI.

pub mod feedback {
    diesel::table! {
        feedback.anonymous_submissions (member_id, day) {
            member_id -> Uuid,
            day -> Date,
            count -> Int4,
        }
    }

    diesel::table! {
        feedback.categories (id) {
            id -> Uuid,
            slug -> Text,
            name_ja -> Text,
            name_en -> Text,
            position -> Int4,
            retired -> Bool,
        }
    }

    diesel::table! {
        feedback.items (id) {
            id -> Uuid,
            category_id -> Uuid,
            anonymous -> Bool,
            author_id -> Nullable<Uuid>,
            body -> Text,
            company_id -> Nullable<Uuid>,
            left_year_band -> Nullable<Int4>,
            submitted_on -> Date,
            receipt_hash -> Nullable<Bytea>,
            triage -> Text,
            theme_id -> Nullable<Uuid>,
            duplicate_of_id -> Nullable<Uuid>,
        }
    }

    diesel::table! {
        feedback.proposal_follows (proposal_id, member_id) {
            proposal_id -> Uuid,
            member_id -> Uuid,
            automatic -> Bool,
            created_at -> Timestamptz,
            unfollowed_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        feedback.proposal_themes (proposal_id, theme_id) {
            proposal_id -> Uuid,
            theme_id -> Uuid,
        }
    }

    diesel::table! {
        feedback.proposal_updates (id) {
            id -> Uuid,
            proposal_id -> Uuid,
            happened_on -> Date,
            body -> Text,
            progress -> Int4,
            moderation -> Text,
            created_by -> Nullable<Uuid>,
            created_at -> Timestamptz,
            announced_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        feedback.proposals (id) {
            id -> Uuid,
            title -> Text,
            body -> Text,
            state -> Text,
            moderation -> Text,
            created_by -> Nullable<Uuid>,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
            submitted_at -> Nullable<Timestamptz>,
            published_at -> Nullable<Timestamptz>,
            response -> Nullable<Text>,
            response_reasons -> Nullable<Text>,
            responded_by -> Nullable<Uuid>,
            responded_at -> Nullable<Timestamptz>,
            progress -> Nullable<Int4>,
            done_at -> Nullable<Timestamptz>,
            answer_announced_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        feedback.replies (id) {
            id -> Uuid,
            item_id -> Uuid,
            author_id -> Nullable<Uuid>,
            body -> Text,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        feedback.themes (id) {
            id -> Uuid,
            title -> Text,
            summary -> Text,
            created_by -> Nullable<Uuid>,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::joinable!(items -> categories (category_id));
    diesel::joinable!(items -> themes (theme_id));
    diesel::joinable!(proposal_follows -> proposals (proposal_id));
    diesel::joinable!(proposal_themes -> proposals (proposal_id));
    diesel::joinable!(proposal_themes -> themes (theme_id));
    diesel::joinable!(proposal_updates -> proposals (proposal_id));
    diesel::joinable!(replies -> items (item_id));

    diesel::allow_tables_to_appear_in_same_query!(
        anonymous_submissions,
        categories,
        items,
        proposal_follows,
        proposal_themes,
        proposal_updates,
        proposals,
        replies,
        themes,
    );
}
