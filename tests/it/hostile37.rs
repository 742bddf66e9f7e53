//! The dry run's speed work (issue 10 §4) kept to what the release promises: the index is
//! read as git reads it (its checksum unchecked, as git checks it only in `git fsck`), and a
//! dry run that leaves its plan to the system at exit still gives its lock back.

use crate::util::{self, git, ok, repo_with, run};

/// A Markdown project at 1.0.0 with one fragment waiting.
fn project() -> tempfile::TempDir {
    repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
             title_format = \"## {version} ({project_date})\"\n",
        ),
        ("VERSION", "1.0.0\n"),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n\
             ### Features\n\n- First. (#1)\n",
        ),
        ("changes/2.feature.md", "Second.\n"),
    ])
}

#[test]
fn an_index_with_a_bad_checksum_is_read_as_git_reads_it() {
    let repo = project();
    let root = repo.path();
    // The trailer's last byte changed: the entries are intact, the checksum is not.
    let index = root.join(".git/index");
    let mut bytes = std::fs::read(&index).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(&index, &bytes).unwrap();
    // (`--no-optional-locks`: a status that refreshed the index would write a good one.)
    let status = ["--no-optional-locks", "status", "--porcelain"];
    assert_eq!(git(root, &status), "", "git reads the index");
    assert_eq!(
        std::fs::read(&index).unwrap(),
        bytes,
        "and leaves it as it is"
    );

    let out = run(root, &["1.1.0rc1", "--dry-run", "--no-edit"], "true");
    ok(&out, "the dry run");
    let out = run(root, &["1.1.0rc1", "--yes", "--no-edit"], "true");
    ok(&out, "the release");
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(changelog.contains("## 1.1.0rc1"), "{changelog}");
    assert_eq!(
        changelog.matches("Second.").count(),
        1,
        "the entry listed once: {changelog}"
    );
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

#[test]
fn a_dry_run_gives_its_lock_back_and_changes_nothing() {
    let repo = project();
    let root = repo.path();
    let before = util::snapshot(root);
    for format in ["text", "json"] {
        let out = run(
            root,
            &["1.1.0", "--dry-run", "--no-edit", "--format", format],
            "true",
        );
        ok(&out, "the dry run");
        assert!(
            !root.join(".git/git-release").exists(),
            "the lock's directory is gone after a {format} dry run"
        );
    }
    assert_eq!(util::snapshot(root), before);
    // The release itself takes the lock the dry run gave back.
    ok(
        &run(root, &["1.1.0", "--yes", "--no-edit"], "true"),
        "the release",
    );
}

#[test]
fn the_temporary_file_of_a_killed_write_is_removed_by_the_next_command_that_writes() {
    // hostile19/08: `consolidate` killed between writing its temporary changelog and
    // renaming it leaves `.git-release-XXXXXX` (git-release's name for it) in the work
    // tree; the next run that writes, holding the lock, removes it — and only it.
    for command in [
        &["consolidate", "1.1.0", "--no-edit"][..],
        &["build", "1.1.0rc2"],
    ] {
        let repo = project();
        let root = repo.path();
        let killed = ".git-release-Ab12Cd";
        let decoys = [
            ".git-release-notes",
            ".git-release-Ab12C",
            "docs/.git-release-Ab12C",
        ];
        util::write_files(root, &[(killed, "# Changelog\n")]);
        for decoy in decoys {
            util::write_files(root, &[(decoy, "mine\n")]);
        }
        // A symlink of a temporary's name is never one: kept.
        std::os::unix::fs::symlink("CHANGELOG.md", root.join(".git-release-Zz99Yy")).unwrap();
        let out = run(root, command, "true");
        ok(&out, command[0]);
        assert!(!root.join(killed).exists(), "{command:?}");
        assert!(
            util::text(&out.stderr).contains(&format!("note: removed {killed}")),
            "{}",
            util::text(&out.stderr)
        );
        for decoy in decoys {
            assert_eq!(std::fs::read_to_string(root.join(decoy)).unwrap(), "mine\n");
        }
        assert!(root.join(".git-release-Zz99Yy").symlink_metadata().is_ok());
    }
}

#[test]
fn abort_takes_back_the_release_commit_a_stop_left_unrecorded() {
    // hostile19/02: Ctrl-C while the release commit's `post-commit` hook runs: git has made
    // the commit, the step is recorded as interrupted. `abort` called it a commit "the
    // release did not make" (it holds the frozen file, which no record of what is dirty
    // names once committed) and refused; `continue` took it as the step's.
    use crate::release_safety::{full, install_hook, signal, spawn, wait_for};
    let repo = crate::release::project_after_rc("");
    let root = repo.path();
    let before = full(root);
    let scratch = tempfile::tempdir().unwrap();
    let started = scratch.path().join("post-commit-started");
    let go = scratch.path().join("go");
    install_hook(
        root,
        "post-commit",
        &format!(
            "#!/bin/sh\ntouch '{}'\nwhile [ ! -e '{}' ]; do sleep 0.05; done\n",
            started.display(),
            go.display()
        ),
    );
    let child = spawn(root, &["1.1.0", "--yes", "--no-edit"], "true");
    wait_for(&started);
    signal(-(child.id() as i32), "INT");
    std::fs::write(&go, "").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    assert!(
        git(root, &["log", "--format=%s", "release/1.1.0"]).starts_with("release: 1.1.0\n"),
        "git made the release commit before the stop"
    );
    std::fs::remove_file(root.join(".git/hooks/post-commit")).unwrap();

    let out = run(root, &["abort"], "true");
    ok(&out, "abort");
    assert_eq!(
        full(root),
        before,
        "abort gives the repository back exactly"
    );
}
