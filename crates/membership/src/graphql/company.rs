//! The company and its predecessors in GraphQL.

use alumni_core::graphql::{data, load_many, load_one, viewer};
use alumni_core::{AppError, NodeId};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::NaiveDate;

use super::loaders::CompanyLoader;
use crate::model::{CompanyId, CompanyRecord};
use crate::service::{CompanyInput as CompanyValues, MembershipService};

/// The company or one of its predecessors.
pub struct Company(pub(crate) CompanyRecord);

/// The company, or one of the predecessor companies that merged into it.
/// Company history is data, so any company can run its own network.
#[Object]
impl Company {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Full name, e.g. 北辰情報システム株式会社.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Reading of the name.
    async fn name_kana(&self) -> &str {
        &self.0.name_kana
    }

    /// Short name, as HR's roster files refer to it.
    async fn short_name(&self) -> &str {
        &self.0.short_name
    }

    /// Whether this is today's company (otherwise a predecessor).
    async fn is_current(&self) -> bool {
        self.0.is_current
    }

    /// When a predecessor merged into the company.
    async fn merged_on(&self) -> Option<NaiveDate> {
        self.0.merged_on
    }

    /// A few words on its history.
    async fn description(&self) -> &str {
        &self.0.description
    }
}

/// Loads a company through the request's loader; `NOT_FOUND` if absent.
pub async fn load_company(ctx: &Context<'_>, id: CompanyId) -> Result<Company, AppError> {
    load_one::<CompanyLoader, _>(ctx, id)
        .await?
        .map(Company)
        .ok_or(AppError::NotFound { entity: "Company" })
}

/// Loads companies into the request's loader cache in one batch, for a
/// list whose items each name one.
pub async fn prefetch_companies(
    ctx: &Context<'_>,
    ids: impl IntoIterator<Item = CompanyId>,
) -> Result<(), AppError> {
    load_many::<CompanyLoader, _>(ctx, ids).await?;
    Ok(())
}

/// Queries on companies.
#[derive(Default)]
pub struct CompanyQuery;

/// Queries on companies.
#[Object]
impl CompanyQuery {
    /// Today's company first, then its predecessors by merger date. Public:
    /// applicants choose theirs before they have an account. The list is
    /// short by nature, so it is not paginated.
    async fn companies(&self, ctx: &Context<'_>) -> Result<Vec<Company>> {
        let companies = data::<MembershipService>(ctx)?.companies().await?;
        Ok(companies.into_iter().map(Company).collect())
    }
}

/// A company's details; omitted fields stay as they are.
#[derive(InputObject)]
pub struct CompanyInput {
    /// Full name.
    pub name: Option<String>,
    /// Reading of the name.
    pub name_kana: Option<String>,
    /// Short name, as HR's roster files refer to it (unique).
    pub short_name: Option<String>,
    /// When it merged into the company; leave out for today's company.
    pub merged_on: Option<NaiveDate>,
    /// A few words on its history.
    pub description: Option<String>,
}

impl From<CompanyInput> for CompanyValues {
    fn from(input: CompanyInput) -> Self {
        CompanyValues {
            name: input.name,
            name_kana: input.name_kana,
            short_name: input.short_name,
            merged_on: input.merged_on,
            description: input.description,
        }
    }
}

/// Secretariat mutations on the company history.
#[derive(Default)]
pub struct CompanyMutation;

/// Secretariat mutations on the company history.
#[Object]
impl CompanyMutation {
    /// Records a company: a predecessor when `mergedOn` is given, else
    /// today's company (there is only one). Secretariat only.
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company.")] input: CompanyInput,
    ) -> Result<Company> {
        let company = data::<MembershipService>(ctx)?
            .create_company(viewer(ctx)?, input.into())
            .await?;
        Ok(Company(company))
    }

    /// Changes a company's details. Secretariat only.
    async fn update_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the company.")] id: ID,
        #[graphql(desc = "The changes.")] input: CompanyInput,
    ) -> Result<Company> {
        let company = data::<MembershipService>(ctx)?
            .update_company(
                viewer(ctx)?,
                CompanyId::from_global(&id, "id")?,
                input.into(),
            )
            .await?;
        Ok(Company(company))
    }
}
