//! Reading a changelog: lines, their kinds, headings, and the release sections.

use std::collections::BTreeMap;
use std::ops::Range;

use regex::Regex;

use super::blocks::{mark_blocks, setext_headings};
use super::model::{Block, BlockKind, Category, Entry, Place, Release, Subsection};
use super::problems::{Problem, ProblemKind, Severity, release_problems};
use super::refs::RefFormat;
use super::title::{names_a_version, parse_title};
use super::{Changelog, Layout, Span};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    /// Byte offset of the first character.
    pub(crate) start: usize,
    /// Byte offset just past the content (before `\n` or `\r\n`).
    pub(crate) end: usize,
    /// Byte offset of the next line.
    pub(crate) next: usize,
}

pub(crate) fn split_lines(text: &str) -> Vec<Line> {
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
pub(crate) enum Kind<'a> {
    Blank,
    /// An ATX heading: level and title (trimmed).
    Heading(usize, &'a str),
    Bullet,
    /// A non-blank line starting with a space or tab.
    Indented,
    Text,
    /// A line of an HTML comment that starts a line (`<!-- … -->`, possibly over several
    /// lines); `true` when the comment's first line is indented (it then continues an
    /// entry, as any indented line does).
    Comment(bool),
    /// A line of a fenced code block (```` ``` ```` or `~~~`, through its closing fence);
    /// `true` when the opening fence is indented (it then continues an entry).
    Code(bool),
}

pub(crate) fn classify(content: &str) -> Kind<'_> {
    if content.trim().is_empty() {
        return Kind::Blank;
    }
    if content.starts_with('#') {
        let level = content.bytes().take_while(|&b| b == b'#').count();
        let rest = &content[level..];
        if level <= 6 && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
            return Kind::Heading(level, heading_text(rest));
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

/// An ATX heading's text as CommonMark reads it: trimmed, without its closing sequence of
/// `#` (which must follow a space, or be all there is).
fn heading_text(rest: &str) -> &str {
    let t = rest.trim();
    let open = t.trim_end_matches('#');
    if open.len() == t.len() {
        t
    } else if open.is_empty() {
        ""
    } else if open.ends_with([' ', '\t']) {
        open.trim_end()
    } else {
        t
    }
}

/// Where the parser stands in a release.
enum At {
    Release,
    Category,
    Subsection,
    OrphanSubsection,
}

/// Where a block of text found now belongs: before the first entry of a category or
/// subsection it describes it; after one, it is the category's footer.
fn block_place(release: &Release, at: &At) -> Place {
    let last = release.categories.len().saturating_sub(1);
    let category = release.categories.last();
    match (at, category) {
        (At::Category, Some(c)) if c.entries.is_empty() && c.subsections.is_empty() => {
            Place::Description(last)
        }
        (At::Subsection, Some(c)) => match c.subsections.last() {
            Some(s) if s.entries.is_empty() => Place::Subsection(last, c.subsections.len() - 1),
            _ => Place::Footer(last),
        },
        (At::Category, Some(_)) => Place::Footer(last),
        _ => Place::Release,
    }
}

struct Parser<'t, 'l> {
    text: &'t str,
    lines: &'l [Line],
    kinds: &'l [Kind<'t>],
    refs: &'l RefFormat,
    level: usize,
    /// A release heading's marks and space (`"## "`).
    marker: String,
    problems: Vec<Problem>,
}

impl Parser<'_, '_> {
    /// Parse the release whose heading is line `head` and whose content ends before line
    /// `end`; `index` is its position among the releases.
    /// A release written setext-style (its title over a line of `-` or `=`) is given as
    /// `setext`: its title, and its content starts after the underline.
    fn release(&mut self, index: usize, head: usize, end: usize, setext: Option<&str>) -> Release {
        let title_text = match (setext, self.kinds[head]) {
            (Some(t), _) => t,
            (None, Kind::Heading(_, t)) => t,
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
            blocks: Vec::new(),
            description: None,
            categories: Vec::new(),
        };
        let versioned = release.version.is_some();
        let heading = format!("{} {}", "#".repeat(self.level), release.title);
        // A heading marked unreleased (`1.5.0 (unreleased)`) is no release by design.
        let named = names_a_version(title_text).filter(|_| !title.unreleased);
        if let (false, Some(named)) = (versioned, named) {
            self.problems.push(Problem {
                kind: ProblemKind::UnreadableReleaseHeading,
                severity: Severity::Warning,
                line: head + 1,
                lines: vec![head + 1],
                releases: vec![index],
                message: format!(
                    "`{heading}` names {named} but is not read as a release heading, so its \
                     entries do not count as released (a fragment for one of them would be listed \
                     again); if it is a release, write it `{} <version> (<date>)` \
                     (`[<version>](<link>)` and `v<version>` are read too), or make it a `{} …` \
                     heading inside a release",
                    "#".repeat(self.level),
                    "#".repeat(self.level + 1),
                ),
            });
        }

        let mut at = At::Release;
        // Byte range of the description of the current category or subsection while it can
        // still grow (until the first entry or heading).
        let mut description: Option<Range<usize>> = None;
        let mut describing = true;
        let mut seen_categories: BTreeMap<&str, usize> = BTreeMap::new();
        // After a glued heading, repeated categories are its consequence, not news.
        let mut glued = false;

        let mut i = head + if setext.is_some() { 2 } else { 1 };
        while i < end {
            match self.kinds[i] {
                Kind::Bullet => {
                    let last = self.entry_end(i, end);
                    let entry = Entry::parse_with(
                        &self.text[self.lines[i].start..self.lines[last].end],
                        i + 1,
                        self.refs,
                    );
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
                        // `at` is a category (subsection) only once one was pushed; the
                        // fallbacks keep the entry all the same.
                        At::Category => match release.categories.last_mut() {
                            Some(c) => c.entries.push(entry),
                            None => release.loose.push(entry),
                        },
                        At::Subsection => match release
                            .categories
                            .last_mut()
                            .and_then(|c| c.subsections.last_mut())
                        {
                            Some(s) => s.entries.push(entry),
                            None => release.loose.push(entry),
                        },
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
                            if let Some(c) = release.categories.last_mut() {
                                c.subsections.push(sub);
                                at = At::Subsection;
                                describing = true;
                            }
                        }
                    }
                }
                Kind::Blank => {}
                Kind::Text
                | Kind::Indented
                | Kind::Heading(..)
                | Kind::Comment(_)
                | Kind::Code(_) => {
                    let last = self.block_end(i, end);
                    if describing {
                        description = Some(match description {
                            Some(r) => r.start..self.lines[last].end,
                            None => self.lines[i].start..self.lines[last].end,
                        });
                    }
                    let place = block_place(&release, &at);
                    let kind = match self.kinds[i] {
                        Kind::Comment(_) => BlockKind::Comment,
                        _ => BlockKind::Prose,
                    };
                    release.blocks.push(Block {
                        kind,
                        place,
                        line: i + 1,
                        text: self.text[self.lines[i].start..self.lines[last].end].to_string(),
                    });
                    i = last + 1;
                    continue;
                }
            }
            i += 1;
        }
        if describing {
            self.set_description(&mut release, description.take());
        }
        for (c, category) in release.categories.iter_mut().enumerate() {
            let footer: Vec<&str> = release
                .blocks
                .iter()
                .filter(|b| b.kind == BlockKind::Prose && b.place == Place::Footer(c))
                .map(|b| b.text.as_str())
                .collect();
            category.footer = (!footer.is_empty()).then(|| footer.join("\n\n"));
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
        let Some(range) = range else { return };
        let text = Some(self.text[range].to_string());
        let Some(category) = release.categories.last_mut() else {
            release.description = text;
            return;
        };
        match category.subsections.last_mut() {
            Some(sub) => sub.description = text,
            None => category.description = text,
        }
    }

    /// The last line of a block of text starting at line `first`: the lines of one
    /// comment, or a paragraph (up to a blank line, a heading, an entry or a comment).
    fn block_end(&self, first: usize, end: usize) -> usize {
        let comment = matches!(self.kinds[first], Kind::Comment(_));
        let mut last = first;
        while last + 1 < end {
            let same = match self.kinds[last + 1] {
                Kind::Comment(_) => comment,
                Kind::Text | Kind::Indented | Kind::Code(_) => !comment,
                Kind::Heading(l, _) => !comment && l != self.level + 1 && l != self.level + 2,
                Kind::Blank | Kind::Bullet => false,
            };
            if !same {
                break;
            }
            last += 1;
        }
        last
    }

    /// The last line of the entry starting at line `first`: indented lines continue it
    /// (also after blank lines), and so does unindented text right after it (Markdown's
    /// lazy continuation). A comment on lines of its own ends it, unless it is indented.
    fn entry_end(&self, first: usize, end: usize) -> usize {
        let mut last = first;
        let mut j = first + 1;
        while j < end {
            match self.kinds[j] {
                Kind::Indented | Kind::Comment(true) | Kind::Code(true) => {
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
                    if k < end
                        && matches!(
                            self.kinds[k],
                            Kind::Indented | Kind::Comment(true) | Kind::Code(true)
                        )
                    {
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

/// The whole-line HTML comments of `text` that are not part of an entry, as (first, last)
/// 0-based line indexes: what a review may remove without touching any entry's text.
/// Comments that never close are not included.
pub fn comments_outside_entries(text: &str) -> Vec<(usize, usize)> {
    let lines = split_lines(text);
    let mut kinds: Vec<Kind<'_>> = lines
        .iter()
        .map(|l| classify(&text[l.start..l.end]))
        .collect();
    mark_blocks(text, &lines, &mut kinds);
    let refs = RefFormat::default();
    let parser = Parser {
        text,
        lines: &lines,
        kinds: &kinds,
        refs: &refs,
        level: 0,
        marker: String::new(),
        problems: Vec::new(),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        match kinds[i] {
            Kind::Bullet => i = parser.entry_end(i, lines.len()) + 1,
            Kind::Comment(_) => {
                let mut last = i;
                while last + 1 < lines.len() && matches!(kinds[last + 1], Kind::Comment(_)) {
                    last += 1;
                }
                out.push((i, last));
                i = last + 1;
            }
            _ => i += 1,
        }
    }
    out
}

impl Changelog {
    /// Parse `text`; `layout` fixes the release level and where releases start instead of
    /// working them out (used after an edit, so that removing the only versioned release
    /// does not change how the rest is read).
    pub(super) fn parse_inner(
        text: &str,
        start: Option<Regex>,
        layout: Option<Layout>,
        refs: RefFormat,
    ) -> Changelog {
        let lines = split_lines(text);
        let mut kinds: Vec<Kind<'_>> = lines
            .iter()
            .map(|l| classify(&text[l.start..l.end]))
            .collect();
        let unclosed = mark_blocks(text, &lines, &mut kinds);

        // Releases start on the line after the start string, if there is one.
        let marker_end = start.as_ref().and_then(|re| re.find(text)).map(|m| m.end());
        let region = match marker_end {
            Some(end) => lines.partition_point(|l| l.next < end) + 1,
            None => 0,
        };

        let setext = setext_headings(text, &lines, &kinds);
        let versioned = |title: &str| parse_title(title).version.is_some();
        // The release heading level is the level of the first heading with a version.
        let level = match layout {
            Some(layout) => layout.level,
            None => (region..lines.len())
                .find_map(|i| match kinds[i] {
                    Kind::Heading(level, title) if versioned(title) => Some(level),
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
        let mut starts: Vec<usize> = match first {
            Some(first) => (first..lines.len())
                .filter(|&i| matches!(kinds[i], Kind::Heading(l, _) if l == level))
                .collect(),
            None => Vec::new(),
        };
        // A release heading written setext-style at the releases' level (pdm's history:
        // `Release v2.12.4 (2024-02-26)` over `----`) is the release a renderer shows: read
        // as one, so that its version and entries count as released. It is still reported
        // (below): only published history may be written so (`Changelog::check_release`).
        let bound = match layout {
            Some(layout) => lines.partition_point(|l| l.start < layout.releases_start),
            None => region,
        };
        // Only beside `#` releases: a file without one (reStructuredText, whose every
        // heading is over a line) is not read so.
        let atx = (region..lines.len())
            .any(|i| matches!(kinds[i], Kind::Heading(l, t) if l == level && versioned(t)));
        let setext_releases: BTreeMap<usize, &str> = setext
            .iter()
            .filter(|&&(line, title, l)| atx && line >= bound && l == level && versioned(title))
            .map(|&(line, title, _)| (line, title))
            .collect();
        starts.extend(setext_releases.keys().copied());
        starts.sort_unstable();
        starts.dedup();

        let mut parser = Parser {
            text,
            lines: &lines,
            kinds: &kinds,
            refs: &refs,
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
            let setext = setext_releases.get(&head).copied();
            releases.push(parser.release(k, head, last + 1, setext));
        }
        let mut problems = parser.problems;
        // A problem found by the line scan: in the release the line belongs to.
        let mut at_line = |kind, severity, line: usize, lines: Vec<usize>, message: String| {
            let release = starts.partition_point(|&h| h <= line);
            problems.push(Problem {
                kind,
                severity,
                line: line + 1,
                lines,
                releases: release.checked_sub(1).into_iter().collect(),
                message,
            });
        };
        for line in unclosed.comments {
            at_line(
                ProblemKind::UnclosedComment,
                Severity::Warning,
                line,
                vec![line + 1],
                "an HTML comment opens here (`<!--`) and never closes, so everything after it \
                 is hidden where the changelog is published; close it with `-->`"
                    .to_string(),
            );
        }
        for line in unclosed.fences {
            at_line(
                ProblemKind::UnclosedFence,
                Severity::Error,
                line,
                vec![line + 1],
                "a code block opens here (```` ``` ```` or `~~~`) and never closes, so everything \
                 after it is code where the changelog is published; close it with the same fence"
                    .to_string(),
            );
        }
        // A release heading inside a code block or an HTML comment opened above it (a fence
        // left open in the section above and closed further down): hidden where the
        // changelog is published, its release is read as part of the one above, whose
        // consolidation would publish the hidden release's entries again. Told from a code
        // sample by its version: older than the release the block is in, as a real release
        // below it would be.
        for (i, l) in lines.iter().enumerate().skip(region) {
            if !matches!(kinds[i], Kind::Code(_) | Kind::Comment(_)) {
                continue;
            }
            // Only a line that reads as a release heading is looked at further.
            let Kind::Heading(l, title) = classify(&text[l.start..l.end]) else {
                continue;
            };
            let above = starts
                .partition_point(|&h| h <= i)
                .checked_sub(1)
                .and_then(|k| releases[k].version.as_ref());
            if l == level
                && let (Some(hidden), Some(above)) = (parse_title(title).version, above)
                && hidden < *above
            {
                at_line(
                    ProblemKind::HiddenReleaseHeading,
                    Severity::Error,
                    i,
                    vec![i + 1],
                    format!(
                        "the release heading `{} {title}` is inside a code block or an HTML \
                         comment that opens above it, so that release is hidden where the \
                         changelog is published and read as part of the one above; close the \
                         block before this heading",
                        "#".repeat(level)
                    ),
                );
            }
        }
        // A heading above the releases' level inside a release (`# 1.4.0rc1` among `##`
        // releases): where the changelog is published it ends the release, but here it is
        // read as prose of the release above.
        let after_first = starts.first().map_or(lines.len(), |&f| f + 1);
        for (i, kind) in kinds.iter().enumerate().skip(after_first) {
            if let Kind::Heading(l, title) = *kind
                && l < level
            {
                at_line(
                    ProblemKind::MisplacedHeading,
                    Severity::Warning,
                    i,
                    vec![i + 1],
                    format!(
                        "`{} {title}` is a heading above the releases' level (`{}`) inside a \
                         release: where the changelog is published it ends the release, but it \
                         is read here as the release's text; write it at the release's level, \
                         or remove it",
                        "#".repeat(l),
                        "#".repeat(level)
                    ),
                );
            }
        }
        let mut setext_problems = Vec::new();
        for &(line, title, l) in &setext {
            // A release heading written so, read as a release or not, stands between the
            // sections as a renderer shows them: among the sections a final folds, its
            // entries (or an rc's, read as its) would be folded into the wrong release — an
            // error, which only published history is spared (`Changelog::check_release`).
            // Read as a release, it is of its own and of the one above, whose end it makes.
            let own = starts.partition_point(|&h| h <= line);
            let first = own.saturating_sub(1 + usize::from(setext_releases.contains_key(&line)));
            let named = versioned(title) || names_a_version(title).is_some();
            setext_problems.push(Problem {
                kind: ProblemKind::SetextHeading,
                severity: if named {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                line: line + 1,
                lines: vec![line + 1, line + 2],
                releases: (first..own).collect(),
                message: format!(
                    "`{title}` over a line of `=` or `-` is a heading where the changelog is \
                     published, but this reader takes headings only as `#`: write it \
                     `{} {title}` (or put a blank line between the text and the line below it)",
                    "#".repeat(l)
                ),
            });
        }
        // A heading below the groups' level (`#####` in a release of `##`) reads as a group
        // heading but is prose here: what follows it stays in the group above.
        let first_release = starts.first().copied().unwrap_or(lines.len());
        for (line, kind) in kinds.iter().enumerate().skip(first_release) {
            if let Kind::Heading(l, title) = *kind
                && l > level + 2
            {
                at_line(
                    ProblemKind::DeepHeading,
                    Severity::Warning,
                    line,
                    vec![line + 1],
                    format!(
                        "`{} {title}` is below the groups' level, so it is no group: its entries \
                         stay in the group above; write `{} {title}` for a group of its own",
                        "#".repeat(l),
                        "#".repeat(level + 2),
                    ),
                );
            }
        }
        problems.extend(setext_problems);
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
            refs,
        }
    }
}
