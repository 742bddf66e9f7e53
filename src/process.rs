//! Running a command so that it can always be stopped: in a process group of its own,
//! watched for SIGINT/SIGTERM/SIGHUP sent to git-release and for its timeout, and stopped
//! as a whole group (the shell and everything it started) when either comes. A release's
//! steps run this way, and so does the external grouping command (`--strategy command`).
//!
//! While a release runs, those signals do not kill git-release: a handler records them
//! (a store to an atomic, the only thing a handler may safely do), and the step loop
//! stops at the next point where the state file can say exactly where the release is.

use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

mod identity;
pub use identity::ProcessIdentity;
/// `text` as one shell word, for a command a message advises (`rm '/tmp/my proj/…'`):
/// single-quoted when it holds anything the shell would read.
pub fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
pub(crate) use identity::{ended_by_proc, has_ended, kill_unreaped};

/// The last signal received while the handlers are installed (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The signals that stop a release.
const STOPPING: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// How long a stopped step's group gets to end after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(3);

/// How often a running step is checked.
const POLL: Duration = Duration::from_millis(20);

extern "C" fn record(signal: libc::c_int) {
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// The handlers, installed while it lives; the previous dispositions come back on drop.
pub(crate) struct Signals {
    previous: Vec<Previous>,
}

/// A signal and the disposition it had before [`install`].
pub type Previous = (libc::c_int, libc::sigaction);

/// Which of the stopping signals [`install`] takes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Every one, whatever it was: a release's steps stop on any of them (a release started
    /// in the background of a script, its SIGINT ignored, still stops on one sent to it).
    Always,
    /// Every one but those the process was started ignoring (`nohup`'s SIGHUP stays
    /// ignored, for the process and the commands it starts).
    UnlessIgnored,
    /// Only those at their default action (ending the process): one a caller already
    /// catches stays with it.
    WhereDefault,
}

/// Install `handler` for the stopping signals `take` says; returns what they had before.
/// The one place git-release changes a signal's disposition (the release's steps, the
/// lock's guard, the demo).
pub fn install(handler: extern "C" fn(libc::c_int), take: Take) -> Vec<Previous> {
    let mut previous = Vec::new();
    for signal in STOPPING {
        // SAFETY: `sigaction` reads the current disposition into a zeroed (valid) struct,
        // then is given one whose handler makes only async-signal-safe calls (each
        // handler says which); the old disposition is kept to restore.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut current) != 0 {
                continue;
            }
            let taken = match take {
                Take::Always => true,
                Take::UnlessIgnored => current.sa_sigaction != libc::SIG_IGN,
                Take::WhereDefault => current.sa_sigaction == libc::SIG_DFL,
            };
            if !taken {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, &action, &mut old) == 0 {
                previous.push((signal, old));
            }
        }
    }
    previous
}

/// Give the signals back what [`install`] returned.
pub fn restore(previous: &[Previous]) {
    for (signal, old) in previous {
        // SAFETY: restores the disposition `sigaction` reported earlier.
        unsafe {
            libc::sigaction(*signal, old, std::ptr::null_mut());
        }
    }
}

/// Catch the stopping signals until the returned guard is dropped (the handler only
/// stores to an atomic).
pub(crate) fn catch() -> Signals {
    RECEIVED.store(0, Ordering::SeqCst);
    Signals {
        previous: install(record, Take::Always),
    }
}

/// As [`catch`], but a signal already received is kept: for a command run inside a
/// release's steps (which must still see it) as well as outside one.
pub(crate) fn watch() -> Signals {
    Signals {
        previous: install(record, Take::Always),
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        restore(&self.previous);
    }
}

/// The stopping signal received since [`catch`], if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Forget a received signal (one the step it was meant for already dealt with).
pub(crate) fn forget() {
    RECEIVED.store(0, Ordering::SeqCst);
}

/// A signal's name, for messages.
pub(crate) fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT (Ctrl-C)".into(),
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGHUP => "SIGHUP".into(),
        libc::SIGKILL => "SIGKILL".into(),
        s => format!("signal {s}"),
    }
}

/// How a step's command ended.
#[derive(Debug)]
pub(crate) enum Ended {
    Exited(ExitStatus),
    /// git-release received this signal; the command's group was stopped.
    Interrupted(i32),
    /// The command ran longer than its timeout; its group was stopped.
    TimedOut(Duration),
}

/// Start `cmd` in a process group of its own, tell `started` its id (the group's id, to
/// record before anything else happens) and the child (whose pipes it may take), and wait
/// for it, stopping the whole group on a stopping signal or after `timeout`.
pub(crate) fn run_in_group(
    cmd: &mut Command,
    timeout: Option<Duration>,
    started: impl FnOnce(i32, &mut Child),
) -> std::io::Result<Ended> {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    let mut child = cmd.spawn()?;
    let pgid = i32::try_from(child.id()).unwrap_or(0);
    started(pgid, &mut child);
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Ended::Exited(status));
        }
        if let Some(signal) = received() {
            stop_group(pgid, &mut child);
            return Ok(Ended::Interrupted(signal));
        }
        if let Some(limit) = timeout
            && start.elapsed() >= limit
        {
            stop_group(pgid, &mut child);
            return Ok(Ended::TimedOut(limit));
        }
        std::thread::sleep(POLL);
    }
}

/// SIGTERM to the whole group, SIGKILL to whatever is left after [`GRACE`]; the child is
/// reaped.
fn stop_group(pgid: i32, child: &mut Child) {
    if pgid > 0 {
        // SAFETY: signals the process group we created for this step.
        unsafe {
            libc::kill(-pgid, libc::SIGTERM);
        }
    }
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline {
        let child_done = matches!(child.try_wait(), Ok(Some(_)));
        if child_done && !group_alive(pgid) {
            return;
        }
        std::thread::sleep(POLL);
    }
    if pgid > 0 {
        // SAFETY: as above.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
    let _ = child.wait();
}

/// SIGKILL to whatever is left of process group `pgid` once its leader has ended (a
/// command's background processes would otherwise hold its pipes open).
pub(crate) fn end_group(pgid: i32) {
    if group_alive(pgid) {
        // SAFETY: signals the process group we created; `group_alive` says it still has
        // members, so its id cannot have been reused.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// Whether any process of process group `pgid` exists.
pub(crate) fn group_alive(pgid: i32) -> bool {
    if pgid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 sends nothing; it only reports whether a process of the
    // group (a negative pid) exists.
    let r = unsafe { libc::kill(-pgid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_stops_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("late");
        // The shell starts a grandchild that would write the marker after the timeout.
        let script = format!("(sleep 2; touch '{}') & sleep 30", marker.display());
        let mut group = 0;
        let ended = run_in_group(
            Command::new("sh").arg("-c").arg(script),
            Some(Duration::from_millis(300)),
            |g, _| group = g,
        )
        .unwrap();
        assert!(matches!(ended, Ended::TimedOut(_)), "{ended:?}");
        assert!(!group_alive(group));
        std::thread::sleep(Duration::from_millis(2500));
        assert!(
            !marker.exists(),
            "the grandchild was stopped with its group"
        );
    }

    #[test]
    fn an_ordinary_command_reports_its_status() {
        let ended =
            run_in_group(Command::new("sh").args(["-c", "exit 3"]), None, |_, _| {}).unwrap();
        match ended {
            Ended::Exited(status) => assert_eq!(status.code(), Some(3)),
            other => panic!("{other:?}"),
        }
    }
}
