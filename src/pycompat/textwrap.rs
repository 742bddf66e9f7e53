//! Python's `textwrap.fill`, with the options towncrier's `wrap` uses.

use super::strings::py_isspace;

/// Python's `textwrap.fill(text, width, subsequent_indent=…, break_long_words=False,
/// break_on_hyphens=False)` with the other options at their defaults (tabs expanded to 8,
/// whitespace replaced, whitespace dropped at line ends). Widths count code points.
pub fn fill(text: &str, width: usize, subsequent_indent: &str) -> String {
    wrap(text, width, subsequent_indent).join("\n")
}

/// Python's `textwrap.wrap` with the options of [`fill`].
pub fn wrap(text: &str, width: usize, subsequent_indent: &str) -> Vec<String> {
    const WS: [char; 6] = ['\t', '\n', '\x0b', '\x0c', '\r', ' '];
    // _munge_whitespace: expandtabs(8), then each ASCII whitespace becomes a space.
    let mut munged = String::with_capacity(text.len());
    let mut column = 0usize;
    for c in text.chars() {
        match c {
            '\t' => {
                let spaces = 8 - column % 8;
                munged.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            '\n' | '\r' => {
                munged.push(' ');
                column = 0;
            }
            c if WS.contains(&c) => {
                munged.push(' ');
                column += 1;
            }
            c => {
                munged.push(c);
                column += 1;
            }
        }
    }
    // _split with break_on_hyphens=False: runs of spaces and runs of everything else.
    let mut chunks: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut in_space = None;
    for (i, c) in munged.char_indices() {
        let space = c == ' ';
        if in_space.is_some_and(|s| s != space) {
            chunks.push(&munged[start..i]);
            start = i;
        }
        in_space = Some(space);
    }
    if start < munged.len() {
        chunks.push(&munged[start..]);
    }

    let len = |s: &str| s.chars().count() as isize;
    let blank = |s: &str| s.chars().all(py_isspace);
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let mut cur_line: Vec<&str> = Vec::new();
        let mut cur_len: isize = 0;
        let indent = if lines.is_empty() {
            ""
        } else {
            subsequent_indent
        };
        let width = width as isize - len(indent);
        if !lines.is_empty() && chunks.last().is_some_and(|c| blank(c)) {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            let l = len(chunk);
            if cur_len + l <= width {
                cur_line.push(chunk);
                cur_len += l;
                chunks.pop();
            } else {
                break;
            }
        }
        if let Some(chunk) = chunks.last() {
            // _handle_long_word with break_long_words=False: a word longer than the
            // line goes alone on its own line.
            if len(chunk) > width && cur_line.is_empty() {
                cur_line.push(chunk);
                chunks.pop();
            }
        }
        if cur_line.last().is_some_and(|c| blank(c)) {
            cur_line.pop();
        }
        if !cur_line.is_empty() {
            lines.push(format!("{indent}{}", cur_line.concat()));
        }
    }
    lines
}

/// Python's `textwrap.wrap(text, width, expand_tabs=False, replace_whitespace=False,
/// break_long_words=…, break_on_hyphens=False)`, as Jinja2's `wordwrap` calls it on each
/// line (with `break_on_hyphens=True` it splits the same where the text has no `-`). Widths
/// count code points; `width` is at least 1.
pub fn wrap_words(text: &str, width: usize, break_long_words: bool) -> Vec<String> {
    // _split: runs of `\t\n\x0b\x0c\r ` and runs of everything else.
    let ws = |c: char| matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ');
    let mut chunks: Vec<String> = Vec::new();
    for c in text.chars() {
        match chunks.last_mut() {
            Some(last) if last.chars().next().is_some_and(|f| ws(f) == ws(c)) => last.push(c),
            _ => chunks.push(c.to_string()),
        }
    }
    let len = |s: &str| s.chars().count();
    let blank = |s: &str| s.chars().all(py_isspace);
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let mut cur_line: Vec<String> = Vec::new();
        let mut cur_len = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| blank(c)) {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            let l = len(chunk);
            if cur_len + l > width {
                break;
            }
            cur_len += l;
            cur_line.extend(chunks.pop());
        }
        // _handle_long_word.
        if let Some(chunk) = chunks.last_mut()
            && len(chunk) > width
        {
            if break_long_words {
                let end = width - cur_len;
                let split = chunk
                    .char_indices()
                    .nth(end)
                    .map_or(chunk.len(), |(i, _)| i);
                let rest = chunk.split_off(split);
                cur_line.push(std::mem::replace(chunk, rest));
            } else if cur_line.is_empty() {
                cur_line.extend(chunks.pop());
            }
        }
        if cur_line.last().is_some_and(|c| blank(c)) {
            cur_line.pop();
        }
        if !cur_line.is_empty() {
            lines.push(cur_line.concat());
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values printed by CPython 3.11's `textwrap.fill(text, width,
    /// subsequent_indent=…, break_long_words=False, break_on_hyphens=False)`.
    #[test]
    fn textwrap_matches_python() {
        let cases: &[(&str, usize, &str, &str)] = &[
            (
                "The quick brown fox jumps over the lazy dog",
                10,
                "",
                "The quick\nbrown fox\njumps over\nthe lazy\ndog",
            ),
            (
                "- a bullet that is long enough to wrap around",
                20,
                "  ",
                "- a bullet that is\n  long enough to\n  wrap around",
            ),
            (
                "  leading spaces stay on the first line",
                15,
                "  ",
                "  leading\n  spaces stay\n  on the first\n  line",
            ),
            (
                "averyveryverylongword short",
                5,
                "  ",
                "averyveryverylongword\n  short",
            ),
            (
                "tab\there and  two  spaces",
                12,
                "",
                "tab     here\nand  two\nspaces",
            ),
            ("   ", 10, "", ""),
            ("", 10, "", ""),
            (
                "well-hyphenated-words-stay-whole here",
                10,
                "",
                "well-hyphenated-words-stay-whole\nhere",
            ),
            ("a b", 1, "  ", "a\n  b"),
            (
                "ünïcödé wörds cöunt as chars",
                13,
                "",
                "ünïcödé wörds\ncöunt as\nchars",
            ),
            ("x\u{a0}y z", 3, "", "x\u{a0}y\nz"),
            ("a  \u{a0}  b c", 4, "", "a  \nb c"),
            ("word\x1cx y\u{2028}z", 5, "", "word\x1cx\ny\u{2028}z"),
            (
                "   indented first line goes on",
                8,
                "  ",
                "indented\n  first\n  line\n  goes\n  on",
            ),
            ("xxxxxxxxxx y", 3, "    ", "xxxxxxxxxx\n    y"),
        ];
        for (text, width, indent, expected) in cases {
            assert_eq!(fill(text, *width, indent), *expected, "{text:?} at {width}");
        }
    }
}
