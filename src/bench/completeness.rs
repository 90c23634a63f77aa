//! The reporting-cycle part of `chitieu bench`: a monthly data set assigned to every commune,
//! a year of reports in a realistic mix written directly (setup only), then
//! `GET /api/v1/completeness?…&breakdown=children` for the nation timed through HTTP against
//! the hand-written `GROUP BY` of `persistence::bench::raw_completeness`, the counts checked
//! equal.

use std::{collections::HashMap, time::Duration, time::Instant};

use anyhow::{Context, ensure};
use chitieu_domain::{Period, Schedule};
use chitieu_persistence::{Database, OrgUnitId, bench as raw};
use serde_json::{Value, json};

use super::{month_text, percentile, synthetic::MONTHS};

const DATA_SET: &str = "BENCH_MONTHLY";
const KIND: &str = "commune";
/// The missing reports listed in the answer (the API's default).
const MISSING_LIMIT: usize = 500;

/// What the run needs from the bench.
pub struct Setup<'a> {
    pub client: &'a reqwest::Client,
    pub base: &'a str,
    pub token: &'a str,
    pub db: &'a Database,
    /// Every commune, by index.
    pub communes: &'a [OrgUnitId],
    /// The nation, then each province, with their codes.
    pub rows: &'a [(OrgUnitId, String)],
    pub runs: usize,
}

/// The state of commune `c`'s report for month `m`: 55 % approved on time, 10 % submitted on
/// time, 10 % submitted late, 5 % approved late, 5 % returned, 15 % untouched.
fn mix(c: usize, m: usize, due_at: i64, unit: OrgUnitId, month: i32) -> Option<raw::RawReport> {
    const DAY: i64 = 86_400_000_000;
    let on_time = due_at - 2 * DAY;
    let late = due_at + 3 * DAY;
    match (c * 31 + m * 17) % 100 {
        0..55 => Some((unit, month, "approved", Some(on_time), Some(due_at + DAY))),
        55..65 => Some((unit, month, "submitted", Some(on_time), None)),
        65..75 => Some((unit, month, "submitted", Some(late), None)),
        75..80 => Some((unit, month, "approved", Some(late), Some(late + DAY))),
        80..85 => Some((unit, month, "returned", Some(on_time), None)),
        _ => None,
    }
}

