use alumni_core::moderation::ModerationState;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::KnowledgeAudience;
use crate::schema::knowledge::{article_comments, article_revisions, articles};

typed_id!(
    /// Identifies a member's article.
    ArticleId,
    "Article"
);

typed_id!(
    /// Identifies a comment on an article.
    ArticleCommentId,
    "ArticleComment"
);

typed_id!(
    /// Identifies an earlier version of an article.
    ArticleRevisionId,
    "ArticleRevision"
);

alumni_core::text_enum! {
    /// Whether an article is out.
    pub enum ArticleState stored in "knowledge.articles.state" {
        /// Being written; seen by its author only.
        Draft = "DRAFT",
        /// Readable by its audience.
        Published = "PUBLISHED",
    }
}

/// An article as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = articles, check_for_backend(diesel::pg::Pg))]
pub struct ArticleRecord {
    /// Its id.
    pub id: ArticleId,
    /// Who wrote it.
    pub author_id: MemberId,
    /// Title.
    pub title: String,
    /// Markdown.
    pub body: String,
    /// The Markdown rendered and sanitised.
    pub body_html: String,
    /// Who may read it.
    pub audience: KnowledgeAudience,
    /// Draft or published.
    pub state: ArticleState,
    /// Whether others see it.
    pub moderation: ModerationState,
    /// Members who marked it helpful.
    pub helpful_count: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When it was first published.
    pub published_at: Option<DateTime<Utc>>,
}

/// The text an edit replaced.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_revisions, check_for_backend(diesel::pg::Pg))]
pub struct ArticleRevisionRecord {
    /// Its id.
    pub id: ArticleRevisionId,
    /// The article.
    pub article_id: ArticleId,
    /// Title before the edit.
    pub title: String,
    /// Markdown before the edit.
    pub body: String,
    /// When the edit was made.
    pub edited_at: DateTime<Utc>,
}

/// A comment on an article, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_comments, check_for_backend(diesel::pg::Pg))]
pub struct ArticleCommentRecord {
    /// Its id.
    pub id: ArticleCommentId,
    /// The article.
    pub article_id: ArticleId,
    /// The comment it replies to (comments are one level deep).
    pub parent_id: Option<ArticleCommentId>,
    /// Who wrote it; `None` once they withdrew.
    pub author_id: Option<MemberId>,
    /// Plain text.
    pub body: String,
    /// Whether others see it.
    pub moderation: ModerationState,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last edit.
    pub updated_at: DateTime<Utc>,
    /// When its author deleted it (the text is erased, replies stay).
    pub deleted_at: Option<DateTime<Utc>>,
}
