//! The API's one error type and its single mapping to RFC 9457 problem+json.
//!
//! *API boundary*: every error a client sees is built here. Internal failures are logged
//! (inside the request's span, so with its request id) and answered with a generic 500.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chitieu_domain::{DomainError, ErrorKind};
use chitieu_persistence::{FieldIssue, PersistenceError};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field-level problem inside a validation error.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Where the problem is, e.g. `indicators[0].numerator` or `period`.
    pub field: String,
    /// Stable snake_case code, e.g. `unknown_data_element`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl From<FieldIssue> for FieldError {
    fn from(i: FieldIssue) -> Self {
        Self {
            field: i.field,
            code: i.code.to_owned(),
            message: i.message,
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(example = json!({"type": "urn:chitieu:problem:invalid_period", "title": "Invalid period",
    "status": 400, "detail": "'2023Q5': quarter must be 1 to 4", "code": "invalid_period"}))]
pub struct Problem {
    /// URI naming the problem type: `urn:chitieu:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// Stable snake_case code clients can branch on.
    pub code: String,
    /// Field-level problems, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The reports a transition waits for (`children_not_approved`: the expected reports
    /// below the unit that are not approved, nearest first, at most 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<ReportRef>>,
}

/// One report named by a problem.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportRef {
    /// The reporting unit.
    pub org_unit: String,
    /// The period, canonical (`2023Q3`).
    pub period: String,
    /// Its state: `open`, `submitted` or `returned`.
    pub state: String,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 with a specific code (malformed input that is not a per-field problem).
    #[error("{detail}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 401: no valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 404: the addressed resource does not exist.
    #[error("{detail}")]
    NotFound {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 405: wrong method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 409 with a specific code.
    #[error("{detail}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 412: a write's `If-Match`/`If-None-Match` does not hold; nothing changed.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 409 naming the reports it waits for.
    #[error("{detail}")]
    ConflictWithReports {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
        /// The reports.
        children: Vec<ReportRef>,
    },
    /// 413: body too large.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: wrong content type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: a document failed validation; every problem listed.
    #[error("{detail}")]
    Validation {
        /// Stable code.
        code: &'static str,
        /// Summary.
        detail: String,
        /// Each problem.
        errors: Vec<FieldError>,
    },
    /// 422 with a specific code and no field list.
    #[error("{detail}")]
    Unprocessable {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 428: a write that must be conditional came without `If-Match`.
    #[error("{0}")]
    PreconditionRequired(String),
    /// 429: too many attempts.
    #[error("{detail}")]
    TooManyRequests {
        /// Explanation.
        detail: String,
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// 429: the caller used up its request rate limit.
    #[error("too many requests for this token; retry in {retry_after} s")]
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// 503: the database cannot be reached right now.
    #[error("{0}")]
    Unavailable(String),
    /// 503: the request ran past its time limit and was stopped.
    #[error("{0}")]
    Timeout(String),
    /// 500: a bug or an infrastructure failure. Logged, never described to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// 400 with `code`.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    /// 404 with `code`.
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::NotFound {
            code,
            detail: detail.into(),
        }
    }

    /// 500 from anything displayable.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } | Self::ConflictWithReports { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation { .. } | Self::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::TooManyRequests { .. } | Self::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Unavailable(_) | Self::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. }
            | Self::ConflictWithReports { code, .. }
            | Self::Validation { code, .. }
            | Self::Unprocessable { code, .. } => code,
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::PreconditionFailed(_) => "precondition_failed",
            Self::PreconditionRequired(_) => "precondition_required",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable(_) => "database_unavailable",
            Self::Timeout(_) => "request_timeout",
            Self::Internal(_) => "internal_error",
        }
    }

    /// The problem document a client sees.
    pub fn to_problem(&self) -> Problem {
        let status = self.status();
        let detail = match self {
            Self::Internal(_) => "an internal error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        };
        let errors = match self {
            Self::Validation { errors, .. } => Some(errors.clone()),
            _ => None,
        };
        let mut p = problem(status, self.code(), detail, errors);
        if let Self::ConflictWithReports { children, .. } = self {
            p.children = Some(children.clone());
        }
        p
    }
}

/// Builds a problem document.
pub fn problem(
    status: StatusCode,
    code: &str,
    detail: impl Into<String>,
    errors: Option<Vec<FieldError>>,
) -> Problem {
    Problem {
        problem_type: format!("urn:chitieu:problem:{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: detail.into(),
        code: code.to_owned(),
        errors,
        children: None,
    }
}

/// Serialises a problem into a response with the problem+json media type.
pub fn problem_response(p: &Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(p).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    res
}

impl ApiError {
    /// The response without logging (for layers that log themselves).
    pub fn to_problem_response(&self) -> Response {
        problem_response(&self.to_problem())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(msg) = &self {
            tracing::error!(error = %msg, "internal error");
        }
        let mut res = problem_response(&self.to_problem());
        if let Self::TooManyRequests { retry_after, .. } | Self::RateLimited { retry_after } = &self
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if let Self::Forbidden(why) = &self {
            res.extensions_mut()
                .insert(crate::auth::refusals::RefusalDetail(why.clone()));
        }
        res
    }
}

impl From<PersistenceError> for ApiError {
    fn from(e: PersistenceError) -> Self {
        match e {
            PersistenceError::Forbidden(msg) => Self::Forbidden(msg),
            PersistenceError::WriteConflict => Self::Conflict {
                code: "write_conflict",
                detail: "another request changed the same figures at the same time; retry".into(),
            },
            PersistenceError::Unavailable(e) => {
                tracing::warn!(error = %e, "the database is unavailable");
                Self::Unavailable(
                    "the database cannot be reached right now; nothing was done, retry later"
                        .into(),
                )
            }
            PersistenceError::StatementTimeout(_) => {
                Self::Timeout("the request took too long and was stopped; nothing was done".into())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<DomainError> for ApiError {
    /// Mapped by the error's kind: a refusal is 403, a conflict with the state of things
    /// 409, a reason that is not one 422, any other invalid input 400.
    fn from(e: DomainError) -> Self {
        let (code, detail) = (e.code(), e.to_string());
        match e.kind() {
            ErrorKind::Forbidden => Self::Forbidden(detail),
            ErrorKind::Conflict => Self::Conflict { code, detail },
            ErrorKind::Invalid if matches!(e, DomainError::InvalidReason { .. }) => {
                Self::Unprocessable { code, detail }
            }
            ErrorKind::Invalid => Self::BadRequest { code, detail },
        }
    }
}

impl From<sea_orm_err::DbErr> for ApiError {
    fn from(e: sea_orm_err::DbErr) -> Self {
        PersistenceError::from(e).into()
    }
}

/// Re-export path for the database error type without depending on sea-orm directly.
mod sea_orm_err {
    pub use chitieu_persistence::DbErr;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_take_the_status_of_their_kind() {
        let cases = [
            (DomainError::Forbidden, 403, "forbidden"),
            (DomainError::ReportLocked, 409, "report_locked"),
            (DomainError::NotAssigned, 409, "not_assigned"),
            (
                DomainError::InvalidReason {
                    reason: "empty".into(),
                },
                422,
                "invalid_reason",
            ),
            (
                DomainError::InvalidCode {
                    input: "x y".into(),
                    reason: "space".into(),
                },
                400,
                "invalid_code",
            ),
        ];
        for (domain, status, code) in cases {
            let api = ApiError::from(domain);
            assert_eq!((api.status().as_u16(), api.code()), (status, code));
        }
    }
}
