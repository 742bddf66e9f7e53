//! From the project to a consolidated section and back: read the changelog and the
//! fragments, fold and group, and write the result in place of the rc sections.

use std::path::PathBuf;

use super::fold::{Consolidation, fold};
use super::grouped::{Grouped, corpus, group, history};
use crate::changelog::{Changelog, Release};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::group::{self, Context};
use crate::version::Version;

/// The changelog with the section in place of the rc sections (or above them with
/// `keep_rc`), every other byte as it was.
pub fn apply(
    changelog: &Changelog,
    consolidation: &Consolidation,
    release: &Release,
    keep_rc: bool,
) -> Changelog {
    let mut out = changelog.clone();
    match (keep_rc, consolidation.sections.first()) {
        (true, Some(&first)) => out.insert(first, release),
        (false, Some(_)) => {
            out.replace(&consolidation.sections, release);
        }
        (_, None) => {
            // No rc sections: the section goes where a new release goes, on top.
            out.insert(0, release);
        }
    }
    out
}

/// Everything needed to show or write a consolidated section.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The changelog file.
    pub path: PathBuf,
    /// The changelog as it is now (empty when the file does not exist yet).
    pub changelog: Changelog,
    pub grouped: Grouped,
    /// Every fragment file that was an input (stale ones included): all are consumed.
    pub fragments: Vec<PathBuf>,
}

/// Read the changelog and the fragments, fold, and group as `settings` say.
pub fn prepare(
    config: &Config,
    version: &Version,
    date: &str,
    settings: &group::Settings,
) -> Result<Prepared> {
    // Build the strategy first: a bad rules or labels file is reported before anything else.
    let grouper = group::build(settings)?;
    let tc = &config.towncrier;
    let path = crate::towncrier::changelog_path(config, version.as_str(), &tc.name, date)?;
    let changelog = match Changelog::read_with(&path, Some(&tc.start_string))? {
        Some(log) => {
            log.check(&path)?;
            log
        }
        None => Changelog::parse(""),
    };
    let set = crate::fragments::discover(config)?;
    if let Some(unknown) = set.unknown.first() {
        return Err(unknown.to_error(config));
    }
    let fragment_section = if set.fragments.is_empty() {
        None
    } else {
        let text =
            crate::towncrier::render_section(config, &set, version.as_str(), date, Some(&tc.name))?;
        let parsed = Changelog::parse_with(&text, None);
        let release = parsed.releases().first().cloned().ok_or_else(|| {
            Error::Usage(format!(
                "the section built from the fragments with {} is not a Markdown section \
                 (`## <version> (<date>)` with `### <category>` headings); consolidation needs a Markdown changelog",
                tc.template.display_name()
            ))
        })?;
        check_fragments_read_back(config, &set, &release, &text)?;
        Some(release)
    };
    let folded = fold(
        &changelog,
        &path,
        fragment_section.as_ref(),
        version,
        date,
        &config.category_order(),
    )?;
    let ctx = Context::new(
        corpus(&changelog, &folded),
        history(&changelog, &folded.sections),
        &settings.components,
        settings.min_group_size,
    );
    let grouped = group(folded, grouper.as_ref(), &settings.categories, &ctx)?;
    Ok(Prepared {
        path,
        changelog,
        grouped,
        fragments: set.fragments.iter().map(|f| f.path.clone()).collect(),
    })
}

/// Every fragment must come back from the rendered section as an entry of its category:
/// a template whose output the changelog model cannot read would otherwise lose entries
/// silently (the fragments are deleted afterwards).
fn check_fragments_read_back(
    config: &Config,
    set: &crate::fragments::FragmentSet,
    release: &Release,
    text: &str,
) -> Result<()> {
    for f in &set.fragments {
        let Some(ty) = config.towncrier.types.get(&f.kind) else {
            continue;
        };
        let Ok(issue) = f.issue.parse::<u64>() else {
            continue;
        };
        if !ty.showcontent {
            continue;
        }
        let found = release
            .category(&ty.name)
            .is_some_and(|c| c.all_entries().any(|e| e.prs.contains(&issue)));
        if !found {
            return Err(Error::Usage(format!(
                "{}: #{issue} is missing from the section rendered with {} when it is read back \
                 as Markdown; the template must put each entry on a `* ` (or `- `) bullet under a \
                 `### {}` heading. Rendered section:\n{}",
                f.path.display(),
                config.towncrier.template.display_name(),
                ty.name,
                text.lines().take(12).collect::<Vec<_>>().join("\n")
            )));
        }
    }
    Ok(())
}

/// Write `release` in place of the rc sections, stage the changelog, and remove the
/// consumed fragments (unless `keep_fragments`).
pub fn write(
    prepared: &Prepared,
    release: &Release,
    keep_rc: bool,
    keep_fragments: bool,
    repo: Option<&crate::git::Repo>,
) -> Result<()> {
    let updated = apply(
        &prepared.changelog,
        &prepared.grouped.consolidation,
        release,
        keep_rc,
    );
    updated.write(&prepared.path)?;
    if let Some(repo) = repo {
        repo.add(&[&prepared.path])?;
    }
    if !keep_fragments {
        crate::towncrier::remove_fragments(repo, &prepared.fragments)?;
    }
    Ok(())
}

/// Human-readable notes about what was dropped and why.
pub fn report(c: &Consolidation) -> Vec<String> {
    let mut out = c.warnings.clone();
    let prs = crate::changelog::pr_list;
    for d in &c.duplicates {
        out.push(format!(
            "{} in {}: listed in {} and in {}; kept the text from {}",
            prs(&d.prs),
            d.category,
            d.dropped_from,
            d.kept_from,
            d.kept_from
        ));
    }
    for s in &c.stale {
        out.push(format!(
            "{} in {} from {} is already released in `{}`: left out (a fragment consumed twice?)",
            prs(&s.prs),
            s.category,
            s.from,
            s.released_in
        ));
    }
    out
}
