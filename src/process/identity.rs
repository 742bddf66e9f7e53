//! Which process a recorded process id meant: the id alone is not enough, because ids are
//! reused — after a reboot or a container restart they start over, and a long-running
//! machine wraps around. A [`ProcessIdentity`] adds what the kernel says about the process
//! when it was recorded (Linux: its start time in clock ticks since boot, the boot's id and
//! the pid namespace's inode), and [`ProcessIdentity::alive`] / [`ProcessIdentity::group_alive`]
//! answer "is that very process (group) still running", the one check the lock and a
//! stopped step's process group both use. Where the system cannot tell (another OS, an
//! identity written before these fields existed), a live id is taken as the process, as
//! before.

use serde::{Deserialize, Serialize};

/// A process as recorded: its id and, where the system tells them, what makes that id
/// this process and no later one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessIdentity {
    pub pid: u32,
    /// When the process started, in clock ticks since boot (`/proc/<pid>/stat`, field 22).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ticks: Option<u64>,
    /// The boot it ran in (`/proc/sys/kernel/random/boot_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
    /// The inode of the pid namespace its id belongs to (`/proc/self/ns/pid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid_ns: Option<u64>,
}

impl ProcessIdentity {
    /// An id with nothing known about it (a record written before identities): checked as
    /// before, by the id alone.
    pub fn unknown(pid: u32) -> ProcessIdentity {
        ProcessIdentity {
            pid,
            start_ticks: None,
            boot_id: None,
            pid_ns: None,
        }
    }

    /// This process.
    pub fn current() -> ProcessIdentity {
        ProcessIdentity::of(std::process::id())
    }

    /// Process `pid` of this boot and pid namespace, as it is now (a process that is gone,
    /// or a system without `/proc`, gives what can still be told).
    pub fn of(pid: u32) -> ProcessIdentity {
        ProcessIdentity {
            pid,
            start_ticks: start_ticks(pid),
            boot_id: boot_id(),
            pid_ns: pid_namespace(),
        }
    }

    /// Whether the id is known to name another process now (a later boot, another pid
    /// namespace, another start time, or this very process): `Some(reason)`, for messages.
    /// `None` when it may still be the recorded process (whether it runs is asked apart).
    fn reused(&self) -> Option<&'static str> {
        if let (Some(then), Some(now)) = (&self.boot_id, boot_id())
            && *then != now
        {
            return Some("the system was restarted since");
        }
        if let (Some(then), Some(now)) = (self.pid_ns, pid_namespace())
            && then != now
        {
            return Some("it ran in another process namespace (container)");
        }
        if self.pid == std::process::id() {
            return Some("its process id is now this process's");
        }
        if let (Some(then), Some(now)) = (self.start_ticks, start_ticks(self.pid))
            && then != now
        {
            return Some("its process id now belongs to a process started later");
        }
        None
    }

    /// Whether the recorded process still runs: its id is alive and, as far as the system
    /// tells, it is the same process (same boot, same pid namespace, same start time, not
    /// this process).
    /// A zombie (ended, not yet reaped — or never, where no init reaps) is not running.
    pub fn alive(&self) -> bool {
        self.reused().is_none() && pid_alive(self.pid) && !has_ended(self.pid)
    }

    /// Whether the process group this process led (its id is the group's) still has a
    /// member that is the recorded group's: same boot and pid namespace, not this process's
    /// own group, and, while the leader lives, the leader's start time. A group whose leader
    /// is gone but whose members remain is taken as the recorded one: the kernel does not
    /// give a group's id to anything else while a member of the group lives.
    pub fn group_alive(&self) -> bool {
        if self.reused().is_some() || own_group() == Some(self.pid) {
            return false;
        }
        let Ok(pgid) = libc::pid_t::try_from(self.pid) else {
            return false;
        };
        if pgid <= 0 {
            return false;
        }
        // SAFETY: kill with signal 0 sends nothing; it only reports whether a process of the
        // group (a negative pid) exists.
        let r = unsafe { libc::kill(-pgid, 0) };
        let exists = r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        // Members that all ended (zombies nobody reaps) will never finish the step.
        exists && group_runs(self.pid).unwrap_or(true)
    }

    /// Why a recorded process is not running any more, for a message.
    pub fn why_gone(&self) -> &'static str {
        self.reused().unwrap_or(if has_ended(self.pid) {
            "it has ended: a zombie, whose exit status its parent has not collected"
        } else {
            "no process has its id: it is no longer running"
        })
    }
}

/// Whether process id `pid` exists (signal 0 checks without sending anything; a process
/// we may not signal exists too).
fn pid_alive(pid: u32) -> bool {
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

/// Whether process `pid` has ended and waits to be reaped, where the system says
/// (`/proc/<pid>/stat`, its state `Z` or `X`; `/proc/<pid>/status` counting one thread, so
/// that a main thread that ended while others run is not taken for the process). Where it
/// cannot be told, it has not.
pub fn has_ended(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let threads = std::fs::read_to_string(format!("/proc/{pid}/status")).ok();
    ended_by_proc(&stat, threads.as_deref())
}

/// [`has_ended`] on the texts of `/proc/<pid>/stat` and `/proc/<pid>/status`: the state is
/// the first field after the command name, which is in parentheses and may hold spaces and
/// parentheses (the fields are counted after its last `)`).
pub fn ended_by_proc(stat: &str, status: Option<&str>) -> bool {
    let Some(close) = stat.rfind(')') else {
        return false;
    };
    let state = stat[close + 1..].split_whitespace().next();
    let one_thread = status.is_none_or(|status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .is_none_or(|n| n.trim().parse::<u32>().is_ok_and(|n| n <= 1))
    });
    matches!(state, Some("Z" | "X" | "x")) && one_thread
}

