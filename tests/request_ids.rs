//! Every answer carries `x-request-id`, and the same id is on the request's log line, so a
//! machine's report can be matched to the log.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    io::Write,
    sync::{Arc, Mutex, OnceLock},
};

use reqwest::StatusCode;

/// Everything the server logs in this test binary.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_env_filter("info,sqlx=warn")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        captured
    })
}

fn logged_with(id: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(&logs().0.lock().unwrap()).into_owned();
    text.lines()
        .filter(|l| l.contains(id))
        .map(str::to_owned)
        .collect()
}

both_databases! {
    async fn a_request_id_is_echoed_or_generated_and_appears_in_the_log(app: TestApp) {
        logs();
        let mine = format!("ward-p1-{}", uuid::Uuid::new_v4().simple());
        let res = app.req(reqwest::Method::GET, "/api/v1/org-units").header("x-request-id", &mine).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["x-request-id"], mine.as_str());
        let lines = logged_with(&mine);
        assert!(lines.iter().any(|l| l.contains("/api/v1/org-units") && l.contains("200")), "{lines:?}");

        // Without one, a UUID is made up, answered and logged; error answers carry it too.
        let res = app.req(reqwest::Method::GET, "/api/v1/org-units/NOPE").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let generated = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");
        assert!(!logged_with(&generated).is_empty());
    }
}
