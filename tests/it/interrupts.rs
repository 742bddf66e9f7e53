//! A release stopped by `kill -9` at each of its saves of the state file (hostile round 5,
//! finding 01): whatever the point, `continue` ends with the same commits, each holding the
//! same files, as a release never stopped. The kill is injected with strace at the Nth
//! rename onto `state.json`, N = 1, 2, … until the release runs to its end.

use std::path::Path;
use std::process::Command;

use crate::release::{head, project_after_rc};
use crate::util::{self, git, ok, run, text};

const GO: [&str; 5] = ["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"];

/// A committing step after the changelog: its commit must hold its own file only.
const STAMP: &str = r#"
[[step]]
name = "stamp"
run = 'echo "built $VERSION" > stamp.txt'
commit = "chore: stamp {version}"
"#;

/// Each commit since `base`: subject, the paths it changes, and the tree at the end.
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

#[test]
fn kill_9_at_every_state_save_then_continue_ends_as_an_uninterrupted_release() {
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
    for n in 1..60 {
        let repo = project_after_rc(STAMP);
        let root = repo.path();
        let base = head(root);
        let state = root.join(".git/git-release/state.json");
        let mut strace = Command::new("strace");
        util::isolate(&mut strace, std::env::vars_os().map(|(key, _)| key));
        let out = strace
            .args(["-f", "-o", "/dev/null", "-P"])
            .arg(&state)
            .args(["-e", "trace=rename,renameat,renameat2"])
            .arg("-e")
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
            // Past the last save: every kill point was swept.
            assert!(n > 4, "only {} kill points: {}", n - 1, text(&out.stderr));
            return;
        }
        // strace ends as its tracee did: killed.
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&out.status),
            Some(9),
            "at save {n}: {}",
            text(&out.stderr)
        );
        // The killed release's lock is left behind (its process is gone).
        let _ = std::fs::remove_file(root.join(".git/git-release/lock"));
        let resumed = run(root, &["continue", "--yes"], "true");
        if !resumed.status.success() && text(&resumed.stderr).contains("no release is in progress")
        {
            // Killed before the first save took effect: nothing had started.
            ok(&run(root, &GO, "true"), "started again");
        } else {
            ok(&resumed, &format!("continue after the kill at save {n}"));
        }
        assert_eq!(
            outcome(root, &base),
            uninterrupted,
            "killed at state save {n}, then continued"
        );
    }
    panic!("the release never ran to its end under strace");
}
