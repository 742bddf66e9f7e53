//! Grouping quality regression guard: BCubed F1 against the Backend.AI maintainers' grouping
//! of four real final releases, with rules learned only from the changelog before each one.
//! (`cargo run --example score` prints the table; the floors below sit under today's scores:
//! similarity 0.714, rules 0.711, auto 0.718, title agreement 0.38, every entry alone 0.433
//! on the four releases; auto 0.718, similarity 0.710, title agreement 0.36
//! leave-one-release-out over the grouped releases inside their changelogs.)

use std::path::Path;

use git_release::group::Settings;

use crate::harness::{self, Score};

fn dev_scores() -> Vec<(String, Score)> {
    let cases = harness::dev_cases(Path::new("tests/fixtures/backend-ai")).unwrap();
    cases
        .iter()
        .map(|c| {
            (
                c.version.clone(),
                harness::score_case(c, &Settings::default()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn strategies_beat_the_floor_on_real_releases() {
    let scores = dev_scores();
    assert_eq!(scores.len(), 4);
    let mut total = Score::default();
    for (version, s) in &scores {
        // Every strategy clearly beats listing every entry alone on every release.
        for (name, t) in [
            ("similarity", &s.similarity),
            ("rules", &s.rules),
            ("auto", &s.auto),
        ] {
            assert!(
                t.f1() > s.singletons.f1() + 0.15,
                "{version} {name}: {:.3} vs {:.3}",
                t.f1(),
                s.singletons.f1()
            );
        }
        // `auto` is at least as good as its best part on every release: the rules learned
        // from the changelog before it (rc sections included) never cost more than 0.01.
        let (auto, similarity) = (s.auto.f1(), s.similarity.f1());
        assert!(
            auto >= similarity - 0.01,
            "{version}: auto {auto:.3}, similarity {similarity:.3}"
        );
        total.add(s);
    }
    let alone = total.singletons.f1();
    let [similarity, rules, auto] = [total.similarity, total.rules, total.auto].map(|t| t.f1());
    assert!(alone < 0.45, "{alone}");
    assert!(similarity >= 0.70, "similarity {similarity:.3}");
    assert!(rules >= 0.69, "rules with a learned file {rules:.3}");
    assert!(auto >= 0.71, "auto with a learned file {auto:.3}");
    // The learned file does not cost `auto` against its own similarity pass.
    assert!(
        auto >= similarity - 0.01,
        "auto {auto:.3}, similarity {similarity:.3}"
    );
}

/// Leave-one-release-out: every grouped final release inside the fixtures' changelogs,
/// learning only from the releases older than it. The shape follows the project's history.
#[test]
fn the_default_flow_holds_on_releases_it_did_not_learn_from() {
    let cases = harness::loo_cases(Path::new("tests/fixtures/backend-ai")).unwrap();
    assert!(cases.len() >= 8, "{} cases", cases.len());
    let mut total = Score::default();
    let mut worse = Vec::new();
    for c in &cases {
        let s = harness::score_case(c, &Settings::default()).unwrap();
        // `auto` is at least as good as its best part: the rules file learned from the
        // releases before this one never costs more than 0.01 against similarity alone.
        let (auto, similarity) = (s.auto.f1(), s.similarity.f1());
        if auto < similarity - 0.01 {
            worse.push(format!(
                "{}: auto {auto:.3}, similarity {similarity:.3}",
                c.version
            ));
        }
        total.add(&s);
    }
    assert!(worse.is_empty(), "{}", worse.join("\n"));
    let auto = total.auto.f1();
    assert!(auto >= 0.71, "auto with a learned file {auto:.3}");
    let similarity = total.similarity.f1();
    assert!(
        auto >= similarity,
        "auto {auto:.3}, similarity {similarity:.3}"
    );
    let ratio = total.ratio();
    assert!((0.9..=1.2).contains(&ratio), "subsections {ratio:.2}x");
    // Titles: the maintainers' own words where a cluster continues an earlier topic, by
    // content or by the earlier title's words, two-topic titles included when both topics
    // are the group's; "… Fixes" in the newest section's style; a content match kept only
    // while the group names the topic, under the name the maintainers give it in this
    // category; among the earlier titles a group's entries speak of, the newest release's
    // first (0.356 today).
    let titles = total.title_agreement();
    assert!(titles >= 0.35, "title agreement {titles:.3}");
    assert!(
        total.bad_titles * 5 <= total.made,
        "{} of {}",
        total.bad_titles,
        total.made
    );
}

/// Every title and description the default flow makes for the dev releases reads as a
/// maintainer would publish it: no stop word, verb, adverb or word fragment in a title;
/// descriptions are whole sentences.
#[test]
fn titles_and_descriptions_read_well_on_real_releases() {
    use git_release::group::quality;
    let mut faults = Vec::new();
    let mut listed = 0;
    for (version, s) in dev_scores() {
        for g in &s.groups {
            listed += 1;
            let texts: Vec<&str> = g.texts.iter().map(String::as_str).collect();
            if quality::is_unfit_title(&g.title, &texts) {
                let why: Vec<&str> = quality::title_faults(&g.title, &texts)
                    .iter()
                    .map(|f| f.as_str())
                    .collect();
                faults.push(format!(
                    "{version} [{}] title {:?}: {why:?}",
                    g.category, g.title
                ));
            }
            if let Some(why) = quality::description_fault(&g.description) {
                faults.push(format!(
                    "{version} [{}] {:?}: description {:?}: {why}",
                    g.category, g.title, g.description
                ));
            }
        }
    }
    assert!(listed >= 40, "{listed} groups");
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// The groups of a rendered section: each `####` title with its entries' text (links cut).
fn rendered_groups(section: &str) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for line in section.lines() {
        if let Some(title) = line.strip_prefix("#### ") {
            groups.push((title.trim().to_string(), Vec::new()));
        } else if line.starts_with("### ") {
            groups.push((String::new(), Vec::new()));
        } else if let (Some(entry), Some((_, entries))) =
            (line.strip_prefix("* "), groups.last_mut())
        {
            let text = entry.rsplit_once(" ([#").map_or(entry, |(t, _)| t);
            entries.push(text.to_string());
        }
    }
    groups.retain(|(title, _)| !title.is_empty());
    groups
}

/// The real command on the real releases, as a user runs it first (default strategy, no
/// learned rules): every title reads as a maintainer would publish it, and no title is a
/// short code token (on 26.2.0 a group about `str` → `StrEnum` was titled "Str").
#[test]
fn the_default_dry_run_titles_read_well_on_real_releases() {
    use git_release::group::quality;
    let mut faults = Vec::new();
    let mut listed = 0;
    for (version, _, dir) in crate::util::backend_ai_cases() {
        if version.contains("rc") {
            continue;
        }
        let repo = crate::util::repo_from(&dir.join("before"));
        let out = crate::util::git_release(repo.path())
            .args(["consolidate", &version, "--dry-run"])
            .output()
            .unwrap();
        crate::util::ok(&out, "consolidate --dry-run");
        for (title, entries) in rendered_groups(&crate::util::text(&out.stdout)) {
            listed += 1;
            let texts: Vec<&str> = entries.iter().map(String::as_str).collect();
            if title.starts_with("Other ") {
                continue;
            }
            // A short one-word title is an acronym, or a word the entries write in prose.
            let in_prose = |w: &str| {
                texts.iter().any(|t| {
                    t.split('`').step_by(2).any(|prose| {
                        prose
                            .split(|c: char| !c.is_alphanumeric() && c != '_')
                            .any(|x| x.eq_ignore_ascii_case(w))
                    })
                })
            };
            let short = title.split_whitespace().count() == 1
                && title.chars().count() <= 3
                && !title.chars().all(|c| c.is_ascii_uppercase())
                && !in_prose(&title);
            if short || quality::is_unfit_title(&title, &texts) {
                faults.push(format!(
                    "{version} {title:?}: {:?}",
                    quality::title_faults(&title, &texts)
                ));
            }
        }
    }
    assert!(listed >= 40, "{listed} groups");
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}
