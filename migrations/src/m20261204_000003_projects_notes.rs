//! Projects with their milestones, and the notes of the catalogue (contract v2, "Projects
//! and milestones"; the seed model's `notes`).
//!
//! A milestone row holds its plan (code, name, planned month, position in the project's
//! list) and its recorded progress (status, actual month, note, who recorded it and when).
//! The bundle replaces a project's milestone list: a kept code keeps its progress, a removed
//! code's row is deleted. Months are month indexes (`year * 12 + month - 1`) like every
//! period of the schema. A note names its subject as a kind and a code, not by id: a `table`
//! or `target` subject is not a row of this schema.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Project {
    Table,
    Id,
    Code,
    Name,
    OrgUnitId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Milestone {
    Table,
    Id,
    ProjectId,
    Code,
    Position,
    Name,
    PlannedMonth,
    Status,
    ActualMonth,
    Note,
    RecordedBy,
    RecordedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Note {
    Table,
    Id,
    Code,
    SubjectKind,
    SubjectCode,
    Text,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Project::Table)
                    .col(big_pk_auto(Project::Id))
                    .col(string_len_uniq(Project::Code, 50))
                    .col(string_len(Project::Name, 500))
                    .col(big_integer(Project::OrgUnitId))
                    .col(big_integer(Project::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_org_unit")
                            .from(Project::Table, Project::OrgUnitId)
                            .to(OrgUnit::Table, OrgUnit::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_project_org_unit")
                    .table(Project::Table)
                    .col(Project::OrgUnitId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Milestone::Table)
                    .col(big_pk_auto(Milestone::Id))
                    .col(big_integer(Milestone::ProjectId))
                    .col(string_len(Milestone::Code, 50))
                    .col(integer(Milestone::Position))
                    .col(string_len(Milestone::Name, 500))
                    .col(integer(Milestone::PlannedMonth))
                    .col(string_len(Milestone::Status, 16))
                    .col(integer_null(Milestone::ActualMonth))
                    .col(text_null(Milestone::Note))
                    .col(string_len_null(Milestone::RecordedBy, 120))
                    .col(big_integer_null(Milestone::RecordedAt))
                    .col(big_integer(Milestone::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_milestone_project")
                            .from(Milestone::Table, Milestone::ProjectId)
                            .to(Project::Table, Project::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_milestone_project_code")
                    .table(Milestone::Table)
                    .col(Milestone::ProjectId)
                    .col(Milestone::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Note::Table)
                    .col(big_pk_auto(Note::Id))
                    .col(string_len_uniq(Note::Code, 50))
                    .col(string_len(Note::SubjectKind, 32))
                    .col(string_len(Note::SubjectCode, 50))
                    .col(text(Note::Text))
                    .col(big_integer(Note::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_note_subject")
                    .table(Note::Table)
                    .col(Note::SubjectKind)
                    .col(Note::SubjectCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Note::Table.into_iden(),
            Milestone::Table.into_iden(),
            Project::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
