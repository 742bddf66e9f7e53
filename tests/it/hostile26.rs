//! Hostile round 17 on real projects (hx22): where the version is kept when no
//! `version-file` is set (`VERSION`, a static `[project] version`, `__version__` in the
//! package, or none: git tags), a `version-file` that is a source file (`version-pattern`),
//! and the base branch of a repository without `main`. (Repro scripts:
//! /work/hostile17/01-*.sh, 07-*.sh.)

use std::path::Path;

use crate::util::{self, ok, one_error, run, text};

pub(crate) const DATE: [&str; 2] = ["--date", "2026-12-01"];

fn real(name: &str) -> std::path::PathBuf {
    util::fixtures().join("hx22-real").join(name)
}

pub(crate) fn read(root: &Path, name: &str) -> String {
    std::fs::read_to_string(root.join(name)).unwrap()
}

/// The paths the last commit changed.
pub(crate) fn changed(root: &Path) -> Vec<String> {
    let out = util::git(root, &["diff", "--name-only", "HEAD~1", "HEAD"]);
    out.lines().map(str::to_string).collect()
}

pub(crate) fn release(root: &Path, version: &str) -> String {
    let out = run(
        root,
        &[version, "--yes", "--no-edit", DATE[0], DATE[1]],
        "false",
    );
    ok(&out, version);
    text(&out.stdout)
}

pub(crate) fn dry_run(root: &Path, version: &str) -> String {
    let out = run(
        root,
        &[version, "--dry-run", "--yes", DATE[0], DATE[1]],
        "false",
    );
    ok(&out, version);
    text(&out.stdout)
}

/// hostile17/01: attrs (hatch-vcs: `dynamic = ["version"]`, no `VERSION`, no
/// `[tool.git-release]`) releases with no configuration: the current version is the
/// changelog's newest release (or a newer tag), the plan says there is no version file,
/// and the release writes no file but the changelog (on main: refused, blaming a
/// `version-file` key the project does not have).
#[test]
fn a_project_whose_version_comes_from_tags_releases_without_a_version_file() {
    let repo = util::repo_from(&real("attrs"));
    let root = repo.path();
    util::write_file(root, "changelog.d/1520.change.md", "Added `attrs.foo()`.\n");
    util::commit_all(root, "a fragment");
    let plan = dry_run(root, "26.2.0rc1");
    assert!(
        plan.contains("26.1.0 → 26.2.0rc1") && plan.contains("From:       no version file"),
        "{plan}"
    );
    assert!(!plan.contains("Write 26.2.0rc1"), "{plan}");
    // A tag newer than the changelog's newest release is the current version.
    util::git(root, &["tag", "26.1.1"]);
    assert!(dry_run(root, "26.2.0rc1").contains("26.1.1 → 26.2.0rc1"));
    // The releases made still refuse an older version.
    let out = run(root, &["26.1.0", "--dry-run", "--yes"], "false");
    let said = one_error(&out, "26.1.0");
    assert!(said.contains("not newer"), "{said}");
    util::git(root, &["tag", "-d", "26.1.1"]);

    let before = read(root, "pyproject.toml");
    release(root, "26.2.0rc1");
    assert!(!root.join("VERSION").exists());
    assert_eq!(read(root, "pyproject.toml"), before);
    assert_eq!(
        changed(root),
        ["CHANGELOG.md", "changelog.d/1520.change.md"]
    );
    assert!(read(root, "CHANGELOG.md").contains("## [26.2.0rc1]"));
}

/// pdm keeps a static `[project] version` in a long `[project]` table: the release
/// writes the version there and keeps every other byte of `pyproject.toml`; a `VERSION`
/// file, when there is one, comes first.
#[test]
fn a_static_project_version_is_the_version_file() {
    let repo = util::repo_from(&real("pdm"));
    let root = repo.path();
    util::write_file(root, "news/3970.feature.md", "Add a thing.\n");
    util::commit_all(root, "a fragment");
    let plan = dry_run(root, "2.30.0rc1");
    assert!(
        plan.contains("2.29.4 → 2.30.0rc1")
            && plan.contains("From:       pyproject.toml ([project] version)")
            && plan.contains("Write 2.30.0rc1 to pyproject.toml"),
        "{plan}"
    );
    let before = read(root, "pyproject.toml");
    release(root, "2.30.0rc1");
    assert_eq!(
        read(root, "pyproject.toml"),
        before.replace("version = \"2.29.4\"", "version = \"2.30.0rc1\"")
    );
    assert!(changed(root).contains(&"pyproject.toml".to_string()));

    // `VERSION` first: pyproject.toml is then not the version's place.
    util::git(root, &["checkout", "--quiet", "main"]);
    util::git(root, &["branch", "--quiet", "-D", "release/2.30.0rc1"]);
    util::write_file(root, "VERSION", "2.29.5\n");
    util::commit_all(root, "a VERSION file");
    let plan = dry_run(root, "2.30.0rc1");
    assert!(
        plan.contains("2.29.5 → 2.30.0rc1") && plan.contains("From:       VERSION\n"),
        "{plan}"
    );
}

