//! Learning a rules file from the groups a project already wrote.
//!
//! Every titled subsection of an earlier final release is a lesson: these entries belong
//! together under this title. Groups with the same title (across releases and categories)
//! are merged; their keywords are the title's words and the words and phrases of their
//! entries that are *precise* — found in at least two of the group's entries and mostly
//! in that group across the whole changelog. Imprecise words would pull unrelated
//! entries in, so they are left out: a learned rule should rather miss than mislead.

use std::collections::BTreeMap;

use super::rules::{RuleSpec, contains_phrase};
use super::{Context, Tier, text};

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

/// Title words that mark the kind of group.
const PATTERN_WORDS: &[&str] = &[
    "pattern",
    "standardization",
    "consistency",
    "quality",
    "cleanup",
    "refactoring",
    "migration",
    "naming",
    "lint",
    "linter",
    "static",
];
const INFRA_WORDS: &[&str] = &[
    "ci",
    "build",
    "test",
    "testing",
    "tooling",
    "dependency",
    "packaging",
    "installer",
    "docker",
    "deployment",
    "infrastructure",
    "configuration",
    "observability",
    "monitoring",
];

/// A learned rule, with the numbers behind it for the file's comments.
#[derive(Debug, Clone)]
pub struct LearnedRule {
    pub spec: RuleSpec,
    pub entries: usize,
    pub releases: Vec<String>,
}

/// The outcome of learning.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    pub rules: Vec<LearnedRule>,
    pub sections: usize,
    pub groups: usize,
}

/// Minimum share of a keyword's occurrences (in the whole changelog) that must fall in the
/// group for it to be kept.
const MIN_PRECISION: f64 = 0.7;
/// Minimum number of the group's entries a keyword must appear in.
const MIN_SUPPORT: usize = 2;
const MAX_KEYWORDS: usize = 10;

/// Learn rules from grouped sections; `corpus` holds every entry text of the changelog
/// (for precision), `ctx` the component names that must never be a rule's only keyword.
pub fn learn(sections: &[GroupedSection], corpus: &[String], ctx: &Context) -> Learned {
    let corpus_words: Vec<Vec<String>> = corpus.iter().map(|t| text::words(t)).collect();
    let mut merged: BTreeMap<String, (usize, LearnGroup, Vec<String>, Vec<String>)> =
        BTreeMap::new();
    let mut order = 0usize;
    let mut groups = 0usize;
    for s in sections {
        for g in s.groups.iter().filter(|g| !g.other && !g.texts.is_empty()) {
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
            if slot.1.description.is_empty() {
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
            let everywhere = corpus_words
                .iter()
                .filter(|w| contains_phrase(w, &cand))
                .count()
                .max(support);
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
            ..RuleSpec::default()
        };
        rules.push((
            pos,
            LearnedRule {
                spec,
                entries: group.texts.len(),
                releases,
            },
        ));
    }
    // Keep the changelog's order: newest groups first.
    rules.sort_by_key(|(pos, _)| *pos);
    Learned {
        rules: rules.into_iter().map(|(_, r)| r).collect(),
        sections: sections.len(),
        groups,
    }
}

/// The grouped categories of a changelog's final releases, for learning.
pub fn grouped_sections(log: &crate::changelog::Changelog) -> Vec<GroupedSection> {
    let mut out = Vec::new();
    for r in log.releases() {
        if r.version().is_none_or(|v| !v.is_final()) {
            continue;
        }
        for c in r.categories.iter().filter(|c| !c.subsections.is_empty()) {
            out.push(GroupedSection {
                release: r.title().to_string(),
                category: c.name.clone(),
                groups: c
                    .subsections
                    .iter()
                    .map(|s| LearnGroup {
                        title: s.title.clone(),
                        description: s.description.clone().unwrap_or_default(),
                        other: s.is_other(),
                        texts: s.entries.iter().map(|e| e.text.clone()).collect(),
                    })
                    .collect(),
            });
        }
    }
    out
}

/// `App Proxy and Routing` → [app proxy], [routing]; generic words dropped.
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
    if words.iter().any(|w| INFRA_WORDS.contains(&w.as_str())) {
        return Tier::Infrastructure;
    }
    if words.iter().any(|w| PATTERN_WORDS.contains(&w.as_str())) {
        return Tier::Pattern;
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
         # ({} grouped sections, {} groups, {} rules). Review titles, tiers and keywords\n\
         # before relying on them; the format is described in strategies/README.md.\n",
        learned.sections,
        learned.groups,
        learned.rules.len()
    ));
    for r in &learned.rules {
        out.push('\n');
        out.push_str(&format!(
            "# {} entries in {}\n",
            r.entries,
            r.releases.join(", ")
        ));
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
        let learned = learn(&sections, &corpus, &ctx);
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
