//! The min–max bounds of the outlier check (`min_max`, one row per data element and org
//! unit, from the metadata bundle), read for a batch of units.

use std::collections::HashMap;

use chitieu_domain::{Bounds, parse_decimal};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{DataElementId, OrgUnitId, PersistenceError, sql};

#[derive(FromQueryResult)]
struct BoundsRow {
    data_element_id: DataElementId,
    org_unit_id: OrgUnitId,
    min_value: Option<String>,
    max_value: Option<String>,
}

/// The bounds stored for `units`, by (unit, element).
pub async fn of_units(
    db: &impl ConnectionTrait,
    units: &[OrgUnitId],
) -> Result<HashMap<(OrgUnitId, DataElementId), Bounds>, PersistenceError> {
    let rows: Vec<BoundsRow> = sql::query_in(
        db,
        "SELECT data_element_id, org_unit_id, min_value, max_value FROM min_max \
         WHERE org_unit_id",
        units,
        "",
    )
    .await?;
    let decimal = |s: Option<String>| {
        s.map(|s| parse_decimal(&s))
            .transpose()
            .map_err(PersistenceError::corrupt)
    };
    rows.into_iter()
        .map(|r| {
            let bounds = Bounds::new(decimal(r.min_value)?, decimal(r.max_value)?)
                .map_err(PersistenceError::corrupt)?;
            Ok(((r.org_unit_id, r.data_element_id), bounds))
        })
        .collect()
}
