//! What looks wrong in a changelog, with line numbers and a severity.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crate::error::Error;
use crate::version::Version;

use super::model::Release;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth telling, but the changelog can still be worked on.
    Warning,
    /// The changelog must be fixed before it is rewritten.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// Two release headings with the same version (an error for a final release).
    DuplicateRelease,
    /// A bullet outside any category in a versioned release.
    EntryOutsideCategory,
    /// A subsection heading before any category heading in a versioned release.
    SubsectionOutsideCategory,
    /// A versioned release heading without a date while others have one.
    MissingDate,
    /// A release heading glued to the end of an entry line, so it is read as entry text.
    GluedHeading,
    /// The same category heading twice in one release.
    DuplicateCategory,
    /// An HTML comment that opens (`<!--`) and never closes.
    UnclosedComment,
    /// A code fence that opens and never closes (the rest of the file is code).
    UnclosedFence,
    /// A release heading inside a code block or an HTML comment opened above it.
    HiddenReleaseHeading,
    /// A heading above the releases' level after the first release (`#` among `##`).
    MisplacedHeading,
    /// A release-level heading holding a version that cannot be read as a release's.
    UnreadableReleaseHeading,
    /// A setext heading (text over `===` or `---`), which this reader does not take.
    SetextHeading,
    /// A heading below the groups' level inside a release (`#####` under `##`), read as
    /// prose of the group above.
    DeepHeading,
}

/// A diagnostic about the changelog, with the line it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub severity: Severity,
    /// The 1-based line the problem is reported at.
    pub line: usize,
    /// Every line involved (both headings of a duplicate), ascending.
    pub lines: Vec<usize>,
    /// Indexes (into [`Changelog::releases`]) of the releases involved.
    pub releases: Vec<usize>,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl Problem {
    /// The problem as an [`Error::Changelog`] for `path`.
    pub fn to_error(&self, path: &Path) -> Error {
        Error::changelog(path, self.line, self.message.clone())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.severity, self.message)
    }
}

/// Problems that need every release: duplicated headings and missing dates.
pub(crate) fn release_problems(releases: &[Release], level: usize, problems: &mut Vec<Problem>) {
    let marks = "#".repeat(level);
    let mut first_of: BTreeMap<&Version, usize> = BTreeMap::new();
    for (i, r) in releases.iter().enumerate() {
        let Some(v) = &r.version else { continue };
        match first_of.get(v) {
            None => {
                first_of.insert(v, i);
            }
            Some(&j) => {
                let (a, b) = (releases[j].line, r.line);
                let (severity, message) = if v.is_final() {
                    (
                        Severity::Error,
                        format!(
                            "`{marks} {v}` appears twice (lines {a} and {b}): merge the two `{marks} {v}` \
                             sections (lines {a} and {b}) into one, then re-run"
                        ),
                    )
                } else {
                    (
                        Severity::Warning,
                        format!(
                            "`{marks} {v}` appears twice (lines {a} and {b}); both sections are read, and \
                             they are merged when {} is consolidated",
                            v.base()
                        ),
                    )
                };
                problems.push(Problem {
                    kind: ProblemKind::DuplicateRelease,
                    severity,
                    line: b,
                    lines: vec![a, b],
                    releases: vec![j, i],
                    message,
                });
            }
        }
    }
    if releases
        .iter()
        .any(|r| r.version.is_some() && r.date.is_some())
    {
        for (i, r) in releases.iter().enumerate() {
            if let (Some(v), None) = (&r.version, &r.date) {
                problems.push(Problem {
                    kind: ProblemKind::MissingDate,
                    severity: Severity::Warning,
                    line: r.line,
                    lines: vec![r.line],
                    releases: vec![i],
                    message: format!(
                        "`{marks} {}` has no date while other releases have one; \
                         write it as `{marks} {v} (YYYY-MM-DD)`",
                        r.title
                    ),
                });
            }
        }
    }
}
