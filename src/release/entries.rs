//! What the release must publish, each entry once, whoever writes its section.
//!
//! Pre-flight plans the section (a pre-release's rendered from its fragments, a final's
//! folded from the pre-release sections and the fragments, and grouped); the state records
//! how many entries of it name each PR ([`Planned`]). Before the release commit, the section
//! in the changelog — written by the changelog step, run again after a stop, reviewed, or
//! written by hand and taken as done with `continue --skip` — must still hold as many: an
//! entry dropped is lost once its fragment's removal is committed, one listed twice is
//! published twice. Counting by PR, not by key, lets a review reword, regroup, merge or
//! split entries (the review's own ledger holds it to each entry once).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Reporter;
use super::plan::Plan;
use super::section::{built_section, without_stale};
use super::state::State;
use super::unread::{Unread, references};
use crate::changelog::{Changelog, Entry, RefFormat, Release};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::fragments::{self, FragmentSet};
use crate::git::Repo;
use crate::towncrier::BuildPlan;
use crate::version::Version;

/// How many entries of the planned section name each PR, and how many name none.
///
/// A section the release does not read back as a release — reStructuredText, or Markdown
/// without a title (`title_format = false`) — is counted by its text instead: `prs` holds
/// how many references to each PR it makes (as the project's `issue_format` writes them),
/// and `before` how many the rest of the changelog makes, so that the section's are what
/// the changelog holds beyond those. One count, for every changelog the build writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    pub prs: BTreeMap<u64, usize>,
    pub unnamed: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<BTreeMap<u64, usize>>,
    /// Where such a section lies and what of it is counted by text, so that it is counted
    /// in its own text after the steps (a state written before it had `before` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<Unread>,
    /// The issues named by text among `prs`, as written (`PROJ-12`): a later process reads
    /// the keys only, and would say a name it did not read again as a hash.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<u64, String>,
}

/// What a pre-release's changelog step builds: the fragment files it consumes, and the
/// changelog with its section (`None` when every fragment is stale, or a template renders
/// nothing for no fragment: no section; see [`built_section`]).
pub(crate) fn pre_release_build(
    config: &Config,
    plan: &Plan,
) -> Result<(Vec<PathBuf>, Option<BuildPlan>)> {
    let (files, built) = pre_release_build_from(config, plan)?;
    Ok((files, built.map(|(build, _)| build)))
}

/// A pre-release's section as its changelog step builds it, with the fragments (not stale)
/// it is built from.
type Built = (BuildPlan, FragmentSet);

/// [`pre_release_build`], with the fragments (not stale) the section is built from.
fn pre_release_build_from(config: &Config, plan: &Plan) -> Result<(Vec<PathBuf>, Option<Built>)> {
    let set = fragments::discover(config)?;
    // As the user wrote it, its `v` kept when the project's versions have one (pre-flight).
    let (version, date) = (&plan.version, &plan.request.date);
    let (kept, _) = without_stale(config, &set, version, date, &plan.changelog)?;
    let files: Vec<PathBuf> = set.fragments.iter().map(|f| f.path.clone()).collect();
    let build = built_section(config, &set, &kept, version, date)?;
    Ok((files, build.map(|build| (build, kept))))
}

/// The counts of a section read back as a release, or else of its text (see [`Planned`]).
pub(crate) fn counts_of_build(config: &Config, section: &str) -> Planned {
    let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
    match Changelog::parse_project(section, None, &refs)
        .releases()
        .first()
    {
        Some(release) => Planned::of(release),
        None => Planned {
            prs: references(&refs, section),
            ..Planned::default()
        },
    }
}

/// A pre-release's planned counts when pre-flight could not read its section (see
/// [`Planned`]), taken when the release starts: the section built as the step will build
/// it, and the changelog it will write. `None` for a section pre-flight read.
pub(crate) fn unread(config: &Config, plan: &Plan) -> Result<Option<Planned>> {
    if plan.section.is_some() || plan.unread_section.is_none() {
        return Ok(None);
    }
    let Some((build, kept)) = pre_release_build_from(config, plan)?.1 else {
        return Ok(None);
    };
    let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
    let prs = references(&refs, &build.section);
    let all = references(&refs, &build.text);
    let before = prs
        .iter()
        .map(|(pr, n)| (*pr, all.get(pr).copied().unwrap_or(0).saturating_sub(*n)))
        .collect();
    let unread = Unread::of_build(&build, &kept, prs.is_empty());
    Ok(Some(
        Planned {
            prs,
            unnamed: 0,
            before: Some(before),
            unread: Some(unread),
            names: BTreeMap::new(),
        }
        .named(),
    ))
}

