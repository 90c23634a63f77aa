//! Boots the real server on port 0 against a fresh SQLite file or a fresh PostgreSQL
//! database, and talks to it over real HTTP.
#![allow(dead_code, clippy::unwrap_used)]

pub mod cycle;
pub mod stall;

use std::{future::Future, time::Duration};

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

pub const ADMIN_PASSWORD: &str = "Test-Admin-Pass-2023";
pub const PG_ENV: &str = "CHITIEU_TEST_POSTGRES_URL";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one async test body on SQLite and on PostgreSQL (see [`postgres_url`]: under
/// `CI=true` a missing `CHITIEU_TEST_POSTGRES_URL` fails the PostgreSQL half; locally it is
/// skipped with a note on standard error).
#[macro_export]
macro_rules! both_databases {
    (config = $config:expr; $(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = common::TestApp::spawn_with(common::Backend::Sqlite, $config).await.expect("sqlite app");
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some($app) = common::TestApp::spawn_with(common::Backend::Postgres, $config).await else {
                        return;
                    };
                    $body
                }
            )*
        }
    };
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $crate::both_databases! {
            config = |_| {};
            $(async fn $name($app: TestApp) $body)*
        }
    };
}

/// The PostgreSQL server the tests create their databases on. `None` (after saying so on
/// standard error) when `CHITIEU_TEST_POSTGRES_URL` is unset or empty; under `CI=true` that
/// fails the test instead, so a CI run cannot pass without having run on PostgreSQL.
pub fn postgres_url() -> Option<String> {
    match std::env::var(PG_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let ci = std::env::var("CI").unwrap_or_default();
            assert!(
                !matches!(
                    ci.trim().to_ascii_lowercase().as_str(),
                    "true" | "1" | "yes"
                ),
                "{PG_ENV} is not set but CI={ci}: the PostgreSQL half of the tests must run in CI"
            );
            eprintln!("{PG_ENV} not set: PostgreSQL run skipped (set CI=true to make this fail)");
            None
        }
    }
}

