//! Empty sections (hostile34's follow-up). A final whose only pre-release sections of its
//! version are towncrier's section for no fragments (`No significant changes.`) folds them
//! like any rc: with no fragment it gets towncrier's empty section, the rc sections removed
//! (Markdown; reStructuredText leaves them as published), byte for byte what `build` writes
//! without them — before, it was refused ("every entry of its inputs is already released
//! ()"). The plan says it, the accounting holds (zero entries), `continue`/`abort` exact.

use crate::hostile34::{DATE, Kind, built, project};
use crate::release::read;
use crate::util::{self, git, ok, one_error, release_and_merge, run, text};

const FLAGS: &[&str] = &["--date", DATE, "--yes", "--no-edit"];

/// The changelog `build` writes for `versions` one after the other, in a twin of `kind`'s
/// project (no fragment: towncrier's section for none each time).
fn built_in_turn(kind: Kind, versions: &[&str], extra: &[(&str, &str)]) -> String {
    let twin = project(kind, extra);
    for version in versions {
        ok(
            &run(twin.path(), &["build", version, "--date", DATE], "false"),
            &format!("build {version}"),
        );
        util::commit_all(twin.path(), &format!("build {version}"));
    }
    read(twin.path(), kind.changelog())
}

/// What the changelog of `kind` holds once the final `version` is released after `rcs`:
/// Markdown folds the rc sections away (build's changelog without them), reStructuredText
/// keeps them as published (build's, in turn).
fn expected(kind: Kind, rcs: &[&str], version: &str, extra: &[(&str, &str)]) -> String {
    match kind {
        Kind::Markdown => built(kind, version, extra),
        Kind::Rst => built_in_turn(kind, &[rcs, &[version]].concat(), extra),
    }
}

/// A patch final after one empty rc, and a sprint final (its next-version commit apart)
/// after two, of a Markdown and a reStructuredText changelog: the dry run's plan says the
/// empty section and changes nothing; the release commits build's section.
#[test]
fn a_final_after_empty_pre_releases_writes_towncriers_empty_section() {
    let cases: [(&[&str], &str); 2] = [
        (&["1.0.1rc1"], "1.0.1"),
        (&["1.1.0rc1", "1.1.0rc2"], "1.1.0"),
    ];
    for kind in [Kind::Markdown, Kind::Rst] {
        for (rcs, version) in cases {
            let what = format!("{kind:?} {version}");
            let want = expected(kind, rcs, version, &[]);
            assert!(want.contains("No significant changes."), "{what}: {want}");
            let repo = project(kind, &[]);
            let root = repo.path();
            for rc in rcs {
                release_and_merge(root, rc, FLAGS, &[], "false");
            }
            let before = util::snapshot(root);
            let dry = run(
                root,
                &[&[version][..], FLAGS, &["--dry-run"]].concat(),
                "false",
            );
            ok(&dry, &format!("{what}: dry run"));
            let plan = text(&dry.stdout);
            let mut newest_first: Vec<&str> = rcs.to_vec();
            newest_first.reverse();
            let said = match kind {
                Kind::Markdown => vec![
                    format!("RC merged:  {}", newest_first.join(", ")),
                    "Fragments:  none, and the rc sections list no entry: the changelog gets \
                     towncrier's section for no fragments"
                        .to_string(),
                    format!(
                        "Consolidate {} into CHANGELOG.md: no entries (towncrier's empty section)",
                        newest_first.join(", ")
                    ),
                ],
                Kind::Rst => vec![
                    "Fragments:  none: the changelog gets towncrier's section for no fragments"
                        .to_string(),
                    "Build NEWS.rst: no fragments (towncrier's empty section)".to_string(),
                ],
            };
            for said in said {
                assert!(plan.contains(&said), "{what}: `{said}` in\n{plan}");
            }
            assert_eq!(util::snapshot(root), before, "{what}: the dry run");
            let out = run(root, &[&[version][..], FLAGS].concat(), "false");
            ok(&out, &what);
            let said = text(&out.stdout) + &text(&out.stderr);
            assert!(said.contains("Changelog:  no entries"), "{what}: {said}");
            // Nothing is named as left out of a section that says it, nor counted.
            assert!(!said.contains("left out of"), "{what}: {said}");
            assert!(!said.contains("cannot be counted"), "{what}: {said}");
            let branch = format!("release/{version}");
            let committed = git(root, &["show", &format!("{branch}:{}", kind.changelog())]);
            assert_eq!(committed, want, "{what}: the committed changelog");
            let subjects = git(root, &["log", "--format=%s", &format!("main..{branch}")]);
            let sprint = version.ends_with(".0");
            assert_eq!(
                subjects.lines().count(),
                if sprint { 2 } else { 1 },
                "{what}: {subjects}"
            );
            if sprint {
                assert_eq!(read(root, "version.py"), "NEXT = \"1.2.0\"\n", "{what}");
                let release_commit =
                    git(root, &["show", &format!("{branch}~1:{}", kind.changelog())]);
                assert_eq!(release_commit, want, "{what}: the release commit");
            }
            assert_eq!(git(root, &["status", "--porcelain"]), "", "{what}");
        }
    }
}

