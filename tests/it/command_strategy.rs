//! `--strategy command` end to end: the shipped example script
//! (`strategies/examples/leading_word.py`) groups a real Backend.AI release through
//! `consolidate` (dry run and write) and through `git release X` configured in
//! `[tool.git-release.consolidate]`; the JSON both ways matches
//! `strategies/command.schema.json`; and every way a command can fail or answer wrongly is
//! refused with exit code 3, one clear error, and the repository byte-identical.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{commit_all, fixtures, ok, one_error, repo_from, text, write_file};
use crate::workflow::{expected, listed, sections, state};

const VERSION: &str = "26.2.0";
const DATE: &str = "2026-02-13";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    manifest().join("strategies/examples/leading_word.py")
}

/// The example script as a command line.
fn example_command() -> String {
    format!("python3 '{}'", example().display())
}

/// The Backend.AI project as it stood before 26.2.0 (one rc section, new fragments, a
/// changelog with grouped final releases).
fn project() -> tempfile::TempDir {
    repo_from(&fixtures().join("backend-ai").join(VERSION).join("before"))
}

fn consolidate(root: &Path, mode: &str, command: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "consolidate",
        VERSION,
        mode,
        "--date",
        DATE,
        "--strategy",
        "command",
        "--command",
        command,
    ];
    args.extend_from_slice(extra);
    crate::util::git_release(root)
        .args(&args)
        .env("GIT_EDITOR", "false")
        .output()
        .unwrap()
}

/// Run the command the way a test needs it: the input captured into `dir` first.
fn capturing(dir: &Path, then: &str) -> String {
    format!("tee '{}' | {then}", dir.join("input.json").display())
}

// --- a structural check against the schema file (no validator crate: the subset of JSON
// Schema the file uses) ---

fn schema() -> Value {
    let path = manifest().join("strategies/command.schema.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/$defs/").expect("local $ref");
            resolve(root, &root["$defs"][name])
        }
        None => s,
    }
}

fn type_ok(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_u64() || v.is_i64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        other => panic!("schema type {other} not handled"),
    }
}

