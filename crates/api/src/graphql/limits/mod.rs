//! Checks on a parsed document before async-graphql sees it, in time linear in the document.
//!
//! async-graphql's own passes (`check_recursive_depth`, the depth, complexity and cache-control
//! visitors) expand every fragment spread again wherever it appears, so a chain of fragments
//! each spreading the next twice costs 2ⁿ, and a fragment cycle recurses without end. This
//! module therefore looks at the document first:
//!
//! 1. every spread names a fragment of the document, no fragment spreads itself (directly or
//!    through others) and every fragment is used (all three are GraphQL validation rules);
//!    variables, arguments, directives and variable references are few enough that the rules
//!    comparing them pairwise (variables in allowed positions, overlapping fields) stay cheap;
//! 2. then the size of every fragment is computed once, dependencies first, and a spread adds
//!    the size of its fragment instead of walking it again.
//!
//! The size of an operation is what the executor would walk: every selection (fields with
//! their aliases, `__typename`, fragment spreads and inline fragments) of the expanded
//! operation, summed over the document's operations (async-graphql validates them all). Its
//! depth counts fields as async-graphql does (`__typename` not counted); the introspection
//! subtrees (`__schema`, `__type`) are bounded on their own, so the standard introspection
//! query of GraphiQL and code generators (with `ofType` nested nine levels) passes while
//! ordinary queries keep the depth limit.
//!
//! The files: `refusal.rs` (why a document is refused), `text.rs` (the bracket nesting of the
//! text, before parsing), `graph.rs` (which fragments spread which: unknown, cyclic and unused
//! fragments; dependencies first), `scan.rs` (one pass over the document as written: spreads,
//! arguments, directives, variable references) and `size.rs` (the measure of an expanded
//! selection set).

mod graph;
mod refusal;
mod scan;
mod size;
mod text;

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, OperationType};

use graph::Graph;
pub use refusal::{Refusal, shown};
use size::{Mode, Size, measure};
pub use text::check_text;

/// Most selections one document may make once its fragments are expanded: fields (each alias
/// and `__typename` counted), fragment spreads and inline fragments.
pub const MAX_FIELDS: usize = 1_000;
/// Most levels of nested fields outside the introspection subtrees.
pub const MAX_DEPTH: usize = 12;
/// Most levels of nested fields inside an introspection subtree (`__schema`, `__type`); the
/// standard introspection query needs 15.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;
/// Most introspection lists (`types`, `fields`, `args`, …) nested in one another; each one
/// multiplies the answer by the size of the schema. The standard query needs 3
/// (`types { fields { args } }`).
pub const MAX_INTROSPECTION_LISTS: usize = 3;

/// Most variables one operation may declare.
pub const MAX_VARIABLES: usize = 100;
/// Most arguments one field or directive may take, and most directives one place may carry.
pub const MAX_ARGUMENTS: usize = 32;
/// Most variable references one document may make.
pub const MAX_VARIABLE_REFERENCES: usize = 1_000;

/// Most brackets (`{`, `[`, `(`) open at once in a document's text. The parser recurses once
/// per level of nested values and would overflow its thread's stack on a few thousand, so
/// the text is measured before it is parsed.
pub const MAX_NESTING: usize = 64;

/// Checks a whole document; `Ok` means async-graphql's own passes over it are cheap.
pub fn check(doc: &ExecutableDocument) -> Result<(), Refusal> {
    let graph = Graph::of(doc)?;
    let order = graph.dependencies_first(doc)?;
    graph.all_used(doc)?;
    let mut sizes: HashMap<&str, [Size; 2]> = HashMap::with_capacity(order.len());
    for name in order {
        let set = &doc.fragments[name].node.selection_set.node;
        let measured = [
            measure(set, Mode::Ordinary, &sizes),
            measure(set, Mode::Introspection, &sizes),
        ];
        sizes.insert(name, measured);
    }
    let mut total = Size::default();
    for (_, op) in doc.operations.iter() {
        total.add(measure(&op.node.selection_set.node, Mode::Ordinary, &sizes));
    }
    if total.selections > MAX_FIELDS as u64 {
        return Err(Refusal::TooManySelections);
    }
    if total.depth > MAX_DEPTH {
        return Err(Refusal::TooDeep);
    }
    if total.introspection_depth > MAX_INTROSPECTION_DEPTH
        || total.introspection_lists > MAX_INTROSPECTION_LISTS
    {
        return Err(Refusal::IntrospectionTooDeep);
    }
    Ok(())
}

/// The kind of the operation a request would run (`None` when the name matches none, or none
/// is named among several: the executor reports that).
pub fn operation_type(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    let mut ops = doc.operations.iter();
    let chosen = match operation_name {
        Some(name) => ops.find(|(n, _)| n.map(|n| n.as_str()) == Some(name)),
        None => {
            let first = ops.next();
            if ops.next().is_some() { None } else { first }
        }
    };
    chosen.map(|(_, op)| op.node.ty)
}

#[cfg(test)]
mod tests;
