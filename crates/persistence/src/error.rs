use sea_orm::{DbErr, RuntimeErr, sqlx};

/// Everything that can go wrong below the API. Only `Database` is an internal failure; the
/// others are answers the API turns into client errors.
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// The database failed or refused a statement. Never shown to clients.
    #[error("database error: {0}")]
    Database(DbErr),
    /// The database cannot be reached right now: no connection within the wait limit, a lost
    /// connection, a server shutting down, or (SQLite) a lock held elsewhere past the wait
    /// limit. Nothing was done; the caller may retry.
    #[error("the database is unavailable: {0}")]
    Unavailable(DbErr),
    /// PostgreSQL cancelled a statement that ran past the statement timeout.
    #[error("a statement ran past its time limit: {0}")]
    StatementTimeout(DbErr),
    /// A stored row could not be turned back into a domain value (a bug or manual edit).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// The caller may not act on this part of the tree.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// An exact sum left the range its parts are designed for (more than 2^31 figures, see
    /// `chitieu_domain::sum`); never reached by admissible data.
    #[error("a sum is too large to be computed exactly")]
    Overflow,
    /// Concurrent writers collided on a unique key; the caller may retry.
    #[error("conflicting concurrent write")]
    WriteConflict,
}

impl PersistenceError {
    /// True when the database refused a row because of a unique constraint.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Database(e) if is_unique_violation(e))
    }

    /// Wraps a decoding problem.
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}

impl From<DbErr> for PersistenceError {
    fn from(e: DbErr) -> Self {
        match outage(&e) {
            Some(Outage::Unreachable) => Self::Unavailable(e),
            Some(Outage::StatementTimeout) => Self::StatementTimeout(e),
            None => Self::Database(e),
        }
    }
}

/// How a database error says that the database, not the statement, is the problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outage {
    Unreachable,
    StatementTimeout,
}

fn outage(err: &DbErr) -> Option<Outage> {
    match err {
        DbErr::ConnectionAcquire(_) => Some(Outage::Unreachable),
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => sqlx_outage(e),
        // sea-orm's own connection errors ("connection closed" and the like).
        DbErr::Conn(RuntimeErr::Internal(_)) => Some(Outage::Unreachable),
        _ => None,
    }
}

fn sqlx_outage(err: &sqlx::Error) -> Option<Outage> {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Some(Outage::Unreachable),
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                pg_outage(pg.code())
            } else if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                db.code()
                    .and_then(|c| c.parse::<i32>().ok())
                    .and_then(sqlite_outage)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// PostgreSQL SQLSTATE codes of an outage: class 08 (connection exception), the server
/// shutting down or starting (57P01–57P03), too many connections (53300), and a statement
/// cancelled by `statement_timeout` (57014).
fn pg_outage(sqlstate: &str) -> Option<Outage> {
    match sqlstate {
        "57014" => Some(Outage::StatementTimeout),
        "57P01" | "57P02" | "57P03" | "53300" => Some(Outage::Unreachable),
        s if s.starts_with("08") => Some(Outage::Unreachable),
        _ => None,
    }
}

/// SQLite (extended) result codes of an outage: `SQLITE_BUSY` and `SQLITE_LOCKED`, which
/// mean another connection held the database past the busy timeout.
fn sqlite_outage(code: i32) -> Option<Outage> {
    matches!(code & 0xff, 5 | 6).then_some(Outage::Unreachable)
}

/// True when the database refused a row because of a unique constraint.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_and_locks_are_outages_other_errors_are_not() {
        let io = || std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        for e in [
            DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout),
            DbErr::Conn(RuntimeErr::Internal("connection closed".into())),
            DbErr::Conn(RuntimeErr::SqlxError(sqlx::Error::Io(io()).into())),
            DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::PoolTimedOut.into())),
        ] {
            assert_eq!(outage(&e), Some(Outage::Unreachable), "{e}");
        }
        for e in [
            DbErr::Custom("bug".into()),
            DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::RowNotFound.into())),
            DbErr::Exec(RuntimeErr::Internal("syntax".into())),
        ] {
            assert_eq!(outage(&e), None, "{e}");
        }
    }

    #[test]
    fn sqlstates_and_sqlite_codes_of_an_outage() {
        assert_eq!(pg_outage("57014"), Some(Outage::StatementTimeout));
        for code in ["08006", "08001", "57P01", "57P03", "53300"] {
            assert_eq!(pg_outage(code), Some(Outage::Unreachable), "{code}");
        }
        for code in ["23505", "40001", "42P01", "22003"] {
            assert_eq!(pg_outage(code), None, "{code}");
        }
        // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED; SQLITE_CONSTRAINT_UNIQUE is not.
        for code in [5, 517, 6] {
            assert_eq!(sqlite_outage(code), Some(Outage::Unreachable), "{code}");
        }
        assert_eq!(sqlite_outage(2067), None);
    }
}
