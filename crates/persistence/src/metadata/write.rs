//! Carrying out a checked [`Plan`] on the caller's write transaction: the org units level by
//! level (then their closure rows and roll-ups, [`crate::closure`]), then every catalogue
//! kind through the one upsert-by-key writer, [`upsert`].

use std::collections::HashMap;

use chitieu_domain::{
    DataElement, Indicator, OrgUnitCode, RuleCheck, Target, ValidationRule, text::fold_for_search,
};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use super::{
    existing::Existing,
    plan::{Plan, Step, UnitChange},
};
use crate::{
    DataElementId, IndicatorId, OrgUnitId, PersistenceError, RuleId, TargetId, closure, now_micros,
    rollup, sql,
};

/// Writes everything `plan` decided. `existing` is the state the plan was made from.
pub(super) async fn apply(
    db: &impl ConnectionTrait,
    plan: &Plan<'_>,
    existing: &Existing,
) -> Result<(), PersistenceError> {
    let now = now_micros();
    let mut refs = Refs {
        units: write_units(db, plan, existing, now).await?,
        indicators: HashMap::new(),
    };
    upsert(db, &plan.data_elements, &refs, now).await?;
    upsert(db, &plan.indicators, &refs, now).await?;
    let named: Vec<&str> = (plan.targets.iter())
        .filter_map(|s| match s {
            Step::Create(t) => Some(t.indicator.as_str()),
            _ => None,
        })
        .collect();
    refs.indicators = ids_of(db, "indicator", &named).await?;
    upsert(db, &plan.targets, &refs, now).await?;
    upsert(db, &plan.validation_rules, &refs, now).await?;
    super::write_cycle::apply(db, plan, &refs.units, now).await?;
    super::write_projects::apply(db, plan, existing, &refs.units, now).await
}

/// The ids that new rows refer to, by code.
struct Refs {
    units: HashMap<String, OrgUnitId>,
    indicators: HashMap<String, IndicatorId>,
}

impl Refs {
    fn unit(&self, code: &OrgUnitCode) -> Result<OrgUnitId, PersistenceError> {
        (self.units.get(code.as_str()).copied())
            .ok_or_else(|| PersistenceError::corrupt(format!("org unit {code} has no id")))
    }
}

/// A catalogue kind as [`upsert`] stores it: its table, the columns that identify a row
/// (written once, when it is created), and the columns every write sets.
trait Catalogued {
    /// The table's id type.
    type Id: Into<Value> + Copy;
    const TABLE: &'static str;
    const KEY: &'static [&'static str];
    const FIELDS: &'static [&'static str];
    /// The values of [`Self::KEY`].
    fn key(&self, refs: &Refs) -> Result<Vec<Value>, PersistenceError>;
    /// The values of [`Self::FIELDS`].
    fn fields(&self) -> Vec<Value>;
}

/// The one writer of catalogue rows: inserts the created ones together (as few statements as
/// the parameter limit allows), rewrites the fields of the updated ones, skips the others.
async fn upsert<T: Catalogued>(
    db: &impl ConnectionTrait,
    steps: &[Step<'_, T, T::Id>],
    refs: &Refs,
    now: i64,
) -> Result<(), PersistenceError> {
    let set: Vec<String> = T::FIELDS.iter().map(|f| format!("{f} = ?")).collect();
    let update = format!(
        "UPDATE {} SET {}, updated_at = ? WHERE id = ?",
        T::TABLE,
        set.join(", ")
    );
    let mut rows = Vec::new();
    for step in steps {
        match step {
            Step::Create(item) => {
                let mut row = item.key(refs)?;
                row.extend(item.fields());
                row.extend([now.into(), now.into()]);
                rows.push(row);
            }
            Step::Update(id, item) => {
                let mut values = item.fields();
                values.extend([now.into(), (*id).into()]);
                sql::execute(db, &update, values).await?;
            }
            Step::Same => {}
        }
    }
    let columns: Vec<&str> = (T::KEY.iter().chain(T::FIELDS))
        .copied()
        .chain(["created_at", "updated_at"])
        .collect();
    sql::insert_rows(db, T::TABLE, &columns, rows, "").await?;
    Ok(())
}

pub(super) fn decimal_text(d: Decimal) -> String {
    d.normalize().to_string()
}

impl Catalogued for DataElement {
    type Id = DataElementId;
    const TABLE: &'static str = "data_element";
    const KEY: &'static [&'static str] = &["code"];
    const FIELDS: &'static [&'static str] =
        &["name", "value_type", "aggregation", "owner_code", "source"];

    fn key(&self, _: &Refs) -> Result<Vec<Value>, PersistenceError> {
        Ok(vec![self.code.as_str().into()])
    }

    fn fields(&self) -> Vec<Value> {
        vec![
            self.name.as_str().into(),
            self.value_type.as_str().into(),
            self.aggregation.as_str().into(),
            self.owner.as_ref().map(|o| o.as_str().to_owned()).into(),
            self.source.as_ref().map(|s| s.as_str().to_owned()).into(),
        ]
    }
}

