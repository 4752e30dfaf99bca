//! The routing settings, for the secretariat.

use alumni_core::graphql::{data, viewer};
use async_graphql::{Context, InputObject, Object, Result};

use crate::KnowledgeService;
use crate::service::{RoutingSettings, RoutingSettingsInput};

/// How widely new questions are routed to willing members.
pub struct RoutingSettingsObject(RoutingSettings);

/// How widely new questions are routed to members who said they are open
/// to questions on their tags.
#[Object(name = "RoutingSettings")]
impl RoutingSettingsObject {
    /// Members asked when a question is posted.
    async fn first_round(&self) -> i32 {
        self.0.first_round
    }

    /// Further members asked when a question is still unanswered after
    /// `escalateAfterHours`.
    async fn second_round(&self) -> i32 {
        self.0.second_round
    }

    /// Hours without an answer before the second round, and again before
    /// the question is shown to the secretariat.
    async fn escalate_after_hours(&self) -> i32 {
        self.0.escalate_after_hours
    }
}

/// A change of the routing settings; absent fields stay as they are.
#[derive(InputObject)]
#[graphql(name = "RoutingSettingsInput")]
pub struct RoutingSettingsChange {
    /// Members asked when a question is posted (1–20).
    first_round: Option<i32>,
    /// Members asked in the second round (1–50).
    second_round: Option<i32>,
    /// Hours before the second round and before the secretariat sees the
    /// question (1–720).
    escalate_after_hours: Option<i32>,
}

#[derive(Default)]
pub(super) struct RoutingQuery;

#[Object]
impl RoutingQuery {
    /// How widely questions are routed (the secretariat).
    async fn routing_settings(&self, ctx: &Context<'_>) -> Result<RoutingSettingsObject> {
        let service = data::<KnowledgeService>(ctx)?;
        Ok(RoutingSettingsObject(
            service.routing_settings(viewer(ctx)?).await?,
        ))
    }
}

#[derive(Default)]
pub(super) struct RoutingMutation;

#[Object]
impl RoutingMutation {
    /// Changes how widely questions are routed (the secretariat). Audited.
    async fn update_routing_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The settings to change.")] input: RoutingSettingsChange,
    ) -> Result<RoutingSettingsObject> {
        let service = data::<KnowledgeService>(ctx)?;
        let settings = service
            .update_routing_settings(
                viewer(ctx)?,
                RoutingSettingsInput {
                    first_round: input.first_round,
                    second_round: input.second_round,
                    escalate_after_hours: input.escalate_after_hours,
                },
            )
            .await?;
        Ok(RoutingSettingsObject(settings))
    }
}
