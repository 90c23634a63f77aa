//! Prometheus metrics, kept in memory and written out by hand in the text exposition format
//! (`GET /metrics`): requests by method, route template and status, request latency as a
//! histogram per route template, and figures written by kind. No figure and no code of an
//! org unit ever appears in a label, and every label comes from a fixed set: a standard
//! method name or `other`, a route template of the router or `unmatched`, a status code.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request, State},
    http::Method,
    middleware::Next,
    response::Response,
};

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Route label of requests that matched no route (their paths are not labels: any client
/// could invent unboundedly many).
const UNMATCHED: &str = "unmatched";

/// The label of a request method: its name when it is one of the standard methods (RFC 9110
/// and `PATCH`), else `other`. Any client can send any token as a method, so its name is
/// never kept or logged as it came.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[derive(Default)]
struct Latency {
    /// Cumulative counts per bucket of [`BUCKETS`].
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(&'static str, String, u16), u64>,
    latency: BTreeMap<String, Latency>,
    /// Figures written by committed sets: imported, updated, deleted.
    figures: [u64; 3],
}

/// The service's counters.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one answered request. `method` is a [`method_label`], `route` a route template
    /// (or `unmatched`): both come from fixed sets, so the counters cannot grow without bound.
    pub fn record_request(&self, method: &'static str, route: &str, status: u16, took: Duration) {
        let mut m = self.lock();
        *m.requests
            .entry((method, route.to_owned(), status))
            .or_default() += 1;
        let secs = took.as_secs_f64();
        let l = m.latency.entry(route.to_owned()).or_default();
        for (bound, n) in BUCKETS.iter().zip(l.buckets.iter_mut()) {
            if secs <= *bound {
                *n += 1;
            }
        }
        l.count += 1;
        l.sum += secs;
    }

    /// Counts the figures a committed set wrote.
    pub fn record_figures(&self, imported: u64, updated: u64, deleted: u64) {
        let mut m = self.lock();
        m.figures[0] += imported;
        m.figures[1] += updated;
        m.figures[2] += deleted;
    }

    /// The text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        let m = self.lock();
        let mut out = String::with_capacity(4096);
        out.push_str(
            "# HELP chitieu_http_requests_total HTTP requests answered, by method, route template and status.\n\
             # TYPE chitieu_http_requests_total counter\n",
        );
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "chitieu_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str(
            "# HELP chitieu_http_request_duration_seconds Time to answer a request, by route template.\n\
             # TYPE chitieu_http_request_duration_seconds histogram\n",
        );
        for (route, l) in &m.latency {
            let route = escape(route);
            for (bound, n) in BUCKETS.iter().zip(l.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "chitieu_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "chitieu_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 chitieu_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 chitieu_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                l.count, l.sum, l.count
            );
        }
        out.push_str(
            "# HELP chitieu_data_values_written_total Figures written by committed data value sets, by kind.\n\
             # TYPE chitieu_data_values_written_total counter\n",
        );
        for (kind, n) in ["imported", "updated", "deleted"].iter().zip(m.figures) {
            let _ = writeln!(
                out,
                "chitieu_data_values_written_total{{kind=\"{kind}\"}} {n}"
            );
        }
        out
    }
}

/// Label values escape `\`, `"` and newlines.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware: times every request and counts it under its route template.
pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let res = next.run(req).await;
    metrics.record_request(method, &route, res.status().as_u16(), started.elapsed());
    res
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_exposition_counts_requests_and_latency_per_route_template() {
        let m = Metrics::default();
        m.record_request(
            "GET",
            "/api/v1/org-units/{code}",
            200,
            Duration::from_millis(3),
        );
        m.record_request(
            "GET",
            "/api/v1/org-units/{code}",
            200,
            Duration::from_millis(30),
        );
        m.record_request(
            "GET",
            "/api/v1/org-units/{code}",
            404,
            Duration::from_millis(1),
        );
        let text = m.render();
        assert!(text.contains(
            "chitieu_http_requests_total{method=\"GET\",route=\"/api/v1/org-units/{code}\",status=\"200\"} 2\n"
        ));
        assert!(text.contains(
            "chitieu_http_request_duration_seconds_bucket{route=\"/api/v1/org-units/{code}\",le=\"0.01\"} 2\n"
        ));
        assert!(text.contains(
            "chitieu_http_request_duration_seconds_count{route=\"/api/v1/org-units/{code}\"} 3\n"
        ));
    }

    #[test]
    fn methods_outside_the_standard_set_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        for name in ["FOO", "get", "PROPFIND", &"X".repeat(10_000)] {
            let method = Method::from_bytes(name.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "other", "{name:.20}");
        }
    }
}
