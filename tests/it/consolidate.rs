//! `git release consolidate` end to end: the real binary in throwaway git repositories
//! holding the Backend.AI final releases (tests/fixtures/backend-ai), every strategy, the
//! stale-fragment case, writing in place, the review in scripted editors, and bad input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::util::{commit_all, fixtures, git, ok, one_error, repo_from, repo_with, run, text};
use crate::workflow::{expected, listed, sections, state};
use crate::{util, workflow};

const FINAL_CASES: &[&str] = &["25.17.0", "25.18.0", "26.1.0", "26.2.0"];

/// Entries the maintainers moved to another category when they published a release:
/// (PR, category in the inputs, category in `gold.json`).
fn recategorised(version: &str) -> &'static [(u64, &'static str, &'static str)] {
    const SECURITY: &str = "Security Improvements";
    match version {
        "25.18.0" => &[
            (6997, "Improvements", "Features"),
            (7113, "Improvements", "Features"),
            (7035, "Fixes", SECURITY),
            (7038, "Fixes", SECURITY),
            (7039, "Fixes", SECURITY),
            (7041, "Fixes", SECURITY),
            (7043, "Fixes", SECURITY),
            (7044, "Fixes", SECURITY),
            (7056, "Fixes", SECURITY),
            (7058, "Fixes", SECURITY),
            (7060, "Fixes", SECURITY),
            (7061, "Fixes", SECURITY),
            (7062, "Fixes", SECURITY),
            (7063, "Fixes", SECURITY),
        ],
        "26.1.0" => &[
            (7919, "Improvements", "Features"),
            (7973, "Improvements", "Features"),
            (7938, "Features", "Improvements"),
            (7939, "Features", "Improvements"),
        ],
        _ => &[],
    }
}

fn case_dir(version: &str) -> PathBuf {
    fixtures().join("backend-ai").join(version)
}

fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The release date of a fixture, as published.
fn date_of(version: &str) -> String {
    json_file(&case_dir(version).join("gold.json"))["date"]
        .as_str()
        .unwrap()
        .to_string()
}

fn porcelain(dir: &Path) -> String {
    git(dir, &["status", "--porcelain", "--untracked-files=all"])
}

/// Per category, the keys listed, checking each is listed exactly once.
fn listed_once(json: &serde_json::Value, what: &str) -> BTreeMap<String, BTreeSet<String>> {
    listed(json)
        .into_iter()
        .map(|(cat, counts)| {
            for (k, n) in &counts {
                assert_eq!(*n, 1, "{what}: {k} is listed {n} times in {cat}");
            }
            (cat, counts.into_keys().collect())
        })
        .collect()
}

fn show_diff(
    got: &BTreeMap<String, BTreeSet<String>>,
    want: &BTreeMap<String, BTreeSet<String>>,
) -> String {
    let mut out = String::new();
    for cat in got.keys().chain(want.keys()).collect::<BTreeSet<_>>() {
        let g = got.get(cat).cloned().unwrap_or_default();
        let w = want.get(cat).cloned().unwrap_or_default();
        let missing: Vec<_> = w.difference(&g).collect();
        let extra: Vec<_> = g.difference(&w).collect();
        if !missing.is_empty() || !extra.is_empty() {
            out.push_str(&format!("{cat}: missing {missing:?}, extra {extra:?}\n"));
        }
    }
    out
}

/// The titled groups of a category in `--format json` output, with their PR keys.
fn groups_of(json: &serde_json::Value, category: &str) -> Vec<(String, BTreeSet<String>)> {
    json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == category)
        .flat_map(|c| c["groups"].as_array().unwrap().iter())
        .filter(|g| g["title"].is_string() && g["other"] == false)
        .map(|g| {
            (
                g["title"].as_str().unwrap().to_string(),
                g["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|i| i["prs"].as_array().unwrap().iter())
                    .map(|p| format!("#{}", p.as_u64().unwrap()))
                    .collect(),
            )
        })
        .collect()
}

