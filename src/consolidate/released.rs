//! What the releases besides the inputs say, to tell a stale entry (already released) by,
//! and the changelog's order (newest first, or not).

use std::collections::HashMap;

use crate::changelog::{Changelog, Entry};

/// What the releases before say, to tell a stale entry (already released) by: each
/// (PR, normalised text) of their entries, and the normalised text of each entry without
/// PR, with the title of the first release (in file order) that lists it.
#[derive(Debug, Default)]
pub(crate) struct Released {
    prs: HashMap<(u64, String), String>,
    orphans: HashMap<String, String>,
    /// Each (category, PR set) of a release standing above an rc section: the topmost
    /// release's index and title (see [`Released::superseding`]).
    above: HashMap<(String, Vec<u64>), (usize, String)>,
}

impl Released {
    /// The releases of `changelog` that are not `sections` (the inputs) nor free-form.
    pub(crate) fn of(changelog: &Changelog, sections: &[usize]) -> Released {
        let mut released = Released::default();
        // In a changelog kept oldest first, a release above is an older one.
        let lowest = match surely_newest_first(changelog, sections) {
            true => sections.iter().copied().max().unwrap_or(0),
            false => 0,
        };
        for (i, r) in changelog.releases().iter().enumerate() {
            if sections.contains(&i) || r.is_free_form() {
                continue;
            }
            for e in r.entries() {
                released.add(e, r.title());
            }
            for c in r.categories.iter().filter(|_| i < lowest) {
                for e in c.all_entries().filter(|e| !e.prs.is_empty()) {
                    released
                        .above
                        .entry((c.name.clone(), sorted(&e.prs)))
                        .or_insert_with(|| (i, r.title().to_string()));
                }
            }
        }
        released
    }

    /// The release that lists the change of `entry`, an entry of the rc section at index
    /// `section` (its PR set, in its category, in any words), standing above that section:
    /// published after the rc (towncrier puts a new release on top; a patch of an older
    /// line cut with `--allow-downgrade` while the rc was pending). Its text is the newer
    /// one, already released: the rc's older text is not listed again.
    pub(crate) fn superseding(
        &self,
        category: &str,
        entry: &Entry,
        section: usize,
    ) -> Option<&String> {
        if entry.prs.is_empty() {
            return None;
        }
        self.above
            .get(&(category.to_string(), sorted(&entry.prs)))
            .filter(|(i, _)| *i < section)
            .map(|(_, title)| title)
    }

    pub(crate) fn add(&mut self, entry: &Entry, title: &str) {
        let text = entry.normalized_text();
        if entry.prs.is_empty() {
            self.orphans
                .entry(text)
                .or_insert_with(|| title.to_string());
            return;
        }
        for &pr in &entry.prs {
            self.prs
                .entry((pr, text.clone()))
                .or_insert_with(|| title.to_string());
        }
    }

    /// The release that already lists `entry`: one of its PRs with its text, or, for an
    /// entry without PR, its text on an entry without PR.
    pub(crate) fn listing(&self, entry: &Entry) -> Option<&String> {
        let text = entry.normalized_text();
        if entry.prs.is_empty() {
            return self.orphans.get(&text);
        }
        entry
            .prs
            .iter()
            .find_map(|&pr| self.prs.get(&(pr, text.clone())))
    }
}

/// Whether the changelog lists its releases newest first, as towncrier writes them, when
/// that can be told: its first release (besides `sections`) is not older than its last;
/// with fewer than two such releases, the rc sections among themselves (`rc2` above `rc1`:
/// newest first) — never an rc section against a release, which may be a patch of an older
/// line cut while the rcs were pending; with fewer than two of those, the dates of the
/// first and the last release. `None` when nothing tells.
pub(crate) fn order(changelog: &Changelog, sections: &[usize]) -> Option<bool> {
    let releases = || {
        changelog
            .releases()
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_free_form())
    };
    let ends = |rc: bool| {
        let mut versions = releases()
            .filter(|(i, _)| sections.contains(i) == rc)
            .filter_map(|(_, r)| r.version());
        match (versions.next(), versions.next_back()) {
            (Some(first), Some(last)) if first != last => Some(first > last),
            (Some(_), Some(_)) => Some(true),
            _ => None,
        }
    };
    let dates = || {
        let mut dates = releases().filter_map(|(_, r)| r.date());
        match (dates.next(), dates.next_back()) {
            (Some(first), Some(last)) if first != last => Some(first > last),
            _ => None,
        }
    };
    ends(false).or_else(|| ends(true)).or_else(dates)
}

/// [`order`], newest first when nothing tells (towncrier's way, where a new release goes).
pub(crate) fn newest_first(changelog: &Changelog, sections: &[usize]) -> bool {
    order(changelog, sections).unwrap_or(true)
}

/// Newest first for sure: what taking a release above an rc section for one made after it
/// (its entries then stale in the rc) needs — never a guess, which would drop an entry.
pub(crate) fn surely_newest_first(changelog: &Changelog, sections: &[usize]) -> bool {
    order(changelog, sections) == Some(true)
}

fn sorted(prs: &[u64]) -> Vec<u64> {
    let mut prs = prs.to_vec();
    prs.sort_unstable();
    prs
}