impl Catalogued for Indicator {
    type Id = IndicatorId;
    const TABLE: &'static str = "indicator";
    const KEY: &'static [&'static str] = &["code"];
    const FIELDS: &'static [&'static str] = &[
        "name",
        "group_code",
        "numerator",
        "denominator",
        "factor",
        "decimals",
        "stated_element",
        "result_element",
        "part_of",
    ];

    fn key(&self, _: &Refs) -> Result<Vec<Value>, PersistenceError> {
        Ok(vec![self.code.as_str().into()])
    }

    fn fields(&self) -> Vec<Value> {
        vec![
            self.name.as_str().into(),
            self.group.as_ref().map(|g| g.as_str().to_owned()).into(),
            self.numerator.source().into(),
            self.denominator.source().into(),
            decimal_text(self.factor).into(),
            (self.decimals as i32).into(),
            code_text(self.links.stated_element.as_ref().map(|c| c.as_str())),
            code_text(self.links.result_element.as_ref().map(|c| c.as_str())),
            code_text(self.links.part_of.as_ref().map(|c| c.as_str())),
        ]
    }
}

impl Catalogued for Target {
    type Id = TargetId;
    const TABLE: &'static str = "target";
    const KEY: &'static [&'static str] =
        &["indicator_id", "org_unit_id", "start_month", "end_month"];
    const FIELDS: &'static [&'static str] = &["operator", "value", "label", "note", "printed"];

    fn key(&self, refs: &Refs) -> Result<Vec<Value>, PersistenceError> {
        let indicator = (refs.indicators.get(self.indicator.as_str()).copied())
            .ok_or_else(|| PersistenceError::corrupt("target references vanished"))?;
        Ok(vec![
            indicator.into(),
            refs.unit(&self.org_unit)?.into(),
            self.period.start().index().into(),
            self.period.end().index().into(),
        ])
    }

    fn fields(&self) -> Vec<Value> {
        // A note's operator and value are empty text (the columns are NOT NULL).
        let (operator, value) = match self.goal.comparison() {
            Some((operator, value)) => (operator.as_str().to_owned(), decimal_text(value)),
            None => (String::new(), String::new()),
        };
        vec![
            operator.into(),
            value.into(),
            self.label.clone().into(),
            self.goal.note().map(str::to_owned).into(),
            self.printed.clone().into(),
        ]
    }
}

impl Catalogued for ValidationRule {
    type Id = RuleId;
    const TABLE: &'static str = "validation_rule";
    const KEY: &'static [&'static str] = &["code"];
    const FIELDS: &'static [&'static str] = &[
        "name",
        "rule_check",
        "left_expr",
        "left_scope",
        "operator",
        "right_expr",
        "right_scope",
        "tolerance",
        "indicator_code",
        "stated_expr",
        "description",
    ];

    fn key(&self, _: &Refs) -> Result<Vec<Value>, PersistenceError> {
        Ok(vec![self.code.as_str().into()])
    }

    fn fields(&self) -> Vec<Value> {
        // A stated-status rule has no sides: their NOT NULL columns hold empty text.
        let none = || Value::from(None::<String>);
        let (left, left_scope, operator, right, right_scope, tolerance, indicator, stated) =
            match &self.check {
                RuleCheck::Compare(c) => (
                    c.left().expression.source(),
                    c.left().scope.as_str(),
                    c.operator().as_str(),
                    c.right().expression.source(),
                    c.right().scope.as_str(),
                    c.tolerance().map(decimal_text).into(),
                    none(),
                    none(),
                ),
                RuleCheck::StatedStatus { indicator, stated } => (
                    "",
                    "own",
                    "",
                    "",
                    "own",
                    none(),
                    indicator.as_str().into(),
                    stated.source().into(),
                ),
            };
        vec![
            self.name.as_str().into(),
            self.check.kind().into(),
            left.into(),
            left_scope.into(),
            operator.into(),
            right.into(),
            right_scope.into(),
            tolerance,
            indicator,
            stated,
            self.description.clone().into(),
        ]
    }
}

