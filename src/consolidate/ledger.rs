//! The accounting of a consolidation: every input (each entry of the rc sections and of
//! the fragments' section, each block of their text) must come out exactly once, or be
//! reported with its reason. [`Ledger::balance`] checks a section before it is printed or
//! written; [`Ledger::check_reviewed`] checks a reviewed one (texts and places may change,
//! entries may not be lost or listed twice). A section that does not balance is refused
//! with the unbalanced items named: a bug becomes a refusal, never a silent loss.
//!
//! The ledger is built from the inputs on its own, not from the fold: it trusts nothing the
//! fold says without finding the input it is about.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::fold::{
    Consolidation, LeftOutReason, Source, inputs, is_boilerplate, is_link_definition,
    normalized_prose,
};
use super::grouped::SectionView;
use super::published::Carried;
use crate::changelog::{BlockKind, Changelog, Entry, Place, RefFormat, Release};
use crate::error::{Error, Result};

/// What identifies an entry: its set of PRs, or (without any) that it has none.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identity {
    /// The PRs, sorted.
    Prs(Vec<u64>),
    /// An entry without PRs (identified by its text, which a review may edit).
    Orphan,
}

impl Identity {
    pub fn of(entry: &Entry) -> Identity {
        Self::of_prs(&entry.prs)
    }

    pub fn of_prs(prs: &[u64]) -> Identity {
        if prs.is_empty() {
            Identity::Orphan
        } else {
            let mut prs = prs.to_vec();
            prs.sort_unstable();
            prs.dedup();
            Identity::Prs(prs)
        }
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identity::Prs(prs) => f.write_str(&crate::changelog::pr_list(prs)),
            Identity::Orphan => f.write_str("an entry without PR"),
        }
    }
}

/// One entry as the accounting sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub category: String,
    pub identity: Identity,
    /// The entry's text, normalised (case, spaces, trailing punctuation).
    pub text: String,
    /// The text as written, for messages.
    pub shown: String,
}

impl Item {
    fn new(category: &str, entry: &Entry) -> Item {
        Item {
            category: category.to_string(),
            identity: Identity::of(entry),
            text: entry.normalized_text(),
            shown: entry.text.chars().take(70).collect(),
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} in {} (\"{}\")",
            self.identity, self.category, self.shown
        )
    }
}

/// An input entry: the item and where it was.
#[derive(Debug, Clone)]
struct Input {
    item: Item,
    from: Source,
    /// The input's rank, oldest first (sections with the same label share one).
    rank: usize,
}

/// A block of input text.
#[derive(Debug, Clone)]
struct InputBlock {
    from: Source,
    kind: BlockKind,
    /// The category it belongs to (by name), `None` under the release heading.
    category: Option<String>,
    footer: bool,
    /// Under a subsection heading (refused by the fold; never carried).
    subsection: bool,
    text: String,
}

/// The inputs of a consolidation, to check its output against.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    inputs: Vec<Input>,
    blocks: Vec<InputBlock>,
    /// Every (PR, normalised text) of the releases that are not inputs.
    released: HashSet<(u64, String)>,
    /// Every normalised text of an entry without PR of the releases that are not inputs.
    released_orphans: HashSet<String>,
    /// The fragments' entries that fragments an earlier release consumed render to:
    /// (category, identity, normalised text).
    consumed: HashSet<(String, Identity, String)>,
    /// For each rc section, the (category, sorted PRs) that a release standing above it
    /// lists, in a changelog kept newest first: released after it, in newer words.
    superseded: HashSet<(Source, String, Vec<u64>)>,
    /// Each input's rank by its label, oldest first.
    ranks: HashMap<Source, usize>,
}

/// How a found entry compares with the expected ones (see [`compare`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// Fewer entries with this identity than expected; the texts of the missing ones.
    Missing {
        identity: Identity,
        texts: Vec<String>,
    },
    /// More entries with this identity than expected: the indexes (into `found`) of all
    /// of them, and how many were expected (0: it is not an input at all).
    Extra {
        identity: Identity,
        found: Vec<usize>,
        expected: usize,
    },
}

