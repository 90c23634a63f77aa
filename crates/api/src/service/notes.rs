//! Notes of the catalogue: public metadata, like the catalogue itself not scoped — every
//! caller who may read sees every note.

use chitieu_domain::Subject;
use chitieu_persistence::notes::{self, StoredNote};

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
};

/// Every note, or those about `subject` (`kind:code`; 400 `invalid_subject` when
/// malformed), by code.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    subject: Option<&str>,
) -> Result<Vec<StoredNote>, ApiError> {
    authorize(caller, Operation::Read)?;
    let subject = subject.map(Subject::parse).transpose()?;
    Ok(notes::list(state.db.conn(), subject.as_ref()).await?)
}
