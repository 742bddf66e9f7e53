//! How a release writes its changelog section: consolidated (a final's rc sections and
//! fragments folded, grouped and reviewed) or as towncrier builds it (flat, from the
//! fragments). The one place this is decided; the release layer asks [`SectionForm::of`].
//!
//! git-release reads back only Markdown sections: a final of a reStructuredText changelog
//! (towncrier's default `NEWS.rst`) is written as `towncrier build` writes it, its
//! pre-release sections left as published (said in the plan), never refused.

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
        if !crate::changelog::project_is_rst(config) {
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
}
