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

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::version::Version;

/// The start markers towncrier writes by default (Markdown and reStructuredText); releases
/// begin after the first of them found by [`Changelog::parse`].
pub const DEFAULT_START_STRINGS: [&str; 2] = [
    "<!-- towncrier release notes start -->",
    ".. towncrier release notes start",
];

/// Finds the first of the default start strings (a literal search, so it is fast even
/// when the marker is absent from a long file).
static DEFAULT_START: LazyLock<Regex> =
    LazyLock::new(|| start_finder(&DEFAULT_START_STRINGS).expect("non-empty"));

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
    Some(Regex::new(&literals.join("|")).expect("escaped literals always compile"))
}

/// Blank lines between two releases when the file gives no example (towncrier's spacing).
const DEFAULT_GAP_LINES: usize = 2;

// ---------------------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------------------

/// One bullet of a changelog: `* text ([#123](url))`, possibly over several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line of the bullet in the parsed text; 0 for entries built in memory.
    pub line: usize,
    /// The exact source: bullet marker, text, continuation lines; no trailing newline.
    pub raw: String,
    /// The text without the bullet marker and the trailing issue references, trimmed;
    /// continuation lines are kept as they are in the source.
    pub text: String,
    /// Issue/PR numbers referenced at the end of the entry, in order, without duplicates.
    pub prs: Vec<u64>,
}

impl Entry {
    /// Read an entry from its source text (`raw` keeps the bullet marker). `line` is the
    /// 1-based line it starts at, or 0 when it does not come from a file.
    pub fn parse(raw: &str, line: usize) -> Entry {
        let body = raw
            .strip_prefix("* ")
            .or_else(|| raw.strip_prefix("- "))
            .unwrap_or(raw);
        let (text_end, prs) = trailing_refs(body);
        Entry {
            line,
            raw: raw.to_string(),
            text: body[..text_end].trim().to_string(),
            prs,
        }
    }

    /// The first referenced PR, if any.
    pub fn pr(&self) -> Option<u64> {
        self.prs.first().copied()
    }

    /// The text for comparing entries across sections: whitespace collapsed to single
    /// spaces, lowercase, trailing punctuation removed.
    pub fn normalized_text(&self) -> String {
        let collapsed = self
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        collapsed
            .trim_end_matches(|c: char| {
                c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '!' | '?')
            })
            .to_string()
    }
}

