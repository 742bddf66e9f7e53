//! Hostile round 7 (breaks 4, 5, 9, 11, 12, 13): every path a release writes — the
//! changelog, the version file, the next-version file, the frozen files, the fragments it
//! removes — is checked in pre-flight where it lands (symlinks followed): a file git
//! commits (tracked, without the assume-unchanged or skip-worktree bit), or a new one git
//! does not ignore. Otherwise the release is refused (exit 3) naming the file and the
//! setting, with nothing changed. So is a next-version pattern whose `version` group does
//! not hold one version on one line. The files the grouping reads are never frozen, given
//! in the configuration or on the command line.

use std::path::Path;

use crate::release::{project, project_after_rc, read};
use crate::util::{self, git, ok, one_error, run};
use crate::workflow::{RepoState, state};

/// Everything a refusal must leave as it was: [`state`], the index entries' bits (`git
/// ls-files -v`, which [`state`] does not show) and the ignored files (which it does).
#[derive(Debug, PartialEq, Eq)]
struct Before {
    repo: RepoState,
    bits: String,
    ignored: String,
}

fn before(root: &Path) -> Before {
    Before {
        repo: state(root),
        bits: git(root, &["ls-files", "-v"]),
        ignored: git(root, &["status", "--porcelain", "--ignored"]),
    }
}

/// `version` run and dry-run: both refused (exit 3) with one error naming every one of
/// `needles`, nothing changed.
fn refused(root: &Path, version: &str, needles: &[&str], what: &str) {
    let was = before(root);
    for dry in [true, false] {
        let mut args = vec![version, "--yes", "--no-edit"];
        if dry {
            args.push("--dry-run");
        }
        let out = run(root, &args, "true");
        let stderr = one_error(&out, what);
        assert_eq!(out.status.code(), Some(3), "{what} {args:?}: {stderr}");
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{what} {args:?}: `{needle}` not in\n{stderr}"
            );
        }
        assert_eq!(
            before(root),
            was,
            "{what} {args:?}: the refusal changed something"
        );
    }
}

/// A file the release writes whose index entry makes git look away from the work tree
/// (`git update-index --assume-unchanged` / `--skip-worktree`, no sparse checkout): the
/// release would write it and commit without it (hostile 7, 03: `release: 1.4.0` held only
/// the fragments' removal), or stop at `git add` with `abort` leaving the section (04).
#[test]
fn a_file_git_looks_away_from_is_refused() {
    let (rc, fin) = ("1.1.0rc2", "1.1.0");
    for bit in ["assume-unchanged", "skip-worktree"] {
        for (path, versions, key) in [
            ("CHANGELOG.md", &[rc, fin][..], "filename"),
            ("VERSION", &[rc, fin], "version-file"),
            ("src/demo/version.py", &[fin], "next-version.file"),
            ("src/demo/api.py", &[fin], "freeze"),
            ("changes/11.feature.md", &[rc, fin], "fragment"),
        ] {
            for version in versions {
                let repo = project_after_rc("");
                let root = repo.path();
                git(root, &["update-index", &format!("--{bit}"), path]);
                let clear = format!("git update-index --no-{bit} {path}");
                let what = format!("{path} with {bit}, {version}");
                refused(root, version, &[path, key, bit, &clear], &what);
                // Cleared as told, the same release goes through.
                git(root, &["update-index", &format!("--no-{bit}"), path]);
                let out = run(root, &[version, "--yes", "--no-edit"], "true");
                ok(&out, &format!("{what}, the bit cleared"));
            }
        }
    }
}

/// `changelog = "<pattern>"` in the release settings.
fn changelog_in(root: &Path, pattern: &str) {
    let toml = read(root, ".git-release.toml");
    let toml = format!("changelog = \"{pattern}\"\n{toml}");
    std::fs::write(root.join(".git-release.toml"), toml).unwrap();
}

/// A file the release writes that leads (a tracked symlink, or a directory on its path
/// that is one) into a file git ignores and does not track: the release wrote the section,
/// the version or the next version there and committed without it (hostile 7, 01 and 02),
/// and `abort` left the ignored file changed.
#[test]
fn a_file_that_leads_into_an_ignored_file_is_refused() {
    let (rc, fin) = ("1.1.0rc1", "1.1.0");
    for (link, target, dir_link, versions, key) in [
        (
            "CHANGELOG.md",
            "build/CHANGELOG.md",
            false,
            &[rc, fin][..],
            "filename",
        ),
        (
            "VERSION",
            "build/VERSION",
            false,
            &[rc, fin],
            "version-file",
        ),
        (
            "src/demo/version.py",
            "build/version.py",
            false,
            &[fin],
            "next-version.file",
        ),
        // `changelog = "CL/{major}.{minor}.md"`, `CL` a link to the ignored `build/`: a new
        // file, in an ignored directory.
        ("CL", "build", true, &[rc, fin], "changelog"),
    ] {
        for version in versions {
            let repo = project("");
            let root = repo.path();
            if dir_link {
                changelog_in(root, "CL/{major}.{minor}.md");
            }
            std::fs::create_dir_all(root.join("build")).unwrap();
            std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
            let depth = link.matches('/').count();
            let up = "../".repeat(depth);
            if !dir_link {
                std::fs::rename(root.join(link), root.join(target)).unwrap();
            }
            std::os::unix::fs::symlink(format!("{up}{target}"), root.join(link)).unwrap();
            util::commit_all(root, "a file the release writes lives in build/ (ignored)");
            let what = format!("{link} -> {target}, {version}");
            let shown = if dir_link { "build/1.1.md" } else { target };
            refused(root, version, &[shown, key, "ignored"], &what);
        }
    }
    // A link to a file git does not track (nor ignore): the release would commit all of
    // that file as its own.
    let repo = project("");
    let root = repo.path();
    std::fs::create_dir_all(root.join("notes")).unwrap();
    std::fs::rename(root.join("CHANGELOG.md"), root.join("notes/CHANGELOG.md")).unwrap();
    std::os::unix::fs::symlink("notes/CHANGELOG.md", root.join("CHANGELOG.md")).unwrap();
    git(root, &["add", "CHANGELOG.md"]);
    git(
        root,
        &["commit", "-q", "-m", "the changelog links to notes/"],
    );
    let needles = ["notes/CHANGELOG.md", "not tracked", "filename"];
    refused(root, "1.1.0rc1", &needles, "a link to an untracked file");
    // The same layout with `CL` a tracked directory: a new changelog file there is the
    // release's own, written and committed.
    let repo = project("");
    let root = repo.path();
    changelog_in(root, "CL/{major}.{minor}.md");
    std::fs::create_dir_all(root.join("CL")).unwrap();
    std::fs::write(root.join("CL/README.md"), "Changelogs, one a minor.\n").unwrap();
    std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
    util::commit_all(root, "changelogs in CL/");
    ok(
        &run(root, &["1.1.0rc1", "--yes", "--no-edit"], "true"),
        "a new changelog",
    );
    let committed = git(root, &["show", "HEAD:CL/1.1.md"]);
    assert!(committed.contains("## 1.1.0rc1"), "{committed}");
}

