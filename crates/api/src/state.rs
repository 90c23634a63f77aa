//! Shared state of every request.

use std::sync::Arc;

use chitieu_persistence::Database;

use crate::{
    Config,
    auth::{JwtKeys, PasswordHasher},
};

/// Cheap to clone: everything is behind `Arc` or already shared.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Database,
    /// Access-token keys.
    pub jwt: Arc<JwtKeys>,
    /// Password hashing.
    pub passwords: PasswordHasher,
    /// Configuration.
    pub config: Arc<Config>,
    /// The GraphQL schema.
    pub graphql: crate::graphql::ChitieuSchema,
    /// Serialises write transactions on SQLite (one writer at a time; PostgreSQL does not
    /// take it).
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// Holds the SQLite writer lock for the life of the guard; a no-op on PostgreSQL.
    pub async fn write_guard(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if self.db.backend_name() == "sqlite" {
            Some(self.write_lock.lock().await)
        } else {
            None
        }
    }
}
