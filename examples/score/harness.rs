//! The evaluation harness: score grouping strategies against a maintainer's grouping.
//!
//! Shared by `examples/score` (which prints the table) and `tests/it/grouping_quality.rs`
//! (which guards the scores), through `#[path]`; it only uses the library's public API.
//!
//! Two kinds of case, scored the same way (the README's flow: `rules learn` from the
//! changelog as it stood, then `auto`):
//! - *dev*: a fixture release (`gold.json`), learning from its `before/CHANGELOG.md`;
//! - *leave-one-release-out*: every grouped final release inside a fixture's
//!   `before/CHANGELOG.md`, learning only from the releases older than it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use git_release::Result;
use git_release::changelog::Changelog;
use git_release::consolidate;
use git_release::group::metrics::{Totals, bcubed};
use git_release::group::quality::{self, TitleFault};
use git_release::group::registry::{Inputs, build_with};
use git_release::group::{
    self, Context, Grouper, Grouping, Item, Settings, Strategy, learn, rules,
};

/// A reference section in the shape of `gold.json` / `consolidate --format json`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Reference {
    pub version: String,
    pub categories: Vec<ReferenceCategory>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReferenceCategory {
    pub name: String,
    pub groups: Vec<ReferenceGroup>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReferenceGroup {
    pub title: Option<String>,
    #[serde(default)]
    pub other: bool,
    pub items: Vec<ReferenceItem>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReferenceItem {
    #[serde(default)]
    pub prs: Vec<u64>,
    pub text: String,
}

impl ReferenceCategory {
    /// True when the reference groups this category into titled subsections.
    pub fn is_grouped(&self) -> bool {
        self.groups.iter().any(|g| g.title.is_some() && !g.other)
    }

    /// The category's entries and their reference labels ("Other" and untitled: `None`).
    pub fn items_and_labels(&self) -> (Vec<Item>, Vec<Option<usize>>) {
        let mut items = Vec::new();
        let mut labels = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            for it in &group.items {
                items.push(Item::new(it.text.clone(), it.prs.clone()));
                labels.push((group.title.is_some() && !group.other).then_some(g));
            }
        }
        (items, labels)
    }
}

/// One evaluation case: a published release and the changelog as it stood before it.
pub struct Case {
    pub version: String,
    /// `dev` (a fixture release) or `loo` (a release inside a fixture's changelog).
    pub kind: &'static str,
    pub before: Changelog,
    /// Indexes of `before`'s pre-release sections that the release consolidates.
    pub pending_sections: Vec<usize>,
    pub reference: Reference,
}

/// The fixture folders under `root` that hold a `gold.json`, sorted.
fn fixture_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("gold.json").is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// The fixture releases the maintainers grouped.
pub fn dev_cases(root: &Path) -> Result<Vec<Case>> {
    let mut out = Vec::new();
    for dir in fixture_dirs(root) {
        let text = std::fs::read_to_string(dir.join("gold.json"))
            .map_err(|e| git_release::Error::io(&dir, e))?;
        let reference: Reference = serde_json::from_str(&text)
            .map_err(|e| git_release::Error::Usage(format!("{}: {e}", dir.display())))?;
        if !reference.categories.iter().any(|c| c.is_grouped()) {
            continue;
        }
        let Some(before) = Changelog::read(&dir.join("before/CHANGELOG.md"))? else {
            continue;
        };
        let version = git_release::version::Version::parse(&reference.version)?;
        let pending_sections = before.releases_for(&version);
        out.push(Case {
            version: reference.version.clone(),
            kind: "dev",
            before,
            pending_sections,
            reference,
        });
    }
    Ok(out)
}

/// Every grouped final release inside the fixtures' `before/CHANGELOG.md`, once each, with
/// the changelog cut to the releases older than it.
pub fn loo_cases(root: &Path) -> Result<Vec<Case>> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    // The longest changelog first: it holds the most history.
    let mut dirs = fixture_dirs(root);
    dirs.reverse();
    for dir in dirs {
        let Some(log) = Changelog::read(&dir.join("before/CHANGELOG.md"))? else {
            continue;
        };
        for (i, r) in log.releases().iter().enumerate() {
            let Some(version) = r.version() else { continue };
            if !version.is_final() || seen.contains(version.as_str()) {
                continue;
            }
            let reference = reference_of(r, version.as_str());
            if !reference.categories.iter().any(|c| c.is_grouped()) {
                continue;
            }
            // History needs at least one grouped release to learn from.
            let mut before = log.clone();
            before.remove(&(0..=i).collect::<Vec<_>>());
            if consolidate::grouped_sections(&before).is_empty() {
                continue;
            }
            seen.insert(version.as_str().to_string());
            out.push(Case {
                version: version.as_str().to_string(),
                kind: "loo",
                before,
                pending_sections: Vec::new(),
                reference,
            });
        }
    }
    out.sort_by(|a, b| {
        let v = |c: &Case| git_release::version::Version::parse(&c.version).ok();
        v(a).cmp(&v(b))
    });
    Ok(out)
}

