//! The English verbs changelog entries are written with: which words are verbs, their past
//! tense, and an entry's leading verb (with an adverb before it: `Explicitly wrap …`). One
//! place for the lexicon that descriptions ([`super::describe`]), titles
//! ([`super::similarity`], [`super::learn`]) and the quality checks ([`super::quality`]) share.

/// Verbs entries start with or use: what was done, not what it was about.
#[rustfmt::skip]
const VERBS: &[&str] = &[
    "abort", "accept", "activate", "add", "adjust", "adopt", "align", "allow", "appear",
    "append", "apply", "archive", "assign", "attach", "authenticate", "authorize", "avoid",
    "backport", "become", "behave", "bind", "block", "broadcast", "build", "bump", "bundle",
    "cache", "calculate", "call", "cancel", "capture", "cause", "centralize", "change",
    "check", "clamp", "clarify", "clean", "cleanup", "clear", "clone", "close", "collect",
    "combine", "commit", "compare", "complete", "compute", "configure", "confirm", "connect",
    "consolidate", "consume", "convert", "copy", "correct", "count", "create", "declare",
    "decode", "decouple", "decrease", "deduplicate", "defer", "define", "delegate", "delete",
    "deliver", "deploy", "deprecate", "derive", "describe", "destroy", "detect", "determine",
    "differentiate", "disable", "disallow", "disappear", "discard", "discover", "dispatch",
    "display", "distinguish", "document", "downgrade", "download", "drop", "eliminate",
    "embed", "emit", "enable", "encode", "encrypt", "enforce", "enhance", "ensure", "escape",
    "estimate", "evaluate", "exclude", "execute", "exist", "expand", "expect", "expire",
    "explain", "export", "expose", "extend", "extract", "fail", "fetch", "fill", "filter",
    "finalize", "find", "fix", "flush", "fold", "force", "format", "forward", "free", "freeze",
    "gather", "generate", "get", "give", "group", "guard", "handle", "happen", "harden",
    "hash", "hide", "hoist", "hold", "identify", "ignore", "implement", "import", "improve",
    "include", "increase", "increment", "index", "infer", "inherit", "initialize", "inject",
    "inline", "insert", "inspect", "install", "instantiate", "instrument", "integrate",
    "intercept", "introduce", "invalidate", "invoke", "isolate", "iterate", "join", "keep",
    "label", "launch", "let", "limit", "link", "listen", "load", "localize", "lock", "log",
    "lookup", "lose", "lower", "maintain", "make", "manage", "mark", "mask", "match",
    "measure", "memoize", "mention", "merge", "migrate", "misbehave", "mock", "modernize",
    "modify", "monitor", "mount", "move", "narrow", "normalize", "note", "notify", "observe",
    "obtain", "occur", "omit", "open", "optimize", "organize", "overhaul", "override",
    "overwrite", "pack", "paginate", "parallelize", "parse", "pass", "patch", "pause",
    "permit", "persist", "pick", "pin", "poll", "populate", "port", "postpone", "prefer",
    "prefetch", "prepare", "prepend", "preserve", "prevent", "print", "prioritize", "produce",
    "profile", "prohibit", "promote", "prompt", "propagate", "protect", "provide", "prune",
    "publish", "pull", "purge", "push", "put", "query", "queue", "raise", "read", "reappear",
    "rearrange", "rebuild", "receive", "recognize", "recompute", "reconcile", "reconnect",
    "record", "recover", "redact", "redesign", "redirect", "reduce", "refactor", "refine",
    "reformat", "refresh", "refuse", "regenerate", "register", "reimplement", "reintroduce",
    "reject", "relax", "release", "reload", "relocate", "remain", "remap", "remove", "rename",
    "render", "reorganize", "repair", "repeat", "rephrase", "replace", "replicate", "report",
    "request", "require", "rerun", "reschedule", "reserve", "reset", "reshape", "resize",
    "resolve", "respect", "restart", "restore", "restrict", "restructure", "retain",
    "retrieve", "retry", "return", "reuse", "revert", "revise", "reword", "rework", "rewrite",
    "roll", "rollback", "rotate", "route", "run", "sanitize", "save", "scan", "schedule",
    "search", "secure", "select", "send", "separate", "serialize", "serve", "setup", "ship",
    "shorten", "show", "shrink", "shut", "sign", "simplify", "skip", "sort", "spawn",
    "specify", "speed", "split", "squash", "stabilize", "stage", "standardize", "start",
    "stop", "store", "stream", "submit", "subscribe", "substitute", "support", "suppress",
    "swap", "switch", "sync", "synchronize", "tag", "take", "terminate", "test", "throttle",
    "throw", "tighten", "toggle", "track", "transform", "translate", "trigger", "trim",
    "truncate", "tune", "tweak", "unblock", "undo", "unify", "uninstall", "unlock", "unmount",
    "unpin", "unset", "unwrap", "update", "upgrade", "upload", "use", "utilize", "validate",
    "verify", "warn", "watch", "wire", "wrap", "write",
];

