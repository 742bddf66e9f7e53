//! `git release build` end to end: the real binary in throwaway git repositories holding
//! the Backend.AI release states (tests/fixtures/backend-ai) and small made-up projects.

use crate::util::{
    NO_IO_URING, backend_ai_cases, commit_all, git, git_release, repo_from, repo_with, snapshot,
};
use predicates::prelude::*;

/// `--draft` prints exactly what towncrier 26.9 printed for each release state, with the
/// fragments read through io_uring (where the machine allows it) and one by one.
#[test]
fn draft_matches_towncrier_for_every_fixture() {
    let cases = backend_ai_cases();
    assert_eq!(cases.len(), 7);
    for normal_way in [false, true] {
        for (version, date, dir) in &cases {
            let repo = repo_from(&dir.join("before"));
            let expected = std::fs::read_to_string(dir.join("towncrier-draft.md")).unwrap();
            let mut cmd = git_release(repo.path());
            cmd.args(["build", version, "--draft", "--date", date]);
            let label = if normal_way {
                cmd.env(NO_IO_URING, "1");
                format!("{version} ({NO_IO_URING})")
            } else {
                version.clone()
            };
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "{label}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let stdout = String::from_utf8(out.stdout).unwrap();
            assert!(
                stdout == expected,
                "{label}: the draft differs from towncrier's"
            );
            // A draft writes nothing.
            assert_eq!(git(repo.path(), &["status", "--porcelain"]), "", "{label}");
        }
    }
}