/// A changelog release as a reference section.
fn reference_of(r: &git_release::changelog::Release, version: &str) -> Reference {
    let item = |e: &git_release::changelog::Entry| ReferenceItem {
        prs: e.prs.clone(),
        text: e.text.clone(),
    };
    Reference {
        version: version.to_string(),
        categories: r
            .categories
            .iter()
            .map(|c| {
                let mut groups = Vec::new();
                if !c.entries.is_empty() {
                    groups.push(ReferenceGroup {
                        title: None,
                        other: false,
                        items: c.entries.iter().map(item).collect(),
                    });
                }
                for s in &c.subsections {
                    groups.push(ReferenceGroup {
                        title: Some(s.title.clone()),
                        other: s.is_other(),
                        items: s.entries.iter().map(item).collect(),
                    });
                }
                ReferenceCategory {
                    name: c.name.clone(),
                    groups,
                }
            })
            .collect(),
    }
}

/// One group a strategy made, for listing and checking.
#[derive(Debug, Clone)]
pub struct MadeGroup {
    pub category: String,
    pub title: String,
    pub description: String,
    pub texts: Vec<String>,
}

/// A case's scores.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub entries: usize,
    pub singletons: Totals,
    pub similarity: Totals,
    /// The learned rules file alone.
    pub rules: Totals,
    /// `auto` with the rules learned from the changelog before the release.
    pub auto: Totals,
    /// Sum and count of the title agreement over the maintainers' groups of 2+.
    pub title_sum: f64,
    pub title_n: usize,
    /// Subsections `auto` made / the maintainers made, in the grouped categories.
    pub made: usize,
    pub maintainers: usize,
    /// Titles with a fault: any, and glued ones (`A and B`).
    pub bad_titles: usize,
    pub glued: usize,
    pub groups: Vec<MadeGroup>,
    /// Entries left in "Other" (or ungrouped): by `auto`, by the maintainers.
    pub other_made: usize,
    pub other_maintainers: usize,
}

impl Score {
    pub fn add(&mut self, other: &Score) {
        self.entries += other.entries;
        self.singletons.add(&other.singletons);
        self.similarity.add(&other.similarity);
        self.rules.add(&other.rules);
        self.auto.add(&other.auto);
        self.title_sum += other.title_sum;
        self.title_n += other.title_n;
        self.made += other.made;
        self.maintainers += other.maintainers;
        self.bad_titles += other.bad_titles;
        self.glued += other.glued;
        self.other_made += other.other_made;
        self.other_maintainers += other.other_maintainers;
    }

    pub fn title_agreement(&self) -> f64 {
        if self.title_n == 0 {
            0.0
        } else {
            self.title_sum / self.title_n as f64
        }
    }

    pub fn ratio(&self) -> f64 {
        self.made as f64 / self.maintainers.max(1) as f64
    }
}

/// Dice coefficient of two titles' lower-cased word sets.
/// The predicted group holding most of the maintainers' group `g` (the first on a tie),
/// and how many of its entries it holds.
pub fn holding_most(
    gold: &[Option<usize>],
    predicted: &[Option<usize>],
    g: usize,
) -> Option<(usize, usize)> {
    let mut count = std::collections::BTreeMap::<usize, usize>::new();
    for (i, l) in gold.iter().enumerate() {
        if *l == Some(g)
            && let Some(p) = predicted[i]
        {
            *count.entry(p).or_default() += 1;
        }
    }
    count
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(p, n)| (*p, *n))
}

pub fn dice(a: &str, b: &str) -> f64 {
    let words = |s: &str| -> BTreeSet<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (a, b) = (words(a), words(b));
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(&b).count() as f64 / (a.len() + b.len()) as f64
}

