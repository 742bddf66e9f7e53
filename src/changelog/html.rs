//! Where CommonMark's HTML blocks start: types 1–5 (`<pre>`, `<!--`…), which run to their
//! end marker, type 6 (a block-level tag), which runs to a blank line, and type 7 (any
//! other tag alone on its line, which cannot interrupt a paragraph), which does too.

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

/// The HTML block of types 1–5 `content` opens (at its start): its opener as shown, the
/// markers that end it (lower case), and the bytes of the opener.
pub(super) fn html_opener(content: &str) -> Option<(&'static str, &'static [&'static str], usize)> {
    const RAW: &[&str] = &["</pre>", "</script>", "</style>", "</textarea>"];
    let lower = content
        .get(..content.len().min(10))
        .unwrap_or(content)
        .to_ascii_lowercase();
    for (tag, name) in [
        ("<pre", "<pre>"),
        ("<script", "<script>"),
        ("<style", "<style>"),
        ("<textarea", "<textarea>"),
    ] {
        if let Some(after) = lower.strip_prefix(tag)
            && after
                .chars()
                .next()
                .is_none_or(|c| c == '>' || c.is_whitespace())
        {
            return Some((name, RAW, tag.len()));
        }
    }
    if lower.starts_with("<!--") {
        return Some(("<!--", &["-->"], 4));
    }
    if lower.starts_with("<?") {
        return Some(("<?", &["?>"], 2));
    }
    if lower.starts_with("<![cdata[") {
        return Some(("<![CDATA[", &["]]>"], 9));
    }
    if lower.starts_with("<!") && lower[2..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some(("<!", &[">"], 2));
    }
    None
}

/// An HTML block of type 7: a complete opening or closing tag alone on its line.
pub(super) fn html_tag_line(content: &str) -> bool {
    static_regex!(
        r#"^(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)\s*$"#
    )
    .is_match(content)
}
