//! The plan of a release: its steps, what pre-flight found, and the plan as data for
//! `--dry-run --format json`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::request::Request;
use crate::changelog::Release as Section;
use crate::consolidate::{Prepared, SectionForm};
use crate::git::Repo;
use crate::version::{ReleaseKind, Version};

/// One step of the workflow, with everything it needs to run snapshotted when the release
/// starts: `continue` never depends on the configuration still holding the same step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StepKind {
    CreateBranch,
    /// A configured `[[step]]` command.
    Command(CommandStep),
    /// Write the version to this file: where the pattern's group is, else all of it.
    VersionFile {
        file: PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pattern: Option<crate::version::VersionPattern>,
    },
    Freeze,
    Changelog,
    /// Commit everything with this message.
    Commit {
        message: String,
    },
    NextVersion(NextVersionStep),
}

/// A configured command, as it was configured when the release started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandStep {
    pub name: String,
    pub run: String,
    /// Commit the command's changes on their own with this (expanded) message.
    pub commit: Option<String>,
    /// End the command (its whole process group) after this many seconds.
    pub timeout_secs: Option<u64>,
    /// A `when = "webui"` step.
    pub webui: bool,
}

/// Advancing the next development version after a sprint release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextVersionStep {
    pub file: PathBuf,
    /// The regex with its `version` group (as configured).
    pub pattern: String,
    pub version: String,
    /// The commit message, expanded.
    pub message: String,
}

/// A step with what it will do, for the plan and the progress lines.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlannedStep {
    pub kind: StepKind,
    pub name: String,
    /// A command that does the same by hand, shown when the step fails.
    pub by_hand: Option<String>,
}

/// An entry left out because an earlier release lists it already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleEntry {
    /// Its PR (or issue) numbers, `#123`.
    pub prs: Vec<String>,
    /// The release that lists it.
    pub released_in: String,
}

impl std::fmt::Display for StaleEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.prs.join(" "), self.released_in)
    }
}

/// Everything pre-flight found out.
#[derive(Debug, Clone)]
pub struct Plan {
    pub request: Request,
    pub version: Version,
    pub current: Version,
    /// Where the current version was read: the version file (and how it was found), or
    /// "no version file: …".
    pub version_from: String,
    pub webui: Option<Version>,
    pub base_branch: String,
    pub base_commit: String,
    pub branch: String,
    /// Whether the changelog section is consolidated (a final's, folded, grouped and
    /// reviewed) or written as towncrier builds it.
    pub form: SectionForm,
    pub changelog: PathBuf,
    /// Pre-release sections folded into a final release, newest first.
    pub rc_sections: Vec<String>,
    /// Fragment files consumed (stale ones included).
    pub fragment_files: Vec<PathBuf>,
    /// Entries left out because an earlier release lists them already.
    pub stale: Vec<StaleEntry>,
    pub next_version: Option<Version>,
    /// The placeholder freeze of a final release, as pre-flight worked it out.
    pub freeze: Option<crate::freeze::Outcome>,
    pub steps: Vec<PlannedStep>,
    /// The section the release writes (before review), when there is one.
    pub section: Option<Section>,
    /// A pre-release's section that is written but cannot be read back as Markdown
    /// (reStructuredText, as towncrier writes it): its entries and categories, counted
    /// from the fragments it is built from. `None` otherwise.
    pub unread_section: Option<(usize, usize)>,
    pub group_count: usize,
    /// The consolidated section of a final release, computed in pre-flight and written by
    /// the changelog step (taken from the plan when the release starts).
    pub prepared: Option<Prepared>,
    /// The repository's release lock, held from pre-flight to the end of the release.
    pub(crate) lock: Option<std::sync::Arc<super::lock::Lock>>,
    /// A dry run's word that the release itself would be refused at its review (see
    /// [`super::request::Request::dry_run`]); `None` when the review can run.
    pub review_unavailable: Option<String>,
}

impl Plan {
    pub fn kind(&self) -> ReleaseKind {
        self.version.kind()
    }

    /// Let go of a plan that is not carried out (a dry run's) just before the process
    /// exits: the release lock is released at once, and the rest — the grouping's tens of
    /// thousands of small allocations — is left for the operating system to reclaim with
    /// the process (freeing it piece by piece was half a millisecond of a dry run).
    pub fn release_at_exit(mut self) {
        drop(self.lock.take());
        std::mem::forget(self);
    }

    /// What the stale entries are, counted as what is listed: `2 entries (3 PR numbers)
    /// already released, …: #1 #2 (1.0.0); #3 (1.1.0)`. `None` when there are none.
    pub fn stale_line(&self) -> Option<String> {
        stale_summary(&self.stale)
    }
}

/// See [`Plan::stale_line`].
fn stale_summary(stale: &[StaleEntry]) -> Option<String> {
    if stale.is_empty() {
        return None;
    }
    let entries = stale.len();
    // An entry without PR is named by its text or file, which is no PR number.
    let numbers: usize = stale
        .iter()
        .map(|s| s.prs.iter().filter(|p| p.starts_with('#')).count())
        .sum();
    let list: Vec<String> = stale.iter().map(ToString::to_string).collect();
    let counted = match numbers {
        0 => String::new(),
        1 => " (1 PR number)".into(),
        n => format!(" ({n} PR numbers)"),
    };
    Some(format!(
        "{entries} {}{counted} already released, removed without being listed: {}",
        if entries == 1 { "entry" } else { "entries" },
        list.join("; ")
    ))
}

pub(crate) use crate::process::shell_quote;