/// PR numbers as people write them: `#8796, #8814`.
pub fn pr_list(prs: &[u64]) -> String {
    prs.iter()
        .map(|n| format!("#{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// Issue references, as towncrier's `issue_format` writes them: `[#1](url)` or `#1`, alone
// or in a parenthesised list, several separated by commas and/or whitespace (including a
// newline and indentation). They are read backwards from the end of the entry.

/// Where the text before the trailing issue references ends (a separating comma is left
/// out), and the referenced numbers in order, without duplicates.
fn trailing_refs(body: &str) -> (usize, Vec<u64>) {
    let b = body.as_bytes();
    let mut end = skip_space_back(b, b.len());
    let mut text_end = b.len();
    let mut groups = Vec::new();
    while let Some((start, numbers)) = ref_group_back(b, end) {
        groups.push(numbers);
        end = skip_space_back(b, start);
        if end > 0 && b[end - 1] == b',' {
            end = skip_space_back(b, end - 1);
        }
        text_end = end;
    }
    let mut prs = Vec::new();
    for n in groups.into_iter().rev().flatten() {
        if !prs.contains(&n) {
            prs.push(n);
        }
    }
    (text_end, prs)
}

fn skip_space_back(b: &[u8], mut end: usize) -> usize {
    while end > 0 && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// One reference, or a parenthesised list of them, ending at `end`.
fn ref_group_back(b: &[u8], end: usize) -> Option<(usize, Vec<u64>)> {
    if let Some((start, n)) = ref_back(b, end) {
        return Some((start, vec![n]));
    }
    if end == 0 || b[end - 1] != b')' {
        return None;
    }
    let mut numbers = Vec::new();
    let mut at = skip_space_back(b, end - 1);
    if at > 0 && b[at - 1] == b',' {
        at = skip_space_back(b, at - 1);
    }
    loop {
        let (start, n) = ref_back(b, at)?;
        numbers.push(n);
        at = skip_space_back(b, start);
        if at > 0 && b[at - 1] == b',' {
            at = skip_space_back(b, at - 1);
        } else {
            break;
        }
    }
    if at > 0 && b[at - 1] == b'(' {
        numbers.reverse();
        Some((at - 1, numbers))
    } else {
        None
    }
}

/// `[#123](url)` or `#123` (not glued to a word, so `C#1` is no reference) ending at `end`.
fn ref_back(b: &[u8], end: usize) -> Option<(usize, u64)> {
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u64, |n, &d| {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
    };
    let digits_back = |end: usize| {
        let mut d = end;
        while d > 0 && b[d - 1].is_ascii_digit() {
            d -= 1;
        }
        (d < end).then_some(d)
    };
    match b.get(end.checked_sub(1)?)? {
        b')' => {
            // `[#N](url)`: the url has no parentheses and no whitespace.
            let mut open = end - 1;
            while open > 0
                && !matches!(b[open - 1], b'(' | b')')
                && !b[open - 1].is_ascii_whitespace()
            {
                open -= 1;
            }
            let open = open.checked_sub(1).filter(|&o| b[o] == b'(')?;
            let close = open.checked_sub(1).filter(|&c| b[c] == b']')?;
            let d = digits_back(close)?;
            let hash = d.checked_sub(1).filter(|&h| b[h] == b'#')?;
            let bracket = hash.checked_sub(1).filter(|&o| b[o] == b'[')?;
            Some((bracket, number(&b[d..close])?))
        }
        c if c.is_ascii_digit() => {
            let d = digits_back(end)?;
            let hash = d.checked_sub(1).filter(|&h| b[h] == b'#')?;
            let glued = hash > 0 && (b[hash - 1].is_ascii_alphanumeric() || b[hash - 1] == b'_');
            if glued {
                return None;
            }
            Some((hash, number(&b[d..end])?))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Structure
// ---------------------------------------------------------------------------------------

/// A `#### Title` group inside a category, with an optional description paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subsection {
    pub title: String,
    /// The text between the heading and the first entry, exactly as written (no trailing
    /// newline); `None` when the entries follow the heading directly.
    pub description: Option<String>,
    pub entries: Vec<Entry>,
    /// 1-based line of the heading; 0 when built in memory.
    pub line: usize,
}

impl Subsection {
    pub fn new(
        title: impl Into<String>,
        description: Option<String>,
        entries: Vec<Entry>,
    ) -> Subsection {
        Subsection {
            title: title.into(),
            description,
            entries,
            line: 0,
        }
    }

    /// True for the catch-all "Other …" subsection (`Other Features`, `Other Fixes`).
    pub fn is_other(&self) -> bool {
        let t = self.title.trim_start();
        t.get(..5).is_some_and(|w| w.eq_ignore_ascii_case("other"))
            && t[5..].starts_with(char::is_whitespace)
    }
}

/// A `### Name` category (a towncrier fragment type) of a release: an optional description
/// paragraph, entries listed directly under it, then subsections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub name: String,
    /// The text between the heading and the first entry or subsection, exactly as written
    /// (no trailing newline); `None` when there is none.
    pub description: Option<String>,
    /// Entries directly under the category heading (a flat, towncrier-style category).
    pub entries: Vec<Entry>,
    pub subsections: Vec<Subsection>,
    /// 1-based line of the heading; 0 when built in memory.
    pub line: usize,
}

impl Category {
    pub fn new(name: impl Into<String>) -> Category {
        Category {
            name: name.into(),
            description: None,
            entries: Vec::new(),
            subsections: Vec::new(),
            line: 0,
        }
    }

    /// Every entry: the direct ones, then each subsection's, in order.
    pub fn all_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .chain(self.subsections.iter().flat_map(|s| s.entries.iter()))
    }
}

/// One release section: its heading and its categories.
///
/// A heading whose title has no version (`## 24.03 and earlier`, `## Unreleased`) makes a
/// free-form section: it is indexed but never validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    title: String,
    name: Option<String>,
    version: Option<Version>,
    date: Option<String>,
    line: usize,
    loose: Vec<Entry>,
    /// The categories, in order.
    pub categories: Vec<Category>,
}

impl Release {
    /// A new release titled `<version> (<date>)`, or `<version>` without a date.
    pub fn new(version: &Version, date: Option<&str>) -> Release {
        Self::named(None, version, date)
    }

    /// A new release titled `<name> <version> (<date>)` (towncrier's `title_format` with a
    /// project name).
    pub fn named(name: Option<&str>, version: &Version, date: Option<&str>) -> Release {
        let mut title = String::new();
        if let Some(name) = name {
            title.push_str(name);
            title.push(' ');
        }
        title.push_str(version.as_str());
        if let Some(date) = date {
            title.push_str(&format!(" ({date})"));
        }
        Release {
            title,
            name: name.map(str::to_string),
            version: Some(version.clone()),
            date: date.map(str::to_string),
            line: 0,
            loose: Vec::new(),
            categories: Vec::new(),
        }
    }

    /// The heading text after the `#` marks, e.g. `26.1.0 (2026-01-26)`.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The project name written before the version, if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The version of the heading; `None` for a free-form section.
    pub fn version(&self) -> Option<&Version> {
        self.version.as_ref()
    }

    /// The `YYYY-MM-DD` date of the heading, if it has one.
    pub fn date(&self) -> Option<&str> {
        self.date.as_deref()
    }

    /// 1-based line of the heading; 0 when built in memory.
    pub fn line(&self) -> usize {
        self.line
    }

    /// True for a section whose heading carries no version.
    pub fn is_free_form(&self) -> bool {
        self.version.is_none()
    }

    /// Entries written outside any category (directly under the heading, or under a
    /// subsection heading that has no category).
    pub fn loose_entries(&self) -> &[Entry] {
        &self.loose
    }

    /// The first category with this name.
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// Every entry of the release, category by category, then the loose ones.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.categories
            .iter()
            .flat_map(Category::all_entries)
            .chain(self.loose.iter())
    }

    /// Render this release from its structure alone, in the towncrier/Backend.AI style,
    /// with the release heading at `level` (2 for `##`). Lines end with `\n`; there is no
    /// blank line at the end.
    ///
    /// Each category is preceded by a blank line. A category or subsection is written as
    /// its heading, then its description (if any) and a blank line before its entries;
    /// entries follow a heading without description directly. Each subsection is preceded
    /// by a blank line. Entries are written with their `raw` text.
    pub fn render(&self, level: usize) -> String {
        let mut out = String::new();
        push_heading(&mut out, level, &self.title);
        if !self.loose.is_empty() {
            out.push('\n');
            push_entries(&mut out, &self.loose);
        }
        for category in &self.categories {
            out.push('\n');
            push_block(
                &mut out,
                level + 1,
                &category.name,
                category.description.as_deref(),
                &category.entries,
            );
            for sub in &category.subsections {
                out.push('\n');
                push_block(
                    &mut out,
                    level + 2,
                    &sub.title,
                    sub.description.as_deref(),
                    &sub.entries,
                );
            }
        }
        out
    }

    /// The release as plain data, in the shape of the fixtures' `gold.json`. That shape has
    /// no place for a category's description, so it is left out.
    pub fn view(&self) -> ReleaseView {
        let item = |e: &Entry| ItemView {
            pr: e.pr(),
            prs: e.prs.clone(),
            text: e.text.clone(),
        };
        ReleaseView {
            version: self.version.as_ref().map(|v| v.as_str().to_string()),
            date: self.date.clone(),
            categories: self
                .categories
                .iter()
                .map(|c| {
                    let mut groups = Vec::new();
                    if !c.entries.is_empty() {
                        groups.push(GroupView {
                            title: None,
                            description: String::new(),
                            other: false,
                            items: c.entries.iter().map(item).collect(),
                        });
                    }
                    for s in &c.subsections {
                        groups.push(GroupView {
                            title: Some(s.title.clone()),
                            description: s.description.clone().unwrap_or_default(),
                            other: s.is_other(),
                            items: s.entries.iter().map(item).collect(),
                        });
                    }
                    CategoryView {
                        name: c.name.clone(),
                        groups,
                    }
                })
                .collect(),
        }
    }
}

fn push_block(
    out: &mut String,
    level: usize,
    title: &str,
    description: Option<&str>,
    entries: &[Entry],
) {
    push_heading(out, level, title);
    if let Some(description) = description {
        out.push_str(description);
        out.push('\n');
        if !entries.is_empty() {
            out.push('\n');
        }
    }
    push_entries(out, entries);
}

fn push_heading(out: &mut String, level: usize, title: &str) {
    for _ in 0..level {
        out.push('#');
    }
    if !title.is_empty() {
        out.push(' ');
        out.push_str(title);
    }
    out.push('\n');
}

fn push_entries(out: &mut String, entries: &[Entry]) {
    for e in entries {
        out.push_str(&e.raw);
        out.push('\n');
    }
}

/// A release as plain, serialisable data: `{"version","date","categories":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseView {
    pub version: Option<String>,
    pub date: Option<String>,
    pub categories: Vec<CategoryView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryView {
    pub name: String,
    pub groups: Vec<GroupView>,
}

/// A subsection, or (with `title: None`) the entries listed directly under a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupView {
    pub title: Option<String>,
    /// The description paragraph; empty when there is none.
    pub description: String,
    /// True for an "Other …" subsection.
    pub other: bool,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemView {
    /// The first PR, or `null`.
    pub pr: Option<u64>,
    pub prs: Vec<u64>,
    pub text: String,
}

// ---------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Line {
    /// Byte offset of the first character.
    start: usize,
    /// Byte offset just past the content (before `\n` or `\r\n`).
    end: usize,
    /// Byte offset of the next line.
    next: usize,
}

fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::with_capacity(text.len() / 40 + 1);
    let mut start = 0;
    let bytes = text.as_bytes();
    while start < text.len() {
        match text[start..].find('\n') {
            Some(i) => {
                let nl = start + i;
                let end = if nl > start && bytes[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                lines.push(Line {
                    start,
                    end,
                    next: nl + 1,
                });
                start = nl + 1;
            }
            None => {
                lines.push(Line {
                    start,
                    end: text.len(),
                    next: text.len(),
                });
                start = text.len();
            }
        }
    }
    lines
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind<'a> {
    Blank,
    /// An ATX heading: level and title (trimmed).
    Heading(usize, &'a str),
    Bullet,
    /// A non-blank line starting with a space or tab.
    Indented,
    Text,
}

fn classify(content: &str) -> Kind<'_> {
    if content.trim().is_empty() {
        return Kind::Blank;
    }
    if content.starts_with('#') {
        let level = content.bytes().take_while(|&b| b == b'#').count();
        let rest = &content[level..];
        if level <= 6 && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
            return Kind::Heading(level, rest.trim());
        }
        return Kind::Text;
    }
    if content.starts_with("* ") || content.starts_with("- ") {
        return Kind::Bullet;
    }
    if content.starts_with([' ', '\t']) {
        return Kind::Indented;
    }
    Kind::Text
}

