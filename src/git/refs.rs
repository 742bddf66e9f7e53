//! References other than the checked-out branch: tags, branches of remotes, branches whose
//! names collide with a new one, and the operation git has in progress.

use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice as _;

use super::{Repo, gix_error};
use crate::error::Result;

impl Repo {
    /// Every tag's name (`refs/tags/<name>`), in git's order.
    pub fn tags(&self) -> Result<Vec<String>> {
        let what = || "cannot list the tags".to_string();
        let platform = self.repo.references().map_err(gix_error(what()))?;
        let mut found = Vec::new();
        for reference in platform.tags().map_err(gix_error(what()))? {
            let reference = reference.map_err(gix_error(what()))?;
            if let Some(short) = reference.name().as_bstr().strip_prefix(b"refs/tags/") {
                found.push(short.to_str_lossy().into_owned());
            }
        }
        Ok(found)
    }

    /// Whether the commit tag `name` names is HEAD or an ancestor of it: a release on the
    /// checked-out line's history.
    pub fn tag_reaches_head(&self, name: &str) -> Result<bool> {
        self.is_ancestor(&format!("refs/tags/{name}^{{commit}}"), "HEAD")
    }

    /// Whether commit `ancestor` is `commit` or one of its ancestors (`git merge-base
    /// --is-ancestor`).
    pub fn is_ancestor(&self, ancestor: &str, commit: &str) -> Result<bool> {
        let args: Vec<std::ffi::OsString> = ["merge-base", "--is-ancestor", ancestor, commit]
            .map(std::ffi::OsString::from)
            .to_vec();
        match super::git_command(&self.root, &args).output() {
            Ok(out) if out.status.code() == Some(0) => Ok(true),
            Ok(out) if out.status.code() == Some(1) => Ok(false),
            other => super::git_result(&args, other).map(|_| false),
        }
    }

    /// The remote-tracking branches named `name` on any remote (`origin/<name>`, …), as
    /// git's short names: the branch was pushed by someone, from somewhere.
    pub fn remote_branches(&self, name: &str) -> Result<Vec<String>> {
        let what = || format!("cannot list the remote branches named `{name}`");
        let platform = self.repo.references().map_err(gix_error(what()))?;
        let refs = platform
            .prefixed("refs/remotes/")
            .map_err(gix_error(what()))?;
        let suffix = format!("/{name}");
        let mut found = Vec::new();
        for reference in refs {
            let reference = reference.map_err(gix_error(what()))?;
            let full = reference.name().as_bstr();
            let Some(short) = full.strip_prefix(b"refs/remotes/") else {
                continue;
            };
            let short = short.to_str_lossy();
            // `<remote>/<name>`: the remote's part must not be empty.
            if short.len() > suffix.len() && short.ends_with(&suffix) {
                found.push(short.into_owned());
            }
        }
        Ok(found)
    }

    /// The local branches that stop git from creating branch `name`: a branch named like
    /// one of its directories (`release` for `release/1.4.0`), or one inside it
    /// (`release/1.4.0/x`). git keeps a branch as a file of that path, so it cannot hold
    /// both.
    pub fn branches_in_the_way(&self, name: &str) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for (at, _) in name.match_indices('/') {
            if self.branch_exists(&name[..at])? {
                found.push(name[..at].to_string());
            }
        }
        let what = || format!("cannot list the branches under `{name}/`");
        let platform = self.repo.references().map_err(gix_error(what()))?;
        let under = format!("refs/heads/{name}/");
        for reference in platform
            .prefixed(under.as_str())
            .map_err(gix_error(what()))?
        {
            let reference = reference.map_err(gix_error(what()))?;
            let full = reference.name().as_bstr();
            if let Some(short) = full.strip_prefix(b"refs/heads/") {
                found.push(short.to_str_lossy().into_owned());
            }
        }
        Ok(found)
    }

    /// The other work trees of this repository that have branch `name` checked out, as git
    /// lists them (`git worktree list`, those whose directory is gone included until
    /// pruned): while one does, git refuses to switch to the branch here or to delete it.
    ///
    /// A work tree is told apart by its git directory, not by the path git prints: git
    /// lists the main work tree first, and names it by its git directory when that is not
    /// `<work tree>/.git` (a submodule's `.git/modules/<name>`, a `--separate-git-dir`
    /// clone, a `.git` symlink to elsewhere); that record is this work tree whenever this
    /// work tree's git directory is the common one.
    pub fn worktrees_on_branch(&self, name: &str) -> Result<Vec<PathBuf>> {
        let out = self.git(["worktree", "list", "--porcelain", "-z"])?;
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let own = canonical(&self.root);
        let in_main = canonical(self.git_dir()) == canonical(self.common_dir());
        let want = format!("refs/heads/{name}");
        let mut found = Vec::new();
        // Records of `key value` fields, each ended by NUL; a record ends with an empty one.
        for (index, record) in out.split("\0\0").enumerate() {
            if index == 0 && in_main {
                continue;
            }
            let field = |key: &str| {
                record
                    .split('\0')
                    .find_map(|f| f.strip_prefix(key).map(str::to_string))
            };
            let (Some(path), Some(branch)) = (field("worktree "), field("branch ")) else {
                continue;
            };
            let path = PathBuf::from(path);
            if branch == want && canonical(&path) != own {
                found.push(path);
            }
        }
        Ok(found)
    }

    /// The operation git has in progress in this work tree (a merge, a rebase, `git am`, a
    /// cherry-pick, a revert, a bisect), as git names its command; `None` when there is none.
    pub fn operation_in_progress(&self) -> Option<&'static str> {
        use gix::state::InProgress;
        Some(match self.repo.state()? {
            InProgress::ApplyMailbox | InProgress::ApplyMailboxRebase => "am",
            InProgress::Bisect => "bisect",
            InProgress::CherryPick | InProgress::CherryPickSequence => "cherry-pick",
            InProgress::Merge => "merge",
            InProgress::Rebase | InProgress::RebaseInteractive => "rebase",
            InProgress::Revert | InProgress::RevertSequence => "revert",
        })
    }
}

