//! hostile18's 12: an issue named with characters beyond `[A-Za-z0-9_-]` (`c++-support`,
//! `feat(x)`, `ü-fix`, `+abc` with `orphan_prefix = ""`), reworded between rc1 and rc2, was
//! published twice by the final, silently. A format closed on both sides now reads a name as
//! exactly what it puts between its fixed parts; and whatever the reading, two inputs'
//! entries ending with the same reference none was read from are refused, never both
//! published. (Repro script: /work/hostile18/12-*.sh.)

use std::path::Path;

use proptest::prelude::*;

use git_release::changelog::{Changelog, RefFormat, issue_key};
use git_release::config::Config;
use git_release::version::Version;
use git_release::{consolidate, fragments, group, towncrier};

use crate::util::{self, git, one_error, release_and_merge, repo_with, run};

const LINKED: &str = "[#{issue}](https://github.com/o/demo/pull/{issue})";

fn project(format: &str, orphan_prefix: Option<&str>) -> tempfile::TempDir {
    let orphan = orphan_prefix.map_or(String::new(), |p| format!("orphan_prefix = \"{p}\"\n"));
    repo_with(&[
        (
            "pyproject.toml",
            &format!(
                "[project]\nname = \"demo\"\nversion = \"1.0.0\"\n\n[tool.towncrier]\n\
                 directory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
                 title_format = \"## {{version}} ({{project_date}})\"\n\
                 issue_format = \"{format}\"\n{orphan}"
            ),
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n\
             ### Features\n\n- First. ([#1](https://github.com/o/demo/pull/1))\n",
        ),
        ("changes/.gitkeep", ""),
    ])
}

/// The section of `version` in the changelog at `root`.
fn section(root: &Path, version: &str) -> String {
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let start = log.find(&format!("## {version} (")).expect("the section");
    let rest = &log[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |e| e + 1);
    log[start..start + 3 + end].to_string()
}

const NAMES: [&str; 12] = [
    "c++-support",
    "a+b",
    "a@b",
    "a~b",
    "a!b",
    "feat(x)",
    "ü-fix",
    "a,b",
    "+abc",
    "x]y",
    "py3.14",
    "PROJ-7",
];

#[test]
fn names_beyond_letters_and_dashes_reworded_in_rc2_are_listed_once_by_the_final() {
    let repo = project(LINKED, Some(""));
    let root = repo.path();
    let old = |k: usize| format!("Add the feature number {k}.");
    let new = |k: usize| format!("Add the feature number {k} with retries.");
    let files = |text: &dyn Fn(usize) -> String| -> Vec<(String, String)> {
        (NAMES.iter().enumerate())
            .map(|(k, n)| (format!("{n}.feature.md"), format!("{}\n", text(k))))
            .collect()
    };
    let rc1 = files(&old);
    let rc1: Vec<(&str, &str)> = rc1.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    release_and_merge(root, "1.1.0rc1", &["--yes", "--no-edit"], &rc1, "true");
    let rc2 = files(&new);
    let rc2: Vec<(&str, &str)> = rc2.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    release_and_merge(root, "1.1.0rc2", &["--yes", "--no-edit"], &rc2, "true");
    let stderr = release_and_merge(root, "1.1.0", &["--yes", "--no-edit"], &[], "true");
    let final_section = section(root, "1.1.0");
    for (k, name) in NAMES.iter().enumerate() {
        let link = format!("[#{name}](https://github.com/o/demo/pull/{name})");
        let listed: Vec<&str> = final_section
            .lines()
            .filter(|l| l.contains(&link))
            .collect();
        assert_eq!(listed.len(), 1, "{name}: {listed:?}\n{final_section}");
        assert!(
            listed[0].contains(&new(k)),
            "{name}: rc2's words\n{final_section}"
        );
        // The reword is said, naming the issue as written.
        assert!(stderr.contains(name), "{name} in the notes\n{stderr}");
    }
    assert!(!final_section.contains("#### Orphan"), "{final_section}");
}

