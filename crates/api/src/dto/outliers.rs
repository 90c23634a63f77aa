//! The body of `GET /api/v1/outliers`.

use chitieu_persistence::outliers::FoundOutlier;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::common::Num;

/// One flagged figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutlierDto {
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// The figure's period.
    pub period: String,
    /// The figure.
    #[schema(value_type = f64)]
    pub value: Num,
    /// Mean (`z_score`) or median (`modified_z_score`) of the history, 6 decimals; null for
    /// `min_max`.
    #[schema(value_type = Option<f64>)]
    pub center: Option<Num>,
    /// Standard deviation or MAD of the history, 6 decimals; null for `min_max`.
    #[schema(value_type = Option<f64>)]
    pub spread: Option<Num>,
    /// The score (6 decimals); for `min_max` the distance outside the bounds.
    #[schema(value_type = f64)]
    pub score: Num,
    /// Lower bound (6 decimals), if any.
    #[schema(value_type = Option<f64>)]
    pub lower_bound: Option<Num>,
    /// Upper bound (6 decimals), if any.
    #[schema(value_type = Option<f64>)]
    pub upper_bound: Option<Num>,
}

impl From<&FoundOutlier> for OutlierDto {
    fn from(f: &FoundOutlier) -> Self {
        let o = &f.outlier;
        Self {
            data_element: f.data_element.clone(),
            org_unit: f.org_unit.clone(),
            period: f.period.to_string(),
            value: Num(f.value),
            center: o.center.map(Num),
            spread: o.spread.map(Num),
            score: Num(o.score),
            lower_bound: o.lower_bound.map(Num),
            upper_bound: o.upper_bound.map(Num),
        }
    }
}

/// `GET /api/v1/outliers`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutliersResponse {
    /// Flagged figures, largest score first (ties: org unit, data element, period), at most
    /// 500.
    pub outliers: Vec<OutlierDto>,
}

/// Query of `GET /api/v1/outliers`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; parsed by hand to keep repeated keys
pub struct OutliersParams {
    /// Org unit code (its whole subtree is checked).
    pub org_unit: String,
    /// Period: stored figures whose period lies inside it are checked.
    pub period: String,
    /// Data element code; repeat for several, at most 100 (default: every integer or number
    /// element).
    pub data_element: Option<Vec<String>>,
    /// `z_score` (default), `modified_z_score` or `min_max`.
    pub algorithm: Option<String>,
    /// The score a figure must exceed to be flagged (default 3, 0 to 1 000 000); ignored by
    /// `min_max`.
    pub threshold: Option<String>,
}
