//! The write plan of a checked set, worked out before anything is written: which rows are
//! inserted, overwritten or deleted, each touched (unit, element) chain's new `next_end`s,
//! and the roll-up deltas (old contribution out, new in). Pure.

use std::collections::{BTreeMap, BTreeSet};

use chitieu_domain::Period;

use super::{
    audit_trail::Change,
    checks::{Checked, Columns, Histories},
};
use crate::{DataElementId, DataValueId, OrgUnitId, rollup};

/// A row to insert or overwrite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Upsert {
    pub unit_id: OrgUnitId,
    pub element_id: DataElementId,
    pub period: Period,
    pub num: Option<i64>,
    pub text: Option<String>,
    pub state: Option<chitieu_domain::FigureState>,
    pub comment: Option<String>,
    pub next_end: i32,
}

/// How the set's rows compare with what is stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Values that did not exist before.
    pub imported: u64,
    /// Values that existed and changed (value, state or comment).
    pub updated: u64,
    /// Values that existed unchanged (and deletions of values that did not exist).
    pub unchanged: u64,
    /// Values deleted.
    pub deleted: u64,
}

/// Everything a set changes.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub counts: Counts,
    pub upserts: Vec<Upsert>,
    pub deletes: Vec<DataValueId>,
    /// (row id, new next_end) of stored rows whose successor changed.
    pub next_end_updates: Vec<(DataValueId, i32)>,
    pub deltas: Vec<rollup::Delta>,
    /// The (unit, period) pairs whose figures changed: the validation rules to re-check.
    pub touched: BTreeSet<(OrgUnitId, Period)>,
    pub changes: Vec<Change>,
}

/// One period of a group as it will stand after the set.
struct Slot {
    /// Stored row id and its current `next_end`, if it is stored already.
    stored: Option<(DataValueId, i32)>,
    /// Value before and after.
    old_num: Option<i64>,
    new_num: Option<i64>,
    /// Index into `checked` when the set writes this slot.
    written: Option<usize>,
}

fn delta(
    unit_id: OrgUnitId,
    element_id: DataElementId,
    period: Period,
    next_end: i32,
    value: i64,
    count: i64,
) -> rollup::Delta {
    rollup::Delta {
        unit_id,
        element_id,
        start: period.start().index(),
        end: period.end().index(),
        next_end,
        value,
        count,
    }
}

