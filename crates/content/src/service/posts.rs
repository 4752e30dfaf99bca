//! Writing posts and moving them through draft → scheduled → published →
//! archived (and back to draft), and reading them.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::jobs::{self, JobError, JobRun, NewJob};
use alumni_core::moderation::{ModerationState, ScreenRequest, Screening};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, Viewer, search};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{ContentService, bounded, require_secretariat};
use crate::model::{
    AudienceFields, CategoryId, CategoryRecord, PostAudience, PostId, PostRecord, PostState,
    PostText,
};
use crate::store::posts::{self as store, FeedFilter};
use crate::visibility::{sees_post, sees_withheld, text_audience};
use alumni_core::markdown;

/// The job that publishes a scheduled post.
pub const PUBLISH_POST: &str = "content.publish_post";

/// The node type of posts, as the review queue names them.
pub const POST_NODE: &str = "Post";

/// Longest body, in characters.
const MAX_BODY_CHARS: usize = 100_000;
/// Most tags on a post.
const MAX_TAGS: usize = 10;
/// Most co-authors of a post.
const MAX_COAUTHORS: usize = 10;

/// A post as the secretariat writes it.
#[derive(Debug, Clone)]
pub struct PostInput {
    /// Title (1–200 characters).
    pub title: String,
    /// The lead (at most 500 characters).
    pub lead: String,
    /// The body in Markdown.
    pub body: String,
    /// Its category.
    pub category: Option<CategoryId>,
    /// A cover image (http or https).
    pub cover_image_url: Option<String>,
    /// Its author; the viewer if `None`.
    pub author: Option<MemberId>,
    /// Co-authors, in order.
    pub coauthors: Vec<MemberId>,
    /// Tags, by name (the shared vocabulary).
    pub tags: Vec<String>,
    /// Who it is for.
    pub audience: AudienceFields,
    /// Whether the author confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

/// A scheduled publication, as its job carries it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishScheduled {
    /// The post.
    pub post_id: PostId,
    /// The time it was scheduled for when the job was enqueued.
    pub scheduled_at: DateTime<Utc>,
}

fn validate_audience(audience: &AudienceFields) -> AppResult<()> {
    let cohort = audience.cohort_company_id.is_some()
        || audience.cohort_left_from.is_some()
        || audience.cohort_left_to.is_some()
        || audience.cohort_role.is_some();
    if audience.audience != PostAudience::Cohort && cohort {
        return Err(AppError::bad_input(
            "input.audience",
            "cohort fields need the COHORT audience",
        ));
    }
    for (year, field) in [
        (audience.cohort_left_from, "input.audience.leftFrom"),
        (audience.cohort_left_to, "input.audience.leftTo"),
    ] {
        if year.is_some_and(|year| !(1900..=2200).contains(&year)) {
            return Err(AppError::bad_input(
                field,
                "must be a year between 1900 and 2200",
            ));
        }
    }
    if let (Some(from), Some(to)) = (audience.cohort_left_from, audience.cohort_left_to)
        && from > to
    {
        return Err(AppError::bad_input(
            "input.audience.leftTo",
            "must not be before leftFrom",
        ));
    }
    Ok(())
}

impl PostInput {
    /// The checked text, rendered.
    fn text(&self) -> AppResult<PostText> {
        let body = self.body.trim().to_owned();
        if body.chars().count() > MAX_BODY_CHARS {
            return Err(AppError::bad_input(
                "input.body",
                format!("must be at most {MAX_BODY_CHARS} characters"),
            ));
        }
        let cover_image_url = self
            .cover_image_url
            .as_deref()
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(|url| {
                if url.len() <= 2000 && (url.starts_with("https://") || url.starts_with("http://"))
                {
                    Ok(url.to_owned())
                } else {
                    Err(AppError::bad_input(
                        "input.coverImageUrl",
                        "must be an http or https URL",
                    ))
                }
            })
            .transpose()?;
        validate_audience(&self.audience)?;
        if self.coauthors.len() > MAX_COAUTHORS {
            return Err(AppError::bad_input(
                "input.coauthorIds",
                format!("at most {MAX_COAUTHORS} co-authors"),
            ));
        }
        Ok(PostText {
            title: bounded(&self.title, "input.title", 200, true)?,
            lead: bounded(&self.lead, "input.lead", 500, false)?,
            body_html: markdown::to_safe_html(&body),
            body,
            category_id: self.category,
            cover_image_url,
        })
    }
}

