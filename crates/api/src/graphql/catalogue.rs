//! The indicator catalogue: data elements, indicators and their groups, targets and
//! validation rules.

use async_graphql::{Context, Object, SimpleObject};
use chitieu_persistence::catalogue::{
    self, StoredDataElement, StoredIndicator, StoredRule, StoredTarget,
};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    numbers::ExactFloat,
    paging::{Page, after, after_id, connection, page_size},
};
use crate::{
    authz::{Operation, authorize},
    service::filters,
};

/// A figure units report, e.g. `DOC_OUT_SW` (documents sent on the software).
#[derive(SimpleObject, Clone)]
pub struct DataElement {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `integer`, `number`, `boolean` or `text`.
    pub value_type: String,
    /// How values roll up over units and months: `sum`, `last`, `average` or `none`.
    pub aggregation: String,
}

impl From<&StoredDataElement> for DataElement {
    fn from(s: &StoredDataElement) -> Self {
        Self {
            code: s.element.code.as_str().to_owned(),
            name: s.element.name.as_str().to_owned(),
            value_type: s.element.value_type.as_str().to_owned(),
            aggregation: s.element.aggregation.as_str().to_owned(),
        }
    }
}

/// A KPI: `factor × numerator / denominator` over data elements.
#[derive(SimpleObject, Clone)]
pub struct Indicator {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Group code, e.g. `digital_government`.
    pub group: Option<String>,
    /// Numerator expression, e.g. `#{DOC_OUT_SW} + #{DOC_IN_SW}`.
    pub numerator: String,
    /// Denominator expression.
    pub denominator: String,
    /// Multiplier (100 for a percentage).
    pub factor: ExactFloat,
    /// Decimals shown.
    pub decimals: u32,
}

impl From<&StoredIndicator> for Indicator {
    fn from(s: &StoredIndicator) -> Self {
        let i = &s.indicator;
        Self {
            code: i.code.as_str().to_owned(),
            name: i.name.as_str().to_owned(),
            group: i.group.as_ref().map(|g| g.as_str().to_owned()),
            numerator: i.numerator.source().to_owned(),
            denominator: i.denominator.source().to_owned(),
            factor: ExactFloat(i.factor),
            decimals: i.decimals,
        }
    }
}

/// Indicators sharing a group code.
#[derive(SimpleObject)]
pub struct IndicatorGroup {
    /// Group code.
    pub code: String,
    /// Its indicators, by code.
    pub indicators: Vec<Indicator>,
}

/// A target set by an authority (an org unit) for an indicator and period.
#[derive(SimpleObject, Clone)]
pub struct Target {
    /// Indicator code.
    pub indicator: String,
    /// The authority that set it; it applies to that unit's whole subtree.
    pub org_unit: String,
    /// The period it covers.
    pub period: String,
    /// `>=`, `>`, `<=`, `<` or `==`.
    pub operator: String,
    /// Target value.
    pub value: ExactFloat,
    /// E.g. `national`, `provincial`, `city`.
    pub label: Option<String>,
}

impl From<&StoredTarget> for Target {
    fn from(s: &StoredTarget) -> Self {
        let t = &s.target;
        Self {
            indicator: t.indicator.as_str().to_owned(),
            org_unit: t.org_unit.as_str().to_owned(),
            period: t.period.to_string(),
            operator: t.operator.as_str().to_owned(),
            value: ExactFloat(t.value),
            label: t.label.clone(),
        }
    }
}

/// A consistency rule every unit's figures must satisfy, e.g. successful payments ≤ all
/// payments.
#[derive(SimpleObject, Clone)]
pub struct ValidationRule {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Left expression.
    pub left: String,
    /// `==`, `!=`, `<`, `<=`, `>` or `>=`.
    pub operator: String,
    /// Right expression.
    pub right: String,
}

