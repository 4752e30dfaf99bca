//! Consultation requests and experts' settings for them.

use alumni_core::MemberId;
use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{PageRequest, capped_count};
use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, exists};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{ConsultationId, ConsultationRecord, ConsultationState, ExpertSettingsRecord};
use crate::schema::knowledge::{consultation_tags, consultations, expert_settings};

/// Requests that still take a place in the limits: pending, not yet past
/// their expiry, and not taken out of circulation by a moderator.
const OCCUPYING: &[ModerationState] = &[ModerationState::Visible, ModerationState::Held];

/// Waits for, then holds until the transaction ends, the right to change
/// the pending requests of `members` (an expert's capacity, a requester's
/// allowance), so two requests at once cannot both take the last place.
/// The locks are taken in one order, so two transactions locking the same
/// pair cannot deadlock.
pub async fn lock_members(conn: &mut AsyncPgConnection, members: &[MemberId]) -> QueryResult<()> {
    let mut keys: Vec<i32> = members.iter().map(|member| lock_key(member.0)).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        // Two-key advisory locks live apart from the one-key ones other
        // parts of the system take; the class names this use.
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('knowledge.consultations'), $1)")
            .bind::<Integer, _>(key)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A member's lock key: the random tail of their UUID v7 (two members
/// sharing a key only wait for each other).
fn lock_key(member: Uuid) -> i32 {
    let bytes = member.as_bytes();
    i32::from_be_bytes([bytes[12], bytes[13], bytes[14], bytes[15]])
}