impl Planned {
    /// The counts of a section; `None` when the plan has none it can read (no section, or
    /// one written as reStructuredText).
    pub(crate) fn of_plan(plan: &Plan) -> Option<Planned> {
        plan.section.as_ref().map(Planned::of)
    }

    pub(crate) fn of(release: &Release) -> Planned {
        let mut counts = Planned::default();
        for entry in release.categories.iter().flat_map(|c| c.all_entries()) {
            let prs = entry.pr_set();
            if prs.is_empty() {
                counts.unnamed += 1;
            }
            let mut seen = prs;
            seen.dedup();
            for pr in seen {
                *counts.prs.entry(pr).or_default() += 1;
            }
        }
        counts.named()
    }

    /// These counts with the names of their issues named by text (see [`Planned::names`]).
    fn named(mut self) -> Planned {
        self.names = (self.prs.keys().copied())
            .filter(|&k| crate::changelog::is_name(k))
            .map(|k| (k, crate::changelog::issue_name(k)))
            .collect();
        self
    }

    /// The names of the issues these counts know, known again in this process, so that
    /// messages say them as written.
    fn remember_names(&self) {
        for name in self.names.values() {
            crate::changelog::issue_key(name);
        }
    }

    /// What the section `now` lost or lists too often against these counts, one phrase
    /// each; empty when it holds them all.
    /// `strict`: each PR as many times as counted (a section written or edited by hand);
    /// else only none missing (the section the changelog step wrote, whose review may
    /// merge or split a PR's listings under its own ledger).
    /// Of the fragments `gone` from the work tree, those whose entries `now` lacks: named by
    /// a PR it lists less often than planned (`12.fix.md`), or by none while an entry naming
    /// none is missing; all of them when no name tells.
    /// A file is told by the issue its name gives among those planned, by the key the
    /// section's references are counted by ([`crate::changelog::file_issue`]): `PROJ-12`
    /// as well as `12`.
    fn fragments_missing(&self, now: &Planned, gone: &[String]) -> Vec<String> {
        let unnamed_lost = self.unnamed > now.unnamed;
        let lacks = |f: &&String| {
            let name = Path::new(f.as_str())
                .file_name()
                .map(|n| n.to_string_lossy());
            let planned = |key: u64| self.prs.contains_key(&key);
            let pr = name.and_then(|n| crate::changelog::file_issue(&n, planned));
            let listed = |counts: &Planned, pr: u64| counts.prs.get(&pr).copied().unwrap_or(0);
            match pr {
                Some(pr) => listed(now, pr) < listed(self, pr),
                None => unnamed_lost,
            }
        };
        let named: Vec<String> = gone.iter().filter(lacks).cloned().collect();
        if named.is_empty() {
            gone.to_vec()
        } else {
            named
        }
    }

    fn against(&self, now: &Planned, strict: bool) -> Vec<String> {
        self.remember_names();
        let mut wrong = Vec::new();
        for (pr, &n) in &self.prs {
            let pr = crate::changelog::Issue(*pr);
            match now.prs.get(&pr.0).copied().unwrap_or(0) {
                0 => wrong.push(format!("{pr} is missing")),
                _ if !strict => {}
                m if m > n => wrong.push(format!("{pr} is listed {m} times")),
                m if m < n => wrong.push(format!("{pr} is listed {m} of {n} times")),
                _ => {}
            }
        }
        // An entry naming no PR is known by its words only, which a review may change: its
        // count may not drop, except for one that came to name a PR of its own.
        let named_since = now.prs.keys().filter(|p| !self.prs.contains_key(p)).count();
        let lost = self.unnamed.saturating_sub(now.unnamed + named_since);
        if lost > 0 && (strict || now.unnamed == 0) {
            wrong.push(format!("{lost} of the entries naming no PR are missing"));
        }
        wrong
    }
}

