//! Issue 8 §2: a release never half-applies and never harms what is not its own. Each
//! test is a way a release is interrupted, raced, misconfigured or pointed elsewhere, and
//! checks from the outside (files with their kinds and modes, index, refs, stash) that the
//! repository is exactly as it was (a refusal) or exactly as the state file says (a stop).

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::release::{current_branch, head, project, project_after_rc, read, subjects_since};
use crate::util::{self, git, ok, one_error, run, text};
use crate::workflow::{RepoState, state};

/// Everything a refusal must leave alone: [`state`] plus the stash, and each path's kind
/// (file, symlink and its target) and mode.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Full {
    repo: RepoState,
    stash: String,
    kinds: BTreeMap<String, String>,
}

pub(crate) fn full(root: &Path) -> Full {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == ".git" {
                continue;
            }
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, format!("link -> {}", target.display()));
            } else if meta.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(rel, format!("file {:o}", meta.permissions().mode()));
            }
        }
    }
    let mut kinds = BTreeMap::new();
    walk(root, root, &mut kinds);
    Full {
        repo: state(root),
        stash: git(root, &["stash", "list"]),
        kinds,
    }
}

fn state_json(root: &Path) -> serde_json::Value {
    serde_json::from_str(&read(root, ".git/git-release/state.json")).unwrap()
}

/// The status of each step in the state file, by name.
fn statuses(root: &Path) -> Vec<(String, String)> {
    state_json(root)["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"]["name"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The binary started in the background, in a process group of its own (so that a
/// signal meant for its group never reaches the test process).
pub(crate) fn spawn(root: &Path, args: &[&str], editor: &str) -> Child {
    util::git_release_process(root)
        .args(args)
        .env("GIT_EDITOR", editor)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap()
}

/// Install the git hook `name` in `root`'s repository, running `script`; its path.
pub(crate) fn install_hook(root: &Path, name: &str, script: &str) -> std::path::PathBuf {
    let path = root.join(".git/hooks").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Wait until `path` exists (a step or an editor says it is running).
pub(crate) fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn signal(target: i32, sig: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{sig}"), "--".into(), target.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{sig} {target}");
}

// --- a step is done only when it finished -----------------------------------------

/// Ctrl-C in the editor (SIGINT to the foreground process group): the release stops with
/// the review recorded as interrupted; `continue` reopens the kept draft, and the release
/// commit holds the changelog. The summary says "RC merged" only then.
#[test]
fn an_interrupted_review_is_reopened_by_continue() {
    let repo = project_after_rc("");
    let root = repo.path();
    let base = head(root);
    let scratch = tempfile::tempdir().unwrap();
    let editor = scratch.path().join("ctrl-c.sh");
    // Marks the draft (to see it reopened), then does what the terminal does on Ctrl-C.
    std::fs::write(
        &editor,
        "printf '\\n<!-- seen once -->\\n' >> \"$1\"\nkill -INT 0\nsleep 5\n",
    )
    .unwrap();
    let child = spawn(
        root,
        &["1.1.0", "--yes", "--date", "2025-03-01"],
        &format!("sh {}", editor.display()),
    );
    let out = child.wait_with_output().unwrap();
    let stderr = one_error(&out, "interrupted review");
    assert_eq!(out.status.code(), Some(4), "stopped:\n{stderr}");
    assert!(stderr.contains("git release continue"), "{stderr}");
    let steps = statuses(root);
    let changelog = steps
        .iter()
        .find(|(n, _)| n.starts_with("Consolidate"))
        .unwrap();
    assert_ne!(changelog.1, "done", "{steps:?}");
    assert!(!read(root, "CHANGELOG.md").contains("## 1.1.0 ("));
    let draft = read(root, ".git/RELEASE_NOTES.md");
    assert!(draft.contains("seen once"), "the draft is kept");

    // The reviewer accepts the draft as it is: it must be the kept one.
    let check = scratch.path().join("check.sh");
    std::fs::write(&check, "grep -q 'seen once' \"$1\" || exit 9\n").unwrap();
    let out = run(
        root,
        &["continue", "--yes"],
        &format!("sh {}", check.display()),
    );
    ok(&out, "continue");
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
    let files = git(root, &["show", "--format=", "--name-only", "HEAD~1"]);
    assert!(files.contains("CHANGELOG.md"), "{files}");
    assert!(read(root, "CHANGELOG.md").contains("## 1.1.0 (2025-03-01)"));
    assert!(text(&out.stdout).contains("RC merged:  1.1.0rc1"));
}

/// `kill -9` of git-release while the editor is open: the step is left as started;
/// the lock left behind is explained as stale; once removed, `continue` re-runs the review.
#[test]
fn a_killed_release_resumes_at_the_step_that_did_not_finish() {
    let repo = project_after_rc("");
    let root = repo.path();
    let base = head(root);
    let scratch = tempfile::tempdir().unwrap();
    let open = scratch.path().join("open");
    let editor = scratch.path().join("slow.sh");
    std::fs::write(&editor, format!("touch '{}'\nsleep 30\n", open.display())).unwrap();
    let mut child = spawn(
        root,
        &["1.1.0", "--yes", "--date", "2025-03-01"],
        &format!("sh {}", editor.display()),
    );
    wait_for(&open);
    let group = i32::try_from(child.id()).unwrap();
    signal(-group, "KILL");
    child.wait().unwrap();
    assert!(
        statuses(root)
            .iter()
            .any(|(n, s)| n.starts_with("Consolidate") && s == "started")
    );

    // The lock of the dead process: explained, and nothing else happens.
    let before = full(root);
    let out = run(root, &["continue", "--yes"], "true");
    let stderr = one_error(&out, "stale lock");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("stale lock") && stderr.contains("no longer running"),
        "{stderr}"
    );
    assert_eq!(full(root), before);
    std::fs::remove_file(root.join(".git/git-release/lock")).unwrap();

    let out = run(root, &["continue", "--yes"], "true");
    ok(&out, "continue");
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
    assert!(read(root, "CHANGELOG.md").contains("## 1.1.0 (2025-03-01)"));
}

/// A pre-commit hook rejects the release commit; the hook is fixed; `continue` makes the
/// release commit (it used to skip it, and the release landed in the bump commit).
#[test]
fn a_commit_rejected_by_a_hook_is_retried_by_continue() {
    let repo = project_after_rc("");
    let root = repo.path();
    let base = head(root);
    let hook = install_hook(
        root,
        "pre-commit",
        "#!/bin/sh\necho 'hook: no' >&2\nexit 1\n",
    );
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
        "false",
    );
    let stderr = one_error(&out, "hook");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("hook: no"), "{stderr}");
    assert!(
        statuses(root)
            .iter()
            .any(|(n, s)| n.starts_with("Commit") && s == "failed")
    );
    std::fs::remove_file(&hook).unwrap();
    let out = run(root, &["continue", "--yes"], "false");
    ok(&out, "continue");
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
    let bump = git(root, &["show", "--format=", "--name-only", "HEAD"]);
    assert_eq!(
        bump, "src/demo/version.py\n",
        "the bump holds only its file"
    );
    let release = git(root, &["show", "--format=", "--name-only", "HEAD~1"]);
    for f in ["CHANGELOG.md", "VERSION", "src/demo/api.py"] {
        assert!(release.contains(f), "{f} in the release commit:\n{release}");
    }
}

