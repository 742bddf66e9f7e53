//! What the release must publish, each entry once, whoever writes its section.
//!
//! Pre-flight plans the section (a pre-release's rendered from its fragments, a final's
//! folded from the pre-release sections and the fragments, and grouped); the state records
//! how many entries of it name each PR ([`Planned`]). Before the release commit, the section
//! in the changelog — written by the changelog step, run again after a stop, reviewed, or
//! written by hand and taken as done with `continue --skip` — must still hold as many: an
//! entry dropped is lost once its fragment's removal is committed, one listed twice is
//! published twice. Counting by PR, not by key, lets a review reword, regroup, merge or
//! split entries (the review's own ledger holds it to each entry once).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Reporter;
use super::plan::Plan;
use super::state::State;
use crate::changelog::{Changelog, RefFormat, Release};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::version::Version;

/// How many entries of the planned section name each PR, and how many name none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    pub prs: BTreeMap<u64, usize>,
    pub unnamed: usize,
}

impl Planned {
    /// The counts of a section; `None` when the plan has none it can read (no section, or
    /// one written as reStructuredText).
    pub(crate) fn of_plan(plan: &Plan) -> Option<Planned> {
        plan.section.as_ref().map(Planned::of)
    }

    fn of(release: &Release) -> Planned {
        let mut counts = Planned::default();
        for entry in release.categories.iter().flat_map(|c| c.all_entries()) {
            let prs = entry.pr_set();
            if prs.is_empty() {
                counts.unnamed += 1;
            }
            let mut seen = prs;
            seen.dedup();
            for pr in seen {
                *counts.prs.entry(pr).or_default() += 1;
            }
        }
        counts
    }

    /// What the section `now` lost or lists too often against these counts, one phrase
    /// each; empty when it holds them all.
    /// `strict`: each PR as many times as counted (a section written or edited by hand);
    /// else only none missing (the section the changelog step wrote, whose review may
    /// merge or split a PR's listings under its own ledger).
    fn against(&self, now: &Planned, strict: bool) -> Vec<String> {
        let mut wrong = Vec::new();
        for (pr, &n) in &self.prs {
            match now.prs.get(pr).copied().unwrap_or(0) {
                0 => wrong.push(format!("#{pr} is missing")),
                _ if !strict => {}
                m if m > n => wrong.push(format!("#{pr} is listed {m} times")),
                m if m < n => wrong.push(format!("#{pr} is listed {m} of {n} times")),
                _ => {}
            }
        }
        // An entry naming no PR is known by its words only, which a review may change: its
        // count may not drop, except for one that came to name a PR of its own.
        let named_since = now.prs.keys().filter(|p| !self.prs.contains_key(p)).count();
        let lost = self.unnamed.saturating_sub(now.unnamed + named_since);
        if lost > 0 && (strict || now.unnamed == 0) {
            wrong.push(format!("{lost} of the entries naming no PR are missing"));
        }
        wrong
    }
}

/// The counts of the section the changelog step wrote (reviewed: the review's ledger held
/// it), for a plan that had some: what a later hand edit is held to.
pub(crate) fn written(
    config: &Config,
    plan: &Plan,
    planned: Option<&Planned>,
) -> Result<Option<Planned>> {
    let Some(planned) = planned else {
        return Ok(None);
    };
    Ok(Some(
        section_now(config, plan)?.map_or_else(|| planned.clone(), |r| Planned::of(&r)),
    ))
}

/// The section the changelog step is about to write, before anything is written or
/// removed: it lists every planned PR (a review may merge or split a PR's listings) — a
/// fragment removed while the release was stopped would leave its entry out while the
/// release commit took its removal.
pub(crate) fn check_building(
    plan: &Plan,
    planned: Option<&Planned>,
    section: &Release,
) -> Result<()> {
    let Some(planned) = planned else {
        return Ok(());
    };
    let wrong = planned.against(&Planned::of(section), false);
    if wrong.is_empty() {
        return Ok(());
    }
    Err(Error::Step {
        step: "changelog".into(),
        message: format!(
            "the {} section would not list each of the release's entries: {} (a fragment \
             removed or renamed while the release was stopped?); nothing was written. Put it \
             back (`git checkout {} -- <fragment>`) and `git release continue`; or `git \
             release abort`",
            plan.version,
            wrong.join("; "),
            plan.base_commit,
        ),
    })
}

