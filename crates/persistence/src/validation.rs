//! Evaluating validation rules against stored figures, per unit and stored period.
//!
//! Rules are evaluated where figures are held, never only on totals. The database pivots the
//! referenced elements into one row per (unit, period) in a single grouped query; each row is
//! then checked with the domain's exact arithmetic.

use std::collections::{HashMap, HashSet};

use chitieu_domain::{Comparison, DataElementCode, Period, evaluate_rule};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    OrgUnitId, PersistenceError,
    catalogue::{self, StoredRule, period},
    sql::{self, InList, placeholders},
};

/// One broken rule at one unit and period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Rule code.
    pub rule: String,
    /// Org unit code.
    pub org_unit: String,
    /// The stored period the figures belong to.
    pub period: Period,
    /// Left side's value.
    pub left: Decimal,
    /// The rule's operator.
    pub operator: Comparison,
    /// Right side's value.
    pub right: Decimal,
    /// Explanation, naming the rule.
    pub message: String,
}

/// Which stored figures to check.
#[derive(Clone, Debug)]
pub enum Selection<'a> {
    /// Exactly these (org unit id, period) pairs.
    Pairs(&'a [(OrgUnitId, Period)]),
    /// Every unit in the subtree of this org unit id, every stored period inside `period`.
    Subtree { root: OrgUnitId, period: Period },
}

/// The (unit, period) group of a pivot row; its figures are the columns `f0`, `f1`, … in
/// the order of the pivot's elements.
#[derive(FromQueryResult)]
struct PivotGroup {
    org_unit_id: OrgUnitId,
    org_unit: String,
    start_month: i32,
    end_month: i32,
}

/// Evaluates every validation rule on the selected figures, ordered by unit, period, rule.
pub async fn evaluate(
    db: &impl ConnectionTrait,
    selection: Selection<'_>,
) -> Result<Vec<Violation>, PersistenceError> {
    let rules = catalogue::all_validation_rules(db).await?;
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    if let Selection::Pairs(p) = selection
        && p.is_empty()
    {
        return Ok(Vec::new());
    }
    let elements = catalogue::all_data_elements(db).await?;
    let by_code: HashMap<&str, &catalogue::StoredDataElement> = elements
        .values()
        .map(|e| (e.element.code.as_str(), e))
        .collect();
    // The referenced elements, each a pivot column.
    let mut columns: Vec<&catalogue::StoredDataElement> = Vec::new();
    for r in &rules {
        for code in r
            .rule
            .left
            .references()
            .iter()
            .chain(r.rule.right.references().iter())
        {
            if let Some(e) = by_code.get(code.as_str())
                && !columns.iter().any(|c| c.id == e.id)
            {
                columns.push(e);
            }
        }
    }
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let mut select =
        String::from("SELECT dv.org_unit_id, u.code AS org_unit, dv.start_month, dv.end_month");
    let mut values: Vec<Value> = Vec::new();
    // A (unit, period) group holds at most one figure per element (the unique key), so the
    // pivot picks it with MAX: no sum is taken here, and nothing can overflow.
    for (i, c) in columns.iter().enumerate() {
        select.push_str(&format!(
            ", CAST(MAX(CASE WHEN dv.data_element_id = ? THEN dv.value_num END) AS BIGINT) AS f{i}"
        ));
        values.push(c.id.into());
    }
    select.push_str(" FROM data_value dv JOIN org_unit u ON u.id = dv.org_unit_id WHERE dv.data_element_id IN (");
    select.push_str(&placeholders(columns.len()));
    select.push(')');
    values.extend(columns.iter().map(|c| Value::from(c.id)));
    const GROUPS: &str = " GROUP BY dv.org_unit_id, u.code, dv.start_month, dv.end_month \
         ORDER BY u.code, dv.start_month, dv.end_month";
    let rows = match selection {
        Selection::Subtree { root, period } => {
            values.extend([
                root.into(),
                period.start().index().into(),
                period.end().index().into(),
            ]);
            sql::query(
                db,
                &format!(
                    "{select} AND dv.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?) \
                     AND dv.start_month >= ? AND dv.end_month <= ?{GROUPS}"
                ),
                values,
            )
            .await?
        }
        Selection::Pairs(pairs) => {
            // By units and the span of the periods (index-friendly), then exact pairs below.
            let mut units: Vec<OrgUnitId> = pairs.iter().map(|(u, _)| *u).collect();
            units.sort_unstable();
            units.dedup();
            let first = pairs
                .iter()
                .map(|(_, p)| p.start().index())
                .min()
                .unwrap_or(0);
            let last = pairs
                .iter()
                .map(|(_, p)| p.end().index())
                .max()
                .unwrap_or(0);
            InList::new(
                &format!("{select} AND dv.org_unit_id"),
                &format!(" AND dv.start_month >= ? AND dv.end_month <= ?{GROUPS}"),
            )
            .bind_before(values)
            .bind_after([first.into(), last.into()])
            .rows(db, &units)
            .await?
        }
    };
    let wanted: Option<HashSet<(OrgUnitId, Period)>> = match selection {
        Selection::Pairs(pairs) => Some(pairs.iter().copied().collect()),
        Selection::Subtree { .. } => None,
    };
    let mut out = Vec::new();
    for row in &rows {
        let group = PivotGroup::from_query_result(row, "")?;
        let p = period(group.start_month, group.end_month)?;
        if wanted
            .as_ref()
            .is_some_and(|w| !w.contains(&(group.org_unit_id, p)))
        {
            continue;
        }
        let mut figures: HashMap<&str, Decimal> = HashMap::new();
        for (i, c) in columns.iter().enumerate() {
            let figure: Option<i64> = sql::column(row, &format!("f{i}"))?;
            if let Some(s) = figure {
                figures.insert(
                    c.element.code.as_str(),
                    c.element.value_type.unscale(Decimal::from(s)),
                );
            }
        }
        check_rules(&rules, &group.org_unit, p, &figures, &mut out);
    }
    Ok(out)
}

fn check_rules(
    rules: &[StoredRule],
    unit: &str,
    period: Period,
    figures: &HashMap<&str, Decimal>,
    out: &mut Vec<Violation>,
) {
    let lookup = |code: &DataElementCode| figures.get(code.as_str()).copied();
    for r in rules {
        if let Some(outcome) = evaluate_rule(&r.rule, &lookup)
            && !outcome.holds
        {
            out.push(Violation {
                rule: r.rule.code.as_str().to_owned(),
                org_unit: unit.to_owned(),
                period,
                left: outcome.left,
                operator: r.rule.operator,
                right: outcome.right,
                message: format!(
                    "{}: {} {} {} does not hold ({} {} {})",
                    r.rule.name,
                    r.rule.left,
                    r.rule.operator.as_str(),
                    r.rule.right,
                    outcome.left,
                    r.rule.operator.as_str(),
                    outcome.right
                ),
            });
        }
    }
}
