//! `git_release::git` against real repositories: every read is checked against what the
//! `git` binary reports, every write against the state git sees afterwards.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use git_release::Error;
use git_release::git::{DirtyKind, DirtyPath, Repo};

use crate::util::{
    commit_all, git, git_command, identity_in_config, stdout_of, write_file as write,
};

/// Run git in `dir` with `env` added, panic on failure, return stdout.
fn git_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    stdout_of(git_command(dir).args(args).envs(env.iter().copied()))
}

/// A fresh repository on branch `main` with no commit, at its canonical path. The library
/// commits in-process, so the identity goes into the repository's config too.
fn empty_repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = crate::util::empty_repo();
    let dir = tmp.path().canonicalize().unwrap();
    identity_in_config(&dir);
    (tmp, dir)
}

/// A repository with one commit: README.md, src/lib.rs, .gitignore ignoring `*.log`.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = empty_repo();
    write(&dir, "README.md", "# demo\n");
    write(&dir, "src/lib.rs", "pub fn f() {}\n");
    write(&dir, ".gitignore", "*.log\ntarget/\n");
    commit_all(&dir, "initial");
    (tmp, dir)
}

/// What `git status --porcelain` reports, in our terms.
fn porcelain(dir: &Path) -> Vec<DirtyPath> {
    let out = git(dir, &["status", "--porcelain=v1"]);
    let mut set = BTreeSet::new();
    for line in out.lines() {
        let (xy, path) = line.split_at(2);
        let path = path.trim_start().to_string();
        let (x, y) = (xy.as_bytes()[0], xy.as_bytes()[1]);
        let conflict = matches!(xy, "DD" | "AU" | "UD" | "UA" | "DU" | "AA" | "UU");
        let mut push = |kind| {
            set.insert(DirtyPath {
                path: path.clone(),
                kind,
            });
        };
        if conflict {
            push(DirtyKind::Conflicted);
        } else if xy == "??" {
            push(DirtyKind::Untracked);
        } else {
            if x != b' ' {
                push(DirtyKind::Staged);
            }
            if y != b' ' {
                push(DirtyKind::Unstaged);
            }
        }
    }
    set.into_iter().collect()
}

fn assert_status_matches_git(dir: &Path) -> Vec<DirtyPath> {
    let repo = Repo::discover(dir).unwrap();
    let ours = repo.dirty_paths().unwrap();
    assert_eq!(
        ours,
        porcelain(dir),
        "dirty_paths vs git status --porcelain"
    );
    assert_eq!(repo.is_clean().unwrap(), ours.is_empty());
    ours
}

fn dirty(path: &str, kind: DirtyKind) -> DirtyPath {
    DirtyPath {
        path: path.to_string(),
        kind,
    }
}

// --- discovery and locations ---

#[test]
fn discovers_from_a_subdirectory() {
    let (_tmp, dir) = repo();
    let repo = Repo::discover(dir.join("src")).unwrap();
    let toplevel = git(&dir.join("src"), &["rev-parse", "--show-toplevel"]);
    assert_eq!(repo.root(), Path::new(toplevel.trim()));
    let git_dir = git(&dir.join("src"), &["rev-parse", "--absolute-git-dir"]);
    assert_eq!(
        repo.git_dir().canonicalize().unwrap(),
        Path::new(git_dir.trim())
    );
}

#[test]
fn outside_a_repository_is_a_refusal() {
    let tmp = tempfile::tempdir().unwrap();
    // A ceiling would be needed if /tmp itself were in a repository; it is not on CI.
    if git_command(tmp.path())
        .args(["rev-parse", "--git-dir"])
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success()
    {
        return;
    }
    let err = Repo::discover(tmp.path()).unwrap_err();
    assert!(matches!(err, Error::Refused(_)), "{err:?}");
    assert!(
        err.to_string().contains("not inside a git repository"),
        "{err}"
    );
}

#[test]
fn a_bare_repository_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    git(tmp.path(), &["init", "--quiet", "--bare", "b.git"]);
    let err = Repo::discover(tmp.path().join("b.git")).unwrap_err();
    assert!(matches!(err, Error::Refused(_)), "{err:?}");
    assert!(err.to_string().contains("bare repository"), "{err}");
}

#[test]
fn a_missing_directory_is_an_io_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Repo::discover(tmp.path().join("nope")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
}

