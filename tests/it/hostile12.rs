//! Hostile round 11, the blocks that hide what follows them: a fence "closer" indented four
//! columns (no closer), PR links a template glued to the last line of an indented code block
//! or of an HTML block of CommonMark's types 1–5, a fence in a block quote that the quote's
//! end closes. (Repro scripts: /work/hostile11/NN-*.sh.)

use std::path::Path;
use std::process::Output;

use crate::hostile::refused;
use crate::release::{project, project_after_rc, read};
use crate::util::{self, ok, run, text};

const DATE: [&str; 2] = ["--date", "2025-03-01"];

/// A project whose rc1 published `fragment` as `13.feature.md` (towncrier's bytes, the
/// link glued to its last line), merged; then the final's section (`consolidate --dry-run`).
fn final_of(fragment: &str) -> (tempfile::TempDir, Output) {
    let repo = project("");
    let root = repo.path();
    util::release_and_merge(
        root,
        "1.1.0rc1",
        &["--yes", "--no-edit", DATE[0], DATE[1]],
        &[("13.feature.md", fragment)],
        "false",
    );
    let out = consolidate(root);
    (repo, out)
}

fn consolidate(root: &Path) -> Output {
    run(
        root,
        &[
            "consolidate",
            "1.1.0",
            "--dry-run",
            "--no-edit",
            DATE[0],
            DATE[1],
        ],
        "false",
    )
}

/// hostile11/01 A: a fragment whose "closing" fence is indented four columns past the entry's
/// content has no closer (CommonMark: at most three), so the template's link glued to it is
/// inside the code block. The final does not publish it as code: it refuses naming the
/// reference (on main it moved the link to a line of its own, still inside the open block).
#[test]
fn a_closer_indented_four_columns_closes_nothing() {
    let (repo, out) = final_of("Add the TOML option:\n\n```toml\ntimeout = 5\n    ```\n");
    let rc = read(repo.path(), "CHANGELOG.md");
    assert!(rc.contains("      ``` ([#13]("), "the template glues: {rc}");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{}{stderr}", text(&out.stdout));
    assert!(
        stderr.contains("#13 is inside a code block of its entry"),
        "{stderr}"
    );
    // Three columns in, it is a closer: the link is moved out of the block.
    let (_repo, out) = final_of("Add the TOML option:\n\n```toml\ntimeout = 5\n   ```\n");
    ok(&out, "a closer three columns in");
    let section = text(&out.stdout);
    assert!(
        section
            .lines()
            .any(|l| l.trim_start().starts_with("([#13](")),
        "{section}"
    );
}

/// hostile11/01 B: an rc section holding a top-level fence whose only "closer" is indented
/// four spaces: the fence runs to the end of the changelog, every older release shown as
/// code. The final is refused (on main it was committed).
#[test]
fn a_top_level_fence_with_an_indented_closer_is_never_closed() {
    let repo = project_after_rc("");
    let root = repo.path();
    let log =
        read(root, "CHANGELOG.md").replace("\n### Fixes\n", "\n```\ncode\n    ```\n\n### Fixes\n");
    util::write_file(root, "CHANGELOG.md", &log);
    util::commit_all(root, "a code block in the rc section");
    let stderr = refused(
        root,
        &["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]],
        "an indented closer",
    );
    assert!(
        stderr.contains("CHANGELOG.md:10: a code block opens here")
            && stderr.contains("never closes"),
        "{stderr}"
    );
    // Closed three spaces in, it is accepted.
    let log = log.replace("\n    ```\n", "\n   ```\n");
    util::write_file(root, "CHANGELOG.md", &log);
    util::commit_all(root, "closed");
    ok(
        &run(
            root,
            &["1.1.0", "--dry-run", "--no-edit", DATE[0], DATE[1]],
            "false",
        ),
        "a closer three spaces in",
    );
}
