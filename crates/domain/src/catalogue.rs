//! Catalogue objects: data elements, indicators, targets, validation rules
//! and the comparison operators they use.

use std::fmt;

use rust_decimal::Decimal;

use crate::code::{DataElementCode, GroupCode, IndicatorCode, OrgUnitCode, RuleCode};
use crate::error::{DomainError, echo};
use crate::expression::Expression;
use crate::literal::{LiteralError, Syntax, parse_exact};
use crate::org_unit::UnitName;
use crate::period::Period;
use crate::text::{TextKind, nfc};
use crate::value::{Aggregation, ValueType, check_aggregation};

/// Most decimal places an indicator may be rounded to.
pub const MAX_INDICATOR_DECIMALS: u32 = 10;

/// A comparison operator, used by targets and validation rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// `==`
    Eq,
    /// `!=` (validation rules only)
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparison {
    /// Parse a target operator: `>=`, `>`, `<=`, `<` or `==`. `!=` is
    /// rejected because "anything but this value" is not a target.
    pub fn parse_target(s: &str) -> Result<Self, DomainError> {
        match Self::parse_rule(s) {
            Ok(Self::Ne) => Err(ne_target_error()),
            Ok(op) => Ok(op),
            Err(_) => Err(DomainError::InvalidOperator {
                input: format!("{} (targets accept >=, >, <=, < or ==)", echo(s)),
            }),
        }
    }

    /// Parse a validation-rule operator: `==`, `!=`, `<`, `<=`, `>` or `>=`.
    pub fn parse_rule(s: &str) -> Result<Self, DomainError> {
        match s {
            "==" => Ok(Self::Eq),
            "!=" => Ok(Self::Ne),
            "<" => Ok(Self::Lt),
            "<=" => Ok(Self::Le),
            ">" => Ok(Self::Gt),
            ">=" => Ok(Self::Ge),
            _ => Err(DomainError::InvalidOperator { input: echo(s) }),
        }
    }

    /// The operator symbol, as accepted by the parsers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }

    /// Whether `left <op> right` holds (exact decimal comparison).
    pub fn holds(self, left: Decimal, right: Decimal) -> bool {
        self.holds_for(left.cmp(&right))
    }

    /// Whether the operator holds given the ordering of `left` vs `right`.
    pub fn holds_for(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Self::Eq => ordering == Equal,
            Self::Ne => ordering != Equal,
            Self::Lt => ordering == Less,
            Self::Le => ordering != Greater,
            Self::Gt => ordering == Greater,
            Self::Ge => ordering != Less,
        }
    }

    /// The operator with its sides swapped: `a < b` ⇔ `b > a`. Also what
    /// multiplying both sides by a negative number does.
    pub fn flipped(self) -> Self {
        match self {
            Self::Lt => Self::Gt,
            Self::Le => Self::Ge,
            Self::Gt => Self::Lt,
            Self::Ge => Self::Le,
            same @ (Self::Eq | Self::Ne) => same,
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A data element: a raw figure that org units report per period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataElement {
    /// Unique code, referenced as `#{CODE}` in expressions.
    pub code: DataElementCode,
    /// Display name.
    pub name: UnitName,
    /// Type of the reported values.
    pub value_type: ValueType,
    /// How values combine across units and months.
    pub aggregation: Aggregation,
    /// The org unit that provides the figures, if known.
    pub owner: Option<OrgUnitCode>,
    /// Where the figures come from, if stated.
    pub source: Option<crate::SourceText>,
}

impl DataElement {
    /// A data element, checking that the aggregation suits the value type
    /// (see [`check_aggregation`]).
    pub fn new(
        code: DataElementCode,
        name: UnitName,
        value_type: ValueType,
        aggregation: Aggregation,
    ) -> Result<Self, DomainError> {
        check_aggregation(value_type, aggregation)?;
        Ok(Self {
            code,
            name,
            value_type,
            aggregation,
            owner: None,
            source: None,
        })
    }

    /// The element with its owner and source.
    pub fn with_provenance(
        self,
        owner: Option<OrgUnitCode>,
        source: Option<crate::SourceText>,
    ) -> Self {
        Self {
            owner,
            source,
            ..self
        }
    }
}

/// An indicator: `factor × numerator / denominator`, shown rounded to
/// `decimals` places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indicator {
    /// Unique code.
    pub code: IndicatorCode,
    /// Display name.
    pub name: UnitName,
    /// Optional group (for grouping in reports).
    pub group: Option<GroupCode>,
    /// Numerator expression.
    pub numerator: Expression,
    /// Denominator expression.
    pub denominator: Expression,
    /// Multiplier, e.g. 100 for a percentage; always > 0.
    pub factor: Decimal,
    /// Decimal places for display, 0 to 10.
    pub decimals: u32,
    /// The elements that hold what a report printed beside the computed value, and the
    /// indicator this one is a part of (informational).
    pub links: IndicatorLinks,
}

/// What an indicator names besides its expressions; all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndicatorLinks {
    /// The element holding the stated value (the percentage a report printed).
    pub stated_element: Option<DataElementCode>,
    /// The element holding the printed result text.
    pub result_element: Option<DataElementCode>,
    /// The indicator this one is a part of (informational).
    pub part_of: Option<IndicatorCode>,
}

