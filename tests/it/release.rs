//! `git release <VERSION> [WEBUI_VERSION]` end to end: the real binary in throwaway git
//! repositories (a small made-up project, and the Backend.AI 26.1.0 release), with the
//! branch, the files, the commits and the refusals checked from the outside.

use std::path::Path;

use crate::util;
use crate::util::{fixtures, git, ok, one_error, repo_from, repo_with, run, text};
use crate::workflow::{sections, state};

const PYPROJECT: &str = r#"[project]
name = "demo"

[tool.towncrier]
directory = "changes"
filename = "CHANGELOG.md"
template = "changes/template.md"
title_format = ""
start_string = "<!-- towncrier release notes start -->\n"
issue_format = "([#{issue}](https://example.com/demo/pull/{issue}))"
underlines = ["", "", ""]

[[tool.towncrier.type]]
directory = "feature"
name = "Features"
showcontent = true

[[tool.towncrier.type]]
directory = "fix"
name = "Fixes"
showcontent = true
"#;

/// Freeze `NEXT_RELEASE_VERSION` in the sources (not in the file that defines it, which the
/// next-version step advances instead), and any extra settings.
fn release_toml(extra: &str) -> String {
    format!(
        r#"[freeze]
placeholder = "NEXT_RELEASE_VERSION"
files = ["src/**/*.py", "docs/*.md"]
exclude = ["src/demo/version.py"]
replace = "{{version}}"

[next-version]
file = "src/demo/version.py"
pattern = 'NEXT_RELEASE_VERSION = "(?P<version>[^"]+)"'
{extra}"#
    )
}

const CHANGELOG: &str = "# Changelog\n\n<!-- towncrier release notes start -->\n\n\
## 1.0.0 (2025-01-01)\n\n### Features\n* First release ([#1](https://example.com/demo/pull/1))\n";

/// A 1.1.0rc1 section, as an earlier pre-release would have left it.
const RC1: &str = "## 1.1.0rc1 (2025-02-01)\n\n### Features\n\
* Add fair share scheduler ([#10](https://example.com/demo/pull/10))\n\n### Fixes\n\
* Fix crash on start ([#12](https://example.com/demo/pull/12))\n\n\n";

fn template() -> String {
    std::fs::read_to_string(fixtures().join("backend-ai/26.1.0/before/changes/template.md"))
        .unwrap()
}

/// A small project at 1.0.0 with three fragments, freeze and next-version configured, and
/// `extra` appended to `.git-release.toml`.
pub(crate) fn project(extra: &str) -> tempfile::TempDir {
    let template = template();
    let toml = release_toml(extra);
    repo_with(&[
        ("pyproject.toml", PYPROJECT),
        (".git-release.toml", &toml),
        ("CHANGELOG.md", CHANGELOG),
        ("VERSION", "1.0.0\n"),
        ("README.md", "Mentions NEXT_RELEASE_VERSION, not frozen.\n"),
        ("changes/template.md", &template),
        ("changes/10.feature.md", "Add fair share scheduler\n"),
        ("changes/11.feature.md", "Add fair share weights\n"),
        ("changes/12.fix.md", "Fix crash on start\n"),
        ("src/demo/api.py", "# Added in NEXT_RELEASE_VERSION\n"),
        ("src/demo/version.py", "NEXT_RELEASE_VERSION = \"1.1.0\"\n"),
        ("docs/api.md", "Available since NEXT_RELEASE_VERSION.\n"),
        ("docs/notes.txt", "NEXT_RELEASE_VERSION stays here.\n"),
    ])
}

/// The same project after its 1.1.0rc1 release: an rc section, one fragment since.
pub(crate) fn project_after_rc(extra: &str) -> tempfile::TempDir {
    let repo = project(extra);
    let root = repo.path();
    let log = CHANGELOG.replace("## 1.0.0 (", &format!("{RC1}## 1.0.0 ("));
    std::fs::write(root.join("CHANGELOG.md"), log).unwrap();
    std::fs::write(root.join("VERSION"), "1.1.0rc1\n").unwrap();
    git(
        root,
        &["rm", "-q", "changes/10.feature.md", "changes/12.fix.md"],
    );
    util::commit_all(root, "release: 1.1.0rc1 (merged)");
    repo
}

pub(crate) fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap()
}

pub(crate) fn current_branch(root: &Path) -> String {
    git(root, &["symbolic-ref", "--short", "HEAD"])
        .trim()
        .to_string()
}

/// Subjects of the commits on HEAD since `base`, oldest first.
pub(crate) fn subjects_since(root: &Path, base: &str) -> Vec<String> {
    git(
        root,
        &["log", "--reverse", "--format=%s", &format!("{base}..HEAD")],
    )
    .lines()
    .map(String::from)
    .collect()
}

pub(crate) fn head(root: &Path) -> String {
    git(root, &["rev-parse", "HEAD"]).trim().to_string()
}

fn porcelain(root: &Path) -> String {
    git(root, &["status", "--porcelain", "--untracked-files=all"])
}

fn fragment_files(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("changes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_pre_release_is_a_flat_section_and_one_commit() {
    let repo = project("");
    let root = repo.path();
    let base = head(root);
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
        "false",
    );
    ok(&out, "release 1.1.0rc1");
    assert_eq!(current_branch(root), "release/1.1.0rc1");
    assert_eq!(read(root, "VERSION"), "1.1.0rc1\n");
    let log = read(root, "CHANGELOG.md");
    assert_eq!(
        log,
        CHANGELOG.replace(
            "## 1.0.0 (",
            "## 1.1.0rc1 (2025-02-01)\n\n### Features\n\
             * Add fair share scheduler ([#10](https://example.com/demo/pull/10))\n\
             * Add fair share weights ([#11](https://example.com/demo/pull/11))\n\n\
             ### Fixes\n* Fix crash on start ([#12](https://example.com/demo/pull/12))\n\n\n\
             ## 1.0.0 ("
        ),
        "a flat towncrier section on top"
    );
    assert!(!log.contains("####"));
    // Pre-releases freeze nothing and advance nothing.
    assert_eq!(
        read(root, "src/demo/api.py"),
        "# Added in NEXT_RELEASE_VERSION\n"
    );
    assert_eq!(
        read(root, "docs/api.md"),
        "Available since NEXT_RELEASE_VERSION.\n"
    );
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"1.1.0\"\n"
    );
    assert_eq!(fragment_files(root), ["template.md"]);
    assert_eq!(subjects_since(root, &base), ["release: 1.1.0rc1"]);
    assert_eq!(git(root, &["rev-parse", "HEAD~1"]).trim(), base);
    assert_eq!(
        git(root, &["rev-parse", "main"]).trim(),
        base,
        "main untouched"
    );
    assert_eq!(porcelain(root), "");
    assert!(!root.join(".git/git-release/state.json").exists());
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Release prepared"), "{stdout}");
    assert!(stdout.contains("3 entries across 2 categories"), "{stdout}");
}

