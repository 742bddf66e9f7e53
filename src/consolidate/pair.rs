//! Which newer text of a change replaces which older one, when an rc rewords some of a
//! PR's entries: the one decision the fold makes about texts it cannot tell apart by
//! identity alone.

use super::fold::same_identity;
use crate::changelog::Entry;
use crate::error::Error;

/// Pairs (index into `newer`, index into `older`) of texts of the same change, best match
/// first: each newer text replaces at most one older text and each older text is replaced
/// at most once. `older[k]` is `None` for an entry that may not be replaced (not older).
/// Texts are compared normalised: first by the words that tell them apart (words shared by
/// every text of the change weigh nothing, rarer ones more — a rewording that appends the
/// same phrase to two changes must not make them look alike), then by their characters
/// (Levenshtein distance relative to length: a typo fixed); ties in input order.
pub(crate) fn pair_texts(newer: &[&Entry], older: &[Option<&Entry>]) -> Vec<(usize, usize)> {
    let words = |e: &Entry| -> std::collections::BTreeSet<String> {
        e.normalized_text()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let new_words: Vec<_> = newer.iter().map(|e| words(e)).collect();
    let old_words: Vec<_> = older.iter().map(|e| e.map(words)).collect();
    // In how many of the texts each word is (the texts compared here, which are one PR's).
    let all: Vec<&std::collections::BTreeSet<String>> =
        new_words.iter().chain(old_words.iter().flatten()).collect();
    let mut df: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for set in &all {
        for w in set.iter() {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let weight = |w: &str| (all.len() as f64 / df.get(w).copied().unwrap_or(1) as f64).ln();
    let distinctive = |a: &std::collections::BTreeSet<String>,
                       b: &std::collections::BTreeSet<String>| {
        let shared: f64 = a.intersection(b).map(|w| weight(w)).sum();
        let union: f64 = a.union(b).map(|w| weight(w)).sum();
        if union > 0.0 { shared / union } else { 0.0 }
    };
    let mut candidates: Vec<(f64, f64, usize, usize)> = Vec::new();
    for (n, new) in newer.iter().enumerate() {
        let new_text = new.normalized_text();
        for (o, old) in older.iter().enumerate() {
            let (Some(old), Some(old_set)) = (
                old.filter(|old| same_identity(old, new)),
                old_words[o].as_ref(),
            ) else {
                continue;
            };
            let by_words = distinctive(&new_words[n], old_set);
            let by_chars = strsim::normalized_levenshtein(&new_text, &old.normalized_text());
            candidates.push((by_words, by_chars, n, o));
        }
    }
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.total_cmp(&a.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    let mut new_used = vec![false; newer.len()];
    let mut old_used = vec![false; older.len()];
    let mut pairs = Vec::new();
    for (_, _, n, o) in candidates {
        if !new_used[n] && !old_used[o] {
            new_used[n] = true;
            old_used[o] = true;
            pairs.push((n, o));
        }
    }
    pairs
}

/// A newer text paired with an older one of the same issue, one of them reading it from a
/// line of its own after its text and the other not (`RefFormat::on_own_lines`): one
/// template writes an issue one way, and a wrapped line ending in a number (`… to\n  60`)
/// reads so too — one of them names no issue, and replacing it would lose it. Refused,
/// naming both (`(entry, where)`, older first).
pub(crate) fn read_apart(
    old: (&Entry, String),
    new: (&Entry, String),
    category: &str,
    file: &std::path::Path,
) -> Error {
    Error::Refused(format!(
        "`{}` ({}) and `{}` ({}) under `{category}` both read as {}, one of them from a line \
         of its own after its text (a wrapped line ending in a number reads so too), so one \
         of them names no issue and would be lost as reworded. Join the number to the line \
         before it in the entry that names no issue ({}), commit, then re-run",
        old.0.text,
        old.1,
        new.0.text,
        new.1,
        crate::changelog::pr_list(&old.0.prs),
        file.display()
    ))
}
