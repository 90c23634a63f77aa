//! `chitieu bench`: generates a synthetic nation, ingests it through the HTTP API, and
//! measures ingestion and attainment against hand-written SQL on the same database.

mod completeness;
mod synthetic;

use std::{
    fmt::Write as _,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use chitieu_domain::Period;
use chitieu_persistence::{DataElementId, OrgUnitId, bench as raw, catalogue, org_units};
use serde_json::{Value, json};
use synthetic::{ELEMENTS, INDICATORS, MONTHS, STOCKS, Scale};

/// Figures per data value set (the contract's maximum).
const SET_SIZE: usize = 100_000;
const QUERY_PERIOD: &str = "2023-01/2023-09";

/// Options of `chitieu bench`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// `small` (≈ 144 000 figures) or `national` (≈ 7.6 million).
    #[arg(long, default_value = "small", value_parser = ["small", "national"])]
    scale: String,
    /// An empty database to fill; default: a fresh SQLite file in the temp folder.
    #[arg(long)]
    database_url: Option<String>,
    /// Timed attainment queries (after 3 warm-up queries).
    #[arg(long, default_value_t = 30)]
    runs: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

fn month_text(m: usize) -> String {
    format!("2023-{:02}", m + 1)
}

/// Runs the benchmark and prints its JSON summary as the last line.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let scale = if args.scale == "national" {
        Scale::NATIONAL
    } else {
        Scale::SMALL
    };
    ensure!(args.runs >= 20, "--runs must be at least 20");
    let temp = std::env::temp_dir().join(format!("chitieu-bench-{}.db", std::process::id()));
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.display()));
    let password = format!("bench-{}-Pw!", std::process::id());
    let mut config = chitieu_api::Config::new(url.clone());
    config.listen = "127.0.0.1:0".into();
    config.admin_password = Some(password.clone());
    config.request_timeout = Duration::from_secs(600);
    let app = chitieu_api::build(config)
        .await
        .context("starting the server")?;
    let db = app.state().db.clone();
    let database = db.backend_name();
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(900))
        .build()?;

    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .await?
        .json()
        .await?;
    let Some(token) = login["access_token"].as_str().map(str::to_owned) else {
        bail!("cannot log in to the bench server: use an empty database ({login})");
    };
    let existing: Value = client
        .get(format!("{base}/api/v1/org-units?limit=1"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        existing["org_units"].as_array().is_some_and(Vec::is_empty),
        "the database already holds org units: give the bench an empty database"
    );

    eprintln!(
        "bench: {} scale on {database}: {} communes, {} figures",
        scale.name,
        scale.communes,
        scale.values()
    );
    let started = Instant::now();
    let res = client
        .post(format!("{base}/api/v1/metadata"))
        .bearer_auth(&token)
        .json(&synthetic::metadata(&scale))
        .send()
        .await?;
    ensure!(
        res.status().is_success(),
        "metadata refused: {}",
        res.text().await?
    );
    eprintln!(
        "bench: metadata loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Ingestion through the API, 100 000 figures per set.
    let mut body = String::with_capacity(SET_SIZE * 80);
    let mut in_set = 0usize;
    let mut sets = 0usize;
    let ingest_started = Instant::now();
    let mut figures = synthetic::figures(&scale).peekable();
    while figures.peek().is_some() {
        body.clear();
        body.push_str("{\"data_values\":[");
        in_set = 0;
        for (c, e, m, v) in figures.by_ref().take(SET_SIZE) {
            if in_set > 0 {
                body.push(',');
            }
            let _ = write!(
                body,
                "{{\"org_unit\":\"{}\",\"period\":\"{}\",\"data_element\":\"{}\",\"value\":{v}}}",
                synthetic::commune_code(c),
                month_text(m),
                synthetic::element_code(e)
            );
            in_set += 1;
        }
        body.push_str("]}");
        let res = client
            .post(format!("{base}/api/v1/data-value-sets"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await?;
        ensure!(
            res.status().is_success(),
            "set {sets} refused: {}",
            res.text().await?
        );
        sets += 1;
        if sets.is_multiple_of(10) {
            eprintln!("bench: {} figures ingested", sets * SET_SIZE);
        }
    }
    let ingest_secs = ingest_started.elapsed().as_secs_f64();
    let ingested = (sets.saturating_sub(1)) * SET_SIZE + in_set;
    let ingest_rate = ingested as f64 / ingest_secs;
    eprintln!("bench: API ingestion {ingested} figures in {ingest_secs:.1} s = {ingest_rate:.0}/s");

    // The same rows through a hand-written batched upsert.
    let communes: Vec<String> = (0..scale.communes).map(synthetic::commune_code).collect();
    let refs: Vec<&str> = communes.iter().map(String::as_str).collect();
    let unit_ids = org_units::ids_by_codes(db.conn(), &refs).await?;
    let element_codes: Vec<String> = (0..ELEMENTS).map(synthetic::element_code).collect();
    let refs: Vec<&str> = element_codes.iter().map(String::as_str).collect();
    let elements = catalogue::data_elements_by_codes(db.conn(), &refs).await?;
    let element_ids: Vec<DataElementId> = element_codes
        .iter()
        .map(|c| elements.get(c).map(|e| e.id).context("element vanished"))
        .collect::<anyhow::Result<_>>()?;
    let commune_ids: Vec<OrgUnitId> = communes
        .iter()
        .map(|c| unit_ids.get(c).copied().context("commune vanished"))
        .collect::<anyhow::Result<_>>()?;
    raw::create_raw_table(&db).await?;
    // A separate pool, as a separate program would have; SQLite connections opened before the
    // table existed do not see it.
    let raw_db = chitieu_persistence::connect(&url).await?;
    let raw_started = Instant::now();
    let mut batch: Vec<raw::RawFigure> = Vec::with_capacity(SET_SIZE);
    let mut figures = synthetic::figures(&scale).peekable();
    let months: Vec<i32> = (0..MONTHS)
        .map(|m| Period::parse(&month_text(m)).map(|p| p.start().index()))
        .collect::<Result<_, _>>()?;
    while figures.peek().is_some() {
        batch.clear();
        batch.extend(
            figures
                .by_ref()
                .take(SET_SIZE)
                .map(|(c, e, m, v)| (commune_ids[c], element_ids[e], months[m], months[m], v)),
        );
        raw::raw_upsert(&raw_db, &batch).await?;
    }
    let raw_secs = raw_started.elapsed().as_secs_f64();
    let raw_rate = scale.values() as f64 / raw_secs;
    raw::drop_raw_table(&raw_db).await?;
    raw_db.close().await?;
    eprintln!(
        "bench: raw upsert {} figures in {raw_secs:.1} s = {raw_rate:.0}/s",
        scale.values()
    );

    // Attainment of every indicator for the nation and each province, through the API.
    let url =
        format!("{base}/api/v1/attainment?org_unit=VN&period={QUERY_PERIOD}&breakdown=children");
    let mut api_times = Vec::with_capacity(args.runs);
    for i in 0..args.runs + 3 {
        let t = Instant::now();
        let res = client.get(&url).bearer_auth(&token).send().await?;
        ensure!(
            res.status().is_success(),
            "attainment failed: {}",
            res.text().await?
        );
        let bytes = res.bytes().await?;
        // The answer is complete once its last byte arrived; decoding it is the client's work.
        let elapsed = t.elapsed();
        let body: Value = serde_json::from_slice(&bytes)?;
        let rows = body["rows"].as_array().map_or(0, Vec::len);
        ensure!(
            rows == (scale.provinces + 1) * INDICATORS,
            "attainment returned {rows} rows"
        );
        if i >= 3 {
            api_times.push(elapsed);
        }
    }
    api_times.sort();

    // The same dashboard through GraphQL: the nation's attainment and each province's, as
    // nested fields batched by DataLoaders.
    let query = format!(
        "{{ orgUnit(code: \"VN\") {{ attainment(period: \"{QUERY_PERIOD}\") {{ indicator numerator denominator value status }} \
         children(first: 100) {{ nodes {{ code attainment(period: \"{QUERY_PERIOD}\") {{ indicator numerator denominator value status }} }} }} }} }}"
    );
    let mut graphql_times = Vec::with_capacity(args.runs);
    for i in 0..args.runs + 3 {
        let t = Instant::now();
        let res = client
            .post(format!("{base}/graphql"))
            .bearer_auth(&token)
            .json(&json!({ "query": query }))
            .send()
            .await?;
        let bytes = res.bytes().await?;
        let elapsed = t.elapsed();
        let body: Value = serde_json::from_slice(&bytes)?;
        ensure!(body.get("errors").is_none(), "GraphQL failed: {body}");
        let unit = &body["data"]["orgUnit"];
        let rows = unit["attainment"].as_array().map_or(0, Vec::len)
            + unit["children"]["nodes"].as_array().map_or(0, |c| {
                c.iter()
                    .map(|n| n["attainment"].as_array().map_or(0, Vec::len))
                    .sum()
            });
        ensure!(
            rows == (scale.provinces + 1) * INDICATORS,
            "GraphQL returned {rows} rows"
        );
        if i >= 3 {
            graphql_times.push(elapsed);
        }
    }
    graphql_times.sort();

    // The same sums by hand-written SQL.
    let mut codes = vec!["VN".to_owned()];
    codes.extend((0..scale.provinces).map(synthetic::province_code));
    let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let ids = org_units::ids_by_codes(db.conn(), &refs).await?;
    let units: Vec<OrgUnitId> = codes.iter().filter_map(|c| ids.get(c).copied()).collect();
    let (summed, last) = element_ids.split_at(ELEMENTS - STOCKS);
    let period = Period::parse(QUERY_PERIOD)?;
    let mut sql_times = Vec::with_capacity(args.runs);
    for i in 0..args.runs + 3 {
        let t = Instant::now();
        let n = raw::raw_attainment_sums(&db, &units, summed, last, period).await?;
        let elapsed = t.elapsed();
        ensure!(n == units.len() * ELEMENTS, "raw SQL returned {n} sums");
        if i >= 3 {
            sql_times.push(elapsed);
        }
    }
    sql_times.sort();

    // Completeness of a year of monthly commune reports, nation and provinces.
    let row_units: Vec<(OrgUnitId, String)> = codes
        .iter()
        .filter_map(|c| ids.get(c).map(|id| (*id, c.clone())))
        .collect();
    let reporting = completeness::run(completeness::Setup {
        client: &client,
        base: &base,
        token: &token,
        db: &db,
        communes: &commune_ids,
        rows: &row_units,
        runs: args.runs,
    })
    .await?;

    let _ = stop.send(());
    let _ = server.await;
    if args.database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    let mut summary = json!({
        "scale": scale.name,
        "database": database,
        "ingest_values_per_s": ingest_rate.round(),
        "raw_upsert_values_per_s": raw_rate.round(),
        "attainment_p50_ms": (percentile(&api_times, 0.50) * 10.0).round() / 10.0,
        "attainment_p95_ms": (percentile(&api_times, 0.95) * 10.0).round() / 10.0,
        "raw_sql_p50_ms": (percentile(&sql_times, 0.50) * 10.0).round() / 10.0,
        "graphql_dashboard_p50_ms": (percentile(&graphql_times, 0.50) * 10.0).round() / 10.0,
        "graphql_dashboard_p95_ms": (percentile(&graphql_times, 0.95) * 10.0).round() / 10.0,
    });
    if let (Some(out), Some(more)) = (summary.as_object_mut(), reporting.as_object()) {
        out.extend(more.clone());
    }
    eprintln!(
        "bench: ingestion {:.2}× raw upsert; attainment p50 {:.2}× raw SQL",
        ingest_rate / raw_rate,
        percentile(&api_times, 0.50) / percentile(&sql_times, 0.50)
    );
    println!("{summary}");
    Ok(())
}
