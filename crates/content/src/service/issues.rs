//! Newsletter issues: numbered collections of posts with an editor's note,
//! published (with their posts) and mailed to their audience.

use std::collections::HashMap;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::moderation::ScreenRequest;
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, Viewer};
use alumni_notify::{MailContent, Notice};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use serde_json::json;
use uuid::Uuid;

use super::{ContentService, bounded, require_secretariat};
use crate::model::{
    AudienceFields, IssueAudience, IssueId, IssueRecord, IssueState, PostId, PostRecord, PostState,
};
use crate::notices::ISSUE_PUBLISHED;
use crate::store::{issues as store, posts as posts_store};
use crate::visibility::{Reader, admits, sees_post, text_audience};
use alumni_core::markdown;

/// The node type of issues, as the review queue names them.
pub const ISSUE_NODE: &str = "NewsletterIssue";

/// Most posts in one issue.
const MAX_POSTS: usize = 30;

/// An issue as the secretariat puts it together.
#[derive(Debug, Clone)]
pub struct IssueInput {
    /// Its number (第12号); unique.
    pub number: i32,
    /// Its title (2026年12月号).
    pub title: String,
    /// The editor's note, in Markdown.
    pub editor_note: String,
    /// Its posts, in order.
    pub posts: Vec<PostId>,
    /// Who it is for.
    pub audience: AudienceFields,
    /// Whether the author confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

fn sees_issue(viewer: &Viewer, reader: &Reader, issue: &IssueRecord) -> bool {
    reader.is_secretariat()
        || (issue.state == IssueState::Published
            && admits(
                reader.roles,
                reader.company,
                reader.left_year,
                &AudienceFields::from(&issue.audience),
            )
            && alumni_core::moderation::sees(viewer, issue.moderation, issue.created_by))
}

impl ContentService {
    /// Puts a new issue together (a draft). Secretariat only; title and
    /// note pass the leak guard; `CONFLICT` reason `NUMBER_TAKEN`.
    pub async fn create_issue(&self, viewer: &Viewer, input: IssueInput) -> AppResult<IssueRecord> {
        let actor = require_secretariat(viewer)?;
        if input.number <= 0 {
            return Err(AppError::bad_input("input.number", "must be positive"));
        }
        if input.posts.is_empty() || input.posts.len() > MAX_POSTS {
            return Err(AppError::bad_input(
                "input.postIds",
                format!("1 to {MAX_POSTS} posts"),
            ));
        }
        let title = bounded(&input.title, "input.title", 100, true)?;
        let editor_note = bounded(&input.editor_note, "input.editorNote", 10_000, false)?;
        let now = self.ctx.now();
        let id = IssueId::new();
        let screening = self
            .ctx
            .screener
            .screen(
                now,
                ScreenRequest {
                    author: actor,
                    subject_type: ISSUE_NODE,
                    subject_id: id.0,
                    audience: text_audience(&input.audience),
                    fields: vec![("input.title", &title), ("input.editorNote", &editor_note)],
                    confirm_warnings: input.confirm_warnings,
                },
            )
            .await?;
        let issue = IssueRecord {
            id,
            number: input.number,
            title,
            editor_note_html: markdown::to_safe_html(&editor_note),
            editor_note,
            state: IssueState::Draft,
            published_at: None,
            audience: IssueAudience::from(&input.audience),
            moderation: screening.state,
            created_by: Some(actor),
            created_at: now,
            updated_at: now,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let found = posts_store::by_ids(conn, &input.posts).await?;
            if found.len() != input.posts.len() {
                return Err(AppError::bad_input(
                    "input.postIds",
                    "no such post, or a post named twice",
                ));
            }
            if !store::insert(conn, &issue, &input.posts).await? {
                return Err(AppError::Conflict {
                    message: format!("issue number {} is taken", issue.number),
                    reason: Some("NUMBER_TAKEN"),
                });
            }
            self.ctx.screener.record_in(conn, now, &screening).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("content.issue_created").by(actor).on(id),
            )
            .await
        })
        .await?;
        Ok(issue)
    }

    /// Sends an issue: its draft and scheduled posts are published, the
    /// members its audience admits are fixed as its recipients, and each is
    /// notified (in the app, and by mail if they consented to the
    /// newsletter and chose mail for it), with the titles of the posts they
    /// may read. Secretariat only; `CONFLICT` reason `ALREADY_PUBLISHED`.
    pub async fn publish_issue(&self, viewer: &Viewer, id: IssueId) -> AppResult<IssueRecord> {
        let actor = require_secretariat(viewer)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let issue = store::lock(conn, id).await?.ok_or(AppError::NotFound {
                entity: "NewsletterIssue",
            })?;
            if issue.state == IssueState::Published {
                return Err(AppError::Conflict {
                    message: "this issue has been sent".into(),
                    reason: Some("ALREADY_PUBLISHED"),
                });
            }
            let order: Vec<PostId> = store::posts_of(conn, &[id])
                .await?
                .into_iter()
                .map(|(_, post)| post)
                .collect();
            let mut posts = Vec::with_capacity(order.len());
            for post_id in &order {
                let Some(post) = posts_store::lock(conn, *post_id).await? else {
                    continue;
                };
                let post = if matches!(post.state, PostState::Draft | PostState::Scheduled) {
                    posts_store::set_state(
                        conn,
                        post.id,
                        PostState::Published,
                        None,
                        Some(now),
                        now,
                    )
                    .await?
                } else {
                    post
                };
                posts.push(post);
            }
            let audience = AudienceFields::from(&issue.audience);
            let recipients: Vec<(MemberId, alumni_core::RoleSet, Option<Uuid>, Option<i32>)> = self
                .membership
                .audience_attributes_in(conn)
                .await?
                .into_iter()
                .map(|(member, roles, company, year)| {
                    (member, roles, company.map(|company| company.0), year)
                })
                .filter(|(_, roles, company, year)| admits(*roles, *company, *year, &audience))
                .collect();
            let members: Vec<MemberId> = recipients.iter().map(|(member, ..)| *member).collect();
            store::insert_recipients(conn, id, &members).await?;
            let published = store::publish(conn, id, now).await?;
            let notices = recipients
                .iter()
                .map(|(member, roles, company, year)| {
                    let titles: Vec<String> = posts
                        .iter()
                        .filter(|post| {
                            post.moderation.is_public()
                                && admits(*roles, *company, *year, &post.audience)
                        })
                        .map(|post| format!("・{}", post.text.title))
                        .collect();
                    Notice::new(&ISSUE_PUBLISHED, *member, id)
                        .payload(json!({ "issueId": id }))
                        .mail(issue_mail(&published, titles))
                })
                .collect();
            self.notify.notify_in(conn, now, notices).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("content.issue_published")
                    .by(actor)
                    .on(id)
                    .details(json!({ "recipients": members.len(), "posts": posts.len() })),
            )
            .await?;
            Ok(published)
        })
        .await
    }

    /// Back issues the viewer's audience admits, newest first.
    pub async fn issue_archive(
        &self,
        viewer: &Viewer,
        page: &PageRequest<(DateTime<Utc>, Uuid)>,
    ) -> AppResult<Vec<IssueRecord>> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        Ok(store::archive_page(&mut conn, &reader, page).await?)
    }

    /// How many back issues the archive lists.
    pub async fn issue_archive_count(&self, viewer: &Viewer) -> AppResult<ListSize> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        Ok(ListSize::from_capped_count(
            store::archive_count(&mut conn, &reader).await?,
        ))
    }

    /// Issues not yet sent, newest first. Secretariat only.
    pub async fn draft_issues(&self, viewer: &Viewer) -> AppResult<Vec<IssueRecord>> {
        require_secretariat(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::drafts(&mut conn).await?)
    }

    /// Issues among `ids` the viewer may see.
    pub async fn issues_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[IssueId],
    ) -> AppResult<Vec<IssueRecord>> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        Ok(store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|issue| sees_issue(viewer, &reader, issue))
            .collect())
    }

    /// The posts of several issues, in order, as the viewer may see them.
    pub async fn issue_posts(
        &self,
        viewer: &Viewer,
        ids: &[IssueId],
    ) -> AppResult<HashMap<IssueId, Vec<PostRecord>>> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        let pairs = store::posts_of(&mut conn, ids).await?;
        let post_ids: Vec<PostId> = pairs.iter().map(|(_, post)| *post).collect();
        let posts: HashMap<PostId, PostRecord> = posts_store::by_ids(&mut conn, &post_ids)
            .await?
            .into_iter()
            .filter(|post| sees_post(viewer, &reader, post))
            .map(|post| (post.id, post))
            .collect();
        let mut by_issue: HashMap<IssueId, Vec<PostRecord>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for (issue, post) in pairs {
            if let Some(post) = posts.get(&post) {
                by_issue.entry(issue).or_default().push(post.clone());
            }
        }
        Ok(by_issue)
    }

    /// How many members an issue was sent to. Secretariat only.
    pub async fn issue_recipient_count(&self, viewer: &Viewer, id: IssueId) -> AppResult<i64> {
        require_secretariat(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::recipient_count(&mut conn, id).await?)
    }
}

/// The mail of an issue: the editor's note, then the titles the member may
/// read, and a link to the issue.
fn issue_mail(issue: &IssueRecord, titles: Vec<String>) -> MailContent {
    let mut paragraphs = vec![markdown::to_plain_text(&issue.editor_note)];
    if !titles.is_empty() {
        paragraphs.push(format!("今号の記事:\n{}", titles.join("\n")));
    }
    MailContent {
        subject: format!("社内報 第{}号 {}", issue.number, issue.title),
        paragraphs,
        link: Some((
            "社内報を読む".into(),
            format!("/magazine/issues/{}", issue.id.0),
        )),
    }
}
