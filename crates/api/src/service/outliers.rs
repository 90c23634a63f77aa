//! Outliers of an org unit's subtree (contract v2, "Outliers"), shared by REST and GraphQL.

use chitieu_domain::{Algorithm, DataElementCode, Period, Threshold};
use chitieu_persistence::{
    DataElementId, catalogue,
    outliers::{self, FoundOutlier, OutlierSearch},
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    service::units::visible_unit,
};

/// Most `data_element` filters in one query.
pub const MAX_DATA_ELEMENTS: usize = 100;

/// What an outlier query asks, as the edge received it.
#[derive(Clone, Debug, Default)]
pub struct OutlierQuery {
    /// Org unit code.
    pub org_unit: String,
    /// Period text.
    pub period: String,
    /// Data element codes (empty: every numeric element).
    pub data_elements: Vec<String>,
    /// `z_score` (default), `modified_z_score` or `min_max`.
    pub algorithm: Option<String>,
    /// The score to exceed (default 3).
    pub threshold: Option<String>,
}

/// The flagged figures of the caller-visible subtree, largest score first, at most
/// [`outliers::MAX_OUTLIERS`].
pub async fn outliers(
    state: &AppState,
    caller: &Caller,
    q: &OutlierQuery,
) -> Result<Vec<FoundOutlier>, ApiError> {
    authorize(caller, Operation::Read)?;
    if q.data_elements.len() > MAX_DATA_ELEMENTS {
        return Err(ApiError::bad_request(
            "too_many_data_elements",
            format!(
                "at most {MAX_DATA_ELEMENTS} data_element filters, not {}",
                q.data_elements.len()
            ),
        ));
    }
    let period = Period::parse(&q.period)?;
    let algorithm = q
        .algorithm
        .as_deref()
        .map_or(Ok(Algorithm::ZScore), Algorithm::parse)?;
    let threshold = q
        .threshold
        .as_deref()
        .map_or(Ok(Threshold::DEFAULT), Threshold::parse)?;
    let codes = q
        .data_elements
        .iter()
        .map(|c| DataElementCode::parse(c))
        .collect::<Result<Vec<_>, _>>()?;
    let root = visible_unit(state, caller.scope, &q.org_unit).await?;
    let db = state.db.conn();
    let mut data_elements: Vec<DataElementId> = Vec::with_capacity(codes.len());
    if !codes.is_empty() {
        let list: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
        let found = catalogue::data_elements_by_codes(db, &list).await?;
        for code in &codes {
            let element = found.get(code.as_str()).ok_or_else(|| {
                ApiError::not_found(
                    "unknown_data_element",
                    format!("data element '{code}' does not exist"),
                )
            })?;
            data_elements.push(element.id);
        }
        data_elements.sort_unstable();
        data_elements.dedup();
    }
    let search = OutlierSearch {
        root: root.id,
        period,
        data_elements,
        algorithm,
        threshold,
    };
    Ok(outliers::find(db, &search).await?)
}
