//! Learning a rules file from the groups a project already wrote.
//!
//! Every titled subsection of an earlier final release is a lesson: these entries belong
//! together under this title. Groups with the same title (across releases and categories)
//! are merged; their keywords are the title's words and the words and phrases of their
//! entries that are *precise* — found in at least two of the group's entries and mostly
//! in that group across the whole changelog. Imprecise words would pull unrelated
//! entries in, so they are left out: a learned rule should rather miss than mislead.
//!
//! The pre-release sections waiting for their final release teach too: their entries are
//! clustered by title similarity, and each cluster becomes a rule for its category whose
//! keywords are the words most of its entries share and few others in that category have.
//! These are the topics of the coming release, ready to be renamed and described by hand.

use std::collections::BTreeMap;

use super::rules::{RuleSpec, contains_phrase};
use super::{Context, Tier, text, tier};

/// One category of a grouped final release, as the changelog has it.
#[derive(Debug, Clone, Default)]
pub struct GroupedSection {
    pub release: String,
    pub category: String,
    pub groups: Vec<LearnGroup>,
}

/// One subsection: its title, description and entry texts.
#[derive(Debug, Clone, Default)]
pub struct LearnGroup {
    pub title: String,
    pub description: String,
    /// An `Other <Category>` subsection: no lesson in it.
    pub other: bool,
    pub texts: Vec<String>,
}

/// Words that appear in group titles without saying what the group is about.
const GENERIC_TITLE_WORDS: &[&str] = &[
    "system",
    "improvement",
    "enhancement",
    "management",
    "infrastructure",
    "standardization",
    "evolution",
    "foundation",
    "extension",
    "feature",
    "update",
    "misc",
    "miscellaneou",
    "general",
    "various",
    "related",
    "other",
    "new",
];

/// A learned rule, with the numbers behind it for the file's comments.
#[derive(Debug, Clone)]
pub struct LearnedRule {
    pub spec: RuleSpec,
    pub entries: usize,
    pub releases: Vec<String>,
    /// How its keywords fare in the grouped releases it was not learned from.
    pub held_out: HeldOutPairs,
}

/// The outcome of learning.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    pub rules: Vec<LearnedRule>,
    pub sections: usize,
    pub groups: usize,
    /// Rules proposed for the pending pre-release entries (counted in `rules` too).
    pub pending: usize,
}

/// The entries of one category of the pre-release sections awaiting their final release.
#[derive(Debug, Clone, Default)]
pub struct PendingCategory {
    /// The pre-release versions, newest first.
    pub releases: Vec<String>,
    pub category: String,
    pub texts: Vec<String>,
}

/// Share of a cluster's entries a keyword must appear in.
const PENDING_MIN_COVER: f64 = 0.3;
/// Share of a keyword's occurrences in the category that must fall in the cluster.
const PENDING_MIN_PRECISION: f64 = 0.75;
const PENDING_MAX_KEYWORDS: usize = 12;