/// Every violation of `s` by `v`, with its path.
fn violations(root: &Value, s: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let s = resolve(root, s);
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        let fits = any.iter().any(|alt| {
            let mut errs = Vec::new();
            violations(root, alt, v, at, &mut errs);
            errs.is_empty()
        });
        if !fits {
            out.push(format!("{at}: matches none of anyOf"));
        }
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type in schema"),
        };
        if !types.iter().any(|t| type_ok(v, t)) {
            out.push(format!("{at}: not of type {types:?}: {v}"));
            return;
        }
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        out.push(format!("{at}: {v} is not {c}"));
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        out.push(format!("{at}: {v} is not one of {e:?}"));
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_i64), v.as_i64())
        && n < min
    {
        out.push(format!("{at}: {n} < {min}"));
    }
    if let (Some(min), Some(text)) = (s.get("minLength").and_then(Value::as_u64), v.as_str())
        && (text.chars().count() as u64) < min
    {
        out.push(format!("{at}: shorter than {min}"));
    }
    if let (Some(p), Some(text)) = (s.get("pattern").and_then(Value::as_str), v.as_str())
        && !regex::Regex::new(p).unwrap().is_match(text)
    {
        out.push(format!("{at}: {text:?} does not match {p}"));
    }
    if let Some(obj) = v.as_object() {
        for key in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = key.as_str().unwrap();
            if !obj.contains_key(key) {
                out.push(format!("{at}: `{key}` is missing"));
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (key, value) in obj {
            match props.and_then(|p| p.get(key)) {
                Some(ps) => violations(root, ps, value, &format!("{at}.{key}"), out),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{at}: `{key}` is not in the schema"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(list)) = (s.get("items"), v.as_array()) {
        for (i, item) in list.iter().enumerate() {
            violations(root, items, item, &format!("{at}[{i}]"), out);
        }
    }
}

fn assert_fits(def: &str, v: &Value) {
    let root = schema();
    let mut errs = Vec::new();
    violations(&root, &root["$defs"][def], v, def, &mut errs);
    assert!(
        errs.is_empty(),
        "{def} does not fit the schema:\n{}",
        errs.join("\n")
    );
}

#[test]
fn the_schema_rejects_what_it_should() {
    // The checker itself can fail: a wrong document is caught.
    let root = schema();
    for (def, bad) in [
        ("output", serde_json::json!({"groups": []})),
        (
            "output",
            serde_json::json!({"categories": [{"name": "F", "groups": [{"title": "", "entries": []}]}]}),
        ),
        (
            "output",
            serde_json::json!({"categories": [{"name": "F", "groups": [{"title": "T", "tier": "epic", "entries": []}]}]}),
        ),
        (
            "input",
            serde_json::json!({"format": 2, "version": "1", "categories": [], "history": [], "rules": {"tiers": [], "min_group_size": 2, "components": []}}),
        ),
    ] {
        let mut errs = Vec::new();
        violations(&root, &root["$defs"][def], &bad, def, &mut errs);
        assert!(!errs.is_empty(), "{def}: {bad} passed");
    }
}

/// The sections' entries by category, each listed once.
fn listed_once(json: &Value) -> BTreeMap<String, BTreeSet<String>> {
    listed(json)
        .into_iter()
        .map(|(cat, counts)| {
            for (k, n) in &counts {
                assert_eq!(*n, 1, "{k} is listed {n} times in {cat}");
            }
            (cat, counts.into_keys().collect())
        })
        .collect()
}

#[test]
fn the_example_script_groups_a_real_release() {
    let repo = project();
    let root = repo.path();
    let scratch = tempfile::tempdir().unwrap();
    let command = capturing(scratch.path(), &example_command());
    let out = consolidate(root, "--dry-run", &command, &["--format", "json"]);
    ok(&out, "consolidate --strategy command --dry-run");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (want, _) = expected(root, VERSION);
    assert_eq!(listed_once(&json), want, "every input listed exactly once");

    // What the command was given: the release, its entries with unique ids, the grouped
    // history and the rules, in the documented shape.
    let input: Value =
        serde_json::from_str(&std::fs::read_to_string(scratch.path().join("input.json")).unwrap())
            .unwrap();
    assert_fits("input", &input);
    assert_eq!(input["version"], VERSION);
    let cats = input["categories"].as_array().unwrap();
    let names: Vec<&str> = cats.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Features", "Improvements", "Fixes"]);
    let ids: Vec<&str> = cats
        .iter()
        .flat_map(|c| c["entries"].as_array().unwrap())
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());
    // One id per entry of the section's grouped categories.
    let section_entries: usize = json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| names.contains(&c["name"].as_str().unwrap()))
        .flat_map(|c| c["groups"].as_array().unwrap())
        .map(|g| g["items"].as_array().unwrap().len())
        .sum();
    assert_eq!(ids.len(), section_entries);
    let history = input["history"].as_array().unwrap();
    assert_eq!(history[0]["version"], "26.1.0", "newest first");
    let past_group = &history[0]["categories"][0]["groups"][0];
    assert!(!past_group["title"].as_str().unwrap().is_empty());
    assert!(!past_group["prs"].as_array().unwrap().is_empty());
    assert_eq!(
        input["rules"]["tiers"],
        serde_json::json!([
            "initiative",
            "subsystem",
            "entity",
            "pattern",
            "infrastructure"
        ])
    );
    assert_eq!(input["rules"]["min_group_size"], 2);
    assert!(
        input["rules"]["components"]
            .as_array()
            .unwrap()
            .contains(&Value::from("manager"))
    );

    // What the script answers fits the schema, and its groups are the section's.
    let answer = Command::new("python3")
        .arg(example())
        .stdin(std::fs::File::open(scratch.path().join("input.json")).unwrap())
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(answer.status.success());
    let answer: Value = serde_json::from_slice(&answer.stdout).unwrap();
    assert_fits("output", &answer);
    let answered: BTreeSet<(String, String)> = answer["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            let name = c["name"].as_str().unwrap().to_string();
            c["groups"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["entries"].as_array().unwrap().len() >= 2)
                .map(move |g| (name.clone(), g["title"].as_str().unwrap().to_string()))
        })
        .collect();
    assert!(!answered.is_empty(), "the script grouped something");
    let shown: BTreeSet<(String, String)> = json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            let name = c["name"].as_str().unwrap().to_string();
            c["groups"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["other"] == false && !g["title"].is_null())
                .map(move |g| (name.clone(), g["title"].as_str().unwrap().to_string()))
        })
        .collect();
    assert_eq!(shown, answered);
    // A dry run writes nothing.
    assert_eq!(
        crate::util::git(root, &["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
}

#[test]
fn the_example_script_writes_the_section() {
    let repo = project();
    let root = repo.path();
    let (want, _) = expected(root, VERSION);
    let out = consolidate(root, "--no-edit", &example_command(), &[]);
    ok(&out, "consolidate --strategy command --no-edit");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let all = sections(&log);
    assert_eq!(all[0].title, format!("{VERSION} ({DATE})"));
    assert!(!all.iter().any(|s| s.title.starts_with("26.2.0rc")));
    let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in &all[0].items {
        for k in item.keys() {
            assert!(
                got.entry(item.category.clone())
                    .or_default()
                    .insert(k.clone()),
                "{k} twice"
            );
        }
    }
    assert_eq!(got, want);
    let section = &log[..log.find(&format!("## {}", all[1].title)).unwrap()];
    assert!(section.contains("\n#### "), "grouped:\n{section}");
}

#[test]
fn a_final_release_groups_with_the_configured_command() {
    let repo = project();
    let root = repo.path();
    write_file(
        root,
        ".git-release.toml",
        &format!(
            "[consolidate]\nstrategy = \"command\"\ncommand = {}\n",
            serde_json::to_string(&example_command()).unwrap()
        ),
    );
    commit_all(root, "configure the grouping command");
    let (want, _) = expected(root, VERSION);
    let out = crate::util::git_release(root)
        .args([VERSION, "--yes", "--no-edit", "--date", DATE])
        .output()
        .unwrap();
    ok(&out, "git release 26.2.0");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let all = sections(&log);
    assert_eq!(all[0].title, format!("{VERSION} ({DATE})"));
    let got: BTreeSet<String> = all[0].items.iter().flat_map(|i| i.keys()).collect();
    let wanted: BTreeSet<String> = want.values().flatten().cloned().collect();
    assert_eq!(got, wanted);
    // Grouped into subsections by the script.
    assert!(log[..log.find("## 26.1.0").unwrap()].contains("\n#### "));
    assert_eq!(
        std::fs::read_to_string(root.join("VERSION"))
            .unwrap()
            .trim(),
        VERSION
    );
}

/// A command's answer or failure refused: exit 3, one error saying `needle`, and nothing
/// changed, for a dry run, a write, and a release.
fn refused(root: &Path, command: &str, needles: &[&str]) -> String {
    let before = state(root);
    let mut last = String::new();
    for mode in ["--dry-run", "--no-edit"] {
        let out = consolidate(root, mode, command, &[]);
        let stderr = one_error(&out, &format!("{mode} `{command}`"));
        assert_eq!(out.status.code(), Some(3), "{mode} `{command}`: {stderr}");
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{mode} `{command}`: no {needle:?} in\n{stderr}"
            );
        }
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert_eq!(
            state(root),
            before,
            "{mode} `{command}` changed the repository"
        );
        last = stderr;
    }
    let out = crate::util::git_release(root)
        .args([VERSION, "--yes", "--no-edit", "--date", DATE])
        .args(["--strategy", "command", "--command", command])
        .output()
        .unwrap();
    let stderr = one_error(&out, &format!("release `{command}`"));
    assert_eq!(out.status.code(), Some(3), "release `{command}`: {stderr}");
    assert_eq!(
        state(root),
        before,
        "release `{command}` changed the repository"
    );
    last
}

