//! A hostile user against the release workflow: each test is a break found by trying to make
//! `git release`, `continue` and `abort` lose an entry, half-apply a release, touch what is
//! not the release's, or go ahead where pre-flight could have refused. The repro scripts
//! these came from are listed in the module of each class.

use std::path::Path;

use crate::release::{head, project_after_rc, read, subjects_since};
use crate::util::{self, git, ok, one_error, run, text};
use crate::workflow::{RepoState, state};

pub(crate) const GO: [&str; 5] = ["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"];

/// A configured step that fails until `flag` (outside the repository) exists.
pub(crate) fn step_needing(flag: &Path, when: &str) -> String {
    format!(
        "\n[[step]]\nname = \"needs a flag\"\nrun = \"test -e '{}'\"\n{when}\n",
        flag.display()
    )
}

/// A final release (1.1.0, WebUI 2.0.0) stopped at a configured WebUI step that fails until
/// `flag` exists: before the changelog step, which reads the configuration.
fn stopped_at_a_webui_step(flag: &Path) -> tempfile::TempDir {
    stopped_at_webui(&step_needing(flag, "when = \"webui\""))
}

/// A final release (1.1.0, WebUI 2.0.0) of a project configured with `step` (a WebUI step
/// that fails), stopped there.
pub(crate) fn stopped_at_webui(step: &str) -> tempfile::TempDir {
    let repo = project_after_rc(step);
    let args = [
        "1.1.0",
        "2.0.0",
        "--yes",
        "--no-edit",
        "--date",
        "2025-03-01",
    ];
    let out = run(repo.path(), &args, "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    repo
}

/// Everything a refusal must leave alone, the state file's bytes included.
pub(crate) fn frozen(root: &Path) -> (RepoState, Option<Vec<u8>>, String) {
    (
        state(root),
        std::fs::read(root.join(".git/git-release/state.json")).ok(),
        git(root, &["stash", "list"]),
    )
}

/// Run `args`, expecting a refusal (exit 3) that changed nothing; returns stderr.
pub(crate) fn refused(root: &Path, args: &[&str], what: &str) -> String {
    let before = frozen(root);
    let out = run(root, args, "false");
    let stderr = one_error(&out, what);
    assert_eq!(out.status.code(), Some(3), "{what}: {stderr}");
    assert!(
        frozen(root) == before,
        "{what}: the refusal changed the repository"
    );
    stderr
}

/// The paths each commit since `base` touched, by subject.
fn touched_since(root: &Path, base: &str) -> String {
    git(
        root,
        &[
            "log",
            "--format=%s",
            "--name-only",
            &format!("{base}..HEAD"),
        ],
    )
}

/// The commit with subject `subject` on HEAD's history.
fn commit_with(root: &Path, subject: &str) -> String {
    git(
        root,
        &[
            "log",
            "--format=%H",
            "--fixed-strings",
            "--grep",
            subject,
            "-1",
        ],
    )
    .trim()
    .to_string()
}

// --- the release commits only the release (hostile/01, 10) ---------------------------

/// A file the user creates while the release is stopped is not the release's: `continue`
/// refuses, naming it, instead of committing it into `release: X`; once it is out of the
/// way, the release ends with no commit touching it, and what the user staged (a fix that
/// belongs in the release) is in the release commit.
#[test]
fn continue_refuses_changes_that_are_not_the_releases() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, ""));
    let root = repo.path();
    let base = head(root);
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    std::fs::write(root.join("notes.txt"), "my own notes\n").unwrap();
    std::fs::write(&flag, "").unwrap();
    let stderr = refused(root, &["continue"], "continue with a foreign file");
    assert!(stderr.contains("notes.txt"), "{stderr}");
    std::fs::rename(root.join("notes.txt"), scratch.path().join("notes.txt")).unwrap();
    // What the user stages belongs in the release, as with `git rebase --continue`.
    std::fs::write(root.join("fix.txt"), "the fix\n").unwrap();
    git(root, &["add", "fix.txt"]);
    ok(&run(root, &["continue"], "false"), "continue");
    let touched = touched_since(root, &base);
    assert!(!touched.contains("notes.txt"), "{touched}");
    assert!(touched.contains("CHANGELOG.md"), "{touched}");
    assert!(touched.contains("fix.txt"), "{touched}");
}

