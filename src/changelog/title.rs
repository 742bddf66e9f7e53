//! A release heading's text: the version, the name before it and the date, in the ways
//! changelogs write them.

use std::ops::Range;

use crate::version::Version;

pub(crate) struct Title {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<Version>,
    pub(crate) date: Option<String>,
    /// Marked unreleased (`1.5.0 (unreleased)`, `[1.5.0] - Unreleased`, `Unreleased
    /// 1.5.0`), as towncrier's and keep-a-changelog's users write a release still to come:
    /// no release, whatever version it names (its version is `None`).
    pub(crate) unreleased: bool,
}

/// `[<name> ]<version>[ (<date>)]`; also accepts `[<version>]`, a linked
/// `[<version>](<url>)`, `<version> - <date>` (or an en or em dash) and a pre-release
/// written apart (`1.4.0 rc1`).
pub(crate) fn parse_title(title: &str) -> Title {
    let unlinked = unlink(without_attributes(title.trim()));
    if marked_unreleased(&unlinked) {
        return Title {
            name: None,
            version: None,
            date: None,
            unreleased: true,
        };
    }
    let (head, date) = split_date(&unlinked);
    let (name, last) = match head.rsplit_once(char::is_whitespace) {
        Some((name, last)) => (name.trim(), last),
        None => ("", head),
    };
    // After a name, a bare number is a word of it (`Sprint 12`, `release candidate 1`),
    // not a version.
    let mut version = version_token(last).filter(|_| name.is_empty() || last.contains('.'));
    let mut name = name;
    // `1.4.0 rc1`: the version and its pre-release as two words.
    if is_prerelease_word(last) {
        let (before, word) = name.rsplit_once(char::is_whitespace).unwrap_or(("", name));
        if let Some(v) = version_token(&format!("{word}{last}")) {
            version = Some(v);
            name = before.trim();
        }
    }
    Title {
        name: (!name.is_empty() && version.is_some()).then(|| name.to_string()),
        version,
        date: date.filter(|d| is_iso_date(d)).map(str::to_string),
        unreleased: false,
    }
}

/// The ways a heading says its release is still to come, as words (lower case): a date's
/// place taken by one of them (`(upcoming)`, `- TBD`), or the heading begun or ended by it.
const UNRELEASED_MARKS: &[&[&str]] = &[
    &["unreleased"],
    &["unreleased", "changes"],
    &["upcoming"],
    &["in", "development"],
    &["in", "progress"],
    &["work", "in", "progress"],
    &["wip"],
    &["not", "yet", "released"],
    &["not", "released"],
    &["not", "released", "yet"],
    &["unpublished"],
    &["pending"],
    &["tbd"],
    &["tba"],
];

