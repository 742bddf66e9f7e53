//! From the project to a consolidated section and back: read the changelog and the
//! fragments, fold and group, and write the result in place of the rc sections.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::fold::{Consolidation, LeftOutReason, fold_consumed};
use super::fragment_files::{check_fragment_files, check_fragment_texts, repository_root};
use super::grouped::{Grouped, corpus, group_with_history, history, past_releases};
use super::ledger::Ledger;
use super::read_back::{Unheaded, check_fragments_read_back};
use crate::changelog::{Changelog, RefFormat, Release};
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
    let at = place(changelog, consolidation);
    if keep_rc {
        out.insert(at, release);
    } else {
        out.replace_at(&consolidation.sections, at, release);
    }
    out
}

/// Where the section goes: where the first rc section stands (on top without one, where a
/// new release goes) — but above the releases right above it that version order puts
/// below this one, in a changelog kept newest first (a patch of an older line, cut with
/// `--allow-downgrade` while the rcs were pending, went on top).
fn place(changelog: &Changelog, consolidation: &Consolidation) -> usize {
    let Some(&first) = consolidation.sections.first() else {
        return 0;
    };
    // Kept oldest first, the newest release is the lowest: the last rc section's place.
    if !super::released::newest_first(changelog, &consolidation.sections) {
        return consolidation
            .sections
            .iter()
            .copied()
            .max()
            .unwrap_or(first);
    }
    let releases = changelog.releases();
    let mut at = first;
    while at > 0
        && releases[at - 1]
            .version()
            .is_some_and(|v| *v < consolidation.version)
    {
        at -= 1;
    }
    at
}

/// What the work tree holds beyond its index, taken before and after the grouping command
/// runs: every path that keeps it from being clean (untracked files one by one), whether it
/// is untracked, and a hash of its content; and a hash of the index itself.
struct WorkTree {
    paths: BTreeMap<String, (bool, Option<u64>)>,
    index: Option<u64>,
}

fn content_hash(path: &Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    std::fs::read(path).ok().map(|bytes| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        h.finish()
    })
}

/// The work tree as [`WorkTree`] says; `None` outside a git repository (nothing is
/// committed there).
fn work_tree(root: &Path) -> Result<Option<WorkTree>> {
    let Ok(repo) = crate::git::Repo::discover(root) else {
        return Ok(None);
    };
    let index = content_hash(&repo.index_path());
    let mut paths: Vec<(String, bool)> = repo
        .dirty_paths()?
        .into_iter()
        .filter(|p| p.kind != crate::git::DirtyKind::Untracked)
        .map(|p| (p.path, false))
        .collect();
    paths.extend(repo.untracked_files()?.into_iter().map(|p| (p, true)));
    let paths = paths
        .into_iter()
        .map(|(path, untracked)| {
            let hash = content_hash(&root.join(&path));
            (path, (untracked, hash))
        })
        .collect();
    Ok(Some(WorkTree { paths, index }))
}

