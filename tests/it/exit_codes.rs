//! The exit codes scripts rely on (README, man page EXIT STATUS): 0 success, 1 failed,
//! 2 usage, 3 refused with nothing changed, 4 release stopped with its state saved.

use crate::util::{self, git_release, repo_with, snapshot, text};

fn project() -> tempfile::TempDir {
    repo_with(&[
        ("VERSION", "1.0.0\n"),
        (
            "CHANGELOG.md",
            "# Changes\n\n<!-- towncrier release notes start -->\n",
        ),
        ("changes/1.feature.md", "Add a thing.\n"),
    ])
}

fn exit(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = git_release(dir).args(args).output().unwrap();
    (out.status.code(), text(&out.stderr))
}

#[test]
fn usage_errors_exit_2_and_change_nothing() {
    let repo = project();
    let before = snapshot(repo.path());
    for args in [
        &["not-a-version", "--dry-run"][..],
        &["1.1.0", "--date", "yesterday", "--dry-run"],
        // A date as typed goes into the heading: only `YYYY-MM-DD` itself.
        &["1.1.0", "--date", "2026-1-6", "--dry-run"],
        &["1.1.0", "--date", " 2026-01-06", "--dry-run"],
        &["consolidate", "1.1.0", "--date", "2026-01-06 ", "--dry-run"],
        &["1.1.0", "--no-such-flag"],
        // (`build --date` takes any text, as towncrier's does.)
        &["consolidate", "--strategy", "bogus", "--dry-run"],
    ] {
        let (code, stderr) = exit(repo.path(), args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
    }
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn refusals_exit_3_and_change_nothing() {
    let repo = project();
    std::fs::write(repo.path().join("untracked.txt"), "dirty\n").unwrap();
    let before = snapshot(repo.path());
    // A dirty tree, and a version that is not newer.
    for args in [
        &["1.1.0", "--yes", "--date", "2025-01-01"][..],
        &["0.9.0", "--yes", "--date", "2025-01-01"],
    ] {
        let (code, stderr) = exit(repo.path(), args);
        assert_eq!(code, Some(3), "{args:?}: {stderr}");
    }
    assert_eq!(snapshot(repo.path()), before);
    // Nor in the git directory: the lock's directory goes with the lock (hostile9).
    assert!(
        !repo.path().join(".git/git-release").exists(),
        "a refusal left .git/git-release"
    );
}

/// git's index lock left by another process: the release is refused before it changes
/// anything (hostile3: it wrote its files, then stopped at its first `git add`).
#[test]
fn a_held_index_lock_is_refused_before_any_change() {
    let repo = project();
    std::fs::write(repo.path().join(".git/index.lock"), "").unwrap();
    let before = snapshot(repo.path());
    let args = ["1.1.0", "--yes", "--no-edit", "--date", "2025-01-01"];
    let (code, stderr) = exit(repo.path(), &args);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("index.lock exists"), "{stderr}");
    assert_eq!(snapshot(repo.path()), before);
    assert!(!repo.path().join(".git/git-release/state.json").exists());
}

/// `commit.gpgSign` with a signing setup that cannot sign (its program missing; ssh
/// without a key): refused before any change, naming the setting (hostile3: the release
/// wrote its files and stopped at its first commit). A run that turns signing off for
/// itself (`git -c commit.gpgSign=false release …`) is not refused: the check reads the
/// configuration as the git that commits sees it.
#[test]
fn commit_signing_that_cannot_work_is_refused_before_any_change() {
    // The tests' git runs with `commit.gpgSign=false` given as a `git -c` setting would
    // be (`GIT_CONFIG_KEY_0`, see `util::SET`); here that setting says `true`.
    let args = ["1.1.0", "--yes", "--no-edit", "--date", "2025-01-01"];
    for (key, value) in [("gpg.program", "/nonexistent/gpg"), ("gpg.format", "ssh")] {
        let repo = project();
        util::git(repo.path(), &["config", key, value]);
        let before = snapshot(repo.path());
        let out = git_release(repo.path())
            .args(args)
            .env("GIT_CONFIG_VALUE_0", "true")
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{key}: {stderr}");
        assert!(stderr.contains("commit.gpgSign is set"), "{stderr}");
        assert_eq!(snapshot(repo.path()), before);
    }
    // Signing configured in the repository, turned off for this run: not refused.
    let repo = project();
    util::git(repo.path(), &["config", "commit.gpgSign", "true"]);
    util::git(repo.path(), &["config", "gpg.program", "/nonexistent/gpg"]);
    let (code, stderr) = exit(
        repo.path(),
        &["1.1.0", "--dry-run", "--no-edit", "--date", "2025-01-01"],
    );
    assert_eq!(code, Some(0), "{stderr}");
}

/// No repository to release, or one without a work tree: refused, like any other check
/// before a change (hostile3: a bare repository exited 1, "failed").
#[test]
fn no_work_tree_is_a_refusal() {
    let scratch = tempfile::tempdir().unwrap();
    let bare = scratch.path().join("bare.git");
    let status = std::process::Command::new("git")
        .args(["init", "--quiet", "--bare"])
        .arg(&bare)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .status()
        .unwrap();
    assert!(status.success());
    let outside = scratch.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    for dir in [&bare, &outside] {
        let (code, stderr) = exit(dir, &["1.1.0", "--yes", "--date", "2025-01-01"]);
        assert_eq!(code, Some(3), "{}: {stderr}", dir.display());
        assert!(stderr.contains("git release"), "{stderr}");
    }
}

#[test]
fn a_stopped_release_exits_4_and_says_how_to_go_on() {
    let repo = repo_with(&[
        ("VERSION", "1.0.0\n"),
        (
            "CHANGELOG.md",
            "# Changes\n\n<!-- towncrier release notes start -->\n",
        ),
        ("changes/1.feature.md", "Add a thing.\n"),
        (
            ".git-release.toml",
            "[[step]]\nname = \"fails\"\nrun = \"exit 7\"\n",
        ),
    ]);
    let (code, stderr) = exit(repo.path(), &["1.1.0rc1", "--yes", "--date", "2025-01-01"]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(stderr.contains("git release continue"), "{stderr}");
    assert!(stderr.contains("git release abort"), "{stderr}");
    let (code, stderr) = exit(repo.path(), &["abort"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn other_failures_exit_1() {
    // The changelog is a directory: reading it is an I/O error, not a refusal.
    let repo = project();
    std::fs::remove_file(repo.path().join("CHANGELOG.md")).unwrap();
    std::fs::create_dir(repo.path().join("CHANGELOG.md")).unwrap();
    std::fs::write(repo.path().join("CHANGELOG.md/keep"), "").unwrap();
    util::commit_all(repo.path(), "changelog is a directory");
    let (code, stderr) = exit(repo.path(), &["build", "1.1.0", "--date", "2025-01-01"]);
    assert_eq!(code, Some(1), "{stderr}");
}