/// A configured step that leaves HEAD on another branch (a sloppy script) stops the
/// release before anything is committed there: the base branch never moves.
#[test]
fn a_step_that_leaves_the_release_branch_stops_the_release() {
    let extra = "\n[[step]]\nname = \"sloppy\"\nrun = \"git stash -q && git switch -q main && git stash pop -q\"\n";
    let repo = project_after_rc(extra);
    let root = repo.path();
    let base = head(root);
    let out = run(root, &GO, "false");
    let stderr = one_error(&out, "a step that switches branches");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("release/1.1.0"), "{stderr}");
    assert_eq!(git(root, &["rev-parse", "main"]).trim(), base, "main moved");
}

// --- continue: the plan, and every finished step still there (hostile/02, 06, 07) ---

/// The configuration changes while the release is stopped before a step that reads it
/// (the changelog): `continue` refuses, changing nothing, rather than write the changelog
/// to a file the confirmed plan never named; with the configuration back, it finishes.
#[test]
fn continue_refuses_a_configuration_changed_under_a_step_still_to_run() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = stopped_at_a_webui_step(&flag);
    let root = repo.path();
    let original = read(root, "pyproject.toml");
    std::fs::write(
        root.join("pyproject.toml"),
        original.replace("filename = \"CHANGELOG.md\"", "filename = \"NEWS.md\""),
    )
    .unwrap();
    std::fs::write(&flag, "").unwrap();
    let stderr = refused(
        root,
        &["continue"],
        "continue under a changed configuration",
    );
    assert!(stderr.contains("pyproject.toml"), "{stderr}");
    std::fs::write(root.join("pyproject.toml"), original).unwrap();
    ok(&run(root, &["continue"], "false"), "continue");
    assert!(!root.join("NEWS.md").exists());
    assert!(read(root, "CHANGELOG.md").contains("## 1.1.0 (2025-03-01)"));
}

/// The files the configuration names are configuration too: the template edited while the
/// release is stopped before the changelog step is refused like an edit of the
/// configuration itself, naming the file; with the template back, the release finishes.
#[test]
fn continue_refuses_a_template_edited_under_the_changelog_step() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = stopped_at_a_webui_step(&flag);
    let root = repo.path();
    let original = read(root, "changes/template.md");
    std::fs::write(
        root.join("changes/template.md"),
        format!("{original}\nEdited while stopped.\n"),
    )
    .unwrap();
    std::fs::write(&flag, "").unwrap();
    let stderr = refused(root, &["continue"], "continue under an edited template");
    assert!(
        stderr.contains("changes/template.md changed since the release stopped")
            && stderr.contains("still to run reads it"),
        "{stderr}"
    );
    std::fs::write(root.join("changes/template.md"), original).unwrap();
    ok(&run(root, &["continue"], "false"), "continue");
    assert!(!read(root, "CHANGELOG.md").contains("Edited while stopped."));
    assert!(read(root, "CHANGELOG.md").contains("## 1.1.0 (2025-03-01)"));
}

/// A stopped release's repository copied elsewhere (a backup, a scratch copy to try
/// `continue` in) or moved: `continue` in the copy finishes the copy's release and never
/// writes into the original (hostile3/01: the state's absolute paths sent the version and
/// next-version writes to the original repository).
#[test]
fn continue_in_a_copy_of_the_repository_acts_on_the_copy() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = stopped_at_a_webui_step(&flag);
    let root = repo.path();
    let copy = scratch.path().join("copy");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(root)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    let original = frozen(root);
    ok(
        &run(&copy, &["continue", "--skip"], "false"),
        "continue in the copy",
    );
    assert!(
        frozen(root) == original,
        "continue in the copy changed the original"
    );
    assert!(read(&copy, "CHANGELOG.md").contains("## 1.1.0 (2025-03-01)"));
    assert_eq!(read(&copy, "VERSION").trim(), "1.1.0");
    assert_eq!(git(&copy, &["status", "--porcelain"]), "");
    // The original's release is still stopped, and still finishes in its own place.
    std::fs::write(&flag, "").unwrap();
    ok(
        &run(root, &["continue"], "false"),
        "continue in the original",
    );
    assert_eq!(read(root, "VERSION").trim(), "1.1.0");
}

