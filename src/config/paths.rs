//! Configured paths checked against each other and the disk: the next-version file is
//! none of the files the release writes otherwise, and a configured directory that is a
//! file is named by its key.

use std::path::{Path, PathBuf};

use super::Config;
use crate::error::{Error, Result};

impl Config {
    /// A configured directory that is not one (`changes` a file or a FIFO; the old
    /// `CHANGELOG` file where `CHANGELOG/{major}.{minor}.md` needs a directory), named by
    /// its key, with the file in the way; `None` when `path` is under no configured
    /// directory.
    pub(super) fn not_a_directory(&self, path: &Path) -> Option<Error> {
        // `changes/`: a trailing slash would make the file itself unreadable as a path.
        let path: PathBuf = path.components().collect();
        let path = path.as_path();
        let blocking = path
            .ancestors()
            .find(|a| a.symlink_metadata().is_ok_and(|_| !a.is_dir()))?;
        let tc = &self.towncrier;
        let in_fragments = tc.sections.values().any(|d| {
            let dir = self.fragments_dir(d);
            path.starts_with(&dir) || dir.starts_with(path)
        });
        let template = self.changelog_template();
        let fixed = &template[..template.find('{').unwrap_or(template.len())];
        let fixed = self.root.join(fixed);
        let kind = blocking
            .metadata()
            .ok()
            .and_then(|m| crate::atomic::not_regular(&m))
            .unwrap_or("a file");
        let message = |setting: &str| {
            format!(
                "names {setting}, but {} is {kind}, where a directory is needed; move it \
                 away, or configure another path",
                blocking.display()
            )
        };
        if in_fragments {
            let key = if tc.directory.is_some() {
                "directory"
            } else {
                "package"
            };
            return Some(
                self.towncrier_source
                    .error(key, message(&path.display().to_string())),
            );
        }
        let fixed_in_root = fixed != self.root && blocking.starts_with(&self.root);
        if fixed_in_root && (fixed.starts_with(blocking) || path.starts_with(&fixed)) {
            return Some(self.changelog_key_error(message(&path.display().to_string())));
        }
        None
    }

    /// The next-version step rewrites what its pattern finds in `next-version.file`: that
    /// file must not be one the release writes otherwise — the changelog (a released
    /// heading rewritten into the next version), the version file (the branch would end
    /// at the next version), a fragment. Compared by path (`.`, `..` taken lexically) and,
    /// when both exist, as files (a link, a hard link).
    pub(super) fn check_next_version_file(&self) -> Result<()> {
        let Some(nv) = &self.release.next_version else {
            return Ok(());
        };
        let file = normal(&self.root.join(&nv.file));
        let same = |other: &Path| normal(other) == file || crate::atomic::same_file(&file, other);
        let template = self.changelog_template();
        let changelog_key = match self.release.changelog {
            Some(_) => "`changelog`".to_string(),
            None => format!("`filename` in {}", self.towncrier_source.file.display()),
        };
        let changelog_named = if template.contains('{') {
            let pattern = template_glob(&self.root, template);
            glob::Pattern::new(&pattern).is_ok_and(|p| p.matches_path(&file))
        } else {
            same(&self.root.join(template))
        };
        let clash = if changelog_named || self.changelog_files()?.iter().any(|c| same(c)) {
            Some(format!(
                "the changelog ({changelog_key}), whose released headings it would rewrite"
            ))
        } else if self.version_paths().iter().any(|v| same(v)) {
            Some(
                "the version file (`version-file`), which the release sets to the version \
                 released: the branch would end at the next version instead"
                    .to_string(),
            )
        } else if self.towncrier.sections.values().any(|d| {
            let dir = normal(&self.fragments_dir(d));
            file.starts_with(&dir)
        }) {
            Some("in the fragments directory, where it would be read as a fragment".to_string())
        } else {
            None
        };
        match clash {
            Some(what) => Err(self.settings_source.error(
                "next-version.file",
                format!(
                    "= \"{}\" is {what}; point it at the file that holds the next development \
                     version (a `__version__` or `NEXT_RELEASE_VERSION` line in the sources)",
                    nv.file
                ),
            )),
            None => Ok(()),
        }
    }
}

/// `path` with `.` left out and `..` taking away the component before it, lexically.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The changelog template as a glob under `root`: each `{placeholder}` a `*`.
pub(super) fn template_glob(root: &Path, template: &str) -> String {
    let mut pattern = glob::Pattern::escape(&root.to_string_lossy());
    pattern.push('/');
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        pattern.push_str(&glob::Pattern::escape(&rest[..open]));
        match rest[open..].find('}') {
            Some(close) => {
                pattern.push('*');
                rest = &rest[open + close + 1..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    pattern.push_str(&glob::Pattern::escape(rest));
    pattern
}
