//! Topics of the project's earlier releases, and the shape of its grouping.
//!
//! A group whose entries match a group of an earlier final release well continues that
//! topic: it takes the maintainers' own title (and their description when it was written
//! for the same category); its tier still comes from its own shape. Maintainers' titles
//! recur from release to release with small drifts, so their words are the best a
//! generated title can be. How alike is "well" is learned from the same history
//! ([`learned_threshold`]); a title naming two topics (`A and B`) is taken only when both
//! are topics of the group.
//!
//! The same history tells how coarse the project groups: how many subsections a category
//! gets for its number of entries. [`max_groups`] turns that into a cap.

use std::collections::HashMap;

use super::{Context, HistorySection, quality, text};

/// How alike (cosine of the TF-IDF word bags) a group and an earlier group must be for
/// the group to continue that topic, when the history has no recurring title to learn it
/// from.
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

impl Continued {
    /// Group `g` of an earlier `section`, continued in `category`: its title, and its
    /// description when it was written for the same category and reads well.
    fn of(section: &HistorySection, g: usize, category: &str, similarity: f64) -> Continued {
        let (title, description) = &section.groups[g];
        let same_category = section.category.eq_ignore_ascii_case(category);
        let description = (same_category && quality::description_fault(description).is_none())
            .then(|| description.trim().to_string());
        Continued {
            title: title.clone(),
            description,
            similarity,
            release: section.release.clone(),
        }
    }
}

type Bag = HashMap<String, f64>;

/// The unit-length TF-IDF bag of words of some texts.
fn bag<'a>(texts: impl IntoIterator<Item = &'a str>, ctx: &Context) -> Bag {
    let mut out: Bag = HashMap::new();
    for t in texts {
        for (w, x) in raw_bag(t, ctx) {
            *out.entry(w).or_default() += x;
        }
    }
    normalised(out)
}

/// The TF-IDF weights of one text, before scaling to unit length.
fn raw_bag(text: &str, ctx: &Context) -> Bag {
    let mut out: Bag = HashMap::new();
    for w in text::words(text) {
        let idf = ctx.corpus.idf(&w);
        if idf > 0.0 && !ctx.only_components(std::slice::from_ref(&w)) {
            *out.entry(w).or_default() += idf;
        }
    }
    out
}

fn normalised(mut bag: Bag) -> Bag {
    let norm = bag.values().map(|v| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        for v in bag.values_mut() {
            *v /= norm;
        }
    }
    bag
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
#[derive(Debug, Clone, Default)]
pub(crate) struct Topics {
    /// Each titled group of the history: its bag, its section (index in the context's
    /// history) and its index there.
    groups: Vec<(Bag, usize, usize)>,
    /// The group (index in `groups`) of every entry of a titled group.
    entries: Vec<usize>,
    /// word → the entries holding it, with its weight in their bags: an entry is compared
    /// only with the earlier entries it shares a word with.
    index: HashMap<String, Vec<(usize, f64)>>,
    /// How alike a group must be to an earlier one to continue it ([`learned_threshold`]).
    threshold: f64,
}

impl Topics {
    /// The history's groups whose titles read well. Built once per context
    /// ([`Context::topics`]): every category's grouping asks it.
    pub(crate) fn of(ctx: &Context) -> Topics {
        let mut groups = Vec::new();
        let mut entries = Vec::new();
        let mut index: HashMap<String, Vec<(usize, f64)>> = HashMap::new();
        for (si, s) in ctx.history.iter().enumerate() {
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
                // Each entry is read once: its weights make its own bag and add to its
                // group's.
                let mut whole: Bag = HashMap::new();
                for m in &members {
                    let raw = raw_bag(m, ctx);
                    for (w, x) in &raw {
                        *whole.entry(w.clone()).or_default() += x;
                    }
                    for (w, x) in normalised(raw) {
                        index.entry(w).or_default().push((entries.len(), x));
                    }
                    entries.push(groups.len());
                }
                groups.push((normalised(whole), si, g));
            }
        }
        let threshold = learned_threshold(&groups, &ctx.history).unwrap_or(MIN_TOPIC_SIMILARITY);
        Topics {
            groups,
            entries,
            index,
            threshold,
        }
    }

    /// The earlier topic that a group of `texts` in `category` continues, if any: the title
    /// most of its entries' nearest earlier entries were filed under ([`Topics::voted`]),
    /// else the most similar titled group of the history (newest first on a tie). Either
    /// must be alike enough and name only topics of the group ([`names_topics_of`]).
    pub(crate) fn continued(
        &self,
        texts: &[&str],
        category: &str,
        ctx: &Context,
    ) -> Option<Continued> {
        if self.groups.is_empty() || texts.is_empty() {
            return None;
        }
        if let Some(c) = self.voted(texts, category, ctx) {
            return Some(c);
        }
        let mine = bag(texts.iter().copied(), ctx);
        let mut best: Option<(f64, &HistorySection, usize)> = None;
        for (theirs, si, g) in &self.groups {
            let s = &ctx.history[*si];
            let mut sim = cosine(&mine, theirs);
            if !s.category.eq_ignore_ascii_case(category) {
                sim *= OTHER_CATEGORY;
            }
            if sim >= self.threshold
                && best.is_none_or(|(b, _, _)| sim > b + 1e-12)
                && names_topics_of(&s.groups[*g].0, texts)
            {
                best = Some((sim, s, *g));
            }
        }
        let (similarity, section, g) = best?;
        Some(Continued::of(section, g, category, similarity))
    }
}

