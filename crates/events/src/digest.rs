//! The events section of the activity digest: events announced since the
//! member's last visit that they may still register for.

use alumni_core::AppResult;
use alumni_core::domain::BoxFuture;
use alumni_notify::digest::{DigestItem, DigestReader, DigestSection, DigestSource};
use diesel_async::AsyncPgConnection;

use crate::model::{Audience, EventRecord};
use crate::notices::{event_link, when_and_where};
use crate::store::events;
use crate::visibility;

/// Upcoming events the member can attend, announced since their last
/// visit: published, for an audience they belong to, registration still
/// open. Two statements at most.
pub struct UpcomingEvents;

impl DigestSource for UpcomingEvents {
    fn section<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        reader: &'a DigestReader,
    ) -> BoxFuture<'a, AppResult<Option<DigestSection>>> {
        Box::pin(async move {
            let audiences: Vec<Audience> = Audience::ALL
                .iter()
                .copied()
                .filter(|audience| visibility::admits(reader.roles, *audience))
                .collect();
            let (listed, total) = events::open_published_since(
                conn,
                reader.since,
                reader.now,
                &audiences,
                reader.limit,
            )
            .await?;
            if listed.is_empty() {
                return Ok(None);
            }
            Ok(Some(DigestSection {
                title: "参加できるイベント".to_owned(),
                more: total - listed.len() as i64,
                items: listed.iter().map(item).collect(),
            }))
        })
    }
}

fn item(event: &EventRecord) -> DigestItem {
    DigestItem {
        title: event.fields.title.clone(),
        details: when_and_where(event),
        path: event_link(event).map(|(_, path)| path),
    }
}
