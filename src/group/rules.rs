//! The `rules` strategy: a TOML file of keyword rules, each naming a group.
//!
//! ```toml
//! [[group]]
//! title = "Fair Share Scheduler"
//! tier = "initiative"
//! description = "Added a fair share scheduler that balances resources across projects."
//! keywords = ["fair share", "usage bucket"]
//! regex = ['(?i)\bFairShare\w*']
//! categories = ["Features", "Fixes"]
//! ```
//!
//! Keywords match whole words and phrases regardless of case, plurals, CamelCase,
//! snake_case, kebab-case and backticks; regular expressions match the entry text as
//! written. An entry matching several rules goes to the highest tier, then to the rule
//! with the most specific match (more matched words), then to the earlier rule.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::{Context, Grouper, Item, Proposal, Rank, Tier, text};
use crate::error::{Error, Result};

/// A rule as written in the file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regex: Vec<String>,
    /// Keywords that keep an entry out of this rule even when it matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Only these categories (type names such as `Features`, or type directories such as
    /// `feature`); all configured categories when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Keep the group even with a single entry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub standalone: bool,
    /// Learned by `rules learn` from the project's history rather than written by hand:
    /// `auto` takes it as evidence that entries belong together (a bonus to their
    /// similarity), not as a claim on them. Deleting the line makes it a claim.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub learned: bool,
    /// Learned from the pending pre-release entries of the coming release (a topic to
    /// rename and describe), not from a published grouping.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
    /// `rules learn` found that the entries this rule matches in the grouped releases it
    /// was not learned from were mostly kept apart by the maintainers: `auto` does not
    /// take it as evidence (it would join what the project separates).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub misleads: bool,
}

/// Where a PR label sends its entries: a group title, or a full group definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LabelTarget {
    Title(String),
    Group {
        title: String,
        #[serde(default)]
        tier: Option<String>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        standalone: bool,
    },
}

