//! Hostile round 11's leftovers of reading the changelog, and versions: link reference
//! definitions in every form CommonMark reads, fences and HTML blocks under entries, a
//! version file edited by hand to another spelling while a release is stopped.
//! (Repro scripts: /work/hostile11/NN-*.sh.)

use std::path::Path;

use crate::hostile::refused;
use crate::release::{project_after_rc, read};
use crate::util::{self, ok, run, text};

const DATE: [&str; 2] = ["--date", "2025-03-01"];

/// A grouping command that gives the first category's first two entries one group with
/// `title` (hostile11's, with no description).
fn command_grouping(root: &Path, title: &str) -> String {
    crate::hostile11::command_grouping(root, title, "")
}

/// hostile11/07: a group title holding `[docs]` where the changelog defines `[docs]` in a
/// form CommonMark reads but the changelog reader missed — inside a block quote or a list
/// item, the destination or title on the next line, a label matched by Unicode case folding
/// (`[ẞ]` and `[SS]:`) — is refused naming the definition's line, and nothing changes (on
/// main each was published as a heading markdown-it renders as a link). What CommonMark
/// does not read as a definition (four spaces in, in a fence, a line continuing a
/// paragraph) leaves the title as text.
#[test]
fn a_title_whose_label_is_defined_in_any_form_commonmark_reads_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    let original = read(root, "CHANGELOG.md");
    let consolidate = |title: &str| {
        let command = command_grouping(root, title);
        let mut args = vec!["consolidate", "1.1.0", "--dry-run", "--no-edit"];
        args.extend([
            "--strategy",
            "command",
            "--command",
            &command,
            DATE[0],
            DATE[1],
        ]);
        run(root, &args, "false")
    };
    let with_footer = |footer: &str| {
        util::write_file(root, "CHANGELOG.md", &format!("{original}\n{footer}"));
        util::commit_all(root, "a footer");
        original.lines().count() + 2
    };
    for (title, footer, offset) in [
        ("Usage [docs]", "> [docs]: https://example.com/docs\n", 0),
        ("Usage [docs]", "[docs]:\n  https://example.com/docs\n", 0),
        ("Usage [ẞ]", "[SS]: https://example.com/docs\n", 0),
        (
            "Usage [docs]",
            "* links\n\n  > [docs]: https://example.com/docs\n",
            2,
        ),
        (
            "Usage [docs]",
            "[docs]: https://example.com/docs\n  \"Docs\"\n",
            0,
        ),
        (
            "Usage [api docs]",
            "[API\n  Docs]: <https://example.com/docs>\n",
            0,
        ),
        ("Usage [docs]", "[a]: /a\n[docs]:\n/docs 'Docs'\n", 1),
        (
            "Usage [docs]",
            "<div>\nhtml\n</div>\n\n   [docs]: /docs\n",
            4,
        ),
    ] {
        let line = with_footer(footer) + offset;
        let command = command_grouping(root, title);
        let mut args = vec!["1.1.0", "--yes", "--no-edit"];
        args.extend([
            "--strategy",
            "command",
            "--command",
            &command,
            DATE[0],
            DATE[1],
        ]);
        let stderr = refused(root, &args, title);
        assert!(
            stderr.contains(&format!("CHANGELOG.md:{line} defines as a link"))
                && !stderr.contains("  "),
            "{title} / {footer:?}: {stderr}"
        );
        let out = consolidate(title);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{footer:?}: {}",
            text(&out.stderr)
        );
    }
    for footer in [
        "    [docs]: https://example.com/docs\n",
        "```\n[docs]: https://example.com/docs\n```\n",
        "> ```\n> [docs]: https://example.com/docs\n> ```\n",
        "Some text\n[docs]: https://example.com/docs\n",
        "<details>\n[docs]: https://example.com/docs\n</details>\n",
        "[docs]:\n\nhttps://example.com/docs\n",
    ] {
        // After a paragraph of its own: four spaces in under the last entry are its text.
        with_footer(&format!("Links:\n\n{footer}"));
        let out = consolidate("Usage [docs]");
        ok(&out, footer);
        assert!(
            text(&out.stdout).contains("#### Usage [docs]"),
            "{footer:?}: {}",
            text(&out.stdout)
        );
    }
}

