//! Which fragments each fragment and operation spreads: unknown, cyclic and unused fragments
//! are refused, and fragments are ordered dependencies first.

use std::collections::{HashMap, HashSet, VecDeque};

use async_graphql::parser::types::ExecutableDocument;

use super::{MAX_VARIABLES, Refusal, scan::Scan};

/// Which fragments each fragment and operation spreads.
pub(super) struct Graph<'a> {
    /// Fragment → the distinct fragments it spreads.
    spreads: HashMap<&'a str, HashSet<&'a str>>,
    /// The fragments the operations spread directly.
    roots: HashSet<&'a str>,
}

impl<'a> Graph<'a> {
    pub(super) fn of(doc: &'a ExecutableDocument) -> Result<Self, Refusal> {
        let mut scan = Scan::new(doc);
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
    pub(super) fn dependencies_first(
        &self,
        doc: &'a ExecutableDocument,
    ) -> Result<Vec<&'a str>, Refusal> {
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
    pub(super) fn all_used(&self, doc: &'a ExecutableDocument) -> Result<(), Refusal> {
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
