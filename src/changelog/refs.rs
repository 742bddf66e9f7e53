//! PR references in entry text.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

// ---------------------------------------------------------------------------------------
// The issue a reference names
// ---------------------------------------------------------------------------------------

/// The bit that marks an issue key as a name's (`PROJ-12`), not a number's.
const NAME_BIT: u64 = 1 << 63;

/// The names behind the keys made in this process, for messages and towncrier's order.
static NAMES: LazyLock<Mutex<HashMap<u64, String>>> = LazyLock::new(Default::default);

/// The key an issue is known by wherever references are compared, counted or recorded:
/// towncrier takes any name as an issue (`12`, `PROJ-12`, `gh-7`), and an entry is the same
/// change as another when their references name the same issues. A number (as towncrier
/// writes it: no leading zero) below 2^63 is its own key; any other name is its 63-bit
/// FNV-1a hash with the top bit set — the same in every process, so the counts a stopped
/// release recorded still match — and remembered, so that messages name it as written.
/// `None` for an empty name or a number written with a leading zero (towncrier writes the
/// fragment `0114` as `114`: `0114` in a text names no issue).
pub fn issue_key(issue: &str) -> Option<u64> {
    if issue.is_empty() {
        return None;
    }
    if issue.bytes().all(|b| b.is_ascii_digit()) {
        if issue.len() > 1 && issue.starts_with('0') {
            return None;
        }
        if let Ok(n) = issue.parse::<u64>()
            && n < NAME_BIT
        {
            return Some(n);
        }
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in issue.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let key = NAME_BIT | (h & !NAME_BIT);
    if let Ok(mut names) = NAMES.lock() {
        names.entry(key).or_insert_with(|| issue.to_string());
    }
    Some(key)
}

/// The issue `key` names as towncrier's `issue_format` receives it: `12`, `PROJ-12`.
pub fn issue_name(key: u64) -> String {
    if key & NAME_BIT == 0 {
        return key.to_string();
    }
    NAMES
        .lock()
        .ok()
        .and_then(|names| names.get(&key).cloned())
        .unwrap_or_else(|| format!("issue {key:x}"))
}

/// Whether `key` is an issue named by text (`PROJ-12`), not a number.
pub fn is_name(key: u64) -> bool {
    key & NAME_BIT != 0
}

/// The issue among `known` (keys, [`issue_key`]) that a fragment file named `name` names
/// (`PROJ-12.feature.md`, `0012.fix.1.md`), for a file no longer there to be read with the
/// configured types: towncrier's issue is the name up to one of its dots, a number written
/// without its leading zeros (`0012` is `12`); the longest such part that is known. `None`
/// for an orphan (`+abc.fix.md`) or an issue none of `known` is.
pub fn file_issue(name: &str, known: impl Fn(u64) -> bool) -> Option<u64> {
    name.match_indices('.')
        .filter_map(|(dot, _)| {
            let issue = name[..dot].trim();
            let digits = !issue.is_empty() && issue.bytes().all(|b| b.is_ascii_digit());
            match issue.trim_start_matches('0') {
                "" if digits => issue_key("0"),
                number if digits => issue_key(number),
                _ => issue_key(issue),
            }
        })
        .filter(|&key| known(key))
        .last()
}

/// An issue as messages name it: `#12` for a number, the name itself (`PROJ-12`) else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issue(pub u64);

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 & NAME_BIT == 0 {
            write!(f, "#{}", self.0)
        } else {
            f.write_str(&issue_name(self.0))
        }
    }
}

/// towncrier's order of issues (`issue_key` in its builder): names before numbers, names
/// as strings, numbers as numbers.
pub fn issue_order(a: u64, b: u64) -> std::cmp::Ordering {
    match (a & NAME_BIT != 0, b & NAME_BIT != 0) {
        (true, true) => issue_name(a).cmp(&issue_name(b)).then(a.cmp(&b)),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => a.cmp(&b),
    }
}

