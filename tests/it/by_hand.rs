//! Steps of a stopped release done by hand, then `continue`: each commit holds only its own
//! step's work, whichever later step the hand did meanwhile.

use std::path::Path;

use crate::hostile::stopped_at_webui;
use crate::release::{project_after_rc, read, subjects_since};
use crate::util::{git, ok, run, text};

/// A final (1.1.0, WebUI 2.0.0) stopped at a WebUI step that writes `webui.txt`, commits it
/// on its own and fails until `flag` exists; it runs before the changelog step.
fn stopped_at_a_committing_webui_step(flag: &Path) -> tempfile::TempDir {
    stopped_at_webui(&format!(
        "\n[[step]]\nname = \"webui\"\nrun = \"test -e '{}' && echo bundle > webui.txt\"\n\
         when = \"webui\"\ncommit = \"chore: update webui\"\n",
        flag.display()
    ))
}

/// `continue` after the stop of [`stopped_at_a_committing_webui_step`]: the WebUI step run
/// again (its flag made), or (`skip`) its work done by hand and `continue --skip`.
fn go_on(root: &Path, flag: &Path, skip: bool) -> std::process::Output {
    if skip {
        std::fs::write(root.join("webui.txt"), "bundle\n").unwrap();
        run(root, &["continue", "--skip"], "false")
    } else {
        std::fs::write(flag, "").unwrap();
        run(root, &["continue"], "false")
    }
}

/// The files of the commit since `main` with this subject, sorted.
fn files_of_commit(root: &Path, subject: &str) -> Vec<String> {
    let subjects = subjects_since(root, "main");
    let n = subjects
        .iter()
        .position(|s| s == subject)
        .unwrap_or_else(|| panic!("no `{subject}` in {subjects:?}"));
    files_of(root, &format!("HEAD~{}", subjects.len() - 1 - n))
}

/// The files a commit changed, sorted.
fn files_of(root: &Path, rev: &str) -> Vec<String> {
    let out = git(root, &["show", "--name-only", "--format=", rev]);
    let mut files: Vec<String> = out.lines().map(str::to_string).collect();
    files.sort();
    files
}

/// The consolidation done by hand while stopped at the WebUI step (`consolidate --no-edit`,
/// the command the stop names), then `continue` — the step run again, or `--skip` with its
/// work done by hand too: the WebUI commit holds `webui.txt` alone; the section and the
/// removed fragments go in the release commit, each entry listed once. The freeze the
/// continued release runs is the one its plan said: no note of a difference.
#[test]
fn work_of_a_later_step_done_by_hand_goes_in_the_release_commit() {
    for skip in [false, true] {
        let scratch = tempfile::tempdir().unwrap();
        let flag = scratch.path().join("ok");
        let repo = stopped_at_a_committing_webui_step(&flag);
        let root = repo.path();
        ok(
            &run(
                root,
                &["consolidate", "1.1.0", "--no-edit", "--date", "2025-03-01"],
                "false",
            ),
            "consolidate by hand while stopped",
        );
        let out = go_on(root, &flag, skip);
        ok(&out, "continue");
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!said.contains("the plan said"), "skip={skip}: {said}");
        assert_eq!(
            files_of_commit(root, "chore: update webui"),
            ["webui.txt"],
            "skip={skip}"
        );
        let released = files_of_commit(root, "release: 1.1.0");
        for file in ["CHANGELOG.md", "VERSION", "changes/11.feature.md"] {
            assert!(
                released.contains(&file.to_string()),
                "skip={skip}: {file} not in the release commit: {released:?}"
            );
        }
        let log = read(root, "CHANGELOG.md");
        for pr in ["#10]", "#11]", "#12]"] {
            assert_eq!(log.matches(pr).count(), 1, "skip={skip}: {pr} in\n{log}");
        }
        assert_eq!(git(root, &["status", "--porcelain"]), "", "skip={skip}");
    }
}

