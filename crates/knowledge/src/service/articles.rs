//! Members' articles: written as drafts, published to an audience (every
//! member, alumni only or employees only), edited with the replaced text
//! kept as a revision, marked helpful by readers, found by search.
//!
//! Who reads an article: its author always (drafts are theirs alone);
//! anyone else a published article whose audience they belong to, unless
//! the leak guard holds it or a moderator hid it, which moderators still
//! read. The secretariat belongs to every audience.

use std::collections::HashMap;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::markdown;
use alumni_core::moderation::{self, ScreenRequest, Screening, TextAudience};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, Viewer};
use alumni_membership::model::{TagId, TagRecord};
use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use super::helpful::set_helpful_in;
use super::{KnowledgeService, bounded, participant};
use crate::model::{
    ArticleId, ArticleRecord, ArticleRevisionId, ArticleRevisionRecord, ArticleState, DocumentKind,
    KnowledgeAudience,
};
use crate::store::articles::{self as store, ArticleText, Listing};
use crate::store::documents::{self, Document};
use crate::store::helpful::{self, Counted};

pub use crate::store::articles::ArticleFilter;

/// The node type of articles, as the review queue names them.
pub const ARTICLE_NODE: &str = "Article";

/// Longest title, in characters.
const MAX_TITLE_CHARS: usize = 200;
/// Longest body, in characters.
const MAX_BODY_CHARS: usize = 100_000;

/// An article as its author writes it (a whole new text on every save).
#[derive(Debug, Clone)]
pub struct ArticleInput {
    /// Title (1–200 characters).
    pub title: String,
    /// The body in Markdown (1–100,000 characters).
    pub body: String,
    /// Tags by name (at most five; new names join the shared vocabulary).
    pub tags: Vec<String>,
    /// Who may read it once published; the author must belong to it.
    pub audience: KnowledgeAudience,
    /// Whether the author confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

impl ArticleInput {
    /// The checked text, rendered, for an author holding `roles`.
    fn text(&self, roles: alumni_core::RoleSet) -> AppResult<ArticleText> {
        let title = bounded(&self.title, "input.title", 1, MAX_TITLE_CHARS)?;
        let body = bounded(&self.body, "input.body", 1, MAX_BODY_CHARS)?;
        if !self.audience.admits(roles) {
            return Err(AppError::bad_input(
                "input.audience",
                "write for an audience you belong to",
            ));
        }
        Ok(ArticleText {
            title,
            body_html: markdown::to_safe_html(&body),
            body,
            audience: self.audience,
        })
    }
}

/// Who reads an article's texts, for the leak guard: rules about internal
/// matters apply unless only employees read it.
pub(crate) fn text_audience(audience: KnowledgeAudience) -> TextAudience {
    match audience {
        KnowledgeAudience::Employees => TextAudience::EmployeesOnly,
        KnowledgeAudience::Everyone | KnowledgeAudience::Alumni => TextAudience::Alumni,
    }
}

/// Whether the viewer may read `article` (see the module's rule).
pub(crate) fn sees_article(viewer: &Viewer, article: &ArticleRecord) -> bool {
    let Ok(identity) = viewer.identity() else {
        return false;
    };
    identity.member_id == article.author_id
        || (article.state == ArticleState::Published
            && article.audience.admits(identity.roles)
            && moderation::sees(viewer, article.moderation, Some(article.author_id)))
}

/// What the list of published articles shows the viewer.
fn listing(viewer: &Viewer) -> AppResult<Listing> {
    let roles = participant(viewer)?.roles;
    Ok(Listing {
        audiences: KnowledgeAudience::admitted(roles),
        withheld: moderation::moderates(viewer),
    })
}

/// `NOT_FOUND` for an article the viewer may not read, `FORBIDDEN` for one
/// they read but did not write.
fn own(viewer: &Viewer, article: &ArticleRecord) -> AppResult<()> {
    if viewer.is_member(article.author_id) {
        Ok(())
    } else if sees_article(viewer, article) {
        Err(AppError::forbidden("only its author may change an article"))
    } else {
        Err(AppError::NotFound { entity: "Article" })
    }
}

/// Writes the article's entry in the search index (its title, the plain
/// text of its body and its tags) and whether it is listed.
async fn save_document(conn: &mut AsyncPgConnection, article: &ArticleRecord) -> QueryResult<()> {
    let text = markdown::to_plain_text(&article.body);
    let tag_ids = store::tags_of(conn, &[article.id])
        .await?
        .into_iter()
        .map(|(_, tag)| tag)
        .collect();
    documents::save(
        conn,
        &Document {
            subject_id: article.id.0,
            kind: DocumentKind::Article,
            question_id: None,
            author_id: Some(article.author_id.0),
            audience: article.audience,
            expires_at: None,
            title: &article.title,
            text: &text,
            tag_ids,
            created_at: article.created_at,
        },
    )
    .await
}

impl KnowledgeService {
    async fn screen_article(
        &self,
        author: MemberId,
        id: ArticleId,
        text: &ArticleText,
        confirm_warnings: bool,
    ) -> AppResult<Screening> {
        self.ctx
            .screener
            .screen(
                self.ctx.now(),
                ScreenRequest {
                    author,
                    subject_type: ARTICLE_NODE,
                    subject_id: id.0,
                    audience: text_audience(text.audience),
                    fields: vec![("input.title", &text.title), ("input.body", &text.body)],
                    confirm_warnings,
                },
            )
            .await
    }

