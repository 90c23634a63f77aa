//! Building and running the server: database, migrations, bootstrap admin, keys, router and
//! the middleware stack shared by every route.

use std::{future::Future, net::SocketAddr, sync::Arc};

use axum::{
    Router,
    body::Body,
    extract::DefaultBodyLimit,
    http::{HeaderName, Request, StatusCode, header},
    response::Response,
};
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

use crate::{
    ApiError, AppState, Config,
    auth::PasswordHasher,
    bounded::{MAX_ECHOED, truncated},
    error::{PROBLEM_JSON, problem, problem_response},
    rest,
};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A built server, bound to its port, not yet serving.
pub struct App {
    listener: TcpListener,
    router: Router,
    state: AppState,
    generated_admin_password: Option<String>,
}

impl App {
    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Shared state (database handle and keys).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The bootstrap admin's password when it was generated at this start (print it once).
    pub fn generated_admin_password(&self) -> Option<&str> {
        self.generated_admin_password.as_deref()
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests. The background
    /// upkeep (purging expired idempotency records) runs while it serves.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let upkeep = crate::upkeep::spawn(self.state.clone());
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        upkeep.abort();
        served
    }
}

/// Connects, migrates, bootstraps and binds. Nothing is served until [`App::run`].
pub async fn build(config: Config) -> anyhow::Result<App> {
    let cors = crate::headers::CorsOrigins::parse(&config.cors_origins)?;
    let (state, generated_admin_password) = open_state(config).await?;
    let router = router(state.clone(), cors);
    let listener = TcpListener::bind(&state.config.listen).await?;
    Ok(App {
        listener,
        router,
        state,
        generated_admin_password,
    })
}

/// Connects, migrates, bootstraps the first admin and loads the keys: everything a request
/// needs, without a listener (the command line uses it directly). Returns the bootstrap
/// admin's password when it was generated now.
pub async fn open_state(config: Config) -> anyhow::Result<(AppState, Option<String>)> {
    // Migrate on a pool of its own: SQLite connections opened before a schema change may not
    // see it, so the serving pool is opened afterwards.
    let migrator = chitieu_persistence::connect(&config.database_url).await?;
    migrator.migrate().await?;
    migrator.close().await?;
    let db =
        chitieu_persistence::connect_with(&config.database_url, config.database_limits()).await?;
    let passwords = PasswordHasher::new(config.hash_concurrency)?;
    let generated_admin_password =
        crate::service::bootstrap::admin(&db, &config, &passwords).await?;
    let jwt = crate::auth::keys::load(&db, &config).await?;
    let state = AppState {
        db,
        jwt: Arc::new(jwt),
        passwords,
        graphql: crate::graphql::schema(&config),
        config: Arc::new(config.clone()),
        analysing: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        rate_limiter: Arc::new(crate::auth::RateLimiter::new(config.rate_limit)),
        metrics: Arc::default(),
        changes: tokio::sync::broadcast::channel(256).0,
    };
    Ok((state, generated_admin_password))
}

/// The full router with its middleware.
fn router(state: AppState, cors: crate::headers::CorsOrigins) -> Router {
    let (api, _) = rest::router();
    let max_body = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    let metrics = Arc::clone(&state.metrics);
    api.route(
        "/graphql",
        axum::routing::get(crate::graphql::get).post(crate::graphql::post),
    )
    .route("/graphql/ws", axum::routing::get(crate::graphql::websocket))
    .route("/assets/{dir}/{file}", axum::routing::get(crate::assets::get))
    .fallback(rest::not_found)
        .method_not_allowed_fallback(rest::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::refusals::audit_refusals,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::db_watch::watch,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn(crate::text_input::guard_url))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            ApiError::internal("panic").to_problem_response()
        }))
        .layer(axum::middleware::map_response(problem_for_bare_errors))
        .layer(tower::util::option_layer(cors.layer()))
        .layer(axum::middleware::from_fn_with_state(cors, crate::headers::cors_gate))
        .layer(axum::middleware::map_response(crate::headers::security_headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    let id = req
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // The method and path come from the client: logged from a fixed set and
                    // cut short, so a request cannot write unbounded text into the log.
                    let method = crate::metrics::method_label(req.method());
                    let path = truncated(req.uri().path(), MAX_ECHOED);
                    tracing::info_span!("request", method, path, request_id = %truncated(id, MAX_ECHOED))
                })
                // One line per answered request, inside the span: the request id is in the log.
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::from_fn_with_state(metrics, crate::metrics::track))
}

/// Error answers produced by middleware (body limit, timeout) become problem+json too.
async fn problem_for_bare_errors(res: Response) -> Response {
    let status = res.status();
    // Only bodies that are not JSON at all (plain text from a layer, or empty) are replaced;
    // our own answers are problem+json or, for a refused data value set, JSON.
    let bare = res.headers().get(header::CONTENT_TYPE).is_none_or(|v| {
        let v = v.as_bytes();
        !v.starts_with(PROBLEM_JSON.as_bytes()) && !v.starts_with(b"application/json")
    });
    if !(status.is_client_error() || status.is_server_error()) || !bare {
        return res;
    }
    let (code, detail) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
        StatusCode::SERVICE_UNAVAILABLE => (
            "request_timeout",
            "the request took too long and was stopped",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "unsupported content type")
        }
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "method not allowed"),
        StatusCode::NOT_FOUND => ("not_found", "not found"),
        s if s.is_server_error() => ("internal_error", "an internal error occurred"),
        _ => ("bad_request", "the request could not be processed"),
    };
    let mut out = problem_response(&problem(status, code, detail, None));
    if let Some(id) = res.headers().get(&REQUEST_ID) {
        out.headers_mut().insert(REQUEST_ID, id.clone());
    }
    if let Some(allow) = res.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}