// ---------------------------------------------------------------------------------------
// Headings
// ---------------------------------------------------------------------------------------

struct Title {
    name: Option<String>,
    version: Option<Version>,
    date: Option<String>,
}

/// `[<name> ]<version>[ (<date>)]`; also accepts `[<version>]` and `<version> - <date>`.
fn parse_title(title: &str) -> Title {
    let t = title.trim();
    let (head, date) = split_date(t);
    let (name, last) = match head.rsplit_once(char::is_whitespace) {
        Some((name, last)) => (name.trim(), last),
        None => ("", head),
    };
    let token = last
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(last);
    let version = if token.starts_with(|c: char| c.is_ascii_digit() || c == 'v' || c == 'V') {
        Version::parse(token).ok()
    } else {
        None
    };
    Title {
        name: (!name.is_empty() && version.is_some()).then(|| name.to_string()),
        version,
        date: date.filter(|d| is_iso_date(d)).map(str::to_string),
    }
}

fn split_date(t: &str) -> (&str, Option<&str>) {
    if let Some(inner) = t.strip_suffix(')') {
        if let Some(open) = inner.rfind('(') {
            return (inner[..open].trim(), Some(inner[open + 1..].trim()));
        }
    }
    if let Some((head, date)) = t.rsplit_once(" - ") {
        if is_iso_date(date.trim()) {
            return (head.trim(), Some(date.trim()));
        }
    }
    (t, None)
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: Range<usize>| -> Option<u32> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    match (digits(0..4), digits(5..7), digits(8..10)) {
        (Some(_), Some(month), Some(day)) => (1..=12).contains(&month) && (1..=31).contains(&day),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// The changelog
// ---------------------------------------------------------------------------------------

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
}

impl Changelog {
    /// Parse `text`; releases start after towncrier's default start string when present,
    /// otherwise at the first release heading. Never fails: see [`Changelog::problems`].
    pub fn parse(text: &str) -> Changelog {
        Self::parse_inner(text, Some(DEFAULT_START.clone()), None)
    }

    /// Parse `text` with the project's `start_string` (`None`: no marker, releases start at
    /// the first release heading).
    pub fn parse_with(text: &str, start_string: Option<&str>) -> Changelog {
        Self::parse_inner(text, start_string.and_then(|s| start_finder(&[s])), None)
    }

    /// Read and parse `path` (see [`Changelog::parse`]); a missing file is `Ok(None)`.
    pub fn read(path: &Path) -> Result<Option<Changelog>> {
        Self::read_start(path, Some(DEFAULT_START.clone()))
    }

    /// Read and parse `path` with the project's `start_string` (see
    /// [`Changelog::parse_with`]); a missing file is `Ok(None)`.
    pub fn read_with(path: &Path, start_string: Option<&str>) -> Result<Option<Changelog>> {
        Self::read_start(path, start_string.and_then(|s| start_finder(&[s])))
    }

    fn read_start(path: &Path, start: Option<Regex>) -> Result<Option<Changelog>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(Self::parse_inner(&text, start, None))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path, e)),
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

    /// Fail with the first error-level problem, as [`Error::Changelog`] for `path`.
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
        let removed = self.take(indexes);
        let at = indexes.iter().copied().min().unwrap_or(0);
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
        *self = Self::parse_inner(&out, self.start.take(), Some(layout));
    }

    /// Parse `text`; `layout` fixes the release level and where releases start instead of
    /// working them out (used after an edit, so that removing the only versioned release
    /// does not change how the rest is read).
    fn parse_inner(text: &str, start: Option<Regex>, layout: Option<Layout>) -> Changelog {
        let lines = split_lines(text);
        let kinds: Vec<Kind<'_>> = lines
            .iter()
            .map(|l| classify(&text[l.start..l.end]))
            .collect();

        // Releases start on the line after the start string, if there is one.
        let marker_end = start.as_ref().and_then(|re| re.find(text)).map(|m| m.end());
        let region = match marker_end {
            Some(end) => lines.partition_point(|l| l.next < end) + 1,
            None => 0,
        };

        // The release heading level is the level of the first heading with a version.
        let level = match layout {
            Some(layout) => layout.level,
            None => (region..lines.len())
                .find_map(|i| match kinds[i] {
                    Kind::Heading(level, title) if parse_title(title).version.is_some() => {
                        Some(level)
                    }
                    _ => None,
                })
                .unwrap_or(2),
        };
        let first = match layout {
            Some(layout) => {
                let from = lines.partition_point(|l| l.start < layout.releases_start);
                (from..lines.len()).find(|&i| matches!(kinds[i], Kind::Heading(l, _) if l == level))
            }
            // Without a start string, a leading `# Title` is the document's title, not a release.
            None => (region..lines.len()).find(|&i| match kinds[i] {
                Kind::Heading(l, title) => {
                    l == level
                        && (marker_end.is_some()
                            || level != 1
                            || parse_title(title).version.is_some())
                }
                _ => false,
            }),
        };
        let starts: Vec<usize> = match first {
            Some(first) => (first..lines.len())
                .filter(|&i| matches!(kinds[i], Kind::Heading(l, _) if l == level))
                .collect(),
            None => Vec::new(),
        };

        let mut parser = Parser {
            text,
            lines: &lines,
            kinds: &kinds,
            level,
            marker: format!("{} ", "#".repeat(level)),
            problems: Vec::new(),
        };
        let mut releases = Vec::with_capacity(starts.len());
        let mut spans = Vec::with_capacity(starts.len());
        for (k, &head) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(lines.len());
            let last = (head..end)
                .rev()
                .find(|&i| kinds[i] != Kind::Blank)
                .unwrap_or(head);
            let section_end = if end < lines.len() {
                lines[end].start
            } else {
                text.len()
            };
            spans.push(Span {
                content: lines[head].start..lines[last].next,
                gap: lines[last].next..section_end,
            });
            releases.push(parser.release(k, head, last + 1));
        }
        let mut problems = parser.problems;
        release_problems(&releases, level, &mut problems);
        problems.sort_by_key(|p| (p.line, p.severity == Severity::Warning));

        Changelog {
            text: text.to_string(),
            start,
            level,
            releases_start: spans.first().map_or(text.len(), |s| s.content.start),
            releases,
            spans,
            problems,
        }
    }
}

