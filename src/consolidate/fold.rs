//! Folding the inputs (rc sections, then the new fragments) into one list per category.
//!
//! An entry is identified by its set of PRs (by its text when it has none). Per category:
//! a newer input listing the same set replaces the older texts (a duplicate, reported);
//! texts from one input that share a set (numbered fragments) are all kept, as towncrier
//! does — a newer input's texts replace only the older texts they pair with (best match),
//! the others are kept; entries whose sets only overlap are all kept and the overlap is
//! reported. An entry an earlier release already lists — its PR *and* text, or, without
//! PR, its text — or that comes from a fragment file an earlier release consumed (found in
//! git's history) is stale: reported and left out. Prose of an input is carried to the same place in the folded section; comments and
//! towncrier's "No significant changes." are left out and reported.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::consumed::ConsumedEntry;
use super::released::Released;
use crate::changelog::{BlockKind, Changelog, Entry, Place, Release};
use crate::error::{Error, Result};
use crate::version::Version;

/// Where an input entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A pre-release section, by version.
    Section(String),
    /// The new fragments.
    Fragments,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Section(v) => f.write_str(v),
            Source::Fragments => f.write_str("the new fragments"),
        }
    }
}

/// A PR set listed again by a newer input in one category: the newest text was kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    pub category: String,
    #[serde(
        flatten,
        serialize_with = "crate::consolidate::grouped::serialize_refs"
    )]
    pub prs: Vec<u64>,
    pub kept_from: Source,
    pub dropped_from: Source,
    pub dropped_text: String,
    /// The newer text that replaced it (the same text, for one listed twice in one input).
    pub kept_text: String,
}

/// An older text of a change that a newer input lists with fewer texts (a numbered
/// fragment the newer rc did not reword): no newer text pairs with it, so it is kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unpaired {
    pub category: String,
    #[serde(
        flatten,
        serialize_with = "crate::consolidate::grouped::serialize_refs"
    )]
    pub prs: Vec<u64>,
    pub text: String,
    pub from: Source,
    /// The newer input whose texts of the same change did not pair with it.
    pub newer: Source,
}

/// An entry left out because an earlier release already lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stale {
    pub category: String,
    #[serde(
        flatten,
        serialize_with = "crate::consolidate::grouped::serialize_refs"
    )]
    pub prs: Vec<u64>,
    pub text: String,
    pub from: Source,
    /// The title of the release section that already lists it.
    pub released_in: String,
    /// An rc's entry that a release published after the rc lists in other (newer) words.
    pub superseded: bool,
}

/// One entry as it stands in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    #[serde(
        flatten,
        serialize_with = "crate::consolidate::grouped::serialize_refs"
    )]
    pub prs: Vec<u64>,
    pub text: String,
    pub from: Source,
}

/// A PR that more than one kept entry of a category lists (numbered fragments, or an entry
/// for several PRs and a newer one for one of them): every entry is kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    pub category: String,
    #[serde(flatten, serialize_with = "crate::consolidate::grouped::serialize_ref")]
    pub pr: u64,
    pub entries: Vec<Listing>,
}

/// Why a block of an input is not in the folded section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeftOutReason {
    /// An HTML comment: never published.
    Comment,
    /// towncrier's "No significant changes." of an input without entries there.
    Boilerplate,
}

/// A block of an input that is not published in the folded section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeftOut {
    pub from: Source,
    /// Where it was: `CHANGELOG.md:12`, or the section built from the fragments.
    pub at: String,
    pub reason: LeftOutReason,
    pub text: String,
}

/// A paragraph of an input carried into the folded section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prose {
    pub from: Source,
    pub at: String,
    pub text: String,
}

/// The entries of one category after folding, with where each came from.
#[derive(Debug, Clone)]
pub struct FoldedCategory {
    pub name: String,
    pub entries: Vec<(Entry, Source)>,
    /// Paragraphs carried from the inputs' text under this category's heading.
    pub description: Vec<Prose>,
    /// Paragraphs carried from the inputs' text after this category's entries.
    pub footer: Vec<Prose>,
}

