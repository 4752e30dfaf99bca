//! Applications, roster candidates and invitations in GraphQL.

use std::collections::HashMap;

use alumni_core::graphql::{data, load_many, load_one, selects_in_items, viewer};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::secrets::{ExposeSecret as _, SecretString};
use alumni_core::{AppError, Caller, NodeId, Role, Viewer};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::company::{Company, load_company};
use super::loaders::{
    ApplicationLoader, CandidatesLoader, CompanyLoader, InvitationLoader, MemberLoader,
    RosterEntryLoader,
};
use super::member::{Member, load_member};
use crate::model::{
    ApplicationId, ApplicationRecord, ApplicationStatus, ApprovalBasis, CompanyId, ConsentPurpose,
    InvitationId, InvitationRecord, RosterEntryId, RosterEntryRecord, strings,
};
use crate::service::{
    ApplicationInput, ApplicationReceipt, CandidateSignal, MembershipService,
    RosterCandidate as Candidate,
};

/// A membership application, as its applicant or the secretariat sees it.
pub struct Application {
    record: ApplicationRecord,
    secretariat_view: bool,
}

impl Application {
    fn new(record: ApplicationRecord, viewer: &Viewer) -> Self {
        Self {
            record,
            secretariat_view: viewer.has_role(Role::Secretariat),
        }
    }
}

/// An application to join the network. Seen by the applicant and the
/// secretariat only.
#[Object]
impl Application {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.record.id.to_global()
    }

    /// Where it stands.
    async fn status(&self) -> ApplicationStatus {
        self.record.status
    }

    /// Why it was approved.
    async fn approval_basis(&self) -> Option<ApprovalBasis> {
        self.record.approval_basis
    }

    /// Whether the applicant proved they read mail at the address applied
    /// with (`verifyEmail`).
    async fn email_verified(&self) -> bool {
        self.record.email_verified_at.is_some()
    }

    /// Why it was rejected, for the applicant to read.
    async fn rejection_reason(&self) -> Option<&str> {
        self.record.rejection_reason.as_deref()
    }

    /// Full name at the company.
    async fn full_name(&self) -> &str {
        &self.record.full_name
    }

    /// Its reading.
    async fn full_name_kana(&self) -> &str {
        &self.record.full_name_kana
    }

    /// Surnames used before.
    async fn former_surnames(&self) -> Vec<String> {
        strings(self.record.former_surnames.clone())
    }

    /// Employee number, if given.
    async fn employee_number(&self) -> Option<&str> {
        self.record.employee_number.as_deref()
    }

    /// The company (or predecessor) left.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        Ok(load_company(ctx, self.record.company_id).await?)
    }

    /// First day there.
    async fn joined_on(&self) -> NaiveDate {
        self.record.joined_on
    }

    /// Last day there.
    async fn left_on(&self) -> NaiveDate {
        self.record.left_on
    }

    /// Last department there.
    async fn last_department(&self) -> &str {
        &self.record.last_department
    }

    /// When it was submitted.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.record.submitted_at
    }

    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.record.decided_at
    }

    /// The applicant's account. Secretariat only.
    async fn applicant(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        if !self.secretariat_view {
            return Ok(None);
        }
        Ok(Some(load_member(ctx, self.record.member_id).await?))
    }

    /// The roster entry the applicant is, once known. Secretariat only.
    async fn roster_entry(&self, ctx: &Context<'_>) -> Result<Option<RosterEntry>> {
        let Some(id) = self
            .record
            .roster_entry_id
            .filter(|_| self.secretariat_view)
        else {
            return Ok(None);
        };
        Ok(load_one::<RosterEntryLoader, _>(ctx, id)
            .await?
            .map(RosterEntry))
    }

    /// Whether it collided, when submitted, with a live application or
    /// membership for the same person: the same roster entry, employee
    /// number, or name and leave date. Such an application is filed
    /// pending review rather than refused (a refusal would tell the
    /// applicant that someone else applied). Approving it is refused
    /// (`CONFLICT`) while the other is live: reject one of the two.
    /// Secretariat only.
    async fn possible_duplicate(&self) -> Option<bool> {
        self.secretariat_view
            .then_some(self.record.possible_duplicate)
    }

    /// The live application (pending or approved) it collided with, while
    /// that one exists. Secretariat only.
    async fn possible_duplicate_of(&self, ctx: &Context<'_>) -> Result<Option<Application>> {
        let Some(id) = self.record.duplicate_of.filter(|_| self.secretariat_view) else {
            return Ok(None);
        };
        let viewer = viewer(ctx)?;
        Ok(load_one::<ApplicationLoader, _>(ctx, id)
            .await?
            .map(|record| Application::new(record, viewer)))
    }

    /// The roster entries closest to this application, strongest match
    /// first, with what each shares with it. Secretariat only.
    async fn candidates(&self, ctx: &Context<'_>) -> Result<Option<Vec<RosterCandidate>>> {
        if !self.secretariat_view {
            return Ok(None);
        }
        let candidates = load_one::<CandidatesLoader, _>(ctx, self.record.id)
            .await?
            .unwrap_or_default();
        Ok(Some(candidates.into_iter().map(RosterCandidate).collect()))
    }
}

