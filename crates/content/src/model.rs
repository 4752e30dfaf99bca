//! Rows, ids and stored enums of the magazine.

use alumni_core::enums::StoredEnum;
use alumni_core::moderation::ModerationState;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::content::{categories, comments, issues, posts};

/// Every enum this crate stores, for the gateway's check against the
/// database's allowed values.
pub const STORED_ENUMS: &[StoredEnum] = &[
    PostState::STORED,
    PostAudience::STORED,
    ReactionKind::STORED,
    ModerationState::stored_in(&[
        "content.posts.moderation",
        "content.comments.moderation",
        "content.issues.moderation",
    ]),
    CohortRole::STORED,
    IssueState::STORED,
];

typed_id!(
    /// Identifies a post of the magazine.
    PostId,
    "Post"
);

typed_id!(
    /// Identifies a category of posts.
    CategoryId,
    "PostCategory"
);

typed_id!(
    /// Identifies a comment on a post.
    CommentId,
    "Comment"
);

alumni_core::text_enum! {
    /// Where a post is in its life.
    pub enum PostState stored in "content.posts.state" {
        /// Being written; seen by the secretariat only.
        Draft = "DRAFT",
        /// Goes out by itself at its scheduled time.
        Scheduled = "SCHEDULED",
        /// Readable by its audience.
        Published = "PUBLISHED",
        /// Taken out of the feed; kept for reference.
        Archived = "ARCHIVED",
    }
}

typed_id!(
    /// Identifies a numbered newsletter issue.
    IssueId,
    "NewsletterIssue"
);

alumni_core::text_enum! {
    /// Whether an issue went out.
    pub enum IssueState stored in "content.issues.state" {
        /// Being put together; seen by the secretariat only.
        Draft = "DRAFT",
        /// Sent, and in the archive.
        Published = "PUBLISHED",
    }
}

alumni_core::text_enum! {
    /// Who a post or an issue is for.
    pub enum PostAudience stored in "content.posts.audience", "content.issues.audience" {
        /// Every signed-in member.
        Everyone = "EVERYONE",
        /// Alumni only.
        Alumni = "ALUMNI",
        /// Current employees only.
        Employees = "EMPLOYEES",
        /// A cohort: by predecessor company, leave-year range and role.
        Cohort = "COHORT",
    }
}

alumni_core::text_enum! {
    /// A role a cohort may be limited to.
    pub enum CohortRole stored in "content.posts.cohort_role", "content.issues.cohort_role" {
        /// Alumni.
        Alumnus = "ALUMNUS",
        /// Current employees.
        Employee = "EMPLOYEE",
        /// The secretariat.
        Secretariat = "SECRETARIAT",
        /// Moderators.
        Moderator = "MODERATOR",
        /// HR analysts.
        Analyst = "ANALYST",
    }
}

alumni_core::text_enum! {
    /// The small fixed set of reactions (one of each per member).
    pub enum ReactionKind stored in "content.reactions.kind" {
        /// 👍
        Like = "LIKE",
        /// 学び: learned something.
        Learned = "LEARNED",
        /// ありがとう
        Thanks = "THANKS",
    }
}

/// A category of posts (data the secretariat edits).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = categories, check_for_backend(diesel::pg::Pg))]
pub struct CategoryRecord {
    /// Its id.
    pub id: CategoryId,
    /// Its name, e.g. 社内の今.
    pub name: String,
    /// Display order.
    pub position: i32,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// Who a post is for, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = posts, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct AudienceFields {
    /// Everyone, alumni, employees or a cohort.
    pub audience: PostAudience,
    /// Cohort: this predecessor company (or any).
    pub cohort_company_id: Option<Uuid>,
    /// Cohort: left in this year or later.
    pub cohort_left_from: Option<i32>,
    /// Cohort: left in this year or earlier.
    pub cohort_left_to: Option<i32>,
    /// Cohort: holding this role.
    pub cohort_role: Option<CohortRole>,
}

