// @generated automatically by Diesel CLI.

pub mod notify {
    diesel::table! {
        notify.digest_rounds (period) {
            period -> Text,
            planned_at -> Timestamptz,
            enqueued -> Int4,
        }
    }

    diesel::table! {
        notify.digest_settings (member_id) {
            member_id -> Uuid,
            frequency -> Text,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        notify.digests (member_id, period) {
            member_id -> Uuid,
            period -> Text,
            composed_at -> Timestamptz,
            items -> Int4,
            outbox_id -> Nullable<Uuid>,
        }
    }

    diesel::table! {
        notify.notifications (id) {
            id -> Uuid,
            member_id -> Uuid,
            kind -> Text,
            subject_type -> Nullable<Text>,
            subject_id -> Nullable<Uuid>,
            payload -> Jsonb,
            created_at -> Timestamptz,
            read_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        notify.outbox (id) {
            id -> Uuid,
            member_id -> Nullable<Uuid>,
            to_address -> Text,
            to_name -> Nullable<Text>,
            subject -> Text,
            text_body -> Nullable<Text>,
            html_body -> Nullable<Text>,
            category -> Text,
            unsubscribe_url -> Nullable<Text>,
            state -> Text,
            created_at -> Timestamptz,
            sent_at -> Nullable<Timestamptz>,
            message_id -> Nullable<Text>,
        }
    }

    diesel::table! {
        notify.preferences (member_id, kind) {
            member_id -> Uuid,
            kind -> Text,
            channel -> Text,
            updated_at -> Timestamptz,
        }
    }

    diesel::table! {
        notify.unsubscribe_tokens (token_hash) {
            token_hash -> Bytea,
            member_id -> Uuid,
            kind -> Text,
            created_at -> Timestamptz,
        }
    }

    diesel::joinable!(digests -> outbox (outbox_id));

    diesel::allow_tables_to_appear_in_same_query!(
        digest_rounds,
        digest_settings,
        digests,
        notifications,
        outbox,
        preferences,
        unsubscribe_tokens,
    );
}
