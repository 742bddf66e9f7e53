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
//! Most recurring titles recur by name only: the entries under them share few words with
//! the earlier group's entries. So a group that continues no earlier topic by content may
//! take an earlier title by the title's own words ([`Topics::continued_all`]): when its
//! entries write those words more than the rest of the section does, better than any
//! other group of the section, and well enough by the measure the history teaches
//! ([`learned_title_cut`]).
//!
//! The same history tells how coarse the project groups: how many subsections a category
//! gets for its number of entries. [`max_groups`] turns that into a cap, and
//! [`other_share`] says how much it leaves in "Other": entries no cluster holds that
//! write an earlier title's words are gathered under it while more than that share is left
//! ([`Topics::gathered_by_titles`]).

use std::collections::HashMap;

use foldhash::fast::FixedState;

use super::{Context, HistorySection, quality, text};

mod by_title;

use by_title::{EarlierTitle, MIN_TITLE_MATCH, SectionWords, learned_title_cut, match_titles};

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
    /// Taken by the title's own words ([`match_titles`]), not by the earlier entries.
    pub by_title_words: bool,
    /// Found by content, but the group's entries no longer write the title's words: the
    /// title is kept only when no phrase of the entries makes a title (a group named by
    /// its earlier topic, rather than no group).
    pub only_if_unnamed: bool,
}

impl Continued {
    /// Group `g` of an earlier `section`, continued in `category`: its title, and its
    /// description when it was written for the same category and reads well.
    fn of(section: &HistorySection, g: usize, category: &str, similarity: f64) -> Continued {
        let (title, description) = &section.groups[g];
        let same_category = section.category.eq_ignore_ascii_case(category);
        // An earlier description that could not be published now (a link, raw HTML, an
        // invisible character: published once, by hand) is not reused.
        let description = (same_category
            && quality::description_fault(description).is_none()
            && super::inline::check(description).is_ok())
        .then(|| description.trim().to_string());
        Continued {
            title: title.clone(),
            description,
            similarity,
            release: section.release.clone(),
            by_title_words: false,
            only_if_unnamed: false,
        }
    }

    /// How the topic was found, for the review: `similarity 0.42` (the entries alike) or
    /// `title words 0.55` (the entries speak of the title's words).
    pub fn how(&self) -> String {
        let by = if self.by_title_words {
            "title words"
        } else {
            "similarity"
        };
        let kept = if self.only_if_unnamed {
            "; kept though the entries no longer write its words: none of their phrases makes a title"
        } else {
            ""
        };
        format!("{by} {:.2}{kept}", self.similarity)
    }
}

type Bag = HashMap<String, f64, FixedState>;

/// The unit-length TF-IDF bag of words of some texts.
fn bag<'a>(texts: impl IntoIterator<Item = &'a str>, ctx: &Context) -> Bag {
    let mut out = Bag::default();
    for t in texts {
        for (w, x) in raw_bag(t, ctx) {
            *out.entry(w).or_default() += x;
        }
    }
    normalised(out)
}

