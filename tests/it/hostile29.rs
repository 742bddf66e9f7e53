//! hx24: where real Python projects keep their version without a `version-file` —
//! `[tool.poetry] version`, setup.cfg's `[metadata] version` (a literal, `attr:`, `file:`),
//! a literal `version="…"` in `setup.py` — found, written byte for byte (comments, quote
//! style, CRLF), said in the plan; two places that differ refused, naming both, with
//! nothing changed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{self, ok, one_error, run, text};

use crate::hostile26::{DATE, changed, dry_run, read};

fn fixture(name: &str) -> std::path::PathBuf {
    util::fixtures().join("hx24-python").join(name)
}

/// Release `version` (`--yes --no-edit`) and bring its branch back to main.
fn release_and_merge(root: &Path, version: &str) -> String {
    let out = run(
        root,
        &[version, "--yes", "--no-edit", DATE[0], DATE[1]],
        "false",
    );
    ok(&out, version);
    util::git(root, &["checkout", "--quiet", "main"]);
    let branch = format!("release/{version}");
    util::git(root, &["merge", "--quiet", "--ff-only", &branch]);
    text(&out.stdout)
}

/// The work tree, the branches and HEAD: what a refusal must leave as it was.
fn everything(root: &Path) -> (BTreeMap<String, Vec<u8>>, String, String) {
    (
        util::snapshot(root),
        util::git(root, &["branch", "--list"]),
        util::git(root, &["rev-parse", "HEAD"]),
    )
}

/// Every file of `before` holds the same bytes after, but those in `expected` (with what
/// they must hold), and no file appeared besides `new`.
fn only_these_changed(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    expected: &[(&str, String)],
    new_or_gone: &[&str],
) {
    for (path, bytes) in before {
        if new_or_gone.contains(&path.as_str()) {
            continue;
        }
        match expected.iter().find(|(p, _)| p == path) {
            Some((_, text)) => assert_eq!(
                String::from_utf8_lossy(&after[path]),
                *text,
                "{path} written wrong"
            ),
            None => assert_eq!(after.get(path), Some(bytes), "{path} changed"),
        }
    }
    for path in after.keys() {
        assert!(
            before.contains_key(path) || new_or_gone.contains(&path.as_str()),
            "{path} appeared"
        );
    }
}