/// The example's answer edited by a Python expression over `a` (the answer).
fn edited(edit: &str) -> String {
    format!(
        "{} | python3 -c 'import json,sys; a=json.load(sys.stdin); {edit}; json.dump(a, sys.stdout)'",
        example_command()
    )
}

#[test]
fn wrong_answers_are_refused_naming_the_id_and_where() {
    let repo = project();
    let root = repo.path();
    refused(
        root,
        &edited("a[\"categories\"][0][\"other\"].append(\"e99999\")"),
        &["unknown id \"e99999\"", "categories[0].other"],
    );
    // The first entry placed anywhere is dropped.
    let stderr = refused(
        root,
        &edited(
            "c=a[\"categories\"][0]; l=c[\"groups\"][0][\"entries\"] if c[\"groups\"] else c[\"other\"]; l.pop(0)",
        ),
        &["left out 1 of the release's entries", "of Features"],
    );
    assert!(stderr.contains("\"e"), "{stderr}");
    refused(
        root,
        &edited(
            "c=a[\"categories\"][0]; c[\"other\"].append((c[\"groups\"][0][\"entries\"] if c[\"groups\"] else c[\"other\"])[0])",
        ),
        &["twice", "every entry belongs to exactly one group"],
    );
    // An entry of Fixes answered under Features.
    refused(
        root,
        &edited(
            "f=[c for c in a[\"categories\"] if c[\"name\"]==\"Fixes\"][0]; l=f[\"groups\"][0][\"entries\"] if f[\"groups\"] else f[\"other\"]; a[\"categories\"][0][\"other\"].append(l.pop())",
        ),
        &["but it is an entry of Fixes"],
    );
    refused(
        root,
        "cat >/dev/null; printf '{\"categories\": [\\n  {\"name\": \"Features\",, }\\n]}'",
        &["not JSON", "line 2"],
    );
    refused(
        root,
        &edited("a[\"categories\"][0][\"groups\"]=[{\"title\": \"## 27.0.0\", \"entries\": []}]"),
        &["categories[0].groups[0].title", "Markdown heading"],
    );
    refused(root, "cat >/dev/null", &["printed nothing on stdout"]);
}

