//! KPI attainment: indicators evaluated on live aggregates, checked against the targets set
//! by the row's unit and its ancestors.

use std::collections::{BTreeSet, HashMap};

use chitieu_domain::{
    Comparison, DataElementCode, FigureState, GroupCode, IndicatorCode, OrgUnitCode, Period, Ratio,
    Status, Target, select_targets, status,
};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use crate::{
    DataElementId, IndicatorId, OrgUnitId, PersistenceError,
    aggregates::{self, ElementRef},
    catalogue::{self, StoredIndicator},
    figure_states,
    org_units::{self, StoredOrgUnit},
};

/// One target as checked for one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetResult {
    /// The authority that set it.
    pub set_by: OrgUnitCode,
    /// Its label.
    pub label: Option<String>,
    /// Operator; `None` for a note.
    pub operator: Option<Comparison>,
    /// Target value; `None` for a note.
    pub value: Option<Decimal>,
    /// The note of a target that names no value.
    pub note: Option<String>,
    /// The target as printed.
    pub printed: Option<String>,
    /// The target's own period.
    pub period: Period,
    /// Whether the exact value meets it; `None` without data, and always for a note.
    pub met: Option<bool>,
}

/// One indicator for one org unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttainmentRow {
    /// Indicator code.
    pub indicator: String,
    /// Org unit code.
    pub org_unit: OrgUnitCode,
    /// Numerator over the subtree (the count behind the percentage).
    pub numerator: Option<Decimal>,
    /// Denominator over the subtree.
    pub denominator: Option<Decimal>,
    /// The exact ratio, when both sides have data and the denominator is not zero.
    pub ratio: Option<Ratio>,
    /// Display decimals of the indicator.
    pub decimals: u32,
    /// Applicable targets, highest authority first.
    pub targets: Vec<TargetResult>,
    /// Overall status.
    pub status: Status,
    /// Why a row without a ratio has none, when figure states say so: every reference
    /// that holds no number in the subtree over the period holds a state there (and at
    /// least one does); `no_source` if any of them has no source, else `pending`.
    pub data_state: Option<FigureState>,
}

/// The units a query reports on: the root, and with `children` each direct child.
pub async fn row_units(
    db: &impl ConnectionTrait,
    root: &StoredOrgUnit,
    children: bool,
) -> Result<Vec<StoredOrgUnit>, PersistenceError> {
    let mut units = vec![root.clone()];
    if children {
        units.extend(org_units::children(db, root.id).await?);
    }
    Ok(units)
}

/// Element references of these codes (unknown codes are skipped: they cannot be stored).
pub async fn element_refs(
    db: &impl ConnectionTrait,
    codes: &[DataElementCode],
) -> Result<HashMap<String, ElementRef>, PersistenceError> {
    let list: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let found = catalogue::data_elements_by_codes(db, &list).await?;
    Ok(found
        .into_iter()
        .map(|(code, e)| {
            (
                code,
                ElementRef {
                    id: e.id,
                    aggregation: e.element.aggregation,
                    value_type: e.element.value_type,
                },
            )
        })
        .collect())
}

/// Attainment of `indicators` for `root` (and its children) over `period`.
pub async fn attainment(
    db: &impl ConnectionTrait,
    root: &StoredOrgUnit,
    period: Period,
    indicators: &[StoredIndicator],
    children: bool,
) -> Result<Vec<AttainmentRow>, PersistenceError> {
    let units: Vec<(OrgUnitId, OrgUnitCode)> = row_units(db, root, children)
        .await?
        .into_iter()
        .map(|u| (u.id, u.unit.code))
        .collect();
    attainment_of_units(db, &units, period, indicators).await
}

