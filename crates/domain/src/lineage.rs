//! Lineage: how units became other units through merges and splits
//! (contract v2, "Reorganisations", `GET /api/v1/org-units/{code}/lineage`).
//!
//! Each merge or split records [`LineageEdge`]s from a predecessor to a
//! successor with a share (1 for a merge; the split's share otherwise). A
//! unit's successors are every unit reachable along edges, through chains of
//! reorganisations; its predecessors every unit it is reachable from. Moves
//! and renames are not lineage.
//!
//! The share of a related unit is the fraction of the predecessor's figures
//! that end up in the successor: the product of the shares along a chain,
//! and, when several chains connect the same two units (A splits into B and
//! C, which later merge into D), the **sum** of the chains' products — D
//! holds all of A, share 1, not 0.5. Shares are exact decimals; products
//! round only past 28 significant digits.
//!
//! Lineage built from checked reorganisations is acyclic (a closed unit is
//! never a successor again). For any other input the traversal still
//! terminates, lists every reachable unit once, and does not count shares
//! around a cycle.

use std::collections::{BTreeSet, HashMap, VecDeque};

use rust_decimal::Decimal;

use crate::code::{OrgUnitCode, ReorganisationCode};
use crate::period::Month;

/// One step of lineage: `predecessor` ended and `share` of it went to
/// `successor`, by a reorganisation effective from a month.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LineageEdge {
    /// The unit that ended.
    pub predecessor: OrgUnitCode,
    /// The unit that took over (part of) it.
    pub successor: OrgUnitCode,
    /// The part taken over: 1 for a merge, the split's share otherwise.
    pub share: Decimal,
    /// The reorganisation.
    pub reorganisation: ReorganisationCode,
    /// Its first month.
    pub effective: Month,
}

/// A unit related to another through lineage.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Related {
    /// The related unit.
    pub unit: OrgUnitCode,
    /// The fraction of the predecessor's figures that end up in the
    /// successor (see the [module documentation](self)).
    pub share: Decimal,
    /// The reorganisation of the step adjacent to the related unit: for a
    /// successor, the one by which it took over; for a predecessor, the one
    /// by which it ended. The earliest (by `effective`, then code) when
    /// several chains arrive by different ones.
    pub reorganisation: ReorganisationCode,
    /// That reorganisation's first month.
    pub effective: Month,
}

/// All lineage edges, indexed both ways.
#[derive(Clone, Debug, Default)]
pub struct Lineage {
    edges: Vec<LineageEdge>,
    outgoing: HashMap<OrgUnitCode, Vec<usize>>,
    incoming: HashMap<OrgUnitCode, Vec<usize>>,
}

/// Which way a traversal walks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// From predecessors to successors.
    Forward,
    /// From successors to predecessors.
    Backward,
}

impl Lineage {
    /// Index the edges.
    pub fn new(edges: impl IntoIterator<Item = LineageEdge>) -> Lineage {
        let edges: Vec<LineageEdge> = edges.into_iter().collect();
        let mut outgoing: HashMap<OrgUnitCode, Vec<usize>> = HashMap::new();
        let mut incoming: HashMap<OrgUnitCode, Vec<usize>> = HashMap::new();
        for (i, e) in edges.iter().enumerate() {
            outgoing.entry(e.predecessor.clone()).or_default().push(i);
            incoming.entry(e.successor.clone()).or_default().push(i);
        }
        Lineage {
            edges,
            outgoing,
            incoming,
        }
    }

    /// Every unit `unit` became, through chains of merges and splits,
    /// ordered by `effective`, then code.
    pub fn successors(&self, unit: &OrgUnitCode) -> Vec<Related> {
        self.walk(unit, Direction::Forward)
    }

    /// Every unit that became (part of) `unit`, through chains of merges
    /// and splits, ordered by `effective`, then code.
    pub fn predecessors(&self, unit: &OrgUnitCode) -> Vec<Related> {
        self.walk(unit, Direction::Backward)
    }

