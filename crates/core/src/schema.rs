// @generated automatically by Diesel CLI.

pub mod audit {
    diesel::table! {
        audit.events (id) {
            id -> Uuid,
            occurred_at -> Timestamptz,
            actor_id -> Nullable<Uuid>,
            action -> Text,
            subject_type -> Nullable<Text>,
            subject_id -> Nullable<Uuid>,
            details -> Jsonb,
            request_id -> Nullable<Text>,
        }
    }
}
