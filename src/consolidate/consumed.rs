//! Fragments an earlier release consumed, come back: the very file (its path and its
//! content, byte for byte) was removed by the commit that added a release's section to the
//! changelog, and that release is still in the changelog (or, for a pre-release, its
//! final is). Exact, whatever the released entry says now: a review may have reworded it.
//!
//! Read from git's history: one walk over HEAD's history (see `Repo::removals`), then the
//! changelog at each removing commit and its parent, only for the files found removed.

use std::collections::HashMap;
use std::path::Path;

use crate::changelog::{Changelog, Entry, RefFormat};
use crate::config::Config;
use crate::error::Result;
use crate::fragments::{Fragment, FragmentSet};
use crate::git::Repo;

/// A fragment an earlier release consumed.
#[derive(Debug, Clone, PartialEq)]
pub struct Consumed {
    /// Its index in the fragment set.
    pub index: usize,
    /// The title of the release (in the changelog now) whose commit removed it.
    pub released_in: String,
}

/// The fragments of `set` that a release of `changelog` (the changelog at `path`, as it
/// is now) already consumed. Empty outside a git repository.
pub fn consumed(
    config: &Config,
    set: &FragmentSet,
    changelog: &Changelog,
    path: &Path,
) -> Result<Vec<Consumed>> {
    if set.fragments.is_empty() || changelog.releases().is_empty() {
        return Ok(Vec::new());
    }
    let Ok(repo) = Repo::discover(&config.root) else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    let mut indexes = Vec::new();
    for (k, f) in set.fragments.iter().enumerate() {
        // A fragment that cannot be read is reported by the render, not here.
        if let Ok(bytes) = std::fs::read(&f.path) {
            files.push((repo.relative_path(&f.path), bytes));
            indexes.push(k);
        }
    }
    let log_path = repo.relative_path(path);
    // A release's commit removes the fragments it consumed and writes its section.
    let removals = repo.removals(&files, Some(&log_path))?;
    // Compiled only when a removal is found (most releases consume nothing again).
    let refs = std::cell::OnceCell::new();
    let start = Some(config.towncrier.start_string.as_str());
    // The versions of the releases each commit's changelog holds, read once per commit.
    let mut versions: HashMap<String, Vec<crate::version::Version>> = HashMap::new();
    let mut versions_at = |commit: &str| -> Result<Vec<crate::version::Version>> {
        if let Some(known) = versions.get(commit) {
            return Ok(known.clone());
        }
        let text = repo
            .file_at(commit, &log_path)?
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let refs = refs.get_or_init(|| RefFormat::new(config.towncrier.issue_format.as_deref()));
        let found: Vec<_> = Changelog::parse_project(&text, start, refs)
            .releases()
            .iter()
            .filter_map(|r| r.version().cloned())
            .collect();
        versions.insert(commit.to_string(), found.clone());
        Ok(found)
    };
    let mut out = Vec::new();
    for (removals, &index) in removals.iter().zip(&indexes) {
        // The oldest release that consumed it is the one that listed it (a later one that
        // consumed it again left it out as stale).
        'removal: for removal in removals.iter().rev() {
            let before = versions_at(&removal.parent)?;
            for v in versions_at(&removal.commit)? {
                if before.contains(&v) {
                    continue;
                }
                // The release is still there, or its final that folded it.
                let now = changelog
                    .find(&v)
                    .or_else(|| (!v.is_final()).then(|| changelog.find(&v.base())).flatten());
                if let Some(i) = now {
                    out.push(Consumed {
                        index,
                        released_in: changelog.releases()[i].title().to_string(),
                    });
                    break 'removal;
                }
            }
        }
    }
    Ok(out)
}

/// The entry a consumed fragment renders to, in its category, and the release that
/// consumed it: a fragments' entry like it is stale.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumedEntry {
    pub category: String,
    pub entry: Entry,
    pub released_in: String,
}

/// The entries of the fragments an earlier release consumed ([`consumed`]).
pub(crate) fn consumed_entries(
    config: &Config,
    set: &FragmentSet,
    changelog: &Changelog,
    path: &Path,
    version: &str,
    date: &str,
    refs: &RefFormat,
) -> Result<Vec<ConsumedEntry>> {
    Ok(consumed(config, set, changelog, path)?
        .into_iter()
        .filter_map(|c| {
            let (category, entry) =
                entry_of(config, set, &set.fragments[c.index], version, date, refs)?;
            Some(ConsumedEntry {
                category,
                entry,
                released_in: c.released_in,
            })
        })
        .collect())
}

/// The entry `fragment` alone renders to, and its category: what an input entry built
/// from it looks like.
pub(crate) fn entry_of(
    config: &Config,
    set: &FragmentSet,
    fragment: &Fragment,
    version: &str,
    date: &str,
    refs: &RefFormat,
) -> Option<(String, Entry)> {
    let single = FragmentSet {
        fragments: vec![fragment.clone()],
        unknown: Vec::new(),
        sections: set.sections.clone(),
    };
    let text = crate::towncrier::render_section(config, &single, version, date, None).ok()?;
    let parsed = Changelog::parse_project(&text, None, refs);
    let release = parsed.releases().first()?;
    release
        .categories
        .iter()
        .find_map(|c| c.all_entries().next().map(|e| (c.name.clone(), e.clone())))
}