/// A poetry project (`[tool.poetry] version`, CRLF line ends, dependencies with `version`
/// keys of their own, a comment above the version) whose package also holds
/// `__version__`: both written on each of rc1, rc2 and the final, every other byte kept;
/// the plan says where the version came from and what else is written.
#[test]
fn a_poetry_project_releases_rc1_rc2_final_byte_for_byte() {
    let repo = util::repo_from(&fixture("poetry"));
    let root = repo.path();
    let crlf = read(root, "pyproject.toml").replace('\n', "\r\n");
    util::write_file(root, "pyproject.toml", &crlf);
    util::write_file(root, "changelog.d/20.feature.md", "Add `pmcli sync`.\n");
    util::commit_all(root, "CRLF, a fragment");
    let plan = dry_run(root, "0.4.0rc1");
    assert!(
        plan.contains("0.3.3 → 0.4.0rc1")
            && plan.contains(
                "From:       pyproject.toml ([tool.poetry] version); also written: \
                 papermerge_cli/__init__.py (`__version__`)"
            )
            && plan.contains("Write 0.4.0rc1 to pyproject.toml")
            && plan.contains("Write 0.4.0rc1 to papermerge_cli/__init__.py"),
        "{plan}"
    );
    let mut previous = "0.3.3".to_string();
    for (version, fragment) in [
        ("0.4.0rc1", None),
        (
            "0.4.0rc2",
            Some(("changelog.d/21.bugfix.md", "Fix a crash.\n")),
        ),
        ("0.4.0", None),
    ] {
        if let Some((name, body)) = fragment {
            util::write_file(root, name, body);
            util::commit_all(root, "a fragment");
        }
        let before = util::snapshot(root);
        let pyproject = read(root, "pyproject.toml");
        let init = read(root, "papermerge_cli/__init__.py");
        release_and_merge(root, version);
        let after = util::snapshot(root);
        let expected = [
            (
                "pyproject.toml",
                pyproject.replacen(
                    &format!("version = \"{previous}\"\r\n"),
                    &format!("version = \"{version}\"\r\n"),
                    1,
                ),
            ),
            (
                "papermerge_cli/__init__.py",
                init.replace(&format!("\"{previous}\""), &format!("\"{version}\"")),
            ),
        ];
        assert_ne!(expected[0].1, pyproject, "{version}");
        let fragments: Vec<&str> = before
            .keys()
            .filter(|k| k.starts_with("changelog.d/2"))
            .map(String::as_str)
            .collect();
        let mut moving = fragments.clone();
        moving.push("CHANGELOG.md");
        only_these_changed(&before, &after, &expected, &moving);
        let mut committed = changed(root);
        committed.sort();
        let mut want: Vec<String> = moving.iter().map(|s| s.to_string()).collect();
        want.extend(["papermerge_cli/__init__.py".into(), "pyproject.toml".into()]);
        want.sort();
        assert_eq!(committed, want, "{version}");
        previous = version.to_string();
    }
    let log = read(root, "CHANGELOG.md");
    assert!(log.contains("## [0.4.0] - 2026-12-01"), "{log}");
    assert_eq!(log.matches("Add `pmcli sync`.").count(), 1, "{log}");
    assert_eq!(log.matches("Fix a crash.").count(), 1, "{log}");
    assert!(read(root, "pyproject.toml").contains("version = \"0.4.0\"\r\n"));
    assert!(read(root, "pyproject.toml").contains("{ version = \"^1.0.34\" }"));
}

/// setup.cfg's `[metadata] version = 1.4.0` (CRLF, a `;` comment above it, a `version`
/// key in another section before it): rc1, rc2 and the final write only the version;
/// every other file stays as it was.
#[test]
fn a_setup_cfg_project_releases_rc1_rc2_final_byte_for_byte() {
    let repo = util::repo_from(&fixture("setup-cfg"));
    let root = repo.path();
    let crlf = read(root, "setup.cfg")
        .replace("[bdist_wheel]\n", "[bdist_wheel]\nversion = 9.9.9\n")
        .replace('\n', "\r\n");
    util::write_file(root, "setup.cfg", &crlf);
    util::write_file(root, "changes/82.feature.md", "Add Basque jokes.\n");
    util::commit_all(root, "CRLF, a fragment");
    let plan = dry_run(root, "1.5.0rc1");
    assert!(
        plan.contains("1.4.0 → 1.5.0rc1")
            && plan.contains("From:       setup.cfg ([metadata] version)\n")
            && plan.contains("Write 1.5.0rc1 to setup.cfg"),
        "{plan}"
    );
    let mut previous = "1.4.0".to_string();
    for (version, fragment) in [
        ("1.5.0rc1", None),
        ("1.5.0rc2", Some(("changes/83.bugfix.md", "Fix a pun.\n"))),
        ("1.5.0", None),
    ] {
        if let Some((name, body)) = fragment {
            util::write_file(root, name, body);
            util::commit_all(root, "a fragment");
        }
        let before = util::snapshot(root);
        let cfg = read(root, "setup.cfg");
        release_and_merge(root, version);
        let after = util::snapshot(root);
        let expected = cfg.replace(
            &format!("\r\nversion = {previous}\r\n"),
            &format!("\r\nversion = {version}\r\n"),
        );
        assert_ne!(expected, cfg);
        assert!(expected.contains("version = 9.9.9\r\n"));
        let mut moving: Vec<&str> = before
            .keys()
            .filter(|k| k.starts_with("changes/8"))
            .map(String::as_str)
            .collect();
        moving.push("CHANGELOG.md");
        only_these_changed(&before, &after, &[("setup.cfg", expected)], &moving);
        previous = version.to_string();
    }
    let log = read(root, "CHANGELOG.md");
    assert!(log.starts_with("# 1.5.0 (2026-12-01)"), "{log}");
    assert_eq!(log.matches("Add Basque jokes.").count(), 1, "{log}");
    assert_eq!(log.matches("Fix a pun.").count(), 1, "{log}");
}

