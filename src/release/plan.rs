//! The plan of a release: its steps, what pre-flight found, and the plan as data for
//! `--dry-run --format json`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::request::Request;
use super::state::State;
use crate::changelog::Release as Section;
use crate::config::Config;
use crate::consolidate::Prepared;
use crate::git::Repo;
use crate::version::{ReleaseKind, Version};

/// One step of the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "index", rename_all = "kebab-case")]
pub enum StepKind {
    CreateBranch,
    /// A configured step with `when = "webui"`, by index in the configuration.
    Webui(usize),
    VersionFile,
    Freeze,
    Changelog,
    /// A configured step, by index in the configuration.
    Configured(usize),
    Commit,
    NextVersion,
}

/// A step with what it will do, for the plan and the progress lines.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedStep {
    pub kind: StepKind,
    pub name: String,
    /// A command that does the same by hand, shown when the step fails.
    pub by_hand: Option<String>,
}

/// Everything pre-flight found out.
#[derive(Debug, Clone)]
pub struct Plan {
    pub request: Request,
    pub version: Version,
    pub current: Version,
    pub webui: Option<Version>,
    pub base_branch: String,
    pub base_commit: String,
    pub branch: String,
    pub changelog: PathBuf,
    /// Pre-release sections folded into a final release, newest first.
    pub rc_sections: Vec<String>,
    /// Fragment files consumed (stale ones included).
    pub fragment_files: Vec<PathBuf>,
    /// Fragments left out because an earlier release lists them already.
    pub stale: Vec<String>,
    pub next_version: Option<Version>,
    /// The placeholder freeze of a final release, as pre-flight worked it out.
    pub freeze: Option<crate::freeze::Outcome>,
    pub steps: Vec<PlannedStep>,
    /// The section the release writes (before review), when there is one.
    pub section: Option<Section>,
    pub group_count: usize,
    /// The consolidated section of a final release, computed in pre-flight and written by
    /// the changelog step (taken from the plan when the release starts).
    pub prepared: Option<Prepared>,
}

impl Plan {
    pub fn kind(&self) -> ReleaseKind {
        self.version.kind()
    }
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
    #[serde(rename = "type")]
    pub kind: String,
    pub sprint: bool,
    pub branch: String,
    pub base_branch: String,
    pub date: String,
    pub webui: Option<String>,
    pub changelog: String,
    pub rc_sections: Vec<String>,
    pub fragments: Vec<String>,
    pub stale: Vec<String>,
    pub entries: usize,
    pub categories: usize,
    pub groups: usize,
    pub next_version: Option<String>,
    pub freeze: Option<crate::freeze::Outcome>,
    pub steps: Vec<String>,
}

pub fn plan_view(plan: &Plan, repo: &Repo) -> PlanView {
    PlanView {
        version: plan.version.to_string(),
        current: plan.current.to_string(),
        kind: plan.kind().to_string(),
        sprint: plan.version.is_sprint(),
        branch: plan.branch.clone(),
        base_branch: plan.base_branch.clone(),
        date: plan.request.date.clone(),
        webui: plan.webui.as_ref().map(Version::to_string),
        changelog: relative(repo, &plan.changelog),
        rc_sections: plan.rc_sections.clone(),
        fragments: plan
            .fragment_files
            .iter()
            .map(|f| relative(repo, f))
            .collect(),
        stale: plan.stale.clone(),
        entries: plan
            .section
            .as_ref()
            .map(|s| s.entries().count())
            .unwrap_or(0),
        categories: plan
            .section
            .as_ref()
            .map(|s| s.categories.len())
            .unwrap_or(0),
        groups: plan.group_count,
        next_version: plan.next_version.as_ref().map(Version::to_string),
        freeze: plan.freeze.clone(),
        steps: plan.steps.iter().map(|s| s.name.clone()).collect(),
    }
}

pub(crate) fn step_name(
    config: &Config,
    kind: &StepKind,
    version: &Version,
    webui: Option<&Version>,
) -> String {
    match kind {
        StepKind::CreateBranch => "Create the release branch".into(),
        StepKind::Webui(i) | StepKind::Configured(i) => {
            format!(
                "Run `{}`",
                config
                    .release
                    .steps
                    .get(*i)
                    .map(|s| s.name.as_str())
                    .unwrap_or("?")
            )
        }
        StepKind::VersionFile => format!("Write {version} to {}", config.release.version_file),
        StepKind::Freeze => "Freeze the placeholder".into(),
        StepKind::Changelog => "Update the changelog".into(),
        StepKind::Commit => format!(
            "Commit `{}`",
            expand(&config.release.commit_message, version, webui)
        ),
        StepKind::NextVersion => "Advance the next development version".into(),
    }
}

/// What to run by hand for a step of a release in progress (as pre-flight planned it).
pub(crate) fn step_by_hand(
    config: &Config,
    kind: &StepKind,
    version: &Version,
    webui: Option<&Version>,
    state: &State,
) -> Option<String> {
    let date = &state.request.date;
    match kind {
        StepKind::CreateBranch => Some(format!("git switch -c {}", state.branch)),
        StepKind::Webui(i) | StepKind::Configured(i) => {
            config.release.steps.get(*i).map(|s| s.run.clone())
        }
        StepKind::VersionFile => Some(format!("echo {version} > {}", config.release.version_file)),
        StepKind::Changelog if version.is_final() => Some(format!(
            "git release consolidate {version} --date {date}{}",
            if state.request.no_edit {
                " --no-edit"
            } else {
                ""
            }
        )),
        StepKind::Changelog => Some(format!("git release build {version} --date {date}")),
        StepKind::Commit => {
            let message = expand(&config.release.commit_message, version, webui);
            Some(format!("git add -A && git commit -m '{message}'"))
        }
        StepKind::Freeze | StepKind::NextVersion => None,
    }
}