/// Loads, one batch each, what a page of applications needs below its items
/// as the query selects it (see [`selects_in_items`]).
async fn prefetch_application_fields(
    ctx: &Context<'_>,
    records: &[ApplicationRecord],
) -> Result<(), AppError> {
    let companies = async {
        if selects_in_items(ctx, &["company"]) {
            load_many::<CompanyLoader, _>(ctx, records.iter().map(|record| record.company_id))
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let candidates = async {
        if selects_in_items(ctx, &["candidates"]) {
            let found =
                load_many::<CandidatesLoader, _>(ctx, records.iter().map(|record| record.id))
                    .await?;
            if selects_in_items(ctx, &["candidates", "entry", "company"]) {
                let companies = found
                    .values()
                    .flatten()
                    .map(|candidate| candidate.entry.company_id);
                load_many::<CompanyLoader, _>(ctx, companies).await?;
            }
        }
        Ok::<_, AppError>(())
    };
    let originals = async {
        if selects_in_items(ctx, &["possibleDuplicateOf"]) {
            let ids = records.iter().filter_map(|record| record.duplicate_of);
            return load_many::<ApplicationLoader, _>(ctx, ids).await;
        }
        Ok(HashMap::new())
    };
    let ((), (), originals) = tokio::try_join!(companies, candidates, originals)?;
    // The applicants of the page and of what it may duplicate, in one batch
    // whatever the scheduling.
    let mut applicants = Vec::new();
    if selects_in_items(ctx, &["applicant"]) {
        applicants.extend(records.iter().map(|record| record.member_id));
    }
    if selects_in_items(ctx, &["possibleDuplicateOf", "applicant"]) {
        applicants.extend(originals.values().map(|record| record.member_id));
    }
    load_many::<MemberLoader, _>(ctx, applicants).await?;
    Ok(())
}

/// Loads an application the viewer may see; `NOT_FOUND` otherwise.
pub async fn load_application(
    ctx: &Context<'_>,
    id: ApplicationId,
) -> Result<Application, AppError> {
    let record = load_one::<ApplicationLoader, _>(ctx, id)
        .await?
        .ok_or(AppError::NotFound {
            entity: "Application",
        })?;
    Ok(Application::new(record, viewer(ctx)?))
}

/// A former employee as HR's roster knows them.
pub struct RosterEntry(RosterEntryRecord);

/// A former employee as HR's roster knows them. Secretariat only.
#[Object]
impl RosterEntry {
    /// Employee number.
    async fn employee_number(&self) -> &str {
        &self.0.employee_number
    }

    /// Full name.
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }

    /// Its reading.
    async fn full_name_kana(&self) -> &str {
        &self.0.full_name_kana
    }

    /// Surnames used before.
    async fn former_surnames(&self) -> Vec<String> {
        strings(self.0.former_surnames.clone())
    }

    /// Known e-mail addresses.
    async fn emails(&self) -> Vec<String> {
        strings(self.0.emails.clone())
    }

    /// The company (or predecessor) left.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        Ok(load_company(ctx, self.0.company_id).await?)
    }

    /// First day.
    async fn joined_on(&self) -> NaiveDate {
        self.0.joined_on
    }

    /// Last day.
    async fn left_on(&self) -> NaiveDate {
        self.0.left_on
    }

    /// Last department.
    async fn last_department(&self) -> &str {
        &self.0.last_department
    }

    /// Opaque global id, to pass to `approveApplication(rosterEntryId:)`;
    /// resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
}

