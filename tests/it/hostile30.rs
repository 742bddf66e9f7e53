//! Issues named by text (`PROJ-12`, as towncrier takes it from `changes/PROJ-12.feature.md`)
//! wherever references are told or compared: the JSON of `consolidate --format json` and of
//! the grouping command's input says them as the project writes them (`issues`), never as
//! the key they are counted by (`prs` holds PR numbers only); a stopped release matches the
//! fragments it takes in hand to the section's entries by the same key the section is read
//! with; and a bare `issue_format = "{issue}"` reads a reference only where the project's
//! template writes one.

use std::path::Path;

use serde_json::Value;

use crate::util::{self, git, ok, one_error, repo_with, run};

fn manifest() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A project with `issue_format = format`, Features grouped, and `changelog` as its
/// changelog.
fn project(format: &str, changelog: &str) -> tempfile::TempDir {
    let pyproject = format!(
        "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
         title_format = \"## {{version}} ({{project_date}})\"\nissue_format = \"{format}\"\n\n\
         [tool.git-release.consolidate]\ncategories = [\"Features\"]\n"
    );
    repo_with(&[
        ("pyproject.toml", pyproject.as_str()),
        ("CHANGELOG.md", changelog),
        ("changes/.gitkeep", ""),
        ("VERSION", "0.9.0\n"),
    ])
}

/// A changelog whose grouped final release names issues by text and by number.
const GROUPED_HISTORY: &str = "# Changelog\n\n<!-- towncrier release notes start -->\n\n\
## 0.9.0 (2025-11-01)\n\n### Features\n\n#### Export\n\nExports of reports.\n\n\
- Add CSV export (#PROJ-3)\n- Add JSON export (#5)\n\n#### Other Features\n\n\
- Add a flag (#ABC-9)\n";

/// The keys every JSON object holding references must have, and what they must hold: `prs`
/// numbers a JSON reader takes as such (at most i64's largest; a name's key is above it),
/// each of them in `issues` as text.
fn check_refs(v: &Value, at: &str) {
    let prs = v["prs"]
        .as_array()
        .unwrap_or_else(|| panic!("{at}: no prs in {v}"));
    let issues: Vec<&str> = v["issues"]
        .as_array()
        .unwrap_or_else(|| panic!("{at}: no issues in {v}"))
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    for p in prs {
        let n = p
            .as_i64()
            .unwrap_or_else(|| panic!("{at}: {p} is no PR number"));
        assert!(issues.contains(&n.to_string().as_str()), "{at}: {v}");
    }
}

