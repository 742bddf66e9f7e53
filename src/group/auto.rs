//! The `auto` strategy (the default): the strategies of `auto-order` in turn — by default
//! the rules file, then PR labels, then title similarity for whatever is left.
//!
//! After each pass, what the passes so far proposed is settled by the shared rules
//! ([`settle`]), so an entry a pass could not place in a real group stays available to
//! the next. Entries are not simply first come, first served: a strategy that judges each
//! entry on its own (rules, labels) is shown every entry, and when it wants one an earlier
//! pass placed, the one precedence rule ([`Rank`](super::Rank)) decides — the higher tier
//! wins, and only a tie goes to the earlier pass. A strategy that compares entries with
//! each other (similarity) is shown the entries still unplaced, so its clusters are made
//! of them alone.
//!
//! Rules learned from the project's history (`learned = true`, as `rules learn` writes
//! them) claim nothing here: the registry hands them to the similarity pass as evidence
//! (entries a learned rule matches and that share a word are a little more alike), because
//! a learned rule claims entries on one shared word, which cost F1 on releases it had not
//! seen (0.682 against 0.707 as evidence, leave-one-release-out). Rules written by hand keep their priority.

use std::collections::HashSet;

use super::{Context, Grouper, Item, Proposal, settle};
use crate::error::Result;

/// The `auto` strategy: its passes, in order (built by the registry from `auto-order`,
/// without the strategies whose inputs were not given).
pub struct Auto {
    /// Each pass with its strategy's name (the registry's), for the review's "placed by".
    passes: Vec<(&'static str, Box<dyn Grouper>)>,
}

impl Auto {
    pub fn new(passes: Vec<(&'static str, Box<dyn Grouper>)>) -> Auto {
        Auto { passes }
    }
}

impl Grouper for Auto {
    fn propose(
        &self,
        category: &str,
        items: &[Item],
        candidates: &[usize],
        ctx: &Context,
    ) -> Result<Vec<Proposal>> {
        // The groups placed so far, earlier passes first.
        let mut placed: Vec<Proposal> = Vec::new();
        for (name, pass) in &self.passes {
            let shown: Vec<usize> = if pass.judges_each_entry() {
                candidates.to_vec()
            } else {
                let taken: HashSet<usize> = placed
                    .iter()
                    .flat_map(|p| p.members.iter().copied())
                    .collect();
                candidates
                    .iter()
                    .copied()
                    .filter(|i| !taken.contains(i))
                    .collect()
            };
            let mut pool = std::mem::take(&mut placed);
            pool.extend(
                pass.propose(category, items, &shown, ctx)?
                    .into_iter()
                    .map(|mut p| {
                        p.reason = format!("placed by {name}: {}", p.reason);
                        p
                    }),
            );
            placed = settle(category, pool, ctx);
        }
        // The project's shape: no more subsections than its history gives a category of
        // this size. Only groups a comparing pass (similarity) made are dropped for it,
        // the smallest first: a rule or label group is the project's own word.
        let cap = super::topics::max_groups(candidates.len(), ctx);
        let comparing: Vec<String> = self
            .passes
            .iter()
            .filter(|(_, p)| !p.judges_each_entry())
            .map(|(name, _)| format!("placed by {name}:"))
            .collect();
        let droppable =
            |p: &Proposal| !p.standalone && comparing.iter().any(|c| p.reason.starts_with(c));
        let mut order: Vec<usize> = (0..placed.len())
            .filter(|&i| droppable(&placed[i]))
            .collect();
        order.sort_by_key(|&i| (placed[i].members.len(), std::cmp::Reverse(i)));
        let excess = placed.len().saturating_sub(cap);
        let dropped: HashSet<usize> = order.into_iter().take(excess).collect();
        Ok(placed
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !dropped.contains(i))
            .map(|(_, p)| p)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::labels::PrLabels;
    use crate::group::registry::{Inputs, build_with};
    use crate::group::rules::RulesFile;
    use crate::group::{Corpus, Cutoff, Grouping, Settings, SimilaritySettings, Strategy, finish};
    use std::path::Path;

    fn items(texts: &[&str]) -> Vec<Item> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Item::new(*t, vec![i as u64 + 1]))
            .collect()
    }

    fn group(auto_order: &[Strategy], inputs: Inputs, texts: &[&str]) -> Grouping {
        let settings = Settings {
            auto_order: auto_order.to_vec(),
            ..Settings::default()
        };
        let auto = build_with(&settings, inputs).unwrap();
        let items = items(texts);
        let ctx = Context::new(Corpus::new(texts.iter().copied()), vec![], &[], 2);
        let all: Vec<usize> = (0..items.len()).collect();
        let proposals = auto.propose("Features", &items, &all, &ctx).unwrap();
        finish("Features", &items, proposals, &ctx)
    }

    fn rules(text: &str) -> Option<RulesFile> {
        Some(RulesFile::parse(Path::new("r.toml"), text).unwrap())
    }

    /// PRs 1 and 2 carry `area:sched`, mapped to a group of `tier`.
    fn rules_and_labels(tier: &str) -> (Option<RulesFile>, Option<PrLabels>) {
        let rules = rules(&format!(
            "[[group]]\ntitle = \"Fair Share\"\nkeywords = [\"fair share\"]\n\
             [labels]\n\"area:sched\" = {{ title = \"Scheduler\", tier = \"{tier}\" }}\n"
        ));
        let labels = PrLabels::parse(
            Path::new("l.json"),
            r#"[{"number": 1, "labels": ["area:sched"]}, {"number": 2, "labels": ["area:sched"]}]"#,
        )
        .unwrap();
        (rules, Some(labels))
    }

