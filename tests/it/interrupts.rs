//! A release stopped by `kill -9` at each of its renames (hostile round 5, findings 01 and
//! 04): every save of the state file and every atomic write of a file (its temporary file
//! written, not yet renamed). Whatever the point, `continue` ends with the same commits, each
//! holding the same files, as a release never stopped, and `abort` restores the repository
//! exactly. The kill is injected with strace at git-release's Nth rename, N = 1, 2, … until
//! the release runs to its end.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Command;

use crate::release::{head, project_after_rc};
use crate::util::{self, git, ok, run, text};
use crate::workflow::state;

const GO: [&str; 5] = ["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"];

/// A committing step after the changelog: its commit must hold its own file only.
const STAMP: &str = r#"
[[step]]
name = "stamp"
run = 'echo "built $VERSION" > stamp.txt'
commit = "chore: stamp {version}"
"#;

/// Each commit since `base`: subject and the paths it changes; and the tree at the end.
fn outcome(root: &Path, base: &str) -> (String, String) {
    let log = git(
        root,
        &[
            "log",
            "--reverse",
            "--format=%s",
            "--name-status",
            &format!("{base}..HEAD"),
        ],
    );
    (log, git(root, &["rev-parse", "HEAD^{tree}"]))
}

/// The release in `root` under strace, killed at git-release's own `n`th rename (its main
/// process only: not git's); whether it ran to its end instead.
fn release_killed_at(root: &Path, n: usize) -> bool {
    let mut strace = Command::new("strace");
    util::isolate(&mut strace, std::env::vars_os().map(|(key, _)| key));
    let out = strace
        .args([
            "-o",
            "/dev/null",
            "-e",
            "trace=rename,renameat,renameat2",
            "-e",
        ])
        .arg(format!(
            "inject=rename,renameat,renameat2:signal=SIGKILL:when={n}"
        ))
        .arg(env!("CARGO_BIN_EXE_git-release"))
        .args(GO)
        .env("GIT_EDITOR", "true")
        .current_dir(root)
        .output()
        .unwrap();
    if out.status.success() {
        return true;
    }
    // strace ends as its tracee did: killed.
    assert_eq!(
        out.status.signal(),
        Some(9),
        "at rename {n}: {}",
        text(&out.stderr)
    );
    false
}

#[test]
fn kill_9_at_every_rename_then_continue_or_abort_is_exact() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("strace is not installed: the kill points cannot be injected; skipped");
        return;
    }
    let uninterrupted = {
        let repo = project_after_rc(STAMP);
        let base = head(repo.path());
        ok(&run(repo.path(), &GO, "true"), "uninterrupted");
        outcome(repo.path(), &base)
    };
    assert!(
        uninterrupted.0.contains("chore: stamp 1.1.0"),
        "{}",
        uninterrupted.0
    );
    for n in 1..200 {
        let repo = project_after_rc(STAMP);
        let root = repo.path();
        let base = head(root);
        let start = state(root);
        if release_killed_at(root, n) {
            assert!(n > 10, "only {} kill points", n - 1);
            return;
        }
        // The killed release's lock is left behind (its process is gone).
        let _ = std::fs::remove_file(root.join(".git/git-release/lock"));
        let copy = tempfile::tempdir().unwrap();
        util::copy_tree(root, copy.path());

        let resumed = run(root, &["continue", "--yes"], "true");
        if !resumed.status.success() && text(&resumed.stderr).contains("no release is in progress")
        {
            // Killed before the first save took effect: nothing had started.
            assert_eq!(
                state(root),
                start,
                "killed at rename {n}, before the release"
            );
            continue;
        }
        ok(&resumed, &format!("continue after the kill at rename {n}"));
        assert_eq!(
            outcome(root, &base),
            uninterrupted,
            "killed at rename {n}, then continued"
        );

        let aborted = run(copy.path(), &["abort"], "true");
        ok(&aborted, &format!("abort after the kill at rename {n}"));
        let mut end = state(copy.path());
        // The known exception (README, "Stopping"): killed while the step's command ran or
        // before its end was saved, abort cannot tell the file the command made from one the
        // user made since; it leaves it in place and says so.
        if end.files.contains_key("stamp.txt") && !start.files.contains_key("stamp.txt") {
            assert!(
                text(&aborted.stderr).contains("left in place: stamp.txt"),
                "killed at rename {n}: abort left the step's file without a word: {}",
                text(&aborted.stderr)
            );
            std::fs::remove_file(copy.path().join("stamp.txt")).unwrap();
            end = state(copy.path());
        }
        if end != start {
            let files: Vec<&String> = end
                .files
                .iter()
                .filter(|(k, v)| start.files.get(*k) != Some(v))
                .map(|(k, _)| k)
                .chain(start.files.keys().filter(|k| !end.files.contains_key(*k)))
                .collect();
            panic!(
                "killed at rename {n}, then aborted: the repository differs from the start: \
                 files {files:?}\nstatus {:?} -> {:?}\nbranches {:?} -> {:?}",
                start.status, end.status, start.branches, end.branches
            );
        }
    }
    panic!("the release never ran to its end under strace");
}
