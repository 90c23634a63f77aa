//! Data set reads: the forms of the catalogue with their calendar and assignments. The
//! catalogue is not scoped: every caller who may read sees every data set.

use chitieu_persistence::data_sets::{self, StoredDataSet};

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
};

/// Every data set, by code.
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<StoredDataSet>, ApiError> {
    authorize(caller, Operation::Read)?;
    Ok(data_sets::list(state.db.conn()).await?)
}