/// The counts of the section the changelog step wrote (reviewed: the review's ledger held
/// it), for a plan that had some: what a later hand edit is held to.
pub(crate) fn written(
    config: &Config,
    plan: &Plan,
    planned: Option<&Planned>,
) -> Result<Option<Planned>> {
    let Some(planned) = planned else {
        return Ok(None);
    };
    if planned.before.is_some() {
        // Counted in its text: what the step wrote is the count of the words entries
        // naming no PR have (one reworded while the release was stopped is written anew).
        let mut planned = planned.clone();
        if let Some(unread) = planned.unread.as_mut() {
            let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
            unread.written(&changelog_text(plan)?, plan.version.as_str(), &refs);
        }
        return Ok(Some(planned));
    }
    Ok(Some(
        section_now(config, plan)?.map_or_else(|| planned.clone(), |r| Planned::of(&r)),
    ))
}

/// The counts of the section the changelog step is about to write (`now`; none when it
/// writes none), before anything is written or removed: a fragment removed while the
/// release was stopped would leave its entry out while the release commit took its
/// removal. A final's lists every planned PR (its review may merge or split a PR's
/// listings, under its own ledger); a pre-release's, rendered as pre-flight rendered the
/// plan, each as often as planned (one of a PR's two fragments removed is an entry lost).
/// `gone`: the consumed fragments missing from the work tree, named in the refusal with
/// the command that puts them back.
pub(crate) fn check_building(
    plan: &Plan,
    planned: Option<&Planned>,
    now: &Planned,
    gone: &[String],
) -> Result<()> {
    let Some(planned) = planned else {
        return Ok(());
    };
    let wrong = planned.against(now, !plan.form.consolidates());
    if wrong.is_empty() {
        return Ok(());
    }
    let gone = planned.fragments_missing(now, gone);
    let put_back = match gone.as_slice() {
        [] => format!("`git checkout {} -- <fragment>`", plan.base_commit),
        _ => format!("`git checkout {} -- {}`", plan.base_commit, gone.join(" ")),
    };
    Err(Error::Step {
        step: "changelog".into(),
        message: format!(
            "the {} section would not list each of the release's entries: {} (a fragment \
             removed or renamed while the release was stopped?); nothing was written. Put it \
             back ({put_back}) and `git release continue`; or `git release abort`",
            plan.version,
            wrong.join("; "),
        ),
    })
}

/// The consumed fragments (`state.fragments`) missing from the work tree, relative to it.
pub(crate) fn gone(repo: &Repo, state: &State) -> Vec<String> {
    state
        .fragments
        .iter()
        .filter(|f| Path::new(f).symlink_metadata().is_err())
        .map(|f| repo.relative_path(Path::new(f)))
        .collect()
}