/// The normalised searchable text of a post and its grams.
fn searchable(text: &PostText) -> (String, Vec<String>) {
    let plain = markdown::to_plain_text(&text.body);
    let values = [text.title.as_str(), text.lead.as_str(), plain.as_str()];
    (search::index_text(values), search::index_grams(values))
}

impl ContentService {
    async fn screen_post(
        &self,
        author: MemberId,
        id: PostId,
        text: &PostText,
        audience: &AudienceFields,
        confirm_warnings: bool,
    ) -> AppResult<Screening> {
        self.ctx
            .screener
            .screen(
                self.ctx.now(),
                ScreenRequest {
                    author,
                    subject_type: POST_NODE,
                    subject_id: id.0,
                    audience: text_audience(audience),
                    fields: vec![
                        ("input.title", &text.title),
                        ("input.lead", &text.lead),
                        ("input.body", &text.body),
                    ],
                    confirm_warnings,
                },
            )
            .await
    }

    /// Writes a new draft. Secretariat only. Its texts pass the leak guard
    /// for its audience.
    pub async fn create_post(&self, viewer: &Viewer, input: PostInput) -> AppResult<PostRecord> {
        let actor = require_secretariat(viewer)?;
        let now = self.ctx.now();
        let text = input.text()?;
        let id = PostId::new();
        let author = input.author.unwrap_or(actor);
        let screening = self
            .screen_post(author, id, &text, &input.audience, input.confirm_warnings)
            .await?;
        let post = PostRecord {
            id,
            text,
            audience: input.audience.clone(),
            author_id: Some(author),
            state: PostState::Draft,
            scheduled_at: None,
            published_at: None,
            moderation: screening.state,
            created_at: now,
            updated_at: now,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert(conn, &post, &searchable(&post.text)).await?;
            self.save_people_and_tags(conn, id, &input, now).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("content.post_created").by(actor).on(id),
            )
            .await
        })
        .await?;
        Ok(post)
    }

    async fn save_people_and_tags(
        &self,
        conn: &mut AsyncPgConnection,
        id: PostId,
        input: &PostInput,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let tags = self
            .membership
            .ensure_tags_in(conn, &input.tags, "input.tags", MAX_TAGS, now)
            .await?;
        let tag_ids: Vec<Uuid> = tags.iter().map(|tag| tag.id.0).collect();
        store::set_tags(conn, id, &tag_ids).await?;
        store::set_coauthors(conn, id, &input.coauthors).await?;
        Ok(())
    }

    /// Moves posts' tags from the tag `from` onto `into`, inside the
    /// secretariat's merge of the shared vocabulary (`Domain::merge_tag`).
    pub async fn merge_tag_in(
        &self,
        conn: &mut AsyncPgConnection,
        from: Uuid,
        into: Uuid,
    ) -> AppResult<()> {
        Ok(store::merge_tag(conn, from, into).await?)
    }

    /// Rewrites a post. A published post keeps its earlier text as a
    /// revision; the new text passes the leak guard again (a held edit
    /// withdraws the post until a moderator releases it). Secretariat only.
    pub async fn update_post(
        &self,
        viewer: &Viewer,
        id: PostId,
        input: PostInput,
    ) -> AppResult<PostRecord> {
        let actor = require_secretariat(viewer)?;
        let now = self.ctx.now();
        let text = input.text()?;
        let mut conn = self.ctx.conn().await?;
        let current = store::by_ids(&mut conn, &[id])
            .await?
            .pop()
            .ok_or(AppError::NotFound { entity: "Post" })?;
        drop(conn);
        let author = input.author.or(current.author_id).unwrap_or(actor);
        let screening = self
            .screen_post(author, id, &text, &input.audience, input.confirm_warnings)
            .await?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let post = store::lock(conn, id)
                .await?
                .ok_or(AppError::NotFound { entity: "Post" })?;
            if post.state == PostState::Published {
                store::insert_revision(conn, &post, actor, now).await?;
            }
            let moderation = post.moderation.after_edit(screening.state);
            let updated = store::update_text(
                conn,
                id,
                &text,
                &input.audience,
                moderation,
                &searchable(&text),
                now,
            )
            .await?;
            self.save_people_and_tags(conn, id, &input, now).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("content.post_updated").by(actor).on(id),
            )
            .await?;
            Ok(updated)
        })
        .await
    }

    /// Moves a post, under its lock, from one of `from` to `to`;
    /// `CONFLICT` (reason `INVALID_TRANSITION`) from any other state.
    async fn transition(
        &self,
        viewer: &Viewer,
        id: PostId,
        from: &[PostState],
        to: PostState,
        scheduled_at: Option<DateTime<Utc>>,
    ) -> AppResult<PostRecord> {
        let actor = require_secretariat(viewer)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let post = store::lock(conn, id)
                .await?
                .ok_or(AppError::NotFound { entity: "Post" })?;
            if !from.contains(&post.state) {
                return Err(AppError::Conflict {
                    message: format!("a {} post cannot become {}", post.state, to),
                    reason: Some("INVALID_TRANSITION"),
                });
            }
            let published_at = match to {
                PostState::Published => Some(now),
                PostState::Archived => post.published_at,
                PostState::Draft | PostState::Scheduled => None,
            };
            let moved = store::set_state(conn, id, to, scheduled_at, published_at, now).await?;
            if let Some(at) = scheduled_at {
                let job = PublishScheduled {
                    post_id: id,
                    scheduled_at: at,
                };
                jobs::enqueue(
                    conn,
                    now,
                    NewJob::new(PUBLISH_POST, &job)
                        .key(format!("{}@{}", id.0, at.timestamp_micros()))
                        .run_at(at),
                )
                .await?;
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("content.post_state_changed")
                    .by(actor)
                    .on(id)
                    .details(json!({ "from": post.state.as_str(), "to": to.as_str(), "scheduledAt": scheduled_at })),
            )
            .await?;
            Ok(moved)
        })
        .await
    }

    /// Schedules a draft (or reschedules a scheduled post) to be published
    /// at `at`, which must be in the future. A rescheduled or unpublished
    /// post never goes out at its old time. Secretariat only.
    pub async fn schedule_post(
        &self,
        viewer: &Viewer,
        id: PostId,
        at: DateTime<Utc>,
    ) -> AppResult<PostRecord> {
        if at <= self.ctx.now() {
            return Err(AppError::bad_input("at", "must be in the future"));
        }
        self.transition(
            viewer,
            id,
            &[PostState::Draft, PostState::Scheduled],
            PostState::Scheduled,
            Some(at),
        )
        .await
    }

    /// Publishes a draft or scheduled post now. Secretariat only.
    pub async fn publish_post(&self, viewer: &Viewer, id: PostId) -> AppResult<PostRecord> {
        self.transition(
            viewer,
            id,
            &[PostState::Draft, PostState::Scheduled],
            PostState::Published,
            None,
        )
        .await
    }

    /// Takes a published or scheduled post back to draft. Secretariat only.
    pub async fn unpublish_post(&self, viewer: &Viewer, id: PostId) -> AppResult<PostRecord> {
        self.transition(
            viewer,
            id,
            &[PostState::Published, PostState::Scheduled],
            PostState::Draft,
            None,
        )
        .await
    }

    /// Takes a published post out of the feed, keeping it. Secretariat only.
    pub async fn archive_post(&self, viewer: &Viewer, id: PostId) -> AppResult<PostRecord> {
        self.transition(
            viewer,
            id,
            &[PostState::Published],
            PostState::Archived,
            None,
        )
        .await
    }

    /// The job: publishes a scheduled post if it is still scheduled for
    /// the time the job was enqueued with.
    pub async fn publish_scheduled(&self, run: JobRun) -> Result<(), JobError> {
        let job: PublishScheduled = run.payload()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let Some(post) = store::lock(conn, job.post_id).await? else {
                return Ok(());
            };
            if post.state != PostState::Scheduled || post.scheduled_at != Some(job.scheduled_at) {
                return Ok(());
            }
            store::set_state(
                conn,
                post.id,
                PostState::Published,
                None,
                Some(job.scheduled_at),
                now,
            )
            .await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("content.post_published_on_schedule").on(post.id),
            )
            .await
        })
        .await
        .map_err(JobError::from)
    }

    /// One page of the feed: published posts the viewer's audience admits,
    /// newest first, filtered. `query` searches titles, leads and bodies.
    pub async fn feed(
        &self,
        viewer: &Viewer,
        filter: &FeedFilter,
        page: &PageRequest<(DateTime<Utc>, Uuid)>,
    ) -> AppResult<Vec<PostRecord>> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        Ok(store::feed_page(&mut conn, &reader, sees_withheld(viewer), filter, page).await?)
    }

    /// One page of a search over the feed (`filter.terms` not empty):
    /// posts with more of the words in their title first, then newest
    /// first; each with its rank (the first part of its cursor).
    pub async fn search(
        &self,
        viewer: &Viewer,
        filter: &FeedFilter,
        page: &PageRequest<(i32, DateTime<Utc>, Uuid)>,
    ) -> AppResult<Vec<(PostRecord, i32)>> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        let found =
            store::search_page(&mut conn, &reader, sees_withheld(viewer), filter, page).await?;
        let ids: Vec<PostId> = found.iter().map(|found| PostId(found.id)).collect();
        let mut posts: std::collections::HashMap<PostId, PostRecord> =
            store::by_ids(&mut conn, &ids)
                .await?
                .into_iter()
                .map(|post| (post.id, post))
                .collect();
        Ok(found
            .into_iter()
            .filter_map(|found| {
                posts
                    .remove(&PostId(found.id))
                    .map(|post| (post, found.rank))
            })
            .collect())
    }

    /// How many posts the feed lists.
    pub async fn feed_count(&self, viewer: &Viewer, filter: &FeedFilter) -> AppResult<ListSize> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        let count = store::feed_count(&mut conn, &reader, sees_withheld(viewer), filter).await?;
        Ok(ListSize::from_capped_count(count))
    }

    /// Drafts, scheduled and archived posts (or those in `state`), most
    /// recently changed first. Secretariat only.
    pub async fn desk(
        &self,
        viewer: &Viewer,
        state: Option<PostState>,
        page: &PageRequest<(DateTime<Utc>, Uuid)>,
    ) -> AppResult<Vec<PostRecord>> {
        require_secretariat(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::desk_page(&mut conn, state, page).await?)
    }

    /// How many posts the desk lists. Secretariat only.
    pub async fn desk_count(
        &self,
        viewer: &Viewer,
        state: Option<PostState>,
    ) -> AppResult<ListSize> {
        require_secretariat(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(ListSize::from_capped_count(
            store::desk_count(&mut conn, state).await?,
        ))
    }

    /// Posts among `ids` the viewer may see.
    pub async fn posts_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[PostId],
    ) -> AppResult<Vec<PostRecord>> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        Ok(store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|post| sees_post(viewer, &reader, post))
            .collect())
    }

    /// The categories, in display order. Any member.
    pub async fn categories(&self, viewer: &Viewer) -> AppResult<Vec<CategoryRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::categories(&mut conn).await?)
    }

    /// Adds a category at the end. Secretariat only; `CONFLICT` when the
    /// name is taken.
    pub async fn create_category(&self, viewer: &Viewer, name: &str) -> AppResult<CategoryRecord> {
        let actor = require_secretariat(viewer)?;
        let name = bounded(name, "name", 50, true)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let position = i32::try_from(store::categories(conn).await?.len()).unwrap_or(i32::MAX);
            let category = CategoryRecord {
                id: CategoryId::new(),
                name,
                position,
                created_at: now,
            };
            if !store::insert_category(conn, &category).await? {
                return Err(AppError::conflict("a category has this name"));
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("content.category_created")
                    .by(actor)
                    .on(category.id),
            )
            .await?;
            Ok(category)
        })
        .await
    }

    /// The earlier texts of a post, newest first. Secretariat only.
    pub async fn revisions(
        &self,
        viewer: &Viewer,
        id: PostId,
    ) -> AppResult<Vec<(String, String, String, Option<MemberId>, DateTime<Utc>)>> {
        require_secretariat(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::revisions_of(&mut conn, id).await?)
    }

    /// Sets a post's moderation state (for the review queue).
    pub(crate) async fn set_post_moderation_in(
        conn: &mut AsyncPgConnection,
        id: PostId,
        state: ModerationState,
    ) -> AppResult<()> {
        Ok(store::set_moderation(conn, id, state).await?)
    }
}