fn today_utc() -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .strftime("%Y-%m-%d")
        .to_string()
}

/// The done-when of the final release: Backend.AI's 26.1.0, consolidated and committed.
#[test]
fn the_26_1_0_final_release() {
    let src = tempfile::tempdir().unwrap();
    util::copy_tree(&fixtures().join("backend-ai/26.1.0/before"), src.path());
    let toml = release_toml("");
    util::write_files(
        src.path(),
        &[
            (".git-release.toml", &toml),
            ("src/demo/api.py", "# Added in NEXT_RELEASE_VERSION\n"),
            ("src/demo/version.py", "NEXT_RELEASE_VERSION = \"26.1.0\"\n"),
            ("docs/api.md", "Available since NEXT_RELEASE_VERSION.\n"),
            ("docs/notes.txt", "NEXT_RELEASE_VERSION stays here.\n"),
        ],
    );
    let repo = repo_from(src.path());
    let root = repo.path();
    let base = head(root);
    let original = read(root, "CHANGELOG.md");
    let rc_at = original.find("\n## 26.1.0rc1 (").unwrap() + 1;
    let older_at = original.find("\n## 25.19.0 (").unwrap() + 1;

    let day_before = today_utc();
    let out = util::git_release(root)
        .args(["26.1.0", "--yes"])
        .env("GIT_EDITOR", "true")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let day_after = today_utc();
    ok(&out, "release 26.1.0");

    assert_eq!(current_branch(root), "release/26.1.0");
    assert_eq!(read(root, "VERSION"), "26.1.0\n");
    let log = read(root, "CHANGELOG.md");
    assert!(!log.contains("## 26.1.0rc"), "the rc section is folded");
    let headings: Vec<&str> = log.lines().filter(|l| l.starts_with("## 26.1.0")).collect();
    assert_eq!(headings.len(), 1, "{headings:?}");
    assert!(
        headings[0] == format!("## 26.1.0 ({day_before})")
            || headings[0] == format!("## 26.1.0 ({day_after})"),
        "{}",
        headings[0]
    );
    // Every byte around the new section is as it was.
    assert!(log.starts_with(&original[..rc_at]));
    assert!(log.ends_with(&original[older_at..]));
    let section = &log[rc_at..log.len() - (original.len() - older_at)];
    assert!(section.starts_with(headings[0]));
    assert!(section.contains("\n#### "), "grouped into subsections");
    assert_eq!(sections(section)[0].items.len(), 147, "every entry");

    assert_eq!(fragment_files(root), ["README.md", "template.md"]);
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 26.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 26.2.0"
        ]
    );
    assert_eq!(git(root, &["rev-parse", "HEAD~2"]).trim(), base);
    assert_eq!(
        git(root, &["diff", "--name-only", "HEAD~1", "HEAD"]),
        "src/demo/version.py\n",
        "the bump commit holds the bump alone"
    );
    assert_eq!(read(root, "src/demo/api.py"), "# Added in 26.1.0\n");
    assert_eq!(read(root, "docs/api.md"), "Available since 26.1.0.\n");
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"26.2.0\"\n",
        "advanced, not frozen"
    );
    assert_eq!(
        read(root, "docs/notes.txt"),
        "NEXT_RELEASE_VERSION stays here.\n",
        "not in the freeze globs"
    );
    assert_eq!(porcelain(root), "");
    assert!(!root.join(".git/git-release/state.json").exists());
    assert!(!root.join(".git/RELEASE_NOTES.md").exists());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("147 entries across 7 categories"),
        "{stdout}"
    );
    assert!(stdout.contains("RC merged:  26.1.0rc1"), "{stdout}");
    assert!(stdout.contains("Next:       26.2.0"), "{stdout}");
}

#[test]
fn a_sprint_release_advances_the_next_version() {
    let repo = project_after_rc("");
    let root = repo.path();
    let base = head(root);
    let out = run(root, &["1.1.0", "--yes", "--date", "2025-03-01"], "true");
    ok(&out, "release 1.1.0");
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"1.2.0\"\n"
    );
    // The release commit has the version and the frozen placeholder; the bump does not.
    assert_eq!(
        git(root, &["show", "HEAD~1:src/demo/version.py"]),
        "NEXT_RELEASE_VERSION = \"1.1.0\"\n"
    );
    assert_eq!(git(root, &["show", "HEAD~1:VERSION"]), "1.1.0\n");
    assert_eq!(read(root, "src/demo/api.py"), "# Added in 1.1.0\n");
    let log = read(root, "CHANGELOG.md");
    assert!(log.contains("## 1.1.0 (2025-03-01)\n"), "{log}");
    assert!(!log.contains("1.1.0rc1"), "{log}");
    for pr in ["[#10]", "[#11]", "[#12]"] {
        assert_eq!(log.matches(pr).count(), 1, "{pr} once\n{log}");
    }
    assert_eq!(porcelain(root), "");
}

#[test]
fn next_dev_version_overrides_the_bump() {
    let repo = project_after_rc("");
    let root = repo.path();
    let base = head(root);
    let out = util::git_release(root)
        .args(["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"])
        .env("NEXT_DEV_VERSION", "27.0.0")
        .output()
        .unwrap();
    ok(&out, "release 1.1.0 with NEXT_DEV_VERSION");
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 27.0.0"
        ]
    );
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"27.0.0\"\n"
    );
    assert!(text(&out.stdout).contains("Next:       27.0.0"));
}

