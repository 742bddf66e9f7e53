//! What a group title or description may hold: one line of plain inline text. Every
//! strategy's titles and descriptions pass through [`check`] before they are published
//! (the grouping command's answer, a rules file when it is read, a label's name before it
//! becomes a title, and [`group_category`](super::group_category) for all of them), so that
//! text that is not an entry can never start a Markdown block (a heading, a list item that
//! reads as an entry, a code fence, an HTML block), break a line, carry a control
//! character, or link anywhere (a link in a title or description would publish a target no
//! input holds, or list a PR a second time, outside its entry). The entries carry the links.

/// Why a title or description is unfit, as a phrase: "a line break", "the control
/// character U+0000", "a Markdown heading start (`#`)", "a link or URL"…
pub type Unfit = String;

/// `s` checked (trimmed), or what makes it unfit to publish as a group title or
/// description. The one place that decides.
pub fn check(s: &str) -> std::result::Result<String, Unfit> {
    if s.contains(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']) {
        return Err("a line break".into());
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(format!("the control character U+{:04X}", u32::from(c)));
    }
    if s.starts_with("    ") {
        return Err("four leading spaces, which Markdown reads as indented code".into());
    }
    let s = s.trim();
    if let Some(what) = block_start(s) {
        return Err(format!("\"{s}\", which would be read as a Markdown {what}"));
    }
    if s.contains("](") || s.contains("://") || s.contains("<http") || s.contains("<www.") {
        return Err("a link or URL (the entries carry the links)".into());
    }
    // Reference links: `[text][label]`, `[text][]`, and `[#121]`, which the changelog's own
    // definitions (`[#121]: https://…`, keep-a-changelog's footer) turn into a PR's link.
    if s.contains("][") || reference_to_a_pr(s) {
        return Err("a reference link (the entries carry the links)".into());
    }
    if autolink(s) {
        return Err("a web or e-mail address GitHub shows as a link".into());
    }
    if let Some(tag) = html_tag(s) {
        return Err(format!(
            "the raw HTML `{tag}` (write it in backticks to show it as code)"
        ));
    }
    if !s.is_empty() && s.chars().all(|c| c.is_whitespace() || invisible(c)) {
        return Err("nothing visible (only spaces or zero-width characters)".into());
    }
    if let Some(c) = s.chars().find(|&c| hides_or_reorders(c)) {
        return Err(format!(
            "the invisible character U+{:04X}, which hides or reorders the text around it",
            u32::from(c)
        ));
    }
    Ok(s.to_string())
}

/// Whether `s` holds `[#<digits>]`: a shortcut reference a changelog defines for a PR.
fn reference_to_a_pr(s: &str) -> bool {
    !pr_shortcut_references(s).is_empty()
}

