//! Folding a final release's rc sections and new fragments into one section.
//!
//! Inputs, oldest first: every `## <VERSION>rcN`/`aN`/`bN` section of the changelog, then
//! the section built from the new fragments. Per category, an entry whose PR number was
//! already taken is a duplicate: the newest text wins and the duplicate is reported. An
//! entry whose PR number *and* text an earlier release already lists is stale (a fragment
//! left behind and consumed twice): it is reported and left out. The same number with
//! another text is kept (old changelogs reuse numbers). Nothing else is dropped: every
//! input entry ends up in the output exactly once, or in the report.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::changelog::{Category, Changelog, Entry, Release, Subsection};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::group::{self, Context, Grouper, Grouping, Item};
use crate::version::Version;

/// Where an input entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// A PR listed twice in one category: the newest text was kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    pub category: String,
    pub prs: Vec<u64>,
    pub kept_from: Source,
    pub dropped_from: Source,
    pub dropped_text: String,
}

/// An entry left out because an earlier release already lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stale {
    pub category: String,
    pub prs: Vec<u64>,
    pub text: String,
    pub from: Source,
    /// The title of the release section that already lists it.
    pub released_in: String,
}

/// The entries of one category after folding, with where each came from.
#[derive(Debug, Clone)]
pub struct FoldedCategory {
    pub name: String,
    pub entries: Vec<(Entry, Source)>,
}

/// The folded release before grouping.
#[derive(Debug, Clone)]
pub struct Consolidation {
    pub version: Version,
    pub date: String,
    /// The project name the rc headings carry (`# demo 1.1.0rc1`), kept in the new heading.
    pub name: Option<String>,
    /// Indexes of the pre-release sections in the changelog, in file order.
    pub sections: Vec<usize>,
    /// Their versions, in file order (newest first).
    pub section_versions: Vec<String>,
    pub categories: Vec<FoldedCategory>,
    pub duplicates: Vec<Duplicate>,
    pub stale: Vec<Stale>,
    /// Warnings about the touched sections (a duplicated rc heading, …).
    pub warnings: Vec<String>,
}

impl Consolidation {
    pub fn entry_count(&self) -> usize {
        self.categories.iter().map(|c| c.entries.len()).sum()
    }
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
    let fragment_entries = fragments.map(|r| r.entries().count()).unwrap_or(0);
    if sections.is_empty() && fragment_entries == 0 {
        return Err(Error::Refused(format!(
            "nothing to consolidate for {version}: {} has no {}rc/a/b sections and there are no new fragments",
            path.display(),
            version
        )));
    }
    let mut warnings = Vec::new();
    for problem in changelog.problems_for(&sections) {
        match problem.severity {
            crate::changelog::Severity::Error => return Err(problem.to_error(path)),
            crate::changelog::Severity::Warning => warnings.push(format!(
                "{}:{}: {}",
                path.display(),
                problem.line,
                problem.message
            )),
        }
    }
    for &i in &sections {
        if let Some(e) = changelog.releases()[i].loose_entries().first() {
            return Err(Error::changelog(
                path,
                e.line,
                "an entry outside any category in a section to consolidate; put it under a `###` category",
            ));
        }
    }

    // Everything released before: (pr, normalised text) → release title.
    let mut released: HashMap<(u64, String), String> = HashMap::new();
    for (i, r) in changelog.releases().iter().enumerate() {
        if sections.contains(&i) || r.is_free_form() {
            continue;
        }
        for e in r.entries() {
            let text = e.normalized_text();
            for &pr in &e.prs {
                released
                    .entry((pr, text.clone()))
                    .or_insert_with(|| r.title().to_string());
            }
        }
    }