/// For the pre-releases, what towncrier wrote is what Backend.AI committed: the changelog
/// of `after/`, with the fragments gone from the index and the disk.
#[test]
fn build_writes_the_changelog_like_towncrier() {
    for (version, date, dir) in backend_ai_cases()
        .into_iter()
        .filter(|c| c.0.contains("rc"))
    {
        let repo = repo_from(&dir.join("before"));
        let fragments: Vec<String> = std::fs::read_dir(repo.path().join("changes"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "template.md" && n != "README.md")
            .collect();
        git_release(repo.path())
            .args(["build", &version, "--date", &date])
            .assert()
            .success()
            .stdout("")
            .stderr(predicate::str::contains("Done!"));
        let expected = std::fs::read(dir.join("after/CHANGELOG.md")).unwrap();
        assert!(
            std::fs::read(repo.path().join("CHANGELOG.md")).unwrap() == expected,
            "{version}: CHANGELOG.md differs"
        );

        let mut left: Vec<String> = std::fs::read_dir(repo.path().join("changes"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut after: Vec<String> = std::fs::read_dir(dir.join("after/changes"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        after.sort();
        assert_eq!(left, after, "{version}");

        let status = git(repo.path(), &["status", "--porcelain"]);
        assert!(
            status.contains("M  CHANGELOG.md"),
            "{version}: the changelog is staged\n{status}"
        );
        for f in &fragments {
            assert!(
                status.contains(&format!("D  changes/{f}")),
                "{version}: {f} is removed from the index"
            );
        }
    }
}

#[test]
fn keep_leaves_the_fragments() {
    let (version, date, dir) = backend_ai_cases()
        .into_iter()
        .find(|c| c.0 == "26.4.4rc9")
        .unwrap();
    let repo = repo_from(&dir.join("before"));
    let before = snapshot(&repo.path().join("changes"));
    git_release(repo.path())
        .args(["build", &version, "--date", &date, "--keep"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Keeping the following files:"));
    assert_eq!(snapshot(&repo.path().join("changes")), before);
    assert_eq!(
        git(repo.path(), &["status", "--porcelain"]),
        "M  CHANGELOG.md\n"
    );
    assert!(
        std::fs::read(repo.path().join("CHANGELOG.md")).unwrap()
            == std::fs::read(dir.join("after/CHANGELOG.md")).unwrap()
    );
}

/// A version that already has a section is refused and nothing changes.
#[test]
fn existing_version_is_refused() {
    // 26.2.0's changelog already holds `## 26.1.0 (2026-01-26)`.
    let dir = crate::util::fixtures().join("backend-ai/26.2.0/before");
    let repo = repo_from(&dir);
    let before = snapshot(repo.path());
    git_release(repo.path())
        .args(["build", "26.1.0", "--date", "2026-01-26"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("already has a section for 26.1.0")
                .and(predicate::str::contains("CHANGELOG.md:")),
        );
    assert_eq!(snapshot(repo.path()), before);
    assert_eq!(git(repo.path(), &["status", "--porcelain"]), "");
    // Its `## 26.2.0rc1` sections do not count as 26.2.0: the final release builds.
    git_release(repo.path())
        .args(["build", "26.2.0", "--date", "2026-02-13"])
        .assert()
        .success();
    let text = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert!(text.contains("<!-- towncrier release notes start -->\n\n## 26.2.0 (2026-02-13)\n"));

    // Building the same version twice: the second build is refused.
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
        ),
        ("changes/1.feature.md", "One.\n"),
    ]);
    git_release(repo.path())
        .args(["build", "1.0.0", "--date", "2025-01-01"])
        .assert()
        .success();
    // `git rm` took the emptied directory away.
    std::fs::create_dir_all(repo.path().join("changes")).unwrap();
    std::fs::write(repo.path().join("changes/2.feature.md"), "Two.\n").unwrap();
    let before = snapshot(repo.path());
    git_release(repo.path())
        .args(["build", "1.0.0", "--date", "2025-01-02"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("already has a section for 1.0.0"));
    assert_eq!(snapshot(repo.path()), before);
    // A pre-release of the same version is another version.
    git_release(repo.path())
        .args(["build", "1.0.1rc1", "--date", "2025-01-02"])
        .assert()
        .success();
}

/// `changelog = "CHANGELOG/{major}.{minor}.md"`: one file per minor series, created with
/// its directory.
#[test]
fn per_series_changelog_path() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
        ),
        (
            ".git-release.toml",
            "changelog = \"CHANGELOG/{major}.{minor}.md\"\n",
        ),
        ("changes/1.feature.md", "One.\n"),
    ]);
    git_release(repo.path())
        .args(["build", "3.4.0rc1", "--date", "2025-01-01"])
        .assert()
        .success();
    let file = repo.path().join("CHANGELOG/3.4.md");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "# 3.4.0rc1 (2025-01-01)\n\n## Features\n\n- One. (#1)\n"
    );

    std::fs::create_dir_all(repo.path().join("changes")).unwrap();
    std::fs::write(repo.path().join("changes/2.bugfix.md"), "Two.\n").unwrap();
    git_release(repo.path())
        .args(["build", "3.4.0", "--date", "2025-01-02"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("# 3.4.0 (2025-01-02)\n\n## Bugfixes\n\n- Two. (#2)\n\n\n# 3.4.0rc1"),
        "{text}"
    );

    std::fs::create_dir_all(repo.path().join("changes")).unwrap();
    std::fs::write(repo.path().join("changes/3.feature.md"), "Three.\n").unwrap();
    git_release(repo.path())
        .args(["build", "3.5.0", "--date", "2025-02-01"])
        .assert()
        .success();
    assert!(repo.path().join("CHANGELOG/3.5.md").is_file());
    let status = git(repo.path(), &["status", "--porcelain"]);
    assert!(
        status.contains("A  CHANGELOG/3.4.md") && status.contains("A  CHANGELOG/3.5.md"),
        "{status}"
    );
    assert!(!repo.path().join("changes/3.feature.md").exists());

    // A version that is not PEP 440 or SemVer cannot fill {major}.
    std::fs::create_dir_all(repo.path().join("changes")).unwrap();
    std::fs::write(repo.path().join("changes/4.feature.md"), "Four.\n").unwrap();
    git_release(repo.path())
        .args(["build", "next", "--date", "2025-02-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`next` is not a version"));
}

#[test]
fn unknown_types_are_reported_not_dropped() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
        ),
        ("changes/1.feature.md", "Known.\n"),
        ("changes/123.feat.md", "Typo.\n"),
        ("changes/notes.txt", "not a fragment at all\n"),
    ]);
    git_release(repo.path())
        .args(["build", "1.0.0", "--draft", "--date", "2025-01-01"])
        .assert()
        .success()
        .stdout("# 1.0.0 (2025-01-01)\n\n## Features\n\n- Known. (#1)\n\n\n\n")
        .stderr(
            predicate::str::contains("warning:")
                .and(predicate::str::contains("123.feat.md"))
                .and(predicate::str::contains("`feat` is not a fragment type"))
                .and(predicate::str::contains("notes.txt").not()),
        );
}