/// Verbs that are just as often the topic itself (`cache`, `filter`, `import`, `commit`), or
/// a word before it (`read-only`, `open files`):
/// they may title a group, and start an entry as a noun when a clause follows
/// (`Import of artifacts fails …`).
#[rustfmt::skip]
const ALSO_NOUNS: &[&str] = &[
    "archive", "block", "broadcast", "build", "bundle", "cache", "call", "capture", "change",
    "check", "cleanup", "clone", "commit", "compute", "copy", "count", "dispatch", "display",
    "document", "download", "export", "filter", "force", "format", "forward", "free", "freeze",
    "group", "hash", "import", "index", "inline", "instrument", "join", "label", "launch",
    "limit", "link", "lock", "log", "lookup", "mark", "mask", "match", "measure", "mock",
    "monitor", "mount", "note", "open", "overhaul", "pass", "patch", "pause", "pin", "poll",
    "port", "prefetch", "print", "profile", "prompt", "pull", "push", "query", "queue", "read",
    "record", "redirect", "release", "report", "request", "reset", "restart", "return",
    "rollback", "route", "run", "scan", "schedule", "search", "setup", "sign", "sort", "split",
    "stage", "start", "stop", "store", "stream", "support", "swap", "sync", "tag", "test",
    "throttle", "toggle", "track", "trigger", "update", "upgrade", "upload", "watch",
];

/// Verbs that make a title a clause when they end it (`Resolver Get`, `Operation Fails`):
/// never the name of a topic, unlike `Scheduler Redesign` or `Session Cleanup`.
#[rustfmt::skip]
const CLAUSE_VERBS: &[&str] = &[
    "get", "manage", "read", "write", "install", "uninstall", "fail", "send", "receive",
    "open", "close", "hold", "take", "give", "put", "bind", "persist", "expire", "invoke",
    "deploy", "mount", "unmount", "allow", "let", "become", "cause", "occur", "happen",
];

/// Verbs whose past tense is not the regular `-ed`/`-d`/`-ied` form, or doubles a last
/// letter the syllable rule cannot tell (`commit` → `committed`, `format` → `formatted`).
const IRREGULAR: &[(&str, &str)] = &[
    ("make", "made"),
    ("build", "built"),
    ("rebuild", "rebuilt"),
    ("write", "wrote"),
    ("rewrite", "rewrote"),
    ("overwrite", "overwrote"),
    ("split", "split"),
    ("set", "set"),
    ("reset", "reset"),
    ("unset", "unset"),
    ("put", "put"),
    ("let", "let"),
    ("shut", "shut"),
    ("read", "read"),
    ("run", "ran"),
    ("rerun", "reran"),
    ("keep", "kept"),
    ("send", "sent"),
    ("get", "got"),
    ("find", "found"),
    ("hold", "held"),
    ("take", "took"),
    ("give", "gave"),
    ("become", "became"),
    ("throw", "threw"),
    ("shrink", "shrank"),
    ("bind", "bound"),
    ("undo", "undid"),
    ("drop", "dropped"),
    ("stop", "stopped"),
    ("ship", "shipped"),
    ("embed", "embedded"),
    ("speed", "sped"),
    ("wrap", "wrapped"),
    ("unwrap", "unwrapped"),
    ("strip", "stripped"),
    ("bump", "bumped"),
    ("unpin", "unpinned"),
    ("commit", "committed"),
    ("submit", "submitted"),
    ("omit", "omitted"),
    ("emit", "emitted"),
    ("permit", "permitted"),
    ("defer", "deferred"),
    ("prefer", "preferred"),
    ("format", "formatted"),
    ("reformat", "reformatted"),
    ("cleanup", "cleaned up"),
    ("setup", "set up"),
    ("rollback", "rolled back"),
    ("lookup", "looked up"),
    ("lose", "lost"),
];

