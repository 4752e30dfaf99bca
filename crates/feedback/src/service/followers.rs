//! Followers of published proposals: members who chose to follow one, and
//! the named authors of the feedback in its themes, who follow it
//! automatically ([`auto_follow_in`](FeedbackService::auto_follow_in),
//! the one place such follows are made: on publication, and when named
//! items join a published proposal's theme). Anonymous items have no
//! author, so they never lead to a follow; their authors read the
//! proposals through their receipt.
//!
//! Followers are told of management's answer, of each new timeline entry
//! and of completion, once each ([`announce_in`](FeedbackService::announce_in)),
//! while members may see the proposal and the entry; what was withheld is
//! told when a moderator releases it.

use alumni_core::{AppError, AppResult, Identity, MemberId, NodeId, Role, Viewer};
use alumni_notify::{MailContent, Notice, NoticeKind};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::proposals::readership;
use super::{FeedbackService, refused};
use crate::model::{
    PROGRESS_DONE, ProposalId, ProposalRecord, ProposalResponse, ProposalUpdateRecord,
};
use crate::notices::{PROPOSAL_ANSWERED, PROPOSAL_DONE, PROPOSAL_PROGRESSED, PROPOSAL_PUBLISHED};
use crate::store::proposals::{self as store, AutoFollow};

/// Alumni and employees follow proposals.
fn follower(viewer: &Viewer) -> AppResult<&Identity> {
    let identity = viewer.identity()?;
    if identity.roles.contains(Role::Alumnus) || identity.roles.contains(Role::Employee) {
        Ok(identity)
    } else {
        Err(AppError::forbidden(
            "proposals are followed by alumni and employees",
        ))
    }
}

/// Where a proposal is read.
fn proposal_link(id: ProposalId) -> (String, String) {
    (
        "提言を見る".to_owned(),
        format!("/feedback/proposals/{}", id.to_global().as_str()),
    )
}

fn response_words(response: ProposalResponse) -> &'static str {
    match response {
        ProposalResponse::Accepted => "採用",
        ProposalResponse::PartlyAccepted => "一部採用",
        ProposalResponse::Declined => "見送り",
    }
}

fn notice(
    kind: &'static NoticeKind,
    member: MemberId,
    id: ProposalId,
    payload: serde_json::Value,
    subject: String,
    paragraphs: Vec<String>,
) -> Notice {
    Notice::new(kind, member, id)
        .payload(payload)
        .mail(MailContent {
            subject,
            paragraphs,
            link: Some(proposal_link(id)),
        })
}

impl FeedbackService {
    /// Follows a published proposal the viewer reads (`NOT_FOUND`
    /// otherwise; `CONFLICT` reason `NOT_PUBLISHED` for one the
    /// secretariat or management read before publication). Alumni and
    /// employees; following again changes nothing.
    pub async fn follow_proposal(
        &self,
        viewer: &Viewer,
        id: ProposalId,
    ) -> AppResult<ProposalRecord> {
        let member = follower(viewer)?.member_id;
        let proposal = self.followable(viewer, id).await?;
        let mut conn = self.ctx.conn().await?;
        store::follow(&mut conn, id, member, self.ctx.now()).await?;
        Ok(proposal)
    }

    /// Stops following a proposal; nothing more about it reaches the
    /// viewer, and it is not followed again automatically.
    pub async fn unfollow_proposal(
        &self,
        viewer: &Viewer,
        id: ProposalId,
    ) -> AppResult<ProposalRecord> {
        let member = follower(viewer)?.member_id;
        let proposal = self.followable(viewer, id).await?;
        let mut conn = self.ctx.conn().await?;
        store::unfollow(&mut conn, id, member, self.ctx.now()).await?;
        Ok(proposal)
    }

