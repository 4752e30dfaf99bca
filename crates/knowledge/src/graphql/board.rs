//! The collaboration board in GraphQL: kinds, posts, and interest in them
//! (whose list only a post's author sees).

use std::collections::HashMap;

use alumni_core::graphql::{
    data, load_now, load_one, selects_in_items, shared_loader, viewer, with_misses,
};
use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::pagination::{
    Connection, Direction, ListSize, PageRequest, TotalCount, connection_complexity,
};
use alumni_core::{AppError, MemberId, NodeId, Viewer, search};
use alumni_membership::Member;
use alumni_membership::graphql::{Tag, find_member, prefetch_members};
use alumni_membership::model::TagRecord;
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::KnowledgeService;
use crate::model::{
    BoardDirection, BoardInterestRecord, BoardKindRecord, BoardPostId, BoardPostRecord,
};
use crate::service::{BoardFilter, BoardPostInput, is_open};

/// The sort key of a post's interests: when, then who.
type InterestKey = (DateTime<Utc>, Uuid);

/// A page request in a form that can key a loader's cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageArguments {
    forward: bool,
    size: usize,
    after: Option<InterestKey>,
    before: Option<InterestKey>,
}

impl From<&PageRequest<InterestKey>> for PageArguments {
    fn from(page: &PageRequest<InterestKey>) -> Self {
        Self {
            forward: page.direction == Direction::Forward,
            size: page.size,
            after: page.after,
            before: page.before,
        }
    }
}

impl From<&PageArguments> for PageRequest<InterestKey> {
    fn from(arguments: &PageArguments) -> Self {
        PageRequest {
            direction: if arguments.forward {
                Direction::Forward
            } else {
                Direction::Backward
            },
            size: arguments.size,
            after: arguments.after,
            before: arguments.before,
        }
    }
}

/// One page of one post's interests, as a loader key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InterestPageOf {
    post: BoardPostId,
    page: PageArguments,
}

viewer_loader!(
    /// Board posts the viewer may see; others are `None`.
    BoardPostLoader: BoardPostId => Option<BoardPostRecord>,
    |service, viewer, ids| {
        let found = service.board_posts_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |post| post.id))
    }
);

viewer_loader!(
    /// Tags of each post.
    BoardTagsLoader: BoardPostId => Vec<TagRecord>,
    |service, viewer, ids| {
        let mut tags = service.board_post_tags(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, tags.remove(id).unwrap_or_default())).collect())
    }
);

viewer_loader!(
    /// The board's kinds by slug (the whole list is read once: it is
    /// short).
    BoardKindLoader: String => BoardKindRecord,
    |service, viewer, slugs| {
        Ok(service
            .board_kinds(viewer)
            .await?
            .into_iter()
            .filter(|kind| slugs.contains(&kind.slug))
            .map(|kind| (kind.slug.clone(), kind))
            .collect())
    }
);

viewer_loader!(
    /// The viewer's own interest in each post.
    MyInterestLoader: BoardPostId => Option<BoardInterestRecord>,
    |service, viewer, ids| {
        let mut mine = service.my_interests(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, mine.remove(id))).collect())
    }
);

viewer_loader!(
    /// How many members are interested in each of the viewer's own posts;
    /// others' posts are absent.
    InterestCountLoader: BoardPostId => i64,
    |service, viewer, ids| service.interest_counts(viewer, ids).await
);

viewer_loader!(
    /// A page of the interests in each of the viewer's own posts; others'
    /// posts are absent.
    InterestPageLoader: InterestPageOf => Vec<BoardInterestRecord>,
    |service, viewer, keys| {
        // One statement per distinct page asked for; in practice every
        // post of a list asks for the same one.
        let mut groups: HashMap<PageArguments, Vec<BoardPostId>> = HashMap::new();
        for key in keys {
            groups.entry(key.page.clone()).or_default().push(key.post);
        }
        let mut loaded = HashMap::new();
        for (page, posts) in groups {
            let pages = service.interest_pages(viewer, &posts, &(&page).into()).await?;
            loaded.extend(pages.into_iter().map(|(post, rows)| {
                (InterestPageOf { post, page: page.clone() }, rows)
            }));
        }
        Ok(loaded)
    }
);

