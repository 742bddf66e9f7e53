//! Grouping the entries of one category into titled subsections.
//!
//! Every strategy implements [`Grouper`](crate::group::Grouper): it *proposes* groups for
//! a category's entries. [`group_category`](crate::group::group_category) then applies
//! the rules every strategy shares, so no strategy can break them: one group per entry
//! (the best by the one precedence rule, [`Rank`](crate::group::Rank)), a group needs
//! `min_size` entries unless its rule is standalone, a group whose only reason is a
//! component name is dissolved, groups are listed by the same precedence, and every group
//! gets a past-tense description. The rest goes to `Other <Category>`.
//!
//! The module is a lower layer: it knows nothing of the configuration, the changelog or
//! the command line. What a strategy may be told comes from one place,
//! [`Settings`](crate::group::Settings), which the configuration reader fills. Adding a
//! strategy means one file here, registering it in
//! [`registry`](crate::group::registry), and a paragraph in `strategies/README.md`.

// Grouping runs on whatever the changelog and the fragments hold: no input may panic it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::error::Result;

pub mod auto;
pub mod command;
pub mod inline;
mod corpus;
mod describe;
pub(crate) mod verbs;
pub mod labels;
pub mod learn;
mod levenshtein;
pub mod markup;
pub mod metrics;
pub mod quality;
pub mod registry;
pub mod rules;
pub mod settings;
pub mod similarity;
pub mod text;
pub mod tier;
pub mod topics;

pub use command::{PastCategory, PastEntry, PastGroup, PastRelease, ReleaseInput};
pub use corpus::Corpus;
pub use registry::{Strategy, build, build_with};
pub use settings::{Algorithm, Cutoff, Settings, SimilaritySettings};
pub use tier::{Rank, Tier};

/// One entry to group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub text: String,
    pub prs: Vec<u64>,
}

impl Item {
    /// An item of `text` as a reader sees it: its markup (links' targets, URLs, HTML) is
    /// dropped here, so no strategy ever groups, titles or describes by it.
    pub fn new(text: impl AsRef<str>, prs: Vec<u64>) -> Item {
        Item {
            text: markup::plain(text.as_ref()).into_owned(),
            prs,
        }
    }
}

/// A group a strategy proposes.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub title: String,
    pub description: Option<String>,
    pub tier: Tier,
    /// Indices into the category's items.
    pub members: Vec<usize>,
    /// Kept even with a single entry.
    pub standalone: bool,
    /// Why these entries are together (shown in the review draft).
    pub reason: String,
    /// The normalised words that justified the group; a group whose evidence is only
    /// component names is dissolved.
    pub evidence: Vec<String>,
}

/// A finished group of a category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub title: String,
    pub description: String,
    pub tier: Tier,
    pub members: Vec<usize>,
    #[serde(skip)]
    pub reason: String,
}

/// A category after grouping: titled groups, then the entries left for `Other <Category>`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grouping {
    pub groups: Vec<Group>,
    pub other: Vec<usize>,
}

impl Grouping {
    /// Cluster labels per item (`None` = not grouped), for scoring.
    pub fn labels(&self, n: usize) -> Vec<Option<usize>> {
        let mut out = vec![None; n];
        for (g, group) in self.groups.iter().enumerate() {
            for &m in &group.members {
                out[m] = Some(g);
            }
        }
        out
    }
}

/// One grouped category of an earlier final release, used to tune strategies on the
/// project's own history.
#[derive(Debug, Clone, Default)]
pub struct HistorySection {
    pub release: String,
    pub category: String,
    /// (entry text, group index or `None` for "Other"/ungrouped).
    pub entries: Vec<(String, Option<usize>)>,
    /// Titles and descriptions of the groups, by index.
    pub groups: Vec<(String, String)>,
}

