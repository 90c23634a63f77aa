//! Reading the declared indicator groups (name and weight) back.

use chitieu_domain::{GroupCode, IndicatorGroup, UnitName, Weight};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{IndicatorGroupId, PersistenceError, sql};

/// A declared indicator group and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredIndicatorGroup {
    /// Internal id.
    pub id: IndicatorGroupId,
    /// The group.
    pub group: IndicatorGroup,
}

#[derive(FromQueryResult)]
struct GroupRow {
    id: IndicatorGroupId,
    code: String,
    name: String,
    weight: String,
}

/// Every declared group, by code.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<StoredIndicatorGroup>, PersistenceError> {
    let rows: Vec<GroupRow> = sql::query_as(
        db,
        "SELECT id, code, name, weight FROM indicator_group ORDER BY code",
        vec![],
    )
    .await?;
    rows.into_iter().map(decode).collect()
}

/// The declared groups of these codes; unknown codes are left out.
pub async fn by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<Vec<StoredIndicatorGroup>, PersistenceError> {
    let rows: Vec<GroupRow> = sql::query_in(
        db,
        "SELECT id, code, name, weight FROM indicator_group WHERE code",
        codes,
        "",
    )
    .await?;
    rows.into_iter().map(decode).collect()
}

fn decode(row: GroupRow) -> Result<StoredIndicatorGroup, PersistenceError> {
    Ok(StoredIndicatorGroup {
        id: row.id,
        group: IndicatorGroup {
            code: GroupCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
            name: UnitName::parse(&row.name).map_err(PersistenceError::corrupt)?,
            weight: Weight::parse(&row.weight).map_err(PersistenceError::corrupt)?,
        },
    })
}
