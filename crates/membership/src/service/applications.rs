//! Applications to join, the eligibility check against the roster, and
//! invitation codes.
//!
//! Only former employees of the company or its predecessors may join. An
//! application that matches a roster entry (employee number with name or
//! e-mail address, and leave date) is approved at once; one carrying a valid
//! invitation code likewise. Any other waits for the secretariat, who sees
//! the closest roster entries beside it.
//!
//! Applying is anonymous, so the answer must not depend on other people:
//! an applicant who collides with a live application or membership is filed
//! as a possible duplicate for the secretariat rather than refused, and an
//! address that has an account gets the same receipt with nothing created.

use std::collections::HashMap;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::secrets::{self, Alphabet, ExposeSecret as _, SecretString};
use alumni_core::{AppError, AppResult, Caller, MemberId, Role, Viewer, search};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;
use unicode_normalization::UnicodeNormalization as _;

use super::terms::consent_purposes;
use super::{MembershipService, conflict_on, kana_field, list_field, text_field};
use crate::jobs::{self, ApplicationDecided};
use crate::model::{
    ApplicationId, ApplicationRecord, ApplicationStatus, ApprovalBasis, CompanyId, ConsentPurpose,
    Decision, InvitationId, InvitationRecord, MemberStatus, NewMember, NewProfile, RosterEntryId,
    RosterEntryRecord, strings, validate_email,
};
use crate::password::{Patience, validate_password};
use crate::store::applications::TimeKey;
use crate::store::{
    accounts, applications as store, companies, profiles, roster, terms, verification,
};

/// Days an invitation works when the secretariat names no other period.
pub const INVITATION_DEFAULT_DAYS: i64 = 30;
/// The longest an invitation may work.
const INVITATION_MAX_DAYS: i64 = 180;
/// Roster candidates shown beside a pending application.
const CANDIDATES_SHOWN: usize = 5;
/// Letters of invitation codes: no 0/O, 1/I/L, to read them out safely.
const CODE_ALPHABET: Alphabet = Alphabet::new(b"ABCDEFGHJKMNPQRSTUVWXYZ23456789");
/// Letters in an invitation code, written in groups of four.
const CODE_LENGTH: usize = 12;

/// Digits of verification codes: easy to type from a phone's mail.
pub(super) const VERIFICATION_ALPHABET: Alphabet = Alphabet::new(b"0123456789");
/// Digits in a verification code.
pub(super) const VERIFICATION_LENGTH: usize = 6;
/// How long a verification code works.
pub(super) const VERIFICATION_VALID: Duration = Duration::minutes(30);
/// Wrong tries a code survives.
pub(super) const VERIFICATION_ATTEMPTS: i32 = 5;

/// The unique indexes that allow one live, unflagged application or
/// membership per person, and what a clash means when the secretariat
/// approves a flagged duplicate.
const PERSON_TAKEN: [(&str, &str); 3] = [
    (
        "applications_roster_entry_key",
        "another live application or membership is for this roster entry; reject one of the two first",
    ),
    (
        "applications_employee_number_key",
        "another live application or membership has this employee number; reject one of the two first",
    ),
    (
        "applications_person_key",
        "another live application or membership has this name and leave date; reject one of the two first",
    ),
];

/// What an applicant tells about themselves.
#[derive(Debug, Clone)]
pub struct ApplicationInput {
    /// E-mail address to sign in with.
    pub email: String,
    /// Password to sign in with.
    pub password: String,
    /// Full name at the company.
    pub full_name: String,
    /// Its reading, in kana.
    pub full_name_kana: String,
    /// Surnames used before (旧姓).
    pub former_surnames: Vec<String>,
    /// Employee number, if known.
    pub employee_number: Option<String>,
    /// The company (or predecessor) left.
    pub company_id: CompanyId,
    /// First day there.
    pub joined_on: NaiveDate,
    /// Last day there.
    pub left_on: NaiveDate,
    /// Last department there.
    pub last_department: Option<String>,
    /// The version of the terms the applicant read and accepts.
    pub accepted_terms_version: String,
    /// What the applicant consents to.
    pub consent_purposes: Vec<ConsentPurpose>,
    /// An invitation code from the secretariat, if any.
    pub invitation_code: Option<String>,
}