// --- branch and HEAD ---

#[test]
fn branch_and_head_match_git() {
    let (_tmp, dir) = repo();
    let repo = Repo::discover(&dir).unwrap();
    assert_eq!(repo.current_branch().unwrap().as_deref(), Some("main"));
    assert_eq!(
        git(&dir, &["branch", "--show-current"]).trim(),
        "main".to_string()
    );
    let head = git(&dir, &["rev-parse", "HEAD"]);
    assert_eq!(repo.head_commit().unwrap().as_deref(), Some(head.trim()));

    git(&dir, &["branch", "release/1.0"]);
    let repo = Repo::discover(&dir).unwrap();
    for name in ["main", "release/1.0", "release", "nope"] {
        let listed = !git(&dir, &["branch", "--list", name]).trim().is_empty();
        assert_eq!(repo.branch_exists(name).unwrap(), listed, "{name}");
    }
    // A tag is not a branch.
    git(&dir, &["tag", "v1"]);
    assert!(!repo.branch_exists("v1").unwrap());
}

#[test]
fn detached_head_has_no_branch() {
    let (_tmp, dir) = repo();
    write(&dir, "README.md", "# two\n");
    let second = commit_all(&dir, "second");
    git(&dir, &["checkout", "--quiet", "--detach", "HEAD~1"]);
    let repo = Repo::discover(&dir).unwrap();
    assert_eq!(repo.current_branch().unwrap(), None);
    assert_eq!(git(&dir, &["branch", "--show-current"]).trim(), "");
    let head = git(&dir, &["rev-parse", "HEAD"]);
    assert_eq!(repo.head_commit().unwrap().as_deref(), Some(head.trim()));
    assert_ne!(head.trim(), second);
    assert!(repo.is_clean().unwrap());
}

#[test]
fn unborn_branch() {
    let (_tmp, dir) = empty_repo();
    let repo = Repo::discover(&dir).unwrap();
    assert_eq!(repo.current_branch().unwrap().as_deref(), Some("main"));
    assert_eq!(git(&dir, &["branch", "--show-current"]).trim(), "main");
    assert_eq!(repo.head_commit().unwrap(), None);
    assert!(!repo.branch_exists("main").unwrap());
    assert!(repo.file_history("README.md").unwrap().is_empty());
    assert!(repo.ls_files().unwrap().is_empty());
    assert!(repo.is_clean().unwrap());
    assert!(assert_status_matches_git(&dir).is_empty());

    write(&dir, "a.txt", "a\n");
    assert_eq!(
        assert_status_matches_git(&dir),
        vec![dirty("a.txt", DirtyKind::Untracked)]
    );
    git(&dir, &["add", "a.txt"]);
    assert_eq!(
        assert_status_matches_git(&dir),
        vec![dirty("a.txt", DirtyKind::Staged)]
    );
    assert_eq!(Repo::discover(&dir).unwrap().ls_files().unwrap(), ["a.txt"]);
}

// --- status ---

#[test]
fn clean_after_commit() {
    let (_tmp, dir) = repo();
    assert!(assert_status_matches_git(&dir).is_empty());
}

#[test]
fn untracked_file_makes_the_tree_dirty() {
    let (_tmp, dir) = repo();
    write(&dir, "new.txt", "x\n");
    assert_eq!(
        assert_status_matches_git(&dir),
        vec![dirty("new.txt", DirtyKind::Untracked)]
    );
}

#[test]
fn untracked_directory_is_collapsed_like_git() {
    let (_tmp, dir) = repo();
    write(&dir, "changes/1.feature.md", "x\n");
    write(&dir, "changes/2.fix.md", "y\n");
    write(&dir, "src/new.rs", "z\n");
    assert_eq!(
        assert_status_matches_git(&dir),
        vec![
            dirty("changes/", DirtyKind::Untracked),
            dirty("src/new.rs", DirtyKind::Untracked),
        ]
    );
}

#[test]
fn untracked_files_count_even_when_git_is_told_to_hide_them() {
    let (_tmp, dir) = repo();
    git(&dir, &["config", "status.showUntrackedFiles", "no"]);
    write(&dir, "new.txt", "x\n");
    let repo = Repo::discover(&dir).unwrap();
    assert_eq!(
        repo.dirty_paths().unwrap(),
        vec![dirty("new.txt", DirtyKind::Untracked)]
    );
}

