//! One release at a time: `.git/git-release/lock`, created exclusively (as git's own
//! `index.lock`) before pre-flight and removed when the command ends, holding the process
//! identity of its owner ([`ProcessIdentity`]: id, start time, boot, pid namespace) so
//! that a lock left by a process that is gone — or whose id now names another process,
//! this one included, or that has ended and waits to be reaped (a zombie) — is told apart
//! from one held by a release that is running ([`gone`]: the one decision).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicPtr, Ordering};

use serde::{Deserialize, Serialize};

use super::state::Writes;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::process::{Previous, ProcessIdentity};
#[cfg(test)]
use crate::process::{ended_by_proc, has_ended};

/// What the lock file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Owner {
    /// The process (its `pid` and, where the system tells, what makes it that process;
    /// a lock written without those is checked by the id alone).
    #[serde(flatten)]
    process: ProcessIdentity,
    /// Seconds since the Unix epoch.
    started: i64,
}

/// The held lock; dropping it removes the file. Until then, SIGINT, SIGTERM and SIGHUP
/// remove it too before ending the process as the signal would (Ctrl-C at the
/// confirmation must not leave a stale lock); while steps run, `process::catch` takes
/// those signals over and gives them back.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    previous: Vec<Previous>,
}

/// The lock file's path for the signal handler (a leaked C string), or null.
static HELD: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());

extern "C" fn remove_and_die(signal: libc::c_int) {
    let path = HELD.swap(std::ptr::null_mut(), Ordering::SeqCst);
    // SAFETY: unlink, signal and raise are async-signal-safe; `path` is a valid C string
    // from `guard_against_signals`, freed only by `Lock::drop` after swapping it out.
    unsafe {
        if !path.is_null() {
            libc::unlink(path);
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// Remove the lock file if the process is ended by a signal while it holds it: for each
/// stopping signal whose disposition is the default (ending the process). One the process
/// ignores (`nohup`'s SIGHUP) stays ignored, and one a caller already catches stays with
/// it — the demo does, to remove its repository and then end as the signal would: it
/// unwinds, and dropping the lock removes the file.
fn guard_against_signals(path: &Path) -> Vec<Previous> {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return Vec::new();
    };
    HELD.store(c_path.into_raw(), Ordering::SeqCst);
    // `remove_and_die` makes only async-signal-safe calls.
    let handler: extern "C" fn(libc::c_int) = remove_and_die;
    crate::process::install(handler, crate::process::Take::WhereDefault)
}

/// Where the lock lives: in the common git directory, so that linked work trees of one
/// repository (which share its branches) take the same lock.
pub(crate) fn lock_path(repo: &Repo) -> PathBuf {
    repo.common_dir().join("git-release").join("lock")
}

impl Lock {
    /// Take the repository's release lock, or refuse, saying who holds it.
    pub fn acquire(repo: &Repo) -> Result<Lock> {
        let path = lock_path(repo);
        // Nothing has changed yet: a lock that cannot be made (a read-only `.git`, a full
        // disk) is a refusal, not a failure.
        let cannot = |at: &Path, e: std::io::Error| {
            Error::Refused(format!(
                "cannot take the release lock {}: {e}; a release (even a dry run) needs to \
                 write in the git directory. Nothing was changed",
                at.display()
            ))
        };
        // The directory is removed with the last lock when nothing else is in it: one
        // removed between making it and taking the lock is made again.
        let mut tries = 0;
        let opened = loop {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| cannot(dir, e))?;
            }
            let opened = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path);
            tries += 1;
            match opened {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && tries < 5 => continue,
                other => break other,
            }
        };
        match opened {
            Ok(mut file) => {
                let owner = Owner {
                    process: ProcessIdentity::current(),
                    started: jiff::Timestamp::now().as_second(),
                };
                let previous = guard_against_signals(&path);
                let lock = Lock { path, previous };
                // Not synced to disk, as git's own lock files: the lock is taken before
                // the work tree's status is started (see `preflight`), and a sync there
                // waited 1–20 ms on the disk. What a power loss can leave is an empty lock
                // file, refused as unreadable with the same advice as a stale one (remove
                // it); the saved state of a stopped release is synced (`atomic`).
                file.write_all(crate::json::pretty(&owner).as_bytes())
                    .map_err(|e| cannot(&lock.path, e))?;
                Ok(lock)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(held(&path)),
            Err(e) => Err(cannot(&path, e)),
        }
    }
}