    // Inputs, oldest first: rc sections bottom-up, then the fragments.
    let mut inputs: Vec<(&Release, Source)> = sections
        .iter()
        .rev()
        .map(|&i| {
            let r = &changelog.releases()[i];
            (
                r,
                Source::Section(
                    r.version()
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| r.title().to_string()),
                ),
            )
        })
        .collect();
    if let Some(f) = fragments {
        inputs.push((f, Source::Fragments));
    }

    let mut categories: Vec<FoldedCategory> = Vec::new();
    let mut duplicates = Vec::new();
    let mut stale = Vec::new();
    for (release, source) in inputs {
        for cat in &release.categories {
            let slot = match categories.iter().position(|c| c.name == cat.name) {
                Some(p) => p,
                None => {
                    categories.push(FoldedCategory {
                        name: cat.name.clone(),
                        entries: Vec::new(),
                    });
                    categories.len() - 1
                }
            };
            for entry in cat.all_entries() {
                let text = entry.normalized_text();
                if let Some(title) = entry
                    .prs
                    .iter()
                    .find_map(|&pr| released.get(&(pr, text.clone())))
                {
                    stale.push(Stale {
                        category: cat.name.clone(),
                        prs: entry.prs.clone(),
                        text: entry.text.clone(),
                        from: source.clone(),
                        released_in: title.clone(),
                    });
                    continue;
                }
                let folded = &mut categories[slot].entries;
                let same = folded.iter().position(|(e, _)| {
                    if entry.prs.is_empty() {
                        e.prs.is_empty() && e.normalized_text() == text
                    } else {
                        e.prs.iter().any(|p| entry.prs.contains(p))
                    }
                });
                match same {
                    Some(p) => {
                        let (old, old_source) = folded.remove(p);
                        duplicates.push(Duplicate {
                            category: cat.name.clone(),
                            prs: entry.prs.clone(),
                            kept_from: source.clone(),
                            dropped_from: old_source,
                            dropped_text: old.text,
                        });
                        folded.push((entry.clone(), source.clone()));
                    }
                    None => folded.push((entry.clone(), source.clone())),
                }
            }
        }
    }
    categories.retain(|c| !c.entries.is_empty());
    if categories.is_empty() {
        // Every input was stale: an empty section is not a release.
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
    // Within a category: by PR number, entries without one last, like towncrier.
    for c in &mut categories {
        c.entries.sort_by(|(a, _), (b, _)| match (a.pr(), b.pr()) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.text.cmp(&b.text),
        });
    }

    let section_versions = sections
        .iter()
        .map(|&i| {
            let r = &changelog.releases()[i];
            r.version()
                .map(|v| v.to_string())
                .unwrap_or_else(|| r.title().to_string())
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
        sections,
        section_versions,
        categories,
        duplicates,
        stale,
        warnings,
    })
}

/// One category of the grouped section.
#[derive(Debug, Clone)]
pub struct GroupedCategory {
    pub name: String,
    pub entries: Vec<Entry>,
    /// `None` for a category that is not grouped (listed flat).
    pub grouping: Option<Grouping>,
}

/// The consolidated, grouped release.
#[derive(Debug, Clone)]
pub struct Grouped {
    pub consolidation: Consolidation,
    pub categories: Vec<GroupedCategory>,
}

/// Group the configured categories with a strategy.
pub fn group(
    consolidation: Consolidation,
    grouper: &dyn Grouper,
    grouped_categories: &[String],
    ctx: &Context,
) -> Result<Grouped> {
    let mut categories = Vec::new();
    for c in &consolidation.categories {
        let entries: Vec<Entry> = c.entries.iter().map(|(e, _)| e.clone()).collect();
        let grouping = if grouped_categories
            .iter()
            .any(|g| g.eq_ignore_ascii_case(&c.name))
        {
            let items: Vec<Item> = entries
                .iter()
                .map(|e| Item::new(e.text.clone(), e.prs.clone()))
                .collect();
            let g = group::group_category(grouper, &c.name, &items, ctx)?;
            // Nothing grouped: the category stays flat rather than one "Other" block.
            (!g.groups.is_empty()).then_some(g)
        } else {
            None
        };
        categories.push(GroupedCategory {
            name: c.name.clone(),
            entries,
            grouping,
        });
    }
    Ok(Grouped {
        consolidation,
        categories,
    })
}

