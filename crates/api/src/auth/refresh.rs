//! Opaque refresh tokens: 256 random bits, shown once, stored as SHA-256.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh refresh token (`ctr_` + 43 base64url characters).
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "ctr_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of an opaque token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
