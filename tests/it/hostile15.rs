//! Hostile round 12's leftovers (03, 07, 04): what a killed or interrupted git-release
//! leaves behind. A zombie owner (killed, not yet reaped by its parent) does not hold the
//! lock; a state write cut short is cleaned up by whatever next reads the state under the
//! lock; an interrupted demo removes its temporary repository and ends as the signal would.
//! (Repro scripts: /work/hostile12/{03,07,04}-*.sh.)

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::release::{project_after_rc, read};
use crate::util::{self, one_error, run};

const GO: [&str; 5] = ["1.1.0", "--yes", "--no-edit", "--date", "2025-03-01"];

/// Wait until `done` holds (at most a minute).
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(60), "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The state of process `pid` (`/proc/<pid>/stat`'s third field), where the system says.
fn proc_state(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().next().map(str::to_string)
}

/// A process this test started in a process group of its own: the group killed and the
/// process reaped when the test ends, whatever its assertions said.
struct Owned(Child);

impl Drop for Owned {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.0.try_wait() {
            return;
        }
        if let Ok(group) = i32::try_from(self.0.id()) {
            // SAFETY: kill signals the process group this test created.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
        let _ = self.0.wait();
    }
}

// --- 03: a zombie owner ----------------------------------------------------------------

/// hostile12/03: a release killed by SIGKILL whose parent has not reaped it is a zombie:
/// its id still answers, with the same start time and name. It holds nothing: the lock is
/// reported stale (with what to do), for `abort` and for a new release alike — before, they
/// said "another git release … is running … wait for it to finish", forever where nothing
/// reaps (a container whose PID 1 is not an init). Once reaped, still stale.
#[test]
fn a_release_killed_but_not_reaped_leaves_a_stale_lock() {
    let scratch = tempfile::tempdir().unwrap();
    let flag = scratch.path().join("running");
    let gate = scratch.path().join("go");
    let step = format!(
        "\n[[step]]\nname = \"waits\"\nrun = \"touch '{}'; for i in $(seq 1200); do test -e '{}' && break; sleep 0.05; done\"\n",
        flag.display(),
        gate.display()
    );
    let repo = project_after_rc(&step);
    let root = repo.path();
    let child = util::git_release_process(root)
        .args(GO)
        .env("GIT_EDITOR", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut child = Owned(child);
    let pid = child.0.id();
    wait_for("the step runs", || flag.exists());
    assert!(read(root, ".git/git-release/lock").contains(&format!("\"pid\": {pid}")));
    // SIGKILL to the release alone, not reaped: a zombie (its step's group lives on).
    // SAFETY: kill signals the child this test started.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
    if proc_state(pid).is_none() {
        std::fs::write(&gate, "").unwrap();
        return; // No /proc: a zombie cannot be told from a live process.
    }
    wait_for("the killed release is a zombie", || {
        proc_state(pid).as_deref() == Some("Z")
    });
    let lock = root.join(".git/git-release/lock");
    let held = std::fs::read(&lock).unwrap();
    for args in [&["abort"][..], &GO[..]] {
        let out = run(root, args, "false");
        let stderr = one_error(&out, args[0]);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("a stale lock"), "{args:?}: {stderr}");
        assert!(stderr.contains("zombie"), "{args:?}: {stderr}");
        assert!(!stderr.contains("wait for it"), "{args:?}: {stderr}");
        assert_eq!(
            std::fs::read(&lock).unwrap(),
            held,
            "the refusal kept the lock"
        );
    }
    assert_eq!(proc_state(pid).as_deref(), Some("Z"), "still a zombie");
    std::fs::write(&gate, "").unwrap();
    child.0.wait().unwrap();
    let out = run(root, &["abort"], "false");
    assert!(one_error(&out, "reaped").contains("a stale lock"));
}

// --- 07: a write cut short ---------------------------------------------------------------