/// The plan as data: zero entries, the rc section folded; and the `consolidate` command
/// writes the same section.
#[test]
fn the_plan_counts_no_entry_and_consolidate_agrees() {
    let repo = project(Kind::Markdown, &[]);
    let root = repo.path();
    release_and_merge(root, "1.0.1rc1", FLAGS, &[], "false");
    let out = run(
        root,
        &["1.0.1", "--date", DATE, "--dry-run", "--format", "json"],
        "false",
    );
    ok(&out, "json plan");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["entries"], 0, "{plan}");
    assert_eq!(
        plan["rc_sections"],
        serde_json::json!(["1.0.1rc1"]),
        "{plan}"
    );
    ok(
        &run(
            root,
            &["consolidate", "1.0.1", "--date", DATE, "--no-edit"],
            "false",
        ),
        "consolidate",
    );
    assert_eq!(
        read(root, "CHANGELOG.md"),
        built(Kind::Markdown, "1.0.1", &[])
    );
}

/// An rc section that is a bare heading (written by hand, nothing under it), and one of a
/// template whose text for none is its own: the first gets towncrier's section for none,
/// laid out as the template writes it; the second's text is carried, as any rc's text is.
#[test]
fn a_bare_or_custom_empty_rc_section_folds_too() {
    let rc = "## 1.0.1rc1 (2025-01-20)\n\n";
    let repo = project(Kind::Markdown, &[]);
    let root = repo.path();
    let log = read(root, "CHANGELOG.md").replace("## 1.0.0", &format!("{rc}## 1.0.0"));
    util::write_files(root, &[("CHANGELOG.md", &log), ("VERSION", "1.0.1rc1\n")]);
    util::commit_all(root, "rc1 by hand");
    ok(
        &run(root, &[&["1.0.1"][..], FLAGS].concat(), "false"),
        "bare",
    );
    assert_eq!(
        git(root, &["show", "release/1.0.1:CHANGELOG.md"]),
        built(Kind::Markdown, "1.0.1", &[])
    );

    let custom = "## 1.0.1rc1 (2025-01-20)\n\nA rebuild only.\n\n\n";
    let repo = project(Kind::Markdown, &[]);
    let root = repo.path();
    let log = read(root, "CHANGELOG.md").replace("## 1.0.0", &format!("{custom}## 1.0.0"));
    util::write_files(root, &[("CHANGELOG.md", &log), ("VERSION", "1.0.1rc1\n")]);
    util::commit_all(root, "rc1 by hand");
    ok(
        &run(root, &[&["1.0.1"][..], FLAGS].concat(), "false"),
        "custom",
    );
    let committed = git(root, &["show", "release/1.0.1:CHANGELOG.md"]);
    assert!(
        committed.contains("## 1.0.1 (2025-02-01)\n\nA rebuild only.\n\n\n## 1.0.0"),
        "{committed}"
    );
    assert!(!committed.contains("rc1"), "{committed}");
}

/// A new fragment after an empty rc: the final lists it, the rc's text for none left out
/// (said), the rc section removed. A stale fragment alone after an empty rc is refused
/// naming the PR it lists, nothing changed.
#[test]
fn a_final_with_fragments_after_an_empty_rc() {
    let repo = project(Kind::Markdown, &[]);
    let root = repo.path();
    release_and_merge(root, "1.0.1rc1", FLAGS, &[], "false");
    util::write_files(root, &[("changes/5.feature.md", "New thing.\n")]);
    util::commit_all(root, "fragment");
    let out = run(root, &[&["1.0.1"][..], FLAGS].concat(), "false");
    ok(&out, "with a fragment");
    let said = text(&out.stderr);
    assert!(
        said.contains("in 1.0.1rc1 is towncrier's text for no entries: left out of 1.0.1"),
        "{said}"
    );
    let committed = git(root, &["show", "release/1.0.1:CHANGELOG.md"]);
    assert!(
        committed.contains(
            "## 1.0.1 (2025-02-01)\n\n### Features\n\n\
             - New thing. ([#5](https://example.com/demo/pull/5))\n\n\n## 1.0.0"
        ),
        "{committed}"
    );
    assert!(!committed.contains("No significant"), "{committed}");

    let repo = project(Kind::Markdown, &[]);
    let root = repo.path();
    release_and_merge(root, "1.0.1rc1", FLAGS, &[], "false");
    util::write_files(root, &[("changes/1.feature.md", "First.\n")]);
    util::commit_all(root, "stale fragment");
    let before = util::snapshot(root);
    let out = run(root, &[&["1.0.1"][..], FLAGS].concat(), "false");
    let stderr = one_error(&out, "stale only");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("already released (#1)"), "{stderr}");
    assert_eq!(util::snapshot(root), before);
    assert_eq!(git(root, &["branch", "--list", "release/1.0.1"]), "");
}

