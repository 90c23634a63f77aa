//! Reading stored figures.

use chitieu_domain::{Period, Value as DomainValue, ValueType};
use sea_orm::{ConnectionTrait, QueryResult, Value};

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

/// Filters for [`list`] and [`crate::changes::list`].
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
}

/// ` AND ...` conditions of `scope` and `filter` on a table aliased `t` with the columns
/// `org_unit_id`, `data_element_id`, `start_month` and `end_month`.
pub(crate) fn filter_sql(
    scope: Scope,
    filter: &DataValueFilter,
    sql: &mut String,
    values: &mut Vec<Value>,
) {
    const SUBTREE: &str =
        " AND t.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)";
    if let Scope::Subtree(root) = scope {
        sql.push_str(SUBTREE);
        values.push(root.into());
    }
    if let Some(unit) = filter.org_unit {
        if filter.include_descendants {
            sql.push_str(SUBTREE);
        } else {
            sql.push_str(" AND t.org_unit_id = ?");
        }
        values.push(unit.into());
    }
    if let Some(p) = filter.period {
        sql.push_str(" AND t.start_month >= ? AND t.end_month <= ?");
        values.push(p.start().index().into());
        values.push(p.end().index().into());
    }
    if let Some(e) = filter.data_element {
        sql.push_str(" AND t.data_element_id = ?");
        values.push(e.into());
    }
}

/// Decodes a stored value from its value type (text), `value_num` and `value_text`.
pub(crate) fn decode_value(
    row: &QueryResult,
    type_idx: usize,
    num_idx: usize,
    text_idx: usize,
) -> Result<DomainValue, PersistenceError> {
    let value_type: String = get(row, type_idx)?;
    let value_type = ValueType::parse(&value_type).map_err(PersistenceError::corrupt)?;
    let num: Option<i64> = get(row, num_idx)?;
    let text: Option<String> = get(row, text_idx)?;
    value_type
        .from_stored(num, text.as_deref())
        .ok_or_else(|| PersistenceError::corrupt("stored value does not match its type"))
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
        "SELECT t.id, de.code, de.value_type, u.code, t.start_month, t.end_month, t.value_num, \
         t.value_text, t.comment, t.updated_at, t.updated_by \
         FROM data_value t JOIN data_element de ON de.id = t.data_element_id \
         JOIN org_unit u ON u.id = t.org_unit_id WHERE t.id > ?",
    );
    let mut values: Vec<Value> = vec![after.unwrap_or(0).into()];
    filter_sql(scope, filter, &mut sql, &mut values);
    sql.push_str(" ORDER BY t.id LIMIT ?");
    values.push((limit as i64).into());
    let rows = sql::query(db, &sql, values).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(StoredDataValue {
            id: get(row, 0)?,
            data_element: get(row, 1)?,
            org_unit: get(row, 3)?,
            period: period(get(row, 4)?, get(row, 5)?)?,
            value: decode_value(row, 2, 6, 7)?,
            comment: get(row, 8)?,
            updated_at: get(row, 9)?,
            updated_by: get(row, 10)?,
        });
    }
    Ok(out)
}