/// The folded release before grouping.
#[derive(Debug, Clone)]
pub struct Consolidation {
    pub version: Version,
    pub date: String,
    /// The project name the rc headings carry (`# demo 1.1.0rc1`), kept in the new heading.
    pub name: Option<String>,
    /// The heading towncrier renders for this version (the project's `title_format` or
    /// template: `[1.1.0] - 2025-03-01`), when known; it wins over `<name> <version> (<date>)`.
    pub title: Option<String>,
    /// Indexes of the pre-release sections in the changelog, in file order.
    pub sections: Vec<usize>,
    /// Their versions, in file order (newest first).
    pub section_versions: Vec<String>,
    /// Paragraphs carried from the inputs' text under their release heading.
    pub description: Vec<Prose>,
    pub categories: Vec<FoldedCategory>,
    pub duplicates: Vec<Duplicate>,
    /// Older texts kept because no newer text of their change pairs with them.
    pub unpaired: Vec<Unpaired>,
    pub stale: Vec<Stale>,
    pub overlaps: Vec<Overlap>,
    pub left_out: Vec<LeftOut>,
    /// Warnings about the touched sections (a duplicated rc heading, …).
    pub warnings: Vec<String>,
}

impl Consolidation {
    pub fn entry_count(&self) -> usize {
        self.categories.iter().map(|c| c.entries.len()).sum()
    }
}

/// The label of an input section (its version, or its title).
pub(crate) fn section_source(release: &Release) -> Source {
    Source::Section(
        release
            .version()
            .map(|v| v.to_string())
            .unwrap_or_else(|| release.title().to_string()),
    )
}

/// Two entries are the same change when they list the same PRs; entries without PRs when
/// they say the same.
pub(crate) fn same_identity(a: &Entry, b: &Entry) -> bool {
    match (a.prs.is_empty(), b.prs.is_empty()) {
        (true, true) => a.normalized_text() == b.normalized_text(),
        // An entry's PRs have no duplicates: the same set is the same count, all shared.
        (false, false) => a.prs.len() == b.prs.len() && a.prs.iter().all(|p| b.prs.contains(p)),
        _ => false,
    }
}

/// Text compared for carrying prose once: whitespace collapsed.
pub(crate) fn normalized_prose(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What towncrier's templates write for a section or category without entries.
pub(crate) fn is_boilerplate(text: &str) -> bool {
    normalized_prose(text).eq_ignore_ascii_case("No significant changes.")
}

/// The configured category `name` is nearly (a typo, another case, or the same name in
/// markup: `**Features**`, `[Features](#features)` render as Features), if it is not one.
pub fn near_miss<'a>(name: &str, known: &'a [String]) -> Option<&'a String> {
    if known.iter().any(|k| k == name) {
        return None;
    }
    let shown = crate::group::markup::plain(name);
    let shown = shown.trim_matches(|c: char| "*_`~".contains(c) || c.is_whitespace());
    known.iter().find(|k| {
        [name, shown].iter().any(|n| {
            k.eq_ignore_ascii_case(n)
                || strsim::jaro_winkler(&k.to_lowercase(), &n.to_lowercase()) >= 0.9
        })
    })
}

/// The inputs, oldest first: the rc sections by version (`rc1` before `rc2` wherever the
/// changelog puts them: kept oldest first, its newest rc is at the bottom), sections of one
/// version bottom-up; then the fragments' section.
pub(crate) fn inputs<'a>(
    changelog: &'a Changelog,
    sections: &[usize],
    fragments: Option<&'a Release>,
) -> Vec<(&'a Release, Source)> {
    let releases = changelog.releases();
    let mut order: Vec<usize> = sections.iter().rev().copied().collect();
    // Stable: sections of the same version (or without one) stay bottom-up.
    order.sort_by(
        |&a, &b| match (releases[a].version(), releases[b].version()) {
            (Some(x), Some(y)) => x.cmp(y),
            _ => std::cmp::Ordering::Equal,
        },
    );
    let mut inputs: Vec<(&Release, Source)> = order
        .iter()
        .map(|&i| &changelog.releases()[i])
        .map(|r| (r, section_source(r)))
        .collect();
    if let Some(f) = fragments {
        inputs.push((f, Source::Fragments));
    }
    inputs
}

/// Fold the pre-release sections of `version` and the new fragments' section.
///
/// `fragments` is the section `git release build` would insert for the new fragments,
/// parsed; `category_order` is the project's type names in configured order.
pub fn fold(
    changelog: &Changelog,
    path: &Path,
    fragments: Option<&Release>,
    version: &Version,
    date: &str,
    category_order: &[String],
) -> Result<Consolidation> {
    fold_consumed(
        changelog,
        path,
        fragments,
        version,
        date,
        category_order,
        &[],
    )
}

