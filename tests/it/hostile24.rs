//! hostile17's real projects (02, 10, 11): published history — the releases older than the
//! one being made, below the sections a final folds — is read for what it tells (its
//! versions for the version order, its entries, wherever they stand, for the stale check)
//! and never refused for its form; the sections a final folds still are. Excerpts of the
//! real changelogs are in `tests/fixtures/real-history/`.

use std::path::Path;

use crate::hostile::refused;
use crate::util::{fixtures, ok, release_and_merge, repo_with, run, text};

/// pdm's towncrier configuration (its `pyproject.toml`; fragments in `changes/`).
const PDM: &str = "[project]\nname = \"pdm\"\n\n[tool.towncrier]\nfilename = \"CHANGELOG.md\"\n\
    issue_format = \"[#{issue}](https://github.com/pdm-project/pdm/issues/{issue})\"\n\
    directory = \"changes\"\ntitle_format = \"## Release v{version} ({project_date})\"\n\
    underlines = [\"\", \"\", \"\"]\ntype = [\n\
    { directory = \"break\", name = \"Breaking Changes\", showcontent = true },\n\
    { directory = \"feature\", name = \"Features & Improvements\", showcontent = true },\n\
    { directory = \"bugfix\", name = \"Bug Fixes\", showcontent = true },\n\
    { directory = \"doc\", name = \"Documentation\", showcontent = true },\n]\n";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("real-history").join(name)).unwrap()
}

fn changelog(root: &Path) -> String {
    std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap()
}

/// pdm at 2.29.4 with its real history, and 2.30.0rc1 released from one fragment.
fn pdm_after_rc1() -> tempfile::TempDir {
    let repo = repo_with(&[
        ("pyproject.toml", PDM),
        ("CHANGELOG.md", &fixture("pdm-CHANGELOG.md")),
        ("VERSION", "2.29.4\n"),
        ("changes/.gitkeep", ""),
    ]);
    release_and_merge(
        repo.path(),
        "2.30.0rc1",
        &["--yes", "--no-edit", "--date", "2026-11-01"],
        &[("3970.feature.md", "Add `pdm foo`.\n")],
        "false",
    );
    repo
}

const FINAL: [&str; 5] = ["2.30.0", "--yes", "--no-edit", "--date", "2026-11-10"];

#[test]
fn pdm_history_written_setext_style_is_read_and_the_final_made() {
    let repo = pdm_after_rc1();
    let root = repo.path();
    let history = fixture("pdm-CHANGELOG.md");
    // The fragment of an entry that `Release v2.12.4`, written setext-style, lists.
    let stale = "Use env PDM_NO_EDITABLE as the default value for --no-editable option.";
    crate::util::write_files(
        root,
        &[
            ("changes/3971.bugfix.md", "Fix `pdm bar`.\n"),
            ("changes/2613.feature.md", &format!("{stale}\n")),
        ],
    );
    crate::util::commit_all(root, "fragments for 2.30.0");
    let out = run(
        root,
        &["consolidate", "2.30.0", "--dry-run", "--date", "2026-11-10"],
        "false",
    );
    ok(&out, "consolidate --dry-run over pdm's history");
    let stderr = release_and_merge(root, FINAL[0], &FINAL[1..], &[], "false");
    let written = changelog(root);
    // History is left byte for byte; the final's section stands above it.
    let (section, below) = written.split_at(written.find("## Release v2.29.4").unwrap());
    assert_eq!(below, history);
    assert!(
        section.starts_with("## Release v2.30.0 (2026-11-10)"),
        "{section}"
    );
    assert_eq!(section.matches("Add `pdm foo`.").count(), 1, "{section}");
    assert_eq!(section.matches("Fix `pdm bar`.").count(), 1, "{section}");
    assert!(!section.contains("rc1"), "{section}");
    // Released by the setext-style 2.12.4: stale, not listed again.
    assert!(!section.contains("PDM_NO_EDITABLE"), "{section}");
    // The setext headings are said once, naming the first.
    assert_eq!(stderr.matches("over a line of").count(), 1, "{stderr}");
    assert!(
        stderr.contains("`Release v2.12.4 (2024-02-26)` over a line")
            && stderr.contains("2 more like it"),
        "{stderr}"
    );
}

