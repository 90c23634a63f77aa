//! The append-only audit trail: who changed which figures (old → new), imported metadata,
//! logged in, or issued and revoked tokens. The database refuses UPDATE and DELETE on it.
//!
//! Figures are recorded one row per (write, org unit) with that unit's changes as JSON, so a
//! national load of 100 000 figures adds a few hundred rows, not 100 000.

use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    ApiTokenId, AuditEventId, Micros, OrgUnitId, PersistenceError, UserId, now_micros, sql,
};

/// What kind of actor acted, with its id: stored as `actor_kind` and `actor_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    /// A user; `None` for a name that matches no user (a failed login).
    User(Option<UserId>),
    /// An API token.
    Token(ApiTokenId),
    /// The system itself (demo loader, command line).
    System,
}

impl ActorKind {
    /// `user`, `token` or `system`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User(_) => "user",
            ActorKind::Token(_) => "token",
            ActorKind::System => "system",
        }
    }

    /// The `actor_id` column: the user's or the token's id.
    fn id_value(self) -> Value {
        match self {
            ActorKind::User(id) => id.into(),
            ActorKind::Token(id) => Some(id).into(),
            ActorKind::System => None::<UserId>.into(),
        }
    }
}

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// A user, a token or the system, with its id.
    pub kind: ActorKind,
    /// Username, `token:<name>`, or a system name such as `demo`.
    pub label: String,
}

impl Actor {
    /// A system actor (demo loader, command line).
    pub fn system(label: &str) -> Self {
        Self {
            kind: ActorKind::System,
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
    pub org_unit_id: Option<OrgUnitId>,
    /// Details, as JSON text.
    pub detail: String,
}

/// Records events for `actor`, in the caller's transaction.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    events: Vec<NewEvent>,
) -> Result<(), PersistenceError> {
    record_at(db, actor, now_micros(), events).await
}

/// Records events for `actor` at the instant `at` (a replayed history keeps its own times),
/// in the caller's transaction.
pub async fn record_at(
    db: &impl ConnectionTrait,
    actor: &Actor,
    at: i64,
    events: Vec<NewEvent>,
) -> Result<(), PersistenceError> {
    let rows: Vec<Vec<Value>> = events
        .into_iter()
        .map(|e| {
            vec![
                at.into(),
                actor.kind.as_str().into(),
                actor.kind.id_value(),
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
    pub id: AuditEventId,
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

/// A row of [`list`]; `detail` is JSON text.
#[derive(FromQueryResult)]
struct EventRow {
    id: AuditEventId,
    at: Micros,
    actor_kind: String,
    actor: String,
    action: String,
    org_unit: Option<String>,
    detail: String,
}

/// Events about units in the subtree of `root` (every event with `None`), newest first,
/// before id `before`, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    root: Option<OrgUnitId>,
    before: Option<AuditEventId>,
    limit: u64,
) -> Result<Vec<StoredEvent>, PersistenceError> {
    let mut sql = String::from(
        "SELECT a.id, a.at, a.actor_kind, a.actor, a.action, u.code AS org_unit, a.detail \
         FROM audit_event a LEFT JOIN org_unit u ON u.id = a.org_unit_id WHERE a.id < ?",
    );
    let mut values: Vec<Value> = vec![before.map_or(i64::MAX, AuditEventId::get).into()];
    if let Some(r) = root {
        sql.push_str(" AND a.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)");
        values.push(r.into());
    }
    sql.push_str(" ORDER BY a.id DESC LIMIT ?");
    values.push((limit as i64).into());
    let rows: Vec<EventRow> = sql::query_as(db, &sql, values).await?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredEvent {
                id: r.id,
                at: r.at,
                actor_kind: r.actor_kind,
                actor: r.actor,
                action: r.action,
                org_unit: r.org_unit,
                detail: serde_json::from_str(&r.detail).map_err(PersistenceError::corrupt)?,
            })
        })
        .collect()
}
