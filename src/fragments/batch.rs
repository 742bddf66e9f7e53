//! The fragments' files read in batches through io_uring, where the kernel allows it.
//!
//! A release reads hundreds of small files, and with `open`, `read`, `read`, `close` per file
//! the system calls (each one a trip into the kernel, expensive in a virtual machine) were
//! most of a `build --draft`. Here each file is an `OPENAT` into a direct descriptor (a slot
//! of the ring's file table, never the process's) linked to a `READ` into a buffer of its
//! own, and a whole batch of files is submitted and waited for with one call. No `CLOSE`:
//! the next batch's open into the same slot closes the file there, and the ring's end
//! closes the last ones.
//!
//! What this module does not settle goes the normal way ([`Outcome::Unread`]: the caller
//! reads the file with [`read_text`](crate::pycompat::strings::read_text)): a file the
//! listing does not report as a regular file (a symlink, a FIFO that must block exactly as
//! before, not here), a file that fills its buffer (it may be longer), and any result the
//! ring cannot give (`EAGAIN`, `EINTR`…). Without io_uring — an old kernel, a seccomp filter
//! or `kernel.io_uring_disabled`, or [`DISABLE_VARIABLE`] set — everything goes the normal
//! way, silently. Files are decoded by the same function as `read_text`, so the text is the
//! same either way.

use std::ffi::OsStr;
use std::path::Path;

use crate::pycompat::strings::decode_text;

/// Set (to anything but the empty string) to read every fragment the normal way: the test
/// suite runs the towncrier cases both ways with it.
pub const DISABLE_VARIABLE: &str = "GIT_RELEASE_NO_IO_URING";

/// What became of one file of a batch.
#[derive(Debug)]
pub enum Outcome {
    /// Read whole and decoded.
    Text(String),
    /// The kernel's answer for this file, as `open` or `read` would have given it.
    Failed(std::io::Error),
    /// Not read here: the caller reads it the normal way.
    Unread,
}

/// One file to read: its name in the batch's directory, and whether the directory listing
/// reports it as a regular file (anything else is left [`Outcome::Unread`]).
pub struct Item<'a> {
    pub name: &'a OsStr,
    pub regular: bool,
}

/// A ring set up for reading, or nothing where io_uring cannot be used.
pub struct Reader {
    #[cfg(target_os = "linux")]
    ring: Option<ring::Ring>,
}

impl Reader {
    /// A reader for `files` files: with fewer than [`ring::MIN_FILES`] the ring costs more
    /// to set up than it saves, and everything goes the normal way.
    pub fn new(files: usize) -> Self {
        let disabled = std::env::var_os(DISABLE_VARIABLE).is_some_and(|v| !v.is_empty());
        #[cfg(target_os = "linux")]
        {
            let ring = (!disabled && files >= ring::MIN_FILES)
                .then(ring::Ring::new)
                .flatten();
            Reader { ring }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (disabled, files);
            Reader {}
        }
    }

    /// Whether files are read through io_uring.
    #[cfg(test)]
    pub fn uses_io_uring(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.ring.is_some()
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }

    /// Read `items`, all in `dir`; one outcome per item, in their order.
    pub fn read(&mut self, dir: &Path, items: &[Item]) -> Vec<Outcome> {
        #[cfg(target_os = "linux")]
        if let Some(ring) = &mut self.ring {
            match ring.read(dir, items) {
                Ok(outcomes) => return outcomes,
                // The ring failed as a whole (it was never seen to): the normal way from here on.
                Err(ring::Broken) => self.ring = None,
            }
        }
        let _ = dir;
        items.iter().map(|_| Outcome::Unread).collect()
    }
}

