//! The changelog model against real Backend.AI changelogs and crafted inputs.

use std::path::{Path, PathBuf};

use git_release::changelog::{
    Category, Changelog, Entry, ProblemKind, Release, Severity, Subsection,
};
use git_release::error::Error;
use git_release::version::Version;
use proptest::prelude::*;

const FINALS: [&str; 4] = ["25.17.0", "25.18.0", "26.1.0", "26.2.0"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/backend-ai")
}

fn fixture_changelogs() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = glob::glob(&format!("{}/*/*/CHANGELOG.md", fixtures().display()))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 14, "seven cases, before/ and after/");
    paths
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

#[test]
fn every_fixture_round_trips_byte_for_byte() {
    for path in fixture_changelogs() {
        let text = read(&path);
        let log = Changelog::parse(&text);
        assert_eq!(log.to_string(), text, "{}", path.display());
        // 26.2.0's release commit left two blank lines after the start string.
        let preamble = log.preamble();
        assert!(
            preamble.ends_with("<!-- towncrier release notes start -->\n\n")
                || preamble.ends_with("start -->\n\n\n")
        );
        assert_eq!(log.level(), 2);
        assert!(log.releases().len() > 40, "{}", path.display());
        let last = log.releases().last().unwrap();
        assert_eq!(last.title(), "24.03 and earlier");
        assert!(last.is_free_form());
        assert_eq!(last.loose_entries().len(), 1);
    }
}

#[test]
fn reading_a_missing_file_is_none_and_writing_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        Changelog::read(&dir.path().join("CHANGELOG.md"))
            .unwrap()
            .is_none()
    );
    let text = read(&fixtures().join("26.1.0/after/CHANGELOG.md"));
    let out = dir.path().join("CHANGELOG.md");
    Changelog::parse(&text).write(&out).unwrap();
    assert_eq!(read(&out), text);
    let again = Changelog::read_with(&out, Some("<!-- towncrier release notes start -->\n"))
        .unwrap()
        .unwrap();
    assert_eq!(again.as_str(), text);
}

#[test]
fn final_sections_match_gold() {
    for version in FINALS {
        let case = fixtures().join(version);
        let gold: serde_json::Value = serde_json::from_str(&read(&case.join("gold.json"))).unwrap();
        let log = Changelog::parse(&read(&case.join("after/CHANGELOG.md")));
        let index = log.find(&v(version)).expect("the final section");
        assert_eq!(index, 0);
        let release = &log.releases()[index];
        let view = serde_json::to_value(release.view()).unwrap();
        assert_eq!(view["version"], gold["version"], "{version}");
        assert_eq!(view["date"], gold["date"], "{version}");

        let mut expected = gold["categories"].clone();
        // gold kept a separator comma in one two-line entry; ours is clean.
        for category in expected.as_array_mut().unwrap() {
            for group in category["groups"].as_array_mut().unwrap() {
                for item in group["items"].as_array_mut().unwrap() {
                    let text = item["text"].as_str().unwrap();
                    if item["prs"].as_array().unwrap().len() > 1 && text.ends_with(',') {
                        item["text"] = text.trim_end_matches(',').into();
                    }
                }
            }
        }
        let ours = &view["categories"];
        let names = |c: &serde_json::Value| -> Vec<String> {
            c.as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(ours), names(&expected), "{version}: category names");
        for (o, e) in ours
            .as_array()
            .unwrap()
            .iter()
            .zip(expected.as_array().unwrap())
        {
            let (og, eg) = (
                o["groups"].as_array().unwrap(),
                e["groups"].as_array().unwrap(),
            );
            assert_eq!(og.len(), eg.len(), "{version} {}: groups", e["name"]);
            for (a, b) in og.iter().zip(eg) {
                assert_eq!(a, b, "{version} {}", e["name"]);
            }
        }
        assert_eq!(ours, &expected, "{version}");
    }
}

#[test]
fn the_two_line_multi_pr_entry_is_clean() {
    let log = Changelog::parse(&read(&fixtures().join("26.2.0/after/CHANGELOG.md")));
    let entry = log.releases()[0]
        .entries()
        .find(|e| e.prs.contains(&8796))
        .expect("entry 8796");
    assert_eq!(entry.prs, [8796, 8814]);
    assert_eq!(
        entry.text,
        "Handle missing scratch recovery files gracefully to prevent agent startup failure"
    );
    assert_eq!(entry.raw.lines().count(), 2);
    assert_eq!(entry.line, 266);
}

