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

/// The problems of form a release spares in published history: how a release older than
/// the one being made is written (a heading over `---`, a list before its first category,
/// a subsection outside one). Such a release is read for what it tells —
/// its version, and its entries, each counted as released wherever it stands — and is
/// never rewritten. Problems that reach beyond their release (a block left open, a release
/// hidden in one) are not of form: they hide what follows, wherever the new section lands.
const FORM: &[ProblemKind] = &[
    ProblemKind::SetextHeading,
    ProblemKind::EntryOutsideCategory,
    ProblemKind::SubsectionOutsideCategory,
];

impl super::Changelog {
    /// Whether the release at `index` is published history for a release of `version`:
    /// released (it has a version; a section marked unreleased has none) and not one of the
    /// sections a final of it folds ([`Changelog::releases_for`](super::Changelog::releases_for)).
    /// A newer line's release above a backport's is history too: it is never rewritten.
    pub fn is_history(&self, index: usize, version: &Version) -> bool {
        self.releases()[index].version().is_some() && !self.releases_for(version).contains(&index)
    }

    /// Which of the changelog's problems refuse a release of `version` — the one place
    /// that says which sections must be strict: the first error, unless it is a problem of
    /// [`FORM`] whose releases are all published history ([`Changelog::is_history`]); a
    /// problem that touches a section the final folds, a section that is no release, or
    /// no release at all (text above the releases) refuses as before. Each kind of
    /// problem spared is one warning, naming its first line and how many more there are.
    pub fn check_release(&self, path: &Path, version: &Version) -> Result<Vec<String>, Error> {
        let mut spared: Vec<(&Problem, usize)> = Vec::new();
        for p in self.problems() {
            if p.severity != Severity::Error {
                continue;
            }
            let history =
                !p.releases.is_empty() && p.releases.iter().all(|&r| self.is_history(r, version));
            if !(history && FORM.contains(&p.kind)) {
                return Err(p.to_error(path));
            }
            match spared.iter_mut().find(|(first, _)| first.kind == p.kind) {
                Some((_, more)) => *more += 1,
                None => spared.push((p, 0)),
            }
        }
        Ok(spared
            .into_iter()
            .map(|(p, more)| {
                let more = match more {
                    0 => String::new(),
                    1 => " (and 1 more like it below)".to_string(),
                    n => format!(" (and {n} more like it below)"),
                };
                format!(
                    "{}:{}: {}{more}; in a release published before {version} it is read as \
                     written and left as it is",
                    path.display(),
                    p.line,
                    p.message
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::changelog::Changelog;
    use crate::version::Version;

    const START: &str = "# Changes\n\n<!-- towncrier release notes start -->\n\n";
    const RC1: &str = "## 1.2.0rc1 (2025-03-01)\n\n### Features\n\n- A. (#10)\n\n";

    fn check(body: &str) -> Result<Vec<String>, String> {
        let log = Changelog::parse(&format!("{START}{body}"));
        let version = Version::parse("1.2.0").unwrap();
        log.check_release(Path::new("CHANGELOG.md"), &version)
            .map_err(|e| e.to_string())
    }

    /// Releases published before, each written in a way a section must not be: a heading
    /// over `---`, a list before the first category, a subsection outside a category.
    const FORMS: &str = "## 1.1.0 (2025-02-01)\n\nNotable changes include:\n\n* Big one. (#7)\n\n\
        ### Features\n\n- B. (#8)\n\n\
        1.0.1 (2025-01-15)\n------------------\n\n#### Odd\n\n- C. (#6)\n\n\
        1.0.0 (2025-01-01)\n------------------\n\n### Features\n\n- D. (#5)\n";

    #[test]
    fn published_history_is_spared_its_form_said_once_per_kind() {
        let warnings = check(&format!("{RC1}{FORMS}")).unwrap();
        assert_eq!(warnings.len(), 3, "{warnings:#?}");
        let setext = warnings.iter().find(|w| w.contains("over a line")).unwrap();
        assert!(
            setext.starts_with("CHANGELOG.md:21: `1.0.1 (2025-01-15)`")
                && setext.contains("(and 1 more like it below)"),
            "{setext}"
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("CHANGELOG.md:15:") && w.contains("not under a category"))
        );
        assert!(warnings.iter().any(|w| w.contains("`#### Odd`")));
        // Read for what it tells: every version, every entry where it stands.
        let log = Changelog::parse(&format!("{START}{RC1}{FORMS}"));
        let versions: Vec<String> = log
            .releases()
            .iter()
            .map(|r| r.version().unwrap().to_string())
            .collect();
        assert_eq!(versions, ["1.2.0rc1", "1.1.0", "1.0.1", "1.0.0"]);
        let prs = |i: usize| -> Vec<u64> {
            log.releases()[i]
                .entries()
                .flat_map(|e| e.prs.clone())
                .collect()
        };
        assert_eq!((prs(1), prs(2), prs(3)), (vec![8, 7], vec![6], vec![5]));
        // The underline is no text of the release.
        assert!(
            log.releases()[3].blocks().is_empty(),
            "{:?}",
            log.releases()[3].blocks()
        );
        assert_eq!(log.releases()[3].title(), "1.0.0 (2025-01-01)");
        // With no rc section at all, the same history is spared the same.
        assert_eq!(check(FORMS).unwrap().len(), 3);
    }

    #[test]
    fn setext_history_is_read_at_the_releases_level_only() {
        // Releases of `#` (towncrier's default template): history over `===`.
        let log = Changelog::parse(&format!(
            "{START}# 1.2.0rc1 (2025-03-01)\n\n## Features\n\n- A. (#10)\n\n\
             # 1.1.1 (2025-02-10)\n\n- C. (#9)\n\n\
             1.1.0 (2025-02-01)\n==================\n\n## Features\n\n- B. (#8)\n"
        ));
        assert_eq!(log.releases().len(), 3);
        assert_eq!(log.releases()[2].entries().next().unwrap().prs, [8]);
        let version = Version::parse("1.2.0").unwrap();
        let warnings = log
            .check_release(Path::new("CHANGELOG.md"), &version)
            .unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("write it `# 1.1.0 (2025-02-01)`"),
            "{warnings:?}"
        );
        // Over `---` among releases of `#` it is a heading below theirs: no release, read
        // (as it renders) as part of the release above, its entries released there; that
        // one is history, so it is spared too.
        let log = Changelog::parse(&format!(
            "{START}# 1.2.0rc1 (2025-03-01)\n\n## Features\n\n- A. (#10)\n\n\
             # 1.1.1 (2025-02-10)\n\n- C. (#9)\n\n\
             1.1.0 (2025-02-01)\n------------------\n\n## Features\n\n- B. (#8)\n"
        ));
        assert_eq!(log.releases().len(), 2);
        let prs: Vec<u64> = log.releases()[1]
            .entries()
            .flat_map(|e| e.prs.clone())
            .collect();
        assert_eq!(prs, [8, 9]);
        let warnings = log
            .check_release(Path::new("CHANGELOG.md"), &version)
            .unwrap();
        assert!(
            warnings.iter().any(|w| w.contains("write it `## 1.1.0")),
            "{warnings:?}"
        );
    }

    #[test]
    fn the_sections_folded_and_what_reaches_beyond_a_release_stay_strict() {
        for (what, body) in [
            (
                "a list before the rc's first category",
                format!(
                    "{}{FORMS}",
                    RC1.replace("### Features", "* Big. (#9)\n\n### Features")
                ),
            ),
            (
                "the rc heading written setext-style",
                format!(
                    "## 1.1.1 (2025-02-10)\n\n- E. (#11)\n\n1.2.0rc1 (2025-03-01)\n---\n\n\
                     ### Features\n\n- A. (#10)\n\n{FORMS}"
                ),
            ),
            (
                "a versioned setext heading inside the rc section",
                format!("{RC1}Upgrade from 1.1.5\n------------------\n\n- Run it.\n\n{FORMS}"),
            ),
            (
                "the release right below the rc section written setext-style",
                format!(
                    "{RC1}{}",
                    FORMS.replacen("## 1.1.0 (2025-02-01)", "1.1.0 (2025-02-01)\n---", 1)
                ),
            ),
            (
                "a subsection outside a category in the rc",
                format!(
                    "{}{FORMS}",
                    RC1.replace("### Features", "#### Odd\n\n- Z. (#12)\n\n### Features")
                ),
            ),
            (
                "a fence left open in history",
                format!("{RC1}{FORMS}\n```\nnever closed\n"),
            ),
            (
                "a final's heading twice in history",
                format!("{RC1}{FORMS}\n## 1.0.0 (2024-12-01)\n\n- F. (#4)\n"),
            ),
        ] {
            let err = check(&body).expect_err(what);
            let needle = match what {
                w if w.contains("setext") => "over a line of",
                w if w.contains("list") => "not under a category",
                w if w.contains("subsection") => "is not inside a category",
                w if w.contains("fence") => "never closes",
                _ => "appears twice",
            };
            assert!(
                err.contains("CHANGELOG.md:") && err.contains(needle),
                "{what}: {err}"
            );
        }
        // A release written setext-style above the start string is none: refused as before.
        let log = Changelog::parse(&format!(
            "1.1.0 (2025-02-01)\n---\n\n- B. (#8)\n\n{START}{RC1}"
        ));
        let version = Version::parse("1.2.0").unwrap();
        assert!(
            log.check_release(Path::new("CHANGELOG.md"), &version)
                .is_err()
        );
    }
}
