use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::feedback::themes;

typed_id!(
    /// Identifies a theme the secretariat groups feedback into.
    ThemeId,
    "FeedbackTheme"
);

/// A theme: what several items say, in the secretariat's words.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = themes, check_for_backend(diesel::pg::Pg))]
pub struct ThemeRecord {
    /// Its id.
    pub id: ThemeId,
    /// A short title.
    pub title: String,
    /// What the items in it say.
    pub summary: String,
    /// Who in the secretariat created it.
    pub created_by: Option<MemberId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
}
