//! Property tests of the consolidation's accounting: generated changelogs and fragments with
//! every shape an input takes (multi-PR entries in both list forms, links before the text,
//! before a period or more text, sub-bullets, entries without PR, comments hiding an entry,
//! prose under the heading and after a category, rc sections with no entries, CRLF,
//! unicode, stale entries, a number reused with another text, numbered fragments, texts
//! towncrier merges), folded by the library and checked against an oracle written here
//! from the generated model, never from the parsed text.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use git_release::changelog::{Changelog, RefFormat};
use git_release::config::Config;
use git_release::consolidate;
use git_release::group;
use git_release::version::Version;

use crate::util::{fixtures, write_files};

const URL: &str = "https://example.com/p";
const TYPES: [(&str, &str); 3] = [
    ("feature", "Features"),
    ("enhance", "Improvements"),
    ("fix", "Fixes"),
];
const TEXTS: [&str; 6] = [
    "Fix the café scheduler",
    "Add 日本語 support to the client",
    "Improve `code` handling",
    "Tune the agent",
    "Speed up the image puller",
    "Handle an empty quota",
];
const MORE: [&str; 2] = ["for the storage proxy", "on restart"];
const SUBS: [&str; 2] = ["when the registry is down", "with many tags"];
const NOTES: [&str; 2] = [
    "Upgrade note: run the migration first.",
    "Upgrade note: restart the agents.",
];
const FOOTERS: [&str; 2] = [
    "The fix needs agents 1.1 or newer.",
    "See the manual for the details.",
];

#[derive(Debug, Clone, Copy)]
enum Shape {
    Trailing,
    Period,
    After(usize),
    First,
    Sub(usize),
}

#[derive(Debug, Clone)]
struct GenEntry {
    category: usize,
    /// Sorted, no duplicates; empty for an entry without PR.
    prs: Vec<u64>,
    text: usize,
    shape: Shape,
    /// `([#1](u), [#2](u))` rather than `([#1](u)), ([#2](u))`.
    one_paren: bool,
}

#[derive(Debug, Clone)]
struct GenRc {
    entries: Vec<GenEntry>,
    note: Option<usize>,
    /// A paragraph after the entries of the category of the first entry.
    footer: Option<usize>,
    /// An entry commented out after the entries of the first entry's category.
    comment: bool,
}

#[derive(Debug, Clone)]
struct Case {
    /// The 1.0.0 release: (type, PR, text).
    released: Vec<(usize, u64, usize)>,
    /// Oldest first.
    rcs: Vec<GenRc>,
    /// (type, PR, counter) → text.
    fragments: BTreeMap<(usize, u64, u32), usize>,
    crlf: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        3 => Just(Shape::Trailing),
        1 => Just(Shape::Period),
        1 => (0..MORE.len()).prop_map(Shape::After),
        1 => Just(Shape::First),
        1 => (0..SUBS.len()).prop_map(Shape::Sub),
    ]
}

fn entry() -> impl Strategy<Value = GenEntry> {
    (
        0..TYPES.len(),
        prop_oneof![
            1 => Just(Vec::new()),
            6 => proptest::collection::btree_set(1u64..=10, 1..=3)
                .prop_map(|s| s.into_iter().collect()),
        ],
        0..TEXTS.len(),
        shape(),
        any::<bool>(),
    )
        .prop_map(|(category, prs, text, shape, one_paren)| GenEntry {
            category,
            prs,
            text,
            shape,
            one_paren,
        })
}

