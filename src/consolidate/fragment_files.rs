//! Fragments a consolidation can trust: each a regular file, or a symlink that resolves to
//! one inside the repository; valid UTF-8; with text to publish. (towncrier reads whatever
//! it finds: a symlink to `/etc/passwd` would be published, a FIFO would hang the build.)

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::fragments::{FragmentSet, parse_basename};

/// The directory fragments must stay inside: the git work tree holding the project (the
/// nearest directory with a `.git`), or the project's directory outside git. Absolute and
/// without symlinks, as the fragments' targets are compared with it.
pub fn repository_root(config: &Config) -> PathBuf {
    let root = config
        .root
        .canonicalize()
        .unwrap_or_else(|_| config.root.clone());
    root.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map_or_else(|| root.clone(), Path::to_path_buf)
}

/// Check every file of the fragment directories that is named like a fragment, by its
/// type alone, before anything reads it: a regular file, or a symlink to a regular file
/// inside `root`.
pub fn check_fragment_files(config: &Config, root: &Path) -> Result<()> {
    let tc = &config.towncrier;
    for section_dir in tc.sections.values() {
        let dir = config.fragments_dir(section_dir);
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .map(|e| e.map(|e| e.path()))
                .collect::<std::io::Result<_>>()
                .map_err(|e| Error::io(&dir, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(&dir, e)),
        };
        // By name, so that the first file at fault is the same on every disk.
        paths.sort();
        for path in paths {
            let Some(file_name) = path.file_name() else {
                continue;
            };
            let name = file_name.to_string_lossy();
            if parse_basename(&name, &tc.types).is_none() {
                continue;
            }
            // Its issue is read from the name: a name that is not UTF-8 would be
            // published mangled (`#\u{fffd}`).
            if file_name.to_str().is_none() {
                return Err(Error::Fragment {
                    path: path.clone(),
                    message: "has a name that is not UTF-8, so its issue cannot be published \
                              as written; rename it (`git mv`) to a UTF-8 name"
                        .into(),
                });
            }
            // Its issue is published from the name: a line break or another control
            // character there would break the entry's line (or hide in it).
            if let Some(c) = name.chars().find(|c| c.is_control()) {
                return Err(Error::Fragment {
                    path: path.clone(),
                    message: format!(
                        "has a control character ({}) in its name, which would be published \
                         inside its entry's issue reference; rename it (`git mv`) without it",
                        c.escape_default()
                    ),
                });
            }
            check_file(&path, root)?;
        }
    }
    Ok(())
}

fn check_file(path: &Path, root: &Path) -> Result<()> {
    let refuse = |message: String| Error::Fragment {
        path: path.to_path_buf(),
        message,
    };
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    let kind = meta.file_type();
    if kind.is_dir() {
        // Reported by fragment discovery, with what to do.
        return Ok(());
    }
    if kind.is_symlink() {
        let target = std::fs::canonicalize(path).map_err(|e| {
            refuse(format!(
                "is a symlink that does not resolve ({e}); remove it or point it at a fragment"
            ))
        })?;
        // Inside the work tree, and not into git's own files (`.git/config` is no news).
        let Ok(rel) = target.strip_prefix(root) else {
            return Err(refuse(format!(
                "is a symlink to {}, outside the repository ({}); a fragment's text must be \
                 part of the project: copy the text into the file, or remove it",
                target.display(),
                root.display()
            )));
        };
        if rel.components().any(|c| c.as_os_str() == ".git") {
            return Err(refuse(format!(
                "is a symlink into git's own files ({}); a fragment's text must be part of the \
                 project: copy the text into the file, or remove it",
                target.display()
            )));
        }
        let meta = std::fs::metadata(&target).map_err(|e| Error::io(&target, e))?;
        if !meta.is_file() {
            return Err(refuse(format!(
                "is a symlink to {}, which is not a regular file; a fragment is a text file",
                target.display()
            )));
        }
        return Ok(());
    }
    if !kind.is_file() {
        return Err(refuse(
            "is not a regular file (a pipe, socket or device); a fragment is a text file: \
             remove it"
                .into(),
        ));
    }
    Ok(())
}

/// Check the fragments' text, once read: valid UTF-8 and not empty (a type whose text is
/// not shown may be empty when the fragment names an issue).
pub fn check_fragment_texts(config: &Config, set: &FragmentSet) -> Result<()> {
    for f in &set.fragments {
        if f.content.contains('\u{FFFD}') {
            // The text was decoded with replacement characters: find out whether the file
            // really holds them.
            let bytes = std::fs::read(&f.path).map_err(|e| Error::io(&f.path, e))?;
            if let Err(e) = std::str::from_utf8(&bytes) {
                return Err(Error::Fragment {
                    path: f.path.clone(),
                    message: format!(
                        "is not valid UTF-8 (at byte {}); save it as UTF-8, then re-run",
                        e.valid_up_to()
                    ),
                });
            }
        }
        let shown = config
            .towncrier
            .types
            .get(&f.kind)
            .is_none_or(|t| t.showcontent);
        if f.content.trim().is_empty() && (shown || f.issue.is_empty()) {
            return Err(Error::Fragment {
                path: f.path.clone(),
                message: "is empty; write what changed in it, or delete it".into(),
            });
        }
    }
    Ok(())
}