/// Whether a heading says its release is still to come — and has no date: one of
/// [`UNRELEASED_MARKS`] as its first or last words (`[Unreleased]`, `1.5.0 (unreleased)`,
/// `[1.5.0] - Unreleased`, `1.5.0 (not yet released)`, emphasis and a full stop ignored:
/// `(_unreleased_)`, `(Unreleased.)`), or a date written as a placeholder
/// (`(yyyy-mm-dd)`, `(YYYY-MM-DD)`, `(XXXX-XX-XX)`). Anything else beside the version (a
/// code name, `## 1.4.0 (Bionic)`) still reads as a release: taking a released section
/// for one to come would publish its entries again.
fn marked_unreleased(unlinked: &str) -> bool {
    if split_date(unlinked).1.is_some_and(is_iso_date) {
        return false;
    }
    let words: Vec<String> = unlinked
        .split(|c: char| c.is_whitespace() || "[]()-–—:,/".contains(c))
        .map(|w| w.trim_matches(|c: char| "_*.!".contains(c)).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    let marked = UNRELEASED_MARKS.iter().any(|mark| {
        let n = mark.len();
        words.len() >= n && (words[..n] == **mark || words[words.len() - n..] == **mark)
    });
    // `yyyy-mm-dd`: the words after the version all placeholder letters, a year among them.
    let after_version: Vec<&String> = words
        .iter()
        .skip_while(|w| version_token(w).is_none())
        .skip(1)
        .collect();
    let placeholder = !after_version.is_empty()
        && after_version
            .iter()
            .all(|w| w.chars().all(|c| "ymdx?#".contains(c)))
        && after_version
            .iter()
            .any(|w| w.contains("yy") || w.contains("xx"));
    marked || placeholder
}

/// A heading's word read as a version: `1.2.0`, `v1.2.0`, `[1.2.0]`.
fn version_token(word: &str) -> Option<Version> {
    let token = word
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(word);
    if token.starts_with(|c: char| c.is_ascii_digit() || c == 'v' || c == 'V') {
        Version::parse(token).ok()
    } else {
        None
    }
}

/// `rc1`, `b2`, `alpha.1`, `pre3`: a pre-release written as a word of its own.
fn is_prerelease_word(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    let digits = lower.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let letters = &lower[..lower.len() - digits.len()];
    let digits = digits.strip_prefix('.').unwrap_or(digits);
    matches!(
        letters,
        "a" | "b" | "c" | "rc" | "alpha" | "beta" | "pre" | "preview"
    ) && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A heading without the attribute list MkDocs' `attr_list` reads at its end (`{: #id }`,
/// `{#id .class}`) and the closing `#` sequence before it — Hatch's history writes
/// `## [1.29.0](…) - 2026-02-21 ## {: #hatchling-v1.29.0 }`, which MkDocs shows as the
/// release `1.29.0`.
fn without_attributes(title: &str) -> &str {
    let Some(inner) = title.strip_suffix('}') else {
        return title;
    };
    let Some(open) = inner.rfind('{') else {
        return title;
    };
    let list = inner[open + 1..].trim_start();
    let before = &title[..open];
    if !list.starts_with([':', '#', '.']) || !(before.is_empty() || before.ends_with([' ', '\t'])) {
        return title;
    }
    let before = before.trim_end();
    let open = before.trim_end_matches('#');
    if open.len() < before.len() && (open.is_empty() || open.ends_with([' ', '\t'])) {
        open.trim_end()
    } else {
        before
    }
}

/// Markdown links as their text: `[1.3.0](https://…)` and `[1.3.0][ref]` read `1.3.0`.
fn unlink(title: &str) -> std::borrow::Cow<'_, str> {
    if !title.contains("](") && !title.contains("][") {
        return title.into();
    }
    let mut out = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        let after = &rest[close + 1..];
        let end = match after.chars().next() {
            Some('(') => after.find(')').map(|e| close + 1 + e + 1),
            Some('[') => after.find(']').map(|e| close + 1 + e + 1),
            _ => None,
        };
        match end {
            Some(end) => {
                out.push_str(&rest[..open]);
                out.push_str(&rest[open + 1..close]);
                rest = &rest[end..];
            }
            None => {
                out.push_str(&rest[..=close]);
                rest = &rest[close + 1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// The version a release-level heading that is not read as a release still names
/// (`1.3.0`, `v2.0.1`, with a dot): a release written in a way this reader does not know.
pub(crate) fn names_a_version(title: &str) -> Option<Version> {
    unlink(title)
        .split(|c: char| c.is_whitespace() || "[](),:;".contains(c))
        .filter(|w| {
            let v = w.strip_prefix(['v', 'V']).unwrap_or(w);
            v.contains('.') && v.starts_with(|c: char| c.is_ascii_digit())
        })
        .find_map(|w| Version::parse(w).ok())
}

fn split_date(t: &str) -> (&str, Option<&str>) {
    if let Some(inner) = t.strip_suffix(')') {
        if let Some(open) = inner.rfind('(') {
            return (inner[..open].trim(), Some(inner[open + 1..].trim()));
        }
    }
    for dash in [" - ", " – ", " — "] {
        if let Some((head, date)) = t.rsplit_once(dash) {
            if is_iso_date(date.trim()) {
                return (head.trim(), Some(date.trim()));
            }
        }
    }
    (t, None)
}

pub(crate) fn is_iso_date(s: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_still_to_come_is_marked_in_the_ways_changelogs_write_it() {
        for heading in [
            "1.5.0 (unreleased)",
            "[1.5.0] - Unreleased",
            "[Unreleased]",
            "Unreleased 1.5.0",
            "1.5.0 (_unreleased_)",
            "1.5.0 (Unreleased.)",
            "1.5.0 (unreleased changes)",
            "1.5.0 (in development)",
            "1.5.0 (not yet released)",
            "1.5.0 (upcoming)",
            "1.5.0 (yyyy-mm-dd)",
            "1.5.0 - YYYY-MM-DD",
            "1.5.0 (TBD)",
            "v1.5.0 - WIP",
            "[1.5.0](https://example.com/compare/v1.4.0...HEAD) (pending)",
        ] {
            let t = parse_title(heading);
            assert!(t.unreleased && t.version.is_none(), "{heading}");
        }
    }

    #[test]
    fn an_attribute_list_after_a_heading_is_not_its_text() {
        for heading in [
            "[1.29.0](https://github.com/pypa/hatch/releases/tag/hatchling-v1.29.0) - 2026-02-21 ## {: #hatchling-v1.29.0 }",
            "[1.29.0](https://example.com) - 2026-02-21 {: #hatchling-v1.29.0 }",
            "1.29.0 (2026-02-21) {#v1-29-0 .release}",
            "1.29.0 (2026-02-21) {.release}",
        ] {
            let t = parse_title(heading);
            assert_eq!(
                t.version.map(|v| v.to_string()),
                Some("1.29.0".into()),
                "{heading}"
            );
            assert_eq!(t.date.as_deref(), Some("2026-02-21"), "{heading}");
        }
        // Braces that are no attribute list stay the heading's words.
        assert_eq!(without_attributes("1.0.0 {beta}"), "1.0.0 {beta}");
        assert_eq!(without_attributes("1.0.0{: #x }"), "1.0.0{: #x }");
        assert_eq!(without_attributes("{: #x }"), "");
    }

    #[test]
    fn a_release_with_a_date_or_a_code_name_is_a_release() {
        for heading in [
            "1.5.0 (2026-01-01)",
            "1.5.0",
            "1.5.0 (Bionic)",
            "Pending 1.5.0 (2026-01-01)",
            "[1.5.0] - 2026-01-01",
            "1.5.0 (x)",
            "1.5.0-rc.1",
        ] {
            let t = parse_title(heading);
            assert!(!t.unreleased && t.version.is_some(), "{heading}");
        }
    }
}