/// Adverbs an entry may put before its verb (`Explicitly wrap …`, `Also fix …`) besides
/// those ending in `-ly`.
#[rustfmt::skip]
const ADVERBS: &[&str] = &[
    "also", "now", "always", "never", "just", "only", "still", "again",
];

/// Words that make what follows them a clause with its own verb: after a word that may be a
/// noun (`Import of artifacts fails …`), the entry names a problem, not an action.
#[rustfmt::skip]
const CLAUSE_MARKERS: &[&str] = &[
    "is", "are", "was", "were", "isn't", "aren't", "wasn't", "weren't", "does", "doesn't",
    "did", "didn't", "don't", "can", "can't", "cannot", "could", "couldn't", "should",
    "shouldn't", "would", "wouldn't", "will", "won't", "has", "have", "had", "hasn't",
    "haven't", "fails", "failed", "returns", "returned", "crashes", "crashed", "breaks",
    "broke", "causes", "caused", "throws", "threw", "raises", "raised", "hangs", "hung",
    "leaks", "leaked", "never",
];

/// True for a word of the lexicon, noun or not.
fn in_lexicon(word: &str) -> bool {
    VERBS.binary_search(&word).is_ok()
}

/// True for a verb as often a noun ([`ALSO_NOUNS`]).
fn also_noun(word: &str) -> bool {
    ALSO_NOUNS.binary_search(&word).is_ok()
}

/// True for the verbs changelog entries start with (`add`, `fix`, `migrate`…), which say
/// what was done, not what it was about; not those that are as often a topic (`cache`).
pub fn is_verb(word: &str) -> bool {
    in_lexicon(word) && !also_noun(word)
}

/// True for a verb that makes a title a clause when it ends it ([`CLAUSE_VERBS`]).
pub fn is_clause_verb(word: &str) -> bool {
    CLAUSE_VERBS.contains(&word)
}

/// `add` → `added`, `apply` → `applied`, `make` → `made`, `commit` → `committed`.
pub fn past_tense(verb: &str) -> String {
    let v = verb.to_lowercase();
    if let Some((_, past)) = IRREGULAR.iter().find(|(base, _)| *base == v) {
        return (*past).to_string();
    }
    if v.ends_with('e') {
        format!("{v}d")
    } else if v.ends_with('y') && !v.ends_with("ay") && !v.ends_with("ey") && !v.ends_with("oy") {
        format!("{}ied", &v[..v.len() - 1])
    } else if doubles_last_letter(&v) {
        let last = v.chars().last().map(String::from).unwrap_or_default();
        format!("{v}{last}ed")
    } else {
        format!("{v}ed")
    }
}

/// True for a one-syllable verb ending consonant-vowel-consonant (`skip`, `plan`), whose
/// last letter doubles before `-ed`.
fn doubles_last_letter(v: &str) -> bool {
    let c: Vec<char> = v.chars().collect();
    let vowel = |ch: char| "aeiou".contains(ch);
    let vowel_groups = c
        .iter()
        .enumerate()
        .filter(|(i, ch)| vowel(**ch) && (*i == 0 || !vowel(c[i - 1])))
        .count();
    c.len() >= 3
        && vowel_groups == 1
        && !vowel(c[c.len() - 1])
        && !"wxy".contains(c[c.len() - 1])
        && vowel(c[c.len() - 2])
        && !vowel(c[c.len() - 3])
}