/// A final release stopped in its review, then `git release build` of the same version by
/// hand (towncrier's flat section, the fragments removed): `continue` does not take that
/// section for the consolidation — the rc section it folds is still there — and stops
/// with what to do, committing nothing; with the changelog and fragments put back it
/// finishes, each entry listed once (hostile3/04).
#[test]
fn continue_does_not_take_a_built_section_for_the_consolidation() {
    let repo = project_after_rc("");
    let root = repo.path();
    let out = run(root, &["1.1.0", "--yes", "--date", "2025-03-01"], "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let head_before = head(root);
    ok(
        &run(root, &["build", "1.1.0", "--date", "2025-03-01"], "false"),
        "build by hand",
    );
    let out = run(root, &["continue"], "false");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("pre-release sections it folds are still there"),
        "{stderr}"
    );
    assert_eq!(head(root), head_before, "nothing is committed");
    git(root, &["restore", "--staged", "--worktree", "--", "."]);
    ok(&run(root, &["continue"], "true"), "continue");
    let log = read(root, "CHANGELOG.md");
    assert!(!log.contains("## 1.1.0rc1"), "{log}");
    assert_eq!(log.matches("## 1.1.0 (").count(), 1, "{log}");
}

/// `changes/` is another repository's work tree (a submodule, a nested clone): refused
/// with what it is, changing nothing, not mistaken for ignored files that `git add -f`
/// would fix (hostile3).
#[test]
fn fragments_in_a_nested_repository_are_refused_as_such() {
    let repo = util::repo_with(&[
        ("VERSION", "1.0.0\n"),
        (
            "CHANGELOG.md",
            "# Changes\n\n<!-- towncrier release notes start -->\n",
        ),
    ]);
    let root = repo.path();
    let nested = root.join("changes");
    std::fs::create_dir(&nested).unwrap();
    git(&nested, &["init", "--quiet"]);
    std::fs::write(nested.join("1.feature.md"), "Add a thing.\n").unwrap();
    util::commit_all(&nested, "fragments");
    git(root, &["add", "changes"]);
    git(
        root,
        &[
            "commit",
            "--quiet",
            "-m",
            "fragments as a nested repository",
        ],
    );
    let stderr = refused(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-03-01"],
        "fragments in a nested repository",
    );
    assert!(
        stderr.contains("belongs to the repository at changes"),
        "{stderr}"
    );
    assert!(!stderr.contains("git add -f"), "{stderr}");
}

/// A section written by hand while a pre-release was stopped (`git release build`, which
/// keeps a stale fragment as towncrier does) lists an entry an earlier release has in the
/// same words: the release stops before its commit rather than publish it twice.
#[test]
fn a_hand_written_section_listing_a_released_entry_is_not_committed() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, "when = \"webui\""));
    let root = repo.path();
    std::fs::write(root.join("changes/1.feature.md"), "First release\n").unwrap();
    util::commit_all(root, "a stale fragment");
    let args = [
        "1.1.0rc2",
        "2.0.0",
        "--yes",
        "--no-edit",
        "--date",
        "2025-03-01",
    ];
    let out = run(root, &args, "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    ok(
        &run(
            root,
            &["build", "1.1.0rc2", "--date", "2025-03-01"],
            "false",
        ),
        "build by hand",
    );
    let out = run(root, &["continue", "--skip"], "false");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("#1 already listed, in the same words, by an earlier release"),
        "{stderr}"
    );
    let subjects = git(root, &["log", "--format=%s", "-3"]);
    assert!(!subjects.contains("release: 1.1.0rc2"), "{subjects}");
}

/// The same PR with new words in a later release is a new entry, not a duplicate: the
/// release goes through (pre-flight's stale rule and the section check agree).
#[test]
fn the_same_pr_in_new_words_is_released_again() {
    let repo = project_after_rc("");
    let root = repo.path();
    std::fs::write(
        root.join("changes/1.fix.md"),
        "Fix the installer of the first release\n",
    )
    .unwrap();
    util::commit_all(root, "a follow-up fix for #1");
    let args = ["1.1.0rc2", "--yes", "--no-edit", "--date", "2025-03-01"];
    ok(&run(root, &args, "false"), "release");
    let log = read(root, "CHANGELOG.md");
    assert!(
        log.contains("Fix the installer of the first release"),
        "{log}"
    );
}

/// `changes/` is a symlink to a directory of the repository: the fragments are removed
/// where they are, and the release commit holds their removal.
#[test]
fn fragments_behind_a_symlinked_directory_are_removed() {
    let repo = project_after_rc("");
    let root = repo.path();
    std::fs::create_dir(root.join("docs/news")).unwrap();
    git(
        root,
        &[
            "mv",
            "changes/template.md",
            "changes/11.feature.md",
            "docs/news/",
        ],
    );
    std::fs::remove_dir(root.join("changes")).unwrap();
    std::os::unix::fs::symlink("docs/news", root.join("changes")).unwrap();
    util::commit_all(root, "changes/ is a link");
    let base = head(root);
    ok(&run(root, &GO, "false"), "release");
    let release = commit_with(root, "release: 1.1.0");
    let files = git(
        root,
        &["ls-tree", "-r", "--name-only", &release, "docs/news"],
    );
    assert_eq!(files.trim(), "docs/news/template.md", "{files}");
    assert!(subjects_since(root, &base).contains(&"release: 1.1.0".to_string()));
}

