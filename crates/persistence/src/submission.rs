//! Storing a data value set: every row is checked, then the whole set is written with
//! batched set-based upserts, or nothing is written at all.
//!
//! *Architecture invariant*: a (unit, element) never holds two figures whose periods overlap
//! without being equal, so no month is ever counted twice by an aggregate.

use std::collections::{BTreeSet, HashMap, HashSet};

use chitieu_domain::{
    DataElementCode, OrgUnitCode, Period, Value as DomainValue, ValueInput, text::nfc,
};
use sea_orm::{ConnectionTrait, Value};

use crate::{
    PersistenceError, Scope,
    catalogue::{self, period},
    now_micros, org_units, rollup,
    sql::{self, get, placeholders},
    validation::{self, Selection, Violation},
};

/// Longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// The value of a submitted row, as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawValue {
    /// A JSON value (typed).
    Json(ValueInput),
    /// A CSV cell (text, parsed according to the element's value type).
    Csv(String),
    /// `null` or an empty CSV cell: delete the stored value.
    Delete,
    /// A JSON value of a kind no element accepts (array, object); the text says which.
    Unsupported(&'static str),
}

/// One submitted row, with the set's defaults already applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRow {
    /// Org unit code, if any was given.
    pub org_unit: Option<String>,
    /// Period, if any was given.
    pub period: Option<String>,
    /// Data element code.
    pub data_element: String,
    /// The value.
    pub value: RawValue,
    /// Optional comment.
    pub comment: Option<String>,
}

/// Why one row was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// Position of the row in the submitted list (CSV: data row counted from 0).
    pub index: usize,
    /// Stable code, e.g. `overlapping_period`.
    pub code: &'static str,
    /// Explanation.
    pub message: String,
}

/// One stored figure that changed, for the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueChange {
    /// Org unit id.
    pub org_unit_id: i64,
    /// Data element id.
    pub data_element_id: i64,
    /// Period.
    pub period: Period,
    /// Previous value (display form), if any.
    pub old: Option<String>,
    /// New value (display form), `None` for a deletion.
    pub new: Option<String>,
}

/// What storing (or trying to store) a set did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubmissionOutcome {
    /// Values that did not exist before.
    pub imported: u64,
    /// Values that existed and changed (value or comment).
    pub updated: u64,
    /// Values that existed unchanged (and deletions of values that did not exist).
    pub unchanged: u64,
    /// Values deleted.
    pub deleted: u64,
    /// Rows refused; when not empty nothing was written.
    pub conflicts: Vec<Conflict>,
    /// Validation rules the stored figures now break.
    pub violations: Vec<Violation>,
    /// Every change made, in row order.
    pub changes: Vec<ValueChange>,
}

struct Parsed<'a> {
    index: usize,
    unit: OrgUnitCode,
    element: DataElementCode,
    period: Period,
    raw: &'a RawValue,
    comment: Option<String>,
}

struct Checked {
    index: usize,
    unit_id: i64,
    element_id: i64,
    period: Period,
    value: Option<DomainValue>,
    comment: Option<String>,
}

struct StoredRow {
    id: i64,
    period: Period,
    num: Option<i64>,
    text: Option<String>,
    comment: Option<String>,
}

fn conflict(index: usize, code: &'static str, message: impl Into<String>) -> Conflict {
    Conflict {
        index,
        code,
        message: message.into(),
    }
}

