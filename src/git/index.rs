//! What git says of single paths the release writes: whether the index tracks them, with
//! the bits that make git look away from the work tree, and whether an untracked one is
//! ignored.

use gix::index::entry::Flags;

use super::{Repo, git_command};
use crate::error::{Error, Result};

/// An index entry's bits that hide the work tree's changes from git: `git status` does
/// not show them and `git add` / `git commit -a` leave them out (or refuse the path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexBits {
    /// `git update-index --assume-unchanged` (`h` in `git ls-files -v`).
    pub assume_unchanged: bool,
    /// `git update-index --skip-worktree`, or a sparse checkout (`S` in `git ls-files -v`).
    pub skip_worktree: bool,
}

impl IndexBits {
    /// The bit by which git looks away from the work tree's copy, named, with the
    /// `git update-index` flag that clears it: assume-unchanged first, then skip-worktree.
    pub fn looking_away(self) -> Option<(&'static str, &'static str)> {
        match (self.assume_unchanged, self.skip_worktree) {
            (true, _) => Some(("assume-unchanged", "--no-assume-unchanged")),
            (false, true) => Some(("skip-worktree", "--no-skip-worktree")),
            (false, false) => None,
        }
    }
}

impl Repo {
    /// For each of `paths` (repository-relative, `/`-separated): `None` when git does not
    /// track it, else its entry's bits. One index lookup each.
    pub fn index_bits(&self, paths: &[&str]) -> Result<Vec<Option<IndexBits>>> {
        self.index_lookup(paths, |entry| IndexBits {
            assume_unchanged: entry.flags.contains(Flags::ASSUME_VALID),
            skip_worktree: entry.flags.contains(Flags::SKIP_WORKTREE),
        })
    }

    /// Whether git ignores `path` (repository-relative; meant for a path it does not
    /// track): `git check-ignore`, which knows every source of ignore rules.
    pub fn ignored(&self, path: &str) -> Result<bool> {
        let args = ["check-ignore", "--quiet", "--", path].map(std::ffi::OsString::from);
        let output = git_command(&self.root, &args)
            .output()
            .map_err(|e| Error::Git(format!("cannot run `git check-ignore`: {e}")))?;
        match output.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(Error::Git(format!(
                "`git check-ignore -- {path}` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ))),
        }
    }

    /// The untracked paths git ignores, as `git ls-files --others --ignored
    /// --exclude-standard --directory` lists them: a directory wholly ignored and untracked
    /// once, with a trailing `/`, not descended into.
    pub fn ignored_untracked(&self) -> Result<Vec<String>> {
        let args = [
            "ls-files",
            "-z",
            "--others",
            "--ignored",
            "--exclude-standard",
            "--directory",
        ];
        let text = self.git(args)?;
        Ok(text
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect())
    }
}
