//! Python's `str` where towncrier relies on it: whitespace as `str.isspace` sees it,
//! `strip`/`lstrip`/`rstrip`, `splitlines(keepends=True)`, universal newlines,
//! `Path.read_text(errors="replace")`, the text `int()` accepts, and the `unicode-escape`
//! codec a Jinja2 string literal is decoded with.

use std::fmt::Write as _;
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
    // Most text breaks lines with `\n` only: no other ASCII boundary, and no byte that
    // starts U+0085 (`\xc2\x85`) or U+2028/U+2029 (`\xe2`). Then a byte search does.
    let other = |b: &u8| {
        matches!(
            b,
            b'\r' | b'\x0b' | b'\x0c' | b'\x1c'..=b'\x1e' | 0xc2 | 0xe2
        )
    };
    // Checked over every byte without stopping early, so that the check runs on whole
    // vectors rather than a byte at a time.
    if !text
        .as_bytes()
        .iter()
        .fold(false, |found, b| found | other(b))
    {
        return text.split_inclusive('\n').collect();
    }
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
    // Fragments are small and there are hundreds: each is read with `open`, `read`, the
    // `read` that finds the end, and `close` — not `read_to_end`, which first asks the size
    // (`statx`) and the position (`lseek`), two syscalls more per file.
    // One scratch buffer for every file, zeroed once and read into directly: neither zeroed
    // per file (a zeroed 8 KiB buffer per fragment was a sixth of a `build --draft`) nor
    // kept at 8 KiB per fragment (each new page is a page fault); the text is then copied
    // out at its own size.
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_open_text(file, path)
}

