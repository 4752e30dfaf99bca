//! Articles: written, edited with revisions, published, listed.

use alumni_core::MemberId;
use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{
    ArticleId, ArticleRecord, ArticleRevisionRecord, ArticleState, KnowledgeAudience,
};
use crate::schema::knowledge::{article_revisions, article_tags, articles};

/// What the list of published articles shows a viewer.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The audiences the viewer belongs to.
    pub audiences: Vec<KnowledgeAudience>,
    /// Whether held and hidden articles are listed too (moderators).
    pub withheld: bool,
}

/// Narrows the list of published articles.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// Only articles with this tag (a tag's or an alias's slug).
    pub tag_slug: Option<String>,
    /// Only articles by this member.
    pub author: Option<MemberId>,
}

/// A new text of an article, checked and rendered.
#[derive(Debug, Clone)]
pub struct ArticleText {
    /// Title.
    pub title: String,
    /// Markdown.
    pub body: String,
    /// The Markdown rendered and sanitised.
    pub body_html: String,
    /// Who may read it.
    pub audience: KnowledgeAudience,
}

/// Saves a new article.
pub async fn insert(conn: &mut AsyncPgConnection, article: &ArticleRecord) -> QueryResult<()> {
    diesel::insert_into(articles::table)
        .values(article)
        .execute(conn)
        .await?;
    Ok(())
}

