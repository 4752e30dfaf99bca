//! Roles, suspension, reinstatement and withdrawal. Each writes the audit
//! log in the same transaction.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::idempotency;
use alumni_core::secrets;
use alumni_core::{AppError, AppResult, MemberId, Role, RoleSet, Viewer};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
use serde_json::json;

use super::{MembershipService, text_field};
use crate::model::{MemberRecord, MemberStatus};
use crate::store::{accounts, applications, profiles, verification};

impl MembershipService {
    /// Grants a role to an active member. Secretariat only.
    pub async fn grant_role(
        &self,
        viewer: &Viewer,
        member_id: MemberId,
        role: Role,
    ) -> AppResult<()> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let member = lock_existing(conn, member_id).await?;
            if member.status != MemberStatus::Active {
                return Err(AppError::conflict(format!(
                    "roles go to active members; this account is {}",
                    member.status.as_str().to_lowercase()
                )));
            }
            let roles = member.role_set()?;
            if !roles.contains(role) {
                accounts::set_roles(conn, member_id, &roles.with(role).to_names(), now).await?;
                audit::record(
                    conn,
                    now,
                    AuditEntry::new("membership.role_granted")
                        .by(actor)
                        .on(member_id)
                        .details(json!({ "role": role.as_str() })),
                )
                .await?;
            }
            Ok(())
        })
        .await
    }

    /// Revokes a role. Secretariat only; the last active secretariat member
    /// keeps theirs, so the network is never left without one.
    pub async fn revoke_role(
        &self,
        viewer: &Viewer,
        member_id: MemberId,
        role: Role,
    ) -> AppResult<()> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let member = lock_existing(conn, member_id).await?;
            let roles = member.role_set()?;
            if !roles.contains(role) {
                return Ok(());
            }
            if role == Role::Secretariat {
                ensure_another_secretariat(conn, &member).await?;
            }
            accounts::set_roles(conn, member_id, &roles.without(role).to_names(), now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.role_revoked")
                    .by(actor)
                    .on(member_id)
                    .details(json!({ "role": role.as_str() })),
            )
            .await
        })
        .await
    }

    /// Suspends an active member: their sessions end at once and sign-in is
    /// refused until reinstated. Secretariat only; not oneself.
    pub async fn suspend_member(
        &self,
        viewer: &Viewer,
        member_id: MemberId,
        reason: &str,
    ) -> AppResult<()> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        if actor == member_id {
            return Err(AppError::bad_input(
                "memberId",
                "you cannot suspend yourself",
            ));
        }
        let reason = text_field(reason, "reason", true, 1000)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| self.suspend_in(conn, now, actor, member_id, &reason).await)
            .await
    }

    /// Suspends an active member inside the caller's transaction (the
    /// review queue's, when a moderator's resolution suspends an author):
    /// their sessions end and sign-in is refused until reinstated. The
    /// caller has checked that `actor` may suspend; `CONFLICT` unless the
    /// member is active, or when they are the last active secretariat.
    pub async fn suspend_in(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        actor: MemberId,
        member_id: MemberId,
        reason: &str,
    ) -> AppResult<()> {
        let member = lock_existing(conn, member_id).await?;
        if member.status != MemberStatus::Active {
            return Err(AppError::conflict("only active members can be suspended"));
        }
        if member.role_set()?.contains(Role::Secretariat) {
            ensure_another_secretariat(conn, &member).await?;
        }
        accounts::set_status(conn, member_id, MemberStatus::Suspended, Some(reason), now).await?;
        let sessions = accounts::revoke_member_sessions(conn, member_id, now).await?;
        audit::record(
            conn,
            now,
            AuditEntry::new("membership.member_suspended")
                .by(actor)
                .on(member_id)
                .details(json!({ "sessionsEnded": sessions })),
        )
        .await
    }

    /// The roles of an active member, inside the caller's transaction;
    /// `None` for anyone else (unknown, suspended, withdrawn).
    pub async fn active_roles_in(
        &self,
        conn: &mut AsyncPgConnection,
        member_id: MemberId,
    ) -> AppResult<Option<RoleSet>> {
        let Some(member) = accounts::member_by_id(conn, member_id).await? else {
            return Ok(None);
        };
        if member.status != MemberStatus::Active {
            return Ok(None);
        }
        Ok(Some(member.role_set()?))
    }

    /// Lifts a suspension. Secretariat only.
    pub async fn reinstate_member(&self, viewer: &Viewer, member_id: MemberId) -> AppResult<()> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let member = lock_existing(conn, member_id).await?;
            if member.status != MemberStatus::Suspended {
                return Err(AppError::conflict(
                    "only suspended members can be reinstated",
                ));
            }
            accounts::set_status(conn, member_id, MemberStatus::Active, None, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.member_reinstated")
                    .by(actor)
                    .on(member_id),
            )
            .await
        })
        .await
    }

    /// The viewer leaves the network, inside the caller's transaction (the
    /// gateway's, in which every other domain removes its part too): their
    /// sessions end, their profile leaves the directory, and every personal
    /// field (e-mail, password, profile, skills, application) is erased.
    /// The audit log, which holds only ids, is kept. Allowed whatever the
    /// terms, as a data-subject right; the last active secretariat member
    /// cannot leave (`CONFLICT`).
    pub async fn withdraw_in(
        &self,
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
    ) -> AppResult<MemberId> {
        let member_id = viewer.session()?.member_id;
        let now = self.ctx.now();
        let member = lock_existing(conn, member_id).await?;
        if member.role_set()?.contains(Role::Secretariat) {
            ensure_another_secretariat(conn, &member).await?;
        }
        erase(conn, &member, now).await?;
        audit::record(
            conn,
            now,
            AuditEntry::new("membership.member_withdrew")
                .by(member_id)
                .on(member_id),
        )
        .await?;
        Ok(member_id)
    }
}

async fn lock_existing(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> AppResult<MemberRecord> {
    let member = accounts::lock_member(conn, member_id)
        .await?
        .ok_or(AppError::NotFound { entity: "Member" })?;
    if member.status == MemberStatus::Withdrawn {
        return Err(AppError::NotFound { entity: "Member" });
    }
    Ok(member)
}

/// Refuses to take away the last active secretariat member. Changes that
/// could do so run one at a time (an advisory lock), so two secretariat
/// members cannot remove each other at once.
async fn ensure_another_secretariat(
    conn: &mut AsyncPgConnection,
    member: &MemberRecord,
) -> AppResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('membership.secretariat'))")
        .execute(conn)
        .await?;
    let others = accounts::count_active_with_role(conn, Role::Secretariat.as_str()).await?
        - i64::from(member.status == MemberStatus::Active);
    if others < 1 {
        return Err(AppError::conflict(
            "this is the last active secretariat member; appoint another first",
        ));
    }
    Ok(())
}

async fn erase(
    conn: &mut AsyncPgConnection,
    member: &MemberRecord,
    now: DateTime<Utc>,
) -> AppResult<()> {
    accounts::revoke_member_sessions(conn, member.id, now).await?;
    profiles::set_skills(conn, member.id, &[]).await?;
    profiles::delete_profile(conn, member.id).await?;
    applications::delete_application_of(conn, member.id).await?;
    verification::forget_member(conn, member.id).await?;
    if let Some(email) = &member.email {
        accounts::forget_sign_in_attempts(conn, &secrets::hash(email)).await?;
    }
    accounts::erase_member(conn, member.id, now).await?;
    // Kept responses of idempotent requests hold personal data too.
    idempotency::forget_member(conn, member.id).await?;
    Ok(())
}
