//! The composite index (contract v2, "Scores: the composite index"): each row unit's
//! attainment statuses of every indicator that has a group, tallied per group and weighted
//! by [`chitieu_domain::score`], children ranked.
//!
//! The statuses come from the same evaluation as `GET /api/v1/attainment`
//! ([`attainment::attainment_of_units`]), run once for the parent and all its children
//! together: a fixed number of statements whatever the number of children.

use std::collections::{BTreeMap, HashMap};

use chitieu_domain::{GroupCode, OrgUnitCode, Period, RowScore, Weight, score};
use chitieu_persistence::{attainment, indicator_groups};

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    service::{filters, reports::Breakdown, units::visible_unit},
};

/// What a scores query asks.
#[derive(Clone, Debug)]
pub struct ScoresQuery {
    /// Org unit code.
    pub org_unit: String,
    /// Period text.
    pub period: String,
    /// Rows: the unit alone, or the unit then its children (ranked).
    pub breakdown: Breakdown,
}

/// One row: a unit's groups, score and rank.
#[derive(Clone, Debug)]
pub struct ScoreRow {
    /// The unit.
    pub org_unit: OrgUnitCode,
    /// Its groups and their sum.
    pub score: RowScore,
    /// Its rank among the children (1 = best); `None` on the parent row and without a
    /// breakdown.
    pub rank: Option<u32>,
}

/// The scores of a unit (and its children) over a period.
#[derive(Clone, Debug)]
pub struct ScoresReport {
    /// The period asked for.
    pub period: Period,
    /// The unit's row first, then each child's in natural order of names.
    pub rows: Vec<ScoreRow>,
}

/// Scores of `q.org_unit` (and its children) over `q.period`; a unit outside the caller's
/// subtree is 404, a malformed period 400 `invalid_period`.
pub async fn scores(
    state: &AppState,
    caller: &Caller,
    q: &ScoresQuery,
) -> Result<ScoresReport, ApiError> {
    authorize(caller, Operation::Read)?;
    let period = Period::parse(&q.period)?;
    let root = visible_unit(state, caller.scope, &q.org_unit).await?;
    let children = q.breakdown == Breakdown::Children;
    let grouped: Vec<_> = (filters::indicators(&state.db, &[], None).await?.into_iter())
        .filter(|i| i.indicator.group.is_some())
        .collect();
    let db = state.db.conn();
    let weights: BTreeMap<GroupCode, Weight> = (indicator_groups::all(db).await?.into_iter())
        .map(|g| (g.group.code, g.group.weight))
        .collect();
    let units = attainment::row_units(db, &root, children).await?;
    let keys: Vec<_> = units.iter().map(|u| (u.id, u.unit.code.clone())).collect();
    let statuses = attainment::attainment_of_units(db, &keys, period, &grouped).await?;
    let group_of: HashMap<&str, &GroupCode> = (grouped.iter())
        .filter_map(|i| Some((i.indicator.code.as_str(), i.indicator.group.as_ref()?)))
        .collect();
    let mut by_unit: HashMap<&OrgUnitCode, Vec<(GroupCode, chitieu_domain::Status)>> =
        HashMap::new();
    for row in &statuses {
        if let Some(group) = group_of.get(row.indicator.as_str()) {
            by_unit
                .entry(&row.org_unit)
                .or_default()
                .push(((*group).clone(), row.status));
        }
    }
    let scores: Vec<RowScore> = (units.iter())
        .map(|u| {
            let of_unit = by_unit.remove(&u.unit.code).unwrap_or_default();
            RowScore::of(of_unit, &weights)
        })
        .collect();
    let ranks: Vec<Option<u32>> = match scores.split_first() {
        Some((_, kids)) if children => std::iter::once(None)
            .chain(score::rank(kids).into_iter().map(Some))
            .collect(),
        _ => vec![None; scores.len()],
    };
    let rows = (units.into_iter().zip(scores).zip(ranks))
        .map(|((u, score), rank)| ScoreRow {
            org_unit: u.unit.code,
            score,
            rank,
        })
        .collect();
    Ok(ScoresReport { period, rows })
}
