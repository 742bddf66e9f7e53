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
    "add",
    "adjust",
    "allow",
    "apply",
    "avoid",
    "bump",
    "build",
    "cache",
    "change",
    "check",
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
    "enable",
    "enforce",
    "enhance",
    "ensure",
    "expand",
    "expose",
    "extend",
    "extract",
    "fix",
    "handle",
    "harden",
    "implement",
    "improve",
    "include",
    "integrate",
    "introduce",
    "isolate",
    "keep",
    "limit",
    "log",
    "make",
    "merge",
    "migrate",
    "move",
    "optimize",
    "parallelize",
    "prevent",
    "provide",
    "raise",
    "refactor",
    "register",
    "reduce",
    "remove",
    "rename",
    "reorganize",
    "replace",
    "resolve",
    "restore",
    "restrict",
    "retry",
    "return",
    "revise",
    "rewrite",
    "run",
    "separate",
    "set",
    "simplify",
    "skip",
    "split",
    "standardize",
    "support",
    "switch",
    "unify",
    "update",
    "upgrade",
    "use",
    "validate",
    "wrap",
];

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
    // Lower-case a plain leading word ("Fair share" stays if it is an acronym or code).
    let mut chars = out.chars();
    if let (Some(first), Some(second)) = (chars.next(), chars.next()) {
        if first.is_uppercase() && second.is_lowercase() {
            let rest: String = out.chars().skip(1).collect();
            out = format!("{}{rest}", first.to_lowercase());
        }
    }
    out
}

/// One or two sentences in the past tense about a group.
pub fn describe(title: &str, members: &[usize], items: &[Item]) -> String {
    let mut verbs: Vec<(String, usize, usize)> = Vec::new(); // (verb, count, first seen)
    for (pos, &m) in members.iter().enumerate() {
        if let Some(v) = leading_verb(&items[m].text) {
            match verbs.iter_mut().find(|(x, _, _)| *x == v) {
                Some(slot) => slot.1 += 1,
                None => verbs.push((v, 1, pos)),
            }
        }
    }
    verbs.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let past: Vec<String> = verbs
        .iter()
        .take(2)
        .map(|(v, _, _)| past_tense(v))
        .collect();
    let lead = match past.as_slice() {
        [] => "Changed".to_string(),
        [one] => capitalize(one),
        [a, b, ..] => format!("{} and {b}", capitalize(a)),
    };
    let n = members.len();
    let count = if n == 1 {
        "one change".to_string()
    } else {
        format!("{n} changes")
    };
    let first = format!("{lead} {title} across {count}.");

    // Two representative entries: the shortest ones, which tend to be the summaries.
    let mut reps: Vec<usize> = members.to_vec();
    reps.sort_by_key(|&m| (items[m].text.len(), m));
    let objects: Vec<String> = reps
        .iter()
        .take(2)
        .map(|&m| object(&items[m].text))
        .filter(|o| !o.is_empty())
        .collect();
    match objects.as_slice() {
        [] => first,
        [one] => format!("{first} This includes {one}."),
        [a, b, ..] => format!("{first} This includes {a}, and {b}."),
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
        let d = describe("Fair Share Scheduler", &[0, 1, 2], &items);
        assert!(
            d.starts_with("Added and implemented Fair Share Scheduler across 3 changes."),
            "{d}"
        );
        assert!(
            d.contains("GQL mutations for fair share configuration"),
            "{d}"
        );
        assert!(d.matches('.').count() <= 3, "{d}");
    }
}
