//! Reading the org tree: lookups by code, listing and searching within a scope, and the
//! subtree test every authorization decision relies on.

use std::collections::HashMap;

use chitieu_domain::{OrgUnit, OrgUnitCode, SearchText, UnitKind, UnitName};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    OrgUnitId, PersistenceError, Scope,
    sql::{self, InList, like_escape},
};

/// An org unit as stored: the domain unit plus its id and depth (root = 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredOrgUnit {
    /// Internal id, never shown to clients.
    pub id: OrgUnitId,
    /// The unit.
    pub unit: OrgUnit,
    /// Depth in the tree, the root being 1.
    pub level: i32,
}

/// Filters for [`list`].
#[derive(Clone, Debug, Default)]
pub struct OrgUnitFilter {
    /// Only direct children of this unit.
    pub parent: Option<OrgUnitId>,
    /// Only units whose name contains this text, ignoring case and Vietnamese diacritics.
    pub q: Option<SearchText>,
}

/// Position after which a page of [`list`] starts: `(level, code)` of the last unit seen.
pub type OrgUnitCursor = (i32, String);

/// The columns of [`UnitRow`]: `org_unit` aliased `u`, its parent `p`.
const SELECT: &str = "SELECT u.id, u.code, u.name, u.kind, p.code AS parent_code, u.level \
     FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id";
const SELECT_WITH_PARENT_ID: &str = "SELECT u.id, u.code, u.name, u.kind, p.code AS parent_code, u.level, \
     u.parent_id FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id";

/// A unit as [`SELECT`] reads it.
#[derive(FromQueryResult)]
struct UnitRow {
    id: OrgUnitId,
    code: String,
    name: String,
    kind: String,
    parent_code: Option<String>,
    level: i32,
}

impl TryFrom<UnitRow> for StoredOrgUnit {
    type Error = PersistenceError;

    fn try_from(row: UnitRow) -> Result<Self, PersistenceError> {
        let unit = OrgUnit {
            code: OrgUnitCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
            name: UnitName::parse(&row.name).map_err(PersistenceError::corrupt)?,
            kind: UnitKind::parse(&row.kind).map_err(PersistenceError::corrupt)?,
            parent: row
                .parent_code
                .map(|p| OrgUnitCode::parse(&p))
                .transpose()
                .map_err(PersistenceError::corrupt)?,
        };
        Ok(StoredOrgUnit {
            id: row.id,
            unit,
            level: row.level,
        })
    }
}

fn decode(rows: Vec<UnitRow>) -> Result<Vec<StoredOrgUnit>, PersistenceError> {
    rows.into_iter().map(StoredOrgUnit::try_from).collect()
}

/// An id and a code.
#[derive(FromQueryResult)]
struct CodeId {
    code: String,
    id: OrgUnitId,
}

/// One unit of a chain: the unit `descendant_id` has `id`/`code` among its ancestors.
#[derive(FromQueryResult)]
struct ChainRow {
    descendant_id: OrgUnitId,
    id: OrgUnitId,
    code: String,
}

/// A unit of [`SELECT_WITH_PARENT_ID`].
#[derive(FromQueryResult)]
struct ChildRow {
    parent_id: OrgUnitId,
    #[sea_orm(nested)]
    unit: UnitRow,
}

#[derive(FromQueryResult)]
struct Descendant {
    descendant_id: OrgUnitId,
}

/// The unit with this code, if any.
pub async fn find_by_code(
    db: &impl ConnectionTrait,
    code: &OrgUnitCode,
) -> Result<Option<StoredOrgUnit>, PersistenceError> {
    let rows: Vec<UnitRow> = sql::query_as(
        db,
        &format!("{SELECT} WHERE u.code = ?"),
        vec![code.as_str().into()],
    )
    .await?;
    rows.into_iter()
        .next()
        .map(StoredOrgUnit::try_from)
        .transpose()
}

/// Units by id (order unspecified).
pub async fn find_by_ids(
    db: &impl ConnectionTrait,
    ids: &[OrgUnitId],
) -> Result<Vec<StoredOrgUnit>, PersistenceError> {
    decode(sql::query_in(db, &format!("{SELECT} WHERE u.id"), ids, "").await?)
}

/// Maps the given codes to ids; unknown codes are absent from the map.
pub async fn ids_by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<HashMap<String, OrgUnitId>, PersistenceError> {
    let rows: Vec<CodeId> =
        sql::query_in(db, "SELECT code, id FROM org_unit WHERE code", codes, "").await?;
    Ok(rows.into_iter().map(|r| (r.code, r.id)).collect())
}

/// Lists units inside `scope`, ordered by level then code, at most `limit`, after `cursor`.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: Scope,
    filter: &OrgUnitFilter,
    cursor: Option<&OrgUnitCursor>,
    limit: u64,
) -> Result<Vec<StoredOrgUnit>, PersistenceError> {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    let mut values: Vec<Value> = Vec::new();
    if let Scope::Subtree(root) = scope {
        sql.push_str(
            " AND u.id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)",
        );
        values.push(root.into());
    }
    if let Some(parent) = filter.parent {
        sql.push_str(" AND u.parent_id = ?");
        values.push(parent.into());
    }
    if let Some(q) = &filter.q {
        let folded = q.folded();
        if !folded.is_empty() {
            sql.push_str(" AND u.name_folded LIKE ? ESCAPE '\\'");
            values.push(format!("%{}%", like_escape(folded)).into());
        }
    }
    if let Some((level, code)) = cursor {
        sql.push_str(" AND (u.level > ? OR (u.level = ? AND u.code > ?))");
        values.push((*level).into());
        values.push((*level).into());
        values.push(code.clone().into());
    }
    sql.push_str(" ORDER BY u.level, u.code LIMIT ?");
    values.push((limit as i64).into());
    decode(sql::query_as(db, &sql, values).await?)
}

