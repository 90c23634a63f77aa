//! The read side shared by REST and GraphQL: attainment, aggregates and validation over a
//! unit's subtree, each limited to what the caller may see.

use chitieu_domain::{DataElementCode, Period};
use chitieu_persistence::{
    OrgUnitId, aggregates,
    attainment::{self, AttainmentRow},
    org_units::StoredOrgUnit,
    validation::{self, Selection, Violation},
};
use rust_decimal::Decimal;

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    service::{filters, units::visible_unit},
};

/// Which rows a report has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Breakdown {
    /// Only the requested unit.
    #[default]
    SelfOnly,
    /// The requested unit, then each direct child.
    Children,
}

impl Breakdown {
    /// Parses `self` or `children`.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match s {
            "self" => Ok(Self::SelfOnly),
            "children" => Ok(Self::Children),
            other => Err(ApiError::bad_request(
                "invalid_breakdown",
                format!("breakdown must be 'self' or 'children', not '{other}'"),
            )),
        }
    }
}

/// What an attainment query asks.
#[derive(Clone, Debug)]
pub struct AttainmentQuery {
    /// Org unit code.
    pub org_unit: String,
    /// Period text.
    pub period: String,
    /// Indicator codes (empty: all).
    pub indicators: Vec<String>,
    /// Indicator group.
    pub group: Option<String>,
    /// Rows.
    pub breakdown: Breakdown,
}

/// An attainment report.
#[derive(Clone, Debug)]
pub struct AttainmentReport {
    /// The unit asked for.
    pub org_unit: StoredOrgUnit,
    /// The period asked for.
    pub period: Period,
    /// Rows: the unit's first, then each child's.
    pub rows: Vec<AttainmentRow>,
}

fn parse_period(s: &str) -> Result<Period, ApiError> {
    Ok(Period::parse(s)?)
}

/// Attainment of indicators for a unit (and its children) over a period.
pub async fn attainment(
    state: &AppState,
    caller: &Caller,
    q: &AttainmentQuery,
) -> Result<AttainmentReport, ApiError> {
    authorize(caller, Operation::Read)?;
    let period = parse_period(&q.period)?;
    let root = visible_unit(state, caller.scope, &q.org_unit).await?;
    let indicators = filters::indicators(&state.db, &q.indicators, q.group.as_deref()).await?;
    let db = state.db.conn();
    let rows = attainment::attainment(
        db,
        &root,
        period,
        &indicators,
        q.breakdown == Breakdown::Children,
    )
    .await?;
    Ok(AttainmentReport {
        org_unit: root,
        period,
        rows,
    })
}

/// One aggregated element for one unit.
#[derive(Clone, Debug)]
pub struct AggregateRow {
    /// Element code.
    pub data_element: String,
    /// Unit code.
    pub org_unit: String,
    /// The aggregate; `None` without data.
    pub value: Option<Decimal>,
}

/// Aggregates of elements for a unit (and its children) over a period.
pub async fn aggregates(
    state: &AppState,
    caller: &Caller,
    data_elements: &[String],
    org_unit: &str,
    period: &str,
    breakdown: Breakdown,
) -> Result<(Period, Vec<AggregateRow>), ApiError> {
    authorize(caller, Operation::Read)?;
    if data_elements.is_empty() {
        return Err(ApiError::bad_request(
            "missing_data_element",
            "name at least one data_element",
        ));
    }
    let period = parse_period(period)?;
    let root = visible_unit(state, caller.scope, org_unit).await?;
    let db = state.db.conn();
    let codes = data_elements
        .iter()
        .map(|c| DataElementCode::parse(c))
        .collect::<Result<Vec<_>, _>>()?;
    let refs = attainment::element_refs(db, &codes).await?;
    if let Some(missing) = codes.iter().find(|c| !refs.contains_key(c.as_str())) {
        return Err(ApiError::not_found(
            "unknown_data_element",
            format!("data element '{missing}' does not exist"),
        ));
    }
    let units = attainment::row_units(db, &root, breakdown == Breakdown::Children).await?;
    let ids: Vec<OrgUnitId> = units.iter().map(|u| u.id).collect();
    let elements: Vec<aggregates::ElementRef> = refs.values().copied().collect();
    let values = aggregates::aggregate(db, &ids, &elements, period).await?;
    let mut rows = Vec::with_capacity(units.len() * codes.len());
    for unit in &units {
        for code in &codes {
            let value = refs
                .get(code.as_str())
                .and_then(|e| values.get(&(unit.id, e.id)).copied());
            rows.push(AggregateRow {
                data_element: code.as_str().to_owned(),
                org_unit: unit.unit.code.as_str().to_owned(),
                value,
            });
        }
    }
    Ok((period, rows))
}

/// Validation rule violations of every unit in the subtree, for stored periods inside `period`.
pub async fn violations(
    state: &AppState,
    caller: &Caller,
    org_unit: &str,
    period: &str,
) -> Result<Vec<Violation>, ApiError> {
    authorize(caller, Operation::Read)?;
    let period = parse_period(period)?;
    let root = visible_unit(state, caller.scope, org_unit).await?;
    Ok(validation::evaluate(
        state.db.conn(),
        Selection::Subtree {
            root: root.id,
            period,
        },
    )
    .await?)
}