#[test]
fn rendering_a_parsed_final_section_gives_its_source_back() {
    for version in FINALS {
        let log = Changelog::parse(&read(&fixtures().join(version).join("after/CHANGELOG.md")));
        let release = &log.releases()[0];
        assert_eq!(
            release.render(log.level()),
            log.section_text(0),
            "{version}"
        );
        // Rendering is a function of the structure: a copy built field by field renders the same.
        let mut rebuilt = Release::new(release.version().unwrap(), release.date());
        rebuilt.categories = release.categories.clone();
        assert_eq!(rebuilt.render(2), release.render(2), "{version}");
    }
}

#[test]
fn the_real_duplicated_rc_heading_is_a_warning_with_both_lines() {
    let path = fixtures().join("26.4.4rc9/before/CHANGELOG.md");
    let log = Changelog::parse(&read(&path));
    let dups: Vec<_> = log
        .problems()
        .iter()
        .filter(|p| p.kind == ProblemKind::DuplicateRelease)
        .collect();
    assert_eq!(dups.len(), 1, "{:#?}", log.problems());
    assert_eq!(dups[0].severity, Severity::Warning);
    assert_eq!(dups[0].lines, [32, 38]);
    assert_eq!(dups[0].line, 38);
    assert!(dups[0].message.contains("26.4.4rc7"), "{}", dups[0].message);
    // Only warnings in real data: check passes.
    log.check(&path).unwrap();
    // Both rc7 sections belong to 26.4.4 and are found, in file order.
    let rcs = log.releases_for(&v("26.4.4"));
    let titles: Vec<&str> = rcs.iter().map(|&i| log.releases()[i].title()).collect();
    assert_eq!(titles.len(), 9);
    assert_eq!(titles[0], "26.4.4rc8 (2026-06-11)");
    assert_eq!(titles[1], "26.4.4rc7 (2026-06-10)");
    assert_eq!(titles[2], "26.4.4rc7 (2026-06-10)");
    assert_eq!(titles[8], "26.4.4rc1 (2026-04-27)");
    // The problems touching the rc sections are the duplicate only.
    let touching = log.problems_for(&rcs);
    assert_eq!(touching.len(), 1);
    assert_eq!(touching[0].kind, ProblemKind::DuplicateRelease);
}

#[test]
fn the_glued_heading_is_entry_text_and_a_warning() {
    let log = Changelog::parse(&read(&fixtures().join("26.4.4rc9/before/CHANGELOG.md")));
    assert!(
        log.releases()
            .iter()
            .all(|r| r.title() != "24.03.0rc1 (2024-03-31)")
    );
    let glued: Vec<_> = log
        .problems()
        .iter()
        .filter(|p| p.kind == ProblemKind::GluedHeading)
        .collect();
    assert_eq!(glued.len(), 1);
    assert_eq!(glued[0].line, 4054);
    assert_eq!(glued[0].severity, Severity::Warning);
    let entry = log
        .releases()
        .iter()
        .flat_map(|r| r.entries())
        .find(|e| e.line == 4054)
        .unwrap();
    assert!(entry.raw.ends_with(")## 24.03.0rc1 (2024-03-31)"));
    // What follows the glued heading repeats categories of the release above: that is
    // said once, not as one warning per repeated category.
    assert!(
        glued[0]
            .message
            .contains("more of `## 24.09.0b1 (2024-09-30)`"),
        "{}",
        glued[0].message
    );
    assert!(
        !log.problems()
            .iter()
            .any(|p| p.kind == ProblemKind::DuplicateCategory)
    );
    assert!(
        log.problems()
            .iter()
            .all(|p| p.severity == Severity::Warning)
    );
}

#[test]
fn no_significant_changes_sections_have_no_categories() {
    let log = Changelog::parse(&read(&fixtures().join("26.4.4rc9/before/CHANGELOG.md")));
    let r = &log.releases()[log.find(&v("25.7.0")).unwrap()];
    assert!(r.categories.is_empty());
    assert_eq!(r.entries().count(), 0);
    assert_eq!(
        log.section_text(log.find(&v("25.7.0")).unwrap()),
        "## 25.7.0 (2025-04-28)\nNo significant changes.\n"
    );
}

