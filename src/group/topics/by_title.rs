//! Earlier titles taken by their own words: how much a title's words speak of a group
//! against the rest of its section, and the cut the history teaches for it.

use std::collections::HashMap;

use foldhash::fast::FixedState;

use super::{OTHER_CATEGORY, best_cut};
use crate::group::{HistorySection, quality, text};

/// An earlier title that a group of the section may take by the title's own words: its
/// section (index in the context's history), its group there, and its words.
#[derive(Debug, Clone)]
pub(super) struct EarlierTitle {
    pub(super) section: usize,
    pub(super) group: usize,
    pub(super) words: Vec<String>,
}

/// How well a title's words speak of a group's entries against the rest of its section,
/// when the history has no recurring titles to learn it from ([`learned_title_cut`]).
pub(super) const MIN_TITLE_MATCH: f64 = 0.5;

/// Which entries of a section hold each word: the groups of a section are compared by
/// the share of their entries speaking of a title's words, against the rest.
pub(super) struct SectionWords {
    /// The words of each entry of the section, deduplicated.
    entries: Vec<Vec<String>>,
    /// word → how many entries of the section hold it.
    held: HashMap<String, usize, FixedState>,
}

impl SectionWords {
    pub(super) fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> SectionWords {
        let entries: Vec<Vec<String>> = texts
            .into_iter()
            .map(|t| {
                let mut w = text::words(t);
                w.sort();
                w.dedup();
                w
            })
            .collect();
        let mut held: HashMap<String, usize, FixedState> = HashMap::default();
        for e in &entries {
            for w in e {
                *held.entry(w.clone()).or_default() += 1;
            }
        }
        SectionWords { entries, held }
    }

    /// How much a title of `words` speaks of the group `members` (indices into the
    /// section's entries) more than of the rest of the section: for each title word, the
    /// share of the group's entries holding it less its share among the other entries
    /// (class-based: a word every entry writes tells nothing), averaged over the title's
    /// words, so a title whose words the entries do not write matches less.
    pub(super) fn match_of(
        &self,
        words: &[String],
        members: &[usize],
        counts: &HashMap<&str, usize, FixedState>,
    ) -> f64 {
        if words.is_empty() || members.is_empty() {
            return 0.0;
        }
        let n = members.len() as f64;
        let rest = self.entries.len().saturating_sub(members.len()).max(1) as f64;
        let sum: f64 = words
            .iter()
            .map(|w| {
                let (inside, outside) = self.inside_outside(w, counts);
                (inside as f64 / n - outside as f64 / rest).max(0.0)
            })
            .sum();
        sum / words.len() as f64
    }

    /// True when the group `members` names the topic of `title`: one of the title's words
    /// (not the kind of change, `Fixes`, nor the category's own words) runs through a third
    /// of its entries (at least one) and through more of them than of the rest of the
    /// section.
    pub(super) fn names(&self, title: &str, members: &[usize], category: &str) -> bool {
        if members.is_empty() {
            return false;
        }
        let generic = generic_words(category);
        let counts = self.counts(members);
        let n = members.len();
        let rest = self.entries.len().saturating_sub(n).max(1) as f64;
        text::words(title)
            .iter()
            .filter(|w| !generic.contains(w))
            .any(|w| {
                let (inside, outside) = self.inside_outside(w, &counts);
                inside >= n.div_ceil(3).max(1) && inside as f64 / n as f64 > outside as f64 / rest
            })
    }

    /// How many of a group's entries hold `w` (from its `counts`), and how many of the
    /// rest of the section do.
    fn inside_outside(&self, w: &str, counts: &HashMap<&str, usize, FixedState>) -> (usize, usize) {
        let inside = counts.get(w).copied().unwrap_or(0);
        let outside = self
            .held
            .get(w)
            .copied()
            .unwrap_or(0)
            .saturating_sub(inside);
        (inside, outside)
    }

    /// word → how many of `members` hold it.
    pub(super) fn counts(&self, members: &[usize]) -> HashMap<&str, usize, FixedState> {
        let mut counts: HashMap<&str, usize, FixedState> = HashMap::default();
        for &m in members {
            for w in &self.entries[m] {
                *counts.entry(w.as_str()).or_default() += 1;
            }
        }
        counts
    }
}