#[test]
fn version_defaults_to_the_version_file() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
        ),
        ("VERSION", "2.3.4rc1\n"),
    ]);
    git_release(repo.path())
        .args(["build", "--draft", "--date", "2025-01-01"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# 2.3.4rc1 (2025-01-01)\n"));
    // towncrier's own `version` key wins.
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\nversion = \"9.9\"\n",
        ),
        ("VERSION", "2.3.4rc1\n"),
    ]);
    git_release(repo.path())
        .args(["build", "--draft", "--date", "2025-01-01"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# 9.9 (2025-01-01)\n"));

    let repo = repo_with(&[(
        "pyproject.toml",
        "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\n",
    )]);
    git_release(repo.path())
        .args(["build", "--draft"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no version given")
                .and(predicate::str::contains("git release build 1.2.3")),
        );
}

#[test]
fn date_defaults_to_source_date_epoch() {
    let repo = repo_with(&[(
        "pyproject.toml",
        "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\n",
    )]);
    git_release(repo.path())
        .args(["build", "1.0", "--draft"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("TZ", "UTC")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# 1.0 (2023-11-14)\n"));
    git_release(repo.path())
        .args(["build", "1.0", "--draft"])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SOURCE_DATE_EPOCH"));
}

#[test]
fn template_errors_name_the_template() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ntemplate = \"changes/tpl.md\"\n",
        ),
        (
            "changes/tpl.md",
            "# {{ versiondata.version }}\n{% for x in sections %}\n{{ x.nope() }}\n{% endfor %}\n",
        ),
        ("changes/1.feature.md", "One.\n"),
    ]);
    git_release(repo.path())
        .args(["build", "1.0", "--draft", "--date", "2025-01-01"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("changes/tpl.md").and(predicate::str::contains("line 3")));

    std::fs::write(repo.path().join("changes/tpl.md"), "{% for x in %}\n").unwrap();
    git_release(repo.path())
        .args(["build", "1.0", "--draft", "--date", "2025-01-01"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("changes/tpl.md")
                .and(predicate::str::contains("syntax error")),
        );
}

/// A template asking for an enormous width (Jinja2 raises MemoryError there) is refused,
/// naming what asked, and changes nothing: the allocation would otherwise abort the process.
#[test]
fn enormous_widths_in_templates_are_refused_not_a_crash() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ntemplate = \"changes/tpl.md\"\n",
        ),
        ("CHANGELOG.md", "# Changelog\n"),
        ("changes/1.feature.md", "One.\n"),
    ]);
    let cases = [
        ("{{ \"ab\"|center(2**62) }}", "center"),
        ("{{ \"ab\"|indent(2**62) }}", "indent"),
        ("{{ \"%99999999999d\"|format(1) }}", "format"),
        ("{{ \"%.99999999999f\"|format(1.5) }}", "format"),
        ("{{ \"ab\".center(2**62) }}", "str.center()"),
        ("{{ \"ab\".ljust(2**62) }}", "str.ljust()"),
        ("{{ \"ab\".zfill(2**62) }}", "str.zfill()"),
        ("{{ \"{:>99999999999}\".format(1) }}", "str.format()"),
        ("{{ sections|tojson(indent=2**62) }}", "indent"),
    ];
    for (template, named) in cases {
        std::fs::write(repo.path().join("changes/tpl.md"), format!("{template}\n")).unwrap();
        commit_all(repo.path(), "template");
        let before = snapshot(repo.path());
        for draft in [true, false] {
            let mut args = vec!["build", "1.0", "--date", "2025-01-01"];
            if draft {
                args.push("--draft");
            }
            git_release(repo.path())
                .args(&args)
                .assert()
                .code(3)
                .stderr(predicate::str::contains(named).and(predicate::str::contains("limit")));
            assert_eq!(
                snapshot(repo.path()),
                before,
                "{template}: the repository changed"
            );
        }
    }
    // Widths a changelog uses still work, and numbers in the text are text.
    std::fs::write(
        repo.path().join("changes/tpl.md"),
        "{{ \"ab\"|center(6) }}|{{ \"build 20260101123456: %5s\"|format(\"x\") }}\n",
    )
    .unwrap();
    git_release(repo.path())
        .args(["build", "1.0", "--draft", "--date", "2025-01-01"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "  ab  |build 20260101123456:     x",
        ));
}