impl fmt::Display for Changelog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

struct Parser<'t, 'l> {
    text: &'t str,
    lines: &'l [Line],
    kinds: &'l [Kind<'t>],
    level: usize,
    /// A release heading's marks and space (`"## "`).
    marker: String,
    problems: Vec<Problem>,
}

impl Parser<'_, '_> {
    /// Parse the release whose heading is line `head` and whose content ends before line
    /// `end`; `index` is its position among the releases.
    fn release(&mut self, index: usize, head: usize, end: usize) -> Release {
        let title_text = match self.kinds[head] {
            Kind::Heading(_, t) => t,
            _ => "",
        };
        let title = parse_title(title_text);
        let mut release = Release {
            title: title_text.to_string(),
            name: title.name,
            version: title.version,
            date: title.date,
            line: head + 1,
            loose: Vec::new(),
            categories: Vec::new(),
        };
        let versioned = release.version.is_some();
        let heading = format!("{} {}", "#".repeat(self.level), release.title);

        enum At {
            Release,
            Category,
            Subsection,
            OrphanSubsection,
        }
        let mut at = At::Release;
        // Byte range of the description of the current category or subsection while it can
        // still grow (until the first entry or heading).
        let mut description: Option<Range<usize>> = None;
        let mut describing = false;
        let mut seen_categories: BTreeMap<&str, usize> = BTreeMap::new();
        // After a glued heading, repeated categories are its consequence, not news.
        let mut glued = false;

        let mut i = head + 1;
        while i < end {
            match self.kinds[i] {
                Kind::Bullet => {
                    let last = self.entry_end(i, end);
                    let entry =
                        Entry::parse(&self.text[self.lines[i].start..self.lines[last].end], i + 1);
                    glued |= self.glued_headings(index, &heading, &entry);
                    if describing {
                        describing = false;
                        self.set_description(&mut release, description.take());
                    }
                    match at {
                        At::Release => {
                            if versioned {
                                self.problems.push(Problem {
                                    kind: ProblemKind::EntryOutsideCategory,
                                    severity: Severity::Error,
                                    line: i + 1,
                                    lines: vec![i + 1],
                                    releases: vec![index],
                                    message: format!(
                                        "this entry of `{heading}` is not under a category heading: \
                                         move it under one of its `{} …` categories (e.g. `{} Fixes`), then re-run",
                                        "#".repeat(self.level + 1),
                                        "#".repeat(self.level + 1),
                                    ),
                                });
                            }
                            release.loose.push(entry);
                        }
                        At::OrphanSubsection => release.loose.push(entry),
                        At::Category => release
                            .categories
                            .last_mut()
                            .expect("in a category")
                            .entries
                            .push(entry),
                        At::Subsection => release
                            .categories
                            .last_mut()
                            .and_then(|c| c.subsections.last_mut())
                            .expect("in a subsection")
                            .entries
                            .push(entry),
                    }
                    i = last + 1;
                    continue;
                }
                Kind::Heading(l, name) if l == self.level + 1 => {
                    if describing {
                        self.set_description(&mut release, description.take());
                    }
                    if let (Some(&first), false) = (seen_categories.get(name), glued) {
                        self.problems.push(Problem {
                            kind: ProblemKind::DuplicateCategory,
                            severity: Severity::Warning,
                            line: i + 1,
                            lines: vec![first, i + 1],
                            releases: vec![index],
                            message: format!(
                                "`{} {name}` appears twice in `{heading}` (lines {first} and {}); \
                                 merge the two into one",
                                "#".repeat(l),
                                i + 1
                            ),
                        });
                    }
                    seen_categories.entry(name).or_insert(i + 1);
                    let mut category = Category::new(name);
                    category.line = i + 1;
                    release.categories.push(category);
                    at = At::Category;
                    describing = true;
                }
                Kind::Heading(l, title) if l == self.level + 2 => {
                    if describing {
                        self.set_description(&mut release, description.take());
                    }
                    describing = false;
                    match at {
                        At::Release | At::OrphanSubsection => {
                            if versioned {
                                self.problems.push(Problem {
                                    kind: ProblemKind::SubsectionOutsideCategory,
                                    severity: Severity::Error,
                                    line: i + 1,
                                    lines: vec![i + 1],
                                    releases: vec![index],
                                    message: format!(
                                        "`{} {title}` in `{heading}` is not inside a category: \
                                         add a `{} …` category heading above it, then re-run",
                                        "#".repeat(l),
                                        "#".repeat(self.level + 1),
                                    ),
                                });
                            }
                            at = At::OrphanSubsection;
                        }
                        At::Category | At::Subsection => {
                            let mut sub = Subsection::new(title, None, Vec::new());
                            sub.line = i + 1;
                            release
                                .categories
                                .last_mut()
                                .expect("in a category")
                                .subsections
                                .push(sub);
                            at = At::Subsection;
                            describing = true;
                        }
                    }
                }
                Kind::Blank => {}
                Kind::Text | Kind::Indented | Kind::Heading(..) => {
                    if describing {
                        let line = self.lines[i];
                        description = Some(match description {
                            Some(r) => r.start..line.end,
                            None => line.start..line.end,
                        });
                    }
                }
            }
            i += 1;
        }
        if describing {
            self.set_description(&mut release, description.take());
        }
        // A release without any category is a flat, hand-written list (older changelogs,
        // towncrier's `all_bullets` style): its entries are not misplaced.
        if release.categories.is_empty() {
            self.problems.retain(|p| {
                !(p.kind == ProblemKind::EntryOutsideCategory && p.releases == [index])
            });
        }
        release
    }