/// A word as an entry writes it, lower-cased, without the punctuation around it.
fn bare(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// The lexicon's verb a word is a form of: `adds`, `fixed`, `applied`, `dropped`, `made`.
fn base_form(word: &str) -> Option<String> {
    if in_lexicon(word) {
        return Some(word.to_string());
    }
    let mut forms: Vec<String> = Vec::new();
    if let Some(b) = word.strip_suffix("es") {
        forms.push(b.to_string());
    }
    if let Some(b) = word.strip_suffix('s') {
        forms.push(b.to_string());
    }
    if let Some(b) = word.strip_suffix("ied") {
        forms.push(format!("{b}y"));
    }
    if let Some(b) = word.strip_suffix("ed") {
        forms.push(b.to_string());
        forms.push(format!("{b}e"));
        let mut c = b.chars();
        if let (Some(x), Some(y)) = (c.next_back(), c.next_back()) {
            if x == y {
                forms.push(b[..b.len() - 1].to_string());
            }
        }
    }
    if let Some((base, _)) = IRREGULAR.iter().find(|(_, past)| *past == word) {
        forms.push((*base).to_string());
    }
    forms.into_iter().find(|b| in_lexicon(b))
}

/// True when the words hold a clause of their own (`… fails when …`, `… is not applied`).
pub fn holds_clause(words: &[&str]) -> bool {
    let bare: Vec<String> = words.iter().map(|w| bare(w)).collect();
    bare.iter().enumerate().any(|(i, w)| {
        CLAUSE_MARKERS.contains(&w.as_str())
            // `… skips the cleanup`: a verb's third person, not a noun's plural.
            || w.ends_with('s') && third_person_of_a_verb(w)
            // `nested lists render flat`: a verb right after a plural.
            || i > 0
                && is_verb(w)
                && bare[i - 1].ends_with('s')
                && !bare[i - 1].ends_with("ss")
    })
}

/// True for `skips`, `renders`: the `-s` form of a verb that is not as often a noun.
fn third_person_of_a_verb(word: &str) -> bool {
    let stems = [word.strip_suffix("es"), word.strip_suffix('s')];
    stems.into_iter().flatten().any(is_verb)
}

/// Words after which a verb that is as often a noun is the noun: `Support for …`,
/// `Import of …`.
const NOUN_FOLLOWERS: &[&str] = &["for", "of"];

/// Verbs whose object may be a clause of its own (`Ensure logs are flushed`, `Make sure
/// …`, `Let users choose …`, `Fix build fails on ARM`): a noun and a verb after them are
/// that clause, not a subject they name.
#[rustfmt::skip]
const CLAUSE_OBJECT: &[&str] = &[
    "assert", "check", "confirm", "correct", "detect", "document", "ensure", "explain",
    "fix", "handle", "let", "make", "mention", "note", "prevent", "repair", "report",
    "require", "resolve", "show", "test", "validate", "verify", "warn", "watch",
];

/// Words that never belong to a noun compound's subject (`Apply button`): determiners,
/// pronouns, prepositions and conjunctions.
#[rustfmt::skip]
const NOT_A_SUBJECT: &[&str] = &[
    "a", "all", "an", "and", "any", "as", "at", "back", "by", "down", "each", "every", "for",
    "from", "her", "his", "if", "in", "into", "it", "its", "my", "no", "not", "of", "off", "on",
    "only", "or", "our", "out", "over", "some", "that", "the", "their", "them", "these",
    "they", "this", "those", "to", "up", "we", "when", "where", "while", "with", "you", "your",
];

/// Finite verbs that agree with a singular subject only, or a plural one only.
const SINGULAR_ONLY: &[&str] = &[
    "is", "was", "isn't", "wasn't", "does", "doesn't", "has", "hasn't",
];
const PLURAL_ONLY: &[&str] = &[
    "are", "were", "aren't", "weren't", "do", "don't", "have", "haven't",
];

/// True when the words after a leading verb (`rest`) are a noun compound's subject and its
/// verb: `Apply button does nothing`, `Save dialog hangs`, `Delete confirmation dialog never
/// closes`, `Rename dialogs fail to open` — the leading word names a thing (a button's
/// label), not what was done. One or two nouns, then a verb that agrees with the last one.
fn noun_compound_subject(rest: &[&str]) -> bool {
    let bare: Vec<String> = rest.iter().take(4).map(|w| bare(w)).collect();
    let noun = |w: &str| {
        !w.is_empty()
            && w.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !NOT_A_SUBJECT.contains(&w)
            && !w.ends_with("ly")
            && (base_form(w).is_none() || also_noun(w))
    };
    // A verb of the lexicon that is no clause marker ends no such clause (`Add token
    // refreshes` is a plural's object): something must follow it.
    let finite = |w: &str, plural: bool, more: bool| {
        let agrees = match plural {
            true => !SINGULAR_ONLY.contains(&w),
            false => !PLURAL_ONLY.contains(&w),
        };
        (agrees && CLAUSE_MARKERS.contains(&w) && !(plural && third_person_of_a_verb(w)))
            || (more && !plural && w.ends_with('s') && third_person_of_a_verb(w))
            || (more && plural && is_verb(w))
    };
    (1..=2).any(|n| {
        bare.len() > n && bare[..n].iter().all(|w| noun(w)) && {
            let last = &bare[n - 1];
            let plural = last.ends_with('s') && !last.ends_with("ss");
            finite(&bare[n], plural, rest.len() > n + 1)
        }
    })
}

/// How an entry starts when it starts with what was done: the number of its words that say
/// it (`Fix` is one, `Explicitly wrap` two) and them in the past tense (`fixed`,
/// `explicitly wrapped`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    pub words: usize,
    pub past: String,
}

