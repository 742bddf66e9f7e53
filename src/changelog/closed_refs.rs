//! References of an `issue_format` closed on both sides (`[#{issue}](…/pull/{issue})`,
//! `` :issue:`{issue}` ``): a name is what stands between its parts, any name towncrier
//! takes from a fragment's file name.

use super::refs::{Span, issue_key};

/// The references of a format closed on both sides (`parts` around each `{issue}`: `[#`,
/// `](https://…/pull/`, `)`): a name stands between an opening part and the first closing
/// part, the longest towncrier takes from a file name (≤ 255 bytes, trimmed, no `/` nor
/// control character) that the rest of the format follows. Linear: one look per closing.
pub(super) fn closed_spans(body: &str, parts: &[String]) -> Vec<Span> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let glue = word(parts.last().and_then(|p| p.chars().next_back()));
    let (open, close) = (parts[0].as_str(), parts[1].as_str());
    let (mut out, mut from) = (Vec::new(), 0);
    for (c, _) in body.match_indices(close) {
        if c < from {
            continue;
        }
        // From the last reference's end: a closing part inside an opening one (`` ` `` of
        // `` :issue:`{issue}` ``) is no reference's end, and moves nothing.
        let lo = from.max(c.saturating_sub(260));
        let lo = (lo..c).find(|&i| body.is_char_boundary(i)).unwrap_or(c);
        let span = body[lo..c].match_indices(open).find_map(|(o, _)| {
            let (start, name) = (lo + o, &body[lo + o + open.len()..c]);
            let mut end = c;
            for (k, part) in parts[1..].iter().enumerate() {
                let rest = &body[end..];
                let rest = if k > 0 {
                    rest.strip_prefix(name)?
                } else {
                    rest
                };
                end = body.len() - rest.strip_prefix(part.as_str())?.len();
            }
            let unfit = name.is_empty()
                || name.trim() != name
                || name.contains(|ch: char| ch == '/' || ch.is_control())
                || word(body[..start].chars().next_back())
                || (glue && word(body[end..].chars().next()));
            let number = issue_key(name).filter(|_| !unfit)?;
            Some(Span { start, end, number })
        });
        if let Some(s) = &span {
            from = s.end;
        }
        out.extend(span);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(format: &[&str], body: &str) -> Vec<(usize, usize, u64)> {
        let parts: Vec<String> = format.iter().map(|p| p.to_string()).collect();
        closed_spans(body, &parts)
            .into_iter()
            .map(|s| (s.start, s.end, s.number))
            .collect()
    }

    /// A closing part that the opening part holds too (a role's backtick): the opening's
    /// own backtick is no reference's end (merging two helpers' work lost every `:issue:`
    /// reference of reStructuredText projects).
    #[test]
    fn a_closing_part_inside_the_opening_part_reads() {
        let role = [":issue:`", "`"];
        let body = "- Fixed bar. (:issue:`1181`)";
        assert_eq!(read(&role, body), [(14, 27, 1181)]);
        let two = "- Two. (:issue:`12`, :issue:`c++-support`)";
        let found = read(&role, two);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].2, 12);
        assert_eq!(found[1].2, issue_key("c++-support").unwrap());
        let link = ["[#", "](https://x/pull/", ")"];
        let body = "- A ([#7](https://x/pull/7), [#a+b](https://x/pull/a+b))";
        assert_eq!(read(&link, body).len(), 2);
        assert!(read(&role, "- Prose with `code` and :issue: alone").is_empty());
    }
}