#[test]
fn a_patch_release_does_not_bump() {
    let repo = project("");
    let root = repo.path();
    let base = head(root);
    let out = run(
        root,
        &["1.0.1", "--yes", "--no-edit", "--date", "2025-01-10"],
        "false",
    );
    ok(&out, "release 1.0.1");
    assert_eq!(current_branch(root), "release/1.0.1");
    assert_eq!(subjects_since(root, &base), ["release: 1.0.1"]);
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"1.1.0\"\n"
    );
    assert_eq!(read(root, "VERSION"), "1.0.1\n");
    assert!(!text(&out.stdout).contains("Next:"));
    assert_eq!(porcelain(root), "");
}

const WEBUI_STEP: &str = r#"
[[step]]
name = "update the WebUI"
when = "webui"
run = 'printf "webui %s for %s\n" "$WEBUI_VERSION" "$VERSION" > webui.txt'
"#;

#[test]
fn the_webui_step_is_committed_first() {
    let repo = project_after_rc(WEBUI_STEP);
    let root = repo.path();
    let base = head(root);
    let out = run(
        root,
        &[
            "1.1.0",
            "1.2.3",
            "--yes",
            "--no-edit",
            "--date",
            "2025-03-01",
        ],
        "false",
    );
    ok(&out, "release 1.1.0 1.2.3");
    assert_eq!(
        subjects_since(root, &base),
        [
            "chore: update webui to 1.2.3",
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
    assert_eq!(read(root, "webui.txt"), "webui 1.2.3 for 1.1.0\n");
    assert_eq!(
        git(root, &["show", "--format=", "--name-only", "HEAD~2"]),
        "webui.txt\n",
        "the WebUI commit holds the step's changes alone"
    );
    assert!(text(&out.stdout).contains("WebUI:      1.2.3"));
    assert_eq!(porcelain(root), "");

    // Without a WebUI version the step does not run.
    let repo = project_after_rc(WEBUI_STEP);
    let root = repo.path();
    let base = head(root);
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
        "false",
    );
    ok(&out, "release 1.1.0");
    assert!(!root.join("webui.txt").exists());
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
}

const FAILING_STEP: &str = r#"
[[step]]
name = "build the docs"
run = "exit 3"
"#;

#[test]
fn a_failed_step_can_be_aborted() {
    for (version, extra) in [("1.1.0rc1", &[][..]), ("1.1.0", &["--no-edit"][..])] {
        let repo = project(FAILING_STEP);
        let root = repo.path();
        let before = state(root);
        let mut args = vec![version, "--yes", "--date", "2025-03-01"];
        args.extend(extra);
        let out = run(root, &args, "false");
        let stderr = one_error(&out, version);
        assert!(stderr.contains("build the docs"), "{stderr}");
        assert!(stderr.contains("exit 3"), "{stderr}");
        assert!(stderr.contains("git release continue"), "{stderr}");
        assert!(stderr.contains("git release abort"), "{stderr}");
        assert!(root.join(".git/git-release/state.json").exists());
        assert_eq!(current_branch(root), format!("release/{version}"));

        let out = run(root, &["abort"], "false");
        ok(&out, "abort");
        assert_eq!(current_branch(root), "main");
        assert_eq!(git(root, &["branch", "--list", "release/*"]), "");
        assert!(root.join("changes/10.feature.md").exists());
        assert!(!root.join(".git/git-release/state.json").exists());
        assert_eq!(porcelain(root), "");
        assert_eq!(state(root), before, "{version}: everything as it was");
        // Nothing left to abort.
        let out = run(root, &["abort"], "false");
        let stderr = one_error(&out, "second abort");
        assert!(stderr.contains("no release is in progress"), "{stderr}");
    }
}

const FLAKY_STEP: &str = r#"
[[step]]
name = "check"
run = "test -f ok || exit 1"
"#;

#[test]
fn a_failed_step_fixed_by_hand_continues() {
    // (version, project, commits after continue, summary lines)
    let cases: [(&str, tempfile::TempDir, &[&str], &[&str]); 2] = [
        (
            "1.1.0",
            project_after_rc(FLAKY_STEP),
            &[
                "release: 1.1.0",
                "chore: bump NEXT_RELEASE_VERSION to 1.2.0",
            ],
            &["RC merged:  1.1.0rc1", "Next:       1.2.0"],
        ),
        (
            "1.1.0rc1",
            project(FLAKY_STEP),
            &["release: 1.1.0rc1"],
            &["RC merged:  none"],
        ),
    ];
    for (version, repo, commits, summary) in cases {
        let root = repo.path();
        let base = head(root);
        let out = run(
            root,
            &[version, "--yes", "--no-edit", "--date", "2025-03-01"],
            "false",
        );
        let stderr = one_error(&out, "first run");
        assert!(stderr.contains("check"), "{stderr}");
        assert!(stderr.contains("test -f ok || exit 1"), "{stderr}");
        assert_eq!(current_branch(root), format!("release/{version}"));
        assert_eq!(subjects_since(root, &base), Vec::<String>::new());

        // The fix, staged (it belongs in the release, as with `git rebase --continue`),
        // then the step's command run by hand, as the message says.
        std::fs::write(root.join("ok"), "").unwrap();
        git(root, &["add", "ok"]);
        let by_hand = std::process::Command::new("sh")
            .args(["-c", "test -f ok || exit 1"])
            .current_dir(root)
            .status()
            .unwrap();
        assert!(by_hand.success());

        let out = run(root, &["continue", "--yes"], "false");
        ok(&out, "continue");
        assert_eq!(subjects_since(root, &base), commits, "{version}");
        assert_eq!(current_branch(root), format!("release/{version}"));
        assert!(!root.join(".git/git-release/state.json").exists());
        assert_eq!(porcelain(root), "");
        let log = read(root, "CHANGELOG.md");
        assert!(log.contains(&format!("## {version} (2025-03-01)\n")));
        assert_eq!(read(root, "VERSION"), format!("{version}\n"));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("Release prepared"), "{stdout}");
        assert!(
            stdout.contains(&format!("Version:    {version}\n")),
            "{stdout}"
        );
        assert!(
            stdout.contains("3 entries across 2 categories"),
            "{version}: the summary describes the section written before the failure:\n{stdout}"
        );
        for s in summary {
            assert!(stdout.contains(s), "{version}: `{s}` not in\n{stdout}");
        }
    }
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let repo = project_after_rc("");
    let root = repo.path();
    let before = state(root);
    let out = run(
        root,
        &["1.1.0", "--dry-run", "--date", "2025-03-01"],
        "false",
    );
    ok(&out, "dry run");
    let stdout = text(&out.stdout);
    for s in [
        "Release plan for 1.1.0",
        "1.1.0rc1 → 1.1.0",
        "release/1.1.0 (from main)",
        "RC merged:  1.1.0rc1",
        "Commit `release: 1.1.0`",
        "Advance src/demo/version.py to 1.2.0",
        "Dry run: nothing was changed.",
    ] {
        assert!(stdout.contains(s), "`{s}` not in\n{stdout}");
    }
    assert_eq!(state(root), before);
}

