//! hostile18/06: a release with no news fragment at all (a rebuild, a packaging-only patch)
//! writes the section towncrier's `build` writes for none — `No significant changes.` in its
//! templates —, byte for byte, for a pre-release and for a final with no pre-release section
//! of its version to fold (written as towncrier builds it). Before, the pre-release wrote no
//! section and the final was refused ("nothing to consolidate"). Every fragment stale keeps
//! its behaviour (no section, the fragments removed, said as `Stale:`); a template that
//! renders nothing for none writes nothing. (Repro script: /work/hostile18/06-*.sh.)

use crate::release::read;
use crate::util::{self, git, ok, one_error, repo_with, run, text};

pub(crate) const DATE: &str = "2025-02-01";

pub(crate) const MD_CHANGELOG: &str = "# Changelog\n\n<!-- towncrier release notes start -->\n\n\
## 1.0.0 (2025-01-01)\n\n### Features\n\n- First. ([#1](https://example.com/demo/pull/1))\n";

const RST_NEWS: &str = "Changes\n=======\n\n.. towncrier release notes start\n\n\
demo 1.0.0 (2025-01-01)\n=======================\n\nFeatures\n--------\n\n- First release.\n";

#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Markdown,
    Rst,
}

impl Kind {
    pub(crate) fn changelog(self) -> &'static str {
        match self {
            Kind::Markdown => "CHANGELOG.md",
            Kind::Rst => "NEWS.rst",
        }
    }
}

/// A project at 1.0.0 (`VERSION`) without a fragment, whose sprint finals advance
/// `version.py`'s next version; `extra` files added.
pub(crate) fn project(kind: Kind, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let pyproject = match kind {
        Kind::Markdown => {
            "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
             filename = \"CHANGELOG.md\"\ntitle_format = \"## {version} ({project_date})\"\n\
             issue_format = \"[#{issue}](https://example.com/demo/pull/{issue})\"\n"
        }
        Kind::Rst => {
            "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
             filename = \"NEWS.rst\"\nissue_format = \"`#{issue} <https://example.com/demo/pull/{issue}>`_\"\n"
        }
    };
    let mut files = vec![
        ("pyproject.toml", pyproject),
        ("VERSION", "1.0.0\n"),
        (
            kind.changelog(),
            if matches!(kind, Kind::Markdown) {
                MD_CHANGELOG
            } else {
                RST_NEWS
            },
        ),
        ("changes/.gitkeep", ""),
        ("version.py", "NEXT = \"1.1.0\"\n"),
        (
            ".git-release.toml",
            "[next-version]\nfile = \"version.py\"\npattern = 'NEXT = \"(?P<version>[^\"]+)\"'\n",
        ),
    ];
    files.extend_from_slice(extra);
    repo_with(&files)
}

/// The changelog `git release build <version>` writes in a twin of `kind`'s project (build
/// is towncrier's, byte for byte: `towncrier_cases`).
pub(crate) fn built(kind: Kind, version: &str, extra: &[(&str, &str)]) -> String {
    let twin = project(kind, extra);
    ok(
        &run(twin.path(), &["build", version, "--date", DATE], "false"),
        &format!("build {version}"),
    );
    read(twin.path(), kind.changelog())
}

/// A pre-release, a patch final and a sprint final (with its next-version commit), of a
/// Markdown and a reStructuredText changelog: the plan says towncrier's section for no
/// fragments, and the release commit holds exactly the changelog `build` writes.
#[test]
fn a_release_without_fragments_writes_towncriers_empty_section() {
    for kind in [Kind::Markdown, Kind::Rst] {
        for version in ["1.0.1rc1", "1.0.1", "1.1.0"] {
            let what = format!("{kind:?} {version}");
            let expected = built(kind, version, &[]);
            assert!(
                expected.contains("No significant changes."),
                "{what}: {expected}"
            );
            let repo = project(kind, &[]);
            let root = repo.path();
            let before = util::snapshot(root);
            let args = [version, "--date", DATE, "--yes", "--no-edit"];
            let dry = run(root, &[&args[..], &["--dry-run"]].concat(), "false");
            ok(&dry, &format!("{what}: dry run"));
            let plan = text(&dry.stdout);
            for said in [
                "Fragments:  none: the changelog gets towncrier's section for no fragments",
                &format!(
                    "Build {}: no fragments (towncrier's empty section)",
                    kind.changelog()
                ),
            ] {
                assert!(plan.contains(said), "{what}: {plan}");
            }
            assert!(!plan.contains("no section"), "{what}: {plan}");
            assert_eq!(
                util::snapshot(root),
                before,
                "{what}: the dry run changed nothing"
            );
            // The editor is never needed: the section is not reviewed.
            let out = run(root, &args, "false");
            ok(&out, &what);
            // The summary does not say "no new section" of the section it wrote.
            let summary = text(&out.stdout);
            assert!(
                summary.contains("Changelog:  no entries"),
                "{what}: {summary}"
            );
            let branch = format!("release/{version}");
            let committed = git(root, &["show", &format!("{branch}:{}", kind.changelog())]);
            assert_eq!(
                committed, expected,
                "{what}: the committed changelog is build's"
            );
            assert_eq!(read(root, kind.changelog()), expected, "{what}");
            assert_eq!(read(root, "VERSION"), format!("{version}\n"), "{what}");
            let subjects = git(root, &["log", "--format=%s", &format!("main..{branch}")]);
            let subjects: Vec<&str> = subjects.lines().collect();
            assert_eq!(
                subjects.last(),
                Some(&&*format!("release: {version}")),
                "{what}"
            );
            // A sprint final advances the next version in a commit of its own.
            let commits = if version == "1.1.0" { 2 } else { 1 };
            assert_eq!(subjects.len(), commits, "{what}: {subjects:?}");
            if version == "1.1.0" {
                assert_eq!(read(root, "version.py"), "NEXT = \"1.2.0\"\n", "{what}");
                // The next version is committed apart: the release commit holds the section.
                let release_commit =
                    git(root, &["show", &format!("{branch}~1:{}", kind.changelog())]);
                assert_eq!(release_commit, expected, "{what}");
            }
            assert_eq!(git(root, &["status", "--porcelain"]), "", "{what}");
        }
    }
}

