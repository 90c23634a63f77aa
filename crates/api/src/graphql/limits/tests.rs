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