#[test]
fn the_summary_as_json() {
    let repo = project_after_rc("");
    let root = repo.path();
    let out = run(
        root,
        &[
            "1.1.0",
            "--yes",
            "--no-edit",
            "--date",
            "2025-03-01",
            "--format",
            "json",
        ],
        "false",
    );
    ok(&out, "release --format json");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", text(&out.stdout)));
    assert_eq!(json["version"], "1.1.0");
    assert_eq!(json["branch"], "release/1.1.0");
    assert_eq!(json["type"], "Final release");
    assert_eq!(json["rc_merged"], serde_json::json!(["1.1.0rc1"]));
    assert_eq!(json["next_version"], "1.2.0");
    assert_eq!(json["entries"], 3);
    let commits: Vec<String> = json["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        commits,
        [
            git(root, &["rev-parse", "HEAD~1"]).trim(),
            git(root, &["rev-parse", "HEAD"]).trim()
        ]
    );
}

/// A refused release: a usage error or a refusal (exit code 2 or 3), one error saying
/// `says`, and nothing changed.
fn refused(root: &Path, args: &[&str], says: &[&str]) {
    refused_as(root, args, &[2, 3], says);
}

/// [`refused`] with one of `codes` as the exit code.
fn refused_as(root: &Path, args: &[&str], codes: &[i32], says: &[&str]) {
    let before = state(root);
    let out = run(root, args, "false");
    let what = format!("{args:?}");
    let stderr = one_error(&out, &what);
    let code = out.status.code().unwrap_or(-1);
    assert!(codes.contains(&code), "{what}: exit {code}\n{stderr}");
    for s in says {
        assert!(stderr.contains(s), "{what}: `{s}` not in\n{stderr}");
    }
    assert_eq!(state(root), before, "{what}: something changed");
}

#[test]
fn refusals_change_nothing() {
    let repo = project("");
    let root = repo.path();
    let go = ["1.1.0rc1", "--yes", "--date", "2025-02-01"];

    // A modified file.
    std::fs::write(root.join("README.md"), "changed\n").unwrap();
    refused(root, &go, &["not clean", "README.md"]);
    git(root, &["checkout", "--", "README.md"]);

    // An untracked file.
    std::fs::write(root.join("notes.txt"), "mine\n").unwrap();
    refused(root, &go, &["not clean", "notes.txt"]);
    std::fs::remove_file(root.join("notes.txt")).unwrap();

    // Another branch.
    git(root, &["switch", "-q", "-c", "feature"]);
    refused(root, &go, &["`feature`", "`main`"]);
    git(root, &["switch", "-q", "main"]);

    // The release branch exists.
    git(root, &["branch", "release/1.1.0rc1"]);
    refused(root, &go, &["release/1.1.0rc1", "already exists"]);
    git(root, &["branch", "-D", "release/1.1.0rc1"]);

    // The release branch exists only on a remote: someone started this release elsewhere.
    // A branch of the same name on a remote named with a slash counts too; another
    // branch whose name merely ends the same way does not.
    git(
        root,
        &[
            "update-ref",
            "refs/remotes/up/stream/release/1.1.0rc1",
            "HEAD",
        ],
    );
    refused(
        root,
        &go,
        &[
            "release/1.1.0rc1",
            "up/stream/release/1.1.0rc1",
            "started elsewhere",
        ],
    );
    git(
        root,
        &[
            "update-ref",
            "-d",
            "refs/remotes/up/stream/release/1.1.0rc1",
        ],
    );
    git(
        root,
        &[
            "update-ref",
            "refs/remotes/origin/prerelease/1.1.0rc1",
            "HEAD",
        ],
    );
    let before = state(root);
    let out = run(
        root,
        &["1.1.0rc1", "--dry-run", "--date", "2025-02-01"],
        "false",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(state(root), before);
    git(
        root,
        &[
            "update-ref",
            "-d",
            "refs/remotes/origin/prerelease/1.1.0rc1",
        ],
    );

    // Not a version.
    refused(root, &["1.1.x", "--yes"], &["`1.1.x` is not a version"]);

    // Not a terminal, and no --yes.
    refused(root, &["1.1.0rc1", "--date", "2025-02-01"], &["--yes"]);

    // Older than the current version, unless allowed.
    refused(
        root,
        &["0.9.0", "--yes", "--no-edit", "--date", "2025-02-01"],
        &[
            "0.9.0 is not newer than the current version 1.0.0",
            "--allow-downgrade",
        ],
    );
    let out = run(
        root,
        &[
            "0.9.0",
            "--yes",
            "--no-edit",
            "--allow-downgrade",
            "--date",
            "2025-02-01",
        ],
        "false",
    );
    ok(&out, "allowed downgrade");
    assert_eq!(current_branch(root), "release/0.9.0");
    assert_eq!(read(root, "VERSION"), "0.9.0\n");
    assert_eq!(porcelain(root), "");
}

/// Backend.AI after 26.2.0: its 14 fragments were left in `changes/`, already released.
fn after_26_2_0() -> tempfile::TempDir {
    let src = tempfile::tempdir().unwrap();
    let case = fixtures().join("backend-ai/26.2.0");
    util::copy_tree(&case.join("after"), src.path());
    std::fs::copy(
        case.join("before/pyproject.toml"),
        src.path().join("pyproject.toml"),
    )
    .unwrap();
    std::fs::write(src.path().join("VERSION"), "26.2.0\n").unwrap();
    repo_from(src.path())
}

#[test]
fn stale_fragments_are_removed_without_being_listed() {
    // Only stale fragments: no section, but they are consumed, as the plan says.
    let repo = after_26_2_0();
    let root = repo.path();
    let original = read(root, "CHANGELOG.md");
    let base = head(root);
    let out = run(
        root,
        &["26.3.0rc1", "--yes", "--date", "2026-03-01"],
        "false",
    );
    ok(&out, "release 26.3.0rc1");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "Stale:      14 entries (14 PR numbers) already released, removed without being listed"
        ),
        "{stderr}"
    );
    assert_eq!(fragment_files(root), ["README.md", "template.md"]);
    assert_eq!(read(root, "CHANGELOG.md"), original, "nothing to list");
    assert_eq!(subjects_since(root, &base), ["release: 26.3.0rc1"]);
    assert_eq!(porcelain(root), "");

    // With a new fragment: only the new one is listed, and all of them go.
    let repo = after_26_2_0();
    let root = repo.path();
    util::write_files(
        root,
        &[("changes/9001.feature.md", "Add a brand new thing\n")],
    );
    util::commit_all(root, "a new fragment");
    let out = run(
        root,
        &["26.3.0rc1", "--yes", "--date", "2026-03-01"],
        "false",
    );
    ok(&out, "release 26.3.0rc1 with a new fragment");
    assert_eq!(fragment_files(root), ["README.md", "template.md"]);
    let log = read(root, "CHANGELOG.md");
    let all = sections(&log);
    assert_eq!(all[0].title, "26.3.0rc1 (2026-03-01)");
    let prs: Vec<Vec<u64>> = all[0].items.iter().map(|i| i.prs.clone()).collect();
    assert_eq!(prs, [vec![9001]]);
    assert_eq!(porcelain(root), "");
}