    async fn followable(&self, viewer: &Viewer, id: ProposalId) -> AppResult<ProposalRecord> {
        let readership = readership(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let proposal = store::by_ids(&mut conn, &[id])
            .await?
            .pop()
            .filter(|proposal| readership.admits(proposal))
            .ok_or(AppError::NotFound { entity: "Proposal" })?;
        if !proposal.is_published() {
            return Err(refused(
                "only published proposals can be followed",
                "NOT_PUBLISHED",
            ));
        }
        Ok(proposal)
    }

    /// Makes the named authors of `scope`'s feedback follow the published
    /// proposals of its themes (those who follow already, or unfollowed,
    /// are left as they are), and tells each new follower of a proposal
    /// members see.
    pub(crate) async fn auto_follow_in(
        &self,
        conn: &mut AsyncPgConnection,
        scope: AutoFollow<'_>,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let notices: Vec<Notice> = store::auto_follow(conn, scope, now)
            .await?
            .into_iter()
            .filter(|added| added.visible)
            .map(|added| {
                let id = ProposalId(added.proposal_id);
                notice(
                    &PROPOSAL_PUBLISHED,
                    MemberId(added.member_id),
                    id,
                    json!({ "proposalId": id }),
                    "あなたの声をもとにした提言が公開されました".to_owned(),
                    vec![
                        format!("「{}」", added.title),
                        "お寄せいただいたフィードバックをもとに事務局が経営へ提言しました。経営の回答とその後の進捗を「提言と結果」ページでご覧いただけます。進捗があればお知らせします。"
                            .to_owned(),
                    ],
                )
            })
            .collect();
        if !notices.is_empty() {
            self.notify.notify_in(conn, now, notices).await?;
        }
        Ok(())
    }

    /// Tells a published proposal's followers what they have not been
    /// told yet: management's answer, and its new timeline entries (as
    /// one notice, of completion when the latest completes it). Nothing
    /// while members do not see the proposal; an entry members do not see
    /// waits. Runs in the transaction of each change that may leave
    /// something to tell, the review queue's release included.
    pub(crate) async fn announce_in(
        &self,
        conn: &mut AsyncPgConnection,
        id: ProposalId,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let Some(proposal) = store::lock(conn, id).await? else {
            return Ok(());
        };
        if !proposal.is_published() || !proposal.moderation.is_public() {
            return Ok(());
        }
        let answer = proposal
            .response
            .filter(|_| proposal.answer_announced_at.is_none());
        let entries = store::unannounced_updates(conn, id).await?;
        if answer.is_none() && entries.is_empty() {
            return Ok(());
        }
        let followers = store::followers(conn, id).await?;
        let mut notices = Vec::new();
        if let Some(response) = answer {
            store::mark_answer_announced(conn, id, now).await?;
            notices.extend(
                followers
                    .iter()
                    .map(|member| answered(&proposal, response, *member)),
            );
        }
        if let Some(latest) = entries.last() {
            let told: Vec<_> = entries.iter().map(|entry| entry.id).collect();
            store::mark_updates_announced(conn, &told, now).await?;
            notices.extend(
                followers
                    .iter()
                    .map(|member| progressed(&proposal, latest, *member)),
            );
        }
        if !notices.is_empty() {
            self.notify.notify_in(conn, now, notices).await?;
        }
        Ok(())
    }
}

fn answered(proposal: &ProposalRecord, response: ProposalResponse, member: MemberId) -> Notice {
    notice(
        &PROPOSAL_ANSWERED,
        member,
        proposal.id,
        json!({ "proposalId": proposal.id, "response": response }),
        "フォローしている提言に経営から回答がありました".to_owned(),
        vec![
            format!("「{}」", proposal.title),
            format!(
                "経営の回答は「{}」でした。理由は提言のページでご覧いただけます。",
                response_words(response)
            ),
        ],
    )
}

fn progressed(
    proposal: &ProposalRecord,
    latest: &ProposalUpdateRecord,
    member: MemberId,
) -> Notice {
    let done = latest.progress == PROGRESS_DONE;
    let (kind, subject, summary) = if done {
        (
            &PROPOSAL_DONE,
            "フォローしている提言の取り組みが完了しました",
            "取り組みが完了しました。".to_owned(),
        )
    } else {
        (
            &PROPOSAL_PROGRESSED,
            "フォローしている提言の進捗が更新されました",
            format!("進捗は{}%になりました。", latest.progress),
        )
    };
    notice(
        kind,
        member,
        proposal.id,
        json!({ "proposalId": proposal.id, "updateId": latest.id, "progress": latest.progress }),
        subject.to_owned(),
        vec![format!("「{}」", proposal.title), summary],
    )
}
