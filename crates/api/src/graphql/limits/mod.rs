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
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn check_str(query: &str) -> Result<(), Refusal> {
        check(&parse_query(query).expect("parses"))
    }

    fn code(query: &str) -> Option<&'static str> {
        check_str(query).err().map(|r| r.code())
    }

    /// `query{...F0}`, each `Fi` spreading `F(i+1)` twice, the last spreading `last`.
    fn bomb(levels: usize, last: &str) -> String {
        let mut q = String::from("query { ...F0 }\n");
        for i in 0..levels {
            q.push_str(&format!(
                "fragment F{i} on Query {{ ...F{j} ...F{j} }}\n",
                j = i + 1
            ));
        }
        q.push_str(&format!("fragment F{levels} on Query {{ {last} }}\n"));
        q
    }

    #[test]
    fn aliased_typenames_count_as_fields() {
        let many: String = (0..MAX_FIELDS + 1)
            .map(|i| format!("a{i}: __typename "))
            .collect();
        assert_eq!(code(&format!("{{ {many} }}")), Some("query_too_large"));
        assert!(check_str("{ __typename }").is_ok());
    }

    #[test]
    fn fragments_are_expanded_when_counting() {
        let inner: String = (0..40).map(|i| format!("a{i}: __typename ")).collect();
        let spreads: String = (0..30)
            .map(|i| format!("s{i}: roots {{ ...F }} "))
            .collect();
        let q = format!("fragment F on OrgUnit {{ {inner} }} {{ {spreads} }}");
        assert_eq!(code(&q), Some("query_too_large"));
    }

    #[test]
    fn the_fragment_bomb_ending_in_an_unknown_fragment_is_a_validation_error() {
        let refusal = check_str(&bomb(27, "...Nope")).expect_err("refused");
        assert_eq!(
            refusal,
            Refusal::UnknownFragment {
                name: "Nope".into(),
                pos: refusal.pos().expect("a position")
            }
        );
        assert_eq!(refusal.code(), "graphql_validation_failed");
    }

    #[test]
    fn a_valid_fragment_bomb_is_counted_without_expanding_it() {
        // 2⁶⁰ fields: counted once per fragment, saturating, never walked.
        assert_eq!(code(&bomb(60, "__typename")), Some("query_too_large"));
        assert_eq!(code(&bomb(200, "__typename")), Some("query_too_large"));
        // Small enough: 2⁸ = 256 fields plus 510 spreads.
        assert!(check_str(&bomb(8, "__typename")).is_ok());
        assert_eq!(code(&bomb(9, "__typename")), Some("query_too_large"));
    }

    #[test]
    fn a_long_chain_of_fragments_needs_no_deep_recursion() {
        let n = 20_000;
        let mut q = String::from("{ ...F0 }\n");
        for i in 0..n {
            q.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
        }
        q.push_str(&format!("fragment F{n} on Query {{ __typename }}\n"));
        let doc = parse_query(&q).expect("parses");
        // Run on a small stack, as a blocking-pool thread would.
        let refusal = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || check(&doc))
            .expect("thread")
            .join()
            .expect("no stack overflow");
        assert_eq!(refusal, Err(Refusal::TooManySelections));
    }

    #[test]
    fn fragment_cycles_are_refused() {
        for q in [
            "fragment F on Query { __typename ...F } { ...F }",
            "fragment A on Query { ...B ...B } fragment B on Query { ...A ...A } { ...A }",
            "fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { ...B } { ...A }",
        ] {
            let refusal = check_str(q).expect_err("refused");
            assert!(
                matches!(refusal, Refusal::FragmentCycle { .. }),
                "{q}: {refusal:?}"
            );
            assert_eq!(refusal.code(), "graphql_validation_failed");
        }
        // The fragment named is on the cycle, not merely waiting on it.
        let refusal = check_str(
            "fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { ...B } { ...A }",
        )
        .expect_err("refused");
        assert!(matches!(refusal, Refusal::FragmentCycle { ref name, .. } if name != "A"));
    }

    #[test]
    fn names_in_messages_are_cut_short() {
        let long = "N".repeat(10_000);
        let message = check_str(&format!("{{ ...{long} }}"))
            .expect_err("refused")
            .to_string();
        assert_eq!(
            message,
            format!("unknown fragment \"{}…\"", "N".repeat(100))
        );
    }

    #[test]
    fn unused_fragments_are_refused() {
        let refusal =
            check_str("fragment U on Query { __typename } { __typename }").expect_err("refused");
        assert!(matches!(refusal, Refusal::UnusedFragment { ref name, .. } if name == "U"));
        // Used by another operation of the document counts as used.
        assert!(
            check_str("query A { ...U } query B { __typename } fragment U on Query { __typename }")
                .is_ok()
        );
    }

    #[test]
    fn variables_arguments_and_directives_are_bounded() {
        let defs: String = (0..=MAX_VARIABLES)
            .map(|i| format!("$v{i}: Int "))
            .collect();
        assert_eq!(
            code(&format!("query({defs}) {{ __typename }}")),
            Some("query_too_large")
        );
        let args: String = (0..=MAX_ARGUMENTS).map(|i| format!("x{i}: 1 ")).collect();
        assert_eq!(
            code(&format!("{{ __typename({args}) }}")),
            Some("query_too_large")
        );
        let skips = "@skip(if: false) ".repeat(MAX_ARGUMENTS + 1);
        assert_eq!(
            code(&format!("{{ __typename {skips} }}")),
            Some("query_too_large")
        );
        // References inside lists and objects count; nesting needs no recursion.
        let refs = "$v, ".repeat(MAX_VARIABLE_REFERENCES + 1);
        assert_eq!(
            code(&format!("query($v: Int) {{ a(x: {{ y: [{refs}] }}) }}")),
            Some("query_too_large")
        );
        let nested = format!("{}$v{}", "[".repeat(40), "]".repeat(40));
        assert!(check_str(&format!("query($v: Int) {{ a(x: {nested}) }}")).is_ok());
        let defs: String = (0..MAX_VARIABLES).map(|i| format!("$v{i}: Int ")).collect();
        let args: String = (0..MAX_ARGUMENTS)
            .map(|i| format!("x{i}: $v{i} "))
            .collect();
        assert!(check_str(&format!("query({defs}) {{ a({args}) }}")).is_ok());
    }

    #[test]
    fn nesting_is_measured_on_the_text_outside_strings_and_comments() {
        let deep = |n: usize| format!("{{ a(x: {}1{}) }}", "[".repeat(n), "]".repeat(n));
        assert_eq!(check_text(&deep(MAX_NESTING - 2)), Ok(()));
        assert_eq!(check_text(&deep(MAX_NESTING - 1)), Err(Refusal::TooNested));
        assert_eq!(check_text(&deep(100_000)), Err(Refusal::TooNested));
        let brackets = "[".repeat(MAX_NESTING + 1);
        for text in [
            format!("{{ a(x: \"{brackets}\") }}"),
            format!("{{ a(x: \"\\\" {brackets}\") }}"),
            format!("{{ a(x: \"\"\"{brackets} \\\"\"\" {brackets}\"\"\") }}"),
            format!("# {brackets}\n{{ a }}"),
        ] {
            assert_eq!(check_text(&text), Ok(()), "{text}");
            assert!(parse_query(&text).is_ok(), "{text}");
        }
    }

    #[test]
    fn depth_counts_fields_through_fragments() {
        let nest = |levels: usize| format!("{}{}", "{ a ".repeat(levels), "}".repeat(levels));
        assert!(check_str(&nest(MAX_DEPTH)).is_ok());
        assert_eq!(code(&nest(MAX_DEPTH + 1)), Some("query_too_deep"));
        // The same depth split over fragments.
        let q = "{ a { a { a { a { a { a { ...F } } } } } } }
                 fragment F on T { a { a { a { a { a { a { ...G } } } } } } }
                 fragment G on T { a { __typename } }";
        assert_eq!(code(q), Some("query_too_deep"));
        // __typename adds no level, as in async-graphql.
        let q = format!(
            "{}{}{}",
            "{ a ".repeat(MAX_DEPTH),
            "__typename ",
            "}".repeat(MAX_DEPTH)
        );
        assert!(check_str(&q).is_ok());
    }

    #[test]
    fn introspection_has_its_own_bounds() {
        let type_ref = format!(
            "{}{}",
            "{ kind name ofType ".repeat(10),
            "{ kind name }".to_owned() + &"}".repeat(10)
        );
        let q = format!("{{ __schema {{ types {{ fields {{ args {{ type {type_ref} }} }} }} }} }}");
        assert!(check_str(&q).is_ok());
        // Introspection lists nested four times multiply the schema four times.
        let q = "{ __type(name: \"Q\") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }";
        assert_eq!(code(q), Some("query_too_deep"));
        // Ordinary queries keep their limit.
        let q = format!("{{ __typename {}x{} }}", "a { ".repeat(13), " }".repeat(13));
        assert_eq!(code(&q), Some("query_too_deep"));
    }

    #[test]
    fn get_runs_only_the_query_it_names() {
        let doc = parse_query("query A { __typename } mutation B { __typename }").expect("parses");
        assert_eq!(operation_type(&doc, Some("A")), Some(OperationType::Query));
        assert_eq!(
            operation_type(&doc, Some("B")),
            Some(OperationType::Mutation)
        );
        assert_eq!(operation_type(&doc, Some("C")), None);
        assert_eq!(operation_type(&doc, None), None);
        let doc = parse_query("mutation { __typename }").expect("parses");
        assert_eq!(operation_type(&doc, None), Some(OperationType::Mutation));
    }
}
