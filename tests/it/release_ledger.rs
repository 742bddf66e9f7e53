//! The ledger across releases, end to end: what a final folds from its rc sections (numbered
//! fragments reworded in part), and fragments consumed twice (an old branch brings them
//! back): an orphan one, and one whose entry the review reworded. Nothing lost, nothing
//! released before listed again.

use std::path::Path;

use crate::util::{commit_all, git, ok, repo_with, run, text, write_files};

/// A project on towncrier's default Markdown template, with `#` references.
fn project() -> tempfile::TempDir {
    repo_with(&[
        (
            "pyproject.toml",
            "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
             filename = \"CHANGELOG.md\"\n\
             title_format = \"## [{version}] - {project_date}\"\n",
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n",
        ),
        ("VERSION", "1.0.0\n"),
        ("changes/.gitkeep", ""),
    ])
}

/// Add `fragments`, release `version` (the review's editor is `editor`), and bring the
/// release back to `main`; returns what the release printed on stderr.
fn release(root: &Path, version: &str, fragments: &[(&str, &str)], editor: &str) -> String {
    let files: Vec<(String, &str)> = fragments
        .iter()
        .map(|(name, body)| (format!("changes/{name}"), *body))
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    if !files.is_empty() {
        write_files(root, &files);
        commit_all(root, &format!("fragments for {version}"));
    }
    let mut args = vec![version, "--yes", "--date", "2026-03-01"];
    if editor == "false" {
        args.push("--no-edit");
    }
    let out = run(root, &args, editor);
    ok(&out, &format!("release {version}"));
    git(root, &["checkout", "--quiet", "main"]);
    git(
        root,
        &[
            "merge",
            "--quiet",
            "--ff-only",
            &format!("release/{version}"),
        ],
    );
    text(&out.stderr)
}

/// The lines of the changelog that are entries saying `words`.
fn listed(root: &Path, words: &str) -> Vec<String> {
    std::fs::read_to_string(root.join("CHANGELOG.md"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("- ") && l.contains(words))
        .map(str::to_string)
        .collect()
}

/// Bring fragment `name` back as it was before `version` consumed it (an old branch
/// merged), committed.
fn bring_back(root: &Path, version: &str, names: &[&str]) {
    let before = format!("release/{version}~1");
    for name in names {
        git(
            root,
            &["checkout", &before, "--", &format!("changes/{name}")],
        );
    }
    commit_all(root, "merge an old branch");
}

#[test]
fn a_newer_rc_rewording_one_numbered_fragment_keeps_the_other() {
    let repo = project();
    let root = repo.path();
    release(
        root,
        "1.1.0rc1",
        &[
            ("140.feature.1.md", "Add CSV export to reports\n"),
            ("140.feature.2.md", "Add PDF export to reports\n"),
        ],
        "false",
    );
    release(
        root,
        "1.1.0rc2",
        &[(
            "140.feature.md",
            "Add CSV export to reports, with headers\n",
        )],
        "false",
    );
    let stderr = release(root, "1.1.0", &[], "false");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let section = &log[..log.find("## [1.1.0rc").unwrap_or(log.len())];
    assert_eq!(listed(root, "Add PDF export to reports").len(), 1, "{log}");
    assert_eq!(
        listed(root, "Add CSV export to reports, with headers").len(),
        1,
        "{log}"
    );
    assert!(
        !section.contains("Add CSV export to reports (#140)"),
        "rc1's CSV text was replaced:\n{log}"
    );
    assert!(
        stderr.contains(
            "#140 in Features: \"Add CSV export to reports\" from 1.1.0rc1 replaced by \
             \"Add CSV export to reports, with headers\" from 1.1.0rc2"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("\"Add PDF export to reports\" from 1.1.0rc1 kept"),
        "{stderr}"
    );
}

#[test]
fn an_orphan_fragment_consumed_twice_is_not_listed_again() {
    let repo = project();
    let root = repo.path();
    let orphan = "Clean up the temporary upload directory on start";
    release(
        root,
        "1.1.0",
        &[
            ("+cleanup.feature.md", &format!("{orphan}\n")),
            ("134.feature.md", "Add the quota dashboard\n"),
        ],
        "false",
    );
    bring_back(root, "1.1.0", &["+cleanup.feature.md", "134.feature.md"]);
    let stderr = release(
        root,
        "1.2.0rc1",
        &[("150.feature.md", "A new feature\n")],
        "false",
    );
    assert!(stderr.contains("+cleanup.feature.md"), "named: {stderr}");
    // Brought back once more, for the final.
    bring_back(root, "1.1.0", &["+cleanup.feature.md"]);
    let stderr = release(root, "1.2.0", &[], "false");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert_eq!(listed(root, orphan).len(), 1, "{log}");
    assert_eq!(listed(root, "Add the quota dashboard").len(), 1, "{log}");
    assert!(
        stderr.contains(&format!(
            "\"{orphan}\" in Features from the new fragments is already released in `[1.1.0]"
        )),
        "{stderr}"
    );
}

#[test]
fn a_fragment_whose_entry_the_review_reworded_is_not_listed_again_when_it_comes_back() {
    let repo = project();
    let root = repo.path();
    let editor = root.join("../reword.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/^- Add scheduled exports of usage reports/- Export usage reports on a schedule/' \"$1\"\n",
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x", editor.to_str().unwrap()])
        .status()
        .unwrap();
    release(
        root,
        "1.1.0",
        &[
            ("131.feature.md", "Add scheduled exports of usage reports\n"),
            ("132.feature.md", "Add the quota dashboard\n"),
        ],
        editor.to_str().unwrap(),
    );
    assert_eq!(
        listed(root, "Export usage reports on a schedule").len(),
        1,
        "the review reworded #131"
    );
    // An old branch brings the fragment back: a pre-release leaves it out, named.
    bring_back(root, "1.1.0", &["131.feature.md"]);
    let stderr = release(
        root,
        "1.2.0rc1",
        &[("150.feature.md", "A new feature\n")],
        "false",
    );
    assert!(stderr.contains("#131 ([1.1.0]"), "named: {stderr}");
    // And again before the final; a follow-up of #132 in a new fragment with a new text is
    // a new entry (the same PR may be listed again with new words).
    bring_back(root, "1.1.0", &["131.feature.md"]);
    let stderr = release(
        root,
        "1.2.0",
        &[("132.feature.1.md", "Show the quota dashboard to admins\n")],
        "false",
    );
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert_eq!(log.matches("(#131)").count(), 1, "{log}");
    assert_eq!(listed(root, "Add scheduled exports").len(), 0, "{log}");
    assert_eq!(
        listed(root, "Show the quota dashboard to admins").len(),
        1,
        "{log}"
    );
    assert!(
        stderr.contains("#131 in Features from the new fragments is already released in `[1.1.0]"),
        "{stderr}"
    );
}
