//! Terms of use and consent in GraphQL.

use alumni_core::graphql::{data, viewer};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, NodeId};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use crate::model::{ConsentPurpose, ConsentRecord, TermsRecord, TermsVersionId};
use crate::service::{MembershipService, TermsInput};

/// A published version of the terms of use.
pub struct TermsVersion(TermsRecord);

impl TermsVersion {
    /// Wraps a published version (public data).
    pub fn new(record: TermsRecord) -> Self {
        Self(record)
    }
}

/// A published version by id (public data); `NOT_FOUND` when none has it.
pub async fn load_terms_version(
    ctx: &Context<'_>,
    id: TermsVersionId,
) -> Result<TermsVersion, AppError> {
    Ok(TermsVersion(
        data::<MembershipService>(ctx)?.terms_version(id).await?,
    ))
}

/// A published version of the terms of use. Versions never change; the
/// newest is in force.
#[Object]
impl TermsVersion {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Version label, e.g. "2026-04"; pass it to `acceptTerms`.
    async fn version(&self) -> &str {
        &self.0.version
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The text, in Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// When it took effect.
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
}

/// A member's consent to a version of the terms.
pub struct Consent(ConsentRecord);

/// A member's acceptance of a version of the terms, with the purposes they
/// consent to.
#[Object]
impl Consent {
    /// Global id of the version accepted.
    async fn terms_version_id(&self) -> ID {
        self.0.terms_version_id.to_global()
    }

    /// When it was accepted.
    async fn accepted_at(&self) -> DateTime<Utc> {
        self.0.accepted_at
    }

    /// The purposes consented to.
    async fn purposes(&self) -> Vec<ConsentPurpose> {
        self.0.purposes.iter().flatten().copied().collect()
    }

    /// When the purposes last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Queries on the terms of use.
#[derive(Default)]
pub struct TermsQuery;

/// Queries on the terms of use.
#[Object]
impl TermsQuery {
    /// The terms in force; `null` until the secretariat publishes some.
    /// Public, and always allowed, also while acceptance is outstanding.
    async fn current_terms(&self, ctx: &Context<'_>) -> Result<Option<TermsVersion>> {
        let terms = data::<MembershipService>(ctx)?.current_terms().await?;
        Ok(terms.map(TermsVersion))
    }

    /// Every published version, newest first. Public.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn terms_versions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<TermsVersion>> {
        let page = PageRequest::new(first, after, last, before)?;
        let service = data::<MembershipService>(ctx)?;
        let rows = service.terms_versions(&page).await?;
        let total_count = TotalCount::lazy({
            let service = service.clone();
            async move { service.count_terms_versions().await }
        });
        Ok(page.into_connection(
            rows,
            |terms| (terms.published_at, terms.id.0),
            TermsVersion,
            total_count,
        ))
    }

    /// The viewer's consent to the terms in force; `null` if not given.
    async fn my_consent(&self, ctx: &Context<'_>) -> Result<Option<Consent>> {
        let consent = data::<MembershipService>(ctx)?
            .my_consent(viewer(ctx)?)
            .await?;
        Ok(consent.map(Consent))
    }
}

/// A new version of the terms.
#[derive(InputObject)]
pub struct PublishTermsInput {
    /// Version label, unique, e.g. "2026-10".
    pub version: String,
    /// Title.
    pub title: String,
    /// The text, in Markdown.
    pub body: String,
}

/// Mutations on the terms of use and consent.
#[derive(Default)]
pub struct TermsMutation;

/// Mutations on the terms of use and consent.
#[Object]
impl TermsMutation {
    /// Accepts the terms in force, consenting to the given purposes
    /// (MEMBERSHIP is required). Always allowed.
    async fn accept_terms(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version accepted; must be the one in force.")] version: String,
        #[graphql(desc = "The purposes consented to.")] purposes: Vec<ConsentPurpose>,
    ) -> Result<Consent> {
        let consent = data::<MembershipService>(ctx)?
            .accept_terms(viewer(ctx)?, &version, &purposes)
            .await?;
        Ok(Consent(consent))
    }

    /// Changes the purposes consented to under the terms in force, e.g.
    /// to stop newsletters (MEMBERSHIP stays required).
    async fn update_my_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The purposes consented to from now on.")] purposes: Vec<ConsentPurpose>,
    ) -> Result<Consent> {
        let consent = data::<MembershipService>(ctx)?
            .update_my_consent(viewer(ctx)?, &purposes)
            .await?;
        Ok(Consent(consent))
    }

    /// Publishes a new version of the terms, in force at once: every member
    /// must accept it before doing anything else. Secretariat only.
    async fn publish_terms(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new version.")] input: PublishTermsInput,
    ) -> Result<TermsVersion> {
        let terms = data::<MembershipService>(ctx)?
            .publish_terms(
                viewer(ctx)?,
                TermsInput {
                    version: input.version,
                    title: input.title,
                    body: input.body,
                },
            )
            .await?;
        Ok(TermsVersion(terms))
    }
}
