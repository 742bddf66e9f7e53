//! What a release did, for the summary (`--format json` prints it as it is).

use serde::{Deserialize, Serialize};

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
    /// What the freeze step changed, when it ran (and what the plan said).
    pub freeze: Option<FreezeCount>,
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
    planned: Option<&crate::freeze::Outcome>,
    freeze: &crate::freeze::Outcome,
) -> FreezeCount {
    let count = FreezeCount {
        places: freeze.places,
        files: freeze.files,
        planned_places: planned.map_or(0, |p| p.places),
        planned_files: planned.map_or(0, |p| p.files),
    };
    if (count.places, count.files) != (count.planned_places, count.planned_files) {
        reporter.note(&format!(
            "froze {} (the plan said {}: the files changed since it was made)",
            freeze.extent(),
            planned.map_or_else(|| "nothing".to_string(), |p| p.extent())
        ));
    }
    count
}
