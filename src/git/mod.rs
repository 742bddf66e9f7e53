//! Git access: reads through gix, writes through the `git` binary.
//!
//! Reads (discovery, branch, HEAD, status, file contents, history, config, the index) use
//! gix: they are in-process and fast, which keeps the pre-flight checks instant. Every write
//! (branches, the index, commits, resets) runs `git -C <root> …`, so hooks, config, index
//! format extensions and locking behave exactly as the user's own git does, and a failure
//! reads like git's own message.
//!
//! Paths given to and returned by this module are relative to the work-tree root, with `/`
//! separators (as git prints them), whatever directory the repository was discovered from.
//!
//! **Both halves see the same repository, always: the one holding the directory given.**
//! git's repository-selecting variables (`GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`,
//! `GIT_NAMESPACE`, …, which a git hook inherits from the git that runs it) are ignored by
//! both: gix is opened with `GIT_*` environment overrides denied (so `GIT_INDEX_FILE` does
//! not redirect its index reads, and `GIT_EDITOR` is not reported as `core.editor`), and
//! every git command we run has them removed from its environment. A release started from
//! inside a hook of another repository therefore reads and writes only its own.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gix::bstr::{BStr, ByteSlice};

use crate::error::{Error, Result};

mod clone;
mod history;
mod index;
mod open;
mod refs;
mod removals;
mod editor;
mod signing;
mod status;
pub use editor::NO_EDITOR;
pub use index::IndexBits;
pub use removals::Removal;
pub use status::{DirtyKind, DirtyPath};

/// A commit id, as 40 lowercase hex digits (what `git rev-parse` prints).
pub type CommitId = String;

/// Environment variables that would make a `git` child look at another repository or index
/// than the one we discovered. Removed from every git command we run, and from every
/// program the release starts (its `[[step]]` commands, the grouping command) with
/// [`without_repo_env`]: their `git` must work on the release's repository too.
pub const REPO_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    // Set in a pre-receive hook: git refuses every ref update under it.
    "GIT_QUARANTINE_PATH",
];

/// A git repository with a work tree.
pub struct Repo {
    repo: gix::Repository,
    root: PathBuf,
}

impl fmt::Debug for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repo")
            .field("root", &self.root)
            .field("git_dir", &self.repo.git_dir())
            .finish()
    }
}

/// When a commit was made: seconds since the Unix epoch and the committer's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitTime {
    pub seconds: i64,
    /// Offset from UTC in seconds (east positive), as recorded in the commit.
    pub offset: i32,
}

impl CommitTime {
    fn to_gix(self) -> gix::date::Time {
        gix::date::Time {
            seconds: self.seconds,
            offset: self.offset,
        }
    }

    /// The date in the committer's time zone, `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        self.to_gix().format_or_unix(gix::date::time::format::SHORT)
    }
}

impl fmt::Display for CommitTime {
    /// `2026-02-17 14:03:51 +0100`, like `git log --date=iso`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            &self
                .to_gix()
                .format_or_unix(gix::date::time::format::ISO8601),
        )
    }
}

/// One version of a file in history: the commit that introduced it, when, and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileVersion {
    pub commit: CommitId,
    /// Committer time of `commit`.
    pub time: CommitTime,
    pub contents: Vec<u8>,
}

fn gix_error(context: impl fmt::Display) -> impl FnOnce(gix::Error) -> Error {
    move |e| Error::Git(format!("{context}: {e}"))
}

/// Every commit of `repo` reachable from `tip`, newest first (by commit time).
fn history_from<'r>(
    repo: &'r gix::Repository,
    tip: gix::ObjectId,
    context: &str,
) -> Result<gix::revision::Walk<'r>> {
    clone::check_full_history(repo)?;
    repo.rev_walk([tip])
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
        ))
        .all()
        .map_err(gix_error(context))
}

