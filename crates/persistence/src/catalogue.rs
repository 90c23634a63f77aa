//! Reading the indicator catalogue: data elements, indicators, targets and validation rules,
//! decoded back into domain types.

use std::{collections::HashMap, str::FromStr};

use chitieu_domain::{
    Aggregation, Comparison, DataElement, DataElementCode, Expression, Goal, GroupCode, Indicator,
    IndicatorCode, IndicatorLinks, OrgUnitCode, Period, RuleCheck, RuleCode, RuleComparison,
    RuleSide, SideScope, SourceText, Target, UnitName, ValidationRule, ValueType, period::Month,
};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    DataElementId, IndicatorId, OrgUnitId, PersistenceError, RuleId, Scope, TargetId,
    sql::{self, placeholders},
};

/// A data element and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDataElement {
    /// Internal id.
    pub id: DataElementId,
    /// The element.
    pub element: DataElement,
}

/// An indicator and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredIndicator {
    /// Internal id.
    pub id: IndicatorId,
    /// The indicator.
    pub indicator: Indicator,
}

/// A target and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTarget {
    /// Internal id.
    pub id: TargetId,
    /// The target.
    pub target: Target,
}

/// A validation rule and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRule {
    /// Internal id.
    pub id: RuleId,
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

const ELEMENT_COLUMNS: &str = "id, code, name, value_type, aggregation, owner_code, source";

/// A row of `data_element` ([`ELEMENT_COLUMNS`]).
#[derive(FromQueryResult)]
struct ElementRow {
    id: DataElementId,
    code: String,
    name: String,
    value_type: String,
    aggregation: String,
    owner_code: Option<String>,
    source: Option<String>,
}

impl TryFrom<ElementRow> for StoredDataElement {
    type Error = PersistenceError;

    fn try_from(row: ElementRow) -> Result<Self, PersistenceError> {
        let element = DataElement::new(
            DataElementCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
            UnitName::parse(&row.name).map_err(PersistenceError::corrupt)?,
            ValueType::parse(&row.value_type).map_err(PersistenceError::corrupt)?,
            Aggregation::parse(&row.aggregation).map_err(PersistenceError::corrupt)?,
        )
        .map_err(PersistenceError::corrupt)?
        .with_provenance(
            (row.owner_code.as_deref())
                .map(OrgUnitCode::parse)
                .transpose()
                .map_err(PersistenceError::corrupt)?,
            (row.source.as_deref())
                .map(SourceText::parse)
                .transpose()
                .map_err(PersistenceError::corrupt)?
                .flatten(),
        );
        Ok(StoredDataElement {
            id: row.id,
            element,
        })
    }
}

fn decode<R, T: TryFrom<R, Error = PersistenceError>>(
    rows: Vec<R>,
) -> Result<Vec<T>, PersistenceError> {
    rows.into_iter().map(T::try_from).collect()
}

