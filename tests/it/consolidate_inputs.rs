//! `git release consolidate` accounts for every input, or refuses: entries identified by
//! their PR sets wherever the links stand, multi-PR entries kept whole, numbered fragments
//! all kept, comments never published, prose carried, untrustworthy fragment files refused.
//! Each test drives the real binary in a throwaway repository.

use std::path::Path;

use crate::util::{commit_all, fixtures, ok, one_error, repo_with, run, text, write_file};
use crate::workflow::state;

const URL: &str = "https://example.com/demo/pull";

const PYPROJECT: &str = r#"[tool.towncrier]
directory = "changes"
filename = "CHANGELOG.md"
template = "changes/template.md"
title_format = ""
start_string = "<!-- towncrier release notes start -->\n"
issue_format = "([#{issue}](https://example.com/demo/pull/{issue}))"
underlines = ["", "", ""]

[[tool.towncrier.type]]
directory = "feature"
name = "Features"
showcontent = true

[[tool.towncrier.type]]
directory = "enhance"
name = "Improvements"
showcontent = true

[[tool.towncrier.type]]
directory = "fix"
name = "Fixes"
showcontent = true
"#;

/// A link to PR `n`, as the project writes it inside an entry.
fn link(n: u64) -> String {
    format!("[#{n}]({URL}/{n})")
}

/// A changelog whose releases are `sections` (each a `## …` section's text), above 1.0.0.
fn changelog(sections: &[String]) -> String {
    let mut log = String::from("# Changelog\n\n<!-- towncrier release notes start -->\n\n");
    for s in sections {
        log.push_str(s.trim_end());
        log.push_str("\n\n\n");
    }
    log.push_str(&format!(
        "## 1.0.0 (2025-01-01)\n\n### Features\n* First release ({})\n",
        link(1)
    ));
    log
}

