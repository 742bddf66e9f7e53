//! The folded release grouped by a strategy, as a changelog section and as JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use super::fold::{Consolidation, Duplicate, LeftOut, Overlap, Prose, Source, Stale};
use crate::changelog::{Category, Changelog, Entry, Release, Subsection};
use crate::error::Result;
use crate::group::{self, Context, Grouper, Grouping, Item};

/// One category of the grouped section.
#[derive(Debug, Clone)]
pub struct GroupedCategory {
    pub name: String,
    pub entries: Vec<Entry>,
    /// `None` for a category that is not grouped (listed flat).
    pub grouping: Option<Grouping>,
    /// The text carried under its heading, and after its entries.
    pub description: Option<String>,
    pub footer: Option<String>,
}

/// Carried paragraphs as one text, a blank line between them.
fn joined(prose: &[Prose]) -> Option<String> {
    (!prose.is_empty()).then(|| {
        prose
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    })
}

/// The consolidated, grouped release.
#[derive(Debug, Clone)]
pub struct Grouped {
    pub consolidation: Consolidation,
    pub categories: Vec<GroupedCategory>,
}

/// Group the configured categories with a strategy.
pub fn group(
    consolidation: Consolidation,
    grouper: &dyn Grouper,
    grouped_categories: &[String],
    ctx: &Context,
) -> Result<Grouped> {
    group_with_history(consolidation, grouper, grouped_categories, ctx, &[])
}

/// Group the configured categories with a strategy that may also be told the changelog's
/// grouped releases (`past_releases`; the external command is).
pub fn group_with_history(
    consolidation: Consolidation,
    grouper: &dyn Grouper,
    grouped_categories: &[String],
    ctx: &Context,
    history: &[group::PastRelease],
) -> Result<Grouped> {
    let is_grouped = |name: &str| {
        grouped_categories
            .iter()
            .any(|g| g.eq_ignore_ascii_case(name))
    };
    let items = |c: &super::FoldedCategory| -> Vec<Item> {
        c.entries
            .iter()
            .map(|(e, _)| Item::new(e.text.clone(), e.prs.clone()))
            .collect()
    };
    let to_group: Vec<(String, Vec<Item>)> = consolidation
        .categories
        .iter()
        .filter(|c| is_grouped(&c.name))
        .map(|c| (c.name.clone(), items(c)))
        .collect();
    grouper.begin(
        &group::ReleaseInput {
            version: consolidation.version.as_str(),
            categories: &to_group,
            history,
            references: references_of,
        },
        ctx,
    )?;
    let mut categories = Vec::new();
    // The names a title must not read as (the review refuses them as well).
    let names: Vec<String> = consolidation
        .categories
        .iter()
        .map(|c| c.name.clone())
        .chain(grouped_categories.iter().cloned())
        .collect();
    for c in &consolidation.categories {
        let entries: Vec<Entry> = c.entries.iter().map(|(e, _)| e.clone()).collect();
        let grouping = match to_group.iter().find(|(name, _)| *name == c.name) {
            Some((_, items)) => {
                let g = group::group_category(grouper, &c.name, items, ctx)?;
                if let Some((g, k)) = g.groups.iter().find_map(|g| {
                    group::titled_like_category(&g.title, &c.name, &names).map(|k| (g, k))
                }) {
                    return Err(crate::error::Error::Refused(format!(
                        "the group \"{}\" of {} is titled like the category {k}, and would \
                         read as that category where it is published; give it a title of its \
                         own where it comes from ({}). Nothing was written",
                        g.title, c.name, g.reason
                    )));
                }
                // Nothing grouped: the category stays flat rather than one "Other" block.
                (!g.groups.is_empty()).then_some(g)
            }
            None => None,
        };
        categories.push(GroupedCategory {
            name: c.name.clone(),
            entries,
            grouping,
            description: joined(&c.description),
            footer: joined(&c.footer),
        });
    }
    let mut consolidation = consolidation;
    consolidation.warnings.extend(ctx.take_notes());
    Ok(Grouped {
        consolidation,
        categories,
    })
}

