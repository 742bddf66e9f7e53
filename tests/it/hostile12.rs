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
pub(crate) fn final_of(fragment: &str) -> (tempfile::TempDir, Output) {
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

pub(crate) fn consolidate(root: &Path) -> Output {
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

/// hostile11/11: towncrier's template glues the PR links to a fragment's last line; when that
/// line is the end of a block that swallows the rest of its line — an indented code block
/// (also in a quote or in a nested list item), an HTML block of CommonMark's types 1–5
/// (`</pre>`, `</script>`, `</style>`, `</textarea>`, `-->`, `?>`, `<!DOCTYPE …>`,
/// `]]>`), a GFM table's last row (the link a cell past the header's, dropped) — the final moves the links below a blank line, at the entry's column, where they
/// are a paragraph of the entry (on main the final published `  </pre> ([#13](…))`, raw HTML,
/// and `  <!-- … --> ([#13](…))`, not shown at all).
#[test]
fn a_link_glued_to_a_block_that_swallows_its_line_is_moved_below_it() {
    for (fragment, kept) in [
        ("Add the option:\n\n    timeout = 5\n", "      timeout = 5"),
        ("Add it:\n\n> quoted\n>\n>     code\n", "  >     code"),
        ("Add it:\n\n- item\n\n      code\n", "        code"),
        ("Add it:\n\n<pre>\nx\n</pre>\n", "  </pre>"),
        ("Add it:\n\n<script>\nx\n</script>\n", "  </script>"),
        ("Add it:\n\n<STYLE>\nx\n</style>\n", "  </style>"),
        (
            "Add the dashboard.\n\n<!-- screenshot: dash.png -->\n",
            "  <!-- screenshot: dash.png -->",
        ),
        (
            "Add the dashboard.\n<!-- screenshot:\ndash.png -->\n",
            "  dash.png -->",
        ),
        ("Add it:\n\n<?php echo 1; ?>\n", "  <?php echo 1; ?>"),
        ("Add it:\n\n<!DOCTYPE html>\n", "  <!DOCTYPE html>"),
        ("Add it:\n\n<![CDATA[ x ]]>\n", "  <![CDATA[ x ]]>"),
        // hostile11/12: a GFM table's row; the link would be a cell past the header's.
        (
            "Add the limits:\n\n| key | default |\n| --- | :-: |\n| timeout | 5 |\n",
            "  | timeout | 5 |",
        ),
    ] {
        let (_repo, out) = final_of(fragment);
        ok(&out, fragment);
        link_below(fragment, &text(&out.stdout), kept);
    }
}

/// In the final's `section` (made from `fragment`), #13's link is a paragraph of its own
/// (after a blank line, at the entry's column) right below the line `kept`.
pub(crate) fn link_below(fragment: &str, section: &str, kept: &str) {
    let lines: Vec<&str> = section.lines().collect();
    let link = lines
        .iter()
        .position(|l| l.contains("[#13]("))
        .unwrap_or_else(|| panic!("{fragment:?}: #13 not listed:\n{section}"));
    assert!(
        lines[link].starts_with("  ([#13](") && lines[link - 1].is_empty(),
        "{fragment:?}: the link is no paragraph of its own:\n{section}"
    );
    assert_eq!(lines[link - 2], kept, "{fragment:?}:\n{section}");
}

/// The same blocks in a section a person wrote (or edited in the review): the final's
/// read-back refuses a reference glued to them, naming the line and the block.
#[test]
fn a_link_glued_to_a_block_that_swallows_its_line_is_refused_in_a_written_section() {
    for (block, says) in [
        (
            "\n\n      timeout = 5 ([#13](https://example.com/demo/pull/13))",
            "an indented code block",
        ),
        (
            "\n\n  <pre>\n  x\n  </pre> ([#13](https://example.com/demo/pull/13))",
            "the HTML block `<pre>…`",
        ),
        (
            "\n\n  | a | b |\n  | - | - |\n  | c | d | ([#13](https://example.com/demo/pull/13))",
            "a table",
        ),
        (
            "\n  <!-- a --> ([#13](https://example.com/demo/pull/13))",
            "the HTML block `<!--…`",
        ),
    ] {
        let repo = project_after_rc("");
        let root = repo.path();
        let log = read(root, "CHANGELOG.md").replace(
            "* Add fair share scheduler ([#10](https://example.com/demo/pull/10))\n",
            &format!("* Add fair share scheduler ([#10](https://example.com/demo/pull/10))\n* Add it:{block}\n"),
        );
        util::write_file(root, "CHANGELOG.md", &log);
        util::commit_all(root, "an rc entry ending in a block");
        // The fold moves the link (nothing hidden)…
        let out = consolidate(root);
        ok(&out, block);
        let section = text(&out.stdout);
        assert!(section.contains("\n\n  ([#13]("), "{block:?}:\n{section}");
        // …and a reviewed draft that glues it back is refused, naming the block.
        let glued = section.replace("\n\n  ([#13](", " ([#13](");
        let draft = root.join(".git/draft.md");
        std::fs::write(&draft, &glued).unwrap();
        let editor = format!("cp {}", draft.display());
        let out = run(root, &["1.1.0", "--yes", DATE[0], DATE[1]], &editor);
        let stderr = text(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{block:?}: {stderr}");
        assert!(
            stderr.contains("the reference to #13 is on the last line of") && stderr.contains(says),
            "{block:?}: {stderr}"
        );
    }
}

/// hostile11/02: a fence in a block quote that the quote's end closes (CommonMark: fenced code
/// takes no lazy continuation) at the end of an rc section. Carried into the final's section,
/// it runs to that section's end, where the next release's heading ends the quote and the
/// block with it: the final is not refused as if it swallowed the rest of the changelog (on
/// main: "never closes"). A fence at the margin that runs to the section's end still is.
#[test]
fn a_fence_closed_by_its_quotes_end_is_no_open_fence() {
    for (quoted, accepted) in [
        ("> ```\n> code\n", true),
        ("> > ~~~\n> > code\n", true),
        ("> - ```\n>   code\n", true),
        ("```\ncode\n", false),
    ] {
        let repo = project_after_rc("");
        let root = repo.path();
        let entry = "* Fix crash on start ([#12](https://example.com/demo/pull/12))\n";
        let log = read(root, "CHANGELOG.md").replace(entry, &format!("{entry}\n{quoted}"));
        util::write_file(root, "CHANGELOG.md", &log);
        util::commit_all(root, "a quoted fence in the rc section");
        let out = consolidate(root);
        if accepted {
            ok(&out, quoted);
            let section = text(&out.stdout);
            assert!(section.contains(quoted), "{quoted:?}:\n{section}");
            // Released, the changelog reads on: 1.0.0 is still a release below it.
            let out = run(
                root,
                &["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]],
                "false",
            );
            ok(&out, quoted);
            let log = read(root, "CHANGELOG.md");
            assert!(
                log.contains(quoted) && log.contains("\n## 1.0.0 ("),
                "{log}"
            );
        } else {
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{quoted:?}: {stderr}");
            assert!(stderr.contains("never closes"), "{quoted:?}: {stderr}");
        }
    }
}

/// A link in a table's last cell (no pipe after it) is a link: left where it is.
#[test]
fn a_link_in_a_tables_last_cell_stays() {
    let (_repo, out) =
        final_of("Add the limits:\n\n| key | default |\n| --- | --- |\n| timeout | 5\n");
    ok(&out, "a row without its last pipe");
    let section = text(&out.stdout);
    assert!(section.contains("  | timeout | 5 ([#13]("), "{section}");
}
