//! What a release did, for the summary (`--format json` prints it as it is).

use serde::{Deserialize, Serialize};

use super::plan::{Plan, StepKind, relative};
use super::state::{State, StepStatus};
use crate::changelog::{Changelog, Release as Section};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::version::Version;

/// What the release did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub version: String,
    pub branch: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub webui: Option<String>,
    pub changelog: String,
    pub entries: usize,
    pub categories: usize,
    pub groups: usize,
    pub rc_merged: Vec<String>,
    pub next_version: Option<String>,
    pub commits: Vec<String>,
    /// Steps the user finished by hand (`continue --skip`).
    pub by_hand: Vec<String>,
    /// What the freeze step changed, when it ran (and what the plan said).
    pub freeze: Option<FreezeCount>,
    /// The stale entries left out, as the plan said them (`None`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
}

/// The placeholder freeze as it was written, beside the plan's count: a step before it
/// (a WebUI bundle brought in) can add files that hold the placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeCount {
    pub places: usize,
    pub files: usize,
    pub planned_places: usize,
    pub planned_files: usize,
}

pub(crate) fn count_groups(s: &Section) -> usize {
    s.categories
        .iter()
        .flat_map(|c| &c.subsections)
        .filter(|g| !g.is_other())
        .count()
}

/// The freeze as written, beside the plan's count (the progress line said the plan's): a
/// difference is said.
pub(crate) fn frozen(
    reporter: &dyn super::Reporter,
    planned: Option<(usize, usize)>,
    freeze: &crate::freeze::Outcome,
) -> FreezeCount {
    let count = FreezeCount {
        places: freeze.places,
        files: freeze.files,
        planned_places: planned.map_or(0, |p| p.0),
        planned_files: planned.map_or(0, |p| p.1),
    };
    if (count.places, count.files) != (count.planned_places, count.planned_files) {
        reporter.note(&format!(
            "froze {} (the plan said {}: the files changed since it was made)",
            freeze.extent(),
            planned.map_or_else(
                || "nothing".to_string(),
                |(places, files)| crate::freeze::Outcome::extent_of(places, files)
            )
        ));
    }
    count
}

/// What the release did, from the record: a step is reported only when it finished.
pub(super) fn from_record(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
    state: &State,
) -> Result<Summary> {
    let status_of = |pred: &dyn Fn(&StepKind) -> bool| {
        state
            .steps
            .iter()
            .filter(|s| pred(&s.step.kind))
            .map(|s| s.status)
            .collect::<Vec<_>>()
    };
    // Finished by the release or by hand (the summary lists the latter under "By hand").
    let all_done = |statuses: &[StepStatus]| statuses.iter().all(|s| s.finished());
    let webui_steps = status_of(&|k| matches!(k, StepKind::Command(c) if c.webui));
    let changelog = status_of(&|k| matches!(k, StepKind::Changelog));
    let next = status_of(&|k| matches!(k, StepKind::NextVersion(_)));
    // The section as it is in the file now (by the release or by hand).
    let section = Changelog::read_with(&plan.changelog, Some(&config.towncrier.start_string))?
        .and_then(|log| log.find(&plan.version).map(|i| log.releases()[i].clone()));
    let unread = plan
        .unread_section
        .filter(|_| !changelog.is_empty() && all_done(&changelog));
    let by_hand = state
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::Skipped)
        .map(|s| s.step.name.clone())
        .collect();
    Ok(Summary {
        version: plan.version.to_string(),
        branch: plan.branch.clone(),
        kind: plan.kind().to_string(),
        webui: plan
            .webui
            .as_ref()
            .filter(|_| !webui_steps.is_empty() && all_done(&webui_steps))
            .map(Version::to_string),
        changelog: relative(repo, &plan.changelog),
        // A section that is not Markdown (reStructuredText) is counted as the plan did
        // (kept in the state for `continue`), once the changelog step finished.
        entries: section
            .as_ref()
            .map(|s| s.entries().count())
            .or(unread.map(|u| u.0))
            .unwrap_or(0),
        categories: section
            .as_ref()
            .map(|s| s.categories.len())
            .or(unread.map(|u| u.1))
            .unwrap_or(0),
        groups: section.as_ref().map(count_groups).unwrap_or(0),
        rc_merged: if !changelog.is_empty() && all_done(&changelog) {
            state.rc_merged.clone()
        } else {
            Vec::new()
        },
        next_version: state
            .next_version
            .clone()
            .filter(|_| !next.is_empty() && all_done(&next)),
        commits: state.commits.clone(),
        by_hand,
        freeze: state.frozen.clone(),
        stale: state.stale.clone(),
    })
}

/// The error for a stopped release, with the ways forward: every remaining step with the
/// command that does it by hand.
pub(super) fn stopped(state: &State, i: usize, why: &str) -> Error {
    let record = &state.steps[i];
    let step = &record.step;
    let total = state.steps.len();
    let how = match record.status {
        StepStatus::Interrupted => "was interrupted",
        StepStatus::Pending => "did not start",
        _ => "failed",
    };
    let mut msg = format!(
        "step {}/{total} {how}: {}\n  {why}\n\nWhat now:\n",
        i + 1,
        step.name,
    );
    msg.push_str(
        "  - fix the problem, then run this step again and the rest: git release continue\n    (stage a fix that belongs in the release, `git add`; other changes are refused)\n",
    );
    match &step.by_hand {
        Some(cmd) => msg.push_str(&format!(
            "  - or run the step yourself:  {cmd}\n    then say it is done and run the rest:   git release continue --skip\n"
        )),
        None => msg.push_str(
            "  - or do this step by hand, then run the rest: git release continue --skip\n",
        ),
    }
    let rest: Vec<String> = state.steps[i + 1..]
        .iter()
        .enumerate()
        .map(|(k, s)| match &s.step.by_hand {
            Some(c) => format!("      {}. {}   ({c})", i + k + 2, s.step.name),
            None => format!("      {}. {}", i + k + 2, s.step.name),
        })
        .collect();
    if !rest.is_empty() {
        msg.push_str(&format!(
            "  - or run the remaining steps by hand:\n{}\n",
            rest.join("\n")
        ));
    }
    msg.push_str("  - or undo everything:                    git release abort");
    Error::Step {
        step: step.name.clone(),
        message: msg,
    }
}
