//! The layout a final's section is written in: the blank lines the project's template puts
//! after the release heading, after a category heading, between categories and after the
//! section — as its rendering of the new fragments shows them, else as the newest rc
//! section it folds shows them (towncrier wrote it with the same template). A patch final
//! with nothing to fold or group is then what `towncrier build` writes, byte for byte, and
//! every final looks like the releases before it (attrs: a blank line after `### Changes`,
//! two after the section; Backend.AI: none after `### Features`, one after the section).

use crate::changelog::{Changelog, Release, Spacing};

/// Blank lines around a section's parts. [`Layout::default`] is the layout git-release
/// writes without an example (one blank line between parts, none after a category
/// heading, the file's own spacing after the section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// After the release heading.
    pub after_title: usize,
    /// After a category (or subsection) heading, before its text.
    pub after_heading: usize,
    /// Before a category heading that follows another category.
    pub between: usize,
    /// After the section, before the next release; `None`: the file's usual spacing.
    pub trailing: Option<usize>,
    /// The release heading's level, for a file that has no release yet.
    pub level: Option<usize>,
    /// Whether `between` was seen (two categories), not assumed.
    between_seen: bool,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout {
            after_title: 1,
            after_heading: 0,
            between: 1,
            trailing: None,
            level: None,
            between_seen: false,
        }
    }
}

/// An ATX heading's level (`## x` → 2), `None` for any other line.
fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    let rest = &line[hashes..];
    ((1..=6).contains(&hashes) && (rest.is_empty() || rest.starts_with([' ', '\t'])))
        .then_some(hashes)
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

impl Layout {
    /// The layout a rendered section shows (the template's output, or an rc section with
    /// the blank lines after it; `ends_file`: nothing follows it, so its trailing blank
    /// lines say nothing). `None` when it has no release heading. What it does not show
    /// (a second category, a category's text) is taken from what it shows, else the
    /// default.
    pub fn of_section(text: &str, ends_file: bool) -> Option<Layout> {
        let text = text.replace("\r\n", "\n");
        let lines: Vec<&str> = text.split('\n').collect();
        let (title, level) = lines
            .iter()
            .enumerate()
            .find_map(|(k, l)| heading_level(l).map(|n| (k, n)))?;
        // Blank lines after line `k`, when a non-blank line follows them.
        let blanks_after = |k: usize| {
            let n = lines[k + 1..].iter().take_while(|l| is_blank(l)).count();
            (k + 1 + n < lines.len()).then_some(n)
        };
        let categories: Vec<usize> = (title + 1..lines.len())
            .filter(|&k| heading_level(lines[k]) == Some(level + 1))
            .collect();
        let last = lines.iter().rposition(|l| !is_blank(l))?;
        // `text` ends with the last line's newline: the blank lines are one fewer than the
        // empty pieces after it.
        let trailing = (!ends_file).then(|| (lines.len() - 1 - last).saturating_sub(1));
        let mut layout = Layout {
            level: Some(level),
            trailing,
            ..Layout::default()
        };
        if let Some(n) = blanks_after(title) {
            layout.after_title = n;
        }
        if let Some(n) = categories.first().and_then(|&k| blanks_after(k)) {
            layout.after_heading = n;
        }
        if let Some(&k) = categories.get(1) {
            layout.between = lines[..k].iter().rev().take_while(|l| is_blank(l)).count();
            layout.between_seen = true;
        }
        Some(layout)
    }

    /// When the example had one category, the blank lines between two as the newest
    /// release of `changelog` with two shows them (written with the same template).
    pub fn with_between_from(mut self, changelog: &Changelog) -> Layout {
        if self.between_seen {
            return self;
        }
        let seen = (0..changelog.releases().len())
            .filter(|&i| changelog.releases()[i].categories.len() > 1)
            .find_map(|i| Layout::of_section(changelog.section_text(i), true))
            .filter(|l| l.between_seen);
        if let Some(l) = seen {
            self.between = l.between;
            self.between_seen = true;
        }
        self
    }

    /// The layout of the newest of `sections` (rc sections of `changelog`), with the blank
    /// lines after it in the file.
    pub fn of_rc_sections(changelog: &Changelog, sections: &[usize]) -> Option<Layout> {
        let releases = changelog.releases();
        let &newest = sections
            .iter()
            .filter(|&&i| i < releases.len())
            .max_by(|&&a, &&b| releases[a].version().cmp(&releases[b].version()))?;
        let whole = changelog.as_str();
        let section = changelog.section_text(newest);
        let end = offset_in(whole, section)? + section.len();
        let rest = &whole[end..];
        let gap = blank_run(rest);
        let ends_file = gap == rest.len();
        Layout::of_section(&format!("{section}{}", &rest[..gap]), ends_file)
    }

    /// `release` at heading `level` in this layout (the section alone, through its last
    /// line's newline; the blank lines after it are [`Layout::trailing`]).
    pub fn render(&self, release: &Release, level: usize) -> String {
        let spacing = Spacing {
            after_title: self.after_title,
            after_heading: self.after_heading,
            between: self.between,
        };
        release.render_spaced(level, &spacing)
    }
}

/// Where `part` (a slice of `whole`) starts in it.
fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let at = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (at + part.len() <= whole.len()).then_some(at)
}

/// The length of the blank lines `text` starts with (whole lines, with their line ends).
fn blank_run(text: &str) -> usize {
    let mut at = 0;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |n| at + n + 1);
        if !is_blank(&text[at..end]) {
            break;
        }
        at = end;
    }
    at
}

