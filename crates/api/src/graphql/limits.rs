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

use std::collections::{HashMap, HashSet, VecDeque};

use async_graphql::{
    Name, Pos, Positioned,
    parser::types::{Directive, ExecutableDocument, OperationType, Selection, SelectionSet},
};
use async_graphql_value::Value;

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

/// Checks the text of a document before it is parsed: brackets nest at most
/// [`MAX_NESTING`] deep (outside strings and comments).
pub fn check_text(query: &str) -> Result<(), Refusal> {
    let bytes = query.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Refusal::TooNested);
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

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

/// Which fragments each fragment and operation spreads.
struct Graph<'a> {
    /// Fragment → the distinct fragments it spreads.
    spreads: HashMap<&'a str, HashSet<&'a str>>,
    /// The fragments the operations spread directly.
    roots: HashSet<&'a str>,
}

impl<'a> Graph<'a> {
    fn of(doc: &'a ExecutableDocument) -> Result<Self, Refusal> {
        let mut scan = Scan {
            doc,
            variable_references: 0,
        };
        let mut spreads = HashMap::with_capacity(doc.fragments.len());
        for (name, fragment) in &doc.fragments {
            let mut found = HashSet::new();
            scan.directives(&fragment.node.directives)?;
            scan.set(&fragment.node.selection_set.node, &mut found)?;
            spreads.insert(name.as_str(), found);
        }
        let mut roots = HashSet::new();
        for (_, op) in doc.operations.iter() {
            if op.node.variable_definitions.len() > MAX_VARIABLES {
                return Err(Refusal::TooMany {
                    what: "variables in one operation",
                    limit: MAX_VARIABLES,
                });
            }
            for variable in &op.node.variable_definitions {
                scan.directives(&variable.node.directives)?;
            }
            scan.directives(&op.node.directives)?;
            scan.set(&op.node.selection_set.node, &mut roots)?;
        }
        Ok(Self { spreads, roots })
    }

    /// Every fragment, each after the fragments it spreads (Kahn's algorithm: no recursion,
    /// however long a chain of fragments is).
    fn dependencies_first(&self, doc: &'a ExecutableDocument) -> Result<Vec<&'a str>, Refusal> {
        let mut waiting: HashMap<&str, usize> = HashMap::with_capacity(self.spreads.len());
        let mut dependents: HashMap<&str, Vec<&str>> = HashMap::new();
        for (&name, spread) in &self.spreads {
            waiting.insert(name, spread.len());
            for &target in spread {
                dependents.entry(target).or_default().push(name);
            }
        }
        let mut ready: VecDeque<&str> = waiting
            .iter()
            .filter(|&(_, &n)| n == 0)
            .map(|(&name, _)| name)
            .collect();
        let mut order = Vec::with_capacity(self.spreads.len());
        while let Some(name) = ready.pop_front() {
            order.push(name);
            for &dependent in dependents.get(name).into_iter().flatten() {
                if let Some(n) = waiting.get_mut(dependent) {
                    *n -= 1;
                    if *n == 0 {
                        ready.push_back(dependent);
                    }
                }
            }
        }
        if order.len() == self.spreads.len() {
            return Ok(order);
        }
        // What is left waits on a cycle; walking from any of it along unfinished fragments
        // ends up on the cycle within as many steps as there are fragments.
        let done: HashSet<&str> = order.iter().copied().collect();
        let mut name = self
            .spreads
            .keys()
            .copied()
            .filter(|n| !done.contains(n))
            .min()
            .unwrap_or_default();
        for _ in 0..self.spreads.len() {
            let next = self.spreads[name]
                .iter()
                .copied()
                .filter(|n| !done.contains(n))
                .min();
            match next {
                Some(next) => name = next,
                None => break,
            }
        }
        Err(Refusal::FragmentCycle {
            name: name.to_owned(),
            pos: doc
                .fragments
                .iter()
                .find(|(n, _)| n.as_str() == name)
                .map(|(_, f)| f.pos)
                .unwrap_or_default(),
        })
    }

    /// Refuses a fragment no operation reaches.
    fn all_used(&self, doc: &'a ExecutableDocument) -> Result<(), Refusal> {
        let mut seen: HashSet<&str> = self.roots.clone();
        let mut queue: Vec<&str> = seen.iter().copied().collect();
        while let Some(name) = queue.pop() {
            for &next in self.spreads.get(name).into_iter().flatten() {
                if seen.insert(next) {
                    queue.push(next);
                }
            }
        }
        let mut unused: Vec<_> = doc
            .fragments
            .iter()
            .filter(|(name, _)| !seen.contains(name.as_str()))
            .collect();
        unused.sort_by_key(|(_, f)| f.pos);
        match unused.first() {
            Some((name, fragment)) => Err(Refusal::UnusedFragment {
                name: name.to_string(),
                pos: fragment.pos,
            }),
            None => Ok(()),
        }
    }
}

/// One pass over the document as written (fragments not entered): spreads, arguments,
/// directives and variable references.
struct Scan<'a> {
    doc: &'a ExecutableDocument,
    variable_references: usize,
}

