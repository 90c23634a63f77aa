//! What the store already holds that an import compares its bundle with, loaded in a few
//! set-based reads so that the checks and the plan can be pure.

use std::collections::{HashMap, HashSet};

use chitieu_domain::{
    Bounds, DataElementCode, IndicatorCode, MinMax, OrgUnitCode, Period, RuleCheck,
};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::MetadataBundle;
use crate::{
    DataElementId, OrgUnitId, PersistenceError,
    catalogue::{self, StoredDataElement, StoredIndicator, StoredRule, StoredTarget},
    data_sets::{self, StoredDataSet},
    indicator_groups::{self, StoredIndicatorGroup},
    sql,
};

/// A stored unit as the import compares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ExistingUnit {
    pub id: OrgUnitId,
    pub code: OrgUnitCode,
    pub name: String,
    pub kind: String,
    pub parent: Option<OrgUnitCode>,
}

/// A target's identity: the indicator, the unit that set it, the period.
pub(super) type TargetKey = (IndicatorCode, OrgUnitCode, Period);

/// The stored state an import needs, keyed by code.
#[derive(Clone, Debug, Default)]
pub(super) struct Existing {
    /// Every org unit (the whole tree is checked).
    pub units: HashMap<String, ExistingUnit>,
    /// Every data element (expressions may name any).
    pub data_elements: HashMap<String, StoredDataElement>,
    /// The indicators the bundle defines, sets targets for or names (rules, `part_of`).
    pub indicators: HashMap<String, StoredIndicator>,
    /// The stored targets of the indicators the bundle sets targets for.
    pub targets: HashMap<TargetKey, StoredTarget>,
    /// The validation rules the bundle defines.
    pub validation_rules: HashMap<String, StoredRule>,
    /// Codes of the data elements that the bundle gives another value type and that hold
    /// figures (their type is locked).
    pub elements_with_values: HashSet<String>,
    /// The data sets the bundle declares.
    pub data_sets: HashMap<String, StoredDataSet>,
    /// The indicator groups the bundle declares.
    pub indicator_groups: HashMap<String, StoredIndicatorGroup>,
    /// The stored bounds of the units the bundle gives bounds for, by (element, unit) code.
    pub min_max: HashMap<(String, String), MinMax>,
    /// The projects and notes the bundle declares, and the subjects its notes name.
    pub projects: super::existing_projects::ExistingProjects,
}

/// A row of `org_unit` with its parent's code.
#[derive(FromQueryResult)]
struct UnitRow {
    id: OrgUnitId,
    code: String,
    name: String,
    kind: String,
    parent: Option<String>,
}

#[derive(FromQueryResult)]
struct CodeRow {
    code: String,
}

