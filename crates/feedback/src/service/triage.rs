//! The secretariat's triage: themes, grouping, duplicates, items that
//! need no action, and replies (a named author is notified; an anonymous
//! one reads them with the receipt code).

use alumni_core::audit::{self, AuditEntry};
use alumni_core::pagination::PageRequest;
use alumni_core::{AppError, AppResult, Viewer};
use alumni_notify::{MailContent, Notice};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;

use super::{FeedbackService, bounded, refused, secretariat};
use crate::model::{
    FeedbackItemId, FeedbackReplyId, ItemRecord, ReplyRecord, ThemeId, ThemeRecord, Triage,
};
use crate::notices::FEEDBACK_REPLIED;
use crate::store::items as items_store;
use crate::store::proposals::AutoFollow;
use crate::store::themes::{self as store, ThemeKey};

/// Items one grouping may move at once.
pub const MAX_GROUPED: usize = 100;

/// Replies one item may receive.
pub const MAX_REPLIES: i64 = 20;

/// A theme's text.
#[derive(Debug, Clone)]
pub struct ThemeInput {
    /// A short title.
    pub title: String,
    /// What the items in it say.
    pub summary: String,
}

impl FeedbackService {
    /// Creates a theme. The secretariat.
    pub async fn create_theme(&self, viewer: &Viewer, input: ThemeInput) -> AppResult<ThemeRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let theme = ThemeRecord {
            id: ThemeId::new(),
            title: bounded(&input.title, "input.title", 1, 200)?,
            summary: bounded(&input.summary, "input.summary", 0, 5000)?,
            created_by: Some(actor),
            created_at: now,
            updated_at: now,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert(conn, &theme).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.theme_created")
                    .by(actor)
                    .on(theme.id),
            )
            .await
        })
        .await?;
        Ok(theme)
    }

    /// Changes a theme's title and summary. The secretariat.
    pub async fn update_theme(
        &self,
        viewer: &Viewer,
        id: ThemeId,
        input: ThemeInput,
    ) -> AppResult<ThemeRecord> {
        let actor = secretariat(viewer)?.member_id;
        let title = bounded(&input.title, "input.title", 1, 200)?;
        let summary = bounded(&input.summary, "input.summary", 0, 5000)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            if !store::update(conn, id, &title, &summary, now).await? {
                return Err(AppError::NotFound {
                    entity: "FeedbackTheme",
                });
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.theme_updated").by(actor).on(id),
            )
            .await?;
            Ok(store::by_ids(conn, &[id]).await?.pop())
        })
        .await?
        .ok_or(AppError::NotFound {
            entity: "FeedbackTheme",
        })
    }

    /// Themes by id: the secretariat and analysts (members meet themes
    /// through published proposals and their receipts).
    pub async fn themes_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[ThemeId],
    ) -> AppResult<Vec<ThemeRecord>> {
        super::reads_aggregates(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_ids(&mut conn, ids).await?)
    }

    /// A page of themes, newest first: the secretariat and analysts.
    pub async fn themes(
        &self,
        viewer: &Viewer,
        page: &PageRequest<ThemeKey>,
    ) -> AppResult<Vec<ThemeRecord>> {
        super::reads_aggregates(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::page(&mut conn, page).await?)
    }

    /// How many themes there are (capped).
    pub async fn count_themes(&self, viewer: &Viewer) -> AppResult<i64> {
        super::reads_aggregates(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::count(&mut conn).await?)
    }

    /// How many items each theme holds (for the loader).
    pub async fn theme_item_counts(
        &self,
        viewer: &Viewer,
        ids: &[ThemeId],
    ) -> AppResult<Vec<(ThemeId, i64)>> {
        super::reads_aggregates(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::item_counts(&mut conn, ids).await?)
    }

    /// Groups items into a theme (moving them out of any other). The
    /// named authors among them follow the theme's published proposals.
    /// The secretariat.
    pub async fn group_items(
        &self,
        viewer: &Viewer,
        items: &[FeedbackItemId],
        theme: ThemeId,
    ) -> AppResult<Vec<ItemRecord>> {
        let actor = secretariat(viewer)?.member_id;
        if items.is_empty() || items.len() > MAX_GROUPED {
            return Err(AppError::bad_input(
                "items",
                format!("give between 1 and {MAX_GROUPED} items"),
            ));
        }
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            if store::by_ids(conn, &[theme]).await?.is_empty() {
                return Err(AppError::NotFound {
                    entity: "FeedbackTheme",
                });
            }
            let found = items_store::by_ids(conn, items).await?;
            if found.len() != dedup_len(items) {
                return Err(AppError::NotFound {
                    entity: "FeedbackItem",
                });
            }
            items_store::set_triage(conn, items, Triage::Themed, Some(theme), None).await?;
            self.auto_follow_in(conn, AutoFollow::Items(items), now)
                .await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.items_grouped")
                    .by(actor)
                    .on(theme)
                    .details(json!({ "items": items.len() })),
            )
            .await?;
            Ok(items_store::by_ids(conn, items).await?)
        })
        .await
    }

    /// Marks an item as saying what `original` already says; duplicates
    /// of it follow it to the original. The secretariat.
    pub async fn mark_duplicate(
        &self,
        viewer: &Viewer,
        item: FeedbackItemId,
        original: FeedbackItemId,
    ) -> AppResult<ItemRecord> {
        let actor = secretariat(viewer)?.member_id;
        if item == original {
            return Err(AppError::bad_input(
                "originalId",
                "an item cannot duplicate itself",
            ));
        }
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let found = items_store::by_ids(conn, &[item, original]).await?;
            let original_item =
                found
                    .iter()
                    .find(|found| found.id == original)
                    .ok_or(AppError::NotFound {
                        entity: "FeedbackItem",
                    })?;
            if !found.iter().any(|found| found.id == item) {
                return Err(AppError::NotFound {
                    entity: "FeedbackItem",
                });
            }
            // Duplicates point at an original, never at another duplicate.
            let original = original_item.duplicate_of_id.unwrap_or(original);
            if original == item {
                return Err(refused(
                    "that item is already a duplicate of this one",
                    "DUPLICATE_CYCLE",
                ));
            }
            items_store::set_triage(conn, &[item], Triage::Duplicate, None, Some(original)).await?;
            items_store::repoint_duplicates(conn, item, original).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.item_marked_duplicate")
                    .by(actor)
                    .on(item)
                    .details(json!({ "original": original.0 })),
            )
            .await?;
            self.item_in(conn, item).await
        })
        .await
    }

    /// Marks an item as read and needing no action, or puts it back
    /// (`Triage::New`). The secretariat.
    pub async fn set_item_triage(
        &self,
        viewer: &Viewer,
        item: FeedbackItemId,
        triage: Triage,
    ) -> AppResult<ItemRecord> {
        let actor = secretariat(viewer)?.member_id;
        if !matches!(triage, Triage::New | Triage::NoAction) {
            return Err(AppError::bad_input(
                "triage",
                "group items into a theme or mark them as duplicates instead",
            ));
        }
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            self.item_in(conn, item).await?;
            if items_store::is_original(conn, item).await? {
                return Err(refused(
                    "other items are marked as duplicates of this one; keep it in triage",
                    "HAS_DUPLICATES",
                ));
            }
            items_store::set_triage(conn, &[item], triage, None, None).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.item_triaged")
                    .by(actor)
                    .on(item)
                    .details(json!({ "triage": triage.as_str() })),
            )
            .await?;
            self.item_in(conn, item).await
        })
        .await
    }

    /// Replies to an item: a named author is notified (in the app or by
    /// mail, as they chose); an anonymous one reads it with the receipt
    /// code. The secretariat.
    pub async fn reply(
        &self,
        viewer: &Viewer,
        item: FeedbackItemId,
        body: &str,
    ) -> AppResult<ReplyRecord> {
        let actor = secretariat(viewer)?.member_id;
        let body = bounded(body, "body", 1, 5000)?;
        let now = self.ctx.now();
        let reply = ReplyRecord {
            id: FeedbackReplyId::new(),
            item_id: item,
            author_id: Some(actor),
            body,
            created_at: now,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let found = self.item_in(conn, item).await?;
            if items_store::reply_count(conn, item).await? >= MAX_REPLIES {
                return Err(refused(
                    "this item has as many replies as it may have",
                    "TOO_MANY_REPLIES",
                ));
            }
            items_store::insert_reply(conn, &reply).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("feedback.replied").by(actor).on(item),
            )
            .await?;
            if let Some(author) = found.author_id {
                self.notify
                    .notify_in(
                        conn,
                        now,
                        vec![
                            Notice::new(&FEEDBACK_REPLIED, author, item)
                                .payload(json!({ "itemId": item }))
                                .mail(MailContent {
                                    subject: "フィードバックに事務局から返信がありました".to_owned(),
                                    paragraphs: vec![
                                        "お送りいただいたフィードバックに、事務局から返信が届きました。"
                                            .to_owned(),
                                    ],
                                    link: Some((
                                        "フィードバックを見る".to_owned(),
                                        "/feedback/mine".to_owned(),
                                    )),
                                }),
                        ],
                    )
                    .await?;
            }
            Ok(reply)
        })
        .await
    }

    async fn item_in(
        &self,
        conn: &mut AsyncPgConnection,
        id: FeedbackItemId,
    ) -> AppResult<ItemRecord> {
        items_store::by_ids(conn, &[id])
            .await?
            .pop()
            .ok_or(AppError::NotFound {
                entity: "FeedbackItem",
            })
    }
}

fn dedup_len(items: &[FeedbackItemId]) -> usize {
    let mut unique = items.to_vec();
    unique.sort();
    unique.dedup();
    unique.len()
}
