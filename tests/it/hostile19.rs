//! Hostile round 15's standalone writers (01, 07, 08, 13, 15, 16, 17, 18, 20): `build`,
//! `consolidate` and `freeze` hold what they write and remove to the release's pre-flight
//! rules before they change anything — inside the work tree (symlinks and `..` followed),
//! outside `.git` and any submodule, in a file git commits (no assume-unchanged or
//! skip-worktree bit), the index lock free, git accepting the repository, a work tree at
//! all, a repository format git-release reads —, so a refusal (exit 3) changes nothing,
//! inside the repository or outside it. A configured path whose directory is a file is
//! named by its key. (Repro scripts: /work/hostile15/*.sh.)

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::hostile::{frozen, refused, step_needing, stopped_at_webui};
use crate::release::{project, project_after_rc, read};
use crate::util::{self, git, ok, one_error, run, text};

/// The changelog step of the rc by hand (towncrier's `build`).
const BUILD: [&str; 5] = ["build", "1.1.0rc1", "--yes", "--date", "2025-02-01"];
/// The final's changelog step by hand.
const CONSOLIDATE: [&str; 5] = ["consolidate", "1.1.0", "--no-edit", "--date", "2025-03-01"];

/// Replace the line of `pyproject.toml` starting with `key = ` by `key = "value"`, commit.
fn set_towncrier(root: &Path, key: &str, value: &str) {
    let toml = read(root, "pyproject.toml");
    let line = toml
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap()
        .to_string();
    let toml = toml.replacen(&line, &format!("{key} = \"{value}\""), 1);
    util::write_file(root, "pyproject.toml", &toml);
    util::commit_all(root, &format!("{key} = {value}"));
}

/// Every file under `dir` (a directory outside the repository), by name and content.
fn outside(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    out.sort();
    out
}

/// `args` refused (exit 3), nothing changed in the repository nor in `elsewhere`; every
/// one of `needles` in the one error. Returns stderr.
fn refused_everywhere(root: &Path, elsewhere: &Path, args: &[&str], needles: &[&str]) -> String {
    let was = outside(elsewhere);
    let stderr = refused(root, args, &format!("{args:?}"));
    assert_eq!(
        outside(elsewhere),
        was,
        "{args:?} changed {}",
        elsewhere.display()
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: `{needle}` not in\n{stderr}"
        );
    }
    stderr
}

/// 15: a changelog that leads out of the repository — a symlink, a symlinked parent
/// directory, `..` after a symlink, `../x.md` — is refused by `consolidate` and `build`
/// alike before anything is written, inside or outside; so is a fragments directory that
/// is a link out (`consolidate` deleted the fragment there).
#[test]
fn consolidate_and_build_write_nothing_outside_the_repository() {
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path();

    // The changelog a link to a file outside.
    let repo = project_after_rc("");
    let root = repo.path();
    std::fs::copy(root.join("CHANGELOG.md"), out.join("CHANGELOG.md")).unwrap();
    std::fs::remove_file(root.join("CHANGELOG.md")).unwrap();
    symlink(out.join("CHANGELOG.md"), root.join("CHANGELOG.md")).unwrap();
    util::commit_all(root, "changelog kept elsewhere");
    for args in [&CONSOLIDATE[..], &BUILD[..]] {
        refused_everywhere(root, out, args, &["filename", "outside the repository"]);
    }

    // Its directory a link out; `..` after a link (lexically inside, really outside);
    // `../x.md`.
    let repo = project_after_rc("");
    let root = repo.path();
    std::fs::create_dir(out.join("docs")).unwrap();
    symlink(out.join("docs"), root.join("docs-link")).unwrap();
    util::commit_all(root, "a link out");
    let escape = format!("../{}.md", root.file_name().unwrap().to_string_lossy());
    for (filename, created) in [
        (
            "docs-link/CHANGELOG.md".to_string(),
            out.join("docs/CHANGELOG.md"),
        ),
        ("docs-link/../escape.md".to_string(), out.join("escape.md")),
        (escape.clone(), root.parent().unwrap().join(&escape[3..])),
    ] {
        set_towncrier(root, "filename", &filename);
        for args in [&CONSOLIDATE[..], &BUILD[..]] {
            refused_everywhere(root, out, args, &["filename", "outside the repository"]);
            assert!(
                !created.exists(),
                "{filename}: {} created",
                created.display()
            );
        }
    }

    // The fragments directory a link to a directory outside: nothing deleted there.
    let repo = project_after_rc("");
    let root = repo.path();
    let changes = out.join("changes");
    util::copy_tree(&root.join("changes"), &changes);
    git(root, &["rm", "-rq", "changes"]);
    symlink(&changes, root.join("changes")).unwrap();
    util::commit_all(root, "fragments kept elsewhere");
    for args in [&CONSOLIDATE[..], &BUILD[..]] {
        let stderr = refused_everywhere(root, &changes, args, &["outside the repository"]);
        assert!(stderr.contains("11.feature.md"), "{stderr}");
    }
}

