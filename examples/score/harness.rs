//! The evaluation harness: score grouping strategies against a maintainer's grouping.
//!
//! Shared by `examples/score` (which prints the table) and `tests/grouping_quality.rs`
//! (which guards the scores), through `#[path]`; it only uses the library's public API.

use git_release::Result;
use git_release::changelog::Changelog;
use git_release::consolidate;
use git_release::group::metrics::{Totals, bcubed};
use git_release::group::registry::{Inputs, build_with};
use git_release::group::{self, Context, Grouper, Item, Settings, Strategy, learn, rules};

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
        self.groups.iter().any(|g| g.title.is_some())
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

/// Score a grouping against a reference release: BCubed over the entries of every
/// category the reference groups, micro-averaged. `None` scores every entry alone.
pub fn evaluate(
    reference: &Reference,
    grouper: Option<&dyn Grouper>,
    ctx: &Context,
) -> Result<Totals> {
    let mut total = Totals::default();
    for c in reference.categories.iter().filter(|c| c.is_grouped()) {
        let (items, gold) = c.items_and_labels();
        let predicted = match grouper {
            Some(grouper) => {
                group::group_category(grouper, &c.name, &items, ctx)?.labels(items.len())
            }
            None => vec![None; items.len()],
        };
        total.add(&bcubed(&predicted, &gold));
    }
    Ok(total)
}

/// The strategies [`evaluate_release`] scores, in order.
pub const EVALUATED: [&str; 4] = [
    "singletons",
    "similarity",
    "rules(learned)",
    "auto(learned)",
];

/// Score the strategies of [`EVALUATED`] against a published release, learning rules only
/// from the changelog as it stood before that release (`before`). `settings` gives
/// everything but the strategy and the rules file.
pub fn evaluate_release(
    before: &Changelog,
    reference: &Reference,
    settings: &Settings,
) -> Result<[Totals; 4]> {
    let version = git_release::version::Version::parse(&reference.version)?;
    let pending_sections = before.releases_for(&version);
    let texts: Vec<String> = before
        .releases()
        .iter()
        .flat_map(|r| r.entries().map(|e| e.text.clone()))
        .collect();
    let corpus = group::Corpus::new(texts.iter().map(String::as_str));
    let history = consolidate::history(before, &pending_sections);
    let ctx = Context::new(
        corpus,
        history,
        &settings.components,
        settings.min_group_size,
    );
    let pending = consolidate::pending_categories(before, &settings.categories);
    let learned = learn::learn(
        &consolidate::grouped_sections(before),
        &pending,
        &texts,
        &ctx,
    );
    let rules = rules::RulesFile::parse(
        std::path::Path::new("learned.toml"),
        &learn::to_toml(&learned, "the changelog before the release"),
    )?;
    let with = |strategy: Strategy| {
        let settings = Settings {
            strategy,
            ..settings.clone()
        };
        let inputs = Inputs {
            rules: Some(rules.clone()),
            labels: None,
        };
        build_with(&settings, inputs)
    };
    let groupers = [
        None,
        Some(with(Strategy::Similarity)?),
        Some(with(Strategy::Rules)?),
        Some(with(Strategy::Auto)?),
    ];
    let mut out = [Totals::default(); 4];
    for (slot, g) in out.iter_mut().zip(&groupers) {
        *slot = evaluate(reference, g.as_deref(), &ctx)?;
    }
    Ok(out)
}
