//! Storing a data value set: every row is checked, then the whole set is written with
//! batched set-based upserts, or nothing is written at all.
//!
//! *Architecture invariant*: a (unit, element) never holds two figures whose periods overlap
//! without being equal, so no month is ever counted twice by an aggregate.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chitieu_domain::{
    DataElementCode, OrgUnitCode, Period, Value as DomainValue, ValueInput,
    text::{TextKind, nfc},
};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    DataElementId, DataValueId, OrgUnitId, PersistenceError, Scope, audit,
    catalogue::{self, period},
    changes, now_micros, org_units, rollup,
    sql::{self, InList, placeholders},
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
    unit_id: OrgUnitId,
    element_id: DataElementId,
    period: Period,
    value: Option<DomainValue>,
    comment: Option<String>,
}

struct StoredRow {
    id: DataValueId,
    period: Period,
    next_end: i32,
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
    actor: &audit::Actor,
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
    let ids: Vec<OrgUnitId> = unit_ids.values().copied().collect();
    let allowed: HashSet<OrgUnitId> = org_units::filter_in_scope(db, scope, &ids)
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
        InList::new(
            "SELECT id FROM org_unit WHERE id",
            " ORDER BY id FOR UPDATE",
        )
        .rows(db, &sorted)
        .await?;
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
    let mut groups: HashMap<(OrgUnitId, DataElementId), Vec<usize>> = HashMap::new();
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

    // 6. Load what is stored for these units and elements (their whole history: the
    //    neighbours of a new period decide its `next_end`).
    let stored = load_stored(db, &checked).await?;
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

    // 7. Classify, work out each group's new `next_end` chain, and write.
    let plan = plan_writes(&checked, &stored, &mut out);
    let now = now_micros();
    let upserts: Vec<Vec<Value>> = plan
        .upserts
        .iter()
        .map(|u| {
            vec![
                u.unit_id.into(),
                u.element_id.into(),
                u.period.start().index().into(),
                u.period.end().index().into(),
                u.num.into(),
                u.next_end.into(),
                u.text.clone().into(),
                u.comment.clone().into(),
                now.into(),
                now.into(),
                actor.label.clone().into(),
            ]
        })
        .collect();
    if !plan.deletes.is_empty() {
        changes::record_deletions(db, &plan.deletes, now, &actor.label).await?;
        sql::execute_in(db, "DELETE FROM data_value WHERE id", &plan.deletes, "").await?;
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
            "next_end",
            "value_text",
            "comment",
            "created_at",
            "updated_at",
            "updated_by",
        ],
        upserts,
        "ON CONFLICT (org_unit_id, data_element_id, start_month, end_month) DO UPDATE SET \
         value_num = excluded.value_num, next_end = excluded.next_end, value_text = excluded.value_text, \
         comment = excluded.comment, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .await
    .map_err(|e| match e {
        PersistenceError::Database(ref db_err) if crate::error::is_unique_violation(db_err) => {
            PersistenceError::WriteConflict
        }
        other => other,
    })?;
    update_next_ends(db, &plan.next_end_updates).await?;
    rollup::apply(db, &plan.deltas).await?;
    audit::record(db, actor, audit_events(&plan.changes, &elements)).await?;

    // 8. Which rules do the stored figures now break?
    let pairs: Vec<(OrgUnitId, Period)> = plan.touched.into_iter().collect();
    out.violations = validation::evaluate(db, Selection::Pairs(&pairs)).await?;
    Ok(out)
}

/// A row to insert or overwrite.
struct Upsert {
    unit_id: OrgUnitId,
    element_id: DataElementId,
    period: Period,
    num: Option<i64>,
    text: Option<String>,
    comment: Option<String>,
    next_end: i32,
}

/// Everything a set changes, worked out before anything is written.
#[derive(Default)]
struct Plan {
    upserts: Vec<Upsert>,
    deletes: Vec<DataValueId>,
    /// (row id, new next_end) of stored rows whose successor changed.
    next_end_updates: Vec<(DataValueId, i32)>,
    deltas: Vec<rollup::Delta>,
    touched: BTreeSet<(OrgUnitId, Period)>,
    changes: Vec<Change>,
}

/// One figure's change for the audit trail: (num, text) before and after.
struct Change {
    unit_id: OrgUnitId,
    element_id: DataElementId,
    period: Period,
    old: Option<(Option<i64>, Option<String>)>,
    new: Option<(Option<i64>, Option<String>)>,
}

/// One audit event per org unit, listing that unit's changes compactly as
/// `{"changes": [[data_element, period, old, new], ...]}`.
fn audit_events(
    changes: &[Change],
    elements: &HashMap<String, catalogue::StoredDataElement>,
) -> Vec<audit::NewEvent> {
    let by_id: HashMap<DataElementId, &catalogue::StoredDataElement> =
        elements.values().map(|e| (e.id, e)).collect();
    let shown =
        |element: DataElementId, v: &Option<(Option<i64>, Option<String>)>| -> serde_json::Value {
            let (Some((num, text)), Some(e)) = (v, by_id.get(&element)) else {
                return serde_json::Value::Null;
            };
            match e.element.value_type.from_stored(*num, text.as_deref()) {
                Some(DomainValue::Integer(i)) => i.into(),
                Some(DomainValue::Number(d)) => d.normalize().to_string().into(),
                Some(DomainValue::Boolean(b)) => b.into(),
                Some(DomainValue::Text(t)) => t.into(),
                None => serde_json::Value::Null,
            }
        };
    #[derive(serde::Serialize)]
    struct Row<'a>(&'a str, &'a str, serde_json::Value, serde_json::Value);
    #[derive(serde::Serialize)]
    struct Detail<'a> {
        changes: Vec<Row<'a>>,
    }
    // A set holds few distinct periods: print each once.
    let periods: HashMap<Period, String> = changes
        .iter()
        .map(|c| c.period)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|p| (p, p.to_string()))
        .collect();
    let mut per_unit: BTreeMap<OrgUnitId, Vec<Row<'_>>> = BTreeMap::new();
    for c in changes {
        let code = by_id
            .get(&c.element_id)
            .map_or("?", |e| e.element.code.as_str());
        let period = periods.get(&c.period).map_or("?", String::as_str);
        per_unit.entry(c.unit_id).or_default().push(Row(
            code,
            period,
            shown(c.element_id, &c.old),
            shown(c.element_id, &c.new),
        ));
    }
    per_unit
        .into_iter()
        .map(|(unit, changes)| audit::NewEvent {
            action: "data_values.write",
            org_unit_id: Some(unit),
            detail: serde_json::to_string(&Detail { changes }).unwrap_or_default(),
        })
        .collect()
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

