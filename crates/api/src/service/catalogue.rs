//! Catalogue reads: data elements, indicators (and their groups), targets and validation
//! rules, a page at a time. Every caller who may read sees the whole catalogue except
//! targets, which are those that apply to its subtree.

use std::collections::BTreeMap;

use chitieu_domain::IndicatorGroup;
use chitieu_persistence::{
    TargetId,
    catalogue::{self, StoredDataElement, StoredIndicator, StoredRule, StoredTarget},
    indicator_groups,
};

use super::{
    filters,
    page::{Page, PageRequest, Paging},
};
use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
};

/// Data elements by code.
pub async fn data_elements(
    state: &AppState,
    caller: &Caller,
    page: PageRequest<'_>,
) -> Result<Page<StoredDataElement>, ApiError> {
    authorize(caller, Operation::Read)?;
    let paging: Paging<String> = page.open()?;
    let rows =
        catalogue::data_elements(state.db.conn(), paging.after.as_deref(), paging.fetch()).await?;
    Ok(paging.finish(rows, |e| e.element.code.as_str().to_owned()))
}

/// Indicators by code, of one group when `group` is given.
pub async fn indicators(
    state: &AppState,
    caller: &Caller,
    group: Option<&str>,
    page: PageRequest<'_>,
) -> Result<Page<StoredIndicator>, ApiError> {
    authorize(caller, Operation::Read)?;
    let paging: Paging<String> = page.open()?;
    let group = filters::group_code(group)?;
    let rows = catalogue::indicators(
        state.db.conn(),
        group.as_ref(),
        paging.after.as_deref(),
        paging.fetch(),
    )
    .await?;
    Ok(paging.finish(rows, |i| i.indicator.code.as_str().to_owned()))
}

/// A group code: its declaration (name and weight, from the metadata bundle's
/// `indicator_groups`) if there is one, and its indicators.
#[derive(Debug, Default)]
pub struct GroupView {
    /// The declared group, if the bundle declared it.
    pub declared: Option<IndicatorGroup>,
    /// Its indicators, by code.
    pub indicators: Vec<StoredIndicator>,
}

/// Every group, by group code: the groups that indicators name and the declared ones.
pub async fn indicator_groups(
    state: &AppState,
    caller: &Caller,
) -> Result<BTreeMap<String, GroupView>, ApiError> {
    authorize(caller, Operation::Read)?;
    let all = filters::indicators(&state.db, &[], None).await?;
    let mut groups: BTreeMap<String, GroupView> = BTreeMap::new();
    for g in indicator_groups::all(state.db.conn()).await? {
        let view = groups.entry(g.group.code.as_str().to_owned()).or_default();
        view.declared = Some(g.group);
    }
    for i in all {
        if let Some(g) = &i.indicator.group {
            let view = groups.entry(g.as_str().to_owned()).or_default();
            view.indicators.push(i);
        }
    }
    Ok(groups)
}

/// The targets that apply to the caller's subtree (set inside it or by one of its
/// ancestors), of one indicator or set by one authority when named, by id.
pub async fn targets(
    state: &AppState,
    caller: &Caller,
    indicator: Option<&str>,
    org_unit: Option<&str>,
    page: PageRequest<'_>,
) -> Result<Page<StoredTarget>, ApiError> {
    authorize(caller, Operation::Read)?;
    let paging: Paging<TargetId> = page.open()?;
    let filter = filters::target_filter(state, caller, indicator, org_unit).await?;
    let rows = catalogue::targets(state.db.conn(), &filter, paging.after, paging.fetch()).await?;
    Ok(paging.finish(rows, |t| t.id))
}

/// Validation rules by code.
pub async fn validation_rules(
    state: &AppState,
    caller: &Caller,
    page: PageRequest<'_>,
) -> Result<Page<StoredRule>, ApiError> {
    authorize(caller, Operation::Read)?;
    let paging: Paging<String> = page.open()?;
    let rows =
        catalogue::validation_rules(state.db.conn(), paging.after.as_deref(), paging.fetch())
            .await?;
    Ok(paging.finish(rows, |r| r.rule.code.as_str().to_owned()))
}
