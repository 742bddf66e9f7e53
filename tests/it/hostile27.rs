//! Real projects' layouts (hostile17/06, 08): a changelog file per release
//! (`single_file = false`, `filename = "docs/changelog/{version}.md"`), whose pre-releases a
//! final cannot fold; and a final's section in the layout the project's template renders.

use std::path::Path;

use crate::util::{
    commit_all, fixtures, git, ok, one_error, release_and_merge, repo_from, repo_with, run,
    snapshot, text, write_files,
};

const PER_VERSION: &str = "[tool.towncrier]\ndirectory = \"changes\"\n\
filename = \"docs/changelog/{version}.md\"\nsingle_file = false\n\
issue_format = \"[#{issue}](https://github.com/o/r/pull/{issue})\"\n";

/// A project writing a file per release: `VERSION` says `version`.
fn per_release(pyproject: &str, version: &str) -> tempfile::TempDir {
    repo_with(&[
        ("pyproject.toml", pyproject),
        ("VERSION", &format!("{version}\n")),
        ("changes/.gitkeep", ""),
        ("docs/changelog/.gitkeep", ""),
    ])
}

/// Every way a final of `version` is asked for is refused, exit 3, naming the changelog's
/// key and each file of `rc_files`, advising nothing that would publish without them — and
/// changes nothing: not a file, not a branch.
fn refused_everywhere(root: &Path, version: &str, key: &str, rc_files: &[&str]) {
    let before = snapshot(root);
    let head = git(root, &["rev-parse", "HEAD"]);
    let asks: [&[&str]; 6] = [
        &["consolidate", version, "--no-edit"],
        &["consolidate", version, "--dry-run"],
        &["consolidate", version, "--no-edit", "--keep-rc"],
        &[version, "--yes", "--no-edit"],
        &[version, "--dry-run", "--yes", "--no-edit"],
        &[version, "--yes", "--no-edit", "--allow-missing-rc"],
    ];
    for args in asks {
        let what = format!("{args:?}");
        let out = run(root, args, "true");
        assert_eq!(out.status.code(), Some(3), "{what}");
        let err = one_error(&out, &what);
        assert!(err.contains(key), "{what}: names the key\n{err}");
        for f in rc_files {
            assert!(err.contains(f), "{what}: names {f}\n{err}");
        }
        for wrong in ["--allow-missing-rc", "move it into this one"] {
            assert!(!err.contains(wrong), "{what}: advises `{wrong}`\n{err}");
        }
        assert_eq!(snapshot(root), before, "{what}: changed the work tree");
        assert_eq!(git(root, &["rev-parse", "HEAD"]), head, "{what}");
        assert_eq!(
            git(root, &["branch", "--list", "release/*"])
                .lines()
                .count(),
            2
        );
    }
}

/// hostile17/06: rc1 and rc2 are written to files of their own, as towncrier writes them; a
/// final that folds only its own file would publish without their entries (`consolidate`
/// exited 0 with the new fragment alone). Refused up front, naming `filename`.
#[test]
fn a_final_whose_pre_releases_have_files_of_their_own_is_refused() {
    let repo = per_release(PER_VERSION, "1.9.0");
    let root = repo.path();
    release_and_merge(
        root,
        "2.0.0rc1",
        &["--yes", "--no-edit"],
        &[("10.feature.md", "Add x.\n")],
        "true",
    );
    release_and_merge(
        root,
        "2.0.0rc2",
        &["--yes", "--no-edit"],
        &[("11.bugfix.md", "Fix y.\n")],
        "true",
    );
    for (file, pr) in [("2.0.0rc1.md", "#10"), ("2.0.0rc2.md", "#11")] {
        let text = std::fs::read_to_string(root.join("docs/changelog").join(file)).unwrap();
        assert!(text.contains(pr), "{file}: {text}");
    }
    write_files(root, &[("changes/12.feature.md", "Add z.\n")]);
    commit_all(root, "a fragment for the final");
    refused_everywhere(
        root,
        "2.0.0",
        "tool.towncrier.filename",
        &["docs/changelog/2.0.0rc1.md", "docs/changelog/2.0.0rc2.md"],
    );
    // What the message offers instead works: towncrier's build of the new fragments alone.
    let out = run(root, &["build", "2.0.0", "--yes"], "true");
    crate::util::ok(&out, "build 2.0.0");
    let text = std::fs::read_to_string(root.join("docs/changelog/2.0.0.md")).unwrap();
    assert!(text.contains("#12") && !text.contains("#10"), "{text}");
}

/// The same with the file named by its date (`{project_date}`): the rc's file is found by
/// the release headings it holds, and git-release's own `changelog` key is the one named.
#[test]
fn pre_releases_in_files_named_by_their_date_are_found_by_their_headings() {
    let pyproject = "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\nsingle_file = false\n\
[tool.git-release]\nchangelog = \"news/{project_date}.md\"\n";
    let repo = per_release(pyproject, "1.9.0");
    let root = repo.path();
    let rc = ["--yes", "--no-edit", "--date", "2026-01-05"];
    release_and_merge(
        root,
        "2.0.0b1",
        &rc,
        &[("10.feature.md", "Add x.\n")],
        "true",
    );
    // Another release's file of the same pattern is no pre-release of this one.
    write_files(
        root,
        &[(
            "news/2025-12-01.md",
            "# 1.9.0 (2025-12-01)\n\n### Features\n\n- Old. (#3)\n",
        )],
    );
    write_files(root, &[("changes/12.feature.md", "Add z.\n")]);
    commit_all(root, "a fragment for the final");
    let before = snapshot(root);
    let out = run(
        root,
        &["consolidate", "2.0.0", "--no-edit", "--date", "2026-02-01"],
        "true",
    );
    assert_eq!(out.status.code(), Some(3));
    let err = one_error(&out, "consolidate");
    assert!(err.contains("tool.git-release.changelog"), "{err}");
    assert!(err.contains("news/2026-01-05.md: 2.0.0b1"), "{err}");
    assert!(!err.contains("2025-12-01"), "{err}");
    assert_eq!(snapshot(root), before);
}