/// [`read_text`] of a file already open (`path` names it in errors).
pub fn read_open_text(mut file: std::fs::File, path: &Path) -> Result<String> {
    use std::io::Read as _;
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 16 * 1024]);
    }
    let text = SCRATCH.with_borrow_mut(|buf| {
        let mut len = 0;
        loop {
            if len == buf.len() {
                buf.resize(2 * buf.len(), 0);
            }
            match file.read(&mut buf[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        Ok::<_, Error>(decode_text(&buf[..len]))
    })?;
    Ok(text)
}

/// A file's bytes as Python's text mode decodes them with `errors="replace"`: invalid
/// bytes become U+FFFD and `\r\n` / `\r` become `\n`. (The second half of [`read_text`],
/// for bytes read some other way.)
pub fn decode_text(bytes: &[u8]) -> String {
    // Valid UTF-8 (the usual case) is checked by the fast validator, then copied.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    if text.contains('\r') {
        universal_newlines(&text)
    } else {
        text
    }
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
    if !s.is_ascii() {
        return static_regex!(r"^\s*[+-]?\d+(?:_\d+)*\s*$").is_match(s);
    }
    // The same rule on ASCII text, without compiling a Unicode regex for it.
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty()
        && t.split('_')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// The value of a Unicode decimal digit (general category `Nd`: `7`, `٣`, `５`), as
/// Python's `int()` reads it; `None` for anything else (`²` is a digit to `str.isdigit()`
/// but not to `int()`). Decimal digits stand in runs of ten from zero, so a digit's value
/// is its distance from the start of its run of digits, modulo ten.
pub fn py_decimal_value(c: char) -> Option<u32> {
    if c.is_ascii() {
        return c.to_digit(10);
    }
    let decimal =
        |c: char| c.is_numeric() && static_regex!(r"^\p{Nd}$").is_match(c.encode_utf8(&mut [0; 4]));
    if !decimal(c) {
        return None;
    }
    let mut start = c as u32;
    while let Some(prev) = start.checked_sub(1).and_then(char::from_u32)
        && decimal(prev)
    {
        start -= 1;
    }
    Some((c as u32 - start) % 10)
}

/// `str(int(s))` for a name that is all decimal digits (`str.isdigit()` and `int()` agree):
/// ASCII digits without leading zeros (`007` → `7`, `٣` → `3`); `None` otherwise.
pub fn py_int_of_digits(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    let digits: String = s
        .chars()
        .map(|c| py_decimal_value(c).and_then(|v| char::from_digit(v, 10)))
        .collect::<Option<_>>()?;
    let t = digits.trim_start_matches('0');
    Some(if t.is_empty() { "0".into() } else { t.into() })
}

/// Whether Python's `str.isdigit()` holds for `s` but `int(s)` fails: every character a
/// digit, some not a decimal one (`²`, `①`). Unicode's numeric characters stand in for
/// Python's `Numeric_Type=Digit` (a fraction such as `½` is numeric, not a digit: a name of
/// those is counted in too, the one approximation).
pub fn py_isdigit_but_not_int(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(char::is_numeric)
        && s.chars().any(|c| py_decimal_value(c).is_none())
}

/// The inside of a Jinja2 string literal as Jinja2 reads it:
/// `value.encode("ascii", "backslashreplace").decode("unicode-escape")`. Non-ASCII
/// characters take part as their `\x`/`\u`/`\U` escapes (so `"\é"` is `\xe9`, as in
/// Jinja2); an unknown escape stays as written.
pub fn py_unescape(inner: &str) -> Result<String, String> {
    // The backslashreplace step.
    let mut ascii = String::with_capacity(inner.len());
    for c in inner.chars() {
        match c as u32 {
            0..0x80 => ascii.push(c),
            n @ 0x80..0x100 => {
                let _ = write!(ascii, "\\x{n:02x}");
            }
            n @ 0x100..0x10000 => {
                let _ = write!(ascii, "\\u{n:04x}");
            }
            n => {
                let _ = write!(ascii, "\\U{n:08x}");
            }
        }
    }
    let b = ascii.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    let hex = |from: usize, n: usize, what: &str| -> Result<u32, String> {
        b.get(from..from + n)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .and_then(|d| u32::from_str_radix(std::str::from_utf8(d).ok()?, 16).ok())
            .ok_or_else(|| format!("a string literal has a truncated `\\{what}` escape"))
    };
    let push = |out: &mut String, n: u32, escape: &str| -> Result<(), String> {
        let c = char::from_u32(n).ok_or_else(|| {
            format!("the string escape `{escape}` is not a character that can be written")
        })?;
        out.push(c);
        Ok(())
    };
    while i < b.len() {
        if b[i] != b'\\' {
            // Plain ASCII up to the next backslash.
            let next = b[i..]
                .iter()
                .position(|&c| c == b'\\')
                .map_or(b.len(), |p| i + p);
            out.push_str(&ascii[i..next]);
            i = next;
            continue;
        }
        let Some(&e) = b.get(i + 1) else {
            return Err("a string literal ends with a lone `\\`".into());
        };
        i += 2;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e as char),
            b'a' => out.push('\x07'),
            b'b' => out.push('\x08'),
            b'f' => out.push('\x0c'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'v' => out.push('\x0b'),
            b'0'..=b'7' => {
                let mut n = u32::from(e - b'0');
                let mut digits = 1;
                while digits < 3 && matches!(b.get(i), Some(b'0'..=b'7')) {
                    n = n * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    digits += 1;
                }
                push(&mut out, n, &format!("\\{n:o}"))?;
            }
            b'x' => {
                let n = hex(i, 2, "xhh")?;
                push(&mut out, n, &ascii[i - 2..i + 2])?;
                i += 2;
            }
            b'u' => {
                let n = hex(i, 4, "uXXXX")?;
                push(&mut out, n, &ascii[i - 2..i + 4])?;
                i += 4;
            }
            b'U' => {
                let n = hex(i, 8, "UXXXXXXXX")?;
                push(&mut out, n, &ascii[i - 2..i + 8])?;
                i += 8;
            }
            b'N' => {
                let name = ascii[i..]
                    .strip_prefix('{')
                    .and_then(|r| r.split_once('}'))
                    .map_or("…", |(n, _)| n);
                return Err(format!(
                    "the string escape `\\N{{{name}}}` (a character by its Unicode name) is \
                     not supported by git-release; write the character itself, or its \
                     `\\u` escape"
                ));
            }
            other => {
                out.push('\\');
                out.push(other as char);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_digits_read_as_python_reads_them() {
        assert_eq!(py_int_of_digits("0123"), Some("123".into()));
        assert_eq!(py_int_of_digits("000"), Some("0".into()));
        assert_eq!(py_int_of_digits("٣"), Some("3".into()));
        assert_eq!(py_int_of_digits("５0"), Some("50".into()));
        // MATHEMATICAL digits: five runs of ten in a row.
        assert_eq!(
            py_int_of_digits("\u{1D7D9}\u{1D7E4}\u{1D7FF}"),
            Some("129".into())
        );
        assert_eq!(py_int_of_digits("²"), None);
        assert_eq!(py_int_of_digits("1a"), None);
        assert_eq!(py_int_of_digits(""), None);
        assert!(py_isdigit_but_not_int("²"));
        assert!(py_isdigit_but_not_int("1²"));
        assert!(!py_isdigit_but_not_int("12"));
        assert!(!py_isdigit_but_not_int("٣"));
        assert!(!py_isdigit_but_not_int("a²"));
    }

    #[test]
    fn splitlines_and_strip_like_python() {
        assert_eq!(
            py_splitlines_keepends("a\r\nb\rc\x0bd"),
            ["a\r\n", "b\r", "c\x0b", "d"]
        );
        assert_eq!(
            py_splitlines_keepends("a\nb\n\nc"),
            ["a\n", "b\n", "\n", "c"]
        );
        assert_eq!(
            py_splitlines_keepends("é\nx\u{2028}y"),
            ["é\n", "x\u{2028}", "y"]
        );
        assert_eq!(py_splitlines_keepends(""), Vec::<&str>::new());
        assert_eq!(py_strip("\x1c x \u{a0}"), "x");
    }

    #[test]
    fn python_int_text() {
        for yes in ["1", " 12 ", "-3", "+4", "1_000", "\t7\n", "\x0b5", "١٢"] {
            assert!(is_python_int(yes), "{yes:?}");
        }
        for no in [
            "", "-", "1__0", "_1", "1_", "1.0", "0x1", "a", "+-1", "\x1c1",
        ] {
            assert!(!is_python_int(no), "{no:?}");
        }
    }

    #[test]
    fn escapes_as_python_decodes_them() {
        for (inner, python) in [
            (r"\x41\u00e9\U0001F600", "Aé😀"),
            (r"\101\7\0", "A\x07\0"),
            (r"\777", "ǿ"),
            (r"\a\b\f\v\t", "\x07\x08\x0c\x0b\t"),
            (r"\q\/\8", r"\q\/\8"),
            ("a\\\nb", "ab"),
            (r#"\'\"\\"#, "'\"\\"),
            ("\\é", r"\xe9"),
            ("é€😀", "é€😀"),
        ] {
            assert_eq!(py_unescape(inner).unwrap(), python, "{inner}");
        }
        for bad in [r"\x4", r"\u12", r"\U00110000", r"\ud800"] {
            assert!(py_unescape(bad).is_err(), "{bad}");
        }
        let e = py_unescape(r"\N{BULLET}").unwrap_err();
        assert!(e.contains(r"\N{BULLET}"), "{e}");
    }
}
