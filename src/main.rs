//! The `chitieu` command: `serve` (the API), `migrate`, the operator commands `user`,
//! `token` and `keys`, and `bench`.

use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

mod admin;
mod bench;

/// chitieu: live KPI reporting for Vietnam's digital transformation.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API (embedded SQLite `./chitieu.db` unless DATABASE_URL says otherwise).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Manage users (create, disable, enable, reset-password).
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage API tokens (create, revoke).
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Rotate the access-token signing key.
    #[command(subcommand)]
    Keys(admin::KeysCommand),
    /// Generate a synthetic nation, ingest it through the API and time it against raw SQL.
    Bench(bench::BenchArgs),
}

#[derive(Args)]
pub(crate) struct DbArgs {
    /// `sqlite://path` or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./chitieu.db")]
    pub(crate) database_url: String,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "CHITIEU_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Also load the Vũng Tàu 2023 demo (org tree, catalogue, targets, nine-month figures).
    #[arg(long)]
    demo: bool,
    /// HS256 secret for access tokens (at least 32 characters); generated and kept in the
    /// database when absent.
    #[arg(long, env = "CHITIEU_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Password of the bootstrap `admin` user, used only while no user exists.
    #[arg(long, env = "CHITIEU_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    /// Access-token lifetime in seconds.
    #[arg(long, env = "CHITIEU_ACCESS_TOKEN_TTL", default_value_t = 900)]
    access_token_ttl: u64,
    /// Longest time one request may take, in seconds.
    #[arg(long, env = "CHITIEU_REQUEST_TIMEOUT", default_value_t = 60)]
    request_timeout: u64,
    /// Longest wait on the database (a connection, a lock, a liveness check), in seconds;
    /// past it a request is answered 503 `database_unavailable`.
    #[arg(long, env = "CHITIEU_DATABASE_TIMEOUT", default_value_t = 5)]
    database_timeout: u64,
    /// The previous HS256 secret, still accepted until `--jwt-previous-until` (rotation with
    /// `CHITIEU_JWT_SECRET`).
    #[arg(long, env = "CHITIEU_JWT_PREVIOUS_SECRET", hide_env_values = true)]
    jwt_previous_secret: Option<String>,
    /// End of the previous secret's grace period, in seconds since the epoch.
    #[arg(long, env = "CHITIEU_JWT_PREVIOUS_UNTIL")]
    jwt_previous_until: Option<u64>,
    /// Production profile: GraphQL introspection and field suggestions off.
    #[arg(long, env = "CHITIEU_PRODUCTION")]
    production: bool,
    /// Log as JSON lines.
    #[arg(long, env = "CHITIEU_LOG_JSON")]
    log_json: bool,
    /// Requests per minute allowed to each user or API token (0: no limit).
    #[arg(long, env = "CHITIEU_RATE_LIMIT", default_value_t = 6000)]
    rate_limit: u32,
    /// Origins whose browser pages may call the API (CORS), comma-separated exact origins such
    /// as `https://dashboard.example.gov.vn`; none by default (CORS off).
    #[arg(long, env = "CHITIEU_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
}

fn init_logging(json: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    if json {
        registry.with(fmt::layer().json()).init();
    } else {
        registry.with(fmt::layer()).init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_json);
    let mut config = chitieu_api::Config::new(args.db.database_url);
    config.listen = args.listen;
    config.jwt_secret = args.jwt_secret;
    config.jwt_previous_secret = args.jwt_previous_secret;
    config.jwt_previous_until = args.jwt_previous_until;
    config.graphql_introspection = !args.production;
    config.admin_password = args.admin_password;
    config.access_token_ttl = Duration::from_secs(args.access_token_ttl);
    config.request_timeout = Duration::from_secs(args.request_timeout);
    config.database_timeout = Duration::from_secs(args.database_timeout.max(1));
    config.rate_limit = chitieu_api::auth::RateLimit {
        per_minute: args.rate_limit,
    };
    config.cors_origins = args.cors_origins;
    let app = chitieu_api::build(config)
        .await
        .context("starting the server")?;
    if let Some(password) = app.generated_admin_password() {
        // Printed once, on the terminal only (not in the log stream).
        println!("Created the user 'admin' with the password: {password}");
        println!("Set CHITIEU_ADMIN_PASSWORD to choose it; it will not be shown again.");
    }
    if args.demo {
        let loaded = chitieu_api::demo::load(app.state())
            .await
            .context("loading the demo")?;
        tracing::info!(
            metadata_created = loaded.metadata_created,
            values_imported = loaded.values_imported,
            violations = loaded.violations,
            users_created = loaded.users_created,
            report_transitions = loaded.report_transitions,
            milestones_recorded = loaded.milestones_recorded,
            "demo loaded"
        );
    }
    tracing::info!(addr = %app.local_addr()?, database = app.state().db.backend_name(), "listening");
    app.run(shutdown_signal()).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::User(cmd) => admin::user(cmd).await,
        Command::Token(cmd) => admin::token(cmd).await,
        Command::Keys(cmd) => admin::keys(cmd).await,
        Command::Bench(args) => {
            init_logging(false);
            bench::run(args).await
        }
        Command::Migrate(args) => {
            init_logging(false);
            let db = chitieu_persistence::connect(&args.database_url).await?;
            db.migrate().await?;
            tracing::info!(database = db.backend_name(), "migrations applied");
            Ok(())
        }
    }
}
