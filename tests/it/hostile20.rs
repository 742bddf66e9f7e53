//! Hostile round 15's leftovers in the configuration, the freeze, the changelog's marker,
//! fragments and labels (05, 04, 14, 02, 03, 21, 11): each refused or handled before
//! anything changes. (Repro scripts: /work/hostile15/NN-*.sh.)

use std::path::Path;

use crate::hostile::refused;
use crate::release::{project, project_after_rc, read};
use crate::util::{self, ok, run};

const RC: [&str; 5] = ["1.1.0rc1", "--yes", "--no-edit", "--date", "2025-03-01"];
const MARKER: &str = "<!-- towncrier release notes start -->";

/// The project's changelog with `shown` put above its first line (a contributing guide
/// showing the marker), committed.
fn changelog_showing(root: &Path, shown: &str) {
    let log = read(root, "CHANGELOG.md");
    util::write_file(root, "CHANGELOG.md", &format!("{shown}{log}"));
    util::commit_all(root, "document the marker");
}

// --- 05: the start marker shown in a code block or comment above the real one ------------

/// hostile15/05: with the marker shown in a code block above the real one, towncrier (and
/// `build`, as towncrier) put the section into the block; the release wrote it there too and
/// stopped at its commit (exit 4), a stop `continue` repeated forever. Pre-flight reads the
/// changelog it would write back as Markdown and refuses, naming the marker's line: exit 3,
/// nothing changed. Shown below the real marker (where towncrier never looks), it releases.
#[test]
fn a_start_marker_shown_in_a_block_above_the_real_one_is_refused_up_front() {
    let shown = [
        (
            "fenced code",
            format!("# Guide\n\n```\n{MARKER}\n```\n\n"),
            4,
        ),
        (
            "tilde fence",
            format!("# Guide\n\n~~~md\n{MARKER}\n~~~\n"),
            4,
        ),
        (
            "list item fence",
            format!("- use:\n  ```\n  {MARKER}\n  ```\n\n"),
            3,
        ),
    ];
    for (what, text, line) in &shown {
        let repo = project("");
        let root = repo.path();
        changelog_showing(root, text);
        let stderr = refused(root, &RC, what);
        assert!(
            stderr.contains("CHANGELOG.md") && stderr.contains(&format!("CHANGELOG.md:{line},")),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains("continue"), "{what}: {stderr}");
        // A final folds by the changelog's structure, not by the marker: its section goes
        // where Markdown reads it, below the real marker.
        let repo = project_after_rc("");
        let root = repo.path();
        changelog_showing(root, text);
        let final_args = ["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"];
        ok(&run(root, &final_args, "false"), what);
        let log = read(root, "CHANGELOG.md");
        let real = log.rfind(MARKER).unwrap();
        assert!(
            log[real..].contains("## 1.1.0 (2025-03-01)"),
            "{what}: {log}"
        );
        assert!(!log[..real].contains("## 1.1.0"), "{what}: {log}");
    }
    // Where towncrier's rewrite takes the marker out of its block (an indented line, a
    // block quote) or the comment ends on the marker's own line, the changelog reads as
    // before plus the section: released.
    let readable = [
        ("indented code", format!("# Guide\n\n    {MARKER}\n\n")),
        ("block quote fence", format!("> ```\n> {MARKER}\n> ```\n\n")),
        ("HTML comment", format!("<!--\nexample:\n{MARKER}\n-->\n")),
    ];
    for (what, text) in &readable {
        let repo = project("");
        let root = repo.path();
        changelog_showing(root, text);
        ok(&run(root, &RC, "false"), what);
        let log = read(root, "CHANGELOG.md");
        assert!(log.contains("## 1.1.0rc1 (2025-03-01)"), "{what}: {log}");
    }
    // Below the real marker, the example is only text of an older section's.
    let repo = project("");
    let root = repo.path();
    let log = read(root, "CHANGELOG.md");
    util::write_file(
        root,
        "CHANGELOG.md",
        &format!("{log}\nThe marker:\n\n```\n{MARKER}\n```\n"),
    );
    util::commit_all(root, "document the marker below");
    ok(&run(root, &RC, "false"), "marker shown below the real one");
    assert!(read(root, "CHANGELOG.md").contains("## 1.1.0rc1 (2025-03-01)"));
}

/// `build` writes where towncrier writes, into the block (towncrier's parity; the project's
/// own `towncrier_cases` hold the byte-for-byte comparison).
#[test]
fn build_puts_the_section_after_the_first_marker_as_towncrier_does() {
    let repo = project("");
    let root = repo.path();
    changelog_showing(root, &format!("# Guide\n\n```\n{MARKER}\n```\n\n"));
    let out = run(
        root,
        &["build", "1.1.0rc1", "--date", "2025-03-01", "--yes"],
        "false",
    );
    ok(&out, "build");
    let log = read(root, "CHANGELOG.md");
    let first = log.find(MARKER).unwrap();
    let section = log.find("## 1.1.0rc1").unwrap();
    let second = log[first + 1..].find(MARKER).unwrap() + first + 1;
    assert!(first < section && section < second, "{log}");
}

