//! Figure states and the owner and source of data elements.
//!
//! - `data_value.state`: `no_source` or `pending` in place of a value (`value_num` and
//!   `value_text` are then null); null for an ordinary figure. A state holds no number, so
//!   the roll-up (which only sums `value_num`) never sees it.
//! - `data_element.owner_code`: the code of the org unit that provides the element's
//!   figures, as the bundle names it (like `indicator.group_code`; org units are never
//!   deleted and keep their codes, and the import checks the code exists).
//! - `data_element.source`: where the figures come from, free text.
//! - `idx_data_value_state`: a partial index of the (few) rows that carry a state, so
//!   attainment finds the states of a national subtree without scanning its figures. The
//!   same statement on SQLite and PostgreSQL (sea-query builds no partial index).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataValue {
    Table,
    State,
}

#[derive(DeriveIden)]
enum DataElement {
    Table,
    OwnerCode,
    Source,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(DataValue::Table)
                    .add_column(string_len_null(DataValue::State, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DataElement::Table)
                    .add_column(string_len_null(DataElement::OwnerCode, 50))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DataElement::Table)
                    .add_column(text_null(DataElement::Source))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_data_value_state ON data_value (data_element_id, start_month) \
                 WHERE state IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_data_value_state")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DataElement::Table)
                    .drop_column(DataElement::Source)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DataElement::Table)
                    .drop_column(DataElement::OwnerCode)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DataValue::Table)
                    .drop_column(DataValue::State)
                    .to_owned(),
            )
            .await
    }
}
