//! A final release of a reStructuredText changelog (towncrier's default `NEWS.rst`: pytest,
//! pip, Twisted). git-release reads back only Markdown sections, so it cannot fold the
//! pre-release sections of such a changelog — but the final is an ordinary release: its
//! section is written as `towncrier build` writes it, its pre-release sections left as
//! published (as towncrier leaves them), never refused.

use std::path::Path;

use crate::release::read;
use crate::util::{self, commit_all, git, ok, repo_with, run, write_files};

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

/// rc1, then the final: the rc's section stays as published (what towncrier does; its
/// fragments were consumed by the rc, so nothing is listed twice), the plan and its JSON say
/// so, and the final's section lists only the fragments added since — the tree `build`
/// writes. Pre-release sections found by their headings (towncrier's, `v`-spelled, another
/// underline); a pre-release of another version is not the final's.
#[test]
fn a_final_after_its_pre_release_leaves_the_rc_section_as_published() {
    let twin = |root: &Path| {
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
    };
    let built = project(&[]);
    twin(built.path());
    let out = run(
        built.path(),
        &["build", "1.1.0", "--date", "2025-02-01"],
        "false",
    );
    ok(&out, "build");
    commit_all(built.path(), "built");

    let repo = project(&[]);
    let root = repo.path();
    twin(root);
    let args = ["1.1.0", "--yes", "--date", "2025-02-01"];
    let dry = run(root, &[&args[..], &["--dry-run"]].concat(), "false");
    ok(&dry, "dry run");
    assert!(
        util::text(&dry.stdout).contains("RC merged:  none: 1.1.0rc1 stays as published"),
        "{}",
        util::text(&dry.stdout)
    );
    let json = run(
        root,
        &[&args[..], &["--dry-run", "--format", "json"]].concat(),
        "false",
    );
    ok(&json, "json");
    let view: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        view["rc_sections_unfolded"],
        serde_json::json!(["1.1.0rc1"])
    );
    ok(&run(root, &args, "false"), "final");
    assert_eq!(
        tree_without_version(root),
        tree_without_version(built.path())
    );
    let news = read(root, "NEWS.rst");
    for entry in ["Add the scheduler.", "crash on start", "Add the exporter."] {
        assert_eq!(news.matches(entry).count(), 1, "{entry}: {news}");
    }
    assert!(news.find("demo 1.1.0 (2025-02-01)") < news.find("demo 1.1.0rc1 (2025-01-15)"));

    let other = project(&[(
        "NEWS.rst",
        "Changes\n=======\n\n.. towncrier release notes start\n\n\
v2.0.0b1\n~~~~~~~~\n\n- Beta.\n\n\
demo 1.0.0 (2025-01-01)\n=======================\n\n- First release.\n",
    )]);
    let out = run(other.path(), &["1.0.1", "--yes", "--dry-run"], "false");
    ok(&out, "a pre-release of another version");
    assert!(!util::text(&out.stdout).contains("RC merged"));
    let out = run(other.path(), &["2.0.0", "--yes", "--dry-run"], "false");
    ok(&out, "2.0.0");
    assert!(
        util::text(&out.stdout).contains("none: 2.0.0b1 stays as published"),
        "{}",
        util::text(&out.stdout)
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

/// `git release consolidate` on a reStructuredText changelog is refused naming the key, with
/// nothing changed — by the release's own decision of what is reStructuredText (a `.rst`
/// name, or another name with an rst template: towncrier's default for `CHANGES.txt`),
/// saying that the release writes the final as towncrier builds it.
#[test]
fn consolidate_refuses_a_restructured_text_changelog_the_way_the_release_tells_it() {
    for filename in ["NEWS.rst", "CHANGES.txt"] {
        let pyproject = pyproject().replace("NEWS.rst", filename);
        let repo = repo_with(&[
            ("pyproject.toml", pyproject.as_str()),
            ("VERSION", "1.0.0\n"),
            (filename, NEWS),
            ("changes/7.feature", "Add the scheduler.\n"),
        ]);
        let root = repo.path();
        let before = util::snapshot(root);
        let out = run(root, &["consolidate", "1.1.0", "--no-edit"], "false");
        let stderr = crate::util::one_error(&out, filename);
        assert!(
            stderr.contains("`tool.towncrier.filename`")
                && stderr.contains("`git release 1.1.0` writes this final's section"),
            "{filename}: {stderr}"
        );
        assert_eq!(util::snapshot(root), before, "{filename}");
        // The release takes it as reStructuredText too: written as towncrier builds it.
        let plan = run(root, &["1.1.0", "--dry-run"], "false");
        ok(&plan, filename);
        assert!(
            util::text(&plan.stdout).contains(&format!("Build {filename} from 1 fragment(s)")),
            "{}",
            util::text(&plan.stdout)
        );
    }
}
