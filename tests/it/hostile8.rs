//! Hostile round 8: what a stopped release, a kept review draft, the repository's layout
//! and the user's environment must not make the release do — a writing command's work
//! committed as the stopped release's, a reviewer's draft replaced without a word, `abort`
//! taking this very checkout for another work tree, a step's `git` sent to another
//! repository, the next development version moved backwards. (Repro scripts:
//! /work/hostile8/NN-*.sh.)

use std::path::Path;

use crate::hostile::{GO, refused, step_needing};
use crate::release::{project_after_rc, read, subjects_since};
use crate::review_window::{editor, project_with_files};
use crate::util::{self, git, git_release, ok, one_error, run, text};
use crate::workflow::state;

/// A pre-release (1.1.0rc2) stopped at a configured step after its changelog step, which
/// fails until `flag` exists.
fn rc_stopped_after_its_changelog(flag: &Path) -> tempfile::TempDir {
    let repo = project_after_rc(&step_needing(flag, ""));
    let out = run(
        repo.path(),
        &["1.1.0rc2", "--yes", "--no-edit", "--date", "2025-03-01"],
        "false",
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(read(repo.path(), "CHANGELOG.md").contains("## 1.1.0rc2 ("));
    repo
}

/// hostile8/10: while a release is stopped (state saved, lock free), `consolidate`,
/// `build` and `freeze` are refused like a second release, naming the stopped one and what
/// to do, unless they do a step of it still to do by hand (tested with the freeze and the
/// review); their dry runs still run. `continue` then commits the rc's own section.
#[test]
fn writing_commands_are_refused_while_a_release_is_stopped() {
    let flag = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    let flag_path = flag.to_path_buf();
    flag.close().unwrap();
    let repo = rc_stopped_after_its_changelog(&flag_path);
    let root = repo.path();
    for args in [
        &["consolidate", "1.1.0", "--no-edit", "--date", "2025-03-02"][..],
        &["consolidate", "1.1.0", "--no-edit", "--keep-fragments"][..],
        &["build", "1.1.0", "--date", "2025-03-02"][..],
        // The rc's own changelog step is done: building it again is not that step by hand.
        &["build", "1.1.0rc2", "--date", "2025-03-02"][..],
        &["freeze", "1.1.0"][..],
    ] {
        let stderr = refused(root, args, &args.join(" "));
        assert!(
            stderr.contains("1.1.0rc2")
                && stderr.contains("git release continue")
                && stderr.contains("git release abort"),
            "{args:?}: {stderr}"
        );
    }
    let before = state(root);
    ok(
        &run(
            root,
            &["consolidate", "1.1.0", "--no-edit", "--dry-run"],
            "false",
        ),
        "consolidate --dry-run while stopped",
    );
    ok(
        &run(root, &["build", "1.1.0", "--draft"], "false"),
        "build --draft while stopped",
    );
    assert!(state(root) == before, "a dry run changed the repository");
    std::fs::write(&flag_path, "").unwrap();
    ok(&run(root, &["continue"], "false"), "continue");
    let log = git(root, &["show", "HEAD:CHANGELOG.md"]);
    assert!(log.contains("## 1.1.0rc2 ("), "{log}");
    assert!(!log.contains("## 1.1.0 ("), "{log}");
    std::fs::remove_file(&flag_path).unwrap();
}

/// A project whose final (1.1.0) review left a kept draft: the reviewer reworded an entry
/// and left a `TODO`, so the draft did not validate.
fn kept_draft() -> tempfile::TempDir {
    let repo = project_with_files("", &[]);
    let root = repo.path();
    let reword = editor(
        root,
        "sed -i 's/Add the third thing/Add the third thing, reworded TODO/' \"$1\"",
    );
    let out = run(root, &["consolidate", "--date", "2026-01-15"], &reword);
    one_error(&out, "a review left with a TODO");
    let draft = read(root, ".git/RELEASE_NOTES.md");
    assert!(draft.contains("reworded TODO"), "{draft}");
    repo
}

/// hostile8/07: a kept draft is never replaced by a section written without a review:
/// `consolidate --no-edit` and `git release 1.1.0 --no-edit` refuse, naming the draft and
/// `--resume`; `consolidate --resume --no-edit` writes the kept draft itself, once it passes
/// the review's checks (a `TODO` left, or another version, is refused with the draft kept).
#[test]
fn a_kept_draft_is_resumed_or_refused_never_discarded() {
    let repo = kept_draft();
    let root = repo.path();
    let draft = read(root, ".git/RELEASE_NOTES.md");
    for args in [
        &["consolidate", "--no-edit", "--date", "2026-01-15"][..],
        &["1.1.0", "--yes", "--no-edit", "--date", "2026-01-15"][..],
    ] {
        let stderr = refused(root, args, &args.join(" "));
        assert!(
            stderr.contains("RELEASE_NOTES.md") && stderr.contains("--resume"),
            "{args:?}: {stderr}"
        );
    }
    let changelog = read(root, "CHANGELOG.md");
    for args in [
        &[
            "consolidate",
            "--resume",
            "--no-edit",
            "--date",
            "2026-01-15",
        ][..],
        &["consolidate", "1.2.0", "--resume", "--no-edit"][..],
        &["consolidate", "--resume", "--dry-run"][..],
    ] {
        let out = run(root, args, "false");
        one_error(&out, &args.join(" "));
        assert_eq!(read(root, ".git/RELEASE_NOTES.md"), draft, "{args:?}");
        assert_eq!(read(root, "CHANGELOG.md"), changelog, "{args:?}");
    }
    // The reviewer takes the TODO out by hand: the dry run shows, and the write publishes,
    // the reworded draft.
    std::fs::write(
        root.join(".git/RELEASE_NOTES.md"),
        draft.replace("reworded TODO", "reworded"),
    )
    .unwrap();
    let out = run(root, &["consolidate", "--resume", "--dry-run"], "false");
    ok(&out, "consolidate --resume --dry-run");
    assert!(
        text(&out.stdout).contains("reworded"),
        "{}",
        text(&out.stdout)
    );
    ok(
        &run(
            root,
            &[
                "consolidate",
                "--resume",
                "--no-edit",
                "--date",
                "2026-01-15",
            ],
            "false",
        ),
        "consolidate --resume --no-edit",
    );
    let log = read(root, "CHANGELOG.md");
    assert!(log.contains("Add the third thing, reworded"), "{log}");
    assert!(!root.join(".git/RELEASE_NOTES.md").exists());
}

/// The ways a checkout's `.git` can lead elsewhere than `<work tree>/.git`.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// A `gitdir:` file, as `git init --separate-git-dir` makes.
    SeparateGitDir,
    /// A symlink to the git directory.
    Symlink,
    /// The project checked out as a submodule (`.git/modules/<name>`).
    Submodule,
}

