//! The progress of a release in `.git/git-release/state.json`: written before the first
//! change and after every transition of a step, so that whatever stops the release (a
//! failed step, Ctrl-C, `kill -9`, a power cut) leaves a file that says exactly which steps
//! finished, which one started and did not, and what the rest would do.
//!
//! The file is versioned ([`FORMAT`]); it snapshots the planned steps with everything they
//! need (commands, names, commit messages, the next version), so `continue` never depends
//! on the configuration still holding the same step.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::plan::{Plan, PlannedStep, StepKind};
use super::request::Request;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::process::ProcessIdentity;
use crate::version::Version;

/// The state file's format; a file of another format is refused with what to do.
pub const FORMAT: u32 = 2;

/// Where a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    /// Not started.
    Pending,
    /// Started and not known to have finished (the process died while it ran).
    Started,
    /// Ran and failed.
    Failed,
    /// Stopped by a signal or its timeout.
    Interrupted,
    /// Finished.
    Done,
    /// Finished by hand (`git release continue --skip`).
    Skipped,
}

impl StepStatus {
    /// Whether the step is behind the release (done, by it or by hand).
    pub fn finished(self) -> bool {
        matches!(self, StepStatus::Done | StepStatus::Skipped)
    }
}

/// One step and where it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: PlannedStep,
    pub status: StepStatus,
    /// HEAD when the step last started (a committing step that died after its commit is
    /// recognised by it).
    #[serde(default)]
    pub head_before: Option<String>,
    /// The dirty paths when a command step last started: a committing one's commit holds
    /// only what changed since, and another's work is what changed since ([`changed`]).
    ///
    /// [`changed`]: StepRecord::changed
    #[serde(default)]
    pub dirty_before: Vec<String>,
    /// The paths a command step without a commit of its own changed (dirty after it, not
    /// before): its work, which goes into the release commit. When one of them is clean
    /// again before that commit (stashed, checked out while the release was stopped), the
    /// step runs again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
    /// The process group of the step's command while it runs.
    #[serde(default)]
    pub process_group: Option<i32>,
    /// The group's leader (its id is the group's) as the system identifies it, so that a
    /// group id reused after a restart is not taken for the step; absent in state files
    /// written before it (checked by the id alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_leader: Option<ProcessIdentity>,
}

