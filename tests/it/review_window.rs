//! What the user does while a release runs — an edit in another terminal while the review
//! is open — stays the user's: it is neither committed into the release nor overwritten.

use std::path::Path;

use crate::util::{commit_all, git, ok, one_error, repo_with, run, text, write_file};

/// A project with one rc section to fold, so that the final release opens the review.
fn project() -> tempfile::TempDir {
    project_with("")
}

/// [`project`] with `extra` appended to its `pyproject.toml` after the rc.
pub(crate) fn project_with(extra: &str) -> tempfile::TempDir {
    project_with_files(extra, &[])
}

/// [`project_with`], with `files` written beside the final's fragment (a next-version file
/// the `extra` configuration names, say).
pub(crate) fn project_with_files(extra: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let pyproject = "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
         filename = \"CHANGELOG.md\"\n";
    let repo = repo_with(&[
        ("pyproject.toml", pyproject),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n",
        ),
        ("VERSION", "1.0.0\n"),
        ("src.txt", "source\n"),
        ("changes/1.feature.md", "Add the first thing"),
        ("changes/2.bugfix.md", "Fix the second thing"),
    ]);
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--no-edit", "--date", "2026-01-01"],
        "false",
    );
    ok(&out, "rc1");
    git(root, &["checkout", "--quiet", "main"]);
    git(root, &["merge", "--quiet", "--ff-only", "release/1.1.0rc1"]);
    write_file(root, "changes/3.feature.md", "Add the third thing");
    write_file(root, "pyproject.toml", &format!("{pyproject}{extra}"));
    for (path, text) in files {
        write_file(root, path, text);
    }
    commit_all(root, "a fragment for the final");
    repo
}

/// An editor that does `work` in the repository (as the user would from another terminal)
/// and keeps the draft as it is. Each call writes a script of its own, in the repository's
/// git directory (outside the work tree, gone with the temporary repository).
pub(crate) fn editor(root: &Path, work: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let script = root.join(".git").join(format!("test-editor-{n}.sh"));
    std::fs::write(
        &script,
        format!("#!/bin/sh\ncd '{}' || exit 1\n{work}\n", root.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    script.display().to_string()
}

/// The final 1.1.0, reviewed in `editor`.
pub(crate) fn release(root: &Path, editor: &str) -> std::process::Output {
    run(root, &["1.1.0", "--yes", "--date", "2026-01-15"], editor)
}

/// The files the commit `rev` changed.
fn changed_by(root: &Path, rev: &str) -> Vec<String> {
    git(root, &["show", "--name-only", "--format=", rev])
        .lines()
        .map(str::to_string)
        .collect()
}

/// An edit to a tracked file and a new file, made while the review is open: the release
/// commit holds neither, both are still in the work tree, and the summary names them.
#[test]
fn edits_made_while_the_review_is_open_are_not_committed() {
    let repo = project();
    let root = repo.path();
    let editor = editor(root, "echo edited >> src.txt; echo scratch > notes.txt");
    let out = release(root, &editor);
    ok(&out, "the final release");
    let commit = changed_by(root, "HEAD");
    assert!(commit.contains(&"CHANGELOG.md".to_string()), "{commit:?}");
    assert!(
        !commit.iter().any(|p| p == "src.txt" || p == "notes.txt"),
        "the release commit holds the user's edits: {commit:?}"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("left out of the release commit")
            && stderr.contains("src.txt")
            && stderr.contains("notes.txt"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("src.txt")).unwrap(),
        "source\nedited\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("notes.txt")).unwrap(),
        "scratch\n"
    );
}

/// The same with a configured step after the review: what the step changes is the
/// release's, what the user changed before it ran stays the user's — not committed, and not
/// discarded by `abort` when a later step stops the release.
#[test]
fn edits_made_while_the_review_is_open_stay_the_users_through_later_steps() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let steps = format!(
        "\n[[tool.git-release.step]]\nname = \"generate\"\nrun = \"echo api > api.txt\"\n\
         \n[[tool.git-release.step]]\nname = \"needs a flag\"\nrun = \"test -e '{}'\"\n",
        flag.display()
    );
    let repo = project_with(&steps);
    let root = repo.path();
    let editor = editor(root, "echo edited >> src.txt; echo scratch > notes.txt");
    let out = release(root, &editor);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    // abort refuses to discard the user's work (or keeps it); it never loses it.
    let _ = run(root, &["abort"], "true");
    assert_eq!(
        std::fs::read_to_string(root.join("src.txt")).unwrap(),
        "source\nedited\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("notes.txt")).unwrap(),
        "scratch\n"
    );
    // Put aside, the release goes on; the commit holds the step's file and not the user's.
    git(
        root,
        &[
            "stash",
            "push",
            "--include-untracked",
            "--quiet",
            "--",
            "src.txt",
            "notes.txt",
        ],
    );
    std::fs::write(&flag, "").unwrap();
    ok(&run(root, &["continue"], "true"), "continue");
    let commit = changed_by(root, "HEAD");
    assert!(commit.contains(&"api.txt".to_string()), "{commit:?}");
    assert!(
        !commit.iter().any(|p| p == "src.txt" || p == "notes.txt"),
        "{commit:?}"
    );
}

/// A path the user stages while the review is open would go into the commit whatever the
/// release adds: the release stops before committing and says so; `continue` then commits
/// it with the release (as after any stop, what is staged belongs to the release), and a
/// user who puts it aside gets a release without it.
#[test]
fn a_path_staged_while_the_review_is_open_stops_the_release_before_its_commit() {
    let repo = project();
    let root = repo.path();
    let editor = editor(root, "echo edited >> src.txt && git add src.txt");
    let out = release(root, &editor);
    let stderr = one_error(&out, "staged during the review");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("src.txt") && stderr.contains("staged"),
        "{stderr}"
    );
    assert_eq!(
        git(root, &["log", "-1", "--format=%s"]).trim(),
        "a fragment for the final",
        "a commit was made"
    );
    git(root, &["stash", "push", "--quiet", "--", "src.txt"]);
    let out = run(root, &["continue"], "false");
    ok(&out, "continue");
    assert!(!changed_by(root, "HEAD").contains(&"src.txt".to_string()));
    git(root, &["stash", "pop", "--quiet"]);
    assert_eq!(
        std::fs::read_to_string(root.join("src.txt")).unwrap(),
        "source\nedited\n"
    );
}

