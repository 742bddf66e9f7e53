//! `git release rules learn`: the grouped history of the project's changelogs (and their
//! earlier versions) turned into a rules file.

use std::collections::HashSet;

use crate::changelog::Changelog;
use crate::config::Config;
use crate::group::{self, learn};

/// Learn rules from `changelogs` (their texts; the first is the current changelog, whose
/// pending pre-release sections give the topics of the release being made). Sections and
/// entries read twice (the same file in several versions) count once.
pub fn learn_rules(config: &Config, changelogs: &[String]) -> learn::Learned {
    let start = Some(config.towncrier.start_string.as_str());
    let mut sections = Vec::new();
    let mut texts = Vec::new();
    let mut seen_entries = HashSet::new();
    let mut seen_sections = HashSet::new();
    for text in changelogs {
        let log = Changelog::parse_with(text, start);
        for r in log.releases() {
            for e in r.entries() {
                if seen_entries.insert((r.title().to_string(), e.text.clone())) {
                    texts.push(e.text.clone());
                }
            }
        }
        for s in learn::grouped_sections(&log) {
            let titles: Vec<&str> = s.groups.iter().map(|g| g.title.as_str()).collect();
            let key = (s.release.clone(), s.category.clone(), titles.join("|"));
            if seen_sections.insert(key) {
                sections.push(s);
            }
        }
    }
    // The pending topics come from the current changelog (its pre-release sections),
    // with word rarity from everything read.
    let current = Changelog::parse_with(changelogs.first().map_or("", String::as_str), start);
    let c = &config.release.consolidate;
    let pending = learn::pending_categories(&current, &c.categories);
    let ctx = group::Context::new(
        group::Corpus::new(texts.iter().map(String::as_str)),
        Vec::new(),
        &c.components,
        c.min_group_size,
    );
    learn::learn(&sections, &pending, &texts, &ctx)
}
