// @generated automatically by Diesel CLI.

pub mod events {
    diesel::table! {
        events.calendar_feeds (member_id) {
            member_id -> Uuid,
            token_hash -> Bytea,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        events.events (id) {
            id -> Uuid,
            title -> Text,
            description -> Text,
            kind -> Text,
            format -> Text,
            venue -> Nullable<Text>,
            join_url -> Nullable<Text>,
            starts_at -> Timestamptz,
            ends_at -> Timestamptz,
            time_zone -> Text,
            audience -> Text,
            registration_opens_at -> Timestamptz,
            registration_closes_at -> Timestamptz,
            capacity -> Nullable<Int4>,
            status -> Text,
            confirmed_count -> Int4,
            waitlist_count -> Int4,
            seats_version -> Int8,
            created_by -> Uuid,
            created_at -> Timestamptz,
            updated_at -> Timestamptz,
            published_at -> Nullable<Timestamptz>,
            cancelled_at -> Nullable<Timestamptz>,
            moderation -> Text,
        }
    }

    diesel::table! {
        events.materials (id) {
            id -> Uuid,
            event_id -> Uuid,
            kind -> Text,
            title -> Text,
            url -> Text,
            confidentiality -> Text,
            added_by -> Uuid,
            added_at -> Timestamptz,
            moderation -> Text,
        }
    }

    diesel::table! {
        events.registrations (id) {
            id -> Uuid,
            event_id -> Uuid,
            member_id -> Uuid,
            status -> Text,
            waitlist_position -> Nullable<Int4>,
            check_in_code -> Text,
            registered_at -> Timestamptz,
            confirmed_at -> Nullable<Timestamptz>,
            cancelled_at -> Nullable<Timestamptz>,
            checked_in_at -> Nullable<Timestamptz>,
            updated_at -> Timestamptz,
            list_rank -> Nullable<Int2>,
            list_position -> Nullable<Int4>,
        }
    }

    diesel::table! {
        events.speakers (id) {
            id -> Uuid,
            event_id -> Uuid,
            position -> Int4,
            member_id -> Nullable<Uuid>,
            guest_name -> Nullable<Text>,
            affiliation -> Nullable<Text>,
        }
    }

    diesel::joinable!(materials -> events (event_id));
    diesel::joinable!(registrations -> events (event_id));
    diesel::joinable!(speakers -> events (event_id));

    diesel::allow_tables_to_appear_in_same_query!(
        calendar_feeds,
        events,
        materials,
        registrations,
        speakers,
    );
}
