//! Reading stored figures.

use chitieu_domain::{Period, Value as DomainValue, ValueType};
use sea_orm::{ConnectionTrait, Value};

use crate::{
    Micros, PersistenceError, Scope,
    catalogue::period,
    sql::{self, get},
};

/// A stored figure with the codes that address it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDataValue {
    /// Internal id, used as the pagination cursor.
    pub id: i64,
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: Period,
    /// The value.
    pub value: DomainValue,
    /// Comment, if any.
    pub comment: Option<String>,
    /// Last change.
    pub updated_at: Micros,
    /// Who made the last change.
    pub updated_by: String,
}

/// Filters for [`list`].
#[derive(Clone, Debug, Default)]
pub struct DataValueFilter {
    /// Only this org unit (id), or its whole subtree when `include_descendants`.
    pub org_unit: Option<i64>,
    /// With `org_unit`: include every unit below it.
    pub include_descendants: bool,
    /// Only figures whose period lies inside this one.
    pub period: Option<Period>,
    /// Only this data element (id).
    pub data_element: Option<i64>,
    /// Only figures changed at or after this time.
    pub updated_since: Option<Micros>,
}

/// Figures inside `scope` matching `filter`, ordered by id, after id `after`, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: Scope,
    filter: &DataValueFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<StoredDataValue>, PersistenceError> {
    let mut sql = String::from(
        "SELECT dv.id, de.code, de.value_type, u.code, dv.start_month, dv.end_month, dv.value_num, \
         dv.value_text, dv.comment, dv.updated_at, dv.updated_by \
         FROM data_value dv JOIN data_element de ON de.id = dv.data_element_id \
         JOIN org_unit u ON u.id = dv.org_unit_id WHERE dv.id > ?",
    );
    let mut values: Vec<Value> = vec![after.unwrap_or(0).into()];
    if let Scope::Subtree(root) = scope {
        sql.push_str(
            " AND dv.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)",
        );
        values.push(root.into());
    }
    if let Some(unit) = filter.org_unit {
        if filter.include_descendants {
            sql.push_str(
                " AND dv.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)",
            );
        } else {
            sql.push_str(" AND dv.org_unit_id = ?");
        }
        values.push(unit.into());
    }
    if let Some(p) = filter.period {
        sql.push_str(" AND dv.start_month >= ? AND dv.end_month <= ?");
        values.push(p.start().index().into());
        values.push(p.end().index().into());
    }
    if let Some(e) = filter.data_element {
        sql.push_str(" AND dv.data_element_id = ?");
        values.push(e.into());
    }
    if let Some(t) = filter.updated_since {
        sql.push_str(" AND dv.updated_at >= ?");
        values.push(t.into());
    }
    sql.push_str(" ORDER BY dv.id LIMIT ?");
    values.push((limit as i64).into());
    let rows = sql::query(db, &sql, values).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let value_type: String = get(row, 2)?;
        let value_type = ValueType::parse(&value_type).map_err(PersistenceError::corrupt)?;
        let num: Option<i64> = get(row, 6)?;
        let text: Option<String> = get(row, 7)?;
        let value = value_type
            .from_stored(num, text.as_deref())
            .ok_or_else(|| PersistenceError::corrupt("stored value does not match its type"))?;
        out.push(StoredDataValue {
            id: get(row, 0)?,
            data_element: get(row, 1)?,
            org_unit: get(row, 3)?,
            period: period(get(row, 4)?, get(row, 5)?)?,
            value,
            comment: get(row, 8)?,
            updated_at: get(row, 9)?,
            updated_by: get(row, 10)?,
        });
    }
    Ok(out)
}