/// Seeds, times and checks; returns the summary's fields.
pub async fn run(s: Setup<'_>) -> anyhow::Result<Value> {
    let schedule = Schedule::new(None, 5, 5, None)?;
    let months: Vec<(i32, i64)> = (0..MONTHS)
        .map(|m| {
            let p = Period::parse(&month_text(m))?;
            Ok((p.start().index(), schedule.deadlines(&p)?.due_at()))
        })
        .collect::<anyhow::Result<_>>()?;
    let data_set = raw::seed_monthly_data_set(s.db, DATA_SET, KIND).await?;
    let reports: Vec<raw::RawReport> = s
        .communes
        .iter()
        .enumerate()
        .flat_map(|(c, &unit)| {
            months
                .iter()
                .enumerate()
                .filter_map(move |(m, &(month, due))| mix(c, m, due, unit, month))
        })
        .collect();
    let seeded = Instant::now();
    raw::seed_reports(s.db, data_set, &reports).await?;
    eprintln!(
        "bench: {} reports seeded in {:.1} s",
        reports.len(),
        seeded.elapsed().as_secs_f64()
    );

    let url = format!(
        "{}/api/v1/completeness?data_set={DATA_SET}&org_unit=VN&period=2023&breakdown=children&missing_limit={MISSING_LIMIT}",
        s.base
    );
    let mut api_times: Vec<Duration> = Vec::with_capacity(s.runs);
    let mut answer = Value::Null;
    for i in 0..s.runs + 3 {
        let t = Instant::now();
        let res = s.client.get(&url).bearer_auth(s.token).send().await?;
        ensure!(
            res.status().is_success(),
            "completeness failed: {}",
            res.text().await?
        );
        let bytes = res.bytes().await?;
        let elapsed = t.elapsed();
        if i >= 3 {
            api_times.push(elapsed);
        }
        answer = serde_json::from_slice(&bytes)?;
    }
    api_times.sort();

    let ids: Vec<OrgUnitId> = s.rows.iter().map(|(id, _)| *id).collect();
    let mut sql_times: Vec<Duration> = Vec::with_capacity(s.runs);
    let root = *ids.first().context("no rows")?;
    let mut baseline = Vec::new();
    let mut missing = (0, Vec::new());
    for i in 0..s.runs + 3 {
        let t = Instant::now();
        // The same work as the API's answer, as the API does it: the counts and the missing
        // reports side by side on two pooled connections.
        let (counts, listed) = tokio::join!(
            raw::raw_completeness(s.db, data_set, KIND, &ids, &months),
            raw::raw_missing(s.db, data_set, KIND, root, &months, MISSING_LIMIT),
        );
        (baseline, missing) = (counts?, listed?);
        let elapsed = t.elapsed();
        if i >= 3 {
            sql_times.push(elapsed);
        }
    }
    sql_times.sort();

    // The API's counts equal the baseline's, row by row.
    let codes: HashMap<OrgUnitId, &str> = s
        .rows
        .iter()
        .map(|(id, code)| (*id, code.as_str()))
        .collect();
    let api_rows = answer["rows"].as_array().context("no rows")?;
    ensure!(
        api_rows.len() == s.rows.len(),
        "completeness returned {} rows",
        api_rows.len()
    );
    ensure!(
        baseline.len() == s.rows.len(),
        "raw SQL returned {} rows",
        baseline.len()
    );
    for (id, expected, submitted, on_time, approved) in &baseline {
        let code = codes.get(id).context("baseline row of an unknown unit")?;
        let row = api_rows
            .iter()
            .find(|r| r["org_unit"] == *code)
            .with_context(|| format!("no API row for {code}"))?;
        let api = [
            &row["expected"],
            &row["submitted"],
            &row["on_time"],
            &row["approved"],
        ]
        .map(|v| v.as_i64().unwrap_or(-1));
        ensure!(
            api == [*expected, *submitted, *on_time, *approved],
            "{code}: API counts {api:?}, raw SQL {:?}",
            [expected, submitted, on_time, approved]
        );
    }
    // And its missing reports: as many, and the first ones the same, in the same order.
    ensure!(
        answer["missing_total"].as_i64() == Some(missing.0),
        "API missing_total {}, raw SQL {}",
        answer["missing_total"],
        missing.0
    );
    let api_missing: Vec<(String, String)> = answer["missing"]
        .as_array()
        .context("no missing")?
        .iter()
        .map(|m| {
            (
                m["org_unit"].as_str().unwrap_or_default().to_owned(),
                m["period"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let raw_missing: Vec<(String, String)> = missing
        .1
        .iter()
        .map(|(code, month)| {
            let period = chitieu_domain::Month::from_index(*month)
                .map(|m| Period::month(m).to_string())
                .unwrap_or_default();
            (code.clone(), period)
        })
        .collect();
    ensure!(
        api_missing == raw_missing,
        "the API's missing reports differ from the raw SQL's"
    );
    let api_p50 = percentile(&api_times, 0.50);
    let sql_p50 = percentile(&sql_times, 0.50);
    eprintln!(
        "bench: completeness p50 {api_p50:.1} ms = {:.2}× raw SQL ({sql_p50:.1} ms); {} missing",
        api_p50 / sql_p50,
        answer["missing_total"]
    );
    Ok(json!({
        "completeness_p50_ms": (api_p50 * 10.0).round() / 10.0,
        "completeness_p95_ms": (percentile(&api_times, 0.95) * 10.0).round() / 10.0,
        "raw_completeness_p50_ms": (sql_p50 * 10.0).round() / 10.0,
        "completeness_vs_raw": (api_p50 / sql_p50 * 100.0).round() / 100.0,
    }))
}
