//! The demo of `chitieu serve --demo`: the whole Vũng Tàu city report for the first nine
//! months of 2023, as docs/SEED-MODEL.md maps it. It is loaded through the same code paths as
//! an API client's requests, and loading it again changes nothing.
//!
//! `demo/vungtau-metadata.json` is the org tree (the city office over its 12 departments, the
//! wards as a whole over the 17 wards and communes), the 194 data elements of tables 1–5 and
//! section 6.2 (shared denominators with their owner and source), the 44 criteria of 6.2 in
//! their groups I–V with every national, provincial and city target as printed, the 78
//! validation rules that compare each stated figure with its own counts and with the other
//! tables, the four nine-month forms, the projects of sections 7–8, and the `notes` that say
//! what the demo chose where the seed is silent. `demo/vungtau-2023-9m.json` holds every
//! printed figure (each with its source in `comment`; «no source yet» and «being counted» as
//! figure states). `check_seed.py` compares both with the seed, and `tests/seed_report.rs`
//! does so through the API.
//!
//! The reporting cycle and the projects' progress (`cycle.rs`): demo users, reports approved,
//! submitted, returned with a reason and missing (the demo's choice, said in the notes), and
//! the milestones the seed reports done or under way.

mod cycle;
mod milestones;

use chitieu_persistence::{Scope, audit, metadata, submission};

use crate::{
    AppState,
    dto::{data_values::DataValueSetRequest, metadata::MetadataRequest},
};

const METADATA: &str = include_str!("../../demo/vungtau-metadata.json");
const VALUES: &str = include_str!("../../demo/vungtau-2023-9m.json");

/// What loading the demo did.
#[derive(Debug, Clone, Copy)]
pub struct DemoLoaded {
    /// Metadata objects created.
    pub metadata_created: u64,
    /// Figures newly stored.
    pub values_imported: u64,
    /// Validation rules the figures break (the report's own errors).
    pub violations: usize,
    /// Demo users created.
    pub users_created: u64,
    /// Report transitions replayed.
    pub report_transitions: u64,
    /// Milestone progress recorded.
    pub milestones_recorded: u64,
}

/// Loads the demo into the service's database: the catalogue and figures as the system
/// actor `demo`, then the reporting cycle as the demo's users.
pub async fn load(state: &AppState) -> anyhow::Result<DemoLoaded> {
    let db = &state.db;
    let request: MetadataRequest = serde_json::from_str(METADATA)?;
    let (bundle, issues) = request.into_bundle();
    anyhow::ensure!(issues.is_empty(), "demo metadata is invalid: {issues:?}");
    let tx = db.write().await?;
    let summary = metadata::import(&tx, &bundle)
        .await?
        .map_err(|issues| anyhow::anyhow!("demo metadata is invalid: {issues:?}"))?;
    let set: DataValueSetRequest = serde_json::from_str(VALUES)?;
    let actor = audit::Actor::system("demo");
    let writer = submission::Writer {
        scope: Scope::All,
        role: submission::WriterRole::Admin,
        audit: &actor,
    };
    let mut rows = set.into_set()?.into_rows();
    let mut outcome = submission::submit(&tx, &writer, &rows).await?;
    // Loaded again after the cycle: the figures of the reports submitted or approved since
    // are locked (for the demo too). They are left as they are; the others are loaded.
    let locked: std::collections::HashSet<usize> = outcome
        .conflicts
        .iter()
        .filter(|c| c.code == "report_locked")
        .map(|c| c.index)
        .collect();
    if !locked.is_empty() && locked.len() == outcome.conflicts.len() {
        rows = rows
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !locked.contains(i))
            .map(|(_, row)| row)
            .collect();
        outcome = submission::submit(&tx, &writer, &rows).await?;
    }
    anyhow::ensure!(
        outcome.conflicts.is_empty(),
        "demo figures are refused: {:?}",
        outcome.conflicts
    );
    tx.commit().await?;
    let cycle = cycle::load(state).await?;
    Ok(DemoLoaded {
        metadata_created: summary.total().created,
        values_imported: outcome.imported,
        violations: outcome.violations.len(),
        users_created: cycle.users_created,
        report_transitions: cycle.transitions,
        milestones_recorded: cycle.milestones,
    })
}
