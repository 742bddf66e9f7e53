//! Hostile round 6 (`/work/hostile6`): `abort` under a strict umask, tags of an equal
//! version, writes over what is not a regular file, and `abort` while the base branch is
//! checked out in another work tree. Each test refuses or restores exactly, changing nothing
//! a refusal must leave alone.

use std::path::Path;

use crate::hostile::{GO, refused, step_needing};
use crate::release::project_after_rc;
use crate::util::{self, git, ok, run};

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
/// made: pre-flight refuses `1.1`, `1.1.0.0` and `1.1.0+local` with `v1.1.0` tagged, and
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
    for version in ["1.1", "1.1.0.0", "1.1.0+local"] {
        let stderr = refused(root, &args(version), version);
        assert!(stderr.contains("`v1.1.0`"), "{version}: {stderr}");
    }
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
