//! hostile17's real-project breaks the lead fixed (stop 24): a final's dry run in CI (no
//! terminal, no editor) shows the plan and says the review could not run, instead of
//! refusing; `git release build --version X`, as towncrier's own scripts call it.

use std::process::Stdio;

use crate::release::project_after_rc;
use crate::util::{git_release, git_release_process, ok, one_error, snapshot, text};

const DATE: [&str; 2] = ["--date", "2025-03-01"];

/// `git release 1.1.0 <extra…>` with no terminal (stdin closed, `TERM=dumb`) and no editor
/// configured anywhere git looks.
fn final_without_terminal(root: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = git_release_process(root);
    cmd.args(["1.1.0", DATE[0], DATE[1]])
        .args(extra)
        .env("TERM", "dumb")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .stdin(Stdio::null());
    cmd.output().unwrap()
}

#[test]
fn a_finals_dry_run_without_a_terminal_shows_the_plan_and_says_the_review_could_not_run() {
    let repo = project_after_rc("");
    let root = repo.path();
    let before = snapshot(root);

    let out = final_without_terminal(root, &["--dry-run"]);
    ok(&out, "the dry run");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Release plan for 1.1.0"), "{stdout}");
    assert!(
        stdout.contains("Review:     the release would be refused here: no terminal"),
        "the plan says why the real run would stop: {stdout}"
    );
    assert!(stdout.contains("Dry run: nothing was changed."), "{stdout}");
    assert_eq!(snapshot(root), before, "a dry run changes nothing");

    // The same, as JSON: the reason is a field.
    let out = final_without_terminal(root, &["--dry-run", "--format", "json"]);
    ok(&out, "the JSON dry run");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        plan["review_unavailable"]
            .as_str()
            .is_some_and(|r| r.contains("no terminal")),
        "{plan}"
    );

    // The release itself is still refused there, changing nothing.
    let out = final_without_terminal(root, &["--yes"]);
    let stderr = one_error(&out, "the release without a terminal");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no terminal"), "{stderr}");
    assert_eq!(snapshot(root), before, "a refusal changes nothing");

    // With `--no-edit`, or an editor configured (a script needs no terminal), the plan has
    // no such line.
    let no_edit = final_without_terminal(root, &["--dry-run", "--no-edit"]);
    let mut configured = git_release_process(root);
    configured
        .args(["1.1.0", "--dry-run", DATE[0], DATE[1]])
        .env("TERM", "dumb")
        .env("GIT_EDITOR", "true")
        .stdin(Stdio::null());
    for out in [no_edit, configured.output().unwrap()] {
        ok(&out, "the dry run that could review");
        let stdout = text(&out.stdout);
        assert!(stdout.contains("Release plan for 1.1.0"), "{stdout}");
        assert!(!stdout.contains("Review:"), "{stdout}");
    }
}

#[test]
fn build_takes_the_version_as_towncriers_option_too() {
    let repo = project_after_rc("");
    let root = repo.path();
    let positional = git_release(root)
        .args(["build", "1.1.0", "--draft", DATE[0], DATE[1]])
        .output()
        .unwrap();
    ok(&positional, "build 1.1.0 --draft");
    // pytest's release script and attrs' and pip-tools' tox environments call towncrier so.
    let option = git_release(root)
        .args(["build", "--version", "1.1.0", "--draft", DATE[0], DATE[1]])
        .output()
        .unwrap();
    ok(&option, "build --version 1.1.0 --draft");
    assert_eq!(text(&option.stdout), text(&positional.stdout));
    assert!(text(&option.stdout).contains("1.1.0"));

    // Both at once is a usage error (exit 2), which changes nothing.
    let before = snapshot(root);
    let both = git_release(root)
        .args(["build", "1.1.0", "--version", "1.2.0", DATE[0], DATE[1]])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2), "{}", text(&both.stderr));
    assert_eq!(snapshot(root), before);
}