/// 16, 01: a changelog (or fragment) with git's assume-unchanged or skip-worktree bit:
/// `git add` would skip it (or refuse it) after the write, and "staged" would be a lie.
/// Refused up front, naming the bit and the command that clears it.
#[test]
fn a_changelog_git_looks_away_from_is_refused_before_the_write() {
    for (flag, name) in [
        ("--assume-unchanged", "assume-unchanged"),
        ("--skip-worktree", "skip-worktree"),
    ] {
        let repo = project_after_rc("");
        let root = repo.path();
        git(root, &["update-index", flag, "CHANGELOG.md"]);
        for args in [&CONSOLIDATE[..], &BUILD[..]] {
            let stderr = refused(root, args, &format!("{flag} {args:?}"));
            let clear = format!("git update-index --no-{name} CHANGELOG.md");
            assert!(stderr.contains(name) && stderr.contains(&clear), "{stderr}");
        }
        // A fragment with the bit: its text may not be git's.
        git(
            root,
            &["update-index", &format!("--no-{name}"), "CHANGELOG.md"],
        );
        git(root, &["update-index", flag, "changes/11.feature.md"]);
        for args in [&CONSOLIDATE[..], &BUILD[..]] {
            let stderr = refused(root, args, &format!("fragment {flag} {args:?}"));
            assert!(
                stderr.contains("changes/11.feature.md") && stderr.contains(name),
                "{stderr}"
            );
        }
    }
}

/// 13: git's index lock held (the user's `git commit` waiting in its editor): every
/// standalone writer refuses before writing — `consolidate` rewrote the changelog and then
/// failed in `git add`; `freeze` wrote its files.
#[test]
fn the_index_lock_stops_every_writer_before_it_writes() {
    let repo = project_after_rc("");
    let root = repo.path();
    std::fs::write(root.join(".git/index.lock"), "").unwrap();
    for args in [&CONSOLIDATE[..], &BUILD[..], &["freeze", "1.1.0"][..]] {
        let stderr = refused(root, args, &format!("{args:?}"));
        assert!(stderr.contains("index.lock"), "{args:?}: {stderr}");
    }
    std::fs::remove_file(root.join(".git/index.lock")).unwrap();
    // Free again, the same commands write.
    ok(&run(root, &["freeze", "1.1.0"], "true"), "freeze");
    ok(&run(root, &CONSOLIDATE, "true"), "consolidate");
}

/// 01: a repository git refuses to work in (another user's checkout, no `safe.directory`):
/// `build` and `consolidate` wrote the changelog, then `git add` failed. Refused first.
#[test]
fn a_repository_git_refuses_is_refused_before_the_write() {
    let repo = project_after_rc("");
    let root = repo.path();
    for args in [&BUILD[..], &CONSOLIDATE[..]] {
        let before = frozen(root);
        let out = util::git_release(root)
            .args(args)
            .env("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
            .output()
            .unwrap();
        let stderr = one_error(&out, "dubious ownership");
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("dubious ownership"), "{stderr}");
        assert!(
            frozen(root) == before,
            "{args:?}: the refusal changed something"
        );
    }
}

