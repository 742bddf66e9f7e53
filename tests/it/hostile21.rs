//! hostile16's breaks in carrying rc words under `--keep-rc` (lead, stop 23): a correction
//! of one of a PR's two rc entries is carried into the entry it corrects, never into the
//! other; a correction of an rc entry a later rc listed again in newer words is that rc
//! section's alone (the final publishes the later words) and refuses nothing.

use std::path::Path;

use crate::hostile17::section;
use crate::release::{project, read};
use crate::util::{self, git, ok, one_error, run};

const DATE: [&str; 2] = ["--date", "2025-03-01"];

/// Releases `version` (no review) and merges its branch into main.
fn released(root: &Path, version: &str) {
    let out = run(
        root,
        &[version, "--yes", "--no-edit", DATE[0], DATE[1]],
        "true",
    );
    ok(&out, version);
    git(root, &["checkout", "-q", "main"]);
    git(
        root,
        &["merge", "-q", "--ff-only", &format!("release/{version}")],
    );
    git(root, &["branch", "-q", "-D", &format!("release/{version}")]);
}

/// The final 1.1.0 with `--keep-rc`, stopped in its review (the editor failed).
fn final_stopped_in_review(root: &Path) {
    let out = run(
        root,
        &["1.1.0", "--yes", "--keep-rc", DATE[0], DATE[1]],
        "false",
    );
    let stderr = one_error(&out, "the review");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
}

/// Replaces `from` by `to` once in the changelog, inside the `version` section.
fn correct(root: &Path, version: &str, from: &str, to: &str) {
    let log = read(root, "CHANGELOG.md");
    let start = log.find(&format!("## {version} (")).expect("the section");
    let (head, tail) = log.split_at(start);
    let fixed = format!("{head}{}", tail.replacen(from, to, 1));
    assert_ne!(fixed, log, "{from} in {version}");
    util::write_file(root, "CHANGELOG.md", &fixed);
}

#[test]
fn a_correction_of_either_of_a_prs_two_rc_entries_is_carried_into_that_entry() {
    // Each of #10's two entries corrected in turn: whichever the changelog lists first.
    let entries = [
        ("Add fair share scheduler", "Add the fair share scheduler"),
        (
            "Show fair share in the dashboard",
            "Show fair share weights in the dashboard",
        ),
    ];
    for (i, (from, to)) in entries.iter().enumerate() {
        let repo = project("");
        let root = repo.path();
        util::write_file(
            root,
            "changes/10.feature.1.md",
            &format!("{}\n", entries[1].0),
        );
        util::commit_all(root, "a second entry of #10");
        released(root, "1.1.0rc1");
        util::write_file(root, "changes/13.fix.md", "Fix a late bug\n");
        util::commit_all(root, "late");
        final_stopped_in_review(root);
        correct(
            root,
            "1.1.0rc1",
            &format!("* {from} ("),
            &format!("* {to} ("),
        );
        let out = run(root, &["continue", "--yes"], "true");
        ok(&out, "continue");
        let published = section(root, "1.1.0");
        let (other, _) = entries[1 - i];
        assert!(published.contains(&format!("* {to} (")), "{published}");
        assert!(published.contains(&format!("* {other} (")), "{published}");
        assert!(!published.contains(&format!("* {from} (")), "{published}");
        assert_eq!(git(root, &["status", "--porcelain"]), "");
    }
}