/// Loads what `bundle` will be compared with.
pub(super) async fn load(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
) -> Result<Existing, PersistenceError> {
    let units = load_units(db).await?;
    let data_elements: HashMap<String, StoredDataElement> = catalogue::all_data_elements(db)
        .await?
        .into_values()
        .map(|e| (e.element.code.as_str().to_owned(), e))
        .collect();
    let target_indicators: Vec<&str> = bundle
        .targets
        .iter()
        .map(|(_, t)| t.indicator.as_str())
        .collect();
    // Rules and indicators may name stored indicators too (`indicator`, `part_of`).
    let named = (bundle.validation_rules.iter()).filter_map(|(_, r)| match &r.check {
        RuleCheck::StatedStatus { indicator, .. } => Some(indicator.as_str()),
        RuleCheck::Compare(_) => None,
    });
    let parts = (bundle.indicators.iter()).filter_map(|(_, i)| i.links.part_of.as_ref());
    let indicator_codes: Vec<&str> = bundle
        .indicators
        .iter()
        .map(|(_, i)| i.code.as_str())
        .chain(target_indicators.iter().copied())
        .chain(named)
        .chain(parts.map(|c| c.as_str()))
        .collect();
    let indicators = catalogue::indicators_by_codes(db, &indicator_codes).await?;
    let targets = catalogue::targets_of_indicators(db, &target_indicators)
        .await?
        .into_iter()
        .map(|t| {
            let key = (
                t.target.indicator.clone(),
                t.target.org_unit.clone(),
                t.target.period,
            );
            (key, t)
        })
        .collect();
    let rule_codes: HashSet<&str> = bundle
        .validation_rules
        .iter()
        .map(|(_, r)| r.code.as_str())
        .collect();
    let validation_rules = catalogue::all_validation_rules(db)
        .await?
        .into_iter()
        .filter(|r| rule_codes.contains(r.rule.code.as_str()))
        .map(|r| (r.rule.code.as_str().to_owned(), r))
        .collect();
    let retyped: Vec<DataElementId> = bundle
        .data_elements
        .iter()
        .filter_map(|(_, e)| {
            let old = data_elements.get(e.code.as_str())?;
            (old.element.value_type != e.value_type).then_some(old.id)
        })
        .collect();
    let with_values: Vec<CodeRow> = sql::query_in(
        db,
        "SELECT e.code FROM data_element e \
         WHERE EXISTS (SELECT 1 FROM data_value v WHERE v.data_element_id = e.id) AND e.id",
        &retyped,
        "",
    )
    .await?;
    let set_codes: Vec<&str> = bundle
        .data_sets
        .iter()
        .map(|(_, d)| d.code.as_str())
        .collect();
    let group_codes: Vec<&str> = (bundle.indicator_groups.iter())
        .map(|(_, g)| g.code.as_str())
        .collect();
    let bounded_units: Vec<&str> = bundle
        .min_max
        .iter()
        .map(|(_, m)| m.org_unit.as_str())
        .collect();
    Ok(Existing {
        projects: super::existing_projects::load(db, bundle).await?,
        data_sets: (data_sets::by_codes(db, &set_codes).await?.into_iter())
            .map(|s| (s.code.as_str().to_owned(), s))
            .collect(),
        indicator_groups: (indicator_groups::by_codes(db, &group_codes)
            .await?
            .into_iter())
        .map(|g| (g.group.code.as_str().to_owned(), g))
        .collect(),
        min_max: load_min_max(db, &bounded_units).await?,
        units,
        data_elements,
        indicators,
        targets,
        validation_rules,
        elements_with_values: with_values.into_iter().map(|r| r.code).collect(),
    })
}

async fn load_units(
    db: &impl ConnectionTrait,
) -> Result<HashMap<String, ExistingUnit>, PersistenceError> {
    let rows: Vec<UnitRow> = sql::query_as(
        db,
        "SELECT u.id, u.code, u.name, u.kind, p.code AS parent FROM org_unit u \
         LEFT JOIN org_unit p ON p.id = u.parent_id",
        vec![],
    )
    .await?;
    let mut units = HashMap::with_capacity(rows.len());
    for row in rows {
        let unit = ExistingUnit {
            id: row.id,
            code: OrgUnitCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
            name: row.name,
            kind: row.kind,
            parent: row
                .parent
                .as_deref()
                .map(OrgUnitCode::parse)
                .transpose()
                .map_err(PersistenceError::corrupt)?,
        };
        units.insert(row.code, unit);
    }
    Ok(units)
}

#[derive(FromQueryResult)]
struct MinMaxRow {
    data_element: String,
    org_unit: String,
    min_value: Option<String>,
    max_value: Option<String>,
}

/// The stored bounds of the units of `codes`, by (element, unit) code.
async fn load_min_max(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<HashMap<(String, String), MinMax>, PersistenceError> {
    let rows: Vec<MinMaxRow> = sql::query_in(
        db,
        "SELECT e.code AS data_element, u.code AS org_unit, m.min_value, m.max_value \
         FROM min_max m JOIN data_element e ON e.id = m.data_element_id \
         JOIN org_unit u ON u.id = m.org_unit_id WHERE u.code",
        codes,
        "",
    )
    .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let decimal = |s: Option<String>| s.as_deref().map(catalogue::decimal).transpose();
        let bounds = Bounds::new(decimal(row.min_value)?, decimal(row.max_value)?)
            .map_err(PersistenceError::corrupt)?;
        let bound = MinMax {
            data_element: DataElementCode::parse(&row.data_element)
                .map_err(PersistenceError::corrupt)?,
            org_unit: OrgUnitCode::parse(&row.org_unit).map_err(PersistenceError::corrupt)?,
            bounds,
        };
        out.insert((row.data_element, row.org_unit), bound);
    }
    Ok(out)
}