impl Repo {
    /// The top directory of the work tree (absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The repository's git directory (`.git`, or `.git/worktrees/<name>` in a linked
    /// work tree).
    pub fn git_dir(&self) -> &Path {
        self.repo.git_dir()
    }

    /// The index file of this work tree (`GIT_INDEX_FILE` when set, as git reads it).
    pub fn index_path(&self) -> PathBuf {
        self.repo.index_path()
    }

    /// The git directory shared by all work trees of the repository (`.git` even in a
    /// linked work tree).
    pub fn common_dir(&self) -> &Path {
        self.repo.common_dir()
    }

    /// The short name of the checked-out branch; `None` when HEAD is detached. On an unborn
    /// branch (no commit yet) this is the branch HEAD names, as `git branch --show-current`.
    pub fn current_branch(&self) -> Result<Option<String>> {
        let name = self
            .repo
            .head_name()
            .map_err(gix_error("cannot read HEAD"))?;
        Ok(name.and_then(|name| {
            name.as_bstr()
                .strip_prefix(b"refs/heads/")
                .map(|short| short.to_str_lossy().into_owned())
        }))
    }

    /// Whether the local branch `refs/heads/<name>` exists.
    pub fn branch_exists(&self, name: &str) -> Result<bool> {
        Ok(self.find_branch(name)?.is_some())
    }