/// Only stale fragments (the entry 1.0.0 lists): no section, as before — the fragment
/// removed, the plan's `Stale:` line naming it. A template that renders nothing for no
/// fragment (`title_format = false`, an empty template): the changelog is left as it is,
/// only the version is released.
#[test]
fn stale_fragments_and_a_silent_template_write_no_section() {
    let repo = project(Kind::Markdown, &[("changes/1.feature.md", "First.\n")]);
    let root = repo.path();
    let out = run(
        root,
        &["1.0.1rc1", "--date", DATE, "--yes", "--no-edit"],
        "false",
    );
    ok(&out, "stale only");
    let plan = text(&out.stderr) + &text(&out.stdout);
    assert!(plan.contains("Stale:"), "{plan}");
    assert!(plan.contains("Remove 1 stale fragment(s)"), "{plan}");
    assert!(!plan.contains("No significant"), "{plan}");
    assert_eq!(read(root, "CHANGELOG.md"), MD_CHANGELOG);
    assert!(!root.join("changes/1.feature.md").exists());

    let silent = "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
                  filename = \"CHANGELOG.md\"\ntitle_format = false\ntemplate = \"empty.jinja\"\n";
    for version in ["1.0.1rc1", "1.0.1"] {
        let repo = project(
            Kind::Markdown,
            &[("pyproject.toml", silent), ("empty.jinja", "")],
        );
        let root = repo.path();
        let out = run(
            root,
            &[version, "--date", DATE, "--yes", "--no-edit"],
            "false",
        );
        ok(&out, &format!("silent template {version}"));
        let plan = text(&out.stderr) + &text(&out.stdout);
        assert!(
            plan.contains("none: the template renders nothing for no fragments"),
            "{version}: {plan}"
        );
        assert!(!plan.contains("Build CHANGELOG.md"), "{version}: {plan}");
        assert_eq!(read(root, "CHANGELOG.md"), MD_CHANGELOG, "{version}");
        assert_eq!(read(root, "VERSION"), format!("{version}\n"));
        let changed = git(
            root,
            &[
                "show",
                "--name-only",
                "--format=",
                &format!("release/{version}~0"),
            ],
        );
        assert!(!changed.contains("CHANGELOG.md"), "{version}: {changed}");
    }
}