/// The empty final through a stop (a step failing after the changelog step): `abort` gives
/// back exactly what the release found; `continue` commits build's section.
#[test]
fn a_stopped_empty_final_continues_and_aborts_exactly() {
    let step = (
        ".git-release.toml",
        "[next-version]\nfile = \"version.py\"\npattern = 'NEXT = \"(?P<version>[^\"]+)\"'\n\n\
         [[step]]\nname = \"check\"\nrun = \"test -f .git/ok\"\n",
    );
    for kind in [Kind::Markdown, Kind::Rst] {
        let want = expected(kind, &["1.0.1rc1"], "1.0.1", &[step]);
        for end in ["abort", "continue"] {
            let what = format!("{kind:?} {end}");
            let repo = project(kind, &[step]);
            let root = repo.path();
            std::fs::write(root.join(".git/ok"), "").unwrap();
            release_and_merge(root, "1.0.1rc1", FLAGS, &[], "false");
            std::fs::remove_file(root.join(".git/ok")).unwrap();
            let before = util::snapshot(root);
            let head = git(root, &["rev-parse", "HEAD"]);
            let out = run(root, &[&["1.0.1"][..], FLAGS].concat(), "false");
            let stderr = one_error(&out, &what);
            assert_eq!(out.status.code(), Some(4), "{what}: {stderr}");
            assert_eq!(read(root, kind.changelog()), want, "{what}: written");
            if end == "abort" {
                ok(&run(root, &["abort"], "false"), &what);
                assert_eq!(util::snapshot(root), before, "{what}");
                assert_eq!(git(root, &["rev-parse", "HEAD"]), head, "{what}");
                assert_eq!(git(root, &["branch", "--list", "release/1.0.1"]), "");
                continue;
            }
            std::fs::write(root.join(".git/ok"), "").unwrap();
            ok(&run(root, &["continue"], "false"), &what);
            assert_eq!(
                git(
                    root,
                    &["show", &format!("release/1.0.1:{}", kind.changelog())]
                ),
                want,
                "{what}"
            );
            assert_eq!(git(root, &["status", "--porcelain"]), "", "{what}");
        }
    }
}

/// `kind`'s project whose template is `template` (Markdown without a title,
/// `title_format = false`, as its section is not read back as a release), with a feature
/// fragment of #5 and a fix fragment of #6.
fn templated(kind: Kind, template: &str) -> tempfile::TempDir {
    let pyproject = match kind {
        Kind::Markdown => {
            "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
             filename = \"CHANGELOG.md\"\ntitle_format = false\ntemplate = \"news.jinja\"\n\
             issue_format = \"[#{issue}](https://example.com/demo/pull/{issue})\"\n"
        }
        Kind::Rst => {
            "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n\
             filename = \"NEWS.rst\"\ntemplate = \"news.jinja\"\n\
             issue_format = \"`#{issue} <https://example.com/demo/pull/{issue}>`_\"\n"
        }
    };
    project(
        kind,
        &[
            ("pyproject.toml", pyproject),
            ("news.jinja", template),
            ("changes/5.feature.md", "New thing.\n"),
            ("changes/6.bugfix.md", "Fixed it.\n"),
        ],
    )
}

