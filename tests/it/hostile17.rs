//! Hostile round 14's leftovers in the changelog step and its checks (01 B, 02, 11) and
//! hostile13/09: a fragment the user took in hand while the release was stopped (renamed to
//! another category, removed, moved and back) is never put back or overwritten by the step,
//! which builds from what is there; the refusals' advice, followed word for word, ends the
//! release; under `--keep-rc` the final carries rc words corrected while its review was
//! open; every changelog format the build writes is counted before the release commit.
//! (Repro scripts: /work/hostile14/{01,02,11}-*.sh, /work/hostile13/09-*.sh.)

use std::path::Path;

use crate::release::{project, read};
use crate::stopped_sections::{fragments, let_it_pass};
use crate::util::{self, git, ok, one_error, run};

/// A step that fails until `ok` exists: the release stops after its changelog step.
const FLAKY_STEP: &str = "\n[[step]]\nname = \"check\"\nrun = \"test -f ok || exit 1\"\n";
/// A WebUI step that fails until `ok` exists: the release stops before its changelog step.
const WEBUI_STEP: &str =
    "\n[[step]]\nname = \"webui\"\nwhen = \"webui\"\nrun = \"test -f ok || exit 1\"\n";
const DATE: [&str; 2] = ["--date", "2025-03-01"];
const PULL: &str = "https://example.com/demo/pull";

/// The entry lines of the changelog's `version` section that name PR `pr`, by category.
fn listed(root: &Path, version: &str, pr: u32) -> Vec<String> {
    let link = format!("[#{pr}]({PULL}/{pr})");
    let mut category = String::new();
    let mut inside = false;
    let mut found = Vec::new();
    for line in read(root, "CHANGELOG.md").lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            inside = heading.starts_with(&format!("{version} "));
        } else if let Some(name) = line.strip_prefix("### ") {
            category = name.trim().to_string();
        } else if inside && line.trim_start().starts_with(['*', '-']) && line.contains(&link) {
            found.push(category.clone());
        }
    }
    found
}

/// The `git checkout …` commands a refusal advises, in the order it names them.
fn advised_checkouts(stderr: &str) -> Vec<String> {
    stderr
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.starts_with("git checkout "))
        .map(String::from)
        .collect()
}

/// Run `command` (a `git …` line of a refusal's advice) word for word.
fn follow(root: &Path, command: &str) {
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    git(root, &words);
}

/// `continue`, and while it stops, the `git checkout` its refusal advises then `continue`
/// again — at most `tries` times: following the advice word for word ends the release (its
/// output returned), never a loop.
fn continue_following_advice(root: &Path, tries: usize) -> std::process::Output {
    for _ in 0..tries {
        let out = run(root, &["continue", "--yes"], "false");
        if out.status.success() {
            return out;
        }
        let stderr = one_error(&out, "continue");
        let advice = advised_checkouts(&stderr);
        assert!(!advice.is_empty(), "a refusal with no way on:\n{stderr}");
        for command in advice {
            follow(root, &command);
        }
    }
    panic!("following the advice word for word did not end the release");
}