#[cfg(target_os = "linux")]
mod ring {
    use std::ffi::CString;
    use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd};
    use std::os::unix::ffi::OsStrExt as _;
    use std::path::Path;

    use io_uring::{IoUring, opcode, squeue, types};

    use super::{Item, Outcome, decode_text};

    /// Below this many files the normal way is as fast: setting up the ring and its file
    /// table costs about as much as a dozen files read one by one.
    pub const MIN_FILES: usize = 8;
    /// Files per submission: two entries each. Buffers and ring are reused between
    /// batches, so a larger batch mostly costs page faults.
    const BATCH: usize = 64;
    /// Each file's buffer. Fragments are a few hundred bytes (nine in ten of Backend.AI's
    /// under 250); one that fills its buffer is read again the normal way.
    pub(super) const CHUNK: usize = 512;

    /// The ring failed while entries may still be in flight: their buffer and names are
    /// leaked, never reused, and the ring is given up.
    pub struct Broken;

    pub struct Ring {
        ring: IoUring,
        buf: Vec<u8>,
    }

    impl Ring {
        pub fn new() -> Option<Ring> {
            // SUBMIT_ALL (Linux 5.18): an entry the kernel refuses at submission completes
            // with its error instead of stopping the submission, so every entry pushed
            // completes and the wait below cannot wait for one never submitted. Kernels
            // without it, or without sparse file tables (5.19), refuse here.
            // SINGLE_ISSUER and DEFER_TASKRUN (6.1): completions are posted when this thread
            // waits for them, not by interrupting it; the reader lives on one thread.
            let entries = (2 * BATCH) as u32;
            let ring = IoUring::builder()
                .setup_submit_all()
                .setup_single_issuer()
                .setup_defer_taskrun()
                .build(entries)
                .or_else(|_| IoUring::builder().setup_submit_all().build(entries))
                .ok()?;
            ring.submitter().register_files_sparse(BATCH as u32).ok()?;
            Some(Ring {
                ring,
                buf: vec![0; BATCH * CHUNK],
            })
        }

        pub fn read(&mut self, dir: &Path, items: &[Item]) -> Result<Vec<Outcome>, Broken> {
            let mut out: Vec<Outcome> = Vec::with_capacity(items.len());
            if !items.iter().any(|i| i.regular) {
                out.extend(items.iter().map(|_| Outcome::Unread));
                return Ok(out);
            }
            // Names are opened relative to the directory: the kernel walks one component
            // per file instead of the whole path.
            let dir_fd = match open_dir(dir) {
                Some(fd) => fd,
                None => {
                    out.extend(items.iter().map(|_| Outcome::Unread));
                    return Ok(out);
                }
            };
            for chunk in items.chunks(BATCH) {
                self.batch(&dir_fd, chunk, &mut out)?;
            }
            Ok(out)
        }

        /// One submission: `items.len() <= BATCH`.
        fn batch(
            &mut self,
            dir: &OwnedFd,
            items: &[Item],
            out: &mut Vec<Outcome>,
        ) -> Result<(), Broken> {
            // What each item became; `None` until its entries complete.
            let mut open_res: Vec<Option<i32>> = vec![None; items.len()];
            let mut read_res: Vec<Option<i32>> = vec![None; items.len()];
            // The names must live until the kernel has read them (all completions below).
            let names: Vec<Option<CString>> = items
                .iter()
                .map(|i| {
                    i.regular
                        .then(|| CString::new(i.name.as_bytes()).ok())
                        .flatten()
                })
                .collect();
            let mut pushed = 0usize;
            {
                let mut sq = self.ring.submission();
                for (slot, name) in names.iter().enumerate() {
                    let Some(name) = name else { continue };
                    let Ok(target) = types::DestinationSlot::try_from_slot_target(slot as u32)
                    else {
                        continue;
                    };
                    // `slot < BATCH`: each buffer is `CHUNK` bytes of `buf`.
                    let buf = self.buf[slot * CHUNK..][..CHUNK].as_mut_ptr();
                    let user = slot as u64;
                    // Linked: a failed open cancels the read (which then cannot read the
                    // file an earlier batch left in the slot).
                    let entries = [
                        opcode::OpenAt::new(types::Fd(dir.as_raw_fd()), name.as_ptr())
                            .flags(libc::O_RDONLY)
                            .file_index(Some(target))
                            .build()
                            .flags(squeue::Flags::IO_LINK)
                            .user_data(user << 2),
                        opcode::Read::new(types::Fixed(slot as u32), buf, CHUNK as u32)
                            .offset(0)
                            .build()
                            .user_data(user << 2 | 1),
                    ];
                    // SAFETY: the name and the buffer outlive the entries: every entry
                    // pushed is waited for below before either is dropped or reused.
                    if unsafe { sq.push_multiple(&entries) }.is_err() {
                        // The queue holds 2 * BATCH entries and is empty at the start.
                        break;
                    }
                    pushed += 2;
                }
            }
            let mut done = 0usize;
            while done < pushed {
                match self.ring.submit_and_wait(pushed - done) {
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.raw_os_error(),
                            Some(libc::EINTR | libc::EAGAIN | libc::EBUSY)
                        ) => {}
                    Err(_) => {
                        // Entries may still be in flight, writing into the buffer and
                        // reading the names: neither may be freed or reused.
                        std::mem::forget(std::mem::take(&mut self.buf));
                        std::mem::forget(names);
                        return Err(Broken);
                    }
                }
                for cqe in self.ring.completion() {
                    done += 1;
                    let slot = (cqe.user_data() >> 2) as usize;
                    match cqe.user_data() & 3 {
                        0 => open_res[slot] = Some(cqe.result()),
                        1 => read_res[slot] = Some(cqe.result()),
                        _ => {}
                    }
                }
            }
            for (slot, item) in items.iter().enumerate() {
                let outcome = match (open_res[slot], read_res[slot]) {
                    _ if !item.regular => Outcome::Unread,
                    // What open(2) would have said, as the normal way reports it.
                    (Some(e), _) if e < 0 && !retry(-e) => {
                        Outcome::Failed(std::io::Error::from_raw_os_error(-e))
                    }
                    (Some(_), Some(n)) if n >= 0 && (n as usize) < CHUNK => {
                        Outcome::Text(decode_text(&self.buf[slot * CHUNK..][..n as usize]))
                    }
                    (Some(fd), Some(e)) if fd >= 0 && e < 0 && !retry(-e) => {
                        Outcome::Failed(std::io::Error::from_raw_os_error(-e))
                    }
                    // A full buffer (the file may be longer), a result to retry, or an
                    // entry never pushed.
                    _ => Outcome::Unread,
                };
                out.push(outcome);
            }
            Ok(())
        }
    }

    /// Errors the normal way might not meet: the file is read again there.
    fn retry(errno: i32) -> bool {
        matches!(errno, libc::EAGAIN | libc::EINTR | libc::ECANCELED)
    }

    /// The directory, opened only to name files relative to it.
    fn open_dir(dir: &Path) -> Option<OwnedFd> {
        let path = CString::new(dir.as_os_str().as_bytes()).ok()?;
        // SAFETY: a valid C string; the descriptor returned is owned below.
        let fd = unsafe {
            libc::open(
                path.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        // SAFETY: a descriptor this call just opened, owned by nobody else.
        (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pycompat::strings::read_text;

    /// A reader that goes through io_uring, or `None` (with a note) where this machine's
    /// kernel refuses it: the tests then have nothing of this module to check.
    fn ring_reader(files: usize) -> Option<Reader> {
        let reader = Reader::new(files);
        if !reader.uses_io_uring() {
            eprintln!("io_uring is unavailable here (or {DISABLE_VARIABLE} is set): skipped");
            return None;
        }
        Some(reader)
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    fn item(name: &str) -> Item<'_> {
        Item {
            name: OsStr::new(name),
            regular: true,
        }
    }

    #[test]
    fn files_read_as_read_text_reads_them() {
        let Some(mut reader) = ring_reader(100) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<(String, Vec<u8>)> = vec![
            ("plain.md".into(), b"Add a thing\n".to_vec()),
            ("crlf.md".into(), b"one\r\ntwo\rthree\r\n".to_vec()),
            ("latin1.md".into(), b"caf\xe9 \xff\xfe end\n".to_vec()),
            ("empty.md".into(), Vec::new()),
            ("exactly-less.md".into(), vec![b'a'; CHUNK_FOR_TESTS - 1]),
            ("exactly-full.md".into(), vec![b'b'; CHUNK_FOR_TESTS]),
            (
                "long.md".into(),
                "é".repeat(3 * CHUNK_FOR_TESTS).into_bytes(),
            ),
        ];
        // More files than one batch holds, so that buffers and file slots are reused.
        let mut all = files.clone();
        for i in 0..150 {
            all.push((
                format!("{i}.feature.md"),
                format!("Entry {i}\r\n").into_bytes(),
            ));
        }
        for (name, bytes) in &all {
            write(dir.path(), name, bytes);
        }
        let items: Vec<Item> = all.iter().map(|(n, _)| item(n)).collect();
        let outcomes = reader.read(dir.path(), &items);
        assert_eq!(outcomes.len(), all.len());
        let mut unread = Vec::new();
        for ((name, _), outcome) in all.iter().zip(outcomes) {
            let expected = read_text(&dir.path().join(name)).unwrap();
            match outcome {
                Outcome::Text(text) => assert_eq!(text, expected, "{name}"),
                Outcome::Unread => unread.push(name.as_str()),
                Outcome::Failed(e) => panic!("{name}: {e}"),
            }
        }
        // A file that fills its buffer may be longer: the caller reads it whole.
        assert_eq!(unread, ["exactly-full.md", "long.md"]);
    }

    #[test]
    fn what_the_listing_does_not_call_a_regular_file_is_left_to_the_caller() {
        let Some(mut reader) = ring_reader(100) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "target.md", b"text\n");
        std::os::unix::fs::symlink("target.md", dir.path().join("link.md")).unwrap();
        let fifo =
            std::ffi::CString::new(dir.path().join("fifo.md").as_os_str().as_encoded_bytes())
                .unwrap();
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        // A FIFO opened here would block this test forever.
        let items = [
            Item {
                name: OsStr::new("link.md"),
                regular: false,
            },
            Item {
                name: OsStr::new("fifo.md"),
                regular: false,
            },
            item("target.md"),
        ];
        let outcomes = reader.read(dir.path(), &items);
        assert!(matches!(outcomes[0], Outcome::Unread));
        assert!(matches!(outcomes[1], Outcome::Unread));
        assert!(matches!(&outcomes[2], Outcome::Text(t) if t == "text\n"));
    }

    #[test]
    fn errors_are_the_kernel_s_answer_for_that_file() {
        let Some(mut reader) = ring_reader(100) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.md", b"a\n");
        write(dir.path(), "c.md", b"c\n");
        // Listed, then gone before it is read.
        let items = [item("a.md"), item("gone.md"), item("c.md")];
        let outcomes = reader.read(dir.path(), &items);
        assert!(matches!(&outcomes[0], Outcome::Text(t) if t == "a\n"));
        match &outcomes[1] {
            Outcome::Failed(e) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound),
            other => panic!("{other:?}"),
        }
        // A failed file does not disturb the next one (its read was cancelled).
        assert!(matches!(&outcomes[2], Outcome::Text(t) if t == "c\n"));
        // And the file table is whole for the next batch.
        let again = reader.read(dir.path(), &[item("c.md"), item("a.md")]);
        assert!(matches!(&again[0], Outcome::Text(t) if t == "c\n"));
        assert!(matches!(&again[1], Outcome::Text(t) if t == "a\n"));
        // A failed open into a slot that still holds an earlier batch's file reads nothing
        // from that file.
        let third = reader.read(dir.path(), &[item("c.md"), item("gone.md")]);
        assert!(matches!(&third[0], Outcome::Text(t) if t == "c\n"));
        assert!(matches!(&third[1], Outcome::Failed(_)), "{:?}", third[1]);
    }

    #[test]
    fn few_files_or_the_switch_go_the_normal_way() {
        assert!(!Reader::new(1).uses_io_uring());
        // The switch is checked in a child process that has it set (setting a variable in
        // this process would race with the other tests' threads).
        if std::env::var_os(DISABLE_VARIABLE).is_some() {
            assert!(!Reader::new(1000).uses_io_uring());
            return;
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "fragments::batch::tests::few_files_or_the_switch_go_the_normal_way",
                "--test-threads=1",
            ])
            .env(DISABLE_VARIABLE, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[cfg(target_os = "linux")]
    const CHUNK_FOR_TESTS: usize = ring::CHUNK;
    #[cfg(not(target_os = "linux"))]
    const CHUNK_FOR_TESTS: usize = 1024;
}