/// A template that renders nothing for the fragments, only whitespace, only a title, or
/// leaves a category out, for a section git-release does not read back as a release
/// (reStructuredText; Markdown without a title): refused in pre-flight (exit 3), the dry
/// run too, naming the template's key and file and each fragment dropped, nothing changed —
/// before, the release went through and the fragments were removed, their entries lost.
/// A pre-release, a patch final and a sprint final alike.
#[test]
fn a_template_that_drops_fragments_is_refused_in_pre_flight() {
    let only_fixes = "{% for category in sections[\"\"] %}{% if category == \"bugfix\" %}\
                      {{ definitions[category]['name'] }}\n\n\
                      {% for text, values in sections[\"\"][category].items() %}- {{ text }} \
                      ({{ values|join(', ') }})\n{% endfor %}{% endif %}{% endfor %}\n";
    let templates = [
        ("", "(nothing but whitespace)"),
        ("  \n\n", "(nothing but whitespace)"),
        ("{{ versiondata.version }} release\n", " release"),
        (only_fixes, "Fixed it."),
    ];
    for kind in [Kind::Markdown, Kind::Rst] {
        for (template, shown) in templates {
            for version in ["1.0.1rc1", "1.0.1", "1.1.0"] {
                let what = format!("{kind:?} {version} {template:?}");
                let repo = templated(kind, template);
                let root = repo.path();
                let before = util::snapshot(root);
                let head = git(root, &["rev-parse", "HEAD"]);
                for dry in [true, false] {
                    let mut args = vec![version];
                    args.extend_from_slice(FLAGS);
                    if dry {
                        args.push("--dry-run");
                    }
                    let out = run(root, &args, "false");
                    let stderr = one_error(&out, &what);
                    assert_eq!(out.status.code(), Some(3), "{what}: {stderr}");
                    for said in [
                        "pyproject.toml: `tool.towncrier.template` is `",
                        "news.jinja`",
                        "changes/5.feature.md",
                        "would be lost",
                        shown,
                    ] {
                        assert!(stderr.contains(said), "{what}: `{said}` in {stderr}");
                    }
                    // The fix the template lists is not named as dropped.
                    assert_eq!(
                        stderr.contains("6.bugfix.md"),
                        template != only_fixes,
                        "{what}: {stderr}"
                    );
                    assert_eq!(util::snapshot(root), before, "{what}");
                    assert_eq!(git(root, &["rev-parse", "HEAD"]), head, "{what}");
                    assert_eq!(git(root, &["branch", "--list", "release/*"]), "", "{what}");
                    assert!(!root.join(".git/git-release/state.json").exists(), "{what}");
                }
            }
        }
    }
}

/// The check asks for no more than the section shows: a template that lists each fragment
/// by its text alone (no issue), or by its issue alone (a type without content), passes
/// and the release writes it.
#[test]
fn a_template_listing_every_fragment_its_own_way_passes() {
    let text_only = "{% for category in sections[\"\"] %}{{ definitions[category]['name'] }}\n\n\
                     {% for text, values in sections[\"\"][category].items() %}- {{ text }}\n\
                     {% endfor %}\n{% endfor %}";
    let issues_only = "{% for category in sections[\"\"] %}{{ definitions[category]['name'] }}\n\n\
                       {% for text, values in sections[\"\"][category].items() %}- \
                       {{ values|join(', ') }}\n{% endfor %}\n{% endfor %}";
    for kind in [Kind::Markdown, Kind::Rst] {
        for template in [text_only, issues_only] {
            let what = format!("{kind:?} {template:?}");
            let repo = templated(kind, template);
            let root = repo.path();
            let out = run(root, &[&["1.0.1rc1"][..], FLAGS].concat(), "false");
            ok(&out, &what);
            let log = read(root, kind.changelog());
            if template == text_only {
                assert!(log.contains("- New thing.\n"), "{what}: {log}");
            } else {
                assert!(
                    log.contains("- `#5 <") || log.contains("- [#5]("),
                    "{what}: {log}"
                );
            }
            assert!(!root.join("changes/5.feature.md").exists(), "{what}");
        }
    }
}

