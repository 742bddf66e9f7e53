//! The versions a release takes and writes, against what the repository shows released
//! (hostile round 8's PEP 440 leftovers): a local label is refused for every kind of
//! release, the next development version keeps the epoch and the file's `v`, a version
//! after a final never made (`1.1.0.post0` after `1.1.0rc1` alone) is refused, and so are a
//! version older than a tag of its series and a next version a tag is at or after.

use std::path::Path;

use crate::hostile::{frozen, refused};
use crate::release::{project, project_after_rc, read};
use crate::util::{self, git, git_release, ok, one_error, run, text};

const DATE: [&str; 2] = ["--date", "2025-03-01"];

/// `git release <version> --yes --no-edit` (and `extra`), with `NEXT_DEV_VERSION` when
/// given.
fn release(root: &Path, version: &str, extra: &[&str], next: Option<&str>) -> std::process::Output {
    let mut cmd = git_release(root);
    cmd.args([version, "--yes", "--no-edit"])
        .args(DATE)
        .args(extra)
        .env("GIT_EDITOR", "false");
    if let Some(next) = next {
        cmd.env("NEXT_DEV_VERSION", next);
    }
    cmd.output().unwrap()
}

/// The plan of `git release <version>` (a dry run), which must succeed.
pub(crate) fn planned(root: &Path, version: &str, extra: &[&str]) -> String {
    let mut args = vec![version, "--dry-run", "--no-edit", DATE[0], DATE[1]];
    args.extend_from_slice(extra);
    let out = run(root, &args, "false");
    ok(&out, &format!("the plan of {version} {extra:?}"));
    text(&out.stdout) + &text(&out.stderr)
}

/// Finding 1: a local label (PEP 440) or build metadata (SemVer) is refused for every kind
/// of release — rc, final, post, dev, SemVer — and by `consolidate` and `freeze`,
/// with one message naming the label and the version to use; nothing changes (exit 2, as
/// for any version that is not one to release). On main `1.1.0+b7` was released while
/// `1.1.0rc3+b7` was refused as no version at all.
#[test]
fn a_local_label_is_refused_for_every_kind_of_release() {
    let repo = project("");
    let root = repo.path();
    for (asked, public) in [
        ("1.1.0rc3+b7", "1.1.0rc3"),
        ("1.1.0+b7", "1.1.0"),
        ("1.1+b7", "1.1"),
        ("1.0.0.post1+b7", "1.0.0.post1"),
        ("1.1.0.dev1+b7", "1.1.0.dev1"),
        ("1.1.0-rc.1+b7", "1.1.0-rc.1"),
        ("1.1.0+B-7", "1.1.0"),
        ("1.1.0RC3+b7", "1.1.0rc3"),
    ] {
        let label = asked.split_once('+').unwrap().1;
        for args in [
            vec![asked, "--yes", "--no-edit", DATE[0], DATE[1]],
            vec!["consolidate", asked, "--no-edit", DATE[0], DATE[1]],
            vec!["freeze", asked],
        ] {
            let before = frozen(root);
            let out = run(root, &args, "false");
            let stderr = one_error(&out, asked);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains(&format!("`+{label}`"))
                    && stderr.contains("local version label")
                    && stderr.contains(&format!("Use `{public}`")),
                "{args:?}: {stderr}"
            );
            assert!(frozen(root) == before, "{args:?} changed the repository");
        }
    }
    // NEXT_DEV_VERSION is written to the next-version file as a release's version is.
    let before = frozen(root);
    let out = release(root, "1.1.0", &[], Some("1.2.0+b7"));
    let stderr = one_error(&out, "NEXT_DEV_VERSION with a local label");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("NEXT_DEV_VERSION") && stderr.contains("`+b7`"),
        "{stderr}"
    );
    assert!(frozen(root) == before);
}