impl Topics {
    /// The earlier topic most of a group's entries come from: each entry votes for the
    /// title of its nearest earlier entry (when that one is alike enough), titles counted
    /// across releases; a title that holds a majority of the entries wins.
    fn voted(&self, texts: &[&str], category: &str, ctx: &Context) -> Option<Continued> {
        // title key → (votes, similarity sum, newest group)
        let mut votes: HashMap<String, (usize, f64, usize)> = HashMap::new();
        // Performance: the cosines of one entry with every earlier entry sharing a word,
        // summed through the index (the others are 0 and never vote).
        let mut dots = vec![0.0; self.entries.len()];
        let mut touched: Vec<usize> = Vec::new();
        for t in texts {
            for (w, x) in bag([*t], ctx) {
                for &(e, y) in self.index.get(&w).map(Vec::as_slice).unwrap_or_default() {
                    if dots[e] == 0.0 {
                        touched.push(e);
                    }
                    dots[e] += x * y;
                }
            }
            // The most similar earlier entry, the newest on a tie.
            touched.sort_unstable();
            let mut best: Option<(f64, usize)> = None;
            for &e in &touched {
                let g = self.entries[e];
                let mut sim = std::mem::take(&mut dots[e]);
                if !ctx.history[self.groups[g].1]
                    .category
                    .eq_ignore_ascii_case(category)
                {
                    sim *= OTHER_CATEGORY;
                }
                if best.is_none_or(|(b, _)| sim > b + 1e-12) {
                    best = Some((sim, g));
                }
            }
            touched.clear();
            let Some((sim, g)) = best.filter(|(sim, _)| *sim >= self.threshold && *sim > 0.0)
            else {
                continue;
            };
            let (_, si, gi) = &self.groups[g];
            let key = text::normalize_phrase(&ctx.history[*si].groups[*gi].0);
            let slot = votes.entry(key).or_insert((0, 0.0, g));
            slot.0 += 1;
            slot.1 += sim;
            slot.2 = slot.2.min(g);
        }
        let (count, sum, g) = votes
            .into_values()
            .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(b.2.cmp(&a.2)))?;
        if count * 2 <= texts.len() {
            return None;
        }
        let (_, si, gi) = &self.groups[g];
        let section = &ctx.history[*si];
        if !names_topics_of(&section.groups[*gi].0, texts) {
            return None;
        }
        Some(Continued::of(section, *gi, category, sum / count as f64))
    }
}

