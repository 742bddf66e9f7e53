//! hostile17's breaks 03 and 15: references read as the project's `issue_format` writes
//! them. A bare `{issue}` (pip-tools, aio-libs) makes every number a possible reference, so
//! references are only where towncrier's templates put them, at the end of an entry — the
//! release heading's version and date are never any; and an issue may be a name
//! (`PROJ-12`, as towncrier takes it from `changes/PROJ-12.feature.md`), one change however
//! often it is reworded, as `#12` is.

use std::path::Path;

use proptest::prelude::*;

use git_release::changelog::{Changelog, RefFormat, issue_key};
use git_release::config::Config;
use git_release::version::Version;
use git_release::{consolidate, fragments, group, towncrier};

use crate::util::{self, fixtures, git, ok, release_and_merge, repo_from, repo_with, run};

/// The section of `version` in the changelog at `root`.
fn section(root: &Path, version: &str) -> String {
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let start = log
        .find(&format!("## {version}\n"))
        .or_else(|| log.find(&format!("## {version} (")))
        .unwrap_or_else(|| panic!("no {version} section in\n{log}"));
    let rest = &log[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |e| e + 1);
    log[start..start + 3 + end].to_string()
}

#[test]
fn a_bare_issue_format_final_folds_its_rcs_with_the_real_pip_tools_template() {
    let dir = repo_from(&fixtures().join("pip-tools-bare-issue"));
    let root = dir.path();
    util::write_file(root, "VERSION", "v7.7.0\n");
    util::commit_all(root, "version");
    let frag =
        |issue: &str, kind: &str, text: &str| (format!("{issue}.{kind}.md"), format!("{text}\n"));
    let write = |files: &[(String, String)]| {
        for (name, text) in files {
            util::write_file(root, &format!("changelog.d/{name}"), text);
        }
        util::commit_all(root, "fragments");
    };
    let rc = |version: &str| {
        let out = run(root, &[version, "--yes", "--no-edit"], "true");
        ok(&out, version);
        git(root, &["checkout", "-q", "main"]);
        git(
            root,
            &["merge", "-q", "--ff-only", &format!("release/{version}")],
        );
    };
    write(&[frag(
        "2510",
        "bugfix",
        "Fixed `pip-compile` crash -- by {user}`bob`.",
    )]);
    rc("7.8.0rc1");
    write(&[
        frag(
            "2510",
            "bugfix",
            "Fixed `pip-compile` crash on Python 3.15 -- by {user}`bob`.",
        ),
        frag(
            "2511",
            "feature",
            "Added `--foo` for 2 commands -- by {user}`ann`.",
        ),
    ]);
    rc("7.8.0rc2");
    // One text for a PR and a commit: the template lists the commit on a line of its own.
    write(&[
        frag("2512", "feature", "Added `--bar` -- by {user}`ann`."),
        frag("abc1234", "feature", "Added `--bar` -- by {user}`ann`."),
    ]);
    let out = run(root, &["7.8.0", "--yes"], "true");
    ok(&out, "the final 7.8.0");
    let stderr = util::text(&out.stderr);
    let final_section = section(root, "7.8.0");
    for issue in ["2510", "2511", "2512"] {
        let n = final_section
            .matches(&format!("{{issue}}`{issue}`"))
            .count();
        assert_eq!(n, 1, "{issue}:\n{final_section}");
    }
    assert!(
        final_section.contains("*Related commits:* {commit}`abc1234`"),
        "{final_section}"
    );
    assert!(
        final_section.contains("crash on Python 3.15"),
        "{final_section}"
    );
    assert!(!final_section.contains("crash -- by"), "{final_section}");
    assert!(stderr.contains("#2510 in Bug fixes"), "{stderr}");
    // The rc sections are folded away, the history below left as it was.
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(!log.contains("7.8.0rc"), "{log}");
    let history =
        std::fs::read_to_string(fixtures().join("pip-tools-bare-issue/CHANGELOG.md")).unwrap();
    let old = &history[history.find("## v7.7.0").unwrap()..];
    assert!(log.ends_with(old), "{log}");
}

/// A project with towncrier's default Markdown template and this `issue_format`.
fn project(format: &str) -> tempfile::TempDir {
    let pyproject = format!(
        "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
         title_format = \"## {{version}} ({{project_date}})\"\nissue_format = \"{format}\"\n"
    );
    repo_with(&[
        ("pyproject.toml", pyproject.as_str()),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n",
        ),
        ("changes/.gitkeep", ""),
        ("VERSION", "0.9.0\n"),
    ])
}

