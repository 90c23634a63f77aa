//! Where the access-token signing keys come from, and their rotation.
//!
//! With `CHITIEU_JWT_SECRET` set, the configuration names the keys (and
//! `CHITIEU_JWT_PREVIOUS_SECRET` / `CHITIEU_JWT_PREVIOUS_UNTIL` the one being retired).
//! Otherwise the keys live in `app_setting`, generated on first start, and
//! `chitieu keys rotate` replaces the current one, keeping it valid for a grace period.

use std::time::Duration;

use chitieu_persistence::{Database, settings};

use super::JwtKeys;
use crate::Config;

const ISSUER: &str = "chitieu";
const AUDIENCE: &str = "chitieu-api";
const CURRENT: &str = "jwt_secret";
const PREVIOUS: &str = "jwt_previous_secret";
const PREVIOUS_UNTIL: &str = "jwt_previous_until";

/// Loads the keys the configuration or the database name.
pub async fn load(db: &Database, config: &Config) -> anyhow::Result<JwtKeys> {
    let ttl = config.access_token_ttl.as_secs();
    let (current, previous) = match &config.jwt_secret {
        Some(s) if s.len() < 32 => {
            anyhow::bail!("CHITIEU_JWT_SECRET must be at least 32 characters")
        }
        Some(s) => {
            let previous = match (&config.jwt_previous_secret, config.jwt_previous_until) {
                (Some(p), Some(until)) => Some((p.clone(), until)),
                (Some(_), None) => anyhow::bail!(
                    "CHITIEU_JWT_PREVIOUS_SECRET needs CHITIEU_JWT_PREVIOUS_UNTIL (seconds since the epoch)"
                ),
                (None, _) => None,
            };
            (s.clone(), previous)
        }
        None => {
            // One transaction: concurrent starters agree on one generated secret, and a
            // rotation is read whole or not at all.
            let tx = db.write().await?;
            let current = settings::get_or_insert(&tx, CURRENT, || super::random_hex(64)).await?;
            let previous = match (
                settings::get(&tx, PREVIOUS).await?,
                settings::get(&tx, PREVIOUS_UNTIL).await?,
            ) {
                (Some(p), Some(until)) => Some((p, until.parse::<u64>()?)),
                _ => None,
            };
            tx.commit().await?;
            (current, previous)
        }
    };
    let keys = JwtKeys::new(current.as_bytes(), ISSUER, AUDIENCE, ttl)?;
    Ok(match previous {
        Some((secret, until)) => keys.with_previous(secret.as_bytes(), until)?,
        None => keys,
    })
}

/// Replaces the database-held signing key with a new one; the old key keeps verifying tokens
/// for `grace` (give at least the access-token lifetime). Servers pick the new key up when
/// they restart. Returns the new key's `kid`.
pub async fn rotate(db: &Database, grace: Duration) -> anyhow::Result<String> {
    // All three settings change together or not at all.
    let tx = db.write().await?;
    let old = settings::get_or_insert(&tx, CURRENT, || super::random_hex(64)).await?;
    let new = super::random_hex(64);
    let until = jsonwebtoken::get_current_timestamp() + grace.as_secs();
    settings::set(&tx, PREVIOUS, &old).await?;
    settings::set(&tx, PREVIOUS_UNTIL, &until.to_string()).await?;
    settings::set(&tx, CURRENT, &new).await?;
    tx.commit().await?;
    let keys = JwtKeys::new(new.as_bytes(), ISSUER, AUDIENCE, 0)?;
    Ok(keys.current_kid().to_owned())
}