/// A project at 1.0.0 with this changelog and these fragments (`changes/<name>`).
fn project(log: &str, fragments: &[(&str, &str)]) -> tempfile::TempDir {
    let template =
        std::fs::read_to_string(fixtures().join("backend-ai/26.1.0/before/changes/template.md"))
            .unwrap();
    let mut files: Vec<(String, String)> = vec![
        ("pyproject.toml".into(), PYPROJECT.into()),
        ("CHANGELOG.md".into(), log.into()),
        ("VERSION".into(), "1.1.0rc2\n".into()),
        ("changes/template.md".into(), template),
    ];
    for (name, body) in fragments {
        files.push((format!("changes/{name}"), body.to_string()));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    repo_with(&files)
}

const ARGS: &[&str] = &["consolidate", "1.1.0", "--date", "2026-03-01"];

/// `consolidate --no-edit`, checked to succeed: (the written changelog, stderr).
fn consolidated(root: &Path, extra: &[&str]) -> (String, String) {
    let mut args = ARGS.to_vec();
    args.push("--no-edit");
    args.extend(extra);
    let out = run(root, &args, "false");
    ok(&out, "consolidate --no-edit");
    (
        std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap(),
        text(&out.stderr),
    )
}

/// The `## 1.1.0 (…)` section of a changelog.
fn final_section(log: &str) -> &str {
    let start = log.find("## 1.1.0 (").expect("a 1.1.0 section");
    let end = log[start..]
        .find("\n## 1.")
        .map_or(log.len(), |e| start + e + 1);
    &log[start..end]
}

/// `consolidate --dry-run --format json`: the entries, as (category, PRs, text).
fn json_entries(root: &Path) -> Vec<(String, Vec<u64>, String)> {
    let mut args = ARGS.to_vec();
    args.extend(["--dry-run", "--format", "json"]);
    let out = run(root, &args, "false");
    ok(&out, "consolidate --dry-run --format json");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut out = Vec::new();
    for c in json["categories"].as_array().unwrap() {
        for g in c["groups"].as_array().unwrap() {
            for i in g["items"].as_array().unwrap() {
                out.push((
                    c["name"].as_str().unwrap().to_string(),
                    i["prs"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| p.as_u64().unwrap())
                        .collect(),
                    i["text"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn rc(n: u32, date: &str, body: &str) -> String {
    format!("## 1.1.0rc{n} ({date})\n\n{body}")
}

#[test]
fn a_multi_pr_entry_stays_whole_when_a_later_rc_repeats_one_of_its_prs() {
    for listing in [
        // The Backend.AI template's form, and towncrier's for two fragments with one text.
        format!("({}), ({})", link(113), link(121)),
        format!("({}, {})", link(113), link(121)),
    ] {
        let log = changelog(&[
            rc(
                2,
                "2026-02-10",
                &format!("### Features\n* Tune the scheduler for B ({})\n", link(113)),
            ),
            rc(
                1,
                "2026-02-01",
                &format!("### Features\n* Add the scheduler {listing}\n"),
            ),
        ]);
        let repo = project(&log, &[]);
        let root = repo.path();
        assert_eq!(
            json_entries(root),
            [
                (
                    "Features".to_string(),
                    vec![113],
                    "Tune the scheduler for B".to_string()
                ),
                (
                    "Features".to_string(),
                    vec![113, 121],
                    "Add the scheduler".to_string()
                ),
            ],
            "{listing}"
        );
        let (log, stderr) = consolidated(root, &[]);
        let section = final_section(&log);
        assert!(
            section.contains(&format!("* Add the scheduler {listing}")),
            "{section}"
        );
        assert!(section.contains("Tune the scheduler for B"), "{section}");
        assert!(
            stderr.contains("#113 in Features is listed by 2 entries, all kept")
                && stderr.contains("with #121, from 1.1.0rc1"),
            "the note says what happened: {stderr}"
        );
    }
}

#[test]
fn numbered_fragments_of_one_pr_are_all_kept() {
    let log = changelog(&[rc(
        1,
        "2026-02-01",
        &format!("### Features\n* Add the old text ({})\n", link(140)),
    )]);
    let repo = project(
        &log,
        &[
            ("140.feature.md", "Add the scheduler\n"),
            ("140.feature.1.md", "Add the scheduler's dashboard\n"),
        ],
    );
    let root = repo.path();
    assert_eq!(
        json_entries(root),
        [
            (
                "Features".to_string(),
                vec![140],
                "Add the scheduler".to_string()
            ),
            (
                "Features".to_string(),
                vec![140],
                "Add the scheduler's dashboard".to_string()
            ),
        ]
    );
    let (log, stderr) = consolidated(root, &[]);
    let section = final_section(&log);
    assert_eq!(section.matches(&link(140)).count(), 2, "{section}");
    assert!(
        !section.contains("old text"),
        "the newer texts replace rc1's"
    );
    assert!(
        !stderr.contains("in the new fragments and in the new fragments"),
        "{stderr}"
    );
    assert!(
        stderr.contains("#140 in Features: \"Add the old text\" from 1.1.0rc1 replaced by \"Add the scheduler\" from the new fragments"),
        "{stderr}"
    );
    assert!(
        stderr.contains("#140 in Features is listed by 2 entries, all kept"),
        "{stderr}"
    );
}

#[test]
fn a_pr_link_anywhere_in_an_entry_identifies_it() {
    let rc1 = format!(
        "### Fixes\n\
         * Fix the agent's restart loop ({}).\n\
         * Fix the quota check ({}) for the storage proxy\n\
         * {}: Fix the session list\n\
         * Fix the image puller ({})\n  * when the registry is down\n  * when the tag is gone\n\
         * Fix the scheduler ({})\n  * for fair share\n",
        link(201),
        link(202),
        link(203),
        link(204),
        link(205)
    );
    let log = changelog(&[rc(1, "2026-02-01", &rc1)]);
    let repo = project(
        &log,
        &[
            ("201.fix.md", "Fix the agent's restart loop for good\n"),
            ("202.fix.md", "Fix the quota check of the storage proxy\n"),
            ("203.fix.md", "Fix the session list's paging\n"),
            ("204.fix.md", "Fix the image puller on registry errors\n"),
        ],
    );
    let root = repo.path();
    let entries = json_entries(root);
    let prs: Vec<Vec<u64>> = entries.iter().map(|(_, p, _)| p.clone()).collect();
    assert_eq!(
        prs,
        [vec![201], vec![202], vec![203], vec![204], vec![205]],
        "{entries:?}"
    );
    let (log, _) = consolidated(root, &[]);
    let section = final_section(&log);
    for n in 201..=205 {
        assert_eq!(section.matches(&link(n)).count(), 1, "#{n}:\n{section}");
    }
    assert!(section.contains("Fix the agent's restart loop for good"));
    // Sub-bullets stay with their entry.
    assert!(
        section.contains(&format!(
            "* Fix the scheduler ({})\n  * for fair share\n",
            link(205)
        )),
        "{section}"
    );
}

#[test]
fn a_comment_in_an_rc_section_is_never_published() {
    let body = format!(
        "### Features\n* Add A ({})\n<!--\n* Add the hidden thing ({})\n-->\n* Add C ({})\n",
        link(1001),
        link(1002),
        link(1003)
    );
    let log = changelog(&[rc(1, "2026-02-01", &body)]);
    let repo = project(&log, &[]);
    let (written, stderr) = consolidated(repo.path(), &[]);
    let section = final_section(&written);
    assert!(
        !section.contains("hidden") && !section.contains("-->"),
        "{section}"
    );
    assert!(
        section.contains("Add A") && section.contains("Add C"),
        "{section}"
    );
    assert!(
        stderr.contains("CHANGELOG.md:") && stderr.contains("is not published in 1.1.0"),
        "{stderr}"
    );
    // With --keep-rc the comment stays where it was.
    let repo = project(&log, &[]);
    let (kept, _) = consolidated(repo.path(), &["--keep-rc"]);
    assert!(kept.contains(&body), "{kept}");
    assert!(!final_section(&kept).contains("hidden"));
}

#[test]
fn prose_of_an_rc_section_is_carried_into_the_final_section() {
    let rc1 = format!(
        "Upgrade note: run `alembic upgrade head` before starting the manager.\n\n\
         ### Features\n* Add A ({})\n\n### Fixes\n* Fix B ({})\n\nThe fix needs agents 1.1 or newer.\n",
        link(1),
        link(2)
    );
    let rc2 = format!(
        "Upgrade note: run `alembic upgrade head` before starting the manager.\n\n\
         ### Fixes\n* Fix D ({})\n",
        link(4)
    );
    let log = changelog(&[rc(2, "2026-02-10", &rc2), rc(1, "2026-02-01", &rc1)]);
    let repo = project(&log, &[]);
    let (written, stderr) = consolidated(repo.path(), &[]);
    let section = final_section(&written);
    assert!(
        section.starts_with(
            "## 1.1.0 (2026-03-01)\n\nUpgrade note: run `alembic upgrade head` before starting the manager.\n\n### Features\n"
        ),
        "{section}"
    );
    assert_eq!(
        section.matches("Upgrade note").count(),
        1,
        "once: {section}"
    );
    let fixes = &section[section.find("### Fixes").unwrap()..];
    assert!(
        fixes
            .trim_end()
            .ends_with("The fix needs agents 1.1 or newer."),
        "after the entries of its category: {fixes}"
    );
    assert!(stderr.contains("is carried into 1.1.0"), "{stderr}");
    // Through the review unchanged, the same section is written.
    let repo = project(&log, &[]);
    let out = run(repo.path(), ARGS, "true");
    ok(&out, "consolidate with a review");
    let reviewed = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert_eq!(reviewed, written);
}

#[test]
fn a_subsection_description_in_an_rc_section_is_refused_naming_its_line() {
    let body = format!(
        "### Features\n\n#### Scheduler\nA group made by hand.\n\n* Add A ({})\n",
        link(1)
    );
    let log = changelog(&[rc(1, "2026-02-01", &body)]);
    let repo = project(&log, &[]);
    refused(
        repo.path(),
        &["CHANGELOG.md:10", "#### Scheduler", "### Features"],
    );
}

/// Refused with every message part, nothing changed, nothing printed: with --dry-run,
/// --no-edit and the review.
fn refused(root: &Path, says: &[&str]) {
    crate::consolidate::refused(root, ARGS, says);
}

#[test]
fn a_fragment_symlinked_outside_the_repository_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "root:x:0:0:the secret\n").unwrap();
    let repo = project(&changelog(&[]), &[("5.feature.md", "Add A\n")]);
    let root = repo.path();
    std::os::unix::fs::symlink(&secret, root.join("changes/7.feature.md")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("changes/8.fix.md")).unwrap();
    commit_all(root, "two symlinked fragments");
    refused(root, &["changes/7.feature.md", "outside the repository"]);
    std::fs::remove_file(root.join("changes/7.feature.md")).unwrap();
    commit_all(root, "one symlinked fragment");
    refused(
        root,
        &["changes/8.fix.md", "/etc/passwd", "outside the repository"],
    );
    std::fs::remove_file(root.join("changes/8.fix.md")).unwrap();
    std::os::unix::fs::symlink("../.git/config", root.join("changes/8.fix.md")).unwrap();
    commit_all(root, "a fragment into git's files");
    refused(
        root,
        &["changes/8.fix.md", ".git/config", "git's own files"],
    );

    // A symlink that stays inside the repository is a fragment like any other.
    std::fs::remove_file(root.join("changes/8.fix.md")).unwrap();
    write_file(root, "docs/shared-note.md", "Fix the shared thing\n");
    std::os::unix::fs::symlink("../docs/shared-note.md", root.join("changes/9.fix.md")).unwrap();
    commit_all(root, "a symlink inside");
    let entries = json_entries(root);
    assert!(
        entries.contains(&("Fixes".into(), vec![9], "Fix the shared thing".into())),
        "{entries:?}"
    );
}

#[test]
fn odd_fragment_files_are_refused_naming_the_file() {
    let repo = project(&changelog(&[]), &[("5.feature.md", "Add A\n")]);
    let root = repo.path();
    // Not UTF-8.
    std::fs::write(root.join("changes/6.fix.md"), b"Fix caf\xe9 ordering\n").unwrap();
    commit_all(root, "latin-1");
    refused(root, &["changes/6.fix.md", "not valid UTF-8"]);
    // Empty.
    std::fs::write(root.join("changes/6.fix.md"), " \n\n").unwrap();
    commit_all(root, "empty");
    refused(root, &["changes/6.fix.md", "is empty"]);
    // A pipe (reading it would wait forever), a dangling symlink.
    std::fs::remove_file(root.join("changes/6.fix.md")).unwrap();
    commit_all(root, "gone");
    let fifo = root.join("changes/6.fix.md");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    refused(root, &["changes/6.fix.md", "not a regular file"]);
    std::fs::remove_file(&fifo).unwrap();
    std::os::unix::fs::symlink("nowhere.md", &fifo).unwrap();
    refused(root, &["changes/6.fix.md", "does not resolve"]);
}

#[test]
fn a_near_miss_category_in_an_rc_section_is_an_error_without_review() {
    let body = format!(
        "### Features\n* Add A ({})\n\n### Fixs\n* Fix B ({})\n",
        link(1),
        link(2)
    );
    let log = changelog(&[rc(1, "2026-02-01", &body)]);
    let repo = project(&log, &[]);
    refused(
        repo.path(),
        &["CHANGELOG.md:10", "`Fixs`", "did you mean `Fixes`"],
    );
    // A category of its own (not a typo of a configured one) is the maintainer's call.
    let log = log.replace("### Fixs", "### Security Improvements");
    let repo = project(&log, &[]);
    let (written, _) = consolidated(repo.path(), &[]);
    assert!(final_section(&written).contains("### Security Improvements\n"));
}

#[test]
fn resume_without_a_draft_says_there_is_nothing_to_resume() {
    let log = changelog(&[rc(
        1,
        "2026-02-01",
        &format!("### Features\n* Add A ({})\n", link(1)),
    )]);
    let repo = project(&log, &[]);
    let root = repo.path();
    let before = state(root);
    let mut args = ARGS.to_vec();
    args.push("--resume");
    let out = run(root, &args, "true");
    let stderr = one_error(&out, "--resume without a draft");
    assert!(
        stderr.contains("no draft to resume") && stderr.contains("without --resume"),
        "{stderr}"
    );
    assert_eq!(state(root), before);
}

#[test]
fn an_entry_without_pr_may_be_reworded_in_the_review() {
    let body = format!(
        "### Features\n* Add A ({})\n* Improve the docs\n* Improve the examples\n",
        link(1)
    );
    let log = changelog(&[rc(1, "2026-02-01", &body)]);
    let repo = project(&log, &[]);
    let root = repo.path();
    let out = run(
        root,
        ARGS,
        "sed -i -e 's/^\\* Improve the docs$/* Improve the user documentation/'",
    );
    ok(&out, "a reworded orphan");
    let written = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let section = final_section(&written);
    assert!(
        section.contains("* Improve the user documentation\n"),
        "{section}"
    );
    assert!(section.contains("* Improve the examples\n"), "{section}");
    assert!(!section.contains("Improve the docs"), "{section}");

    // Deleting one is still a missing entry.
    let repo = project(&log, &[]);
    let root = repo.path();
    let out = run(root, ARGS, "sed -i -e '/Improve the docs/d'");
    let stderr = one_error(&out, "a deleted orphan");
    assert!(
        stderr.contains("missing entry: \"Improve the docs\""),
        "{stderr}"
    );

    // Adding one is named by its own line and text, not the lines of the inputs' ones.
    let repo = project(&log, &[]);
    let root = repo.path();
    let out = run(
        root,
        ARGS,
        "sed -i -e 's/^\\* Improve the examples$/&\\n* Brand new thing/'",
    );
    let stderr = one_error(&out, "an added orphan");
    assert!(
        stderr.contains("entry not in the release inputs (\"Brand new thing\")")
            && !stderr.contains("the same entry is listed"),
        "{stderr}"
    );
}

#[test]
fn the_review_keeps_a_comment_inside_an_entry() {
    let repo = project(
        &changelog(&[]),
        &[
            ("31.feature.md", "Escape `<!-- x -->` in the templates\n"),
            (
                "32.fix.md",
                "Fix the sorting\n<!-- a note in the fragment -->\n",
            ),
        ],
    );
    let root = repo.path();
    let out = run(root, ARGS, "true");
    ok(&out, "consolidate with a review");
    let written = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let section = final_section(&written);
    assert!(
        section.contains(&format!(
            "* Escape `<!-- x -->` in the templates ({})",
            link(31)
        )),
        "{section}"
    );
    assert!(
        section.contains("<!-- a note in the fragment -->"),
        "{section}"
    );
    assert!(
        !section.contains("why:"),
        "the draft's own comments are removed"
    );
}

#[test]
fn a_reference_the_template_loses_is_named_with_its_entry() {
    let pyproject = PYPROJECT.replace(
        "title_format = \"\"",
        "title_format = \"## {version} ({project_date})\"",
    );
    // A template that writes each entry's text and forgets its issues.
    let template = "{% for section, _ in sections.items() %}\
        {% for category, val in definitions.items() if category in sections[section] %}\n\
        ### {{ definitions[category]['name'] }}\n\n\
        {% for text, values in sections[section][category].items() %}- {{ text }}\n\
        {% endfor %}{% endfor %}{% endfor %}\n";
    let repo = repo_with(&[
        ("pyproject.toml", &pyproject),
        ("CHANGELOG.md", &changelog(&[])),
        ("VERSION", "1.0.0\n"),
        ("changes/template.md", template),
        ("changes/41.feature.md", "Add the quota dashboard\n"),
    ]);
    let root = repo.path();
    let before = state(root);
    let mut args = ARGS.to_vec();
    args.push("--dry-run");
    let out = run(root, &args, "true");
    let stderr = one_error(&out, "a template that loses the reference");
    for part in [
        "changes/41.feature.md",
        "#41 is missing",
        "the entry `- Add the quota dashboard`",
        "without its reference to #41",
        "([#41](https://example.com/demo/pull/41))",
    ] {
        assert!(stderr.contains(part), "`{part}` not in\n{stderr}");
    }
    assert_eq!(state(root), before);
}

#[test]
fn a_pre_release_refuses_a_fragment_outside_the_repository_too() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "the secret\n").unwrap();
    let repo = project(&changelog(&[]), &[("5.feature.md", "Add A\n")]);
    let root = repo.path();
    std::os::unix::fs::symlink(&secret, root.join("changes/7.feature.md")).unwrap();
    commit_all(root, "a symlinked fragment");
    let before = state(root);
    let out = run(root, &["1.1.0rc3", "--yes", "--date", "2026-03-01"], "true");
    let stderr = one_error(&out, "a pre-release with a symlink outside");
    assert!(
        stderr.contains("changes/7.feature.md") && stderr.contains("outside the repository"),
        "{stderr}"
    );
    assert!(!text(&out.stdout).contains("the secret"));
    assert_eq!(state(root), before);
}

#[test]
fn the_same_entry_twice_in_one_rc_is_listed_once() {
    let body = format!(
        "### Features\n* Add A ({})\n* Add B ({})\n* Add A. ({})\n",
        link(1),
        link(2),
        link(1)
    );
    let log = changelog(&[rc(1, "2026-02-01", &body)]);
    let repo = project(&log, &[]);
    let (written, stderr) = consolidated(repo.path(), &[]);
    assert_eq!(final_section(&written).matches(&link(1)).count(), 1);
    assert!(
        stderr.contains("#1 in Features: the same entry is listed twice in 1.1.0rc1; kept once"),
        "{stderr}"
    );
}

#[test]
fn an_unclosed_comment_in_an_rc_section_is_refused_naming_its_line() {
    let body = format!(
        "### Features\n* Add A ({})\n<!-- a note that never ends\n* Add B ({})\n",
        link(1),
        link(2)
    );
    let log = changelog(&[rc(1, "2026-02-01", &body)]);
    let repo = project(&log, &[]);
    refused(repo.path(), &["CHANGELOG.md:9", "never closes"]);
}

/// A file the user names as an input — a changelog to learn from, a rules file, a labels
/// file, the configured rules file — that is a FIFO or a device is refused at once, naming
/// it: a FIFO would block the read forever, `/dev/zero` never ends.
#[test]
fn named_inputs_that_are_not_regular_files_are_refused_without_blocking() {
    let repo = crate::util::repo_from(&fixtures().join("backend-ai").join("26.2.0").join("before"));
    let root = repo.path();
    let fifo = root.join("..").join(format!(
        "fifo-{}",
        root.file_name().unwrap().to_string_lossy()
    ));
    let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let fifo_arg = fifo.display().to_string();
    let out_file = root.join("..").join("learned.toml").display().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["rules", "learn", "--changelog", &fifo_arg, "-o", &out_file],
        vec![
            "rules",
            "learn",
            "--changelog",
            "/dev/zero",
            "-o",
            &out_file,
        ],
        vec![
            "consolidate",
            "26.2.0",
            "--dry-run",
            "--no-edit",
            "--rules",
            &fifo_arg,
        ],
        vec![
            "consolidate",
            "26.2.0",
            "--dry-run",
            "--no-edit",
            "--labels-from",
            &fifo_arg,
        ],
    ];
    let before = state(root);
    for args in &cases {
        let out = crate::util::git_release(root)
            .args(args)
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        let stderr = one_error(&out, &args.join(" "));
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
        assert_eq!(state(root), before, "{args:?}");
    }
    // The configured rules file, a FIFO: pre-flight refuses it.
    write_file(
        root,
        ".git-release.toml",
        &format!("[consolidate]\nrules = \"{fifo_arg}\"\n"),
    );
    commit_all(root, "rules from a FIFO");
    let before = state(root);
    let out = crate::util::git_release(root)
        .args(["26.2.0", "--dry-run", "--no-edit", "--date", "2026-02-10"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = one_error(&out, "a configured FIFO rules file");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert_eq!(state(root), before);
    let _ = std::fs::remove_file(&fifo);
}

/// A changelog kept oldest first (older releases above, `rc1` above `rc2`), with one older
/// release or two: the newer rc's rewording wins by version, not by position, and the final
/// takes the rc sections' place below the older releases (hostile9/04: rc1's old words were
/// published and the section put on top).
#[test]
fn in_a_changelog_kept_oldest_first_the_newer_rc_is_the_newer_by_version() {
    for older in [1, 2] {
        let mut log = String::from("# Changelog\n\n<!-- towncrier release notes start -->\n\n");
        if older == 2 {
            log.push_str(&format!(
                "## 0.9.0 (2024-12-01)\n\n### Features\n* Beta ({})\n\n",
                link(2)
            ));
        }
        log.push_str(&format!(
            "## 1.0.0 (2025-01-01)\n\n### Features\n* First release ({})\n\n",
            link(1)
        ));
        log.push_str(&rc(
            1,
            "2025-02-01",
            &format!(
                "### Features\n* Add usage reports ({})\n\n### Fixes\n* Fix a thing ({})\n\n",
                link(11),
                link(17)
            ),
        ));
        log.push_str(&rc(
            2,
            "2025-02-15",
            &format!(
                "### Features\n* Add usage reports per project ({})\n\n### Fixes\n* Fix a thing on restart ({})\n",
                link(11),
                link(17)
            ),
        ));
        let repo = project(&log, &[]);
        let (written, _) = consolidated(repo.path(), &["--strategy", "similarity"]);
        let section = final_section(&written);
        assert!(
            section.contains("Add usage reports per project")
                && section.contains("Fix a thing on restart")
                && !section.contains("Add usage reports (")
                && !section.contains("Fix a thing ("),
            "older={older}: {section}"
        );
        for pr in [11, 17] {
            assert_eq!(
                written.matches(&link(pr)).count(),
                1,
                "older={older}: #{pr}"
            );
        }
        let first_release = written.find("## 1.0.0 (").unwrap();
        let at = written.find("## 1.1.0 (").unwrap();
        assert!(
            at > first_release,
            "older={older}: the final went on top:\n{written}"
        );
        assert!(
            !written.contains("rc1") && !written.contains("rc2"),
            "{written}"
        );
    }
}

/// A PR the inputs list more than once — moved between categories from one rc to the
/// next, or two numbered fragments of one PR — is kept each time, with a note advising to
/// delete or merge in the review; the review then accepts the PR listed fewer times (once
/// at least), and still refuses it listed nowhere (hostile9/10).
#[test]
fn the_review_may_merge_the_listings_of_one_pr_the_notes_name() {
    let log = changelog(&[
        rc(
            2,
            "2025-02-15",
            &format!(
                "### Features\n* Numbered two, reworded ({})\n\n### Fixes\n* Fix X properly ({})\n",
                link(209),
                link(5)
            ),
        ),
        rc(
            1,
            "2025-02-01",
            &format!(
                "### Features\n* Add X ({})\n* Numbered one ({})\n* Numbered two ({})\n",
                link(5),
                link(209),
                link(209)
            ),
        ),
    ]);
    let repo = project(&log, &[]);
    let root = repo.path();
    let out = run(root, &[ARGS, &["--dry-run", "--no-edit"]].concat(), "false");
    ok(&out, "dry run");
    let notes = text(&out.stderr);
    assert!(
        notes.contains("delete the older listing in the review")
            && notes.contains("merge them in the review"),
        "{notes}"
    );
    // Deleting every listing of #5 is still a lost entry: refused, the changelog untouched
    // (the draft is kept for `--resume`; a new project for the merge below).
    let lost = project(&log, &[]);
    let out = run(lost.path(), ARGS, "sed -i -e '/pull\\/5)/d'");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("#5"), "{}", text(&out.stderr));
    assert_eq!(
        crate::util::git(lost.path(), &["status", "--porcelain"]),
        ""
    );
    let out = run(root, ARGS, "sed -i -e '/Add X/d' -e '/Numbered one/d'");
    ok(&out, "the review deletes the older listings");
    let written = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let section = final_section(&written);
    for pr in [5, 209] {
        assert_eq!(section.matches(&link(pr)).count(), 1, "#{pr}:\n{section}");
    }
    assert!(
        section.contains("Fix X properly") && section.contains("Numbered two, reworded"),
        "{section}"
    );
}

/// A fragment ending with a fenced code block: towncrier's template glues the PR link to
/// the closing fence (`` ``` ([#203](…)) ``), which then closes nothing, and the link
/// renders as code. The final puts the link on a line of its own under the fence, where it
/// renders (hostile9/14); the fragment of a final is read the same way. One glued to the
/// closing tag of an HTML block goes below a blank line (hostile10/03).
#[test]
fn a_pr_link_glued_to_a_closing_fence_is_moved_where_it_renders() {
    let fence = "Add the `timeout` option:\n\n```toml\ntimeout = 5\n```\n";
    let glued = format!(
        "* Add the `timeout` option:\n\n  ```toml\n  timeout = 5\n  ``` ({})\n",
        link(203)
    );
    let log = changelog(&[rc(1, "2025-02-01", &format!("### Features\n{glued}"))]);
    let html = "Add the dashboard.\n\n<details>\n<summary>Screenshot</summary>\n</details>\n";
    let repo = project(&log, &[("204.feature.md", fence), ("205.feature.md", html)]);
    let (written, _) = consolidated(repo.path(), &["--strategy", "similarity"]);
    let section = final_section(&written);
    // After an HTML block (which runs to a blank line), below a blank line.
    assert!(
        section.contains(&format!("  </details>\n\n  ({})", link(205))),
        "#205:\n{section}"
    );
    for pr in [203, 204] {
        let unglued = format!("  ```\n  ({})", link(pr));
        assert!(section.contains(&unglued), "#{pr}:\n{section}");
        assert!(
            !section.contains(&format!("``` ({})", link(pr))),
            "#{pr}:\n{section}"
        );
    }
}

/// The review puts a block-level HTML tag right above an entry (`<details>`, no blank line
/// between): a renderer shows the entry as raw HTML, not as an entry with its link, so the
/// draft is refused naming the tag, and nothing is written (hostile9/12).
#[test]
fn the_review_refuses_an_entry_inside_an_html_block() {
    let log = changelog(&[rc(
        1,
        "2025-02-01",
        &format!("### Features\n* New in rc1 ({})\n", link(212)),
    )]);
    let repo = project(&log, &[]);
    let root = repo.path();
    let out = run(root, ARGS, "sed -i -e 's/^\\* New in rc1/<details>\\n&/'");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("inside the HTML block `<details>`"),
        "{stderr}"
    );
    assert_eq!(crate::util::git(root, &["status", "--porcelain"]), "");
}

/// The rc sections stand above towncrier's start string, where releases are not read: the
/// refusal says so and what to do, instead of only "no rc sections" (hostile9).
#[test]
fn rc_sections_above_the_start_string_are_named_in_the_refusal() {
    let log = format!(
        "# Changelog\n\n{}\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n### Features\n* First release ({})\n",
        rc(
            1,
            "2025-02-01",
            &format!("### Features\n* New ({})\n", link(5))
        )
        .trim_end(),
        link(1)
    );
    let repo = project(&log, &[]);
    let stderr = one_error(
        &run(repo.path(), &[ARGS, &["--no-edit"]].concat(), "false"),
        "above the start string",
    );
    assert!(
        stderr.contains("`## 1.1.0rc1 (2025-02-01)` stands above the start string"),
        "{stderr}"
    );
}

/// Oldest first, told only by the dates (one release, one rc): the release above the rc
/// was made before it, so the rc's newer words of its PR are no stale entry; the final takes
/// the rc's place below it (hostile10/05: the rc's entry was dropped as "released since").
/// Oldest first with a patch between two rcs: the final takes the last rc's place, below the
/// patch (hostile10/04).
#[test]
fn oldest_first_told_by_dates_drops_no_entry_and_places_the_final_last() {
    let head = "# Changelog\n\n<!-- towncrier release notes start -->\n\n";
    let log = format!(
        "{head}## 1.0.1 (2025-01-20)\n\n### Fixes\n* Fix crash ({})\n\n{}",
        link(13),
        rc(
            1,
            "2025-02-01",
            &format!(
                "### Fixes\n* Fix the parser crash for good ({})\n",
                link(13)
            )
        )
    );
    let repo = project(&log, &[]);
    let (written, notes) = consolidated(repo.path(), &["--strategy", "similarity"]);
    let section = final_section(&written);
    assert!(
        section.contains("Fix the parser crash for good"),
        "{section}\n{notes}"
    );
    assert!(
        written.find("## 1.0.1 (").unwrap() < written.find("## 1.1.0 (").unwrap(),
        "{written}"
    );

    let log = format!(
        "{head}## 1.0.0 (2025-01-01)\n\n### Features\n* First release ({})\n\n{}\n## 1.0.1 (2025-02-05)\n\n### Fixes\n* Fix crash ({})\n\n{}",
        link(1),
        rc(
            1,
            "2025-02-01",
            &format!("### Features\n* Add X ({})\n\n", link(20))
        ),
        link(13),
        rc(
            2,
            "2025-02-10",
            &format!("### Features\n* Add Y ({})\n", link(21))
        )
    );
    let repo = project(&log, &[]);
    let (written, _) = consolidated(repo.path(), &["--strategy", "similarity"]);
    let at = |h: &str| written.find(h).unwrap();
    assert!(at("## 1.0.1 (") < at("## 1.1.0 ("), "{written}");
    for pr in [20, 21] {
        assert_eq!(written.matches(&link(pr)).count(), 1, "#{pr}:\n{written}");
    }
}

/// An earlier release's group heading that could not be published now (a zero-width
/// space pasted in, a tab, raw HTML — published once, by hand) is no topic to continue: the
/// default flow makes its own title instead of refusing the release over old text
/// (hostile9/07; `rules learn` leaves such titles out too: `group::learn`'s tests).
#[test]
fn unpublishable_titles_of_the_history_are_not_continued() {
    let old = format!(
        "## 1.0.0 (2025-01-01)\n\n### Features\n\n#### Fair Share\u{200b} Scheduler\nAdded the fair share scheduler.\n\n\
         * Add fair share scheduler weights ({})\n* Add fair share scheduler quotas ({})\n\n\
         #### Tab\tthere <b>bold</b>\nAdded <b>tabbed</b> views.\n\n\
         * Add tabbed view ({})\n* Add tabbed view persistence ({})\n",
        link(1),
        link(2),
        link(3),
        link(4)
    );
    let log = format!(
        "# Changelog\n\n<!-- towncrier release notes start -->\n\n{}\n\n{old}",
        rc(
            1,
            "2025-02-01",
            &format!(
                "### Features\n* Add fair share scheduler limits ({})\n* Add fair share scheduler metrics ({})\n* Add tabbed view export ({})\n",
                link(10),
                link(11),
                link(12)
            )
        )
        .trim_end()
    );
    let repo = project(&log, &[]);
    let root = repo.path();
    let (written, _) = consolidated(root, &[]);
    let section = final_section(&written);
    assert!(
        !section.contains('\u{200b}') && !section.contains('\t') && !section.contains("<b>"),
        "{section}"
    );
}

/// An entry whose PRs a newer entry lists with more (`#1, #2` in rc1, `#1, #2, #3` in
/// rc2): the fold keeps both with a note advising a merge, and the review that deletes the
/// older one is accepted — one entry still lists every PR (hostile10/14).
#[test]
fn the_review_may_merge_an_entry_into_one_listing_more_prs() {
    let log = changelog(&[
        rc(
            2,
            "2025-02-15",
            &format!(
                "### Features\n* Add CSV and JSON exports ({}, {}, {})\n",
                link(1),
                link(2),
                link(3)
            ),
        ),
        rc(
            1,
            "2025-02-01",
            &format!(
                "### Features\n* Add CSV exports ({}, {})\n",
                link(1),
                link(2)
            ),
        ),
    ]);
    let repo = project(&log, &[]);
    let root = repo.path();
    let out = run(root, ARGS, "sed -i -e '/Add CSV exports/d'");
    ok(&out, "the review merges the older entry into the newer");
    let written = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let section = final_section(&written);
    assert!(section.contains("Add CSV and JSON exports"), "{section}");
    assert!(!section.contains("Add CSV exports"), "{section}");
}

/// A group heading written in the review as `#### Usage [#212]`, with the definition
/// `[#212]: …` below: a reference link to the PR outside its entry, refused like an
/// inline one (hostile9/11).
#[test]
fn the_review_refuses_a_shortcut_reference_to_a_pr_outside_its_entry() {
    let log = changelog(&[rc(
        1,
        "2025-02-01",
        &format!("### Features\n* New in rc1 ({})\n", link(212)),
    )]);
    let repo = project(&log, &[]);
    let root = repo.path();
    let editor = format!(
        "sed -i -e 's/^\\* New in rc1/#### Usage [#212]\\nAdded usage.\\n\\n&/' -e '$a [#212]: {URL}/212'"
    );
    let out = run(root, ARGS, &editor);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("a reference to #212 outside any entry"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(crate::util::git(root, &["status", "--porcelain"]), "");
}
