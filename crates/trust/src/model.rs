//! Rows, ids and stored enums of trust and safety.

use alumni_core::enums::StoredEnum;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::engine;
use crate::schema::trust::{case_notes, cases, reports, rules};

/// Every enum this crate stores, for the gateway's check against the
/// database's allowed values.
pub const STORED_ENUMS: &[StoredEnum] = &[
    alumni_core::moderation::TextAudience::STORED,
    DecisionOutcome::STORED,
    RuleCategory::STORED,
    RuleKind::STORED,
    RuleAction::STORED,
    RuleScope::STORED,
    CaseOrigin::STORED,
    Resolution::STORED,
    ReportReason::STORED,
];

typed_id!(
    /// Identifies a rule of the leak guard or the watched words.
    RuleId,
    "ModerationRule"
);

typed_id!(
    /// Identifies a case in the review queue.
    CaseId,
    "ModerationCase"
);

typed_id!(
    /// Identifies a member's report of a piece of content.
    ReportId,
    "ContentReport"
);

typed_id!(
    /// Identifies a moderator's note on a case.
    CaseNoteId,
    "ModerationNote"
);

alumni_core::text_enum! {
    /// What a rule guards against.
    pub enum RuleCategory stored in "trust.rules.category" {
        /// Company secrets: code names, customers, internal hosts, keys.
        Confidential = "CONFIDENTIAL",
        /// Watched words: inappropriate language.
        Language = "LANGUAGE",
    }
}

alumni_core::text_enum! {
    /// What a rule matches.
    pub enum RuleKind stored in "trust.rules.kind" {
        /// Literal terms, matched after normalisation (full- and half-width,
        /// kana, case and spacing do not matter), inside Japanese text too.
        Term = "TERM",
        /// One regular expression (e.g. internal IP ranges, ticket numbers).
        Pattern = "PATTERN",
        /// A built-in secret detector (see `secretDetectors`).
        Detector = "DETECTOR",
    }
}

alumni_core::text_enum! {
    /// What happens to a text the rule matches.
    pub enum RuleAction stored in "trust.rules.action" {
        /// Refused, with the rule's explanation.
        Block = "BLOCK",
        /// Saved, but shown to no one but its author until a moderator
        /// releases it.
        Hold = "HOLD",
        /// Saved only once the author confirms (`confirmWarnings: true`).
        Warn = "WARN",
    }
}

alumni_core::text_enum! {
    /// Which texts a rule applies to.
    pub enum RuleScope stored in "trust.rules.scope" {
        /// Every text.
        Everywhere = "EVERYWHERE",
        /// Only texts alumni read (employees may name internal systems
        /// among themselves).
        AlumniFacing = "ALUMNI_FACING",
    }
}

alumni_core::text_enum! {
    /// What the leak guard decided about a text a rule matched.
    pub enum DecisionOutcome stored in "trust.decisions.outcome" {
        /// Refused by a `BLOCK` rule; nothing was saved.
        Blocked = "BLOCKED",
        /// Refused until the author confirms the warnings.
        Unconfirmed = "UNCONFIRMED",
        /// Saved after the author confirmed the warnings.
        Confirmed = "CONFIRMED",
        /// Saved, and held for review.
        Held = "HELD",
    }
}

alumni_core::text_enum! {
    /// Why a case is in the queue.
    pub enum CaseOrigin stored in "trust.cases.origin" {
        /// The leak guard held the text.
        Held = "HELD",
        /// Members reported it.
        Reported = "REPORTED",
        /// The author appealed against a resolution.
        Appeal = "APPEAL",
    }
}

alumni_core::text_enum! {
    /// How a case was resolved.
    pub enum Resolution stored in "trust.cases.resolution" {
        /// Nothing wrong: the content is shown (again).
        Dismissed = "DISMISSED",
        /// Held content is fine: it is published.
        Released = "RELEASED",
        /// Hidden from everyone but its author and moderators.
        Hidden = "HIDDEN",
        /// Removed.
        Deleted = "DELETED",
        /// Shown, and the author is warned.
        Warned = "WARNED",
        /// Hidden, and the author's membership suspended (secretariat only).
        Suspended = "SUSPENDED",
    }
}

alumni_core::text_enum! {
    /// Why a member reports content.
    pub enum ReportReason stored in "trust.reports.reason" {
        /// Advertising or repeated unwanted posts.
        Spam = "SPAM",
        /// Attacks on a person.
        Harassment = "HARASSMENT",
        /// Company secrets or personal data.
        Confidential = "CONFIDENTIAL",
        /// Otherwise unfit for the network.
        Inappropriate = "INAPPROPRIATE",
        /// Something else (say what in the details).
        Other = "OTHER",
    }
}

impl From<RuleKind> for engine::RuleKind {
    fn from(kind: RuleKind) -> Self {
        match kind {
            RuleKind::Term => engine::RuleKind::Term,
            RuleKind::Pattern => engine::RuleKind::Pattern,
            RuleKind::Detector => engine::RuleKind::Detector,
        }
    }
}

impl From<RuleAction> for engine::RuleAction {
    fn from(action: RuleAction) -> Self {
        match action {
            RuleAction::Block => engine::RuleAction::Block,
            RuleAction::Hold => engine::RuleAction::Hold,
            RuleAction::Warn => engine::RuleAction::Warn,
        }
    }
}

