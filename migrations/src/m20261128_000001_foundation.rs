//! The foundation schema: org tree (adjacency + closure table), catalogue, data values,
//! users, settings and idempotency records.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
    Code,
    Name,
    NameFolded,
    Kind,
    ParentId,
    Level,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrgUnitClosure {
    Table,
    AncestorId,
    DescendantId,
    Depth,
}

#[derive(DeriveIden)]
enum DataElement {
    Table,
    Id,
    Code,
    Name,
    ValueType,
    Aggregation,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Indicator {
    Table,
    Id,
    Code,
    Name,
    GroupCode,
    Numerator,
    Denominator,
    Factor,
    Decimals,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Target {
    Table,
    Id,
    IndicatorId,
    OrgUnitId,
    StartMonth,
    EndMonth,
    Operator,
    Value,
    Label,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ValidationRule {
    Table,
    Id,
    Code,
    Name,
    LeftExpr,
    Operator,
    RightExpr,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DataValue {
    Table,
    Id,
    OrgUnitId,
    DataElementId,
    StartMonth,
    EndMonth,
    ValueNum,
    NextEnd,
    ValueText,
    Comment,
    CreatedAt,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum AppSetting {
    Table,
    Key,
    Value,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Username,
    PasswordHash,
    DisplayName,
    Role,
    OrgUnitId,
    Disabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyRecord {
    Table,
    Scope,
    Key,
    RequestHash,
    StatusCode,
    ResponseBody,
    CreatedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden) -> IndexCreateStatement {
    Index::create().name(name).table(table).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrgUnit::Table)
                    .col(big_pk_auto(OrgUnit::Id))
                    .col(string_len_uniq(OrgUnit::Code, 50))
                    .col(text(OrgUnit::Name))
                    .col(text(OrgUnit::NameFolded))
                    .col(string_len(OrgUnit::Kind, 30))
                    .col(big_integer_null(OrgUnit::ParentId))
                    .col(integer(OrgUnit::Level))
                    .col(big_integer(OrgUnit::CreatedAt))
                    .col(big_integer(OrgUnit::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_org_unit_parent",
                        (OrgUnit::Table, OrgUnit::ParentId),
                        (OrgUnit::Table, OrgUnit::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("idx_org_unit_parent", OrgUnit::Table)
                    .col(OrgUnit::ParentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrgUnitClosure::Table)
                    .col(big_integer(OrgUnitClosure::AncestorId))
                    .col(big_integer(OrgUnitClosure::DescendantId))
                    .col(integer(OrgUnitClosure::Depth))
                    .primary_key(
                        Index::create()
                            .col(OrgUnitClosure::AncestorId)
                            .col(OrgUnitClosure::DescendantId),
                    )
                    .foreign_key(&mut fk(
                        "fk_closure_ancestor",
                        (OrgUnitClosure::Table, OrgUnitClosure::AncestorId),
                        (OrgUnit::Table, OrgUnit::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_closure_descendant",
                        (OrgUnitClosure::Table, OrgUnitClosure::DescendantId),
                        (OrgUnit::Table, OrgUnit::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("idx_closure_descendant", OrgUnitClosure::Table)
                    .col(OrgUnitClosure::DescendantId)
                    .col(OrgUnitClosure::AncestorId)
                    .col(OrgUnitClosure::Depth)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DataElement::Table)
                    .col(big_pk_auto(DataElement::Id))
                    .col(string_len_uniq(DataElement::Code, 50))
                    .col(text(DataElement::Name))
                    .col(string_len(DataElement::ValueType, 16))
                    .col(string_len(DataElement::Aggregation, 16))
                    .col(big_integer(DataElement::CreatedAt))
                    .col(big_integer(DataElement::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Indicator::Table)
                    .col(big_pk_auto(Indicator::Id))
                    .col(string_len_uniq(Indicator::Code, 50))
                    .col(text(Indicator::Name))
                    .col(string_len_null(Indicator::GroupCode, 50))
                    .col(text(Indicator::Numerator))
                    .col(text(Indicator::Denominator))
                    .col(string_len(Indicator::Factor, 64))
                    .col(integer(Indicator::Decimals))
                    .col(big_integer(Indicator::CreatedAt))
                    .col(big_integer(Indicator::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Target::Table)
                    .col(big_pk_auto(Target::Id))
                    .col(big_integer(Target::IndicatorId))
                    .col(big_integer(Target::OrgUnitId))
                    .col(integer(Target::StartMonth))
                    .col(integer(Target::EndMonth))
                    .col(string_len(Target::Operator, 4))
                    .col(string_len(Target::Value, 64))
                    .col(text_null(Target::Label))
                    .col(big_integer(Target::CreatedAt))
                    .col(big_integer(Target::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_target_indicator",
                        (Target::Table, Target::IndicatorId),
                        (Indicator::Table, Indicator::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_target_org_unit",
                        (Target::Table, Target::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_target_key", Target::Table)
                    .unique()
                    .col(Target::IndicatorId)
                    .col(Target::OrgUnitId)
                    .col(Target::StartMonth)
                    .col(Target::EndMonth)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ValidationRule::Table)
                    .col(big_pk_auto(ValidationRule::Id))
                    .col(string_len_uniq(ValidationRule::Code, 50))
                    .col(text(ValidationRule::Name))
                    .col(text(ValidationRule::LeftExpr))
                    .col(string_len(ValidationRule::Operator, 4))
                    .col(text(ValidationRule::RightExpr))
                    .col(big_integer(ValidationRule::CreatedAt))
                    .col(big_integer(ValidationRule::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DataValue::Table)
                    .col(big_pk_auto(DataValue::Id))
                    .col(big_integer(DataValue::OrgUnitId))
                    .col(big_integer(DataValue::DataElementId))
                    .col(integer(DataValue::StartMonth))
                    .col(integer(DataValue::EndMonth))
                    .col(big_integer_null(DataValue::ValueNum))
                    .col(integer(DataValue::NextEnd))
                    .col(text_null(DataValue::ValueText))
                    .col(text_null(DataValue::Comment))
                    .col(big_integer(DataValue::CreatedAt))
                    .col(big_integer(DataValue::UpdatedAt))
                    .col(string_len(DataValue::UpdatedBy, 120))
                    .foreign_key(&mut fk(
                        "fk_data_value_org_unit",
                        (DataValue::Table, DataValue::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_data_value_element",
                        (DataValue::Table, DataValue::DataElementId),
                        (DataElement::Table, DataElement::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_data_value_key", DataValue::Table)
                    .unique()
                    .col(DataValue::OrgUnitId)
                    .col(DataValue::DataElementId)
                    .col(DataValue::StartMonth)
                    .col(DataValue::EndMonth)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("idx_data_value_updated_at", DataValue::Table)
                    .col(DataValue::UpdatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AppSetting::Table)
                    .col(string_len(AppSetting::Key, 100).primary_key())
                    .col(text(AppSetting::Value))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(big_pk_auto(AppUser::Id))
                    .col(string_len_uniq(AppUser::Username, 64))
                    .col(text(AppUser::PasswordHash))
                    .col(text_null(AppUser::DisplayName))
                    .col(string_len(AppUser::Role, 16))
                    .col(big_integer_null(AppUser::OrgUnitId))
                    .col(boolean(AppUser::Disabled))
                    .col(big_integer(AppUser::CreatedAt))
                    .col(big_integer(AppUser::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_app_user_org_unit",
                        (AppUser::Table, AppUser::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .col(big_pk_auto(RefreshToken::Id))
                    .col(big_integer(RefreshToken::UserId))
                    .col(string_len(RefreshToken::FamilyId, 64))
                    .col(string_len_uniq(RefreshToken::TokenHash, 64))
                    .col(big_integer(RefreshToken::ExpiresAt))
                    .col(big_integer_null(RefreshToken::UsedAt))
                    .col(big_integer_null(RefreshToken::RevokedAt))
                    .col(big_integer(RefreshToken::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_refresh_token_user",
                        (RefreshToken::Table, RefreshToken::UserId),
                        (AppUser::Table, AppUser::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("idx_refresh_token_family", RefreshToken::Table)
                    .col(RefreshToken::FamilyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyRecord::Table)
                    .col(string_len(IdempotencyRecord::Scope, 120))
                    .col(string_len(IdempotencyRecord::Key, 255))
                    .col(string_len(IdempotencyRecord::RequestHash, 64))
                    .col(integer(IdempotencyRecord::StatusCode))
                    .col(text(IdempotencyRecord::ResponseBody))
                    .col(big_integer(IdempotencyRecord::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyRecord::Scope)
                            .col(IdempotencyRecord::Key),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyRecord::Table.into_iden(),
            RefreshToken::Table.into_iden(),
            AppUser::Table.into_iden(),
            AppSetting::Table.into_iden(),
            DataValue::Table.into_iden(),
            ValidationRule::Table.into_iden(),
            Target::Table.into_iden(),
            Indicator::Table.into_iden(),
            DataElement::Table.into_iden(),
            OrgUnitClosure::Table.into_iden(),
            OrgUnit::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