/// Fragments git does not track are deleted from the disk, like towncrier does.
#[test]
fn untracked_fragments_are_deleted() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
        ),
        ("changes/1.feature.md", "Tracked.\n"),
    ]);
    std::fs::write(repo.path().join("changes/2.feature.md"), "Untracked.\n").unwrap();
    git_release(repo.path())
        .args(["build", "1.0", "--date", "2025-01-01"])
        .assert()
        .success();
    assert!(!repo.path().join("changes/1.feature.md").exists());
    assert!(!repo.path().join("changes/2.feature.md").exists());
    let text = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert!(
        text.contains("- Tracked. (#1)") && text.contains("- Untracked. (#2)"),
        "{text}"
    );
    assert_eq!(
        git(repo.path(), &["status", "--porcelain"]),
        "A  CHANGELOG.md\nD  changes/1.feature.md\n"
    );
}

/// The fragments leave the work tree as `git rm` (towncrier's way) leaves it: a directory
/// they leave empty goes, one holding anything else stays; the index loses exactly them.
#[test]
fn removed_fragments_leave_the_tree_as_git_rm_does() {
    let files = [
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n\n\
             [[tool.towncrier.section]]\nname = \"API\"\npath = \"api\"\n\n\
             [[tool.towncrier.section]]\nname = \"\"\npath = \"\"\n",
        ),
        ("changes/api/1.feature.md", "One.\n"),
        ("changes/api/2.feature.md", "Two.\n"),
        ("changes/3.feature.md", "Three.\n"),
        ("changes/README", "Kept.\n"),
    ];
    let by_git = repo_with(&files);
    git(
        by_git.path(),
        &[
            "rm",
            "--quiet",
            "--force",
            "--",
            "changes/api/1.feature.md",
            "changes/api/2.feature.md",
            "changes/3.feature.md",
        ],
    );
    let repo = repo_with(&files);
    git_release(repo.path())
        .args(["build", "1.0", "--date", "2025-01-01"])
        .assert()
        .success();
    for dir in ["changes/api", "changes"] {
        assert_eq!(
            repo.path().join(dir).is_dir(),
            by_git.path().join(dir).is_dir(),
            "{dir}"
        );
    }
    assert!(
        !repo.path().join("changes/api").exists() && repo.path().join("changes/README").exists()
    );
    assert_eq!(
        git(repo.path(), &["status", "--porcelain"]),
        "A  CHANGELOG.md\nD  changes/3.feature.md\nD  changes/api/1.feature.md\nD  changes/api/2.feature.md\n"
    );
}

/// Run from a sub-directory, the configuration at the top of the work tree is found.
#[test]
fn runs_from_a_subdirectory() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
        ),
        ("changes/1.feature.md", "One.\n"),
        ("src/lib/x.txt", "x"),
    ]);
    git_release(&repo.path().join("src/lib"))
        .args(["build", "1.0", "--draft", "--date", "2025-01-01"])
        .assert()
        .success()
        .stdout(predicate::str::contains("- One. (#1)"));
}

/// Outside git, like towncrier: the changelog is written and the fragments deleted; the
/// report does not say "staged" (nothing is: hostile12's report).
#[test]
fn works_outside_git() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("changes")).unwrap();
    std::fs::write(dir.path().join("changes/1.feature.md"), "One.\n").unwrap();
    git_release(dir.path())
        .args(["build", "1.0", "--date", "2025-01-01"])
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .assert()
        .success()
        .stderr(predicate::str::contains("Wrote ").and(predicate::str::contains("staged").not()));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("CHANGELOG.md")).unwrap(),
        "# 1.0 (2025-01-01)\n\n## Features\n\n- One. (#1)\n"
    );
    assert!(!dir.path().join("changes/1.feature.md").exists());
}

