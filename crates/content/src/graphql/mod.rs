//! The magazine in GraphQL: posts, categories, reading, reactions and
//! comments.

mod issues;
mod loaders;

pub use issues::{IssueMutation, IssueQuery, NewsletterIssue, load_issue};

use alumni_core::graphql::{data, load_now, load_one, selects_in_items, viewer};
use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, MemberId, NodeId, Role, search};
use alumni_membership::Member;
use alumni_membership::graphql::{Tag, find_member, prefetch_members};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
pub use loaders::attach_loaders;
use loaders::{
    CategoryLoader, CoauthorsLoader, CommentCountLoader, CommentLoader, CommentsLoader,
    MyReactionsLoader, PostLoader, ReactionCountLoader, ReadAtLoader, TagsLoader,
};

use crate::model::{
    AudienceFields, CategoryId, CategoryRecord, CohortRole, CommentId, CommentRecord, PostAudience,
    PostId, PostRecord, PostState, ReactionKind,
};
use crate::service::{CohortRow, ContentService, FeedFilter, PostInput, PostStats};

fn service<'a>(ctx: &Context<'a>) -> Result<&'a ContentService, AppError> {
    data::<ContentService>(ctx)
}

/// A post of the secretariat's magazine.
pub struct Post(pub PostRecord);

/// A post of the secretariat's magazine.
#[Object]
impl Post {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.text.title
    }
    /// A sentence or two that opens it.
    async fn lead(&self) -> &str {
        &self.0.text.lead
    }
    /// The body as written, in Markdown.
    async fn body(&self) -> &str {
        &self.0.text.body
    }
    /// The body rendered to HTML and sanitised on the server (no script,
    /// style or event attribute): safe to insert into a page.
    async fn body_html(&self) -> &str {
        &self.0.text.body_html
    }
    /// A cover image.
    async fn cover_image_url(&self) -> Option<&str> {
        self.0.text.cover_image_url.as_deref()
    }
    /// Its category.
    async fn category(&self, ctx: &Context<'_>) -> Result<Option<PostCategory>> {
        let Some(id) = self.0.text.category_id else {
            return Ok(None);
        };
        Ok(load_one::<CategoryLoader, _>(ctx, id)
            .await?
            .map(PostCategory))
    }
    /// Its author, as the viewer may see them (`null` once they left or
    /// when hidden from the viewer).
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        match self.0.author_id {
            Some(author) => Ok(find_member(ctx, author).await?),
            None => Ok(None),
        }
    }
    /// Co-authors, in order, as the viewer may see them.
    async fn coauthors(&self, ctx: &Context<'_>) -> Result<Vec<Member>> {
        let ids = load_one::<CoauthorsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        let mut members = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(member) = find_member(ctx, id).await? {
                members.push(member);
            }
        }
        Ok(members)
    }
    /// Tags from the shared vocabulary.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        let tags = load_one::<TagsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(tags.into_iter().map(Tag).collect())
    }
    /// Draft, scheduled, published or archived.
    async fn state(&self) -> PostState {
        self.0.state
    }
    /// When a scheduled post goes out.
    async fn scheduled_at(&self) -> Option<DateTime<Utc>> {
        self.0.scheduled_at
    }
    /// When it was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// Who it is for.
    async fn audience(&self) -> PostAudienceView {
        PostAudienceView(self.0.audience.clone())
    }
    /// Whether members see it (`HELD` by the leak guard, `HIDDEN` or
    /// `DELETED` by a moderator): for moderators and the secretariat.
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        Ok(moderates(viewer(ctx)?).then_some(self.0.moderation))
    }
    /// Whether the viewer has read it (`markPostRead`).
    async fn viewer_has_read(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(load_one::<ReadAtLoader, _>(ctx, self.0.id)
            .await?
            .flatten()
            .is_some())
    }
    /// When the viewer first read it.
    async fn viewer_read_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        Ok(load_one::<ReadAtLoader, _>(ctx, self.0.id).await?.flatten())
    }
    /// Reactions, counted by kind (kinds nobody chose are left out).
    async fn reaction_counts(&self, ctx: &Context<'_>) -> Result<Vec<ReactionCount>> {
        let counts = load_one::<ReactionCountLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(counts
            .into_iter()
            .map(|(kind, count)| ReactionCount { kind, count })
            .collect())
    }
    /// The viewer's own reactions.
    async fn viewer_reactions(&self, ctx: &Context<'_>) -> Result<Vec<ReactionKind>> {
        Ok(load_one::<MyReactionsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default())
    }
    /// Visible comments, counted.
    async fn comment_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(load_one::<CommentCountLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or(0))
    }
    /// Comments, oldest first, answers right after what they answer (one
    /// level deep; at most 500).
    async fn comments(&self, ctx: &Context<'_>) -> Result<Vec<Comment>> {
        let comments = load_one::<CommentsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(threaded(comments).into_iter().map(Comment).collect())
    }
    /// Earlier texts of the published post, newest first. Secretariat only.
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<PostRevision>> {
        let revisions = service(ctx)?.revisions(viewer(ctx)?, self.0.id).await?;
        Ok(revisions
            .into_iter()
            .map(|(title, lead, body, editor, edited_at)| PostRevision {
                title,
                lead,
                body,
                editor,
                edited_at,
            })
            .collect())
    }
    /// How it is read: readers against the audience, reactions, comments,
    /// by cohort with groups under five withheld. Secretariat only.
    async fn stats(&self, ctx: &Context<'_>) -> Result<PostStatsView> {
        Ok(PostStatsView(
            service(ctx)?.post_stats(viewer(ctx)?, self.0.id).await?,
        ))
    }
}

