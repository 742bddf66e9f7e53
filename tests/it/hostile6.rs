//! Hostile round 6 (`/work/hostile6`): `abort` under a strict umask, tags of an equal
//! version, writes over what is not a regular file, and `abort` while the base branch is
//! checked out in another work tree. Each test refuses or restores exactly, changing nothing
//! a refusal must leave alone.

use std::path::Path;

use crate::hostile::{GO, frozen, refused, step_needing};
use crate::release::project_after_rc;
use crate::util::{self, git, ok, one_error, run};

/// `mkfifo path`.
fn fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

// --- hostile6/06: a write never replaces what is not a regular file ------------------

/// `rules learn -o` over a FIFO (or a link to one) or a directory is refused, and they
/// stay what they were (it replaced them with a regular file; `-o /dev/null` as root
/// replaced the machine's `/dev/null`); over the changelog it learns from (by its name or
/// through a link) it is refused, the changelog untouched. A new file is written.
#[test]
fn rules_learn_refuses_an_output_it_would_replace() {
    use std::os::unix::fs::FileTypeExt;
    let repo = project_after_rc("");
    let root = repo.path();
    let outside = tempfile::tempdir().unwrap();
    let pipe = outside.path().join("fifo");
    fifo(&pipe);
    let link = outside.path().join("link");
    std::os::unix::fs::symlink(&pipe, &link).unwrap();
    let dir = outside.path().join("dir");
    std::fs::create_dir(&dir).unwrap();
    for out in [&pipe, &link, &dir] {
        let stderr = refused(
            root,
            &["rules", "learn", "-o", out.to_str().unwrap()],
            "rules learn -o <not a file>",
        );
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
    assert!(std::fs::metadata(&pipe).unwrap().file_type().is_fifo());
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(dir.is_dir());

    std::os::unix::fs::symlink("CHANGELOG.md", root.join("NEWS.md")).unwrap();
    util::commit_all(root, "a link to the changelog");
    for out in ["CHANGELOG.md", "NEWS.md", "./CHANGELOG.md"] {
        let stderr = refused(
            root,
            &["rules", "learn", "-o", out],
            "rules learn -o <its input>",
        );
        assert!(stderr.contains(&format!("--changelog {out}`")), "{stderr}");
    }
    let rules = outside.path().join("rules.toml");
    ok(
        &run(
            root,
            &["rules", "learn", "-o", rules.to_str().unwrap()],
            "false",
        ),
        "rules learn -o a new file",
    );
    assert!(rules.is_file());
}

// --- hostile6/05: a tag is compared as a version -----------------------------------

/// A tag of an equal version (PEP 440 equality, with or without `v`) means the release was
/// made: pre-flight refuses `1.1` and `1.1.0.0` with `v1.1.0` tagged (`1.1.0+local` is
/// refused before, for its label), and
/// `1.1.0` with `1.1` tagged (they went through and cut the release again), naming the tag.
/// A tag of another version (`v1.1.0rc1`, `v1.1.1`) is no reason to refuse.
#[test]
fn a_tag_of_an_equal_version_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    git(root, &["tag", "v1.1.0rc1"]);
    git(root, &["tag", "v1.1.1"]);
    git(root, &["tag", "v1.1.0"]);
    let args = |v: &'static str| [v, "--yes", "--no-edit", "--date", "2025-03-01"];
    for version in ["1.1", "1.1.0.0"] {
        let stderr = refused(root, &args(version), version);
        assert!(stderr.contains("`v1.1.0`"), "{version}: {stderr}");
    }
    // A local label is refused before any tag is looked at (a release cannot carry one:
    // tests/it/versions.rs): a usage error, exit 2, nothing changed.
    let before = frozen(root);
    let out = run(root, &args("1.1.0+local"), "false");
    let stderr = one_error(&out, "1.1.0+local");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("+local"), "{stderr}");
    assert!(frozen(root) == before, "the refusal changed the repository");
    git(root, &["tag", "-d", "v1.1.0"]);
    git(root, &["tag", "1.1"]);
    let stderr = refused(root, &GO, "1.1.0 with tag 1.1");
    assert!(stderr.contains("`1.1`"), "{stderr}");
    git(root, &["tag", "-d", "1.1"]);
    ok(
        &run(root, &GO, "false"),
        "1.1.0 with only other versions tagged",
    );
}

