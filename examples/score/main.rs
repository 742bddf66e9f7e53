//! Grouping quality on the Backend.AI fixtures: BCubed F1 of each strategy against the
//! maintainers' grouping (`gold.json`), with rules learned only from the changelog as it
//! stood before each release.
//!
//! ```sh
//! cargo run --release --example score [-- tests/fixtures/backend-ai]
//! CUTOFF=0.05 cargo run --release --example score    # another similarity cut-off
//! ```

use std::path::PathBuf;

use git_release::changelog::Changelog;
use git_release::group::metrics::Totals;
use git_release::group::{Cutoff, Settings};

mod harness;

use harness::{EVALUATED, Reference};

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
    let mut settings = Settings::default();
    if let Some(cut) = std::env::var("CUTOFF").ok().and_then(|c| c.parse().ok()) {
        settings.similarity.cutoff = Cutoff::Fixed(cut);
    }
    let mut totals = [Totals::default(); 4];
    println!(
        "{:<10} {:>8}{}",
        "release",
        "entries",
        EVALUATED.map(|s| format!("{s:>18}")).join("")
    );
    for case in cases {
        let text = std::fs::read_to_string(case.join("gold.json"))
            .map_err(|e| git_release::Error::io(&case, e))?;
        let reference: Reference =
            serde_json::from_str(&text).expect("gold.json has the documented shape");
        if !reference.categories.iter().any(|c| c.is_grouped()) {
            continue;
        }
        let before =
            Changelog::read(&case.join("before/CHANGELOG.md"))?.expect("fixture changelog");
        let scores = harness::evaluate_release(&before, &reference, &settings)?;
        let row: Vec<String> = scores
            .iter()
            .map(|t| {
                format!(
                    "{:>18}",
                    format!(
                        "{:.3} ({:.2}/{:.2})",
                        t.f1(),
                        t.mean_precision(),
                        t.mean_recall()
                    )
                )
            })
            .collect();
        println!(
            "{:<10} {:>8}{}",
            reference.version,
            scores[0].entries,
            row.join("")
        );
        for (total, s) in totals.iter_mut().zip(&scores) {
            total.add(s);
        }
    }
    println!(
        "{:<10} {:>8}{}",
        "micro",
        totals[0].entries,
        totals
            .iter()
            .map(|t| format!("{:>18}", format!("{:.3}", t.f1())))
            .collect::<String>()
    );
    println!(
        "(F1 (precision/recall), BCubed over the entries of the categories the maintainers grouped)"
    );
    Ok(())
}
