//! The append-only audit trail: who changed which figures (old → new), imported metadata,
//! logged in, or issued and revoked tokens. The database refuses UPDATE and DELETE on it.
//!
//! Figures are recorded one row per (write, org unit) with that unit's changes as JSON, so a
//! national load of 100 000 figures adds a few hundred rows, not 100 000.

use sea_orm::{ConnectionTrait, Value};

use crate::{
    Micros, PersistenceError, now_micros,
    sql::{self, get},
};

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// `user`, `token` or `system`.
    pub kind: &'static str,
    /// User or token id.
    pub id: Option<i64>,
    /// Username, `token:<name>`, or a system name such as `demo`.
    pub label: String,
}

impl Actor {
    /// A system actor (demo loader, command line).
    pub fn system(label: &str) -> Self {
        Self {
            kind: "system",
            id: None,
            label: label.to_owned(),
        }
    }
}

/// An event to record.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// What happened, e.g. `data_values.write`, `auth.login_failed`.
    pub action: &'static str,
    /// The org unit concerned, if any.
    pub org_unit_id: Option<i64>,
    /// Details, as JSON text.
    pub detail: String,
}

/// Records events for `actor`, in the caller's transaction.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    events: Vec<NewEvent>,
) -> Result<(), PersistenceError> {
    let at = now_micros();
    let rows: Vec<Vec<Value>> = events
        .into_iter()
        .map(|e| {
            vec![
                at.into(),
                actor.kind.into(),
                actor.id.into(),
                actor.label.clone().into(),
                e.action.into(),
                e.org_unit_id.into(),
                e.detail.into(),
            ]
        })
        .collect();
    sql::insert_rows(
        db,
        "audit_event",
        &[
            "at",
            "actor_kind",
            "actor_id",
            "actor",
            "action",
            "org_unit_id",
            "detail",
        ],
        rows,
        "",
    )
    .await?;
    Ok(())
}

/// A recorded event.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    /// Id (increasing).
    pub id: i64,
    /// When.
    pub at: Micros,
    /// `user`, `token` or `system`.
    pub actor_kind: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Org unit code, if any.
    pub org_unit: Option<String>,
    /// Details.
    pub detail: serde_json::Value,
}

/// Events about units in the subtree of `root` (every event with `None`), newest first,
/// before id `before`, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    root: Option<i64>,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<StoredEvent>, PersistenceError> {
    let mut sql = String::from(
        "SELECT a.id, a.at, a.actor_kind, a.actor, a.action, u.code, a.detail \
         FROM audit_event a LEFT JOIN org_unit u ON u.id = a.org_unit_id WHERE a.id < ?",
    );
    let mut values: Vec<Value> = vec![before.unwrap_or(i64::MAX).into()];
    if let Some(r) = root {
        sql.push_str(" AND a.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)");
        values.push(r.into());
    }
    sql.push_str(" ORDER BY a.id DESC LIMIT ?");
    values.push((limit as i64).into());
    let rows = sql::query(db, &sql, values).await?;
    rows.iter()
        .map(|r| {
            let detail: String = get(r, 6)?;
            Ok(StoredEvent {
                id: get(r, 0)?,
                at: get(r, 1)?,
                actor_kind: get(r, 2)?,
                actor: get(r, 3)?,
                action: get(r, 4)?,
                org_unit: get(r, 5)?,
                detail: serde_json::from_str(&detail).map_err(PersistenceError::corrupt)?,
            })
        })
        .collect()
}
