//! Words of an entry, the way every strategy sees them: identifiers split
//! (`FairShareService`, `fair_share`, `fair-share` → fair share service), lower-cased,
//! plurals folded, common abbreviations expanded and filler words dropped.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::LazyLock;

use foldhash::fast::FixedState;

/// Words that say nothing about what a change is about: English filler and the verbs every
/// changelog entry starts with.
const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "by",
    "from",
    "at",
    "as",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "into",
    "via",
    "when",
    "while",
    "which",
    "who",
    "whom",
    "whose",
    "not",
    "no",
    "so",
    "than",
    "then",
    "there",
    "their",
    "them",
    "they",
    "we",
    "our",
    "you",
    "your",
    "can",
    "could",
    "should",
    "would",
    "will",
    "shall",
    "may",
    "might",
    "must",
    "do",
    "does",
    "did",
    "also",
    "only",
    "just",
    "more",
    "most",
    "less",
    "least",
    "very",
    "all",
    "any",
    "each",
    "every",
    "both",
    "either",
    "neither",
    "other",
    "others",
    "some",
    "such",
    "same",
    "new",
    "now",
    "instead",
    "add",
    "adds",
    "added",
    "adding",
    "fix",
    "fixes",
    "fixed",
    "fixing",
    "implement",
    "implements",
    "implemented",
    "implementing",
    "support",
    "supports",
    "supported",
    "supporting",
    "update",
    "updates",
    "updated",
    "updating",
    "remove",
    "removes",
    "removed",
    "removing",
    "improve",
    "improves",
    "improved",
    "improving",
    "introduce",
    "introduced",
    "introduces",
    "enable",
    "enables",
    "enabled",
    "allow",
    "allows",
    "allowed",
    "use",
    "uses",
    "used",
    "using",
    "make",
    "makes",
    "made",
    "ensure",
    "ensures",
    "ensured",
    "prevent",
    "prevents",
    "prevented",
    "handle",
    "handles",
    "handled",
    "correct",
    "corrected",
    "apply",
    "applied",
    "applies",
    "refactor",
    "refactored",
    "change",
    "changes",
    "changed",
    "changing",
    "set",
    "sets",
    "setting",
    "properly",
    "proper",
    "correctly",
    "incorrect",
    "incorrectly",
    "issue",
    "issues",
    "error",
    "errors",
    "bug",
    "bugs",
    "missing",
    "wrong",
    "unnecessary",
    "unused",
    "existing",
    "after",
    "before",
    "during",
    "without",
    "within",
    "across",
    "between",
    "based",
    "previously",
    "e",
    "g",
    "eg",
    "i",
    "ie",
    "etc",
    "if",
    "but",
    "because",
    "has",
    "have",
    "had",
    "not",
];

/// Abbreviations that mean the same thing in changelogs everywhere.
const SYNONYMS: &[(&str, &str)] = &[
    ("gql", "graphql"),
    ("db", "database"),
    ("k8s", "kubernetes"),
    ("auth", "authentication"),
    ("authn", "authentication"),
    ("authz", "authorization"),
    ("config", "configuration"),
    ("cfg", "configuration"),
    ("conf", "configuration"),
    ("deps", "dependency"),
    ("dep", "dependency"),
    ("doc", "documentation"),
    ("docs", "documentation"),
    ("perf", "performance"),
    ("repo", "repository"),
    ("env", "environment"),
    ("msg", "message"),
    ("req", "request"),
    ("resp", "response"),
    ("impl", "implementation"),
    ("util", "utility"),
    ("utils", "utility"),
];

static STOPWORD_SET: LazyLock<std::collections::HashSet<&'static str, FixedState>> =
    LazyLock::new(|| STOPWORDS.iter().copied().collect());

pub fn is_stopword(word: &str) -> bool {
    STOPWORD_SET.contains(word)
}

/// The written tokens of `text`, in order: an ASCII letter or digit, then ASCII letters,
/// digits and identifier punctuation (`[A-Za-z0-9][A-Za-z0-9_\-./:]*`, leftmost-longest).
/// Scanned by hand: every byte of the classes is ASCII, so no byte of a multi-byte
/// character can start or extend a token, and a regex's per-match set-up was a third of
/// the time of [`surfaces`] (called for every entry of the history).
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + bytes[at..].iter().position(u8::is_ascii_alphanumeric)?;
        let len = bytes[start + 1..]
            .iter()
            .position(|&b| {
                !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b':'))
            })
            .unwrap_or(bytes.len() - start - 1);
        at = start + 1 + len;
        // Both ends are ASCII bytes or the text's end: character boundaries.
        text.get(start..at)
    })
}

