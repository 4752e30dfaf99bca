//! Whom to ask about a question, and who was asked.

use alumni_core::MemberId;
use alumni_membership::model::TagId;
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{Availability, AvailabilityRecord, QuestionId};
use crate::schema::knowledge::{question_routes, skill_availability};

/// How far back requests count towards "asked lately" and towards a
/// limited member's open requests.
pub const RECENT_DAYS: i32 = 30;

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = SqlUuid)]
    member_id: uuid::Uuid,
}

/// Up to `limit` members to ask about a question, best first: members
/// other than the asker whose skills, visible to members, include one of
/// its tags and who said they are open (or limited, with fewer open
/// requests than their maximum) for it; never a member closed for any of
/// its tags, already asked about it or who already answered it. Members
/// matching more of its tags come first, then those asked least in the
/// last 30 days, then chance, so the same few are not asked every time.
pub async fn candidates(
    conn: &mut AsyncPgConnection,
    question: QuestionId,
    asker: Option<MemberId>,
    limit: i64,
    now: DateTime<Utc>,
) -> QueryResult<Vec<MemberId>> {
    let found: Vec<Candidate> = diesel::sql_query(
        "WITH tags AS (SELECT tag_id FROM knowledge.question_tags WHERE question_id = $1), \
         open_requests AS ( \
             SELECT r.member_id, count(*) AS open FROM knowledge.question_routes r \
             JOIN knowledge.questions q ON q.id = r.question_id \
             WHERE q.answer_count = 0 AND q.duplicate_of_id IS NULL \
             AND r.routed_at > $3 - make_interval(days => $5) \
             AND NOT EXISTS (SELECT 1 FROM knowledge.answers x \
                 WHERE x.question_id = r.question_id AND x.author_id = r.member_id) \
             GROUP BY r.member_id) \
         SELECT a.member_id FROM knowledge.skill_availability a \
         JOIN tags t ON t.tag_id = a.tag_id \
         JOIN membership.member_skills s ON s.member_id = a.member_id AND s.tag_id = a.tag_id \
         JOIN membership.profiles p ON p.member_id = a.member_id \
         JOIN membership.members m ON m.id = a.member_id \
         LEFT JOIN open_requests o ON o.member_id = a.member_id \
         WHERE a.availability <> 'CLOSED' \
         AND p.skills_visibility = 'MEMBERS' AND m.status = 'ACTIVE' \
         AND a.member_id IS DISTINCT FROM $2 \
         AND (a.availability = 'OPEN' OR coalesce(o.open, 0) < a.max_open_requests) \
         AND NOT EXISTS (SELECT 1 FROM knowledge.skill_availability c JOIN tags ct ON ct.tag_id = c.tag_id \
             WHERE c.member_id = a.member_id AND c.availability = 'CLOSED') \
         AND NOT EXISTS (SELECT 1 FROM knowledge.question_routes r \
             WHERE r.question_id = $1 AND r.member_id = a.member_id) \
         AND NOT EXISTS (SELECT 1 FROM knowledge.answers x \
             WHERE x.question_id = $1 AND x.author_id = a.member_id) \
         GROUP BY a.member_id \
         ORDER BY count(*) DESC, \
             (SELECT count(*) FROM knowledge.question_routes recent \
              WHERE recent.member_id = a.member_id \
              AND recent.routed_at > $3 - make_interval(days => $5)) ASC, \
             random() \
         LIMIT $4",
    )
    .bind::<SqlUuid, _>(question.0)
    .bind::<Nullable<SqlUuid>, _>(asker.map(|member| member.0))
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(limit)
    .bind::<diesel::sql_types::Integer, _>(RECENT_DAYS)
    .load(conn)
    .await?;
    Ok(found
        .into_iter()
        .map(|candidate| MemberId(candidate.member_id))
        .collect())
}

