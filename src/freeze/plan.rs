//! Which files the freeze changes and how, computed from the work tree without writing
//! anything; and the one atomic write of the result.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use super::Freeze;
use crate::atomic::FileSet;
use crate::error::{Error, Result};
use crate::git::Repo;

/// How many leftover lines an error lists before it says "and N more".
const LEFTOVERS_SHOWN: usize = 30;

/// git's own test for binary content: a NUL among the first 8000 bytes
/// (`FIRST_FEW_BYTES` in git's `buffer_is_binary`).
const BINARY_SNIFF: usize = 8000;

/// A path the freeze never touches because git-release reads or writes it itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spared {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    /// Everything below `path` is spared (the fragments directory).
    pub directory: bool,
}

/// A file the release writes a version into (the version file): frozen like any other,
/// but the version's bytes are the version step's — a rule that would change them refuses
/// the freeze.
#[derive(Debug, Clone)]
pub struct Guarded {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    /// Where the file holds its version (none: the whole file).
    pub pattern: Option<crate::version::VersionPattern>,
}

/// Where the freeze looks: the configuration's directory, the spared paths, and the files
/// whose version it must leave as it is.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The configuration's directory relative to the repository root, empty or ending in
    /// `/`: `files` and `exclude` are relative to it, and nothing outside it is frozen.
    pub base: String,
    pub spared: Vec<Spared>,
    pub guarded: Vec<Guarded>,
}

impl Scope {
    /// Refused when `new`, the freeze of `path`'s `old` bytes, does not hold where a
    /// guarded file holds its version what `old` holds there, or `released` as the version
    /// step writes it.
    fn check_version_kept(&self, path: &str, old: &[u8], new: &[u8], released: &str) -> Result<()> {
        for g in self.guarded.iter().filter(|g| g.path == path) {
            let text = |b: &[u8]| String::from_utf8(b.to_vec()).ok();
            let (Some(old), Some(new)) = (text(old), text(new)) else {
                continue;
            };
            let Ok((span, version)) = crate::version::held(&old, g.pattern.as_ref()) else {
                continue;
            };
            let written = crate::version::Version::parse(released)
                .map(|v| v.spelled_as(&old[span.clone()]))
                .ok();
            let kept = crate::version::held(&new, g.pattern.as_ref()).is_ok_and(|(now, _)| {
                new[now.clone()] == old[span.clone()] || Some(&new[now]) == written.as_deref()
            });
            if !kept {
                return Err(Error::Refused(format!(
                    "{path}: the freeze's rules would change the version written there \
                     ({version}), which is the version step's to write; make the rules leave \
                     the version as it is (a `keep` rule for its line, or a `match` that does \
                     not reach it)"
                )));
            }
        }
        Ok(())
    }

    fn is_spared(&self, path: &str) -> bool {
        self.spared.iter().any(|s| {
            if s.directory {
                let dir = s.path.trim_end_matches('/');
                path.strip_prefix(dir)
                    .is_some_and(|rest| rest.starts_with('/'))
            } else {
                s.path == path
            }
        })
    }
}

/// One file the freeze rewrites.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Relative to the repository root.
    pub path: String,
    /// Replaced matches and dropped lines.
    pub places: usize,
    /// The file's new contents.
    #[serde(skip)]
    pub contents: Vec<u8>,
}

/// How often one rule applied, over every file.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    pub name: String,
    /// `drop`, `keep` or `replace`.
    pub action: &'static str,
    /// Replaced matches, dropped lines or kept lines.
    pub count: usize,
}

/// A symlink the freeze leaves alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftLink {
    pub path: String,
    pub reason: String,
}

/// Files that mention the placeholder and are not changed, by reason.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LeftAlone {
    /// Matched by `files` and by `exclude`.
    pub excluded: Vec<String>,
    /// Matched by `files`, but git-release reads or writes them itself.
    pub spared: Vec<String>,
    pub binary: Vec<String>,
    pub symlinks: Vec<LeftLink>,
    /// They mention the placeholder only on lines a `keep` rule kept.
    pub kept: Vec<String>,
}