/// Compare entries by identity, as a multiset: each expected identity exactly as many
/// times as expected. Entries without PRs count as one identity (their text may be
/// edited); the missing ones are named by the texts that are no longer found.
pub fn compare(expected: &[&Entry], found: &[&Entry]) -> Vec<Mismatch> {
    let mut want: BTreeMap<Identity, Vec<&Entry>> = BTreeMap::new();
    for e in expected {
        want.entry(Identity::of(e)).or_default().push(e);
    }
    let mut got: BTreeMap<Identity, Vec<usize>> = BTreeMap::new();
    for (k, e) in found.iter().enumerate() {
        got.entry(Identity::of(e)).or_default().push(k);
    }
    let mut out = Vec::new();
    for (identity, entries) in &want {
        let n = got.get(identity).map_or(0, Vec::len);
        if n < entries.len() {
            let texts: Vec<String> = if *identity == Identity::Orphan {
                let present: HashSet<String> = got
                    .get(identity)
                    .into_iter()
                    .flatten()
                    .map(|&k| found[k].normalized_text())
                    .collect();
                entries
                    .iter()
                    .filter(|e| !present.contains(&e.normalized_text()))
                    .map(|e| e.text.clone())
                    .take(entries.len() - n)
                    .collect()
            } else {
                entries.iter().skip(n).map(|e| e.text.clone()).collect()
            };
            out.push(Mismatch::Missing {
                identity: identity.clone(),
                texts,
            });
        }
    }
    for (identity, listed) in got {
        let expected = want.get(&identity).map_or(0, Vec::len);
        if listed.len() > expected {
            out.push(Mismatch::Extra {
                identity,
                found: listed,
                expected,
            });
        }
    }
    out
}

/// [`compare`] for a reviewed section: a PR set the inputs list several times (moved
/// between categories, numbered fragments of one PR), or that entries with more PRs list
/// too, may be listed fewer times — the merge or delete the fold's notes advise — as long
/// as one entry still lists all of its PRs.
pub fn compare_reviewed(expected: &[&Entry], found: &[&Entry]) -> Vec<Mismatch> {
    compare(expected, found)
        .into_iter()
        .filter(|m| match m {
            Mismatch::Missing {
                identity: Identity::Prs(prs),
                ..
            } => !found.iter().any(|e| prs.iter().all(|p| e.prs.contains(p))),
            _ => true,
        })
        .collect()
}

impl Ledger {
    /// The ledger of folding `sections` of `changelog` and the fragments' section.
    pub fn new(changelog: &Changelog, sections: &[usize], fragments: Option<&Release>) -> Ledger {
        Self::with_consumed(changelog, sections, fragments, &[])
    }

    /// [`Ledger::new`], with the entries of fragments an earlier release consumed (what
    /// makes a fragments' entry stale besides the changelog).
    pub fn with_consumed(
        changelog: &Changelog,
        sections: &[usize],
        fragments: Option<&Release>,
        consumed: &[super::consumed::ConsumedEntry],
    ) -> Ledger {
        let mut ledger = Ledger {
            consumed: consumed
                .iter()
                .map(|c| {
                    (
                        c.category.clone(),
                        Identity::of(&c.entry),
                        c.entry.normalized_text(),
                    )
                })
                .collect(),
            ..Ledger::default()
        };
        let inputs = inputs(changelog, sections, fragments);
        for (release, from) in &inputs {
            let rank = inputs.iter().position(|(_, s)| s == from).unwrap_or(0);
            ledger.ranks.insert(from.clone(), rank);
            for c in &release.categories {
                for e in c.all_entries() {
                    ledger.inputs.push(Input {
                        item: Item::new(&c.name, e),
                        from: from.clone(),
                        rank,
                    });
                }
            }
            for e in release.loose_entries() {
                ledger.inputs.push(Input {
                    item: Item::new("", e),
                    from: from.clone(),
                    rank,
                });
            }
            for b in release.blocks() {
                let name = |c: usize| release.categories.get(c).map(|c| c.name.clone());
                let (category, footer, subsection) = match b.place {
                    Place::Release => (None, false, false),
                    Place::Description(c) => (name(c), false, false),
                    Place::Footer(c) => (name(c), true, false),
                    Place::Subsection(c, _) => (name(c), false, true),
                };
                ledger.blocks.push(InputBlock {
                    from: from.clone(),
                    kind: b.kind,
                    category,
                    footer,
                    subsection,
                    text: b.text.clone(),
                });
            }
        }
        // What was released before, for the PRs of the inputs (a stale claim is about one).
        let input_prs: HashSet<u64> = ledger
            .inputs
            .iter()
            .filter_map(|i| match &i.item.identity {
                Identity::Prs(prs) => Some(prs.iter().copied()),
                Identity::Orphan => None,
            })
            .flatten()
            .collect();
        for (i, r) in changelog.releases().iter().enumerate() {
            if sections.contains(&i) || r.is_free_form() {
                continue;
            }
            for e in r.entries() {
                for &pr in e.prs.iter().filter(|p| input_prs.contains(p)) {
                    ledger.released.insert((pr, e.normalized_text()));
                }
                if e.prs.is_empty() {
                    ledger.released_orphans.insert(e.normalized_text());
                }
            }
        }
        if super::released::surely_newest_first(changelog, sections) {
            for &i in sections {
                let from = super::fold::section_source(&changelog.releases()[i]);
                for (j, r) in changelog.releases().iter().enumerate().take(i) {
                    if sections.contains(&j) || r.is_free_form() {
                        continue;
                    }
                    for c in &r.categories {
                        for e in c.all_entries().filter(|e| !e.prs.is_empty()) {
                            let mut prs = e.prs.clone();
                            prs.sort_unstable();
                            ledger
                                .superseded
                                .insert((from.clone(), c.name.clone(), prs));
                        }
                    }
                }
            }
        }
        ledger
    }