/// pip-tools' real template writes two categories as MyST admonitions, under no heading: a
/// pre-release writes what towncrier writes (every fragment's text is in it); a final, which
/// folds by category, still refuses to lose them.
#[test]
fn a_pre_release_writes_categories_the_template_puts_under_no_heading_as_towncrier_does() {
    let case = crate::util::fixtures().join("pip-tools-admonitions");
    let repo = crate::util::repo_from(&case.join("input"));
    let root = repo.path();
    let out = crate::util::run(
        root,
        &["7.8.0rc1", "--yes", "--no-edit", "--date", "2026-12-01"],
        "true",
    );
    ok(&out, "7.8.0rc1");
    let expected = std::fs::read_to_string(case.join("expected-CHANGELOG.md")).unwrap();
    assert_eq!(
        crate::release::read(root, "CHANGELOG.md"),
        expected,
        "the section towncrier 26.9.0 wrote"
    );
    let left = crate::util::git(root, &["ls-files", "changelog.d"]);
    assert_eq!(left.trim(), "changelog.d/.towncrier_template.md.jinja");

    // A fragment the template leaves out entirely is still refused, changing nothing.
    let repo = crate::util::repo_from(&case.join("input"));
    let root = repo.path();
    let template = root.join("changelog.d/.towncrier_template.md.jinja");
    let text = std::fs::read_to_string(&template).unwrap();
    let dropped = text.replacen(
        "  {{ text }}",
        "  {{ '' if category == 'afterword' else text }}",
        1,
    );
    assert_ne!(
        dropped, text,
        "the template prints each fragment's text as `{{{{ text }}}}`"
    );
    std::fs::write(&template, dropped).unwrap();
    crate::util::commit_all(root, "a template that drops the afterword");
    let before = snapshot(root);
    let out = crate::util::run(
        root,
        &["7.8.0rc1", "--yes", "--no-edit", "--date", "2026-12-01"],
        "true",
    );
    let stderr = one_error(&out, "a template that loses an entry");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("2513.afterword.md"), "{stderr}");
    assert_eq!(snapshot(root), before);
}

/// The step that fails the first time, as a project's docs build would: it writes
/// `docs/_built.txt` only when `$BUILD_OK` is set.
const DOCS_STEP: &str = "\n[[step]]\nname = \"docs build\"\n\
    run = 'test -n \"$BUILD_OK\" && mkdir -p docs/built && echo built > docs/built/index.txt'\n";