/// What an applicant is told: the same for every well-formed application,
/// whether it was filed, flagged as a possible duplicate, or not filed
/// because the e-mail address already has an account.
#[derive(Debug, Clone)]
pub struct ApplicationReceipt {
    /// The address applied with (normalised): the applicant signs in with
    /// it and their password to follow the application.
    pub email: String,
}

/// A new invitation and its code, shown once.
#[derive(Debug, Clone)]
pub struct IssuedInvitation {
    /// The invitation.
    pub invitation: InvitationRecord,
    /// The code to hand to the invitee.
    pub code: SecretString,
}

alumni_core::text_enum! {
    /// Why a roster entry is shown as a candidate for an application.
    pub enum CandidateSignal {
        /// Same employee number.
        EmployeeNumber = "EMPLOYEE_NUMBER",
        /// The applicant's e-mail address is on the entry.
        Email = "EMAIL",
        /// Same full name.
        Name = "NAME",
        /// Same reading of the name.
        Kana = "KANA",
        /// Same company and leave date.
        CompanyAndLeaveDate = "COMPANY_AND_LEAVE_DATE",
    }
}

impl CandidateSignal {
    fn weight(self) -> u32 {
        match self {
            CandidateSignal::EmployeeNumber => 4,
            CandidateSignal::Email => 3,
            CandidateSignal::Name | CandidateSignal::Kana => 2,
            CandidateSignal::CompanyAndLeaveDate => 1,
        }
    }
}

/// A roster entry that may be the applicant, and why.
#[derive(Debug, Clone)]
pub struct RosterCandidate {
    /// The entry.
    pub entry: RosterEntryRecord,
    /// What it shares with the application, strongest first.
    pub signals: Vec<CandidateSignal>,
}

/// The application's checked values.
struct Applicant {
    email: String,
    consent_purposes: Vec<ConsentPurpose>,
    full_name: String,
    full_name_kana: String,
    former_surnames: Vec<String>,
    employee_number: Option<String>,
    last_department: String,
}