fn code_text(code: Option<&str>) -> Value {
    code.map(str::to_owned).into()
}

const UNIT_COLUMNS: &[&str] = &[
    "code",
    "name",
    "name_folded",
    "kind",
    "parent_id",
    "level",
    "created_at",
    "updated_at",
];

/// Writes the bundle's units, one level at a time so that every parent has its id before its
/// children are inserted; then their closure rows and the roll-ups a move reshaped. Returns
/// the id of every unit, stored or new.
async fn write_units(
    db: &impl ConnectionTrait,
    plan: &Plan<'_>,
    existing: &Existing,
    now: i64,
) -> Result<HashMap<String, OrgUnitId>, PersistenceError> {
    let mut refs = Refs {
        units: (existing.units.iter())
            .map(|(c, u)| (c.clone(), u.id))
            .collect(),
        indicators: HashMap::new(),
    };
    for level in plan.units.chunk_by(|a, b| a.level == b.level) {
        let mut rows = Vec::new();
        let mut codes = Vec::new();
        for step in level {
            let u = step.unit;
            let parent_id = u.parent.as_ref().map(|p| refs.unit(p)).transpose()?;
            let name_folded = fold_for_search(u.name.as_str());
            match step.change {
                UnitChange::Create => {
                    codes.push(u.code.as_str());
                    rows.push(vec![
                        u.code.as_str().into(),
                        u.name.as_str().into(),
                        name_folded.into(),
                        u.kind.as_str().into(),
                        parent_id.into(),
                        (step.level as i32).into(),
                        now.into(),
                        now.into(),
                    ]);
                }
                UnitChange::Update { id, .. } => {
                    sql::execute(
                        db,
                        "UPDATE org_unit SET name = ?, name_folded = ?, kind = ?, parent_id = ?, \
                         updated_at = ? WHERE id = ?",
                        vec![
                            u.name.as_str().into(),
                            name_folded.into(),
                            u.kind.as_str().into(),
                            parent_id.into(),
                            now.into(),
                            id.into(),
                        ],
                    )
                    .await?;
                }
                UnitChange::Same => {}
            }
        }
        sql::insert_rows(db, "org_unit", UNIT_COLUMNS, rows, "").await?;
        let fresh: HashMap<String, OrgUnitId> = ids_of(db, "org_unit", &codes).await?;
        refs.units.extend(fresh);
    }
    let new: Vec<OrgUnitCode> = plan.new_units().map(|u| u.code.clone()).collect();
    let moved: Vec<OrgUnitCode> = plan.moved_units().map(|u| u.code.clone()).collect();
    closure::rehang(db, &plan.tree, &refs.units, &new, &moved).await?;
    let stored_parent = |c: &OrgUnitCode| existing.units.get(c.as_str())?.parent.clone();
    let reshaped = closure::reshaped_ancestors(&plan.tree, stored_parent, &moved)
        .iter()
        .map(|c| refs.unit(c))
        .collect::<Result<Vec<_>, _>>()?;
    rollup::rebuild(db, &reshaped).await?;
    Ok(refs.units)
}

/// A code and the id of its row, in a table whose ids are `I`.
#[derive(FromQueryResult)]
struct CodeId<I: sea_orm::TryGetable> {
    code: String,
    id: I,
}

/// The ids of `codes` in `table`; unknown codes are absent.
pub(super) async fn ids_of<I: sea_orm::TryGetable + Eq + std::hash::Hash>(
    db: &impl ConnectionTrait,
    table: &str,
    codes: &[&str],
) -> Result<HashMap<String, I>, PersistenceError> {
    let rows: Vec<CodeId<I>> = sql::query_in(
        db,
        &format!("SELECT code, id FROM {table} WHERE code"),
        codes,
        "",
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.id)).collect())
}
