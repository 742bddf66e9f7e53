//! BCubed precision, recall and F1 of a grouping against a reference grouping.
//!
//! For every entry: precision is the share of its predicted group that is also in its
//! reference group, recall the share of its reference group found in its predicted group.
//! Entries without a group (`None`, e.g. "Other") are singletons on both sides. Sums are
//! kept so that scores can be micro-averaged over several categories or releases.

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
        .map(|(i, l)| match l {
            Some(l) => by[l].clone(),
            None => vec![i],
        })
        .collect()
}

/// BCubed sums of `predicted` against `reference` (same length, labels per entry).
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
    for i in 0..predicted.len() {
        let common = p[i].iter().filter(|x| g[i].contains(x)).count() as f64;
        t.precision += common / p[i].len() as f64;
        t.recall += common / g[i].len() as f64;
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

/// A reference section in the shape of `gold.json` / `consolidate --format json`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Reference {
    pub version: String,
    pub categories: Vec<ReferenceCategory>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReferenceCategory {
    pub name: String,
    pub groups: Vec<ReferenceGroup>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReferenceGroup {
    pub title: Option<String>,
    #[serde(default)]
    pub other: bool,
    pub items: Vec<ReferenceItem>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReferenceItem {
    #[serde(default)]
    pub prs: Vec<u64>,
    pub text: String,
}

impl ReferenceCategory {
    /// True when the reference groups this category into titled subsections.
    pub fn is_grouped(&self) -> bool {
        self.groups.iter().any(|g| g.title.is_some())
    }

    /// The category's entries and their reference labels ("Other" and untitled: `None`).
    pub fn items_and_labels(&self) -> (Vec<crate::group::Item>, Vec<Option<usize>>) {
        let mut items = Vec::new();
        let mut labels = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            for it in &group.items {
                items.push(crate::group::Item::new(it.text.clone(), it.prs.clone()));
                labels.push((group.title.is_some() && !group.other).then_some(g));
            }
        }
        (items, labels)
    }
}

/// Score a strategy against a reference release: BCubed over the entries of every
/// category the reference groups, micro-averaged.
pub fn evaluate(
    reference: &Reference,
    grouper: &dyn crate::group::Grouper,
    ctx: &crate::group::Context,
) -> crate::Result<Totals> {
    let mut total = Totals::default();
    for c in reference.categories.iter().filter(|c| c.is_grouped()) {
        let (items, gold) = c.items_and_labels();
        let grouping = crate::group::group_category(grouper, &c.name, &items, ctx)?;
        total.add(&bcubed(&grouping.labels(items.len()), &gold));
    }
    Ok(total)
}

/// The strategies [`evaluate_release`] scores, in order.
pub const EVALUATED: [&str; 4] = [
    "singletons",
    "similarity",
    "rules(learned)",
    "auto(learned)",
];

/// Every entry alone: the floor of any grouping.
struct Singletons;

impl crate::group::Grouper for Singletons {
    fn name(&self) -> &str {
        "singletons"
    }
    fn propose(
        &self,
        _: &str,
        _: &[crate::group::Item],
        _: &[usize],
        _: &crate::group::Context,
    ) -> crate::Result<Vec<crate::group::Proposal>> {
        Ok(Vec::new())
    }
}

/// Score the strategies of [`EVALUATED`] against a published release, learning rules only
/// from the changelog as it stood before that release (`before`).
pub fn evaluate_release(
    before: &crate::changelog::Changelog,
    reference: &Reference,
    similarity: &crate::group::similarity::Similarity,
    components: &[String],
    grouped_categories: &[String],
) -> crate::Result<[Totals; 4]> {
    use crate::group::{self, learn};
    let version = crate::version::Version::parse(&reference.version)?;
    let pending_sections = before.releases_for(&version);
    let texts: Vec<String> = before
        .releases()
        .iter()
        .flat_map(|r| r.entries().map(|e| e.text.clone()))
        .collect();
    let corpus = group::Corpus::new(texts.iter().map(String::as_str));
    let history = crate::consolidate::history(before, &pending_sections);
    let ctx = group::Context::new(corpus, history, components, 2);
    let pending = learn::pending_categories(before, grouped_categories);
    let learned = learn::learn(&learn::grouped_sections(before), &pending, &texts, &ctx);
    let rules = group::rules::RulesFile::parse(
        std::path::Path::new("learned.toml"),
        &learn::to_toml(&learned, "the changelog before the release"),
    )?;
    let by_rules = group::rules::Rules::new(rules.clone());
    let auto = group::auto::Auto::new(Some(rules), None).with_similarity(similarity.clone());
    let groupers: [&dyn group::Grouper; 4] = [&Singletons, similarity, &by_rules, &auto];
    let mut out = [Totals::default(); 4];
    for (slot, g) in out.iter_mut().zip(groupers) {
        *slot = evaluate(reference, g, &ctx)?;
    }
    Ok(out)
}