    /// The edges leaving `node` in `direction`, with the unit at their far
    /// end.
    fn steps<'a>(
        &'a self,
        node: &OrgUnitCode,
        direction: Direction,
    ) -> impl Iterator<Item = (&'a LineageEdge, &'a OrgUnitCode)> + 'a {
        let index = match direction {
            Direction::Forward => &self.outgoing,
            Direction::Backward => &self.incoming,
        };
        index
            .get(node)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.edges.get(i))
            .map(move |e| match direction {
                Direction::Forward => (e, &e.successor),
                Direction::Backward => (e, &e.predecessor),
            })
    }

    /// Reachable units with their summed chain shares.
    fn walk(&self, start: &OrgUnitCode, direction: Direction) -> Vec<Related> {
        // 1. Everything reachable (each unit once, so cycles terminate).
        let mut reached: BTreeSet<&OrgUnitCode> = BTreeSet::new();
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            for (_, next) in self.steps(node, direction) {
                if next != start && reached.insert(next) {
                    queue.push_back(next);
                }
            }
        }
        // 2. Shares in topological order (Kahn) of the reached subgraph:
        //    a unit's share is final once every step into it is counted.
        let inside = |u: &OrgUnitCode| u == start || reached.contains(u);
        let mut pending: HashMap<&OrgUnitCode, usize> = HashMap::new();
        for &node in &reached {
            let into = self
                .steps(node, flip(direction))
                .filter(|(_, from)| inside(from))
                .count();
            pending.insert(node, into);
        }
        let mut share: HashMap<&OrgUnitCode, Decimal> = HashMap::from([(start, Decimal::ONE)]);
        let mut first_step: HashMap<&OrgUnitCode, &LineageEdge> = HashMap::new();
        let mut done: BTreeSet<&OrgUnitCode> = BTreeSet::new();
        let mut ready = VecDeque::from([start]);
        loop {
            let node = match ready.pop_front() {
                Some(node) => node,
                // Only on a cycle: take the smallest unit still waiting.
                None => match reached.iter().find(|u| !done.contains(*u) && **u != start) {
                    Some(node) => *node,
                    None => break,
                },
            };
            if !done.insert(node) {
                continue;
            }
            let own = share.get(node).copied().unwrap_or(Decimal::ZERO);
            for (edge, next) in self.steps(node, direction) {
                if next == start || !reached.contains(next) {
                    continue;
                }
                // Walking forward this is the step into the successor `next`;
                // walking backward, the step out of the predecessor `next`:
                // either way, the step adjacent to `next`.
                first_step
                    .entry(next)
                    .and_modify(|e| {
                        if (edge.effective, &edge.reorganisation) < (e.effective, &e.reorganisation)
                        {
                            *e = edge;
                        }
                    })
                    .or_insert(edge);
                if done.contains(next) {
                    continue; // only around a cycle
                }
                let total = share.entry(next).or_insert(Decimal::ZERO);
                *total = total.saturating_add(own.saturating_mul(edge.share));
                if let Some(count) = pending.get_mut(next) {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        ready.push_back(next);
                    }
                }
            }
        }
        let mut out: Vec<Related> = reached
            .into_iter()
            .filter_map(|unit| {
                let edge = first_step.get(unit)?;
                Some(Related {
                    unit: unit.clone(),
                    share: share
                        .get(unit)
                        .copied()
                        .unwrap_or(Decimal::ZERO)
                        .normalize(),
                    reorganisation: edge.reorganisation.clone(),
                    effective: edge.effective,
                })
            })
            .collect();
        out.sort_by(|a, b| (a.effective, &a.unit).cmp(&(b.effective, &b.unit)));
        out
    }
}