/// Every object under `v` holding `prs`, with its path.
fn with_refs<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(map) => {
            if map.contains_key("prs") {
                out.push((at.clone(), v));
            }
            for (k, x) in map {
                with_refs(x, format!("{at}.{k}"), out);
            }
        }
        Value::Array(list) => {
            for (i, x) in list.iter().enumerate() {
                with_refs(x, format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The `(prs, issues)` of the object under `v` whose `text` is `text`.
fn refs_of(v: &Value, text: &str) -> (Value, Value) {
    let mut all = Vec::new();
    with_refs(v, String::new(), &mut all);
    let (_, found) = all
        .into_iter()
        .find(|(_, x)| x["text"] == text)
        .unwrap_or_else(|| panic!("no {text:?} in {v}"));
    (found["prs"].clone(), found["issues"].clone())
}

/// The schema's `required` keys of the entries the command is given, and of past entries.
fn schema_required(def: &str) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(manifest().join("strategies/command.schema.json")).unwrap(),
    )
    .unwrap();
    let s = match def {
        "inputEntry" => &schema["$defs"]["inputCategory"]["properties"]["entries"]["items"],
        other => &schema["$defs"][other],
    };
    let mut keys: Vec<String> = s["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    keys.sort();
    keys
}

fn keys_of(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[test]
fn json_says_an_issue_named_by_text_as_written_and_keeps_prs_numbers() {
    let dir = project("#{issue}", GROUPED_HISTORY);
    let root = dir.path();
    util::write_files(
        root,
        &[
            ("changes/PROJ-12.feature.md", "Add export.\n"),
            ("changes/7.feature.md", "Add seven.\n"),
            // Listed by 0.9.0 already: stale, and said so by its name.
            ("changes/PROJ-3.feature.md", "Add CSV export\n"),
        ],
    );
    util::commit_all(root, "fragments");
    let scratch = tempfile::tempdir().unwrap();
    let input = scratch.path().join("input.json");
    // The shipped example script, echoing what it was given.
    let command = format!(
        "python3 '{}' --dump-input 2>'{}'",
        manifest()
            .join("strategies/examples/leading_word.py")
            .display(),
        input.display()
    );
    let before = util::snapshot(root);
    let out = util::git_release(root)
        .args([
            "consolidate",
            "1.0.0",
            "--dry-run",
            "--format",
            "json",
            "--date",
            "2025-12-06",
            "--strategy",
            "command",
            "--command",
            &command,
        ])
        .output()
        .unwrap();
    ok(&out, "consolidate --format json");
    assert_eq!(util::snapshot(root), before, "a dry run changes nothing");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();

    // consolidate's JSON: an entry's `pr` and `prs` are PR numbers, `issues` as written.
    let item = |text: &str| {
        let mut all = Vec::new();
        with_refs(&json["categories"], String::new(), &mut all);
        all.into_iter()
            .find(|(_, x)| x["text"] == text)
            .map(|(_, x)| x.clone())
            .unwrap_or_else(|| panic!("no {text:?} in {json}"))
    };
    let export = item("Add export.");
    assert_eq!(export["pr"], Value::Null, "{export}");
    assert_eq!(export["prs"], serde_json::json!([]), "{export}");
    assert_eq!(export["issues"], serde_json::json!(["PROJ-12"]), "{export}");
    let seven = item("Add seven.");
    assert_eq!(seven["pr"], 7);
    assert_eq!(seven["prs"], serde_json::json!([7]));
    assert_eq!(seven["issues"], serde_json::json!(["7"]));
    // The stale entry, named as written.
    let stale = &json["stale"][0];
    assert_eq!(stale["prs"], serde_json::json!([]), "{json}");
    assert_eq!(stale["issues"], serde_json::json!(["PROJ-3"]), "{json}");
    let mut all = Vec::new();
    with_refs(&json, "json".into(), &mut all);
    assert!(all.len() >= 3);
    for (at, v) in &all {
        check_refs(v, at);
    }

    // What the grouping command was given: the same, in the entries, past groups and past
    // entries, in the shape the schema requires.
    let given: Value = serde_json::from_str(&std::fs::read_to_string(&input).unwrap()).unwrap();
    let entry = &given["categories"][0]["entries"][0];
    assert_eq!(keys_of(entry), schema_required("inputEntry"));
    assert_eq!(
        refs_of(&given["categories"], "Add export."),
        (serde_json::json!([]), serde_json::json!(["PROJ-12"]))
    );
    let past = &given["history"][0]["categories"][0];
    let group = &past["groups"][0];
    assert_eq!(keys_of(group), schema_required("pastGroup"));
    assert_eq!(group["prs"], serde_json::json!([5]), "{group}");
    assert_eq!(
        group["issues"],
        serde_json::json!(["PROJ-3", "5"]),
        "{group}"
    );
    assert_eq!(keys_of(&group["entries"][0]), schema_required("pastEntry"));
    assert_eq!(
        refs_of(&given["history"], "Add a flag"),
        (serde_json::json!([]), serde_json::json!(["ABC-9"]))
    );
    let mut all = Vec::new();
    with_refs(&given, "input".into(), &mut all);
    assert!(all.len() >= 6);
    for (at, v) in &all {
        check_refs(v, at);
    }
}

// ---------------------------------------------------------------------------------------
// Fragments of issues named by text, taken in hand while a pre-release is stopped
// ---------------------------------------------------------------------------------------

const DATE: [&str; 2] = ["--date", "2025-03-01"];

/// A release of `release::project` (the Backend.AI template, issues written
/// `([#{issue}](…/{issue}))`) with `PROJ-7.feature.md` besides its numbered fragments,
/// stopped at a WebUI step (before the changelog step) that passes once `flag` exists.
fn stopped_with_a_named_issue(flag: &Path) -> tempfile::TempDir {
    let step = crate::hostile::step_needing(&flag.join("pass"), "when = \"webui\"");
    let repo = crate::release::project(&step);
    let root = repo.path();
    util::write_file(root, "changes/PROJ-7.feature.md", "Add report export\n");
    util::commit_all(root, "a fragment named by its tracker's issue");
    let args = ["1.1.0rc1", "2.0.0", "--yes", "--no-edit", DATE[0], DATE[1]];
    let out = run(root, &args, "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    assert!(root.join("changes/PROJ-7.feature.md").exists());
    repo
}

fn let_it_pass(flag: &Path) {
    std::fs::write(flag.join("pass"), "").unwrap();
}

fn section_of(root: &Path) -> String {
    crate::hostile17::section(root, "1.1.0rc1")
}

/// A second fragment of a planned named issue (`PROJ-7.feature.1.md`) added and staged
/// while the release is stopped is the release's, built and held like a numbered one's
/// (hostile21): the section lists PROJ-7 twice. Before, the fragment's issue was read as a
/// number only, so PROJ-7 stayed planned once and the changelog step refused its own
/// section ("PROJ-7 is listed 2 times").
#[test]
fn a_second_fragment_of_a_named_issue_taken_in_hand_is_built_and_held() {
    let flag = tempfile::tempdir().unwrap();
    let repo = stopped_with_a_named_issue(flag.path());
    let root = repo.path();
    util::write_file(
        root,
        "changes/PROJ-7.feature.1.md",
        "Add CSV to the export\n",
    );
    git(root, &["add", "changes/PROJ-7.feature.1.md"]);
    let_it_pass(flag.path());
    let out = run(root, &["continue"], "false");
    ok(&out, "continue with a named issue's second fragment");
    let published = section_of(root);
    assert_eq!(published.matches("[#PROJ-7]").count(), 2, "{published}");
    assert!(published.contains("Add CSV to the export"), "{published}");
    assert!(published.contains("Add report export"), "{published}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// A named issue's fragment removed while the release is stopped: the changelog step
/// refuses, naming the issue as written and — of the fragments gone — only the one whose
/// entry is lost (`PROJ-7.feature.md`), not one renamed meanwhile whose entry is still
/// built (`11.feature.md` → `11.fix.md`). Following the advice ends the release with every
/// entry once. Before, a name was no issue to the advice: it named every file gone.
#[test]
fn a_named_issues_fragment_removed_while_stopped_is_named_and_put_back() {
    let flag = tempfile::tempdir().unwrap();
    let repo = stopped_with_a_named_issue(flag.path());
    let root = repo.path();
    git(root, &["rm", "-q", "changes/PROJ-7.feature.md"]);
    git(root, &["mv", "changes/11.feature.md", "changes/11.fix.md"]);
    let_it_pass(flag.path());
    let out = run(root, &["continue"], "false");
    let stderr = one_error(&out, "continue without the named issue's fragment");
    assert!(stderr.contains("PROJ-7 is missing"), "{stderr}");
    let base = git(root, &["rev-parse", "main"]);
    let advice = format!(
        "`git checkout {} -- changes/PROJ-7.feature.md`",
        base.trim()
    );
    assert!(stderr.contains(&advice), "{advice}\n{stderr}");
    assert!(!stderr.contains("11.feature.md"), "{stderr}");
    assert!(root.join("changes/11.fix.md").exists(), "nothing removed");
    git(
        root,
        &["checkout", base.trim(), "--", "changes/PROJ-7.feature.md"],
    );
    ok(&run(root, &["continue"], "false"), "continue, put back");
    let published = section_of(root);
    assert_eq!(published.matches("[#PROJ-7]").count(), 1, "{published}");
    assert_eq!(published.matches("[#11]").count(), 1, "{published}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// `proj-12` and `PROJ-12` are two issues to towncrier (two fragment names, two
/// references, compared as strings): a fragment of the one added while the release is
/// stopped is no second fragment of the other. Each is listed once, as written, and the
/// release holds both.
#[test]
fn names_alike_but_for_case_are_two_issues() {
    let flag = tempfile::tempdir().unwrap();
    let step = crate::hostile::step_needing(&flag.path().join("pass"), "when = \"webui\"");
    let repo = crate::release::project(&step);
    let root = repo.path();
    util::write_file(root, "changes/PROJ-12.feature.md", "Add report export\n");
    util::commit_all(root, "PROJ-12");
    let args = ["1.1.0rc1", "2.0.0", "--yes", "--no-edit", DATE[0], DATE[1]];
    let out = run(root, &args, "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    util::write_file(root, "changes/proj-12.feature.md", "Add report import\n");
    git(root, &["add", "changes/proj-12.feature.md"]);
    let_it_pass(flag.path());
    ok(&run(root, &["continue"], "false"), "continue with proj-12");
    let published = section_of(root);
    assert_eq!(published.matches("[#PROJ-12]").count(), 1, "{published}");
    assert_eq!(published.matches("[#proj-12]").count(), 1, "{published}");
    assert!(published.contains("Add report import"), "{published}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// hostile21's move of a fragment to another type during the final's review, for a named
/// issue whose text another entry of the new category holds (`Fix crash` in `Fix crash on
/// start`): the section lists PROJ-7 under Features only, so `continue` stops naming the
/// moved file and its category, nothing written. Before, the named fragment was looked for
/// by its text, found in #12's entry, and PROJ-7 published under Features with its moved
/// file deleted.
#[test]
fn a_named_issues_fragment_moved_during_the_review_is_told_by_its_issue() {
    let repo = crate::release::project_after_rc("");
    let root = repo.path();
    util::write_file(root, "changes/PROJ-7.feature.md", "Fix crash\n");
    util::commit_all(root, "a fragment named by its tracker's issue");
    let out = run(root, &["1.1.0", "--yes", DATE[0], DATE[1]], "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    git(
        root,
        &["mv", "changes/PROJ-7.feature.md", "changes/PROJ-7.fix.md"],
    );
    let out = run(root, &["continue"], "true");
    let stderr = one_error(&out, "a moved named fragment");
    assert!(
        stderr.contains("changes/PROJ-7.fix.md") && stderr.contains("### Fixes"),
        "{stderr}"
    );
    let now = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert_eq!(now, log, "nothing written");
    assert!(root.join("changes/PROJ-7.fix.md").exists());
    git(
        root,
        &["mv", "changes/PROJ-7.fix.md", "changes/PROJ-7.feature.md"],
    );
    ok(
        &run(root, &["continue"], "true"),
        "continue once moved back",
    );
    let published = crate::hostile17::section(root, "1.1.0");
    assert_eq!(published.matches("[#PROJ-7]").count(), 1, "{published}");
}

// ---------------------------------------------------------------------------------------
// A bare `issue_format = "{issue}"`: an issue where the project's template writes one
// ---------------------------------------------------------------------------------------

/// A Markdown template that writes an entry's issues as towncrier's `hr-between-versions`
/// does: on the lines after its text, `values|join(',\n  ')`.
const OWN_LINES_TEMPLATE: &str = "{% for section, _ in sections.items() %}\
{% for category, val in definitions.items() if category in sections[section] %}\
### {{ definitions[category]['name'] }}\n\n\
{% for text, values in sections[section][category].items() %}\
- {{ text }}\n\
{% if values %}  {{ values|join(',\\n  ') }}\n{% endif %}\
{% endfor %}\n\
{% endfor %}{% endfor %}";

/// rc1 → rc2 (reworded) → final with a bare format, issues written on the lines after the
/// text: each issue is listed once, in its newest words, and `Drop Python 2` (an orphan's
/// text ending with a number) stays prose, once. Before, `Add export\n  12` was read as
/// text without a reference, so rc2's rewording of #12 was another entry.
#[test]
fn a_bare_format_reads_issues_on_the_lines_after_the_text() {
    let pyproject = "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
         template = \"changes/template.md\"\n\
         title_format = \"## {version} ({project_date})\"\nissue_format = \"{issue}\"\n";
    let repo = repo_with(&[
        ("pyproject.toml", pyproject),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n",
        ),
        ("changes/template.md", OWN_LINES_TEMPLATE),
        ("VERSION", "0.9.0\n"),
    ]);
    let root = repo.path();
    let flags = ["--yes", "--no-edit", "--date", "2025-12-06"];
    util::release_and_merge(
        root,
        "1.0.0rc1",
        &flags,
        &[
            ("12.feature.md", "Add export\n"),
            ("PROJ-3.feature.md", "Add import\n"),
            ("+a.feature.md", "Drop Python 2\n"),
        ],
        "true",
    );
    let rc1 = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(rc1.contains("- Add export\n  12\n"), "{rc1}");
    util::release_and_merge(
        root,
        "1.0.0rc2",
        &flags,
        &[("12.feature.md", "Add export to CSV\n")],
        "true",
    );
    let out = run(root, &["1.0.0", "--yes", "--date", "2025-12-06"], "true");
    ok(&out, "the final");
    let published = crate::hostile17::section(root, "1.0.0");
    let entries: Vec<&str> = published
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .collect();
    assert_eq!(
        entries,
        ["Add import", "Add export to CSV", "Drop Python 2"],
        "{published}"
    );
    assert_eq!(published.matches("\n  12\n").count(), 1, "{published}");
    assert_eq!(published.matches("\n  PROJ-3\n").count(), 1, "{published}");
}