/// Finding 2: the next development version keeps the release's epoch (`1!1.1.0` advances
/// to `1!1.2.0`, newer by PEP 440; on main it lost the `1!` and the release was refused as
/// not advancing), and the `v` the next-version file writes its version with.
#[test]
fn the_next_version_keeps_the_epoch_and_the_files_v() {
    let repo = project("");
    let root = repo.path();
    util::write_file(root, "VERSION", "1!1.0.0\n");
    util::write_file(
        root,
        "src/demo/version.py",
        "NEXT_RELEASE_VERSION = \"1!1.1.0\"\n",
    );
    util::commit_all(root, "epoch 1");
    let out = release(root, "1!1.1.0", &[], None);
    ok(&out, "release 1!1.1.0");
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"1!1.2.0\"\n"
    );
    assert_eq!(read(root, "VERSION"), "1!1.1.0\n");
    let subject = git(root, &["log", "-1", "--format=%s"]);
    assert_eq!(
        subject.trim(),
        "chore: bump NEXT_RELEASE_VERSION to 1!1.2.0"
    );

    let repo = project("");
    let root = repo.path();
    util::write_file(
        root,
        "src/demo/version.py",
        "NEXT_RELEASE_VERSION = \"v1.1.0\"\n",
    );
    util::commit_all(root, "a v");
    let plan = planned(root, "1.1.0", &[]);
    assert!(plan.contains("to v1.2.0"), "{plan}");
    ok(&release(root, "1.1.0", &[], None), "release 1.1.0");
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"v1.2.0\"\n"
    );
    // Held already (with its `v`): nothing to advance, no commit.
    let repo = project("");
    let root = repo.path();
    let held = "NEXT_RELEASE_VERSION = \"v1.2.0\"\n";
    util::write_file(root, "src/demo/version.py", held);
    util::commit_all(root, "bumped by hand");
    let out = release(root, "1.1.0", &[], None);
    ok(&out, "release 1.1.0 with v1.2.0 held");
    assert!(text(&out.stderr).contains("already holds v1.2.0"));
    assert_eq!(read(root, "src/demo/version.py"), held);
}

/// Finding 3: a version after its base's final (`1.1.0.post0`, `1.1.0.post1.dev0`) while
/// only `1.1.0rc1` was released is refused, saying to release 1.1.0 first (on main it was
/// released, and 1.1.0 could never follow: it is older). A tag, a changelog section or
/// the version file showing the final lets it go.
#[test]
fn a_post_release_needs_its_final() {
    let repo = project_after_rc("");
    let root = repo.path();
    for asked in ["1.1.0.post0", "1.1.0.post1.dev0", "1.1.0.post3"] {
        let stderr = refused(root, &[asked, "--yes", "--no-edit"], asked);
        assert!(
            stderr.contains("1.1.0's final release, which was never made")
                && stderr.contains("`git release 1.1.0`")
                && stderr.contains("1.1.0rc1"),
            "{asked}: {stderr}"
        );
    }
    // A tag shows the final was made (elsewhere): the post-release may follow.
    git(root, &["tag", "v1.1.0"]);
    planned(root, "1.1.0.post0", &[]);
    git(root, &["tag", "-d", "v1.1.0"]);
    // The final released here: its post-release follows.
    ok(&release(root, "1.1.0", &[], None), "release 1.1.0");
    git(root, &["checkout", "--quiet", "main"]);
    git(root, &["merge", "--quiet", "--ff-only", "release/1.1.0"]);
    planned(root, "1.1.0.post0", &[]);

    // The changelog's section shows it, the version file lagging behind.
    let repo = project("");
    let root = repo.path();
    let stderr = refused(root, &["1.1.0.post0", "--yes", "--no-edit"], "no 1.1.0");
    assert!(
        stderr.contains("CHANGELOG.md has no `1.1.0` section"),
        "{stderr}"
    );
    let log = read(root, "CHANGELOG.md").replace(
        "## 1.0.0 (",
        "## 1.1.0 (2025-02-01)\n\n### Features\n* Second ([#2](https://example.com/demo/pull/2))\n\n## 1.0.0 (",
    );
    util::write_file(root, "CHANGELOG.md", &log);
    util::commit_all(root, "1.1.0 released on another branch");
    planned(root, "1.1.0.post0", &[]);
    // 1.0.0's final is the version file's: its post-release is fine.
    planned(root, "1.0.0.post1", &[]);
}

