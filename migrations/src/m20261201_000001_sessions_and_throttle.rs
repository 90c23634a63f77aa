//! Session epochs and the shared login throttle.
//!
//! - `app_user.session_epoch`: every access and refresh token carries the epoch it was issued
//!   in; a password change or reset, disabling, or a change of role or unit increments it, so
//!   every token issued before stops working at once.
//! - `refresh_token.session_epoch`: the epoch a refresh token was issued in.
//! - `auth_throttle`: failed password checks per hashed key (an account and an address, an
//!   address, an account, a user's own password check), shared by every instance and by the
//!   command line. Keys are SHA-256 hex, never the username or address themselves; rows are
//!   purged once `expires_at` has passed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    SessionEpoch,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    SessionEpoch,
}

#[derive(DeriveIden)]
enum AuthThrottle {
    Table,
    KeyHash,
    AccountHash,
    Failures,
    BlockedUntil,
    TrustedUntil,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(AppUser::Table)
                    .add_column(big_integer(AppUser::SessionEpoch).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshToken::Table)
                    .add_column(big_integer(RefreshToken::SessionEpoch).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuthThrottle::Table)
                    .col(string_len(AuthThrottle::KeyHash, 64).primary_key())
                    .col(string_len_null(AuthThrottle::AccountHash, 64))
                    .col(integer(AuthThrottle::Failures))
                    .col(big_integer(AuthThrottle::BlockedUntil))
                    .col(big_integer(AuthThrottle::TrustedUntil))
                    .col(big_integer(AuthThrottle::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_auth_throttle_account")
                    .table(AuthThrottle::Table)
                    .col(AuthThrottle::AccountHash)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_auth_throttle_expires_at")
                    .table(AuthThrottle::Table)
                    .col(AuthThrottle::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthThrottle::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshToken::Table)
                    .drop_column(RefreshToken::SessionEpoch)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AppUser::Table)
                    .drop_column(AppUser::SessionEpoch)
                    .to_owned(),
            )
            .await
    }
}
