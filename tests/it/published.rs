//! What a grouping or a review may publish (hostile round 4, findings 4–7): text that is
//! not an entry — a group title or description from any strategy, prose typed in the
//! review — never lists a PR, starts a block or breaks the section, and a reviewed draft
//! that would not render as it reads (an unclosed code fence or HTML block, a control
//! character) is refused with its line, the draft kept, nothing written.

use std::path::{Path, PathBuf};

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
    let out = run(
        root,
        &[&GO[..], &["--labels-from", "labels.json"]].concat(),
        "true",
    );
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

// --- finding 5: no PR reference outside an entry ------------------------------------

/// An editor that runs `script` (Python, with the draft's text as `s`) on the draft.
fn editor(dir: &Path, name: &str, script: &str) -> String {
    let path = dir.join(format!("{name}.py"));
    std::fs::write(
        &path,
        format!("import sys\np=sys.argv[1]\ns=open(p,encoding='utf-8',errors='surrogateescape',newline='').read()\n{script}\nopen(p,'w',encoding='utf-8',errors='surrogateescape',newline='').write(s)\n"),
    )
    .unwrap();
    format!("python3 {}", path.display())
}

const CONSOLIDATE: [&str; 2] = ["consolidate", "1.4.0"];

/// A review that refuses keeps its draft, and `--resume` with a fixing editor writes the
/// section.
fn resumes(root: &Path, fix: &str) {
    assert!(root.join(".git/RELEASE_NOTES.md").is_file(), "draft kept");
    let out = run(root, &["consolidate", "1.4.0", "--resume"], fix);
    assert!(out.status.success(), "resume: {}", text(&out.stderr));
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(log.contains("## 1.4.0 ("), "{log}");
}

/// A PR link typed into a group's description, or an earlier release's entry pasted as a
/// line of prose, lists a PR outside its entry: the review refuses it naming the line,
/// changes nothing and keeps the draft.
#[test]
fn a_pr_linked_from_prose_in_the_review_is_refused_naming_the_line() {
    let (keep, root) = demo();
    let root = root.as_path();
    let description = "Added webhook notification channels and made their delivery more reliable.";
    let ed = editor(
        keep.path(),
        "relink",
        &format!(
            "s=s.replace('{description}', 'See [#111]({PR}/111) too.')\n\
             s=s.replace('### Improvements\\n', '### Improvements\\nAlso: Fix a crash when a \
             scaling group has no agents ([#101]({PR}/101))\\n\\n', 1)"
        ),
    );
    let stderr = refused(root, &CONSOLIDATE, &ed, "prose links");
    for (pr, why) in [
        (
            111,
            "is an entry of the section, so it would be listed twice",
        ),
        (101, "is no entry of the section"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.contains(&format!("a reference to #{pr} outside any entry")))
            .unwrap_or_else(|| panic!("#{pr} not named: {stderr}"));
        assert!(line.trim_start().starts_with("- line "), "{line}");
        assert!(line.contains(why), "{line}");
    }
    let fix = editor(
        keep.path(),
        "fix",
        &format!(
            "s=s.replace('See [#111]({PR}/111) too.', 'Hooks.')\n\
             s=s.replace(' ([#101]({PR}/101))', '')"
        ),
    );
    resumes(root, &fix);
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert_eq!(links(&log, 111), 1, "{log}");
    assert_eq!(links(&log, 101), 1, "{log}");
}

/// The rc sections' prose is carried into the final with the references it holds (an
/// upgrade note naming a PR): allowed once, by the ledger, the review and the guard alike.
#[test]
fn a_note_carried_from_an_rc_section_may_name_a_pr() {
    let (_keep, root) = demo();
    let root = root.as_path();
    let path = root.join("CHANGELOG.md");
    let log = std::fs::read_to_string(&path).unwrap();
    let note = format!("Restart the agents after upgrading: see [#117]({PR}/117).");
    let log = log.replacen(
        "### Fixes\n* Fix notification emails",
        &format!("{note}\n\n### Fixes\n* Fix notification emails"),
        1,
    );
    std::fs::write(&path, log).unwrap();
    util::commit_all(root, "an upgrade note in 1.4.0rc1");
    let out = run(root, &GO, "true");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = released(root);
    let section = &log[log.find("## 1.4.0 (").unwrap()..log.find("## 1.3.0").unwrap()];
    assert!(section.contains(&note), "{section}");
    assert_eq!(links(section, 117), 2, "{section}");
    // Typed once more in the review, it is one too many.
    let (keep, root) = demo();
    let root = root.as_path();
    let ed = editor(
        keep.path(),
        "again",
        &format!("s=s.replace('### Fixes\\n', '### Fixes\\nSee [#117]({PR}/117).\\n\\n', 1)"),
    );
    let stderr = refused(root, &CONSOLIDATE, &ed, "a reference typed in");
    assert!(
        stderr.contains("a reference to #117 outside any entry"),
        "{stderr}"
    );
}

