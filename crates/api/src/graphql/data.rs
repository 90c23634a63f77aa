//! Figures: reading stored data values and submitting data value sets.

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, Object, SimpleObject};
use chitieu_persistence::{changes, data_values::StoredDataValue};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    numbers::JsonValue,
    paging::{Page, connection},
    types::ViolationGql,
};
use crate::{
    dto::common::{figure_json, parse_rfc3339, rfc3339},
    service::{
        data_values,
        filters::FigureQuery,
        page::PageRequest,
        single_value,
        submit::{self, FigureInput, SetInput, SubmittedValue},
    },
};

/// A figure state in place of a value.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "FigureState")]
pub enum FigureStateGql {
    /// No system or body provides the figure (`no_source`).
    NoSource,
    /// The figure is being compiled (`pending`).
    Pending,
}

impl From<chitieu_domain::FigureState> for FigureStateGql {
    fn from(s: chitieu_domain::FigureState) -> Self {
        match s {
            chitieu_domain::FigureState::NoSource => Self::NoSource,
            chitieu_domain::FigureState::Pending => Self::Pending,
        }
    }
}

impl FigureStateGql {
    /// The state as the service reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSource => chitieu_domain::FigureState::NoSource.as_str(),
            Self::Pending => chitieu_domain::FigureState::Pending.as_str(),
        }
    }
}

/// A stored figure.
#[derive(SimpleObject, Clone)]
pub struct DataValue {
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: String,
    /// A number for integer/number elements (its exact decimal), a boolean, or a string for
    /// text; `null` for a figure state.
    pub value: JsonValue,
    /// The figure state in place of a value; `null` for a value.
    pub state: Option<FigureStateGql>,
    /// Comment.
    pub comment: Option<String>,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// Who made it: a username or `token:<name>`.
    pub updated_by: String,
    /// The figure's strong entity tag, as REST's `ETag`: pass it as `ifMatch` to
    /// `putDataValue` or `deleteDataValue`.
    pub etag: String,
}

impl From<&StoredDataValue> for DataValue {
    fn from(v: &StoredDataValue) -> Self {
        Self {
            data_element: v.data_element.clone(),
            org_unit: v.org_unit.clone(),
            period: v.period.to_string(),
            value: JsonValue(figure_json(&v.figure)),
            state: v.figure.state().map(Into::into),
            comment: v.comment.clone(),
            updated_at: rfc3339(v.updated_at),
            updated_by: v.updated_by.clone(),
            etag: single_value::etag(v),
        }
    }
}

/// One figure to submit.
#[derive(InputObject)]
pub struct DataValueInput {
    /// Data element code.
    pub data_element: String,
    /// A number, boolean or string; `null` deletes the stored value. Required (except with
    /// `state`): a figure without a value is a conflict, never a silent deletion.
    pub value: MaybeUndefined<JsonValue>,
    /// A figure state in place of the value (then `value` is absent or `null`, else the
    /// conflict `state_with_value`).
    pub state: Option<FigureStateGql>,
    /// Comment.
    pub comment: Option<String>,
    /// Overrides the set's org unit.
    pub org_unit: Option<String>,
    /// Overrides the set's period.
    pub period: Option<String>,
}

/// A data value set: figures of one unit and period (each may override both).
#[derive(InputObject)]
pub struct DataValueSetInput {
    /// Default org unit.
    pub org_unit: Option<String>,
    /// Default period.
    pub period: Option<String>,
    /// The figures, at most 100 000.
    pub data_values: Vec<DataValueInput>,
}

impl From<DataValueSetInput> for SetInput {
    fn from(input: DataValueSetInput) -> Self {
        SetInput {
            org_unit: input.org_unit,
            period: input.period,
            values: input
                .data_values
                .into_iter()
                .map(|v| FigureInput {
                    data_element: v.data_element,
                    value: match v.value {
                        MaybeUndefined::Undefined => SubmittedValue::Missing,
                        MaybeUndefined::Null => SubmittedValue::Json(serde_json::Value::Null),
                        MaybeUndefined::Value(v) => SubmittedValue::Json(v.0),
                    },
                    comment: v.comment,
                    org_unit: v.org_unit,
                    period: v.period,
                    state: v.state.map(|s| s.as_str().to_owned()),
                })
                .collect(),
        }
    }
}

/// A refused figure.
#[derive(SimpleObject)]
pub struct Conflict {
    /// Position in `dataValues`.
    pub index: i32,
    /// Stable code, e.g. `overlapping_period`.
    pub code: String,
    /// Explanation.
    pub message: String,
}

/// What a submission did (or, with `dryRun`, would do).
#[derive(SimpleObject)]
pub struct SubmissionResult {
    /// `success`, `warning` (stored, with violations) or `error` (refused, nothing stored).
    pub status: String,
    /// Checked only, nothing stored.
    pub dry_run: bool,
    /// New figures.
    pub imported: i64,
    /// Changed figures.
    pub updated: i64,
    /// Figures that were already so.
    pub unchanged: i64,
    /// Deleted figures.
    pub deleted: i64,
    /// Refused figures (nothing stored when there is any).
    pub conflicts: Vec<Conflict>,
    /// Validation rules the stored figures now break.
    pub violations: Vec<ViolationGql>,
    /// True when this is the remembered answer to an earlier request with the same key.
    pub replayed: bool,
}

