//! Hostile round 14's leftovers in `abort`, commits and work trees (03, 04, 05, 08): a user's
//! edit of a release's file made before a step or a by-hand command wrote over it, or after
//! a step was killed, is never discarded by `abort`; a hook that replaces the release commit
//! is caught; a release stopped in another work tree refuses only what would take its
//! fragments. (Repro scripts: /work/hostile14/{03,04,05,08}-*.sh.)

use std::path::Path;
use std::time::{Duration, Instant};

use crate::hostile::{GO, refused, stopped_at_webui};
use crate::release::{project_after_rc, read};
use crate::util::{self, git, ok, run, text};

/// The released entry of the project's changelog, and the user's fix of it.
const OLD: &str = "First release";
const FIXED: &str = "First public release";

/// A final release (1.1.0) of a project whose one configured step runs `script` (in the
/// step's own shell: `$PPID` is git-release).
pub(crate) fn project_with_step(script: &str) -> tempfile::TempDir {
    let step = format!("\n[[step]]\nname = \"project step\"\nrun = '''{script}'''\n");
    project_after_rc(&step)
}

/// A step that kills git-release (`kill -9`) the first time it runs, after `before`; later
/// runs run `after`.
pub(crate) fn killing(before: &str, after: &str) -> String {
    format!(
        "if [ ! -e .git/killed ]; then {before}; touch .git/killed; exec kill -9 $PPID; else \
         {after}; fi"
    )
}

/// Run the release (or `continue`) killed by its step, and wait until nothing of the step
/// runs; the stale lock removed, as the refusal says to.
pub(crate) fn killed(root: &Path, args: &[&str]) {
    let out = run(root, args, "false");
    assert_eq!(out.status.code(), None, "killed: {}", text(&out.stderr));
    let state: serde_json::Value =
        serde_json::from_str(&read(root, ".git/git-release/state.json")).unwrap();
    let groups: Vec<i64> = state["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["process_group"].as_i64())
        .collect();
    let start = Instant::now();
    for group in groups {
        // SAFETY: signal 0 only asks whether the step's group still has a process.
        while unsafe { libc::kill(-(group as libc::pid_t), 0) } == 0 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the step runs on"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    std::fs::remove_file(root.join(".git/git-release/lock")).unwrap();
}

/// Fix the released entry's typo in the changelog, by hand.
fn fix_typo(root: &Path) {
    let log = read(root, "CHANGELOG.md");
    assert!(log.contains(OLD));
    util::write_file(root, "CHANGELOG.md", &log.replacen(OLD, FIXED, 1));
}

/// The base commit's changelog.
fn base_changelog(root: &Path) -> String {
    git(root, &["show", "main:CHANGELOG.md"])
}

/// The copies `abort` kept, by path under `.git/git-release/aborted/`.
pub(crate) fn copies(root: &Path) -> Vec<(String, String)> {
    let dir = root.join(".git/git-release/aborted");
    let mut out = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

// --- 03: a step killed while it ran ---------------------------------------------------

/// hostile14/03: a release killed (`kill -9`) while its project step ran, after the
/// changelog step; the user fixes a typo in the released section, then aborts. Whether the
/// killed step or the user changed the file cannot be told: abort gives it back all the
/// same (refusing would refuse every abort after a kill that wrote a file), and keeps a copy
/// it names — the fix is not lost. Before, no file was judged after a kill: the fix was
/// discarded, exit 0, no copy.
#[test]
fn an_edit_made_after_a_kill_is_kept_by_abort() {
    let repo = project_with_step(&killing("true", "true"));
    let root = repo.path();
    killed(root, &GO);
    assert!(read(root, "CHANGELOG.md").contains("## 1.1.0"));
    fix_typo(root);
    let out = run(root, &["abort"], "false");
    ok(&out, "abort after a kill");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(".git/git-release/aborted/CHANGELOG.md"),
        "{stderr}"
    );
    assert_eq!(read(root, "CHANGELOG.md"), base_changelog(root));
    let kept = copies(root);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].0, "CHANGELOG.md");
    assert!(kept[0].1.contains(FIXED) && kept[0].1.contains("## 1.1.0"));
    assert_eq!(util::git(root, &["status", "--porcelain"]), "");
}