/// A roster entry that may be the applicant.
pub struct RosterCandidate(Candidate);

/// A roster entry that may be the applicant, and why.
#[Object]
impl RosterCandidate {
    /// The entry.
    async fn entry(&self) -> RosterEntry {
        RosterEntry(self.0.entry.clone())
    }

    /// What the entry shares with the application, strongest first.
    async fn matched_on(&self) -> &[CandidateSignal] {
        &self.0.signals
    }
}

/// Where an invitation stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// Not used yet and not expired.
    Unused,
    /// Used by an application.
    Used,
    /// Expired unused.
    Expired,
}

/// An invitation code (the code itself is shown only once, at creation).
pub struct Invitation {
    record: InvitationRecord,
    status: InvitationStatus,
}

impl Invitation {
    fn new(record: InvitationRecord, now: DateTime<Utc>) -> Self {
        let status = if record.used_at.is_some() {
            InvitationStatus::Used
        } else if record.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Unused
        };
        Self { record, status }
    }
}

/// An invitation by id (secretariat only); `NOT_FOUND` otherwise.
pub async fn load_invitation(ctx: &Context<'_>, id: InvitationId) -> Result<Invitation, AppError> {
    let record = load_one::<InvitationLoader, _>(ctx, id)
        .await?
        .ok_or(AppError::NotFound {
            entity: "Invitation",
        })?;
    Ok(Invitation::new(
        record,
        data::<MembershipService>(ctx)?.context().now(),
    ))
}

/// A roster entry by id (secretariat only); `NOT_FOUND` otherwise.
pub async fn load_roster_entry(
    ctx: &Context<'_>,
    id: RosterEntryId,
) -> Result<RosterEntry, AppError> {
    load_one::<RosterEntryLoader, _>(ctx, id)
        .await?
        .map(RosterEntry)
        .ok_or(AppError::NotFound {
            entity: "RosterEntry",
        })
}

/// A single-use invitation code that makes an application pre-approved.
/// Secretariat only.
#[Object]
impl Invitation {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.record.id.to_global()
    }

    /// Whom it is for, in the secretariat's words.
    async fn note(&self) -> &str {
        &self.record.note
    }

    /// Where it stands.
    async fn status(&self) -> InvitationStatus {
        self.status
    }

    /// The secretariat member who created it.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        match load_member(ctx, self.record.created_by).await {
            Ok(member) => Ok(Some(member)),
            Err(AppError::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.record.created_at
    }

    /// After this it no longer works.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.record.expires_at
    }

    /// When it was used.
    async fn used_at(&self) -> Option<DateTime<Utc>> {
        self.record.used_at
    }
}

/// Queries on applications and invitations.
#[derive(Default)]
pub struct ApplicationQuery;

/// Queries on applications and invitations.
#[Object]
impl ApplicationQuery {
    /// The viewer's own application. Applicants follow it here until it is
    /// approved; it is the one thing they may see.
    async fn my_application(&self, ctx: &Context<'_>) -> Result<Option<Application>> {
        let viewer = viewer(ctx)?;
        let record = data::<MembershipService>(ctx)?
            .my_application(viewer)
            .await?;
        Ok(record.map(|record| Application::new(record, viewer)))
    }

