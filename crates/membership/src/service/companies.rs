//! The company and its predecessors: data the secretariat maintains.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppError, AppResult, Role, Viewer};
use chrono::NaiveDate;
use diesel_async::AsyncConnection as _;
use serde_json::json;

use super::{MembershipService, conflict_on, text_field};
use crate::model::{CompanyChanges, CompanyId, CompanyRecord};
use crate::store::companies as store;

/// Clashes of company names and what they mean.
const NAME_TAKEN: [(&str, &str); 3] = [
    (
        "companies_name_key",
        "a company with this name already exists",
    ),
    (
        "companies_short_name_key",
        "a company with this short name already exists",
    ),
    (
        "companies_single_current_key",
        "today's company is already recorded; give predecessors their merger date",
    ),
];

/// A company's details as the secretariat enters them.
#[derive(Debug, Clone, Default)]
pub struct CompanyInput {
    /// Full name.
    pub name: Option<String>,
    /// Reading of the name.
    pub name_kana: Option<String>,
    /// Short name the roster file uses.
    pub short_name: Option<String>,
    /// When a predecessor merged in.
    pub merged_on: Option<NaiveDate>,
    /// A few words on its history.
    pub description: Option<String>,
}

impl MembershipService {
    /// Every company: today's first, then the predecessors by merger date.
    /// Public: applicants choose theirs before they have an account.
    pub async fn companies(&self) -> AppResult<Vec<CompanyRecord>> {
        let mut conn = self.ctx.conn().await?;
        Ok(store::all_companies(&mut conn).await?)
    }

    /// Companies by id, for DataLoaders. Public, like [`Self::companies`].
    pub async fn companies_by_ids(&self, ids: &[CompanyId]) -> AppResult<Vec<CompanyRecord>> {
        let mut conn = self.ctx.conn().await?;
        Ok(store::companies_by_ids(&mut conn, ids).await?)
    }

    /// Records a company: a predecessor when a merger date is given,
    /// otherwise today's company (there is only one). Secretariat only.
    pub async fn create_company(
        &self,
        viewer: &Viewer,
        input: CompanyInput,
    ) -> AppResult<CompanyRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let company = CompanyRecord {
            id: CompanyId::new(),
            name: text_field(
                input.name.as_deref().unwrap_or_default(),
                "input.name",
                true,
                200,
            )?,
            name_kana: text_field(
                input.name_kana.as_deref().unwrap_or_default(),
                "input.nameKana",
                false,
                200,
            )?,
            short_name: text_field(
                input.short_name.as_deref().unwrap_or_default(),
                "input.shortName",
                true,
                50,
            )?,
            is_current: input.merged_on.is_none(),
            merged_on: input.merged_on,
            description: text_field(
                input.description.as_deref().unwrap_or_default(),
                "input.description",
                false,
                2000,
            )?,
            created_at: now,
            updated_at: now,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert_company(conn, &company)
                .await
                .map_err(|err| conflict_on(err, &NAME_TAKEN))?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.company_created")
                    .by(actor)
                    .on(company.id),
            )
            .await
        })
        .await?;
        Ok(company)
    }

    /// Changes a company's details. Secretariat only. Today's company has
    /// no merger date.
    pub async fn update_company(
        &self,
        viewer: &Viewer,
        id: CompanyId,
        input: CompanyInput,
    ) -> AppResult<CompanyRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let changes = CompanyChanges {
            name: input
                .name
                .as_deref()
                .map(|name| text_field(name, "input.name", true, 200))
                .transpose()?,
            name_kana: input
                .name_kana
                .as_deref()
                .map(|kana| text_field(kana, "input.nameKana", false, 200))
                .transpose()?,
            short_name: input
                .short_name
                .as_deref()
                .map(|short| text_field(short, "input.shortName", true, 50))
                .transpose()?,
            merged_on: input.merged_on,
            description: input
                .description
                .as_deref()
                .map(|text| text_field(text, "input.description", false, 2000))
                .transpose()?,
            updated_at: Some(now),
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = store::company_by_id(conn, id)
                .await?
                .ok_or(AppError::NotFound { entity: "Company" })?;
            if current.is_current && changes.merged_on.is_some() {
                return Err(AppError::bad_input(
                    "input.mergedOn",
                    "today's company did not merge into anything",
                ));
            }
            let updated = store::update_company(conn, id, &changes)
                .await
                .map_err(|err| conflict_on(err, &NAME_TAKEN))?
                .ok_or(AppError::NotFound { entity: "Company" })?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.company_updated")
                    .by(actor)
                    .on(id)
                    .details(json!({ "name": updated.name })),
            )
            .await?;
            Ok(updated)
        })
        .await
    }
}
