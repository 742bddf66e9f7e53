//! What the release left in the files it changed, so that `abort`, which gives them back
//! as they were, never takes an edit the user made while the release was stopped.
//!
//! After each step the digest of every file the release has written or changed is recorded
//! ([`record`]). A file that holds neither that nor what it held when the release started
//! was edited by hand since ([`edited_since`]): `abort` refuses, naming it, as it does for
//! an edited fragment and for changes outside the release's paths.
//!
//! A step that writes over such an edit (a formatter run again by `continue`, `build` done by
//! hand) would make it look like the release's: a file that holds an edit when a step or a
//! step done by hand starts is marked edited for good ([`start_step`], [`mark_edited`]), and
//! stays so until it holds again what it held before the release. A step killed while it
//! ran recorded nothing of what it wrote: what the files held when it started is saved with
//! its start ([`State::pre_step`]); one that holds something else since cannot be told the
//! step's or the user's, and `abort` keeps a copy of it ([`keep_copies`]) — no refusal of an
//! ordinary abort after a kill, and no edit lost.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::guard::{digest_of, fnv1a, release_paths};
use super::state::{State, StepStatus};
use crate::error::{Error, Result};
use crate::git::Repo;

/// What a file holds against what the release accounts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// What abort gives back, or nothing (removed by hand): nothing to lose.
    Before,
    /// What the release left (or a step done by hand wrote).
    Release,
    /// Something else: the user's edit.
    Edit,
}

/// What `path` (recorded as leaving `left`) holds now.
fn held(repo: &Repo, state: &State, path: &str, left: u64) -> Held {
    let now = digest_of(repo, path);
    if now == 0 || holds_before(repo, state, path, now) {
        Held::Before
    } else if now == left || state.holds_by_hand(repo, path) {
        Held::Release
    } else {
        Held::Edit
    }
}

/// Whether digest `now` of `path` is what abort gives back: the bytes recorded when the
/// release started, or the base commit's, as stored or checked out with CRLF line ends
/// (`core.autocrlf`) — read only for a file that holds something else than the release left.
fn holds_before(repo: &Repo, state: &State, path: &str, now: u64) -> bool {
    if state.bytes.iter().any(|(p, d)| p == path && *d == now) {
        return true;
    }
    let base = repo.file_at(&state.base_commit, path).ok().flatten();
    base.is_some_and(|b| now == fnv1a(&b) || now == fnv1a(&crlf(&b)))
}

/// Whether the step about to run (the next one) was started before and killed while it
/// ran: still marked started.
fn killed(state: &State) -> bool {
    state
        .next_step()
        .is_some_and(|i| state.steps[i].status == StepStatus::Started)
}

/// What the release accounts for in `path` since the step in progress started: what the
/// file held then (a step killed may have left it so), else what was recorded.
fn pre_step(state: &State, path: &str, left: u64) -> u64 {
    state
        .pre_step
        .iter()
        .find(|(p, _)| p == path)
        .map_or(left, |(_, d)| *d)
}

/// Mark the files that hold an edit of the user's now, and unmark those that hold again
/// what abort gives back (see [`State::edited`]).
fn mark(repo: &Repo, state: &mut State) {
    let mut edited: BTreeSet<String> = state.edited.iter().cloned().collect();
    let mut unsure: BTreeSet<String> = state.unsure.iter().cloned().collect();
    let mut from: BTreeMap<String, u64> = state.edited_from.iter().cloned().collect();
    for (path, left) in &state.left {
        match held(repo, state, path, *left) {
            Held::Before => {
                edited.remove(path);
                unsure.remove(path);
                from.remove(path);
            }
            Held::Edit if undone(repo, state, path) => {
                edited.remove(path);
                from.remove(path);
            }
            Held::Edit => {
                if edited.insert(path.clone()) {
                    from.insert(path.clone(), *left);
                }
            }
            Held::Release => {}
        }
    }
    state.edited = edited.into_iter().collect();
    state.unsure = unsure.into_iter().collect();
    state.edited_from = from
        .into_iter()
        .filter(|(p, _)| state.edited.contains(p))
        .collect();
}

/// Whether a file marked edited holds again what the release had left in it when the
/// edit was found: the edit was undone.
fn undone(repo: &Repo, state: &State, path: &str) -> bool {
    state
        .edited_from
        .iter()
        .any(|(p, d)| p == path && *d == digest_of(repo, path))
}

/// Before a step done by hand writes the release's files (`build`, `consolidate`,
/// `freeze`): the files that hold an edit of the user's are marked, so that what the
/// command writes over them does not make the edit the release's.
pub(crate) fn mark_edited(repo: &Repo, state: &mut State) {
    mark(repo, state);
}

