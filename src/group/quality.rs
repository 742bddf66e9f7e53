//! What makes a group title or description unfit to publish, checked the same way by the
//! strategies (a generated title that fails is not used), the evaluation harness
//! (`examples/score`) and the tests.

use super::{text, verbs};

/// Why a title would not be published as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleFault {
    /// A filler word (`for`, `the`, `with`); `and`/`&` between two topics is not one.
    StopWord,
    /// A part of the title that is a verb (`Raise`, `Add Support`) or an adverb
    /// (`Explicitly`).
    VerbOrAdverb,
    /// A piece of a word (`S` of `S3`'s neighbour, `Non` of `non-blocking`), or a number.
    Fragment,
    /// Two topics glued with `and` (counted by the harness; a maintainer writes some too).
    Glued,
    /// A word that names no topic on its own: an adjective (`Concurrent`, `Legacy`) or a
    /// generic noun (`Name`, `Mode`, `Records`) alone, where a phrase was cut short.
    Vague,
}

impl TitleFault {
    pub fn as_str(self) -> &'static str {
        match self {
            TitleFault::StopWord => "stop word",
            TitleFault::VerbOrAdverb => "verb or adverb",
            TitleFault::Fragment => "word fragment or number",
            TitleFault::Glued => "glued \"A and B\"",
            TitleFault::Vague => "a lone adjective or generic word",
        }
    }
}

/// Words that end a title to name the kind of change under a topic (`Migration Safety
/// Fixes`), as maintainers title subsections of a category of that kind; a stop word
/// elsewhere.
pub(crate) const KIND_SUFFIXES: &[&str] = &["fixes", "improvements", "enhancements"];

/// Prefixes that are not words on their own.
const BOUND_PREFIXES: &[&str] = &[
    "non", "pre", "re", "un", "multi", "sub", "anti", "semi", "de", "co", "inter", "intra", "post",
    "mis", "over", "under",
];

/// Adjectives a phrase starts with (`Concurrent Sessions`, `Default Values`): alone, or
/// ending a title, they leave the topic out.
const ADJECTIVES: &[&str] = &[
    "concurrent",
    "external",
    "internal",
    "async",
    "asynchronous",
    "legacy",
    "default",
    "common",
    "generic",
    "global",
    "local",
    "missing",
    "invalid",
    "empty",
    "duplicate",
    "duplicated",
    "old",
    "proper",
    "multiple",
    "various",
    "additional",
    "initial",
    "optional",
    "unused",
    "deprecated",
    "existing",
    "current",
    "wrong",
    "broken",
    "unnecessary",
    "redundant",
    "minor",
    "major",
    "basic",
    "general",
    "specific",
    "individual",
    "related",
    "remaining",
    "extra",
    "actual",
    "possible",
    "available",
    "unexpected",
    "incorrect",
    "stale",
    "separate",
    "dedicated",
    "consistent",
    "inconsistent",
    "explicit",
    "implicit",
    "automatic",
    "manual",
    "partial",
    "full",
    "single",
    "whole",
    "certain",
    "several",
];

/// Nouns too generic to name a topic alone (`Name`, `Mode`, `Data`); in a phrase they are
/// fine (`Preemption Mode`).
const GENERIC_NOUNS: &[&str] = &[
    "name",
    "type",
    "mode",
    "data",
    "status",
    "spec",
    "record",
    "batch",
    "value",
    "field",
    "item",
    "info",
    "detail",
    "part",
    "level",
    "source",
    "response",
    "request",
    "result",
    "case",
    "thing",
    "logic",
    "option",
    "creation",
    "collection",
    "fallback",
    "import",
    "change",
    "issue",
    "problem",
    "error",
    "handling",
    "default",
    "history",
    "filter",
    "pattern",
    "moving",
    "related",
    "token",
    "route",
    "version",
    "object",
    "method",
    "function",
    "class",
    "parameter",
    "argument",
    "flag",
    "setting",
    "entry",
    "list",
];