/// The names of `dir`'s entries, sorted (none when it does not exist).
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A release stopped at its step `gate`, which fails until `ok` exists.
fn stopped_at_gate(ok: &Path) -> tempfile::TempDir {
    let step = format!(
        "\n[[step]]\nname = \"gate\"\nrun = \"test -e '{}'\"\n",
        ok.display()
    );
    let repo = project_after_rc(&step);
    let out = run(repo.path(), &GO, "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    repo
}

/// hostile12/07: a SIGKILL between writing the state's (or the review draft's) temporary
/// file and renaming it leaves `.git-release-XXXXXX` in `.git/git-release/` (or `.git/`).
/// `abort` and `continue` remove it — that and nothing else: another name, a directory or a
/// symlink so named stay (and the link's target is untouched) — and `.git/git-release/`
/// goes when nothing else is in it. Before, abort said "aborted" and left the cut write
/// and the directory, for every later release.
#[test]
fn a_cut_state_write_goes_with_abort_and_continue_and_nothing_else_does() {
    let scratch = tempfile::tempdir().unwrap();
    let ok = scratch.path().join("ok");
    let precious = scratch.path().join("precious");
    std::fs::write(&precious, "keep").unwrap();
    let repo = stopped_at_gate(&ok);
    let root = repo.path();
    let dir = root.join(".git/git-release");
    let cut = "{\n  \"version\": 1,\n  \"relea";
    std::fs::write(dir.join(".git-release-Zq8Kd1"), cut).unwrap();
    std::fs::write(root.join(".git/.git-release-Dr4ft1"), "## 1.1.0 (20").unwrap();
    let neighbours = [".git-release-abc", "notes.txt", ".git-release-Zq8Kd1~"];
    for name in neighbours {
        std::fs::write(dir.join(name), "mine").unwrap();
    }
    std::fs::create_dir(dir.join(".git-release-Dir123")).unwrap();
    std::os::unix::fs::symlink(&precious, dir.join(".git-release-Lnk123")).unwrap();

    let out = run(root, &["abort"], "false");
    assert!(out.status.success(), "{}", util::text(&out.stderr));
    let mut kept: Vec<&str> = neighbours.to_vec();
    kept.extend([".git-release-Dir123", ".git-release-Lnk123"]);
    kept.sort();
    assert_eq!(names(&dir), kept, "only the cut write went");
    assert!(
        !root.join(".git/.git-release-Dr4ft1").exists(),
        "the cut draft write"
    );
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep");
    std::fs::remove_dir_all(&dir).unwrap();

    // continue, the step now passing: the release ends and leaves no directory.
    let repo = stopped_at_gate(&ok);
    let root = repo.path();
    let dir = root.join(".git/git-release");
    std::fs::write(dir.join(".git-release-a1B2c3"), cut).unwrap();
    std::fs::write(&ok, "").unwrap();
    let out = run(root, &["continue"], "false");
    assert!(out.status.success(), "{}", util::text(&out.stderr));
    assert!(!dir.exists(), "left: {:?}", names(&dir));
    assert!(
        names(&root.join(".git"))
            .iter()
            .all(|n| !n.starts_with(".git-release-"))
    );
}

/// A release killed before its first state write finished leaves only the cut write: there
/// is nothing to abort (said as before), and the cut write and its directory go with the
/// lock that was taken to tell.
#[test]
fn a_cut_first_state_write_goes_though_nothing_is_stopped() {
    let repo = project_after_rc("");
    let root = repo.path();
    let dir = root.join(".git/git-release");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(".git-release-Zq8Kd1"), "{\n  \"ver").unwrap();
    let out = run(root, &["abort"], "false");
    let stderr = one_error(&out, "abort");
    assert!(stderr.contains("no release is in progress"), "{stderr}");
    assert!(!dir.exists(), "left: {:?}", names(&dir));
}

/// In a linked work tree the state lives in its own git directory
/// (`.git/worktrees/<name>/git-release/`), away from the lock: abort removed the state file
/// and left that directory, empty, for good. It goes with the state now.
#[test]
fn a_linked_work_tree_keeps_no_state_directory_after_abort() {
    let scratch = tempfile::tempdir().unwrap();
    let step = "\n[[step]]\nname = \"fails\"\nrun = \"exit 1\"\n";
    let repo = project_after_rc(step);
    let root = repo.path();
    util::git(root, &["switch", "-q", "-c", "other"]);
    let linked = scratch.path().join("linked");
    util::git(
        root,
        &["worktree", "add", "-q", linked.to_str().unwrap(), "main"],
    );
    let out = run(&linked, &GO, "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    let state_dir = root.join(".git/worktrees/linked/git-release");
    assert!(state_dir.join("state.json").is_file());
    let out = run(&linked, &["abort"], "false");
    assert!(out.status.success(), "{}", util::text(&out.stderr));
    assert!(!state_dir.exists(), "left: {:?}", names(&state_dir));
    assert!(!root.join(".git/git-release").exists());
}
