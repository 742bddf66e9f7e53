//! The placeholder freeze: Backend.AI's real configuration on its real files (byte for
//! byte), and the promises the freeze makes on hostile input: a leftover refuses with
//! nothing changed, binary files and symlinks are never written through, modes and line
//! endings are kept, untouched files are not rewritten, bad configuration names its key.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use git_release::config::Config;
use proptest::prelude::*;

use crate::util::{self, fixtures, git, git_command, ok, one_error, repo_with, text};
use crate::workflow::state;

const EXAMPLE: &str = "examples/backend-ai.git-release.toml";

fn example() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE)).unwrap()
}

fn fixture() -> PathBuf {
    fixtures().join("backend-ai-freeze/26.7.0")
}

/// Every file under `dir`, by relative path (symlinks as such, not followed).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = util::snapshot(dir).into_keys().collect();
    out.sort();
    out
}

fn raw_git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = git_command(dir).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    out.stdout
}

fn make_executable(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Run the binary in `root` with no editor (tests pass `--no-edit` or `--dry-run`).
fn release(root: &Path, args: &[&str]) -> Output {
    util::run(root, args, "false")
}

// --- Backend.AI ----------------------------------------------------------------------

/// The commands the example's steps run, as stubs that log their arguments: the scripts in
/// the repository (committed, executable) and `pants` on `PATH`.
const STUBS: &[&str] = &[
    "scripts/download-external-tools.sh",
    "backend.ai",
    "scripts/generate-graphql-schema.sh",
    ".github/scripts/update-maintained-versions.sh",
];

/// Backend.AI just before 26.7.0: the fixture's `before/` tree, the shipped example as its
/// `.git-release.toml`, its towncrier settings, a fragment and the step scripts (stubs).
/// Returns the repository and a directory holding the `pants` stub and the stubs' log.
fn backend_ai() -> (tempfile::TempDir, tempfile::TempDir) {
    let repo = util::empty_repo();
    let root = repo.path();
    util::copy_tree(&fixture().join("before"), root);
    let before_26_1 = fixtures().join("backend-ai/26.1.0/before");
    std::fs::copy(
        before_26_1.join("pyproject.toml"),
        root.join("pyproject.toml"),
    )
    .unwrap();
    util::write_files(
        root,
        &[
            (".git-release.toml", &example()),
            ("VERSION", "26.7.0rc1\n"),
            // Every release of 26.7 writes CHANGELOG/26.7.md: the rc the final folds.
            (
                "CHANGELOG/26.7.md",
                "# Backend.AI 26.7\n\n<!-- towncrier release notes start -->\n\n\
                 ## 26.7.0rc1 (2026-07-20)\n\n### Features\n\
                 * Add a preview of the frozen release \
                 ([#9000](https://github.com/lablup/backend.ai/issues/9000))\n",
            ),
            (
                "changes/template.md",
                &std::fs::read_to_string(before_26_1.join("changes/template.md")).unwrap(),
            ),
            (
                "changes/9001.feature.md",
                "Add a scheduler for the frozen release\n",
            ),
        ],
    );
    let tools = tempfile::tempdir().unwrap();
    let stub = "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> \"$STUB_LOG\"\n";
    for path in STUBS {
        util::write_file(root, path, stub);
        make_executable(&root.join(path));
    }
    util::write_file(tools.path(), "pants", stub);
    make_executable(&tools.path().join("pants"));
    util::commit_all(root, "Backend.AI before 26.7.0");
    (repo, tools)
}

fn run_with_stubs(root: &Path, tools: &Path, args: &[&str]) -> Output {
    let path = format!(
        "{}:{}",
        tools.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    util::git_release(root)
        .args(args)
        .env("PATH", path)
        .env("STUB_LOG", tools.join("log"))
        .env("GIT_EDITOR", "false")
        .output()
        .unwrap()
}

/// Done when: the Backend.AI example freezes the fixture exactly. The whole release runs
/// (every step of the example, the project's commands stubbed), and the release commit
/// holds `expected/` byte for byte.
#[test]
fn the_backend_ai_example_freezes_the_fixture_byte_for_byte() {
    let (repo, tools) = backend_ai();
    let root = repo.path();
    let out = run_with_stubs(
        root,
        tools.path(),
        &["26.7.0", "--yes", "--no-edit", "--date", "2026-07-01"],
    );
    ok(&out, "release 26.7.0");
    let expected = fixture().join("expected");
    let files = files_under(&expected);
    assert_eq!(files.len(), 16);
    for rel in &files {
        let want = std::fs::read(expected.join(rel)).unwrap();
        let got = raw_git(root, &["show", &format!("HEAD~1:{rel}")]);
        assert!(
            got == want,
            "{rel} differs from expected/ in the release commit"
        );
    }
    // The tree holds no other file under src/ and nothing was left behind.
    let tracked: Vec<String> = git(root, &["ls-tree", "-r", "--name-only", "HEAD~1", "src"])
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(tracked, files);
    assert_eq!(
        git(root, &["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
    // The bump commit advances the definition, nothing else.
    assert_eq!(
        git(root, &["diff", "--name-only", "HEAD~1", "HEAD"]),
        "src/ai/backend/common/meta/meta.py\n"
    );
    let meta = std::fs::read_to_string(root.join("src/ai/backend/common/meta/meta.py")).unwrap();
    assert!(
        meta.contains("\nNEXT_RELEASE_VERSION = \"26.8.0\"\n"),
        "{meta}"
    );
    assert_eq!(
        git(root, &["log", "-2", "--format=%s"]),
        "chore: bump NEXT_RELEASE_VERSION to 26.8.0\nrelease: 26.7.0\n"
    );
    // Every stage of release.sh ran, in order, after the freeze.
    let log = std::fs::read_to_string(tools.path().join("log")).unwrap();
    let stages: Vec<&str> = log.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(
        stages,
        [
            "download-external-tools.sh",
            "pants",
            "pants",
            "backend.ai",
            "backend.ai",
            "backend.ai",
            "backend.ai",
            "backend.ai",
            "generate-graphql-schema.sh",
            "update-maintained-versions.sh",
            "pants",
            "pants"
        ],
        "{log}"
    );
    assert!(
        log.contains("update-maintained-versions.sh 26.7.0\n"),
        "{log}"
    );
}

/// The plan says how many places each rule freezes, in how many files, and what it leaves
/// alone; as text and as JSON, and nothing changes.
#[test]
fn the_backend_ai_plan_counts_places_per_rule() {
    let (repo, _tools) = backend_ai();
    let root = repo.path();
    let before = state(root);
    let out = release(root, &["26.7.0", "--dry-run", "--format", "json"]);
    ok(&out, "dry run");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &plan["freeze"];
    assert_eq!(
        (&f["places"], &f["files"], &f["replaced"], &f["dropped"]),
        (&82.into(), &14.into(), &68.into(), &14.into())
    );
    let by_rule: Vec<(String, u64)> = f["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().into(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_rule.len(), 7);
    assert_eq!(by_rule[0], ("standalone import".into(), 14));
    assert_eq!(by_rule[6], ("reference".into(), 68));
    assert_eq!(by_rule.iter().map(|r| r.1).sum::<u64>(), 82);
    let changes = f["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 14);
    assert_eq!(
        changes
            .iter()
            .map(|c| c["places"].as_u64().unwrap())
            .sum::<u64>(),
        82
    );
    assert_eq!(
        f["left_alone"]["excluded"],
        serde_json::json!(["src/ai/backend/common/meta/__init__.py"])
    );
    // meta.py is excluded too, but it is the next-version file: git-release's own.
    assert_eq!(
        f["left_alone"]["spared"],
        serde_json::json!(["src/ai/backend/common/meta/meta.py"])
    );
    assert!(
        plan["steps"]
            .as_array()
            .unwrap()
            .contains(&"Freeze NEXT_RELEASE_VERSION: 82 places in 14 files".into()),
        "{plan}"
    );
    let out = release(root, &["26.7.0", "--dry-run"]);
    ok(&out, "dry run");
    let shown = text(&out.stdout);
    assert!(
        shown.contains(
            "Freeze:     NEXT_RELEASE_VERSION → 26.7.0: 82 places in 14 files (68 replaced, 14 lines dropped)"
        ),
        "{shown}"
    );
    assert!(shown.contains("14  standalone import (drop)"), "{shown}");
    assert!(shown.contains("68  reference (replace)"), "{shown}");
    assert_eq!(state(root), before);
}

/// The Backend.AI configuration's freeze, read from the shipped file.
fn backend_ai_freeze() -> git_release::freeze::Freeze {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".git-release.toml"), example()).unwrap();
    let config = Config::load(dir.path()).unwrap();
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    config.release.freeze.unwrap()
}

/// The rules the fixture does not exercise: imports of several names, multi-line import
/// items, f-strings, comments (as the project's own alembic migrations write them).
#[test]
fn the_backend_ai_rules_freeze_what_the_fixture_does_not_show() {
    let freeze = backend_ai_freeze();
    let src = "from ai.backend.common.meta import NEXT_RELEASE_VERSION, BackendAIConfigMeta, ConfigExample\n\
        from ai.backend.common.meta.meta import BackendAIGQLMeta, NEXT_RELEASE_VERSION\n\
        from ai.backend.common.meta import (\n    BackendAIGQLMeta,\n    NEXT_RELEASE_VERSION,\n)\n\
        revision = \"e5b8d3f0a129\"  # Part of: NEXT_RELEASE_VERSION\n\
        # Part of: NEXT_RELEASE_VERSION\n\
        msg = f\"since {NEXT_RELEASE_VERSION}\"  # added in NEXT_RELEASE_VERSION\n\
        s = \"#\" + NEXT_RELEASE_VERSION\n";
    let want = "from ai.backend.common.meta import BackendAIConfigMeta, ConfigExample\n\
        from ai.backend.common.meta.meta import BackendAIGQLMeta\n\
        from ai.backend.common.meta import (\n    BackendAIGQLMeta,\n)\n\
        revision = \"e5b8d3f0a129\"  # Part of: 26.7.0\n\
        # Part of: 26.7.0\n\
        msg = f\"since 26.7.0\"  # added in 26.7.0\n\
        s = \"#\" + \"26.7.0\"\n";
    let frozen = freeze.freeze_bytes(src.as_bytes(), "26.7.0");
    assert_eq!(text(&frozen.new), want);
    assert_eq!(frozen.places(), 8);
    assert!(frozen.leftovers.is_empty());
    // A longer name that contains the placeholder is not frozen: it stops the release.
    let frozen = freeze.freeze_bytes(b"MY_NEXT_RELEASE_VERSION_X = 1\n", "26.7.0");
    assert_eq!(frozen.leftovers.len(), 1);
}

/// Done when: the README example is the shipped file.
#[test]
fn the_readme_example_is_the_shipped_file() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let marker = format!("<!-- {EXAMPLE} -->\n```toml\n");
    let start = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README.md has no `{marker}` block"))
        + marker.len();
    let end = start + readme[start..].find("\n```\n").unwrap() + 1;
    assert!(
        readme[start..end] == example(),
        "the README's example differs from {EXAMPLE}"
    );
    assert_eq!(
        readme.matches("```toml").count(),
        1,
        "one configuration example"
    );
}

// --- safety on hostile input -----------------------------------------------------------

const PYPROJECT: &str = "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n";

/// A project at 1.0.0 with one fragment, the Backend.AI-style rules (a standalone import is
/// dropped, every other whole-word mention quoted) over `files`, and `extra` files.
fn project(files: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let config = format!(
        "[freeze]\nplaceholder = \"NEXT_RELEASE_VERSION\"\nfiles = {files}\n\n\
         [[freeze.rule]]\nname = \"import\"\nmatch = '^\\s*from \\S+ import NEXT_RELEASE_VERSION\\s*$'\ndrop = true\n\n\
         [[freeze.rule]]\nname = \"reference\"\nmatch = '\\bNEXT_RELEASE_VERSION\\b'\nreplace = '\"{{version}}\"'\n"
    );
    let mut all: Vec<(&str, &str)> = vec![
        ("pyproject.toml", PYPROJECT),
        (".git-release.toml", &config),
        ("VERSION", "1.0.0\n"),
        ("CHANGELOG.md", "# Changelog\n"),
        ("changes/1.feature.md", "Add a thing\n"),
    ];
    all.extend_from_slice(extra);
    repo_with(&all)
}

const FINAL: &[&str] = &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"];

#[test]
fn a_leftover_refuses_the_release_and_changes_nothing() {
    let repo = project(
        "[\"src/**/*.py\"]",
        &[
            (
                "src/ok.py",
                "from a import NEXT_RELEASE_VERSION\nx = NEXT_RELEASE_VERSION\n",
            ),
            (
                "src/bad.py",
                "y = 1\nMY_NEXT_RELEASE_VERSION_X = 2\nz = NEXT_RELEASE_VERSIONS\n",
            ),
        ],
    );
    let root = repo.path();
    let before = state(root);
    let out = release(root, FINAL);
    let stderr = one_error(&out, "leftover");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("leave 2 line(s) mentioning NEXT_RELEASE_VERSION"),
        "{stderr}"
    );
    assert!(
        stderr.contains("src/bad.py:2: MY_NEXT_RELEASE_VERSION_X = 2"),
        "{stderr}"
    );
    assert!(
        stderr.contains("src/bad.py:3: z = NEXT_RELEASE_VERSIONS"),
        "{stderr}"
    );
    assert!(stderr.contains("keep = true"), "{stderr}");
    assert_eq!(state(root), before);
}

/// The next-version file is git-release's own, also when it is a symlink: the freeze
/// neither writes through the link nor freezes its target under the target's own path
/// (hostile3/02: `NEXT_RELEASE_VERSION = "1.1.0"` became `"1.1.0" = "1.1.0"` in the
/// target, was committed, and the next-version step then stopped the release).
#[test]
fn a_symlinked_next_version_file_is_spared_through_its_target() {
    let repo = project(
        "[\"src/**/*.py\"]",
        &[
            ("src/_version.py", "NEXT_RELEASE_VERSION = \"1.1.0\"\n"),
            ("src/use.py", "x = NEXT_RELEASE_VERSION\n"),
        ],
    );
    let root = repo.path();
    std::os::unix::fs::symlink("_version.py", root.join("src/version.py")).unwrap();
    let config = std::fs::read_to_string(root.join(".git-release.toml")).unwrap();
    std::fs::write(
        root.join(".git-release.toml"),
        format!(
            "{config}\n[next-version]\nfile = \"src/version.py\"\n\
             pattern = 'NEXT_RELEASE_VERSION = \"(?P<version>[^\"]+)\"'\n"
        ),
    )
    .unwrap();
    util::commit_all(root, "next version behind a link");
    ok(&release(root, FINAL), "release");
    assert_eq!(
        std::fs::read_to_string(root.join("src/_version.py")).unwrap(),
        "NEXT_RELEASE_VERSION = \"1.2.0\"\n"
    );
    assert!(
        std::fs::symlink_metadata(root.join("src/version.py"))
            .unwrap()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(root.join("src/use.py")).unwrap(),
        "x = \"1.1.0\"\n"
    );
    let frozen = git(root, &["show", "HEAD~1:src/_version.py"]);
    assert_eq!(frozen, "NEXT_RELEASE_VERSION = \"1.1.0\"\n");
}

#[test]
fn binary_files_are_never_touched() {
    let late_nul = format!("x = NEXT_RELEASE_VERSION\n{}\0\n", "a".repeat(9000));
    let repo = project(
        "[\"src/**\"]",
        &[
            ("src/blob.bin", "\0\u{1}NEXT_RELEASE_VERSION"),
            ("src/attr.py", "x = NEXT_RELEASE_VERSION\n"),
            ("src/lfs.py", "x = NEXT_RELEASE_VERSION\n"),
            ("src/late.py", &late_nul),
            (
                ".gitattributes",
                "src/attr.py binary\nsrc/lfs.py filter=lfs diff=lfs merge=lfs -text\n",
            ),
        ],
    );
    let root = repo.path();
    let out = release(root, &["1.1.0", "--dry-run", "--format", "json"]);
    ok(&out, "dry run");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut binary: Vec<String> =
        serde_json::from_value(plan["freeze"]["left_alone"]["binary"].clone()).unwrap();
    binary.sort();
    assert_eq!(binary, ["src/attr.py", "src/blob.bin", "src/lfs.py"]);
    let before = util::snapshot(root);
    ok(&release(root, FINAL), "release");
    let after = util::snapshot(root);
    for path in ["src/blob.bin", "src/attr.py", "src/lfs.py"] {
        assert_eq!(after[path], before[path], "{path} was touched");
    }
    // A NUL after git's first 8000 bytes is text, as git decides.
    assert_eq!(
        after["src/late.py"],
        late_nul
            .replace("x = NEXT_RELEASE_VERSION", "x = \"1.1.0\"")
            .as_bytes()
    );
}

#[test]
fn symlinks_stay_links_and_never_widen_the_freeze() {
    let outside = tempfile::tempdir().unwrap();
    let outside_file = outside.path().join("shared.py");
    std::fs::write(&outside_file, "x = NEXT_RELEASE_VERSION\n").unwrap();
    let repo = project(
        "[\"src/**\"]",
        &[
            ("src/real.py", "x = NEXT_RELEASE_VERSION\n"),
            ("docs/other.py", "y = NEXT_RELEASE_VERSION\n"),
        ],
    );
    let root = repo.path();
    let links = [
        ("src/link.py", PathBuf::from("real.py")),
        ("src/out.py", PathBuf::from("../docs/other.py")),
        ("src/abroad.py", outside_file.clone()),
        ("src/dangling.py", PathBuf::from("gone.py")),
    ];
    for (link, target) in &links {
        std::os::unix::fs::symlink(target, root.join(link)).unwrap();
    }
    util::commit_all(root, "links");
    let out = release(root, &["1.1.0", "--dry-run", "--format", "json"]);
    ok(&out, "dry run");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &plan["freeze"];
    assert_eq!(f["files"], 1, "the target once, under its own path: {f}");
    assert_eq!(f["changes"][0]["path"], "src/real.py");
    let reasons: Vec<(String, String)> = f["left_alone"]["symlinks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["path"].as_str().unwrap().into(),
                l["reason"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "src/abroad.py".to_string(),
                "points outside the repository".to_string()
            ),
            ("src/dangling.py".into(), "a broken link".into()),
            (
                "src/out.py".into(),
                "its target docs/other.py is not a file to freeze".into()
            ),
        ]
    );
    ok(&release(root, FINAL), "release");
    for (link, target) in &links {
        assert_eq!(
            &std::fs::read_link(root.join(link)).unwrap(),
            target,
            "{link}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(root.join("src/real.py")).unwrap(),
        "x = \"1.1.0\"\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("docs/other.py")).unwrap(),
        "y = NEXT_RELEASE_VERSION\n"
    );
    assert_eq!(
        std::fs::read_to_string(&outside_file).unwrap(),
        "x = NEXT_RELEASE_VERSION\n"
    );
}

#[test]
fn modes_line_endings_and_untouched_files_are_kept() {
    let repo = project(
        "[\"src/**\", \"bin/*\"]",
        &[
            (
                "bin/run",
                "#!/usr/bin/env python3\r\nfrom a import NEXT_RELEASE_VERSION\r\nprint(NEXT_RELEASE_VERSION)\r\n",
            ),
            ("src/plain.py", "y = 1\n"),
            ("src/last.py", "y = 1\nfrom a import NEXT_RELEASE_VERSION"),
        ],
    );
    let root = repo.path();
    make_executable(&root.join("bin/run"));
    util::commit_all(root, "executable");
    // An old mtime: a rewrite would show.
    let plain = std::fs::File::options()
        .write(true)
        .open(root.join("src/plain.py"))
        .unwrap();
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    plain.set_modified(old).unwrap();
    drop(plain);
    ok(&release(root, FINAL), "release");
    assert_eq!(
        std::fs::read(root.join("bin/run")).unwrap(),
        b"#!/usr/bin/env python3\r\nprint(\"1.1.0\")\r\n"
    );
    assert_eq!(mode(&root.join("bin/run")), 0o755);
    assert_eq!(
        git(root, &["ls-files", "--stage", "bin/run"])
            .split(' ')
            .next(),
        Some("100755")
    );
    assert_eq!(std::fs::read(root.join("src/last.py")).unwrap(), b"y = 1\n");
    let meta = std::fs::metadata(root.join("src/plain.py")).unwrap();
    assert_eq!(
        meta.modified().unwrap(),
        old,
        "an untouched file was rewritten"
    );
}

/// A leftover that appears after pre-flight (here written by the WebUI step) stops the
/// release at the freeze with nothing frozen; `abort` undoes everything.
#[test]
fn the_freeze_step_is_all_or_nothing() {
    let repo = project(
        "[\"src/**\"]",
        &[
            ("src/a.py", "x = NEXT_RELEASE_VERSION\n"),
            ("src/b.py", "y = NEXT_RELEASE_VERSION\n"),
        ],
    );
    let root = repo.path();
    let mut config = std::fs::read_to_string(root.join(".git-release.toml")).unwrap();
    config.push_str(
        "\n[[step]]\nname = \"webui\"\nwhen = \"webui\"\nrun = \"echo 'MY_NEXT_RELEASE_VERSION_X = 1' > src/web.py\"\n",
    );
    std::fs::write(root.join(".git-release.toml"), config).unwrap();
    util::commit_all(root, "webui step");
    let before = state(root);
    let out = release(root, &["1.1.0", "2.0.0", "--yes", "--no-edit"]);
    let stderr = one_error(&out, "freeze step");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("src/web.py:1: MY_NEXT_RELEASE_VERSION_X = 1"),
        "{stderr}"
    );
    for (path, text) in [
        ("src/a.py", "x = NEXT_RELEASE_VERSION\n"),
        ("src/b.py", "y = NEXT_RELEASE_VERSION\n"),
    ] {
        assert_eq!(
            std::fs::read_to_string(root.join(path)).unwrap(),
            text,
            "{path}"
        );
    }
    ok(&release(root, &["abort"]), "abort");
    assert_eq!(state(root), before);
}

/// A file the WebUI step brings in that holds the placeholder is frozen with the rest: the
/// step's count is the real one, said when it differs from the plan's, and in the summary.
#[test]
fn the_freeze_count_is_what_was_frozen() {
    let repo = project(
        "[\"src/**\"]",
        &[
            ("src/a.py", "x = NEXT_RELEASE_VERSION\n"),
            ("src/b.py", "y = NEXT_RELEASE_VERSION\n"),
        ],
    );
    let root = repo.path();
    let mut config = std::fs::read_to_string(root.join(".git-release.toml")).unwrap();
    config.push_str(
        "\n[[step]]\nname = \"webui\"\nwhen = \"webui\"\nrun = \"echo 'z = NEXT_RELEASE_VERSION' > src/web.py\"\n",
    );
    std::fs::write(root.join(".git-release.toml"), config).unwrap();
    util::commit_all(root, "webui step");
    let out = release(
        root,
        &["1.1.0", "2.0.0", "--yes", "--no-edit", "--format", "json"],
    );
    ok(&out, "release");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("froze 3 places in 3 files (the plan said 2 places in 2 files"),
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["freeze"]["places"], 3, "{summary}");
    assert_eq!(summary["freeze"]["files"], 3, "{summary}");
    assert_eq!(summary["freeze"]["planned_places"], 2, "{summary}");
    assert_eq!(
        std::fs::read_to_string(root.join("src/web.py")).unwrap(),
        "z = \"1.1.0\"\n"
    );
}

#[test]
fn globs_whose_meaning_changed_are_warned_about() {
    let repo = project(
        "[\"*.py\", \"lib/**/*.py\"]\nexclude = [\"lib/*.py\"]",
        &[
            ("top.py", "a = NEXT_RELEASE_VERSION\n"),
            ("src/deep.py", "b = NEXT_RELEASE_VERSION\n"),
            ("lib/x.py", "c = NEXT_RELEASE_VERSION\n"),
            ("lib/sub/y.py", "d = NEXT_RELEASE_VERSION\n"),
        ],
    );
    let root = repo.path();
    let out = release(root, &["1.1.0", "--dry-run"]);
    ok(&out, "dry run");
    let shown = text(&out.stdout);
    assert!(
        shown
            .contains("warning: src/deep.py mentions NEXT_RELEASE_VERSION and is no longer frozen"),
        "{shown}"
    );
    assert!(
        shown.contains("warning: lib/sub/y.py mentions NEXT_RELEASE_VERSION and is frozen"),
        "{shown}"
    );
    assert!(
        shown.contains("2 places in 2 files"),
        "top.py and lib/sub/y.py: {shown}"
    );
    assert!(
        !shown.contains("warning: top.py") && !shown.contains("warning: lib/x.py"),
        "{shown}"
    );
}

// --- configuration errors name their file and key ---------------------------------------

/// Each configuration is refused before anything changes, with one error naming the file
/// and the key at fault.
#[test]
fn bad_freeze_configurations_name_the_file_and_key() {
    let rule = "[[freeze.rule]]\nmatch = 'NEXT'\nreplace = '{version}'\n";
    let cases: &[(String, &str, &str)] = &[
        (format!("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\nexlude = []\n{rule}"), "`freeze.exlude`", "unknown keys are errors"),
        (format!("[freeze]\nplaceholder = \"NEXT\"\n{rule}"), "`freeze.files`", "is required"),
        (format!("[freeze]\nplaceholder = \"NEXT\"\nfiles = []\n{rule}"), "`freeze.files`", "at least one pattern"),
        (format!("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"/src/**\"]\n{rule}"), "`freeze.files`", "leading `/`"),
        (format!("[freeze]\nfiles = [\"src/**\"]\n{rule}"), "`freeze.placeholder`", "is required"),
        ("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\n".into(), "`freeze.rule`", "say what the placeholder becomes"),
        (format!("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\nreplace = \"x\"\n{rule}"), "`freeze.replace`", "cannot both be given"),
        ("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\n[[freeze.rule]]\nmatch = 'NEXT'\n".into(), "`freeze.rule[0]`", "exactly one of"),
        ("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\n[[freeze.rule]]\nmatch = 'NEXT'\ndrop = false\n".into(), "`freeze.rule[0].drop`", "does nothing"),
        ("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\n[[freeze.rule]]\nmatch = 'x'\ndrop = true\n[[freeze.rule]]\nname = \"q\"\nmatch = '(NEXT)'\nreplace = '$2'\n".into(), "`freeze.rule[1].replace`", "(q) refers to group 2"),
        ("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\n[[freeze.rule]]\nmatch = 'NEXT'\nreplace = '${version}'\n".into(), "`freeze.rule[0].replace`", "without `$`"),
        ("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\n[[freeze.rule]]\nmatch = '(?<=a)NEXT'\ndrop = true\n".into(), "`freeze.rule[0].match`", "look-around"),
        ("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\n[[freeze.rule]]\nmatch = '\\b'\nreplace = 'x'\n".into(), "`freeze.rule[0].match`", "empty string"),
        ("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\n[[freeze.rule]]\nmatch = 'NEXT'\nreplace = 'NEXT!'\n".into(), "`freeze.rule[0].replace`", "keep = true"),
        ("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\n[[freeze.rule]]\nmatch = 'NEXT'\nkeep = true\nmode = 1\n".into(), "`freeze.rule[0].mode`", "unknown keys are errors"),
        // Literal paths must be tracked files: a stale `exclude` would let its file be frozen.
        (format!("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/gone.py\"]\n{rule}"), "`freeze.files`", "names `src/gone.py`, which is not a tracked file"),
        (format!("[freeze]\nplaceholder = \"NEXT\"\nfiles = [\"src/**\"]\nexclude = [\"src/moved.py\"]\n{rule}"), "`freeze.exclude`", "names `src/moved.py`"),
    ];
    for (config, key, needle) in cases {
        let stderr = refused_with(config);
        assert!(
            stderr.contains(".git-release.toml") && stderr.contains(key) && stderr.contains(needle),
            "{config}\nwanted {key} and {needle}:\n{stderr}"
        );
    }
}

/// A final release of a small project with this `.git-release.toml`: refused (exit code 3)
/// with one error, and nothing changed. Returns stderr.
fn refused_with(config: &str) -> String {
    let repo = repo_with(&[
        ("pyproject.toml", PYPROJECT),
        (".git-release.toml", config),
        ("VERSION", "1.0.0\n"),
        ("CHANGELOG.md", "# Changelog\n"),
        ("src/a.py", "x = NEXT\n"),
        ("changes/1.feature.md", "Add a thing\n"),
    ]);
    let root = repo.path();
    let before = state(root);
    let out = release(root, FINAL);
    let stderr = one_error(&out, config);
    assert_eq!(out.status.code(), Some(3), "{config}\n{stderr}");
    assert_eq!(state(root), before, "{config}");
    stderr
}

/// In `pyproject.toml`, keys are named with their full prefix.
#[test]
fn freeze_errors_in_pyproject_name_the_full_key() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            &format!(
                "{PYPROJECT}[tool.git-release.freeze]\nplaceholder = \"NEXT\"\nreplace = \"{{version}}\"\n"
            ),
        ),
        ("VERSION", "1.0.0\n"),
    ]);
    let out = release(repo.path(), FINAL);
    let stderr = one_error(&out, "pyproject");
    assert!(
        stderr.contains("pyproject.toml: `tool.git-release.freeze.files` is required"),
        "{stderr}"
    );
}

/// A configured file that does not exist is named with the key it comes from and the file
/// that configures it, not as a bare "No such file or directory".
#[test]
fn missing_configured_files_name_their_key() {
    let cases = [
        (
            "[consolidate]\nrules = \"strategies/backend-ai.toml\"\n",
            "consolidate.rules",
            "strategies/backend-ai.toml",
        ),
        (
            "[consolidate]\nlabels-from = \"pr-labels.json\"\n",
            "consolidate.labels-from",
            "pr-labels.json",
        ),
        (
            "[next-version]\nfile = \"src/meta.py\"\npattern = 'N = \"(?P<version>[^\"]+)\"'\n",
            "next-version.file",
            "src/meta.py",
        ),
        (
            "version-file = \"VERSION.txt\"\n",
            "version-file",
            "VERSION.txt",
        ),
    ];
    for (config, key, file) in cases {
        let stderr = refused_with(config);
        assert!(
            stderr.contains(".git-release.toml: `")
                && stderr.contains(&format!("`{key}` names "))
                && stderr.contains(file)
                && stderr.contains("does not exist"),
            "{config}:\n{stderr}"
        );
        assert!(!stderr.contains("No such file"), "{stderr}");
    }
}

// --- properties ----------------------------------------------------------------------------

/// Text made of the pieces Backend.AI's rules care about, and of the ones that trip a
/// line-based tool (CR, vertical tab, form feed, non-UTF-8 bytes, a BOM in the middle).
fn pieces() -> impl Strategy<Value = Vec<u8>> {
    // A byte-order mark only ever after another character: at the start of a line it is
    // one only on the first line, which splitting a file into lines would not preserve.
    let raw: [&'static [u8]; 18] = [
        b"NEXT_RELEASE_VERSION",
        b"{NEXT_RELEASE_VERSION}",
        b"MY_NEXT_RELEASE_VERSION_X",
        b"from ai.backend.common.meta import ",
        b"from ai.backend.common.meta import (",
        b"    NEXT_RELEASE_VERSION,",
        b", ",
        b" # ",
        b"\"",
        b"'",
        b"x = ",
        b"\n",
        b"\r\n",
        b"\r",
        b"\x0b\x0c",
        b"\xff\xfe",
        "\u{e9}\u{feff}".as_bytes(),
        b"\t",
    ];
    let piece = prop::sample::select(raw.to_vec());
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

/// The lines of `data`, each with its ending: `\n`, `\r\n` or a lone `\r`.
fn lines_of(data: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &b) in data.iter().enumerate() {
        let lone_cr = b == b'\r' && data.get(i + 1) != Some(&b'\n');
        if b == b'\n' || lone_cr {
            lines.push(&data[start..=i]);
            start = i + 1;
        }
    }
    if start < data.len() {
        lines.push(&data[start..]);
    }
    lines
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The freeze of a file is the freeze of each of its lines on its own: a line that does
    /// not mention the placeholder comes out as it went in, every other keeps its ending
    /// or goes with it, and a file without the placeholder comes out identical.
    #[test]
    fn the_freeze_works_line_by_line(data in pieces(), loose in any::<bool>()) {
        let freeze = freezes(loose);
        let whole = freeze.freeze_bytes(&data, "26.7.0");
        let mut joined = Vec::new();
        for line in lines_of(&data) {
            let one = freeze.freeze_bytes(line, "26.7.0");
            if !freeze.mentions(line) {
                prop_assert_eq!(&one.new, &line.to_vec());
            } else if !one.new.is_empty() {
                let ending = |l: &[u8]| if l.ends_with(b"\r\n") { 2 } else if l.ends_with(b"\n") || l.ends_with(b"\r") { 1 } else { 0 };
                prop_assert_eq!(&line[line.len() - ending(line)..], &one.new[one.new.len() - ending(&one.new)..]);
            }
            joined.extend_from_slice(&one.new);
        }
        prop_assert_eq!(&whole.new, &joined);
        if !freeze.mentions(&data) {
            prop_assert_eq!(&whole.new, &data);
            prop_assert_eq!(whole.places(), 0);
        }
    }

    /// Frozen output is frozen for good: with no leftover, nothing mentions the placeholder
    /// any more and a second freeze changes nothing.
    #[test]
    fn a_freeze_without_leftovers_is_complete_and_idempotent(data in pieces(), loose in any::<bool>()) {
        let freeze = freezes(loose);
        let once = freeze.freeze_bytes(&data, "26.7.0");
        if once.leftovers.is_empty() {
            // Only kept lines still mention it.
            let mentioning = lines_of(&once.new).into_iter().filter(|l| freeze.mentions(l)).count();
            prop_assert!(mentioning <= once.kept);
            let twice = freeze.freeze_bytes(&once.new, "26.7.0");
            prop_assert_eq!(&twice.new, &once.new);
            prop_assert_eq!(twice.places(), 0);
        } else {
            prop_assert!(freeze.mentions(&once.new));
        }
    }
}

/// Backend.AI's rules (each names the placeholder), or loose ones that would change other
/// lines if the freeze let them (`import`, a quote, a `#`), with a `keep` rule.
fn freezes(loose: bool) -> &'static git_release::freeze::Freeze {
    static FREEZES: std::sync::OnceLock<[git_release::freeze::Freeze; 2]> =
        std::sync::OnceLock::new();
    let [strict, lax] = FREEZES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".git-release.toml"),
            "[freeze]\nplaceholder = \"NEXT_RELEASE_VERSION\"\nfiles = [\"**\"]\n\
             [[freeze.rule]]\nmatch = 'import'\ndrop = true\n\
             [[freeze.rule]]\nmatch = '#'\nkeep = true\n\
             [[freeze.rule]]\nmatch = '\"'\nreplace = \"'\"\n\
             [[freeze.rule]]\nmatch = 'NEXT_RELEASE_VERSION'\nreplace = '{version}'\n",
        )
        .unwrap();
        let lax = Config::load(dir.path()).unwrap().release.freeze.unwrap();
        [backend_ai_freeze(), lax]
    });
    if loose { lax } else { strict }
}

/// A release stopped before its freeze names `git release freeze VERSION` as the step's
/// command by hand; that command freezes exactly what the step would (`--dry-run` first
/// changes nothing), and `continue --skip` then finishes the release.
#[test]
fn the_freeze_by_hand_is_git_release_freeze() {
    let repo = project(
        "[\"src/**/*.py\"]",
        &[(
            "src/ok.py",
            "from a import NEXT_RELEASE_VERSION\nx = NEXT_RELEASE_VERSION\n",
        )],
    );
    let root = repo.path();
    // A WebUI step that fails: the release stops before the freeze.
    let config = std::fs::read_to_string(root.join(".git-release.toml")).unwrap();
    std::fs::write(
        root.join(".git-release.toml"),
        format!("{config}\n[[step]]\nname = \"webui\"\nrun = \"exit 3\"\nwhen = \"webui\"\n"),
    )
    .unwrap();
    util::commit_all(root, "a webui step");
    let out = release(
        root,
        &[
            "1.1.0",
            "2.0.0",
            "--yes",
            "--no-edit",
            "--date",
            "2025-03-01",
        ],
    );
    let stderr = one_error(&out, "webui step");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("git release freeze 1.1.0"), "{stderr}");

    let before = state(root);
    let out = release(root, &["freeze", "1.1.0", "--dry-run"]);
    ok(&out, "freeze --dry-run");
    assert!(
        text(&out.stderr).contains("2 places in 1 file ("),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(state(root), before, "a dry run changes nothing");

    let out = release(root, &["freeze", "1.1.0"]);
    ok(&out, "freeze by hand");
    assert_eq!(
        std::fs::read_to_string(root.join("src/ok.py")).unwrap(),
        "x = \"1.1.0\"\n"
    );
    // The WebUI step was done by hand too (it changed nothing); the release goes on and
    // its freeze finds nothing left to do.
    let out = release(root, &["continue", "--skip", "--yes"]);
    ok(&out, "continue");
    assert_eq!(git(root, &["show", "HEAD:src/ok.py"]), "x = \"1.1.0\"\n");

    let out = release(root, &["freeze", "1.1.0rc1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}
