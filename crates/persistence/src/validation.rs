//! Evaluating validation rules against stored figures, per unit and stored period.
//!
//! Rules are evaluated where figures are held, never only on totals. The database pivots the
//! elements that rules read from a unit's own figures into one row per (unit, period) in a
//! single grouped query; a rule applies to a row where the unit holds a figure of one of its
//! own-scope references. Then, set-based per stored period:
//!
//! - the `subtree` sides read the unit's aggregates over its whole subtree
//!   ([`crate::aggregates::aggregate`], as attainment reads them), one read per period and
//!   batch of units;
//! - `stated_status` rules read the attainment of their indicators at those units
//!   ([`crate::attainment::attainment_of_units`]).
//!
//! Each row is then checked with the domain's exact arithmetic.

use std::collections::{BTreeMap, HashMap, HashSet};

use chitieu_domain::{
    Comparison, DataElementCode, OrgUnitCode, Period, RuleCheck, Status, evaluate_rule,
    stated_statuses_for,
};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    DataElementId, OrgUnitId, PersistenceError,
    aggregates::{self, ElementRef},
    attainment::{AttainmentRow, attainment_of_units},
    catalogue::{self, StoredRule, period},
    sql::{self, InList, placeholders},
};

/// Units per aggregate or attainment read (each unit is bound twice).
const UNIT_BATCH: usize = 1_000;

/// What a violation compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViolationOperator {
    /// A compared rule's operator.
    Compare(Comparison),
    /// A stated-status rule: the stated value's status against the computed value's.
    Status,
}

impl ViolationOperator {
    /// The operator symbol, or `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Compare(op) => op.as_str(),
            Self::Status => "status",
        }
    }

    /// Parses what [`as_str`](Self::as_str) prints.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "status" => Some(Self::Status),
            other => Comparison::parse_rule(other).ok().map(Self::Compare),
        }
    }
}

/// One broken rule at one unit and period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Rule code.
    pub rule: String,
    /// Org unit code.
    pub org_unit: String,
    /// The stored period the figures belong to.
    pub period: Period,
    /// Left side's value (a stated-status rule: the stated value).
    pub left: Decimal,
    /// The rule's operator, or `status`.
    pub operator: ViolationOperator,
    /// Right side's value (a stated-status rule: the computed value, unrounded).
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

/// A rule with its references split by scope, computed once.
struct Prepared<'a> {
    rule: &'a StoredRule,
    own: Vec<DataElementCode>,
    subtree: Vec<DataElementCode>,
}

impl Prepared<'_> {
    /// Whether the rule applies where these own figures are held.
    fn applies(&self, figures: &HashMap<&str, Decimal>) -> bool {
        self.own.iter().any(|c| figures.contains_key(c.as_str()))
    }
}

/// One (unit, stored period) with the unit's own figures of the pivoted elements.
struct Held<'a> {
    unit_id: OrgUnitId,
    unit: String,
    period: Period,
    figures: HashMap<&'a str, Decimal>,
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
    let prepared: Vec<Prepared> = rules
        .iter()
        .map(|r| Prepared {
            rule: r,
            own: r.rule.own_references(),
            subtree: r.rule.subtree_references(),
        })
        .collect();
    let elements = catalogue::all_data_elements(db).await?;
    let by_code: HashMap<&str, &catalogue::StoredDataElement> = elements
        .values()
        .map(|e| (e.element.code.as_str(), e))
        .collect();
    // The elements read from own figures, each a pivot column.
    let mut columns: Vec<&catalogue::StoredDataElement> = Vec::new();
    for code in prepared.iter().flat_map(|p| p.own.iter()) {
        if let Some(e) = by_code.get(code.as_str())
            && !columns.iter().any(|c| c.id == e.id)
        {
            columns.push(e);
        }
    }
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let held = held_figures(db, &selection, &columns).await?;
    let subtree = subtree_values(db, &prepared, &by_code, &held).await?;
    let stated = stated_attainment(db, &prepared, &held).await?;
    let mut out = Vec::new();
    for h in &held {
        check_rules(&prepared, h, &subtree, &stated, &by_code, &mut out);
    }
    Ok(out)
}

