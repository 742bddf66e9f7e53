//! The `labels` strategy: PR labels decide the group.
//!
//! Labels come from a JSON file in the shape `gh pr list --json number,labels` prints
//! (`[{"number": 12, "labels": [{"name": "area:scheduler"}]}]`). A `[labels]` table in the
//! rules file maps a label to a group title (or a full group); without one, every label
//! that is not a plain kind (bug, feature, size…) or a component name becomes its own
//! group, titled from the label. An entry whose labels lead to several groups goes to the
//! highest tier, then to its first label ([`Rank`]).

use std::collections::BTreeMap;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use super::rules::{LabelTarget, parse_tier};
use super::{Context, Grouper, Item, Proposal, Rank, Tier, text};
use crate::error::{Error, Result};

/// Labels that say what kind of change a PR is, not what it is about.
const KIND_LABELS: &[&str] = &[
    "bug",
    "enhancement",
    "feature",
    "documentation",
    "docs",
    "dependencies",
    "chore",
    "refactor",
    "refactoring",
    "test",
    "tests",
    "ci",
    "breaking",
    "breaking change",
    "good first issue",
    "help wanted",
    "question",
    "duplicate",
    "invalid",
    "wontfix",
    "skip changelog",
    "skip-changelog",
    "no changelog",
    "release",
    "backport",
];

/// Label prefixes that carry sizes, priorities and states.
const META_PREFIXES: &[&str] = &[
    "size", "priority", "status", "type", "kind", "effort", "impact", "require", "needs", "action",
];

#[derive(Debug, Deserialize)]
struct RawPr {
    number: u64,
    #[serde(default)]
    labels: Vec<RawLabel>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawLabel {
    Named { name: String },
    Plain(String),
}

/// PR number → label names.
#[derive(Debug, Clone, Default)]
pub struct PrLabels {
    pub by_pr: BTreeMap<u64, Vec<String>>,
}

impl PrLabels {
    pub fn load(path: &Path) -> Result<PrLabels> {
        let bytes = crate::files::read_regular(path, |message| Error::Labels {
            path: path.to_path_buf(),
            message,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Labels {
            path: path.to_path_buf(),
            message: format!(
                "is not UTF-8 text (byte {}); `gh pr list --json number,labels` writes UTF-8",
                e.utf8_error().valid_up_to()
            ),
        })?;
        PrLabels::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<PrLabels> {
        let prs: Vec<RawPr> = serde_json::from_str(text).map_err(|e| Error::Labels {
            path: path.to_path_buf(),
            message: format!(
                "not the JSON `gh pr list --json number,labels` prints ({e}); \
                 expected [{{\"number\": 123, \"labels\": [{{\"name\": \"...\"}}]}}]"
            ),
        })?;
        let mut by_pr = BTreeMap::new();
        for pr in prs {
            let names = pr
                .labels
                .into_iter()
                .map(|l| match l {
                    RawLabel::Named { name } | RawLabel::Plain(name) => name,
                })
                .collect();
            by_pr.insert(pr.number, names);
        }
        Ok(PrLabels { by_pr })
    }
}

/// The `labels` strategy.
#[derive(Debug, Clone)]
pub struct Labels {
    labels: PrLabels,
    map: IndexMap<String, LabelTarget>,
}

impl Labels {
    pub fn new(labels: PrLabels, map: IndexMap<String, LabelTarget>) -> Labels {
        Labels { labels, map }
    }

    /// The group a label sends its entries to, if any.
    fn target(&self, label: &str, ctx: &Context) -> Option<(String, Option<String>, Tier, bool)> {
        if !self.map.is_empty() {
            return self.map.get(label).map(|t| match t {
                LabelTarget::Title(title) => (title.clone(), None, Tier::Subsystem, false),
                LabelTarget::Group {
                    title,
                    tier,
                    description,
                    standalone,
                } => (
                    title.clone(),
                    description.clone(),
                    parse_tier(
                        Path::new("[labels]"),
                        title,
                        tier.as_deref(),
                        Tier::Subsystem,
                    )
                    .unwrap_or(Tier::Subsystem),
                    *standalone,
                ),
            });
        }
        let lower = label.to_lowercase();
        let (prefix, value) = match lower.split_once([':', '/']) {
            Some((p, v)) => (p.trim(), v.trim()),
            None => ("", lower.trim()),
        };
        // A label is GitHub's data, not the project's configuration: one that cannot be a
        // title makes no group, and the user is told, rather than the release refused for a
        // label nobody here may control. Checked before the labels deliberately left out
        // (kinds, meta prefixes), so that none is dropped unsaid.
        let unusable = |why: &str| {
            ctx.warn(format!(
                "the PR label \"{}\" makes no group: as a title it would {why}",
                super::inline::quoted(label)
            ));
            None
        };
        if let Some(why) = not_a_title(&lower, value) {
            return unusable(why);
        }
        if KIND_LABELS.contains(&value)
            || KIND_LABELS.contains(&lower.as_str())
            || META_PREFIXES.contains(&prefix)
        {
            return None;
        }
        let words = text::normalize_phrase(value);
        if words.is_empty() || ctx.only_components(&[words]) {
            return None;
        }
        let title = value
            .split(['-', '_', ' '])
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ");
        match super::inline::check(&title) {
            Ok(title) => Some((title, None, Tier::Subsystem, false)),
            Err(why) => unusable(&format!("hold {why}")),
        }
    }
}

/// Why a label (lower-cased) whose title would be made of `value` (its text after the
/// first `:` or `/`) cannot be a title, if it cannot: no words (`x: ```` `, `a: ---`), a
/// piece of a URL or path (`see https://x` would be titled `//x`), or of an HTML tag
/// (`<b>x</b>`, `kind: <details>`). The rest of what a title may not hold is
/// `inline::check`'s.
fn not_a_title(lower: &str, value: &str) -> Option<&'static str> {
    if lower.contains("://") || lower.starts_with("www.") || value.starts_with('/') {
        Some("be a piece of a URL or path")
    } else if lower.contains(['<', '>']) {
        Some("be a piece of an HTML tag")
    } else if !value.chars().any(char::is_alphanumeric) {
        Some("hold no word")
    } else {
        None
    }
}

impl Grouper for Labels {
    /// Each entry is matched on its own.
    fn judges_each_entry(&self) -> bool {
        true
    }