/// Checks `rows` and, when every row is acceptable, stores them as `actor`. Run it inside a
/// transaction: on conflicts nothing is written and the outcome lists them; writing outside
/// `scope` is `PersistenceError::Forbidden`.
pub async fn submit(
    db: &impl ConnectionTrait,
    scope: Scope,
    actor: &str,
    rows: &[RawRow],
) -> Result<SubmissionOutcome, PersistenceError> {
    let mut out = SubmissionOutcome::default();

    // 1. Parse each row on its own.
    let mut parsed = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        match parse_row(index, row) {
            Ok(p) => parsed.push(p),
            Err(c) => out.conflicts.push(c),
        }
    }

    // 2. Resolve codes in two set-based lookups.
    let unit_codes: BTreeSet<&str> = parsed.iter().map(|p| p.unit.as_str()).collect();
    let unit_codes: Vec<&str> = unit_codes.into_iter().collect();
    let unit_ids = org_units::ids_by_codes(db, &unit_codes).await?;
    let element_codes: BTreeSet<&str> = parsed.iter().map(|p| p.element.as_str()).collect();
    let element_codes: Vec<&str> = element_codes.into_iter().collect();
    let elements = catalogue::data_elements_by_codes(db, &element_codes).await?;

    // 3. Scope: one refused unit refuses the whole set.
    let ids: Vec<i64> = unit_ids.values().copied().collect();
    let allowed: HashSet<i64> = org_units::filter_in_scope(db, scope, &ids)
        .await?
        .into_iter()
        .collect();
    let mut refused: Vec<&str> = unit_ids
        .iter()
        .filter(|(_, id)| !allowed.contains(id))
        .map(|(code, _)| code.as_str())
        .collect();
    if !refused.is_empty() {
        refused.sort_unstable();
        return Err(PersistenceError::Forbidden(format!(
            "you may not write figures for org unit(s) {}",
            refused.join(", ")
        )));
    }

    // On PostgreSQL, writers to the same units queue here, so two concurrent sets can never
    // both pass the overlap check below. (SQLite has a single writer already.)
    if db.get_database_backend() == sea_orm::DbBackend::Postgres && !ids.is_empty() {
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        for chunk in sorted.chunks(sql::MAX_PARAMS) {
            sql::query(
                db,
                &format!(
                    "SELECT id FROM org_unit WHERE id IN ({}) ORDER BY id FOR UPDATE",
                    placeholders(chunk.len())
                ),
                chunk.iter().map(|&i| Value::from(i)).collect(),
            )
            .await?;
        }
    }

    // 4. Check values against their elements.
    let mut checked = Vec::with_capacity(parsed.len());
    for p in parsed {
        let Some(&unit_id) = unit_ids.get(p.unit.as_str()) else {
            out.conflicts.push(conflict(
                p.index,
                "unknown_org_unit",
                format!("org unit '{}' does not exist", p.unit),
            ));
            continue;
        };
        let Some(element) = elements.get(p.element.as_str()) else {
            out.conflicts.push(conflict(
                p.index,
                "unknown_data_element",
                format!("data element '{}' does not exist", p.element),
            ));
            continue;
        };
        let value_type = element.element.value_type;
        let value = match p.raw {
            RawValue::Delete => Ok(None),
            RawValue::Json(input) => value_type.check_json(input).map(Some),
            RawValue::Csv(cell) => value_type.check_csv(cell).map(Some),
            RawValue::Unsupported(kind) => {
                out.conflicts.push(conflict(
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
            Err(e) => {
                out.conflicts
                    .push(conflict(p.index, e.code(), format!("{}: {e}", p.element)))
            }
        }
    }

    // 5. Rows of the same set must not collide with each other.
    let mut groups: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, c) in checked.iter().enumerate() {
        groups.entry((c.unit_id, c.element_id)).or_default().push(i);
    }
    for members in groups.values_mut() {
        // Sweep in period order, remembering the row that reaches furthest.
        members.sort_by_key(|&i| (checked[i].period, checked[i].index));
        let mut reach: Option<usize> = None;
        for &i in members.iter() {
            if let Some(r) = reach {
                let (a, b) = (&checked[r], &checked[i]);
                let (earlier, later) = if a.index < b.index { (a, b) } else { (b, a) };
                if a.period != b.period && (a.value.is_none() || b.value.is_none()) {
                    // Deleting one period while storing an overlapping one is a correction,
                    // not a double count.
                } else if a.period == b.period {
                    out.conflicts.push(conflict(
                        later.index,
                        "duplicate_data_value",
                        format!(
                            "row {} already gives this value for {}",
                            earlier.index, later.period
                        ),
                    ));
                } else if a.period.overlaps(&b.period) {
                    out.conflicts.push(conflict(
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
    }

    // 6. Load what is stored for these units and elements around these periods.
    let stored = load_stored(db, &checked).await?;
    let deleted_here: HashSet<i64> = checked
        .iter()
        .filter(|c| c.value.is_none())
        .filter_map(|c| {
            stored
                .get(&(c.unit_id, c.element_id))
                .and_then(|rows| rows.iter().find(|r| r.period == c.period))
                .map(|r| r.id)
        })
        .collect();
    for c in &checked {
        if c.value.is_none() {
            continue;
        }
        let clash = stored.get(&(c.unit_id, c.element_id)).and_then(|rows| {
            rows.iter()
                .find(|r| r.period.conflicts_with(&c.period) && !deleted_here.contains(&r.id))
        });
        if let Some(r) = clash {
            out.conflicts.push(conflict(
                c.index,
                "overlapping_period",
                format!(
                    "a value for {} is already stored for this unit and element; {} overlaps it",
                    r.period, c.period
                ),
            ));
        }
    }
    if !out.conflicts.is_empty() {
        out.conflicts.sort_by_key(|c| c.index);
        return Ok(out);
    }

    // 7. Classify and write.
    let now = now_micros();
    let mut upserts: Vec<Vec<Value>> = Vec::new();
    let mut deletes: Vec<i64> = Vec::new();
    let mut deltas: Vec<rollup::Delta> = Vec::new();
    let mut touched: BTreeSet<(i64, Period)> = BTreeSet::new();
    let types: HashMap<i64, chitieu_domain::ValueType> = elements
        .values()
        .map(|e| (e.id, e.element.value_type))
        .collect();
    for c in &checked {
        let existing = stored
            .get(&(c.unit_id, c.element_id))
            .and_then(|rows| rows.iter().find(|r| r.period == c.period));
        let value_type = types.get(&c.element_id).copied();
        let old_display = existing.and_then(|r| {
            value_type
                .and_then(|t| t.from_stored(r.num, r.text.as_deref()))
                .map(|v| display(&v))
        });
        match (&c.value, existing) {
            (None, None) => out.unchanged += 1,
            (None, Some(r)) => {
                out.deleted += 1;
                deletes.push(r.id);
                if let Some(n) = r.num {
                    deltas.push(delta(c, -n, -1));
                }
                touched.insert((c.unit_id, c.period));
                out.changes.push(ValueChange {
                    org_unit_id: c.unit_id,
                    data_element_id: c.element_id,
                    period: c.period,
                    old: old_display,
                    new: None,
                });
            }
            (Some(v), existing) => {
                let s = v.to_stored();
                if let Some(r) = existing {
                    if r.num == s.num && r.text == s.text && r.comment == c.comment {
                        out.unchanged += 1;
                        continue;
                    }
                    out.updated += 1;
                    if let Some(n) = r.num {
                        deltas.push(delta(c, -n, -1));
                    }
                } else {
                    out.imported += 1;
                }
                if let Some(n) = s.num {
                    deltas.push(delta(c, n, 1));
                }
                touched.insert((c.unit_id, c.period));
                out.changes.push(ValueChange {
                    org_unit_id: c.unit_id,
                    data_element_id: c.element_id,
                    period: c.period,
                    old: old_display,
                    new: Some(display(v)),
                });
                upserts.push(vec![
                    c.unit_id.into(),
                    c.element_id.into(),
                    c.period.start().index().into(),
                    c.period.end().index().into(),
                    s.num.into(),
                    s.text.into(),
                    c.comment.clone().into(),
                    now.into(),
                    now.into(),
                    actor.into(),
                ]);
            }
        }
    }
    if !deletes.is_empty() {
        sql::execute_in(db, "DELETE FROM data_value WHERE id", &deletes, "").await?;
    }
    sql::insert_rows(
        db,
        "data_value",
        &[
            "org_unit_id",
            "data_element_id",
            "start_month",
            "end_month",
            "value_num",
            "value_text",
            "comment",
            "created_at",
            "updated_at",
            "updated_by",
        ],
        upserts,
        "ON CONFLICT (org_unit_id, data_element_id, start_month, end_month) DO UPDATE SET \
         value_num = excluded.value_num, value_text = excluded.value_text, comment = excluded.comment, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .await
    .map_err(|e| match e {
        PersistenceError::Database(ref db_err) if crate::error::is_unique_violation(db_err) => {
            PersistenceError::WriteConflict
        }
        other => other,
    })?;

    rollup::apply(db, &deltas).await?;

    // 8. Which rules do the stored figures now break?
    let pairs: Vec<(i64, Period)> = touched.into_iter().collect();
    out.violations = validation::evaluate(db, Selection::Pairs(&pairs)).await?;
    Ok(out)
}

fn delta(c: &Checked, sum: i64, count: i64) -> rollup::Delta {
    rollup::Delta {
        unit_id: c.unit_id,
        element_id: c.element_id,
        start: c.period.start().index(),
        end: c.period.end().index(),
        sum,
        count,
    }
}

/// How a value reads in the audit trail and in messages.
fn display(v: &DomainValue) -> String {
    match v {
        DomainValue::Integer(i) => i.to_string(),
        DomainValue::Number(d) => d.normalize().to_string(),
        DomainValue::Boolean(b) => b.to_string(),
        DomainValue::Text(t) => t.clone(),
    }
}

fn parse_row(index: usize, row: &RawRow) -> Result<Parsed<'_>, Conflict> {
    let unit = match row.org_unit.as_deref() {
        None | Some("") => {
            return Err(conflict(
                index,
                "missing_org_unit",
                "no org_unit given, neither on the row nor on the set",
            ));
        }
        Some(u) => OrgUnitCode::parse(u).map_err(|e| conflict(index, e.code(), e.to_string()))?,
    };
    let period = match row.period.as_deref() {
        None | Some("") => {
            return Err(conflict(
                index,
                "missing_period",
                "no period given, neither on the row nor on the set",
            ));
        }
        Some(p) => Period::parse(p).map_err(|e| conflict(index, e.code(), e.to_string()))?,
    };
    let element = DataElementCode::parse(&row.data_element)
        .map_err(|e| conflict(index, e.code(), e.to_string()))?;
    let comment = match row.comment.as_deref() {
        None | Some("") => None,
        Some(c) => {
            let c = nfc(c);
            if c.chars().count() > MAX_COMMENT_CHARS {
                return Err(conflict(
                    index,
                    "invalid_comment",
                    format!("a comment holds at most {MAX_COMMENT_CHARS} characters"),
                ));
            }
            Some(c)
        }
    };
    Ok(Parsed {
        index,
        unit,
        element,
        period,
        raw: &row.value,
        comment,
    })
}

async fn load_stored(
    db: &impl ConnectionTrait,
    checked: &[Checked],
) -> Result<HashMap<(i64, i64), Vec<StoredRow>>, PersistenceError> {
    let mut out: HashMap<(i64, i64), Vec<StoredRow>> = HashMap::new();
    if checked.is_empty() {
        return Ok(out);
    }
    let units: BTreeSet<i64> = checked.iter().map(|c| c.unit_id).collect();
    let units: Vec<i64> = units.into_iter().collect();
    let elements: BTreeSet<i64> = checked.iter().map(|c| c.element_id).collect();
    let elements: Vec<i64> = elements.into_iter().collect();
    let min_start = checked
        .iter()
        .map(|c| c.period.start().index())
        .min()
        .unwrap_or(0);
    let max_end = checked
        .iter()
        .map(|c| c.period.end().index())
        .max()
        .unwrap_or(0);
    let wanted: HashSet<(i64, i64)> = checked.iter().map(|c| (c.unit_id, c.element_id)).collect();
    let per_chunk = sql::MAX_PARAMS.saturating_sub(elements.len() + 2).max(1);
    for chunk in units.chunks(per_chunk) {
        let sql = format!(
            "SELECT id, org_unit_id, data_element_id, start_month, end_month, value_num, value_text, comment \
             FROM data_value WHERE org_unit_id IN ({}) AND data_element_id IN ({}) \
             AND start_month <= ? AND end_month >= ?",
            placeholders(chunk.len()),
            placeholders(elements.len())
        );
        let mut values: Vec<Value> = chunk.iter().map(|&u| Value::from(u)).collect();
        values.extend(elements.iter().map(|&e| Value::from(e)));
        values.extend([max_end.into(), min_start.into()]);
        for row in sql::query(db, &sql, values).await? {
            let key = (get::<i64>(&row, 1)?, get::<i64>(&row, 2)?);
            if !wanted.contains(&key) {
                continue;
            }
            out.entry(key).or_default().push(StoredRow {
                id: get(&row, 0)?,
                period: period(get(&row, 3)?, get(&row, 4)?)?,
                num: get(&row, 5)?,
                text: get(&row, 6)?,
                comment: get(&row, 7)?,
            });
        }
    }
    Ok(out)
}