/// The PRs `s` names as `[#<digits>]` (not followed by `(` or `:`, an inline link or a
/// definition): shortcut references, which the changelog's definitions (`[#121]: https://…`)
/// make links to those PRs.
pub fn pr_shortcut_references(s: &str) -> Vec<u64> {
    s.match_indices("[#")
        .filter_map(|(at, _)| {
            let rest = &s[at + 2..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let after = rest[digits..].strip_prefix(']')?;
            (digits > 0 && !after.starts_with(['(', ':']))
                .then(|| rest[..digits].parse().ok())
                .flatten()
        })
        .collect()
}

/// The labels of `s`'s shortcut references (`[docs]`, `[#121]`), normalized as CommonMark
/// matches a label to its definition ([`normal_label`]): brackets not escaped, outside code
/// spans, holding no other bracket, not followed by `(` or `[` (an inline or full reference
/// link, refused by [`check`] on their own) or `:` (a definition). Plain text where no
/// definition names the label; a link where one does, anywhere in the document (a
/// changelog's footer of `[docs]: https://…`).
pub fn shortcut_labels(s: &str) -> Vec<String> {
    let bytes = s.as_bytes();
    let mut labels = Vec::new();
    let mut open: Option<usize> = None;
    let mut code_run = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'`' => {
                // A code span runs to a run of as many backticks.
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                code_run = if code_run == run {
                    0
                } else if code_run == 0 {
                    run
                } else {
                    code_run
                };
                i += run;
                continue;
            }
            _ if code_run > 0 => {}
            b'[' => open = Some(i),
            b']' => {
                if let Some(at) = open.take() {
                    let label = &s[at + 1..i];
                    let next = bytes.get(i + 1);
                    if !label.trim().is_empty() && !matches!(next, Some(b'(' | b'[' | b':')) {
                        labels.push(normal_label(label));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    labels
}

/// A link label as CommonMark matches it to a definition: trimmed, every run of white space
/// one space, case folded.
pub fn normal_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `s` holds a link GitHub makes without any markup: `www.example.com` or an
/// e-mail address (GFM's extended autolinks).
fn autolink(s: &str) -> bool {
    s.split(|c: char| c.is_whitespace() || "()<>\"'".contains(c))
        .any(|w| {
            let domain = |d: &str| {
                let d = d.trim_end_matches(['.', ',', ';', ':', '!', '?']);
                d.contains('.') && d.split('.').all(|p| !p.is_empty())
            };
            w.strip_prefix("www.")
                .is_some_and(|rest| !rest.is_empty() && domain(rest))
                || w.split_once('@').is_some_and(|(user, host)| {
                    !user.is_empty()
                        && user
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || ".-_+".contains(c))
                        && domain(host)
                })
        })
}

/// What block a trimmed line opens in Markdown (CommonMark and GitHub's), if any.
pub fn block_start(s: &str) -> Option<&'static str> {
    let first = s.chars().next()?;
    let rest = &s[first.len_utf8()..];
    // A marker followed by nothing or a space (a tab is refused as a control character).
    let marker_then_space = |r: &str| r.is_empty() || r.starts_with(' ');
    // Only `c` and spaces, with at least `n` of `c`.
    let only = |c: char, n: usize| {
        s.chars().all(|x| x == c || x == ' ') && s.chars().filter(|&x| x == c).count() >= n
    };
    match first {
        '#' => Some("heading"),
        '>' => Some("block quote"),
        '`' | '~' if s.starts_with("```") || s.starts_with("~~~") => Some("code fence"),
        '=' if only('=', 1) => Some("heading underline"),
        '-' if only('-', 1) => Some("heading underline or thematic break"),
        '*' | '_' if only(first, 3) => Some("thematic break"),
        '-' | '*' | '+' if marker_then_space(rest) => Some("list item"),
        '<' => {
            let next = rest.chars().next();
            next.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
                .then_some("HTML block or comment")
        }
        '[' => {
            // `[label]: destination` defines a link and is not shown.
            let close = rest.find(']')?;
            rest[close + 1..]
                .starts_with(':')
                .then_some("link reference definition")
        }
        '0'..='9' => {
            let digits = s.chars().take_while(char::is_ascii_digit).count();
            let after = &s[digits..];
            let marker = after.starts_with('.') || after.starts_with(')');
            (digits <= 9 && marker && marker_then_space(&after[1..])).then_some("ordered list item")
        }
        _ => None,
    }
}

/// The first raw HTML tag or comment outside code spans (`<script>`, `</div>`, `<!--`),
/// which a renderer would take as markup rather than show; `a < b` and `<3` are text.
fn html_tag(s: &str) -> Option<String> {
    let mut in_code = false;
    for (i, c) in s.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '<' if !in_code => {
                let rest = &s[i + 1..];
                let opens = rest.chars().next().is_some_and(|n| {
                    n.is_ascii_alphabetic()
                        || matches!(n, '!' | '?')
                        || (n == '/' && rest[1..].starts_with(|x: char| x.is_ascii_alphabetic()))
                });
                if opens {
                    let end = rest.find('>').map_or(rest.len(), |e| e + 1);
                    let tag: String = s[i..i + 1 + end].chars().take(40).collect();
                    return Some(tag);
                }
            }
            _ => {}
        }
    }
    None
}

/// Characters that take no room: zero-width spaces and joiners, bidirectional marks, the
/// byte-order mark, the soft hyphen.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{feff}'
    )
}

/// Format characters a title or description has no use for: bidirectional overrides,
/// embeddings and isolates (which reorder what follows), zero-width spaces and the
/// byte-order mark. (Joiners stay: emoji and some scripts need them.)
fn hides_or_reorders(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'
            | '\u{2066}'..='\u{2069}' | '\u{feff}'
    )
}