#[test]
fn ignored_files_do_not_count() {
    let (_tmp, dir) = repo();
    write(&dir, "debug.log", "x\n");
    write(&dir, "target/debug/app", "x\n");
    fs::create_dir_all(dir.join("empty-dir")).unwrap();
    assert!(assert_status_matches_git(&dir).is_empty());
}

#[test]
fn staged_change() {
    let (_tmp, dir) = repo();
    write(&dir, "README.md", "# changed\n");
    git(&dir, &["add", "README.md"]);
    assert_eq!(
        assert_status_matches_git(&dir),
        vec![dirty("README.md", DirtyKind::Staged)]
    );
}

#[test]
fn modified_and_deleted_tracked_files() {
    let (_tmp, dir) = repo();
    write(&dir, "README.md", "# changed\n");
    fs::remove_file(dir.join("src/lib.rs")).unwrap();
    assert_eq!(
        assert_status_matches_git(&dir),
        vec![
            dirty("README.md", DirtyKind::Unstaged),
            dirty("src/lib.rs", DirtyKind::Unstaged),
        ]
    );
}

#[test]
fn staged_then_modified_again() {
    let (_tmp, dir) = repo();
    write(&dir, "README.md", "# one\n");
    git(&dir, &["add", "README.md"]);
    write(&dir, "README.md", "# two\n");
    git(&dir, &["rm", "--quiet", "--cached", "src/lib.rs"]);
    assert_eq!(
        assert_status_matches_git(&dir),
        vec![
            dirty("README.md", DirtyKind::Staged),
            dirty("README.md", DirtyKind::Unstaged),
            dirty("src/", DirtyKind::Untracked),
            dirty("src/lib.rs", DirtyKind::Staged),
        ]
    );
}

// The index's record of its trees (cache-tree) lets a clean index skip reading HEAD's
// tree; each case below keeps that record valid while the index differs from HEAD, and
// must still be reported staged.

#[test]
fn staged_changes_are_seen_when_head_moves_under_a_valid_index() {
    let (_tmp, dir) = repo();
    write(&dir, "README.md", "# two\n");
    write(&dir, "src/new.rs", "x\n");
    commit_all(&dir, "second");
    // HEAD goes back; the index still holds the second commit's tree, its record intact.
    git(&dir, &["reset", "--quiet", "--soft", "HEAD~1"]);
    assert_eq!(
        assert_status_matches_git(&dir),
        vec![
            dirty("README.md", DirtyKind::Staged),
            dirty("src/new.rs", DirtyKind::Staged),
        ]
    );
}

#[test]
fn staged_changes_are_seen_after_read_tree() {
    let (_tmp, dir) = repo();
    git(&dir, &["switch", "--quiet", "-c", "other"]);
    write(&dir, "src/lib.rs", "pub fn g() {}\n");
    commit_all(&dir, "other");
    git(&dir, &["switch", "--quiet", "main"]);
    // The index (and its tree record) becomes the other branch's tree; the work tree and
    // HEAD stay on main.
    git(&dir, &["read-tree", "other"]);
    let ours = Repo::discover(&dir).unwrap().dirty_paths().unwrap();
    assert!(
        ours.contains(&dirty("src/lib.rs", DirtyKind::Staged)),
        "{ours:?}"
    );
    assert_eq!(ours, porcelain(&dir));
}

#[test]
fn intent_to_add_is_dirty() {
    let (_tmp, dir) = repo();
    write(&dir, "new.txt", "x\n");
    git(&dir, &["add", "--intent-to-add", "new.txt"]);
    let ours = Repo::discover(&dir).unwrap().dirty_paths().unwrap();
    assert!(
        !ours.is_empty(),
        "an intent-to-add file keeps the tree dirty"
    );
    assert!(!Repo::discover(&dir).unwrap().is_clean().unwrap());
}

#[test]
fn touched_but_unchanged_file_is_clean() {
    let (_tmp, dir) = repo();
    // Same bytes, new mtime: git refreshes the stat data and reports nothing.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&dir, "README.md", "# demo\n");
    assert!(assert_status_matches_git(&dir).is_empty());
}

