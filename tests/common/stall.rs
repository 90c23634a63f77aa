//! Holds a server's write transaction open from the outside, so a test can make something
//! happen (a timeout) while the transaction has provably begun and written, then check what
//! was kept.
//!
//! The stall is on the insert of an audit event, the last statement of a submission: when it
//! stalls, the figures, their tombstones and the roll-up are already written inside the
//! transaction. On PostgreSQL the test's own connection holds a `SHARE` lock on `audit_event`,
//! so the insert waits for it; on SQLite (one writer, nothing to wait on) a trigger makes the
//! insert burn CPU for a measured while.

use std::time::{Duration, Instant};

use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait,
};

use super::{Backend, TestApp, wait_until};

/// A stall on the insert of audit events, and a connection of the test's own to the server's
/// database.
pub struct Stall {
    backend: Backend,
    conn: DatabaseConnection,
    /// PostgreSQL: the transaction holding the lock.
    lock: Option<DatabaseTransaction>,
}

const BURN: &str = "SELECT count(*) AS n FROM stall_burn a, stall_burn b WHERE a.x + b.x >= 0";

impl Stall {
    /// Stalls every insert into `audit_event` from now on: until [`Stall::settle`] on
    /// PostgreSQL, for about `burn` (at least) of CPU time each on SQLite.
    pub async fn install(app: &TestApp, burn: Duration) -> Stall {
        let conn = sea_orm::Database::connect(
            ConnectOptions::new(app.database_url.clone())
                // SQLite: one connection, so the probe's pragma and statements share it.
                // PostgreSQL: one holds the lock, one looks.
                .max_connections(match app.backend {
                    Backend::Sqlite => 1,
                    Backend::Postgres => 2,
                })
                .sqlx_logging(false)
                .to_owned(),
        )
        .await
        .unwrap();
        let lock = match app.backend {
            Backend::Postgres => {
                let tx = conn.begin().await.unwrap();
                tx.execute_unprepared("LOCK TABLE audit_event IN SHARE MODE")
                    .await
                    .unwrap();
                Some(tx)
            }
            Backend::Sqlite => {
                // The probe of `write_open` must not wait for the server's lock.
                conn.execute_unprepared("PRAGMA busy_timeout = 0")
                    .await
                    .unwrap();
                install_burn(&conn, burn).await;
                None
            }
        };
        Stall {
            backend: app.backend,
            conn,
            lock,
        }
    }

    /// Whether a write transaction of the server is open now. PostgreSQL: a transaction that
    /// ran statements before the current one waits for the lock on `audit_event`. SQLite:
    /// another connection holds the database's write lock.
    pub async fn write_open(&self) -> bool {
        match self.backend {
            Backend::Postgres => {
                self.number(
                    "SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                     WHERE l.relation = 'audit_event'::regclass AND NOT l.granted \
                     AND a.datname = current_database() AND a.xact_start < a.query_start",
                )
                .await
                    > 0
            }
            Backend::Sqlite => sqlite_locked(&self.conn).await,
        }
    }

    /// Lets the stalled transaction go on (PostgreSQL: releases the lock; SQLite: removes the
    /// trigger once the burn is over) and waits until no transaction of the server is open.
    pub async fn settle(mut self) -> Settled {
        let deadline = Duration::from_secs(120);
        match self.backend {
            Backend::Postgres => {
                self.lock.take().unwrap().rollback().await.unwrap();
                let conn = &self.conn;
                wait_until(
                    "every server transaction on the database to end",
                    deadline,
                    || async {
                        number(
                            conn,
                            "SELECT count(*) AS n FROM pg_stat_activity \
                             WHERE datname = current_database() AND pid <> pg_backend_pid() \
                             AND xact_start IS NOT NULL",
                        )
                        .await
                            == 0
                    },
                )
                .await;
            }
            Backend::Sqlite => {
                let conn = &self.conn;
                wait_until(
                    "the server to release the SQLite write lock",
                    deadline,
                    || async { !sqlite_locked(conn).await },
                )
                .await;
                conn.execute_unprepared("DROP TRIGGER stall_audit")
                    .await
                    .unwrap();
                conn.execute_unprepared("DROP TABLE stall_burn")
                    .await
                    .unwrap();
            }
        }
        Settled { conn: self.conn }
    }

    /// Rows in `table`, read on the test's own connection.
    pub async fn count(&self, table: &str) -> i64 {
        count(&self.conn, table).await
    }

    async fn number(&self, sql: &str) -> i64 {
        number(&self.conn, sql).await
    }
}

/// The database after a [`Stall`], with no transaction of the server open.
pub struct Settled {
    conn: DatabaseConnection,
}

impl Settled {
    /// Rows in `table`, read on the test's own connection.
    pub async fn count(&self, table: &str) -> i64 {
        count(&self.conn, table).await
    }
}

async fn count(conn: &DatabaseConnection, table: &str) -> i64 {
    number(conn, &format!("SELECT count(*) AS n FROM {table}")).await
}

async fn number(conn: &DatabaseConnection, sql: &str) -> i64 {
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Whether another connection holds the SQLite write lock: `BEGIN IMMEDIATE` (with no busy
/// wait) is refused.
async fn sqlite_locked(conn: &DatabaseConnection) -> bool {
    match conn.execute_unprepared("BEGIN IMMEDIATE").await {
        Ok(_) => {
            conn.execute_unprepared("ROLLBACK").await.unwrap();
            false
        }
        Err(e) if e.to_string().contains("locked") || e.to_string().contains("busy") => true,
        Err(e) => panic!("probing the SQLite write lock: {e}"),
    }
}

/// A trigger that makes each audit insert scan `stall_burn` × `stall_burn`, with the table
/// sized from a timed run so the scan takes about `burn` here (longer on a busier machine).
async fn install_burn(conn: &DatabaseConnection, burn: Duration) {
    conn.execute_unprepared("CREATE TABLE stall_burn (x INTEGER NOT NULL)")
        .await
        .unwrap();
    fill(conn, 1, 1_000).await;
    let mut fastest = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        number(conn, BURN).await;
        fastest = fastest.min(started.elapsed());
    }
    // The scan is quadratic in the rows.
    let scale = (burn.as_secs_f64() / fastest.as_secs_f64().max(1e-4)).sqrt();
    let rows = (1_000.0 * scale).ceil().clamp(1_000.0, 1_000_000.0) as i64;
    fill(conn, 1_001, rows).await;
    conn.execute_unprepared(&format!(
        "CREATE TRIGGER stall_audit BEFORE INSERT ON audit_event BEGIN {BURN}; END"
    ))
    .await
    .unwrap();
}

/// Adds the rows `from..=to` to `stall_burn`.
async fn fill(conn: &DatabaseConnection, from: i64, to: i64) {
    if to < from {
        return;
    }
    conn.execute_unprepared(&format!(
        "INSERT INTO stall_burn (x) WITH RECURSIVE c(x) AS \
         (SELECT {from} UNION ALL SELECT x + 1 FROM c WHERE x < {to}) SELECT x FROM c"
    ))
    .await
    .unwrap();
}
