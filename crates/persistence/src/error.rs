use sea_orm::DbErr;

/// Everything that can go wrong below the API. Only `Database` is an internal failure; the
/// others are answers the API turns into client errors.
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// The database failed or refused a statement. Never shown to clients.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
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

/// True when the database refused a row because of a unique constraint.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