/// The final-release project (see [`project_with_files`]) in `layout`; returns the
/// directories to keep and the checkout's root.
fn checkout_in(layout: Layout) -> (Vec<tempfile::TempDir>, std::path::PathBuf) {
    let repo = project_with_files("", &[]);
    let root = repo.path().to_path_buf();
    let away = tempfile::tempdir().unwrap();
    match layout {
        Layout::SeparateGitDir | Layout::Symlink => {
            let store = away.path().join("store");
            std::fs::rename(root.join(".git"), &store).unwrap();
            match layout {
                Layout::Symlink => std::os::unix::fs::symlink(&store, root.join(".git")).unwrap(),
                _ => std::fs::write(root.join(".git"), format!("gitdir: {}\n", store.display()))
                    .unwrap(),
            }
            (vec![repo, away], root)
        }
        Layout::Submodule => {
            let top = away.path();
            git(top, &["init", "--quiet"]);
            let url = root.display().to_string();
            git(
                top,
                &[
                    "-c",
                    "protocol.file.allow=always",
                    "submodule",
                    "add",
                    "--quiet",
                    &url,
                    "widget",
                ],
            );
            git(top, &["commit", "--quiet", "-m", "add widget"]);
            let sub = top.join("widget");
            git(&sub, &["checkout", "--quiet", "main"]);
            (vec![repo, away], sub)
        }
    }
}

/// hostile8/09: a release stopped in a checkout whose `.git` leads elsewhere (a submodule,
/// a `--separate-git-dir` clone, a symlink) is aborted exactly: git's name for the main
/// work tree there (its git directory) is not taken for another work tree on the branch.
#[test]
fn abort_works_whatever_the_git_directory_layout() {
    for layout in [Layout::SeparateGitDir, Layout::Symlink, Layout::Submodule] {
        let (_keep, root) = checkout_in(layout);
        let before = state(&root);
        let out = run(&root, &["1.1.0", "--yes", "--date", "2026-01-15"], "false");
        assert_eq!(
            out.status.code(),
            Some(4),
            "{layout:?}: {}",
            text(&out.stderr)
        );
        ok(
            &run(&root, &["abort"], "false"),
            &format!("abort in {layout:?}"),
        );
        assert!(state(&root) == before, "{layout:?}: abort was not exact");
        assert_eq!(
            git(&root, &["branch", "--list", "release/1.1.0"]),
            "",
            "{layout:?}"
        );
    }
}