fn rc() -> impl Strategy<Value = GenRc> {
    (
        proptest::collection::vec(entry(), 0..6),
        proptest::option::of(0..NOTES.len()),
        proptest::option::of(0..FOOTERS.len()),
        any::<bool>(),
    )
        .prop_map(|(entries, note, footer, comment)| GenRc {
            entries,
            note,
            footer,
            comment,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec((0..TYPES.len(), 1u64..=10, 0..TEXTS.len()), 0..5),
        proptest::collection::vec(rc(), 1..=3),
        proptest::collection::btree_map(
            (0..TYPES.len(), 1u64..=10, 0u32..=1),
            0..TEXTS.len(),
            0..5,
        ),
        any::<bool>(),
    )
        .prop_map(|(released, rcs, fragments, crlf)| Case {
            released,
            rcs,
            fragments,
            crlf,
        })
}

fn link(n: u64) -> String {
    format!("[#{n}]({URL}/{n})")
}

fn refs(prs: &[u64], one_paren: bool) -> String {
    if one_paren {
        let links: Vec<String> = prs.iter().map(|&n| link(n)).collect();
        format!("({})", links.join(", "))
    } else {
        let links: Vec<String> = prs.iter().map(|&n| format!("({})", link(n))).collect();
        links.join(", ")
    }
}

/// An entry's Markdown, and the text it says (what must survive).
fn render(e: &GenEntry) -> (String, String) {
    let t = TEXTS[e.text];
    if e.prs.is_empty() {
        return match e.shape {
            Shape::Trailing | Shape::First => (format!("* {t}"), t.to_string()),
            Shape::Period => (format!("* {t}."), t.to_string()),
            Shape::After(m) => (format!("* {t} {}", MORE[m]), format!("{t} {}", MORE[m])),
            Shape::Sub(s) => (
                format!("* {t}\n  * {}", SUBS[s]),
                format!("{t} {}", SUBS[s]),
            ),
        };
    }
    let r = refs(&e.prs, e.one_paren);
    match e.shape {
        Shape::Trailing => (format!("* {t} {r}"), t.to_string()),
        Shape::Period => (format!("* {t} {r}."), t.to_string()),
        Shape::After(m) => (format!("* {t} {r} {}", MORE[m]), format!("{t} {}", MORE[m])),
        Shape::First => (format!("* {r}: {t}"), t.to_string()),
        Shape::Sub(s) => (
            format!("* {t} {r}\n  * {}", SUBS[s]),
            format!("{t} {}", SUBS[s]),
        ),
    }
}

/// Letters and digits, lowercase, single spaces: what the oracle compares texts by.
fn words(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn changelog_text(case: &Case) -> String {
    let mut log = String::from("# Changelog\n\n<!-- towncrier release notes start -->\n\n");
    for (k, rc) in case.rcs.iter().enumerate().rev() {
        log.push_str(&format!("## 2.0.0rc{} (2026-02-0{})\n\n", k + 1, k + 1));
        if let Some(n) = rc.note {
            log.push_str(NOTES[n]);
            log.push_str("\n\n");
        }
        if rc.entries.is_empty() {
            log.push_str("No significant changes.\n\n\n");
            continue;
        }
        let first = rc.entries[0].category;
        for (t, (_, name)) in TYPES.iter().enumerate() {
            let entries: Vec<&GenEntry> = rc.entries.iter().filter(|e| e.category == t).collect();
            if entries.is_empty() {
                continue;
            }
            log.push_str(&format!("### {name}\n"));
            for e in entries {
                log.push_str(&render(e).0);
                log.push('\n');
            }
            if t == first && rc.comment {
                log.push_str(&format!(
                    "<!--\n* Hidden entry {}\n-->\n",
                    refs(&[999], false)
                ));
            }
            if let (true, Some(f)) = (t == first, rc.footer) {
                log.push('\n');
                log.push_str(FOOTERS[f]);
                log.push('\n');
            }
            log.push('\n');
        }
        log.push('\n');
    }
    log.push_str("## 1.0.0 (2025-01-01)\n");
    for (t, (_, name)) in TYPES.iter().enumerate() {
        let entries: Vec<_> = case.released.iter().filter(|(c, ..)| *c == t).collect();
        if entries.is_empty() {
            continue;
        }
        log.push_str(&format!("\n### {name}\n"));
        for (_, pr, text) in entries {
            log.push_str(&format!("* {} ({})\n", TEXTS[*text], link(*pr)));
        }
    }
    if case.crlf {
        log.replace('\n', "\r\n")
    } else {
        log
    }
}

/// What the consolidation must give, worked out from the model.
#[derive(Debug, Default)]
struct Expected {
    /// (category, PRs, words of the text), as a sorted multiset.
    entries: Vec<(String, Vec<u64>, String)>,
    superseded: usize,
    stale: usize,
    overlaps: BTreeSet<(String, u64)>,
    notes: BTreeSet<&'static str>,
    footers: BTreeMap<String, BTreeSet<&'static str>>,
    /// The refusal expected, if any.
    refusal: Option<&'static str>,
    /// Changes (category, PRs, text of one without PRs) whose older texts were not all
    /// replaced by a newer input's fewer texts: their entries are checked by count, each
    /// text one the inputs gave the change.
    loose: BTreeSet<(String, Vec<u64>, String)>,
    /// Every text the inputs gave each change.
    texts: BTreeMap<(String, Vec<u64>, String), BTreeSet<String>>,
}

impl Expected {
    /// Whether `found` (category, PRs, words, sorted) are the entries expected.
    fn matches(&self, found: &[(String, Vec<u64>, String)]) -> Result<(), String> {
        let key = |(c, p, t): &(String, Vec<u64>, String)| {
            (
                c.clone(),
                p.clone(),
                if p.is_empty() {
                    t.clone()
                } else {
                    String::new()
                },
            )
        };
        let strict = |list: &[(String, Vec<u64>, String)]| {
            list.iter()
                .filter(|e| !self.loose.contains(&key(e)))
                .cloned()
                .collect::<Vec<_>>()
        };
        if strict(found) != strict(&self.entries) {
            return Err(format!(
                "entries {:?}, expected {:?}",
                strict(found),
                strict(&self.entries)
            ));
        }
        for k in &self.loose {
            let of = |list: &[(String, Vec<u64>, String)]| {
                list.iter()
                    .filter(|e| key(e) == *k)
                    .map(|e| e.2.clone())
                    .collect::<Vec<_>>()
            };
            let (got, want) = (of(found), of(&self.entries));
            let known = self.texts.get(k).cloned().unwrap_or_default();
            if got.len() != want.len() || got.iter().any(|t| !known.contains(t)) {
                return Err(format!(
                    "{k:?}: entries {got:?}, expected {} of {known:?}",
                    want.len()
                ));
            }
        }
        Ok(())
    }
}

fn oracle(case: &Case) -> Expected {
    let released: BTreeSet<(u64, String)> = case
        .released
        .iter()
        .map(|(_, pr, t)| (*pr, words(TEXTS[*t])))
        .collect();
    // Inputs, oldest first: (rank, category, PRs, words).
    let mut inputs: Vec<(usize, String, Vec<u64>, String)> = Vec::new();
    let mut exp = Expected::default();
    for (k, rc) in case.rcs.iter().enumerate() {
        for e in &rc.entries {
            inputs.push((
                k,
                TYPES[e.category].1.into(),
                e.prs.clone(),
                words(&render(e).1),
            ));
        }
        if let Some(n) = rc.note {
            exp.notes.insert(NOTES[n]);
        }
        if let (Some(f), Some(first)) = (rc.footer, rc.entries.first()) {
            exp.footers
                .entry(TYPES[first.category].1.into())
                .or_default()
                .insert(FOOTERS[f]);
        }
    }
    // towncrier merges fragments of one type with one text into one entry.
    let mut merged: BTreeMap<(usize, usize), BTreeSet<u64>> = BTreeMap::new();
    for ((t, pr, _), text) in &case.fragments {
        merged.entry((*t, *text)).or_default().insert(*pr);
    }
    for ((t, text), prs) in merged {
        inputs.push((
            case.rcs.len(),
            TYPES[t].1.into(),
            prs.into_iter().collect(),
            words(TEXTS[text]),
        ));
    }
    let mut kept: Vec<(usize, String, Vec<u64>, String)> = Vec::new();
    // A change is identified by its category and PRs, or its text without PRs.
    let key = |c: &String, p: &Vec<u64>, t: &String| {
        (
            c.clone(),
            p.clone(),
            if p.is_empty() {
                t.clone()
            } else {
                String::new()
            },
        )
    };
    let last = inputs.iter().map(|i| i.0).max().unwrap_or(0);
    for rank in 0..=last {
        let mut fresh: Vec<(usize, String, Vec<u64>, String)> = Vec::new();
        for (_, cat, prs, text) in inputs.iter().filter(|i| i.0 == rank).cloned() {
            if prs.iter().any(|&pr| released.contains(&(pr, text.clone()))) {
                exp.stale += 1;
                continue;
            }
            // The same text twice in one input is one entry.
            if fresh
                .iter()
                .any(|(_, c, p, t)| *c == cat && *p == prs && *t == text)
            {
                exp.superseded += 1;
                continue;
            }
            fresh.push((rank, cat, prs, text));
        }
        // Each newer text replaces one older text of its change; older texts beyond the
        // newer ones' count are kept (which ones depends on how similar the texts are: the
        // change's texts are then checked as a set, see `loose`).
        let keys: BTreeSet<_> = fresh.iter().map(|(_, c, p, t)| key(c, p, t)).collect();
        for k in keys {
            let n = fresh
                .iter()
                .filter(|(_, c, p, t)| key(c, p, t) == k)
                .count();
            let m = kept.iter().filter(|(_, c, p, t)| key(c, p, t) == k).count();
            exp.superseded += n.min(m);
            if m > n {
                exp.loose.insert(k.clone());
            }
            let mut drop = n.min(m);
            kept.retain(|(_, c, p, t)| {
                let replaced = drop > 0 && key(c, p, t) == k;
                drop -= usize::from(replaced);
                !replaced
            });
        }
        for (_, c, p, t) in &fresh {
            exp.texts.entry(key(c, p, t)).or_default().insert(t.clone());
        }
        kept.extend(fresh);
    }
    let mut count: BTreeMap<(String, u64), usize> = BTreeMap::new();
    for (_, c, prs, _) in &kept {
        for &pr in prs {
            *count.entry((c.clone(), pr)).or_default() += 1;
        }
    }
    exp.overlaps = count
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(k, _)| k)
        .collect();
    let categories: BTreeSet<&String> = kept.iter().map(|(_, c, ..)| c).collect();
    if exp.footers.keys().any(|c| !categories.contains(c)) {
        exp.refusal = Some("has no category to go to");
    } else if kept.is_empty() && (!inputs.is_empty() || case.rcs.is_empty()) {
        exp.refusal = Some("nothing to consolidate");
    }
    exp.entries = kept.into_iter().map(|(_, c, p, t)| (c, p, t)).collect();
    exp.entries.sort();
    exp
}

fn pyproject() -> String {
    let mut out = format!(
        "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"CHANGELOG.md\"\n\
         template = \"changes/template.md\"\ntitle_format = \"\"\n\
         issue_format = \"([#{{issue}}]({URL}/{{issue}}))\"\n"
    );
    for (dir, name) in TYPES {
        out.push_str(&format!(
            "\n[[tool.towncrier.type]]\ndirectory = \"{dir}\"\nname = \"{name}\"\nshowcontent = true\n"
        ));
    }
    out
}

/// The entries of a release as (category, PRs, words), sorted.
fn entries_of(release: &git_release::changelog::Release) -> Vec<(String, Vec<u64>, String)> {
    let mut out: Vec<_> = release
        .categories
        .iter()
        .flat_map(|c| {
            c.all_entries()
                .map(move |e| (c.name.clone(), e.pr_set(), words(&e.text)))
        })
        .collect();
    out.sort();
    out
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let template =
        std::fs::read_to_string(fixtures().join("backend-ai/26.1.0/before/changes/template.md"))
            .unwrap();
    let log = changelog_text(case);
    let mut files: Vec<(String, String)> = vec![
        ("pyproject.toml".into(), pyproject()),
        ("CHANGELOG.md".into(), log.clone()),
        ("changes/template.md".into(), template),
    ];
    for ((t, pr, counter), text) in &case.fragments {
        let name = match counter {
            0 => format!("changes/{pr}.{}.md", TYPES[*t].0),
            n => format!("changes/{pr}.{}.{n}.md", TYPES[*t].0),
        };
        files.push((name, format!("{}\n", TEXTS[*text])));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(root, &files);

    let config = Config::load(root).unwrap();
    let version = Version::parse("2.0.0").unwrap();
    let exp = oracle(case);
    let prepared =
        consolidate::prepare(&config, &version, "2026-03-01", &group::Settings::default());
    let prepared = match (prepared, exp.refusal) {
        (Err(e), Some(why)) => {
            prop_assert!(e.to_string().contains(why), "{e}\n{log}");
            return Ok(());
        }
        (Err(e), None) => return Err(TestCaseError::fail(format!("refused: {e}\n{log}"))),
        (Ok(_), Some(why)) => {
            return Err(TestCaseError::fail(format!("not refused ({why})\n{log}")));
        }
        (Ok(p), None) => p,
    };
    let c = &prepared.grouped.consolidation;
    let release = prepared.grouped.release();
    if let Err(e) = exp.matches(&entries_of(&release)) {
        return Err(TestCaseError::fail(format!("{e}\n{log}")));
    }
    prop_assert_eq!(c.duplicates.len(), exp.superseded, "{}", log);
    prop_assert_eq!(c.stale.len(), exp.stale, "{}", log);
    let overlaps: BTreeSet<(String, u64)> = c
        .overlaps
        .iter()
        .map(|o| (o.category.clone(), o.pr))
        .collect();
    prop_assert_eq!(overlaps, exp.overlaps.clone(), "{}", log);
    let section = release.render(2);
    prop_assert!(
        !section.contains("Hidden") && !section.contains("-->"),
        "{}",
        section
    );
    // Pre-releases that listed nothing (towncrier's section for none) and no fragment: the
    // final is towncrier's empty section, its text once.
    let none = exp.entries.is_empty() && exp.notes.is_empty();
    prop_assert_eq!(
        section.matches("No significant changes").count(),
        usize::from(none),
        "{}",
        section
    );
    let description = release.description.clone().unwrap_or_default();
    let description = match none {
        true => description.replace("No significant changes.", ""),
        false => description,
    };
    for note in &exp.notes {
        prop_assert_eq!(description.matches(note).count(), 1, "{}", section);
    }
    prop_assert_eq!(
        description
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .count(),
        exp.notes.len(),
        "{}",
        section
    );
    for cat in &release.categories {
        let footer = cat.footer.clone().unwrap_or_default();
        let want = exp.footers.get(&cat.name).cloned().unwrap_or_default();
        for f in &want {
            prop_assert_eq!(footer.matches(f).count(), 1, "{}", section);
        }
        prop_assert_eq!(
            footer
                .split("\n\n")
                .filter(|p| !p.trim().is_empty())
                .count(),
            want.len(),
            "{}",
            section
        );
    }

    // Written and read back: the same entries, the prose where it was put.
    consolidate::write(&prepared, &release, false, true, None).unwrap();
    let written = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
    let reread = Changelog::parse_project(&written, Some(&config.towncrier.start_string), &refs);
    let index = reread.find(&version).expect("the written section");
    let back = &reread.releases()[index];
    if let Err(e) = exp.matches(&entries_of(back)) {
        return Err(TestCaseError::fail(format!("{e}\n{written}")));
    }
    prop_assert!(!written.contains("2.0.0rc"), "{}", written);
    for note in &exp.notes {
        prop_assert!(
            back.description
                .as_deref()
                .unwrap_or_default()
                .contains(note),
            "{}",
            written
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn consolidation_accounts_for_every_input(case in case()) {
        check(&case)?;
    }
}