#[test]
fn failing_commands_are_refused_with_their_stderr() {
    let repo = project();
    let root = repo.path();
    refused(
        root,
        "cat >/dev/null; echo 'the model quota is exhausted' >&2; exit 7",
        &["exited with exit status: 7", "the model quota is exhausted"],
    );
    refused(
        root,
        "no-such-grouper-on-any-path --go",
        &["was not found", "no-such-grouper-on-any-path"],
    );
    // Endless output: read up to the limit, then the command is ended.
    refused(root, "yes", &["more than 64 MiB on stdout"]);
    // Endless stderr is drained and cut, not kept.
    let stderr = refused(
        root,
        "cat >/dev/null; head -c 5000000 /dev/zero | tr '\\0' x >&2; exit 1",
        &["exited with", "[… stderr cut]"],
    );
    assert!(stderr.len() < 20_000, "{} bytes of stderr", stderr.len());
}

#[test]
fn a_hanging_command_is_stopped_by_its_timeout() {
    let repo = project();
    let root = repo.path();
    write_file(
        root,
        ".git-release.toml",
        "[consolidate]\nstrategy = \"command\"\ncommand = \"sleep 60\"\ncommand-timeout = 1\n",
    );
    commit_all(root, "a grouper that hangs");
    let before = state(root);
    let start = Instant::now();
    let out = crate::util::git_release(root)
        .args(["consolidate", VERSION, "--no-edit", "--date", DATE])
        .output()
        .unwrap();
    let took = start.elapsed();
    let stderr = one_error(&out, "sleep 60");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("timeout (1s"), "{stderr}");
    assert!(stderr.contains("command-timeout"), "{stderr}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert_eq!(state(root), before);
}