/// Split an identifier into its words: camelCase, PascalCase, `V2GQL`, snake_case,
/// kebab-case, dotted.paths.
pub fn split_identifier(raw: &str) -> Vec<String> {
    let mut words = Vec::new();
    identifier_parts(raw, |part| words.push(part.to_string()));
    words
}

/// The words of [`split_identifier`], each handed to `each` as a slice of `raw`: no new
/// string for a part that is then dropped (a stop word, a number), as [`surfaces`] drops
/// many of every entry's.
fn identifier_parts<'a>(raw: &'a str, mut each: impl FnMut(&'a str)) {
    let separator = |c: char| matches!(c, '_' | '-' | '.' | '/' | ':');
    // Most words have no ASCII capital and no separator: nothing to split (every boundary
    // below needs one), and no need to walk them char by char.
    if !raw.chars().any(|c| c.is_ascii_uppercase() || separator(c)) {
        if !raw.is_empty() {
            each(raw);
        }
        return;
    }
    // An ASCII identifier (every token of an entry) is walked by its bytes, each a
    // character at its own offset; other text by its characters, collected.
    let collected: Vec<(usize, char)>;
    let chars: &dyn Fn(usize) -> Option<(usize, char)> = if raw.is_ascii() {
        &|i| raw.as_bytes().get(i).map(|&b| (i, char::from(b)))
    } else {
        collected = raw.char_indices().collect();
        &|i| collected.get(i).copied()
    };
    // Where the current word starts, once it has a character.
    let mut start: Option<usize> = None;
    for (i, (at, c)) in (0..).map_while(chars).enumerate() {
        if separator(c) {
            if let Some(s) = start.take() {
                each(&raw[s..at]);
            }
            continue;
        }
        if let (Some(s), Some((_, prev))) = (start, i.checked_sub(1).and_then(chars)) {
            let next = chars(i + 1).map(|(_, n)| n);
            let boundary = (prev.is_ascii_lowercase() && c.is_ascii_uppercase())
                // `V2GQL` → V2 GQL, `V2Api` → V2 Api
                || (prev.is_ascii_digit() && c.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_alphabetic()))
                // `HTTPServer` → HTTP Server
                || (prev.is_ascii_uppercase() && c.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary {
                each(&raw[s..at]);
                start = Some(at);
            }
        }
        start.get_or_insert(at);
    }
    if let Some(s) = start {
        each(&raw[s..]);
    }
}

/// Fold English plurals so `buckets` and `bucket` are one word.
pub fn stem(word: &str) -> String {
    let n = word.len();
    if n > 4 && word.ends_with("ies") {
        return format!("{}y", &word[..n - 3]);
    }
    if n > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..n - 1].to_string();
    }
    word.to_string()
}

/// The content words of a text, in order: split, lower-cased, stemmed, abbreviations
/// expanded, stopwords and bare numbers dropped. `graph ql` becomes `graphql`.
pub fn words(text: &str) -> Vec<String> {
    shared_words(text).to_vec()
}

/// [`words`], shared: grouping reads the same entry's words many times over (the corpus,
/// the history's topics, titles, descriptions), so each text's words are worked out once
/// per thread and kept ([`MEMO`]).
pub fn shared_words(text: &str) -> Rc<[String]> {
    MEMO.with_borrow_mut(|memo| {
        if let Some(words) = memo.words.get(text) {
            return Rc::clone(words);
        }
        // The words alone are kept: a text's surfaces (two strings a word) are asked for
        // by the titles of the release's own entries, not for the history's thousands.
        let words: Rc<[String]> = match memo.surfaces.get(text) {
            Some(surfaces) => surfaces.iter().map(|(w, _, _)| w.clone()).collect(),
            None => surfaces_of(text, false)
                .into_iter()
                .map(|(w, _, _)| w)
                .collect(),
        };
        if memo.words.len() >= MEMO_LIMIT {
            *memo = Memo::default();
        }
        memo.words.insert(text.into(), Rc::clone(&words));
        words
    })
}

/// Like [`words`], each paired with the text it came from (`("graphql", "GraphQL")`) and
/// the index of the written token it is part of (`VFolder` gives two words of one token),
/// so generated titles can use the spelling authors use.
pub fn surfaces(text: &str) -> Surfaces {
    MEMO.with_borrow_mut(|memo| shared_surfaces_in(memo, text))
}

