//! The mail outbox.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{MailState, OutboxId, OutboxRecord};
use crate::schema::notify::outbox;

/// Queues messages.
pub async fn insert(conn: &mut AsyncPgConnection, messages: &[OutboxRecord]) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(messages)
        .execute(conn)
        .await?;
    Ok(())
}

/// A message by id.
pub async fn message(
    conn: &mut AsyncPgConnection,
    id: OutboxId,
) -> QueryResult<Option<OutboxRecord>> {
    outbox::table
        .find(id)
        .select(OutboxRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records that a queued message went out, and drops its bodies.
pub async fn mark_sent(
    conn: &mut AsyncPgConnection,
    id: OutboxId,
    message_id: &str,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::state.eq(MailState::Queued)),
    )
    .set((
        outbox::state.eq(MailState::Sent),
        outbox::sent_at.eq(at),
        outbox::message_id.eq(message_id),
        outbox::text_body.eq(None::<String>),
        outbox::html_body.eq(None::<String>),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that a message could not be sent, after every attempt (its
/// bodies stay, so an operator's retry can send it).
pub async fn mark_failed(conn: &mut AsyncPgConnection, id: OutboxId) -> QueryResult<()> {
    diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::state.eq(MailState::Queued)),
    )
    .set(outbox::state.eq(MailState::Failed))
    .execute(conn)
    .await?;
    Ok(())
}

/// Puts a failed message back to queued (an operator retried its job).
pub async fn requeue(conn: &mut AsyncPgConnection, id: OutboxId) -> QueryResult<()> {
    diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::state.eq(MailState::Failed)),
    )
    .set(outbox::state.eq(MailState::Queued))
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes every message to a member, sent or not (a leaving member's
/// queued mail is not sent).
pub async fn delete_of(
    conn: &mut AsyncPgConnection,
    member: alumni_core::MemberId,
) -> QueryResult<usize> {
    diesel::delete(outbox::table.filter(outbox::member_id.eq(member)))
        .execute(conn)
        .await
}
