//! Trust leftovers of earlier rounds: each test is one class of problem, shown by a
//! real release in a throwaway repository.

use std::path::Path;

use crate::util::{commit_all, git, ok, release_and_merge, repo_with, run, text, write_files};

/// A project on towncrier's default Markdown template.
fn project() -> tempfile::TempDir {
    repo_with(&[
        (
            "pyproject.toml",
            "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
             filename = \"CHANGELOG.md\"\n",
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n",
        ),
        ("VERSION", "1.3.0\n"),
        ("changes/.gitkeep", ""),
    ])
}

/// Add fragments, release `version` (with `extra` flags), and bring it back to `main`.
fn release(
    root: &Path,
    version: &str,
    extra: &[&str],
    date: &str,
    fragments: &[(&str, &str)],
) -> String {
    let mut flags = vec!["--yes", "--no-edit", "--date", date];
    flags.extend_from_slice(extra);
    release_and_merge(root, version, &flags, fragments, "false")
}

/// The release headings of the changelog, top to bottom.
fn headings(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.starts_with("# demo "))
        .map(|l| l.split(" (").next().unwrap_or(l).to_string())
        .collect()
}

#[test]
fn a_patch_release_cut_while_an_rc_is_pending_lists_no_entry_twice() {
    let repo = project();
    let root = repo.path();
    release(
        root,
        "1.4.0rc1",
        &[],
        "2025-02-01",
        &[("120.feature.md", "Add the scheduler\n")],
    );
    release(
        root,
        "1.4.0rc2",
        &[],
        "2025-02-10",
        &[("122.feature.md", "Add the dashboard\n")],
    );
    // A patch of 1.3 while 1.4.0rc2 is pending takes the fragments there are, the newer
    // text of #122 among them.
    release(
        root,
        "1.3.1",
        &["--allow-downgrade"],
        "2025-02-15",
        &[
            ("122.feature.md", "Add the dashboard with live charts\n"),
            ("123.bugfix.md", "Fix the quota check\n"),
        ],
    );
    let stderr = release(
        root,
        "1.4.0",
        &[],
        "2025-03-01",
        &[("124.bugfix.md", "Fix the crash on start\n")],
    );
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    for n in [120, 122, 123, 124] {
        let lines: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(&format!("(#{n})")))
            .collect();
        assert_eq!(lines.len(), 1, "#{n} listed once:\n{log}\n{stderr}");
    }
    assert!(
        !log.contains("Add the dashboard (#122)"),
        "rc2's older text of #122 is not published again:\n{log}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("#122") && l.contains("Add the dashboard") && l.contains("1.3.1")),
        "the note names the entry left out and the release that lists it:\n{stderr}"
    );
    assert_eq!(
        headings(&log),
        ["# demo 1.4.0", "# demo 1.3.1"],
        "the final's section above the patch release:\n{log}"
    );
}

