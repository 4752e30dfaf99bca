//! The member's data rights here: their named feedback, the proposals
//! they follow and the surveys they answered in the export, and what
//! withdrawal does to them. Anonymous items and survey answers are not
//! linked to anyone, so they are neither exported nor erased.

use alumni_core::domain::Leaving;
use alumni_core::{AppResult, MemberId};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::json;

use super::FeedbackService;
use crate::schema::feedback::{anonymous_submissions, categories, items, replies, themes};
use crate::store::items as items_store;
use crate::store::proposals as proposals_store;
use crate::store::surveys as surveys_store;

impl FeedbackService {
    /// The member's named feedback with the replies to it, the proposals
    /// they follow (or followed), and which surveys they answered (not
    /// what: their answers name nobody).
    pub async fn export_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<serde_json::Value> {
        let mine: Vec<(crate::model::ItemRecord, String)> = items::table
            .inner_join(categories::table)
            .filter(items::author_id.eq(member))
            .order((items::submitted_on, items::id))
            .select((crate::model::ItemRecord::as_select(), categories::slug))
            .load(conn)
            .await?;
        let ids: Vec<_> = mine.iter().map(|(item, _)| item.id).collect();
        let replies = items_store::replies_of(conn, &ids).await?;
        let items: Vec<serde_json::Value> = mine
            .iter()
            .map(|(item, category)| {
                json!({
                    "id": item.id,
                    "category": category,
                    "body": item.body,
                    "submittedOn": item.submitted_on,
                    "triage": item.triage.as_str(),
                    "replies": replies
                        .iter()
                        .filter(|reply| reply.item_id == item.id)
                        .map(|reply| json!({ "body": reply.body, "at": reply.created_at }))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let follows: Vec<serde_json::Value> = proposals_store::follows_of_member(conn, member)
            .await?
            .into_iter()
            .map(|follow| {
                json!({
                    "proposalId": follow.proposal_id,
                    "title": follow.title,
                    "automatic": follow.automatic,
                    "followedAt": follow.created_at,
                    "unfollowedAt": follow.unfollowed_at,
                })
            })
            .collect();
        let surveys: Vec<serde_json::Value> = surveys_store::answered_surveys(conn, member)
            .await?
            .iter()
            .map(|survey| json!({ "surveyId": survey.id, "title": survey.title }))
            .collect();
        Ok(json!({
            "feedback": items,
            "proposalFollows": follows,
            "surveysAnswered": surveys,
        }))
    }

    /// A leaving member's named feedback loses its author, and its text
    /// unless they let it stay; their count of anonymous submissions
    /// goes, and so do their follows of proposals and the record of which
    /// surveys they answered (their answers stay: they name nobody);
    /// replies, themes, proposals, timeline entries and surveys they wrote
    /// for the secretariat, and answers they gave for management, stay
    /// without their name.
    pub async fn forget_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        leaving: Leaving,
    ) -> AppResult<()> {
        let member = leaving.member;
        if leaving.keep_feedback_text {
            diesel::update(items::table.filter(items::author_id.eq(member)))
                .set(items::author_id.eq(None::<MemberId>))
                .execute(conn)
                .await?;
        } else {
            let theirs: Vec<crate::model::FeedbackItemId> = items::table
                .filter(items::author_id.eq(member))
                .select(items::id)
                .load(conn)
                .await?;
            // Duplicates of an erased item stay, as items of their own.
            diesel::update(items::table.filter(items::duplicate_of_id.eq_any(&theirs)))
                .set((
                    items::triage.eq(crate::model::Triage::New),
                    items::duplicate_of_id.eq(None::<crate::model::FeedbackItemId>),
                ))
                .execute(conn)
                .await?;
            diesel::delete(items::table.filter(items::id.eq_any(&theirs)))
                .execute(conn)
                .await?;
        }
        diesel::delete(
            anonymous_submissions::table.filter(anonymous_submissions::member_id.eq(member)),
        )
        .execute(conn)
        .await?;
        diesel::update(replies::table.filter(replies::author_id.eq(member)))
            .set(replies::author_id.eq(None::<MemberId>))
            .execute(conn)
            .await?;
        diesel::update(themes::table.filter(themes::created_by.eq(member)))
            .set(themes::created_by.eq(None::<MemberId>))
            .execute(conn)
            .await?;
        proposals_store::forget_member(conn, member).await?;
        surveys_store::forget_participation(conn, member).await?;
        surveys_store::forget_creator(conn, member).await?;
        Ok(())
    }
}
