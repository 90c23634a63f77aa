//! The composite index on the wire: `GET /api/v1/scores`.

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::common::Num;
use crate::service::scores::{ScoreRow, ScoresReport};

/// One group's part of a row.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupScoreDto {
    /// The group's code.
    #[schema(example = "I")]
    pub group: String,
    /// Its declared weight (0 when the group is not declared).
    #[schema(value_type = f64, example = 20)]
    pub weight: Num,
    /// Indicators of the group (every status, `no_target` included).
    pub criteria: u32,
    /// Indicators that met every applicable target.
    pub met: u32,
    /// Indicators that missed a target.
    pub not_met: u32,
    /// Indicators without data.
    pub no_data: u32,
    /// `weight × met / (met + not_met)`, 0 when none was assessed, rounded to 2 decimals.
    #[schema(value_type = f64, example = 10)]
    pub score: Num,
}

/// One unit's row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreRowDto {
    /// The unit's code.
    #[schema(example = "VT")]
    pub org_unit: String,
    /// The unrounded sum of the groups' scores, rounded to 2 decimals.
    #[schema(value_type = f64, example = 53.64)]
    pub score: Num,
    /// Rank among the children by unrounded score (1 = best; ties share a rank and the next
    /// skips); null on the parent row and without a breakdown.
    pub rank: Option<u32>,
    /// Every declared group and every group an indicator names, by code.
    pub groups: Vec<GroupScoreDto>,
}

impl From<&ScoreRow> for ScoreRowDto {
    fn from(r: &ScoreRow) -> Self {
        Self {
            org_unit: r.org_unit.to_string(),
            score: Num(r.score.score()),
            rank: r.rank,
            groups: (r.score.groups().iter())
                .map(|g| {
                    let t = g.tally();
                    GroupScoreDto {
                        group: g.group().to_string(),
                        weight: Num(g.weight().value()),
                        criteria: t.criteria(),
                        met: t.met(),
                        not_met: t.not_met(),
                        no_data: t.no_data(),
                        score: Num(g.score()),
                    }
                })
                .collect(),
        }
    }
}

/// `GET /api/v1/scores`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoresResponse {
    /// The unit's row, then with `breakdown=children` each child's in natural order of names.
    pub rows: Vec<ScoreRowDto>,
}

impl From<&ScoresReport> for ScoresResponse {
    fn from(r: &ScoresReport) -> Self {
        Self {
            rows: r.rows.iter().map(ScoreRowDto::from).collect(),
        }
    }
}

/// Query of `GET /api/v1/scores`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; parsed by hand
pub struct ScoresParams {
    /// Org unit code.
    pub org_unit: String,
    /// Period, e.g. `2023-01/2023-09`.
    pub period: String,
    /// `self` (default) or `children`.
    pub breakdown: Option<String>,
}
