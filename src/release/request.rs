//! What the user asked for: the flags of `git release <VERSION>`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::group::StrategyOptions;

/// What the user asked for (the flags of `git release <VERSION>`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Request {
    pub version: String,
    pub webui_version: Option<String>,
    pub date: String,
    pub no_edit: bool,
    pub allow_downgrade: bool,
    pub strategy: String,
    pub rules: Option<PathBuf>,
    pub labels_from: Option<PathBuf>,
    pub keep_rc: bool,
}

impl Request {
    /// The grouping inputs: the files asked for, the similarity settings configured.
    pub fn strategy_options(&self, config: &Config) -> StrategyOptions {
        StrategyOptions {
            rules: self.rules.clone(),
            labels_from: self.labels_from.clone(),
            similarity: crate::group::similarity::Similarity::from_config(
                &config.release.consolidate,
            ),
        }
    }
}
