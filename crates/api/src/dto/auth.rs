//! Login and token bodies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    #[schema(example = "admin")]
    pub username: String,
    /// Password.
    #[schema(example = "correct horse battery staple")]
    pub password: String,
}

/// `POST /api/v1/auth/refresh` and `/logout`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// A refresh token from a previous login or refresh.
    pub refresh_token: String,
}

/// Tokens issued on login and refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT access token for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Opaque single-use refresh token.
    pub refresh_token: String,
}
