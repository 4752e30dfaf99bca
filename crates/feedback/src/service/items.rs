//! Feedback items: written named or anonymously, read by the secretariat,
//! by analysts without names or cohorts, by a named author, and by the
//! holder of an anonymous item's receipt code.

use alumni_core::pagination::PageRequest;
use alumni_core::secrets::{self, Alphabet};
use alumni_core::{AppError, AppResult, Role, Viewer};
use diesel_async::AsyncConnection as _;

use super::cohort::CohortChoice;
use super::{FeedbackService, bounded, japan_day, refused};
use crate::model::{
    CategoryRecord, Cohort, FeedbackCategoryId, FeedbackItemId, ItemRecord, ReplyRecord, ThemeId,
    ThemeRecord, Triage,
};
use crate::store::items::{self as store, ItemKey, ItemQuery};
use crate::store::themes as themes_store;

/// Anonymous items one member may send in a (Japanese) day.
pub const ANONYMOUS_PER_DAY: i32 = 3;

/// Named items one member may send in a day.
pub const NAMED_PER_DAY: i64 = 10;

/// Longest feedback, in characters.
pub const MAX_BODY: usize = 10_000;

/// Receipt codes: 16 letters from 31 that cannot be mistaken for each
/// other (about 79 bits), shown in groups of four.
const RECEIPT_ALPHABET: Alphabet = Alphabet::new(b"ABCDEFGHJKMNPQRSTUVWXYZ23456789");
const RECEIPT_LENGTH: usize = 16;

/// What a member sends.
#[derive(Debug, Clone)]
pub struct FeedbackInput {
    /// The category's slug.
    pub category: String,
    /// What they want to say.
    pub body: String,
    /// Whether to send it without their name.
    pub anonymous: bool,
    /// Which of their own cohort attributes to attach.
    pub cohort: CohortChoice,
}

/// A saved item, and for an anonymous one its receipt code (shown once).
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The item.
    pub item: ItemRecord,
    /// The receipt code, formatted (`ABCD-EFGH-JKMN-PQRS`).
    pub receipt: Option<String>,
}

/// What the holder of a receipt code may read about their item.
#[derive(Debug, Clone)]
pub struct ReceiptStatus {
    /// The item.
    pub item: ItemRecord,
    /// The theme it was grouped into.
    pub theme: Option<ThemeRecord>,
    /// The secretariat's replies, oldest first.
    pub replies: Vec<ReplyRecord>,
}

/// How the secretariat (or an analyst) narrows the list of items.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Only these triage states.
    pub triage: Option<Vec<Triage>>,
    /// Only this category (slug).
    pub category: Option<String>,
    /// Only items in this theme.
    pub theme: Option<ThemeId>,
    /// Only anonymous (`true`) or named (`false`) items.
    pub anonymous: Option<bool>,
}

