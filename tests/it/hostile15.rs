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
    let ended = scratch.path().join("ended");
    // The step outlives the release killed under it: it waits for the gate (a minute at
    // most), then says it ended, which the test waits for before its directory goes.
    let step = format!(
        "\n[[step]]\nname = \"waits\"\nrun = \"touch '{}'; for i in $(seq 1200); do test -e '{}' && break; sleep 0.05; done; touch '{}'\"\n",
        flag.display(),
        gate.display(),
        ended.display()
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
        wait_for("the step ends", || ended.exists());
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
    wait_for("the step ends", || ended.exists());
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

// --- 04: an interrupted demo -------------------------------------------------------------

/// Where a demo was when the signal came.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Its repository being made (`git init`, the project's commit).
    Made,
    /// The lock taken, no state yet: pre-flight.
    Planned,
    /// The release's steps running (their state saved).
    Releasing,
}

/// Run `git release demo` (with `TMPDIR` in `scratch`, and `dir` as `--dir` if given) in a
/// process group of its own; once its repository reaches `phase`, send `signal` to it
/// alone, or to its whole group as a terminal's Ctrl-C does. Returns how it ended, its
/// stderr, and its repository's path.
fn interrupt_demo(
    scratch: &Path,
    dir: Option<&Path>,
    phase: Phase,
    signal: i32,
    group: bool,
) -> (std::process::ExitStatus, String, std::path::PathBuf) {
    let mut cmd = util::git_release_process(scratch);
    cmd.arg("demo").env("TMPDIR", scratch);
    if let Some(dir) = dir {
        cmd.arg("--dir").arg(dir);
    }
    // The signals as a terminal leaves them, whatever this test inherited (`nohup cargo
    // test` ignores SIGHUP, which the demo then rightly ignores too).
    // SAFETY: only `signal`, async-signal-safe, between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut child = Owned(child);
    let pid = child.0.id() as libc::pid_t;
    let repo = || match dir {
        Some(dir) => Some(dir.to_path_buf()),
        None => std::fs::read_dir(scratch)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("git-release-demo-")
            }),
    };
    let reached = |r: &Path| match phase {
        Phase::Made => r.exists(),
        Phase::Planned => r.join(".git/git-release/lock").exists(),
        Phase::Releasing => r.join(".git/git-release/state.json").exists(),
    };
    let start = Instant::now();
    let path = loop {
        if let Some(r) = repo().filter(|r| reached(r)) {
            break r;
        }
        assert!(
            child.0.try_wait().unwrap().is_none(),
            "the demo ended before {phase:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "never {phase:?}");
        std::thread::sleep(Duration::from_millis(2));
    };
    // SAFETY: kill signals the demo this test started (or its process group).
    unsafe {
        libc::kill(if group { -pid } else { pid }, signal);
    }
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut stderr).unwrap();
    (child.0.wait().unwrap(), stderr, path)
}

/// hostile12/04: SIGINT, SIGTERM or SIGHUP to a running demo — while its repository is made,
/// while the release is planned, while its steps run; to the demo alone or, as Ctrl-C, to
/// its whole process group — leaves no repository in the temporary directory, and the demo
/// ends by that signal (a shell sees 128 + its number), saying so: not with the release's
/// "stopped … git release continue", for a repository that is gone. Before, a signal while
/// the repository was made or planned left it behind, 200-400 KB each; one while the steps
/// ran exited 4 with the release's stop.
#[test]
fn an_interrupted_demo_removes_its_repository_and_ends_by_the_signal() {
    use std::os::unix::process::ExitStatusExt;
    let cases = [
        (Phase::Made, libc::SIGINT, false),
        (Phase::Made, libc::SIGTERM, true),
        (Phase::Planned, libc::SIGHUP, false),
        (Phase::Planned, libc::SIGINT, true),
        (Phase::Releasing, libc::SIGTERM, false),
        (Phase::Releasing, libc::SIGINT, true),
        (Phase::Releasing, libc::SIGHUP, true),
    ];
    for (phase, signal, group) in cases {
        let scratch = tempfile::tempdir().unwrap();
        let what = format!("{phase:?}, signal {signal}, group {group}");
        let (status, stderr, repo) = interrupt_demo(scratch.path(), None, phase, signal, group);
        assert_eq!(status.signal(), Some(signal), "{what}: {status}\n{stderr}");
        assert_eq!(
            names(scratch.path()),
            Vec::<String>::new(),
            "{what}: left behind"
        );
        assert!(
            stderr.contains("The demo was stopped by SIG"),
            "{what}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("{} is removed", repo.display())),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains("git release continue"), "{what}: {stderr}");
        assert!(!stderr.contains("error:"), "{what}: {stderr}");
    }
    // A repository the user named with --dir is kept, and said to be.
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("kept");
    let (status, stderr, _) = interrupt_demo(
        scratch.path(),
        Some(&dir),
        Phase::Releasing,
        libc::SIGINT,
        false,
    );
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status}\n{stderr}");
    assert!(dir.join(".git").is_dir());
    assert!(stderr.contains("its repository is kept in"), "{stderr}");
}
