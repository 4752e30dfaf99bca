//! When each action on an event is allowed: by the event's status, the
//! viewer's audience and the time. Each refusal says why (see
//! [`Refusal`]).

use alumni_core::Viewer;
use chrono::{DateTime, Duration, Utc};

use crate::model::{EventRecord, EventStatus, RegistrationRecord, RegistrationStatus};
use crate::refusal::Refusal;
use crate::visibility::in_audience;

/// Check-in opens this long before the start.
pub const CHECK_IN_OPENS_BEFORE_START: Duration = Duration::hours(2);

/// Editing an event, changing its capacity, registering: refused once it
/// is cancelled.
pub fn not_cancelled(event: &EventRecord) -> Result<(), Refusal> {
    if event.status == EventStatus::Cancelled {
        return Err(Refusal::EventCancelled);
    }
    Ok(())
}

/// Registering: refused for drafts, outside the event's audience, and
/// outside the registration window.
pub fn may_register(
    viewer: &Viewer,
    event: &EventRecord,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if event.status == EventStatus::Draft {
        return Err(Refusal::EventNotPublished);
    }
    if !in_audience(viewer, event.fields.audience) {
        return Err(Refusal::OutsideAudience(event.fields.audience));
    }
    if now < event.fields.registration_opens_at {
        return Err(Refusal::RegistrationNotOpen {
            opens_at: event.fields.registration_opens_at,
        });
    }
    if now >= event.fields.registration_closes_at {
        return Err(Refusal::RegistrationClosed);
    }
    Ok(())
}

/// Whether registration is open at `now`: the event is published and
/// within its window.
pub fn registration_open(event: &EventRecord, now: DateTime<Utc>) -> bool {
    event.status == EventStatus::Published
        && event.fields.registration_opens_at <= now
        && now < event.fields.registration_closes_at
}

/// Cancelling a registration: refused for cancelled events (the event's
/// status already tells) and once the event has begun (the seat was used
/// or missed).
pub fn may_cancel_registration(event: &EventRecord, now: DateTime<Utc>) -> Result<(), Refusal> {
    not_cancelled(event)?;
    if now >= event.fields.starts_at {
        return Err(Refusal::EventStarted);
    }
    Ok(())
}

/// Checking in at the door: from [`CHECK_IN_OPENS_BEFORE_START`] before
/// the start, never for cancelled events.
pub fn check_in_open(event: &EventRecord, now: DateTime<Utc>) -> Result<(), Refusal> {
    not_cancelled(event)?;
    let opens_at = event.fields.starts_at - CHECK_IN_OPENS_BEFORE_START;
    if now < opens_at {
        return Err(Refusal::CheckInNotOpen { opens_at });
    }
    Ok(())
}

/// Only a registration holding a seat is checked in.
pub fn may_check_in(registration: &RegistrationRecord) -> Result<(), Refusal> {
    if registration.status != RegistrationStatus::Confirmed {
        return Err(Refusal::NotConfirmed);
    }
    Ok(())
}

/// Attaching material: once the event has begun, never to cancelled
/// events.
pub fn may_add_material(event: &EventRecord, now: DateTime<Utc>) -> Result<(), Refusal> {
    not_cancelled(event)?;
    if now < event.fields.starts_at {
        return Err(Refusal::EventNotStarted);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use alumni_core::{Identity, MemberId, Role, RoleSet, SessionId, Standing};

    use super::*;
    use crate::model::{Audience, RegistrationId};
    use crate::rules::sample;

    fn member(role: Role) -> Viewer {
        Viewer::Member(Identity {
            member_id: MemberId::new(),
            session_id: SessionId::new(),
            session_expires_at: DateTime::<Utc>::MAX_UTC,
            roles: RoleSet::EMPTY.with(role),
            standing: Standing::Member,
            terms_accepted: true,
        })
    }

    #[test]
    fn registration_needs_a_published_event_the_audience_and_the_window() {
        let alumnus = member(Role::Alumnus);
        let mut event = sample::event(Some(10));
        let now = sample::now();
        assert_eq!(may_register(&alumnus, &event, now), Ok(()));
        assert!(registration_open(&event, now));

        let before = now - Duration::minutes(1);
        assert_eq!(
            may_register(&alumnus, &event, before),
            Err(Refusal::RegistrationNotOpen { opens_at: now })
        );
        assert!(!registration_open(&event, before));
        let closed = event.fields.registration_closes_at;
        assert_eq!(
            may_register(&alumnus, &event, closed),
            Err(Refusal::RegistrationClosed)
        );

        event.fields.audience = Audience::Employees;
        assert_eq!(
            may_register(&alumnus, &event, now),
            Err(Refusal::OutsideAudience(Audience::Employees))
        );
        assert_eq!(may_register(&member(Role::Employee), &event, now), Ok(()));

        event.status = EventStatus::Draft;
        assert_eq!(
            may_register(&member(Role::Employee), &event, now),
            Err(Refusal::EventNotPublished)
        );
        assert!(!registration_open(&event, now));
    }

    #[test]
    fn cancelled_events_refuse_changes() {
        let mut event = sample::event(None);
        assert_eq!(not_cancelled(&event), Ok(()));
        event.status = EventStatus::Cancelled;
        let now = sample::now();
        for refusal in [
            not_cancelled(&event),
            may_cancel_registration(&event, now),
            check_in_open(&event, event.fields.starts_at),
            may_add_material(&event, event.fields.starts_at),
        ] {
            assert_eq!(refusal, Err(Refusal::EventCancelled));
        }
    }

    #[test]
    fn registrations_are_cancelled_before_the_start_only() {
        let event = sample::event(None);
        let starts_at = event.fields.starts_at;
        assert_eq!(
            may_cancel_registration(&event, starts_at - Duration::seconds(1)),
            Ok(())
        );
        assert_eq!(
            may_cancel_registration(&event, starts_at),
            Err(Refusal::EventStarted)
        );
    }

    #[test]
    fn check_in_opens_two_hours_before_the_start_for_seats_only() {
        let event = sample::event(None);
        let opens_at = event.fields.starts_at - CHECK_IN_OPENS_BEFORE_START;
        assert_eq!(
            check_in_open(&event, opens_at - Duration::seconds(1)),
            Err(Refusal::CheckInNotOpen { opens_at })
        );
        assert_eq!(check_in_open(&event, opens_at), Ok(()));

        let mut registration = RegistrationRecord {
            id: RegistrationId::new(),
            event_id: event.id,
            member_id: MemberId::new(),
            status: RegistrationStatus::Confirmed,
            waitlist_position: None,
            check_in_code: "ABCDEFGH".into(),
            registered_at: sample::now(),
            confirmed_at: Some(sample::now()),
            cancelled_at: None,
            checked_in_at: None,
            updated_at: sample::now(),
        };
        assert_eq!(may_check_in(&registration), Ok(()));
        registration.status = RegistrationStatus::Waitlisted;
        assert_eq!(may_check_in(&registration), Err(Refusal::NotConfirmed));
    }

    #[test]
    fn material_is_attached_once_the_event_has_begun() {
        let event = sample::event(None);
        let starts_at = event.fields.starts_at;
        assert_eq!(
            may_add_material(&event, starts_at - Duration::seconds(1)),
            Err(Refusal::EventNotStarted)
        );
        assert_eq!(may_add_material(&event, starts_at), Ok(()));
    }
}
