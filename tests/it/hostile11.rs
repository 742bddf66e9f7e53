//! Hostile rounds 9 and 10, the leftovers of reading the changelog and the versions: a final
//! older than a post-release's section, fences and reference links in every container,
//! headings marked unreleased, floating tags, the version file's spelling, category typos,
//! an empty `SOURCE_DATE_EPOCH`. (Repro scripts: /work/hostile10/NN-*.sh,
//! /work/hostile9/NN-*.sh.)

use std::path::Path;

use crate::hostile::refused;
use crate::release::{project, project_after_rc, read};
use crate::util::{self, ok, run, text};

const DATE: [&str; 2] = ["--date", "2025-03-01"];

/// The plan of `git release <version>` (a dry run), which must succeed; stdout and stderr.
fn planned(root: &Path, version: &str, extra: &[&str]) -> String {
    let mut args = vec![version, "--dry-run", "--no-edit", DATE[0], DATE[1]];
    args.extend_from_slice(extra);
    let out = run(root, &args, "false");
    ok(&out, &format!("the plan of {version} {extra:?}"));
    text(&out.stdout) + &text(&out.stderr)
}

/// The changelog with `section` above its newest section, committed.
fn with_section(root: &Path, section: &str) {
    let log = read(root, "CHANGELOG.md");
    let at = log.find("\n## ").expect("a section") + 1;
    let log = format!("{}{section}\n\n{}", &log[..at], &log[at..]);
    util::write_file(root, "CHANGELOG.md", &log);
    util::commit_all(root, "a section merged from elsewhere");
}

/// hostile10/09: a `## 1.1.0.post1` section (merged from elsewhere, no tag) refuses the
/// final 1.1.0, older, as a `1.1.0.post1` tag does and as it refuses 1.1.0rc2: the tags and
/// the sections are read by one rule, for every kind of version (on main the final was
/// planned and released). The rc sections the final folds do not refuse it.
#[test]
fn a_final_older_than_a_post_section_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    planned(root, "1.1.0", &[]);
    with_section(
        root,
        "## 1.1.0.post1 (2025-02-20)\n\n### Fixes\n* Fix it ([#5](https://example.com/demo/pull/5))",
    );
    for asked in ["1.1.0rc2", "1.1.0"] {
        let stderr = refused(
            root,
            &[asked, "--yes", "--no-edit", DATE[0], DATE[1]],
            asked,
        );
        assert!(
            stderr.contains("CHANGELOG.md has a `1.1.0.post1` section")
                && stderr.contains(&format!("{asked} is not newer"))
                && stderr.contains("--allow-downgrade"),
            "{asked}: {stderr}"
        );
    }
    planned(root, "1.1.0.post2", &[]);
    planned(root, "1.1.1", &[]);
}

/// hostile10/02 (rest): a fragment whose code block stands in a container CommonMark
/// allows a fence in — a block quote, a list item at any depth, both nested either way —
/// gets its PR link glued to the closing fence by towncrier's template (in the rc's
/// section). The final moves the link to a line of its own inside the same containers,
/// where it is a link, not code (on main the quote's fence was not read as one: the final
/// published `> ``` ([#13](…))`, shown as code).
#[test]
fn a_link_glued_to_a_fence_in_any_container_is_moved_out_of_the_code() {
    for fragment in [
        "Add it:\n\n> ```toml\n> timeout = 5\n> ```\n",
        "Add it:\n\n- a list:\n  - ```toml\n    timeout = 5\n    ```\n",
        "Add it:\n\n> 1. ```toml\n>    timeout = 5\n>    ```\n",
        "Add it:\n\n- quoted:\n\n  > ```toml\n  > timeout = 5\n  > ```\n",
    ] {
        let repo = project("");
        let root = repo.path();
        util::release_and_merge(
            root,
            "1.1.0rc1",
            &["--yes", "--no-edit", DATE[0], DATE[1]],
            &[("13.feature.md", fragment)],
            "false",
        );
        let rc = read(root, "CHANGELOG.md");
        assert!(
            rc.contains("``` ([#13]("),
            "the template glues the link: {rc}"
        );
        let out = run(
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
        );
        ok(&out, fragment);
        let section = text(&out.stdout);
        let link = section
            .lines()
            .find(|l| l.contains("[#13]("))
            .unwrap_or_else(|| panic!("{fragment:?}: #13 not listed:\n{section}"));
        let inner = link.trim_start_matches([' ', '>']);
        assert!(
            inner.starts_with("([#13]("),
            "{fragment:?}: {link:?}\n{section}"
        );
        assert!(section.contains("timeout = 5"), "{section}");
    }
}
