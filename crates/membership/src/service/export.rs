//! The member's access to their own data (APPI / GDPR): everything this
//! domain holds about them, as JSON.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppError, AppResult, Viewer};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::{Value, json};

use super::MembershipService;
use crate::model::{MemberRecord, ProfileRecord, strings};
use crate::store::{accounts, applications, profiles, terms};

impl MembershipService {
    /// Everything the membership domain holds about the viewer, read on
    /// the caller's connection (the gateway's, shared by every domain's
    /// part of the export). Allowed whatever the terms, as a data-subject
    /// right; recorded in the audit log. Tokens and password hashes are
    /// never exported.
    pub async fn export_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
    ) -> AppResult<Value> {
        let member_id = viewer.session()?.member_id;
        let now = self.ctx.now();
        conn.transaction(async |conn| {
            let (member, profile) = profiles::members_with_profiles(conn, &[member_id])
                .await?
                .pop()
                .ok_or(AppError::NotFound { entity: "Member" })?;
            let skills: Vec<String> = profiles::skills_of(conn, &[member_id])
                .await?
                .into_iter()
                .map(|(_, tag)| tag.name)
                .collect();
            let application = applications::application_of(conn, member_id).await?;
            let consents = terms::consents_of(conn, member_id).await?;
            let sessions = accounts::sessions_of(conn, member_id).await?;
            let last_seen_at = accounts::last_seen_of(conn, member_id).await?;
            let trail = audit::concerning(conn, member_id).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.data_exported")
                    .by(member_id)
                    .on(member_id),
            )
            .await?;
            Ok(json!({
                "account": account_json(&member)?,
                "lastSeenAt": last_seen_at,
                "profile": profile.as_ref().map(|profile| profile_json(profile, &skills)),
                "application": application.map(|application| json!({
                    "status": application.status,
                    "fullName": application.full_name,
                    "fullNameKana": application.full_name_kana,
                    "formerSurnames": strings(application.former_surnames),
                    "employeeNumber": application.employee_number,
                    "companyId": application.company_id,
                    "joinedOn": application.joined_on,
                    "leftOn": application.left_on,
                    "lastDepartment": application.last_department,
                    "approvalBasis": application.approval_basis,
                    "submittedAt": application.submitted_at,
                    "decidedAt": application.decided_at,
                    "rejectionReason": application.rejection_reason,
                })),
                "consents": consents.iter().map(|consent| json!({
                    "termsVersionId": consent.terms_version_id,
                    "acceptedAt": consent.accepted_at,
                    "purposes": consent.purposes.iter().flatten().collect::<Vec<_>>(),
                    "updatedAt": consent.updated_at,
                })).collect::<Vec<_>>(),
                "sessions": sessions.iter().map(|session| json!({
                    "createdAt": session.created_at,
                    "expiresAt": session.expires_at,
                    "revokedAt": session.revoked_at,
                })).collect::<Vec<_>>(),
                "auditTrail": trail.iter().map(|event| json!({
                    "occurredAt": event.occurred_at,
                    "action": event.action,
                    "actedByMe": event.actor_id == Some(member_id.0),
                    "subjectType": event.subject_type,
                    "subjectId": event.subject_id,
                })).collect::<Vec<_>>(),
            }))
        })
        .await
    }
}

fn account_json(member: &MemberRecord) -> AppResult<Value> {
    Ok(json!({
        "id": member.id,
        "email": member.email,
        "roles": member.role_set()?.to_names(),
        "status": member.status,
        "createdAt": member.created_at,
    }))
}

fn profile_json(profile: &ProfileRecord, skills: &[String]) -> Value {
    json!({
        "displayName": profile.display_name,
        "displayNameKana": profile.display_name_kana,
        "formerSurnames": strings(profile.former_surnames.clone()),
        "currentCompany": profile.current_company,
        "currentTitle": profile.current_title,
        "prefecture": profile.prefecture,
        "bio": profile.bio,
        "skills": skills,
        "interests": profile.interests.iter().flatten().collect::<Vec<_>>(),
        "links": profile.links,
        "companyId": profile.company_id,
        "joinedOn": profile.joined_on,
        "leftOn": profile.left_on,
        "lastDepartment": profile.last_department,
        "openToReturning": profile.open_to_returning,
        "listedInDirectory": profile.listed_in_directory,
        "visibility": {
            "formerSurnames": profile.former_surnames_visibility,
            "currentWork": profile.current_work_visibility,
            "prefecture": profile.prefecture_visibility,
            "bio": profile.bio_visibility,
            "skills": profile.skills_visibility,
            "interests": profile.interests_visibility,
            "links": profile.links_visibility,
            "employment": profile.employment_visibility,
        },
        "updatedAt": profile.updated_at,
    })
}