impl Indicator {
    /// An indicator, checking `factor > 0` and `decimals <= 10`
    /// ([`DomainError::InvalidNumber`]).
    pub fn new(
        code: IndicatorCode,
        name: UnitName,
        group: Option<GroupCode>,
        numerator: Expression,
        denominator: Expression,
        factor: Decimal,
        decimals: u32,
    ) -> Result<Self, DomainError> {
        if factor <= Decimal::ZERO {
            return Err(DomainError::InvalidNumber {
                input: factor.to_string(),
                reason: "factor must be greater than 0".to_owned(),
            });
        }
        if decimals > MAX_INDICATOR_DECIMALS {
            return Err(DomainError::InvalidNumber {
                input: decimals.to_string(),
                reason: format!("decimals must be between 0 and {MAX_INDICATOR_DECIMALS}"),
            });
        }
        Ok(Self {
            code,
            name,
            group,
            numerator,
            denominator,
            factor,
            decimals,
            links: IndicatorLinks::default(),
        })
    }

    /// Data elements referenced by the numerator or denominator, distinct,
    /// numerator's first.
    pub fn references(&self) -> Vec<DataElementCode> {
        union(&self.numerator, &self.denominator)
    }
}

/// What a target asks of an indicator's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Goal {
    /// The value must compare to `value` by `operator` (never `Ne`).
    Compare {
        /// How the indicator value must compare to `value`.
        operator: Comparison,
        /// The target value.
        value: Decimal,
    },
    /// A cell that names no value (e.g. the agency in charge): shown, never met or not met.
    Note(String),
}

impl Goal {
    /// A comparison goal, rejecting the `!=` operator ([`DomainError::InvalidOperator`]).
    pub fn compare(operator: Comparison, value: Decimal) -> Result<Self, DomainError> {
        if operator == Comparison::Ne {
            return Err(ne_target_error());
        }
        Ok(Self::Compare { operator, value })
    }

    /// The operator and value, `None` for a note.
    pub fn comparison(&self) -> Option<(Comparison, Decimal)> {
        match self {
            Self::Compare { operator, value } => Some((*operator, *value)),
            Self::Note(_) => None,
        }
    }

    /// The note's text, `None` for a comparison.
    pub fn note(&self) -> Option<&str> {
        match self {
            Self::Note(text) => Some(text),
            Self::Compare { .. } => None,
        }
    }
}

/// A target an org unit sets for an indicator over a period, e.g. "≥ 80 in
/// 2025". Targets set by an ancestor apply to every unit below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The indicator the target is for.
    pub indicator: IndicatorCode,
    /// The unit that set the target (its authority).
    pub org_unit: OrgUnitCode,
    /// The period the target covers.
    pub period: Period,
    /// What the value must satisfy, or a note.
    pub goal: Goal,
    /// Optional free-text label (e.g. the resolution that set it).
    pub label: Option<String>,
    /// The target as printed in its source document.
    pub printed: Option<String>,
}

