//! The membership part of the GraphQL API, one module per concept, merged
//! into [`MembershipQuery`] and [`MembershipMutation`] for the gateway.

mod account;
mod application;
mod audit;
mod company;
mod lifecycle;
mod loaders;
mod member;
mod tags;
mod terms;

use async_graphql::MergedObject;

pub use account::{LoginPayload, MembershipViewer};
pub use application::{
    Application, Invitation, RosterEntry, load_application, load_invitation, load_roster_entry,
};
pub use audit::{AuditEventEntry, load_audit_event};
pub use company::{Company, load_company, prefetch_companies};
pub use loaders::attach_loaders;
pub use member::{Member, find_member, load_member, prefetch_members};
pub use tags::{LabelLanguage, Tag, load_tag};
pub use terms::{TermsVersion, load_terms_version};

/// Every membership query.
#[derive(MergedObject, Default)]
pub struct MembershipQuery(
    member::MemberQuery,
    company::CompanyQuery,
    application::ApplicationQuery,
    terms::TermsQuery,
    audit::AuditQuery,
    tags::TagQuery,
);

/// Every membership mutation.
#[derive(MergedObject, Default)]
pub struct MembershipMutation(
    account::AccountMutation,
    member::ProfileMutation,
    application::ApplicationMutation,
    terms::TermsMutation,
    company::CompanyMutation,
    lifecycle::LifecycleMutation,
    tags::TagMutation,
);