/// The best earlier title for each group of a section, by the titles' own words: every
/// pair (group, earlier title) whose match reaches `cut` is a candidate (an earlier title
/// of another category matches a little less). Titles recur from release to release with
/// small drifts, so the newest release's titles are offered first, then the older
/// releases' — within a release, the best match first; each group takes at most one
/// title and each title goes to at most one group, none of those in `taken`. Returns, per group, the earlier title (index into `titles`) and its
/// match.
pub(super) fn match_titles(
    section: &SectionWords,
    groups: &[Vec<usize>],
    titles: &[(usize, &EarlierTitle)],
    category: &str,
    history: &[HistorySection],
    cut: f64,
    taken: &mut Vec<String>,
) -> Vec<Option<(usize, f64)>> {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (gi, members) in groups.iter().enumerate() {
        let counts = section.counts(members);
        for &(ti, t) in titles {
            let mut m = section.match_of(&t.words, members, &counts);
            if !history[t.section].category.eq_ignore_ascii_case(category) {
                m *= OTHER_CATEGORY;
            }
            if m >= cut && m > 0.0 {
                pairs.push((m, gi, ti));
            }
        }
    }
    // The newest release first (the history is newest first), then the best match.
    let age = release_ages(history);
    let age_of = |ti: usize| age[titles[ti].1.section];
    pairs.sort_by(|a, b| {
        age_of(a.2)
            .cmp(&age_of(b.2))
            .then(b.0.total_cmp(&a.0))
            .then(a.2.cmp(&b.2))
            .then(a.1.cmp(&b.1))
    });
    let mut out = vec![None; groups.len()];
    for (m, gi, ti) in pairs {
        let key = text::normalize_phrase(&title_of(history, titles, ti));
        if out[gi].is_some() || taken.contains(&key) {
            continue;
        }
        taken.push(key);
        out[gi] = Some((ti, m));
    }
    out
}

/// For each section of the history (newest first), how many releases are newer than its
/// own: the sections of one release are as old as each other.
fn release_ages(history: &[HistorySection]) -> Vec<usize> {
    let mut seen: Vec<&str> = Vec::new();
    history
        .iter()
        .map(|s| {
            if !seen.contains(&s.release.as_str()) {
                seen.push(&s.release);
            }
            seen.len() - 1
        })
        .collect()
}

/// The title of `titles[ti]`.
fn title_of(history: &[HistorySection], titles: &[(usize, &EarlierTitle)], ti: usize) -> String {
    let t = titles[ti].1;
    history[t.section].groups[t.group].0.clone()
}

/// The match from which the project's own history says a group takes an earlier title by
/// its words: each earlier grouped section's groups are matched (as [`match_titles`]
/// does) to the titles of the releases older than it, and the cut that best separates
/// the matches whose title shares most of its words with the maintainers' own (Dice of
/// the title words at least one half) from the others is the cut. `None` when no match
/// does.
pub(super) fn learned_title_cut(
    titles: &[EarlierTitle],
    history: &[HistorySection],
) -> Option<f64> {
    let mut matches: Vec<(f64, bool)> = Vec::new();
    for (si, s) in history.iter().enumerate() {
        let older: Vec<(usize, &EarlierTitle)> = titles
            .iter()
            .filter(|t| t.section > si && history[t.section].release != s.release)
            .enumerate()
            .collect();
        let mine: Vec<&EarlierTitle> = titles.iter().filter(|t| t.section == si).collect();
        if older.is_empty() || mine.is_empty() {
            continue;
        }
        let section = SectionWords::of(s.entries.iter().map(|(t, _)| t.as_str()));
        let groups: Vec<Vec<usize>> = mine
            .iter()
            .map(|t| {
                (0..s.entries.len())
                    .filter(|&e| s.entries[e].1 == Some(t.group))
                    .collect()
            })
            .collect();
        let found = match_titles(
            &section,
            &groups,
            &older,
            &s.category,
            history,
            f64::MIN_POSITIVE,
            &mut Vec::new(),
        );
        for (t, f) in mine.iter().zip(found) {
            if let Some((ti, m)) = f {
                let kept = dice(&older[ti].1.words, &t.words) >= 0.5;
                matches.push((m, kept));
            }
        }
    }
    best_cut(matches)
}