/// The configuration changes between the stop and `continue` (the next-version table
/// and the steps removed): the release finishes as it was planned.
#[test]
fn continue_runs_the_steps_as_planned_whatever_the_configuration_says_now() {
    let repo = project_after_rc("\n[[step]]\nname = \"check\"\nrun = \"test -f ok\"\n");
    let root = repo.path();
    let base = head(root);
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
        "false",
    );
    one_error(&out, "first run");
    std::fs::write(root.join("ok"), "").unwrap();
    std::fs::write(root.join(".git/info/exclude"), "ok\n").unwrap();
    std::fs::write(
        root.join(".git-release.toml"),
        // Still a valid configuration, but without the step, the next version and the
        // freeze's files of the release that stopped.
        "[freeze]\nplaceholder = \"NEXT_RELEASE_VERSION\"\nfiles = [\"elsewhere/*.py\"]\nreplace = \"{version}\"\n",
    )
    .unwrap();
    // Staged: the edit goes into the release (unstaged, `continue` would refuse it as
    // not the release's).
    git(root, &["add", ".git-release.toml"]);
    let out = run(root, &["continue", "--yes"], "false");
    ok(&out, "continue");
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
    assert!(text(&out.stdout).contains("Next:       1.2.0"));
}

// --- one release at a time -----------------------------------------------------------

/// While a release runs (blocked in a step), a second release, `continue` and `abort`
/// are refused by the lock, changing nothing; the first release then finishes as if
/// alone.
#[test]
fn a_second_run_is_refused_while_a_release_runs() {
    let scratch = tempfile::tempdir().unwrap();
    let started = scratch.path().join("started");
    let go = scratch.path().join("go");
    let repo = project(&format!(
        "\n[[step]]\nname = \"wait\"\nrun = \"touch '{}'; while [ ! -f '{}' ]; do sleep 0.05; done\"\n",
        started.display(),
        go.display()
    ));
    let root = repo.path();
    let base = head(root);
    let first = spawn(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
        "false",
    );
    wait_for(&started);
    let before = full(root);
    for args in [
        &["1.1.0rc2", "--yes", "--date", "2025-02-01"][..],
        &["abort"][..],
        &["continue", "--yes"][..],
    ] {
        let out = run(root, args, "false");
        let stderr = one_error(&out, &format!("{args:?}"));
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("another git release") && stderr.contains("is running"),
            "{args:?}: {stderr}"
        );
        assert_eq!(full(root), before, "{args:?} changed something");
    }
    std::fs::write(&go, "").unwrap();
    let out = first.wait_with_output().unwrap();
    ok(&out, "the first release");
    assert_eq!(subjects_since(root, &base), ["release: 1.1.0rc1"]);
    assert_eq!(current_branch(root), "release/1.1.0rc1");
    assert!(!root.join(".git/git-release/lock").exists(), "released");
    assert!(!root.join(".git/git-release/state.json").exists());
}

/// The lock is taken atomically: of many processes started at once, exactly one
/// release runs; every other is refused, and the repository ends as one release leaves it.
#[test]
fn of_simultaneous_releases_exactly_one_runs() {
    let repo = project("");
    let root = repo.path();
    let base = head(root);
    let children: Vec<Child> = (0..6)
        .map(|_| {
            spawn(
                root,
                &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
                "false",
            )
        })
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let succeeded = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(succeeded, 1, "exactly one release ran");
    for o in outs.iter().filter(|o| !o.status.success()) {
        let stderr = one_error(o, "a refused release");
        assert_eq!(o.status.code(), Some(3), "{stderr}");
    }
    assert_eq!(subjects_since(root, &base), ["release: 1.1.0rc1"]);
    assert_eq!(
        git(root, &["branch", "--format=%(refname:short)"]),
        "main\nrelease/1.1.0rc1\n"
    );
    assert!(!root.join(".git/git-release/lock").exists());
}