/// A verb never used as a noun, or the gerund of a verb (`moving`, `deploying`).
fn is_verb_form(word: &str) -> bool {
    let verb = |v: &str| verbs::is_verb(v) || verbs::is_clause_verb(v);
    if verbs::is_clause_verb(word) {
        return true;
    }
    let bases = |stem: &str| -> Vec<String> { vec![stem.to_string(), format!("{stem}e")] };
    if let Some(stem) = word.strip_suffix("ing").filter(|s| s.len() >= 3) {
        // `moving` → move, `deploying` → deploy, `getting` → get
        let undoubled = stem
            .chars()
            .last()
            .filter(|c| stem.len() > 3 && stem[..stem.len() - 1].ends_with(*c))
            .map(|_| stem[..stem.len() - 1].to_string());
        return bases(stem).iter().chain(undoubled.iter()).any(|b| verb(b));
    }
    // `normalized` → normalize, `unified` → unify, `dropped` → drop: the act done, alone.
    if let Some(stem) = word.strip_suffix("ed").filter(|s| s.len() >= 3) {
        let undoubled = stem
            .chars()
            .last()
            .filter(|c| stem.len() > 3 && stem[..stem.len() - 1].ends_with(*c))
            .map(|_| stem[..stem.len() - 1].to_string());
        let unied = stem.strip_suffix('i').map(|s| format!("{s}y"));
        return bases(stem)
            .iter()
            .chain(undoubled.iter())
            .chain(unied.iter())
            .any(|b| verb(b));
    }
    false
}

/// Words ending in `-ly` that are not adverbs.
const LY_NOUNS: &[&str] = &[
    "apply", "supply", "reply", "family", "assembly", "anomaly", "fly", "poly", "ply", "rely",
    "multiply", "italy", "july", "only",
];

/// True for an adverb (`explicitly`, `properly`, `only`, `also`).
pub fn is_adverb(word: &str) -> bool {
    let w = word.to_lowercase();
    matches!(
        w.as_str(),
        "also"
            | "only"
            | "just"
            | "now"
            | "again"
            | "still"
            | "even"
            | "already"
            | "always"
            | "never"
            | "instead"
            | "correctly"
            | "properly"
    ) || (w.len() > 4 && w.ends_with("ly") && !LY_NOUNS.contains(&w.as_str()))
}

/// The written tokens of a text, lower-cased, split at every non-alphanumeric character.
fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The tokens of an entry, with the parts of its identifiers too (`ReservoirRegistry`
/// gives `reservoir`, `registry` and `reservoirregistry`).
fn written_tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .flat_map(|t| {
            let parts = text::split_identifier(t);
            let whole = (parts.len() > 1).then(|| t.to_string());
            parts.into_iter().chain(whole)
        })
        .map(|t| t.to_lowercase())
        .collect()
}

/// The longest word read as a short code token ([`code_token`]).
const SHORT_TOKEN: usize = 3;

/// True when `w`, a word of two or three letters, is written by the entries as a
/// lower-case code token (`str` in backticks, `id` of `user_id` or `role.id`) and never as
/// an acronym (`API`) or a word of prose (`app`, `Log`). A piece of a PascalCase name
/// (`Str` of `StrEnum`, `App` of `AppProxy`) tells neither. A code token names a type or a
/// variable, not the topic: "Str" for entries about `str` → `StrEnum`.
fn code_token(w: &str, texts: &[&str]) -> bool {
    let n = w.chars().count();
    if !(2..=SHORT_TOKEN).contains(&n) || !w.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let is_w = |p: &str| {
        let lower = p.to_lowercase();
        lower == w || text::stem(&lower) == w
    };
    let mut as_code = false;
    for t in texts {
        for (k, span) in t.split('`').enumerate() {
            let in_code = k % 2 == 1;
            for raw in span.split(|c: char| {
                // A hyphen joins words of prose (`end-to-end`), not of code.
                c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"' | '\'' | '-')
            }) {
                let raw = raw.trim_matches(|c: char| !c.is_alphanumeric());
                let pieces: Vec<&str> = raw
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|p| !p.is_empty())
                    .collect();
                let joined = pieces.len() > 1;
                for piece in pieces {
                    for part in text::split_identifier(piece) {
                        if !is_w(&part) {
                            continue;
                        }
                        let acronym =
                            part.len() > 1 && part.chars().all(|c| c.is_ascii_uppercase());
                        let alone = part.len() == piece.len() && !joined;
                        if acronym || (alone && !in_code) {
                            return false;
                        }
                        // Lower-case, in code or joined by `_`/`.`: a code token.
                        if part.chars().all(|c| c.is_ascii_lowercase()) && (in_code || joined) {
                            as_code = true;
                        }
                    }
                }
            }
        }
    }
    as_code
}