/// Progress kept between a stop and `continue`/`abort`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub format: u32,
    pub request: Request,
    pub base_branch: String,
    pub base_commit: String,
    pub branch: String,
    /// The version before the release (for `PREVIOUS_VERSION`).
    pub previous: String,
    pub next_version: Option<String>,
    /// The pre-release sections the changelog step folds.
    pub rc_merged: Vec<String>,
    pub steps: Vec<StepRecord>,
    pub commits: Vec<String>,
    /// Untracked files the release's steps created (`abort` removes them).
    pub created: Vec<String>,
    /// Files git ignores that the release's steps created (a build output under an ignored
    /// `dist/`): git's status never shows them, so they are recorded one by one as they
    /// appear, and `abort` removes those — never an ignored file that was there before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub created_ignored: Vec<String>,
    /// What the hooks of a commit that failed changed (a formatter in `pre-commit`), with
    /// the digest each was left with (`None`: removed): not the release's until staged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hook_edits: Vec<(String, Option<u64>)>,
    /// What the freeze step wrote, for the summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen: Option<super::summary::FreezeCount>,
    /// The places and files the plan said the freeze would change: what `continue`, which
    /// plans again without the freeze, compares the freeze it runs with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_freeze: Option<(usize, usize)>,
    /// Files a step of the release still to do wrote while the release was stopped, done by
    /// hand (`git release freeze`), with the digest each was left with: the release's work
    /// while they hold it (see `guard::release_paths`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_hand: Vec<(String, u64)>,
    /// The plan's word on the stale entries left out of the section (`Plan::stale_line`),
    /// for the summary: a drop a release made must be said at its end too, not only in a
    /// plan `--yes` scrolls past.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
    /// A final release whose section is written as towncrier builds it, not consolidated
    /// ([`crate::consolidate::SectionForm::AsBuilt`]): `continue` writes it so too. Absent
    /// (false) in state files written before finals could be (every final consolidated).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub final_as_built: bool,
    /// The changelog the release writes (`abort` and the checks of `continue` need it
    /// without the configuration).
    #[serde(default)]
    pub changelog: Option<String>,
    /// The fragment files the changelog step consumes (pre-flight refuses a name that is
    /// not UTF-8, so these are the files' own names).
    #[serde(default)]
    pub fragments: Vec<String>,
    /// Those fragments' digests (bytes, kind, executable bit) when the release started,
    /// right after pre-flight read them: one edited since must have its new text in the
    /// section before it is removed ([`check_fragments_carried`]). Empty in state files
    /// written before they were recorded (not judged).
    ///
    /// [`check_fragments_carried`]: super::guard::check_fragments_carried
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragment_digests: Vec<(String, u64)>,
    /// The files the release plans to write (the changelog, the version and next-version
    /// files, the fragments, the frozen files), relative to the work tree, with a digest of
    /// their bytes when it started: `abort` gives back those bytes where git's checkout
    /// would write others (a conversion such as `core.autocrlf` set after the files were
    /// checked out). Empty in state files written before they were recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bytes: Vec<(String, u64)>,
    /// The paths the release had changed and not committed when a step last ended (what
    /// else is dirty at `continue` or `abort` is not the release's); `None` when unknown.
    #[serde(default)]
    pub dirty: Option<Vec<String>>,
    /// The configuration files and their digests when a step last ended.
    #[serde(default)]
    pub config: Vec<(String, String)>,
    /// Whether the changelog step, when it finished, left the release's section in the
    /// changelog (a pre-release of stale fragments only writes none).
    #[serde(default)]
    pub section: bool,
    /// The entries of that section as the changelog step left it, one key each (its
    /// category and PR set, or its text when it names no PR): a section edited by hand while
    /// the release was stopped must still list each of them exactly once before it is
    /// committed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub section_entries: Vec<String>,
    /// The entries and categories of a section the release does not read back
    /// (reStructuredText, no title) as planned — what the release commit holds once the
    /// changelog step finished, which the summary reports, after a stop too. `None` for a
    /// section read back, and in state files written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread_section: Option<(usize, usize)>,
    /// How many entries of the planned section name each PR ([`Planned`]): the section
    /// the release commits must still hold them, whoever wrote it. `None` when the plan
    /// has no section it can read, and in state files written before it was recorded.
    ///
    /// [`Planned`]: super::entries::Planned
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_entries: Option<super::entries::Planned>,
    /// What each file the release changed held when a step last ended (a digest; `0`
    /// when it was gone): one that holds something else was edited by hand since, and
    /// `abort` does not discard it ([`left`](super::left)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<(String, u64)>,
    /// The files that held an edit of the user's when a step or a step done by hand
    /// started: whatever that step then wrote over it (a formatter run again, `build`), the
    /// edit is in it, and `abort` does not discard it while the file holds anything but what
    /// it held before the release ([`left`](super::left)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edited: Vec<String>,
    /// For each file of [`State::edited`], what the release had left in it when the edit
    /// was found: the file holding that again (the edit undone) holds no edit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edited_from: Vec<(String, u64)>,
    /// What the files of [`State::left`] held when the step in progress started, saved
    /// with its start: a step killed while it ran (`kill -9`) changed at most the files
    /// that hold something else now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pre_step: Vec<(String, u64)>,
    /// The files changed since a step that was killed started, by it or by the user — no
    /// one can tell: `abort` keeps a copy of each before it gives the file back
    /// ([`left::keep_copies`](super::left::keep_copies)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsure: Vec<String>,
    /// While a command or the freeze killed while it ran runs again: what the paths dirty
    /// when it started held, to tell what it writes ([`rerun`](super::rerun)). Never saved.
    #[serde(skip)]
    pub(crate) rerun_stamps: Option<std::collections::BTreeMap<String, super::rerun::Stamp>>,
    /// What that re-run found changed and did not write, held back from the release's
    /// record. Never saved.
    #[serde(skip)]
    pub(crate) unattributed: Vec<String>,
    /// The words of each pre-release entry a final folds, by its PRs, as pre-flight read
    /// them ([`rc_words`]): one reworded in the changelog since must be carried into the
    /// section.
    ///
    /// [`rc_words`]: super::entries::rc_words
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rc_words: Vec<(String, String)>,
    /// The consumed fragments the changelog step itself removed (those a run found and left
    /// gone), with the digest each held then: the ones it puts back when it runs again
    /// after its section was undone — never one the user removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_fragments: Vec<(String, u64)>,
    /// Set by `abort` before it undoes anything: an abort stopped half-way (back on the base
    /// branch, the release branch not yet deleted) is finished by the next one.
    #[serde(default)]
    pub aborting: bool,
    /// The paths `abort` restores (those that differ from the base commit), saved with
    /// `aborting` before it undoes anything: an abort stopped half-way still gives them
    /// back their modes.
    #[serde(default)]
    pub restoring: Vec<String>,
    /// The tracked files' permission bits when the release started; `None` in state files
    /// written before they were recorded.
    #[serde(default)]
    pub modes: Option<Modes>,
    /// The work tree the absolute paths above were taken in (written by [`save_state`]).
    /// A repository moved or copied while the release was stopped has its state's paths
    /// moved with it when read ([`load_state`]), so `continue` and `abort` act on the
    /// repository they run in and never on the one the release started in.
    #[serde(default, skip_serializing)]
    pub root: Option<PathBuf>,
}

