//! Issues named by text (`PROJ-12`, as towncrier takes it from `changes/PROJ-12.feature.md`)
//! wherever references are told or compared: the JSON of `consolidate --format json` and of
//! the grouping command's input says them as the project writes them (`issues`), never as
//! the key they are counted by (`prs` holds PR numbers only); a stopped release matches the
//! fragments it takes in hand to the section's entries by the same key the section is read
//! with; and a bare `issue_format = "{issue}"` reads a reference only where the project's
//! template writes one.

use serde_json::Value;

use crate::util::{self, ok, repo_with};

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