#[test]
fn a_version_of_setext_history_is_seen_by_the_version_order() {
    let repo = repo_with(&[
        ("pyproject.toml", PDM),
        ("CHANGELOG.md", &fixture("pdm-CHANGELOG.md")),
        ("VERSION", "2.12.3\n"),
        ("changes/1.bugfix.md", "Fix.\n"),
    ]);
    for version in ["2.12.4rc1", "2.12.4"] {
        let stderr = refused(
            repo.path(),
            &[version, "--yes", "--no-edit", "--dry-run"],
            version,
        );
        assert!(
            stderr.contains("`Release v2.12.4 (2024-02-26)` section")
                || stderr.contains("`2.12.4` section"),
            "{version}: {stderr}"
        );
    }
    // A backport of the old line, below newer releases, is made over the same history.
    let out = run(
        repo.path(),
        &[
            "2.12.5",
            "--yes",
            "--no-edit",
            "--dry-run",
            "--date",
            "2026-11-10",
        ],
        "false",
    );
    ok(&out, "a backport 2.12.5 over setext history");
}

#[test]
fn a_setext_heading_among_the_folded_sections_is_still_refused() {
    let repo = pdm_after_rc1();
    let root = repo.path();
    let rc1 = "## Release v2.30.0rc1 (2026-11-01)\n";
    for (what, from, to) in [
        (
            "the rc heading written setext-style",
            rc1.to_string(),
            "Release v2.30.0rc1 (2026-11-01)\n----------------------------------\n".to_string(),
        ),
        (
            "a versioned setext heading inside the rc section",
            "### Features & Improvements\n".to_string(),
            "Upgrade from v2.29.4\n--------------------\n\n- Run `pdm migrate`.\n\n\
             ### Features & Improvements\n"
                .to_string(),
        ),
        (
            "the release below the rc section written setext-style",
            "## Release v2.29.4 (2026-10-27)\n".to_string(),
            "Release v2.29.4 (2026-10-27)\n----------------------------\n".to_string(),
        ),
    ] {
        let text = changelog(root);
        assert!(text.contains(&from), "{what}");
        std::fs::write(root.join("CHANGELOG.md"), text.replacen(&from, &to, 1)).unwrap();
        crate::util::commit_all(root, what);
        for args in [
            &FINAL[..],
            &["consolidate", "2.30.0", "--no-edit", "--date", "2026-11-10"],
        ] {
            let stderr = refused(root, args, what);
            assert!(
                stderr.contains("over a line of `=` or `-`"),
                "{what}: {stderr}"
            );
        }
        std::fs::write(root.join("CHANGELOG.md"), text).unwrap();
        crate::util::commit_all(root, "undo");
    }
}

/// pydantic's `HISTORY.md` adopted as the towncrier changelog (as hostile17 did).
fn pydantic() -> tempfile::TempDir {
    let history = fixture("pydantic-HISTORY.md");
    let at = history.find("\n## ").unwrap() + 1;
    let log = format!(
        "{}<!-- towncrier release notes start -->\n\n{}",
        &history[..at],
        &history[at..]
    );
    repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
             title_format = \"## {version} ({project_date})\"\n\
             issue_format = \"[#{issue}](https://github.com/pydantic/pydantic/pull/{issue})\"\n",
        ),
        ("CHANGELOG.md", &log),
        ("VERSION", "2.14.4\n"),
        ("changes/.gitkeep", ""),
    ])
}

