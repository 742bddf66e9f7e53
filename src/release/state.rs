//! The progress of a release in `.git/git-release/state.json`, kept between a failed step
//! and `git release continue` / `git release abort`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::plan::StepKind;
use super::request::Request;
use crate::error::{Error, Result};
use crate::git::Repo;

/// Progress kept between a failure and `continue`/`abort`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub request: Request,
    pub base_branch: String,
    pub base_commit: String,
    pub branch: String,
    pub steps: Vec<StepKind>,
    /// The version before the release (for `PREVIOUS_VERSION`).
    pub previous: String,
    /// Steps done (the failed step is the next one).
    pub completed: usize,
    pub commits: Vec<String>,
    /// The pre-release sections folded in (for the summary after `continue`).
    #[serde(default)]
    pub rc_merged: Vec<String>,
    /// The dirty paths before the last configured step ran: when it fails and is done by
    /// hand, `continue` commits what changed since, as the step would have.
    #[serde(default)]
    pub dirty_before_step: Vec<String>,
}

fn state_path(repo: &Repo) -> PathBuf {
    repo.git_dir().join("git-release").join("state.json")
}

pub(crate) fn load_state(repo: &Repo) -> Result<Option<State>> {
    let path = state_path(repo);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::Refused(format!(
                "{} is damaged ({e}); remove it to start over",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, e)),
    }
}

pub(crate) fn save_state(repo: &Repo, state: &State) -> Result<()> {
    let text = crate::json::pretty(state);
    crate::atomic::write(&state_path(repo), text.as_bytes())
}

pub(crate) fn clear_state(repo: &Repo) {
    let _ = std::fs::remove_file(state_path(repo));
}
