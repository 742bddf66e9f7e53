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
            // "A and B: both", "A, B and C: all".
            let listed = match places.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => places.join(""),
            };
            format!(
                "{} is listed under {listed}: {} kept (a PR may have changes of several \
                 kinds); if it moved between categories, delete the older listing in the review",
                crate::changelog::Issue(pr),
                if places.len() == 2 {
                    "both are"
                } else {
                    "all are"
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changelog::Entry;

    fn category(name: &str, version: &str) -> FoldedCategory {
        FoldedCategory {
            name: name.into(),
            entries: vec![(
                Entry::parse("* Moved ([#7](u/7))", 0),
                Source::Section(version.into()),
            )],
            description: Vec::new(),
            footer: Vec::new(),
        }
    }

    #[test]
    fn a_pr_in_two_or_three_categories_is_said_once_with_every_place() {
        let two = notes(&[category("Features", "1.0rc1"), category("Fixes", "1.0rc2")]);
        assert_eq!(two.len(), 1);
        assert!(
            two[0].contains("Features (from 1.0rc1) and Fixes (from 1.0rc2): both are kept"),
            "{two:?}"
        );
        let three = notes(&[
            category("Features", "1.0rc1"),
            category("Fixes", "1.0rc2"),
            category("Docs", "1.0rc3"),
        ]);
        assert!(
            three[0].contains(
                "Features (from 1.0rc1), Fixes (from 1.0rc2) and Docs (from 1.0rc3): all are kept"
            ),
            "{three:?}"
        );
    }
}
