//! `outliers`: figures far from their history, or outside their bounds (contract v2).

use async_graphql::{Context, Enum, Object, SimpleObject};
use chitieu_persistence::outliers::FoundOutlier;

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    numbers::ExactFloat,
};
use crate::service::outliers::{self, OutlierQuery};

/// How a figure is compared.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum OutlierAlgorithm {
    /// |x − mean| / population standard deviation of the history.
    #[default]
    ZScore,
    /// 0.6745 × |x − median| / MAD of the history.
    ModifiedZScore,
    /// Outside the metadata bundle's `min_max` bounds of the unit.
    MinMax,
}

impl OutlierAlgorithm {
    fn as_str(self) -> &'static str {
        match self {
            Self::ZScore => "z_score",
            Self::ModifiedZScore => "modified_z_score",
            Self::MinMax => "min_max",
        }
    }
}

/// One flagged figure.
#[derive(SimpleObject)]
#[graphql(name = "OutlierValue")]
pub struct OutlierGql {
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// The figure's period.
    pub period: String,
    /// The figure.
    pub value: ExactFloat,
    /// Mean or median of the history (6 decimals); null for `MIN_MAX`.
    pub center: Option<ExactFloat>,
    /// Standard deviation or MAD of the history (6 decimals); null for `MIN_MAX`.
    pub spread: Option<ExactFloat>,
    /// The score (6 decimals); for `MIN_MAX` the distance outside the bounds.
    pub score: ExactFloat,
    /// Lower bound, if any.
    pub lower_bound: Option<ExactFloat>,
    /// Upper bound, if any.
    pub upper_bound: Option<ExactFloat>,
}

impl From<&FoundOutlier> for OutlierGql {
    fn from(f: &FoundOutlier) -> Self {
        let o = &f.outlier;
        Self {
            data_element: f.data_element.clone(),
            org_unit: f.org_unit.clone(),
            period: f.period.to_string(),
            value: ExactFloat(f.value),
            center: o.center.map(ExactFloat),
            spread: o.spread.map(ExactFloat),
            score: ExactFloat(o.score),
            lower_bound: o.lower_bound.map(ExactFloat),
            upper_bound: o.upper_bound.map(ExactFloat),
        }
    }
}

/// Outlier reads.
#[derive(Default)]
pub struct OutlierQueryRoot;

#[Object]
impl OutlierQueryRoot {
    /// Flagged figures of an org unit's subtree inside `period`, largest score first, at
    /// most 500: each compared with its unit and element's figures of the same length ending
    /// in the 36 months up to the period's last month.
    async fn outliers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Org unit code")] org_unit: String,
        #[graphql(desc = "Period")] period: String,
        #[graphql(
            desc = "Data element codes (default: every integer or number element; at most 100)",
            default
        )]
        data_elements: Vec<String>,
        #[graphql(default)] algorithm: OutlierAlgorithm,
        #[graphql(desc = "The score to exceed (default 3); ignored by MIN_MAX")] threshold: Option<
            f64,
        >,
    ) -> GqlResult<Vec<OutlierGql>> {
        let (state, caller) = state_and_caller(ctx)?;
        let q = OutlierQuery {
            org_unit,
            period,
            data_elements,
            algorithm: Some(algorithm.as_str().to_owned()),
            threshold: threshold.map(|t| t.to_string()),
        };
        let found = outliers::outliers(state, caller, &q).await.map_err(gql)?;
        Ok(found.iter().map(OutlierGql::from).collect())
    }
}
