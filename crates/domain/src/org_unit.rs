//! Organisation units: names, kinds and the hierarchy ([`OrgTree`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;

use crate::code::OrgUnitCode;
use crate::error::{DomainError, echo};
use crate::text::{TextKind, nfc};

/// Maximum length of a [`UnitName`], in characters (after NFC and trimming). The seed
/// report's criteria are named by their printed content, verbatim; the longest (V.01) has
/// 289 characters.
pub const MAX_NAME_CHARS: usize = 500;

/// Maximum length of a [`UnitKind`], in characters.
pub const MAX_KIND_CHARS: usize = 30;

/// A display name: NFC-normalised, trimmed, 1 to 500 characters of
/// [single-line text](TextKind::SingleLine). Used for org units and catalogue objects alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitName(String);

impl UnitName {
    /// Normalise (NFC, trim) and validate a name.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let normalised = nfc(s);
        let trimmed = normalised.trim();
        let len = trimmed.chars().count();
        if len == 0 {
            return Err(DomainError::InvalidName {
                reason: "must not be empty".to_owned(),
            });
        }
        if len > MAX_NAME_CHARS {
            return Err(DomainError::InvalidName {
                reason: format!("too long: {len} characters (at most {MAX_NAME_CHARS})"),
            });
        }
        if let Some((pos, c)) = TextKind::SingleLine.first_refused(trimmed) {
            return Err(DomainError::InvalidText {
                reason: format!(
                    "{} in {:?}",
                    TextKind::SingleLine.refusal(pos, c),
                    echo(trimmed)
                ),
            });
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for UnitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for UnitName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The kind of an org unit: a lowercase word of 1 to 30 characters of
/// `a-z` and `_`. Usual kinds are `nation`, `province`, `city`, `district`,
/// `ward`, `commune`, `department` and `office`, but any such word is
/// accepted.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitKind(String);

impl UnitKind {
    /// Validate a kind (kept as given; no case folding).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let ok = !s.is_empty()
            && s.len() <= MAX_KIND_CHARS
            && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(DomainError::InvalidKind { input: echo(s) })
        }
    }

    /// The kind as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organisation unit as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgUnit {
    /// Unique code.
    pub code: OrgUnitCode,
    /// Display name.
    pub name: UnitName,
    /// Kind (province, ward, …).
    pub kind: UnitKind,
    /// Parent unit, `None` for a root.
    pub parent: Option<OrgUnitCode>,
}

/// The validated org-unit hierarchy: a forest (several roots are allowed)
/// with no cycles and no dangling parents.
///
/// Children are listed in the order the units were given to
/// [`OrgTree::build`]. Every method is iterative, so arbitrarily deep
/// hierarchies cannot overflow the stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgTree {
    /// Units in input order.
    order: Vec<OrgUnitCode>,
    parents: HashMap<OrgUnitCode, Option<OrgUnitCode>>,
    children: HashMap<OrgUnitCode, Vec<OrgUnitCode>>,
    levels: HashMap<OrgUnitCode, u32>,
}

impl OrgTree {
    /// Build the hierarchy from `(code, parent)` pairs.
    ///
    /// Rejects a code listed twice ([`DomainError::InvalidCode`]), a parent
    /// that is not itself listed ([`DomainError::UnknownParent`]) and cycles,
    /// including a unit that is its own parent ([`DomainError::OrgTreeCycle`],
    /// naming the first unit in input order that lies on a cycle).
    pub fn build(
        units: impl IntoIterator<Item = (OrgUnitCode, Option<OrgUnitCode>)>,
    ) -> Result<OrgTree, DomainError> {
        let mut order = Vec::new();
        let mut parents = HashMap::new();
        for (code, parent) in units {
            if parents.contains_key(&code) {
                return Err(DomainError::InvalidCode {
                    input: code.into_string(),
                    reason: "org unit listed more than once".to_owned(),
                });
            }
            order.push(code.clone());
            parents.insert(code, parent);
        }
        for code in &order {
            if let Some(Some(parent)) = parents.get(code)
                && !parents.contains_key(parent)
            {
                return Err(DomainError::UnknownParent {
                    code: code.to_string(),
                    parent: parent.to_string(),
                });
            }
        }
        let levels = compute_levels(&order, &parents)?;
        let mut children: HashMap<OrgUnitCode, Vec<OrgUnitCode>> = HashMap::new();
        for code in &order {
            if let Some(Some(parent)) = parents.get(code) {
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(code.clone());
            }
        }
        Ok(OrgTree {
            order,
            parents,
            children,
            levels,
        })
    }

