//! The report locks of a submission (contract v2, "Reports"; design "Locks on every write
//! path"): a figure of a data set's element, for a unit, with a period inside a `submitted` or
//! `approved` report of that set and unit is `report_locked` for every caller; inside an open
//! or returned report past its deadline lock (`lock_after_days`) it is `period_closed` for
//! reporters, tokens and managers of the unit itself, not for managers of an ancestor or
//! admins. The rule is `domain::report::check_figure_write`; this module loads what it reads
//! (a few set-based statements, none at all when no data set holds the set's elements) and
//! applies it to every checked row.

use std::collections::{BTreeSet, HashMap, HashSet};

use chitieu_domain::{
    PeriodType, ReportState, Schedule,
    report::{Cover, check_figure_write},
};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use super::{Conflict, Writer, checks::Checked, conflict};
use crate::{
    DataElementId, DataSetId, OrgUnitId, PersistenceError,
    sql::{self, InList, placeholders},
};

/// A data set holding one of the set's elements: its type and calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LockingSet {
    pub id: DataSetId,
    pub period_type: PeriodType,
    pub schedule: Schedule,
}

/// What the lock step reads, loaded for the rows of one submission.
#[derive(Clone, Debug, Default)]
pub(crate) struct Locks {
    /// The data sets of each element (elements of no data set are absent).
    pub sets_of: HashMap<DataElementId, Vec<LockingSet>>,
    /// The stored reports of those sets for the set's units: state by (set, unit, period
    /// months).
    pub reports: HashMap<(DataSetId, OrgUnitId, i32, i32), ReportState>,
    /// The (set, unit) pairs where the set is assigned to the unit, for the sets with a
    /// deadline lock.
    pub assigned: HashSet<(DataSetId, OrgUnitId)>,
}

#[derive(FromQueryResult)]
struct SetRow {
    data_element_id: DataElementId,
    data_set_id: DataSetId,
    period_type: String,
    cutoff_day: Option<i32>,
    due_days: i32,
    approval_due_days: i32,
    lock_after_days: Option<i32>,
}

#[derive(FromQueryResult)]
struct ReportRow {
    data_set_id: DataSetId,
    org_unit_id: OrgUnitId,
    start_month: i32,
    end_month: i32,
    state: String,
}

#[derive(FromQueryResult)]
struct AssignedRow {
    data_set_id: DataSetId,
    org_unit_id: OrgUnitId,
}

/// Loads the data sets of the rows' elements, then (only when there is any) their stored
/// reports for the rows' units overlapping the rows' periods, and the assignments of the sets
/// with a deadline lock: at most four statements per chunk of units.
pub(crate) async fn load(
    db: &impl ConnectionTrait,
    rows: &[Checked],
) -> Result<Locks, PersistenceError> {
    let mut locks = Locks::default();
    let elements: BTreeSet<DataElementId> = rows.iter().map(|r| r.element_id).collect();
    let elements: Vec<DataElementId> = elements.into_iter().collect();
    let sets: Vec<SetRow> = sql::query_in(
        db,
        "SELECT dse.data_element_id, ds.id AS data_set_id, ds.period_type, ds.cutoff_day, \
         ds.due_days, ds.approval_due_days, ds.lock_after_days \
         FROM data_set_element dse JOIN data_set ds ON ds.id = dse.data_set_id \
         WHERE dse.data_element_id",
        &elements,
        "",
    )
    .await?;
    if sets.is_empty() {
        return Ok(locks);
    }
    let mut set_ids = BTreeSet::new();
    let mut deadline_sets = BTreeSet::new();
    for row in sets {
        let schedule = Schedule::new(
            row.cutoff_day.map(i64::from),
            i64::from(row.due_days),
            i64::from(row.approval_due_days),
            row.lock_after_days.map(i64::from),
        )
        .map_err(PersistenceError::corrupt)?;
        let period_type = PeriodType::parse(&row.period_type).map_err(PersistenceError::corrupt)?;
        set_ids.insert(row.data_set_id);
        if schedule.lock_after_days().is_some() {
            deadline_sets.insert(row.data_set_id);
        }
        locks
            .sets_of
            .entry(row.data_element_id)
            .or_default()
            .push(LockingSet {
                id: row.data_set_id,
                period_type,
                schedule,
            });
    }
    let held: Vec<&Checked> = rows
        .iter()
        .filter(|r| locks.sets_of.contains_key(&r.element_id))
        .collect();
    let units: BTreeSet<OrgUnitId> = held.iter().map(|r| r.unit_id).collect();
    let units: Vec<OrgUnitId> = units.into_iter().collect();
    let (Some(first), Some(last)) = (
        held.iter().map(|r| r.period.start().index()).min(),
        held.iter().map(|r| r.period.end().index()).max(),
    ) else {
        return Ok(locks);
    };
    let set_ids: Vec<Value> = set_ids.into_iter().map(Value::from).collect();
    let reports_sql = format!(
        "SELECT data_set_id, org_unit_id, start_month, end_month, state FROM report \
         WHERE data_set_id IN ({}) AND start_month <= ? AND end_month >= ? AND org_unit_id",
        placeholders(set_ids.len())
    );
    let reports: Vec<ReportRow> = InList::new(&reports_sql, "")
        .bind_before(set_ids.iter().cloned())
        .bind_before([Value::from(last), Value::from(first)])
        .query(db, &units)
        .await?;
    for r in reports {
        let state = ReportState::parse(&r.state).map_err(PersistenceError::corrupt)?;
        locks.reports.insert(
            (r.data_set_id, r.org_unit_id, r.start_month, r.end_month),
            state,
        );
    }
    if !deadline_sets.is_empty() {
        locks.assigned = assigned(db, &deadline_sets, &units).await?;
    }
    Ok(locks)
}