#[test]
fn abort_removes_the_ignored_files_a_step_created_and_no_other() {
    let repo = project();
    let root = repo.path();
    let pyproject = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
    write_files(
        root,
        &[
            (".gitignore", "dist/\nbuild/\n*.log\n"),
            (
                "pyproject.toml",
                &format!(
                    "{pyproject}\n[[tool.git-release.step]]\nname = \"build\"\nrun = \
                     \"mkdir -p dist build/deep && echo x > dist/out && echo y > build/deep/f \
                     && echo z > step.log && echo n > new.txt\"\n\n\
                     [[tool.git-release.step]]\nname = \"fails\"\nrun = \"false\"\n"
                ),
            ),
            ("changes/1.feature.md", "Add the scheduler\n"),
        ],
    );
    commit_all(root, "steps");
    // The user's ignored files, there before the release.
    write_files(root, &[("dist/keep.txt", "mine\n"), ("old.log", "mine\n")]);
    let before = crate::util::snapshot(root);
    let out = run(
        root,
        &["1.4.0rc1", "--yes", "--no-edit", "--date", "2025-02-01"],
        "false",
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(root.join("build/deep/f").exists() && root.join("dist/out").exists());
    // Made by the user while the release was stopped: theirs.
    write_files(root, &[("dist/later.txt", "mine\n")]);
    let out = run(root, &["abort"], "false");
    ok(&out, "abort");
    let mut expected = before;
    expected.insert("dist/later.txt".into(), b"mine\n".to_vec());
    assert_eq!(crate::util::snapshot(root), expected);
    assert!(
        !root.join("build").exists(),
        "the directory the step made is gone"
    );
}

/// A pre-commit hook that changes files and rejects the commit the first time (as the
/// pre-commit framework's formatters do: "files were modified by this hook").
const EDITING_HOOK: &str = "#!/bin/sh\n\
    if [ ! -e .git/hook-ran ]; then\n\
    touch .git/hook-ran\n\
    echo formatted >> src.py\n\
    echo '<!-- fixed -->' >> CHANGELOG.md\n\
    echo log > hook.log\n\
    exit 1\n\
    fi\n";

#[test]
fn continue_does_not_take_the_edits_of_a_pre_commit_hook_that_failed() {
    let repo = project();
    let root = repo.path();
    write_files(
        root,
        &[
            ("src.py", "print('hi')\n"),
            ("changes/1.feature.md", "Add the scheduler\n"),
        ],
    );
    commit_all(root, "source");
    let hook = root.join(".git/hooks/pre-commit");
    std::fs::write(&hook, EDITING_HOOK).unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = run(
        root,
        &["1.4.0rc1", "--yes", "--no-edit", "--date", "2025-02-01"],
        "false",
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let stopped = text(&out.stderr);
    for name in ["CHANGELOG.md", "src.py", "hook.log"] {
        assert!(
            stopped.contains(name),
            "the stop names what the hook changed ({name}):\n{stopped}"
        );
    }
    let head = git(root, &["rev-parse", "HEAD"]);
    // The hook passes now; continue still does not commit what it changed unseen.
    let out = run(root, &["continue"], "false");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let refused = text(&out.stderr);
    for name in ["CHANGELOG.md", "src.py", "hook.log"] {
        assert!(refused.contains(name), "{name}:\n{refused}");
    }
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head, "nothing committed");
    // Staged, they are taken as the release's (as `git rebase --continue` takes them).
    git(root, &["add", "src.py", "CHANGELOG.md", "hook.log"]);
    let out = run(root, &["continue"], "false");
    ok(&out, "continue after staging");
    let committed = git(root, &["show", "--stat", "--format=%s", "HEAD"]);
    assert!(
        committed.contains("src.py") && committed.contains("hook.log"),
        "{committed}"
    );
    assert!(
        std::fs::read_to_string(root.join("CHANGELOG.md"))
            .unwrap()
            .contains("<!-- fixed -->")
    );
}

#[test]
fn an_index_bit_set_during_the_release_is_caught_before_the_commit() {
    for (bit, word) in [
        ("--assume-unchanged", "assume-unchanged"),
        ("--skip-worktree", "skip-worktree"),
    ] {
        let repo = project();
        let root = repo.path();
        let pyproject = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
        write_files(
            root,
            &[
                (
                    "pyproject.toml",
                    &format!(
                        "{pyproject}\n[[tool.git-release.step]]\nname = \"hide\"\nrun = \
                         \"git update-index {bit} VERSION\"\n"
                    ),
                ),
                ("changes/1.feature.md", "Add the scheduler\n"),
            ],
        );
        commit_all(root, "steps");
        let head = git(root, &["rev-parse", "HEAD"]);
        let out = run(
            root,
            &["1.4.0rc1", "--yes", "--no-edit", "--date", "2025-02-01"],
            "false",
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{bit}: {stderr}");
        assert!(
            stderr.contains("VERSION") && stderr.contains(word),
            "{bit}: {stderr}"
        );
        assert_eq!(git(root, &["rev-parse", "HEAD"]), head, "{bit}: no commit");
        // Cleared, the release goes on and commits the version.
        git(root, &["update-index", &format!("--no-{word}"), "VERSION"]);
        ok(&run(root, &["continue"], "false"), "continue");
        let version = git(root, &["show", "HEAD:VERSION"]);
        assert_eq!(version.trim(), "1.4.0rc1", "{bit}");
    }
}

#[test]
fn a_next_version_file_that_is_not_utf8_is_refused_naming_its_setting() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n",
        ),
        (
            ".git-release.toml",
            "[next-version]\nfile = \"ver.py\"\npattern = 'V = \"(?P<version>[^\"]+)\"'\n",
        ),
        ("CHANGELOG.md", "# Changelog\n"),
        ("VERSION", "1.0.0\n"),
        ("changes/1.feature.md", "Add x\n"),
    ]);
    let root = repo.path();
    std::fs::write(root.join("ver.py"), b"V = \"1.1.0\"\n# caf\xe9\n").unwrap();
    commit_all(root, "a Latin-1 file");
    let before = crate::util::snapshot(root);
    let out = run(root, &["1.1.0", "--yes", "--no-edit"], "false");
    let stderr = crate::util::one_error(&out, "non-UTF-8 next-version file");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("next-version.file")
            && stderr.contains("ver.py")
            && stderr.contains("UTF-8"),
        "{stderr}"
    );
    assert_eq!(crate::util::snapshot(root), before);
}

#[test]
fn a_dangling_symlink_given_as_the_directory_is_refused_clearly() {
    let home = tempfile::tempdir().unwrap();
    let link = home.path().join("link");
    std::os::unix::fs::symlink(home.path().join("nowhere"), &link).unwrap();
    for args in [
        vec!["install-man-pages".to_string()],
        vec!["demo".to_string(), "--dir".to_string()],
    ] {
        let out = crate::util::git_release_process(home.path())
            .args(&args)
            .arg(&link)
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("is a symlink to") && stderr.contains("nowhere"),
            "{args:?}: {stderr}"
        );
        assert!(!home.path().join("nowhere").exists(), "{args:?}");
    }
}

#[test]
fn a_fold_note_on_an_entry_without_pr_names_its_text() {
    let repo = project();
    let root = repo.path();
    release(
        root,
        "1.4.0rc1",
        &[],
        "2025-02-01",
        &[("+one.feature.md", "Add the scheduler\n")],
    );
    // Listed twice in the rc section (an edit by hand).
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(log.contains("- Add the scheduler\n"), "{log}");
    let log = log.replace(
        "- Add the scheduler\n",
        "- Add the scheduler\n- Add the scheduler\n",
    );
    write_files(root, &[("CHANGELOG.md", &log)]);
    let stderr = release(
        root,
        "1.4.0",
        &[],
        "2025-03-01",
        &[("2.bugfix.md", "Fix the crash\n")],
    );
    let notes: Vec<&str> = stderr.lines().filter(|l| l.starts_with("note:")).collect();
    assert!(
        notes
            .iter()
            .any(|l| l.contains("\"Add the scheduler\" in Features")),
        "{stderr}"
    );
    assert!(
        !notes.iter().any(|l| l.starts_with("note:  ")),
        "no note with an empty label:\n{stderr}"
    );
}
