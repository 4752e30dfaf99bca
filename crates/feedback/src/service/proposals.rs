//! Proposals to management: the secretariat writes them from themes and
//! submits them, management answers (accepted, partly accepted, declined,
//! with reasons), the secretariat records what came of them on a dated
//! timeline and publishes them to members ("you said, we did").
//!
//! Who reads a proposal ([`readership`]): the secretariat every one,
//! management every submitted one, every other member the published ones
//! whose texts members may see (moderators withheld ones too). Every text
//! of a proposal is written to be published, so each passes the leak
//! guard for alumni when it is saved; one the guard holds stays from
//! members until a moderator releases it, and a proposal whose own text
//! is held is not published.

use std::collections::{HashMap, HashSet};

use alumni_core::audit::{self, AuditEntry};
use alumni_core::moderation::{self, ScreenRequest, Screening, TextAudience};
use alumni_core::pagination::PageRequest;
use alumni_core::{AppError, AppResult, MemberId, NodeId, Role, Viewer};
use chrono::NaiveDate;
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use super::{FeedbackService, bounded, japan_day, refused, secretariat};
use crate::model::{
    PROGRESS_DONE, ProposalId, ProposalRecord, ProposalResponse, ProposalState, ProposalUpdateId,
    ProposalUpdateRecord, ThemeId,
};
use crate::store::proposals::{self as store, AutoFollow, ProposalKey, ProposalQuery, Readership};
use crate::store::themes as themes_store;

/// Longest title, in characters.
const MAX_TITLE: usize = 200;
/// Longest proposal, in characters.
const MAX_BODY: usize = 20_000;
/// Longest reasons of an answer, in characters.
const MAX_REASONS: usize = 5_000;
/// Longest timeline entry, in characters.
const MAX_ENTRY: usize = 5_000;
/// Most themes one proposal is written from.
pub const MAX_THEMES: usize = 20;

