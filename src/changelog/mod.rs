//! The changelog model: a Markdown changelog read as releases → categories → subsections →
//! entries, and written back byte for byte.
//!
//! ```text
//! <preamble: title, comments, towncrier's start string>
//! ## 26.1.0 (2026-01-26)          release (level L)
//!
//! ### Features                    category (level L+1)
//!
//! #### Fair Share Scheduler       subsection (level L+2)
//! Optional description paragraph.
//!
//! * entry ([#8008](https://…))    entry, continuation lines indented
//! ```
//!
//! A [`Changelog`](crate::changelog::Changelog) is its text plus an index of it: its
//! `to_string()` is the exact bytes that were parsed, and the edits
//! ([`remove`](crate::changelog::Changelog::remove),
//! [`insert`](crate::changelog::Changelog::insert),
//! [`replace`](crate::changelog::Changelog::replace)) splice whole release sections into
//! that text, keep every other byte, and index the result again. Parsing never fails; what
//! looks wrong is reported by [`problems`](crate::changelog::Changelog::problems) with line
//! numbers and a severity.

mod blocks;
mod closed_refs;
mod html;
mod linkdefs;
mod model;
mod parse;
mod problems;
mod refs;
mod rst;
mod title;
mod view;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use regex::Regex;

use crate::error::Result;
use crate::version::Version;

pub use blocks::{CodeBlock, Swallowing, code_blocks, swallowed_tail, unglue_closing_fence};
pub use html::starts_html_block;
pub use linkdefs::label_key;
pub use model::{Block, BlockKind, Category, Entry, Place, Release, Spacing, Subsection};
pub use parse::comments_outside_entries;
pub use problems::{Problem, ProblemKind, Severity};
pub use refs::{
    Issue, RefFormat, file_issue, is_name, issue_key, issue_name, issue_names, issue_order,
    pr_list, pr_numbers,
};
pub use rst::{
    ReleaseTitle, is_restructured_text, project_is_rst, release_titles, rst_release_titles,
};
pub use view::{CategoryView, GroupView, ItemView, ReleaseView};

/// The start markers towncrier writes by default (Markdown and reStructuredText); releases
/// begin after the first of them found by [`Changelog::parse`].
pub const DEFAULT_START_STRINGS: [&str; 2] = [
    "<!-- towncrier release notes start -->",
    ".. towncrier release notes start",
];

/// Finds the first of the default start strings (a literal search, so it is fast even
/// when the marker is absent from a long file).
/// (`start_finder(&DEFAULT_START_STRINGS)`, written out; a test checks they agree.)
const DEFAULT_START: &str =
    r"<!\-\- towncrier release notes start \-\->|\.\. towncrier release notes start";

/// A literal search for the earliest of `markers` (each without its trailing newline).
fn start_finder(markers: &[&str]) -> Option<Regex> {
    let literals: Vec<String> = markers
        .iter()
        .map(|m| m.trim_end_matches(['\r', '\n']))
        .filter(|m| !m.trim().is_empty())
        .map(regex::escape)
        .collect();
    if literals.is_empty() {
        return None;
    }
    // Escaped literals always compile (short of the size limit, which no marker reaches).
    Regex::new(&literals.join("|")).ok()
}

/// Blank lines between two releases when the file gives no example (towncrier's spacing).
const DEFAULT_GAP_LINES: usize = 2;

/// Where each release sits in the text: its content (heading through its last non-blank
/// line, with that line's newline) and the blank lines after it.
#[derive(Debug, Clone)]
struct Span {
    content: Range<usize>,
    gap: Range<usize>,
}

#[derive(Debug, Clone, Copy)]
struct Layout {
    level: usize,
    releases_start: usize,
}

/// A parsed changelog: the exact text plus releases → categories → subsections → entries.
#[derive(Debug, Clone)]
pub struct Changelog {
    text: String,
    start: Option<Regex>,
    level: usize,
    releases_start: usize,
    releases: Vec<Release>,
    spans: Vec<Span>,
    problems: Vec<Problem>,
    /// How the project writes references (kept for the parse after an edit).
    refs: RefFormat,
}

impl Changelog {
    /// Parse `text`; releases start after towncrier's default start string when present,
    /// otherwise at the first release heading. Never fails: see [`Changelog::problems`].
    pub fn parse(text: &str) -> Changelog {
        Self::parse_inner(
            text,
            Some(static_regex!(DEFAULT_START).clone()),
            None,
            RefFormat::default(),
        )
    }

    /// Parse `text` with the project's `start_string` (`None`: no marker, releases start at
    /// the first release heading).
    pub fn parse_with(text: &str, start_string: Option<&str>) -> Changelog {
        Self::parse_project(text, start_string, &RefFormat::default())
    }

    /// [`Changelog::parse_with`], reading references as the project writes them (`refs`):
    /// every entry's PRs are all the references it holds, wherever they stand.
    pub fn parse_project(text: &str, start_string: Option<&str>, refs: &RefFormat) -> Changelog {
        Self::parse_inner(
            text,
            start_string.and_then(|s| start_finder(&[s])),
            None,
            refs.clone(),
        )
    }

