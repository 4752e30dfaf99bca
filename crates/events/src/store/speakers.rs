//! Programmes of events.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{EventId, SpeakerRecord};
use crate::schema::events::speakers;

/// Replaces the programme of an event.
pub async fn replace_speakers(
    conn: &mut AsyncPgConnection,
    event_id: EventId,
    slots: &[SpeakerRecord],
) -> QueryResult<()> {
    diesel::delete(speakers::table.filter(speakers::event_id.eq(event_id)))
        .execute(conn)
        .await?;
    if !slots.is_empty() {
        diesel::insert_into(speakers::table)
            .values(slots)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The speakers of several events, in programme order.
pub async fn speakers_of(
    conn: &mut AsyncPgConnection,
    event_ids: &[EventId],
) -> QueryResult<Vec<SpeakerRecord>> {
    speakers::table
        .filter(speakers::event_id.eq_any(event_ids))
        .order((speakers::event_id, speakers::position))
        .select(SpeakerRecord::as_select())
        .load(conn)
        .await
}