impl MembershipService {
    /// Submits an application (see the module docs). Public: applicants
    /// have no account yet.
    ///
    /// Refused (`BAD_USER_INPUT`) only for the applicant's own input: a
    /// malformed address, a short password, a leave date in the future, an
    /// unknown company, stale terms, an invalid, used or expired invitation
    /// code. Everything that concerns other people answers the same receipt,
    /// after the same password hashing: an address that has an account gets
    /// nothing created (an audit entry records the attempt), and a person
    /// who collides with a live application or membership is filed pending
    /// review, flagged for the secretariat as a possible duplicate.
    /// Each request may hash one password, and each client submit only so
    /// many applications an hour (`RATE_LIMITED`).
    pub async fn apply(
        &self,
        caller: &Caller,
        input: ApplicationInput,
    ) -> AppResult<ApplicationReceipt> {
        caller.spend_password_operation()?;
        self.guards.applications.check(caller.client())?;
        let applicant = self.check_application(&input).await?;
        let password_hash = self
            .guards
            .hashing
            .hash(input.password.clone(), Patience::Bounded)
            .await?;
        let now = self.ctx.now();
        let member_id = MemberId::new();
        let name_key = search::normalize(&applicant.full_name);
        let kana_key = search::normalize(&applicant.full_name_kana);
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let terms_version = terms::current_terms(conn).await?;
            // Redeemed whatever follows, so that reusing a code tells
            // nothing about the address it was first used with.
            let invitation = match &input.invitation_code {
                Some(code) => Some(redeem(conn, code, now).await?),
                None => None,
            };
            let account = NewMember {
                id: member_id,
                email: &applicant.email,
                password_hash: &password_hash,
                roles: Vec::new(),
                created_at: now,
                updated_at: now,
                status: MemberStatus::Applicant,
            };
            if !accounts::insert_member_unless_email_taken(conn, &account).await? {
                return record_taken_email(conn, &applicant.email, invitation, now).await;
            }
            let roster_match = match &applicant.employee_number {
                Some(number) => {
                    roster::entries_by_employee_numbers(conn, std::slice::from_ref(number))
                        .await?
                        .into_iter()
                        .find(|entry| {
                            entry.left_on == input.left_on
                                && (entry.name_key == name_key
                                    || strings(entry.emails.clone()).contains(&applicant.email))
                        })
                }
                None => None,
            };
            // A roster match approves only once the address is verified
            // (`verify_email`), and only an address HR has on file: a
            // name, number and leave date alone a former colleague could
            // know, so such a match waits for the secretariat.
            let basis = invitation.map(|_| ApprovalBasis::Invitation);
            let application = file_application(
                conn,
                ApplicationRecord {
                    id: ApplicationId::new(),
                    member_id,
                    status: if basis.is_some() {
                        ApplicationStatus::Approved
                    } else {
                        ApplicationStatus::PendingReview
                    },
                    full_name: applicant.full_name.clone(),
                    full_name_kana: applicant.full_name_kana.clone(),
                    former_surnames: applicant
                        .former_surnames
                        .iter()
                        .cloned()
                        .map(Some)
                        .collect(),
                    employee_number: applicant.employee_number.clone(),
                    company_id: input.company_id,
                    joined_on: input.joined_on,
                    left_on: input.left_on,
                    last_department: applicant.last_department.clone(),
                    name_key: name_key.clone(),
                    kana_key: kana_key.clone(),
                    roster_entry_id: roster_match.as_ref().map(|entry| entry.id),
                    invitation_id: invitation,
                    approval_basis: basis,
                    submitted_at: now,
                    decided_at: basis.is_some().then_some(now),
                    decided_by: None,
                    rejection_reason: None,
                    possible_duplicate: false,
                    duplicate_of: None,
                    email_verified_at: None,
                },
            )
            .await?;
            jobs::verification_requested(conn, now, member_id, None).await?;
            if let Some(version) = terms_version {
                terms::upsert_consent(
                    conn,
                    member_id,
                    version.id,
                    &applicant.consent_purposes,
                    now,
                )
                .await?;
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.application_submitted")
                    .by(member_id)
                    .on(application.id)
                    .details(json!({
                        "status": application.status,
                        "basis": application.approval_basis,
                        "possibleDuplicate": application.possible_duplicate,
                        "duplicateOf": application.duplicate_of,
                    })),
            )
            .await?;
            if application.status == ApplicationStatus::Approved {
                admit(conn, &application, now).await?;
            }
            Ok(())
        })
        .await?;
        Ok(ApplicationReceipt {
            email: applicant.email,
        })
    }

    /// Checks everything about an application that needs no lock.
    async fn check_application(&self, input: &ApplicationInput) -> AppResult<Applicant> {
        let email = validate_email(&input.email, "input.email")?;
        validate_password(&input.password, "input.password")?;
        let full_name = text_field(&input.full_name, "input.fullName", true, 100)?;
        let full_name_kana = kana_field(&input.full_name_kana, "input.fullNameKana")?;
        let former_surnames = list_field(&input.former_surnames, "input.formerSurnames", 5, 50)?;
        let employee_number = input
            .employee_number
            .as_deref()
            .map(|number| {
                text_field(
                    &number.nfkc().collect::<String>(),
                    "input.employeeNumber",
                    false,
                    20,
                )
            })
            .transpose()?
            .filter(|number| !number.is_empty());
        let last_department = text_field(
            input.last_department.as_deref().unwrap_or_default(),
            "input.lastDepartment",
            false,
            100,
        )?;
        if input.left_on < input.joined_on {
            return Err(AppError::bad_input(
                "input.leftOn",
                "must not be before joinedOn",
            ));
        }
        if input.left_on > self.today() {
            return Err(AppError::bad_input(
                "input.leftOn",
                "is in the future: the network is for people who have left",
            ));
        }
        let consent_purposes = consent_purposes(&input.consent_purposes, "input.consentPurposes")?;
        let mut conn = self.ctx.conn().await?;
        if companies::company_by_id(&mut conn, input.company_id)
            .await?
            .is_none()
        {
            return Err(AppError::bad_input(
                "input.companyId",
                "not a known company or predecessor",
            ));
        }
        if let Some(current) = terms::current_terms(&mut conn).await?
            && current.version != input.accepted_terms_version.trim()
        {
            return Err(AppError::bad_input(
                "input.acceptedTermsVersion",
                format!(
                    "the terms in force are version {}; read and accept them",
                    current.version
                ),
            ));
        }
        Ok(Applicant {
            email,
            consent_purposes,
            full_name,
            full_name_kana,
            former_surnames,
            employee_number,
            last_department,
        })
    }

    /// The viewer's own application: applicants follow it here until it is
    /// approved (and members can look back at it).
    pub async fn my_application(&self, viewer: &Viewer) -> AppResult<Option<ApplicationRecord>> {
        let member_id = viewer.session()?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::application_of(&mut conn, member_id).await?)
    }

    /// Applications by id: the secretariat sees all, an applicant their own.
    pub async fn applications_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[ApplicationId],
    ) -> AppResult<Vec<ApplicationRecord>> {
        let identity = viewer.session()?;
        let is_secretariat = viewer.has_role(Role::Secretariat);
        let mut conn = self.ctx.conn().await?;
        let applications = store::applications_by_ids(&mut conn, ids).await?;
        Ok(applications
            .into_iter()
            .filter(|application| is_secretariat || application.member_id == identity.member_id)
            .collect())
    }

    /// The review queue: applications awaiting a decision, oldest first.
    /// Secretariat only.
    pub async fn pending_applications(
        &self,
        viewer: &Viewer,
        page: &PageRequest<TimeKey>,
    ) -> AppResult<Vec<ApplicationRecord>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::pending_page(&mut conn, page).await?)
    }

    /// How many applications await review. Secretariat only.
    pub async fn count_pending_applications(&self, viewer: &Viewer) -> AppResult<ListSize> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::pending_count(&mut conn).await?)
    }

    /// The roster entries closest to each application, strongest first, in
    /// two statements for any number of applications. Secretariat only.
    pub async fn roster_candidates(
        &self,
        viewer: &Viewer,
        ids: &[ApplicationId],
    ) -> AppResult<HashMap<ApplicationId, Vec<RosterCandidate>>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        let applications = store::applications_with_emails(&mut conn, ids).await?;
        let numbers: Vec<String> = applications
            .iter()
            .filter_map(|(app, _)| app.employee_number.clone())
            .collect();
        let names: Vec<String> = applications
            .iter()
            .map(|(app, _)| app.name_key.clone())
            .collect();
        let kanas: Vec<String> = applications
            .iter()
            .map(|(app, _)| app.kana_key.clone())
            .collect();
        let emails: Vec<String> = applications
            .iter()
            .filter_map(|(_, email)| email.clone())
            .collect();
        let entries =
            roster::candidate_entries(&mut conn, &numbers, &names, &kanas, &emails).await?;
        Ok(applications
            .iter()
            .map(|(application, email)| {
                (
                    application.id,
                    rank_candidates(application, email.as_deref(), &entries),
                )
            })
            .collect())
    }

    /// Roster entries by id. Secretariat only.
    pub async fn roster_entries_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[RosterEntryId],
    ) -> AppResult<Vec<RosterEntryRecord>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(roster::entries_by_ids(&mut conn, ids).await?)
    }

    /// Approves a pending application, optionally naming the roster entry
    /// the applicant is. Secretariat only.
    pub async fn approve_application(
        &self,
        viewer: &Viewer,
        id: ApplicationId,
        roster_entry: Option<RosterEntryId>,
    ) -> AppResult<ApplicationRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let application = lock_pending(conn, id).await?;
            if let Some(entry) = roster_entry
                && roster::entries_by_ids(conn, &[entry]).await?.is_empty()
            {
                return Err(AppError::bad_input("rosterEntryId", "no such roster entry"));
            }
            let decision = Decision {
                status: ApplicationStatus::Approved,
                approval_basis: Some(ApprovalBasis::Secretariat),
                roster_entry_id: roster_entry.or(application.roster_entry_id),
                decided_by: Some(actor),
                rejection_reason: None,
                decided_at: Some(now),
                possible_duplicate: false,
                duplicate_of: None,
            };
            store::decide(conn, id, &decision)
                .await
                .map_err(|err| conflict_on(err, &PERSON_TAKEN))?;
            admit(conn, &application, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.application_approved")
                    .by(actor)
                    .on(id),
            )
            .await?;
            reload(conn, id).await
        })
        .await
    }

    /// Rejects a pending application with a reason the applicant will
    /// read. Secretariat only.
    pub async fn reject_application(
        &self,
        viewer: &Viewer,
        id: ApplicationId,
        reason: &str,
    ) -> AppResult<ApplicationRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let reason = text_field(reason, "reason", true, 1000)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let application = lock_pending(conn, id).await?;
            let decision = Decision {
                status: ApplicationStatus::Rejected,
                approval_basis: None,
                roster_entry_id: None,
                decided_by: Some(actor),
                rejection_reason: Some(&reason),
                decided_at: Some(now),
                possible_duplicate: application.possible_duplicate,
                duplicate_of: application.duplicate_of,
            };
            store::decide(conn, id, &decision).await?;
            let decided = ApplicationDecided {
                application_id: id,
                member_id: application.member_id,
                approved: false,
            };
            jobs::application_decided(conn, now, decided).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.application_rejected")
                    .by(actor)
                    .on(id),
            )
            .await?;
            reload(conn, id).await
        })
        .await
    }

    /// A fresh verification code for an applicant whose address is not
    /// verified yet, replacing any earlier one, with the address and name
    /// to mail it to; `None` when there is nothing to verify. For the
    /// notification crate's job, inside its transaction (the code is mailed
    /// through the outbox in the same commit, and never stored in clear).
    pub async fn issue_verification_code_in(
        &self,
        conn: &mut AsyncPgConnection,
        member_id: MemberId,
    ) -> AppResult<Option<(String, String, String)>> {
        let now = self.ctx.now();
        let Some(application) = store::application_of(conn, member_id).await? else {
            return Ok(None);
        };
        if application.email_verified_at.is_some()
            || application.status == ApplicationStatus::Rejected
        {
            return Ok(None);
        }
        let Some(email) = accounts::email_of(conn, member_id).await? else {
            return Ok(None);
        };
        let code = secrets::code(&VERIFICATION_ALPHABET, VERIFICATION_LENGTH)?;
        verification::replace_code(
            conn,
            &verification::PendingCode {
                member_id,
                code_hash: secrets::hash(&code),
                attempts: 0,
                created_at: now,
                expires_at: now + VERIFICATION_VALID,
            },
        )
        .await?;
        Ok(Some((email, application.full_name, code)))
    }

    /// Verifies the viewer's address with the code mailed to it. A pending
    /// application matched to a roster entry that lists this address is
    /// then approved; any other stays with the secretariat, who now sees
    /// the address verified. A wrong code counts; after five, or once it
    /// has expired, the code is dead (`BAD_USER_INPUT` on `code`; ask for
    /// a new one with `resendVerificationCode`).
    pub async fn verify_email(&self, viewer: &Viewer, code: &str) -> AppResult<ApplicationRecord> {
        let member_id = viewer.session()?.member_id;
        let now = self.ctx.now();
        let given = secrets::hash(code.trim());
        let mut conn = self.ctx.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let Some(pending) = verification::lock_code(conn, member_id).await? else {
                    return Ok(Err("there is no code to check; ask for a new one"));
                };
                if pending.expires_at <= now || pending.attempts >= VERIFICATION_ATTEMPTS {
                    return Ok(Err("this code has expired; ask for a new one"));
                }
                if pending.code_hash != given {
                    verification::count_attempt(conn, member_id).await?;
                    return Ok(Err("this is not the code we sent"));
                }
                verification::delete_code(conn, member_id).await?;
                verification::mark_application_verified(conn, member_id, now).await?;
                let application =
                    store::application_of(conn, member_id)
                        .await?
                        .ok_or(AppError::NotFound {
                            entity: "Application",
                        })?;
                audit::record(
                    conn,
                    now,
                    AuditEntry::new("membership.email_verified")
                        .by(member_id)
                        .on(application.id),
                )
                .await?;
                Ok::<_, AppError>(Ok(
                    approve_verified_roster_match(conn, application, now).await?
                ))
            })
            .await?;
        outcome.map_err(|message| AppError::bad_input("code", message))
    }

    /// Sends the viewer a new verification code (the earlier one stops
    /// working). One request a minute (`RATE_LIMITED`).
    pub async fn resend_verification_code(&self, viewer: &Viewer) -> AppResult<()> {
        let member_id = viewer.session()?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        // One request per member and minute: the job's key is the minute.
        let minute = now.timestamp().div_euclid(60);
        let key = format!("resend:{member_id}:{minute}");
        if jobs::verification_requested(&mut conn, now, member_id, Some(key)).await? {
            Ok(())
        } else {
            Err(AppError::RateLimited {
                retry_after_seconds: 60,
            })
        }
    }

    /// Creates a single-use invitation code that makes an application
    /// pre-approved. Secretariat only. The code is returned once.
    pub async fn create_invitation(
        &self,
        viewer: &Viewer,
        note: &str,
        valid_days: Option<i64>,
    ) -> AppResult<IssuedInvitation> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let note = text_field(note, "input.note", false, 200)?;
        let days = valid_days.unwrap_or(INVITATION_DEFAULT_DAYS);
        if !(1..=INVITATION_MAX_DAYS).contains(&days) {
            return Err(AppError::bad_input(
                "input.validForDays",
                format!("must be between 1 and {INVITATION_MAX_DAYS}"),
            ));
        }
        let code = new_invitation_code()?;
        let now = self.ctx.now();
        let invitation = InvitationRecord {
            id: InvitationId::new(),
            code_hash: secrets::hash(&normalize_code(code.expose_secret())),
            note,
            created_by: actor,
            created_at: now,
            expires_at: now + Duration::days(days),
            used_at: None,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert_invitation(conn, &invitation).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.invitation_created")
                    .by(actor)
                    .on(invitation.id),
            )
            .await
        })
        .await?;
        Ok(IssuedInvitation { invitation, code })
    }

    /// Invitations by id. Secretariat only.
    pub async fn invitations_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[InvitationId],
    ) -> AppResult<Vec<InvitationRecord>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::invitations_by_ids(&mut conn, ids).await?)
    }

    /// How many invitations exist. Secretariat only.
    pub async fn count_invitations(&self, viewer: &Viewer) -> AppResult<ListSize> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::invitations_count(&mut conn).await?)
    }

    /// Invitations, newest first. Secretariat only.
    pub async fn invitations(
        &self,
        viewer: &Viewer,
        page: &PageRequest<TimeKey>,
    ) -> AppResult<Vec<InvitationRecord>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::invitations_page(&mut conn, page).await?)
    }
}