/// Answers right after what they answer, each level oldest first.
fn threaded(comments: Vec<CommentRecord>) -> Vec<CommentRecord> {
    let (top, answers): (Vec<_>, Vec<_>) = comments
        .into_iter()
        .partition(|comment| comment.parent_id.is_none());
    let mut ordered = Vec::with_capacity(top.len() + answers.len());
    for comment in top {
        let id = comment.id;
        ordered.push(comment);
        ordered.extend(
            answers
                .iter()
                .filter(|answer| answer.parent_id == Some(id))
                .cloned(),
        );
    }
    ordered
}

/// Who a post is for.
pub struct PostAudienceView(AudienceFields);

/// Who a post is for.
#[Object(name = "PostAudienceSpec")]
impl PostAudienceView {
    /// Everyone, alumni, employees or a cohort.
    async fn audience(&self) -> PostAudience {
        self.0.audience
    }
    /// Cohort: the predecessor company left.
    async fn company_id(&self) -> Option<ID> {
        self.0
            .cohort_company_id
            .map(|id| alumni_membership::model::CompanyId(id).to_global())
    }
    /// Cohort: left in this year or later.
    async fn left_from(&self) -> Option<i32> {
        self.0.cohort_left_from
    }
    /// Cohort: left in this year or earlier.
    async fn left_to(&self) -> Option<i32> {
        self.0.cohort_left_to
    }
    /// Cohort: holding this role.
    async fn role(&self) -> Option<CohortRole> {
        self.0.cohort_role
    }
}

/// How many members chose one reaction.
#[derive(SimpleObject)]
pub struct ReactionCount {
    /// The reaction.
    pub kind: ReactionKind,
    /// How many chose it.
    pub count: i64,
}

/// An earlier text of a published post.
pub struct PostRevision {
    title: String,
    lead: String,
    body: String,
    editor: Option<MemberId>,
    edited_at: DateTime<Utc>,
}

/// An earlier text of a published post.
#[Object]
impl PostRevision {
    /// The title then.
    async fn title(&self) -> &str {
        &self.title
    }
    /// The lead then.
    async fn lead(&self) -> &str {
        &self.lead
    }
    /// The body then (Markdown).
    async fn body(&self) -> &str {
        &self.body
    }
    /// Who replaced it.
    async fn editor(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        match self.editor {
            Some(editor) => Ok(find_member(ctx, editor).await?),
            None => Ok(None),
        }
    }
    /// When it was replaced.
    async fn edited_at(&self) -> DateTime<Utc> {
        self.edited_at
    }
}

/// How a post is read.
pub struct PostStatsView(pub(crate) PostStats);

