//! The secretariat's rules, and testing a text against them.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::moderation::TextAudience;
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, Role, Viewer};
use diesel_async::AsyncConnection as _;
use serde_json::json;
use uuid::Uuid;

use super::TrustService;
use crate::engine::{self, Engine};
use crate::model::{RuleAction, RuleCategory, RuleId, RuleKind, RuleRecord, RuleScope};
use crate::store::rules as store;

/// Longest text `checkText` takes, in characters (the longest text any
/// domain saves, a post's body, is shorter).
pub const MAX_CHECKED_CHARS: usize = 20_000;

/// A rule as the secretariat writes it.
#[derive(Debug, Clone)]
pub struct RuleInput {
    /// A name for the secretariat.
    pub name: String,
    /// Leak guard or watched words.
    pub category: RuleCategory,
    /// What it matches.
    pub kind: RuleKind,
    /// Terms, or the one pattern, or the one detector's name.
    pub terms: Vec<String>,
    /// What happens to a matching text.
    pub action: RuleAction,
    /// Which texts it applies to.
    pub scope: RuleScope,
    /// Why, shown to authors.
    pub explanation: String,
    /// Whether it is applied.
    pub enabled: bool,
}

/// One rule a tested text matched.
#[derive(Debug, Clone)]
pub struct TextFinding {
    /// The rule.
    pub rule: RuleId,
    /// What the rule does.
    pub action: RuleAction,
    /// Why, in the secretariat's words.
    pub explanation: String,
    /// The matched text with a little context (secrets cut short).
    pub excerpt: String,
}

