//! Naming a cluster: a title from the words its entries share, and a tier from its shape.

use std::collections::BTreeMap;

use crate::group::levenshtein::Pattern;
use crate::group::{Context, Tier, quality, text, tier, verbs};

/// The longest phrase a title grows to ([`grown`]).
const MAX_TITLE_WORDS: usize = 4;

/// Every run of up to [`MAX_TITLE_WORDS`] content words an entry writes next to each
/// other, not starting with a verb, and every pair of content words around a dropped
/// stop word (a pair tells what the entries share; a longer phrase is written as is:
/// `prometheus query preset`, never `endpoint prometheus query` of "endpoints for
/// Prometheus query"): the normalised phrase and its spelling as written.
fn phrases(text: &str) -> Vec<(String, String)> {
    let surf = text::surfaces(text);
    let mut out = Vec::new();
    for start in 0..surf.len() {
        // A word written in capitals is a name (`TERMINATED`, a state), not a verb.
        let constant = surf[start].1.chars().all(|c| !c.is_lowercase());
        if verbs::is_verb(&surf[start].0) && !constant {
            continue;
        }
        let (mut key, mut spelled) = (surf[start].0.clone(), surf[start].1.clone());
        out.push((key.clone(), spelled.clone()));
        for k in start + 1..surf.len().min(start + MAX_TITLE_WORDS) {
            let (prev, cur) = (&surf[k - 1], &surf[k]);
            if prev.0 == cur.0 {
                break;
            }
            // Parts of one identifier are spelled together (`VFolder`, not `V Folder`).
            let glue = if cur.2 == prev.2 { "" } else { " " };
            key.push(' ');
            key.push_str(&cur.0);
            spelled.push_str(glue);
            spelled.push_str(&cur.1);
            out.push((key.clone(), spelled.clone()));
            // A word dropped between two (a stop word) ends the phrase; a pair across it
            // still tells what the entries share.
            if cur.2 > prev.2 + 1 {
                break;
            }
        }
    }
    out
}

/// A title from the most distinctive words the members share, spelled as written, and
/// the normalised words used (the group's evidence). Component names never title a group.
pub(crate) fn title_for(texts: &[&str], ctx: &Context) -> (String, Vec<String>) {
    let n = texts.len();
    // phrase → (members containing it, surface spellings)
    let mut coverage: BTreeMap<String, (usize, BTreeMap<String, usize>)> = BTreeMap::new();
    for t in texts {
        let mut counted: Vec<String> = Vec::new();
        for (f, s) in phrases(t) {
            // A phrase seen before is found without a copy of its text.
            let entry = match coverage.get_mut(&f) {
                Some(entry) => entry,
                None => coverage.entry(f.clone()).or_default(),
            };
            if !counted.contains(&f) {
                entry.0 += 1;
                counted.push(f);
            }
            match entry.1.get_mut(&s) {
                Some(n) => *n += 1,
                None => {
                    entry.1.insert(s, 1);
                }
            }
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
    let min_cover = 2.max(n.div_ceil(3)).min(n);
    // The group's evidence: a word or a pair of words.
    let mut ranked: Vec<(f64, String)> = coverage
        .iter()
        .filter(|(f, (c, _))| *c >= min_cover && f.matches(' ').count() < 2 && !component(f))
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
    let Some(chosen) = ranked
        .iter()
        .map(|(_, f)| f)
        .find(|f| !quality::is_unfit_title(&spell(f), texts))
        .cloned()
    else {
        // Nothing but component names in common: keep them as evidence so the shared
        // rules dissolve the group.
        let shared: Vec<String> = coverage
            .iter()
            .filter(|(f, (c, _))| *c >= min_cover && !f.contains(' '))
            .map(|(f, _)| f.clone())
            .collect();
        return ("Related Changes".into(), shared);
    };
    let title = spell(&grown(&chosen, &coverage, min_cover, |f| {
        !quality::is_unfit_title(&spell(f), texts)
    }));
    (title, vec![chosen])
}

/// The phrase the entries write around `chosen`, as a maintainer names a topic
/// (`Prometheus Query Preset`, not `Preset`): a word before or after is taken while most
/// of the entries holding the phrase so far write it too (and at least `min_cover`), up
/// to [`MAX_TITLE_WORDS`] words, and the longer phrase still reads as a title.
fn grown(
    chosen: &str,
    coverage: &BTreeMap<String, (usize, BTreeMap<String, usize>)>,
    min_cover: usize,
    fits: impl Fn(&str) -> bool,
) -> String {
    let mut phrase = chosen.to_string();
    while phrase.split(' ').count() < MAX_TITLE_WORDS {
        let held = coverage.get(&phrase).map_or(0, |c| c.0);
        let longer = coverage
            .iter()
            .filter(|(f, (c, _))| {
                *c * 2 > held
                    && *c >= min_cover
                    && f.split(' ').count() == phrase.split(' ').count() + 1
                    && (f.starts_with(&format!("{phrase} ")) || f.ends_with(&format!(" {phrase}")))
            })
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.0.cmp(a.0)))
            .map(|(f, _)| f.clone());
        match longer {
            Some(f) if fits(&f) => phrase = f,
            _ => break,
        }
    }
    phrase
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::Corpus;

    #[test]
    fn a_title_is_the_phrase_the_entries_write_around_their_topic() {
        let texts = [
            "Add Prometheus query preset DB schema",
            "Implement Prometheus query preset repository layer",
            "Add REST API endpoints for Prometheus query presets",
            "Add GraphQL API for query preset admin operations",
        ];
        let mut all = texts.to_vec();
        all.extend([
            "Fix agent heartbeat",
            "Add session history",
            "Fix kernel leak",
        ]);
        let ctx = Context::new(Corpus::new(all.iter().copied()), vec![], &[], 2);
        let (title, evidence) = title_for(&texts, &ctx);
        assert_eq!(title, "Prometheus Query Preset");
        // The evidence stays the shared word or pair the cluster was ranked by.
        assert_eq!(evidence.len(), 1);
        assert!(evidence[0].split(' ').count() <= 2, "{evidence:?}");
        // Never across a dropped word: "endpoints for Prometheus" is no phrase.
        assert!(
            !phrases("REST API endpoints for Prometheus query")
                .iter()
                .any(|(k, _)| k.contains("endpoint prometheus query"))
        );
    }
}