#[test]
fn an_emptied_review_undoes_the_release() {
    let repo = project_after_rc("");
    let root = repo.path();
    let before = state(root);
    let out = run(
        root,
        &["1.1.0", "--yes", "--date", "2025-03-01"],
        "truncate -s 0",
    );
    let stderr = one_error(&out, "emptied review");
    assert!(stderr.contains("the draft was emptied"), "{stderr}");
    assert!(stderr.contains("undone"), "{stderr}");
    assert_eq!(state(root), before, "everything as it was");
}

#[test]
fn an_invalid_review_is_resumed_then_continued() {
    let repo = project_after_rc("");
    let root = repo.path();
    let base = head(root);
    let scripts = tempfile::tempdir().unwrap();
    let keep = scripts.path().join("orig.md");
    let delete = scripts.path().join("delete.sh");
    let restore = scripts.path().join("restore.sh");
    std::fs::write(
        &delete,
        format!(
            "cp \"$1\" '{}'\nsed -i -e '/\\[#11\\]/d' \"$1\"\n",
            keep.display()
        ),
    )
    .unwrap();
    std::fs::write(
        &restore,
        format!(
            "grep -q '\\[#11\\]' \"$1\" && exit 7\ncp '{}' \"$1\"\n",
            keep.display()
        ),
    )
    .unwrap();

    let out = run(
        root,
        &["1.1.0", "--yes", "--date", "2025-03-01"],
        &format!("sh {}", delete.display()),
    );
    let stderr = one_error(&out, "invalid review");
    for s in [
        "missing entry: #11",
        "git release consolidate --resume",
        "git release continue",
        "git release abort",
    ] {
        assert!(stderr.contains(s), "`{s}` not in\n{stderr}");
    }
    assert!(root.join(".git/RELEASE_NOTES.md").exists(), "draft kept");
    assert!(root.join(".git/git-release/state.json").exists());
    assert_eq!(current_branch(root), "release/1.1.0");
    assert!(
        !read(root, "CHANGELOG.md").contains("## 1.1.0 ("),
        "not written"
    );

    // Fix the draft, then run the rest.
    let out = run(
        root,
        &["consolidate", "--resume"],
        &format!("sh {}", restore.display()),
    );
    ok(&out, "consolidate --resume");
    let out = run(root, &["continue", "--yes"], "false");
    ok(&out, "continue");
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
    let log = read(root, "CHANGELOG.md");
    assert!(log.contains("## 1.1.0 (2025-03-01)\n"), "{log}");
    assert!(!log.contains("1.1.0rc1"), "{log}");
    for pr in ["[#10]", "[#11]", "[#12]"] {
        assert_eq!(log.matches(pr).count(), 1, "{pr} once\n{log}");
    }
    assert_eq!(fragment_files(root), ["template.md"]);
    assert_eq!(porcelain(root), "");
    assert!(!root.join(".git/RELEASE_NOTES.md").exists());
}

const LOCK_STEP: &str = r#"
[[step]]
name = "lock"
run = "echo locked > uv.lock"
commit = "chore: lock for {version}"
"#;

#[test]
fn a_committing_step_commits_its_own_changes_only() {
    let repo = project(LOCK_STEP);
    let root = repo.path();
    let base = head(root);
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
        "false",
    );
    ok(&out, "release with a committing step");
    assert_eq!(
        subjects_since(root, &base),
        ["chore: lock for 1.1.0rc1", "release: 1.1.0rc1"]
    );
    assert_eq!(
        git(root, &["show", "--format=", "--name-only", "HEAD~1"]),
        "uv.lock\n"
    );
    assert_eq!(
        git(root, &["show", "--format=", "--name-only", "HEAD"]),
        "CHANGELOG.md\nVERSION\nchanges/10.feature.md\nchanges/11.feature.md\nchanges/12.fix.md\n"
    );
    assert_eq!(porcelain(root), "");
}

/// A committing step whose command removes a tracked file with `git rm` (gone from the
/// index and the work tree): its commit holds the removal (the step used to fail, `git
/// add` refusing a path that matched nothing).
#[test]
fn a_committing_step_that_git_rms_a_file_commits_the_removal() {
    let repo = project(
        r#"
[[step]]
name = "drop the old notes"
run = "git rm --quiet docs/notes.txt && echo locked > uv.lock"
commit = "chore: tidy for {version}"
"#,
    );
    let root = repo.path();
    let base = head(root);
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
        "false",
    );
    ok(&out, "release with a step that removes a file");
    assert_eq!(
        subjects_since(root, &base),
        ["chore: tidy for 1.1.0rc1", "release: 1.1.0rc1"]
    );
    assert_eq!(
        git(root, &["show", "--format=", "--name-status", "HEAD~1"]),
        "D\tdocs/notes.txt\nA\tuv.lock\n"
    );
    assert_eq!(porcelain(root), "");
}