#[test]
fn a_correction_of_an_rc_entry_a_later_rc_relisted_refuses_nothing() {
    let repo = project("");
    let root = repo.path();
    released(root, "1.1.0rc1");
    util::write_file(
        root,
        "changes/10.feature.md",
        "Add the fair-share scheduler with weights\n",
    );
    util::commit_all(root, "#10 again");
    released(root, "1.1.0rc2");
    final_stopped_in_review(root);
    correct(
        root,
        "1.1.0rc1",
        "* Add fair share scheduler (",
        "* Add the fair share scheduler (",
    );
    let out = run(root, &["continue", "--yes"], "true");
    ok(&out, "continue");
    let published = section(root, "1.1.0");
    assert!(
        published.contains("Add the fair-share scheduler with weights"),
        "{published}"
    );
    assert!(
        !published.contains("Add fair share scheduler"),
        "{published}"
    );
    assert!(section(root, "1.1.0rc1").contains("Add the fair share scheduler ("));
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

// --- hostile16/11, 12: a step killed while it ran, and the user's work outside the
// release's files ----------------------------------------------------------------------

/// After a `kill -9` in the middle of a project step, the user edits a tracked file the
/// release does not write (README.md) and stages a new one: `abort` gives the work tree
/// back as before the release, and keeps a copy of each first, naming them — whether the
/// killed step or the user changed them cannot be told. Before, abort exited 0 and both
/// were gone (README reset, the staged file deleted), no copy, no word.
#[test]
fn after_a_kill_abort_keeps_a_copy_of_the_work_outside_the_release() {
    use crate::hostile::GO;
    use crate::hostile18::{copies, killed, killing, project_with_step};
    let repo = project_with_step(&killing("true", "true"));
    let root = repo.path();
    killed(root, &GO);
    let readme = format!("{}My notes.\n", read(root, "README.md"));
    util::write_file(root, "README.md", &readme);
    util::write_file(root, "new.txt", "new work\n");
    git(root, &["add", "new.txt"]);
    let out = run(root, &["abort"], "false");
    ok(&out, "abort after a kill");
    let stderr = util::text(&out.stderr);
    assert!(
        stderr.contains("README.md") && stderr.contains("new.txt"),
        "{stderr}"
    );
    let kept = copies(root);
    assert!(
        kept.iter().any(|(p, t)| p == "README.md" && *t == readme),
        "{kept:?}"
    );
    assert!(
        kept.iter()
            .any(|(p, t)| p == "new.txt" && t == "new work\n"),
        "{kept:?}"
    );
}

/// After a `kill -9` in the middle of a project step, the user edits README.md and leaves
/// an untracked notes file: nothing tells them from the killed step's writes by looking, so
/// `continue` says so, naming each, runs the step again — which writes neither — and stops
/// before anything takes them, naming them again (hx19: `hostile23`). Before hx14 they went
/// into the release commit without a word; before hx19, with a warning.
#[test]
fn after_a_kill_continue_names_what_it_takes_as_the_steps() {
    use crate::hostile::GO;
    use crate::hostile18::{killed, killing, project_with_step};
    let repo = project_with_step(&killing("true", "true"));
    let root = repo.path();
    killed(root, &GO);
    let readme = format!("{}A fix for the step.\n", read(root, "README.md"));
    util::write_file(root, "README.md", &readme);
    util::write_file(root, "notes.txt", "mine\n");
    let out = run(root, &["continue"], "true");
    let err = one_error(&out, "continue after a kill");
    let stderr = util::text(&out.stderr);
    let note = stderr
        .lines()
        .find(|l| l.contains("a step was killed while it ran"))
        .unwrap_or_default();
    assert!(
        note.contains("README.md") && note.contains("notes.txt"),
        "{stderr}"
    );
    assert!(
        err.contains("README.md") && err.contains("notes.txt"),
        "{err}"
    );
    assert_eq!(read(root, "README.md"), readme);
    assert_eq!(read(root, "notes.txt"), "mine\n");
}

/// hostile16/01: a release stopped in the main work tree took `changes/12.fix.md`; a
/// maintenance work tree holds its own `changes/12.fix.md` (a backport of #12 in other
/// words): building there takes nothing of the stopped release's and is not refused, and
/// the refusal for a fragment that is the same names it once. Before, the path alone
/// refused it, naming it twice.
#[test]
fn a_backports_own_fragment_at_the_same_path_is_not_the_stopped_releases() {
    let flag = tempfile::tempdir().unwrap();
    let step = crate::hostile::step_needing(&flag.path().join("never"), "");
    let repo = project(&step);
    let root = repo.path();
    git(root, &["branch", "maint-1.0"]);
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]],
        "false",
    );
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    let trees = tempfile::tempdir().unwrap();
    for same in [false, true] {
        let branch = format!("maint-{same}");
        let wt = trees.path().join(&branch);
        git(root, &["branch", &branch, "maint-1.0"]);
        git(
            root,
            &["worktree", "add", "-q", wt.to_str().unwrap(), &branch],
        );
        git(
            &wt,
            &["rm", "-q", "changes/10.feature.md", "changes/11.feature.md"],
        );
        if !same {
            util::write_file(
                &wt,
                "changes/12.fix.md",
                "Fix the crash on start (backport)\n",
            );
        }
        let config = format!(
            "base-branch = \"{branch}\"\n{}",
            read(&wt, ".git-release.toml")
        );
        util::write_file(&wt, ".git-release.toml", &config);
        util::commit_all(&wt, "maintenance");
        let build = ["build", "1.0.1", "--date", "2025-03-02"];
        if same {
            // Checked out with CRLF line ends (`core.autocrlf`), it is the same fragment.
            for crlf in [false, true] {
                if crlf {
                    let text = read(&wt, "changes/12.fix.md").replace('\n', "\r\n");
                    util::write_file(&wt, "changes/12.fix.md", &text);
                }
                let out = run(&wt, &build, "false");
                let stderr = one_error(&out, "the same fragment");
                assert_eq!(out.status.code(), Some(3), "crlf {crlf}: {stderr}");
                assert_eq!(stderr.matches("changes/12.fix.md").count(), 1, "{stderr}");
            }
        } else {
            ok(&run(&wt, &build, "false"), "the backport's own fragment");
            assert!(read(&wt, "CHANGELOG.md").contains("(backport)"));
        }
    }
    std::fs::write(flag.path().join("never"), "").unwrap();
    ok(&run(root, &["continue"], "false"), "continue");
}