/// The counts of the release's section in the changelog now (`None`: no section found):
/// read as pre-flight read the plan's, or in the section's own text (see [`Unread`]), or —
/// for a state recorded before that — by the references the changelog makes beyond those
/// it held before (see [`Planned`]).
fn counts_now(config: &Config, plan: &Plan, planned: &Planned) -> Result<Option<Planned>> {
    let Some(before) = &planned.before else {
        return Ok(section_now(config, plan)?.map(|r| Planned::of(&r)));
    };
    let text = changelog_text(plan)?;
    let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
    if let Some(unread) = &planned.unread {
        let found = unread.found(&text, plan.version.as_str(), &refs);
        return Ok(found.ok().map(|f| Planned {
            prs: f.prs,
            ..Planned::default()
        }));
    }
    let all = references(&refs, &text);
    let prs = planned
        .prs
        .keys()
        .map(|pr| {
            let held = all.get(pr).copied().unwrap_or(0);
            (
                *pr,
                held.saturating_sub(before.get(pr).copied().unwrap_or(0)),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    Ok(Some(Planned {
        prs,
        ..Planned::default()
    }))
}

/// The changelog's text now (empty when it is gone).
fn changelog_text(plan: &Plan) -> Result<String> {
    match plan.changelog.symlink_metadata() {
        Ok(_) => crate::files::read_text(&plan.changelog),
        Err(_) => Ok(String::new()),
    }
}

/// What a section counted in its own text (see [`Unread`]) lost or lists too often of its
/// entries counted by their words; or why the section cannot be found.
fn wrong_by_text(config: &Config, plan: &Plan, planned: &Planned) -> Result<Vec<String>> {
    let Some(unread) = &planned.unread else {
        return Ok(Vec::new());
    };
    let text = changelog_text(plan)?;
    let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
    Ok(match unread.found(&text, plan.version.as_str(), &refs) {
        Ok(found) => unread.wrong(&found),
        Err(why) => vec![format!("its entries cannot be counted: {why}")],
    })
}

/// The release's section in the changelog now, read as pre-flight read the plan's.
fn section_now(config: &Config, plan: &Plan) -> Result<Option<Release>> {
    let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
    let start = Some(config.towncrier.start_string.as_str());
    let log = Changelog::read_project(&plan.changelog, start, &refs)?;
    Ok(log.and_then(|log| log.find(&plan.version).map(|k| log.releases()[k].clone())))
}

/// What the release's section in the changelog lost or lists too often against the
/// planned counts (`None` when it holds each entry once, or nothing was planned): said as
/// "the 1.4.0 section of CHANGELOG.md does not list each of the release's entries once:
/// #303 is missing".
pub(crate) fn unpublished(
    config: &Config,
    plan: &Plan,
    planned: Option<&Planned>,
) -> Result<Option<String>> {
    let Some(planned) = planned else {
        return Ok(None);
    };
    let by_text = wrong_by_text(config, plan, planned)?;
    let mut wrong = match counts_now(config, plan, planned)? {
        Some(now) => planned.against(&now, true),
        None if *planned == Planned::default() => Vec::new(),
        // Not found: `by_text` says why.
        None if planned.unread.is_some() => Vec::new(),
        None => vec!["the section is missing".to_string()],
    };
    wrong.extend(by_text);
    Ok((!wrong.is_empty()).then(|| {
        format!(
            "the {} section of {} does not list each of the release's entries once: {}",
            plan.version,
            plan.changelog.display(),
            wrong.join("; "),
        )
    }))
}

/// [`unpublished`] before the release commit: the release stops, nothing committed.
/// `gone`: the consumed fragments missing from the work tree that a run again of the
/// changelog step would not put back (removed by `git release build` or by hand): the
/// advice to undo the section names them, or the step run again would find nothing to
/// build the section from.
pub(crate) fn check_published(
    config: &Config,
    plan: &Plan,
    planned: Option<&Planned>,
    gone: &[String],
) -> Result<()> {
    let Some(wrong) = unpublished(config, plan, planned)? else {
        return Ok(());
    };
    let gone = match (planned, gone) {
        (Some(planned), [_, ..]) => {
            let now = counts_now(config, plan, planned)?;
            planned.fragments_missing(&now.unwrap_or_default(), gone)
        }
        _ => Vec::new(),
    };
    let undo = match gone.as_slice() {
        [] => format!(
            "`git checkout HEAD -- {}`",
            super::plan::shell_quote(&plan.changelog.to_string_lossy())
        ),
        _ => format!(
            "`git checkout HEAD -- {}`, and put back the fragments it consumed: `git checkout \
             {} -- {}`",
            super::plan::shell_quote(&plan.changelog.to_string_lossy()),
            plan.base_commit,
            gone.iter()
                .map(|g| super::plan::shell_quote(g))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    };
    Err(Error::Step {
        step: "commit".into(),
        message: format!(
            "{wrong}; the release commit, which removes the consumed fragments, would lose or \
             repeat them. Mend the section (`git show {}:<fragment>` shows a removed \
             fragment's text), or undo it ({undo}) and let `git release continue` write it \
             again; or `git release abort`",
            plan.base_commit,
        ),
    })
}

/// The consumed fragments gone from the work tree that the changelog step, run again,
/// would not put back (see [`restore_consumed`]): all of them, unless its record holds
/// every one.
pub(crate) fn gone_for_good(repo: &Repo, state: &State) -> Vec<String> {
    let gone = gone(repo, state);
    let recorded = |f: &String| {
        state
            .removed_fragments
            .iter()
            .any(|(r, _)| repo.relative_path(Path::new(r)) == *f)
    };
    match gone.iter().all(recorded) {
        true => Vec::new(),
        false => gone,
    }
}

/// The words of each entry of the pre-release sections a final folds, by its PRs (entries
/// naming none are left to the ledger), as the changelog holds them: what pre-flight read.
pub(crate) fn rc_words(changelog: &Changelog, versions: &[String]) -> Vec<(String, String)> {
    rc_entries(changelog, versions, false)
        .into_iter()
        .map(|(key, entry)| (key, entry.normalized_text()))
        .collect()
}

/// Each entry naming a PR of the pre-release sections a final folds, keyed by its PRs and
/// its section: `#1, #2 (1.4.0rc1)`. With `kept` (`--keep-rc`), an entry whose PRs a later
/// pre-release lists again is left out: the final publishes the later words, and the
/// earlier section, kept, keeps a correction of its own words (folded away without
/// `--keep-rc`, that correction must be carried or refused like any other).
fn rc_entries(changelog: &Changelog, versions: &[String], kept: bool) -> Vec<(String, Entry)> {
    let mut versions: Vec<Version> = versions
        .iter()
        .filter_map(|v| Version::parse(v).ok())
        .collect();
    versions.sort();
    let mut by_version: Vec<(Version, Vec<Entry>)> = Vec::new();
    for version in versions {
        let Some(k) = changelog.find(&version) else {
            continue;
        };
        let mut entries = Vec::new();
        for entry in changelog.releases()[k]
            .categories
            .iter()
            .flat_map(|c| c.all_entries())
        {
            if !entry.pr_set().is_empty() {
                entries.push(entry.clone());
            }
        }
        by_version.push((version, entries));
    }
    let mut found = Vec::new();
    for (i, (version, entries)) in by_version.iter().enumerate() {
        for entry in entries {
            let prs = entry.pr_set();
            let later = by_version[i + 1..]
                .iter()
                .any(|(_, es)| es.iter().any(|e| e.pr_set() == prs));
            if !(kept && later) {
                // By section too: a PR an rc2 lists again in newer words is not reworded.
                found.push((format!("{} ({version})", pr_key(&prs)), entry.clone()));
            }
        }
    }
    found
}

/// The pre-release entries reworded in the changelog since pre-flight read them (`read`):
/// each with the words it was read in, when they can be told. Per section and PR set, the
/// words read that no entry holds now are paired, in order, with the entries whose words
/// were not read (two entries of one section may name the same PRs: a correction of the
/// second is never paired with the first, which still holds its words); an entry in new
/// words with none gone to pair it with (one added) has none.
fn reworded(
    read: &[(String, String)],
    now: Vec<(String, Entry)>,
) -> Vec<(String, Option<&str>, Entry)> {
    // Each key once, in the order the changelog lists it.
    let mut seen = BTreeSet::new();
    let keys: Vec<&String> = now
        .iter()
        .map(|(k, _)| k)
        .filter(|k| seen.insert(*k))
        .collect();
    let mut out = Vec::new();
    for key in keys {
        let entries: Vec<&Entry> = now
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, e)| e)
            .collect();
        let words: Vec<String> = entries.iter().map(|e| e.normalized_text()).collect();
        let was: Vec<&str> = read
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, t)| t.as_str())
            .collect();
        let mut gone = was
            .iter()
            .copied()
            .filter(|t| !words.iter().any(|w| w == t));
        for (entry, w) in entries.into_iter().zip(&words) {
            if !was.is_empty() && !was.contains(&w.as_str()) {
                out.push((key.clone(), gone.next(), entry.clone()));
            }
        }
    }
    out
}

