//! What a command or the freeze killed while it ran (`kill -9`) may take into the release
//! when `continue` runs it again.
//!
//! The killed run recorded nothing of what it wrote, and the user may have worked since:
//! what changed outside the release's files cannot be told the step's or the user's by
//! looking. Running the step again tells: what the re-run writes is the step's. So the
//! paths outside the release dirty when the re-run starts are stamped (content digest,
//! size, times, inode — [`stamps`]), and after it one that the re-run did not touch, that
//! was not dirty when the killed run started and that the release does not account for,
//! is no one's ([`unattributed`]): the step stops before its commit (or before the release
//! commit takes it) and names it — staged, `continue` takes it; moved away, it is gone from
//! the question. A freeze re-run writes only the files still to freeze: a file holding
//! exactly the freeze of what it held at the base commit is the killed run's.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::guard::{fnv1a, owns, release_paths};
use super::plan::{Plan, StepKind};
use super::state::{State, StepStatus};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::git::{DirtyKind, Repo};

/// What a path held, closely enough to tell a write of the same bytes: each file's (the
/// path's own, or each under a directory) digest, size, modification and change times and
/// inode.
pub(crate) type Stamp = Vec<FileStamp>;

/// One file of a [`Stamp`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FileStamp {
    name: String,
    digest: u64,
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    inode: u64,
}

/// When step `i` starts: a command or the freeze killed while it ran (still marked
/// started) runs again, and what it changed is known only by watching that re-run — the
/// paths dirty now are stamped for [`check`].
pub(crate) fn begin(repo: &Repo, state: &mut State, i: usize) -> Result<()> {
    let record = &state.steps[i];
    let killed = record.status == StepStatus::Started
        && matches!(record.step.kind, StepKind::Command(_) | StepKind::Freeze);
    state.rerun_stamps = killed.then(|| stamps(repo)).transpose()?;
    state.unattributed.clear();
    Ok(())
}

/// The stamp of every path dirty now.
fn stamps(repo: &Repo) -> Result<BTreeMap<String, Stamp>> {
    Ok(repo
        .dirty_paths()?
        .into_iter()
        .map(|d| {
            let stamp = stamp(&repo.root().join(&d.path));
            (d.path, stamp)
        })
        .collect())
}

/// The stamp of `path` (empty when it does not exist).
fn stamp(path: &Path) -> Stamp {
    let mut out = Vec::new();
    let mut stack = vec![(path.to_path_buf(), String::new())];
    while let Some((p, name)) = stack.pop() {
        let Ok(meta) = p.symlink_metadata() else {
            continue;
        };
        if meta.is_dir() {
            for entry in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                let child = format!("{name}/{}", entry.file_name().to_string_lossy());
                stack.push((entry.path(), child));
            }
            continue;
        }
        let digest = match meta.is_symlink() {
            true => std::fs::read_link(&p).map_or(0, |t| fnv1a(t.as_os_str().as_encoded_bytes())),
            false => std::fs::read(&p).map_or(0, |b| fnv1a(&b)),
        };
        out.push(FileStamp {
            name,
            digest,
            len: meta.len(),
            modified: (meta.mtime(), meta.mtime_nsec()),
            changed: (meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
        });
    }
    out.sort();
    out
}

/// After a killed step ran again (`before`: [`stamps`] taken when it started): the paths
/// dirty now, outside the release's files and what it had left, that were clean when the
/// killed run started and that the re-run did not touch — the killed run's or the user's,
/// no one can tell. Staged ones are the user's word that they belong in the release.
fn unattributed(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
    state: &State,
    i: usize,
    before: &BTreeMap<String, Stamp>,
) -> Result<Vec<String>> {
    let own = release_paths(repo, state);
    let left: BTreeSet<&String> = state.dirty.iter().flatten().collect();
    let dirty_before: BTreeSet<&String> = state.steps[i].dirty_before.iter().collect();
    let freeze = match state.steps[i].step.kind {
        StepKind::Freeze => config.release.freeze.as_ref(),
        _ => None,
    };
    let mut out = Vec::new();
    for d in repo.dirty_paths()? {
        if d.kind == DirtyKind::Staged
            || left.contains(&d.path)
            || dirty_before.contains(&d.path)
            || owns(&own, &d.path)
        {
            continue;
        }
        // Not dirty when the re-run started, or changed by it: the step's.
        let touched = before
            .get(&d.path)
            .is_none_or(|then| *then != stamp(&repo.root().join(&d.path)));
        if touched {
            continue;
        }
        if let Some(freeze) = freeze {
            let base = repo.file_at("HEAD", &d.path).ok().flatten();
            let now = std::fs::read(repo.root().join(&d.path)).ok();
            let frozen = base.map(|b| freeze.freeze_bytes(&b, &plan.version.to_string()).new);
            if frozen.is_some() && frozen == now {
                continue;
            }
        }
        out.push(d.path);
    }
    Ok(out)
}

/// The stop for [`unattributed`] paths: nothing was committed, and they stay as they are.
fn unattributed_error(state: &State, i: usize, paths: &[String]) -> Error {
    let words = paths
        .iter()
        .map(|p| super::plan::shell_quote(p))
        .collect::<Vec<_>>()
        .join(" ");
    Error::Step {
        step: state.steps[i].step.name.clone(),
        message: format!(
            "the step was killed while it ran, and since it started {} changed outside the \
             release's files; run again, the step did not write {}, so nothing tells whether \
             the killed run or you changed {}. If {} the release's, stage {} (`git add -A -- \
             {words}`); if not, move {} away (`git stash push --include-untracked -- {words}`); \
             then `git release continue`",
            paths.join(", "),
            if paths.len() == 1 { "it" } else { "them" },
            if paths.len() == 1 { "it" } else { "them" },
            if paths.len() == 1 {
                "it is"
            } else {
                "they are"
            },
            if paths.len() == 1 { "it" } else { "them" },
            if paths.len() == 1 { "it" } else { "them" },
        ),
    }
}

/// The check itself, for a step's own code: after a killed command or freeze ran again,
/// before its commit.
pub(crate) fn check(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
    state: &mut State,
    i: usize,
) -> Result<()> {
    let Some(before) = state.rerun_stamps.take() else {
        return Ok(());
    };
    let found = unattributed(repo, config, plan, state, i, &before)?;
    if found.is_empty() {
        return Ok(());
    }
    state.unattributed = found.clone();
    Err(unattributed_error(state, i, &found))
}

/// After a command or the freeze ran: the paths dirty that are not its work — dirty when
/// it first started, or found [`unattributed`] by its re-run after a kill.
pub(crate) fn not_the_steps(state: &State, i: usize) -> BTreeSet<String> {
    let before = state.steps[i].dirty_before.iter();
    before.chain(&state.unattributed).cloned().collect()
}