#[test]
fn a_failed_webui_step_done_by_hand_keeps_its_commit() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("webui-built");
    let repo = project_after_rc(
        r#"
[[step]]
name = "update the WebUI"
when = "webui"
run = 'test -f "$WEBUI_FLAG" || exit 1; echo "$WEBUI_VERSION" > webui.txt'
"#,
    );
    let root = repo.path();
    let base = head(root);
    let out = util::git_release(root)
        .args([
            "1.1.0",
            "1.2.3",
            "--yes",
            "--no-edit",
            "--date",
            "2025-03-01",
        ])
        .env("WEBUI_FLAG", &flag)
        .output()
        .unwrap();
    let stderr = one_error(&out, "webui step");
    assert!(stderr.contains("update the WebUI"), "{stderr}");
    // The fix, then the step's command by hand.
    std::fs::write(&flag, "").unwrap();
    let by_hand = std::process::Command::new("sh")
        .args([
            "-c",
            r#"test -f "$WEBUI_FLAG" || exit 1; echo "$WEBUI_VERSION" > webui.txt"#,
        ])
        .env("WEBUI_FLAG", &flag)
        .env("WEBUI_VERSION", "1.2.3")
        .current_dir(root)
        .status()
        .unwrap();
    assert!(by_hand.success());
    // Done by hand: `--skip` says so (a plain `continue` would run the step again).
    let out = run(root, &["continue", "--yes", "--skip"], "false");
    ok(&out, "continue --skip");
    assert!(
        text(&out.stdout).contains("By hand:    Run `update the WebUI`"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        subjects_since(root, &base),
        [
            "chore: update webui to 1.2.3",
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
    assert_eq!(
        git(root, &["show", "--format=", "--name-only", "HEAD~2"]),
        "webui.txt\n"
    );
    assert_eq!(porcelain(root), "");
}

#[test]
fn a_second_failure_after_continue_still_says_what_to_run() {
    let repo = project(
        r#"
[[step]]
name = "first"
run = "exit 4"

[[step]]
name = "second"
run = "exit 5"
"#,
    );
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-02-01"],
        "false",
    );
    let first = one_error(&out, "first failure");
    // By hand: the same command, with the environment the release gives it.
    assert!(
        first.contains(
            "run the step yourself:  VERSION=1.1.0rc1 WEBUI_VERSION='' PREVIOUS_VERSION=1.0.0 \
             RELEASE_BRANCH=release/1.1.0rc1 RELEASE_DATE=2025-02-01 sh -c 'exit 4'"
        ),
        "{first}"
    );
    assert!(first.contains("sh -c 'exit 5')"), "{first}");
    let out = run(root, &["continue", "--yes"], "false");
    let second = one_error(&out, "second failure");
    assert!(second.contains("Run `second`"), "{second}");
    assert!(
        second.contains("run the step yourself:  VERSION=1.1.0rc1")
            && second.contains("sh -c 'exit 5'"),
        "{second}"
    );
    assert!(
        second.contains(
            "Commit `release: 1.1.0rc1`   (git add -A && git commit -m 'release: 1.1.0rc1')"
        ),
        "{second}"
    );
    assert!(root.join(".git/git-release/state.json").exists());
    let out = run(root, &["abort"], "false");
    ok(&out, "abort");
    assert_eq!(current_branch(root), "main");
    assert_eq!(porcelain(root), "");
}

#[test]
fn a_whole_tree_freeze_spares_the_configuration_and_the_next_version_file() {
    // `files` covers every file: the placeholder is also the next-version variable's
    // name and is spelled in the configuration itself.
    let template = template();
    let repo = repo_with(&[
        ("pyproject.toml", PYPROJECT),
        (
            ".git-release.toml",
            "[freeze]\nplaceholder = \"NEXT_RELEASE_VERSION\"\nfiles = [\"**\"]\nreplace = \"{version}\"\n\n[next-version]\n\
             file = \"src/demo/version.py\"\n\
             pattern = 'NEXT_RELEASE_VERSION = \"(?P<version>[^\"]+)\"'\n",
        ),
        ("CHANGELOG.md", CHANGELOG),
        ("VERSION", "1.0.0\n"),
        ("changes/template.md", &template),
        ("changes/10.feature.md", "Add fair share scheduler\n"),
        ("src/demo/api.py", "# Added in NEXT_RELEASE_VERSION\n"),
        ("src/demo/version.py", "NEXT_RELEASE_VERSION = \"1.1.0\"\n"),
    ]);
    let root = repo.path();
    let config = read(root, ".git-release.toml");
    let base = head(root);
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
        "false",
    );
    ok(&out, "release 1.1.0");
    assert_eq!(
        subjects_since(root, &base),
        [
            "release: 1.1.0",
            "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
        ]
    );
    assert_eq!(read(root, "src/demo/api.py"), "# Added in 1.1.0\n");
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"1.2.0\"\n"
    );
    assert_eq!(read(root, ".git-release.toml"), config);
    assert_eq!(porcelain(root), "");
}

/// `--dry-run --format json` prints the plan as data, and changes nothing.
#[test]
fn the_plan_as_json() {
    let repo = project_after_rc("");
    let root = repo.path();
    let before = state(root);
    let out = run(
        root,
        &[
            "1.1.0",
            "--dry-run",
            "--format",
            "json",
            "--date",
            "2025-03-01",
        ],
        "false",
    );
    ok(&out, "dry run json");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["version"], "1.1.0");
    assert_eq!(plan["current"], "1.1.0rc1");
    assert_eq!(plan["type"], "Final release");
    assert_eq!(plan["branch"], "release/1.1.0");
    assert_eq!(plan["rc_sections"], serde_json::json!(["1.1.0rc1"]));
    assert_eq!(plan["next_version"], "1.2.0");
    assert!(plan["steps"].as_array().unwrap().len() >= 4);
    assert_eq!(state(root), before);
}

