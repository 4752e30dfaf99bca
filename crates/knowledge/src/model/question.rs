use alumni_core::moderation::ModerationState;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::knowledge::{answers, questions, skill_availability};

typed_id!(
    /// Identifies a question.
    QuestionId,
    "Question"
);

typed_id!(
    /// Identifies an answer.
    AnswerId,
    "Answer"
);

/// A question as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = questions, check_for_backend(diesel::pg::Pg))]
pub struct QuestionRecord {
    /// Its id.
    pub id: QuestionId,
    /// Who asked; `None` once they withdrew.
    pub author_id: Option<MemberId>,
    /// The question in one line.
    pub title: String,
    /// Markdown.
    pub body: String,
    /// The Markdown rendered and sanitised.
    pub body_html: String,
    /// Whether others see it.
    pub moderation: ModerationState,
    /// The answer the asker (or the secretariat) accepted.
    pub accepted_answer_id: Option<AnswerId>,
    /// The question this one repeats, once closed as its duplicate.
    pub duplicate_of_id: Option<QuestionId>,
    /// Visible answers.
    pub answer_count: i32,
    /// Members who marked it helpful.
    pub helpful_count: i32,
    /// When the latest answer came.
    pub last_answer_at: Option<DateTime<Utc>>,
    /// Rounds of routing done.
    pub routing_round: i16,
    /// When it was handed to the secretariat, still unanswered.
    pub escalated_at: Option<DateTime<Utc>>,
    /// Asked.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// An answer as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = answers, check_for_backend(diesel::pg::Pg))]
pub struct AnswerRecord {
    /// Its id.
    pub id: AnswerId,
    /// The question.
    pub question_id: QuestionId,
    /// Who answered; `None` once they withdrew.
    pub author_id: Option<MemberId>,
    /// Markdown.
    pub body: String,
    /// The Markdown rendered and sanitised.
    pub body_html: String,
    /// Whether others see it.
    pub moderation: ModerationState,
    /// Members who marked it helpful.
    pub helpful_count: i32,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last edit.
    pub updated_at: DateTime<Utc>,
}

alumni_core::text_enum! {
    /// Whether a member is open to questions about one of their skills.
    pub enum Availability stored in "knowledge.skill_availability.availability" {
        /// Happy to be asked.
        Open = "OPEN",
        /// Happy to be asked while fewer than their maximum of requests
        /// are open.
        Limited = "LIMITED",
        /// Not to be asked.
        Closed = "CLOSED",
    }
}

/// A member's availability for one skill, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = skill_availability, check_for_backend(diesel::pg::Pg))]
pub struct AvailabilityRecord {
    /// The member.
    pub member_id: MemberId,
    /// The skill's tag.
    pub tag_id: alumni_membership::model::TagId,
    /// Open, limited or closed.
    pub availability: Availability,
    /// For `LIMITED`: the most requests open at once.
    pub max_open_requests: Option<i32>,
    /// When it was set.
    pub updated_at: DateTime<Utc>,
}
