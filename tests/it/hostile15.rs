//! Hostile round 12's leftovers (03, 07, 04): what a killed or interrupted git-release
//! leaves behind. A zombie owner (killed, not yet reaped by its parent) does not hold the
//! lock; a state write cut short is cleaned up by whatever next reads the state under the
//! lock; an interrupted demo removes its temporary repository and ends as the signal would.
//! (Repro scripts: /work/hostile12/{03,07,04}-*.sh.)

use std::os::unix::process::CommandExt;
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
        "\n[[step]]\nname = \"waits\"\nrun = \"touch '{}'; while ! test -e '{}'; do sleep 0.05; done\"\n",
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