#[test]
fn multi_line_entries_keep_their_continuation_lines() {
    let log = Changelog::parse(&read(&fixtures().join("26.4.4rc9/before/CHANGELOG.md")));
    let e = log
        .releases()
        .iter()
        .flat_map(|r| r.entries())
        .find(|e| e.prs == [10971])
        .unwrap();
    assert_eq!(e.raw.lines().count(), 6);
    assert!(e.text.starts_with("Add optional --with-sftp-agent option"));
    assert!(e.text.ends_with("cold image fetch."));
    // A blank line inside an entry, followed by indented lines, continues it.
    let e = log
        .releases()
        .iter()
        .flat_map(|r| r.entries())
        .find(|e| e.prs == [10275])
        .unwrap();
    assert!(e.raw.contains("\n\n  Key additions:"));
    assert!(e.text.starts_with("Integrate pyinfra deployment framework"));
}

// ---------------------------------------------------------------------------------------
// Problems on crafted inputs
// ---------------------------------------------------------------------------------------

const HEAD: &str = "# Changes\n\n<!-- towncrier release notes start -->\n\n";

#[test]
fn a_duplicated_final_heading_is_an_error_naming_both_lines() {
    let text = format!(
        "{HEAD}## 2.0.0 (2024-02-01)\n\n### Fixes\n* a (#1)\n\n\n## 2.0.0 (2024-02-01)\n\n### Fixes\n* b (#2)\n\n\n## 1.0.0 (2024-01-01)\n\n### Fixes\n* c (#3)\n"
    );
    let log = Changelog::parse(&text);
    assert_eq!(log.to_string(), text);
    let p = &log.problems()[0];
    assert_eq!(p.kind, ProblemKind::DuplicateRelease);
    assert_eq!(p.severity, Severity::Error);
    assert_eq!(p.lines, [5, 11]);
    assert_eq!(p.releases, [0, 1]);
    let err = log.check(Path::new("CHANGELOG.md")).unwrap_err();
    match &err {
        Error::Changelog { line, message, .. } => {
            assert_eq!(*line, 11);
            assert!(
                message.contains(
                    "merge the two `## 2.0.0` sections (lines 5 and 11) into one, then re-run"
                ),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("CHANGELOG.md:11: "), "{err}");
}

#[test]
fn an_entry_outside_any_category_is_an_error_with_its_line() {
    let text =
        format!("{HEAD}## 1.1.0 (2024-02-01)\n\n* stray entry (#9)\n\n### Fixes\n* fine (#1)\n");
    let log = Changelog::parse(&text);
    let p = &log.problems()[0];
    assert_eq!(p.kind, ProblemKind::EntryOutsideCategory);
    assert_eq!(p.severity, Severity::Error);
    assert_eq!(p.line, 7);
    assert_eq!(log.releases()[0].loose_entries()[0].prs, [9]);
    let err = log.check(Path::new("CHANGELOG.md")).unwrap_err();
    assert!(matches!(err, Error::Changelog { line: 7, .. }), "{err}");
}

#[test]
fn a_subsection_outside_any_category_is_an_error() {
    let text = format!("{HEAD}## 1.1.0 (2024-02-01)\n\n#### Orphan\n* x (#1)\n");
    let log = Changelog::parse(&text);
    assert_eq!(log.problems().len(), 1, "{:?}", log.problems());
    assert_eq!(
        log.problems()[0].kind,
        ProblemKind::SubsectionOutsideCategory
    );
    assert_eq!(log.problems()[0].line, 7);
    assert_eq!(log.problems()[0].severity, Severity::Error);
}

#[test]
fn free_form_sections_are_not_validated() {
    let text = format!(
        "{HEAD}## 1.0.0 (2024-01-01)\n\n### Fixes\n* a (#1)\n\n\n## Older\n\n* link\n#### Loose\n* x\n"
    );
    let log = Changelog::parse(&text);
    assert!(log.problems().is_empty(), "{:?}", log.problems());
    assert_eq!(log.releases()[1].loose_entries().len(), 2);
}

#[test]
fn a_missing_date_is_a_warning_when_others_have_one() {
    let text = format!(
        "{HEAD}## 1.1.0\n\n### Fixes\n* a (#2)\n\n\n## 1.0.0 (2024-01-01)\n\n### Fixes\n* b (#1)\n"
    );
    let log = Changelog::parse(&text);
    assert_eq!(log.problems().len(), 1);
    let p = &log.problems()[0];
    assert_eq!(
        (p.kind, p.severity, p.line),
        (ProblemKind::MissingDate, Severity::Warning, 5)
    );
    log.check(Path::new("CHANGELOG.md")).unwrap();
    // Without any dated release nothing is reported.
    assert!(
        Changelog::parse("## 1.1.0\n\n### Fixes\n* a\n")
            .problems()
            .is_empty()
    );
}

#[test]
fn problems_for_selects_by_release() {
    let text = format!(
        "{HEAD}## 2.0.0rc2 (2024-02-02)\n\n### Fixes\n* a (#1)\n\n\n## 2.0.0rc2 (2024-02-02)\n\n### Fixes\n* b (#2)\n\n\n## 1.0.0 (2024-01-01)\n\n* loose (#3)\n\n### Fixes\n* c (#4)\n"
    );
    let log = Changelog::parse(&text);
    assert_eq!(log.problems().len(), 2);
    let rc = log.releases_for(&v("2.0.0"));
    assert_eq!(rc, [0, 1]);
    let ours = log.problems_for(&rc);
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].severity, Severity::Warning);
    let old = log.problems_for(&[2]);
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].kind, ProblemKind::EntryOutsideCategory);
}

