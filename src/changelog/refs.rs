//! PR references in entry text.

/// PR numbers as people write them: `#8796, #8814`.
pub fn pr_list(prs: &[u64]) -> String {
    prs.iter()
        .map(|n| format!("#{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// Issue references, as towncrier's `issue_format` writes them: `[#1](url)` or `#1`, alone
// or in a parenthesised list, several separated by commas and/or whitespace (including a
// newline and indentation). They are read backwards from the end of the entry.

/// Where the text before the trailing issue references ends (a separating comma is left
/// out), and the referenced numbers in order, without duplicates.
pub(crate) fn trailing_refs(body: &str) -> (usize, Vec<u64>) {
    let b = body.as_bytes();
    let mut end = skip_space_back(b, b.len());
    let mut text_end = b.len();
    let mut groups = Vec::new();
    while let Some((start, numbers)) = ref_group_back(b, end) {
        groups.push(numbers);
        end = skip_space_back(b, start);
        if end > 0 && b[end - 1] == b',' {
            end = skip_space_back(b, end - 1);
        }
        text_end = end;
    }
    let mut prs = Vec::new();
    for n in groups.into_iter().rev().flatten() {
        if !prs.contains(&n) {
            prs.push(n);
        }
    }
    (text_end, prs)
}

fn skip_space_back(b: &[u8], mut end: usize) -> usize {
    while end > 0 && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// One reference, or a parenthesised list of them, ending at `end`.
fn ref_group_back(b: &[u8], end: usize) -> Option<(usize, Vec<u64>)> {
    if let Some((start, n)) = ref_back(b, end) {
        return Some((start, vec![n]));
    }
    if end == 0 || b[end - 1] != b')' {
        return None;
    }
    let mut numbers = Vec::new();
    let mut at = skip_space_back(b, end - 1);
    if at > 0 && b[at - 1] == b',' {
        at = skip_space_back(b, at - 1);
    }
    loop {
        let (start, n) = ref_back(b, at)?;
        numbers.push(n);
        at = skip_space_back(b, start);
        if at > 0 && b[at - 1] == b',' {
            at = skip_space_back(b, at - 1);
        } else {
            break;
        }
    }
    if at > 0 && b[at - 1] == b'(' {
        numbers.reverse();
        Some((at - 1, numbers))
    } else {
        None
    }
}

/// `[#123](url)` or `#123` (not glued to a word, so `C#1` is no reference) ending at `end`.
fn ref_back(b: &[u8], end: usize) -> Option<(usize, u64)> {
    let number = |digits: &[u8]| std::str::from_utf8(digits).ok().and_then(pr_number);
    let digits_back = |end: usize| {
        let mut d = end;
        while d > 0 && b[d - 1].is_ascii_digit() {
            d -= 1;
        }
        (d < end).then_some(d)
    };
    match b.get(end.checked_sub(1)?)? {
        b')' => {
            // `[#N](url)`: the url has no parentheses and no whitespace.
            let mut open = end - 1;
            while open > 0
                && !matches!(b[open - 1], b'(' | b')')
                && !b[open - 1].is_ascii_whitespace()
            {
                open -= 1;
            }
            let open = open.checked_sub(1).filter(|&o| b[o] == b'(')?;
            let close = open.checked_sub(1).filter(|&c| b[c] == b']')?;
            let d = digits_back(close)?;
            let hash = d.checked_sub(1).filter(|&h| b[h] == b'#')?;
            let bracket = hash.checked_sub(1).filter(|&o| b[o] == b'[')?;
            Some((bracket, number(&b[d..close])?))
        }
        c if c.is_ascii_digit() => {
            let d = digits_back(end)?;
            let hash = d.checked_sub(1).filter(|&h| b[h] == b'#')?;
            let glued = hash > 0 && (b[hash - 1].is_ascii_alphanumeric() || b[hash - 1] == b'_');
            if glued {
                return None;
            }
            Some((hash, number(&b[d..end])?))
        }
        _ => None,
    }
}

/// The number a reference's digits name, as towncrier writes it: `0114` is no reference
/// (towncrier writes fragment `0114` as `#114`), so that an entry's text names one PR in
/// one way only; nor is a number past `u64`.
fn pr_number(digits: &str) -> Option<u64> {
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

// ---------------------------------------------------------------------------------------
// References anywhere in an entry
// ---------------------------------------------------------------------------------------

/// How a project writes issue references, so that an entry is identified by every
/// reference it holds, wherever it stands: a Markdown link `[#123](url)` anywhere, the
/// trailing references of the grammar above, and whatever the project's `issue_format`
/// writes (`([#{issue}](…))` inside the template's own parentheses, `GH-{issue}`, the
/// `[#{issue}]` of a link-definition format).
#[derive(Debug, Clone, Default)]
pub struct RefFormat {
    /// The project's `issue_format` as a pattern (one group per `{issue}`).
    pattern: Option<regex::Regex>,
    /// What the entries hold, for messages (`([#{issue}](https://…/{issue}))`).
    written: Option<String>,
    /// The longest literal part of the format: text without it holds no reference.
    needle: Option<String>,
}

/// Where a reference stands in an entry's body, and the number it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) number: u64,
}

impl RefFormat {
    /// The references of a project whose `issue_format` is `format` (`None`: towncrier's
    /// default, `#{issue}`). A link-definition format (`[#{issue}]: https://…`) puts its part
    /// before `": "` in the entries, as towncrier's Markdown template does.
    pub fn new(format: Option<&str>) -> RefFormat {
        let format = format.unwrap_or("#{issue}");
        let written = match format.split_once("]: ") {
            Some((head, _)) if head.contains("{issue}") => format!("{head}]"),
            _ => format.to_string(),
        };
        let needle = written
            .split("{issue}")
            .map(|part| part.replace("{{", "{").replace("}}", "}"))
            .max_by_key(String::len)
            .filter(|n| !n.is_empty());
        RefFormat {
            pattern: format_pattern(&written),
            written: Some(written),
            needle,
        }
    }

    /// How the project writes a reference to `issue`, for messages.
    pub fn example(&self, issue: u64) -> String {
        let written = self.written.as_deref().unwrap_or("[#{issue}](…)");
        crate::pycompat::format::py_format(written, &[("issue", &issue.to_string())])
            .unwrap_or_else(|_| written.to_string())
    }

    /// Every reference in `body`, in text order, overlapping ones resolved to the longest
    /// (a format's `([#1](u))` holds the link `[#1](u)`).
    pub(crate) fn spans(&self, body: &str) -> Vec<Span> {
        // Most text holds no reference: a search for one character (then the substring)
        // says so before any regex runs.
        let holds = |needle: &str| {
            needle.chars().next().is_some_and(|c| body.contains(c)) && body.contains(needle)
        };
        let linked = holds("[#");
        let formatted = self.needle.as_deref().is_none_or(holds);
        let formatted = formatted && self.pattern.is_some();
        if !(linked || formatted) {
            return Vec::new();
        }
        let link = static_regex!(r"\[#([0-9]+)\]\([^()\s]*\)");
        let mut found: Vec<Span> = Vec::new();
        let mut push = |m: regex::Captures<'_>| {
            let Some(all) = m.get(0) else { return };
            let mut numbers = m.iter().skip(1).flatten().map(|g| pr_number(g.as_str()));
            let Some(Some(first)) = numbers.next() else {
                return;
            };
            // `[#{issue}](…/{issue})`: both places name the same issue, or it is no reference.
            if numbers.all(|n| n == Some(first)) {
                found.push(Span {
                    start: all.start(),
                    end: all.end(),
                    number: first,
                });
            }
        };
        if linked {
            link.captures_iter(body).for_each(&mut push);
        }
        if let (Some(p), true) = (&self.pattern, formatted) {
            p.captures_iter(body).for_each(&mut push);
        }
        found.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let mut out: Vec<Span> = Vec::with_capacity(found.len());
        for s in found {
            if out.last().is_none_or(|l| s.start >= l.end) {
                out.push(s);
            }
        }
        out
    }
}

/// `issue_format` as a regular expression: the literal text around each `{issue}` (with
/// `{{`/`}}` as braces), not glued to a word on either side.
fn format_pattern(format: &str) -> Option<regex::Regex> {
    let mut pattern = String::new();
    let mut rest = format;
    let mut groups = 0;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("{issue}") {
            pattern.push_str("([0-9]+)");
            groups += 1;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("{{") {
            pattern.push_str(r"\{");
            rest = r;
        } else if let Some(r) = rest.strip_prefix("}}") {
            pattern.push_str(r"\}");
            rest = r;
        } else {
            let c = rest.chars().next()?;
            pattern.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
            rest = &rest[c.len_utf8()..];
        }
    }
    if groups == 0 {
        return None;
    }
    // A word character at either end of the format must not be glued to a word (`GH-1`
    // in `SGH-1`); a non-word one must not follow a word character (`C#1` is no `#1`).
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let first = if format.starts_with("{issue}") {
        Some('0')
    } else {
        format.chars().next()
    };
    let last = if format.ends_with("{issue}") {
        Some('0')
    } else {
        format.chars().next_back()
    };
    let before = if word(first) { r"\b" } else { r"\B" };
    let after = if word(last) { r"\b" } else { "" };
    regex::Regex::new(&format!("{before}(?:{pattern}){after}")).ok()
}

/// An entry body's text (without its references) and every PR it references: the trailing
/// references first (the entry's own, in order), then those standing elsewhere in the text
/// (a link before the text, text or a period after it, a sub-bullet's), without duplicates.
pub(crate) fn text_and_refs(body: &str, format: &RefFormat) -> (String, Vec<u64>) {
    let (grammar_end, mut prs) = trailing_refs(body);
    // With trailing references read, only the text before them can hold more.
    let spans = if prs.is_empty() {
        format.spans(body)
    } else {
        format.spans(&body[..grammar_end])
    };
    let text_end = if prs.is_empty() {
        trailing_span_end(body, &spans)
    } else {
        Some(grammar_end)
    };
    let text = match text_end {
        Some(end) => body[..end].trim().to_string(),
        None if spans.is_empty() => body.trim().to_string(),
        None => without_spans(body, &spans),
    };
    let end = text_end.unwrap_or(body.len());
    let (trailing, inside): (Vec<&Span>, Vec<&Span>) = spans.iter().partition(|s| s.start >= end);
    for s in trailing.into_iter().chain(inside) {
        if !prs.contains(&s.number) {
            prs.push(s.number);
        }
    }
    (text, prs)
}

/// Where the text ends when the body ends with references, separators and balanced
/// parentheses around them (`text (([#1](u)))`, `text ([#1], [#2])`).
fn trailing_span_end(body: &str, spans: &[Span]) -> Option<usize> {
    let b = body.as_bytes();
    let mut p = b.len();
    let mut depth = 0usize;
    let mut consumed = false;
    let mut text_end = None;
    loop {
        if depth == 0 && consumed {
            text_end = Some(p);
        }
        if p == 0 {
            break;
        }
        // The spans do not overlap, so they are ordered by their ends too.
        if let Ok(k) = spans.binary_search_by_key(&p, |s| s.end) {
            p = spans[k].start;
            consumed = true;
            continue;
        }
        match b[p - 1] {
            c if c.is_ascii_whitespace() || c == b',' => p -= 1,
            b')' => {
                depth += 1;
                p -= 1;
            }
            b'(' if depth > 0 => {
                depth -= 1;
                p -= 1;
            }
            _ => break,
        }
    }
    text_end
}

/// The body with its references taken out, and what they leave behind tidied: brackets
/// that held only references, separators between them, the space before a period or a line
/// end, a separator after a reference that opened the entry. The rest is left as written.
fn without_spans(body: &str, spans: &[Span]) -> String {
    // Each reference becomes a mark (NUL, which no changelog text holds), then the marks go.
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    for s in spans {
        out.push_str(&body[at..s.start]);
        out.push('\0');
        at = s.end;
    }
    out.push_str(&body[at..]);
    // Innermost first; templates nest a few levels at most (a bound keeps a hostile entry
    // linear).
    let empty = static_regex!(r"[(\[][\s,;\x00]*\x00[\s,;\x00]*[)\]]");
    for _ in 0..8 {
        if !empty.is_match(&out) {
            break;
        }
        out = empty.replace_all(&out, "\0").into_owned();
    }
    let out = static_regex!(r"\x00(?:[ \t]*[,;]?[ \t]*\x00)+").replace_all(&out, "\0");
    let out = static_regex!(r"^\s*\x00[\s:;,\-–—]*").replace(&out, "");
    let out = static_regex!(r"[ \t]*\x00([.,;:!?]|\r?\n|$)").replace_all(&out, "$1");
    let out = static_regex!(r"[ \t]*\x00[ \t]*").replace_all(&out, " ");
    out.trim().to_string()
}
