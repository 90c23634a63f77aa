//! Arithmetic expressions over data elements, e.g.
//! `(#{DVC_ONLINE} + #{DVC_PART}) * 100 / #{DVC_TOTAL}`.
//!
//! Grammar (whitespace allowed between tokens):
//!
//! ```text
//! expr    := term (('+' | '-') term)*
//! term    := unary (('*' | '/') unary)*
//! unary   := '-' unary | primary
//! primary := NUMBER | '#{' CODE '}' | '(' expr ')'
//! NUMBER  := [0-9]+ ('.' [0-9]+)?
//! ```
//!
//! The parsed form is a postfix program, so evaluating or dropping an
//! expression never recurses, however long it is.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::code::DataElementCode;
use crate::error::{DomainError, echo};
use crate::literal::{Syntax, parse_exact};

/// Longest accepted expression, in characters.
pub const MAX_EXPRESSION_CHARS: usize = 10_000;

/// Deepest accepted nesting of parentheses and unary minus.
pub const MAX_EXPRESSION_DEPTH: usize = 64;

/// One step of the postfix program.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    /// Push a constant.
    Const(Decimal),
    /// Push the value of the reference with this index in `refs`.
    Ref(usize),
    /// Pop b, pop a, push a + b.
    Add,
    /// Pop b, pop a, push a - b.
    Sub,
    /// Pop b, pop a, push a × b.
    Mul,
    /// Pop b, pop a, push a ÷ b.
    Div,
    /// Pop a, push -a.
    Neg,
}

/// A parsed expression: its source text and a validated postfix program.
///
/// Two expressions are equal when their source texts are equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression {
    source: String,
    refs: Vec<DataElementCode>,
    program: Vec<Op>,
}

impl Expression {
    /// Parse an expression.
    ///
    /// Errors are [`DomainError::InvalidExpression`] with the 0-based
    /// character position of the offending token: `empty expression`,
    /// `expected a value`, `unclosed parenthesis`, `unmatched ')'`,
    /// `expected an operator`, `invalid code in #{...}`,
    /// `unexpected character 'x'`, and limits on length (10 000 characters)
    /// and nesting depth (64).
    pub fn parse(s: &str) -> Result<Expression, DomainError> {
        let fail = |position: usize, message: String| DomainError::InvalidExpression {
            input: echo(s),
            position,
            message,
        };
        if s.chars().nth(MAX_EXPRESSION_CHARS).is_some() {
            return Err(fail(
                MAX_EXPRESSION_CHARS,
                format!("expression longer than {MAX_EXPRESSION_CHARS} characters"),
            ));
        }
        let tokens = tokenize(s).map_err(|(p, m)| fail(p, m))?;
        let mut parser = Parser {
            tokens: &tokens,
            end: s.chars().count(),
            pos: 0,
            refs: Vec::new(),
            program: Vec::new(),
        };
        parser.parse_all().map_err(|(p, m)| fail(p, m))?;
        Ok(Expression {
            source: s.to_owned(),
            refs: parser.refs,
            program: parser.program,
        })
    }

    /// The source text, exactly as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The referenced data elements, distinct, in order of first appearance.
    pub fn references(&self) -> Vec<DataElementCode> {
        self.refs.clone()
    }

    /// Evaluate with exact decimal arithmetic.
    ///
    /// * If the expression references data elements and `lookup` has no
    ///   value for any of them, the result is `None` (no data).
    /// * Otherwise references without a value count as zero.
    /// * Division by zero or any overflow gives `None`.
    /// * An expression without references evaluates to its constant.
    pub fn evaluate(
        &self,
        lookup: &dyn Fn(&DataElementCode) -> Option<Decimal>,
    ) -> Option<Decimal> {
        let values: Vec<Option<Decimal>> = self.refs.iter().map(lookup).collect();
        if !values.is_empty() && values.iter().all(Option::is_none) {
            return None;
        }
        let mut stack: Vec<Decimal> = Vec::with_capacity(8);
        for op in &self.program {
            let next = match op {
                Op::Const(c) => *c,
                Op::Ref(i) => values.get(*i).copied().flatten().unwrap_or(Decimal::ZERO),
                Op::Neg => -stack.pop()?,
                binary => {
                    let b = stack.pop()?;
                    let a = stack.pop()?;
                    match binary {
                        Op::Add => a.checked_add(b)?,
                        Op::Sub => a.checked_sub(b)?,
                        Op::Mul => a.checked_mul(b)?,
                        _ => a.checked_div(b)?,
                    }
                }
            };
            stack.push(next);
        }
        match stack.as_slice() {
            [result] => Some(*result),
            _ => None,
        }
    }
}