// --- 04: configuration strings that cannot be empty --------------------------------------

/// The project with `top` put before the tables of its `.git-release.toml`, and `extra`
/// after its `[next-version]` table's keys, committed.
fn configured(top: &str, extra: &str) -> tempfile::TempDir {
    let repo = project(extra);
    let root = repo.path();
    let toml = read(root, ".git-release.toml");
    util::write_file(root, ".git-release.toml", &format!("{top}\n{toml}"));
    util::commit_all(root, "configure");
    repo
}

/// hostile15/04: `commit-message = ""` (a step's `commit`, the next-version `message`) was
/// found only by git at the commit: the release stopped (exit 4) after its branch, version
/// file and changelog, and `continue` failed the same way. Every commit message, and every
/// other string that names something (a file, a branch, a command, a step), is checked when
/// the configuration is read: exit 3, the file and key named, nothing changed. A message
/// that git would empty (only `#` lines, or only `{webui_version}` without WebUI) and a
/// `{field}` never filled in are refused the same way; a message with text passes.
#[test]
fn empty_configuration_strings_are_refused_when_read() {
    let step =
        |commit: &str| format!("\n[[step]]\nname = \"s\"\nrun = \"true\"\ncommit = {commit}\n");
    let cases: Vec<(&str, String, String, &str)> = vec![
        (
            "empty commit-message",
            "commit-message = \"\"".into(),
            String::new(),
            "commit-message",
        ),
        (
            "blank commit-message",
            "commit-message = \"  \\n \"".into(),
            String::new(),
            "commit-message",
        ),
        (
            "comment commit-message",
            "commit-message = \"# {version}\"".into(),
            String::new(),
            "commit-message",
        ),
        (
            "webui-only commit-message",
            "commit-message = \"{webui_version}\"".into(),
            String::new(),
            "commit-message",
        ),
        (
            "unknown field",
            "commit-message = \"release {Version}\"".into(),
            String::new(),
            "commit-message",
        ),
        (
            "empty step commit",
            String::new(),
            step("\"\""),
            "step[0].commit",
        ),
        (
            "unknown step field",
            String::new(),
            step("\"up {nope}\""),
            "step[0].commit",
        ),
        (
            "empty next-version message",
            String::new(),
            "message = \"\"\n".into(),
            "next-version.message",
        ),
        (
            "next-version webui field",
            String::new(),
            "message = \"bump {webui_version}\"\n".into(),
            "next-version.message",
        ),
        (
            "empty step run",
            String::new(),
            "\n[[step]]\nname = \"s\"\nrun = \" \"\n".into(),
            "step[0].run",
        ),
        (
            "empty step name",
            String::new(),
            "\n[[step]]\nname = \"\"\nrun = \"true\"\n".into(),
            "step[0].name",
        ),
        (
            "step name with a line break",
            String::new(),
            "\n[[step]]\nname = \"a\\nb\"\nrun = \"true\"\n".into(),
            "step[0].name",
        ),
        (
            "empty version-file",
            "version-file = \"\"".into(),
            String::new(),
            "version-file",
        ),
        (
            "empty base-branch",
            "base-branch = \"\"".into(),
            String::new(),
            "base-branch",
        ),
        (
            "empty changelog",
            "changelog = \" \"".into(),
            String::new(),
            "changelog",
        ),
    ];
    for (what, top, extra, key) in &cases {
        let repo = configured(top, extra);
        let root = repo.path();
        let stderr = refused(root, &RC, what);
        assert!(
            stderr.contains(".git-release.toml") && stderr.contains(key),
            "{what}: {stderr}"
        );
    }
    // Messages with text, `#` after it, and both fields, release.
    let top =
        "commit-message = \"release: {version}\\n\\n# not a comment to git -m {webui_version}\"";
    let repo = configured(top, "message = \"bump to {version} #1\"\n");
    ok(&run(repo.path(), &RC, "false"), "messages with text");
    // The next-version file, empty.
    let repo = project("");
    let root = repo.path();
    let toml = read(root, ".git-release.toml");
    let toml = toml.replace("file = \"src/demo/version.py\"", "file = \"\"");
    util::write_file(root, ".git-release.toml", &toml);
    util::commit_all(root, "configure");
    let stderr = refused(root, &RC, "empty next-version file");
    assert!(stderr.contains("next-version.file"), "{stderr}");
}

// --- 14: the freeze reads a lone CR as a line end ------------------------------------------