/// The freeze, worked out: what changes, what is left alone, what deserves a warning.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub placeholder: String,
    pub version: String,
    /// Replaced matches plus dropped lines, over every file.
    pub places: usize,
    /// Files that change.
    pub files: usize,
    pub replaced: usize,
    pub dropped: usize,
    /// Lines `keep` rules kept.
    pub kept: usize,
    pub by_rule: Vec<RuleCount>,
    pub changes: Vec<Change>,
    pub left_alone: LeftAlone,
    pub warnings: Vec<String>,
}

impl Outcome {
    /// `3 places in 2 files`, as the plan, the step and `git release freeze` say it.
    pub fn extent(&self) -> String {
        Self::extent_of(self.places, self.files)
    }

    /// "N places in M files", singular where it is one.
    pub fn extent_of(places: usize, files: usize) -> String {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        format!("{places} place{} in {files} file{}", s(places), s(files))
    }

    /// Write every changed file, all or none (temporary files renamed into place, modes
    /// kept). Only regular files are written: a path that has become anything else since
    /// the freeze was computed stops the write before any file changes.
    pub fn apply(&self, root: &Path) -> Result<()> {
        let mut set = FileSet::new();
        for change in &self.changes {
            let path = root.join(&change.path);
            let meta = path.symlink_metadata().map_err(|e| Error::io(&path, e))?;
            if !meta.is_file() {
                return Err(Error::Refused(format!(
                    "{}: no longer a regular file; the freeze writes regular files only, so nothing was frozen",
                    change.path
                )));
            }
            set.put(path, change.contents.clone());
        }
        set.commit()
    }
}