/// hostile16/13: a pre-release stopped before its changelog step; the user adds (and
/// stages) a second fragment of a planned PR: `continue` builds both of its entries and
/// holds the section to them up to the release commit; a fragment renamed meanwhile is still
/// one entry. Before, the changelog step refused ("#10 is listed 2 times"), advising to put
/// back a fragment nobody had removed.
#[test]
fn a_fragment_added_for_a_planned_pr_is_built_and_held() {
    let flag = tempfile::tempdir().unwrap();
    // A WebUI step: it runs right after the branch, before the changelog step.
    let step = crate::hostile::step_needing(&flag.path().join("never"), "when = \"webui\"");
    let repo = project(&step);
    let root = repo.path();
    let args = ["1.1.0rc1", "2.0.0", "--yes", "--no-edit", DATE[0], DATE[1]];
    let out = run(root, &args, "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    // The fragments are all there.
    assert!(
        root.join("changes/10.feature.md").exists(),
        "{}",
        util::text(&out.stderr)
    );
    util::write_file(
        root,
        "changes/10.feature.1.md",
        "Show the shares in the UI\n",
    );
    git(root, &["add", "changes/10.feature.1.md"]);
    git(root, &["mv", "changes/12.fix.md", "changes/12.feature.md"]);
    std::fs::write(flag.path().join("never"), "").unwrap();
    let out = run(root, &["continue"], "false");
    ok(&out, "continue with an added fragment");
    let published = section(root, "1.1.0rc1");
    assert_eq!(published.matches("#10").count(), 2, "{published}");
    assert!(
        published.contains("Show the shares in the UI"),
        "{published}"
    );
    assert_eq!(published.matches("#12").count(), 1, "{published}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// hostile16/03: stopped after its changelog step, the user fixes a typo in an older
/// section, runs `continue` (the step fails again: the file is marked as holding an edit),
/// then undoes the fix — the file holds byte for byte what the release wrote. `abort` has
/// no edit to keep and is not refused; with the fix still there it is. Before, it refused
/// the undone edit ("discarding your edit").
#[test]
fn an_edit_undone_to_the_releases_bytes_refuses_no_abort() {
    for undo in [true, false] {
        let flag = tempfile::tempdir().unwrap();
        let step = crate::hostile::step_needing(&flag.path().join("never"), "");
        let repo = project(&step);
        let root = repo.path();
        let out = run(
            root,
            &["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]],
            "false",
        );
        assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
        let written = read(root, "CHANGELOG.md");
        assert!(
            written.contains("## 1.1.0rc1"),
            "the changelog step ran first"
        );
        let fixed = written.replacen("First release", "First public release", 1);
        assert_ne!(fixed, written);
        util::write_file(root, "CHANGELOG.md", &fixed);
        let out = run(root, &["continue"], "false");
        assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
        if undo {
            util::write_file(root, "CHANGELOG.md", &written);
            ok(
                &run(root, &["abort"], "false"),
                "abort after the edit was undone",
            );
            assert_eq!(
                read(root, "CHANGELOG.md"),
                git(root, &["show", "main:CHANGELOG.md"])
            );
        } else {
            let out = run(root, &["abort"], "false");
            let stderr = one_error(&out, "abort over an edit");
            assert_eq!(out.status.code(), Some(3), "{stderr}");
            assert_eq!(read(root, "CHANGELOG.md"), fixed);
        }
    }
}

/// hostile16/08: a release stopped in a linked work tree whose directory was then deleted
/// (`rm -rf`, not `git worktree remove`): a command here that would take its fragments is
/// refused saying the directory is gone and naming `git worktree prune`, which gets out.
/// Before, the refusal said to finish the release in the deleted directory.
#[test]
fn a_release_stopped_in_a_deleted_work_tree_names_the_way_out() {
    let flag = tempfile::tempdir().unwrap();
    let step = crate::hostile::step_needing(&flag.path().join("never"), "");
    let repo = project(&step);
    let root = repo.path();
    git(root, &["switch", "-q", "-c", "side"]);
    let trees = tempfile::tempdir().unwrap();
    let wt = trees.path().join("wt");
    git(
        root,
        &["worktree", "add", "-q", wt.to_str().unwrap(), "main"],
    );
    let out = run(
        &wt,
        &["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]],
        "false",
    );
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    std::fs::remove_dir_all(&wt).unwrap();
    git(root, &["switch", "-q", "main"]);
    let build = ["build", "1.1.0rc2", "--date", "2025-03-02"];
    let out = run(root, &build, "false");
    let stderr = one_error(&out, "a deleted work tree");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("git worktree prune"), "{stderr}");
    git(root, &["worktree", "prune"]);
    ok(&run(root, &build, "false"), "build after the prune");
}

/// hostile16/09: a fix that names another PR in its prose ("… seen after #12"), next to
/// #12's own fragment: the pre-release is built (each fragment's entry is there once; the
/// other entry only mentions #12). Before, it was refused as a template listing #12 twice.
#[test]
fn a_pr_named_in_another_entrys_prose_refuses_nothing() {
    let repo = project("");
    let root = repo.path();
    util::write_file(root, "changes/13.fix.md", "Fix the crash seen after #12\n");
    util::commit_all(root, "a fix naming #12");
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]],
        "false",
    );
    ok(&out, "a pre-release with a PR named in prose");
    let published = section(root, "1.1.0rc1");
    assert!(published.contains("Fix crash on start"), "{published}");
    assert!(
        published.contains("Fix the crash seen after #12"),
        "{published}"
    );
}

/// The other side of the rule above: a template that lists an entry twice is still refused
/// before anything is written, prose mentions or not.
#[test]
fn a_template_listing_an_entry_twice_is_refused() {
    let repo = project("");
    let root = repo.path();
    let template = read(root, "changes/template.md");
    let twice = template.replacen(
        "* {{ text }} {{ values|join(',\\n  ') }}",
        "* {{ text }} {{ values|join(',\\n  ') }}\n* {{ text }} {{ values|join(',\\n  ') }}",
        1,
    );
    assert_ne!(twice, template);
    util::write_file(root, "changes/template.md", &twice);
    util::write_file(root, "changes/13.fix.md", "Fix the crash seen after #12\n");
    util::commit_all(root, "a template that lists entries twice");
    let before = util::snapshot(root);
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]],
        "false",
    );
    let stderr = one_error(&out, "a template listing entries twice");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("listed 2 times"), "{stderr}");
    assert_eq!(util::snapshot(root), before);
}

