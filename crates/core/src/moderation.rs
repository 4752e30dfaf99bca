//! What every domain needs from trust and safety without depending on it.
//!
//! The trust crate sits above membership (it suspends members) and
//! notify (it tells authors the outcome), yet membership's profiles and
//! every domain's texts pass its leak guard on save, and its review queue
//! changes the state of other domains' content. Both directions meet
//! here: domains call the installed [`TextScreen`] through
//! [`ServiceContext::screener`](crate::ServiceContext), and register a
//! [`ModerationTarget`] per kind of content the queue may release, hide or
//! delete. See "Trust and safety" in `docs/architecture.md`.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::domain::BoxFuture;
use crate::enums::StoredEnum;
use crate::error::{AppError, Finding};
use crate::id::MemberId;
use crate::viewer::{Role, Viewer};

crate::text_enum! {
    /// Whether a piece of content may be shown to others.
    pub enum ModerationState {
        /// Shown to everyone its audience admits.
        Visible = "VISIBLE",
        /// Held by the leak guard until a moderator releases it.
        Held = "HELD",
        /// Hidden by a moderator, or pending review after several reports.
        Hidden = "HIDDEN",
        /// Removed by a moderator; kept only for the author and the queue.
        Deleted = "DELETED",
    }
}

impl ModerationState {
    /// The enum as stored in the `columns` of a domain's tables, for the
    /// domain's list of stored enums.
    pub const fn stored_in(columns: &'static [&'static str]) -> StoredEnum {
        StoredEnum {
            name: "ModerationState",
            columns,
            values: ModerationState::VALUES,
            derived: &[],
        }
    }

    /// Whether anyone but the author and moderators may see the content.
    pub fn is_public(self) -> bool {
        self == ModerationState::Visible
    }

    /// The state of content after its author edits it: a clean edit does
    /// not release held content or bring back hidden content (only a
    /// moderator does), and a held edit holds visible content.
    pub fn after_edit(self, screened: ModerationState) -> ModerationState {
        if self.is_public() { screened } else { self }
    }
}

crate::text_enum! {
    /// Who will read a text: rules about internal matters apply only to
    /// texts that reach alumni.
    pub enum TextAudience stored in "trust.decisions.audience" {
        /// Alumni read it (with or without employees).
        Alumni = "ALUMNI",
        /// Only current employees (and the secretariat) read it.
        EmployeesOnly = "EMPLOYEES_ONLY",
    }
}

/// Whether the viewer works the review queue: moderators and the
/// secretariat, who see held, hidden and deleted content on every path.
pub fn moderates(viewer: &Viewer) -> bool {
    viewer.has_role(Role::Moderator) || viewer.has_role(Role::Secretariat)
}

/// Whether the viewer may see content in `state` written by `author`: when
/// it is visible, or to its author and moderators.
pub fn sees(viewer: &Viewer, state: ModerationState, author: Option<MemberId>) -> bool {
    state.is_public() || moderates(viewer) || author.is_some_and(|author| viewer.is_member(author))
}

/// A text about to be saved, for the leak guard.
#[derive(Debug, Clone)]
pub struct ScreenRequest<'a> {
    /// Who writes it.
    pub author: MemberId,
    /// The node type of the content (`"Member"` for a profile, `"Event"`).
    pub subject_type: &'static str,
    /// The content's id (known before the first save: ids are UUID v7
    /// drawn by the service).
    pub subject_id: Uuid,
    /// Who will read it.
    pub audience: TextAudience,
    /// The texts to check, each under the input field it came from
    /// (e.g. `("input.bio", bio)`).
    pub fields: Vec<(&'static str, &'a str)>,
    /// Whether the author confirmed the warnings shown for this text.
    pub confirm_warnings: bool,
}

/// One rule that matched one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenMatch {
    /// The field the rule matched in.
    pub field: &'static str,
    /// The rule.
    pub rule: Uuid,
    /// `BLOCK`, `HOLD` or `WARN`.
    pub action: &'static str,
}

/// The leak guard's answer for a text that may be saved.
#[derive(Debug, Clone)]
pub struct Screening {
    /// The node type of the content.
    pub subject_type: &'static str,
    /// The content's id.
    pub subject_id: Uuid,
    /// Who writes it.
    pub author: MemberId,
    /// Who will read it.
    pub audience: TextAudience,
    /// `Held` when a rule holds it for review, else `Visible`.
    pub state: ModerationState,
    /// Every rule that matched (holds, and warnings the author confirmed).
    pub matches: Vec<ScreenMatch>,
}