/// A `version` in `dynamic`, or one `pyproject.toml` writes where git-release cannot find
/// it (an inline table), is not taken for the version: the first is no version file, the
/// second is refused saying which keys to set, and nothing changes.
#[test]
fn a_project_version_that_cannot_be_found_is_said() {
    let repo = util::repo_with(&[
        (
            "pyproject.toml",
            "project = { name = \"x\", version = \"1.0.0\" }\n[tool.towncrier]\ndirectory = \"changes\"\n",
        ),
        ("changes/1.feature.md", "A thing.\n"),
    ]);
    let root = repo.path();
    let before = util::snapshot(root);
    let out = run(root, &["1.1.0rc1", "--yes", "--no-edit"], "false");
    let said = one_error(&out, "inline project table");
    assert!(
        said.contains("[project] version") && said.contains("`version-file` and `version-pattern`"),
        "{said}"
    );
    assert_eq!(util::snapshot(root), before);
}

/// pip keeps `__version__ = "26.3"` in `src/pip/__init__.py`. Found through towncrier's
/// `package` (under `package_dir`) with no configuration; configured as `version-file`
/// without a pattern it is refused in one line naming `version-pattern`, never quoting
/// the file (on main: the whole file quoted as "not a version"); with a pattern, only the
/// version string changes.
#[test]
fn a_version_in_the_package_sources_is_found_or_configured_with_a_pattern() {
    let towncrier = "[tool.towncrier]\npackage = \"pip\"\npackage_dir = \"src\"\ndirectory = \"news\"\nfilename = \"NEWS.md\"\n";
    let repo = util::repo_from(&real("pip"));
    let root = repo.path();
    util::write_files(
        root,
        &[
            ("pyproject.toml", towncrier),
            ("news/1.feature.md", "A thing.\n"),
        ],
    );
    util::commit_all(root, "towncrier");
    let init = read(root, "src/pip/__init__.py");
    let plan = dry_run(root, "26.4rc1");
    assert!(
        plan.contains("26.3 → 26.4rc1")
            && plan.contains("From:       src/pip/__init__.py (`__version__`)"),
        "{plan}"
    );

    let configured =
        format!("{towncrier}[tool.git-release]\nversion-file = \"src/pip/__init__.py\"\n");
    util::write_file(root, "pyproject.toml", &configured);
    util::commit_all(root, "version-file");
    let before = util::snapshot(root);
    let out = run(root, &["26.4rc1", "--yes", "--no-edit"], "false");
    let said = one_error(&out, "no pattern");
    assert!(
        said.contains("tool.git-release.version-file")
            && said.contains("version-pattern")
            && !said.contains("def main")
            && said.lines().count() == 1,
        "{said}"
    );
    assert_eq!(util::snapshot(root), before);

    let with_pattern = format!("{configured}version-pattern = '__version__ = \"([^\"]+)\"'\n");
    util::write_file(root, "pyproject.toml", &with_pattern);
    util::commit_all(root, "version-pattern");
    release(root, "26.4rc1");
    assert_eq!(
        read(root, "src/pip/__init__.py"),
        init.replace("\"26.3\"", "\"26.4rc1\"")
    );

    // A pattern that finds nothing, or more than a version, is refused naming it.
    util::git(root, &["checkout", "--quiet", "main"]);
    for (pattern, says) in [
        ("__nothing__ = \"([^\"]+)\"", "matches nothing"),
        ("__version__ = (.*)", "not a version"),
        ("(__version__) = (.*)", "one capture group"),
    ] {
        let text = format!("{configured}version-pattern = '{pattern}'\n");
        util::write_file(root, "pyproject.toml", &text);
        util::commit_all(root, pattern);
        let out = run(root, &["26.5rc1", "--dry-run", "--yes"], "false");
        let said = one_error(&out, pattern);
        assert!(
            said.contains("tool.git-release.version-pattern") && said.contains(says),
            "{pattern}: {said}"
        );
    }
}

