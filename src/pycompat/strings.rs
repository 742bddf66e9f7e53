//! Python's `str` where towncrier relies on it: whitespace as `str.isspace` sees it,
//! `strip`/`lstrip`/`rstrip`, `splitlines(keepends=True)`, universal newlines,
//! `Path.read_text(errors="replace")`, and the text `int()` accepts.

use std::path::Path;

use crate::error::{Error, Result};

/// Python's `str.isspace` for one character (Unicode whitespace plus the ASCII
/// separators `\x1c`–`\x1f`, which Rust does not count).
pub fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `str.strip()`.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// Python's `str.rstrip()`.
pub fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(py_isspace)
}

/// Python's `str.lstrip()`.
pub fn py_lstrip(s: &str) -> &str {
    s.trim_start_matches(py_isspace)
}

/// Python's `str.splitlines(keepends=True)`, with all of Python's line boundaries.
pub fn py_splitlines_keepends(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let end = match c {
            '\r' => match iter.peek() {
                Some((_, '\n')) => {
                    iter.next();
                    i + 2
                }
                _ => i + 1,
            },
            '\n' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => i + c.len_utf8(),
            _ => continue,
        };
        lines.push(&text[start..end]);
        start = end;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Read a file as Python's `Path.read_text(encoding="utf-8", errors="replace")`: invalid
/// bytes become U+FFFD and `\r\n` / `\r` become `\n` (universal newlines).
pub fn read_text(path: &Path) -> Result<String> {
    use std::io::Read as _;
    // Fragments are small: read without asking for the size first (one syscall fewer
    // per file than `fs::read`, which counts with hundreds of fragments).
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(universal_newlines(&String::from_utf8_lossy(&bytes)))
}

/// `\r\n` and lone `\r` to `\n`, as Python's text mode reads files.
pub fn universal_newlines(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

/// Whether Python's `int()` accepts the text (sign, digits, single underscores, spaces).
pub fn is_python_int(s: &str) -> bool {
    static_regex!(r"^\s*[+-]?\d+(?:_\d+)*\s*$").is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitlines_and_strip_like_python() {
        assert_eq!(
            py_splitlines_keepends("a\r\nb\rc\x0bd"),
            ["a\r\n", "b\r", "c\x0b", "d"]
        );
        assert_eq!(py_strip("\x1c x \u{a0}"), "x");
    }
}
