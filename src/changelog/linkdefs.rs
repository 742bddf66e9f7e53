//! Link reference definitions (`[docs]: https://…`) as CommonMark reads them: at the start
//! of a paragraph, in any container (a block quote, a list item, at any depth, a block
//! quote's lazy continuation lines included), the destination and the title on the same
//! line or the next ones; not in code (fenced or indented), an HTML block, or a paragraph
//! they would interrupt. Labels are matched as CommonMark matches them ([`label_key`]).

use super::blocks::{fence_open, list_marker};
use super::html::{html_opener, html_tag_line, starts_html_block};

/// A link label as CommonMark matches it to a definition: trimmed, every run of white space
/// one space, Unicode case folded (`ẞ`, `ß` and `SS` alike: lower case, then upper case,
/// as the reference implementations fold it).
pub fn label_key(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .to_uppercase()
}

/// The labels `text` defines, as written, each with the 0-based line its definition starts
/// on, in document order.
///
/// Renderers differ on one point, and both readings are taken: CommonMark's reference
/// implementations read a paragraph's definitions when it ends, so a line that cannot
/// interrupt a paragraph (`2. item`) continues one that holds only definitions;
/// markdown-it takes definitions as blocks of their own, after which such a line starts a
/// block.
pub fn definitions(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for eager in [false, true] {
        let mut reader = Reader {
            eager,
            ..Reader::default()
        };
        for (k, line) in text.lines().enumerate() {
            reader.line(k, &expand_tabs(line));
        }
        reader.close_leaf();
        found.extend(reader.found);
    }
    found.sort_by_key(|(_, k)| *k);
    found.dedup();
    found
}

/// A container block: what a line must start with to stay in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    /// `>` after at most three spaces.
    Quote,
    /// A list item: its content's column (relative to its parent's content), and whether it
    /// is still empty after a marker alone on its line (a blank line then ends it).
    Item(usize, bool),
}

/// The leaf block open in the innermost container.
#[derive(Debug, Default)]
enum Leaf {
    #[default]
    None,
    /// A paragraph's lines (their content without leading white space) and line numbers.
    Paragraph(Vec<(usize, String)>),
    /// A fenced code block: its fence.
    Fence(u8, usize),
    /// An HTML block: the markers that end it (lower case), or none: a blank line does.
    Html(&'static [&'static str]),
    IndentedCode,
}

#[derive(Debug, Default)]
struct Reader {
    open: Vec<Container>,
    leaf: Leaf,
    found: Vec<(String, usize)>,
    /// Definitions taken as blocks as soon as a paragraph holds only whole ones (as
    /// markdown-it reads them), not when the paragraph ends.
    eager: bool,
}

/// The most lines of a paragraph the eager reading looks at again for whole definitions.
const EAGER_LINES: usize = 64;