    /// The reference `refs/heads/<name>`, if it exists.
    fn find_branch(&self, name: &str) -> Result<Option<gix::Reference<'_>>> {
        let full = format!("refs/heads/{name}");
        self.repo
            .try_find_reference(full.as_str())
            .map_err(gix_error(format!("cannot look up branch `{name}`")))
    }

    /// The commit local branch `name` points to; `None` when there is no such branch.
    pub fn branch_commit(&self, name: &str) -> Result<Option<CommitId>> {
        match self.find_branch(name)? {
            None => Ok(None),
            Some(mut reference) => {
                let id = reference
                    .peel_to_id()
                    .map_err(gix_error(format!("cannot read branch `{name}`")))?;
                Ok(Some(id.to_string()))
            }
        }
    }

    /// The commit HEAD points to; `None` on an unborn branch.
    pub fn head_commit(&self) -> Result<Option<CommitId>> {
        let head = self.repo.head().map_err(gix_error("cannot read HEAD"))?;
        Ok(head.id().map(|id| id.to_string()))
    }

    /// A git configuration value as git resolves it (system, global, local, worktree,
    /// includes, `GIT_CONFIG_*`), e.g. `config_string("color.ui")`.
    ///
    /// The configuration is the one read when the repository was opened.
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.repo
            .config_snapshot()
            .string(key)
            .map(|v| v.to_str_lossy().into_owned())
    }

    /// The tracked files (index entries), in index order, each once even when unmerged,
    /// like `git ls-files --deduplicate`.
    pub fn ls_files(&self) -> Result<Vec<String>> {
        let index = self
            .repo
            .index_or_empty()
            .map_err(gix_error("cannot read the index"))?;
        let mut out: Vec<String> = Vec::with_capacity(index.entries().len());
        let mut last: Option<&BStr> = None;
        for entry in index.entries() {
            let path = entry.path(&index);
            if last == Some(path) {
                continue;
            }
            last = Some(path);
            out.push(path.to_str_lossy().into_owned());
        }
        Ok(out)
    }

    /// Which of `paths` (repository-relative) git tracks, in order: one index lookup each,
    /// not a listing of every tracked file.
    pub fn tracked(&self, paths: &[&str]) -> Result<Vec<bool>> {
        let found = self.index_lookup(paths, |_| ())?;
        Ok(found.iter().map(Option::is_some).collect())
    }

    /// For each of `paths` (repository-relative, `/`-separated), `f` of its index entry
    /// (an unmerged path's first stage), or `None` when git does not track it.
    fn index_lookup<T>(
        &self,
        paths: &[&str],
        f: impl Fn(&gix::index::Entry) -> T,
    ) -> Result<Vec<Option<T>>> {
        let index = self
            .repo
            .index_or_empty()
            .map_err(gix_error("cannot read the index"))?;
        Ok(paths
            .iter()
            .map(|p| index.entry_by_path(p.as_bytes().as_bstr()).map(&f))
            .collect())
    }

    /// `path` relative to the work tree as git names it: the links of its directories
    /// resolved, not the file's own (a symlinked fragment is the link git tracks). A path
    /// that resolves outside the work tree comes back absolute.
    pub fn relative_path(&self, path: &Path) -> String {
        let parent = path.parent().and_then(|p| p.canonicalize().ok());
        let path = match (parent, path.file_name()) {
            (Some(parent), Some(name)) => parent.join(name),
            _ => path.to_path_buf(),
        };
        let rel = path.strip_prefix(self.root()).unwrap_or(&path);
        rel.to_string_lossy().into_owned()
    }

    /// The tracked files git keeps out of the work tree (the skip-worktree bit: a sparse
    /// checkout), under `dir` (relative, `/` separators; `""` for all).
    pub fn skip_worktree(&self, dir: &str) -> Result<Vec<String>> {
        let index = self
            .repo
            .index_or_empty()
            .map_err(gix_error("cannot read the index"))?;
        let prefix = if dir.is_empty() || dir.ends_with('/') {
            dir.to_string()
        } else {
            format!("{dir}/")
        };
        Ok(index
            .entries()
            .iter()
            .filter(|e| e.flags.contains(gix::index::entry::Flags::SKIP_WORKTREE))
            .map(|e| e.path(&index).to_str_lossy().into_owned())
            .filter(|p| p.starts_with(&prefix) || *p == dir)
            .collect())
    }

    /// Why git could not name the author or committer of a commit here (`git var
    /// GIT_AUTHOR_IDENT` / `GIT_COMMITTER_IDENT` fail), or `None` when it can.
    pub fn missing_identity(&self) -> Option<String> {
        self.start_identity_check().missing()
    }

    /// [`Repo::missing_identity`] started now and answered by [`IdentityCheck::missing`]:
    /// both `git var` processes run at once, and while the caller does other work.
    pub fn start_identity_check(&self) -> IdentityCheck {
        let children = ["GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"]
            .into_iter()
            .map(|var| {
                let args = vec![OsString::from("var"), OsString::from(var)];
                let child = git_command(&self.root, &args).spawn();
                (args, child)
            })
            .collect();
        IdentityCheck { children }
    }

    /// The commits after `from` up to `to`, oldest first (`git rev-list --reverse from..to`).
    pub fn commits_between(&self, from: &str, to: &str) -> Result<Vec<CommitId>> {
        let out = self.git(["rev-list", "--reverse", &format!("{from}..{to}")])?;
        Ok(out.lines().map(str::to_string).collect())
    }

    /// The commits of branch `name` that no other branch, tag or remote-tracking branch
    /// holds (what deleting the branch would lose), newest first: (id, subject).
    pub fn commits_only_on(&self, name: &str) -> Result<Vec<(CommitId, String)>> {
        let out = self.git([
            "log",
            "--format=%H %s",
            &format!("refs/heads/{name}"),
            "--not",
            &format!("--exclude={name}"),
            "--branches",
            "--tags",
            "--remotes",
        ])?;
        Ok(out
            .lines()
            .filter_map(|l| l.split_once(' ').or(Some((l, ""))))
            .filter(|(id, _)| !id.is_empty())
            .map(|(id, s)| (id.to_string(), s.to_string()))
            .collect())
    }

    /// The value of git attribute `name` for each of `paths`, as `git check-attr` reports
    /// it (`set`, `unset`, `unspecified`, or the attribute's value), in the order given.
    /// Asked of the git binary, which knows every source of attributes (`.gitattributes`
    /// files, `info/attributes`, `core.attributesFile`, macros such as `binary`).
    pub fn check_attr(&self, name: &str, paths: &[&str]) -> Result<Vec<String>> {
        let mut out = Vec::with_capacity(paths.len());
        // Arguments, not stdin (stdin is closed): in chunks well under any argument limit.
        for chunk in paths.chunks(500) {
            let mut args: Vec<&str> = vec!["check-attr", "-z", name, "--"];
            args.extend(chunk);
            let text = self.git(args)?;
            // `<path> NUL <attribute> NUL <value> NUL`, one triple per path.
            let fields: Vec<&str> = text.split('\0').collect();
            for triple in fields.chunks(3).filter(|t| t.len() == 3) {
                out.push(triple[2].to_string());
            }
        }
        if out.len() != paths.len() {
            return Err(Error::Git(format!(
                "`git check-attr {name}` answered for {} of {} paths",
                out.len(),
                paths.len()
            )));
        }
        Ok(out)
    }

    // --- writes, through the git binary ---

    /// `git -C <root> <args>`, with stdin closed so no hook or credential helper can wait for
    /// input; returns stdout. A failure is `Error::Git` with the command line and git's stderr.
    fn git<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        git_result(&args, git_command(&self.root, &args).output())
    }

    /// `git <subcommand> [options] -- <paths>` with literal pathspecs (no globbing), or
    /// nothing at all when `paths` is empty.
    fn git_paths<P: AsRef<Path>>(&self, head: &[&str], paths: &[P]) -> Result<String> {
        if paths.is_empty() {
            return Ok(String::new());
        }
        let mut args: Vec<OsString> = vec!["--literal-pathspecs".into()];
        args.extend(head.iter().map(OsString::from));
        args.push("--".into());
        args.extend(
            paths
                .iter()
                .map(|p| self.in_tree(p.as_ref()).into_os_string()),
        );
        self.git(args)
    }

    /// `path` as git knows it: a directory on the way that is a symlink to a directory
    /// of the work tree is followed (git refuses a pathspec "beyond a symbolic link"); the
    /// last component is kept as it is (a symlink is itself the tracked file).
    fn in_tree(&self, path: &Path) -> PathBuf {
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        };
        let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            return path.to_path_buf();
        };
        match parent.canonicalize() {
            Ok(parent) if parent.starts_with(&self.root) => parent.join(name),
            _ => path.to_path_buf(),
        }
    }

    /// Create branch `name` at HEAD and switch to it (`git switch --create`).
    pub fn create_branch(&self, name: &str) -> Result<()> {
        self.git(["switch", "--quiet", "--create", name]).map(drop)
    }

    /// Switch to the existing branch `name` (`git switch`).
    pub fn switch(&self, name: &str) -> Result<()> {
        self.git(["switch", "--quiet", name]).map(drop)
    }

    /// Delete the local branch `name`, merged or not (`git branch -D`).
    pub fn delete_branch(&self, name: &str) -> Result<()> {
        self.git(["branch", "--quiet", "-D", name]).map(drop)
    }

    /// Stage `paths` (`git add`); new, modified and deleted files alike.
    pub fn add<P: AsRef<Path>>(&self, paths: &[P]) -> Result<()> {
        self.git_paths(&["add", "--all"], paths).map(drop)
    }

    /// Stage every change of the work tree, untracked files included (`git add -A`).
    pub fn add_all(&self) -> Result<()> {
        self.git(["add", "-A"]).map(drop)
    }

    /// Remove `paths` from the index and the work tree (`git rm --quiet --force`).
    pub fn rm<P: AsRef<Path>>(&self, paths: &[P]) -> Result<()> {
        // Not `git rm`: it matches every index entry against every path given, quadratic
        // in a release of thousands of fragments. The entries go by name instead (a
        // lookup each), then the files and the directories they leave empty, as `git rm`
        // leaves the work tree. Stopped in between, the files are still there, untracked:
        // the release's changelog step removes its fragments left behind.
        let paths: Vec<PathBuf> = paths.iter().map(|p| self.in_tree(p.as_ref())).collect();
        for chunk in paths.chunks(500) {
            let mut args: Vec<OsString> = vec!["update-index".into(), "--force-remove".into()];
            args.push("--".into());
            args.extend(chunk.iter().map(|p| p.clone().into_os_string()));
            self.git(args)?;
        }
        for path in &paths {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(path, e)),
            }
            let mut dir = path.parent();
            while let Some(d) = dir.filter(|d| d.starts_with(&self.root) && *d != self.root) {
                if std::fs::remove_dir(d).is_err() {
                    break; // not empty (or not ours to remove): as `git rm`, stop there
                }
                dir = d.parent();
            }
        }
        Ok(())
    }

    /// Put `paths` back as they are in HEAD, in the index and the work tree (`git restore
    /// --source=HEAD --staged --worktree`). Each path must exist in HEAD.
    pub fn restore_from_head<P: AsRef<Path>>(&self, paths: &[P]) -> Result<()> {
        self.restore_from("HEAD", paths)
    }

    /// Put `paths` back as they are in `commit`, in the index and the work tree. Each path
    /// must exist in it.
    pub fn restore_from<P: AsRef<Path>>(&self, commit: &str, paths: &[P]) -> Result<()> {
        let source = format!("--source={commit}");
        self.git_paths(&["restore", &source, "--staged", "--worktree"], paths)
            .map(drop)
    }

    /// Commit what is staged with `message` (`git commit --quiet -m`); returns the new
    /// commit's id. Hooks run, but with stdin closed; the editor is never opened.
    pub fn commit(&self, message: &str) -> Result<CommitId> {
        let before = self.head_commit()?;
        let end = refs::reflog_end(self);
        let out = self.git([
            "commit",
            self.quiet_unless_unlogged(),
            "--no-edit",
            "-m",
            message,
        ])?;
        self.made_on(before.as_deref(), end, message, &out)
    }

    /// The commit `git commit` just made on `before` (HEAD then; HEAD's reflog ended at
    /// `end`; `out` what `git commit` printed): HEAD, when its first parent is `before` — or when HEAD moved on from `before`
    /// (a `post-commit` hook that added a commit of its own, as before) — and HEAD holds
    /// what that commit wrote (its paths as it left them: a hook that amended only its
    /// message or signed it changed nothing of it). A hook that took HEAD back (`git
    /// reset`) or elsewhere, or replaced the commit with one of its own on `before`, leaves
    /// the commit off the branch: an error, not a success.
    fn made_on(
        &self,
        before: Option<&str>,
        end: u64,
        message: &str,
        out: &str,
    ) -> Result<CommitId> {
        let head = self
            .git(["rev-parse", "--verify", "HEAD"])?
            .trim()
            .to_string();
        let on_before = self.parent(&head)?.as_deref() == before
            || before.is_some_and(|b| head != b && self.is_ancestor(b, &head).unwrap_or(false));
        let made = self
            .committed_after(end, before)
            .or_else(|| self.summarised(out));
        if on_before && made.as_ref().is_none_or(|m| self.holds_commit(&head, m)) {
            return Ok(head);
        }
        let subject = message.lines().next().unwrap_or(message);
        let short = |id: &str| id.chars().take(12).collect::<String>();
        if let (true, Some(made)) = (on_before, &made) {
            return Err(Error::Git(format!(
                "`git commit` made `{subject}` ({}), but after it HEAD is {}, a commit that \
                 does not hold what it committed (a `post-commit` hook replaced it?); the \
                 commit is in `git reflog`, not on the branch",
                short(made),
                short(&head),
            )));
        }
        Err(Error::Git(format!(
            "`git commit` made `{subject}`, but after it HEAD is {}, not a new commit on {} \
             (a `post-commit` hook moved HEAD?); the commit is in `git reflog`, not on the \
             branch",
            short(&head),
            before.map_or("an unborn branch".to_string(), short),
        )))
    }

    /// Whether `head` holds what commit `made` wrote: `made` itself or a commit after it,
    /// or a commit whose tree has every path `made` changed as `made` has it.
    fn holds_commit(&self, head: &str, made: &str) -> bool {
        if head == made || self.is_ancestor(made, head).unwrap_or(false) {
            return true;
        }
        let (Ok(wrote), Ok(differ)) = (
            self.paths_changed_by(made),
            self.git([
                "diff-tree",
                "-r",
                "--name-only",
                "--no-renames",
                "-z",
                made,
                head,
            ]),
        ) else {
            return false;
        };
        let differ: std::collections::BTreeSet<&str> =
            differ.split('\0').filter(|p| !p.is_empty()).collect();
        !wrote.is_empty() && wrote.iter().all(|p| !differ.contains(p.as_str()))
    }

    /// Commit `paths` alone, as they are in the work tree, with `message` (`git commit
    /// --only`); other staged changes stay staged. Each path must be known to git (stage new
    /// files first). Returns the new commit's id.
    pub fn commit_only<P: AsRef<Path>>(&self, message: &str, paths: &[P]) -> Result<CommitId> {
        if paths.is_empty() {
            return Err(Error::Git("nothing to commit: no path given".into()));
        }
        let before = self.head_commit()?;
        let end = refs::reflog_end(self);
        let quiet = self.quiet_unless_unlogged();
        let out = self.git_paths(
            &["commit", quiet, "--no-edit", "--only", "-m", message],
            paths,
        )?;
        self.made_on(before.as_deref(), end, message, &out)
    }

    /// The paths whose staged content differs from HEAD's (`git diff --cached`), as git
    /// names them: what `git commit` would commit.
    pub fn staged_paths(&self) -> Result<Vec<String>> {
        let out = self.git(["diff", "--cached", "--name-only", "--no-renames", "-z"])?;
        Ok(out
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect())
    }

    /// The paths `commit` changed against its first parent (every path of a root commit).
    pub fn paths_changed_by(&self, commit: &str) -> Result<Vec<String>> {
        let out = self.git([
            "diff-tree",
            "--root",
            "--no-commit-id",
            "--name-only",
            "--no-renames",
            "-r",
            "-z",
            commit,
        ])?;
        Ok(out
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect())
    }

    /// Reset the index and the work tree to `commit` (`git reset --hard`).
    pub fn reset_hard(&self, commit: &str) -> Result<()> {
        self.git(["reset", "--quiet", "--hard", commit]).map(drop)
    }

    /// The subject (first line) of `commit`'s message.
    pub fn subject(&self, commit: &str) -> Result<String> {
        let id = self
            .repo
            .rev_parse_single(commit)
            .map_err(gix_error(format!("unknown revision `{commit}`")))?;
        let commit = id
            .object()
            .and_then(|o| o.try_into_commit())
            .map_err(gix_error(format!("`{commit}` does not name a commit")))?;
        let message = commit
            .message_raw()
            .map_err(gix_error("cannot read a commit message"))?;
        Ok(message
            .lines()
            .next()
            .map(|l| l.to_str_lossy().trim().to_string())
            .unwrap_or_default())
    }

    /// The first parent of `commit`, `None` for a root commit.
    pub fn parent(&self, commit: &str) -> Result<Option<CommitId>> {
        let id = self
            .repo
            .rev_parse_single(commit)
            .map_err(gix_error(format!("unknown revision `{commit}`")))?;
        let commit = self
            .repo
            .find_commit(id.detach())
            .map_err(gix_error("cannot read a commit"))?;
        Ok(commit.parent_ids().next().map(|p| p.to_string()))
    }
}

