//! The review queue in GraphQL. Its cases point at content of any domain
//! (`subject: Node`), so the object is stitched here, where every node type
//! is known; trust and safety itself needs no knowledge of them.

use std::collections::HashMap;

use alumni_core::graphql::{data, viewer};
use alumni_core::id::GlobalId;
use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, MemberId, NodeId};
use alumni_membership::Member;
use alumni_membership::graphql::prefetch_members;
use alumni_trust::TrustService;
use alumni_trust::graphql::{ContentReport, ModerationNote, member_or_none};
use alumni_trust::model::{CaseId, CaseOrigin, CaseRecord, ReportReason, Resolution};
use alumni_trust::service::CaseView;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::api::resolve_node;
use crate::domains::{NODE_TYPES, Node};

/// A piece of content under review: held by the leak guard, reported by
/// members, or appealed by its author.
pub struct ModerationCase(pub CaseView);

impl ModerationCase {
    fn case(&self) -> &CaseRecord {
        &self.0.case
    }
}

/// A piece of content under review (moderators and the secretariat; its
/// author sees the outcome, never who reported it).
#[Object]
impl ModerationCase {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.case().id.to_global()
    }

    /// The content, as the viewer may see it (moderators see held and
    /// hidden content; `null` once it is gone).
    async fn subject(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        let global = GlobalId {
            node_type: self.case().subject_type.clone(),
            uuid: self.case().subject_id,
        };
        match resolve_node(ctx, global).await {
            Ok(node) => Ok(Some(node)),
            Err(AppError::NotFound { .. } | AppError::Forbidden { .. }) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }

    /// The global id of the content, even when it can no longer be shown.
    async fn subject_id(&self) -> ID {
        GlobalId {
            node_type: self.case().subject_type.clone(),
            uuid: self.case().subject_id,
        }
        .encode()
    }

    /// Why it is in the queue.
    async fn origin(&self) -> CaseOrigin {
        self.case().origin
    }

    /// 0 to 100; the queue lists the most urgent first.
    async fn priority(&self) -> i32 {
        self.case().priority
    }

    /// The author of the content (`null` once they left, or when the viewer
    /// may not see them).
    async fn author(&self, ctx: &Context<'_>) -> Option<Member> {
        member_or_none(ctx, self.case().author_id).await
    }

    /// Who works on it (moderators).
    async fn assignee(&self, ctx: &Context<'_>) -> Option<Member> {
        member_or_none(ctx, self.case().assignee_id).await
    }

    /// Members' reports, oldest first (reporters for moderators only).
    async fn reports(&self) -> Vec<ContentReport> {
        self.0.reports.iter().cloned().map(ContentReport).collect()
    }

    /// Moderators' notes, oldest first (empty for the author).
    async fn notes(&self) -> Vec<ModerationNote> {
        self.0.notes.iter().cloned().map(ModerationNote).collect()
    }

    /// What the author said in their appeal.
    async fn appeal_text(&self) -> Option<&str> {
        self.case().appeal_text.as_deref()
    }

    /// The decision appealed against.
    async fn appeal_of(&self) -> Option<ID> {
        self.case().appeal_of.map(|id| id.to_global())
    }

    /// Whether the author appealed against this case's resolution.
    async fn appealed(&self) -> bool {
        self.0.appealed
    }

    /// Whether the author may still appeal (once, against a decision that
    /// hid, deleted or warned about their content).
    async fn appealable(&self) -> bool {
        self.case().origin != CaseOrigin::Appeal
            && !self.0.appealed
            && matches!(
                self.case().resolution,
                Some(
                    Resolution::Hidden
                        | Resolution::Deleted
                        | Resolution::Warned
                        | Resolution::Suspended
                )
            )
    }

    /// How it was decided; `null` while open.
    async fn resolution(&self) -> Option<Resolution> {
        self.case().resolution
    }

    /// What the author was told with the decision.
    async fn resolution_note(&self) -> Option<&str> {
        self.case().resolution_note.as_deref()
    }

    /// Who decided (moderators).
    async fn resolved_by(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        if !alumni_core::moderation::moderates(viewer(ctx)?) {
            return Ok(None);
        }
        Ok(member_or_none(ctx, self.case().resolved_by).await)
    }

    /// When it entered the queue.
    async fn opened_at(&self) -> DateTime<Utc> {
        self.case().opened_at
    }

    /// When it was decided.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.case().resolved_at
    }

    /// The state the decision left the content in; `null` while open.
    async fn outcome(&self) -> Option<ModerationState> {
        self.case().resolution.map(|resolution| match resolution {
            Resolution::Dismissed | Resolution::Released | Resolution::Warned => {
                ModerationState::Visible
            }
            Resolution::Hidden | Resolution::Suspended => ModerationState::Hidden,
            Resolution::Deleted => ModerationState::Deleted,
        })
    }
}