/// A project step that writes a PR reference into the section after the review is caught
/// by the section check before the release commit: the release stops, uncommitted.
#[test]
fn a_step_that_links_a_pr_outside_an_entry_stops_the_release() {
    let (_keep, root) = demo();
    let root = root.as_path();
    let path = root.join("pyproject.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!(
            "{config}\n[[tool.git-release.step]]\nname = \"sneak a link in\"\nrun = '''sed -i '0,/^### Features$/s||### Features\\nSee [#111]({PR}/111).|' CHANGELOG.md'''\n"
        ),
    )
    .unwrap();
    util::commit_all(root, "a step that edits the changelog");
    let out = run(root, &GO, "true");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("a reference to #111 outside any entry"),
        "{stderr}"
    );
    let subjects = git(root, &["log", "--format=%s", "-3"]);
    assert!(!subjects.contains("release: 1.4.0"), "{subjects}");
}

/// The same for a step that leaves a code fence open in the final's section.
#[test]
fn a_step_that_leaves_a_fence_open_stops_the_release() {
    let (_keep, root) = demo();
    let root = root.as_path();
    let path = root.join("pyproject.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!(
            "{config}\n[[tool.git-release.step]]\nname = \"open a fence\"\nrun = '''sed -i '0,/^### Features$/s||### Features\\n```|' CHANGELOG.md'''\n"
        ),
    )
    .unwrap();
    util::commit_all(root, "a step that edits the changelog");
    let out = run(root, &GO, "true");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("is never closed"), "{stderr}");
    let subjects = git(root, &["log", "--format=%s", "-3"]);
    assert!(!subjects.contains("release: 1.4.0"), "{subjects}");
}

// --- findings 6, 7: the draft renders as it reads ----------------------------------

/// What would swallow the rest of the changelog (a fence or an HTML element never
/// closed), a control character, or an entry that would not be shown as one: refused in
/// the review with its line, nothing changed, the draft kept for `--resume`.
#[test]
fn a_draft_that_would_not_render_as_it_reads_is_refused() {
    for (name, script, needle) in [
        (
            "backticks",
            "s=s.replace('#### Other Features\\n','#### Other Features\\n```\\n',1)",
            "the code fence \"```\" is never closed",
        ),
        (
            "tildes",
            "s=s.replace('#### Other Features\\n','#### Other Features\\n~~~\\n',1)",
            "the code fence \"~~~\" is never closed",
        ),
        (
            "pre",
            "s=s.replace('#### Other Features\\n','#### Other Features\\n<pre>\\n',1)",
            "`<pre>` is never closed",
        ),
        (
            "details",
            "s=s.replace('#### Other Features\\n','#### Other Features\\n<details>\\n\\n',1)",
            "`<details>` is never closed",
        ),
        (
            "nul",
            "s=s.replace('Add a dark theme','Add a d\\x00ark theme')",
            "the control character U+0000",
        ),
        (
            "esc",
            "s=s.replace('Add a dark theme','Add a \\x1b]0;pwned\\x07dark theme')",
            "the control character U+001B",
        ),
        (
            "line separator",
            "s=s.replace('Add a dark theme','Add a\\u2028dark theme')",
            "the control character U+2028",
        ),
        (
            "fenced entry",
            "import re\ns=re.sub(r'(\\* Add a dark theme[^\\n]*\\n)', r'```\\n\\1```\\n', s, count=1)",
            // Inside the fence it is no entry for a parser that knows fences: missing.
            "is inside a code block|missing entry",
        ),
        (
            "category title",
            "s=s.replace('#### Notifications\\n','#### Improvements\\n',1)",
            "is titled like the category `Improvements`",
        ),
        (
            // Read as the group above's prose: its entries would move there without a word.
            "deep heading",
            "s=s.replace('#### Notifications\\n','##### Notifications\\n',1)",
            "is below the groups' level",
        ),
        (
            "setext heading",
            "s=s.replace('#### Notifications\\n','Notifications\\n-------------\\n',1)",
            "over a line of `=` or `-`",
        ),
        (
            // towncrier never writes `#0114`: it names no PR, so the entry lost its own.
            "zero-padded",
            "import re\ns=re.sub(r'(\\* Add a dark theme[^\\n]*)#([0-9]+)\\]\\(([^)]*)/\\2\\)', r'\\1#0\\2](\\3/0\\2)', s, count=1)",
            "missing entry",
        ),
        (
            "commented entry",
            "import re\ns=re.sub(r'\\* (Add a dark theme[^\\n]*)', r'* <!-- \\1 -->', s, count=1)",
            "the entry is an HTML comment",
        ),
    ] {
        let (keep, root) = demo();
        let root = root.as_path();
        let ed = editor(keep.path(), "break", script);
        let stderr = refused(root, &CONSOLIDATE, &ed, name);
        let line = stderr
            .lines()
            .find(|l| needle.split('|').any(|n| l.contains(n)))
            .unwrap_or_else(|| panic!("{name}: `{needle}` not in {stderr}"));
        assert!(
            line.trim_start().starts_with("- line ") || line.contains("missing entry"),
            "{name}: {line}"
        );
        assert!(stderr.contains("--resume"), "{name}: {stderr}");
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\0'),
            "{name}: a control character reached the terminal"
        );
        resumes(root, &editor(keep.path(), "undo", &undo(name)));
    }
}