impl State {
    /// Record `path` (relative to the root) as done by hand, with the digest it holds now
    /// (see [`State::by_hand`]).
    pub(crate) fn note_by_hand(&mut self, repo: &Repo, path: &str) {
        let digest = super::guard::digest_of(repo, path);
        self.by_hand.retain(|(p, _)| p != path);
        self.by_hand.push((path.to_string(), digest));
    }

    /// Whether `path` was done by hand and still holds what it was left with.
    pub(crate) fn holds_by_hand(&self, repo: &Repo, path: &str) -> bool {
        self.by_hand
            .iter()
            .any(|(p, d)| p == path && *d == super::guard::digest_of(repo, path))
    }

    /// The state of a release about to start: every step pending.
    pub fn new(plan: &Plan) -> State {
        State {
            format: FORMAT,
            request: plan.request.clone(),
            base_branch: plan.base_branch.clone(),
            base_commit: plan.base_commit.clone(),
            branch: plan.branch.clone(),
            previous: plan.current.to_string(),
            next_version: plan.next_version.as_ref().map(ToString::to_string),
            rc_merged: plan.rc_sections.clone(),
            steps: plan
                .steps
                .iter()
                .map(|s| StepRecord {
                    step: s.clone(),
                    status: StepStatus::Pending,
                    head_before: None,
                    dirty_before: Vec::new(),
                    changed: Vec::new(),
                    process_group: None,
                    process_leader: None,
                })
                .collect(),
            commits: Vec::new(),
            created: Vec::new(),
            created_ignored: Vec::new(),
            hook_edits: Vec::new(),
            frozen: None,
            planned_freeze: plan.freeze.as_ref().map(|f| (f.places, f.files)),
            by_hand: Vec::new(),
            stale: plan.stale_line(),
            final_as_built: plan.version.is_final() && !plan.form.consolidates(),
            changelog: Some(plan.changelog.to_string_lossy().into_owned()),
            fragments: plan
                .fragment_files
                .iter()
                .map(|f| f.to_string_lossy().into_owned())
                .collect(),
            fragment_digests: Vec::new(),
            bytes: Vec::new(),
            dirty: None,
            config: Vec::new(),
            section: false,
            section_entries: Vec::new(),
            planned_entries: super::entries::Planned::of_plan(plan),
            left: Vec::new(),
            edited: Vec::new(),
            edited_from: Vec::new(),
            pre_step: Vec::new(),
            unsure: Vec::new(),
            rerun_stamps: None,
            unattributed: Vec::new(),
            removed_fragments: Vec::new(),
            unread_section: plan.unread_section,
            rc_words: plan.prepared.as_ref().map_or_else(Vec::new, |p| {
                super::entries::rc_words(&p.changelog, &plan.rc_sections)
            }),
            aborting: false,
            restoring: Vec::new(),
            modes: None,
            root: None,
        }
    }