/// A `sed` script replacing `old` with `new` literally (every occurrence with `global`).
pub(crate) fn sed_replace(old: &str, new: &str, global: bool) -> String {
    let pattern: String = old
        .chars()
        .flat_map(|c| match c {
            '\\' | '/' | '.' | '*' | '[' | ']' | '^' | '$' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let replacement: String = new
        .chars()
        .flat_map(|c| match c {
            '\\' | '/' | '&' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!(
        "s/{pattern}/{replacement}/{}",
        if global { "g" } else { "" }
    )
}

pub(crate) fn expand(template: &str, version: &Version, webui: Option<&Version>) -> String {
    template
        .replace("{version}", version.as_str())
        .replace("{webui_version}", webui.map(Version::as_str).unwrap_or(""))
}

pub(crate) fn relative(repo: &Repo, p: &Path) -> String {
    p.strip_prefix(repo.root())
        .unwrap_or(p)
        .display()
        .to_string()
}

/// The plan as data, for `--dry-run --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub version: String,
    pub current: String,
    pub version_from: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub sprint: bool,
    pub branch: String,
    pub base_branch: String,
    pub date: String,
    pub webui: Option<String>,
    pub changelog: String,
    pub rc_sections: Vec<String>,
    /// A final's pre-release sections left as published, not folded (a reStructuredText
    /// changelog: [`SectionForm::AsBuilt`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rc_sections_unfolded: Vec<String>,
    pub fragments: Vec<String>,
    pub stale: Vec<String>,
    pub entries: usize,
    pub categories: usize,
    pub groups: usize,
    pub next_version: Option<String>,
    pub freeze: Option<crate::freeze::Outcome>,
    pub steps: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_unavailable: Option<String>,
}

pub fn plan_view(plan: &Plan, repo: &Repo) -> PlanView {
    PlanView {
        version: plan.version.to_string(),
        current: plan.current.to_string(),
        version_from: plan.version_from.clone(),
        kind: plan.kind().to_string(),
        sprint: plan.version.is_sprint(),
        branch: plan.branch.clone(),
        base_branch: plan.base_branch.clone(),
        date: plan.request.date.clone(),
        webui: plan.webui.as_ref().map(Version::to_string),
        changelog: relative(repo, &plan.changelog),
        rc_sections: plan.rc_sections.clone(),
        rc_sections_unfolded: plan.form.unfolded().to_vec(),
        fragments: plan
            .fragment_files
            .iter()
            .map(|f| relative(repo, f))
            .collect(),
        stale: plan.stale.iter().map(ToString::to_string).collect(),
        entries: plan
            .section
            .as_ref()
            .map(|s| s.entries().count())
            .or(plan.unread_section.map(|u| u.0))
            .unwrap_or(0),
        categories: plan
            .section
            .as_ref()
            .map(|s| s.categories.len())
            .or(plan.unread_section.map(|u| u.1))
            .unwrap_or(0),
        groups: plan.group_count,
        next_version: plan.next_version.as_ref().map(Version::to_string),
        freeze: plan.freeze.clone(),
        steps: plan.steps.iter().map(|s| s.name.clone()).collect(),
        review_unavailable: plan.review_unavailable.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sh(script: &str, stdin: &str) -> String {
        use std::io::Write;
        let mut child = std::process::Command::new("sh")
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{script}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// The count says what is counted, and agrees with the list: entries, and the PR
    /// numbers they hold (an entry can hold several).
    #[test]
    fn the_stale_line_counts_entries_and_numbers() {
        let entry = |prs: &[&str], r: &str| StaleEntry {
            prs: prs.iter().map(|p| p.to_string()).collect(),
            released_in: r.into(),
        };
        let stale = vec![
            entry(&["#113", "#121"], "26.1.0rc1"),
            entry(&["#7"], "26.1.0"),
        ];
        let line = stale_summary(&stale).unwrap();
        assert_eq!(
            line,
            "2 entries (3 PR numbers) already released, removed without being listed: \
             #113 #121 (26.1.0rc1); #7 (26.1.0)"
        );
        assert_eq!(
            stale_summary(&stale[1..]).unwrap(),
            "1 entry (1 PR number) already released, removed without being listed: #7 (26.1.0)"
        );
        // An orphan fragment is named by its file: an entry, not a PR number.
        let orphans = vec![entry(&["#90"], "1.3.0"), entry(&["+docs2.doc.md"], "1.3.0")];
        assert_eq!(
            stale_summary(&orphans).unwrap(),
            "2 entries (1 PR number) already released, removed without being listed: \
             #90 (1.3.0); +docs2.doc.md (1.3.0)"
        );
        assert_eq!(
            stale_summary(&orphans[1..]).unwrap(),
            "1 entry already released, removed without being listed: +docs2.doc.md (1.3.0)"
        );
        assert_eq!(stale_summary(&[]), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// A quoted word reaches the command as it was, whatever it holds (quotes,
        /// `$`, backslashes, spaces, unicode).
        #[test]
        fn a_quoted_word_is_read_back_as_itself(word in "[^\u{0}]{0,24}") {
            let script = format!("printf '%s' {}", shell_quote(&word));
            prop_assert_eq!(sh(&script, ""), word);
        }

        /// The by-hand `sed` script replaces literally, as the step does in Rust.
        #[test]
        fn sed_replaces_literally(
            before in "[^\n\u{0}]{0,12}",
            old in "[^\n\u{0}]{1,12}",
            new in "[^\n\u{0}]{0,12}",
            after in "[^\n\u{0}]{0,12}",
        ) {
            let line = format!("{before}{old}{after}\n");
            let script = format!("sed -e {}", shell_quote(&sed_replace(&old, &new, false)));
            prop_assert_eq!(sh(&script, &line), line.replacen(&old, &new, 1));
            let script = format!("sed -e {}", shell_quote(&sed_replace(&old, &new, true)));
            prop_assert_eq!(sh(&script, &line), line.replace(&old, &new));
        }
    }
}