impl Reader {
    fn line(&mut self, k: usize, line: &str) {
        // The open containers this line continues, and what is left inside them.
        let mut rest = line;
        let mut matched = 0;
        for c in &mut self.open {
            let ind = indent(rest);
            match *c {
                Container::Quote if ind <= 3 && rest[ind..].starts_with('>') => {
                    rest = &rest[ind + 1..];
                    rest = rest.strip_prefix(' ').unwrap_or(rest);
                }
                Container::Item(_, false) if rest.trim().is_empty() => rest = "",
                Container::Item(col, _) if ind >= col && !rest.trim().is_empty() => {
                    *c = Container::Item(col, false);
                    rest = &rest[col..];
                }
                _ => break,
            }
            matched += 1;
        }
        let all = matched == self.open.len();
        if all {
            match self.leaf {
                Leaf::Fence(c, n) => {
                    if fence_closes(rest, c, n) {
                        self.leaf = Leaf::None;
                    }
                    return;
                }
                Leaf::Html(ends) => {
                    let ended = if ends.is_empty() {
                        rest.trim().is_empty()
                    } else {
                        html_ends(rest, ends)
                    };
                    if ended {
                        self.leaf = Leaf::None;
                    }
                    return;
                }
                Leaf::IndentedCode if rest.trim().is_empty() || indent(rest) >= 4 => return,
                _ => {}
            }
        }
        let in_paragraph = self.in_paragraph();
        // New containers this line opens.
        let mut new = Vec::new();
        loop {
            let ind = indent(rest);
            if ind >= 4 {
                break;
            }
            let after = &rest[ind..];
            if let Some(inner) = after.strip_prefix('>') {
                new.push(Container::Quote);
                rest = inner.strip_prefix(' ').unwrap_or(inner);
                continue;
            }
            if thematic_break(after) {
                break;
            }
            let Some(len) = list_marker(after) else {
                break;
            };
            let content = &after[len..];
            let blank = content.trim().is_empty();
            // A list item interrupts a paragraph only when it holds text, and an ordered
            // one only when it starts at 1.
            let interrupts = new.is_empty() && in_paragraph && all;
            let ordered_not_one = after.as_bytes()[0].is_ascii_digit()
                && after[..len - 1].trim_start_matches('0') != "1";
            if interrupts && (blank || ordered_not_one) {
                break;
            }
            // A setext underline (`-`) under a paragraph is not a list item.
            if interrupts && all && setext_underline(after) {
                break;
            }
            let spaces = indent(content);
            let width = if blank || spaces > 4 { 1 } else { spaces };
            new.push(Container::Item(ind + len + width, blank));
            rest = &after[(len + width).min(after.len())..];
        }
        if new.is_empty() && !all && in_paragraph && lazy(rest, self.eager) {
            self.paragraph_line(k, rest);
            return;
        }
        if !all || !new.is_empty() {
            self.close_leaf();
            self.open.truncate(matched);
            self.open.extend(new);
        }
        self.leaf_line(k, rest);
    }

    /// `rest`, a line's content inside its containers, as a leaf block's line.
    fn leaf_line(&mut self, k: usize, rest: &str) {
        let ind = indent(rest);
        let content = &rest[ind.min(rest.len())..];
        if content.is_empty() {
            if !matches!(self.leaf, Leaf::IndentedCode) {
                self.close_leaf();
            }
            return;
        }
        if self.eager && matches!(self.leaf, Leaf::Paragraph(_)) {
            // A line that continues a definition (its destination, its title) or adds
            // one; any other ends the definitions, and is read as after a block.
            if self.whole_definitions(Some(content)) {
                self.paragraph_line(k, rest);
                return;
            }
            if self.whole_definitions(None) {
                self.close_leaf();
            }
        }
        let in_paragraph = matches!(self.leaf, Leaf::Paragraph(_));
        if ind >= 4 {
            if in_paragraph {
                self.paragraph_line(k, rest);
            } else {
                self.leaf = Leaf::IndentedCode;
            }
            return;
        }
        if in_paragraph && setext_underline(content) {
            self.close_leaf();
            return;
        }
        if let Some(leaf) = block_start(content, !in_paragraph) {
            self.close_leaf();
            self.leaf = leaf;
            if let Leaf::Html(ends) = self.leaf
                && !ends.is_empty()
                && html_ends(content, ends)
            {
                self.leaf = Leaf::None;
            }
            return;
        }
        if !in_paragraph {
            self.close_leaf();
        }
        self.paragraph_line(k, rest);
    }

    fn paragraph_line(&mut self, k: usize, rest: &str) {
        let line = (k, rest.trim_start().to_string());
        match &mut self.leaf {
            Leaf::Paragraph(lines) => lines.push(line),
            leaf => *leaf = Leaf::Paragraph(vec![line]),
        }
    }

    /// Whether a paragraph is open: for the eager reading, one that holds only whole
    /// definitions is not (they are blocks of their own).
    fn in_paragraph(&self) -> bool {
        matches!(self.leaf, Leaf::Paragraph(_)) && !(self.eager && self.whole_definitions(None))
    }