    /// Give the description to the innermost open block: the last subsection of the last
    /// category, or the category itself when it has none yet.
    fn set_description(&self, release: &mut Release, range: Option<Range<usize>>) {
        let (Some(range), Some(category)) = (range, release.categories.last_mut()) else {
            return;
        };
        let text = Some(self.text[range].to_string());
        match category.subsections.last_mut() {
            Some(sub) => sub.description = text,
            None => category.description = text,
        }
    }

    /// The last line of the entry starting at line `first`: indented lines continue it
    /// (also after blank lines), and so does unindented text right after it (Markdown's
    /// lazy continuation).
    fn entry_end(&self, first: usize, end: usize) -> usize {
        let mut last = first;
        let mut j = first + 1;
        while j < end {
            match self.kinds[j] {
                Kind::Indented => {
                    last = j;
                    j += 1;
                }
                Kind::Text if j == last + 1 => {
                    last = j;
                    j += 1;
                }
                Kind::Blank => {
                    let mut k = j;
                    while k < end && self.kinds[k] == Kind::Blank {
                        k += 1;
                    }
                    if k < end && self.kinds[k] == Kind::Indented {
                        last = k;
                        j = k + 1;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        last
    }

    /// Report release headings glued to the end of an entry line (`…))## 1.0.0 (date)`).
    /// Returns whether one was found.
    fn glued_headings(&mut self, index: usize, heading: &str, entry: &Entry) -> bool {
        let mut found = false;
        let marker = self.marker.as_str();
        // `contains` is much cheaper than `match_indices`, and almost no entry has the marker.
        if !entry.raw.contains(marker) {
            return false;
        }
        for (p, _) in entry.raw.match_indices(marker) {
            let before = entry.raw[..p].chars().next_back();
            if before.is_none_or(|c| c == '#' || c == '\n') {
                continue;
            }
            let rest = &entry.raw[p + marker.len()..];
            let rest = rest.split(['\n', '\r']).next().unwrap_or_default();
            if parse_title(rest).version.is_none() {
                continue;
            }
            let line = entry.line + entry.raw[..p].matches('\n').count();
            found = true;
            self.problems.push(Problem {
                kind: ProblemKind::GluedHeading,
                severity: Severity::Warning,
                line,
                lines: vec![line],
                releases: vec![index],
                message: format!(
                    "`{marker}{}` is glued to the end of an entry, so it is read as entry text and \
                     the categories below it as more of `{heading}`; put the heading on a line of \
                     its own, after a blank line",
                    rest.trim()
                ),
            });
        }
        found
    }
}

/// Problems that need every release: duplicated headings and missing dates.
fn release_problems(releases: &[Release], level: usize, problems: &mut Vec<Problem>) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let t = parse_title("1.0.0 (unreleased)");
        assert!(t.version.is_some() && t.date.is_none());
        let t = parse_title("v2.0.0");
        assert_eq!(t.version.unwrap().as_str(), "2.0.0");
        for free in ["24.03 and earlier", "Unreleased", "", "Changes (old)"] {
            assert!(parse_title(free).version.is_none(), "{free}");
        }
        assert!(
            !is_iso_date("2024-13-01") && !is_iso_date("2024-1-01") && is_iso_date("2024-12-31")
        );
    }

    #[test]
    fn line_kinds() {
        assert_eq!(classify("## 1.0"), Kind::Heading(2, "1.0"));
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
}