/// A configured `version-file` that does not exist names the key and the file it is set
/// in; `version-pattern` without `version-file` is refused; the next-version file is never
/// taken for the version file.
#[test]
fn the_version_settings_are_said_where_they_are_set() {
    let repo = util::repo_with(&[
        (".git-release.toml", "version-file = \"src/demo/VERSION\"\n"),
        ("changes/1.feature.md", "A thing.\n"),
    ]);
    let root = repo.path();
    let out = run(root, &["1.1.0rc1", "--dry-run", "--yes"], "false");
    let said = one_error(&out, "missing version-file");
    assert!(
        said.contains(".git-release.toml")
            && said.contains("`version-file`")
            && said.contains("does not exist"),
        "{said}"
    );
    util::write_file(root, ".git-release.toml", "version-pattern = \"v(.*)\"\n");
    util::commit_all(root, "a pattern alone");
    let out = run(root, &["1.1.0rc1", "--dry-run", "--yes"], "false");
    let said = one_error(&out, "pattern alone");
    assert!(
        said.contains("`version-pattern`") && said.contains("`version-file`"),
        "{said}"
    );

    // `__version__` in the next-version file is the development version, not the release's.
    let repo = util::repo_with(&[
        (
            "pyproject.toml",
            "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n[tool.git-release.next-version]\nfile = \"demo/__init__.py\"\npattern = '__version__ = \"(?P<version>[^\"]+)\"'\n",
        ),
        ("demo/__init__.py", "__version__ = \"1.1.0.dev0\"\n"),
        ("changes/2.feature.md", "Another thing.\n"),
    ]);
    util::git(repo.path(), &["tag", "v1.0.0"]);
    let plan = dry_run(repo.path(), "1.1.0rc1");
    assert!(
        plan.contains("1.0.0 → 1.1.0rc1") && plan.contains("no version file"),
        "{plan}"
    );
}

/// hostile17/07: towncrier's and Twisted's default branch is `trunk`, and many projects'
/// `master`. Without `base-branch`, a repository without `main` releases from its default
/// branch (`origin/HEAD`, else `init.defaultBranch`, else the one of `master`/`trunk`);
/// a refusal never advises switching to a branch that does not exist (on main: `git
/// switch main`, which fails).
#[test]
fn a_repository_without_main_releases_from_its_default_branch() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    util::git(root, &["init", "--quiet", "--initial-branch=trunk"]);
    util::write_files(
        root,
        &[
            ("VERSION", "26.9.0\n"),
            ("changes/1.feature.md", "A thing.\n"),
        ],
    );
    util::commit_all(root, "base");
    assert!(dry_run(root, "26.10.0rc1").contains("(from trunk)"));

    // Both `master` and `trunk`: which one is not guessed, and `main` is not advised.
    util::git(root, &["branch", "master"]);
    let out = run(root, &["26.10.0rc1", "--dry-run", "--yes"], "false");
    let said = one_error(&out, "master and trunk");
    assert!(
        !said.contains("git switch main") && said.contains("set `base-branch = \"trunk\"`"),
        "{said}"
    );
    // `init.defaultBranch` names it (the tests' git sets it to `main` by the environment).
    let out = util::git_release(root)
        .args(["26.10.0rc1", "--dry-run", "--yes"])
        .env("GIT_CONFIG_VALUE_2", "trunk")
        .output()
        .unwrap();
    ok(&out, "init.defaultBranch = trunk");
    assert!(text(&out.stdout).contains("(from trunk)"));
    // origin's default branch names it.
    util::git(root, &["update-ref", "refs/remotes/origin/master", "HEAD"]);
    util::git(
        root,
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/master",
        ],
    );
    let out = run(root, &["26.10.0rc1", "--dry-run", "--yes"], "false");
    let said = one_error(&out, "on trunk, origin's default master");
    assert!(
        said.contains("git switch master") && said.contains("origin's default branch"),
        "{said}"
    );
    // `main`, when it exists, is the default, and advised.
    util::git(root, &["branch", "main"]);
    let out = run(root, &["26.10.0rc1", "--dry-run", "--yes"], "false");
    let said = one_error(&out, "main exists");
    assert!(said.contains("git switch main"), "{said}");
    // Configured, it is taken as it is.
    util::write_file(root, ".git-release.toml", "base-branch = \"trunk\"\n");
    util::commit_all(root, "base-branch");
    assert!(dry_run(root, "26.10.0rc1").contains("(from trunk)"));
}