/// A literal `version="2.0.1"` in `setup.py`'s `setup(...)`: found and written (the
/// commented-out older one above it left alone).
#[test]
fn a_literal_setup_py_version_is_written_in_place() {
    let repo = util::repo_from(&fixture("setup-py"));
    let root = repo.path();
    util::write_file(root, "changes/18.feature.md", "Format durations.\n");
    util::commit_all(root, "a fragment");
    let plan = dry_run(root, "2.1.0rc1");
    assert!(
        plan.contains("2.0.1 → 2.1.0rc1")
            && plan.contains("From:       setup.py (`setup(version=…)`)"),
        "{plan}"
    );
    let before = read(root, "setup.py");
    release_and_merge(root, "2.1.0rc1");
    assert_eq!(
        read(root, "setup.py"),
        before.replace("version=\"2.0.1\"", "version=\"2.1.0rc1\"")
    );
    assert!(read(root, "setup.py").contains("# version=\"1.9\","));
}

/// Two places holding different versions refuse the release before anything changes,
/// naming both: a stale `__version__` beside `[tool.poetry] version`, a static
/// `[project] version` beside `[tool.poetry] version`, setup.cfg beside setup.py.
#[test]
fn two_places_that_differ_are_refused_naming_both() {
    let cases: [(&str, &str, &str, &str, [&str; 2]); 3] = [
        (
            "poetry",
            "papermerge_cli/__init__.py",
            "\"0.3.3\"",
            "\"0.3.2\"",
            [
                "pyproject.toml ([tool.poetry] version) says 0.3.3",
                "papermerge_cli/__init__.py (`__version__`) says 0.3.2",
            ],
        ),
        (
            "poetry",
            "pyproject.toml",
            "[tool.poetry]\n",
            "[project]\nname = \"papermerge-cli\"\nversion = \"0.3.4\"\n\n[tool.poetry]\n",
            [
                "pyproject.toml ([project] version) says 0.3.4",
                "pyproject.toml ([tool.poetry] version) says 0.3.3",
            ],
        ),
        (
            "setup-cfg",
            "setup.py",
            "setup()",
            "setup(name=\"pyjokes-ng\", version=\"1.3.9\")",
            [
                "setup.cfg ([metadata] version) says 1.4.0",
                "setup.py (`setup(version=…)`) says 1.3.9",
            ],
        ),
    ];
    for (project, file, from, to, named) in cases {
        let repo = util::repo_from(&fixture(project));
        let root = repo.path();
        let edited = read(root, file).replacen(from, to, 1);
        util::write_file(root, file, &edited);
        let fragments = if project == "poetry" {
            "changelog.d/30.feature.md"
        } else {
            "changes/30.feature.md"
        };
        util::write_file(root, fragments, "A thing.\n");
        util::commit_all(root, "two versions");
        let before = everything(root);
        let out = run(root, &["9.0.0rc1", "--yes", "--no-edit"], "false");
        let said = one_error(&out, file);
        for name in named {
            assert!(said.contains(name), "{name}: {said}");
        }
        assert!(said.contains("`version-file`"), "{said}");
        assert_eq!(everything(root), before, "{file}");
    }
}

