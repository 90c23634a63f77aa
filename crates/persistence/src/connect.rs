use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use chitieu_migrations::MigratorTrait;
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend};

use crate::{PersistenceError, probe::Probe};

/// How long the service waits on the database before it gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbLimits {
    /// Longest wait for a connection (from the pool, or a new one), for a lock another
    /// connection holds (SQLite's busy timeout), and for a liveness check to answer.
    pub wait: Duration,
    /// PostgreSQL: the server cancels a statement running longer (`statement_timeout`).
    /// `None`: no limit.
    pub statement_timeout: Option<Duration>,
}

impl DbLimits {
    /// Patient limits for migrations and the command line: wait up to 30 s (a database that
    /// is still starting), no statement timeout.
    pub const PATIENT: Self = Self {
        wait: Duration::from_secs(30),
        statement_timeout: None,
    };
}

/// A handle on the database: a connection pool plus what we know about the backend.
#[derive(Clone, Debug)]
pub struct Database {
    conn: DatabaseConnection,
    statements: Arc<AtomicU64>,
    probe: Arc<Probe>,
    pub(crate) writer: crate::write::WriterLock,
}

impl Database {
    /// The pool, for queries and for starting transactions.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// SQL statements run through this pool so far (an operational metric, and how tests
    /// prove that nested GraphQL fields are batched).
    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend() {
            DbBackend::Postgres => "postgres",
            DbBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), PersistenceError> {
        chitieu_migrations::Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// Answers whether the database responds right now, within the wait limit. On PostgreSQL
    /// the check runs on a connection of its own, so a busy pool does not delay it; checks
    /// are shared (one at a time; an answer younger than a second is reused), so many
    /// callers cost one round trip. An unreachable database is
    /// [`PersistenceError::Unavailable`].
    pub async fn ping(&self) -> Result<(), PersistenceError> {
        self.probe.check(&self.conn).await
    }

    /// True when the database is a server reached over the network (PostgreSQL), where a
    /// connection can stall without failing; a SQLite file cannot.
    pub fn is_remote(&self) -> bool {
        self.backend() == DbBackend::Postgres
    }

    /// Keeps PostgreSQL's planner statistics of the figure tables fresh, as autovacuum would
    /// (it may be off): after a large share of a table changed since its last `ANALYZE`, the
    /// planner would otherwise keep estimating it as nearly empty and scan it sequentially.
    /// Returns the tables analysed. A no-op on SQLite.
    pub async fn refresh_statistics(&self) -> Result<Vec<String>, PersistenceError> {
        if self.backend() != DbBackend::Postgres {
            return Ok(Vec::new());
        }
        #[derive(sea_orm::FromQueryResult)]
        struct TableStats {
            relname: String,
            n_live_tup: i64,
            n_mod_since_analyze: i64,
        }
        let rows: Vec<TableStats> = crate::sql::query_as(
            &self.conn,
            "SELECT relname::text AS relname, n_live_tup, n_mod_since_analyze FROM pg_stat_user_tables \
             WHERE relname IN ('data_value', 'data_value_rollup', 'org_unit_closure')",
            vec![],
        )
        .await?;
        let mut analysed = Vec::new();
        for TableStats {
            relname: table,
            n_live_tup: live,
            n_mod_since_analyze: changed,
        } in rows
        {
            if changed > (live / 5).max(10_000) {
                // The name comes from the fixed list above.
                self.conn
                    .execute_unprepared(&format!("ANALYZE {table}"))
                    .await?;
                analysed.push(table);
            }
        }
        Ok(analysed)
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), PersistenceError> {
        self.conn.close().await?;
        Ok(())
    }
}

/// Connects to `url` (`sqlite://path` or `postgres://...`) with [`DbLimits::PATIENT`]. A
/// SQLite file is created when missing and opened in WAL mode with foreign keys enforced.
pub async fn connect(url: &str) -> Result<Database, PersistenceError> {
    connect_with(url, DbLimits::PATIENT).await
}

/// Connects to `url` with these limits (the server's pool: short waits, so an unreachable
/// database is answered within seconds instead of hanging requests).
pub async fn connect_with(url: &str, limits: DbLimits) -> Result<Database, PersistenceError> {
    let is_sqlite = url.starts_with("sqlite:");
    let url = if is_sqlite && !url.contains("mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    } else {
        url.to_owned()
    };
    let mut opts = ConnectOptions::new(url.clone());
    // Both bound the whole wait for a connection: a free pooled one (pinged first), or a new
    // one, retried while the server refuses.
    opts.sqlx_logging(false)
        .connect_timeout(limits.wait)
        .acquire_timeout(limits.wait);
    if is_sqlite {
        opts.max_connections(8).min_connections(1);
        let busy = limits.wait;
        opts.map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(busy)
        });
    } else {
        opts.max_connections(16).min_connections(1);
        if let Some(t) = limits.statement_timeout {
            opts.statement_timeout(t);
        }
        // Plan each statement with its parameters: a generic plan cached while a table was
        // small (e.g. right after start) would keep scanning it sequentially once it is large.
        opts.map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_custom_plan")]));
    }
    let mut conn = sea_orm::Database::connect(opts).await?;
    let statements = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&statements);
    conn.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let probe = Arc::new(Probe::new(&url, limits.wait)?);
    Ok(Database {
        conn,
        statements,
        probe,
        writer: crate::write::WriterLock::default(),
    })
}
