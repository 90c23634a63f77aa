//! Reading each submitted row on its own: codes, period and comment, before anything is
//! looked up. Pure.

use chitieu_domain::{
    DataElementCode, FigureState, OrgUnitCode, Period,
    text::{TextKind, nfc},
};

use super::{Conflict, MAX_COMMENT_CHARS, RawRow, RawValue, conflict};

/// A row whose codes, period and comment are well formed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parsed<'a> {
    pub index: usize,
    pub unit: OrgUnitCode,
    pub element: DataElementCode,
    pub period: Period,
    pub raw: &'a RawValue,
    pub comment: Option<String>,
    /// A state in place of the value (`raw` is then [`RawValue::Delete`]).
    pub state: Option<FigureState>,
}

/// Every row parsed on its own: the well-formed ones, and a conflict for each other one.
pub(crate) fn parse_rows(rows: &[RawRow]) -> (Vec<Parsed<'_>>, Vec<Conflict>) {
    let mut parsed = Vec::with_capacity(rows.len());
    let mut conflicts = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        match parse_row(index, row) {
            Ok(p) => parsed.push(p),
            Err(c) => conflicts.push(c),
        }
    }
    (parsed, conflicts)
}

fn parse_row(index: usize, row: &RawRow) -> Result<Parsed<'_>, Conflict> {
    let unit = match row.org_unit.as_deref() {
        None | Some("") => {
            return Err(conflict(
                index,
                "missing_org_unit",
                "no org_unit given, neither on the row nor on the set",
            ));
        }
        Some(u) => OrgUnitCode::parse(u).map_err(|e| conflict(index, e.code(), e.to_string()))?,
    };
    let period = match row.period.as_deref() {
        None | Some("") => {
            return Err(conflict(
                index,
                "missing_period",
                "no period given, neither on the row nor on the set",
            ));
        }
        Some(p) => Period::parse(p).map_err(|e| conflict(index, e.code(), e.to_string()))?,
    };
    let element = DataElementCode::parse(&row.data_element)
        .map_err(|e| conflict(index, e.code(), e.to_string()))?;
    let comment = match row.comment.as_deref() {
        None | Some("") => None,
        Some(c) => {
            if let Some((position, ch)) = TextKind::MultiLine.first_refused(c) {
                return Err(conflict(
                    index,
                    "invalid_comment",
                    TextKind::MultiLine.refusal(position, ch),
                ));
            }
            let c = nfc(c);
            if c.chars().count() > MAX_COMMENT_CHARS {
                return Err(conflict(
                    index,
                    "invalid_comment",
                    format!("a comment holds at most {MAX_COMMENT_CHARS} characters"),
                ));
            }
            Some(c)
        }
    };
    let state = match row.state.as_deref() {
        None => None,
        Some(s) => Some(parse_state(index, s, &row.value)?),
    };
    Ok(Parsed {
        index,
        unit,
        element,
        period,
        raw: &row.value,
        comment,
        state,
    })
}

/// A row's state: a known one, on a row without a value.
fn parse_state(index: usize, state: &str, value: &RawValue) -> Result<FigureState, Conflict> {
    let Some(parsed) = FigureState::parse(state) else {
        let shown: String = state.chars().take(50).collect();
        return Err(conflict(
            index,
            "invalid_state",
            format!("unknown state {shown:?}: expected no_source or pending"),
        ));
    };
    if *value != RawValue::Delete {
        return Err(conflict(
            index,
            "state_with_value",
            "a figure carries a value or a state, not both: send the state without a value \
             (or with value null)",
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn row(
        unit: Option<&str>,
        period: Option<&str>,
        element: &str,
        comment: Option<&str>,
    ) -> RawRow {
        RawRow {
            org_unit: unit.map(str::to_owned),
            period: period.map(str::to_owned),
            data_element: element.to_owned(),
            value: RawValue::Delete,
            comment: comment.map(str::to_owned),
            state: None,
        }
    }

    fn codes(rows: &[RawRow]) -> Vec<(usize, &'static str)> {
        parse_rows(rows)
            .1
            .iter()
            .map(|c| (c.index, c.code))
            .collect()
    }

    #[test]
    fn each_row_is_refused_for_its_first_problem() {
        let rows = [
            row(Some("VT"), Some("2023Q1"), "DE", None),
            row(None, Some("2023Q1"), "DE", None),
            row(Some(""), None, "DE", None),
            row(Some("VT"), None, "DE", None),
            row(Some("VT"), Some("2023Q5"), "DE", None),
            row(Some("V T"), Some("2023Q1"), "DE", None),
            row(Some("VT"), Some("2023Q1"), "", None),
            row(Some("VT"), Some("2023Q1"), "DE", Some("a\u{0}b")),
        ];
        assert_eq!(
            codes(&rows),
            [
                (1, "missing_org_unit"),
                (2, "missing_org_unit"),
                (3, "missing_period"),
                (4, "invalid_period"),
                (5, "invalid_code"),
                (6, "invalid_code"),
                (7, "invalid_comment"),
            ]
        );
        let (parsed, _) = parse_rows(&rows);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].period, Period::parse("2023-01/2023-03").unwrap());
    }

    #[test]
    fn a_state_stands_alone_and_must_be_known() {
        let with = |value: RawValue, state: &str| RawRow {
            value,
            state: Some(state.to_owned()),
            ..row(Some("VT"), Some("2023"), "DE", None)
        };
        let rows = [
            with(RawValue::Delete, "no_source"),
            with(RawValue::Delete, "pending"),
            with(RawValue::Csv("5".into()), "pending"),
            with(RawValue::Delete, "No_Source"),
            with(RawValue::Unsupported("an array"), "pending"),
        ];
        assert_eq!(
            codes(&rows),
            [
                (2, "state_with_value"),
                (3, "invalid_state"),
                (4, "state_with_value")
            ]
        );
        let (parsed, _) = parse_rows(&rows);
        let states: Vec<_> = parsed.iter().map(|p| p.state).collect();
        assert_eq!(
            states,
            [Some(FigureState::NoSource), Some(FigureState::Pending)]
        );
        assert_eq!(
            parse_rows(&[row(Some("VT"), Some("2023"), "DE", None)]).0[0].state,
            None
        );
    }

    #[test]
    fn comments_are_normalised_bounded_and_empty_means_none() {
        let long = "é".repeat(MAX_COMMENT_CHARS);
        let decomposed = "e\u{301}".repeat(MAX_COMMENT_CHARS);
        let rows = [
            row(Some("VT"), Some("2023"), "DE", Some("")),
            row(Some("VT"), Some("2023"), "DE", Some(&decomposed)),
            row(Some("VT"), Some("2023"), "DE", Some(&format!("{long}x"))),
        ];
        let (parsed, conflicts) = parse_rows(&rows);
        assert_eq!(parsed[0].comment, None);
        assert_eq!(
            parsed[1].comment.as_deref(),
            Some(long.as_str()),
            "NFC before counting"
        );
        assert_eq!(
            (conflicts[0].index, conflicts[0].code),
            (2, "invalid_comment")
        );
    }
}