/// What the secretariat writes of a post.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = posts, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct PostText {
    /// Title.
    pub title: String,
    /// The lead.
    pub lead: String,
    /// Markdown.
    pub body: String,
    /// The Markdown rendered and sanitised.
    pub body_html: String,
    /// Its category.
    pub category_id: Option<CategoryId>,
    /// A cover image.
    pub cover_image_url: Option<String>,
}

/// A post as stored (without its search columns).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = posts, check_for_backend(diesel::pg::Pg))]
pub struct PostRecord {
    /// Its id.
    pub id: PostId,
    /// What was written.
    #[diesel(embed)]
    pub text: PostText,
    /// Who it is for.
    #[diesel(embed)]
    pub audience: AudienceFields,
    /// Its author.
    pub author_id: Option<MemberId>,
    /// Draft, scheduled, published or archived.
    pub state: PostState,
    /// When a scheduled post goes out.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// When it was (first) published.
    pub published_at: Option<DateTime<Utc>>,
    /// Whether members see it.
    pub moderation: ModerationState,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl PostRecord {
    /// The key of the feed's order (newest first).
    pub fn feed_key(&self) -> (DateTime<Utc>, Uuid) {
        (self.published_at.unwrap_or(self.updated_at), self.id.0)
    }
}

/// Who an issue is for, as stored (the same fields as a post's).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = issues, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct IssueAudience {
    /// Everyone, alumni, employees or a cohort.
    pub audience: PostAudience,
    /// Cohort: this predecessor company (or any).
    pub cohort_company_id: Option<Uuid>,
    /// Cohort: left in this year or later.
    pub cohort_left_from: Option<i32>,
    /// Cohort: left in this year or earlier.
    pub cohort_left_to: Option<i32>,
    /// Cohort: holding this role.
    pub cohort_role: Option<CohortRole>,
}

impl From<&AudienceFields> for IssueAudience {
    fn from(fields: &AudienceFields) -> Self {
        Self {
            audience: fields.audience,
            cohort_company_id: fields.cohort_company_id,
            cohort_left_from: fields.cohort_left_from,
            cohort_left_to: fields.cohort_left_to,
            cohort_role: fields.cohort_role,
        }
    }
}

impl From<&IssueAudience> for AudienceFields {
    fn from(fields: &IssueAudience) -> Self {
        Self {
            audience: fields.audience,
            cohort_company_id: fields.cohort_company_id,
            cohort_left_from: fields.cohort_left_from,
            cohort_left_to: fields.cohort_left_to,
            cohort_role: fields.cohort_role,
        }
    }
}

/// A newsletter issue as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = issues, check_for_backend(diesel::pg::Pg))]
pub struct IssueRecord {
    /// Its id.
    pub id: IssueId,
    /// Its number (第12号).
    pub number: i32,
    /// Its title (2026年12月号).
    pub title: String,
    /// The editor's note, in Markdown.
    pub editor_note: String,
    /// The note rendered and sanitised.
    pub editor_note_html: String,
    /// Draft or published.
    pub state: IssueState,
    /// When it was sent.
    pub published_at: Option<DateTime<Utc>>,
    /// Who it is for.
    #[diesel(embed)]
    pub audience: IssueAudience,
    /// Whether members see it.
    pub moderation: ModerationState,
    /// Who put it together.
    pub created_by: Option<MemberId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A comment as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = comments, check_for_backend(diesel::pg::Pg))]
pub struct CommentRecord {
    /// Its id.
    pub id: CommentId,
    /// The post.
    pub post_id: PostId,
    /// The comment it answers (one level deep).
    pub parent_id: Option<CommentId>,
    /// Its author (`None` once they left).
    pub author_id: Option<MemberId>,
    /// Plain text (erased when its author leaves or deletes it).
    pub body: String,
    /// Whether members see it.
    pub moderation: ModerationState,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
    /// Deleted by its author.
    pub deleted_at: Option<DateTime<Utc>>,
}
