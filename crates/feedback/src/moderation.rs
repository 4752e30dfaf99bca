//! Proposals and their timeline entries as content of the review queue:
//! what the leak guard held or a moderator hid stays from members (see
//! `service::proposals`). Releasing it tells the proposal's followers what
//! they were not told while it was withheld.

use std::sync::Arc;

use alumni_core::domain::BoxFuture;
use alumni_core::moderation::{ModerationState, ModerationTarget};
use alumni_core::{AppError, MemberId, NodeId};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::FeedbackService;
use crate::model::{ProposalId, ProposalUpdateId};
use crate::store::proposals as store;

/// Proposals (node type `Proposal`); their author is the secretariat
/// member who wrote them.
pub struct ProposalModeration(FeedbackService);

/// Timeline entries of proposals (node type `ProposalUpdate`).
pub struct ProposalUpdateModeration(FeedbackService);

/// The targets of every node type written here, for `Services::new`.
pub fn targets(service: &FeedbackService) -> Vec<Arc<dyn ModerationTarget>> {
    vec![
        Arc::new(ProposalModeration(service.clone())),
        Arc::new(ProposalUpdateModeration(service.clone())),
    ]
}

impl ModerationTarget for ProposalModeration {
    fn node_type(&self) -> &'static str {
        ProposalId::NODE_TYPE
    }

    fn author_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
    ) -> BoxFuture<'a, Result<Option<Option<MemberId>>, AppError>> {
        Box::pin(async move {
            let found = store::by_ids(conn, &[ProposalId(id)]).await?.pop();
            Ok(found.map(|proposal| proposal.created_by))
        })
    }

    fn set_state_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        state: ModerationState,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            let id = ProposalId(id);
            if store::set_moderation(conn, id, state).await? && state.is_public() {
                self.0.announce_in(conn, id, self.0.context().now()).await?;
            }
            Ok(())
        })
    }
}

impl ModerationTarget for ProposalUpdateModeration {
    fn node_type(&self) -> &'static str {
        ProposalUpdateId::NODE_TYPE
    }

    fn author_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
    ) -> BoxFuture<'a, Result<Option<Option<MemberId>>, AppError>> {
        Box::pin(async move {
            let found = store::updates_by_ids(conn, &[ProposalUpdateId(id)])
                .await?
                .pop();
            Ok(found.map(|entry| entry.created_by))
        })
    }

    fn set_state_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        state: ModerationState,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            let proposal = store::set_update_moderation(conn, ProposalUpdateId(id), state).await?;
            if let Some(proposal) = proposal.filter(|_| state.is_public()) {
                self.0
                    .announce_in(conn, proposal, self.0.context().now())
                    .await?;
            }
            Ok(())
        })
    }
}