#[test]
fn merge_conflict() {
    let (_tmp, dir) = repo();
    git(&dir, &["switch", "--quiet", "-c", "other"]);
    write(&dir, "README.md", "# other\n");
    commit_all(&dir, "other");
    git(&dir, &["switch", "--quiet", "main"]);
    write(&dir, "README.md", "# main\n");
    commit_all(&dir, "main");
    let out = git_command(&dir)
        .args(["merge", "--quiet", "other"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "the merge conflicts");
    let status = assert_status_matches_git(&dir);
    assert_eq!(status, vec![dirty("README.md", DirtyKind::Conflicted)]);
    let listed = git(&dir, &["ls-files", "--deduplicate"]);
    assert_eq!(
        Repo::discover(&dir).unwrap().ls_files().unwrap(),
        listed.lines().collect::<Vec<_>>()
    );
}

#[test]
fn status_from_a_subdirectory_covers_the_whole_tree() {
    let (_tmp, dir) = repo();
    write(&dir, "top.txt", "x\n");
    let repo = Repo::discover(dir.join("src")).unwrap();
    assert_eq!(
        repo.dirty_paths().unwrap(),
        vec![dirty("top.txt", DirtyKind::Untracked)]
    );
}

// --- contents and history ---

#[test]
fn file_at_matches_git_show() {
    let (_tmp, dir) = repo();
    let first = git(&dir, &["rev-parse", "HEAD"]).trim().to_string();
    write(&dir, "src/lib.rs", "pub fn g() {}\n");
    commit_all(&dir, "second");
    let repo = Repo::discover(&dir).unwrap();
    for rev in ["HEAD", "HEAD~1", "main", first.as_str()] {
        for path in ["README.md", "src/lib.rs"] {
            let shown = git(&dir, &["show", &format!("{rev}:{path}")]);
            assert_eq!(
                repo.file_at(rev, path).unwrap().as_deref(),
                Some(shown.as_bytes()),
                "{rev}:{path}"
            );
        }
    }
    assert_eq!(
        repo.file_at("HEAD~1", "src/lib.rs").unwrap().unwrap(),
        b"pub fn f() {}\n"
    );
    assert_eq!(repo.file_at("HEAD", "missing.txt").unwrap(), None);
    assert_eq!(repo.file_at("HEAD", "src").unwrap(), None, "a directory");
    let err = repo.file_at("no-such-rev", "README.md").unwrap_err();
    assert!(matches!(err, Error::Git(_)), "{err:?}");
    assert!(err.to_string().contains("no-such-rev"), "{err}");
}

/// Commit with a fixed date so that commit-time ordering is deterministic.
fn commit_at(dir: &Path, message: &str, when: i64) -> String {
    let date = format!("{when} +0100");
    git(dir, &["add", "-A"]);
    git_env(
        dir,
        &["commit", "--quiet", "-m", message],
        &[("GIT_AUTHOR_DATE", &date), ("GIT_COMMITTER_DATE", &date)],
    );
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
fn file_history_lists_each_version_newest_first() {
    let (_tmp, dir) = empty_repo();
    let t0 = 1_760_000_000;
    write(&dir, "CHANGES.md", "v1\n");
    let c1 = commit_at(&dir, "one", t0);
    write(&dir, "other.txt", "x\n");
    commit_at(&dir, "unrelated", t0 + 10);
    write(&dir, "CHANGES.md", "v2\n");
    let c2 = commit_at(&dir, "two", t0 + 20);
    write(&dir, "other.txt", "y\n");
    commit_at(&dir, "unrelated again", t0 + 30);
    write(&dir, "CHANGES.md", "v3\n");
    let c3 = commit_at(&dir, "three", t0 + 40);

    let repo = Repo::discover(&dir).unwrap();
    let history = repo.file_history("CHANGES.md").unwrap();
    let commits: Vec<&str> = history.iter().map(|v| v.commit.as_str()).collect();
    assert_eq!(commits, [c3.as_str(), c2.as_str(), c1.as_str()]);
    let logged = git(&dir, &["log", "--format=%H", "--", "CHANGES.md"]);
    assert_eq!(commits, logged.lines().collect::<Vec<_>>());
    let contents: Vec<&[u8]> = history.iter().map(|v| v.contents.as_slice()).collect();
    assert_eq!(contents, [&b"v3\n"[..], b"v2\n", b"v1\n"]);
    assert_eq!(history[0].time.seconds, t0 + 40);
    assert_eq!(history[0].time.offset, 3600);
    let logged_date = git(&dir, &["log", "-1", "--format=%cd", "--date=short", &c3]);
    assert_eq!(history[0].time.date(), logged_date.trim());
    let iso = git(&dir, &["log", "-1", "--format=%ci", &c3]);
    assert_eq!(history[0].time.to_string(), iso.trim());

    assert!(repo.file_history("missing.md").unwrap().is_empty());
}

#[test]
fn file_history_skips_deletions_and_repeated_versions() {
    let (_tmp, dir) = empty_repo();
    let t0 = 1_760_000_000;
    write(&dir, "CHANGES.md", "v1\n");
    let c1 = commit_at(&dir, "one", t0);
    write(&dir, "CHANGES.md", "v2\n");
    commit_at(&dir, "two", t0 + 10);
    fs::remove_file(dir.join("CHANGES.md")).unwrap();
    write(&dir, "keep.txt", "k\n");
    commit_at(&dir, "delete", t0 + 20);
    write(&dir, "CHANGES.md", "v2\n");
    let back = commit_at(&dir, "back", t0 + 30);
    write(&dir, "CHANGES.md", "v1\n");
    commit_at(&dir, "revert to v1", t0 + 40);
    let revert = git(&dir, &["rev-parse", "HEAD"]).trim().to_string();

    let history = Repo::discover(&dir)
        .unwrap()
        .file_history("CHANGES.md")
        .unwrap();
    let got: Vec<(&str, &[u8])> = history
        .iter()
        .map(|v| (v.commit.as_str(), v.contents.as_slice()))
        .collect();
    // Each version once, at its newest introduction; the deletion is not a version.
    assert_eq!(
        got,
        [(revert.as_str(), &b"v1\n"[..]), (back.as_str(), b"v2\n")]
    );
    assert_ne!(c1, revert);
}

#[test]
fn file_history_does_not_follow_renames() {
    let (_tmp, dir) = empty_repo();
    let t0 = 1_760_000_000;
    write(&dir, "OLD.md", "v1\n");
    commit_at(&dir, "one", t0);
    git(&dir, &["mv", "OLD.md", "NEW.md"]);
    let renamed = commit_at(&dir, "rename", t0 + 10);
    write(&dir, "NEW.md", "v2\n");
    let c2 = commit_at(&dir, "two", t0 + 20);
    let repo = Repo::discover(&dir).unwrap();
    let commits: Vec<String> = repo
        .file_history("NEW.md")
        .unwrap()
        .into_iter()
        .map(|v| v.commit)
        .collect();
    assert_eq!(commits, [c2, renamed]);
    assert_eq!(repo.file_history("OLD.md").unwrap().len(), 1);
}

#[test]
fn file_history_through_a_merge() {
    let (_tmp, dir) = empty_repo();
    let t0 = 1_760_000_000;
    write(&dir, "CHANGES.md", "base\n");
    let base = commit_at(&dir, "base", t0);
    git(&dir, &["switch", "--quiet", "-c", "side"]);
    write(&dir, "CHANGES.md", "side\n");
    let side = commit_at(&dir, "side", t0 + 10);
    git(&dir, &["switch", "--quiet", "main"]);
    write(&dir, "other.txt", "o\n");
    commit_at(&dir, "main work", t0 + 20);
    git_env(
        &dir,
        &["merge", "--quiet", "--no-edit", "side"],
        &[
            ("GIT_AUTHOR_DATE", "1760000030 +0000"),
            ("GIT_COMMITTER_DATE", "1760000030 +0000"),
        ],
    );
    let history = Repo::discover(&dir)
        .unwrap()
        .file_history("CHANGES.md")
        .unwrap();
    let commits: Vec<&str> = history.iter().map(|v| v.commit.as_str()).collect();
    // The merge took side's version unchanged: not a new version.
    assert_eq!(commits, [side.as_str(), base.as_str()]);
    let logged = git(&dir, &["log", "--format=%H", "--", "CHANGES.md"]);
    assert_eq!(commits, logged.lines().collect::<Vec<_>>());
}

// --- config and index ---

#[test]
fn config_values() {
    let (_tmp, dir) = repo();
    git(&dir, &["config", "color.ui", "never"]);
    git(&dir, &["config", "core.editor", "nano -w"]);
    let repo = Repo::discover(&dir).unwrap();
    assert_eq!(repo.config_string("color.ui").as_deref(), Some("never"));
    assert_eq!(
        repo.config_string("core.editor").as_deref(),
        Some("nano -w")
    );
    assert_eq!(repo.config_string("git-release.no-such-key"), None);
    assert_eq!(
        repo.config_string("user.email").as_deref(),
        Some(crate::util::EMAIL)
    );
}

#[test]
fn ls_files_matches_git() {
    let (_tmp, dir) = repo();
    write(&dir, "changes/1.feature.md", "x\n");
    write(&dir, "untracked.txt", "x\n");
    git(&dir, &["add", "changes"]);
    let repo = Repo::discover(&dir).unwrap();
    let listed = git(&dir, &["ls-files"]);
    assert_eq!(repo.ls_files().unwrap(), listed.lines().collect::<Vec<_>>());
    assert_eq!(
        repo.ls_files().unwrap(),
        [
            ".gitignore",
            "README.md",
            "changes/1.feature.md",
            "src/lib.rs"
        ]
    );
}

// --- writes ---

#[test]
fn create_switch_and_delete_branches() {
    let (_tmp, dir) = repo();
    let repo = Repo::discover(&dir).unwrap();
    repo.create_branch("release/1.0").unwrap();
    assert_eq!(
        git(&dir, &["branch", "--show-current"]).trim(),
        "release/1.0"
    );
    assert_eq!(
        repo.current_branch().unwrap().as_deref(),
        Some("release/1.0")
    );

    write(&dir, "VERSION", "1.0\n");
    repo.add(&["VERSION"]).unwrap();
    repo.commit("Release 1.0").unwrap();

    let err = repo.create_branch("release/1.0").unwrap_err();
    assert!(matches!(err, Error::Git(_)));
    let msg = err.to_string();
    assert!(
        msg.contains("git switch --quiet --create release/1.0"),
        "{msg}"
    );
    assert!(msg.contains("already exists"), "{msg}");

    repo.switch("main").unwrap();
    assert_eq!(git(&dir, &["branch", "--show-current"]).trim(), "main");
    // Not merged into main: needs the force that delete_branch uses.
    repo.delete_branch("release/1.0").unwrap();
    assert_eq!(git(&dir, &["branch", "--list", "release/1.0"]), "");
    assert!(!repo.branch_exists("release/1.0").unwrap());

    let err = repo.switch("no-such-branch").unwrap_err();
    assert!(err.to_string().contains("no-such-branch"), "{err}");
}

#[test]
fn add_rm_restore_and_commit() {
    let (_tmp, dir) = repo();
    write(&dir, "changes/1.feature.md", "Feature\n");
    write(&dir, "changes/2.bugfix.md", "Fix\n");
    commit_all(&dir, "fragments");
    let repo = Repo::discover(&dir).unwrap();

    // rm: gone from the work tree and staged as deleted.
    repo.rm(&["changes/1.feature.md", "changes/2.bugfix.md"])
        .unwrap();
    assert!(!dir.join("changes/1.feature.md").exists());
    assert_eq!(
        git(&dir, &["diff", "--cached", "--name-status"]),
        "D\tchanges/1.feature.md\nD\tchanges/2.bugfix.md\n"
    );

    // restore: back as in HEAD, nothing staged.
    repo.restore_from_head(&["changes/1.feature.md", "changes/2.bugfix.md"])
        .unwrap();
    assert_eq!(
        fs::read_to_string(dir.join("changes/1.feature.md")).unwrap(),
        "Feature\n"
    );
    assert!(repo.is_clean().unwrap());

    // add: a modification, a new file and a deletion.
    write(&dir, "README.md", "# release\n");
    write(&dir, "CHANGES.md", "## 1.0\n");
    fs::remove_file(dir.join("changes/2.bugfix.md")).unwrap();
    repo.add(&["README.md", "CHANGES.md", "changes/2.bugfix.md"])
        .unwrap();
    assert_eq!(
        git(&dir, &["diff", "--cached", "--name-status"]),
        "A\tCHANGES.md\nM\tREADME.md\nD\tchanges/2.bugfix.md\n"
    );

    let message = "Release 1.0\n\n## Features\n\n# not a comment: kept\n";
    let id = repo.commit(message).unwrap();
    assert_eq!(id, git(&dir, &["rev-parse", "HEAD"]).trim());
    assert_eq!(id.len(), 40);
    assert_eq!(
        git(&dir, &["log", "-1", "--format=%B"]).trim_end(),
        message.trim_end()
    );
    assert_eq!(repo.head_commit().unwrap(), Some(id));
    assert!(repo.is_clean().unwrap());

    // Empty path lists are a no-op, not a git error.
    repo.add::<&str>(&[]).unwrap();
    repo.rm::<&str>(&[]).unwrap();
    repo.restore_from_head::<&str>(&[]).unwrap();

    // Nothing staged: git refuses and says so.
    let err = repo.commit("empty").unwrap_err();
    assert!(err.to_string().contains("git commit"), "{err}");
}

#[test]
fn pathspecs_are_literal() {
    let (_tmp, dir) = repo();
    write(&dir, "a[1].md", "x\n");
    write(&dir, "a1.md", "y\n");
    let repo = Repo::discover(&dir).unwrap();
    repo.add(&["a[1].md"]).unwrap();
    assert_eq!(git(&dir, &["diff", "--cached", "--name-only"]), "a[1].md\n");
}

#[test]
fn add_all_stages_everything() {
    let (_tmp, dir) = repo();
    write(&dir, "new/file.txt", "x\n");
    write(&dir, "README.md", "# changed\n");
    write(&dir, "ignored.log", "x\n");
    let repo = Repo::discover(dir.join("src")).unwrap();
    repo.add_all().unwrap();
    assert_eq!(
        git(&dir, &["diff", "--cached", "--name-only"]),
        "README.md\nnew/file.txt\n"
    );
    assert_eq!(
        repo.dirty_paths().unwrap(),
        vec![
            dirty("README.md", DirtyKind::Staged),
            dirty("new/file.txt", DirtyKind::Staged)
        ]
    );
}

#[test]
fn reset_hard_for_abort() {
    let (_tmp, dir) = repo();
    let base = git(&dir, &["rev-parse", "HEAD"]).trim().to_string();
    write(&dir, "VERSION", "1.0\n");
    commit_all(&dir, "release");
    write(&dir, "README.md", "# half-done\n");
    let repo = Repo::discover(&dir).unwrap();
    repo.reset_hard(&base).unwrap();
    assert_eq!(git(&dir, &["rev-parse", "HEAD"]).trim(), base);
    assert!(!dir.join("VERSION").exists());
    assert!(repo.is_clean().unwrap());
    assert!(repo.reset_hard("no-such-commit").is_err());
}

#[test]
fn commit_hooks_run_without_a_terminal() {
    let (_tmp, dir) = repo();
    // A hook that reads stdin would wait forever on an inherited terminal.
    let hook = dir.join(".git/hooks/pre-commit");
    fs::write(
        &hook,
        "#!/bin/sh\ncat > /dev/null\necho ran > .git/hook-ran\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    }
    write(&dir, "README.md", "# hooked\n");
    let repo = Repo::discover(&dir).unwrap();
    repo.add(&["README.md"]).unwrap();
    repo.commit("with hook").unwrap();
    assert!(dir.join(".git/hook-ran").exists());

    // A failing hook is a git error carrying the hook's output.
    fs::write(&hook, "#!/bin/sh\necho 'lint failed' >&2\nexit 1\n").unwrap();
    write(&dir, "README.md", "# again\n");
    repo.add(&["README.md"]).unwrap();
    let err = repo.commit("rejected").unwrap_err();
    assert!(err.to_string().contains("lint failed"), "{err}");
}

#[test]
fn editor_is_what_git_var_says() {
    let (_tmp, dir) = repo();
    git(&dir, &["config", "core.editor", "my-editor --wait"]);
    let repo = Repo::discover(&dir).unwrap();
    // The library's git runs in this process's environment: ask git with the same editor
    // variables.
    let mut var = git_command(&dir);
    var.args(["var", "GIT_EDITOR"]);
    for name in ["GIT_EDITOR", "VISUAL", "EDITOR"] {
        if let Some(value) = std::env::var_os(name) {
            var.env(name, value);
        }
    }
    let expected = stdout_of(&mut var);
    assert_eq!(repo.editor().unwrap(), expected.trim_end());
    if std::env::var_os("GIT_EDITOR").is_none() {
        assert_eq!(repo.editor().unwrap(), "my-editor --wait");
    }
}

#[test]
fn linked_worktree() {
    let (tmp, dir) = repo();
    let wt = tmp.path().join("wt");
    git(
        &dir,
        &[
            "worktree",
            "add",
            "--quiet",
            "-b",
            "feature",
            wt.to_str().unwrap(),
        ],
    );
    let repo = Repo::discover(&wt).unwrap();
    assert_eq!(repo.root(), wt.canonicalize().unwrap());
    assert_eq!(repo.current_branch().unwrap().as_deref(), Some("feature"));
    assert!(repo.is_clean().unwrap());
    write(&wt, "x.txt", "x\n");
    assert_eq!(
        repo.dirty_paths().unwrap(),
        vec![dirty("x.txt", DirtyKind::Untracked)]
    );
    repo.add(&["x.txt"]).unwrap();
    let id = repo.commit("in worktree").unwrap();
    assert_eq!(git(&wt, &["rev-parse", "HEAD"]).trim(), id);
    // The main work tree is untouched.
    assert_eq!(
        Repo::discover(&dir)
            .unwrap()
            .current_branch()
            .unwrap()
            .as_deref(),
        Some("main")
    );
}

// --- timing ---

/// `cargo test --release --test it -- --ignored --nocapture git::status_timing`: prints how long
/// the pre-flight reads take on a repository of a few thousand files, next to `git status`.
#[test]
#[ignore = "a measurement, not a check"]
fn status_timing() {
    use std::time::Instant;
    let (_tmp, dir) = empty_repo();
    for d in 0..50 {
        for f in 0..100 {
            write(&dir, &format!("dir{d}/file{f}.txt"), &format!("{d} {f}\n"));
        }
    }
    write(&dir, ".gitignore", "*.log\n");
    commit_all(&dir, "5000 files");
    // Let the index stop being racy, as it is in a real repository.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    git(&dir, &["status", "--porcelain"]);

    let time = |label: &str, f: &mut dyn FnMut()| {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let start = Instant::now();
            f();
            best = best.min(start.elapsed().as_secs_f64() * 1000.0);
        }
        println!("{label:<40} {best:>8.1} ms (best of 5)");
    };
    time("Repo::discover", &mut || {
        Repo::discover(&dir).unwrap();
    });
    time("Repo::discover + is_clean (clean)", &mut || {
        assert!(Repo::discover(&dir).unwrap().is_clean().unwrap());
    });
    time("git status --porcelain (clean)", &mut || {
        git(&dir, &["status", "--porcelain"]);
    });
    write(&dir, "dir7/file7.txt", "changed\n");
    write(&dir, "new.txt", "new\n");
    write(&dir, "x.log", "ignored\n");
    time("Repo::discover + dirty_paths (dirty)", &mut || {
        assert_eq!(
            Repo::discover(&dir).unwrap().dirty_paths().unwrap().len(),
            2
        );
    });
    time("git status --porcelain (dirty)", &mut || {
        git(&dir, &["status", "--porcelain"]);
    });
    time("ls_files", &mut || {
        assert_eq!(
            Repo::discover(&dir).unwrap().ls_files().unwrap().len(),
            5001
        );
    });
    let repo = Repo::discover(&dir).unwrap();
    time("file_at HEAD dir42/file42.txt", &mut || {
        repo.file_at("HEAD", "dir42/file42.txt").unwrap().unwrap();
    });

    // History: 300 commits, every third touching CHANGES.md.
    git(&dir, &["checkout", "--quiet", "--", "."]);
    fs::remove_file(dir.join("new.txt")).unwrap();
    for i in 0..300 {
        if i % 3 == 0 {
            write(&dir, "CHANGES.md", &format!("v{i}\n"));
        } else {
            write(&dir, "other.txt", &format!("{i}\n"));
        }
        commit_at(&dir, &format!("c{i}"), 1_760_000_000 + i);
    }
    let repo = Repo::discover(&dir).unwrap();
    time("file_history (300 commits, 100 versions)", &mut || {
        assert_eq!(repo.file_history("CHANGES.md").unwrap().len(), 100);
    });
    time("git log -p -- CHANGES.md", &mut || {
        git(&dir, &["log", "-p", "--", "CHANGES.md"]);
    });
}