/// Adds the request's loaders of the board.
pub(super) fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &KnowledgeService,
    viewer: &Viewer,
    caching: bool,
) {
    attach_viewer_loaders!(data, service, viewer, caching; BoardPostLoader, BoardTagsLoader, BoardKindLoader, MyInterestLoader, InterestCountLoader, InterestPageLoader);
}

/// Loads one board post as the viewer may see it (for `node(id:)`).
pub async fn load_board_post(ctx: &Context<'_>, id: BoardPostId) -> Result<BoardPost, AppError> {
    load_one::<BoardPostLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(BoardPost)
        .ok_or(AppError::NotFound {
            entity: "BoardPost",
        })
}

/// A kind of board post.
pub struct BoardKind(pub BoardKindRecord);

/// A kind of board post (data: the list grows without a release).
#[Object]
impl BoardKind {
    /// Stable key, e.g. `study_group`; what posts are filed and filtered by.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Japanese name, e.g. 勉強会.
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// English name, e.g. Study group.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
}

/// A post on the collaboration board.
pub struct BoardPost(pub BoardPostRecord);

/// A member's offer or search on the collaboration board: a partner for a
/// project, a speaker, a side business, a study group. Listed for thirty
/// days unless its author renews it. Who is interested is for its author
/// alone.
#[Object]
impl BoardPost {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// Its kind.
    async fn kind(&self, ctx: &Context<'_>) -> Result<Option<BoardKind>> {
        Ok(load_one::<BoardKindLoader, _>(ctx, self.0.kind.clone())
            .await?
            .map(BoardKind))
    }
    /// Offering or seeking.
    async fn direction(&self) -> BoardDirection {
        self.0.direction
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The body as written, in Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The body rendered to HTML and sanitised on the server: safe to
    /// insert into a page.
    async fn body_html(&self) -> &str {
        &self.0.body_html
    }
    /// Tags from the shared vocabulary.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        let tags = load_one::<BoardTagsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(tags.into_iter().map(Tag).collect())
    }
    /// Who posted it, as the viewer may see them.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(find_member(ctx, self.0.author_id).await?)
    }
    /// Whether it is on the board now: neither closed nor expired.
    async fn open(&self, ctx: &Context<'_>) -> Result<bool> {
        let now = data::<KnowledgeService>(ctx)?.context().now();
        Ok(is_open(&self.0, now))
    }
    /// Posted.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it leaves the board unless renewed.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When its author closed it.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Whether others see it (`HELD` by the leak guard, `HIDDEN` or
    /// `DELETED` by a moderator): for its author and moderators.
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        let viewer = viewer(ctx)?;
        Ok((viewer.is_member(self.0.author_id) || moderates(viewer)).then_some(self.0.moderation))
    }
    /// How many members said they are interested: for its author only
    /// (`null` for everyone else, the secretariat included).
    async fn interest_count(&self, ctx: &Context<'_>) -> Result<Option<i64>> {
        Ok(load_one::<InterestCountLoader, _>(ctx, self.0.id).await?)
    }
    /// The members who said they are interested, oldest first, with their
    /// notes: for its author only (`null` for everyone else, the
    /// secretariat and moderators included). The author decides whom to
    /// contact.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn interests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Option<Connection<BoardInterest>>> {
        let page = PageRequest::<InterestKey>::new(first, after, last, before)?;
        let key = InterestPageOf {
            post: self.0.id,
            page: PageArguments::from(&page),
        };
        let Some(rows) = load_one::<InterestPageLoader, _>(ctx, key).await? else {
            return Ok(None);
        };
        let counts = shared_loader::<InterestCountLoader>(ctx)?;
        let post = self.0.id;
        let total_count = TotalCount::lazy(async move {
            let count = counts.load_one(post).await?.unwrap_or_default();
            Ok(ListSize::from_capped_count(count))
        });
        Ok(Some(page.into_connection(
            rows,
            |interest: &BoardInterestRecord| (interest.created_at, interest.member_id.0),
            BoardInterest,
            total_count,
        )))
    }
    /// The viewer's own interest in it, if they said so.
    async fn my_interest(&self, ctx: &Context<'_>) -> Result<Option<BoardInterest>> {
        Ok(load_one::<MyInterestLoader, _>(ctx, self.0.id)
            .await?
            .flatten()
            .map(BoardInterest))
    }
}

