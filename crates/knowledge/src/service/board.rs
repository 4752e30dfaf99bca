//! The collaboration board: members' offers and searches (a partner for a
//! project, a speaker, a side business, a study group), each listed for
//! thirty days unless renewed. Members say they are interested; only the
//! author sees who, and decides whom to contact. The secretariat has no
//! say here beyond moderating through the review queue.

use std::collections::HashMap;

use alumni_core::markdown;
use alumni_core::moderation::{self, ScreenRequest, TextAudience};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, NodeId as _, Viewer};
use alumni_membership::model::TagRecord;
use alumni_notify::{MailContent, Notice};
use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use super::{KnowledgeService, bounded, participant};
use crate::model::{
    BoardDirection, BoardInterestRecord, BoardKindRecord, BoardPostId, BoardPostRecord,
    DocumentKind, KnowledgeAudience,
};
use crate::notices::{BOARD_INTEREST, BOARD_POST_EXPIRED};
use crate::store::board::{self as store, BoardText, InterestKey};
use crate::store::documents::{self, Document};

/// The node type of board posts, as the review queue names them.
pub const BOARD_POST_NODE: &str = "BoardPost";

/// The leak guard's name for a note of interest, which is no node of its
/// own: its decisions are recorded under this type and the post's id.
const INTEREST_SUBJECT: &str = "BoardInterest";

/// How long a post stays on the board after posting or renewal.
pub const LISTED_DAYS: i64 = 30;

const MAX_TITLE_CHARS: usize = 200;
const MAX_BODY_CHARS: usize = 10_000;
const MAX_NOTE_CHARS: usize = 1000;

pub use store::OpenFilter as BoardFilter;

/// A board post as its author writes it.
#[derive(Debug, Clone)]
pub struct BoardPostInput {
    /// The slug of one of the board's kinds.
    pub kind: String,
    /// Offering or seeking.
    pub direction: BoardDirection,
    /// Title (1–200 characters).
    pub title: String,
    /// The body in Markdown (at most 10,000 characters).
    pub body: String,
    /// Tags, by name (at most five).
    pub tags: Vec<String>,
    /// Whether the author confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

/// A post's checked text.
struct CheckedText {
    title: String,
    body: String,
    body_html: String,
}

impl BoardPostInput {
    fn checked(&self) -> AppResult<CheckedText> {
        let body = bounded(&self.body, "input.body", 0, MAX_BODY_CHARS)?;
        Ok(CheckedText {
            title: bounded(&self.title, "input.title", 1, MAX_TITLE_CHARS)?,
            body_html: markdown::to_safe_html(&body),
            body,
        })
    }
}

/// Whether a post is on the board at `now`: neither closed nor expired.
pub fn is_open(post: &BoardPostRecord, now: DateTime<Utc>) -> bool {
    post.closed_at.is_none() && post.expires_at > now
}

/// Whether `viewer` may see `post`: an open, visible post is for every
/// member; one that left the board only for its author, moderators and
/// members who had said they were interested (`interested`); held or
/// hidden ones only for their author and moderators.
fn sees_post(
    viewer: &Viewer,
    post: &BoardPostRecord,
    now: DateTime<Utc>,
    interested: bool,
) -> bool {
    moderation::sees(viewer, post.moderation, Some(post.author_id))
        && (is_open(post, now)
            || viewer.is_member(post.author_id)
            || moderation::moderates(viewer)
            || interested)
}

fn conflict(message: &str, reason: &'static str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        reason: Some(reason),
    }
}

fn post_link(id: BoardPostId) -> (String, String) {
    (
        "投稿を開く".to_owned(),
        format!("/board/{}", id.to_global().as_str()),
    )
}