/// The text of `updated` (the changelog with the final's section in place, rendered by the
/// model) with that section written in `layout`, at `level`, and the template's blank lines
/// after it — every other byte as it was.
pub fn relayout(updated: &Changelog, release: &Release, layout: &Layout, level: usize) -> String {
    let whole = updated.as_str();
    let Some(k) = release.version().and_then(|v| updated.find(v)) else {
        return whole.to_string();
    };
    let section = updated.section_text(k);
    let Some(start) = offset_in(whole, section) else {
        return whole.to_string();
    };
    let end = start + section.len();
    let rest = &whole[end..];
    let gap = blank_run(rest);
    let ends_file = gap == rest.len();
    let newline = match whole.find('\n') {
        Some(i) if i > 0 && whole.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    };
    let mut rendered = layout.render(release, level).replace("\r\n", "\n");
    let trailing = match layout.trailing {
        Some(n) if !ends_file => "\n".repeat(n),
        _ => rest[..gap].replace("\r\n", "\n"),
    };
    rendered.push_str(&trailing);
    if newline != "\n" {
        rendered = rendered.replace('\n', newline);
    }
    format!("{}{rendered}{}", &whole[..start], &rest[gap..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTRS: &str = "## [26.1.1](u) - 2025-12-06\n\n### Backwards-incompatible Changes\n\n\
- Dropped 3.9.\n  [#1551](u/1551)\n\n\n### Changes\n\n- Fixed it.\n  [#1550](u/1550)\n\n\n";

    #[test]
    fn a_template_s_blank_lines_are_read_from_its_output() {
        let l = Layout::of_section(ATTRS, false).unwrap();
        assert_eq!(
            l,
            Layout {
                after_title: 1,
                after_heading: 1,
                between: 2,
                trailing: Some(2),
                level: Some(2),
                between_seen: true,
            }
        );
        let backend =
            "## 26.2.0 (d)\n\n### Features\n* A ([#1](u))\n\n### Fixes\n* B ([#2](u))\n\n";
        let l = Layout::of_section(backend, false).unwrap();
        assert_eq!((l.after_heading, l.between, l.trailing), (0, 1, Some(1)));
        // One category: between two, as the newest release with two shows it.
        let one = "# 1.0 (d)\n\n## Features\n\n- A (#1)\n\n\n";
        let l = Layout::of_section(one, false).unwrap();
        assert_eq!((l.level, l.after_heading, l.between), (Some(1), 1, 1));
        let log = Changelog::parse(
            "# 0.9 (d)\n\n## Fixes\n\n- B (#2)\n\n# 0.8 (d)\n\n## Features\n\n- C (#3)\n\n\n\n## Fixes\n\n- D (#4)\n",
        );
        assert_eq!(l.with_between_from(&log).between, 3);
        assert_eq!(Layout::of_section(one, true).unwrap().trailing, None);
        assert_eq!(Layout::of_section("no heading\n", false), None);
    }

    #[test]
    fn the_default_layout_is_the_model_s_rendering() {
        let text = "## 2.0.0 (d)\n\nIntro.\n\n### Features\nAbout.\n\n* A ([#1](u/1))\n\n\
#### Group\nWhy.\n\n* B ([#2](u/2))\n\n#### Other\n* C ([#3](u/3))\n\nFooter.\n\n### Fixes\n* D ([#4](u/4))\n";
        let log = Changelog::parse(text);
        let release = &log.releases()[0];
        assert_eq!(
            Layout::default().render(release, 2),
            release.render(2),
            "{}",
            release.render(2)
        );
    }

    #[test]
    fn subsections_keep_the_template_s_spacing_around_headings() {
        let text = "## 2.0.0 (d)\n\n### Features\n\n#### Group\nWhy.\n\n* A (#1)\n\n\
#### Other Features\n* B (#2)\n\n### Fixes\n* C (#3)\n";
        let log = Changelog::parse(text);
        let l = Layout::of_section(ATTRS, false).unwrap();
        assert_eq!(
            l.render(&log.releases()[0], 2),
            "## 2.0.0 (d)\n\n### Features\n\n#### Group\n\nWhy.\n\n* A (#1)\n\n\
#### Other Features\n\n* B (#2)\n\n\n### Fixes\n\n* C (#3)\n"
        );
    }

    #[test]
    fn relayout_changes_the_section_alone() {
        let old = "# Changes\n\n## 2.0.0 (d)\n\n### Features\n* A (#1)\n\n## 1.0.0 (d)\n\n### Fixes\n\n* Old (#0)\n";
        let log = Changelog::parse(old);
        let release = log.releases()[0].clone();
        let l = Layout::of_section(ATTRS, false).unwrap();
        let out = relayout(&log, &release, &l, 2);
        assert_eq!(
            out,
            "# Changes\n\n## 2.0.0 (d)\n\n### Features\n\n* A (#1)\n\n\n## 1.0.0 (d)\n\n### Fixes\n\n* Old (#0)\n"
        );
        let crlf = Changelog::parse(&old.replace('\n', "\r\n"));
        let out = relayout(&crlf, &crlf.releases()[0].clone(), &l, 2);
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        // The last release keeps the file's end.
        let last = relayout(&log, &log.releases()[1].clone(), &l, 2);
        assert!(last.ends_with("### Fixes\n\n* Old (#0)\n"), "{last:?}");
    }
}
