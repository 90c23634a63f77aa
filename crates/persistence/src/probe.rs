//! The liveness check behind `Database::ping`: bounded in time, shared between callers, and
//! on PostgreSQL run on a connection of its own.
//!
//! A PostgreSQL server that stops answering (frozen, or behind a network that drops packets)
//! does not fail the statements sent to it: they wait. The pool's wait limit bounds getting a
//! connection, but not a statement already sent. This check tells such an outage apart from
//! a slow statement, because it asks the server something trivial on a connection nobody else
//! uses, and gives up after the wait limit.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, RuntimeErr,
    sqlx::{
        self, ConnectOptions as _, Connection as _,
        postgres::{PgConnectOptions, PgConnection},
    },
};

use crate::PersistenceError;

/// How long an answer is reused.
const FRESH: Duration = Duration::from_secs(1);

pub(crate) struct Probe {
    /// PostgreSQL: how to open the check's own connection. `None` on SQLite (a local file:
    /// a read through the pool, bounded by the wait, is enough).
    pg: Option<PgConnectOptions>,
    wait: Duration,
    /// The last answer and when it was given.
    last: Mutex<Option<(Instant, bool)>>,
    /// The check's connection, while it works; held by the one check running.
    conn: tokio::sync::Mutex<Option<PgConnection>>,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe")
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

fn unavailable(why: &str) -> PersistenceError {
    PersistenceError::Unavailable(DbErr::Conn(RuntimeErr::Internal(why.to_owned())))
}

impl Probe {
    pub(crate) fn new(url: &str, wait: Duration) -> Result<Self, PersistenceError> {
        let pg = if url.starts_with("postgres") {
            let opts: PgConnectOptions = url.parse().map_err(|e: sqlx::Error| {
                PersistenceError::from(DbErr::Conn(RuntimeErr::SqlxError(e.into())))
            })?;
            Some(opts.disable_statement_logging())
        } else {
            None
        };
        Ok(Self {
            pg,
            wait,
            last: Mutex::new(None),
            conn: tokio::sync::Mutex::new(None),
        })
    }

    fn fresh(&self) -> Option<bool> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.filter(|(at, _)| at.elapsed() < FRESH)
            .map(|(_, ok)| ok)
    }

    fn record(&self, ok: bool) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), ok));
    }

    /// `Ok` when the database answered within the wait limit.
    pub(crate) async fn check(&self, pool: &DatabaseConnection) -> Result<(), PersistenceError> {
        let Some(opts) = &self.pg else {
            // A read of the file itself (a ping only reaches the driver's thread).
            let read = pool.execute_unprepared("SELECT 1 FROM sqlite_master LIMIT 1");
            return match tokio::time::timeout(self.wait, read).await {
                Ok(answer) => answer.map(drop).map_err(PersistenceError::from),
                Err(_) => Err(unavailable("the database did not answer in time")),
            };
        };
        if let Some(ok) = self.fresh() {
            return if ok {
                Ok(())
            } else {
                Err(unavailable("the database did not answer"))
            };
        }
        let ok = match tokio::time::timeout(self.wait, self.ask(opts)).await {
            Ok(ok) => ok,
            // Whatever was under way is dropped with its connection.
            Err(_) => {
                self.record(false);
                false
            }
        };
        if ok {
            Ok(())
        } else {
            Err(unavailable("the database did not answer"))
        }
    }

    /// One round trip on the check's connection (opened when there is none). Only one runs at
    /// a time; a caller that waited for another's gets its answer.
    async fn ask(&self, opts: &PgConnectOptions) -> bool {
        let mut slot = self.conn.lock().await;
        if let Some(ok) = self.fresh() {
            return ok;
        }
        // Taken out while in use: if this is cancelled half-way, the connection (in an unknown
        // state) is dropped, not reused.
        let conn = match slot.take() {
            Some(c) => Ok(c),
            None => PgConnection::connect_with(opts).await,
        };
        let ok = match conn {
            Ok(mut c) => {
                let answered = c.ping().await.is_ok();
                if answered {
                    *slot = Some(c);
                }
                answered
            }
            Err(_) => false,
        };
        self.record(ok);
        ok
    }
}