/// The similarity from which the project's own history says "same topic": every earlier
/// group is matched to its most similar group of an older release, and the cut that best
/// separates the matches whose titles share a word (the maintainers kept the topic, maybe
/// with a drift: `Fair Share Scheduler` → `Fair Share Scheduler Enhancements`) from those
/// that share none (fewest errors either way) is the threshold. `None` when no match
/// shares a title word.
fn learned_threshold(groups: &[(Bag, usize, usize)], history: &[HistorySection]) -> Option<f64> {
    let words = |i: usize| {
        let (_, si, g) = &groups[i];
        let mut w = text::words(&history[*si].groups[*g].0);
        w.sort();
        w.dedup();
        w
    };
    let same = |i: usize, j: usize| {
        let b = words(j);
        words(i).iter().any(|w| b.contains(w))
    };
    let mut matches: Vec<(f64, bool)> = Vec::new();
    for (i, (mine, si, _)) in groups.iter().enumerate() {
        let s = &history[*si];
        // The history is newest first: the older releases' groups come after this one's.
        let mut best: Option<(f64, usize)> = None;
        for (j, (theirs, ti, _)) in groups.iter().enumerate().skip(i + 1) {
            let t = &history[*ti];
            if t.release == s.release {
                continue;
            }
            let mut sim = cosine(mine, theirs);
            if !t.category.eq_ignore_ascii_case(&s.category) {
                sim *= OTHER_CATEGORY;
            }
            if best.is_none_or(|(b, _)| sim > b + 1e-12) {
                best = Some((sim, j));
            }
        }
        if let Some((sim, j)) = best {
            matches.push((sim, same(i, j)));
        }
    }
    if !matches.iter().any(|(_, same)| *same) {
        return None;
    }
    matches.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Cutting below match k: the kept titles below it and the changed ones from it on are
    // the errors.
    let changed_total = matches.iter().filter(|(_, same)| !same).count();
    let mut best = (usize::MAX, MIN_TOPIC_SIMILARITY);
    let (mut kept_below, mut changed_below) = (0, 0);
    for k in 0..=matches.len() {
        let errors = kept_below + (changed_total - changed_below);
        let cut = match (k.checked_sub(1).map(|p| matches[p].0), matches.get(k)) {
            (Some(lo), Some((hi, _))) => (lo + hi) / 2.0,
            (None, Some((hi, _))) => *hi,
            (Some(lo), None) => lo + 1e-9,
            (None, None) => MIN_TOPIC_SIMILARITY,
        };
        if errors < best.0 {
            best = (errors, cut);
        }
        if let Some((_, same)) = matches.get(k) {
            if *same {
                kept_below += 1;
            } else {
                changed_below += 1;
            }
        }
    }
    Some(best.1)
}

/// True when every topic a title names (`App Proxy`, `Routing` of `App Proxy and Routing`)
/// is a topic of the group: one of its words runs through a third of the entries (at
/// least one). A title naming one topic always does; it matched the entries as a whole.
fn names_topics_of(title: &str, texts: &[&str]) -> bool {
    let parts: Vec<Vec<String>> = title
        .split(" and ")
        .flat_map(|p| p.split(['&', ',', '/']))
        .map(text::words)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return true;
    }
    let entries: Vec<Vec<String>> = texts.iter().map(|t| text::words(t)).collect();
    let needed = texts.len().div_ceil(3).max(1);
    parts.iter().all(|part| {
        part.iter()
            .any(|w| entries.iter().filter(|e| e.contains(w)).count() >= needed)
    })
}