/// Rules for the topics of the pending pre-release entries (see the module documentation).
pub fn learn_pending(pending: &[PendingCategory], ctx: &Context) -> Vec<LearnedRule> {
    use super::Grouper;
    let mut out = Vec::new();
    for p in pending {
        let items: Vec<super::Item> = p
            .texts
            .iter()
            .map(|t| super::Item::new(t.clone(), Vec::new()))
            .collect();
        let all: Vec<usize> = (0..items.len()).collect();
        let Ok(proposals) =
            super::similarity::Similarity::default().propose(&p.category, &items, &all, ctx)
        else {
            continue;
        };
        let grouping = super::finish(&p.category, &items, proposals, ctx);
        let features: Vec<Vec<String>> = p
            .texts
            .iter()
            .map(|t| text::features(&text::words(t)))
            .collect();
        for g in &grouping.groups {
            let n = g.members.len();
            let mut count: BTreeMap<&str, usize> = BTreeMap::new();
            for &m in &g.members {
                for f in &features[m] {
                    *count.entry(f.as_str()).or_default() += 1;
                }
            }
            let mut keywords: Vec<(usize, f64, &str)> = count
                .into_iter()
                .filter(|(f, c)| {
                    let everywhere = features
                        .iter()
                        .filter(|fs| fs.iter().any(|x| x == f))
                        .count();
                    *c as f64 >= PENDING_MIN_COVER * n as f64
                        && *c as f64 >= PENDING_MIN_PRECISION * everywhere as f64
                        && !ctx.only_components(&[f.to_string()])
                        && !f.split(' ').all(super::verbs::is_verb)
                })
                .map(|(f, c)| (c, ctx.corpus.idf(f.split(' ').next().unwrap_or(f)), f))
                .collect();
            keywords.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then(b.1.total_cmp(&a.1))
                    .then_with(|| a.2.cmp(b.2))
            });
            // A word inside a kept phrase adds nothing.
            let mut kept: Vec<String> = Vec::new();
            for (_, _, k) in keywords {
                if kept.iter().any(|p| p.split(' ').any(|w| w == k)) {
                    continue;
                }
                kept.push(k.to_string());
                if kept.len() == PENDING_MAX_KEYWORDS {
                    break;
                }
            }
            if kept.is_empty() {
                continue;
            }
            out.push(LearnedRule {
                spec: RuleSpec {
                    title: g.title.clone(),
                    tier: Some(g.tier.as_str().to_string()),
                    description: Some(g.description.clone()),
                    keywords: kept,
                    categories: vec![p.category.clone()],
                    learned: true,
                    pending: true,
                    ..RuleSpec::default()
                },
                entries: n,
                releases: p.releases.clone(),
                held_out: HeldOutPairs::default(),
            });
        }
    }
    out
}

/// Minimum share of a keyword's occurrences (in the whole changelog) that must fall in the
/// group for it to be kept.
const MIN_PRECISION: f64 = 0.7;
/// Minimum number of the group's entries a keyword must appear in.
const MIN_SUPPORT: usize = 2;
const MAX_KEYWORDS: usize = 10;