    /// Whether the open paragraph, with `more` as its next line, is whole definitions.
    fn whole_definitions(&self, more: Option<&str>) -> bool {
        let Leaf::Paragraph(lines) = &self.leaf else {
            return false;
        };
        if lines.len() > EAGER_LINES || !lines[0].1.starts_with('[') {
            return false;
        }
        let mut lines = lines.clone();
        if let Some(more) = more {
            lines.push((0, more.trim_start().to_string()));
        }
        let text = paragraph_text(&lines);
        Self::leading(&text, &lines).1 == text.len()
    }

    /// End the open leaf block: a paragraph's leading definitions are read.
    fn close_leaf(&mut self) {
        if let Leaf::Paragraph(lines) = std::mem::take(&mut self.leaf) {
            let found = Self::leading(&paragraph_text(&lines), &lines).0;
            self.found.extend(found);
        }
    }

    /// The definitions a paragraph's `text` (its `lines` joined) starts with, by label and
    /// line, and the bytes they take.
    fn leading(text: &str, lines: &[(usize, String)]) -> (Vec<(String, usize)>, usize) {
        let mut found = Vec::new();
        let (mut at, mut line) = (0, 0);
        while let Some((label, len)) = definition(&text[at..]) {
            found.push((label, lines[line].0));
            line += text[at..at + len].matches('\n').count();
            at += len;
        }
        (found, at)
    }
}

