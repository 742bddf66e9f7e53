//! Markdown blocks that are not the changelog's structure but change how it reads: HTML
//! comments and fenced code blocks (what they hold is neither a heading nor an entry), and
//! setext headings (which this reader does not take).

use super::parse::{Kind, Line, split_lines};

/// The fenced code blocks of `text` as the changelog reader sees them (what they hold is
/// neither a heading nor an entry).
pub fn code_blocks(text: &str) -> Vec<CodeBlock> {
    let lines = split_lines(text);
    let mut kinds: Vec<Kind<'_>> = lines
        .iter()
        .map(|l| super::parse::classify(&text[l.start..l.end]))
        .collect();
    mark_blocks(text, &lines, &mut kinds).blocks
}

/// What [`mark_blocks`] found open at the end of the text.
#[derive(Debug, Default)]
pub(crate) struct Unclosed {
    /// Lines of HTML comments that never close.
    pub(crate) comments: Vec<usize>,
    /// Lines of code fences that never close (at the top level: one in an entry ends with it).
    pub(crate) fences: Vec<usize>,
    /// Every code block, in order.
    pub(crate) blocks: Vec<CodeBlock>,
}

/// A fenced code block: its lines (0-based, both fences included), whether it is indented
/// under an entry, and its fence when it never closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    pub first: usize,
    pub last: usize,
    pub indented: bool,
    /// The opening fence (```` ``` ````, `~~~~`…) of a block that never closes.
    pub unclosed: Option<String>,
}

