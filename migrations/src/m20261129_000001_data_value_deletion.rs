//! Tombstones of deleted figures, so an incremental pull (`updated_since`) can report
//! deletions. One row per (unit, element, period) key, overwritten by a later deletion of the
//! same key; written in the same transaction as the delete.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataValueDeletion {
    Table,
    Id,
    OrgUnitId,
    DataElementId,
    StartMonth,
    EndMonth,
    DeletedAt,
    DeletedBy,
}

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DataElement {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataValueDeletion::Table)
                    .col(big_pk_auto(DataValueDeletion::Id))
                    .col(big_integer(DataValueDeletion::OrgUnitId))
                    .col(big_integer(DataValueDeletion::DataElementId))
                    .col(integer(DataValueDeletion::StartMonth))
                    .col(integer(DataValueDeletion::EndMonth))
                    .col(big_integer(DataValueDeletion::DeletedAt))
                    .col(string_len(DataValueDeletion::DeletedBy, 120))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_data_value_deletion_org_unit")
                            .from(DataValueDeletion::Table, DataValueDeletion::OrgUnitId)
                            .to(OrgUnit::Table, OrgUnit::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_data_value_deletion_data_element")
                            .from(DataValueDeletion::Table, DataValueDeletion::DataElementId)
                            .to(DataElement::Table, DataElement::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_data_value_deletion_key")
                    .table(DataValueDeletion::Table)
                    .col(DataValueDeletion::OrgUnitId)
                    .col(DataValueDeletion::DataElementId)
                    .col(DataValueDeletion::StartMonth)
                    .col(DataValueDeletion::EndMonth)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_data_value_deletion_deleted_at")
                    .table(DataValueDeletion::Table)
                    .col(DataValueDeletion::DeletedAt)
                    .col(DataValueDeletion::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataValueDeletion::Table).to_owned())
            .await
    }
}
