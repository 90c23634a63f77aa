//! Importing a metadata bundle (org units, data elements, indicators, targets, validation
//! rules, data sets, indicator groups, min–max bounds): all or nothing, every error listed, recorded in the audit trail.

use chitieu_persistence::{
    FieldIssue, audit,
    metadata::{self, MetadataBundle as Bundle, MetadataSummary},
};

use crate::{
    ApiError, AppState, FieldError,
    auth::Caller,
    authz::{Operation, authorize},
};

/// Imports `bundle`; `issues` are the errors already found while reading it (the import
/// checks the rest and reports them all together). With `dry_run` nothing is stored.
pub async fn import(
    state: &AppState,
    caller: &Caller,
    bundle: &Bundle,
    mut issues: Vec<FieldIssue>,
    dry_run: bool,
) -> Result<MetadataSummary, ApiError> {
    authorize(caller, Operation::EditMetadata)?;
    let tx = state.db.write().await?;
    if !issues.is_empty() {
        // Items already failed: check the rest, but write nothing (the plan would lack them,
        // and references to them would have no row).
        issues.extend(metadata::check_only(&tx, bundle).await?);
        tx.rollback().await?;
        return Err(invalid(issues));
    }
    let summary = match metadata::import(&tx, bundle).await? {
        Ok(summary) => summary,
        Err(more) => {
            tx.rollback().await?;
            issues.extend(more);
            return Err(invalid(issues));
        }
    };
    let total = summary.total();
    let mut detail = serde_json::json!({
        "created": total.created, "updated": total.updated, "unchanged": total.unchanged,
        "org_units": bundle.org_units.iter().map(|(_, u)| u.code.as_str()).collect::<Vec<_>>(),
        "data_elements": bundle.data_elements.iter().map(|(_, e)| e.code.as_str()).collect::<Vec<_>>(),
        "indicators": bundle.indicators.iter().map(|(_, i)| i.code.as_str()).collect::<Vec<_>>(),
        "targets": bundle.targets.len(),
        "validation_rules": bundle.validation_rules.iter().map(|(_, r)| r.code.as_str()).collect::<Vec<_>>(),
        "data_sets": bundle.data_sets.iter().map(|(_, d)| d.code.as_str()).collect::<Vec<_>>(),
        "indicator_groups": bundle.indicator_groups.iter().map(|(_, g)| g.code.as_str()).collect::<Vec<_>>(),
        "min_max": bundle.min_max.len(),
    });
    // Projects and notes are named only when the bundle has some.
    let projects: Vec<&str> = bundle
        .projects
        .iter()
        .map(|(_, p)| p.code.as_str())
        .collect();
    let notes: Vec<&str> = bundle.notes.iter().map(|(_, n)| n.code.as_str()).collect();
    for (key, codes) in [("projects", projects), ("notes", notes)] {
        if !codes.is_empty() {
            detail[key] = serde_json::json!(codes);
        }
    }
    audit::record(
        &tx,
        &caller.actor(),
        vec![audit::NewEvent {
            action: "metadata.import",
            org_unit_id: None,
            detail: detail.to_string(),
        }],
    )
    .await?;
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
        state.refresh_statistics_later();
        // Targets, indicators or the tree may have moved every unit's attainment.
        state.notify_figures_changed(Vec::new);
    }
    Ok(summary)
}

fn invalid(issues: Vec<FieldIssue>) -> ApiError {
    ApiError::Validation {
        code: "invalid_metadata",
        detail: format!(
            "the bundle has {} error(s); nothing was stored",
            issues.len()
        ),
        errors: issues.into_iter().map(FieldError::from).collect(),
    }
}