/// Mark the lines of HTML comments that start a line (after optional indentation) as
/// [`Kind::Comment`] and the lines of fenced code blocks as [`Kind::Code`], in document
/// order (a `<!--` inside a fence is code, a fence inside a comment is comment): what they
/// hold is neither headings nor entries, as it is where the changelog is published.
/// Comments that never close are left as text; a fence that never closes runs to the end
/// of the text (top level) or of the entry it is indented under, as CommonMark reads it.
pub(crate) fn mark_blocks(text: &str, lines: &[Line], kinds: &mut [Kind<'_>]) -> Unclosed {
    let mut unclosed = Unclosed::default();
    // An opener after the last `-->` never closes: no search (a file of openers stays linear).
    let last_close = text.rfind("-->");
    let mut i = 0;
    while i < lines.len() {
        let content = &text[lines[i].start..lines[i].end];
        let trimmed = content.trim_start();
        let indented = trimmed.len() != content.len();
        if let Some(fence) = fence_open(trimmed) {
            let mut last = i;
            let mut closed = false;
            let mut j = i + 1;
            while j < lines.len() {
                let line = &text[lines[j].start..lines[j].end];
                let inner = line.trim_start();
                // An indented fence belongs to the entry: an unindented line ends both.
                if indented && !inner.is_empty() && inner.len() == line.len() {
                    break;
                }
                last = j;
                if fence_close(inner, fence) {
                    closed = true;
                    break;
                }
                j += 1;
            }
            if !closed && !indented {
                unclosed.fences.push(i);
            }
            unclosed.blocks.push(CodeBlock {
                first: i,
                last,
                indented,
                unclosed: (!closed).then(|| char::from(fence.0).to_string().repeat(fence.1)),
            });
            for kind in &mut kinds[i..=last] {
                *kind = Kind::Code(indented);
            }
            i = last + 1;
            continue;
        }
        if !trimmed.starts_with("<!--") {
            i += 1;
            continue;
        }
        let open = lines[i].end - trimmed.len() + 4;
        let close = match last_close {
            Some(last) if last >= open => text[open..].find("-->"),
            _ => None,
        };
        match close {
            Some(c) => {
                let close = open + c;
                let last = lines
                    .partition_point(|l| l.next <= close)
                    .min(lines.len() - 1);
                for kind in &mut kinds[i..=last] {
                    *kind = Kind::Comment(indented);
                }
                i = last + 1;
            }
            None => {
                unclosed.comments.push(i);
                i += 1;
            }
        }
    }
    unclosed
}

/// Setext headings (a paragraph's last line over `===` or `---`): the line of the text and
/// the text. Not after an entry (there the line is a rule, not an underline).
pub(crate) fn setext_headings<'t>(
    text: &'t str,
    lines: &[Line],
    kinds: &[Kind<'t>],
) -> Vec<(usize, &'t str)> {
    let mut found = Vec::new();
    for i in 1..lines.len() {
        if kinds[i - 1] != Kind::Text || !matches!(kinds[i], Kind::Text | Kind::Bullet) {
            continue;
        }
        let under = &text[lines[i].start..lines[i].end];
        let indent = under.len() - under.trim_start_matches(' ').len();
        let marks = under.trim();
        let underline = indent <= 3
            && !marks.is_empty()
            && (marks.bytes().all(|b| b == b'=') || marks.bytes().all(|b| b == b'-'));
        if !underline {
            continue;
        }
        // The paragraph the text ends: it must not be an entry's lazy continuation.
        let mut first = i - 1;
        while first > 0 && kinds[first - 1] == Kind::Text {
            first -= 1;
        }
        if first > 0 && matches!(kinds[first - 1], Kind::Bullet | Kind::Indented) {
            continue;
        }
        found.push((i - 1, text[lines[i - 1].start..lines[i - 1].end].trim()));
    }
    found
}

/// An entry's source with what follows a fence that would close its last code block moved
/// to a line of its own (same indentation), where a renderer shows it: towncrier's
/// templates append the PR references to a fragment's last line, and a fragment ending with
/// a code block gets `` ``` ([#203](…)) `` — no closing fence, so the block runs on and the
/// link is shown as code. `None` when the entry has no such line.
pub fn unglue_closing_fence(raw: &str) -> Option<String> {
    // The blank lines an entry ends with are kept after it.
    let (raw, tail) = raw.split_at(raw.trim_end().len());
    let mut open: Option<(u8, usize)> = None;
    let mut glued: Option<(usize, usize)> = None;
    let mut offset = 0;
    for (n, line) in raw.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        let mut trimmed = content.trim_start();
        // The bullet's own line: a fragment that starts with its code block (`* ```toml`).
        if n == 0 {
            trimmed = trimmed
                .strip_prefix(['*', '-', '+'])
                .map_or(trimmed, str::trim_start);
        }
        glued = None;
        match open {
            None => open = fence_open(trimmed),
            Some(fence) if fence_close(trimmed, fence) => open = None,
            Some((c, n)) => {
                let run = trimmed.bytes().take_while(|&b| b == c).count();
                let rest = &trimmed[run..];
                if run >= n && rest.starts_with([' ', '\t']) {
                    let at = offset + (content.len() - trimmed.len()) + run;
                    glued = Some((at, offset + content.len() - trimmed.len()));
                }
            }
        }
        offset += line.len();
    }
    // Only on the entry's last line, inside a block still open: what a template appended.
    let Some((at, indent_end)) = glued else {
        return unglue_html_block(raw, tail);
    };
    let line_start = raw[..at].rfind('\n').map_or(0, |n| n + 1);
    let indent = &raw[line_start..indent_end];
    let rest = raw[at..].trim();
    Some(format!("{}\n{indent}{rest}{tail}", raw[..at].trim_end()))
}

/// Whether `line` starts a CommonMark HTML block of type 6 (a block-level tag, opening or
/// closing, at most three spaces in): it runs to the next blank line.
pub fn starts_html_block(line: &str) -> bool {
    const BLOCK_TAGS: &[&str] = &[
        "address",
        "article",
        "aside",
        "base",
        "basefont",
        "blockquote",
        "body",
        "caption",
        "center",
        "col",
        "colgroup",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frame",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "iframe",
        "legend",
        "li",
        "link",
        "main",
        "menu",
        "menuitem",
        "nav",
        "noframes",
        "ol",
        "optgroup",
        "option",
        "p",
        "param",
        "search",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "track",
        "ul",
    ];
    let indent = line.len() - line.trim_start_matches(' ').len();
    let Some(tag) = line[indent..].strip_prefix('<') else {
        return false;
    };
    if indent > 3 {
        return false;
    }
    let tag = tag.strip_prefix('/').unwrap_or(tag);
    let name: String = tag
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let after = tag[name.len()..].chars().next();
    BLOCK_TAGS.contains(&name.as_str())
        && after
            .is_none_or(|c| c == '>' || c.is_whitespace() || tag[name.len()..].starts_with("/>"))
}