// --- abort touches only the release --------------------------------------------------

const FAILING: &str = "\n[[step]]\nname = \"fails\"\nrun = \"exit 3\"\n";

/// `abort` with HEAD on another branch (a staged new file, local edits) or on the base
/// branch while the release branch exists: refused, with what to do, and nothing changes.
#[test]
fn abort_elsewhere_than_on_the_release_branch_is_refused() {
    let repo = project(FAILING);
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
        "false",
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));

    // Another branch, with work in progress on it.
    git(root, &["stash", "--include-untracked", "--quiet"]);
    git(root, &["switch", "--quiet", "-c", "feature", "main"]);
    std::fs::write(root.join("new.txt"), "staged\n").unwrap();
    git(root, &["add", "new.txt"]);
    std::fs::write(root.join("README.md"), "local edit\n").unwrap();
    let before = full(root);
    let out = run(root, &["abort"], "false");
    let stderr = one_error(&out, "abort on feature");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("`feature`") && stderr.contains("git switch release/1.1.0rc1"),
        "{stderr}"
    );
    assert_eq!(full(root), before, "nothing on `feature` was touched");

    // The base branch, while the release branch exists.
    git(root, &["stash", "--include-untracked", "--quiet"]);
    git(root, &["switch", "--quiet", "main"]);
    let before = full(root);
    let out = run(root, &["abort"], "false");
    let stderr = one_error(&out, "abort on main");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("release/1.1.0rc1"), "{stderr}");
    assert_eq!(full(root), before);

    // On the release branch, abort works, and only the release is undone.
    git(root, &["switch", "--quiet", "release/1.1.0rc1"]);
    git(root, &["stash", "pop", "--quiet", "stash@{1}"]);
    ok(&run(root, &["abort"], "false"), "abort");
    assert_eq!(current_branch(root), "main");
    assert_eq!(
        git(root, &["stash", "list"]).lines().count(),
        1,
        "the user's stash stays"
    );
}

/// Abort puts the base branch back exactly: files the release's steps created
/// (untracked) are removed, and the user's ignored files stay.
#[test]
fn abort_removes_what_the_release_created_and_nothing_else() {
    let repo = project(
        "\n[[step]]\nname = \"generate\"\nrun = \"mkdir -p gen/deep && echo x > gen/deep/out.txt && echo y > top.txt && exit 1\"\n",
    );
    let root = repo.path();
    std::fs::write(root.join(".git/info/exclude"), "mine.log\n").unwrap();
    std::fs::write(root.join("mine.log"), "keep me\n").unwrap();
    let before = full(root);
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
        "false",
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(root.join("gen/deep/out.txt").exists());
    ok(&run(root, &["abort"], "false"), "abort");
    assert_eq!(full(root), before, "exactly as before the release");
}

// --- signals and timeouts ----------------------------------------------------------------

/// SIGTERM to git-release while a step runs: the step's whole process group is stopped,
/// the step is recorded as interrupted, the exit code is 4 and the message says how to go
/// on; after `abort`, nothing the step would have done later happens.
#[test]
fn sigterm_stops_the_running_step_and_its_children() {
    let scratch = tempfile::tempdir().unwrap();
    let started = scratch.path().join("started");
    let repo = project(&format!(
        "\n[[step]]\nname = \"slow\"\nrun = \"touch '{}'; (sleep 2; echo late >> README.md) & sleep 2; echo late >> README.md\"\n",
        started.display()
    ));
    let root = repo.path();
    let before = full(root);
    let child = spawn(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
        "false",
    );
    wait_for(&started);
    signal(i32::try_from(child.id()).unwrap(), "TERM");
    let out = child.wait_with_output().unwrap();
    let stderr = one_error(&out, "sigterm");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("SIGTERM") && stderr.contains("git release continue"),
        "{stderr}"
    );
    assert!(
        statuses(root)
            .iter()
            .any(|(n, s)| n == "Run `slow`" && s == "interrupted"),
        "{:?}",
        statuses(root)
    );
    ok(&run(root, &["abort"], "false"), "abort");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(full(root), before, "the step did nothing after the abort");
}

/// A step with a `timeout` that hangs is stopped as interrupted, long before it would end.
#[test]
fn a_hanging_step_is_stopped_by_its_timeout() {
    let repo = project("\n[[step]]\nname = \"hangs\"\nrun = \"sleep 60\"\ntimeout = 1\n");
    let root = repo.path();
    let start = Instant::now();
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
        "false",
    );
    let stderr = one_error(&out, "timeout");
    assert!(start.elapsed() < Duration::from_secs(30), "stopped in time");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("timeout (1s)"), "{stderr}");
    assert!(
        statuses(root)
            .iter()
            .any(|(n, s)| n == "Run `hangs`" && s == "interrupted")
    );
}

// --- files are written where they are, as what they are -----------------------------