/// `git -C <root> …` for error messages, with long or multi-line arguments (commit
/// messages) abbreviated.
fn display_command(args: &[OsString]) -> String {
    let mut out = String::from("git");
    for arg in args {
        let arg = arg.to_string_lossy();
        out.push(' ');
        if arg.contains('\n') || arg.chars().count() > 60 {
            let first: String = arg.lines().next().unwrap_or("").chars().take(40).collect();
            out.push_str(&format!("'{first}…'"));
        } else if arg.is_empty() || arg.contains(char::is_whitespace) {
            out.push_str(&format!("'{arg}'"));
        } else {
            out.push_str(&arg);
        }
    }
    out
}

/// The top of the git work tree holding `cwd`, or `None` outside one. Found without
/// running git (a process start would be a large share of a `build --draft`): the nearest
/// ancestor with a `.git` entry, a directory or the file of a linked worktree or
/// submodule. `GIT_DIR` and `GIT_WORK_TREE` are ignored, as by [`Repo::discover`], so the
/// configuration is read from the repository the release works on.
pub fn toplevel(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `cmd` without [`REPO_ENV`]: a program the release starts in its work tree (a step, the
/// grouping command) whose `git` must find the repository the release works on, not the
/// one a `GIT_DIR` inherited from the user's shell or a hook names.
pub fn without_repo_env(cmd: &mut Command) -> &mut Command {
    for var in REPO_ENV {
        cmd.env_remove(var);
    }
    cmd
}

/// `git -C <root> <args>` (see [`Repo::git`]), not started yet.
fn git_command(root: &Path, args: &[OsString]) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(root).args(args);
    without_repo_env(&mut cmd)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// The stdout of a finished [`git_command`], or `Error::Git` with the command line and
/// git's stderr.
fn git_result(args: &[OsString], output: std::io::Result<std::process::Output>) -> Result<String> {
    let shown = display_command(args);
    let output = output.map_err(|e| Error::Git(format!("cannot run `{shown}`: {e}")))?;
    if !output.status.success() {
        // git says some failures on stdout (`git commit` with nothing to commit).
        let said = match String::from_utf8_lossy(&output.stderr).trim() {
            "" => String::from_utf8_lossy(&output.stdout).trim().to_string(),
            err => err.to_string(),
        };
        let stderr = said.as_str();
        let status = match output.status.code() {
            Some(code) => format!("exit code {code}"),
            None => "killed by a signal".to_string(),
        };
        return Err(Error::Git(if stderr.is_empty() {
            format!("`{shown}` failed ({status})")
        } else {
            format!("`{shown}` failed ({status}): {stderr}")
        }));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The `git var` processes of [`Repo::start_identity_check`], running.
pub struct IdentityCheck {
    children: Vec<(Vec<OsString>, std::io::Result<std::process::Child>)>,
}

impl IdentityCheck {
    /// Why git could not name the author or committer (the author's problem first), or
    /// `None` when it can. Waits for both processes.
    pub fn missing(mut self) -> Option<String> {
        let results: Vec<Result<String>> = std::mem::take(&mut self.children)
            .into_iter()
            .map(|(args, child)| git_result(&args, child.and_then(|c| c.wait_with_output())))
            .collect();
        results.into_iter().find_map(|r| {
            // git's last line says why ("fatal: unable to auto-detect email address").
            r.err().map(|e| {
                let why = e.to_string();
                why.lines().last().unwrap_or(&why).trim().to_string()
            })
        })
    }
}

impl Drop for IdentityCheck {
    /// Not asked after all (an earlier check refused): the processes are still waited for,
    /// so none outlives the check as a zombie.
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            if let Ok(child) = child {
                let _ = child.wait();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_display_abbreviates_messages() {
        let args: Vec<OsString> = ["commit", "-m", "Release 1.0\n\nlong body"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(display_command(&args), "git commit -m 'Release 1.0…'");
        let args: Vec<OsString> = ["switch", "a b", ""].iter().map(OsString::from).collect();
        assert_eq!(display_command(&args), "git switch 'a b' ''");
    }

    /// A failure git explains on stdout only (`git commit` with nothing to commit) is
    /// shown with that explanation; stderr wins when there is one.
    #[test]
    fn a_failure_says_why_from_stdout_when_stderr_is_empty() {
        use std::os::unix::process::ExitStatusExt;
        let args: Vec<OsString> = ["commit", "-m", "x"].iter().map(OsString::from).collect();
        let out = |stdout: &str, stderr: &str| {
            Ok(std::process::Output {
                status: std::process::ExitStatus::from_raw(256),
                stdout: stdout.as_bytes().to_vec(),
                stderr: stderr.as_bytes().to_vec(),
            })
        };
        let err = git_result(&args, out("nothing to commit, working tree clean\n", ""));
        assert!(
            err.unwrap_err().to_string().contains("nothing to commit"),
            "stdout's reason"
        );
        let err = git_result(&args, out("ignored", "fatal: bad"));
        let err = err.unwrap_err().to_string();
        assert!(
            err.contains("fatal: bad") && !err.contains("ignored"),
            "{err}"
        );
    }

    /// Without HEAD's reflog, the commit `git commit` made is read from its summary line,
    /// whatever the branch and the subject hold (`]`, `] `, hex words): HEAD when it is
    /// that commit or holds it (a hook that amended the message), an error when a
    /// `post-commit` hook replaced it with a commit of its own on the same parent.
    #[test]
    fn without_a_reflog_the_commit_made_is_read_from_the_summary() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let mut cmd = std::process::Command::new("git");
            for (key, _) in std::env::vars_os() {
                if key.to_string_lossy().starts_with("GIT_") {
                    cmd.env_remove(key);
                }
            }
            let out = cmd.args(args).current_dir(dir.path()).output().unwrap();
            assert!(out.status.success(), "{args:?}: {out:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["init", "--quiet", "-b", "we]ird"]);
        for (key, value) in [
            ("user.name", "T"),
            ("user.email", "t@e"),
            ("commit.gpgSign", "false"),
            ("core.hooksPath", ".git/hooks"),
            ("core.logAllRefUpdates", "false"),
        ] {
            git(&["config", key, value]);
        }
        git(&["commit", "--quiet", "--allow-empty", "-m", "base"]);
        let _ = std::fs::remove_dir_all(dir.path().join(".git/logs"));
        let repo = Repo::discover(dir.path()).unwrap();
        let hook = dir.path().join(".git/hooks/post-commit");
        std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
        let commit = |file: &str, hook_body: &str| {
            let once = "[ -f .git/hooked ] && exit 0; touch .git/hooked";
            std::fs::write(&hook, format!("#!/bin/sh\n{once}\n{hook_body}\n")).unwrap();
            let _ = std::fs::remove_file(dir.path().join(".git/hooked"));
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::write(dir.path().join(file), file).unwrap();
            repo.add(&[file]).unwrap();
            repo.commit("release: deadbeef] [x] cafe")
        };
        let made = commit("a", "true").unwrap();
        assert_eq!(made, git(&["rev-parse", "HEAD"]).trim());
        let reworded = commit("b", "git commit -q --amend -m 'release (reworded)'").unwrap();
        assert_eq!(reworded, git(&["rev-parse", "HEAD"]).trim());
        let replace = "git reset -q --keep HEAD~1; git commit -q --allow-empty -m 'ci: bump'";
        let err = commit("c", replace).unwrap_err().to_string();
        assert!(err.contains("does not hold what it committed"), "{err}");
        assert!(!dir.path().join(".git/logs/HEAD").exists());
    }

    #[test]
    fn commit_time_formats_in_the_committers_zone() {
        // 2026-02-17 23:30:00 UTC is already the 18th in UTC+1.
        let t = CommitTime {
            seconds: 1_771_371_000,
            offset: 3600,
        };
        assert_eq!(t.date(), "2026-02-18");
        assert_eq!(t.to_string(), "2026-02-18 00:30:00 +0100");
    }
}