    #[test]
    fn rules_first_then_similarity_for_the_rest() {
        let rules = rules(
            "[[group]]\ntitle = \"Fair Share\"\ntier = \"initiative\"\nkeywords = [\"fair share\"]\n",
        );
        let g = group(
            &crate::group::settings::DEFAULT_AUTO_ORDER,
            Inputs {
                rules,
                labels: None,
            },
            &[
                "Add fair share weights",
                "Add fair share buckets",
                "Add retry to the event bus publisher",
                "Support TLS for the event bus",
                "Fix typo in the storage volume listing",
            ],
        );
        assert_eq!(g.groups[0].title, "Fair Share");
        assert_eq!(g.groups[0].members, [0, 1]);
        assert!(
            g.groups.iter().any(|gr| gr.members == [2, 3]),
            "{:?}",
            g.groups
        );
        assert_eq!(g.other, [4]);
    }

    /// A rule `rules learn` wrote is evidence for the similarity pass, not a claim: one
    /// shared keyword does not make its group, as it does for a rule written by hand.
    #[test]
    fn learned_rules_do_not_claim_entries_on_a_keyword_alone() {
        let texts = [
            "Fix session crash in the GPU allocator",
            "Add session tags to the audit exporter",
            "Support TLS for the event bus",
        ];
        for (learned, claimed) in [("", true), ("learned = true\n", false)] {
            let rules = rules(&format!(
                "[[group]]\ntitle = \"Sessions\"\nkeywords = [\"session\"]\n{learned}"
            ));
            let g = group(
                &crate::group::settings::DEFAULT_AUTO_ORDER,
                Inputs {
                    rules,
                    labels: None,
                },
                &texts,
            );
            let together = g.groups.iter().any(|g| g.members == [0, 1]);
            assert_eq!(together, claimed, "{learned:?}: {:?}", g.groups);
            if claimed {
                assert_eq!(g.groups[0].title, "Sessions");
            }
        }
    }

    /// A learned rule is evidence for the similarity pass unless `rules learn` found that
    /// it misleads (its entries mostly apart in the releases it was not learned from).
    #[test]
    fn a_learned_rule_that_misleads_is_no_evidence() {
        let texts = [
            "Add fair share weights to the scheduler dashboard",
            "Show fair share usage in the project admin page",
            "Fix crash in the storage volume listing",
            "Support TLS for the event bus",
        ];
        let items = items(&texts);
        let all: Vec<usize> = (0..items.len()).collect();
        let ctx = Context::new(Corpus::new(texts.iter().copied()), vec![], &[], 2);
        let run = |cut: f64, rules: Option<RulesFile>| {
            let settings = Settings {
                auto_order: vec![Strategy::Rules, Strategy::Similarity],
                similarity: SimilaritySettings {
                    cutoff: Cutoff::Fixed(cut),
                    ..Default::default()
                },
                ..Settings::default()
            };
            let auto = build_with(
                &settings,
                Inputs {
                    rules,
                    labels: None,
                },
            )
            .unwrap();
            let proposals = auto.propose("Features", &items, &all, &ctx).unwrap();
            finish("Features", &items, proposals, &ctx)
                .groups
                .iter()
                .any(|g| g.members == [0, 1])
        };
        // The lowest cut-off (by 0.01) at which their words alone no longer join them.
        let cut = (1..50)
            .map(|c| f64::from(c) / 100.0)
            .find(|&c| !run(c, None))
            .unwrap();
        assert!(run(cut - 0.01, None));
        for (misleads, joined) in [("", true), ("misleads = true\n", false)] {
            let rules = rules(&format!(
                "[[group]]\ntitle = \"Fair Share\"\nkeywords = [\"fair share\"]\nlearned = true\n{misleads}"
            ));
            assert_eq!(run(cut, rules), joined, "{misleads:?}");
        }
    }

    const FAIR_SHARE: &[&str] = &[
        "Add fair share weights",
        "Add fair share buckets",
        "Add fair share docs",
        "Fix fair share rounding",
    ];

    #[test]
    fn a_later_pass_takes_entries_when_its_tier_is_higher() {
        let (rules, labels) = rules_and_labels("initiative");
        let g = group(
            &[Strategy::Rules, Strategy::Labels],
            Inputs { rules, labels },
            FAIR_SHARE,
        );
        let found: Vec<(&str, &[usize])> = g
            .groups
            .iter()
            .map(|g| (g.title.as_str(), g.members.as_slice()))
            .collect();
        assert_eq!(
            found,
            [("Scheduler", &[0, 1][..]), ("Fair Share", &[2, 3][..])]
        );
    }

    #[test]
    fn on_a_tie_the_larger_group_then_the_earlier_pass_wins() {
        // Same tier: the rule's group is larger, so it keeps every entry.
        let (rules, labels) = rules_and_labels("subsystem");
        let g = group(
            &[Strategy::Labels, Strategy::Rules],
            Inputs { rules, labels },
            FAIR_SHARE,
        );
        assert_eq!(g.groups.len(), 1);
        assert_eq!(g.groups[0].title, "Fair Share");
        // Same tier and size: the earlier pass in `auto-order`.
        for (order, winner) in [
            ([Strategy::Rules, Strategy::Labels], "Fair Share"),
            ([Strategy::Labels, Strategy::Rules], "Scheduler"),
        ] {
            let (rules, labels) = rules_and_labels("subsystem");
            let g = group(&order, Inputs { rules, labels }, &FAIR_SHARE[..2]);
            assert_eq!(g.groups.len(), 1, "{order:?}");
            assert_eq!(g.groups[0].title, winner, "{order:?}");
        }
    }
}