/// The tree is cleaned while the release is stopped after its changelog step (`git stash
/// -u` while fixing a step): `continue` does the steps whose work is gone again, so the
/// release commit holds the version, the section and the fragments' removal, and the
/// summary's "RC merged" is true.
#[test]
fn continue_redoes_finished_steps_whose_work_is_gone() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, ""));
    let root = repo.path();
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    git(root, &["stash", "-u", "-q"]);
    std::fs::write(&flag, "").unwrap();
    let out = run(root, &["continue"], "false");
    ok(&out, "continue");
    let release = commit_with(root, "release: 1.1.0");
    let at = |p: &str| git(root, &["show", &format!("{release}:{p}")]);
    assert_eq!(at("VERSION"), "1.1.0\n");
    assert!(at("CHANGELOG.md").contains("## 1.1.0 (2025-03-01)"));
    let left = git(root, &["ls-tree", "--name-only", &release, "changes/"]);
    assert!(!left.contains(".feature.md"), "{left}");
    assert!(text(&out.stdout).contains("RC merged:  1.1.0rc1"));
}

/// The same for a configured step that generates a file (an API reference): stashed while
/// the release was stopped, the step runs again and its file is in the release commit
/// (hostile6/10).
#[test]
fn continue_reruns_a_command_step_whose_output_is_gone() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let generate =
        "\n[[step]]\nname = \"generate\"\nrun = \"echo 'openapi: 3.1' > openapi.yaml\"\n";
    let repo = project_after_rc(&format!("{generate}{}", step_needing(&flag, "")));
    let root = repo.path();
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    assert!(root.join("openapi.yaml").exists());
    git(root, &["stash", "-u", "-q"]);
    std::fs::write(&flag, "").unwrap();
    let out = run(root, &["continue"], "false");
    ok(&out, "continue");
    let release = commit_with(root, "release: 1.1.0");
    assert_eq!(
        git(root, &["show", &format!("{release}:openapi.yaml")]),
        "openapi: 3.1\n"
    );
}

// --- abort undoes the release and nothing else (hostile/05, 16) ----------------------

/// While the release is stopped the user stages a new file and edits another on the
/// release branch, and commits a fix there: `abort` refuses, naming them, rather than
/// delete them with the branch (`reset --hard`, `branch -D`).
#[test]
fn abort_refuses_to_discard_what_is_not_the_releases() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, ""));
    let root = repo.path();
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    std::fs::write(root.join("design.md"), "two hours of work\n").unwrap();
    git(root, &["add", "design.md"]);
    std::fs::write(root.join("README.md"), "rewritten by hand\n").unwrap();
    let stderr = refused(root, &["abort"], "abort with the user's changes");
    assert!(
        stderr.contains("design.md") && stderr.contains("README.md"),
        "{stderr}"
    );
    git(
        root,
        &["stash", "push", "-q", "--", "design.md", "README.md"],
    );
    // A commit of the user's own on the release branch, reachable from nowhere else.
    std::fs::write(root.join("fix.txt"), "a fix\n").unwrap();
    git(root, &["add", "fix.txt"]);
    git(root, &["commit", "-q", "-m", "my fix"]);
    let stderr = refused(root, &["abort"], "abort with the user's commit");
    assert!(stderr.contains("my fix"), "{stderr}");
    git(root, &["branch", "keep-my-fix"]);
    ok(&run(root, &["abort"], "false"), "abort");
    assert_eq!(
        git(root, &["show", "keep-my-fix:fix.txt"]),
        "a fix\n",
        "the user's commit is kept"
    );
    git(root, &["stash", "pop", "-q"]);
    assert_eq!(read(root, "design.md"), "two hours of work\n");
}

/// The release branch deleted by hand while the release is stopped: `continue` says
/// there is nothing left to continue and how to forget the release, instead of asking to
/// switch to a branch that does not exist.
#[test]
fn continue_without_the_release_branch_says_so() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, ""));
    let root = repo.path();
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    git(root, &["stash", "-u", "-q"]);
    git(root, &["switch", "-q", "main"]);
    git(root, &["branch", "-q", "-D", "release/1.1.0"]);
    let stderr = refused(root, &["continue"], "continue without the branch");
    assert!(
        stderr.contains("no longer exists") && stderr.contains("git release abort"),
        "{stderr}"
    );
}