/// Dice coefficient of two sets of words.
fn dice(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let shared = a.iter().filter(|w| b.contains(w)).count();
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

impl super::Topics {
    /// Groups of the section's `leftovers` (indices into `section`: entries no cluster
    /// holds) gathered by the words of an earlier title: each leftover may go to the
    /// earlier titles most of whose words it writes (not the kind of change nor the
    /// category's own words; every one of them on a tie), and the title that gathers the
    /// most leftovers still free takes them first (the newest on a tie), so that entries
    /// one title names together are not split between titles each names alone. The
    /// leftovers of a title are a group when they are at least `min_size`, the title names
    /// them ([`SectionWords::names`], both topics of an `A and B` title) and speaks of
    /// them more than of the rest of the section as well as a title taken by its words
    /// must ([`learned_title_cut`]). Largest first, each with the earlier topic it
    /// continues (its title, and its description when written for the same category).
    pub(crate) fn gathered_by_titles(
        &self,
        section: &[&str],
        leftovers: &[usize],
        category: &str,
        ctx: &crate::group::Context,
    ) -> Vec<(Vec<usize>, super::Continued)> {
        if leftovers.is_empty() {
            return Vec::new();
        }
        let generic = generic_words(category);
        let words = SectionWords::of(section.iter().copied());
        // Each earlier title's own words (not generic), once for every leftover.
        let owns: Vec<Vec<&String>> = self
            .titles
            .iter()
            .map(|t| t.words.iter().filter(|w| !generic.contains(w)).collect())
            .collect();
        // Each leftover with the earlier titles it writes the largest share of the own
        // words of (all of them on a tie).
        let mut writes: Vec<Vec<usize>> = vec![Vec::new(); self.titles.len()];
        for &k in leftovers {
            let mine = &words.entries[k];
            let shares: Vec<(usize, f64)> = owns
                .iter()
                .enumerate()
                .filter(|(_, own)| !own.is_empty())
                .filter_map(|(ti, own)| {
                    let written = own.iter().filter(|w| mine.contains(w)).count();
                    (written > 0).then(|| (ti, written as f64 / own.len() as f64))
                })
                .collect();
            let best = shares.iter().map(|s| s.1).fold(0.0, f64::max);
            for (ti, share) in shares {
                if share >= best - 1e-12 {
                    writes[ti].push(k);
                }
            }
        }
        // Greedy cover: the title that gathers the most leftovers still free (and fits)
        // first, the newest on a tie; its entries are then taken.
        let mut free: std::collections::HashSet<usize> = leftovers.iter().copied().collect();
        let mut open: Vec<usize> = (0..self.titles.len())
            .filter(|&ti| writes[ti].len() >= ctx.min_size.max(2))
            .collect();
        let mut used: Vec<String> = Vec::new();
        let mut out: Vec<(Vec<usize>, super::Continued)> = Vec::new();
        loop {
            let mut best: Option<(usize, Vec<usize>, f64)> = None;
            let mut refused: Vec<usize> = Vec::new();
            for &ti in &open {
                let members: Vec<usize> = writes[ti]
                    .iter()
                    .copied()
                    .filter(|k| free.contains(k))
                    .collect();
                if members.len() < ctx.min_size.max(2) {
                    refused.push(ti);
                    continue;
                }
                if best
                    .as_ref()
                    .is_some_and(|(_, b, _)| b.len() >= members.len())
                {
                    continue;
                }
                let t = &self.titles[ti];
                let title = &ctx.history[t.section].groups[t.group].0;
                let key = text::normalize_phrase(title);
                let texts: Vec<&str> = members.iter().map(|&k| section[k]).collect();
                let counts = words.counts(&members);
                let m = words.match_of(&t.words, &members, &counts);
                let fits = !used.contains(&key)
                    && words.names(title, &members, category)
                    && !quality::is_unfit_title(title, &texts)
                    && super::names_topics_of(title, &texts)
                    && m >= self.title_cut;
                if fits {
                    best = Some((ti, members, m));
                }
            }
            open.retain(|ti| !refused.contains(ti));
            let Some((ti, members, m)) = best else { break };
            open.retain(|&o| o != ti);
            let t = &self.titles[ti];
            used.push(text::normalize_phrase(
                &ctx.history[t.section].groups[t.group].0,
            ));
            for k in &members {
                free.remove(k);
            }
            let found = super::Continued {
                by_title_words: true,
                ..super::Continued::of(&ctx.history[t.section], t.group, category, m)
            };
            out.push((members, found));
        }
        out.sort_by_key(|(m, _)| std::cmp::Reverse(m.len()));
        out
    }
}

/// Words a title holds without naming a topic: the kind suffixes (`Improvements`) and the
/// category's own name.
fn generic_words(category: &str) -> Vec<String> {
    quality::KIND_SUFFIXES
        .iter()
        .copied()
        .chain(category.split_whitespace())
        .flat_map(text::words)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Features section of `release` with one group per title, two entries each.
    fn section(release: &str, groups: &[(&str, [&str; 2])]) -> HistorySection {
        super::super::tests::features_section(release, groups, |_| String::new())
    }

    fn earlier(history: &[HistorySection]) -> Vec<EarlierTitle> {
        let mut out = Vec::new();
        for (si, s) in history.iter().enumerate() {
            for (g, (title, _)) in s.groups.iter().enumerate() {
                let mut words = text::words(title);
                words.sort();
                words.dedup();
                out.push(EarlierTitle {
                    section: si,
                    group: g,
                    words,
                });
            }
        }
        out
    }

    /// Titles recur with small drifts: of two earlier titles that both speak of a group
    /// well enough, the newest release's wins, even when the older one's words match
    /// better; below the cut the newer one is no candidate, and the older one is taken.
    #[test]
    fn the_newest_release_s_title_is_taken_first() {
        // Newest first, as the context's history is; each release has a second section
        // (Fixes) so the release, not the section, is what is newest.
        let mut fixes = section("2.0.0", &[("Themes", ["Add a theme", "Tidy a theme"])]);
        fixes.category = "Fixes".into();
        let history = vec![
            fixes,
            section(
                "2.0.0",
                &[("Scheduler Queues", ["Add queues", "Tune the queues"])],
            ),
            section(
                "1.0.0",
                &[("Scheduler", ["Add the scheduler", "Tune the scheduler"])],
            ),
        ];
        let titles = earlier(&history);
        let indexed: Vec<(usize, &EarlierTitle)> = titles.iter().enumerate().collect();
        let texts = [
            "Fix the scheduler deadlock",
            "Scheduler retries on conflicts",
            "Add a dark palette",
            "Add a light palette",
        ];
        let words = SectionWords::of(texts);
        let groups = vec![vec![0, 1]];
        let title = |cut: f64| {
            let found = match_titles(
                &words,
                &groups,
                &indexed,
                "Features",
                &history,
                cut,
                &mut Vec::new(),
            );
            found[0].map(|(ti, m)| (title_of(&history, &indexed, ti), m))
        };
        // `Scheduler` matches fully, `Scheduler Queues` half.
        let (newest, m) = title(0.4).expect("a title");
        assert_eq!((newest.as_str(), m), ("Scheduler Queues", 0.5));
        let (older, m) = title(0.6).expect("a title");
        assert_eq!((older.as_str(), m), ("Scheduler", 1.0));
        assert_eq!(release_ages(&history), [0, 0, 1]);
    }

    /// Leftovers that one earlier title names together are gathered under it, even when
    /// one of them writes a newer title's words as fully: the title that gathers the most
    /// takes them, rather than each entry going to its own newest title (one entry each,
    /// no group).
    #[test]
    fn leftovers_go_to_the_title_that_gathers_most_of_them() {
        let history = vec![
            section(
                "2.0.0",
                &[(
                    "Proxy and Health Check",
                    [
                        "Add proxy health check probes",
                        "Tune the proxy health check",
                    ],
                )],
            ),
            section(
                "1.0.0",
                &[("App Proxy", ["Add the app proxy", "Tune the app proxy"])],
            ),
        ];
        let texts = [
            "Add a delay to the app proxy health check",
            "Replace the timer of the app proxy",
            "Add a dark palette",
            "Add a light palette",
            "Support TLS for the event bus",
        ];
        let mut corpus: Vec<&str> = history
            .iter()
            .flat_map(|s| s.entries.iter().map(|(t, _)| t.as_str()))
            .collect();
        corpus.extend(texts);
        let ctx = crate::group::Context::new(crate::group::Corpus::new(corpus), history, &[], 2);
        let found = ctx
            .topics()
            .gathered_by_titles(&texts, &[0, 1, 2, 3, 4], "Features", &ctx);
        let titles: Vec<(&str, &[usize])> = found
            .iter()
            .map(|(m, c)| (c.title.as_str(), m.as_slice()))
            .collect();
        assert_eq!(titles, [("App Proxy", &[0, 1][..])]);
    }
}