/// A symlinked changelog stays a symlink, its target gets the section; tracked symlinks
/// the freeze touches (`CLAUDE.md -> AGENTS.md`) stay symlinks, the target is frozen once;
/// a frozen script keeps its mode.
#[test]
fn symlinks_stay_symlinks_and_modes_stay() {
    let repo = project_after_rc("");
    let root = repo.path();
    let toml = read(root, ".git-release.toml")
        .replace(
            r#"files = ["src/**/*.py", "docs/*.md"]"#,
            r#"files = ["src/**/*.py", "docs/*.md", "*.md", "bin/*"]"#,
        )
        .replace(
            r#"exclude = ["src/demo/version.py"]"#,
            r#"exclude = ["src/demo/version.py", "README.md", "CHANGELOG.md"]"#,
        );
    std::fs::write(root.join(".git-release.toml"), toml).unwrap();
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::rename(root.join("CHANGELOG.md"), root.join("docs/CHANGELOG.md")).unwrap();
    std::os::unix::fs::symlink("docs/CHANGELOG.md", root.join("CHANGELOG.md")).unwrap();
    std::fs::write(root.join("AGENTS.md"), "Since NEXT_RELEASE_VERSION.\n").unwrap();
    std::os::unix::fs::symlink("AGENTS.md", root.join("CLAUDE.md")).unwrap();
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::write(root.join("bin/tool"), "#!/bin/sh\n# NEXT_RELEASE_VERSION\n").unwrap();
    std::fs::set_permissions(
        root.join("bin/tool"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    util::commit_all(root, "links");
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
        "false",
    );
    ok(&out, "release");
    for link in ["CHANGELOG.md", "CLAUDE.md"] {
        let meta = std::fs::symlink_metadata(root.join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} is still a symlink");
    }
    assert!(read(root, "docs/CHANGELOG.md").contains("## 1.1.0 (2025-03-01)"));
    assert_eq!(read(root, "AGENTS.md"), "Since 1.1.0.\n");
    let mode = std::fs::metadata(root.join("bin/tool"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
    assert_eq!(read(root, "bin/tool"), "#!/bin/sh\n# 1.1.0\n");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
    // git agrees: still links in the release commit.
    let tree = git(root, &["ls-tree", "HEAD~1", "CHANGELOG.md", "CLAUDE.md"]);
    assert_eq!(tree.matches("120000").count(), 2, "{tree}");
}

/// A configured path that resolves outside the repository (`..`, absolute, a symlink
/// out) is refused in pre-flight, naming the key; nothing inside or outside changes.
#[test]
fn paths_outside_the_repository_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    let out_file = outside.path().join("VERSION");
    std::fs::write(&out_file, "1.0.0\n").unwrap();
    let out_log = outside.path().join("CHANGELOG.md");
    std::fs::write(
        &out_log,
        "# Changelog\n\n<!-- towncrier release notes start -->\n",
    )
    .unwrap();
    type Setup<'a> = Box<dyn Fn(&Path) + 'a>;
    let cases: Vec<(&str, Setup, &str)> = vec![
        (
            "version-file with ..",
            Box::new(|root: &Path| {
                let rel = pathdiff(root, outside.path()).join("VERSION");
                let toml = format!(
                    "version-file = \"{}\"\n{}",
                    rel.display(),
                    read(root, ".git-release.toml")
                );
                std::fs::write(root.join(".git-release.toml"), toml).unwrap();
            }),
            "version-file",
        ),
        (
            "absolute changelog",
            Box::new(|root: &Path| {
                let toml = read(root, "pyproject.toml").replace(
                    "filename = \"CHANGELOG.md\"",
                    &format!("filename = \"{}\"", out_log.display()),
                );
                std::fs::write(root.join("pyproject.toml"), toml).unwrap();
            }),
            "filename",
        ),
        (
            "changelog symlinked out",
            Box::new(|root: &Path| {
                std::fs::remove_file(root.join("CHANGELOG.md")).unwrap();
                std::os::unix::fs::symlink(&out_log, root.join("CHANGELOG.md")).unwrap();
            }),
            "filename",
        ),
    ];
    for (what, setup, key) in cases {
        let repo = project("");
        let root = repo.path();
        setup(root);
        util::commit_all(root, what);
        let before = (
            full(root),
            std::fs::read(&out_file).unwrap(),
            std::fs::read(&out_log).unwrap(),
        );
        let out = run(
            root,
            &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
            "false",
        );
        let stderr = one_error(&out, what);
        assert_eq!(out.status.code(), Some(3), "{what}: {stderr}");
        assert!(
            stderr.contains(key) && stderr.contains("outside the repository"),
            "{what}: {stderr}"
        );
        let after = (
            full(root),
            std::fs::read(&out_file).unwrap(),
            std::fs::read(&out_log).unwrap(),
        );
        assert!(after == before, "{what}: something changed");
    }
}

/// A relative path from `from` to `to` (both absolute), through `..`.
fn pathdiff(from: &Path, to: &Path) -> std::path::PathBuf {
    let from = from.canonicalize().unwrap();
    let to = to.canonicalize().unwrap();
    let mut up = std::path::PathBuf::new();
    let mut base = from.as_path();
    while !to.starts_with(base) {
        up.push("..");
        base = base.parent().unwrap();
    }
    up.join(to.strip_prefix(base).unwrap())
}

// --- pre-flight checks everything knowable ----------------------------------------------

/// Refusals in pre-flight, each changing nothing: a WebUI version with no WebUI step,
/// a `NEXT_DEV_VERSION` not newer than the release, a next version that does not exist.
#[test]
fn preflight_refuses_what_it_can_know() {
    let repo = project("");
    let root = repo.path();
    let before = full(root);
    let out = run(
        root,
        &["1.1.0rc1", "1.2.3", "--yes", "--date", "2025-02-01"],
        "false",
    );
    let stderr = one_error(&out, "webui");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("webui") && stderr.contains("step"),
        "{stderr}"
    );
    assert_eq!(full(root), before);

    for next in ["1.1.0", "1.0.5"] {
        let out = util::git_release(root)
            .args(["1.1.0", "--yes", "--no-edit", "--date", "2025-02-01"])
            .env("NEXT_DEV_VERSION", next)
            .output()
            .unwrap();
        let stderr = one_error(&out, next);
        assert_eq!(out.status.code(), Some(3), "{next}: {stderr}");
        assert!(stderr.contains("NEXT_DEV_VERSION"), "{next}: {stderr}");
        assert_eq!(full(root), before, "{next}");
    }

    let big = "1.18446744073709551615.0";
    let out = run(
        root,
        &[big, "--yes", "--no-edit", "--date", "2025-02-01"],
        "false",
    );
    let stderr = one_error(&out, big);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("next development version"), "{stderr}");
    assert_eq!(full(root), before);
}