/// An application as it stands now, inside the deciding transaction.
async fn reload(conn: &mut AsyncPgConnection, id: ApplicationId) -> AppResult<ApplicationRecord> {
    store::applications_by_ids(conn, &[id])
        .await?
        .pop()
        .ok_or(AppError::NotFound {
            entity: "Application",
        })
}

/// Locks an application that must still await a decision.
async fn lock_pending(
    conn: &mut AsyncPgConnection,
    id: ApplicationId,
) -> AppResult<ApplicationRecord> {
    let application = store::lock_application(conn, id)
        .await?
        .ok_or(AppError::NotFound {
            entity: "Application",
        })?;
    if application.status != ApplicationStatus::PendingReview {
        return Err(AppError::conflict(
            "this application has already been decided",
        ));
    }
    Ok(application)
}

/// Uses an invitation code, or says why it cannot be used.
async fn redeem(
    conn: &mut AsyncPgConnection,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<InvitationId> {
    let code_hash = secrets::hash(&normalize_code(code));
    if let Some(id) = store::redeem_invitation(conn, &code_hash, now).await? {
        return Ok(id);
    }
    let reason = match store::invitation_by_code_hash(conn, &code_hash).await? {
        None => "not a valid invitation code",
        Some(invitation) if invitation.used_at.is_some() => {
            "this invitation code has already been used"
        }
        Some(_) => "this invitation code has expired",
    };
    Err(AppError::bad_input("input.invitationCode", reason))
}

/// Files an application; one that collides with a live application or
/// membership for the same person is filed as a possible duplicate instead
/// (pending review, flagged, outside the unique indexes). The database
/// detects the clash, also between applications racing each other; the
/// first attempt runs in a savepoint, so that the clash leaves the
/// transaction usable for the second.
async fn file_application(
    conn: &mut AsyncPgConnection,
    application: ApplicationRecord,
) -> AppResult<ApplicationRecord> {
    let attempt = conn
        .transaction(async |conn| {
            store::insert_applications(conn, std::slice::from_ref(&application)).await
        })
        .await;
    match attempt {
        Ok(()) => return Ok(application),
        Err(error) if clashes_with_person(&error) => {}
        Err(error) => return Err(error.into()),
    }
    let duplicate_of = store::colliding_application(conn, &application).await?;
    let duplicate = ApplicationRecord {
        status: ApplicationStatus::PendingReview,
        email_verified_at: None,
        approval_basis: None,
        decided_at: None,
        // The roster entry may be the other application's; the secretariat
        // names it on approval if it is this one's.
        roster_entry_id: None,
        possible_duplicate: true,
        duplicate_of,
        ..application
    };
    store::insert_applications(conn, std::slice::from_ref(&duplicate)).await?;
    Ok(duplicate)
}

/// Whether `error` is a clash with another live application or membership
/// for the same person.
fn clashes_with_person(error: &DieselError) -> bool {
    matches!(
        error,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info
                .constraint_name()
                .is_some_and(|name| PERSON_TAKEN.iter().any(|(index, _)| *index == name))
    )
}

/// Records an application to an address that already has an account.
/// Nothing is created (the address's owner cannot be given a second
/// account) and the applicant is answered as anyone else, so only this
/// entry, holding ids alone, tells of it.
async fn record_taken_email(
    conn: &mut AsyncPgConnection,
    email: &str,
    invitation: Option<InvitationId>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut entry = AuditEntry::new("membership.application_for_taken_email")
        .details(json!({ "invitationId": invitation }));
    if let Some(owner) = accounts::member_by_email(conn, email).await? {
        entry = entry.on(owner.id);
    }
    audit::record(conn, now, entry).await
}

/// Makes the applicant of an approved application a member: the alumnus
/// role, an active account, and a profile from the application.
async fn admit(
    conn: &mut AsyncPgConnection,
    application: &ApplicationRecord,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let member = accounts::lock_member(conn, application.member_id)
        .await?
        .ok_or(AppError::NotFound { entity: "Member" })?;
    let roles = member.role_set()?.with(Role::Alumnus);
    accounts::set_roles(conn, member.id, &roles.to_names(), now).await?;
    accounts::set_status(conn, member.id, MemberStatus::Active, None, now).await?;
    insert_profile_from(conn, application, now).await?;
    let decided = ApplicationDecided {
        application_id: application.id,
        member_id: application.member_id,
        approved: true,
    };
    jobs::application_decided(conn, now, decided).await
}

/// Approves a pending application whose applicant has just verified an
/// address that its roster entry lists (and that leaves the same day),
/// unless it is flagged as a possible duplicate; otherwise it stays with
/// the secretariat. Returns the application as it now stands.
async fn approve_verified_roster_match(
    conn: &mut AsyncPgConnection,
    application: ApplicationRecord,
    now: DateTime<Utc>,
) -> AppResult<ApplicationRecord> {
    if application.status != ApplicationStatus::PendingReview || application.possible_duplicate {
        return Ok(application);
    }
    let Some(entry_id) = application.roster_entry_id else {
        return Ok(application);
    };
    let Some(email) = accounts::email_of(conn, application.member_id).await? else {
        return Ok(application);
    };
    let listed = roster::entries_by_ids(conn, &[entry_id])
        .await?
        .into_iter()
        .any(|entry| {
            entry.left_on == application.left_on && strings(entry.emails).contains(&email)
        });
    if !listed {
        return Ok(application);
    }
    let application = lock_pending(conn, application.id).await?;
    let decision = Decision {
        status: ApplicationStatus::Approved,
        approval_basis: Some(ApprovalBasis::RosterMatch),
        roster_entry_id: Some(entry_id),
        decided_by: None,
        rejection_reason: None,
        decided_at: Some(now),
        possible_duplicate: false,
        duplicate_of: None,
    };
    store::decide(conn, application.id, &decision)
        .await
        .map_err(|err| conflict_on(err, &PERSON_TAKEN))?;
    admit(conn, &application, now).await?;
    audit::record(
        conn,
        now,
        AuditEntry::new("membership.application_approved")
            .on(application.id)
            .details(json!({ "basis": ApprovalBasis::RosterMatch })),
    )
    .await?;
    reload(conn, application.id).await
}

/// Creates the profile of a newly approved member from their application.
async fn insert_profile_from(
    conn: &mut AsyncPgConnection,
    application: &ApplicationRecord,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let profile = NewProfile {
        company_id: Some(application.company_id),
        joined_on: Some(application.joined_on),
        left_on: Some(application.left_on),
        last_department: application.last_department.clone(),
        ..NewProfile::new(
            application.member_id,
            &application.full_name,
            &application.full_name_kana,
            strings(application.former_surnames.clone()),
            now,
        )
    };
    profiles::insert_profiles(conn, &[profile]).await?;
    Ok(())
}

/// The entries among `entries` that share something with `application`,
/// strongest first, at most [`CANDIDATES_SHOWN`].
fn rank_candidates(
    application: &ApplicationRecord,
    email: Option<&str>,
    entries: &[RosterEntryRecord],
) -> Vec<RosterCandidate> {
    let mut candidates: Vec<(u32, RosterCandidate)> = entries
        .iter()
        .filter_map(|entry| {
            let mut signals = Vec::new();
            if application.employee_number.as_deref() == Some(entry.employee_number.as_str()) {
                signals.push(CandidateSignal::EmployeeNumber);
            }
            if email.is_some_and(|email| entry.emails.iter().flatten().any(|known| known == email))
            {
                signals.push(CandidateSignal::Email);
            }
            if entry.name_key == application.name_key {
                signals.push(CandidateSignal::Name);
            }
            if entry.kana_key == application.kana_key {
                signals.push(CandidateSignal::Kana);
            }
            if signals.is_empty() {
                return None;
            }
            if entry.company_id == application.company_id && entry.left_on == application.left_on {
                signals.push(CandidateSignal::CompanyAndLeaveDate);
            }
            let score = signals.iter().map(|signal| signal.weight()).sum();
            Some((
                score,
                RosterCandidate {
                    entry: entry.clone(),
                    signals,
                },
            ))
        })
        .collect();
    candidates.sort_by(|(a_score, a), (b_score, b)| {
        b_score
            .cmp(a_score)
            .then_with(|| a.entry.employee_number.cmp(&b.entry.employee_number))
    });
    candidates
        .into_iter()
        .take(CANDIDATES_SHOWN)
        .map(|(_, candidate)| candidate)
        .collect()
}

/// A code of [`CODE_LENGTH`] letters from [`CODE_ALPHABET`] in groups of
/// four (about 59 random bits; codes also expire and work once).
fn new_invitation_code() -> AppResult<SecretString> {
    let letters: Vec<char> = secrets::code(&CODE_ALPHABET, CODE_LENGTH)?
        .chars()
        .collect();
    let groups: Vec<String> = letters.chunks(4).map(String::from_iter).collect();
    Ok(SecretString::from(groups.join("-")))
}

/// Codes are compared without case, spaces or dashes.
fn normalize_code(code: &str) -> String {
    code.nfkc()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_codes_are_readable_and_compare_loosely() {
        let code = new_invitation_code().unwrap();
        let code = code.expose_secret();
        assert_eq!(code.len(), 14);
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 3);
        assert!(
            groups
                .iter()
                .all(|group| group.len() == 4 && CODE_ALPHABET.spells(group))
        );
        assert_eq!(normalize_code(&code.to_lowercase()), normalize_code(code));
        assert_eq!(normalize_code(" abcd-efgh "), "ABCDEFGH");
    }
}
