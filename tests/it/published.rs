//! What a grouping or a review may publish (hostile round 4, findings 4–7): text that is
//! not an entry — a group title or description from any strategy, prose typed in the
//! review — never lists a PR, starts a block or breaks the section, and a reviewed draft
//! that would not render as it reads (an unclosed code fence or HTML block, a control
//! character) is refused with its line, the draft kept, nothing written.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use crate::util::{self, git, git_release, one_error, run, text};
use crate::workflow::{RepoState, state};

const GO: [&str; 3] = ["1.4.0", "--yes", "--no-edit"];
const PR: &str = "https://github.com/example/widget/pull";

/// The demo project on `main`, just before `git release 1.4.0` (a final that folds
/// 1.4.0rc1 and rc2, with a stale fragment #101 released in 1.3.0).
fn demo() -> (tempfile::TempDir, PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("demo");
    git_release(parent.path())
        .args(["demo", "--dir"])
        .arg(&dir)
        .env("NO_COLOR", "1")
        .assert()
        .success();
    git(&dir, &["checkout", "-q", "main"]);
    git(&dir, &["branch", "-q", "-D", "release/1.4.0"]);
    (parent, dir)
}

/// The repository without the review's draft (a refused review keeps it).
fn without_draft(mut s: RepoState) -> RepoState {
    s.draft = None;
    s
}

/// Run `args` with `editor`, expecting a refusal (exit 3) that changed nothing but the
/// kept draft; returns stderr.
fn refused(root: &Path, args: &[&str], editor: &str, what: &str) -> String {
    let before = without_draft(state(root));
    let out = run(root, args, editor);
    let stderr = one_error(&out, what);
    assert_eq!(out.status.code(), Some(3), "{what}: {stderr}");
    assert!(
        without_draft(state(root)) == before,
        "{what}: the refusal changed the repository\n{stderr}"
    );
    stderr
}

/// The committed changelog of the release.
fn released(root: &Path) -> String {
    git(root, &["show", "release/1.4.0~1:CHANGELOG.md"])
}

/// How many times the text links PR `n`.
fn links(text: &str, n: u64) -> usize {
    text.matches(&format!("/pull/{n})")).count()
}

/// The demo's rules file with `group` added first.
fn with_rule(root: &Path, group: &str) {
    let path = root.join("strategies/widget.toml");
    let rules = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{group}\n{rules}")).unwrap();
    util::commit_all(root, "rules");
}

// --- finding 4: a rules or labels title/description is plain text --------------------

/// A rules file's title or description that is not one line of plain text — a release
/// heading after a line break, a fake entry, a link to a PR, a fence, HTML — is refused
/// before anything changes, naming the file, the rule and the key.
#[test]
fn a_rules_title_or_description_that_is_not_plain_text_is_refused() {
    for (rule, key, why) in [
        (
            "title = \"Usage\\n## 9.9.9 (2020-01-01)\"\nkeywords = [\"usage report\"]",
            "`title`",
            "line break",
        ),
        (
            &*format!(
                "title = \"Hooks\"\ndescription = \"Added.\\n\\n* Fake entry ([#999]({PR}/999))\"\nkeywords = [\"webhook\"]"
            ),
            "`description`",
            "line break",
        ),
        (
            &*format!(
                "title = \"Hooks\"\ndescription = \"See [#111]({PR}/111) too.\"\nkeywords = [\"webhook\"]"
            ),
            "`description`",
            "link or URL",
        ),
        (
            "title = \"Hooks\"\ndescription = \"```\"\nkeywords = [\"webhook\"]",
            "`description`",
            "code fence",
        ),
        (
            "title = \"<details>\"\nkeywords = [\"webhook\"]",
            "`title`",
            "HTML",
        ),
    ] {
        let (_keep, root) = demo();
        let root = root.as_path();
        with_rule(root, &format!("[[group]]\n{rule}\n"));
        let stderr = refused(root, &GO, "true", rule);
        assert!(
            stderr.contains("strategies/widget.toml")
                && stderr.contains("[[group]] titled")
                && stderr.contains(key)
                && stderr.contains(why),
            "{rule}: {stderr}"
        );
    }
}

/// A `[labels]` mapping is the project's configuration too: refused the same way.
#[test]
fn a_labels_table_title_that_is_not_plain_text_is_refused() {
    let (_keep, root) = demo();
    let root = root.as_path();
    with_rule(root, "[labels]\n\"area:hooks\" = \"Hooks\\n## 9.9.9\"\n");
    let stderr = refused(root, &GO, "true", "labels table");
    assert!(
        stderr.contains("strategies/widget.toml")
            && stderr.contains("[labels] `area:hooks`")
            && stderr.contains("line break"),
        "{stderr}"
    );
}

/// A PR label is GitHub's data, not the project's: one that cannot be a title (a line
/// break with a heading, a link to another PR, raw HTML) makes no group, with a warning
/// naming it, and the release goes on without publishing it.
#[test]
fn a_label_that_cannot_be_a_title_makes_no_group_and_is_named() {
    let (_keep, root) = demo();
    let root = root.as_path();
    let labels = serde_json::json!([
        {"number": 111, "labels": [{"name": "area:webhook\n## 9.9.9 (2020 01 01)"}]},
        {"number": 112, "labels": [{"name": "area:webhook\n## 9.9.9 (2020 01 01)"}]},
        {"number": 113, "labels": [{"name": format!("area:[x]({PR}/999)")}]},
        {"number": 114, "labels": [{"name": format!("area:[x]({PR}/999)")}]},
        {"number": 115, "labels": [{"name": "area:<script>"}]},
        {"number": 116, "labels": [{"name": "area:<script>"}]},
    ]);
    std::fs::write(root.join("labels.json"), labels.to_string()).unwrap();
    util::commit_all(root, "labels");
    let out = run(root, &[&GO[..], &["--labels-from", "labels.json"]].concat(), "true");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for label in [
        "area:webhook\\n## 9.9.9 (2020 01 01)",
        "area:[x](https://github.com/example/widget/pull/999)",
        "area:<script>",
    ] {
        assert!(
            stderr.contains(&format!("the PR label \"{label}\" makes no group")),
            "{label}: {stderr}"
        );
    }
    let log = released(root);
    assert!(!log.contains("9.9.9"), "{log}");
    assert!(!log.contains("999"), "{log}");
    assert!(!log.contains("<script>"), "{log}");
}
