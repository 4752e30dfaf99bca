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
    diesel::joinable!(replies -> items (item_id));

    diesel::allow_tables_to_appear_in_same_query!(
        anonymous_submissions,
        categories,
        items,
        replies,
        themes,
    );
}
