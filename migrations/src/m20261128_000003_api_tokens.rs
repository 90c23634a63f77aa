//! API tokens for machines: one org unit, a subset of scopes, stored only as SHA-256.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    Name,
    TokenHash,
    OrgUnitId,
    Scopes,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(big_pk_auto(ApiToken::Id))
                    .col(string_len(ApiToken::Name, 120))
                    .col(string_len_uniq(ApiToken::TokenHash, 64))
                    .col(big_integer(ApiToken::OrgUnitId))
                    .col(string_len(ApiToken::Scopes, 100))
                    .col(big_integer(ApiToken::CreatedBy))
                    .col(big_integer(ApiToken::CreatedAt))
                    .col(big_integer_null(ApiToken::ExpiresAt))
                    .col(big_integer_null(ApiToken::RevokedAt))
                    .col(big_integer_null(ApiToken::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_token_org_unit")
                            .from(ApiToken::Table, ApiToken::OrgUnitId)
                            .to(OrgUnit::Table, OrgUnit::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_token_created_by")
                            .from(ApiToken::Table, ApiToken::CreatedBy)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiToken::Table).to_owned())
            .await
    }
}