impl fmt::Display for Expression {
    /// Prints the source text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for Expression {
    type Err = DomainError;

    /// Same as [`Expression::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Expression::parse(s)
    }
}

/// A lexical token.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Num(Decimal),
    Ref(DataElementCode),
    Plus,
    Minus,
    Star,
    Slash,
    LParen,
    RParen,
}

/// A token with its character position.
type Spanned = (usize, Tok);

/// A parse failure: character position and message.
type Failure = (usize, String);

/// Split `s` into tokens, tracking character positions.
fn tokenize(s: &str) -> Result<Vec<Spanned>, Failure> {
    let chars: Vec<char> = s.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let simple = match c {
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '*' => Some(Tok::Star),
            '/' => Some(Tok::Slash),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            _ => None,
        };
        if let Some(tok) = simple {
            tokens.push((i, tok));
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|c| c.is_ascii_digit() || *c == '.')
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let value = parse_exact(&text, Syntax::Plain).map_err(|e| {
                let reason = match e {
                    crate::literal::LiteralError::Syntax => "malformed number".to_owned(),
                    other => format!("number out of range: {}", other.reason()),
                };
                (start, format!("{reason} {text:?}"))
            })?;
            tokens.push((start, Tok::Num(value)));
        } else if c == '#' {
            let start = i;
            if chars.get(i + 1) != Some(&'{') {
                return Err((start, "expected '{' after '#'".to_owned()));
            }
            let Some(close) = chars[i + 2..].iter().position(|&c| c == '}') else {
                return Err((start, "unclosed #{...} reference (missing '}')".to_owned()));
            };
            let code: String = chars[i + 2..i + 2 + close].iter().collect();
            let code = DataElementCode::parse(&code).map_err(|e| {
                let reason = match e {
                    DomainError::InvalidCode { reason, .. } => reason,
                    other => other.to_string(),
                };
                (start, format!("invalid code in #{{...}}: {reason}"))
            })?;
            tokens.push((start, Tok::Ref(code)));
            i += close + 3;
        } else {
            return Err((i, format!("unexpected character {c:?}")));
        }
    }
    if tokens.is_empty() {
        return Err((0, "empty expression".to_owned()));
    }
    Ok(tokens)
}

