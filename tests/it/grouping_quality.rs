//! Grouping quality regression guard: BCubed F1 against the Backend.AI maintainers' grouping
//! of four real final releases, with rules learned only from the changelog before each one.
//! (`cargo run --example score` prints the table; the floors below sit under today's scores:
//! similarity 0.698, rules 0.699, auto 0.699, every entry alone 0.433.)

use git_release::changelog::Changelog;
use git_release::group::Settings;
use git_release::group::metrics::Totals;

use crate::harness::{self, Reference};
use crate::util;

#[test]
fn strategies_beat_the_floor_on_real_releases() {
    let mut totals = [Totals::default(); 4];
    let mut cases = 0;
    for (_, _, dir) in util::backend_ai_cases() {
        let Ok(text) = std::fs::read_to_string(dir.join("gold.json")) else {
            continue;
        };
        let reference: Reference = serde_json::from_str(&text).unwrap();
        if !reference.categories.iter().any(|c| c.is_grouped()) {
            continue;
        }
        cases += 1;
        let before = Changelog::read(&dir.join("before/CHANGELOG.md"))
            .unwrap()
            .unwrap();
        let scores = harness::evaluate_release(&before, &reference, &Settings::default()).unwrap();
        // Every strategy clearly beats listing every entry alone on every release.
        for (name, s) in harness::EVALUATED.iter().zip(&scores).skip(1) {
            assert!(
                s.f1() > scores[0].f1() + 0.15,
                "{} {name}: {:.3} vs {:.3}",
                reference.version,
                s.f1(),
                scores[0].f1()
            );
        }
        for (t, s) in totals.iter_mut().zip(&scores) {
            t.add(s);
        }
    }
    assert_eq!(cases, 4);
    let [alone, similarity, rules, auto] = totals.map(|t| t.f1());
    assert!(alone < 0.45, "{alone}");
    assert!(similarity >= 0.68, "similarity {similarity:.3}");
    assert!(rules >= 0.68, "rules with a learned file {rules:.3}");
    assert!(auto >= 0.68, "auto with a learned file {auto:.3}");
}