/// A killed step that formatted every file it could (the changelog, the version file, a
/// source; CRLF line ends) and nothing by the user: abort is not refused and gives every
/// file back (copies kept of what it cannot tell); run again after the kill by `continue`
/// and stopping, the step's writes are the release's, and abort is not refused either.
/// Before, the second abort was refused: what the killed step wrote was taken for the
/// user's.
#[test]
fn what_a_killed_step_wrote_does_not_refuse_abort() {
    let format = "for f in CHANGELOG.md VERSION src/demo/api.py; do sed -i 's/\\r*$/\\r/' $f; done";
    for again in [false, true] {
        let repo = project_with_step(&killing(format, &format!("{format}; false")));
        let root = repo.path();
        let base: Vec<String> = ["CHANGELOG.md", "VERSION", "src/demo/api.py"]
            .iter()
            .map(|f| git(root, &["show", &format!("main:{f}")]))
            .collect();
        killed(root, &GO);
        assert!(read(root, "VERSION").ends_with("\r\n"));
        if again {
            let out = run(root, &["continue"], "false");
            assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
        }
        let out = run(root, &["abort"], "false");
        ok(&out, &format!("abort (continued: {again})"));
        for (f, b) in ["CHANGELOG.md", "VERSION", "src/demo/api.py"]
            .iter()
            .zip(&base)
        {
            assert_eq!(&read(root, f), b, "{f} given back");
        }
        assert_eq!(util::git(root, &["status", "--porcelain"]), "");
    }
}