/// Where HEAD's reflog ends (its length in bytes; 0 when there is none yet): what a commit
/// writes after it is read by [`Repo::committed_after`].
pub(super) fn reflog_end(repo: &Repo) -> u64 {
    std::fs::metadata(repo.git_dir().join("logs/HEAD")).map_or(0, |m| m.len())
}

impl Repo {
    /// The commit `git commit` made on `before` (HEAD then; `None`: an unborn branch), as
    /// HEAD's reflog recorded it after `end` ([`reflog_end`] before the commit): the first
    /// entry there that a commit wrote, moving HEAD from `before`. `None` when the reflog
    /// does not tell (none kept, `core.logAllRefUpdates=false`; another refs backend;
    /// expired meanwhile).
    pub(super) fn committed_after(&self, end: u64, before: Option<&str>) -> Option<String> {
        use std::io::{Read as _, Seek as _};
        let mut file = std::fs::File::open(self.git_dir().join("logs/HEAD")).ok()?;
        if file.metadata().ok()?.len() < end {
            return None;
        }
        file.seek(std::io::SeekFrom::Start(end)).ok()?;
        let mut text = String::new();
        file.read_to_string(&mut text).ok()?;
        text.lines().find_map(|line| {
            let (ids, message) = line.split_once('\t')?;
            let mut ids = ids.split(' ');
            let (old, new) = (ids.next()?, ids.next()?);
            let from_before = match before {
                Some(b) => old == b,
                None => old.bytes().all(|c| c == b'0'),
            };
            (from_before && message.starts_with("commit")).then(|| new.to_string())
        })
    }

    /// `--quiet` for `git commit` while HEAD's reflog will name the commit made; without it
    /// (`logs/HEAD` absent: `core.logAllRefUpdates=false`), `--no-quiet`, for its summary
    /// line ([`Repo::summarised`]) — which costs a diff of the commit (140 ms for 2,000
    /// removed files).
    pub(super) fn quiet_unless_unlogged(&self) -> &'static str {
        match self.git_dir().join("logs/HEAD").exists() {
            true => "--quiet",
            false => "--no-quiet",
        }
    }

    /// The commit `git commit`'s summary line (`[main 1a2b3c4] subject`, its first line
    /// that opens with `[`) names: printed after the `post-commit` hook ran, it names the
    /// commit git made whatever HEAD is then — what HEAD's reflog says, for when the reflog
    /// is off (`core.logAllRefUpdates=false`). The id is the word before the first `] `
    /// that names a commit (a branch name holds no space).
    pub(super) fn summarised(&self, out: &str) -> Option<String> {
        let line = out.lines().find(|l| l.starts_with('['))?;
        line.match_indices("] ").find_map(|(i, _)| {
            let short = line[..i].rsplit(' ').next()?;
            if short.len() < 4 || !short.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let object = format!("{short}^{{commit}}");
            let id = self
                .git(["rev-parse", "--verify", "--quiet", &object])
                .ok()?;
            Some(id.trim().to_string()).filter(|id| !id.is_empty())
        })
    }
}