/// 17: `build` in a bare repository took it for a plain directory and wrote CHANGELOG.md
/// into the git directory. Refused as the release refuses it; outside any repository
/// `build` still writes as towncrier does.
#[test]
fn build_refuses_a_bare_repository_and_still_works_outside_git() {
    let repo = project("");
    let bare = tempfile::tempdir().unwrap();
    let bare_dir = bare.path().join("demo.git");
    git(
        repo.path(),
        &["clone", "-q", "--bare", ".", &bare_dir.to_string_lossy()],
    );
    let before = util::snapshot(&bare_dir);
    let out = run(&bare_dir, &BUILD, "true");
    let stderr = one_error(&out, "bare");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("bare repository"), "{stderr}");
    assert_eq!(
        util::snapshot(&bare_dir),
        before,
        "written into the bare repository"
    );

    // A plain directory: towncrier's build, no git.
    let plain = tempfile::tempdir().unwrap();
    util::copy_tree(repo.path(), plain.path());
    std::fs::remove_dir_all(plain.path().join(".git")).unwrap();
    ok(&run(plain.path(), &BUILD, "true"), "build outside git");
    assert!(read(plain.path(), "CHANGELOG.md").contains("1.1.0rc1"));
    assert!(!plain.path().join("changes/10.feature.md").exists());
}

/// A project whose `sub` is a submodule with a fragment and a changelog of its own.
fn with_submodule() -> (tempfile::TempDir, tempfile::TempDir) {
    let sub = util::repo_with(&[
        ("changes/901.feature.md", "Sub entry\n"),
        (
            "CHANGELOG.md",
            "# Sub\n\n<!-- towncrier release notes start -->\n",
        ),
    ]);
    let repo = project("");
    let root = repo.path();
    git(
        root,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &sub.path().to_string_lossy(),
            "sub",
        ],
    );
    util::commit_all(root, "submodule");
    (repo, sub)
}

/// 07: `build` deleted a fragment in a submodule (A) and wrote a submodule's changelog
/// before `git add` refused it (B); the release refuses both. So do `build` and
/// `consolidate` now, with the submodule left clean.
#[test]
fn nothing_is_written_or_removed_in_a_submodule() {
    for (key, value) in [
        ("directory", "sub/changes"),
        ("filename", "sub/CHANGELOG.md"),
    ] {
        let (repo, _sub) = with_submodule();
        let root = repo.path();
        set_towncrier(root, key, value);
        for args in [&BUILD[..], &CONSOLIDATE[..]] {
            let stderr = refused(root, args, &format!("{key} {args:?}"));
            assert!(stderr.contains("submodule"), "{key} {args:?}: {stderr}");
            assert_eq!(git(&root.join("sub"), &["status", "--porcelain"]), "");
        }
    }
}

/// 08: a fragment that is a link to text that is not the project's — into `.git/` (a CI
/// token in `.git/config`), to an ignored file, to an untracked file outside the fragment
/// directories — was published by `build`. Refused, nothing written; a link to a tracked
/// file, or to another (untracked) fragment, is still built.
#[test]
fn build_publishes_no_local_file_through_a_fragment_link() {
    for (target, setup) in [
        ("../.git/config", "git"),
        ("../secret.txt", "ignored"),
        ("../notes.txt", "untracked"),
    ] {
        let repo = project("");
        let root = repo.path();
        git(
            root,
            &["config", "http.extraheader", "AUTHORIZATION: token"],
        );
        util::write_file(root, ".gitignore", "secret.txt\n");
        util::commit_all(root, "ignore");
        util::write_file(root, "secret.txt", "AUTHORIZATION: token\n");
        symlink(target, root.join("changes/13.feature.md")).unwrap();
        util::commit_all(root, "a link");
        util::write_file(root, "notes.txt", "AUTHORIZATION: token\n");
        let stderr = refused(root, &BUILD, setup);
        assert!(
            stderr.contains("13.feature.md") && stderr.contains("symlink"),
            "{setup}: {stderr}"
        );
        assert!(!read(root, "CHANGELOG.md").contains("AUTHORIZATION"));
    }
    // Not a local file: a tracked one, another fragment (untracked, as towncrier allows).
    let repo = project("");
    let root = repo.path();
    util::write_file(root, "docs/shared.md", "Shared entry text\n");
    util::commit_all(root, "shared text");
    symlink("../docs/shared.md", root.join("changes/13.feature.md")).unwrap();
    util::write_file(root, "changes/14.fix.md", "Untracked fix\n");
    symlink("14.fix.md", root.join("changes/15.fix.md")).unwrap();
    ok(
        &run(root, &BUILD, "true"),
        "build with links to project text",
    );
    let log = read(root, "CHANGELOG.md");
    assert!(
        log.contains("Shared entry text") && log.contains("Untracked fix"),
        "{log}"
    );
}