/// How a post is read (counts only; never who).
#[Object(name = "PostStats")]
impl PostStatsView {
    /// Members who read it (including those who have since left).
    async fn readers(&self) -> i64 {
        self.0.readers
    }
    /// Members its audience admits today.
    async fn audience_size(&self) -> i64 {
        self.0.audience_size
    }
    /// Readers per member of the audience (0 to 1; `null` for an empty
    /// audience).
    async fn read_rate(&self) -> Option<f64> {
        (self.0.audience_size > 0).then(|| self.0.readers as f64 / self.0.audience_size as f64)
    }
    /// Members who reacted.
    async fn reactors(&self) -> i64 {
        self.0.reactors
    }
    /// Visible comments.
    async fn comments(&self) -> i64 {
        self.0.comments
    }
    /// The same by predecessor company and five-year leave band; groups
    /// under five members (and one more when only one would be withheld)
    /// are `suppressed`, their numbers `null`.
    async fn by_cohort(&self) -> Vec<CohortReading> {
        self.0
            .by_cohort
            .iter()
            .cloned()
            .map(CohortReading)
            .collect()
    }
}

/// Reading in one cohort.
pub struct CohortReading(CohortRow);

/// Reading in one cohort: a predecessor company and a five-year band of
/// leave years.
#[Object]
impl CohortReading {
    /// The predecessor company left (`null`: never left, or not known).
    async fn company_id(&self) -> Option<ID> {
        self.0
            .company
            .map(|id| alumni_membership::model::CompanyId(id).to_global())
    }
    /// The first year of the band (e.g. 2015 for 2015–2019).
    async fn left_from(&self) -> Option<i32> {
        self.0.left_from
    }
    /// Members of the audience in the cohort; `null` when suppressed.
    async fn audience_size(&self) -> Option<i64> {
        self.0.audience_size
    }
    /// Of them, who read it; `null` when suppressed.
    async fn readers(&self) -> Option<i64> {
        self.0.readers
    }
    /// Whether its numbers are withheld.
    async fn suppressed(&self) -> bool {
        self.0.suppressed
    }
}

/// A category of posts.
pub struct PostCategory(pub CategoryRecord);

