//! What a release did, for the summary (`--format json` prints it as it is).

use serde::Serialize;

use crate::changelog::Release as Section;

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
}

pub(crate) fn count_groups(s: &Section) -> usize {
    s.categories
        .iter()
        .flat_map(|c| &c.subsections)
        .filter(|g| !g.is_other())
        .count()
}