// --- hostile6/04: abort gives back each file's mode ---------------------------------

/// `git-release args` in `root` with the process's umask set to `mask` (as a hardened
/// server's shell would have it).
fn run_with_umask(root: &Path, args: &[&str], mask: u32) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = util::git_release_process(root);
    cmd.args(args).env("GIT_EDITOR", "false");
    // SAFETY: umask is async-signal-safe and touches nothing but the child's mask.
    unsafe {
        cmd.pre_exec(move || {
            libc::umask(mask as libc::mode_t);
            Ok(())
        });
    }
    cmd.output().unwrap()
}

/// Every file's permission bits under `root`, outside `.git`.
fn modes(root: &Path) -> std::collections::BTreeMap<String, u32> {
    use std::os::unix::fs::PermissionsExt;
    util::snapshot(root)
        .into_keys()
        .map(|rel| {
            let meta = std::fs::symlink_metadata(root.join(&rel)).unwrap();
            (rel, meta.permissions().mode() & 0o7777)
        })
        .collect()
}

/// Released and aborted under `umask 077`, every file the abort restores gets back the
/// mode it had — the usual 0644, and the ones that had another (a 0640 fragment, a 0664
/// changelog, an executable source) — not the 0600 git writes under that umask; content
/// as it was too.
#[test]
fn abort_under_a_strict_umask_restores_each_files_mode() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, ""));
    let root = repo.path();
    util::write_file(
        root,
        "src/demo/cli.py",
        "#!/usr/bin/env python3\n# Since NEXT_RELEASE_VERSION\n",
    );
    let set = |rel: &str, mode: u32| {
        std::fs::set_permissions(root.join(rel), std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set("src/demo/cli.py", 0o755);
    util::commit_all(root, "a script");
    for (rel, _) in modes(root) {
        set(&rel, 0o644);
    }
    set("src/demo/cli.py", 0o750);
    set("changes/11.feature.md", 0o640);
    set("CHANGELOG.md", 0o664);
    let (files, before) = (util::snapshot(root), modes(root));

    let out = run_with_umask(root, &GO, 0o077);
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    assert_ne!(util::snapshot(root), files, "the release changed nothing");
    ok(&run_with_umask(root, &["abort"], 0o077), "abort");
    assert_eq!(util::snapshot(root), files);
    assert_eq!(modes(root), before);
}

// --- hostile6/08: a branch checked out in another work tree --------------------------

/// With the base branch checked out in a linked work tree while the release is stopped,
/// `abort` refuses before undoing anything (it reverted the release's files, then failed
/// on `git switch` with git's own error), naming the work tree and what to do; so with the
/// release branch checked out there too (`--force`), which abort deletes. Once the work
/// tree is gone, abort goes through.
#[test]
fn abort_refuses_up_front_when_a_branch_it_needs_is_in_another_work_tree() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, ""));
    let root = repo.path();
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    let branch = crate::release::current_branch(root);
    for (name, force) in [("main", false), (branch.as_str(), true)] {
        let other = scratch.path().join("other");
        let other_arg = other.to_str().unwrap();
        let mut add = vec!["worktree", "add", "--quiet"];
        add.extend(force.then_some("--force"));
        add.extend([other_arg, name]);
        git(root, &add);
        let stderr = refused(root, &["abort"], name);
        assert!(
            stderr.contains(&format!(
                "`{name}` is checked out in another work tree, {other_arg}"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("git worktree remove {other_arg}")),
            "{stderr}"
        );
        git(root, &["worktree", "remove", "--force", other_arg]);
    }
    ok(&run(root, &["abort"], "false"), "abort");
    assert_eq!(crate::release::current_branch(root), "main");
}