/// Refuse when the grouping command changed the work tree or the index, naming what it
/// changed, and remove nothing: a file that appeared while it ran may be the user's (saved
/// from an editor meanwhile), and one it made look untracked (by changing `.gitignore`,
/// `info/exclude` or the index) was there before. What to undo is the user's call.
fn check_untouched(
    before: &WorkTree,
    after: Option<WorkTree>,
    settings: &group::Settings,
) -> Result<()> {
    let (after, index_changed) = match after {
        Some(after) => {
            let changed = after.index != before.index;
            (after.paths, changed)
        }
        None => (BTreeMap::new(), true),
    };
    let changed: BTreeSet<&String> = before
        .paths
        .iter()
        .filter(|(path, v)| after.get(*path) != Some(v))
        .chain(
            after
                .iter()
                .filter(|(path, v)| before.paths.get(*path) != Some(v)),
        )
        .map(|(path, _)| path)
        .collect();
    if changed.is_empty() && !index_changed {
        return Ok(());
    }
    let (new, other): (Vec<&str>, Vec<&str>) = changed
        .iter()
        .map(|p| p.as_str())
        .partition(|p| !before.paths.contains_key(*p) && after.get(*p).is_some_and(|(u, _)| *u));
    let shown = |paths: &[&str]| {
        let mut out = paths
            .iter()
            .take(20)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if paths.len() > 20 {
            out.push_str(&format!(" and {} more", paths.len() - 20));
        }
        out
    };
    let mut what = String::new();
    if index_changed {
        what.push_str("; it changed the index (`git status` shows how)");
    }
    if !new.is_empty() {
        what.push_str(&format!("; new untracked files: {}", shown(&new)));
    }
    if !other.is_empty() {
        what.push_str(&format!("; changed: {}", shown(&other)));
    }
    Err(Error::Refused(format!(
        "the grouping command `{}` changed the work tree, so its grouping is not used and \
         nothing was written (what it leaves would go into the release){what}. git-release \
         removed nothing: undo what is the command's. Make it write its files outside the \
         repository, or to an ignored path",
        settings.command.as_deref().unwrap_or_default(),
    )))
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
    /// The inputs, which the section must account for before it is written.
    pub ledger: Ledger,
    /// How the project writes PR references (a reviewed section is read with it).
    pub refs: RefFormat,
    /// The blank lines the project's template writes around the section's parts.
    pub layout: super::Layout,
}

