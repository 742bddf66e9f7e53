//! Atomic file writes: a temporary file in the same directory, then a rename, so a reader
//! (or a crash) sees the old bytes or the new ones, never half of each.
//!
//! A file is written where it is and as what it is: a write to a symlink goes through to
//! the file the link finally points to (the link stays a link), and that file keeps its
//! permission bits. Only a regular file is ever replaced: a write whose target exists as
//! anything else (a directory, a FIFO, a device, a socket) is refused before a temporary
//! file is made, since the rename would put a regular file in its place (`-o /dev/null` run
//! as root would replace the machine's `/dev/null`). Whether the target may be written at
//! all (inside the repository) is the caller's decision, made before the first write (see
//! `release::preflight`).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The longest chain of symlinks a write follows (as Linux's `ELOOP` limit).
const MAX_LINKS: usize = 40;

/// A temporary file's name: this prefix, then [`TEMP_RANDOM`] random letters and digits.
const TEMP_PREFIX: &str = ".git-release-";
const TEMP_RANDOM: usize = 6;

/// Whether `name` is a temporary file of [`write`]: one a stop between its write and its
/// rename (`kill -9`, a power cut) leaves beside the file it was to replace.
pub fn is_unfinished_write(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .and_then(|n| n.strip_prefix(TEMP_PREFIX))
        .is_some_and(|r| r.len() == TEMP_RANDOM && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Remove the temporaries of [`write`] that stops left in `dir` (see
/// [`is_unfinished_write`]): regular files with that name only — never a directory, a
/// symlink or any other name — and only where no write can be under way (the caller holds
/// what serialises the writes there: the release lock for the release's own files).
/// Best effort: what cannot be removed stays; returns what was removed.
pub fn remove_unfinished_writes(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        if !is_unfinished_write(&entry.file_name()) {
            continue;
        }
        // `file_type` does not follow a symlink.
        if entry.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed.push(entry.path());
        }
    }
    removed
}

/// The file a write to `path` lands in: `path` itself, or, when it is a symlink, the file
/// the chain of links finally names (relative links resolve from the link's directory).
/// A dangling link resolves to its missing target, which the write then creates.
pub fn write_target(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current).map_err(|e| Error::io(&current, e))?;
                current = match current.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(Error::io(
        path,
        std::io::Error::other("too many levels of symbolic links"),
    ))
}

/// What a file that is not a regular one is, in words (`None` for a regular file): a
/// write refuses to replace it, and a reader says why it will not read it.
pub fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    Some(if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a device"
    })
}

/// Whether `a` and `b` are the same file (same device and inode, symlinks followed): a
/// write to one replaces the other. `false` when either does not exist.
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// [`write_target`], refused when the file there exists and is not a regular file: the
/// rename would replace it (a device, a FIFO) with a regular file.
fn replaceable_target(path: &Path) -> Result<PathBuf> {
    let target = write_target(path)?;
    if let Ok(meta) = std::fs::symlink_metadata(&target)
        && let Some(what) = not_regular(&meta)
    {
        let through = if target == path {
            String::new()
        } else {
            format!(" (where {} leads)", path.display())
        };
        return Err(Error::Refused(format!(
            "{}{through} is {what}, not a regular file, and writing it would replace it with \
             one; name a regular file (or a new path) to write instead",
            target.display()
        )));
    }
    Ok(target)
}

/// `path` made absolute and free of symlinks and `..`: its longest existing ancestor
/// canonicalised, the rest appended (where a `..` is refused, as it cannot be judged).
pub fn resolve(path: &Path) -> std::result::Result<PathBuf, String> {
    let mut existing = path.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if existing.symlink_metadata().is_ok() {
            break;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => return Err(format!("{} cannot be resolved", path.display())),
        }
    }
    let mut out = existing
        .canonicalize()
        .map_err(|e| format!("{}: {e}", existing.display()))?;
    for part in rest.iter().rev() {
        match Path::new(part).components().next() {
            Some(std::path::Component::Normal(_)) => out.push(part),
            _ => {
                return Err(format!(
                    "{} goes through `..` below a directory that does not exist",
                    path.display()
                ));
            }
        }
    }
    Ok(out)
}