/// Loads one case as the viewer may see it (for `node(id:)`): moderators
/// see every case, authors those about their content.
pub async fn load_case(ctx: &Context<'_>, id: CaseId) -> Result<ModerationCase, AppError> {
    let service = data::<TrustService>(ctx)?;
    service
        .cases_by_ids(viewer(ctx)?, &[id])
        .await?
        .pop()
        .map(ModerationCase)
        .ok_or(AppError::NotFound {
            entity: "ModerationCase",
        })
}

/// Loads, in one batch per kind, the subjects and people a page of cases
/// shows, so a page costs the same whatever its size (batching by timing
/// alone would split the look-ups of nested fields over several rounds).
async fn prefetch(ctx: &Context<'_>, views: &[CaseView]) -> Result<(), AppError> {
    let mut subjects: HashMap<&str, Vec<Uuid>> = HashMap::new();
    let mut people: Vec<MemberId> = Vec::new();
    for view in views {
        let case = &view.case;
        subjects
            .entry(case.subject_type.as_str())
            .or_default()
            .push(case.subject_id);
        people.extend(case.author_id);
        people.extend(case.assignee_id);
        people.extend(view.reports.iter().filter_map(|report| report.reporter_id));
        people.extend(view.notes.iter().filter_map(|note| note.author_id));
    }
    if let Some(members) = subjects.remove(MemberId::NODE_TYPE) {
        people.extend(members.into_iter().map(MemberId));
    }
    prefetch_members(ctx, people).await?;
    for node_type in NODE_TYPES {
        if let (Some(prefetch), Some(ids)) = (node_type.prefetch, subjects.remove(node_type.name)) {
            prefetch(ctx, ids).await?;
        }
    }
    Ok(())
}

/// The review queue.
#[derive(Default)]
pub struct ModerationQuery;

/// The review queue.
#[Object]
impl ModerationQuery {
    /// Open cases, most urgent first, then oldest: content the leak guard
    /// held, content members reported, and appeals. Moderators and the
    /// secretariat.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn moderation_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only cases assigned to the viewer.", default = false)]
        assigned_to_me: bool,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<ModerationCase>> {
        let viewer = viewer(ctx)?.clone();
        let service = data::<TrustService>(ctx)?.clone();
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.open_cases(&viewer, assigned_to_me, &page).await?;
        prefetch(ctx, &rows).await?;
        let total_count =
            TotalCount::lazy(async move { service.open_case_count(&viewer, assigned_to_me).await });
        Ok(page.into_connection(
            rows,
            |view: &CaseView| view.case.open_key(),
            ModerationCase,
            total_count,
        ))
    }

    /// Decided cases, newest first. Moderators and the secretariat.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn resolved_moderation_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<ModerationCase>> {
        let viewer = viewer(ctx)?.clone();
        let service = data::<TrustService>(ctx)?.clone();
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.resolved_cases(&viewer, &page).await?;
        prefetch(ctx, &rows).await?;
        let total_count =
            TotalCount::lazy(async move { service.resolved_case_count(&viewer).await });
        Ok(page.into_connection(
            rows,
            |view: &CaseView| view.case.resolved_key(),
            ModerationCase,
            total_count,
        ))
    }

    /// Cases about what the viewer wrote, newest first (at most 100): what
    /// was held or reported, the decision, and whether it can be appealed.
    async fn my_moderation_cases(&self, ctx: &Context<'_>) -> Result<Vec<ModerationCase>> {
        let service = data::<TrustService>(ctx)?;
        Ok(service
            .my_cases(viewer(ctx)?)
            .await?
            .into_iter()
            .map(ModerationCase)
            .collect())
    }
}