/// hostile8/05: `[[step]]` commands and the grouping command run in the release's work
/// tree without the repository-locating variables the user's shell (or a hook) set: their
/// `git` works on the release's repository, and the other repository is left alone.
#[test]
fn steps_and_the_grouping_command_do_not_inherit_git_dir() {
    let other = util::repo_with(&[("o.txt", "o\n")]);
    let other_git = other.path().join(".git");
    let step = "\n[[step]]\nname = \"generate\"\n\
        run = \"git rev-parse --absolute-git-dir > gitdir.txt && git tag built-by-step && git add gitdir.txt\"\n";
    let repo = project_after_rc(step);
    let root = repo.path();
    let refs = |dir: &Path| git(dir, &["for-each-ref"]) + &git(dir, &["status", "--porcelain"]);
    let other_before = refs(other.path());
    let with_other_repo = |cmd: &mut assert_cmd::Command| {
        cmd.env("GIT_DIR", &other_git)
            .env("GIT_WORK_TREE", other.path())
            .env("GIT_INDEX_FILE", other_git.join("index"))
            .env("GIT_EDITOR", "false");
    };
    let mut cmd = git_release(root);
    with_other_repo(&mut cmd);
    let out = cmd.args(GO).output().unwrap();
    ok(&out, "the release with GIT_DIR set");
    assert_eq!(
        refs(other.path()),
        other_before,
        "the other repository changed"
    );
    let seen = read(root, "gitdir.txt");
    let own = root.join(".git").canonicalize().unwrap();
    assert_eq!(Path::new(seen.trim()).canonicalize().unwrap(), own);
    assert!(git(root, &["tag", "--list", "built-by-step"]).contains("built-by-step"));
    // The grouping command (it fails after saying where its git looks).
    let seen = root.join("..").join(format!(
        "{}-grouper-gitdir",
        root.file_name().unwrap().to_string_lossy()
    ));
    let command = format!(
        "git rev-parse --absolute-git-dir > '{}'; exit 1",
        seen.display()
    );
    git(root, &["checkout", "--quiet", "main"]);
    util::write_file(root, "changes/20.feature.md", "Add another thing\n");
    let mut cmd = git_release(root);
    with_other_repo(&mut cmd);
    cmd.args([
        "consolidate",
        "1.2.0",
        "--no-edit",
        "--dry-run",
        "--strategy",
        "command",
        "--command",
        &command,
    ]);
    let _ = cmd.output().unwrap();
    let told = std::fs::read_to_string(&seen).unwrap();
    std::fs::remove_file(&seen).unwrap();
    assert_eq!(Path::new(told.trim()).canonicalize().unwrap(), own);
}

/// hostile8/08 (a): the next-version file already holds the version the release would
/// advance it to (bumped by hand): the step changes nothing and commits nothing, said in a
/// note, and the release finishes.
#[test]
fn a_next_version_already_set_is_left_with_a_note() {
    let repo = project_after_rc("");
    let root = repo.path();
    util::write_file(
        root,
        "src/demo/version.py",
        "NEXT_RELEASE_VERSION = \"1.2.0\"\n",
    );
    util::commit_all(root, "bump by hand");
    let base = git(root, &["rev-parse", "HEAD"]);
    let out = run(root, &GO, "false");
    ok(&out, "the release");
    assert!(
        text(&out.stderr).contains("already holds 1.2.0"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"1.2.0\"\n"
    );
    let subjects = subjects_since(root, base.trim());
    assert!(subjects.iter().any(|s| s.contains("1.1.0")), "{subjects:?}");
    let last = git(
        root,
        &["log", "-1", "--format=%s", "--", "src/demo/version.py"],
    );
    assert_eq!(last.trim(), "bump by hand", "{subjects:?}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// hostile8/08 (b): a next-version file ahead of the version the release would write (the
/// next cycle planned already) is refused before anything changes, saying how to keep it;
/// with `NEXT_DEV_VERSION` set to it, the release leaves it as it is.
#[test]
fn a_next_version_ahead_is_never_moved_backwards() {
    let repo = project_after_rc("");
    let root = repo.path();
    let planned = "NEXT_RELEASE_VERSION = \"2.0.0.dev0\"\n";
    util::write_file(root, "src/demo/version.py", planned);
    util::commit_all(root, "plan 2.0");
    let stderr = refused(root, &GO, "a next version ahead");
    assert!(
        stderr.contains("src/demo/version.py") && stderr.contains("NEXT_DEV_VERSION=2.0.0.dev0"),
        "{stderr}"
    );
    let out = git_release(root)
        .args(GO)
        .env("NEXT_DEV_VERSION", "2.0.0.dev0")
        .env("GIT_EDITOR", "false")
        .output()
        .unwrap();
    ok(&out, "the release keeping the planned version");
    assert_eq!(read(root, "src/demo/version.py"), planned);
}

/// hostile8/06: with `core.ignorecase` set on a case-sensitive file system, a tracked case
/// twin of the changelog (`changelog.md` beside `CHANGELOG.md`) would receive the release's
/// `git add`: refused before anything changes, naming the twin.
#[test]
fn a_case_twin_of_a_written_file_is_refused_under_ignorecase() {
    let repo = project_with_files("", &[]);
    let root = repo.path();
    std::fs::copy(root.join("CHANGELOG.md"), root.join("changelog.md")).unwrap();
    util::commit_all(root, "a twin");
    git(root, &["config", "core.ignorecase", "true"]);
    let args = ["1.1.0", "--yes", "--no-edit", "--date", "2026-01-15"];
    let stderr = refused(root, &args, "a case twin of the changelog");
    assert!(
        stderr.contains("changelog.md") && stderr.contains("core.ignorecase"),
        "{stderr}"
    );
    git(root, &["config", "core.ignorecase", "false"]);
    ok(&run(root, &args, "false"), "the release without ignorecase");
}
