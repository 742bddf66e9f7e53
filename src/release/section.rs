//! The changelog step's plan, worked out in pre-flight: a final's consolidated section, or
//! the section towncrier builds from the fragments (without the stale ones).

use std::path::{Path, PathBuf};

use super::plan::StaleEntry;
use super::request::Request;
use crate::changelog::{Changelog, Release as Section};
use crate::config::Config;
use crate::consolidate::{self, Prepared};
use crate::error::Result;
use crate::fragments::{self, FragmentSet};
use crate::version::Version;

/// What the changelog step will do, worked out in pre-flight.
pub(super) struct SectionPlan {
    pub(super) form: consolidate::SectionForm,
    pub(super) changelog: PathBuf,
    pub(super) section: Option<Section>,
    pub(super) unread_section: Option<(usize, usize)>,
    pub(super) fragment_files: Vec<PathBuf>,
    pub(super) rc_sections: Vec<String>,
    pub(super) stale: Vec<StaleEntry>,
    pub(super) group_count: usize,
    pub(super) prepared: Option<Prepared>,
}

/// The entries and categories of towncrier's section of `set`: fragments of one category
/// with the same text are one entry.
fn count_entries(set: &fragments::FragmentSet) -> (usize, usize) {
    let entries: std::collections::BTreeSet<(&str, &str, &str)> = set
        .fragments
        .iter()
        .map(|f| (f.section.as_str(), f.kind.as_str(), f.content.trim()))
        .collect();
    let categories: std::collections::BTreeSet<(&str, &str)> =
        entries.iter().map(|(s, k, _)| (*s, *k)).collect();
    (entries.len(), categories.len())
}

/// The changelog: a final release folds its rc sections and the fragments; a pre-release
/// gets a flat section from the fragments.
pub(super) fn plan_section(
    config: &Config,
    version: &Version,
    request: &Request,
    form: Result<consolidate::SectionForm>,
) -> Result<SectionPlan> {
    let tc = &config.towncrier;
    let date = &request.date;
    let form = form?;
    if form.consolidates() {
        let prepared = consolidate::prepare(config, version, date, &request.grouping(config))?;
        if request.no_edit {
            crate::review::check_unreviewed(config, &prepared)?;
        }
        let stale = prepared
            .grouped
            .consolidation
            .stale
            .iter()
            .map(|s| StaleEntry {
                // An entry without PR is named by its text.
                prs: match s.prs.is_empty() {
                    true => vec![format!(
                        "\"{}\"",
                        s.text.chars().take(60).collect::<String>()
                    )],
                    false => s
                        .prs
                        .iter()
                        .map(|&n| crate::changelog::Issue(n).to_string())
                        .collect(),
                },
                released_in: s.released_in.to_string(),
            })
            .collect();
        return Ok(SectionPlan {
            form,
            changelog: prepared.path.clone(),
            section: Some(prepared.grouped.release()),
            unread_section: None,
            fragment_files: prepared.fragments.clone(),
            rc_sections: prepared.grouped.consolidation.section_versions.clone(),
            stale,
            group_count: prepared.grouped.group_count(),
            prepared: Some(prepared),
        });
    }
    // The fragments a pre-release publishes are checked as a final release's are.
    consolidate::check_one_section(config, version)?;
    consolidate::check_fragment_files(config, &consolidate::repository_root(config))?;
    let set = fragments::discover(config)?;
    if let Some(u) = set.unknown.first() {
        return Err(u.to_error(config));
    }
    consolidate::check_fragment_texts(config, &set)?;
    fragments::check_showable(&set)?;
    let path = crate::towncrier::changelog_path(config, &version.spelled(), &tc.name, date)?;
    let fragment_files: Vec<PathBuf> = set.fragments.iter().map(|f| f.path.clone()).collect();
    let (kept, stale) = without_stale(config, &set, version, date, &path)?;
    let mut unread_section = None;
    let section = match built_section(config, &set, &kept, version, date)? {
        None => None,
        Some(plan) => {
            let refs = crate::changelog::RefFormat::new(tc.issue_format.as_deref());
            let section = Changelog::parse_project(&plan.section, None, &refs)
                .releases()
                .first()
                .cloned();
            // A Markdown section must list every fragment it consumes, once, as a final's
            // must (a template that leaves a category or an entry out would lose it). A
            // section that is not Markdown (reStructuredText) is written as towncrier
            // writes it. towncrier's section for no fragments lists no entry, and is read
            // back all the same: zero planned, zero written.
            // A section not read as a release (reStructuredText, no title) must show each
            // fragment all the same: a template that renders nothing for them would lose
            // them (refused here, before anything is written, not at the release commit).
            consolidate::check_fragments_read_back(
                config,
                &kept,
                section.as_ref(),
                &plan.section,
                &refs,
                consolidate::Unheaded::WrittenAsRendered,
            )?;
            match &section {
                Some(release) => {
                    crate::towncrier::check_section_read_back(config, &plan, release)?;
                }
                None => unread_section = Some(count_entries(&kept)),
            }
            section
        }
    };
    Ok(SectionPlan {
        form,
        changelog: path,
        section,
        unread_section,
        fragment_files,
        rc_sections: Vec::new(),
        stale,
        group_count: 0,
        prepared: None,
    })
}

