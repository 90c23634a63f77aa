//! Operator commands without a frontend: `chitieu user …` (including `unlock`), `chitieu token …`,
//! `chitieu keys rotate`. They act as a named user (`--as`, default `admin`) through the same
//! use cases as the API, so the same rules apply and the audit trail records who did it.

use std::{io::BufRead, time::Duration};

use anyhow::{Context, bail};
use chitieu_api::{
    AppState, Config,
    auth::Caller,
    service::access::{self, NewTokenInput, NewUserInput, UserChange, UserRef},
};
use clap::{Args, Subcommand};

use crate::DbArgs;

/// Who the command acts as.
#[derive(Args)]
pub struct ActingAs {
    #[command(flatten)]
    db: DbArgs,
    /// The user the command acts as (its role and subtree apply).
    #[arg(long = "as", default_value = "admin")]
    acting_as: String,
}

/// `chitieu user …`
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user bound to an org unit; prints a generated password unless
    /// `--password-stdin` is given.
    Create {
        #[command(flatten)]
        who: ActingAs,
        /// Login name (3–64 of a-z 0-9 . _ -).
        username: String,
        /// `admin`, `manager`, `reporter` or `viewer`.
        #[arg(long)]
        role: String,
        /// The org unit the role is bound to (not for `admin`).
        #[arg(long)]
        org_unit: Option<String>,
        /// Display name.
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user; its sessions end at once.
    Disable {
        #[command(flatten)]
        who: ActingAs,
        /// Login name.
        username: String,
    },
    /// Re-enable a disabled user.
    Enable {
        #[command(flatten)]
        who: ActingAs,
        /// Login name.
        username: String,
    },
    /// Forget a user's failed logins and waits, from every address (audited as
    /// `auth.unlocked`).
    Unlock {
        #[command(flatten)]
        who: ActingAs,
        /// Login name.
        username: String,
    },
    /// Set a new password (generated and printed unless `--password-stdin`); sessions end.
    ResetPassword {
        #[command(flatten)]
        who: ActingAs,
        /// Login name.
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// `chitieu token …`
#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for one org unit; prints the secret once.
    Create {
        #[command(flatten)]
        who: ActingAs,
        /// What the token is for, e.g. `p8-ward-system`.
        #[arg(long)]
        name: String,
        /// The org unit whose subtree it acts on.
        #[arg(long)]
        org_unit: String,
        /// Scopes: `data:read`, `data:write` (repeat or separate with commas).
        #[arg(long = "scope", value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// Lifetime in days (no expiry when absent).
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// Revoke an API token by id; it stops working at once.
    Revoke {
        #[command(flatten)]
        who: ActingAs,
        /// Token id (see `GET /api/v1/api-tokens`).
        id: chitieu_persistence::ApiTokenId,
    },
}

/// `chitieu keys …`
#[derive(Subcommand)]
pub enum KeysCommand {
    /// Replace the access-token signing key kept in the database; the old key stays valid for
    /// the grace period. Restart the servers to sign with the new key.
    Rotate {
        #[command(flatten)]
        db: DbArgs,
        /// How long tokens signed with the old key stay valid, in seconds (at least the
        /// access-token lifetime).
        #[arg(long, default_value_t = 3600)]
        grace_seconds: u64,
    },
}

async fn open(db: &DbArgs) -> anyhow::Result<AppState> {
    let (state, generated) = chitieu_api::open_state(Config::new(db.database_url.clone())).await?;
    if let Some(password) = generated {
        println!("Created the user 'admin' with the password: {password}");
    }
    Ok(state)
}

async fn acting(who: &ActingAs) -> anyhow::Result<(AppState, Caller)> {
    let state = open(&who.db).await?;
    let user = chitieu_api::service::callers::user_id_by_name(&state, &who.acting_as)
        .await
        .map_err(problem)?
        .with_context(|| format!("no user '{}'", who.acting_as))?;
    let caller = Caller::of_user(&state, user)
        .await
        .map_err(problem)?
        .with_context(|| format!("the user '{}' is disabled", who.acting_as))?;
    Ok((state, caller))
}

fn problem(e: chitieu_api::ApiError) -> anyhow::Error {
    let p = e.to_problem();
    anyhow::anyhow!("{} ({})", p.detail, p.code)
}

fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((chitieu_api::auth::random_hex(12), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        bail!("no password on standard input");
    }
    Ok((line, false))
}

/// Runs a `user` command.
pub async fn user(cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create {
            who,
            username,
            role,
            org_unit,
            display_name,
            password_stdin,
        } => {
            let (state, caller) = acting(&who).await?;
            let (password, generated) = password(password_stdin)?;
            let input = NewUserInput {
                username,
                password: password.clone(),
                display_name,
                role,
                org_unit,
            };
            let view = access::create_user(&state, &caller, input)
                .await
                .map_err(problem)?;
            println!(
                "created user {} (id {}, role {}{})",
                view.user.username,
                view.user.id,
                view.user.role,
                view.org_unit
                    .map(|u| format!(", org unit {u}"))
                    .unwrap_or_default()
            );
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Disable { who, username } => set_disabled(&who, &username, true).await?,
        UserCommand::Enable { who, username } => set_disabled(&who, &username, false).await?,
        UserCommand::Unlock { who, username } => {
            let (state, caller) = acting(&who).await?;
            let change = UserChange {
                unlock: true,
                ..UserChange::default()
            };
            access::update_user(&state, &caller, UserRef::Username(&username), change)
                .await
                .map_err(problem)?;
            println!("unlocked {username}: its failed logins are forgotten");
        }
        UserCommand::ResetPassword {
            who,
            username,
            password_stdin,
        } => {
            let (state, caller) = acting(&who).await?;
            let (password, generated) = password(password_stdin)?;
            let change = UserChange {
                password: Some(password.clone()),
                ..UserChange::default()
            };
            access::update_user(&state, &caller, UserRef::Username(&username), change)
                .await
                .map_err(problem)?;
            println!("password of {username} reset; its sessions have ended");
            if generated {
                println!("password: {password}");
            }
        }
    }
    Ok(())
}

async fn set_disabled(who: &ActingAs, username: &str, disabled: bool) -> anyhow::Result<()> {
    let (state, caller) = acting(who).await?;
    let change = UserChange {
        disabled: Some(disabled),
        ..UserChange::default()
    };
    access::update_user(&state, &caller, UserRef::Username(username), change)
        .await
        .map_err(problem)?;
    if disabled {
        println!("disabled {username}; its sessions have ended");
    } else {
        println!("re-enabled {username}");
    }
    Ok(())
}

/// Runs a `token` command.
pub async fn token(cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create {
            who,
            name,
            org_unit,
            scopes,
            expires_in_days,
        } => {
            let (state, caller) = acting(&who).await?;
            let expires_at = expires_in_days
                .map(|d| chitieu_persistence::now_micros() + i64::from(d) * 86_400 * 1_000_000);
            let input = NewTokenInput {
                name,
                org_unit,
                scopes,
                expires_at,
            };
            let (secret, stored) = access::create_api_token(&state, &caller, input)
                .await
                .map_err(problem)?;
            println!(
                "created API token {} (id {}) for {} with {}",
                stored.name,
                stored.id,
                stored.org_unit,
                stored.scopes.join(", ")
            );
            println!("token (shown once): {secret}");
        }
        TokenCommand::Revoke { who, id } => {
            let (state, caller) = acting(&who).await?;
            let stored = access::revoke_api_token(&state, &caller, id)
                .await
                .map_err(problem)?;
            println!("revoked API token {} (id {})", stored.name, stored.id);
        }
    }
    Ok(())
}

/// Runs a `keys` command.
pub async fn keys(cmd: KeysCommand) -> anyhow::Result<()> {
    match cmd {
        KeysCommand::Rotate { db, grace_seconds } => {
            let state = open(&db).await?;
            let kid =
                chitieu_api::auth::keys::rotate(&state.db, Duration::from_secs(grace_seconds))
                    .await?;
            println!(
                "new signing key {kid}; the previous key stays valid for {grace_seconds} s. Restart the servers to sign with it."
            );
        }
    }
    Ok(())
}
