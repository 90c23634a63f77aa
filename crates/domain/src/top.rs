//! Keeping the `cap` greatest items of a stream in bounded memory (the 500 largest outlier
//! scores of a national subtree without holding every scored value).
//!
//! [`Top`] is a min-heap of at most `cap` items: the least of the kept items is the one a
//! greater newcomer replaces. Ties are resolved by the item's own [`Ord`], so the result is
//! deterministic when the order is total (make the tie-breaks part of the item's order).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The `cap` greatest items pushed so far.
#[derive(Clone, Debug)]
pub struct Top<T: Ord> {
    cap: usize,
    heap: BinaryHeap<Reverse<T>>,
}

impl<T: Ord> Top<T> {
    /// An empty selection keeping at most `cap` items.
    pub fn new(cap: usize) -> Top<T> {
        Top {
            cap,
            heap: BinaryHeap::with_capacity(cap.min(4096).saturating_add(1)),
        }
    }

    /// Offer one item: kept while fewer than `cap` are held, or when it is greater than the
    /// least one held (which is then dropped).
    pub fn push(&mut self, item: T) {
        if self.cap == 0 {
            return;
        }
        if self.heap.len() < self.cap {
            self.heap.push(Reverse(item));
            return;
        }
        let replaces = self.heap.peek().is_some_and(|Reverse(least)| item > *least);
        if replaces {
            self.heap.pop();
            self.heap.push(Reverse(item));
        }
    }

    /// Items held.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The items held, greatest first.
    pub fn into_sorted_desc(self) -> Vec<T> {
        // `into_sorted_vec` of `Reverse` items is ascending in `Reverse`, i.e. descending.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|Reverse(t)| t)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_the_greatest_in_descending_order() {
        let mut top = Top::new(3);
        for x in [5, 1, 9, 7, 3, 9, 2] {
            top.push(x);
        }
        assert_eq!(top.len(), 3);
        assert_eq!(top.into_sorted_desc(), vec![9, 9, 7]);
    }

    #[test]
    fn fewer_items_than_the_cap_are_all_kept() {
        let mut top = Top::new(10);
        top.push(2);
        top.push(1);
        assert_eq!(top.into_sorted_desc(), vec![2, 1]);
    }

    #[test]
    fn a_cap_of_zero_keeps_nothing() {
        let mut top = Top::new(0);
        top.push(1);
        assert!(top.is_empty());
    }

    #[test]
    fn an_equal_newcomer_does_not_replace_a_kept_item() {
        // (score, tie-break): with ties on score, the item order decides.
        let mut top = Top::new(2);
        top.push((5, Reverse("b")));
        top.push((5, Reverse("c")));
        top.push((5, Reverse("a")));
        top.push((5, Reverse("c")));
        let kept: Vec<&str> = top
            .into_sorted_desc()
            .into_iter()
            .map(|(_, Reverse(s))| s)
            .collect();
        assert_eq!(kept, vec!["a", "b"]);
    }

    proptest! {
        #[test]
        fn equals_sorting_everything_and_taking_the_first(xs in proptest::collection::vec(-50i32..50, 0..200), cap in 0usize..20) {
            let mut top = Top::new(cap);
            for &x in &xs {
                top.push(x);
            }
            let mut all = xs.clone();
            all.sort_unstable_by(|a, b| b.cmp(a));
            all.truncate(cap);
            prop_assert_eq!(top.into_sorted_desc(), all);
        }
    }
}
