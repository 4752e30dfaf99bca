//! Routing questions to members who said they are open to them.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppError, AppResult, Role, Viewer};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::KnowledgeService;
use crate::schema::knowledge::routing_settings;

/// The job that asks experts about a question (payload: the question and
/// the round).
pub const ROUTE_QUESTION: &str = "knowledge.route_question";

/// How widely questions are routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = routing_settings, check_for_backend(diesel::pg::Pg))]
pub struct RoutingSettings {
    /// Members asked when a question is posted.
    pub first_round: i32,
    /// Members asked, besides the first, when it is still unanswered.
    pub second_round: i32,
    /// Hours without an answer before the second round, and again before
    /// the question is shown to the secretariat.
    pub escalate_after_hours: i32,
}

/// A change of the routing settings (absent fields stay).
#[derive(Debug, Clone, Default)]
pub struct RoutingSettingsInput {
    /// Members asked when a question is posted (1–20).
    pub first_round: Option<i32>,
    /// Members asked in the second round (1–50).
    pub second_round: Option<i32>,
    /// Hours before the second round and the secretariat (1–720).
    pub escalate_after_hours: Option<i32>,
}

impl KnowledgeService {
    /// The routing settings (the secretariat).
    pub async fn routing_settings(&self, viewer: &Viewer) -> AppResult<RoutingSettings> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(routing_settings::table
            .select(RoutingSettings::as_select())
            .first(&mut conn)
            .await?)
    }

    /// Changes how widely questions are routed (the secretariat); applies
    /// to rounds that run from now on. Recorded in the audit log.
    pub async fn update_routing_settings(
        &self,
        viewer: &Viewer,
        input: RoutingSettingsInput,
    ) -> AppResult<RoutingSettings> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        for (field, value, max) in [
            ("input.firstRound", input.first_round, 20),
            ("input.secondRound", input.second_round, 50),
            ("input.escalateAfterHours", input.escalate_after_hours, 720),
        ] {
            if value.is_some_and(|value| !(1..=max).contains(&value)) {
                return Err(AppError::bad_input(
                    field,
                    format!("must be between 1 and {max}"),
                ));
            }
        }
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let settings = diesel::update(routing_settings::table)
            .set((
                input
                    .first_round
                    .map(|value| routing_settings::first_round.eq(value)),
                input
                    .second_round
                    .map(|value| routing_settings::second_round.eq(value)),
                input
                    .escalate_after_hours
                    .map(|value| routing_settings::escalate_after_hours.eq(value)),
                routing_settings::updated_at.eq(now),
            ))
            .returning(RoutingSettings::as_returning())
            .get_result(&mut conn)
            .await?;
        audit::record(
            &mut conn,
            now,
            AuditEntry::new("knowledge.routing_settings_updated")
                .by(actor)
                .details(serde_json::json!({
                    "firstRound": settings.first_round,
                    "secondRound": settings.second_round,
                    "escalateAfterHours": settings.escalate_after_hours,
                })),
        )
        .await?;
        Ok(settings)
    }
}