// --- one release at a time, for every command that writes (hostile/03) --------------

/// While a release runs (blocked in a step), `build`, `consolidate` and `freeze` are
/// refused too (they write the changelog, remove fragments, rewrite sources), changing
/// nothing; reading (`build --draft`) is fine.
#[test]
fn writing_commands_wait_for_the_release_lock() {
    let scratch = tempfile::tempdir().unwrap();
    let (started, go) = (scratch.path().join("started"), scratch.path().join("go"));
    let extra = format!(
        "\n[[step]]\nname = \"waits\"\nrun = \"touch '{}'; while [ ! -e '{}' ]; do sleep 0.05; done\"\ntimeout = 120\n",
        started.display(),
        go.display()
    );
    let repo = project_after_rc(&extra);
    let root = repo.path();
    let mut release = util::git_release_process(root)
        .args(GO)
        .env("GIT_EDITOR", "false")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !started.exists() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "the step never ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    for args in [
        &["build", "1.1.0rc2", "--date", "2025-03-01"][..],
        &["consolidate", "1.1.0", "--no-edit", "--date", "2025-03-01"][..],
        &["freeze", "1.1.0"][..],
    ] {
        let stderr = refused(root, args, args[0]);
        assert!(stderr.contains("another git release"), "{args:?}: {stderr}");
    }
    ok(
        &run(
            root,
            &["build", "1.1.0rc2", "--draft", "--date", "2025-03-01"],
            "false",
        ),
        "build --draft",
    );
    std::fs::write(&go, "").unwrap();
    assert!(release.wait().unwrap().success(), "the release finishes");
}

// --- pre-flight: what it can know (hostile/08, 11, 13, 15) ---------------------------

/// In a sparse checkout that leaves fragments out of the work tree, the release would
/// fold without them: pre-flight refuses, naming one.
#[test]
fn fragments_outside_a_sparse_checkout_are_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    git(
        root,
        &[
            "sparse-checkout",
            "set",
            "--no-cone",
            "/*",
            "!/changes/11.*",
        ],
    );
    assert!(!root.join("changes/11.feature.md").exists());
    let stderr = refused(root, &GO, "sparse checkout");
    assert!(stderr.contains("changes/11.feature.md"), "{stderr}");
}

/// A fragment git ignores would be published and deleted, and `abort` could not bring it
/// back: pre-flight refuses, naming it.
#[test]
fn an_ignored_fragment_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    std::fs::write(root.join(".gitignore"), "changes/15*\n").unwrap();
    util::commit_all(root, "ignore");
    std::fs::write(root.join("changes/150.feature.md"), "Add the export API\n").unwrap();
    for version in ["1.1.0", "1.1.0rc2"] {
        let stderr = refused(
            root,
            &[version, "--yes", "--no-edit", "--date", "2025-03-01"],
            "ignored fragment",
        );
        assert!(stderr.contains("changes/150.feature.md"), "{stderr}");
    }
}

/// A version already tagged (`1.1.0` or `v1.1.0`) was released: pre-flight refuses.
#[test]
fn a_tagged_version_is_refused() {
    for tag in ["1.1.0", "v1.1.0"] {
        let repo = project_after_rc("");
        let root = repo.path();
        git(root, &["tag", tag]);
        let stderr = refused(root, &GO, tag);
        assert!(stderr.contains(&format!("`{tag}`")), "{stderr}");
    }
}

/// Without a git identity the commits would fail after every file was rewritten:
/// pre-flight refuses.
#[test]
fn no_git_identity_is_refused_in_preflight() {
    let repo = project_after_rc("");
    let root = repo.path();
    let before = frozen(root);
    let out = util::git_release(root)
        .args(GO)
        .env("GIT_EDITOR", "false")
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .env("EMAIL", "")
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "user.useConfigOnly")
        .env("GIT_CONFIG_VALUE_0", "true")
        .output()
        .unwrap();
    let stderr = one_error(&out, "no identity");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("user.name"), "{stderr}");
    assert!(frozen(root) == before, "the refusal changed the repository");
}

// --- files written as what they are (hostile/09, 12) --------------------------------

/// A version file with a CRLF line end keeps it.
#[test]
fn a_crlf_version_file_keeps_its_line_end() {
    let repo = project_after_rc("");
    let root = repo.path();
    std::fs::write(root.join("VERSION"), "1.1.0rc1\r\n").unwrap();
    util::commit_all(root, "crlf");
    ok(&run(root, &GO, "false"), "release");
    let release = commit_with(root, "release: 1.1.0");
    assert_eq!(
        git(root, &["show", &format!("{release}:VERSION")]),
        "1.1.0\r\n"
    );
}

