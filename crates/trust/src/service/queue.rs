//! Reports, the review queue, resolutions and appeals.

use std::collections::HashMap;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, Role, Viewer};
use alumni_notify::{MailContent, Notice, NoticeKind, NotificationChannel};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use super::{TrustService, require_moderator};
use crate::model::{
    CaseId, CaseNoteId, CaseOrigin, CaseRecord, NewCase, NoteRecord, ReportId, ReportReason,
    ReportRecord, Resolution,
};
use crate::store::{cases as store, rules as rules_store};

/// The author of moderated content hears the outcome.
pub const CASE_DECIDED: NoticeKind = NoticeKind {
    name: "trust.case_decided",
    description: "投稿やプロフィールへの通報・保留について事務局が判断したとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// Every kind of notification trust and safety sends.
pub const KINDS: [NoticeKind; 1] = [CASE_DECIDED];

/// Priority of a case opened by a report: confidential information first.
fn report_priority(reason: ReportReason) -> i32 {
    match reason {
        ReportReason::Confidential => 70,
        ReportReason::Harassment => 60,
        _ => 50,
    }
}
/// Priority of content hidden because enough members reported it.
const HIDDEN_BY_REPORTS_PRIORITY: i32 = 90;
/// Priority of an appeal.
const APPEAL_PRIORITY: i32 = 60;
/// Longest note, appeal or report details, in characters.
const MAX_NOTE_CHARS: usize = 2000;
const MAX_DETAILS_CHARS: usize = 1000;

/// A case with its reports and notes.
#[derive(Debug, Clone)]
pub struct CaseView {
    /// The case.
    pub case: CaseRecord,
    /// Its reports, oldest first (reporters only for moderators).
    pub reports: Vec<ReportRecord>,
    /// Moderators' notes, oldest first (empty for the author).
    pub notes: Vec<NoteRecord>,
    /// Whether the author appealed against its resolution.
    pub appealed: bool,
}

fn bounded(value: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(Some(value.to_owned()))
}

impl TrustService {
    /// Reports content the viewer can see (the gateway resolved the global
    /// id as the viewer may see it). The report joins the content's open
    /// case, or opens one; when the case reaches the report threshold the
    /// content is hidden pending review. One open report per member and
    /// content (`CONFLICT` reason `ALREADY_REPORTED`); not one's own
    /// (`CONFLICT` reason `OWN_CONTENT`).
    pub async fn report(
        &self,
        viewer: &Viewer,
        subject: (&str, Uuid),
        reason: ReportReason,
        details: Option<&str>,
    ) -> AppResult<ReportRecord> {
        let reporter = viewer.identity()?.member_id;
        let details = bounded(details, "details", MAX_DETAILS_CHARS)?;
        let target = self.target(subject.0)?.clone();
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let author = target
                .author_in(conn, subject.1)
                .await?
                .ok_or(AppError::NotFound { entity: "Node" })?;
            if author == Some(reporter) {
                return Err(AppError::Conflict {
                    message: "you cannot report what you wrote".into(),
                    reason: Some("OWN_CONTENT"),
                });
            }
            let case = store::open_case(
                conn,
                &NewCase {
                    id: CaseId::new(),
                    subject_type: subject.0.to_owned(),
                    subject_id: subject.1,
                    author_id: author,
                    origin: CaseOrigin::Reported,
                    appeal_of: None,
                    appeal_text: None,
                    priority: report_priority(reason),
                    opened_at: now,
                },
            )
            .await?;
            let report = ReportRecord {
                id: ReportId::new(),
                case_id: case.id,
                subject_type: subject.0.to_owned(),
                subject_id: subject.1,
                reporter_id: Some(reporter),
                reason,
                details,
                created_at: now,
                closed_at: None,
            };
            if !store::insert_report(conn, &report).await? {
                return Err(AppError::Conflict {
                    message: "you have already reported this; moderators will look at it".into(),
                    reason: Some("ALREADY_REPORTED"),
                });
            }
            let (_, threshold) = rules_store::settings(conn).await?;
            let reports = store::open_report_count(conn, case.id).await?;
            if reports >= i64::from(threshold) {
                target
                    .set_state_in(conn, subject.1, ModerationState::Hidden)
                    .await?;
                store::raise_priority(conn, case.id, HIDDEN_BY_REPORTS_PRIORITY).await?;
            }
            Ok(report)
        })
        .await
    }

    /// One page of open cases, most urgent first, then oldest; only the
    /// viewer's own assignments if asked. Moderators and the secretariat.
    pub async fn open_cases(
        &self,
        viewer: &Viewer,
        assigned_to_me: bool,
        page: &PageRequest<(i32, Uuid)>,
    ) -> AppResult<Vec<CaseView>> {
        let me = require_moderator(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let cases = store::open_page(&mut conn, assigned_to_me.then_some(me), page).await?;
        with_details(&mut conn, viewer, cases).await
    }

    /// How many cases are open (assigned to the viewer, if asked).
    pub async fn open_case_count(
        &self,
        viewer: &Viewer,
        assigned_to_me: bool,
    ) -> AppResult<ListSize> {
        let me = require_moderator(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let count = store::open_count(&mut conn, assigned_to_me.then_some(me)).await?;
        Ok(ListSize::from_capped_count(count))
    }

    /// One page of resolved cases, newest first. Moderators and the
    /// secretariat.
    pub async fn resolved_cases(
        &self,
        viewer: &Viewer,
        page: &PageRequest<(DateTime<Utc>, Uuid)>,
    ) -> AppResult<Vec<CaseView>> {
        require_moderator(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let cases = store::resolved_page(&mut conn, page).await?;
        with_details(&mut conn, viewer, cases).await
    }

    /// How many cases are resolved.
    pub async fn resolved_case_count(&self, viewer: &Viewer) -> AppResult<ListSize> {
        require_moderator(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(ListSize::from_capped_count(
            store::resolved_count(&mut conn).await?,
        ))
    }

    /// Cases among `ids` the viewer may see: all for moderators, those
    /// about their own content for authors (without reporters or notes).
    pub async fn cases_by_ids(&self, viewer: &Viewer, ids: &[CaseId]) -> AppResult<Vec<CaseView>> {
        let me = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        let cases = store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|case| moderates(viewer) || case.author_id == Some(me))
            .collect();
        with_details(&mut conn, viewer, cases).await
    }

    /// The cases about the viewer's own content, newest first: what was
    /// held or reported, the outcome, and whether it can be appealed.
    pub async fn my_cases(&self, viewer: &Viewer) -> AppResult<Vec<CaseView>> {
        let me = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        let cases = store::of_author(&mut conn, me).await?;
        with_details(&mut conn, viewer, cases).await
    }

    /// Assigns an open case to a moderator or the secretariat (or to no
    /// one). Moderators and the secretariat.
    pub async fn assign(
        &self,
        viewer: &Viewer,
        id: CaseId,
        assignee: Option<MemberId>,
    ) -> AppResult<CaseView> {
        let actor = require_moderator(viewer)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            open_case(conn, id).await?;
            if let Some(assignee) = assignee {
                let roles = self.membership.active_roles_in(conn, assignee).await?;
                if !roles.is_some_and(|roles| {
                    roles.contains(Role::Moderator) || roles.contains(Role::Secretariat)
                }) {
                    return Err(AppError::bad_input(
                        "assigneeId",
                        "cases are assigned to active moderators or the secretariat",
                    ));
                }
            }
            store::assign(conn, id, assignee).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("trust.case_assigned")
                    .by(actor)
                    .on(id)
                    .details(json!({ "assignee": assignee })),
            )
            .await
        })
        .await?;
        drop(conn);
        self.case_view(viewer, id).await
    }

    /// Adds a note to a case. Moderators and the secretariat.
    pub async fn add_note(&self, viewer: &Viewer, id: CaseId, body: &str) -> AppResult<CaseView> {
        let actor = require_moderator(viewer)?;
        let body = bounded(Some(body), "body", MAX_NOTE_CHARS)?
            .ok_or_else(|| AppError::bad_input("body", "must not be empty"))?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::lock(conn, id).await?.ok_or(AppError::NotFound {
                entity: "ModerationCase",
            })?;
            store::insert_note(
                conn,
                &NoteRecord {
                    id: CaseNoteId::new(),
                    case_id: id,
                    author_id: Some(actor),
                    body,
                    created_at: now,
                },
            )
            .await?;
            Ok::<_, AppError>(())
        })
        .await?;
        drop(conn);
        self.case_view(viewer, id).await
    }

    /// Decides an open case: the content becomes visible (dismissed,
    /// released, warned), hidden or deleted; suspending the author
    /// (secretariat only) also hides it. The author is told the outcome
    /// and `note`. Moderators and the secretariat; audited.
    pub async fn resolve(
        &self,
        viewer: &Viewer,
        id: CaseId,
        resolution: Resolution,
        note: Option<&str>,
    ) -> AppResult<CaseView> {
        let actor = require_moderator(viewer)?;
        if resolution == Resolution::Suspended && !viewer.has_role(Role::Secretariat) {
            return Err(AppError::Forbidden {
                message: "only the secretariat suspends members".into(),
                reason: Some("SECRETARIAT_ONLY"),
            });
        }
        let note = bounded(note, "note", MAX_NOTE_CHARS)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let case = open_case(conn, id).await?;
            let target = self.target(&case.subject_type)?.clone();
            let state = match resolution {
                Resolution::Dismissed | Resolution::Released | Resolution::Warned => {
                    ModerationState::Visible
                }
                Resolution::Hidden | Resolution::Suspended => ModerationState::Hidden,
                Resolution::Deleted => ModerationState::Deleted,
            };
            if target.author_in(conn, case.subject_id).await?.is_some() {
                target.set_state_in(conn, case.subject_id, state).await?;
            }
            if resolution == Resolution::Suspended {
                let author = case.author_id.ok_or_else(|| {
                    AppError::conflict("the content has no author who could be suspended")
                })?;
                if author == actor {
                    return Err(AppError::conflict("you cannot suspend yourself"));
                }
                let reason = format!("suspended by the review queue (case {})", id.0);
                self.membership
                    .suspend_in(conn, now, actor, author, &reason)
                    .await?;
            }
            store::resolve(conn, now, id, resolution, note.as_deref(), actor).await?;
            if let Some(author) = case
                .author_id
                .filter(|_| resolution != Resolution::Suspended)
            {
                self.tell_author(conn, now, author, &case, resolution, note.as_deref())
                    .await?;
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("trust.case_resolved")
                    .by(actor)
                    .on(id)
                    .details(json!({
                        "resolution": resolution.as_str(),
                        "subjectType": case.subject_type,
                        "subjectId": case.subject_id,
                    })),
            )
            .await
        })
        .await?;
        drop(conn);
        self.case_view(viewer, id).await
    }

    async fn tell_author(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        author: MemberId,
        case: &CaseRecord,
        resolution: Resolution,
        note: Option<&str>,
    ) -> AppResult<()> {
        let outcome = match resolution {
            Resolution::Dismissed | Resolution::Released => {
                "公開されています（問題はありませんでした）。"
            }
            Resolution::Warned => "公開されていますが、事務局から注意がありました。",
            Resolution::Hidden => "非公開になりました。",
            Resolution::Deleted => "削除されました。",
            Resolution::Suspended => "非公開になり、アカウントが停止されました。",
        };
        let mut paragraphs = vec![format!("確認の対象となったあなたの内容は{outcome}")];
        if let Some(note) = note {
            paragraphs.push(format!("事務局より: {note}"));
        }
        if !matches!(resolution, Resolution::Dismissed | Resolution::Released)
            && case.origin != CaseOrigin::Appeal
        {
            paragraphs
                .push("この判断に異議がある場合は、一度だけ再審査を申し立てられます。".into());
        }
        self.notify
            .notify_in(
                conn,
                now,
                vec![
                    Notice::new(&CASE_DECIDED, author, case.id)
                        .payload(json!({ "caseId": case.id, "resolution": resolution.as_str() }))
                        .mail(MailContent {
                            subject: "投稿の確認結果のお知らせ".into(),
                            paragraphs,
                            link: Some(("確認結果を見る".into(), "/moderation/my-cases".into())),
                        }),
                ],
            )
            .await
    }

    /// The author appeals once against a resolution that hid, deleted or
    /// warned about their content; the appeal goes back to the queue.
    /// `CONFLICT` reasons: `NOT_APPEALABLE` (open, released or dismissed
    /// cases, and appeals themselves), `ALREADY_APPEALED`, `UNDER_REVIEW`
    /// (the content has another open case).
    pub async fn appeal(&self, viewer: &Viewer, id: CaseId, text: &str) -> AppResult<CaseView> {
        let me = viewer.identity()?.member_id;
        let text = bounded(Some(text), "text", MAX_NOTE_CHARS)?
            .ok_or_else(|| AppError::bad_input("text", "say why the decision should change"))?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let appeal = conn
            .transaction(async |conn| {
                let case = store::lock(conn, id)
                    .await?
                    .filter(|case| case.author_id == Some(me))
                    .ok_or(AppError::NotFound { entity: "ModerationCase" })?;
                let appealable = case.origin != CaseOrigin::Appeal
                    && matches!(
                        case.resolution,
                        Some(
                            Resolution::Hidden
                                | Resolution::Deleted
                                | Resolution::Warned
                                | Resolution::Suspended
                        )
                    );
                if !appealable {
                    return Err(AppError::Conflict {
                        message: "only a decision that hid, deleted or warned about your content can be appealed".into(),
                        reason: Some("NOT_APPEALABLE"),
                    });
                }
                if store::appealed(conn, id).await? {
                    return Err(AppError::Conflict {
                        message: "a decision can be appealed once".into(),
                        reason: Some("ALREADY_APPEALED"),
                    });
                }
                if store::open_case_of(conn, (&case.subject_type, case.subject_id))
                    .await?
                    .is_some()
                {
                    return Err(AppError::Conflict {
                        message: "this content is already being reviewed".into(),
                        reason: Some("UNDER_REVIEW"),
                    });
                }
                let appeal = store::insert_appeal(
                    conn,
                    &NewCase {
                        id: CaseId::new(),
                        subject_type: case.subject_type.clone(),
                        subject_id: case.subject_id,
                        author_id: Some(me),
                        origin: CaseOrigin::Appeal,
                        appeal_of: Some(id),
                        appeal_text: Some(text),
                        priority: APPEAL_PRIORITY,
                        opened_at: now,
                    },
                )
                .await?;
                audit::record(
                    conn,
                    now,
                    AuditEntry::new("trust.case_appealed").by(me).on(appeal.id),
                )
                .await?;
                Ok(appeal.id)
            })
            .await?;
        drop(conn);
        self.case_view(viewer, appeal).await
    }

    async fn case_view(&self, viewer: &Viewer, id: CaseId) -> AppResult<CaseView> {
        self.cases_by_ids(viewer, &[id])
            .await?
            .pop()
            .ok_or(AppError::NotFound {
                entity: "ModerationCase",
            })
    }
}