impl Target {
    /// A comparison target, rejecting the `!=` operator ([`DomainError::InvalidOperator`]).
    pub fn new(
        indicator: IndicatorCode,
        org_unit: OrgUnitCode,
        period: Period,
        operator: Comparison,
        value: Decimal,
        label: Option<String>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            indicator,
            org_unit,
            period,
            goal: Goal::compare(operator, value)?,
            label,
            printed: None,
        })
    }
}

/// The error for a target with the `!=` operator.
fn ne_target_error() -> DomainError {
    DomainError::InvalidOperator {
        input: "!= (targets accept >=, >, <=, < or ==)".to_owned(),
    }
}

/// Longest free text of the catalogue (a rule's description, a target's note or printed
/// cell), in characters.
pub const MAX_CATALOGUE_TEXT_CHARS: usize = 2_000;

/// `s` trimmed and NFC-normalised, checked as text of `kind` of at most
/// [`MAX_CATALOGUE_TEXT_CHARS`] characters ([`DomainError::InvalidText`]).
pub fn catalogue_text(s: &str, kind: TextKind) -> Result<String, DomainError> {
    let text = nfc(s.trim());
    kind.check(&text)?;
    let chars = text.chars().count();
    if chars > MAX_CATALOGUE_TEXT_CHARS {
        return Err(DomainError::InvalidText {
            reason: format!("too long: {chars} characters (at most {MAX_CATALOGUE_TEXT_CHARS})"),
        });
    }
    Ok(text)
}

/// Which figures a side of a rule reads at the unit it is evaluated at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SideScope {
    /// The unit's own figure of the stored period (the default).
    #[default]
    Own,
    /// The unit's aggregate over its whole subtree for the stored period, each element by
    /// its aggregation (as attainment reads it).
    Subtree,
}

impl SideScope {
    /// `own` or `subtree` ([`DomainError::InvalidScope`] otherwise).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "own" => Ok(Self::Own),
            "subtree" => Ok(Self::Subtree),
            _ => Err(DomainError::InvalidScope {
                reason: format!("{:?} is not a scope: expected own or subtree", echo(s)),
            }),
        }
    }

    /// `own` or `subtree`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Subtree => "subtree",
        }
    }
}

/// One side of a compared rule: an expression and the figures it reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSide {
    /// The expression.
    pub expression: Expression,
    /// Which figures it reads.
    pub scope: SideScope,
}

/// `left <operator> right`, with `==` optionally within a tolerance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleComparison {
    left: RuleSide,
    operator: Comparison,
    right: RuleSide,
    tolerance: Option<Decimal>,
}

impl RuleComparison {
    /// A comparison. A tolerance must be ≥ 0 ([`DomainError::InvalidNumber`]) and comes
    /// only with `==` ([`DomainError::InvalidTolerance`]); at least one side reads the unit's
    /// own figures, which say where the rule is evaluated ([`DomainError::InvalidScope`]).
    pub fn new(
        left: RuleSide,
        operator: Comparison,
        right: RuleSide,
        tolerance: Option<Decimal>,
    ) -> Result<Self, DomainError> {
        if let Some(t) = tolerance {
            if t.is_sign_negative() && !t.is_zero() {
                return Err(DomainError::InvalidNumber {
                    input: t.to_string(),
                    reason: "a tolerance must be 0 or more".to_owned(),
                });
            }
            if operator != Comparison::Eq {
                return Err(DomainError::InvalidTolerance {
                    operator: operator.as_str().to_owned(),
                });
            }
        }
        if left.scope == SideScope::Subtree && right.scope == SideScope::Subtree {
            return Err(DomainError::InvalidScope {
                reason: "at least one side must read the unit's own figures (scope own): \
                         they say where the rule is evaluated"
                    .to_owned(),
            });
        }
        Ok(Self {
            left,
            operator,
            right,
            tolerance,
        })
    }

    /// The left side.
    pub fn left(&self) -> &RuleSide {
        &self.left
    }

    /// The operator.
    pub fn operator(&self) -> Comparison {
        self.operator
    }

    /// The right side.
    pub fn right(&self) -> &RuleSide {
        &self.right
    }

    /// The tolerance of `==`, if any.
    pub fn tolerance(&self) -> Option<Decimal> {
        self.tolerance
    }