/// A changelog whose sections consolidation could not read (a duplicated release
/// heading, an entry outside any category in an rc section the final folds) is written
/// into by `build` as towncrier writes into it (the cases `malformed-duplicate-release` and
/// `malformed-entry-outside-category` hold towncrier's output); `consolidate` and a final
/// release, which need the structure, refuse it with the line number, and nothing changes:
/// no file, no index entry, no fragment. (An entry outside a category in a release
/// published before is read as released, not refused: `hostile24`.)
#[test]
fn malformed_changelogs_are_built_into_and_refused_by_consolidation() {
    for (log, line, needle, first) in [
        (
            "# Changes\n\n<!-- towncrier release notes start -->\n\n## 1.1.0 (2025-02-01)\n\n### Features\n* A ([#1](u))\n\n\n## 1.1.0 (2025-01-01)\n\n### Features\n* B ([#2](u))\n",
            "CHANGELOG.md:11",
            "1.1.0",
            "## 1.1.0",
        ),
        (
            "# Changes\n\n<!-- towncrier release notes start -->\n\n## 1.2.0rc1 (2025-02-01)\n* A ([#1](u))\n\n### Features\n* B ([#2](u))\n",
            "CHANGELOG.md:6",
            "not under a category heading",
            "## 1.2.0rc1",
        ),
    ] {
        let repo = repo_with(&[
            (
                "pyproject.toml",
                "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
            ),
            ("CHANGELOG.md", log),
            ("changes/3.feature.md", "Three.\n"),
            ("VERSION", "1.1.0\n"),
        ]);
        let before = snapshot(repo.path());
        for args in [
            &["consolidate", "1.2.0", "--no-edit", "--date", "2025-03-01"][..],
            &["1.2.0", "--yes", "--no-edit", "--date", "2025-03-01"][..],
        ] {
            git_release(repo.path())
                .args(args)
                .assert()
                .code(3)
                .stderr(predicate::str::contains(line).and(predicate::str::contains(needle)));
            assert_eq!(snapshot(repo.path()), before, "{args:?}");
            assert_eq!(git(repo.path(), &["status", "--porcelain"]), "", "{args:?}");
        }
        git_release(repo.path())
            .args(["build", "1.2.0", "--date", "2025-03-01"])
            .assert()
            .success();
        let written = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
        let (head, old) = log.split_once(first).unwrap();
        assert_eq!(
            written,
            format!("{head}# 1.2.0 (2025-03-01)\n\n## Features\n\n- Three. (#3)\n\n\n{first}{old}")
        );
    }
}

/// Entries whose sort keys tie (same issue, no other key) come out in the order the
/// directory is read, as towncrier's stable sort over `os.listdir` leaves them — not in
/// name order. The files are created in a scrambled order so that the listing differs from
/// name order on the usual file systems (ext4 hashes names, tmpfs lists newest first,
/// btrfs and xfs oldest first).
#[test]
fn tied_entries_keep_the_directory_order() {
    let repo = repo_with(&[(
        "pyproject.toml",
        "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
    )]);
    let changes = repo.path().join("changes");
    std::fs::create_dir(&changes).unwrap();
    let names = [
        "1.feature.5.md",
        "1.feature.md",
        "1.feature.7.md",
        "1.feature.2.md",
        "1.feature.6.md",
        "1.feature.1.md",
        "1.feature.4.md",
        "1.feature.3.md",
    ];
    for name in names {
        std::fs::write(changes.join(name), format!("Entry from {name}\n")).unwrap();
    }
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "fragments"]);
    let listed: Vec<String> = std::fs::read_dir(&changes)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    let out = git_release(repo.path())
        .args(["build", "1.0.0", "--draft", "--date", "2025-01-01"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let order: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("- Entry from "))
        .map(|l| l.split(' ').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        order, listed,
        "draft:\n{stdout}\nname order would be {sorted:?}"
    );
}

/// towncrier fails to open `docs/about/NEWS.md` when `docs/about` does not exist, and
/// removes nothing; `build` refuses the same way, naming the key and the directory, instead
/// of creating the directory. The draft (which writes nothing) still works, as in towncrier.
#[test]
fn filename_in_a_missing_directory_is_refused() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"docs/about/NEWS.md\"\ndirectory = \"changes\"\n",
        ),
        ("changes/5.feature.md", "New thing.\n"),
    ]);
    git_release(repo.path())
        .args(["build", "1.1.0", "--draft", "--date", "2025-06-01"])
        .assert()
        .success();
    let before = snapshot(repo.path());
    git_release(repo.path())
        .args(["build", "1.1.0", "--date", "2025-06-01"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("tool.towncrier.filename")
                .and(predicate::str::contains("docs/about"))
                .and(predicate::str::contains("does not exist")),
        );
    assert_eq!(snapshot(repo.path()), before);
    assert!(!repo.path().join("docs").exists());
    assert_eq!(git(repo.path(), &["status", "--porcelain"]), "");
}