    /// Whether `code` is part of the tree.
    pub fn contains(&self, code: &OrgUnitCode) -> bool {
        self.parents.contains_key(code)
    }

    /// Number of units in the tree.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the tree has no units.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The parent of `code`, or `None` for a root or an unknown code.
    pub fn parent(&self, code: &OrgUnitCode) -> Option<&OrgUnitCode> {
        self.parents.get(code).and_then(Option::as_ref)
    }

    /// The roots (units without a parent), in input order.
    pub fn roots(&self) -> Vec<OrgUnitCode> {
        self.order
            .iter()
            .filter(|c| matches!(self.parents.get(*c), Some(None)))
            .cloned()
            .collect()
    }

    /// Depth of `code`: a root is level 1. `None` for an unknown code.
    pub fn level(&self, code: &OrgUnitCode) -> Option<u32> {
        self.levels.get(code).copied()
    }

    /// Ancestors of `code`, nearest first (parent, grandparent, …, root),
    /// excluding `code` itself. Empty for a root or an unknown code.
    pub fn ancestors(&self, code: &OrgUnitCode) -> Vec<OrgUnitCode> {
        let mut out = Vec::new();
        let mut current = self.parent(code);
        while let Some(p) = current {
            out.push(p.clone());
            current = self.parent(p);
        }
        out
    }

    /// Whether `unit` lies in the subtree rooted at `root`. A unit is in its
    /// own subtree. False when either code is unknown.
    pub fn is_in_subtree(&self, unit: &OrgUnitCode, root: &OrgUnitCode) -> bool {
        if !self.contains(unit) || !self.contains(root) {
            return false;
        }
        let mut current = Some(unit);
        while let Some(c) = current {
            if c == root {
                return true;
            }
            current = self.parent(c);
        }
        false
    }

    /// Direct children of `code`, in input order. Empty for a leaf or an
    /// unknown code.
    pub fn children(&self, code: &OrgUnitCode) -> Vec<OrgUnitCode> {
        self.children.get(code).cloned().unwrap_or_default()
    }

    /// `root` followed by all its descendants, breadth-first. Empty for an
    /// unknown code.
    pub fn subtree(&self, root: &OrgUnitCode) -> Vec<OrgUnitCode> {
        if !self.contains(root) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut queue = VecDeque::from([root.clone()]);
        while let Some(code) = queue.pop_front() {
            if let Some(kids) = self.children.get(&code) {
                queue.extend(kids.iter().cloned());
            }
            out.push(code);
        }
        out
    }

    /// All units with every parent before its children: ordered by level,
    /// then by input order. Inserting units in this order never references
    /// a parent that is not yet present.
    pub fn topological_order(&self) -> Vec<OrgUnitCode> {
        let mut out = self.order.clone();
        out.sort_by_key(|c| self.levels.get(c).copied().unwrap_or(u32::MAX));
        out
    }
}