/// The entry's leading verb, with an adverb before it, when it starts with one. A word
/// that is as often a noun (`Import`, `Cache`) leads only when no clause of its own follows
/// (`Import of artifacts fails when …` names a problem).
pub fn lead(text: &str) -> Option<Lead> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = bare(words.first()?);
    // A word as often a noun is the noun before `for`/`of` or a clause of its own
    // (`Import of artifacts fails …`, `Weekly report emails are sent …`).
    let a_noun = |base: &str, rest: &[&str]| {
        also_noun(base)
            && (rest
                .first()
                .is_some_and(|w| NOUN_FOLLOWERS.contains(&bare(w).as_str()))
                || holds_clause(&rest[..rest.len().min(8)]))
    };
    // `apply`, `reply` end in `-ly` too.
    let adverb = base_form(&first).is_none()
        && (first.len() > 4 && first.ends_with("ly") || ADVERBS.contains(&first.as_str()));
    if adverb {
        if let Some(base) = words.get(1).and_then(|w| base_form(&bare(w))) {
            if a_noun(&base, &words[2..]) {
                return None;
            }
            return Some(Lead {
                words: 2,
                past: format!("{first} {}", past_tense(&base)),
            });
        }
    }
    let base = base_form(&first)?;
    // `Canceled runs are shown as running`: a participle before its noun, in a clause,
    // names the problem, not what was done.
    // (`Fixed crashes when files are missing` is what was done: the clause must follow the
    // plural noun at once.)
    let participle = base != first
        && base != "fix"
        && words.get(1).is_some_and(|w| {
            let w = bare(w);
            w.ends_with('s') && !w.ends_with("ss")
        })
        && words.get(2).is_some_and(|w| {
            let w = bare(w);
            CLAUSE_MARKERS.contains(&w.as_str()) || third_person_of_a_verb(&w) || is_verb(&w)
        });
    // `Apply button does nothing`: the verb is a noun compound's first word (a label).
    let labels = base == first
        && !CLAUSE_OBJECT.contains(&base.as_str())
        && noun_compound_subject(&words[1..]);
    if participle || labels || a_noun(&base, &words[1..]) {
        return None;
    }
    Some(Lead {
        words: 1,
        past: past_tense(&base),
    })
}