/// A category of posts (data the secretariat edits).
#[Object]
impl PostCategory {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// Its name, e.g. 社内の今.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// Loads one category (for `node(id:)`); any member.
pub async fn load_category(ctx: &Context<'_>, id: CategoryId) -> Result<PostCategory, AppError> {
    load_one::<CategoryLoader, _>(ctx, id)
        .await?
        .map(PostCategory)
        .ok_or(AppError::NotFound {
            entity: "PostCategory",
        })
}

/// A comment on a post.
pub struct Comment(pub CommentRecord);

/// A comment on a post, or an answer to one.
#[Object]
impl Comment {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// The comment it answers.
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
    /// Whether its author deleted it.
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
    /// Written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last edited.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Loads one post as the viewer may see it (for `node(id:)`).
pub async fn load_post(ctx: &Context<'_>, id: PostId) -> Result<Post, AppError> {
    load_one::<PostLoader, _>(ctx, id)
        .await?
        .map(Post)
        .ok_or(AppError::NotFound { entity: "Post" })
}

/// Loads one comment as the viewer may see it (for `node(id:)`).
pub async fn load_comment(ctx: &Context<'_>, id: CommentId) -> Result<Comment, AppError> {
    load_one::<CommentLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(Comment)
        .ok_or(AppError::NotFound { entity: "Comment" })
}

/// Loads, in one batch per association the items select, what a page of
/// posts shows.
async fn prefetch_posts(ctx: &Context<'_>, posts: &[PostRecord]) -> Result<(), AppError> {
    let ids: Vec<PostId> = posts.iter().map(|post| post.id).collect();
    let selected = |field: &str| selects_in_items(ctx, &[field]);
    if selected("viewerHasRead") || selected("viewerReadAt") {
        load_now::<ReadAtLoader, _>(ctx, ids.clone()).await?;
    }
    if selected("reactionCounts") {
        load_now::<ReactionCountLoader, _>(ctx, ids.clone()).await?;
    }
    if selected("viewerReactions") {
        load_now::<MyReactionsLoader, _>(ctx, ids.clone()).await?;
    }
    if selected("commentCount") {
        load_now::<CommentCountLoader, _>(ctx, ids.clone()).await?;
    }
    if selected("tags") {
        load_now::<TagsLoader, _>(ctx, ids.clone()).await?;
    }
    if selected("category") {
        let categories = posts.iter().filter_map(|post| post.text.category_id);
        load_now::<CategoryLoader, _>(ctx, categories).await?;
    }
    let mut people: Vec<MemberId> = Vec::new();
    if selected("coauthors") {
        let coauthors = load_now::<CoauthorsLoader, _>(ctx, ids.clone()).await?;
        people.extend(coauthors.into_values().flatten());
    }
    if selected("comments") {
        let comments = load_now::<CommentsLoader, _>(ctx, ids.clone()).await?;
        people.extend(
            comments
                .into_values()
                .flatten()
                .filter_map(|comment| comment.author_id),
        );
    }
    if selected("author") {
        people.extend(posts.iter().filter_map(|post| post.author_id));
    }
    if !people.is_empty() {
        prefetch_members(ctx, people).await?;
    }
    Ok(())
}

/// What the feed lists.
#[derive(InputObject, Default)]
pub struct PostFilter {
    /// Only this category.
    pub category_id: Option<ID>,
    /// Only posts with this tag (its slug or name).
    pub tag: Option<String>,
    /// Only posts the viewer has not read.
    #[graphql(default = false)]
    pub unread_only: bool,
    /// Only posts published after this time (e.g. the viewer's last visit:
    /// "new since you were here").
    pub published_after: Option<DateTime<Utc>>,
    /// Words to find in titles, leads and bodies (Japanese-aware: 設計,
    /// "Kubernetes 運用"); every word must occur.
    pub query: Option<String>,
}

/// Who a post is for, as written.
#[derive(InputObject)]
pub struct AudienceInput {
    /// Everyone, alumni, employees or a cohort.
    pub audience: PostAudience,
    /// Cohort: the predecessor company left.
    pub company_id: Option<ID>,
    /// Cohort: left in this year or later.
    pub left_from: Option<i32>,
    /// Cohort: left in this year or earlier.
    pub left_to: Option<i32>,
    /// Cohort: holding this role.
    pub role: Option<CohortRole>,
}

/// A post as the secretariat writes it.
#[derive(InputObject)]
pub struct PostContentInput {
    /// Title (1–200 characters).
    pub title: String,
    /// The lead (at most 500 characters).
    #[graphql(default)]
    pub lead: String,
    /// The body in Markdown (at most 100,000 characters).
    pub body: String,
    /// Its category.
    pub category_id: Option<ID>,
    /// A cover image (http or https).
    pub cover_image_url: Option<String>,
    /// Its author (default: you).
    pub author_id: Option<ID>,
    /// Co-authors, in order (at most 10).
    #[graphql(default)]
    pub coauthor_ids: Vec<ID>,
    /// Tags by name (at most 10; new names join the shared vocabulary).
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Who it is for.
    pub audience: AudienceInput,
}

impl AudienceInput {
    fn into_fields(self) -> Result<AudienceFields, AppError> {
        Ok(AudienceFields {
            audience: self.audience,
            cohort_company_id: self
                .company_id
                .map(|id| {
                    alumni_membership::model::CompanyId::from_global(
                        &id,
                        "input.audience.companyId",
                    )
                })
                .transpose()?
                .map(|id| id.0),
            cohort_left_from: self.left_from,
            cohort_left_to: self.left_to,
            cohort_role: self.role,
        })
    }
}

impl PostContentInput {
    fn into_input(self, confirm_warnings: bool) -> Result<PostInput, AppError> {
        let audience = self.audience.into_fields()?;
        Ok(PostInput {
            title: self.title,
            lead: self.lead,
            body: self.body,
            category: self
                .category_id
                .map(|id| CategoryId::from_global(&id, "input.categoryId"))
                .transpose()?,
            cover_image_url: self.cover_image_url,
            author: self
                .author_id
                .map(|id| MemberId::from_global(&id, "input.authorId"))
                .transpose()?,
            coauthors: self
                .coauthor_ids
                .iter()
                .map(|id| MemberId::from_global(id, "input.coauthorIds"))
                .collect::<Result<_, _>>()?,
            tags: self.tags,
            audience,
            confirm_warnings,
        })
    }
}

/// Reading the magazine.
#[derive(Default)]
pub struct ContentQuery;

/// Reading the magazine.
#[Object]
impl ContentQuery {
    /// The feed: published posts the viewer's audience admits, newest
    /// first. Any member.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to list.")] filter: Option<PostFilter>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Post>> {
        let viewer = viewer(ctx)?.clone();
        let service = service(ctx)?.clone();
        let filter = feed_filter(filter.unwrap_or_default())?;
        if !filter.terms.is_empty() {
            // A search ranks by the words found in titles, so its cursors
            // carry the rank too.
            let page =
                PageRequest::<(i32, DateTime<Utc>, uuid::Uuid)>::new(first, after, last, before)?;
            let rows = service.search(&viewer, &filter, &page).await?;
            let posts: Vec<PostRecord> = rows.iter().map(|(post, _)| post.clone()).collect();
            prefetch_posts(ctx, &posts).await?;
            let total_count =
                TotalCount::lazy(async move { service.feed_count(&viewer, &filter).await });
            return Ok(page.into_connection(
                rows,
                |(post, rank): &(PostRecord, i32)| {
                    let (published_at, id) = post.feed_key();
                    (*rank, published_at, id)
                },
                |(post, _)| Post(post),
                total_count,
            ));
        }
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.feed(&viewer, &filter, &page).await?;
        prefetch_posts(ctx, &rows).await?;
        let total_count =
            TotalCount::lazy(async move { service.feed_count(&viewer, &filter).await });
        Ok(page.into_connection(rows, PostRecord::feed_key, Post, total_count))
    }

