//! The same thing said the same way everywhere, and mistakes caught where they are made.

use crate::util::{git_release, repo_with, snapshot, text};

fn project() -> tempfile::TempDir {
    repo_with(&[
        ("VERSION", "1.0.0\n"),
        (
            "CHANGELOG.md",
            "# Changes\n\n<!-- towncrier release notes start -->\n",
        ),
        ("changes/1.feature.md", "Add a thing.\n"),
    ])
}

#[test]
fn the_plan_and_the_summary_name_the_release_type_alike() {
    let repo = project();
    let out = git_release(repo.path())
        .args(["1.1.0", "--yes", "--no-edit", "--date", "2025-01-01"])
        .output()
        .unwrap();
    let (plan, summary) = (text(&out.stderr), text(&out.stdout));
    assert!(out.status.success(), "{plan}");
    let line = "Type:       Final release (sprint)";
    assert!(plan.contains(line), "plan:\n{plan}");
    assert!(summary.contains(line), "summary:\n{summary}");
}

#[test]
fn a_version_not_in_normal_form_is_refused_with_the_normal_form() {
    let repo = project();
    let before = snapshot(repo.path());
    for (written, normal) in [("01.4.0", "1.4.0"), ("1.4.0RC1", "1.4.0rc1")] {
        let out = git_release(repo.path())
            .args([written, "--dry-run"])
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{written}: {stderr}");
        assert!(stderr.contains(&format!("`{normal}`")), "{stderr}");
        let out = git_release(repo.path())
            .args(["consolidate", written, "--dry-run"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    }
    assert_eq!(snapshot(repo.path()), before);
}

#[test]
fn a_pyproject_style_table_in_git_release_toml_is_an_error_naming_it() {
    let repo = repo_with(&[
        ("VERSION", "1.0.0\n"),
        (
            ".git-release.toml",
            "[tool.git-release]\nbase-branch = \"main\"\n\n[[tool.git-release.step]]\nrun = \"true\"\n",
        ),
        ("changes/1.feature.md", "Add a thing.\n"),
    ]);
    let before = snapshot(repo.path());
    let out = git_release(repo.path())
        .args(["1.1.0", "--dry-run"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(".git-release.toml") && stderr.contains("[tool.git-release]"),
        "{stderr}"
    );
    assert_eq!(snapshot(repo.path()), before);
}

/// `git release … 2>&1 | head -1`: the reader of stderr is gone before the first progress
/// line. The release goes on and finishes (it used to panic, leaving a state file that
/// blocked the next release).
#[test]
fn a_closed_stderr_loses_messages_not_the_release() {
    let repo = project();
    let root = repo.path();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = crate::util::git_release_process(root)
        .args(["1.1.0rc1", "--yes", "--date", "2025-01-01"])
        .stdout(std::process::Stdio::null())
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!root.join(".git/git-release/state.json").exists());
    let branch = crate::util::git(root, &["branch", "--show-current"]);
    assert_eq!(branch.trim(), "release/1.1.0rc1");
}
