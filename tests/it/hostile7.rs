//! Hostile round 7: what the user does while the review is open (or while the release is
//! stopped at it) stays the user's — a fragment's new wording, a commit, a mode change, a
//! symlink put in place of a release file — and a release stopped right after git made its
//! commit continues without running a finished step again.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::review_window::{editor, project_with_files, release};
use crate::util::{git, ok, one_error, run, snapshot, text, write_file};

/// A project with one rc section to fold (so that the final opens the review), a
/// next-version file, and `extra` appended to its `pyproject.toml`.
fn project(extra: &str) -> tempfile::TempDir {
    let next = "\n[tool.git-release.next-version]\nfile = \"next.py\"\n\
         pattern = 'NEXT = \"(?P<version>[^\"]+)\"'\n";
    project_with_files(
        &format!("{next}{extra}"),
        &[("next.py", "NEXT = \"1.1.0\"\n")],
    )
}

fn subjects(root: &Path, range: &str) -> Vec<String> {
    git(root, &["log", "--format=%s", range])
        .lines()
        .map(str::to_string)
        .collect()
}

const NEW_WORDING: &str = "Add the third thing, to S3-compatible storage";

/// hostile7/12: a fragment reworded while the review is open is neither published with its
/// old text nor deleted with the edit. The release stops with the edit kept; `continue`
/// reopens the kept draft, and once the new wording is carried into it the release takes
/// the fragment as it is now.
#[test]
fn a_fragment_edited_while_the_review_is_open_is_not_lost() {
    let repo = project("");
    let root = repo.path();
    let edit = format!("echo '{NEW_WORDING}' > changes/3.feature.md");
    let out = release(root, &editor(root, &edit));
    let stderr = one_error(&out, "a fragment edited during the review");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("changes/3.feature.md"), "{stderr}");
    assert!(
        std::fs::read_to_string(root.join("changes/3.feature.md"))
            .unwrap()
            .contains("S3-compatible")
    );
    assert!(
        !std::fs::read_to_string(root.join("CHANGELOG.md"))
            .unwrap()
            .contains("## 1.1.0 ")
    );
    // The kept draft, reopened with the old text and closed unchanged: stopped again.
    let out = run(root, &["continue"], "true");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(root.join("changes/3.feature.md").exists());
    // The reviewer carries the new wording into the draft: released with it.
    let carry = format!("sed -i 's/Add the third thing/{NEW_WORDING}/'");
    ok(
        &run(root, &["continue"], &carry),
        "continue with the new wording",
    );
    let log = git(root, &["show", "HEAD~1:CHANGELOG.md"]);
    assert!(log.contains(NEW_WORDING), "{log}");
    assert!(!root.join("changes/3.feature.md").exists());
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// hostile7/12 (b): the same edit made while the release is stopped at the review (the
/// editor failed): `continue` does not publish the draft's old text; `abort` refuses to
/// discard the edit until it is put aside; the fragment put back as it was, `continue`
/// releases.
#[test]
fn a_fragment_edited_while_the_release_is_stopped_is_not_lost() {
    let repo = project("");
    let root = repo.path();
    let out = release(root, "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    write_file(root, "changes/3.feature.md", NEW_WORDING);
    let out = run(root, &["continue"], "true");
    let stderr = one_error(&out, "continue after the fragment was edited");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("changes/3.feature.md"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("changes/3.feature.md")).unwrap(),
        NEW_WORDING
    );
    let before = snapshot(root);
    let out = run(root, &["abort"], "true");
    let stderr = one_error(&out, "abort with the fragment edited");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("changes/3.feature.md"), "{stderr}");
    assert_eq!(snapshot(root), before, "a refused abort changed files");
    git(root, &["restore", "--", "changes/3.feature.md"]);
    ok(&run(root, &["continue"], "true"), "continue");
    let log = git(root, &["show", "HEAD~1:CHANGELOG.md"]);
    assert!(log.contains("Add the third thing"), "{log}");
}

