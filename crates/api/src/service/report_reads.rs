//! The read side of the reporting cycle, shared by REST and GraphQL: the expected reports of
//! a data set over an org unit and a period (`GET /api/v1/reports`) and their completeness and
//! timeliness (`GET /api/v1/completeness`), each within what the caller may see.
//!
//! Every read goes through `persistence::expected_reports`: the database joins the subtree,
//! the periods (computed here from the set's type, each with its due instant) and the stored
//! reports, and counts; this module orders, bounds and dates the results.

use std::collections::HashMap;

use chitieu_domain::{
    Completeness, DataSetCode, Date, Deadlines, OrgUnitCode, Period, PeriodType, ReportState,
    Schedule, text::NaturalKey,
};
use chitieu_persistence::{
    DataSetId, OrgUnitId, data_sets,
    expected_reports::{self, Expected, ExpectedPeriod, ExpectedReport, Which},
    org_units::{self, StoredOrgUnit},
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    service::{report_cycle::ReportView, units::visible_unit},
};

/// Most periods of a set's type one query may span (a century of months).
pub const MAX_PERIODS: usize = 1_200;

/// Most reports one `GET /api/v1/reports` answer lists; a larger selection is refused with
/// 400 `too_many_rows` (narrow the period or the breakdown, or read completeness).
pub const MAX_REPORT_ROWS: u64 = 10_000;

/// `missing` entries of a completeness answer by default.
pub const DEFAULT_MISSING_LIMIT: u32 = 500;

/// Most `missing` entries a completeness answer may be asked for.
pub const MAX_MISSING_LIMIT: u32 = 5_000;

/// Which units' reports a read covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportBreakdown {
    /// Only the unit asked for.
    #[default]
    SelfOnly,
    /// The unit, then its direct children in natural order of names.
    Children,
    /// Every unit of the subtree, parents before children, siblings in natural order.
    Subtree,
}

impl ReportBreakdown {
    /// Parses `self`, `children` or `subtree`.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match s {
            "self" => Ok(Self::SelfOnly),
            "children" => Ok(Self::Children),
            "subtree" => Ok(Self::Subtree),
            other => Err(ApiError::bad_request(
                "invalid_breakdown",
                format!("breakdown must be 'self', 'children' or 'subtree', not '{other}'"),
            )),
        }
    }

    /// Levels below the unit asked for (`None`: all).
    fn depth(self) -> Option<i32> {
        match self {
            Self::SelfOnly => Some(0),
            Self::Children => Some(1),
            Self::Subtree => None,
        }
    }
}

/// What a reporting read names, as the edge received it.
#[derive(Clone, Debug, Default)]
pub struct ReportScope {
    /// Data set code.
    pub data_set: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period text.
    pub period: String,
}

/// A data set, unit and period resolved: the periods whose reports are expected.
struct Resolved {
    data_set: DataSetCode,
    data_set_id: DataSetId,
    root: StoredOrgUnit,
    period: Period,
    period_type: PeriodType,
    schedule: Schedule,
    periods: Vec<ExpectedPeriod>,
    deadlines: HashMap<Period, Deadlines>,
}

impl Resolved {
    fn expected(&self) -> Expected<'_> {
        Expected {
            data_set: self.data_set_id,
            periods: &self.periods,
        }
    }

    fn deadlines(&self, period: &Period) -> Result<Deadlines, ApiError> {
        self.deadlines
            .get(period)
            .copied()
            .ok_or_else(|| ApiError::internal("a report outside the expected periods"))
    }
}

/// The periods of `period_type` inside `within`, each with its deadlines.
fn expected_periods(
    period_type: PeriodType,
    schedule: &Schedule,
    within: &Period,
) -> Result<(Vec<ExpectedPeriod>, HashMap<Period, Deadlines>), ApiError> {
    let typed: Vec<_> = period_type
        .periods_within(within)
        .take(MAX_PERIODS + 1)
        .collect();
    if typed.len() > MAX_PERIODS {
        return Err(ApiError::bad_request(
            "too_many_periods",
            format!("the period spans more than {MAX_PERIODS} periods of the data set's type"),
        ));
    }
    let mut periods = Vec::with_capacity(typed.len());
    let mut due = HashMap::with_capacity(typed.len());
    for t in typed {
        let period = t.period();
        let deadlines = schedule.deadlines(&period)?;
        periods.push(ExpectedPeriod {
            period,
            due_at: deadlines.due_at(),
        });
        due.insert(period, deadlines);
    }
    Ok((periods, due))
}

async fn resolve(state: &AppState, caller: &Caller, q: &ReportScope) -> Result<Resolved, ApiError> {
    authorize(caller, Operation::Read)?;
    let period = Period::parse(&q.period)?;
    let code = DataSetCode::parse(&q.data_set)?;
    let root = visible_unit(state, caller.scope, &q.org_unit).await?;
    let set = data_sets::load_by_code(state.db.conn(), &code)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "unknown_data_set",
                format!("data set '{code}' does not exist"),
            )
        })?;
    let (periods, deadlines) = expected_periods(set.period_type, &set.schedule, &period)?;
    Ok(Resolved {
        data_set: code,
        data_set_id: set.id,
        root,
        period,
        period_type: set.period_type,
        schedule: set.schedule,
        periods,
        deadlines,
    })
}

