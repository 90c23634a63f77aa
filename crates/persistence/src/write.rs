//! The one way to write: [`Database::write`] takes the in-process writer lock (SQLite has one
//! writer at a time, and queueing here beats failing with `SQLITE_BUSY`), then begins a
//! transaction — `BEGIN IMMEDIATE` on SQLite, so the transaction holds the database's write
//! lock from its first statement and can never fail later while upgrading a read snapshot
//! that another connection's commit made stale. [`WriteTx::commit`] commits; dropping it (or
//! [`WriteTx::rollback`]) rolls everything back and releases the lock.
//!
//! *Architecture invariant*: every write goes through [`Database::write`]; no other code
//! begins a transaction (`tests/architecture.rs` checks it).

use std::sync::Arc;

use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::{Database, PersistenceError};

/// The process-wide writer lock of a SQLite database (unused on PostgreSQL, whose writers
/// lock rows, not the database).
#[derive(Clone, Debug, Default)]
pub(crate) struct WriterLock(Arc<Mutex<()>>);

/// An open write transaction, holding the writer lock on SQLite until it ends. Use it wherever
/// a `&impl ConnectionTrait` is taken.
#[derive(Debug)]
pub struct WriteTx {
    tx: DatabaseTransaction,
    // Released after the transaction ends (fields drop in declaration order).
    _writer: Option<OwnedMutexGuard<()>>,
}

impl Database {
    /// Begins the one kind of write transaction (see the module documentation).
    pub async fn write(&self) -> Result<WriteTx, PersistenceError> {
        let writer = match self.backend() {
            DbBackend::Sqlite => Some(Arc::clone(&self.writer.0).lock_owned().await),
            _ => None,
        };
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let tx = self
            .conn()
            .begin_with_options(options)
            .await
            .map_err(PersistenceError::from)?;
        Ok(WriteTx {
            tx,
            _writer: writer,
        })
    }
}

impl WriteTx {
    /// Commits everything written, then releases the writer lock.
    pub async fn commit(self) -> Result<(), PersistenceError> {
        self.tx.commit().await.map_err(PersistenceError::from)
    }

    /// Rolls everything back, then releases the writer lock (dropping does the same).
    pub async fn rollback(self) -> Result<(), PersistenceError> {
        self.tx.rollback().await.map_err(PersistenceError::from)
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTx {
    fn get_database_backend(&self) -> DbBackend {
        self.tx.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.tx.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.tx.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.tx.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.tx.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.tx.support_returning()
    }
}