/// With `core.ignorecase` (a clone from a case-insensitive disk), a changelog named only
/// by case differently from a tracked file would be staged into that twin: refused.
#[test]
fn a_case_only_twin_of_the_changelog_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    set_towncrier(root, "filename", "changelog.md");
    git(root, &["config", "core.ignorecase", "true"]);
    for args in [&BUILD[..], &CONSOLIDATE[..]] {
        let stderr = refused(root, args, &format!("{args:?}"));
        assert!(
            stderr.contains("CHANGELOG.md") && stderr.contains("case"),
            "{stderr}"
        );
    }
}

/// 20: a configured path under a file where a directory is needed (the old single-file
/// `CHANGELOG` beside `CHANGELOG/{major}.{minor}.md`; `changes` a file): exit 3 naming
/// the key, not "Not a directory (os error 20)".
#[test]
fn a_path_under_a_file_names_its_setting() {
    let repo = project("");
    let root = repo.path();
    let toml = read(root, ".git-release.toml");
    let toml = format!("changelog = \"CHANGELOG/{{major}}.{{minor}}.md\"\n{toml}");
    util::write_file(root, ".git-release.toml", &toml);
    util::write_file(root, "CHANGELOG", "the old changelog\n");
    util::commit_all(root, "old changelog");
    for args in [&["1.1.0rc1", "--yes", "--no-edit"][..], &BUILD[..]] {
        let stderr = refused(root, args, &format!("{args:?}"));
        assert!(
            stderr.contains("`changelog`") && stderr.contains("CHANGELOG is a file"),
            "{args:?}: {stderr}"
        );
    }
    let repo = project("");
    let root = repo.path();
    set_towncrier(root, "template", "template.md");
    std::fs::rename(root.join("changes/template.md"), root.join("template.md")).unwrap();
    git(root, &["rm", "-rq", "--cached", "changes"]);
    std::fs::remove_dir_all(root.join("changes")).unwrap();
    util::write_file(root, "changes", "not a directory\n");
    util::commit_all(root, "changes is a file");
    for args in [&["1.1.0rc1", "--yes", "--no-edit"][..], &BUILD[..]] {
        let stderr = refused(root, args, &format!("{args:?}"));
        assert!(
            stderr.contains("tool.towncrier.directory") && stderr.contains("is a file"),
            "{args:?}: {stderr}"
        );
    }
}

/// 18: a SHA-256 repository was "not inside a git repository" (and `build` wrote there as
/// in a plain directory); a reftable one failed reading HEAD. Both refused naming the
/// format, nothing written.
#[test]
fn repositories_in_another_format_are_refused_naming_it() {
    for (option, needle) in [
        ("--object-format=sha256", "sha256"),
        ("--ref-format=reftable", "reftable"),
    ] {
        let repo = project("");
        let root = repo.path();
        std::fs::remove_dir_all(root.join(".git")).unwrap();
        let init = util::git_command(root)
            .args(["init", "-q", "-b", "main", option])
            .output()
            .unwrap();
        if !init.status.success() {
            // A git too old to make one: nothing to test.
            eprintln!("skipped {option}: {}", text(&init.stderr));
            continue;
        }
        util::commit_all(root, "base");
        for args in [&["1.1.0rc1", "--yes", "--no-edit"][..], &BUILD[..]] {
            let stderr = refused(root, args, &format!("{option} {args:?}"));
            assert!(
                stderr.contains(needle) && !stderr.contains("not inside a git repository"),
                "{option} {args:?}: {stderr}"
            );
        }
    }
}

