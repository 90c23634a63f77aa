//! Reading the org tree: lookups by code, listing and searching within a scope, and the
//! subtree test every authorization decision relies on.

use std::collections::HashMap;

use chitieu_domain::{OrgUnit, OrgUnitCode, SearchText, UnitKind, UnitName};
use sea_orm::{ConnectionTrait, QueryResult, Value};

use crate::{
    PersistenceError, Scope,
    sql::{self, get, like_escape, placeholders},
};

/// An org unit as stored: the domain unit plus its id and depth (root = 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredOrgUnit {
    /// Internal id, never shown to clients.
    pub id: i64,
    /// The unit.
    pub unit: OrgUnit,
    /// Depth in the tree, the root being 1.
    pub level: i32,
}

/// Filters for [`list`].
#[derive(Clone, Debug, Default)]
pub struct OrgUnitFilter {
    /// Only direct children of this unit.
    pub parent: Option<i64>,
    /// Only units whose name contains this text, ignoring case and Vietnamese diacritics.
    pub q: Option<SearchText>,
}

/// Position after which a page of [`list`] starts: `(level, code)` of the last unit seen.
pub type OrgUnitCursor = (i32, String);

const SELECT: &str = "SELECT u.id, u.code, u.name, u.kind, p.code, u.level \
     FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id";
const SELECT_WITH_PARENT_ID: &str = "SELECT u.id, u.code, u.name, u.kind, p.code, u.level, u.parent_id \
     FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id";

fn decode(row: &QueryResult) -> Result<StoredOrgUnit, PersistenceError> {
    let code: String = get(row, 1)?;
    let name: String = get(row, 2)?;
    let kind: String = get(row, 3)?;
    let parent: Option<String> = get(row, 4)?;
    let unit = OrgUnit {
        code: OrgUnitCode::parse(&code).map_err(PersistenceError::corrupt)?,
        name: UnitName::parse(&name).map_err(PersistenceError::corrupt)?,
        kind: UnitKind::parse(&kind).map_err(PersistenceError::corrupt)?,
        parent: parent
            .map(|p| OrgUnitCode::parse(&p))
            .transpose()
            .map_err(PersistenceError::corrupt)?,
    };
    Ok(StoredOrgUnit {
        id: get(row, 0)?,
        unit,
        level: get(row, 5)?,
    })
}

/// The unit with this code, if any.
pub async fn find_by_code(
    db: &impl ConnectionTrait,
    code: &OrgUnitCode,
) -> Result<Option<StoredOrgUnit>, PersistenceError> {
    let rows = sql::query(
        db,
        &format!("{SELECT} WHERE u.code = ?"),
        vec![code.as_str().into()],
    )
    .await?;
    rows.first().map(decode).transpose()
}

/// Units by id (order unspecified).
pub async fn find_by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<StoredOrgUnit>, PersistenceError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(sql::MAX_PARAMS) {
        let values = chunk.iter().map(|&id| Value::from(id)).collect();
        let rows = sql::query(
            db,
            &format!("{SELECT} WHERE u.id IN ({})", placeholders(chunk.len())),
            values,
        )
        .await?;
        for row in &rows {
            out.push(decode(row)?);
        }
    }
    Ok(out)
}

/// Maps the given codes to ids; unknown codes are absent from the map.
pub async fn ids_by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<HashMap<String, i64>, PersistenceError> {
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(sql::MAX_PARAMS) {
        let values = chunk.iter().map(|&c| Value::from(c)).collect();
        let rows = sql::query(
            db,
            &format!(
                "SELECT code, id FROM org_unit WHERE code IN ({})",
                placeholders(chunk.len())
            ),
            values,
        )
        .await?;
        for row in &rows {
            out.insert(get::<String>(row, 0)?, get::<i64>(row, 1)?);
        }
    }
    Ok(out)
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
    let rows = sql::query(db, &sql, values).await?;
    rows.iter().map(decode).collect()
}