/// How many texts [`MEMO`] keeps before it starts again: far more than a changelog's
/// entries, so a long-lived process (a test run, the score example) stays bounded.
const MEMO_LIMIT: usize = 100_000;

/// A text's [`surfaces`]: each word, as written, and its token's index.
pub type Surfaces = Rc<[(String, String, usize)]>;

/// Each text's [`surfaces`] and [`words`], once worked out.
#[derive(Default)]
struct Memo {
    surfaces: HashMap<Box<str>, Surfaces, FixedState>,
    words: HashMap<Box<str>, Rc<[String]>, FixedState>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

fn shared_surfaces_in(memo: &mut Memo, text: &str) -> Surfaces {
    if let Some(found) = memo.surfaces.get(text) {
        return Rc::clone(found);
    }
    if memo.surfaces.len() >= MEMO_LIMIT {
        *memo = Memo::default();
    }
    let found: Surfaces = surfaces_of(text, true).into();
    memo.surfaces.insert(text.into(), Rc::clone(&found));
    found
}

/// Each word of `text` with its surface and token; the surfaces only when `spelled` (the
/// words alone are asked of every entry of the history: no string for a spelling dropped).
fn surfaces_of(text: &str, spelled: bool) -> Vec<(String, String, usize)> {
    let surface = |part: &str| match spelled {
        true => part.to_string(),
        false => String::new(),
    };
    let mut out: Vec<(String, String, usize)> = Vec::new();
    // Each part lower-cased into one buffer: no string for a part then dropped.
    let mut lower = String::new();
    // Parts of one CamelCase word share a token (`VFolder` is written together); parts
    // of snake_case or kebab-case identifiers do not (`default_architecture`).
    let segments =
        tokens(text).flat_map(|m| m.split(['_', '-', '.', '/', ':']).filter(|s| !s.is_empty()));
    for (token, segment) in segments.enumerate() {
        identifier_parts(segment, |part| {
            // Tokens are ASCII: lower-casing them needs no Unicode tables.
            lower.clear();
            lower.push_str(part);
            lower.make_ascii_lowercase();
            let p = lower.trim_matches(|c| c == '.' || c == '-' || c == '_');
            if p.is_empty() || p.bytes().all(|c| c.is_ascii_digit()) || is_stopword(p) {
                return;
            }
            let s = stem(p);
            if let Some((_, full)) = SYNONYMS.iter().find(|(short, _)| *short == s) {
                out.push(((*full).to_string(), surface(part), token));
                return;
            }
            if s == "ql" {
                if let Some(graph) = out.last_mut().filter(|(w, _, _)| w == "graph") {
                    let spelling = match spelled {
                        true => format!("{}{part}", graph.1),
                        false => String::new(),
                    };
                    *graph = ("graphql".into(), spelling, graph.2);
                    return;
                }
            }
            out.push((s, surface(part), token));
        });
    }
    out
}

/// Words plus adjacent-word phrases (`fair share`), the features keyword matching and
/// title generation use.
pub fn features(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = words.to_vec();
    for pair in words.windows(2) {
        if pair[0] != pair[1] {
            out.push(format!("{} {}", pair[0], pair[1]));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Normalise a keyword the same way entry text is normalised, so a rule written as
/// `FairShare`, `fair_share`, `Fair Shares` or `` `fair-share` `` matches all of them.
pub fn normalize_phrase(phrase: &str) -> String {
    words(phrase).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The hand scan finds exactly the regex's matches, on ASCII, punctuation and
        /// multi-byte text alike.
        #[test]
        fn tokens_are_the_regex_matches(text in "([A-Za-z0-9_./:\\- ,()#`éü中🙂\n]|\\PC){0,40}") {
            let word = regex::Regex::new(r"[A-Za-z0-9][A-Za-z0-9_\-./:]*").unwrap();
            let expected: Vec<&str> = word.find_iter(&text).map(|m| m.as_str()).collect();
            proptest::prop_assert_eq!(tokens(&text).collect::<Vec<_>>(), expected);
        }

        /// Splitting loses nothing but the separators and keeps the order: the words,
        /// joined, are the identifier without `_ - . / :`, and no word is empty or holds one.
        #[test]
        fn identifier_words_are_the_identifier_cut_at_boundaries(
            raw in r"([A-Za-z0-9_./:\-é中É]){0,24}"
        ) {
            let words = split_identifier(&raw);
            let kept: String = raw.chars().filter(|c| !"_-./:".contains(*c)).collect();
            proptest::prop_assert_eq!(words.concat(), kept);
            proptest::prop_assert!(words.iter().all(|w| !w.is_empty() && !w.contains(['_', '-', '.', '/', ':'])));
        }

        /// The memo answers as the text's own scan, whichever is asked first: the words
        /// alone (kept without the surfaces, scanned without spellings), the surfaces, then the
        /// words, or both again.
        #[test]
        fn memoised_words_and_surfaces_are_the_scans(
            text in "([A-Za-z0-9_./:\\- ,()#`]|GraphQL|VFolder|graph ql|the|1.2){0,30}",
            surfaces_first in proptest::bool::ANY,
        ) {
            MEMO.with_borrow_mut(|memo| *memo = Memo::default());
            let scanned = surfaces_of(&text, true);
            let scanned_words: Vec<String> = scanned.iter().map(|(w, _, _)| w.clone()).collect();
            // The scan without spellings finds the same words, at the same tokens.
            let unspelled = surfaces_of(&text, false);
            proptest::prop_assert_eq!(
                unspelled.iter().map(|(w, _, t)| (w, t)).collect::<Vec<_>>(),
                scanned.iter().map(|(w, _, t)| (w, t)).collect::<Vec<_>>()
            );
            for _ in 0..2 {
                if surfaces_first {
                    proptest::prop_assert_eq!(&surfaces(&text)[..], &scanned[..]);
                }
                proptest::prop_assert_eq!(&shared_words(&text)[..], &scanned_words[..]);
                proptest::prop_assert_eq!(&surfaces(&text)[..], &scanned[..]);
                proptest::prop_assert_eq!(words(&text), scanned_words.clone());
            }
        }
    }

    /// [`identifier_parts`] as first written: every identifier walked by its characters.
    fn reference_parts(raw: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let separator = |c: char| matches!(c, '_' | '-' | '.' | '/' | ':');
        let chars: Vec<(usize, char)> = raw.char_indices().collect();
        let mut start: Option<usize> = None;
        for (i, &(at, c)) in chars.iter().enumerate() {
            if separator(c) {
                if let Some(s) = start.take() {
                    out.push(&raw[s..at]);
                }
                continue;
            }
            if let (Some(s), Some(&(_, prev))) =
                (start, i.checked_sub(1).and_then(|j| chars.get(j)))
            {
                let next = chars.get(i + 1).map(|&(_, n)| n);
                let boundary = (prev.is_ascii_lowercase() && c.is_ascii_uppercase())
                    || (prev.is_ascii_digit()
                        && c.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_alphabetic()))
                    || (prev.is_ascii_uppercase()
                        && c.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase()));
                if boundary {
                    out.push(&raw[s..at]);
                    start = Some(at);
                }
            }
            start.get_or_insert(at);
        }
        if let Some(s) = start {
            out.push(&raw[s..]);
        }
        out
    }

    proptest::proptest! {
        /// Walked by bytes (ASCII) or by characters, an identifier splits as the
        /// character walk always split it.
        #[test]
        fn identifier_parts_are_the_character_walks(
            raw in "([a-zA-Z0-9_./:\\-]|HTTP|Server|V2|GQL|é|Ü|中|🙂){0,16}"
        ) {
            let mut parts = Vec::new();
            identifier_parts(&raw, |p| parts.push(p));
            proptest::prop_assert_eq!(parts, reference_parts(&raw));
        }
    }

    #[test]
    fn splits_identifiers() {
        assert_eq!(
            split_identifier("FairShareService"),
            ["Fair", "Share", "Service"]
        );
        assert_eq!(
            split_identifier("fair_share-weight"),
            ["fair", "share", "weight"]
        );
        assert_eq!(split_identifier("KernelV2GQL"), ["Kernel", "V2", "GQL"]);
        assert_eq!(split_identifier("HTTPServer"), ["HTTP", "Server"]);
        assert_eq!(
            split_identifier("ai.backend.common"),
            ["ai", "backend", "common"]
        );
    }

    #[test]
    fn words_are_normalised() {
        assert_eq!(
            words("Add `FairShareService` and fair_share weights to GQL"),
            [
                "fair", "share", "service", "fair", "share", "weight", "graphql"
            ]
        );
        assert_eq!(
            words("Implement GraphQL DataLoaders"),
            ["graphql", "data", "loader"]
        );
        assert_eq!(
            normalize_phrase("Fair Shares"),
            normalize_phrase("`fair-share`")
        );
    }

    #[test]
    fn features_hold_phrases() {
        let f = features(&words("usage buckets for fair share"));
        assert!(f.contains(&"fair share".to_string()));
        assert!(f.contains(&"usage bucket".to_string()));
    }
}
