//! Opaque tokens (refresh tokens, API tokens): 256 random bits from the OS CSPRNG, shown
//! once, stored as SHA-256.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

fn opaque(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A fresh refresh token (`ctr_` + 43 base64url characters).
pub fn new_refresh_token() -> String {
    opaque("ctr_")
}

/// A fresh API token (`ctk_` + 43 base64url characters).
pub fn new_api_token() -> String {
    opaque(super::API_TOKEN_PREFIX)
}

/// The stored form of an opaque token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
