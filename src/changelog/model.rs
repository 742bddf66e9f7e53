//! The pieces of a changelog: releases → categories → subsections → entries, and how each
//! is written as Markdown.

use crate::version::Version;

use super::refs::{RefFormat, text_and_refs};
use super::view::{CategoryView, GroupView, ItemView, ReleaseView};

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
    /// Issue/PR numbers the entry references: those at its end first, in order, then any
    /// elsewhere in it; without duplicates.
    pub prs: Vec<u64>,
}

impl Entry {
    /// Read an entry from its source text (`raw` keeps the bullet marker). `line` is the
    /// 1-based line it starts at, or 0 when it does not come from a file.
    pub fn parse(raw: &str, line: usize) -> Entry {
        Self::parse_with(raw, line, &RefFormat::default())
    }

    /// [`Entry::parse`] for a project that writes references as `refs` says: its PRs are
    /// every reference it holds, wherever it stands.
    pub fn parse_with(raw: &str, line: usize, refs: &RefFormat) -> Entry {
        let body = raw
            .strip_prefix("* ")
            .or_else(|| raw.strip_prefix("- "))
            .unwrap_or(raw);
        let (text, prs) = text_and_refs(body, refs);
        Entry {
            line,
            raw: raw.to_string(),
            text,
            prs,
        }
    }

    /// The PRs as a set (sorted): what identifies the entry.
    pub fn pr_set(&self) -> Vec<u64> {
        let mut prs = self.prs.clone();
        prs.sort_unstable();
        prs
    }

    /// The first referenced PR, if any.
    pub fn pr(&self) -> Option<u64> {
        self.prs.first().copied()
    }

    /// What the entry is released as: each of its PR numbers with its words
    /// ([`Entry::normalized_text`]). Two releases holding one key list one entry twice:
    /// pre-flight leaves such a fragment out as stale, and a release does not commit a
    /// section that repeats one.
    pub fn release_keys(&self) -> impl Iterator<Item = (u64, String)> + '_ {
        let text = self.normalized_text();
        self.prs.iter().map(move |&pr| (pr, text.clone()))
    }

    /// What tells this entry listed again by a later release (stale): each
    /// [`Entry::release_keys`], or, for an entry without PR, its normalised text alone.
    pub fn stale_keys(&self) -> impl Iterator<Item = (Option<u64>, String)> + '_ {
        let text = self.normalized_text();
        let orphan = self.prs.is_empty().then_some((None, text));
        self.release_keys()
            .map(|(pr, text)| (Some(pr), text))
            .chain(orphan)
    }

    /// The text for comparing entries across sections: whitespace collapsed to single
    /// spaces, lowercase, trailing punctuation removed.
    pub fn normalized_text(&self) -> String {
        // One string, built in place (the fold and the ledger ask this of every entry of
        // the changelog): the words joined by single spaces, lower-cased (ASCII text as
        // `to_lowercase` does it, without its Unicode tables), the end trimmed.
        let mut collapsed = String::with_capacity(self.text.len());
        for word in self.text.split_whitespace() {
            if !collapsed.is_empty() {
                collapsed.push(' ');
            }
            collapsed.push_str(word);
        }
        let mut lower = if collapsed.is_ascii() {
            collapsed.make_ascii_lowercase();
            collapsed
        } else {
            collapsed.to_lowercase()
        };
        let kept = lower
            .trim_end_matches(|c: char| {
                c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '!' | '?')
            })
            .len();
        lower.truncate(kept);
        lower
    }
}

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
    /// Paragraphs after the entries (notes, link definitions), joined by a blank line;
    /// written after the last entry or subsection.
    pub footer: Option<String>,
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
            footer: None,
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

/// What a block of non-entry text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A paragraph of text (an upgrade note, a link definition).
    Prose,
    /// An HTML comment on lines of its own (`<!-- … -->`), invisible when published.
    Comment,
}

/// Where a block stands in its release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Under the release heading, before the first category.
    Release,
    /// Between a category heading (by index) and its first entry or subsection.
    Description(usize),
    /// After entries of a category (by index).
    Footer(usize),
    /// Between a subsection heading and its first entry: (category, subsection).
    Subsection(usize, usize),
}

/// Text of a release that is neither a heading nor an entry, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub place: Place,
    /// 1-based line where it starts.
    pub line: usize,
    /// The exact source lines, without the final newline.
    pub text: String,
}

