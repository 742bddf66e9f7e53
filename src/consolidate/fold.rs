//! Folding the inputs (rc sections, then the new fragments) into one list per category.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::changelog::{Changelog, Entry, Release};
use crate::error::{Error, Result};
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
