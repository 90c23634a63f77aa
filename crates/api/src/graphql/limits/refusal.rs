//! Why a document is refused before it runs, and how a refusal names what the document said.

use async_graphql::Pos;

use super::{MAX_DEPTH, MAX_FIELDS, MAX_INTROSPECTION_DEPTH, MAX_INTROSPECTION_LISTS, MAX_NESTING};

/// Why a document is refused before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A spread names no fragment of the document.
    UnknownFragment {
        /// The missing fragment.
        name: String,
        /// Where it is spread.
        pos: Pos,
    },
    /// A fragment spreads itself, directly or through others.
    FragmentCycle {
        /// A fragment on the cycle.
        name: String,
        /// Where it is defined.
        pos: Pos,
    },
    /// A fragment no operation uses.
    UnusedFragment {
        /// The fragment.
        name: String,
        /// Where it is defined.
        pos: Pos,
    },
    /// More than [`MAX_FIELDS`] selections.
    TooManySelections,
    /// More of something than its limit ([`MAX_VARIABLES`], [`MAX_ARGUMENTS`],
    /// [`MAX_VARIABLE_REFERENCES`]).
    TooMany {
        /// What, e.g. "arguments on one field or directive".
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// Brackets nested deeper than [`MAX_NESTING`] in the text.
    TooNested,
    /// Fields nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// An introspection subtree deeper than [`MAX_INTROSPECTION_DEPTH`] or with more than
    /// [`MAX_INTROSPECTION_LISTS`] nested lists.
    IntrospectionTooDeep,
}

impl Refusal {
    /// The stable error code (`extensions.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownFragment { .. }
            | Self::FragmentCycle { .. }
            | Self::UnusedFragment { .. } => "graphql_validation_failed",
            Self::TooManySelections | Self::TooMany { .. } => "query_too_large",
            Self::TooNested | Self::TooDeep | Self::IntrospectionTooDeep => "query_too_deep",
        }
    }

    /// Where in the document, when it is one place.
    pub fn pos(&self) -> Option<Pos> {
        match self {
            Self::UnknownFragment { pos, .. }
            | Self::FragmentCycle { pos, .. }
            | Self::UnusedFragment { pos, .. } => Some(*pos),
            _ => None,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownFragment { name, .. } => {
                write!(f, "unknown fragment \"{}\"", shown(name))
            }
            Self::FragmentCycle { name, .. } => write!(
                f,
                "fragment \"{}\" spreads itself, directly or through other fragments",
                shown(name)
            ),
            Self::UnusedFragment { name, .. } => {
                write!(f, "fragment \"{}\" is never used", shown(name))
            }
            Self::TooManySelections => write!(
                f,
                "a query may select at most {MAX_FIELDS} fields, aliases, __typename and \
                 expanded fragments included"
            ),
            Self::TooMany { what, limit } => write!(f, "a query may have at most {limit} {what}"),
            Self::TooNested => write!(
                f,
                "the document nests brackets more than {MAX_NESTING} deep"
            ),
            Self::TooDeep => write!(
                f,
                "the query is nested too deep: at most {MAX_DEPTH} levels of fields"
            ),
            Self::IntrospectionTooDeep => write!(
                f,
                "the introspection query is nested too deep: at most \
                 {MAX_INTROSPECTION_DEPTH} levels and {MAX_INTROSPECTION_LISTS} nested lists"
            ),
        }
    }
}

/// A name from the document as an error message shows it: at most 100 characters.
pub fn shown(name: &str) -> String {
    const MAX: usize = 100;
    match name.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_owned(),
    }
}