/// The safety net: with `#{issue}` a name such as `c++-support` is not read (`(#c++-support)`
/// ends an entry as prose could), so the fold cannot pair rc2's words with rc1's: refused,
/// naming both entries and what to do, nothing changed; done as said, the final goes.
#[test]
fn two_inputs_entries_ending_with_one_unread_reference_are_refused_not_listed_twice() {
    let repo = project("#{issue}", None);
    let root = repo.path();
    let rc1 = [("c++-support.feature.md", "Add C++ support.\n")];
    release_and_merge(root, "1.1.0rc1", &["--yes", "--no-edit"], &rc1, "true");
    let rc2 = [("c++-support.feature.md", "Add C++20 support.\n")];
    release_and_merge(root, "1.1.0rc2", &["--yes", "--no-edit"], &rc2, "true");
    let before = util::snapshot(root);
    let out = run(root, &["1.1.0", "--yes", "--no-edit"], "true");
    let stderr = one_error(&out, "final");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    for said in [
        "`Add C++ support. (#c++-support)`",
        "`Add C++20 support. (#c++-support)`",
        "`(#c++-support)`",
        "1.1.0rc1 section",
        "CHANGELOG.md",
    ] {
        assert!(stderr.contains(said), "{said}\n{stderr}");
    }
    assert_eq!(util::snapshot(root), before, "a refusal changes nothing");
    // As the message says: the older entry deleted from rc1's section, committed.
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let log = log.replace("- Add C++ support. (#c++-support)\n", "");
    util::write_file(root, "CHANGELOG.md", &log);
    util::commit_all(root, "rc1's entry reworded by rc2");
    release_and_merge(root, "1.1.0", &["--yes", "--no-edit"], &[], "true");
    let final_section = section(root, "1.1.0");
    assert_eq!(
        final_section.matches("(#c++-support)").count(),
        1,
        "{final_section}"
    );
    assert!(
        final_section.contains("Add C++20 support."),
        "{final_section}"
    );
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// Texts that only look alike stay: entries of one input (numbered fragments of one name),
/// and entries ending with a parenthesis that holds no reference.
#[test]
fn the_safety_net_leaves_one_inputs_entries_and_plain_parentheses_alone() {
    let repo = project("#{issue}", None);
    let root = repo.path();
    let rc1 = [
        ("c++-support.feature.md", "Add C++ support.\n"),
        ("c++-support.feature.1.md", "Add C++ docs.\n"),
        ("+a.feature.md", "Add the exporter (experimental).\n"),
    ];
    release_and_merge(root, "1.1.0rc1", &["--yes", "--no-edit"], &rc1, "true");
    let rc2 = [("+b.feature.md", "Add the importer (experimental).\n")];
    release_and_merge(root, "1.1.0rc2", &["--yes", "--no-edit"], &rc2, "true");
    release_and_merge(root, "1.1.0", &["--yes", "--no-edit"], &[], "true");
    let final_section = section(root, "1.1.0");
    for text in [
        "Add C++ support.",
        "Add C++ docs.",
        "Add the exporter (experimental).",
        "Add the importer (experimental).",
    ] {
        assert_eq!(
            final_section.matches(text).count(),
            1,
            "{text}\n{final_section}"
        );
    }
}

// --- the property: any name towncrier takes, read once through rc1, reworded rc2, final ---

const FORMATS: [&str; 3] = [
    LINKED,
    "[{issue}](https://acme.atlassian.net/browse/{issue})",
    "`{issue} <https://github.com/o/r/issues/{issue}>`_",
];

/// A name towncrier takes from a file name (`<name>.feature.md`): no `/`, no control
/// character, no separator dot, nothing to strip at its ends; Markdown's own characters
/// and letters beyond ASCII included.
fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_+@~!(),ü\\-\\[\\]#&*=$%'é ]{1,12}"
        .prop_filter("towncrier strips a name", |n| n.trim() == n)
        .prop_filter("a number is a number", |n| {
            !n.bytes().all(|b| b.is_ascii_digit())
        })
}

fn build(root: &Path, version: &str, files: &[(String, String)]) {
    for (name, body) in files {
        util::write_file(root, &format!("changes/{name}.feature.md"), body);
    }
    let config = Config::load(root).unwrap();
    let set = fragments::discover(&config).unwrap();
    towncrier::build(&config, &set, version, "2026-03-01", None, false).unwrap();
}