/// Finding 4 (release): the releases of one base are made in version order: a version at
/// or before a tag of its base (`1.0.1rc2` or `1.0.1` tagged, `1.0.1rc1` asked; `1.0.1.post1`
/// tagged, `1.0.1` asked) is refused naming the tag, whatever the version file says (on
/// main only the tag of the very version was); `--allow-downgrade` lets it go. Another
/// base's tag does not count (`1.0.2` tagged, `1.0.1` asked: hostile6 keeps that one).
#[test]
fn a_version_before_a_tag_of_its_base_is_refused() {
    let repo = project("");
    let root = repo.path();
    for (tag, asked) in [
        ("1.0.1rc2", "1.0.1rc1"),
        ("v1.0.1rc2", "1.0.1rc2.dev0"),
        ("1.0.1", "1.0.1rc1"),
        ("1.0.1+build.7", "1.0.1.dev3"),
        ("1.0.1.post1", "1.0.1"),
        ("V1.0.1.post1", "1.0.1.post0"),
        ("1.0.1.post1.dev2", "1.0.1.post1.dev1"),
    ] {
        git(root, &["tag", tag]);
        let stderr = refused(root, &[asked, "--yes", "--no-edit"], asked);
        assert!(
            stderr.contains(&format!("the tag `{tag}` exists"))
                && stderr.contains("--allow-downgrade")
                && stderr.contains("releases of 1.0.1 are made in version order"),
            "{tag} {asked}: {stderr}"
        );
        planned(root, asked, &["--allow-downgrade"]);
        git(root, &["tag", "-d", tag]);
    }
    // Another base's tag, or a tag that is no version: no reason to refuse.
    for tag in ["1.0.2", "2.0.0", "release-1.0.9"] {
        git(root, &["tag", tag]);
    }
    planned(root, "1.0.1", &[]);

    let repo = project_after_rc("");
    let root = repo.path();
    git(root, &["tag", "1.1.0rc3"]);
    let stderr = refused(root, &["1.1.0rc2", "--yes", "--no-edit"], "rc2 after rc3");
    assert!(stderr.contains("the tag `1.1.0rc3` exists"), "{stderr}");
    planned(root, "1.1.0rc4", &[]);
}

/// Finding 4 (next version): a tag at or after the next development version (`1.2.0`
/// tagged while releasing 1.1.0 would advance to 1.2.0) refuses the release, naming the
/// tag and NEXT_DEV_VERSION (on main the development version was set before a release
/// already made); NEXT_DEV_VERSION after it lets the release go. A tag of 1.2.0's rc does
/// not: development still leads to 1.2.0.
#[test]
fn a_next_version_already_tagged_is_refused() {
    let repo = project_after_rc("");
    let root = repo.path();
    for tag in [
        "1.2.0",
        "v1.2.0",
        "1.2.0+b7",
        "1.2.0.post1",
        "1.2.1",
        "1.3.0rc1",
    ] {
        git(root, &["tag", tag]);
        let before = frozen(root);
        let out = release(root, "1.1.0", &[], None);
        let stderr = one_error(&out, tag);
        assert_eq!(out.status.code(), Some(3), "{tag}: {stderr}");
        assert!(
            stderr.contains(&format!("the tag `{tag}` exists"))
                && stderr.contains("next development version 1.2.0")
                && stderr.contains("NEXT_DEV_VERSION"),
            "{tag}: {stderr}"
        );
        assert!(
            frozen(root) == before,
            "{tag}: the refusal changed the repository"
        );
        git(root, &["tag", "-d", tag]);
    }
    git(root, &["tag", "1.2.0rc1"]);
    planned(root, "1.1.0", &[]);
    git(root, &["tag", "1.2.0"]);
    let out = release(root, "1.1.0", &[], Some("1.3.0"));
    ok(&out, "release 1.1.0 with NEXT_DEV_VERSION after the tag");
    assert_eq!(
        read(root, "src/demo/version.py"),
        "NEXT_RELEASE_VERSION = \"1.3.0\"\n"
    );
}

