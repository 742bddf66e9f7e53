//! The state of the work tree: what keeps it from being clean, and which files are
//! untracked, as git's own status reports them (`git status --porcelain=v2`).

use std::collections::HashSet;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::process::Child;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Repo, git_command, git_result};
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
    ///
    /// Inside a [`Repo::status_ahead`] scope, the first call is answered by the status that
    /// scope started.
    pub fn dirty_paths(&self) -> Result<Vec<DirtyPath>> {
        if let Some(ahead) = Ahead::take(&self.root) {
            let output = ahead.child.and_then(Child::wait_with_output);
            return Ok(parse_porcelain(&git_result(&ahead.args, output)?));
        }
        self.porcelain_status("normal")
    }

    /// Starts the status [`Repo::dirty_paths`] reads now, so that it runs while the caller
    /// does other work (`git status` of a large tree is tens of milliseconds over several
    /// threads): the next `dirty_paths` of this repository, on any thread, waits for it and
    /// reads its answer, once; later calls run a status of their own. Dropping the scope
    /// stops a status nobody read. The caller must change nothing in the work tree or the
    /// index until that `dirty_paths`: its answer is the tree as it was when this started.
    pub fn status_ahead(&self) -> StatusAhead {
        let args = porcelain_args("normal");
        let child = git_command(&self.root, &args).spawn();
        static SCOPES: AtomicU64 = AtomicU64::new(0);
        let id = SCOPES.fetch_add(1, Ordering::Relaxed);
        Ahead::slot().push(Ahead {
            id,
            root: self.root.clone(),
            args,
            child,
        });
        StatusAhead { id }
    }

    /// Every untracked (and not ignored) file, one by one (not collapsed into
    /// directories), sorted.
    pub fn untracked_files(&self) -> Result<Vec<String>> {
        let all = self.porcelain_status("all")?;
        let untracked = all.into_iter().filter(|p| p.kind == DirtyKind::Untracked);
        Ok(untracked.map(|p| p.path).collect())
    }

    /// The dirty paths as `git status --porcelain=v2` reports them, sorted (untracked files
    /// `normal`: collapsed into directories; or `all`); see [`porcelain_args`].
    fn porcelain_status(&self, untracked: &str) -> Result<Vec<DirtyPath>> {
        Ok(parse_porcelain(&self.git(porcelain_args(untracked))?))
    }

    /// Whether the work tree is clean, untracked files included (see [`Repo::dirty_paths`]).
    pub fn is_clean(&self) -> Result<bool> {
        Ok(self.dirty_paths()?.is_empty())
    }
}

/// The scope of [`Repo::status_ahead`]: dropped, the status it started stops unless it
/// was read.
#[must_use = "the status started ahead stops when its scope is dropped"]
pub struct StatusAhead {
    id: u64,
}

impl Drop for StatusAhead {
    fn drop(&mut self) {
        let unread = {
            let mut slot = Ahead::slot();
            let at = slot.iter().position(|a| a.id == self.id);
            at.map(|at| slot.swap_remove(at))
        };
        if let Some(Ahead {
            child: Ok(mut child),
            ..
        }) = unread
        {
            // Nobody reads it: stopped, and reaped.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A status a [`StatusAhead`] scope started, not read yet. Kept for the process, not in
/// the [`Repo`]: the handle is shared by reference with the planning thread, and the
/// status belongs to whichever asks first.
struct Ahead {
    id: u64,
    root: PathBuf,
    args: Vec<OsString>,
    child: std::io::Result<Child>,
}

impl Ahead {
    fn slot() -> std::sync::MutexGuard<'static, Vec<Ahead>> {
        static SLOT: Mutex<Vec<Ahead>> = Mutex::new(Vec::new());
        SLOT.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The oldest status started ahead for the repository at `root`, taken out.
    fn take(root: &std::path::Path) -> Option<Ahead> {
        let mut slot = Self::slot();
        let at = slot.iter().position(|a| a.root == root)?;
        Some(slot.remove(at))
    }
}

/// `git status --porcelain=v2` as [`Repo::porcelain_status`] runs it. `--no-optional-locks`:
/// a status that finds stale stat data does not refresh the index, so reading it writes
/// nothing.
fn porcelain_args(untracked: &str) -> Vec<OsString> {
    [
        "--no-optional-locks",
        "-c",
        "status.showUntrackedFiles=normal",
        "status",
        "--porcelain=v2",
        "-z",
        "--no-renames",
        &format!("--untracked-files={untracked}"),
    ]
    .map(OsString::from)
    .into()
}

/// The dirty paths of `git status --porcelain=v2 -z`'s output, sorted.
fn parse_porcelain(out: &str) -> Vec<DirtyPath> {
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
    paths
}
