//! Reading a file a user names (a rules file, a labels file, a changelog given on the
//! command line): only a regular file, or a symlink to one, and only up to a bound. A FIFO
//! would block the read forever, a device (`/dev/zero`) never ends, and a file larger than
//! any such input is a mistake, not something to hold in memory.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The most a named input file may hold: far above any real changelog, rules or labels
/// file.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of `path` when it is a regular file of at most [`MAX_INPUT_BYTES`]; else the
/// error `refuse` makes of a message saying what it is instead. A file that grows while it
/// is read is still read only up to the bound.
pub fn read_regular(path: &Path, refuse: impl Fn(String) -> Error) -> Result<Vec<u8>> {
    let (file, meta) = open_unblocked(path)?;
    if !meta.is_file() {
        return Err(refuse(
            "is not a regular file (a directory, pipe, socket or device), so it is not read; \
             name a file"
                .into(),
        ));
    }
    let too_large = || {
        refuse(format!(
            "is larger than an input file may be ({} MiB); name the right file",
            MAX_INPUT_BYTES / 1024 / 1024
        ))
    };
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// `path` opened for reading without blocking (a FIFO with no writer would hang the open
/// already), with the metadata of what was opened: what kind of file it is, checked on the
/// descriptor itself, so that nothing swapped in between a check and the read is read.
pub fn open_unblocked(path: &Path) -> Result<(std::fs::File, std::fs::Metadata)> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    Ok((file, meta))
}

/// [`read_regular`] as UTF-8 text; what is not a regular file, too large, or not UTF-8 is
/// refused naming the file.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = read_regular(path, |message| refused(path, message))?;
    String::from_utf8(bytes).map_err(|e| {
        refused(
            path,
            format!(
                "is not UTF-8 text (byte {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Whether `error` says the file does not exist.
pub fn is_not_found(error: &Error) -> bool {
    matches!(error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

fn refused(path: &Path, message: String) -> Error {
    Error::Refused(format!("{}: {message}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refuse(message: String) -> Error {
        Error::Refused(message)
    }

    #[test]
    fn regular_files_and_links_to_them_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rules.toml");
        std::fs::write(&file, "x = 1\n").unwrap();
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(read_regular(&file, refuse).unwrap(), b"x = 1\n");
        assert_eq!(read_regular(&link, refuse).unwrap(), b"x = 1\n");
    }

    #[test]
    fn fifos_directories_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        for path in [fifo.as_path(), dir.path(), Path::new("/dev/zero")] {
            let e = read_regular(path, refuse).unwrap_err().to_string();
            assert!(e.contains("not a regular file"), "{}: {e}", path.display());
        }
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let e = read_regular(Path::new("/nonexistent/rules.toml"), refuse).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/rules.toml"), "{e}");
    }
}
