//! The bundle's targets and validation rules, and the links of its indicators, translated
//! into domain types: which fields go together (a note target has no operator or value; a
//! `stated_status` rule has no sides), each problem at its field.

use chitieu_domain::{
    Comparison, DataElementCode, DomainError, Expression, Goal, IndicatorCode, IndicatorLinks,
    OrgUnitCode, Period, RuleCheck, RuleCode, RuleComparison, RuleSide, SideScope, Target,
    UnitName, ValidationRule, catalogue::catalogue_text, text::TextKind,
};
use chitieu_persistence::FieldIssue;

use super::{
    common::json_decimal,
    metadata::{Collector, TargetInput, ValidationRuleInput},
};

impl Collector<'_> {
    /// A field that must be given.
    fn required<'v>(&mut self, field: &str, value: Option<&'v str>, why: &str) -> Option<&'v str> {
        if value.is_none() {
            self.refuse(field, "missing_field", format!("{field} is required {why}"));
        }
        value
    }

    /// A field that must be absent.
    fn absent<T>(&mut self, field: &str, value: Option<T>, why: &str) {
        if value.is_some() {
            self.refuse(
                field,
                "unexpected_field",
                format!("{field} is not allowed {why}"),
            );
        }
    }

    fn refuse(&mut self, field: &str, code: &'static str, message: String) {
        self.ok = false;
        let at = format!("{}.{field}", self.prefix);
        self.take_issue::<()>(Err(FieldIssue::new(at, code, message)));
    }

    /// Optional free text of the catalogue.
    fn text(&mut self, field: &str, value: Option<&str>, kind: TextKind) -> Option<Option<String>> {
        self.take(field, value.map(|v| catalogue_text(v, kind)).transpose())
    }
}

/// The stated element, result element and `part_of` of an indicator; `None` when a code is
/// malformed (whether it exists is checked with the stored state).
pub(super) fn indicator_links(
    c: &mut Collector,
    stated_element: Option<&str>,
    result_element: Option<&str>,
    part_of: Option<&str>,
) -> Option<IndicatorLinks> {
    let stated_element = c.take(
        "stated_element",
        stated_element.map(DataElementCode::parse).transpose(),
    );
    let result_element = c.take(
        "result_element",
        result_element.map(DataElementCode::parse).transpose(),
    );
    let part_of = c.take("part_of", part_of.map(IndicatorCode::parse).transpose());
    Some(IndicatorLinks {
        stated_element: stated_element?,
        result_element: result_element?,
        part_of: part_of?,
    })
}

/// A target: a comparison (`operator` and `value`) or a note (`note`, neither of them).
pub(super) fn target(c: &mut Collector, t: &TargetInput) -> Option<Target> {
    let prefix = c.prefix.clone();
    let indicator = c.take("indicator", IndicatorCode::parse(&t.indicator));
    let org_unit = c.take("org_unit", OrgUnitCode::parse(&t.org_unit));
    let period = c.take("period", Period::parse(&t.period));
    let label = c.take(
        "label",
        (t.label.as_deref())
            .map(chitieu_domain::text::single_line)
            .transpose(),
    );
    let printed = c.text("printed", t.printed.as_deref(), TextKind::SingleLine);
    let goal = match &t.note {
        Some(note) => {
            let why = "with a note";
            c.absent("operator", t.operator.as_ref(), why);
            c.absent("value", t.value.as_ref(), why);
            c.take("note", catalogue_text(note, TextKind::SingleLine))
                .map(Goal::Note)
        }
        None => {
            let why = "unless the target is a note";
            let operator = c.required("operator", t.operator.as_deref(), why);
            let operator = operator.and_then(|o| c.take("operator", Comparison::parse_target(o)));
            if t.value.is_none() {
                c.refuse("value", "missing_field", format!("value is required {why}"));
            }
            let value = (t.value.as_ref())
                .and_then(|v| c.take_issue(json_decimal(&format!("{prefix}.value"), v)));
            match (operator, value) {
                (Some(op), Some(v)) => c.take("operator", Goal::compare(op, v)),
                _ => None,
            }
        }
    };
    if !c.ok {
        return None;
    }
    Some(Target {
        indicator: indicator?,
        org_unit: org_unit?,
        period: period?,
        goal: goal?,
        label: label?,
        printed: printed?,
    })
}