    /// One post, if the viewer may see it.
    async fn post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
    ) -> Result<Option<Post>> {
        match load_post(ctx, PostId::from_global(&id, "id")?).await {
            Ok(post) => Ok(Some(post)),
            Err(AppError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }

    /// How many posts of the viewer's feed they have not read, up to 100
    /// (show "99+" beyond 99).
    async fn unread_post_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(service(ctx)?.unread_count(viewer(ctx)?).await?)
    }

    /// The categories, in display order. Any member.
    async fn post_categories(&self, ctx: &Context<'_>) -> Result<Vec<PostCategory>> {
        let categories = service(ctx)?.categories(viewer(ctx)?).await?;
        Ok(categories.into_iter().map(PostCategory).collect())
    }

    /// The secretariat's desk: drafts, scheduled and archived posts (or
    /// those in `state`), most recently changed first.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn editorial_desk(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only posts in this state.")] state: Option<PostState>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Post>> {
        let viewer = viewer(ctx)?.clone();
        viewer.require_role(Role::Secretariat)?;
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service(ctx)?.desk(&viewer, state, &page).await?;
        prefetch_posts(ctx, &rows).await?;
        let service = service(ctx)?.clone();
        let total_count = TotalCount::lazy(async move { service.desk_count(&viewer, state).await });
        Ok(page.into_connection(
            rows,
            |post: &PostRecord| (post.updated_at, post.id.0),
            Post,
            total_count,
        ))
    }
}

fn feed_filter(filter: PostFilter) -> Result<FeedFilter, AppError> {
    let terms = match filter.query.as_deref() {
        Some(query) => search::query_terms(query)
            .map_err(|refusal| AppError::bad_input("filter.query", refusal.to_string()))?,
        None => Vec::new(),
    };
    let tag = filter.tag.as_deref().map(search::normalize);
    Ok(FeedFilter {
        category: filter
            .category_id
            .map(|id| CategoryId::from_global(&id, "filter.categoryId"))
            .transpose()?,
        tag_slug: tag,
        unread_only: filter.unread_only,
        published_after: filter.published_after,
        terms,
    })
}

/// Writing and reading the magazine.
#[derive(Default)]
pub struct ContentMutation;

