//! What the release left in the files it changed, so that `abort`, which gives them back
//! as they were, never takes an edit the user made while the release was stopped.
//!
//! After each step the digest of every file the release has written or changed is recorded
//! ([`record`]). A file that holds neither that nor what it held when the release started
//! was edited by hand since ([`edited_since`]): `abort` refuses, naming it, as it does for
//! an edited fragment and for changes outside the release's paths.

use std::collections::{BTreeMap, BTreeSet};

use super::guard::{digest_of, fnv1a, release_paths};
use super::state::{State, StepStatus};
use crate::git::Repo;

/// What the files recorded so far hold when a step starts ([`record`] tells by it what
/// the step wrote from what was there before it — an edit made while the release was
/// stopped is not the step's).
pub(crate) fn before_step(repo: &Repo, state: &State) -> BTreeMap<String, u64> {
    state
        .left
        .iter()
        .map(|(p, _)| (p.clone(), digest_of(repo, p)))
        .collect()
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

/// The files that hold neither what the release left in them nor what they held when it
/// started (when that is known): edited by hand since the release last wrote them.
pub(crate) fn edited_since(repo: &Repo, state: &State) -> Vec<String> {
    // A step killed while it ran (`kill -9`: still marked started) recorded nothing of what
    // it wrote: its writes cannot be told from the user's, and are not judged.
    let killed = state
        .next_step()
        .is_some_and(|i| state.steps[i].status == StepStatus::Started);
    if killed {
        return Vec::new();
    }
    state
        .left
        .iter()
        .filter(|(path, left)| {
            let now = digest_of(repo, path);
            // What abort gives back: the bytes recorded when the release started; the base
            // commit's, as stored or checked out with CRLF line ends (`core.autocrlf`) —
            // read only for a file that holds something else than the release left.
            let at_start = state.bytes.iter().find(|(p, _)| p == path).map(|(_, d)| *d);
            let as_base = || {
                let base = repo.file_at(&state.base_commit, path).ok().flatten();
                base.is_some_and(|b| now == fnv1a(&b) || now == fnv1a(&crlf(&b)))
            };
            // A file gone (removed by hand) loses nothing abort gives back; a file holding
            // what a step done by hand wrote (`build`, `consolidate`, `freeze`) is the
            // release's.
            now != 0
                && now != *left
                && Some(now) != at_start
                && !as_base()
                && !state.holds_by_hand(repo, path)
        })
        .map(|(path, _)| path.clone())
        .collect()
}
