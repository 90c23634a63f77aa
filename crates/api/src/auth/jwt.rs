//! Short-lived JWT access tokens: HS256 pinned, `kid` names the key, and `exp`, `nbf`, `iss`,
//! `aud`, `sub` and `typ` are all required.
//!
//! Keys rotate: new tokens are signed with the current key, and the previous key still
//! verifies tokens until the end of its grace period, so nobody is logged out by a rotation.

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use chitieu_persistence::UserId;

use crate::ApiError;

/// Claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Not before.
    pub nbf: u64,
    /// Issued at.
    pub iat: u64,
    /// Always `access`.
    pub typ: String,
    /// Unique token id.
    pub jti: String,
    /// The user's session epoch when the token was issued; the token is good only while the
    /// user's epoch is still this one (a password change or reset, or disabling, moves it).
    /// Tokens issued before epochs existed carry none and count as epoch 0.
    #[serde(default)]
    pub epoch: i64,
}

/// A verification key that was replaced and is accepted until `until` (seconds since the
/// epoch).
struct RetiredKey {
    kid: String,
    decoding: DecodingKey,
    until: u64,
}

/// The signing key and the rules every token is checked against.
pub struct JwtKeys {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    previous: Option<RetiredKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: u64,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

const ACCESS: &str = "access";

impl JwtKeys {
    /// Keys from a shared secret.
    pub fn new(
        secret: &[u8],
        issuer: &str,
        audience: &str,
        ttl_seconds: u64,
    ) -> Result<Self, ApiError> {
        let kid = key_id(secret);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        Ok(Self {
            kid,
            encoding: EncodingKey::from_secret(secret).map_err(ApiError::internal)?,
            decoding: DecodingKey::from_secret(secret).map_err(ApiError::internal)?,
            previous: None,
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl_seconds,
        })
    }

    /// Also accepts tokens signed with `secret` (the key this one replaced) until `until`
    /// (seconds since the epoch).
    pub fn with_previous(mut self, secret: &[u8], until: u64) -> Result<Self, ApiError> {
        self.previous = Some(RetiredKey {
            kid: key_id(secret),
            decoding: DecodingKey::from_secret(secret).map_err(ApiError::internal)?,
            until,
        });
        Ok(self)
    }

    /// The `kid` new tokens carry.
    pub fn current_kid(&self) -> &str {
        &self.kid
    }

    /// Lifetime of an access token in seconds.
    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    /// Issues an access token for a user id in the user's current session epoch.
    pub fn issue(&self, user_id: UserId, epoch: i64) -> Result<String, ApiError> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + self.ttl_seconds,
            nbf: now,
            iat: now,
            typ: ACCESS.to_owned(),
            jti: uuid::Uuid::new_v4().to_string(),
            epoch,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        encode(&header, &claims, &self.encoding).map_err(ApiError::internal)
    }

    /// Checks a token and returns its claims; every failure is the same 401.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let invalid = || ApiError::Unauthorized("invalid or expired access token".into());
        let header = decode_header(token).map_err(|_| invalid())?;
        if header.alg != Algorithm::HS256 {
            return Err(invalid());
        }
        let key = match header.kid.as_deref() {
            Some(kid) if kid == self.kid => &self.decoding,
            Some(kid) => match &self.previous {
                Some(p) if p.kid == kid && jsonwebtoken::get_current_timestamp() < p.until => {
                    &p.decoding
                }
                _ => return Err(invalid()),
            },
            None => return Err(invalid()),
        };
        let data = decode::<Claims>(token, key, &self.validation).map_err(|_| invalid())?;
        if data.claims.typ != ACCESS {
            return Err(invalid());
        }
        Ok(data.claims)
    }
}

/// A key's public name: the first 8 bytes of its secret's SHA-256, in hex.
fn key_id(secret: &[u8]) -> String {
    hex::encode(&Sha256::digest(secret)[..8])
}