/// The (set, unit) pairs among `sets` × `units` where the set is assigned to the unit: by
/// the unit's kind or by name.
async fn assigned(
    db: &impl ConnectionTrait,
    sets: &BTreeSet<DataSetId>,
    units: &[OrgUnitId],
) -> Result<HashSet<(DataSetId, OrgUnitId)>, PersistenceError> {
    let ids: Vec<Value> = sets.iter().map(|&s| Value::from(s)).collect();
    let by_kind = format!(
        "SELECT dsk.data_set_id, u.id AS org_unit_id FROM org_unit u \
         JOIN data_set_kind dsk ON dsk.kind = u.kind \
         WHERE dsk.data_set_id IN ({}) AND u.id",
        placeholders(ids.len())
    );
    let by_unit = format!(
        "SELECT data_set_id, org_unit_id FROM data_set_unit \
         WHERE data_set_id IN ({}) AND org_unit_id",
        placeholders(ids.len())
    );
    let mut out = HashSet::new();
    for sql in [by_kind, by_unit] {
        let rows: Vec<AssignedRow> = InList::new(&sql, "")
            .bind_before(ids.iter().cloned())
            .query(db, units)
            .await?;
        out.extend(rows.into_iter().map(|r| (r.data_set_id, r.org_unit_id)));
    }
    Ok(out)
}

/// The reports covering `row`: for each data set holding its element, the set's period that
/// encloses the row's period, when the set expects that report of the unit (its deadline
/// lock matters) or a report of it is stored (its state matters).
fn covers(row: &Checked, locks: &Locks, now: i64) -> Vec<Cover> {
    let Some(sets) = locks.sets_of.get(&row.element_id) else {
        return Vec::new();
    };
    sets.iter()
        .filter_map(|set| {
            let typed = set.period_type.enclosing(&row.period)?;
            let period = typed.period();
            let stored = locks.reports.get(&(
                set.id,
                row.unit_id,
                period.start().index(),
                period.end().index(),
            ));
            let expected = locks.assigned.contains(&(set.id, row.unit_id));
            if stored.is_none() && !expected {
                return None;
            }
            let deadline_passed = set
                .schedule
                .deadlines(&period)
                .is_ok_and(|d| d.is_locked_at(now));
            Some(Cover {
                state: stored.copied().unwrap_or(ReportState::Open),
                deadline_passed,
            })
        })
        .collect()
}

