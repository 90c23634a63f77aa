//! One pass over the document as written: the fragments each selection set spreads, and the
//! counts of arguments, directives and variable references.

use std::collections::HashSet;

use async_graphql::{
    Name, Positioned,
    parser::types::{Directive, ExecutableDocument, Selection, SelectionSet},
};
use async_graphql_value::Value;

use super::{MAX_ARGUMENTS, MAX_VARIABLE_REFERENCES, Refusal};

/// One pass over the document as written (fragments not entered): spreads, arguments,
/// directives and variable references.
pub(super) struct Scan<'a> {
    doc: &'a ExecutableDocument,
    variable_references: usize,
}

impl<'a> Scan<'a> {
    pub(super) fn new(doc: &'a ExecutableDocument) -> Self {
        Self {
            doc,
            variable_references: 0,
        }
    }

    /// Collects the fragments `set` spreads, refusing unknown ones. The recursion follows the
    /// document's nesting, which the parser bounds.
    pub(super) fn set(
        &mut self,
        set: &'a SelectionSet,
        found: &mut HashSet<&'a str>,
    ) -> Result<(), Refusal> {
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

    pub(super) fn directives(
        &mut self,
        directives: &[Positioned<Directive>],
    ) -> Result<(), Refusal> {
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
