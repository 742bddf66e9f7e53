//! A PR listed in more than one category of the folded release. A PR may well have
//! fragments of several types (a feature and its fix), so both are kept; but a PR that an
//! rc section lists under one category and a newer input under another most likely moved
//! (its fragment re-typed after the rc), and the reader would see it twice. Said, so that
//! the review can drop the older one.

use std::collections::BTreeMap;

use super::fold::{FoldedCategory, Source};

/// One note per PR listed under two or more categories from different inputs.
pub(crate) fn notes(categories: &[FoldedCategory]) -> Vec<String> {
    // PR → (category, source) of each listing, in category order.
    let mut listed: BTreeMap<u64, Vec<(&str, &Source)>> = BTreeMap::new();
    for c in categories {
        for (entry, source) in &c.entries {
            for &pr in &entry.prs {
                let at = listed.entry(pr).or_default();
                if !at.iter().any(|(name, s)| *name == c.name && *s == source) {
                    at.push((&c.name, source));
                }
            }
        }
    }
    listed
        .into_iter()
        .filter(|(_, at)| {
            let crossed = at.iter().any(|(a, _)| at.iter().any(|(b, _)| a != b));
            let from_several = at.iter().any(|(_, s)| at.iter().any(|(_, t)| s != t));
            crossed && from_several
        })
        .map(|(pr, at)| {
            let places: Vec<String> = at
                .iter()
                .map(|(name, source)| format!("{name} (from {})", from(source)))
                .collect();
            format!(
                "#{pr} is listed under {}: both are kept (a PR may have changes of several \
                 kinds); if it moved between categories, delete the older listing in the review",
                places.join(" and ")
            )
        })
        .collect()
}

fn from(source: &Source) -> String {
    match source {
        Source::Section(v) => v.clone(),
        Source::Fragments => "a fragment".into(),
    }
}