/// Fragments the batched reading (io_uring, src/fragments/batch.rs) leaves to the normal
/// way or must decode as it does — a symlink, a file larger than its buffer, CRLF and lone
/// CR line ends, bytes that are not UTF-8 — among enough plain ones for the batch to be
/// used: the draft holds each text as Python reads it, and is the same read either way.
#[test]
fn odd_fragments_read_alike_both_ways() {
    let repo = repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
        ),
        ("notes/linked.md", "Linked entry through a symlink\n"),
    ]);
    let changes = repo.path().join("changes");
    std::fs::create_dir(&changes).unwrap();
    for i in 1..=12 {
        std::fs::write(
            changes.join(format!("{i}.feature.md")),
            format!("Plain entry {i}\n"),
        )
        .unwrap();
    }
    let large = format!("Large entry {} END-OF-LARGE\n", "word ".repeat(2000));
    std::fs::write(changes.join("20.feature.md"), &large).unwrap();
    std::fs::write(
        changes.join("21.feature.md"),
        "CRLF entry\r\nsecond line\r\n",
    )
    .unwrap();
    std::fs::write(changes.join("22.feature.md"), "Lone CR entry\rnext line\r").unwrap();
    std::fs::write(changes.join("23.feature.md"), b"Caf\xe9 entry \xff\xfe\n").unwrap();
    std::os::unix::fs::symlink("../notes/linked.md", changes.join("24.feature.md")).unwrap();
    commit_all(repo.path(), "fragments");

    let draft = |normal_way: bool| {
        let mut cmd = git_release(repo.path());
        cmd.args(["build", "1.0.0", "--draft", "--date", "2025-01-01"]);
        if normal_way {
            cmd.env(NO_IO_URING, "1");
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let batched = draft(false);
    assert_eq!(batched, draft(true), "the two ways of reading differ");
    for text in [
        "Plain entry 1 ",
        "Plain entry 12 ",
        "END-OF-LARGE",
        "CRLF entry\n  second line",
        "Lone CR entry\n  next line",
        "Caf\u{FFFD} entry \u{FFFD}\u{FFFD}",
        "Linked entry through a symlink",
    ] {
        assert!(
            batched.contains(text),
            "{text:?} is missing from:\n{batched}"
        );
    }
    assert!(batched.contains(&large.trim_end()[..200]), "{batched}");
    assert!(!batched.contains('\r'), "{batched:?}");
}

/// A FIFO named like a fragment, or a symlink to one or to a device, is refused at once by
/// every form of `build`, either way of reading (hostile round 5, 09: the read blocked
/// forever, while the release and `consolidate` refused it). Nothing is written.
#[test]
fn a_fragment_that_is_no_regular_file_is_refused_not_read() {
    for (name, make) in [
        ("fifo", "mkfifo changes/30.feature.md"),
        (
            "link to a fifo",
            "mkfifo notes/pipe && ln -s ../notes/pipe changes/30.feature.md",
        ),
        ("link to a device", "ln -s /dev/zero changes/30.feature.md"),
    ] {
        let repo = repo_with(&[
            (
                "pyproject.toml",
                "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\n",
            ),
            ("notes/keep.md", "kept\n"),
        ]);
        let changes = repo.path().join("changes");
        std::fs::create_dir(&changes).unwrap();
        // Enough fragments for the batched reads, and one without.
        for i in 1..=12 {
            std::fs::write(
                changes.join(format!("{i}.feature.md")),
                format!("Entry {i}\n"),
            )
            .unwrap();
        }
        commit_all(repo.path(), "fragments");
        let made = std::process::Command::new("sh")
            .args(["-c", make])
            .current_dir(repo.path())
            .status()
            .unwrap();
        assert!(made.success(), "{name}");
        let before = crate::util::snapshot(repo.path());
        for args in [
            &["build", "1.0.0", "--draft", "--date", "2025-01-01"][..],
            &["build", "1.0.0", "--date", "2025-01-01"][..],
        ] {
            for normal_way in [false, true] {
                let mut cmd = crate::util::git_release_process(repo.path());
                cmd.args(args)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped());
                if normal_way {
                    cmd.env(NO_IO_URING, "1");
                }
                let mut child = cmd.spawn().unwrap();
                let started = std::time::Instant::now();
                while child.try_wait().unwrap().is_none() {
                    if started.elapsed() > std::time::Duration::from_secs(30) {
                        child.kill().unwrap();
                        panic!("{name} {args:?}: still reading after 30 s");
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                let out = child.wait_with_output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(!out.status.success(), "{name} {args:?}");
                assert!(
                    stderr.contains("30.feature.md") && stderr.contains("not a regular file"),
                    "{name} {args:?}: {stderr}"
                );
                assert_eq!(
                    crate::util::snapshot(repo.path()),
                    before,
                    "{name} {args:?}"
                );
            }
        }
    }
}

/// Inside a git repository `build` writes and removes only inside it: a fragment directory
/// or a news file that is a link leading outside is refused before anything is written,
/// and the files outside are left as they were. (`--keep` removes nothing, so a fragment
/// directory outside is read, as towncrier reads it, but the news file must be inside.)
#[test]
fn build_touches_nothing_outside_the_repository() {
    let (version, date, dir) = backend_ai_cases()
        .into_iter()
        .find(|c| c.0 == "26.4.4rc9")
        .unwrap();
    let outside = tempfile::tempdir().unwrap();
    // The fragment directory a link to a copy outside.
    let repo = repo_from(&dir.join("before"));
    let root = repo.path();
    let copy = outside.path().join("changes");
    crate::util::copy_tree(&root.join("changes"), &copy);
    git(root, &["rm", "-rq", "changes"]);
    std::os::unix::fs::symlink(&copy, root.join("changes")).unwrap();
    commit_all(root, "changes/ links outside");
    let before = (snapshot(root), snapshot(outside.path()));
    let out = git_release(root)
        .args(["build", &version, "--date", &date])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("outside the repository"), "{stderr}");
    assert_eq!((snapshot(root), snapshot(outside.path())), before);

    // The news file a link to a file outside.
    let repo = repo_from(&dir.join("before"));
    let root = repo.path();
    let news = outside.path().join("NEWS.md");
    std::fs::copy(root.join("CHANGELOG.md"), &news).unwrap();
    git(root, &["rm", "-q", "CHANGELOG.md"]);
    std::os::unix::fs::symlink(&news, root.join("CHANGELOG.md")).unwrap();
    commit_all(root, "the changelog links outside");
    let before = (snapshot(root), snapshot(outside.path()));
    for keep in [false, true] {
        let mut cmd = git_release(root);
        cmd.args(["build", &version, "--date", &date]);
        if keep {
            cmd.arg("--keep");
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "keep {keep}: {stderr}");
        assert!(stderr.contains("NEWS.md"), "keep {keep}: {stderr}");
        assert_eq!((snapshot(root), snapshot(outside.path())), before);
    }
}

/// `build --yes` (towncrier's flag, in release scripts) is accepted; a held `index.lock`
/// is refused before the news file is written (the `git add` after it would fail and
/// leave the section written with the fragments still there).
#[test]
fn build_takes_yes_and_refuses_a_held_index_lock() {
    let (version, date, dir) = backend_ai_cases()
        .into_iter()
        .find(|c| c.0 == "26.4.4rc9")
        .unwrap();
    let repo = repo_from(&dir.join("before"));
    let root = repo.path();
    std::fs::write(root.join(".git/index.lock"), "").unwrap();
    let before = snapshot(root);
    let out = git_release(root)
        .args(["build", &version, "--date", &date, "--yes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("index.lock"), "{stderr}");
    assert_eq!(snapshot(root), before);
    std::fs::remove_file(root.join(".git/index.lock")).unwrap();
    git_release(root)
        .args(["build", &version, "--date", &date, "--yes"])
        .assert()
        .success();
    assert!(
        std::fs::read(root.join("CHANGELOG.md")).unwrap()
            == std::fs::read(dir.join("after/CHANGELOG.md")).unwrap()
    );
}