/// Stopped between creating the release branch and switching to it (Ctrl-C), with that
/// branch checked out in another work tree meanwhile: `continue` (which switches to it) and
/// `abort` (which deletes it) refuse before anything changes, naming the work tree; once
/// it is gone, `continue` finishes the release.
#[test]
fn continue_refuses_up_front_when_its_branch_is_in_another_work_tree() {
    use crate::release_safety::{install_hook, spawn};
    let scratch = tempfile::tempdir().unwrap();
    let repo = project_after_rc("");
    let root = repo.path();
    let hook = install_hook(
        root,
        "reference-transaction",
        "#!/bin/sh\nif [ \"$1\" = committed ] && grep -q ' refs/heads/release/' \
         && [ ! -f .git/hit ]; then\ntouch .git/hit; kill -INT 0; sleep 1\nfi\nexit 0\n",
    );
    let out = spawn(root, &GO, "false").wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    std::fs::remove_file(&hook).unwrap();
    std::fs::remove_file(root.join(".git/hit")).unwrap();
    assert_eq!(crate::release::current_branch(root), "main");
    let other = scratch.path().join("other");
    let other_arg = other.to_str().unwrap();
    git(
        root,
        &["worktree", "add", "--quiet", other_arg, "release/1.1.0"],
    );
    for command in [&["continue", "--yes"][..], &["abort"]] {
        let stderr = refused(root, command, command[0]);
        assert!(
            stderr.contains(&format!(
                "`release/1.1.0` is checked out in another work tree, {other_arg}"
            )),
            "{stderr}"
        );
    }
    git(root, &["worktree", "remove", other_arg]);
    ok(&run(root, &["continue", "--yes"], "true"), "continue");
    assert_eq!(crate::release::current_branch(root), "release/1.1.0");
}

/// git's index lock (another git command running, or one that crashed) would make the
/// first git write of `continue` or `abort` fail after it changed files: both refuse, naming
/// the lock, and go through once it is gone.
#[test]
fn continue_and_abort_refuse_while_the_index_is_locked() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, ""));
    let root = repo.path();
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    let lock = root.join(".git/index.lock");
    std::fs::write(&lock, "").unwrap();
    for command in [&["continue", "--yes"][..], &["abort"]] {
        let stderr = refused(root, command, command[0]);
        assert!(stderr.contains("index.lock"), "{stderr}");
    }
    std::fs::remove_file(&lock).unwrap();
    ok(&run(root, &["abort"], "false"), "abort");
    assert_eq!(crate::release::current_branch(root), "main");
}

// --- hostile6/16, 17: the section is held to the release's entries before the commit --

/// The review failed (the editor exited non-zero) and the user says the changelog step
/// was done by hand (`continue --skip`) without writing the section: refused, naming what
/// is missing, and nothing changes (it committed a final with no section, the rc sections
/// unfolded and the fragments left).
#[test]
fn skipping_the_changelog_step_without_its_section_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    let out = run(root, &["1.1.0", "--yes", "--date", "2025-03-01"], "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    let stderr = refused(root, &["continue", "--skip"], "continue --skip");
    assert!(stderr.contains("has no 1.1.0 section"), "{stderr}");
}

/// A section edited by hand while the release is stopped, with a paste gone wrong (one
/// entry doubled, another deleted): the release stops before its commit, naming both; once
/// mended (a rewording is fine), `continue` commits it.
#[test]
fn a_section_edited_while_stopped_must_still_list_each_entry_once() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("ok");
    let repo = project_after_rc(&step_needing(&flag, ""));
    let root = repo.path();
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    let written = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let line = |pr: u64| {
        written
            .lines()
            .find(|l| l.contains(&format!("[#{pr}]")))
            .unwrap()
            .to_string()
    };
    let (ten, eleven) = (line(10), line(11));
    let broken = written
        .replace(&ten, &format!("{ten}\n{ten}"))
        .replace(&format!("{eleven}\n"), "");
    std::fs::write(root.join("CHANGELOG.md"), &broken).unwrap();
    std::fs::write(&flag, "").unwrap();
    let out = run(root, &["continue"], "false");
    let stderr = util::one_error(&out, "continue over a broken section");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("#10 is listed 2 times") && stderr.contains("#11 is missing"),
        "{stderr}"
    );
    assert_eq!(
        git(root, &["log", "-1", "--format=%s"]).trim(),
        "release: 1.1.0rc1 (merged)"
    );
    let mended = written.replace("Add fair share weights", "Add weights to fair share");
    std::fs::write(root.join("CHANGELOG.md"), &mended).unwrap();
    ok(&run(root, &["continue"], "false"), "continue");
    let committed = git(root, &["show", "release/1.1.0:CHANGELOG.md"]);
    assert!(
        committed.contains("Add weights to fair share"),
        "{committed}"
    );
    assert_eq!(committed.matches("[#10]").count(), 1, "{committed}");
}