/// Work out the freeze of `version` in the repository's work tree. Refuses (and changes
/// nothing, since nothing is written here) when a literal path in `files` or `exclude` is
/// not a tracked file, or when the rules leave a line mentioning the placeholder.
pub fn plan(repo: &Repo, freeze: &Freeze, version: &str, scope: &Scope) -> Result<Outcome> {
    let root = repo.root();
    let tracked = repo.ls_files()?;
    let tracked_set: HashSet<&str> = tracked.iter().map(String::as_str).collect();
    let selected = |path: &str| {
        path.strip_prefix(scope.base.as_str()).is_some_and(|rel| {
            freeze.files.matches(rel) && !freeze.exclude.matches(rel) && !scope.is_spared(path)
        })
    };
    let mut file_hits = vec![false; freeze.files.sources().len()];
    let mut exclude_hits = vec![false; freeze.exclude.sources().len()];
    let mut left = LeftAlone::default();
    let mut warnings = Vec::new();
    let mut candidates: Vec<(&str, Vec<u8>)> = Vec::new();
    for path in &tracked {
        let Some(rel) = path.strip_prefix(scope.base.as_str()) else {
            continue;
        };
        let mut in_files = false;
        for i in freeze.files.matching(rel) {
            file_hits[i] = true;
            in_files = true;
        }
        for i in freeze.exclude.matching(rel) {
            exclude_hits[i] = true;
        }
        let spared = scope.is_spared(path);
        let chosen = selected(path);
        // How the patterns were read before `*` stopped at `/`.
        let chosen_before =
            freeze.files.matches_loosely(rel) && !freeze.exclude.matches_loosely(rel) && !spared;
        if !in_files && !chosen_before {
            continue;
        }
        let full = root.join(path);
        let Ok(meta) = full.symlink_metadata() else {
            // Left out by a sparse checkout, deleted by a step, or a name git-release cannot
            // spell: its placeholders would ship unfrozen, so nothing is frozen.
            if chosen {
                return Err(Error::Refused(format!(
                    "{path} is to be frozen, but it is tracked and not in the work tree (a \
                     sparse checkout leaves it out, or a step deleted it), so its {} would \
                     ship unfrozen; check it out (`git sparse-checkout add {path}` or `git \
                     sparse-checkout disable`), or exclude it in `{}exclude` of {}",
                    freeze.placeholder,
                    freeze.origin.table,
                    freeze.origin.file.display()
                )));
            }
            continue;
        };
        if meta.is_symlink() {
            if chosen {
                if let Some(reason) = link_reason(root, &full, freeze, &tracked_set, &selected)? {
                    left.symlinks.push(LeftLink {
                        path: path.clone(),
                        reason,
                    });
                }
            }
            continue;
        }
        if !meta.is_file() {
            continue; // a submodule
        }
        let data = std::fs::read(&full).map_err(|e| Error::io(&full, e))?;
        if !freeze.mentions(&data) {
            continue;
        }
        if chosen != chosen_before {
            warnings.push(semantics_warning(freeze, path, chosen));
        }
        if !chosen {
            if in_files && spared {
                left.spared.push(path.clone());
            } else if in_files {
                left.excluded.push(path.clone());
            }
            continue;
        }
        if behind_a_symlink(root, path) {
            left.symlinks.push(LeftLink {
                path: path.clone(),
                reason: "a directory on its path is a symlink".into(),
            });
            continue;
        }
        if data.iter().take(BINARY_SNIFF).any(|&b| b == 0) {
            left.binary.push(path.clone());
            continue;
        }
        candidates.push((path, data));
    }
    check_patterns(freeze, scope, &file_hits, &exclude_hits, &mut warnings)?;

    // git attributes can declare a file binary (`binary`, `-text`; LFS files are `-text`).
    let paths: Vec<&str> = candidates.iter().map(|(p, _)| *p).collect();
    let (binary, text) = if paths.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (
            repo.check_attr("binary", &paths)?,
            repo.check_attr("text", &paths)?,
        )
    };

    let mut by_rule = vec![0; freeze.rules.len()];
    let mut changes = Vec::new();
    let (mut replaced, mut dropped, mut kept) = (0, 0, 0);
    let mut leftovers = Vec::new();
    for (i, (path, data)) in candidates.into_iter().enumerate() {
        if binary.get(i).is_some_and(|v| v == "set") || text.get(i).is_some_and(|v| v == "unset") {
            left.binary.push(path.to_string());
            continue;
        }
        let frozen = freeze.freeze_bytes(&data, version);
        for l in &frozen.leftovers {
            leftovers.push(format!("{path}:{}: {}", l.line, l.text));
        }
        for (total, n) in by_rule.iter_mut().zip(&frozen.by_rule) {
            *total += n;
        }
        replaced += frozen.replaced;
        dropped += frozen.dropped;
        kept += frozen.kept;
        if frozen.new == data {
            left.kept.push(path.to_string());
        } else {
            scope.check_version_kept(path, &data, &frozen.new, version)?;
            changes.push(Change {
                path: path.to_string(),
                places: frozen.places(),
                contents: frozen.new,
            });
        }
    }
    if !leftovers.is_empty() {
        return Err(leftover_error(freeze, &leftovers));
    }
    Ok(Outcome {
        placeholder: freeze.placeholder.clone(),
        version: version.to_string(),
        places: replaced + dropped,
        files: changes.len(),
        replaced,
        dropped,
        kept,
        by_rule: freeze
            .rules
            .iter()
            .zip(by_rule)
            .map(|(r, count)| RuleCount {
                name: r.name.clone(),
                action: r.action.key(),
                count,
            })
            .collect(),
        changes,
        left_alone: left,
        warnings,
    })
}

/// Why a chosen symlink is left alone, or `None` when there is nothing to say: its target
/// is itself a file to freeze (frozen once, under its own path), or does not mention the
/// placeholder.
fn link_reason(
    root: &Path,
    link: &Path,
    freeze: &Freeze,
    tracked: &HashSet<&str>,
    selected: &dyn Fn(&str) -> bool,
) -> Result<Option<String>> {
    let Ok(real) = link.canonicalize() else {
        return Ok(Some("a broken link".into()));
    };
    let Ok(target) = real.strip_prefix(root) else {
        return Ok(Some("points outside the repository".into()));
    };
    let target = target.to_string_lossy().replace('\\', "/");
    if !real.is_file() {
        return Ok(Some(format!("{target} is not a regular file")));
    }
    if tracked.contains(target.as_str()) && selected(&target) {
        return Ok(None);
    }
    let data = std::fs::read(&real).map_err(|e| Error::io(&real, e))?;
    Ok(freeze
        .mentions(&data)
        .then(|| format!("its target {target} is not a file to freeze")))
}

/// Whether a directory on `path` is a symlink: writing there would write outside the path.
fn behind_a_symlink(root: &Path, path: &str) -> bool {
    let full = root.join(path);
    let Some(parent) = full.parent() else {
        return false;
    };
    parent.canonicalize().map_or(true, |real| real != parent)
}