impl SubmissionResult {
    fn new(answer: &submit::Answer) -> Self {
        let r = &answer.result;
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        Self {
            status: r.status.as_str().to_owned(),
            dry_run: r.dry_run,
            imported: count(r.imported),
            updated: count(r.updated),
            unchanged: count(r.unchanged),
            deleted: count(r.deleted),
            conflicts: r
                .conflicts
                .iter()
                .map(|c| Conflict {
                    index: i32::try_from(c.index).unwrap_or(i32::MAX),
                    code: c.code.clone(),
                    message: c.message.clone(),
                })
                .collect(),
            violations: r.violations.iter().map(ViolationGql::from).collect(),
            replayed: answer.replayed,
        }
    }
}

/// Figure reads.
#[derive(Default)]
pub struct DataQuery;

// One argument per filter, as in REST's query string.
#[allow(clippy::too_many_arguments)]
#[Object]
impl DataQuery {
    /// Stored figures of the caller's subtree, in storage order.
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn data_values(
        &self,
        ctx: &Context<'_>,
        org_unit: Option<String>,
        #[graphql(desc = "With `orgUnit`: every unit below it too", default)]
        include_descendants: bool,
        period: Option<String>,
        data_element: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<DataValue>> {
        let (state, caller) = state_and_caller(ctx)?;
        let query = FigureQuery {
            org_unit: org_unit.as_deref(),
            include_descendants,
            period: period.as_deref(),
            data_element: data_element.as_deref(),
        };
        let page = PageRequest::graphql(first, after.as_deref());
        let page = data_values::list(state, caller, query, page)
            .await
            .map_err(gql)?;
        Ok(connection(page, |x| DataValue::from(x)))
    }

    /// What changed in the caller's subtree at or after `since` (RFC 3339), in the order it
    /// changed: new and corrected figures, and deleted ones (`deleted: true`).
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn data_value_changes(
        &self,
        ctx: &Context<'_>,
        since: String,
        org_unit: Option<String>,
        #[graphql(desc = "With `orgUnit`: every unit below it too", default)]
        include_descendants: bool,
        period: Option<String>,
        data_element: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<DataValueChange>> {
        let (state, caller) = state_and_caller(ctx)?;
        let since = parse_rfc3339("since", &since).map_err(gql)?;
        let query = FigureQuery {
            org_unit: org_unit.as_deref(),
            include_descendants,
            period: period.as_deref(),
            data_element: data_element.as_deref(),
        };
        let page = PageRequest::graphql(first, after.as_deref());
        let page = data_values::changes(state, caller, query, since, page)
            .await
            .map_err(gql)?;
        Ok(connection(page, |x| DataValueChange::from(x)))
    }
}

/// A change of a figure: stored (new or corrected) or deleted.
#[derive(SimpleObject, Clone)]
pub struct DataValueChange {
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: String,
    /// The value now; `null` when deleted or a figure state.
    pub value: JsonValue,
    /// The figure state now in place of a value; `null` otherwise.
    pub state: Option<FigureStateGql>,
    /// True when the figure was deleted.
    pub deleted: bool,
    /// Comment.
    pub comment: Option<String>,
    /// When (RFC 3339).
    pub changed_at: String,
    /// Who: a username or `token:<name>`.
    pub changed_by: String,
}

impl From<&changes::Change> for DataValueChange {
    fn from(c: &changes::Change) -> Self {
        Self {
            data_element: c.data_element.clone(),
            org_unit: c.org_unit.clone(),
            period: c.period.to_string(),
            value: JsonValue(
                c.figure
                    .as_ref()
                    .map_or(serde_json::Value::Null, figure_json),
            ),
            state: c
                .figure
                .as_ref()
                .and_then(chitieu_domain::Figure::state)
                .map(Into::into),
            deleted: c.figure.is_none(),
            comment: c.comment.clone(),
            changed_at: rfc3339(c.key.at),
            changed_by: c.changed_by.clone(),
        }
    }
}

/// Figure writes.
#[derive(Default)]
pub struct DataMutation;

#[Object]
impl DataMutation {
    /// Submits a data value set: all or nothing (any conflict stores nothing and answers
    /// `status: "error"` with the conflicts), `dryRun` checks without storing, and an
    /// `idempotencyKey` makes a retry return the first answer without applying anything twice
    /// (the same key with other input is `idempotency_key_reused`).
    async fn submit_data_values(
        &self,
        ctx: &Context<'_>,
        input: DataValueSetInput,
        #[graphql(default)] dry_run: bool,
        idempotency_key: Option<String>,
    ) -> GqlResult<SubmissionResult> {
        let (state, caller) = state_and_caller(ctx)?;
        let request = submit::SubmitRequest {
            set: input.into(),
            dry_run,
            idempotency_key,
        };
        let answer = submit::submit(state, caller, request).await.map_err(gql)?;
        Ok(SubmissionResult::new(&answer))
    }
}
