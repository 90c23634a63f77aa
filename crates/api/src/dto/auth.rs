//! Login and token bodies.

use serde::{Deserialize, Deserializer, Serialize, de};
use utoipa::ToSchema;

use crate::auth::MAX_PASSWORD_CHARS;

pub use crate::service::sessions::MAX_USERNAME_CHARS;

/// `POST /api/v1/auth/login`.
///
/// Both fields are cut to one character beyond their longest valid length as they are read:
/// an over-long name or password is simply wrong (the same 401, in the same time) and is never
/// kept, looked up or recorded whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    #[schema(example = "admin", max_length = 64)]
    #[serde(deserialize_with = "at_most::<_, { MAX_USERNAME_CHARS + 1 }>")]
    pub username: String,
    /// Password.
    #[schema(example = "correct horse battery staple", max_length = 256)]
    #[serde(deserialize_with = "at_most::<_, { MAX_PASSWORD_CHARS + 1 }>")]
    pub password: String,
}

/// Reads a string, keeping at most its first `N` characters.
fn at_most<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<String, D::Error> {
    struct AtMost<const N: usize>;
    impl<const N: usize> de::Visitor<'_> for AtMost<N> {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.chars().take(N).collect())
        }
    }
    d.deserialize_str(AtMost::<N>)
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
