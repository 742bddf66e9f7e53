//! reStructuredText changelogs read as releases (hostile18's 01, 04, 05, 08), on real
//! projects' layouts (`tests/fixtures/hx26-rst/`: twine, keyring, pypa/build): their
//! release titles give the current version and the version order, keep the `v` the
//! project writes, and a pre-release's section is counted where the release wrote it.

use std::path::Path;

use crate::util::{self, commit_all, git, ok, one_error, repo_from, run, write_file, write_files};

fn fixture(name: &str) -> tempfile::TempDir {
    repo_from(&util::fixtures().join("hx26-rst").join(name))
}

/// The plan's `Version:` line, spaces squashed.
fn version_line(plan: &str) -> String {
    plan.lines()
        .find(|l| l.trim_start().starts_with("Version:"))
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn dry_run(root: &Path, version: &str) -> std::process::Output {
    run(root, &[version, "--dry-run", "--yes"], "false")
}

/// twine (no version file, no tag: a clone without tags): the newest release title of
/// `docs/changelog.rst` is the current version, so a downgrade is refused, nothing
/// changed, and a newer pre-release plans from it.
#[test]
fn twine_s_rst_history_is_the_current_version_without_tags() {
    let repo = fixture("twine");
    let root = repo.path();
    write_file(root, "changelog/1300.feature.rst", "Added x.\n");
    commit_all(root, "fragment");
    let before = util::snapshot(root);
    let out = run(root, &["6.0.0rc1", "--yes", "--no-edit"], "false");
    let err = one_error(&out, "6.0.0rc1 below twine 7.0.0");
    assert!(
        err.contains("not newer than the current version 7.0.0"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(util::snapshot(root), before, "a refusal changes nothing");
    assert!(git(root, &["branch", "--list", "release/*"]).is_empty());

    let out = dry_run(root, "7.1.0rc1");
    ok(&out, "7.1.0rc1 dry run");
    let plan = util::text(&out.stdout);
    assert_eq!(version_line(&plan), "Version: 7.0.0 → 7.1.0rc1", "{plan}");
}

/// pytest-xdist's and pytest-asyncio's title shapes (`pytest-xdist 3.8.0 (date)` over
/// `===`; a linked title `` `1.6.0 <…/tree/1.6.0>`_ - date ``), below a document title
/// and the start string: read as releases. A category title naming a version is none.
#[test]
fn named_and_linked_rst_titles_are_releases() {
    for (title, newest) in [
        ("pytest-xdist 3.8.0 (2025-06-30)", "3.8.0"),
        (
            "`1.6.0 <https://github.com/pytest-dev/pytest-asyncio/tree/1.6.0>`_ - 2026-01-02",
            "1.6.0",
        ),
    ] {
        let under = "=".repeat(title.chars().count());
        let changelog = format!(
            "=========\nChangelog\n=========\n\n.. towncrier release notes start\n\n\
             {title}\n{under}\n\nFeatures 9.9.9\n--------------\n\n\
             - `#1142 <https://github.com/pytest-dev/pytest-xdist/issues/1142>`_: Added \
             support for Python 3.13.\n\n\
             pytest-xdist 0.9.0 (2020-05-26)\n===============================\n\n\
             Bugfixes\n--------\n\n- Fixed a crash.\n"
        );
        let pyproject = "[project]\nname = \"pytest-xdist\"\ndynamic = [\"version\"]\n\n\
                         [tool.towncrier]\nfilename = \"CHANGELOG.rst\"\ndirectory = \"changelog\"\n";
        let repo = util::repo_with(&[
            ("pyproject.toml", pyproject),
            ("CHANGELOG.rst", &changelog),
            ("changelog/1200.feature.rst", "Added y.\n"),
        ]);
        let root = repo.path();
        let out = dry_run(root, "1.0.0rc1");
        let err = one_error(&out, title);
        assert!(
            err.contains(&format!("not newer than the current version {newest}")),
            "{title}: {err}"
        );
        let out = dry_run(root, "9.0.0rc1");
        ok(&out, title);
        assert_eq!(
            version_line(&util::text(&out.stdout)),
            format!("Version: {newest} → 9.0.0rc1"),
            "{title}"
        );
    }
}

/// pypa/build (over- and underlined titles, a version file at 1.6.1): a `1.7.0` title
/// merged from elsewhere refuses `1.7.0rc1` (the version order reads rst titles too);
/// a Bugfixes category over- and underlined in `*` is no release.
#[test]
fn overlined_rst_titles_count_for_the_version_order() {
    let repo = fixture("build");
    let root = repo.path();
    let log = std::fs::read_to_string(root.join("CHANGELOG.rst")).unwrap();
    let merged = format!(
        "####################\n 1.7.0 (2026-11-01)\n####################\n\n\
         **********\n Features\n**********\n\n- Added z. (:issue:`1190`)\n\n{log}"
    );
    write_files(
        root,
        &[
            ("CHANGELOG.rst", merged.as_str()),
            ("docs/changelog/1180.feature.rst", "Added foo.\n"),
        ],
    );
    commit_all(root, "merged from elsewhere");
    let out = dry_run(root, "1.7.0rc1");
    let err = one_error(&out, "1.7.0rc1 after a 1.7.0 title");
    assert!(err.contains("1.7.0"), "{err}");
    assert!(err.contains("CHANGELOG.rst"), "{err}");
    // Another base is not refused by it.
    ok(&dry_run(root, "1.6.2rc1"), "1.6.2rc1");
}

/// keyring (jaraco skeleton: every title `v25.7.0`, `title_format = "{version}"`, no
/// version file): `git release v25.8.0rc1` writes `v25.8.0rc1` as towncrier does, with
/// the `v` tag or from the history alone; with no release in the changelog yet, the
/// newest tag's `v` keeps it; a history written without `v` writes none, whatever the
/// tags (`25.7.0` titled, `v25.7.0` tagged).
#[test]
fn keyring_s_v_titles_and_tags_keep_the_typed_v() {
    // NEWS.rst as shipped (`v25.7.0` titles), its titles without `v`, or no release yet.
    #[derive(Clone, Copy)]
    enum History {
        V,
        Plain,
        Empty,
    }
    let title_of = |history: History, tag: Option<&str>| {
        let repo = fixture("keyring");
        let root = repo.path();
        let log = std::fs::read_to_string(root.join("NEWS.rst")).unwrap();
        match history {
            History::V => {}
            History::Plain => write_file(
                root,
                "NEWS.rst",
                &log.replace("\nv25.", "\n25.")
                    .replacen("v25.7.0\n=======", "25.7.0\n======", 1),
            ),
            History::Empty => write_file(root, "NEWS.rst", ""),
        }
        write_file(root, "newsfragments/700.feature.rst", "Added x.\n");
        commit_all(root, "fragment");
        if let Some(tag) = tag {
            git(root, &["tag", tag]);
        }
        let out = run(root, &["v25.8.0rc1", "--yes", "--no-edit"], "false");
        ok(&out, "v25.8.0rc1");
        let news = git(root, &["show", "HEAD:NEWS.rst"]);
        news.lines().take(2).collect::<Vec<_>>().join("\n")
    };
    let v = "v25.8.0rc1\n==========";
    let plain = "25.8.0rc1\n=========";
    assert_eq!(title_of(History::V, Some("v25.7.0")), v);
    assert_eq!(title_of(History::V, None), v);
    assert_eq!(title_of(History::Empty, Some("v25.7.0")), v);
    assert_eq!(title_of(History::Empty, Some("25.7.0")), plain);
    assert_eq!(title_of(History::Empty, None), plain);
    assert_eq!(title_of(History::Plain, Some("v25.7.0")), plain);
}

/// pypa/build (`title_format = false`, its template writing the title over- and
/// underlined, `CHANGELOG.rst` with no start string): each pre-release after the first
/// commits its section — the previous title's overline, as long as the new one's, is no
/// end of it: rc2 after rc1 (same title length), 1.8.0rc1 after rc2, and 1.8.0rc2 after a
/// stop at a step (counted again by `continue`).
#[test]
fn build_s_overlined_titles_let_every_pre_release_commit() {
    let repo = fixture("build");
    let root = repo.path();
    for (version, fragment, text) in [
        ("1.7.0rc1", "1180.feature", "Added foo."),
        ("1.7.0rc2", "1181.bugfix", "Fixed bar."),
        ("1.8.0rc1", "1182.bugfix", "Fixed baz."),
    ] {
        write_file(
            root,
            &format!("docs/changelog/{fragment}.rst"),
            &format!("{text}\n"),
        );
        commit_all(root, fragment);
        let out = run(root, &[version, "--yes", "--no-edit"], "false");
        ok(&out, version);
        let log = git(root, &["show", "HEAD:CHANGELOG.rst"]);
        let issue = fragment.split('.').next().unwrap();
        assert_eq!(
            log.matches(&format!("- {text} (:issue:`{issue}`)")).count(),
            1,
            "{version}: {log}"
        );
        let title = format!(" {version} (");
        assert!(log.lines().any(|l| l.starts_with(&title)), "{log}");
        let stat = git(root, &["show", "--stat", "--format=%s", "HEAD"]);
        assert!(stat.starts_with(&format!("release: {version}")), "{stat}");
        assert!(stat.contains(fragment), "{stat}");
        git(root, &["checkout", "--quiet", "main"]);
        git(
            root,
            &[
                "merge",
                "--quiet",
                "--ff-only",
                &format!("release/{version}"),
            ],
        );
    }
    // Stopped at a step after the changelog step wrote the section, then continued.
    let flag = tempfile::tempdir().unwrap();
    let flag = flag.path().join("ok");
    let step = format!(
        "[[step]]\nname = \"docs\"\nrun = \"test -f '{}'\"\n",
        flag.display()
    );
    write_files(
        root,
        &[
            (".git-release.toml", step.as_str()),
            ("docs/changelog/1183.feature.rst", "Added qux.\n"),
        ],
    );
    commit_all(root, "a step, a fragment");
    let out = run(root, &["1.8.0rc2", "--yes", "--no-edit"], "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    std::fs::write(&flag, "").unwrap();
    ok(&run(root, &["continue"], "false"), "continue");
    let log = git(root, &["show", "HEAD:CHANGELOG.rst"]);
    assert_eq!(
        log.matches("- Added qux. (:issue:`1183`)").count(),
        1,
        "{log}"
    );
    assert_eq!(log.matches("(:issue:`1182`)").count(), 1, "{log}");
}

/// twine's layout: a release stopped at a step after its changelog step wrote the
/// reStructuredText section, then finished by `continue` (the step fixed) or `continue
/// --skip` (the step done by hand): the summary reports the section the release commit
/// holds, as an uninterrupted run does — in text and JSON.
#[test]
fn continue_reports_the_rst_section_the_release_commit_holds() {
    for (skip, json) in [(false, true), (true, true), (false, false), (true, false)] {
        let repo = fixture("twine");
        let root = repo.path();
        let flag = tempfile::tempdir().unwrap();
        let flag = flag.path().join("ok");
        let step = format!(
            "[[step]]\nname = \"docs\"\nrun = \"test -f '{}'\"\n",
            flag.display()
        );
        write_files(
            root,
            &[
                (".git-release.toml", step.as_str()),
                ("changelog/10.feature.rst", "Added x.\n"),
                ("changelog/11.bugfix.rst", "Fixed y.\n"),
            ],
        );
        commit_all(root, "a step, fragments");
        let out = run(root, &["7.1.0rc1", "--yes", "--no-edit"], "false");
        assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
        if !skip {
            std::fs::write(&flag, "").unwrap();
        }
        let mut args = vec!["continue"];
        if skip {
            args.push("--skip");
        }
        if json {
            args.extend(["--format", "json"]);
        }
        let out = run(root, &args, "false");
        ok(&out, &format!("{args:?}"));
        let news = git(root, &["show", "HEAD:docs/changelog.rst"]);
        assert!(news.contains("twine 7.1.0rc1 ("), "{news}");
        let said = util::text(&out.stdout);
        if json {
            let view: serde_json::Value = serde_json::from_str(&said).unwrap();
            assert_eq!(view["entries"], 2, "{args:?}: {said}");
            assert_eq!(view["categories"], 2, "{args:?}: {said}");
        } else {
            let all = format!("{said}{}", util::text(&out.stderr));
            assert!(!all.contains("no new section"), "{args:?}: {all}");
            assert!(all.contains("2 entries"), "{args:?}: {all}");
        }
    }
}
