//! A changelog's release titles, whatever it is written in: a Markdown changelog's release
//! headings (the [`Changelog`] model), a reStructuredText changelog's section titles at the
//! level towncrier writes its releases (this module's reader) — each with its version as
//! the project spells it (`v25.7.0`) and its line.
//!
//! reStructuredText releases are a type of their own, not [`Release`](super::Release)s
//! with no entries: the Markdown model is lossless and edited (a final's fold splices its
//! sections), and an rst release read into it would look like a release with nothing
//! published — to the fold, the stale-entry check, the ledger — where git-release reads
//! only its title. What every caller needs of a release's title, the version order, the
//! current version, the `v` and a final's pre-release sections, is here, once.
//!
//! A title is as docutils reads one: a line over an underline (one punctuation character
//! repeated, at least as long as the title or four long), or a title between an overline
//! and an identical underline; at the start of a block (after a blank line). Titles of the
//! same adornment — character, and overlined or not — are of one level. The releases are
//! the titles naming a version at the level towncrier writes them: the level of the first
//! title after the `start_string` that names a version in `underlines[0]` (towncrier's
//! `top_underline`), else of the first title that names one; and a title naming a release
//! as a heading names one (`1.2.0 (date)`) at a level docutils ranks above that one (its
//! adornment seen first): no category of a release is there.

use std::path::Path;

use super::Changelog;
use super::title::{names_a_version, parse_title};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::version::Version;

/// A release's title in a changelog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseTitle {
    /// The title's text, trimmed (its markup kept: `` `1.6.0 <…>`_ - 2025-01-01 ``).
    pub title: String,
    /// The version it names, as the project spells it (`v25.7.0` keeps its `v`).
    pub version: Version,
    /// The 1-based line the title starts on (an rst title's overline, when it has one).
    pub line: usize,
}

/// Whether the changelog `filename` is reStructuredText: named `.rst`; not when named
/// `.md` or `.markdown`; else as towncrier writes it — reStructuredText unless its
/// template is Markdown (`template_is_markdown`).
pub fn is_restructured_text(filename: &str, template_is_markdown: bool) -> bool {
    match Path::new(filename)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("rst") => true,
        Some("md" | "markdown") => false,
        _ => !template_is_markdown,
    }
}

/// The project's changelog is reStructuredText ([`is_restructured_text`]).
pub fn project_is_rst(config: &Config) -> bool {
    is_restructured_text(
        &config.towncrier.filename,
        config.towncrier.template.is_markdown(),
    )
}

/// The release titles of the project's changelog at `path`, in the order written (newest
/// first, as towncrier writes them): none when the file does not exist.
pub fn release_titles(config: &Config, path: &Path) -> Result<Vec<ReleaseTitle>> {
    let start = config.towncrier.start_string.as_str();
    if !project_is_rst(config) {
        let Some(log) = Changelog::read_with(path, Some(start))? else {
            return Ok(Vec::new());
        };
        return Ok(log
            .releases()
            .iter()
            .filter_map(|r| {
                r.version().map(|v| ReleaseTitle {
                    title: r.title().to_string(),
                    version: v.clone(),
                    line: r.line(),
                })
            })
            .collect());
    }
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let top = config
        .towncrier
        .underlines
        .first()
        .and_then(|u| u.chars().next());
    Ok(rst_release_titles(&text, Some(start), top))
}

/// A title's adornment: its character, and whether it is overlined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Style {
    mark: char,
    over: bool,
}

/// A section title of a reStructuredText text.
#[derive(Debug)]
struct Heading<'t> {
    /// 0-based index of its first line.
    first: usize,
    text: &'t str,
    style: Style,
}

/// An adornment line (at the line's start, trailing spaces allowed): one 7-bit punctuation
/// character repeated; the character and the count.
fn adornment(line: &str) -> Option<(char, usize)> {
    let line = line.trim_end_matches([' ', '\t', '\r', '\n']);
    let mark = line.chars().next()?;
    (mark.is_ascii_punctuation() && line.chars().all(|c| c == mark))
        .then(|| (mark, line.chars().count()))
}

/// The section titles of `lines` (see the module's notes).
fn headings<'t>(lines: &[&'t str]) -> Vec<Heading<'t>> {
    let mut found = Vec::new();
    let mut block_start = true;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if block_start {
            // Overline, title (it may be inset), an identical underline.
            if let (Some((mark, n)), Some(title), Some(under)) =
                (adornment(line), lines.get(i + 1), lines.get(i + 2))
            {
                let text = title.trim();
                if !text.is_empty()
                    && adornment(under) == Some((mark, n))
                    && n >= text.chars().count()
                {
                    found.push(Heading {
                        first: i,
                        text,
                        style: Style { mark, over: true },
                    });
                    i += 3;
                    block_start = false;
                    continue;
                }
            }
            // A title at the margin over its underline.
            if let Some(under) = lines.get(i + 1) {
                let text = line.trim();
                let at_margin = !line.starts_with([' ', '\t']);
                if let (true, true, None, Some((mark, n))) = (
                    at_margin,
                    !text.is_empty(),
                    adornment(line),
                    adornment(under),
                ) {
                    if n >= text.chars().count() || n >= 4 {
                        found.push(Heading {
                            first: i,
                            text,
                            style: Style { mark, over: false },
                        });
                        i += 2;
                        block_start = false;
                        continue;
                    }
                }
            }
        }
        block_start = line.trim().is_empty();
        i += 1;
    }
    found
}

