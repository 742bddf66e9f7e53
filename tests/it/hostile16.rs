//! Hostile round 12, the release as a process: what a hook or a hand did while the release
//! ran or was stopped. (Repro scripts: /work/hostile12/NN-*.sh.)

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::release::{project, read};
use crate::util::{self, git, ok, one_error, run};

const DATE: [&str; 2] = ["--date", "2025-03-01"];

fn hook(root: &Path, name: &str, script: &str) {
    let path = root.join(".git/hooks").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// hostile12/02: a `post-commit` hook that undoes the release commit (`git reset --hard
/// HEAD~1`) or moves HEAD off it left a release branch without its release: "Release
/// prepared", exit 0. git-release checks that the commit it made is HEAD, on the commit
/// that was HEAD before: otherwise the release stops (exit 4), and once the hook is gone
/// `continue` makes the release.
#[test]
fn a_hook_that_takes_the_release_commit_away_stops_the_release() {
    for script in [
        "git reset -q --hard HEAD~1",
        "git reset -q --soft HEAD~1",
        "git reset -q HEAD~1",
    ] {
        let repo = project("");
        let root = repo.path();
        let base = crate::release::head(root);
        hook(root, "post-commit", script);
        let args = ["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]];
        let out = run(root, &args, "false");
        let stderr = one_error(&out, script);
        assert_eq!(out.status.code(), Some(4), "{script}: {stderr}");
        assert!(
            stderr.contains("post-commit") && stderr.contains("release: 1.1.0rc1"),
            "{script}: {stderr}"
        );
        std::fs::remove_file(root.join(".git/hooks/post-commit")).unwrap();
        ok(&run(root, &["continue", "--yes"], "false"), script);
        assert_eq!(
            crate::release::subjects_since(root, &base),
            ["release: 1.1.0rc1"],
            "{script}"
        );
        assert_eq!(read(root, "VERSION"), "1.1.0rc1\n", "{script}");
        assert_eq!(git(root, &["status", "--porcelain"]), "", "{script}");
    }
}

/// A step that fails until `ok` exists: the release stops after its changelog step.
const FLAKY_STEP: &str = "\n[[step]]\nname = \"check\"\nrun = \"test -f ok || exit 1\"\n";

/// hostile12/06: `abort` gave back the files the release had written as they were before
/// it — discarding, with exit 0, what the user wrote in them while the release was stopped:
/// new code in a frozen source file, a fix to an old changelog section, the version file.
/// Those are refused now, naming the file, as an edited fragment is, and the refusal
/// changes nothing; with the edit undone (the file back as the release left it, or as it
/// was before the release), abort goes on.
#[test]
fn abort_keeps_what_the_user_wrote_in_the_releases_files() {
    type Edit = fn(&str) -> String;
    let edits: [(&str, Edit); 3] = [
        ("src/demo/api.py", |t| {
            format!("{t}\ndef added_while_stopped():\n    pass\n")
        }),
        ("CHANGELOG.md", |t| {
            t.replace("First release", "First public release")
        }),
        ("VERSION", |_| "1.1.0rc1.dev0\n".to_string()),
    ];
    for (file, edit) in edits {
        for undo in ["as the release left it", "as it was before"] {
            let repo = project(FLAKY_STEP);
            let root = repo.path();
            let before_release = util::snapshot(root);
            let original = read(root, file);
            let args = ["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]];
            one_error(&run(root, &args, "false"), "the release");
            let left = read(root, file);
            util::write_file(root, file, &edit(&left));
            let stderr = crate::hostile::refused(root, &["abort"], file);
            assert!(
                stderr.contains(file) && stderr.contains("discarding your edit"),
                "{file}: {stderr}"
            );
            let back = if undo == "as it was before" {
                &original
            } else {
                &left
            };
            util::write_file(root, file, back);
            ok(&run(root, &["abort"], "false"), &format!("{file}, {undo}"));
            assert_eq!(util::snapshot(root), before_release, "{file}, {undo}");
        }
    }
}

/// An editor script at `path` running `body` (`$1` is the file it edits).
fn editor(path: &Path, body: &str) -> String {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

/// hostile12/05: an rc entry reworded in the changelog while the final's review was open
/// stopped the release ("your edit is kept"), but `continue` wrote the kept draft — folded
/// from the old words — in place of the rc section: the rewording was gone, exit 0. The
/// words of every rc entry pre-flight read are recorded; one reworded since must be carried
/// into the section, or the release stops again (nothing written) saying which; carried in
/// the review, the final publishes it.
#[test]
fn an_rc_entry_reworded_while_the_review_was_open_is_carried_or_stops() {
    let repo = crate::release::project_after_rc("");
    let root = repo.path();
    let tools = tempfile::tempdir().unwrap();
    let log = root.join("CHANGELOG.md");
    let reword = format!(
        "sed -i 's/Fix crash on start/Fix the crash on start/' '{}'",
        log.display()
    );
    let first = editor(&tools.path().join("first"), &reword);
    let args = ["1.1.0", "--yes", DATE[0], DATE[1]];
    let out = run(root, &args, &first);
    let stderr = one_error(&out, "the review");
    assert_eq!(out.status.code(), Some(4), "{stderr}");

    // The kept draft, unchanged: stopped again, the edit kept, nothing written.
    let out = run(root, &["continue"], "true");
    let stderr = one_error(&out, "continue with the old words");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("#12") && stderr.contains("does not carry the new words"),
        "{stderr}"
    );
    assert!(read(root, "CHANGELOG.md").contains("* Fix the crash on start"));
    assert!(read(root, "CHANGELOG.md").contains("## 1.1.0rc1"));

    // The new words carried into the draft: released.
    let carry = editor(
        &tools.path().join("carry"),
        "sed -i 's/Fix crash on start/Fix the crash on start/' \"$1\"",
    );
    ok(&run(root, &["continue"], &carry), "continue, carried");
    let log = read(root, "CHANGELOG.md");
    assert!(log.contains("Fix the crash on start"), "{log}");
    assert!(!log.contains("Fix crash on start"), "{log}");
    assert!(!log.contains("## 1.1.0rc1"), "{log}");
}

/// hostile13/01: the fold lists a PR twice when it moved between categories (an rc's entry
/// and a fragment), and its note invites the review to delete the older listing; doing so
/// stopped the release at its commit ("#10 is listed 1 of 2 times"). A PR listed fewer times
/// than planned but still listed is a merge, not a loss: committed.
#[test]
fn a_review_that_merges_a_prs_listings_is_committed() {
    let repo = crate::release::project_after_rc("");
    let root = repo.path();
    util::write_file(root, "changes/10.fix.md", "Fix the scheduler's weights\n");
    util::commit_all(root, "#10 again, as a fix");
    let tools = tempfile::tempdir().unwrap();
    let delete_older = editor(
        &tools.path().join("ed"),
        "sed -i '/Add fair share scheduler/d' \"$1\"",
    );
    let out = run(root, &["1.1.0", "--yes", DATE[0], DATE[1]], &delete_older);
    ok(&out, "the review merged #10's listings");
    let log = read(root, "CHANGELOG.md");
    assert!(!log.contains("Add fair share scheduler"), "{log}");
    assert_eq!(
        log.matches("Fix the scheduler's weights").count(),
        1,
        "{log}"
    );
}

/// hostile13/03: the changelog step done by hand as the stop says (`git release consolidate
/// --resume --no-edit`, then meaning to `continue --skip`), and then `abort` instead: refused as
/// if the section were the user's edit, with advice that changed nothing. What a step's
/// by-hand command wrote is the release's: abort gives everything back.
#[test]
fn abort_after_the_changelog_step_done_by_hand_undoes_it() {
    let repo = crate::release::project_after_rc("");
    let root = repo.path();
    let before = util::snapshot(root);
    let out = run(root, &["1.1.0", "--yes", DATE[0], DATE[1]], "false");
    assert_eq!(out.status.code(), Some(4), "stopped in the review");
    let by_hand = [
        "consolidate",
        "1.1.0",
        "--resume",
        "--no-edit",
        DATE[0],
        DATE[1],
    ];
    ok(&run(root, &by_hand, "false"), "the step by hand");
    assert!(!read(root, "CHANGELOG.md").contains("## 1.1.0rc1"));
    ok(&run(root, &["abort"], "false"), "abort");
    assert_eq!(util::snapshot(root), before);
}

/// hostile13/08: a `post-commit` hook that adds a commit of its own on top of the release
/// commit (recording its id) leaves the release commit on the branch: not "taken away".
#[test]
fn a_hook_that_adds_a_commit_after_the_release_commit_is_not_a_stop() {
    let repo = project("");
    let root = repo.path();
    hook(
        root,
        "post-commit",
        "[ -n \"$FOLLOW\" ] && exit 0\ngit log -1 --format=%H > .commit-id\n\
         git add .commit-id\nFOLLOW=1 git commit -q --no-verify -m 'chore: record commit id'",
    );
    let args = ["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]];
    ok(&run(root, &args, "false"), "the release");
    let subjects = git(root, &["log", "--format=%s", "-3"]);
    assert!(subjects.contains("release: 1.1.0rc1"), "{subjects}");
}