fn semantics_warning(freeze: &Freeze, path: &str, chosen: bool) -> String {
    let keys = format!("{0}files` and `{0}exclude", freeze.origin.table);
    if chosen {
        format!(
            "{path} mentions {} and is frozen: an `exclude` pattern matched it while `*` and `?` crossed `/`, and in `{keys}` they now stop at `/` (as in git's pathspecs); use `**/` to exclude it again",
            freeze.placeholder
        )
    } else {
        format!(
            "{path} mentions {} and is no longer frozen: `*` and `?` in `{keys}` now stop at `/` (as in git's pathspecs); use `**/` to reach into directories",
            freeze.placeholder
        )
    }
}

/// A literal pattern that names no tracked file is an error (a path that moved or a typo:
/// a stale `exclude` would let the file it meant be frozen); a wildcard that matches
/// nothing is a warning.
fn check_patterns(
    freeze: &Freeze,
    scope: &Scope,
    file_hits: &[bool],
    exclude_hits: &[bool],
    warnings: &mut Vec<String>,
) -> Result<()> {
    let under = if scope.base.is_empty() {
        "the repository".to_string()
    } else {
        scope.base.trim_end_matches('/').to_string()
    };
    for (key, patterns, hits) in [
        ("files", &freeze.files, file_hits),
        ("exclude", &freeze.exclude, exclude_hits),
    ] {
        for (i, hit) in hits.iter().enumerate() {
            if *hit {
                continue;
            }
            let source = &patterns.sources()[i];
            if patterns.is_literal(i) {
                return Err(freeze.origin.error(
                    key,
                    format!(
                        "names `{source}`, which is not a tracked file in {under}: fix the path, `git add` the file, or remove it (a directory is `{source}/**`)"
                    ),
                ));
            }
            warnings.push(format!(
                "`{}{key}` pattern `{source}` matches no tracked file",
                freeze.origin.table
            ));
        }
    }
    Ok(())
}

fn leftover_error(freeze: &Freeze, leftovers: &[String]) -> Error {
    let mut shown: Vec<String> = leftovers
        .iter()
        .take(LEFTOVERS_SHOWN)
        .map(|l| format!("  {l}"))
        .collect();
    if leftovers.len() > LEFTOVERS_SHOWN {
        shown.push(format!(
            "  … and {} more",
            leftovers.len() - LEFTOVERS_SHOWN
        ));
    }
    Error::Refused(format!(
        "the freeze rules leave {} line(s) mentioning {}, so nothing was frozen:\n{}\n\
         Add a rule for them, a rule with `keep = true`, or exclude the file, in `{}rule` of {}",
        leftovers.len(),
        freeze.placeholder,
        shown.join("\n"),
        freeze.origin.table,
        freeze.origin.file.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guarded_version_is_kept_or_written_as_released_only() {
        let pattern = crate::version::VersionPattern::new(r#"__version__ = "([^"]+)""#).ok();
        let scope = Scope {
            guarded: vec![Guarded {
                path: "pkg/__init__.py".into(),
                pattern,
            }],
            ..Scope::default()
        };
        let old = b"__version__ = \"v1.0\"  # P\r\nX = \"P\"\r\n";
        let check = |path: &str, new: &str, released: &str| {
            scope.check_version_kept(path, old, new.as_bytes(), released)
        };
        let rest = "__version__ = \"v1.0\"  # P\r\nX = \"2.0\"\r\n";
        assert!(check("pkg/__init__.py", rest, "2.0").is_ok());
        let released = "__version__ = \"v2.0\"  # 2.0\r\nX = \"2.0\"\r\n";
        assert!(check("pkg/__init__.py", released, "2.0").is_ok());
        for wrong in [
            "__version__ = \"0.0.0\"  # 2.0\r\nX = \"2.0\"\r\n",
            "__version__ = \"2.0\"  # 2.0\r\nX = \"2.0\"\r\n",
            "X = \"2.0\"\r\n",
        ] {
            let err = check("pkg/__init__.py", wrong, "2.0").unwrap_err();
            assert!(err.to_string().contains("pkg/__init__.py"), "{err}");
        }
        assert!(check("other.py", "X = \"2.0\"\r\n", "2.0").is_ok());
    }
}