/// A title's inline markup read as its text: `` `text <target>`_ `` as `text`, a role's
/// `` :role:`text` `` as `text`, emphasis and literals unmarked.
fn plain_text(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(open) = rest.find('`') {
        let (before, after) = rest.split_at(open);
        // A role's name before the backquote (`:issue:`) is no text.
        let before = match before.strip_suffix(':') {
            Some(b) => match b.rfind(':') {
                Some(colon) if !b[colon + 1..].contains(char::is_whitespace) => &b[..colon],
                _ => before,
            },
            None => before,
        };
        out.push_str(before);
        let after = after.trim_start_matches('`');
        let Some(close) = after.find('`') else {
            out.push_str(after);
            return out.replace("**", "").replace('*', "");
        };
        let inner = &after[..close];
        // `text <target>`: the text.
        let inner = match inner.rfind(" <") {
            Some(lt) if inner.ends_with('>') => inner[..lt].trim_end(),
            _ => inner,
        };
        out.push_str(inner);
        rest = after[close..]
            .trim_start_matches('`')
            .trim_start_matches('_');
    }
    out.push_str(rest);
    out.replace("**", "").replace('*', "")
}

/// The release titles of a reStructuredText `text` (see the module's notes): after the
/// first `start_string` when the text has it (towncrier's insertion point), at the level
/// of `top_underline` or else of the first title naming a version.
pub fn rst_release_titles(
    text: &str,
    start_string: Option<&str>,
    top_underline: Option<char>,
) -> Vec<ReleaseTitle> {
    let lines: Vec<&str> = text.lines().collect();
    let marker = start_string
        .map(|s| s.trim_end_matches(['\r', '\n']))
        .filter(|s| !s.trim().is_empty());
    let region = marker
        .and_then(|m| text.find(m).map(|at| at + m.len()))
        .map_or(0, |end| text[..end].lines().count());
    let headings = headings(&lines[region.min(lines.len())..]);
    // A title's version, read as a release heading is (`strict`), or else any version it
    // names (a title at the releases' own level: `Release 1.2.0 - Jan 5, 2020`).
    let named = |h: &Heading<'_>, strict: bool| {
        let plain = plain_text(h.text);
        let parsed = parse_title(&plain);
        match (parsed.unreleased, parsed.version) {
            (true, _) => None,
            (false, Some(v)) => Some(v),
            (false, None) if strict => None,
            (false, None) => names_a_version(&plain),
        }
    };
    let style = top_underline
        .and_then(|top| {
            headings
                .iter()
                .find(|h| h.style.mark == top && named(h, false).is_some())
        })
        .or_else(|| headings.iter().find(|h| named(h, false).is_some()))
        .map(|h| h.style);
    let Some(style) = style else {
        return Vec::new();
    };
    // rst ranks a title's level by its adornment's first appearance: a level ranked above
    // the releases' holds no category of theirs, so a title there naming a version is a
    // release too (one written with another adornment: `v2.0.0b1` over `~~~`).
    let mut ranks: Vec<Style> = Vec::new();
    for h in &headings {
        if !ranks.contains(&h.style) {
            ranks.push(h.style);
        }
    }
    let rank = |s: Style| ranks.iter().position(|r| *r == s);
    let release_rank = rank(style);
    headings
        .iter()
        .filter_map(|h| {
            let version = match rank(h.style) {
                _ if h.style == style => named(h, false),
                r if r < release_rank => named(h, true),
                _ => None,
            }?;
            Some(ReleaseTitle {
                title: h.text.to_string(),
                version,
                line: region + h.first + 1,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, top: Option<char>) -> Vec<(String, usize)> {
        rst_release_titles(text, Some(".. towncrier release notes start\n"), top)
            .into_iter()
            .map(|t| (t.version.spelled(), t.line))
            .collect()
    }

    fn pairs(list: &[(&str, usize)]) -> Vec<(String, usize)> {
        list.iter().map(|(v, l)| (v.to_string(), *l)).collect()
    }

    /// twine: a document title above the start string, releases underlined with `-`,
    /// categories with `^`.
    #[test]
    fn releases_are_the_titles_at_towncrier_s_level_after_the_start_string() {
        let text = "=========\nChangelog\n=========\n\nSee 9.9.9 (2030-01-01)\n------\n\n\
.. towncrier release notes start\n\ntwine 7.0.0 (2026-07-27)\n------------------------\n\n\
Bugfixes\n^^^^^^^^\n\n- Fix 1.2.3. (`#1 <https://e.com/1>`_)\n\n\n\
twine 6.2.0 (2025-09-04)\n------------------------\n\nFeatures 6.1.9\n^^^^^^^^^^^^^^\n\n- x\n";
        assert_eq!(
            read(text, Some('-')),
            pairs(&[("7.0.0", 10), ("6.2.0", 19)])
        );
        // Without `underlines`, the first title naming a version sets the level.
        assert_eq!(read(text, None), pairs(&[("7.0.0", 10), ("6.2.0", 19)]));
        // A top underline no versioned title uses: the first title naming a version.
        assert_eq!(
            read(text, Some('~')),
            pairs(&[("7.0.0", 10), ("6.2.0", 19)])
        );
    }

    /// pypa/build: over- and underlined releases and categories, no start string; a
    /// transition and a short line are no titles.
    #[test]
    fn overlined_titles_are_a_level_of_their_own() {
        let text = "####################\n 1.6.1 (2026-09-10)\n####################\n\n\
**********\n Bugfixes\n**********\n\n- Fix (:issue:`1175`)\n\n----\n\n\
1.6.0.1 under\n#############\n\n\
####################\n 1.6.0 (2026-08-27)\n####################\n\n\
**********\n Features\n**********\n\n- Add 2.0.0 support\n";
        assert_eq!(
            rst_release_titles(text, None, Some('#'))
                .iter()
                .map(|t| (t.version.to_string(), t.line))
                .collect::<Vec<_>>(),
            pairs(&[("1.6.1", 1), ("1.6.0", 16)])
        );
        // An underline unlike its overline makes no title.
        let two = "####################\n 1.6.1 (2026-09-10)\n####################\n\n- a\n\n\
####################\n 1.6.0 (2026-08-27)\n####################\n";
        let broken = two.replacen(
            " 1.6.1 (2026-09-10)\n####################",
            " 1.6.1 (2026-09-10)\n###",
            1,
        );
        let versions = |t: &str| {
            rst_release_titles(t, None, Some('#'))
                .iter()
                .map(|t| t.version.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(versions(two), ["1.6.1", "1.6.0"]);
        assert_eq!(versions(&broken), ["1.6.0"]);
    }

    /// keyring's `v` titles keep their `v`; pytest-asyncio's linked titles; a title marked
    /// unreleased names no release; roles and emphasis are read as their text.
    #[test]
    fn versions_are_read_as_the_project_spells_them() {
        let text = "v25.7.0\n=======\n\nFeatures\n--------\n\n- Improved. (#728)\n\n\n\
v25.6.0\n=======\n";
        assert_eq!(
            read(text, Some('=')),
            pairs(&[("v25.7.0", 1), ("v25.6.0", 10)])
        );
        let linked = ".. towncrier release notes start\n\n\
`1.6.0 <https://github.com/pytest-dev/pytest-asyncio/tree/1.6.0>`_ - 2026-01-02\n\
==================================================================================\n\n\
1.7.0 (unreleased)\n==================\n\n\
**pytest-xdist 3.8.0** (2025-06-30)\n===================================\n\n\
:ref:`1.5.0 <rel-1.5.0>` (2025-01-01)\n=====================================\n";
        assert_eq!(
            read(linked, Some('=')),
            pairs(&[("1.6.0", 3), ("3.8.0", 9), ("1.5.0", 12)])
        );
        assert_eq!(plain_text("`1.6.0 <https://x/1.6.0>`_ - d"), "1.6.0 - d");
        assert_eq!(plain_text("x `1.0`__ y"), "x 1.0 y");
    }

    /// A title at a level ranked above the releases' (its adornment seen first) naming a
    /// release as a heading does is one; one only mentioning a version is not, nor is a
    /// title ranked below (a category).
    #[test]
    fn titles_ranked_above_the_releases_name_releases_as_headings_do() {
        let text = ".. towncrier release notes start\n\n\
v2.0.0b1\n~~~~~~~~\n\n- Beta.\n\n\
Moving to 2.0 and later\n~~~~~~~~~~~~~~~~~~~~~~~\n\nProse.\n\n\
demo 1.0.0 (2025-01-01)\n=======================\n\n\
Features 3.0\n------------\n\n- First release.\n\n\
Release 0.9.0 - Jan 5, 2020\n===========================\n";
        assert_eq!(
            read(text, Some('=')),
            pairs(&[("v2.0.0b1", 3), ("1.0.0", 13), ("0.9.0", 21)])
        );
    }

    #[test]
    fn the_format_is_the_file_s_else_the_template_s() {
        assert!(is_restructured_text("NEWS.rst", true));
        assert!(is_restructured_text("docs/changelog.RST", false));
        assert!(!is_restructured_text("CHANGELOG.md", false));
        assert!(is_restructured_text("CHANGES.txt", false));
        assert!(!is_restructured_text("CHANGES", true));
    }
}
