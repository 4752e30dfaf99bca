//! Per-request DataLoaders of the membership domain. Each carries the
//! request's viewer (so cached values never cross viewers) and batches the
//! look-ups of one request into one query per kind.

use std::collections::HashMap;

use alumni_core::audit::{AuditEvent, AuditEventId};
use alumni_core::graphql::{request_loader, with_misses};
use alumni_core::{AppError, MemberId, NodeId as _, Viewer};
use async_graphql::dataloader::Loader;

use super::tags::{TagAliasesLoader, TagLoader};
use crate::model::{
    ApplicationId, ApplicationRecord, CompanyId, CompanyRecord, InvitationId, InvitationRecord,
    RosterEntryId, RosterEntryRecord, TagRecord,
};
use crate::service::{MembershipService, RosterCandidate};
use crate::visibility::MemberView;

/// Members as the viewer may see them.
pub struct MemberLoader {
    service: MembershipService,
    viewer: Viewer,
}

impl Loader<MemberId> for MemberLoader {
    /// `None`: no such member, or not visible to the viewer; cached too, so
    /// it is not asked for again.
    type Value = Option<MemberView>;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[MemberId],
    ) -> Result<HashMap<MemberId, Option<MemberView>>, AppError> {
        let views = self.service.members_by_ids(&self.viewer, ids).await?;
        Ok(with_misses(ids, views, MemberView::id))
    }
}

/// Skills of members (whether they may be shown is decided on the view).
pub struct SkillsLoader {
    service: MembershipService,
    viewer: Viewer,
}

impl Loader<MemberId> for SkillsLoader {
    type Value = Vec<TagRecord>;
    type Error = AppError;

    async fn load(&self, ids: &[MemberId]) -> Result<HashMap<MemberId, Vec<TagRecord>>, AppError> {
        let mut skills = self.service.skills_of(&self.viewer, ids).await?;
        // Every key gets an answer, so members without skills are cached
        // too and never looked up again.
        for id in ids {
            skills.entry(*id).or_default();
        }
        Ok(skills)
    }
}

/// Companies (public data).
pub struct CompanyLoader {
    service: MembershipService,
}

impl Loader<CompanyId> for CompanyLoader {
    type Value = CompanyRecord;
    type Error = AppError;

    async fn load(&self, ids: &[CompanyId]) -> Result<HashMap<CompanyId, CompanyRecord>, AppError> {
        let companies = self.service.companies_by_ids(ids).await?;
        Ok(companies
            .into_iter()
            .map(|company| (company.id, company))
            .collect())
    }
}

/// Applications the viewer may see.
pub struct ApplicationLoader {
    service: MembershipService,
    viewer: Viewer,
}

impl Loader<ApplicationId> for ApplicationLoader {
    type Value = ApplicationRecord;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[ApplicationId],
    ) -> Result<HashMap<ApplicationId, ApplicationRecord>, AppError> {
        let applications = self.service.applications_by_ids(&self.viewer, ids).await?;
        Ok(applications
            .into_iter()
            .map(|application| (application.id, application))
            .collect())
    }
}

/// Audit log entries (secretariat only; for `node(id:)`).
pub struct AuditEventLoader {
    service: MembershipService,
    viewer: Viewer,
}

impl Loader<AuditEventId> for AuditEventLoader {
    type Value = AuditEvent;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[AuditEventId],
    ) -> Result<HashMap<AuditEventId, AuditEvent>, AppError> {
        let found = self.service.audit_events_by_ids(&self.viewer, ids).await?;
        Ok(found
            .into_iter()
            .map(|event| (AuditEventId::from_uuid(event.id), event))
            .collect())
    }
}

/// Invitations (secretariat only; for `node(id:)`).
pub struct InvitationLoader {
    service: MembershipService,
    viewer: Viewer,
}

impl Loader<InvitationId> for InvitationLoader {
    type Value = InvitationRecord;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[InvitationId],
    ) -> Result<HashMap<InvitationId, InvitationRecord>, AppError> {
        let found = self.service.invitations_by_ids(&self.viewer, ids).await?;
        Ok(found
            .into_iter()
            .map(|invitation| (invitation.id, invitation))
            .collect())
    }
}

/// Roster entries (secretariat only).
pub struct RosterEntryLoader {
    service: MembershipService,
    viewer: Viewer,
}

impl Loader<RosterEntryId> for RosterEntryLoader {
    type Value = RosterEntryRecord;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[RosterEntryId],
    ) -> Result<HashMap<RosterEntryId, RosterEntryRecord>, AppError> {
        let entries = self
            .service
            .roster_entries_by_ids(&self.viewer, ids)
            .await?;
        Ok(entries.into_iter().map(|entry| (entry.id, entry)).collect())
    }
}

/// Roster candidates of applications (secretariat only).
pub struct CandidatesLoader {
    service: MembershipService,
    viewer: Viewer,
}

impl Loader<ApplicationId> for CandidatesLoader {
    type Value = Vec<RosterCandidate>;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[ApplicationId],
    ) -> Result<HashMap<ApplicationId, Vec<RosterCandidate>>, AppError> {
        self.service.roster_candidates(&self.viewer, ids).await
    }
}

/// Adds the membership loaders to the data of one request (`cache`: each
/// value is loaded once per request) or of one WebSocket connection (no
/// cache: the connection outlives any one operation, so loaders only batch).
pub fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &MembershipService,
    viewer: &Viewer,
    cache: bool,
) {
    data.insert(request_loader(
        AuditEventLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        InvitationLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        MemberLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        SkillsLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        TagLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        TagAliasesLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        CompanyLoader {
            service: service.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        ApplicationLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        RosterEntryLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        CandidatesLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
}
