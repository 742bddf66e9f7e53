//! A final release of a reStructuredText changelog (towncrier's default `NEWS.rst`: pytest,
//! pip, Twisted cut plain finals). git-release reads back only Markdown sections, so it
//! cannot fold pre-release sections of such a changelog — but a final with none to fold is
//! an ordinary release: its section is written as `towncrier build` writes it, never refused.
//! A final whose pre-release sections are in the file is refused with nothing changed (writing
//! the final beside them would list their entries twice).

use std::path::Path;

use crate::release::read;
use crate::util::{self, commit_all, git, ok, one_error, repo_with, run, write_files};

const PULL: &str = "https://example.com/demo/pull";

fn pyproject() -> String {
    format!(
        "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
         filename = \"NEWS.rst\"\nissue_format = \"`#{{issue}} <{PULL}/{{issue}}>`_\"\n"
    )
}

const NEWS: &str = "Changes\n=======\n\n.. towncrier release notes start\n\n\
demo 1.0.0 (2025-01-01)\n=======================\n\nFeatures\n--------\n\n- First release.\n";

/// A project at 1.0.0 with two fragments (and `extra` files).
fn project(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let pyproject = pyproject();
    let mut files = vec![
        ("pyproject.toml", pyproject.as_str()),
        ("VERSION", "1.0.0\n"),
        ("NEWS.rst", NEWS),
        ("changes/7.feature", "Add the scheduler.\n"),
        ("changes/8.bugfix", "Fix the crash on start.\n"),
    ];
    files.extend_from_slice(extra);
    repo_with(&files)
}

/// The tree of `HEAD` as `path → blob id`, without `VERSION` (which `build` does not write).
fn tree_without_version(root: &Path) -> String {
    git(root, &["ls-tree", "-r", "HEAD"])
        .lines()
        .filter(|l| !l.ends_with("\tVERSION"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A patch and a sprint final, with and without `--no-edit` (no editor is needed: the
/// section is not reviewed): the release commit holds exactly what `git release build`
/// (towncrier's output, byte for byte: `towncrier_cases`) writes, plus the version.
#[test]
fn a_final_with_nothing_to_fold_is_written_as_towncrier_builds_it() {
    for (version, flags) in [
        ("1.0.1", vec!["--yes"]),
        ("1.1.0", vec!["--yes", "--no-edit"]),
    ] {
        let built = project(&[]);
        let out = run(
            built.path(),
            &["build", version, "--date", "2025-02-01"],
            "false",
        );
        ok(&out, "build");
        commit_all(built.path(), "built");

        let repo = project(&[]);
        let root = repo.path();
        let mut args = vec![version, "--date", "2025-02-01"];
        args.extend(&flags);
        let dry = run(root, &[&args[..], &["--dry-run"]].concat(), "false");
        ok(&dry, "dry run");
        let plan = util::text(&dry.stdout);
        assert!(
            plan.contains("Build NEWS.rst from 2 fragment(s)"),
            "{version}: {plan}"
        );
        let out = run(root, &args, "false");
        ok(&out, &format!("release {version}"));
        assert_eq!(
            git(
                root,
                &["log", "-1", "--format=%s", &format!("release/{version}")]
            )
            .trim(),
            format!("release: {version}")
        );
        assert_eq!(read(root, "VERSION"), format!("{version}\n"));
        assert_eq!(
            tree_without_version(root),
            tree_without_version(built.path()),
            "{version}: the release's tree is build's"
        );
        assert!(read(root, "NEWS.rst").contains(&format!("demo {version} (2025-02-01)")));
        assert_eq!(git(root, &["status", "--porcelain"]), "");
    }
}

/// The pre-release sections of the version in the file (written by the rc, `v`-spelled, or
/// by hand with another underline): the final is refused naming them, nothing changed —
/// the plain dry run too. A pre-release of another version does not count.
#[test]
fn a_final_with_pre_release_sections_to_fold_is_refused_with_nothing_changed() {
    let repo = project(&[]);
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--date", "2025-01-15"],
        "false",
    );
    ok(&out, "rc1");
    git(root, &["checkout", "--quiet", "main"]);
    git(root, &["merge", "--quiet", "--ff-only", "release/1.1.0rc1"]);
    write_files(root, &[("changes/9.feature", "Add the exporter.\n")]);
    commit_all(root, "more");
    let before = util::snapshot(root);
    for args in [
        vec!["1.1.0", "--yes", "--no-edit"],
        vec!["1.1.0", "--dry-run"],
    ] {
        let out = run(root, &args, "false");
        let stderr = one_error(&out, "final");
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains("pre-release section 1.1.0rc1")
                && stderr.contains("`tool.towncrier.filename`"),
            "{stderr}"
        );
        assert_eq!(util::snapshot(root), before, "{args:?}: nothing changed");
    }
    // A patch of the line is no fold of 1.1.0's pre-release: it goes through.
    let other = project(&[(
        "NEWS.rst",
        "Changes\n=======\n\n.. towncrier release notes start\n\n\
v2.0.0b1\n~~~~~~~~\n\n- Beta.\n\n\
demo 1.0.0 (2025-01-01)\n=======================\n\n- First release.\n",
    )]);
    ok(
        &run(other.path(), &["1.0.1", "--yes"], "false"),
        "a pre-release of another version",
    );
    git(other.path(), &["checkout", "--quiet", "main"]);
    let out = run(other.path(), &["2.0.0", "--yes", "--dry-run"], "false");
    assert!(
        util::text(&out.stderr).contains("pre-release section 2.0.0b1"),
        "{}",
        util::text(&out.stderr)
    );
}

/// A hook that rejects the release commit stops the release (exit 4); `continue` finishes
/// it as towncrier's section (the state says the final is written so), and `abort` gives
/// everything back.
#[test]
fn a_stopped_final_continues_and_aborts_exactly() {
    let hook = "#!/bin/sh\nif [ ! -e .git/let-it-pass ]; then echo rejected >&2; exit 1; fi\n";
    for finish in ["continue", "abort"] {
        let repo = project(&[]);
        let root = repo.path();
        let hooks = root.join(".git/hooks");
        std::fs::create_dir_all(&hooks).unwrap();
        std::fs::write(hooks.join("pre-commit"), hook).unwrap();
        let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
        std::fs::set_permissions(hooks.join("pre-commit"), mode).unwrap();
        let before = util::snapshot(root);
        let out = run(root, &["1.0.1", "--yes", "--date", "2025-02-01"], "false");
        assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
        std::fs::write(root.join(".git/let-it-pass"), "").unwrap();
        ok(&run(root, &[finish], "false"), finish);
        std::fs::remove_file(root.join(".git/let-it-pass")).unwrap();
        match finish {
            "continue" => {
                let news = read(root, "NEWS.rst");
                assert_eq!(news.matches("demo 1.0.1 (2025-02-01)").count(), 1, "{news}");
                assert!(news.contains("Add the scheduler.") && news.contains("crash on start"));
                assert_eq!(git(root, &["ls-files", "changes"]), "");
                assert_eq!(git(root, &["status", "--porcelain"]), "");
            }
            _ => assert_eq!(util::snapshot(root), before, "abort gives it all back"),
        }
    }
}