async fn open_case(conn: &mut AsyncPgConnection, id: CaseId) -> AppResult<CaseRecord> {
    let case = store::lock(conn, id).await?.ok_or(AppError::NotFound {
        entity: "ModerationCase",
    })?;
    if case.resolved_at.is_some() {
        return Err(AppError::Conflict {
            message: "this case is already resolved".into(),
            reason: Some("ALREADY_RESOLVED"),
        });
    }
    Ok(case)
}

/// The cases with their reports, notes and whether each was appealed: at
/// most three statements however many cases.
async fn with_details(
    conn: &mut AsyncPgConnection,
    viewer: &Viewer,
    cases: Vec<CaseRecord>,
) -> AppResult<Vec<CaseView>> {
    let ids: Vec<CaseId> = cases.iter().map(|case| case.id).collect();
    let moderator = moderates(viewer);
    let mut reports: HashMap<CaseId, Vec<ReportRecord>> = HashMap::new();
    let mut notes: HashMap<CaseId, Vec<NoteRecord>> = HashMap::new();
    if !ids.is_empty() {
        for mut report in store::reports_of(conn, &ids).await? {
            if !moderator {
                // Authors learn why, never who.
                report.reporter_id = None;
                report.details = None;
            }
            reports.entry(report.case_id).or_default().push(report);
        }
        if moderator {
            for note in store::notes_of(conn, &ids).await? {
                notes.entry(note.case_id).or_default().push(note);
            }
        }
    }
    let appealed = store::appealed_among(conn, &ids).await?;
    Ok(cases
        .into_iter()
        .map(|case| CaseView {
            reports: reports.remove(&case.id).unwrap_or_default(),
            notes: notes.remove(&case.id).unwrap_or_default(),
            appealed: appealed.contains(&case.id),
            case,
        })
        .collect())
}