/// Every strategy lists each expected entry exactly once per category, for one fixture.
fn every_strategy_lists_every_entry_once(version: &str) {
    let dir = case_dir(version);
    let date = date_of(version);
    let repo = repo_from(&dir.join("before"));
    let root = repo.path();

    // What the section must hold, read independently from the rc sections and fragments.
    let (want, stale) = expected(root, version);
    let meta = json_file(&dir.join("meta.json"));
    assert_eq!(
        meta["prs_in_inputs_missing_from_release"],
        serde_json::json!([]),
        "{version}: nothing was lost in this release"
    );
    assert!(stale.is_empty(), "{version}: no stale input: {stale:?}");
    // The published section lists the same PRs per category, but for the entries the
    // maintainers moved to another category by hand.
    let gold = json_file(&dir.join("gold.json"));
    let published: BTreeMap<String, BTreeSet<String>> = listed(&gold)
        .into_iter()
        .map(|(c, n)| (c, n.into_keys().collect()))
        .collect();
    let mut moved = want.clone();
    for (pr, from, to) in recategorised(version) {
        let key = format!("#{pr}");
        assert!(
            moved.get_mut(*from).unwrap().remove(&key),
            "{version}: {key} is not in {from}"
        );
        moved.entry(to.to_string()).or_default().insert(key);
    }
    assert!(
        published == moved,
        "{version}: the inputs differ from the published section:\n{}",
        show_diff(&published, &moved)
    );

    let scratch = tempfile::tempdir().unwrap();
    let rules = scratch.path().join("rules.toml");
    let out = run(
        root,
        &["rules", "learn", "--output", rules.to_str().unwrap()],
        "true",
    );
    ok(&out, &format!("{version}: rules learn"));
    let rules_text = std::fs::read_to_string(&rules).unwrap();
    let titles: BTreeSet<String> = rules_text
        .lines()
        .filter_map(|l| l.strip_prefix("title = "))
        .map(|t| serde_json::from_str::<String>(t).unwrap())
        .collect();
    assert!(
        !titles.is_empty(),
        "{version}: learned no rule\n{rules_text}"
    );

    // Labels in the shape `gh pr list --json number,labels` prints: three Features PRs share
    // an area label, one has only a kind label, one only a size label.
    let features: Vec<u64> = want["Features"]
        .iter()
        .filter_map(|k| k.strip_prefix('#'))
        .map(|n| n.parse().unwrap())
        .collect();
    let labelled = &features[..3];
    let label = |n: u64, names: &[&str]| {
        serde_json::json!({
            "number": n,
            "labels": names.iter().map(|name| serde_json::json!({
                "id": format!("LA_{n}"), "name": name, "description": "", "color": "ededed"
            })).collect::<Vec<_>>(),
        })
    };
    let mut prs: Vec<serde_json::Value> = labelled
        .iter()
        .map(|&n| label(n, &["area:release-test-topic", "size:S"]))
        .collect();
    prs.push(label(features[3], &["bug"]));
    prs.push(label(features[4], &["size:XL"]));
    let labels = scratch.path().join("labels.json");
    std::fs::write(&labels, serde_json::to_string_pretty(&prs).unwrap()).unwrap();

    let rc_versions = gold["rc_versions_consolidated"].clone();
    let strategies: [(&str, Vec<&str>); 4] = [
        ("auto", vec![]),
        ("similarity", vec![]),
        ("rules", vec!["--rules", rules.to_str().unwrap()]),
        ("labels", vec!["--labels-from", labels.to_str().unwrap()]),
    ];
    for (strategy, extra) in strategies {
        let what = format!("{version} --strategy {strategy}");
        let mut args = vec![
            "consolidate",
            version,
            "--dry-run",
            "--format",
            "json",
            "--date",
            &date,
            "--strategy",
            strategy,
        ];
        args.extend(extra);
        let out = run(root, &args, "false");
        ok(&out, &what);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e})"));
        assert_eq!(json["version"], version, "{what}");
        assert_eq!(json["date"], date.as_str(), "{what}");
        assert_eq!(json["rc_versions_consolidated"], rc_versions, "{what}");
        assert_eq!(json["stale"], serde_json::json!([]), "{what}");
        let got = listed_once(&json, &what);
        assert!(
            got == want,
            "{what}: the section does not list the inputs:\n{}",
            show_diff(&got, &want)
        );
        let features = groups_of(&json, "Features");
        match strategy {
            "labels" => {
                let topic = features
                    .iter()
                    .find(|(t, _)| t == "Release Test Topic")
                    .unwrap_or_else(|| panic!("{what}: no group from the label: {features:?}"));
                let want: BTreeSet<String> = labelled.iter().map(|n| format!("#{n}")).collect();
                assert_eq!(topic.1, want, "{what}");
                assert_eq!(features.len(), 1, "{what}: only labels make groups");
            }
            "rules" => {
                // Learned rules are precise rather than broad: they may group nothing new.
                for cat in ["Features", "Improvements", "Fixes"] {
                    for (t, _) in groups_of(&json, cat) {
                        assert!(titles.contains(&t), "{what}: `{t}` is not a learned rule");
                    }
                }
            }
            _ => assert!(!features.is_empty(), "{what}: Features is not grouped"),
        }
        // A dry run writes nothing, not even a draft.
        assert_eq!(porcelain(root), "", "{what}");
        assert!(!root.join(".git/RELEASE_NOTES.md").exists(), "{what}");
    }
}