/// Reporting content, and working the queue.
#[derive(Default)]
pub struct ModerationMutation;

fn case_id(id: &ID) -> Result<CaseId, AppError> {
    CaseId::from_global(id, "id")
}

/// Reporting content, and working the queue.
#[Object]
impl ModerationMutation {
    /// Reports content the viewer can see (a member's profile, an event, a
    /// material…) to the moderators. Any member; once per content while the
    /// report is open (`CONFLICT` reason `ALREADY_REPORTED`), not one's own
    /// (`OWN_CONTENT`). When enough members report it (see
    /// `reportThreshold`), the content is hidden pending review.
    async fn report_content(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the content.")] subject_id: ID,
        #[graphql(desc = "Why.")] reason: ReportReason,
        #[graphql(desc = "What the moderators should know (at most 1,000 characters).")]
        details: Option<String>,
    ) -> Result<ContentReport> {
        let viewer = viewer(ctx)?;
        viewer.identity()?;
        let global = GlobalId::decode(&subject_id, "subjectId")?;
        let service = data::<TrustService>(ctx)?;
        if !service
            .moderated_types()
            .any(|node_type| node_type == global.node_type)
        {
            return Err(
                AppError::bad_input("subjectId", "this kind of object cannot be reported").into(),
            );
        }
        // Only what the viewer can see can be reported: an id guessed for
        // hidden content tells nothing.
        resolve_node(ctx, global.clone())
            .await
            .map_err(|_| AppError::NotFound { entity: "Node" })?;
        let report = service
            .report(
                viewer,
                (&global.node_type, global.uuid),
                reason,
                details.as_deref(),
            )
            .await?;
        Ok(ContentReport(report))
    }

    /// Assigns an open case to a moderator or the secretariat, or to no
    /// one. Moderators and the secretariat.
    async fn assign_moderation_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the case.")] id: ID,
        #[graphql(desc = "Global id of the member to assign; `null` to unassign.")]
        assignee_id: Option<ID>,
    ) -> Result<ModerationCase> {
        let assignee = assignee_id
            .map(|id| MemberId::from_global(&id, "assigneeId"))
            .transpose()?;
        let service = data::<TrustService>(ctx)?;
        Ok(ModerationCase(
            service
                .assign(viewer(ctx)?, case_id(&id)?, assignee)
                .await?,
        ))
    }

    /// Adds a note to a case (never shown to the author). Moderators and
    /// the secretariat.
    async fn add_moderation_note(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the case.")] id: ID,
        #[graphql(desc = "The note (at most 2,000 characters).")] body: String,
    ) -> Result<ModerationCase> {
        let service = data::<TrustService>(ctx)?;
        Ok(ModerationCase(
            service.add_note(viewer(ctx)?, case_id(&id)?, &body).await?,
        ))
    }

    /// Decides an open case: `DISMISSED`, `RELEASED` and `WARNED` show the
    /// content, `HIDDEN` and `DELETED` withdraw it, `SUSPENDED` hides it and
    /// suspends its author (secretariat only). The author is told, with
    /// `note`. Moderators and the secretariat; audited.
    async fn resolve_moderation_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the case.")] id: ID,
        #[graphql(desc = "The decision.")] resolution: Resolution,
        #[graphql(desc = "What the author is told (at most 2,000 characters).")] note: Option<
            String,
        >,
    ) -> Result<ModerationCase> {
        let service = data::<TrustService>(ctx)?;
        Ok(ModerationCase(
            service
                .resolve(viewer(ctx)?, case_id(&id)?, resolution, note.as_deref())
                .await?,
        ))
    }

    /// Appeals once against a decision that hid, deleted or warned about
    /// the viewer's content; the appeal goes back to the queue. The
    /// content's author only.
    async fn appeal_moderation_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the decided case.")] id: ID,
        #[graphql(desc = "Why the decision should change (at most 2,000 characters).")]
        text: String,
    ) -> Result<ModerationCase> {
        let service = data::<TrustService>(ctx)?;
        Ok(ModerationCase(
            service.appeal(viewer(ctx)?, case_id(&id)?, &text).await?,
        ))
    }
}
