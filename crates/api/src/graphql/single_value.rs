//! One figure with optimistic concurrency: `dataValue`, `putDataValue` and
//! `deleteDataValue`, the same use cases as REST's `/api/v1/data-values/{de}/{ou}/{pe}`
//! ([`crate::service::single_value`]); `ifMatch`/`ifNoneMatch` are the headers' texts, and a
//! refusal carries `extensions.code` `precondition_required` or `precondition_failed`.

use async_graphql::{Context, Object};

use super::{
    context::state_and_caller,
    data::{DataValue, FigureStateGql},
    error::{GqlResult, gql},
    numbers::JsonValue,
};
use crate::service::single_value::{self, NewFigure, Preconditions, ValueKey};

/// One figure's read.
#[derive(Default)]
pub struct SingleValueQuery;

#[Object]
impl SingleValueQuery {
    /// The figure stored for exactly this data element, org unit and period, with its
    /// `etag` (unknown, or outside the caller's subtree: `unknown_data_value` and the like).
    async fn data_value(
        &self,
        ctx: &Context<'_>,
        data_element: String,
        org_unit: String,
        period: String,
    ) -> GqlResult<DataValue> {
        let (state, caller) = state_and_caller(ctx)?;
        let key = ValueKey {
            data_element: &data_element,
            org_unit: &org_unit,
            period: &period,
        };
        let one = single_value::get(state, caller, key).await.map_err(gql)?;
        Ok(DataValue::from(&one.value))
    }
}

/// One figure's writes.
#[derive(Default)]
pub struct SingleValueMutation;

#[Object]
impl SingleValueMutation {
    /// Stores one figure through the data value set pipeline (checks, report locks, audit),
    /// when `ifMatch` names its current `etag`, or when `ifNoneMatch: "*"` and none is stored
    /// yet; answers the stored figure with its new `etag`. `state` stores a figure state in
    /// place of a value (then `value` is absent or `null`).
    #[allow(clippy::too_many_arguments)]
    async fn put_data_value(
        &self,
        ctx: &Context<'_>,
        data_element: String,
        org_unit: String,
        period: String,
        value: Option<JsonValue>,
        #[graphql(name = "state")] figure_state: Option<FigureStateGql>,
        comment: Option<String>,
        if_match: Option<String>,
        if_none_match: Option<String>,
    ) -> GqlResult<DataValue> {
        let (app, caller) = state_and_caller(ctx)?;
        let key = ValueKey {
            data_element: &data_element,
            org_unit: &org_unit,
            period: &period,
        };
        let conditions =
            Preconditions::parse(if_match.as_deref(), if_none_match.as_deref()).map_err(gql)?;
        let figure = NewFigure {
            value: value.map(|v| v.0),
            state: figure_state.map(|s| s.as_str().to_owned()),
            comment,
        };
        let one = single_value::put(app, caller, key, figure, &conditions)
            .await
            .map_err(gql)?;
        Ok(DataValue::from(&one.value))
    }

    /// Deletes one figure when `ifMatch` names its current `etag`; `true` once deleted.
    async fn delete_data_value(
        &self,
        ctx: &Context<'_>,
        data_element: String,
        org_unit: String,
        period: String,
        if_match: Option<String>,
    ) -> GqlResult<bool> {
        let (state, caller) = state_and_caller(ctx)?;
        let key = ValueKey {
            data_element: &data_element,
            org_unit: &org_unit,
            period: &period,
        };
        let conditions = Preconditions::parse(if_match.as_deref(), None).map_err(gql)?;
        single_value::delete(state, caller, key, &conditions)
            .await
            .map_err(gql)?;
        Ok(true)
    }
}
