//! A whole rc cycle end to end (rc1, rc2, then the final release that folds them), with
//! towncrier's own Markdown template: its default title, a keep-a-changelog `title_format`,
//! and an `issue_format` that holds parentheses of its own (the template adds more).

use std::path::Path;

use crate::util::{release_and_merge, repo_with};

/// A project on towncrier's default Markdown template, with `towncrier` settings added.
fn project(towncrier: &str) -> tempfile::TempDir {
    let pyproject = format!(
        "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
         filename = \"CHANGELOG.md\"\n{towncrier}\n"
    );
    repo_with(&[
        ("pyproject.toml", &pyproject),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n",
        ),
        ("VERSION", "1.0.0\n"),
        ("changes/.gitkeep", ""),
    ])
}

/// Add fragments, release `version`, and bring the release back to `main`.
fn release(root: &Path, version: &str, date: &str, fragments: &[(&str, &str)]) -> String {
    let flags = ["--yes", "--no-edit", "--date", date];
    release_and_merge(root, version, &flags, fragments, "false")
}

/// rc1, rc2 (with a newer text for one rc1 entry), then the final release; `reference(n)`
/// is how an entry refers to PR `n`, `heading(v)` the start of a release heading.
fn cycle(towncrier: &str, reference: fn(u64) -> String, heading: fn(&str) -> String) -> String {
    let repo = project(towncrier);
    let root = repo.path();
    release(
        root,
        "1.1.0rc1",
        "2025-02-01",
        &[
            ("10.feature.md", "Add the scheduler\n"),
            ("11.bugfix.md", "Fix the crash on start\n"),
        ],
    );
    release(
        root,
        "1.1.0rc2",
        "2025-02-10",
        &[
            ("10.feature.md", "Add the fair-share scheduler\n"),
            ("12.feature.md", "Add the dashboard\n"),
        ],
    );
    let rcs = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(
        rcs.contains(&heading("1.1.0rc1")) && rcs.contains(&heading("1.1.0rc2")),
        "{rcs}"
    );
    let stderr = release(
        root,
        "1.1.0",
        "2025-03-01",
        &[("13.bugfix.md", "Fix the quota check\n")],
    );
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(
        !log.contains("1.1.0rc"),
        "the rc sections are folded:\n{log}"
    );
    assert_eq!(log.matches(&heading("1.1.0")).count(), 1, "{log}");
    for (n, text) in [
        (10, "Add the fair-share scheduler"),
        (11, "Fix the crash on start"),
        (12, "Add the dashboard"),
        (13, "Fix the quota check"),
    ] {
        let lines: Vec<&str> = log.lines().filter(|l| l.contains(&reference(n))).collect();
        assert_eq!(lines.len(), 1, "#{n} once:\n{log}");
        assert!(lines[0].contains(text), "#{n}: {}", lines[0]);
    }
    assert!(
        !log.contains("Add the scheduler ("),
        "rc1's text was replaced"
    );
    assert!(
        stderr.contains(
            "#10 in Features: \"Add the scheduler\" from 1.1.0rc1 replaced by \
             \"Add the fair-share scheduler\" from 1.1.0rc2"
        ),
        "{stderr}"
    );
    let left: Vec<String> = std::fs::read_dir(root.join("changes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, [".gitkeep"], "every fragment consumed");
    log
}

#[test]
fn an_rc_cycle_on_the_default_markdown_template() {
    let _ = cycle("", |n| format!("(#{n})"), |v| format!("# demo {v} ("));
}

#[test]
fn an_rc_cycle_with_link_definitions() {
    // towncrier's template writes `([#10])` in the entry and `[#10]: url` after the list.
    let log = cycle(
        "issue_format = \"[#{issue}]: https://example.com/{issue}\"",
        |n| format!("([#{n}])"),
        |v| format!("# demo {v} ("),
    );
    for n in 10..=13 {
        let definition = format!("[#{n}]: https://example.com/{n}\n");
        assert_eq!(
            log.matches(&definition).count(),
            1,
            "#{n} defined once:\n{log}"
        );
    }
}

#[test]
fn an_rc_cycle_with_a_keep_a_changelog_title() {
    let _ = cycle(
        "title_format = \"## [{version}] - {project_date}\"",
        |n| format!("(#{n})"),
        |v| format!("## [{v}] - "),
    );
}

#[test]
fn an_rc_cycle_with_an_issue_format_in_parentheses() {
    let _ = cycle(
        "issue_format = \"([#{issue}](https://example.com/{issue}))\"",
        |n| format!("(([#{n}](https://example.com/{n})))"),
        |v| format!("# demo {v} ("),
    );
}