    fn propose(
        &self,
        _category: &str,
        items: &[Item],
        candidates: &[usize],
        ctx: &Context,
    ) -> Result<Vec<Proposal>> {
        let mut groups: IndexMap<String, Proposal> = IndexMap::new();
        for &i in candidates {
            // Of the groups the entry's labels lead to, the one precedence rule picks:
            // the highest tier, then the first label (group sizes are not settled yet).
            let found = items[i]
                .prs
                .iter()
                .filter_map(|pr| self.labels.by_pr.get(pr))
                .flatten()
                .filter_map(|l| self.target(l, ctx).map(|t| (l.clone(), t)))
                .enumerate()
                .min_by_key(|(position, (_, (_, _, tier, _)))| Rank {
                    tier: *tier,
                    strength: 0,
                    size: 0,
                    position: *position,
                });
            if let Some((_, (label, (title, description, tier, standalone)))) = found {
                let p = groups
                    .entry(title.to_lowercase())
                    .or_insert_with(|| Proposal {
                        title: title.clone(),
                        description,
                        tier,
                        members: Vec::new(),
                        standalone,
                        reason: String::new(),
                        evidence: Vec::new(),
                    });
                p.members.push(i);
                if !p.evidence.contains(&label) {
                    p.evidence.push(label);
                }
            }
        }
        Ok(groups
            .into_values()
            .map(|mut p| {
                p.reason = format!("PR labels: {}", p.evidence.join(", "));
                // Evidence for the component check is the label's words, not its prefix.
                p.evidence = p
                    .evidence
                    .iter()
                    .map(|l| text::normalize_phrase(l.rsplit([':', '/']).next().unwrap_or(l)))
                    .collect();
                p
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{Corpus, finish};

    const JSON: &str = r#"[
        {"number": 1, "labels": [{"name": "area:fair-share"}, {"name": "size:M"}]},
        {"number": 2, "labels": [{"name": "area:fair-share"}]},
        {"number": 3, "labels": [{"name": "comp:manager"}, {"name": "bug"}]},
        {"number": 4, "labels": [{"name": "comp:manager"}]}
    ]"#;

    fn ctx() -> Context {
        Context::new(Corpus::default(), vec![], &["manager".to_string()], 2)
    }

    #[test]
    fn labels_become_groups_but_components_and_kinds_do_not() {
        let labels = PrLabels::parse(Path::new("l.json"), JSON).unwrap();
        let items: Vec<Item> = (1..=4)
            .map(|n| Item::new(format!("change {n}"), vec![n]))
            .collect();
        let s = Labels::new(labels, IndexMap::new());
        let g = finish(
            "Features",
            &items,
            s.propose("Features", &items, &[0, 1, 2, 3], &ctx())
                .unwrap(),
            &ctx(),
        );
        assert_eq!(g.groups.len(), 1);
        assert_eq!(g.groups[0].title, "Fair Share");
        assert_eq!(g.groups[0].members, [0, 1]);
        assert_eq!(g.other, [2, 3]);
    }

    /// hostile15/21: a label that cannot be a title (no word, a piece of a URL or of an
    /// HTML tag, markup) makes no group and a warning names it — a kind or meta label
    /// with such a value too; kind, meta and component labels with words stay silent.
    #[test]
    fn unusable_labels_make_no_group_and_are_named() {
        let unusable = [
            "kind: <details>",
            "x: ```",
            "a: ---",
            "see https://x",
            "<b>x</b>",
            "www.example.com",
            "area: /docs",
            "a: 1. foo",
            "size: ??",
        ];
        for label in unusable {
            let json = format!(
                r#"[{{"number": 1, "labels": ["{label}"]}}, {{"number": 2, "labels": ["{label}"]}}]"#
            );
            let labels = PrLabels::parse(Path::new("l.json"), &json).unwrap();
            let items: Vec<Item> = (1..=2)
                .map(|n| Item::new(format!("change {n}"), vec![n]))
                .collect();
            let ctx = ctx();
            let p = Labels::new(labels, IndexMap::new())
                .propose("Features", &items, &[0, 1], &ctx)
                .unwrap();
            assert!(p.is_empty(), "{label}: {p:?}");
            let notes = ctx.take_notes();
            assert_eq!(notes.len(), 1, "{label}: {notes:?}");
            assert!(notes[0].contains("makes no group"), "{label}: {notes:?}");
        }
        for label in [
            "size:M",
            "priority:1",
            "bug",
            "comp:manager",
            "type: feature",
        ] {
            let json = format!(r#"[{{"number": 1, "labels": ["{label}"]}}]"#);
            let labels = PrLabels::parse(Path::new("l.json"), &json).unwrap();
            let items = [Item::new("change", vec![1])];
            let ctx = ctx();
            let p = Labels::new(labels, IndexMap::new())
                .propose("Features", &items, &[0], &ctx)
                .unwrap();
            assert!(p.is_empty(), "{label}: {p:?}");
            assert!(ctx.take_notes().is_empty(), "{label}");
        }
    }

    #[test]
    fn a_map_decides_when_given() {
        let labels = PrLabels::parse(Path::new("l.json"), JSON).unwrap();
        let items: Vec<Item> = (1..=4)
            .map(|n| Item::new(format!("change {n}"), vec![n]))
            .collect();
        let mut map = IndexMap::new();
        map.insert(
            "area:fair-share".to_string(),
            LabelTarget::Title("Fair Share Scheduler".into()),
        );
        let s = Labels::new(labels, map);
        let p = s
            .propose("Features", &items, &[0, 1, 2, 3], &ctx())
            .unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].title, "Fair Share Scheduler");
    }

    #[test]
    fn the_highest_tier_wins_then_the_first_label() {
        let labels = PrLabels::parse(
            Path::new("l.json"),
            r#"[{"number": 1, "labels": ["area:ui", "area:fair-share", "area:quota"]}]"#,
        )
        .unwrap();
        let items = vec![Item::new("change", vec![1])];
        let mut map = IndexMap::new();
        for (label, title, tier) in [
            ("area:ui", "UI", "pattern"),
            ("area:fair-share", "Fair Share", "initiative"),
            ("area:quota", "Quota", "initiative"),
        ] {
            map.insert(
                label.to_string(),
                LabelTarget::Group {
                    title: title.into(),
                    tier: Some(tier.into()),
                    description: None,
                    standalone: false,
                },
            );
        }
        let p = Labels::new(labels, map)
            .propose("Features", &items, &[0], &ctx())
            .unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].title, "Fair Share");
    }

    #[test]
    fn not_json_is_a_clear_error() {
        let msg = PrLabels::parse(Path::new("labels.txt"), "number,labels\n1,bug")
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("labels.txt") && msg.contains("gh pr list"),
            "{msg}"
        );
    }
}
