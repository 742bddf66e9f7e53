//! Repositories that lack part of what a full clone has: a shallow clone (no history past
//! its boundary), partial clones (blobs or trees left on the promisor remote), fragments in
//! a submodule, and a sparse index. Each either works as in a full clone or is refused,
//! naming what it lacks and how to get it, with nothing changed.

use std::path::{Path, PathBuf};

use crate::hostile::refused;
use crate::release_ledger::{bring_back, listed, project, released_with_131_reworded};
use crate::util::{commit_all, git, git_command, identity_in_config, ok, run, text, write_files};

/// A project whose 1.1.0 release consumed `131.feature.md` (its entry reworded in the
/// review), which an old branch then brought back, plus a new fragment: the case the history
/// walk exists for.
fn consumed_and_back() -> tempfile::TempDir {
    let repo = released_with_131_reworded();
    let root = repo.path();
    bring_back(root, "1.1.0", &["131.feature.md"]);
    write_files(
        root,
        &[("changes/150.feature.md", "A health check endpoint\n")],
    );
    commit_all(root, "more");
    // Serve filtered clones over file://, as a forge does.
    git(root, &["config", "uploadpack.allowFilter", "true"]);
    git(root, &["config", "uploadpack.allowAnySHA1InWant", "true"]);
    repo
}

/// `git clone <extra> file://<from>` into a new temporary directory's `clone/`, with an
/// identity: the directory (kept alive by the caller) and the clone's root.
fn clone(from: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let into = tempfile::tempdir().unwrap();
    let url = format!("file://{}", from.display());
    let target = into.path().join("clone");
    let mut args = vec!["clone", "--quiet", "--no-local", "--branch", "main"];
    args.extend(extra);
    args.extend([url.as_str(), target.to_str().unwrap()]);
    git(into.path(), &args);
    identity_in_config(&target);
    (into, target)
}

#[test]
fn a_shallow_clone_is_refused_naming_it_with_nothing_changed() {
    let full = consumed_and_back();
    let (_dir, root) = clone(full.path(), &["--depth", "1"]);
    let root = root.as_path();
    assert!(root.join(".git/shallow").is_file(), "the clone is shallow");
    for args in [
        &["1.2.0rc1", "--yes", "--no-edit", "--dry-run"][..],
        &["1.2.0rc1", "--yes", "--no-edit"],
        &["1.2.0", "--yes", "--no-edit"],
    ] {
        let stderr = refused(root, args, "a release in a shallow clone");
        assert!(
            stderr.contains("shallow") && stderr.contains("git fetch --unshallow"),
            "names the shallow clone and the way out: {stderr}"
        );
    }
    // After fetching the history, the consumed fragment is found and left out.
    git(root, &["fetch", "--quiet", "--unshallow"]);
    let out = run(
        root,
        &["1.2.0rc1", "--yes", "--no-edit", "--dry-run"],
        "false",
    );
    ok(&out, "after --unshallow");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(said.contains("#131 ([1.1.0]"), "{said}");
}

#[test]
fn a_blobless_clone_finds_a_consumed_fragment_that_comes_back() {
    let full = consumed_and_back();
    let (_dir, root) = clone(full.path(), &["--filter=blob:none"]);
    let root = root.as_path();
    let out = run(
        root,
        &["1.2.0rc1", "--yes", "--no-edit", "--date", "2026-03-02"],
        "false",
    );
    ok(&out, "an rc in a blobless clone");
    assert!(
        text(&out.stderr).contains("#131 ([1.1.0]"),
        "the consumed fragment is named: {}",
        text(&out.stderr)
    );
    assert_eq!(
        listed(root, "Add scheduled exports").len(),
        0,
        "not listed again"
    );
    assert_eq!(listed(root, "A health check endpoint").len(), 1);
}

#[test]
fn a_treeless_clone_is_refused_saying_how_to_fetch_the_trees() {
    let full = consumed_and_back();
    let (_dir, root) = clone(full.path(), &["--filter=tree:0"]);
    let stderr = refused(
        &root,
        &["1.2.0rc1", "--yes", "--no-edit"],
        "a release in a treeless clone",
    );
    assert!(
        stderr.contains("partial clone") && stderr.contains("--filter=blob:none"),
        "{stderr}"
    );
}

#[test]
fn fragments_in_a_submodule_are_refused_naming_it() {
    let sub = crate::util::repo_with(&[("changes/160.bugfix.md", "Fix the thing\n")]);
    let repo = crate::util::repo_with(&[
        (
            "pyproject.toml",
            "[tool.towncrier]\ndirectory = \"sub/changes\"\nfilename = \"CHANGELOG.md\"\n",
        ),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2026-01-01)\n\n\
             ### Features\n\n- The first feature (#1)\n",
        ),
        ("VERSION", "1.0.0\n"),
    ]);
    let root = repo.path();
    git_command(root)
        .args([
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "--quiet",
        ])
        .arg(sub.path())
        .arg("sub")
        .status()
        .unwrap();
    assert!(
        root.join("sub/changes/160.bugfix.md").is_file(),
        "submodule added"
    );
    commit_all(root, "add the submodule");
    for args in [
        &["1.1.0", "--yes", "--no-edit", "--dry-run"][..],
        &["1.1.0", "--yes", "--no-edit"],
    ] {
        let stderr = refused(root, args, "fragments in a submodule");
        assert!(
            stderr.contains("submodule") && stderr.contains("sub"),
            "{stderr}"
        );
    }
}

/// gix cannot compare a sparse index (`git sparse-checkout --sparse-index`): the status is
/// read from git then, so pre-flight still sees every dirty path, and a release completes.
#[test]
fn a_sparse_index_release_sees_dirty_paths_and_completes() {
    let repo = project();
    let root = repo.path();
    write_files(
        root,
        &[
            ("docs/a/f.txt", "outside the cone\n"),
            ("changes/140.feature.md", "Add the sparse feature\n"),
            ("changes/141.bugfix.md", "Fix the sparse bug\n"),
        ],
    );
    commit_all(root, "docs and fragments");
    git(
        root,
        &[
            "sparse-checkout",
            "set",
            "--cone",
            "--sparse-index",
            "changes",
        ],
    );
    assert!(
        git(root, &["ls-files", "--sparse"])
            .lines()
            .any(|l| l == "docs/"),
        "the index is sparse"
    );
    // Dirty paths of each kind are seen (and refused) through the sparse index.
    write_files(root, &[("stray file.txt", "x\n"), ("VERSION", "1.0.1\n")]);
    let stderr = refused(
        root,
        &["1.1.0", "--yes", "--no-edit"],
        "a dirty sparse index",
    );
    assert!(stderr.contains("stray file.txt"), "{stderr}");
    assert!(stderr.contains("VERSION"), "{stderr}");
    std::fs::remove_file(root.join("stray file.txt")).unwrap();
    git(root, &["checkout", "--", "VERSION"]);
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2026-03-02"],
        "false",
    );
    ok(&out, "a release on a sparse index");
    let shown = git(root, &["show", "--stat", "--format=%s", "HEAD"]);
    assert!(shown.starts_with("release: 1.1.0"), "{shown}");
    assert!(shown.contains("changes/140.feature.md"), "{shown}");
    assert_eq!(
        git(root, &["status", "--porcelain"]),
        "",
        "clean after the release"
    );
    assert_eq!(listed(root, "Fix the sparse bug").len(), 1);
}