impl Grouped {
    /// The section as a changelog release, ready to render or insert.
    pub fn release(&self) -> Release {
        let c = &self.consolidation;
        let mut release = Release::named(c.name.as_deref(), &c.version, Some(&c.date));
        for cat in &self.categories {
            let mut category = Category::new(cat.name.clone());
            match &cat.grouping {
                None => category.entries = cat.entries.clone(),
                Some(g) => {
                    for group in &g.groups {
                        category.subsections.push(Subsection::new(
                            group.title.clone(),
                            Some(group.description.clone()).filter(|d| !d.is_empty()),
                            group
                                .members
                                .iter()
                                .map(|&m| cat.entries[m].clone())
                                .collect(),
                        ));
                    }
                    if !g.other.is_empty() {
                        category.subsections.push(Subsection::new(
                            group::other_title(&cat.name),
                            None,
                            g.other.iter().map(|&m| cat.entries[m].clone()).collect(),
                        ));
                    }
                }
            }
            release.categories.push(category);
        }
        release
    }

    /// Why each group is there, by category and title (for the review draft).
    pub fn reasons(&self) -> BTreeMap<(String, String), String> {
        let mut out = BTreeMap::new();
        for cat in &self.categories {
            if let Some(g) = &cat.grouping {
                for group in &g.groups {
                    out.insert(
                        (cat.name.clone(), group.title.clone()),
                        format!("{} ({})", group.reason, group.tier),
                    );
                }
                if !g.other.is_empty() {
                    out.insert(
                        (cat.name.clone(), group::other_title(&cat.name)),
                        "entries no group claimed".to_string(),
                    );
                }
            }
        }
        out
    }

    pub fn group_count(&self) -> usize {
        self.categories
            .iter()
            .filter_map(|c| c.grouping.as_ref())
            .map(|g| g.groups.len())
            .sum()
    }

    /// The section as JSON data, in the shape of `gold.json` plus each group's tier.
    pub fn view(&self) -> SectionView {
        let item = |e: &Entry| ItemOut {
            pr: e.pr(),
            prs: e.prs.clone(),
            text: e.text.clone(),
        };
        let c = &self.consolidation;
        SectionView {
            version: c.version.to_string(),
            date: c.date.clone(),
            rc_versions_consolidated: c.section_versions.clone(),
            categories: self
                .categories
                .iter()
                .map(|cat| CategoryOut {
                    name: cat.name.clone(),
                    groups: match &cat.grouping {
                        None => vec![GroupOut {
                            title: None,
                            description: String::new(),
                            tier: None,
                            other: false,
                            items: cat.entries.iter().map(item).collect(),
                        }],
                        Some(g) => g
                            .groups
                            .iter()
                            .map(|gr| GroupOut {
                                title: Some(gr.title.clone()),
                                description: gr.description.clone(),
                                tier: Some(gr.tier.as_str().to_string()),
                                other: false,
                                items: gr.members.iter().map(|&m| item(&cat.entries[m])).collect(),
                            })
                            .chain((!g.other.is_empty()).then(|| GroupOut {
                                title: Some(group::other_title(&cat.name)),
                                description: String::new(),
                                tier: None,
                                other: true,
                                items: g.other.iter().map(|&m| item(&cat.entries[m])).collect(),
                            }))
                            .collect(),
                    },
                })
                .collect(),
            duplicates: c.duplicates.clone(),
            stale: c.stale.clone(),
        }
    }
}