/// hostile7/09: a commit made on the release branch while the review is open stops the
/// release before its commit, named; the way the message gives (a branch for it, then
/// `git reset`) lets `continue` release without it.
#[test]
fn a_commit_made_while_the_review_is_open_is_not_released() {
    let repo = project("");
    let root = repo.path();
    let base = git(root, &["rev-parse", "HEAD"]).trim().to_string();
    let work = "echo wip > wip.txt; git add wip.txt; git commit -qm 'wip: not for the release'";
    let out = release(root, &editor(root, work));
    let stderr = one_error(&out, "a commit made during the review");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("wip: not for the release"), "{stderr}");
    assert!(
        !subjects(root, &format!("{base}..HEAD"))
            .iter()
            .any(|s| s.starts_with("release:")),
        "released on top of the user's commit"
    );
    let wip = git(root, &["rev-parse", "HEAD"]).trim().to_string();
    git(root, &["branch", "wip", &wip]);
    git(root, &["reset", "--quiet", &base]);
    std::fs::rename(root.join("wip.txt"), root.join("../wip-aside.txt")).unwrap();
    ok(&run(root, &["continue"], "true"), "continue");
    let released = subjects(root, &format!("{base}..HEAD"));
    assert!(
        !released.iter().any(|s| s.starts_with("wip")),
        "{released:?}"
    );
    assert_eq!(git(root, &["show", "HEAD~1:VERSION"]), "1.1.0\n");
    assert_eq!(git(root, &["rev-parse", "wip"]).trim(), wip);
}

/// hostile7/09 (b): a commit of the user's that took the release's own changes (`git commit
/// -a` while the release was stopped): `continue` refuses it, changing nothing, and never
/// releases it.
#[test]
fn continue_refuses_a_user_commit_that_took_the_releases_changes() {
    let repo = project("");
    let root = repo.path();
    let out = release(root, "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    write_file(root, "src.txt", "source, typo fixed\n");
    git(root, &["commit", "-qam", "docs: typo"]);
    assert!(git(root, &["show", "--name-only", "HEAD"]).contains("VERSION"));
    let before = snapshot(root);
    let out = run(root, &["continue"], "true");
    let stderr = one_error(&out, "continue over a user commit");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("docs: typo"), "{stderr}");
    assert_eq!(snapshot(root), before, "a refused continue changed files");
    assert_eq!(subjects(root, "-1"), ["docs: typo"]);
}

/// hostile7/16: a mode change of a file the release changed, a staged mode change of the
/// changelog, or its `git rm --cached`, made while the review is open: the release stops
/// rather than commit (or override) it.
#[test]
fn a_mode_change_made_while_the_review_is_open_stops_the_release() {
    for (work, named) in [
        ("chmod +x VERSION", "VERSION"),
        ("git update-index --chmod=+x CHANGELOG.md", "CHANGELOG.md"),
        ("git rm -q --cached CHANGELOG.md", "CHANGELOG.md"),
    ] {
        let repo = project("");
        let root = repo.path();
        let out = release(root, &editor(root, work));
        let stderr = one_error(&out, work);
        assert_eq!(out.status.code(), Some(4), "{work}: {stderr}");
        assert!(stderr.contains(named), "{work}: {stderr}");
        assert!(
            !subjects(root, "-1")[0].starts_with("release:"),
            "{work}: released"
        );
    }
    // Undone, the release goes on and commits its own mode.
    let repo = project("");
    let root = repo.path();
    let out = release(root, &editor(root, "chmod +x VERSION"));
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let file = root.join("VERSION");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode & !0o111)).unwrap();
    ok(&run(root, &["continue"], "true"), "continue");
    assert!(git(root, &["ls-tree", "HEAD~1", "VERSION"]).starts_with("100644"));
}

/// hostile7/06: the changelog replaced, while the review is open, by a symlink to an
/// outside copy of itself (same bytes): nothing is written outside the repository and no
/// link is committed; put back, `continue` releases.
#[test]
fn a_changelog_swapped_for_an_outside_link_during_the_review_is_not_written() {
    let outside = tempfile::tempdir().unwrap();
    let copy = outside.path().join("CL.md");
    let repo = project("");
    let root = repo.path();
    let work = format!(
        "cp CHANGELOG.md '{0}' && rm CHANGELOG.md && ln -s '{0}' CHANGELOG.md",
        copy.display()
    );
    let out = release(root, &editor(root, &work));
    let stderr = one_error(&out, "the changelog swapped for an outside link");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("outside the repository"), "{stderr}");
    assert!(
        !std::fs::read_to_string(&copy)
            .unwrap()
            .contains("2026-01-15")
    );
    std::fs::remove_file(root.join("CHANGELOG.md")).unwrap();
    git(root, &["checkout", "--", "CHANGELOG.md"]);
    ok(&run(root, &["continue"], "true"), "continue");
    assert!(git(root, &["ls-tree", "HEAD~1", "CHANGELOG.md"]).starts_with("100644"));
    assert!(
        !std::fs::read_to_string(&copy)
            .unwrap()
            .contains("2026-01-15")
    );
}