// ---------------------------------------------------------------------------------------
// Releases by version, level, start
// ---------------------------------------------------------------------------------------

#[test]
fn releases_for_a_final_version_are_its_prereleases_in_file_order() {
    let log = Changelog::parse(&read(&fixtures().join("25.17.0/before/CHANGELOG.md")));
    let titles: Vec<String> = log
        .releases_for(&v("25.17.0"))
        .iter()
        .map(|&i| log.releases()[i].version().unwrap().to_string())
        .collect();
    assert_eq!(titles, ["25.17.0rc3", "25.17.0rc2", "25.17.0rc1"]);
    assert!(log.find(&v("25.17.0")).is_none());
    assert_eq!(
        log.releases()[log.find(&v("25.16.0")).unwrap()].date(),
        Some("2025-11-01")
    );
}

#[test]
fn level_one_changelogs_use_level_two_categories() {
    let text = "# Changelog\n\nSome intro.\n\n# 1.1.0 (2024-02-01)\n\n## Features\n\n### Group\nWhy.\n\n* a (#2)\n\n## Fixes\n* b (#3)\n\n\n# 1.0.0 (2024-01-01)\n\n## Fixes\n* c (#1)\n";
    let log = Changelog::parse(text);
    assert_eq!(log.to_string(), text);
    assert_eq!(log.level(), 1);
    assert_eq!(log.preamble(), "# Changelog\n\nSome intro.\n\n");
    assert_eq!(log.releases().len(), 2);
    let r = &log.releases()[0];
    assert_eq!(r.categories[0].subsections[0].title, "Group");
    assert_eq!(
        r.categories[0].subsections[0].description.as_deref(),
        Some("Why.")
    );
    assert_eq!(r.categories[1].entries[0].prs, [3]);
    assert_eq!(r.render(1), log.section_text(0));
    assert!(log.problems().is_empty(), "{:?}", log.problems());
}

#[test]
fn without_a_start_string_releases_start_at_the_first_heading() {
    let text = "Changes\n=======\n\nintro\n\n## Unreleased\n\n### Fixes\n* a\n\n\n## Backend 1.0.0 (2024-01-01)\n\n### Fixes\n* b (#1)\n";
    let log = Changelog::parse_with(text, None);
    assert_eq!(log.preamble(), "Changes\n=======\n\nintro\n\n");
    assert_eq!(log.releases().len(), 2);
    assert!(log.releases()[0].is_free_form());
    let r = &log.releases()[1];
    assert_eq!(r.name(), Some("Backend"));
    assert_eq!(r.version(), Some(&v("1.0.0")));
    assert_eq!(r.date(), Some("2024-01-01"));
}

