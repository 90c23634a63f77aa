//! Roll-up sums that cannot overflow: `data_value_rollup.sum_num` (one `BIGINT` total) is
//! replaced by `sum_hi` and `sum_lo`, the sums of each figure's high and low 32-bit parts
//! (`value_num >> 32` and `value_num & 4294967295`; see `chitieu_domain::sum`). A single
//! `BIGINT` total overflowed once a subtree's figures passed 9.2 × 10^18 stored units (ten
//! `number` figures near their bound), which failed every aggregate above them, and on SQLite
//! `sum_num + excluded.sum_num` silently saturated instead.
//!
//! The roll-up holds only derived data, so the table is rebuilt from `data_value` (one
//! grouped `INSERT … SELECT`, the same SQL on both databases).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum DataValueRollup {
    Table,
    AncestorId,
    DataElementId,
    StartMonth,
    EndMonth,
    NextEnd,
    SumNum,
    SumHi,
    SumLo,
    ValueCount,
}

/// The table with the given sum columns.
fn create(sums: &[DataValueRollup]) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(DataValueRollup::Table)
        .col(big_integer(DataValueRollup::AncestorId))
        .col(big_integer(DataValueRollup::DataElementId))
        .col(integer(DataValueRollup::StartMonth))
        .col(integer(DataValueRollup::EndMonth))
        .col(integer(DataValueRollup::NextEnd));
    for sum in sums {
        table.col(big_integer(*sum));
    }
    table
        .col(big_integer(DataValueRollup::ValueCount))
        .primary_key(
            Index::create()
                .col(DataValueRollup::AncestorId)
                .col(DataValueRollup::DataElementId)
                .col(DataValueRollup::StartMonth)
                .col(DataValueRollup::EndMonth)
                .col(DataValueRollup::NextEnd),
        )
        .to_owned()
}

/// Refills the roll-up from the figures: `sums` are the column names and their SQL over `v`.
async fn rebuild(manager: &SchemaManager<'_>, sums: &[(&str, &str)]) -> Result<(), DbErr> {
    let columns: Vec<&str> = sums.iter().map(|(c, _)| *c).collect();
    let values: Vec<&str> = sums.iter().map(|(_, v)| *v).collect();
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "INSERT INTO data_value_rollup (ancestor_id, data_element_id, start_month, end_month, next_end, {}, value_count) \
             SELECT c.ancestor_id, v.data_element_id, v.start_month, v.end_month, v.next_end, {}, COUNT(*) \
             FROM data_value v JOIN org_unit_closure c ON c.descendant_id = v.org_unit_id AND c.depth > 0 \
             WHERE v.value_num IS NOT NULL \
             GROUP BY c.ancestor_id, v.data_element_id, v.start_month, v.end_month, v.next_end",
            columns.join(", "),
            values.join(", ")
        ))
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataValueRollup::Table).to_owned())
            .await?;
        manager
            .create_table(create(&[DataValueRollup::SumHi, DataValueRollup::SumLo]))
            .await?;
        rebuild(
            manager,
            &[
                ("sum_hi", "SUM(v.value_num >> 32)"),
                ("sum_lo", "SUM(v.value_num & 4294967295)"),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataValueRollup::Table).to_owned())
            .await?;
        manager
            .create_table(create(&[DataValueRollup::SumNum]))
            .await?;
        rebuild(manager, &[("sum_num", "SUM(v.value_num)")]).await
    }
}
