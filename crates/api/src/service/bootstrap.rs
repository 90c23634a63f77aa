//! The first start: with no user at all, the account `admin` is created, so there is
//! someone to log in as. Part of `open_state`, so its failures are startup failures
//! (`anyhow`) that never reach a client.

use chitieu_persistence::{Database, users};

use crate::{
    Config,
    auth::{PasswordHasher, check_password_policy},
};

/// With no user at all, creates `admin` with the configured password or a generated one
/// (returned so the binary can print it once).
pub async fn admin(
    db: &Database,
    config: &Config,
    passwords: &PasswordHasher,
) -> anyhow::Result<Option<String>> {
    if users::count(db.conn()).await? > 0 {
        return Ok(None);
    }
    let (password, generated) = match &config.admin_password {
        Some(p) => {
            check_password_policy(p).map_err(|e| anyhow::anyhow!("CHITIEU_ADMIN_PASSWORD: {e}"))?;
            (p.clone(), false)
        }
        None => (crate::auth::random_hex(12), true),
    };
    let hash = passwords.hash(password.clone()).await?;
    let tx = db.write().await?;
    if users::count(&tx).await? > 0 {
        return Ok(None);
    }
    let created = users::create(
        &tx,
        users::NewUser {
            username: "admin",
            password_hash: &hash,
            display_name: Some("Administrator"),
            role: "admin",
            org_unit_id: None,
        },
    )
    .await;
    match created {
        Ok(_) => {
            tx.commit().await?;
            Ok(generated.then_some(password))
        }
        // Another instance bootstrapped at the same moment.
        Err(e) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e.into()),
    }
}
