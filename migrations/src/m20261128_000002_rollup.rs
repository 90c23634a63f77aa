//! Roll-up of numeric figures to every proper ancestor, kept in the same transaction as each
//! write, so that a subtree's sums are read from a handful of rows instead of millions.
//!
//! Rows are also keyed by `next_end`, the last month of the unit's next stored period of the
//! same element (`i32::MAX` when there is none): a figure is a unit's latest inside a query
//! period exactly when its own period lies inside and `next_end` lies beyond it, so `last`
//! roll-ups are read from this table too.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataValueRollup {
    Table,
    AncestorId,
    DataElementId,
    StartMonth,
    EndMonth,
    NextEnd,
    SumNum,
    ValueCount,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataValueRollup::Table)
                    .col(big_integer(DataValueRollup::AncestorId))
                    .col(big_integer(DataValueRollup::DataElementId))
                    .col(integer(DataValueRollup::StartMonth))
                    .col(integer(DataValueRollup::EndMonth))
                    .col(integer(DataValueRollup::NextEnd))
                    .col(big_integer(DataValueRollup::SumNum))
                    .col(big_integer(DataValueRollup::ValueCount))
                    .primary_key(
                        Index::create()
                            .col(DataValueRollup::AncestorId)
                            .col(DataValueRollup::DataElementId)
                            .col(DataValueRollup::StartMonth)
                            .col(DataValueRollup::EndMonth)
                            .col(DataValueRollup::NextEnd),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataValueRollup::Table).to_owned())
            .await
    }
}