/// A proposal's text as the secretariat writes it.
#[derive(Debug, Clone)]
pub struct ProposalInput {
    /// A short title (1–200 characters).
    pub title: String,
    /// The proposal (1–20,000 characters).
    pub body: String,
    /// The themes it is written from (1–20).
    pub themes: Vec<ThemeId>,
    /// Whether the writer confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

/// Management's answer.
#[derive(Debug, Clone)]
pub struct ProposalAnswer {
    /// Accepted, partly accepted or declined.
    pub response: ProposalResponse,
    /// Why (1–5,000 characters; published with the proposal).
    pub reasons: String,
    /// Whether the writer confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

/// An entry of an accepted proposal's timeline.
#[derive(Debug, Clone)]
pub struct ProposalUpdateInput {
    /// The day it happened (not after today).
    pub happened_on: NaiveDate,
    /// What happened (1–5,000 characters).
    pub body: String,
    /// The proposal's progress after it, 0–100; 100 completes it.
    pub progress: i32,
    /// Whether the writer confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

/// How a list of proposals is narrowed.
#[derive(Debug, Clone, Default)]
pub struct ProposalFilter {
    /// Only published (`true`) or unpublished (`false`) ones.
    pub published: Option<bool>,
    /// Only these states.
    pub states: Option<Vec<ProposalState>>,
}

/// The published proposals of an anonymous item's theme, as its receipt
/// shows them, with what their objects show.
#[derive(Debug, Clone, Default)]
pub struct ReceiptProposals {
    /// The proposals, newest first.
    pub proposals: Vec<ProposalRecord>,
    /// Their visible timeline entries, oldest first.
    pub timelines: HashMap<ProposalId, Vec<ProposalUpdateRecord>>,
    /// How many members follow each.
    pub follower_counts: HashMap<ProposalId, i64>,
}

/// The proposals (and timeline entries) `viewer` reads; see the module.
pub(crate) fn readership(viewer: &Viewer) -> AppResult<Readership> {
    let identity = viewer.identity()?;
    Ok(if identity.roles.contains(Role::Secretariat) {
        Readership::EVERYTHING
    } else if identity.roles.contains(Role::Management) {
        Readership::SUBMITTED
    } else {
        Readership {
            visible_only: !moderation::moderates(viewer),
            ..Readership::PUBLISHED
        }
    })
}

/// Whether the viewer reads the themes proposals are written from (the
/// secretariat and analysts).
pub fn reads_themes(viewer: &Viewer) -> bool {
    super::reads_aggregates(viewer).is_ok()
}

/// Whether the viewer works on proposals (the secretariat and
/// management), and so sees how the leak guard and moderators left them.
pub fn works_on_proposals(viewer: &Viewer) -> bool {
    viewer.has_role(Role::Secretariat) || viewer.has_role(Role::Management)
}

fn not_found() -> AppError {
    AppError::NotFound { entity: "Proposal" }
}

/// Refuses a timeline entry for a proposal that takes none.
fn takes_entries(proposal: &ProposalRecord) -> AppResult<()> {
    match (proposal.state, proposal.response) {
        (ProposalState::Draft | ProposalState::Submitted, _) | (_, None) => Err(refused(
            "management has not answered this proposal yet",
            "NOT_ANSWERED",
        )),
        (_, Some(ProposalResponse::Declined)) => Err(refused(
            "management declined this proposal: there is no progress to record",
            "DECLINED",
        )),
        (ProposalState::Done, _) => Err(refused("this proposal is done", "ALREADY_DONE")),
        _ => Ok(()),
    }
}

/// Refuses an answer to a proposal that is not awaiting one.
fn awaits_answer(proposal: &ProposalRecord) -> AppResult<()> {
    if proposal.state == ProposalState::Submitted {
        Ok(())
    } else {
        Err(refused(
            "management has answered this proposal already",
            "ALREADY_ANSWERED",
        ))
    }
}

impl ProposalInput {
    /// The checked title, body and themes (each theme once).
    fn checked(&self) -> AppResult<(String, String, Vec<ThemeId>)> {
        let title = bounded(&self.title, "input.title", 1, MAX_TITLE)?;
        let body = bounded(&self.body, "input.body", 1, MAX_BODY)?;
        let mut themes = self.themes.clone();
        themes.sort();
        themes.dedup();
        if themes.is_empty() || themes.len() > MAX_THEMES {
            return Err(AppError::bad_input(
                "input.themeIds",
                format!("give between 1 and {MAX_THEMES} themes"),
            ));
        }
        Ok((title, body, themes))
    }
}

impl FeedbackService {
    /// Runs the leak guard over texts of a proposal (or of its timeline
    /// entry `subject`), which alumni will read once it is published.
    async fn screen_proposal_text(
        &self,
        author: MemberId,
        subject: (&'static str, Uuid),
        fields: Vec<(&'static str, &str)>,
        confirm_warnings: bool,
    ) -> AppResult<Screening> {
        self.ctx
            .screener
            .screen(
                self.ctx.now(),
                ScreenRequest {
                    author,
                    subject_type: subject.0,
                    subject_id: subject.1,
                    audience: TextAudience::Alumni,
                    fields,
                    confirm_warnings,
                },
            )
            .await
    }

    /// `NOT_FOUND` unless every theme exists.
    async fn themes_exist_in(conn: &mut AsyncPgConnection, themes: &[ThemeId]) -> AppResult<()> {
        if themes_store::by_ids(conn, themes).await?.len() == themes.len() {
            Ok(())
        } else {
            Err(AppError::NotFound {
                entity: "FeedbackTheme",
            })
        }
    }

    /// The proposal, locked, if the viewer reads it; `NOT_FOUND` otherwise.
    async fn lock_readable_in(
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
        id: ProposalId,
    ) -> AppResult<ProposalRecord> {
        let readership = readership(viewer)?;
        store::lock(conn, id)
            .await?
            .filter(|proposal| readership.admits(proposal))
            .ok_or_else(not_found)
    }

    /// The proposal as it stands, if the viewer reads it.
    async fn readable_proposal(
        &self,
        viewer: &Viewer,
        id: ProposalId,
    ) -> AppResult<ProposalRecord> {
        self.proposals_by_ids(viewer, &[id])
            .await?
            .pop()
            .ok_or_else(not_found)
    }

    /// Writes a draft proposal from one or more themes. The secretariat.
    pub async fn create_proposal(
        &self,
        viewer: &Viewer,
        input: ProposalInput,
    ) -> AppResult<ProposalRecord> {
        let actor = secretariat(viewer)?.member_id;
        let (title, body, themes) = input.checked()?;
        let id = ProposalId::new();
        let screening = self
            .screen_proposal_text(
                actor,
                (ProposalId::NODE_TYPE, id.0),
                vec![("input.title", &title), ("input.body", &body)],
                input.confirm_warnings,
            )
            .await?;
        let now = self.ctx.now();
        let proposal = ProposalRecord {
            id,
            title,
            body,
            state: ProposalState::Draft,
            moderation: screening.state,
            created_by: Some(actor),
            created_at: now,
            updated_at: now,
            submitted_at: None,
            published_at: None,
            response: None,
            response_reasons: None,
            responded_by: None,
            responded_at: None,
            progress: None,
            done_at: None,
            answer_announced_at: None,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            Self::themes_exist_in(conn, &themes).await?;
            store::insert(conn, &proposal).await?;
            store::set_themes(conn, id, &themes).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.proposal_created")
                    .by(actor)
                    .on(id)
                    .details(json!({ "themes": themes.len() })),
            )
            .await
        })
        .await?;
        Ok(proposal)
    }