/// setup.cfg's `version = attr: tcpdoc.__version__` is followed (through `package_dir =
/// =src`) to the module's `__version__`, which the release writes; one that leads nowhere
/// or to no literal is refused saying why, and `file: VERSION.txt` is that file.
#[test]
fn a_setup_cfg_attr_or_file_is_followed_or_refused_saying_why() {
    let repo = util::repo_from(&fixture("setup-cfg-attr"));
    let root = repo.path();
    util::write_file(root, "changes/41.feature.md", "Read snoop captures.\n");
    util::commit_all(root, "a fragment");
    let plan = dry_run(root, "2.2.0rc1");
    assert!(
        plan.contains("2.1.0 → 2.2.0rc1")
            && plan.contains(
                "From:       src/tcpdoc/__init__.py (setup.cfg: `version = attr: \
                 tcpdoc.__version__`)\n"
            ),
        "{plan}"
    );
    let init = read(root, "src/tcpdoc/__init__.py");
    release_and_merge(root, "2.2.0rc1");
    assert_eq!(
        read(root, "src/tcpdoc/__init__.py"),
        init.replace("\"2.1.0\"", "\"2.2.0rc1\"")
    );

    for (init, why) in [
        (
            "from importlib.metadata import version\n__version__ = version('tcpdoc')\n",
            "holds no `__version__ = \"…\"`",
        ),
        ("", "holds no `__version__ = \"…\"`"),
    ] {
        util::write_file(root, "src/tcpdoc/__init__.py", init);
        util::commit_all(root, "a computed version");
        let before = everything(root);
        let out = run(root, &["2.3.0rc1", "--yes", "--no-edit"], "false");
        let said = one_error(&out, "attr");
        assert!(
            said.contains("setup.cfg: `version = attr: tcpdoc.__version__`")
                && said.contains(why)
                && said.contains("`version-file`"),
            "{said}"
        );
        assert_eq!(everything(root), before);
    }
    // `from ._version import __version__`: the module it comes from holds it.
    util::write_file(
        root,
        "src/tcpdoc/__init__.py",
        "\"\"\"tcpdoc.\"\"\"\n\nfrom ._version import __version__\n",
    );
    util::write_file(root, "src/tcpdoc/_version.py", "__version__ = '2.2.0rc1'\n");
    util::commit_all(root, "a re-exported version");
    let plan = dry_run(root, "2.2.0rc2");
    assert!(
        plan.contains(
            "From:       src/tcpdoc/_version.py (setup.cfg: `version = attr: \
             tcpdoc.__version__`)\n"
        ),
        "{plan}"
    );
    // The module gone (moved out of `package_dir`): said, not guessed.
    util::git(root, &["mv", "src/tcpdoc", "tcpdoc"]);
    util::commit_all(root, "moved");
    let out = run(root, &["2.3.0rc1", "--yes", "--no-edit"], "false");
    assert!(one_error(&out, "moved").contains("finds no file of that module"));

    let cfg = read(root, "setup.cfg").replace("attr: tcpdoc.__version__", "file: VERSION.txt");
    util::write_file(root, "setup.cfg", &cfg);
    util::write_file(root, "VERSION.txt", "2.2.0rc1\n");
    util::commit_all(root, "file:");
    let plan = dry_run(root, "2.2.0rc2");
    assert!(
        plan.contains("From:       VERSION.txt (setup.cfg: `version = file: VERSION.txt`)"),
        "{plan}"
    );
}