/// A member's interest in a board post.
pub struct BoardInterest(pub BoardInterestRecord);

/// A member's interest in a board post, as its author (or the member
/// themselves) sees it.
#[Object]
impl BoardInterest {
    /// The interested member, as the viewer may see them.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(find_member(ctx, self.0.member_id).await?)
    }
    /// Their note to the author (may be empty).
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// When they said so.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A board post as its author writes it.
#[derive(InputObject)]
#[graphql(name = "BoardPostInput")]
pub struct BoardPostContent {
    /// The slug of one of `boardKinds`, e.g. `study_group`.
    kind: String,
    /// Offering or seeking.
    direction: BoardDirection,
    /// Title (1–200 characters).
    title: String,
    /// The body in Markdown (at most 10,000 characters).
    #[graphql(default)]
    body: String,
    /// Tags by name (at most five; new names join the shared vocabulary).
    #[graphql(default)]
    tags: Vec<String>,
}

impl BoardPostContent {
    fn into_input(self, confirm_warnings: bool) -> BoardPostInput {
        BoardPostInput {
            kind: self.kind,
            direction: self.direction,
            title: self.title,
            body: self.body,
            tags: self.tags,
            confirm_warnings,
        }
    }
}

/// What the board lists.
#[derive(InputObject, Default)]
pub struct BoardPostFilter {
    /// Only this kind (its slug, e.g. `study_group`).
    kind: Option<String>,
    /// Only offers or only searches.
    direction: Option<BoardDirection>,
    /// Only posts with this tag (its slug or name).
    tag: Option<String>,
}

/// Loads what a page of posts shows, one batch per association.
async fn prefetch_posts(ctx: &Context<'_>, posts: &[BoardPostRecord]) -> Result<(), AppError> {
    let ids: Vec<BoardPostId> = posts.iter().map(|post| post.id).collect();
    if selects_in_items(ctx, &["tags"]) {
        load_now::<BoardTagsLoader, _>(ctx, ids.clone()).await?;
    }
    if selects_in_items(ctx, &["kind"]) {
        load_now::<BoardKindLoader, _>(ctx, posts.iter().map(|post| post.kind.clone())).await?;
    }
    if selects_in_items(ctx, &["myInterest"]) {
        load_now::<MyInterestLoader, _>(ctx, ids.clone()).await?;
    }
    if selects_in_items(ctx, &["interestCount"]) || selects_in_items(ctx, &["interests"]) {
        load_now::<InterestCountLoader, _>(ctx, ids).await?;
    }
    if selects_in_items(ctx, &["author"]) {
        let authors: Vec<MemberId> = posts.iter().map(|post| post.author_id).collect();
        prefetch_members(ctx, authors).await?;
    }
    Ok(())
}

fn service<'a>(ctx: &Context<'a>) -> Result<&'a KnowledgeService, AppError> {
    data::<KnowledgeService>(ctx)
}

#[derive(Default)]
pub(super) struct BoardQuery;

#[Object]
impl BoardQuery {
    /// The kinds of board post, in display order. Any member.
    async fn board_kinds(&self, ctx: &Context<'_>) -> Result<Vec<BoardKind>> {
        let kinds = service(ctx)?.board_kinds(viewer(ctx)?).await?;
        Ok(kinds.into_iter().map(BoardKind).collect())
    }