/// An entry added by hand to the release's section while the release is stopped (a step
/// failing after the changelog step), then `continue`: refused before the release commit,
/// in every form — as a section with entries read back always was (`#9 is not an entry
/// of this release`) —, now also towncrier's section for no fragments (Markdown and
/// reStructuredText) and a reStructuredText section with entries, which were committed
/// with the hand entry. Nothing is committed and the edit is kept; undone, `continue`
/// commits the section as planned.
#[test]
fn an_entry_added_by_hand_while_stopped_is_refused_in_every_form() {
    let step = (
        ".git-release.toml",
        "[next-version]\nfile = \"version.py\"\npattern = 'NEXT = \"(?P<version>[^\"]+)\"'\n\n\
         [[step]]\nname = \"check\"\nrun = \"test -f .git/ok\"\n",
    );
    for kind in [Kind::Markdown, Kind::Rst] {
        for fragment in [false, true] {
            for version in ["1.0.1rc1", "1.0.1", "1.1.0"] {
                let what = format!("{kind:?} {version} fragment: {fragment}");
                let mut extra = vec![step];
                if fragment {
                    extra.push(("changes/5.feature.md", "New thing.\n"));
                }
                let repo = project(kind, &extra);
                let root = repo.path();
                let out = run(root, &[&[version][..], FLAGS].concat(), "false");
                let stderr = one_error(&out, &what);
                assert_eq!(out.status.code(), Some(4), "{what}: {stderr}");
                let written = read(root, kind.changelog());
                let (old, hand) = match (kind, fragment) {
                    (Kind::Markdown, false) => (
                        "No significant changes.",
                        "### Features\n\n- Hand entry. ([#9](https://example.com/demo/pull/9))",
                    ),
                    (Kind::Markdown, true) => (
                        "- New thing.",
                        "- Hand entry. ([#9](https://example.com/demo/pull/9))\n- New thing.",
                    ),
                    (Kind::Rst, false) => (
                        "No significant changes.",
                        "Features\n--------\n\n- Hand entry. `#9 <https://example.com/demo/pull/9>`_",
                    ),
                    (Kind::Rst, true) => (
                        "- New thing.",
                        "- Hand entry. `#9 <https://example.com/demo/pull/9>`_\n- New thing.",
                    ),
                };
                assert!(written.contains(old), "{what}: {written}");
                let edited = written.replacen(old, hand, 1);
                util::write_files(root, &[(kind.changelog(), &edited)]);
                std::fs::write(root.join(".git/ok"), "").unwrap();
                let out = run(root, &["continue"], "false");
                let stderr = one_error(&out, &what);
                assert_eq!(out.status.code(), Some(4), "{what}: {stderr}");
                assert!(
                    stderr.contains("#9 is not an entry of this release"),
                    "{what}: {stderr}"
                );
                let branch = format!("release/{version}");
                assert_eq!(
                    git(root, &["log", "--format=%s", &format!("main..{branch}")]),
                    "",
                    "{what}: nothing committed"
                );
                assert_eq!(
                    read(root, kind.changelog()),
                    edited,
                    "{what}: the edit kept"
                );
                // Undone: the release goes on, exactly as planned.
                util::write_files(root, &[(kind.changelog(), &written)]);
                ok(&run(root, &["continue"], "false"), &what);
                let committed = git(root, &["show", &format!("{branch}:{}", kind.changelog())]);
                assert_eq!(committed, written, "{what}");
                assert_eq!(git(root, &["status", "--porcelain"]), "", "{what}");
            }
        }
    }
}

/// towncrier's section for no fragments, while the release is stopped: its text reworded
/// by hand is taken (as a section's prose is), in Markdown and reStructuredText alike; an
/// entry naming no PR added to it is refused in both.
#[test]
fn the_empty_section_may_be_reworded_but_gains_no_entry() {
    let step = (
        ".git-release.toml",
        "[next-version]\nfile = \"version.py\"\npattern = 'NEXT = \"(?P<version>[^\"]+)\"'\n\n\
         [[step]]\nname = \"check\"\nrun = \"test -f .git/ok\"\n",
    );
    for kind in [Kind::Markdown, Kind::Rst] {
        for (new, refused) in [
            ("A rebuild: nothing changed.", false),
            ("- Rebuilt the wheels.", true),
        ] {
            let what = format!("{kind:?} {new}");
            let repo = project(kind, &[step]);
            let root = repo.path();
            let out = run(root, &[&["1.0.1rc1"][..], FLAGS].concat(), "false");
            assert_eq!(out.status.code(), Some(4), "{what}");
            let written = read(root, kind.changelog());
            let edited = written.replacen("No significant changes.", new, 1);
            assert_ne!(edited, written, "{what}");
            util::write_files(root, &[(kind.changelog(), &edited)]);
            std::fs::write(root.join(".git/ok"), "").unwrap();
            let out = run(root, &["continue"], "false");
            if refused {
                let stderr = one_error(&out, &what);
                assert_eq!(out.status.code(), Some(4), "{what}: {stderr}");
                assert!(
                    stderr.contains("not an entry of this release")
                        || stderr.contains("an entry added by hand is not one of this release"),
                    "{what}: {stderr}"
                );
                assert_eq!(read(root, kind.changelog()), edited, "{what}");
                continue;
            }
            ok(&out, &what);
            let committed = git(
                root,
                &["show", &format!("release/1.0.1rc1:{}", kind.changelog())],
            );
            assert_eq!(committed, edited, "{what}");
        }
    }
}