#[test]
fn a_command_that_ignores_its_input_or_leaves_a_child_behind_does_not_hang() {
    let repo = project();
    let root = repo.path();
    let scratch = tempfile::tempdir().unwrap();
    // A complete answer made beforehand from the input: every entry in `other`.
    let out = consolidate(
        root,
        "--dry-run",
        &capturing(scratch.path(), &example_command()),
        &[],
    );
    ok(&out, "capture");
    let input: Value =
        serde_json::from_str(&std::fs::read_to_string(scratch.path().join("input.json")).unwrap())
            .unwrap();
    assert!(
        serde_json::to_vec(&input).unwrap().len() > 1 << 16,
        "the input is larger than a pipe's buffer"
    );
    let answer = serde_json::json!({
        "categories": input["categories"].as_array().unwrap().iter().map(|c| serde_json::json!({
            "name": c["name"],
            "other": c["entries"].as_array().unwrap().iter().map(|e| e["id"].clone()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()
    });
    let file = scratch.path().join("answer.json");
    std::fs::write(&file, answer.to_string()).unwrap();
    for command in [
        // Never reads stdin.
        format!("cat '{}'", file.display()),
        // Leaves a child holding stdout open.
        format!("sleep 60 & cat '{}'", file.display()),
    ] {
        let start = Instant::now();
        let out = consolidate(root, "--dry-run", &command, &["--format", "json"]);
        ok(&out, &command);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{command}: {:?}",
            start.elapsed()
        );
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("Broken pipe"), "{stderr}");
        // Nothing grouped: the categories stay flat, every entry listed once.
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let (want, _) = expected(root, VERSION);
        assert_eq!(listed_once(&json), want);
    }
}

/// SIGINT or SIGTERM to git-release while the command runs (a terminal's Ctrl-C does not
/// reach the command's own process group): the command's whole group is stopped, the
/// grouping refused, and nothing written — during `consolidate` and during a release's
/// pre-flight (which holds the release lock).
#[test]
fn a_signal_stops_the_command_and_its_children() {
    let repo = project();
    let root = repo.path();
    let scratch = tempfile::tempdir().unwrap();
    let started = scratch.path().join("started");
    let late = scratch.path().join("late");
    let command = format!(
        "cat >/dev/null; echo $$ > '{}'; (sleep 2; touch '{}') & sleep 30",
        started.display(),
        late.display()
    );
    let before = state(root);
    for (args, sig, name) in [
        (vec!["consolidate", VERSION, "--no-edit"], "INT", "SIGINT"),
        (vec![VERSION, "--yes", "--no-edit"], "TERM", "SIGTERM"),
    ] {
        let _ = std::fs::remove_file(&started);
        let child = crate::util::git_release_process(root)
            .args(&args)
            .args([
                "--date",
                DATE,
                "--strategy",
                "command",
                "--command",
                &command,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let start = Instant::now();
        while std::fs::read_to_string(&started).map_or(true, |s| s.trim().is_empty()) {
            assert!(start.elapsed() < Duration::from_secs(60), "never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        let group = std::fs::read_to_string(&started)
            .unwrap()
            .trim()
            .to_string();
        let status = Command::new("kill")
            .args([format!("-{sig}"), "--".into(), child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let out = child.wait_with_output().unwrap();
        let stderr = one_error(&out, name);
        assert_eq!(out.status.code(), Some(3), "{name}: {stderr}");
        assert!(
            stderr.contains(name) && stderr.contains("nothing was written"),
            "{stderr}"
        );
        // The command's group (its shell's pid) is gone.
        let alive = Command::new("kill")
            .args(["-0", "--", &format!("-{group}")])
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(
            !alive.success(),
            "{name}: the command's group {group} still runs"
        );
        assert_eq!(state(root), before, "{name}");
    }
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        !late.exists(),
        "a child of the command ran on after the signal"
    );
}

/// A command that prints its answer and exits, leaving a process of its own session
/// (`setsid`) holding its stdout or its stderr: the timeout bounds the whole run, the
/// reading of its output included, and the answer is refused, never waited for.
#[test]
fn a_process_left_holding_the_output_does_not_outlast_the_timeout() {
    let repo = project();
    let root = repo.path();
    let scratch = tempfile::tempdir().unwrap();
    // The example's answer, made beforehand: the command under test answers at once.
    let answer = scratch.path().join("answer.json");
    let out = consolidate(
        root,
        "--dry-run",
        &format!("{} | tee '{}'", example_command(), answer.display()),
        &[],
    );
    ok(&out, "the answer");
    write_file(
        root,
        ".git-release.toml",
        "[consolidate]\ncommand-timeout = 2\n",
    );
    commit_all(root, "a short command-timeout");
    let pids = scratch.path().join("pids");
    // The command exits only once the daemon is out of its process group (it writes its
    // pid after `setsid`): else, on a busy machine, the daemon may still be in the group
    // when git release ends the group, and be ended with it (no output left held).
    let daemon = format!(
        "setsid sh -c 'echo $$ >> \"{}\"; exec sleep 60'",
        pids.display()
    );
    let start = Instant::now();
    let started = format!("$(cat '{}' 2>/dev/null | wc -l)", pids.display());
    for held in ["", " </dev/null >/dev/null"] {
        refused(
            root,
            &format!(
                "cat >/dev/null; cat '{}'; before={started}; {daemon}{held} & \
                 while [ {started} -le $before ]; do sleep 0.01; done; exit 0",
                answer.display(),
            ),
            &["a process it started keeps its output"],
        );
    }
    let took = start.elapsed();
    for pid in std::fs::read_to_string(&pids).unwrap_or_default().lines() {
        let _ = Command::new("kill").arg(pid.trim()).status();
    }
    // Six runs (dry run, write, release; stdout and stderr held), each bounded by the
    // 2 s timeout instead of the 60 s the process holds the pipe.
    assert!(took < Duration::from_secs(50), "took {took:?}");
}

/// A title or description is one line of plain inline text: control characters, the
/// lines Markdown reads as a block of their own, and links (the entries carry them) are
/// refused.
#[test]
fn titles_and_descriptions_that_are_not_inline_text_are_refused() {
    let repo = project();
    let root = repo.path();
    let set = |key: &str, value: &str| {
        edited(&format!(
            "c=[c for c in a[\"categories\"] if c[\"groups\"]][0]; c[\"groups\"][0][{key:?}]={value}"
        ))
    };
    // The full check (dry run, write, release) for two, a dry run for the rest.
    refused(
        root,
        &set("description", "\"Added a\\u0000b\""),
        &["control character U+0000", ".description"],
    );
    refused(root, &set("description", "\"~~~\""), &["code fence"]);
    let before = state(root);
    for (key, value, needle) in [
        ("description", "\"a\\u2028b\"", "line break"),
        ("description", "\"a\\u0085b\"", "line break"),
        ("description", "\"a\\u000bb\"", "control character U+000B"),
        ("description", "\"a\\tb\"", "control character U+0009"),
        ("description", "\"<pre>\"", "HTML block"),
        ("description", "\"<script>\"", "HTML block"),
        ("title", "\"<details><summary>x\"", "HTML block"),
        ("description", "\"1) item\"", "ordered list item"),
        ("description", "\"---\"", "thematic break"),
        ("description", "\"___\"", "thematic break"),
        ("description", "\"===\"", "heading underline"),
        (
            "description",
            "\"[1]: https://evil.example\"",
            "link reference definition",
        ),
        ("description", "\"    code\"", "indented code"),
        ("title", "\"Ends with ##\"", "closing `#` sequence"),
        ("title", "\"Issue #\"", "closing `#` sequence"),
        ("title", "\"Evil \\u202etxt.exe\"", "U+202E"),
        ("description", "\"Added \\u2066x\"", "U+2066"),
        ("title", "\"Zero\\u200bWidth\"", "U+200B"),
        ("title", "\"Fixes\"", "titled like the category Fixes"),
        (
            "title",
            "\"See [x](https://evil.example/#1) Stuff\"",
            "link or URL",
        ),
        (
            "description",
            "\"Added ([#8560](https://github.com/o/r/issues/8560)) things\"",
            "link or URL",
        ),
    ] {
        let command = set(key, value);
        let out = consolidate(root, "--dry-run", &command, &[]);
        let stderr = one_error(&out, &command);
        assert_eq!(out.status.code(), Some(3), "{value}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{value}: no {needle:?} in {stderr}"
        );
        assert!(!stderr.contains(['\0', '\u{b}']), "{value}: {stderr:?}");
        assert_eq!(state(root), before, "{value}");
    }
}

/// A file the command leaves in the work tree would go into the release commit: the
/// grouping is refused naming it. The file is left where it is: a file that appears while
/// the command runs may be the user's (hostile6/01), so git-release removes nothing.
#[test]
fn a_command_that_changes_the_work_tree_is_refused() {
    let repo = project();
    let root = repo.path();
    let before = state(root);
    for mode in ["--dry-run", "--no-edit"] {
        let command = format!("echo run > grouper-cache.txt; {}", example_command());
        let out = consolidate(root, mode, &command, &[]);
        let stderr = one_error(&out, &command);
        assert_eq!(out.status.code(), Some(3), "{mode}: {stderr}");
        assert!(
            stderr.contains("changed the work tree")
                && stderr.contains("new untracked files: grouper-cache.txt")
                && stderr.contains("removed nothing"),
            "{mode}: {stderr}"
        );
        assert!(root.join("grouper-cache.txt").exists(), "{mode}");
        // Apart from the command's own file, nothing changed.
        std::fs::remove_file(root.join("grouper-cache.txt")).unwrap();
        assert_eq!(state(root), before, "{mode}");
    }
    // A tracked file it changes is named, and left for the user to restore.
    let command = format!("echo x >> VERSION; {}", example_command());
    let out = consolidate(root, "--dry-run", &command, &[]);
    let stderr = one_error(&out, &command);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("changed: VERSION"), "{stderr}");
}

/// A command that changes what is ignored (rewrites `.gitignore`, empties
/// `.git/info/exclude`) or drops paths from the index makes the user's files look
/// untracked: the refusal names them and removes none.
#[test]
fn a_refused_command_never_removes_a_file_that_was_there() {
    let repo = project();
    let root = repo.path();
    write_file(root, ".gitignore", "secrets.env\n");
    commit_all(root, "ignore local files");
    write_file(root, "secrets.env", "API_TOKEN=s3cr3t\n");
    write_file(root, "local.db", "precious\n");
    std::fs::write(root.join(".git/info/exclude"), "local.db\n").unwrap();
    let tracked = crate::util::git(root, &["ls-files"]);
    for (sabotage, needle) in [
        ("echo cache/ > .gitignore", "secrets.env"),
        (": > .git/info/exclude", "local.db"),
        ("git rm -rq --cached .", "the index"),
    ] {
        let command = format!(
            "{sabotage}; echo run > made-by-it.txt; {}",
            example_command()
        );
        let out = consolidate(root, "--dry-run", &command, &[]);
        let stderr = one_error(&out, &command);
        assert_eq!(out.status.code(), Some(3), "{sabotage}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{sabotage}: no {needle:?} in {stderr}"
        );
        assert!(stderr.contains("changed the work tree"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(root.join("secrets.env")).unwrap(),
            "API_TOKEN=s3cr3t\n",
            "{sabotage}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(root.join("local.db")).unwrap(),
            "precious\n",
            "{sabotage}: {stderr}"
        );
        for path in tracked.lines() {
            assert!(
                root.join(path).exists(),
                "{sabotage} removed {path}: {stderr}"
            );
        }
        // Undo the sabotage for the next round.
        crate::util::git(root, &["checkout", "-q", "HEAD", "--", ".gitignore"]);
        crate::util::git(root, &["reset", "-q"]);
        std::fs::write(root.join(".git/info/exclude"), "local.db\n").unwrap();
        let _ = std::fs::remove_file(root.join("made-by-it.txt"));
    }
}

/// A failing command's stderr is quoted with its control characters shown as escapes
/// (no escape sequence reaches the terminal), its line breaks kept.
#[test]
fn a_failing_commands_stderr_is_shown_without_escape_sequences() {
    let repo = project();
    let root = repo.path();
    let stderr = refused(
        root,
        "cat >/dev/null; printf 'red \\033[31mtext\\033]0;title\\007\\nnext line\\n' >&2; exit 1",
        &["red \\x1b[31mtext\\x1b]0;title\\x07\nnext line"],
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}
