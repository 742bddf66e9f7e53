//! BCubed precision, recall and F1 of a grouping against a reference grouping.
//!
//! For every entry: precision is the share of its predicted group that is also in its
//! reference group, recall the share of its reference group found in its predicted group.
//! Entries without a group (`None`, e.g. "Other") are singletons on both sides. Sums are
//! kept so that scores can be micro-averaged over several categories or releases.
//!
//! The similarity strategy uses it to learn its cut-off from the project's own grouped
//! releases; `examples/score` uses it to measure every strategy against a maintainer's
//! grouping.

use std::collections::HashMap;

/// Summed per-entry precision and recall.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub precision: f64,
    pub recall: f64,
    pub entries: usize,
}

impl Totals {
    pub fn add(&mut self, other: &Totals) {
        self.precision += other.precision;
        self.recall += other.recall;
        self.entries += other.entries;
    }

    pub fn mean_precision(&self) -> f64 {
        if self.entries == 0 {
            1.0
        } else {
            self.precision / self.entries as f64
        }
    }

    pub fn mean_recall(&self) -> f64 {
        if self.entries == 0 {
            1.0
        } else {
            self.recall / self.entries as f64
        }
    }

    /// F1 of the micro-averaged precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.mean_precision(), self.mean_recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn members(labels: &[Option<usize>]) -> Vec<Vec<usize>> {
    let mut by: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, l) in labels.iter().enumerate() {
        if let Some(l) = l {
            by.entry(*l).or_default().push(i);
        }
    }
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| match l.and_then(|l| by.get(&l)) {
            Some(group) => group.clone(),
            None => vec![i],
        })
        .collect()
}

/// BCubed sums of `predicted` against `reference`: one label per entry on both sides.
///
/// # Panics
///
/// When the two sides label a different number of entries: they must describe the same
/// entries, and no input can make them differ.
pub fn bcubed(predicted: &[Option<usize>], reference: &[Option<usize>]) -> Totals {
    assert_eq!(
        predicted.len(),
        reference.len(),
        "one label per entry on both sides"
    );
    let p = members(predicted);
    let g = members(reference);
    let mut t = Totals {
        entries: predicted.len(),
        ..Totals::default()
    };
    for (pi, gi) in p.iter().zip(&g) {
        let common = pi.iter().filter(|x| gi.contains(x)).count() as f64;
        t.precision += common / pi.len() as f64;
        t.recall += common / gi.len() as f64;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_singleton_scores() {
        let gold = [Some(0), Some(0), Some(1), Some(1), None];
        assert_eq!(bcubed(&gold, &gold).f1(), 1.0);
        let singletons = bcubed(&[None; 5], &gold);
        assert_eq!(singletons.mean_precision(), 1.0);
        assert!((singletons.mean_recall() - 0.6).abs() < 1e-12);
    }

    #[test]
    fn one_big_cluster_loses_precision() {
        let gold = [Some(0), Some(0), Some(1), Some(1)];
        let t = bcubed(&[Some(9); 4], &gold);
        assert!((t.mean_precision() - 0.5).abs() < 1e-12);
        assert_eq!(t.mean_recall(), 1.0);
    }
}