impl From<engine::RuleAction> for RuleAction {
    fn from(action: engine::RuleAction) -> Self {
        match action {
            engine::RuleAction::Block => RuleAction::Block,
            engine::RuleAction::Hold => RuleAction::Hold,
            engine::RuleAction::Warn => RuleAction::Warn,
        }
    }
}

impl From<RuleScope> for engine::RuleScope {
    fn from(scope: RuleScope) -> Self {
        match scope {
            RuleScope::Everywhere => engine::RuleScope::Everywhere,
            RuleScope::AlumniFacing => engine::RuleScope::AlumniFacing,
        }
    }
}

/// A rule as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rules, check_for_backend(diesel::pg::Pg))]
pub struct RuleRecord {
    /// Its id.
    pub id: RuleId,
    /// A name for the secretariat (e.g. "Project code names").
    pub name: String,
    /// Leak guard or watched words.
    pub category: RuleCategory,
    /// What it matches.
    pub kind: RuleKind,
    /// Terms, or the one pattern, or the one detector's name.
    pub terms: Vec<Option<String>>,
    /// What happens to a matching text.
    pub action: RuleAction,
    /// Which texts it applies to.
    pub scope: RuleScope,
    /// Why, shown to the author of a matching text.
    pub explanation: String,
    /// Whether it is applied.
    pub enabled: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl RuleRecord {
    /// Its terms (the column cannot hold NULLs; diesel reads arrays as
    /// nullable elements).
    pub fn terms(&self) -> Vec<String> {
        self.terms.iter().flatten().cloned().collect()
    }

    /// The rule as the engine compiles it.
    pub fn spec(&self) -> engine::RuleSpec {
        engine::RuleSpec {
            id: self.id.0,
            kind: self.kind.into(),
            terms: self.terms(),
            action: self.action.into(),
            scope: self.scope.into(),
        }
    }

    /// The key of the rule list's order (by name).
    pub fn page_key(&self) -> (String, Uuid) {
        (self.name.clone(), self.id.0)
    }
}

/// A case of the review queue as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases, check_for_backend(diesel::pg::Pg))]
pub struct CaseRecord {
    /// Its id.
    pub id: CaseId,
    /// The node type of the content.
    pub subject_type: String,
    /// The content's id.
    pub subject_id: Uuid,
    /// Who wrote the content.
    pub author_id: Option<MemberId>,
    /// Why it is in the queue.
    pub origin: CaseOrigin,
    /// The case appealed against.
    pub appeal_of: Option<CaseId>,
    /// What the author said in the appeal.
    pub appeal_text: Option<String>,
    /// 0 to 100; higher is more urgent.
    pub priority: i32,
    /// The queue's sort key (100 − priority).
    pub queue_rank: i32,
    /// Who works on it.
    pub assignee_id: Option<MemberId>,
    /// How it was resolved.
    pub resolution: Option<Resolution>,
    /// What the author is told.
    pub resolution_note: Option<String>,
    /// Who resolved it.
    pub resolved_by: Option<MemberId>,
    /// When it entered the queue.
    pub opened_at: DateTime<Utc>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl CaseRecord {
    /// The key of the open queue's order.
    pub fn open_key(&self) -> (i32, Uuid) {
        (self.queue_rank, self.id.0)
    }

    /// The key of the resolved list's order (newest first).
    pub fn resolved_key(&self) -> (DateTime<Utc>, Uuid) {
        (self.resolved_at.unwrap_or(self.opened_at), self.id.0)
    }
}

/// A new case.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = cases)]
pub struct NewCase {
    /// Its id.
    pub id: CaseId,
    /// The node type of the content.
    pub subject_type: String,
    /// The content's id.
    pub subject_id: Uuid,
    /// Who wrote the content.
    pub author_id: Option<MemberId>,
    /// Why it is in the queue.
    pub origin: CaseOrigin,
    /// The case appealed against.
    pub appeal_of: Option<CaseId>,
    /// What the author said in the appeal.
    pub appeal_text: Option<String>,
    /// 0 to 100; higher is more urgent.
    pub priority: i32,
    /// When it entered the queue.
    pub opened_at: DateTime<Utc>,
}

/// A report as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reports, check_for_backend(diesel::pg::Pg))]
pub struct ReportRecord {
    /// Its id.
    pub id: ReportId,
    /// The case it joined.
    pub case_id: CaseId,
    /// The node type of the content.
    pub subject_type: String,
    /// The content's id.
    pub subject_id: Uuid,
    /// Who reported it (`None` once they withdrew).
    pub reporter_id: Option<MemberId>,
    /// Why.
    pub reason: ReportReason,
    /// What the reporter added.
    pub details: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When the case it joined was resolved.
    pub closed_at: Option<DateTime<Utc>>,
}

/// A moderator's note on a case.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_notes, check_for_backend(diesel::pg::Pg))]
pub struct NoteRecord {
    /// Its id.
    pub id: CaseNoteId,
    /// The case.
    pub case_id: CaseId,
    /// Who wrote it.
    pub author_id: Option<MemberId>,
    /// What it says.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}