fn check(format: &str, names: &[String]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    util::write_files(
        root,
        &[
            (
                "pyproject.toml",
                &format!(
                    "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
                     title_format = \"## {{version}} ({{project_date}})\"\n\
                     orphan_prefix = \"\"\nissue_format = \"{}\"\n",
                    format.replace('\\', "\\\\").replace('"', "\\\"")
                ),
            ),
            (
                "CHANGELOG.md",
                "# Changelog\n\n<!-- towncrier release notes start -->\n",
            ),
            ("changes/.gitkeep", ""),
        ],
    );
    let text = |k: usize, newer: bool| match newer {
        false => format!("Add the change number {k}.\n"),
        true => format!("Add the change number {k} with retries.\n"),
    };
    let files = |newer: bool| -> Vec<(String, String)> {
        (names.iter().enumerate())
            .map(|(k, n)| (n.clone(), text(k, newer)))
            .collect()
    };
    build(root, "2.0.0rc1", &files(false));
    build(root, "2.0.0rc2", &files(true));
    let config = Config::load(root).unwrap();
    let refs = RefFormat::new(Some(format));
    // Every name is read as the key the fragment's own rendering gives.
    for n in names {
        prop_assert_eq!(refs.fragment_key(n), issue_key(n), "{}", n);
    }
    let version = Version::parse("2.0.0").unwrap();
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let prepared =
        consolidate::prepare(&config, &version, "2026-03-01", &group::Settings::default())
            .map_err(|e| TestCaseError::fail(format!("refused: {e}\n{log}")))?;
    consolidate::write(&prepared, &prepared.grouped.release(), false, true, None).unwrap();
    let written = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let reread = Changelog::parse_project(&written, Some(&config.towncrier.start_string), &refs);
    let release = &reread.releases()[reread.find(&version).expect("the final's section")];
    let entries: Vec<_> = release.entries().collect();
    prop_assert_eq!(entries.len(), names.len(), "{}", written);
    for (k, n) in names.iter().enumerate() {
        let key = issue_key(n).unwrap();
        let listing: Vec<_> = entries.iter().filter(|e| e.prs.contains(&key)).collect();
        prop_assert_eq!(listing.len(), 1, "{} in\n{}", n, written);
        prop_assert_eq!(&listing[0].prs, &vec![key], "{}", written);
        prop_assert_eq!(
            format!("{}\n", listing[0].text),
            text(k, true),
            "{}",
            written
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_name_towncrier_takes_is_listed_once_after_rc1_rc2_reworded_and_final(
        format in 0..FORMATS.len(),
        names in proptest::collection::btree_set(name(), 1..5),
    ) {
        check(FORMATS[format], &names.into_iter().collect::<Vec<_>>())?;
    }
}

/// hostile18/10: group descriptions keep the case the entries write a name in (`Redis`,
/// `S3`), where they wrote `redis cluster support` and `s3 presigned URLs`.
#[test]
fn group_descriptions_keep_the_names_the_entries_capitalise() {
    let repo = project(LINKED, None);
    let root = repo.path();
    let texts = [
        "Add Redis cluster support.",
        "Add Redis TLS options.",
        "Add Redis stream consumer groups.",
        "Add S3 multipart upload.",
        "Add S3 presigned URLs.",
        "Add S3 bucket listing.",
        "Add metrics endpoint.",
    ];
    let files: Vec<(String, String)> = (texts.iter().enumerate())
        .map(|(k, t)| (format!("{}.feature.md", 20 + k), format!("{t}\n")))
        .collect();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    release_and_merge(root, "1.1.0", &["--yes", "--no-edit"], &files, "true");
    let final_section = section(root, "1.1.0");
    let descriptions: Vec<&str> = final_section
        .lines()
        .filter(|l| l.starts_with("Added"))
        .collect();
    assert_eq!(descriptions.len(), 2, "{final_section}");
    for d in descriptions {
        let words: Vec<&str> = d.split([' ', '.']).collect();
        assert!(
            !words.contains(&"redis") && !words.contains(&"s3"),
            "{d}\n{final_section}"
        );
    }
}
