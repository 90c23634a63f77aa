//! The database stops answering while the server runs, for real, without touching the shared
//! PostgreSQL server: the server reaches PostgreSQL through a TCP proxy in this test that is
//! cut (open connections stall, new ones are accepted and never forwarded: a frozen server or
//! a network that drops packets) and restored. On SQLite, another connection holds the write
//! lock. Every request must be answered within seconds, 503 `database_unavailable`, with
//! nothing stored; once the database is back, the server works again without a restart.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{Value, json};
use tokio::{net::TcpListener, sync::watch};

/// The database timeout of these servers: answers must come within a few of these.
const DB_TIMEOUT: Duration = Duration::from_secs(2);
/// Generous bound on an answer while the database is unreachable (the request timeout is
/// 30 s: the answer must not come from it).
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Forward,
    Cut,
}

/// A TCP proxy to `upstream` that the test can cut and restore. While cut, nothing is
/// forwarded: open connections stall, new ones are accepted and left waiting. Restoring
/// closes the connections that stalled (as a restarted server's would be) and forwards again.
struct Proxy {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (mode, _) = watch::channel(Mode::Forward);
        let modes = mode.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let mut mode = modes.subscribe();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let now = *mode.borrow();
                    if now == Mode::Cut {
                        // Accepted, never forwarded; closed once restored.
                        until(&mut mode, Mode::Forward).await;
                        return;
                    }
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let mut cut = mode.clone();
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        () = until(&mut cut, Mode::Cut) => {
                            // Stalled: both sockets held, nothing read or written.
                            until(&mut mode, Mode::Forward).await;
                        }
                    }
                });
            }
        });
        Proxy { addr, mode }
    }

    fn cut(&self) {
        self.mode.send_replace(Mode::Cut);
    }

    fn restore(&self) {
        self.mode.send_replace(Mode::Forward);
    }
}

async fn until(mode: &mut watch::Receiver<Mode>, wanted: Mode) {
    let _ = mode.wait_for(|m| *m == wanted).await;
}

/// `host:port` of a `postgres://user@host:port/db` URL.
fn host_port(url: &str) -> &str {
    let rest = url.split_once("://").unwrap().1;
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap()
}

async fn send(
    app: &common::TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (StatusCode, Value, Duration) {
    let started = Instant::now();
    let mut req = app.req(method, path);
    if let Some(b) = body {
        req = req.json(b);
    }
    let (status, body) = common::read(req.send().await.unwrap()).await;
    (status, body, started.elapsed())
}

fn assert_unavailable(what: &str, (status, body, took): &(StatusCode, Value, Duration)) {
    eprintln!("{what}: {status} after {took:?}");
    assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE, "{what}: {body}");
    assert_eq!(body["code"], "database_unavailable", "{what}: {body}");
    assert!(*took < ANSWER_WITHIN, "{what} answered after {took:?}");
}

/// Waits until `/readyz` answers 200, for at most `within`.
async fn wait_ready(app: &common::TestApp, within: Duration) {
    common::wait_until("/readyz to answer 200", within, || async {
        let res = app
            .client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap();
        res.status() == StatusCode::OK
    })
    .await;
}

