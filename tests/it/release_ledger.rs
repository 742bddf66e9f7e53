//! The ledger across releases, end to end: what a final folds from its rc sections (numbered
//! fragments reworded in part), and fragments consumed twice (an old branch brings them
//! back): an orphan one, and one whose entry the review reworded. Nothing lost, nothing
//! released before listed again.

use std::path::Path;

use crate::util::{commit_all, git, release_and_merge, repo_with};

/// A project on towncrier's default Markdown template, with `#` references.
pub(crate) fn project() -> tempfile::TempDir {
    repo_with(&[
        (
            "pyproject.toml",
            "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
             filename = \"CHANGELOG.md\"\n\
             title_format = \"## [{version}] - {project_date}\"\n",
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n",
        ),
        ("VERSION", "1.0.0\n"),
        ("changes/.gitkeep", ""),
    ])
}

/// Add `fragments`, release `version` (the review's editor is `editor`), and bring the
/// release back to `main`; returns what the release printed on stderr.
pub(crate) fn release(
    root: &Path,
    version: &str,
    fragments: &[(&str, &str)],
    editor: &str,
) -> String {
    let mut flags = vec!["--yes", "--date", "2026-03-01"];
    if editor == "false" {
        flags.push("--no-edit");
    }
    release_and_merge(root, version, &flags, fragments, editor)
}