/// The release's section in the changelog now, read as pre-flight read the plan's.
fn section_now(config: &Config, plan: &Plan) -> Result<Option<Release>> {
    let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
    let start = Some(config.towncrier.start_string.as_str());
    let log = Changelog::read_project(&plan.changelog, start, &refs)?;
    Ok(log.and_then(|log| log.find(&plan.version).map(|k| log.releases()[k].clone())))
}

/// What the release's section in the changelog lost or lists too often against the
/// planned counts (`None` when it holds each entry once, or nothing was planned): said as
/// "the 1.4.0 section of CHANGELOG.md does not list each of the release's entries once:
/// #303 is missing".
pub(crate) fn unpublished(
    config: &Config,
    plan: &Plan,
    planned: Option<&Planned>,
) -> Result<Option<String>> {
    let Some(planned) = planned else {
        return Ok(None);
    };
    let wrong = match section_now(config, plan)? {
        Some(release) => planned.against(&Planned::of(&release), true),
        None if *planned == Planned::default() => Vec::new(),
        None => vec!["the section is missing".to_string()],
    };
    Ok((!wrong.is_empty()).then(|| {
        format!(
            "the {} section of {} does not list each of the release's entries once: {}",
            plan.version,
            plan.changelog.display(),
            wrong.join("; "),
        )
    }))
}

/// [`unpublished`] before the release commit: the release stops, nothing committed.
pub(crate) fn check_published(
    config: &Config,
    plan: &Plan,
    planned: Option<&Planned>,
) -> Result<()> {
    let Some(wrong) = unpublished(config, plan, planned)? else {
        return Ok(());
    };
    Err(Error::Step {
        step: "commit".into(),
        message: format!(
            "{wrong}; the release commit, which removes the consumed fragments, would lose or \
             repeat them. Mend the section (`git show {}:<fragment>` shows a removed \
             fragment's text), or undo it (`git checkout HEAD -- {}`) and let `git release \
             continue` write it again; or `git release abort`",
            plan.base_commit,
            super::plan::shell_quote(&plan.changelog.to_string_lossy()),
        ),
    })
}

/// The words of each entry of the pre-release sections a final folds, by its PRs (entries
/// naming none are left to the ledger), as the changelog holds them: what pre-flight read.
pub(crate) fn rc_words(changelog: &Changelog, versions: &[String]) -> Vec<(String, String)> {
    let mut words = Vec::new();
    for version in versions.iter().filter_map(|v| Version::parse(v).ok()) {
        let Some(k) = changelog.find(&version) else {
            continue;
        };
        for entry in changelog.releases()[k]
            .categories
            .iter()
            .flat_map(|c| c.all_entries())
        {
            let prs = entry.pr_set();
            if !prs.is_empty() {
                // By section too: a PR an rc2 lists again in newer words is not reworded.
                let key = format!("{} ({version})", pr_key(&prs));
                words.push((key, entry.normalized_text()));
            }
        }
    }
    words
}

/// A PR set as messages and keys name it: `#1, #2`.
pub(crate) fn pr_key(prs: &[u64]) -> String {
    let prs: Vec<String> = prs.iter().map(|p| format!("#{p}")).collect();
    prs.join(", ")
}

/// A pre-release entry reworded in the changelog after pre-flight read it (while the review
/// was open: the release stopped, keeping the edit and the draft) must have its new words
/// in the section the release writes in place of the pre-release sections — or the kept
/// draft, folded from the old words, would write the edit away without a word.
pub(crate) fn check_rc_carried(
    keep_rc: bool,
    read: &[(String, String)],
    changelog: &Changelog,
    versions: &[String],
    section: &str,
) -> Result<()> {
    // Kept, the rc sections keep the edit.
    if keep_rc {
        return Ok(());
    }
    let squash = super::window::squash;
    let published = squash(section).to_lowercase();
    let mut lost = Vec::new();
    for (key, now) in rc_words(changelog, versions) {
        // Reworded: that section's entry of these PRs read in other words, and in these
        // words by no entry of it (two entries of one section may name the same PRs).
        let reworded = read.iter().any(|(k, then)| *k == key && *then != now)
            && !read.iter().any(|(k, then)| *k == key && *then == now);
        if reworded && !published.contains(&squash(&now)) {
            lost.push(key);
        }
    }
    if lost.is_empty() {
        return Ok(());
    }
    Err(Error::Step {
        step: "changelog".into(),
        message: format!(
            "the pre-release entr{} of {} changed in the changelog after the release read \
             {}, and the section does not carry the new words: written, it would replace the \
             edit with the old text. Your edit is kept and nothing was written. Carry the new \
             wording into the section (`git release continue` opens the kept draft again), or \
             undo the edit in the changelog, then `git release continue`; or `git release abort`",
            if lost.len() == 1 { "y" } else { "ies" },
            lost.join("; "),
            if lost.len() == 1 { "it" } else { "them" },
        ),
    })
}