/// A pre-release of a project whose changelog is reStructuredText (towncrier's default
/// `NEWS.rst`): its section cannot be read back as Markdown, yet it is built and written.
/// The plan says so — a build step counting its entries, never "stale fragments" — and a
/// release stopped before it names `git release build` as the step by hand, never a
/// `git rm` of fragments that were not published (hostile9/05).
#[test]
fn a_restructuredtext_pre_release_plans_and_names_its_build() {
    let config = "[tool.towncrier]\nfilename = \"NEWS.rst\"\ndirectory = \"changes\"\n\n\
                  [[tool.git-release.step]]\nname = \"webui\"\nwhen = \"webui\"\nrun = \"exit 1\"\n";
    let repo = crate::util::repo_with(&[
        ("pyproject.toml", config),
        (
            "NEWS.rst",
            "Changes\n=======\n\n.. towncrier release notes start\n",
        ),
        ("VERSION", "1.3.0\n"),
        ("changes/101.feature.rst", "Add feature one\n"),
        ("changes/102.bugfix.rst", "Fix the second thing\n"),
    ]);
    let root = repo.path();
    let plan = run(
        root,
        &["1.4.0rc1", "--dry-run", "--format", "json"],
        "false",
    );
    ok(&plan, "dry run");
    let view: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(view["entries"], 2, "{view}");
    assert_eq!(view["categories"], 2, "{view}");
    let steps = view["steps"].to_string();
    assert!(
        steps.contains("Build NEWS.rst from 2 fragment(s)") && !steps.contains("stale"),
        "{steps}"
    );
    let out = run(root, &["1.4.0rc1", "24.1.0", "--yes", "--no-edit"], "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let stop = text(&out.stderr);
    assert!(
        stop.contains("git release build 1.4.0rc1") && !stop.contains("git rm"),
        "{stop}"
    );
    ok(&run(root, &["abort"], "false"), "abort");
    let out = run(root, &["1.4.0rc1", "--yes", "--no-edit"], "false");
    ok(&out, "release");
    assert!(
        text(&out.stdout).contains("2 entries across 2 categories"),
        "{}",
        text(&out.stdout)
    );
    let news = read(root, "NEWS.rst");
    assert!(
        news.contains("Add feature one") && news.contains("Fix the second thing"),
        "{news}"
    );
    // Its final cannot fold the rc section (read only as Markdown): it is written as
    // towncrier builds it, the rc section left as published and said so (`rst_final`),
    // never a Markdown heading advised inside NEWS.rst.
    git(root, &["checkout", "-q", "main"]);
    git(root, &["merge", "-q", "--ff-only", "release/1.4.0rc1"]);
    let out = run(root, &["1.4.0", "--dry-run"], "false");
    ok(&out, "the final's dry run");
    let plan = text(&out.stdout);
    assert!(plan.contains("1.4.0rc1 stays as published"), "{plan}");
    assert!(
        !plan.contains("`##") && !text(&out.stderr).contains("`##"),
        "{plan}"
    );
}

/// A final whose review editor fails stops the release with one way on: the stop says
/// `git release continue` (which reopens the kept draft), not also `consolidate --resume`
/// (hostile9: two recovery instructions in one stop); `continue` then finishes it.
#[test]
fn a_failed_review_editor_says_continue_only() {
    let repo = project_after_rc("");
    let root = repo.path();
    let out = run(root, &["1.1.0", "--yes", "--date", "2025-03-01"], "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("fix the editor, then run `git release continue`")
            && !stderr.contains("consolidate --resume"),
        "{stderr}"
    );
    ok(
        &run(root, &["continue"], ":"),
        "continue with an editor that works",
    );
    assert!(read(root, "CHANGELOG.md").contains("## 1.1.0 (2025-03-01)"));
}

/// The freeze done by hand while stopped at the WebUI step (`git release freeze`, a step of
/// the release still to do), then `continue` — the step run again, or `--skip` with its work
/// done by hand: the frozen files are the release's work, in the release commit, never in
/// the WebUI commit; `continue` does not refuse them as the user's (hostile10/06).
#[test]
fn the_freeze_done_by_hand_goes_in_the_release_commit() {
    for skip in [false, true] {
        let scratch = tempfile::tempdir().unwrap();
        let flag = scratch.path().join("ok");
        let repo = stopped_at_a_committing_webui_step(&flag);
        let root = repo.path();
        ok(&run(root, &["freeze", "1.1.0"], "false"), "freeze by hand");
        ok(
            &go_on(root, &flag, skip),
            &format!("continue (skip={skip})"),
        );
        assert_eq!(
            files_of_commit(root, "chore: update webui"),
            ["webui.txt"],
            "skip={skip}"
        );
        let released = files_of_commit(root, "release: 1.1.0");
        for file in ["docs/api.md", "src/demo/api.py"] {
            assert!(
                released.contains(&file.to_string()),
                "skip={skip}: {file} not in {released:?}"
            );
        }
        assert_eq!(git(root, &["status", "--porcelain"]), "", "skip={skip}");
    }
}

/// The next development version bumped by hand while the release is stopped (the edit its
/// stop names for that step): `continue` leaves it out of the release commit — the tagged
/// release must not claim development is at the next version — and the bump's own commit
/// takes it (hostile10/07).
#[test]
fn the_next_version_bumped_by_hand_gets_its_own_commit() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = stopped_at_a_committing_webui_step(&flag);
    let root = repo.path();
    let bumped = read(root, "src/demo/version.py").replace("1.1.0", "1.2.0");
    assert!(bumped.contains("1.2.0"), "{bumped}");
    std::fs::write(root.join("src/demo/version.py"), &bumped).unwrap();
    std::fs::write(&flag, "").unwrap();
    ok(&run(root, &["continue"], "false"), "continue");
    let released = files_of(root, "HEAD~1");
    assert!(
        !released.contains(&"src/demo/version.py".to_string()),
        "the release commit holds the bump: {released:?}"
    );
    assert_eq!(
        git(root, &["log", "-1", "--format=%s"]).trim(),
        "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
    );
    assert_eq!(files_of(root, "HEAD"), ["src/demo/version.py"]);
    assert_eq!(read(root, "src/demo/version.py"), bumped);
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// A commit of the user's whose subject runs on from a step's message (`chore: update
/// webui: fix a typo`) is no commit of that step: `continue` refuses it as a commit the
/// release did not make, instead of taking the step for done (hostile10/13); and one with
/// the release commit's very subject that holds a file of the user's is never deleted by
/// `abort` (hostile10/10): refused, until it is kept on a branch of its own.
#[test]
fn a_user_commit_like_a_steps_is_neither_skipped_over_nor_deleted() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = stopped_at_a_committing_webui_step(&flag);
    let root = repo.path();
    std::fs::write(root.join("mine.txt"), "mine\n").unwrap();
    git(root, &["add", "mine.txt"]);
    git(
        root,
        &[
            "commit",
            "-q",
            "-m",
            "chore: update webui: fix a typo",
            "--",
            "mine.txt",
        ],
    );
    std::fs::write(&flag, "").unwrap();
    let out = run(root, &["continue"], "false");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("chore: update webui: fix a typo"),
        "{}",
        text(&out.stderr)
    );
    assert!(!root.join("webui.txt").exists(), "the step ran anyway");
    git(root, &["reset", "-q", "--hard", "HEAD~1"]);

    std::fs::write(root.join("mine.txt"), "mine\n").unwrap();
    git(root, &["add", "mine.txt"]);
    git(
        root,
        &["commit", "-q", "-m", "release: 1.1.0", "--", "mine.txt"],
    );
    let mine = git(root, &["rev-parse", "HEAD"]).trim().to_string();
    let out = run(root, &["abort"], "false");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&mine[..10]),
        "{}",
        text(&out.stderr)
    );
    git(root, &["branch", "keep", &mine]);
    ok(
        &run(root, &["abort"], "false"),
        "abort once the commit is kept",
    );
    assert_eq!(git(root, &["rev-parse", "keep"]).trim(), mine);
}

/// Another release planned while one is stopped is refused with what is true of a dry run
/// too (nothing is written; what it plans would be mixed with the stopped release), naming
/// the step without nesting its backticks (hostile10's smaller list).
#[test]
fn a_dry_run_while_stopped_is_refused_saying_what_is_true() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = stopped_at_a_committing_webui_step(&flag);
    let out = run(repo.path(), &["1.2.0", "--dry-run"], "false");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("(stopped at \"Run `webui`\")")
            && stderr.contains("plans or writes")
            && !stderr.contains("would be taken into it"),
        "{stderr}"
    );
}
