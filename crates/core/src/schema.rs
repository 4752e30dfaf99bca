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

pub mod jobs {
    diesel::table! {
        jobs.jobs (id) {
            id -> Uuid,
            kind -> Text,
            payload -> Jsonb,
            key -> Nullable<Text>,
            state -> Text,
            due_at -> Timestamptz,
            attempts -> Int4,
            max_attempts -> Int4,
            last_error -> Nullable<Text>,
            created_at -> Timestamptz,
            finished_at -> Nullable<Timestamptz>,
        }
    }
}