    /// The review queue: applications awaiting a decision, oldest first,
    /// each with its closest roster candidates and, for possible duplicates,
    /// the application it may duplicate. Secretariat only.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn pending_applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Application>> {
        let viewer = viewer(ctx)?;
        let service = data::<MembershipService>(ctx)?;
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.pending_applications(viewer, &page).await?;
        prefetch_application_fields(ctx, &rows).await?;
        let total_count = TotalCount::lazy({
            let (service, viewer) = (service.clone(), viewer.clone());
            async move { service.count_pending_applications(&viewer).await }
        });
        Ok(page.into_connection(
            rows,
            |record| (record.submitted_at, record.id.0),
            |record| Application::new(record, viewer),
            total_count,
        ))
    }

    /// Invitation codes, newest first. Secretariat only.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Invitation>> {
        let service = data::<MembershipService>(ctx)?;
        let viewer = viewer(ctx)?;
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.invitations(viewer, &page).await?;
        if selects_in_items(ctx, &["createdBy"]) {
            load_many::<MemberLoader, _>(ctx, rows.iter().map(|record| record.created_by)).await?;
        }
        let now = service.context().now();
        let total_count = TotalCount::lazy({
            let (service, viewer) = (service.clone(), viewer.clone());
            async move { service.count_invitations(&viewer).await }
        });
        Ok(page.into_connection(
            rows,
            |record| (record.created_at, record.id.0),
            |record| Invitation::new(record, now),
            total_count,
        ))
    }
}

/// An application to join.
#[derive(InputObject)]
pub struct ApplyForMembershipInput {
    /// E-mail address to sign in with.
    pub email: String,
    /// Password to sign in with (12 to 256 characters).
    pub password: String,
    /// Full name at the company.
    pub full_name: String,
    /// Its reading, in kana.
    pub full_name_kana: String,
    /// Surnames used before (旧姓), if any.
    #[graphql(default)]
    pub former_surnames: Vec<String>,
    /// Employee number, if known: with the name or e-mail address and the
    /// leave date it lets the application be approved at once.
    pub employee_number: Option<String>,
    /// The company or predecessor left (see `companies`).
    pub company_id: ID,
    /// First day there.
    pub joined_on: NaiveDate,
    /// Last day there; not in the future.
    pub left_on: NaiveDate,
    /// Last department there.
    pub last_department: Option<String>,
    /// The version of the terms read and accepted (see `currentTerms`).
    pub accepted_terms_version: String,
    /// What the applicant consents to; MEMBERSHIP is required.
    pub consent_purposes: Vec<ConsentPurpose>,
    /// An invitation code from the secretariat, if any.
    pub invitation_code: Option<String>,
}

/// What every applicant is told, whatever became of the application.
const RECEIPT_MESSAGE: &str = "Thank you for applying. To follow your application, sign in with this e-mail address and the password you chose.";

/// Result of `applyForMembership`.
pub struct ApplyForMembershipPayload(ApplicationReceipt);

/// Result of `applyForMembership`: a receipt, the same for every
/// well-formed application, so that it tells nothing about anyone else. The
/// applicant follows the application by signing in (`login`) with the
/// address and password applied with and reading `myApplication`.
#[Object]
impl ApplyForMembershipPayload {
    /// The address applied with, as it is used to sign in (trimmed, lower
    /// case).
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// What to do next, to show the applicant.
    async fn message(&self) -> &str {
        RECEIPT_MESSAGE
    }
}

/// A new invitation.
#[derive(InputObject)]
pub struct CreateInvitationInput {
    /// Whom it is for, e.g. "田中さん (2019年退職, 関西システムズ)".
    #[graphql(default)]
    pub note: String,
    /// Days it works (default 30, at most 180).
    pub valid_for_days: Option<i32>,
}

/// Result of `createInvitation`.
pub struct CreateInvitationPayload {
    code: SecretString,
    invitation: Invitation,
}

/// Result of `createInvitation`: the code, shown only this once.
#[Object]
impl CreateInvitationPayload {
    /// The code to hand to the invitee; the server keeps only its hash.
    async fn code(&self) -> &str {
        self.code.expose_secret()
    }

    /// The invitation.
    async fn invitation(&self) -> &Invitation {
        &self.invitation
    }
}

/// Mutations on applications and invitations.
#[derive(Default)]
pub struct ApplicationMutation;