    /// Rewrites a draft's title, text and themes (`CONFLICT` reason
    /// `NOT_A_DRAFT` once submitted). The secretariat.
    pub async fn update_proposal(
        &self,
        viewer: &Viewer,
        id: ProposalId,
        input: ProposalInput,
    ) -> AppResult<ProposalRecord> {
        let actor = secretariat(viewer)?.member_id;
        let (title, body, themes) = input.checked()?;
        let is_draft = |proposal: &ProposalRecord| {
            if proposal.state == ProposalState::Draft {
                Ok(())
            } else {
                Err(refused(
                    "a submitted proposal cannot be rewritten",
                    "NOT_A_DRAFT",
                ))
            }
        };
        is_draft(&self.readable_proposal(viewer, id).await?)?;
        let screening = self
            .screen_proposal_text(
                actor,
                (ProposalId::NODE_TYPE, id.0),
                vec![("input.title", &title), ("input.body", &body)],
                input.confirm_warnings,
            )
            .await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = Self::lock_readable_in(conn, viewer, id).await?;
            is_draft(&current)?;
            Self::themes_exist_in(conn, &themes).await?;
            let moderation = current.moderation.after_edit(screening.state);
            let updated = store::set_text(conn, id, &title, &body, moderation, now).await?;
            store::set_themes(conn, id, &themes).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.proposal_updated")
                    .by(actor)
                    .on(id),
            )
            .await?;
            Ok(updated)
        })
        .await
    }