/// The changelog edited while the review is open (a typo fixed in an old release): the
/// section is not written over it. The release stops with both the edit and the reviewed
/// draft kept; `continue` writes the section into the changelog as it is now.
#[test]
fn a_changelog_edited_while_the_review_is_open_is_not_overwritten() {
    let repo = project();
    let root = repo.path();
    let editor = editor(
        root,
        "sed -i 's/^# Changelog$/# Changelog of demo/' CHANGELOG.md\n\
         sed -i 's/Add the third thing/Add the third thing, reviewed/' \"$1\"",
    );
    let out = release(root, &editor);
    let stderr = one_error(&out, "changelog edited during the review");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("CHANGELOG.md") && stderr.contains("changed after it was read"),
        "{stderr}"
    );
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(log.starts_with("# Changelog of demo\n"), "{log}");
    assert!(!log.contains("third thing"), "{log}");
    // The kept draft is reopened: the review's edit is in the section written.
    let out = run(root, &["continue"], "true");
    ok(&out, "continue");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(log.starts_with("# Changelog of demo\n"), "{log}");
    assert!(log.contains("Add the third thing, reviewed"), "{log}");
    assert!(!log.contains("1.1.0rc1"), "{log}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// A draft kept from a review that did not validate holds the reviewer's work: a new
/// `consolidate` without `--resume`, or a release, refuses rather than replace it
/// (hostile6/11); `--resume` reopens it.
#[test]
fn a_kept_draft_is_not_replaced_by_a_new_review() {
    let repo = project();
    let root = repo.path();
    let consolidate = ["consolidate", "1.1.0", "--date", "2026-01-15"];
    // The reviewer rewords an entry, but adds a line that is no entry of the release:
    // refused, the draft kept.
    let out = run(
        root,
        &consolidate,
        "sed -i -e 's/Add the first thing/Add the first thing, reworded/' \
         -e 's/^\\(- Add the third thing.*\\)$/\\1\\n- An entry nobody wrote/'",
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let draft = root.join(".git").join("RELEASE_NOTES.md");
    let kept = std::fs::read(&draft).unwrap();
    assert!(text(&kept).contains("reworded"));
    let before = crate::workflow::state(root);
    for args in [
        &consolidate[..],
        &["1.1.0", "--yes", "--date", "2026-01-15"][..],
    ] {
        let out = run(root, args, "true");
        let stderr = one_error(&out, &args.join(" "));
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("kept") && stderr.contains("--resume"),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read(&draft).unwrap(),
            kept,
            "{args:?} replaced the draft"
        );
        assert_eq!(crate::workflow::state(root), before, "{args:?}");
    }
    // Resumed, without the added line: written, with the reviewer's rewording.
    let mut resume = consolidate.to_vec();
    resume.push("--resume");
    let out = run(root, &resume, "sed -i '/An entry nobody wrote/d'");
    ok(&out, "consolidate --resume");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(log.contains("Add the first thing, reworded"), "{log}");
    assert!(!draft.exists());
}

/// A file the release had already changed (here the version file), edited while the review
/// is open: the release stops before its commit, naming it, rather than commit the user's
/// edit as part of the release's change (hostile6/03, a frozen source file); with the edit
/// undone, `continue` commits the release's change alone.
#[test]
fn a_release_file_edited_while_the_review_is_open_stops_the_release() {
    let repo = project();
    let root = repo.path();
    let editor = editor(root, "echo '# local note' >> VERSION");
    let out = release(root, &editor);
    let stderr = one_error(&out, "the version file edited during the review");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("VERSION changed while the review was open"),
        "{stderr}"
    );
    std::fs::write(root.join("VERSION"), "1.1.0\n").unwrap();
    ok(&run(root, &["continue"], "true"), "continue");
    assert_eq!(git(root, &["show", "HEAD:VERSION"]), "1.1.0\n");
    assert!(git(root, &["show", "HEAD:CHANGELOG.md"]).contains("1.1.0 (2026-01-15)"));
}
