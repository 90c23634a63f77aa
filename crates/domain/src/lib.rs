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
//! * [`value`] — value types, strict checking of JSON/CSV input, bounds, storage form;
//! * [`sum`] — exact sums of stored figures that cannot overflow on either database;
//! * [`expression`] — `#{CODE}` arithmetic [`Expression`]s, exact evaluation;
//! * [`catalogue`] — data elements, indicators, targets, validation rules;
//! * [`attainment`] — exact ratio math, target selection, statuses, rule checks.
//!
//! The v2 reporting cycle (data sets, reports, scores, projects, reorganisations):
//!
//! * [`period_type`] — a data set's [`PeriodType`] and the [`TypedPeriod`] of a report;
//! * [`calendar`] — [`Date`]s, the reporting [`Schedule`] and its [`Deadlines`] in Vietnam time;
//! * [`report`] — the report state machine: [`ReportState`], [`decide`](report::decide), figure locks;
//! * [`completeness`] — report counts and the completeness and on-time rates;
//! * [`outliers`] — z-score, modified z-score and min–max outlier detection;
//! * [`top`] — the `cap` greatest items of a stream in bounded memory;
//! * [`vn_number`] — Vietnamese-style numbers typed as text (`4.602`, `1.234,5`);
//! * [`score`] — the composite index: group weights, exact scores and ranks;
//! * [`milestone`] — project milestones and their `late` / `out_of_order` flags;
//! * [`reorganisation`] — merges, splits, moves and renames checked as a whole;
//! * [`lineage`] — predecessors and successors through chains of reorganisations.

pub mod attainment;
pub mod calendar;
pub mod catalogue;
pub mod code;
pub mod completeness;
pub mod data_set;
pub mod error;
mod exact;
pub mod expression;
pub mod figure;
pub mod lineage;
mod literal;
pub mod milestone;
pub mod note;
pub mod org_unit;
pub mod outliers;
pub mod period;
pub mod period_type;
pub mod project;
pub mod reorganisation;
pub mod report;
pub mod score;
pub mod source_text;
pub mod sum;
pub mod text;
pub mod top;
pub mod value;
pub mod vn_number;

pub use attainment::{
    Ratio, RuleOutcome, Status, evaluate_rule, select_targets, stated_statuses,
    stated_statuses_for, status,
};
pub use calendar::{Date, Deadlines, Schedule};
pub use catalogue::{
    Comparison, DataElement, Goal, Indicator, IndicatorLinks, RuleCheck, RuleComparison, RuleSide,
    SideScope, Target, ValidationRule, parse_decimal,
};
pub use code::{DataElementCode, GroupCode, IndicatorCode, OrgUnitCode, RuleCode};
pub use code::{DataSetCode, MilestoneCode, ProjectCode, ReorganisationCode, TableCode};
pub use code::NoteCode;
pub use completeness::Completeness;
pub use data_set::{DataSet, IndicatorGroup, MinMax};
pub use error::DomainError;
pub use error::ErrorKind;
pub use expression::Expression;
pub use figure::{Figure, FigureState};
pub use lineage::{Lineage, LineageEdge, Related};
pub use milestone::{Milestone, MilestoneStatus};
pub use note::{Note, NoteText, Subject, SubjectKind};
pub use project::{Progress, Project, ProjectMilestone};
pub use org_unit::{OrgTree, OrgUnit, UnitKind, UnitName};
pub use outliers::{Algorithm, Baseline, Bounds, Outlier, Threshold};
pub use period::{Month, Period};
pub use period_type::{PeriodType, TypedPeriod};
pub use reorganisation::{Plan, TreeView};
pub use report::{Actor, Command, Facts, Reach, ReportAction, ReportState, ReturnReason};
pub use score::{GroupScore, RowScore, Tally, Weight};
pub use source_text::SourceText;
pub use text::{SearchText, TextKind};
pub use value::{Aggregation, StoredValue, Value, ValueInput, ValueType, check_aggregation};
