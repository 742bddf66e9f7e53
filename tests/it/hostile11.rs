//! Hostile rounds 9 and 10, the leftovers of reading the changelog and the versions: a final
//! older than a post-release's section, fences and reference links in every container,
//! headings marked unreleased, floating tags, the version file's spelling, category typos,
//! an empty `SOURCE_DATE_EPOCH`. (Repro scripts: /work/hostile10/NN-*.sh,
//! /work/hostile9/NN-*.sh.)

use std::path::Path;

use crate::hostile::refused;
use crate::release::{project, project_after_rc, read};
use crate::util::{self, ok, run, text};
use crate::versions::planned;

const DATE: [&str; 2] = ["--date", "2025-03-01"];

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
        let out = crate::hostile12::consolidate(root);
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

/// A grouping command that puts the first two entries of the first category it is given in
/// one group (the others in `other`) titled `title`, described by `description` (written into a script in the
/// repository's git directory, which no release reads).
pub(crate) fn command_grouping(root: &Path, title: &str, description: &str) -> String {
    let script = root.join(".git/group.py");
    std::fs::write(
        &script,
        format!(
            "import json, sys\nd = json.load(sys.stdin); out = []\n\
             for k, c in enumerate(d['categories']):\n\
             \x20   ids = [e['id'] for e in c['entries']]\n\
             \x20   groups = [{{'title': {title:?}, 'description': {description:?}, \
             'entries': ids[:2]}}] if k == 0 else []\n\
             \x20   out.append({{'name': c['name'], 'groups': groups, \
             'other': ids[2:] if k == 0 else ids}})\n\
             print(json.dumps({{'categories': out}}))\n"
        ),
    )
    .unwrap();
    format!("python3 '{}'", script.display())
}

/// hostile9/06 (rest): `[docs]` in a group title or description is a shortcut reference,
/// a link wherever the changelog defines the label (`[docs]: https://…`, a footer's;
/// definitions are document-wide, matched without case): refused naming the definition's
/// line, and nothing changes (on main it was published as "plain text", a link on GitHub).
/// A label the changelog does not define, one in code, or escaped brackets stay text.
#[test]
fn a_title_referencing_a_label_the_changelog_defines_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    let log = read(root, "CHANGELOG.md") + "\n[docs]: https://example.com/docs\n";
    util::write_file(root, "CHANGELOG.md", &log);
    util::commit_all(root, "a footer of link definitions");
    let line = log.lines().position(|l| l.starts_with("[docs]:")).unwrap() + 1;
    let consolidate = |title: &str, description: &str| {
        let command = command_grouping(root, title, description);
        let args = [
            "consolidate",
            "1.1.0",
            "--dry-run",
            "--no-edit",
            "--strategy",
            "command",
        ];
        let mut args = args.to_vec();
        args.extend(["--command", &command, DATE[0], DATE[1]]);
        run(root, &args, "false")
    };
    for (title, description) in [
        ("Usage [Docs]", "Added usage reports."),
        ("Usage Reports", "Added usage reports, see [docs]."),
        ("Usage Reports", "See [ DOCS ] for more."),
    ] {
        let args = [
            "1.1.0",
            "--yes",
            "--no-edit",
            "--strategy",
            "command",
            "--command",
        ];
        let command = command_grouping(root, title, description);
        let mut args = args.to_vec();
        args.extend([command.as_str(), DATE[0], DATE[1]]);
        let stderr = refused(root, &args, title);
        assert!(
            stderr.contains(&format!("CHANGELOG.md:{line} defines as a link"))
                && stderr.contains("`[docs]`"),
            "{title} / {description}: {stderr}"
        );
        let out = consolidate(title, description);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    }
    for (title, description) in [
        ("Usage [Guide]", "Added usage reports, see [guide]."),
        ("Usage `[docs]`", "See \\[docs\\]."),
    ] {
        let out = consolidate(title, description);
        ok(&out, title);
        assert!(
            text(&out.stdout).contains(&format!("#### {title}")),
            "{}",
            text(&out.stdout)
        );
    }
}