#[test]
fn an_old_release_with_a_list_before_its_categories_is_read_and_the_final_made() {
    let repo = pydantic();
    let root = repo.path();
    let before = changelog(root);
    release_and_merge(
        root,
        "2.15.0rc1",
        &["--yes", "--no-edit", "--date", "2026-12-01"],
        &[("13001.feature.md", "Add x.\n")],
        "false",
    );
    // An entry of v2.13.0b1's list before its first category, come back as a fragment
    // without an issue: released, so stale.
    let notable = "Add a new `polymorphic_serialization` option, solving issues with \
                   `serialize_as_any` introduced in 2.12.";
    let stderr = release_and_merge(
        root,
        "2.15.0",
        &["--yes", "--no-edit", "--date", "2026-12-10"],
        &[
            ("+notable.feature.md", &format!("{notable}\n")),
            ("13002.bugfix.md", "Fix y.\n"),
        ],
        "false",
    );
    let written = changelog(root);
    let start = "<!-- towncrier release notes start -->\n\n";
    let (head, history) = before.split_once(start).unwrap();
    let (section, below) = written
        .strip_prefix(&format!("{head}{start}"))
        .unwrap()
        .split_at(written.len() - head.len() - start.len() - history.len());
    assert_eq!(below, history, "the history changed");
    assert!(section.starts_with("## 2.15.0 (2026-12-10)"), "{section}");
    assert_eq!(section.matches("Add x.").count(), 1, "{section}");
    assert_eq!(section.matches("Fix y.").count(), 1, "{section}");
    assert!(!section.contains("polymorphic_serialization"), "{section}");
    assert_eq!(
        stderr.matches("is not under a category").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("`## v2.13.0b1 (2026-02-23)`"), "{stderr}");
}

#[test]
fn a_list_before_the_categories_of_a_folded_section_is_still_refused() {
    let repo = pydantic();
    let root = repo.path();
    release_and_merge(
        root,
        "2.15.0rc1",
        &["--yes", "--no-edit", "--date", "2026-12-01"],
        &[("13001.feature.md", "Add x.\n")],
        "false",
    );
    let text = changelog(root);
    let rc1 = "## 2.15.0rc1 (2026-12-01)\n";
    let edited = text.replacen(
        rc1,
        &format!("{rc1}\nNotable changes include:\n\n* Add z.\n"),
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(root.join("CHANGELOG.md"), edited).unwrap();
    crate::util::commit_all(root, "a list in the rc section");
    for args in [
        &["2.15.0", "--yes", "--no-edit", "--date", "2026-12-10"][..],
        &["consolidate", "2.15.0", "--no-edit", "--date", "2026-12-10"],
    ] {
        let stderr = refused(root, args, "a list before the rc's categories");
        assert!(
            stderr.contains("not under a category heading") && stderr.contains("2.15.0rc1"),
            "{stderr}"
        );
    }
}

/// Hatch's history (`docs/history/hatchling.md`, MkDocs' `attr_list`): the anchor after
/// the date is no part of the release's heading.
const HATCH: &str = "# Hatchling history\n\n<!-- towncrier release notes start -->\n\n\
    ## [1.29.0](https://github.com/pypa/hatch/releases/tag/hatchling-v1.29.0) - 2026-02-21 \
    ## {: #hatchling-v1.29.0 }\n\n***Added:***\n\n- Support the thing. (#5)\n";

#[test]
fn a_heading_with_an_attribute_list_is_a_release() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
             title_format = \"## {version} ({project_date})\"\n",
        ),
        ("CHANGELOG.md", HATCH),
        ("VERSION", "1.28.0\n"),
        ("changes/5.feature.md", "Support the thing.\n"),
        ("changes/6.feature.md", "Support another thing.\n"),
    ]);
    let root = repo.path();
    // 1.29.0 is released: not again, nor an rc of it.
    for version in ["1.29.0rc1", "1.29.0"] {
        let stderr = refused(root, &[version, "--yes", "--no-edit", "--dry-run"], version);
        assert!(stderr.contains("1.29.0"), "{stderr}");
    }
    // Its entry is released: the fragment come back is stale, not listed twice.
    let out = run(
        root,
        &["1.30.0", "--yes", "--no-edit", "--date", "2026-03-01"],
        "false",
    );
    ok(&out, "1.30.0 after hatch's history");
    let written = changelog(root);
    assert_eq!(
        written.matches("Support the thing.").count(),
        1,
        "{written}"
    );
    assert_eq!(
        written.matches("Support another thing.").count(),
        1,
        "{written}"
    );
    assert!(written.ends_with(HATCH.split_once("start -->\n\n").unwrap().1));
    let _ = text(&out.stderr);
}