/// The failure message lists every remaining step with a command that does it by hand;
/// the one for the next development version, run as printed, makes exactly the edit.
#[test]
fn every_remaining_step_has_a_command_by_hand() {
    let repo = project_after_rc(FAILING);
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
        "false",
    );
    let stderr = one_error(&out, "failed");
    let advance = stderr
        .lines()
        .find(|l| l.contains("Advance src/demo/version.py") && l.contains("   ("))
        .unwrap_or_else(|| panic!("{stderr}"));
    let command = advance
        .split_once("   (")
        .and_then(|(_, c)| c.strip_suffix(')'))
        .unwrap_or_else(|| panic!("a command: {advance}\n{stderr}"));
    let (edit, _) = command.split_once(" && git commit").unwrap();
    let status = std::process::Command::new("sh")
        .args(["-c", edit])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success(), "{edit}");
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"1.2.0\"\n"
    );
    for step in ["Commit `release: 1.1.0`", "Run `fails`"] {
        assert!(stderr.contains(step), "{step}: {stderr}");
    }
}

// --- both halves see the same repository, from inside a hook --------------------------

/// A release started from a git hook of another repository (which exports its
/// `GIT_INDEX_FILE`, `GIT_DIR`, `GIT_WORK_TREE`, `GIT_EDITOR`, and a pre-receive hook's
/// `GIT_QUARANTINE_PATH`) works on the repository
/// of its directory, reads and writes alike, and leaves the outer one alone.
#[test]
fn a_release_from_inside_another_repositorys_hook() {
    let inner = project("");
    let inner_root = inner.path().canonicalize().unwrap();
    let inner_base = head(&inner_root);
    let outer = util::repo_with(&[("outer.txt", "outer\n")]);
    let root = outer.path().canonicalize().unwrap();
    install_hook(
        &root,
        "pre-commit",
        r#"#!/bin/sh
GIT_DIR="$(git rev-parse --absolute-git-dir)" || exit 1
GIT_WORK_TREE="$(pwd)"
# What a pre-receive hook sees: git refuses every ref update under it.
GIT_QUARANTINE_PATH="$GIT_DIR/objects"
export GIT_DIR GIT_WORK_TREE GIT_QUARANTINE_PATH
cd "$IT_INNER" || exit 1
"$IT_BIN" 1.1.0rc1 --yes --date 2025-02-01 >&2 || exit 1
"#,
    );
    std::fs::write(root.join("outer.txt"), "changed\n").unwrap();
    git(&root, &["add", "outer.txt"]);
    let out = util::git_command(&root)
        .args(["commit", "--quiet", "-m", "outer commit", "outer.txt"])
        .env("IT_INNER", &inner_root)
        .env("IT_BIN", env!("CARGO_BIN_EXE_git-release"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the hook's release failed:\n{}",
        text(&out.stderr)
    );
    assert_eq!(git(&root, &["log", "--format=%s"]), "outer commit\nbase\n");
    assert_eq!(git(&root, &["status", "--porcelain"]), "");
    assert_eq!(
        git(&root, &["for-each-ref", "--format=%(refname)"]),
        "refs/heads/main\n"
    );
    assert_eq!(
        subjects_since(&inner_root, &inner_base),
        ["release: 1.1.0rc1"]
    );
    assert_eq!(current_branch(&inner_root), "release/1.1.0rc1");
    assert_eq!(git(&inner_root, &["status", "--porcelain"]), "");
}

// --- stopped anywhere, continued: the same release -------------------------------------

/// What a finished release leaves: each commit's subject and tree since the base, the
/// branch, and the files.
fn outcome(root: &Path, base: &str) -> (String, String, BTreeMap<String, String>) {
    let log = git(
        root,
        &[
            "log",
            "--reverse",
            "--format=%s %T",
            &format!("{base}..HEAD"),
        ],
    );
    (log, current_branch(root), full(root).kinds)
}

/// A release stopped at any one of its commit-making or command steps (a command that
/// fails once, a hook that rejects one commit once), then continued, ends exactly as the
/// same release run without a stop: same commits (subjects and trees), same files.
#[test]
fn a_release_stopped_at_any_step_and_continued_is_the_same_release() {
    let scratch = tempfile::tempdir().unwrap();
    let flags = scratch.path();
    // Three configured steps (one committing its own change), each failing once when its
    // flag file exists; a pre-commit hook rejecting a commit once when its flag exists.
    let extra = format!(
        r#"
[[step]]
name = "one"
run = "if [ -f '{f}/one' ]; then rm '{f}/one'; exit 1; fi; echo one > one.txt"

[[step]]
name = "two"
run = "if [ -f '{f}/two' ]; then rm '{f}/two'; echo half > two.txt; exit 1; fi; echo two > two.txt"
commit = "chore: two for {{version}}"

[[step]]
name = "three"
run = "if [ -f '{f}/three' ]; then rm '{f}/three'; exit 1; fi; echo three >> one.txt"
"#,
        f = flags.display()
    );
    let hook = format!(
        "#!/bin/sh\nif [ -f '{f}/hook' ]; then rm '{f}/hook'; echo rejected >&2; exit 1; fi\n",
        f = flags.display()
    );
    let go = ["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"];
    let release = |stop: Option<&str>| {
        let repo = project_after_rc(&extra);
        let root = repo.path();
        install_hook(root, "pre-commit", &hook);
        let base = head(root);
        if let Some(flag) = stop {
            std::fs::write(flags.join(flag), "").unwrap();
            let out = run(root, &go, "false");
            let stderr = one_error(&out, flag);
            assert_eq!(out.status.code(), Some(4), "{flag}: {stderr}");
            assert!(!flags.join(flag).exists(), "{flag}: the stop happened");
            let out = run(root, &["continue", "--yes"], "false");
            ok(&out, &format!("continue after {flag}"));
        } else {
            ok(&run(root, &go, "false"), "uninterrupted");
        }
        let result = outcome(root, &base);
        (repo, result)
    };
    let (_keep, expected) = release(None);
    assert_eq!(
        expected.0.lines().count(),
        3,
        "two, the release and the bump:\n{}",
        expected.0
    );
    for stop in ["one", "two", "three", "hook"] {
        let (_repo, got) = release(Some(stop));
        assert_eq!(got, expected, "stopped at `{stop}`, then continued");
    }
}

/// A release killed (`kill -9`) right after `git commit` made the release commit, before
/// the state recorded it, in a repository whose `prepare-commit-msg` hook prefixes every
/// message with the branch: the commit is still recognised as the step's, so `continue`
/// finishes the release and `abort` undoes it (hostile3/03: continue failed on "nothing to
/// commit" forever and abort called the release's own commit foreign).
#[test]
fn a_release_killed_after_a_hook_dressed_commit_is_continued_or_aborted() {
    for finish in ["continue", "abort"] {
        let repo = project_after_rc("");
        let root = repo.path();
        let base = head(root);
        let before = full(root);
        let hooks = root.join(".git/hooks");
        std::fs::create_dir_all(&hooks).unwrap();
        let hook = |name: &str, body: &str| {
            let path = hooks.join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        hook(
            "prepare-commit-msg",
            "b=$(git symbolic-ref --short HEAD)\nsed -i \"1s|^|[$b] |\" \"$1\"\n",
        );
        // git-release is the parent of `git commit`, the hook's parent.
        hook(
            "post-commit",
            "if git log -1 --format=%s | grep -q '] release: ' && [ ! -f .git/killed ]; then\n\
             touch .git/killed\nkill -9 \"$(awk '{print $4}' /proc/$PPID/stat)\"\nfi\n",
        );
        let out = run(
            root,
            &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
            "false",
        );
        assert_eq!(out.status.code(), None, "killed: {}", text(&out.stderr));
        assert!(root.join(".git/killed").exists());
        std::fs::remove_file(root.join(".git/git-release/lock")).unwrap();
        let args: &[&str] = if finish == "continue" {
            &["continue", "--yes"]
        } else {
            &["abort"]
        };
        ok(&run(root, args, "true"), finish);
        if finish == "continue" {
            assert_eq!(
                subjects_since(root, &base),
                [
                    "[release/1.1.0] release: 1.1.0",
                    "[release/1.1.0] chore: bump NEXT_RELEASE_VERSION to 1.2.0"
                ]
            );
            assert_eq!(git(root, &["status", "--porcelain"]), "");
        } else {
            std::fs::remove_file(root.join(".git/killed")).unwrap();
            for name in ["prepare-commit-msg", "post-commit"] {
                std::fs::remove_file(hooks.join(name)).unwrap();
            }
            assert_eq!(full(root), before);
        }
    }
}

/// Ctrl-C (SIGINT to the whole foreground group) between `git switch --create` creating
/// the release branch and moving HEAD to it: the release stops (exit 4), and both
/// `continue` and `abort` take it from there — the branch, at the base commit, is the
/// step's first half (hostile3/05: both refused, asking for a `git switch` by hand).
#[test]
fn ctrl_c_between_creating_the_branch_and_switching_to_it() {
    for finish in ["continue", "abort"] {
        let repo = project_after_rc("");
        let root = repo.path();
        let base = head(root);
        let before = full(root);
        let hook = install_hook(
            root,
            "reference-transaction",
            "#!/bin/sh\nif [ \"$1\" = committed ] && grep -q ' refs/heads/release/' \
             && [ ! -f .git/hit ]; then\ntouch .git/hit; kill -INT 0; sleep 1\nfi\nexit 0\n",
        );
        let child = spawn(
            root,
            &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
            "false",
        );
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
        std::fs::remove_file(&hook).unwrap();
        std::fs::remove_file(root.join(".git/hit")).unwrap();
        if finish == "continue" {
            ok(&run(root, &["continue", "--yes"], "true"), "continue");
            assert_eq!(
                subjects_since(root, &base),
                [
                    "release: 1.1.0",
                    "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
                ]
            );
            assert_eq!(current_branch(root), "release/1.1.0");
        } else {
            ok(&run(root, &["abort"], "true"), "abort");
            assert_eq!(full(root), before);
        }
    }
}

/// What stops git from creating the release branch or committing on it — a branch named
/// like a directory of the release branch's name (or one inside it), a merge whose tree is
/// clean, a cherry-pick or `git am` stopped half-way — is refused by pre-flight (exit 3,
/// also under `--dry-run`), the repository unchanged (hostile round 5, 11: each passed
/// pre-flight and failed at step 1 with exit 1).
#[test]
fn what_stops_the_branch_or_its_commits_is_refused_before_any_change() {
    let side = |root: &Path| {
        git(root, &["checkout", "-q", "-b", "side"]);
        std::fs::write(root.join("side.txt"), "x\n").unwrap();
        git(root, &["add", "side.txt"]);
        git(root, &["commit", "-q", "-m", "side"]);
        git(root, &["checkout", "-q", "main"]);
    };
    type Make<'a> = &'a dyn Fn(&Path);
    let cases: [(&str, Make, &str); 5] = [
        (
            "a branch named `release`",
            &|root| {
                git(root, &["branch", "release"]);
            },
            "the branch `release` exists",
        ),
        (
            "a branch inside the release branch's name",
            &|root| {
                git(root, &["branch", "release/1.1.0/try"]);
            },
            "the branch `release/1.1.0/try` exists",
        ),
        (
            "a merge in progress",
            &|root| {
                side(root);
                git(root, &["merge", "-q", "-s", "ours", "--no-commit", "side"]);
            },
            "a `git merge` is in progress",
        ),
        (
            "a cherry-pick in progress",
            &|root| {
                side(root);
                std::fs::write(root.join("side.txt"), "x\n").unwrap();
                git(root, &["add", "side.txt"]);
                git(root, &["commit", "-q", "-m", "same"]);
                // Empty once applied: git stops and keeps the cherry-pick going.
                let out = util::git_command(root)
                    .args(["cherry-pick", "side"])
                    .output()
                    .unwrap();
                assert!(!out.status.success(), "the cherry-pick stops");
            },
            "a `git cherry-pick` is in progress",
        ),
        (
            "git am in progress",
            &|root| {
                let patch = root.join(".git/p.patch");
                std::fs::write(
                    &patch,
                    "From: a <a@b>\nSubject: p\n\n---\n--- a/nonexist\n+++ b/nonexist\n@@ -1 +1 @@\n-a\n+b\n",
                )
                .unwrap();
                let out = util::git_command(root)
                    .args(["am"])
                    .arg(&patch)
                    .output()
                    .unwrap();
                assert!(!out.status.success(), "the patch does not apply");
            },
            "a `git am` is in progress",
        ),
    ];
    for (what, make, needle) in cases {
        let repo = project_after_rc("");
        let root = repo.path();
        make(root);
        let before = full(root);
        for args in [
            &["1.1.0", "--yes", "--no-edit", "--dry-run"][..],
            &["1.1.0", "--yes", "--no-edit"][..],
        ] {
            let out = run(root, args, "true");
            let stderr = one_error(&out, what);
            assert_eq!(out.status.code(), Some(3), "{what} {args:?}: {stderr}");
            assert!(stderr.contains(needle), "{what} {args:?}: {stderr}");
            assert_eq!(full(root), before, "{what} {args:?}");
        }
    }
}

/// A file the release reads or writes that a sparse checkout leaves out of the work tree —
/// the changelog, a file to freeze — is refused before any change (hostile round 5, 02 and
/// 03: the changelog was written anew with only the new section, and a file to freeze
/// shipped its placeholder with exit 0).
#[test]
fn a_file_the_release_needs_left_out_by_a_sparse_checkout_is_refused() {
    for (path, version, needle) in [
        (
            "CHANGELOG.md",
            "1.1.0rc2",
            "a sparse checkout leaves it out",
        ),
        ("CHANGELOG.md", "1.1.0", "a sparse checkout leaves it out"),
        ("src/demo/api.py", "1.1.0", "is to be frozen"),
    ] {
        let repo = project_after_rc("");
        let root = repo.path();
        git(
            root,
            &[
                "sparse-checkout",
                "set",
                "--no-cone",
                "/*",
                &format!("!/{path}"),
            ],
        );
        assert!(!root.join(path).exists(), "{path} left out");
        let before = full(root);
        for dry in [true, false] {
            let mut args = vec![version, "--yes", "--no-edit"];
            if dry {
                args.push("--dry-run");
            }
            let out = run(root, &args, "true");
            let stderr = one_error(&out, path);
            assert_eq!(out.status.code(), Some(3), "{path} {args:?}: {stderr}");
            assert!(
                stderr.contains(needle) && stderr.contains(path),
                "{path} {args:?}: {stderr}"
            );
            assert_eq!(full(root), before, "{path} {args:?}");
        }
    }
}

/// A fragment that is a symlink publishes its target's text: a target git does not track
/// (ignored, a local secret) is refused before any change; a tracked one is released
/// (hostile round 5, 07: the ignored file's text was published).
#[test]
fn a_fragment_linked_to_a_file_git_does_not_track_is_refused() {
    for tracked in [false, true] {
        let repo = project_after_rc("");
        let root = repo.path();
        std::fs::write(root.join(".gitignore"), "secret.txt\n").unwrap();
        std::fs::write(root.join("secret.txt"), "TOKEN=abc123\n").unwrap();
        std::os::unix::fs::symlink("../secret.txt", root.join("changes/13.feature.md")).unwrap();
        if tracked {
            git(root, &["add", "-f", "secret.txt"]);
        }
        util::commit_all(root, "a linked fragment");
        let before = full(root);
        let out = run(root, &["1.1.0rc2", "--yes", "--no-edit"], "true");
        if tracked {
            ok(&out, "a link to a tracked file");
            assert!(read(root, "CHANGELOG.md").contains("TOKEN=abc123"));
            continue;
        }
        let stderr = one_error(&out, "a link to an ignored file");
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains("changes/13.feature.md") && stderr.contains("secret.txt"),
            "{stderr}"
        );
        assert_eq!(full(root), before);
        assert!(!read(root, "CHANGELOG.md").contains("TOKEN"));
    }
}

/// A release stopped in one work tree of a repository keeps a second one from starting in
/// another (hostile round 5: each work tree has its own state, and both releases consumed
/// the same fragments). The second is refused, naming the first's work tree, nothing
/// changed.
#[test]
fn a_release_stopped_in_another_work_tree_refuses_a_second() {
    let flag = tempfile::tempdir().unwrap();
    let flag = flag.path().join("stop");
    let repo = project_after_rc(&format!(
        "\n[[step]]\nname = \"gate\"\nrun = \"test ! -e '{}'\"\n",
        flag.display()
    ));
    let root = repo.path();
    let linked = tempfile::tempdir().unwrap();
    let other = linked.path().join("other");
    // `main` is checked out in the linked work tree, which releases from it and stops on
    // its release branch; `main` is then free for this one.
    git(root, &["switch", "-q", "-c", "parked"]);
    git(
        root,
        &["worktree", "add", "-q", other.to_str().unwrap(), "main"],
    );
    std::fs::write(&flag, "").unwrap();
    let stopped = run(&other, &["1.1.0rc2", "--yes", "--no-edit"], "true");
    assert_eq!(stopped.status.code(), Some(4), "{}", text(&stopped.stderr));
    std::fs::remove_file(&flag).unwrap();
    git(root, &["switch", "-q", "main"]);
    let before = full(root);
    for args in [
        // Another version: its branch is free, the fragments are not.
        &["1.1.0rc3", "--yes", "--no-edit", "--dry-run"][..],
        &["1.1.0rc3", "--yes", "--no-edit"][..],
    ] {
        let out = run(root, args, "true");
        let stderr = one_error(&out, "second release");
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("stopped in the work tree") && stderr.contains("other"),
            "{args:?}: {stderr}"
        );
        assert_eq!(full(root), before, "{args:?}");
    }
    // Once it is aborted there, the release may start here.
    git(root, &["switch", "-q", "parked"]);
    ok(
        &run(&other, &["abort"], "true"),
        "abort in the other work tree",
    );
    git(root, &["worktree", "remove", other.to_str().unwrap()]);
    git(root, &["switch", "-q", "main"]);
    ok(
        &run(root, &["1.1.0rc2", "--yes", "--no-edit"], "true"),
        "then here",
    );
}

