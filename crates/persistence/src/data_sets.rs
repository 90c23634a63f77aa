//! Reading data sets (forms) back: the set with its calendar, its elements, the unit kinds
//! and the units it is assigned to. Every read is four set-based statements whatever the
//! number of sets: the sets, then their elements, kinds and units for all of them at once.

use std::collections::HashMap;

use chitieu_domain::{
    DataElementCode, DataSet, DataSetCode, OrgUnitCode, PeriodType, Schedule, UnitKind, UnitName,
};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{DataElementId, DataSetId, OrgUnitId, PersistenceError, sql};

/// A stored data set, its lists ordered by code (kinds by name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDataSet {
    /// Internal id.
    pub id: DataSetId,
    /// Its code.
    pub code: DataSetCode,
    /// Its name.
    pub name: UnitName,
    /// The type of its periods.
    pub period_type: PeriodType,
    /// Its calendar.
    pub schedule: Schedule,
    /// Its data elements.
    pub elements: Vec<(DataElementId, DataElementCode)>,
    /// The unit kinds it is assigned to.
    pub kinds: Vec<UnitKind>,
    /// The units it is assigned to by code.
    pub units: Vec<(OrgUnitId, OrgUnitCode)>,
}

impl StoredDataSet {
    /// The data set as the bundle declares one.
    pub fn data_set(&self) -> DataSet {
        DataSet {
            code: self.code.clone(),
            name: self.name.clone(),
            period_type: self.period_type,
            schedule: self.schedule,
            data_elements: self.elements.iter().map(|(_, c)| c.clone()).collect(),
            assigned_kinds: self.kinds.clone(),
            assigned_units: self.units.iter().map(|(_, c)| c.clone()).collect(),
        }
    }

    /// Whether a unit of `kind` and `id` is expected to report this set.
    pub fn is_assigned(&self, id: OrgUnitId, kind: &str) -> bool {
        self.kinds.iter().any(|k| k.as_str() == kind) || self.units.iter().any(|(u, _)| *u == id)
    }
}

#[derive(FromQueryResult)]
struct SetRow {
    id: DataSetId,
    code: String,
    name: String,
    period_type: String,
    cutoff_day: Option<i32>,
    due_days: i32,
    approval_due_days: i32,
    lock_after_days: Option<i32>,
}

#[derive(FromQueryResult)]
struct ElementRow {
    data_set_id: DataSetId,
    id: DataElementId,
    code: String,
}

#[derive(FromQueryResult)]
struct KindRow {
    data_set_id: DataSetId,
    kind: String,
}

#[derive(FromQueryResult)]
struct UnitRow {
    data_set_id: DataSetId,
    id: OrgUnitId,
    code: String,
}

const SET_COLUMNS: &str = "SELECT s.id, s.code, s.name, s.period_type, s.cutoff_day, s.due_days, \
     s.approval_due_days, s.lock_after_days FROM data_set s";

/// Every data set, by code.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<StoredDataSet>, PersistenceError> {
    let rows: Vec<SetRow> =
        sql::query_as(db, &format!("{SET_COLUMNS} ORDER BY s.code"), vec![]).await?;
    complete(db, rows).await
}

/// The data set of `code`, if there is one.
pub async fn load_by_code(
    db: &impl ConnectionTrait,
    code: &DataSetCode,
) -> Result<Option<StoredDataSet>, PersistenceError> {
    Ok(by_codes(db, &[code.as_str()]).await?.pop())
}

/// The data sets of these codes, by code; unknown codes are left out.
pub async fn by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<Vec<StoredDataSet>, PersistenceError> {
    let mut rows: Vec<SetRow> =
        sql::query_in(db, &format!("{SET_COLUMNS} WHERE s.code"), codes, "").await?;
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    complete(db, rows).await
}

/// The data sets holding any of `elements`, by code (the sets whose reports lock figures of
/// these elements).
pub async fn for_elements(
    db: &impl ConnectionTrait,
    elements: &[DataElementId],
) -> Result<Vec<StoredDataSet>, PersistenceError> {
    let mut rows: Vec<SetRow> = sql::query_in(
        db,
        &format!(
            "{SET_COLUMNS} WHERE EXISTS (SELECT 1 FROM data_set_element e \
             WHERE e.data_set_id = s.id AND e.data_element_id"
        ),
        elements,
        ")",
    )
    .await?;
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    rows.dedup_by_key(|r| r.id);
    complete(db, rows).await
}

/// Reads the lists of `rows` (three statements per chunk of sets) and decodes them all.
async fn complete(
    db: &impl ConnectionTrait,
    rows: Vec<SetRow>,
) -> Result<Vec<StoredDataSet>, PersistenceError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Value> = rows.iter().map(|r| r.id.into()).collect();
    let elements: Vec<ElementRow> = sql::query_in(
        db,
        "SELECT l.data_set_id, e.id, e.code FROM data_set_element l \
         JOIN data_element e ON e.id = l.data_element_id WHERE l.data_set_id",
        &ids,
        " ORDER BY e.code",
    )
    .await?;
    let kinds: Vec<KindRow> = sql::query_in(
        db,
        "SELECT data_set_id, kind FROM data_set_kind WHERE data_set_id",
        &ids,
        " ORDER BY kind",
    )
    .await?;
    let units: Vec<UnitRow> = sql::query_in(
        db,
        "SELECT l.data_set_id, u.id, u.code FROM data_set_unit l \
         JOIN org_unit u ON u.id = l.org_unit_id WHERE l.data_set_id",
        &ids,
        " ORDER BY u.code",
    )
    .await?;
    let mut sets: Vec<StoredDataSet> = rows.into_iter().map(decode).collect::<Result<_, _>>()?;
    let at: HashMap<DataSetId, usize> = sets.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let place = |id: DataSetId| {
        at.get(&id)
            .copied()
            .ok_or_else(|| PersistenceError::corrupt(format!("data set {id} vanished")))
    };
    for e in elements {
        let code = DataElementCode::parse(&e.code).map_err(PersistenceError::corrupt)?;
        sets[place(e.data_set_id)?].elements.push((e.id, code));
    }
    for k in kinds {
        let kind = UnitKind::parse(&k.kind).map_err(PersistenceError::corrupt)?;
        sets[place(k.data_set_id)?].kinds.push(kind);
    }
    for u in units {
        let code = OrgUnitCode::parse(&u.code).map_err(PersistenceError::corrupt)?;
        sets[place(u.data_set_id)?].units.push((u.id, code));
    }
    // Chunks may each be ordered; the whole lists are ordered once more.
    for s in &mut sets {
        s.elements.sort_by(|a, b| a.1.cmp(&b.1));
        s.kinds.sort();
        s.units.sort_by(|a, b| a.1.cmp(&b.1));
    }
    Ok(sets)
}

fn decode(row: SetRow) -> Result<StoredDataSet, PersistenceError> {
    let day = |d: i32| i64::from(d);
    Ok(StoredDataSet {
        id: row.id,
        code: DataSetCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
        name: UnitName::parse(&row.name).map_err(PersistenceError::corrupt)?,
        period_type: PeriodType::parse(&row.period_type).map_err(PersistenceError::corrupt)?,
        schedule: Schedule::new(
            row.cutoff_day.map(day),
            day(row.due_days),
            day(row.approval_due_days),
            row.lock_after_days.map(day),
        )
        .map_err(PersistenceError::corrupt)?,
        elements: Vec::new(),
        kinds: Vec::new(),
        units: Vec::new(),
    })
}
