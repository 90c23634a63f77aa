//! The measure of an expanded selection set: selections, depth, and the depth and nested
//! lists of introspection subtrees.

use std::collections::HashMap;

use async_graphql::parser::types::{Selection, SelectionSet};

/// The introspection fields that answer lists.
const INTROSPECTION_LISTS: [&str; 9] = [
    "types",
    "directives",
    "fields",
    "args",
    "inputFields",
    "interfaces",
    "enumValues",
    "possibleTypes",
    "locations",
];

/// Whether a selection set is read as ordinary fields or inside an introspection subtree.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Ordinary = 0,
    Introspection = 1,
}

/// The measure of an expanded selection set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Size {
    /// Selections, expanded (saturating: a fragment bomb reaches `u64::MAX`, not a panic).
    pub(super) selections: u64,
    /// Levels of nested fields (inside an introspection subtree: its levels).
    pub(super) depth: usize,
    /// Levels of the deepest introspection subtree below (ordinary mode).
    pub(super) introspection_depth: usize,
    /// Most introspection lists nested in one another.
    pub(super) introspection_lists: usize,
}

impl Size {
    /// Merges a sibling selection's measure.
    pub(super) fn add(&mut self, other: Size) {
        self.selections = self.selections.saturating_add(other.selections);
        self.depth = self.depth.max(other.depth);
        self.introspection_depth = self.introspection_depth.max(other.introspection_depth);
        self.introspection_lists = self.introspection_lists.max(other.introspection_lists);
    }
}

/// Measures `set` read in `mode`, a spread adding its fragment's measure from `fragments`.
pub(super) fn measure(
    set: &SelectionSet,
    mode: Mode,
    fragments: &HashMap<&str, [Size; 2]>,
) -> Size {
    let mut size = Size::default();
    for item in &set.items {
        size.selections = size.selections.saturating_add(1);
        match &item.node {
            Selection::Field(f) => {
                let name = f.node.name.node.as_str();
                let children = &f.node.selection_set.node;
                let field = match mode {
                    Mode::Ordinary if name == "__schema" || name == "__type" => {
                        let inner = measure(children, Mode::Introspection, fragments);
                        Size {
                            selections: inner.selections,
                            depth: 0,
                            introspection_depth: 1 + inner.depth,
                            introspection_lists: inner.introspection_lists,
                        }
                    }
                    Mode::Ordinary => {
                        let inner = measure(children, Mode::Ordinary, fragments);
                        Size {
                            depth: usize::from(name != "__typename") + inner.depth,
                            ..inner
                        }
                    }
                    Mode::Introspection => {
                        let inner = measure(children, Mode::Introspection, fragments);
                        Size {
                            depth: 1 + inner.depth,
                            introspection_lists: usize::from(INTROSPECTION_LISTS.contains(&name))
                                + inner.introspection_lists,
                            ..inner
                        }
                    }
                };
                size.add(field);
            }
            Selection::InlineFragment(f) => {
                size.add(measure(&f.node.selection_set.node, mode, fragments));
            }
            Selection::FragmentSpread(s) => {
                // Checked before measuring: every spread is known and measured already.
                if let Some(measured) = fragments.get(s.node.fragment_name.node.as_str()) {
                    size.add(measured[mode as usize]);
                }
            }
        }
    }
    size
}
