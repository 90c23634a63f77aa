//! The reporting cycle (contract v2): data sets (forms) with their calendar and assignments,
//! indicator groups with weights, reports (one per data set, unit and period) and the
//! min–max bounds of the outlier check.
//!
//! A report is stored only once something has happened to it: an `open` report that nobody
//! touched has no row. Its key is (data set, unit, period), the period as two month indexes
//! like every other period of the schema. Bounds and weights are exact decimals kept as their
//! canonical text.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataSet {
    Table,
    Id,
    Code,
    Name,
    PeriodType,
    CutoffDay,
    DueDays,
    ApprovalDueDays,
    LockAfterDays,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DataSetElement {
    Table,
    DataSetId,
    DataElementId,
}

#[derive(DeriveIden)]
enum DataSetKind {
    Table,
    DataSetId,
    Kind,
}

#[derive(DeriveIden)]
enum DataSetUnit {
    Table,
    DataSetId,
    OrgUnitId,
}

#[derive(DeriveIden)]
enum IndicatorGroup {
    Table,
    Id,
    Code,
    Name,
    Weight,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Report {
    Table,
    DataSetId,
    OrgUnitId,
    StartMonth,
    EndMonth,
    State,
    FirstSubmittedAt,
    SubmittedAt,
    SubmittedBy,
    ApprovedAt,
    ApprovedBy,
    Reason,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MinMax {
    Table,
    DataElementId,
    OrgUnitId,
    MinValue,
    MaxValue,
    UpdatedAt,
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

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataSet::Table)
                    .col(big_pk_auto(DataSet::Id))
                    .col(string_len_uniq(DataSet::Code, 50))
                    .col(string_len(DataSet::Name, 500))
                    .col(string_len(DataSet::PeriodType, 16))
                    .col(integer_null(DataSet::CutoffDay))
                    .col(integer(DataSet::DueDays))
                    .col(integer(DataSet::ApprovalDueDays))
                    .col(integer_null(DataSet::LockAfterDays))
                    .col(big_integer(DataSet::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DataSetElement::Table)
                    .col(big_integer(DataSetElement::DataSetId))
                    .col(big_integer(DataSetElement::DataElementId))
                    .primary_key(
                        Index::create()
                            .col(DataSetElement::DataSetId)
                            .col(DataSetElement::DataElementId),
                    )
                    .foreign_key(&mut fk(
                        "fk_data_set_element_data_set",
                        (DataSetElement::Table, DataSetElement::DataSetId),
                        (DataSet::Table, DataSet::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_data_set_element_data_element",
                        (DataSetElement::Table, DataSetElement::DataElementId),
                        (DataElement::Table, DataElement::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_data_set_element_data_element")
                    .table(DataSetElement::Table)
                    .col(DataSetElement::DataElementId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DataSetKind::Table)
                    .col(big_integer(DataSetKind::DataSetId))
                    .col(string_len(DataSetKind::Kind, 50))
                    .primary_key(
                        Index::create()
                            .col(DataSetKind::DataSetId)
                            .col(DataSetKind::Kind),
                    )
                    .foreign_key(&mut fk(
                        "fk_data_set_kind_data_set",
                        (DataSetKind::Table, DataSetKind::DataSetId),
                        (DataSet::Table, DataSet::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DataSetUnit::Table)
                    .col(big_integer(DataSetUnit::DataSetId))
                    .col(big_integer(DataSetUnit::OrgUnitId))
                    .primary_key(
                        Index::create()
                            .col(DataSetUnit::DataSetId)
                            .col(DataSetUnit::OrgUnitId),
                    )
                    .foreign_key(&mut fk(
                        "fk_data_set_unit_data_set",
                        (DataSetUnit::Table, DataSetUnit::DataSetId),
                        (DataSet::Table, DataSet::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_data_set_unit_org_unit",
                        (DataSetUnit::Table, DataSetUnit::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_data_set_unit_org_unit")
                    .table(DataSetUnit::Table)
                    .col(DataSetUnit::OrgUnitId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IndicatorGroup::Table)
                    .col(big_pk_auto(IndicatorGroup::Id))
                    .col(string_len_uniq(IndicatorGroup::Code, 50))
                    .col(string_len(IndicatorGroup::Name, 500))
                    .col(string_len(IndicatorGroup::Weight, 40))
                    .col(big_integer(IndicatorGroup::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Report::Table)
                    .col(big_integer(Report::DataSetId))
                    .col(big_integer(Report::OrgUnitId))
                    .col(integer(Report::StartMonth))
                    .col(integer(Report::EndMonth))
                    .col(string_len(Report::State, 16))
                    .col(big_integer_null(Report::FirstSubmittedAt))
                    .col(big_integer_null(Report::SubmittedAt))
                    .col(string_len_null(Report::SubmittedBy, 120))
                    .col(big_integer_null(Report::ApprovedAt))
                    .col(string_len_null(Report::ApprovedBy, 120))
                    .col(text_null(Report::Reason))
                    .col(big_integer(Report::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(Report::DataSetId)
                            .col(Report::OrgUnitId)
                            .col(Report::StartMonth)
                            .col(Report::EndMonth),
                    )
                    .foreign_key(&mut fk(
                        "fk_report_data_set",
                        (Report::Table, Report::DataSetId),
                        (DataSet::Table, DataSet::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_report_org_unit",
                        (Report::Table, Report::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // The lock lookup of the submission pipeline goes by unit, then period.
        manager
            .create_index(
                Index::create()
                    .name("idx_report_org_unit_period")
                    .table(Report::Table)
                    .col(Report::OrgUnitId)
                    .col(Report::StartMonth)
                    .col(Report::EndMonth)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MinMax::Table)
                    .col(big_integer(MinMax::DataElementId))
                    .col(big_integer(MinMax::OrgUnitId))
                    .col(string_len_null(MinMax::MinValue, 40))
                    .col(string_len_null(MinMax::MaxValue, 40))
                    .col(big_integer(MinMax::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(MinMax::DataElementId)
                            .col(MinMax::OrgUnitId),
                    )
                    .foreign_key(&mut fk(
                        "fk_min_max_data_element",
                        (MinMax::Table, MinMax::DataElementId),
                        (DataElement::Table, DataElement::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_min_max_org_unit",
                        (MinMax::Table, MinMax::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MinMax::Table.into_iden(),
            Report::Table.into_iden(),
            IndicatorGroup::Table.into_iden(),
            DataSetUnit::Table.into_iden(),
            DataSetKind::Table.into_iden(),
            DataSetElement::Table.into_iden(),
            DataSet::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