/// A fragment whose name is not UTF-8 cannot be published as written (its PR number
/// would be mangled): refused, naming the file.
#[test]
fn a_fragment_name_that_is_not_utf8_is_refused() {
    use std::os::unix::ffi::OsStrExt;
    let repo = project_after_rc("");
    let root = repo.path();
    let name = std::ffi::OsStr::from_bytes(b"\xff.feature.md");
    std::fs::write(root.join("changes").join(name), "Add a thing\n").unwrap();
    util::commit_all(root, "odd name");
    let stderr = refused(root, &GO, "non-UTF-8 fragment name");
    assert!(
        stderr.contains(".feature.md") && stderr.contains("UTF-8"),
        "{stderr}"
    );
}

/// A fragment whose name holds a line break (or another control character) would publish
/// it inside its entry's reference: refused, naming the file and the character, for a
/// final and a pre-release alike.
#[test]
fn a_fragment_name_with_a_line_break_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    std::fs::write(root.join("changes/12\n3.feature.md"), "Add a thing\n").unwrap();
    util::commit_all(root, "odd name");
    for args in [&GO[..], &["1.1.0rc2", "--yes", "--no-edit"]] {
        let stderr = refused(root, args, "a fragment name with a line break");
        assert!(
            stderr.contains("control character") && stderr.contains("\\n"),
            "{stderr}"
        );
    }
}

// --- messages (hostile/14) -----------------------------------------------------------

/// `consolidate --resume` with no kept draft says so first: no consolidation notes, no
/// complaint about a missing terminal.
#[test]
fn resume_without_a_draft_says_there_is_nothing_to_resume() {
    let repo = project_after_rc("");
    let root = repo.path();
    let before = frozen(root);
    let out = util::git_release(root)
        .args(["consolidate", "--resume"])
        .output()
        .unwrap();
    let stderr = one_error(&out, "resume");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no draft to resume"), "{stderr}");
    assert!(!stderr.contains("note:"), "{stderr}");
    assert!(frozen(root) == before);
}

/// Two fragments of one already released PR with one text (`1.feature.md`, `1.feature.1.md`)
/// are one stale entry in a pre-release's plan, as in a final release's: the count and the
/// numbers listed agree, each number once.
#[test]
fn a_stale_pr_in_two_fragments_is_counted_once() {
    let repo = project_after_rc("");
    let root = repo.path();
    // #1 is in the 1.0.0 section already, with this text.
    std::fs::write(root.join("changes/1.feature.md"), "First release\n").unwrap();
    std::fs::write(root.join("changes/1.feature.1.md"), "First release\n").unwrap();
    util::commit_all(root, "a fragment consumed twice");
    for version in ["1.1.0rc2", "1.1.0"] {
        let out = run(
            root,
            &[version, "--dry-run", "--no-edit", "--date", "2025-03-01"],
            "false",
        );
        ok(&out, version);
        let stdout = text(&out.stdout);
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with("Stale:"))
            .unwrap_or_else(|| panic!("{version}: no stale line in\n{stdout}"));
        assert!(line.contains("1 entry (1 PR number)"), "{version}: {line}");
        assert_eq!(line.matches("#1 ").count(), 1, "{version}: {line}");
    }
}

/// A file the release reads and writes that is a named pipe (the version file, the
/// changelog, the next-version file) would hang the release on its first read: pre-flight
/// refuses at once, naming it, and changes nothing.
#[test]
fn a_fifo_where_a_file_is_read_is_refused_without_hanging() {
    for file in ["VERSION", "CHANGELOG.md", "src/demo/version.py"] {
        let repo = project_after_rc("");
        let root = repo.path();
        git(root, &["rm", "-q", "--cached", file]);
        std::fs::remove_file(root.join(file)).unwrap();
        let fifo =
            std::ffi::CString::new(root.join(file).into_os_string().into_encoded_bytes()).unwrap();
        // SAFETY: mkfifo with a valid C path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        std::fs::write(root.join(".git/info/exclude"), format!("{file}\n")).unwrap();
        util::commit_all(root, "a pipe");
        let mut child = util::git_release_process(root)
            .args(GO)
            .env("GIT_EDITOR", "false")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > std::time::Duration::from_secs(20) {
                child.kill().unwrap();
                child.wait().unwrap();
                panic!("{file}: the release hangs on a FIFO");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(3), "{file}: {stderr}");
        assert!(stderr.contains("named pipe"), "{file}: {stderr}");
        assert_eq!(git(root, &["branch", "--list", "release/*"]), "", "{file}");
    }
}