/// Read the changelog and the fragments, fold, and group as `settings` say.
/// A changelog of several towncrier sections (`## Web` / `### Features` under each
/// release) is what `build` writes as towncrier does; a release reads its section back, and
/// a final folds its rc sections, as one list per category: refused up front, naming the
/// setting and the way that works.
pub fn check_one_section(config: &Config, version: &Version) -> Result<()> {
    let sections = &config.towncrier.sections;
    if sections.len() <= 1 && sections.keys().all(|name| name.is_empty()) {
        return Ok(());
    }
    if let [name] = sections.keys().collect::<Vec<_>>()[..] {
        return Err(config.towncrier_source.error(
            "section",
            format!(
                "names its one changelog section `{name}`, which towncrier writes as a heading \
                 above the categories (the categories one level deeper), but a release reads \
                 its section back (and a final folds its rc sections) with the categories right \
                 under the release; remove the section's `name` (or the `[[tool.towncrier.\
                 section]]` table), or build this one with `git release build {version}`"
            ),
        ));
    }
    Err(config.towncrier_source.error(
        "section",
        format!(
            "configures {} changelog sections ({}), which `git release build` writes as \
             towncrier does, but a release reads its section back (and a final folds its rc \
             sections) as one list per category; build this one with `git release build \
             {version}`, or configure no sections",
            sections.len(),
            sections
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

/// Consolidation reads Markdown only: a reStructuredText changelog (towncrier's default
/// `NEWS.rst`; the one decision, `changelog::project_is_rst`, the release's too) is refused
/// before anything is read, saying what works — the release writes its final as towncrier
/// builds it (`SectionForm::AsBuilt`).
fn check_markdown(config: &Config, version: &Version) -> Result<()> {
    if !crate::changelog::project_is_rst(config) {
        return Ok(());
    }
    let filename = &config.towncrier.filename;
    Err(config.towncrier_source.error(
        "filename",
        format!(
            "is `{filename}`, a reStructuredText changelog: consolidation folds and groups \
             sections git-release reads only in Markdown. `git release {version}` writes this \
             final's section as towncrier builds it (its pre-release sections left as \
             published), or move the changelog to Markdown (`filename = \"CHANGELOG.md\"` and a \
             Markdown template)"
        ),
    ))
}

pub fn prepare(
    config: &Config,
    version: &Version,
    date: &str,
    settings: &group::Settings,
) -> Result<Prepared> {
    // The grouping command runs in the repository root.
    let settings = &group::Settings {
        command_dir: Some(repository_root(config)),
        ..settings.clone()
    };
    // Build the strategy first: a bad rules or labels file is reported before anything else.
    let grouper = group::build(settings)?;
    let tc = &config.towncrier;
    check_one_section(config, version)?;
    check_markdown(config, version)?;
    let refs = RefFormat::new(tc.issue_format.as_deref());
    let path = crate::towncrier::changelog_path(config, version.as_str(), &tc.name, date)?;
    // Pre-releases written to files of their own (a file per release) are not folded.
    super::rc_files::check_folded_here(config, version, &path)?;
    let changelog = Changelog::read_project(&path, Some(&tc.start_string), &refs)?
        .unwrap_or_else(|| Changelog::parse_project("", None, &refs));
    // Published history is spared the checks of form (said once per kind); the rest refuses.
    let history_warnings = changelog.check_release(&path, version)?;
    check_fragment_files(config, &repository_root(config))?;
    let set = crate::fragments::discover(config)?;
    if let Some(unknown) = set.unknown.first() {
        return Err(unknown.to_error(config));
    }
    check_fragment_texts(config, &set)?;
    // The heading towncrier would write for this version, even without fragments (with
    // none, a template that cannot render them is no error here).
    let rendered =
        crate::towncrier::render_section(config, &set, &version.spelled(), date, Some(&tc.name));
    let title = match &rendered {
        Ok(text) => Changelog::parse_project(text, None, &refs)
            .releases()
            .first()
            .map(|r| r.title().to_string()),
        Err(_) => None,
    };
    // The template's layout, as its rendering of the new fragments shows it.
    let mut layout = None;
    // Without fragments, the rendering is towncrier's section for none.
    let (fragment_section, for_none) = if set.fragments.is_empty() {
        (None, Some(rendered))
    } else {
        let text = rendered?;
        layout = super::Layout::of_section(&text, false);
        let parsed = Changelog::parse_project(&text, None, &refs);
        let release = parsed.releases().first().cloned();
        if release.is_none() {
            // A template that renders nothing (or no title) for the fragments drops them.
            check_fragments_read_back(config, &set, None, &text, &refs, Unheaded::Refused)?;
        }
        let release = release.ok_or_else(|| {
            Error::Usage(format!(
                "the section built from the fragments with {} is not a Markdown section \
                 (`## <version> (<date>)` with `### <category>` headings); consolidation needs a Markdown changelog",
                tc.template.display_name()
            ))
        })?;
        check_fragments_read_back(
            config,
            &set,
            Some(&release),
            &text,
            &refs,
            Unheaded::Refused,
        )?;
        (Some(release), None)
    };
    // Fragments an earlier release consumed (the same file, come back): stale whatever
    // the released entry says now.
    let consumed = super::consumed::consumed_entries(
        config,
        &set,
        &changelog,
        &path,
        version.as_str(),
        date,
        &refs,
    )?;
    let mut folded = fold_consumed(
        &changelog,
        &path,
        fragment_section.as_ref(),
        version,
        date,
        &config.category_order(),
        &consumed,
    )?;
    folded.title = title;
    if let (true, Some(rendered)) = (folded.categories.is_empty(), for_none) {
        // towncrier's section for none, laid out as its template writes it.
        layout = rendered
            .as_ref()
            .ok()
            .and_then(|text| super::Layout::of_section(text, false));
        with_no_entries(&mut folded, rendered, &refs)?;
    }
    folded.warnings.splice(0..0, history_warnings);
    folded
        .warnings
        .extend(check_rule_categories(config, settings, &folded)?);
    let ctx = Context::new(
        corpus(&changelog, &folded),
        history(&changelog, &folded.sections),
        &settings.components,
        settings.min_group_size,
    );
    let ledger = Ledger::with_consumed(
        &changelog,
        &folded.sections,
        fragment_section.as_ref(),
        &consumed,
    );
    // Only the external command reads the history in this form; it is not built otherwise.
    let past = if settings.strategy == group::Strategy::Command {
        past_releases(&changelog, &folded.sections)
    } else {
        Vec::new()
    };
    // The grouping command must leave the work tree as it found it: a file it writes would
    // end up in the release commit (or be left behind by a dry run).
    let root = repository_root(config);
    let before = if settings.strategy == group::Strategy::Command {
        work_tree(&root)?
    } else {
        None
    };
    // Without new fragments, the template's layout as the newest rc section shows it.
    let layout = layout
        .or_else(|| super::Layout::of_rc_sections(&changelog, &folded.sections))
        .unwrap_or_default()
        .with_between_from(&changelog);
    let grouped = group_with_history(folded, grouper.as_ref(), &settings.categories, &ctx, &past)?;
    if let Some(before) = before {
        check_untouched(&before, work_tree(&root)?, settings)?;
    }
    check_no_defined_label(&changelog, &path, &grouped)?;
    // What is printed or written must account for every input.
    ledger.balance(&grouped.consolidation, &grouped.release())?;
    ledger.balance_view(&grouped.consolidation, &grouped.view())?;
    ledger.check_text(&grouped.release(), &refs)?;
    Ok(Prepared {
        path,
        changelog,
        grouped,
        fragments: set.fragments.iter().map(|f| f.path.clone()).collect(),
        ledger,
        refs,
        layout,
    })
}

/// A final whose inputs list no entry at all — its pre-release sections towncrier's text
/// for none (`No significant changes.`), no fragment — gets towncrier's section for none:
/// the rc sections' text for no entries carried once (each rc's said, the ledger holds it),
/// or, when they hold none (a bare heading), the template's rendering for no fragments.
/// Text an rc carries besides (an upgrade note) is the section's text as it is for any
/// final. The fold refuses inputs whose every entry is stale before this.
fn with_no_entries(
    folded: &mut Consolidation,
    rendered: Result<String>,
    refs: &RefFormat,
) -> Result<()> {
    if !folded.description.is_empty() {
        return Ok(());
    }
    let (boilerplate, left_out): (Vec<_>, Vec<_>) = std::mem::take(&mut folded.left_out)
        .into_iter()
        .partition(|l| l.reason == LeftOutReason::Boilerplate);
    folded.left_out = left_out;
    for l in boilerplate {
        let prose = super::Prose {
            from: l.from,
            at: l.at,
            text: l.text,
        };
        super::fold::push_prose(&mut folded.description, prose);
    }
    if !folded.description.is_empty() {
        return Ok(());
    }
    let text = rendered?;
    let parsed = Changelog::parse_project(&text, None, refs);
    let Some(text) = parsed
        .releases()
        .first()
        .and_then(|r| r.description.clone())
    else {
        return Err(Error::Refused(format!(
            "nothing to consolidate for {}: its pre-release sections ({}) list nothing, there \
             are no new fragments, and the template renders no text for none; add a news \
             fragment for it (`towncrier create`), or write the section by hand",
            folded.version,
            folded.section_versions.join(", ")
        )));
    };
    folded.description.push(super::Prose {
        from: super::Source::Fragments,
        at: "towncrier's section for no fragments".into(),
        text,
    });
    Ok(())
}

/// The rules file's `categories` (a rule applies only there) against the categories the
/// release can have: towncrier's types' names and the rc sections' categories, in any case
/// (as a rule matches them). A near miss of one (`Featurez`), or a type's directory
/// (`feature`: rules match the category's name), would keep the rule from ever applying:
/// refused, naming the rule and the category meant. Another name, or any in a learned
/// rule, is a warning.
fn check_rule_categories(
    config: &Config,
    settings: &group::Settings,
    folded: &Consolidation,
) -> Result<Vec<String>> {
    let Some(path) = &settings.rules else {
        return Ok(Vec::new());
    };
    let file = group::rules::RulesFile::load(path)?;
    let mut known = config.category_order();
    known.extend(folded.categories.iter().map(|c| c.name.clone()));
    let shown = known
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut warnings = Vec::new();
    for rule in &file.rules {
        for c in &rule.spec.categories {
            if known.iter().any(|k| k.eq_ignore_ascii_case(c)) {
                continue;
            }
            let by_dir = config
                .towncrier
                .types
                .iter()
                .find(|(dir, _)| dir.eq_ignore_ascii_case(c.trim()))
                .map(|(_, t)| &t.name);
            let meant =
                by_dir.or_else(|| known.iter().find(|k| crate::config::near_miss(c.trim(), k)));
            let what = format!(
                "group `{}`: `categories` holds \"{c}\", which is no category of this release \
                 ({shown})",
                rule.spec.title
            );
            // A learned rule (evidence, written by `rules learn` from the history, whose
            // categories may since have been renamed) is warned about only.
            match meant.filter(|_| !rule.spec.learned) {
                Some(meant) => {
                    return Err(Error::Rules {
                        path: path.clone(),
                        message: format!(
                            "{what}, so the group would never apply to it; did you mean \
                             \"{meant}\"? (a rule names a category as its heading does)"
                        ),
                    });
                }
                None => warnings.push(format!("{}: {what}", path.display())),
            }
        }
    }
    Ok(warnings)
}

/// No group title or description holds a shortcut reference (`[docs]`) to a label the
/// changelog defines (`[docs]: https://…`, a footer's): definitions are document-wide, so
/// it would be published as a link, which a title or description may not hold
/// ([`group::inline::check`], which cannot see the changelog, lets `[docs]` pass as text).
fn check_no_defined_label(changelog: &Changelog, path: &Path, grouped: &Grouped) -> Result<()> {
    // The changelog's definitions (a read of its whole text) are looked for only when a
    // title or description holds a shortcut reference at all.
    let shortcut = grouped
        .categories
        .iter()
        .flat_map(|c| c.grouping.iter().flat_map(|g| &g.groups))
        .any(|g| {
            [&g.title, &g.description]
                .iter()
                .any(|t| !group::inline::shortcut_labels(t).is_empty())
        });
    if !shortcut {
        return Ok(());
    }
    let defined = changelog.link_definitions();
    if defined.is_empty() {
        return Ok(());
    }
    for c in &grouped.categories {
        for g in c.grouping.iter().flat_map(|g| &g.groups) {
            for (key, text) in [("title", &g.title), ("description", &g.description)] {
                let Some((label, line)) = group::inline::shortcut_labels(text)
                    .into_iter()
                    .find_map(|l| {
                        let line = defined.get(&crate::changelog::label_key(&l));
                        line.map(|&line| (l, line))
                    })
                else {
                    continue;
                };
                return Err(Error::Refused(format!(
                    "the group \"{}\" of {} ({}) has a {key} that cannot be published: it holds \
                     `[{label}]`, which {}:{line} defines as a link (`[{label}]: …`), so it \
                     would be shown as a link. A title or description is one line of plain text; fix it \
                     where it comes from (without the brackets, or escaped: `\\[{label}\\]`). \
                     Nothing was written",
                    group::inline::quoted(&g.title),
                    c.name,
                    group::inline::quoted(&g.reason),
                    path.display(),
                )));
            }
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
    // The section written must account for every input, whatever happened to it since it
    // was prepared (a review, a caller's edit).
    prepared
        .ledger
        .check_reviewed(&prepared.grouped.consolidation, release)?;
    prepared.ledger.check_text(release, &prepared.refs)?;
    check_unchanged(prepared)?;
    // A file without a release yet takes the template's heading level, as towncrier writes it.
    let level = match prepared.changelog.releases().is_empty() {
        true => prepared.layout.level.unwrap_or(updated.level()),
        false => updated.level(),
    };
    let text = super::layout::relayout(&updated, release, &prepared.layout, level);
    crate::atomic::write(&prepared.path, text.as_bytes())?;
    if let Some(repo) = repo {
        repo.add(&[&prepared.path])?;
    }
    if !keep_fragments {
        crate::towncrier::remove_fragments(repo, &prepared.fragments)?;
    }
    Ok(())
}

/// Refuse to write when the changelog on disk is no longer the one the section was
/// prepared from (edited while the review was open, or by a step): writing would silently
/// drop that edit. Nothing is written; the reviewed draft is kept for `--resume`.
fn check_unchanged(prepared: &Prepared) -> Result<()> {
    let now = match std::fs::read(&prepared.path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(&prepared.path, e)),
    };
    if now == prepared.changelog.as_str().as_bytes() {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "{} changed after it was read for this section (an edit while the review was open?), \
         so the section was not written and that edit is kept; a reviewed draft is kept too. \
         Run `git release continue` (or `git release consolidate --resume`) to reopen it and \
         write the section into the changelog as it is now",
        prepared.path.display()
    )))
}

/// An entry's text as a note quotes it: its first 60 characters.
fn short(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Human-readable notes about what was dropped and why.
pub fn report(c: &Consolidation) -> Vec<String> {
    let mut out = c.warnings.clone();
    let prs = crate::changelog::pr_list;
    // An entry without PR is named by its text (an empty PR label would read "note:  in").
    let label = |numbers: &[u64], text: &str| match numbers.is_empty() {
        true => format!("\"{}\"", short(text)),
        false => prs(numbers),
    };
    for d in &c.duplicates {
        if d.kept_from == d.dropped_from {
            out.push(format!(
                "{} in {}: the same entry is listed twice in {}; kept once",
                label(&d.prs, &d.kept_text),
                d.category,
                d.kept_from
            ));
            continue;
        }
        out.push(format!(
            "{} in {}: \"{}\" from {} replaced by \"{}\" from {}",
            label(&d.prs, &d.kept_text),
            d.category,
            short(&d.dropped_text),
            d.dropped_from,
            short(&d.kept_text),
            d.kept_from
        ));
    }
    for u in &c.unpaired {
        out.push(format!(
            "{} in {}: \"{}\" from {} kept: no text of {} for {} pairs with it",
            label(&u.prs, &u.text),
            u.category,
            short(&u.text),
            u.from,
            u.newer,
            prs(&u.prs)
        ));
    }
    for s in &c.stale {
        let what = label(&s.prs, &s.text);
        out.push(match s.superseded {
            true => format!(
                "{} in {} from {}, \"{}\", is listed in newer words by `{}`, released since: left out",
                what,
                s.category,
                s.from,
                short(&s.text),
                s.released_in
            ),
            false => format!(
                "{} in {} from {} is already released in `{}`: left out (a fragment consumed twice?)",
                what, s.category, s.from, s.released_in
            ),
        });
    }
    for o in &c.overlaps {
        let listings: Vec<String> = o
            .entries
            .iter()
            .map(|l| {
                let text: String = l.text.chars().take(60).collect();
                let others: Vec<u64> = l.prs.iter().copied().filter(|&p| p != o.pr).collect();
                if others.is_empty() {
                    format!("\"{text}\" (from {})", l.from)
                } else {
                    format!("\"{text}\" (with {}, from {})", prs(&others), l.from)
                }
            })
            .collect();
        out.push(format!(
            "#{} in {} is listed by {} entries, all kept: {}; merge them in the review if they \
             are one change",
            o.pr,
            o.category,
            o.entries.len(),
            listings.join(" and ")
        ));
    }
    for l in &c.left_out {
        // What a comment says, not its markers.
        let said = l.text.replace("<!--", "").replace("-->", "");
        let first: String = said
            .lines()
            .find(|t| !t.trim().is_empty())
            .unwrap_or_default()
            .chars()
            .take(60)
            .collect();
        out.push(match l.reason {
            LeftOutReason::Comment => format!(
                "{}: the comment `{}` in {} is not published in {} (with --keep-rc it stays in \
                 the rc section)",
                l.at,
                first.trim(),
                l.from,
                c.version
            ),
            LeftOutReason::Boilerplate => format!(
                "{}: `{}` in {} is towncrier's text for no entries: left out of {}",
                l.at,
                first.trim(),
                l.from,
                c.version
            ),
        });
    }
    let carried =
        c.description
            .iter()
            .map(|p| (p, String::new()))
            .chain(c.categories.iter().flat_map(|cat| {
                cat.description
                    .iter()
                    .chain(&cat.footer)
                    .map(move |p| (p, format!(" (under `{}`)", cat.name)))
            }));
    // What the fragments' template writes besides entries is expected; an rc's text is news.
    // Link definitions are not news either.
    let news = |p: &super::Prose| {
        p.from != super::Source::Fragments
            && !p.text.lines().all(super::fold::is_link_definition)
            && !super::fold::is_boilerplate(&p.text)
    };
    for (p, under) in carried.filter(|(p, _)| news(p)) {
        let first: String = p
            .text
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(60)
            .collect();
        out.push(format!(
            "{}: the text `{}` from {} is carried into {}{under}",
            p.at,
            first.trim(),
            p.from,
            c.version
        ));
    }
    out
}