impl KnowledgeService {
    /// The kinds of post, in display order. Any member.
    pub async fn board_kinds(&self, viewer: &Viewer) -> AppResult<Vec<BoardKindRecord>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::kinds(&mut conn).await?)
    }

    async fn screen_post(
        &self,
        author: MemberId,
        id: BoardPostId,
        text: &CheckedText,
        confirm_warnings: bool,
    ) -> AppResult<alumni_core::moderation::Screening> {
        self.ctx
            .screener
            .screen(
                self.ctx.now(),
                ScreenRequest {
                    author,
                    subject_type: BOARD_POST_NODE,
                    subject_id: id.0,
                    audience: TextAudience::Alumni,
                    fields: vec![("input.title", &text.title), ("input.body", &text.body)],
                    confirm_warnings,
                },
            )
            .await
    }

    /// Writes the post's tags and searchable text, in its saving
    /// transaction.
    async fn save_board_extras_in(
        &self,
        conn: &mut AsyncPgConnection,
        post: &BoardPostRecord,
        tags: &[String],
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let tags = self.tags_in(conn, tags, "input.tags", now).await?;
        let tag_ids: Vec<Uuid> = tags.iter().map(|tag| tag.id.0).collect();
        store::set_tags(conn, post.id, &tag_ids).await?;
        let plain = markdown::to_plain_text(&post.body);
        documents::save(
            conn,
            &Document {
                subject_id: post.id.0,
                kind: DocumentKind::BoardPost,
                question_id: None,
                author_id: Some(post.author_id.0),
                audience: KnowledgeAudience::Everyone,
                expires_at: Some(post.expires_at),
                title: &post.title,
                text: &plain,
                tag_ids,
                created_at: post.created_at,
            },
        )
        .await?;
        Ok(())
    }

    /// Posts an offer or a search on the board for thirty days. Any
    /// member; title and body pass the leak guard (a held post waits for
    /// a moderator).
    pub async fn create_board_post(
        &self,
        viewer: &Viewer,
        input: BoardPostInput,
    ) -> AppResult<BoardPostRecord> {
        let author = participant(viewer)?.member_id;
        let text = input.checked()?;
        let id = BoardPostId::new();
        let screening = self
            .screen_post(author, id, &text, input.confirm_warnings)
            .await?;
        let now = self.ctx.now();
        let post = BoardPostRecord {
            id,
            author_id: author,
            kind: input.kind.trim().to_owned(),
            direction: input.direction,
            title: text.title,
            body: text.body,
            body_html: text.body_html,
            moderation: screening.state,
            created_at: now,
            updated_at: now,
            expires_at: now + Duration::days(LISTED_DAYS),
            closed_at: None,
            expiry_noticed_at: None,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            require_kind_in(conn, &post.kind).await?;
            store::insert(conn, &post).await?;
            self.save_board_extras_in(conn, &post, &input.tags, now)
                .await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            Ok(post)
        })
        .await
    }

    /// The viewer's own post, locked, unless it is closed; `FORBIDDEN` for
    /// a post of someone else's the viewer can see (the secretariat
    /// included), `NOT_FOUND` for one they cannot.
    async fn own_post_in(
        &self,
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
        id: BoardPostId,
        now: DateTime<Utc>,
    ) -> AppResult<BoardPostRecord> {
        let post = store::lock(conn, id).await?.ok_or(AppError::NotFound {
            entity: "BoardPost",
        })?;
        if !viewer.is_member(post.author_id) {
            return Err(if sees_post(viewer, &post, now, false) {
                AppError::forbidden("only its author can change a board post")
            } else {
                AppError::NotFound {
                    entity: "BoardPost",
                }
            });
        }
        if post.closed_at.is_some() {
            return Err(conflict("this post is closed", "CLOSED"));
        }
        Ok(post)
    }

    /// Rewrites the viewer's own post (not once closed); the text passes
    /// the leak guard again, and a clean edit never releases what a
    /// moderator withheld.
    pub async fn update_board_post(
        &self,
        viewer: &Viewer,
        id: BoardPostId,
        input: BoardPostInput,
    ) -> AppResult<BoardPostRecord> {
        let author = participant(viewer)?.member_id;
        let text = input.checked()?;
        let screening = self
            .screen_post(author, id, &text, input.confirm_warnings)
            .await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = self.own_post_in(conn, viewer, id, now).await?;
            let kind = input.kind.trim();
            require_kind_in(conn, kind).await?;
            let updated = store::update_text(
                conn,
                id,
                &BoardText {
                    kind,
                    direction: input.direction,
                    title: &text.title,
                    body: &text.body,
                    body_html: &text.body_html,
                    moderation: current.moderation.after_edit(screening.state),
                    updated_at: now,
                },
            )
            .await?;
            self.save_board_extras_in(conn, &updated, &input.tags, now)
                .await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            Ok(updated)
        })
        .await
    }

    /// Keeps the viewer's own post on the board for thirty days from now,
    /// also after it expired (not once closed).
    pub async fn renew_board_post(
        &self,
        viewer: &Viewer,
        id: BoardPostId,
    ) -> AppResult<BoardPostRecord> {
        participant(viewer)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            self.own_post_in(conn, viewer, id, now).await?;
            let expires_at = now + Duration::days(LISTED_DAYS);
            let renewed = store::renew(conn, id, expires_at, now).await?;
            documents::set_expiry(conn, id.0, expires_at).await?;
            Ok(renewed)
        })
        .await
    }

    /// Takes the viewer's own post off the board for good (`CONFLICT`
    /// reason `CLOSED` if it already is).
    pub async fn close_board_post(
        &self,
        viewer: &Viewer,
        id: BoardPostId,
    ) -> AppResult<BoardPostRecord> {
        participant(viewer)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            self.own_post_in(conn, viewer, id, now).await?;
            let closed = store::close(conn, id, now).await?;
            documents::refresh(conn, id.0).await?;
            Ok(closed)
        })
        .await
    }

    /// Tells the author of an open post that the viewer is interested,
    /// with an optional note (through the leak guard). Once per member
    /// (`CONFLICT` reason `ALREADY_INTERESTED`), not on one's own post
    /// (`OWN_POST`) nor on one that left the board (`NOT_OPEN`).
    pub async fn express_interest(
        &self,
        viewer: &Viewer,
        id: BoardPostId,
        note: &str,
        confirm_warnings: bool,
    ) -> AppResult<BoardPostRecord> {
        let member = participant(viewer)?.member_id;
        let note = bounded(note, "message", 0, MAX_NOTE_CHARS)?;
        let screening = if note.is_empty() {
            None
        } else {
            Some(
                self.screen_note(
                    member,
                    (INTEREST_SUBJECT, id.0),
                    "message",
                    &note,
                    confirm_warnings,
                )
                .await?,
            )
        };
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let post = store::lock(conn, id)
                .await?
                .ok_or(AppError::NotFound { entity: "BoardPost" })?;
            let interested = !store::interests_of_member(conn, member, &[id])
                .await?
                .is_empty();
            if !sees_post(viewer, &post, now, interested) {
                return Err(AppError::NotFound { entity: "BoardPost" });
            }
            if post.author_id == member {
                return Err(conflict("this is your own post", "OWN_POST"));
            }
            if !is_open(&post, now) || !post.moderation.is_public() {
                return Err(conflict("this post is no longer on the board", "NOT_OPEN"));
            }
            let interest = BoardInterestRecord {
                post_id: id,
                member_id: member,
                message: note,
                created_at: now,
            };
            if !store::insert_interest(conn, &interest).await? {
                return Err(conflict(
                    "you have already told the author you are interested",
                    "ALREADY_INTERESTED",
                ));
            }
            if let Some(screening) = &screening {
                self.ctx.screener.record_in(conn, now, screening).await?;
            }
            let notice = Notice::new(&BOARD_INTEREST, post.author_id, id)
                .payload(json!({ "postId": id, "memberId": member }))
                .mail(MailContent {
                    subject: format!("投稿に関心が寄せられました: {}", post.title),
                    paragraphs: vec![format!(
                        "コラボレーション掲示板の「{}」に、関心を持った会員がいます。誰が関心を寄せたかは投稿のページで確認できます。",
                        post.title
                    )],
                    link: Some(post_link(id)),
                });
            self.notify.notify_in(conn, now, vec![notice]).await?;
            Ok(post)
        })
        .await
    }

    /// Takes back the viewer's interest in a post (nothing happens if they
    /// had none).
    pub async fn withdraw_interest(
        &self,
        viewer: &Viewer,
        id: BoardPostId,
    ) -> AppResult<BoardPostRecord> {
        let member = participant(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let post = store::by_ids(conn, &[id])
                .await?
                .pop()
                .ok_or(AppError::NotFound {
                    entity: "BoardPost",
                })?;
            // Having been interested is what lets a member see a post that
            // left the board; refusing rolls the deletion back.
            let interested = store::delete_interest(conn, id, member).await?;
            if !sees_post(viewer, &post, now, interested) {
                return Err(AppError::NotFound {
                    entity: "BoardPost",
                });
            }
            Ok(post)
        })
        .await
    }

    /// A page of the board: open posts, newest first, filtered; withheld
    /// ones only for moderators.
    pub async fn board_posts(
        &self,
        viewer: &Viewer,
        filter: &BoardFilter,
        page: &PageRequest<Uuid>,
    ) -> AppResult<Vec<BoardPostRecord>> {
        participant(viewer)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        Ok(store::open_page(&mut conn, filter, moderation::moderates(viewer), now, page).await?)
    }

    /// How many posts [`Self::board_posts`] lists.
    pub async fn board_post_count(
        &self,
        viewer: &Viewer,
        filter: &BoardFilter,
    ) -> AppResult<ListSize> {
        participant(viewer)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        Ok(ListSize::from_capped_count(
            store::open_count(&mut conn, filter, moderation::moderates(viewer), now).await?,
        ))
    }

    /// A page of the viewer's own posts, open, expired or closed, newest
    /// first.
    pub async fn my_board_posts(
        &self,
        viewer: &Viewer,
        page: &PageRequest<Uuid>,
    ) -> AppResult<Vec<BoardPostRecord>> {
        let author = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::author_page(&mut conn, author, page).await?)
    }

    /// How many posts the viewer wrote.
    pub async fn my_board_post_count(&self, viewer: &Viewer) -> AppResult<ListSize> {
        let author = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(ListSize::from_capped_count(
            store::author_count(&mut conn, author).await?,
        ))
    }

    /// Posts among `ids` the viewer may see.
    pub async fn board_posts_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[BoardPostId],
    ) -> AppResult<Vec<BoardPostRecord>> {
        let member = participant(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let posts = store::by_ids(&mut conn, ids).await?;
        let closed: Vec<BoardPostId> = posts
            .iter()
            .filter(|post| !is_open(post, now) && post.author_id != member)
            .map(|post| post.id)
            .collect();
        let interested: Vec<BoardPostId> = if closed.is_empty() {
            Vec::new()
        } else {
            store::interests_of_member(&mut conn, member, &closed)
                .await?
                .into_iter()
                .map(|interest| interest.post_id)
                .collect()
        };
        Ok(posts
            .into_iter()
            .filter(|post| sees_post(viewer, post, now, interested.contains(&post.id)))
            .collect())
    }

    /// The tags of several posts the viewer may see.
    pub async fn board_post_tags(
        &self,
        viewer: &Viewer,
        ids: &[BoardPostId],
    ) -> AppResult<HashMap<BoardPostId, Vec<TagRecord>>> {
        let visible: Vec<BoardPostId> = self
            .board_posts_by_ids(viewer, ids)
            .await?
            .into_iter()
            .map(|post| post.id)
            .collect();
        let mut conn = self.ctx.conn().await?;
        let pairs = store::tags_of(&mut conn, &visible).await?;
        self.group_tags_in(&mut conn, pairs).await
    }

    /// The viewer's own interest in each of several posts.
    pub async fn my_interests(
        &self,
        viewer: &Viewer,
        ids: &[BoardPostId],
    ) -> AppResult<HashMap<BoardPostId, BoardInterestRecord>> {
        let member = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::interests_of_member(&mut conn, member, ids)
            .await?
            .into_iter()
            .map(|interest| (interest.post_id, interest))
            .collect())
    }

    /// The viewer's own posts among `ids`: only the author sees who is
    /// interested (not the secretariat, not moderators).
    async fn authored_in(
        &self,
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
        ids: &[BoardPostId],
    ) -> AppResult<Vec<BoardPostId>> {
        let author = participant(viewer)?.member_id;
        Ok(store::by_ids(conn, ids)
            .await?
            .into_iter()
            .filter(|post| post.author_id == author)
            .map(|post| post.id)
            .collect())
    }

    /// How many members are interested in each of the viewer's own posts
    /// among `ids`; others' posts are absent.
    pub async fn interest_counts(
        &self,
        viewer: &Viewer,
        ids: &[BoardPostId],
    ) -> AppResult<HashMap<BoardPostId, i64>> {
        let mut conn = self.ctx.conn().await?;
        let own = self.authored_in(&mut conn, viewer, ids).await?;
        let mut counts: HashMap<BoardPostId, i64> = own.iter().map(|id| (*id, 0)).collect();
        counts.extend(store::interest_counts(&mut conn, &own).await?);
        Ok(counts)
    }

    /// One page of the interests in each of the viewer's own posts among
    /// `ids`, oldest first; others' posts are absent.
    pub async fn interest_pages(
        &self,
        viewer: &Viewer,
        ids: &[BoardPostId],
        page: &PageRequest<InterestKey>,
    ) -> AppResult<HashMap<BoardPostId, Vec<BoardInterestRecord>>> {
        let mut conn = self.ctx.conn().await?;
        let own = self.authored_in(&mut conn, viewer, ids).await?;
        let mut pages: HashMap<BoardPostId, Vec<BoardInterestRecord>> =
            own.iter().map(|id| (*id, Vec::new())).collect();
        for interest in store::interest_pages(&mut conn, &own, page).await? {
            pages.entry(interest.post_id).or_default().push(interest);
        }
        Ok(pages)
    }

    /// Tells the authors of posts that left the board since the last run
    /// that they can renew them. Idempotent.
    pub(super) async fn note_expired_posts_in(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
    ) -> AppResult<usize> {
        let expired = store::note_expired(conn, now).await?;
        let notices = expired
            .iter()
            .map(|post| {
                Notice::new(&BOARD_POST_EXPIRED, post.author_id, post.id)
                    .payload(json!({ "postId": post.id }))
                    .mail(MailContent {
                        subject: format!("掲示板の投稿の掲載期間が終わりました: {}", post.title),
                        paragraphs: vec![format!(
                            "「{}」はコラボレーション掲示板から外れました。まだ募集を続ける場合は、投稿を更新するとさらに{LISTED_DAYS}日間掲載されます。",
                            post.title
                        )],
                        link: Some(post_link(post.id)),
                    })
            })
            .collect();
        self.notify.notify_in(conn, now, notices).await?;
        Ok(expired.len())
    }
}

/// `BAD_USER_INPUT` unless `kind` is one of the board's kinds.
async fn require_kind_in(conn: &mut AsyncPgConnection, kind: &str) -> AppResult<()> {
    if store::kind_exists(conn, kind).await? {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "input.kind",
            "not a kind of board post (see boardKinds)",
        ))
    }
}
