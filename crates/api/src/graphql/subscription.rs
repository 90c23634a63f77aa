//! Live updates over graphql-ws: a dashboard learns when figures in its subtree (or the
//! catalogue behind every attainment) change, and can read the new attainment in the same
//! event.

use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    org_unit::OrgUnit,
    report_cycle::ReportStateGql,
    types::AttainmentRowGql,
};
use crate::{
    AppState, Change,
    service::{
        reports::{self, AttainmentQuery, Breakdown},
        tree,
    },
};

/// A report of the watched subtree changed state (submitted, reopened, approved, returned).
#[derive(SimpleObject)]
pub struct ReportStateChanged {
    /// The data set's code.
    pub data_set: String,
    /// The reporting unit's code.
    pub org_unit: String,
    /// The period, canonical (`2023Q3`).
    pub period: String,
    /// The new state.
    pub state: ReportStateGql,
    /// Why it was returned (a `return` only).
    pub reason: Option<String>,
}

/// A change in a watched subtree (see the `SubtreeChanged` GraphQL type).
pub struct SubtreeChanged {
    unit: OrgUnit,
    change: Arc<Change>,
    inside: Vec<String>,
    state: AppState,
    caller: crate::auth::Caller,
}

/// Figures inside the watched subtree changed, or the catalogue did.
#[Object]
impl SubtreeChanged {
    /// The watched unit.
    async fn org_unit(&self) -> &OrgUnit {
        &self.unit
    }

    /// Codes of the units whose figures changed (inside the watched subtree); empty when the
    /// catalogue changed (targets, indicators, the tree).
    async fn changed_org_units(&self) -> &[String] {
        &self.inside
    }

    /// When it was committed (RFC 3339).
    async fn at(&self) -> String {
        crate::dto::common::rfc3339(self.change.at)
    }

    /// The report transition this event is about; null for changes of figures or of the
    /// catalogue. `changedOrgUnits` then holds the report's unit.
    async fn report_state_changed(&self) -> Option<ReportStateChanged> {
        let r = self.change.report.as_ref()?;
        Some(ReportStateChanged {
            data_set: r.data_set.clone(),
            org_unit: r.org_unit.clone(),
            period: r.period.clone(),
            state: r.state.into(),
            reason: r.reason.clone(),
        })
    }

    /// The watched unit's attainment now.
    async fn attainment(
        &self,
        period: String,
        #[graphql(default)] indicators: Vec<String>,
        group: Option<String>,
    ) -> GqlResult<Vec<AttainmentRowGql>> {
        let q = AttainmentQuery {
            org_unit: self.unit.0.unit.code.as_str().to_owned(),
            period,
            indicators,
            group,
            breakdown: Breakdown::SelfOnly,
        };
        let report = reports::attainment(&self.state, &self.caller, &q)
            .await
            .map_err(gql)?;
        let period = report.period.to_string();
        Ok(report
            .rows
            .iter()
            .map(|r| AttainmentRowGql::new(r, &period))
            .collect())
    }
}

/// Live updates (see the `SubscriptionRoot` GraphQL type).
pub struct SubscriptionRoot;

/// Live updates over graphql-ws at `/graphql/ws`.
#[Subscription]
impl SubscriptionRoot {
    /// Fires after every committed change of figures inside `orgUnit`'s subtree, after every
    /// report transition of a unit inside it (`reportStateChanged`), and after every
    /// catalogue import.
    async fn subtree_changed(
        &self,
        ctx: &Context<'_>,
        org_unit: String,
    ) -> async_graphql::Result<impl Stream<Item = SubtreeChanged>> {
        let (state, caller) = state_and_caller(ctx)?;
        let unit = tree::unit(state, caller, &org_unit).await.map_err(gql)?;
        let (state, caller) = (state.clone(), caller.clone());
        let root = unit.id;
        let receiver = state.changes.subscribe();
        let (check_state, check_caller) = (state.clone(), caller.clone());
        Ok(BroadcastStream::new(receiver)
            // A subscription lives as long as its caller's right to read: a disabled user or
            // a revoked or expired token stops receiving at the next change.
            .take_while(move |_| {
                let (state, caller) = (check_state.clone(), check_caller.clone());
                async move { caller.still_valid(&state).await.unwrap_or(false) }
            })
            .filter_map(move |change| {
                let (state, caller, unit) = (state.clone(), caller.clone(), unit.clone());
                async move {
                    // A lagging subscriber skips what it missed; the next event still arrives.
                    let change = change.ok()?;
                    let inside = if change.org_units.is_empty() {
                        Vec::new()
                    } else {
                        let inside = tree::inside(&state, root, &change.org_units).await.ok()?;
                        if inside.is_empty() {
                            return None;
                        }
                        inside
                    };
                    Some(SubtreeChanged {
                        unit: OrgUnit(unit),
                        change,
                        inside,
                        state,
                        caller,
                    })
                }
            }))
    }
}
