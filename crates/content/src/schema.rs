// @generated automatically by Diesel CLI.

pub mod content {
    diesel::table! {
        content.anonymous_reads (post_id) {
            post_id -> Uuid,
            reads -> Int4,
        }
    }

    diesel::table! {
        content.categories (id) {
            id -> Uuid,
            name -> Text,
            position -> Int4,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        content.comments (id) {
            id -> Uuid,
            post_id -> Uuid,
            parent_id -> Nullable<Uuid>,
            author_id -> Nullable<Uuid>,
            body -> Text,
            moderation -> Text,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
            deleted_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        content.issue_posts (issue_id, post_id) {
            issue_id -> Uuid,
            post_id -> Uuid,
            position -> Int4,
        }
    }

    diesel::table! {
        content.issue_recipients (issue_id, member_id) {
            issue_id -> Uuid,
            member_id -> Uuid,
        }
    }

    diesel::table! {
        content.issues (id) {
            id -> Uuid,
            number -> Int4,
            title -> Text,
            editor_note -> Text,
            editor_note_html -> Text,
            state -> Text,
            published_at -> Nullable<Timestamptz>,
            audience -> Text,
            cohort_company_id -> Nullable<Uuid>,
            cohort_left_from -> Nullable<Int4>,
            cohort_left_to -> Nullable<Int4>,
            cohort_role -> Nullable<Text>,
            moderation -> Text,
            created_by -> Nullable<Uuid>,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        content.post_coauthors (post_id, member_id) {
            post_id -> Uuid,
            member_id -> Uuid,
            position -> Int4,
        }
    }

    diesel::table! {
        content.post_revisions (id) {
            id -> Uuid,
            post_id -> Uuid,
            title -> Text,
            lead -> Text,
            body -> Text,
            edited_by -> Nullable<Uuid>,
            edited_at -> Timestamptz,
        }
    }

    diesel::table! {
        content.post_tags (post_id, tag_id) {
            post_id -> Uuid,
            tag_id -> Uuid,
        }
    }

    diesel::table! {
        content.posts (id) {
            id -> Uuid,
            title -> Text,
            lead -> Text,
            body -> Text,
            body_html -> Text,
            category_id -> Nullable<Uuid>,
            cover_image_url -> Nullable<Text>,
            author_id -> Nullable<Uuid>,
            state -> Text,
            scheduled_at -> Nullable<Timestamptz>,
            published_at -> Nullable<Timestamptz>,
            audience -> Text,
            cohort_company_id -> Nullable<Uuid>,
            cohort_left_from -> Nullable<Int4>,
            cohort_left_to -> Nullable<Int4>,
            cohort_role -> Nullable<Text>,
            moderation -> Text,
            search_text -> Text,
            search_grams -> Array<Nullable<Text>>,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        content.reactions (post_id, member_id, kind) {
            post_id -> Uuid,
            member_id -> Uuid,
            kind -> Text,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        content.reads (post_id, member_id) {
            post_id -> Uuid,
            member_id -> Uuid,
            first_read_at -> Timestamptz,
            last_read_at -> Timestamptz,
        }
    }

    diesel::joinable!(anonymous_reads -> posts (post_id));
    diesel::joinable!(comments -> posts (post_id));
    diesel::joinable!(issue_posts -> issues (issue_id));
    diesel::joinable!(issue_posts -> posts (post_id));
    diesel::joinable!(issue_recipients -> issues (issue_id));
    diesel::joinable!(post_coauthors -> posts (post_id));
    diesel::joinable!(post_revisions -> posts (post_id));
    diesel::joinable!(post_tags -> posts (post_id));
    diesel::joinable!(posts -> categories (category_id));
    diesel::joinable!(reactions -> posts (post_id));
    diesel::joinable!(reads -> posts (post_id));

    diesel::allow_tables_to_appear_in_same_query!(
        anonymous_reads,
        categories,
        comments,
        issue_posts,
        issue_recipients,
        issues,
        post_coauthors,
        post_revisions,
        post_tags,
        posts,
        reactions,
        reads,
    );
}
