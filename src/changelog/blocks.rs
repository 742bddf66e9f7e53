//! Markdown blocks that are not the changelog's structure but change how it reads: HTML
//! comments and fenced code blocks (what they hold is neither a heading nor an entry), and
//! setext headings (which this reader does not take).

use super::html::{html_opener, html_tag_line, starts_html_block};
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
    /// Whether the block stands in a block quote or a list item of its own: it ends with
    /// that container at the latest, which a release heading after the text ends (fenced
    /// code takes no lazy continuation), so it never swallows what follows the text.
    pub contained: bool,
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
    let mut items = Items::default();
    let mut i = 0;
    while i < lines.len() {
        let content = &text[lines[i].start..lines[i].end];
        let trimmed = content.trim_start();
        let indented = trimmed.len() != content.len();
        if let Some((fence, containers)) = fence_start(content, items.line(content)) {
            // In an entry: on its bullet's line, or on a line indented under it.
            let in_entry = kinds[i] == Kind::Bullet || indented;
            let mut last = i;
            let mut closed = false;
            let mut j = i + 1;
            while j < lines.len() {
                let line = &text[lines[j].start..lines[j].end];
                // A line that does not continue the fence's containers (a block quote's
                // `>`, a list item's indentation) ends them and the block with them.
                let Some(inner) = Container::continued(&containers, line) else {
                    break;
                };
                last = j;
                if fence_close(inner, fence) {
                    closed = true;
                    break;
                }
                j += 1;
            }
            // Only a block that runs to the end of the text swallows the rest; one in a block
            // quote or a list item ends with it, which whatever follows the text (a release
            // heading) ends.
            let swallows = !closed && j == lines.len();
            let contained = containers
                .iter()
                .any(|c| matches!(c, Container::Quote | Container::Item(_)));
            if swallows && !in_entry && !contained {
                unclosed.fences.push(i);
            }
            unclosed.blocks.push(CodeBlock {
                first: i,
                last,
                indented: in_entry,
                unclosed: (!closed && (in_entry || swallows))
                    .then(|| char::from(fence.0).to_string().repeat(fence.1)),
                contained,
            });
            // The bullet's own line stays the entry's first.
            let from = if kinds[i] == Kind::Bullet { i + 1 } else { i };
            for kind in &mut kinds[from..=last] {
                *kind = Kind::Code(in_entry);
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

/// Setext headings (a paragraph's last line over `===` or `---`): the line of the text, the
/// text and the level (`=`: 1, `-`: 2). Not after an entry (there the line is a rule, not
/// an underline).
pub(crate) fn setext_headings<'t>(
    text: &'t str,
    lines: &[Line],
    kinds: &[Kind<'t>],
) -> Vec<(usize, &'t str, usize)> {
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
        let level = if marks.starts_with('=') { 1 } else { 2 };
        found.push((
            i - 1,
            text[lines[i - 1].start..lines[i - 1].end].trim(),
            level,
        ));
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
    let mut open: Option<((u8, usize), Vec<Container>)> = None;
    let mut glued: Option<(usize, usize)> = None;
    let mut offset = 0;
    let mut items = Items::default();
    for line in raw.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        glued = None;
        // A line that does not continue the open block's containers ends it.
        let inner = open
            .as_ref()
            .and_then(|(_, containers)| Container::continued(containers, content));
        match (&open, inner) {
            (Some((fence, _)), Some(inner)) => {
                let trimmed = inner.trim_start();
                let (c, n) = *fence;
                if fence_close(inner, *fence) {
                    open = None;
                } else {
                    let run = trimmed.bytes().take_while(|&b| b == c).count();
                    let rest = &trimmed[run..];
                    if fence_indent_ok(inner) && run >= n && rest.starts_with([' ', '\t']) {
                        let indent_end = offset + (content.len() - trimmed.len());
                        glued = Some((indent_end + run, indent_end));
                    }
                }
            }
            _ => {
                // The bullet's own line (a fragment that starts with its code block, `*
                // ```toml`), a block quote, a list item: the fence after its containers.
                open = fence_start(content, items.line(content));
            }
        }
        offset += line.len();
    }
    // Only on the entry's last line, inside a block still open: what a template appended.
    let Some((at, indent_end)) = glued else {
        return unglue_html_block(raw, tail).or_else(|| unglue_swallowed(raw, tail));
    };
    let line_start = raw[..at].rfind('\n').map_or(0, |n| n + 1);
    let indent = &raw[line_start..indent_end];
    let rest = raw[at..].trim();
    Some(format!("{}\n{indent}{rest}{tail}", raw[..at].trim_end()))
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

/// A block whose last line swallows what follows on that line: a reference a template
/// glued there is code or raw HTML, never a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swallowing {
    /// An indented code block (four columns past its container): the whole line is code.
    IndentedCode,
    /// An HTML block of CommonMark's types 1–5 (`<pre>`, `<script>`, `<style>`,
    /// `<textarea>`, `<!--`, `<?`, `<!DOCTYPE`, `<![CDATA[`), opened by this text: it runs
    /// to the end of the line holding its end marker.
    Html(&'static str),
    /// A GFM table's last row, where what follows its last pipe is a cell past the
    /// header's: GFM drops it.
    TableCell,
    /// An HTML block of CommonMark's type 6 (a block-level tag) or 7 (any other tag alone
    /// on its line, not in a paragraph): it runs to a blank line, every line of it HTML.
    HtmlToBlank,
}

impl std::fmt::Display for Swallowing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Swallowing::IndentedCode => f.write_str("an indented code block"),
            Swallowing::Html(open) => write!(f, "the HTML block `{open}…`"),
            Swallowing::TableCell => {
                f.write_str("a table (past the header's cells, which GFM drops)")
            }
            Swallowing::HtmlToBlank => {
                f.write_str("an HTML block (a tag on its own line: it runs to a blank line)")
            }
        }
    }
}