/// Polls `check` every 20 ms until it yields `Some`, and returns that; fails the test with
/// `what` (what was awaited) when `deadline` passes first. Use it instead of sleeping for
/// something to happen.
pub async fn wait_for<T, Fut>(what: &str, deadline: Duration, mut check: impl FnMut() -> Fut) -> T
where
    Fut: Future<Output = Option<T>>,
{
    let started = tokio::time::Instant::now();
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            started.elapsed() < deadline,
            "waited {deadline:?} in vain for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// [`wait_for`] a condition: returns as soon as `check` answers `true`.
pub async fn wait_until<Fut>(what: &str, deadline: Duration, mut check: impl FnMut() -> Fut)
where
    Fut: Future<Output = bool>,
{
    wait_for(what, deadline, || {
        let answer = check();
        async move { answer.await.then_some(()) }
    })
    .await;
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub token: String,
    pub backend: Backend,
    pub database_url: String,
    /// The server's state (its database handle counts the statements it runs).
    pub state: chitieu_api::AppState,
    config: chitieu_api::Config,
    _dir: Option<tempfile::TempDir>,
    pg: Option<PgDatabase>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Dropping needs async I/O; do it on a private runtime so it works from any context.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sea_orm::ConnectionTrait;
                if let Ok(db) = sea_orm::Database::connect(&admin_url).await {
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                }
            });
        })
        .join();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let cut = base.rfind('/').unwrap();
    let mut out = format!("{}/{}", &base[..cut], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl TestApp {
    /// `None` when PostgreSQL is asked for but not configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with the configuration adjusted first.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut chitieu_api::Config),
    ) -> Option<TestApp> {
        let (url, dir, pg) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                (url, Some(dir), None)
            }
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let name = format!("chitieu_t_{}", uuid::Uuid::new_v4().simple());
                {
                    use sea_orm::ConnectionTrait;
                    let db = sea_orm::Database::connect(&admin_url).await.unwrap();
                    db.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                        .await
                        .unwrap();
                    db.close().await.unwrap();
                }
                let url = replace_db_name(&admin_url, &name);
                (url, None, Some(PgDatabase { admin_url, name }))
            }
        };
        let mut config = chitieu_api::Config::new(url.clone());
        config.listen = "127.0.0.1:0".into();
        config.admin_password = Some(ADMIN_PASSWORD.into());
        config.jwt_secret = Some("test-secret-test-secret-test-secret-0123".into());
        configure(&mut config);
        Some(Self::spawn_on(backend, config, dir, pg).await)
    }

    /// Stops the server and starts a new one on the same database and configuration (as
    /// after a deploy); `token` stays the one issued before.
    pub async fn restart(&mut self, configure: impl FnOnce(&mut chitieu_api::Config)) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        configure(&mut self.config);
        let (base, shutdown, state) = start(self.config.clone()).await;
        self.base = base;
        self.state = state;
        self.shutdown = Some(shutdown);
    }

    async fn spawn_on(
        backend: Backend,
        config: chitieu_api::Config,
        dir: Option<tempfile::TempDir>,
        pg: Option<PgDatabase>,
    ) -> TestApp {
        let url = config.database_url.clone();
        let (base, tx, state) = start(config.clone()).await;
        let client = Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let mut t = TestApp {
            base,
            client,
            token: String::new(),
            backend,
            database_url: url,
            state,
            config,
            _dir: dir,
            pg,
            shutdown: Some(tx),
        };
        t.token = t.login("admin", ADMIN_PASSWORD).await;
        t
    }

    pub async fn login(&self, user: &str, password: &str) -> String {
        let res = self
            .client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "login failed");
        res.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(self.req(Method::GET, path).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.req(Method::POST, path)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post_csv(&self, path: &str, csv: &str) -> (StatusCode, Value) {
        read(
            self.req(Method::POST, path)
                .header("content-type", "text/csv")
                .body(csv.to_owned())
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Loads a small catalogue: VN > BRVT > VT > {VT-P1, VT-P8, VT-UBND}, the document
    /// elements, payment elements, DOC_SW_RATE and the payment rule.
    pub async fn seed_catalogue(&self) {
        let (status, body) = self.post("/api/v1/metadata", &catalogue()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// Stored figures matching a query string, e.g. `org_unit=VT-P1`.
    pub async fn values(&self, query: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/api/v1/data-values?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data_values"].as_array().unwrap().clone()
    }
}

async fn start(
    config: chitieu_api::Config,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    chitieu_api::AppState,
) {
    let app = chitieu_api::build(config).await.unwrap();
    let state = app.state().clone();
    let base = format!("http://127.0.0.1:{}", app.port());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run(async {
        let _ = rx.await;
    }));
    (base, tx, state)
}

/// Runs the `chitieu` binary against `database_url`; returns its standard output, failing
/// the test when it exits unsuccessfully.
pub fn chitieu(database_url: &str, args: &[&str], stdin: Option<&str>) -> String {
    let (ok, out, err) = chitieu_status(database_url, args, stdin);
    assert!(ok, "chitieu {args:?} failed: {err}");
    out
}

/// Runs the `chitieu` binary; returns (success, stdout, stderr).
pub fn chitieu_status(
    database_url: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> (bool, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chitieu"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Sends a request with another bearer token (a user's or an API token) than the admin's.
pub async fn as_bearer(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    read(req.send().await.unwrap()).await
}

pub async fn read(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = res.text().await.unwrap();
    if status.is_client_error() || status.is_server_error() {
        assert!(
            ct.starts_with("application/problem+json") || status == StatusCode::CONFLICT,
            "error {status} is not problem+json ({ct}): {text}"
        );
    }
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

pub fn catalogue() -> Value {
    json!({
        "org_units": [
            {"code": "VN", "name": "Việt Nam", "kind": "nation"},
            {"code": "BRVT", "name": "Tỉnh Bà Rịa - Vũng Tàu", "parent": "VN", "kind": "province"},
            {"code": "VT", "name": "Thành phố Vũng Tàu", "parent": "BRVT", "kind": "city"},
            {"code": "VT-P1", "name": "Phường 1", "parent": "VT", "kind": "ward"},
            {"code": "VT-P8", "name": "Phường 8", "parent": "VT", "kind": "ward"},
            {"code": "VT-UBND", "name": "UBND Thành phố Vũng Tàu", "parent": "VT", "kind": "office"}
        ],
        "data_elements": [
            {"code": "DOC_OUT_SW", "name": "Văn bản đi trên phần mềm", "value_type": "integer", "aggregation": "sum"},
            {"code": "DOC_IN_SW", "name": "Văn bản đến trên phần mềm", "value_type": "integer", "aggregation": "sum"},
            {"code": "DOC_OUT_PAPER", "name": "Văn bản đi giấy", "value_type": "integer", "aggregation": "sum"},
            {"code": "DOC_IN_PAPER", "name": "Văn bản đến giấy", "value_type": "integer", "aggregation": "sum"},
            {"code": "PAY_TX_TOTAL", "name": "Tổng giao dịch", "value_type": "integer", "aggregation": "sum"},
            {"code": "PAY_TX_OK", "name": "Giao dịch thành công", "value_type": "integer", "aggregation": "sum"},
            {"code": "NOTE", "name": "Ghi chú", "value_type": "text", "aggregation": "none"},
            {"code": "HAS_SITE", "name": "Có trang thông tin điện tử", "value_type": "boolean", "aggregation": "sum"},
            {"code": "SHARE", "name": "Tỷ trọng", "value_type": "number", "aggregation": "average"}
        ],
        "indicators": [
            {"code": "DOC_SW_RATE", "name": "Tỷ lệ văn bản trên phần mềm", "group": "digital_government",
             "numerator": "#{DOC_OUT_SW} + #{DOC_IN_SW}",
             "denominator": "#{DOC_OUT_SW} + #{DOC_IN_SW} + #{DOC_OUT_PAPER} + #{DOC_IN_PAPER}",
             "factor": 100, "decimals": 2}
        ],
        "targets": [
            {"indicator": "DOC_SW_RATE", "org_unit": "VN", "period": "2023", "operator": ">=", "value": 90, "label": "national"},
            {"indicator": "DOC_SW_RATE", "org_unit": "VT", "period": "2023", "operator": ">=", "value": 100, "label": "city"}
        ],
        "validation_rules": [
            {"code": "PAY_OK_LE_TOTAL", "name": "Giao dịch thành công không vượt tổng",
             "left": "#{PAY_TX_OK}", "operator": "<=", "right": "#{PAY_TX_TOTAL}"}
        ]
    })
}

/// A JSON value as insta snapshots it. serde_json keeps numbers exact (`arbitrary_precision`)
/// and serialises them through a marker only serde_json itself reads, so insta would print
/// them as objects; here they are handed over as plain integers or doubles.
pub struct Snap<'a>(pub &'a Value);

impl serde::Serialize for Snap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => s.serialize_i64(i),
                (None, Some(u)) => s.serialize_u64(u),
                _ => s.serialize_f64(n.as_f64().unwrap()),
            },
            Value::String(t) => s.serialize_str(t),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Snap(item))?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut out = s.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    out.serialize_entry(k, &Snap(v))?;
                }
                out.end()
            }
        }
    }
}

/// The `(index, code)` of each conflict of a refused data-value set.
pub fn conflicts(body: &Value) -> Vec<(u64, String)> {
    body["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["index"].as_u64().unwrap(),
                c["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