/// An abort stopped after it went back to the base branch and before it deleted the release
/// branch (here a `reference-transaction` hook refuses the deletion; `kill -9` there leaves
/// the same) is finished by running `abort` again: the repository ends exactly as before
/// the release (hostile round 5: the second abort refused and asked for a `git switch` back
/// to the release branch).
#[test]
fn an_abort_stopped_before_deleting_the_branch_is_finished_by_abort() {
    let flag = tempfile::tempdir().unwrap();
    let flag = flag.path().join("stop");
    let repo = project_after_rc(&format!(
        "\n[[step]]\nname = \"gate\"\nrun = \"test ! -e '{}'\"\n",
        flag.display()
    ));
    let root = repo.path();
    let before = full(root);
    std::fs::write(&flag, "").unwrap();
    let stopped = run(root, &["1.1.0", "--yes", "--no-edit"], "true");
    assert_eq!(stopped.status.code(), Some(4), "{}", text(&stopped.stderr));
    let hook = install_hook(
        root,
        "reference-transaction",
        "#!/bin/sh\n[ \"$1\" = prepared ] || exit 0\n\
         while read old new ref; do\n\
         case \"$new $ref\" in 0000000000000000000000000000000000000000\\ refs/heads/release/*) exit 1;; esac\n\
         done\nexit 0\n",
    );
    let first = run(root, &["abort"], "true");
    assert!(!first.status.success(), "the hook refused the deletion");
    assert_eq!(current_branch(root), "main", "{}", text(&first.stderr));
    std::fs::remove_file(&hook).unwrap();
    ok(&run(root, &["abort"], "true"), "abort again");
    assert_eq!(full(root), before);
}

