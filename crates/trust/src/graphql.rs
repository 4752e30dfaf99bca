//! Trust and safety's GraphQL: the rules, testing a text, and the parts of
//! the review queue that need no other domain's types. The queue's cases
//! (whose subject is any node) are stitched in the gateway.

use alumni_core::graphql::{data, load_one, request_loader, viewer};
use alumni_core::moderation::TextAudience;
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, MemberId, NodeId, Viewer};
use alumni_membership::Member;
use alumni_membership::graphql::load_member;
use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

use crate::engine::DETECTORS;
use crate::model::{
    NoteRecord, ReportReason, ReportRecord, RuleAction, RuleCategory, RuleId, RuleKind, RuleRecord,
    RuleScope,
};
use crate::service::{RuleInput, TextFinding, TrustService};

/// A rule of the leak guard or the watched words (moderators and the
/// secretariat).
pub struct ModerationRule(pub RuleRecord);

/// A rule of the leak guard or the watched words.
#[Object]
impl ModerationRule {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// A name for the secretariat.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Leak guard (`CONFIDENTIAL`) or watched words (`LANGUAGE`).
    async fn category(&self) -> RuleCategory {
        self.0.category
    }
    /// What it matches.
    async fn kind(&self) -> RuleKind {
        self.0.kind
    }
    /// Its terms, its one pattern, or its one detector's name.
    async fn terms(&self) -> Vec<String> {
        self.0.terms()
    }
    /// What happens to a matching text.
    async fn action(&self) -> RuleAction {
        self.0.action
    }
    /// Which texts it applies to.
    async fn scope(&self) -> RuleScope {
        self.0.scope
    }
    /// Why the rule exists, shown to authors of matching texts.
    async fn explanation(&self) -> &str {
        &self.0.explanation
    }
    /// Whether it is applied.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A built-in detector of secrets, for `DETECTOR` rules.
#[derive(SimpleObject)]
pub struct SecretDetector {
    /// Its name, the term of a `DETECTOR` rule.
    pub name: &'static str,
    /// What it finds.
    pub description: &'static str,
}

/// What the rules say about a text.
#[derive(SimpleObject)]
pub struct TextCheck {
    /// The strictest action of the rules that matched; `null` when the
    /// text may be published as it is.
    pub verdict: Option<RuleAction>,
    /// Each match, in text order.
    pub findings: Vec<TextCheckFinding>,
}

/// One rule that matched a tested text.
#[derive(SimpleObject)]
pub struct TextCheckFinding {
    /// What the rule does.
    pub action: RuleAction,
    /// Why, in the secretariat's words.
    pub explanation: String,
    /// The matched text with a little context (secrets cut short).
    pub excerpt: String,
}

impl From<TextFinding> for TextCheckFinding {
    fn from(finding: TextFinding) -> Self {
        Self {
            action: finding.action,
            explanation: finding.explanation,
            excerpt: finding.excerpt,
        }
    }
}

/// A member's report of a piece of content.
pub struct ContentReport(pub ReportRecord);

/// A member's report of a piece of content.
#[Object]
impl ContentReport {
    /// Why it was reported.
    async fn reason(&self) -> ReportReason {
        self.0.reason
    }
    /// What the reporter added (moderators, and the reporter).
    async fn details(&self) -> Option<&str> {
        self.0.details.as_deref()
    }
    /// Who reported it: moderators see it; `null` for authors and once the
    /// reporter has left the network.
    async fn reporter(&self, ctx: &Context<'_>) -> Option<Member> {
        member_or_none(ctx, self.0.reporter_id).await
    }
    /// When.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Whether the case it joined is still open.
    async fn open(&self) -> bool {
        self.0.closed_at.is_none()
    }
}

/// A moderator's note on a case.
pub struct ModerationNote(pub NoteRecord);

/// A moderator's note on a case.
#[Object]
impl ModerationNote {
    /// Who wrote it (`null` once they left).
    async fn author(&self, ctx: &Context<'_>) -> Option<Member> {
        member_or_none(ctx, self.0.author_id).await
    }
    /// What it says.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// When.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A rule as the secretariat writes it.
#[derive(InputObject)]
pub struct ModerationRuleInput {
    /// A name for the secretariat (at most 100 characters).
    pub name: String,
    /// Leak guard or watched words.
    pub category: RuleCategory,
    /// What it matches.
    pub kind: RuleKind,
    /// `TERM`: 1 to 500 terms (any script; full- and half-width, kana and
    /// spacing do not matter); `PATTERN`: one regular expression;
    /// `DETECTOR`: one name from `secretDetectors`.
    pub terms: Vec<String>,
    /// What happens to a matching text.
    pub action: RuleAction,
    /// Which texts it applies to.
    pub scope: RuleScope,
    /// Why, shown to authors (at most 500 characters).
    pub explanation: String,
    /// Whether it is applied (default true).
    #[graphql(default = true)]
    pub enabled: bool,
}

impl From<ModerationRuleInput> for RuleInput {
    fn from(input: ModerationRuleInput) -> Self {
        Self {
            name: input.name,
            category: input.category,
            kind: input.kind,
            terms: input.terms,
            action: input.action,
            scope: input.scope,
            explanation: input.explanation,
            enabled: input.enabled,
        }
    }
}

/// Rules by id, as the viewer may see them (for `node(id:)`).
pub struct RuleLoader {
    service: TrustService,
    viewer: Viewer,
}

impl Loader<RuleId> for RuleLoader {
    type Value = RuleRecord;
    type Error = AppError;

