//! References of an `issue_format` closed on both sides (`[#{issue}](…/pull/{issue})`,
//! `` :issue:`{issue}` ``): a name is what stands between its parts, any name towncrier
//! takes from a fragment's file name. And where no reading tells where a name ends (a
//! format open on a side, `GH-{issue}`, `{issue}`), the reference an entry ends with unread.

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

impl super::Changelog {
    /// How the project writes references, as this changelog was read with.
    pub fn ref_format(&self) -> &super::RefFormat {
        &self.refs
    }
}

/// The `(…)` that `text` (an entry's, none of its references read) ends with, when it
/// reads as references written with the format `written`, whose literal parts stand around each
/// `{issue}`: holding a `#` or a URL; or the first part at its start and the last at its
/// end, a name between (`(GH-c++-support)`, `(PR a@b)`); or, where a name is written as
/// itself (`bare`: a bare `{issue}` format, or none), a name a fragment's file may give —
/// no `/`, no control character, nothing to strip (`(c++-support)`, `(feat(x))`). The
/// balanced group first; else, as a name may hold a parenthesis alone (`x)`, `(y`), the
/// shortest that fits, opening within the last 300 bytes (a name is at most 255).
pub(super) fn unread_tail<'t>(text: &'t str, written: &str, bare: bool) -> Option<&'t str> {
    let parts: Vec<String> = (written.split("{issue}"))
        .map(|part| part.replace("{{", "{").replace("}}", "}"))
        .collect();
    let t = text.trim_end();
    if !t.ends_with(')') {
        return None;
    }
    let name = |n: &str| {
        !n.is_empty() && n.trim() == n && !n.contains(|c: char| c == '/' || c.is_control())
    };
    let (first, last) = (parts.first()?, parts.last()?);
    let open_sided = parts.len() > 1 && !(first.is_empty() && last.is_empty());
    let fits = |r: &str| {
        let inside = &r[1..r.len() - 1];
        let formatted = open_sided
            && (inside.strip_prefix(first.as_str()))
                .and_then(|n| n.strip_suffix(last.as_str()))
                .is_some_and(|n| !n.trim().is_empty());
        inside.contains('#') || inside.contains("://") || formatted || (bare && name(inside))
    };
    let mut depth = 0i64;
    let balanced = t.char_indices().rev().find(|&(_, c)| {
        depth += i64::from(c == ')') - i64::from(c == '(');
        c == '(' && depth == 0
    });
    if let Some((open, _)) = balanced.filter(|&(o, _)| fits(&t[o..])) {
        return Some(&t[open..]);
    }
    let near = (t.len().saturating_sub(300)..t.len()).find(|&i| t.is_char_boundary(i))?;
    let mut opens = t[near..]
        .match_indices('(')
        .map(|(o, _)| near + o)
        .collect::<Vec<_>>();
    opens.reverse();
    opens.into_iter().map(|o| &t[o..]).find(|r| fits(r))
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

    /// The reference an entry ends with unread, where a format open on a side writes it: the
    /// format's parts around a name, any name where it is written as itself; not prose's
    /// parentheses where the format's parts are not.
    #[test]
    fn an_unread_tail_is_what_the_format_writes_around_any_name() {
        let gh = "GH-{issue}";
        let tail = |t, p: &str, bare| unread_tail(t, p, bare);
        assert_eq!(
            tail("A. (GH-c++-support)", gh, false),
            Some("(GH-c++-support)")
        );
        assert_eq!(tail("A. (GH-feat(x))", gh, false), Some("(GH-feat(x))"));
        // A parenthesis alone in a name: the shortest tail the parts fit.
        assert_eq!(tail("A. (GH-x) (y)", gh, false), Some("(GH-x) (y)"));
        assert_eq!(tail("A. (GH-x))", gh, false), Some("(GH-x))"));
        assert_eq!(tail("A. (GH-a, GH-b)  ", gh, false), Some("(GH-a, GH-b)"));
        assert_eq!(tail("Add it (experimental)", gh, false), None);
        assert_eq!(tail("Add it (GH-)", gh, false), None);
        assert_eq!(tail("Add it (see #3)", gh, false), Some("(see #3)"));
        let pr = "PR {issue}";
        assert_eq!(tail("A. (PR a@b)", pr, false), Some("(PR a@b)"));
        assert_eq!(tail("A. (PRa)", pr, false), None);
        let bare = "{issue}";
        assert_eq!(tail("A. (ü-fix)", bare, true), Some("(ü-fix)"));
        assert_eq!(tail("A. (a/b)", bare, true), None);
        assert_eq!(tail("A. ( a)", bare, true), None);
        assert_eq!(tail("A.", bare, true), None);
        assert_eq!(tail("(", bare, true), None);
        assert_eq!(tail(")", bare, true), None);
        let long = format!("A. (GH-{})", "x".repeat(400));
        assert_eq!(tail(&long, gh, false), Some(&long[3..]));
    }
}
