//! Issues named by text, the last ways one was listed twice or misread: a format open on a
//! side (`GH-{issue}`, `PR {issue}`, a bare `{issue}`, none) cannot tell where a name such
//! as `c++-support` ends, so an rc entry reworded by a later rc was published twice by the
//! final, silently; the fold now refuses two inputs' entries ending with the same reference
//! none was read from, naming both, nothing changed.

use std::path::Path;

use proptest::prelude::*;

use git_release::config::Config;
use git_release::version::Version;
use git_release::{consolidate, fragments, group, towncrier};

use crate::util::{self, git, one_error, release_and_merge, repo_with, run};

/// `[tool.towncrier]` with `issue_format = format` (`None`: none, towncrier's default).
fn towncrier_table(format: Option<&str>) -> String {
    let format = format.map_or(String::new(), |f| {
        let f = f.replace('\\', "\\\\").replace('"', "\\\"");
        format!("issue_format = \"{f}\"\n")
    });
    format!(
        "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
         title_format = \"## {{version}} ({{project_date}})\"\norphan_prefix = \"\"\n{format}"
    )
}

fn project(format: Option<&str>) -> tempfile::TempDir {
    let table = towncrier_table(format);
    repo_with(&[
        (
            "pyproject.toml",
            &format!("[project]\nname = \"demo\"\nversion = \"1.0.0\"\n\n{table}"),
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n\
             ### Features\n\n- First. (#1)\n",
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

/// Formats open on a side, each with a name no reading delimits, as towncrier writes it.
const OPEN: [(Option<&str>, &str, &str); 6] = [
    (Some("GH-{issue}"), "c++-support", "(GH-c++-support)"),
    (Some("PR {issue}"), "a@b", "(PR a@b)"),
    (Some("{issue}"), "feat(x)", "(feat(x))"),
    (None, "ü-fix", "(ü-fix)"),
    (None, "PROJ-12", "(PROJ-12)"),
    (Some("GH-{issue}"), "x) (y", "(GH-x) (y)"),
];

/// hostile18/12 with formats open on a side: rc1, rc2 rewording, the final refused naming
/// both entries and what to do, nothing changed; done as said, the final lists it once.
#[test]
fn an_unread_name_of_an_open_format_reworded_by_rc2_is_refused_never_listed_twice() {
    for (format, name, written) in OPEN {
        let repo = project(format);
        let root = repo.path();
        let file = format!("{name}.feature.md");
        let rc1 = [(file.as_str(), "Add C++ support.\n")];
        release_and_merge(root, "1.1.0rc1", &["--yes", "--no-edit"], &rc1, "true");
        let rc2 = [(file.as_str(), "Add C++20 support.\n")];
        release_and_merge(root, "1.1.0rc2", &["--yes", "--no-edit"], &rc2, "true");
        let before = util::snapshot(root);
        let head = git(root, &["rev-parse", "HEAD"]);
        let out = run(root, &["1.1.0", "--yes", "--no-edit"], "true");
        let stderr = one_error(&out, "final");
        assert_eq!(out.status.code(), Some(3), "{format:?} {name}: {stderr}");
        for said in [
            format!("`Add C++ support. {written}`"),
            format!("`Add C++20 support. {written}`"),
            format!("`{written}`"),
            "1.1.0rc1 section".to_string(),
            "CHANGELOG.md".to_string(),
        ] {
            assert!(
                stderr.contains(&said),
                "{format:?} {name}: {said}\n{stderr}"
            );
        }
        assert_eq!(util::snapshot(root), before, "a refusal changes nothing");
        assert_eq!(git(root, &["rev-parse", "HEAD"]), head);
        assert_eq!(git(root, &["branch", "--list", "release/1.1.0"]), "");
        // As the message says: the older entry deleted from rc1's section, committed.
        let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
        let log = log.replace(&format!("- Add C++ support. {written}\n"), "");
        util::write_file(root, "CHANGELOG.md", &log);
        util::commit_all(root, "rc1's entry reworded by rc2");
        release_and_merge(root, "1.1.0", &["--yes", "--no-edit"], &[], "true");
        let final_section = section(root, "1.1.0");
        assert_eq!(
            final_section.matches(written).count(),
            1,
            "{format:?} {name}\n{final_section}"
        );
        assert!(final_section.contains(&format!("- Add C++20 support. {written}")));
    }
}

/// What the net leaves alone: parentheses an open format's parts do not stand around, one
/// input's entries of one name, and names the format reads (`PROJ-12`, `12`), reworded.
#[test]
fn the_net_of_an_open_format_leaves_prose_one_input_and_read_names_alone() {
    let repo = project(Some("GH-{issue}"));
    let root = repo.path();
    let rc1 = [
        ("c++-support.feature.md", "Add C++ support.\n"),
        ("c++-support.feature.1.md", "Add C++ docs.\n"),
        ("+a.feature.md", "Add the exporter (experimental)\n"),
        ("PROJ-12.feature.md", "Add the importer.\n"),
        ("12.feature.md", "Add the viewer.\n"),
    ];
    release_and_merge(root, "1.1.0rc1", &["--yes", "--no-edit"], &rc1, "true");
    let rc2 = [
        ("+b.feature.md", "Add the converter (experimental)\n"),
        ("PROJ-12.feature.md", "Add the importer with retries.\n"),
        ("12.feature.md", "Add the viewer with zoom.\n"),
    ];
    release_and_merge(root, "1.1.0rc2", &["--yes", "--no-edit"], &rc2, "true");
    release_and_merge(root, "1.1.0", &["--yes", "--no-edit"], &[], "true");
    let final_section = section(root, "1.1.0");
    for text in [
        "Add C++ support. (GH-c++-support)",
        "Add C++ docs. (GH-c++-support)",
        "Add the exporter (experimental)",
        "Add the converter (experimental)",
        "Add the importer with retries. (GH-PROJ-12)",
        "Add the viewer with zoom. (GH-12)",
    ] {
        let n = final_section.matches(text).count();
        assert_eq!(n, 1, "{text}\n{final_section}");
    }
    assert!(
        !final_section.contains("Add the importer."),
        "{final_section}"
    );
    assert!(
        !final_section.contains("Add the viewer."),
        "{final_section}"
    );
}

// --- the property: any name towncrier takes, over open and closed formats ---

const FORMATS: [Option<&str>; 7] = [
    Some("[#{issue}](https://github.com/o/demo/pull/{issue})"),
    Some("`{issue} <https://github.com/o/r/issues/{issue}>`_"),
    Some("GH-{issue}"),
    Some("PR {issue}"),
    Some("{issue}"),
    Some("#{issue}"),
    None,
];

/// A name towncrier takes from a file name (`<name>.feature.md`, its `parse_newfragment_
/// basename`): anything but a `/` or a separating dot, stripped; parentheses alone, commas,
/// spaces, Markdown's characters and letters beyond ASCII included.
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

/// rc1, rc2 rewording every entry, the final: each issue listed exactly once in rc2's
/// words, or a refusal naming an unread reference that changed nothing.
fn check(format: Option<&str>, names: &[String]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    util::write_files(
        root,
        &[
            ("pyproject.toml", &towncrier_table(format)),
            (
                "CHANGELOG.md",
                "# Changelog\n\n<!-- towncrier release notes start -->\n",
            ),
            ("changes/.gitkeep", ""),
        ],
    );
    let text = |k: usize, newer: bool| match newer {
        false => format!("Add the change number {k}."),
        true => format!("Add the change number {k} with retries."),
    };
    let files = |newer: bool| -> Vec<(String, String)> {
        (names.iter().enumerate())
            .map(|(k, n)| (n.clone(), format!("{}\n", text(k, newer))))
            .collect()
    };
    build(root, "2.0.0rc1", &files(false));
    build(root, "2.0.0rc2", &files(true));
    let config = Config::load(root).unwrap();
    let version = Version::parse("2.0.0").unwrap();
    let before = util::snapshot(root);
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let prepared =
        match consolidate::prepare(&config, &version, "2026-03-01", &group::Settings::default()) {
            Ok(p) => p,
            Err(e) => {
                let said = e.to_string();
                prop_assert!(said.contains("a reference not read"), "{}\n{}", said, log);
                // A format closed on both sides reads any name exactly: never refused.
                let closed = format.is_some_and(|f| f.contains("/{issue}"));
                prop_assert!(!closed, "{:?}: {}\n{}", format, said, log);
                prop_assert!(said.contains("2.0.0rc1"), "{}", said);
                prop_assert_eq!(util::snapshot(root), before, "a refusal changes nothing");
                return Ok(());
            }
        };
    consolidate::write(&prepared, &prepared.grouped.release(), false, true, None).unwrap();
    let written = section(root, "2.0.0");
    for (k, n) in names.iter().enumerate() {
        // towncrier's `render_issue`: the format's, or with none the name itself.
        let reference = format!(
            "({})",
            format.map_or(n.clone(), |f| f.replace("{issue}", n))
        );
        let listed: Vec<&str> = (written.lines())
            .filter(|l| l.starts_with("- ") && l.ends_with(&reference))
            .collect();
        prop_assert_eq!(listed.len(), 1, "{:?} {} in\n{}", format, n, written);
        prop_assert!(
            listed[0].contains(&text(k, true)),
            "{:?} {}: rc2's words\n{}",
            format,
            n,
            written
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_name_over_open_and_closed_formats_is_listed_once_or_refused_after_rc1_rc2_final(
        format in 0..FORMATS.len(),
        names in proptest::collection::btree_set(name(), 1..4),
    ) {
        check(FORMATS[format], &names.into_iter().collect::<Vec<_>>())?;
    }
}

// --- 2: a stopped release's fragment of a named issue, recategorised elsewhere ---

/// A release stopped in the main work tree holds `PROJ-7.fix.md` and `fix-1.2.feature.md`.
/// In a linked work tree they are recategorised and reworded: `build` there is refused
/// naming the fragment and the stopped release's (its name gives the same issue, as
/// towncrier reads it: everything before the type), nothing changed. Before, only a
/// numbered name was told (`301.fix.md`), so a named issue was taken twice. Other issues
/// beside (`PROJ-70`, `fix-1.3`) are not the stopped release's.
#[test]
fn a_named_issues_fragment_recategorised_in_another_work_tree_is_refused_there() {
    let flag = tempfile::tempdir().unwrap();
    let step = crate::hostile::step_needing(&flag.path().join("never"), "");
    let repo = crate::release::project(&step);
    let root = repo.path();
    util::write_files(
        root,
        &[
            ("changes/PROJ-7.fix.md", "Fix the login crash\n"),
            ("changes/fix-1.2.feature.md", "Add the 1.2 format\n"),
        ],
    );
    util::commit_all(root, "named fragments");
    let args = ["1.1.0rc1", "--yes", "--no-edit", "--date", "2025-03-01"];
    let out = run(root, &args, "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    let stopped = [
        "changes/10.feature.md",
        "changes/11.feature.md",
        "changes/12.fix.md",
        "changes/PROJ-7.fix.md",
        "changes/fix-1.2.feature.md",
    ];
    let trees = tempfile::tempdir().unwrap();
    let build = ["build", "1.1.0rc2", "--date", "2025-03-02"];
    let work_tree = |name: &str, files: &[(&str, &str)]| {
        let wt = trees.path().join(name);
        git(root, &["branch", name, "main"]);
        git(root, &["worktree", "add", "-q", wt.to_str().unwrap(), name]);
        for f in stopped {
            git(&wt, &["rm", "-q", f]);
        }
        util::write_files(&wt, files);
        util::commit_all(&wt, "recategorised and reworded");
        wt
    };
    let refused = [
        (
            (
                "changes/PROJ-7.feature.md",
                "Fix the login crash on retry\n",
            ),
            "changes/PROJ-7.feature.md (was changes/PROJ-7.fix.md)",
        ),
        (
            ("changes/fix-1.2.fix.md", "Read the 1.2 format\n"),
            "changes/fix-1.2.fix.md (was changes/fix-1.2.feature.md)",
        ),
    ];
    for (i, (file, named)) in refused.into_iter().enumerate() {
        let wt = work_tree(&format!("side-{i}"), &[file]);
        let before = util::snapshot(&wt);
        let out = run(&wt, &build, "false");
        let stderr = one_error(&out, named);
        assert_eq!(out.status.code(), Some(3), "{named}: {stderr}");
        assert!(
            stderr.contains("stopped in the work tree") && stderr.contains(named),
            "wants {named}:\n{stderr}"
        );
        assert_eq!(util::snapshot(&wt), before, "{named}: nothing changed");
    }
    let others = [
        ("changes/PROJ-70.fix.md", "Fix the logout crash\n"),
        ("changes/fix-1.3.feature.md", "Add the 1.3 format\n"),
    ];
    let wt = work_tree("others", &others);
    util::ok(&run(&wt, &build, "false"), "other issues build");
}

// --- 4: a stale fragment of a named issue in the plan ---

/// A pre-release's fragments already listed by 1.0.0: the plan names the stale named issue
/// as written (`PROJ-12`), never as a PR number (`#PROJ-12`, counted among them); a number
/// stays `#12`.
#[test]
fn the_plan_names_a_stale_fragments_named_issue_as_written() {
    let repo = project(Some("GH-{issue}"));
    let root = repo.path();
    let log = "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n\
               ### Features\n\n- Fix the login crash. (GH-PROJ-12)\n- Add the viewer. (GH-12)\n";
    util::write_files(
        root,
        &[
            ("CHANGELOG.md", log),
            ("changes/PROJ-12.feature.md", "Fix the login crash.\n"),
            ("changes/12.feature.md", "Add the viewer.\n"),
            ("changes/7.feature.md", "Add the exporter.\n"),
        ],
    );
    util::commit_all(root, "fragments");
    let out = run(root, &["1.1.0rc1", "--dry-run"], "true");
    util::ok(&out, "dry run");
    let plan = util::text(&out.stdout);
    let stale = plan.lines().find(|l| l.contains("Stale:")).expect(&plan);
    assert!(stale.contains("2 entries (1 PR number)"), "{stale}");
    assert!(stale.contains(" PROJ-12 (1.0.0"), "{stale}");
    assert!(stale.contains("#12 (1.0.0"), "{stale}");
    assert!(!stale.contains("#PROJ-12"), "{stale}");
}

// --- 3: a bare format's wrapped line ending in a lone number ---

/// With `issue_format = "{issue}"` and towncrier's default template (`(60)`), an orphan's
/// text wrapped before a number (`… from 30 to\n60`) reads its last line as issue 60; a
/// later (or earlier) rc's `Add the importer (60)` then replaced it as a rewording, and the
/// final lost it with a note. One template writes an issue one way: a pair read one way
/// and the other is refused, naming both, nothing changed; the number joined to its line
/// as the message says, the final lists both.
#[test]
fn a_wrapped_lone_number_is_not_an_issue_a_rewording_replaces() {
    let wrapped = "Raise the limit of concurrent sessions from 30 to\n60\n";
    let orders: [[(&str, &str); 2]; 2] = [
        [
            ("+limit.feature.md", wrapped),
            ("60.feature.md", "Add the importer\n"),
        ],
        [
            ("60.feature.md", "Add the importer\n"),
            ("+limit.feature.md", wrapped),
        ],
    ];
    for [first, second] in orders {
        let repo = project(Some("{issue}"));
        let root = repo.path();
        // `+limit` an orphan, as towncrier's default `orphan_prefix` makes it.
        let toml = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
        util::write_file(
            root,
            "pyproject.toml",
            &toml.replace("orphan_prefix = \"\"\n", ""),
        );
        util::commit_all(root, "orphans");
        release_and_merge(root, "1.1.0rc1", &["--yes", "--no-edit"], &[first], "true");
        release_and_merge(root, "1.1.0rc2", &["--yes", "--no-edit"], &[second], "true");
        let before = util::snapshot(root);
        let out = run(root, &["1.1.0", "--yes", "--no-edit"], "true");
        let stderr = one_error(&out, "final");
        assert_eq!(out.status.code(), Some(3), "{first:?}: {stderr}");
        for said in [
            "`Raise the limit of concurrent sessions from 30 to`",
            "`Add the importer`",
            "#60",
            "line of its own",
            "CHANGELOG.md",
        ] {
            assert!(stderr.contains(said), "{said}\n{stderr}");
        }
        assert_eq!(util::snapshot(root), before, "a refusal changes nothing");
        let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
        let log = log.replace("from 30 to\n  60", "from 30 to 60");
        util::write_file(root, "CHANGELOG.md", &log);
        util::commit_all(root, "the number joined to its line");
        release_and_merge(root, "1.1.0", &["--yes", "--no-edit"], &[], "true");
        let final_section = section(root, "1.1.0");
        for entry in [
            "- Add the importer (60)\n",
            "- Raise the limit of concurrent sessions from 30 to 60\n",
        ] {
            assert_eq!(final_section.matches(entry).count(), 1, "{final_section}");
        }
    }
}
