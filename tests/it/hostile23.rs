//! hostile16/12 and after (hx19): a step killed while it ran (`kill -9`), then `continue`.
//! What the killed run wrote and what the user did since cannot be told apart by looking;
//! running the step again tells: what the re-run writes is the step's, and what changed
//! outside the release's files since the killed run started that the re-run does not
//! write stops the release before anything takes it, named — staged, it is taken; moved
//! away, the release goes on. Before, `continue` committed the user's work into the
//! release commit, exit 0.

use std::path::Path;

use crate::hostile::GO;
use crate::hostile18::{killed, killing, project_with_step};
use crate::release::read;
use crate::util::{self, git, ok, one_error, run};

/// The paths the release commit (`release: 1.1.0`) changes.
fn release_commit_paths(root: &Path) -> Vec<String> {
    let log = git(root, &["log", "--format=%H %s", "-5"]);
    let id = log
        .lines()
        .find_map(|l| {
            l.split_once(' ')
                .filter(|(_, s)| s.starts_with("release: 1.1.0"))
        })
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("no release commit: {log}"));
    git(root, &["show", "--name-only", "--format=", &id])
        .lines()
        .map(str::to_string)
        .collect()
}

/// The user's WIP in README.md (tracked, not the release's) and an untracked notes file,
/// made after the kill of a step that writes nothing: `continue` stops naming both, changes
/// no file, and commits nothing; staged (the notes) or moved away (README), the release
/// goes on and its commit holds the notes and not README.
#[test]
fn after_a_kill_continue_stops_for_what_the_step_does_not_write_again() {
    let repo = project_with_step(&killing("true", "true"));
    let root = repo.path();
    killed(root, &GO);
    let head = git(root, &["rev-parse", "HEAD"]);
    let readme = format!("{}user wip\n", read(root, "README.md"));
    util::write_file(root, "README.md", &readme);
    util::write_file(root, "notes.txt", "mine\n");
    let before = util::snapshot(root);
    let out = run(root, &["continue"], "true");
    let err = one_error(&out, "continue after a kill");
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("README.md") && err.contains("notes.txt") && err.contains("git add"),
        "{err}"
    );
    assert_eq!(util::snapshot(root), before, "the stop changed a file");
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head, "a commit was made");
    // Again, unstaged: refused as the user's, as without a kill.
    let out = run(root, &["continue"], "true");
    let err = one_error(&out, "continue again");
    assert!(
        err.contains("README.md") && err.contains("notes.txt"),
        "{err}"
    );
    assert_eq!(util::snapshot(root), before);
    // The notes belong in the release; the README WIP is put aside.
    git(root, &["add", "notes.txt"]);
    git(root, &["checkout", "--", "README.md"]);
    ok(&run(root, &["continue"], "true"), "continue once settled");
    let paths = release_commit_paths(root);
    assert!(paths.contains(&"notes.txt".to_string()), "{paths:?}");
    assert!(!paths.contains(&"README.md".to_string()), "{paths:?}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// A step that writes files (a tracked one rewritten, an untracked one created, one written
/// by `sed -i`), killed after writing them: `continue` runs it again, which writes them
/// again, and goes on without a stop; its commit holds the step's files. No false stop of
/// the ordinary kill-then-continue.
#[test]
fn after_a_kill_what_the_step_writes_again_is_taken_without_a_stop() {
    let write = "echo built > out.txt; printf 'docs\\n' > docs/notes.txt; \
                 sed -i 's/not frozen/kept/' README.md";
    let repo = project_with_step(&killing(write, write));
    let root = repo.path();
    killed(root, &GO);
    assert_eq!(read(root, "out.txt"), "built\n");
    let out = run(root, &["continue"], "true");
    ok(&out, "continue after a kill of a writing step");
    let paths = release_commit_paths(root);
    for path in ["out.txt", "docs/notes.txt", "README.md"] {
        assert!(paths.contains(&path.to_string()), "{path}: {paths:?}");
    }
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// The user edited a file the killed step also writes: the re-run writes it, so it is the
/// step's (nothing tells more); but an untracked file of the user's next to it, which the
/// re-run leaves alone, stops the release — and a file the user had dirty before the
/// release stays the user's, neither named nor committed.
#[test]
fn after_a_kill_only_the_files_the_rerun_leaves_alone_stop_it() {
    let write = "echo built > out.txt";
    let repo = project_with_step(&killing(write, write));
    let root = repo.path();
    killed(root, &GO);
    util::write_file(root, "out.txt", "edited\n");
    util::write_file(root, "scratch/a.txt", "mine\n");
    let out = run(root, &["continue"], "true");
    let err = one_error(&out, "continue after a kill");
    let stop = err
        .lines()
        .find(|l| l.contains("the step was killed while it ran"))
        .unwrap_or_default();
    assert!(stop.contains("scratch/"), "{err}");
    assert!(!stop.contains("out.txt"), "{err}");
    assert_eq!(read(root, "out.txt"), "built\n", "the re-run wrote it");
    std::fs::remove_dir_all(root.join("scratch")).unwrap();
    ok(
        &run(root, &["continue"], "true"),
        "continue once moved away",
    );
    let paths = release_commit_paths(root);
    assert!(paths.contains(&"out.txt".to_string()), "{paths:?}");
    assert!(!paths.iter().any(|p| p.starts_with("scratch")), "{paths:?}");
}

/// A path the killed run deleted cannot be deleted again by the re-run, nor told from one
/// the user deleted: named, and taken once staged (`git rm`).
#[test]
fn after_a_kill_a_deletion_is_taken_once_staged() {
    let repo = project_with_step(&killing("rm -f docs/notes.txt", "rm -f docs/notes.txt"));
    let root = repo.path();
    killed(root, &GO);
    let out = run(root, &["continue"], "true");
    let err = one_error(&out, "continue after a kill that deleted a file");
    assert!(err.contains("docs/notes.txt"), "{err}");
    git(root, &["rm", "-q", "--cached", "docs/notes.txt"]);
    ok(&run(root, &["continue"], "true"), "continue once staged");
    let paths = release_commit_paths(root);
    assert!(paths.contains(&"docs/notes.txt".to_string()), "{paths:?}");
}

/// A committing step killed right after its own commit (its `post-commit` hook kills
/// git-release): `continue` finds the commit and runs nothing again — so nothing it writes
/// is left outside that commit, and the user's WIP made since stops the release, named,
/// instead of going into the release commit.
#[test]
fn after_a_kill_past_a_steps_own_commit_the_users_work_stops_it() {
    let step = "\n[[step]]\nname = \"stamp\"\nrun = 'echo built > stamp.txt'\n\
                commit = \"chore: stamp {version}\"\n";
    let repo = crate::release::project_after_rc(step);
    let root = repo.path();
    crate::release_safety::install_hook(
        root,
        "post-commit",
        "#!/bin/sh\nif git log -1 --format=%s | grep -q '^chore: stamp' && [ ! -f .git/killed ]; \
         then\ntouch .git/killed\nkill -9 \"$(awk '{print $4}' /proc/$PPID/stat)\"\nfi\n",
    );
    let out = run(root, &GO, "true");
    assert_eq!(
        out.status.code(),
        None,
        "killed: {}",
        util::text(&out.stderr)
    );
    std::fs::remove_file(root.join(".git/git-release/lock")).unwrap();
    let readme = format!("{}user wip\n", read(root, "README.md"));
    util::write_file(root, "README.md", &readme);
    util::write_file(root, "notes.txt", "mine\n");
    let out = run(root, &["continue"], "true");
    let err = one_error(&out, "continue after a kill past the step's commit");
    assert!(
        err.contains("README.md") && err.contains("notes.txt"),
        "{err}"
    );
    git(root, &["checkout", "--", "README.md"]);
    std::fs::remove_file(root.join("notes.txt")).unwrap();
    ok(
        &run(root, &["continue"], "true"),
        "continue once moved away",
    );
    let stamps = git(root, &["log", "--format=%s", "--grep=chore: stamp"]);
    assert_eq!(stamps.lines().count(), 1, "{stamps}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

// --- hand work on `continue` after the release commit ----------------------------------

/// The release stops after its commit (the next version's bump commit refused by a
/// `commit-msg` hook). The user edits the changelog and the version file — steps done and
/// committed — then `continue` (stopped again by the hook), then `abort`: the edits are the
/// user's, not steps done by hand, and abort refuses to discard them, changing nothing.
/// Before, `continue` recorded them as the release's work by hand and abort discarded
/// them, exit 0.
#[test]
fn an_edit_after_the_release_commit_is_never_taken_for_hand_work() {
    let repo = crate::release::project("");
    let root = repo.path();
    let flag = root.join(".git/nobump");
    std::fs::write(&flag, "").unwrap();
    crate::release_safety::install_hook(
        root,
        "commit-msg",
        "#!/bin/sh\n[ -f .git/nobump ] && grep -q bump \"$1\" && exit 1\nexit 0\n",
    );
    let out = run(root, &GO, "true");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    let _ = release_commit_paths(root);
    for (file, edit) in [("CHANGELOG.md", "my fix\n"), ("VERSION", "\n")] {
        let text = format!("{}{edit}", read(root, file));
        util::write_file(root, file, &text);
    }
    let out = run(root, &["continue"], "true");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    let before = util::snapshot(root);
    let out = run(root, &["abort"], "true");
    let err = one_error(&out, "abort after an edit of committed release files");
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("CHANGELOG.md") && err.contains("VERSION"),
        "{err}"
    );
    assert_eq!(util::snapshot(root), before, "the refusal changed a file");
    assert!(read(root, "CHANGELOG.md").ends_with("my fix\n"));
    // Without the hook, `continue` ends the release; the edits stay the user's, uncommitted.
    std::fs::remove_file(&flag).unwrap();
    ok(
        &run(root, &["continue"], "true"),
        "continue without the hook",
    );
    let status = git(root, &["status", "--porcelain"]);
    assert!(
        status.contains("CHANGELOG.md") && status.contains("VERSION"),
        "{status}"
    );
}

// --- hostile16/04: no reflog, a post-commit hook that replaces the release commit -------

/// A project without HEAD's reflog (`core.logAllRefUpdates=false`, no `.git/logs`) whose
/// `post-commit` hook runs `hook` once, after the release commit.
fn without_reflog(hook: &str) -> tempfile::TempDir {
    let repo = crate::release::project("");
    let root = repo.path();
    git(root, &["config", "core.logAllRefUpdates", "false"]);
    std::fs::remove_dir_all(root.join(".git/logs")).unwrap();
    crate::release_safety::install_hook(
        root,
        "post-commit",
        &format!(
            "#!/bin/sh\ngit log -1 --format=%s | grep -q '^release: ' || exit 0\n\
             [ -f .git/hooked ] && exit 0\ntouch .git/hooked\n{hook}\n"
        ),
    );
    repo
}

/// Without a reflog, a hook that takes the release commit off HEAD and puts a commit of its
/// own on the same parent stops the release: `git commit`'s own summary names the commit
/// it made, and HEAD does not hold it. Before, parentage alone passed it: exit 0, and the
/// release branch held no release commit.
#[test]
fn without_a_reflog_a_hook_that_replaces_the_release_commit_stops_it() {
    let repo =
        without_reflog("git reset -q --keep HEAD~1\ngit commit -q --allow-empty -m 'ci: bump'");
    let root = repo.path();
    let out = run(root, &GO, "true");
    let err = one_error(&out, "a replaced release commit");
    assert!(err.contains("does not hold what it committed"), "{err}");
    assert!(
        !root.join(".git/logs/HEAD").exists(),
        "the reflog stayed off"
    );
}

/// Without a reflog, what a hook may do to the release commit and still hold it: reword it,
/// commit it again with a new date (as re-signing does: a new id, the same tree), amend a
/// file into it. Each passes, and the release commit's changes are on the branch.
#[test]
fn without_a_reflog_a_hook_that_rewords_redates_or_adds_a_file_passes() {
    for hook in [
        "git commit -q --amend -m 'release: 1.1.0 (reworded by a hook)'",
        "GIT_COMMITTER_DATE='2001-01-01T00:00:00' git commit -q --amend --no-edit",
        "echo extra > extra.txt\ngit add extra.txt\ngit commit -q --amend --no-edit",
    ] {
        let repo = without_reflog(hook);
        let root = repo.path();
        ok(&run(root, &GO, "true"), hook);
        assert!(root.join(".git/hooked").exists(), "{hook}: the hook ran");
        let paths = release_commit_paths(root);
        assert!(
            paths.contains(&"CHANGELOG.md".to_string()) && paths.contains(&"VERSION".to_string()),
            "{hook}: {paths:?}"
        );
    }
}