/// towncrier's section of the fragments not stale (`kept`, of `all` found), as the
/// changelog step builds it, and the changelog with it: the one decision whether a section
/// built from the fragments is written. None when every fragment is stale (they are
/// removed, nothing is listed: the plan's `Stale:` line says them), or when there is no
/// fragment at all and the template renders nothing for none (`title_format = false` and an
/// empty template). With no fragment at all, towncrier's section for none is written, as
/// `towncrier build` writes it (`No significant changes.` in its templates).
pub(crate) fn built_section(
    config: &Config,
    all: &FragmentSet,
    kept: &FragmentSet,
    version: &Version,
    date: &str,
) -> Result<Option<crate::towncrier::BuildPlan>> {
    if kept.fragments.is_empty() && !all.fragments.is_empty() {
        return Ok(None);
    }
    let name = Some(config.towncrier.name.as_str());
    let build = crate::towncrier::plan(config, kept, &version.spelled(), date, name)?;
    if kept.fragments.is_empty() && build.section.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(build))
}

/// The fragments minus the stale ones (an entry an earlier release already lists: by PR
/// number and text, or by text for an entry without PR; or a fragment file an earlier
/// release consumed, found in git's history), and a description of those left out.
pub(crate) fn without_stale(
    config: &Config,
    set: &FragmentSet,
    version: &Version,
    date: &str,
    changelog: &Path,
) -> Result<(FragmentSet, Vec<StaleEntry>)> {
    let Some(log) = Changelog::read_with(changelog, Some(&config.towncrier.start_string))? else {
        return Ok((set.clone(), Vec::new()));
    };
    if set.fragments.is_empty() {
        return Ok((set.clone(), Vec::new()));
    }
    let mut released = std::collections::HashMap::new();
    // A section marked unreleased (`## 1.5.0 (unreleased)`) lists nothing released.
    for r in log.releases().iter().filter(|r| !r.is_unreleased()) {
        for e in r.entries() {
            for key in e.stale_keys() {
                released.entry(key).or_insert_with(|| r.title().to_string());
            }
        }
    }
    // Fragments an earlier release consumed (the same file, come back): stale whatever
    // the released entry says now (a review may have reworded it).
    let consumed = crate::consolidate::consumed(config, set, &log, changelog)?;
    let mut kept = set.clone();
    let mut left_out = Vec::new();
    let mut index = 0;
    kept.fragments.retain(|f| {
        index += 1;
        let consumed_by = consumed
            .iter()
            .find(|c| c.index == index - 1)
            .map(|c| &c.released_in);
        let single = FragmentSet {
            fragments: vec![f.clone()],
            unknown: Vec::new(),
            sections: set.sections.clone(),
        };
        let text =
            crate::towncrier::render_section(config, &single, &version.spelled(), date, None)
                .unwrap_or_default();
        let parsed = Changelog::parse_with(&text, None);
        let Some(entry) = parsed
            .releases()
            .first()
            .and_then(|r| r.entries().next().cloned())
        else {
            return true;
        };
        match entry
            .stale_keys()
            .find_map(|key| released.get(&key))
            .or(consumed_by)
        {
            Some(title) => {
                // Two fragments of one PR with one text are one entry (towncrier renders
                // them once), in the count and the list, as in a final release's plan.
                let stale = StaleEntry {
                    // An orphan fragment is named by its file.
                    prs: vec![match f.issue.as_str() {
                        "" => f
                            .path
                            .file_name()
                            .map_or_else(|| entry.text.clone(), |n| n.to_string_lossy().into()),
                        issue => format!("#{issue}"),
                    }],
                    released_in: title.clone(),
                };
                if !left_out.contains(&stale) {
                    left_out.push(stale);
                }
                false
            }
            None => true,
        }
    });
    Ok((kept, left_out))
}

/// A section read back that the changelog step wrote listing no entry (towncrier's
/// section for none; a final's of pre-releases that listed none) is held to that, as
/// [`super::guard::check_section_entries`] holds one with entries (it skips a section of
/// none recorded): an entry added by hand while the release was stopped is not one of this
/// release, and stops it before its commit. A section git-release does not read back is
/// held by its text (`unread`).
pub(super) fn check_no_entry_added(
    config: &Config,
    plan: &super::plan::Plan,
    state: &super::state::State,
) -> Result<()> {
    let planned_none = state
        .planned_entries
        .as_ref()
        .is_some_and(|p| p.prs.is_empty() && p.unnamed == 0 && p.unread.is_none());
    if !state.section || !state.section_entries.is_empty() || !planned_none {
        return Ok(());
    }
    let mut now = super::guard::section_entries(config, plan)?.unwrap_or_default();
    // An entry under no category (a list item right under the release heading) too.
    let start = Some(config.towncrier.start_string.as_str());
    if let Some(log) = Changelog::read_with(&plan.changelog, start)? {
        if let Some(k) = log.find(&plan.version) {
            let loose = log.releases()[k].loose_entries();
            now.extend(loose.iter().map(|e| format!("\"{}\"", e.normalized_text())));
        }
    }
    if now.is_empty() {
        return Ok(());
    }
    Err(crate::error::Error::Step {
        step: "commit".into(),
        message: format!(
            "the {} section of {} was written listing no entry (towncrier's section for no \
             fragments), and was edited since: {} {} not an entry of this release. Remove \
             {} (a change for the next release goes in a news fragment), then `git release \
             continue`; or `git release abort`",
            plan.version,
            plan.changelog.display(),
            now.join("; "),
            if now.len() == 1 { "is" } else { "are" },
            if now.len() == 1 { "it" } else { "them" },
        ),
    })
}