/// The block that the last line of an entry's source (`raw`, as the changelog holds it)
/// ends, when it swallows the rest of that line, and the byte offset in `raw` where what
/// it swallows starts: the end of an HTML block's end marker, or an indented code line's
/// text, or the start of a type 6 or 7 HTML block's line. `None` for a paragraph, a fenced
/// block (see [`unglue_closing_fence`]), or an HTML block of types 1–5 never closed
/// (refused as such).
pub fn swallowed_tail(raw: &str) -> Option<(Swallowing, usize)> {
    let raw = raw.trim_end();
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        lines.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    let last = lines.len().checked_sub(1)?;
    if code_blocks(raw)
        .iter()
        .any(|b| b.first <= last && last <= b.last)
    {
        return None;
    }
    let col = entry_column(lines[0].1);
    // Each line's content inside the entry and its block quotes, and where it starts.
    let inner: Vec<(usize, &str)> = lines
        .iter()
        .enumerate()
        .map(|(k, &(start, line))| {
            let rest = if k == 0 {
                skip_columns(line, col).trim_start_matches(['*', '-', '+'])
            } else {
                skip_columns(line, col)
            };
            let rest = if k == 0 { rest.trim_start() } else { rest };
            let rest = strip_quotes(rest);
            (start + line.len() - rest.len(), rest)
        })
        .collect();
    let blank = |k: usize| inner[k].1.trim().is_empty();
    // HTML blocks of types 1–5, in order (one may open and close on a line).
    let mut open: Option<(&'static str, &'static [&'static str])> = None;
    for (k, &(start, content)) in inner.iter().enumerate() {
        let mut from = 0;
        if open.is_none() {
            let (indent, ws) = leading_columns(content);
            if indent > 3 {
                continue;
            }
            if let Some((name, ends, skip)) = html_opener(&content[ws..]) {
                open = Some((name, ends));
                from = ws + skip;
            }
        }
        let Some((name, ends)) = open else { continue };
        let lower = content[from..].to_ascii_lowercase();
        let end = ends
            .iter()
            .filter_map(|e| lower.find(e).map(|p| p + e.len()))
            .min();
        if let Some(end) = end {
            open = None;
            if k == last {
                return Some((Swallowing::Html(name), start + from + end));
            }
        }
    }
    // (Not inside a block of types 1–5 never closed: refused as such.)
    if let Some(from) = html_to_blank(&inner, last).filter(|_| open.is_none()) {
        return Some((Swallowing::HtmlToBlank, from));
    }
    if let Some(from) = table_excess(&inner, last) {
        return Some((Swallowing::TableCell, from));
    }
    // An indented code block: four columns past the innermost list item (the entry, or a
    // sub-item written in it: `10. ` takes four columns), below a blank line (a
    // paragraph's line continues the paragraph however far it is indented).
    let mut items = Items::default();
    let sub: Vec<usize> = lines
        .iter()
        .zip(&inner)
        .map(|(&(_, line), &(_, content))| {
            let item = items.line(line).unwrap_or(col);
            // (Sub-items are followed outside block quotes only.)
            let quoted = skip_columns(line, col).len() != content.len();
            if quoted { 0 } else { item.saturating_sub(col) }
        })
        .collect();
    let code = |k: usize| !blank(k) && leading_columns(inner[k].1).0 >= sub[k] + 4;
    if last == 0 || !code(last) {
        return None;
    }
    let mut k = last;
    while k > 1 && code(k - 1) {
        k -= 1;
    }
    let (start, content) = inner[last];
    blank(k - 1).then(|| {
        let ws = content.len() - content.trim_start().len();
        (Swallowing::IndentedCode, start + ws)
    })
}

/// Where line `last` of `inner` (each line's offset in the entry and content) starts when
/// it is in an HTML block of type 6 or 7, which runs to a blank line: opened on a line of
/// its run of lines at most three columns in, by a block-level tag (type 6, which may
/// interrupt a paragraph) or, on the run's first line, by any tag alone on its line.
fn html_to_blank(inner: &[(usize, &str)], last: usize) -> Option<usize> {
    let first = (0..=last)
        .rev()
        .find(|&k| k == 0 || inner[k - 1].1.trim().is_empty())?;
    let opens = |k: usize| {
        let (cols, ws) = leading_columns(inner[k].1);
        let content = &inner[k].1[ws..];
        cols <= 3
            && html_opener(content).is_none()
            && (starts_html_block(content) || (k == first && html_tag_line(content)))
    };
    (first..=last).any(opens).then(|| {
        let (start, content) = inner[last];
        start + content.len() - content.trim_start().len()
    })
}

/// Where a cell past the header's starts on line `last` of `inner` (each line's offset in
/// the entry and content) when that line is a GFM table's row: below a delimiter row (`|
/// --- | :-: |`) in the same run of lines, text after its last pipe with as many cells
/// before it as the header has.
fn table_excess(inner: &[(usize, &str)], last: usize) -> Option<usize> {
    let cells = |row: &str| -> Option<usize> {
        let row = row.trim();
        let row = row.strip_prefix('|').unwrap_or(row);
        let row = row.strip_suffix('|').unwrap_or(row);
        let parts: Vec<&str> = row.split('|').map(str::trim).collect();
        parts
            .iter()
            .all(|c| {
                let c = c.strip_prefix(':').unwrap_or(c);
                let c = c.strip_suffix(':').unwrap_or(c);
                !c.is_empty() && c.bytes().all(|b| b == b'-')
            })
            .then_some(parts.len())
    };
    let mut header = None;
    let mut k = last;
    while k > 1 && !inner[k - 1].1.trim().is_empty() {
        k -= 1;
        if inner[k].1.contains('|') && !inner[k - 1].1.trim().is_empty() {
            header = header.or_else(|| cells(inner[k].1));
        }
    }
    let header = header?;
    let (start, row) = inner[last];
    let row_start = row.len() - row.trim_start().len();
    let body = row[row_start..]
        .strip_prefix('|')
        .unwrap_or(&row[row_start..]);
    // Unescaped pipes (`\|` is a pipe in a cell's text).
    let pipes: Vec<usize> = body
        .char_indices()
        .filter(|&(i, c)| c == '|' && !body[..i].ends_with('\\'))
        .map(|(i, _)| i)
        .collect();
    let after = *pipes.last()? + 1;
    let from = row.len() - body.len() + after;
    (pipes.len() >= header && !row[from..].trim().is_empty()).then_some(start + from)
}

/// The column an entry's content starts at: its bullet's marker and the spaces after it
/// (one when it is followed by more than four, as CommonMark reads it).
fn entry_column(first: &str) -> usize {
    let (cols, ws) = leading_columns(first);
    let Some(marker) = list_marker(&first[ws..]) else {
        return cols;
    };
    let (spaces, _) = leading_columns(&first[ws + marker..]);
    cols + marker + if spaces == 0 || spaces > 4 { 1 } else { spaces }
}

/// `text` without the block quote markers it starts with (`>` after at most three columns,
/// and one space after it).
fn strip_quotes(mut text: &str) -> &str {
    loop {
        let (cols, ws) = leading_columns(text);
        match text[ws..].strip_prefix('>') {
            Some(rest) if cols <= 3 => text = rest.strip_prefix(' ').unwrap_or(rest),
            _ => return text,
        }
    }
}

/// The case of [`unglue_closing_fence`] for the blocks [`swallowed_tail`] finds: the
/// references a template glued to the block's last line are moved below a blank line, at
/// the entry's content column, where they are a paragraph of the entry.
fn unglue_swallowed(raw: &str, tail: &str) -> Option<String> {
    let (kind, at) = swallowed_tail(raw)?;
    let indent = " ".repeat(entry_column(raw.lines().next()?).max(1));
    let cut = match kind {
        Swallowing::Html(_) | Swallowing::TableCell => at,
        Swallowing::IndentedCode | Swallowing::HtmlToBlank => {
            let line = &raw[at..];
            let (end, prs) = super::refs::trailing_refs(line);
            if prs.is_empty() {
                return None;
            }
            at + end
        }
    };
    let rest = raw[cut..].trim().trim_start_matches(',').trim_start();
    if rest.is_empty() || rest.starts_with('<') {
        return None;
    }
    Some(format!("{}\n\n{indent}{rest}{tail}", raw[..cut].trim_end()))
}

/// A container a fenced code block may stand in, as CommonMark nests them: what a line
/// inside the block must start with to continue it. A line that does not ends the
/// container, and the block with it (a code block has no lazy continuation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    /// A block quote: `>` (after at most three spaces), and one space after it.
    Quote,
    /// A list item whose marker is on the fence's line: its content's column (`* ` → 2,
    /// `10. ` → 4, with the indentation before the marker); a blank line continues it.
    Item(usize),
    /// Indentation before the fence or a quote on a line without a marker: a list item
    /// (an entry) opened on an earlier line, whose content's column is not known here
    /// ([`Items`] did not follow it); a line indented less than `n - 3` (and at least one
    /// space) cannot continue it.
    Indent(usize),
}

/// The list items the lines read so far stand in, by content column (a lazy line ends
/// them): the item a line without a marker of its own stands in, an entry opened on an
/// earlier line, whose content column a fence is measured from (see [`Container::Indent`]).
#[derive(Debug, Default)]
struct Items(Vec<usize>);

impl Items {
    /// The content column of the innermost item `line` stands in; then the item it opens.
    fn line(&mut self, line: &str) -> Option<usize> {
        let (cols, ws) = leading_columns(line);
        if ws == line.len() {
            return self.0.last().copied();
        }
        while self.0.last().is_some_and(|&c| c > cols) {
            self.0.pop();
        }
        let known = self.0.last().copied();
        if cols <= known.unwrap_or(0) + 3
            && let Some(marker) = list_marker(&line[ws..])
        {
            let (spaces, bytes) = leading_columns(&line[ws + marker..]);
            let wide = spaces > 4 || ws + marker + bytes == line.len();
            self.0.push(cols + marker + if wide { 1 } else { spaces });
        }
        known
    }
}

impl Container {
    /// The containers `line` stands in before its content, and the byte offset where that
    /// content starts: indentation, block quote markers and list markers, in any nesting.
    /// Also the columns of indentation before the content past its last container (0 when
    /// that container is an [`Container::Indent`], whose content column is not known here).
    /// `item`: the content column of the list item the line stands in, when known
    /// ([`Items`]): the line's first container, its content measured from that column.
    fn opened_by(line: &str, item: Option<usize>) -> (Vec<Container>, usize, usize) {
        let bytes = line.as_bytes();
        let mut containers = Vec::new();
        let mut at = 0;
        if let Some(col) = item.filter(|&c| c > 0 && leading_columns(line).0 >= c) {
            containers.push(Container::Item(col));
            at = line.len() - skip_columns(line, col).len();
        }
        loop {
            let (cols, ws) = leading_columns(&line[at..]);
            let after = at + ws;
            // Four columns past a known container's content: indented code, no container.
            if cols > 3 && !containers.is_empty() {
                return (containers, after, cols);
            }
            if bytes.get(after) == Some(&b'>') {
                if cols > 0 && containers.is_empty() {
                    containers.push(Container::Indent(cols));
                }
                containers.push(Container::Quote);
                at = after + 1;
                if bytes.get(at) == Some(&b' ') {
                    at += 1;
                }
                continue;
            }
            if let Some(marker) = list_marker(&line[after..]) {
                let (spaces, space_bytes) = leading_columns(&line[after + marker..]);
                let rest = after + marker + space_bytes;
                // Five spaces or more after the marker (or none, at the line's end): one is
                // the marker's, the rest indent the content (CommonMark's indented code).
                let wide = spaces > 4 || rest == line.len();
                let spaces = if wide { 1 } else { spaces };
                containers.push(Container::Item(cols + marker + spaces));
                at = if wide {
                    (after + marker + 1).min(line.len())
                } else {
                    rest
                };
                continue;
            }
            if cols > 0 && containers.is_empty() {
                containers.push(Container::Indent(cols));
                return (containers, after, 0);
            }
            return (containers, after, cols);
        }
    }

    /// What of `line` is inside `containers` (opened by [`Container::opened_by`]): `None`
    /// when the line does not continue them.
    fn continued<'l>(containers: &[Container], line: &'l str) -> Option<&'l str> {
        let mut rest = line;
        for c in containers {
            let (cols, ws) = leading_columns(rest);
            match *c {
                Container::Quote => {
                    if cols > 3 {
                        return None;
                    }
                    rest = rest[ws..].strip_prefix('>')?;
                    rest = rest.strip_prefix(' ').unwrap_or(rest);
                }
                Container::Item(n) | Container::Indent(n) => {
                    // A blank line continues a list item (not a block quote inside it).
                    if rest.trim().is_empty() {
                        rest = "";
                        continue;
                    }
                    let need = match *c {
                        Container::Item(_) => n,
                        _ => n.saturating_sub(3).max(1),
                    };
                    if cols < need {
                        return None;
                    }
                    rest = skip_columns(rest, n);
                }
            }
        }
        Some(rest)
    }
}

