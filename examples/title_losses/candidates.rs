//! `CANDS=1`: for every maintainers' group of 2+ entries, the earlier titles a predicted
//! group could take, each with the signals a choice could use (content cosine, the
//! title's own words against the section, age), and what simple policies would score.

use std::collections::{BTreeMap, HashMap};

use git_release::group::{Context, text};

type Bag = HashMap<String, f64>;

fn bag<'a>(texts: impl IntoIterator<Item = &'a str>, ctx: &Context) -> Bag {
    let mut out: Bag = HashMap::new();
    for t in texts {
        for w in text::words(t) {
            let idf = ctx.corpus.idf(&w);
            if idf > 0.0 {
                *out.entry(w).or_default() += idf;
            }
        }
    }
    let norm = out.values().map(|v| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        for v in out.values_mut() {
            *v /= norm;
        }
    }
    out
}

fn cosine(a: &Bag, b: &Bag) -> f64 {
    a.iter().filter_map(|(w, x)| b.get(w).map(|y| x * y)).sum()
}

fn set(t: &str) -> Vec<String> {
    let mut w = text::words(t);
    w.sort();
    w.dedup();
    w
}

/// One earlier title, with its signals for a group.
#[derive(Debug, Clone)]
pub struct Cand {
    pub title: String,
    pub release_age: usize,
    pub same_category: bool,
    pub cos: f64,
    pub tw: f64,
    pub dice: f64,
}

/// One maintainers' group and what we made of it.
#[derive(Debug, Clone)]
pub struct Case {
    pub gold: String,
    pub ours: String,
    pub ours_dice: f64,
    pub how: String,
    pub cands: Vec<Cand>,
}

/// The candidates for a predicted group `members` (indices into `section`).
pub fn candidates(
    section: &[&str],
    members: &[usize],
    category: &str,
    gold: &str,
    ctx: &Context,
    dice: impl Fn(&str, &str) -> f64,
) -> Vec<Cand> {
    let entries: Vec<Vec<String>> = section.iter().map(|t| set(t)).collect();
    let mine = bag(members.iter().map(|&k| section[k]), ctx);
    let mut releases: Vec<&str> = Vec::new();
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    let mut out = Vec::new();
    for s in &ctx.history {
        if !releases.contains(&s.release.as_str()) {
            releases.push(&s.release);
        }
        let age = releases.len() - 1;
        for (g, (title, _)) in s.groups.iter().enumerate() {
            if title.to_lowercase().starts_with("other ") {
                continue;
            }
            let key = format!("{}|{}", text::normalize_phrase(title), s.category);
            if seen.insert(key, ()).is_some() {
                continue;
            }
            let theirs = bag(
                s.entries
                    .iter()
                    .filter(|(_, l)| *l == Some(g))
                    .map(|(t, _)| t.as_str()),
                ctx,
            );
            let same = s.category.eq_ignore_ascii_case(category);
            let words = set(title);
            let n = members.len() as f64;
            let rest = (section.len() - members.len()).max(1) as f64;
            let tw = if words.is_empty() {
                0.0
            } else {
                words
                    .iter()
                    .map(|w| {
                        let inside = members.iter().filter(|&&m| entries[m].contains(w)).count();
                        let all = entries.iter().filter(|e| e.contains(w)).count();
                        (inside as f64 / n - (all - inside) as f64 / rest).max(0.0)
                    })
                    .sum::<f64>()
                    / words.len() as f64
            };
            out.push(Cand {
                title: title.clone(),
                release_age: age,
                same_category: same,
                cos: cosine(&mine, &theirs),
                tw,
                dice: dice(gold, title),
            });
        }
    }
    out
}

/// A way to rank the earlier titles for a group.
type Policy = Box<dyn Fn(&Cand) -> f64>;

/// What a few policies would score over `cases` (mean Dice): always taking the earlier
/// title a policy ranks first, and the better of that and ours (an oracle arbiter), in
/// all and by how our title was found.
pub fn report(name: &str, cases: &[Case]) {
    let n = cases.len().max(1) as f64;
    let ours: f64 = cases.iter().map(|c| c.ours_dice).sum();
    println!("{name}: {} groups, ours {:.3}", cases.len(), ours / n);
    let oracle: f64 = cases
        .iter()
        .map(|c| c.cands.iter().map(|k| k.dice).fold(0.0, f64::max))
        .sum();
    println!("  oracle earlier title {:.3}", oracle / n);
    let policies: Vec<(&str, Policy)> = vec![
        ("cos", Box::new(|k: &Cand| k.cos)),
        ("tw", Box::new(|k: &Cand| k.tw)),
        ("cos+tw", Box::new(|k: &Cand| k.cos + k.tw)),
        ("cos*tw", Box::new(|k: &Cand| k.cos * k.tw)),
        (
            "(cos+tw)/(1+age/4)",
            Box::new(|k: &Cand| (k.cos + k.tw) / (1.0 + k.release_age as f64 / 4.0)),
        ),
        (
            "cos+tw same cat",
            Box::new(|k: &Cand| (k.cos + k.tw) * if k.same_category { 1.0 } else { 0.85 }),
        ),
    ];
    for (p, f) in &policies {
        let mut always = 0.0;
        let mut better_of = 0.0;
        for c in cases {
            let best = c.cands.iter().max_by(|a, b| {
                f(a).total_cmp(&f(b))
                    .then(b.release_age.cmp(&a.release_age))
            });
            let d = best.map_or(0.0, |k| k.dice);
            always += d;
            better_of += d.max(c.ours_dice);
        }
        println!(
            "  {p:<22} always {:.3}  max(ours, it) {:.3}",
            always / n,
            better_of / n
        );
        let mut by_how: BTreeMap<&str, (usize, f64, f64, f64)> = BTreeMap::new();
        for c in cases {
            let best = c.cands.iter().max_by(|a, b| {
                f(a).total_cmp(&f(b))
                    .then(b.release_age.cmp(&a.release_age))
            });
            let slot = by_how.entry(c.how.as_str()).or_default();
            slot.0 += 1;
            slot.1 += c.ours_dice;
            slot.2 += best.map_or(0.0, |k| k.dice);
            slot.3 += best.map_or(0.0, f);
        }
        for (h, (k, o, t, sc)) in by_how {
            println!(
                "      {h:<10} {k:>3} ours {:.3} it {:.3} (mean score {:.2})",
                o / k as f64,
                t / k as f64,
                sc / k as f64
            );
        }
    }
    if std::env::var_os("CANDS_LIST").is_some() {
        for c in cases {
            println!(
                "  {:?} <- {:?} ({}) {:.2}",
                c.gold, c.ours, c.how, c.ours_dice
            );
            let mut ks = c.cands.clone();
            ks.sort_by(|a, b| (b.cos + b.tw).total_cmp(&(a.cos + a.tw)));
            for k in ks.iter().take(4) {
                println!(
                    "      {:<45} cos {:.2} tw {:.2} age {} same {} dice {:.2}",
                    format!("{:?}", k.title),
                    k.cos,
                    k.tw,
                    k.release_age,
                    k.same_category,
                    k.dice
                );
            }
        }
    }
}
