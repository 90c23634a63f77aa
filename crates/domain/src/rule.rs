//! Validation rules: what a rule checks (two compared sides, each read from the unit's own
//! figures or over its subtree, `==` optionally within a tolerance; or a stated value's
//! attainment status against the computed one) and which figures say where it applies.

use rust_decimal::Decimal;

use crate::catalogue::{Comparison, union};
use crate::code::{DataElementCode, IndicatorCode, RuleCode};
use crate::error::{DomainError, echo};
use crate::expression::Expression;
use crate::org_unit::UnitName;

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
    /// Free text (at most [`MAX_CATALOGUE_TEXT_CHARS`](crate::catalogue::MAX_CATALOGUE_TEXT_CHARS) characters).
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
