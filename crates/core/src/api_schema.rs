// @generated automatically by Diesel CLI.

pub mod api {
    diesel::table! {
        api.idempotency_keys (member_id, key_hash) {
            member_id -> Uuid,
            key_hash -> Bytea,
            attempt_id -> Uuid,
            fingerprint -> Bytea,
            state -> Text,
            created_at -> Timestamptz,
            finished_at -> Nullable<Timestamptz>,
            status -> Nullable<Int2>,
            body -> Nullable<Bytea>,
        }
    }
}
