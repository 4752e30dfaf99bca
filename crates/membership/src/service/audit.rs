//! Reading the audit log.

use alumni_core::audit::{self, AuditEvent, AuditFilter, AuditPageKey};
use alumni_core::pagination::PageRequest;
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
}
