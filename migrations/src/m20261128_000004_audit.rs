//! The audit trail: an append-only table the database itself protects — triggers on both
//! SQLite and PostgreSQL refuse every UPDATE and DELETE.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    At,
    ActorKind,
    ActorId,
    Actor,
    Action,
    OrgUnitId,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(big_pk_auto(AuditEvent::Id))
                    .col(big_integer(AuditEvent::At))
                    .col(string_len(AuditEvent::ActorKind, 16))
                    .col(big_integer_null(AuditEvent::ActorId))
                    .col(string_len(AuditEvent::Actor, 200))
                    .col(string_len(AuditEvent::Action, 64))
                    .col(big_integer_null(AuditEvent::OrgUnitId))
                    .col(text(AuditEvent::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_unit")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::OrgUnitId)
                    .col(AuditEvent::Id)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event \
                     FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event \
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_event_no_{} BEFORE {op} ON audit_event \
                         BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
                        op.to_lowercase()
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvent::Table).to_owned())
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_event_append_only()")
                .await?;
        }
        Ok(())
    }
}
