//! Why the events domain refuses an action in the event's current state.
//! Each refusal becomes a shared [`AppError`] code (`CONFLICT` or
//! `FORBIDDEN`) with a stable `extensions.reason`: the codes stay within
//! the API's small set (clients switch on them), and the reason tells a
//! client which message to show without parsing text.
//!
//! | reason | code | when |
//! |---|---|---|
//! | `REGISTRATION_NOT_OPEN` | `CONFLICT` | registering before the window opens |
//! | `REGISTRATION_CLOSED` | `CONFLICT` | registering after the window closed |
//! | `EVENT_CANCELLED` | `CONFLICT` | registering, cancelling, editing, checking in or adding material for a cancelled event |
//! | `EVENT_NOT_PUBLISHED` | `CONFLICT` | registering for a draft (only the secretariat can see drafts) |
//! | `EVENT_STARTED` | `CONFLICT` | cancelling a registration once the event has begun |
//! | `EVENT_NOT_STARTED` | `CONFLICT` | attaching material before the event has begun |
//! | `OUTSIDE_AUDIENCE` | `FORBIDDEN` | registering for an event meant for another audience |
//! | `CAPACITY_BELOW_CONFIRMED` | `CONFLICT` | lowering capacity below the confirmed count |
//! | `NOT_CONFIRMED` | `CONFLICT` | checking in a registration that holds no seat |
//! | `CHECK_IN_NOT_OPEN` | `CONFLICT` | checking in earlier than [`CHECK_IN_OPENS_BEFORE_START`](crate::rules::CHECK_IN_OPENS_BEFORE_START) |

use alumni_core::AppError;
use chrono::{DateTime, Utc};

use crate::model::Audience;

/// Why an action is refused in the event's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The registration window has not opened yet.
    RegistrationNotOpen {
        /// When it opens.
        opens_at: DateTime<Utc>,
    },
    /// The registration window has closed.
    RegistrationClosed,
    /// The event was cancelled.
    EventCancelled,
    /// The event is still a draft.
    EventNotPublished,
    /// The event has begun.
    EventStarted,
    /// The event has not begun yet.
    EventNotStarted,
    /// The viewer is not in the event's audience.
    OutsideAudience(Audience),
    /// The new capacity is lower than the seats already given.
    CapacityBelowConfirmed {
        /// Seats already given.
        confirmed: i32,
    },
    /// The registration holds no seat.
    NotConfirmed,
    /// Check-in has not opened yet.
    CheckInNotOpen {
        /// When it opens.
        opens_at: DateTime<Utc>,
    },
}

impl Refusal {
    /// The stable `extensions.reason`.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::RegistrationNotOpen { .. } => "REGISTRATION_NOT_OPEN",
            Refusal::RegistrationClosed => "REGISTRATION_CLOSED",
            Refusal::EventCancelled => "EVENT_CANCELLED",
            Refusal::EventNotPublished => "EVENT_NOT_PUBLISHED",
            Refusal::EventStarted => "EVENT_STARTED",
            Refusal::EventNotStarted => "EVENT_NOT_STARTED",
            Refusal::OutsideAudience(_) => "OUTSIDE_AUDIENCE",
            Refusal::CapacityBelowConfirmed { .. } => "CAPACITY_BELOW_CONFIRMED",
            Refusal::NotConfirmed => "NOT_CONFIRMED",
            Refusal::CheckInNotOpen { .. } => "CHECK_IN_NOT_OPEN",
        }
    }

    /// The message for people.
    fn message(&self) -> String {
        match self {
            Refusal::RegistrationNotOpen { opens_at } => {
                format!("registration opens at {}", opens_at.to_rfc3339())
            }
            Refusal::RegistrationClosed => "registration for this event has closed".into(),
            Refusal::EventCancelled => "this event has been cancelled".into(),
            Refusal::EventNotPublished => "this event has not been published yet".into(),
            Refusal::EventStarted => "this event has already begun".into(),
            Refusal::EventNotStarted => "this event has not begun yet".into(),
            Refusal::OutsideAudience(Audience::Alumni) => "this event is for alumni only".into(),
            Refusal::OutsideAudience(Audience::Employees) => {
                "this event is for employees only".into()
            }
            Refusal::OutsideAudience(Audience::Everyone) => "this event is for members only".into(),
            Refusal::CapacityBelowConfirmed { confirmed } => {
                format!("{confirmed} seats are already confirmed; capacity cannot be lower")
            }
            Refusal::NotConfirmed => "this registration holds no confirmed seat".into(),
            Refusal::CheckInNotOpen { opens_at } => {
                format!("check-in opens at {}", opens_at.to_rfc3339())
            }
        }
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        let message = refusal.message();
        let reason = Some(refusal.reason());
        match refusal {
            // Who the viewer is, not the event's state, decides this one.
            Refusal::OutsideAudience(_) => AppError::Forbidden { message, reason },
            _ => AppError::Conflict { message, reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::Value;

    #[test]
    fn refusals_carry_code_and_reason() {
        let graphql = AppError::from(Refusal::RegistrationClosed).to_graphql_error();
        let extensions = graphql.extensions.unwrap();
        assert_eq!(extensions.get("code"), Some(&Value::from("CONFLICT")));
        assert_eq!(
            extensions.get("reason"),
            Some(&Value::from("REGISTRATION_CLOSED"))
        );

        let audience = AppError::from(Refusal::OutsideAudience(Audience::Alumni));
        assert_eq!(audience.code(), "FORBIDDEN");
        assert_eq!(audience.reason(), Some("OUTSIDE_AUDIENCE"));
        assert_eq!(audience.to_string(), "this event is for alumni only");
    }

    #[test]
    fn every_other_refusal_is_a_conflict() {
        let opens_at = DateTime::<Utc>::UNIX_EPOCH;
        for refusal in [
            Refusal::RegistrationNotOpen { opens_at },
            Refusal::EventCancelled,
            Refusal::EventNotPublished,
            Refusal::EventStarted,
            Refusal::EventNotStarted,
            Refusal::CapacityBelowConfirmed { confirmed: 3 },
            Refusal::NotConfirmed,
            Refusal::CheckInNotOpen { opens_at },
        ] {
            let reason = refusal.reason();
            let error = AppError::from(refusal);
            assert_eq!(error.code(), "CONFLICT");
            assert_eq!(error.reason(), Some(reason));
        }
    }
}