/// What every strategy may use besides the entries themselves.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub corpus: Corpus,
    pub history: Vec<HistorySection>,
    /// Component names: never a group's only reason.
    pub components: Vec<String>,
    /// The components, and every word of them, as sets: [`Context::only_components`] asks
    /// once per word of every entry weighed.
    component_names: std::collections::HashSet<String, foldhash::fast::FixedState>,
    component_words: std::collections::HashSet<String, foldhash::fast::FixedState>,
    pub min_size: usize,
    /// The history's topics, built on first use and shared by every category's grouping.
    topics: std::sync::OnceLock<topics::Topics>,
    /// What a strategy left aside and the user should hear of (a label that cannot be a
    /// title), each once.
    notes: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Context {
    pub fn new(
        corpus: Corpus,
        history: Vec<HistorySection>,
        components: &[String],
        min_size: usize,
    ) -> Context {
        let components: Vec<String> = components
            .iter()
            .map(|c| text::normalize_phrase(c))
            .filter(|c| !c.is_empty())
            .collect();
        Context {
            corpus,
            history,
            component_names: components.iter().cloned().collect(),
            component_words: components
                .iter()
                .flat_map(|c| c.split(' ').map(str::to_string))
                .collect(),
            components,
            min_size: min_size.max(1),
            topics: std::sync::OnceLock::new(),
            notes: Default::default(),
        }
    }

    /// Tell the user `note` once, with the consolidation's warnings.
    pub fn warn(&self, note: String) {
        if let Ok(mut notes) = self.notes.lock() {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }

    /// The notes strategies left, in order (and none left behind).
    pub fn take_notes(&self) -> Vec<String> {
        self.notes
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }

    /// The history's topics ([`topics::Topics`]), built once.
    pub(crate) fn topics(&self) -> &topics::Topics {
        self.topics.get_or_init(|| topics::Topics::of(self))
    }

    /// True when every evidence word or phrase is a component name (or part of one).
    pub fn only_components(&self, evidence: &[String]) -> bool {
        if evidence.is_empty() {
            return false;
        }
        evidence.iter().all(|e| {
            self.component_names.contains(e.as_str())
                || e.split(' ').all(|w| self.component_words.contains(w))
        })
    }
}

/// A grouping strategy (registered in [`registry`]).
pub trait Grouper {
    /// Called once per release, before [`propose`](Grouper::propose), with every category
    /// to group: a strategy that answers for the whole release at once (the external
    /// command) does its work here. Others need nothing from it.
    fn begin(&self, _release: &ReleaseInput<'_>, _ctx: &Context) -> Result<()> {
        Ok(())
    }

    /// Propose groups for the items of one category. Only items listed in `candidates`
    /// may be used; a proposal may hold an item only once, and proposals should not
    /// overlap (overlaps are resolved by [`Rank`]: tier, then size).
    fn propose(
        &self,
        category: &str,
        items: &[Item],
        candidates: &[usize],
        ctx: &Context,
    ) -> Result<Vec<Proposal>>;

    /// True when the groups the strategy proposes for an entry depend on that entry
    /// alone, not on which other entries it is shown (rules, labels). `auto` lets such a
    /// strategy claim entries an earlier pass placed, and the precedence rule ([`Rank`])
    /// decides; a strategy that compares entries with each other (similarity) only sees
    /// what earlier passes left, so that its clusters are made of unplaced entries.
    fn judges_each_entry(&self) -> bool {
        false
    }
}

/// Group one category: ask the strategy, then enforce the shared rules.
pub fn group_category(
    grouper: &dyn Grouper,
    category: &str,
    items: &[Item],
    ctx: &Context,
) -> Result<Grouping> {
    let candidates: Vec<usize> = (0..items.len()).collect();
    let proposals = grouper.propose(category, items, &candidates, ctx)?;
    let grouping = finish(category, items, proposals, ctx);
    publishable(category, &grouping)?;
    Ok(grouping)
}

/// Every title and description a grouping would publish, whichever strategy wrote it, is
/// one line of plain inline text ([`inline::check`]): text that is not an entry never
/// starts a block, breaks a line or links anywhere. The strategies that read text from a
/// file check it there, naming the file and key; this is where all of them meet.
fn publishable(category: &str, grouping: &Grouping) -> Result<()> {
    for g in &grouping.groups {
        for (key, text) in [("title", &g.title), ("description", &g.description)] {
            let checked = inline::check(text).and_then(|t| {
                if key == "title" && ends_in_closing_hashes(&t) {
                    Err("a closing `#` sequence, which Markdown drops from a heading".into())
                } else {
                    Ok(t)
                }
            });
            if let Err(why) = checked {
                return Err(crate::error::Error::Refused(format!(
                    "the group \"{}\" of {category} ({}) has a {key} that cannot be published: \
                     it holds {why}. A title or description is one line of plain text; fix it \
                     where it comes from. Nothing was written",
                    inline::quoted(&g.title),
                    inline::quoted(&g.reason),
                )));
            }
        }
    }
    Ok(())
}

/// Apply the shared rules to proposals and describe the groups.
pub fn finish(category: &str, items: &[Item], proposals: Vec<Proposal>, ctx: &Context) -> Grouping {
    let settled = settle(category, proposals, ctx);
    let mut groups = Vec::new();
    let mut grouped = vec![false; items.len()];
    for p in settled {
        for &m in &p.members {
            grouped[m] = true;
        }
        // A description written for another category (a rule's, or an earlier release's)
        // is not reused: the group gets its own.
        // A description made from the entries' words that is no plain line (an entry's
        // text may hold anything) gives way to one made from the title; a strategy's own
        // is published as it is, or refused ([`publishable`]).
        let description = p
            .description
            .filter(|d| {
                !d.trim().is_empty() && !describe::written_for_another_category(category, d)
            })
            .unwrap_or_else(|| {
                let made = describe::describe(category, &p.title, &p.members, items);
                match inline::check(&made) {
                    Ok(plain) => plain,
                    Err(_) => format!("{}.", p.title.trim().trim_end_matches('.')),
                }
            });
        groups.push(Group {
            title: p.title,
            description,
            tier: p.tier,
            members: p.members,
            reason: p.reason,
        });
    }
    // Listed by the one precedence rule, ties in title order (see [`Rank`]).
    groups.sort_by(|a, b| a.title.cmp(&b.title));
    let mut ranked: Vec<(Rank, Group)> = groups
        .into_iter()
        .enumerate()
        .map(|(position, g)| (Rank::of_group(g.tier, g.members.len(), position), g))
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    let groups = ranked.into_iter().map(|(_, g)| g).collect();
    let other = (0..items.len()).filter(|&i| !grouped[i]).collect();
    Grouping { groups, other }
}

/// The shared rules on proposals, before descriptions: each item in one proposal (the
/// best by [`Rank`]), proposals with the same title merged, and those too small,
/// only about component names, or titled like the fallback group dropped. Proposal order
/// is kept. (`auto` settles what its passes propose between passes.)
pub fn settle(category: &str, proposals: Vec<Proposal>, ctx: &Context) -> Vec<Proposal> {
    let mut proposals = resolve_overlaps(proposals);
    // Same title twice (two rules, or a rule and a cluster): one group.
    let mut by_title: BTreeMap<String, usize> = BTreeMap::new();
    let mut merged: Vec<Proposal> = Vec::new();
    for p in proposals.drain(..) {
        let key = p.title.to_lowercase();
        match by_title.get(&key) {
            Some(&i) => {
                let target = &mut merged[i];
                target.members.extend(p.members);
                target.evidence.extend(p.evidence);
                target.tier = target.tier.min(p.tier);
                target.standalone |= p.standalone;
                if target.description.is_none() {
                    target.description = p.description;
                }
            }
            None => {
                by_title.insert(key, merged.len());
                merged.push(p);
            }
        }
    }
    merged
        .into_iter()
        .filter_map(|mut p| {
            p.members.sort_unstable();
            p.members.dedup();
            let big_enough =
                p.members.len() >= ctx.min_size || (p.standalone && !p.members.is_empty());
            let keep = big_enough
                && !ctx.only_components(&p.evidence)
                && !is_other_title(&p.title, category);
            keep.then_some(p)
        })
        .collect()
}

/// The category a group title of `category` would read as where it is published:
/// `#### Fixes` under Features, or another category's fallback (`Other Fixes`). No title
/// may be one; the grouping and the review both ask here.
pub fn titled_like_category<'a>(
    title: &str,
    category: &str,
    categories: &'a [String],
) -> Option<&'a String> {
    let title = title.trim();
    categories.iter().find(|k| {
        title.eq_ignore_ascii_case(k)
            || (!k.eq_ignore_ascii_case(category) && title.eq_ignore_ascii_case(&other_title(k)))
    })
}

