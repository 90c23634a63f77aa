//! A stored figure: a value, or a state in place of a value.
//!
//! Some figures cannot be given yet: no system or body provides them (`no_source`), or they
//! are still being compiled (`pending`). Absent would say «nobody reported», zero would be a
//! lie; a state says which. A state is per unit, element and period, reported and audited
//! like a value, and holds no number: sums, rules and outliers skip it.

use std::fmt;

use crate::value::Value;

/// Why a figure has no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FigureState {
    /// No system or body provides the figure.
    NoSource,
    /// The figure is being compiled.
    Pending,
}

impl FigureState {
    /// Every state, in the order they are documented.
    pub const ALL: [Self; 2] = [Self::NoSource, Self::Pending];

    /// `no_source` or `pending` (lowercase, exact); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The name [`parse`](Self::parse) accepts, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSource => "no_source",
            Self::Pending => "pending",
        }
    }

    /// The state a row of several references shows when none of them holds a number and
    /// each holds one of `states` (at least one): `no_source` as soon as one reference has
    /// no source (the row cannot be computed until someone provides it), else `pending`.
    /// `None` when `states` is empty.
    pub fn combined(states: impl IntoIterator<Item = Self>) -> Option<Self> {
        states.into_iter().min()
    }
}

impl fmt::Display for FigureState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a stored figure holds: a value, or a state in its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Figure {
    /// A value of the element's type.
    Value(Value),
    /// No value, and why.
    State(FigureState),
}

impl Figure {
    /// The value, when the figure has one.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Self::Value(v) => Some(v),
            Self::State(_) => None,
        }
    }

    /// The state, when the figure has no value.
    pub fn state(&self) -> Option<FigureState> {
        match self {
            Self::Value(_) => None,
            Self::State(s) => Some(*s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_exactly_and_print_back() {
        for s in FigureState::ALL {
            assert_eq!(FigureState::parse(s.as_str()), Some(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        for bad in ["", "No_Source", "no source", "pending ", "missing", "null"] {
            assert_eq!(FigureState::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn no_source_wins_over_pending_and_nothing_is_no_state() {
        use FigureState::{NoSource, Pending};
        assert_eq!(
            FigureState::combined([Pending, NoSource, Pending]),
            Some(NoSource)
        );
        assert_eq!(FigureState::combined([Pending, Pending]), Some(Pending));
        assert_eq!(FigureState::combined([]), None);
    }

    #[test]
    fn a_figure_has_a_value_or_a_state_never_both() {
        let v = Figure::Value(Value::Integer(3));
        let s = Figure::State(FigureState::Pending);
        assert_eq!((v.value(), v.state()), (Some(&Value::Integer(3)), None));
        assert_eq!((s.value(), s.state()), (None, Some(FigureState::Pending)));
    }
}
