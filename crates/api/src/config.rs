//! Runtime configuration of the service (filled from flags and environment by the binary).

use std::time::Duration;

/// Everything the service needs to start.
#[derive(Clone)]
pub struct Config {
    /// `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0 picks a free port).
    pub listen: String,
    /// HS256 signing secret for access tokens; when absent one is generated once and kept in
    /// the database so that restarts and several instances agree.
    pub jwt_secret: Option<String>,
    /// With `jwt_secret`: the secret it replaced, still accepted until `jwt_previous_until`.
    pub jwt_previous_secret: Option<String>,
    /// End of the previous secret's grace period (seconds since the epoch).
    pub jwt_previous_until: Option<u64>,
    /// Password for the bootstrap `admin` user (only used while no user exists).
    pub admin_password: Option<String>,
    /// Access-token lifetime.
    pub access_token_ttl: Duration,
    /// Refresh-token lifetime.
    pub refresh_token_ttl: Duration,
    /// Longest time a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// Longest wait on the database: for a connection, for a lock another process holds
    /// (SQLite), for a liveness check. Past it a request is answered 503
    /// `database_unavailable`.
    pub database_timeout: Duration,
    /// How often expired idempotency records are purged.
    pub purge_interval: Duration,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// How many argon2 hashes may run at once.
    pub hash_concurrency: usize,
    /// Limits of password checks (logins and current-password checks), kept in the
    /// database so every instance shares them.
    pub login_limits: crate::auth::ThrottleLimits,
    /// GraphQL introspection and field suggestions (off in the production profile).
    pub graphql_introspection: bool,
    /// Longest time one GraphQL request may run.
    pub graphql_timeout: Duration,
    /// Requests per minute per user or API token.
    pub rate_limit: crate::auth::RateLimit,
    /// Origins (`https://host[:port]`) whose browser pages may call the API; empty: CORS off.
    pub cors_origins: Vec<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "<redacted>"),
            )
            .field("access_token_ttl", &self.access_token_ttl)
            .field("request_timeout", &self.request_timeout)
            .field("database_timeout", &self.database_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("rate_limit", &self.rate_limit)
            .field("cors_origins", &self.cors_origins)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The limits of the server's database pool: the database timeout, and on PostgreSQL a
    /// statement timeout a second below the request timeout (the server stops a statement
    /// whose request is about to be answered 503 anyway).
    pub fn database_limits(&self) -> chitieu_persistence::DbLimits {
        chitieu_persistence::DbLimits {
            wait: self.database_timeout,
            statement_timeout: Some(
                self.request_timeout
                    .saturating_sub(Duration::from_secs(1))
                    .max(Duration::from_secs(1)),
            ),
        }
    }

    /// Defaults of the contract's zero-configuration start.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            listen: "127.0.0.1:8080".into(),
            jwt_secret: None,
            jwt_previous_secret: None,
            jwt_previous_until: None,
            admin_password: None,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            request_timeout: Duration::from_secs(60),
            database_timeout: Duration::from_secs(5),
            purge_interval: Duration::from_secs(15 * 60),
            max_body_bytes: 16 * 1024 * 1024,
            hash_concurrency: 2,
            login_limits: crate::auth::ThrottleLimits::default(),
            graphql_introspection: true,
            graphql_timeout: crate::graphql::DEFAULT_TIMEOUT,
            rate_limit: crate::auth::RateLimit::default(),
            cors_origins: Vec::new(),
        }
    }
}