/// hostile15/06: a grouping command that commits on the base branch while the release is
/// planned: the release is refused, naming the commit, and makes no branch. Before, it
/// branched from the command's commit without a word.
#[test]
fn a_grouping_command_that_commits_refuses_the_release() {
    let repo = crate::release::project_after_rc("");
    let root = repo.path();
    let command = crate::hostile11::command_grouping(root, "Usage Reports", "Added usage reports.");
    let sneaky = format!("git commit -q --allow-empty -m sneaky >/dev/null 2>&1; {command}");
    let base = git(root, &["rev-parse", "HEAD"]);
    let args = [
        "1.1.0",
        "--yes",
        "--no-edit",
        "--strategy",
        "command",
        "--command",
        &sneaky,
        DATE[0],
        DATE[1],
    ];
    let out = run(root, &args, "false");
    let stderr = one_error(&out, "a grouping command that commits");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("HEAD moved"), "{stderr}");
    assert_ne!(
        git(root, &["rev-parse", "HEAD"]),
        base,
        "the command's commit is its own"
    );
    assert!(
        git(root, &["branch", "--list", "release/*"])
            .trim()
            .is_empty()
    );
}

/// hostile16/15: the final's review stopped (its editor failed); the user moves a fragment
/// to another type (`git mv changes/11.feature.md changes/11.fix.md`): `continue` does not
/// publish #11 under Features and delete the moved file — it stops, naming the fragment and
/// the category, nothing written; moved back, the release goes on. Before, exit 0 with #11
/// under Features and `11.fix.md` deleted.
#[test]
fn a_fragment_moved_to_another_type_during_the_review_is_not_published_elsewhere() {
    let repo = crate::release::project_after_rc("");
    let root = repo.path();
    let out = run(root, &["1.1.0", "--yes", DATE[0], DATE[1]], "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    let log = read(root, "CHANGELOG.md");
    git(root, &["mv", "changes/11.feature.md", "changes/11.fix.md"]);
    let out = run(root, &["continue"], "true");
    let stderr = one_error(&out, "a moved fragment");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("changes/11.fix.md") && stderr.contains("### Fixes"),
        "{stderr}"
    );
    assert_eq!(read(root, "CHANGELOG.md"), log, "nothing written");
    assert!(root.join("changes/11.fix.md").exists());
    git(root, &["mv", "changes/11.fix.md", "changes/11.feature.md"]);
    ok(
        &run(root, &["continue"], "true"),
        "continue once moved back",
    );
    assert!(section(root, "1.1.0").contains("#11"));
}