/// A `report_locked` or `period_closed` conflict for every row `writer` may not write at
/// `now`.
pub(crate) fn check(
    rows: &[Checked],
    locks: &Locks,
    writer: &Writer<'_>,
    now: i64,
) -> Vec<Conflict> {
    if locks.sets_of.is_empty() {
        return Vec::new();
    }
    rows.iter()
        .filter_map(|row| {
            let covers = covers(row, locks, now);
            if covers.is_empty() {
                return None;
            }
            check_figure_write(writer.actor_on(row.unit_id), covers)
                .err()
                .map(|e| conflict(row.index, e.code(), e.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chitieu_domain::{Period, calendar::Date};

    use super::*;
    use crate::{Scope, audit, submission::WriterRole};

    const DS: DataSetId = DataSetId::new(1);
    const WARD: OrgUnitId = OrgUnitId::new(10);
    const CITY: OrgUnitId = OrgUnitId::new(2);
    const IN_SET: DataElementId = DataElementId::new(5);
    const OTHER: DataElementId = DataElementId::new(6);

    fn row(index: usize, element: DataElementId, period: &str) -> Checked {
        Checked {
            index,
            unit_id: WARD,
            element_id: element,
            period: Period::parse(period).unwrap(),
            value: None,
            comment: None,
        }
    }

    /// A quarterly set holding `IN_SET`, due two days after the 14th, locked 30 days later.
    fn locks(state: Option<ReportState>, assigned: bool) -> Locks {
        let mut locks = Locks::default();
        locks.sets_of.insert(
            IN_SET,
            vec![LockingSet {
                id: DS,
                period_type: PeriodType::Quarter,
                schedule: Schedule::new(Some(14), 2, 3, Some(30)).unwrap(),
            }],
        );
        let q3 = Period::parse("2023Q3").unwrap();
        if let Some(state) = state {
            locks
                .reports
                .insert((DS, WARD, q3.start().index(), q3.end().index()), state);
        }
        if assigned {
            locks.assigned.insert((DS, WARD));
        }
        locks
    }

    fn codes(
        rows: &[Checked],
        locks: &Locks,
        role: WriterRole,
        scope: Scope,
        now: i64,
    ) -> Vec<(usize, &'static str)> {
        let audit = audit::Actor::system("test");
        let writer = Writer {
            scope,
            role,
            audit: &audit,
        };
        check(rows, locks, &writer, now)
            .into_iter()
            .map(|c| (c.index, c.code))
            .collect()
    }

    /// 2023Q3 is due 2023-09-16 and locked after the end of 2023-10-16 (Vietnam time).
    fn before_lock() -> i64 {
        Date::parse("2023-10-16").unwrap().end_micros()
    }

    fn after_lock() -> i64 {
        before_lock() + 1
    }

    #[test]
    fn a_submitted_report_locks_its_elements_inside_its_period_for_everyone() {
        let rows = [
            row(0, IN_SET, "2023-08"),
            row(1, IN_SET, "2023Q3"),
            row(2, OTHER, "2023-08"),
            row(3, IN_SET, "2023-10"),
            row(4, IN_SET, "2023"),
        ];
        for state in [ReportState::Submitted, ReportState::Approved] {
            for (role, scope) in [
                (WriterRole::Admin, Scope::All),
                (WriterRole::Manager, Scope::Subtree(CITY)),
                (WriterRole::Reporter, Scope::Subtree(WARD)),
                (WriterRole::Token, Scope::Subtree(WARD)),
            ] {
                assert_eq!(
                    codes(
                        &rows,
                        &locks(Some(state), false),
                        role,
                        scope,
                        before_lock()
                    ),
                    [(0, "report_locked"), (1, "report_locked")],
                    "{state} {role:?}"
                );
            }
        }
    }

    #[test]
    fn open_and_returned_reports_lock_nothing_before_the_deadline_lock() {
        let rows = [row(0, IN_SET, "2023-08")];
        for state in [None, Some(ReportState::Open), Some(ReportState::Returned)] {
            let locks = locks(state, true);
            assert!(
                codes(
                    &rows,
                    &locks,
                    WriterRole::Reporter,
                    Scope::Subtree(WARD),
                    before_lock()
                )
                .is_empty()
            );
        }
    }

    #[test]
    fn past_the_deadline_lock_only_reviewers_write() {
        let rows = [row(0, IN_SET, "2023-08"), row(1, OTHER, "2023-08")];
        let closed = [(0, "period_closed")];
        for state in [None, Some(ReportState::Returned)] {
            let locks = locks(state, true);
            let at = after_lock();
            assert_eq!(
                codes(
                    &rows,
                    &locks,
                    WriterRole::Reporter,
                    Scope::Subtree(WARD),
                    at
                ),
                closed
            );
            assert_eq!(
                codes(&rows, &locks, WriterRole::Token, Scope::Subtree(CITY), at),
                closed
            );
            // A manager of the ward itself is no reviewer of it.
            assert_eq!(
                codes(&rows, &locks, WriterRole::Manager, Scope::Subtree(WARD), at),
                closed
            );
            assert!(codes(&rows, &locks, WriterRole::Manager, Scope::Subtree(CITY), at).is_empty());
            assert!(codes(&rows, &locks, WriterRole::Admin, Scope::All, at).is_empty());
        }
    }

    #[test]
    fn a_unit_the_set_does_not_expect_has_no_deadline_lock() {
        let rows = [row(0, IN_SET, "2023-08")];
        let locks = locks(None, false);
        assert!(
            codes(
                &rows,
                &locks,
                WriterRole::Reporter,
                Scope::Subtree(WARD),
                after_lock()
            )
            .is_empty()
        );
    }
}