    /// Every absolute path the state holds that lies in work tree `from` moved into `to`.
    /// Each path field of the state is listed here (relative ones — `created`, `created_ignored`, `hook_edits`, `dirty`,
    /// `dirty_before`, the configuration's keys — need nothing).
    fn move_root(&mut self, from: &Path, to: &Path) {
        let moved = |path: &Path| path.strip_prefix(from).ok().map(|rest| to.join(rest));
        let move_buf = |path: &mut PathBuf| {
            if let Some(new) = moved(path) {
                *path = new;
            }
        };
        let move_string = |path: &mut String| {
            if let Some(new) = moved(Path::new(path.as_str())) {
                *path = new.to_string_lossy().into_owned();
            }
        };
        self.request.rules.iter_mut().for_each(move_buf);
        self.request.labels_from.iter_mut().for_each(move_buf);
        self.changelog.iter_mut().for_each(move_string);
        self.fragments.iter_mut().for_each(move_string);
        for (path, _) in &mut self.fragment_digests {
            move_string(path);
        }
        for (path, _) in &mut self.removed_fragments {
            move_string(path);
        }
        for record in &mut self.steps {
            match &mut record.step.kind {
                StepKind::VersionFile { file, .. } => move_buf(file),
                StepKind::NextVersion(step) => move_buf(&mut step.file),
                StepKind::CreateBranch
                | StepKind::Command(_)
                | StepKind::Freeze
                | StepKind::Changelog
                | StepKind::Commit { .. } => {}
            }
        }
    }

    /// The first step not finished: the one `continue` runs.
    pub fn next_step(&self) -> Option<usize> {
        self.steps.iter().position(|s| !s.status.finished())
    }
}

/// The permission bits of the tracked files when the release started, for `abort` to put
/// back on the files it restores: git keeps only a file's executable bit, and writes what it
/// checks out with its default mode less the umask — under `umask 077` every restored file
/// would be left 0600. Kept small: the usual mode of plain and of executable files, and
/// the files that had another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modes {
    /// The mode most tracked files without an executable bit had.
    pub plain: u32,
    /// The mode most executable tracked files had.
    pub executable: u32,
    /// The tracked files whose mode was not the usual one of their kind.
    pub other: BTreeMap<String, u32>,
}

impl Modes {
    /// The modes of `repo`'s tracked regular files, as they are now.
    pub fn read(repo: &Repo) -> Result<Modes> {
        use std::os::unix::fs::PermissionsExt;
        let mut modes = Vec::new();
        for rel in repo.ls_files()? {
            let path = repo.root().join(&rel);
            if let Ok(meta) = std::fs::symlink_metadata(&path)
                && meta.is_file()
            {
                modes.push((rel, meta.permissions().mode() & 0o7777));
            }
        }
        let usual = |executable: bool, default: u32| {
            let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
            for (_, mode) in modes
                .iter()
                .filter(|(_, m)| is_executable(*m) == executable)
            {
                *counts.entry(*mode).or_default() += 1;
            }
            counts
                .into_iter()
                .max_by_key(|(mode, n)| (*n, std::cmp::Reverse(*mode)))
                .map_or(default, |(mode, _)| mode)
        };
        let (plain, executable) = (usual(false, 0o644), usual(true, 0o755));
        let other = modes
            .into_iter()
            .filter(|(_, m)| *m != if is_executable(*m) { executable } else { plain })
            .collect();
        Ok(Modes {
            plain,
            executable,
            other,
        })
    }

    /// Give each of `paths` (relative) that is a regular file the mode it had when the
    /// release started, where git wrote it with another (an executable bit git changed
    /// stays as git set it); returns the paths whose mode could not be set, with why.
    pub fn restore(&self, repo: &Repo, paths: &[String]) -> Vec<(String, std::io::Error)> {
        use std::os::unix::fs::PermissionsExt;
        let mut failed = Vec::new();
        for rel in paths {
            let path = repo.root().join(rel);
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let now = meta.permissions().mode() & 0o7777;
            if !meta.is_file() {
                continue;
            }
            let want = match self.other.get(rel) {
                Some(&mode) if is_executable(mode) == is_executable(now) => mode,
                _ if is_executable(now) => self.executable,
                _ => self.plain,
            };
            if want != now
                && let Err(e) =
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(want))
            {
                failed.push((rel.clone(), e));
            }
        }
        failed
    }
}

