//! An entry's text as a reader sees it, without its Markdown and HTML markup: what every
//! strategy groups, titles and describes. A link keeps its text and loses its target, a
//! bare URL, an autolink, an HTML tag or comment go, so that `https`, `github` or `com`
//! never become words of an entry (a group titled "Log and Com Example" came from links in
//! fragments whose names held spaces). Code spans keep their backticks: they are words a
//! description may quote, and no strategy reads a backtick as a word.

use std::borrow::Cow;

/// `text` without markup; borrowed when there is none (the common case).
pub fn plain(text: &str) -> Cow<'_, str> {
    // Every pattern below needs one of `[`, `<`, `:`, a `/` (a bare domain's path) or `www.`
    // in any case (`WWW.example.org`: the URL pattern ignores case; no letter but `W`
    // folds to `w`).
    let www = |t: &str| {
        t.as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"www."))
    };
    if !text.contains(['[', '<', ':', '/']) && !www(text) {
        return Cow::Borrowed(text);
    }
    // Order matters: comments and autolinks before tags; links before bare URLs (a link's
    // target is a URL), images with them (`![alt](src)` is a link after a `!`); a link
    // whose text is a reference (`[#12](…)`, what towncrier writes for an issue it could not
    // read as a number) goes whole; links are undone until none is left (a link inside a
    // link's text, from a fragment name holding one); a destination with spaces is still
    // a destination (towncrier writes `…/issues/12 3`).
    let mut out = text.to_owned();
    fn replace_in(out: &mut String, re: &regex::Regex, with: &str) {
        if let Cow::Owned(s) = re.replace_all(out, with) {
            *out = s;
        }
    }
    // Each pattern is tried only on a text holding what every match of it holds (a
    // literal, in its case), so a pattern no entry needs is never compiled.
    if out.contains("<!--") {
        replace_in(&mut out, static_regex!(r"(?s)<!--.*?-->"), " ");
    }
    if out.contains('<') {
        replace_in(
            &mut out,
            static_regex!(r"<(?:[A-Za-z][A-Za-z0-9+.\-]*:|www\.)[^>\s]*>"),
            " ",
        );
    }
    for _ in 0..4 {
        if !out.contains("](") && !out.contains("][") {
            break;
        }
        let before = out.len();
        replace_in(
            &mut out,
            static_regex!(r"\(?\[#[^\[\]]*\]\([^()\n]*\)\)?"),
            " ",
        );
        replace_in(
            &mut out,
            static_regex!(
                r#"!?\[([^\[\]]*)\]\(\s*<?[^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*>?(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)"#
            ),
            "$1",
        );
        replace_in(
            &mut out,
            static_regex!(r"!?\[([^\[\]]*)\]\([^()\n]*\)"),
            "$1",
        );
        replace_in(&mut out, static_regex!(r"\[([^\[\]]+)\]\[[^\[\]]*\]"), "$1");
        if out.len() == before {
            break;
        }
    }
    if out.contains('<') {
        replace_in(
            &mut out,
            static_regex!(r"</?[A-Za-z][A-Za-z0-9\-]*(?:\s[^<>]*)?/?>"),
            " ",
        );
    }
    if may_hold(
        &out,
        &["http:", "https:", "ftp:", "file:", "mailto:", "www."],
    ) {
        replace_in(
            &mut out,
            static_regex!(
                r"(?i)\b(?:(?:https?|ftp|file|mailto):|www\.)[^\s<>]*[^\s<>.,;:!?)\]'\x22]"
            ),
            " ",
        );
    }
    // A bare domain with a path (`example.com/quota`): the common top-level domains only,
    // and only with the path, so that a package or file name (`backend.ai-common`,
    // `setup.py`) stays a word.
    let domains = [
        ".com/", ".org/", ".net/", ".io/", ".dev/", ".ai/", ".app/", ".co/", ".edu/", ".gov/",
        ".info/", ".cloud/",
    ];
    if out.contains('/') && may_hold(&out, &domains) {
        replace_in(
            &mut out,
            static_regex!(
                r"(?i)\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|ai|app|co|edu|gov|info|cloud)/[^\s<>]*[^\s<>.,;:!?)\]'\x22]"
            ),
            " ",
        );
    }
    if out == text {
        return Cow::Borrowed(text);
    }
    Cow::Owned(out)
}

