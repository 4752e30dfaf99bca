//! Applications to join and invitation codes.

use alumni_core::MemberId;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::model::{CompanyId, RosterEntryId};
use crate::schema::membership::{applications, invitations};

alumni_core::typed_id!(
    /// Identifies a membership application.
    ApplicationId,
    "Application"
);

alumni_core::typed_id!(
    /// Identifies an invitation code.
    InvitationId,
    "Invitation"
);

alumni_core::text_enum! {
    /// Where an application stands.
    pub enum ApplicationStatus stored in "membership.applications.status" {
        /// No roster match: waiting for the secretariat.
        PendingReview = "PENDING_REVIEW",
        /// Approved: the applicant is a member.
        Approved = "APPROVED",
        /// Rejected by the secretariat, with a reason.
        Rejected = "REJECTED",
    }
}

alumni_core::text_enum! {
    /// Why an application was approved.
    pub enum ApprovalBasis stored in "membership.applications.approval_basis" {
        /// It matched a roster entry (employee number with name or e-mail,
        /// and leave date): approved at once.
        RosterMatch = "ROSTER_MATCH",
        /// It carried a valid invitation code: approved at once.
        Invitation = "INVITATION",
        /// The secretariat reviewed and approved it.
        Secretariat = "SECRETARIAT",
    }
}

/// An application as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = applications)]
pub struct ApplicationRecord {
    /// Application id.
    pub id: ApplicationId,
    /// The applicant's account.
    pub member_id: MemberId,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// Full name.
    pub full_name: String,
    /// Reading of the full name.
    pub full_name_kana: String,
    /// Former surnames.
    pub former_surnames: Vec<Option<String>>,
    /// Employee number, if the applicant knows it.
    pub employee_number: Option<String>,
    /// The company (or predecessor) they left.
    pub company_id: CompanyId,
    /// First day.
    pub joined_on: NaiveDate,
    /// Last day.
    pub left_on: NaiveDate,
    /// Last department.
    pub last_department: String,
    /// Normalised full name.
    pub name_key: String,
    /// Normalised reading.
    pub kana_key: String,
    /// The roster entry this person is, once known.
    pub roster_entry_id: Option<RosterEntryId>,
    /// The invitation used, if any.
    pub invitation_id: Option<InvitationId>,
    /// Why it was approved.
    pub approval_basis: Option<ApprovalBasis>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided (none for automatic approvals).
    pub decided_by: Option<MemberId>,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
    /// Whether it collided, when filed, with a live application or
    /// membership for the same person. For the secretariat only: the
    /// applicant must not learn that someone else applied.
    pub possible_duplicate: bool,
    /// The live application it collided with, while that one exists.
    pub duplicate_of: Option<ApplicationId>,
    /// When the applicant proved they read mail at the address applied
    /// with.
    pub email_verified_at: Option<DateTime<Utc>>,
}

/// An invitation as stored; the code itself is never stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
pub struct InvitationRecord {
    /// Invitation id.
    pub id: InvitationId,
    /// SHA-256 of the code.
    pub code_hash: Vec<u8>,
    /// Whom it is for, in the secretariat's words.
    pub note: String,
    /// The secretariat member who created it.
    pub created_by: MemberId,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// After this it no longer works.
    pub expires_at: DateTime<Utc>,
    /// When it was used; codes work once.
    pub used_at: Option<DateTime<Utc>>,
}

/// The secretariat's (or the rules') decision on an application.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct Decision<'a> {
    /// Approved or rejected.
    pub status: ApplicationStatus,
    /// Why approved.
    pub approval_basis: Option<ApprovalBasis>,
    /// The roster entry the applicant is.
    pub roster_entry_id: Option<RosterEntryId>,
    /// Who decided; none for automatic decisions.
    pub decided_by: Option<MemberId>,
    /// Why rejected.
    pub rejection_reason: Option<&'a str>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Still flagged as a possible duplicate; approval clears the flag, so
    /// that the database's uniqueness rules judge the approved application.
    pub possible_duplicate: bool,
    /// What it was flagged as a duplicate of.
    pub duplicate_of: Option<ApplicationId>,
}