/// Learn rules from grouped sections; `corpus` holds every entry text of the changelog
/// (for precision), `ctx` the component names that must never be a rule's only keyword.
pub fn learn(
    sections: &[GroupedSection],
    pending: &[PendingCategory],
    corpus: &[String],
    ctx: &Context,
) -> Learned {
    let corpus_words: Vec<Vec<String>> = corpus.iter().map(|t| text::words(t)).collect();
    let mut occurrences: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    let mut merged: BTreeMap<String, (usize, LearnGroup, Vec<String>, Vec<String>)> =
        BTreeMap::new();
    let mut order = 0usize;
    let mut groups = 0usize;
    for s in sections {
        // A title the rules file could not hold (a tab, raw HTML, a link, an invisible
        // character: published once, by hand) is no rule: its reader would refuse the file.
        let usable = |g: &&LearnGroup| {
            !g.other && !g.texts.is_empty() && super::inline::check(&g.title).is_ok()
        };
        for g in s.groups.iter().filter(usable) {
            groups += 1;
            let key = text::normalize_phrase(&g.title);
            let slot = merged.entry(key).or_insert_with(|| {
                order += 1;
                (
                    order,
                    LearnGroup {
                        title: g.title.clone(),
                        ..LearnGroup::default()
                    },
                    Vec::new(),
                    Vec::new(),
                )
            });
            slot.1.texts.extend(g.texts.iter().cloned());
            if slot.1.description.is_empty() && super::inline::check(&g.description).is_ok() {
                slot.1.description = g.description.clone();
            }
            if !slot.2.contains(&s.category) {
                slot.2.push(s.category.clone());
            }
            if !slot.3.contains(&s.release) {
                slot.3.push(s.release.clone());
            }
        }
    }

    let mut rules: Vec<(usize, LearnedRule)> = Vec::new();
    for (_, (pos, group, categories, releases)) in merged {
        let items: Vec<Vec<String>> = group.texts.iter().map(|t| text::words(t)).collect();
        // Candidates: the title's phrases and every word and adjacent pair of the entries.
        let mut candidates: Vec<Vec<String>> = title_phrases(&group.title);
        for words in &items {
            for f in text::features(words) {
                candidates.push(f.split(' ').map(String::from).collect());
            }
        }
        candidates.sort();
        candidates.dedup();
        let mut scored: Vec<(f64, usize, String)> = Vec::new();
        for cand in candidates {
            let phrase = cand.join(" ");
            if cand.iter().all(|w| text::is_stopword(w))
                || ctx.only_components(std::slice::from_ref(&phrase))
            {
                continue;
            }
            let support = items.iter().filter(|w| contains_phrase(w, &cand)).count();
            if support < MIN_SUPPORT {
                continue;
            }
            // The same word turns up in many groups: count it in the corpus once.
            let in_corpus = *occurrences.entry(phrase.clone()).or_insert_with(|| {
                corpus_words
                    .iter()
                    .filter(|w| contains_phrase(w, &cand))
                    .count()
            });
            let everywhere = in_corpus.max(support);
            let precision = support as f64 / everywhere as f64;
            if precision >= MIN_PRECISION {
                scored.push((precision, support, phrase));
            }
        }
        // A word already covered by a kept phrase adds nothing unless it is more precise.
        scored.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(b.0.total_cmp(&a.0))
                .then_with(|| a.2.cmp(&b.2))
        });
        let mut keywords: Vec<(f64, String)> = Vec::new();
        for (precision, _, phrase) in &scored {
            let covered = keywords.iter().any(|(p, k)| {
                k.split(' ').count() > 1 && k.split(' ').any(|w| w == phrase) && *p >= *precision
            });
            if !covered {
                keywords.push((*precision, phrase.clone()));
            }
            if keywords.len() == MAX_KEYWORDS {
                break;
            }
        }
        if keywords.is_empty() {
            continue;
        }
        let tier = guess_tier(&group.title, group.texts.len(), releases.len());
        let spec = RuleSpec {
            title: group.title.clone(),
            tier: Some(tier.as_str().to_string()),
            description: (!group.description.trim().is_empty())
                .then(|| group.description.trim().to_string()),
            keywords: keywords.into_iter().map(|(_, k)| k).collect(),
            categories: if categories.len() == 1 {
                categories
            } else {
                Vec::new()
            },
            learned: true,
            ..RuleSpec::default()
        };
        rules.push((
            pos,
            LearnedRule {
                spec,
                entries: group.texts.len(),
                releases,
                held_out: HeldOutPairs::default(),
            },
        ));
    }
    // Keep the changelog's order: newest groups first, after the pending topics.
    rules.sort_by_key(|(pos, _)| *pos);
    let mut all = learn_pending(pending, ctx);
    let pending_count = all.len();
    // A pending topic that continues an earlier one carries its title: the earlier rule
    // would make the same group twice over with older keywords.
    let continued: std::collections::HashSet<String> =
        all.iter().map(|r| r.spec.title.to_lowercase()).collect();
    all.extend(
        rules
            .into_iter()
            .map(|(_, r)| r)
            .filter(|r| !continued.contains(&r.spec.title.to_lowercase())),
    );
    let held_out = HeldOut::new(sections);
    for r in &mut all {
        r.held_out = held_out.pairs(&r.spec, &r.releases);
        r.spec.misleads = r.held_out.misleads();
    }
    Learned {
        rules: all,
        sections: sections.len(),
        groups,
        pending: pending_count,
    }
}

/// How a rule fares in the grouped releases it was not learned from: of the pairs of
/// entries it matches there (within one category of one release), how many the
/// maintainers put in one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeldOutPairs {
    pub together: usize,
    pub pairs: usize,
}

impl HeldOutPairs {
    /// True when the matched pairs were more often apart than together: the rule would
    /// join what the project separates. A rule with no held-out pair is not judged.
    pub fn misleads(&self) -> bool {
        2 * self.together < self.pairs
    }
}

/// A grouped section with the words of its entries, in the order of its groups.
type SectionWords<'a> = (&'a GroupedSection, Vec<Vec<String>>);