/// 09: `rules learn -o` wrote over `pyproject.toml`, `.git/config`, the version file, a
/// fragment. Refused, naming what the file is, for every file the project or git needs
/// and for a link in the repository leading out of it; a new file, an existing rules file
/// (learning again) and a path outside the repository are written.
#[test]
fn rules_learn_writes_over_nothing_the_project_needs() {
    let repo = project_after_rc("");
    let root = repo.path();
    let elsewhere = tempfile::tempdir().unwrap();
    symlink(elsewhere.path().join("x.toml"), root.join("out.toml")).unwrap();
    util::commit_all(root, "a link out");
    let config = std::fs::read(root.join(".git/config")).unwrap();
    for (out, needle) in [
        ("pyproject.toml", "configuration"),
        (".git-release.toml", "configuration"),
        ("./VERSION", "version file"),
        ("src/demo/version.py", "next-version file"),
        ("changes/template.md", "template"),
        ("changes/11.feature.md", "fragments directory"),
        ("changes/rules.toml", "fragments directory"),
        (".git/config", "git's own directory"),
        ("out.toml", "outside"),
        ("README.md", "not a rules file"),
    ] {
        let stderr = refused(root, &["rules", "learn", "-o", out], out);
        assert!(stderr.contains(needle), "{out}: `{needle}` not in {stderr}");
        assert!(!elsewhere.path().join("x.toml").exists());
    }
    assert_eq!(std::fs::read(root.join(".git/config")).unwrap(), config);

    for out in [
        "rules.toml".to_string(),
        "rules.toml".to_string(), // again: a rules file is learned anew
        elsewhere.path().join("new.toml").display().to_string(),
    ] {
        ok(&run(root, &["rules", "learn", "-o", &out], "true"), &out);
    }
    assert!(read(root, "rules.toml").contains("rules learn"));
}

/// 12: the next-version file may not be a file the release writes otherwise — the
/// changelog (a sprint final rewrote `## 1.0.0` into the next version), the version file
/// (the branch ended at the next version), a fragment —, however it is spelled (`./`,
/// `..`, a link): refused naming `next-version.file`, before anything changes.
#[test]
fn the_next_version_file_is_no_file_the_release_writes_otherwise() {
    for (file, needle) in [
        ("CHANGELOG.md", "changelog"),
        ("./CHANGELOG.md", "changelog"),
        ("NEWS.md", "changelog"),
        ("src/../VERSION", "version file"),
        ("changes/13.feature.md", "fragments directory"),
    ] {
        let repo = project_after_rc("");
        let root = repo.path();
        symlink("CHANGELOG.md", root.join("NEWS.md")).unwrap();
        let toml = read(root, ".git-release.toml").replace(
            "file = \"src/demo/version.py\"",
            &format!("file = \"{file}\""),
        );
        util::write_file(root, ".git-release.toml", &toml);
        util::commit_all(root, "next-version.file");
        for dry in [true, false] {
            let mut args = vec!["1.1.0", "--yes", "--no-edit"];
            if dry {
                args.push("--dry-run");
            }
            let stderr = refused(root, &args, file);
            assert!(
                stderr.contains("next-version.file") && stderr.contains(needle),
                "{file}: {stderr}"
            );
        }
    }
}