/// The HTML block case of [`unglue_closing_fence`]: an entry holding an HTML block
/// (`<details>` at the start of a line) whose last line is a tag with text glued after it
/// (`</details> ([#203](…))`). An HTML block runs to the next blank line, so the text is
/// moved below a blank line, at the entry's indentation, where it renders as Markdown.
fn unglue_html_block(raw: &str, tail: &str) -> Option<String> {
    let last = raw.lines().next_back()?;
    if !raw.lines().skip(1).any(starts_html_block) {
        return None;
    }
    let trimmed = last.trim_start();
    if !trimmed.starts_with('<') {
        return None;
    }
    let close = trimmed.rfind('>')?;
    let rest = trimmed[close + 1..].trim();
    if rest.is_empty() || rest.contains(['<', '>']) {
        return None;
    }
    // The closing tag's own line is a continuation line of the entry: its indentation (a
    // bullet's, two spaces, when it stands at the margin: below a blank line the reference
    // must stay inside the entry).
    let indent = match &last[..last.len() - trimmed.len()] {
        "" => "  ",
        own => own,
    };
    let at = raw.len() - trimmed.len() + close + 1;
    Some(format!("{}\n\n{indent}{rest}{tail}", raw[..at].trim_end()))
}

/// A code fence's opening (its character and length) when `trimmed` starts one: three or
/// more backticks (whose info string holds no backtick) or tildes.
fn fence_open(trimmed: &str) -> Option<(u8, usize)> {
    let c = *trimmed.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = trimmed.bytes().take_while(|&b| b == c).count();
    (n >= 3 && !(c == b'`' && trimmed[n..].contains('`'))).then_some((c, n))
}

/// Whether `trimmed` closes a fence opened with `fence`: at least as many of the same
/// character, then only spaces.
fn fence_close(trimmed: &str, (c, n): (u8, usize)) -> bool {
    let run = trimmed.bytes().take_while(|&b| b == c).count();
    run >= n && trimmed[run..].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_glued_to_an_html_block_get_a_paragraph_of_their_own() {
        let raw = "* Add the dashboard.\n\n  <details>\n  <summary>Shot</summary>\n  </details> ([#203](u/203))\n";
        assert_eq!(
            unglue_closing_fence(raw).as_deref(),
            Some(
                "* Add the dashboard.\n\n  <details>\n  <summary>Shot</summary>\n  </details>\n\n  ([#203](u/203))\n"
            )
        );
        // Inline HTML in a paragraph is no HTML block: unchanged.
        assert_eq!(unglue_closing_fence("* Add <b>x</b> ([#1](u/1))"), None);
        assert_eq!(unglue_closing_fence("* a\n  <b>x</b> (#1)"), None);
    }

    #[test]
    fn references_glued_to_a_closing_fence_get_a_line_of_their_own() {
        let raw = "* Add the option:\n\n  ```toml\n  timeout = 5\n  ``` ([#203](u/203))";
        assert_eq!(
            unglue_closing_fence(raw).as_deref(),
            Some("* Add the option:\n\n  ```toml\n  timeout = 5\n  ```\n  ([#203](u/203))")
        );
        // A fragment that starts with its code block: the fence on the bullet's line.
        assert_eq!(
            unglue_closing_fence("* ```toml\n  timeout = 5\n  ``` ([#203](u/203))").as_deref(),
            Some("* ```toml\n  timeout = 5\n  ```\n  ([#203](u/203))")
        );
        // A block that closes, a fence inside a longer one, text after a block: unchanged.
        assert_eq!(unglue_closing_fence("* a\n  ```\n  x\n  ```\n  (#1)"), None);
        assert_eq!(unglue_closing_fence("* a\n  ````\n  ``` x\n  more"), None);
        assert_eq!(unglue_closing_fence("* a ``` b (#1)"), None);
        assert_eq!(
            unglue_closing_fence("* a\n  ```\n  x\n  ``` (#1)\n\n").as_deref(),
            Some("* a\n  ```\n  x\n  ```\n  (#1)\n\n")
        );
        assert_eq!(
            unglue_closing_fence("* a\n  ~~~~\n  x\n  ~~~~~\t(#1)").as_deref(),
            Some("* a\n  ~~~~\n  x\n  ~~~~~\n  (#1)")
        );
    }
}
