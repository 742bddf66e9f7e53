//! How a release writes its changelog section: consolidated (a final's rc sections and
//! fragments folded, grouped and reviewed) or as towncrier builds it (flat, from the
//! fragments). The one place this is decided; the release layer asks [`SectionForm::of`].
//!
//! git-release reads back only Markdown sections: a final of a reStructuredText changelog
//! (towncrier's default `NEWS.rst`) is written as `towncrier build` writes it, its
//! pre-release sections left as published (said in the plan), never refused.
//!
//! A final with nothing to fold — no fragment file at all and no section of its version
//! in the changelog — is written as towncrier builds it too: towncrier's section for no
//! fragments (`No significant changes.` in its templates), byte for byte. Decided here,
//! before pre-flight asks whether a review will open (none will), rather than by falling
//! back on the fold's refusal: the fold's "nothing to consolidate" stays the refusal of
//! what cannot be released (every input stale, sections it cannot read).

use std::path::Path;

use crate::changelog::ReleaseTitle;
use crate::config::Config;
use crate::error::Result;
use crate::version::Version;

/// How the changelog section of a release is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionForm {
    /// A final release of a changelog git-release reads back (Markdown): its pre-release
    /// sections and the fragments folded into one section, grouped, reviewed.
    Consolidated,
    /// towncrier's section built from the fragments, as `towncrier build` writes it: a
    /// pre-release; a final release of a changelog git-release does not read back
    /// (reStructuredText), whose pre-release sections (`unfolded`, as their headings name
    /// them) stay as published — what towncrier does; their fragments were consumed when
    /// they were written, so nothing is listed twice; and a final with nothing to fold (no
    /// fragment file, no section of its version: [`nothing_to_fold`]).
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
        if !crate::changelog::project_is_rst(config) {
            if nothing_to_fold(config, version, changelog)? {
                return Ok(SectionForm::AsBuilt {
                    unfolded: Vec::new(),
                });
            }
            return Ok(SectionForm::Consolidated);
        }
        let titles = crate::changelog::release_titles(config, changelog)?;
        Ok(SectionForm::AsBuilt {
            unfolded: pre_release_headings(&titles, version),
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

/// Whether a final of a Markdown changelog has nothing to fold: no fragment file at all
/// (one of an unknown type counts: the fold refuses it), no pre-release written to a file of
/// its own, and no heading of the changelog (`#` headings and setext ones, above the start
/// string too) naming a version of its base (`1.2.0rc1`, `v1.2.0b2`, `1.2.0` itself). What
/// the fold would read, or refuse, stays its own: anything it might fold keeps the final
/// consolidated, and a fragment set or a changelog that cannot be read is the fold's to say.
/// Every fragment stale is not nothing: those are consolidated, and refused there as today.
fn nothing_to_fold(config: &Config, version: &Version, changelog: &Path) -> Result<bool> {
    // The changelog first: a final after its pre-releases (the usual one) names them in its
    // first headings, and the fragments are not read twice.
    match std::fs::read(changelog) {
        Ok(bytes) if names_its_base(&String::from_utf8_lossy(&bytes), version) => {
            return Ok(false);
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => return Ok(false),
    }
    if super::rc_files::check_folded_here(config, version, changelog).is_err() {
        return Ok(false);
    }
    let Ok(set) = crate::fragments::discover(config) else {
        return Ok(false);
    };
    Ok(set.fragments.is_empty() && set.unknown.is_empty())
}

/// Whether a heading of the Markdown `text` (a line starting with `#`, or one over a setext
/// underline) names a version of `version`'s base, its pre-releases and itself included.
fn names_its_base(text: &str, version: &Version) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let heading = |i: usize| {
        let line = lines[i].trim_start();
        line.starts_with('#')
            || lines.get(i + 1).is_some_and(|next| {
                let next = next.trim();
                !line.is_empty() && !next.is_empty() && next.chars().all(|c| c == '=' || c == '-')
            })
    };
    (0..lines.len()).filter(|&i| heading(i)).any(|i| {
        lines[i]
            .split(|c: char| !(c.is_ascii_alphanumeric() || "._-+!".contains(c)))
            .flat_map(|w| w.split(".."))
            .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
            .map(|w| w.strip_prefix(['v', 'V']).unwrap_or(w))
            .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
            .any(|w| Version::parse(w).is_ok_and(|v| v.same_base(version)))
    })
}

/// The versions of `version`'s pre-releases (`1.2.0rc1`, `1.2.0b2`, …) among a changelog's
/// release titles, once each, in the order written.
fn pre_release_headings(titles: &[ReleaseTitle], version: &Version) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for t in titles {
        let v = &t.version;
        if v.is_prerelease() && v.same_base(version) && !found.contains(&v.to_string()) {
            found.push(v.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    /// Only the release titles count: a title at a category's level, a version in
    /// prose, or a short underline under a longer title name no section.
    #[test]
    fn finds_pre_release_headings_of_the_version_only() {
        let text = "Changelog\n=========\n\n.. towncrier release notes start\n\n\
proj 1.2.0rc2 (2024-02-01)\n==========================\n\nFeatures\n--------\n\n- B (#2)\n\n\
v1.2.0b1\n========\n\nFeatures 1.2.0rc5\n-----------------\n\n- A (#1)\n\n\
proj 1.1.0rc1 (2023-01-01)\n==========================\n\n\
Mentions 1.2.0rc3 in prose\n\n\
short 1.2.0rc4\n===\n\n\
proj 1.2.0rc2 (again)\n=====================\n";
        let titles = crate::changelog::rst_release_titles(
            text,
            Some(".. towncrier release notes start\n"),
            Some('='),
        );
        assert_eq!(
            pre_release_headings(&titles, &v("1.2.0")),
            ["1.2.0rc2", "1.2.0b1"]
        );
        assert!(pre_release_headings(&titles, &v("1.3.0")).is_empty());
        assert!(pre_release_headings(&[], &v("1.2.0")).is_empty());
    }

    #[test]
    fn a_heading_naming_a_version_of_the_base_is_something_to_fold() {
        let base = v("1.2.0");
        for text in [
            "# Changelog\n\n## 1.2.0rc1 (2024-01-01)\n\n- A\n",
            "## [v1.2.0b2](https://x/compare/v1.1.0...v1.2.0b2) - 2024\n",
            "## 1.2.0 (unreleased)\n",
            "Release 1.2.0a1\n---\n",
            "Release 1.2.0-rc.1\n===\n",
            "### 1.2.0.dev3\n",
            "## 1.1.0...1.2.0rc1\n",
            // Above the start string: the fold says where it stands.
            "## 1.2.0rc1\n<!-- towncrier release notes start -->\n## 1.1.0\n",
        ] {
            assert!(names_its_base(text, &base), "{text}");
        }
        for text in [
            "",
            "# Changelog\n\n## 1.1.0rc1 (2024-01-01)\n\n- Needs foo 1.2.0rc1\n",
            "## 1.12.0\n## 11.2.0rc1\n## 1.2.01x\n",
            "Text 1.2.0rc1 in prose\n\n---\n",
        ] {
            assert!(!names_its_base(text, &base), "{text}");
        }
    }
}