impl Lock {
    /// The lock for a command that writes (`writes`: the release step it does by hand, if
    /// it is one): taken, then refused while a release is stopped in this work tree (its
    /// state saved, the lock free) unless the command is that stopped step done by hand
    /// (see [`refuse_while_stopped`]).
    ///
    /// [`refuse_while_stopped`]: super::state::refuse_while_stopped
    pub fn acquire_for_writing(repo: &Repo, writes: Option<Writes<'_>>) -> Result<Lock> {
        let lock = Lock::acquire(repo)?;
        super::state::refuse_while_stopped(repo, writes)?;
        Ok(lock)
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        crate::process::restore(&self.previous);
        let path = HELD.swap(std::ptr::null_mut(), Ordering::SeqCst);
        if !path.is_null() {
            // SAFETY: the pointer came from `CString::into_raw` and the handler no longer
            // sees it (swapped out, handlers restored).
            drop(unsafe { std::ffi::CString::from_raw(path) });
        }
        let _ = std::fs::remove_file(&self.path);
        // A repository that had no `.git/git-release` is left without one (a refusal or a
        // dry run changes nothing); a saved state or a kept draft keeps it.
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// The refusal for a lock that exists: held by a running release, or left behind.
fn held(path: &Path) -> Error {
    let owner: Option<Owner> = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let Some(owner) = owner else {
        return Error::Refused(format!(
            "another git release holds the lock {} (it is being taken, or was left unreadable); \
             wait for it to finish, or, if no git release is running, remove the file and run again",
            path.display()
        ));
    };
    let since = jiff::Timestamp::from_second(owner.started)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|_| owner.started.to_string());
    let pid = owner.process.pid;
    match gone(&owner.process) {
        None => Error::Refused(format!(
            "another git release (process {pid}, started {since}) is running in this \
             repository; one release at a time: wait for it to finish"
        )),
        Some(why) => Error::Refused(format!(
            "a stale lock: {} was taken by git release process {pid} (started {since}), which \
             is not running any more ({why}; it was killed or crashed before it could clean \
             up). No release holds it now, so remove it (`rm {}`), then \
             run `git release continue` or `git release abort` if a release was stopped, or \
             start again",
            path.display(),
            path.display()
        )),
    }
}

/// The one decision whether the lock's owner still runs: `None` while it does, else why it
/// is gone, for the message. It runs when its recorded identity is alive (the same process,
/// not one that reused its id: [`ProcessIdentity::alive`]), has not ended (a zombie — killed,
/// its parent not having reaped it yet, or never where no init reaps — is gone: it will
/// never release the lock), and runs git-release.
fn gone(owner: &ProcessIdentity) -> Option<&'static str> {
    if !owner.alive() {
        return Some(owner.why_gone());
    }
    if !is_git_release(owner.pid) {
        return Some("its process id now runs another program");
    }
    None
}

/// Whether process `pid` runs git-release, where the system says (`/proc/<pid>/comm` on
/// Linux): a lock whose process id was reused by another program (after a reboot) is
/// stale, not held. Where it cannot be told, a live process is taken as the owner.
fn is_git_release(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/comm")) {
        Ok(comm) => comm.trim_end().starts_with("git-release"),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zombie_has_ended_and_a_zombie_main_thread_with_live_threads_has_not() {
        let stat = |state: &str| format!("42 (git-release (x) y) {state} 1 42 42 0 -1 4194560");
        for state in ["Z", "X", "x"] {
            assert!(ended_by_proc(&stat(state), None), "{state}");
            assert!(ended_by_proc(
                &stat(state),
                Some("Name:\tgit-release\nThreads:\t1\n")
            ));
        }
        for state in ["R", "S", "D", "T", "t", "I"] {
            assert!(!ended_by_proc(&stat(state), None), "{state}");
        }
        // The main thread ended, others still run: the process has not.
        assert!(!ended_by_proc(
            &stat("Z"),
            Some("Name:\tgit-release\nThreads:\t3\n")
        ));
        assert!(
            !ended_by_proc("42 (git-release", None),
            "no state: cannot tell"
        );
    }

    #[test]
    fn a_reaped_or_unknown_process_has_not_ended_as_a_zombie() {
        // This process runs; a pid beyond any kernel's is not there to read.
        assert!(!has_ended(std::process::id()));
        assert!(!has_ended(u32::MAX));
    }

    #[test]
    fn an_unreaped_child_is_gone_for_the_lock() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let recorded = ProcessIdentity::of(child.id());
        assert!(recorded.alive());
        let zombie = crate::process::kill_unreaped(&child);
        if std::fs::metadata("/proc/self/stat").is_ok() {
            assert!(zombie, "the killed child is a zombie until reaped");
            assert!(!recorded.alive(), "a zombie is not running");
            assert!(gone(&recorded).is_some_and(|why| why.contains("zombie")));
        }
        child.wait().unwrap();
        assert!(gone(&recorded).is_some());
    }
}