fn trimmed(value: &str, field: &str, max_chars: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    if value.chars().count() > max_chars {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(value.to_owned())
}

impl RuleInput {
    fn into_record(self, id: RuleId, now: chrono::DateTime<chrono::Utc>) -> AppResult<RuleRecord> {
        let record = RuleRecord {
            id,
            name: trimmed(&self.name, "input.name", 100)?,
            category: self.category,
            kind: self.kind,
            terms: self
                .terms
                .iter()
                .map(|term| term.trim())
                .filter(|term| !term.is_empty())
                .map(|term| Some(term.to_owned()))
                .collect(),
            action: self.action,
            scope: self.scope,
            explanation: trimmed(&self.explanation, "input.explanation", 500)?,
            enabled: self.enabled,
            created_at: now,
            updated_at: now,
        };
        Engine::validate(&record.spec())
            .map_err(|error| AppError::bad_input("input.terms", error.message))?;
        Ok(record)
    }
}

impl TrustService {
    /// One page of rules by name. Moderators and the secretariat.
    pub async fn rules(
        &self,
        viewer: &Viewer,
        page: &PageRequest<(String, Uuid)>,
    ) -> AppResult<Vec<RuleRecord>> {
        super::require_moderator(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::page(&mut conn, page).await?)
    }

    /// How many rules there are. Moderators and the secretariat.
    pub async fn rule_count(&self, viewer: &Viewer) -> AppResult<ListSize> {
        super::require_moderator(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(ListSize::from_capped_count(store::count(&mut conn).await?))
    }

    /// The rules among `ids` the viewer may see (moderators and the
    /// secretariat see all; others none).
    pub async fn rules_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[RuleId],
    ) -> AppResult<Vec<RuleRecord>> {
        if super::require_moderator(viewer).is_err() {
            return Ok(Vec::new());
        }
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_ids(&mut conn, ids).await?)
    }

    /// Adds a rule. Secretariat only; audited.
    pub async fn create_rule(&self, viewer: &Viewer, input: RuleInput) -> AppResult<RuleRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let record = input.into_record(RuleId::new(), now)?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert(conn, &record).await?;
            store::bump_version(conn).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("trust.rule_created")
                    .by(actor)
                    .on(record.id)
                    .details(rule_details(&record)),
            )
            .await
        })
        .await?;
        Ok(record)
    }

    /// Replaces a rule. Secretariat only; audited. Texts already saved are
    /// not checked again until they are edited.
    pub async fn update_rule(
        &self,
        viewer: &Viewer,
        id: RuleId,
        input: RuleInput,
    ) -> AppResult<RuleRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let existing = store::by_ids(conn, &[id])
                .await?
                .pop()
                .ok_or(AppError::NotFound {
                    entity: "ModerationRule",
                })?;
            let record = RuleRecord {
                created_at: existing.created_at,
                ..input.into_record(id, now)?
            };
            store::update(conn, &record).await?;
            store::bump_version(conn).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("trust.rule_updated")
                    .by(actor)
                    .on(id)
                    .details(rule_details(&record)),
            )
            .await?;
            Ok(record)
        })
        .await
    }

    /// Removes a rule. Secretariat only; audited. Decisions keep naming it
    /// by id.
    pub async fn delete_rule(&self, viewer: &Viewer, id: RuleId) -> AppResult<()> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            if !store::delete(conn, id).await? {
                return Err(AppError::NotFound {
                    entity: "ModerationRule",
                });
            }
            store::bump_version(conn).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("trust.rule_deleted").by(actor).on(id),
            )
            .await
        })
        .await
    }

    /// How many open reports hide content pending review. Moderators and
    /// the secretariat.
    pub async fn report_threshold(&self, viewer: &Viewer) -> AppResult<i32> {
        super::require_moderator(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::settings(&mut conn).await?.1)
    }

    /// Sets how many open reports hide content pending review (1 to 100).
    /// Secretariat only; audited.
    pub async fn set_report_threshold(&self, viewer: &Viewer, threshold: i32) -> AppResult<i32> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        if !(1..=100).contains(&threshold) {
            return Err(AppError::bad_input(
                "threshold",
                "must be between 1 and 100",
            ));
        }
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::set_report_threshold(conn, threshold).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("trust.report_threshold_set")
                    .by(actor)
                    .details(json!({ "threshold": threshold })),
            )
            .await
        })
        .await?;
        Ok(threshold)
    }

    /// What the rules would say about a text for `audience`, without saving
    /// anything: authors test a text before publishing, the secretariat a
    /// rule. Any signed-in member; at most [`MAX_CHECKED_CHARS`].
    pub async fn check_text(
        &self,
        viewer: &Viewer,
        text: &str,
        audience: TextAudience,
    ) -> AppResult<Vec<TextFinding>> {
        viewer.identity()?;
        if text.chars().count() > MAX_CHECKED_CHARS {
            return Err(AppError::bad_input(
                "text",
                format!("must be at most {MAX_CHECKED_CHARS} characters"),
            ));
        }
        let mut conn = self.ctx.conn().await?;
        let compiled = self.compiled(&mut conn).await?;
        drop(conn);
        Ok(compiled
            .engine
            .check(text, engine_audience(audience))
            .into_iter()
            .map(|found| TextFinding {
                rule: RuleId(found.rule),
                action: found.action.into(),
                explanation: compiled
                    .explanations
                    .get(&found.rule)
                    .cloned()
                    .unwrap_or_default(),
                excerpt: found.excerpt,
            })
            .collect())
    }
}

/// What the audit log keeps of a rule: its shape, not its terms (the
/// terms are the secrets it guards).
fn rule_details(rule: &RuleRecord) -> serde_json::Value {
    json!({
        "name": rule.name,
        "category": rule.category.as_str(),
        "kind": rule.kind.as_str(),
        "terms": rule.terms.len(),
        "action": rule.action.as_str(),
        "scope": rule.scope.as_str(),
        "enabled": rule.enabled,
    })
}

/// The engine's name for an audience.
pub(super) fn engine_audience(audience: TextAudience) -> engine::TextAudience {
    match audience {
        TextAudience::Alumni => engine::TextAudience::Alumni,
        TextAudience::EmployeesOnly => engine::TextAudience::EmployeesOnly,
    }
}
