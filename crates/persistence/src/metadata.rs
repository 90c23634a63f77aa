//! Importing a metadata bundle: org units, data elements, indicators, targets and validation
//! rules, upserted by code, all or nothing.
//!
//! Every cross-reference is checked before anything is written, and every problem is
//! reported at once, addressed by its place in the bundle (`indicators[2].numerator`).

use std::collections::{HashMap, HashSet};

use chitieu_domain::{
    DataElement, Expression, Indicator, OrgTree, OrgUnit, OrgUnitCode, Target, ValidationRule,
    ValueType, text::fold_for_search,
};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    DataElementId, FieldIssue, IndicatorId, OrgUnitId, PersistenceError, TargetId,
    catalogue::{self, decimal},
    now_micros, sql,
};

/// A parsed metadata bundle. Each item keeps its position in the submitted list.
#[derive(Clone, Debug, Default)]
pub struct MetadataBundle {
    /// Org units, by position.
    pub org_units: Vec<(usize, OrgUnit)>,
    /// Data elements, by position.
    pub data_elements: Vec<(usize, DataElement)>,
    /// Indicators, by position.
    pub indicators: Vec<(usize, Indicator)>,
    /// Targets, by position.
    pub targets: Vec<(usize, Target)>,
    /// Validation rules, by position.
    pub validation_rules: Vec<(usize, ValidationRule)>,
    /// Codes of items that failed to parse but did name a valid code: references to them are
    /// not reported a second time as unknown.
    pub declared: Declared,
    /// Expressions of items that failed for another reason, by field: their references are
    /// still checked so that every problem is reported at once.
    pub loose_expressions: Vec<(String, Expression)>,
}

/// Codes declared by bundle items that were themselves invalid.
#[derive(Clone, Debug, Default)]
pub struct Declared {
    /// Org unit codes.
    pub org_units: HashSet<String>,
    /// Data element codes.
    pub data_elements: HashSet<String>,
    /// Indicator codes.
    pub indicators: HashSet<String>,
}

/// Counts for one kind of object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// Objects that did not exist before.
    pub created: u64,
    /// Objects that existed and changed.
    pub updated: u64,
    /// Objects that existed unchanged.
    pub unchanged: u64,
}

/// What an import did, per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataSummary {
    /// Org units.
    pub org_units: KindCounts,
    /// Data elements.
    pub data_elements: KindCounts,
    /// Indicators.
    pub indicators: KindCounts,
    /// Targets.
    pub targets: KindCounts,
    /// Validation rules.
    pub validation_rules: KindCounts,
}