/// The grouped sections' entries as words, read once for checking every rule.
struct HeldOut<'a> {
    sections: Vec<SectionWords<'a>>,
}

impl<'a> HeldOut<'a> {
    fn new(sections: &'a [GroupedSection]) -> HeldOut<'a> {
        HeldOut {
            sections: sections
                .iter()
                .map(|s| {
                    let entries = s
                        .groups
                        .iter()
                        .flat_map(|g| g.texts.iter().map(|t| text::words(t)))
                        .collect();
                    (s, entries)
                })
                .collect(),
        }
    }

    /// The pairs `spec` matches in the sections of releases other than `learned_from`.
    fn pairs(&self, spec: &RuleSpec, learned_from: &[String]) -> HeldOutPairs {
        let keywords: Vec<Vec<String>> = spec
            .keywords
            .iter()
            .map(|k| {
                text::normalize_phrase(k)
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(String::from)
                    .collect::<Vec<String>>()
            })
            .filter(|k| !k.is_empty())
            .collect();
        let mut out = HeldOutPairs::default();
        for (s, entries) in &self.sections {
            let applies = spec.categories.is_empty()
                || spec
                    .categories
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&s.category));
            if !applies || learned_from.contains(&s.release) {
                continue;
            }
            let mut matched = 0usize;
            let mut at = 0usize;
            for g in &s.groups {
                let n = g.texts.len();
                let m = entries[at..at + n]
                    .iter()
                    .filter(|words| keywords.iter().any(|k| contains_phrase(words, k)))
                    .count();
                at += n;
                if !g.other {
                    out.together += m * m.saturating_sub(1) / 2;
                }
                matched += m;
            }
            out.pairs += matched * matched.saturating_sub(1) / 2;
        }
        out
    }
}