/// The leak guard as domains see it (implemented by the trust crate).
pub trait TextScreen: Send + Sync + 'static {
    /// Checks a text before it is saved, on a connection of its own (call
    /// it before opening the transaction that saves). A rule that blocks,
    /// or a warning not confirmed, is an [`AppError::Screened`], recorded
    /// with the rules that matched; otherwise the answer says whether the
    /// text is held.
    fn screen<'a>(
        &'a self,
        now: DateTime<Utc>,
        request: ScreenRequest<'a>,
    ) -> BoxFuture<'a, Result<Screening, AppError>>;

    /// Records the decision in the transaction that saves the text: which
    /// rules matched, confirmed warnings, and a case in the review queue
    /// for held text. Does nothing when no rule matched.
    fn record_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        now: DateTime<Utc>,
        screening: &'a Screening,
    ) -> BoxFuture<'a, Result<(), AppError>>;
}

/// The installed leak guard, shared by every service. The gateway installs
/// it once the trust service is built (it depends on the services that
/// call it); until then every screening fails closed.
#[derive(Clone, Default)]
pub struct Screener(Arc<OnceLock<Arc<dyn TextScreen>>>);

impl Screener {
    /// Installs the leak guard; a second call is ignored.
    pub fn install(&self, screen: Arc<dyn TextScreen>) {
        let _ = self.0.set(screen);
    }

    fn installed(&self) -> Result<&Arc<dyn TextScreen>, AppError> {
        self.0
            .get()
            .ok_or_else(|| AppError::internal("no leak guard is installed"))
    }

    /// See [`TextScreen::screen`].
    pub async fn screen(
        &self,
        now: DateTime<Utc>,
        request: ScreenRequest<'_>,
    ) -> Result<Screening, AppError> {
        self.installed()?.screen(now, request).await
    }

    /// See [`TextScreen::record_in`].
    pub async fn record_in(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        screening: &Screening,
    ) -> Result<(), AppError> {
        self.installed()?.record_in(conn, now, screening).await
    }
}

/// A kind of content the review queue acts on, registered by the domain
/// that owns it, so trust needs no knowledge of other domains' types.
pub trait ModerationTarget: Send + Sync + 'static {
    /// Its node type (the prefix of its global ids).
    fn node_type(&self) -> &'static str;

    /// The author of one piece of content: `None` when there is no such
    /// content, `Some(None)` when it has no author (any more).
    fn author_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
    ) -> BoxFuture<'a, Result<Option<Option<MemberId>>, AppError>>;

    /// Sets the content's state, in the queue's transaction.
    fn set_state_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        state: ModerationState,
    ) -> BoxFuture<'a, Result<(), AppError>>;
}

/// Findings of a refused text, for [`AppError::Screened`].
pub fn refusal(blocked: bool, findings: Vec<Finding>) -> AppError {
    let message = if blocked {
        "this text cannot be published: it contains something that must not be shared here"
    } else {
        "this text needs your confirmation: check the warnings and save again with confirmWarnings"
    };
    AppError::Screened {
        message: message.to_owned(),
        blocked,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SessionId;
    use crate::viewer::{Identity, RoleSet, Standing};

    fn member(roles: RoleSet) -> (Viewer, MemberId) {
        let member_id = MemberId::new();
        let identity = Identity {
            member_id,
            session_id: SessionId::new(),
            session_expires_at: Utc::now() + chrono::Duration::hours(1),
            roles,
            standing: Standing::Member,
            terms_accepted: true,
        };
        (Viewer::Member(identity), member_id)
    }

    #[test]
    fn held_content_is_seen_by_its_author_and_moderators_only() {
        let (author, author_id) = member(RoleSet::default().with(Role::Alumnus));
        let (other, _) = member(RoleSet::default().with(Role::Alumnus));
        let (moderator, _) = member(RoleSet::default().with(Role::Moderator));
        let (secretariat, _) = member(RoleSet::default().with(Role::Secretariat));
        for state in [
            ModerationState::Held,
            ModerationState::Hidden,
            ModerationState::Deleted,
        ] {
            assert!(sees(&author, state, Some(author_id)));
            assert!(!sees(&other, state, Some(author_id)));
            assert!(!sees(&Viewer::Anonymous, state, Some(author_id)));
            assert!(sees(&moderator, state, Some(author_id)));
            assert!(sees(&secretariat, state, Some(author_id)));
        }
        assert!(sees(&other, ModerationState::Visible, Some(author_id)));
    }
}
