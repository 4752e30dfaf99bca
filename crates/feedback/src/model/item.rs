use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::schema::feedback::{categories, items, replies};

typed_id!(
    /// Identifies a feedback item. Drawn at random (UUID v4), never from
    /// the clock, so ids do not reveal the order of submission.
    FeedbackItemId,
    "FeedbackItem"
);

typed_id!(
    /// Identifies a category of feedback.
    FeedbackCategoryId,
    "FeedbackCategory"
);

typed_id!(
    /// Identifies the secretariat's reply to a feedback item.
    FeedbackReplyId,
    "FeedbackReply"
);

impl FeedbackItemId {
    /// A fresh random id.
    pub fn random() -> Result<Self, alumni_core::AppError> {
        alumni_core::secrets::random_uuid().map(Self)
    }
}

alumni_core::text_enum! {
    /// Where the secretariat's triage left an item.
    pub enum Triage stored in "feedback.items.triage" {
        /// Not looked at yet.
        New = "NEW",
        /// Grouped into a theme.
        Themed = "THEMED",
        /// Says what another item already says.
        Duplicate = "DUPLICATE",
        /// Read; needs no action.
        NoAction = "NO_ACTION",
    }
}

/// A category of feedback (the categories are data).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories, check_for_backend(diesel::pg::Pg))]
pub struct CategoryRecord {
    /// Its id.
    pub id: FeedbackCategoryId,
    /// Stable key, e.g. `why_i_left`.
    pub slug: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Position in lists.
    pub position: i32,
    /// Retired categories take no new items.
    pub retired: bool,
}

/// A feedback item as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = items, check_for_backend(diesel::pg::Pg))]
pub struct ItemRecord {
    /// Its id (random).
    pub id: FeedbackItemId,
    /// Its category.
    pub category_id: FeedbackCategoryId,
    /// Whether it was sent anonymously.
    pub anonymous: bool,
    /// The named author; `None` when anonymous or after they withdrew.
    pub author_id: Option<MemberId>,
    /// What they wrote.
    pub body: String,
    /// The predecessor company the author chose to attach.
    pub company_id: Option<alumni_membership::model::CompanyId>,
    /// The leave-year band the author chose to attach.
    pub left_year_band: Option<i32>,
    /// The day it arrived (Japan time).
    pub submitted_on: NaiveDate,
    /// The receipt code's hash (anonymous items only).
    pub receipt_hash: Option<Vec<u8>>,
    /// The secretariat's triage.
    pub triage: Triage,
    /// The theme it was grouped into.
    pub theme_id: Option<crate::model::ThemeId>,
    /// The item it duplicates.
    pub duplicate_of_id: Option<FeedbackItemId>,
}

impl ItemRecord {
    /// The cohort attributes attached to it.
    pub fn cohort(&self) -> crate::model::Cohort {
        crate::model::Cohort {
            company: self.company_id,
            left_year_band: self.left_year_band,
        }
    }
}

/// The secretariat's reply to an item.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = replies, check_for_backend(diesel::pg::Pg))]
pub struct ReplyRecord {
    /// Its id.
    pub id: FeedbackReplyId,
    /// The item answered.
    pub item_id: FeedbackItemId,
    /// Who in the secretariat wrote it (`None` after they left).
    pub author_id: Option<MemberId>,
    /// The reply.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}
