//! Short past-tense descriptions for groups that have none from a rule: what was done
//! (the entries' leading verbs, in the past tense) and two representative changes.

use super::Item;

/// Verbs whose past tense is not the regular `-ed`/`-d`/`-ied` form.
const IRREGULAR: &[(&str, &str)] = &[
    ("make", "made"),
    ("build", "built"),
    ("rebuild", "rebuilt"),
    ("write", "wrote"),
    ("rewrite", "rewrote"),
    ("split", "split"),
    ("set", "set"),
    ("reset", "reset"),
    ("run", "ran"),
    ("keep", "kept"),
    ("send", "sent"),
    ("drop", "dropped"),
    ("stop", "stopped"),
    ("ship", "shipped"),
    ("wrap", "wrapped"),
    ("strip", "stripped"),
    ("bump", "bumped"),
];

/// Leading words that are verbs in changelog entries.
const VERBS: &[&str] = &[
    "accept",
    "add",
    "adjust",
    "adopt",
    "align",
    "allow",
    "apply",
    "avoid",
    "bump",
    "build",
    "cache",
    "change",
    "check",
    "clarify",
    "clean",
    "complete",
    "consolidate",
    "convert",
    "correct",
    "create",
    "decouple",
    "define",
    "delete",
    "deprecate",
    "detect",
    "disable",
    "document",
    "downgrade",
    "drop",
    "eliminate",
    "emit",
    "enable",
    "enforce",
    "enhance",
    "ensure",
    "expand",
    "expose",
    "extend",
    "extract",
    "fetch",
    "filter",
    "finalize",
    "fix",
    "generate",
    "guard",
    "handle",
    "harden",
    "hide",
    "ignore",
    "implement",
    "improve",
    "include",
    "increase",
    "initialize",
    "inject",
    "integrate",
    "introduce",
    "isolate",
    "keep",
    "limit",
    "load",
    "lock",
    "log",
    "lower",
    "maintain",
    "make",
    "merge",
    "migrate",
    "move",
    "normalize",
    "notify",
    "optimize",
    "override",
    "parallelize",
    "parse",
    "pin",
    "port",
    "preserve",
    "prevent",
    "propagate",
    "protect",
    "provide",
    "publish",
    "raise",
    "rebuild",
    "recover",
    "redesign",
    "reduce",
    "refactor",
    "refresh",
    "register",
    "reject",
    "relax",
    "remove",
    "rename",
    "render",
    "reorganize",
    "replace",
    "report",
    "require",
    "resolve",
    "respect",
    "restore",
    "restrict",
    "restructure",
    "retry",
    "return",
    "reuse",
    "revert",
    "revise",
    "rework",
    "rewrite",
    "run",
    "sanitize",
    "secure",
    "separate",
    "show",
    "simplify",
    "skip",
    "speed",
    "split",
    "standardize",
    "start",
    "stop",
    "store",
    "stream",
    "support",
    "switch",
    "sync",
    "synchronize",
    "tighten",
    "track",
    "trim",
    "tune",
    "unify",
    "update",
    "upgrade",
    "use",
    "validate",
    "verify",
    "wire",
    "wrap",
];

/// Verbs that are just as often the topic itself (`cache`, `filter`, `log`): they may
/// title a group.
const ALSO_NOUNS: &[&str] = &[
    "cache", "check", "filter", "limit", "lock", "log", "report", "stream", "support", "sync",
    "track", "update", "upgrade", "build", "change", "store", "start", "stop", "run", "return",
    "split", "pin", "port", "record", "schedule", "release", "test", "document",
];

/// True for the verbs changelog entries start with (`add`, `fix`, `migrate`…), which say
/// what was done, not what it was about.
pub fn is_verb(word: &str) -> bool {
    VERBS.contains(&word) && !ALSO_NOUNS.contains(&word)
}

