//! The audit trail of the caller's subtree.

use chitieu_persistence::{AuditEventId, audit};

use super::subtree_root;
use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    service::page::{Page, PageRequest, Paging},
};

/// One page of the caller's audit trail, newest first.
pub async fn audit_page(
    state: &AppState,
    caller: &Caller,
    page: PageRequest<'_>,
) -> Result<Page<audit::StoredEvent>, ApiError> {
    authorize(caller, Operation::ReadAudit)?;
    let paging: Paging<AuditEventId> = page.open()?;
    let rows = audit::list(
        state.db.conn(),
        subtree_root(caller.scope),
        paging.after,
        paging.fetch(),
    )
    .await?;
    Ok(paging.finish(rows, |e| e.id))
}