impl Grouped {
    /// The section as a changelog release, ready to render or insert.
    pub fn release(&self) -> Release {
        let c = &self.consolidation;
        let mut release = c
            .title
            .as_deref()
            .map(Release::titled)
            .filter(|r| r.version() == Some(&c.version))
            .unwrap_or_else(|| Release::named(c.name.as_deref(), &c.version, Some(&c.date)));
        release.description = joined(&c.description);
        for cat in &self.categories {
            let mut category = Category::new(cat.name.clone());
            category.description = cat.description.clone();
            category.footer = cat.footer.clone();
            match &cat.grouping {
                None => category.entries = cat.entries.clone(),
                Some(g) => {
                    for group in &g.groups {
                        category.subsections.push(Subsection::new(
                            group.title.clone(),
                            Some(group.description.clone()).filter(|d| !d.is_empty()),
                            group
                                .members
                                .iter()
                                .map(|&m| cat.entries[m].clone())
                                .collect(),
                        ));
                    }
                    if !g.other.is_empty() {
                        category.subsections.push(Subsection::new(
                            group::other_title(&cat.name),
                            None,
                            g.other.iter().map(|&m| cat.entries[m].clone()).collect(),
                        ));
                    }
                }
            }
            release.categories.push(category);
        }
        release
    }

    /// Why each group is there, by category and title (for the review draft).
    pub fn reasons(&self) -> BTreeMap<(String, String), String> {
        let mut out = BTreeMap::new();
        for cat in &self.categories {
            if let Some(g) = &cat.grouping {
                for group in &g.groups {
                    out.insert(
                        (cat.name.clone(), group.title.clone()),
                        format!("{} ({})", group.reason, group.tier),
                    );
                }
                if !g.other.is_empty() {
                    out.insert(
                        (cat.name.clone(), group::other_title(&cat.name)),
                        "entries no group claimed".to_string(),
                    );
                }
            }
        }
        out
    }

    pub fn group_count(&self) -> usize {
        self.categories
            .iter()
            .filter_map(|c| c.grouping.as_ref())
            .map(|g| g.groups.len())
            .sum()
    }

    /// The section as JSON data, in the shape of `gold.json` plus each group's tier.
    pub fn view(&self) -> SectionView {
        let item = |e: &Entry| ItemOut {
            prs: e.prs.clone(),
            text: e.text.clone(),
        };
        let c = &self.consolidation;
        SectionView {
            version: c.version.to_string(),
            date: c.date.clone(),
            rc_versions_consolidated: c.section_versions.clone(),
            description: joined(&c.description),
            categories: self
                .categories
                .iter()
                .map(|cat| CategoryOut {
                    name: cat.name.clone(),
                    description: cat.description.clone(),
                    footer: cat.footer.clone(),
                    groups: match &cat.grouping {
                        None => vec![GroupOut {
                            title: None,
                            description: String::new(),
                            tier: None,
                            other: false,
                            items: cat.entries.iter().map(item).collect(),
                        }],
                        Some(g) => g
                            .groups
                            .iter()
                            .map(|gr| GroupOut {
                                title: Some(gr.title.clone()),
                                description: gr.description.clone(),
                                tier: Some(gr.tier.as_str().to_string()),
                                other: false,
                                items: gr.members.iter().map(|&m| item(&cat.entries[m])).collect(),
                            })
                            .chain((!g.other.is_empty()).then(|| GroupOut {
                                title: Some(group::other_title(&cat.name)),
                                description: String::new(),
                                tier: None,
                                other: true,
                                items: g.other.iter().map(|&m| item(&cat.entries[m])).collect(),
                            }))
                            .collect(),
                    },
                })
                .collect(),
            duplicates: c.duplicates.clone(),
            stale: c.stale.clone(),
            overlaps: c.overlaps.clone(),
            left_out: c.left_out.clone(),
        }
    }
}

/// `--format json`. What a section without carried text or overlaps does not have is left
/// out (the shape stays that of `gold.json`).
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub version: String,
    pub date: String,
    pub rc_versions_consolidated: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub categories: Vec<CategoryOut>,
    pub duplicates: Vec<Duplicate>,
    pub stale: Vec<Stale>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overlaps: Vec<Overlap>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryOut {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub groups: Vec<GroupOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupOut {
    pub title: Option<String>,
    pub description: String,
    pub tier: Option<String>,
    pub other: bool,
    pub items: Vec<ItemOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemOut {
    /// As `pr` (the first PR number, or `null`), `prs` (the PR numbers) and `issues` (every
    /// reference as written: `"PROJ-12"`, `"1234"`).
    #[serde(
        flatten,
        serialize_with = "crate::consolidate::grouped::serialize_entry_refs"
    )]
    pub prs: Vec<u64>,
    pub text: String,
}

// References in JSON, one shape wherever a reader (a script, the grouping command) is told
// them: `prs` holds the PR numbers only, as it always has — a name's key (`PROJ-12`) is no
// number anyone wrote —, and `issues` every reference as the project writes it. For a field
// holding keys: `#[serde(flatten, serialize_with = "…")]`.

