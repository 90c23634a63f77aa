//! The indicator catalogue: data elements, indicators and their groups, targets and
//! validation rules.

use async_graphql::{Context, Object, SimpleObject};
use chitieu_domain::RuleCheck;
use chitieu_persistence::catalogue::{
    StoredDataElement, StoredIndicator, StoredRule, StoredTarget,
};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    numbers::ExactFloat,
    paging::{Page, connection},
};
use crate::service::{catalogue, page::PageRequest};

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
    /// Code of the org unit that provides the figures, when stated.
    pub owner: Option<String>,
    /// Where the figures come from, when stated.
    pub source: Option<String>,
}

impl From<&StoredDataElement> for DataElement {
    fn from(s: &StoredDataElement) -> Self {
        Self {
            owner: s.element.owner.as_ref().map(|o| o.as_str().to_owned()),
            source: s.element.source.as_ref().map(|t| t.as_str().to_owned()),
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
    /// The data element holding the stated value (the percentage a report printed).
    pub stated_element: Option<String>,
    /// The data element holding the printed result text.
    pub result_element: Option<String>,
    /// The indicator this one is a part of (informational).
    pub part_of: Option<String>,
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
            stated_element: (i.links.stated_element.as_ref()).map(|c| c.as_str().to_owned()),
            result_element: (i.links.result_element.as_ref()).map(|c| c.as_str().to_owned()),
            part_of: (i.links.part_of.as_ref()).map(|c| c.as_str().to_owned()),
        }
    }
}

/// Indicators sharing a group code, with the group's name and weight when the metadata
/// bundle declared it.
#[derive(SimpleObject)]
pub struct IndicatorGroup {
    /// Group code.
    pub code: String,
    /// The declared name; null for a group only named by indicators.
    pub name: Option<String>,
    /// The declared weight in the composite index; null for an undeclared group (it weighs 0).
    pub weight: Option<ExactFloat>,
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
    /// `>=`, `>`, `<=`, `<` or `==`; null for a note.
    pub operator: Option<String>,
    /// Target value; null for a note.
    pub value: Option<ExactFloat>,
    /// E.g. `national`, `provincial`, `city`.
    pub label: Option<String>,
    /// A target that names no value: shown, never met or not met.
    pub note: Option<String>,
    /// The target as printed.
    pub printed: Option<String>,
}

impl From<&StoredTarget> for Target {
    fn from(s: &StoredTarget) -> Self {
        let t = &s.target;
        Self {
            indicator: t.indicator.as_str().to_owned(),
            org_unit: t.org_unit.as_str().to_owned(),
            period: t.period.to_string(),
            operator: t.goal.comparison().map(|(o, _)| o.as_str().to_owned()),
            value: t.goal.comparison().map(|(_, v)| ExactFloat(v)),
            label: t.label.clone(),
            note: t.goal.note().map(str::to_owned),
            printed: t.printed.clone(),
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
    /// `compare` (left operator right) or `stated_status` (a stated value's attainment
    /// status against the indicator's computed status).
    pub check: String,
    /// Left expression; null for `stated_status`.
    pub left: Option<String>,
    /// `==`, `!=`, `<`, `<=`, `>` or `>=`; null for `stated_status`.
    pub operator: Option<String>,
    /// Right expression; null for `stated_status`.
    pub right: Option<String>,
    /// `own` or `subtree`; null for `stated_status`.
    pub left_scope: Option<String>,
    /// `own` or `subtree`; null for `stated_status`.
    pub right_scope: Option<String>,
    /// With `==`: the rule holds when |left − right| ≤ tolerance.
    pub tolerance: Option<ExactFloat>,
    /// `stated_status`: the indicator's code.
    pub indicator: Option<String>,
    /// `stated_status`: the stated value's expression.
    pub stated: Option<String>,
    /// Free text.
    pub description: Option<String>,
}

impl From<&StoredRule> for ValidationRule {
    fn from(s: &StoredRule) -> Self {
        let v = crate::dto::catalogue::ValidationRuleDto::from(s);
        Self {
            code: v.code,
            name: v.name,
            check: v.check.to_owned(),
            left: v.left,
            operator: v.operator.map(str::to_owned),
            right: v.right,
            left_scope: v.left_scope.map(str::to_owned),
            right_scope: v.right_scope.map(str::to_owned),
            tolerance: match &s.rule.check {
                RuleCheck::Compare(c) => c.tolerance().map(ExactFloat),
                RuleCheck::StatedStatus { .. } => None,
            },
            indicator: v.indicator,
            stated: v.stated,
            description: v.description,
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
        let page = PageRequest::graphql(first, after.as_deref());
        let page = catalogue::data_elements(state, caller, page)
            .await
            .map_err(gql)?;
        Ok(connection(page, |x| DataElement::from(x)))
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
        let page = PageRequest::graphql(first, after.as_deref());
        let page = catalogue::indicators(state, caller, group.as_deref(), page)
            .await
            .map_err(gql)?;
        Ok(connection(page, |x| Indicator::from(x)))
    }

    /// Indicator groups with their indicators, by group code.
    async fn indicator_groups(&self, ctx: &Context<'_>) -> GqlResult<Vec<IndicatorGroup>> {
        let (state, caller) = state_and_caller(ctx)?;
        let groups = catalogue::indicator_groups(state, caller)
            .await
            .map_err(gql)?;
        Ok(groups
            .into_iter()
            .map(|(code, view)| IndicatorGroup {
                code,
                name: (view.declared.as_ref()).map(|g| g.name.as_str().to_owned()),
                weight: (view.declared.as_ref()).map(|g| ExactFloat(g.weight.value())),
                indicators: view.indicators.iter().map(Indicator::from).collect(),
            })
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
        let page = PageRequest::graphql(first, after.as_deref());
        let page = catalogue::targets(
            state,
            caller,
            indicator.as_deref(),
            org_unit.as_deref(),
            page,
        )
        .await
        .map_err(gql)?;
        Ok(connection(page, |x| Target::from(x)))
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
        let page = PageRequest::graphql(first, after.as_deref());
        let page = catalogue::validation_rules(state, caller, page)
            .await
            .map_err(gql)?;
        Ok(connection(page, |x| ValidationRule::from(x)))
    }
}
