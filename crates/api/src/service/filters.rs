//! Codes named in a read's filters, resolved once for REST and GraphQL alike: units within
//! the caller's subtree (404 outside it), data elements and indicators (404 when unknown).

use chitieu_domain::{DataElementCode, GroupCode, IndicatorCode, OrgUnitCode, Period};
use chitieu_persistence::{
    Database, attainment,
    catalogue::{self, StoredDataElement, StoredIndicator, TargetFilter},
    data_values::DataValueFilter,
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    service::units::{target_authority, visible_unit},
};

fn unknown_indicator(code: &str) -> ApiError {
    ApiError::not_found(
        "unknown_indicator",
        format!("indicator '{code}' does not exist"),
    )
}

/// Which figures a read (full or incremental) asks for.
#[derive(Clone, Copy, Debug, Default)]
pub struct FigureQuery<'a> {
    /// Org unit code.
    pub org_unit: Option<&'a str>,
    /// With `org_unit`: its whole subtree.
    pub include_descendants: bool,
    /// Only figures whose period lies inside this one.
    pub period: Option<&'a str>,
    /// Data element code.
    pub data_element: Option<&'a str>,
}

/// The storage filter for a figure read.
pub async fn figure_filter(
    state: &AppState,
    caller: &Caller,
    q: FigureQuery<'_>,
) -> Result<DataValueFilter, ApiError> {
    let mut filter = DataValueFilter {
        include_descendants: q.include_descendants,
        ..Default::default()
    };
    if let Some(code) = q.org_unit {
        filter.org_unit = Some(visible_unit(state, caller.scope, code).await?.id);
    }
    if let Some(p) = q.period {
        filter.period = Some(Period::parse(p)?);
    }
    if let Some(code) = q.data_element {
        filter.data_element = Some(data_element(state, code).await?.id);
    }
    Ok(filter)
}

/// A data element by code: 400 `invalid_code` when malformed, 404 `unknown_data_element`
/// when there is none.
pub async fn data_element(state: &AppState, code: &str) -> Result<StoredDataElement, ApiError> {
    let parsed = DataElementCode::parse(code)?;
    let mut found = catalogue::data_elements_by_codes(state.db.conn(), &[parsed.as_str()]).await?;
    found.remove(parsed.as_str()).ok_or_else(|| {
        ApiError::not_found(
            "unknown_data_element",
            format!("data element '{code}' does not exist"),
        )
    })
}

/// The storage filter for a target read: the targets that apply to the caller's subtree (set
/// inside it or above it), optionally of one indicator, set by one authority (a unit inside
/// the subtree or above it; 404 otherwise).
pub async fn target_filter(
    state: &AppState,
    caller: &Caller,
    indicator: Option<&str>,
    org_unit: Option<&str>,
) -> Result<TargetFilter, ApiError> {
    let mut filter = TargetFilter {
        applying_to: caller.scope,
        indicator: None,
        org_unit: None,
    };
    if let Some(code) = indicator {
        let parsed = IndicatorCode::parse(code)?;
        let found = catalogue::indicators_by_codes(state.db.conn(), &[parsed.as_str()]).await?;
        let ind = found
            .get(parsed.as_str())
            .ok_or_else(|| unknown_indicator(code))?;
        filter.indicator = Some(ind.id);
    }
    if let Some(code) = org_unit {
        OrgUnitCode::parse(code)?;
        filter.org_unit = Some(target_authority(state, caller.scope, code).await?.id);
    }
    Ok(filter)
}

/// The indicators named (every indicator when none is), of `group` when given, by code.
pub async fn indicators(
    db: &Database,
    codes: &[String],
    group: Option<&str>,
) -> Result<Vec<StoredIndicator>, ApiError> {
    let codes = codes
        .iter()
        .map(|c| IndicatorCode::parse(c))
        .collect::<Result<Vec<_>, _>>()?;
    let group = group_code(group)?;
    attainment::select_indicators(db.conn(), &codes, group.as_ref())
        .await?
        .map_err(|code| unknown_indicator(&code))
}

/// An indicator group named in a read (400 `invalid_code` when malformed).
pub fn group_code(group: Option<&str>) -> Result<Option<GroupCode>, ApiError> {
    Ok(group.map(GroupCode::parse).transpose()?)
}
