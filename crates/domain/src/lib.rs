//! # chitieu-domain
//!
//! The pure domain of *chitieu*, a backend for Vietnamese
//! digital-transformation KPI reporting modelled on DHIS2: org units report
//! data values for data elements per period; indicators are ratios of
//! expressions over those data elements; targets set by a unit (or any of
//! its ancestors) say what each indicator must reach; validation rules
//! cross-check reported figures.
//!
//! This crate holds the types and rules only — no I/O, no serialisation, no
//! database or web types — so everything here is deterministic and
//! unit-testable. Every parser validates strictly and reports a
//! [`DomainError`] with a stable [`code`](DomainError::code); no input can
//! make any function panic.
//!
//! * [`code`] — identifier newtypes ([`OrgUnitCode`], [`DataElementCode`], …);
//! * [`text`] — which characters a text may hold ([`TextKind`]), NFC, search
//!   text, folding and natural ordering of Vietnamese names;
//! * [`org_unit`] — unit names and kinds, the [`OrgTree`] hierarchy;
//! * [`period`] — [`Period`]s as sets of consecutive [`Month`]s;
//! * [`value`] — value types, strict checking of JSON/CSV input, storage form;
//! * [`expression`] — `#{CODE}` arithmetic [`Expression`]s, exact evaluation;
//! * [`catalogue`] — data elements, indicators, targets, validation rules;
//! * [`attainment`] — exact ratio math, target selection, statuses, rule checks.

pub mod attainment;
pub mod catalogue;
pub mod code;
pub mod error;
mod exact;
pub mod expression;
mod literal;
pub mod org_unit;
pub mod period;
pub mod text;
pub mod value;

pub use attainment::{Ratio, RuleOutcome, Status, evaluate_rule, select_targets, status};
pub use catalogue::{Comparison, DataElement, Indicator, Target, ValidationRule, parse_decimal};
pub use code::{DataElementCode, GroupCode, IndicatorCode, OrgUnitCode, RuleCode};
pub use error::DomainError;
pub use expression::Expression;
pub use org_unit::{OrgTree, OrgUnit, UnitKind, UnitName};
pub use period::{Month, Period};
pub use text::{SearchText, TextKind};
pub use value::{Aggregation, StoredValue, Value, ValueInput, ValueType, check_aggregation};