/// The faults of a title given to a group holding `texts`. `Glued` is reported for any
/// `A and B` title; the others are never acceptable.
pub fn title_faults(title: &str, texts: &[&str]) -> Vec<TitleFault> {
    let mut faults = Vec::new();
    let mut push = |f: TitleFault| {
        if !faults.contains(&f) {
            faults.push(f);
        }
    };
    let written: Vec<String> = texts.iter().flat_map(|t| written_tokens(t)).collect();
    let raw_parts: Vec<&str> = title
        .split(" and ")
        .flat_map(|p| p.split(['&', ',', '/']))
        .filter(|p| !tokens(p).is_empty())
        .collect();
    let parts: Vec<Vec<String>> = raw_parts.iter().map(|p| tokens(p)).collect();
    if parts.len() > 1 {
        push(TitleFault::Glued);
    }
    for (pi, part) in parts.iter().enumerate() {
        let first = &part[0];
        // `Session and Scheduler Fixes`: a topic, then the kind of change it names.
        let kind_suffix = |wi: usize| {
            pi + 1 == parts.len()
                && wi + 1 == part.len()
                && wi > 0
                && KIND_SUFFIXES.contains(&part[wi].as_str())
        };
        // A word written in capitals is a name (`TERMINATED`, a state), not a verb.
        let constant = !raw_parts[pi].chars().any(char::is_lowercase);
        if !constant
            && (verbs::is_verb(first) || verbs::is_verb(&text::stem(first)) && part.len() == 1)
        {
            push(TitleFault::VerbOrAdverb);
        }
        // A title ends in the thing it names: not in a verb (`Resolver Get`), and a
        // gerund alone (`Moving`, `Deploying`) is the act, not the topic.
        if let Some(last) = part.last() {
            let third_person = last.strip_suffix('s').is_some_and(verbs::is_clause_verb);
            if !constant
                && (verbs::is_clause_verb(first)
                    || verbs::is_clause_verb(last)
                    || third_person
                    || part.len() == 1 && is_verb_form(last))
            {
                push(TitleFault::VerbOrAdverb);
            }
            let lone_generic = part.len() == 1
                && (GENERIC_NOUNS.contains(&last.as_str())
                    || GENERIC_NOUNS.contains(&text::stem(last).as_str()));
            if ADJECTIVES.contains(&last.as_str()) || lone_generic {
                push(TitleFault::Vague);
            }
        }
        for (wi, w) in part.iter().enumerate() {
            if w != "and" && text::is_stopword(w) && !kind_suffix(wi) {
                push(TitleFault::StopWord);
            }
            if is_adverb(w) {
                push(TitleFault::VerbOrAdverb);
            }
            let number = w.chars().all(|c| c.is_ascii_digit());
            let letter = w.chars().count() == 1;
            let prefix = BOUND_PREFIXES.contains(&w.as_str());
            // A piece of a longer written word that is never written alone.
            let piece = !written.is_empty()
                && !written
                    .iter()
                    .any(|t| t == w || text::stem(t) == text::stem(w))
                && written
                    .iter()
                    .any(|t| t.len() > w.len() && t.contains(w.as_str()));
            if number || letter || prefix || piece || code_token(w, texts) {
                push(TitleFault::Fragment);
            }
        }
    }
    if parts.is_empty() {
        push(TitleFault::Fragment);
    }
    faults
}

/// True when a title has a fault a maintainer would never publish (anything but `Glued`).
pub fn is_unfit_title(title: &str, texts: &[&str]) -> bool {
    title_faults(title, texts)
        .iter()
        .any(|f| *f != TitleFault::Glued)
}