/// No false refusal: a final without a pre-release in a file-per-release project is made
/// (the files of an earlier cycle's pre-releases are no pre-releases of it), and where the
/// pattern gives the whole cycle one file (`{major}.{minor}`), the final folds its rc.
#[test]
fn finals_a_file_per_release_does_not_hide_from_are_made() {
    let repo = per_release(PER_VERSION, "1.0.0");
    let root = repo.path();
    write_files(
        root,
        &[
            (
                "docs/changelog/1.0.0rc1.md",
                "# 1.0.0rc1 (2025-01-01)\n\n### Features\n\n- Old. ([#1](https://github.com/o/r/pull/1))\n",
            ),
            (
                "docs/changelog/1.0.0.md",
                "# 1.0.0 (2025-02-01)\n\n### Features\n\n- Old. ([#1](https://github.com/o/r/pull/1))\n",
            ),
        ],
    );
    commit_all(root, "an earlier cycle");
    release_and_merge(
        root,
        "1.0.1",
        &["--yes", "--no-edit"],
        &[("5.bugfix.md", "Fix y.\n")],
        "true",
    );
    let text = std::fs::read_to_string(root.join("docs/changelog/1.0.1.md")).unwrap();
    // In the template's layout, at its heading level: the file is towncrier's.
    assert!(
        text.starts_with("# 1.0.1 (") && text.contains("\n## Bugfixes\n\n- Fix y. ([#5]"),
        "{text}"
    );

    let series =
        "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG/{major}.{minor}.md\"\n";
    let repo = per_release(series, "1.9.0");
    let root = repo.path();
    write_files(root, &[("CHANGELOG/.gitkeep", "")]);
    commit_all(root, "the changelog's directory");
    release_and_merge(
        root,
        "2.0.0rc1",
        &["--yes", "--no-edit"],
        &[("10.feature.md", "Add x.\n")],
        "true",
    );
    release_and_merge(
        root,
        "2.0.0",
        &["--yes", "--no-edit"],
        &[("12.feature.md", "Add z.\n")],
        "true",
    );
    let text = std::fs::read_to_string(root.join("CHANGELOG/2.0.md")).unwrap();
    assert!(text.contains("Add x") && text.contains("Add z"), "{text}");
    assert!(!text.contains("2.0.0rc1"), "{text}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// hostile17/08: a patch final with nothing to fold and nothing grouped is what `towncrier
/// build --yes` writes, byte for byte (`expected-write/` is towncrier 26.9's own output):
/// attrs' template puts a blank line after each category heading and two after the
/// section — in a file whose older releases are mostly one blank line apart —; pdm's
/// `title_format` with towncrier's built-in template. `consolidate` writes the same.
#[test]
fn a_patch_final_is_written_as_towncrier_writes_it() {
    let cases = [
        ("attrs-patch-final", "26.1.1", "2025-12-06"),
        ("pdm-patch-final", "2.29.5", "2026-11-02"),
    ];
    for (case, version, date) in cases {
        let dir = fixtures().join("hostile27").join(case);
        let expected = read(&dir.join("expected-write/CHANGELOG.md"));
        let asks: [&[&str]; 2] = [
            &[version, "--yes", "--no-edit", "--date", date],
            &["consolidate", version, "--no-edit", "--date", date],
        ];
        for args in asks {
            let repo = repo_from(&dir.join("input"));
            let out = run(repo.path(), args, "true");
            ok(&out, &format!("{case}: {args:?}"));
            let got = read(&repo.path().join("CHANGELOG.md"));
            assert!(got == expected, "{case}: {args:?}: not towncrier's\n{got}");
        }
    }
}

/// A final that folds its rc (nothing new, nothing grouped) keeps the layout the template
/// gave the rc: the file is the rc's, with the final's heading — what towncrier would have
/// written for the final.
#[test]
fn a_final_of_an_rc_alone_keeps_the_rc_s_layout() {
    let dir = fixtures().join("hostile27/attrs-patch-final/input");
    let repo = repo_from(&dir);
    let root = repo.path();
    let date = "2026-01-10";
    let out = run(
        root,
        &["26.2.0rc1", "--yes", "--no-edit", "--date", date],
        "true",
    );
    ok(&out, "rc1");
    git(root, &["checkout", "--quiet", "main"]);
    git(
        root,
        &["merge", "--quiet", "--ff-only", "release/26.2.0rc1"],
    );
    let rc = read(&root.join("CHANGELOG.md"));
    assert!(rc.contains("### Changes\n\n- Fixed regression"), "{rc}");
    let out = run(
        root,
        &["26.2.0", "--yes", "--no-edit", "--date", date],
        "true",
    );
    ok(&out, "final");
    let got = read(&root.join("CHANGELOG.md"));
    let notes = text(&out.stderr);
    assert_eq!(got, rc.replace("26.2.0rc1", "26.2.0"), "{notes}");
}