/// The pivot: one [`Held`] per selected (unit, stored period) holding a figure of a column.
async fn held_figures<'a>(
    db: &impl ConnectionTrait,
    selection: &Selection<'_>,
    columns: &[&'a catalogue::StoredDataElement],
) -> Result<Vec<Held<'a>>, PersistenceError> {
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
                (*root).into(),
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
        out.push(Held {
            unit_id: group.org_unit_id,
            unit: group.org_unit,
            period: p,
            figures,
        });
    }
    Ok(out)
}

/// The units of `held` where some rule matching `wanted` applies, grouped by stored period.
fn units_by_period<'h>(
    prepared: &[Prepared],
    held: &'h [Held],
    wanted: impl Fn(&Prepared) -> bool,
) -> BTreeMap<Period, Vec<&'h Held<'h>>> {
    let mut out: BTreeMap<Period, Vec<&Held>> = BTreeMap::new();
    for h in held {
        if prepared.iter().any(|p| wanted(p) && p.applies(&h.figures)) {
            out.entry(h.period).or_default().push(h);
        }
    }
    out
}

/// Subtree aggregates, keyed by (unit, stored period, element).
type SubtreeValues = HashMap<(OrgUnitId, Period, DataElementId), Decimal>;

/// The subtree aggregates the `subtree` sides read, for the rows they apply to: one read per
/// stored period and batch of units.
async fn subtree_values(
    db: &impl ConnectionTrait,
    prepared: &[Prepared<'_>],
    by_code: &HashMap<&str, &catalogue::StoredDataElement>,
    held: &[Held<'_>],
) -> Result<SubtreeValues, PersistenceError> {
    let mut elements: Vec<ElementRef> = Vec::new();
    for code in prepared.iter().flat_map(|p| p.subtree.iter()) {
        if let Some(e) = by_code.get(code.as_str())
            && !elements.iter().any(|x| x.id == e.id)
        {
            elements.push(ElementRef {
                id: e.id,
                aggregation: e.element.aggregation,
                value_type: e.element.value_type,
            });
        }
    }
    let mut out = SubtreeValues::new();
    if elements.is_empty() {
        return Ok(out);
    }
    for (p, rows) in units_by_period(prepared, held, |p| !p.subtree.is_empty()) {
        let units: Vec<OrgUnitId> = rows.iter().map(|h| h.unit_id).collect();
        for batch in units.chunks(UNIT_BATCH) {
            let values = aggregates::aggregate(db, batch, &elements, p).await?;
            out.extend(
                values
                    .into_iter()
                    .map(|((unit, element), v)| ((unit, p, element), v)),
            );
        }
    }
    Ok(out)
}

/// Attainment rows of the stated-status rules' indicators, keyed by (unit code, period,
/// indicator code).
type StatedAttainment = HashMap<(String, Period, String), AttainmentRow>;

/// The attainment that `stated_status` rules compare with, at the rows they apply to: one
/// read per stored period and batch of units.
async fn stated_attainment(
    db: &impl ConnectionTrait,
    prepared: &[Prepared<'_>],
    held: &[Held<'_>],
) -> Result<StatedAttainment, PersistenceError> {
    let mut codes: Vec<&str> = prepared
        .iter()
        .filter_map(|p| match &p.rule.rule.check {
            RuleCheck::StatedStatus { indicator, .. } => Some(indicator.as_str()),
            RuleCheck::Compare(_) => None,
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut out = StatedAttainment::new();
    if codes.is_empty() {
        return Ok(out);
    }
    let mut indicators: Vec<catalogue::StoredIndicator> =
        catalogue::indicators_by_codes(db, &codes)
            .await?
            .into_values()
            .collect();
    indicators.sort_by(|a, b| a.indicator.code.cmp(&b.indicator.code));
    let stated = |p: &Prepared| matches!(p.rule.rule.check, RuleCheck::StatedStatus { .. });
    for (p, rows) in units_by_period(prepared, held, stated) {
        let units = rows
            .iter()
            .map(|h| {
                let code = OrgUnitCode::parse(&h.unit).map_err(PersistenceError::corrupt)?;
                Ok((h.unit_id, code))
            })
            .collect::<Result<Vec<_>, PersistenceError>>()?;
        for batch in units.chunks(UNIT_BATCH) {
            for row in attainment_of_units(db, batch, p, &indicators).await? {
                let key = (row.org_unit.as_str().to_owned(), p, row.indicator.clone());
                out.insert(key, row);
            }
        }
    }
    Ok(out)
}

fn check_rules(
    prepared: &[Prepared],
    held: &Held,
    subtree: &SubtreeValues,
    stated: &StatedAttainment,
    by_code: &HashMap<&str, &catalogue::StoredDataElement>,
    out: &mut Vec<Violation>,
) {
    let own = |code: &DataElementCode| held.figures.get(code.as_str()).copied();
    let over_subtree = |code: &DataElementCode| {
        let e = by_code.get(code.as_str())?;
        subtree.get(&(held.unit_id, held.period, e.id)).copied()
    };
    for p in prepared {
        if !p.applies(&held.figures) {
            continue;
        }
        let rule = &p.rule.rule;
        let violation = match &rule.check {
            RuleCheck::Compare(c) => {
                let Some(outcome) = evaluate_rule(c, &own, &over_subtree) else {
                    continue;
                };
                if outcome.holds {
                    continue;
                }
                let (op, l, r) = (c.operator().as_str(), outcome.left, outcome.right);
                let within = c
                    .tolerance()
                    .map(|t| format!(" within {t}"))
                    .unwrap_or_default();
                let scope = |s: &chitieu_domain::RuleSide| match s.scope {
                    chitieu_domain::SideScope::Own => "",
                    chitieu_domain::SideScope::Subtree => " (over the subtree)",
                };
                Violation {
                    rule: rule.code.as_str().to_owned(),
                    org_unit: held.unit.clone(),
                    period: held.period,
                    left: l,
                    operator: ViolationOperator::Compare(c.operator()),
                    right: r,
                    message: format!(
                        "{}: {}{} {op} {}{}{within} does not hold ({l} {op} {r})",
                        rule.name,
                        c.left().expression,
                        scope(c.left()),
                        c.right().expression,
                        scope(c.right()),
                    ),
                }
            }
            RuleCheck::StatedStatus {
                indicator,
                stated: expr,
            } => {
                let Some(value) = expr.evaluate(&own) else {
                    continue;
                };
                let key = (
                    held.unit.clone(),
                    held.period,
                    indicator.as_str().to_owned(),
                );
                let Some(row) = stated.get(&key) else {
                    continue;
                };
                let goals: Vec<(Comparison, Decimal)> = (row.targets.iter())
                    .filter_map(|t| t.operator.zip(t.value))
                    .collect();
                let Some((claimed, computed)) =
                    stated_statuses_for(value, row.ratio.as_ref(), &goals)
                else {
                    continue;
                };
                let Some(ratio) = row.ratio.filter(|_| claimed != computed) else {
                    continue;
                };
                Violation {
                    rule: rule.code.as_str().to_owned(),
                    org_unit: held.unit.clone(),
                    period: held.period,
                    left: value,
                    operator: ViolationOperator::Status,
                    right: ratio.value(),
                    message: format!(
                        "{}: the stated value {value} of {indicator} is {} but the computed \
                         value {} is {} against the applicable targets",
                        rule.name,
                        status_words(claimed),
                        ratio.rounded(row.decimals),
                        status_words(computed),
                    ),
                }
            }
        };
        out.push(violation);
    }
}

/// A status as a message says it.
fn status_words(s: Status) -> &'static str {
    match s {
        Status::Met => "met",
        Status::NotMet => "not met",
        Status::NoTarget => "without target",
        Status::NoData => "without data",
    }
}