/// Compute the level of every unit, detecting cycles. Iterative: walks up
/// from each unit until it meets a unit whose level is known or a root.
fn compute_levels(
    order: &[OrgUnitCode],
    parents: &HashMap<OrgUnitCode, Option<OrgUnitCode>>,
) -> Result<HashMap<OrgUnitCode, u32>, DomainError> {
    let mut levels: HashMap<OrgUnitCode, u32> = HashMap::with_capacity(order.len());
    for start in order {
        let mut path: Vec<&OrgUnitCode> = Vec::new();
        let mut on_path: HashSet<&OrgUnitCode> = HashSet::new();
        let mut current = start;
        let base = loop {
            if let Some(&l) = levels.get(current) {
                break l;
            }
            if !on_path.insert(current) {
                // `current` is on the cycle; report the first cycle member
                // in input order for a deterministic error.
                let cycle_start = path.iter().position(|c| *c == current).unwrap_or(0);
                let cycle: HashSet<&OrgUnitCode> = path[cycle_start..].iter().copied().collect();
                let first = order.iter().find(|c| cycle.contains(c)).unwrap_or(current);
                return Err(DomainError::OrgTreeCycle {
                    code: first.to_string(),
                });
            }
            path.push(current);
            match parents.get(current) {
                Some(Some(parent)) => current = parent,
                _ => break 0,
            }
        };
        let mut level = base;
        for code in path.into_iter().rev() {
            level = level.saturating_add(1);
            levels.insert(code.clone(), level);
        }
    }
    Ok(levels)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn c(s: &str) -> OrgUnitCode {
        OrgUnitCode::parse(s).unwrap()
    }

    fn codes(v: &[&str]) -> Vec<OrgUnitCode> {
        v.iter().map(|s| c(s)).collect()
    }

    fn pair(code: &str, parent: Option<&str>) -> (OrgUnitCode, Option<OrgUnitCode>) {
        (c(code), parent.map(c))
    }

    /// VN ─┬─ HN ─┬─ HN_BD ── HN_BD_P1
    ///     │      └─ HN_HK
    ///     └─ HG ─── HG_TN
    /// plus a second root MOF.
    fn sample() -> OrgTree {
        OrgTree::build([
            pair("HN_BD_P1", Some("HN_BD")),
            pair("VN", None),
            pair("HN", Some("VN")),
            pair("HG", Some("VN")),
            pair("HN_BD", Some("HN")),
            pair("HN_HK", Some("HN")),
            pair("HG_TN", Some("HG")),
            pair("MOF", None),
        ])
        .unwrap()
    }

    #[test]
    fn unit_name_is_nfc_and_trimmed() {
        let decomposed = "  Thắng Nhì \n".chars().collect::<String>();
        let nfd: String =
            unicode_normalization::UnicodeNormalization::nfd(decomposed.as_str()).collect();
        let name = UnitName::parse(&nfd).unwrap();
        assert_eq!(name.as_str(), "Thắng Nhì");
        assert_eq!(name.to_string(), "Thắng Nhì");
    }

    #[test]
    fn unit_name_rejects_empty_long_and_control_chars() {
        assert_eq!(UnitName::parse("   ").unwrap_err().code(), "invalid_name");
        assert!(UnitName::parse(&"ă".repeat(500)).is_ok());
        assert!(UnitName::parse(&"ă".repeat(501)).is_err());
        let err = UnitName::parse("Hà\u{0}Nội").unwrap_err();
        assert_eq!(err.code(), "invalid_text");
        assert!(err.to_string().contains("U+0000 at position 2"), "{err}");
        for s in ["a\tb", "a\nb", "a\u{85}b", "a\u{2028}b", "a\u{202E}b"] {
            assert_eq!(
                UnitName::parse(s).unwrap_err().code(),
                "invalid_text",
                "{s:?}"
            );
        }
    }

    #[test]
    fn unit_kind_accepts_lowercase_words() {
        for k in ["nation", "province", "ward", "sub_office", &"a".repeat(30)] {
            assert_eq!(UnitKind::parse(k).unwrap().as_str(), k);
        }
    }

    #[test]
    fn unit_kind_rejects_other_input() {
        for k in ["", "Ward", "ward ", "ward2", "phường", &"a".repeat(31)] {
            assert_eq!(
                UnitKind::parse(k).unwrap_err().code(),
                "invalid_kind",
                "{k}"
            );
        }
    }

    #[test]
    fn levels_start_at_one_for_roots() {
        let t = sample();
        assert_eq!(t.level(&c("VN")), Some(1));
        assert_eq!(t.level(&c("MOF")), Some(1));
        assert_eq!(t.level(&c("HN")), Some(2));
        assert_eq!(t.level(&c("HN_BD_P1")), Some(4));
        assert_eq!(t.level(&c("NOPE")), None);
    }

    #[test]
    fn ancestors_are_nearest_first() {
        let t = sample();
        assert_eq!(t.ancestors(&c("HN_BD_P1")), codes(&["HN_BD", "HN", "VN"]));
        assert!(t.ancestors(&c("VN")).is_empty());
        assert!(t.ancestors(&c("NOPE")).is_empty());
    }

    #[test]
    fn subtree_membership_includes_self() {
        let t = sample();
        assert!(t.is_in_subtree(&c("HN"), &c("HN")));
        assert!(t.is_in_subtree(&c("HN_BD_P1"), &c("VN")));
        assert!(!t.is_in_subtree(&c("HG_TN"), &c("HN")));
        assert!(!t.is_in_subtree(&c("VN"), &c("HN")));
        assert!(!t.is_in_subtree(&c("HN"), &c("MOF")));
        assert!(!t.is_in_subtree(&c("NOPE"), &c("NOPE")));
    }

    #[test]
    fn subtree_is_root_first_breadth_first() {
        let t = sample();
        assert_eq!(
            t.subtree(&c("VN")),
            codes(&["VN", "HN", "HG", "HN_BD", "HN_HK", "HG_TN", "HN_BD_P1"])
        );
        assert_eq!(t.subtree(&c("HN_HK")), codes(&["HN_HK"]));
        assert!(t.subtree(&c("NOPE")).is_empty());
    }

    #[test]
    fn children_in_input_order() {
        let t = sample();
        assert_eq!(t.children(&c("VN")), codes(&["HN", "HG"]));
        assert!(t.children(&c("HN_HK")).is_empty());
    }

    #[test]
    fn topological_order_puts_parents_first() {
        let t = sample();
        let order = t.topological_order();
        assert_eq!(order.len(), t.len());
        for (i, code) in order.iter().enumerate() {
            if let Some(p) = t.parent(code) {
                let pi = order.iter().position(|x| x == p).unwrap();
                assert!(pi < i, "{p} must precede {code}");
            }
        }
        assert_eq!(t.roots(), codes(&["VN", "MOF"]));
    }

    #[test]
    fn rejects_unknown_parent() {
        let err = OrgTree::build([pair("HN", Some("VN"))]).unwrap_err();
        assert_eq!(
            err,
            DomainError::UnknownParent {
                code: "HN".into(),
                parent: "VN".into()
            }
        );
    }

    #[test]
    fn rejects_self_parent() {
        let err = OrgTree::build([pair("A", Some("A"))]).unwrap_err();
        assert_eq!(err, DomainError::OrgTreeCycle { code: "A".into() });
    }

    #[test]
    fn rejects_longer_cycle_naming_first_member() {
        let err = OrgTree::build([
            pair("ROOT", None),
            pair("X", Some("ROOT")),
            pair("B", Some("C")),
            pair("C", Some("A")),
            pair("A", Some("B")),
            pair("TAIL", Some("A")),
        ])
        .unwrap_err();
        assert_eq!(err, DomainError::OrgTreeCycle { code: "B".into() });
        assert_eq!(err.code(), "org_unit_cycle");
    }

    #[test]
    fn tree_errors_name_their_unit_as_data() {
        // `VT` is a prefix of `VT-P1`: the unit must come from the error's data, not its text.
        let cycle = OrgTree::build([pair("VT", None), pair("VT-P1", Some("VT-P1"))]).unwrap_err();
        assert_eq!(cycle.org_unit(), Some("VT-P1"));
        let orphan = OrgTree::build([pair("VT-P1", Some("VT"))]).unwrap_err();
        assert_eq!(orphan.org_unit(), Some("VT-P1"));
        let other = UnitKind::parse("Ward").unwrap_err();
        assert_eq!(other.org_unit(), None);
    }

    #[test]
    fn rejects_duplicate_codes() {
        let err = OrgTree::build([pair("A", None), pair("A", None)]).unwrap_err();
        assert_eq!(err.code(), "invalid_code");
    }

    #[test]
    fn empty_tree_is_fine() {
        let t = OrgTree::build(Vec::new()).unwrap();
        assert!(t.is_empty());
        assert!(t.topological_order().is_empty());
    }

    #[test]
    fn deep_chain_does_not_overflow() {
        let n = 100_000;
        let units = (0..n).map(|i| {
            let parent = (i > 0).then(|| c(&format!("U{}", i - 1)));
            (c(&format!("U{i}")), parent)
        });
        // Reverse so the deepest units are visited first.
        let mut units: Vec<_> = units.collect();
        units.reverse();
        let t = OrgTree::build(units).unwrap();
        assert_eq!(t.level(&c(&format!("U{}", n - 1))), Some(n));
        assert_eq!(
            t.ancestors(&c(&format!("U{}", n - 1))).len(),
            (n - 1) as usize
        );
        assert_eq!(t.topological_order()[0], c("U0"));
    }
}
