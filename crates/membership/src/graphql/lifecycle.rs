//! Roles, suspension and reinstatement in GraphQL (the secretariat's side
//! of a member's lifecycle; withdrawal and data export span every domain
//! and live in the gateway).

use alumni_core::graphql::{data, viewer};
use alumni_core::{MemberId, NodeId, Role};
use async_graphql::{Context, ID, Object, Result};

use super::member::Member;
use crate::service::MembershipService;

/// The secretariat's mutations on members.
#[derive(Default)]
pub struct LifecycleMutation;

/// The secretariat's mutations on members: roles, suspension,
/// reinstatement. Each is recorded in the audit log.
#[Object]
impl LifecycleMutation {
    /// Grants a role to an active member. Secretariat only.
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the member.")] member_id: ID,
        #[graphql(desc = "The role to grant.")] role: Role,
    ) -> Result<Member> {
        let service = data::<MembershipService>(ctx)?;
        let viewer = viewer(ctx)?;
        let member_id = MemberId::from_global(&member_id, "memberId")?;
        service.grant_role(viewer, member_id, role).await?;
        Ok(Member::new(service.member(viewer, member_id).await?))
    }

    /// Revokes a role. The last active secretariat member keeps theirs
    /// (`CONFLICT`). Secretariat only.
    async fn revoke_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the member.")] member_id: ID,
        #[graphql(desc = "The role to revoke.")] role: Role,
    ) -> Result<Member> {
        let service = data::<MembershipService>(ctx)?;
        let viewer = viewer(ctx)?;
        let member_id = MemberId::from_global(&member_id, "memberId")?;
        service.revoke_role(viewer, member_id, role).await?;
        Ok(Member::new(service.member(viewer, member_id).await?))
    }

    /// Suspends an active member: their sessions end at once and signing in
    /// answers `FORBIDDEN` until they are reinstated. Secretariat only.
    async fn suspend_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the member.")] member_id: ID,
        #[graphql(desc = "Why, for the secretariat's records.")] reason: String,
    ) -> Result<Member> {
        let service = data::<MembershipService>(ctx)?;
        let viewer = viewer(ctx)?;
        let member_id = MemberId::from_global(&member_id, "memberId")?;
        service.suspend_member(viewer, member_id, &reason).await?;
        Ok(Member::new(service.member(viewer, member_id).await?))
    }

    /// Lifts a suspension. Secretariat only.
    async fn reinstate_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the member.")] member_id: ID,
    ) -> Result<Member> {
        let service = data::<MembershipService>(ctx)?;
        let viewer = viewer(ctx)?;
        let member_id = MemberId::from_global(&member_id, "memberId")?;
        service.reinstate_member(viewer, member_id).await?;
        Ok(Member::new(service.member(viewer, member_id).await?))
    }
}