/// A configured step that makes a commit of its own, then a later step fails: the step's
/// commit is the release's, so `abort` undoes it with the branch instead of refusing it as
/// the user's.
#[test]
fn a_commit_made_by_a_step_is_the_releases_for_abort() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let extra = format!(
        "\n[[step]]\nname = \"commits\"\nrun = \"echo x > made.txt && git add made.txt && git commit -q -m 'made by a step'\"\n{}",
        step_needing(&flag, "")
    );
    let repo = project_after_rc(&extra);
    let root = repo.path();
    let base = head(root);
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    assert_eq!(subjects_since(root, &base), ["made by a step"]);
    ok(&run(root, &["abort"], "false"), "abort");
    assert_eq!(head(root), base);
    assert_eq!(git(root, &["branch", "--list", "release/*"]), "");
}

/// A lock left behind whose process id now belongs to another program (process 1, after
/// a reboot) is reported as stale, with what to do, not as a release that is running.
#[test]
fn a_lock_whose_process_id_was_reused_is_stale() {
    if !Path::new("/proc/1/comm").exists() {
        return; // Only where the system says what a process runs.
    }
    let repo = project_after_rc("");
    let root = repo.path();
    let lock = root.join(".git/git-release/lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    std::fs::write(&lock, "{\"pid\": 1, \"started\": 0}").unwrap();
    let stderr = refused(root, &GO, "a reused process id");
    assert!(stderr.contains("stale lock"), "{stderr}");
}

/// A `branch` setting that makes a name git does not take is refused by pre-flight,
/// naming the setting, not by a git error.
#[test]
fn a_branch_name_git_does_not_take_is_refused_naming_the_setting() {
    let repo = project_after_rc("");
    let root = repo.path();
    let toml = read(root, ".git-release.toml");
    std::fs::write(
        root.join(".git-release.toml"),
        format!("branch = \"release/{{version}}.lock\"\n{toml}"),
    )
    .unwrap();
    util::commit_all(root, "a bad branch name");
    let stderr = refused(root, &GO, "a bad branch name");
    assert!(stderr.contains("`branch`"), "{stderr}");
}

/// The release commit made by hand with the step's message (after a hook rejected it) but
/// holding only part of the release: `continue` stops rather than finish a release whose
/// changelog is left uncommitted; amended, it finishes.
#[test]
fn a_release_commit_made_by_hand_must_hold_the_whole_release() {
    let repo = project_after_rc("");
    let root = repo.path();
    let hook = root.join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\nexit 1\n").unwrap();
    std::fs::set_permissions(
        &hook,
        <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755),
    )
    .unwrap();
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    std::fs::remove_file(&hook).unwrap();
    git(
        root,
        &["commit", "-q", "-m", "release: 1.1.0", "--", "VERSION"],
    );
    let out = run(root, &["continue"], "false");
    let stderr = one_error(&out, "continue after a partial commit");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("CHANGELOG.md"), "{stderr}");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "--amend", "--no-edit"]);
    ok(
        &run(root, &["continue"], "false"),
        "continue after the amend",
    );
    let release = commit_with(root, "release: 1.1.0");
    assert!(
        git(root, &["show", &format!("{release}:CHANGELOG.md")]).contains("## 1.1.0 (2025-03-01)")
    );
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// `changes/` a symlink to a directory outside the repository: the release would delete
/// files git never had; refused, saying where they are.
#[test]
fn fragments_behind_a_link_out_of_the_repository_are_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("20.feature.md"),
        "Add an outside thing\n",
    )
    .unwrap();
    git(root, &["mv", "changes/template.md", "template.md"]);
    git(root, &["rm", "-q", "changes/11.feature.md"]);
    std::os::unix::fs::symlink(outside.path(), root.join("changes")).unwrap();
    let py = read(root, "pyproject.toml").replace("changes/template.md", "template.md");
    std::fs::write(root.join("pyproject.toml"), py).unwrap();
    util::commit_all(root, "changes/ links out");
    let stderr = refused(root, &GO, "fragments outside");
    assert!(stderr.contains("outside the repository"), "{stderr}");
    assert!(outside.path().join("20.feature.md").exists());
}