/// Round 10 (no script): a heading marked unreleased (`## 1.1.0 (unreleased)`, towncrier's
/// users' convention; keep-a-changelog's `[1.1.0] - Unreleased`) is no release: 1.1.0rc1
/// is planned, and the entry it lists that a fragment also has is not dropped as released
/// (on main: "CHANGELOG.md has a `1.1.0` section: 1.1.0 was released"). The final is
/// refused, saying the heading is not read as a release and how to write it (its entries
/// would not be folded).
#[test]
fn a_heading_marked_unreleased_is_no_release() {
    for heading in ["## 1.1.0 (unreleased)", "## [1.1.0] - Unreleased"] {
        let repo = project("");
        let root = repo.path();
        with_section(
            root,
            &format!(
                "{heading}\n\n### Features\n* Add fair share scheduler ([#10](https://example.com/demo/pull/10))"
            ),
        );
        let plan = planned(root, "1.1.0rc1", &[]);
        assert!(!plan.contains("already released"), "{heading}: {plan}");
        let out = run(
            root,
            &["build", "1.1.0rc1", "--draft", DATE[0], DATE[1]],
            "false",
        );
        ok(&out, heading);
        assert!(
            text(&out.stdout).contains("[#10]("),
            "{}",
            text(&out.stdout)
        );
        let stderr = refused(
            root,
            &["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]],
            heading,
        );
        assert!(
            stderr.contains("is not read as a release") && stderr.contains("(<date>)"),
            "{heading}: {stderr}"
        );
    }
}

/// Round 10 (no script): floating major and minor tags (GitHub Actions' `v2`, Docker's
/// `v2.0`, moved to each release of their line) are no releases: `2.0.0-rc.1` and, once
/// it is out (the version file SemVer), the final `2.0.0` are planned beside them, and so is
/// `2.0.0rc1` beside `v2` (on main: "the tag `v2` exists: 2 was released"). PEP 440's `2.0`
/// is 2.0.0's own tag, made by hand, and still refuses 2.0.0rc1.
#[test]
fn floating_tags_block_no_release() {
    let repo = project("");
    let root = repo.path();
    util::git(root, &["tag", "v2"]);
    util::git(root, &["tag", "v2.0"]);
    util::git(root, &["tag", "v3"]);
    planned(root, "2.0.0-rc.1", &[]);
    util::git(root, &["tag", "-d", "v2.0"]);
    planned(root, "2.0.0rc1", &[]);
    util::git(root, &["tag", "2.0"]);
    let stderr = refused(root, &["2.0.0rc1", "--yes", "--no-edit"], "2.0.0rc1");
    assert!(stderr.contains("the tag `2.0` exists"), "{stderr}");
    util::git(root, &["tag", "-d", "2.0"]);
    util::release_and_merge(
        root,
        "2.0.0-rc.1",
        &["--yes", "--no-edit", DATE[0], DATE[1]],
        &[],
        "false",
    );
    util::git(root, &["tag", "v2.0"]);
    let plan = planned(root, "2.0.0", &[]);
    assert!(plan.contains("2.0.0-rc.1 → 2.0.0"), "{plan}");
}

/// `git release consolidate 1.1.0 --dry-run --no-edit` on the release date, which must
/// succeed (`label` names the case in a failure).
fn dry_consolidate(root: &Path, label: &str) -> std::process::Output {
    let args = [
        "consolidate",
        "1.1.0",
        "--dry-run",
        "--no-edit",
        DATE[0],
        DATE[1],
    ];
    let out = run(root, &args, "false");
    ok(&out, label);
    out
}

/// hostile9 (no script): a typo in `[consolidate] categories` (`Featurez`) grouped nothing,
/// silently. A near miss of one of towncrier's types is a configuration error (exit 3)
/// naming the file, the key and the type meant, for every command that reads the
/// configuration, and nothing changes; a name far from every type (a category the rc
/// sections may hold) is a warning; a type's name in any case is fine.
#[test]
fn a_typo_in_the_grouped_categories_is_refused() {
    for typo in ["Featurez", "fixes ", "Feature"] {
        let repo = project(&format!(
            "\n[consolidate]\ncategories = [\"Fixes\", \"{typo}\"]\n"
        ));
        let root = repo.path();
        for args in [
            &["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]][..],
            &["consolidate", "1.1.0", "--dry-run", "--no-edit"][..],
        ] {
            let stderr = refused(root, args, typo);
            assert!(
                stderr.contains(".git-release.toml")
                    && stderr.contains("consolidate.categories")
                    && stderr.contains(&format!("\"{typo}\""))
                    && stderr.contains("did you mean \""),
                "{typo}: {stderr}"
            );
        }
    }
    let repo = project("\n[consolidate]\ncategories = [\"features\", \"FIXES\", \"Security\"]\n");
    let root = repo.path();
    let plan = planned(root, "1.1.0", &[]);
    assert!(
        plan.contains("\"Security\", which is none of towncrier's types"),
        "{plan}"
    );
    assert!(
        !plan.contains("\"features\"") && !plan.contains("\"fix\""),
        "{plan}"
    );
}

/// The same for a rules file's `categories`: a near miss of a category of the release
/// (`Featurez`) or a type's directory (`feature`: a rule names a category as its heading
/// does) is refused naming the file, the rule and the category meant (on main the rule
/// never applied, silently); a name far from all, or any in a learned rule, is a warning;
/// the name in any case is fine.
#[test]
fn a_typo_in_a_rules_files_categories_is_refused() {
    let rules = |category: &str| {
        format!(
            "[[group]]\ntitle = \"Fair Share\"\nkeywords = [\"fair share\"]\ncategories = [\"{category}\"]\n"
        )
    };
    let repo = project("\n[consolidate]\nrules = \"rules.toml\"\nstrategy = \"rules\"\n");
    let root = repo.path();
    for (typo, meant) in [
        ("Featurez", "Features"),
        ("feature", "Features"),
        ("Fixs", "Fixes"),
    ] {
        util::write_file(root, "rules.toml", &rules(typo));
        util::commit_all(root, typo);
        for args in [
            &["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]][..],
            &["consolidate", "1.1.0", "--dry-run", "--no-edit"][..],
        ] {
            let stderr = refused(root, args, typo);
            assert!(
                stderr.contains("rules.toml")
                    && stderr.contains("group `Fair Share`")
                    && stderr.contains(&format!("did you mean \"{meant}\"")),
                "{typo}: {stderr}"
            );
        }
    }
    util::write_file(root, "rules.toml", &rules("Security"));
    util::commit_all(root, "Security");
    planned(root, "1.1.0", &[]);
    let out = dry_consolidate(root, "Security");
    let said = text(&out.stdout) + &text(&out.stderr);
    assert!(
        said.contains("\"Security\", which is no category"),
        "{said}"
    );
    // A learned rule (evidence; its history's category may since have been renamed) is
    // warned about only.
    util::write_file(
        root,
        "rules.toml",
        &(rules("Featurez") + "learned = true\n"),
    );
    util::commit_all(root, "learned");
    let out = dry_consolidate(root, "learned");
    let said = text(&out.stdout) + &text(&out.stderr);
    assert!(
        said.contains("\"Featurez\", which is no category"),
        "{said}"
    );
    util::write_file(root, "rules.toml", &rules("FEATURES"));
    util::commit_all(root, "FEATURES");
    let out = dry_consolidate(root, "FEATURES");
    assert!(
        text(&out.stdout).contains("#### Fair Share"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        !text(&out.stderr).contains("no category"),
        "{}",
        text(&out.stderr)
    );
}

/// A step that fails until `ok` exists: the release stops after the version file's step.
const FLAKY_STEP: &str = "\n[[step]]\nname = \"check\"\nrun = \"test -f ok || exit 1\"\n";

/// A project whose version file spells its version with a `v` (`spelling`: `v` or `V`).
fn project_with_v(spelling: &str) -> tempfile::TempDir {
    let repo = project(FLAKY_STEP);
    util::write_file(repo.path(), "VERSION", &format!("{spelling}1.0.0\n"));
    util::commit_all(repo.path(), "the version file with a v");
    repo
}

/// hostile10 (the version file's spelling): VERSION `v1.0.0` and `git release 1.1.0` wrote
/// `1.1.0`, while the next-version file keeps its `v`. The version file's step writes the
/// file's own spelling (`v1.1.0`, `V1.1.0`), and the guard reads it back as the version: a
/// release stopped after the step continues (not "work lost"), one whose version file was
/// undone while stopped does the step again, and abort gives back `v1.0.0`. The commit and
/// the summary name the version as the command did.
#[test]
fn the_version_file_keeps_its_v() {
    for spelling in ["v", "V"] {
        let repo = project_with_v(spelling);
        let root = repo.path();
        let base = crate::release::head(root);
        let before = util::snapshot(root);
        let args = ["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]];
        let stderr = util::one_error(&run(root, &args, "false"), "first run");
        assert!(stderr.contains("test -f ok || exit 1"), "{stderr}");
        assert_eq!(read(root, "VERSION"), format!("{spelling}1.1.0\n"));

        // Abort gives back the file as it was, and nothing else changed.
        ok(&run(root, &["abort"], "false"), "abort");
        assert_eq!(util::snapshot(root), before, "{spelling}: abort");
        assert_eq!(crate::release::current_branch(root), "main");

        // Stopped again; the version file undone while stopped (a checkout): its step
        // runs again, keeping the `v`.
        util::one_error(&run(root, &args, "false"), "second run");
        util::git(root, &["checkout", "--quiet", "--", "VERSION"]);
        assert_eq!(read(root, "VERSION"), format!("{spelling}1.0.0\n"));
        util::write_file(root, "ok", "");
        util::git(root, &["add", "ok"]);
        let out = run(root, &["continue", "--yes"], "false");
        ok(&out, "continue");
        let said = text(&out.stderr);
        assert!(
            said.contains("no longer in the work tree: it runs again"),
            "{said}"
        );
        assert_eq!(read(root, "VERSION"), format!("{spelling}1.1.0\n"));
        assert_eq!(
            crate::release::subjects_since(root, &base),
            [
                "release: 1.1.0",
                "chore: bump NEXT_RELEASE_VERSION to 1.2.0"
            ]
        );
        assert!(
            text(&out.stdout).contains("Version:    1.1.0\n"),
            "{}",
            text(&out.stdout)
        );
        let committed = util::git(root, &["show", "HEAD~1:VERSION"]);
        assert_eq!(committed, format!("{spelling}1.1.0\n"));
    }
    // Stopped after the version file's step and continued as it is: not work lost.
    let repo = project_with_v("v");
    let root = repo.path();
    let args = ["1.1.0", "--yes", "--no-edit", DATE[0], DATE[1]];
    util::one_error(&run(root, &args, "false"), "first run");
    util::write_file(root, "ok", "");
    util::git(root, &["add", "ok"]);
    let out = run(root, &["continue", "--yes"], "false");
    ok(&out, "continue");
    assert!(
        !text(&out.stderr).contains("runs again"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(util::git(root, &["show", "HEAD~1:VERSION"]), "v1.1.0\n");
}

/// hostile10 (empty `SOURCE_DATE_EPOCH`): set but empty, or only whitespace, it was refused
/// ("must be a number", exit 2) where git ignores it and towncrier crashes. It is unset:
/// the date is today's, as without it; a value that is no number is still refused.
#[test]
fn an_empty_source_date_epoch_is_unset() {
    let repo = project("");
    let root = repo.path();
    let draft = |epoch: &str| {
        util::git_release(root)
            .args(["build", "1.1.0", "--draft"])
            .env("SOURCE_DATE_EPOCH", epoch)
            .env("TZ", "UTC")
            .output()
            .unwrap()
    };
    let heading = |out: &std::process::Output| {
        let stdout = text(&out.stdout);
        stdout.lines().next().unwrap_or("").to_string()
    };
    let out = draft("1700000000");
    ok(&out, "a number");
    assert!(heading(&out).contains("(2023-11-14)"), "{}", heading(&out));
    for epoch in ["", " ", "\t\n"] {
        let before = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
        let out = draft(epoch);
        let after = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
        ok(&out, &format!("SOURCE_DATE_EPOCH={epoch:?}"));
        let line = heading(&out);
        assert!(
            line.contains(&format!("({before})")) || line.contains(&format!("({after})")),
            "{epoch:?}: {line}"
        );
    }
    let out = draft("yesterday");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("SOURCE_DATE_EPOCH"));
}

/// hostile11/10: an rc section's category written in markup that renders as a configured
/// one (`### **Features**`, `### [Features](#features)`) was a second category: the final
/// had two Features headings, the rc's entries kept apart from the fragments'. It is a
/// near miss of the category it renders as, refused before anything is written, naming it.
#[test]
fn a_category_in_markup_is_the_near_miss_of_the_one_it_renders_as() {
    for written in ["**Features**", "[Features](#features)"] {
        let repo = project("");
        let root = repo.path();
        with_section(
            root,
            &format!("## 1.1.0rc1 (2025-02-01)\n\n### {written}\n\n* Add the rc's part (#11)"),
        );
        let stderr = refused(
            root,
            &[
                "consolidate",
                "1.1.0",
                "--dry-run",
                "--no-edit",
                DATE[0],
                DATE[1],
            ],
            written,
        );
        assert!(
            stderr.contains(written) && stderr.contains("did you mean `Features`"),
            "{written}: {stderr}"
        );
    }
}
