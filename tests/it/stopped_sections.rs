//! The release's section, however it came to be while the release was stopped — written
//! again after the user undid it, or written by hand and taken as done with `continue
//! --skip` — lists each of the release's entries once before it is committed: the class of
//! hostile12/01 and /09, where a release committed the removal of fragments no section
//! listed, or listed an entry twice, and exited 0.

use std::path::Path;

use crate::hostile::refused;
use crate::release::{project, project_after_rc, read};
use crate::util::{self, git, ok, one_error, run, text};

/// A step that fails until `ok` exists: the release stops after its changelog step.
const FLAKY_STEP: &str = "\n[[step]]\nname = \"check\"\nrun = \"test -f ok || exit 1\"\n";
const DATE: [&str; 2] = ["--date", "2025-03-01"];
const PULL: &str = "https://example.com/demo/pull";

/// How many entry lines of the changelog name PR `pr`.
fn listed(root: &Path, pr: u32) -> usize {
    let link = format!("[#{pr}]({PULL}/{pr})");
    read(root, "CHANGELOG.md")
        .lines()
        .filter(|l| l.trim_start().starts_with(['*', '-']) && l.contains(&link))
        .count()
}

/// The fragments of the project left in the work tree.
pub(crate) fn fragments(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("changes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "template.md")
        .collect();
    names.sort();
    names
}

/// Let the flaky step pass from now on (its marker file goes into the release).
pub(crate) fn let_it_pass(root: &Path) {
    util::write_file(root, "ok", "");
    git(root, &["add", "ok"]);
}

/// hostile12/01: stopped after its changelog step, the user undoes the section
/// (`git checkout HEAD -- CHANGELOG.md`, meaning to have it written again); `continue` runs
/// the step again — which used to build from the fragments its first run had removed
/// (none left), commit their removal and exit 0 with the entries lost. The step puts back
/// the fragments it removed and builds the same section again; each entry is listed once.
/// When the user took part of the fragments back by hand, nothing is put back: the section
/// built from what is there stops the release, naming the entries it lacks.
#[test]
fn a_section_undone_while_stopped_is_written_again_from_its_fragments() {
    // (version, what the user restores); every section lists #10, #11 and #12.
    let cases: [(&str, &[&str]); 3] = [
        ("1.1.0rc1", &["CHANGELOG.md"]),
        ("1.1.0rc1", &["CHANGELOG.md", "changes/10.feature.md"]),
        ("1.1.0", &["CHANGELOG.md"]),
    ];
    for (version, undone) in cases {
        let repo = match version {
            "1.1.0" => project_after_rc(FLAKY_STEP),
            _ => project(FLAKY_STEP),
        };
        let root = repo.path();
        let args = [version, "--yes", "--no-edit", DATE[0], DATE[1]];
        let stderr = one_error(&run(root, &args, "false"), "the release");
        assert!(stderr.contains("test -f ok || exit 1"), "{stderr}");
        assert!(fragments(root).is_empty(), "{version}: consumed");
        let mut checkout = vec!["checkout", "HEAD", "--"];
        checkout.extend_from_slice(undone);
        git(root, &checkout);
        assert_eq!(listed(root, 11), 0, "{version}: the section is undone");

        let_it_pass(root);
        if undone.len() > 1 {
            // Part of the fragments taken back by hand: nothing is put back, and the
            // section built from what is there stops the release, naming what it lacks;
            // with the rest put back as the stop says, it goes on.
            let out = run(root, &["continue", "--yes"], "false");
            let stderr = one_error(&out, "part of the fragments back");
            assert!(
                stderr.contains("#11 is missing") && stderr.contains("#12 is missing"),
                "{stderr}"
            );
            assert!(fragments(root).contains(&"10.feature.md".to_string()));
            let base = crate::release::head(root);
            git(
                root,
                &[
                    "checkout",
                    &base,
                    "--",
                    "changes/11.feature.md",
                    "changes/12.fix.md",
                ],
            );
            git(root, &["checkout", "HEAD", "--", "CHANGELOG.md"]);
        }
        let out = run(root, &["continue", "--yes"], "false");
        ok(&out, &format!("{version} {undone:?}: continue"));
        for pr in [10, 11, 12] {
            assert_eq!(listed(root, pr), 1, "{version} {undone:?}: #{pr}");
        }
        assert!(fragments(root).is_empty(), "{version}: consumed again");
        if undone.len() == 1 {
            assert!(
                text(&out.stderr).contains("put back"),
                "{}",
                text(&out.stderr)
            );
        }
        assert_eq!(util::git(root, &["status", "--porcelain"]), "");
    }
}

/// The final 1.1.0 stopped in its review (the editor failed), with the stop's advice taken:
/// "run the step yourself … then `git release continue --skip`".
fn final_stopped_in_review() -> tempfile::TempDir {
    let repo = project_after_rc("");
    let root = repo.path();
    let args = ["1.1.0", "--yes", DATE[0], DATE[1]];
    let out = run(root, &args, "false");
    let stderr = one_error(&out, "the review");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    repo
}

/// The changelog with its `## 1.1.0rc1` section replaced by `section`.
fn write_section(root: &Path, section: &str) {
    let log = read(root, "CHANGELOG.md");
    let start = log.find("## 1.1.0rc1").expect("the rc section");
    let end = start + log[start..].find("## 1.0.0").expect("the next section");
    util::write_file(
        root,
        "CHANGELOG.md",
        &format!("{}{section}\n{}", &log[..start], &log[end..]),
    );
}

fn entry(text: &str, pr: u32) -> String {
    format!("* {text} ([#{pr}]({PULL}/{pr}))\n")
}

/// hostile12/09: a final's section written by hand while the release was stopped in its
/// review, and taken as done with `continue --skip`, was committed without being held to
/// the release's entries: a removed fragment no section lists, an entry listed twice, an
/// rc entry dropped — each exit 0. Each is refused now, naming the PR, and the refusal
/// changes nothing; the same section written right is committed.
#[test]
fn a_section_written_by_hand_is_held_to_the_release_entries() {
    let features = |e: &[String]| format!("### Features\n{}\n", e.concat());
    let fixes = format!("### Fixes\n{}\n", entry("Fix crash on start", 12));
    let (e10, e11) = (
        entry("Add fair share scheduler", 10),
        entry("Add fair share weights", 11),
    );
    let head = "## 1.1.0 (2025-03-01)\n\n";
    let cases = [
        // The rc section renamed, the fragment removed and listed nowhere.
        (
            format!("{head}{}{fixes}", features(std::slice::from_ref(&e10))),
            "#11 is missing",
        ),
        // An entry listed twice.
        (
            format!(
                "{head}{}{fixes}",
                features(&[e10.clone(), e11.clone(), e11.clone()])
            ),
            "#11 is listed 2 times",
        ),
        // The rc's entry dropped.
        (
            format!("{head}{}", features(&[e10.clone(), e11.clone()])),
            "#12 is missing",
        ),
    ];
    for (section, why) in &cases {
        let repo = final_stopped_in_review();
        let root = repo.path();
        write_section(root, section);
        git(root, &["rm", "-q", "changes/11.feature.md"]);
        let stderr = refused(root, &["continue", "--skip"], why);
        assert!(stderr.contains(why), "{why}: {stderr}");
        assert!(stderr.contains("CHANGELOG.md"), "{stderr}");
    }
    // Written right by hand: committed.
    let repo = final_stopped_in_review();
    let root = repo.path();
    write_section(
        root,
        &format!("{head}{}{fixes}", features(&[e10.clone(), e11.clone()])),
    );
    git(root, &["rm", "-q", "changes/11.feature.md"]);
    ok(
        &run(root, &["continue", "--skip"], "false"),
        "right by hand",
    );
    for pr in [10, 11, 12] {
        assert_eq!(listed(root, pr), 1, "#{pr}");
    }
    assert!(!read(root, "CHANGELOG.md").contains("1.1.0rc1"));
}

/// hostile12/08: while a release is stopped in one work tree, `build`, `consolidate` and
/// `freeze` ran in another work tree of the same repository (exit 0), taking the stopped
/// release's fragments: both branches merged, each entry is listed twice. Every command
/// that writes is refused there as the release itself is, changing nothing; `continue` and
/// `abort` there name the work tree where the release is stopped.
#[test]
fn writers_in_another_work_tree_wait_for_a_stopped_release() {
    let repo = project(FLAKY_STEP);
    let root = repo.path();
    let args = ["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]];
    one_error(&run(root, &args, "false"), "the release");
    let other = tempfile::tempdir().unwrap();
    let side = other.path().join("side");
    git(
        root,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "side",
            side.to_str().unwrap(),
            "main",
        ],
    );
    for command in [
        &["build", "1.1.0rc1", "--yes", DATE[0], DATE[1]][..],
        &["consolidate", "1.1.0", "--no-edit", DATE[0], DATE[1]],
        &["freeze", "1.1.0"],
        &["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]],
    ] {
        let stderr = refused(&side, command, &format!("{command:?}"));
        assert!(
            stderr.contains("stopped in the work tree")
                && stderr.contains(&*root.to_string_lossy()),
            "{command:?}: {stderr}"
        );
    }
    for command in ["continue", "abort"] {
        let stderr = refused(&side, &[command], command);
        assert!(
            stderr.contains("one is stopped in the work tree"),
            "{command}: {stderr}"
        );
    }
    // The release itself goes on where it stopped.
    let_it_pass(root);
    ok(&run(root, &["continue", "--yes"], "false"), "continue");
}
