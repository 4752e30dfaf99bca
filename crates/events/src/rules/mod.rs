//! Pure decisions of the events domain, tested without a database: what an
//! event's particulars may be, how seats move, and when each action on an
//! event is allowed. The services apply them under the event row's lock.

mod actions;
mod fields;
mod seats;

pub use actions::*;
pub use fields::*;
pub use seats::*;

#[cfg(test)]
pub(crate) mod sample {
    use alumni_core::MemberId;
    use chrono::{DateTime, Duration, Utc};

    use crate::model::{
        Audience, EventFields, EventFormat, EventId, EventKind, EventRecord, EventStatus,
    };

    /// A fixed "now" for the rules' tests.
    pub fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-04-01T10:00:00Z")
            .unwrap()
            .to_utc()
    }

    /// Valid particulars of a hybrid event a week after [`now`].
    pub fn fields() -> EventFields {
        let starts_at = now() + Duration::days(7);
        EventFields {
            title: "Kubernetes 運用勉強会".into(),
            description: String::new(),
            kind: EventKind::StudySession,
            format: EventFormat::Hybrid,
            venue: Some("本社 20F".into()),
            join_url: Some("https://meet.example/k8s".into()),
            starts_at,
            ends_at: starts_at + Duration::hours(2),
            time_zone: "Asia/Tokyo".into(),
            audience: Audience::Everyone,
            registration_opens_at: now(),
            registration_closes_at: starts_at,
        }
    }

    /// A published event with [`fields`] and `capacity` seats, none taken.
    pub fn event(capacity: Option<i32>) -> EventRecord {
        EventRecord {
            id: EventId::new(),
            fields: fields(),
            capacity,
            status: EventStatus::Published,
            confirmed_count: 0,
            waitlist_count: 0,
            seats_version: 0,
            created_by: MemberId::new(),
            created_at: now(),
            updated_at: now(),
            published_at: Some(now()),
            cancelled_at: None,
            moderation: alumni_core::moderation::ModerationState::Visible,
        }
    }
}
