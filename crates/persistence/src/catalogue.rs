//! Reading the indicator catalogue: data elements, indicators, targets and validation rules,
//! decoded back into domain types.

use std::{collections::HashMap, str::FromStr};

use chitieu_domain::{
    Aggregation, Comparison, DataElement, DataElementCode, Expression, GroupCode, Indicator,
    IndicatorCode, OrgUnitCode, Period, RuleCode, Target, UnitName, ValidationRule, ValueType,
    period::Month,
};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, QueryResult, Value};

use crate::{
    PersistenceError, Scope,
    sql::{self, get, placeholders},
};

/// A data element and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDataElement {
    /// Internal id.
    pub id: i64,
    /// The element.
    pub element: DataElement,
}

/// An indicator and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredIndicator {
    /// Internal id.
    pub id: i64,
    /// The indicator.
    pub indicator: Indicator,
}

/// A target and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTarget {
    /// Internal id.
    pub id: i64,
    /// The target.
    pub target: Target,
}

/// A validation rule and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRule {
    /// Internal id.
    pub id: i64,
    /// The rule.
    pub rule: ValidationRule,
}

pub(crate) fn decimal(s: &str) -> Result<Decimal, PersistenceError> {
    Decimal::from_str(s).map_err(PersistenceError::corrupt)
}

pub(crate) fn period(start: i32, end: i32) -> Result<Period, PersistenceError> {
    let start = Month::from_index(start).map_err(PersistenceError::corrupt)?;
    let end = Month::from_index(end).map_err(PersistenceError::corrupt)?;
    Period::from_months(start, end).map_err(PersistenceError::corrupt)
}

fn expression(s: &str) -> Result<Expression, PersistenceError> {
    Expression::parse(s).map_err(PersistenceError::corrupt)
}

const ELEMENT_COLUMNS: &str = "id, code, name, value_type, aggregation";

fn decode_element(row: &QueryResult) -> Result<StoredDataElement, PersistenceError> {
    let code: String = get(row, 1)?;
    let name: String = get(row, 2)?;
    let value_type: String = get(row, 3)?;
    let aggregation: String = get(row, 4)?;
    let element = DataElement::new(
        DataElementCode::parse(&code).map_err(PersistenceError::corrupt)?,
        UnitName::parse(&name).map_err(PersistenceError::corrupt)?,
        ValueType::parse(&value_type).map_err(PersistenceError::corrupt)?,
        Aggregation::parse(&aggregation).map_err(PersistenceError::corrupt)?,
    )
    .map_err(PersistenceError::corrupt)?;
    Ok(StoredDataElement {
        id: get(row, 0)?,
        element,
    })
}