    /// How many input entries there are.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Check a section built from the inputs (before review): each input entry is in it
    /// once with its category, PRs and text, or is reported (a newer text for the same
    /// PRs, already released); nothing else is in it; a PR listed by several entries of a
    /// category is reported; each paragraph is carried to its place or reported.
    pub fn balance(&self, report: &Consolidation, output: &Release) -> Result<()> {
        let items = output_items(output);
        let mut problems = self.balance_entries(report, &items);
        problems.extend(self.balance_blocks(report, output));
        refuse_unless_empty(problems)
    }

    /// [`Ledger::balance`] for the JSON view of the section (what `--format json` prints).
    pub fn balance_view(&self, report: &Consolidation, view: &SectionView) -> Result<()> {
        let mut items = Vec::new();
        for c in &view.categories {
            for g in &c.groups {
                for i in &g.items {
                    let entry = Entry {
                        line: 0,
                        raw: String::new(),
                        text: i.text.clone(),
                        prs: i.prs.clone(),
                    };
                    items.push(Item::new(&c.name, &entry));
                }
            }
        }
        refuse_unless_empty(self.balance_entries(report, &items))
    }

    /// Check a reviewed section: the entries kept from the inputs, each exactly once, by
    /// identity (the review may edit texts and move entries between groups and
    /// categories).
    pub fn check_reviewed(&self, report: &Consolidation, output: &Release) -> Result<()> {
        let (kept, mut problems) = self.kept(report);
        let expected: Vec<Entry> = kept
            .iter()
            .map(|i| Entry {
                line: 0,
                raw: String::new(),
                text: i.item.shown.clone(),
                prs: match &i.item.identity {
                    Identity::Prs(p) => p.clone(),
                    Identity::Orphan => Vec::new(),
                },
            })
            .collect();
        let found: Vec<&Entry> = output.entries().collect();
        for m in compare_reviewed(&expected.iter().collect::<Vec<_>>(), &found) {
            problems.push(match m {
                Mismatch::Missing { identity, texts } => {
                    format!("{identity} is missing (\"{}\")", texts.join("\", \""))
                }
                Mismatch::Extra {
                    identity,
                    found,
                    expected,
                } => format!(
                    "{identity} is listed {} times, {expected} expected",
                    found.len()
                ),
            });
        }
        refuse_unless_empty(problems)
    }

    /// The references the inputs' prose holds: what the section's text outside its
    /// entries may hold ([`super::published::references`]).
    pub fn carried(&self, refs: &RefFormat) -> Carried {
        Carried::of(
            self.blocks
                .iter()
                .filter(|b| b.kind == BlockKind::Prose)
                .map(|b| b.text.as_str()),
            refs,
        )
    }