/// Plans the writes of `checked` (rows that passed every check) over the `stored` histories
/// of their (unit, element) pairs.
pub(crate) fn plan_writes(checked: &[Checked], stored: &Histories) -> Plan {
    let mut plan = Plan::default();
    let mut groups: BTreeMap<(OrgUnitId, DataElementId), Vec<usize>> = BTreeMap::new();
    for (i, c) in checked.iter().enumerate() {
        groups.entry((c.unit_id, c.element_id)).or_default().push(i);
    }
    for ((unit_id, element_id), members) in groups {
        let rows = stored
            .get(&(unit_id, element_id))
            .map_or(&[][..], Vec::as_slice);
        let mut slots: BTreeMap<Period, Slot> = rows
            .iter()
            .map(|r| {
                (
                    r.period,
                    Slot {
                        stored: Some((r.id, r.next_end)),
                        old_num: r.num,
                        new_num: r.num,
                        written: None,
                    },
                )
            })
            .collect();
        let mut chain_changed = false;
        for i in members {
            let c = &checked[i];
            let existing = rows.iter().find(|r| r.period == c.period);
            match (&c.value, existing) {
                (None, None) => plan.counts.unchanged += 1,
                (None, Some(r)) => {
                    plan.counts.deleted += 1;
                    plan.deletes.push(r.id);
                    plan.changes.push(Change {
                        unit_id,
                        element_id,
                        period: r.period,
                        old: Some(r.columns()),
                        new: None,
                    });
                    if let Some(n) = r.num {
                        plan.deltas
                            .push(delta(unit_id, element_id, r.period, r.next_end, n, -1));
                    }
                    plan.touched.insert((unit_id, c.period));
                    slots.remove(&c.period);
                    chain_changed = true;
                }
                (Some(v), existing) => {
                    let s = Columns::of(v);
                    if let Some(r) = existing {
                        if r.columns() == s && r.comment == c.comment {
                            plan.counts.unchanged += 1;
                            continue;
                        }
                        plan.counts.updated += 1;
                    } else {
                        plan.counts.imported += 1;
                        chain_changed = true;
                    }
                    plan.touched.insert((unit_id, c.period));
                    plan.changes.push(Change {
                        unit_id,
                        element_id,
                        period: c.period,
                        old: existing.map(super::checks::StoredRow::columns),
                        new: Some(s.clone()),
                    });
                    let slot = slots.entry(c.period).or_insert(Slot {
                        stored: None,
                        old_num: None,
                        new_num: None,
                        written: None,
                    });
                    slot.new_num = s.num;
                    slot.written = Some(i);
                }
            }
        }
        // Walk the group's periods from the latest back: each one's successor is known.
        let mut next_end = rollup::NO_NEXT;
        for (period, slot) in slots.iter().rev() {
            let new_next = next_end;
            next_end = period.end().index();
            let old_next = slot.stored.map(|(_, ne)| ne);
            if let Some(i) = slot.written {
                let c = &checked[i];
                let s = c.value.as_ref().map(Columns::of).unwrap_or_default();
                if let (Some(n), Some(ne)) = (slot.old_num, old_next) {
                    plan.deltas
                        .push(delta(unit_id, element_id, *period, ne, n, -1));
                }
                if let Some(n) = slot.new_num {
                    plan.deltas
                        .push(delta(unit_id, element_id, *period, new_next, n, 1));
                }
                plan.upserts.push(Upsert {
                    unit_id,
                    element_id,
                    period: *period,
                    num: s.num,
                    text: s.text,
                    state: s.state,
                    comment: c.comment.clone(),
                    next_end: new_next,
                });
            } else if chain_changed
                && let Some((id, ne)) = slot.stored
                && ne != new_next
            {
                plan.next_end_updates.push((id, new_next));
                if let Some(n) = slot.old_num {
                    plan.deltas
                        .push(delta(unit_id, element_id, *period, ne, n, -1));
                    plan.deltas
                        .push(delta(unit_id, element_id, *period, new_next, n, 1));
                }
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::{BTreeMap, HashMap};

    use chitieu_domain::{Figure, FigureState, Month, Value as DomainValue};
    use proptest::prelude::*;

    use super::*;
    use crate::submission::{
        Conflict,
        checks::{self, StoredRow},
    };

    const U1: OrgUnitId = OrgUnitId::new(1);
    const U2: OrgUnitId = OrgUnitId::new(2);
    const E1: DataElementId = DataElementId::new(10);
    const E2: DataElementId = DataElementId::new(20);

    /// Months of 2023 counted from 0, inclusive.
    fn p(start: i32, end: i32) -> Period {
        let m = |i: i32| Month::new(2023, u32::try_from(i + 1).unwrap()).unwrap();
        Period::from_months(m(start), m(end)).unwrap()
    }

    fn end(period: Period) -> i32 {
        period.end().index()
    }

    fn stored(id: i64, period: Period, num: i64, next_end: i32) -> StoredRow {
        StoredRow {
            id: DataValueId::new(id),
            period,
            next_end,
            num: Some(num),
            text: None,
            state: None,
            comment: None,
        }
    }

    fn row(index: usize, period: Period, value: Option<i64>) -> Checked {
        Checked {
            index,
            unit_id: U1,
            element_id: E1,
            period,
            value: value.map(|v| Figure::Value(DomainValue::Integer(v))),
            comment: None,
        }
    }

    fn history(rows: Vec<StoredRow>) -> Histories {
        Histories::from([((U1, E1), rows)])
    }

    /// A roll-up key (unit, element, start, end, next_end) and its (sum, count).
    type Sums = BTreeMap<(OrgUnitId, DataElementId, i32, i32, i32), (i64, i64)>;

    /// A stored row by id: its key, figure and next_end.
    type ById = HashMap<DataValueId, ((OrgUnitId, DataElementId, Period), Fig, i32)>;

    /// The deltas summed by roll-up key, zero sums dropped.
    fn summed(deltas: &[rollup::Delta]) -> Sums {
        let mut out: BTreeMap<_, (i64, i64)> = BTreeMap::new();
        for d in deltas {
            let e = out
                .entry((d.unit_id, d.element_id, d.start, d.end, d.next_end))
                .or_default();
            e.0 += d.value * d.count;
            e.1 += d.count;
        }
        out.retain(|_, v| *v != (0, 0));
        out
    }

    #[test]
    fn a_first_figure_has_no_successor() {
        let plan = plan_writes(&[row(0, p(0, 2), Some(5))], &Histories::new());
        assert_eq!(plan.counts.imported, 1);
        assert_eq!(plan.upserts.len(), 1);
        assert_eq!(plan.upserts[0].next_end, rollup::NO_NEXT);
        assert!(plan.next_end_updates.is_empty());
        assert_eq!(
            summed(&plan.deltas),
            BTreeMap::from([(
                (
                    U1,
                    E1,
                    p(0, 2).start().index(),
                    end(p(0, 2)),
                    rollup::NO_NEXT
                ),
                (5, 1)
            )])
        );
    }

    #[test]
    fn a_later_period_moves_its_predecessor_to_a_new_next_end() {
        let q1 = p(0, 2);
        let q2 = p(3, 5);
        let plan = plan_writes(
            &[row(0, q2, Some(7))],
            &history(vec![stored(1, q1, 5, rollup::NO_NEXT)]),
        );
        assert_eq!(plan.next_end_updates, [(DataValueId::new(1), end(q2))]);
        assert_eq!(plan.upserts[0].next_end, rollup::NO_NEXT);
        let s = q1.start().index();
        assert_eq!(
            summed(&plan.deltas),
            BTreeMap::from([
                ((U1, E1, s, end(q1), end(q2)), (5, 1)),
                ((U1, E1, s, end(q1), rollup::NO_NEXT), (-5, -1)),
                (
                    (U1, E1, q2.start().index(), end(q2), rollup::NO_NEXT),
                    (7, 1)
                ),
            ])
        );
    }

    #[test]
    fn an_earlier_period_leaves_its_successor_alone() {
        let plan = plan_writes(
            &[row(0, p(0, 2), Some(7))],
            &history(vec![stored(1, p(3, 5), 5, rollup::NO_NEXT)]),
        );
        assert!(plan.next_end_updates.is_empty());
        assert_eq!(plan.upserts[0].next_end, end(p(3, 5)));
    }

    #[test]
    fn deleting_the_middle_links_its_neighbours() {
        let (a, b, c) = (p(0, 0), p(1, 1), p(2, 2));
        let plan = plan_writes(
            &[row(0, b, None)],
            &history(vec![
                stored(1, a, 1, end(b)),
                stored(2, b, 2, end(c)),
                stored(3, c, 3, rollup::NO_NEXT),
            ]),
        );
        assert_eq!(plan.counts.deleted, 1);
        assert_eq!(plan.deletes, [DataValueId::new(2)]);
        assert_eq!(plan.next_end_updates, [(DataValueId::new(1), end(c))]);
        assert!(plan.upserts.is_empty());
    }

    #[test]
    fn a_correction_replaces_a_quarter_by_its_months() {
        let q1 = p(0, 2);
        let plan = plan_writes(
            &[
                row(0, q1, None),
                row(1, p(0, 0), Some(1)),
                row(2, p(1, 1), Some(2)),
                row(3, p(2, 2), Some(3)),
            ],
            &history(vec![stored(9, q1, 6, rollup::NO_NEXT)]),
        );
        assert_eq!((plan.counts.deleted, plan.counts.imported), (1, 3));
        let next: Vec<(Period, i32)> = plan
            .upserts
            .iter()
            .map(|u| (u.period, u.next_end))
            .collect();
        assert_eq!(
            next,
            [
                (p(2, 2), rollup::NO_NEXT),
                (p(1, 1), end(p(2, 2))),
                (p(0, 0), end(p(1, 1)))
            ]
        );
    }

    #[test]
    fn an_unchanged_figure_writes_nothing() {
        let plan = plan_writes(
            &[row(0, p(0, 2), Some(5)), row(1, p(3, 5), None)],
            &history(vec![stored(1, p(0, 2), 5, rollup::NO_NEXT)]),
        );
        assert_eq!(plan.counts.unchanged, 2);
        assert!(plan.upserts.is_empty() && plan.deletes.is_empty() && plan.deltas.is_empty());
        assert!(plan.touched.is_empty() && plan.changes.is_empty());
    }

    // ---- Property test against a naive model ----

    /// A figure as the naive model keeps it.
    #[derive(Clone, Debug, PartialEq, Eq)]
    struct Fig {
        num: Option<i64>,
        text: Option<String>,
        state: Option<FigureState>,
        comment: Option<String>,
    }

    type Table = BTreeMap<(OrgUnitId, DataElementId, Period), Fig>;

    /// The next_end of `period` among `periods`: the end of the earliest period starting
    /// after it ends, found by looking at every other period.
    fn naive_next_end(period: Period, periods: &[Period]) -> i32 {
        periods
            .iter()
            .filter(|q| q.start() > period.end())
            .map(|q| end(*q))
            .min()
            .unwrap_or(rollup::NO_NEXT)
    }

    fn with_next_ends(table: &Table) -> BTreeMap<(OrgUnitId, DataElementId, Period), (Fig, i32)> {
        table
            .iter()
            .map(|(&(u, e, period), fig)| {
                let same: Vec<Period> = table
                    .keys()
                    .filter(|k| k.0 == u && k.1 == e)
                    .map(|k| k.2)
                    .collect();
                ((u, e, period), (fig.clone(), naive_next_end(period, &same)))
            })
            .collect()
    }

    /// Each numeric figure's roll-up contribution, by key.
    fn contributions(table: &Table) -> Sums {
        let mut out = BTreeMap::new();
        for ((u, e, period), (fig, next)) in with_next_ends(table) {
            if let Some(n) = fig.num {
                out.insert((u, e, period.start().index(), end(period), next), (n, 1));
            }
        }
        out
    }

    fn figure(value: &Option<Figure>, comment: &Option<String>) -> Option<Fig> {
        value.as_ref().map(|v| {
            let s = Columns::of(v);
            Fig {
                num: s.num,
                text: s.text,
                state: s.state,
                comment: comment.clone(),
            }
        })
    }

    /// Drops conflicting rows until the set would pass the checks.
    fn without_conflicts(mut rows: Vec<Checked>, stored: &Histories) -> Vec<Checked> {
        loop {
            let mut conflicts: Vec<Conflict> = Vec::new();
            checks::sweep_set(&rows, &mut conflicts);
            checks::overlap_stored(&rows, stored, &mut conflicts);
            if conflicts.is_empty() {
                return rows;
            }
            rows.retain(|r| !conflicts.iter().any(|c| c.index == r.index));
        }
    }

    fn arb_value() -> impl Strategy<Value = Option<Figure>> {
        prop_oneof![
            2 => Just(None),
            5 => (-3i64..4).prop_map(|n| Some(Figure::Value(DomainValue::Integer(n)))),
            1 => prop::sample::select(vec!["a", "b"]).prop_map(|t| Some(Figure::Value(DomainValue::Text(t.into())))),
            2 => prop::sample::select(FigureState::ALL.to_vec()).prop_map(|s| Some(Figure::State(s))),
        ]
    }

    fn arb_period() -> impl Strategy<Value = Period> {
        (0i32..12, 0i32..3).prop_map(|(s, len)| p(s, (s + len).min(11)))
    }

    /// A stored history: consecutive segments of the year, each stored or not (a number,
    /// else a text or a state).
    fn arb_history() -> impl Strategy<Value = Vec<(Period, Option<i64>)>> {
        prop::collection::vec(
            (1i32..4, prop::option::of(prop::option::of(-3i64..4))),
            1..8,
        )
        .prop_map(|segments| {
            let mut at = 0;
            let mut out = Vec::new();
            for (len, stored) in segments {
                if at > 11 {
                    break;
                }
                let period = p(at, (at + len - 1).min(11));
                at += len;
                if let Some(num) = stored {
                    out.push((period, num));
                }
            }
            out
        })
    }

    fn arb_case() -> impl Strategy<Value = (Table, Histories, Vec<Checked>)> {
        let groups = [(U1, E1), (U1, E2), (U2, E1)];
        (
            prop::collection::vec(arb_history(), 3),
            prop::collection::vec(
                (
                    0usize..3,
                    arb_period(),
                    arb_value(),
                    prop::option::of(Just("c".to_owned())),
                ),
                0..14,
            ),
            prop::collection::vec((0usize..3, 0usize..8, arb_value()), 0..6),
        )
            .prop_map(move |(histories, fresh, rewrites)| {
                let mut table = Table::new();
                for (g, history) in histories.into_iter().enumerate() {
                    let (u, e) = groups[g];
                    for (i, (period, num)) in history.into_iter().enumerate() {
                        let fig = match num {
                            Some(n) => Fig {
                                num: Some(n),
                                text: None,
                                state: None,
                                comment: None,
                            },
                            None if i % 2 == 0 => Fig {
                                num: None,
                                text: Some("t".into()),
                                state: None,
                                comment: None,
                            },
                            None => Fig {
                                num: None,
                                text: None,
                                state: Some(FigureState::Pending),
                                comment: None,
                            },
                        };
                        table.insert((u, e, period), fig);
                    }
                }
                let mut stored = Histories::new();
                for (i, ((u, e, period), (fig, next))) in
                    with_next_ends(&table).into_iter().enumerate()
                {
                    stored.entry((u, e)).or_default().push(StoredRow {
                        id: DataValueId::new(i64::try_from(i).unwrap() + 1),
                        period,
                        next_end: next,
                        num: fig.num,
                        text: fig.text,
                        state: fig.state,
                        comment: fig.comment,
                    });
                }
                let mut rows = Vec::new();
                for (g, period, value, comment) in fresh {
                    let (u, e) = groups[g];
                    rows.push((u, e, period, value, comment));
                }
                // Rows naming stored periods exactly: updates, repeats and deletions.
                for (g, k, value) in rewrites {
                    let (u, e) = groups[g];
                    if let Some(r) = stored.get(&(u, e)).and_then(|h| h.get(k % h.len())) {
                        rows.push((u, e, r.period, value, None));
                    }
                }
                let rows = rows
                    .into_iter()
                    .enumerate()
                    .map(
                        |(index, (unit_id, element_id, period, value, comment))| Checked {
                            index,
                            unit_id,
                            element_id,
                            period,
                            value,
                            comment,
                        },
                    )
                    .collect();
                (table, stored, rows)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn the_plan_matches_the_naive_model((table, stored, rows) in arb_case()) {
            let rows = without_conflicts(rows, &stored);
            let plan = plan_writes(&rows, &stored);

            // The model: apply each row to the table, counting.
            let mut expected = table.clone();
            let mut counts = Counts::default();
            let mut touched = BTreeSet::new();
            for r in &rows {
                let key = (r.unit_id, r.element_id, r.period);
                let before = table.get(&key);
                match (figure(&r.value, &r.comment), before) {
                    (None, None) => counts.unchanged += 1,
                    (None, Some(_)) => {
                        counts.deleted += 1;
                        expected.remove(&key);
                        touched.insert((r.unit_id, r.period));
                    }
                    (Some(new), Some(old)) if &new == old => counts.unchanged += 1,
                    (Some(new), old) => {
                        if old.is_some() { counts.updated += 1 } else { counts.imported += 1 }
                        expected.insert(key, new);
                        touched.insert((r.unit_id, r.period));
                    }
                }
            }
            prop_assert_eq!(plan.counts, counts);
            prop_assert_eq!(&plan.touched, &touched);
            prop_assert_eq!(plan.changes.len() as u64, counts.imported + counts.updated + counts.deleted);

            // Apply the plan to the stored rows as the SQL does: deletes, upserts, next_ends.
            let mut by_id: ById = stored
                .iter()
                .flat_map(|(&(u, e), rows)| rows.iter().map(move |r| {
                    (r.id, ((u, e, r.period), Fig { num: r.num, text: r.text.clone(), state: r.state, comment: r.comment.clone() }, r.next_end))
                }))
                .collect();
            for id in &plan.deletes {
                prop_assert!(by_id.remove(id).is_some(), "deletes a stored row");
            }
            let mut next_id = 1_000;
            for u in &plan.upserts {
                let key = (u.unit_id, u.element_id, u.period);
                let fig = Fig { num: u.num, text: u.text.clone(), state: u.state, comment: u.comment.clone() };
                match by_id.iter_mut().find(|(_, v)| v.0 == key) {
                    Some((_, v)) => *v = (key, fig, u.next_end),
                    None => {
                        next_id += 1;
                        by_id.insert(DataValueId::new(next_id), (key, fig, u.next_end));
                    }
                }
            }
            for (id, ne) in &plan.next_end_updates {
                let row = by_id.get_mut(id);
                prop_assert!(row.is_some(), "updates a row still stored");
                if let Some(row) = row { row.2 = *ne; }
            }
            let stored_after: BTreeMap<_, _> = by_id.into_values().map(|(k, f, ne)| (k, (f, ne))).collect();
            prop_assert_eq!(&stored_after, &with_next_ends(&expected));

            // The roll-up moves by exactly the difference of the contributions.
            let mut diff = contributions(&expected);
            for (k, (v, c)) in contributions(&table) {
                let e = diff.entry(k).or_default();
                e.0 -= v;
                e.1 -= c;
            }
            diff.retain(|_, v| *v != (0, 0));
            prop_assert_eq!(summed(&plan.deltas), diff);
        }
    }
}