/// Whether a title ends in what Markdown reads as a heading's closing sequence (a run of
/// `#` after a space, or the whole title): `#### Ends with ##` is shown as "Ends with".
fn ends_in_closing_hashes(title: &str) -> bool {
    let t = title.trim_end();
    let body = t.trim_end_matches('#');
    body.len() < t.len() && (body.is_empty() || body.ends_with(' '))
}

/// A strategy must not propose the fallback group itself.
fn is_other_title(title: &str, category: &str) -> bool {
    title.eq_ignore_ascii_case(&other_title(category))
}

/// `Other Features`, `Other Fixes`…
pub fn other_title(category: &str) -> String {
    format!("Other {category}")
}

/// Each item goes to one proposal: the best by the one precedence rule ([`Rank`]: tier,
/// then size, then the earlier proposal).
fn resolve_overlaps(mut proposals: Vec<Proposal>) -> Vec<Proposal> {
    let mut order: Vec<usize> = (0..proposals.len()).collect();
    order.sort_by_key(|&p| Rank::of_group(proposals[p].tier, proposals[p].members.len(), p));
    let mut taken: HashSet<usize> = HashSet::new();
    let mut keep = vec![Vec::new(); proposals.len()];
    for &p in &order {
        for &m in &proposals[p].members {
            if taken.insert(m) {
                keep[p].push(m);
            }
        }
    }
    for (p, members) in proposals.iter_mut().zip(keep) {
        p.members = members;
    }
    proposals.retain(|p| !p.members.is_empty());
    proposals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(title: &str, tier: Tier, members: &[usize]) -> Proposal {
        Proposal {
            title: title.into(),
            description: None,
            tier,
            members: members.to_vec(),
            standalone: false,
            reason: "test".into(),
            evidence: vec![title.to_lowercase()],
        }
    }

    fn items(n: usize) -> Vec<Item> {
        (0..n)
            .map(|i| Item::new(format!("Add thing number {i}"), vec![i as u64 + 1]))
            .collect()
    }

    fn ctx() -> Context {
        Context::new(
            Corpus::default(),
            vec![],
            &["manager".into(), "agent".into()],
            2,
        )
    }

    #[test]
    fn higher_tier_wins_overlaps_and_small_groups_dissolve() {
        let its = items(5);
        let g = finish(
            "Features",
            &its,
            vec![
                proposal("Broad", Tier::Pattern, &[0, 1, 2]),
                proposal("Named", Tier::Initiative, &[1, 2, 3]),
            ],
            &ctx(),
        );
        assert_eq!(g.groups.len(), 1);
        assert_eq!(g.groups[0].title, "Named");
        assert_eq!(g.groups[0].members, [1, 2, 3]);
        // "Broad" kept only entry 0: too small, so it went to Other.
        assert_eq!(g.other, [0, 4]);
        assert!(!g.groups[0].description.is_empty());
    }

    #[test]
    fn component_only_groups_are_dissolved() {
        let its = items(4);
        let mut p = proposal("Manager", Tier::Subsystem, &[0, 1, 2]);
        p.evidence = vec!["manager".into()];
        let g = finish("Fixes", &its, vec![p], &ctx());
        assert!(g.groups.is_empty());
        assert_eq!(g.other, [0, 1, 2, 3]);
    }

    #[test]
    fn standalone_groups_may_hold_one_entry() {
        let its = items(3);
        let mut p = proposal("Security", Tier::Pattern, &[2]);
        p.standalone = true;
        let g = finish("Fixes", &its, vec![p], &ctx());
        assert_eq!(g.groups[0].members, [2]);
    }

    #[test]
    fn order_is_tier_then_size() {
        let its = items(9);
        let g = finish(
            "Features",
            &its,
            vec![
                proposal("Small pattern", Tier::Pattern, &[0, 1]),
                proposal("Big pattern", Tier::Pattern, &[2, 3, 4]),
                proposal("Initiative", Tier::Initiative, &[5, 6]),
            ],
            &ctx(),
        );
        let titles: Vec<_> = g.groups.iter().map(|g| g.title.as_str()).collect();
        assert_eq!(titles, ["Initiative", "Big pattern", "Small pattern"]);
    }
}