/// Which of `files` are there (a symlink counts).
pub(crate) fn present(files: &[String]) -> Vec<String> {
    files
        .iter()
        .filter(|f| Path::new(f).symlink_metadata().is_ok())
        .cloned()
        .collect()
}

/// The fragments an earlier run of the changelog step removed, restored from the release's
/// base commit (index and work tree) — only while the user has taken none of them in hand:
/// each still gone, and the base commit holding the text the step removed (one edited
/// before the step read it would come back unedited). Otherwise nothing is put back, and
/// the section built from what is there is held to the plan before the release commit.
pub(crate) fn restore_consumed(repo: &Repo, reporter: &dyn Reporter, state: &State) -> Result<()> {
    let removed = &state.removed_fragments;
    if removed.is_empty() {
        return Ok(());
    }
    let untouched = removed.iter().all(|(f, digest)| {
        let gone = Path::new(f).symlink_metadata().is_err();
        let path = repo.relative_path(Path::new(f));
        let base = repo.file_at(&state.base_commit, &path).ok().flatten();
        gone && base.is_some_and(|b| super::guard::fnv1a(&b) == *digest)
    });
    if !untouched {
        reporter.note(
            "the fragments the changelog step had removed were taken in hand since (put \
             back, removed, renamed or edited): not put back; the section is built from the \
             fragments there are",
        );
        return Ok(());
    }
    let gone: Vec<&str> = removed.iter().map(|(f, _)| f.as_str()).collect();
    repo.restore_from(&state.base_commit, &gone)?;
    reporter.note(&format!(
        "put back {} fragment(s) the changelog step had removed before its section was undone, \
         to build the section from them again",
        gone.len()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(prs: &[(u64, usize)], unnamed: usize) -> Planned {
        Planned {
            prs: prs.iter().copied().collect(),
            unnamed,
        }
    }

    /// The same PR in two rc sections, in other words (an rc2 rewording rc1's entry), is no
    /// rewording by hand; one section's entry changed since it was read is, until carried.
    #[test]
    fn an_rc_entry_is_reworded_only_against_its_own_section() {
        let log = |rc1: &str| {
            Changelog::parse(&format!(
                "# C\n\n## 1.1.0rc2 (2025-02-02)\n\n### Features\n\n\
                 * Add the fair-share scheduler (#10)\n\n## 1.1.0rc1 (2025-02-01)\n\n\
                 ### Features\n\n* {rc1} (#10)\n* Add the weights (#11)\n"
            ))
        };
        let versions = ["1.1.0rc2".to_string(), "1.1.0rc1".to_string()];
        let read = rc_words(&log("Add the scheduler"), &versions);
        assert_eq!(read.len(), 3, "{read:?}");
        let section =
            "### Features\n\n* Add the fair-share scheduler (#10)\n* Add the weights (#11)\n";
        assert!(
            check_rc_carried(false, &read, &log("Add the scheduler"), &versions, section).is_ok()
        );
        let reworded = log("Add the scheduler for real");
        let err = check_rc_carried(false, &read, &reworded, &versions, section).unwrap_err();
        assert!(err.to_string().contains("#10 (1.1.0rc1)"), "{err}");
        let carried = format!("{section}* Add the scheduler for real (#10)\n");
        assert!(check_rc_carried(false, &read, &reworded, &versions, &carried).is_ok());
    }

    #[test]
    fn lost_and_repeated_entries_are_named() {
        let planned = counts(&[(1, 1), (2, 1), (3, 2)], 1);
        assert!(planned.against(&planned, true).is_empty());
        let now = counts(&[(1, 2), (3, 1)], 1);
        assert_eq!(
            planned.against(&now, true),
            [
                "#1 is listed 2 times",
                "#2 is missing",
                "#3 is listed 1 of 2 times"
            ]
        );
        // The step's own (reviewed) section: a merge or a split is the review's.
        assert_eq!(planned.against(&now, false), ["#2 is missing"]);
        assert_eq!(
            planned.against(&counts(&[(1, 1), (2, 1), (3, 2)], 0), true),
            ["1 of the entries naming no PR are missing"]
        );
        // An unnamed entry that came to name a PR in the review is not lost.
        assert!(
            planned
                .against(&counts(&[(1, 1), (2, 1), (3, 2), (9, 1)], 0), true)
                .is_empty()
        );
    }
}