/// The TF-IDF weights of one text, before scaling to unit length.
fn raw_bag(text: &str, ctx: &Context) -> Bag {
    let mut out = Bag::default();
    for w in text::shared_words(text).iter() {
        let idf = ctx.corpus.idf(w);
        if idf > 0.0 && !ctx.only_components(std::slice::from_ref(w)) {
            *out.entry(w.clone()).or_default() += idf;
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
    index: HashMap<String, Vec<(usize, f64)>, FixedState>,
    /// How alike a group must be to an earlier one to continue it ([`learned_threshold`]).
    threshold: f64,
    /// Every titled group of the history (newest first), matched by its title's words.
    titles: Vec<EarlierTitle>,
    /// How well a title's words must speak of a group ([`learned_title_cut`]).
    title_cut: f64,
}

impl Topics {
    /// The history's groups whose titles read well. Built once per context
    /// ([`Context::topics`]): every category's grouping asks it.
    pub(crate) fn of(ctx: &Context) -> Topics {
        let mut groups = Vec::new();
        let mut entries = Vec::new();
        let mut index: HashMap<String, Vec<(usize, f64)>, FixedState> = HashMap::default();
        for (si, s) in ctx.history.iter().enumerate() {
            for (g, (title, _)) in s.groups.iter().enumerate() {
                let members: Vec<&str> = s
                    .entries
                    .iter()
                    .filter(|(_, l)| *l == Some(g))
                    .map(|(t, _)| t.as_str())
                    .collect();
                // A title that could not be published now (a tab, raw HTML, a link, an
                // invisible character — published once, by hand) names no topic to continue:
                // continuing it would refuse the whole release over old text.
                if members.is_empty()
                    || quality::is_unfit_title(title, &members)
                    || super::inline::check(title).is_err()
                {
                    continue;
                }
                // Each entry is read once: its weights make its own bag and add to its
                // group's.
                let mut whole = Bag::default();
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
        let titles: Vec<EarlierTitle> = groups
            .iter()
            .filter_map(|&(_, si, g)| {
                let title = &ctx.history[si].groups[g].0;
                let mut words = text::words(title);
                words.sort();
                words.dedup();
                // A title naming two topics (`App Proxy and Routing`, the maintainers' own)
                // is taken by its words too, but only by a group of which both are topics
                // (`continued_all` checks [`names_topics_of`]).
                (!words.is_empty()).then_some(EarlierTitle {
                    section: si,
                    group: g,
                    words,
                })
            })
            .collect();
        let title_cut = learned_title_cut(&titles, &ctx.history).unwrap_or(MIN_TITLE_MATCH);
        Topics {
            groups,
            entries,
            index,
            threshold,
            titles,
            title_cut,
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
        let mut votes: HashMap<String, (usize, f64, usize), FixedState> = HashMap::default();
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
    // A title kept is right to keep: the cut between them with the fewest errors.
    best_cut(matches)
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

/// The cut over `(value, right)` pairs with the fewest errors: a right one below it or a
/// wrong one from it on. `None` when none is right.
fn best_cut(mut matches: Vec<(f64, bool)>) -> Option<f64> {
    if !matches.iter().any(|(_, right)| *right) {
        return None;
    }
    matches.sort_by(|a, b| a.0.total_cmp(&b.0));
    let wrong_total = matches.iter().filter(|(_, right)| !right).count();
    let mut best = (usize::MAX, 0.0);
    let (mut right_below, mut wrong_below) = (0, 0);
    for k in 0..=matches.len() {
        let errors = right_below + (wrong_total - wrong_below);
        let cut = match (k.checked_sub(1).map(|p| matches[p].0), matches.get(k)) {
            (Some(lo), Some((hi, _))) => (lo + hi) / 2.0,
            (None, Some((hi, _))) => *hi,
            (Some(lo), None) => lo + 1e-9,
            (None, None) => 0.0,
        };
        if errors < best.0 {
            best = (errors, cut);
        }
        if let Some((_, right)) = matches.get(k) {
            if *right {
                right_below += 1;
            } else {
                wrong_below += 1;
            }
        }
    }
    Some(best.1)
}

impl Topics {
    /// The earlier topic each group of a section continues, if any (`groups`: the
    /// members of each group, indices into `section`, the category's entries): first by
    /// content ([`Topics::continued`]); a group that continues none may take an earlier
    /// title whose own words its entries speak of more than the rest of the section does
    /// ([`match_titles`]), when the match reaches the cut the history teaches. Titles stay
    /// unique within the section.
    pub(crate) fn continued_all(
        &self,
        section: &[&str],
        groups: &[Vec<usize>],
        category: &str,
        ctx: &Context,
    ) -> Vec<Option<Continued>> {
        let mut out: Vec<Option<Continued>> = groups
            .iter()
            .map(|members| {
                let texts: Vec<&str> = members.iter().map(|&k| section[k]).collect();
                self.continued(&texts, category, ctx)
            })
            .collect();
        let words = SectionWords::of(section.iter().copied());
        // The maintainers' name for the topic in this category: the same topic under
        // another title (alike entries, a shared title word), written for this category
        // and newest, when the group names it too. Clusters continuing one topic are one
        // group, renamed together; a new name no other group holds (titles decide which
        // clusters are one group, so renaming never joins two).
        let mut used: Vec<String> = out
            .iter()
            .flatten()
            .map(|c| text::normalize_phrase(&c.title))
            .collect();
        used.sort();
        used.dedup();
        for g in 0..groups.len() {
            let Some(found) = out[g].as_ref() else {
                continue;
            };
            let key = text::normalize_phrase(&found.title);
            let same: Vec<usize> = (0..groups.len())
                .filter(|&h| {
                    out[h]
                        .as_ref()
                        .is_some_and(|c| text::normalize_phrase(&c.title) == key)
                })
                .collect();
            if same[0] != g {
                continue;
            }
            let together: Vec<usize> = same.iter().flat_map(|&h| groups[h].clone()).collect();
            let texts: Vec<&str> = together.iter().map(|&k| section[k]).collect();
            let Some(better) = self.renamed(found, category, ctx).filter(|b| {
                !used.contains(&text::normalize_phrase(&b.title))
                    && words.names(&b.title, &together, category)
                    && !quality::is_unfit_title(&b.title, &texts)
                    && names_topics_of(&b.title, &texts)
            }) else {
                continue;
            };
            used.push(text::normalize_phrase(&better.title));
            for &h in &same {
                out[h] = Some(better.clone());
            }
        }
        // A group continues an earlier topic only while it still names it: entries alike
        // by their other words but silent on the topic's own name are about something
        // else (`Repository Pattern Standardization` for entries about scheduling history).
        // Clusters continuing one topic become one group, so the group they make is asked.
        // Such a title is still better than none: it is kept for a group none of whose
        // phrases makes a title ([`Continued::only_if_unnamed`]), rather than dissolving it.
        let keys: Vec<Option<String>> = out
            .iter()
            .map(|c| c.as_ref().map(|c| text::normalize_phrase(&c.title)))
            .collect();
        let unnamed: Vec<bool> = (0..groups.len())
            .map(|g| {
                let (Some(key), Some(c)) = (&keys[g], &out[g]) else {
                    return false;
                };
                let together: Vec<usize> = (0..groups.len())
                    .filter(|&h| keys[h].as_ref() == Some(key))
                    .flat_map(|h| groups[h].iter().copied())
                    .collect();
                !words.names(&c.title, &together, category)
            })
            .collect();
        let mut refused: Vec<Option<Continued>> = vec![None; groups.len()];
        for ((c, unnamed), r) in out.iter_mut().zip(unnamed).zip(refused.iter_mut()) {
            if unnamed {
                *r = c.take();
            }
        }
        // Titles stay unique: those the content gave are taken.
        let mut taken: Vec<String> = out
            .iter()
            .flatten()
            .map(|c| text::normalize_phrase(&c.title))
            .collect();
        let open: Vec<usize> = (0..groups.len()).filter(|&g| out[g].is_none()).collect();
        if open.is_empty() {
            return out;
        }
        if self.titles.is_empty() {
            keep_refused(&mut out, refused, &mut taken);
            return out;
        }
        let titles: Vec<(usize, &EarlierTitle)> = self.titles.iter().enumerate().collect();
        let open_groups: Vec<Vec<usize>> = open.iter().map(|&g| groups[g].clone()).collect();
        let found = match_titles(
            &words,
            &open_groups,
            &titles,
            category,
            &ctx.history,
            self.title_cut,
            &mut taken,
        );
        for (&g, f) in open.iter().zip(found) {
            let Some((ti, m)) = f else { continue };
            let t = &self.titles[ti];
            let texts: Vec<&str> = groups[g].iter().map(|&k| section[k]).collect();
            let title = &ctx.history[t.section].groups[t.group].0;
            // A glued title names two topics: both must be the group's.
            if quality::is_unfit_title(title, &texts) || !names_topics_of(title, &texts) {
                continue;
            }
            out[g] = Some(Continued {
                by_title_words: true,
                ..Continued::of(&ctx.history[t.section], t.group, category, m)
            });
        }
        keep_refused(&mut out, refused, &mut taken);
        out
    }
}

/// The refused continued titles ([`Continued::only_if_unnamed`]) of the groups still
/// without one, each while no other group holds it (a title shared would join them).
fn keep_refused(
    out: &mut [Option<Continued>],
    refused: Vec<Option<Continued>>,
    taken: &mut Vec<String>,
) {
    for (slot, r) in out.iter_mut().zip(refused) {
        let Some(r) = r else { continue };
        let key = text::normalize_phrase(&r.title);
        if slot.is_some() || taken.contains(&key) {
            continue;
        }
        taken.push(key);
        *slot = Some(Continued {
            only_if_unnamed: true,
            ..r
        });
    }
}

impl Topics {
    /// The title the maintainers give in `category` to the topic `found` continues: among
    /// the earlier groups alike enough to its group (the learned threshold) whose titles
    /// share a word with it, one of `category` first, then the newest. `None` when that is
    /// `found` itself.
    fn renamed(&self, found: &Continued, category: &str, ctx: &Context) -> Option<Continued> {
        let history = &ctx.history;
        let title_of = |k: usize| &history[self.groups[k].1].groups[self.groups[k].2].0;
        let at = self.groups.iter().position(|(_, si, g)| {
            history[*si].release == found.release && history[*si].groups[*g].0 == found.title
        })?;
        let mut mine = text::words(&found.title);
        mine.retain(|w| {
            !quality::KIND_SUFFIXES
                .iter()
                .any(|k| text::words(k).contains(w))
        });
        let rank = |k: usize| {
            let s = &history[self.groups[k].1];
            (!s.category.eq_ignore_ascii_case(category), self.groups[k].1)
        };
        let mut best = at;
        for k in 0..self.groups.len() {
            if k == at || rank(k) >= rank(best) {
                continue;
            }
            let theirs = text::words(title_of(k));
            if !mine.iter().any(|w| theirs.contains(w)) {
                continue;
            }
            if cosine(&self.groups[at].0, &self.groups[k].0) >= self.threshold {
                best = k;
            }
        }
        (best != at).then(|| {
            let (_, si, g) = &self.groups[best];
            Continued {
                by_title_words: found.by_title_words,
                ..Continued::of(&history[*si], *g, category, found.similarity)
            }
        })
    }
}

/// [`Topics::continued`] for one group.
#[cfg(test)]
fn continued(texts: &[&str], category: &str, ctx: &Context) -> Option<Continued> {
    ctx.topics().continued(texts, category, ctx)
}

/// A title in the project's current style for `category`: when most titles of the newest
/// grouped section of that category end in a word of the category's name (`Session and
/// Scheduler Fixes`, `Storage Proxy Improvements` under `Fixes` and `Improvements`), the
/// title ends in it too, spelled as the maintainers spell it. Styles drift, so only the
/// newest section speaks; "Other …" groups are not titles of a topic.
pub(crate) fn styled(title: &str, category: &str, ctx: &Context) -> String {
    let Some(section) = ctx
        .history
        .iter()
        .find(|s| s.category.eq_ignore_ascii_case(category))
    else {
        return title.to_string();
    };
    let category_words: Vec<String> = category.split_whitespace().map(str::to_lowercase).collect();
    let titled: Vec<&str> = section
        .groups
        .iter()
        .map(|(t, _)| t.trim())
        .filter(|t| !t.to_lowercase().starts_with("other "))
        .collect();
    // word as written → titles ending in it
    let mut ends: Vec<(&str, usize)> = Vec::new();
    for t in &titled {
        let Some(last) = t.split_whitespace().last() else {
            continue;
        };
        if t.split_whitespace().count() < 2 || !category_words.contains(&last.to_lowercase()) {
            continue;
        }
        match ends.iter_mut().find(|(w, _)| w.eq_ignore_ascii_case(last)) {
            Some(slot) => slot.1 += 1,
            None => ends.push((last, 1)),
        }
    }
    let Some((word, _)) = ends.into_iter().find(|(_, n)| n * 2 > titled.len()) else {
        return title.to_string();
    };
    // A title naming its kind of change already (`… Improvements`) keeps it.
    let already = title
        .split_whitespace()
        .any(|w| w.eq_ignore_ascii_case(word))
        || title
            .split_whitespace()
            .last()
            .is_some_and(|w| quality::KIND_SUFFIXES.contains(&w.to_lowercase().as_str()));
    if already || title.trim().is_empty() {
        title.to_string()
    } else {
        format!("{} {word}", title.trim())
    }
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

/// The share of a grouped category's entries the project leaves in "Other" (or under no
/// subsection), over the same sections as [`max_groups`]; `None` without history.
pub fn other_share(ctx: &Context) -> Option<f64> {
    let mut other = 0;
    let mut all = 0;
    for s in &ctx.history {
        let titled = s
            .groups
            .iter()
            .any(|(t, _)| !t.to_lowercase().starts_with("other "));
        if s.entries.len() < 4 || !titled {
            continue;
        }
        other += s.entries.iter().filter(|(_, g)| g.is_none()).count();
        all += s.entries.len();
    }
    (all > 0).then(|| other as f64 / all as f64)
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

    /// A grouped Features section of `release`: each group's title and entries, and the
    /// description `describe` writes for a title.
    pub(super) fn features_section<'a, T: AsRef<[&'a str]>>(
        release: &str,
        groups: &[(&str, T)],
        describe: impl Fn(&str) -> String,
    ) -> HistorySection {
        HistorySection {
            release: release.into(),
            category: "Features".into(),
            entries: groups
                .iter()
                .enumerate()
                .flat_map(|(g, (_, texts))| {
                    texts.as_ref().iter().map(move |t| (t.to_string(), Some(g)))
                })
                .collect(),
            groups: groups
                .iter()
                .map(|(title, _)| (title.to_string(), describe(title)))
                .collect(),
        }
    }

    fn two_releases() -> Vec<HistorySection> {
        let section = |release: &str, groups: [(&str, [&str; 2]); 3]| {
            features_section(release, &groups, |_| String::new())
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

    /// One earlier release whose titles recur by name only: the new entries share none of
    /// the earlier entries' words, only the titles' words.
    fn titled_history_ctx() -> Context {
        let section = |release: &str, groups: &[(&str, &[&str])]| {
            features_section(release, groups, |title| format!("Improved the {title}."))
        };
        let history = vec![section(
            "1.0.0",
            &[
                (
                    "Scheduler Improvements",
                    &["Add priority queues", "Tune queue weights"],
                ),
                (
                    "Storage Backends",
                    &["Add S3 uploads", "Support NFS mounts"],
                ),
                ("Scheduler", &["Add the first queue", "Add queue metrics"]),
            ],
        )];
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

    #[test]
    fn a_title_word_every_entry_writes_tells_nothing() {
        let section = SectionWords::of([
            "Fix scheduler lock in the manager",
            "Fix scheduler retry in the manager",
            "Fix storage quota in the manager",
            "Fix storage mount in the manager",
        ]);
        let words = |t: &str| {
            let mut w = text::words(t);
            w.sort();
            w.dedup();
            w
        };
        let group = [0, 1];
        let counts = section.counts(&group);
        // Every entry of the group writes "scheduler", none of the rest: a full match.
        assert_eq!(section.match_of(&words("Scheduler"), &group, &counts), 1.0);
        // "manager" is written everywhere: it adds nothing, and halves the match of a
        // title holding it.
        assert_eq!(section.match_of(&words("Manager"), &group, &counts), 0.0);
        assert_eq!(
            section.match_of(&words("Scheduler Manager"), &group, &counts),
            0.5
        );
        // The other group's title does not speak of this group.
        assert_eq!(section.match_of(&words("Storage"), &group, &counts), 0.0);
    }

    #[test]
    fn groups_take_earlier_titles_by_the_titles_own_words() {
        let c = titled_history_ctx();
        let section = [
            "Fix the scheduler deadlock",
            "Scheduler retries on conflicts",
            "Add a storage quota report",
            "Storage volumes list their owners",
            "Add a dark theme",
            "Add a light theme",
        ];
        let groups = vec![vec![0, 1], vec![2, 3], vec![4, 5]];
        // No entry is alike any earlier entry: the content finds nothing.
        let topics = c.topics();
        assert!(
            topics
                .continued(&[section[0], section[1]], "Features", &c)
                .is_none()
        );
        let found = topics.continued_all(&section, &groups, "Features", &c);
        let titles: Vec<Option<&str>> = found
            .iter()
            .map(|f| f.as_ref().map(|f| f.title.as_str()))
            .collect();
        // `Scheduler` speaks of the first group wholly, `Scheduler Improvements` half:
        // the better one wins; a group no title speaks of takes none.
        assert_eq!(
            titles,
            [Some("Scheduler"), Some("Storage Backends"), None],
            "{found:?}"
        );
        assert!(found[0].as_ref().unwrap().by_title_words);
        // The earlier description comes too, written for the same category.
        assert_eq!(
            found[0].as_ref().unwrap().description.as_deref(),
            Some("Improved the Scheduler.")
        );
        // Two groups speaking of one title: only the better one takes it.
        let twice = [
            "Fix the scheduler deadlock",
            "Scheduler retries on conflicts",
            "Scheduler metrics",
            "Fix the scheduler leak and the theme",
            "Add a theme",
        ];
        let found = topics.continued_all(&twice, &[vec![0, 1, 2], vec![3, 4]], "Features", &c);
        let named: Vec<&str> = found.iter().flatten().map(|f| f.title.as_str()).collect();
        assert_eq!(named.iter().filter(|t| **t == "Scheduler").count(), 1);
        assert_eq!(
            found[0].as_ref().map(|f| f.title.as_str()),
            Some("Scheduler")
        );
    }

    #[test]
    fn a_glued_earlier_title_is_taken_by_its_words_when_both_topics_are_the_groups() {
        let history = vec![features_section(
            "1.0.0",
            &[
                (
                    "App Proxy and Routing",
                    ["Add connection pools", "Add lookup tables"],
                ),
                ("Storage Backends", ["Add S3 uploads", "Support NFS mounts"]),
            ],
            |t| format!("Improved the {t}."),
        )];
        let texts: Vec<String> = history
            .iter()
            .flat_map(|s| s.entries.iter().map(|(t, _)| t.clone()))
            .collect();
        let c = Context::new(
            Corpus::new(texts.iter().map(String::as_str)),
            history,
            &[],
            2,
        );
        let section = [
            "App proxy keeps idle routing sockets",
            "Routing rules reload in the app proxy",
            "App proxy timeouts are configurable",
            "Add a dark theme",
            "Add a light theme",
        ];
        let found =
            c.topics()
                .continued_all(&section, &[vec![0, 1, 2], vec![3, 4]], "Features", &c);
        assert_eq!(
            found[0].as_ref().map(|f| f.title.as_str()),
            Some("App Proxy and Routing"),
            "{found:?}"
        );
        // A group that speaks of the proxy alone does not take a title naming routing too.
        let proxy_only = [
            "App proxy keeps idle sockets",
            "App proxy timeouts are configurable",
            "Add a dark theme",
            "Add a light theme",
        ];
        let found =
            c.topics()
                .continued_all(&proxy_only, &[vec![0, 1], vec![2, 3]], "Features", &c);
        assert!(
            found[0]
                .as_ref()
                .is_none_or(|f| f.title != "App Proxy and Routing"),
            "{found:?}"
        );
    }

    #[test]
    fn titles_follow_the_newest_sections_style_of_their_category() {
        let fixes = |release: &str, titles: &[&str]| HistorySection {
            release: release.into(),
            category: "Fixes".into(),
            entries: Vec::new(),
            groups: titles
                .iter()
                .map(|t| (t.to_string(), String::new()))
                .collect(),
        };
        let mut c = Context::default();
        // No history of the category: the title stays.
        assert_eq!(styled("Migration", "Fixes", &c), "Migration");
        c.history = vec![
            fixes(
                "2.0.0",
                &[
                    "Migration Safety Fixes",
                    "Session and Scheduler Fixes",
                    "Other Fixes",
                ],
            ),
            fixes("1.0.0", &["Storage", "Scheduler", "Agents"]),
        ];
        assert_eq!(styled("Migration", "Fixes", &c), "Migration Fixes");
        // Spelled once; the other categories keep their titles.
        assert_eq!(styled("Migration Fixes", "Fixes", &c), "Migration Fixes");
        assert_eq!(
            styled("Storage Improvements", "Fixes", &c),
            "Storage Improvements"
        );
        assert_eq!(styled("Migration", "Features", &c), "Migration");
        // Only the newest section speaks: an older style is gone.
        c.history.swap(0, 1);
        assert_eq!(styled("Migration", "Fixes", &c), "Migration");
    }

    #[test]
    fn the_history_says_how_well_a_title_must_match() {
        // Release 2.0.0 kept "Scheduler" (its entries write it) and named a new topic
        // "Themes", which no earlier title speaks of.
        let mut c = titled_history_ctx();
        let newer = HistorySection {
            release: "2.0.0".into(),
            category: "Features".into(),
            entries: vec![
                ("Scheduler deadlock fixed".into(), Some(0)),
                ("Scheduler retries".into(), Some(0)),
                ("Add a dark theme for storage pages".into(), Some(1)),
                ("Add a light theme".into(), Some(1)),
            ],
            groups: vec![
                ("Scheduler".into(), String::new()),
                ("Themes".into(), String::new()),
            ],
        };
        c.history.insert(0, newer);
        let topics = Topics::of(&c);
        // The kept title matched fully (1.0); the new one's best earlier title, `Storage
        // Backends`, matched a quarter (0.25): the cut lies between.
        assert!(
            topics.title_cut > 0.25 && topics.title_cut <= 1.0,
            "{}",
            topics.title_cut
        );
        // With one release there is nothing to learn from.
        assert_eq!(
            learned_title_cut(
                &Topics::of(&titled_history_ctx()).titles,
                &titled_history_ctx().history
            ),
            None
        );
        assert_eq!(best_cut(vec![(0.2, false), (0.6, true)]), Some(0.4));
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

    #[test]
    fn the_history_says_how_much_it_leaves_in_other() {
        // One entry of five under no subsection.
        assert_eq!(other_share(&ctx()), Some(0.2));
        assert_eq!(other_share(&Context::default()), None);
    }

    /// A context whose history is `history`, its entries the corpus.
    fn ctx_of(history: Vec<HistorySection>) -> Context {
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

    #[test]
    fn a_group_alike_by_content_but_silent_on_the_topics_name_does_not_continue_it() {
        let c = ctx_of(vec![features_section(
            "1.0.0",
            &[
                (
                    "Audit Trail",
                    [
                        "Record session events in the history table",
                        "Show session events on the history page",
                    ],
                ),
                ("Themes", ["Add a dark theme", "Add a light theme"]),
            ],
            |_| String::new(),
        )]);
        let section = [
            "Record session events in the history table faster",
            "Show session events on the history page sorted",
            "Add a blue theme",
            "Add a red theme",
        ];
        // The entries match the earlier group well, but none writes `audit` or `trail`.
        assert!(continued(&section[..2], "Features", &c).is_some());
        let found = c
            .topics()
            .continued_all(&section, &[vec![0, 1], vec![2, 3]], "Features", &c);
        // It does not continue the topic: the title is held only for a group none of
        // whose own phrases makes a title.
        assert!(
            found[0].as_ref().is_none_or(|f| f.only_if_unnamed),
            "{found:?}"
        );
        assert_eq!(found[1].as_ref().map(|f| f.title.as_str()), Some("Themes"));
        assert!(found[1].as_ref().is_some_and(|f| !f.only_if_unnamed));
    }

    #[test]
    fn a_continued_topic_takes_its_newest_name() {
        let c = ctx_of(vec![
            features_section(
                "2.0.0",
                &[
                    (
                        "Artifact Registry",
                        [
                            "Add artifact registry listing",
                            "Add artifact import to the registry",
                        ],
                    ),
                    ("Themes", ["Add a dark theme", "Add a light theme"]),
                ],
                |_| String::new(),
            ),
            features_section(
                "1.0.0",
                &[
                    (
                        "Artifact Management",
                        [
                            "Add artifact import from Hugging Face",
                            "Add artifact import cancellation",
                        ],
                    ),
                    ("Event Bus", ["Add the event bus", "Add event bus metrics"]),
                ],
                |_| String::new(),
            ),
        ]);
        let section = [
            "Artifact import from Hugging Face retries",
            "Artifact import cancellation is resumable",
            "Add a blue theme",
            "Add a red theme",
        ];
        // The entries are nearest the older group; the maintainers renamed its topic since.
        assert_eq!(
            continued(&section[..2], "Features", &c).map(|f| f.title),
            Some("Artifact Management".to_string())
        );
        let found = c
            .topics()
            .continued_all(&section, &[vec![0, 1], vec![2, 3]], "Features", &c);
        assert_eq!(
            found[0].as_ref().map(|f| f.title.as_str()),
            Some("Artifact Registry"),
            "{found:?}"
        );
        // A name another group of the section holds is not taken: titles decide which
        // clusters are one group.
        let found =
            c.topics()
                .continued_all(&section, &[vec![0], vec![1], vec![2, 3]], "Features", &c);
        let titles: Vec<Option<&str>> = found
            .iter()
            .map(|f| f.as_ref().map(|f| f.title.as_str()))
            .collect();
        assert_eq!(titles[0], titles[1], "{found:?}");
    }
}