/// hostile15/14: a source file with classic-Mac line ends (lone CR) was one line to the
/// freeze, so a `drop` rule emptied it. Lines end at `\n`, `\r\n` and a lone `\r`, each
/// kept as it was: only the placeholder's line goes, by `git release freeze` and by a
/// release alike; a mixed file keeps every other byte.
#[test]
fn the_freeze_drops_one_line_of_a_cr_only_file() {
    for args in [
        &["freeze", "1.1.0"][..],
        &["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"],
    ] {
        let repo = project_after_rc("");
        let root = repo.path();
        let toml = read(root, ".git-release.toml").replace(
            "replace = \"{version}\"",
            "[[freeze.rule]]\nmatch = '^.*import NEXT_RELEASE_VERSION.*$'\ndrop = true\n\n\
             [[freeze.rule]]\nmatch = 'NEXT_RELEASE_VERSION'\nreplace = '\"{version}\"'",
        );
        util::write_file(root, ".git-release.toml", &toml);
        let mac = "keep_me = 1\rfrom m import NEXT_RELEASE_VERSION\ralso_keep = 2\r";
        let mixed = "a = 1\r\nfrom m import NEXT_RELEASE_VERSION\rv = NEXT_RELEASE_VERSION\nb\r";
        util::write_file(root, "src/demo/mac.py", mac);
        util::write_file(root, "src/demo/mixed.py", mixed);
        util::commit_all(root, "classic-Mac sources");
        ok(&run(root, args, "false"), args[0]);
        assert_eq!(
            read(root, "src/demo/mac.py"),
            "keep_me = 1\ralso_keep = 2\r",
            "{args:?}"
        );
        assert_eq!(
            read(root, "src/demo/mixed.py"),
            "a = 1\r\nv = \"1.1.0\"\nb\r",
            "{args:?}"
        );
    }
}

// --- 02: a fragment holding a character a changelog cannot show ----------------------------

/// hostile15/02: a pre-release published a NUL or an ESC from a fragment (git then takes the
/// changelog for binary), and only the final refused that rc's text. Pre-flight refuses the
/// fragment, naming the file and the line: exit 3, nothing changed. A tab passes; `build`
/// writes the byte as towncrier does (its parity), and a final refuses it as before.
#[test]
fn a_fragment_with_a_control_character_is_refused_before_a_pre_release() {
    let cases = [
        ("NUL", "Add\0thing\n", "line 1", "U+0000"),
        (
            "ESC",
            "Add thing\n\nin \x1b[31mred\x1b[0m\n",
            "line 3",
            "U+001B",
        ),
        ("DEL", "Add\x7f thing\n", "line 1", "U+007F"),
        ("line separator", "Add\u{2028}thing\n", "line 1", "U+2028"),
        ("C1", "Add\u{9b}thing\n", "line 1", "U+009B"),
    ];
    for (what, text, line, code) in cases {
        let repo = project("");
        let root = repo.path();
        util::write_file(root, "changes/13.feature.md", text);
        util::commit_all(root, "a fragment");
        let stderr = refused(root, &RC, what);
        assert!(
            stderr.contains("13.feature.md") && stderr.contains(line) && stderr.contains(code),
            "{what}: {stderr}"
        );
        let final_args = ["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"];
        refused(root, &final_args, what);
        let build = ["build", "1.1.0rc1", "--date", "2025-03-01", "--yes"];
        ok(&run(root, &build, "false"), what);
        let first = text.split(['\n', '\u{2028}']).next().unwrap();
        assert!(read(root, "CHANGELOG.md").contains(first), "{what}");
    }
    let repo = project("");
    let root = repo.path();
    util::write_file(root, "changes/13.feature.md", "Add\tthing\n");
    util::commit_all(root, "a fragment with a tab");
    ok(&run(root, &RC, "false"), "a tab");
}

// --- 03: an empty freeze placeholder named as such ----------------------------------------

/// hostile15/03: `placeholder = ""` beside `replace` was reported as "`freeze.replace` must
/// not be empty". The placeholder is checked before any rule is made from it: the error
/// names `freeze.placeholder`, with `replace` or with rules, empty, blank or two lines.
#[test]
fn an_empty_placeholder_is_named_not_replace() {
    let rule = "[[freeze.rule]]\nmatch = 'x'\nreplace = 'y'";
    for (placeholder, rules) in [
        ("\"\"", "replace = \"x\""),
        ("\"  \"", "replace = \"x\""),
        ("\"A\\nB\"", "replace = \"x\""),
        ("\"\"", rule),
        ("\"\\r\"", rule),
    ] {
        let repo = project_after_rc("");
        let root = repo.path();
        let toml = read(root, ".git-release.toml")
            .replace(
                "placeholder = \"NEXT_RELEASE_VERSION\"",
                &format!("placeholder = {placeholder}"),
            )
            .replace("replace = \"{version}\"", rules);
        util::write_file(root, ".git-release.toml", &toml);
        util::commit_all(root, "configure");
        let final_args = ["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"];
        let stderr = refused(root, &final_args, placeholder);
        assert!(
            stderr.contains("freeze.placeholder") && !stderr.contains("freeze.replace"),
            "{placeholder} {rules}: {stderr}"
        );
    }
}
