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
/// `title`.
fn command_grouping(root: &Path, title: &str) -> String {
    let script = root.join(".git/group.py");
    std::fs::write(
        &script,
        format!(
            "import json, sys\nd = json.load(sys.stdin); out = []\n\
             for k, c in enumerate(d['categories']):\n\
             \x20   ids = [e['id'] for e in c['entries']]\n\
             \x20   groups = [{{'title': {title:?}, 'description': '', \
             'entries': ids[:2]}}] if k == 0 else []\n\
             \x20   out.append({{'name': c['name'], 'groups': groups, \
             'other': ids[2:] if k == 0 else ids}})\n\
             print(json.dumps({{'categories': out}}))\n"
        ),
    )
    .unwrap();
    format!("python3 '{}'", script.display())
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
