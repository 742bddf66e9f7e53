//! Folding a final release's rc sections and new fragments into one section.
//!
//! Inputs, oldest first: every `## <VERSION>rcN`/`aN`/`bN` section of the changelog, then
//! the section built from the new fragments. Per category, a newer input's texts for a PR
//! set already taken replace the older texts they pair with (one each, best match): the
//! duplicates are reported, older texts no newer one pairs with are kept. An entry whose
//! PR number *and* text (without PR: its text) an earlier release already lists, or that
//! comes from a fragment file an earlier release consumed, is stale (a fragment left behind
//! and consumed twice): it is reported and left out. The same number with another text in
//! a new file is kept (old changelogs reuse numbers; a follow-up). Nothing else is dropped: every
//! input entry ends up in the output exactly once, or in the report.

mod consumed;
mod crossed;
mod fold;
mod form;
mod fragment_files;
mod grouped;
mod layout;
mod learn;
mod ledger;
mod pair;
mod prepare;
mod published;
mod rc_files;
mod read_back;
mod released;

pub use consumed::{Consumed, ConsumedEntry, consumed};
pub use fold::{
    Consolidation, Duplicate, FoldedCategory, LeftOut, LeftOutReason, Listing, Overlap, Prose,
    Source, Stale, Unpaired, fold, near_miss,
};
pub use form::SectionForm;
pub use fragment_files::{check_fragment_files, check_fragment_texts, repository_root};
pub use grouped::{
    CategoryOut, GroupOut, Grouped, GroupedCategory, ItemOut, SectionView, corpus, group,
    group_with_history, history, past_releases,
};
pub use layout::Layout;
pub use learn::{
    check_output as check_rules_output, grouped_sections, learn_rules, pending_categories,
};
pub use ledger::{Identity, Item, Ledger, Mismatch, compare, compare_reviewed};
pub use prepare::{Prepared, apply, check_one_section, prepare, report, write};
pub use published::{Carried, read_back, references, well_formed};
pub use rc_files::{RcFile, check_folded_here, rc_files};
pub use read_back::{Unheaded, check_fragments_read_back};

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::changelog::Changelog;
    use crate::group::{self, Context};
    use crate::version::Version;

    const LOG: &str = "# Changes\n\n<!-- towncrier release notes start -->\n\n\
## 2.0.0rc2 (2026-02-10)\n\n### Features\n* Add B again ([#2](u/2))\n* Add C ([#3](u/3))\n\n### Fixes\n* Fix old thing ([#1](u/1))\n\n\n\
## 2.0.0rc1 (2026-02-01)\n\n### Features\n* Add B ([#2](u/2))\n* Add A ([#4](u/4))\n\n\n\
## 1.9.0 (2026-01-01)\n\n### Fixes\n* Fix old thing ([#1](u/1))\n* Fix reused number ([#3](u/3))\n";

    fn order() -> Vec<String> {
        vec!["Features".into(), "Fixes".into()]
    }

    #[test]
    fn folds_dedups_and_catches_stale_entries() {
        let log = Changelog::parse(LOG);
        let frag = Changelog::parse("## 2.0.0 (2026-03-01)\n\n### Features\n* Add D ([#5](u/5))\n");
        let v = Version::parse("2.0.0").unwrap();
        let c = fold(
            &log,
            Path::new("CHANGELOG.md"),
            frag.releases().first(),
            &v,
            "2026-03-01",
            &order(),
        )
        .unwrap();
        assert_eq!(c.section_versions, ["2.0.0rc2", "2.0.0rc1"]);
        let features: Vec<(Vec<u64>, &str)> = c.categories[0]
            .entries
            .iter()
            .map(|(e, _)| (e.prs.clone(), e.text.as_str()))
            .collect();
        assert_eq!(
            features,
            [
                (vec![2], "Add B again"),
                (vec![3], "Add C"),
                (vec![4], "Add A"),
                (vec![5], "Add D")
            ]
        );
        // #2 was in both rcs: the newest text won, and it is reported.
        assert_eq!(c.duplicates.len(), 1);
        assert_eq!(
            c.duplicates[0].kept_from,
            Source::Section("2.0.0rc2".into())
        );
        // #1 with the same text is already in 1.9.0: stale. #3 reuses a number: kept.
        assert_eq!(c.stale.len(), 1);
        assert_eq!(c.stale[0].prs, [1]);
        assert!(c.categories.iter().all(|c| c.name != "Fixes"));
    }

    #[test]
    fn replaces_rc_sections_in_place_and_keeps_the_rest() {
        let log = Changelog::parse(LOG);
        let v = Version::parse("2.0.0").unwrap();
        let c = fold(
            &log,
            Path::new("CHANGELOG.md"),
            None,
            &v,
            "2026-03-01",
            &order(),
        )
        .unwrap();
        let grouped = group(
            c,
            &group::similarity::Similarity::default(),
            &[],
            &Context::default(),
        )
        .unwrap();
        let out = apply(&log, &grouped.consolidation, &grouped.release(), false);
        let text = out.to_string();
        assert!(text.starts_with(
            "# Changes\n\n<!-- towncrier release notes start -->\n\n## 2.0.0 (2026-03-01)\n"
        ));
        assert!(!text.contains("rc1") && !text.contains("rc2"));
        assert!(text.ends_with("## 1.9.0 (2026-01-01)\n\n### Fixes\n* Fix old thing ([#1](u/1))\n* Fix reused number ([#3](u/3))\n"));
        let kept = apply(&log, &grouped.consolidation, &grouped.release(), true).to_string();
        assert!(kept.find("## 2.0.0 (").unwrap() < kept.find("## 2.0.0rc2").unwrap());
    }

    #[test]
    fn the_project_name_of_the_rc_headings_is_kept() {
        let log = Changelog::parse("# demo 1.1.0rc1 (2026-02-01)\n\n## Features\n\n- Add A (#1)\n");
        let v = Version::parse("1.1.0").unwrap();
        let c = fold(&log, Path::new("NEWS.md"), None, &v, "2026-03-01", &order()).unwrap();
        let grouped = group(
            c,
            &group::similarity::Similarity::default(),
            &[],
            &Context::default(),
        )
        .unwrap();
        assert_eq!(grouped.release().title(), "demo 1.1.0 (2026-03-01)");
    }

    #[test]
    fn refuses_when_there_is_nothing_or_it_exists() {
        let log = Changelog::parse(LOG);
        let err = fold(
            &log,
            Path::new("C.md"),
            None,
            &Version::parse("3.0.0").unwrap(),
            "d",
            &order(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("nothing to consolidate"), "{err}");
        let err = fold(
            &log,
            Path::new("C.md"),
            None,
            &Version::parse("1.9.0").unwrap(),
            "d",
            &order(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("C.md:") && err.to_string().contains("already has"),
            "{err}"
        );
        let err = fold(
            &log,
            Path::new("C.md"),
            None,
            &Version::parse("2.0.0rc3").unwrap(),
            "d",
            &order(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("pre-release"), "{err}");
    }
}