fn paragraph_text(lines: &[(usize, String)]) -> String {
    lines
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The columns of leading spaces (tabs are expanded before).
fn indent(s: &str) -> usize {
    s.len() - s.trim_start_matches(' ').len()
}

/// `line` with its tabs expanded to the next multiple of four columns.
fn expand_tabs(line: &str) -> String {
    if !line.contains('\t') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut col = 0;
    for c in line.chars() {
        if c == '\t' {
            let n = 4 - col % 4;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

/// Whether `content` (past its indentation) is a thematic break: three or more `*`, `-` or
/// `_`, alone with spaces.
fn thematic_break(content: &str) -> bool {
    let Some(c) = content.chars().next().filter(|c| "*-_".contains(*c)) else {
        return false;
    };
    content.chars().all(|x| x == c || x == ' ' || x == '\t')
        && content.chars().filter(|&x| x == c).count() >= 3
}

/// Whether `content` is a setext heading's underline (`===` or `---`).
fn setext_underline(content: &str) -> bool {
    let t = content.trim_end();
    !t.is_empty() && (t.bytes().all(|b| b == b'=') || t.bytes().all(|b| b == b'-'))
}

/// The leaf block `content` (at most three columns in) starts, other than a paragraph; a
/// block that cannot interrupt a paragraph (HTML of type 7) only when `not_in_paragraph`.
fn block_start(content: &str, not_in_paragraph: bool) -> Option<Leaf> {
    if let Some((c, n)) = fence_open(content) {
        return Some(Leaf::Fence(c, n));
    }
    if thematic_break(content) || atx_heading(content) {
        return Some(Leaf::None);
    }
    if let Some((_, ends, _)) = html_opener(content) {
        return Some(Leaf::Html(ends));
    }
    if starts_html_block(content) || (not_in_paragraph && html_tag_line(content)) {
        return Some(Leaf::Html(&[]));
    }
    None
}

fn atx_heading(content: &str) -> bool {
    let n = content.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&n) && matches!(content.as_bytes().get(n), None | Some(b' '))
}

fn html_ends(line: &str, ends: &[&str]) -> bool {
    let lower = line.to_ascii_lowercase();
    ends.iter().any(|e| lower.contains(e))
}

/// Whether `rest` closes a fence of `n` characters `c`: at most three columns in.
fn fence_closes(rest: &str, c: u8, n: usize) -> bool {
    let ind = indent(rest);
    let t = &rest[ind..];
    let run = t.bytes().take_while(|&b| b == c).count();
    ind <= 3 && run >= n && t[run..].trim().is_empty()
}

/// Whether `rest` continues a paragraph lazily (outside the containers it stands in):
/// text that starts no other block. An HTML block of type 7, which cannot interrupt a
/// paragraph, starts one there for CommonMark's reference implementations, not for
/// markdown-it (`eager`).
fn lazy(rest: &str, eager: bool) -> bool {
    let ind = indent(rest);
    let content = &rest[ind..];
    !content.is_empty()
        && (ind >= 4
            || (block_start(content, !eager).is_none()
                && !content.starts_with('>')
                && list_marker(content).is_none()))
}

/// The definition `text` (a paragraph's text, lines without their indentation) starts
/// with: its label as written and the bytes it takes, through its last line's newline.
fn definition(text: &str) -> Option<(String, usize)> {
    let b = text.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    // The label: no unescaped bracket, at most 999 characters, not only white space.
    let mut i = 1;
    loop {
        match *b.get(i)? {
            b'\\' if i + 1 < b.len() => i += 2,
            b'[' => return None,
            b']' => break,
            _ => i += 1,
        }
    }
    let label = &text[1..i];
    if label.trim().is_empty() || label.chars().count() > 999 || b.get(i + 1) != Some(&b':') {
        return None;
    }
    i = skip_space(b, i + 2, true);
    // The destination: `<…>` on one line, or a run of non-space characters with balanced
    // parentheses.
    let start = i;
    if b.get(i) == Some(&b'<') {
        i += 1;
        loop {
            match *b.get(i)? {
                b'\\' if i + 1 < b.len() => i += 2,
                b'>' => break,
                b'<' | b'\n' => return None,
                _ => i += 1,
            }
        }
        i += 1;
    } else {
        let mut depth = 0usize;
        while let Some(&c) = b.get(i) {
            match c {
                b'\\' if i + 1 < b.len() && b[i + 1].is_ascii_punctuation() => i += 1,
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                c if c <= b' ' || c == 0x7f => break,
                _ => {}
            }
            i += 1;
        }
        if i == start || depth > 0 {
            return None;
        }
    }
    // Without a title, the line must end after the destination.
    let line_end = line_end(b, i);
    let after = skip_space(b, i, true);
    if after > i
        && let Some(end) = title(b, after)
    {
        return Some((label.to_string(), end));
    }
    line_end.map(|end| (label.to_string(), end))
}

/// Where the line ends (after its newline) when only spaces or tabs follow `i`.
fn line_end(b: &[u8], i: usize) -> Option<usize> {
    let j = skip_space(b, i, false);
    match b.get(j) {
        None => Some(j),
        Some(b'\n') => Some(j + 1),
        _ => None,
    }
}

/// Past spaces and tabs from `i`, and one newline if `newline`.
fn skip_space(b: &[u8], mut i: usize, newline: bool) -> usize {
    let mut seen = false;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' => {}
            b'\n' if newline && !seen => seen = true,
            _ => break,
        }
        i += 1;
    }
    i
}

/// A link title at `i` (`"…"`, `'…'` or `(…)`, over lines if need be) followed by only
/// spaces on its line: where its line ends.
fn title(b: &[u8], mut i: usize) -> Option<usize> {
    let close = match *b.get(i)? {
        b'"' => b'"',
        b'\'' => b'\'',
        b'(' => b')',
        _ => return None,
    };
    i += 1;
    loop {
        match *b.get(i)? {
            b'\\' if i + 1 < b.len() => i += 2,
            c if c == close => break,
            b'(' if close == b')' => return None,
            _ => i += 1,
        }
    }
    line_end(b, i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<(String, usize)> {
        definitions(text)
    }

    fn defined(text: &str) -> Vec<String> {
        definitions(text).into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn definitions_commonmark_reads() {
        for (text, want) in [
            ("[docs]: https://x\n", vec!["docs"]),
            ("> [docs]: https://x\n", vec!["docs"]),
            ("> > [docs]: https://x\n", vec!["docs"]),
            ("* a\n\n  > [docs]: https://x\n", vec!["docs"]),
            ("1. [docs]: https://x\n", vec!["docs"]),
            ("10. item\n\n    [docs]: https://x\n", vec!["docs"]),
            ("[docs]:\n  https://x\n", vec!["docs"]),
            ("[docs]:\nhttps://x\n\"title\"\n", vec!["docs"]),
            (
                "[docs]: https://x\n  'a title\n  over lines'\n",
                vec!["docs"],
            ),
            ("[docs]: <https://x y>\n", vec!["docs"]),
            ("[docs]: <>\n", vec!["docs"]),
            ("   [docs]: https://x\n", vec!["docs"]),
            ("[api\ndocs]: https://x\n", vec!["api\ndocs"]),
            ("[a]: /a\n[b]: /b 'b'\n[c]:\n/c\n", vec!["a", "b", "c"]),
            ("> [docs]:\nhttps://x\n", vec!["docs"]),
            ("[a\\]b]: /x\n", vec!["a\\]b"]),
            ("# Title\n[docs]: /x\n", vec!["docs"]),
            ("```\ncode\n```\n[docs]: /x\n", vec!["docs"]),
            ("<div>\nhtml\n\n[docs]: /x\n", vec!["docs"]),
            ("    code\n[docs]: /x\n", vec!["docs"]),
            ("* entry\n  continued\n\n[docs]: /x\n", vec!["docs"]),
            ("[docs]: /x 'title' \n", vec!["docs"]),
            ("[docs]: /url\n\"title\" ok\n", vec!["docs"]),
            ("[a]: /x\n===\n", vec!["a"]),
        ] {
            assert_eq!(defined(text), want, "{text:?}");
        }
    }

    #[test]
    fn what_commonmark_does_not_read_as_a_definition() {
        for text in [
            "    [docs]: https://x\n",
            "```\n[docs]: https://x\n```\n",
            "> ```\n> [docs]: https://x\n> ```\n",
            "* entry\n\n  ```\n  [docs]: https://x\n  ```\n",
            "* entry\n\n      [docs]: https://x\n",
            "Some text\n[docs]: https://x\n",
            "> Some text\n[docs]: https://x\n",
            "* entry\n  [docs]: https://x\n",
            "[docs]:\n\nhttps://x\n",
            "[docs]:\n",
            "[docs]: /url 'title' ok\n",
            "[docs]: <a\nb>\n",
            "[docs] : /url\n",
            "[]: /url\n",
            "[ ]: /url\n",
            "[a[b]: /url\n",
            "[docs]: (unbalanced\n",
            "<div>\n[docs]: https://x\n",
            "<!-- a comment\n[docs]: https://x\n-->\n",
            "<pre>\n[docs]: https://x\n</pre>\n",
            "<custom-tag>\n[docs]: https://x\n",
            "~~~\n[docs]: https://x\n",
            "Text\n    [docs]: https://x\n",
            "\t[docs]: https://x\n",
        ] {
            assert_eq!(defined(text), Vec::<String>::new(), "{text:?}");
        }
    }

    #[test]
    fn a_definition_is_found_after_the_block_that_hid_another() {
        // A type 7 HTML block cannot interrupt a paragraph: the tag is paragraph text.
        assert_eq!(defined("text\n<custom>\n[a]: /x\n"), Vec::<String>::new());
        // An HTML block of types 1-5 ends on its marker's line, a fence on its closer.
        assert_eq!(defined("<!-- c -->\n[a]: /x\n"), vec!["a"]);
        assert_eq!(defined("> ```\n> x\n[a]: /x\n"), vec!["a"]);
        // A list item ordered from 2 cannot interrupt a paragraph: its text is lazy.
        assert_eq!(defined("text\n2. [a]: /x\n"), Vec::<String>::new());
        assert_eq!(defined("text\n1. [a]: /x\n"), vec!["a"]);
        assert_eq!(
            labels("x\n\n> [a]: /x\n> [b]: /y\n"),
            [("a".into(), 2), ("b".into(), 3)]
        );
    }

    #[test]
    fn labels_match_as_commonmark_folds_them() {
        assert_eq!(label_key("ẞ"), label_key("SS"));
        assert_eq!(label_key("ß"), label_key("ss"));
        assert_eq!(label_key("  API\n  Docs "), label_key("api docs"));
        assert_eq!(label_key("ſ"), label_key("S"));
        assert_ne!(label_key("docs"), label_key("doc"));
    }
}
