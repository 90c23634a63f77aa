//! The demo of `chitieu serve --demo`: the Vũng Tàu city report for the first nine months of
//! 2023 (org tree, indicator catalogue with national/provincial/city targets, the report's
//! figures). It is loaded through the same code paths as an API client's requests, and
//! loading it again changes nothing.
//!
//! Taken from the seed report: table 1 (documents on the software vs on paper; a blank cell
//! stays absent), table 4a (one-stop dossiers of the city office), table 5b (online payments,
//! whose "successful > total" error the validation rule flags), and section 6.2 III.02–03
//! (households with fibre, adults with an e-ID account).
//!
//! The reporting cycle (`cycle.rs`): three nine-month data sets over those figures (table 1 for
//! the departments, wards and the commune; the city office's rows; the city's own figures),
//! demo users, and reports approved, submitted, returned with a reason and missing — the
//! demo's choice, said in `demo/vungtau-reports.json`'s notes.

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