/// A final that might have something to fold stays consolidated, and refused as before
/// when the fold cannot release it: its pre-release heading above the start string (where
/// releases are not read), a pre-release section it lists nothing in.
#[test]
fn a_final_with_a_pre_release_heading_is_still_the_folds() {
    let above = "# Changelog\n\n## 1.0.1rc1 (2025-01-20)\n\n### Features\n\n\
                 - Second. ([#2](https://example.com/demo/pull/2))\n\n\
                 <!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n\
                 ### Features\n\n- First. ([#1](https://example.com/demo/pull/1))\n";
    let repo = project(Kind::Markdown, &[("CHANGELOG.md", above)]);
    let root = repo.path();
    let before = util::snapshot(root);
    let out = run(
        root,
        &["1.0.1", "--date", DATE, "--yes", "--no-edit"],
        "false",
    );
    let stderr = one_error(&out, "rc above the start string");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("above the start string"), "{stderr}");
    assert_eq!(util::snapshot(root), before);
    assert_eq!(git(root, &["branch", "--list", "release/*"]), "");

    // The pre-release of a release with no fragment wrote towncrier's empty section; the
    // final folds it (hostile36: towncrier's empty section in its place). Only a stale
    // fragment besides: refused, naming the PR it lists (not an empty list), nothing changed.
    let repo = project(Kind::Markdown, &[]);
    let root = repo.path();
    ok(
        &run(
            root,
            &["1.0.1rc1", "--date", DATE, "--yes", "--no-edit"],
            "false",
        ),
        "rc1",
    );
    git(root, &["checkout", "-q", "main"]);
    git(root, &["merge", "-q", "--ff-only", "release/1.0.1rc1"]);
    util::write_files(root, &[("changes/1.feature.md", "First.\n")]);
    util::commit_all(root, "a stale fragment");
    let before = util::snapshot(root);
    let out = run(
        root,
        &["1.0.1", "--date", DATE, "--yes", "--no-edit"],
        "false",
    );
    let stderr = one_error(&out, "final of an empty rc and a stale fragment");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("nothing to consolidate for 1.0.1")
            && stderr.contains("already released (#1)"),
        "{stderr}"
    );
    assert_eq!(util::snapshot(root), before);
}

/// The section for no fragments through a stop: a step failing after the changelog step,
/// and a `pre-commit` hook rejecting the release commit. `abort` gives back exactly what
/// the release found; `continue` once the cause is gone commits build's changelog.
#[test]
fn a_stopped_release_without_fragments_continues_and_aborts_exactly() {
    let step = (
        ".git-release.toml",
        "[next-version]\nfile = \"version.py\"\npattern = 'NEXT = \"(?P<version>[^\"]+)\"'\n\n\
         [[step]]\nname = \"check\"\nrun = \"test -f .git/ok\"\n",
    );
    for kind in [Kind::Markdown, Kind::Rst] {
        for version in ["1.0.1rc1", "1.0.1"] {
            for cause in ["step", "hook"] {
                let what = format!("{kind:?} {version} {cause}");
                let extra: &[(&str, &str)] = if cause == "step" { &[step] } else { &[] };
                let expected = built(kind, version, extra);
                for end in ["abort", "continue"] {
                    let repo = project(kind, extra);
                    let root = repo.path();
                    let hook = root.join(".git/hooks/pre-commit");
                    if cause == "hook" {
                        use std::os::unix::fs::PermissionsExt;
                        std::fs::write(&hook, "#!/bin/sh\nexit 1\n").unwrap();
                        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
                            .unwrap();
                    }
                    let before = util::snapshot(root);
                    let head = git(root, &["rev-parse", "HEAD"]);
                    let out = run(
                        root,
                        &[version, "--date", DATE, "--yes", "--no-edit"],
                        "false",
                    );
                    let stderr = one_error(&out, &what);
                    assert_eq!(out.status.code(), Some(4), "{what}: {stderr}");
                    // Stopped after the changelog step: the section is written, not committed.
                    assert_eq!(read(root, kind.changelog()), expected, "{what}");
                    if end == "abort" {
                        ok(&run(root, &["abort"], "false"), &format!("{what}: abort"));
                        assert_eq!(util::snapshot(root), before, "{what}: abort");
                        assert_eq!(git(root, &["rev-parse", "HEAD"]), head, "{what}");
                        assert_eq!(git(root, &["branch", "--list", "release/*"]), "");
                        assert_eq!(git(root, &["status", "--porcelain"]), "", "{what}");
                        continue;
                    }
                    match cause {
                        "step" => std::fs::write(root.join(".git/ok"), "").unwrap(),
                        _ => std::fs::remove_file(&hook).unwrap(),
                    }
                    ok(
                        &run(root, &["continue"], "false"),
                        &format!("{what}: continue"),
                    );
                    let branch = format!("release/{version}");
                    let committed = git(root, &["show", &format!("{branch}:{}", kind.changelog())]);
                    assert_eq!(committed, expected, "{what}: continue");
                    assert_eq!(git(root, &["status", "--porcelain"]), "", "{what}");
                }
            }
        }
    }
}

/// The plan as data says the section: no entry, no category — and `--format json` of the
/// release agrees (zero planned, zero written).
#[test]
fn the_plan_and_summary_count_no_entry() {
    let repo = project(Kind::Markdown, &[]);
    let root = repo.path();
    let out = run(
        root,
        &["1.0.1", "--date", DATE, "--dry-run", "--format", "json"],
        "false",
    );
    ok(&out, "json plan");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["entries"], 0);
    assert_eq!(plan["fragments"], serde_json::json!([]));
    assert_eq!(plan["rc_sections"], serde_json::json!([]));
    assert!(
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "Build CHANGELOG.md: no fragments (towncrier's empty section)"),
        "{plan}"
    );
}
