//! Error analysis of the titles `auto` gives (issue 9): for every maintainers' group of 2+
//! entries, in the dev fixtures and leave-one-release-out, its title, the predicted group
//! holding most of it, that group's title and where it came from, the Dice, and a bucket
//! for the loss:
//! - `none`: no predicted group holds any of it (a clustering loss);
//! - `a`: an earlier release has a title close to the maintainers' (Dice ≥ 0.5) and we
//!   did worse;
//! - `b`: the predicted group is a merge (most of it is other topics) or a fragment (it
//!   holds under half the maintainers' group), so its title names another topic;
//! - `c`: a new title whose words the entries write;
//! - `d`: a new title they do not write (an `A and B` of two topics, a name of its own).
//!
//! ```sh
//! cargo run --release --example title_losses [-- tests/fixtures/backend-ai]
//! CANDS=1 QUIET=1 cargo run --release --example title_losses   # the earlier titles a
//!                                   # group could take, and what simple choices would score
//! CANDS=1 CANDS_LIST=1 …            # each group's best candidates with their signals
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use git_release::group::{self, Settings, Strategy};

mod candidates;
#[path = "../score/harness.rs"]
mod harness;

fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn main() -> git_release::Result<()> {
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tests/fixtures/backend-ai"));
    let settings = Settings::default();
    let quiet = std::env::var_os("QUIET").is_some();
    for (name, cases) in [
        ("dev", harness::dev_cases(&root)?),
        ("loo", harness::loo_cases(&root)?),
    ] {
        let mut buckets: BTreeMap<&str, (usize, f64, f64)> = BTreeMap::new();
        // The Dice without the connective `and`, which any two glued titles share.
        let mut plain = 0.0;
        let cands = std::env::var_os("CANDS").is_some();
        let mut cand_cases: Vec<candidates::Case> = Vec::new();
        for case in &cases {
            let (ctx, rules) = harness::context_and_rules(case, &settings)?;
            let auto = git_release::group::registry::build_with(
                &Settings {
                    strategy: Strategy::Auto,
                    ..settings.clone()
                },
                git_release::group::registry::Inputs {
                    rules: Some(rules.clone()),
                    labels: None,
                },
            )?;
            let earlier: Vec<&str> = ctx
                .history
                .iter()
                .flat_map(|s| s.groups.iter().map(|(t, _)| t.as_str()))
                .collect();
            for c in case.reference.categories.iter().filter(|c| c.is_grouped()) {
                let (items, gold) = c.items_and_labels();
                let made = group::group_category(auto.as_ref(), &c.name, &items, &ctx)?;
                let predicted = made.labels(items.len());
                if std::env::var_os("FAULTS").is_some() {
                    for grp in &made.groups {
                        let texts: Vec<&str> = grp
                            .members
                            .iter()
                            .map(|&m| items[m].text.as_str())
                            .collect();
                        let faults = git_release::group::quality::title_faults(&grp.title, &texts);
                        if !faults.is_empty() {
                            println!(
                                "FAULT {name} {} {} {:?}: {faults:?}",
                                case.version, c.name, grp.title
                            );
                        }
                    }
                }
                for (g, rg) in c.groups.iter().enumerate() {
                    let Some(title) = rg.title.as_deref().filter(|_| !rg.other) else {
                        continue;
                    };
                    if rg.items.len() < 2 {
                        continue;
                    }
                    let best = harness::holding_most(&gold, &predicted, g);
                    let (ours, how, d, purity, share) = match best {
                        Some((p, n)) => {
                            let grp = &made.groups[p];
                            let how = if grp.reason.contains("(title words") {
                                "titlewords"
                            } else if grp.reason.contains("(similarity") {
                                "content"
                            } else if grp.reason.contains("continues") {
                                "continued"
                            } else {
                                "phrase"
                            };
                            (
                                grp.title.clone(),
                                how,
                                harness::dice(title, &grp.title),
                                n as f64 / grp.members.len() as f64,
                                n as f64 / rg.items.len() as f64,
                            )
                        }
                        None => (String::new(), "-", 0.0, 0.0, 0.0),
                    };
                    let (oracle, oracle_title) = earlier
                        .iter()
                        .map(|t| (harness::dice(title, t), *t))
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .unwrap_or((0.0, ""));
                    let entry_words: BTreeSet<String> =
                        rg.items.iter().flat_map(|i| words(&i.text)).collect();
                    let tw = words(title);
                    let written = tw.iter().filter(|w| entry_words.contains(*w)).count() as f64
                        / tw.len().max(1) as f64;
                    let bucket = if best.is_none() {
                        "none"
                    } else if d >= 0.999 {
                        "ok"
                    } else if oracle >= 0.5 && oracle > d {
                        if purity < 0.5 || share < 0.5 {
                            "b(a)"
                        } else {
                            "a"
                        }
                    } else if purity < 0.5 || share < 0.5 {
                        "b"
                    } else if written >= 0.5 {
                        "c"
                    } else {
                        "d"
                    };
                    if cands {
                        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
                        let members: Vec<usize> = best
                            .map(|(p, _)| made.groups[p].members.clone())
                            .unwrap_or_default();
                        cand_cases.push(candidates::Case {
                            gold: title.to_string(),
                            ours: ours.clone(),
                            ours_dice: d,
                            how: how.to_string(),
                            cands: if members.is_empty() {
                                Vec::new()
                            } else {
                                candidates::candidates(
                                    &texts,
                                    &members,
                                    &c.name,
                                    title,
                                    &ctx,
                                    harness::dice,
                                )
                            },
                        });
                    }
                    plain +=
                        harness::dice(&title.replace(" and ", " "), &ours.replace(" and ", " "));
                    let slot = buckets.entry(bucket).or_default();
                    slot.0 += 1;
                    slot.1 += d;
                    slot.2 += oracle.max(d);
                    if !quiet {
                        println!(
                            "{name} {} {:<8} [{bucket:<4}] {:.2} {title:?} <- {ours:?} ({how}; purity {purity:.2} share {share:.2}) best-earlier {oracle:.2} {oracle_title:?} written {written:.2}",
                            case.version, c.name, d
                        );
                    }
                }
            }
        }
        if cands {
            candidates::report(name, &cand_cases);
        }
        let n: usize = buckets.values().map(|b| b.0).sum();
        let total: f64 = buckets.values().map(|b| b.1).sum();
        println!(
            "{name}: {n} groups, title agreement {:.3} (without `and`: {:.3})",
            total / n.max(1) as f64,
            plain / n.max(1) as f64
        );
        for (b, (k, s, o)) in &buckets {
            println!(
                "  {b:<5} {k:>4}  dice sum {s:>6.2} (mean {:.2})  with best earlier {o:>6.2}",
                s / *k as f64,
                o = o
            );
        }
    }
    Ok(())
}
