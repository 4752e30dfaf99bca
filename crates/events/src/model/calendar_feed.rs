//! Members' personal calendar feeds: a secret URL per member, stored as the
//! token's hash.

use alumni_core::MemberId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::events::calendar_feeds;

/// A member's personal calendar feed as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_feeds)]
pub struct CalendarFeedRecord {
    /// Whose feed.
    pub member_id: MemberId,
    /// SHA-256 of the URL token.
    pub token_hash: Vec<u8>,
    /// When the current token was issued.
    pub created_at: DateTime<Utc>,
}
