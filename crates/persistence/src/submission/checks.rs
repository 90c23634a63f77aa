//! The rules a set must pass before anything is written, as pure functions over the parsed
//! rows and the state loaded for them: the scope refusal, the value checks, the sweep of the
//! set's own periods and the overlap with stored periods.
//!
//! *Architecture invariant*: a (unit, element) never holds two figures whose periods overlap
//! without being equal, so no month is ever counted twice by an aggregate.

use std::collections::{HashMap, HashSet};

use chitieu_domain::{Figure, FigureState, Period};

use super::{Conflict, RawValue, conflict, parse::Parsed};
use crate::{DataElementId, DataValueId, OrgUnitId, catalogue::StoredDataElement};

/// A row that passed every check of its own: ids resolved, value checked (`None` deletes; a
/// state is stored like a value that holds no number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Checked {
    pub index: usize,
    pub unit_id: OrgUnitId,
    pub element_id: DataElementId,
    pub period: Period,
    pub value: Option<Figure>,
    pub comment: Option<String>,
}

/// The storage columns of a figure: a value's number or text, or a state with neither.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    pub num: Option<i64>,
    pub text: Option<String>,
    pub state: Option<FigureState>,
}

impl Columns {
    pub(crate) fn of(figure: &Figure) -> Self {
        match figure {
            Figure::Value(v) => {
                let s = v.to_stored();
                Self {
                    num: s.num,
                    text: s.text,
                    state: None,
                }
            }
            Figure::State(state) => Self {
                state: Some(*state),
                ..Self::default()
            },
        }
    }
}

/// A stored figure of a (unit, element) the set touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredRow {
    pub id: DataValueId,
    pub period: Period,
    pub next_end: i32,
    pub num: Option<i64>,
    pub text: Option<String>,
    pub state: Option<FigureState>,
    pub comment: Option<String>,
}

impl StoredRow {
    /// Its storage columns.
    pub(crate) fn columns(&self) -> Columns {
        Columns {
            num: self.num,
            text: self.text.clone(),
            state: self.state,
        }
    }
}

/// The stored history of each (unit, element) the set names.
pub(crate) type Histories = HashMap<(OrgUnitId, DataElementId), Vec<StoredRow>>;

/// What the checks read, loaded before they run.
pub(crate) struct Loaded<'a> {
    /// Org unit ids by code (the codes that exist).
    pub units: &'a HashMap<String, OrgUnitId>,
    /// Data elements by code (the codes that exist).
    pub elements: &'a HashMap<String, StoredDataElement>,
    /// Stored figures of the named (unit, element) pairs.
    pub stored: &'a Histories,
}

/// The refusal of a whole set when it names units outside the caller's scope: every such
/// code, sorted. `None` when every unit is `allowed`.
pub(crate) fn scope_refusal(
    units: &HashMap<String, OrgUnitId>,
    allowed: &HashSet<OrgUnitId>,
) -> Option<String> {
    let mut refused: Vec<&str> = units
        .iter()
        .filter(|(_, id)| !allowed.contains(id))
        .map(|(code, _)| code.as_str())
        .collect();
    if refused.is_empty() {
        return None;
    }
    refused.sort_unstable();
    Some(format!(
        "you may not write figures for org unit(s) {}",
        refused.join(", ")
    ))
}