/// An edit made while the release was stopped, before `continue` ran the step that was
/// then killed: the edit was there when the step started, so abort refuses, naming the file
/// and changing nothing. Before, after a kill no file was judged: the edit was discarded.
#[test]
fn an_edit_made_before_a_killed_step_refuses_abort() {
    let script = "if [ -e .git/go ]; then touch .git/killed; exec kill -9 $PPID; fi; false";
    let repo = project_with_step(script);
    let root = repo.path();
    let out = run(root, &GO, "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    fix_typo(root);
    std::fs::write(root.join(".git/go"), "").unwrap();
    killed(root, &["continue"]);
    let stderr = refused(root, &["abort"], "abort after an edit and a kill");
    assert!(stderr.contains("CHANGELOG.md changed since"), "{stderr}");
    assert!(read(root, "CHANGELOG.md").contains(FIXED));
    // Given back by hand as the refusal says, abort goes ahead.
    git(root, &["checkout", "main", "--", "CHANGELOG.md"]);
    ok(&run(root, &["abort"], "false"), "abort once given back");
}

// --- 04: a step or a by-hand command written over an edit ------------------------------

/// hostile14/04 A: a formatting step (it strips trailing blanks from the changelog, then
/// fails) run again by `continue` over the user's fix (which left a trailing blank): the
/// fix stays the user's, and abort refuses, changing nothing. Before, the digest recorded
/// after the step took the fix for the release's: abort discarded it, exit 0.
#[test]
fn a_formatting_step_run_over_an_edit_does_not_make_it_the_releases() {
    let repo = project_with_step("sed -i 's/[[:space:]]*$//' CHANGELOG.md; false");
    let root = repo.path();
    let out = run(root, &GO, "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let log = read(root, "CHANGELOG.md").replacen(OLD, FIXED, 1);
    let log = log.replacen("/pull/1))\n", "/pull/1)) \n", 1);
    assert!(log.contains(" \n"));
    util::write_file(root, "CHANGELOG.md", &log);
    let out = run(root, &["continue"], "false");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(read(root, "CHANGELOG.md").contains(FIXED));
    assert!(
        !read(root, "CHANGELOG.md").contains(" \n"),
        "the step formatted it"
    );
    let stderr = refused(root, &["abort"], "abort over a formatted edit");
    assert!(stderr.contains("CHANGELOG.md changed since"), "{stderr}");
    // Without an edit the same stop and continue abort without a word.
    let repo = project_with_step("sed -i 's/[[:space:]]*$//' CHANGELOG.md; false");
    let root = repo.path();
    assert_eq!(run(root, &GO, "false").status.code(), Some(4));
    assert_eq!(run(root, &["continue"], "false").status.code(), Some(4));
    ok(&run(root, &["abort"], "false"), "abort without an edit");
    assert_eq!(read(root, "CHANGELOG.md"), base_changelog(root));
}

/// hostile14/04 B: the release stopped at its WebUI step; the user fixes a typo in the
/// changelog, then runs the advised `git release build 1.1.0`: abort refuses (the fix was
/// there before `build` wrote over it). Before, `build`'s by-hand record took the whole file,
/// the fix included, for the release's: abort discarded it. `build` with no edit first is
/// the release's, and abort goes ahead.
#[test]
fn a_by_hand_build_over_an_edit_does_not_make_it_the_releases() {
    let flag = tempfile::tempdir().unwrap();
    let missing = flag.path().join("never");
    for edit in [true, false] {
        let repo = stopped_at_webui(&crate::hostile::step_needing(&missing, "when = \"webui\""));
        let root = repo.path();
        if edit {
            fix_typo(root);
        }
        let out = run(root, &["build", "1.1.0", "--date", "2025-03-01"], "false");
        ok(&out, "build by hand");
        assert!(read(root, "CHANGELOG.md").contains("## 1.1.0"));
        if edit {
            let stderr = refused(root, &["abort"], "abort after build over an edit");
            assert!(stderr.contains("CHANGELOG.md changed since"), "{stderr}");
            assert!(read(root, "CHANGELOG.md").contains(FIXED));
        } else {
            ok(&run(root, &["abort"], "false"), "abort after build");
            assert_eq!(read(root, "CHANGELOG.md"), base_changelog(root));
        }
    }
}

// --- 05: a hook that replaces the release commit ----------------------------------------

/// A project whose `post-commit` hook runs `script` once, after the first commit.
fn with_post_commit(script: &str) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt as _;
    let repo = project_after_rc("");
    let hook = repo.path().join(".git/hooks/post-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!("#!/bin/sh\n[ -f .git/hooked ] && exit 0\ntouch .git/hooked\n{script}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo
}

/// hostile14/05: a `post-commit` hook that takes the release commit back and makes one of
/// its own on the same parent — empty, or with the release's subject but without the
/// changelog — leaves no release commit on the branch: the release does not report
/// success. Before, HEAD's parent being the old HEAD was taken for the release commit:
/// "Release prepared", exit 0, with no section and no version committed.
#[test]
fn a_hook_that_replaces_the_release_commit_is_no_success() {
    for script in [
        "git reset -q --keep HEAD~1; git commit -q --allow-empty -m 'ci: bump'",
        "git reset -q --soft HEAD~1; git reset -q -- CHANGELOG.md; git commit -q -m 'release: 1.1.0'",
    ] {
        let repo = with_post_commit(script);
        let root = repo.path();
        let out = run(root, &GO, "false");
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{script}: succeeded\n{stderr}");
        assert!(
            stderr.contains("does not hold what it committed"),
            "{script}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// What a hook may do to the release commit and still leave it on the branch: amend its
/// message (a trailer), amend it adding a file, sign it again — the commit HEAD is holds
/// every path the release committed as it committed it, and the release goes through.
#[test]
fn a_hook_that_amends_only_the_message_or_adds_to_the_commit_passes() {
    for script in [
        "git commit -q --amend -m \"$(git log -1 --format=%B)\" -m 'Reviewed-by: ci'",
        "echo made > generated.txt; git add generated.txt; git commit -q --amend --no-edit",
        "git commit -q --amend --no-edit --no-verify --date=now",
    ] {
        let repo = with_post_commit(script);
        let root = repo.path();
        let out = run(root, &GO, "false");
        ok(&out, script);
        let subjects = git(root, &["log", "--format=%s", "main..release/1.1.0"]);
        assert!(subjects.contains("release: 1.1.0"), "{script}: {subjects}");
        let section = git(root, &["show", "release/1.1.0:CHANGELOG.md"]);
        assert!(section.contains("## 1.1.0"), "{script}");
    }
}

/// Signed (`commit.gpgSign`, an ssh key), the release commit amended by a hook that adds a
/// trailer (signed again, as the hook's git inherits the setting): the release goes
/// through, its commit signed; replaced by an empty commit, it is no success.
#[test]
fn a_signed_release_commit_amended_by_a_hook_passes_and_replaced_does_not() {
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id_ed25519");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
        .arg(&key)
        .stdin(std::process::Stdio::null())
        .status();
    if !made.is_ok_and(|s| s.success()) {
        return; // No ssh-keygen here.
    }
    for (script, passes) in [
        (
            "git commit -q --amend -m \"$(git log -1 --format=%B)\" -m 'Reviewed-by: ci'",
            true,
        ),
        (
            "git reset -q --keep HEAD~1; git commit -q --allow-empty -m 'ci: bump'",
            false,
        ),
    ] {
        let repo = with_post_commit(script);
        let root = repo.path();
        git(root, &["config", "gpg.format", "ssh"]);
        git(root, &["config", "user.signingKey", key.to_str().unwrap()]);
        let out = util::git_release(root)
            .args(GO)
            .env("GIT_CONFIG_VALUE_0", "true")
            .env("GIT_EDITOR", "false")
            .output()
            .unwrap();
        if passes {
            ok(&out, script);
            let commit = git(root, &["cat-file", "commit", "release/1.1.0~1"]);
            assert!(
                commit.contains("gpgsig -----BEGIN SSH SIGNATURE"),
                "{commit}"
            );
            assert!(commit.contains("Reviewed-by: ci"), "{commit}");
        } else {
            assert!(!out.status.success(), "{script}: {}", text(&out.stderr));
        }
    }
}

// --- 08: a release stopped in another work tree ------------------------------------------

/// hostile14/08: 1.1.0rc1 stopped in the main work tree; in a linked work tree on a
/// maintenance branch whose fragments are none of the stopped release's, `build 1.0.1` and
/// `1.0.1 --dry-run` go ahead. Where the maintenance branch still holds one of them
/// (`changes/11.feature.md`), both are refused naming it, and nothing changes. Before, both
/// were refused whatever the fragments ("would take the same fragments").
#[test]
fn another_work_tree_is_refused_only_for_the_stopped_releases_fragments() {
    let flag = tempfile::tempdir().unwrap();
    let step = crate::hostile::step_needing(&flag.path().join("never"), "");
    let repo = crate::release::project(&step);
    let root = repo.path();
    git(root, &["branch", "maint-1.0"]);
    let out = run(
        root,
        &["1.1.0rc1", "--yes", "--no-edit", "--date", "2025-03-01"],
        "false",
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let trees = tempfile::tempdir().unwrap();
    for shared in [false, true] {
        let wt = trees.path().join(format!("maint-{shared}"));
        let branch = format!("maint-{shared}");
        git(root, &["branch", &branch, "maint-1.0"]);
        git(
            root,
            &["worktree", "add", "-q", wt.to_str().unwrap(), &branch],
        );
        git(
            &wt,
            &["rm", "-q", "changes/10.feature.md", "changes/12.fix.md"],
        );
        if !shared {
            git(&wt, &["rm", "-q", "changes/11.feature.md"]);
        }
        util::write_file(&wt, "changes/401.fix.md", "Patch the crash\n");
        let config = format!(
            "base-branch = \"{branch}\"\n{}",
            read(&wt, ".git-release.toml")
        );
        util::write_file(&wt, ".git-release.toml", &config);
        util::commit_all(&wt, "maintenance");
        let build = ["build", "1.0.1", "--date", "2025-03-02"];
        let dry = ["1.0.1", "--yes", "--no-edit", "--dry-run"];
        if shared {
            for args in [&build[..], &dry[..]] {
                let stderr = refused(&wt, args, "a shared fragment");
                assert!(
                    stderr.contains("stopped in the work tree")
                        && stderr.contains("changes/11.feature.md"),
                    "{stderr}"
                );
            }
        } else {
            ok(&run(&wt, &dry, "false"), "a dry run sharing no fragment");
            ok(&run(&wt, &build, "false"), "build sharing no fragment");
            assert!(read(&wt, "CHANGELOG.md").contains("## 1.0.1"));
        }
    }
    // The stopped release is as it was: continue goes on once its step passes.
    std::fs::write(flag.path().join("never"), "").unwrap();
    ok(&run(root, &["continue"], "false"), "continue");
}

/// Kill -9 at several points of a release — in the review's editor, in the release
/// commit's `pre-commit` hook, in a project step — then the user's edit of the version file
/// the release wrote before: abort never loses it (given back, a copy kept and named), and
/// without an edit abort goes ahead without a copy and leaves the work tree clean.
#[test]
fn a_kill_at_any_point_then_abort_loses_no_edit() {
    use std::os::unix::fs::PermissionsExt as _;
    let kill = "#!/bin/sh\nif [ ! -e .git/killed ]; then touch .git/killed; \
                kill -9 $(sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p' .git/git-release/lock); \
                fi\n";
    for point in ["editor", "pre-commit", "step"] {
        for edit in [false, true] {
            let step = match point {
                "step" => "\n[[step]]\nname = \"killer\"\nrun = '''sh ./kill.sh'''\n".to_string(),
                _ => String::new(),
            };
            let repo = project_after_rc(&step);
            let root = repo.path();
            let script = root.join(".git/kill.sh");
            std::fs::write(&script, kill).unwrap();
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
            util::write_file(root, "kill.sh", kill);
            util::commit_all(root, "the killer");
            if point == "pre-commit" {
                std::fs::copy(&script, root.join(".git/hooks/pre-commit")).unwrap();
            }
            let editor = match point {
                "editor" => script.to_str().unwrap().to_string(),
                _ => "false".to_string(),
            };
            let args: &[&str] = match point {
                "editor" => &["1.1.0", "--yes", "--date", "2025-03-01"],
                _ => &GO,
            };
            let out = run(root, args, &editor);
            assert_eq!(out.status.code(), None, "{point}: {}", text(&out.stderr));
            // What the kill left running (`git commit` after its hook) ends.
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(1) || root.join(".git/index.lock").exists()
            {
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "{point}: index locked"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            std::fs::remove_file(root.join(".git/git-release/lock")).unwrap();
            assert!(read(root, "VERSION").starts_with("1.1.0\n"), "{point}");
            if edit {
                util::write_file(root, "VERSION", "1.1.0 (edited)\n");
            }
            let out = run(root, &["abort"], "false");
            ok(&out, &format!("abort after a kill in the {point}"));
            assert_eq!(read(root, "VERSION"), "1.1.0rc1\n", "{point}");
            let kept = copies(root);
            if edit {
                assert_eq!(
                    kept,
                    [("VERSION".to_string(), "1.1.0 (edited)\n".to_string())],
                    "{point}"
                );
                assert!(text(&out.stderr).contains("aborted/VERSION"), "{point}");
            } else {
                assert!(kept.is_empty(), "{point}: {kept:?}");
            }
            assert_eq!(util::git(root, &["status", "--porcelain"]), "", "{point}");
        }
    }
}
