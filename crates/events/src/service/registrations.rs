//! Registering, the waitlist, and cancelling; the viewer's own
//! registrations and the secretariat's attendee lists.

use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::secrets::{self, Alphabet};
use alumni_core::{AppError, AppResult, MemberId, Role, Viewer};
use chrono::{DateTime, Utc};
use diesel::OptionalExtension as _;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};

use super::seats::fill_free_seats;
use super::{EventsService, lock_visible};
use crate::model::{
    EventId, EventRecord, MyRegistrationFilter, MyRegistrationPageKey, RegistrationId,
    RegistrationPageKey, RegistrationRecord, RegistrationStatus,
};
use crate::notices;
use crate::rules;
use crate::store::{events, registrations as store};
use crate::visibility::sees_event;

/// Characters of check-in codes: no 0/O or 1/I, so codes read aloud or
/// typed from paper are not mistaken.
const CHECK_IN_ALPHABET: Alphabet = Alphabet::new(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789");
/// Characters in a check-in code (40 bits; the database checks the form).
const CHECK_IN_LENGTH: usize = 8;

impl EventsService {
    /// Registers the viewer: `CONFIRMED` while seats remain, otherwise
    /// `WAITLISTED` at the end of the waitlist. Registering again while
    /// registered returns the registration unchanged.
    pub async fn register(
        &self,
        viewer: &Viewer,
        event_id: EventId,
    ) -> AppResult<RegistrationRecord> {
        // A conflict means a concurrent request of the same member took the
        // registration (or a check-in code) first; the second attempt finds
        // it and answers with it.
        match self.try_register(viewer, event_id).await {
            Err(error) if error.code() == "CONFLICT" => self.try_register(viewer, event_id).await,
            outcome => outcome,
        }
    }

    /// One attempt at [`register`](Self::register). The event's row lock is
    /// what serialises every registration for the event, so as little as
    /// possible happens while it is held. The member's own registration is
    /// read before taking it (only the member creates or revives it, and a
    /// concurrent attempt shows as a conflict). A first registration is
    /// checked against the rules on the event as read, then made in one
    /// statement that holds the lock only inside PostgreSQL
    /// ([`store::register_new`]); should the event have changed meanwhile,
    /// and for a registration revived after a cancellation, the event is
    /// locked and checked again, and the registration and the seat counters
    /// are written in one round trip (pipelined) before the commit.
    async fn try_register(
        &self,
        viewer: &Viewer,
        event_id: EventId,
    ) -> AppResult<RegistrationRecord> {
        let identity = viewer.identity()?;
        let now = self.ctx.now();
        let check_in_code = new_check_in_code()?;
        let mut conn = self.ctx.conn().await?;
        let existing = store::registration_of(&mut conn, event_id, identity.member_id).await?;
        if existing.as_ref().is_none_or(RegistrationRecord::is_active) {
            let event = events::event(&mut conn, event_id)
                .await?
                .filter(|event| sees_event(viewer, event))
                .ok_or(AppError::NotFound { entity: "Event" })?;
            rules::not_cancelled(&event)?;
            if let Some(active) = existing {
                // Registering again changes nothing, so nothing is locked.
                return Ok(active);
            }
            rules::may_register(viewer, &event, now)?;
            let registration = store::NewRegistration {
                id: RegistrationId::new(),
                event_id,
                member_id: identity.member_id,
                check_in_code: &check_in_code,
                registered_at: now,
            };
            if let Some(registered) =
                store::register_new(&mut conn, event.fields.audience, &registration)
                    .await
                    .map_err(code_collision_is_conflict)?
            {
                // Told after the commit: inside the statement's transaction
                // it would hold the event's lock longer. Should the process
                // stop right here, the member has their answer but no mail.
                if registered.status == RegistrationStatus::Confirmed {
                    notices::seats_given(&mut conn, now, vec![registered.id], false).await?;
                }
                return Ok(registered);
            }
        }
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            rules::not_cancelled(&event)?;
            rules::may_register(viewer, &event, now)?;
            let (waitlist_position, after) = rules::place_registration(event.seats());
            let shared: &AsyncPgConnection = conn;
            let write_registration = async {
                match existing.as_ref() {
                    Some(cancelled) => {
                        store::reactivate_registration(shared, cancelled.id, waitlist_position, now)
                            .await
                            .optional()?
                            .ok_or_else(|| AppError::conflict("please try again"))
                    }
                    None => {
                        let registration = RegistrationRecord {
                            id: RegistrationId::new(),
                            event_id,
                            member_id: identity.member_id,
                            status: if waitlist_position.is_some() {
                                RegistrationStatus::Waitlisted
                            } else {
                                RegistrationStatus::Confirmed
                            },
                            waitlist_position,
                            check_in_code,
                            registered_at: now,
                            confirmed_at: waitlist_position.is_none().then_some(now),
                            cancelled_at: None,
                            checked_in_at: None,
                            updated_at: now,
                        };
                        store::insert_registration(shared, &registration)
                            .await
                            .map_err(code_collision_is_conflict)?;
                        Ok(registration)
                    }
                }
            };
            let write_seats = async {
                events::set_seats(
                    shared,
                    event_id,
                    after.capacity,
                    after.confirmed,
                    after.waitlisted,
                    now,
                )
                .await?;
                Ok::<_, AppError>(())
            };
            // Both run to the end even if one fails, so no statement is
            // left in flight on the connection when the transaction
            // rolls back.
            let (registration, seats) = tokio::join!(write_registration, write_seats);
            seats?;
            let registration = registration?;
            if registration.status == RegistrationStatus::Confirmed {
                notices::seats_given(conn, now, vec![registration.id], false).await?;
            }
            Ok(registration)
        })
        .await
    }

    /// Cancels the viewer's registration. A confirmed seat goes at once to
    /// the first on the waitlist; a waitlisted member's place closes up.
    /// Cancelling a cancelled registration returns it unchanged.
    pub async fn cancel_registration(
        &self,
        viewer: &Viewer,
        event_id: EventId,
    ) -> AppResult<RegistrationRecord> {
        let member_id = viewer.identity()?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            cancel_locked(conn, member_id, &event, now).await
        })
        .await
    }

    /// Registrations by id as the viewer may see them: their own, and for
    /// the secretariat anyone's, on events the viewer may see; others are
    /// absent.
    pub async fn registrations_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[RegistrationId],
    ) -> AppResult<Vec<RegistrationRecord>> {
        let identity = viewer.identity()?;
        let secretariat = viewer.has_role(Role::Secretariat);
        let mut conn = self.ctx.conn().await?;
        let found: Vec<RegistrationRecord> = store::registrations_by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|registration| secretariat || registration.member_id == identity.member_id)
            .collect();
        let event_ids: Vec<EventId> = found
            .iter()
            .map(|registration| registration.event_id)
            .collect();
        let visible: Vec<EventId> = events::events_by_ids(&mut conn, &event_ids)
            .await?
            .into_iter()
            .filter(|event| sees_event(viewer, event))
            .map(|event| event.id)
            .collect();
        Ok(found
            .into_iter()
            .filter(|registration| visible.contains(&registration.event_id))
            .collect())
    }

    /// The viewer's own registrations for several events.
    pub async fn my_registrations_for(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
    ) -> AppResult<Vec<RegistrationRecord>> {
        let identity = viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::registrations_of_member(&mut conn, identity.member_id, event_ids).await?)
    }

    /// A page of the viewer's live registrations, by the event's start.
    pub async fn my_registrations(
        &self,
        viewer: &Viewer,
        filter: MyRegistrationFilter,
        page: &PageRequest<MyRegistrationPageKey>,
    ) -> AppResult<Vec<(RegistrationRecord, DateTime<Utc>)>> {
        let identity = viewer.identity()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        Ok(store::my_registrations(&mut conn, identity.member_id, filter, now, page).await?)
    }

    /// How many registrations [`my_registrations`](Self::my_registrations)
    /// lists.
    pub async fn count_my_registrations(
        &self,
        viewer: &Viewer,
        filter: MyRegistrationFilter,
    ) -> AppResult<ListSize> {
        let identity = viewer.identity()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        Ok(store::count_my_registrations(&mut conn, identity.member_id, filter, now).await?)
    }

    /// How many registrations each event has in each status. Secretariat
    /// only.
    pub async fn registration_tallies(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
    ) -> AppResult<Vec<(EventId, RegistrationStatus, i64)>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::registration_tallies(&mut conn, event_ids).await?)
    }

    /// One page of the attendee list of each event. Secretariat only.
    pub async fn registration_pages(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
        status: Option<RegistrationStatus>,
        page: &PageRequest<RegistrationPageKey>,
    ) -> AppResult<Vec<RegistrationRecord>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::registration_pages(&mut conn, event_ids, status, page).await?)
    }
}

