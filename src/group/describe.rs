//! Short past-tense descriptions for groups that have none from a rule: what was done
//! (the entries' leading verbs, in the past tense) and two representative changes.

use super::Item;
use super::verbs::{holds_clause, lead};

/// Words an entry is cut to at most (at a clause boundary), and at least.
const MAX_WORDS: usize = 16;
const MIN_WORDS: usize = 4;

/// The entry without its leading verb, cut at a clause boundary when it is long. `named`:
/// whether a word is a name (the entries capitalise it mid-sentence).
fn object(text: &str, named: &dyn Fn(&str) -> bool) -> String {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let lead_words = lead(text).map_or(0, |l| l.words.min(words.len()));
    words.drain(..lead_words);
    let balanced = |n: usize| {
        let prefix = words[..n].join(" ");
        prefix.matches('(').count() == prefix.matches(')').count()
            && prefix.matches('`').count() % 2 == 0
            && prefix.matches('[').count() == prefix.matches(']').count()
    };
    // The first sentence: a period outside parentheses and code, not an abbreviation.
    let sentence_end = words
        .iter()
        .enumerate()
        .position(|(i, w)| {
            let lower = w.to_lowercase();
            w.ends_with('.')
                && w.len() > 2
                && !matches!(
                    lower.as_str(),
                    "e.g." | "i.e." | "etc." | "vs." | "(e.g." | "(i.e."
                )
                && balanced(i + 1)
        })
        .map(|i| i + 1)
        .unwrap_or(words.len());
    let mut take = sentence_end;
    // A long entry is cut where a clause ends (a comma, or before a connective), never
    // inside parentheses or code, so what is left is still a whole phrase.
    if take > MAX_WORDS {
        let boundary = (MIN_WORDS..=MAX_WORDS.min(take - 1)).rev().find(|&n| {
            let ends_clause = words[n - 1].ends_with([',', ';', ':']);
            let next = words[n].to_lowercase();
            let connective = matches!(
                next.as_str(),
                "to" | "for"
                    | "with"
                    | "by"
                    | "when"
                    | "via"
                    | "so"
                    | "in"
                    | "and"
                    | "while"
                    | "using"
                    | "that"
                    | "which"
                    | "instead"
                    | "because"
                    | "through"
            );
            (ends_clause || connective) && balanced(n)
        });
        if let Some(n) = boundary {
            take = n;
        }
    }
    while take > 1
        && matches!(
            words[take - 1].to_lowercase().trim_end_matches(','),
            "and"
                | "or"
                | "to"
                | "for"
                | "with"
                | "of"
                | "in"
                | "the"
                | "a"
                | "an"
                | "by"
                | "from"
                | "on"
                | "when"
        )
    {
        take -= 1;
    }
    let mut out = words[..take].join(" ");
    out = out.trim_end_matches(['.', ',', ';', ':']).to_string();
    // Lower-case a plain word that opened the entry ("Recorder instrumentation" → "recorder
    // …"), capitalised as a sentence's first, but not one after the entry's verb ("Add Redis
    // …": the entry wrote it so), a name ("Fair Share API", a word the entries capitalise
    // mid-sentence), an acronym ("GQL", "S3") or an identifier ("BackendAIConfigMeta").
    let mut ws = out.split(' ');
    if let Some(first) = ws.next().filter(|&w| lead_words == 0 && !named(w)) {
        let mut rest = first.chars().skip(1).filter(|c| c.is_alphabetic());
        let plain = first.chars().next().is_some_and(char::is_uppercase)
            && first.chars().skip(1).any(char::is_lowercase)
            && rest.all(char::is_lowercase);
        let next_is_name = ws
            .next()
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
        if plain && !next_is_name {
            let rest: String = out.chars().skip(1).collect();
            let lower: String = out
                .chars()
                .next()
                .into_iter()
                .flat_map(char::to_lowercase)
                .collect();
            out = format!("{lower}{rest}");
        }
    }
    out
}