    async fn load(&self, ids: &[RuleId]) -> Result<HashMap<RuleId, RuleRecord>, AppError> {
        let rules = self.service.rules_by_ids(&self.viewer, ids).await?;
        Ok(rules.into_iter().map(|rule| (rule.id, rule)).collect())
    }
}

/// Adds the request's loaders of this crate.
pub fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &TrustService,
    viewer: &Viewer,
    caching: bool,
) {
    data.insert(request_loader(
        RuleLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        caching,
    ));
}

/// Loads one rule as the viewer may see it (for `node(id:)`).
pub async fn load_rule(ctx: &Context<'_>, id: RuleId) -> Result<ModerationRule, AppError> {
    load_one::<RuleLoader, _>(ctx, id)
        .await?
        .map(ModerationRule)
        .ok_or(AppError::NotFound {
            entity: "ModerationRule",
        })
}

/// The rules and testing texts.
#[derive(Default)]
pub struct TrustQuery;

/// The rules and testing texts.
#[Object]
impl TrustQuery {
    /// The rules of the leak guard and the watched words, by name.
    /// Moderators and the secretariat.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn moderation_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<ModerationRule>> {
        let viewer = viewer(ctx)?.clone();
        let service = data::<TrustService>(ctx)?.clone();
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.rules(&viewer, &page).await?;
        let total_count = TotalCount::lazy(async move { service.rule_count(&viewer).await });
        Ok(page.into_connection(rows, RuleRecord::page_key, ModerationRule, total_count))
    }

    /// The built-in secret detectors `DETECTOR` rules name. Moderators and
    /// the secretariat.
    async fn secret_detectors(&self, ctx: &Context<'_>) -> Result<Vec<SecretDetector>> {
        let viewer = viewer(ctx)?;
        if !alumni_core::moderation::moderates(viewer) {
            viewer.identity()?;
            return Err(AppError::forbidden("moderators and the secretariat only").into());
        }
        Ok(DETECTORS
            .iter()
            .map(|(name, description)| SecretDetector { name, description })
            .collect())
    }

    /// How many members' open reports hide content pending review.
    /// Moderators and the secretariat.
    async fn report_threshold(&self, ctx: &Context<'_>) -> Result<i32> {
        let service = data::<TrustService>(ctx)?;
        Ok(service.report_threshold(viewer(ctx)?).await?)
    }

    /// What the rules would say about a text written for `audience`,
    /// without saving anything: test a text before publishing it. Any
    /// signed-in member; at most 20,000 characters.
    async fn check_text(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The text to test.")] text: String,
        #[graphql(desc = "Who would read it.")] audience: TextAudience,
    ) -> Result<TextCheck> {
        let service = data::<TrustService>(ctx)?;
        let findings = service.check_text(viewer(ctx)?, &text, audience).await?;
        Ok(TextCheck {
            verdict: findings
                .iter()
                .map(|finding| finding.action)
                .max_by_key(|action| severity(*action)),
            findings: findings.into_iter().map(TextCheckFinding::from).collect(),
        })
    }
}

fn severity(action: RuleAction) -> u8 {
    match action {
        RuleAction::Warn => 0,
        RuleAction::Hold => 1,
        RuleAction::Block => 2,
    }
}

/// Managing the rules.
#[derive(Default)]
pub struct TrustMutation;

/// Managing the rules.
#[Object]
impl TrustMutation {
    /// Adds a rule; it applies to every save from now on. Secretariat only;
    /// audited (without its terms).
    async fn create_moderation_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The rule.")] input: ModerationRuleInput,
    ) -> Result<ModerationRule> {
        let service = data::<TrustService>(ctx)?;
        Ok(ModerationRule(
            service.create_rule(viewer(ctx)?, input.into()).await?,
        ))
    }

    /// Replaces a rule. Secretariat only; audited.
    async fn update_moderation_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the rule.")] id: ID,
        #[graphql(desc = "The rule as it should be.")] input: ModerationRuleInput,
    ) -> Result<ModerationRule> {
        let id = RuleId::from_global(&id, "id")?;
        let service = data::<TrustService>(ctx)?;
        Ok(ModerationRule(
            service.update_rule(viewer(ctx)?, id, input.into()).await?,
        ))
    }

    /// Removes a rule. Secretariat only; audited. Returns its id.
    async fn delete_moderation_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the rule.")] id: ID,
    ) -> Result<ID> {
        let rule = RuleId::from_global(&id, "id")?;
        let service = data::<TrustService>(ctx)?;
        service.delete_rule(viewer(ctx)?, rule).await?;
        Ok(id)
    }

    /// Sets how many members' open reports hide content pending review
    /// (1 to 100, default 3). Secretariat only; audited.
    async fn set_report_threshold(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Open reports that hide content.")] threshold: i32,
    ) -> Result<i32> {
        let service = data::<TrustService>(ctx)?;
        Ok(service
            .set_report_threshold(viewer(ctx)?, threshold)
            .await?)
    }
}

/// The member behind an id as the viewer may see them; `None` for no id
/// or a member the viewer may not see.
pub async fn member_or_none(ctx: &Context<'_>, id: Option<MemberId>) -> Option<Member> {
    match id {
        Some(id) => load_member(ctx, id).await.ok(),
        None => None,
    }
}