/// The base branch renamed while the release is stopped: `abort` refuses before undoing
/// anything (it used to reset the release's work, then fail to switch), saying how to
/// recreate the branch; then it aborts.
#[test]
fn abort_without_the_base_branch_refuses_before_undoing_anything() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, ""));
    let root = repo.path();
    let base = head(root);
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    git(root, &["branch", "-m", "main", "trunk"]);
    let stderr = refused(root, &["abort"], "abort without the base branch");
    assert!(
        stderr.contains(&format!("git branch main {base}")),
        "{stderr}"
    );
    git(root, &["branch", "main", &base]);
    ok(&run(root, &["abort"], "false"), "abort");
    assert_eq!(crate::release::current_branch(root), "main");
}

/// Hostile round 4 (01–03): the changelog is read as Markdown renders it. A code block in
/// an rc section's note holding `## …` and an example entry is code, not a release heading
/// or an entry; an rc heading with CommonMark's closing `##` is that rc; a linked older
/// release heading is a release, so its entry is not listed again.
#[test]
fn the_changelog_is_read_as_markdown_renders_it() {
    let repo = project_after_rc("");
    let root = repo.path();
    let pr = |n: u32| format!("([#{n}](https://example.com/demo/pull/{n}))");
    let log = read(root, "CHANGELOG.md")
        .replace("## 1.1.0rc1 (2025-02-01)\n", "## 1.1.0rc1 (2025-02-01) ##\n")
        .replace(
            "## 1.0.0 (2025-01-01)",
            "## [1.0.0](https://example.com/demo/releases/1.0.0) (2025-01-01)",
        )
        .replace(
            &format!("* Add fair share scheduler {}\n", pr(10)),
            &format!(
                "* Add fair share scheduler {}\n\nUpgrade notes:\n\n```sh\n## then restart the agents\n\
                 * Example entry {}\n```\n",
                pr(10),
                pr(99)
            ),
        );
    std::fs::write(root.join("CHANGELOG.md"), &log).unwrap();
    std::fs::write(root.join("changes/1.feature.md"), "First release\n").unwrap();
    util::commit_all(root, "hand-written Markdown");

    ok(&run(root, &GO, "false"), "final release");
    let log = read(root, "CHANGELOG.md");
    let start = log.find("## 1.1.0 (2025-03-01)").expect(&log);
    let end = log.find("## [1.0.0]").expect(&log);
    let section = &log[start..end];
    for n in [10, 11, 12] {
        let link = format!("pull/{n})");
        assert_eq!(section.matches(&link).count(), 1, "#{n}:\n{section}");
    }
    assert!(
        !section.contains("pull/1)"),
        "the released #1 listed again:\n{section}"
    );
    assert!(!log.contains("1.1.0rc1"), "rc1 not folded:\n{log}");
    assert!(
        section.contains("```sh\n## then restart the agents\n* Example entry")
            && section.contains(&format!("{}\n```\n", pr(99))),
        "the code block is not carried whole:\n{section}"
    );
}

/// A section of the release whose heading cannot be read as one would not be folded: the
/// final release is refused with nothing changed, naming the heading.
#[test]
fn an_unreadable_rc_heading_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    let log = read(root, "CHANGELOG.md").replace(
        "## 1.1.0rc1 (2025-02-01)",
        "## 1.1.0 release candidate 1 (2025-02-01)",
    );
    std::fs::write(root.join("CHANGELOG.md"), &log).unwrap();
    util::commit_all(root, "an odd rc heading");
    let stderr = refused(root, &GO, "an unreadable rc heading");
    assert!(
        stderr.contains("looks like a section of 1.1.0") && stderr.contains("release candidate 1"),
        "{stderr}"
    );
}

/// The version file names the pre-release (1.1.0rc1) but the changelog has no section of it
/// (its path changed between the rc and the final): the final would miss the rc's entries,
/// so it is refused with nothing changed — unless asked for with `--allow-missing-rc`.
#[test]
fn a_final_without_its_rc_section_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    let log = read(root, "CHANGELOG.md");
    let start = log.find("## 1.1.0rc1").unwrap();
    let end = log.find("## 1.0.0").unwrap();
    std::fs::write(
        root.join("CHANGELOG.md"),
        format!("{}{}", &log[..start], &log[end..]),
    )
    .unwrap();
    util::commit_all(root, "the rc section moved elsewhere");
    let stderr = refused(root, &GO, "no rc section");
    assert!(
        stderr.contains("says 1.1.0rc1") && stderr.contains("--allow-missing-rc"),
        "{stderr}"
    );
    let mut args = GO.to_vec();
    args.push("--allow-missing-rc");
    ok(&run(root, &args, "false"), "the final, asked for");
    assert!(read(root, "CHANGELOG.md").contains("## 1.1.0 (2025-03-01)"));
}