impl<'a> Scan<'a> {
    /// Collects the fragments `set` spreads, refusing unknown ones. The recursion follows the
    /// document's nesting, which the parser bounds.
    fn set(&mut self, set: &'a SelectionSet, found: &mut HashSet<&'a str>) -> Result<(), Refusal> {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    self.arguments(&f.node.arguments)?;
                    self.directives(&f.node.directives)?;
                    self.set(&f.node.selection_set.node, found)?;
                }
                Selection::InlineFragment(f) => {
                    self.directives(&f.node.directives)?;
                    self.set(&f.node.selection_set.node, found)?;
                }
                Selection::FragmentSpread(s) => {
                    self.directives(&s.node.directives)?;
                    let name = &s.node.fragment_name.node;
                    let Some((known, _)) = self.doc.fragments.get_key_value(name) else {
                        return Err(Refusal::UnknownFragment {
                            name: name.to_string(),
                            pos: s.pos,
                        });
                    };
                    found.insert(known.as_str());
                }
            }
        }
        Ok(())
    }

    fn directives(&mut self, directives: &[Positioned<Directive>]) -> Result<(), Refusal> {
        if directives.len() > MAX_ARGUMENTS {
            return Err(Refusal::TooMany {
                what: "directives in one place",
                limit: MAX_ARGUMENTS,
            });
        }
        for directive in directives {
            self.arguments(&directive.node.arguments)?;
        }
        Ok(())
    }

    fn arguments(
        &mut self,
        arguments: &[(Positioned<Name>, Positioned<Value>)],
    ) -> Result<(), Refusal> {
        if arguments.len() > MAX_ARGUMENTS {
            return Err(Refusal::TooMany {
                what: "arguments on one field or directive",
                limit: MAX_ARGUMENTS,
            });
        }
        // Values nest as deep as the client likes: walked with a stack, not recursion.
        let mut values: Vec<&Value> = arguments.iter().map(|(_, v)| &v.node).collect();
        while let Some(value) = values.pop() {
            match value {
                Value::Variable(_) => {
                    self.variable_references += 1;
                    if self.variable_references > MAX_VARIABLE_REFERENCES {
                        return Err(Refusal::TooMany {
                            what: "variable references",
                            limit: MAX_VARIABLE_REFERENCES,
                        });
                    }
                }
                Value::List(items) => values.extend(items),
                Value::Object(fields) => values.extend(fields.values()),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Whether a selection set is read as ordinary fields or inside an introspection subtree.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ordinary = 0,
    Introspection = 1,
}

/// The measure of an expanded selection set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Size {
    /// Selections, expanded (saturating: a fragment bomb reaches `u64::MAX`, not a panic).
    selections: u64,
    /// Levels of nested fields (inside an introspection subtree: its levels).
    depth: usize,
    /// Levels of the deepest introspection subtree below (ordinary mode).
    introspection_depth: usize,
    /// Most introspection lists nested in one another.
    introspection_lists: usize,
}

impl Size {
    /// Merges a sibling selection's measure.
    fn add(&mut self, other: Size) {
        self.selections = self.selections.saturating_add(other.selections);
        self.depth = self.depth.max(other.depth);
        self.introspection_depth = self.introspection_depth.max(other.introspection_depth);
        self.introspection_lists = self.introspection_lists.max(other.introspection_lists);
    }
}

fn measure(set: &SelectionSet, mode: Mode, fragments: &HashMap<&str, [Size; 2]>) -> Size {
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
