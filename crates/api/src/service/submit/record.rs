//! The idempotency record of a submission: the neutral [`SubmitResult`] as JSON, from which a
//! replay is rendered by whichever edge answers it. The shape (`status`, `dry_run`, the four
//! counts, `conflicts`, `violations` with exact numbers) is the one both edges used to store
//! as rendered bodies, so records written before the result was neutral still replay.

use std::str::FromStr;

use chitieu_domain::Period;
use chitieu_persistence::validation::{Violation, ViolationOperator};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::result::{Conflict, Status, SubmitResult};
use crate::{ApiError, dto::common::decimal_number};

#[derive(Serialize, Deserialize)]
struct Record {
    status: String,
    dry_run: bool,
    imported: u64,
    updated: u64,
    unchanged: u64,
    deleted: u64,
    conflicts: Vec<ConflictRecord>,
    violations: Vec<ViolationRecord>,
}

#[derive(Serialize, Deserialize)]
struct ConflictRecord {
    index: usize,
    code: String,
    message: String,
}

#[derive(Serialize, Deserialize)]
struct ViolationRecord {
    rule: String,
    org_unit: String,
    period: String,
    left: serde_json::Number,
    operator: String,
    right: serde_json::Number,
    message: String,
}

/// The record of `result`, as JSON text.
pub fn encode(result: &SubmitResult) -> Result<String, ApiError> {
    let number = |d: Decimal| {
        decimal_number(d).ok_or_else(|| ApiError::internal(format!("{d} is not a JSON number")))
    };
    let record = Record {
        status: result.status.as_str().to_owned(),
        dry_run: result.dry_run,
        imported: result.imported,
        updated: result.updated,
        unchanged: result.unchanged,
        deleted: result.deleted,
        conflicts: result
            .conflicts
            .iter()
            .map(|c| ConflictRecord {
                index: c.index,
                code: c.code.clone(),
                message: c.message.clone(),
            })
            .collect(),
        violations: result
            .violations
            .iter()
            .map(|v| {
                Ok(ViolationRecord {
                    rule: v.rule.clone(),
                    org_unit: v.org_unit.clone(),
                    period: v.period.to_string(),
                    left: number(v.left)?,
                    operator: v.operator.as_str().to_owned(),
                    right: number(v.right)?,
                    message: v.message.clone(),
                })
            })
            .collect::<Result<_, ApiError>>()?,
    };
    serde_json::to_string(&record).map_err(ApiError::internal)
}

/// The result a record holds.
pub fn decode(text: &str) -> Result<SubmitResult, ApiError> {
    let corrupt = |what: &str| ApiError::internal(format!("unreadable idempotency record: {what}"));
    let record: Record = serde_json::from_str(text).map_err(|e| corrupt(&e.to_string()))?;
    let decimal = |n: &serde_json::Number| {
        let s = n.to_string();
        Decimal::from_str(&s)
            .or_else(|_| Decimal::from_scientific(&s))
            .map_err(|_| corrupt("a number"))
    };
    Ok(SubmitResult {
        status: Status::parse(&record.status).ok_or_else(|| corrupt("the status"))?,
        dry_run: record.dry_run,
        imported: record.imported,
        updated: record.updated,
        unchanged: record.unchanged,
        deleted: record.deleted,
        conflicts: record
            .conflicts
            .into_iter()
            .map(|c| Conflict {
                index: c.index,
                code: c.code,
                message: c.message,
            })
            .collect(),
        violations: record
            .violations
            .into_iter()
            .map(|v| {
                Ok(Violation {
                    period: Period::parse(&v.period).map_err(|_| corrupt("a period"))?,
                    left: decimal(&v.left)?,
                    operator: ViolationOperator::parse(&v.operator)
                        .ok_or_else(|| corrupt("an operator"))?,
                    right: decimal(&v.right)?,
                    rule: v.rule,
                    org_unit: v.org_unit,
                    message: v.message,
                })
            })
            .collect::<Result<_, ApiError>>()?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn result() -> SubmitResult {
        SubmitResult {
            status: Status::Warning,
            dry_run: false,
            imported: 2,
            updated: 1,
            unchanged: 0,
            deleted: 3,
            conflicts: vec![],
            violations: vec![Violation {
                rule: "PAY_OK_LE_TOTAL".into(),
                org_unit: "VT-P1".into(),
                period: Period::parse("2023-01/2023-09").unwrap(),
                left: Decimal::from_str("120.500000").unwrap(),
                operator: ViolationOperator::Compare(chitieu_domain::Comparison::Le),
                right: Decimal::from_str("999999999999.123456").unwrap(),
                message: "m".into(),
            }],
        }
    }

    #[test]
    fn a_result_reads_back_as_it_was_written() {
        let text = encode(&result()).unwrap();
        let back = decode(&text).unwrap();
        assert_eq!(
            back.violations[0].left.normalize(),
            result().violations[0].left.normalize()
        );
        assert_eq!(
            encode(&back).unwrap(),
            text,
            "a replay renders what the first answer did"
        );
        let refused = SubmitResult {
            status: Status::Error,
            conflicts: vec![Conflict {
                index: 7,
                code: "invalid_value".into(),
                message: "m".into(),
            }],
            violations: vec![],
            ..result()
        };
        assert_eq!(decode(&encode(&refused).unwrap()).unwrap(), refused);
    }

    #[test]
    fn a_body_stored_before_results_were_neutral_still_replays() {
        // As `ImportSummary` (REST) and `SubmissionResult` (GraphQL) were stored.
        let legacy = r#"{"status":"warning","dry_run":false,"imported":2,"updated":1,"unchanged":0,"deleted":3,
            "conflicts":[],"violations":[{"rule":"PAY_OK_LE_TOTAL","org_unit":"VT-P1","period":"2023-01/2023-09",
            "left":120.5,"operator":"<=","right":999999999999.123456,"message":"m"}]}"#;
        let back = decode(legacy).unwrap();
        assert_eq!(back.status, Status::Warning);
        assert_eq!(
            back.violations[0].right,
            Decimal::from_str("999999999999.123456").unwrap()
        );
        assert_eq!(
            back.violations[0].period,
            Period::parse("2023-01/2023-09").unwrap()
        );
    }

    #[test]
    fn an_unreadable_record_is_an_internal_error() {
        assert!(decode("{}").is_err());
        assert!(decode(&encode(&result()).unwrap().replace("warning", "fine")).is_err());
    }
}
