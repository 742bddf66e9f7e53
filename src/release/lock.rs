//! One release at a time: `.git/git-release/lock`, created exclusively (as git's own
//! `index.lock`) before pre-flight and removed when the command ends, holding the process
//! id and start time of its owner so that a lock left by a process that is gone is told
//! apart from one held by a release that is running.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::git::Repo;

/// What the lock file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Owner {
    pid: u32,
    /// Seconds since the Unix epoch.
    started: i64,
}

/// The held lock; dropping it removes the file.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
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
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                let owner = Owner {
                    pid: std::process::id(),
                    started: jiff::Timestamp::now().as_second(),
                };
                let lock = Lock { path };
                file.write_all(crate::json::pretty(&owner).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| Error::io(&lock.path, e))?;
                Ok(lock)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(held(&path)),
            Err(e) => Err(Error::io(&path, e)),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
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
    if process_alive(owner.pid) {
        Error::Refused(format!(
            "another git release (process {}, started {since}) is running in this repository; \
             one release at a time: wait for it to finish",
            owner.pid
        ))
    } else {
        Error::Refused(format!(
            "a stale lock: {} was taken by git release process {} (started {since}), which is \
             no longer running (it was killed or crashed before it could clean up). No release \
             is running, so remove it (`rm {}`), then run `git release continue` or \
             `git release abort` if a release was stopped, or start again",
            path.display(),
            owner.pid,
            path.display()
        ))
    }
}

/// Whether process `pid` exists (signal 0 checks without sending anything; a process we
/// may not signal exists too).
pub(crate) fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 sends nothing; it only reports whether the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Whether any process of process group `pgid` exists.
pub(crate) fn group_alive(pgid: i32) -> bool {
    if pgid <= 0 {
        return false;
    }
    // SAFETY: as above, for the whole group (a negative pid).
    let r = unsafe { libc::kill(-pgid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}
