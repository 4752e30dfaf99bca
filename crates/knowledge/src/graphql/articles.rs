//! Members' articles in GraphQL: the list, one's own, writing, publishing,
//! helpful marks and comments.

mod loaders;

use alumni_core::graphql::{data, load_now, load_one, selects_in_items, viewer};
use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, MemberId, NodeId, search};
use alumni_membership::Member;
use alumni_membership::graphql::{Tag, find_member, prefetch_members};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use loaders::attach_loaders;
use loaders::{
    ArticleCommentCountLoader, ArticleCommentLoader, ArticleCommentsLoader, ArticleLoader,
    ArticleRevisionsLoader, ArticleTagsLoader,
};

use super::helpful::MarkedHelpfulLoader;
use crate::KnowledgeService;
use crate::model::{
    ArticleCommentId, ArticleCommentRecord, ArticleId, ArticleRecord, ArticleRevisionRecord,
    ArticleState, KnowledgeAudience,
};
use crate::service::{ArticleFilter, ArticleInput};

fn service<'a>(ctx: &Context<'a>) -> Result<&'a KnowledgeService, AppError> {
    data::<KnowledgeService>(ctx)
}

/// A member's article.
pub struct Article(pub ArticleRecord);

impl Article {
    fn is_own(&self, ctx: &Context<'_>) -> Result<bool, AppError> {
        Ok(viewer(ctx)?.is_member(self.0.author_id))
    }
}

/// An article a member wrote for the community: a draft only they see, or
/// published to its audience.
#[Object]
impl Article {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The body as written, in Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The body rendered to HTML and sanitised on the server (no script,
    /// style or event attribute): safe to insert into a page.
    async fn body_html(&self) -> &str {
        &self.0.body_html
    }
    /// Who may read it once published.
    async fn audience(&self) -> KnowledgeAudience {
        self.0.audience
    }
    /// Draft (its author's alone) or published.
    async fn state(&self) -> ArticleState {
        self.0.state
    }
    /// Its author, as the viewer may see them (`null` when hidden from
    /// the viewer).
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(find_member(ctx, self.0.author_id).await?)
    }
    /// Tags from the shared vocabulary, by slug.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        let tags = load_one::<ArticleTagsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(tags.into_iter().map(Tag).collect())
    }
    /// Members who marked it helpful.
    async fn helpful_count(&self) -> i32 {
        self.0.helpful_count
    }
    /// Whether the viewer marked it helpful (`markArticleHelpful`).
    async fn marked_helpful(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(load_one::<MarkedHelpfulLoader, _>(ctx, self.0.id.0)
            .await?
            .unwrap_or(false))
    }
    /// When it was first published (kept when it goes back to draft, so
    /// publishing it again does not move it up the list).
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When its text or state last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The texts edits of the published article replaced, newest first:
    /// for its author and moderators (`null` for anyone else).
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Option<Vec<ArticleRevision>>> {
        if !self.is_own(ctx)? && !moderates(viewer(ctx)?) {
            return Ok(None);
        }
        let revisions = load_one::<ArticleRevisionsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(Some(revisions.into_iter().map(ArticleRevision).collect()))
    }
    /// Whether others see it (`HELD` by the leak guard, `HIDDEN` or
    /// `DELETED` by a moderator): for its author and moderators.
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        Ok((self.is_own(ctx)? || moderates(viewer(ctx)?)).then_some(self.0.moderation))
    }
    /// Visible comments and replies, counted.
    async fn comment_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(load_one::<ArticleCommentCountLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or(0))
    }
    /// Comments (not replies: each comment lists its own), oldest first.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<ArticleComment>> {
        let page = PageRequest::<Uuid>::new(first, after, last, before)?;
        let comments = load_one::<ArticleCommentsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        let top: Vec<ArticleCommentRecord> = comments
            .into_iter()
            .filter(|comment| comment.parent_id.is_none())
            .collect();
        let total = top.len();
        // An article's comments are few (they are capped), so the page is
        // cut from all of them in memory, in the list's order.
        let past_cursors = top.into_iter().filter(|comment| {
            page.after.is_none_or(|after| comment.id.0 > after)
                && page.before.is_none_or(|before| comment.id.0 < before)
        });
        let limit = usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX);
        let rows: Vec<ArticleCommentRecord> = if page.reads_in_list_order() {
            past_cursors.take(limit).collect()
        } else {
            let mut rows: Vec<_> = past_cursors.collect();
            rows.reverse();
            rows.truncate(limit);
            rows
        };
        Ok(page.into_connection(
            rows,
            |comment| comment.id.0,
            ArticleComment,
            TotalCount::known(total),
        ))
    }
}