// ---------------------------------------------------------------------------------------
// Edits and spacing
// ---------------------------------------------------------------------------------------

fn entry(raw: &str) -> Entry {
    Entry::parse(raw, 0)
}

fn sample_release() -> Release {
    let mut features = Category::new("Features");
    features.subsections.push(Subsection::new(
        "Fair Share Scheduler",
        Some("Implemented a Fair Share scheduling system.".into()),
        vec![entry("* Add Fair Share row models ([#8008](https://github.com/lablup/backend.ai/issues/8008))"),
             entry("* Implement the repository layers ([#8030](https://github.com/lablup/backend.ai/issues/8030))")],
    ));
    features.subsections.push(Subsection::new(
        "Other Features",
        None,
        vec![entry(
            "* Add a flag ([#8100](https://github.com/lablup/backend.ai/issues/8100))",
        )],
    ));
    let mut fixes = Category::new("Fixes");
    fixes.entries.push(entry("* Fix a crash ([#8200](https://github.com/lablup/backend.ai/issues/8200)),\n  ([#8201](https://github.com/lablup/backend.ai/issues/8201))"));
    let mut docs = Category::new("Documentation Updates");
    docs.entries.push(entry(
        "* Document X ([#8300](https://github.com/lablup/backend.ai/issues/8300))",
    ));
    let mut r = Release::new(&v("26.1.0"), Some("2026-01-26"));
    r.categories = vec![features, fixes, docs];
    r
}

#[test]
fn rendering_snapshot() {
    insta::assert_snapshot!(sample_release().render(2));
}

#[test]
fn rendered_releases_parse_back_to_the_same_structure() {
    let release = sample_release();
    let text = format!("{HEAD}{}", release.render(2));
    let log = Changelog::parse(&text);
    assert!(log.problems().is_empty());
    assert_eq!(log.releases()[0].view(), release.view());
    assert!(log.releases()[0].view().categories[0].groups[1].other);
}

#[test]
fn replacing_rc_sections_keeps_every_other_byte_and_the_spacing() {
    let before = read(&fixtures().join("25.17.0/before/CHANGELOG.md"));
    let mut log = Changelog::parse(&before);
    let rcs = log.releases_for(&v("25.17.0"));
    let first = rcs[0];
    assert_eq!(first, 0);
    let rest_start = log.releases()[rcs[rcs.len() - 1] + 1].line();
    let mut release = Release::new(&v("25.17.0"), Some("2025-11-23"));
    release.categories.push(Category::new("Fixes"));
    release.categories[0].entries.push(entry("* Fix it (#1)"));
    let removed = log.replace(&rcs, &release);
    assert_eq!(removed.len(), 3);
    let after = log.to_string();
    let expected_tail = before
        .lines()
        .skip(rest_start - 1)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let head = log.preamble().to_string();
    assert_eq!(
        after,
        format!("{head}## 25.17.0 (2025-11-23)\n\n### Fixes\n* Fix it (#1)\n\n\n{expected_tail}")
    );
    assert_eq!(log.releases()[0].line(), 19);
    assert!(
        log.problems()
            .iter()
            .all(|p| p.severity == Severity::Warning)
    );
}

fn three() -> String {
    format!(
        "{HEAD}## 1.2.0 (2024-03-01)\n\n### Fixes\n* c (#3)\n\n\n## 1.1.0 (2024-02-01)\n\n### Fixes\n* b (#2)\n\n\n## 1.0.0 (2024-01-01)\n\n### Fixes\n* a (#1)\n"
    )
}