/// PR numbers as people write them: `#8796, #8814` (a name as itself: `PROJ-12`).
pub fn pr_list(prs: &[u64]) -> String {
    prs.iter()
        .map(|&n| Issue(n).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The PR numbers among issue keys (a name's key is no PR's number), in order.
pub fn pr_numbers(keys: &[u64]) -> Vec<u64> {
    keys.iter().copied().filter(|k| k & NAME_BIT == 0).collect()
}

/// Each issue of `keys` as the project writes it and towncrier's `issue_format` receives
/// it (`"1234"`, `"PROJ-12"`), in order.
pub fn issue_names(keys: &[u64]) -> Vec<String> {
    keys.iter().map(|&k| issue_name(k)).collect()
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

/// Where the issue ending at `end` starts: digits, or a tracker's key before them
/// (`PROJ-12`: a letter, then letters, digits or `_`, then `-`).
fn issue_back(b: &[u8], end: usize) -> Option<usize> {
    let mut d = end;
    while d > 0 && b[d - 1].is_ascii_digit() {
        d -= 1;
    }
    if d == end {
        return None;
    }
    if d > 1 && b[d - 1] == b'-' {
        let mut k = d - 1;
        while k > 0 && (b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'_') {
            k -= 1;
        }
        if k < d - 1 && b[k].is_ascii_alphabetic() {
            return Some(k);
        }
    }
    Some(d)
}

/// `[#123](url)` or `#123` (not glued to a word, so `C#1` is no reference) ending at `end`;
/// a tracker's key too (`#PROJ-12`).
fn ref_back(b: &[u8], end: usize) -> Option<(usize, u64)> {
    let number = |digits: &[u8]| std::str::from_utf8(digits).ok().and_then(issue_key);
    let digits_back = |end: usize| issue_back(b, end);
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

// ---------------------------------------------------------------------------------------
// References anywhere in an entry
// ---------------------------------------------------------------------------------------

/// How a project writes issue references, so that an entry is identified by every one it
/// holds, wherever it stands: a link `[#123](url)`, the trailing references of the grammar
/// above, and what the project's `issue_format` writes (`([#{issue}](…))`, `GH-{issue}`).
#[derive(Debug, Clone, Default)]
pub struct RefFormat {
    /// The project's `issue_format` as a pattern (one group per `{issue}`).
    pattern: Option<regex::Regex>,
    /// What the entries hold, for messages (`([#{issue}](https://…/{issue}))`).
    written: Option<String>,
    /// The longest literal part of the format: text without it holds no reference.
    needle: Option<String>,
    /// The format is `{issue}` alone (pip-tools, aio-libs): references are only where
    /// towncrier's templates put them, at the end of an entry (`(12, 13)`, `` {issue}`12` ``)
    /// — never outside entries, nor in a heading, a date or a version.
    bare: bool,
    /// The format read with a name for `{issue}` (`(GH-PROJ-12)`), among the references that
    /// end an entry only (a format closed on both sides reads names anywhere: `closed`).
    trailing_names: Option<regex::Regex>,
    /// The format's literal parts when it closes a name on both sides ([`closed_spans`]).
    closed: Option<Vec<String>>,
    /// No `issue_format`: towncrier writes a number as `#12` and a name as itself.
    unformatted: bool,
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
        let unformatted = format.is_none();
        let format = format.unwrap_or("#{issue}");
        let written = match format.split_once("]: ") {
            Some((head, _)) if head.contains("{issue}") => format!("{head}]"),
            _ => format.to_string(),
        };
        let parts: Vec<String> = written
            .split("{issue}")
            .map(|part| part.replace("{{", "{").replace("}}", "}"))
            .collect();
        let needle = parts.iter().max_by_key(|p| p.len()).cloned();
        let needle = needle.filter(|n| !n.is_empty());
        let bare = parts.len() > 1 && parts.iter().all(|p| p.trim().is_empty());
        // A name (`PROJ-12`) is read wherever the format writes one only when the format
        // closes it on both sides with text that words do not hold (`[{issue}](…/browse/
        // {issue})`): with `GH-{issue}`, `GH-handling` would read as one.
        let letters = |n: &String| n.chars().filter(|c| c.is_alphanumeric()).count();
        let delimited =
            parts.iter().all(|p| !p.is_empty()) && needle.as_ref().is_some_and(|n| letters(n) >= 2);
        RefFormat {
            // A bare format's pattern finds every number: the count of a text no entry can
            // be read from (reStructuredText), never an entry's references.
            pattern: format_pattern(&written, delimited),
            trailing_names: (!bare && !delimited)
                .then(|| format_pattern(&written, true))
                .flatten(),
            bare,
            written: Some(written),
            needle,
            closed: delimited.then_some(parts),
            unformatted,
        }
    }

    /// How the project writes a reference to `issue` (a key, [`issue_key`]), for messages.
    pub fn example(&self, issue: u64) -> String {
        let written = self.written.as_deref().unwrap_or("[#{issue}](…)");
        self.render(&issue_name(issue))
            .unwrap_or_else(|| written.to_string())
    }

    /// The reference towncrier writes for the issue named `issue` (`render_issue`): the
    /// `issue_format`'s, or with none a number as `#12` and any other name as itself.
    pub fn render(&self, issue: &str) -> Option<String> {
        let digits = |d: &str| {
            !d.is_empty()
                && d.split('_')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        // Python's `int(issue)`: a sign, digits, `_` between them.
        if self.unformatted && !digits(issue.strip_prefix(['+', '-']).unwrap_or(issue)) {
            return Some(issue.to_string());
        }
        let written = self.written.as_deref()?;
        crate::pycompat::format::py_format(written, &[("issue", issue)]).ok()
    }

    /// The `(…)` an entry none of whose references was read ends with, when it reads as
    /// references the project writes (`(GH-c++-support)`; [`super::closed_refs`]): no reading
    /// tells where such a name ends, so the fold refuses two inputs' entries ending so.
    pub fn unread_tail<'t>(&self, text: &'t str) -> Option<&'t str> {
        let written = self.written.as_deref().unwrap_or("#{issue}");
        super::closed_refs::unread_tail(text, written, self.unformatted || self.bare)
    }

    /// Whether an entry (`raw`, bulleted) reads its issues from lines of their own after its
    /// text only ([`own_lines`]): a wrapped line ending in a number (`  60`) reads so too.
    pub fn on_own_lines(&self, raw: &str) -> bool {
        let body = raw.strip_prefix(['-', '*']).map_or(raw, str::trim_start);
        let tail = || own_lines(body, skip_space_back(body.as_bytes(), body.len()));
        let bare = self.bare && trailing_refs(body).1.is_empty();
        bare && tail().is_some() && bare_trailing(body) == tail()
    }

    /// The issue a fragment named `issue` is referenced by ([`issue_key`]), or `None`: a name
    /// is one only as its own rendering reads back where towncrier's templates put it.
    pub fn fragment_key(&self, issue: &str) -> Option<u64> {
        let key = issue_key(issue)?;
        if key & NAME_BIT == 0 {
            return Some(key);
        }
        let rendered = self.render(issue)?;
        (text_and_refs(&format!("x ({rendered})"), self).1 == [key]).then_some(key)
    }

    /// Every reference in `body`, in text order, overlapping ones resolved to the longest
    /// (a format's `([#1](u))` holds the link `[#1](u)`).
    pub(crate) fn spans(&self, body: &str) -> Vec<Span> {
        self.spans_with(body, true, false)
    }

    /// The references an entry holds besides those at its end: with a bare format, only
    /// `[#12](…)` links (a number in an entry's text is a count, a version, a date).
    fn entry_spans(&self, body: &str) -> Vec<Span> {
        self.spans_with(body, !self.bare, false)
    }

    /// [`RefFormat::entry_spans`] of a body whose end holds no `#12` of the grammar: names
    /// too, among the references that end it inside the parentheses towncrier's templates
    /// put around them (`(GH-PROJ-12)`; `… #channels` is a word).
    fn entry_spans_with_names(&self, body: &str) -> Vec<Span> {
        if self.bare || self.trailing_names.is_none() {
            return self.entry_spans(body);
        }
        let all = self.spans_with(body, true, true);
        let end =
            trailing_span_end(body, &all).filter(|&e| body[e..].trim_start().starts_with('('));
        all.into_iter()
            .filter(|s| s.number & NAME_BIT == 0 || end.is_some_and(|e| s.start >= e))
            .collect()
    }

    /// The references a line outside the entries holds: with a bare `{issue}` format, where
    /// any number would be one, only `[#12](…)` links.
    pub(crate) fn outside_spans(&self, line: &str) -> Vec<Span> {
        self.spans_with(line, !self.bare, false)
    }

    /// `names`: the format read with names too ([`RefFormat::trailing_names`]).
    fn spans_with(&self, body: &str, use_format: bool, names: bool) -> Vec<Span> {
        // Most text holds no reference: one character (then the substring) says so first.
        let holds = |needle: &str| {
            needle.chars().next().is_some_and(|c| body.contains(c)) && body.contains(needle)
        };
        let linked = holds("[#");
        let formatted = self.needle.as_deref().is_none_or(holds);
        let formatted = formatted && use_format && self.pattern.is_some();
        if !(linked || formatted) {
            return Vec::new();
        }
        let link = static_regex!(r"\[#([0-9]+|[A-Za-z][A-Za-z0-9_]*-[0-9]+)\]\([^()\s]*\)");
        let mut found: Vec<Span> = Vec::new();
        let mut push = |m: regex::Captures<'_>| {
            let Some(all) = m.get(0) else { return };
            let mut numbers = m.iter().skip(1).flatten().map(|g| issue_key(g.as_str()));
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
        let names = self.trailing_names.as_ref().filter(|_| names);
        match (&self.closed, names.or(self.pattern.as_ref())) {
            (Some(parts), _) if formatted => {
                found.extend(super::closed_refs::closed_spans(body, parts))
            }
            (None, Some(p)) if formatted => p.captures_iter(body).for_each(&mut push),
            _ => {}
        }
        found.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        found.dedup_by(|s, kept| s.start < kept.end);
        found
    }
}

/// An issue name at an entry's end, where a format open on one side writes it (`(#PROJ-12)`).
const NAME_CLASS: &str = r"[A-Za-z][A-Za-z0-9_]*(?:[-.][A-Za-z0-9_]+)*";

/// `issue_format` as a regular expression: the literal text around each `{issue}` (with
/// `{{`/`}}` as braces), not glued to a word on either side. `names`: an issue may be a
/// name (`PROJ-12`, `fix-1.2`) as well as a number.
fn format_pattern(format: &str, names: bool) -> Option<regex::Regex> {
    let mut pattern = String::new();
    let mut rest = format;
    let mut groups = 0;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("{issue}") {
            let name = if names { NAME_CLASS } else { "[0-9]+" };
            pattern.push_str(&format!("([0-9]+|{name})"));
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
    if format.bare
        && prs.is_empty()
        && let Some((start, tail)) = bare_trailing(body)
    {
        let mut prs: Vec<u64> = Vec::new();
        for s in &tail {
            if !prs.contains(&s.number) {
                prs.push(s.number);
            }
        }
        let head = &body[..start];
        let inside = format.entry_spans(head);
        for s in &inside {
            if !prs.contains(&s.number) {
                prs.push(s.number);
            }
        }
        let text = match inside.is_empty() {
            true => head.trim().to_string(),
            false => without_spans(head, &inside),
        };
        return (text, prs);
    }
    // With trailing references read, only the text before them can hold more.
    let spans = if prs.is_empty() {
        format.entry_spans_with_names(body)
    } else {
        format.entry_spans(&body[..grammar_end])
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

/// The references a bare `{issue}` format's entry ends with, where towncrier's templates
/// put them: a parenthesised list (`(12, 13)`, `(PROJ-12)`) or a list of roles the template
/// writes (`` {issue}`12`, {issue}`13` ``, `` :issue:`12` ``, `` `12` ``), after the text
/// and not glued to it, or issues on lines of their own after it ([`own_lines`]); and where
/// the text before them ends. A number written any other way (`Python 3`, `(3.15)`,
/// `(2025-12-06)`) is none — nor one ending the text's line (`Drop Python 2`: no template
/// of towncrier's writes an issue there, and prose does).
fn bare_trailing(body: &str) -> Option<(usize, Vec<Span>)> {
    let b = body.as_bytes();
    let end = skip_space_back(b, body.len());
    let issue = |start: usize, end: usize| {
        let number = issue_key(&body[start..end])?;
        let digits = b[start].is_ascii_digit();
        let tracker = static_regex!(r"^[A-Za-z][A-Za-z0-9_]*-[0-9]+$");
        (digits || tracker.is_match(&body[start..end])).then_some(Span { start, end, number })
    };
    let apart = |at: usize| at == 0 || b[at - 1].is_ascii_whitespace();
    let mut spans = Vec::new();
    let mut at = end;
    if b.get(end.checked_sub(1)?) == Some(&b')') {
        at = end - 1;
        loop {
            at = skip_space_back(b, at);
            let start = issue_back(b, at)?;
            spans.push(issue(start, at)?);
            at = skip_space_back(b, start);
            if at > 0 && b[at - 1] == b',' {
                at -= 1;
            } else {
                break;
            }
        }
        let open = at.checked_sub(1).filter(|&o| b[o] == b'(')?;
        spans.reverse();
        return apart(open).then_some((open, spans));
    }
    // Lists of items, from the last line up: on a line after the text (`… {issue}`12``), or
    // on lines of their own under a label (pip-tools: `*PRs and issues:* {issue}`12``, then
    // `*Related commits:* {commit}`abc1234``, `*Unlinked references:* PROJ-12`), where an
    // item that names no issue (a commit) is passed over.
    let label = static_regex!(r"^[ \t]*(?:\*[^*\n]+:\*|_[^_\n]+:_)[ \t]*$");
    let mut text_end = None;
    while let Some((open, roled, found)) = item_list(body, at) {
        let line = body[..open].rfind('\n').map_or(0, |n| n + 1);
        let labelled = line > 0 && label.is_match(&body[line..open]);
        // After the text, only a template's roles: `Set it to `4`` names no issue.
        if !roled && !labelled {
            break;
        }
        spans.splice(0..0, found);
        if !labelled {
            text_end = apart(open).then_some(open);
            break;
        }
        text_end = Some(line);
        at = skip_space_back(b, line);
    }
    let Some(text_end) = text_end else {
        return own_lines(body, end);
    };
    (!spans.is_empty()).then_some((text_end, spans))
}

/// Issues on lines of their own after the text, as towncrier's `hr-between-versions`
/// template writes them (`values|join(',\n  ')`): `text\n  12`, `text\n  12,\n  13` — each
/// indented line one issue (a number or a tracker's key), every one but the last ending with
/// a comma, the first right after the text's last line. `None` when the entry does not end
/// so, or a line shaped as such an issue breaks the pattern (a comma missing or extra, a
/// number with a leading zero): no reading is better than a wrong one.
fn own_lines(body: &str, end: usize) -> Option<(usize, Vec<Span>)> {
    let b = body.as_bytes();
    let tracker = static_regex!(r"^[A-Za-z][A-Za-z0-9_]*-[0-9]+$");
    let mut spans = Vec::new();
    let mut at = end;
    let mut text_end = None;
    // The entry's first line is its text: an issue line has a line before it.
    while let Some(newline) = body[..at].rfind('\n') {
        let line = &body[newline + 1..at];
        let item = line.trim_start();
        let (item, comma) = match item.strip_suffix(',') {
            Some(item) => (item.trim_end(), true),
            None => (item, false),
        };
        let digits = !item.is_empty() && item.bytes().all(|c| c.is_ascii_digit());
        let indented = line.starts_with([' ', '\t']);
        if !indented || !(digits || tracker.is_match(item)) {
            break;
        }
        // The last line ends without a comma, every other one with one.
        if comma == spans.is_empty() {
            return None;
        }
        let start = newline + 1 + (line.len() - line.trim_start().len());
        spans.push(Span {
            start,
            end: start + item.len(),
            number: issue_key(item)?,
        });
        text_end = Some(newline);
        at = skip_space_back(b, newline);
        // No blank line between the text and its issues, nor between two of them.
        if body[at..newline].contains('\n') {
            break;
        }
    }
    let text_end = text_end?;
    // A blank line before the issues, or only issues: not the template's shape.
    if body[..text_end].trim().is_empty()
        || body[skip_space_back(b, text_end)..text_end].contains('\n')
    {
        return None;
    }
    spans.reverse();
    Some((text_end, spans))
}

/// A list of items ending at `end` (`` {issue}`12`, :issue:`13`, `14` ``, or plain `PROJ-12`),
/// joined by `, `: where it starts, whether every item is a role's, and the issues its
/// items name.
fn item_list(body: &str, end: usize) -> Option<(usize, bool, Vec<Span>)> {
    let b = body.as_bytes();
    let tracker = static_regex!(r"^[A-Za-z][A-Za-z0-9_]*-[0-9]+$");
    let item_char = |c: u8| c.is_ascii_alphanumeric() || b"_.-".contains(&c);
    let (mut at, mut roled, mut spans) = (end, true, Vec::new());
    loop {
        let quoted = at > 0 && b[at - 1] == b'`';
        let close = if quoted { at - 1 } else { at };
        let mut start = close;
        while start > 0 && item_char(b[start - 1]) {
            start -= 1;
        }
        if start == close {
            return None;
        }
        let item = &body[start..close];
        let digits = item.bytes().all(|c| c.is_ascii_digit());
        if digits || tracker.is_match(item) {
            if let Some(number) = issue_key(item) {
                spans.push(Span {
                    start,
                    end: close,
                    number,
                });
            }
        }
        let mut open = start;
        if quoted {
            open = start.checked_sub(1).filter(|&o| b[o] == b'`')?;
            // A role before the backtick: `{issue}` (MyST) or `:issue:` (reStructuredText).
            if let Some(&mark @ (b'}' | b':')) = open.checked_sub(1).and_then(|o| b.get(o)) {
                let mut k = open - 1;
                while k > 0 && (b[k - 1].is_ascii_alphanumeric() || b"_-:".contains(&b[k - 1])) {
                    k -= 1;
                }
                let opener = match mark {
                    b'}' => k.checked_sub(1).filter(|&o| b[o] == b'{'),
                    _ => (b[k] == b':' && k + 1 < open - 1).then_some(k),
                };
                if let Some(o) = opener {
                    open = o;
                }
            }
        }
        roled &= open + 1 < start;
        at = skip_space_back(b, open);
        if at > 0 && b[at - 1] == b',' && !b[at..open].contains(&b'\n') {
            at = skip_space_back(b, at - 1);
        } else {
            spans.reverse();
            return Some((open, roled, spans));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry's text and references, read as the project with `format` writes them.
    fn read(format: &str, raw: &str) -> (String, Vec<u64>) {
        let e = crate::changelog::Entry::parse_with(raw, 1, &RefFormat::new(Some(format)));
        (e.text, e.prs)
    }

    fn key(issue: &str) -> u64 {
        issue_key(issue).unwrap()
    }

    #[test]
    fn a_bare_format_reads_references_only_where_templates_put_them() {
        let bare = "{issue}";
        // towncrier's default templates: a parenthesised list after the text.
        assert_eq!(
            read(bare, "- Fix crash (12)"),
            ("Fix crash".into(), vec![12])
        );
        assert_eq!(
            read(bare, "- Support Python 3.15 and 2 options (12, 13)"),
            ("Support Python 3.15 and 2 options".into(), vec![12, 13])
        );
        assert_eq!(read(bare, "- Fix it\n\n  (7)").1, vec![7]);
        // pip-tools' MyST roles and reStructuredText's, as the template writes them.
        assert_eq!(
            read(
                bare,
                "- Fixed a crash -- by {user}`bob`.\n\n  *PRs and issues:* {issue}`2501`, {issue}`2502`"
            )
            .1,
            vec![2501, 2502]
        );
        assert_eq!(read(bare, "- Fixed it :issue:`12`").1, vec![12]);
        // pip-tools' labelled lines: commits and unlinked references passed over or read.
        let piptools = "- Fixed it -- by {user}`bob`.\n\n  *PRs and issues:* {issue}`2501`\n  \
            *Related commits:* {commit}`abc1234`, {commit}`def5678`\n  \
            *Unlinked references:* PROJ-12, misc";
        assert_eq!(
            read(bare, piptools),
            (
                "Fixed it -- by {user}`bob`.".into(),
                vec![2501, key("PROJ-12")]
            )
        );
        // Numbers of the text are never references: counts, versions, dates, years.
        for raw in [
            "- Drop Python 2",
            "- Add 2 options for 3 commands",
            "- Require pip 26.2.2",
            "- Support Python (3.15)",
            "- Release date moved (2025-12-06)",
            "- Keep 0114 (0114)",
            "- Add it (experimental)",
            "- Bump to v7.8.0",
            "- Glued(12)",
            "- Role {user}`bob`",
            "- Set the default `jobs` to `4`",
            "- Fixed it `12`",
            "- Unlinked: 12",
        ] {
            assert_eq!(read(bare, raw).1, Vec::<u64>::new(), "{raw}");
        }
        // A tracker's key, in the list towncrier writes.
        assert_eq!(
            read(bare, "- Add export (PROJ-12, 14)"),
            ("Add export".into(), vec![key("PROJ-12"), 14])
        );
    }

    #[test]
    fn a_bare_format_reads_an_issue_where_a_template_writes_it_and_prose_as_prose() {
        let bare = "{issue}";
        // What towncrier's templates write for issue 12: `(12)` after the text (default.md,
        // default.rst), on a line of its own (single-file-no-bullets), or `12` on the line
        // after it (hr-between-versions: `values|join(',\n  ')`).
        for raw in ["- Add text (12)", "- Add text\n  (12)", "- Add text\n  12"] {
            assert_eq!(read(bare, raw), ("Add text".into(), vec![12]), "{raw:?}");
        }
        assert_eq!(
            read(bare, "- Add text\n  more text\n  12,\n  PROJ-3"),
            ("Add text\n  more text".into(), vec![12, key("PROJ-3")])
        );
        // A number ending the text's line is prose — `Drop Python 2` and `Add text 12` alike:
        // no template of towncrier's writes an issue there. Nor a line that breaks the
        // template's shape: a blank line before it, a comma missing or left over, a leading
        // zero, words with it.
        for raw in [
            "- Drop Python 2",
            "- Add text 12",
            "- Add text\n\n  12",
            "- Add text\n  12\n  13",
            "- Add text\n  12,",
            "- Add text\n  012",
            "- Raise the limit\n  to 12",
            "- 12",
            "- Add text\n12",
        ] {
            assert_eq!(read(bare, raw).1, Vec::<u64>::new(), "{raw:?}");
            let text = raw.trim_start_matches("- ");
            assert_eq!(read(bare, raw).0, text, "{raw:?}: the text is kept whole");
        }
        // `(4)` ending the prose is a reference where the project's format writes one so
        // (`{issue}` and `({issue})` under towncrier's templates), prose where it cannot.
        for format in ["{issue}", "({issue})"] {
            assert_eq!(
                read(format, "- Set retries (4)"),
                ("Set retries".into(), vec![4]),
                "{format}"
            );
        }
        for format in [
            "#{issue}",
            "GH-{issue}",
            "PR {issue}",
            "{issue}.",
            "`{issue}`",
            "[#{issue}](https://x/{issue})",
            "[{issue}](https://j/browse/{issue})",
            "https://x/pull/{issue}",
        ] {
            assert_eq!(
                read(format, "- Set retries (4)"),
                ("Set retries (4)".into(), vec![]),
                "{format}"
            );
        }
        // One the format cannot write is prose with a bare format too: a leading zero, a
        // version, a word.
        for raw in ["- Keep it (04)", "- Keep it (4.1)", "- Keep it (v4)"] {
            assert_eq!(read(bare, raw).1, Vec::<u64>::new(), "{raw}");
        }
    }

    #[test]
    fn a_bare_format_reads_no_reference_outside_entries() {
        let bare = RefFormat::new(Some("{issue}"));
        for line in [
            "## 7.8.0",
            "## 1.1.0 (2025-12-06)",
            "*2026-11-15*",
            "See (12).",
        ] {
            assert!(bare.outside_spans(line).is_empty(), "{line}");
        }
        // A link is one, whatever the format.
        assert_eq!(bare.outside_spans("See [#12](https://x/12).")[0].number, 12);
        // Every other format still reads its references there.
        for (format, line) in [
            ("#{issue}", "## 7.8.0 (#12)"),
            ("({issue})", "A note (12)."),
            ("GH-{issue}", "A note on GH-12."),
            ("PR {issue}", "A note on PR 12."),
            (
                "https://github.com/o/r/pull/{issue}",
                "See https://github.com/o/r/pull/12",
            ),
        ] {
            let refs = RefFormat::new(Some(format));
            let numbers: Vec<u64> = refs.outside_spans(line).iter().map(|s| s.number).collect();
            assert_eq!(numbers, vec![12], "{format}: {line}");
        }
    }

    #[test]
    fn an_issue_name_is_a_reference_as_the_format_writes_it() {
        let jira = "[{issue}](https://acme.atlassian.net/browse/{issue})";
        let link = |i: &str| format!("[{i}](https://acme.atlassian.net/browse/{i})");
        assert_eq!(
            read(jira, &format!("- Add export. ({})", link("PROJ-12"))),
            ("Add export.".into(), vec![key("PROJ-12")])
        );
        // Anywhere in the entry, as a number would be.
        assert_eq!(
            read(jira, &format!("- {} Add export.", link("PROJ-12"))).1,
            vec![key("PROJ-12")]
        );
        // Both places of the format name the same issue, or it is no reference.
        assert_eq!(
            read(
                jira,
                "- Add ([PROJ-12](https://acme.atlassian.net/browse/PROJ-13))"
            )
            .1,
            Vec::<u64>::new()
        );
        // Names of other shapes towncrier takes.
        for name in ["fix-docs", "gh_7", "ABC-1.2"] {
            assert_eq!(
                read(jira, &format!("- Add ({})", link(name))).1,
                vec![key(name)]
            );
        }
        // Formats open on one side read a name at the entry's end only.
        for (format, tail) in [
            ("#{issue}", "(#PROJ-12)"),
            ("#{issue}", "([#PROJ-12](https://x/PROJ-12))"),
            ("GH-{issue}", "(GH-PROJ-12)"),
            ("PR {issue}", "(PR PROJ-12)"),
            ("({issue})", "((PROJ-12))"),
            ("https://x/pull/{issue}", "(https://x/pull/PROJ-12)"),
            (
                "[#{issue}](https://x/{issue})",
                "([#PROJ-12](https://x/PROJ-12))",
            ),
        ] {
            let raw = format!("- Add export {tail}");
            assert_eq!(
                read(format, &raw),
                ("Add export".into(), vec![key("PROJ-12")]),
                "{format}"
            );
        }
        // Words are not names of an open format: `GH-handling`, `#channels`, `PR reviews`.
        assert_eq!(read("GH-{issue}", "- GH-handling fixed (GH-3)").1, vec![3]);
        assert_eq!(read("#{issue}", "- Support #channels").1, Vec::<u64>::new());
        assert_eq!(
            read("PR {issue}", "- Faster PR reviews").1,
            Vec::<u64>::new()
        );
        assert_eq!(
            read("GH-{issue}", "- Fix GH-12x parsing").1,
            Vec::<u64>::new()
        );
    }

    #[test]
    fn a_closed_format_reads_any_name_towncrier_takes_between_its_parts() {
        let pull = "[#{issue}](https://x/pull/{issue})";
        let link = |i: &str| format!("[#{i}](https://x/pull/{i})");
        for name in [
            "c++-support",
            "feat(x)",
            "ü-fix",
            "a,b",
            "+abc",
            "x]y",
            "a b",
            "[#",
        ] {
            let raw = format!("- Add it. ({})", link(name));
            assert_eq!(
                read(pull, &raw),
                ("Add it.".into(), vec![key(name)]),
                "{raw}"
            );
            let refs = RefFormat::new(Some(pull));
            assert_eq!(refs.fragment_key(name), Some(key(name)), "{name}");
        }
        // The jira format's opening part is one character: a name may hold it.
        let jira = "[{issue}](https://j/browse/{issue})";
        assert_eq!(
            read(jira, "- Add [[](https://j/browse/[)").1,
            vec![key("[")]
        );
        // Never past the closing part, never two names, never what no file is named.
        let long = "n".repeat(300);
        for raw in [
            "- Add [#a](https://x/pull/b)".to_string(),
            "- Add x[#a](https://x/pull/a)".to_string(),
            "- Add [#a/b](https://x/pull/a/b)".to_string(),
            "- Add [#a\nb](https://x/pull/a\nb)".to_string(),
            "- Add [# a](https://x/pull/ a)".to_string(),
            "- Add [#0114](https://x/pull/0114)".to_string(),
            format!("- Add {}", link(&long)),
        ] {
            assert_eq!(read(pull, &raw).1, Vec::<u64>::new(), "{raw}");
        }
        // Two references, and text between: each read as itself.
        let raw = format!("- Add {} and {} ({})", link("a+b"), link("c"), link("d@e"));
        let mut prs = read(pull, &raw).1;
        prs.sort_unstable();
        let mut want = vec![key("d@e"), key("a+b"), key("c")];
        want.sort_unstable();
        assert_eq!(prs, want);
        // An open format still reads names at the end only, of the shape words do not take.
        let open = RefFormat::new(Some("#{issue}"));
        assert_eq!(open.fragment_key("PROJ-12"), Some(key("PROJ-12")));
        assert_eq!(open.fragment_key("c++-support"), None);
    }

    #[test]
    fn a_fragment_files_issue_is_the_known_key_its_name_gives() {
        let known = [12, key("PROJ-12"), 1, key("1.2"), key("proj-12")];
        let file = |name: &str| file_issue(name, |k| known.contains(&k));
        assert_eq!(file("PROJ-12.feature.md"), Some(key("PROJ-12")));
        assert_eq!(file("proj-12.feature.md"), Some(key("proj-12")));
        assert_eq!(file("PROJ-12.feature.1.md"), Some(key("PROJ-12")));
        assert_eq!(file("12.fix.md"), Some(12));
        assert_eq!(file("0012.fix.1.md"), Some(12));
        // The longest known part: `1.2` is the issue of `1.2.fix.md`, not `1`.
        assert_eq!(file("1.2.fix.md"), Some(key("1.2")));
        assert_eq!(file("+abc.fix.md"), None);
        assert_eq!(file("PROJ-13.feature.md"), None);
        assert_eq!(file("13.fix.md"), None);
        assert!(is_name(key("PROJ-12")) && !is_name(12));
    }

    #[test]
    fn an_issue_key_names_its_issue_and_orders_as_towncrier() {
        assert_eq!(issue_key("12"), Some(12));
        assert_eq!(issue_key("0114"), None);
        assert_eq!(issue_key(""), None);
        // The same name, the same key (in every process: a hash, not a counter).
        assert_eq!(key("PROJ-12"), key("PROJ-12"));
        assert_ne!(key("PROJ-12"), key("proj-12"));
        assert_ne!(key("PROJ-12") & NAME_BIT, 0);
        assert_eq!(key("PROJ-12"), 0xecd1_c8cb_3731_c446);
        // A number past the keys of numbers is a name, never another number.
        let huge = "18446744073709551615";
        assert_ne!(key(huge), u64::MAX);
        assert_eq!(Issue(key(huge)).to_string(), huge);
        assert_eq!(Issue(12).to_string(), "#12");
        assert_eq!(Issue(key("PROJ-12")).to_string(), "PROJ-12");
        assert_eq!(pr_list(&[12, key("PROJ-12")]), "#12, PROJ-12");
        let mut keys = [9, key("PROJ-15"), 10, key("PROJ-12"), key("ABC-3")];
        keys.sort_by(|&a, &b| issue_order(a, b));
        let names: Vec<String> = keys.iter().map(|&k| issue_name(k)).collect();
        assert_eq!(names, ["ABC-3", "PROJ-12", "PROJ-15", "9", "10"]);
        let refs = RefFormat::new(Some("[{issue}](https://x/browse/{issue})"));
        assert_eq!(
            refs.example(key("PROJ-12")),
            "[PROJ-12](https://x/browse/PROJ-12)"
        );
        assert_eq!(refs.fragment_key("PROJ-12"), Some(key("PROJ-12")));
        // A bare format reads a tracker's key only: `experimental` would be a word.
        let bare = RefFormat::new(Some("{issue}"));
        assert_eq!(bare.fragment_key("PROJ-12"), Some(key("PROJ-12")));
        assert_eq!(bare.fragment_key("experimental"), None);
    }

    /// towncrier's `render_issue`: without an `issue_format` a number is `#12`, any other
    /// name itself, so such a name is no key the default format reads back.
    #[test]
    fn without_a_format_a_name_renders_as_itself() {
        let none = RefFormat::new(None);
        assert_eq!(none.render("12").as_deref(), Some("#12"));
        assert_eq!(none.render("PROJ-12").as_deref(), Some("PROJ-12"));
        assert_eq!(none.render("c++").as_deref(), Some("c++"));
        assert_eq!(none.fragment_key("12"), Some(12));
        assert_eq!(none.fragment_key("PROJ-12"), None);
        assert_eq!(none.example(key("PROJ-12")), "PROJ-12");
        let hash = RefFormat::new(Some("#{issue}"));
        assert_eq!(hash.render("PROJ-12").as_deref(), Some("#PROJ-12"));
        assert_eq!(hash.fragment_key("PROJ-12"), Some(key("PROJ-12")));
    }

    /// Which entries read their issues on lines of their own after the text only: a bare
    /// format's, not one read from parentheses, a link or another format.
    #[test]
    fn an_entry_reads_its_issues_on_lines_of_their_own_or_not() {
        let bare = RefFormat::new(Some("{issue}"));
        assert!(bare.on_own_lines("- Raise it from 30 to\n  60"));
        assert!(bare.on_own_lines("* Add export\n  12,\n  PROJ-3"));
        assert!(!bare.on_own_lines("- Add the importer (60)"));
        assert!(!bare.on_own_lines("- Drop Python 2"));
        assert!(!bare.on_own_lines("- Add it\n  60 (7)"));
        assert!(!bare.on_own_lines("- Add it\n\n  60"));
        let hash = RefFormat::new(None);
        assert!(!hash.on_own_lines("- Raise it from 30 to\n  60"));
    }
}