/// hostile14/01 B and the class around it: stopped after its changelog step, the user
/// undoes the step's work and then takes the fragments in hand — recategorises one (`git
/// mv 12.fix.md 12.feature.md`), two at once, moves one and back, or undoes only part of
/// the work before renaming. `continue` builds the section from what is there: each PR
/// listed once, under the category the user gave it, no fragment put back over the user's
/// rename. (On main the step put `12.fix.md` back beside the user's `12.feature.md`, and the
/// refusal's advice then published #12 under Fixes with the user's file gone.)
#[test]
fn fragments_taken_in_hand_while_stopped_are_built_from_as_they_are() {
    // (what is undone, the renames, where #10 and #12 end up)
    type Case = (
        &'static [&'static str],
        &'static [(&'static str, &'static str)],
    );
    let cases: [(Case, &str, &str); 4] = [
        (
            (
                &["CHANGELOG.md", "changes/"],
                &[("12.fix.md", "12.feature.md")],
            ),
            "Features",
            "Features",
        ),
        (
            (
                &["CHANGELOG.md", "changes/"],
                &[
                    ("12.fix.md", "12.feature.md"),
                    ("10.feature.md", "10.fix.md"),
                ],
            ),
            "Fixes",
            "Features",
        ),
        (
            (
                &["CHANGELOG.md", "changes/"],
                &[
                    ("12.fix.md", "12.feature.md"),
                    ("12.feature.md", "12.fix.md"),
                ],
            ),
            "Features",
            "Fixes",
        ),
        (
            (
                &["CHANGELOG.md", "changes/12.fix.md"],
                &[("12.fix.md", "12.feature.md")],
            ),
            "Features",
            "Features",
        ),
    ];
    for ((undone, renames), ten, twelve) in cases {
        let what = format!("{undone:?} {renames:?}");
        let repo = project(FLAKY_STEP);
        let root = repo.path();
        let args = ["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]];
        let stderr = one_error(&run(root, &args, "false"), &what);
        assert!(stderr.contains("test -f ok || exit 1"), "{what}: {stderr}");
        let base = crate::release::head(root);
        let mut checkout = vec!["checkout", "HEAD", "--"];
        checkout.extend_from_slice(undone);
        git(root, &checkout);
        for (from, to) in renames {
            git(
                root,
                &["mv", &format!("changes/{from}"), &format!("changes/{to}")],
            );
        }
        let_it_pass(root);
        let out = continue_following_advice(root, 3);
        ok(&out, &what);
        let stderr = util::text(&out.stderr);
        assert!(!stderr.contains("put back 3"), "{what}: {stderr}");
        assert_eq!(listed(root, "1.1.0rc1", 10), [ten], "{what}: #10");
        assert_eq!(listed(root, "1.1.0rc1", 11), ["Features"], "{what}: #11");
        assert_eq!(listed(root, "1.1.0rc1", 12), [twelve], "{what}: #12");
        assert!(fragments(root).is_empty(), "{what}: {:?}", fragments(root));
        assert_eq!(git(root, &["status", "--porcelain"]), "", "{what}");
        // The release commit holds the fragments' removal as the base had them.
        let removed = git(
            root,
            &[
                "diff",
                "--name-status",
                "--no-renames",
                &base,
                "HEAD",
                "--",
                "changes",
            ],
        );
        assert_eq!(removed.lines().count(), 3, "{what}: {removed}");
        assert!(
            removed.lines().all(|l| l.starts_with('D')),
            "{what}: {removed}"
        );
    }
}

/// hostile14/02: stopped before its changelog step, the user runs the step as the stop
/// offers (`git release build …`), then undoes its section (`git checkout HEAD --
/// CHANGELOG.md`) — and, in the second case, mends the section by dropping an entry instead.
/// `continue` stops, and its advice, followed word for word, ends the release with each
/// entry listed once. (On main the changelog step built from the fragments `build` had
/// removed, wrote nothing, and the commit's refusal advised an undo that refused again,
/// forever.)
#[test]
fn a_by_hand_build_undone_is_written_again_by_following_the_advice() {
    for mode in ["undone", "entry dropped"] {
        let repo = project(WEBUI_STEP);
        let root = repo.path();
        let args = ["1.1.0rc1", "2.0.0", "--yes", "--no-edit", DATE[0], DATE[1]];
        let stderr = one_error(&run(root, &args, "false"), mode);
        let build = stderr
            .lines()
            .find_map(|l| l.split("run the step yourself:").nth(1))
            .map(str::trim);
        // The webui step's own command is offered first; the changelog's is known.
        assert!(build.is_some(), "{mode}: {stderr}");
        let out = run(root, &["build", "1.1.0rc1", DATE[0], DATE[1]], "false");
        ok(&out, "build by hand");
        assert!(fragments(root).is_empty(), "{mode}: build consumed them");
        match mode {
            "undone" => {
                git(root, &["checkout", "HEAD", "--", "CHANGELOG.md"]);
            }
            _ => {
                let log = read(root, "CHANGELOG.md");
                let kept: Vec<&str> = log.lines().filter(|l| !l.contains("[#11]")).collect();
                util::write_file(root, "CHANGELOG.md", &(kept.join("\n") + "\n"));
            }
        }
        let_it_pass(root);
        let out = continue_following_advice(root, 3);
        ok(&out, mode);
        for pr in [10, 11, 12] {
            assert_eq!(listed(root, "1.1.0rc1", pr).len(), 1, "{mode}: #{pr}");
        }
        assert!(fragments(root).is_empty(), "{mode}");
        assert_eq!(git(root, &["status", "--porcelain"]), "", "{mode}");
    }
}