    /// The article if the viewer may read it, else `NOT_FOUND`.
    pub(crate) async fn readable_article_in(
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
        id: ArticleId,
    ) -> AppResult<ArticleRecord> {
        store::by_ids(conn, &[id])
            .await?
            .pop()
            .filter(|article| sees_article(viewer, article))
            .ok_or(AppError::NotFound { entity: "Article" })
    }

    async fn save_tags(
        &self,
        conn: &mut AsyncPgConnection,
        id: ArticleId,
        names: &[String],
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let tags = self.tags_in(conn, names, "input.tags", now).await?;
        let ids: Vec<Uuid> = tags.iter().map(|tag| tag.id.0).collect();
        Ok(store::set_tags(conn, id, &ids).await?)
    }

    /// Writes a new draft, seen by its author alone until published. Its
    /// title and body pass the leak guard for its audience.
    pub async fn create_article(
        &self,
        viewer: &Viewer,
        input: ArticleInput,
    ) -> AppResult<ArticleRecord> {
        let identity = participant(viewer)?;
        let text = input.text(identity.roles)?;
        let id = ArticleId::new();
        let now = self.ctx.now();
        let screening = self
            .screen_article(identity.member_id, id, &text, input.confirm_warnings)
            .await?;
        let article = ArticleRecord {
            id,
            author_id: identity.member_id,
            title: text.title,
            body: text.body,
            body_html: text.body_html,
            audience: text.audience,
            state: ArticleState::Draft,
            moderation: screening.state,
            helpful_count: 0,
            created_at: now,
            updated_at: now,
            published_at: None,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert(conn, &article).await?;
            self.save_tags(conn, id, &input.tags, now).await?;
            save_document(conn, &article).await?;
            self.ctx.screener.record_in(conn, now, &screening).await
        })
        .await?;
        Ok(article)
    }