/// Recursive-descent parser emitting postfix code; recursion is bounded by
/// [`MAX_EXPRESSION_DEPTH`].
struct Parser<'a> {
    tokens: &'a [Spanned],
    /// Character length of the input, the position of "end of input".
    end: usize,
    pos: usize,
    refs: Vec<DataElementCode>,
    program: Vec<Op>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.pos)
    }

    fn parse_all(&mut self) -> Result<(), Failure> {
        self.expr(0)?;
        match self.peek() {
            None => Ok(()),
            Some((p, Tok::RParen)) => Err((*p, "unmatched ')'".to_owned())),
            Some((p, _)) => Err((*p, "expected an operator".to_owned())),
        }
    }

    fn expr(&mut self, depth: usize) -> Result<(), Failure> {
        self.term(depth)?;
        while let Some((_, tok)) = self.peek() {
            let op = match tok {
                Tok::Plus => Op::Add,
                Tok::Minus => Op::Sub,
                _ => break,
            };
            self.pos += 1;
            self.term(depth)?;
            self.program.push(op);
        }
        Ok(())
    }

    fn term(&mut self, depth: usize) -> Result<(), Failure> {
        self.unary(depth)?;
        while let Some((_, tok)) = self.peek() {
            let op = match tok {
                Tok::Star => Op::Mul,
                Tok::Slash => Op::Div,
                _ => break,
            };
            self.pos += 1;
            self.unary(depth)?;
            self.program.push(op);
        }
        Ok(())
    }

    fn unary(&mut self, depth: usize) -> Result<(), Failure> {
        let Some((p, tok)) = self.peek().cloned() else {
            return Err((self.end, "expected a value".to_owned()));
        };
        match tok {
            Tok::Minus => {
                self.enter(p, depth)?;
                self.pos += 1;
                self.unary(depth + 1)?;
                self.program.push(Op::Neg);
                Ok(())
            }
            Tok::Num(n) => {
                self.pos += 1;
                self.program.push(Op::Const(n));
                Ok(())
            }
            Tok::Ref(code) => {
                self.pos += 1;
                let index = match self.refs.iter().position(|r| *r == code) {
                    Some(i) => i,
                    None => {
                        self.refs.push(code);
                        self.refs.len() - 1
                    }
                };
                self.program.push(Op::Ref(index));
                Ok(())
            }
            Tok::LParen => {
                self.enter(p, depth)?;
                self.pos += 1;
                self.expr(depth + 1)?;
                match self.peek() {
                    Some((_, Tok::RParen)) => {
                        self.pos += 1;
                        Ok(())
                    }
                    None => Err((p, "unclosed parenthesis".to_owned())),
                    Some((q, _)) => Err((*q, "expected ')' or an operator".to_owned())),
                }
            }
            Tok::Plus | Tok::Star | Tok::Slash | Tok::RParen => {
                Err((p, "expected a value".to_owned()))
            }
        }
    }

    /// Fail if going one level deeper would exceed the nesting limit.
    fn enter(&self, position: usize, depth: usize) -> Result<(), Failure> {
        if depth >= MAX_EXPRESSION_DEPTH {
            Err((
                position,
                format!("nested more than {MAX_EXPRESSION_DEPTH} levels deep"),
            ))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn e(s: &str) -> Expression {
        Expression::parse(s).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        parse_exact(s, Syntax::Json).unwrap()
    }

    fn code(s: &str) -> DataElementCode {
        DataElementCode::parse(s).unwrap()
    }

    fn err(s: &str) -> (usize, String) {
        match Expression::parse(s).unwrap_err() {
            DomainError::InvalidExpression {
                input,
                position,
                message,
            } => {
                assert_eq!(input, echo(s));
                (position, message)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn eval(expr: &str, data: &[(&str, &str)]) -> Option<Decimal> {
        let map: HashMap<DataElementCode, Decimal> =
            data.iter().map(|(c, v)| (code(c), dec(v))).collect();
        e(expr).evaluate(&|c| map.get(c).copied())
    }

    #[test]
    fn parses_and_keeps_source() {
        let src = " ( #{A} + #{B.2} ) * 100 / #{A} ";
        let x = e(src);
        assert_eq!(x.source(), src);
        assert_eq!(x.to_string(), src);
        assert_eq!(x.references(), vec![code("A"), code("B.2")]);
        let y: Expression = src.parse().unwrap();
        assert_eq!(x, y);
    }

    #[test]
    fn respects_precedence_and_associativity() {
        assert_eq!(eval("1 + 2 * 3", &[]), Some(dec("7")));
        assert_eq!(eval("(1 + 2) * 3", &[]), Some(dec("9")));
        assert_eq!(eval("10 - 3 - 2", &[]), Some(dec("5")));
        assert_eq!(eval("100 / 10 / 5", &[]), Some(dec("2")));
        assert_eq!(eval("-2 * -3", &[]), Some(dec("6")));
        assert_eq!(eval("--2", &[]), Some(dec("2")));
        assert_eq!(eval("2 - -2", &[]), Some(dec("4")));
        assert_eq!(eval("0.5 + 0.25", &[]), Some(dec("0.75")));
        assert_eq!(eval("1/3*3", &[]).map(|d| d.round_dp(20)), Some(dec("1")));
    }

    #[test]
    fn constant_expression_has_no_references() {
        let x = e("12");
        assert!(x.references().is_empty());
        assert_eq!(x.evaluate(&|_| None), Some(dec("12")));
    }

    #[test]
    fn no_data_when_no_reference_has_a_value() {
        assert_eq!(eval("#{A} + #{B}", &[]), None);
        assert_eq!(eval("#{A} + 5", &[]), None);
    }

    #[test]
    fn missing_references_count_as_zero_when_some_have_data() {
        assert_eq!(eval("#{A} + #{B}", &[("A", "5")]), Some(dec("5")));
        assert_eq!(eval("#{B} * 2 + #{A}", &[("A", "5")]), Some(dec("5")));
    }

    #[test]
    fn division_by_zero_and_overflow_are_none() {
        assert_eq!(eval("#{A} / #{B}", &[("A", "5"), ("B", "0")]), None);
        assert_eq!(eval("#{A} / #{B}", &[("A", "5")]), None);
        assert_eq!(eval("1 / 0", &[]), None);
        let max = "79228162514264337593543950335";
        assert_eq!(eval(&format!("{max} * 2"), &[]), None);
        assert_eq!(eval(&format!("{max} + 1"), &[]), None);
        assert_eq!(eval(&format!("-{max} - 1"), &[]), None);
    }

    #[test]
    fn arithmetic_is_exact_decimal() {
        assert_eq!(eval("0.1 + 0.2", &[]), Some(dec("0.3")));
        assert_eq!(
            eval(
                "#{OK} * 100 / #{TOTAL}",
                &[("OK", "118103"), ("TOTAL", "142378")]
            )
            .map(|d| d.round_dp(2)),
            Some(dec("82.95"))
        );
    }

    #[test]
    fn rejects_empty() {
        assert_eq!(err(""), (0, "empty expression".into()));
        assert_eq!(err("   "), (0, "empty expression".into()));
    }

    #[test]
    fn rejects_missing_operand() {
        assert_eq!(err("1 +"), (3, "expected a value".into()));
        assert_eq!(err("* 2"), (0, "expected a value".into()));
        assert_eq!(err("1 + * 2"), (4, "expected a value".into()));
        assert_eq!(err("()"), (1, "expected a value".into()));
        assert_eq!(err("+1"), (0, "expected a value".into()));
    }

    #[test]
    fn rejects_unbalanced_parentheses() {
        assert_eq!(err("(1 + 2"), (0, "unclosed parenthesis".into()));
        assert_eq!(err("1 + (2 * (3)"), (4, "unclosed parenthesis".into()));
        assert_eq!(err("1 + 2)"), (5, "unmatched ')'".into()));
        assert_eq!(err("(1 2)"), (3, "expected ')' or an operator".into()));
    }

    #[test]
    fn rejects_juxtaposed_values() {
        assert_eq!(err("1 2"), (2, "expected an operator".into()));
        assert_eq!(err("#{A} #{B}"), (5, "expected an operator".into()));
    }

    #[test]
    fn rejects_bad_references() {
        let (p, m) = err("1 + #{A B}");
        assert_eq!(p, 4);
        assert!(m.starts_with("invalid code in #{...}"), "{m}");
        assert!(err("#{}").1.starts_with("invalid code in #{...}"));
        assert_eq!(err("2 * #{A").0, 4);
        assert!(err("2 * #{A").1.contains("unclosed"));
        assert_eq!(err("#A").1, "expected '{' after '#'");
        assert_eq!(err("#").0, 0);
    }

    #[test]
    fn rejects_unexpected_characters_at_char_position() {
        assert_eq!(err("1 + x"), (4, "unexpected character 'x'".into()));
        assert_eq!(err("ố + 1"), (0, "unexpected character 'ố'".into()));
        assert_eq!(err("#{A} ≥ 1"), (5, "unexpected character '≥'".into()));
        assert_eq!(err("1 % 2").0, 2);
    }

    #[test]
    fn rejects_malformed_numbers() {
        assert!(err("1.2.3").1.starts_with("malformed number"));
        assert!(err(".5").1.starts_with("malformed number"));
        assert!(err("5.").1.starts_with("malformed number"));
        assert!(
            err("99999999999999999999999999999999")
                .1
                .starts_with("number out of range")
        );
        assert_eq!(err("1 + 1.2.3").0, 4);
    }

    #[test]
    fn rejects_too_long_input() {
        let long = "1+".repeat(5_000) + "1";
        assert_eq!(err(&long).0, MAX_EXPRESSION_CHARS);
        let ok = "1+".repeat(4_999) + "1";
        assert_eq!(e(&ok).evaluate(&|_| None), Some(Decimal::from(5_000)));
    }

    #[test]
    fn nesting_depth_is_limited() {
        let ok = format!("{}1{}", "(".repeat(64), ")".repeat(64));
        assert_eq!(e(&ok).evaluate(&|_| None), Some(Decimal::ONE));
        let deep = format!("{}1{}", "(".repeat(65), ")".repeat(65));
        let (p, m) = err(&deep);
        assert_eq!(p, 64);
        assert!(m.contains("64"), "{m}");
        let minus = "-".repeat(5_000) + "1";
        assert!(err(&minus).1.contains("nested"));
        let open = "(".repeat(9_999);
        assert!(Expression::parse(&open).is_err());
    }

    #[test]
    fn long_flat_expressions_evaluate_without_recursion() {
        let src = vec!["#{A}"; 1_999].join("+");
        let x = e(&src);
        assert_eq!(x.references(), vec![code("A")]);
        assert_eq!(
            x.evaluate(&|_| Some(Decimal::ONE)),
            Some(Decimal::from(1_999))
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,60}") {
            let _ = Expression::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_expression_alphabet(s in "[-+*/()#{}A-C0-9. ]{0,60}") {
            if let Ok(x) = Expression::parse(&s) {
                let _ = x.evaluate(&|_| Some(Decimal::ONE));
                let _ = x.evaluate(&|_| Some(Decimal::ZERO));
                let _ = x.evaluate(&|_| None);
            }
        }

        #[test]
        fn error_positions_are_within_input(s in "[-+*/()#{}A-C0-9. x]{0,40}") {
            if let Err(DomainError::InvalidExpression { position, .. }) = Expression::parse(&s) {
                prop_assert!(position <= s.chars().count());
            }
        }
    }
}
