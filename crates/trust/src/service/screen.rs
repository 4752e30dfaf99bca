//! The leak guard every text passes on save.

use alumni_core::domain::BoxFuture;
use alumni_core::error::Finding;
use alumni_core::moderation::{
    self, ModerationState, ScreenMatch, ScreenRequest, Screening, TextScreen,
};
use alumni_core::{AppError, AppResult};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::TrustService;
use super::rules::engine_audience;
use crate::engine::{RuleAction, RuleMatch};
use crate::model::{CaseId, CaseOrigin, DecisionOutcome, NewCase};
use crate::store::cases as store;

/// Priority of a case the leak guard opened: above ordinary reports, below
/// content hidden by several reports.
pub(super) const HELD_PRIORITY: i32 = 80;

/// One rule matched in one field.
struct FieldMatch {
    field: &'static str,
    found: RuleMatch,
}

impl TrustService {
    async fn screen_text(
        &self,
        now: DateTime<Utc>,
        request: ScreenRequest<'_>,
    ) -> AppResult<Screening> {
        let mut conn = self.ctx.conn().await?;
        let compiled = self.compiled(&mut conn).await?;
        let audience = engine_audience(request.audience);
        let found: Vec<FieldMatch> = request
            .fields
            .iter()
            .flat_map(|(field, text)| {
                compiled
                    .engine
                    .check(text, audience)
                    .into_iter()
                    .map(|found| FieldMatch { field, found })
            })
            .collect();
        let strictest = found.iter().map(|each| each.found.action).max();
        let refusal = match strictest {
            Some(RuleAction::Block) => Some((true, DecisionOutcome::Blocked, RuleAction::Block)),
            Some(_)
                if !request.confirm_warnings
                    && found
                        .iter()
                        .any(|each| each.found.action == RuleAction::Warn) =>
            {
                Some((false, DecisionOutcome::Unconfirmed, RuleAction::Warn))
            }
            _ => None,
        };
        if let Some((blocked, outcome, shown)) = refusal {
            // Recorded on the screen's own connection: the save it refuses
            // writes nothing.
            store::record_decision(
                &mut conn,
                now,
                (request.subject_type, request.subject_id),
                request.author,
                request.audience,
                outcome,
                matches_json(&found),
            )
            .await?;
            let findings = found
                .iter()
                .filter(|each| each.found.action == shown)
                .map(|each| Finding {
                    field: each.field.to_owned(),
                    action: crate::model::RuleAction::from(each.found.action).as_str(),
                    explanation: compiled
                        .explanations
                        .get(&each.found.rule)
                        .cloned()
                        .unwrap_or_default(),
                    excerpt: each.found.excerpt.clone(),
                })
                .collect();
            return Err(moderation::refusal(blocked, findings));
        }
        Ok(Screening {
            subject_type: request.subject_type,
            subject_id: request.subject_id,
            author: request.author,
            audience: request.audience,
            state: if strictest == Some(RuleAction::Hold) {
                ModerationState::Held
            } else {
                ModerationState::Visible
            },
            matches: found
                .iter()
                .map(|each| ScreenMatch {
                    field: each.field,
                    rule: each.found.rule,
                    action: crate::model::RuleAction::from(each.found.action).as_str(),
                })
                .collect(),
        })
    }

    async fn record_screening(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        screening: &Screening,
    ) -> AppResult<()> {
        if screening.matches.is_empty() {
            return Ok(());
        }
        let held = screening.state == ModerationState::Held;
        let subject = (screening.subject_type, screening.subject_id);
        let matches =
            json!(screening
            .matches
            .iter()
            .map(|each| json!({ "field": each.field, "rule": each.rule, "action": each.action }))
            .collect::<Vec<_>>());
        store::record_decision(
            conn,
            now,
            subject,
            screening.author,
            screening.audience,
            if held {
                DecisionOutcome::Held
            } else {
                DecisionOutcome::Confirmed
            },
            matches,
        )
        .await?;
        if held {
            store::open_case(
                conn,
                &NewCase {
                    id: CaseId::new(),
                    subject_type: screening.subject_type.to_owned(),
                    subject_id: screening.subject_id,
                    author_id: Some(screening.author),
                    origin: CaseOrigin::Held,
                    appeal_of: None,
                    appeal_text: None,
                    priority: HELD_PRIORITY,
                    opened_at: now,
                },
            )
            .await?;
        }
        Ok(())
    }
}

fn matches_json(found: &[FieldMatch]) -> serde_json::Value {
    json!(
        found
            .iter()
            .map(|each| json!({
                "field": each.field,
                "rule": each.found.rule,
                "action": crate::model::RuleAction::from(each.found.action).as_str(),
            }))
            .collect::<Vec<_>>()
    )
}

impl TextScreen for TrustService {
    fn screen<'a>(
        &'a self,
        now: DateTime<Utc>,
        request: ScreenRequest<'a>,
    ) -> BoxFuture<'a, Result<Screening, AppError>> {
        Box::pin(self.screen_text(now, request))
    }

    fn record_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        now: DateTime<Utc>,
        screening: &'a Screening,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(self.record_screening(conn, now, screening))
    }
}