    /// Rewrites the viewer's own article. When a published article's title
    /// or body changes, the text it replaces is kept as a revision. The new
    /// text passes the leak guard again: a held edit withdraws the article
    /// until a moderator releases it, and a clean edit never releases what
    /// was held or hidden.
    pub async fn update_article(
        &self,
        viewer: &Viewer,
        id: ArticleId,
        input: ArticleInput,
    ) -> AppResult<ArticleRecord> {
        let identity = participant(viewer)?;
        let text = input.text(identity.roles)?;
        let mut conn = self.ctx.conn().await?;
        let current = Self::readable_article_in(&mut conn, viewer, id).await?;
        drop(conn);
        own(viewer, &current)?;
        let screening = self
            .screen_article(identity.member_id, id, &text, input.confirm_warnings)
            .await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = store::lock(conn, id)
                .await?
                .ok_or(AppError::NotFound { entity: "Article" })?;
            own(viewer, &current)?;
            if current.state == ArticleState::Published
                && (current.title != text.title || current.body != text.body)
            {
                store::insert_revision(
                    conn,
                    &ArticleRevisionRecord {
                        id: ArticleRevisionId::new(),
                        article_id: id,
                        title: current.title.clone(),
                        body: current.body.clone(),
                        edited_at: now,
                    },
                )
                .await?;
            }
            let moderation = current.moderation.after_edit(screening.state);
            let updated = store::update_text(conn, id, &text, moderation, now).await?;
            self.save_tags(conn, id, &input.tags, now).await?;
            save_document(conn, &updated).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            Ok(updated)
        })
        .await
    }

    /// Moves the viewer's own article from `from` to `to`; `CONFLICT`
    /// (reason `INVALID_TRANSITION`) from the other state.
    async fn transition(
        &self,
        viewer: &Viewer,
        id: ArticleId,
        from: ArticleState,
        to: ArticleState,
    ) -> AppResult<ArticleRecord> {
        participant(viewer)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let article = store::lock(conn, id)
                .await?
                .ok_or(AppError::NotFound { entity: "Article" })?;
            own(viewer, &article)?;
            if article.state != from {
                return Err(AppError::Conflict {
                    message: format!("a {} article cannot become {to}", article.state),
                    reason: Some("INVALID_TRANSITION"),
                });
            }
            // The first publication dates the article for good: taking it
            // back and out again does not move it to the top of the list.
            let published_at = article.published_at.or(Some(now));
            let moved = store::set_state(conn, id, to, published_at, now).await?;
            documents::refresh(conn, id.0).await?;
            Ok(moved)
        })
        .await
    }

    /// Publishes the viewer's draft to its audience.
    pub async fn publish_article(
        &self,
        viewer: &Viewer,
        id: ArticleId,
    ) -> AppResult<ArticleRecord> {
        self.transition(viewer, id, ArticleState::Draft, ArticleState::Published)
            .await
    }

    /// Takes the viewer's published article back to draft: only they see
    /// it until they publish it again.
    pub async fn unpublish_article(
        &self,
        viewer: &Viewer,
        id: ArticleId,
    ) -> AppResult<ArticleRecord> {
        self.transition(viewer, id, ArticleState::Published, ArticleState::Draft)
            .await
    }

    /// Deletes an article with its revisions, comments, helpful marks and
    /// search entry: the author's own, or, for a moderator, one they can
    /// read (recorded in the audit log).
    pub async fn delete_article(&self, viewer: &Viewer, id: ArticleId) -> AppResult<()> {
        let actor = participant(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let article = store::lock(conn, id)
                .await?
                .ok_or(AppError::NotFound { entity: "Article" })?;
            let by_author = article.author_id == actor;
            if !by_author && !moderation::moderates(viewer) {
                own(viewer, &article)?;
            }
            if !sees_article(viewer, &article) {
                return Err(AppError::NotFound { entity: "Article" });
            }
            helpful::forget_subjects(conn, &[id.0]).await?;
            documents::remove(conn, &[id.0]).await?;
            store::delete(conn, id).await?;
            if !by_author {
                audit::record(
                    conn,
                    now,
                    AuditEntry::new("knowledge.article_deleted")
                        .by(actor)
                        .on(id)
                        .details(json!({ "author": article.author_id, "title": article.title })),
                )
                .await?;
            }
            Ok(())
        })
        .await
    }

    /// Marks an article the viewer reads (and did not write) helpful
    /// (`on`), or takes the mark back; one mark per member, so marking
    /// twice counts once. `CONFLICT` reason `OWN_CONTENT` for their own.
    pub async fn set_article_helpful(
        &self,
        viewer: &Viewer,
        id: ArticleId,
        on: bool,
    ) -> AppResult<ArticleRecord> {
        let member = participant(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let article = store::lock(conn, id)
                .await?
                .filter(|article| sees_article(viewer, article))
                .ok_or(AppError::NotFound { entity: "Article" })?;
            if article.author_id == member {
                return Err(AppError::Conflict {
                    message: "you cannot mark your own article helpful".to_owned(),
                    reason: Some("OWN_CONTENT"),
                });
            }
            let changed = set_helpful_in(conn, Counted::Articles, id.0, member, on, now).await?;
            let delta = match (changed, on) {
                (false, _) => 0,
                (true, true) => 1,
                (true, false) => -1,
            };
            Ok(ArticleRecord {
                helpful_count: article.helpful_count + delta,
                ..article
            })
        })
        .await
    }

    /// One page of published articles the viewer may read, newest first.
    pub async fn articles(
        &self,
        viewer: &Viewer,
        filter: &ArticleFilter,
        page: &PageRequest<(DateTime<Utc>, Uuid)>,
    ) -> AppResult<Vec<ArticleRecord>> {
        let listing = listing(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::published_page(&mut conn, &listing, filter, page).await?)
    }

    /// How many published articles the viewer may read, as filtered.
    pub async fn articles_count(
        &self,
        viewer: &Viewer,
        filter: &ArticleFilter,
    ) -> AppResult<ListSize> {
        let listing = listing(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(ListSize::from_capped_count(
            store::published_count(&mut conn, &listing, filter).await?,
        ))
    }

    /// One page of the viewer's own articles, drafts too, most recently
    /// changed first.
    pub async fn my_articles(
        &self,
        viewer: &Viewer,
        page: &PageRequest<(DateTime<Utc>, Uuid)>,
    ) -> AppResult<Vec<ArticleRecord>> {
        let member = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_author_page(&mut conn, member, page).await?)
    }

    /// How many articles the viewer wrote.
    pub async fn my_articles_count(&self, viewer: &Viewer) -> AppResult<ListSize> {
        let member = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(ListSize::from_capped_count(
            store::by_author_count(&mut conn, member).await?,
        ))
    }

    /// Articles among `ids` the viewer may read.
    pub async fn articles_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[ArticleId],
    ) -> AppResult<Vec<ArticleRecord>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|article| sees_article(viewer, article))
            .collect())
    }

    /// The tags of several articles the viewer reads.
    pub async fn article_tags(
        &self,
        viewer: &Viewer,
        ids: &[ArticleId],
    ) -> AppResult<HashMap<ArticleId, Vec<TagRecord>>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let pairs = store::tags_of(&mut conn, ids).await?;
        let tag_ids: Vec<TagId> = pairs.iter().map(|(_, tag)| TagId(*tag)).collect();
        let tags: HashMap<Uuid, TagRecord> = self
            .membership
            .tags_by_ids_in(&mut conn, &tag_ids)
            .await?
            .into_iter()
            .map(|tag| (tag.id.0, tag))
            .collect();
        let mut by_article: HashMap<ArticleId, Vec<TagRecord>> = HashMap::new();
        for (article, tag) in pairs {
            if let Some(tag) = tags.get(&tag) {
                by_article.entry(article).or_default().push(tag.clone());
            }
        }
        for tags in by_article.values_mut() {
            tags.sort_by(|a, b| a.slug.cmp(&b.slug));
        }
        Ok(by_article)
    }

    /// The earlier texts of several articles, newest first: of every
    /// article for moderators, of their own for anyone else.
    pub async fn article_revisions(
        &self,
        viewer: &Viewer,
        ids: &[ArticleId],
    ) -> AppResult<HashMap<ArticleId, Vec<ArticleRevisionRecord>>> {
        let member = participant(viewer)?.member_id;
        let reader = (!moderation::moderates(viewer)).then_some(member);
        let mut conn = self.ctx.conn().await?;
        let mut by_article: HashMap<ArticleId, Vec<ArticleRevisionRecord>> = HashMap::new();
        for revision in store::revisions_of(&mut conn, ids, reader).await? {
            by_article
                .entry(revision.article_id)
                .or_default()
                .push(revision);
        }
        Ok(by_article)
    }
}
