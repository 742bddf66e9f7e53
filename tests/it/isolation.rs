//! The helper's isolation. `cargo test` run from a git hook inherits what git exports to
//! the hook: `GIT_INDEX_FILE` (for `git commit <path>`, the absolute path of the index being
//! committed), `GIT_EDITOR`, the author, `git -c` options in `GIT_CONFIG_PARAMETERS`, and
//! `GIT_DIR` / `GIT_WORK_TREE` when git was given `--git-dir` or runs in a linked worktree.
//! A test's git or binary that kept any of them would read and write the outer repository.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use crate::util::{EMAIL, NAME, git, git_command, git_release, isolate, repo_with, run, text};

/// A command's environment changes: `None` for a removal.
fn changes<'a>(
    envs: impl Iterator<Item = (&'a std::ffi::OsStr, Option<&'a std::ffi::OsStr>)>,
) -> BTreeMap<String, Option<String>> {
    envs.map(|(k, v)| {
        (
            k.to_string_lossy().into_owned(),
            v.map(|v| v.to_string_lossy().into_owned()),
        )
    })
    .collect()
}

#[test]
fn isolate_removes_what_a_hook_and_a_shell_pass_down() {
    let inherited = [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_EDITOR",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_DATE",
        "GIT_PREFIX",
        "GIT_SOMETHING_NEW",
        "EDITOR",
        "VISUAL",
        "NO_COLOR",
        "NEXT_DEV_VERSION",
        "SOURCE_DATE_EPOCH",
        "PATH",
        "HOME",
        "DIGIT_DIR",
    ];
    let mut cmd = Command::new("git");
    isolate(&mut cmd, inherited.map(OsString::from));
    let env = changes(cmd.get_envs());
    for removed in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_CONFIG_PARAMETERS",
        "GIT_EDITOR",
        "GIT_AUTHOR_DATE",
        "GIT_PREFIX",
        "GIT_SOMETHING_NEW",
        "EDITOR",
        "VISUAL",
        "NO_COLOR",
        "NEXT_DEV_VERSION",
        "SOURCE_DATE_EPOCH",
    ] {
        assert_eq!(env.get(removed), Some(&None), "{removed} is removed");
    }
    for untouched in ["PATH", "HOME", "DIGIT_DIR"] {
        assert!(!env.contains_key(untouched), "{untouched} is left alone");
    }
    for (key, value) in [
        ("GIT_AUTHOR_NAME", NAME),
        ("GIT_AUTHOR_EMAIL", EMAIL),
        ("GIT_COMMITTER_NAME", NAME),
        ("GIT_COMMITTER_EMAIL", EMAIL),
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_CONFIG_COUNT", "3"),
        ("GIT_CONFIG_KEY_0", "commit.gpgSign"),
        ("GIT_CONFIG_VALUE_0", "false"),
    ] {
        assert_eq!(env.get(key), Some(&Some(value.to_string())), "{key}");
    }
}

/// Both builders apply [`isolate`] to this process's own environment (which holds some
/// `GIT_*` variable whenever the suite runs from a hook: see the test below).
#[test]
fn both_builders_isolate_from_this_process() {
    let dir = tempfile::tempdir().unwrap();
    let ours: Vec<String> = std::env::vars_os()
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .filter(|k| k.starts_with("GIT_"))
        .collect();
    for (what, env) in [
        ("git", changes(git_command(dir.path()).get_envs())),
        ("git-release", changes(git_release(dir.path()).get_envs())),
    ] {
        for key in &ours {
            let set_by_helper = crate::util::SET.iter().find(|(k, _)| *k == key.as_str());
            assert_eq!(
                env.get(key),
                Some(&set_by_helper.map(|(_, v)| v.to_string())),
                "{what}: inherited {key}"
            );
        }
        for (key, value) in crate::util::SET {
            assert_eq!(
                env.get(*key),
                Some(&Some(value.to_string())),
                "{what}: {key}"
            );
        }
        assert_eq!(
            env.get("GIT_EDITOR").cloned().flatten(),
            None,
            "{what}: no editor unless the test sets one"
        );
    }
}

