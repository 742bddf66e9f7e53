//! A final written without the review (`--no-edit`) passes the review's checks all the
//! same, and a release hidden by a block left open above it is never swallowed: what the rc
//! sections carry (a code fence closed in an older release, a setext heading, a heading above
//! the releases' level) is refused before anything is written, not published.

use crate::hostile::refused;
use crate::release_ledger::{listed, project};
use crate::util::{commit_all, ok, run, text, write_files};

/// The project of `release_ledger` with `changelog` and one fragment, committed.
fn with_changelog(changelog: &str) -> tempfile::TempDir {
    let repo = project();
    write_files(
        repo.path(),
        &[
            ("CHANGELOG.md", changelog),
            ("changes/20.feature.md", "Add the final's own feature\n"),
        ],
    );
    commit_all(repo.path(), "rc sections and a fragment");
    repo
}

const HEAD: &str = "# Changelog\n\n<!-- towncrier release notes start -->\n\n";
const RC1: &str = "## [1.1.0rc1] - 2026-02-01\n\n### Features\n\n- Add the rc feature (#10)\n\n";
const OLD: &str = "## [1.0.0] - 2026-01-01\n\n### Features\n\n- Add the old feature (#1)\n";

#[test]
fn a_fence_left_open_in_an_rc_never_swallows_the_release_below() {
    // The fence opens in 1.1.0rc1 and closes inside 1.0.0: `## [1.0.0]` is code where the
    // changelog is published, and was read as part of rc1 (its entry then listed again).
    let rc1 = RC1.replace("(#10)\n", "(#10)\n\n```\n");
    let old = OLD.replace("### Features\n", "### Features\n```\n");
    let repo = with_changelog(&format!("{HEAD}{rc1}{old}"));
    for args in [
        &["1.1.0", "--yes", "--no-edit", "--date", "2026-03-01"][..],
        &["1.1.0", "--yes", "--date", "2026-03-01"],
        &["consolidate", "1.1.0", "--no-edit", "--date", "2026-03-01"],
    ] {
        let stderr = refused(repo.path(), args, "a release hidden in a code block");
        assert!(
            stderr.contains("## [1.0.0] - 2026-01-01") && stderr.contains("code block"),
            "{stderr}"
        );
    }
}

#[test]
fn a_setext_heading_in_an_rc_is_not_published_without_the_review() {
    let rc1 = format!("{RC1}Improvements\n------------\n\n- Speed up the list (#12)\n\n");
    let repo = with_changelog(&format!("{HEAD}{rc1}{OLD}"));
    for args in [
        &["1.1.0", "--yes", "--no-edit", "--date", "2026-03-01"][..],
        &["consolidate", "1.1.0", "--no-edit", "--date", "2026-03-01"],
        &["consolidate", "1.1.0", "--no-edit", "--dry-run"],
    ] {
        let stderr = refused(repo.path(), args, "a setext heading, --no-edit");
        assert!(
            stderr.contains("`Improvements` over a line") && stderr.contains("--no-edit"),
            "{stderr}"
        );
    }
}

#[test]
fn an_rc_heading_above_the_release_level_is_not_published_without_the_review() {
    let rc2 = "## [1.1.0rc2] - 2026-02-10\n\n### Features\n\n- Add the rc2 feature (#11)\n\n";
    let rc1 = RC1.replace("## [1.1.0rc1]", "# [1.1.0rc1]");
    let repo = with_changelog(&format!("{HEAD}{rc2}{rc1}{OLD}"));
    let stderr = refused(
        repo.path(),
        &["1.1.0", "--yes", "--no-edit", "--date", "2026-03-01"],
        "an h1 rc heading, --no-edit",
    );
    assert!(stderr.contains("`# [1.1.0rc1] - 2026-02-01`"), "{stderr}");
}

/// The check is the review's structure, not its placeholder words: an entry may say `TODO`
/// as its fragment wrote it.
#[test]
fn an_unreviewed_final_publishes_entries_that_say_todo() {
    let rc1 = RC1.replace("Add the rc feature", "Add a TODO list to the dashboard");
    let repo = with_changelog(&format!("{HEAD}{rc1}{OLD}"));
    let out = run(
        repo.path(),
        &["1.1.0", "--yes", "--no-edit", "--date", "2026-03-01"],
        "false",
    );
    ok(&out, "an unreviewed final");
    assert_eq!(
        listed(repo.path(), "Add a TODO list").len(),
        1,
        "{}",
        text(&out.stderr)
    );
    assert_eq!(listed(repo.path(), "Add the old feature").len(), 1);
}