/// Where the version is not poetry's to write: poetry-dynamic-versioning replaces the
/// placeholders `version = "0.0.0"` and `__version__ = "0.0.0"` from the tags (no version
/// file, as for setuptools-scm);
/// `[project] dynamic = ["version"]` beside `[tool.poetry] version` is poetry's.
#[test]
fn poetry_dynamic_versioning_is_no_version_file_and_dynamic_project_is_poetrys() {
    let repo = util::repo_from(&fixture("poetry"));
    let root = repo.path();
    let dynamic = read(root, "pyproject.toml").replace("\"0.3.3\"", "\"0.0.0\"")
        + "\n[tool.poetry-dynamic-versioning]\nenable = true\n";
    util::write_file(root, "pyproject.toml", &dynamic);
    util::write_file(
        root,
        "papermerge_cli/__init__.py",
        "__version__ = \"0.0.0\"\n",
    );
    util::write_file(root, "changelog.d/20.feature.md", "Add `pmcli sync`.\n");
    util::commit_all(root, "dynamic versioning");
    let plan = dry_run(root, "0.4.0rc1");
    assert!(
        plan.contains("0.3.3 → 0.4.0rc1") && plan.contains("From:       no version file"),
        "{plan}"
    );

    let repo = util::repo_from(&fixture("poetry"));
    let root = repo.path();
    let text = read(root, "pyproject.toml").replace(
        "[tool.poetry]\n",
        "[project]\nname = \"papermerge-cli\"\ndynamic = [\"version\"]\n\n[tool.poetry]\n",
    );
    util::write_file(root, "pyproject.toml", &text);
    util::write_file(root, "changelog.d/20.feature.md", "Add `pmcli sync`.\n");
    util::commit_all(root, "dynamic project version");
    let plan = dry_run(root, "0.4.0rc1");
    assert!(
        plan.contains("From:       pyproject.toml ([tool.poetry] version); also written"),
        "{plan}"
    );
}

/// A static `[project] version` and `[tool.poetry] version` that agree (a project moving
/// to poetry 2) are both written, in the one file, each in its own table.
#[test]
fn project_and_poetry_versions_in_one_file_are_both_written() {
    let repo = util::repo_from(&fixture("poetry"));
    let root = repo.path();
    let text = read(root, "pyproject.toml").replace(
        "[tool.poetry]\n",
        "[project]\nname = \"papermerge-cli\"\nversion = \"0.3.3\"  # poetry 2 reads this one\n\n[tool.poetry]\n",
    );
    util::write_file(root, "pyproject.toml", &text);
    util::write_file(root, "changelog.d/20.feature.md", "Add `pmcli sync`.\n");
    util::commit_all(root, "both tables");
    let plan = dry_run(root, "0.4.0rc1");
    assert!(
        plan.contains(
            "From:       pyproject.toml ([project] version); also written: pyproject.toml \
             ([tool.poetry] version), papermerge_cli/__init__.py (`__version__`)"
        ) && plan.contains("Write 0.4.0rc1 to pyproject.toml ([tool.poetry] version)\n"),
        "{plan}"
    );
    release_and_merge(root, "0.4.0rc1");
    assert_eq!(
        read(root, "pyproject.toml"),
        text.replace("version = \"0.3.3\"", "version = \"0.4.0rc1\"")
    );
    assert_eq!(
        read(root, "papermerge_cli/__init__.py")
            .matches("0.4.0rc1")
            .count(),
        1
    );
}

