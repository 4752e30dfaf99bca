//! Errors of the events domain: the shared [`AppError`] codes, refined by a
//! stable `extensions.reason` when an action is refused because of the
//! event's state.
//!
//! The codes stay within the API's small set (clients switch on them); the
//! reason tells a client which message to show without parsing text.
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
//! | `CHECK_IN_NOT_OPEN` | `CONFLICT` | checking in earlier than [`CHECK_IN_OPENS_BEFORE_START`](crate::service::CHECK_IN_OPENS_BEFORE_START) |

use alumni_core::AppError;
use async_graphql::ErrorExtensions as _;
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

    /// The refusal as an error of the shared set, with a message for people.
    pub fn to_app_error(&self) -> AppError {
        match self {
            Refusal::RegistrationNotOpen { opens_at } => {
                AppError::Conflict(format!("registration opens at {}", opens_at.to_rfc3339()))
            }
            Refusal::RegistrationClosed => {
                AppError::Conflict("registration for this event has closed".into())
            }
            Refusal::EventCancelled => AppError::Conflict("this event has been cancelled".into()),
            Refusal::EventNotPublished => {
                AppError::Conflict("this event has not been published yet".into())
            }
            Refusal::EventStarted => AppError::Conflict("this event has already begun".into()),
            Refusal::EventNotStarted => AppError::Conflict("this event has not begun yet".into()),
            Refusal::OutsideAudience(audience) => AppError::Forbidden(match audience {
                Audience::Alumni => "this event is for alumni only".into(),
                Audience::Employees => "this event is for employees only".into(),
                Audience::Everyone => "this event is for members only".into(),
            }),
            Refusal::CapacityBelowConfirmed { confirmed } => AppError::Conflict(format!(
                "{confirmed} seats are already confirmed; capacity cannot be lower"
            )),
            Refusal::NotConfirmed => {
                AppError::Conflict("this registration holds no confirmed seat".into())
            }
            Refusal::CheckInNotOpen { opens_at } => {
                AppError::Conflict(format!("check-in opens at {}", opens_at.to_rfc3339()))
            }
        }
    }
}

/// An error of the events domain.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EventsError {
    /// An error of the shared set.
    #[error(transparent)]
    App(#[from] AppError),
    /// Refused in the event's current state.
    #[error("{}", .0.to_app_error())]
    Refused(Refusal),
}

impl EventsError {
    /// The shared error this maps to (the reason, if any, is dropped).
    pub fn to_app_error(&self) -> AppError {
        match self {
            EventsError::App(error) => error.clone(),
            EventsError::Refused(refusal) => refusal.to_app_error(),
        }
    }

    /// The stable `extensions.code`.
    pub fn code(&self) -> &'static str {
        self.to_app_error().code()
    }

    /// The stable `extensions.reason`, for refusals.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            EventsError::App(_) => None,
            EventsError::Refused(refusal) => Some(refusal.reason()),
        }
    }
}

impl From<Refusal> for EventsError {
    fn from(refusal: Refusal) -> Self {
        EventsError::Refused(refusal)
    }
}

impl From<diesel::result::Error> for EventsError {
    fn from(error: diesel::result::Error) -> Self {
        EventsError::App(error.into())
    }
}

impl From<EventsError> for async_graphql::Error {
    fn from(error: EventsError) -> Self {
        let graphql = error.to_app_error().to_graphql_error();
        match error.reason() {
            Some(reason) => graphql.extend_with(|_, extensions| extensions.set("reason", reason)),
            None => graphql,
        }
    }
}

/// Result of the events services.
pub type EventsResult<T> = Result<T, EventsError>;

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::Value;

    #[test]
    fn refusals_carry_code_and_reason() {
        let graphql: async_graphql::Error = EventsError::from(Refusal::RegistrationClosed).into();
        let extensions = graphql.extensions.unwrap();
        assert_eq!(extensions.get("code"), Some(&Value::from("CONFLICT")));
        assert_eq!(
            extensions.get("reason"),
            Some(&Value::from("REGISTRATION_CLOSED"))
        );

        let audience = EventsError::from(Refusal::OutsideAudience(Audience::Alumni));
        assert_eq!(audience.code(), "FORBIDDEN");
        assert_eq!(audience.to_string(), "this event is for alumni only");
    }

    #[test]
    fn shared_errors_pass_through_without_reason() {
        let error = EventsError::from(AppError::NotFound { entity: "Event" });
        assert_eq!(error.code(), "NOT_FOUND");
        assert_eq!(error.reason(), None);
        let graphql: async_graphql::Error = error.into();
        assert!(graphql.extensions.unwrap().get("reason").is_none());
    }
}