/// The (unit, element) pairs of the rows whose codes both exist: the histories to load.
pub(crate) fn named_pairs(
    parsed: &[Parsed<'_>],
    units: &HashMap<String, OrgUnitId>,
    elements: &HashMap<String, StoredDataElement>,
) -> HashSet<(OrgUnitId, DataElementId)> {
    parsed
        .iter()
        .filter_map(|p| {
            Some((
                *units.get(p.unit.as_str())?,
                elements.get(p.element.as_str())?.id,
            ))
        })
        .collect()
}

/// Checks every parsed row against the loaded state, appending conflicts to `conflicts` in
/// the order of the checks (values, then the set's own periods, then stored periods). The
/// set may be written only when no conflict was found at all.
pub(crate) fn check(
    parsed: Vec<Parsed<'_>>,
    loaded: &Loaded<'_>,
    conflicts: &mut Vec<Conflict>,
) -> Vec<Checked> {
    let checked = check_values(parsed, loaded, conflicts);
    sweep_set(&checked, conflicts);
    overlap_stored(&checked, loaded.stored, conflicts);
    checked
}

/// Unknown unit or element, then the value against the element's type.
fn check_values(
    parsed: Vec<Parsed<'_>>,
    loaded: &Loaded<'_>,
    conflicts: &mut Vec<Conflict>,
) -> Vec<Checked> {
    let mut checked = Vec::with_capacity(parsed.len());
    for p in parsed {
        let Some(&unit_id) = loaded.units.get(p.unit.as_str()) else {
            conflicts.push(conflict(
                p.index,
                "unknown_org_unit",
                format!("org unit '{}' does not exist", p.unit),
            ));
            continue;
        };
        let Some(element) = loaded.elements.get(p.element.as_str()) else {
            conflicts.push(conflict(
                p.index,
                "unknown_data_element",
                format!("data element '{}' does not exist", p.element),
            ));
            continue;
        };
        let value_type = element.element.value_type;
        let value = match (p.state, p.raw) {
            // A state holds no value, whatever the element's type.
            (Some(state), _) => Ok(Some(Figure::State(state))),
            (None, RawValue::Delete) => Ok(None),
            (None, RawValue::Json(input)) => {
                value_type.check_json(input).map(|v| Some(Figure::Value(v)))
            }
            (None, RawValue::Csv(cell)) => {
                value_type.check_csv(cell).map(|v| Some(Figure::Value(v)))
            }
            (None, RawValue::Unsupported(kind)) => {
                conflicts.push(conflict(
                    p.index,
                    "invalid_value",
                    format!("{}: expected a {} value, got {kind}", p.element, value_type),
                ));
                continue;
            }
        };
        match value {
            Ok(value) => checked.push(Checked {
                index: p.index,
                unit_id,
                element_id: element.id,
                period: p.period,
                value,
                comment: p.comment,
            }),
            Err(e) => conflicts.push(conflict(p.index, e.code(), format!("{}: {e}", p.element))),
        }
    }
    checked
}

/// Rows of the same set must not collide with each other. Per (unit, element): the stored
/// values are swept once in period order, remembering the row that reaches furthest (an equal
/// period is a duplicate, an overlapping one a double count); then any other row giving a
/// period a row before it already gives is a duplicate too. Deleting one period while storing
/// an overlapping one is a correction, not a double count.
pub(super) fn sweep_set(checked: &[Checked], conflicts: &mut Vec<Conflict>) {
    let mut groups: HashMap<(OrgUnitId, DataElementId), Vec<usize>> = HashMap::new();
    for (i, c) in checked.iter().enumerate() {
        groups.entry((c.unit_id, c.element_id)).or_default().push(i);
    }
    let duplicate = |earlier: &Checked, later: &Checked| {
        conflict(
            later.index,
            "duplicate_data_value",
            format!(
                "row {} already gives this value for {}",
                earlier.index, later.period
            ),
        )
    };
    for members in groups.values_mut() {
        members.sort_by_key(|&i| (checked[i].period, checked[i].index));
        let mut reach: Option<usize> = None;
        for &i in members.iter().filter(|&&i| checked[i].value.is_some()) {
            if let Some(r) = reach {
                let (a, b) = (&checked[r], &checked[i]);
                let (earlier, later) = if a.index < b.index { (a, b) } else { (b, a) };
                if a.period == b.period {
                    conflicts.push(duplicate(earlier, later));
                } else if a.period.overlaps(&b.period) {
                    conflicts.push(conflict(
                        later.index,
                        "overlapping_period",
                        format!(
                            "{} overlaps {} given by row {} for the same unit and element",
                            later.period, earlier.period, earlier.index
                        ),
                    ));
                }
            }
            if reach.is_none_or(|r| checked[i].period.end() > checked[r].period.end()) {
                reach = Some(i);
            }
        }
        // Equal periods where a deletion is involved (two stored values are reported above).
        for run in members.chunk_by(|&a, &b| checked[a].period == checked[b].period) {
            let first = &checked[run[0]];
            for &i in &run[1..] {
                if first.value.is_none() || checked[i].value.is_none() {
                    conflicts.push(duplicate(first, &checked[i]));
                }
            }
        }
    }
}

/// A new value whose period overlaps a stored, non-equal period is refused, unless the same
/// set deletes that stored row.
pub(super) fn overlap_stored(
    checked: &[Checked],
    stored: &Histories,
    conflicts: &mut Vec<Conflict>,
) {
    let deleted_here: HashSet<DataValueId> = checked
        .iter()
        .filter(|c| c.value.is_none())
        .filter_map(|c| {
            stored
                .get(&(c.unit_id, c.element_id))
                .and_then(|rows| rows.iter().find(|r| r.period == c.period))
                .map(|r| r.id)
        })
        .collect();
    for c in checked.iter().filter(|c| c.value.is_some()) {
        let clash = stored.get(&(c.unit_id, c.element_id)).and_then(|rows| {
            rows.iter()
                .find(|r| r.period.conflicts_with(&c.period) && !deleted_here.contains(&r.id))
        });
        if let Some(r) = clash {
            conflicts.push(conflict(
                c.index,
                "overlapping_period",
                format!(
                    "a value for {} is already stored for this unit and element; {} overlaps it",
                    r.period, c.period
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chitieu_domain::{Month, Value as DomainValue};

    use super::*;

    fn p(start: u32, end: u32) -> Period {
        Period::from_months(
            Month::new(2023, start).unwrap(),
            Month::new(2023, end).unwrap(),
        )
        .unwrap()
    }

    fn row(index: usize, period: Period, value: Option<i64>) -> Checked {
        Checked {
            index,
            unit_id: OrgUnitId::new(1),
            element_id: DataElementId::new(1),
            period,
            value: value.map(|v| Figure::Value(DomainValue::Integer(v))),
            comment: None,
        }
    }

    fn swept(rows: &[Checked]) -> Vec<(usize, &'static str, String)> {
        let mut conflicts = Vec::new();
        sweep_set(rows, &mut conflicts);
        conflicts.sort_by_key(|c| c.index);
        conflicts
            .into_iter()
            .map(|c| (c.index, c.code, c.message))
            .collect()
    }

    #[test]
    fn the_scope_refusal_names_every_refused_unit_in_order() {
        let units = HashMap::from([
            ("VT-P8".to_owned(), OrgUnitId::new(8)),
            ("VT-P1".to_owned(), OrgUnitId::new(1)),
            ("VT-P2".to_owned(), OrgUnitId::new(2)),
        ]);
        let allowed = HashSet::from([OrgUnitId::new(1)]);
        assert_eq!(
            scope_refusal(&units, &allowed).as_deref(),
            Some("you may not write figures for org unit(s) VT-P2, VT-P8")
        );
        assert_eq!(
            scope_refusal(&units, &units.values().copied().collect()),
            None
        );
    }

    #[test]
    fn the_set_may_not_give_a_period_twice_or_overlap_itself() {
        let rows = [
            row(0, p(1, 3), Some(1)),
            row(1, p(1, 3), Some(2)),
            row(2, p(3, 4), Some(3)),
            row(3, p(7, 7), Some(4)),
        ];
        assert_eq!(
            swept(&rows),
            [
                (
                    1,
                    "duplicate_data_value",
                    "row 0 already gives this value for 2023Q1".into()
                ),
                (
                    2,
                    "overlapping_period",
                    "2023-03/2023-04 overlaps 2023Q1 given by row 0 for the same unit and element"
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn a_correction_deletes_a_period_and_stores_its_parts() {
        let rows = [
            row(0, p(1, 3), None),
            row(1, p(1, 1), Some(1)),
            row(2, p(2, 2), Some(2)),
            row(3, p(3, 3), Some(3)),
        ];
        assert!(swept(&rows).is_empty());
    }

    #[test]
    fn a_deletion_does_not_hide_a_duplicate_or_an_overlap_behind_it() {
        // The deletion of Jan–Feb reaches furthest; the two stores of Feb still collide.
        let rows = [
            row(0, p(1, 2), None),
            row(1, p(2, 2), Some(1)),
            row(2, p(2, 2), Some(2)),
        ];
        assert_eq!(swept(&rows)[0].0, 2);
        assert_eq!(swept(&rows)[0].1, "duplicate_data_value");
        // Nor may the same period be deleted twice.
        let rows = [
            row(0, p(1, 2), None),
            row(1, p(2, 2), None),
            row(2, p(2, 2), None),
        ];
        assert_eq!(swept(&rows).len(), 1);
        // Stores of Jan–Apr and Mar overlap even with a deletion of Feb–Aug between them.
        let rows = [
            row(0, p(1, 4), Some(1)),
            row(1, p(2, 8), None),
            row(2, p(3, 3), Some(2)),
        ];
        assert_eq!(
            swept(&rows).iter().map(|c| (c.0, c.1)).collect::<Vec<_>>(),
            [(2, "overlapping_period")]
        );
    }

    #[test]
    fn a_stored_period_blocks_an_overlapping_one_unless_the_set_deletes_it() {
        let stored = Histories::from([(
            (OrgUnitId::new(1), DataElementId::new(1)),
            vec![StoredRow {
                id: DataValueId::new(5),
                period: p(1, 3),
                next_end: i32::MAX,
                num: Some(1),
                text: None,
                state: None,
                comment: None,
            }],
        )]);
        let mut conflicts = Vec::new();
        overlap_stored(
            &[row(0, p(2, 2), Some(1)), row(1, p(1, 3), Some(9))],
            &stored,
            &mut conflicts,
        );
        assert_eq!(conflicts.len(), 1, "an equal period is an update");
        assert_eq!(
            conflicts[0].message,
            "a value for 2023Q1 is already stored for this unit and element; 2023-02 overlaps it"
        );
        conflicts.clear();
        overlap_stored(
            &[row(0, p(2, 2), Some(1)), row(1, p(1, 3), None)],
            &stored,
            &mut conflicts,
        );
        assert!(conflicts.is_empty());
    }
}
