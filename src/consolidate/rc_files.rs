//! A changelog path that differs per release (`filename = "docs/changelog/{version}.md"`
//! with `single_file = false`, as towncrier writes a file per release; `{project_date}` in
//! the name): each pre-release of a version was written to a file of its own, and a final
//! folds only the rc sections of the file it is written to. Those files are found here
//! (by listing the directories the path's pattern names), so that a final whose rc
//! entries stand elsewhere is refused rather than published without them.

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::changelog::{Changelog, RefFormat};
use crate::config::Config;
use crate::error::Result;
use crate::version::Version;

/// What stands in for a field of the path's pattern while it is made a regex (a private-use
/// character, never in a path the user wrote).
const VERSION_MARK: &str = "\u{E000}v\u{E000}";
const DATE_MARK: &str = "\u{E000}d\u{E000}";

/// A file of the changelog's pattern, other than the final's own, that holds a pre-release
/// of `version`, with the pre-release it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcFile {
    pub path: PathBuf,
    pub versions: Vec<String>,
}

/// The files of the changelog's pattern besides `own` (the final's file) that hold a
/// pre-release of `version`'s base: by the version in the name when the pattern has
/// `{version}`, else (a name by `{project_date}`) by the release headings each holds.
/// Empty when the pattern names one file for the whole cycle.
pub fn rc_files(config: &Config, version: &Version, own: &Path) -> Result<Vec<RcFile>> {
    let template = config.changelog_template();
    if !template.contains("{version") && !template.contains("{project_date") {
        return Ok(Vec::new());
    }
    let (major, minor, patch) = (
        version.major().to_string(),
        version.minor().to_string(),
        version.patch().to_string(),
    );
    let name = config.towncrier.name.as_str();
    let Ok(marked) = crate::pycompat::format::py_format(
        template,
        &[
            ("name", name),
            ("version", VERSION_MARK),
            ("project_date", DATE_MARK),
            ("major", &major),
            ("minor", &minor),
            ("patch", &patch),
        ],
    ) else {
        // A pattern that cannot be formatted is refused where the path is made.
        return Ok(Vec::new());
    };
    let by_version = marked.contains(VERSION_MARK);
    let mut found = Vec::new();
    for (path, named) in matching_files(&config.root, &marked) {
        if path == own {
            continue;
        }
        let versions: Vec<String> = match named {
            Some(v) => Version::parse(v.trim_start_matches(['v', 'V']))
                .ok()
                .filter(|v| is_pre_release_of(v, version))
                .map(|v| v.as_str().to_string())
                .into_iter()
                .collect(),
            None if !by_version => pre_releases_in(config, &path, version),
            None => Vec::new(),
        };
        if !versions.is_empty() {
            found.push(RcFile { path, versions });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// Refuse a final (its section, and `consolidate`) whose pre-releases were written to files
/// of their own: their entries would be missing from the section, which folds only the rc
/// sections of its own file. Refused before anything is read or written, naming the key and
/// the files; `--allow-missing-rc` would publish without them, so it is not offered.
pub fn check_folded_here(config: &Config, version: &Version, own: &Path) -> Result<()> {
    let found = rc_files(config, version, own)?;
    if found.is_empty() {
        return Ok(());
    }
    let rel = |p: &Path| {
        p.strip_prefix(&config.root)
            .unwrap_or(p)
            .display()
            .to_string()
    };
    let files: Vec<String> = found
        .iter()
        .map(|f| {
            let shown = rel(&f.path);
            match f.versions.iter().all(|v| shown.contains(v.as_str())) {
                true => shown,
                false => format!("{shown}: {}", f.versions.join(", ")),
            }
        })
        .collect();
    let single = if config.towncrier.single_file {
        String::new()
    } else {
        " with `single_file = false`".to_string()
    };
    Err(config.changelog_key_error(format!(
        "is `{}`{single}, a file per release: the pre-releases of {version} are in files of \
         their own ({}), but a final release folds only the pre-release sections of the file \
         it is written to ({}), so their entries would be missing from {version}. Nothing was \
         written. To fold them, keep one changelog for the release cycle (a path without \
         `{{version}}` or `{{project_date}}`, with `single_file = true`) and move these \
         sections into it; to publish {version} as towncrier does, with the new fragments \
         only and the pre-release files left as they are, run `git release build {version}`",
        config.changelog_template(),
        files.join(", "),
        rel(own),
    )))
}

/// Whether `v` is a pre-release (or dev release) of `version`'s base, as a final folds them.
fn is_pre_release_of(v: &Version, version: &Version) -> bool {
    !v.is_final() && v.base() == version.base()
}

/// The pre-releases of `version` whose sections `path` holds (read leniently: a file that
/// cannot be read holds none that could be folded from here).
fn pre_releases_in(config: &Config, path: &Path, version: &Version) -> Vec<String> {
    let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
    let Ok(Some(log)) = Changelog::read_project(path, Some(&config.towncrier.start_string), &refs)
    else {
        return Vec::new();
    };
    log.releases()
        .iter()
        .filter_map(|r| r.version())
        .filter(|v| is_pre_release_of(v, version))
        .map(|v| v.as_str().to_string())
        .collect()
}

/// The regular files under `root` whose relative path matches `marked` (the pattern with
/// [`VERSION_MARK`] and [`DATE_MARK`] for its varying fields), with the text the version
/// field matched. Only the directories the pattern names are listed.
fn matching_files(root: &Path, marked: &str) -> Vec<(PathBuf, Option<String>)> {
    let mut level: Vec<(PathBuf, Option<String>)> = vec![(root.to_path_buf(), None)];
    let parts: Vec<&str> = marked.split('/').filter(|p| !p.is_empty()).collect();
    for (k, part) in parts.iter().enumerate() {
        let last = k + 1 == parts.len();
        let mut next = Vec::new();
        if !part.contains(VERSION_MARK) && !part.contains(DATE_MARK) {
            for (dir, named) in level {
                next.push((dir.join(part), named));
            }
        } else {
            let Some(re) = component_regex(part) else {
                return Vec::new();
            };
            for (dir, named) in level {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let file_name = entry.file_name();
                    let Some(file_name) = file_name.to_str() else {
                        continue;
                    };
                    let Some(caps) = re.captures(file_name) else {
                        continue;
                    };
                    let version = caps.name("version").map(|m| m.as_str().to_string());
                    next.push((dir.join(file_name), version.or_else(|| named.clone())));
                }
            }
        }
        level = next
            .into_iter()
            .filter(|(p, _)| if last { p.is_file() } else { p.is_dir() })
            .collect();
    }
    level
}

/// One path component of the pattern as an anchored regex: the version field captured.
fn component_regex(part: &str) -> Option<Regex> {
    let mut source = String::from("^");
    let mut rest = part;
    let mut version_seen = false;
    while !rest.is_empty() {
        let v = rest.find(VERSION_MARK);
        let d = rest.find(DATE_MARK);
        let (at, mark) = match (v, d) {
            (Some(v), Some(d)) if d < v => (d, DATE_MARK),
            (Some(v), _) => (v, VERSION_MARK),
            (None, Some(d)) => (d, DATE_MARK),
            (None, None) => {
                source.push_str(&regex::escape(rest));
                break;
            }
        };
        source.push_str(&regex::escape(&rest[..at]));
        if mark == VERSION_MARK && !version_seen {
            source.push_str("(?P<version>.+?)");
            version_seen = true;
        } else if mark == DATE_MARK {
            // A release's date is always written `YYYY-MM-DD` (`--date` is checked so).
            source.push_str(r"\d{4}-\d{2}-\d{2}");
        } else {
            source.push_str(".+?");
        }
        rest = &rest[at + mark.len()..];
    }
    source.push('$');
    Regex::new(&source).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_captures_the_version_between_literal_text() {
        let re = component_regex(&format!("{VERSION_MARK}.md")).unwrap();
        let caps = re.captures("2.0.0rc1.md").unwrap();
        assert_eq!(&caps["version"], "2.0.0rc1");
        assert!(re.captures("2.0.0rc1.md.bak").is_none());
        let re = component_regex(&format!("news-{DATE_MARK}-{VERSION_MARK}.md")).unwrap();
        let caps = re.captures("news-2026-01-02-2.0.0b1.md").unwrap();
        assert_eq!(&caps["version"], "2.0.0b1");
        let re = component_regex("a+b (x).md").unwrap();
        assert!(re.is_match("a+b (x).md") && !re.is_match("aab (x).md"));
    }

    #[test]
    fn only_the_named_directories_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/2.0.0rc1")).unwrap();
        std::fs::create_dir_all(root.join("docs/2.0.0rc2")).unwrap();
        std::fs::write(root.join("docs/2.0.0rc1/NEWS.md"), "x").unwrap();
        std::fs::write(root.join("docs/2.0.0rc2/OTHER.md"), "x").unwrap();
        let found = matching_files(root, &format!("docs/{VERSION_MARK}/NEWS.md"));
        assert_eq!(
            found,
            [(
                root.join("docs/2.0.0rc1/NEWS.md"),
                Some("2.0.0rc1".to_string())
            )]
        );
        assert!(matching_files(root, &format!("missing/{VERSION_MARK}.md")).is_empty());
    }
}