/// A pre-release whose docs step failed, then that step done by hand as the stop says, then
/// `continue --skip`: the step's output is in the release commit, staged or not, as when the
/// step itself succeeds on `continue` — never "left out" or refused as not the release's.
#[test]
fn a_step_done_by_hand_then_continue_skip_puts_its_output_in_the_release_commit() {
    let committed = |root: &std::path::Path| {
        crate::util::git(root, &["show", "--name-only", "--format=%s", "HEAD"])
    };
    let mut trees = Vec::new();
    for how in ["by the step", "by hand, unstaged", "by hand, staged"] {
        let repo = crate::release::project(DOCS_STEP);
        let root = repo.path();
        let out = crate::util::run(
            root,
            &["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]],
            "true",
        );
        assert_eq!(out.status.code(), Some(4), "{how}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("continue --skip"), "{stderr}");
        let out = if how == "by the step" {
            git_release(root)
                .args(["continue"])
                .env("BUILD_OK", "1")
                .output()
                .unwrap()
        } else {
            // What the stop message says to run.
            let by_hand = std::process::Command::new("sh")
                .args([
                    "-c",
                    "mkdir -p docs/built && echo built > docs/built/index.txt",
                ])
                .current_dir(root)
                .status()
                .unwrap();
            assert!(by_hand.success());
            if how.ends_with(", staged") {
                crate::util::git(root, &["add", "docs/built/index.txt"]);
            }
            git_release(root)
                .args(["continue", "--skip"])
                .output()
                .unwrap()
        };
        ok(&out, how);
        let stderr = text(&out.stderr);
        assert!(
            !stderr.contains("left out of the release commit"),
            "{how}: {stderr}"
        );
        let files = committed(root);
        assert!(files.starts_with("release: 1.1.0rc1"), "{how}: {files}");
        assert!(files.contains("docs/built/index.txt"), "{how}: {files}");
        let status = crate::util::git(root, &["status", "--porcelain"]);
        assert_eq!(status, "", "{how}: nothing is left behind");
        trees.push(crate::util::git(root, &["rev-parse", "HEAD^{tree}"]));
    }
    assert!(
        trees.windows(2).all(|w| w[0] == w[1]),
        "the three roads give the same release commit: {trees:?}"
    );
}

/// `consolidate --dry-run` prints the very section `consolidate` then writes, in the layout
/// the project's template renders (attrs: a blank line after each category heading).
#[test]
fn consolidate_dry_run_prints_the_section_as_it_is_written() {
    let dir = crate::util::fixtures().join("hostile27/attrs-patch-final");
    let repo = crate::util::repo_from(&dir.join("input"));
    let root = repo.path();
    let date = ["--date", "2025-12-06"];
    let dry = crate::util::run(
        root,
        &["consolidate", "26.1.1", "--dry-run", date[0], date[1]],
        "true",
    );
    ok(&dry, "consolidate --dry-run");
    let printed = text(&dry.stdout);
    let out = crate::util::run(
        root,
        &["consolidate", "26.1.1", "--no-edit", date[0], date[1]],
        "true",
    );
    ok(&out, "consolidate --no-edit");
    let written = crate::release::read(root, "CHANGELOG.md");
    let section = printed.trim_end();
    assert!(
        section.contains("### Changes\n\n- "),
        "the template's layout: {printed}"
    );
    assert!(
        written.contains(section),
        "printed:\n{printed}\nwritten:\n{written}"
    );
}

/// A project with no version file (its version from tags): a final whose pre-release is
/// tagged but has no section to fold is refused saying where the version came from — not
/// "the version file says", which names a file the project does not have.
#[test]
fn a_missing_rc_section_names_where_the_version_came_from() {
    let repo = crate::util::repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n",
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n\
             ### Features\n\n- First. (#1)\n",
        ),
        ("changes/2.feature.md", "Add x.\n"),
    ]);
    let root = repo.path();
    crate::util::git(root, &["tag", "v1.1.0rc1"]);
    let before = snapshot(root);
    let out = crate::util::run(root, &["1.1.0", "--dry-run", "--no-edit"], "true");
    let stderr = one_error(&out, "the final without its rc section");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("the changelog and the tags (no version file) say 1.1.0rc1"),
        "{stderr}"
    );
    assert!(!stderr.contains("the version file says"), "{stderr}");
    assert_eq!(snapshot(root), before);
}

/// A fragment whose entry an earlier release already published is left out of a
/// pre-release as stale: said in the plan and again in the summary at the end (text and
/// JSON), where a `--yes` run in CI shows it (hostile17's observation).
#[test]
fn the_summary_says_which_stale_entries_were_left_out() {
    for json in [false, true] {
        let repo = crate::release::project("");
        let root = repo.path();
        // #1 "First release" is in 1.0.0 already.
        crate::util::write_file(root, "changes/1.feature.md", "First release\n");
        crate::util::commit_all(root, "a fragment of a released PR");
        let mut args = vec!["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]];
        if json {
            args.extend(["--format", "json"]);
        }
        let out = crate::util::run(root, &args, "true");
        ok(&out, "1.1.0rc1");
        let stdout = text(&out.stdout);
        if json {
            let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            let stale = summary["stale"].as_str().unwrap_or_default();
            assert!(stale.contains("#1") && stale.contains("1.0.0"), "{summary}");
        } else {
            let line = stdout
                .lines()
                .find(|l| l.trim_start().starts_with("Stale:"));
            let line = line.unwrap_or_else(|| panic!("no Stale: line in {stdout}"));
            assert!(line.contains("#1") && line.contains("1.0.0"), "{line}");
        }
        assert!(
            !crate::release::read(root, "CHANGELOG.md")
                .contains("## 1.1.0rc1 (2025-03-01)\n\n### Features\n* First release")
        );
    }
}