impl FeedbackService {
    /// The categories, in order (retired ones too, marked). Any member.
    pub async fn categories(&self, viewer: &Viewer) -> AppResult<Vec<CategoryRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::categories(&mut conn).await?)
    }

    /// Categories by id (for the loader). Any member.
    pub async fn categories_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[FeedbackCategoryId],
    ) -> AppResult<Vec<CategoryRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::categories_by_ids(&mut conn, ids).await?)
    }

    /// One category, for anyone holding a receipt code (the list of
    /// categories is no secret).
    pub async fn category_for_receipt(
        &self,
        id: FeedbackCategoryId,
    ) -> AppResult<Option<CategoryRecord>> {
        let mut conn = self.ctx.conn().await?;
        Ok(store::categories_by_ids(&mut conn, &[id]).await?.pop())
    }

    /// Sends feedback. Alumni and employees.
    ///
    /// An anonymous item is saved with a random id, no author, only the
    /// day, and a receipt code's hash; the day's count of the member's
    /// anonymous items is kept apart and names no item. Nothing is
    /// audited or logged about it. A named item counts against
    /// [`NAMED_PER_DAY`].
    pub async fn submit(&self, viewer: &Viewer, input: FeedbackInput) -> AppResult<Submitted> {
        let identity = viewer.identity()?;
        if !identity.roles.contains(Role::Alumnus) && !identity.roles.contains(Role::Employee) {
            return Err(AppError::forbidden(
                "feedback is sent by alumni and employees",
            ));
        }
        let member = identity.member_id;
        let body = bounded(&input.body, "input.body", 1, MAX_BODY)?;
        let now = self.ctx.now();
        let today = japan_day(now);
        let receipt = if input.anonymous {
            Some(secrets::code(&RECEIPT_ALPHABET, RECEIPT_LENGTH)?)
        } else {
            None
        };
        let id = FeedbackItemId::random()?;
        let mut conn = self.ctx.conn().await?;
        let item = conn
            .transaction(async |conn| {
                let category = store::category_by_slug(conn, input.category.trim())
                    .await?
                    .filter(|category| !category.retired)
                    .ok_or_else(|| AppError::bad_input("input.category", "no such category"))?;
                let cohort = self.chosen_cohort_in(conn, member, input.cohort).await?;
                if input.anonymous {
                    let count = store::count_anonymous_submission(conn, member, today).await?;
                    if count > ANONYMOUS_PER_DAY {
                        return Err(refused(
                            "you have sent as many anonymous items as one day allows; try again tomorrow",
                            "DAILY_LIMIT",
                        ));
                    }
                } else if store::named_count_on(conn, member, today).await? >= NAMED_PER_DAY {
                    return Err(refused(
                        "you have sent as much feedback as one day allows; try again tomorrow",
                        "DAILY_LIMIT",
                    ));
                }
                let item = ItemRecord {
                    id,
                    category_id: category.id,
                    anonymous: input.anonymous,
                    author_id: (!input.anonymous).then_some(member),
                    body,
                    company_id: cohort.company,
                    left_year_band: cohort.left_year_band,
                    submitted_on: today,
                    receipt_hash: receipt.as_deref().map(secrets::hash),
                    triage: Triage::New,
                    theme_id: None,
                    duplicate_of_id: None,
                };
                store::insert(conn, &item).await?;
                Ok::<_, AppError>(item)
            })
            .await?;
        Ok(Submitted {
            item,
            receipt: receipt.map(|code| format_receipt(&code)),
        })
    }

    /// The item a receipt code belongs to, its theme and the replies to
    /// it. Needs no sign-in: the code is the key (`NOT_FOUND` for any
    /// code that is not one).
    pub async fn by_receipt(&self, receipt: &str) -> AppResult<ReceiptStatus> {
        let code = normalize_receipt(receipt);
        let not_found = AppError::NotFound {
            entity: "FeedbackReceipt",
        };
        if code.len() != RECEIPT_LENGTH || !RECEIPT_ALPHABET.spells(&code) {
            return Err(not_found);
        }
        let mut conn = self.ctx.conn().await?;
        let item = store::by_receipt(&mut conn, &secrets::hash(&code))
            .await?
            .ok_or(not_found)?;
        let theme = match item.theme_id {
            Some(theme) => themes_store::by_ids(&mut conn, &[theme]).await?.pop(),
            None => None,
        };
        let replies = store::replies_of(&mut conn, &[item.id]).await?;
        Ok(ReceiptStatus {
            item,
            theme,
            replies,
        })
    }

    /// Items by id as the viewer may see them: the secretariat and
    /// analysts every item, a named author their own.
    pub async fn items_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[FeedbackItemId],
    ) -> AppResult<Vec<ItemRecord>> {
        let identity = viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        let reads_all = reads_every_item(viewer);
        Ok(store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|item| reads_all || item.author_id == Some(identity.member_id))
            .collect())
    }

    /// A page of items, newest day first: the secretariat and analysts.
    pub async fn items(
        &self,
        viewer: &Viewer,
        filter: &ItemFilter,
        page: &PageRequest<ItemKey>,
    ) -> AppResult<Vec<ItemRecord>> {
        let query = self.item_query(viewer, filter).await?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::page(&mut conn, &query, page).await?)
    }

    /// How many items [`items`](Self::items) lists (capped).
    pub async fn count_items(&self, viewer: &Viewer, filter: &ItemFilter) -> AppResult<i64> {
        let query = self.item_query(viewer, filter).await?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::count(&mut conn, &query).await?)
    }

    /// The viewer's own named items, newest first.
    pub async fn my_items(
        &self,
        viewer: &Viewer,
        page: &PageRequest<ItemKey>,
    ) -> AppResult<Vec<ItemRecord>> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        let query = ItemQuery {
            author: Some(member),
            ..ItemQuery::default()
        };
        Ok(store::page(&mut conn, &query, page).await?)
    }

    /// How many named items the viewer sent (capped).
    pub async fn count_my_items(&self, viewer: &Viewer) -> AppResult<i64> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        let query = ItemQuery {
            author: Some(member),
            ..ItemQuery::default()
        };
        Ok(store::count(&mut conn, &query).await?)
    }

    /// The replies to several items the viewer may see, oldest first.
    pub async fn replies_of(
        &self,
        viewer: &Viewer,
        items: &[FeedbackItemId],
    ) -> AppResult<Vec<ReplyRecord>> {
        let visible: Vec<FeedbackItemId> = self
            .items_by_ids(viewer, items)
            .await?
            .into_iter()
            .map(|item| item.id)
            .collect();
        let mut conn = self.ctx.conn().await?;
        Ok(store::replies_of(&mut conn, &visible).await?)
    }

    async fn item_query(&self, viewer: &Viewer, filter: &ItemFilter) -> AppResult<ItemQuery> {
        if !reads_every_item(viewer) {
            viewer.identity()?;
            return Err(AppError::forbidden(
                "only the secretariat and analysts read feedback",
            ));
        }
        let category = match &filter.category {
            Some(slug) => {
                let mut conn = self.ctx.conn().await?;
                Some(
                    store::category_by_slug(&mut conn, slug)
                        .await?
                        .ok_or_else(|| AppError::bad_input("filter.category", "no such category"))?
                        .id,
                )
            }
            None => None,
        };
        Ok(ItemQuery {
            triage: filter.triage.clone(),
            category,
            theme: filter.theme,
            anonymous: filter.anonymous,
            author: None,
        })
    }
}

