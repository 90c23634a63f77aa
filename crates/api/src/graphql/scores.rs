//! The composite index: the same use case as `GET /api/v1/scores`.

use async_graphql::{Context, Object, SimpleObject};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    numbers::ExactFloat,
    types::BreakdownGql,
};
use crate::service::scores::{self, ScoreRow, ScoresQuery};

/// One group's part of a score row.
#[derive(SimpleObject)]
pub struct GroupScore {
    /// The group's code.
    pub group: String,
    /// Its declared weight (0 when the group is not declared).
    pub weight: ExactFloat,
    /// Indicators of the group (every status, `NO_TARGET` included).
    pub criteria: u32,
    /// Indicators that met every applicable target.
    pub met: u32,
    /// Indicators that missed a target.
    pub not_met: u32,
    /// Indicators without data.
    pub no_data: u32,
    /// `weight × met / (met + notMet)`, 0 when none was assessed, rounded to 2 decimals.
    pub score: ExactFloat,
}

/// One unit's composite score.
#[derive(SimpleObject)]
#[graphql(name = "ScoreRow")]
pub struct ScoreRowGql {
    /// The unit's code.
    pub org_unit: String,
    /// The unrounded sum of the groups' scores, rounded to 2 decimals.
    pub score: ExactFloat,
    /// Rank among the children (1 = best; ties share a rank and the next skips); null on
    /// the parent row and without a breakdown.
    pub rank: Option<u32>,
    /// Every declared group and every group an indicator names, by code.
    pub groups: Vec<GroupScore>,
}

impl From<&ScoreRow> for ScoreRowGql {
    fn from(r: &ScoreRow) -> Self {
        Self {
            org_unit: r.org_unit.to_string(),
            score: ExactFloat(r.score.score()),
            rank: r.rank,
            groups: (r.score.groups().iter())
                .map(|g| {
                    let t = g.tally();
                    GroupScore {
                        group: g.group().to_string(),
                        weight: ExactFloat(g.weight().value()),
                        criteria: t.criteria(),
                        met: t.met(),
                        not_met: t.not_met(),
                        no_data: t.no_data(),
                        score: ExactFloat(g.score()),
                    }
                })
                .collect(),
        }
    }
}

/// Score reads.
#[derive(Default)]
pub struct ScoresQueryRoot;

#[Object]
impl ScoresQueryRoot {
    /// The composite index of a unit (and with `CHILDREN` each child, ranked) over a period,
    /// with the rules and codes of `GET /api/v1/scores`.
    async fn scores(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Org unit code")] org_unit: String,
        #[graphql(desc = "Period, e.g. `2023-01/2023-09`")] period: String,
        #[graphql(default)] breakdown: BreakdownGql,
    ) -> GqlResult<Vec<ScoreRowGql>> {
        let (state, caller) = state_and_caller(ctx)?;
        let q = ScoresQuery {
            org_unit,
            period,
            breakdown: breakdown.into(),
        };
        let report = scores::scores(state, caller, &q).await.map_err(gql)?;
        Ok(report.rows.iter().map(ScoreRowGql::from).collect())
    }
}