/// The next-version pattern's `version` group is what the step overwrites: a group around
/// a name, or a greedy one across lines, made the bump write over the name or delete the
/// lines after it (hostile 7, 13). Refused before anything changes.
#[test]
fn a_next_version_group_that_is_not_one_version_is_refused() {
    const DEFAULT: &str = r#"pattern = 'NEXT_RELEASE_VERSION = "(?P<version>[^"]+)"'"#;
    for (pattern, holds) in [
        (
            r#"pattern = '(?s)NEXT_RELEASE_VERSION = "(?P<version>.+)"'"#,
            "not a version on one line",
        ),
        ("pattern = '(?P<version>NEXT_RELEASE)'", "NEXT_RELEASE"),
        (
            "pattern = 'NEXT_RELEASE_VERSION = (?P<version>.*)'",
            "not a version",
        ),
        (
            r#"pattern = 'NEXT_RELEASE_VERSION = "(?P<version>[^"]*?)'"#,
            "not a version",
        ),
    ] {
        let repo = project("");
        let root = repo.path();
        let toml = read(root, ".git-release.toml");
        assert!(toml.contains(DEFAULT));
        std::fs::write(
            root.join(".git-release.toml"),
            toml.replace(DEFAULT, pattern),
        )
        .unwrap();
        std::fs::write(
            root.join("src/demo/version.py"),
            "NEXT_RELEASE_VERSION = \"1.1.0\"\nOTHER = \"keep me\"\n",
        )
        .unwrap();
        util::commit_all(root, "a next-version pattern");
        refused(
            root,
            "1.1.0",
            &["next-version.pattern", "src/demo/version.py", holds],
            pattern,
        );
    }
}

/// `--rules` and `--labels-from` name files the grouping reads, as `rules` and
/// `labels-from` in the configuration do: the freeze spares them too (hostile 7, 10: frozen
/// and committed while the grouping read them unfrozen).
#[test]
fn rules_and_labels_given_on_the_command_line_are_not_frozen() {
    let repo = project("");
    let root = repo.path();
    let toml = read(root, ".git-release.toml");
    let toml = toml.replace(r#"files = ["src/**/*.py""#, r#"files = ["src/**""#);
    std::fs::write(root.join(".git-release.toml"), toml).unwrap();
    let rules = "# grouping rules as of NEXT_RELEASE_VERSION\n[[group]]\ntitle = \"Fair Share\"\n\
                 tier = \"initiative\"\nkeywords = [\"fair share\"]\n";
    std::fs::write(root.join("src/rules.toml"), rules).unwrap();
    let labels = r#"[{"number":10,"labels":[{"name":"since NEXT_RELEASE_VERSION"}]}]"#;
    std::fs::write(root.join("src/labels.json"), labels).unwrap();
    util::commit_all(root, "rules and labels under src/");
    // Named from a subdirectory, relative to it: the same files.
    let src = root.join("src");
    let args = [
        "1.1.0",
        "--yes",
        "--no-edit",
        "--rules",
        "rules.toml",
        "--labels-from",
        "labels.json",
    ];
    let plan = util::git_release(&src)
        .args(args)
        .arg("--dry-run")
        .env("GIT_EDITOR", "true")
        .output()
        .unwrap();
    ok(&plan, "the dry run");
    let shown = util::text(&plan.stdout);
    assert!(
        shown.contains("src/labels.json") && shown.contains("src/rules.toml"),
        "{shown}"
    );
    let out = util::git_release(&src)
        .args(args)
        .env("GIT_EDITOR", "true")
        .output()
        .unwrap();
    ok(&out, "the release");
    let release = git(
        root,
        &["log", "--format=%H", "--grep=^release: 1.1.0$", "-1"],
    );
    let release = release.trim();
    assert!(!release.is_empty(), "no release commit");
    for (path, text) in [("src/rules.toml", rules), ("src/labels.json", labels)] {
        assert_eq!(
            git(root, &["show", &format!("{release}:{path}")]),
            text,
            "{path}"
        );
    }
    // The freeze ran: the other sources are frozen.
    let api = git(root, &["show", &format!("{release}:src/demo/api.py")]);
    assert_eq!(api, "# Added in 1.1.0\n");
}