/// Mutations on applications and invitations.
#[Object]
impl ApplicationMutation {
    /// Verifies the viewer's address with the code mailed to it. An
    /// application matched to a roster entry that lists the address is
    /// approved now; others stay with the secretariat, who see the address
    /// verified. A wrong, expired or used-up code answers `BAD_USER_INPUT`
    /// on `code` (five wrong tries end a code; ask for a new one).
    async fn verify_email(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code mailed to the address applied with.")] code: String,
    ) -> Result<Application> {
        let viewer = viewer(ctx)?;
        let record = data::<MembershipService>(ctx)?
            .verify_email(viewer, &code)
            .await?;
        Ok(Application::new(record, viewer))
    }

    /// Mails a new verification code (the earlier one stops working); one
    /// request a minute (`RATE_LIMITED`). Returns `true`.
    async fn resend_verification_code(&self, ctx: &Context<'_>) -> Result<bool> {
        data::<MembershipService>(ctx)?
            .resend_verification_code(viewer(ctx)?)
            .await?;
        Ok(true)
    }

    /// Applies to join, and mails a verification code to the address.
    /// Approved at once with a valid invitation code; approved on
    /// `verifyEmail` when it matches the former-employee roster by employee
    /// number, leave date and an address the roster lists; otherwise it
    /// awaits the secretariat (a match by name alone is for them to judge).
    /// Answers the same receipt for every well-formed application; sign in
    /// with its address and password, then read `myApplication`. Refused
    /// (`BAD_USER_INPUT`, with the field) only for invalid input: a
    /// malformed address, a short password, a leave date in the future, an
    /// unknown company, stale terms, an invalid, used or expired invitation
    /// code.
    async fn apply_for_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application.")] input: ApplyForMembershipInput,
    ) -> Result<ApplyForMembershipPayload> {
        let input = ApplicationInput {
            email: input.email,
            password: input.password,
            full_name: input.full_name,
            full_name_kana: input.full_name_kana,
            former_surnames: input.former_surnames,
            employee_number: input.employee_number,
            company_id: CompanyId::from_global(&input.company_id, "input.companyId")?,
            joined_on: input.joined_on,
            left_on: input.left_on,
            last_department: input.last_department,
            accepted_terms_version: input.accepted_terms_version,
            consent_purposes: input.consent_purposes,
            invitation_code: input.invitation_code,
        };
        let receipt = data::<MembershipService>(ctx)?
            .apply(data::<Caller>(ctx)?, input)
            .await?;
        Ok(ApplyForMembershipPayload(receipt))
    }

    /// Approves a pending application, optionally naming the roster entry
    /// the applicant is. Secretariat only.
    async fn approve_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the application.")] id: ID,
        #[graphql(desc = "The roster entry the applicant is, if known.")] roster_entry_id: Option<
            ID,
        >,
    ) -> Result<Application> {
        let viewer = viewer(ctx)?;
        let roster_entry = roster_entry_id
            .map(|id| RosterEntryId::from_global(&id, "rosterEntryId"))
            .transpose()?;
        let record = data::<MembershipService>(ctx)?
            .approve_application(viewer, ApplicationId::from_global(&id, "id")?, roster_entry)
            .await?;
        Ok(Application::new(record, viewer))
    }

    /// Rejects a pending application with a reason the applicant will read.
    /// Secretariat only.
    async fn reject_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the application.")] id: ID,
        #[graphql(desc = "Why, for the applicant.")] reason: String,
    ) -> Result<Application> {
        let viewer = viewer(ctx)?;
        let record = data::<MembershipService>(ctx)?
            .reject_application(viewer, ApplicationId::from_global(&id, "id")?, &reason)
            .await?;
        Ok(Application::new(record, viewer))
    }

    /// Creates a single-use invitation code that makes an application
    /// pre-approved. Secretariat only.
    async fn create_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The invitation.")] input: CreateInvitationInput,
    ) -> Result<CreateInvitationPayload> {
        let service = data::<MembershipService>(ctx)?;
        let issued = service
            .create_invitation(
                viewer(ctx)?,
                &input.note,
                input.valid_for_days.map(i64::from),
            )
            .await?;
        Ok(CreateInvitationPayload {
            code: issued.code,
            invitation: Invitation::new(issued.invitation, service.context().now()),
        })
    }
}
