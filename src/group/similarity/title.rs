//! Naming a cluster: a title from the words its entries share, and a tier from its shape.

use std::collections::BTreeMap;

use crate::group::levenshtein::Pattern;
use crate::group::{Context, Tier, describe, quality, text, tier};

/// A title from the most distinctive words the members share, spelled as written, and
/// the normalised words used (the group's evidence). Component names never title a group.
pub(crate) fn title_for(texts: &[&str], ctx: &Context) -> (String, Vec<String>) {
    let n = texts.len();
    // feature → (members containing it, surface spellings)
    let mut coverage: BTreeMap<String, (usize, BTreeMap<String, usize>)> = BTreeMap::new();
    for t in texts {
        let surf = text::surfaces(t);
        let mut seen: Vec<(String, String)> = Vec::new();
        for (w, s, _) in &surf {
            if !describe::is_verb(w) {
                seen.push((w.clone(), s.clone()));
            }
        }
        for pair in surf.windows(2) {
            if pair[0].0 != pair[1].0 && !describe::is_verb(&pair[0].0) {
                // Parts of one identifier are spelled together (`VFolder`, not `V Folder`).
                let glue = if pair[0].2 == pair[1].2 { "" } else { " " };
                seen.push((
                    format!("{} {}", pair[0].0, pair[1].0),
                    format!("{}{glue}{}", pair[0].1, pair[1].1),
                ));
            }
        }
        let mut counted: Vec<&str> = Vec::new();
        for (f, s) in &seen {
            let entry = coverage.entry(f.clone()).or_default();
            if !counted.contains(&f.as_str()) {
                entry.0 += 1;
                counted.push(f);
            }
            *entry.1.entry(s.clone()).or_default() += 1;
        }
    }
    let component = |f: &str| ctx.only_components(&[f.to_string()]);
    // A feature weighs its rarest word's rarity plus one: a word every entry of the
    // changelog has still titles a cluster all of whose entries share it.
    let weight = |f: &str| -> f64 {
        let ws: Vec<&str> = f.split(' ').collect();
        let base = ws
            .iter()
            .map(|w| ctx.corpus.idf(w) + 1.0)
            .fold(0.0, f64::max);
        if ws.len() > 1 { base + 0.5 } else { base }
    };
    let min_cover = 2.max(n.div_ceil(3));
    let mut ranked: Vec<(f64, String)> = coverage
        .iter()
        .filter(|(f, (c, _))| *c >= min_cover.min(n) && !component(f))
        .map(|(f, (c, _))| ((*c as f64 / n as f64) * weight(f), f.clone()))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let spell = |f: &str| -> String {
        let surfaces = &coverage[f].1;
        let best = surfaces
            .iter()
            .max_by(|a, b| {
                a.1.cmp(b.1)
                    .then_with(|| b.0.len().cmp(&a.0.len()))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(s, _)| s.clone())
            .unwrap_or_else(|| f.to_string());
        title_case(&best)
    };
    // One topic, the most distinctive phrase as the entries write it: gluing a second
    // one on ("A and B") made titles a maintainer would not keep. A phrase that would read
    // badly (a verb, a fragment of a word) is passed over.
    let chosen: Vec<String> = ranked
        .iter()
        .map(|(_, f)| f)
        .find(|f| !quality::is_unfit_title(&spell(f), texts))
        .cloned()
        .into_iter()
        .collect();
    if chosen.is_empty() {
        // Nothing but component names in common: keep them as evidence so the shared
        // rules dissolve the group.
        let shared: Vec<String> = coverage
            .iter()
            .filter(|(_, (c, _))| *c >= min_cover.min(n))
            .map(|(f, _)| f.clone())
            .collect();
        return ("Related Changes".into(), shared);
    }
    let title = chosen
        .iter()
        .map(|f| spell(f))
        .collect::<Vec<_>>()
        .join(" and ");
    (title, chosen)
}

/// Capitalise plain lower-case words; leave acronyms and identifiers as written.
fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if w.chars().all(|c| c.is_lowercase() || !c.is_alphabetic()) {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => String::new(),
                }
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many of a cluster's entries are compared pairwise to tell a templated pattern.
const TIER_SAMPLE: usize = 32;

/// A tier from the cluster's shape: tooling words mean infrastructure
/// ([`tier::INFRASTRUCTURE_WORDS`]), templated entries are a pattern, a large cluster
/// named by a phrase is an initiative, an identifier shared by all is an entity, anything
/// else a subsystem.
pub(crate) fn guess_tier(texts: &[&str], evidence: &[String]) -> Tier {
    let n = texts.len();
    if evidence.iter().any(|e| tier::is_infrastructure_evidence(e)) {
        return Tier::Infrastructure;
    }
    // Templated: the entries read alike once code and numbers are masked. The shape of a
    // cluster shows in its first entries; comparing every pair of a cluster of hundreds
    // would cost more than the clustering.
    let masked: Vec<String> = texts.iter().take(TIER_SAMPLE).map(|t| mask(t)).collect();
    let mut sum = 0.0;
    let mut pairs = 0;
    for i in 0..masked.len() {
        // Performance: every pair is compared, so each text is prepared once for a
        // bit-parallel distance (the same values as `strsim::normalized_levenshtein`).
        let pattern = Pattern::new(&masked[i]);
        for m in &masked[i + 1..] {
            sum += pattern.normalized_similarity(m);
            pairs += 1;
        }
    }
    if pairs > 0 && sum / f64::from(pairs) >= 0.6 {
        return Tier::Pattern;
    }
    let phrase = evidence.iter().any(|e| e.contains(' '));
    if n >= 4 && phrase {
        return Tier::Initiative;
    }
    if evidence.len() == 1
        && !phrase
        && texts
            .iter()
            .all(|t| t.contains('`') || t.chars().any(|c| c.is_uppercase()))
    {
        return Tier::Entity;
    }
    Tier::Subsystem
}

/// Lower-case text with code spans and numbers replaced, for shape comparison.
fn mask(t: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in t.chars() {
        match c {
            '`' => {
                if !in_code {
                    out.push('X');
                }
                in_code = !in_code;
            }
            _ if in_code => {}
            d if d.is_ascii_digit() => {
                if !out.ends_with('0') {
                    out.push('0');
                }
            }
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}