    /// Whether `left <operator> right` holds: exactly, or for `==` with a tolerance when
    /// |left − right| ≤ tolerance (a difference too large for a decimal does not hold).
    pub fn holds(&self, left: Decimal, right: Decimal) -> bool {
        match self.tolerance {
            Some(t) => left.checked_sub(right).is_some_and(|d| d.abs() <= t),
            None => self.operator.holds(left, right),
        }
    }
}

/// What a validation rule checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleCheck {
    /// `left <operator> right` (within a tolerance for `==`).
    Compare(RuleComparison),
    /// The attainment status a stated value would have against the applicable targets must
    /// equal the status of the indicator's computed value.
    StatedStatus {
        /// The indicator.
        indicator: IndicatorCode,
        /// The stated value (read from the unit's own figures).
        stated: Expression,
    },
}

impl RuleCheck {
    /// `compare` or `stated_status`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Compare(_) => "compare",
            Self::StatedStatus { .. } => "stated_status",
        }
    }
}

/// A validation rule, evaluated for every unit and stored period where the unit holds a
/// figure its own-scope expressions read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationRule {
    /// Unique code.
    pub code: RuleCode,
    /// Display name.
    pub name: UnitName,
    /// What it checks.
    pub check: RuleCheck,
    /// Free text (at most [`MAX_CATALOGUE_TEXT_CHARS`] characters).
    pub description: Option<String>,
}

impl ValidationRule {
    /// Data elements referenced by the rule, distinct, left side's first.
    pub fn references(&self) -> Vec<DataElementCode> {
        match &self.check {
            RuleCheck::Compare(c) => union(&c.left.expression, &c.right.expression),
            RuleCheck::StatedStatus { stated, .. } => stated.references(),
        }
    }

    /// Data elements read from the unit's own figures: those of the own-scope sides, or the
    /// stated expression. The rule is evaluated where the unit holds one of them.
    pub fn own_references(&self) -> Vec<DataElementCode> {
        match &self.check {
            RuleCheck::Compare(c) => {
                let mut out = Vec::new();
                for side in [&c.left, &c.right] {
                    if side.scope == SideScope::Own {
                        for r in side.expression.references() {
                            if !out.contains(&r) {
                                out.push(r);
                            }
                        }
                    }
                }
                out
            }
            RuleCheck::StatedStatus { stated, .. } => stated.references(),
        }
    }

    /// Data elements read over the unit's subtree.
    pub fn subtree_references(&self) -> Vec<DataElementCode> {
        match &self.check {
            RuleCheck::Compare(c) => {
                let mut out = Vec::new();
                for side in [&c.left, &c.right] {
                    if side.scope == SideScope::Subtree {
                        for r in side.expression.references() {
                            if !out.contains(&r) {
                                out.push(r);
                            }
                        }
                    }
                }
                out
            }
            RuleCheck::StatedStatus { .. } => Vec::new(),
        }
    }
}