/// Under `--keep-rc` the pre-release sections stay beside the final's, which is folded
/// from the words the review was given: a pre-release entry reworded in the changelog
/// while the review was open (the release stopped in it) is carried into the final's
/// section in its new words — the section's entry of the same PRs still in the old words
/// takes them (its references and place kept). Returns the keys carried, for a note; an
/// entry the review itself reworded is left to [`check_rc_carried`].
pub(crate) fn carry_rc_words(
    read: &[(String, String)],
    changelog: &Changelog,
    versions: &[String],
    refs: &RefFormat,
    section: &mut Release,
) -> Vec<String> {
    let mut carried = Vec::new();
    for (key, then, now) in reworded(read, rc_entries(changelog, versions, true)) {
        // Only an entry paired with the words it replaced is carried: they tell which
        // entry of the section takes the new ones.
        let Some(then) = then else {
            continue;
        };
        let prs = now.pr_set();
        let entries = section.categories.iter_mut().flat_map(|c| {
            c.entries
                .iter_mut()
                .chain(c.subsections.iter_mut().flat_map(|s| s.entries.iter_mut()))
        });
        for entry in entries {
            let old = entry.text.trim();
            if entry.pr_set() != prs
                || entry.normalized_text() != then
                || old.is_empty()
                || !entry.raw.contains(old)
            {
                continue;
            }
            let raw = entry.raw.replacen(old, now.text.trim(), 1);
            *entry = Entry::parse_with(&raw, entry.line, refs);
            carried.push(key.clone());
        }
    }
    carried
}