/// Attainment of `indicators` for each of `units` over `period`, in the order given, with a
/// fixed number of statements whatever the number of units (this batches GraphQL's nested
/// `attainment` fields).
pub async fn attainment_of_units(
    db: &impl ConnectionTrait,
    units: &[(OrgUnitId, OrgUnitCode)],
    period: Period,
    indicators: &[StoredIndicator],
) -> Result<Vec<AttainmentRow>, PersistenceError> {
    if units.is_empty() || indicators.is_empty() {
        return Ok(Vec::new());
    }
    let mut codes: Vec<DataElementCode> = indicators
        .iter()
        .flat_map(|i| i.indicator.references())
        .collect();
    codes.sort();
    codes.dedup();
    let unit_ids: Vec<OrgUnitId> = units.iter().map(|(id, _)| *id).collect();
    // Independent reads run at once.
    let (chains, refs) =
        futures::try_join!(org_units::chains(db, &unit_ids), element_refs(db, &codes),)?;
    let elements: Vec<ElementRef> = refs.values().copied().collect();
    let indicator_ids: Vec<IndicatorId> = indicators.iter().map(|i| i.id).collect();
    let mut authority_ids: Vec<OrgUnitId> = chains.values().flatten().map(|(id, _)| *id).collect();
    authority_ids.sort_unstable();
    authority_ids.dedup();
    let (values, targets) = futures::try_join!(
        aggregates::aggregate(db, &unit_ids, &elements, period),
        catalogue::targets_for(db, &indicator_ids, &authority_ids),
    )?;
    let mut by_indicator: HashMap<&str, Vec<Target>> = HashMap::new();
    for t in &targets {
        by_indicator
            .entry(t.indicator.as_str())
            .or_default()
            .push(t.clone());
    }

    let mut rows = Vec::with_capacity(units.len() * indicators.len());
    // Rows without a ratio, with the references that hold no number (`None`: unknown code).
    let mut unexplained: Vec<(usize, OrgUnitId, Vec<Option<DataElementId>>)> = Vec::new();
    for (unit_id, unit_code) in units {
        let chain: Vec<OrgUnitCode> = chains
            .get(unit_id)
            .map(|c| c.iter().map(|(_, code)| code.clone()).collect())
            .unwrap_or_default();
        let lookup = |code: &DataElementCode| {
            refs.get(code.as_str())
                .and_then(|e| values.get(&(*unit_id, e.id)).copied())
        };
        for ind in indicators {
            let i = &ind.indicator;
            let numerator = i.numerator.evaluate(&lookup);
            let denominator = i.denominator.evaluate(&lookup);
            let ratio = Ratio::compute(numerator, denominator, i.factor);
            let applicable = by_indicator
                .get(i.code.as_str())
                .map(|ts| select_targets(ts, &chain, &period))
                .unwrap_or_default();
            let results: Vec<TargetResult> = applicable
                .into_iter()
                .map(|t| {
                    let goal = t.goal.comparison();
                    TargetResult {
                        set_by: t.org_unit.clone(),
                        label: t.label.clone(),
                        operator: goal.map(|(op, _)| op),
                        value: goal.map(|(_, v)| v),
                        note: t.goal.note().map(str::to_owned),
                        printed: t.printed.clone(),
                        period: t.period,
                        met: goal.zip(ratio.as_ref()).map(|((op, v), r)| r.meets(op, v)),
                    }
                })
                .collect();
            // Notes have no `met`: they count as no target.
            let met: Vec<bool> = results.iter().filter_map(|t| t.met).collect();
            let st = status(ratio.as_ref(), &met);
            if ratio.is_none() {
                let missing: Vec<Option<DataElementId>> = i
                    .references()
                    .iter()
                    .filter(|code| lookup(code).is_none())
                    .map(|code| refs.get(code.as_str()).map(|e| e.id))
                    .collect();
                if !missing.is_empty() {
                    unexplained.push((rows.len(), *unit_id, missing));
                }
            }
            rows.push(AttainmentRow {
                indicator: i.code.as_str().to_owned(),
                org_unit: unit_code.clone(),
                numerator,
                denominator,
                ratio,
                decimals: i.decimals,
                targets: results,
                status: st,
                data_state: None,
            });
        }
    }
    explain_missing(db, &mut rows, &unexplained, period).await?;
    Ok(rows)
}

/// Sets `data_state` of the rows whose missing references all hold a figure state: one
/// grouped read of the states of those units and elements, and none at all when every row
/// has a ratio (the usual case, and the national benchmark's).
async fn explain_missing(
    db: &impl ConnectionTrait,
    rows: &mut [AttainmentRow],
    unexplained: &[(usize, OrgUnitId, Vec<Option<DataElementId>>)],
    period: Period,
) -> Result<(), PersistenceError> {
    let unit_ids: Vec<OrgUnitId> = unexplained
        .iter()
        .map(|r| r.1)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let element_ids: Vec<DataElementId> = unexplained
        .iter()
        .flat_map(|r| r.2.iter().flatten().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if element_ids.is_empty() {
        return Ok(());
    }
    let states = figure_states::in_subtrees(db, &unit_ids, &element_ids, period).await?;
    for (at, unit, missing) in unexplained {
        let each: Option<Vec<FigureState>> = missing
            .iter()
            .map(|e| e.and_then(|e| states.get(&(*unit, e)).copied()))
            .collect();
        if let Some(row) = rows.get_mut(*at) {
            row.data_state = each.and_then(FigureState::combined);
        }
    }
    Ok(())
}

/// Every indicator, or those of `group`, or those named — in code order.
pub async fn select_indicators(
    db: &impl ConnectionTrait,
    codes: &[IndicatorCode],
    group: Option<&GroupCode>,
) -> Result<Result<Vec<StoredIndicator>, String>, PersistenceError> {
    if !codes.is_empty() {
        let list: Vec<&str> = codes.iter().map(IndicatorCode::as_str).collect();
        let found = catalogue::indicators_by_codes(db, &list).await?;
        if let Some(missing) = codes.iter().find(|c| !found.contains_key(c.as_str())) {
            return Ok(Err(missing.to_string()));
        }
        let mut out: Vec<StoredIndicator> = found
            .into_values()
            .filter(|i| group.is_none_or(|g| i.indicator.group.as_ref() == Some(g)))
            .collect();
        out.sort_by(|a, b| a.indicator.code.cmp(&b.indicator.code));
        return Ok(Ok(out));
    }
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = catalogue::indicators(db, group, after.as_deref(), 1000).await?;
        let done = page.len() < 1000;
        after = page.last().map(|i| i.indicator.code.as_str().to_owned());
        out.extend(page);
        if done {
            break;
        }
    }
    Ok(Ok(out))
}
