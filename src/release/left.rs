//! What the release left in the files it changed, so that `abort`, which gives them back
//! as they were, never takes an edit the user made while the release was stopped.
//!
//! After each step the digest of every file the release has written or changed is recorded
//! ([`record`]). A file that holds neither that nor what it held when the release started
//! was edited by hand since ([`edited_since`]): `abort` refuses, naming it, as it does for
//! an edited fragment and for changes outside the release's paths.

use std::collections::BTreeSet;

use super::guard::{digest_of, fnv1a, release_paths};
use super::state::State;
use crate::git::Repo;

/// Record what each file the release changed holds now: its dirty paths (what a command or
/// the freeze changed) and the paths its steps write, committed or not.
pub(crate) fn record(repo: &Repo, state: &mut State) {
    let mut paths: BTreeSet<String> = release_paths(repo, state);
    paths.extend(state.dirty.iter().flatten().cloned());
    state.left = paths
        .into_iter()
        .filter(|p| !p.ends_with('/') && !std::path::Path::new(p).is_absolute())
        .map(|p| {
            let digest = digest_of(repo, &p);
            (p, digest)
        })
        .collect();
}

/// The files that hold neither what the release left in them nor what they held when it
/// started (when that is known): edited by hand since the release last wrote them.
pub(crate) fn edited_since(repo: &Repo, state: &State) -> Vec<String> {
    state
        .left
        .iter()
        .filter(|(path, left)| {
            let now = digest_of(repo, path);
            // What abort gives back: the bytes recorded when the release started, else
            // the base commit's.
            let at_start = state.bytes.iter().find(|(p, _)| p == path).map(|(_, d)| *d);
            let at_start = at_start.or_else(|| {
                let base = repo.file_at(&state.base_commit, path).ok().flatten();
                base.map(|b| fnv1a(&b))
            });
            // A file gone (removed by hand) loses nothing abort gives back.
            now != 0 && now != *left && Some(now) != at_start
        })
        .map(|(path, _)| path.clone())
        .collect()
}