/// `add` → `added`, `apply` → `applied`, `make` → `made`.
pub fn past_tense(verb: &str) -> String {
    let v = verb.to_lowercase();
    if let Some((_, past)) = IRREGULAR.iter().find(|(base, _)| *base == v) {
        return (*past).to_string();
    }
    if v.ends_with('e') {
        format!("{v}d")
    } else if v.ends_with('y') && !v.ends_with("ay") && !v.ends_with("ey") && !v.ends_with("oy") {
        format!("{}ied", &v[..v.len() - 1])
    } else {
        format!("{v}ed")
    }
}

/// The entry's leading verb, when it starts with one.
fn leading_verb(text: &str) -> Option<String> {
    let first = text.split_whitespace().next()?;
    let word = first
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let base = word
        .strip_suffix('s')
        .filter(|b| VERBS.contains(b))
        .unwrap_or(&word);
    VERBS.contains(&base).then(|| base.to_string())
}

/// The entry without its leading verb, shortened to about a dozen words.
fn object(text: &str) -> String {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    if leading_verb(text).is_some() {
        words.remove(0);
    }
    let sentence_end = words
        .iter()
        .position(|w| w.ends_with('.') && w.len() > 2)
        .map(|i| i + 1);
    let mut take = sentence_end.unwrap_or(words.len()).min(12);
    // Never end on a dangling connective.
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
    if take < words.len() && sentence_end != Some(take) {
        out.push('…');
    }
    // Lower-case a plain leading word ("Recorder instrumentation" → "recorder …"), but not a
    // name ("Fair Share API"), an acronym ("GQL") or an identifier ("BackendAIConfigMeta").
    let mut ws = out.split(' ');
    if let Some(first) = ws.next() {
        let plain = first.chars().next().is_some_and(char::is_uppercase)
            && first
                .chars()
                .skip(1)
                .all(|c| c.is_lowercase() || !c.is_alphabetic());
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
    let fallback =
        if category.to_lowercase().contains("fix") || category.to_lowercase().contains("bug") {
            "fixed:"
        } else {
            "changed:"
        };
    let title_words = super::text::words(title);
    let mut reps: Vec<usize> = members.to_vec();
    // Cached: a key splits an entry into words, and groups can hold thousands of entries.
    // (Keys end with the member index, so any sort gives the same order.)
    reps.sort_by_cached_key(|&m| {
        let words = super::text::words(&items[m].text);
        let shared = title_words.iter().filter(|w| words.contains(w)).count();
        (std::cmp::Reverse(shared), items[m].text.len(), m)
    });
    let clauses: Vec<String> = reps
        .iter()
        .take(2)
        .map(|&m| {
            let text = &items[m].text;
            let verb = leading_verb(text)
                .map(|v| past_tense(&v))
                .unwrap_or_else(|| fallback.into());
            format!("{verb} {}", object(text))
        })
        .collect();
    let n = members.len();
    let body = match clauses.as_slice() {
        [] => format!("{fallback} {title}"),
        [one] => one.clone(),
        [a, b, ..] => format!("{a}, and {b}"),
    };
    let body = body.trim_end_matches(['.', '…']).to_string();
    if n > 2 {
        format!("{}; {n} changes in all.", capitalize(&body))
    } else {
        format!("{}.", capitalize(&body))
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
    fn past_tense_forms() {
        assert_eq!(past_tense("Add"), "added");
        assert_eq!(past_tense("apply"), "applied");
        assert_eq!(past_tense("make"), "made");
        assert_eq!(past_tense("enable"), "enabled");
        assert_eq!(past_tense("deploy"), "deployed");
    }

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
            "Added GQL mutations for fair share configuration, and implemented \
             FairShareService and ResourceUsageService; 3 changes in all."
        );
        let fixes = vec![
            Item::new(
                "`importArtifacts` mutation fails when options are omitted",
                vec![1],
            ),
            Item::new("Fix import of artifacts", vec![2]),
        ];
        let d = describe("Fixes", "Artifact Import", &[0, 1], &fixes);
        assert!(d.contains("fixed: `importArtifacts` mutation fails"), "{d}");
    }
}
