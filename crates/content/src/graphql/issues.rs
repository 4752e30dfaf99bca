//! Newsletter issues in GraphQL: the archive, putting an issue together
//! and sending it.

use alumni_core::graphql::{data, load_one, viewer};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, NodeId};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::loaders::{IssueLoader, IssuePostsLoader};
use super::{AudienceInput, Post, PostAudienceView};
use crate::model::{AudienceFields, IssueId, IssueRecord, IssueState, PostId};
use crate::service::{ContentService, IssueInput};

/// A numbered issue of the magazine.
pub struct NewsletterIssue(pub IssueRecord);

/// A numbered issue of the magazine (第12号, 2026年12月号): posts in order
/// with the editor's note.
#[Object]
impl NewsletterIssue {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// Its number.
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The editor's note, in Markdown.
    async fn editor_note(&self) -> &str {
        &self.0.editor_note
    }
    /// The note rendered and sanitised.
    async fn editor_note_html(&self) -> &str {
        &self.0.editor_note_html
    }
    /// Draft or published.
    async fn state(&self) -> IssueState {
        self.0.state
    }
    /// When it was sent.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// Who it is for.
    async fn audience(&self) -> PostAudienceView {
        PostAudienceView(AudienceFields::from(&self.0.audience))
    }
    /// Its posts in order, those the viewer may read.
    async fn posts(&self, ctx: &Context<'_>) -> Result<Vec<Post>> {
        let posts = load_one::<IssuePostsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(posts.into_iter().map(Post).collect())
    }
    /// How it is read: members who read at least one of its posts against
    /// its audience, by cohort with small groups withheld. Secretariat only.
    async fn stats(&self, ctx: &Context<'_>) -> Result<super::PostStatsView> {
        let service = data::<ContentService>(ctx)?;
        Ok(super::PostStatsView(
            service.issue_stats(viewer(ctx)?, self.0.id).await?,
        ))
    }

    /// How many members it was sent to (fixed when sent). Secretariat only.
    async fn recipient_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let service = data::<ContentService>(ctx)?;
        Ok(service
            .issue_recipient_count(viewer(ctx)?, self.0.id)
            .await?)
    }
}

/// Loads one issue as the viewer may see it (for `node(id:)`).
pub async fn load_issue(ctx: &Context<'_>, id: IssueId) -> Result<NewsletterIssue, AppError> {
    load_one::<IssueLoader, _>(ctx, id)
        .await?
        .map(NewsletterIssue)
        .ok_or(AppError::NotFound {
            entity: "NewsletterIssue",
        })
}

/// An issue as the secretariat puts it together.
#[derive(InputObject)]
pub struct NewsletterIssueInput {
    /// Its number (第12号); unique.
    pub number: i32,
    /// Its title, e.g. 2026年12月号 (at most 100 characters).
    pub title: String,
    /// The editor's note in Markdown (at most 10,000 characters).
    #[graphql(default)]
    pub editor_note: String,
    /// Its posts, in order (1 to 30).
    pub post_ids: Vec<ID>,
    /// Who it is for.
    pub audience: AudienceInput,
}

/// The archive of back issues.
#[derive(Default)]
pub struct IssueQuery;

/// The archive of back issues.
#[Object]
impl IssueQuery {
    /// Back issues the viewer's audience admits, newest first. Any member.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn newsletter_issues(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<NewsletterIssue>> {
        let viewer = viewer(ctx)?.clone();
        let service = data::<ContentService>(ctx)?.clone();
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.issue_archive(&viewer, &page).await?;
        let total_count =
            TotalCount::lazy(async move { service.issue_archive_count(&viewer).await });
        Ok(page.into_connection(
            rows,
            |issue: &IssueRecord| (issue.published_at.unwrap_or(issue.created_at), issue.id.0),
            NewsletterIssue,
            total_count,
        ))
    }

    /// Issues not yet sent, newest first. Secretariat only.
    async fn draft_newsletter_issues(&self, ctx: &Context<'_>) -> Result<Vec<NewsletterIssue>> {
        let service = data::<ContentService>(ctx)?;
        Ok(service
            .draft_issues(viewer(ctx)?)
            .await?
            .into_iter()
            .map(NewsletterIssue)
            .collect())
    }
}

/// Putting issues together and sending them.
#[derive(Default)]
pub struct IssueMutation;

/// Putting issues together and sending them.
#[Object]
impl IssueMutation {
    /// Puts a new issue together (a draft). Secretariat only; title and
    /// note pass the leak guard; `CONFLICT` reason `NUMBER_TAKEN`.
    async fn create_newsletter_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] input: NewsletterIssueInput,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<NewsletterIssue> {
        let posts = input
            .post_ids
            .iter()
            .map(|id| PostId::from_global(id, "input.postIds"))
            .collect::<Result<Vec<_>, _>>()?;
        let issue = IssueInput {
            number: input.number,
            title: input.title,
            editor_note: input.editor_note,
            posts,
            audience: input.audience.into_fields()?,
            confirm_warnings,
        };
        let service = data::<ContentService>(ctx)?;
        Ok(NewsletterIssue(
            service.create_issue(viewer(ctx)?, issue).await?,
        ))
    }

    /// Sends an issue: its posts are published, its recipients fixed, and
    /// every member of its audience notified (by mail if they consented to
    /// the newsletter and chose mail). Secretariat only; `CONFLICT` reason
    /// `ALREADY_PUBLISHED`.
    async fn publish_newsletter_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the issue.")] id: ID,
    ) -> Result<NewsletterIssue> {
        let id = IssueId::from_global(&id, "id")?;
        let service = data::<ContentService>(ctx)?;
        Ok(NewsletterIssue(
            service.publish_issue(viewer(ctx)?, id).await?,
        ))
    }
}