/// `text` with every control character but the line break (and the tab) shown as an escape
/// (`\x1b`, `\u{2028}`): text quoted in a message never reaches the terminal as escape
/// sequences.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\n' || c == '\t' {
            out.push(c);
        } else if c.is_control() && u32::from(c) < 0x100 {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` on one line for a message: line breaks shown as `\n`, escapes as [`visible`].
pub fn quoted(text: &str) -> String {
    let shown: String = text.chars().take(80).collect();
    visible(&shown.replace('\n', "\\n").replace('\t', "\\t"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_is_accepted_and_trimmed() {
        for ok in [
            "Faster scheduling",
            "  Faster scheduling ",
            "2026.1 compatibility",
            "1.5x faster",
            "-- flags",
            "*Emphasis* first",
            "__init__ files",
            "<3 for users",
            "a < b",
            "[Preview] features",
            "Issue #121 [fixed]",
            "Support user@host",
            "www. release",
            "Uses ## in the middle",
            "Ünïcödé and RTL \u{5d0}",
            "Support `List<String>` in the SDK",
        ] {
            assert_eq!(check(ok).as_deref(), Ok(ok.trim()), "{ok:?}");
        }
    }

    #[test]
    fn shortcut_labels_are_read_as_a_renderer_matches_them() {
        assert_eq!(shortcut_labels("Usage, see [Docs]."), ["docs"]);
        assert_eq!(
            shortcut_labels("[The  API\tguide] and [#12]"),
            ["the api guide", "#12"]
        );
        // Escaped, in code, empty, links, definitions: none.
        for none in [
            "\\[docs\\]",
            "`[docs]`",
            "``a ` [docs]``",
            "[ ]",
            "[x](u)",
            "[x]: u",
            "no brackets",
        ] {
            assert!(
                shortcut_labels(none).is_empty(),
                "{none:?}: {:?}",
                shortcut_labels(none)
            );
        }
        // A full reference's label is its second brackets'.
        assert_eq!(shortcut_labels("[x][y]"), ["y"]);
        // The innermost brackets are the label: `[a [b]` links `b`.
        assert_eq!(shortcut_labels("[a [b]"), ["b"]);
    }

    #[test]
    fn links_urls_html_and_invisible_titles_are_refused() {
        for (bad, needle) in [
            ("See [x](https://evil.example/#1) Stuff", "link or URL"),
            (
                "Added ([#8560](https://x/issues/8560)) things",
                "link or URL",
            ),
            ("Docs at https://example.com", "link or URL"),
            ("Docs at <https://example.com>", "link or URL"),
            ("![img](a.png) title", "link or URL"),
            ("Area <script>alert(1)</script>", "raw HTML `<script>`"),
            ("Fold </details> here", "raw HTML `</details>`"),
            ("Note <!-- hidden", "raw HTML `<!-- hidden`"),
            ("\u{200b}", "nothing visible"),
            ("\u{200b} \u{feff}", "nothing visible"),
            ("Usage Reports and [#121]", "reference link"),
            ("See [the docs][docs]", "reference link"),
            ("See [docs][]", "reference link"),
            ("Usage www.example.com", "address GitHub shows as a link"),
            ("Ask me@example.com", "address GitHub shows as a link"),
        ] {
            let err = check(bad).unwrap_err();
            assert!(err.contains(needle), "{bad:?}: {err}");
        }
    }

    #[test]
    fn line_breaks_and_control_characters_are_refused() {
        for (bad, needle) in [
            ("a\nb", "line break"),
            ("Usage\n## 9.9.9 (2020-01-01)", "line break"),
            ("a\rb", "line break"),
            ("a\u{2028}b", "line break"),
            ("a\u{2029}b", "line break"),
            ("a\u{85}b", "line break"),
            ("a\0b", "U+0000"),
            ("a\u{b}b", "U+000B"),
            ("a\tb", "U+0009"),
            ("a\u{1b}[31mb", "U+001B"),
            ("a\u{9b}b", "U+009B"),
        ] {
            let err = check(bad).unwrap_err();
            assert!(err.contains(needle), "{bad:?}: {err}");
        }
    }

    #[test]
    fn every_markdown_block_start_is_refused() {
        for (bad, needle) in [
            ("# T", "heading"),
            ("> quoted", "block quote"),
            ("```", "code fence"),
            ("~~~", "code fence"),
            ("<pre>", "HTML"),
            ("<!-- c -->", "HTML"),
            ("1. item", "ordered list item"),
            ("- item", "list item"),
            ("* Fake entry", "list item"),
            ("---", "thematic break"),
            ("===", "heading underline"),
            ("[1]: https://evil.example", "link reference definition"),
            ("    code", "indented code"),
        ] {
            let err = check(bad).unwrap_err();
            assert!(err.contains(needle), "{bad:?}: {err}");
        }
    }

    #[test]
    fn quoted_text_shows_breaks_and_escapes() {
        assert_eq!(quoted("a\nb\u{1b}[1m"), "a\\nb\\x1b[1m");
    }
}
