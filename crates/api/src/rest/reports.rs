//! What the city and province pull: attainment, aggregates, validation.

use axum::{
    Json,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::common::Num,
    dto::reports::{
        AggregateRowDto, AggregatesParams, AggregatesResponse, AttainmentParams,
        AttainmentResponse, ValidationParams, ValidationResponse,
    },
    service::reports::{self, AttainmentQuery, Breakdown},
};

/// Query-string pairs, keeping repeated keys.
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn parse(raw: Option<String>, allowed: &[&str]) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!(
                    "unknown query parameter '{k}'; expected one of {}",
                    allowed.join(", ")
                ),
            ));
        }
        Ok(Self(pairs))
    }

    pub(super) fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub(super) fn one(&self, key: &str) -> Result<Option<String>, ApiError> {
        let mut all = self.all(key);
        match all.len() {
            0 => Ok(None),
            1 => Ok(all.pop()),
            _ => Err(ApiError::bad_request(
                "invalid_query",
                format!("'{key}' is given more than once"),
            )),
        }
    }

    pub(super) fn required(&self, key: &str) -> Result<String, ApiError> {
        self.one(key)?.ok_or_else(|| {
            ApiError::bad_request(
                "invalid_query",
                format!("the query parameter '{key}' is required"),
            )
        })
    }

    pub(super) fn breakdown(&self) -> Result<Breakdown, ApiError> {
        self.one("breakdown")?
            .as_deref()
            .map_or(Ok(Breakdown::SelfOnly), Breakdown::parse)
    }
}

fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.split(',').any(|t| t.trim().starts_with("text/csv")))
}

/// KPI attainment against national, provincial and city targets.
///
/// Values roll up over the whole subtree and every month of the period; a ratio is always
/// Σnumerator / Σdenominator. Send `Accept: text/csv` for CSV.
#[utoipa::path(get, path = "/api/v1/attainment", tag = "aggregates", operation_id = "get_attainment",
    params(AttainmentParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Attainment rows", content(
            (AttainmentResponse = "application/json"),
            (String = "text/csv", example = "indicator,org_unit,period,numerator,denominator,value,status\nDOC_SW_RATE,VT-P8,2023-01/2023-09,7102,7171,99.04,not_met\n"),
        )),
        (status = 400, description = "Invalid query", body = crate::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit or indicator", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_attainment(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(
        raw,
        &["org_unit", "period", "indicator", "group", "breakdown"],
    )?;
    let query = AttainmentQuery {
        org_unit: p.required("org_unit")?,
        period: p.required("period")?,
        indicators: p.all("indicator"),
        group: p.one("group")?,
        breakdown: p.breakdown()?,
    };
    let report = reports::attainment(&state, &caller, &query).await?;
    let body = AttainmentResponse::from(&report);
    if wants_csv(&headers) {
        return csv_response(&body);
    }
    Ok(Json(body).into_response())
}

fn csv_num(v: Option<Num>) -> String {
    v.map(|n| n.0.normalize().to_string()).unwrap_or_default()
}

fn csv_response(body: &AttainmentResponse) -> Result<Response, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "indicator",
        "org_unit",
        "period",
        "numerator",
        "denominator",
        "value",
        "status",
        "targets_met",
        "targets",
    ])
    .map_err(ApiError::internal)?;
    for r in &body.rows {
        let met = r.targets.iter().filter(|t| t.met == Some(true)).count();
        let targets = r
            .targets
            .iter()
            .map(|t| match (&t.operator, t.value) {
                (Some(op), Some(v)) => format!("{}{}{}", t.set_by, op, csv_num(Some(v))),
                _ => format!("{}:note", t.set_by),
            })
            .collect::<Vec<_>>()
            .join(";");
        w.write_record([
            r.indicator.clone(),
            r.org_unit.clone(),
            r.period.clone(),
            csv_num(r.numerator),
            csv_num(r.denominator),
            csv_num(r.value),
            r.status.to_owned(),
            met.to_string(),
            targets,
        ])
        .map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(res)
}

/// Data elements aggregated over a unit's subtree and a period.
#[utoipa::path(get, path = "/api/v1/aggregates", tag = "aggregates", operation_id = "get_aggregates",
    params(AggregatesParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Aggregates", body = AggregatesResponse),
        (status = 400, description = "Invalid query", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit or data element", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_aggregates(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<AggregatesResponse>, ApiError> {
    let p = Params::parse(raw, &["data_element", "org_unit", "period", "breakdown"])?;
    let (period, rows) = reports::aggregates(
        &state,
        &caller,
        &p.all("data_element"),
        &p.required("org_unit")?,
        &p.required("period")?,
        p.breakdown()?,
    )
    .await?;
    let period = period.to_string();
    Ok(Json(AggregatesResponse {
        rows: rows
            .iter()
            .map(|r| AggregateRowDto::new(r, &period))
            .collect(),
    }))
}

/// Validation rules broken anywhere in a unit's subtree.
#[utoipa::path(get, path = "/api/v1/validation", tag = "aggregates", operation_id = "get_validation",
    params(ValidationParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Violations", body = ValidationResponse),
        (status = 400, description = "Invalid query", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_validation(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<ValidationResponse>, ApiError> {
    let p = Params::parse(raw, &["org_unit", "period"])?;
    let v = reports::violations(
        &state,
        &caller,
        &p.required("org_unit")?,
        &p.required("period")?,
    )
    .await?;
    Ok(Json(ValidationResponse::new(&v)))
}