/// The opposite direction.
fn flip(direction: Direction) -> Direction {
    match direction {
        Direction::Forward => Direction::Backward,
        Direction::Backward => Direction::Forward,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn c(s: &str) -> OrgUnitCode {
        OrgUnitCode::parse(s).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn edge(from: &str, to: &str, share: &str, reorg: &str, effective: &str) -> LineageEdge {
        let (y, m) = effective.split_once('-').unwrap();
        LineageEdge {
            predecessor: c(from),
            successor: c(to),
            share: dec(share),
            reorganisation: ReorganisationCode::parse(reorg).unwrap(),
            effective: Month::new(y.parse().unwrap(), m.parse().unwrap()).unwrap(),
        }
    }

    fn summary(related: &[Related]) -> Vec<(String, String, String, String)> {
        related
            .iter()
            .map(|r| {
                (
                    r.unit.to_string(),
                    r.share.to_string(),
                    r.reorganisation.to_string(),
                    r.effective.to_string(),
                )
            })
            .collect()
    }

    fn row(u: &str, s: &str, r: &str, e: &str) -> (String, String, String, String) {
        (u.into(), s.into(), r.into(), e.into())
    }

    /// VT-P1, VT-P2 and VT-TNHI merge into HCM-VT (2025-07); X splits into
    /// A (0.6) and B (0.4) (2025-07); A later splits into A1 (0.5) and A2
    /// (0.5), and A2 with HCM-VT merges into Z (2026-01).
    fn sample() -> Lineage {
        Lineage::new([
            edge("VT-P1", "HCM-VT", "1", "NQ-2025-VT", "2025-07"),
            edge("VT-P2", "HCM-VT", "1", "NQ-2025-VT", "2025-07"),
            edge("VT-TNHI", "HCM-VT", "1", "NQ-2025-VT", "2025-07"),
            edge("X", "A", "0.6", "NQ-2025-VT", "2025-07"),
            edge("X", "B", "0.4", "NQ-2025-VT", "2025-07"),
            edge("A", "A1", "0.5", "NQ-2026", "2026-01"),
            edge("A", "A2", "0.5", "NQ-2026", "2026-01"),
            edge("A2", "Z", "1", "NQ-2026-Z", "2026-01"),
            edge("HCM-VT", "Z", "1", "NQ-2026-Z", "2026-01"),
        ])
    }

    #[test]
    fn successors_through_chains_multiply_shares() {
        let l = sample();
        assert_eq!(
            summary(&l.successors(&c("X"))),
            vec![
                row("A", "0.6", "NQ-2025-VT", "2025-07"),
                row("B", "0.4", "NQ-2025-VT", "2025-07"),
                row("A1", "0.3", "NQ-2026", "2026-01"),
                row("A2", "0.3", "NQ-2026", "2026-01"),
                row("Z", "0.3", "NQ-2026-Z", "2026-01"),
            ]
        );
        assert_eq!(
            summary(&l.successors(&c("VT-P1"))),
            vec![
                row("HCM-VT", "1", "NQ-2025-VT", "2025-07"),
                row("Z", "1", "NQ-2026-Z", "2026-01"),
            ]
        );
        assert!(l.successors(&c("Z")).is_empty());
        assert!(l.successors(&c("UNKNOWN")).is_empty());
    }

    #[test]
    fn predecessors_are_flat_with_the_step_that_ended_them() {
        let l = sample();
        assert_eq!(
            summary(&l.predecessors(&c("Z"))),
            vec![
                row("VT-P1", "1", "NQ-2025-VT", "2025-07"),
                row("VT-P2", "1", "NQ-2025-VT", "2025-07"),
                row("VT-TNHI", "1", "NQ-2025-VT", "2025-07"),
                row("X", "0.3", "NQ-2025-VT", "2025-07"),
                row("A", "0.5", "NQ-2026", "2026-01"),
                row("A2", "1", "NQ-2026-Z", "2026-01"),
                row("HCM-VT", "1", "NQ-2026-Z", "2026-01"),
            ]
        );
        assert_eq!(
            summary(&l.predecessors(&c("B"))),
            vec![row("X", "0.4", "NQ-2025-VT", "2025-07")]
        );
        assert!(l.predecessors(&c("VT-P1")).is_empty());
    }

    #[test]
    fn two_chains_to_the_same_unit_add_up() {
        // A splits in halves that merge again: D holds all of A.
        let l = Lineage::new([
            edge("A", "B", "0.5", "R1", "2025-01"),
            edge("A", "C", "0.5", "R1", "2025-01"),
            edge("B", "D", "1", "R2", "2025-06"),
            edge("C", "D", "1", "R3", "2025-06"),
        ]);
        let d = l
            .successors(&c("A"))
            .into_iter()
            .find(|r| r.unit == c("D"))
            .unwrap();
        assert_eq!(d.share, dec("1"));
        assert_eq!(d.reorganisation.as_str(), "R2", "the earliest arrival");
        let a = l
            .predecessors(&c("D"))
            .into_iter()
            .find(|r| r.unit == c("A"))
            .unwrap();
        assert_eq!(a.share, dec("1"));
        assert_eq!(a.reorganisation.as_str(), "R1");
    }

    #[test]
    fn cycles_terminate() {
        let l = Lineage::new([
            edge("A", "B", "1", "R1", "2025-01"),
            edge("B", "C", "0.5", "R2", "2025-02"),
            edge("C", "A", "1", "R3", "2025-03"),
            edge("C", "D", "0.5", "R3", "2025-03"),
            edge("A", "A", "1", "R4", "2025-04"),
        ]);
        let s = l.successors(&c("A"));
        let units: Vec<&str> = s.iter().map(|r| r.unit.as_str()).collect();
        assert_eq!(units, vec!["B", "C", "D"]);
        assert_eq!(s[0].share, dec("1"));
        assert_eq!(s[1].share, dec("0.5"));
        assert_eq!(s[2].share, dec("0.25"));
        let p = l.predecessors(&c("D"));
        assert_eq!(p.len(), 3);
    }

    fn arb_edges() -> impl Strategy<Value = Vec<LineageEdge>> {
        prop::collection::vec((0u8..8, 0u8..8, 1u32..=100, 0u8..4), 0..20).prop_map(|raw| {
            raw.into_iter()
                .map(|(a, b, share, r)| {
                    edge(
                        &format!("U{a}"),
                        &format!("U{b}"),
                        &Decimal::new(i64::from(share), 2).to_string(),
                        &format!("R{r}"),
                        &format!("2025-0{}", r + 1),
                    )
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn reachability_is_symmetric_and_terminates(edges in arb_edges()) {
            let l = Lineage::new(edges);
            for a in 0..8 {
                let a = c(&format!("U{a}"));
                let succ = l.successors(&a);
                let mut seen = std::collections::HashSet::new();
                for r in &succ {
                    prop_assert!(seen.insert(r.unit.clone()), "listed once");
                    prop_assert!(r.unit != a);
                    prop_assert!(r.share >= Decimal::ZERO);
                    prop_assert!(
                        l.predecessors(&r.unit).iter().any(|p| p.unit == a),
                        "{} reaches {} but not back", a, r.unit
                    );
                }
            }
        }

        #[test]
        fn acyclic_chains_share_out_exactly(splits in prop::collection::vec(1u32..10, 1..6)) {
            // A chain of splits, each keeping 1/k in the main line and the
            // rest in a side unit: the main line's share is the product, and
            // the shares of the leaves add up to 1.
            let mut edges = Vec::new();
            for (i, k) in splits.iter().enumerate() {
                let keep = Decimal::ONE / Decimal::from(*k);
                edges.push(edge(&format!("M{i}"), &format!("M{}", i + 1), &keep.to_string(), "R", "2025-01"));
                edges.push(edge(&format!("M{i}"), &format!("S{i}"), &(Decimal::ONE - keep).to_string(), "R", "2025-01"));
            }
            let l = Lineage::new(edges);
            let succ = l.successors(&c("M0"));
            let leaves: Decimal = succ
                .iter()
                .filter(|r| r.unit.as_str().starts_with('S') || r.unit.as_str() == format!("M{}", splits.len()))
                .map(|r| r.share)
                .sum();
            prop_assert!((leaves - Decimal::ONE).abs() < dec("0.000000000000000000000001"));
        }
    }
}