impl TrustService {
    /// What the queue holds about a member, for their data export: their
    /// reports, and the cases about what they wrote (without moderators'
    /// notes or who reported them).
    pub async fn export_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<serde_json::Value> {
        let reports = store::reports_by(conn, member).await?;
        let cases = store::of_author(conn, member).await?;
        Ok(json!({
            "reports": reports.iter().map(|report| json!({
                "subjectType": report.subject_type,
                "subjectId": report.subject_id,
                "reason": report.reason.as_str(),
                "details": report.details,
                "createdAt": report.created_at,
                "closedAt": report.closed_at,
            })).collect::<Vec<_>>(),
            "casesAboutMyContent": cases.iter().map(|case| json!({
                "subjectType": case.subject_type,
                "subjectId": case.subject_id,
                "origin": case.origin.as_str(),
                "appeal": case.appeal_text,
                "resolution": case.resolution.map(Resolution::as_str),
                "resolutionNote": case.resolution_note,
                "openedAt": case.opened_at,
                "resolvedAt": case.resolved_at,
            })).collect::<Vec<_>>(),
        }))
    }

    /// Forgets a leaving member, inside the gateway's transaction: their
    /// reports keep counting without naming them, cases and decisions about
    /// their content lose the author.
    pub async fn forget_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<()> {
        Ok(store::forget_member(conn, member).await?)
    }
}