/// Writing and reading the magazine.
#[Object]
impl ContentMutation {
    /// Writes a new draft. Secretariat only. Title, lead and body pass the
    /// leak guard for the audience (`CONTENT_BLOCKED`,
    /// `WARNINGS_NOT_CONFIRMED`; a held post is withheld until released).
    async fn create_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post.")] input: PostContentInput,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Post> {
        let input = input.into_input(confirm_warnings)?;
        Ok(Post(service(ctx)?.create_post(viewer(ctx)?, input).await?))
    }

    /// Rewrites a post; a published post keeps its earlier text as a
    /// revision. Secretariat only.
    async fn update_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
        #[graphql(desc = "The post as it should be.")] input: PostContentInput,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Post> {
        let id = PostId::from_global(&id, "id")?;
        let input = input.into_input(confirm_warnings)?;
        Ok(Post(
            service(ctx)?.update_post(viewer(ctx)?, id, input).await?,
        ))
    }

    /// Schedules a draft (or reschedules) to be published at `at`; the old
    /// time no longer applies. Secretariat only; `CONFLICT` reason
    /// `INVALID_TRANSITION` from other states.
    async fn schedule_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
        #[graphql(desc = "When it goes out (in the future).")] at: DateTime<Utc>,
    ) -> Result<Post> {
        let id = PostId::from_global(&id, "id")?;
        Ok(Post(
            service(ctx)?.schedule_post(viewer(ctx)?, id, at).await?,
        ))
    }

    /// Publishes a draft or scheduled post now. Secretariat only.
    async fn publish_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
    ) -> Result<Post> {
        let id = PostId::from_global(&id, "id")?;
        Ok(Post(service(ctx)?.publish_post(viewer(ctx)?, id).await?))
    }

    /// Takes a published or scheduled post back to draft. Secretariat only.
    async fn unpublish_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
    ) -> Result<Post> {
        let id = PostId::from_global(&id, "id")?;
        Ok(Post(service(ctx)?.unpublish_post(viewer(ctx)?, id).await?))
    }

    /// Takes a published post out of the feed, keeping it. Secretariat only.
    async fn archive_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
    ) -> Result<Post> {
        let id = PostId::from_global(&id, "id")?;
        Ok(Post(service(ctx)?.archive_post(viewer(ctx)?, id).await?))
    }

    /// Adds a category. Secretariat only.
    async fn create_post_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its name (at most 50 characters).")] name: String,
    ) -> Result<PostCategory> {
        Ok(PostCategory(
            service(ctx)?.create_category(viewer(ctx)?, &name).await?,
        ))
    }

    /// Records that the viewer read a post (idempotent: the first read is
    /// kept, the last moves on).
    async fn mark_post_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
    ) -> Result<Post> {
        let id = PostId::from_global(&id, "id")?;
        Ok(Post(service(ctx)?.mark_read(viewer(ctx)?, id).await?))
    }

    /// Adds (`on: true`) or takes back a reaction; one of each kind per
    /// member.
    async fn react_to_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
        #[graphql(desc = "The reaction.")] kind: ReactionKind,
        #[graphql(desc = "Add (default) or take back.", default = true)] on: bool,
    ) -> Result<Post> {
        let id = PostId::from_global(&id, "id")?;
        Ok(Post(service(ctx)?.react(viewer(ctx)?, id, kind, on).await?))
    }

    /// Comments on a post the viewer can see, or answers a comment (one
    /// level deep). The text passes the leak guard.
    async fn comment_on_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] post_id: ID,
        #[graphql(desc = "The comment answered, if any.")] parent_id: Option<ID>,
        #[graphql(desc = "The text (at most 4,000 characters).")] body: String,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Comment> {
        let post = PostId::from_global(&post_id, "postId")?;
        let parent = parent_id
            .map(|id| CommentId::from_global(&id, "parentId"))
            .transpose()?;
        Ok(Comment(
            service(ctx)?
                .comment(viewer(ctx)?, post, parent, &body, confirm_warnings)
                .await?,
        ))
    }

    /// Changes the text of the viewer's own comment (checked again).
    async fn edit_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the comment.")] id: ID,
        #[graphql(desc = "The new text.")] body: String,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Comment> {
        let id = CommentId::from_global(&id, "id")?;
        Ok(Comment(
            service(ctx)?
                .edit_comment(viewer(ctx)?, id, &body, confirm_warnings)
                .await?,
        ))
    }

    /// Deletes the viewer's own comment (answers stay). Returns its id.
    async fn delete_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the comment.")] id: ID,
    ) -> Result<ID> {
        let comment = CommentId::from_global(&id, "id")?;
        service(ctx)?.delete_comment(viewer(ctx)?, comment).await?;
        Ok(id)
    }
}
