//! Grouping quality on the Backend.AI fixtures, the README's flow (`rules learn` from the
//! changelog as it stood, then `auto`) against the maintainers' grouping:
//! - the fixture releases (`gold.json`, learning from `before/`);
//! - leave-one-release-out: every grouped final release inside the fixtures' changelogs,
//!   learning only from the releases older than it.
//!
//! ```sh
//! cargo run --example score [-- tests/fixtures/backend-ai]
//! CUTOFF=0.05 cargo run --example score     # another similarity cut-off
//! TITLES=1 cargo run --example score        # list every title and description made
//! CATS=1 cargo run --example score          # per category: the cap, group sizes, "Other"
//! OTHER=1 cargo run --example score         # the entries left in "Other" the maintainers grouped
//! ```

use std::path::PathBuf;

use git_release::group::{Cutoff, Settings};

mod harness;

use harness::{Case, Score};

fn main() -> git_release::Result<()> {
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tests/fixtures/backend-ai"));
    let mut settings = Settings::default();
    if let Some(cut) = std::env::var("CUTOFF").ok().and_then(|c| c.parse().ok()) {
        settings.similarity.cutoff = Cutoff::Fixed(cut);
    }
    let list = std::env::var_os("TITLES").is_some();
    let dev = harness::dev_cases(&root)?;
    let loo = harness::loo_cases(&root)?;
    let mut all = Score::default();
    for (name, cases) in [("dev fixtures", &dev), ("leave-one-release-out", &loo)] {
        println!("{name}");
        header();
        let mut total = Score::default();
        for case in cases.iter() {
            let s = harness::score_case(case, &settings)?;
            row(&case.version, &s);
            if list {
                listing(case, &s);
            }
            if std::env::var_os("CATS").is_some() {
                categories(case, &settings)?;
            }
            if std::env::var_os("OTHER").is_some() {
                left_in_other(case, &settings)?;
            }
            total.add(&s);
        }
        row("total", &total);
        println!();
        all.add(&total);
    }
    header();
    row("all", &all);
    println!(
        "\nF1: BCubed over the entries of the categories the maintainers grouped (micro). \
         titles: Dice of title words vs the maintainers' (groups of 2+). \
         subsections: made/maintainers' (ratio). bad: titles glued, with a fragment, stop \
         word, verb or adverb (glued among them)."
    );
    Ok(())
}

fn header() {
    println!(
        "{:<10} {:>7} {:>10} {:>7} {:>10} {:>7} {:>14} {:>12}",
        "release", "entries", "similarity", "rules", "auto", "titles", "subsections", "bad (glued)"
    );
}

fn row(name: &str, s: &Score) {
    println!(
        "{:<10} {:>7} {:>10.3} {:>7.3} {:>10.3} {:>7.2} {:>14} {:>12}",
        name,
        s.entries,
        s.similarity.f1(),
        s.rules.f1(),
        s.auto.f1(),
        s.title_agreement(),
        format!("{}/{} {:.2}x", s.made, s.maintainers, s.ratio()),
        format!("{}/{} ({})", s.bad_titles, s.made, s.glued),
    );
    if std::env::var_os("DETAIL").is_some() {
        let pr = |t: &git_release::group::metrics::Totals| {
            format!("P {:.3} R {:.3}", t.mean_precision(), t.mean_recall())
        };
        println!(
            "{:<10} similarity {}  rules {}  auto {}  other {}/{}",
            "",
            pr(&s.similarity),
            pr(&s.rules),
            pr(&s.auto),
            s.other_made,
            s.other_maintainers
        );
    }
}

fn listing(case: &Case, s: &Score) {
    for g in &s.groups {
        println!(
            "    [{}] {} ({}) — {}",
            g.category,
            g.title,
            g.texts.len(),
            g.description
        );
    }
    let _ = case;
}

/// `CATS=1`: per grouped category, the maintainers' group sizes against auto's, the cap.
fn categories(case: &Case, settings: &Settings) -> git_release::Result<()> {
    let (ctx, rules) = harness::context_and_rules(case, settings)?;
    let auto = harness::grouper_of(settings, git_release::group::Strategy::Auto, &rules)?;
    for c in case.reference.categories.iter().filter(|c| c.is_grouped()) {
        let (items, _) = c.items_and_labels();
        let made = git_release::group::group_category(auto.as_ref(), &c.name, &items, &ctx)?;
        let mut theirs: Vec<usize> = c
            .groups
            .iter()
            .filter(|g| g.title.is_some() && !g.other)
            .map(|g| g.items.len())
            .collect();
        theirs.sort_unstable_by(|a, b| b.cmp(a));
        let mut ours: Vec<usize> = made.groups.iter().map(|g| g.members.len()).collect();
        ours.sort_unstable_by(|a, b| b.cmp(a));
        println!(
            "    {:<13} n={:<3} cap={:<2} theirs {:?} other {} | ours {:?} other {}",
            c.name,
            items.len(),
            git_release::group::topics::max_groups(items.len(), &ctx),
            theirs,
            items.len() - theirs.iter().sum::<usize>(),
            ours,
            made.other.len()
        );
    }
    Ok(())
}

/// `OTHER=1`: the entries `auto` leaves in "Other" that the maintainers grouped, each with
/// the maintainers' title, where the rest of that group went, and the words it shares with
/// that group's other entries.
fn left_in_other(case: &Case, settings: &Settings) -> git_release::Result<()> {
    use git_release::group::text::words;
    let (ctx, rules) = harness::context_and_rules(case, settings)?;
    let auto = harness::grouper_of(settings, git_release::group::Strategy::Auto, &rules)?;
    for c in case.reference.categories.iter().filter(|c| c.is_grouped()) {
        let (items, gold) = c.items_and_labels();
        let made = git_release::group::group_category(auto.as_ref(), &c.name, &items, &ctx)?;
        let predicted = made.labels(items.len());
        for &k in &made.other {
            let Some(g) = gold[k] else { continue };
            let mates: Vec<usize> = (0..items.len())
                .filter(|&j| j != k && gold[j] == Some(g))
                .collect();
            let placed: Vec<String> = mates
                .iter()
                .map(|&j| match predicted[j] {
                    Some(p) => made.groups[p].title.clone(),
                    None => "-".into(),
                })
                .collect();
            let mine = words(&items[k].text);
            let mut shared: Vec<String> = mates
                .iter()
                .flat_map(|&j| words(&items[j].text))
                .filter(|w| mine.contains(w))
                .collect();
            shared.sort();
            shared.dedup();
            let title = c.groups[g].title.clone().unwrap_or_default();
            println!(
                "  OTHER {} {:<12} {:?} | mates {} in {:?} | shared {:?} | {}",
                case.version,
                c.name,
                title,
                mates.len(),
                placed,
                shared,
                items[k].text.chars().take(90).collect::<String>()
            );
        }
    }
    Ok(())
}