/// The ids among `ids` that lie inside `scope`.
pub async fn filter_in_scope(
    db: &impl ConnectionTrait,
    scope: Scope,
    ids: &[OrgUnitId],
) -> Result<Vec<OrgUnitId>, PersistenceError> {
    let Scope::Subtree(root) = scope else {
        return Ok(ids.to_vec());
    };
    let rows: Vec<Descendant> = InList::new(
        "SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ? AND descendant_id",
        "",
    )
    .bind_before([root.into()])
    .query(db, ids)
    .await?;
    Ok(rows.into_iter().map(|r| r.descendant_id).collect())
}

/// True when `unit` lies inside `scope`.
pub async fn in_scope(
    db: &impl ConnectionTrait,
    scope: Scope,
    unit: OrgUnitId,
) -> Result<bool, PersistenceError> {
    Ok(!filter_in_scope(db, scope, &[unit]).await?.is_empty())
}

/// True when `unit` lies inside `scope` or above it (an ancestor of the subtree's root): the
/// units whose targets apply to the subtree.
pub async fn in_scope_or_above(
    db: &impl ConnectionTrait,
    scope: Scope,
    unit: OrgUnitId,
) -> Result<bool, PersistenceError> {
    let Scope::Subtree(root) = scope else {
        return Ok(true);
    };
    let rows = sql::query(
        db,
        "SELECT 1 FROM org_unit_closure \
         WHERE (ancestor_id = ? AND descendant_id = ?) OR (ancestor_id = ? AND descendant_id = ?)",
        vec![root.into(), unit.into(), unit.into(), root.into()],
    )
    .await?;
    Ok(!rows.is_empty())
}

/// A unit's chain: the unit itself, then its ancestors, nearest first (ids and codes).
pub type Chain = Vec<(OrgUnitId, OrgUnitCode)>;

/// A unit's [`Chain`].
pub async fn chain(db: &impl ConnectionTrait, unit: OrgUnitId) -> Result<Chain, PersistenceError> {
    let rows: Vec<CodeId> = sql::query_as(
        db,
        "SELECT u.id, u.code FROM org_unit_closure c JOIN org_unit u ON u.id = c.ancestor_id \
         WHERE c.descendant_id = ? ORDER BY c.depth",
        vec![unit.into()],
    )
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.id,
                OrgUnitCode::parse(&r.code).map_err(PersistenceError::corrupt)?,
            ))
        })
        .collect()
}

/// The chains of many units at once: for each id, the unit itself then its ancestors,
/// nearest first.
pub async fn chains(
    db: &impl ConnectionTrait,
    units: &[OrgUnitId],
) -> Result<HashMap<OrgUnitId, Chain>, PersistenceError> {
    let mut out: HashMap<OrgUnitId, Chain> = HashMap::with_capacity(units.len());
    let rows: Vec<ChainRow> = sql::query_in(
        db,
        "SELECT c.descendant_id, u.id, u.code FROM org_unit_closure c \
         JOIN org_unit u ON u.id = c.ancestor_id WHERE c.descendant_id",
        units,
        " ORDER BY c.descendant_id, c.depth",
    )
    .await?;
    for r in rows {
        let code = OrgUnitCode::parse(&r.code).map_err(PersistenceError::corrupt)?;
        out.entry(r.descendant_id).or_default().push((r.id, code));
    }
    Ok(out)
}

/// Direct children of many units at once, each list in natural name order.
pub async fn children_of(
    db: &impl ConnectionTrait,
    parents: &[OrgUnitId],
) -> Result<HashMap<OrgUnitId, Vec<StoredOrgUnit>>, PersistenceError> {
    let mut out: HashMap<OrgUnitId, Vec<StoredOrgUnit>> = HashMap::with_capacity(parents.len());
    let rows: Vec<ChildRow> = sql::query_in(
        db,
        &format!("{SELECT_WITH_PARENT_ID} WHERE u.parent_id"),
        parents,
        "",
    )
    .await?;
    for r in rows {
        out.entry(r.parent_id)
            .or_default()
            .push(StoredOrgUnit::try_from(r.unit)?);
    }
    for list in out.values_mut() {
        list.sort_by(natural_order);
    }
    Ok(out)
}

fn natural_order(a: &StoredOrgUnit, b: &StoredOrgUnit) -> std::cmp::Ordering {
    chitieu_domain::text::natural_cmp(a.unit.name.as_str(), b.unit.name.as_str())
        .then_with(|| a.unit.code.cmp(&b.unit.code))
}

/// Direct children of a unit in natural name order ("Phường 2" before "Phường 10").
pub async fn children(
    db: &impl ConnectionTrait,
    unit: OrgUnitId,
) -> Result<Vec<StoredOrgUnit>, PersistenceError> {
    let rows = sql::query_as(
        db,
        &format!("{SELECT} WHERE u.parent_id = ?"),
        vec![unit.into()],
    )
    .await?;
    let mut out = decode(rows)?;
    out.sort_by(natural_order);
    Ok(out)
}
