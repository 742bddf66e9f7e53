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
