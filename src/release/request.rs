//! What the user asked for: the flags of `git release <VERSION>`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::config::Config;

/// What the user asked for (the flags of `git release <VERSION>`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Request {
    pub version: String,
    pub webui_version: Option<String>,
    pub date: String,
    pub no_edit: bool,
    pub allow_downgrade: bool,
    /// Go ahead when the pre-release the version file names has no section to fold;
    /// absent from the state files of releases started before it existed.
    #[serde(default)]
    pub allow_missing_rc: bool,
    pub strategy: crate::group::Strategy,
    pub rules: Option<PathBuf>,
    pub labels_from: Option<PathBuf>,
    /// The grouping command (`--command`, or `command` configured); absent from the state
    /// files of releases started before it existed.
    #[serde(default)]
    pub command: Option<String>,
    pub keep_rc: bool,
    /// `--dry-run`: the plan is shown and nothing runs, so what only the run needs (the
    /// review's editor) is reported in the plan instead of refused. Never saved.
    #[serde(skip)]
    pub dry_run: bool,
}

impl Request {
    /// The files the grouping reads as asked (`--rules`, `--labels-from`, or configured):
    /// with the configured ones, what the freeze spares.
    pub fn files_read(&self) -> Vec<PathBuf> {
        self.rules
            .iter()
            .chain(&self.labels_from)
            .cloned()
            .collect()
    }

    /// The request with the files it names made absolute, from `cwd` (where the command
    /// line named them): the same files for every step, whatever directory a `continue`
    /// runs from.
    pub fn anchored(&self, cwd: &std::path::Path) -> Request {
        let anchor = |p: &Option<PathBuf>| p.as_ref().map(|p| cwd.join(p));
        Request {
            rules: anchor(&self.rules),
            labels_from: anchor(&self.labels_from),
            ..self.clone()
        }
    }

    /// The grouping settings: the strategy and files asked for, the rest configured.
    pub fn grouping(&self, config: &Config) -> crate::group::Settings {
        crate::group::Settings {
            strategy: self.strategy,
            rules: self.rules.clone(),
            labels_from: self.labels_from.clone(),
            command: self
                .command
                .clone()
                .or_else(|| config.release.consolidate.grouping.command.clone()),
            ..config.release.consolidate.grouping.clone()
        }
    }
}