/// `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub version: String,
    pub date: String,
    pub rc_versions_consolidated: Vec<String>,
    pub categories: Vec<CategoryOut>,
    pub duplicates: Vec<Duplicate>,
    pub stale: Vec<Stale>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryOut {
    pub name: String,
    pub groups: Vec<GroupOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupOut {
    pub title: Option<String>,
    pub description: String,
    pub tier: Option<String>,
    pub other: bool,
    pub items: Vec<ItemOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemOut {
    pub pr: Option<u64>,
    pub prs: Vec<u64>,
    pub text: String,
}

/// The changelog with the section in place of the rc sections (or above them with
/// `keep_rc`), every other byte as it was.
pub fn apply(
    changelog: &Changelog,
    consolidation: &Consolidation,
    release: &Release,
    keep_rc: bool,
) -> Changelog {
    let mut out = changelog.clone();
    match (keep_rc, consolidation.sections.first()) {
        (true, Some(&first)) => out.insert(first, release),
        (false, Some(_)) => {
            out.replace(&consolidation.sections, release);
        }
        (_, None) => {
            // No rc sections: the section goes where a new release goes, on top.
            out.insert(0, release);
        }
    }
    out
}

/// The history a grouping strategy can learn from: the changelog's grouped categories
/// (titled subsections) of final releases other than the one being made.
pub fn history(changelog: &Changelog, skip: &[usize]) -> Vec<group::HistorySection> {
    let mut out = Vec::new();
    for (i, r) in changelog.releases().iter().enumerate() {
        if skip.contains(&i) || r.version().is_none_or(|v| !v.is_final()) {
            continue;
        }
        for c in &r.categories {
            if c.subsections.iter().all(|s| s.is_other()) {
                continue;
            }
            let mut s = group::HistorySection {
                release: r.title().to_string(),
                category: c.name.clone(),
                ..Default::default()
            };
            for e in &c.entries {
                s.entries.push((e.text.clone(), None));
            }
            for sub in &c.subsections {
                let label = (!sub.is_other()).then_some(s.groups.len());
                s.groups.push((
                    sub.title.clone(),
                    sub.description.clone().unwrap_or_default(),
                ));
                for e in &sub.entries {
                    s.entries.push((e.text.clone(), label));
                }
            }
            out.push(s);
        }
    }
    out
}

/// The entries of the pre-release sections newer than the changelog's newest final
/// release, per grouped category: the release being prepared (for
/// [`group::learn::learn`]).
pub fn pending_categories(
    log: &Changelog,
    grouped: &[String],
) -> Vec<group::learn::PendingCategory> {
    let newest_final = log
        .releases()
        .iter()
        .filter_map(|r| r.version())
        .filter(|v| v.is_final())
        .max()
        .cloned();
    let mut out: Vec<group::learn::PendingCategory> = Vec::new();
    for r in log.releases() {
        let Some(v) = r.version() else { continue };
        if v.is_final() || newest_final.as_ref().is_some_and(|f| v.base() <= *f) {
            continue;
        }
        for c in &r.categories {
            if !grouped.iter().any(|g| g.eq_ignore_ascii_case(&c.name)) {
                continue;
            }
            let slot = match out.iter().position(|p| p.category == c.name) {
                Some(i) => i,
                None => {
                    out.push(group::learn::PendingCategory {
                        category: c.name.clone(),
                        ..Default::default()
                    });
                    out.len() - 1
                }
            };
            if !out[slot].releases.contains(&v.to_string()) {
                out[slot].releases.push(v.to_string());
            }
            out[slot]
                .texts
                .extend(c.all_entries().map(|e| e.text.clone()));
        }
    }
    out
}

/// The grouped categories of a changelog's final releases, for learning rules
/// ([`group::learn::learn`]).
pub fn grouped_sections(log: &Changelog) -> Vec<group::learn::GroupedSection> {
    let mut out = Vec::new();
    for r in log.releases() {
        if r.version().is_none_or(|v| !v.is_final()) {
            continue;
        }
        for c in r.categories.iter().filter(|c| !c.subsections.is_empty()) {
            out.push(group::learn::GroupedSection {
                release: r.title().to_string(),
                category: c.name.clone(),
                groups: c
                    .subsections
                    .iter()
                    .map(|s| group::learn::LearnGroup {
                        title: s.title.clone(),
                        description: s.description.clone().unwrap_or_default(),
                        other: s.is_other(),
                        texts: s.entries.iter().map(|e| e.text.clone()).collect(),
                    })
                    .collect(),
            });
        }
    }
    out
}

/// Word statistics over every entry of the changelog plus the entries being grouped.
pub fn corpus(changelog: &Changelog, extra: &Consolidation) -> group::Corpus {
    let mut corpus = group::Corpus::default();
    for r in changelog.releases() {
        for e in r.entries() {
            corpus.add(&e.text);
        }
    }
    // Fragments are not in the changelog yet.
    for c in &extra.categories {
        for (e, source) in &c.entries {
            if *source == Source::Fragments {
                corpus.add(&e.text);
            }
        }
    }
    corpus
}

/// Everything needed to show or write a consolidated section.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The changelog file.
    pub path: PathBuf,
    /// The changelog as it is now (empty when the file does not exist yet).
    pub changelog: Changelog,
    pub grouped: Grouped,
    /// Every fragment file that was an input (stale ones included): all are consumed.
    pub fragments: Vec<PathBuf>,
}

/// Read the changelog and the fragments, fold, and group as `settings` say.
pub fn prepare(
    config: &Config,
    version: &Version,
    date: &str,
    settings: &group::Settings,
) -> Result<Prepared> {
    // Build the strategy first: a bad rules or labels file is reported before anything else.
    let grouper = group::build(settings)?;
    let tc = &config.towncrier;
    let path = crate::build::changelog_path(config, version.as_str(), &tc.name, date)?;
    let changelog = match Changelog::read_with(&path, Some(&tc.start_string))? {
        Some(log) => {
            log.check(&path)?;
            log
        }
        None => Changelog::parse(""),
    };
    let set = crate::fragments::discover(config)?;
    if let Some(unknown) = set.unknown.first() {
        return Err(unknown.to_error(config));
    }
    let fragment_section = if set.fragments.is_empty() {
        None
    } else {
        let text =
            crate::build::render_section(config, &set, version.as_str(), date, Some(&tc.name))?;
        let parsed = Changelog::parse_with(&text, None);
        let release = parsed.releases().first().cloned().ok_or_else(|| {
            Error::Usage(format!(
                "the section built from the fragments with {} is not a Markdown section \
                 (`## <version> (<date>)` with `### <category>` headings); consolidation needs a Markdown changelog",
                tc.template.display_name()
            ))
        })?;
        check_fragments_read_back(config, &set, &release, &text)?;
        Some(release)
    };
    let folded = fold(
        &changelog,
        &path,
        fragment_section.as_ref(),
        version,
        date,
        &config.category_order(),
    )?;
    let ctx = Context::new(
        corpus(&changelog, &folded),
        history(&changelog, &folded.sections),
        &settings.components,
        settings.min_group_size,
    );
    let grouped = group(folded, grouper.as_ref(), &settings.categories, &ctx)?;
    Ok(Prepared {
        path,
        changelog,
        grouped,
        fragments: set.fragments.iter().map(|f| f.path.clone()).collect(),
    })
}

/// Every fragment must come back from the rendered section as an entry of its category:
/// a template whose output the changelog model cannot read would otherwise lose entries
/// silently (the fragments are deleted afterwards).
fn check_fragments_read_back(
    config: &Config,
    set: &crate::fragments::FragmentSet,
    release: &Release,
    text: &str,
) -> Result<()> {
    for f in &set.fragments {
        let Some(ty) = config.towncrier.types.get(&f.kind) else {
            continue;
        };
        let Ok(issue) = f.issue.parse::<u64>() else {
            continue;
        };
        if !ty.showcontent {
            continue;
        }
        let found = release
            .category(&ty.name)
            .is_some_and(|c| c.all_entries().any(|e| e.prs.contains(&issue)));
        if !found {
            return Err(Error::Usage(format!(
                "{}: #{issue} is missing from the section rendered with {} when it is read back \
                 as Markdown; the template must put each entry on a `* ` (or `- `) bullet under a \
                 `### {}` heading. Rendered section:\n{}",
                f.path.display(),
                config.towncrier.template.display_name(),
                ty.name,
                text.lines().take(12).collect::<Vec<_>>().join("\n")
            )));
        }
    }
    Ok(())
}

/// Write `release` in place of the rc sections, stage the changelog, and remove the
/// consumed fragments (unless `keep_fragments`).
pub fn write(
    prepared: &Prepared,
    release: &Release,
    keep_rc: bool,
    keep_fragments: bool,
    repo: Option<&crate::git::Repo>,
) -> Result<()> {
    let updated = apply(
        &prepared.changelog,
        &prepared.grouped.consolidation,
        release,
        keep_rc,
    );
    updated.write(&prepared.path)?;
    if let Some(repo) = repo {
        repo.add(&[&prepared.path])?;
    }
    if !keep_fragments {
        crate::build::remove_fragments(repo, &prepared.fragments)?;
    }
    Ok(())
}

/// Human-readable notes about what was dropped and why.
pub fn report(c: &Consolidation) -> Vec<String> {
    let mut out = c.warnings.clone();
    let prs = crate::changelog::pr_list;
    for d in &c.duplicates {
        out.push(format!(
            "{} in {}: listed in {} and in {}; kept the text from {}",
            prs(&d.prs),
            d.category,
            d.dropped_from,
            d.kept_from,
            d.kept_from
        ));
    }
    for s in &c.stale {
        out.push(format!(
            "{} in {} from {} is already released in `{}`: left out (a fragment consumed twice?)",
            prs(&s.prs),
            s.category,
            s.from,
            s.released_in
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "# Changes\n\n<!-- towncrier release notes start -->\n\n\
## 2.0.0rc2 (2026-02-10)\n\n### Features\n* Add B again ([#2](u/2))\n* Add C ([#3](u/3))\n\n### Fixes\n* Fix old thing ([#1](u/1))\n\n\n\
## 2.0.0rc1 (2026-02-01)\n\n### Features\n* Add B ([#2](u/2))\n* Add A ([#4](u/4))\n\n\n\
## 1.9.0 (2026-01-01)\n\n### Fixes\n* Fix old thing ([#1](u/1))\n* Fix reused number ([#3](u/3))\n";

    fn order() -> Vec<String> {
        vec!["Features".into(), "Fixes".into()]
    }

    #[test]
    fn folds_dedups_and_catches_stale_entries() {
        let log = Changelog::parse(LOG);
        let frag = Changelog::parse("## 2.0.0 (2026-03-01)\n\n### Features\n* Add D ([#5](u/5))\n");
        let v = Version::parse("2.0.0").unwrap();
        let c = fold(
            &log,
            Path::new("CHANGELOG.md"),
            frag.releases().first(),
            &v,
            "2026-03-01",
            &order(),
        )
        .unwrap();
        assert_eq!(c.section_versions, ["2.0.0rc2", "2.0.0rc1"]);
        let features: Vec<(Vec<u64>, &str)> = c.categories[0]
            .entries
            .iter()
            .map(|(e, _)| (e.prs.clone(), e.text.as_str()))
            .collect();
        assert_eq!(
            features,
            [
                (vec![2], "Add B again"),
                (vec![3], "Add C"),
                (vec![4], "Add A"),
                (vec![5], "Add D")
            ]
        );
        // #2 was in both rcs: the newest text won, and it is reported.
        assert_eq!(c.duplicates.len(), 1);
        assert_eq!(
            c.duplicates[0].kept_from,
            Source::Section("2.0.0rc2".into())
        );
        // #1 with the same text is already in 1.9.0: stale. #3 reuses a number: kept.
        assert_eq!(c.stale.len(), 1);
        assert_eq!(c.stale[0].prs, [1]);
        assert!(c.categories.iter().all(|c| c.name != "Fixes"));
    }

    #[test]
    fn replaces_rc_sections_in_place_and_keeps_the_rest() {
        let log = Changelog::parse(LOG);
        let v = Version::parse("2.0.0").unwrap();
        let c = fold(
            &log,
            Path::new("CHANGELOG.md"),
            None,
            &v,
            "2026-03-01",
            &order(),
        )
        .unwrap();
        let grouped = group(
            c,
            &group::similarity::Similarity::default(),
            &[],
            &Context::default(),
        )
        .unwrap();
        let out = apply(&log, &grouped.consolidation, &grouped.release(), false);
        let text = out.to_string();
        assert!(text.starts_with(
            "# Changes\n\n<!-- towncrier release notes start -->\n\n## 2.0.0 (2026-03-01)\n"
        ));
        assert!(!text.contains("rc1") && !text.contains("rc2"));
        assert!(text.ends_with("## 1.9.0 (2026-01-01)\n\n### Fixes\n* Fix old thing ([#1](u/1))\n* Fix reused number ([#3](u/3))\n"));
        let kept = apply(&log, &grouped.consolidation, &grouped.release(), true).to_string();
        assert!(kept.find("## 2.0.0 (").unwrap() < kept.find("## 2.0.0rc2").unwrap());
    }

    #[test]
    fn the_project_name_of_the_rc_headings_is_kept() {
        let log = Changelog::parse("# demo 1.1.0rc1 (2026-02-01)\n\n## Features\n\n- Add A (#1)\n");
        let v = Version::parse("1.1.0").unwrap();
        let c = fold(&log, Path::new("NEWS.md"), None, &v, "2026-03-01", &order()).unwrap();
        let grouped = group(
            c,
            &group::similarity::Similarity::default(),
            &[],
            &Context::default(),
        )
        .unwrap();
        assert_eq!(grouped.release().title(), "demo 1.1.0 (2026-03-01)");
    }

    #[test]
    fn refuses_when_there_is_nothing_or_it_exists() {
        let log = Changelog::parse(LOG);
        let err = fold(
            &log,
            Path::new("C.md"),
            None,
            &Version::parse("3.0.0").unwrap(),
            "d",
            &order(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("nothing to consolidate"), "{err}");
        let err = fold(
            &log,
            Path::new("C.md"),
            None,
            &Version::parse("1.9.0").unwrap(),
            "d",
            &order(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("C.md:") && err.to_string().contains("already has"),
            "{err}"
        );
        let err = fold(
            &log,
            Path::new("C.md"),
            None,
            &Version::parse("2.0.0rc3").unwrap(),
            "d",
            &order(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("pre-release"), "{err}");
    }

    #[test]
    fn pending_rc_entries_become_rules_for_their_topics() {
        let log = Changelog::parse(
            "## 2.0.0rc1 (2026-02-01)\n\n### Features\n\
             * Add usage bucket tables ([#1](u))\n\
             * Add usage bucket repository ([#2](u))\n\
             * Add usage bucket REST API ([#3](u))\n\
             * Add dark theme ([#4](u))\n\n\n\
             ## 1.9.0 (2026-01-01)\n\n### Features\n* Add a thing ([#0](u))\n\n\n\
             ## 1.9.0rc1 (2025-12-01)\n\n### Features\n* Add an old rc thing ([#9](u))\n",
        );
        let pending = pending_categories(&log, &["Features".to_string()]);
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].releases, ["2.0.0rc1"]);
        assert_eq!(pending[0].texts.len(), 4, "1.9.0rc1 is released already");
        let texts: Vec<String> = log
            .releases()
            .iter()
            .flat_map(|r| r.entries().map(|e| e.text.clone()))
            .collect();
        let ctx = Context::new(
            group::Corpus::new(texts.iter().map(String::as_str)),
            vec![],
            &[],
            2,
        );
        let learned = group::learn::learn(&[], &pending, &texts, &ctx);
        assert_eq!(learned.pending, 1);
        let rule = &learned.rules[0].spec;
        assert!(
            rule.keywords.iter().any(|k| k == "usage bucket"),
            "{:?}",
            rule.keywords
        );
        assert_eq!(rule.categories, ["Features"]);
        assert!(rule.description.is_some());
    }
}
