//! The state of the work tree: what keeps it from being clean, and which files are
//! untracked, as git's own status reports them (`git status --porcelain=v2`).

use std::collections::HashSet;
use std::fmt;

use super::Repo;
use crate::error::Result;

/// Why a path keeps the work tree from being clean. A path can appear twice (staged and
/// then modified again: `MM` in `git status --short`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DirtyKind {
    /// The index differs from HEAD (first column of `git status --short`).
    Staged,
    /// The work tree differs from the index: modified, deleted, type change, intent to add.
    Unstaged,
    /// Not tracked and not ignored. A directory holding only untracked files is reported
    /// once, with a trailing `/`, as `git status` does.
    Untracked,
    /// An unmerged path.
    Conflicted,
}

impl fmt::Display for DirtyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DirtyKind::Staged => "staged",
            DirtyKind::Unstaged => "modified",
            DirtyKind::Untracked => "untracked",
            DirtyKind::Conflicted => "conflicted",
        })
    }
}

/// One offending path of a dirty work tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DirtyPath {
    /// Relative to the work-tree root; untracked directories end with `/`.
    pub path: String,
    pub kind: DirtyKind,
}

impl Repo {
    /// What the index holds for each of `paths` (repository-relative), in order: its mode
    /// and object id as one string, `None` when it is not in the index (an unmerged path
    /// gives its first stage).
    pub fn index_entries(&self, paths: &[&str]) -> Result<Vec<Option<String>>> {
        self.index_lookup(paths, |e| format!("{:o} {}", e.mode.bits(), e.id))
    }

    /// The tracked paths whose content differs between `commit` and `to` (a commit, or
    /// the work tree when `None`), deleted ones included: `git diff --name-only`, no
    /// renames.
    pub fn changed_since(&self, commit: &str, to: Option<&str>) -> Result<Vec<String>> {
        let mut args = vec![
            "diff",
            "--name-only",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            commit,
        ];
        args.extend(to);
        args.push("--");
        let out = self.git(args)?;
        Ok(out
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// Every path that keeps the work tree from being clean, sorted: staged and unstaged
    /// changes, conflicts and untracked files. Ignored files do not count, and neither does
    /// `status.showUntrackedFiles=no`: an untracked file is always reported.
    ///
    /// This is git's own status ([`Repo::porcelain_status`]): what the user's `git status`
    /// says, with every setting that shapes it (sparse index, untracked cache, fsmonitor),
    /// and on a large tree it costs about half the CPU time of gix's status, whose walks
    /// would take both cores from the release's planning thread running beside it.
    pub fn dirty_paths(&self) -> Result<Vec<DirtyPath>> {
        self.porcelain_status("normal")
    }

    /// Every untracked (and not ignored) file, one by one (not collapsed into
    /// directories), sorted.
    pub fn untracked_files(&self) -> Result<Vec<String>> {
        let all = self.porcelain_status("all")?;
        let untracked = all.into_iter().filter(|p| p.kind == DirtyKind::Untracked);
        Ok(untracked.map(|p| p.path).collect())
    }

    /// The dirty paths as `git status --porcelain=v2` reports them, sorted (untracked files
    /// `normal`: collapsed into directories; or `all`). `--no-optional-locks`: a status
    /// that finds stale stat data does not refresh the index, so reading it writes nothing.
    fn porcelain_status(&self, untracked: &str) -> Result<Vec<DirtyPath>> {
        let out = self.git([
            "--no-optional-locks",
            "-c",
            "status.showUntrackedFiles=normal",
            "status",
            "--porcelain=v2",
            "-z",
            "--no-renames",
            &format!("--untracked-files={untracked}"),
        ])?;
        let mut paths = HashSet::new();
        for record in out.split('\0').filter(|r| !r.is_empty()) {
            let (kind, rest) = record.split_once(' ').unwrap_or((record, ""));
            match kind {
                "?" => {
                    paths.insert(DirtyPath {
                        path: rest.to_string(),
                        kind: DirtyKind::Untracked,
                    });
                }
                "u" => {
                    if let Some(path) = rest.splitn(10, ' ').nth(9) {
                        paths.insert(DirtyPath {
                            path: path.to_string(),
                            kind: DirtyKind::Conflicted,
                        });
                    }
                }
                "1" => {
                    let fields: Vec<&str> = rest.splitn(8, ' ').collect();
                    let (Some(xy), Some(path)) = (fields.first(), fields.get(7)) else {
                        continue;
                    };
                    let mut xy = xy.chars();
                    for (flag, kind) in [DirtyKind::Staged, DirtyKind::Unstaged]
                        .into_iter()
                        .filter_map(|k| xy.next().map(|c| (c, k)))
                    {
                        if flag != '.' {
                            paths.insert(DirtyPath {
                                path: path.to_string(),
                                kind,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let mut paths: Vec<_> = paths.into_iter().collect();
        paths.sort();
        Ok(paths)
    }

    /// Whether the work tree is clean, untracked files included (see [`Repo::dirty_paths`]).
    pub fn is_clean(&self) -> Result<bool> {
        Ok(self.dirty_paths()?.is_empty())
    }
}