impl From<&StoredRule> for ValidationRule {
    fn from(s: &StoredRule) -> Self {
        Self {
            code: s.rule.code.as_str().to_owned(),
            name: s.rule.name.as_str().to_owned(),
            left: s.rule.left.source().to_owned(),
            operator: s.rule.operator.as_str().to_owned(),
            right: s.rule.right.source().to_owned(),
        }
    }
}

/// Catalogue reads.
#[derive(Default)]
pub struct CatalogueQuery;

#[Object]
impl CatalogueQuery {
    /// Data elements by code.
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn data_elements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<DataElement>> {
        let (state, caller) = state_and_caller(ctx)?;
        authorize(caller, Operation::Read).map_err(gql)?;
        let limit = page_size(first)?;
        let position = self::after(after.as_deref())?;
        let items = catalogue::data_elements(state.db.conn(), position.as_deref(), limit + 1)
            .await
            .map_err(|e| gql(e.into()))?;
        Ok(connection(
            items,
            limit,
            position.is_some(),
            |e| e.element.code.as_str().to_owned(),
            |x| DataElement::from(x),
        ))
    }

    /// Indicators by code, optionally of one group.
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        group: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<Indicator>> {
        let (state, caller) = state_and_caller(ctx)?;
        authorize(caller, Operation::Read).map_err(gql)?;
        let limit = page_size(first)?;
        let position = self::after(after.as_deref())?;
        let group = filters::group_code(group.as_deref()).map_err(gql)?;
        let items = catalogue::indicators(
            state.db.conn(),
            group.as_ref(),
            position.as_deref(),
            limit + 1,
        )
        .await
        .map_err(|e| gql(e.into()))?;
        Ok(connection(
            items,
            limit,
            position.is_some(),
            |i| i.indicator.code.as_str().to_owned(),
            |x| Indicator::from(x),
        ))
    }

    /// Indicator groups with their indicators, by group code.
    async fn indicator_groups(&self, ctx: &Context<'_>) -> GqlResult<Vec<IndicatorGroup>> {
        let (state, caller) = state_and_caller(ctx)?;
        authorize(caller, Operation::Read).map_err(gql)?;
        let all = filters::indicators(&state.db, &[], None)
            .await
            .map_err(gql)?;
        let mut groups: std::collections::BTreeMap<String, Vec<Indicator>> = Default::default();
        for i in &all {
            if let Some(g) = &i.indicator.group {
                groups
                    .entry(g.as_str().to_owned())
                    .or_default()
                    .push(Indicator::from(i));
            }
        }
        Ok(groups
            .into_iter()
            .map(|(code, indicators)| IndicatorGroup { code, indicators })
            .collect())
    }

    /// Targets, optionally of one indicator or set by one authority.
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn targets(
        &self,
        ctx: &Context<'_>,
        indicator: Option<String>,
        org_unit: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<Target>> {
        let (state, caller) = state_and_caller(ctx)?;
        authorize(caller, Operation::Read).map_err(gql)?;
        let limit = page_size(first)?;
        let position = after_id(after.as_deref())?;
        let filter =
            filters::target_filter(state, caller, indicator.as_deref(), org_unit.as_deref())
                .await
                .map_err(gql)?;
        let items = catalogue::targets(state.db.conn(), &filter, position, limit + 1)
            .await
            .map_err(|e| gql(e.into()))?;
        Ok(connection(
            items,
            limit,
            position.is_some(),
            |t| t.id.to_string(),
            |x| Target::from(x),
        ))
    }

    /// Validation rules by code.
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn validation_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<ValidationRule>> {
        let (state, caller) = state_and_caller(ctx)?;
        authorize(caller, Operation::Read).map_err(gql)?;
        let limit = page_size(first)?;
        let position = self::after(after.as_deref())?;
        let items = catalogue::validation_rules(state.db.conn(), position.as_deref(), limit + 1)
            .await
            .map_err(|e| gql(e.into()))?;
        Ok(connection(
            items,
            limit,
            position.is_some(),
            |r| r.rule.code.as_str().to_owned(),
            |x| ValidationRule::from(x),
        ))
    }
}
