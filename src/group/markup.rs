//! An entry's text as a reader sees it, without its Markdown and HTML markup: what every
//! strategy groups, titles and describes. A link keeps its text and loses its target, a
//! bare URL, an autolink, an HTML tag or comment go, so that `https`, `github` or `com`
//! never become words of an entry (a group titled "Log and Com Example" came from links in
//! fragments whose names held spaces). Code spans keep their backticks: they are words a
//! description may quote, and no strategy reads a backtick as a word.

use std::borrow::Cow;

/// `text` without markup; borrowed when there is none (the common case).
pub fn plain(text: &str) -> Cow<'_, str> {
    if !text.contains(['[', '<', ':']) {
        return Cow::Borrowed(text);
    }
    // Order matters: comments and autolinks before tags, links before bare URLs (a link's
    // target is a URL), images before links (`![alt](src)` is a link after a `!`).
    let steps: [(&regex::Regex, &str); 6] = [
        (static_regex!(r"(?s)<!--.*?-->"), " "),
        (
            static_regex!(r"<(?:[A-Za-z][A-Za-z0-9+.\-]*:|www\.)[^>\s]*>"),
            " ",
        ),
        (
            static_regex!(
                r#"!?\[([^\[\]]*)\]\(\s*<?[^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*>?(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)"#
            ),
            "$1",
        ),
        (static_regex!(r"\[([^\[\]]+)\]\[[^\[\]]*\]"), "$1"),
        (
            static_regex!(r"</?[A-Za-z][A-Za-z0-9\-]*(?:\s[^<>]*)?/?>"),
            " ",
        ),
        (
            static_regex!(
                r"(?i)\b(?:(?:https?|ftp|file|mailto):|www\.)[^\s<>]*[^\s<>.,;:!?)\]'\x22]"
            ),
            " ",
        ),
    ];
    let mut out = text.to_owned();
    for (re, with) in steps {
        if let Cow::Owned(s) = re.replace_all(&out, with) {
            out = s;
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::plain;

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
