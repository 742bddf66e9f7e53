//! Which commits on the release branch are the release's: those it recorded, a step's own
//! commit made before its run died (by subject, parent and — for the release's own commits —
//! the paths it holds), and what `continue` refuses and `abort` will not delete.

use std::collections::BTreeSet;

use super::guard::{owns, release_paths};
use super::plan::StepKind;
use super::state::{State, StepStatus};
use crate::error::{Error, Result};
use crate::git::Repo;

/// The commits of the release branch that the release did not make and that no other
/// branch or tag holds: deleting the branch would lose them.
pub(crate) fn foreign_commits(repo: &Repo, state: &State) -> Result<Vec<(String, String)>> {
    Ok(foreign_among(state, repo.commits_only_on(&state.branch)?))
}

/// Of the release branch's own commits `on_branch` (id, subject), those the release did not
/// make: not recorded, and no subject of a planned commit ([`is_subject_of`]).
fn foreign_among(state: &State, on_branch: Vec<(String, String)>) -> Vec<(String, String)> {
    let planned: BTreeSet<&str> = state
        .steps
        .iter()
        .filter_map(|s| match &s.step.kind {
            StepKind::Commit { message } => Some(message.as_str()),
            StepKind::NextVersion(n) => Some(n.message.as_str()),
            StepKind::Command(c) => c.commit.as_deref(),
            _ => None,
        })
        .map(|m| m.lines().next().unwrap_or("").trim())
        .collect();
    on_branch
        .into_iter()
        .filter(|(id, subject)| {
            !state.commits.contains(id) && !planned.iter().any(|p| is_subject_of(subject, p))
        })
        .collect()
}

/// The commits on the release branch that `abort`, deleting it, would lose: those the
/// release did not make ([`foreign_commits`]), and those made by hand with a step's message
/// that hold a path none of the release's steps wrote (`git commit -m 'release: 1.4.0'`
/// taking a file of the user's): only the release's own work may go with the branch.
pub(crate) fn commits_abort_would_lose(
    repo: &Repo,
    state: &State,
) -> Result<Vec<(String, String)>> {
    let on_branch = repo.commits_only_on(&state.branch)?;
    let mut lost = foreign_among(state, on_branch.clone());
    let mut own = release_paths(repo, state);
    own.extend(state.dirty.iter().flatten().cloned());
    own.extend(state.steps.iter().flat_map(|s| s.changed.iter().cloned()));
    // The files it planned to write (the frozen ones too): a release commit made before its
    // run was stopped (Ctrl-C while a `post-commit` hook ran) holds them, and no step's
    // record of what is dirty does once they are committed.
    own.extend(state.bytes.iter().map(|(path, _)| path.clone()));
    // A configured step's own commit, made before its run died (recognised as `continue`
    // does): what it holds is known only from it. (The release and next-version commits
    // hold the release's own paths, checked below like any.)
    let mut made: Vec<String> = Vec::new();
    for record in &state.steps {
        if let StepKind::Command(c) = &record.step.kind
            && let Some(message) = &c.commit
        {
            made.extend(commit_made(repo, record, message)?);
        }
    }
    for (id, subject) in on_branch {
        if state.commits.contains(&id) || made.contains(&id) || lost.iter().any(|(l, _)| *l == id) {
            continue;
        }
        if repo.paths_changed_by(&id)?.iter().any(|p| !owns(&own, p)) {
            lost.push((id, subject));
        }
    }
    Ok(lost)
}

/// Whether a commit's subject is a planned commit's subject `planned`: the same, or holding
/// it whole, as a `prepare-commit-msg` or `commit-msg` hook leaves it when it adds a prefix
/// or a suffix (`[release/1.4.0] release: 1.4.0`, `release: 1.4.0 (#12)`) — set apart by a
/// space or a bracket, never run on: `chore: docs: fix a typo` is no `chore: docs`, and
/// `release: 1.4.0rc1` no `release: 1.4.0`.
pub(crate) fn is_subject_of(subject: &str, planned: &str) -> bool {
    let planned = planned.trim();
    if planned.is_empty() {
        return false;
    }
    let apart = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || "[](){}".contains(c));
    subject.match_indices(planned).any(|(at, _)| {
        apart(subject[..at].chars().next_back())
            && apart(subject[at + planned.len()..].chars().next())
    })
}

