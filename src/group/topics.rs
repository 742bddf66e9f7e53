//! Topics of the project's earlier releases, and the shape of its grouping.
//!
//! A group whose entries match a group of an earlier final release well continues that
//! topic: it takes the maintainers' own title (and their description when it was written
//! for the same category); its tier still comes from its own shape. Maintainers' titles recur from release to release with small
//! drifts, so their words are the best a generated title can be.
//!
//! The same history tells how coarse the project groups: how many subsections a category
//! gets for its number of entries. [`max_groups`] turns that into a cap.

use std::collections::HashMap;

use super::{Context, HistorySection, quality, text};

/// How alike (cosine of the TF-IDF word bags) a group and an earlier group must be for
/// the group to continue that topic.
const MIN_TOPIC_SIMILARITY: f64 = 0.3;
/// An earlier group of another category matches a little less.
const OTHER_CATEGORY: f64 = 0.85;

/// An earlier topic a group continues.
#[derive(Debug, Clone)]
pub(crate) struct Continued {
    pub title: String,
    /// The earlier description, when it was written for the same category and reads well.
    pub description: Option<String>,
    pub similarity: f64,
    pub release: String,
}

type Bag = HashMap<String, f64>;

/// The unit-length TF-IDF bag of words of some texts.
fn bag<'a>(texts: impl IntoIterator<Item = &'a str>, ctx: &Context) -> Bag {
    let mut out: Bag = HashMap::new();
    for t in texts {
        for w in text::words(t) {
            let idf = ctx.corpus.idf(&w);
            if idf > 0.0 && !ctx.only_components(std::slice::from_ref(&w)) {
                *out.entry(w).or_default() += idf;
            }
        }
    }
    let norm = out.values().map(|v| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        for v in out.values_mut() {
            *v /= norm;
        }
    }
    out
}

fn cosine(a: &Bag, b: &Bag) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(w, x)| large.get(w).map(|y| x * y))
        .sum()
}

/// The titled groups of the history, each with its word bag, ready to be matched
/// (prepared once per category, not once per group).
pub(crate) struct Topics<'a> {
    groups: Vec<(Bag, &'a HistorySection, usize)>,
}

impl<'a> Topics<'a> {
    /// The history's groups whose titles read well.
    pub(crate) fn of(ctx: &'a Context) -> Topics<'a> {
        let mut groups = Vec::new();
        for s in &ctx.history {
            for (g, (title, _)) in s.groups.iter().enumerate() {
                let members: Vec<&str> = s
                    .entries
                    .iter()
                    .filter(|(_, l)| *l == Some(g))
                    .map(|(t, _)| t.as_str())
                    .collect();
                if members.is_empty() || quality::is_unfit_title(title, &members) {
                    continue;
                }
                groups.push((bag(members.iter().copied(), ctx), s, g));
            }
        }
        Topics { groups }
    }

    /// The earlier topic that a group of `texts` in `category` continues, if any: the most
    /// similar titled group of the history (newest first on a tie).
    pub(crate) fn continued(
        &self,
        texts: &[&str],
        category: &str,
        ctx: &Context,
    ) -> Option<Continued> {
        if self.groups.is_empty() || texts.is_empty() {
            return None;
        }
        let mine = bag(texts.iter().copied(), ctx);
        let mut best: Option<(f64, &HistorySection, usize)> = None;
        for (theirs, s, g) in &self.groups {
            let mut sim = cosine(&mine, theirs);
            if !s.category.eq_ignore_ascii_case(category) {
                sim *= OTHER_CATEGORY;
            }
            if sim >= MIN_TOPIC_SIMILARITY && best.is_none_or(|(b, _, _)| sim > b + 1e-12) {
                best = Some((sim, s, *g));
            }
        }
        let (similarity, section, g) = best?;
        let (title, description) = &section.groups[g];
        let same_category = section.category.eq_ignore_ascii_case(category);
        let description = (same_category && quality::description_fault(description).is_none())
            .then(|| description.trim().to_string());
        Some(Continued {
            title: title.clone(),
            description,
            similarity,
            release: section.release.clone(),
        })
    }
}

/// [`Topics::continued`] for one group.
#[cfg(test)]
fn continued(texts: &[&str], category: &str, ctx: &Context) -> Option<Continued> {
    Topics::of(ctx).continued(texts, category, ctx)
}

/// Subsections per square root of a category's entries when there is no grouped history:
/// about 6–9 subsections for 50–140 entries.
const DEFAULT_GROUPS_PER_ROOT: f64 = 0.8;

/// The most subsections a category of `entries` entries should get: the project's own
/// history (subsections against the square root of entries, averaged over its grouped
/// categories), or a default without history. Never below one.
pub fn max_groups(entries: usize, ctx: &Context) -> usize {
    let mut sum = 0.0;
    let mut weight = 0.0;
    for s in &ctx.history {
        let n = s.entries.len();
        let titled = s.groups.len()
            - s.groups
                .iter()
                .filter(|(t, _)| t.to_lowercase().starts_with("other "))
                .count();
        if n < 4 || titled == 0 {
            continue;
        }
        // Weighted by size: large sections say more about the shape.
        let root = (n as f64).sqrt();
        sum += titled as f64;
        weight += root;
    }
    let per_root = if weight > 0.0 {
        sum / weight
    } else {
        DEFAULT_GROUPS_PER_ROOT
    };
    ((per_root * (entries as f64).sqrt()).round() as usize).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::Corpus;

    fn history() -> Vec<HistorySection> {
        vec![HistorySection {
            release: "1.0.0".into(),
            category: "Features".into(),
            entries: vec![
                ("Add fair share weights".into(), Some(0)),
                ("Add fair share usage buckets".into(), Some(0)),
                ("Add webhook notification channel".into(), Some(1)),
                ("Add email notification channel".into(), Some(1)),
                ("Fix typo".into(), None),
            ],
            groups: vec![
                (
                    "Fair Share Scheduler".into(),
                    "Added a fair share scheduler.".into(),
                ),
                ("Notifications".into(), "Added notifications.".into()),
            ],
        }]
    }

    fn ctx() -> Context {
        let texts = [
            "Add fair share weights",
            "Add fair share usage buckets",
            "Add webhook notification channel",
            "Add email notification channel",
            "Fix typo",
            "Add retry to the event bus",
        ];
        Context::new(Corpus::new(texts), history(), &[], 2)
    }

    #[test]
    fn a_group_continuing_an_earlier_topic_takes_its_title() {
        let c = ctx();
        let found = continued(
            &[
                "Expose fair share weights in the API",
                "Tune fair share decay",
            ],
            "Features",
            &c,
        )
        .expect("continues Fair Share Scheduler");
        assert_eq!(found.title, "Fair Share Scheduler");
        assert_eq!(
            found.description.as_deref(),
            Some("Added a fair share scheduler.")
        );
        // Under another category the title carries, the description does not.
        let fix = continued(&["Fix fair share weights rounding"], "Fixes", &c).unwrap();
        assert_eq!(fix.title, "Fair Share Scheduler");
        assert_eq!(fix.description, None);
        assert!(continued(&["Add retry to the event bus"], "Features", &c).is_none());
    }

    #[test]
    fn the_cap_follows_the_history_or_the_default() {
        let c = ctx();
        // Two subsections for five entries.
        assert_eq!(max_groups(5, &c), 2);
        assert_eq!(max_groups(20, &c), 4);
        let none = Context::default();
        assert_eq!(max_groups(100, &none), 8);
        assert_eq!(max_groups(0, &none), 1);
    }
}