/// One or two sentences in the past tense about a group: its two most representative
/// entries (those sharing most of the title's words, then the shortest), each with its
/// verb in the past tense.
pub fn describe(category: &str, title: &str, members: &[usize], items: &[Item]) -> String {
    // An entry without a leading verb describes a problem ("`x` fails when…") in fixes and
    // a change elsewhere.
    let lower = category.to_lowercase();
    let fix = lower.contains("fix") || lower.contains("bug");
    let title_words = super::text::words(title);
    // The words an entry of the group capitalises mid-sentence (not after a sentence's end).
    let named = |word: &str| {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        members.iter().any(|&m| {
            let words: Vec<&str> = items[m].text.split_whitespace().collect();
            words.windows(2).any(|w| {
                !w[0].ends_with(['.', '!', '?', ':'])
                    && w[1].trim_matches(|c: char| !c.is_alphanumeric()) == word
            })
        })
    };
    let mut reps: Vec<usize> = members.to_vec();
    // Cached: a key splits an entry into words, and groups can hold thousands of entries.
    // (Keys end with the member index, so any sort gives the same order.)
    reps.sort_by_cached_key(|&m| {
        let words = super::text::words(&items[m].text);
        let shared = title_words.iter().filter(|w| words.contains(w)).count();
        (std::cmp::Reverse(shared), items[m].text.len(), m)
    });
    let sentences: Vec<String> = reps
        .iter()
        .take(2)
        .map(|&m| {
            let text = &items[m].text;
            let object = object(text, &named);
            let sentence = match lead(text) {
                Some(l) => format!("{} {object}", l.past),
                // No leading verb: a fix names the problem (a clause: `x fails when…`) or
                // what was wrong (`missing resolver`), anything else what it is.
                None if fix && holds_clause(&object.split_whitespace().collect::<Vec<_>>()) => {
                    format!("fixed a case where {object}")
                }
                None if fix => format!("fixed {object}"),
                // A sentence of its own (`Users can now export …`) says what it is.
                None if holds_clause(&object.split_whitespace().collect::<Vec<_>>()) => {
                    object.clone()
                }
                None if lower.contains("feature") => format!("added {object}"),
                None => format!("improved {object}"),
            };
            format!("{}.", capitalize(sentence.trim_end_matches(['.', '…'])))
        })
        .collect();
    if sentences.is_empty() {
        return format!("{}.", capitalize(title));
    }
    sentences.join(" ")
}