    /// The collaboration board: posts that are open now (neither closed
    /// nor expired), newest first. Any member.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn board_posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to list.")] filter: Option<BoardPostFilter>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<BoardPost>> {
        let viewer = viewer(ctx)?.clone();
        let service = service(ctx)?.clone();
        let page = PageRequest::<Uuid>::new(first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let filter = BoardFilter {
            kind: filter.kind,
            direction: filter.direction,
            tag_slug: filter.tag.as_deref().map(search::normalize),
        };
        let rows = service.board_posts(&viewer, &filter, &page).await?;
        prefetch_posts(ctx, &rows).await?;
        let total_count =
            TotalCount::lazy(async move { service.board_post_count(&viewer, &filter).await });
        Ok(page.into_connection(
            rows,
            |post: &BoardPostRecord| post.id.0,
            BoardPost,
            total_count,
        ))
    }

    /// The viewer's own board posts, open, expired or closed, newest
    /// first.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn my_board_posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<BoardPost>> {
        let viewer = viewer(ctx)?.clone();
        let service = service(ctx)?.clone();
        let page = PageRequest::<Uuid>::new(first, after, last, before)?;
        let rows = service.my_board_posts(&viewer, &page).await?;
        prefetch_posts(ctx, &rows).await?;
        let total_count =
            TotalCount::lazy(async move { service.my_board_post_count(&viewer).await });
        Ok(page.into_connection(
            rows,
            |post: &BoardPostRecord| post.id.0,
            BoardPost,
            total_count,
        ))
    }
}

#[derive(Default)]
pub(super) struct BoardMutation;

#[Object]
impl BoardMutation {
    /// Posts an offer or a search on the board for thirty days. Any
    /// member. Title and body pass the leak guard (`CONTENT_BLOCKED`,
    /// `WARNINGS_NOT_CONFIRMED`; a held post waits for a moderator).
    async fn create_board_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post.")] input: BoardPostContent,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<BoardPost> {
        Ok(BoardPost(
            service(ctx)?
                .create_board_post(viewer(ctx)?, input.into_input(confirm_warnings))
                .await?,
        ))
    }

    /// Rewrites the viewer's own post (`FORBIDDEN` for anyone else's, the
    /// secretariat included; `CONFLICT` reason `CLOSED` once closed).
    async fn update_board_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
        #[graphql(desc = "The post as it should be.")] input: BoardPostContent,
        #[graphql(
            desc = "Save although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<BoardPost> {
        let id = BoardPostId::from_global(&id, "id")?;
        Ok(BoardPost(
            service(ctx)?
                .update_board_post(viewer(ctx)?, id, input.into_input(confirm_warnings))
                .await?,
        ))
    }

    /// Keeps the viewer's own post on the board for thirty days from now,
    /// also after it expired.
    async fn renew_board_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
    ) -> Result<BoardPost> {
        let id = BoardPostId::from_global(&id, "id")?;
        Ok(BoardPost(
            service(ctx)?.renew_board_post(viewer(ctx)?, id).await?,
        ))
    }

    /// Takes the viewer's own post off the board for good.
    async fn close_board_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] id: ID,
    ) -> Result<BoardPost> {
        let id = BoardPostId::from_global(&id, "id")?;
        Ok(BoardPost(
            service(ctx)?.close_board_post(viewer(ctx)?, id).await?,
        ))
    }

    /// Tells a post's author the viewer is interested, with an optional
    /// note (through the leak guard; one it would hold is refused with
    /// `CONFLICT` reason `NEEDS_REVIEW`). Once per post (`ALREADY_INTERESTED`);
    /// not on one's own post (`OWN_POST`) nor on one that left the board
    /// (`NOT_OPEN`).
    async fn express_interest(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] post_id: ID,
        #[graphql(desc = "A note to the author (at most 1,000 characters).", default)]
        message: String,
        #[graphql(
            desc = "Send although the leak guard warned (recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<BoardPost> {
        let id = BoardPostId::from_global(&post_id, "postId")?;
        Ok(BoardPost(
            service(ctx)?
                .express_interest(viewer(ctx)?, id, &message, confirm_warnings)
                .await?,
        ))
    }

    /// Takes back the viewer's interest in a post.
    async fn withdraw_interest(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the post.")] post_id: ID,
    ) -> Result<BoardPost> {
        let id = BoardPostId::from_global(&post_id, "postId")?;
        Ok(BoardPost(
            service(ctx)?.withdraw_interest(viewer(ctx)?, id).await?,
        ))
    }
}