/// The editor script that takes the change of the case `name` back out of the draft.
fn undo(name: &str) -> String {
    match name {
        "nul" | "esc" | "line separator" => {
            "s=s.replace('\\x00','').replace('\\x1b]0;pwned\\x07','').replace('\\u2028',' ')".into()
        }
        "category title" => "s=s.replace('#### Improvements\\n','#### Notifications\\n',1)".into(),
        "deep heading" => "s=s.replace('##### Notifications\\n','#### Notifications\\n')".into(),
        "setext heading" => {
            "s=s.replace('Notifications\\n-------------\\n','#### Notifications\\n')".into()
        }
        "zero-padded" => {
            "import re\ns=re.sub(r'#0([0-9]+)\\]\\(([^)]*)/0([0-9]+)\\)', r'#\\1](\\2/\\3)', s)"
                .into()
        }
        "commented entry" => {
            "import re\ns=re.sub(r'\\* <!-- (Add a dark theme[^\\n]*) -->', r'* \\1', s)".into()
        }
        _ => "import re\ns=re.sub(r'\\n(```|~~~|<pre>|<details>)\\n', '\\n', s)".into(),
    }
}

// --- the lower items: exit codes ---------------------------------------------------

/// A draft that is not UTF-8 is a refusal of input (exit 3), kept for `--resume`, like a
/// rules or labels file that is not UTF-8; an emptied draft ends `consolidate` with exit 3,
/// as it ends `git release`.
#[test]
fn a_draft_or_rules_file_that_is_not_utf8_and_an_emptied_draft_exit_3() {
    let (keep, root) = demo();
    let root = root.as_path();
    let latin1 = editor(
        keep.path(),
        "latin1",
        "s=s.replace('dark theme','dark th\\u00e9me')\nopen(p,'w',encoding='latin-1').write(s)\nsys.exit(0)",
    );
    let stderr = refused(root, &CONSOLIDATE, &latin1, "latin-1 draft");
    assert!(stderr.contains("is not UTF-8"), "{stderr}");
    assert!(root.join(".git/RELEASE_NOTES.md").is_file());
    let empty = editor(keep.path(), "empty", "s=''");
    let before = without_draft(state(root));
    let out = run(root, &["consolidate", "1.4.0", "--resume"], &empty);
    let stderr = one_error(&out, "emptied");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("the draft was emptied"), "{stderr}");
    assert!(without_draft(state(root)) == before);
    // A rules file in Latin-1.
    let rules = root.join("strategies/widget.toml");
    let mut bytes = std::fs::read(&rules).unwrap();
    bytes.extend_from_slice(b"\n# caf\xe9\n");
    std::fs::write(&rules, bytes).unwrap();
    util::commit_all(root, "latin-1 rules");
    let stderr = refused(root, &GO, "true", "latin-1 rules");
    assert!(
        stderr.contains("strategies/widget.toml") && stderr.contains("not UTF-8"),
        "{stderr}"
    );
}