/// A tag of another line's history is no release this line's development leads to: an LTS
/// branch releases 1.1.0 (next development version 1.2.0) while `v2.0.0` is tagged on a
/// commit its HEAD does not reach; the same tag reachable from HEAD still refuses
/// (hostile10/01: the false refusal advised writing 2.1.0 into the LTS line).
#[test]
fn a_tag_on_another_line_does_not_refuse_the_next_version() {
    let repo = project_after_rc("");
    let root = repo.path();
    let line = git(root, &["symbolic-ref", "--short", "HEAD"]);
    let line = line.trim();
    git(root, &["switch", "-q", "-c", "two"]);
    git(root, &["commit", "-q", "--allow-empty", "-m", "2.0 work"]);
    git(root, &["tag", "v2.0.0"]);
    git(root, &["switch", "-q", line]);
    planned(root, "1.1.0", &[]);
    git(root, &["merge", "-q", "--ff-only", "two"]);
    let before = frozen(root);
    let out = release(root, "1.1.0", &[], None);
    let stderr = one_error(&out, "v2.0.0 reachable");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("`v2.0.0`"), "{stderr}");
    assert!(frozen(root) == before, "the refusal changed the repository");
}

/// A sibling of finding 1 in SemVer: a pre-release keeps every identifier. `1.1.0-rc.1.2`
/// after `1.1.0-rc.1` is newer (on main it was the same version, refused as not newer),
/// and a tag `1.1.0-rc.1.2` does not name `1.1.0-rc.1`.
#[test]
fn a_semver_prerelease_keeps_every_identifier() {
    let repo = project("");
    let root = repo.path();
    util::write_file(root, "VERSION", "1.1.0-rc.1\n");
    util::commit_all(root, "1.1.0-rc.1");
    planned(root, "1.1.0-rc.1.2", &[]);
    let stderr = refused(root, &["1.1.0-rc.1", "--yes", "--no-edit"], "rc.1 again");
    assert!(stderr.contains("not newer"), "{stderr}");
    git(root, &["tag", "v1.1.0-rc.1.2"]);
    let stderr = refused(
        root,
        &["1.1.0-rc.1.1", "--yes", "--no-edit"],
        "before the tag",
    );
    assert!(
        stderr.contains("the tag `v1.1.0-rc.1.2` exists"),
        "{stderr}"
    );
    planned(root, "1.1.0-rc.1.3", &[]);
}

/// Finding 4's sibling in the changelog: a section of the version's base at or after it
/// (`## 1.1.0` merged from another branch, the version file still at 1.0.0) refuses
/// `1.1.0rc1` and `1.1.0.dev1` as a tag does, naming the changelog and the section (on main
/// the rc was released after its final); `--allow-downgrade` lets it go, and another base
/// (`1.1.1rc1`) or a post-release of 1.1.0 is fine.
#[test]
fn a_version_before_a_section_of_its_base_is_refused() {
    let repo = project("");
    let root = repo.path();
    let log = read(root, "CHANGELOG.md").replace(
        "## 1.0.0 (",
        "## 1.1.0 (2025-02-01)\n\n### Features\n* Second ([#2](https://example.com/demo/pull/2))\n\n## 1.0.0 (",
    );
    util::write_file(root, "CHANGELOG.md", &log);
    util::commit_all(root, "1.1.0 released on another branch");
    for asked in ["1.1.0rc1", "1.1.0.dev1", "1.1.0a1.post1"] {
        let stderr = refused(root, &[asked, "--yes", "--no-edit"], asked);
        assert!(
            stderr.contains("CHANGELOG.md has a `1.1.0` section")
                && stderr.contains("--allow-downgrade"),
            "{asked}: {stderr}"
        );
        planned(root, asked, &["--allow-downgrade"]);
    }
    planned(root, "1.1.1rc1", &[]);
    planned(root, "1.1.0.post1", &[]);
}

/// A version file with a local label (`1.1.0rc1+ubuntu1`, a downstream build of the rc):
/// the final folds the public version's section, `1.1.0rc1`, instead of asking for a
/// section no release can have (hostile10/11).
#[test]
fn a_local_label_in_the_version_file_folds_the_public_versions_section() {
    let repo = project_after_rc("");
    let root = repo.path();
    std::fs::write(root.join("VERSION"), "1.1.0rc1+ubuntu1\n").unwrap();
    util::commit_all(root, "a downstream build");
    planned(root, "1.1.0", &[]);
}
