// @generated automatically by Diesel CLI.

pub mod membership {
    diesel::table! {
        membership.login_throttle (email_hash) {
            email_hash -> Bytea,
            failures -> Int4,
            last_failure_at -> Timestamptz,
            blocked_until -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        membership.members (id) {
            id -> Uuid,
            email -> Text,
            password_hash -> Text,
            roles -> Array<Nullable<Text>>,
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

    diesel::joinable!(sessions -> members (member_id));

    diesel::allow_tables_to_appear_in_same_query!(login_throttle, members, sessions,);
}