/// A PR set as messages and keys name it: `#1, #2`.
pub(crate) fn pr_key(prs: &[u64]) -> String {
    crate::changelog::pr_list(prs)
}

/// A pre-release entry reworded in the changelog after pre-flight read it (while the review
/// was open: the release stopped, keeping the edit and the draft) must have its new words
/// in the section the release writes in place of the pre-release sections — or the kept
/// draft, folded from the old words, would write the edit away without a word.
pub(crate) fn check_rc_carried(
    keep_rc: bool,
    read: &[(String, String)],
    changelog: &Changelog,
    versions: &[String],
    section: &str,
) -> Result<()> {
    let squash = super::window::squash;
    let published = squash(section).to_lowercase();
    let mut lost = Vec::new();
    for (key, _, now) in reworded(read, rc_entries(changelog, versions, keep_rc)) {
        if !published.contains(&squash(&now.normalized_text())) {
            lost.push(key);
        }
    }
    if lost.is_empty() {
        return Ok(());
    }
    // Kept, the rc sections keep the edit; the final's section would publish other words.
    let written = match keep_rc {
        true => {
            "the pre-release section keeps it, but the final's section would publish \
                 the old text"
        }
        false => "written, it would replace the edit with the old text",
    };
    Err(Error::Step {
        step: "changelog".into(),
        message: format!(
            "the pre-release entr{} of {} changed in the changelog after the release read \
             {}, and the section does not carry the new words: {written}. Your edit is kept and nothing was written. Carry the new \
             wording into the section (`git release continue` opens the kept draft again), or \
             undo the edit in the changelog, then `git release continue`; or `git release abort`",
            if lost.len() == 1 { "y" } else { "ies" },
            lost.join("; "),
            if lost.len() == 1 { "it" } else { "them" },
        ),
    })
}

/// The issue a fragment's entries reference, by the key the section's references are read
/// with ([`RefFormat::fragment_key`]: a number, or an issue named by text, `PROJ-12`);
/// `None` for an orphan or a name the entries would not read as a reference. Every check
/// that tells a fragment's entries in a section by their references goes through it.
pub(crate) fn fragment_issue(refs: &RefFormat, f: &fragments::Fragment) -> Option<u64> {
    refs.fragment_key(&f.issue)
}

/// A pre-release's fragments added while it was stopped (a fix that belongs in it, the
/// user's hand work) become the release's: a PR one names is planned as often as its
/// fragments there are — a second fragment of a planned PR is listed twice, a renamed one
/// (its old name gone) still once — and held to it up to the release commit. Recorded
/// once: an added fragment joins the release's.
pub(crate) fn take_added(config: &Config, state: &mut State) {
    let Ok(set) = fragments::discover(config) else {
        return;
    };
    let refs = RefFormat::new(config.towncrier.issue_format.as_deref());
    let mut there: BTreeMap<u64, usize> = BTreeMap::new();
    for f in &set.fragments {
        if let Some(pr) = fragment_issue(&refs, f) {
            *there.entry(pr).or_insert(0) += 1;
        }
    }
    for f in &set.fragments {
        let path = f.path.display().to_string();
        if state.fragments.contains(&path) {
            continue;
        }
        if let (Some(planned), Some(pr)) =
            (state.planned_entries.as_mut(), fragment_issue(&refs, f))
        {
            let n = planned.prs.entry(pr).or_insert(0);
            *n = (*n).max(there.get(&pr).copied().unwrap_or(1));
            if crate::changelog::is_name(pr) {
                planned.names.insert(pr, f.issue.clone());
            }
        }
        state.fragments.push(path);
    }
}

/// The fragment files there are that the changelog step may consume: the release's, and
/// the fragments found now (one the user renamed or added while the release was stopped),
/// absolute as `State::fragments` holds them.
pub(crate) fn consumable(config: &Config, state: &State) -> Vec<String> {
    let mut files: BTreeSet<String> = state.fragments.iter().cloned().collect();
    if let Ok(set) = fragments::discover(config) {
        files.extend(set.fragments.iter().map(|f| f.path.display().to_string()));
    }
    present(&files.into_iter().collect::<Vec<_>>())
}