/// The ids among `ids` that lie inside `scope`.
pub async fn filter_in_scope(
    db: &impl ConnectionTrait,
    scope: Scope,
    ids: &[i64],
) -> Result<Vec<i64>, PersistenceError> {
    let Scope::Subtree(root) = scope else {
        return Ok(ids.to_vec());
    };
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(sql::MAX_PARAMS - 1) {
        let mut values: Vec<Value> = vec![root.into()];
        values.extend(chunk.iter().map(|&id| Value::from(id)));
        let rows = sql::query(
            db,
            &format!(
                "SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ? AND descendant_id IN ({})",
                placeholders(chunk.len())
            ),
            values,
        )
        .await?;
        for row in &rows {
            out.push(get::<i64>(row, 0)?);
        }
    }
    Ok(out)
}

/// True when `unit` lies inside `scope`.
pub async fn in_scope(
    db: &impl ConnectionTrait,
    scope: Scope,
    unit: i64,
) -> Result<bool, PersistenceError> {
    Ok(!filter_in_scope(db, scope, &[unit]).await?.is_empty())
}

/// True when `unit` lies inside `scope` or above it (an ancestor of the subtree's root): the
/// units whose targets apply to the subtree.
pub async fn in_scope_or_above(
    db: &impl ConnectionTrait,
    scope: Scope,
    unit: i64,
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
pub async fn chain(
    db: &impl ConnectionTrait,
    unit: i64,
) -> Result<Vec<(i64, OrgUnitCode)>, PersistenceError> {
    let rows = sql::query(
        db,
        "SELECT u.id, u.code FROM org_unit_closure c JOIN org_unit u ON u.id = c.ancestor_id \
         WHERE c.descendant_id = ? ORDER BY c.depth",
        vec![unit.into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let code: String = get(r, 1)?;
            Ok((
                get(r, 0)?,
                OrgUnitCode::parse(&code).map_err(PersistenceError::corrupt)?,
            ))
        })
        .collect()
}

/// The chains of many units at once: for each id, the unit itself then its ancestors,
/// nearest first.
pub async fn chains(
    db: &impl ConnectionTrait,
    units: &[i64],
) -> Result<HashMap<i64, Vec<(i64, OrgUnitCode)>>, PersistenceError> {
    let mut out: HashMap<i64, Vec<(i64, OrgUnitCode)>> = HashMap::with_capacity(units.len());
    for chunk in units.chunks(sql::MAX_PARAMS) {
        let rows = sql::query(
            db,
            &format!(
                "SELECT c.descendant_id, u.id, u.code FROM org_unit_closure c \
                 JOIN org_unit u ON u.id = c.ancestor_id \
                 WHERE c.descendant_id IN ({}) ORDER BY c.descendant_id, c.depth",
                placeholders(chunk.len())
            ),
            chunk.iter().map(|&id| Value::from(id)).collect(),
        )
        .await?;
        for r in &rows {
            let code: String = get(r, 2)?;
            out.entry(get(r, 0)?).or_default().push((
                get(r, 1)?,
                OrgUnitCode::parse(&code).map_err(PersistenceError::corrupt)?,
            ));
        }
    }
    Ok(out)
}

/// Direct children of many units at once, each list in natural name order.
pub async fn children_of(
    db: &impl ConnectionTrait,
    parents: &[i64],
) -> Result<HashMap<i64, Vec<StoredOrgUnit>>, PersistenceError> {
    let mut out: HashMap<i64, Vec<StoredOrgUnit>> = HashMap::with_capacity(parents.len());
    for chunk in parents.chunks(sql::MAX_PARAMS) {
        let rows = sql::query(
            db,
            &format!(
                "{SELECT_WITH_PARENT_ID} WHERE u.parent_id IN ({})",
                placeholders(chunk.len())
            ),
            chunk.iter().map(|&id| Value::from(id)).collect(),
        )
        .await?;
        for r in &rows {
            let parent: i64 = get(r, 6)?;
            out.entry(parent).or_default().push(decode(r)?);
        }
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
    unit: i64,
) -> Result<Vec<StoredOrgUnit>, PersistenceError> {
    let rows = sql::query(
        db,
        &format!("{SELECT} WHERE u.parent_id = ?"),
        vec![unit.into()],
    )
    .await?;
    let mut out = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    out.sort_by(natural_order);
    Ok(out)
}