/// An expert's settings, if they chose any.
pub async fn settings(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Option<ExpertSettingsRecord>> {
    expert_settings::table
        .find(member)
        .select(ExpertSettingsRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Saves an expert's settings.
pub async fn save_settings(
    conn: &mut AsyncPgConnection,
    settings: &ExpertSettingsRecord,
) -> QueryResult<()> {
    diesel::insert_into(expert_settings::table)
        .values(settings)
        .on_conflict(expert_settings::member_id)
        .do_update()
        .set((
            expert_settings::accepts_consultations.eq(settings.accepts_consultations),
            expert_settings::max_pending.eq(settings.max_pending),
            expert_settings::updated_at.eq(settings.updated_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Pending requests that take a place in an expert's capacity.
pub async fn pending_for_expert(
    conn: &mut AsyncPgConnection,
    expert: MemberId,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    occupying(now)
        .filter(consultations::expert_id.eq(expert))
        .select(count_star())
        .get_result(conn)
        .await
}

/// Pending requests a member has sent.
pub async fn pending_from_requester(
    conn: &mut AsyncPgConnection,
    requester: MemberId,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    occupying(now)
        .filter(consultations::requester_id.eq(requester))
        .select(count_star())
        .get_result(conn)
        .await
}

fn occupying(now: DateTime<Utc>) -> consultations::BoxedQuery<'static, Pg> {
    consultations::table
        .filter(consultations::state.eq(ConsultationState::Pending))
        .filter(consultations::expires_at.gt(now))
        .filter(consultations::moderation.eq_any(OCCUPYING))
        .into_boxed()
}

/// Whether `requester` has a request to `expert` waiting.
pub async fn has_pending(
    conn: &mut AsyncPgConnection,
    requester: MemberId,
    expert: MemberId,
) -> QueryResult<bool> {
    diesel::select(exists(
        consultations::table
            .filter(consultations::requester_id.eq(requester))
            .filter(consultations::expert_id.eq(expert))
            .filter(consultations::state.eq(ConsultationState::Pending)),
    ))
    .get_result(conn)
    .await
}

/// Saves a new request and its tags.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    consultation: &ConsultationRecord,
    tags: &[Uuid],
) -> QueryResult<()> {
    diesel::insert_into(consultations::table)
        .values(consultation)
        .execute(conn)
        .await?;
    let rows: Vec<_> = tags
        .iter()
        .map(|tag| {
            (
                consultation_tags::consultation_id.eq(consultation.id),
                consultation_tags::tag_id.eq(*tag),
            )
        })
        .collect();
    diesel::insert_into(consultation_tags::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// One request, locked for the transaction.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    id: ConsultationId,
) -> QueryResult<Option<ConsultationRecord>> {
    consultations::table
        .find(id)
        .select(ConsultationRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Requests by id.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[ConsultationId],
) -> QueryResult<Vec<ConsultationRecord>> {
    consultations::table
        .filter(consultations::id.eq_any(ids))
        .select(ConsultationRecord::as_select())
        .load(conn)
        .await
}

/// Records the expert's answer.
pub async fn answer(
    conn: &mut AsyncPgConnection,
    id: ConsultationId,
    state: ConsultationState,
    reply: Option<&str>,
    share_email: bool,
    now: DateTime<Utc>,
) -> QueryResult<ConsultationRecord> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::state.eq(state),
            consultations::reply.eq(reply),
            consultations::share_email.eq(share_email),
            consultations::responded_at.eq(now),
        ))
        .returning(ConsultationRecord::as_returning())
        .get_result(conn)
        .await
}

/// The requester takes a pending request back.
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    id: ConsultationId,
) -> QueryResult<ConsultationRecord> {
    diesel::update(consultations::table.find(id))
        .set(consultations::state.eq(ConsultationState::Withdrawn))
        .returning(ConsultationRecord::as_returning())
        .get_result(conn)
        .await
}

/// Marks pending requests past their expiry as expired; the ones it
/// changed. A request answered meanwhile is left alone (the update
/// re-checks the state of rows another transaction changed).
pub async fn expire_due(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<Vec<ConsultationRecord>> {
    diesel::update(
        consultations::table
            .filter(consultations::state.eq(ConsultationState::Pending))
            .filter(consultations::expires_at.le(now)),
    )
    .set(consultations::state.eq(ConsultationState::Expired))
    .returning(ConsultationRecord::as_returning())
    .get_results(conn)
    .await
}

/// Moves a request's sending and expiry (demo data dated in the past).
pub async fn backdate(
    conn: &mut AsyncPgConnection,
    id: ConsultationId,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::created_at.eq(created_at),
            consultations::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A held request a moderator releases reaches the expert only now: it
/// gets its full time to be answered from `now`. The request, if it was
/// pending and held (read before the release changes its state).
pub async fn restart_held(
    conn: &mut AsyncPgConnection,
    id: ConsultationId,
    expires_at: DateTime<Utc>,
) -> QueryResult<Option<ConsultationRecord>> {
    diesel::update(
        consultations::table
            .find(id)
            .filter(consultations::state.eq(ConsultationState::Pending))
            .filter(consultations::moderation.eq(ModerationState::Held)),
    )
    .set(consultations::expires_at.eq(expires_at))
    .returning(ConsultationRecord::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Whose requests a list shows.
#[derive(Debug, Clone, Copy)]
pub struct ListFilter {
    /// The member.
    pub member: MemberId,
    /// Requests they sent (`true`) or received.
    pub sent: bool,
    /// Only those in this state.
    pub state: Option<ConsultationState>,
}

fn listed(filter: &ListFilter) -> consultations::BoxedQuery<'static, Pg> {
    let mut query = consultations::table.into_boxed();
    query = if filter.sent {
        query.filter(consultations::requester_id.eq(filter.member))
    } else {
        // What the leak guard held or a moderator withdrew never reaches
        // the expert.
        query
            .filter(consultations::expert_id.eq(filter.member))
            .filter(consultations::moderation.eq(ModerationState::Visible))
    };
    if let Some(state) = filter.state {
        query = query.filter(consultations::state.eq(state));
    }
    query
}

/// A page of a member's requests, newest first (ids are UUID v7).
pub async fn page(
    conn: &mut AsyncPgConnection,
    filter: &ListFilter,
    page: &PageRequest<Uuid>,
) -> QueryResult<Vec<ConsultationRecord>> {
    let mut query = listed(filter).select(ConsultationRecord::as_select());
    if let Some(after) = page.after {
        query = query.filter(consultations::id.lt(after));
    }
    if let Some(before) = page.before {
        query = query.filter(consultations::id.gt(before));
    }
    query = if page.reads_in_list_order() {
        query.order(consultations::id.desc())
    } else {
        query.order(consultations::id.asc())
    };
    query.limit(page.fetch_limit()).load(conn).await
}

/// How many requests [`page`] lists, up to the count cap.
pub async fn count(conn: &mut AsyncPgConnection, filter: &ListFilter) -> QueryResult<i64> {
    capped_count(listed(filter).select(consultations::id))
        .get_result(conn)
        .await
}

/// The tags of several requests.
pub async fn tags_of(
    conn: &mut AsyncPgConnection,
    ids: &[ConsultationId],
) -> QueryResult<Vec<(ConsultationId, Uuid)>> {
    consultation_tags::table
        .filter(consultation_tags::consultation_id.eq_any(ids))
        .select((
            consultation_tags::consultation_id,
            consultation_tags::tag_id,
        ))
        .load(conn)
        .await
}