#[test]
fn a_bare_issue_format_reads_no_number_of_a_heading_date_or_text_as_a_reference() {
    let dir = project("{issue}");
    let root = dir.path();
    let date = ["--yes", "--no-edit", "--date", "2025-12-06"];
    release_and_merge(
        root,
        "1.1.0rc1",
        &date,
        &[
            ("12.feature.md", "Support Python 3.15 and 2 new options.\n"),
            ("+a.feature.md", "Run on Python 2.\n"),
            ("+b.feature.md", "Drop Python 2.\n"),
        ],
        "true",
    );
    release_and_merge(
        root,
        "1.1.0rc2",
        &date,
        &[(
            "12.feature.md",
            "Support Python 3.15 and two new options.\n",
        )],
        "true",
    );
    util::write_file(
        root,
        "changes/13.feature.md",
        "Add 12 presets (v1.0 format).\n",
    );
    util::commit_all(root, "13");
    let out = run(root, &["1.1.0", "--yes", "--date", "2025-12-06"], "true");
    ok(&out, "the final 1.1.0");
    let s = section(root, "1.1.0");
    assert!(s.starts_with("## 1.1.0 (2025-12-06)\n"), "{s}");
    assert_eq!(s.matches("(12)").count(), 1, "{s}");
    assert!(
        s.contains("- Support Python 3.15 and two new options. (12)"),
        "{s}"
    );
    assert!(s.contains("- Add 12 presets (v1.0 format). (13)"), "{s}");
    // Orphans alike but for the number are two entries, each once.
    assert_eq!(s.matches("- Run on Python 2.\n").count(), 1, "{s}");
    assert_eq!(s.matches("- Drop Python 2.\n").count(), 1, "{s}");
    assert_eq!(s.matches("\n- ").count(), 4, "{s}");
}

/// Jira-style names in every kind of format: an rc's entry reworded in a later rc is one
/// entry in the final, the newer text, noted — as a number is; and the entries in
/// towncrier's order (names before numbers, names as strings).
#[test]
fn an_issue_name_reworded_in_a_later_rc_is_published_once_for_every_format() {
    let formats = [
        "[{issue}](https://acme.atlassian.net/browse/{issue})",
        "#{issue}",
        "{issue}",
        "GH-{issue}",
        "PR {issue}",
        "https://acme.atlassian.net/browse/{issue}",
        "[#{issue}](https://acme.atlassian.net/browse/{issue})",
    ];
    for format in formats {
        let dir = project(format);
        let root = dir.path();
        let flags = ["--yes", "--no-edit", "--date", "2025-12-06"];
        release_and_merge(
            root,
            "1.0.0rc1",
            &flags,
            &[
                ("PROJ-12.feature.md", "Add export.\n"),
                ("7.feature.md", "Add seven.\n"),
            ],
            "true",
        );
        release_and_merge(
            root,
            "1.0.0rc2",
            &flags,
            &[("PROJ-12.feature.md", "Add export to CSV and JSON.\n")],
            "true",
        );
        util::write_file(root, "changes/PROJ-15.feature.md", "Add import.\n");
        util::write_file(root, "changes/ABC-3.feature.md", "Add audit.\n");
        util::commit_all(root, "new");
        let out = run(root, &["1.0.0", "--yes", "--date", "2025-12-06"], "true");
        ok(&out, &format!("the final with {format}"));
        let stderr = util::text(&out.stderr);
        let s = section(root, "1.0.0");
        let texts: Vec<&str> = s
            .lines()
            .filter_map(|l| l.strip_prefix("- "))
            .map(|l| l.split(" (").next().unwrap_or_default())
            .collect();
        assert_eq!(
            texts,
            [
                "Add audit.",
                "Add export to CSV and JSON.",
                "Add import.",
                "Add seven."
            ],
            "{format}:\n{s}"
        );
        assert!(
            stderr.contains("PROJ-12 in Features: \"Add export.\" from 1.0.0rc1 replaced"),
            "{format}: {stderr}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Property: rc1 → rc2 (reworded) → final lists each issue exactly once
// ---------------------------------------------------------------------------------------

const FORMATS: [&str; 8] = [
    "{issue}",
    "#{issue}",
    "({issue})",
    "GH-{issue}",
    "PR {issue}",
    "https://github.com/o/r/pull/{issue}",
    "[#{issue}](https://github.com/o/r/pull/{issue})",
    "[{issue}](https://acme.atlassian.net/browse/{issue})",
];

const WORDS: [&str; 6] = [
    "scheduler",
    "client",
    "agent",
    "puller",
    "quota",
    "registry",
];

#[derive(Debug, Clone)]
struct Flow {
    format: usize,
    /// The issues, distinct: numbers and trackers' keys.
    issues: Vec<String>,
    /// Which issues rc2 rewords, and which the final's fragments add (besides rc1's).
    reworded: Vec<bool>,
    /// How many of the issues rc1 lists (the rest come with rc2 or the final).
    in_rc1: usize,
    in_rc2: usize,
}

fn issue() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..3000).prop_map(|n| n.to_string()),
        ("[A-Z]{1,4}", 1u32..300).prop_map(|(k, n)| format!("{k}-{n}")),
        ("[a-z]{2,3}", 1u32..30).prop_map(|(k, n)| format!("{k}-{n}")),
    ]
}