/// A validation rule, or `None` with the expressions that did parse (their references are
/// still checked, so that every problem is reported at once).
pub(super) fn rule(
    c: &mut Collector,
    r: &ValidationRuleInput,
) -> (Option<ValidationRule>, Vec<(&'static str, Expression)>) {
    let code = c.take("code", RuleCode::parse(&r.code));
    let name = c.take("name", UnitName::parse(&r.name));
    let description = c.text("description", r.description.as_deref(), TextKind::MultiLine);
    let mut loose = Vec::new();
    let check = match r.check.as_deref() {
        None | Some("compare") => compare(c, r, &mut loose),
        Some("stated_status") => stated_status(c, r, &mut loose),
        Some(other) => {
            let message = format!(
                "check {:?} is not one of compare, stated_status",
                other.chars().take(100).collect::<String>()
            );
            c.refuse("check", "invalid_check", message);
            None
        }
    };
    let rule = match (code, name, check, description) {
        (Some(code), Some(name), Some(check), Some(description)) if c.ok => Some(ValidationRule {
            code,
            name,
            check,
            description,
        }),
        _ => None,
    };
    if rule.is_some() {
        loose.clear();
    }
    (rule, loose)
}

fn expression(
    c: &mut Collector,
    field: &'static str,
    source: Option<&str>,
    why: &str,
    loose: &mut Vec<(&'static str, Expression)>,
) -> Option<Expression> {
    let source = c.required(field, source, why)?;
    let expr = c.take(field, Expression::parse(source))?;
    loose.push((field, expr.clone()));
    Some(expr)
}

fn compare(
    c: &mut Collector,
    r: &ValidationRuleInput,
    loose: &mut Vec<(&'static str, Expression)>,
) -> Option<RuleCheck> {
    let prefix = c.prefix.clone();
    let why = "for a compared rule";
    let left = expression(c, "left", r.left.as_deref(), why, loose);
    let right = expression(c, "right", r.right.as_deref(), why, loose);
    let operator = c.required("operator", r.operator.as_deref(), why);
    let operator = operator.and_then(|o| c.take("operator", Comparison::parse_rule(o)));
    let why = "for a compared rule (only with check stated_status)";
    c.absent("indicator", r.indicator.as_ref(), why);
    c.absent("stated", r.stated.as_ref(), why);
    let mut scope = |field, value: Option<&str>| {
        c.take(field, value.map_or(Ok(SideScope::Own), SideScope::parse))
    };
    let left_scope = scope("left_scope", r.left_scope.as_deref());
    let right_scope = scope("right_scope", r.right_scope.as_deref());
    let tolerance = match &r.tolerance {
        None => Some(None),
        Some(t) => c
            .take_issue(json_decimal(&format!("{prefix}.tolerance"), t))
            .map(Some),
    };
    let (left, right, operator) = (left?, right?, operator?);
    let built = RuleComparison::new(
        RuleSide {
            expression: left,
            scope: left_scope?,
        },
        operator,
        RuleSide {
            expression: right,
            scope: right_scope?,
        },
        tolerance?,
    );
    let field = match &built {
        Err(DomainError::InvalidScope { .. }) => "right_scope",
        _ => "tolerance",
    };
    c.take(field, built).map(RuleCheck::Compare)
}

fn stated_status(
    c: &mut Collector,
    r: &ValidationRuleInput,
    loose: &mut Vec<(&'static str, Expression)>,
) -> Option<RuleCheck> {
    let why = "for check stated_status";
    let indicator = c.required("indicator", r.indicator.as_deref(), why);
    let indicator = indicator.and_then(|i| c.take("indicator", IndicatorCode::parse(i)));
    let stated = expression(c, "stated", r.stated.as_deref(), why, loose);
    let why = "with check stated_status";
    c.absent("left", r.left.as_ref(), why);
    c.absent("operator", r.operator.as_ref(), why);
    c.absent("right", r.right.as_ref(), why);
    c.absent("left_scope", r.left_scope.as_ref(), why);
    c.absent("right_scope", r.right_scope.as_ref(), why);
    c.absent("tolerance", r.tolerance.as_ref(), why);
    Some(RuleCheck::StatedStatus {
        indicator: indicator?,
        stated: stated?,
    })
}