#[test]
fn removing_sections_leaves_no_doubled_or_missing_blank_lines() {
    let mut log = Changelog::parse(&three());
    log.remove(&[1]);
    assert_eq!(
        log.as_str(),
        format!(
            "{HEAD}## 1.2.0 (2024-03-01)\n\n### Fixes\n* c (#3)\n\n\n## 1.0.0 (2024-01-01)\n\n### Fixes\n* a (#1)\n"
        )
    );
    let mut log = Changelog::parse(&three());
    log.remove(&[2]);
    assert_eq!(
        log.as_str(),
        format!(
            "{HEAD}## 1.2.0 (2024-03-01)\n\n### Fixes\n* c (#3)\n\n\n## 1.1.0 (2024-02-01)\n\n### Fixes\n* b (#2)\n"
        )
    );
    let mut log = Changelog::parse(&three());
    log.remove(&[0]);
    assert!(
        log.as_str()
            .starts_with(&format!("{HEAD}## 1.1.0 (2024-02-01)\n"))
    );
    let mut log = Changelog::parse(&three());
    let removed = log.remove(&[0, 1, 2]);
    assert_eq!(removed.len(), 3);
    assert_eq!(log.as_str(), HEAD);
    assert!(log.releases().is_empty());
}

#[test]
fn inserting_matches_the_files_spacing() {
    let mut release = Release::new(&v("1.3.0"), Some("2024-04-01"));
    release.categories.push(Category::new("Fixes"));
    release.categories[0].entries.push(entry("* d (#4)"));
    let section = "## 1.3.0 (2024-04-01)\n\n### Fixes\n* d (#4)\n";

    let mut log = Changelog::parse(&three());
    log.insert(0, &release);
    assert_eq!(
        log.as_str(),
        format!("{HEAD}{section}\n\n{}", &three()[HEAD.len()..])
    );

    let mut log = Changelog::parse(&three());
    log.insert(1, &release);
    let t = three();
    let at = t.find("## 1.1.0").unwrap();
    assert_eq!(
        log.as_str(),
        format!("{}{section}\n\n{}", &t[..at], &t[at..])
    );

    let mut log = Changelog::parse(&three());
    log.insert(3, &release);
    assert_eq!(log.as_str(), format!("{}\n\n{section}", three()));

    // A file that separates releases by one blank line gets one blank line.
    let tight = three().replace("\n\n\n## ", "\n\n## ");
    let mut log = Changelog::parse(&tight);
    log.insert(1, &release);
    let at = tight.find("## 1.1.0").unwrap();
    assert_eq!(
        log.as_str(),
        format!("{}{section}\n{}", &tight[..at], &tight[at..])
    );

    // The first release of an empty changelog comes one blank line after the start string.
    let mut log = Changelog::parse("# Changes\n\n<!-- towncrier release notes start -->\n");
    log.insert(0, &release);
    assert_eq!(log.as_str(), format!("{HEAD}{section}"));
    assert_eq!(log.releases().len(), 1);

    // CRLF files get CRLF, also for entries taken from a CRLF file.
    let crlf = three().replace('\n', "\r\n");
    let mut log = Changelog::parse(&crlf);
    let mut two_lines = release.clone();
    two_lines.categories[0].entries = vec![entry("* d\r\n  (#4)")];
    let mut copy = log.clone();
    copy.insert(0, &two_lines);
    assert!(copy.as_str().contains("* d\r\n  (#4)\r\n\r\n\r\n## 1.2.0"));
    assert!(!copy.as_str().contains("\r\r"));
    log.insert(0, &release);
    assert_eq!(
        log.as_str(),
        format!("{HEAD}{section}\n\n{}", &three()[HEAD.len()..]).replace('\n', "\r\n")
    );
}

#[test]
fn appending_after_a_last_line_without_newline() {
    let text = "## 1.0.0 (2024-01-01)\n\n### Fixes\n* a (#1)";
    let mut log = Changelog::parse(text);
    let mut release = Release::new(&v("0.9.0"), Some("2023-12-01"));
    release.categories.push(Category::new("Fixes"));
    log.insert(1, &release);
    assert_eq!(
        log.as_str(),
        "## 1.0.0 (2024-01-01)\n\n### Fixes\n* a (#1)\n\n\n## 0.9.0 (2023-12-01)\n\n### Fixes\n"
    );
}

// ---------------------------------------------------------------------------------------
// Arbitrary text
// ---------------------------------------------------------------------------------------

fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("## 1.0.0 (2024-01-01)".to_string()),
        Just("## 1.0.0rc1 (2024-01-01)".to_string()),
        Just("## 2.0.0".to_string()),
        Just("## Older releases".to_string()),
        Just("# 3.0.0 (2024-05-05)".to_string()),
        Just("#".to_string()),
        Just("##".to_string()),
        Just("### Features".to_string()),
        Just("### Fixes".to_string()),
        Just("#### Group".to_string()),
        Just("##### Deep".to_string()),
        Just("* entry ([#12](https://x/12))".to_string()),
        Just("* entry (#1), (#2)".to_string()),
        Just("- dash entry #3".to_string()),
        Just("  continued ([#4](u))".to_string()),
        Just("\tcontinued".to_string()),
        Just("text".to_string()),
        Just("No significant changes.".to_string()),
        Just("* x))## 1.2.3 (2024-01-01)".to_string()),
        Just("<!-- towncrier release notes start -->".to_string()),
        Just(String::new()),
        Just("   ".to_string()),
        "[ #*\\-a-z0-9().\\[\\]]{0,12}",
    ]
}

fn soup() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((line_strategy(), any::<bool>()), 0..40),
        any::<bool>(),
    )
        .prop_map(|(lines, trailing)| {
            let mut out = String::new();
            let n = lines.len();
            for (i, (line, crlf)) in lines.into_iter().enumerate() {
                out.push_str(&line);
                if i + 1 < n || trailing {
                    out.push_str(if crlf { "\r\n" } else { "\n" });
                }
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_round_trips(text in soup()) {
        let log = Changelog::parse(&text);
        prop_assert_eq!(log.to_string(), text.clone());
        let lines = text.split('\n').count();
        for p in log.problems() {
            prop_assert!(p.line >= 1 && p.line <= lines, "{p}");
        }
        let log = Changelog::parse_with(&text, None);
        prop_assert_eq!(log.as_str(), text.as_str());
    }

    #[test]
    fn edits_keep_untouched_sections(text in soup(), pick in any::<prop::sample::Index>()) {
        let log = Changelog::parse(&text);
        let n = log.releases().len();
        prop_assume!(n > 0);
        let k = pick.index(n);
        let kept: Vec<String> = (0..n).filter(|&i| i != k).map(|i| log.section_text(i).trim_end().to_string()).collect();
        let mut edited = log.clone();
        edited.remove(&[k]);
        prop_assert_eq!(edited.releases().len(), n - 1);
        for (i, section) in kept.iter().enumerate() {
            prop_assert_eq!(edited.section_text(i).trim_end(), section.as_str());
        }
        let mut release = Release::new(&Version::parse("9.9.9").unwrap(), Some("2030-01-01"));
        release.categories.push(Category::new("Fixes"));
        edited.insert(0, &release);
        prop_assert_eq!(edited.releases().len(), n);
        prop_assert_eq!(edited.releases()[0].title(), "9.9.9 (2030-01-01)");
    }
}

/// `cargo test --release --test it changelog::parse_speed -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release mode"]
fn parse_speed() {
    let text = read(&fixtures().join("26.4.4rc9/before/CHANGELOG.md"));
    let runs = 200;
    let start = std::time::Instant::now();
    let mut releases = 0;
    for _ in 0..runs {
        releases += Changelog::parse(&text).releases().len();
    }
    let each = start.elapsed() / runs;
    println!(
        "{} lines, {} releases: {each:?} per parse",
        text.lines().count(),
        releases / runs as usize
    );
    assert!(each < std::time::Duration::from_millis(3), "{each:?}");
}

#[test]
fn replacing_rc_sections_with_the_published_section_gives_the_published_file() {
    for version in FINALS {
        let case = fixtures().join(version);
        let mut published = read(&case.join("after/CHANGELOG.md"));
        let section = Changelog::parse(&published).releases()[0].clone();
        let mut log = Changelog::parse(&read(&case.join("before/CHANGELOG.md")));
        let rcs = log.releases_for(&v(version));
        assert!(!rcs.is_empty(), "{version}");
        assert!(log.problems_for(&rcs).is_empty(), "{version}");
        log.replace(&rcs, &section);
        if version == "26.2.0" {
            // That release commit was spaced by hand: two blank lines after the start
            // string, one before `## 26.1.0`. Ours follows the rest of the file.
            published = published
                .replacen("start -->\n\n\n", "start -->\n\n", 1)
                .replacen("\n\n## 26.1.0 ", "\n\n\n## 26.1.0 ", 1);
        }
        assert!(log.as_str() == published, "{version}");
    }
}