/// 19: a rebase (or bisect) begun while a release is stopped: `continue` and `abort`
/// advised `git switch <release branch>`, which git refuses while rebasing, and `continue`
/// committed the release in the middle of a bisect. Both refuse naming the operation and
/// how to end it, nothing changed; once it is ended, `continue` finishes the release.
#[test]
fn continue_and_abort_name_an_operation_in_progress() {
    let flag = tempfile::tempdir().unwrap();
    let flag = flag.path().join("webui-ok");
    let repo = stopped_at_webui(&step_needing(&flag, "when = \"webui\""));
    let root = repo.path();
    std::fs::write(&flag, "").unwrap();
    git(root, &["commit", "-q", "--allow-empty", "-m", "mine"]);
    let rebase = util::git_command(root)
        .args(["rebase", "-q", "-i", "HEAD~1"])
        .env("GIT_SEQUENCE_EDITOR", "sed -i '1i break'")
        .output()
        .unwrap();
    assert!(rebase.status.success(), "{}", text(&rebase.stderr));
    // HEAD is detached while rebasing: the repository compared without its branch name.
    let seen = |root: &Path| {
        (
            util::snapshot(root),
            git(root, &["status", "--porcelain", "--untracked-files=all"]),
            git(root, &["ls-files", "--stage"]),
            git(root, &["for-each-ref"]),
            git(root, &["rev-parse", "HEAD"]),
            std::fs::read(root.join(".git/git-release/state.json")).unwrap(),
        )
    };
    for command in ["continue", "abort"] {
        let before = seen(root);
        let out = run(root, &[command], "true");
        let stderr = one_error(&out, command);
        assert_eq!(out.status.code(), Some(3), "{command}: {stderr}");
        assert!(
            seen(root) == before,
            "{command}: the refusal changed something"
        );
        assert!(
            stderr.contains("`git rebase` is in progress")
                && stderr.contains("git rebase --abort")
                && !stderr.contains("git switch"),
            "{command}: {stderr}"
        );
    }
    git(root, &["rebase", "--abort"]);
    git(root, &["reset", "-q", "--soft", "HEAD~1"]);

    git(root, &["bisect", "start"]);
    for command in ["continue", "abort"] {
        let stderr = refused(root, &[command], &format!("{command} while bisecting"));
        assert!(stderr.contains("git bisect reset"), "{command}: {stderr}");
    }
    git(root, &["bisect", "reset"]);
    ok(
        &run(root, &["continue"], "true"),
        "continue after the bisect",
    );
}

/// The command in backquotes that starts with `start` in `message`.
fn advised<'a>(message: &'a str, start: &str) -> &'a str {
    let from = message.find(&format!("`{start}")).expect(start) + 1;
    let len = message[from..].find('`').unwrap();
    &message[from..from + len]
}

/// 10: an advised command names its paths as shell words: pasted into a shell in a
/// repository whose path (or file) has a space, it works (it was two arguments).
#[test]
fn advised_commands_quote_their_paths() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("my proj");
    util::copy_tree(project_after_rc("").path(), &root);
    git(&root, &["mv", "CHANGELOG.md", "CHANGE LOG.md"]);
    set_towncrier(&root, "filename", "CHANGE LOG.md");
    git(
        &root,
        &["update-index", "--assume-unchanged", "CHANGE LOG.md"],
    );
    std::fs::write(root.join(".git/index.lock"), "").unwrap();
    let paste = |command: &str| {
        let mut sh = std::process::Command::new("sh");
        util::isolate(&mut sh, std::env::vars_os().map(|(key, _)| key));
        let out = sh
            .args(["-c", command])
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(out.status.success(), "`{command}`: {}", text(&out.stderr));
    };
    let stderr = refused(&root, &CONSOLIDATE, "index lock");
    paste(advised(&stderr, "rm "));
    assert!(!root.join(".git/index.lock").exists());
    let stderr = refused(&root, &CONSOLIDATE, "assume-unchanged");
    paste(advised(&stderr, "git update-index"));
    assert!(!git(&root, &["ls-files", "-v"]).contains("h CHANGE LOG.md"));
    ok(&run(&root, &CONSOLIDATE, "true"), "consolidate after both");
}