/// One release section: its heading and its categories.
///
/// A heading whose title has no version (`## 24.03 and earlier`, `## Unreleased`) makes a
/// free-form section: it is indexed but never validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub(super) title: String,
    pub(super) name: Option<String>,
    pub(super) version: Option<Version>,
    pub(super) date: Option<String>,
    pub(super) line: usize,
    pub(super) loose: Vec<Entry>,
    pub(super) blocks: Vec<Block>,
    /// The text between the heading and the first category, exactly as written (no
    /// trailing newline); `None` when there is none.
    pub description: Option<String>,
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
            blocks: Vec::new(),
            description: None,
            categories: Vec::new(),
        }
    }

    /// A new release whose heading reads `title` (as a template rendered it, e.g.
    /// `[1.1.0] - 2025-03-01`); its version, date and name are read from it.
    pub fn titled(title: &str) -> Release {
        let parsed = super::title::parse_title(title);
        Release {
            title: title.trim().to_string(),
            name: parsed.name,
            version: parsed.version,
            date: parsed.date,
            line: 0,
            loose: Vec::new(),
            blocks: Vec::new(),
            description: None,
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

    /// True for a section whose heading is marked unreleased (`1.5.0 (unreleased)`,
    /// `[Unreleased]`): a release still to come, whose entries are not released.
    pub fn is_unreleased(&self) -> bool {
        self.version.is_none() && super::title::parse_title(&self.title).unreleased
    }

    /// For a section whose heading is not read as a release, the version its heading
    /// still names (`## 1.4.0 release candidate 1`), if any.
    pub fn named_version(&self) -> Option<Version> {
        self.version
            .is_none()
            .then(|| super::title::names_a_version(&self.title))
            .flatten()
    }

    /// Entries written outside any category (directly under the heading, or under a
    /// subsection heading that has no category).
    pub fn loose_entries(&self) -> &[Entry] {
        &self.loose
    }

    /// Every block of text that is neither a heading nor an entry (prose, comments), in
    /// order; empty for a release built in memory.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
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
    /// The release's description (if any) follows its heading after a blank line. Each
    /// category is preceded by a blank line. A category or subsection is written as its
    /// heading, then its description (if any) and a blank line before its entries; entries
    /// follow a heading without description directly. Each subsection is preceded by a
    /// blank line; a category's footer follows its last entry after a blank line. Entries
    /// are written with their `raw` text.
    pub fn render(&self, level: usize) -> String {
        self.render_spaced(level, &Spacing::default())
    }

    /// [`Release::render`] with the blank lines of `spacing` (a project template's, see
    /// `consolidate::Layout`): after the release heading before its first part, after a
    /// category or subsection heading before its text, and between two categories. The
    /// default spacing is [`Release::render`]'s.
    pub fn render_spaced(&self, level: usize, spacing: &Spacing) -> String {
        let blank = |out: &mut String, lines: usize| out.push_str(&"\n".repeat(lines));
        let mut out = String::new();
        push_heading(&mut out, level, &self.title);
        // Before the first part, the blank lines after the heading; between a release's
        // prose and its first category, one.
        let mut first = true;
        let mut gap = |out: &mut String, later: usize| {
            blank(out, if first { spacing.after_title } else { later });
            first = false;
        };
        if let Some(description) = &self.description {
            gap(&mut out, 1);
            out.push_str(description);
            out.push('\n');
        }
        if !self.loose.is_empty() {
            gap(&mut out, 1);
            push_entries(&mut out, &self.loose);
        }
        for (k, category) in self.categories.iter().enumerate() {
            gap(&mut out, if k == 0 { 1 } else { spacing.between });
            let c = &category;
            push_block(
                &mut out,
                level + 1,
                &c.name,
                c.description.as_deref(),
                &c.entries,
                spacing,
            );
            for sub in &category.subsections {
                blank(&mut out, spacing.after_heading.max(1));
                let d = sub.description.as_deref();
                push_block(&mut out, level + 2, &sub.title, d, &sub.entries, spacing);
            }
            if let Some(footer) = &category.footer {
                blank(&mut out, 1);
                out.push_str(footer);
                out.push('\n');
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
    spacing: &Spacing,
) {
    push_heading(out, level, title);
    if description.is_some() || !entries.is_empty() {
        out.push_str(&"\n".repeat(spacing.after_heading));
    }
    if let Some(description) = description {
        out.push_str(description);
        out.push('\n');
        if !entries.is_empty() {
            out.push('\n');
        }
    }
    push_entries(out, entries);
}

/// The blank lines [`Release::render_spaced`] writes between a section's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spacing {
    /// After the release heading, before its first part.
    pub after_title: usize,
    /// After a category (or subsection) heading, before its text.
    pub after_heading: usize,
    /// Before a category heading that follows another category.
    pub between: usize,
}

impl Default for Spacing {
    /// git-release's own: one blank line between parts, none after a category heading.
    fn default() -> Spacing {
        Spacing {
            after_title: 1,
            after_heading: 0,
            between: 1,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::Entry;

    /// The text compared across sections as it was first written: words joined by
    /// spaces, lower-cased, trailing punctuation and whitespace trimmed.
    fn reference_normalized(text: &str) -> String {
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
            .trim_end_matches(|c: char| {
                c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '!' | '?')
            })
            .to_string()
    }

    proptest::proptest! {
        /// The in-place normalisation is the reference's on ASCII and Unicode text alike:
        /// Unicode whitespace, letters whose lower case is longer (`İ`) or context-bound
        /// (`Σ`), trailing punctuation and spaces.
        #[test]
        fn normalized_text_is_the_reference(
            text in "([A-Za-z0-9 .,;:!?\t\n]|\u{a0}|\u{2003}|\u{3000}|İ|Σ|ΣΑ|ẞ|É|ß|K|\\PC){0,40}"
        ) {
            let entry = Entry { line: 0, raw: String::new(), text: text.clone(), prs: vec![] };
            proptest::prop_assert_eq!(entry.normalized_text(), reference_normalized(&text));
        }
    }

    #[test]
    fn normalized_text_examples() {
        for text in [
            "",
            "  ",
            "Fix  the\tBUG.\n",
            "ΌΣΟΣ.",
            "İstanbul  !",
            "a\u{a0}b ;:",
        ] {
            let entry = Entry {
                line: 0,
                raw: String::new(),
                text: text.to_string(),
                prs: vec![],
            };
            assert_eq!(
                entry.normalized_text(),
                reference_normalized(text),
                "{text:?}"
            );
        }
    }
}
