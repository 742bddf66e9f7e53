//! hostile18's breaks fixed in the release's own flow: a release that would commit nothing
//! (no version file — the version comes from tags —, no fragment, no configured step) is
//! refused before anything changes, where it made its branch and stopped at an empty commit
//! (07). (Repro scripts: /work/hostile18/07-*.sh.)

use crate::util::{self, git, ok, one_error, repo_with, run, write_files};

/// A setuptools-scm project (no static version: `dynamic`), tagged 7.0.0, no fragment yet.
fn tagged_project(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files = vec![
        (
            "pyproject.toml",
            "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n\n[tool.towncrier]\n\
             directory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
             title_format = \"## {version} ({project_date})\"\n",
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 7.0.0 (2025-01-01)\n\n\
             ### Features\n\n- First. (#1)\n",
        ),
        ("changes/.gitignore", "!.gitignore\n"),
    ];
    files.extend_from_slice(extra);
    let repo = repo_with(&files);
    git(repo.path(), &["tag", "7.0.0"]);
    repo
}

#[test]
fn a_release_that_would_commit_nothing_is_refused_before_anything_changes() {
    let repo = tagged_project(&[]);
    let root = repo.path();
    let before = util::snapshot(root);
    for args in [
        vec!["7.1.0rc1", "--yes", "--no-edit"],
        vec!["7.1.0rc1", "--dry-run"],
        vec!["7.0.1", "--yes", "--no-edit"],
    ] {
        let out = run(root, &args, "false");
        let stderr = one_error(&out, &format!("{args:?}"));
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        // A final has nothing to consolidate, said first: with the same way on.
        assert!(
            (stderr.contains("nothing to release") || stderr.contains("nothing to consolidate"))
                && stderr.contains(&format!("`git tag {}`", args[0])),
            "{stderr}"
        );
        assert_eq!(util::snapshot(root), before, "{args:?}: nothing changed");
        assert_eq!(git(root, &["branch", "--list", "release/*"]), "");
    }
    // A fragment, or a configured step (which may write), is something to release.
    write_files(root, &[("changes/5.feature.md", "Add the exporter.\n")]);
    util::commit_all(root, "fragment");
    ok(
        &run(root, &["7.1.0rc1", "--yes", "--no-edit"], "false"),
        "with a fragment",
    );
    let stepped = tagged_project(&[(
        ".git-release.toml",
        "[[step]]\nname = \"docs\"\nrun = \"echo built > BUILT\"\n",
    )]);
    ok(
        &run(stepped.path(), &["7.1.0rc1", "--yes", "--no-edit"], "false"),
        "with a step",
    );
    assert_eq!(crate::release::read(stepped.path(), "BUILT"), "built\n");
}