/// Distinct references of two expressions, in order of first appearance.
fn union(a: &Expression, b: &Expression) -> Vec<DataElementCode> {
    let mut out = a.references();
    for r in b.references() {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// Parse a number that arrived as JSON number text (plain `12.5` or
/// exponent form `1.25e1`) exactly, without going through floating point.
/// Used for indicator factors and target values; rejects anything a
/// [`Decimal`] cannot hold exactly ([`DomainError::InvalidNumber`]).
pub fn parse_decimal(s: &str) -> Result<Decimal, DomainError> {
    parse_exact(s, Syntax::Json).map_err(|e| DomainError::InvalidNumber {
        input: echo(s),
        reason: match e {
            LiteralError::Syntax => "expected a number such as 80, 12.5 or 1e3".to_owned(),
            other => other.reason().to_owned(),
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn dec(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    fn name(s: &str) -> UnitName {
        UnitName::parse(s).unwrap()
    }

    fn expr(s: &str) -> Expression {
        Expression::parse(s).unwrap()
    }

    fn de(s: &str) -> DataElementCode {
        DataElementCode::parse(s).unwrap()
    }

    #[test]
    fn target_operators_exclude_not_equal() {
        for (s, op) in [
            (">=", Comparison::Ge),
            (">", Comparison::Gt),
            ("<=", Comparison::Le),
            ("<", Comparison::Lt),
            ("==", Comparison::Eq),
        ] {
            assert_eq!(Comparison::parse_target(s), Ok(op));
            assert_eq!(op.as_str(), s);
            assert_eq!(op.to_string(), s);
        }
        let err = Comparison::parse_target("!=").unwrap_err();
        assert_eq!(err.code(), "invalid_operator");
        for bad in ["=", "=>", "≥", "", " >=", "ge"] {
            assert!(Comparison::parse_target(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rule_operators_include_not_equal() {
        for s in ["==", "!=", "<", "<=", ">", ">="] {
            assert_eq!(Comparison::parse_rule(s).unwrap().as_str(), s);
        }
        assert_eq!(
            Comparison::parse_rule("=<").unwrap_err(),
            DomainError::InvalidOperator { input: "=<".into() }
        );
    }

    #[test]
    fn holds_compares_values_exactly() {
        let (a, b) = (dec("1.0"), dec("1"));
        assert!(Comparison::Eq.holds(a, b));
        assert!(!Comparison::Ne.holds(a, b));
        assert!(Comparison::Le.holds(a, b) && Comparison::Ge.holds(a, b));
        assert!(!Comparison::Lt.holds(a, b) && !Comparison::Gt.holds(a, b));
        assert!(Comparison::Lt.holds(dec("0.1"), dec("0.10000000000000000001")));
        assert!(Comparison::Gt.holds(dec("2"), dec("-3")));
    }

    #[test]
    fn flipped_swaps_sides() {
        for op in [
            Comparison::Eq,
            Comparison::Ne,
            Comparison::Lt,
            Comparison::Le,
            Comparison::Gt,
            Comparison::Ge,
        ] {
            for (a, b) in [(1, 2), (2, 2), (3, 2)] {
                let (a, b) = (Decimal::from(a), Decimal::from(b));
                assert_eq!(op.holds(a, b), op.flipped().holds(b, a));
            }
        }
    }

    #[test]
    fn data_element_checks_aggregation() {
        let ok = DataElement::new(
            de("NOTE"),
            name("Ghi chú"),
            ValueType::Text,
            Aggregation::None,
        );
        assert!(ok.is_ok());
        let err = DataElement::new(
            de("NOTE"),
            name("Ghi chú"),
            ValueType::Text,
            Aggregation::Sum,
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_aggregation");
        assert!(
            DataElement::new(
                de("N"),
                name("Số hồ sơ"),
                ValueType::Integer,
                Aggregation::Sum
            )
            .is_ok()
        );
    }

    fn indicator(factor: &str, decimals: u32) -> Result<Indicator, DomainError> {
        Indicator::new(
            IndicatorCode::parse("DVC_RATE").unwrap(),
            name("Tỷ lệ hồ sơ trực tuyến"),
            Some(GroupCode::parse("DVC").unwrap()),
            expr("#{ONLINE} + #{PART}"),
            expr("#{TOTAL} + #{ONLINE}"),
            dec(factor),
            decimals,
        )
    }

    #[test]
    fn indicator_validates_factor_and_decimals() {
        assert!(indicator("100", 2).is_ok());
        assert!(indicator("0.5", 10).is_ok());
        assert_eq!(indicator("0", 2).unwrap_err().code(), "invalid_number");
        assert_eq!(indicator("-100", 2).unwrap_err().code(), "invalid_number");
        let err = indicator("100", 11).unwrap_err();
        assert_eq!(err.code(), "invalid_number");
        assert!(err.to_string().contains("decimals"));
    }

    #[test]
    fn indicator_references_are_distinct_union() {
        let i = indicator("100", 2).unwrap();
        assert_eq!(i.references(), vec![de("ONLINE"), de("PART"), de("TOTAL")]);
    }

    fn rule(
        left: &str,
        left_scope: SideScope,
        right: &str,
        right_scope: SideScope,
    ) -> ValidationRule {
        let side = |source, scope| RuleSide {
            expression: expr(source),
            scope,
        };
        let check = RuleComparison::new(
            side(left, left_scope),
            Comparison::Eq,
            side(right, right_scope),
            None,
        )
        .unwrap();
        ValidationRule {
            code: RuleCode::parse("R1").unwrap(),
            name: name("Nhận = đúng hạn + trễ hạn"),
            check: RuleCheck::Compare(check),
            description: None,
        }
    }

    #[test]
    fn rule_references_are_distinct_union() {
        let rule = rule(
            "#{RECEIVED}",
            SideScope::Own,
            "#{ON_TIME} + #{LATE} + #{RECEIVED} * 0",
            SideScope::Own,
        );
        assert_eq!(
            rule.references(),
            vec![de("RECEIVED"), de("ON_TIME"), de("LATE")]
        );
        assert_eq!(rule.own_references(), rule.references());
        assert!(rule.subtree_references().is_empty());
    }

    #[test]
    fn rule_references_are_split_by_scope() {
        let rule = rule(
            "#{ROW_I}",
            SideScope::Own,
            "#{DOC} + #{ROW_I}",
            SideScope::Subtree,
        );
        assert_eq!(rule.own_references(), vec![de("ROW_I")]);
        assert_eq!(rule.subtree_references(), vec![de("DOC"), de("ROW_I")]);
        let stated = ValidationRule {
            check: RuleCheck::StatedStatus {
                indicator: IndicatorCode::parse("I.01").unwrap(),
                stated: expr("#{I.01.PCT}"),
            },
            ..rule
        };
        assert_eq!(stated.own_references(), vec![de("I.01.PCT")]);
        assert_eq!(stated.check.kind(), "stated_status");
    }

    #[test]
    fn scopes_parse_and_print() {
        for s in ["own", "subtree"] {
            assert_eq!(SideScope::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(
            SideScope::parse("tree").unwrap_err().code(),
            "invalid_scope"
        );
        assert_eq!(SideScope::default(), SideScope::Own);
    }

    #[test]
    fn catalogue_text_is_bounded_and_checked() {
        assert_eq!(
            catalogue_text("  Kiểm toán #15 ", TextKind::MultiLine).unwrap(),
            "Kiểm toán #15"
        );
        let long = "a".repeat(MAX_CATALOGUE_TEXT_CHARS + 1);
        assert_eq!(
            catalogue_text(&long, TextKind::MultiLine)
                .unwrap_err()
                .code(),
            "invalid_text"
        );
        assert!(catalogue_text(&long[1..], TextKind::SingleLine).is_ok());
        assert_eq!(
            catalogue_text("a\u{0}b", TextKind::MultiLine)
                .unwrap_err()
                .code(),
            "invalid_text"
        );
        assert_eq!(
            catalogue_text("a\nb", TextKind::SingleLine)
                .unwrap_err()
                .code(),
            "invalid_text"
        );
    }

    #[test]
    fn target_new_rejects_not_equal() {
        let make = |op| {
            Target::new(
                IndicatorCode::parse("DVC_RATE").unwrap(),
                OrgUnitCode::parse("VN").unwrap(),
                Period::parse("2025").unwrap(),
                op,
                dec("80"),
                Some("Nghị quyết 57".into()),
            )
        };
        assert!(make(Comparison::Ge).is_ok());
        assert_eq!(make(Comparison::Ne).unwrap_err().code(), "invalid_operator");
    }

    #[test]
    fn parse_decimal_accepts_json_numbers_exactly() {
        assert_eq!(dec("80"), Decimal::from(80));
        assert_eq!(dec("12.5").to_string(), "12.5");
        assert_eq!(dec("1e2"), Decimal::from(100));
        assert_eq!(dec("2.5E-1").to_string(), "0.25");
        assert_eq!(
            dec("33.333333333333333333333333334").to_string(),
            "33.333333333333333333333333334"
        );
    }

    #[test]
    fn parse_decimal_rejects_malformed_and_unrepresentable() {
        for bad in [
            "", "abc", "1,5", " 1", "+1", "1e", "NaN", "0x1F", "1e30", "1e-40",
        ] {
            let err = parse_decimal(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_number", "{bad:?}");
        }
    }
}