fn is_executable(mode: u32) -> bool {
    mode & 0o111 != 0
}

pub(crate) fn state_path(repo: &Repo) -> PathBuf {
    repo.git_dir().join("git-release").join("state.json")
}

/// The work trees of this repository, other than `repo`'s, where a release is stopped (a
/// state file in their git directory): each the work tree's path as git records it, or its
/// git directory when git records none. Each work tree keeps its own state, but all share
/// the fragments and the branches.
pub(crate) fn stopped_elsewhere(repo: &Repo) -> Vec<PathBuf> {
    stopped_in_other_trees(repo)
        .into_iter()
        .map(|(_, tree)| tree)
        .collect()
}

/// As [`stopped_elsewhere`], each with its git directory.
fn stopped_in_other_trees(repo: &Repo) -> Vec<(PathBuf, PathBuf)> {
    let own = repo.git_dir().canonicalize().ok();
    // As a linked work tree's `commondir` names it (`<repo>/.git/worktrees/wt/../..`):
    // resolved, so that the main work tree is named as it is.
    let common = repo.common_dir();
    let common = &common
        .canonicalize()
        .unwrap_or_else(|_| common.to_path_buf());
    let linked = std::fs::read_dir(common.join("worktrees"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path());
    std::iter::once(common.to_path_buf())
        .chain(linked)
        .filter(|dir| dir.canonicalize().ok() != own)
        .filter(|dir| dir.join("git-release").join("state.json").is_file())
        .map(|dir| {
            // A linked work tree's `gitdir` names its `.git` file.
            let tree = std::fs::read_to_string(dir.join("gitdir"))
                .ok()
                .and_then(|g| Path::new(g.trim()).parent().map(Path::to_path_buf))
                .unwrap_or_else(|| dir.parent().map_or(dir.clone(), Path::to_path_buf));
            (dir, tree)
        })
        .collect()
}

/// The fragments a release stopped in another work tree (its git directory `dir`) planned
/// or took, relative to its work tree; `None` when its state cannot tell (unreadable, or a
/// fragment outside the work tree it was saved in).
fn fragments_stopped_in(dir: &Path) -> Option<(String, Vec<PathBuf>)> {
    #[derive(Deserialize)]
    struct Stopped {
        #[serde(default)]
        fragments: Vec<String>,
        #[serde(default)]
        removed_fragments: Vec<(String, u64)>,
        root: Option<PathBuf>,
        #[serde(default)]
        base_commit: String,
    }
    let text = std::fs::read_to_string(dir.join("git-release").join("state.json")).ok()?;
    let stopped: Stopped = serde_json::from_str(&text).ok()?;
    let root = stopped.root?;
    let removed = stopped.removed_fragments.into_iter().map(|(f, _)| f);
    let mut fragments: Vec<PathBuf> = stopped
        .fragments
        .into_iter()
        .chain(removed)
        .map(|f| {
            Path::new(&f)
                .strip_prefix(&root)
                .ok()
                .map(Path::to_path_buf)
        })
        .collect::<Option<_>>()?;
    fragments.sort();
    fragments.dedup();
    Some((stopped.base_commit, fragments))
}

/// The first release stopped in another work tree whose fragments this work tree holds too
/// (at the same path with the text the release started from, or renamed, recategorised or
/// moved: `shared::held_here`; a command here would take them, and once both merge their
/// entries would be listed twice), with those fragments, each named once (none named when
/// the stopped release's state cannot tell which: every one may be). A release there whose
/// fragments this work tree does not hold — or holds in other words, a maintenance branch's
/// own fragment of a backported PR — takes nothing from here.
fn sharing_fragments(repo: &Repo) -> Option<(PathBuf, Vec<String>)> {
    stopped_in_other_trees(repo)
        .into_iter()
        .find_map(|(dir, tree)| match fragments_stopped_in(&dir) {
            None => Some((tree, Vec::new())),
            Some((base, fragments)) => {
                let here = super::shared::held_here(repo, &base, &fragments);
                (!here.is_empty()).then_some((tree, here))
            }
        })
}

/// What a writing command writes, as the release step it is the by-hand command of: `git
/// release freeze VERSION` the freeze, `build VERSION` and `consolidate VERSION` the
/// changelog (the step's `by_hand` names them).
#[derive(Debug, Clone, Copy)]
pub enum Writes<'a> {
    /// The placeholder freeze of this version.
    Freeze(&'a str),
    /// This version's changelog section.
    Changelog(&'a str),
}

/// After a step of the stopped release was done by hand (`git release freeze`): the files
/// it wrote (relative to the root) are recorded with their digests, as the release's work.
/// Nothing to do when no release is stopped.
pub fn record_by_hand(repo: &Repo, paths: &[String]) -> Result<()> {
    let Some(mut state) = load_state(repo)? else {
        return Ok(());
    };
    for path in paths {
        state.note_by_hand(repo, path);
    }
    save_state(repo, &state)
}

/// Refuse while a release is stopped in this work tree, unless the command is a step of
/// that release still to do, done by hand (its version, a freeze or changelog step not
/// finished: the stop names these commands; `continue --skip` takes them, and the section
/// is checked before it is committed, whoever wrote it). Anything else it wrote — a final
/// section under a stopped pre-release, a section after the release's changelog step, what
/// it stages — would be taken by `continue` for the release's work or the user's staged
/// fix. One check for every command that writes.
pub(crate) fn refuse_while_stopped(repo: &Repo, writes: Option<Writes<'_>>) -> Result<()> {
    let Some(state) = load_state(repo)? else {
        // The work trees of a repository share its branches, and a fragment checked out in
        // both is one fragment: a section built here from one the stopped release took
        // would list its entry a second time once both merge.
        if let Some((other, shared)) = sharing_fragments(repo) {
            let which = match shared.is_empty() {
                true => String::new(),
                false => format!(" ({})", shared.join(", ")),
            };
            // A work tree whose directory was deleted (not removed with `git worktree
            // remove`): nothing can be finished there; git forgets it with `prune`.
            if other.symlink_metadata().is_err() {
                return Err(Error::Refused(format!(
                    "a release is stopped in the work tree {}, whose directory is gone, and \
                     this command would take the same fragments{which}; `git worktree prune` \
                     forgets that work tree and its stopped release (its release branch stays: \
                     `git branch -D release/<version>` if you do not want it), then run again. \
                     Nothing was changed",
                    other.display()
                )));
            }
            return Err(Error::Refused(format!(
                "a release is stopped in the work tree {}, and this command would take the \
                 same fragments{which} (checked out here too); finish it there (`git release \
                 continue`) or undo it (`git release abort`), then run again. Nothing was \
                 changed",
                other.display()
            )));
        }
        return Ok(());
    };
    let stopped = state.next_step().map(|i| &state.steps[i]);
    let same = |v: &str| match (Version::parse(v), Version::parse(&state.request.version)) {
        (Ok(a), Ok(b)) => a == b,
        _ => v == state.request.version,
    };
    let to_do = |kind: fn(&StepKind) -> bool| {
        state
            .steps
            .iter()
            .any(|s| !s.status.finished() && kind(&s.step.kind))
    };
    let by_hand = match writes {
        Some(Writes::Freeze(v)) => same(v) && to_do(|k| matches!(k, StepKind::Freeze)),
        Some(Writes::Changelog(v)) => same(v) && to_do(|k| matches!(k, StepKind::Changelog)),
        None => false,
    };
    if by_hand {
        // What the command writes over an edit of the user's must not make it the
        // release's (`record_by_hand` records the file's digest after it).
        let mut state = state;
        let marked = (state.edited.clone(), state.unsure.clone());
        super::left::mark_edited(repo, &mut state);
        if marked != (state.edited.clone(), state.unsure.clone()) {
            save_state(repo, &state)?;
        }
        return Ok(());
    }
    // A step's name may hold backticks of its own (`Run `webui``): quoted instead.
    let at = stopped.map_or(String::new(), |s| format!(" at \"{}\"", s.step.name));
    Err(Error::Refused(format!(
        "a release of {} is in progress on {} (stopped{at}): what this command plans or \
         writes would be mixed with it; finish it with `git release continue` or undo it \
         with `git release abort` first. Nothing was changed",
        state.request.version, state.branch
    )))
}

/// Read the state (`None`: no release is stopped here). Called under the release lock, so
/// no write of the release's is under way: a write a stop cut short (`kill -9` while the
/// state or a review draft was saved) left its temporary file, which goes first.
pub(crate) fn load_state(repo: &Repo) -> Result<Option<State>> {
    remove_cut_writes(repo);
    let path = state_path(repo);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    #[derive(Deserialize)]
    struct Versioned {
        format: Option<u32>,
        branch: Option<String>,
        base_branch: Option<String>,
    }
    let damaged = |e: serde_json::Error| {
        Error::Refused(format!(
            "{} is damaged ({e}); remove it to start over",
            path.display()
        ))
    };
    let head: Versioned = serde_json::from_str(&text).map_err(damaged)?;
    if head.format != Some(FORMAT) {
        return Err(Error::Refused(format!(
            "{} was written by another version of git-release (format {}, this one reads {FORMAT}); \
             finish that release by hand on `{}` or undo it (`git switch {}`, `git branch -D {}`), \
             then remove the file",
            path.display(),
            head.format.map_or("1".to_string(), |f| f.to_string()),
            head.branch.as_deref().unwrap_or("the release branch"),
            head.base_branch.as_deref().unwrap_or("main"),
            head.branch.as_deref().unwrap_or("<release branch>"),
        )));
    }
    let mut state: State = serde_json::from_str(&text).map_err(damaged)?;
    if let Some(from) = state.root.take()
        && from != repo.root()
    {
        state.move_root(&from, repo.root());
    }
    Ok(Some(state))
}

/// Save the state (atomically: a failed write keeps the state saved before). A write that
/// fails (a full disk) stops the release where the last saved state left it, which
/// `continue` and `abort` take up from.
pub(crate) fn save_state(repo: &Repo, state: &State) -> Result<()> {
    write_state(repo, state).map_err(|e| Error::Step {
        step: "save the release's state".into(),
        message: format!(
            "{e}; the state saved before is kept: free space (or mend the permissions), then \
             `git release continue` takes up from it (a step it shows as unfinished runs \
             again), or `git release abort` undoes the release"
        ),
    })
}

/// Write the state file, atomically (a failed write keeps the one saved before).
pub(crate) fn write_state(repo: &Repo, state: &State) -> Result<()> {
    #[derive(Serialize)]
    struct Saved<'a> {
        #[serde(flatten)]
        state: &'a State,
        root: &'a Path,
    }
    let text = crate::json::pretty(&Saved {
        state,
        root: repo.root(),
    });
    crate::atomic::write(&state_path(repo), text.as_bytes())
}

/// Forget the release: its state file, the temporaries of writes a stop cut short, and the
/// state's directory when nothing else is in it (a kept draft stays; in the main work tree
/// the lock is there until [`Lock`](super::Lock) is dropped, which removes the directory).
pub(crate) fn clear_state(repo: &Repo) {
    let path = state_path(repo);
    let _ = std::fs::remove_file(&path);
    remove_cut_writes(repo);
    if let Some(dir) = path.parent() {
        let _ = std::fs::remove_dir(dir);
    }
}

/// The directories the release writes in under the lock with [`crate::atomic::write`] (the
/// state's, and the git directory where the review's draft is kept), rid of the temporary
/// files of writes a stop cut short — those only, see
/// [`crate::atomic::remove_unfinished_writes`].
fn remove_cut_writes(repo: &Repo) {
    let state = state_path(repo);
    let draft = crate::review::draft_path(repo.git_dir());
    let mut dirs: Vec<&Path> = [state.parent(), draft.parent()]
        .into_iter()
        .flatten()
        .collect();
    dirs.dedup();
    for dir in dirs {
        crate::atomic::remove_unfinished_writes(dir);
    }
}
