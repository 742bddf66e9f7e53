//! How a release writes its changelog section: consolidated (a final's rc sections and
//! fragments folded, grouped and reviewed) or as towncrier builds it (flat, from the
//! fragments). The one place this is decided; the release layer asks [`SectionForm::of`].
//!
//! git-release reads back only Markdown sections: a final of a reStructuredText changelog
//! (towncrier's default `NEWS.rst`) is written as `towncrier build` writes it, its
//! pre-release sections left as published (said in the plan), never refused.

use std::path::Path;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::version::Version;

/// How the changelog section of a release is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionForm {
    /// A final release of a changelog git-release reads back (Markdown): its pre-release
    /// sections and the fragments folded into one section, grouped, reviewed.
    Consolidated,
    /// towncrier's section built from the fragments, as `towncrier build` writes it: a
    /// pre-release, and a final release of a changelog git-release does not read back
    /// (reStructuredText), whose pre-release sections (`unfolded`, as their headings name
    /// them) stay as published — what towncrier does; their fragments were consumed when
    /// they were written, so nothing is listed twice.
    AsBuilt { unfolded: Vec<String> },
}

impl SectionForm {
    /// The form of `version`'s section in `changelog` (its path; read when it is
    /// reStructuredText, for the pre-release sections the final leaves unfolded).
    pub fn of(config: &Config, version: &Version, changelog: &Path) -> Result<SectionForm> {
        if !version.is_final() {
            return Ok(SectionForm::AsBuilt {
                unfolded: Vec::new(),
            });
        }
        if !is_restructured_text(&config.towncrier.filename) {
            return Ok(SectionForm::Consolidated);
        }
        let text = match std::fs::read(changelog) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io(changelog, e)),
        };
        Ok(SectionForm::AsBuilt {
            unfolded: pre_release_headings(&text, version),
        })
    }

    /// The pre-release sections of the version a final leaves as published.
    pub fn unfolded(&self) -> &[String] {
        match self {
            SectionForm::Consolidated => &[],
            SectionForm::AsBuilt { unfolded } => unfolded,
        }
    }

    /// Whether the section is consolidated (folded, grouped, reviewed).
    pub fn consolidates(&self) -> bool {
        *self == SectionForm::Consolidated
    }
}

/// Whether the changelog is reStructuredText by its name (towncrier's `NEWS.rst`).
fn is_restructured_text(filename: &str) -> bool {
    Path::new(filename)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("rst"))
}

/// The versions of `version`'s pre-releases (`1.2.0rc1`, `1.2.0b2`, …) that head a section
/// of a reStructuredText text: a line naming one (a word of it, as towncrier's titles write
/// it: `proj 1.2.0rc1 (2024-01-01)`, `v1.2.0rc1`) over an underline at least as long.
fn pre_release_headings(text: &str, version: &Version) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for pair in lines.windows(2) {
        let (title, under) = (pair[0].trim_end(), pair[1].trim_end());
        if !is_underline(under) || under.chars().count() < title.trim().chars().count() {
            continue;
        }
        for word in title.split_whitespace() {
            let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let word = word.strip_prefix(['v', 'V']).unwrap_or(word);
            let Ok(v) = Version::parse(word) else {
                continue;
            };
            if v.is_prerelease() && v.same_base(version) && !found.contains(&v.to_string()) {
                found.push(v.to_string());
            }
        }
    }
    found
}

/// A reStructuredText section underline: one punctuation character repeated (two or more).
fn is_underline(line: &str) -> bool {
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_ascii_punctuation() && line.len() >= 2 && chars.all(|c| c == first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn finds_pre_release_headings_of_the_version_only() {
        let text = "Changelog\n=========\n\n.. towncrier release notes start\n\n\
proj 1.2.0rc2 (2024-02-01)\n==========================\n\nFeatures\n--------\n\n- B (#2)\n\n\
v1.2.0b1\n--------\n\n- A (#1)\n\n\
proj 1.1.0rc1 (2023-01-01)\n==========================\n\n\
Mentions 1.2.0rc3 in prose\n\n\
short 1.2.0rc4\n====\n";
        assert_eq!(
            pre_release_headings(text, &v("1.2.0")),
            ["1.2.0rc2", "1.2.0b1"]
        );
        assert!(pre_release_headings(text, &v("1.3.0")).is_empty());
        assert!(pre_release_headings("", &v("1.2.0")).is_empty());
    }

    #[test]
    fn underlines_are_one_repeated_punctuation_character() {
        assert!(is_underline("=="));
        assert!(is_underline("~~~~~"));
        assert!(!is_underline("="));
        assert!(!is_underline("=-="));
        assert!(!is_underline("abc"));
        assert!(!is_underline(""));
    }
}
