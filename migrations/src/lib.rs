//! Schema migrations for chitieu.
//!
//! Every migration is written with sea-query builders only, so the same code produces the
//! same schema on SQLite and PostgreSQL. Timestamps are stored as `BIGINT` microseconds since
//! the Unix epoch (identical ordering and comparison on both databases); periods as two
//! month indexes (`year * 12 + month - 1`, inclusive); numeric values as fixed-point `BIGINT`
//! (see `chitieu_domain::value`), summed as 32-bit parts (see `chitieu_domain::sum`), so
//! sums are exact on both databases and cannot overflow.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_foundation;
mod m20261128_000002_rollup;
mod m20261128_000003_api_tokens;
mod m20261128_000004_audit;
mod m20261129_000001_data_value_deletion;
mod m20261201_000001_sessions_and_throttle;
mod m20261201_000002_rollup_part_sums;
mod m20261203_000001_reporting_cycle;
mod m20261204_000001_figure_states;
mod m20261204_000002_rule_target_fields;
mod m20261204_000003_projects_notes;

/// Applies the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_foundation::Migration),
            Box::new(m20261128_000002_rollup::Migration),
            Box::new(m20261128_000003_api_tokens::Migration),
            Box::new(m20261128_000004_audit::Migration),
            Box::new(m20261129_000001_data_value_deletion::Migration),
            Box::new(m20261201_000001_sessions_and_throttle::Migration),
            Box::new(m20261201_000002_rollup_part_sums::Migration),
            Box::new(m20261203_000001_reporting_cycle::Migration),
            Box::new(m20261204_000001_figure_states::Migration),
            Box::new(m20261204_000002_rule_target_fields::Migration),
            Box::new(m20261204_000003_projects_notes::Migration),
        ]
    }
}
