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