    /// Check the section's text as it will be printed or written, read back the way a
    /// Markdown renderer reads it: its entries and nothing that reads as one, one release
    /// heading, no PR reference outside an entry beyond the inputs' prose, nothing that
    /// swallows what follows (see [`super::published`]).
    pub fn check_text(&self, output: &Release, refs: &RefFormat) -> Result<()> {
        let text = output.render(2);
        let expected: Vec<&Entry> = output.entries().collect();
        let log = crate::changelog::Changelog::parse_project(&text, None, refs);
        let mut problems = super::published::read_back(&log, 1, &expected);
        problems.extend(super::published::references(
            &log,
            1,
            refs,
            &self.carried(refs),
        ));
        problems.extend(super::published::well_formed(&log, 1));
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error::Refused(format!(
            "the section would not be published as it reads, so nothing was written (lines \
             count from its `## ` heading):\n{}\nFix the text where it comes from (the rc \
             section, a fragment, the grouping's titles and descriptions) and run again.",
            problems
                .iter()
                .map(|p| format!("  - {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        )))
    }

    /// The inputs the report does not account for as dropped, and what is wrong with the
    /// report's claims.
    fn kept(&self, report: &Consolidation) -> (Vec<&Input>, Vec<String>) {
        let mut problems = Vec::new();
        let mut dropped = vec![false; self.inputs.len()];
        // Indexes, so that a report of any size is checked in linear time: the inputs not yet
        // accounted for by (category, source, identity, text), and every input by change.
        type Key = (String, Source, Identity, String);
        let mut open: HashMap<Key, Vec<usize>> = HashMap::new();
        let mut by_change: HashMap<(&str, &Identity), Vec<&Input>> = HashMap::new();
        for (k, i) in self.inputs.iter().enumerate().rev() {
            let key = (
                i.item.category.clone(),
                i.from.clone(),
                i.item.identity.clone(),
                i.item.text.clone(),
            );
            open.entry(key).or_default().push(k);
            by_change
                .entry((&i.item.category, &i.item.identity))
                .or_default()
                .push(i);
        }
        let mut take = |category: &str, from: &Source, identity: &Identity, text: &str| {
            let key = (
                category.to_string(),
                from.clone(),
                identity.clone(),
                text.to_string(),
            );
            let found = open.get_mut(&key).and_then(Vec::pop);
            if let Some(k) = found {
                dropped[k] = true;
            }
            found
        };
        let mut replacements: HashMap<(String, Source, Identity), usize> = HashMap::new();
        for d in &report.duplicates {
            let identity = Identity::of_prs(&d.prs);
            let text = normalized(&d.dropped_text);
            let what = format!("{identity} in {} (\"{}\")", d.category, d.dropped_text);
            if take(&d.category, &d.dropped_from, &identity, &text).is_none() {
                problems.push(format!(
                    "{what} is reported as replaced, but {} lists no such entry",
                    d.dropped_from
                ));
                continue;
            }
            // Replaced by a newer input's text for the same change, or the same text listed
            // again in one input.
            let dropped_rank = self.rank(&d.dropped_from);
            let change = by_change.get(&(d.category.as_str(), &identity));
            let replaced = change.into_iter().flatten().any(|i| {
                i.from == d.kept_from
                    && (identity != Identity::Orphan || i.item.text == text)
                    && (dropped_rank < Some(i.rank)
                        || (dropped_rank == Some(i.rank) && i.item.text == text))
            });
            if !replaced {
                problems.push(format!(
                    "{what} from {} is reported as replaced by a newer text from {}, which has none",
                    d.dropped_from, d.kept_from
                ));
                continue;
            }
            // Each newer text replaces one older text at most: an older text no newer one
            // pairs with (a numbered fragment not reworded) must be kept.
            if dropped_rank < self.rank(&d.kept_from) {
                let key = (d.category.clone(), d.kept_from.clone(), identity.clone());
                let n = replacements.entry(key).or_insert(0);
                *n += 1;
                let newer = change
                    .into_iter()
                    .flatten()
                    .filter(|i| i.from == d.kept_from)
                    .count();
                if *n > newer {
                    problems.push(format!(
                        "{what} from {} is reported as replaced, but {} has {newer} text(s) of \
                         it and each replaces one older text at most",
                        d.dropped_from, d.kept_from
                    ));
                }
            }
        }
        for s in &report.stale {
            let identity = Identity::of_prs(&s.prs);
            let text = normalized(&s.text);
            let what = format!("{identity} in {} (\"{}\")", s.category, s.text);
            if take(&s.category, &s.from, &identity, &text).is_none() {
                problems.push(format!(
                    "{what} is reported as already released, but {} lists no such entry",
                    s.from
                ));
            } else if !(s
                .prs
                .iter()
                .any(|&pr| self.released.contains(&(pr, text.clone())))
                || (s.prs.is_empty() && self.released_orphans.contains(&text))
                || (!s.prs.is_empty() && {
                    let mut prs = s.prs.clone();
                    prs.sort_unstable();
                    self.superseded
                        .contains(&(s.from.clone(), s.category.clone(), prs))
                })
                || (s.from == Source::Fragments
                    && self.consumed.contains(&(
                        s.category.clone(),
                        identity.clone(),
                        text.clone(),
                    ))))
            {
                problems.push(format!(
                    "{what} is reported as already released in `{}`, which does not list it",
                    s.released_in
                ));
            }
        }
        let kept = self
            .inputs
            .iter()
            .zip(&dropped)
            .filter(|(_, d)| !**d)
            .map(|(i, _)| i)
            .collect();
        (kept, problems)
    }

    fn rank(&self, source: &Source) -> Option<usize> {
        self.ranks.get(source).copied()
    }

    fn balance_entries(&self, report: &Consolidation, output: &[Item]) -> Vec<String> {
        let (kept, mut problems) = self.kept(report);
        // The kept inputs and the output, as multisets of (category, identity, text).
        let mut want: BTreeMap<(&str, &Identity, &str), Vec<&Item>> = BTreeMap::new();
        for i in &kept {
            want.entry((&i.item.category, &i.item.identity, &i.item.text))
                .or_default()
                .push(&i.item);
        }
        let mut got: BTreeMap<(&str, &Identity, &str), Vec<&Item>> = BTreeMap::new();
        for i in output {
            got.entry((&i.category, &i.identity, &i.text))
                .or_default()
                .push(i);
        }
        for (key, items) in &want {
            let n = got.get(key).map_or(0, Vec::len);
            for item in items.iter().skip(n) {
                problems.push(format!(
                    "{} is neither in the section nor reported",
                    item.describe()
                ));
            }
        }
        for (key, items) in &got {
            let n = want.get(key).map_or(0, Vec::len);
            if items.len() > n {
                problems.push(if n == 0 {
                    format!("{} is in the section but is no input", items[0].describe())
                } else {
                    format!(
                        "{} is in the section {} times, {n} expected",
                        items[0].describe(),
                        items.len()
                    )
                });
            }
        }
        // A PR listed by several entries of a category must be reported.
        let mut by_pr: HashMap<(&str, u64), usize> = HashMap::new();
        for i in output {
            if let Identity::Prs(prs) = &i.identity {
                for &pr in prs {
                    *by_pr.entry((&i.category, pr)).or_default() += 1;
                }
            }
        }
        let mut repeated: Vec<((&str, u64), usize)> =
            by_pr.into_iter().filter(|(_, n)| *n > 1).collect();
        repeated.sort();
        for ((category, pr), n) in repeated {
            let reported = report
                .overlaps
                .iter()
                .any(|o| o.category == category && o.pr == pr && o.entries.len() == n);
            if !reported {
                problems.push(format!(
                    "{} is listed by {n} entries of {category} without being reported",
                    crate::changelog::Issue(pr)
                ));
            }
        }
        problems
    }

    fn balance_blocks(&self, report: &Consolidation, output: &Release) -> Vec<String> {
        let mut problems = Vec::new();
        let published: Vec<&str> = output.entries().map(|e| e.raw.as_str()).collect();
        let mut reported = vec![false; report.left_out.len()];
        for b in &self.blocks {
            let left_out = report
                .left_out
                .iter()
                .enumerate()
                .find(|(k, l)| !reported[*k] && l.from == b.from && l.text == b.text)
                .map(|(k, l)| {
                    reported[k] = true;
                    l
                });
            let shown: String = b.text.chars().take(60).collect();
            let where_ = match &b.category {
                Some(c) => format!("`{c}` of {}", b.from),
                None => b.from.to_string(),
            };
            match (b.kind, left_out) {
                (BlockKind::Comment, Some(l)) if l.reason == LeftOutReason::Comment => {
                    if b.text.contains('\n') && published.iter().any(|r| r.contains(&b.text)) {
                        problems.push(format!(
                            "the comment \"{shown}\" in {where_} is published inside an entry"
                        ));
                    }
                }
                (BlockKind::Prose, Some(l))
                    if l.reason == LeftOutReason::Boilerplate && is_boilerplate(&b.text) => {}
                (_, Some(_)) => problems.push(format!(
                    "\"{shown}\" in {where_} is reported as left out for a reason that does not fit it"
                )),
                (BlockKind::Comment, None) => problems.push(format!(
                    "the comment \"{shown}\" in {where_} is neither left out nor reported"
                )),
                (BlockKind::Prose, None) => {
                    let target = match &b.category {
                        None => output.description.as_deref(),
                        Some(name) => output
                            .categories
                            .iter()
                            .find(|c| c.name == *name)
                            .and_then(|c| {
                                if b.footer {
                                    c.footer.as_deref()
                                } else {
                                    c.description.as_deref()
                                }
                            }),
                    };
                    // Link definitions are carried once each, line by line.
                    let carried = !b.subsection
                        && target.is_some_and(|t| {
                            let t = normalized_prose(t);
                            if b.text.lines().all(is_link_definition) {
                                b.text.lines().all(|l| t.contains(&normalized_prose(l)))
                            } else {
                                t.contains(&normalized_prose(&b.text))
                            }
                        });
                    if !carried {
                        problems.push(format!(
                            "the text \"{shown}\" in {where_} is not carried into the section"
                        ));
                    }
                }
            }
        }
        for (l, _) in report.left_out.iter().zip(&reported).filter(|(_, r)| !**r) {
            problems.push(format!(
                "\"{}\" is reported as left out of {}, which has no such text",
                l.text.chars().take(60).collect::<String>(),
                l.from
            ));
        }
        problems
    }
}

/// Every entry of a section as the accounting sees it; an entry outside any category has
/// the empty category (and no input is outside one).
fn output_items(output: &Release) -> Vec<Item> {
    let mut items = Vec::new();
    for c in &output.categories {
        items.extend(c.all_entries().map(|e| Item::new(&c.name, e)));
    }
    items.extend(output.loose_entries().iter().map(|e| Item::new("", e)));
    items
}

fn normalized(text: &str) -> String {
    Entry {
        line: 0,
        raw: String::new(),
        text: text.to_string(),
        prs: Vec::new(),
    }
    .normalized_text()
}

fn refuse_unless_empty(problems: Vec<String>) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "the consolidated section does not account for every input, so nothing was written:\n{}\n\
         This is a bug in git-release: please report it with the changelog and the fragments.",
        problems
            .iter()
            .map(|p| format!("  - {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    )))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::changelog::Category;
    use crate::consolidate::{Duplicate, Overlap, Stale, fold, group};
    use crate::group::{Context, similarity::Similarity};
    use crate::version::Version;

    const LOG: &str = "# Changes\n\n<!-- towncrier release notes start -->\n\n\
        ## 2.0.0rc2 (2026-02-10)\n\nUpgrade note.\n\n### Features\n* Add B again ([#2](u/2))\n* Add C ([#3](u/3))\n* Tune A ([#4](u/4))\n\n\
        ### Fixes\n* Fix old thing ([#1](u/1))\n<!--\n* Hidden ([#9](u/9))\n-->\n\n\n\
        ## 2.0.0rc1 (2026-02-01)\n\n### Features\n* Add B ([#2](u/2))\n* Add A ([#4](u/4)), ([#5](u/5))\n* Write the docs\n\n\
        ### Fixes\n* Fix D ([#6](u/6))\n\nNote about D.\n\n\n\
        ## 1.9.0 (2026-01-01)\n\n### Fixes\n* Fix old thing ([#1](u/1))\n";

    fn prepared() -> (Ledger, Consolidation, Release) {
        let log = Changelog::parse(LOG);
        let v = Version::parse("2.0.0").unwrap();
        let order = vec!["Features".to_string(), "Fixes".to_string()];
        let c = fold(&log, Path::new("C.md"), None, &v, "2026-03-01", &order).unwrap();
        let ledger = Ledger::new(&log, &c.sections, None);
        let grouped = group(c, &Similarity::default(), &[], &Context::default()).unwrap();
        let release = grouped.release();
        (ledger, grouped.consolidation, release)
    }

    fn refused(r: Result<()>, says: &str) {
        let err = r.expect_err("unbalanced").to_string();
        assert!(err.contains(says), "`{says}` not in {err}");
        assert!(err.contains("nothing was written"), "{err}");
    }

    #[test]
    fn the_fold_balances_and_reports_what_it_does() {
        let (ledger, c, release) = prepared();
        assert_eq!(ledger.len(), 8);
        ledger.balance(&c, &release).unwrap();
        ledger.check_reviewed(&c, &release).unwrap();
        assert_eq!(c.duplicates.len(), 1);
        assert_eq!(c.stale.len(), 1);
        assert_eq!(
            c.overlaps
                .iter()
                .map(|o| (o.pr, o.entries.len()))
                .collect::<Vec<_>>(),
            [(4, 2)]
        );
        assert_eq!(c.left_out.len(), 1);
        assert_eq!(release.description.as_deref(), Some("Upgrade note."));
        assert_eq!(
            release.categories[1].footer.as_deref(),
            Some("Note about D.")
        );
    }

    #[test]
    fn a_lost_entry_is_named() {
        let (ledger, c, mut release) = prepared();
        release.categories[0].entries.retain(|e| e.prs != [3]);
        refused(
            ledger.balance(&c, &release),
            "#3 in Features (\"Add C\") is neither",
        );
        refused(ledger.check_reviewed(&c, &release), "#3 is missing");
    }

    #[test]
    fn an_entry_listed_twice_or_invented_is_named() {
        let (ledger, c, mut release) = prepared();
        let copy = release.categories[0].entries[0].clone();
        release.categories[1].entries.push(copy);
        refused(
            ledger.balance(&c, &release),
            "is in the section but is no input",
        );
        refused(
            ledger.check_reviewed(&c, &release),
            "is listed 2 times, 1 expected",
        );
        let (ledger, c, mut release) = prepared();
        release.categories[1]
            .entries
            .push(Entry::parse("* Add Z ([#77](u/77))", 0));
        refused(ledger.balance(&c, &release), "#77 in Fixes (\"Add Z\")");
        refused(
            ledger.check_reviewed(&c, &release),
            "#77 is listed 1 times, 0 expected",
        );
    }

    #[test]
    fn a_reviewed_section_may_move_and_reword_but_not_lose() {
        let (ledger, c, mut release) = prepared();
        // Move an entry to a new category and reword another, and the orphan.
        let moved = release.categories[0].entries.remove(0);
        let mut security = Category::new("Security");
        security.entries.push(moved);
        release.categories.push(security);
        release.categories[0].entries[0] = Entry::parse("* Reworded ([#3](u/3))", 0);
        for e in &mut release.categories[0].entries {
            if e.prs.is_empty() {
                *e = Entry::parse("* Write the user docs", 0);
            }
        }
        ledger.check_reviewed(&c, &release).unwrap();
        // The strict check is for the section as built: a rewording is no input.
        assert!(ledger.balance(&c, &release).is_err());
        // An orphan deleted is missing, named by its text.
        for cat in &mut release.categories {
            cat.entries.retain(|e| !e.prs.is_empty());
        }
        refused(
            ledger.check_reviewed(&c, &release),
            "an entry without PR is missing",
        );
    }

    #[test]
    fn false_claims_in_the_report_are_named() {
        let (ledger, c, release) = prepared();
        let mut fake = c.clone();
        fake.stale.push(Stale {
            category: "Features".into(),
            prs: vec![3],
            text: "Add C".into(),
            from: Source::Section("2.0.0rc2".into()),
            released_in: "1.9.0".into(),
            superseded: false,
        });
        refused(ledger.balance(&fake, &release), "which does not list it");
        let mut fake = c.clone();
        fake.duplicates.push(Duplicate {
            category: "Fixes".into(),
            prs: vec![6],
            kept_from: Source::Section("2.0.0rc1".into()),
            dropped_from: Source::Section("2.0.0rc2".into()),
            dropped_text: "Fix D".into(),
            kept_text: "Fix D".into(),
        });
        refused(ledger.balance(&fake, &release), "lists no such entry");
        let mut fake = c.clone();
        fake.overlaps.clear();
        refused(
            ledger.balance(&fake, &release),
            "#4 is listed by 2 entries of Features",
        );
        let mut fake = c.clone();
        fake.left_out.clear();
        refused(ledger.balance(&fake, &release), "the comment");
        let mut fake = c.clone();
        fake.overlaps.push(Overlap {
            category: "Fixes".into(),
            pr: 6,
            entries: Vec::new(),
        });
        // An overlap that is not there does no harm to the accounting.
        ledger.balance(&fake, &release).unwrap();
    }

    #[test]
    fn prose_not_carried_and_a_published_comment_are_named() {
        let (ledger, c, mut release) = prepared();
        release.description = None;
        refused(
            ledger.balance(&c, &release),
            "\"Upgrade note.\" in 2.0.0rc2 is not carried",
        );
        let (ledger, c, mut release) = prepared();
        release.categories[1].footer = None;
        refused(
            ledger.balance(&c, &release),
            "`Fixes` of 2.0.0rc1 is not carried",
        );
        let (ledger, c, mut release) = prepared();
        let e = &mut release.categories[1].entries[0];
        e.raw.push_str("\n<!--\n* Hidden ([#9](u/9))\n-->");
        refused(ledger.balance(&c, &release), "is published inside an entry");
    }

    /// Mutations of a balanced section, each of which must be refused.
    #[derive(Debug, Clone, Copy)]
    enum Mutation {
        Drop(usize),
        Duplicate(usize),
        Renumber(usize),
        DropReport(usize),
    }

    fn section(entries: &[(usize, Vec<u64>, usize)]) -> String {
        let texts = ["Add A", "Fix B", "Tune C", "Handle D"];
        let mut rc1 = String::from("## 2.0.0rc1 (2026-02-01)\n");
        let mut rc2 = String::from("## 2.0.0rc2 (2026-02-10)\n");
        for (cat, name) in ["Features", "Fixes"].iter().enumerate() {
            for (rc, into) in [(0, &mut rc1), (1, &mut rc2)] {
                into.push_str(&format!("\n### {name}\n"));
                for (k, (_, prs, text)) in entries
                    .iter()
                    .enumerate()
                    .filter(|(k, (c, ..))| *c == cat && k % 2 == rc)
                {
                    let links: Vec<String> =
                        prs.iter().map(|n| format!("([#{n}](u/{n}))")).collect();
                    into.push_str(&format!("* {} {k} {}\n", texts[*text], links.join(", ")));
                }
            }
        }
        format!("{rc2}\n\n{rc1}\n\n## 1.0.0 (2025-01-01)\n\n### Fixes\n* Fix B 0 ([#1](u/1))\n")
    }

    proptest! {
        #[test]
        fn any_loss_or_repeat_is_refused(
            entries in proptest::collection::vec(
                (0usize..2, proptest::collection::vec(1u64..6, 0..3), 0usize..4), 1..10),
            mutation in prop_oneof![
                (0usize..20).prop_map(Mutation::Drop),
                (0usize..20).prop_map(Mutation::Duplicate),
                (0usize..20).prop_map(Mutation::Renumber),
                (0usize..20).prop_map(Mutation::DropReport),
            ],
        ) {
            let log = Changelog::parse(&section(&entries));
            let v = Version::parse("2.0.0").unwrap();
            let order = vec!["Features".to_string(), "Fixes".to_string()];
            let Ok(c) = fold(&log, Path::new("C.md"), None, &v, "d", &order) else {
                return Ok(());
            };
            let ledger = Ledger::new(&log, &c.sections, None);
            let grouped = group(c, &Similarity::default(), &[], &Context::default()).unwrap();
            let mut release = grouped.release();
            let mut report = grouped.consolidation.clone();
            prop_assert!(ledger.balance(&report, &release).is_ok());
            let all: Vec<(usize, usize)> = release
                .categories
                .iter()
                .enumerate()
                .flat_map(|(c, cat)| (0..cat.entries.len()).map(move |k| (c, k)))
                .collect();
            // A dropped entry whose PRs another entry of the section still lists, all of them:
            // the review may merge listings (the fold's notes advise it).
            let mut merged = false;
            let mutated = match mutation {
                Mutation::Drop(i) => {
                    let (c, k) = all[i % all.len()];
                    let dropped = release.categories[c].entries.remove(k);
                    merged = !dropped.prs.is_empty()
                        && release
                            .entries()
                            .any(|e| dropped.prs.iter().all(|p| e.prs.contains(p)));
                    true
                }
                Mutation::Duplicate(i) => {
                    let (c, k) = all[i % all.len()];
                    let copy = release.categories[c].entries[k].clone();
                    let to = (c + i) % release.categories.len();
                    release.categories[to].entries.push(copy);
                    true
                }
                Mutation::Renumber(i) => {
                    let (c, k) = all[i % all.len()];
                    release.categories[c].entries[k].prs.push(100);
                    true
                }
                Mutation::DropReport(i) => {
                    let n = report.duplicates.len() + report.stale.len();
                    if n == 0 {
                        false
                    } else if i % n < report.duplicates.len() {
                        report.duplicates.remove(i % n);
                        true
                    } else {
                        report.stale.remove(i % n - report.duplicates.len());
                        true
                    }
                }
            };
            if mutated {
                prop_assert!(ledger.balance(&report, &release).is_err(), "{:?}", mutation);
                if merged {
                    prop_assert!(ledger.check_reviewed(&report, &release).is_ok(), "{:?}", mutation);
                } else if !matches!(mutation, Mutation::DropReport(_)) {
                    prop_assert!(ledger.check_reviewed(&report, &release).is_err(), "{:?}", mutation);
                }
            }
        }
    }
}