fn set(unit: &str, element: &str, value: i64) -> Value {
    json!({"org_unit": unit, "period": "2023", "data_values": [{"data_element": element, "value": value}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_server_that_stops_answering_gets_503_within_seconds_and_recovery_needs_no_restart()
 {
    let Some(admin_url) = common::postgres_url() else {
        return;
    };
    let upstream = host_port(&admin_url).to_owned();
    let proxy = Proxy::start(upstream.clone()).await;
    let proxied = proxy.addr.to_string();
    let app = common::TestApp::spawn_with(common::Backend::Postgres, |c| {
        c.database_url = c.database_url.replacen(&upstream, &proxied, 1);
        c.database_timeout = DB_TIMEOUT;
        c.request_timeout = Duration::from_secs(30);
    })
    .await
    .unwrap();
    assert!(
        app.database_url.contains(&proxied),
        "the server goes through the proxy"
    );
    let direct = sea_orm::Database::connect(app.database_url.replacen(&proxied, &upstream, 1))
        .await
        .unwrap();

    app.seed_catalogue().await;
    let (status, body) = app
        .post("/api/v1/data-value-sets", &set("VT-P1", "DOC_OUT_SW", 10))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A write in flight when the database stops answering: it waits on a row lock held here.
    let lock = direct.begin().await.unwrap();
    lock.execute_unprepared("SELECT id FROM org_unit WHERE code = 'VT-P8' FOR UPDATE")
        .await
        .unwrap();
    let in_flight = {
        let req =
            app.req(Method::POST, "/api/v1/data-value-sets")
                .json(&set("VT-P8", "DOC_OUT_SW", 8));
        tokio::spawn(async move {
            let (status, body) = common::read(req.send().await.unwrap()).await;
            (status, body, Instant::now())
        })
    };
    common::wait_until("the write to reach the lock", Duration::from_secs(20), || async {
        let waiting = direct
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        waiting > 0
    })
    .await;

    proxy.cut();
    let cut_at = Instant::now();
    let readyz = async {
        let started = Instant::now();
        let (status, body) = common::read(
            app.client
                .get(format!("{}/readyz", app.base))
                .send()
                .await
                .unwrap(),
        )
        .await;
        (status, body, started.elapsed())
    };
    let new_figure = set("VT-P1", "DOC_IN_SW", 5);
    let query = json!({"query": "{ dataElements { nodes { code } } }"});
    let (ready, read, write, graphql) = tokio::join!(
        readyz,
        send(
            &app,
            Method::GET,
            "/api/v1/data-values?org_unit=VT-P1",
            None
        ),
        send(
            &app,
            Method::POST,
            "/api/v1/data-value-sets",
            Some(&new_figure)
        ),
        send(&app, Method::POST, "/graphql", Some(&query)),
    );
    assert_unavailable("/readyz", &ready);
    assert_unavailable("a read", &read);
    assert_unavailable("a write", &write);
    // GraphQL answers in its own format, with the same code.
    let (status, body, took) = graphql;
    eprintln!("GraphQL: {status} {body} after {took:?}");
    assert!(took < ANSWER_WITHIN, "GraphQL answered after {took:?}");
    assert!(
        status == StatusCode::SERVICE_UNAVAILABLE && body["code"] == "database_unavailable"
            || body["errors"][0]["extensions"]["code"] == "database_unavailable",
        "GraphQL: {status} {body}"
    );
    let (status, body, answered) = in_flight.await.unwrap();
    assert_unavailable(
        "the write in flight",
        &(status, body, answered.saturating_duration_since(cut_at)),
    );

    lock.rollback().await.unwrap();
    proxy.restore();
    wait_ready(&app, Duration::from_secs(20)).await;
    let stored = app.values("org_unit=VT&children=true").await;
    assert_eq!(
        stored.len(),
        1,
        "nothing the refused writes carried is stored: {stored:?}"
    );
    let (status, body) = app
        .post("/api/v1/data-value-sets", &set("VT-P8", "DOC_OUT_SW", 8))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.values("org_unit=VT&children=true").await.len(), 2);
    direct.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_locked_by_another_process_gets_503_for_writes_within_seconds() {
    let app = common::TestApp::spawn_with(common::Backend::Sqlite, |c| {
        c.database_timeout = DB_TIMEOUT;
        c.request_timeout = Duration::from_secs(30);
    })
    .await
    .unwrap();
    app.seed_catalogue().await;
    let (status, body) = app
        .post("/api/v1/data-value-sets", &set("VT-P1", "DOC_OUT_SW", 10))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Another process (here: another connection of its own) takes the write lock and keeps it.
    use sea_orm::sqlx::{Connection, Executor, sqlite::SqliteConnection};
    let mut other = SqliteConnection::connect(&app.database_url).await.unwrap();
    other.execute("BEGIN IMMEDIATE").await.unwrap();
    other.execute("DELETE FROM data_value").await.unwrap();

    let (first, second) = (set("VT-P1", "DOC_IN_SW", 5), set("VT-P8", "DOC_IN_SW", 6));
    let credentials = json!({"username": "admin", "password": common::ADMIN_PASSWORD});
    let (write, other_write, login, read) = tokio::join!(
        send(&app, Method::POST, "/api/v1/data-value-sets", Some(&first)),
        send(&app, Method::POST, "/api/v1/data-value-sets", Some(&second)),
        // A login records itself and its session: writes that wait for the lock, boundedly.
        send(&app, Method::POST, "/api/v1/auth/login", Some(&credentials)),
        send(
            &app,
            Method::GET,
            "/api/v1/data-values?org_unit=VT-P1",
            None
        ),
    );
    assert_unavailable("a write", &write);
    assert_unavailable("a second write", &other_write);
    assert_unavailable("a login", &login);
    // Readers of a WAL database are not blocked by a writer.
    assert_eq!(read.0, StatusCode::OK, "{}", read.1);
    assert_eq!(read.1["data_values"].as_array().unwrap().len(), 1);
    let res = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    other.execute("ROLLBACK").await.unwrap();
    other.close().await.unwrap();
    assert_eq!(
        app.values("org_unit=VT&children=true").await.len(),
        1,
        "nothing the refused writes carried is stored"
    );
    let (status, body) = app
        .post("/api/v1/data-value-sets", &set("VT-P8", "DOC_IN_SW", 6))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.values("org_unit=VT&children=true").await.len(), 2);
}