/// True when a description reads as written for another category: a fix described by what
/// was added, or a feature by what was fixed.
pub fn written_for_another_category(category: &str, description: &str) -> bool {
    let lower = category.to_lowercase();
    let first = description
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if lower.contains("fix") || lower.contains("bug") {
        matches!(
            first.as_str(),
            "added" | "introduced" | "implemented" | "adds" | "add"
        )
    } else {
        matches!(first.as_str(), "fixed" | "fixes" | "fix")
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_in_the_past_tense() {
        let items = vec![
            Item::new(
                "Add Fair Share weight management with bulk operations",
                vec![1],
            ),
            Item::new(
                "Implement FairShareService and ResourceUsageService",
                vec![2],
            ),
            Item::new("Add GQL mutations for fair share configuration", vec![3]),
        ];
        let d = describe("Features", "Fair Share Scheduler", &[0, 1, 2], &items);
        assert_eq!(
            d,
            "Added GQL mutations for fair share configuration. Implemented \
             FairShareService and ResourceUsageService."
        );
        let fixes = vec![
            Item::new(
                "`importArtifacts` mutation fails when options are omitted",
                vec![1],
            ),
            Item::new("Fix import of artifacts", vec![2]),
        ];
        let d = describe("Fixes", "Artifact Import", &[0, 1], &fixes);
        assert!(
            d.contains("Fixed a case where `importArtifacts` mutation fails"),
            "{d}"
        );
        // An entry already in the past tense keeps one verb; a long one is cut where a
        // clause ends, never with an ellipsis or inside parentheses.
        let items = vec![
            Item::new("Fixed a compute session's stale status", vec![1]),
            Item::new(
                "Skip TERMINATING sessions in the scheduler loop (e.g. sessions whose kernels \
                 are gone, or orphans left by a crashed agent) when counting slots",
                vec![2],
            ),
        ];
        let d = describe("Fixes", "Session Status", &[0, 1], &items);
        assert!(
            d.starts_with("Fixed a compute session's stale status."),
            "{d}"
        );
        assert!(d.contains("Skipped TERMINATING sessions"), "{d}");
        assert_eq!(crate::group::quality::description_fault(&d), None, "{d}");
        // A fix that names what was wrong without a clause is no "case where".
        let items = vec![
            Item::new("Broken VFolder invitations in the CLI", vec![1]),
            Item::new("Disallow dots in model service names", vec![2]),
        ];
        let d = describe("Fixes", "VFolder", &[0, 1], &items);
        assert!(!d.contains("a case where"), "{d}");
        assert!(d.contains("Disallowed dots"), "{d}");
        assert!(
            d.to_lowercase()
                .contains("fixed broken vfolder invitations"),
            "{d}"
        );
        // hostile16/07: a feature that is a sentence of its own, and a fix whose leading
        // participle names the problem.
        let items = vec![
            Item::new("Users can now export their data as CSV", vec![1]),
            Item::new("Support for nested groups", vec![2]),
        ];
        let d = describe("Features", "Export", &[0, 1], &items);
        assert!(d.contains("Users can now export their data as CSV."), "{d}");
        assert!(d.contains("Added support for nested groups."), "{d}");
        let items = vec![
            Item::new("Canceled runs are shown as running", vec![1]),
            Item::new("Weekly report emails are sent twice", vec![2]),
        ];
        let d = describe("Fixes", "Runs", &[0, 1], &items);
        assert!(
            d.contains("Fixed a case where canceled runs are shown as running."),
            "{d}"
        );
        assert!(
            d.contains("Fixed a case where weekly report emails are sent twice."),
            "{d}"
        );
        // hostile18/10: a word after the entry's verb keeps the case the entry wrote (a
        // product's name, an acronym with a digit); a word that opened the entry is lower-cased
        // only when no entry of the group capitalises it mid-sentence.
        let items = vec![
            Item::new("Add Redis cluster support", vec![1]),
            Item::new("Add S3 presigned URLs", vec![2]),
            Item::new("Add Recorder instrumentation", vec![3]),
        ];
        for (m, want) in [
            (0, "Added Redis cluster support."),
            (1, "Added S3 presigned URLs."),
            (2, "Added Recorder instrumentation."),
        ] {
            assert_eq!(describe("Features", "X", &[m], &items), want);
        }
        let items = vec![
            Item::new("Redis connections drop under load", vec![1]),
            Item::new("Fix the pool leak in Redis", vec![2]),
            Item::new("S3 uploads fail on retry", vec![3]),
            Item::new("Stale caches are served after a restart", vec![4]),
            Item::new("Fix it. Stale entries stay", vec![5]),
        ];
        let d = describe("Fixes", "Redis", &[0, 1], &items);
        assert!(d.contains("a case where Redis connections drop"), "{d}");
        let d = describe("Fixes", "S3", &[2], &items);
        assert!(d.contains("a case where S3 uploads fail"), "{d}");
        // `Stale` opens a sentence in every entry that writes it: lower-cased.
        let d = describe("Fixes", "Caches", &[3, 4], &items);
        assert!(d.contains("a case where stale caches are served"), "{d}");
        assert!(written_for_another_category(
            "Fixes",
            "Added webhook channels."
        ));
        assert!(!written_for_another_category(
            "Features",
            "Added webhook channels."
        ));
    }
}