/// Replace (or create) `path` with `contents` atomically, keeping its permissions; a
/// symlink is written through to its target and stays a symlink. A target that exists as
/// anything but a regular file is refused (see [`not_regular`]), before anything is written.
pub fn write(path: &Path, contents: &[u8]) -> Result<()> {
    let path = &replaceable_target(path)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = temp_beside(path, &dir, contents)?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// `contents` in a synced temporary file in `dir`, next to `path`, with `path`'s mode — or,
/// for a new file, the mode any program would create it with (0666 less the umask), not
/// the temporary file's private 0600.
fn temp_beside(path: &Path, dir: &Path, contents: &[u8]) -> Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let existing = std::fs::metadata(path).ok();
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).rand_bytes(TEMP_RANDOM);
    if existing.is_none() {
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(contents)
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    if let Some(meta) = existing {
        std::fs::set_permissions(tmp.path(), meta.permissions())
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    Ok(tmp)
}

/// Several files replaced together: every new version is written to a temporary file
/// first, and only when all of them are ready are they renamed into place. If a rename
/// fails, the files already replaced get their old bytes back.
#[derive(Debug, Default)]
pub struct FileSet {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl FileSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queue `contents` for `path`; a later call for the same path wins.
    pub fn put(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        let path = path.into();
        let contents = contents.into();
        match self.files.iter_mut().find(|(p, _)| *p == path) {
            Some(slot) => slot.1 = contents,
            None => self.files.push((path, contents)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Write everything or nothing. Symlinks are written through to their targets; two
    /// paths that name the same file are one write (the later one queued wins). A target
    /// that is not a regular file refuses the whole set, before anything is written.
    pub fn commit(self) -> Result<()> {
        let mut targets: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        for (path, contents) in self.files {
            let target = replaceable_target(&path)?;
            match targets.iter_mut().find(|(p, _)| *p == target) {
                Some(slot) => slot.1 = contents,
                None => targets.push((target, contents)),
            }
        }
        let mut staged = Vec::new();
        for (path, contents) in &targets {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let tmp = temp_beside(path, &dir, contents)?;
            let old = std::fs::read(path).ok();
            staged.push((path.clone(), tmp, old));
        }
        let mut done: Vec<(PathBuf, Option<Vec<u8>>)> = Vec::new();
        for (path, tmp, old) in staged {
            if let Err(e) = tmp.persist(&path) {
                for (p, old) in done.into_iter().rev() {
                    let _ = match old {
                        Some(bytes) => write(&p, &bytes),
                        None => std::fs::remove_file(&p).map_err(|e| Error::io(&p, e)),
                    };
                }
                return Err(Error::io(&path, e.error));
            }
            done.push((path, old));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new file gets the mode any program would create it with (0666 less the umask),
    /// not the temporary file's 0600 (hostile3: a changelog the release created was 0600).
    #[test]
    fn a_new_file_gets_the_usual_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("new/CHANGELOG.md");
        let plain = dir.path().join("plain.md");
        write(&ours, b"x").unwrap();
        std::fs::write(&plain, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&plain));
        let mut set = FileSet::new();
        let other = dir.path().join("other.md");
        set.put(&other, b"y".to_vec());
        set.commit().unwrap();
        assert_eq!(mode(&other), mode(&plain));
    }

    #[test]
    fn replaces_content_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        write(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o755
            );
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn a_failing_set_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "old").unwrap();
        // A name longer than the file system takes: the check passes (nothing is there),
        // the temporary file is made, and its rename fails after `a`'s went through.
        let long = dir.path().join("n".repeat(300));
        let mut set = FileSet::new();
        set.put(&a, "new");
        set.put(&long, "file");
        assert!(set.commit().is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }

    /// Only a regular file is replaced: a directory, a FIFO or a device where a write
    /// lands (directly or through a symlink) is refused before anything is written, in a
    /// set as alone (hostile6/06: `rules learn -o FIFO` replaced the FIFO with a file).
    #[cfg(unix)]
    #[test]
    fn what_is_not_a_regular_file_is_refused_not_replaced() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "old").unwrap();
        let sub = dir.path().join("b");
        std::fs::create_dir(&sub).unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let link = dir.path().join("link");
        symlink("fifo", &link).unwrap();
        // (Never a real device: before this check, one would have been replaced.)
        for target in [&sub, &fifo, &link] {
            let err = write(target, b"x").unwrap_err();
            assert_eq!(err.kind(), crate::error::ErrorKind::Refused, "{err}");
            assert!(err.to_string().contains("not a regular file"), "{err}");
            let mut set = FileSet::new();
            set.put(&a, "new");
            set.put(target, "x");
            assert!(set.commit().is_err());
            assert_eq!(std::fs::read_to_string(&a).unwrap(), "old");
        }
        assert!(sub.is_dir());
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 4, "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_written_through_and_stay_links() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("AGENTS.md");
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("CLAUDE.md");
        symlink("AGENTS.md", &link).unwrap();
        // A chain: a link to the link.
        let chain = dir.path().join("sub/README.md");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        symlink("../CLAUDE.md", &chain).unwrap();

        write(&link, b"one").unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "one");
        assert_eq!(
            std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o640
        );
        write(&chain, b"two").unwrap();
        assert!(chain.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "two");

        // In a set, the link and its target are one file.
        let mut set = FileSet::new();
        set.put(&target, "three");
        set.put(&link, "four");
        set.commit().unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "four");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 3, "no temporary file left");
    }

    /// Only a write's own temporaries go: a regular file with exactly its name; another
    /// name, a directory or a symlink so named (whose target is not touched) stays.
    #[cfg(unix)]
    #[test]
    fn only_cut_writes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("precious");
        std::fs::write(&target, "keep").unwrap();
        let d = dir.path();
        for name in [".git-release-Zq8Kd1", ".git-release-000000"] {
            std::fs::write(d.join(name), "{\n  \"relea").unwrap();
        }
        let kept = [
            ".git-release-abc",
            ".git-release-abcdefg",
            ".git-release-ab-cd1",
            "git-release-Zq8Kd1",
            ".git-release-Zq8Kd1.bak",
            "state.json",
        ];
        for name in kept {
            std::fs::write(d.join(name), "x").unwrap();
        }
        std::fs::create_dir(d.join(".git-release-Dir123")).unwrap();
        std::fs::write(d.join(".git-release-Dir123/inner"), "x").unwrap();
        std::os::unix::fs::symlink(&target, d.join(".git-release-Lnk123")).unwrap();
        let mut removed = remove_unfinished_writes(d);
        removed.sort();
        assert_eq!(
            removed,
            [d.join(".git-release-000000"), d.join(".git-release-Zq8Kd1")]
        );
        let mut left: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let mut expected: Vec<&str> = kept.to_vec();
        expected.extend([".git-release-Dir123", ".git-release-Lnk123"]);
        expected.sort();
        assert_eq!(left, expected);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert!(remove_unfinished_writes(&d.join("missing")).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_an_error_not_a_hang() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        symlink("b", dir.path().join("a")).unwrap();
        symlink("a", dir.path().join("b")).unwrap();
        assert!(write(&dir.path().join("a"), b"x").is_err());
    }
}