/// A committing step that an earlier run started made its commit when HEAD moved since
/// by one commit whose subject is the step's (as a commit hook may have dressed it), on the
/// step's `head_before`: the run died after the commit, before recording it (a `kill -9`,
/// Ctrl-C while a `post-commit` hook ran).
pub(crate) fn commit_made(
    repo: &Repo,
    record: &super::state::StepRecord,
    message: &str,
) -> Result<Option<String>> {
    let (Some(before), Some(head)) = (&record.head_before, repo.head_commit()?) else {
        return Ok(None);
    };
    if record.status == StepStatus::Pending || *before == head {
        return Ok(None);
    }
    let subject = message.lines().next().unwrap_or("").trim();
    if is_subject_of(&repo.subject(&head)?, subject)
        && repo.parent(&head)?.as_deref() == Some(before)
    {
        return Ok(Some(head));
    }
    Ok(None)
}

/// Whether the release commit is made already: its step finished, or it was made and the
/// run died before recording it ([`commit_made`]) — then the finished steps' work is in it.
pub(super) fn release_committed(repo: &Repo, state: &State) -> Result<bool> {
    for record in &state.steps {
        if let StepKind::Commit { message } = &record.step.kind {
            if record.status.finished() || commit_made(repo, record, message)?.is_some() {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Stop when the release branch holds commits the release did not make (the user committed
/// on it while the review was open, or while the release was stopped): the release would
/// commit on top of them, and they may hold the release's own changes. Named, with the way
/// to keep them.
pub(crate) fn no_foreign_commits(repo: &Repo, state: &State, step: &str) -> Result<()> {
    match foreign_commits_named(repo, state)? {
        None => Ok(()),
        Some(message) => Err(Error::Step {
            step: step.into(),
            message,
        }),
    }
}

/// What [`no_foreign_commits`] says, `None` when the branch holds only the release's.
pub(crate) fn foreign_commits_named(repo: &Repo, state: &State) -> Result<Option<String>> {
    let commits = foreign_commits(repo, state)?;
    let Some((first, _)) = commits.first() else {
        return Ok(None);
    };
    let short = |id: &str| id[..id.len().min(10)].to_string();
    let shown: Vec<String> = commits
        .iter()
        .map(|(id, subject)| format!("{} {subject}", short(id)))
        .collect();
    let ours = state.commits.last().unwrap_or(&state.base_commit);
    Ok(Some(format!(
        "`{}` holds commits the release did not make: {}; the release would be committed on \
         top of them (with whatever of the release's changes they took). Keep them on a \
         branch of their own (`git branch <name> {}`), then take them off the release branch \
         without touching the work tree (`git reset {}`: their changes stay in the work tree, \
         where `continue` tells the release's from yours), then `git release continue`; or \
         `git release abort`",
        state.branch,
        shown.join("; "),
        short(first),
        short(ours),
    )))
}

/// The paths that differ from HEAD (staged, modified or untracked).
pub(crate) fn dirty_set(repo: &Repo) -> Result<BTreeSet<String>> {
    Ok(repo.dirty_paths()?.into_iter().map(|d| d.path).collect())
}

/// Commit the paths that became dirty since `before`, alone, with `message`; `None` when
/// there are none. A file the release had already changed stays with the release commit.
pub(crate) fn commit_new_changes(
    repo: &Repo,
    before: &BTreeSet<String>,
    message: &str,
) -> Result<Option<String>> {
    let changed: Vec<String> = dirty_set(repo)?
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    if changed.is_empty() {
        return Ok(None);
    }
    // A path already gone from the index and the work tree (`git rm` by the command) has
    // nothing left to stage — `git add` would refuse it — and its commit takes the removal.
    let names: Vec<&str> = changed.iter().map(String::as_str).collect();
    let in_index = repo.tracked(&names)?;
    let to_stage: Vec<&str> = names
        .iter()
        .zip(in_index)
        .filter(|(p, tracked)| *tracked || repo.root().join(p).symlink_metadata().is_ok())
        .map(|(p, _)| *p)
        .collect();
    repo.add(&to_stage)?;
    repo.commit_only(message, &changed).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_holds_the_planned_one_set_apart() {
        for (subject, planned, is) in [
            ("release: 1.4.0", "release: 1.4.0", true),
            ("[release/1.4.0] release: 1.4.0", "release: 1.4.0", true),
            ("release: 1.4.0 (#12)", "release: 1.4.0", true),
            (
                "chore: docs: explain the timeout option",
                "chore: docs",
                false,
            ),
            ("release: 1.4.0rc1", "release: 1.4.0", false),
            ("pre-release: 1.4.0", "release: 1.4.0", false),
            ("anything", "", false),
        ] {
            assert_eq!(
                is_subject_of(subject, planned),
                is,
                "{subject:?} / {planned:?}"
            );
        }
    }
}
