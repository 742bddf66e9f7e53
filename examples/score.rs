//! Grouping quality on the Backend.AI fixtures: BCubed F1 of each strategy against the
//! maintainers' grouping (`gold.json`), with rules learned only from the changelog as it
//! stood before each release.
//!
//! ```sh
//! cargo run --release --example score [-- tests/fixtures/backend-ai]
//! ```

use std::path::{Path, PathBuf};

use git_release::changelog::Changelog;
use git_release::config::DEFAULT_COMPONENTS;
use git_release::consolidate;
use git_release::group::{self, Context, Grouper, learn};
use git_release::score::{self, Reference, Totals};

fn main() -> git_release::Result<()> {
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tests/fixtures/backend-ai"));
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(|e| git_release::Error::io(&root, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("gold.json").is_file())
        .collect();
    cases.sort();
    let components: Vec<String> = DEFAULT_COMPONENTS.iter().map(|s| s.to_string()).collect();
    let strategies = [
        "singletons",
        "similarity",
        "rules(learned)",
        "auto(learned)",
    ];
    let mut totals = vec![Totals::default(); strategies.len()];
    println!(
        "{:<10} {:>8} {}",
        "release",
        "entries",
        strategies.map(|s| format!("{s:>16}")).join("")
    );
    for case in cases {
        let reference: Reference =
            serde_json::from_str(&std::fs::read_to_string(case.join("gold.json")).unwrap())
                .unwrap();
        if !reference.categories.iter().any(|c| c.is_grouped()) {
            continue;
        }
        let log_path = case.join("before/CHANGELOG.md");
        let log = Changelog::read(&log_path)?.expect("fixture changelog");
        let version = git_release::version::Version::parse(&reference.version)?;
        let skip = log.releases_for(&version);
        let mut corpus = group::Corpus::default();
        let mut texts = Vec::new();
        for r in log.releases() {
            for e in r.entries() {
                corpus.add(&e.text);
                texts.push(e.text.clone());
            }
        }
        let history = consolidate::history(&log, &skip);
        let ctx = Context::new(corpus, history, &components, 2);
        let pending = learn::pending_categories(
            &log,
            &["Features".into(), "Improvements".into(), "Fixes".into()],
        );
        let learned = learn::learn(&learn::grouped_sections(&log), &pending, &texts, &ctx);
        let rules_text = learn::to_toml(&learned, "before/CHANGELOG.md");
        let rules = group::rules::RulesFile::parse(Path::new("learned.toml"), &rules_text)?;
        let singletons = Singletons;
        let similarity = group::similarity::Similarity {
            min_similarity: std::env::var("CUTOFF").ok().and_then(|c| c.parse().ok()),
            ..Default::default()
        };
        let by_rules = group::rules::Rules::new(rules.clone());
        let auto = group::auto::Auto::new(Some(rules), None);
        let groupers: [&dyn Grouper; 4] = [&singletons, &similarity, &by_rules, &auto];
        let mut row = Vec::new();
        let mut n = 0;
        for (i, g) in groupers.iter().enumerate() {
            let t = score::evaluate(&reference, *g, &ctx)?;
            n = t.entries;
            totals[i].add(&t);
            row.push(format!(
                "{:>16}",
                format!(
                    "{:.3} ({:.2}/{:.2})",
                    t.f1(),
                    t.mean_precision(),
                    t.mean_recall()
                )
            ));
        }
        println!(
            "{:<10} {:>8} {}  cut-off {:.2}",
            reference.version,
            n,
            row.join(""),
            similarity.cutoff(&ctx)
        );
    }
    println!(
        "{:<10} {:>8} {}",
        "micro",
        totals[0].entries,
        totals
            .iter()
            .map(|t| format!("{:>16}", format!("{:.3}", t.f1())))
            .collect::<Vec<_>>()
            .join("")
    );
    Ok(())
}

/// Every entry alone: the floor.
struct Singletons;

impl Grouper for Singletons {
    fn name(&self) -> &str {
        "singletons"
    }
    fn propose(
        &self,
        _: &str,
        _: &[group::Item],
        _: &[usize],
        _: &Context,
    ) -> git_release::Result<Vec<group::Proposal>> {
        Ok(Vec::new())
    }
}