/// The expected reports of a data set for `q`'s unit (and its children or subtree), with
/// their periods inside `q`'s period: the unit's reports first, then its children's in
/// natural order of names (or the subtree as an outline), each unit's in period order.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: &ReportScope,
    breakdown: ReportBreakdown,
) -> Result<Vec<ReportView>, ApiError> {
    let r = resolve(state, caller, q).await?;
    let db = state.db.conn();
    let depth = breakdown.depth();
    let total = expected_reports::count_within(db, r.expected(), r.root.id, depth).await?;
    if total > MAX_REPORT_ROWS {
        return Err(ApiError::bad_request(
            "too_many_rows",
            format!(
                "{total} reports are expected, more than the {MAX_REPORT_ROWS} one answer lists; \
                 narrow the period or the breakdown, or read /api/v1/completeness"
            ),
        ));
    }
    let order: Vec<OrgUnitId> = match breakdown {
        ReportBreakdown::SelfOnly => vec![r.root.id],
        ReportBreakdown::Children => std::iter::once(r.root.id)
            .chain(
                org_units::children(db, r.root.id)
                    .await?
                    .iter()
                    .map(|u| u.id),
            )
            .collect(),
        ReportBreakdown::Subtree => expected_reports::outline_order(
            &expected_reports::subtree_units(db, r.root.id, None).await?,
        ),
    };
    let rank: HashMap<OrgUnitId, usize> = order.iter().enumerate().map(|(i, u)| (*u, i)).collect();
    let mut reports = expected_reports::reports(db, r.expected(), &order, Which::All).await?;
    reports.sort_by_key(|x| {
        (
            rank.get(&x.org_unit_id).copied(),
            x.period.start(),
            x.period.end(),
        )
    });
    reports.into_iter().map(|report| view(&r, report)).collect()
}

fn view(r: &Resolved, report: ExpectedReport) -> Result<ReportView, ApiError> {
    let org_unit = OrgUnitCode::parse(&report.org_unit)
        .map_err(|e| ApiError::internal(format!("a stored unit code is invalid: {e}")))?;
    ReportView::new(
        r.data_set.clone(),
        org_unit,
        r.period_type.check(report.period)?,
        &r.schedule,
        report.stored,
    )
}

/// One row of a completeness answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletenessRow {
    /// Org unit code.
    pub org_unit: String,
    /// The counts over the unit's subtree.
    pub counts: Completeness,
}

/// An expected report neither submitted nor approved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingReport {
    /// Org unit code.
    pub org_unit: String,
    /// The period.
    pub period: Period,
    /// Its due date.
    pub due_date: Date,
    /// `open` or `returned`.
    pub state: ReportState,
}

/// A completeness answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletenessReport {
    /// Data set code.
    pub data_set: String,
    /// The period asked for.
    pub period: Period,
    /// The unit's row, then its children's with `children`.
    pub rows: Vec<CompletenessRow>,
    /// The first `missing_limit` missing reports of the subtree, in natural order of unit
    /// names, then period.
    pub missing: Vec<MissingReport>,
    /// Missing reports in all.
    pub missing_total: u64,
    /// Whether `missing` stops before `missing_total`.
    pub missing_truncated: bool,
}

/// Completeness and timeliness of a data set's reports for `q`'s unit (and each child with
/// `children`), over each row unit's whole subtree, with the missing reports of the subtree.
pub async fn completeness(
    state: &AppState,
    caller: &Caller,
    q: &ReportScope,
    children: bool,
    missing_limit: Option<u32>,
) -> Result<CompletenessReport, ApiError> {
    let limit = missing_limit.unwrap_or(DEFAULT_MISSING_LIMIT);
    if limit > MAX_MISSING_LIMIT {
        return Err(ApiError::bad_request(
            "invalid_limit",
            format!("missing_limit may be at most {MAX_MISSING_LIMIT}"),
        ));
    }
    let r = resolve(state, caller, q).await?;
    let db = state.db.conn();
    let mut rows: Vec<StoredOrgUnit> = vec![r.root.clone()];
    if children {
        rows.extend(org_units::children(db, r.root.id).await?);
    }
    let ids: Vec<OrgUnitId> = rows.iter().map(|u| u.id).collect();
    // The row counts and the missing reports per unit are independent reads: run them at
    // once on two pooled connections.
    let (counts, mut units) = tokio::try_join!(
        expected_reports::counts(db, r.expected(), &ids),
        expected_reports::missing_by_unit(db, r.expected(), r.root.id),
    )?;
    let rows = rows
        .into_iter()
        .map(|u| CompletenessRow {
            counts: counts.get(&u.id).copied().unwrap_or_default(),
            org_unit: u.unit.code.as_str().to_owned(),
        })
        .collect();

    units.sort_by_cached_key(|u| (NaturalKey::new(&u.name), u.code.clone()));
    let missing_total: u64 = units
        .iter()
        .map(|u| u64::try_from(u.missing).unwrap_or(0))
        .sum();
    let mut take = Vec::new();
    let mut covered: u64 = 0;
    for u in &units {
        if covered >= u64::from(limit) {
            break;
        }
        covered += u64::try_from(u.missing).unwrap_or(0);
        take.push(u.org_unit_id);
    }
    let rank: HashMap<OrgUnitId, usize> = take.iter().enumerate().map(|(i, u)| (*u, i)).collect();
    let mut found = expected_reports::reports(db, r.expected(), &take, Which::Missing).await?;
    found.sort_by_key(|x| {
        (
            rank.get(&x.org_unit_id).copied(),
            x.period.start(),
            x.period.end(),
        )
    });
    found.truncate(limit as usize);
    let missing = found
        .into_iter()
        .map(|x| {
            Ok(MissingReport {
                due_date: r.deadlines(&x.period)?.due(),
                org_unit: x.org_unit,
                period: x.period,
                state: x.stored.map_or(ReportState::Open, |s| s.state),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(CompletenessReport {
        data_set: r.data_set.as_str().to_owned(),
        period: r.period,
        missing_truncated: (missing.len() as u64) < missing_total,
        missing_total,
        rows,
        missing,
    })
}
