//! Checks on a parsed query document before it runs: how many fields it selects, counting every
//! alias and `__typename` and expanding fragments (async-graphql's complexity limit misses
//! aliased `__typename`s), and which kind of operation a GET would run.

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};

/// Most fields one document may select.
pub const MAX_FIELDS: usize = 1_000;

/// True when the document selects more than [`MAX_FIELDS`] fields.
pub fn too_many_fields(doc: &ExecutableDocument) -> bool {
    let mut count = 0usize;
    for (_, op) in doc.operations.iter() {
        count_set(
            doc,
            &op.node.selection_set.node,
            &mut count,
            &mut HashSet::new(),
        );
        if count > MAX_FIELDS {
            return true;
        }
    }
    false
}

fn count_set<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    count: &mut usize,
    expanding: &mut HashSet<&'a str>,
) {
    for item in &set.items {
        if *count > MAX_FIELDS {
            return;
        }
        match &item.node {
            Selection::Field(f) => {
                *count += 1;
                count_set(doc, &f.node.selection_set.node, count, expanding);
            }
            Selection::InlineFragment(f) => {
                count_set(doc, &f.node.selection_set.node, count, expanding)
            }
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                // A fragment spreading itself is invalid anyway; never loop on it.
                if !expanding.insert(name) {
                    continue;
                }
                if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                    count_set(doc, &fragment.node.selection_set.node, count, expanding);
                }
                expanding.remove(name);
            }
        }
    }
}

/// True when the operation a request would run is a query (GET may run only queries).
pub fn is_query(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    let mut ops = doc.operations.iter();
    let chosen = match operation_name {
        Some(name) => ops.find(|(n, _)| n.map(|n| n.as_str()) == Some(name)),
        None => ops.next(),
    };
    chosen.is_some_and(|(_, op)| op.node.ty == OperationType::Query)
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    #[derive(Debug, PartialEq, Eq)]
    enum Refusal {
        TooManyFields,
    }

    fn check(query: &str) -> Result<ExecutableDocument, Refusal> {
        let doc = parse_query(query).expect("parses");
        if too_many_fields(&doc) {
            return Err(Refusal::TooManyFields);
        }
        Ok(doc)
    }

    #[test]
    fn aliased_typenames_count_as_fields() {
        let many: String = (0..MAX_FIELDS + 1)
            .map(|i| format!("a{i}: __typename "))
            .collect();
        assert_eq!(
            check(&format!("{{ {many} }}")).err(),
            Some(Refusal::TooManyFields)
        );
        assert!(check("{ __typename }").is_ok());
    }

    #[test]
    fn fragments_are_expanded_when_counting() {
        let inner: String = (0..40).map(|i| format!("a{i}: __typename ")).collect();
        let spreads: String = (0..30)
            .map(|i| format!("s{i}: roots {{ ...F }} "))
            .collect();
        let q = format!("fragment F on OrgUnit {{ {inner} }} {{ {spreads} }}");
        assert_eq!(check(&q).err(), Some(Refusal::TooManyFields));
    }

    #[test]
    fn a_self_spreading_fragment_does_not_hang_the_counter() {
        assert!(check("fragment F on OrgUnit { code ...F } { roots { ...F } }").is_ok());
    }

    #[test]
    fn get_runs_only_the_query_it_names() {
        let doc = check("query A { __typename } mutation B { __typename }").expect("parses");
        assert!(is_query(&doc, Some("A")));
        assert!(!is_query(&doc, Some("B")));
        assert!(!is_query(
            &check("mutation { __typename }").expect("parses"),
            None
        ));
    }
}