/// Without a terminal and without any configured editor, git would fall back to vi:
/// the review is refused in pre-flight, before anything changes (no branch, no VERSION,
/// no freeze), with what to do instead. With `TERM` unset or `dumb` too, where
/// `git var GIT_EDITOR` itself fails.
#[test]
fn no_editor_and_no_terminal_refuses_the_review() {
    // (TERM, VISUAL): as in git, VISUAL counts only on a terminal that is not dumb.
    let cases = [
        (Some("xterm"), None),
        (Some("dumb"), None),
        (None, None),
        (Some("dumb"), Some("true")),
        (None, Some("true")),
    ];
    for (term, visual) in cases {
        let repo = project_after_rc("");
        let root = repo.path();
        let before = state(root);
        let mut cmd = util::git_release(root);
        cmd.args(["1.1.0", "--yes", "--date", "2025-03-01"])
            .env_remove("GIT_EDITOR")
            .env_remove("VISUAL")
            .env_remove("EDITOR");
        if let Some(v) = visual {
            cmd.env("VISUAL", v);
        }
        match term {
            Some(t) => cmd.env("TERM", t),
            None => cmd.env_remove("TERM"),
        };
        let out = cmd.output().unwrap();
        let stderr = one_error(&out, "no editor");
        assert_eq!(out.status.code(), Some(3), "{term:?}: refused\n{stderr}");
        assert!(
            stderr.contains("no terminal")
                && stderr.contains("--no-edit")
                && stderr.contains("GIT_EDITOR"),
            "{term:?}: {stderr}"
        );
        assert!(!stderr.contains("git var"), "{term:?}: {stderr}");
        assert_eq!(state(root), before, "{term:?}: nothing changed");
    }
}

/// An editor chosen for one run with `git -c core.editor=…` (git passes it on in
/// `GIT_CONFIG_PARAMETERS`) is a configured editor: the review runs in it without a
/// terminal, as git's own commands would.
#[test]
fn an_editor_from_git_dash_c_is_configured() {
    let repo = project_after_rc("");
    let root = repo.path();
    let out = util::git_release(root)
        .args(["1.1.0", "--yes", "--date", "2025-03-01"])
        .env_remove("GIT_EDITOR")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .env("GIT_CONFIG_PARAMETERS", "'core.editor'='true'")
        .output()
        .unwrap();
    ok(&out, "git -c core.editor=true release 1.1.0");
    assert_eq!(
        git(root, &["log", "-1", "--format=%s", "HEAD~1"]).trim(),
        "release: 1.1.0"
    );
}

/// A review that fails validation keeps its draft for `--resume`; aborting the release
/// removes it with everything else.
#[test]
fn abort_removes_a_kept_draft() {
    let repo = project_after_rc("");
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0", "--yes", "--date", "2025-03-01"],
        "sed -i -e '/^\\* /d'",
    );
    one_error(&out, "invalid review");
    assert!(root.join(".git/RELEASE_NOTES.md").exists());
    ok(&run(root, &["abort"], "false"), "abort");
    assert!(!root.join(".git/RELEASE_NOTES.md").exists());
    assert_eq!(current_branch(root), "main");
}

/// `continue --format json` prints the summary as data.
#[test]
fn continue_prints_json_when_asked() {
    let repo = project(FLAKY_STEP);
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-03-01"],
        "false",
    );
    one_error(&out, "flaky step");
    std::fs::write(root.join("ok"), "").unwrap();
    git(root, &["add", "ok"]);
    let out = run(root, &["continue", "--yes", "--format", "json"], "false");
    ok(&out, "continue");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["version"], "1.1.0rc1");
    assert_eq!(summary["branch"], "release/1.1.0rc1");
}

/// A step that fails, then `[next-version]` removed from the configuration before
/// `continue`: no panic (it used to index a step that was no longer configured), and the
/// release stops with a message instead.
#[test]
fn continue_after_the_configuration_changed_does_not_panic() {
    let repo = project_after_rc(FLAKY_STEP);
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
        "false",
    );
    one_error(&out, "first run");
    std::fs::write(root.join("ok"), "").unwrap();
    let toml = read(root, ".git-release.toml");
    let without_next = toml.replace("[next-version]", "[unused-next-version]");
    std::fs::write(root.join(".git-release.toml"), without_next).unwrap();
    let out = run(root, &["continue", "--yes"], "false");
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}

/// `git release X --dry-run | head -1`: the reader is gone before the plan is written; the
/// command ends quietly with success, as ripgrep does (it used to panic on the closed pipe).
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let repo = project_after_rc("");
    let root = repo.path();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = util::git_release_process(root)
        .args(["1.1.0", "--dry-run", "--date", "2025-03-01"])
        .env("GIT_EDITOR", "false")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// A pre-release's section lists every fragment it consumes, once, as a final's does: a
/// template that leaves a category out, filters entries, or writes each entry twice is
/// refused before anything changes (the fragments would be removed with their entries
/// unlisted, or listed twice).
#[test]
fn a_pre_release_template_that_drops_or_repeats_entries_is_refused() {
    let cases = [
        (
            "{%- for category, val in definitions.items() if category in sections[section] %}",
            "{%- for category, val in definitions.items() if category in sections[section] \
             and category != 'fix' %}",
            "has no `### Fixes` heading",
        ),
        (
            "{%- for text, values in sections[section][category].items() %}",
            "{%- for text, values in sections[section][category].items() \
             if 'weights' not in text %}",
            "#11 is missing",
        ),
        (
            "* {{ text }} {{ values|join(',\\n  ') }}",
            "* {{ text }} {{ values|join(',\\n  ') }}\n\n* {{ text }} {{ values|join(', ') }}",
            "listed 2 times",
        ),
    ];
    for (from, to, says) in cases {
        let repo = project("");
        let root = repo.path();
        let template = read(root, "changes/template.md");
        assert!(template.contains(from), "{from}");
        std::fs::write(root.join("changes/template.md"), template.replace(from, to)).unwrap();
        util::commit_all(root, "a template of its own");
        for args in [
            &["1.1.0rc1", "--dry-run", "--date", "2025-02-01"][..],
            &["1.1.0rc1", "--yes", "--no-edit", "--date", "2025-02-01"][..],
        ] {
            refused_as(root, args, &[3], &[says]);
        }
    }
}