/// Whether process group `pgid` has a member that has not ended, where the system says
/// (each `/proc/<pid>/stat`: its group is the third field after the command name); `None`
/// where it cannot tell.
fn group_runs(pgid: u32) -> Option<bool> {
    let procs = std::fs::read_dir("/proc").ok()?;
    let mut any = false;
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let group = stat[close + 1..].split_whitespace().nth(2);
        if group.and_then(|g| g.parse::<u32>().ok()) != Some(pgid) {
            continue;
        }
        any = true;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok();
        if !ended_by_proc(&stat, status.as_deref()) {
            return Some(true);
        }
    }
    // Found only ended members: gone. Found none (read too late, or hidden): cannot tell.
    if any { Some(false) } else { None }
}

/// Kill `child` (SIGKILL) and wait, up to two seconds, until the system shows it ended
/// and not reaped (a zombie until `wait`); whether it did.
#[cfg(test)]
pub(crate) fn kill_unreaped(child: &std::process::Child) -> bool {
    // SAFETY: signals our own child, which stays a zombie until `wait`.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
    for _ in 0..200 {
        if has_ended(child.id()) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
}

/// This process's group id.
fn own_group() -> Option<u32> {
    // SAFETY: getpgrp has no preconditions and cannot fail.
    u32::try_from(unsafe { libc::getpgrp() }).ok()
}

/// Field 22 of `/proc/<pid>/stat`: the start time in clock ticks since boot. The command
/// name (field 2) is in parentheses and may hold spaces and parentheses, so the fields are
/// counted after its last `)`.
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_start_ticks(&stat)
}

fn parse_start_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // After the name: field 3 (state) is the first; field 22 is the 20th.
    rest.split_whitespace().nth(19)?.parse().ok()
}

fn boot_id() -> Option<String> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    Some(id.trim().to_string()).filter(|id| !id.is_empty())
}

/// The inode of this process's pid namespace (`/proc/self/ns/pid` links to `pid:[N]`).
fn pid_namespace() -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self/ns/pid").ok().map(|m| m.ino())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stopped step's process group whose members all ended but were never reaped (the
    /// release killed, its children left to a PID 1 that does not reap) is not running:
    /// `continue` and `abort` would otherwise wait for it for ever.
    #[test]
    fn a_group_of_zombies_is_not_running() {
        use std::os::unix::process::CommandExt;
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .unwrap();
        let leader = ProcessIdentity::of(child.id());
        assert!(leader.group_alive());
        let ended = kill_unreaped(&child);
        if std::fs::metadata("/proc/self/stat").is_ok() {
            assert!(ended, "a zombie until reaped");
            assert!(!leader.group_alive(), "a group of zombies runs nothing");
            assert!(!leader.alive());
            assert!(leader.why_gone().contains("zombie"));
        }
        child.wait().unwrap();
        assert!(!leader.group_alive());
    }

    #[test]
    fn the_start_time_is_read_after_a_name_with_spaces_and_parentheses() {
        let stat = "42 (a) b) (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(parse_start_ticks(stat), Some(987654));
        assert_eq!(parse_start_ticks("42 (x"), None);
    }

    #[test]
    fn this_process_is_alive_to_others_but_never_its_own_holder() {
        let me = ProcessIdentity::current();
        // Checked from here, our own id is never "another process that runs".
        assert!(!me.alive());
    }

    #[test]
    fn a_child_is_alive_until_it_ends_and_a_later_start_time_is_another_process() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let recorded = ProcessIdentity::of(child.id());
        assert!(recorded.alive());
        if let Some(t) = recorded.start_ticks {
            let later = ProcessIdentity {
                start_ticks: Some(t + 1),
                ..recorded.clone()
            };
            assert!(
                !later.alive(),
                "same id, another start time: not the process"
            );
        }
        if recorded.boot_id.is_some() {
            let other_boot = ProcessIdentity {
                boot_id: Some("another boot".into()),
                ..recorded.clone()
            };
            assert!(!other_boot.alive());
        }
        if let Some(ns) = recorded.pid_ns {
            let other_ns = ProcessIdentity {
                pid_ns: Some(ns + 1),
                ..recorded.clone()
            };
            assert!(!other_ns.alive());
        }
        assert!(ProcessIdentity::unknown(child.id()).alive(), "as before");
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!recorded.alive());
    }

    #[test]
    fn identities_written_without_the_new_fields_are_read() {
        let old: ProcessIdentity = serde_json::from_str(r#"{"pid": 7}"#).unwrap();
        assert_eq!(old, ProcessIdentity::unknown(7));
    }
}