/// A text an edit of a published article replaced.
pub struct ArticleRevision(ArticleRevisionRecord);

/// A text an edit of a published article replaced.
#[Object]
impl ArticleRevision {
    /// The title then.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The body then (Markdown).
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// When it was replaced.
    async fn edited_at(&self) -> DateTime<Utc> {
        self.0.edited_at
    }
}

/// A comment on an article, or a reply to one.
pub struct ArticleComment(pub ArticleCommentRecord);

/// A comment on an article, or a reply to one (comments are one level
/// deep).
#[Object]
impl ArticleComment {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// The article.
    async fn article(&self, ctx: &Context<'_>) -> Result<Option<Article>> {
        Ok(load_one::<ArticleLoader, _>(ctx, self.0.article_id)
            .await?
            .map(Article))
    }
    /// The comment it replies to.
    async fn parent_id(&self) -> Option<ID> {
        self.0.parent_id.map(|id| id.to_global())
    }
    /// Its author (`null` for a member who left: "withdrawn member").
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        match self.0.author_id {
            Some(author) => Ok(find_member(ctx, author).await?),
            None => Ok(None),
        }
    }
    /// The text; empty once deleted or its author left.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Whether its author deleted it (its replies stay).
    async fn deleted(&self) -> bool {
        self.0.deleted_at.is_some()
    }
    /// Whether others see it: for its author and moderators.
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        let viewer = viewer(ctx)?;
        let own = self
            .0
            .author_id
            .is_some_and(|author| viewer.is_member(author));
        Ok((own || moderates(viewer)).then_some(self.0.moderation))
    }
    /// Replies, oldest first (a reply has none).
    async fn replies(&self, ctx: &Context<'_>) -> Result<Vec<ArticleComment>> {
        if self.0.parent_id.is_some() {
            return Ok(Vec::new());
        }
        let comments = load_one::<ArticleCommentsLoader, _>(ctx, self.0.article_id)
            .await?
            .unwrap_or_default();
        Ok(comments
            .into_iter()
            .filter(|comment| comment.parent_id == Some(self.0.id))
            .map(ArticleComment)
            .collect())
    }
    /// Written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last edited.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Loads one article as the viewer may read it (for `node(id:)`).
pub async fn load_article(ctx: &Context<'_>, id: ArticleId) -> Result<Article, AppError> {
    load_one::<ArticleLoader, _>(ctx, id)
        .await?
        .map(Article)
        .ok_or(AppError::NotFound { entity: "Article" })
}

/// Loads one article comment as the viewer may see it (for `node(id:)`).
pub async fn load_article_comment(
    ctx: &Context<'_>,
    id: ArticleCommentId,
) -> Result<ArticleComment, AppError> {
    load_one::<ArticleCommentLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(ArticleComment)
        .ok_or(AppError::NotFound {
            entity: "ArticleComment",
        })
}