#[test]
fn strategies_list_every_entry_once_25_17_0() {
    every_strategy_lists_every_entry_once(FINAL_CASES[0]);
}

#[test]
fn strategies_list_every_entry_once_25_18_0() {
    every_strategy_lists_every_entry_once(FINAL_CASES[1]);
}

#[test]
fn strategies_list_every_entry_once_26_1_0() {
    every_strategy_lists_every_entry_once(FINAL_CASES[2]);
}

#[test]
fn strategies_list_every_entry_once_26_2_0() {
    every_strategy_lists_every_entry_once(FINAL_CASES[3]);
}

/// A repository holding `26.2.0/after/`: the release left its 14 fragments in `changes/`,
/// and the published `## 26.2.0` section already lists them.
fn after_26_2_0() -> tempfile::TempDir {
    let src = tempfile::tempdir().unwrap();
    util::copy_tree(&case_dir("26.2.0").join("after"), src.path());
    for f in ["pyproject.toml", "VERSION"] {
        std::fs::copy(
            case_dir("26.2.0").join("before").join(f),
            src.path().join(f),
        )
        .unwrap();
    }
    std::fs::write(src.path().join("VERSION"), "26.2.0\n").unwrap();
    repo_from(src.path())
}

/// PR numbers of the `stale` array of `--format json`.
fn stale_prs(json: &serde_json::Value) -> BTreeSet<u64> {
    json["stale"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["prs"].as_array().unwrap().iter())
        .map(|p| p.as_u64().unwrap())
        .collect()
}

