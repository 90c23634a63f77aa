//! What the store already holds that an import compares its bundle with, loaded in a few
//! set-based reads so that the checks and the plan can be pure.

use std::collections::{HashMap, HashSet};

use chitieu_domain::{IndicatorCode, OrgUnitCode, Period};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::MetadataBundle;
use crate::{
    DataElementId, OrgUnitId, PersistenceError,
    catalogue::{self, StoredDataElement, StoredIndicator, StoredRule, StoredTarget},
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
    /// The indicators the bundle defines or sets targets for.
    pub indicators: HashMap<String, StoredIndicator>,
    /// The stored targets of the indicators the bundle sets targets for.
    pub targets: HashMap<TargetKey, StoredTarget>,
    /// The validation rules the bundle defines.
    pub validation_rules: HashMap<String, StoredRule>,
    /// Codes of the data elements that the bundle gives another value type and that hold
    /// figures (their type is locked).
    pub elements_with_values: HashSet<String>,
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
    let indicator_codes: Vec<&str> = bundle
        .indicators
        .iter()
        .map(|(_, i)| i.code.as_str())
        .chain(target_indicators.iter().copied())
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
    Ok(Existing {
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