/// The columns of `text`'s leading spaces and tabs (a tab to the next multiple of four) and
/// their bytes.
fn leading_columns(text: &str) -> (usize, usize) {
    let mut cols = 0;
    let mut bytes = 0;
    for b in text.bytes() {
        match b {
            b' ' => cols += 1,
            b'\t' => cols += 4 - cols % 4,
            _ => break,
        }
        bytes += 1;
    }
    (cols, bytes)
}

/// `text` without up to `n` columns of its leading spaces and tabs.
fn skip_columns(text: &str, n: usize) -> &str {
    let mut cols = 0;
    for (i, b) in text.bytes().enumerate() {
        if cols >= n {
            return &text[i..];
        }
        match b {
            b' ' => cols += 1,
            b'\t' => cols += 4 - cols % 4,
            _ => return &text[i..],
        }
    }
    ""
}

/// The length of the list marker `text` starts with (`-`, `*`, `+`, or one to nine digits
/// and `.` or `)`), when one follows: a space, a tab or the line's end after it.
pub(super) fn list_marker(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let len = match bytes.first()? {
        b'-' | b'*' | b'+' => 1,
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 9 || !matches!(bytes.get(digits), Some(b'.' | b')')) {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    matches!(bytes.get(len), None | Some(b' ' | b'\t')).then_some(len)
}

/// The fence `line` opens (its character and length) and the containers it stands in:
/// at most three columns past its last container, as for a closing fence
/// ([`fence_indent_ok`]); further in, it is an indented code block's text.
fn fence_start(line: &str, item: Option<usize>) -> Option<((u8, usize), Vec<Container>)> {
    let (containers, at, indent) = Container::opened_by(line, item);
    if indent > 3 {
        return None;
    }
    fence_open(&line[at..]).map(|fence| (fence, containers))
}

/// A code fence's opening (its character and length) when `trimmed` starts one: three or
/// more backticks (whose info string holds no backtick) or tildes.
pub(super) fn fence_open(trimmed: &str) -> Option<(u8, usize)> {
    let c = *trimmed.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = trimmed.bytes().take_while(|&b| b == c).count();
    (n >= 3 && !(c == b'`' && trimmed[n..].contains('`'))).then_some((c, n))
}

/// Whether `inner` (a line's content inside the fence's containers) may be a fence: at most
/// three columns of indentation past its container's content, as CommonMark allows for an
/// opening and a closing fence alike (`    ```` is code text, not a fence).
fn fence_indent_ok(inner: &str) -> bool {
    leading_columns(inner).0 <= 3
}

/// Whether `inner` (a line's content inside the fence's containers) closes a fence opened
/// with `fence`: at most three columns in, at least as many of the same character, then
/// only spaces.
fn fence_close(inner: &str, (c, n): (u8, usize)) -> bool {
    if !fence_indent_ok(inner) {
        return false;
    }
    let trimmed = inner.trim_start();
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

    /// hx9's leftover: an HTML block of type 6 (a block-level tag, which may interrupt a
    /// paragraph) or 7 (any tag alone on its line, not in a paragraph) runs to a blank
    /// line, whatever its last line ends with: references glued to that line are the
    /// block's text, never a link (markdown-it renders `([#1](u/1))` as written). They get a
    /// paragraph of their own; a tag inside a paragraph is inline HTML, left alone.
    #[test]
    fn references_glued_to_an_html_block_that_ends_at_a_blank_line() {
        let kind = |raw: &str| swallowed_tail(raw).map(|(k, _)| k);
        for raw in [
            "* entry\n\n  <div class=x>\n  text ([#1](u/1))",
            "* entry\n  <div>\n  text ([#1](u/1))",
            "* entry\n\n  <span>\n  text ([#1](u/1))",
            "* <div>\n  text ([#1](u/1))",
            "* entry\n\n  > <div>\n  > text ([#1](u/1))",
        ] {
            assert_eq!(kind(raw), Some(Swallowing::HtmlToBlank), "{raw:?}");
            let fixed = unglue_closing_fence(raw).expect(raw);
            let (kept, moved) = fixed.split_once("\n\n  ([#1](u/1))").expect(&fixed);
            assert!(
                moved.is_empty() && raw.starts_with(kept),
                "{raw:?}: {fixed:?}"
            );
        }
        for raw in [
            "* entry\n  <span>\n  text ([#1](u/1))",
            "* entry\n\n  <div>\n\n  text ([#1](u/1))",
            "* entry <div> ([#1](u/1))",
            "* entry\n\n      <div>\n      text ([#1](u/1))",
        ] {
            assert_ne!(kind(raw), Some(Swallowing::HtmlToBlank), "{raw:?}");
        }
    }

    /// hx9's leftover: a paragraph of a sub-item written by hand (`10. item`, a list
    /// nested in a list) is measured from that item's content column, not the entry's: it
    /// is no indented code, and a reference on its last line is a link (markdown-it renders
    /// each as one), neither moved nor refused. Four columns past the sub-item is code.
    #[test]
    fn a_sub_items_paragraph_is_no_indented_code() {
        let kind = |raw: &str| swallowed_tail(raw).map(|(k, _)| k);
        for raw in [
            "* entry\n\n  10. item\n\n      para ([#1](u/1))",
            "* entry\n\n  - a\n\n    - b\n\n      para ([#1](u/1))",
            "10. entry\n\n    100. item\n\n         para ([#1](u/1))",
        ] {
            assert_eq!(kind(raw), None, "{raw:?}");
            assert_eq!(unglue_closing_fence(raw), None, "{raw:?}");
        }
        let raw = "* entry\n\n  10. item\n\n          code ([#1](u/1))";
        assert_eq!(kind(raw), Some(Swallowing::IndentedCode));
    }

    /// The lines each code block of `text` holds.
    fn spans(text: &str) -> Vec<(usize, usize)> {
        code_blocks(text)
            .iter()
            .map(|b| (b.first, b.last))
            .collect()
    }

    #[test]
    fn a_fence_is_read_in_every_container_commonmark_allows() {
        // A block quote, at the margin and in an entry; a list item's own line, nested at
        // any depth, ordered; both nested either way. Each block closes on its line 2.
        for text in [
            "> ```toml\n> x = 1\n> ```\n",
            ">```\n>x\n>```\n",
            "* a\n\n  > ```toml\n  > x = 1\n  > ```\n",
            "* a\n  - b\n    - ```\n      x\n      ```\n",
            "* a\n  1. ```\n     x\n     ```\n",
            "* a\n  > - ```\n  >   x\n  >   ```\n",
            "> * ```\n>   x\n>   ```\n",
            "> > ~~~\n> > x\n> > ~~~\n",
        ] {
            let lines: Vec<&str> = text.lines().collect();
            let first = lines
                .iter()
                .position(|l| l.contains("```") || l.contains("~~~"));
            let first = first.unwrap();
            assert_eq!(spans(text), [(first, first + 2)], "{text:?}");
            // The link glued to the closing fence is moved, inside the same containers.
            let glued = format!("{} ([#7](u/7))", text.trim_end());
            let fixed = unglue_closing_fence(&glued).unwrap_or_else(|| panic!("{glued:?}"));
            assert_eq!(
                code_blocks(&fixed).iter().map(|b| b.last).max(),
                Some(first + 2),
                "{fixed:?}"
            );
            // On a line of its own, in the containers of the fence.
            let (containers, _, _) = Container::opened_by(lines[first], None);
            let last = fixed.lines().last().unwrap();
            let inner = Container::continued(&containers, last);
            assert_eq!(inner.map(str::trim_start), Some("([#7](u/7))"), "{fixed:?}");
        }
        // A line that does not continue the container ends the block with it: the quote's
        // end, an item's end (less indented than its content), a blank line after a quote.
        assert_eq!(spans("> ```\n> x\ny\n\nz\n"), [(0, 1)]);
        assert_eq!(spans("> ```\n> x\n\n> y\n"), [(0, 1)]);
        assert_eq!(spans("* a\n  - ```\n    x\n  - y\n"), [(1, 2)]);
        assert_eq!(spans("* ```\n  x\ny\n"), [(0, 1)]);
        // A quote's block ended by the quote does not swallow the rest; one at the margin
        // that runs to the end does.
        assert_eq!(code_blocks("> ```\n> x\n\ny\n")[0].unclosed, None);
        assert_eq!(
            code_blocks("> ```\n> x\n")[0].unclosed.as_deref(),
            Some("```")
        );
        // It runs to the end of the text, but in its quote or list item, which whatever
        // follows the text ends: it swallows nothing after the text.
        for (text, contained) in [
            ("> ```\n> x\n", true),
            ("- ```\n  x\n", true),
            ("```\nx\n", false),
        ] {
            let lines = split_lines(text);
            let mut kinds: Vec<Kind<'_>> = lines
                .iter()
                .map(|l| super::super::parse::classify(&text[l.start..l.end]))
                .collect();
            let unclosed = mark_blocks(text, &lines, &mut kinds);
            assert_eq!(unclosed.blocks[0].contained, contained, "{text:?}");
            assert_eq!(unclosed.fences.is_empty(), contained, "{text:?}");
        }
        // Not fences: a marker glued to its text, inline code, a fence inside a longer one.
        assert!(spans("*```\nx\n").is_empty());
        assert!(spans("> a ``` b\n").is_empty());
        assert_eq!(spans("> ````\n> ```\n> x\n> ````\n"), [(0, 3)]);
    }

    /// CommonMark's one rule for a fence's indentation, opener and closer alike: at most
    /// three columns past its container's content; four or more is code text.
    #[test]
    fn a_fence_is_at_most_three_columns_in() {
        // A closer four columns in closes nothing: at the margin the block runs to the end.
        let top = code_blocks("```\ncode\n    ```\n\n## 1.3.0\n");
        assert_eq!(top[0].last, 4);
        assert_eq!(top[0].unclosed.as_deref(), Some("```"));
        assert_eq!(spans("```\ncode\n   ```\n\n## 1.3.0\n"), [(0, 2)]);
        // In an entry, relative to its fence: ends with the entry.
        assert_eq!(spans("* a\n\n  ```\n  x\n      ```\n  y\n"), [(2, 5)]);
        assert_eq!(spans("* a\n\n  ```\n  x\n     ```\n  y\n"), [(2, 4)]);
        // In a quote, past its `> `; in a list item, past its content's column.
        assert_eq!(spans("> ```\n> x\n>     ```\n> ```\n"), [(0, 3)]);
        assert_eq!(spans("- ```\n  x\n      ```\n  ```\n"), [(0, 3)]);
        assert_eq!(spans("- ```\n  x\n     ```\n  y\n"), [(0, 2)]);
        // An opener four columns past a quote's or an item's content is code text.
        assert!(spans(">     ```\n> x\n").is_empty());
        assert!(spans("-      ```\n  x\n").is_empty());
        // A link glued to a "closer" four columns in is not moved: it is in the block.
        assert_eq!(
            unglue_closing_fence("* a\n\n  ```\n  x\n      ``` ([#1](u/1))"),
            None
        );
    }

    /// hx9's leftover: a fence on a line of its own under an entry (or a sub-item) stands in
    /// that list item, and its closer is measured from the item's content column, not from
    /// the fence: a "closer" four columns into the item is code text (markdown-it renders
    /// `  ```` and `still code` inside the block), an opener four columns in is no fence.
    #[test]
    fn a_fence_under_an_entry_is_measured_from_the_entry() {
        let text = "* entry\n\n    ```\n    code\n      ```\n  still code\n  ```\n";
        assert_eq!(spans(text), [(2, 6)]);
        let text = "* a\n  * b\n\n      ```\n      x\n        ```\n      y\n    ```\n";
        assert_eq!(spans(text), [(3, 7)]);
        let text = "* a\n  * b\n\n      ```\n      x\n       ```\n      y\n";
        assert_eq!(spans(text), [(3, 5)]);
        assert_eq!(spans("* a\n  > ```\n  >     ```\n  > ```\n"), [(1, 3)]);
        assert!(spans("* a\n\n      ```\n      x\n").is_empty());
        // A quote four columns into its item is indented code, no quote; a blank line
        // ends a quote inside an item (and the fence in it), not the item.
        assert!(spans("10. entry\n\n        > ```\n        > x\n").is_empty());
        assert_eq!(
            spans("* a\n  > ```\n  > x\n\n  ## x\n  > ```\n"),
            [(1, 2), (5, 5)]
        );
        assert_eq!(
            unglue_closing_fence("* a\n\n    ```\n    x\n      ``` ([#1](u/1))"),
            None
        );
        assert_eq!(
            unglue_closing_fence("* a\n\n    ```\n    x\n  ``` ([#1](u/1))").as_deref(),
            Some("* a\n\n    ```\n    x\n  ```\n  ([#1](u/1))")
        );
    }

    /// The blocks that swallow the rest of their last line, and what does not.
    #[test]
    fn what_swallows_the_rest_of_a_line_is_told_apart() {
        let kind = |raw: &str| swallowed_tail(raw).map(|(k, _)| k);
        let code = Some(Swallowing::IndentedCode);
        assert_eq!(kind("* a\n\n      x = 1 (#1)"), code);
        assert_eq!(kind("* a\n\n      x\n\n      y (#1)"), code);
        assert_eq!(kind("* a\n\n  > q\n  >\n  >     x (#1)"), code);
        assert_eq!(kind("* a\n\n  - b\n\n        x (#1)"), code);
        // A paragraph's line, however far in; a fence's line; the bullet's own line.
        assert_eq!(kind("* a\n      x (#1)"), None);
        assert_eq!(kind("* a\n\n  > q\n  >     x (#1)"), None);
        assert_eq!(kind("* a\n\n  ```\n      x (#1)"), None);
        assert_eq!(kind("*     x (#1)"), None);
        let html = |open| Some(Swallowing::Html(open));
        assert_eq!(kind("* a\n\n  <pre>\n  x\n  </pre> (#1)"), html("<pre>"));
        assert_eq!(
            kind("* a\n\n  <Script type=x>\n\n  </SCRIPT> (#1)"),
            html("<script>")
        );
        assert_eq!(kind("* a\n  <!-- c --> (#1)"), html("<!--"));
        assert_eq!(kind("* <!-- c --> (#1)"), html("<!--"));
        assert_eq!(kind("* a\n\n  <?php x ?> (#1)"), html("<?"));
        assert_eq!(kind("* a\n\n  <!DOCTYPE html> (#1)"), html("<!"));
        assert_eq!(kind("* a\n\n  <![CDATA[ x ]]> (#1)"), html("<![CDATA["));
        assert_eq!(kind("* a\n\n  > <!-- c --> (#1)"), html("<!--"));
        // A type 6 or 7 block runs to a blank line: its last line is HTML, whatever it
        // ends with (markdown-it renders `([#1](u))` after `</div>` as written).
        let to_blank = Some(Swallowing::HtmlToBlank);
        assert_eq!(kind("* a\n\n  <div>x</div> (#1)"), to_blank);
        assert_eq!(kind("* a\n\n  <span>\n  x</span> (#1)"), to_blank);
        // Closed on an earlier line; never closed (refused as such); inline HTML; an
        // opener four columns in (code); one inside a fence.
        assert_eq!(kind("* a\n  <!-- c -->\n  b (#1)"), None);
        assert_eq!(kind("* a\n  <!-- c (#1)"), None);
        assert_eq!(kind("* a <!-- c --> (#1)"), None);
        assert_eq!(kind("* a\n  x <pre>y</pre> (#1)"), None);
        assert_eq!(kind("* a\n\n      <!-- c --> (#1)"), code);
        assert_eq!(kind("* a\n\n  ```\n  <!-- c --> (#1)"), None);
        assert_eq!(kind("* a\n\n  <pre>\n  <!-- c --> (#1)"), None);
        // A GFM table's last row, text after as many pipes as the header has cells.
        let cell = Some(Swallowing::TableCell);
        assert_eq!(
            kind("* a\n\n  | k | v |\n  | - | - |\n  | x | 5 | (#1)"),
            cell
        );
        assert_eq!(kind("* a\n\n  k | v\n  :-|-:\n  x | 5 | (#1)"), cell);
        assert_eq!(kind("* a\n\n  | k |\n  |---|\n  | x | y | (#1)"), cell);
        assert_eq!(
            kind("* a\n\n  | k | v |\n  | - | - |\n  | x | 5 (#1)"),
            None
        );
        assert_eq!(
            kind("* a\n\n  | k | v |\n  | - | - |\n  | x \\| 5 (#1)"),
            None
        );
        assert_eq!(
            kind("* a\n\n  | k | v |\n  | - | - |\n\n  | x | 5 | (#1)"),
            None
        );
        assert_eq!(kind("* a\n\n  | k | v |\n  | x | 5 | (#1)"), None);
        assert_eq!(
            unglue_closing_fence("* a\n\n  | k |\n  | - |\n  | x | ([#1](u/1))").as_deref(),
            Some("* a\n\n  | k |\n  | - |\n  | x |\n\n  ([#1](u/1))")
        );
        // Moved below a blank line, at the entry's column; the rest of the line kept.
        assert_eq!(
            unglue_closing_fence("* a\n\n      x = 1 ([#1](u/1), [#2](u/2))\n\n").as_deref(),
            Some("* a\n\n      x = 1\n\n  ([#1](u/1), [#2](u/2))\n\n")
        );
        assert_eq!(
            unglue_closing_fence("- a\n  <!-- c -->  (#1)").as_deref(),
            Some("- a\n  <!-- c -->\n\n  (#1)")
        );
        // Code with no reference at its end, text that would open another block: kept.
        assert_eq!(unglue_closing_fence("* a\n\n      x = 1"), None);
        assert_eq!(
            unglue_closing_fence("* a\n  <!-- c --><!-- d --> (#1)"),
            None
        );
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