    /// Submits a draft to management, which may read it from now on
    /// (`CONFLICT` reason `ALREADY_SUBMITTED` when it is no draft). The
    /// secretariat.
    pub async fn submit_proposal(
        &self,
        viewer: &Viewer,
        id: ProposalId,
    ) -> AppResult<ProposalRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = Self::lock_readable_in(conn, viewer, id).await?;
            if current.state != ProposalState::Draft {
                return Err(refused(
                    "this proposal was submitted already",
                    "ALREADY_SUBMITTED",
                ));
            }
            let submitted = store::set_submitted(conn, id, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.proposal_submitted")
                    .by(actor)
                    .on(id),
            )
            .await?;
            Ok(submitted)
        })
        .await
    }

    /// Management's answer to a submitted proposal, with its reasons,
    /// once (`CONFLICT` reason `ALREADY_ANSWERED` after that). Management
    /// only: the secretariat does not answer for it. Followers of a
    /// published proposal are told.
    pub async fn respond_to_proposal(
        &self,
        viewer: &Viewer,
        id: ProposalId,
        answer: ProposalAnswer,
    ) -> AppResult<ProposalRecord> {
        let actor = viewer.require_role(Role::Management)?.member_id;
        let reasons = bounded(&answer.reasons, "input.reasons", 1, MAX_REASONS)?;
        awaits_answer(&self.readable_proposal(viewer, id).await?)?;
        let screening = self
            .screen_proposal_text(
                actor,
                (ProposalId::NODE_TYPE, id.0),
                vec![("input.reasons", &reasons)],
                answer.confirm_warnings,
            )
            .await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = Self::lock_readable_in(conn, viewer, id).await?;
            awaits_answer(&current)?;
            let moderation = current.moderation.after_edit(screening.state);
            let answered =
                store::set_response(conn, id, answer.response, &reasons, actor, moderation, now)
                    .await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.proposal_answered")
                    .by(actor)
                    .on(id)
                    .details(json!({ "response": answer.response.as_str() })),
            )
            .await?;
            self.announce_in(conn, id, now).await?;
            Ok(answered)
        })
        .await
    }

    /// Adds a dated entry to an accepted (or partly accepted) proposal's
    /// timeline and sets its progress; progress 100 completes it. The
    /// secretariat. Followers of a published proposal are told.
    pub async fn add_proposal_update(
        &self,
        viewer: &Viewer,
        id: ProposalId,
        input: ProposalUpdateInput,
    ) -> AppResult<ProposalUpdateRecord> {
        let actor = secretariat(viewer)?.member_id;
        if !(0..=PROGRESS_DONE).contains(&input.progress) {
            return Err(AppError::bad_input(
                "input.progress",
                format!("must be between 0 and {PROGRESS_DONE}"),
            ));
        }
        let body = bounded(&input.body, "input.body", 1, MAX_ENTRY)?;
        if input.happened_on > japan_day(self.ctx.now()) {
            return Err(AppError::bad_input(
                "input.happenedOn",
                "must not be after today",
            ));
        }
        takes_entries(&self.readable_proposal(viewer, id).await?)?;
        let entry_id = ProposalUpdateId::new();
        let screening = self
            .screen_proposal_text(
                actor,
                (ProposalUpdateId::NODE_TYPE, entry_id.0),
                vec![("input.body", &body)],
                input.confirm_warnings,
            )
            .await?;
        let now = self.ctx.now();
        let entry = ProposalUpdateRecord {
            id: entry_id,
            proposal_id: id,
            happened_on: input.happened_on,
            body,
            progress: input.progress,
            moderation: screening.state,
            created_by: Some(actor),
            created_at: now,
            announced_at: None,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = Self::lock_readable_in(conn, viewer, id).await?;
            takes_entries(&current)?;
            store::insert_update(conn, &entry).await?;
            store::set_progress(conn, id, entry.progress, now).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.proposal_progressed")
                    .by(actor)
                    .on(id)
                    .details(json!({ "entry": entry_id.0, "progress": entry.progress })),
            )
            .await?;
            self.announce_in(conn, id, now).await
        })
        .await?;
        Ok(entry)
    }

    /// Publishes a submitted proposal to members, once (`CONFLICT` reasons
    /// `NOT_SUBMITTED`, `ALREADY_PUBLISHED`, and `HELD_FOR_REVIEW` while
    /// the leak guard holds or a moderator hid its text). The named
    /// authors of the feedback in its themes follow it from now on and
    /// are told, with management's answer if it came before. The
    /// secretariat.
    pub async fn publish_proposal(
        &self,
        viewer: &Viewer,
        id: ProposalId,
    ) -> AppResult<ProposalRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = Self::lock_readable_in(conn, viewer, id).await?;
            if current.state == ProposalState::Draft {
                return Err(refused(
                    "submit the proposal to management before publishing it",
                    "NOT_SUBMITTED",
                ));
            }
            if current.is_published() {
                return Err(refused(
                    "this proposal is published already",
                    "ALREADY_PUBLISHED",
                ));
            }
            if !current.moderation.is_public() {
                return Err(refused(
                    "the leak guard holds, or a moderator hid, this proposal's text; it can be published once released",
                    "HELD_FOR_REVIEW",
                ));
            }
            let published = store::set_published(conn, id, now).await?;
            // Whoever follows from now on learns the answer and the
            // timeline so far from the notice of publication.
            if published.response.is_some() {
                store::mark_answer_announced(conn, id, now).await?;
            }
            let entries: Vec<ProposalUpdateId> = store::unannounced_updates(conn, id)
                .await?
                .into_iter()
                .map(|entry| entry.id)
                .collect();
            if !entries.is_empty() {
                store::mark_updates_announced(conn, &entries, now).await?;
            }
            self.auto_follow_in(conn, AutoFollow::Proposal(id), now)
                .await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.proposal_published")
                    .by(actor)
                    .on(id),
            )
            .await?;
            Ok(published)
        })
        .await
    }

    fn proposal_query(&self, viewer: &Viewer, filter: &ProposalFilter) -> AppResult<ProposalQuery> {
        let readership = readership(viewer)?;
        if readership.published_only && filter.published == Some(false) {
            return Err(AppError::forbidden(
                "only the secretariat and management read unpublished proposals",
            ));
        }
        Ok(ProposalQuery {
            readership,
            published: filter.published,
            states: filter.states.clone(),
        })
    }

    /// A page of the proposals the viewer reads, newest first.
    pub async fn proposals(
        &self,
        viewer: &Viewer,
        filter: &ProposalFilter,
        page: &PageRequest<ProposalKey>,
    ) -> AppResult<Vec<ProposalRecord>> {
        let query = self.proposal_query(viewer, filter)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::page(&mut conn, &query, page).await?)
    }

    /// How many proposals [`proposals`](Self::proposals) lists (capped).
    pub async fn count_proposals(
        &self,
        viewer: &Viewer,
        filter: &ProposalFilter,
    ) -> AppResult<i64> {
        let query = self.proposal_query(viewer, filter)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::count(&mut conn, &query).await?)
    }

    /// The proposals among `ids` the viewer reads.
    pub async fn proposals_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[ProposalId],
    ) -> AppResult<Vec<ProposalRecord>> {
        let readership = readership(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|proposal| readership.admits(proposal))
            .collect())
    }

    /// The themes each proposal among `ids` the viewer reads was written
    /// from: for the secretariat and analysts, who read themes.
    pub async fn proposal_themes(
        &self,
        viewer: &Viewer,
        ids: &[ProposalId],
    ) -> AppResult<HashMap<ProposalId, Vec<ThemeId>>> {
        super::reads_aggregates(viewer)?;
        let readership = readership(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let mut themes: HashMap<ProposalId, Vec<ThemeId>> = HashMap::new();
        for (proposal, theme) in store::themes_of(&mut conn, readership, ids).await? {
            themes.entry(proposal).or_default().push(theme);
        }
        Ok(themes)
    }

    /// The timeline entries the viewer reads of each proposal among `ids`,
    /// oldest first.
    pub async fn proposal_timelines(
        &self,
        viewer: &Viewer,
        ids: &[ProposalId],
    ) -> AppResult<HashMap<ProposalId, Vec<ProposalUpdateRecord>>> {
        let readership = readership(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(by_proposal(
            store::timelines(&mut conn, readership, ids).await?,
        ))
    }

    /// The timeline entries among `ids` the viewer reads.
    pub async fn proposal_updates_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[ProposalUpdateId],
    ) -> AppResult<Vec<ProposalUpdateRecord>> {
        let readership = readership(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let entries = store::updates_by_ids(&mut conn, ids).await?;
        let proposals: Vec<ProposalId> = entries.iter().map(|entry| entry.proposal_id).collect();
        let readable: HashSet<ProposalId> = store::by_ids(&mut conn, &proposals)
            .await?
            .into_iter()
            .filter(|proposal| readership.admits(proposal))
            .map(|proposal| proposal.id)
            .collect();
        Ok(entries
            .into_iter()
            .filter(|entry| {
                readable.contains(&entry.proposal_id) && readership.admits_update(entry)
            })
            .collect())
    }

    /// How many members follow each proposal among `ids` the viewer reads.
    pub async fn proposal_follower_counts(
        &self,
        viewer: &Viewer,
        ids: &[ProposalId],
    ) -> AppResult<HashMap<ProposalId, i64>> {
        let readership = readership(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::follower_counts(&mut conn, readership, ids).await?)
    }

    /// Which proposals among `ids` the viewer follows (none when signed
    /// out: a receipt's holder may read proposals without signing in).
    pub async fn proposals_followed(
        &self,
        viewer: &Viewer,
        ids: &[ProposalId],
    ) -> AppResult<HashSet<ProposalId>> {
        let Ok(identity) = viewer.identity() else {
            return Ok(HashSet::new());
        };
        let mut conn = self.ctx.conn().await?;
        Ok(store::followed_by(&mut conn, identity.member_id, ids)
            .await?
            .into_iter()
            .collect())
    }

    /// The proposals the viewer reads written from each of `themes`,
    /// newest first.
    pub async fn proposals_of_themes(
        &self,
        viewer: &Viewer,
        themes: &[ThemeId],
    ) -> AppResult<Vec<(ThemeId, ProposalRecord)>> {
        let readership = readership(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::of_themes(&mut conn, readership, themes).await?)
    }

    /// The published proposals written from an anonymous item's theme, for
    /// the holder of its receipt code, who may not be signed in: what
    /// every member reads of them.
    pub async fn proposals_for_receipt(&self, theme: ThemeId) -> AppResult<ReceiptProposals> {
        let mut conn = self.ctx.conn().await?;
        let proposals: Vec<ProposalRecord> =
            store::of_themes(&mut conn, Readership::PUBLISHED, &[theme])
                .await?
                .into_iter()
                .map(|(_, proposal)| proposal)
                .collect();
        if proposals.is_empty() {
            return Ok(ReceiptProposals::default());
        }
        let ids: Vec<ProposalId> = proposals.iter().map(|proposal| proposal.id).collect();
        let timelines =
            by_proposal(store::timelines(&mut conn, Readership::PUBLISHED, &ids).await?);
        let follower_counts =
            store::follower_counts(&mut conn, Readership::PUBLISHED, &ids).await?;
        Ok(ReceiptProposals {
            proposals,
            timelines,
            follower_counts,
        })
    }
}

/// Timeline entries grouped by their proposal, in the order given.
fn by_proposal(
    entries: Vec<ProposalUpdateRecord>,
) -> HashMap<ProposalId, Vec<ProposalUpdateRecord>> {
    let mut grouped: HashMap<ProposalId, Vec<ProposalUpdateRecord>> = HashMap::new();
    for entry in entries {
        grouped.entry(entry.proposal_id).or_default().push(entry);
    }
    grouped
}