fn plan_writes(
    checked: &[Checked],
    stored: &HashMap<(OrgUnitId, DataElementId), Vec<StoredRow>>,
    out: &mut SubmissionOutcome,
) -> Plan {
    let mut plan = Plan::default();
    let mut groups: BTreeMap<(OrgUnitId, DataElementId), Vec<usize>> = BTreeMap::new();
    for (i, c) in checked.iter().enumerate() {
        groups.entry((c.unit_id, c.element_id)).or_default().push(i);
    }
    let delta = |unit_id: OrgUnitId,
                 element_id: DataElementId,
                 period: Period,
                 next_end: i32,
                 value: i64,
                 count: i64| {
        rollup::Delta {
            unit_id,
            element_id,
            start: period.start().index(),
            end: period.end().index(),
            next_end,
            value,
            count,
        }
    };
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
                (None, None) => out.unchanged += 1,
                (None, Some(r)) => {
                    out.deleted += 1;
                    plan.deletes.push(r.id);
                    plan.changes.push(Change {
                        unit_id,
                        element_id,
                        period: r.period,
                        old: Some((r.num, r.text.clone())),
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
                    let s = v.to_stored();
                    if let Some(r) = existing {
                        if r.num == s.num && r.text == s.text && r.comment == c.comment {
                            out.unchanged += 1;
                            continue;
                        }
                        out.updated += 1;
                    } else {
                        out.imported += 1;
                        chain_changed = true;
                    }
                    plan.touched.insert((unit_id, c.period));
                    plan.changes.push(Change {
                        unit_id,
                        element_id,
                        period: c.period,
                        old: existing.map(|r| (r.num, r.text.clone())),
                        new: Some((s.num, s.text.clone())),
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
                let s = c.value.as_ref().map(|v| v.to_stored()).unwrap_or_default();
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

/// Sets `next_end` of stored rows, many per statement.
async fn update_next_ends(
    db: &impl ConnectionTrait,
    updates: &[(DataValueId, i32)],
) -> Result<(), PersistenceError> {
    for chunk in updates.chunks(5_000) {
        let mut sql = String::from("UPDATE data_value SET next_end = CASE id");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
        for (id, ne) in chunk {
            sql.push_str(" WHEN ? THEN ?");
            values.push((*id).into());
            values.push((*ne).into());
        }
        sql.push_str(&format!(" END WHERE id IN ({})", placeholders(chunk.len())));
        values.extend(chunk.iter().map(|(id, _)| Value::from(*id)));
        sql::execute(db, &sql, values).await?;
    }
    Ok(())
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
            if let Some((position, ch)) = TextKind::MultiLine.first_refused(c) {
                return Err(conflict(
                    index,
                    "invalid_comment",
                    TextKind::MultiLine.refusal(position, ch),
                ));
            }
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

/// A stored figure of [`load_stored`].
#[derive(FromQueryResult)]
struct StoredFigure {
    id: DataValueId,
    org_unit_id: OrgUnitId,
    data_element_id: DataElementId,
    start_month: i32,
    end_month: i32,
    value_num: Option<i64>,
    value_text: Option<String>,
    comment: Option<String>,
    next_end: i32,
}

async fn load_stored(
    db: &impl ConnectionTrait,
    checked: &[Checked],
) -> Result<HashMap<(OrgUnitId, DataElementId), Vec<StoredRow>>, PersistenceError> {
    let mut out: HashMap<(OrgUnitId, DataElementId), Vec<StoredRow>> = HashMap::new();
    if checked.is_empty() {
        return Ok(out);
    }
    let units: BTreeSet<OrgUnitId> = checked.iter().map(|c| c.unit_id).collect();
    let units: Vec<OrgUnitId> = units.into_iter().collect();
    let elements: BTreeSet<DataElementId> = checked.iter().map(|c| c.element_id).collect();
    let elements: Vec<DataElementId> = elements.into_iter().collect();
    let wanted: HashSet<(OrgUnitId, DataElementId)> =
        checked.iter().map(|c| (c.unit_id, c.element_id)).collect();
    let rows: Vec<StoredFigure> = InList::new(
        "SELECT id, org_unit_id, data_element_id, start_month, end_month, value_num, value_text, \
         comment, next_end FROM data_value WHERE org_unit_id",
        &format!(" AND data_element_id IN ({})", placeholders(elements.len())),
    )
    .bind_after(elements.iter().map(|&e| Value::from(e)))
    .query(db, &units)
    .await?;
    for row in rows {
        let key = (row.org_unit_id, row.data_element_id);
        if !wanted.contains(&key) {
            continue;
        }
        out.entry(key).or_default().push(StoredRow {
            id: row.id,
            period: period(row.start_month, row.end_month)?,
            next_end: row.next_end,
            num: row.value_num,
            text: row.value_text,
            comment: row.comment,
        });
    }
    Ok(out)
}