/// Cancels `member_id`'s registration for `event_id` inside the caller's
/// transaction, without regard to who may see the event (the member is
/// leaving the network).
pub(super) async fn cancel_in(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    event_id: EventId,
    now: DateTime<Utc>,
) -> AppResult<RegistrationRecord> {
    let event = events::lock_event(conn, event_id)
        .await?
        .ok_or(AppError::NotFound { entity: "Event" })?;
    cancel_locked(conn, member_id, &event, now).await
}

/// Cancels `member_id`'s registration for the event the caller has locked;
/// a freed seat goes to the first waitlisted member.
async fn cancel_locked(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    event: &EventRecord,
    now: DateTime<Utc>,
) -> AppResult<RegistrationRecord> {
    let existing = store::registration_of(conn, event.id, member_id)
        .await?
        .ok_or(AppError::NotFound {
            entity: "Registration",
        })?;
    if !existing.is_active() {
        return Ok(existing);
    }
    rules::may_cancel_registration(event, now)?;
    let cancelled = store::cancel_registration(conn, existing.id, now).await?;
    let before = event.seats();
    let seats = match (existing.status, existing.waitlist_position) {
        (RegistrationStatus::Waitlisted, Some(position)) => {
            store::close_waitlist_gap(conn, event.id, position).await?;
            rules::release(before, true)
        }
        _ => {
            fill_free_seats(conn, rules::release(before, false), now)
                .await?
                .0
        }
    };
    events::set_seats(
        conn,
        event.id,
        event.capacity,
        seats.confirmed,
        seats.waitlisted,
        now,
    )
    .await?;
    Ok(cancelled)
}

/// Two registrations of one event drew the same check-in code (about one
/// in a billion); the member simply tries again.
fn code_collision_is_conflict(error: DieselError) -> AppError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            AppError::conflict("please try again")
        }
        other => other.into(),
    }
}

/// A fresh check-in code. Attendees show it at the door and the
/// secretariat reads it from the attendee list, so it is stored as it is.
fn new_check_in_code() -> AppResult<String> {
    secrets::code(&CHECK_IN_ALPHABET, CHECK_IN_LENGTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_in_codes_fit_the_database_rule() {
        let code = new_check_in_code().unwrap();
        assert_eq!(code.len(), 8);
        assert!(CHECK_IN_ALPHABET.spells(&code));
        assert_ne!(code, new_check_in_code().unwrap());
    }
}