/// Records that `members` were asked about a question in `round`.
pub async fn record(
    conn: &mut AsyncPgConnection,
    question: QuestionId,
    members: &[MemberId],
    round: i16,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    let rows: Vec<_> = members
        .iter()
        .map(|member| {
            (
                question_routes::question_id.eq(question),
                question_routes::member_id.eq(*member),
                question_routes::round.eq(round),
                question_routes::routed_at.eq(at),
            )
        })
        .collect();
    diesel::insert_into(question_routes::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Member {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
}

/// Active members of the secretariat, who see questions nobody answered.
pub async fn secretariat(conn: &mut AsyncPgConnection) -> QueryResult<Vec<MemberId>> {
    let found: Vec<Member> = diesel::sql_query(
        "SELECT id FROM membership.members WHERE 'SECRETARIAT' = ANY(roles) AND status = 'ACTIVE'",
    )
    .load(conn)
    .await?;
    Ok(found
        .into_iter()
        .map(|member| MemberId(member.id))
        .collect())
}

/// Sets a member's availability for one tag.
pub async fn set_availability(
    conn: &mut AsyncPgConnection,
    record: &AvailabilityRecord,
) -> QueryResult<()> {
    diesel::insert_into(skill_availability::table)
        .values(record)
        .on_conflict((skill_availability::member_id, skill_availability::tag_id))
        .do_update()
        .set((
            skill_availability::availability.eq(record.availability),
            skill_availability::max_open_requests.eq(record.max_open_requests),
            skill_availability::updated_at.eq(record.updated_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets a member's availability for one tag.
pub async fn clear_availability(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    tag: TagId,
) -> QueryResult<()> {
    diesel::delete(skill_availability::table.find((member, tag)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Availability of members for tags (for the experts list and a member's
/// own settings).
pub async fn availability_of(
    conn: &mut AsyncPgConnection,
    members: &[MemberId],
    tags: Option<&[TagId]>,
) -> QueryResult<Vec<AvailabilityRecord>> {
    let mut query = skill_availability::table
        .filter(skill_availability::member_id.eq_any(members))
        .into_boxed();
    if let Some(tags) = tags {
        query = query.filter(skill_availability::tag_id.eq_any(tags));
    }
    query
        .select(AvailabilityRecord::as_select())
        .order(skill_availability::updated_at.asc())
        .load(conn)
        .await
}

#[derive(QueryableByName)]
struct OpenCount {
    #[diesel(sql_type = SqlUuid)]
    member_id: uuid::Uuid,
    #[diesel(sql_type = BigInt)]
    open: i64,
}

/// Open requests (routed, still unanswered, in the last 30 days) of
/// several members.
pub async fn open_requests(
    conn: &mut AsyncPgConnection,
    members: &[MemberId],
    now: DateTime<Utc>,
) -> QueryResult<Vec<(MemberId, i64)>> {
    let ids: Vec<uuid::Uuid> = members.iter().map(|member| member.0).collect();
    let found: Vec<OpenCount> = diesel::sql_query(
        "SELECT r.member_id, count(*) AS open FROM knowledge.question_routes r \
         JOIN knowledge.questions q ON q.id = r.question_id \
         WHERE r.member_id = ANY($1) AND q.answer_count = 0 AND q.duplicate_of_id IS NULL \
         AND r.routed_at > $2 - make_interval(days => $3) \
         AND NOT EXISTS (SELECT 1 FROM knowledge.answers x \
             WHERE x.question_id = r.question_id AND x.author_id = r.member_id) \
         GROUP BY r.member_id",
    )
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
    .bind::<Timestamptz, _>(now)
    .bind::<diesel::sql_types::Integer, _>(RECENT_DAYS)
    .load(conn)
    .await?;
    Ok(found
        .into_iter()
        .map(|row| (MemberId(row.member_id), row.open))
        .collect())
}

impl Availability {
    /// Whether a member with this availability and `open` requests may be
    /// asked once more.
    pub fn takes_another(self, max_open_requests: Option<i32>, open: i64) -> bool {
        match self {
            Availability::Open => true,
            Availability::Limited => open < i64::from(max_open_requests.unwrap_or(0)),
            Availability::Closed => false,
        }
    }
}

#[derive(QueryableByName)]
struct Held {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    held: bool,
}

/// Whether a tag is one of the member's profile skills.
pub async fn holds_skill(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    tag: TagId,
) -> QueryResult<bool> {
    let found: Held = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM membership.member_skills \
         WHERE member_id = $1 AND tag_id = $2) AS held",
    )
    .bind::<SqlUuid, _>(member.0)
    .bind::<SqlUuid, _>(tag.0)
    .get_result(conn)
    .await?;
    Ok(found.held)
}
