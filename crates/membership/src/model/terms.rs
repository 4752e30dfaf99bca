//! Terms of use and the members' consent to them.

use alumni_core::MemberId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::membership::{consents, terms_versions};

alumni_core::typed_id!(
    /// Identifies a published version of the terms of use.
    TermsVersionId,
    "TermsVersion"
);

alumni_core::text_enum! {
    /// What a member consents to their data being used for (APPI: consent
    /// is given per purpose).
    pub enum ConsentPurpose stored in "membership.consents.purposes" {
        /// Running the membership: the account, the profile as the member
        /// shares it, the directory. Required to take part.
        Membership = "MEMBERSHIP",
        /// Sending newsletters and digests by e-mail.
        Newsletter = "NEWSLETTER",
        /// Including the member in HR's aggregated analysis of participation.
        Analytics = "ANALYTICS",
    }
}

/// A published version of the terms.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = terms_versions)]
pub struct TermsRecord {
    /// Version id.
    pub id: TermsVersionId,
    /// Version label, e.g. "2026-04".
    pub version: String,
    /// Title.
    pub title: String,
    /// The text, in Markdown.
    pub body: String,
    /// When it took effect.
    pub published_at: DateTime<Utc>,
    /// Who published it (none for demo data and the command line).
    pub published_by: Option<MemberId>,
}

/// A member's acceptance of one version.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consents)]
pub struct ConsentRecord {
    /// Who accepted.
    pub member_id: MemberId,
    /// Which version.
    pub terms_version_id: TermsVersionId,
    /// When.
    pub accepted_at: DateTime<Utc>,
    /// The purposes consented to.
    pub purposes: Vec<Option<ConsentPurpose>>,
    /// Last change of the purposes.
    pub updated_at: DateTime<Utc>,
}
