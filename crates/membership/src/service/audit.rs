//! Reading the audit log.

use alumni_core::audit::{self, AuditEvent, AuditEventId, AuditFilter, AuditPageKey};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppResult, Role, Viewer};

use super::MembershipService;

impl MembershipService {
    /// A page of the audit log, newest first. Secretariat only.
    pub async fn audit_events(
        &self,
        viewer: &Viewer,
        filter: &AuditFilter,
        page: &PageRequest<AuditPageKey>,
    ) -> AppResult<Vec<AuditEvent>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        audit::list(&mut conn, filter, page).await
    }

    /// How many audit log entries match `filter`. Secretariat only.
    pub async fn count_audit_events(
        &self,
        viewer: &Viewer,
        filter: &AuditFilter,
    ) -> AppResult<ListSize> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        audit::count(&mut conn, filter).await
    }

    /// Audit log entries by id. Secretariat only.
    pub async fn audit_events_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[AuditEventId],
    ) -> AppResult<Vec<AuditEvent>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        audit::by_ids(&mut conn, ids).await
    }
}