/// Whether `text` may hold a match of a case-insensitive pattern every match of which
/// holds one of `literals` (lower-case ASCII) in some case. Such a pattern ignores case
/// as Unicode does (`ſ` matches `s`, `K` matches `k`): text that is not ASCII may.
fn may_hold(text: &str, literals: &[&str]) -> bool {
    if !text.is_ascii() {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    literals.iter().any(|l| lower.contains(l))
}

#[cfg(test)]
mod tests {
    use super::plain;

    /// [`plain`] as it was written before its patterns were guarded: every pattern tried
    /// on every text that holds one of `[`, `<`, `:`, `/` or `www.`.
    fn unguarded(text: &str) -> String {
        let re = |p: &str| regex::Regex::new(p).unwrap();
        let mut out = text.to_owned();
        let replace = |out: &mut String, p: &str, with: &str| {
            *out = re(p).replace_all(out, with).into_owned();
        };
        replace(&mut out, r"(?s)<!--.*?-->", " ");
        replace(
            &mut out,
            r"<(?:[A-Za-z][A-Za-z0-9+.\-]*:|www\.)[^>\s]*>",
            " ",
        );
        for _ in 0..4 {
            let before = out.len();
            replace(&mut out, r"\(?\[#[^\[\]]*\]\([^()\n]*\)\)?", " ");
            replace(
                &mut out,
                r#"!?\[([^\[\]]*)\]\(\s*<?[^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*>?(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)"#,
                "$1",
            );
            replace(&mut out, r"!?\[([^\[\]]*)\]\([^()\n]*\)", "$1");
            replace(&mut out, r"\[([^\[\]]+)\]\[[^\[\]]*\]", "$1");
            if out.len() == before {
                break;
            }
        }
        replace(&mut out, r"</?[A-Za-z][A-Za-z0-9\-]*(?:\s[^<>]*)?/?>", " ");
        replace(
            &mut out,
            r"(?i)\b(?:(?:https?|ftp|file|mailto):|www\.)[^\s<>]*[^\s<>.,;:!?)\]'\x22]",
            " ",
        );
        replace(
            &mut out,
            r"(?i)\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|ai|app|co|edu|gov|info|cloud)/[^\s<>]*[^\s<>.,;:!?)\]'\x22]",
            " ",
        );
        out
    }

    proptest::proptest! {
        /// A pattern skipped for want of its literal could not have matched: the text is
        /// the unguarded one's, for links, references, tags, comments, URLs and domains in
        /// any case, with the Unicode letters case-insensitive patterns fold (`ſ`, `K`).
        #[test]
        fn guarded_patterns_change_nothing(
            text in "([a-z ./:#()<>!\\[\\]-]|HTTP|Https|hTtPſ|ftp|FILE|mailto|WWW|www\\.|\\.com/|\\.CoM/|\\.io/|\\.ai|example|<!--|-->|<br/>|<b>|\\[x\\]\\(y\\)|\\]\\[|\\]\\(|ſ|K|é){0,24}"
        ) {
            proptest::prop_assert_eq!(plain(&text).into_owned(), unguarded(&text));
        }
    }

    #[test]
    fn guarded_patterns_examples() {
        for text in [
            "See HTTPS://Example.COM/a now",
            "See httpſ://example.com/a now",
            "At WWW.example.org and example.CLOUD/x.",
            "WWW.ai",
            "See Www.example.org",
            "Fix a/b and c:d",
            "A [link](u) and [ref][r] and <i>x</i> <!-- c -->",
            "Nothing to drop",
        ] {
            assert_eq!(plain(text), unguarded(text), "{text:?}");
        }
    }

    #[test]
    fn links_keep_their_text_and_lose_their_target() {
        assert_eq!(
            plain("Fix the [login page](https://example.com/a_(b)) layout"),
            "Fix the login page layout"
        );
        assert_eq!(
            plain("See ![diagram](img/x.png \"title\") now"),
            "See diagram now"
        );
        assert_eq!(
            plain("Use [the guide][guide] for it"),
            "Use the guide for it"
        );
    }

    #[test]
    fn urls_tags_and_comments_are_not_words() {
        let t = plain(
            "Add <https://github.com/x/y> and https://example.com/p?q=1, <br/>done <!-- hidden\nnote -->",
        );
        assert!(!t.contains("http"), "{t}");
        assert!(!t.contains("github"), "{t}");
        assert!(!t.contains("br"), "{t}");
        assert!(!t.contains("hidden"), "{t}");
        assert!(t.contains("done"), "{t}");
        assert!(t.contains(','), "punctuation after a URL stays: {t}");
    }

    #[test]
    fn references_domains_and_links_in_links_go() {
        let t = plain("Add a zzthing ([#12 3](https://github.com/o/r/issues/12 3))");
        assert_eq!(t.trim(), "Add a zzthing", "{t}");
        let t = plain("Add it ([#[x](http:a)](https://github.com/o/r/issues/[x](http:a)))");
        assert!(!t.contains('[') && !t.contains("http"), "{t}");
        let t = plain("Fix a loop at www.example.com/quota and example.com/a/b, see setup.py");
        assert!(!t.contains("example") && !t.contains("www"), "{t}");
        assert!(t.contains("setup.py"), "{t}");
        let t = plain("Fix a crash on www.example.com start");
        assert!(!t.contains("example"), "{t}");
        let t = "Add `pycares` to `backend.ai-common` and example.com";
        assert_eq!(plain(t), t);
    }

    #[test]
    fn code_spans_stay_as_written() {
        let t = "Rename `FairShareService` to `fair_share`";
        assert_eq!(plain(t), t);
    }

    #[test]
    fn text_without_markup_is_borrowed_and_unchanged() {
        for t in [
            "Plain text (with parentheses) and a < b",
            "a: b",
            "vfolder 3.0",
        ] {
            assert_eq!(plain(t), t);
        }
        assert!(matches!(
            plain("no markup here"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(plain("ratio 1:2 and a < b > c"), "ratio 1:2 and a < b > c");
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_safe_and_urls_never_survive(
            before in "[ -~\u{e9}\u{4e2d}\n]{0,40}",
            host in "[a-z]{1,10}(\\.[a-z]{2,5}){1,2}",
            path in "(/[A-Za-z0-9_\\-.?=&%()]{0,12}){0,3}",
            after in "[ -~]{0,40}",
            shape in 0..4usize,
        ) {
            let url = format!("https://{host}{path}");
            let middle = match shape {
                0 => url.clone(),
                1 => format!("<{url}>"),
                2 => format!("[{before}x]({url})"),
                _ => format!("({url})"),
            };
            let text = format!("{before} {middle} {after}");
            let out = plain(&text);
            proptest::prop_assert!(!out.contains(&url), "{text:?} -> {out:?}");
            proptest::prop_assert!(!out.contains(&format!("//{host}")), "{text:?} -> {out:?}");
        }
    }
}