/// True when a description says "a case where" and then an action (`a case where modify
/// the resolver`), which reads as a broken sentence: the action was the fix.
pub fn case_where_names_an_action(description: &str) -> bool {
    let lower = description.to_lowercase();
    lower.match_indices("a case where ").any(|(i, m)| {
        let rest = &description[i + m.len()..];
        lead(rest).is_some_and(|l| {
            let first = rest.split_whitespace().next().map(bare).unwrap_or_default();
            // `a case where cache entries are stale`: a noun with a clause is a problem.
            !first.ends_with("ed") && !first.ends_with('s') || l.words == 2
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_lists_are_sorted_for_binary_search() {
        for list in [VERBS, ALSO_NOUNS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn past_tense_forms() {
        assert_eq!(past_tense("Add"), "added");
        assert_eq!(past_tense("apply"), "applied");
        assert_eq!(past_tense("make"), "made");
        assert_eq!(past_tense("enable"), "enabled");
        assert_eq!(past_tense("deploy"), "deployed");
        assert_eq!(past_tense("commit"), "committed");
        assert_eq!(past_tense("emit"), "emitted");
        assert_eq!(past_tense("format"), "formatted");
        assert_eq!(past_tense("shut"), "shut");
        assert_eq!(past_tense("modify"), "modified");
        assert_eq!(past_tense("skip"), "skipped");
        assert_eq!(past_tense("cleanup"), "cleaned up");
    }

    #[test]
    fn leads_with_a_verb_an_adverb_or_not_at_all() {
        let l = |t: &str| lead(t).map(|l| (l.words, l.past));
        assert_eq!(l("Disallow dots in names"), Some((1, "disallowed".into())));
        assert_eq!(l("Fixed a crash"), Some((1, "fixed".into())));
        assert_eq!(l("Adds a flag"), Some((1, "added".into())));
        assert_eq!(l("Applied the pool"), Some((1, "applied".into())));
        assert_eq!(
            l("Explicitly wrap slot keys"),
            Some((2, "explicitly wrapped".into()))
        );
        assert_eq!(l("Also fix the scaler"), Some((2, "also fixed".into())));
        assert_eq!(l("Apply `CANCEL` policy"), Some((1, "applied".into())));
        // hostile16/07: an adjective in -ly before a noun that is also a verb, a noun
        // before `for`, a verb's third person or a verb after a plural making a clause.
        assert_eq!(l("Weekly report emails are sent twice"), None);
        assert_eq!(l("Daily build fails on ARM runners"), None);
        assert_eq!(l("Early return skips the cleanup"), None);
        assert_eq!(l("Support for nested groups"), None);
        assert_eq!(l("Canceled runs are shown as running"), None);
        assert_eq!(l("Deleted files reappear after sync"), None);
        assert_eq!(
            l("Fixed a crash when files are missing"),
            Some((1, "fixed".into()))
        );
        assert_eq!(
            l("Removed crashes when files are missing"),
            Some((1, "removed".into()))
        );
        assert_eq!(l("Ship a Helm chart"), Some((1, "shipped".into())));
        assert_eq!(l("Embed dashboards"), Some((1, "embedded".into())));
        assert_eq!(l("Speed up the query"), Some((1, "sped".into())));
        assert!(holds_clause(&["nested", "lists", "render", "flat"]));
        assert!(holds_clause(&["unused", "imports", "cause", "failures"]));
        assert!(!holds_clause(&["artifacts", "in", "bulk"]));
        assert_eq!(l("Import artifacts in bulk"), Some((1, "imported".into())));
        assert_eq!(l("Import of artifacts fails when retried"), None);
        assert_eq!(l("Cache entries are never evicted"), None);
        assert_eq!(l("`importArtifacts` mutation fails"), None);
        assert_eq!(l("Session type validation is skipped"), None);
        // A verb that labels a thing, before a noun and a verb agreeing with it: the
        // subject of a clause (hostile16/07), not an action; a verb whose object is a
        // clause, or a noun not followed by an agreeing verb, still leads.
        for problem in [
            "Apply button does nothing on Safari",
            "Save dialog hangs on close",
            "Delete confirmation dialog never closes",
            "Rename dialogs fail to open",
            "Apply filter is ignored",
            "Submit button was hidden",
            "Apply buttons are greyed out",
        ] {
            assert_eq!(l(problem), None, "{problem}");
        }
        for action in [
            ("Ensure logs are flushed", "ensured"),
            ("Make sure the cache is cleared", "made"),
            ("Let users choose the theme", "let"),
            ("Fix build fails on ARM", "fixed"),
            ("Apply patches cleanly", "applied"),
            ("Apply the pool is", "applied"),
            ("Skip tests that fail", "skipped"),
            ("Disallow dots in names", "disallowed"),
            ("Remove users is slow", "removed"),
            ("Apply button styles", "applied"),
            ("Save dialogs does", "saved"),
            ("Add token refreshes", "added"),
            ("Rename dialogs fail", "renamed"),
        ] {
            assert_eq!(l(action.0), Some((1, action.1.into())), "{}", action.0);
        }
        assert_eq!(l("Properly"), None);
        assert_eq!(l(""), None);
    }

    #[test]
    fn a_case_where_must_name_a_problem() {
        assert!(case_where_names_an_action(
            "Fixed a case where disallow dot usage in names."
        ));
        assert!(case_where_names_an_action(
            "Fixed a case where explicitly wrap slot keys."
        ));
        assert!(!case_where_names_an_action(
            "Fixed a case where `x` fails when options are omitted."
        ));
        assert!(!case_where_names_an_action(
            "Fixed a case where cache entries are never evicted."
        ));
        assert!(!case_where_names_an_action(
            "Fixed a case where sessions hang."
        ));
    }
}