impl LabelTarget {
    pub fn title(&self) -> &str {
        match self {
            LabelTarget::Title(t) | LabelTarget::Group { title: t, .. } => t,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    group: Vec<RuleSpec>,
    #[serde(default)]
    labels: IndexMap<String, LabelTarget>,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    pub tier: Tier,
    keywords: Vec<Vec<String>>,
    excludes: Vec<Vec<String>>,
    regexes: Vec<Regex>,
    categories: Vec<String>,
}

/// A loaded, validated rules file.
#[derive(Debug, Clone, Default)]
pub struct RulesFile {
    pub path: PathBuf,
    pub rules: Vec<Rule>,
    /// `[labels]`: PR label → group, for the labels strategy.
    pub labels: IndexMap<String, LabelTarget>,
}

pub(crate) fn parse_tier(
    path: &Path,
    title: &str,
    tier: Option<&str>,
    default: Tier,
) -> Result<Tier> {
    match tier {
        None => Ok(default),
        Some(t) => Tier::parse(&t.to_lowercase()).ok_or_else(|| Error::Rules {
            path: path.to_path_buf(),
            message: format!(
                "group `{title}`: unknown tier `{t}`; use one of: {}",
                Tier::ALL.map(Tier::as_str).join(", ")
            ),
        }),
    }
}

impl RulesFile {
    /// Read and validate a rules file: unknown keys, unknown tiers, bad regular
    /// expressions and rules that could never match are errors naming the rule.
    pub fn load(path: &Path) -> Result<RulesFile> {
        let bytes = crate::files::read_regular(path, |message| Error::Rules {
            path: path.to_path_buf(),
            message,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Rules {
            path: path.to_path_buf(),
            message: format!(
                "is not UTF-8 text (byte {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        })?;
        RulesFile::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<RulesFile> {
        let raw: RawFile = toml::from_str(text).map_err(|e| Error::Rules {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        let mut rules = Vec::new();
        for spec in raw.group {
            rules.push(Rule::compile(path, spec)?);
        }
        for (label, target) in &raw.labels {
            if let LabelTarget::Group { title, tier, .. } = target {
                parse_tier(path, title, tier.as_deref(), Tier::Subsystem)?;
            }
            if target.title().trim().is_empty() {
                return Err(Error::Rules {
                    path: path.to_path_buf(),
                    message: format!("label `{label}` maps to an empty title"),
                });
            }
            let description = match target {
                LabelTarget::Group { description, .. } => description.as_deref(),
                LabelTarget::Title(_) => None,
            };
            let texts = [
                Some(("title", target.title())),
                description.map(|d| ("description", d)),
            ];
            for (key, text) in texts.into_iter().flatten() {
                if let Err(why) = super::inline::check(text) {
                    return Err(Error::Rules {
                        path: path.to_path_buf(),
                        message: format!(
                            "[labels] `{}`: the {key} holds {why}; it must be one line of plain text",
                            super::inline::quoted(label)
                        ),
                    });
                }
            }
        }
        Ok(RulesFile {
            path: path.to_path_buf(),
            rules,
            labels: raw.labels,
        })
    }

    /// The file split in two: the rules written by hand (with the `[labels]` table), and
    /// the learned ones (`learned = true`), which `auto` takes as evidence only.
    pub fn split_learned(&self) -> (RulesFile, RulesFile) {
        let (learned, written): (Vec<Rule>, Vec<Rule>) =
            self.rules.iter().cloned().partition(|r| r.spec.learned);
        (
            RulesFile {
                path: self.path.clone(),
                rules: written,
                labels: self.labels.clone(),
            },
            RulesFile {
                path: self.path.clone(),
                rules: learned,
                labels: IndexMap::new(),
            },
        )
    }
}

/// Keywords as normalised word sequences (empty ones dropped).
fn phrases(list: &[String]) -> Vec<Vec<String>> {
    list.iter()
        .map(|k| {
            text::normalize_phrase(k)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter(|k| !k.is_empty())
        .collect()
}

impl Rule {
    pub fn compile(path: &Path, spec: RuleSpec) -> Result<Rule> {
        let err = |message: String| Error::Rules {
            path: path.to_path_buf(),
            message,
        };
        if spec.title.trim().is_empty() {
            return Err(err("a [[group]] has an empty title".into()));
        }
        let unfit = |key: &str, text: &str| {
            super::inline::check(text).err().map(|why| {
                err(format!(
                    "the [[group]] titled \"{}\": `{key}` holds {why}; it must be one line of plain text",
                    super::inline::quoted(&spec.title)
                ))
            })
        };
        let texts = [
            Some(("title", &spec.title)),
            spec.description.as_ref().map(|d| ("description", d)),
        ];
        if let Some(e) = texts.into_iter().flatten().find_map(|(k, t)| unfit(k, t)) {
            return Err(e);
        }
        let tier = parse_tier(path, &spec.title, spec.tier.as_deref(), Tier::Subsystem)?;
        let keywords = phrases(&spec.keywords);
        let excludes = phrases(&spec.exclude);
        let mut regexes = Vec::new();
        for r in &spec.regex {
            regexes.push(Regex::new(r).map_err(|e| {
                err(format!(
                    "group `{}`: invalid regex `{r}`: {}",
                    spec.title,
                    e.to_string().replace('\n', " ")
                ))
            })?);
        }
        if keywords.is_empty() && regexes.is_empty() {
            return Err(err(format!(
                "group `{}` has no keywords and no regex, so it can never match; add `keywords = [...]`",
                spec.title
            )));
        }
        let categories = spec.categories.iter().map(|c| c.to_lowercase()).collect();
        Ok(Rule {
            spec,
            tier,
            keywords,
            excludes,
            regexes,
            categories,
        })
    }

    fn applies_to(&self, category: &str) -> bool {
        self.categories.is_empty()
            || self
                .categories
                .iter()
                .any(|c| c == &category.to_lowercase())
    }

    /// How specifically the rule matches an entry (0 = not at all), and the matched
    /// keywords as evidence.
    pub fn score(&self, item_text: &str, words: &[String]) -> (usize, Vec<String>) {
        if self.excludes.iter().any(|k| contains_phrase(words, k)) {
            return (0, Vec::new());
        }
        let mut score = 0;
        let mut evidence = Vec::new();
        for k in &self.keywords {
            if contains_phrase(words, k) {
                score += k.len();
                evidence.push(k.join(" "));
            }
        }
        for r in &self.regexes {
            if let Some(m) = r.find(item_text) {
                score += 1;
                evidence.extend(text::words(m.as_str()));
            }
        }
        (score, evidence)
    }
}

/// True when `phrase` occurs in `words` as consecutive words, or written together
/// (`fairshare` matches `fair share`), or a long word with a small typo.
///
/// Performance (every entry is matched against every keyword of every rule): no string
/// is built, the joined phrase is compared in place, and a Jaro-Winkler similarity is
/// only computed when the letters the two words share allow it to reach the threshold.
/// The answers are those of the straightforward version kept in the tests.
pub(crate) fn contains_phrase(words: &[String], phrase: &[String]) -> bool {
    if phrase.is_empty() || words.is_empty() {
        return false;
    }
    if words.windows(phrase.len()).any(|w| w == phrase) {
        return true;
    }
    // Up to four consecutive words spelling the phrase's words joined. A run stops as
    // soon as it is no longer a prefix of the joined phrase: it could only grow longer.
    let joined_len: usize = phrase.iter().map(String::len).sum();
    for start in 0..words.len() {
        let mut at = 0;
        for w in words.iter().skip(start).take(4) {
            if !joined_continues_with(phrase, at, w) {
                break;
            }
            at += w.len();
            if at == joined_len {
                return true;
            }
        }
    }
    // Typos in long single words (`reqeust`, `muplipe`) still match.
    let [single] = phrase else {
        return false;
    };
    single.len() >= 7
        && words.iter().any(|w| {
            w.len() >= 7 && may_be_close(w, single) && strsim::jaro_winkler(w, single) >= 0.95
        })
}

/// True when the phrase's words written together continue with `w` from byte `at`.
fn joined_continues_with(phrase: &[String], mut at: usize, w: &str) -> bool {
    let mut rest = w.as_bytes();
    for part in phrase {
        if rest.is_empty() {
            break;
        }
        let part = part.as_bytes();
        if at >= part.len() {
            at -= part.len();
            continue;
        }
        let available = &part[at..];
        at = 0;
        let n = available.len().min(rest.len());
        if available[..n] != rest[..n] {
            return false;
        }
        rest = &rest[n..];
    }
    rest.is_empty()
}

/// False when `strsim::jaro_winkler(a, b)` is certainly below 0.95, from the letters
/// the words share (ASCII words; others are always worth computing).
///
/// Jaro-Winkler is at most `0.6 × jaro + 0.4` (a common prefix of at most four letters,
/// scaled by 0.1), so 0.95 needs a Jaro similarity of at least 0.9167. Jaro is
/// `(m/|a| + m/|b| + (m − t)/m) / 3` with `m` matched characters, and a character can
/// only match an equal one, so `m` is at most the number of letters the two share
/// (counted with multiplicity), and Jaro at most `(c/|a| + c/|b| + 1) / 3`. When
/// `c/|a| + c/|b| ≤ 1.7`, Jaro-Winkler is at most 0.94 — far enough below 0.95 for
/// rounding not to matter.
fn may_be_close(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return true;
    }
    let mut counts = [0i32; 128];
    for c in a.bytes() {
        counts[usize::from(c)] += 1;
    }
    let mut shared = 0;
    for c in b.bytes() {
        let n = &mut counts[usize::from(c)];
        if *n > 0 {
            *n -= 1;
            shared += 1;
        }
    }
    let shared = f64::from(shared);
    shared / a.len() as f64 + shared / b.len() as f64 > 1.7
}

/// The `rules` strategy.
#[derive(Debug, Clone)]
pub struct Rules {
    file: RulesFile,
}

impl Rules {
    pub fn new(file: RulesFile) -> Rules {
        Rules { file }
    }
}

impl Grouper for Rules {
    /// Each entry is matched on its own.
    fn judges_each_entry(&self) -> bool {
        true
    }

    fn propose(
        &self,
        category: &str,
        items: &[Item],
        candidates: &[usize],
        _ctx: &Context,
    ) -> Result<Vec<Proposal>> {
        let active: Vec<(usize, &Rule)> = self
            .file
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.applies_to(category))
            .collect();
        let mut proposals: Vec<Option<Proposal>> = vec![None; self.file.rules.len()];
        for &i in candidates {
            let words = text::words(&items[i].text);
            // The one precedence rule decides between the rules matching the entry. Group
            // sizes are not settled while rules claim entries, so every claim has size 0
            // and the file's order (the author's) breaks ties. (Ranking rules by how many
            // entries they match instead scored lower: BCubed F1 0.697 against 0.699.)
            let best = active
                .iter()
                .filter_map(|&(ri, rule)| {
                    let (score, evidence) = rule.score(&items[i].text, &words);
                    let rank = Rank {
                        tier: rule.tier,
                        strength: score,
                        size: 0,
                        position: ri,
                    };
                    (score > 0).then_some((rank, ri, evidence))
                })
                .min_by_key(|(rank, _, _)| *rank);
            if let Some((_, ri, evidence)) = best {
                let rule = &self.file.rules[ri];
                let p = proposals[ri].get_or_insert_with(|| Proposal {
                    title: rule.spec.title.clone(),
                    description: rule.spec.description.clone(),
                    tier: rule.tier,
                    members: Vec::new(),
                    standalone: rule.spec.standalone,
                    reason: format!("rule `{}` in {}", rule.spec.title, self.file.path.display()),
                    evidence: Vec::new(),
                });
                p.members.push(i);
                for e in evidence {
                    if !p.evidence.contains(&e) {
                        p.evidence.push(e);
                    }
                }
            }
        }
        Ok(proposals
            .into_iter()
            .flatten()
            .map(|mut p| {
                p.reason = format!("{} (matched: {})", p.reason, p.evidence.join(", "));
                p
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{Corpus, finish};

    fn file(text: &str) -> Result<RulesFile> {
        RulesFile::parse(Path::new("rules.toml"), text)
    }

    fn ctx() -> Context {
        Context::new(Corpus::default(), vec![], &["manager".to_string()], 2)
    }

    #[test]
    fn matching_tolerates_case_plurals_and_identifier_styles() {
        let f = file("[[group]]\ntitle = \"Fair Share\"\nkeywords = [\"fair share\"]\n").unwrap();
        let rule = &f.rules[0];
        for t in [
            "Add `FairShareService`",
            "Fix fair_share weights",
            "Add fair-shares to GQL",
            "Implement Fair Share API",
            "fairshare buckets",
        ] {
            let (score, _) = rule.score(t, &text::words(t));
            assert!(score > 0, "{t}");
        }
        let (score, _) = rule.score("Share a fair amount", &text::words("Share a fair amount"));
        assert_eq!(score, 0);
    }

    #[test]
    fn highest_tier_then_most_specific_wins() {
        let f = file(
            r#"
[[group]]
title = "GraphQL"
tier = "subsystem"
keywords = ["graphql", "graphql type"]
[[group]]
title = "Fair Share"
tier = "initiative"
keywords = ["fair share"]
[[group]]
title = "Types"
tier = "subsystem"
keywords = ["type"]
"#,
        )
        .unwrap();
        let items = vec![
            Item::new("Add fair share fields to GraphQL types", vec![1]),
            Item::new("Add GraphQL types for users", vec![2]),
            Item::new("Add GraphQL type for projects", vec![3]),
            Item::new("Implement Fair Share API", vec![4]),
        ];
        let g = finish(
            "Features",
            &items,
            Rules::new(f)
                .propose("Features", &items, &[0, 1, 2, 3], &ctx())
                .unwrap(),
            &ctx(),
        );
        assert_eq!(g.groups[0].title, "Fair Share");
        assert_eq!(g.groups[0].members, [0, 3]);
        assert_eq!(g.groups[1].title, "GraphQL");
        assert_eq!(g.groups[1].members, [1, 2]);
    }

    #[test]
    fn learned_rules_split_from_written_ones() {
        let f = file(
            "[[group]]\ntitle = \"Fair Share\"\nkeywords = [\"fair share\"]\n\
             [[group]]\ntitle = \"Sessions\"\nkeywords = [\"session\"]\nlearned = true\n\
             [labels]\n\"area:sched\" = \"Scheduler\"\n",
        )
        .unwrap();
        let (written, learned) = f.split_learned();
        let titles = |f: &RulesFile| -> Vec<String> {
            f.rules.iter().map(|r| r.spec.title.clone()).collect()
        };
        assert_eq!(titles(&written), ["Fair Share"]);
        assert_eq!(titles(&learned), ["Sessions"]);
        assert_eq!(written.labels.len(), 1);
        assert!(learned.labels.is_empty());
    }

    #[test]
    fn category_filters_and_excludes() {
        let f = file(
            "[[group]]\ntitle = \"Migrations\"\nkeywords = [\"migration\"]\nexclude = [\"data migration\"]\ncategories = [\"Fixes\"]\n",
        )
        .unwrap();
        let items = vec![
            Item::new("Fix migration downgrade", vec![1]),
            Item::new("Fix data migration of vfolders", vec![2]),
            Item::new("Fix migration of enums", vec![3]),
        ];
        let rules = Rules::new(f);
        assert!(
            rules
                .propose("Features", &items, &[0, 1, 2], &ctx())
                .unwrap()
                .is_empty()
        );
        let p = rules.propose("Fixes", &items, &[0, 1, 2], &ctx()).unwrap();
        assert_eq!(p[0].members, [0, 2]);
    }

    #[test]
    fn bad_files_name_the_problem() {
        for (text, needle) in [
            (
                "[[group]]\ntitle = \"X\"\nregex = [\"(\"]\n",
                "invalid regex",
            ),
            (
                "[[group]]\ntitle = \"X\"\ntier = \"epic\"\nkeywords = [\"x\"]\n",
                "unknown tier `epic`",
            ),
            ("[[group]]\ntitle = \"X\"\n", "never match"),
            ("[[group]]\ntitle = \"X\"\nkeyword = [\"x\"]\n", "keyword"),
            ("[[group]\n", "rules.toml"),
        ] {
            let msg = file(text).unwrap_err().to_string();
            assert!(msg.contains(needle), "{text}: {msg}");
            assert!(msg.contains("rules.toml"), "{msg}");
        }
    }

    #[test]
    fn component_keywords_alone_never_make_a_group() {
        let f = file("[[group]]\ntitle = \"Manager\"\nkeywords = [\"manager\"]\n").unwrap();
        let items = vec![
            Item::new("Fix manager crash", vec![1]),
            Item::new("Tune manager pool", vec![2]),
        ];
        let g = finish(
            "Fixes",
            &items,
            Rules::new(f)
                .propose("Fixes", &items, &[0, 1], &ctx())
                .unwrap(),
            &ctx(),
        );
        assert!(g.groups.is_empty());
    }
}

/// The faster matching gives the answers of the straightforward version, kept here as
/// the reference.
#[cfg(test)]
mod reference {
    use super::*;
    use proptest::prelude::*;

    /// The original `contains_phrase`.
    fn reference_contains_phrase(words: &[String], phrase: &[String]) -> bool {
        if phrase.is_empty() || words.is_empty() {
            return false;
        }
        if words.windows(phrase.len()).any(|w| w == phrase) {
            return true;
        }
        let joined: String = phrase.concat();
        for start in 0..words.len() {
            let mut acc = String::new();
            for w in words.iter().skip(start).take(4) {
                acc.push_str(w);
                if acc == joined {
                    return true;
                }
                if acc.len() >= joined.len() {
                    break;
                }
            }
        }
        phrase.len() == 1
            && joined.len() >= 7
            && words
                .iter()
                .any(|w| w.len() >= 7 && strsim::jaro_winkler(w, &joined) >= 0.95)
    }

    /// Words that combine into one another (`fair` + `share` = `fairshare`), typos of
    /// long words, prefixes, and non-ASCII spellings.
    const WORDS: &[&str] = &[
        "fair",
        "share",
        "fairshare",
        "fairshar",
        "fairsahre",
        "scheduler",
        "schedulr",
        "sceduler",
        "schedulers",
        "request",
        "reqeust",
        "requests",
        "multiple",
        "muplipe",
        "a",
        "ab",
        "abc",
        "b",
        "bc",
        "c",
        "abcabca",
        "abcabcb",
        "ünïcödé",
        "unicode",
        "ünicode",
    ];

    fn words(max: usize) -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(prop::sample::select(WORDS), 0..max)
            .prop_map(|ws| ws.into_iter().map(String::from).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn contains_phrase_matches_the_reference(text in words(10), phrase in words(4)) {
            prop_assert_eq!(
                contains_phrase(&text, &phrase),
                reference_contains_phrase(&text, &phrase)
            );
        }

        /// The prefilter never rules out a pair Jaro-Winkler would accept: near copies
        /// (which it often accepts) and unrelated words.
        #[test]
        fn may_be_close_is_sound(
            a in "[abcde]{7,14}",
            edits in prop::collection::vec((0usize..14, prop::sample::select(vec!['a', 'x', 'b'])), 0..3),
            unrelated in "[abcde]{7,14}",
        ) {
            let mut near: Vec<char> = a.chars().collect();
            for (at, c) in edits {
                let i = at % near.len();
                match at % 3 {
                    0 => near[i] = c,
                    1 if i + 1 < near.len() => near.swap(i, i + 1),
                    _ => near.insert(i, c),
                }
            }
            let near: String = near.into_iter().collect();
            for b in [&near, &unrelated] {
                if strsim::jaro_winkler(&a, b) >= 0.95 {
                    prop_assert!(may_be_close(&a, b), "{} / {}", a, b);
                }
            }
        }
    }

    /// The prefilter does rule things out (it is what makes matching fast).
    #[test]
    fn may_be_close_rejects_unrelated_words() {
        assert!(!may_be_close("scheduler", "dependency"));
        assert!(may_be_close("reqeust", "request"));
    }
}
