//! Reading stored figures.

use chitieu_domain::{Figure, Period, ValueType};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    DataElementId, DataValueId, Micros, OrgUnitId, PersistenceError, Scope, catalogue::period, sql,
};

/// A stored figure with the codes that address it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDataValue {
    /// Internal id, used as the pagination cursor.
    pub id: DataValueId,
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: Period,
    /// The value, or the state in its place.
    pub figure: Figure,
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
    pub org_unit: Option<OrgUnitId>,
    /// With `org_unit`: include every unit below it.
    pub include_descendants: bool,
    /// Only figures whose period lies inside this one.
    pub period: Option<Period>,
    /// Only this data element (id).
    pub data_element: Option<DataElementId>,
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

/// Decodes a stored figure from its value type (its name), `value_num`, `value_text` and
/// `state` (a state stands alone: its value columns are null).
pub(crate) fn decode_figure(
    value_type: &str,
    num: Option<i64>,
    text: Option<&str>,
    state: Option<&str>,
) -> Result<Figure, PersistenceError> {
    if let Some(state) = crate::submission::stored_state(state)? {
        return Ok(Figure::State(state));
    }
    ValueType::parse(value_type)
        .map_err(PersistenceError::corrupt)?
        .from_stored(num, text)
        .map(Figure::Value)
        .ok_or_else(|| PersistenceError::corrupt("stored value does not match its type"))
}

/// A row of [`list`].
#[derive(FromQueryResult)]
struct ValueRow {
    id: DataValueId,
    data_element: String,
    value_type: String,
    org_unit: String,
    start_month: i32,
    end_month: i32,
    value_num: Option<i64>,
    value_text: Option<String>,
    state: Option<String>,
    comment: Option<String>,
    updated_at: Micros,
    updated_by: String,
}

/// Figures inside `scope` matching `filter`, ordered by id, after id `after`, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: Scope,
    filter: &DataValueFilter,
    after: Option<DataValueId>,
    limit: u64,
) -> Result<Vec<StoredDataValue>, PersistenceError> {
    let mut sql = format!("{SELECT_VALUES} WHERE t.id > ?");
    let mut values: Vec<Value> = vec![after.map_or(0, DataValueId::get).into()];
    filter_sql(scope, filter, &mut sql, &mut values);
    sql.push_str(" ORDER BY t.id LIMIT ?");
    values.push((limit as i64).into());
    let rows: Vec<ValueRow> = sql::query_as(db, &sql, values).await?;
    rows.into_iter().map(ValueRow::into_stored).collect()
}

/// The figure stored for exactly (`unit`, `element`, `period`), when the unit lies inside
/// `scope`: one read by the unique key.
pub async fn find(
    db: &impl ConnectionTrait,
    scope: Scope,
    unit: OrgUnitId,
    element: DataElementId,
    period: Period,
) -> Result<Option<StoredDataValue>, PersistenceError> {
    let mut sql = format!(
        "{SELECT_VALUES} WHERE t.org_unit_id = ? AND t.data_element_id = ? \
         AND t.start_month = ? AND t.end_month = ?"
    );
    let mut values: Vec<Value> = vec![
        unit.into(),
        element.into(),
        period.start().index().into(),
        period.end().index().into(),
    ];
    filter_sql(scope, &DataValueFilter::default(), &mut sql, &mut values);
    let rows: Vec<ValueRow> = sql::query_as(db, &sql, values).await?;
    rows.into_iter()
        .next()
        .map(ValueRow::into_stored)
        .transpose()
}

const SELECT_VALUES: &str = "SELECT t.id, de.code AS data_element, de.value_type, \
     u.code AS org_unit, t.start_month, t.end_month, t.value_num, t.value_text, t.state, \
     t.comment, t.updated_at, t.updated_by \
     FROM data_value t JOIN data_element de ON de.id = t.data_element_id \
     JOIN org_unit u ON u.id = t.org_unit_id";

impl ValueRow {
    fn into_stored(self) -> Result<StoredDataValue, PersistenceError> {
        Ok(StoredDataValue {
            id: self.id,
            period: period(self.start_month, self.end_month)?,
            figure: decode_figure(
                &self.value_type,
                self.value_num,
                self.value_text.as_deref(),
                self.state.as_deref(),
            )?,
            data_element: self.data_element,
            org_unit: self.org_unit,
            comment: self.comment,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        })
    }
}