/// A `post-checkout` hook that writes files when the release branch is created: the
/// release stops before changing anything (exit 4) and names them; they are never taken as
/// the release's — `continue` stops again until they are gone, then the release commit
/// holds only the release, and `abort` undoes them with the release (hostile round 5, 12: they were committed in `release: X`).
#[test]
fn files_a_hook_writes_as_the_branch_is_created_are_not_the_releases() {
    for finish in ["continue", "abort"] {
        let repo = project_after_rc("");
        let root = repo.path();
        let base = head(root);
        let before = full(root);
        let hook = install_hook(
            root,
            "post-checkout",
            "#!/bin/sh\necho generated > generated.txt\n",
        );
        let out = run(root, &["1.1.0rc2", "--yes", "--no-edit"], "true");
        assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("generated.txt"),
            "{}",
            text(&out.stderr)
        );
        std::fs::remove_file(&hook).unwrap();
        if finish == "abort" {
            // Made while the release's first step ran, the file is undone with the release.
            ok(&run(root, &["abort"], "true"), "abort");
            assert_eq!(full(root), before);
            continue;
        }
        // Still there: not the release's, so the step stops again.
        let again = run(root, &["continue", "--yes"], "true");
        assert_eq!(again.status.code(), Some(4), "{}", text(&again.stderr));
        assert!(text(&again.stderr).contains("generated.txt"));
        std::fs::remove_file(root.join("generated.txt")).unwrap();
        ok(&run(root, &["continue", "--yes"], "true"), "continue");
        let files = git(
            root,
            &["log", "--format=", "--name-only", &format!("{base}..HEAD")],
        );
        assert!(!files.contains("generated.txt"), "{files}");
        assert!(files.contains("CHANGELOG.md"), "{files}");
    }
}