/// The parent: a real `git commit <path>` in an outer repository runs a pre-commit hook
/// that exports the worst of what a hook may see and runs, inside that environment, the
/// test below (a whole release, the suite's typical flow) and the one above. The outer
/// repository must come out exactly as the commit alone leaves it.
#[cfg(unix)]
#[test]
fn a_test_run_from_a_git_hook_leaves_the_outer_repository_alone() {
    use std::os::unix::fs::PermissionsExt;

    let outer = repo_with(&[("outer.txt", "outer\n")]);
    let root = outer.path().canonicalize().unwrap();
    let hook = root.join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    // git exports GIT_INDEX_FILE, GIT_EDITOR and the author; add what `git --git-dir`,
    // a linked worktree, `git -c` and a user's shell would.
    std::fs::write(
        &hook,
        r#"#!/bin/sh
# Run again from inside the test, this hook means a test's git committed here: fail,
# rather than start the test again and again.
if [ -n "$IT_IN_OUTER_HOOK" ]; then
    echo "a test's git committed in the outer repository" >&2
    exit 1
fi
IT_IN_OUTER_HOOK=1
GIT_DIR="$(git rev-parse --absolute-git-dir)" || exit 1
GIT_WORK_TREE="$(pwd)"
GIT_CONFIG_PARAMETERS="'commit.gpgsign'='true' 'gpg.program'='false' 'user.name'='Outer Hook'"
EDITOR=false
VISUAL=false
NEXT_DEV_VERSION=99.0.0
export IT_IN_OUTER_HOOK GIT_DIR GIT_WORK_TREE GIT_CONFIG_PARAMETERS EDITOR VISUAL NEXT_DEV_VERSION
exec "$IT_TEST_EXE" --exact --include-ignored \
    isolation::both_builders_isolate_from_this_process \
    isolation::a_release_inside_the_hook_environment
"#,
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    std::fs::write(root.join("outer.txt"), "changed\n").unwrap();
    git(&root, &["add", "outer.txt"]);
    let base = git(&root, &["rev-parse", "HEAD"]);
    let config = std::fs::read(root.join(".git/config")).unwrap();
    let objects = loose_objects(&root);

    let out = git_command(&root)
        .args(["commit", "--quiet", "-m", "outer commit", "outer.txt"])
        .env("IT_TEST_EXE", std::env::current_exe().unwrap())
        .output()
        .unwrap();
    let output = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "the hook failed:\n{output}");
    assert!(
        output.contains("test result: ok. 2 passed; 0 failed"),
        "both tests ran in the hook:\n{output}"
    );

    // Exactly the commit: one new commit on main holding outer.txt as staged, a clean
    // index and work tree, the same config, and no object written but the commit's.
    assert_eq!(
        git(&root, &["log", "--format=%s", "main"]),
        "outer commit\nbase\n"
    );
    assert_eq!(git(&root, &["rev-parse", "HEAD~1"]), base);
    assert_eq!(git(&root, &["symbolic-ref", "HEAD"]), "refs/heads/main\n");
    assert_eq!(
        git(&root, &["for-each-ref", "--format=%(refname)"]),
        "refs/heads/main\n"
    );
    assert_eq!(
        git(&root, &["ls-tree", "-r", "--name-only", "HEAD"]),
        "outer.txt\n"
    );
    assert_eq!(git(&root, &["show", "HEAD:outer.txt"]), "changed\n");
    assert_eq!(git(&root, &["ls-files", "--stage"]).lines().count(), 1);
    assert_eq!(
        git(&root, &["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
    assert_eq!(std::fs::read(root.join(".git/config")).unwrap(), config);
    assert_eq!(
        loose_objects(&root),
        objects + 2,
        "only the commit and its tree were written"
    );
    assert!(!root.join(".git/git-release").exists());
}

fn loose_objects(root: &Path) -> usize {
    let counts = git(root, &["count-objects", "-v"]);
    let count = counts
        .lines()
        .find_map(|l| l.strip_prefix("count: "))
        .unwrap();
    assert!(counts.contains("\nin-pack: 0\n"), "{counts}");
    count.parse().unwrap()
}

/// The child, run by the hook above: a final release of the workflow tests' project, from
/// the repository's creation to its last commit.
#[test]
#[ignore = "run inside a git hook by a_test_run_from_a_git_hook_leaves_the_outer_repository_alone"]
fn a_release_inside_the_hook_environment() {
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_CONFIG_PARAMETERS",
        "GIT_EDITOR",
        "GIT_AUTHOR_NAME",
        "NEXT_DEV_VERSION",
    ] {
        assert!(
            std::env::var_os(var).is_some(),
            "{var} is not set: this test proves something only inside the hook"
        );
    }
    let repo = crate::release::project_after_rc("");
    let root = repo.path();
    let base = git(root, &["rev-parse", "HEAD"]);
    let out = run(root, &["1.1.0", "--yes", "--date", "2025-03-01"], "true");
    crate::util::ok(&out, "release 1.1.0");
    assert_eq!(
        git(root, &["symbolic-ref", "--short", "HEAD"]),
        "release/1.1.0\n"
    );
    assert_eq!(
        git(
            root,
            &[
                "log",
                "--reverse",
                "--format=%s",
                &format!("{}..", base.trim())
            ]
        ),
        "release: 1.1.0\nchore: bump NEXT_RELEASE_VERSION to 1.2.0\n"
    );
    let people = git(root, &["log", "--format=%an <%ae> %cn <%ce>"]);
    let expected = format!("{NAME} <{EMAIL}> {NAME} <{EMAIL}>");
    assert!(people.lines().all(|l| l == expected), "{people}");
    assert_eq!(
        git(root, &["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
}