/// [`fold`], knowing which of the fragments' entries come from fragments an earlier
/// release consumed (`consumed`, found in git's history): those are stale too.
pub fn fold_consumed(
    changelog: &Changelog,
    path: &Path,
    fragments: Option<&Release>,
    version: &Version,
    date: &str,
    category_order: &[String],
    consumed: &[ConsumedEntry],
) -> Result<Consolidation> {
    if !version.is_final() {
        return Err(Error::Usage(format!(
            "{version} is a pre-release; only final versions (like {}) are consolidated",
            version.base()
        )));
    }
    if let Some(i) = changelog.find(version) {
        return Err(Error::changelog(
            path,
            changelog.releases()[i].line(),
            format!(
                "the changelog already has a `{}` section; remove it (or release another version) before consolidating",
                changelog.releases()[i].title()
            ),
        ));
    }
    let sections = changelog.releases_for(version);
    // A section of this release whose heading is not read as one would be left out of the
    // fold, its entries lost: refused, naming it.
    if let Some(r) = changelog.releases().iter().find(|r| {
        r.named_version()
            .is_some_and(|v| v.base() == version.base())
    }) {
        return Err(Error::changelog(
            path,
            r.line(),
            format!(
                "`{}` looks like a section of {version} but its heading is not read as a release \
                 (so it would not be folded, and its entries would be lost); write it \
                 `<version> (<date>)`, e.g. `{}rc1 (2026-01-31)`, then run again",
                r.title(),
                version.base()
            ),
        ));
    }
    let fragment_entries = fragments.map(|r| r.entries().count()).unwrap_or(0);
    if sections.is_empty() && fragment_entries == 0 {
        // Sections above the start string are not read (as towncrier reads the file): said.
        let base = version.base().to_string();
        let above = changelog.preamble().lines().find(|l| {
            l.trim_start().starts_with('#')
                && l.split(|c: char| c.is_whitespace() || c == '[' || c == ']')
                    .any(|w| {
                        w.strip_prefix(base.as_str()).is_some_and(|rest| {
                            let rest = rest.trim_start_matches(['.', '-']);
                            ["rc", "a", "b", "alpha", "beta"]
                                .iter()
                                .any(|p| rest.starts_with(p))
                        })
                    })
        });
        let hint = above.map_or_else(
            || {
                "; add a news fragment for it (`towncrier create`), or, for a release with \
                 nothing to say, tag the commit yourself (`git tag {version}`)"
                    .replace("{version}", version.as_str())
            },
            |l| {
                format!(
                    "; `{}` stands above the start string, where releases are not read \
                     (towncrier inserts below it): move the start string above the release \
                     sections",
                    l.trim()
                )
            },
        );
        return Err(Error::Refused(format!(
            "nothing to consolidate for {version}: {} has no {}rc/a/b sections and there are no new fragments{hint}",
            path.display(),
            version
        )));
    }
    let warnings = check_sections(changelog, path, &sections, category_order)?;
    let released = Released::of(changelog, &sections);
    let inputs = inputs(changelog, &sections, fragments);
    // An input's rank: the first input with its label (two `## 2.0.0rc1` sections are one).
    let rank = |source: &Source| inputs.iter().position(|(_, s)| s == source);
    let at = |source: &Source, line: usize| match source {
        Source::Section(_) => format!("{}:{line}", path.display()),
        Source::Fragments => "the section built from the fragments".to_string(),
    };

    let mut folding = Folding::default();
    for (release, source) in &inputs {
        // The changelog index of an rc input (`None`: the fragments' section).
        let section = sections
            .iter()
            .copied()
            .find(|&i| std::ptr::eq(&changelog.releases()[i], *release));
        for cat in &release.categories {
            let slot = folding.slot(&cat.name);
            // This input's entries of the category, paired with the older ones below.
            let mut fresh: Vec<(Entry, Source)> = Vec::new();
            for entry in cat.all_entries() {
                let text = entry.normalized_text();
                let consumed = || {
                    consumed
                        .iter()
                        .filter(|_| *source == Source::Fragments)
                        .find(|c| {
                            c.category == cat.name
                                && same_identity(&c.entry, entry)
                                && c.entry.normalized_text() == text
                        })
                        .map(|c| &c.released_in)
                };
                let listed = released
                    .listing(entry)
                    .or_else(consumed)
                    .map(|t| (t, false));
                let superseding = || {
                    section
                        .and_then(|i| released.superseding(&cat.name, entry, i))
                        .map(|t| (t, true))
                };
                if let Some((title, superseded)) = listed.or_else(superseding) {
                    folding.stale.push(Stale {
                        category: cat.name.clone(),
                        prs: entry.prs.clone(),
                        text: entry.text.clone(),
                        from: source.clone(),
                        released_in: title.clone(),
                        superseded,
                    });
                    continue;
                }
                // The same text twice in one input is one entry.
                let folded = &folding.categories[slot].entries;
                let repeated = folded.iter().chain(&fresh).any(|(old, old_source)| {
                    rank(old_source) == rank(source)
                        && same_identity(old, entry)
                        && old.normalized_text() == text
                });
                if repeated {
                    folding.duplicates.push(Duplicate {
                        category: cat.name.clone(),
                        prs: entry.prs.clone(),
                        kept_from: source.clone(),
                        dropped_from: source.clone(),
                        dropped_text: entry.text.clone(),
                        kept_text: entry.text.clone(),
                    });
                    continue;
                }
                // PR references a template glued to the fence that ends the entry's code
                // block are moved to a line of their own, where they render as links.
                let mut entry = entry.clone();
                if let Some(raw) = crate::changelog::unglue_closing_fence(&entry.raw) {
                    entry.raw = raw;
                }
                fresh.push((entry, source.clone()));
            }
            // A newer input's texts replace the older texts of the same change they pair
            // with; an older text no newer one pairs with (a numbered fragment the newer rc
            // did not reword) is kept.
            let folded = &mut folding.categories[slot].entries;
            let older: Vec<bool> = folded.iter().map(|(_, s)| rank(s) < rank(source)).collect();
            let pairs = super::pair::pair_texts(
                &fresh.iter().map(|(e, _)| e).collect::<Vec<_>>(),
                &folded
                    .iter()
                    .zip(&older)
                    .map(|((e, _), &o)| o.then_some(e))
                    .collect::<Vec<_>>(),
            );
            let mut replaced: Vec<Option<usize>> = vec![None; folded.len()];
            let own = |e: &Entry| changelog.ref_format().on_own_lines(&e.raw);
            for (new, old) in pairs {
                let ((n, s), (o, os)) = (&fresh[new], &folded[old]);
                if own(n) != own(o) {
                    let (o, n) = ((o, at(os, o.line)), (n, at(s, n.line)));
                    return Err(super::pair::read_apart(o, n, &cat.name, path));
                }
                replaced[old] = Some(new);
            }
            for (k, (old, old_source)) in folded.iter().enumerate() {
                if let Some(new) = replaced[k] {
                    folding.duplicates.push(Duplicate {
                        category: cat.name.clone(),
                        prs: old.prs.clone(),
                        kept_from: source.clone(),
                        dropped_from: old_source.clone(),
                        dropped_text: old.text.clone(),
                        kept_text: fresh[new].0.text.clone(),
                    });
                } else if older[k] && fresh.iter().any(|(e, _)| same_identity(e, old)) {
                    folding.unpaired.push(Unpaired {
                        category: cat.name.clone(),
                        prs: old.prs.clone(),
                        text: old.text.clone(),
                        from: old_source.clone(),
                        newer: source.clone(),
                    });
                }
            }
            let mut k = 0;
            folded.retain(|_| {
                k += 1;
                replaced[k - 1].is_none()
            });
            folded.extend(fresh);
        }
        for block in release.blocks() {
            let at = at(source, block.line);
            let reason = match block.kind {
                BlockKind::Comment => Some(LeftOutReason::Comment),
                BlockKind::Prose if is_boilerplate(&block.text) => Some(LeftOutReason::Boilerplate),
                BlockKind::Prose => None,
            };
            if let Some(reason) = reason {
                folding.left_out.push(LeftOut {
                    from: source.clone(),
                    at,
                    reason,
                    text: block.text.clone(),
                });
                continue;
            }
            let prose = Prose {
                from: source.clone(),
                at,
                text: block.text.clone(),
            };
            let category = |c: usize| release.categories.get(c).map(|c| c.name.as_str());
            match block.place {
                Place::Release => push_prose(&mut folding.description, prose),
                Place::Description(c) => {
                    if let Some(name) = category(c) {
                        let slot = folding.slot(name);
                        push_prose(&mut folding.categories[slot].description, prose);
                    }
                }
                Place::Footer(c) => {
                    if let Some(name) = category(c) {
                        let slot = folding.slot(name);
                        push_prose(&mut folding.categories[slot].footer, prose);
                    }
                }
                Place::Subsection(c, s) => {
                    let title = release.categories.get(c).and_then(|c| c.subsections.get(s));
                    return Err(Error::Refused(format!(
                        "{}: the text under `{} {}` in `{}` describes a group, and the groups \
                         of {version} are made anew: move it under the `{} {}` heading (it is \
                         then carried into {version}) or delete it, then re-run",
                        prose.at,
                        "#".repeat(changelog.level() + 2),
                        title.map_or("", |s| s.title.as_str()),
                        release.title(),
                        "#".repeat(changelog.level() + 1),
                        category(c).unwrap_or_default(),
                    )));
                }
            }
        }
    }
    let Folding {
        mut categories,
        duplicates,
        unpaired,
        stale,
        left_out,
        description,
    } = folding;
    for c in &categories {
        if let (true, Some(p)) = (
            c.entries.is_empty(),
            c.description.iter().chain(&c.footer).next(),
        ) {
            return Err(Error::Refused(format!(
                "{}: the text under `{} {}` has no category to go to in {version}: every entry \
                 of `{}` is already released. Move the text under the release heading or delete \
                 it, then re-run",
                p.at,
                "#".repeat(changelog.level() + 1),
                c.name,
                c.name
            )));
        }
    }
    categories.retain(|c| !c.entries.is_empty());
    // Whatever the reading: two inputs' entries ending with one unread reference, refused.
    let refs = changelog.ref_format();
    for c in &categories {
        let mut seen: Vec<(&str, &Entry, &Source)> = Vec::new();
        for (e, s) in &c.entries {
            let unread = e.prs.is_empty().then(|| refs.unread_tail(&e.text));
            let Some(r) = unread.flatten() else { continue };
            if let Some(&(_, old, o)) = seen.iter().find(|t| t.0 == r && rank(t.2) != rank(s)) {
                let (was, is, file) = (at(o, old.line), at(s, e.line), path.display());
                return Err(Error::Refused(format!(
                    "`{}` ({was}) and `{}` ({is}) under `{}` both end with `{r}`, a reference not \
                     read as an issue (a name the `issue_format` is not read with): one change \
                     would be listed twice. Delete the older entry from the {o} section of {file} \
                     (or merge the two there; two changes: reword one's end), commit, then re-run",
                    old.text, e.text, c.name
                )));
            }
            seen.push((r, e, s));
        }
    }
    if categories.is_empty() && !stale.is_empty() {
        // Every input stale is no release (no entry at all: `prepare`, towncrier's for none).
        let mut prs: Vec<u64> = stale.iter().flat_map(|s| s.prs.iter().copied()).collect();
        prs.sort_unstable();
        prs.dedup();
        let list = crate::changelog::pr_list(&prs);
        return Err(Error::Refused(format!(
            "nothing to consolidate for {version}: every entry of its inputs is already released \
             ({list}); remove the leftover fragments (or rc sections) that list them"
        )));
    }
    // The project's type order; unknown categories keep their order after the known ones.
    categories.sort_by_key(|c| {
        category_order
            .iter()
            .position(|n| *n == c.name)
            .unwrap_or(usize::MAX)
    });
    // Within a category: by issue as towncrier orders them (names before numbers), entries
    // without one last.
    for c in &mut categories {
        c.entries.sort_by(|(a, _), (b, _)| match (a.pr(), b.pr()) {
            (Some(x), Some(y)) => crate::changelog::issue_order(x, y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.text.cmp(&b.text),
        });
    }
    let overlaps = overlaps(&categories);
    let mut warnings = warnings;
    warnings.extend(super::crossed::notes(&categories));

    let section_versions = sections
        .iter()
        .map(|&i| match section_source(&changelog.releases()[i]) {
            Source::Section(v) => v,
            Source::Fragments => String::new(),
        })
        .collect();
    let name = sections
        .first()
        .and_then(|&i| changelog.releases()[i].name())
        .or_else(|| fragments.and_then(|f| f.name()))
        .map(str::to_string);
    Ok(Consolidation {
        version: version.clone(),
        date: date.to_string(),
        name,
        title: None,
        sections,
        section_versions,
        description,
        categories,
        duplicates,
        unpaired,
        stale,
        overlaps,
        left_out,
        warnings,
    })
}

/// The folded state while the inputs are read.
#[derive(Default)]
struct Folding {
    categories: Vec<FoldedCategory>,
    duplicates: Vec<Duplicate>,
    unpaired: Vec<Unpaired>,
    stale: Vec<Stale>,
    left_out: Vec<LeftOut>,
    description: Vec<Prose>,
}

impl Folding {
    /// The index of category `name`, added when it is new.
    fn slot(&mut self, name: &str) -> usize {
        match self.categories.iter().position(|c| c.name == name) {
            Some(p) => p,
            None => {
                self.categories.push(FoldedCategory {
                    name: name.to_string(),
                    entries: Vec::new(),
                    description: Vec::new(),
                    footer: Vec::new(),
                });
                self.categories.len() - 1
            }
        }
    }
}

/// Add a paragraph unless the same text is there already (an upgrade note repeated in
/// each rc). Link definitions (`[#1]: https://…`, written after each list by a
/// link-definition `issue_format`) are kept once each, line by line.
pub(crate) fn push_prose(to: &mut Vec<Prose>, mut prose: Prose) {
    let text = normalized_prose(&prose.text);
    if to.iter().any(|p| normalized_prose(&p.text) == text) {
        return;
    }
    let lines: Vec<&str> = prose.text.lines().collect();
    if lines.iter().all(|l| is_link_definition(l)) {
        let known: Vec<String> = to
            .iter()
            .flat_map(|p| p.text.lines().map(normalized_prose))
            .collect();
        let new: Vec<&str> = lines
            .into_iter()
            .filter(|l| !known.contains(&normalized_prose(l)))
            .collect();
        if new.is_empty() {
            return;
        }
        prose.text = new.join("\n");
    }
    to.push(prose);
}

/// A Markdown link reference definition: `[label]: destination`.
pub(crate) fn is_link_definition(line: &str) -> bool {
    // Every match holds `]:`: a line without it needs no pattern (compiled on first use).
    line.contains("]:") && static_regex!(r"^ {0,3}\[[^\]]+\]:\s*\S").is_match(line)
}

/// The changelog's problems with the sections to fold, and what the fold itself cannot
/// take: entries outside a category, a category that is a typo of a configured one.
fn check_sections(
    changelog: &Changelog,
    path: &Path,
    sections: &[usize],
    category_order: &[String],
) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    for problem in changelog.problems_for(sections) {
        let unclosed = problem.kind == crate::changelog::ProblemKind::UnclosedComment;
        match problem.severity {
            _ if unclosed => return Err(problem.to_error(path)),
            crate::changelog::Severity::Error => return Err(problem.to_error(path)),
            crate::changelog::Severity::Warning => warnings.push(format!(
                "{}:{}: {}",
                path.display(),
                problem.line,
                problem.message
            )),
        }
    }
    for &i in sections {
        let release = &changelog.releases()[i];
        if let Some(e) = release.loose_entries().first() {
            return Err(Error::changelog(
                path,
                e.line,
                "an entry outside any category in a section to consolidate; put it under a `###` category",
            ));
        }
        for c in &release.categories {
            if let Some(near) = near_miss(&c.name, category_order) {
                return Err(Error::changelog(
                    path,
                    c.line,
                    format!(
                        "`{}` in `{}` is not a category of this project; did you mean `{near}`? \
                         Rename the heading, then re-run (known: {})",
                        c.name,
                        release.title(),
                        category_order.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(warnings)
}

/// Every PR that more than one entry of a category lists.
fn overlaps(categories: &[FoldedCategory]) -> Vec<Overlap> {
    let mut out = Vec::new();
    for c in categories {
        let mut by_pr: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (k, (e, _)) in c.entries.iter().enumerate() {
            for &pr in &e.prs {
                by_pr.entry(pr).or_default().push(k);
            }
        }
        for (pr, listed) in by_pr {
            if listed.len() > 1 {
                out.push(Overlap {
                    category: c.name.clone(),
                    pr,
                    entries: listed
                        .iter()
                        .map(|&k| Listing {
                            prs: c.entries[k].0.prs.clone(),
                            text: c.entries[k].0.text.clone(),
                            from: c.entries[k].1.clone(),
                        })
                        .collect(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_in_markup_is_a_near_miss_of_the_one_it_renders_as() {
        let known = vec!["Features".to_string(), "Fixes".to_string()];
        for name in [
            "**Features**",
            "[Features](#features)",
            "_Features_",
            "`Features`",
            "__Fixes__",
            "Featurez",
        ] {
            assert!(near_miss(name, &known).is_some(), "{name}");
        }
        assert_eq!(near_miss("Features", &known), None);
        assert_eq!(near_miss("**Deprecations**", &known), None);
    }
}