    /// Read and parse `path` (see [`Changelog::parse`]); a missing file is `Ok(None)`.
    pub fn read(path: &Path) -> Result<Option<Changelog>> {
        Self::read_start(
            path,
            Some(static_regex!(DEFAULT_START).clone()),
            RefFormat::default(),
        )
    }

    /// Read and parse `path` with the project's `start_string` (see
    /// [`Changelog::parse_with`]); a missing file is `Ok(None)`.
    pub fn read_with(path: &Path, start_string: Option<&str>) -> Result<Option<Changelog>> {
        Self::read_project(path, start_string, &RefFormat::default())
    }

    /// [`Changelog::read_with`] with the project's references (see
    /// [`Changelog::parse_project`]).
    pub fn read_project(
        path: &Path,
        start_string: Option<&str>,
        refs: &RefFormat,
    ) -> Result<Option<Changelog>> {
        Self::read_start(
            path,
            start_string.and_then(|s| start_finder(&[s])),
            refs.clone(),
        )
    }

    fn read_start(path: &Path, start: Option<Regex>, refs: RefFormat) -> Result<Option<Changelog>> {
        match crate::files::read_text(path) {
            Ok(text) => Ok(Some(Self::parse_inner(&text, start, None, refs))),
            Err(e) if crate::files::is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replace `path` with this changelog's text, atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::atomic::write(path, self.text.as_bytes())
    }

    /// The whole text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The link reference definitions of the whole text (`[docs]: https://…`, a footer's,
    /// one in a block quote or a list item, over lines), as CommonMark reads them
    /// ([`linkdefs`]), by label as a renderer matches it ([`label_key`]), with the 1-based
    /// line of the first. Definitions are document-wide: each makes every `[docs]` of the
    /// changelog a link.
    pub fn link_definitions(&self) -> BTreeMap<String, usize> {
        let mut found = BTreeMap::new();
        for (label, k) in linkdefs::definitions(&self.text) {
            found.entry(label_key(&label)).or_insert(k + 1);
        }
        found
    }

    /// Everything before the first release (title, comments, start string, blank lines).
    pub fn preamble(&self) -> &str {
        &self.text[..self.releases_start]
    }

    /// The heading level of releases: 2 for `## 1.0.0 (…)`, 1 for `# 1.0.0 (…)`.
    /// Categories are one level deeper, subsections two.
    pub fn level(&self) -> usize {
        self.level
    }

    /// The releases in file order (newest first in a towncrier changelog).
    pub fn releases(&self) -> &[Release] {
        &self.releases
    }

    /// The exact text of release `index`, from its heading through its last non-blank
    /// line (with that line's newline, if any).
    pub fn section_text(&self, index: usize) -> &str {
        &self.text[self.spans[index].content.clone()]
    }

    /// The first release whose version equals `version`.
    pub fn find(&self, version: &Version) -> Option<usize> {
        self.releases
            .iter()
            .position(|r| r.version.as_ref() == Some(version))
    }

    /// The pre-release sections that lead to `version` (same base, older: its rc, beta,
    /// alpha and dev sections), in file order.
    pub fn releases_for(&self, version: &Version) -> Vec<usize> {
        self.releases
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.version
                    .as_ref()
                    .is_some_and(|v| v.same_base(version) && v.is_prerelease() && v < version)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Every problem found, in line order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The problems that involve any of the releases at `indexes`.
    pub fn problems_for(&self, indexes: &[usize]) -> Vec<&Problem> {
        self.problems
            .iter()
            .filter(|p| p.releases.iter().any(|r| indexes.contains(r)))
            .collect()
    }

    /// Fail with the first error-level problem, as
    /// [`Error::Changelog`](crate::error::Error::Changelog) for `path`.
    pub fn check(&self, path: &Path) -> Result<()> {
        match self.problems.iter().find(|p| p.severity == Severity::Error) {
            Some(p) => Err(p.to_error(path)),
            None => Ok(()),
        }
    }

    /// Remove the releases at `indexes` (the rest of the text is kept) and return them.
    pub fn remove(&mut self, indexes: &[usize]) -> Vec<Release> {
        let removed = self.take(indexes);
        self.splice(indexes, None);
        removed
    }

    /// Insert `release`, rendered from its structure, before the release at `index`
    /// (`index == releases().len()` appends). It is separated from its neighbours like the
    /// other releases of the file.
    pub fn insert(&mut self, index: usize, release: &Release) {
        assert!(
            index <= self.releases.len(),
            "insert index {index} out of range"
        );
        self.splice(&[], Some((index, release)));
    }

    /// Remove the releases at `indexes` and insert `release` where the first of them stood
    /// (at the top when `indexes` is empty). Returns the removed releases.
    pub fn replace(&mut self, indexes: &[usize], release: &Release) -> Vec<Release> {
        let at = indexes.iter().copied().min().unwrap_or(0);
        self.replace_at(indexes, at, release)
    }

    /// Remove the releases at `indexes` and insert `release` before the release that stood
    /// at `at`. Returns the removed releases.
    pub fn replace_at(&mut self, indexes: &[usize], at: usize, release: &Release) -> Vec<Release> {
        assert!(at <= self.releases.len(), "insert index {at} out of range");
        let removed = self.take(indexes);
        self.splice(indexes, Some((at, release)));
        removed
    }

    fn take(&self, indexes: &[usize]) -> Vec<Release> {
        let mut sorted: Vec<usize> = indexes.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for &i in &sorted {
            assert!(i < self.releases.len(), "release index {i} out of range");
        }
        sorted
            .into_iter()
            .map(|i| self.releases[i].clone())
            .collect()
    }

    /// The file's line ending: `\r\n` when its first line ends that way.
    fn newline(&self) -> &'static str {
        match self.text.find('\n') {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }

    /// The blank lines that usually separate two releases in this file.
    fn separator(&self) -> String {
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        let n = self.spans.len();
        for span in self.spans.iter().take(n.saturating_sub(1)) {
            let blanks = self.text[span.gap.clone()].matches('\n').count();
            *counts.entry(blanks).or_default() += 1;
        }
        let blanks = counts
            .into_iter()
            .max_by_key(|&(blanks, freq)| (freq, blanks == DEFAULT_GAP_LINES, blanks))
            .map_or(DEFAULT_GAP_LINES, |(blanks, _)| blanks);
        self.newline().repeat(blanks)
    }

    /// Rebuild the text without the releases at `remove` and with `insert` rendered before
    /// the release at its index, then index it again.
    fn splice(&mut self, remove: &[usize], insert: Option<(usize, &Release)>) {
        enum Piece {
            Old(usize),
            New,
        }
        let n = self.releases.len();
        let nl = self.newline();
        let sep = self.separator();
        let eof_gap = self.spans.last().map_or("", |s| &self.text[s.gap.clone()]);
        let mut removed = vec![false; n];
        for &j in remove {
            removed[j] = true;
        }
        let new_piece = insert.map(|(k, release)| {
            // Entries parsed from a CRLF file keep their `\r\n`: write the file's own.
            let rendered = release.render(self.level).replace("\r\n", "\n");
            let rendered = if nl == "\n" {
                rendered
            } else {
                rendered.replace('\n', nl)
            };
            (k, rendered)
        });
        let rendered = new_piece.as_ref().map_or("", |(_, r)| r.as_str());
        let mut pieces = Vec::with_capacity(n + 1);
        for (j, &gone) in removed.iter().chain([&true]).enumerate() {
            if new_piece.as_ref().is_some_and(|(k, _)| *k == j) {
                pieces.push(Piece::New);
            }
            if !gone {
                pieces.push(Piece::Old(j));
            }
        }
        let mut out = String::with_capacity(self.text.len() + 4096);
        let preamble = self.preamble();
        if n == 0 && !pieces.is_empty() {
            // The first release of the file: one blank line after the preamble, if any.
            let preamble = preamble.trim_end();
            if !preamble.is_empty() {
                out.push_str(preamble);
                out.push_str(nl);
                out.push_str(nl);
            }
        } else {
            out.push_str(preamble);
        }
        let releases_start = out.len();
        let count = pieces.len();
        for (p, piece) in pieces.iter().enumerate() {
            let last = p + 1 == count;
            let content = match piece {
                Piece::Old(j) => &self.text[self.spans[*j].content.clone()],
                Piece::New => rendered,
            };
            out.push_str(content);
            if last {
                out.push_str(eof_gap);
                break;
            }
            if !content.ends_with('\n') {
                out.push_str(nl);
            }
            match piece {
                Piece::Old(j) if *j + 1 < n => out.push_str(&self.text[self.spans[*j].gap.clone()]),
                _ => out.push_str(&sep),
            }
        }
        // The edited text keeps the file's layout: same release level, same preamble.
        let layout = Layout {
            level: self.level,
            releases_start,
        };
        let refs = std::mem::take(&mut self.refs);
        *self = Self::parse_inner(&out, self.start.take(), Some(layout), refs);
    }
}

impl fmt::Display for Changelog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_start_pattern_is_the_default_markers() {
        assert_eq!(
            super::start_finder(&super::DEFAULT_START_STRINGS).map(|r| r.as_str().to_string()),
            Some(super::DEFAULT_START.to_string())
        );
    }

    use super::parse::{Kind, classify, split_lines};
    use super::refs::trailing_refs;
    use super::title::{is_iso_date, parse_title};
    use super::*;
    use crate::error::Error;

    fn e(raw: &str) -> Entry {
        Entry::parse(raw, 1)
    }

    /// The grammar of trailing references as a regular expression: the oracle for the
    /// hand-written backward scanner.
    fn oracle(body: &str) -> (String, Vec<u64>) {
        let reference = r"(?:\[#[0-9]+\]\([^()\s]*\)|(?-u:\B)#[0-9]+)";
        let tail = regex::Regex::new(&format!(
            r"(?:\s*,?\s*(?:\(\s*{reference}(?:\s*,\s*{reference})*\s*,?\s*\)|{reference}))+\s*$"
        ))
        .unwrap();
        let number = regex::Regex::new(r"\[#([0-9]+)\]\([^()\s]*\)|#([0-9]+)").unwrap();
        match tail.find(body) {
            None => (body.trim().to_string(), Vec::new()),
            Some(m) => {
                let mut prs = Vec::new();
                for c in number.captures_iter(m.as_str()) {
                    let n = c
                        .get(1)
                        .or_else(|| c.get(2))
                        .unwrap()
                        .as_str()
                        .parse()
                        .unwrap();
                    if !prs.contains(&n) {
                        prs.push(n);
                    }
                }
                (body[..m.start()].trim().to_string(), prs)
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_scanner_agrees_with_the_grammar(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("[#12](https://x/y/12)"),
                proptest::strategy::Just("[#7](u#3)"),
                proptest::strategy::Just("#5"),
                proptest::strategy::Just("C#1"),
                proptest::strategy::Just("("),
                proptest::strategy::Just(")"),
                proptest::strategy::Just(","),
                proptest::strategy::Just(" "),
                proptest::strategy::Just("\n  "),
                proptest::strategy::Just("\r\n"),
                proptest::strategy::Just("text"),
                proptest::strategy::Just("."),
                proptest::strategy::Just("]"),
                proptest::strategy::Just("["),
                proptest::strategy::Just("9"),
            ], 0..12)
        ) {
            let body = parts.concat();
            let (end, prs) = trailing_refs(&body);
            let (text, expected) = oracle(&body);
            proptest::prop_assert_eq!((body[..end].trim().to_string(), prs), (text, expected), "{:?}", body);
        }
    }

    #[test]
    fn issue_references_in_every_towncrier_form() {
        let url = |n: u32| format!("[#{n}](https://github.com/o/r/issues/{n})");
        for (raw, text, prs) in [
            (format!("* Handle X ({})", url(1)), "Handle X", vec![1]),
            ("* Handle X (#12)".to_string(), "Handle X", vec![12]),
            (format!("* Handle X {}", url(3)), "Handle X", vec![3]),
            ("- Handle X #4".to_string(), "Handle X", vec![4]),
            ("* Handle X #4, #5".to_string(), "Handle X", vec![4, 5]),
            (
                format!("* Handle X ({}, {})", url(6), url(7)),
                "Handle X",
                vec![6, 7],
            ),
            (
                format!("* Handle X ({}),\n  ({})", url(8796), url(8814)),
                "Handle X",
                vec![8796, 8814],
            ),
            ("* Handle X (#9) (#9)".to_string(), "Handle X", vec![9]),
            (
                "* Fix the .. (#1) thing".to_string(),
                "Fix the .. (#1) thing",
                vec![],
            ),
            (
                "* Support C#1 users".to_string(),
                "Support C#1 users",
                vec![],
            ),
            ("* Support C#1".to_string(), "Support C#1", vec![]),
            (
                "* Link [#5](https://x/y#5) (#6)".to_string(),
                "Link",
                vec![5, 6],
            ),
            ("* No references.".to_string(), "No references.", vec![]),
            (
                "* Ends with a date (2024-03-31)".to_string(),
                "Ends with a date (2024-03-31)",
                vec![],
            ),
        ] {
            let entry = e(&raw);
            assert_eq!(entry.text, text, "{raw}");
            assert_eq!(entry.prs, prs, "{raw}");
            assert_eq!(entry.raw, raw);
            assert_eq!(entry.pr(), prs.first().copied());
        }
    }

    #[test]
    fn multi_line_text_is_kept_as_written() {
        let entry = e("* First line\n  second line ([#1](u))");
        assert_eq!(entry.text, "First line\n  second line");
        assert_eq!(entry.normalized_text(), "first line second line");
    }

    #[test]
    fn normalized_text_collapses_case_space_and_trailing_punctuation() {
        assert_eq!(
            e("* Fix   the  Thing.  (#1)").normalized_text(),
            "fix the thing"
        );
        assert_eq!(e("* Fix the thing!?,").normalized_text(), "fix the thing");
        assert_eq!(e("* Fix `a.b`").normalized_text(), "fix `a.b`");
    }

    #[test]
    fn release_titles() {
        let t = parse_title("26.1.0 (2026-01-26)");
        assert_eq!(t.version.unwrap().as_str(), "26.1.0");
        assert_eq!(t.date.as_deref(), Some("2026-01-26"));
        assert!(t.name.is_none());
        let t = parse_title("Backend.AI 26.1.0rc1 (2026-01-21)");
        assert_eq!(t.name.as_deref(), Some("Backend.AI"));
        assert_eq!(t.version.unwrap().as_str(), "26.1.0rc1");
        let t = parse_title("[1.2.3] - 2024-01-02");
        assert_eq!(t.version.unwrap().as_str(), "1.2.3");
        assert_eq!(t.date.as_deref(), Some("2024-01-02"));
        // A heading marked unreleased is no release, whatever version it names.
        for unreleased in [
            "1.0.0 (unreleased)",
            "1.0.0 (Unreleased)",
            "[1.0.0] - Unreleased",
            "[1.0.0](https://x.test/compare/v0.9...HEAD) - UNRELEASED",
            "Unreleased 1.0.0",
            "[Unreleased]",
            "Unreleased",
        ] {
            let t = parse_title(unreleased);
            assert!(t.unreleased && t.version.is_none(), "{unreleased}");
        }
        for released in [
            "1.0.0 (2025-01-01)",
            "Unreleased fixes in 1.0.0 (2025-01-01)",
        ] {
            assert!(parse_title(released).version.is_some(), "{released}");
        }
        let t = parse_title("v2.0.0");
        assert_eq!(t.version.unwrap().as_str(), "2.0.0");
        for free in ["24.03 and earlier", "Unreleased", "", "Changes (old)"] {
            assert!(parse_title(free).version.is_none(), "{free}");
        }
        assert!(
            !is_iso_date("2024-13-01") && !is_iso_date("2024-1-01") && is_iso_date("2024-12-31")
        );
        // As changelogs write them by hand: linked, dashed, a pre-release apart.
        for (title, version, date) in [
            (
                "[1.3.0](https://x.test/releases/1.3.0) (2026-10-01)",
                "1.3.0",
                Some("2026-10-01"),
            ),
            ("[v1.3.0][tag] - 2026-10-01", "1.3.0", Some("2026-10-01")),
            ("1.3.0 — 2026-10-01", "1.3.0", Some("2026-10-01")),
            ("1.3.0 – 2026-10-01", "1.3.0", Some("2026-10-01")),
            ("1.4.0 rc1 (2026-11-10)", "1.4.0rc1", Some("2026-11-10")),
            ("Widget 1.4.0 RC2", "1.4.0rc2", None),
        ] {
            let t = parse_title(title);
            assert_eq!(t.version, Version::parse(version).ok(), "{title}");
            assert_eq!(t.date.as_deref(), date, "{title}");
        }
        // After a name, a bare number is a word of the name.
        for free in ["Sprint 12", "1.4.0 release candidate 1", "rc1"] {
            assert!(parse_title(free).version.is_none(), "{free}");
        }
        assert_eq!(
            super::title::names_a_version("1.4.0 release candidate 1").map(|v| v.to_string()),
            Some("1.4.0".into())
        );
        assert!(super::title::names_a_version("Unreleased").is_none());
        assert!(super::title::names_a_version("Sprint 12").is_none());
    }

    /// Each problem the parser reports: its kind, severity and line.
    fn problem_kinds(text: &str) -> Vec<(ProblemKind, Severity, usize)> {
        Changelog::parse(text)
            .problems()
            .iter()
            .map(|p| (p.kind, p.severity, p.line))
            .collect()
    }

    #[test]
    fn setext_headings_are_reported() {
        let kinds = problem_kinds;
        let release = "## 1.1.0 (2025-02-01)\n\n### Fixes\n* A ([#1](u/1))\n\n";
        assert_eq!(
            kinds(&format!(
                "{release}1.0.0 (2025-01-01)\n------\n\n* B ([#2](u/2))\n"
            )),
            [(ProblemKind::SetextHeading, Severity::Error, 6)]
        );
        assert_eq!(
            kinds(&format!("{release}Upgrade notes\n===\n")),
            [(ProblemKind::SetextHeading, Severity::Warning, 6)]
        );
        // After an entry (also its lazy continuation) the line is a rule.
        assert!(kinds(&format!("{release}* C ([#3](u/3))\nmore\n---\n")).is_empty());
        assert!(kinds(&format!("{release}text\n\n---\n")).is_empty());
    }

    #[test]
    fn a_heading_below_the_groups_level_is_reported() {
        let kinds = problem_kinds;
        let release = "## 1.1.0 (2025-02-01)\n\n### Fixes\n\n#### Hooks\n* A ([#1](u/1))\n\n";
        for deep in ["#####", "######"] {
            let log = format!("{release}{deep} Alerts\n* B ([#2](u/2))\n");
            assert_eq!(
                kinds(&log),
                [(ProblemKind::DeepHeading, Severity::Warning, 8)]
            );
            // Its entry stays in the group above, which is why it is reported.
            let parsed = Changelog::parse(&log);
            let fixes = &parsed.releases()[0].categories[0];
            assert_eq!(fixes.subsections.len(), 1);
            assert_eq!(fixes.subsections[0].entries.len(), 2);
        }
        // In a code block, a comment or an entry's continuation it is no heading; before the
        // first release it is the preamble's.
        for quiet in [
            format!("{release}```\n##### Alerts\n```\n"),
            format!("{release}<!--\n##### Alerts\n-->\n"),
            format!("{release}* C ([#3](u/3))\n\n  ##### Alerts\n"),
            format!("# Changelog\n\n##### About\n\n{release}"),
        ] {
            assert!(kinds(&quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn code_blocks_hold_no_headings_or_entries() {
        let text = "## 1.1.0 (2025-02-01)\n\n### Features\n* A ([#1](u/1))\n\n\
                    ```sh\n## 9.9.9 (2020-01-01)\n### Fixes\n* Fake ([#9](u/9))\n```\n\n\
                    ### Fixes\n* B ([#2](u/2))\n  ~~~\n  ## in the entry\n  ~~~\n\n\
                    ## 1.0.0 (2025-01-01)\n\n### Fixes\n* C ([#3](u/3))\n";
        let log = Changelog::parse(text);
        let releases = log.releases();
        assert_eq!(releases.len(), 2, "{releases:?}");
        let prs: Vec<Vec<u64>> = releases
            .iter()
            .map(|r| r.entries().flat_map(|e| e.prs.clone()).collect())
            .collect();
        assert_eq!(prs, [vec![1, 2], vec![3]]);
        assert!(
            releases[0]
                .entries()
                .any(|e| e.raw.contains("## in the entry"))
        );
        assert!(log.problems().is_empty(), "{:?}", log.problems());

        let unclosed = Changelog::parse("## 1.0.0 (2025-01-01)\n\n```\n## 0.9.0\n");
        assert_eq!(unclosed.releases().len(), 1);
        assert_eq!(unclosed.problems()[0].kind, ProblemKind::UnclosedFence);
        assert_eq!(unclosed.problems()[0].severity, Severity::Error);
    }

    #[test]
    fn a_release_hidden_in_a_block_opened_above_it_is_an_error() {
        // Opened in 1.1.0 and closed in 1.0.0: 1.0.0 is code where the changelog is shown.
        let text = "## 1.1.0 (2025-02-01)\n\n### Fixes\n* B ([#2](u/2))\n\n```\n\n\
                    ## 1.0.0 (2025-01-01)\n\n### Fixes\n```\n* C ([#3](u/3))\n";
        let log = Changelog::parse(text);
        assert_eq!(log.releases().len(), 1);
        let p = &log.problems()[0];
        assert_eq!(
            (p.kind, p.severity, p.line),
            (ProblemKind::HiddenReleaseHeading, Severity::Error, 8)
        );
        assert!(log.check(Path::new("CHANGELOG.md")).is_err());
    }

    #[test]
    fn line_kinds() {
        assert_eq!(classify("## 1.0"), Kind::Heading(2, "1.0"));
        assert_eq!(classify("## 1.0 (d) ##"), Kind::Heading(2, "1.0 (d)"));
        assert_eq!(classify("## ##"), Kind::Heading(2, ""));
        assert_eq!(classify("## C#"), Kind::Heading(2, "C#"));
        assert_eq!(classify("##"), Kind::Heading(2, ""));
        assert_eq!(classify("#123 is an issue"), Kind::Text);
        assert_eq!(classify("####### seven"), Kind::Text);
        assert_eq!(classify("*bold*"), Kind::Text);
        assert_eq!(classify("* item"), Kind::Bullet);
        assert_eq!(classify("- item"), Kind::Bullet);
        assert_eq!(classify("  more"), Kind::Indented);
        assert_eq!(classify(" \t "), Kind::Blank);
    }

    #[test]
    fn lines_keep_crlf_and_a_missing_final_newline() {
        let text = "a\r\nb\n\nc";
        let lines = split_lines(text);
        let contents: Vec<&str> = lines.iter().map(|l| &text[l.start..l.end]).collect();
        assert_eq!(contents, ["a", "b", "", "c"]);
        assert_eq!(lines[0].next, 3);
        assert_eq!(lines[3].next, text.len());
        assert!(split_lines("").is_empty());
    }

    #[test]
    fn other_subsections() {
        let sub = |t: &str| Subsection::new(t, None, Vec::new());
        assert!(sub("Other Features").is_other());
        assert!(sub("other fixes").is_other());
        assert!(!sub("Others").is_other());
        assert!(!sub("Otherwise Fine").is_other());
        assert!(!sub("Storage").is_other());
    }

    #[test]
    fn descriptions_belong_to_the_innermost_heading() {
        let text = "## 1.0.0 (2024-01-01)\n\n### Fixes\nCategory words.\n\n* a (#1)\n\n#### Group\nFirst paragraph.\n\nSecond paragraph.\n\n* b (#2)\n\n#### Bare\n* c (#3)\n";
        let log = Changelog::parse(text);
        let cat = &log.releases()[0].categories[0];
        assert_eq!(cat.description.as_deref(), Some("Category words."));
        assert_eq!(cat.entries.len(), 1);
        assert_eq!(
            cat.subsections[0].description.as_deref(),
            Some("First paragraph.\n\nSecond paragraph.")
        );
        assert_eq!(cat.subsections[1].description, None);
        assert_eq!(cat.subsections[1].entries[0].prs, [3]);
        assert_eq!(cat.subsections[1].line, 15);
        assert_eq!(log.releases()[0].render(2), text);
    }

    #[test]
    fn continuation_lines() {
        let text =
            "## 1.0.0\n\n### Fixes\n* a\n  indented\nlazy\n\n  after blank\n\nparagraph\n* b\n";
        let log = Changelog::parse(text);
        let entries = &log.releases()[0].categories[0].entries;
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].raw, "* a\n  indented\nlazy\n\n  after blank");
        assert_eq!(entries[1].line, 11);
    }

    #[test]
    fn releases_for_takes_only_older_prereleases_of_the_same_base() {
        let text = "## 2.0.0.post1\n\n## 2.0.0\n\n## 2.0.0rc2\n\n## 1.9.0\n\n## 2.0.0rc1\n\n## 2.0.0b1\n\n## 2.0.0.dev1\n\n## 2.0.1rc1\n";
        let log = Changelog::parse(text);
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(log.releases_for(&v("2.0.0")), [2, 4, 5, 6]);
        assert_eq!(log.releases_for(&v("2.0.0rc2")), [4, 5, 6]);
        assert_eq!(log.find(&v("2.0.0")), Some(1));
        assert_eq!(log.find(&v("3.0.0")), None);
    }

    #[test]
    fn the_separator_follows_the_file() {
        let two = Changelog::parse("## 3.0\n\n\n## 2.0\n\n\n## 1.0\n");
        assert_eq!(two.separator(), "\n\n");
        let one = Changelog::parse("## 3.0\n\n## 2.0\n\n## 1.0\n");
        assert_eq!(one.separator(), "\n");
        let single = Changelog::parse("## 1.0\n");
        assert_eq!(single.separator(), "\n\n");
        let crlf = Changelog::parse("## 2.0\r\n\r\n## 1.0\r\n");
        assert_eq!(crlf.separator(), "\r\n");
    }

    #[test]
    fn a_repeated_category_is_a_warning() {
        let log = Changelog::parse("## 1.0.0 (2024-01-01)\n\n### Fixes\n* a\n\n### Fixes\n* b\n");
        let p = &log.problems()[0];
        assert_eq!(log.problems().len(), 1);
        assert_eq!(
            (p.kind, p.severity),
            (ProblemKind::DuplicateCategory, Severity::Warning)
        );
        assert_eq!(p.lines, [3, 6]);
        log.check(Path::new("CHANGELOG.md")).unwrap();
    }

    #[test]
    fn a_release_without_categories_is_a_flat_list() {
        let log = Changelog::parse("# widget 1.1.0 (2025-01-01)\n\n- old\n");
        assert!(log.problems().is_empty(), "{:?}", log.problems());
        assert_eq!(log.releases()[0].loose_entries().len(), 1);
    }

    #[test]
    fn problems_display_and_convert() {
        let log = Changelog::parse("## 1.0.0 (2024-01-01)\n* stray\n\n### Fixes\n* a\n");
        let p = &log.problems()[0];
        assert!(p.to_string().starts_with("line 2: error: "), "{p}");
        let err = p.to_error(Path::new("CHANGELOG.md"));
        assert!(matches!(err, Error::Changelog { line: 2, .. }));
    }

    fn with(format: Option<&str>, raw: &str) -> (String, Vec<u64>) {
        let e = Entry::parse_with(raw, 1, &RefFormat::new(format));
        (e.text, e.prs)
    }

    #[test]
    fn references_as_the_project_writes_them() {
        let paren = Some("([#{issue}](https://e.com/{issue}))");
        // towncrier's default template adds parentheses around the format's own.
        assert_eq!(
            with(paren, "- Add A (([#1](https://e.com/1)))"),
            ("Add A".into(), vec![1])
        );
        assert_eq!(
            with(
                paren,
                "- Add A (([#1](https://e.com/1)), ([#2](https://e.com/2)))"
            ),
            ("Add A".into(), vec![1, 2])
        );
        // A link-definition format: the entries hold `[#N]`, the links come after the list.
        let defs = Some("[#{issue}]: https://e.com/{issue}");
        assert_eq!(
            with(defs, "- Linked feature. ([#11], [#12])"),
            ("Linked feature.".into(), vec![11, 12])
        );
        assert_eq!(RefFormat::new(defs).example(3), "[#3]");
        // Any format, not glued to a word.
        let gh = Some("GH-{issue}");
        assert_eq!(with(gh, "* Fix it (GH-12)"), ("Fix it".into(), vec![12]));
        assert_eq!(with(gh, "* Fix SGH-12 parsing").1, Vec::<u64>::new());
        assert_eq!(with(gh, "* Fix GH-12x parsing").1, Vec::<u64>::new());
        // towncrier's default `#{issue}`: a bare reference anywhere, never `C#1`.
        assert_eq!(
            with(None, "* Fix the .. (#1) thing"),
            ("Fix the .. thing".into(), vec![1])
        );
        assert_eq!(with(None, "* Support C#1 users").1, Vec::<u64>::new());
        assert_eq!(with(None, "* Add A (#1, #2)"), ("Add A".into(), vec![1, 2]));
        // towncrier writes fragment `0114` as `#114`: a leading zero names no PR, in any
        // form (trailing, linked anywhere, or the project's format).
        for raw in [
            "* Fix it (#0114)",
            "* Fix it ([#0114](https://e.com/0114))",
            "* Fix [#0114](https://e.com/0114) there",
        ] {
            assert_eq!(with(None, raw).1, Vec::<u64>::new(), "{raw}");
        }
        assert_eq!(
            with(paren, "- Add A (([#07](https://e.com/07)))").1,
            Vec::<u64>::new()
        );
        assert_eq!(with(gh, "* Fix it (GH-012)").1, Vec::<u64>::new());
        assert_eq!(with(None, "* Fix it (#0)").1, vec![0]);
        assert_eq!(RefFormat::new(paren).example(7), "([#7](https://e.com/7))");
    }

    #[test]
    fn a_link_anywhere_is_a_reference() {
        let l = |n: u32| format!("[#{n}](https://x/{n})");
        for (raw, text, prs) in [
            (format!("* Fix X ({}).", l(3)), "Fix X.", vec![3]),
            (
                format!("* Fix X ({}) for the agent", l(3)),
                "Fix X for the agent",
                vec![3],
            ),
            (format!("* {}: Fix X", l(3)), "Fix X", vec![3]),
            (
                format!("* ({}, {}): Fix X", l(3), l(4)),
                "Fix X",
                vec![3, 4],
            ),
            (
                format!("* Fix X ({})\n  * when empty\n  * when full", l(3)),
                "Fix X\n  * when empty\n  * when full",
                vec![3],
            ),
            // The trailing references are the entry's own: they come first.
            (
                format!("* Revert {} ({})", l(5), l(6)),
                "Revert",
                vec![5, 6],
            ),
            (
                format!("* Revert {} in the agent ({})", l(5), l(6)),
                "Revert [#5](https://x/5) in the agent",
                vec![6, 5],
            ),
            (
                format!("* Fix X ({}), ({}) on restart", l(3), l(4)),
                "Fix X on restart",
                vec![3, 4],
            ),
            (
                format!("* Umbrella ({})\n  * part ({})", l(1), l(2)),
                "Umbrella ([#1](https://x/1))\n  * part",
                vec![2, 1],
            ),
        ] {
            let e = e(&raw);
            assert_eq!((e.text.as_str(), e.prs.clone()), (text, prs), "{raw}");
            assert_eq!(e.raw, raw);
        }
    }

    proptest::proptest! {
        /// Every link in an entry is one of its references, wherever it stands, and every
        /// reference is a number the entry holds.
        #[test]
        fn no_link_is_lost(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("[#12](https://x/y/12)".to_string()),
                proptest::strategy::Strategy::prop_map(1u32..400, |n| format!("[#{n}](https://x/{n})")),
                proptest::strategy::Just("(".to_string()),
                proptest::strategy::Just(")".to_string()),
                proptest::strategy::Just(", ".to_string()),
                proptest::strategy::Just(". ".to_string()),
                proptest::strategy::Just(": ".to_string()),
                proptest::strategy::Just(" ".to_string()),
                proptest::strategy::Just("\n  * ".to_string()),
                proptest::strategy::Just("\r\n  ".to_string()),
                proptest::strategy::Just("café".to_string()),
                proptest::strategy::Just("#7".to_string()),
                proptest::strategy::Just("text".to_string()),
            ], 0..14)
        ) {
            let body = parts.concat();
            let raw = format!("* {body}");
            let links = regex::Regex::new(r"\[#([0-9]+)\]\([^()\s]*\)").unwrap();
            let entry = e(&raw);
            for c in links.captures_iter(&body) {
                let n: u64 = c[1].parse().unwrap();
                proptest::prop_assert!(entry.prs.contains(&n), "#{} lost from {:?}: {:?}", n, raw, entry.prs);
            }
            for n in &entry.prs {
                let held = body.contains(&format!("#{n}"));
                proptest::prop_assert!(held, "#{} is not in {:?}", n, raw);
            }
            let mut sorted = entry.prs.clone();
            sorted.sort_unstable();
            sorted.dedup();
            proptest::prop_assert_eq!(sorted.len(), entry.prs.len());
        }
    }

    #[test]
    fn comments_are_blocks_of_their_own() {
        let text = "# Title\n\n## 2.0.0rc1 (2026-02-01)\n\nUpgrade note.\n\n### Features\n\
                    * Add A ([#1](u))\n<!--\n* Hidden ([#2](u))\n## 1.0.0 (2020-01-01)\n-->\n\
                    * Add C ([#3](u))\n  <!-- inside C -->\n\nAfter the list.\n\n\
                    ## 1.9.0 (2026-01-01)\n";
        let log = Changelog::parse(text);
        assert_eq!(
            log.releases().len(),
            2,
            "a heading in a comment is no release"
        );
        let r = &log.releases()[0];
        let entries: Vec<&str> = r.entries().map(|e| e.raw.as_str()).collect();
        assert_eq!(
            entries,
            [
                "* Add A ([#1](u))",
                "* Add C ([#3](u))\n  <!-- inside C -->"
            ]
        );
        let blocks: Vec<(BlockKind, Place, usize)> = r
            .blocks()
            .iter()
            .map(|b| (b.kind, b.place, b.line))
            .collect();
        assert_eq!(
            blocks,
            [
                (BlockKind::Prose, Place::Release, 5),
                (BlockKind::Comment, Place::Footer(0), 9),
                (BlockKind::Prose, Place::Footer(0), 16),
            ]
        );
        assert_eq!(r.description.as_deref(), Some("Upgrade note."));
        assert_eq!(r.categories[0].footer.as_deref(), Some("After the list."));
        // Written from its structure, the release keeps its prose and leaves the comment out.
        assert_eq!(
            r.render(2),
            "## 2.0.0rc1 (2026-02-01)\n\nUpgrade note.\n\n### Features\n\
             * Add A ([#1](u))\n* Add C ([#3](u))\n  <!-- inside C -->\n\nAfter the list.\n"
        );
        assert_eq!(
            comments_outside_entries(text),
            [(8, 11)],
            "the comment inside C's entry is the entry's"
        );
    }

    #[test]
    fn an_unclosed_comment_is_reported_and_hides_nothing_from_the_model() {
        let log = Changelog::parse("## 1.0.0 (2024-01-01)\n\n### Fixes\n<!-- oops\n* a (#1)\n");
        let p = &log.problems()[0];
        assert_eq!(
            (p.kind, p.line, p.releases.clone()),
            (ProblemKind::UnclosedComment, 4, vec![0])
        );
        assert_eq!(log.releases()[0].entries().count(), 1);
    }
}
