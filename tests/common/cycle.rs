//! The reporting cycle's part of the test catalogue (on top of [`super::catalogue`]): a
//! quarterly data set reported by the wards, the city and the city's office, indicator
//! groups and min–max bounds.
#![allow(dead_code, clippy::unwrap_used)]

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestApp;

/// `DX_Q`: quarterly, `DOC_OUT_SW` and `DOC_IN_SW`, expected from every ward and city and
/// from `VT-UBND`; 2023Q3 closes on 2023-09-14 and is due 2023-09-16. `DX_Y`: yearly, the
/// payment elements, expected from `VT` only, no cut-off day.
pub fn bundle() -> Value {
    json!({
        "data_sets": [
            {"code": "DX_Q", "name": "Báo cáo chuyển đổi số quý", "period_type": "quarter",
             "data_elements": ["DOC_OUT_SW", "DOC_IN_SW"],
             "assigned_kinds": ["ward", "city"], "assigned_units": ["VT-UBND"],
             "cutoff_day": 14, "due_days": 2, "approval_due_days": 3, "lock_after_days": 30},
            {"code": "DX_Y", "name": "Báo cáo thanh toán năm", "period_type": "year",
             "data_elements": ["PAY_TX_TOTAL", "PAY_TX_OK"],
             "assigned_units": ["VT"], "due_days": 10, "approval_due_days": 5}
        ],
        "indicator_groups": [
            {"code": "digital_government", "name": "Chính quyền số", "weight": 30},
            {"code": "digital_economy", "name": "Kinh tế số", "weight": 12.5}
        ],
        "min_max": [
            {"data_element": "DOC_OUT_SW", "org_unit": "VT-P1", "min": 0, "max": 5000},
            {"data_element": "SHARE", "org_unit": "VT", "max": 1.5}
        ]
    })
}

impl TestApp {
    /// The test catalogue, then [`bundle`].
    pub async fn seed_cycle(&self) {
        self.seed_catalogue().await;
        let (status, body) = self.post("/api/v1/metadata", &bundle()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}
