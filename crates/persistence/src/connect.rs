use std::time::Duration;

use chitieu_migrations::MigratorTrait;
use sea_orm::{ConnectOptions, DatabaseConnection, DbBackend};

use crate::PersistenceError;

/// A handle on the database: a connection pool plus what we know about the backend.
#[derive(Clone, Debug)]
pub struct Database {
    conn: DatabaseConnection,
}

impl Database {
    /// The pool, for queries and for starting transactions.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
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

    /// Answers whether the database responds right now.
    pub async fn ping(&self) -> Result<(), PersistenceError> {
        self.conn.ping().await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), PersistenceError> {
        self.conn.close().await?;
        Ok(())
    }
}

/// Connects to `url` (`sqlite://path` or `postgres://...`). A SQLite file is created when
/// missing and opened in WAL mode with foreign keys enforced.
pub async fn connect(url: &str) -> Result<Database, PersistenceError> {
    let is_sqlite = url.starts_with("sqlite:");
    let url = if is_sqlite && !url.contains("mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    } else {
        url.to_owned()
    };
    let mut opts = ConnectOptions::new(url);
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if is_sqlite {
        opts.max_connections(8).min_connections(1);
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
        });
    } else {
        opts.max_connections(16).min_connections(1);
    }
    let conn = sea_orm::Database::connect(opts).await?;
    Ok(Database { conn })
}
