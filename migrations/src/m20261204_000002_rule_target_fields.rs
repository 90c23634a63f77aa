//! The seed report's catalogue fields (issue 13): validation rules gain a tolerance, a scope
//! per side, a second kind of check (`stated_status`: a stated result's attainment status
//! against the computed one) and a description; targets gain the cell as printed and may be a
//! note (no operator and value); indicators name their stated and result elements and the
//! indicator they are part of.
//!
//! Columns are only added (SQLite cannot relax `NOT NULL` without rebuilding a table), so the
//! existing `NOT NULL` columns that a new kind of row does not use hold the empty text: a
//! note target's `operator` and `value`, a `stated_status` rule's `left_expr`, `operator`
//! and `right_expr`. Readers decide by `note` and `rule_check`, never by the empty text.
//! Codes (elements, indicators) are stored as text, like the codes inside expressions: codes
//! never change once created.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Indicator {
    Table,
    StatedElement,
    ResultElement,
    PartOf,
}

#[derive(DeriveIden, Clone, Copy)]
enum Target {
    Table,
    Note,
    Printed,
}

#[derive(DeriveIden, Clone, Copy)]
enum ValidationRule {
    Table,
    RuleCheck,
    Tolerance,
    LeftScope,
    RightScope,
    IndicatorCode,
    StatedExpr,
    Description,
}

/// One column added by one statement (SQLite alters one thing at a time).
async fn add(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: ColumnDef,
) -> Result<(), DbErr> {
    let mut column = column;
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

async fn drop(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: impl IntoIden + 'static,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Indicator::StatedElement,
            Indicator::ResultElement,
            Indicator::PartOf,
        ] {
            add(manager, Indicator::Table, string_len_null(column, 50)).await?;
        }
        add(manager, Target::Table, text_null(Target::Note)).await?;
        add(manager, Target::Table, text_null(Target::Printed)).await?;
        let rule = ValidationRule::Table;
        add(
            manager,
            rule,
            string_len(ValidationRule::RuleCheck, 20)
                .default("compare")
                .to_owned(),
        )
        .await?;
        add(
            manager,
            rule,
            string_len_null(ValidationRule::Tolerance, 64),
        )
        .await?;
        for side in [ValidationRule::LeftScope, ValidationRule::RightScope] {
            add(
                manager,
                rule,
                string_len(side, 10).default("own").to_owned(),
            )
            .await?;
        }
        add(
            manager,
            rule,
            string_len_null(ValidationRule::IndicatorCode, 50),
        )
        .await?;
        add(manager, rule, text_null(ValidationRule::StatedExpr)).await?;
        add(manager, rule, text_null(ValidationRule::Description)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ValidationRule::Description,
            ValidationRule::StatedExpr,
            ValidationRule::IndicatorCode,
            ValidationRule::RightScope,
            ValidationRule::LeftScope,
            ValidationRule::Tolerance,
            ValidationRule::RuleCheck,
        ] {
            drop(manager, ValidationRule::Table, column).await?;
        }
        drop(manager, Target::Table, Target::Printed).await?;
        drop(manager, Target::Table, Target::Note).await?;
        for column in [
            Indicator::PartOf,
            Indicator::ResultElement,
            Indicator::StatedElement,
        ] {
            drop(manager, Indicator::Table, column).await?;
        }
        Ok(())
    }
}
