//! The rules of trust and safety applied for a viewer: rule management,
//! the leak guard every save passes, reports and the review queue.

mod queue;
mod rules;
mod screen;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use alumni_core::moderation::ModerationTarget;
use alumni_core::{AppError, AppResult, ServiceContext, Viewer};
use alumni_membership::MembershipService;
use alumni_notify::NotifyService;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::engine::Engine;
use crate::model::RuleRecord;
use crate::store::rules as store;

pub use queue::{CASE_DECIDED, CaseView, KINDS};
pub use rules::{RuleInput, TextFinding};

/// Trust and safety's services. Cheap to clone.
#[derive(Clone)]
pub struct TrustService {
    ctx: ServiceContext,
    membership: MembershipService,
    notify: NotifyService,
    compiled: Arc<Mutex<Option<Arc<Compiled>>>>,
    targets: Arc<HashMap<&'static str, Arc<dyn ModerationTarget>>>,
}

/// The engine compiled from one version of the rules, with what authors
/// are told about each rule.
struct Compiled {
    version: i64,
    engine: Engine,
    explanations: HashMap<Uuid, String>,
}

impl TrustService {
    /// The services over `ctx`, acting on the content of `targets` (one per
    /// node type the queue may release, hide or delete).
    pub fn new(
        ctx: ServiceContext,
        membership: MembershipService,
        notify: NotifyService,
        targets: Vec<Arc<dyn ModerationTarget>>,
    ) -> Self {
        Self {
            ctx,
            membership,
            notify,
            compiled: Arc::default(),
            targets: Arc::new(
                targets
                    .into_iter()
                    .map(|target| (target.node_type(), target))
                    .collect(),
            ),
        }
    }

    /// The service context.
    pub fn context(&self) -> &ServiceContext {
        &self.ctx
    }

    /// Membership's services (for demo data written as members would).
    pub fn membership(&self) -> &MembershipService {
        &self.membership
    }

    /// The node types content of which can be reported and moderated.
    pub fn moderated_types(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.targets.keys().copied()
    }

    fn target(&self, node_type: &str) -> AppResult<&Arc<dyn ModerationTarget>> {
        self.targets.get(node_type).ok_or_else(|| {
            AppError::bad_input("subjectId", "this kind of object cannot be moderated")
        })
    }

    /// The engine for the current rules: one statement to read the rules'
    /// version, and a compilation only when another process (or this one)
    /// changed a rule since the last one.
    async fn compiled(&self, conn: &mut AsyncPgConnection) -> AppResult<Arc<Compiled>> {
        let (version, _) = store::settings(conn).await?;
        if let Some(compiled) = self.cached(version) {
            return Ok(compiled);
        }
        let rules = store::enabled(conn).await?;
        let compiled = Arc::new(compile(version, &rules)?);
        let mut cache = self
            .compiled
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if cache.as_ref().is_none_or(|cached| cached.version < version) {
            *cache = Some(compiled.clone());
        }
        Ok(compiled)
    }

    fn cached(&self, version: i64) -> Option<Arc<Compiled>> {
        let cache = self
            .compiled
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        cache
            .as_ref()
            .filter(|cached| cached.version == version)
            .cloned()
    }
}

fn compile(version: i64, rules: &[RuleRecord]) -> AppResult<Compiled> {
    let specs: Vec<_> = rules.iter().map(RuleRecord::spec).collect();
    // Rules are validated when saved; one that no longer compiles (a
    // changed detector list, a stricter regex engine) is a bug to fix,
    // not a reason to publish everything unchecked.
    let engine = Engine::compile(&specs).map_err(AppError::internal)?;
    Ok(Compiled {
        version,
        engine,
        explanations: rules
            .iter()
            .map(|rule| (rule.id.0, rule.explanation.clone()))
            .collect(),
    })
}

/// The viewer must work the review queue (moderators, the secretariat).
fn require_moderator(viewer: &Viewer) -> AppResult<alumni_core::MemberId> {
    let identity = viewer.identity()?;
    if alumni_core::moderation::moderates(viewer) {
        Ok(identity.member_id)
    } else {
        Err(AppError::forbidden(
            "only moderators and the secretariat work the review queue",
        ))
    }
}
