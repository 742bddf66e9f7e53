//! What a step leaves that git's status does not show as the release's: the files it
//! created where git ignores them (for `abort` to remove), and what the hooks of a commit
//! that failed changed (for `continue` to refuse until it is staged or undone).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::guard::fnv1a;
use super::plan::StepKind;
use super::state::State;
use crate::error::Result;
use crate::git::{DirtyKind, Repo};

/// Every untracked file git ignores, one by one (a directory git lists whole is walked,
/// symlinks not followed): what a step created there is told by comparing before and after.
pub(crate) fn ignored_files(repo: &Repo) -> Result<BTreeSet<String>> {
    fn walk(root: &Path, rel: &str, out: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{rel}{name}");
            match entry.file_type() {
                Ok(t) if t.is_dir() => walk(root, &format!("{path}/"), out),
                Ok(_) => {
                    out.insert(path);
                }
                Err(_) => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    for path in repo.ignored_untracked()? {
        match path.strip_suffix('/') {
            Some(_) => walk(repo.root(), &path, &mut out),
            None => {
                out.insert(path);
            }
        }
    }
    Ok(out)
}

/// The ignored files before a command or a commit (its hooks) runs: a build output under
/// an ignored directory is the step's, for `abort` to remove. `None` for another step, or
/// when git cannot say (then nothing is recorded: never the user's files).
pub(crate) fn ignored_before(repo: &Repo, kind: &StepKind) -> Option<BTreeSet<String>> {
    match kind {
        StepKind::Command(_) | StepKind::Commit { .. } => ignored_files(repo).ok(),
        _ => None,
    }
}

/// Record as the release's the ignored files that appeared since `before`.
pub(crate) fn record_created_ignored(
    repo: &Repo,
    state: &mut State,
    before: Option<&BTreeSet<String>>,
) {
    let (Some(before), Ok(now)) = (before, ignored_files(repo)) else {
        return;
    };
    // A set to check against: a step may create many (a dependency install).
    let known: BTreeSet<String> = state.created_ignored.iter().cloned().collect();
    let new: Vec<String> = now
        .difference(before)
        .filter(|p| !known.contains(*p))
        .cloned()
        .collect();
    state.created_ignored.extend(new);
}

/// The digest of each file the work tree holds beyond HEAD (changed or untracked), before
/// a commit runs: what its hooks change, should they reject it, is told by them.
pub(crate) fn digests_before(
    repo: &Repo,
    kind: &StepKind,
) -> Option<BTreeMap<String, Option<u64>>> {
    match kind {
        StepKind::Commit { .. } => work_digests(repo).ok(),
        _ => None,
    }
}

fn work_digests(repo: &Repo) -> Result<BTreeMap<String, Option<u64>>> {
    let mut paths: BTreeSet<String> = repo
        .dirty_paths()?
        .into_iter()
        .filter(|d| d.kind != DirtyKind::Untracked)
        .map(|d| d.path)
        .collect();
    paths.extend(repo.untracked_files()?);
    Ok(paths
        .into_iter()
        .map(|p| {
            let digest = std::fs::read(repo.root().join(&p)).ok().map(|b| fnv1a(&b));
            (p, digest)
        })
        .collect())
}

/// After a commit step: when it failed, what its hooks changed (a formatter that rejects
/// the commit and fixes the files, as pre-commit's do) is recorded, not the release's until
/// the user stages it, and named in the stop's message (returned, to append to it).
pub(crate) fn record_hook_edits(
    repo: &Repo,
    state: &mut State,
    before: Option<BTreeMap<String, Option<u64>>>,
    failed: bool,
) -> String {
    let Some(before) = before else {
        return String::new();
    };
    state.hook_edits.clear();
    let Some(now) = failed.then(|| work_digests(repo).ok()).flatten() else {
        return String::new();
    };
    let mut edits: Vec<(String, Option<u64>)> = now
        .iter()
        .filter(|(p, d)| before.get(*p) != Some(d))
        .map(|(p, d)| (p.clone(), *d))
        .collect();
    // A file that was dirty before and is gone now was removed by a hook.
    edits.extend(
        before
            .iter()
            .filter(|(p, d)| d.is_some() && !now.contains_key(*p))
            .filter(|(p, _)| !repo.root().join(p).exists())
            .map(|(p, _)| (p.clone(), None)),
    );
    if edits.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = edits.iter().map(|(p, _)| p.as_str()).collect();
    let note = format!(
        "\n  the commit's hooks changed {} before rejecting it: not taken as the release's. \
         Stage (`git add`) what belongs in the release, undo the rest, then continue",
        names.join(", ")
    );
    state.hook_edits = edits;
    note
}

/// The hook edits recorded by [`record_hook_edits`] still as the hook left them and not
/// staged: `continue` refuses to commit them unseen.
pub(crate) fn unstaged_hook_edits(repo: &Repo, state: &State) -> Result<Vec<String>> {
    if state.hook_edits.is_empty() {
        return Ok(Vec::new());
    }
    let mut unstaged: BTreeSet<String> = repo
        .dirty_paths()?
        .into_iter()
        .filter(|d| d.kind == DirtyKind::Unstaged)
        .map(|d| d.path)
        .collect();
    unstaged.extend(repo.untracked_files()?);
    Ok(state
        .hook_edits
        .iter()
        .filter(|(p, d)| {
            unstaged.contains(p) && *d == std::fs::read(repo.root().join(p)).ok().map(|b| fnv1a(&b))
        })
        .map(|(p, _)| p.clone())
        .collect())
}