/// Which of `files` are there (a symlink counts).
pub(crate) fn present(files: &[String]) -> Vec<String> {
    files
        .iter()
        .filter(|f| Path::new(f).symlink_metadata().is_ok())
        .cloned()
        .collect()
}

/// The fragments an earlier run of the changelog step removed, restored from the release's
/// base commit (index and work tree) — only while the user has taken none of them in hand:
/// each still gone, and the base commit holding the text the step removed (one edited
/// before the step read it, or one the user renamed or added, would come back as it was
/// not, or not at all). Otherwise nothing is put back and the record is dropped: what the
/// user took in hand is theirs from then on — a later run records only what it removes
/// itself, so a fragment the user had back, then renamed or removed, is never put back by
/// a later undo. The section built from what is there is held to the plan (per PR: an entry
/// moved to another category is still listed once) before anything is written.
/// `there`: the fragment files in the work tree now — any one (put back, renamed, added)
/// shows the fragments taken in hand.
pub(crate) fn restore_consumed(
    repo: &Repo,
    reporter: &dyn Reporter,
    state: &mut State,
    there: &[String],
) -> Result<()> {
    let removed = &state.removed_fragments;
    if removed.is_empty() {
        return Ok(());
    }
    let untouched = there.is_empty()
        && removed.iter().all(|(f, digest)| {
            let gone = Path::new(f).symlink_metadata().is_err();
            let path = repo.relative_path(Path::new(f));
            let base = repo.file_at(&state.base_commit, &path).ok().flatten();
            gone && base.is_some_and(|b| super::guard::fnv1a(&b) == *digest)
        });
    if !untouched {
        state.removed_fragments.clear();
        reporter.note(
            "the fragments the changelog step had removed were taken in hand since (put \
             back, removed, renamed or edited): not put back; the section is built from the \
             fragments there are",
        );
        return Ok(());
    }
    let gone: Vec<&str> = removed.iter().map(|(f, _)| f.as_str()).collect();
    repo.restore_from(&state.base_commit, &gone)?;
    reporter.note(&format!(
        "put back {} fragment(s) the changelog step had removed before its section was undone, \
         to build the section from them again",
        gone.len()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(prs: &[(u64, usize)], unnamed: usize) -> Planned {
        Planned {
            prs: prs.iter().copied().collect(),
            unnamed,
            before: None,
            unread: None,
            names: BTreeMap::new(),
        }
    }

    /// The same PR in two rc sections, in other words (an rc2 rewording rc1's entry), is no
    /// rewording by hand; one section's entry changed since it was read is, until carried.
    #[test]
    fn an_rc_entry_is_reworded_only_against_its_own_section() {
        let log = |rc1: &str| {
            Changelog::parse(&format!(
                "# C\n\n## 1.1.0rc2 (2025-02-02)\n\n### Features\n\n\
                 * Add the fair-share scheduler (#10)\n\n## 1.1.0rc1 (2025-02-01)\n\n\
                 ### Features\n\n* {rc1} (#10)\n* Add the weights (#11)\n"
            ))
        };
        let versions = ["1.1.0rc2".to_string(), "1.1.0rc1".to_string()];
        let read = rc_words(&log("Add the scheduler"), &versions);
        assert_eq!(read.len(), 3, "{read:?}");
        let section =
            "### Features\n\n* Add the fair-share scheduler (#10)\n* Add the weights (#11)\n";
        assert!(
            check_rc_carried(false, &read, &log("Add the scheduler"), &versions, section).is_ok()
        );
        let reworded = log("Add the scheduler for real");
        let err = check_rc_carried(false, &read, &reworded, &versions, section).unwrap_err();
        assert!(err.to_string().contains("#10 (1.1.0rc1)"), "{err}");
        let carried = format!("{section}* Add the scheduler for real (#10)\n");
        assert!(check_rc_carried(false, &read, &reworded, &versions, &carried).is_ok());
    }

    /// Under `--keep-rc`, an rc entry corrected since it was read takes its new words in the
    /// section only where the section still has the old ones, its references kept; one the
    /// review reworded is left (the check refuses it).
    #[test]
    fn corrected_rc_words_are_carried_where_the_section_has_the_old_ones() {
        let log = |fix: &str, feature: &str| {
            Changelog::parse(&format!(
                "# C\n\n## 1.1.0rc1 (2025-02-01)\n\n### Features\n\n* {feature} (#10)\n\n\
                 ### Fixes\n\n* {fix} (#12)\n* {fix} (#12, #13)\n"
            ))
        };
        let versions = ["1.1.0rc1".to_string()];
        let read = rc_words(&log("Fix crash", "Add scheduler"), &versions);
        let now = log("Fix the crash at start", "Add the scheduler");
        let mut section = Changelog::parse(
            "## 1.1.0 (2025-03-01)\n\n### Features\n\n* Added a scheduler (#10)\n\n\
             ### Fixes\n\n* Fix  crash. (#12)\n* Fixed crashes (#12, #13)\n",
        )
        .releases()[0]
            .clone();
        let refs = RefFormat::default();
        let carried = carry_rc_words(&read, &now, &versions, &refs, &mut section);
        assert_eq!(carried, ["#12 (1.1.0rc1)"]);
        let rendered = section.render(2);
        assert!(
            rendered.contains("* Fix the crash at start (#12)\n"),
            "{rendered}"
        );
        // The review's own words stay (the check finds the new words in the section).
        assert!(
            rendered.contains("* Fixed crashes (#12, #13)"),
            "{rendered}"
        );
        assert!(rendered.contains("* Added a scheduler (#10)"), "{rendered}");
        let err = check_rc_carried(true, &read, &now, &versions, &rendered).unwrap_err();
        let err = err.to_string();
        assert!(
            err.contains("#10 (1.1.0rc1)") && !err.contains("#12"),
            "{err}"
        );
    }

    /// A section not read back as a release (reStructuredText) is counted by its
    /// references as the project writes them: two to one PR, one to another, a link of
    /// another form not at all.
    #[test]
    fn an_unread_section_is_counted_by_its_references() {
        let refs = RefFormat::new(Some("`#{issue} <https://e.com/pull/{issue}>`_"));
        let section = "1.1.0 (2025-03-01)\n==================\n\nFixes\n-----\n\n\
                       - Fix it `#12 <https://e.com/pull/12>`_, `#13 <https://e.com/pull/13>`_\n\
                       - Fix it again `#12 <https://e.com/pull/12>`_ (#14)\n";
        let counts = references(&refs, section);
        assert_eq!(counts, [(12, 2), (13, 1)].into_iter().collect());
    }

    /// The advice to put fragments back names those whose entries are missing, not one
    /// the user renamed (its PR is listed from the new name).
    #[test]
    fn the_fragments_to_put_back_are_those_of_the_missing_entries() {
        let planned = counts(&[(10, 1), (11, 1), (12, 1)], 1);
        let gone: Vec<String> = [
            "changes/10.feature.md",
            "changes/12.fix.md",
            "changes/+a.fix.md",
        ]
        .map(String::from)
        .to_vec();
        let now = counts(&[(11, 1), (12, 1)], 1);
        assert_eq!(
            planned.fragments_missing(&now, &gone),
            ["changes/10.feature.md"]
        );
        let now = counts(&[(11, 1), (12, 1)], 0);
        assert_eq!(
            planned.fragments_missing(&now, &gone),
            ["changes/10.feature.md", "changes/+a.fix.md"]
        );
        // No name tells: all of them.
        let all = counts(&[(10, 1), (11, 1), (12, 1)], 1);
        assert_eq!(planned.fragments_missing(&all, &gone), gone);
    }

    #[test]
    fn lost_and_repeated_entries_are_named() {
        let planned = counts(&[(1, 1), (2, 1), (3, 2)], 1);
        assert!(planned.against(&planned, true).is_empty());
        let now = counts(&[(1, 2), (3, 1)], 1);
        assert_eq!(
            planned.against(&now, true),
            [
                "#1 is listed 2 times",
                "#2 is missing",
                "#3 is listed 1 of 2 times"
            ]
        );
        // The step's own (reviewed) section: a merge or a split is the review's.
        assert_eq!(planned.against(&now, false), ["#2 is missing"]);
        assert_eq!(
            planned.against(&counts(&[(1, 1), (2, 1), (3, 2)], 0), true),
            ["1 of the entries naming no PR are missing"]
        );
        // An unnamed entry that came to name a PR in the review is not lost.
        assert!(
            planned
                .against(&counts(&[(1, 1), (2, 1), (3, 2), (9, 1)], 0), true)
                .is_empty()
        );
    }
}