/// The lines of the changelog that are entries saying `words`.
pub(crate) fn listed(root: &Path, words: &str) -> Vec<String> {
    std::fs::read_to_string(root.join("CHANGELOG.md"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("- ") && l.contains(words))
        .map(str::to_string)
        .collect()
}

/// Bring fragment `name` back as it was before `version` consumed it (an old branch
/// merged), committed.
pub(crate) fn bring_back(root: &Path, version: &str, names: &[&str]) {
    let before = format!("release/{version}~1");
    for name in names {
        git(
            root,
            &["checkout", &before, "--", &format!("changes/{name}")],
        );
    }
    commit_all(root, "merge an old branch");
}

#[test]
fn a_newer_rc_rewording_one_numbered_fragment_keeps_the_other() {
    let repo = project();
    let root = repo.path();
    release(
        root,
        "1.1.0rc1",
        &[
            ("140.feature.1.md", "Add CSV export to reports\n"),
            ("140.feature.2.md", "Add PDF export to reports\n"),
        ],
        "false",
    );
    release(
        root,
        "1.1.0rc2",
        &[(
            "140.feature.md",
            "Add CSV export to reports, with headers\n",
        )],
        "false",
    );
    let stderr = release(root, "1.1.0", &[], "false");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let section = &log[..log.find("## [1.1.0rc").unwrap_or(log.len())];
    assert_eq!(listed(root, "Add PDF export to reports").len(), 1, "{log}");
    assert_eq!(
        listed(root, "Add CSV export to reports, with headers").len(),
        1,
        "{log}"
    );
    assert!(
        !section.contains("Add CSV export to reports (#140)"),
        "rc1's CSV text was replaced:\n{log}"
    );
    assert!(
        stderr.contains(
            "#140 in Features: \"Add CSV export to reports\" from 1.1.0rc1 replaced by \
             \"Add CSV export to reports, with headers\" from 1.1.0rc2"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("\"Add PDF export to reports\" from 1.1.0rc1 kept"),
        "{stderr}"
    );
}

#[test]
fn an_orphan_fragment_consumed_twice_is_not_listed_again() {
    let repo = project();
    let root = repo.path();
    let orphan = "Clean up the temporary upload directory on start";
    release(
        root,
        "1.1.0",
        &[
            ("+cleanup.feature.md", &format!("{orphan}\n")),
            ("134.feature.md", "Add the quota dashboard\n"),
        ],
        "false",
    );
    bring_back(root, "1.1.0", &["+cleanup.feature.md", "134.feature.md"]);
    let stderr = release(
        root,
        "1.2.0rc1",
        &[("150.feature.md", "A new feature\n")],
        "false",
    );
    assert!(stderr.contains("+cleanup.feature.md"), "named: {stderr}");
    // Brought back once more, for the final.
    bring_back(root, "1.1.0", &["+cleanup.feature.md"]);
    let stderr = release(root, "1.2.0", &[], "false");
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert_eq!(listed(root, orphan).len(), 1, "{log}");
    assert_eq!(listed(root, "Add the quota dashboard").len(), 1, "{log}");
    assert!(
        stderr.contains(&format!(
            "\"{orphan}\" in Features from the new fragments is already released in `[1.1.0]"
        )),
        "{stderr}"
    );
}

#[test]
fn a_fragment_whose_entry_the_review_reworded_is_not_listed_again_when_it_comes_back() {
    reworded_comes_back(false);
}

/// The same with the history packed by `git gc` and a commit-graph file that names the
/// trees of the commits up to the first release but not of those after it: the history
/// walk reads trees through both.
#[test]
fn a_reworded_fragment_that_comes_back_is_found_in_a_packed_history() {
    reworded_comes_back(true);
}

/// An editor for the review (in the repository's `.git`, so no other test shares it) that
/// rewords #131's entry as a reviewer would.
fn reword_131(root: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let editor = root.join(".git/reword.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/^- Add scheduled exports of usage reports/- Export usage reports on a schedule/' \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    editor
}

/// A project whose 1.1.0 released #131 and #132, #131's entry reworded in the review.
pub(crate) fn released_with_131_reworded() -> tempfile::TempDir {
    let repo = project();
    let root = repo.path();
    let editor = reword_131(root);
    release(
        root,
        "1.1.0",
        &[
            ("131.feature.md", "Add scheduled exports of usage reports\n"),
            ("132.feature.md", "Add the quota dashboard\n"),
        ],
        editor.to_str().unwrap(),
    );
    repo
}

fn reworded_comes_back(gc: bool) {
    let repo = released_with_131_reworded();
    let root = repo.path();
    assert_eq!(
        listed(root, "Export usage reports on a schedule").len(),
        1,
        "the review reworded #131"
    );
    if gc {
        git(root, &["gc", "--quiet"]);
        git(root, &["commit-graph", "write", "--reachable"]);
        assert!(
            root.join(".git/objects/info/commit-graph").is_file(),
            "no commit-graph written"
        );
    }
    // An old branch brings the fragment back: a pre-release leaves it out, named.
    bring_back(root, "1.1.0", &["131.feature.md"]);
    let stderr = release(
        root,
        "1.2.0rc1",
        &[("150.feature.md", "A new feature\n")],
        "false",
    );
    assert!(stderr.contains("#131 ([1.1.0]"), "named: {stderr}");
    // And again before the final; a follow-up of #132 in a new fragment with a new text is
    // a new entry (the same PR may be listed again with new words).
    bring_back(root, "1.1.0", &["131.feature.md"]);
    let stderr = release(
        root,
        "1.2.0",
        &[("132.feature.1.md", "Show the quota dashboard to admins\n")],
        "false",
    );
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert_eq!(log.matches("(#131)").count(), 1, "{log}");
    assert_eq!(listed(root, "Add scheduled exports").len(), 0, "{log}");
    assert_eq!(
        listed(root, "Show the quota dashboard to admins").len(),
        1,
        "{log}"
    );
    assert!(
        stderr.contains("#131 in Features from the new fragments is already released in `[1.1.0]"),
        "{stderr}"
    );
}

/// One change of the generated cycle: a PR's numbered entry, or an entry without PR.
#[derive(Debug, Clone)]
struct Change {
    kind: &'static str,
    /// `None` for an entry without PR.
    pr: Option<u64>,
    /// Its text now (the latest rewording).
    text: String,
}

/// What an rc of the generated cycle does.
#[derive(Debug, Clone)]
struct GenRc {
    /// New changes: (type, PR or none, how many numbered entries).
    new: Vec<(usize, bool, usize)>,
    /// Earlier changes of the cycle to reword (indexes, modulo their count).
    reword: Vec<usize>,
    /// 1.1.0's fragment files to bring back before it (indexes, modulo their count).
    bring_back: Vec<usize>,
}

const KINDS: [(&str, &str); 2] = [("feature", "Features"), ("bugfix", "Bugfixes")];
const NOUNS: [&str; 8] = [
    "scheduler",
    "dashboard",
    "quota",
    "agent",
    "registry",
    "storage",
    "client",
    "webui",
];

fn gen_rc() -> impl proptest::strategy::Strategy<Value = GenRc> {
    use proptest::prelude::*;
    (
        proptest::collection::vec((0..KINDS.len(), any::<bool>(), 1..=2usize), 0..3),
        proptest::collection::vec(0..16usize, 0..3),
        proptest::collection::vec(0..16usize, 0..3),
    )
        .prop_map(|(new, reword, bring_back)| GenRc {
            new,
            reword,
            bring_back,
        })
}

/// Write the fragment files of `changes` (each a file of its own) and return their names.
fn fragment_files(changes: &[Change]) -> Vec<(String, String)> {
    let mut counters: std::collections::BTreeMap<(Option<u64>, &str), usize> = Default::default();
    changes
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let n = counters.entry((c.pr, c.kind)).or_default();
            *n += 1;
            let name = match c.pr {
                Some(pr) => format!("{pr}.{}.{n}.md", c.kind),
                None => format!("+o{k}.{}.md", c.kind),
            };
            (name, format!("{}\n", c.text))
        })
        .collect()
}

/// A generated rc cycle, released end to end: 1.1.0, then rcs that add numbered
/// fragments and entries without PR, reword earlier changes with fewer texts than they
/// have, and merge old branches that bring 1.1.0's fragment files back; then the final.
/// Every change of the cycle is listed exactly once in the final with its latest text, and
/// nothing 1.1.0 released is listed again.
fn check_cycle(released: usize, rcs: &[GenRc]) {
    let repo = project();
    let root = repo.path();
    let mut id = 0;
    let mut next = |kind: usize, pr: Option<u64>| {
        id += 1;
        Change {
            kind: KINDS[kind].0,
            pr,
            text: format!("Change {id} of the {}", NOUNS[id % NOUNS.len()]),
        }
    };
    // 1.1.0: PRs 1…, one entry without PR.
    let mut old: Vec<Change> = (0..released)
        .map(|k| next(k % KINDS.len(), Some(k as u64 + 1)))
        .collect();
    old.push(next(0, None));
    let old_files = fragment_files(&old);
    let files: Vec<(&str, &str)> = old_files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    release(root, "1.1.0", &files, "false");

    let mut cycle: Vec<Change> = Vec::new();
    let mut pr = 100;
    for (k, rc) in rcs.iter().enumerate() {
        for &b in &rc.bring_back {
            let name = &old_files[b % old_files.len()].0;
            if !root.join("changes").join(name).exists() {
                bring_back(root, "1.1.0", &[name]);
            }
        }
        let mut fragments: Vec<Change> = Vec::new();
        for &(kind, with_pr, n) in &rc.new {
            let p = with_pr.then(|| {
                pr += 1;
                pr
            });
            for _ in 0..(if with_pr { n } else { 1 }) {
                let c = next(kind, p);
                cycle.push(c.clone());
                fragments.push(c);
            }
        }
        // A rewording: a newer text for one of a PR's entries (fewer texts than it has).
        let with_pr: Vec<usize> = (0..cycle.len())
            .filter(|&i| cycle[i].pr.is_some() && !fragments.iter().any(|f| f.pr == cycle[i].pr))
            .collect();
        let mut reworded_prs = Vec::new();
        for &r in &rc.reword {
            if with_pr.is_empty() {
                break;
            }
            let i = with_pr[r % with_pr.len()];
            if reworded_prs.contains(&cycle[i].pr) {
                continue;
            }
            reworded_prs.push(cycle[i].pr);
            cycle[i].text = format!("{}, reworded in rc{}", cycle[i].text, k + 1);
            fragments.push(cycle[i].clone());
        }
        let files = fragment_files(&fragments);
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        if files.is_empty() && rc.bring_back.is_empty() {
            continue;
        }
        // Only stale fragments left: nothing to release.
        let version = format!("1.2.0rc{}", k + 1);
        if files.is_empty() {
            continue;
        }
        release(root, &version, &files, "false");
    }
    // The final, with one more old branch merged.
    if !root.join("changes").join(&old_files[0].0).exists() {
        bring_back(root, "1.1.0", &[&old_files[0].0]);
    }
    let last = next(0, Some(999));
    cycle.push(last.clone());
    let files = fragment_files(&[last]);
    release(root, "1.2.0", &[(&files[0].0, &files[0].1)], "false");

    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let start = log.find("## [1.2.0]").expect("the final section");
    let end = log.find("## [1.1.0]").expect("1.1.0's section");
    let section = &log[start..end];
    let entries: Vec<&str> = section.lines().filter(|l| l.starts_with("- ")).collect();
    for c in &cycle {
        let with =
            |l: &&&str| l.starts_with(&format!("- {} (", c.text)) || **l == format!("- {}", c.text);
        assert_eq!(
            entries.iter().filter(with).count(),
            1,
            "{c:?} once in the final:\n{log}"
        );
    }
    assert_eq!(entries.len(), cycle.len(), "nothing else:\n{log}");
    for c in &old {
        assert!(
            !section.contains(&format!("- {}", c.text)),
            "{c:?} was released in 1.1.0:\n{log}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 6, ..Default::default() })]

    #[test]
    fn an_rc_cycle_lists_each_change_once_and_nothing_released_again(
        released in 1..4usize,
        rcs in proptest::collection::vec(gen_rc(), 1..=3),
    ) {
        check_cycle(released, &rcs);
    }
}

/// A cycle the property test found (speed5, 2026-12-07): an rc that only rewords and brings
/// 1.1.0's files back, then an rc that adds and rewords again.
#[test]
fn a_found_cycle_lists_each_change_once() {
    let rc = |new: Vec<(usize, bool, usize)>, reword: Vec<usize>, bring_back: Vec<usize>| GenRc {
        new,
        reword,
        bring_back,
    };
    check_cycle(
        1,
        &[
            rc(vec![(0, true, 2)], vec![], vec![]),
            rc(vec![], vec![8], vec![11, 15]),
            rc(vec![(1, false, 2)], vec![7, 13], vec![15, 9]),
        ],
    );
}
