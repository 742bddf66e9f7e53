//! The state of the work tree: what keeps it from being clean, and which files are
//! untracked, read with gix's status (no `git status` process).

use std::collections::HashSet;
use std::fmt;

use gix::bstr::ByteSlice;

use super::{Repo, gix_error};
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
    /// This is gix's status, which handles an unborn branch (the index is compared with the
    /// empty tree), so no fallback to `git status` is needed.
    pub fn dirty_paths(&self) -> Result<Vec<DirtyPath>> {
        use gix::status::{Item, UntrackedFiles, tree_index::TrackRenames};

        let context = "cannot compute the status of the work tree";
        if self.index_is_sparse()? {
            return self.porcelain_status("normal");
        }
        let status = self.status(UntrackedFiles::Collapsed, context)?;
        let mut out = HashSet::new();
        if self.index_is_head()? {
            // Nothing staged: only the work tree against the index is left to compare.
            let iter = status
                .into_index_worktree_iter(None)
                .map_err(gix_error(context))?;
            for item in iter {
                out.extend(worktree_change(&item.map_err(gix_error(context))?));
            }
        } else {
            let iter = status
                .tree_index_track_renames(TrackRenames::Disabled)
                .into_iter(None)
                .map_err(gix_error(context))?;
            for item in iter {
                match &item.map_err(gix_error(context))? {
                    Item::TreeIndex(change) => {
                        out.insert(DirtyPath {
                            path: change.location().to_str_lossy().into_owned(),
                            kind: DirtyKind::Staged,
                        });
                    }
                    Item::IndexWorktree(change) => out.extend(worktree_change(change)),
                }
            }
        }
        let mut out: Vec<_> = out.into_iter().collect();
        out.sort();
        Ok(out)
    }

    /// Whether the index holds exactly HEAD's tree, known without reading that tree: git
    /// keeps the tree each directory of the index would be written as (the cache-tree
    /// extension) and invalidates a directory's entry, up to the root, whenever something
    /// under it is staged or removed. A valid root that counts every index entry and names
    /// HEAD's tree means nothing is staged; `git status` and `git commit` trust the same
    /// record. Anything less (no extension, an invalid root, a count that differs, an
    /// unborn HEAD) answers `false`, and the full comparison runs.
    fn index_is_head(&self) -> Result<bool> {
        let context = "cannot read the index";
        let index = self.repo.index_or_empty().map_err(gix_error(context))?;
        let Some(root) = index.tree() else {
            return Ok(false);
        };
        if root.num_entries.map(|n| n as usize) != Some(index.entries().len()) {
            return Ok(false);
        }
        let Ok(head) = self.repo.head_tree_id() else {
            return Ok(false);
        };
        Ok(root.id == head.detach())
    }

    /// gix's status with untracked files listed as `untracked`, whatever
    /// `status.showUntrackedFiles` says (`status()` drops the directory walk for `no`; it is
    /// put back, since an untracked file must always count), and no rename tracking.
    fn status(
        &self,
        untracked: gix::status::UntrackedFiles,
        context: &'static str,
    ) -> Result<gix::status::Platform<'_, gix::progress::Discard>> {
        let dirwalk = self.repo.dirwalk_options().map_err(gix_error(context))?;
        Ok(self
            .repo
            .status(gix::progress::Discard)
            .map_err(gix_error(context))?
            .index_worktree_options_mut(|o| o.dirwalk_options = Some(dirwalk))
            .untracked_files(untracked)
            .index_worktree_rewrites(None))
    }

    /// Every untracked (and not ignored) file, one by one (not collapsed into
    /// directories), sorted.
    pub fn untracked_files(&self) -> Result<Vec<String>> {
        use gix::status::UntrackedFiles;
        use gix::status::index_worktree::iter::Summary;

        let context = "cannot list the untracked files";
        if self.index_is_sparse()? {
            let all = self.porcelain_status("all")?;
            let untracked = all.into_iter().filter(|p| p.kind == DirtyKind::Untracked);
            return Ok(untracked.map(|p| p.path).collect());
        }
        let iter = self
            .status(UntrackedFiles::Files, context)?
            .into_index_worktree_iter(Vec::new())
            .map_err(gix_error(context))?;
        let mut out = Vec::new();
        for item in iter {
            let item = item.map_err(gix_error(context))?;
            if item.summary() == Some(Summary::Added) {
                out.push(item.rela_path().to_str_lossy().into_owned());
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Whether the index is sparse (`git sparse-checkout --sparse-index`): it holds whole
    /// directories outside the cone as single entries, which gix's status cannot compare.
    fn index_is_sparse(&self) -> Result<bool> {
        let index = self
            .repo
            .index_or_empty()
            .map_err(gix_error("cannot read the index"))?;
        Ok(index.is_sparse())
    }

    /// The dirty paths as `git status --porcelain=v2` reports them, sorted (untracked files
    /// `normal`: collapsed into directories; or `all`), for the index gix cannot read.
    fn porcelain_status(&self, untracked: &str) -> Result<Vec<DirtyPath>> {
        let out = self.git([
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

/// The dirty path one change between the index and the work tree stands for, if any:
/// untracked files and directories (collapsed, with a trailing `/` as `git status` shows
/// them), conflicts, and unstaged changes.
fn worktree_change(change: &gix::status::index_worktree::Item) -> Option<DirtyPath> {
    use gix::status::index_worktree::iter::Summary;
    let kind = match change.summary()? {
        Summary::Added => DirtyKind::Untracked,
        Summary::Conflict => DirtyKind::Conflicted,
        _ => DirtyKind::Unstaged,
    };
    let mut path = change.rela_path().to_owned();
    if let gix::status::index_worktree::Item::DirectoryContents { entry, .. } = change
        && matches!(
            entry.disk_kind,
            Some(gix::dir::entry::Kind::Directory | gix::dir::entry::Kind::Repository)
        )
    {
        path.push(b'/');
    }
    Some(DirtyPath {
        path: path.to_str_lossy().into_owned(),
        kind,
    })
}