fn flow() -> impl Strategy<Value = Flow> {
    (
        0..FORMATS.len(),
        proptest::collection::btree_set(issue(), 1..6),
    )
        .prop_flat_map(|(format, issues)| {
            let issues: Vec<String> = issues.into_iter().collect();
            let n = issues.len();
            (
                Just(format),
                Just(issues),
                proptest::collection::vec(any::<bool>(), n),
                1..=n,
            )
        })
        .prop_flat_map(|(format, issues, reworded, in_rc1)| {
            let n = issues.len();
            (
                Just(format),
                Just(issues),
                Just(reworded),
                Just(in_rc1),
                in_rc1..=n,
            )
        })
        .prop_map(|(format, issues, reworded, in_rc1, in_rc2)| Flow {
            format,
            issues,
            reworded,
            in_rc1,
            in_rc2,
        })
}

fn text(k: usize, newer: bool) -> String {
    match newer {
        false => format!("Add the {} hook.", WORDS[k % WORDS.len()]),
        true => format!("Add the {} hook with retries.", WORDS[k % WORDS.len()]),
    }
}

fn build(root: &Path, version: &str, fragments_now: &[(String, String)]) {
    for (issue, body) in fragments_now {
        util::write_file(
            root,
            &format!("changes/{issue}.feature.md"),
            &format!("{body}\n"),
        );
    }
    let config = Config::load(root).unwrap();
    let set = fragments::discover(&config).unwrap();
    towncrier::build(&config, &set, version, "2026-03-01", None, false).unwrap();
}

fn check(flow: &Flow) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let format = FORMATS[flow.format];
    util::write_files(
        root,
        &[
            (
                "pyproject.toml",
                &format!(
                    "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
                     title_format = \"## {{version}} ({{project_date}})\"\n\
                     issue_format = \"{format}\"\n"
                ),
            ),
            (
                "CHANGELOG.md",
                "# Changelog\n\n<!-- towncrier release notes start -->\n",
            ),
            ("changes/.gitkeep", ""),
        ],
    );
    let issues = &flow.issues;
    let rc1: Vec<(String, String)> = (0..flow.in_rc1)
        .map(|k| (issues[k].clone(), text(k, false)))
        .collect();
    build(root, "2.0.0rc1", &rc1);
    // rc2: the reworded of rc1's, and the issues first listed there.
    let mut rc2: Vec<(String, String)> = (0..flow.in_rc1)
        .filter(|&k| flow.reworded[k])
        .map(|k| (issues[k].clone(), text(k, true)))
        .collect();
    rc2.extend((flow.in_rc1..flow.in_rc2).map(|k| (issues[k].clone(), text(k, false))));
    if !rc2.is_empty() {
        build(root, "2.0.0rc2", &rc2);
    }
    for (k, issue) in issues.iter().enumerate().skip(flow.in_rc2) {
        util::write_file(
            root,
            &format!("changes/{issue}.feature.md"),
            &format!("{}\n", text(k, false)),
        );
    }
    let config = Config::load(root).unwrap();
    let version = Version::parse("2.0.0").unwrap();
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let prepared =
        consolidate::prepare(&config, &version, "2026-03-01", &group::Settings::default())
            .map_err(|e| TestCaseError::fail(format!("refused: {e}\n{log}")))?;
    consolidate::write(&prepared, &prepared.grouped.release(), false, true, None).unwrap();
    let written = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let refs = RefFormat::new(Some(format));
    let reread = Changelog::parse_project(&written, Some(&config.towncrier.start_string), &refs);
    let release = &reread.releases()[reread.find(&version).expect("the final's section")];
    let entries: Vec<_> = release.entries().collect();
    prop_assert_eq!(entries.len(), issues.len(), "{}", written);
    for (k, issue) in issues.iter().enumerate() {
        let key = issue_key(issue).unwrap();
        let listing: Vec<_> = entries.iter().filter(|e| e.prs.contains(&key)).collect();
        prop_assert_eq!(listing.len(), 1, "{} in\n{}", issue, written);
        let newer = k < flow.in_rc1 && flow.reworded[k];
        prop_assert_eq!(&listing[0].text, &text(k, newer), "{}", written);
        prop_assert_eq!(&listing[0].prs, &vec![key], "{}", written);
    }
    prop_assert!(!written.contains("2.0.0rc"), "{}", written);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn each_issue_is_listed_once_after_rc1_rc2_reworded_and_final(flow in flow()) {
        check(&flow)?;
    }
}