/// [`Topics::continued`] for one group.
#[cfg(test)]
fn continued(texts: &[&str], category: &str, ctx: &Context) -> Option<Continued> {
    ctx.topics().continued(texts, category, ctx)
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

    /// Two releases: "Fair Share" and "Notifications" recur; "Message Queue" is new.
    /// A context whose history is [`two_releases`], its entries the corpus.
    fn two_releases_ctx() -> Context {
        let history = two_releases();
        let texts: Vec<String> = history
            .iter()
            .flat_map(|s| s.entries.iter().map(|(t, _)| t.clone()))
            .collect();
        Context::new(
            Corpus::new(texts.iter().map(String::as_str)),
            history,
            &[],
            2,
        )
    }

    fn two_releases() -> Vec<HistorySection> {
        let section = |release: &str, groups: [(&str, [&str; 2]); 3]| HistorySection {
            release: release.into(),
            category: "Features".into(),
            entries: groups
                .iter()
                .enumerate()
                .flat_map(|(g, (_, texts))| texts.iter().map(move |t| (t.to_string(), Some(g))))
                .collect(),
            groups: groups
                .iter()
                .map(|(title, _)| (title.to_string(), String::new()))
                .collect(),
        };
        vec![
            section(
                "2.0.0",
                [
                    (
                        "Fair Share Scheduler Enhancements",
                        ["Add fair share decay", "Tune fair share weights"],
                    ),
                    (
                        "Notifications",
                        [
                            "Add slack notification channel",
                            "Retry notification delivery",
                        ],
                    ),
                    (
                        "Message Queue",
                        [
                            "Add message queue consumer groups",
                            "Add message queue dead letters",
                        ],
                    ),
                ],
            ),
            section(
                "1.0.0",
                [
                    (
                        "Fair Share Scheduler",
                        ["Add fair share weights", "Add fair share usage buckets"],
                    ),
                    (
                        "Notifications",
                        [
                            "Add webhook notification channel",
                            "Add email notification channel",
                        ],
                    ),
                    ("Event Bus", ["Add the event bus", "Add event bus metrics"]),
                ],
            ),
        ]
    }

    #[test]
    fn the_history_says_how_alike_a_continued_topic_is() {
        let c = two_releases_ctx();
        let history = c.history.clone();
        let topics = Topics::of(&c);
        // The topics that kept a title word match their earlier group better than the one
        // that did not: the cut lies between them.
        let sim = |a: usize, b: usize| cosine(&topics.groups[a].0, &topics.groups[b].0);
        let kept = sim(0, 3).min(sim(1, 4));
        let changed = sim(2, 5);
        assert!(changed < kept, "{changed} vs {kept}");
        assert!(
            changed < topics.threshold && topics.threshold <= kept,
            "{} not in ({changed}, {kept}]",
            topics.threshold
        );
        // A release alone has nothing to learn from.
        let one = Context::new(c.corpus.clone(), history[..1].to_vec(), &[], 2);
        assert_eq!(Topics::of(&one).threshold, MIN_TOPIC_SIMILARITY);
    }

    #[test]
    fn entries_vote_for_the_topic_of_their_nearest_earlier_entries() {
        let c = two_releases_ctx();
        let topics = Topics::of(&c);
        let found = topics
            .voted(
                &[
                    "Add a matrix notification channel",
                    "Notification channel retries",
                    "Fix typo",
                ],
                "Features",
                &c,
            )
            .expect("two of three entries vote for Notifications");
        assert_eq!(found.title, "Notifications");
        // No majority: no vote.
        assert!(
            topics
                .voted(
                    &["Add a matrix notification channel", "Fix typo", "Tidy docs"],
                    "Features",
                    &c
                )
                .is_none()
        );
    }

    #[test]
    fn a_title_naming_two_topics_needs_both_in_the_group() {
        let proxy = ["Fix app proxy timeout", "Fix app proxy headers"];
        assert!(!names_topics_of("App Proxy and Routing", &proxy));
        assert!(names_topics_of("App Proxy", &proxy));
        let both = [
            "Fix app proxy timeout",
            "Fix routing table refresh",
            "Fix app proxy routing headers",
        ];
        assert!(names_topics_of("App Proxy and Routing", &both));
        assert!(names_topics_of("App Proxy & Routing", &both));
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