/// The final 1.1.0 with `--keep-rc`, stopped in its review (the editor failed, the draft
/// kept).
fn keep_rc_final_stopped_in_review() -> tempfile::TempDir {
    let repo = crate::release::project_after_rc("");
    let root = repo.path();
    let args = ["1.1.0", "--yes", "--keep-rc", DATE[0], DATE[1]];
    let out = run(root, &args, "false");
    let stderr = one_error(&out, "the review");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    repo
}

/// The text of the changelog's `version` section.
pub(crate) fn section(root: &Path, version: &str) -> String {
    let log = read(root, "CHANGELOG.md");
    let start = log.find(&format!("## {version} (")).expect("the section");
    let rest = &log[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |e| e + 1);
    rest[..end].to_string()
}

/// hostile14/11: under `--keep-rc`, the user corrects rc1's entry in the changelog while
/// the final's review is stopped ("Fix crash on start" → "Fix the crash on start-up");
/// `continue` reopens the kept draft, folded from the old words. The final's section
/// carries the corrected words (said in a note), the rc1 section kept below keeps them too.
/// (On main the 1.1.0 section published the old words, without a word.) When the review
/// reworded that entry itself, the release stops and says so, the edit kept, nothing
/// written; a correction of another rc entry than the one reworded is carried.
#[test]
fn keep_rc_final_carries_rc_words_corrected_while_its_review_was_open() {
    // The correction alone.
    let repo = keep_rc_final_stopped_in_review();
    let root = repo.path();
    let log = read(root, "CHANGELOG.md");
    let fixed = log.replacen("* Fix crash on start (", "* Fix the crash on start-up (", 1);
    assert_ne!(fixed, log);
    util::write_file(root, "CHANGELOG.md", &fixed);
    let out = run(root, &["continue", "--yes"], "true");
    ok(&out, "continue");
    let stderr = util::text(&out.stderr);
    assert!(stderr.contains("carries its new words"), "{stderr}");
    let final_section = section(root, "1.1.0");
    assert!(
        final_section.contains("Fix the crash on start-up ([#12]"),
        "{final_section}"
    );
    assert!(
        !final_section.contains("Fix crash on start"),
        "{final_section}"
    );
    assert!(section(root, "1.1.0rc1").contains("Fix the crash on start-up"));
    assert_eq!(listed(root, "1.1.0", 12), ["Fixes"]);
    assert_eq!(git(root, &["status", "--porcelain"]), "");

    // The review rewords #12 itself while the user corrects it in rc1, and #10 too: the
    // release stops naming #12, the edit kept and nothing written.
    let repo = keep_rc_final_stopped_in_review();
    let root = repo.path();
    let log = read(root, "CHANGELOG.md");
    let fixed = log
        .replacen("* Fix crash on start (", "* Fix the crash on start-up (", 1)
        .replacen(
            "* Add fair share scheduler (",
            "* Add the fair-share scheduler (",
            1,
        );
    util::write_file(root, "CHANGELOG.md", &fixed);
    let editor = root.join(".git/reword.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/^\\* Fix crash on start (/* Fixed a crash at start (/' \"$1\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(root, &["continue", "--yes"], editor.to_str().unwrap());
    let stderr = one_error(&out, "a review rewording");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    let refusal = stderr
        .lines()
        .find(|l| l.contains("changed in the changelog"))
        .unwrap_or_default();
    assert!(
        refusal.contains("#12 (1.1.0rc1)") && !refusal.contains("#10"),
        "{stderr}"
    );
    assert!(stderr.contains("#10 (1.1.0rc1) was reworded"), "{stderr}");
    assert!(
        stderr.contains("the pre-release section keeps it"),
        "{stderr}"
    );
    assert_eq!(
        read(root, "CHANGELOG.md"),
        fixed,
        "the edit is kept, nothing written"
    );
    std::fs::remove_file(&editor).unwrap();
}

/// A project whose changelog git-release does not read back: `NEWS.rst` with towncrier's
/// own template, or Markdown with `title_format = false`; `fragments` under `changes/` and
/// `step` (a `[[step]]` table) in `.git-release.toml`.
pub(crate) fn untitled_project_with(
    rst: bool,
    fragments: &[(String, String)],
    step: &str,
) -> tempfile::TempDir {
    let (file, log, format, template) = match rst {
        true => (
            "NEWS.rst",
            format!(
                "Changes\n=======\n\n.. towncrier release notes start\n\n1.0.0 (2025-01-01)\n\
                 ==================\n\nFeatures\n--------\n\n- First release \
                 `#5 <{PULL}/5>`_\n"
            ),
            format!("`#{{issue}} <{PULL}/{{issue}}>`_"),
            "",
        ),
        false => (
            "CHANGELOG.md",
            format!(
                "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n\
                 ### Features\n\n* First release ([#5]({PULL}/5))\n"
            ),
            format!("([#{{issue}}]({PULL}/{{issue}}))"),
            "template = \"changes/template.md\"\ntitle_format = false\n\
             start_string = \"<!-- towncrier release notes start -->\\n\"\n",
        ),
    };
    let pyproject = format!(
        "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
         filename = \"{file}\"\nissue_format = \"{}\"\n{template}\n\
         [[tool.towncrier.type]]\ndirectory = \"feature\"\nname = \"Features\"\nshowcontent = true\n\n\
         [[tool.towncrier.type]]\ndirectory = \"fix\"\nname = \"Fixes\"\nshowcontent = true\n",
        format.replace('"', "\\\"")
    );
    let md_template = "{% for section, _ in sections.items() %}\
{% for category, val in definitions.items() if category in sections[section] %}\n\
### {{ definitions[category]['name'] }}\n\n\
{% for text, values in sections[section][category].items() %}\
* {{ text }} {{ values|join(', ') }}\n\
{% endfor %}{% endfor %}{% endfor %}\n";
    let mut files: Vec<(String, String)> = vec![
        ("pyproject.toml".into(), pyproject),
        (".git-release.toml".into(), step.to_string()),
        (file.into(), log),
        ("VERSION".into(), "1.0.0\n".into()),
    ];
    if !rst {
        files.push(("changes/template.md".into(), md_template.into()));
    }
    for (name, text) in fragments {
        files.push((format!("changes/{name}"), text.clone()));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    util::repo_with(&files)
}

/// A project whose changelog towncrier writes without a title git-release reads (see
/// [`untitled_project_with`]), with fragments #10, #11 (features) and #12 (a fix).
fn untitled_project(rst: bool, step: &str) -> tempfile::TempDir {
    let fragments = [
        ("10.feature.md", "Add fair share scheduler\n"),
        ("11.feature.md", "Add fair share weights\n"),
        ("12.fix.md", "Fix crash on start\n"),
    ]
    .map(|(n, t)| (n.to_string(), t.to_string()));
    untitled_project_with(rst, &fragments, step)
}

/// A project step that edits the changelog with `sed` (`script`).
fn sed_step(file: &str, script: &str) -> String {
    format!("[[step]]\nname = \"tidy\"\nrun = '''sed -i '{script}' {file}'''\n")
}

/// hostile13/09: a section git-release does not read back as a release — reStructuredText,
/// or Markdown without a title (`title_format = false`) — is counted too, by the references
/// to each PR the changelog gained: a project step that drops #12's entry, or repeats it,
/// stops the release before its commit (which would remove `12.fix.md` with #12 in no
/// section, exit 0, on main); an ordinary release, and a step that edits an older section,
/// go through.
#[test]
fn untitled_and_rst_sections_are_counted_before_the_release_commit() {
    for rst in [true, false] {
        let file = if rst { "NEWS.rst" } else { "CHANGELOG.md" };
        let args = ["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]];
        for (script, wrong) in [
            ("/Fix crash on start/d", "#12 is missing"),
            ("/Fix crash on start/p", "#12 is listed 2 times"),
        ] {
            let what = format!("{file}: {script}");
            let repo = untitled_project(rst, &sed_step(file, script));
            let root = repo.path();
            let base = crate::release::head(root);
            let out = run(root, &args, "false");
            let stderr = one_error(&out, &what);
            assert_eq!(out.status.code(), Some(4), "{what}: {stderr}");
            assert!(stderr.contains(wrong), "{what}: {stderr}");
            assert_eq!(
                crate::release::subjects_since(root, &base),
                Vec::<String>::new(),
                "{what}: nothing committed"
            );
        }
        // Ordinary: no step, or a step that rewords the 1.0.0 entry (its PR not the
        // release's).
        for step in [String::new(), sed_step(file, "s/First release/First/")] {
            let repo = untitled_project(rst, &step);
            let root = repo.path();
            let out = run(root, &args, "false");
            ok(&out, &format!("{file}: {step}"));
            let log = read(root, file);
            for pr in [10, 11, 12] {
                let link = format!("/pull/{pr}");
                assert_eq!(log.matches(&link).count(), 1, "{file} #{pr}:\n{log}");
            }
            assert_eq!(git(root, &["status", "--porcelain"]), "");
        }
    }
}

/// A PR in two categories (`12.fix.md` and `12.feature.md`), the fragments taken back after
/// the stop: one recategorised beside the other (`12.feature.1.md`) is built from as it is,
/// #12 listed twice under Features; one of the two removed stops the release ("#12 is
/// listed 1 of 2 times") with advice that, followed word for word, ends the release with
/// both entries.
#[test]
fn a_pr_in_two_categories_taken_in_hand_is_listed_as_often_as_planned() {
    for (mode, expected) in [
        ("renamed", ["Features", "Features"]),
        ("removed", ["Features", "Fixes"]),
    ] {
        let repo = project(FLAKY_STEP);
        let root = repo.path();
        util::write_file(root, "changes/12.feature.md", "Report crashes on start\n");
        util::commit_all(root, "a PR in two categories");
        let args = ["1.1.0rc1", "--yes", "--no-edit", DATE[0], DATE[1]];
        one_error(&run(root, &args, "false"), mode);
        git(
            root,
            &["checkout", "HEAD", "--", "CHANGELOG.md", "changes/"],
        );
        match mode {
            "renamed" => git(
                root,
                &["mv", "changes/12.fix.md", "changes/12.feature.1.md"],
            ),
            _ => git(root, &["rm", "-q", "changes/12.feature.md"]),
        };
        let_it_pass(root);
        if mode == "removed" {
            let out = run(root, &["continue", "--yes"], "false");
            let stderr = one_error(&out, mode);
            assert!(stderr.contains("#12 is listed 1 of 2 times"), "{stderr}");
        }
        let out = continue_following_advice(root, 3);
        ok(&out, mode);
        assert_eq!(listed(root, "1.1.0rc1", 12), expected, "{mode}");
        assert!(fragments(root).is_empty(), "{mode}: {:?}", fragments(root));
        assert_eq!(git(root, &["status", "--porcelain"]), "", "{mode}");
    }
}