#[test]
fn leftover_fragments_consumed_again_are_stale() {
    let meta = json_file(&case_dir("26.2.0").join("meta.json"));
    let leftover: BTreeSet<u64> = meta["prs_in_release_not_in_inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap())
        .collect();
    assert_eq!(leftover.len(), 14);
    let repo = after_26_2_0();
    let root = repo.path();
    let on_disk: BTreeSet<u64> = workflow::fragments(root)
        .iter()
        .flat_map(|f| f.prs.clone())
        .collect();
    assert_eq!(on_disk, leftover, "the leftover fragments are the 14 PRs");

    // Like towncrier, `build` consumes them again into an rc section.
    let out = run(
        root,
        &["build", "26.3.0rc1", "--date", "2026-03-01"],
        "true",
    );
    ok(&out, "build 26.3.0rc1");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(log.contains("\n## 26.3.0rc1 (2026-03-01)\n"));
    // One new change on top, so that the final release has something to list.
    util::write_files(
        root,
        &[("changes/9001.feature.md", "Add a brand new thing\n")],
    );
    commit_all(root, "26.3.0rc1 and a new fragment");

    let (want, stale) = expected(root, "26.3.0");
    let stale_keys: BTreeSet<String> = leftover.iter().map(|n| format!("#{n}")).collect();
    assert_eq!(stale, stale_keys, "the independent reading agrees");
    let mut only_new = BTreeMap::new();
    only_new.insert(
        "Features".to_string(),
        BTreeSet::from(["#9001".to_string()]),
    );
    assert_eq!(want, only_new);

    let out = run(
        root,
        &[
            "consolidate",
            "26.3.0",
            "--dry-run",
            "--format",
            "json",
            "--date",
            "2026-03-10",
        ],
        "false",
    );
    ok(&out, "consolidate 26.3.0 --dry-run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stale_prs(&json), leftover, "every leftover PR is stale");
    for s in json["stale"].as_array().unwrap() {
        assert_eq!(s["released_in"], "26.2.0 (2026-02-13)", "{s}");
    }
    assert_eq!(listed_once(&json, "26.3.0"), only_new);
    assert_eq!(
        json["rc_versions_consolidated"],
        serde_json::json!(["26.3.0rc1"])
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("#8769") && stderr.contains("already released"),
        "{stderr}"
    );
    assert_eq!(porcelain(root), "");

    // Written: the rc section is gone, and each leftover PR is listed once, in 26.2.0.
    let out = run(
        root,
        &["consolidate", "26.3.0", "--no-edit", "--date", "2026-03-10"],
        "false",
    );
    ok(&out, "consolidate 26.3.0 --no-edit");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let all = sections(&log);
    assert_eq!(all[0].title, "26.3.0 (2026-03-10)");
    assert_eq!(all[1].title, "26.2.0 (2026-02-13)");
    assert_eq!(all[0].items.len(), 1);
    assert_eq!(all[0].items[0].prs, [9001]);
    for pr in &leftover {
        let n = all
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| i.prs.contains(pr))
            .count();
        assert_eq!(n, 1, "#{pr} is listed {n} times");
    }
}

#[test]
fn leftover_fragments_alone_are_not_a_release() {
    // Without the rc build, the fragments left on disk are the only input, and all of them
    // are already released: there is nothing to consolidate, and nothing changes.
    let repo = after_26_2_0();
    let root = repo.path();
    let leftover: Vec<String> = workflow::fragments(root)
        .iter()
        .map(|f| format!("#{}", f.prs[0]))
        .collect();
    assert_eq!(leftover.len(), 14);
    for mode in ["--dry-run", "--no-edit"] {
        let before = state(root);
        let out = run(
            root,
            &["consolidate", "26.3.0", mode, "--date", "2026-03-10"],
            "false",
        );
        let stderr = one_error(&out, mode);
        assert!(
            stderr.contains("nothing to consolidate for 26.3.0"),
            "{stderr}"
        );
        assert!(stderr.contains("already released"), "{stderr}");
        for pr in &leftover {
            assert!(
                stderr.contains(pr.as_str()),
                "{mode}: {pr} not named\n{stderr}"
            );
        }
        assert_eq!(state(root), before, "{mode}");
    }
}

/// The text of 26.1.0's changelog before its rc section, the rc section, and after it.
fn split_rc(log: &str) -> (String, String, String) {
    let start = log.find("\n## 26.1.0rc1 (").unwrap() + 1;
    let end = start + log[start..].find("\n## 25.19.0 (").unwrap() + 1;
    (
        log[..start].to_string(),
        log[start..end].to_string(),
        log[end..].to_string(),
    )
}

fn fragment_names(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("changes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn no_edit_replaces_the_rc_sections_in_place() {
    let repo = repo_from(&case_dir("26.1.0").join("before"));
    let root = repo.path();
    let original = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let (prefix, rc, suffix) = split_rc(&original);
    let (want, _) = expected(root, "26.1.0");
    let fragments: Vec<String> = fragment_names(root)
        .into_iter()
        .filter(|n| n != "README.md" && n != "template.md")
        .collect();
    assert_eq!(fragments.len(), 14);

    let out = run(
        root,
        &["consolidate", "26.1.0", "--no-edit", "--date", "2026-01-26"],
        "false",
    );
    ok(&out, "consolidate --no-edit");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(log.starts_with(&prefix), "the text above is unchanged");
    assert!(log.ends_with(&suffix), "the text below is unchanged");
    let middle = &log[prefix.len()..log.len() - suffix.len()];
    assert!(middle.starts_with("## 26.1.0 (2026-01-26)\n"), "{middle}");
    assert!(!log.contains("26.1.0rc1"), "the rc section is gone");
    assert!(middle.contains("\n#### "), "grouped");
    let new = sections(middle);
    assert_eq!(new.len(), 1, "one section");
    let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in &new[0].items {
        got.entry(i.category.clone()).or_default().extend(i.keys());
    }
    let got: BTreeMap<String, BTreeSet<String>> = got
        .into_iter()
        .map(|(c, keys)| {
            let set: BTreeSet<String> = keys.iter().cloned().collect();
            assert_eq!(set.len(), keys.len(), "{c}: an entry is listed twice");
            (c, set)
        })
        .collect();
    assert!(got == want, "{}", show_diff(&got, &want));

    // Fragments gone from the disk and the index; the changelog staged.
    assert_eq!(fragment_names(root), ["README.md", "template.md"]);
    let mut status: Vec<String> = porcelain(root).lines().map(String::from).collect();
    status.sort();
    let mut expected_status: Vec<String> = fragments
        .iter()
        .map(|f| format!("D  changes/{f}"))
        .chain(["M  CHANGELOG.md".to_string()])
        .collect();
    expected_status.sort();
    assert_eq!(status, expected_status);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Wrote 26.1.0 (147 entries"), "{stderr}");

    // --keep-rc: the same section, with the rc section kept below it, byte for byte.
    let repo = repo_from(&case_dir("26.1.0").join("before"));
    let out = run(
        repo.path(),
        &[
            "consolidate",
            "26.1.0",
            "--no-edit",
            "--keep-rc",
            "--date",
            "2026-01-26",
        ],
        "false",
    );
    ok(&out, "consolidate --keep-rc");
    let kept = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert_eq!(kept, format!("{prefix}{middle}{rc}{suffix}"));
    assert_eq!(fragment_names(repo.path()), ["README.md", "template.md"]);
}

/// The section `consolidate --no-edit` writes for 26.1.0 (for comparison with reviews).
fn written_without_review() -> String {
    let repo = repo_from(&case_dir("26.1.0").join("before"));
    let out = run(
        repo.path(),
        &["consolidate", "26.1.0", "--no-edit", "--date", "2026-01-26"],
        "false",
    );
    ok(&out, "consolidate --no-edit");
    std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap()
}

#[test]
fn a_scripted_editor_renames_the_groups() {
    let repo = repo_from(&case_dir("26.1.0").join("before"));
    let root = repo.path();
    let plain = written_without_review();
    let out = run(
        root,
        &["consolidate", "26.1.0", "--date", "2026-01-26"],
        r"sed -i -e 's/^#### \(.*\)$/#### Renamed \1/'",
    );
    ok(&out, "consolidate with sed");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let headings = |t: &str| -> Vec<String> {
        let start = t.find("\n## 26.1.0 (").unwrap();
        let end = start + t[start..].find("\n## 25.19.0 (").unwrap();
        t[start..end]
            .lines()
            .filter_map(|l| l.strip_prefix("#### "))
            .map(String::from)
            .collect()
    };
    let renamed: Vec<String> = headings(&plain)
        .iter()
        .map(|h| format!("Renamed {h}"))
        .collect();
    assert!(!renamed.is_empty());
    assert_eq!(headings(&log), renamed);
    // Nothing else differs from the section written without a review.
    assert_eq!(log.replace("#### Renamed ", "#### "), plain);
    assert!(
        !root.join(".git/RELEASE_NOTES.md").exists(),
        "draft removed"
    );
}

#[test]
fn an_emptied_draft_writes_nothing() {
    let repo = repo_from(&case_dir("26.1.0").join("before"));
    let root = repo.path();
    let before = state(root);
    let out = run(
        root,
        &["consolidate", "26.1.0", "--date", "2026-01-26"],
        "truncate -s 0",
    );
    assert!(!out.status.success(), "an emptied draft must fail");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("emptied") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(state(root), before);
}

#[test]
fn an_invalid_review_is_kept_and_resumed() {
    let repo = repo_from(&case_dir("26.1.0").join("before"));
    let root = repo.path();
    let plain = written_without_review();
    let scripts = tempfile::tempdir().unwrap();
    let keep = scripts.path().join("orig.md");
    let delete = scripts.path().join("delete.sh");
    let restore = scripts.path().join("restore.sh");
    // 8159 is a fragment of 26.1.0.
    std::fs::write(
        &delete,
        format!(
            "cp \"$1\" '{}'\nsed -i -e '/\\[#8159\\]/d' \"$1\"\n",
            keep.display()
        ),
    )
    .unwrap();
    // The resumed draft must be the kept one (without the entry); put the entry back.
    std::fs::write(
        &restore,
        format!(
            "grep -q '\\[#8159\\]' \"$1\" && exit 7\ncp '{}' \"$1\"\n",
            keep.display()
        ),
    )
    .unwrap();
    let before = state(root);

    let out = run(
        root,
        &["consolidate", "26.1.0", "--date", "2026-01-26"],
        &format!("sh {}", delete.display()),
    );
    let stderr = one_error(&out, "a draft without #8159");
    assert!(stderr.contains("missing entry: #8159"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    let after = state(root);
    let draft = after.draft.clone().expect("the draft is kept");
    assert!(!text(&draft).contains("[#8159]"));
    assert_eq!(
        workflow::RepoState {
            draft: None,
            ..after
        },
        before,
        "nothing but the draft changed"
    );

    let out = run(
        root,
        &["consolidate", "26.1.0", "--resume", "--date", "2026-01-26"],
        &format!("sh {}", restore.display()),
    );
    ok(&out, "consolidate --resume");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert_eq!(log, plain, "the restored draft is written as drafted");
    assert_eq!(log.matches("[#8159]").count(), 1);
    assert!(!root.join(".git/RELEASE_NOTES.md").exists());
}

/// A bad input: one clear error, and nothing changes, with and without --dry-run.
pub(crate) fn refused(root: &Path, args: &[&str], says: &[&str]) {
    for mode in [&["--dry-run"][..], &["--no-edit"][..], &[][..]] {
        let before = state(root);
        let mut all = args.to_vec();
        all.extend(mode);
        let out = run(root, &all, "true");
        let what = format!("{all:?}");
        let stderr = one_error(&out, &what);
        for s in says {
            assert!(stderr.contains(s), "{what}: `{s}` not in\n{stderr}");
        }
        assert_eq!(text(&out.stdout), "", "{what}");
        assert_eq!(state(root), before, "{what}: something changed");
    }
}

#[test]
fn bad_input_is_one_clear_error_and_changes_nothing() {
    let repo = repo_from(&case_dir("26.1.0").join("before"));
    let root = repo.path();
    let base = ["consolidate", "26.1.0", "--date", "2026-01-26"];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    let call = |args: Vec<String>, says: &[&str]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(root, &args, says);
    };

    call(
        with(&["--strategy", "bogus"]),
        &["unknown strategy `bogus`", "auto"],
    );

    let scratch = tempfile::tempdir().unwrap();
    let bad_regex = scratch.path().join("bad-regex.toml");
    std::fs::write(
        &bad_regex,
        "[[group]]\ntitle = \"Broken\"\nregex = ['(unclosed']\n",
    )
    .unwrap();
    call(
        with(&[
            "--strategy",
            "rules",
            "--rules",
            bad_regex.to_str().unwrap(),
        ]),
        &["bad-regex.toml", "invalid regex", "Broken"],
    );
    let bad_tier = scratch.path().join("bad-tier.toml");
    std::fs::write(
        &bad_tier,
        "[[group]]\ntitle = \"Scheduler\"\ntier = \"epic\"\nkeywords = [\"scheduler\"]\n",
    )
    .unwrap();
    call(
        with(&["--strategy", "rules", "--rules", bad_tier.to_str().unwrap()]),
        &["bad-tier.toml", "unknown tier `epic`"],
    );
    let not_json = scratch.path().join("labels.json");
    std::fs::write(&not_json, "number,labels\n8159,area:scheduler\n").unwrap();
    call(
        with(&[
            "--strategy",
            "labels",
            "--labels-from",
            not_json.to_str().unwrap(),
        ]),
        &["labels.json", "gh pr list"],
    );

    // A duplicated final release heading.
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let dup = log.replacen(
        "## 25.18.0 (2025-12-12)\n",
        "## 25.19.0 (2025-12-31)\n\n## 25.18.0 (2025-12-12)\n",
        1,
    );
    assert_ne!(dup, log);
    std::fs::write(root.join("CHANGELOG.md"), dup).unwrap();
    commit_all(root, "a duplicated heading");
    call(with(&[]), &["CHANGELOG.md:", "25.19.0"]);
    std::fs::write(root.join("CHANGELOG.md"), &log).unwrap();
    commit_all(root, "fixed");

    // An unknown fragment type.
    util::write_files(root, &[("changes/123.feat.md", "Add a thing\n")]);
    commit_all(root, "a misnamed fragment");
    call(with(&[]), &["123.feat.md", "`feat` is not a fragment type"]);

    // A version with no rc sections and no fragments.
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n",
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n### Features\n\n- First release (#1)\n",
        ),
        ("changes/.gitkeep", ""),
        ("VERSION", "1.0.0\n"),
    ]);
    refused(
        repo.path(),
        &["consolidate", "2.0.0", "--date", "2026-01-26"],
        &["nothing to consolidate for 2.0.0"],
    );
}

/// A changelog of several towncrier sections is refused up front by a final, naming the
/// setting and the way that works (`build`), not as an entry "missing" from a section that
/// reads like a template bug; a pre-release builds it as towncrier does.
#[test]
fn a_final_refuses_several_changelog_sections_up_front() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n\n\
             [[tool.towncrier.section]]\nname = \"\"\npath = \"\"\n\n\
             [[tool.towncrier.section]]\nname = \"Web\"\npath = \"web\"\n",
        ),
        (
            "CHANGELOG.md",
            "# Changes\n\n<!-- towncrier release notes start -->\n",
        ),
        ("VERSION", "1.0.0\n"),
        ("changes/web/140.feature.md", "Add the web thing\n"),
        ("changes/141.feature.md", "Add the core thing\n"),
    ]);
    let root = repo.path();
    for (args, version) in [
        (
            &["1.1.0rc1", "--yes", "--date", "2026-03-02"][..],
            "1.1.0rc1",
        ),
        (&["1.1.0", "--yes", "--date", "2026-03-02"], "1.1.0"),
        (&["consolidate", "1.1.0", "--date", "2026-03-02"], "1.1.0"),
    ] {
        let build = format!("git release build {version}");
        refused(root, args, &["tool.towncrier.section", &build]);
    }
    // What it points to works.
    let out = run(
        root,
        &["build", "1.1.0rc1", "--yes", "--date", "2026-03-02"],
        "true",
    );
    ok(&out, "build with sections");
}