/// Data elements ordered by code, after `after`, at most `limit`.
pub async fn data_elements(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<StoredDataElement>, PersistenceError> {
    let rows = sql::query(
        db,
        &format!("SELECT {ELEMENT_COLUMNS} FROM data_element WHERE code > ? ORDER BY code LIMIT ?"),
        vec![after.unwrap_or("").into(), (limit as i64).into()],
    )
    .await?;
    rows.iter().map(decode_element).collect()
}

/// Data elements by code; unknown codes are absent.
pub async fn data_elements_by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<HashMap<String, StoredDataElement>, PersistenceError> {
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(sql::MAX_PARAMS) {
        let rows = sql::query(
            db,
            &format!(
                "SELECT {ELEMENT_COLUMNS} FROM data_element WHERE code IN ({})",
                placeholders(chunk.len())
            ),
            chunk.iter().map(|&c| Value::from(c)).collect(),
        )
        .await?;
        for row in &rows {
            let e = decode_element(row)?;
            out.insert(e.element.code.as_str().to_owned(), e);
        }
    }
    Ok(out)
}

/// Every data element, keyed by id.
pub async fn all_data_elements(
    db: &impl ConnectionTrait,
) -> Result<HashMap<i64, StoredDataElement>, PersistenceError> {
    let rows = sql::query(
        db,
        &format!("SELECT {ELEMENT_COLUMNS} FROM data_element"),
        vec![],
    )
    .await?;
    rows.iter()
        .map(|r| decode_element(r).map(|e| (e.id, e)))
        .collect()
}

const INDICATOR_COLUMNS: &str =
    "id, code, name, group_code, numerator, denominator, factor, decimals";

fn decode_indicator(row: &QueryResult) -> Result<StoredIndicator, PersistenceError> {
    let code: String = get(row, 1)?;
    let name: String = get(row, 2)?;
    let group: Option<String> = get(row, 3)?;
    let numerator: String = get(row, 4)?;
    let denominator: String = get(row, 5)?;
    let factor: String = get(row, 6)?;
    let decimals: i32 = get(row, 7)?;
    let indicator = Indicator::new(
        IndicatorCode::parse(&code).map_err(PersistenceError::corrupt)?,
        UnitName::parse(&name).map_err(PersistenceError::corrupt)?,
        group
            .map(|g| GroupCode::parse(&g))
            .transpose()
            .map_err(PersistenceError::corrupt)?,
        expression(&numerator)?,
        expression(&denominator)?,
        decimal(&factor)?,
        u32::try_from(decimals).map_err(PersistenceError::corrupt)?,
    )
    .map_err(PersistenceError::corrupt)?;
    Ok(StoredIndicator {
        id: get(row, 0)?,
        indicator,
    })
}

/// Indicators ordered by code, optionally of one group, after `after`, at most `limit`.
pub async fn indicators(
    db: &impl ConnectionTrait,
    group: Option<&GroupCode>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<StoredIndicator>, PersistenceError> {
    let mut sql = format!("SELECT {INDICATOR_COLUMNS} FROM indicator WHERE code > ?");
    let mut values: Vec<Value> = vec![after.unwrap_or("").into()];
    if let Some(g) = group {
        sql.push_str(" AND group_code = ?");
        values.push(g.as_str().into());
    }
    sql.push_str(" ORDER BY code LIMIT ?");
    values.push((limit as i64).into());
    let rows = sql::query(db, &sql, values).await?;
    rows.iter().map(decode_indicator).collect()
}

/// Indicators by code; unknown codes are absent.
pub async fn indicators_by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<HashMap<String, StoredIndicator>, PersistenceError> {
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(sql::MAX_PARAMS) {
        let rows = sql::query(
            db,
            &format!(
                "SELECT {INDICATOR_COLUMNS} FROM indicator WHERE code IN ({})",
                placeholders(chunk.len())
            ),
            chunk.iter().map(|&c| Value::from(c)).collect(),
        )
        .await?;
        for row in &rows {
            let i = decode_indicator(row)?;
            out.insert(i.indicator.code.as_str().to_owned(), i);
        }
    }
    Ok(out)
}

/// Filters for [`targets`]. There is no default: every read names the part of the tree it
/// reads for.
#[derive(Clone, Debug)]
pub struct TargetFilter {
    /// Only the targets that apply to this part of the tree: those set by a unit inside it or
    /// by an ancestor of its root (a national target applies to a ward), never a sibling's.
    pub applying_to: Scope,
    /// Only targets of this indicator.
    pub indicator: Option<i64>,
    /// Only targets set by this org unit.
    pub org_unit: Option<i64>,
}

/// Targets ordered by id, after id `after`, at most `limit`.
pub async fn targets(
    db: &impl ConnectionTrait,
    filter: &TargetFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<StoredTarget>, PersistenceError> {
    let mut sql = String::from(
        "SELECT t.id, i.code, u.code, t.start_month, t.end_month, t.operator, t.value, t.label \
         FROM target t JOIN indicator i ON i.id = t.indicator_id JOIN org_unit u ON u.id = t.org_unit_id \
         WHERE t.id > ?",
    );
    let mut values: Vec<Value> = vec![after.unwrap_or(0).into()];
    if let Some(i) = filter.indicator {
        sql.push_str(" AND t.indicator_id = ?");
        values.push(i.into());
    }
    if let Some(u) = filter.org_unit {
        sql.push_str(" AND t.org_unit_id = ?");
        values.push(u.into());
    }
    if let Scope::Subtree(root) = filter.applying_to {
        // Both closure reads are index ranges: the subtree below the root, the chain above it.
        sql.push_str(
            " AND (t.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?) \
             OR t.org_unit_id IN (SELECT ancestor_id FROM org_unit_closure WHERE descendant_id = ?))",
        );
        values.push(root.into());
        values.push(root.into());
    }
    sql.push_str(" ORDER BY t.id LIMIT ?");
    values.push((limit as i64).into());
    let rows = sql::query(db, &sql, values).await?;
    rows.iter().map(decode_target).collect()
}

fn decode_target(row: &QueryResult) -> Result<StoredTarget, PersistenceError> {
    let indicator: String = get(row, 1)?;
    let unit: String = get(row, 2)?;
    let operator: String = get(row, 5)?;
    let value: String = get(row, 6)?;
    Ok(StoredTarget {
        id: get(row, 0)?,
        target: Target {
            indicator: IndicatorCode::parse(&indicator).map_err(PersistenceError::corrupt)?,
            org_unit: OrgUnitCode::parse(&unit).map_err(PersistenceError::corrupt)?,
            period: period(get(row, 3)?, get(row, 4)?)?,
            operator: Comparison::parse_target(&operator).map_err(PersistenceError::corrupt)?,
            value: decimal(&value)?,
            label: get(row, 7)?,
        },
    })
}

const RULE_COLUMNS: &str = "id, code, name, left_expr, operator, right_expr";

fn decode_rule(row: &QueryResult) -> Result<StoredRule, PersistenceError> {
    let code: String = get(row, 1)?;
    let name: String = get(row, 2)?;
    let left: String = get(row, 3)?;
    let operator: String = get(row, 4)?;
    let right: String = get(row, 5)?;
    Ok(StoredRule {
        id: get(row, 0)?,
        rule: ValidationRule {
            code: RuleCode::parse(&code).map_err(PersistenceError::corrupt)?,
            name: UnitName::parse(&name).map_err(PersistenceError::corrupt)?,
            left: expression(&left)?,
            operator: Comparison::parse_rule(&operator).map_err(PersistenceError::corrupt)?,
            right: expression(&right)?,
        },
    })
}

/// Validation rules ordered by code, after `after`, at most `limit`.
pub async fn validation_rules(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<StoredRule>, PersistenceError> {
    let rows = sql::query(
        db,
        &format!("SELECT {RULE_COLUMNS} FROM validation_rule WHERE code > ? ORDER BY code LIMIT ?"),
        vec![after.unwrap_or("").into(), (limit as i64).into()],
    )
    .await?;
    rows.iter().map(decode_rule).collect()
}

/// Every validation rule.
pub async fn all_validation_rules(
    db: &impl ConnectionTrait,
) -> Result<Vec<StoredRule>, PersistenceError> {
    let rows = sql::query(
        db,
        &format!("SELECT {RULE_COLUMNS} FROM validation_rule ORDER BY code"),
        vec![],
    )
    .await?;
    rows.iter().map(decode_rule).collect()
}

/// Targets of these indicators set by these org units (ids).
pub async fn targets_for(
    db: &impl ConnectionTrait,
    indicator_ids: &[i64],
    unit_ids: &[i64],
) -> Result<Vec<Target>, PersistenceError> {
    if indicator_ids.is_empty() || unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.id, i.code, u.code, t.start_month, t.end_month, t.operator, t.value, t.label \
         FROM target t JOIN indicator i ON i.id = t.indicator_id JOIN org_unit u ON u.id = t.org_unit_id \
         WHERE t.indicator_id IN ({}) AND t.org_unit_id IN ({}) ORDER BY t.id",
        placeholders(indicator_ids.len()),
        placeholders(unit_ids.len())
    );
    let mut values: Vec<Value> = indicator_ids.iter().map(|&i| Value::from(i)).collect();
    values.extend(unit_ids.iter().map(|&u| Value::from(u)));
    let rows = sql::query(db, &sql, values).await?;
    rows.iter()
        .map(|r| decode_target(r).map(|t| t.target))
        .collect()
}