/// When a step starts, before its start is saved: what the files recorded so far hold (
/// [`record`] tells by it what the step wrote from what was there before it — an edit made
/// while the release was stopped is not the step's), saved as [`State::pre_step`]; the
/// files holding an edit of the user's marked. A step run again after it was killed: the
/// files changed since it first started, by it or by the user, are unsure — taken as left
/// so, and copied aside by `abort`.
pub(crate) fn start_step(repo: &Repo, state: &mut State) -> BTreeMap<String, u64> {
    if killed(state) {
        let changed: Vec<(String, u64)> = state
            .left
            .iter()
            .filter(|(path, left)| {
                let now = digest_of(repo, path);
                now != pre_step(state, path, *left)
                    && now != 0
                    && !holds_before(repo, state, path, now)
                    && !state.edited.contains(path)
            })
            .map(|(path, _)| (path.clone(), digest_of(repo, path)))
            .collect();
        for (path, now) in changed {
            if !state.unsure.contains(&path) {
                state.unsure.push(path.clone());
            }
            if let Some(entry) = state.left.iter_mut().find(|(p, _)| *p == path) {
                entry.1 = now;
            }
        }
    }
    mark(repo, state);
    let before: BTreeMap<String, u64> = state
        .left
        .iter()
        .map(|(p, _)| (p.clone(), digest_of(repo, p)))
        .collect();
    state.pre_step = before.iter().map(|(p, d)| (p.clone(), *d)).collect();
    before
}

/// Record what each file the release changed holds after a step: its dirty paths (what a
/// command or the freeze changed) and the paths its steps write, committed or not. A file
/// the step did not change (it holds what it held when the step started) keeps what was
/// recorded for it: a hand edit made while the release was stopped stays the user's
/// through a `continue` that stops again.
pub(crate) fn record(repo: &Repo, state: &mut State, before: &BTreeMap<String, u64>) {
    let mut paths: BTreeSet<String> = release_paths(repo, state);
    paths.extend(state.dirty.iter().flatten().cloned());
    let recorded: BTreeMap<String, u64> = state.left.iter().cloned().collect();
    state.left = paths
        .into_iter()
        .filter(|p| !p.ends_with('/') && !std::path::Path::new(p).is_absolute())
        .map(|p| {
            let now = digest_of(repo, &p);
            let digest = match (recorded.get(&p), before.get(&p)) {
                (Some(&left), Some(&then)) if then == now => left,
                _ => now,
            };
            (p, digest)
        })
        .collect();
}

/// `bytes` with each LF line end written CRLF, as git checks a text file out under
/// `core.autocrlf=true`.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut previous = 0u8;
    for &b in bytes {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

/// The files that hold an edit of the user's that abort would discard: neither what the
/// release left in them nor what they held before it, or marked edited when a step started
/// (see [`State::edited`]) and not given back since. After a kill, a file changed since the
/// killed step started is not judged here: [`unsure`] names it.
pub(crate) fn edited_since(repo: &Repo, state: &State) -> Vec<String> {
    let killed = killed(state);
    state
        .left
        .iter()
        .filter(|(path, left)| {
            if state.edited.contains(path) {
                let now = digest_of(repo, path);
                return now != 0
                    && !holds_before(repo, state, path, now)
                    && !undone(repo, state, path);
            }
            let left = match killed {
                true => pre_step(state, path, *left),
                false => *left,
            };
            let changed_since_kill = killed && digest_of(repo, path) != left;
            !changed_since_kill && held(repo, state, path, left) == Held::Edit
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// The files abort cannot tell the release's from the user's, and keeps a copy of before
/// giving them back: changed since a killed step started (by it or by the user), or taken
/// as left so when it ran again — while they hold something else than before the release.
pub(crate) fn unsure(repo: &Repo, state: &State) -> Vec<String> {
    let killed = killed(state);
    state
        .left
        .iter()
        .filter(|(path, left)| {
            if state.edited.contains(path) {
                return false;
            }
            let now = digest_of(repo, path);
            let changed = match killed {
                true => now != pre_step(state, path, *left),
                false => false,
            };
            (changed || state.unsure.contains(path))
                && now != 0
                && !holds_before(repo, state, path, now)
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// Where `abort` keeps the copies of the files it cannot judge.
pub(crate) fn copies_dir(repo: &Repo) -> PathBuf {
    super::state::state_path(repo)
        .parent()
        .map_or_else(|| repo.git_dir().join("git-release"), PathBuf::from)
        .join("aborted")
}

/// Copy each of `paths` (relative to the work tree) into [`copies_dir`], under its own
/// path (a copy already there kept: the new one gets a numbered name); returns where each
/// went. Done before abort changes anything: a copy that cannot be made stops it.
pub(crate) fn keep_copies(repo: &Repo, paths: &[String]) -> Result<Vec<(String, PathBuf)>> {
    let dir = copies_dir(repo);
    let mut kept = Vec::new();
    for path in paths {
        let from = repo.root().join(path);
        let bytes = std::fs::read(&from).map_err(|e| Error::io(&from, e))?;
        let mut to = dir.join(path);
        let mut n = 1;
        while to.symlink_metadata().is_ok() {
            to = dir.join(format!("{path}.{n}"));
            n += 1;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        crate::atomic::write(&to, &bytes)?;
        kept.push((path.clone(), to));
    }
    Ok(kept)
}
