//! Atomic file writes: a temporary file in the same directory, then a rename, so a reader
//! (or a crash) sees the old bytes or the new ones, never half of each.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Replace (or create) `path` with `contents` atomically, keeping its permissions.
pub fn write(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".git-release-")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    tmp.write_all(contents)
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp.path(), meta.permissions())
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
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

    /// Write everything or nothing.
    pub fn commit(self) -> Result<()> {
        let mut staged = Vec::new();
        for (path, contents) in &self.files {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            let mut tmp = tempfile::Builder::new()
                .prefix(".git-release-")
                .tempfile_in(&dir)
                .map_err(|e| Error::io(&dir, e))?;
            tmp.write_all(contents)
                .map_err(|e| Error::io(tmp.path(), e))?;
            tmp.as_file()
                .sync_all()
                .map_err(|e| Error::io(tmp.path(), e))?;
            if let Ok(meta) = std::fs::metadata(path) {
                let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
            }
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
        // A directory where a file should go makes the rename fail.
        let b = dir.path().join("b");
        std::fs::create_dir(&b).unwrap();
        std::fs::write(b.join("x"), "x").unwrap();
        let mut set = FileSet::new();
        set.put(&a, "new");
        set.put(&b, "file");
        assert!(set.commit().is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old");
        assert!(b.is_dir());
    }
}