/// One article, locked for the transaction.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    id: ArticleId,
) -> QueryResult<Option<ArticleRecord>> {
    articles::table
        .find(id)
        .select(ArticleRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Articles by id, whatever their state.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[ArticleId],
) -> QueryResult<Vec<ArticleRecord>> {
    articles::table
        .filter(articles::id.eq_any(ids))
        .select(ArticleRecord::as_select())
        .load(conn)
        .await
}

/// Replaces an article's text and audience.
pub async fn update_text(
    conn: &mut AsyncPgConnection,
    id: ArticleId,
    text: &ArticleText,
    moderation: ModerationState,
    now: DateTime<Utc>,
) -> QueryResult<ArticleRecord> {
    diesel::update(articles::table.find(id))
        .set((
            articles::title.eq(&text.title),
            articles::body.eq(&text.body),
            articles::body_html.eq(&text.body_html),
            articles::audience.eq(text.audience),
            articles::moderation.eq(moderation),
            articles::updated_at.eq(now),
        ))
        .returning(ArticleRecord::as_returning())
        .get_result(conn)
        .await
}

/// Moves an article to `state`, with the time it was first published.
pub async fn set_state(
    conn: &mut AsyncPgConnection,
    id: ArticleId,
    state: ArticleState,
    published_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<ArticleRecord> {
    diesel::update(articles::table.find(id))
        .set((
            articles::state.eq(state),
            articles::published_at.eq(published_at),
            articles::updated_at.eq(now),
        ))
        .returning(ArticleRecord::as_returning())
        .get_result(conn)
        .await
}

/// Deletes an article with its tags, revisions and comments.
pub async fn delete(conn: &mut AsyncPgConnection, id: ArticleId) -> QueryResult<()> {
    diesel::delete(articles::table.find(id))
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps the text an edit of a published article replaced.
pub async fn insert_revision(
    conn: &mut AsyncPgConnection,
    revision: &ArticleRevisionRecord,
) -> QueryResult<()> {
    diesel::insert_into(article_revisions::table)
        .values(revision)
        .execute(conn)
        .await?;
    Ok(())
}

/// The earlier texts of several articles, newest first; with `reader`,
/// only of the articles they wrote.
pub async fn revisions_of(
    conn: &mut AsyncPgConnection,
    ids: &[ArticleId],
    reader: Option<MemberId>,
) -> QueryResult<Vec<ArticleRevisionRecord>> {
    let mut query = article_revisions::table
        .filter(article_revisions::article_id.eq_any(ids))
        .select(ArticleRevisionRecord::as_select())
        .order((
            article_revisions::article_id,
            article_revisions::edited_at.desc(),
        ))
        .into_boxed();
    if let Some(reader) = reader {
        query = query.filter(
            article_revisions::article_id.eq_any(
                articles::table
                    .filter(articles::author_id.eq(reader))
                    .filter(articles::id.eq_any(ids))
                    .select(articles::id),
            ),
        );
    }
    query.load(conn).await
}

/// Replaces an article's tags.
pub async fn set_tags(
    conn: &mut AsyncPgConnection,
    id: ArticleId,
    tags: &[Uuid],
) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = tags
        .iter()
        .map(|tag| {
            (
                article_tags::article_id.eq(id),
                article_tags::tag_id.eq(*tag),
            )
        })
        .collect();
    diesel::insert_into(article_tags::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// The tags of several articles.
pub async fn tags_of(
    conn: &mut AsyncPgConnection,
    ids: &[ArticleId],
) -> QueryResult<Vec<(ArticleId, Uuid)>> {
    article_tags::table
        .filter(article_tags::article_id.eq_any(ids))
        .select((article_tags::article_id, article_tags::tag_id))
        .load(conn)
        .await
}

/// Published articles the listing admits, matching `filter`.
fn published(listing: &Listing, filter: &ArticleFilter) -> articles::BoxedQuery<'static, Pg> {
    let mut query = articles::table
        .filter(articles::state.eq(ArticleState::Published))
        .filter(articles::audience.eq_any(listing.audiences.clone()))
        .into_boxed();
    if !listing.withheld {
        query = query.filter(articles::moderation.eq(ModerationState::Visible));
    }
    if let Some(author) = filter.author {
        query = query.filter(articles::author_id.eq(author));
    }
    if let Some(slug) = &filter.tag_slug {
        // The tag named by the slug or by an alias of it, resolved as
        // everywhere (`membership.tags_named`).
        query = query.filter(exists(
            article_tags::table
                .filter(article_tags::article_id.eq(articles::id))
                .filter(
                    sql::<Bool>(
                        "knowledge.article_tags.tag_id IN \
                         (SELECT id FROM membership.tags_named(ARRAY[",
                    )
                    .bind::<Text, _>(slug.clone())
                    .sql("]) AS id)"),
                ),
        ));
    }
    query
}

/// One page of published articles, newest first.
pub async fn published_page(
    conn: &mut AsyncPgConnection,
    listing: &Listing,
    filter: &ArticleFilter,
    page: &PageRequest<(DateTime<Utc>, Uuid)>,
) -> QueryResult<Vec<ArticleRecord>> {
    seek(
        published(listing, filter).select(ArticleRecord::as_select()),
        page,
        (articles::published_at.assume_not_null(), articles::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many published articles the listing shows, up to the cap.
pub async fn published_count(
    conn: &mut AsyncPgConnection,
    listing: &Listing,
    filter: &ArticleFilter,
) -> QueryResult<i64> {
    capped_count(published(listing, filter).select(articles::id))
        .get_result(conn)
        .await
}

/// One page of a member's own articles, drafts too, most recently changed
/// first.
pub async fn by_author_page(
    conn: &mut AsyncPgConnection,
    author: MemberId,
    page: &PageRequest<(DateTime<Utc>, Uuid)>,
) -> QueryResult<Vec<ArticleRecord>> {
    seek(
        articles::table
            .filter(articles::author_id.eq(author))
            .select(ArticleRecord::as_select())
            .into_boxed(),
        page,
        (articles::updated_at, articles::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many articles a member wrote, up to the cap.
pub async fn by_author_count(conn: &mut AsyncPgConnection, author: MemberId) -> QueryResult<i64> {
    capped_count(
        articles::table
            .filter(articles::author_id.eq(author))
            .select(articles::id)
            .into_boxed(),
    )
    .get_result(conn)
    .await
}