impl MetadataSummary {
    /// Totals over all kinds.
    pub fn total(&self) -> KindCounts {
        let all = [
            self.org_units,
            self.data_elements,
            self.indicators,
            self.targets,
            self.validation_rules,
        ];
        all.iter().fold(KindCounts::default(), |acc, k| KindCounts {
            created: acc.created + k.created,
            updated: acc.updated + k.updated,
            unchanged: acc.unchanged + k.unchanged,
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    Create,
    Update,
    Same,
}

impl KindCounts {
    fn count(&mut self, change: Change) {
        match change {
            Change::Create => self.created += 1,
            Change::Update => self.updated += 1,
            Change::Same => self.unchanged += 1,
        }
    }
}

/// A stored unit as the import compares it.
#[derive(FromQueryResult)]
struct ExistingUnit {
    id: OrgUnitId,
    code: String,
    name: String,
    kind: String,
    parent: Option<String>,
}

/// Checks and applies `bundle`. Returns the issues instead when anything is wrong, having
/// written nothing. Run it inside a transaction.
pub async fn import(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
) -> Result<Result<MetadataSummary, Vec<FieldIssue>>, PersistenceError> {
    let mut issues = Vec::new();

    // ---- load what exists
    let units = load_units(db).await?;
    let elements: HashMap<String, catalogue::StoredDataElement> = catalogue::all_data_elements(db)
        .await?
        .into_values()
        .map(|e| (e.element.code.as_str().to_owned(), e))
        .collect();
    let indicator_codes: Vec<&str> = bundle
        .indicators
        .iter()
        .map(|(_, i)| i.code.as_str())
        .chain(bundle.targets.iter().map(|(_, t)| t.indicator.as_str()))
        .collect();
    let indicators = catalogue::indicators_by_codes(db, &indicator_codes).await?;
    let rule_codes: Vec<&str> = bundle
        .validation_rules
        .iter()
        .map(|(_, r)| r.code.as_str())
        .collect();
    let rules = rules_by_codes(db, &rule_codes).await?;

    // ---- org units
    check_duplicates(
        &mut issues,
        "org_units",
        bundle.org_units.iter().map(|(i, u)| (*i, u.code.as_str())),
    );
    let bundle_units: HashMap<&str, &OrgUnit> = bundle
        .org_units
        .iter()
        .map(|(_, u)| (u.code.as_str(), u))
        .collect();
    let unit_known = |code: &str| {
        units.contains_key(code)
            || bundle_units.contains_key(code)
            || bundle.declared.org_units.contains(code)
    };
    let mut parents_ok = bundle.declared.org_units.is_empty();
    for (i, u) in &bundle.org_units {
        if let Some(parent) = &u.parent
            && !unit_known(parent.as_str())
        {
            parents_ok = false;
            issues.push(FieldIssue::new(
                format!("org_units[{i}].parent"),
                "unknown_org_unit",
                format!("parent org unit '{parent}' does not exist"),
            ));
        }
    }
    let mut tree = None;
    if parents_ok {
        let mut pairs: HashMap<String, Option<OrgUnitCode>> = HashMap::new();
        for (code, u) in &units {
            let parent = u
                .parent
                .as_deref()
                .map(OrgUnitCode::parse)
                .transpose()
                .map_err(PersistenceError::corrupt)?;
            pairs.insert(code.clone(), parent);
        }
        for (_, u) in &bundle.org_units {
            pairs.insert(u.code.as_str().to_owned(), u.parent.clone());
        }
        let mut list = Vec::with_capacity(pairs.len());
        for (code, parent) in pairs {
            list.push((
                OrgUnitCode::parse(&code).map_err(PersistenceError::corrupt)?,
                parent,
            ));
        }
        match OrgTree::build(list) {
            Ok(t) => tree = Some(t),
            Err(e) => {
                let at = bundle
                    .org_units
                    .iter()
                    .find(|(_, u)| e.to_string().contains(u.code.as_str()))
                    .map(|(i, _)| format!("org_units[{i}].parent"))
                    .unwrap_or_else(|| "org_units".to_owned());
                issues.push(FieldIssue::new(at, e.code(), e.to_string()));
            }
        }
    }

    // ---- data elements
    check_duplicates(
        &mut issues,
        "data_elements",
        bundle
            .data_elements
            .iter()
            .map(|(i, e)| (*i, e.code.as_str())),
    );
    for (i, e) in &bundle.data_elements {
        if let Some(old) = elements.get(e.code.as_str())
            && old.element.value_type != e.value_type
            && has_values(db, old.id).await?
        {
            issues.push(FieldIssue::new(
                format!("data_elements[{i}].value_type"),
                "value_type_locked",
                format!(
                    "data element '{}' already holds values of type {}; its type cannot change",
                    e.code, old.element.value_type
                ),
            ));
        }
    }
    let mut element_types: HashMap<&str, ValueType> = elements
        .iter()
        .map(|(c, e)| (c.as_str(), e.element.value_type))
        .collect();
    for (_, e) in &bundle.data_elements {
        element_types.insert(e.code.as_str(), e.value_type);
    }
    let check_expr = |issues: &mut Vec<FieldIssue>, field: String, expr: &Expression| {
        for code in expr.references() {
            match element_types.get(code.as_str()) {
                Some(ValueType::Text) => issues.push(FieldIssue::new(
                    field.clone(),
                    "non_numeric_element",
                    format!("data element '{code}' holds text and cannot be used in arithmetic"),
                )),
                Some(_) => {}
                None if bundle.declared.data_elements.contains(code.as_str()) => {}
                None => issues.push(FieldIssue::new(
                    field.clone(),
                    "unknown_data_element",
                    format!("#{{{code}}} does not name a data element"),
                )),
            }
        }
    };

    // ---- indicators
    check_duplicates(
        &mut issues,
        "indicators",
        bundle.indicators.iter().map(|(i, x)| (*i, x.code.as_str())),
    );
    for (i, ind) in &bundle.indicators {
        check_expr(
            &mut issues,
            format!("indicators[{i}].numerator"),
            &ind.numerator,
        );
        check_expr(
            &mut issues,
            format!("indicators[{i}].denominator"),
            &ind.denominator,
        );
    }

    // ---- targets
    let mut target_keys = HashSet::new();
    for (i, t) in &bundle.targets {
        let code = t.indicator.as_str();
        if !indicators.contains_key(code)
            && !bundle
                .indicators
                .iter()
                .any(|(_, x)| x.code.as_str() == code)
            && !bundle.declared.indicators.contains(code)
        {
            issues.push(FieldIssue::new(
                format!("targets[{i}].indicator"),
                "unknown_indicator",
                format!("indicator '{code}' does not exist"),
            ));
        }
        if !unit_known(t.org_unit.as_str()) {
            issues.push(FieldIssue::new(
                format!("targets[{i}].org_unit"),
                "unknown_org_unit",
                format!("org unit '{}' does not exist", t.org_unit),
            ));
        }
        if !target_keys.insert((t.indicator.clone(), t.org_unit.clone(), t.period)) {
            issues.push(FieldIssue::new(
                format!("targets[{i}]"),
                "duplicate_target",
                format!(
                    "a target for '{}' set by '{}' for {} appears twice",
                    t.indicator, t.org_unit, t.period
                ),
            ));
        }
    }

    for (field, expr) in &bundle.loose_expressions {
        check_expr(&mut issues, field.clone(), expr);
    }

    // ---- validation rules
    check_duplicates(
        &mut issues,
        "validation_rules",
        bundle
            .validation_rules
            .iter()
            .map(|(i, r)| (*i, r.code.as_str())),
    );
    for (i, r) in &bundle.validation_rules {
        check_expr(&mut issues, format!("validation_rules[{i}].left"), &r.left);
        check_expr(
            &mut issues,
            format!("validation_rules[{i}].right"),
            &r.right,
        );
    }

    let Some(tree) = tree.filter(|_| issues.is_empty()) else {
        return Ok(Err(issues));
    };

    // ---- write
    let now = now_micros();
    let mut summary = MetadataSummary::default();
    let unit_ids = write_units(db, bundle, &units, &tree, now, &mut summary.org_units).await?;
    write_elements(db, bundle, &elements, now, &mut summary.data_elements).await?;
    let indicator_ids =
        write_indicators(db, bundle, &indicators, now, &mut summary.indicators).await?;
    write_targets(
        db,
        bundle,
        &unit_ids,
        &indicator_ids,
        now,
        &mut summary.targets,
    )
    .await?;
    write_rules(db, bundle, &rules, now, &mut summary.validation_rules).await?;
    Ok(Ok(summary))
}

fn check_duplicates<'a>(
    issues: &mut Vec<FieldIssue>,
    list: &str,
    items: impl Iterator<Item = (usize, &'a str)>,
) {
    let mut seen = HashSet::new();
    for (i, code) in items {
        if !seen.insert(code) {
            issues.push(FieldIssue::new(
                format!("{list}[{i}].code"),
                "duplicate_code",
                format!("code '{code}' appears more than once in {list}"),
            ));
        }
    }
}

async fn load_units(
    db: &impl ConnectionTrait,
) -> Result<HashMap<String, ExistingUnit>, PersistenceError> {
    let rows: Vec<ExistingUnit> = sql::query_as(
        db,
        "SELECT u.id, u.code, u.name, u.kind, p.code AS parent FROM org_unit u \
         LEFT JOIN org_unit p ON p.id = u.parent_id",
        vec![],
    )
    .await?;
    Ok(rows.into_iter().map(|u| (u.code.clone(), u)).collect())
}

async fn has_values(
    db: &impl ConnectionTrait,
    element_id: DataElementId,
) -> Result<bool, PersistenceError> {
    let rows = sql::query(
        db,
        "SELECT 1 FROM data_value WHERE data_element_id = ? LIMIT 1",
        vec![element_id.into()],
    )
    .await?;
    Ok(!rows.is_empty())
}

/// A code and the id of its row, in a table whose ids are `I`.
#[derive(FromQueryResult)]
struct CodeId<I: sea_orm::TryGetable> {
    code: String,
    id: I,
}

async fn ids_of<I: sea_orm::TryGetable + Eq + std::hash::Hash>(
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

async fn write_units(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
    existing: &HashMap<String, ExistingUnit>,
    tree: &OrgTree,
    now: i64,
    counts: &mut KindCounts,
) -> Result<HashMap<String, OrgUnitId>, PersistenceError> {
    let mut ids: HashMap<String, OrgUnitId> =
        existing.iter().map(|(c, u)| (c.clone(), u.id)).collect();
    // Parents before children: every level is complete before the next one starts.
    let mut by_level: Vec<(u32, &OrgUnit)> = bundle
        .org_units
        .iter()
        .map(|(_, u)| (tree.level(&u.code).unwrap_or(1), u))
        .collect();
    by_level.sort_by_key(|(level, u)| (*level, u.code.as_str().to_owned()));
    let mut moved = Vec::new();
    let mut start = 0;
    while start < by_level.len() {
        let level = by_level[start].0;
        let end = by_level[start..]
            .iter()
            .position(|(l, _)| *l != level)
            .map_or(by_level.len(), |p| start + p);
        let mut new_rows = Vec::new();
        let mut new_codes = Vec::new();
        for &(lvl, u) in &by_level[start..end] {
            let parent_id = u.parent.as_ref().and_then(|p| ids.get(p.as_str()).copied());
            match existing.get(u.code.as_str()) {
                None => {
                    counts.count(Change::Create);
                    new_codes.push(u.code.as_str());
                    new_rows.push(vec![
                        u.code.as_str().into(),
                        u.name.as_str().into(),
                        fold_for_search(u.name.as_str()).into(),
                        u.kind.as_str().into(),
                        parent_id.into(),
                        (lvl as i32).into(),
                        now.into(),
                        now.into(),
                    ]);
                }
                Some(old) => {
                    let parent_changed =
                        old.parent.as_deref() != u.parent.as_ref().map(|p| p.as_str());
                    if old.name == u.name.as_str() && old.kind == u.kind.as_str() && !parent_changed
                    {
                        counts.count(Change::Same);
                        continue;
                    }
                    counts.count(Change::Update);
                    sql::execute(
                        db,
                        "UPDATE org_unit SET name = ?, name_folded = ?, kind = ?, parent_id = ?, updated_at = ? WHERE id = ?",
                        vec![
                            u.name.as_str().into(),
                            fold_for_search(u.name.as_str()).into(),
                            u.kind.as_str().into(),
                            parent_id.into(),
                            now.into(),
                            old.id.into(),
                        ],
                    )
                    .await?;
                    if parent_changed {
                        let mut affected = crate::rollup::ancestors_of(db, old.id).await?;
                        move_subtree(db, old.id, parent_id).await?;
                        affected.extend(crate::rollup::ancestors_of(db, old.id).await?);
                        affected.sort_unstable();
                        affected.dedup();
                        crate::rollup::rebuild(db, &affected).await?;
                        moved.push(old.id);
                    }
                }
            }
        }
        if !new_rows.is_empty() {
            sql::insert_rows(
                db,
                "org_unit",
                &[
                    "code",
                    "name",
                    "name_folded",
                    "kind",
                    "parent_id",
                    "level",
                    "created_at",
                    "updated_at",
                ],
                new_rows,
                "",
            )
            .await?;
            let fresh: HashMap<String, OrgUnitId> = ids_of(db, "org_unit", &new_codes).await?;
            let fresh_ids: Vec<OrgUnitId> = fresh.values().copied().collect();
            sql::execute_in(
                db,
                "INSERT INTO org_unit_closure (ancestor_id, descendant_id, depth) \
                 SELECT id, id, 0 FROM org_unit WHERE id",
                &fresh_ids,
                "",
            )
            .await?;
            sql::execute_in(
                db,
                "INSERT INTO org_unit_closure (ancestor_id, descendant_id, depth) \
                 SELECT c.ancestor_id, u.id, c.depth + 1 FROM org_unit u \
                 JOIN org_unit_closure c ON c.descendant_id = u.parent_id WHERE u.id",
                &fresh_ids,
                "",
            )
            .await?;
            ids.extend(fresh);
        }
        start = end;
    }
    if !moved.is_empty() {
        sql::execute_in(
            db,
            "UPDATE org_unit SET level = (SELECT COUNT(*) FROM org_unit_closure c WHERE c.descendant_id = org_unit.id) \
             WHERE id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id",
            &moved,
            ")",
        )
        .await?;
    }
    Ok(ids)
}

/// Re-hangs the subtree of `unit` under `new_parent` in the closure table.
async fn move_subtree(
    db: &impl ConnectionTrait,
    unit: OrgUnitId,
    new_parent: Option<OrgUnitId>,
) -> Result<(), PersistenceError> {
    sql::execute(
        db,
        "DELETE FROM org_unit_closure \
         WHERE descendant_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?) \
         AND ancestor_id NOT IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)",
        vec![unit.into(), unit.into()],
    )
    .await?;
    if let Some(parent) = new_parent {
        sql::execute(
            db,
            "INSERT INTO org_unit_closure (ancestor_id, descendant_id, depth) \
             SELECT up.ancestor_id, down.descendant_id, up.depth + down.depth + 1 \
             FROM org_unit_closure up, org_unit_closure down \
             WHERE up.descendant_id = ? AND down.ancestor_id = ?",
            vec![parent.into(), unit.into()],
        )
        .await?;
    }
    Ok(())
}

fn decimal_text(d: Decimal) -> String {
    d.normalize().to_string()
}

async fn write_elements(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
    existing: &HashMap<String, catalogue::StoredDataElement>,
    now: i64,
    counts: &mut KindCounts,
) -> Result<(), PersistenceError> {
    let mut rows = Vec::new();
    for (_, e) in &bundle.data_elements {
        match existing.get(e.code.as_str()) {
            None => {
                counts.count(Change::Create);
                rows.push(vec![
                    e.code.as_str().into(),
                    e.name.as_str().into(),
                    e.value_type.as_str().into(),
                    e.aggregation.as_str().into(),
                    now.into(),
                    now.into(),
                ]);
            }
            Some(old) if old.element == *e => counts.count(Change::Same),
            Some(old) => {
                counts.count(Change::Update);
                sql::execute(
                    db,
                    "UPDATE data_element SET name = ?, value_type = ?, aggregation = ?, updated_at = ? WHERE id = ?",
                    vec![
                        e.name.as_str().into(),
                        e.value_type.as_str().into(),
                        e.aggregation.as_str().into(),
                        now.into(),
                        old.id.into(),
                    ],
                )
                .await?;
            }
        }
    }
    sql::insert_rows(
        db,
        "data_element",
        &[
            "code",
            "name",
            "value_type",
            "aggregation",
            "created_at",
            "updated_at",
        ],
        rows,
        "",
    )
    .await?;
    Ok(())
}

fn indicator_values(ind: &Indicator) -> Vec<Value> {
    vec![
        ind.name.as_str().into(),
        ind.group.as_ref().map(|g| g.as_str().to_owned()).into(),
        ind.numerator.source().into(),
        ind.denominator.source().into(),
        decimal_text(ind.factor).into(),
        (ind.decimals as i32).into(),
    ]
}

async fn write_indicators(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
    existing: &HashMap<String, catalogue::StoredIndicator>,
    now: i64,
    counts: &mut KindCounts,
) -> Result<HashMap<String, IndicatorId>, PersistenceError> {
    let mut rows = Vec::new();
    for (_, ind) in &bundle.indicators {
        match existing.get(ind.code.as_str()) {
            None => {
                counts.count(Change::Create);
                let mut row = vec![ind.code.as_str().into()];
                row.extend(indicator_values(ind));
                row.extend([now.into(), now.into()]);
                rows.push(row);
            }
            Some(old) if old.indicator == *ind => counts.count(Change::Same),
            Some(old) => {
                counts.count(Change::Update);
                let mut values = indicator_values(ind);
                values.extend([now.into(), old.id.into()]);
                sql::execute(
                    db,
                    "UPDATE indicator SET name = ?, group_code = ?, numerator = ?, denominator = ?, \
                     factor = ?, decimals = ?, updated_at = ? WHERE id = ?",
                    values,
                )
                .await?;
            }
        }
    }
    sql::insert_rows(
        db,
        "indicator",
        &[
            "code",
            "name",
            "group_code",
            "numerator",
            "denominator",
            "factor",
            "decimals",
            "created_at",
            "updated_at",
        ],
        rows,
        "",
    )
    .await?;
    let codes: Vec<&str> = bundle
        .targets
        .iter()
        .map(|(_, t)| t.indicator.as_str())
        .collect();
    ids_of(db, "indicator", &codes).await
}

/// (indicator id, org unit id, start month, end month).
type TargetKey = (IndicatorId, OrgUnitId, i32, i32);

/// A stored target as the import compares it.
#[derive(FromQueryResult)]
struct ExistingTarget {
    id: TargetId,
    indicator_id: IndicatorId,
    org_unit_id: OrgUnitId,
    start_month: i32,
    end_month: i32,
    operator: String,
    value: String,
    label: Option<String>,
}

async fn write_targets(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
    unit_ids: &HashMap<String, OrgUnitId>,
    indicator_ids: &HashMap<String, IndicatorId>,
    now: i64,
    counts: &mut KindCounts,
) -> Result<(), PersistenceError> {
    if bundle.targets.is_empty() {
        return Ok(());
    }
    let ids: Vec<IndicatorId> = indicator_ids.values().copied().collect();
    let rows: Vec<ExistingTarget> = sql::query_in(
        db,
        "SELECT id, indicator_id, org_unit_id, start_month, end_month, operator, value, label \
         FROM target WHERE indicator_id",
        &ids,
        "",
    )
    .await?;
    let existing: HashMap<TargetKey, ExistingTarget> = rows
        .into_iter()
        .map(|t| {
            (
                (t.indicator_id, t.org_unit_id, t.start_month, t.end_month),
                t,
            )
        })
        .collect();
    let mut rows = Vec::new();
    for (_, t) in &bundle.targets {
        let (Some(&ind), Some(&unit)) = (
            indicator_ids.get(t.indicator.as_str()),
            unit_ids.get(t.org_unit.as_str()),
        ) else {
            return Err(PersistenceError::corrupt("target references vanished"));
        };
        let key = (ind, unit, t.period.start().index(), t.period.end().index());
        let value = decimal_text(t.value);
        match existing.get(&key) {
            None => {
                counts.count(Change::Create);
                rows.push(vec![
                    ind.into(),
                    unit.into(),
                    key.2.into(),
                    key.3.into(),
                    t.operator.as_str().into(),
                    value.into(),
                    t.label.clone().into(),
                    now.into(),
                    now.into(),
                ]);
            }
            Some(old) => {
                let same = old.operator == t.operator.as_str()
                    && decimal(&old.value)? == t.value
                    && old.label == t.label;
                if same {
                    counts.count(Change::Same);
                } else {
                    counts.count(Change::Update);
                    sql::execute(
                        db,
                        "UPDATE target SET operator = ?, value = ?, label = ?, updated_at = ? WHERE id = ?",
                        vec![
                            t.operator.as_str().into(),
                            value.into(),
                            t.label.clone().into(),
                            now.into(),
                            old.id.into(),
                        ],
                    )
                    .await?;
                }
            }
        }
    }
    sql::insert_rows(
        db,
        "target",
        &[
            "indicator_id",
            "org_unit_id",
            "start_month",
            "end_month",
            "operator",
            "value",
            "label",
            "created_at",
            "updated_at",
        ],
        rows,
        "",
    )
    .await?;
    Ok(())
}

async fn rules_by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<HashMap<String, catalogue::StoredRule>, PersistenceError> {
    let wanted: HashSet<&str> = codes.iter().copied().collect();
    Ok(catalogue::all_validation_rules(db)
        .await?
        .into_iter()
        .filter(|r| wanted.contains(r.rule.code.as_str()))
        .map(|r| (r.rule.code.as_str().to_owned(), r))
        .collect())
}

async fn write_rules(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
    existing: &HashMap<String, catalogue::StoredRule>,
    now: i64,
    counts: &mut KindCounts,
) -> Result<(), PersistenceError> {
    let mut rows = Vec::new();
    for (_, r) in &bundle.validation_rules {
        match existing.get(r.code.as_str()) {
            None => {
                counts.count(Change::Create);
                rows.push(vec![
                    r.code.as_str().into(),
                    r.name.as_str().into(),
                    r.left.source().into(),
                    r.operator.as_str().into(),
                    r.right.source().into(),
                    now.into(),
                    now.into(),
                ]);
            }
            Some(old) if old.rule == *r => counts.count(Change::Same),
            Some(old) => {
                counts.count(Change::Update);
                sql::execute(
                    db,
                    "UPDATE validation_rule SET name = ?, left_expr = ?, operator = ?, right_expr = ?, updated_at = ? WHERE id = ?",
                    vec![
                        r.name.as_str().into(),
                        r.left.source().into(),
                        r.operator.as_str().into(),
                        r.right.source().into(),
                        now.into(),
                        old.id.into(),
                    ],
                )
                .await?;
            }
        }
    }
    sql::insert_rows(
        db,
        "validation_rule",
        &[
            "code",
            "name",
            "left_expr",
            "operator",
            "right_expr",
            "created_at",
            "updated_at",
        ],
        rows,
        "",
    )
    .await?;
    Ok(())
}
