//! hostile18's breaks fixed in the release's own flow: a release that would commit nothing
//! (no version file — the version comes from tags —, no fragment and a template that renders
//! nothing for none, no configured step) is
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
    // A template that renders nothing for no fragment (hostile18/06: towncrier's own
    // templates render `No significant changes.`, which is something to commit).
    let silent = "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n\n[tool.towncrier]\n\
                  directory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
                  title_format = false\ntemplate = \"empty.jinja\"\n";
    let repo = tagged_project(&[("pyproject.toml", silent), ("empty.jinja", "")]);
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
    // towncrier's section for no fragments, a fragment, or a configured step (which may
    // write), is something to release.
    let default = tagged_project(&[]);
    for version in ["7.1.0rc1", "7.0.1"] {
        ok(
            &run(default.path(), &[version, "--yes", "--no-edit"], "false"),
            &format!("{version} with towncrier's default template"),
        );
        let changelog = crate::release::read(default.path(), "CHANGELOG.md");
        assert!(
            changelog.contains(&format!("## {version} ("))
                && changelog.contains("No significant changes."),
            "{changelog}"
        );
        git(default.path(), &["checkout", "-q", "main"]);
    }
    let fragment = tagged_project(&[("changes/5.feature.md", "Add the exporter.\n")]);
    ok(
        &run(
            fragment.path(),
            &["7.1.0rc1", "--yes", "--no-edit"],
            "false",
        ),
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

/// hostile18/11: one named `[[tool.towncrier.section]]` (a `### Core` heading above the
/// categories) is refused up front as what it is — one section with a name, not "1
/// changelog sections" —, saying to remove the name; without the name the release goes.
#[test]
fn one_named_section_is_refused_as_what_it_is() {
    let config = |name: &str| {
        format!(
            "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\n\
             [[tool.towncrier.section]]\npath = \"\"\n{name}"
        )
    };
    let named = config("name = \"Core\"\n");
    let repo = repo_with(&[
        ("pyproject.toml", named.as_str()),
        ("VERSION", "1.0.0\n"),
        ("changes/5.feature.md", "Add the exporter.\n"),
    ]);
    let root = repo.path();
    let before = util::snapshot(root);
    let out = run(root, &["1.1.0rc1", "--yes", "--no-edit"], "false");
    let stderr = one_error(&out, "named section");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("names its one changelog section `Core`")
            && stderr.contains("remove the section's `name`")
            && !stderr.contains("1 changelog sections"),
        "{stderr}"
    );
    assert_eq!(util::snapshot(root), before);
    write_files(root, &[("pyproject.toml", &config(""))]);
    util::commit_all(root, "no name");
    ok(
        &run(root, &["1.1.0rc1", "--yes", "--no-edit"], "false"),
        "unnamed",
    );
}