/// A list of keys as `"prs": [12], "issues": ["12", "PROJ-12"]`.
pub(super) fn serialize_refs<S: serde::Serializer>(
    keys: &[u64],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(2))?;
    map.serialize_entry("prs", &crate::changelog::pr_numbers(keys))?;
    map.serialize_entry("issues", &crate::changelog::issue_names(keys))?;
    map.end()
}

/// An entry's keys as `"pr": 12` (its first PR number, or `null`) and
/// [`serialize_refs`]'s `prs` and `issues`.
pub(super) fn serialize_entry_refs<S: serde::Serializer>(
    keys: &[u64],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let prs = crate::changelog::pr_numbers(keys);
    let mut map = s.serialize_map(Some(3))?;
    map.serialize_entry("pr", &prs.first())?;
    map.serialize_entry("prs", &prs)?;
    map.serialize_entry("issues", &crate::changelog::issue_names(keys))?;
    map.end()
}

/// One key as `"pr": 12` (`null` for a name) and `"issue": "PROJ-12"`.
pub(super) fn serialize_ref<S: serde::Serializer>(
    key: &u64,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(2))?;
    map.serialize_entry("pr", &(!crate::changelog::is_name(*key)).then_some(*key))?;
    map.serialize_entry("issue", &crate::changelog::issue_name(*key))?;
    map.end()
}

/// An entry's references as the grouping command is told them (see
/// [`group::command::References`]).
fn references_of(keys: &[u64]) -> group::command::References {
    group::command::References {
        prs: crate::changelog::pr_numbers(keys),
        issues: crate::changelog::issue_names(keys),
    }
}

/// The history a grouping strategy can learn from: the changelog's grouped categories
/// (titled subsections) of final releases other than the one being made.
pub fn history(changelog: &Changelog, skip: &[usize]) -> Vec<group::HistorySection> {
    let mut out = Vec::new();
    for (i, r) in changelog.releases().iter().enumerate() {
        if skip.contains(&i) || r.version().is_none_or(|v| !v.is_final()) {
            continue;
        }
        for c in &r.categories {
            if c.subsections.iter().all(|s| s.is_other()) {
                continue;
            }
            let mut s = group::HistorySection {
                release: r.title().to_string(),
                category: c.name.clone(),
                ..Default::default()
            };
            for e in &c.entries {
                s.entries.push((e.text.clone(), None));
            }
            for sub in &c.subsections {
                let label = (!sub.is_other()).then_some(s.groups.len());
                s.groups.push((
                    sub.title.clone(),
                    sub.description.clone().unwrap_or_default(),
                ));
                for e in &sub.entries {
                    s.entries.push((e.text.clone(), label));
                }
            }
            out.push(s);
        }
    }
    out
}

/// The changelog's grouped final releases other than the ones being folded, newest first,
/// as the external grouping command is told them (titles, descriptions, tiers, PRs).
pub fn past_releases(changelog: &Changelog, skip: &[usize]) -> Vec<group::PastRelease> {
    let entry = |e: &Entry| group::PastEntry {
        refs: references_of(&e.prs),
        text: e.text.clone(),
    };
    let mut out = Vec::new();
    for (i, r) in changelog.releases().iter().enumerate() {
        if skip.contains(&i) || r.version().is_none_or(|v| !v.is_final()) {
            continue;
        }
        let mut categories = Vec::new();
        for c in &r.categories {
            if c.subsections.iter().all(|s| s.is_other()) {
                continue;
            }
            let mut cat = group::PastCategory {
                name: c.name.clone(),
                groups: Vec::new(),
                other: c.entries.iter().map(entry).collect(),
            };
            for sub in &c.subsections {
                if sub.is_other() {
                    cat.other.extend(sub.entries.iter().map(entry));
                } else {
                    cat.groups.push(group::PastGroup::new(
                        &sub.title,
                        sub.description.as_deref().unwrap_or_default(),
                        sub.entries.iter().map(entry).collect(),
                    ));
                }
            }
            categories.push(cat);
        }
        if !categories.is_empty() {
            out.push(group::PastRelease {
                release: r.title().to_string(),
                version: r.version().map(|v| v.to_string()),
                categories,
            });
        }
    }
    out
}

/// Word statistics over every entry of the changelog plus the entries being grouped.
pub fn corpus(changelog: &Changelog, extra: &Consolidation) -> group::Corpus {
    let mut corpus = group::Corpus::default();
    for r in changelog.releases() {
        for e in r.entries() {
            corpus.add(&e.text);
        }
    }
    // Fragments are not in the changelog yet.
    for c in &extra.categories {
        for (e, source) in &c.entries {
            if *source == Source::Fragments {
                corpus.add(&e.text);
            }
        }
    }
    corpus
}