/// A PR an rc section lists under one category and a newer fragment under another (its
/// fragment re-typed after the rc) is kept in both, and said: the review can drop the older
/// listing. A PR with fragments of two types in one input is not a move, and not said.
#[test]
fn a_pr_moved_between_categories_is_said() {
    let repo = project_after_rc("");
    let root = repo.path();
    util::write_file(
        root,
        "changes/10.fix.md",
        "Fix the fair share scheduler's weights\n",
    );
    util::write_file(root, "changes/20.feature.md", "Add quotas\n");
    util::write_file(root, "changes/20.fix.md", "Fix quotas\n");
    util::commit_all(root, "a re-typed fragment, and a PR of two kinds");
    let out = run(
        root,
        &["consolidate", "1.1.0", "--dry-run", "--date", "2025-03-01"],
        "false",
    );
    ok(&out, "consolidate");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("#10 is listed under Features (from 1.1.0rc1) and Fixes (from a fragment)"),
        "{stderr}"
    );
    assert!(!stderr.contains("#20 is listed"), "{stderr}");
    let section = text(&out.stdout);
    assert_eq!(section.matches("[#10]").count(), 2, "{section}");
}

/// A version file saved with a byte-order mark is refused saying so (the mark is invisible
/// in an editor and was shown, invisible, inside the message's quotes).
#[test]
fn a_version_file_with_a_byte_order_mark_is_refused_saying_so() {
    let repo = project("");
    let root = repo.path();
    std::fs::write(root.join("VERSION"), "\u{feff}1.0.0\n").unwrap();
    util::commit_all(root, "VERSION saved with a BOM");
    refused_as(
        root,
        &["1.1.0rc1", "--dry-run", "--date", "2025-02-01"],
        &[3],
        &["VERSION", "byte-order mark"],
    );
}

/// A lock that cannot be made (here `.git/git-release` is a file, as a read-only `.git`
/// or a full disk would also stop it) is a refusal: nothing has changed yet.
#[test]
fn a_lock_that_cannot_be_made_is_a_refusal() {
    let repo = project("");
    let root = repo.path();
    std::fs::write(root.join(".git/git-release"), "not a directory\n").unwrap();
    for args in [
        &["1.1.0rc1", "--dry-run", "--date", "2025-02-01"][..],
        &["1.1.0rc1", "--yes", "--no-edit", "--date", "2025-02-01"][..],
    ] {
        refused_as(root, args, &[3], &["release lock", "Nothing was changed"]);
    }
}

/// A state that cannot be saved once the release has begun (here a step turns the state
/// file into a directory; a full disk does the same) stops the release (exit 4) and says
/// what to do, rather than failing (1) with nothing said about the release left behind.
#[test]
fn a_state_that_cannot_be_saved_stops_the_release() {
    let repo = project(
        "\n[[step]]\nname = \"hostile\"\n\
         run = \"rm -f .git/git-release/state.json && mkdir .git/git-release/state.json\"\n",
    );
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--no-edit", "--date", "2025-02-01"],
        "false",
    );
    let stderr = one_error(&out, "state not saved");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("state") && stderr.contains("git release abort"),
        "{stderr}"
    );
}

/// A release that is done is not reported as failed because its summary cannot be
/// written (stdout on a full disk): the exit code says the release is made, and stderr
/// says the summary is lost.
#[test]
fn a_full_stdout_does_not_fail_a_finished_release() {
    let repo = project("");
    let root = repo.path();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = util::git_release_process(root)
        .args(["1.1.0rc1", "--yes", "--no-edit", "--date", "2025-02-01"])
        .env("GIT_EDITOR", "false")
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("summary could not be written"), "{stderr}");
    assert_eq!(
        git(root, &["log", "-1", "--format=%s"]).trim(),
        "release: 1.1.0rc1"
    );
}

/// The release commit holds no news fragment it must not: one added and staged while the
/// release was stopped after its changelog step (its entry is in no section: committed as
/// a file, it would go out with this release unlisted and be listed by the next). The
/// release stops before its commit, names the file, and goes on once it is put aside. A
/// consumed fragment brought back is consumed again, never committed.
#[test]
fn a_fragment_staged_after_the_changelog_step_is_not_committed_into_the_release() {
    let cases: [(&str, tempfile::TempDir); 2] = [
        ("1.1.0", project_after_rc(FLAKY_STEP)),
        ("1.1.0rc1", project(FLAKY_STEP)),
    ];
    for (version, repo) in cases {
        let root = repo.path();
        let base = head(root);
        let out = run(
            root,
            &[version, "--yes", "--no-edit", "--date", "2025-03-01"],
            "false",
        );
        let stderr = one_error(&out, "first run");
        assert!(stderr.contains("check"), "{version}: {stderr}");
        std::fs::write(root.join("ok"), "").unwrap();
        // A fix that "belongs in the release", staged after its section was written.
        std::fs::write(root.join("changes/99.fix.md"), "Fix a late bug\n").unwrap();
        git(root, &["add", "ok", "changes/99.fix.md"]);
        let out = run(root, &["continue", "--yes"], "false");
        let stderr = one_error(&out, "continue with a late fragment");
        assert_eq!(out.status.code(), Some(4), "{version}: {stderr}");
        assert!(stderr.contains("changes/99.fix.md"), "{version}: {stderr}");
        assert_eq!(
            subjects_since(root, &base),
            Vec::<String>::new(),
            "{version}"
        );

        // Put aside (for the next release), the release goes on without it.
        git(root, &["rm", "-q", "--cached", "changes/99.fix.md"]);
        std::fs::rename(root.join("changes/99.fix.md"), root.join("../late.md")).unwrap();
        // A consumed fragment brought back from HEAD: the changelog step's work is undone,
        // so it runs again and consumes it again (listed once, not committed).
        git(root, &["checkout", "HEAD", "--", "changes/11.feature.md"]);
        let out = run(root, &["continue", "--yes"], "false");
        ok(&out, "continue");
        let committed = git(root, &["ls-tree", "-r", "--name-only", "HEAD", "changes"]);
        assert!(!committed.contains("99.fix.md"), "{version}: {committed}");
        assert!(
            !committed.contains("11.feature.md"),
            "{version}: {committed}"
        );
        let log = read(root, "CHANGELOG.md");
        assert_eq!(log.matches("#11]").count(), 1, "{version}: {log}");
        assert!(!log.contains("late bug"), "{version}: {log}");
        std::fs::remove_file(root.join("../late.md")).unwrap();
    }
}
