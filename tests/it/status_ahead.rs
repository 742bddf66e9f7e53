//! `Repo::status_ahead`: pre-flight starts the work tree's `git status` before its other
//! checks. The status it started answers exactly one `dirty_paths` of its repository, and
//! nothing after: a later read, a read after the scope ended, and another repository's
//! read each run a status of their own.
//!
//! Each repository counts the `git status` runs on it: its `core.fsmonitor` hook logs a
//! line each time git asks it (and fails, so git scans the tree itself as usual).

use std::path::{Path, PathBuf};

use git_release::git::{DirtyKind, DirtyPath, Repo};

use crate::util::{git, repo_with, write_file};

/// A committed repository holding `tracked.txt` and the untracked `new.txt`, whose git
/// status runs are counted (see [`runs`]).
fn counted_repo() -> (tempfile::TempDir, PathBuf, Repo) {
    let tmp = repo_with(&[("tracked.txt", "x\n")]);
    let dir = tmp.path().canonicalize().unwrap();
    let hook = dir.join(".git/hooks/count-status");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho run >> \"$(dirname \"$0\")/../status-runs\"\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    git(&dir, &["config", "core.fsmonitor", hook.to_str().unwrap()]);
    write_file(&dir, "new.txt", "n\n");
    let repo = Repo::discover(&dir).unwrap();
    (tmp, dir, repo)
}

/// How many times git asked the repository's fsmonitor hook so far.
fn asked(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join(".git/status-runs")).map_or(0, |s| s.lines().count())
}

/// The hook lines one `git status` writes (git may ask more than once per run), measured
/// with a status read without any scope.
fn per_status(dir: &Path, repo: &Repo) -> usize {
    let before = asked(dir);
    repo.dirty_paths().unwrap();
    let per = asked(dir) - before;
    assert!(per > 0, "git status did not ask the fsmonitor hook");
    per
}

/// How many `git status` ran on the repository since `from` hook lines.
fn runs(dir: &Path, per: usize, from: usize) -> usize {
    let lines = asked(dir) - from;
    assert_eq!(lines % per, 0, "{lines} hook lines, {per} per status");
    lines / per
}

fn dirty() -> Vec<DirtyPath> {
    vec![DirtyPath {
        path: "new.txt".to_string(),
        kind: DirtyKind::Untracked,
    }]
}

#[test]
fn the_status_started_ahead_answers_the_first_read_only() {
    let (_tmp, dir, repo) = counted_repo();
    let per = per_status(&dir, &repo);
    let from = asked(&dir);
    let scope = repo.status_ahead();
    assert_eq!(repo.dirty_paths().unwrap(), dirty());
    assert_eq!(
        runs(&dir, per, from),
        1,
        "the first read is the status started ahead"
    );
    assert_eq!(repo.dirty_paths().unwrap(), dirty());
    assert_eq!(
        runs(&dir, per, from),
        2,
        "the second read is a status of its own"
    );
    drop(scope);
    assert_eq!(repo.dirty_paths().unwrap(), dirty());
    assert_eq!(runs(&dir, per, from), 3, "so is a read after the scope");
}

#[test]
fn a_status_nobody_read_answers_nothing_once_its_scope_ends() {
    let (_tmp, dir, repo) = counted_repo();
    let per = per_status(&dir, &repo);
    let from = asked(&dir);
    let scope = repo.status_ahead();
    // Once it has asked the hook (so that no hook of the status stopped below is left to
    // log a line later), the scope ends unread: the status is stopped and reaped.
    let start = std::time::Instant::now();
    while asked(&dir) - from < per {
        assert!(
            start.elapsed().as_secs() < 60,
            "the status never asked the hook"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    drop(scope);
    let from = asked(&dir);
    assert_eq!(repo.dirty_paths().unwrap(), dirty());
    assert_eq!(
        runs(&dir, per, from),
        1,
        "the read runs a status of its own"
    );
}

#[test]
fn a_status_started_ahead_answers_its_own_repository_only() {
    let (_tmp, dir, repo) = counted_repo();
    let (_other_tmp, other_dir, other) = counted_repo();
    let per = per_status(&dir, &repo);
    let other_per = per_status(&other_dir, &other);
    let (from, other_from) = (asked(&dir), asked(&other_dir));
    let _scope = repo.status_ahead();
    assert_eq!(other.dirty_paths().unwrap(), dirty());
    assert_eq!(runs(&other_dir, other_per, other_from), 1);
    assert_eq!(repo.dirty_paths().unwrap(), dirty());
    assert_eq!(
        runs(&dir, per, from),
        1,
        "answered by the status started ahead"
    );
}

/// Two scopes on the same repository (the program opens one, the library allows more):
/// each status started ahead answers one read.
#[test]
fn two_scopes_answer_one_read_each() {
    let (_tmp, dir, repo) = counted_repo();
    let per = per_status(&dir, &repo);
    let from = asked(&dir);
    let first = repo.status_ahead();
    let second = repo.status_ahead();
    for _ in 0..3 {
        assert_eq!(repo.dirty_paths().unwrap(), dirty());
    }
    assert_eq!(
        runs(&dir, per, from),
        3,
        "two started ahead, one of the third read's own"
    );
    drop((first, second));
}