/// Why a description would not be published as it is, if it would not.
pub fn description_fault(description: &str) -> Option<&'static str> {
    let d = description.trim();
    let lower = d.to_lowercase();
    if d.is_empty() {
        return Some("empty");
    }
    if d.contains('…') || d.contains("...") {
        return Some("an ellipsis");
    }
    if !d.ends_with('.') {
        return Some("no final period");
    }
    if d.matches('(').count() != d.matches(')').count()
        || d.matches('`').count() % 2 == 1
        || lower.contains("(e.g.")
            && !lower.contains("(e.g.,")
            && d.matches('(').count() != d.matches(')').count()
    {
        return Some("a phrase cut in the middle");
    }
    let first_two: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(2)
        .collect();
    if let [a, b] = first_two.as_slice() {
        if a == b {
            return Some("a doubled verb");
        }
    }
    if lower.contains("changes in all") {
        return Some("a count instead of a sentence");
    }
    if verbs::case_where_names_an_action(d) {
        return Some("an action after \"a case where\"");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_titles_are_named() {
        let texts = [
            "Add health checks for the S3 backend",
            "Support non-blocking I/O",
        ];
        assert!(title_faults("Health and S", &texts).contains(&TitleFault::Fragment));
        assert!(title_faults("Non and Processor", &texts).contains(&TitleFault::Fragment));
        assert!(
            title_faults("Explicitly Raise and Operation Fails", &texts)
                .contains(&TitleFault::VerbOrAdverb)
        );
        assert!(title_faults("Support for Health", &texts).contains(&TitleFault::StopWord));
        assert!(title_faults("Add", &texts).contains(&TitleFault::VerbOrAdverb));
        assert_eq!(title_faults("Health Check", &texts), []);
        assert_eq!(title_faults("Fair Share Scheduler", &texts), []);
        assert_eq!(
            title_faults("App Proxy and Routing", &texts),
            [TitleFault::Glued]
        );
        assert!(!is_unfit_title("Auth & Session Management", &texts));
    }

    #[test]
    fn clauses_and_words_that_name_no_topic_are_unfit() {
        let texts = ["Fix the resolver get call when the operation fails"];
        for (title, fault) in [
            ("Resolver Get", TitleFault::VerbOrAdverb),
            ("Operation Fails", TitleFault::VerbOrAdverb),
            ("Moving", TitleFault::VerbOrAdverb),
            ("Deploying", TitleFault::VerbOrAdverb),
            ("Read", TitleFault::VerbOrAdverb),
            ("Concurrent", TitleFault::Vague),
            ("Legacy", TitleFault::Vague),
            ("Name", TitleFault::Vague),
            ("Records", TitleFault::Vague),
            ("Manage Common Parts", TitleFault::VerbOrAdverb),
            // A participle alone is the act done (`normalize`, `unify`, `drop`).
            ("Normalized", TitleFault::VerbOrAdverb),
            ("Unified", TitleFault::VerbOrAdverb),
            ("Dropped", TitleFault::VerbOrAdverb),
            ("Deprecated", TitleFault::VerbOrAdverb),
        ] {
            assert!(
                title_faults(title, &texts).contains(&fault),
                "{title}: {:?}",
                title_faults(title, &texts)
            );
            assert!(is_unfit_title(title, &texts), "{title}");
        }
        // In a phrase, the same words name a topic.
        for title in [
            "Domain Name",
            "Request Routing",
            "Session Scheduling",
            "Scheduling History",
            "Model Serving",
            "Legacy Client",
            "Preemption Mode",
            "Storage and Configuration",
            "Normalized Resource Slots",
            "Distributed Tracing",
            "Seed",
            "Shred",
            "Bed",
        ] {
            assert!(!is_unfit_title(title, &texts), "{title}");
        }
    }

    /// A short word the entries write only as code names a type or a variable, not a
    /// topic; the same word as an acronym or in prose is a title word.
    #[test]
    fn a_short_code_token_is_not_a_title() {
        let texts = [
            "Change `UserData.role` type from `str` to `UserRole` enum",
            "Use StrEnum for the action type system",
            "Store the user_id of the owner",
        ];
        for title in ["Str", "Str Enum Migration", "Id"] {
            assert!(
                title_faults(title, &texts).contains(&TitleFault::Fragment),
                "{title}"
            );
        }
        let prose = [
            "Show the proxy status",
            "Expose the GPU count in the API",
            "Rotate the log files",
            "Add AppProxy setup to the installer",
        ];
        for title in ["App Proxy", "GPU", "API", "Log Rotation", "Log"] {
            assert!(!is_unfit_title(title, &prose), "{title}");
        }
    }

    #[test]
    fn a_title_may_end_in_the_kind_of_change_it_names() {
        let texts = ["Fix a migration that dropped a column"];
        // The maintainers' own style under Fixes: a topic, then `Fixes`.
        assert!(!is_unfit_title("Migration Safety Fixes", &texts));
        assert!(!is_unfit_title("Session and Scheduler Fixes", &texts));
        // Alone, or anywhere but at the end, it is still a stop word.
        assert!(is_unfit_title("Fixes", &texts));
        assert!(is_unfit_title("Fixes Migration", &texts));
        assert!(is_unfit_title("Migration Fixes and Safety", &texts));
    }

    #[test]
    fn bad_descriptions_are_named() {
        assert!(description_fault("Fixed: fixed a compute session's state.").is_some());
        assert!(description_fault("Added X (e.g.").is_some());
        assert!(description_fault("Added X…").is_some());
        assert!(description_fault("Added X; 15 changes in all.").is_some());
        assert!(description_fault("Added webhook channels").is_some());
        assert_eq!(
            description_fault("Added webhook notification channels."),
            None
        );
    }
}