/// `examples/python-package.git-release.toml` works as it says on pip's layout, on `trunk`.
#[test]
fn the_python_package_example_releases_pip() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    util::git(root, &["init", "--quiet", "--initial-branch=trunk"]);
    util::copy_tree(&real("pip"), root);
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python-package.git-release.toml");
    std::fs::copy(example, root.join(".git-release.toml")).unwrap();
    util::write_file(root, "changes/1.feature.md", "A thing.\n");
    util::commit_all(root, "base");
    let init = read(root, "src/pip/__init__.py");
    let plan = dry_run(root, "26.4");
    assert!(
        plan.contains("26.3 → 26.4")
            && plan.contains("src/pip/__init__.py (`version-file`)")
            && plan.contains("(from trunk)"),
        "{plan}"
    );
    release(root, "26.4rc1");
    assert_eq!(
        read(root, "src/pip/__init__.py"),
        init.replace("\"26.3\"", "\"26.4rc1\"")
    );
}

/// hostile17/13: pip-tools writes its releases `## v7.7.0` (its maintainers give towncrier
/// `--version v7.7.0`): `git release v7.8.0rc1` writes `## v7.8.0rc1`, as towncrier does
/// (on main: `## 7.8.0rc1`), and the version compares by value. A project whose history
/// and version file have no `v` gets none, however the version is typed; a title format
/// that writes the `v` itself gets none from the version.
#[test]
fn a_v_typed_is_kept_where_the_project_writes_its_versions_with_one() {
    let repo = util::repo_from(&real("pip-tools"));
    let root = repo.path();
    util::write_file(root, "changelog.d/2510.bugfix.md", "Fixed a crash.\n");
    util::commit_all(root, "a fragment");
    let plan = dry_run(root, "v7.8.0rc1");
    assert!(
        plan.contains("7.7.0 → v7.8.0rc1") || plan.contains("7.7.0 → 7.8.0rc1"),
        "{plan}"
    );
    let out = run(root, &["v7.7.0", "--dry-run", "--yes"], "false");
    assert!(one_error(&out, "v7.7.0").contains("not newer"));
    release(root, "v7.8.0rc1");
    let log = read(root, "CHANGELOG.md");
    assert!(log.contains("\n## v7.8.0rc1\n"), "{log}");
    assert!(!log.contains("## 7.8.0rc1"), "{log}");
    assert_eq!(
        util::git(root, &["log", "-1", "--format=%s"]).trim(),
        "release: 7.8.0rc1"
    );
    // Its final keeps the `v` too (the consolidated section's heading is towncrier's, from
    // the version as typed; on main it wrote `## 7.8.0`).
    util::git(root, &["checkout", "-q", "main"]);
    util::git(root, &["merge", "-q", "--ff-only", "release/7.8.0rc1"]);
    release(root, "v7.8.0");
    let log = read(root, "CHANGELOG.md");
    assert!(log.contains("\n## v7.8.0\n"), "{log}");
    assert!(
        !log.contains("## 7.8.0\n") && !log.contains("## v7.8.0rc1"),
        "{log}"
    );

    // No `v` in the project: none written.
    let repo = util::repo_with(&[
        ("VERSION", "1.0.0\n"),
        ("changes/2.feature.md", "Another thing.\n"),
    ]);
    let root = repo.path();
    release(root, "v1.1.0rc1");
    let log = read(root, "CHANGELOG.md");
    assert!(
        log.contains("# 1.1.0rc1 (2026-12-01)\n") && !log.contains("v1.1.0"),
        "{log}"
    );
    assert_eq!(read(root, "VERSION"), "1.1.0rc1\n");

    // `## Release v{version}` (pdm): the `v` is the format's.
    let repo = util::repo_from(&real("pdm"));
    let root = repo.path();
    util::write_file(root, "news/3970.feature.md", "Add a thing.\n");
    util::commit_all(root, "a fragment");
    release(root, "v2.30.0rc1");
    let log = read(root, "CHANGELOG.md");
    assert!(log.contains("## Release v2.30.0rc1 (2026-12-01)"), "{log}");
}