/// Everything a case's strategies see: the context and the learned rules file.
pub fn context_and_rules(case: &Case, settings: &Settings) -> Result<(Context, rules::RulesFile)> {
    let before = &case.before;
    let mut texts: Vec<String> = before
        .releases()
        .iter()
        .flat_map(|r| r.entries().map(|e| e.text.clone()))
        .collect();
    // The release's own entries are read too (as fragments and rc sections are).
    if case.pending_sections.is_empty() {
        for c in &case.reference.categories {
            for g in &c.groups {
                texts.extend(g.items.iter().map(|i| i.text.clone()));
            }
        }
    }
    let corpus = group::Corpus::new(texts.iter().map(String::as_str));
    let history = consolidate::history(before, &case.pending_sections);
    let ctx = Context::new(
        corpus,
        history,
        &settings.components,
        settings.min_group_size,
    );
    let pending = if case.pending_sections.is_empty() {
        // The release's entries stand for the pre-release sections `rules learn` reads.
        case.reference
            .categories
            .iter()
            .filter(|c| {
                settings
                    .categories
                    .iter()
                    .any(|g| g.eq_ignore_ascii_case(&c.name))
            })
            .map(|c| learn::PendingCategory {
                releases: vec![format!("{}rc1", case.version)],
                category: c.name.clone(),
                texts: c
                    .groups
                    .iter()
                    .flat_map(|g| g.items.iter().map(|i| i.text.clone()))
                    .collect(),
            })
            .collect()
    } else {
        consolidate::pending_categories(before, &settings.categories)
    };
    let history_texts: Vec<String> = before
        .releases()
        .iter()
        .flat_map(|r| r.entries().map(|e| e.text.clone()))
        .collect();
    // As `rules learn` does: word rarity from the changelog, the grouped history for the
    // titles of the pending topics.
    let learn_ctx = Context::new(
        group::Corpus::new(texts.iter().map(String::as_str)),
        consolidate::history(before, &case.pending_sections),
        &settings.components,
        settings.min_group_size,
    );
    let mut learned = learn::learn(
        &consolidate::grouped_sections(before),
        &pending,
        &history_texts,
        &learn_ctx,
    );
    if std::env::var_os("NO_PENDING").is_some() {
        learned.rules.drain(..learned.pending);
        learned.pending = 0;
    }
    if std::env::var_os("NO_HISTORY").is_some() {
        learned.rules.truncate(learned.pending);
    }
    let rules = rules::RulesFile::parse(
        Path::new("learned.toml"),
        &learn::to_toml(&learned, "the changelog before the release"),
    )?;
    Ok((ctx, rules))
}

/// The strategy `strategy` with the learned rules file, as the cases run it.
pub fn grouper_of(
    settings: &Settings,
    strategy: Strategy,
    rules: &rules::RulesFile,
) -> Result<Box<dyn Grouper>> {
    grouper(settings, strategy, rules)
}

fn grouper(
    settings: &Settings,
    strategy: Strategy,
    rules: &rules::RulesFile,
) -> Result<Box<dyn Grouper>> {
    let settings = Settings {
        strategy,
        ..settings.clone()
    };
    build_with(
        &settings,
        Inputs {
            rules: Some(rules.clone()),
            labels: None,
        },
    )
}

/// Score one case: BCubed of `similarity` and of `auto` with the learned rules, and the
/// titles and shape of `auto`'s groups.
pub fn score_case(case: &Case, settings: &Settings) -> Result<Score> {
    let (ctx, rules) = context_and_rules(case, settings)?;
    let similarity = grouper(settings, Strategy::Similarity, &rules)?;
    let by_rules = grouper(settings, Strategy::Rules, &rules)?;
    let auto = grouper(settings, Strategy::Auto, &rules)?;
    let mut score = Score::default();
    for c in case.reference.categories.iter().filter(|c| c.is_grouped()) {
        let (items, gold) = c.items_and_labels();
        score.entries += items.len();
        score
            .singletons
            .add(&bcubed(&vec![None; items.len()], &gold));
        let by_similarity = group::group_category(similarity.as_ref(), &c.name, &items, &ctx)?;
        score
            .similarity
            .add(&bcubed(&by_similarity.labels(items.len()), &gold));
        let only_rules = group::group_category(by_rules.as_ref(), &c.name, &items, &ctx)?;
        score
            .rules
            .add(&bcubed(&only_rules.labels(items.len()), &gold));
        let by_auto = group::group_category(auto.as_ref(), &c.name, &items, &ctx)?;
        let predicted = by_auto.labels(items.len());
        score.auto.add(&bcubed(&predicted, &gold));
        score.made += by_auto.groups.len();
        score.other_made += by_auto.other.len();
        score.other_maintainers += gold.iter().filter(|g| g.is_none()).count();
        score.maintainers += c
            .groups
            .iter()
            .filter(|g| g.title.is_some() && !g.other)
            .count();
        titles(&mut score, c, &gold, &predicted, &by_auto, &items);
    }
    Ok(score)
}

fn titles(
    score: &mut Score,
    c: &ReferenceCategory,
    gold: &[Option<usize>],
    predicted: &[Option<usize>],
    made: &Grouping,
    items: &[Item],
) {
    for (g, group) in c.groups.iter().enumerate() {
        let Some(title) = group.title.as_deref().filter(|_| !group.other) else {
            continue;
        };
        if group.items.len() < 2 {
            continue;
        }
        let best = holding_most(gold, predicted, g).map(|(p, _)| p);
        score.title_n += 1;
        if let Some(p) = best {
            score.title_sum += dice(title, &made.groups[p].title);
        }
    }
    for group in &made.groups {
        let texts: Vec<String> = group
            .members
            .iter()
            .map(|&m| items[m].text.clone())
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let faults = quality::title_faults(&group.title, &refs);
        if !faults.is_empty() {
            score.bad_titles += 1;
        }
        if faults.contains(&TitleFault::Glued) {
            score.glued += 1;
        }
        score.groups.push(MadeGroup {
            category: c.name.clone(),
            title: group.title.clone(),
            description: group.description.clone(),
            texts,
        });
    }
}