/// The placeholder freeze and the version compose on the file that holds both (setup.cfg's
/// `attr:` module: `__version__` and `SINCE_ADDED = "NEXT_RELEASE_VERSION"`, CRLF): the
/// final writes the version and freezes the placeholder, every other byte kept. A stop
/// after both is aborted to exactly the repository before it, and continued to the same
/// result as a release that never stopped.
#[test]
fn the_freeze_and_the_version_compose_on_one_file_and_stop_exactly() {
    let flag = tempfile::tempdir().unwrap();
    let flag = flag.path().join("ok");
    let repo = util::repo_from(&fixture("setup-cfg-attr"));
    let root = repo.path();
    let init = read(root, "src/tcpdoc/__init__.py").replace('\n', "\r\n");
    util::write_file(root, "src/tcpdoc/__init__.py", &init);
    util::write_file(root, "changes/41.feature.md", "Read snoop captures.\n");
    util::commit_all(root, "CRLF, a fragment");
    let frozen = init
        .replace("\"2.1.0\"", "\"2.2.0\"")
        .replace("\"NEXT_RELEASE_VERSION\"", "\"2.2.0\"");
    assert_ne!(frozen, init);
    let plan = dry_run(root, "2.2.0");
    assert!(
        plan.contains("Write 2.2.0 to src/tcpdoc/__init__.py")
            && plan.contains("Freeze NEXT_RELEASE_VERSION: 1 place in 1 file"),
        "{plan}"
    );
    // A step after the freeze that fails until told otherwise.
    let step = format!(
        "\n[[tool.git-release.step]]\nname = \"check\"\nrun = \"test -f '{}'\"\nwhen = \"final\"\n",
        flag.display()
    );
    let pyproject = read(root, "pyproject.toml") + &step;
    util::write_file(root, "pyproject.toml", &pyproject);
    util::commit_all(root, "a check");
    let before = everything(root);
    let out = run(
        root,
        &["2.2.0", "--yes", "--no-edit", DATE[0], DATE[1]],
        "false",
    );
    assert!(!out.status.success());
    assert_eq!(read(root, "src/tcpdoc/__init__.py"), frozen);
    let out = run(root, &["abort"], "false");
    ok(&out, "abort");
    assert_eq!(everything(root), before);

    let out = run(
        root,
        &["2.2.0", "--yes", "--no-edit", DATE[0], DATE[1]],
        "false",
    );
    assert!(!out.status.success());
    std::fs::write(&flag, "").unwrap();
    let out = run(root, &["continue"], "false");
    ok(&out, "continue");
    assert_eq!(read(root, "src/tcpdoc/__init__.py"), frozen);
    let mut committed = changed(root);
    committed.sort();
    assert_eq!(
        committed,
        [
            "CHANGELOG.md",
            "changes/41.feature.md",
            "src/tcpdoc/__init__.py"
        ]
    );
    assert!(util::git(root, &["status", "--porcelain"]).is_empty());
}

/// A freeze rule that would change the version itself (not to the version released) is
/// refused before anything changes, naming the file; one that writes the released version
/// there is what the version step writes, and passes.
#[test]
fn a_freeze_rule_reaching_the_version_is_refused_unless_it_writes_the_release() {
    let repo = util::repo_from(&fixture("setup-cfg-attr"));
    let root = repo.path();
    let init = read(root, "src/tcpdoc/__init__.py").replace(
        "__version__ = \"2.1.0\"\n",
        "__version__ = \"2.1.0\"  # NEXT_RELEASE_VERSION\n",
    );
    util::write_file(root, "src/tcpdoc/__init__.py", &init);
    let rules = |replace: &str| {
        read(root, "pyproject.toml").replace(
            "replace = '{version}'\n",
            &format!(
                "\n[[tool.git-release.freeze.rule]]\nmatch = '__version__ = \"[^\"]*\"(.*)NEXT_RELEASE_VERSION'\nreplace = '{replace}'\n\n[[tool.git-release.freeze.rule]]\nmatch = 'NEXT_RELEASE_VERSION'\nreplace = '{{version}}'\n"
            ),
        )
    };
    let original = read(root, "pyproject.toml");
    util::write_file(
        root,
        "pyproject.toml",
        &rules("__version__ = \"0.0.0\"${1}{version}"),
    );
    util::write_file(root, "changes/41.feature.md", "Read snoop captures.\n");
    util::commit_all(root, "a rule that reaches the version");
    let before = everything(root);
    let out = run(
        root,
        &["2.2.0", "--yes", "--no-edit", DATE[0], DATE[1]],
        "false",
    );
    let said = one_error(&out, "reaching rule");
    assert!(
        said.contains("src/tcpdoc/__init__.py: the freeze's rules would change the version"),
        "{said}"
    );
    assert_eq!(everything(root), before);

    util::write_file(root, "pyproject.toml", &original);
    util::write_file(
        root,
        "pyproject.toml",
        &rules("__version__ = \"{version}\"${1}{version}"),
    );
    util::commit_all(root, "a rule that writes the release");
    release_and_merge(root, "2.2.0");
    assert_eq!(
        read(root, "src/tcpdoc/__init__.py"),
        init.replace("\"2.1.0\"  # NEXT_RELEASE_VERSION", "\"2.2.0\"  # 2.2.0")
            .replace("\"NEXT_RELEASE_VERSION\"", "\"2.2.0\"")
    );
}
