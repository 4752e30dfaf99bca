//! Terms of use and consent.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, Role, Viewer};
use diesel_async::AsyncConnection as _;
use serde_json::json;

use super::{MembershipService, conflict_on, text_field};
use crate::model::{ConsentPurpose, ConsentRecord, TermsRecord, TermsVersionId};
use crate::store::terms::{self as store, TermsKey};

/// A new version of the terms.
#[derive(Debug, Clone)]
pub struct TermsInput {
    /// Version label, e.g. "2026-10".
    pub version: String,
    /// Title.
    pub title: String,
    /// The text, in Markdown.
    pub body: String,
}

impl MembershipService {
    /// The terms in force, if any were published. Public: applicants read
    /// them before applying.
    pub async fn current_terms(&self) -> AppResult<Option<TermsRecord>> {
        let mut conn = self.ctx.conn().await?;
        Ok(store::current_terms(&mut conn).await?)
    }

    /// One published version. Public.
    pub async fn terms_version(&self, id: TermsVersionId) -> AppResult<TermsRecord> {
        let mut conn = self.ctx.conn().await?;
        store::terms_by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound {
                entity: "TermsVersion",
            })
    }

    /// Published versions, newest first. Public.
    pub async fn terms_versions(
        &self,
        page: &PageRequest<TermsKey>,
    ) -> AppResult<Vec<TermsRecord>> {
        let mut conn = self.ctx.conn().await?;
        Ok(store::terms_page(&mut conn, page).await?)
    }

    /// How many versions were published. Public.
    pub async fn count_terms_versions(&self) -> AppResult<ListSize> {
        let mut conn = self.ctx.conn().await?;
        Ok(store::terms_count(&mut conn).await?)
    }

    /// Publishes a new version, which takes effect at once: members then
    /// answer `TERMS_NOT_ACCEPTED` to everything but reading and accepting
    /// it (and signing out, exporting their data or withdrawing) until they
    /// accept. Secretariat only.
    pub async fn publish_terms(
        &self,
        viewer: &Viewer,
        input: TermsInput,
    ) -> AppResult<TermsRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let terms = TermsRecord {
            id: TermsVersionId::new(),
            version: text_field(&input.version, "input.version", true, 50)?,
            title: text_field(&input.title, "input.title", true, 200)?,
            body: text_field(&input.body, "input.body", true, 100_000)?,
            published_at: now,
            published_by: Some(actor),
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert_terms(conn, &terms).await.map_err(|err| {
                conflict_on(
                    err,
                    &[(
                        "terms_versions_version_key",
                        "this version has already been published",
                    )],
                )
            })?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.terms_published")
                    .by(actor)
                    .on(terms.id)
                    .details(json!({ "version": terms.version })),
            )
            .await
        })
        .await?;
        Ok(terms)
    }

    /// Records the viewer's acceptance of the version in force, with the
    /// purposes they consent to (MEMBERSHIP is required).
    pub async fn accept_terms(
        &self,
        viewer: &Viewer,
        version: &str,
        purposes: &[ConsentPurpose],
    ) -> AppResult<ConsentRecord> {
        let member_id = viewer.session()?.member_id;
        self.record_consent(
            member_id,
            Some(version),
            purposes,
            "membership.terms_accepted",
        )
        .await
    }

    /// Changes the purposes the viewer consents to under the terms in force
    /// (for instance, withdrawing consent to newsletters).
    pub async fn update_my_consent(
        &self,
        viewer: &Viewer,
        purposes: &[ConsentPurpose],
    ) -> AppResult<ConsentRecord> {
        let member_id = viewer.identity()?.member_id;
        self.record_consent(member_id, None, purposes, "membership.consent_changed")
            .await
    }

    /// Records a member's consent to the terms in force, recorded in the
    /// audit log under `action`. When accepting, `version` must be the one
    /// in force (the member read what they accept).
    async fn record_consent(
        &self,
        member_id: MemberId,
        version: Option<&str>,
        purposes: &[ConsentPurpose],
        action: &'static str,
    ) -> AppResult<ConsentRecord> {
        let purposes = consent_purposes(purposes, "purposes")?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = store::current_terms(conn)
                .await?
                .ok_or(AppError::NotFound {
                    entity: "TermsVersion",
                })?;
            if let Some(version) = version
                && current.version != version.trim()
            {
                return Err(AppError::bad_input(
                    "version",
                    format!("the terms in force are version {}", current.version),
                ));
            }
            store::upsert_consent(conn, member_id, current.id, &purposes, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new(action)
                    .by(member_id)
                    .on(current.id)
                    .details(json!({ "purposes": purposes })),
            )
            .await?;
            store::consent_of(conn, member_id, current.id)
                .await?
                .ok_or_else(|| AppError::internal("consent vanished after it was recorded"))
        })
        .await
    }

    /// The viewer's consent to the terms in force, if they gave it.
    pub async fn my_consent(&self, viewer: &Viewer) -> AppResult<Option<ConsentRecord>> {
        let member_id = viewer.session()?.member_id;
        let mut conn = self.ctx.conn().await?;
        let Some(current) = store::current_terms(&mut conn).await? else {
            return Ok(None);
        };
        Ok(store::consent_of(&mut conn, member_id, current.id).await?)
    }
}

/// The purposes consented to, each once and in a stable order; MEMBERSHIP
/// is required. `field` names the argument for the error.
pub(super) fn consent_purposes(
    purposes: &[ConsentPurpose],
    field: &str,
) -> AppResult<Vec<ConsentPurpose>> {
    if !purposes.contains(&ConsentPurpose::Membership) {
        return Err(AppError::bad_input(
            field,
            "consent to MEMBERSHIP is needed to take part",
        ));
    }
    let mut purposes = purposes.to_vec();
    purposes.sort();
    purposes.dedup();
    Ok(purposes)
}