/// `App Proxy and Routing` → `[app proxy]`, `[routing]`; generic words dropped.
fn title_phrases(title: &str) -> Vec<Vec<String>> {
    title
        .split([',', '&', '/'])
        .flat_map(|part| part.split(" and "))
        .map(|part| {
            text::words(part)
                .into_iter()
                .filter(|w| !GENERIC_TITLE_WORDS.contains(&w.as_str()))
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn guess_tier(title: &str, entries: usize, releases: usize) -> Tier {
    let words = text::words(title);
    if let Some(tier) = tier::from_title_words(&words) {
        return tier;
    }
    let content: Vec<&String> = words
        .iter()
        .filter(|w| !GENERIC_TITLE_WORDS.contains(&w.as_str()))
        .collect();
    if content.len() >= 2 && entries >= 5 && releases <= 2 {
        return Tier::Initiative;
    }
    if title.to_lowercase().contains("management") || content.len() == 1 {
        return Tier::Entity;
    }
    Tier::Subsystem
}

/// The rules as a commented TOML file.
pub fn to_toml(learned: &Learned, source: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# Grouping rules learned by `git release rules learn` from {source}\n\
         # ({} grouped sections, {} groups: {} rules; {} rules for the topics of the pending\n\
         # pre-release entries). Review titles, tiers, descriptions and keywords before relying\n\
         # on them; the format is described in strategies/README.md. `learned = true` makes a\n\
         # rule evidence for `auto`'s similarity pass rather than a claim: delete it from a\n\
         # rule you reviewed to let the rule claim its entries. `misleads = true`: the entries\n\
         # it matches in the releases it was not learned from were mostly in different groups,\n\
         # so `auto` does not take it as evidence.\n",
        learned.sections,
        learned.groups,
        learned.rules.len() - learned.pending,
        learned.pending
    ));
    for r in &learned.rules {
        out.push('\n');
        out.push_str(&format!(
            "# {} entries in {}\n",
            r.entries,
            r.releases.join(", ")
        ));
        if r.held_out.pairs > 0 {
            out.push_str(&format!(
                "# elsewhere in the changelog, {} of the {} pairs of entries it matches were grouped together\n",
                r.held_out.together, r.held_out.pairs
            ));
        }
        out.push_str("[[group]]\n");
        out.push_str(&format!("title = {}\n", toml_string(&r.spec.title)));
        if let Some(t) = &r.spec.tier {
            out.push_str(&format!("tier = {}\n", toml_string(t)));
        }
        if let Some(d) = &r.spec.description {
            out.push_str(&format!("description = {}\n", toml_string(d)));
        }
        let list = |v: &[String]| {
            v.iter()
                .map(|s| toml_string(s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!("keywords = [{}]\n", list(&r.spec.keywords)));
        if !r.spec.categories.is_empty() {
            out.push_str(&format!("categories = [{}]\n", list(&r.spec.categories)));
        }
        if r.spec.learned {
            out.push_str("learned = true\n");
        }
        if r.spec.pending {
            out.push_str("pending = true\n");
        }
        if r.spec.misleads {
            out.push_str("misleads = true\n");
        }
    }
    out
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::Corpus;
    use crate::group::rules::RulesFile;
    use std::path::Path;

    fn section(release: &str, category: &str, groups: &[(&str, &[&str])]) -> GroupedSection {
        GroupedSection {
            release: release.into(),
            category: category.into(),
            groups: groups
                .iter()
                .map(|(title, texts)| LearnGroup {
                    title: (*title).into(),
                    description: format!("About {title}."),
                    other: title.starts_with("Other"),
                    texts: texts.iter().map(|t| (*t).to_string()).collect(),
                })
                .collect(),
        }
    }

    /// A title the rules reader would refuse (published once, by hand) is no rule; a
    /// description it would refuse is left out of the rule.
    #[test]
    fn titles_and_descriptions_the_reader_refuses_are_not_learned() {
        let texts: &[&str] = &[
            "Add fair share weights",
            "Implement fair share repository",
            "Add fair share API",
        ];
        for title in [
            "Fair Share\u{200b} Scheduler",
            "Fair\tShare",
            "Fair <b>Share</b>",
        ] {
            let sections = vec![section("2.0.0", "Features", &[(title, texts)])];
            let corpus: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
            let ctx = Context::new(Corpus::default(), vec![], &[], 2);
            let learned = learn(&sections, &[], &corpus, &ctx);
            assert!(
                learned.rules.is_empty(),
                "{title:?}: {:?}",
                learned.rules.len()
            );
        }
        let mut sections = vec![section("2.0.0", "Features", &[("Fair Share", texts)])];
        sections[0].groups[0].description = "Added [fair share](https://x).".into();
        let corpus: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        let ctx = Context::new(Corpus::default(), vec![], &[], 2);
        let learned = learn(&sections, &[], &corpus, &ctx);
        assert_eq!(learned.rules.len(), 1);
        assert_eq!(learned.rules[0].spec.description, None);
    }

    #[test]
    fn learns_precise_keywords_and_round_trips_as_a_rules_file() {
        let sections = vec![section(
            "2.0.0",
            "Features",
            &[
                (
                    "Fair Share Scheduler",
                    &[
                        "Add fair share weights",
                        "Implement fair share repository",
                        "Add fair share API",
                    ],
                ),
                (
                    "Other Features",
                    &["Add a button", "Add fair share docs link"],
                ),
            ],
        )];
        let corpus: Vec<String> = sections[0]
            .groups
            .iter()
            .flat_map(|g| g.texts.clone())
            .collect();
        let ctx = Context::new(Corpus::default(), vec![], &["manager".into()], 2);
        let learned = learn(&sections, &[], &corpus, &ctx);
        assert_eq!(learned.rules.len(), 1);
        let rule = &learned.rules[0].spec;
        assert_eq!(rule.title, "Fair Share Scheduler");
        assert!(
            rule.keywords.contains(&"fair share".to_string()),
            "{:?}",
            rule.keywords
        );
        assert_eq!(
            rule.description.as_deref(),
            Some("About Fair Share Scheduler.")
        );
        let text = to_toml(&learned, "CHANGELOG.md");
        let file = RulesFile::parse(Path::new("learned.toml"), &text).unwrap();
        assert_eq!(file.rules.len(), 1);
        // Marked as learned: `auto` takes it as evidence, not as a claim.
        assert!(file.rules[0].spec.learned, "{text}");
    }

    #[test]
    fn pending_entries_become_rules_for_their_topics() {
        let pending = vec![PendingCategory {
            releases: vec!["2.0.0rc1".into()],
            category: "Features".into(),
            texts: [
                "Add usage bucket tables",
                "Add usage bucket repository",
                "Add usage bucket REST API",
                "Add dark theme",
            ]
            .map(String::from)
            .to_vec(),
        }];
        let mut texts = pending[0].texts.clone();
        texts.push("Add a thing".into());
        let ctx = Context::new(
            Corpus::new(texts.iter().map(String::as_str)),
            vec![],
            &[],
            2,
        );
        let learned = learn(&[], &pending, &texts, &ctx);
        assert_eq!(learned.pending, 1);
        let rule = &learned.rules[0].spec;
        assert!(
            rule.keywords.iter().any(|k| k == "usage bucket"),
            "{:?}",
            rule.keywords
        );
        assert_eq!(rule.categories, ["Features"]);
        assert_eq!(learned.rules[0].releases, ["2.0.0rc1"]);
        // Marked as learned from the pending entries, in the file too.
        assert!(rule.learned && rule.pending);
        let file = RulesFile::parse(Path::new("r.toml"), &to_toml(&learned, "test")).unwrap();
        assert!(file.rules[0].spec.pending);
    }

    /// A learned rule is checked against the grouped releases it was not learned from:
    /// when the maintainers kept most pairs of the entries it matches apart, it misleads
    /// (and says so in the file); together, or never seen, it does not.
    #[test]
    fn rules_are_checked_on_the_releases_they_were_not_learned_from() {
        let pending = |texts: &[&str]| {
            vec![PendingCategory {
                releases: vec!["2.0.0rc1".into()],
                category: "Features".into(),
                texts: texts.iter().map(|t| t.to_string()).collect(),
            }]
        };
        let topic = [
            "Add usage bucket tables",
            "Add usage bucket repository",
            "Add usage bucket REST API",
            "Add dark theme",
        ];
        let apart = section(
            "1.0.0",
            "Features",
            &[
                (
                    "Storage Quotas",
                    &["Add usage bucket quota to storage hosts"],
                ),
                (
                    "Metrics Graphs",
                    &["Show usage bucket graph on the dashboard"],
                ),
                ("Other Features", &["Add usage bucket export"]),
            ],
        );
        let together = section(
            "1.0.0",
            "Features",
            &[(
                "Usage Buckets",
                &["Add usage bucket quota", "Show usage bucket graph"],
            )],
        );
        for (history, pairs, misleads) in [
            (vec![apart], (0, 3), true),
            (vec![together], (1, 1), false),
            (vec![], (0, 0), false),
        ] {
            let texts: Vec<String> = topic.iter().map(|t| t.to_string()).collect();
            let ctx = Context::new(
                Corpus::new(texts.iter().map(String::as_str)),
                vec![],
                &[],
                2,
            );
            let learned = learn(&history, &pending(&topic), &texts, &ctx);
            let r = &learned.rules[0];
            assert!(r.spec.pending, "{:?}", r.spec);
            assert_eq!((r.held_out.together, r.held_out.pairs), pairs);
            assert_eq!(r.spec.misleads, misleads);
            let text = to_toml(&learned, "test");
            let file = RulesFile::parse(Path::new("r.toml"), &text).unwrap();
            assert_eq!(file.rules[0].spec.misleads, misleads, "{text}");
        }
    }

    #[test]
    fn title_phrases_drop_generic_words() {
        assert_eq!(
            title_phrases("App Proxy and Routing"),
            [
                vec!["app".to_string(), "proxy".into()],
                vec!["routing".into()]
            ]
        );
        assert_eq!(
            title_phrases("RBAC System Improvements"),
            [vec!["rbac".to_string()]]
        );
    }
}