/// Whether the viewer reads every item: the secretariat (with names and
/// cohorts) and analysts (without either).
fn reads_every_item(viewer: &Viewer) -> bool {
    viewer.has_role(Role::Secretariat) || viewer.has_role(Role::Analyst)
}

/// Whether the viewer may see who wrote a named item and the cohort
/// attributes attached to any: the secretariat, and the author of their
/// own item. Analysts read text without either, so a small cohort's text
/// never reaches them with the cohort that would point at its author.
pub fn sees_particulars(viewer: &Viewer, item: &ItemRecord) -> bool {
    viewer.has_role(Role::Secretariat)
        || item
            .author_id
            .is_some_and(|author| viewer.is_member(author))
}

/// The cohort of an item as `viewer` may see it.
pub fn visible_cohort(viewer: &Viewer, item: &ItemRecord) -> Cohort {
    if sees_particulars(viewer, item) {
        item.cohort()
    } else {
        Cohort::default()
    }
}

/// A receipt code as typed: without separators or spaces, upper case.
fn normalize_receipt(receipt: &str) -> String {
    receipt
        .chars()
        .filter(|letter| letter.is_ascii_alphanumeric())
        .map(|letter| letter.to_ascii_uppercase())
        .collect()
}

/// A receipt code in groups of four.
fn format_receipt(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_read_back_however_they_are_typed() {
        let code = "ABCDEFGHJKMNPQRS";
        let shown = format_receipt(code);
        assert_eq!(shown, "ABCD-EFGH-JKMN-PQRS");
        assert_eq!(normalize_receipt(&shown), code);
        assert_eq!(normalize_receipt(" abcd efgh-jkmn pqrs "), code);
    }
}