/// Data elements ordered by code, after `after`, at most `limit`.
pub async fn data_elements(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<StoredDataElement>, PersistenceError> {
    let rows: Vec<ElementRow> = sql::query_as(
        db,
        &format!("SELECT {ELEMENT_COLUMNS} FROM data_element WHERE code > ? ORDER BY code LIMIT ?"),
        vec![after.unwrap_or("").into(), (limit as i64).into()],
    )
    .await?;
    decode(rows)
}

/// Data elements by code; unknown codes are absent.
pub async fn data_elements_by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<HashMap<String, StoredDataElement>, PersistenceError> {
    let rows: Vec<ElementRow> = sql::query_in(
        db,
        &format!("SELECT {ELEMENT_COLUMNS} FROM data_element WHERE code"),
        codes,
        "",
    )
    .await?;
    let elements: Vec<StoredDataElement> = decode(rows)?;
    Ok(elements
        .into_iter()
        .map(|e| (e.element.code.as_str().to_owned(), e))
        .collect())
}

/// Every data element, keyed by id.
pub async fn all_data_elements(
    db: &impl ConnectionTrait,
) -> Result<HashMap<DataElementId, StoredDataElement>, PersistenceError> {
    let rows: Vec<ElementRow> = sql::query_as(
        db,
        &format!("SELECT {ELEMENT_COLUMNS} FROM data_element"),
        vec![],
    )
    .await?;
    let elements: Vec<StoredDataElement> = decode(rows)?;
    Ok(elements.into_iter().map(|e| (e.id, e)).collect())
}

const INDICATOR_COLUMNS: &str = "id, code, name, group_code, numerator, denominator, factor, \
     decimals, stated_element, result_element, part_of";

/// A row of `indicator` ([`INDICATOR_COLUMNS`]).
#[derive(FromQueryResult)]
struct IndicatorRow {
    id: IndicatorId,
    code: String,
    name: String,
    group_code: Option<String>,
    numerator: String,
    denominator: String,
    factor: String,
    decimals: i32,
    stated_element: Option<String>,
    result_element: Option<String>,
    part_of: Option<String>,
}

fn element_code(code: Option<String>) -> Result<Option<DataElementCode>, PersistenceError> {
    code.as_deref()
        .map(DataElementCode::parse)
        .transpose()
        .map_err(PersistenceError::corrupt)
}

impl TryFrom<IndicatorRow> for StoredIndicator {
    type Error = PersistenceError;

    fn try_from(row: IndicatorRow) -> Result<Self, PersistenceError> {
        let mut indicator = Indicator::new(
            IndicatorCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
            UnitName::parse(&row.name).map_err(PersistenceError::corrupt)?,
            row.group_code
                .map(|g| GroupCode::parse(&g))
                .transpose()
                .map_err(PersistenceError::corrupt)?,
            expression(&row.numerator)?,
            expression(&row.denominator)?,
            decimal(&row.factor)?,
            u32::try_from(row.decimals).map_err(PersistenceError::corrupt)?,
        )
        .map_err(PersistenceError::corrupt)?;
        indicator.links = IndicatorLinks {
            stated_element: element_code(row.stated_element)?,
            result_element: element_code(row.result_element)?,
            part_of: (row.part_of.as_deref())
                .map(IndicatorCode::parse)
                .transpose()
                .map_err(PersistenceError::corrupt)?,
        };
        Ok(StoredIndicator {
            id: row.id,
            indicator,
        })
    }
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
    let rows: Vec<IndicatorRow> = sql::query_as(db, &sql, values).await?;
    decode(rows)
}

/// Indicators by code; unknown codes are absent.
pub async fn indicators_by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<HashMap<String, StoredIndicator>, PersistenceError> {
    let rows: Vec<IndicatorRow> = sql::query_in(
        db,
        &format!("SELECT {INDICATOR_COLUMNS} FROM indicator WHERE code"),
        codes,
        "",
    )
    .await?;
    let indicators: Vec<StoredIndicator> = decode(rows)?;
    Ok(indicators
        .into_iter()
        .map(|i| (i.indicator.code.as_str().to_owned(), i))
        .collect())
}

/// Filters for [`targets`]. There is no default: every read names the part of the tree it
/// reads for.
#[derive(Clone, Debug)]
pub struct TargetFilter {
    /// Only the targets that apply to this part of the tree: those set by a unit inside it or
    /// by an ancestor of its root (a national target applies to a ward), never a sibling's.
    pub applying_to: Scope,
    /// Only targets of this indicator.
    pub indicator: Option<IndicatorId>,
    /// Only targets set by this org unit.
    pub org_unit: Option<OrgUnitId>,
}

/// Targets ordered by id, after id `after`, at most `limit`.
pub async fn targets(
    db: &impl ConnectionTrait,
    filter: &TargetFilter,
    after: Option<TargetId>,
    limit: u64,
) -> Result<Vec<StoredTarget>, PersistenceError> {
    let mut sql = format!("{TARGET_SELECT} WHERE t.id > ?");
    let mut values: Vec<Value> = vec![after.map_or(0, TargetId::get).into()];
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
    let rows: Vec<TargetRow> = sql::query_as(db, &sql, values).await?;
    decode(rows)
}

/// Every target of these indicators (codes), with its id.
pub(crate) async fn targets_of_indicators(
    db: &impl ConnectionTrait,
    indicator_codes: &[&str],
) -> Result<Vec<StoredTarget>, PersistenceError> {
    let rows: Vec<TargetRow> = sql::query_in(
        db,
        &format!("{TARGET_SELECT} WHERE i.code"),
        indicator_codes,
        "",
    )
    .await?;
    decode(rows)
}

/// Targets with the codes of their indicator and unit ([`TargetRow`]).
const TARGET_SELECT: &str = "SELECT t.id, i.code AS indicator, u.code AS org_unit, t.start_month, \
     t.end_month, t.operator, t.value, t.label, t.note, t.printed FROM target t \
     JOIN indicator i ON i.id = t.indicator_id JOIN org_unit u ON u.id = t.org_unit_id";

/// A row of [`TARGET_SELECT`].
#[derive(FromQueryResult)]
struct TargetRow {
    id: TargetId,
    indicator: String,
    org_unit: String,
    start_month: i32,
    end_month: i32,
    operator: String,
    value: String,
    label: Option<String>,
    note: Option<String>,
    printed: Option<String>,
}

impl TryFrom<TargetRow> for StoredTarget {
    type Error = PersistenceError;

    fn try_from(row: TargetRow) -> Result<Self, PersistenceError> {
        Ok(StoredTarget {
            id: row.id,
            target: Target {
                indicator: IndicatorCode::parse(&row.indicator)
                    .map_err(PersistenceError::corrupt)?,
                org_unit: OrgUnitCode::parse(&row.org_unit).map_err(PersistenceError::corrupt)?,
                period: period(row.start_month, row.end_month)?,
                // A note's operator and value are empty text (see the migration).
                goal: match row.note {
                    Some(note) => Goal::Note(note),
                    None => Goal::compare(
                        Comparison::parse_target(&row.operator)
                            .map_err(PersistenceError::corrupt)?,
                        decimal(&row.value)?,
                    )
                    .map_err(PersistenceError::corrupt)?,
                },
                label: row.label,
                printed: row.printed,
            },
        })
    }
}

const RULE_COLUMNS: &str = "id, code, name, rule_check, left_expr, left_scope, operator, \
     right_expr, right_scope, tolerance, indicator_code, stated_expr, description";

/// A row of `validation_rule` ([`RULE_COLUMNS`]). A `stated_status` rule's `left_expr`,
/// `operator` and `right_expr` are empty text (see the migration).
#[derive(FromQueryResult)]
struct RuleRow {
    id: RuleId,
    code: String,
    name: String,
    rule_check: String,
    left_expr: String,
    left_scope: String,
    operator: String,
    right_expr: String,
    right_scope: String,
    tolerance: Option<String>,
    indicator_code: Option<String>,
    stated_expr: Option<String>,
    description: Option<String>,
}

impl TryFrom<RuleRow> for StoredRule {
    type Error = PersistenceError;

    fn try_from(row: RuleRow) -> Result<Self, PersistenceError> {
        let check = match row.rule_check.as_str() {
            "stated_status" => RuleCheck::StatedStatus {
                indicator: IndicatorCode::parse(row.indicator_code.as_deref().unwrap_or(""))
                    .map_err(PersistenceError::corrupt)?,
                stated: expression(row.stated_expr.as_deref().unwrap_or(""))?,
            },
            "compare" => {
                let side = |source: &str, scope: &str| {
                    Ok::<_, PersistenceError>(RuleSide {
                        expression: expression(source)?,
                        scope: SideScope::parse(scope).map_err(PersistenceError::corrupt)?,
                    })
                };
                RuleCheck::Compare(
                    RuleComparison::new(
                        side(&row.left_expr, &row.left_scope)?,
                        Comparison::parse_rule(&row.operator).map_err(PersistenceError::corrupt)?,
                        side(&row.right_expr, &row.right_scope)?,
                        row.tolerance.as_deref().map(decimal).transpose()?,
                    )
                    .map_err(PersistenceError::corrupt)?,
                )
            }
            other => {
                return Err(PersistenceError::corrupt(format!(
                    "unknown rule check {other:?}"
                )));
            }
        };
        Ok(StoredRule {
            id: row.id,
            rule: ValidationRule {
                code: RuleCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
                name: UnitName::parse(&row.name).map_err(PersistenceError::corrupt)?,
                check,
                description: row.description,
            },
        })
    }
}

/// Validation rules ordered by code, after `after`, at most `limit`.
pub async fn validation_rules(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<StoredRule>, PersistenceError> {
    let rows: Vec<RuleRow> = sql::query_as(
        db,
        &format!("SELECT {RULE_COLUMNS} FROM validation_rule WHERE code > ? ORDER BY code LIMIT ?"),
        vec![after.unwrap_or("").into(), (limit as i64).into()],
    )
    .await?;
    decode(rows)
}

/// Every validation rule.
pub async fn all_validation_rules(
    db: &impl ConnectionTrait,
) -> Result<Vec<StoredRule>, PersistenceError> {
    let rows: Vec<RuleRow> = sql::query_as(
        db,
        &format!("SELECT {RULE_COLUMNS} FROM validation_rule ORDER BY code"),
        vec![],
    )
    .await?;
    decode(rows)
}

/// Targets of these indicators set by these org units (ids).
pub async fn targets_for(
    db: &impl ConnectionTrait,
    indicator_ids: &[IndicatorId],
    unit_ids: &[OrgUnitId],
) -> Result<Vec<Target>, PersistenceError> {
    if indicator_ids.is_empty() || unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{TARGET_SELECT} WHERE t.indicator_id IN ({}) AND t.org_unit_id IN ({}) ORDER BY t.id",
        placeholders(indicator_ids.len()),
        placeholders(unit_ids.len())
    );
    let mut values: Vec<Value> = indicator_ids.iter().map(|&i| Value::from(i)).collect();
    values.extend(unit_ids.iter().map(|&u| Value::from(u)));
    let rows: Vec<TargetRow> = sql::query_as(db, &sql, values).await?;
    let targets: Vec<StoredTarget> = decode(rows)?;
    Ok(targets.into_iter().map(|t| t.target).collect())
}