/// Loads, in one batch per association the items select, what a page of
/// articles shows.
async fn prefetch_articles(ctx: &Context<'_>, articles: &[ArticleRecord]) -> Result<(), AppError> {
    let ids: Vec<ArticleId> = articles.iter().map(|article| article.id).collect();
    let selected = |field: &str| selects_in_items(ctx, &[field]);
    if selected("tags") {
        load_now::<ArticleTagsLoader, _>(ctx, ids.clone()).await?;
    }
    if selected("commentCount") {
        load_now::<ArticleCommentCountLoader, _>(ctx, ids.clone()).await?;
    }
    if selected("markedHelpful") {
        load_now::<MarkedHelpfulLoader, _>(ctx, ids.iter().map(|id| id.0)).await?;
    }
    if selected("revisions") {
        load_now::<ArticleRevisionsLoader, _>(ctx, ids.clone()).await?;
    }
    let mut people: Vec<MemberId> = Vec::new();
    if selected("comments") {
        let comments = load_now::<ArticleCommentsLoader, _>(ctx, ids.clone()).await?;
        people.extend(
            comments
                .into_values()
                .flatten()
                .filter_map(|comment| comment.author_id),
        );
    }
    if selected("author") {
        people.extend(articles.iter().map(|article| article.author_id));
    }
    if !people.is_empty() {
        prefetch_members(ctx, people).await?;
    }
    Ok(())
}

/// An article as its author writes it.
#[derive(InputObject)]
#[graphql(name = "ArticleInput")]
pub struct ArticleContentInput {
    /// Title (1–200 characters).
    pub title: String,
    /// The body in Markdown (1–100,000 characters).
    pub body: String,
    /// Tags by name (at most 5; new names join the shared vocabulary).
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Who may read it once published; you must belong to it.
    pub audience: KnowledgeAudience,
}

impl ArticleContentInput {
    fn into_input(self, confirm_warnings: bool) -> ArticleInput {
        ArticleInput {
            title: self.title,
            body: self.body,
            tags: self.tags,
            audience: self.audience,
            confirm_warnings,
        }
    }
}

#[derive(Default)]
pub(super) struct ArticleQuery;

/// Reading articles.
#[Object]
impl ArticleQuery {
    /// Published articles the viewer may read, newest first. Any member.
    #[allow(
        clippy::too_many_arguments,
        reason = "two filters and the four arguments of a connection"
    )]
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only articles with this tag (its name, slug or an alias).")] tag: Option<
            String,
        >,
        #[graphql(desc = "Only articles by this member (global id).")] author: Option<ID>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Article>> {
        let viewer = viewer(ctx)?.clone();
        let service = service(ctx)?.clone();
        let filter = ArticleFilter {
            tag_slug: tag.as_deref().map(search::normalize),
            author: author
                .map(|id| MemberId::from_global(&id, "author"))
                .transpose()?,
        };
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.articles(&viewer, &filter, &page).await?;
        prefetch_articles(ctx, &rows).await?;
        let total_count =
            TotalCount::lazy(async move { service.articles_count(&viewer, &filter).await });
        Ok(page.into_connection(
            rows,
            |article: &ArticleRecord| {
                (
                    article.published_at.unwrap_or(article.created_at),
                    article.id.0,
                )
            },
            Article,
            total_count,
        ))
    }

    /// One article, if the viewer may read it.
    async fn article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the article.")] id: ID,
    ) -> Result<Option<Article>> {
        match load_article(ctx, ArticleId::from_global(&id, "id")?).await {
            Ok(article) => Ok(Some(article)),
            Err(AppError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }

    /// The viewer's own articles, drafts too, most recently changed first.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn my_articles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Article>> {
        let viewer = viewer(ctx)?.clone();
        let service = service(ctx)?.clone();
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.my_articles(&viewer, &page).await?;
        prefetch_articles(ctx, &rows).await?;
        let total_count = TotalCount::lazy(async move { service.my_articles_count(&viewer).await });
        Ok(page.into_connection(
            rows,
            |article: &ArticleRecord| (article.updated_at, article.id.0),
            Article,
            total_count,
        ))
    }
}

#[derive(Default)]
pub(super) struct ArticleMutation;

fn article_id(id: &ID) -> Result<ArticleId, AppError> {
    ArticleId::from_global(id, "id")
}