/// hx9's leftover: towncrier glues the PR links to a fragment's last line; when that line
/// is in an HTML block of CommonMark's type 6 (a block-level tag) or 7 (another tag alone
/// on its line), which runs to a blank line, the links are the block's raw text (on main
/// the final published `  text ([#13](…))` inside `<div>`, shown as written). The final
/// moves them below a blank line, where they are a link; a reviewed draft that glues them
/// back is refused naming the block.
#[test]
fn a_link_glued_to_an_html_block_that_ends_at_a_blank_line_is_moved_below_it() {
    for (fragment, kept) in [
        (
            "Add it:\n\n<div class=\"x\">\nshown\n</div>\ntext\n",
            "  text",
        ),
        (
            "Add it:\n<details>\n<summary>s</summary>\n</details>\nmore\n",
            "  more",
        ),
        ("Add it:\n\n<span>\nx</span>\ntext\n", "  text"),
    ] {
        let (repo, out) = crate::hostile12::final_of(fragment);
        let root = repo.path();
        ok(&out, fragment);
        let section = text(&out.stdout);
        crate::hostile12::link_below(fragment, &section, kept);
        let glued = section.replace("\n\n  ([#13](", " ([#13](");
        let draft = root.join(".git/draft.md");
        std::fs::write(&draft, &glued).unwrap();
        let editor = format!("cp {}", draft.display());
        let out = run(root, &["1.1.0", "--yes", DATE[0], DATE[1]], &editor);
        let stderr = text(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{fragment:?}: {stderr}");
        assert!(
            stderr.contains("the reference to #13 is on the last line of")
                && stderr.contains("an HTML block (a tag on its own line"),
            "{fragment:?}: {stderr}"
        );
    }
}

/// hx9's leftover: an rc entry written by hand with a sub-item whose marker takes four
/// columns (`10. `) or a list nested in a list, and a reference on the last line of that
/// item's paragraph: a link, as markdown-it renders it (the paragraph is measured from
/// the sub-item's content column). The final carries it as written, neither moved nor
/// refused as glued to indented code (on main: refused).
#[test]
fn a_sub_items_paragraph_is_not_read_as_indented_code() {
    for block in [
        "\n\n  10. the item\n\n      Its text ([#13](https://example.com/demo/pull/13))",
        "\n\n  - a\n\n    - b\n\n      Its text ([#13](https://example.com/demo/pull/13))",
    ] {
        let repo = project_after_rc("");
        let root = repo.path();
        let log = read(root, "CHANGELOG.md").replace(
            "* Add fair share scheduler ([#10](https://example.com/demo/pull/10))\n",
            &format!(
                "* Add fair share scheduler ([#10](https://example.com/demo/pull/10))\n\
                 * Add it:{block}\n"
            ),
        );
        util::write_file(root, "CHANGELOG.md", &log);
        util::commit_all(root, "an rc entry with a sub-item");
        let out = crate::hostile12::consolidate(root);
        ok(&out, block);
        let section = text(&out.stdout);
        assert!(section.contains(block), "{block:?}:\n{section}");
        let out = run(
            root,
            &["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]],
            "false",
        );
        ok(&out, block);
        assert!(read(root, "CHANGELOG.md").contains(block), "{block:?}");
    }
}

/// hx8's leftover: while a final (1.1.0) is stopped at a step after its version file's,
/// VERSION is edited by hand to the same version spelled otherwise (`1.1`, `1.1.0.0`,
/// `01.1.0`). The release commit must hold what the release wrote
/// (on main `continue` committed `1.1`): the version file's step is done again, saying so,
/// whether the stopped step runs again or is skipped as done by hand.
#[test]
fn a_version_file_respelled_while_stopped_is_written_again() {
    for (respelled, skip) in [("1.1\n", false), ("1.1.0.0\n", true), ("01.1.0\n", false)] {
        let flag = tempfile::tempdir().unwrap();
        let flag = flag.path().join("flag");
        let repo = project_after_rc(&format!(
            "\n[[step]]\nname = \"bundle\"\nrun = \"test -e '{}' && echo bundle > webui.txt\"\n\
             when = \"final\"\n",
            flag.display()
        ));
        let root = repo.path();
        let out = run(
            root,
            &["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]],
            "false",
        );
        assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
        assert_eq!(read(root, "VERSION"), "1.1.0\n");
        util::write_file(root, "VERSION", respelled);
        let out = if skip {
            run(root, &["continue", "--skip"], "false")
        } else {
            std::fs::write(&flag, "").unwrap();
            run(root, &["continue"], "false")
        };
        ok(&out, respelled);
        assert!(
            text(&out.stderr)
                .contains("(Write 1.1.0 to VERSION) had finished, but its work is no longer"),
            "{respelled:?}: {}",
            text(&out.stderr)
        );
        let commit = util::git(
            root,
            &[
                "log",
                "--all",
                "-1",
                "--format=%H",
                "--grep=^release: 1.1.0$",
            ],
        );
        let released = util::git(root, &["show", &format!("{}:VERSION", commit.trim())]);
        assert_eq!(released, "1.1.0\n", "{respelled:?}");
        assert_eq!(read(root, "VERSION"), "1.1.0\n", "{respelled:?}");
    }
}

/// hx8's leftover, checked: the tag of a release is found as a version, not by its name
/// (`v1.1.0`, `V1.1.0`, `1.1.0`, and `1.1`, `1.1.0.0`, `v01.1.0` — the same PEP 440
/// version), and the refusal says when the tag spells the version otherwise; a tag of
/// another version (`1.1.0.1`, `1.1.0rc2`, `release-1.1.0`) refuses nothing.
#[test]
fn the_release_s_tag_is_found_as_a_version() {
    let repo = project_after_rc("");
    let root = repo.path();
    let args = ["1.1.0", "--dry-run", "--no-edit", DATE[0], DATE[1]];
    for (tag, same) in [
        ("v1.1.0", false),
        ("V1.1.0", false),
        ("1.1.0", false),
        ("1.1", true),
        ("1.1.0.0", true),
        ("v01.1.0", true),
    ] {
        util::git(root, &["tag", tag]);
        let stderr = refused(root, &args, tag);
        let note = " (the same version as 1.1.0)";
        assert!(
            stderr.contains(&format!("the tag `{tag}` exists")) && stderr.contains(note) == same,
            "{tag}: {stderr}"
        );
        util::git(root, &["tag", "-d", tag]);
    }
    for tag in ["1.1.0.1", "1.1.0rc2", "release-1.1.0"] {
        util::git(root, &["tag", tag]);
        let out = run(root, &args, "false");
        assert!(
            !text(&out.stderr).contains(&format!("the tag `{tag}` exists")),
            "{tag}: {}",
            text(&out.stderr)
        );
        util::git(root, &["tag", "-d", tag]);
    }
}