/// hostile7/06 (b): the next-version file replaced by a link out of the repository after
/// pre-flight (here by a step, after the review): checked again before the release commit
/// and before the write, so nothing is written outside and no link is committed.
#[test]
fn a_next_version_file_swapped_for_an_outside_link_is_not_written() {
    let outside = tempfile::tempdir().unwrap();
    let copy = outside.path().join("next.py");
    let step = format!(
        "\n[[tool.git-release.step]]\nname = \"swap\"\nrun = \"cp next.py '{0}' && rm next.py \
         && ln -s '{0}' next.py\"\n",
        copy.display()
    );
    let repo = project(&step);
    let root = repo.path();
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2026-01-15"],
        "true",
    );
    let stderr = one_error(&out, "the next-version file swapped for an outside link");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("outside the repository"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&copy).unwrap(),
        "NEXT = \"1.1.0\"\n"
    );
    assert!(
        !subjects(root, "-1")[0].starts_with("release:"),
        "committed with the link"
    );
}

/// hostile7/15: git-release killed (`kill -9`) by the `post-commit` hook of its release
/// commit, with a step whose output differs on each run: `continue` recognises the commit
/// as the step's and runs no finished step again.
#[test]
fn continue_after_a_kill_during_the_release_commits_hook_reruns_no_step() {
    let step = "\n[[tool.git-release.step]]\nname = \"generate\"\n\
                run = 'echo generated >> generated.txt'\n";
    let repo = project(step);
    let root = repo.path();
    let hook = root.join(".git/hooks/post-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        "#!/bin/sh\nif git log -1 --format=%s | grep -q '^release: ' && [ ! -f .git/killed ]; \
         then\ntouch .git/killed\nkill -9 \"$(awk '{print $4}' /proc/$PPID/stat)\"\nfi\n",
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(
        root,
        &["1.1.0", "--yes", "--no-edit", "--date", "2026-01-15"],
        "true",
    );
    assert_eq!(out.status.code(), None, "killed: {}", text(&out.stderr));
    assert!(root.join(".git/killed").exists());
    let _ = std::fs::remove_file(root.join(".git/git-release/lock"));
    let out = run(root, &["continue"], "true");
    ok(&out, "continue");
    assert!(
        !text(&out.stderr).contains("runs again"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        git(root, &["show", "HEAD~1:generated.txt"]),
        "generated\n",
        "the step ran twice"
    );
    assert_eq!(subjects(root, "-2")[1], "release: 1.1.0");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
}

/// hostile7/14: `core.autocrlf` set after the files were checked out with LF line ends (git
/// status clean): `abort` gives back the bytes the files had, not git's CRLF checkout of
/// them; and a work tree checked out with that conversion keeps its CRLF through an abort.
#[test]
fn abort_gives_back_the_bytes_the_files_had_under_a_later_autocrlf() {
    let step = "\n[[tool.git-release.step]]\nname = \"fail\"\nrun = \"false\"\n";
    for checked_out_with_it in [false, true] {
        let repo = project(step);
        let root = repo.path();
        git(root, &["config", "core.autocrlf", "true"]);
        if checked_out_with_it {
            std::fs::remove_file(root.join("CHANGELOG.md")).unwrap();
            std::fs::remove_file(root.join("VERSION")).unwrap();
            git(root, &["checkout", "--", "CHANGELOG.md", "VERSION"]);
        }
        assert_eq!(git(root, &["status", "--porcelain"]), "");
        let crlf = std::fs::read(root.join("VERSION"))
            .unwrap()
            .ends_with(b"\r\n");
        assert_eq!(crlf, checked_out_with_it);
        let before = snapshot(root);
        let out = run(
            root,
            &["1.1.0", "--yes", "--no-edit", "--date", "2026-01-15"],
            "true",
        );
        assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
        ok(&run(root, &["abort"], "true"), "abort");
        let after = snapshot(root);
        for (path, bytes) in &before {
            assert_eq!(
                after.get(path).map(|b| text(b)),
                Some(text(bytes)),
                "{path} (checked out with autocrlf: {checked_out_with_it})"
            );
        }
        assert_eq!(after.len(), before.len());
        assert_eq!(git(root, &["status", "--porcelain"]), "");
    }
}
