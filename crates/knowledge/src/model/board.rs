use alumni_core::moderation::ModerationState;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::knowledge::{board_interests, board_kinds, board_posts};

typed_id!(
    /// Identifies a post on the collaboration board.
    BoardPostId,
    "BoardPost"
);

alumni_core::text_enum! {
    /// Whether a board post offers or looks for something.
    pub enum BoardDirection stored in "knowledge.board_posts.direction" {
        /// The author offers (to speak, to help, a role in their project).
        Offering = "OFFERING",
        /// The author looks for someone.
        Seeking = "SEEKING",
    }
}

/// A kind of board post (data: the list can grow without a release).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = board_kinds, check_for_backend(diesel::pg::Pg))]
pub struct BoardKindRecord {
    /// Stable key, e.g. `study_group`.
    pub slug: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Display order.
    pub position: i32,
}

/// A board post as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = board_posts, check_for_backend(diesel::pg::Pg))]
pub struct BoardPostRecord {
    /// Its id.
    pub id: BoardPostId,
    /// Who posted it.
    pub author_id: MemberId,
    /// Its kind's slug.
    pub kind: String,
    /// Offering or seeking.
    pub direction: BoardDirection,
    /// Title.
    pub title: String,
    /// Markdown.
    pub body: String,
    /// The Markdown rendered and sanitised.
    pub body_html: String,
    /// Whether others see it.
    pub moderation: ModerationState,
    /// Posted.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When it leaves the board unless renewed.
    pub expires_at: DateTime<Utc>,
    /// When its author closed it.
    pub closed_at: Option<DateTime<Utc>>,
    /// When its author was told it expired.
    pub expiry_noticed_at: Option<DateTime<Utc>>,
}

/// A member's interest in a board post, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = board_interests, check_for_backend(diesel::pg::Pg))]
pub struct BoardInterestRecord {
    /// The post.
    pub post_id: BoardPostId,
    /// The interested member.
    pub member_id: MemberId,
    /// A short note to the author.
    pub message: String,
    /// When.
    pub created_at: DateTime<Utc>,
}