/// Writing articles, marking them helpful, commenting.
#[Object]
impl ArticleMutation {
    /// Writes a new draft, seen by you alone until published. Title and
    /// body pass the leak guard for the audience (`CONTENT_BLOCKED`,
    /// `WARNINGS_NOT_CONFIRMED`; a held article is withheld until a
    /// moderator releases it).
    async fn create_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The article.")] input: ArticleContentInput,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Article> {
        let input = input.into_input(confirm_warnings);
        Ok(Article(
            service(ctx)?.create_article(viewer(ctx)?, input).await?,
        ))
    }

    /// Rewrites your article; an edit of a published article keeps the
    /// text it replaces as a revision. Checked by the leak guard again.
    async fn update_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the article.")] id: ID,
        #[graphql(desc = "The article as it should be.")] input: ArticleContentInput,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Article> {
        let id = article_id(&id)?;
        let input = input.into_input(confirm_warnings);
        Ok(Article(
            service(ctx)?
                .update_article(viewer(ctx)?, id, input)
                .await?,
        ))
    }

    /// Publishes your draft to its audience; `CONFLICT` reason
    /// `INVALID_TRANSITION` when it is published already.
    async fn publish_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the article.")] id: ID,
    ) -> Result<Article> {
        let id = article_id(&id)?;
        Ok(Article(
            service(ctx)?.publish_article(viewer(ctx)?, id).await?,
        ))
    }

    /// Takes your published article back to draft; `CONFLICT` reason
    /// `INVALID_TRANSITION` for a draft.
    async fn unpublish_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the article.")] id: ID,
    ) -> Result<Article> {
        let id = article_id(&id)?;
        Ok(Article(
            service(ctx)?.unpublish_article(viewer(ctx)?, id).await?,
        ))
    }

    /// Deletes an article with its comments and revisions: your own, or
    /// (moderators) one you can read. Returns its id.
    async fn delete_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the article.")] id: ID,
    ) -> Result<ID> {
        service(ctx)?
            .delete_article(viewer(ctx)?, article_id(&id)?)
            .await?;
        Ok(id)
    }

    /// Marks an article you read helpful (once; marking again changes
    /// nothing). `CONFLICT` reason `OWN_CONTENT` for your own.
    async fn mark_article_helpful(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the article.")] id: ID,
    ) -> Result<Article> {
        let id = article_id(&id)?;
        Ok(Article(
            service(ctx)?
                .set_article_helpful(viewer(ctx)?, id, true)
                .await?,
        ))
    }

    /// Takes back your helpful mark on an article.
    async fn unmark_article_helpful(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the article.")] id: ID,
    ) -> Result<Article> {
        let id = article_id(&id)?;
        Ok(Article(
            service(ctx)?
                .set_article_helpful(viewer(ctx)?, id, false)
                .await?,
        ))
    }

    /// Comments on a published article you read, or replies to a comment
    /// (`parentId`); a reply to a reply joins the thread of the comment it
    /// hangs on, as comments are one level deep. The text passes the leak
    /// guard. `CONFLICT` reason `NOT_PUBLISHED` on a draft,
    /// `TOO_MANY_COMMENTS` once the article holds 500.
    async fn add_article_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the article.")] article_id: ID,
        #[graphql(desc = "The comment replied to, if any.")] parent_id: Option<ID>,
        #[graphql(desc = "The text (at most 4,000 characters).")] body: String,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<ArticleComment> {
        let article = ArticleId::from_global(&article_id, "articleId")?;
        let parent = parent_id
            .map(|id| ArticleCommentId::from_global(&id, "parentId"))
            .transpose()?;
        Ok(ArticleComment(
            service(ctx)?
                .add_article_comment(viewer(ctx)?, article, parent, &body, confirm_warnings)
                .await?,
        ))
    }

    /// Changes the text of your own comment (checked again).
    async fn edit_article_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the comment.")] id: ID,
        #[graphql(desc = "The new text.")] body: String,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<ArticleComment> {
        let id = ArticleCommentId::from_global(&id, "id")?;
        Ok(ArticleComment(
            service(ctx)?
                .edit_article_comment(viewer(ctx)?, id, &body, confirm_warnings)
                .await?,
        ))
    }

    /// Deletes your own comment: its text goes, replies stay.
    async fn delete_article_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the comment.")] id: ID,
    ) -> Result<ArticleComment> {
        let id = ArticleCommentId::from_global(&id, "id")?;
        Ok(ArticleComment(
            service(ctx)?
                .delete_article_comment(viewer(ctx)?, id)
                .await?,
        ))
    }
}
