//! What is the release's, checked whenever a stopped release is acted on again.
//!
//! After every step the state file records what the release has changed and not yet
//! committed, and the configuration it ran with ([`record`]). So `continue` and `abort`
//! can tell the release's work from the user's: a change made while the release was
//! stopped, outside the paths the release writes, is not the release's ([`foreign_changes`])
//! and is neither committed into it nor discarded with it; a commit on the release branch
//! that the release did not make is not deleted with the branch ([`foreign_commits`]); a
//! configuration edited under a step still to run is not silently followed
//! ([`changed_config`]); and a finished step whose work has gone from the work tree is
//! done again before the release commit ([`lost_work`]).

use std::collections::BTreeSet;
use std::path::Path;

use super::commits::release_committed;
pub(crate) use super::commits::{
    commit_made, commits_abort_would_lose, foreign_commits_named, no_foreign_commits,
};
use super::paths;
use super::plan::{Plan, StepKind};
use super::state::{State, StepStatus};
use crate::changelog::Changelog;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::git::{DirtyKind, DirtyPath, Repo};
use crate::version::Version;

/// The files the configuration is read from, in the configuration's directory.
const CONFIG_FILES: [&str; 3] = ["towncrier.toml", "pyproject.toml", ".git-release.toml"];

/// Each configuration file, and each file the configuration names that a step reads when
/// it runs (a template file, a rules file, a labels file), with a digest of its bytes (`-`
/// when it does not exist). A named file is keyed by its path as configured, relative to the
/// configuration's directory when it lies inside it.
pub(crate) fn config_digests(config: &Config) -> Vec<(String, String)> {
    let digest = |path: &Path| match crate::files::read_regular(path, Error::Refused) {
        Ok(bytes) => format!("{:016x}", fnv1a(&bytes)),
        Err(_) => "-".to_string(),
    };
    let mut out: Vec<(String, String)> = CONFIG_FILES
        .iter()
        .map(|name| (name.to_string(), digest(&config.root.join(name))))
        .collect();
    for path in named_files(config) {
        let full = config.root.join(&path);
        let key = path.strip_prefix(&config.root).unwrap_or(&path);
        out.push((key.to_string_lossy().into_owned(), digest(&full)));
    }
    out
}

/// The files the configuration names whose contents a step still to run would read.
fn named_files(config: &Config) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let crate::config::TemplateSource::File(path) = &config.towncrier.template {
        out.push(path.clone());
    }
    let grouping = &config.release.consolidate.grouping;
    out.extend(grouping.rules.iter().cloned());
    out.extend(grouping.labels_from.iter().cloned());
    out
}

/// FNV-1a, 64 bits: a stable digest (the same in every build) to notice an edit by.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Record, after a step ended, what the release has left uncommitted and the
/// configuration it ran with.
pub(crate) fn record(repo: &Repo, config: &Config, state: &mut State) -> Result<()> {
    let dirty = repo.dirty_paths()?.into_iter().map(|d| d.path).collect();
    record_dirty(config, state, dirty);
    Ok(())
}

/// [`record`] after a built-in step (the version file, the changelog and its review, a
/// commit): such a step writes only the release's own paths, so what is dirty now outside
/// them and outside what the release had left before is the user's — an edit made while
/// the review was open — and is not recorded as the release's.
pub(crate) fn record_own(repo: &Repo, config: &Config, state: &mut State) -> Result<()> {
    let own = release_paths(repo, state);
    let before: BTreeSet<String> = state.dirty.iter().flatten().cloned().collect();
    let dirty = repo
        .dirty_paths()?
        .into_iter()
        .map(|d| d.path)
        .filter(|p| before.contains(p) || owns(&own, p))
        .collect();
    record_dirty(config, state, dirty);
    Ok(())
}

/// [`record`] after a command step or the freeze: what it changed is known only by looking,
/// so the paths dirty now that were clean when it started are its own, with what the
/// release had left before; a path the user had changed before it started (while the
/// review was open) stays the user's.
pub(crate) fn record_changed_by(
    repo: &Repo,
    config: &Config,
    state: &mut State,
    before: &BTreeSet<String>,
) -> Result<()> {
    let own = release_paths(repo, state);
    let previous: BTreeSet<String> = state.dirty.iter().flatten().cloned().collect();
    let dirty = repo
        .dirty_paths()?
        .into_iter()
        .map(|d| d.path)
        .filter(|p| previous.contains(p) || owns(&own, p) || !before.contains(p))
        .collect();
    record_dirty(config, state, dirty);
    Ok(())
}

/// Whether a dirty path reported by git is one of the release's paths `own` (an untracked
/// directory is, when it holds one of them).
pub(super) fn owns(own: &BTreeSet<String>, path: &str) -> bool {
    own.contains(path) || (path.ends_with('/') && own.iter().any(|p| p.starts_with(path)))
}

/// What `continue` was told belongs in the release by being staged (changes outside the
/// release's paths, the hooks' edits): recorded as the release's, for its commit.
pub(crate) fn adopt_staged(repo: &Repo, state: &mut State) -> Result<()> {
    // After a kill, what the user staged of what changed since is taken the same way: the
    // paths `foreign_changes` or, killed, `changed_since_killed` names.
    let staged: Vec<String> = outside_the_release(repo, state)?
        .into_iter()
        .filter(|d| d.kind == DirtyKind::Staged)
        .map(|d| d.path)
        .collect();
    if let Some(dirty) = &mut state.dirty {
        dirty.extend(staged);
    }
    state.hook_edits.clear();
    Ok(())
}

/// `continue --skip` says what changed outside the release's paths while it was stopped is
/// the stopped step done by hand (the command its stop message printed): recorded as hand
/// work (see [`State::by_hand`]), so the release commit takes it, staged or not, as it
/// takes a step's output — as long as it holds what it held now.
pub(crate) fn adopt_as_hand_work(repo: &Repo, state: &mut State) -> Result<()> {
    // Killed or not: what `foreign_changes` or `changed_since_killed` would name.
    for d in outside_the_release(repo, state)? {
        state.note_by_hand(repo, &d.path);
    }
    Ok(())
}

/// Whether an untracked path that appeared during a built-in step is the release's (the
/// changelog it created); anything else that appeared meanwhile is the user's.
pub(crate) fn is_release_path(repo: &Repo, state: &State, path: &str) -> bool {
    owns(&release_paths(repo, state), path)
}

/// [`record`] when what the release left uncommitted is known without looking.
pub(crate) fn record_dirty(config: &Config, state: &mut State, dirty: Vec<String>) {
    state.dirty = Some(dirty);
    state.config = config_digests(config);
}

/// The configuration files edited since the release last recorded them.
pub(crate) fn changed_config(config: &Config, state: &State) -> Vec<String> {
    if state.config.is_empty() {
        return Vec::new();
    }
    config_digests(config)
        .into_iter()
        // A file the state has no digest for (recorded by an older build) is not judged.
        .filter(|now| state.config.iter().any(|(name, _)| *name == now.0))
        .filter(|now| !state.config.contains(now))
        .map(|(name, _)| name)
        .collect()
}

/// Whether a step reads the configuration when it runs (the others run from the state).
pub(crate) fn reads_config(kind: &StepKind) -> bool {
    matches!(kind, StepKind::Changelog | StepKind::Freeze)
}

/// `path` relative to the work tree as git reports it (symlinks on the way followed).
pub(super) fn in_tree(repo: &Repo, path: &Path) -> String {
    let landed = paths::landing(repo, path).unwrap_or_else(|_| path.to_path_buf());
    let rel = landed.strip_prefix(repo.root()).unwrap_or(&landed);
    rel.to_string_lossy().into_owned()
}

/// The next-version file when its step is still to do and it is dirty though no step of
/// the release left it so: bumped by hand while the release was stopped, for that step's
/// own commit.
pub(super) fn next_version_by_hand(repo: &Repo, state: &State) -> Option<String> {
    let step = state.steps.iter().find_map(|s| match &s.step.kind {
        StepKind::NextVersion(n) if !s.status.finished() => Some(n),
        _ => None,
    })?;
    let path = in_tree(repo, &step.file);
    let by_hand = state.holds_by_hand(repo, &path);
    let dirty = repo
        .dirty_paths()
        .ok()?
        .into_iter()
        .any(|d| d.path == path && d.kind != DirtyKind::Staged);
    (dirty && by_hand).then_some(path)
}

/// On `continue`: the release's own files changed while it was stopped (dirty now, not
/// left so by the release) that a step still to do writes are that step done by hand —
/// recorded with their digests (see [`State::by_hand`]), so that each goes in its own
/// step's commit. One whose steps are all done (the changelog edited after the release
/// commit) is the user's edit: `abort` must not take it for the release's and discard it.
pub(crate) fn record_hand_work(repo: &Repo, state: &mut State) -> Result<()> {
    let Some(left) = &state.dirty else {
        return Ok(());
    };
    let left: BTreeSet<&String> = left.iter().collect();
    let own = release_paths(repo, state);
    let hand: Vec<String> = repo
        .dirty_paths()?
        .into_iter()
        .map(|d| d.path)
        .filter(|p| !left.contains(p) && own.contains(p) && written_by_a_step_to_do(repo, state, p))
        .collect();
    for path in hand {
        state.note_by_hand(repo, &path);
    }
    Ok(())
}

/// Whether a step of the release not finished yet writes `path`: the changelog step its
/// changelog and fragments, the version file's and the next version's their file, the
/// freeze what was frozen by hand, a command what a run of it created.
fn written_by_a_step_to_do(repo: &Repo, state: &State, path: &str) -> bool {
    let is = |p: &Path| in_tree(repo, p) == path;
    let to_do = state.steps.iter().filter(|s| !s.status.finished());
    to_do.into_iter().any(|s| match &s.step.kind {
        StepKind::Changelog => {
            state.changelog.as_deref().is_some_and(|c| is(Path::new(c)))
                || state.fragments.iter().any(|f| is(Path::new(f)))
        }
        StepKind::VersionFile { file, .. } => is(file),
        StepKind::NextVersion(step) => is(&step.file),
        StepKind::Freeze => state.by_hand.iter().any(|(p, _)| p == path),
        StepKind::Command(_) => state.created.iter().any(|p| p == path),
        _ => false,
    })
}

/// The FNV-1a digest of the file at `path` (relative to the root), 0 when it cannot be
/// read: what a file done by hand is recognised by.
pub(crate) fn digest_of(repo: &Repo, path: &str) -> u64 {
    std::fs::read(repo.root().join(path)).map_or(0, |b| fnv1a(&b))
}

/// Every path a step of the release writes or removes, as git reports it.
pub(super) fn release_paths(repo: &Repo, state: &State) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = state.created.iter().cloned().collect();
    // A step done by hand while stopped (the freeze), as long as its files hold what it
    // wrote: a later edit of one is the user's.
    for (path, _) in &state.by_hand {
        if state.holds_by_hand(repo, path) {
            out.insert(path.clone());
        }
    }
    if let Some(changelog) = &state.changelog {
        out.insert(in_tree(repo, Path::new(changelog)));
    }
    for fragment in &state.fragments {
        out.insert(in_tree(repo, Path::new(fragment)));
    }
    for record in &state.steps {
        match &record.step.kind {
            StepKind::VersionFile { file, .. } => {
                out.insert(in_tree(repo, file));
            }
            StepKind::NextVersion(step) => {
                out.insert(in_tree(repo, &step.file));
            }
            _ => {}
        }
    }
    out
}

/// Before a stopped committing command step runs again (or is marked done by hand): the
/// release's own files dirty now that were not when the step first started — later steps
/// done by hand while the release was stopped (`consolidate`, `build`) — are counted as
/// dirty before it, so that its commit holds the step's work and they go in the release
/// commit.
pub(crate) fn leave_hand_work_to_the_release_commit(
    repo: &Repo,
    state: &mut State,
    i: usize,
) -> Result<()> {
    let StepKind::Command(step) = &state.steps[i].step.kind else {
        return Ok(());
    };
    if step.commit.is_none() {
        return Ok(());
    }
    // The built-in steps' files: not what a step created (the step's own first run among
    // them, whose work its commit holds).
    let mut own = release_paths(repo, state);
    for created in &state.created {
        own.remove(created);
    }
    let before: BTreeSet<String> = state.steps[i].dirty_before.iter().cloned().collect();
    let later: Vec<String> = repo
        .dirty_paths()?
        .into_iter()
        .map(|d| d.path)
        .filter(|p| owns(&own, p) && !before.contains(p))
        .collect();
    state.steps[i].dirty_before.extend(later);
    Ok(())
}

/// What is dirty now that the release did not leave dirty and does not write: the user's
/// own changes. Empty when that cannot be told (a state without the record, or a command
/// or freeze that was killed while it ran: what it changed is unknown, see
/// [`changed_since_killed`]).
pub(crate) fn foreign_changes(repo: &Repo, state: &State) -> Result<Vec<DirtyPath>> {
    match killed_writer(state) {
        true => Ok(Vec::new()),
        false => outside_the_release(repo, state),
    }
}

/// While a command or the freeze is recorded as started (killed while it ran): what changed
/// outside the release's own paths, which may be that step's writes or the user's edits —
/// nothing tells which. `continue` takes only what is staged of it, `abort` keeps a copy.
pub(crate) fn changed_since_killed(repo: &Repo, state: &State) -> Result<Vec<DirtyPath>> {
    match killed_writer(state) {
        true => outside_the_release(repo, state),
        false => Ok(Vec::new()),
    }
}

/// Whether the next step is a command or the freeze recorded as started: killed while it
/// ran, its changes unknown.
fn killed_writer(state: &State) -> bool {
    state.next_step().is_some_and(|i| {
        let record = &state.steps[i];
        record.status == StepStatus::Started
            && matches!(record.step.kind, StepKind::Command(_) | StepKind::Freeze)
    })
}

/// What is dirty now that the release did not leave dirty and does not write.
fn outside_the_release(repo: &Repo, state: &State) -> Result<Vec<DirtyPath>> {
    let Some(recorded) = &state.dirty else {
        return Ok(Vec::new());
    };
    let recorded: BTreeSet<&str> = recorded.iter().map(String::as_str).collect();
    let own = release_paths(repo, state);
    Ok(repo
        .dirty_paths()?
        .into_iter()
        .filter(|d| !(recorded.contains(d.path.as_str()) || owns(&own, &d.path)))
        .collect())
}

/// The dirty paths, listed for a message.
pub(crate) fn list(dirty: &[DirtyPath]) -> String {
    let shown: Vec<String> = dirty
        .iter()
        .take(8)
        .map(|d| format!("{} ({})", d.path, d.kind))
        .collect();
    let more = dirty.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// The finished steps whose work is no longer in the work tree (a `git stash`, a
/// checkout while the release was stopped): the version file no longer holds the
/// version, the changelog lost its section or a consumed fragment is back, the freeze
/// has places left. Only before the release commit, which would commit the loss.
pub(crate) fn lost_work(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
    state: &State,
) -> Result<Vec<usize>> {
    if release_committed(repo, state)? {
        return Ok(Vec::new());
    }
    let mut lost = Vec::new();
    let mut dirty: Option<BTreeSet<String>> = None;
    for (i, record) in state.steps.iter().enumerate() {
        if record.status != StepStatus::Done {
            continue;
        }
        let gone = match &record.step.kind {
            StepKind::VersionFile { file, pattern } => {
                !holds_version(file, pattern.as_ref(), &plan.version)
            }
            StepKind::Changelog => {
                (state.section && !section_written(repo, config, plan)?)
                    || !super::entries::present(&state.fragments).is_empty()
            }
            // A command's work is the paths it changed: one of them clean again is work gone
            // (the command runs again; it is expected to give the same result).
            StepKind::Command(c) if c.commit.is_none() && !record.changed.is_empty() => {
                if dirty.is_none() {
                    dirty = Some(repo.dirty_paths()?.into_iter().map(|d| d.path).collect());
                }
                let now = dirty.get_or_insert_with(BTreeSet::new);
                record.changed.iter().any(|p| !now.contains(p))
            }
            StepKind::Freeze => super::preflight::freeze_of(repo, config, plan)
                .ok()
                .flatten()
                .is_some_and(|f| f.files > 0),
            _ => false,
        };
        if gone {
            lost.push(i);
        }
    }
    Ok(lost)
}

/// One key per entry of the release's section in the changelog: its category and PR set,
/// or its words when it names no PR (see [`State::section_entries`]); `None` when the
/// changelog holds no such section.
pub(crate) fn section_entries(config: &Config, plan: &Plan) -> Result<Option<Vec<String>>> {
    let Some(log) = Changelog::read_with(&plan.changelog, Some(&config.towncrier.start_string))?
    else {
        return Ok(None);
    };
    let Some(index) = log.find(&plan.version) else {
        return Ok(None);
    };
    let mut keys: Vec<String> = log.releases()[index]
        .categories
        .iter()
        .flat_map(|c| {
            c.all_entries().map(move |e| {
                let prs = e.pr_set();
                if prs.is_empty() {
                    format!("{}: \"{}\"", c.name, e.normalized_text())
                } else {
                    format!("{}: {}", c.name, super::entries::pr_key(&prs))
                }
            })
        })
        .collect();
    keys.sort();
    Ok(Some(keys))
}

/// The release's section, held to the entries the changelog step left in it: an entry
/// dropped or listed twice by a hand edit made while the release was stopped stops the
/// release before its commit.
pub(crate) fn check_section_entries(config: &Config, plan: &Plan, state: &State) -> Result<()> {
    if state.section_entries.is_empty() {
        return Ok(());
    }
    let now = section_entries(config, plan)?.unwrap_or_default();
    fn count(keys: &[String]) -> std::collections::BTreeMap<&str, usize> {
        let mut m = std::collections::BTreeMap::new();
        for k in keys {
            *m.entry(k.as_str()).or_default() += 1;
        }
        m
    }
    let (then, now) = (count(&state.section_entries), count(&now));
    let mut wrong = Vec::new();
    for (key, &n) in &then {
        match now.get(key).copied().unwrap_or(0) {
            0 => wrong.push(format!("{key} is missing")),
            m if m > n => wrong.push(format!("{key} is listed {m} times")),
            m if m < n => wrong.push(format!("{key} is listed {m} of {n} times")),
            _ => {}
        }
    }
    for key in now.keys().filter(|k| !then.contains_key(*k)) {
        wrong.push(format!("{key} is not an entry of this release"));
    }
    if wrong.is_empty() {
        return Ok(());
    }
    Err(Error::Step {
        step: "commit".into(),
        message: format!(
            "the {} section of {} was edited since the changelog step wrote it, and no longer \
             lists each of the release's entries once: {}. Mend the section (rewording an \
             entry is fine), then `git release continue`",
            plan.version,
            plan.changelog.display(),
            wrong.join("; ")
        ),
    })
}

/// The release commit holds no news fragment it must not: one the changelog step consumed
/// (its entry is in the section: committed again, the next release would list it a second
/// time) or one added since the release started (its entry is in no section: it would go
/// out with this release unlisted, and be listed by the next). Checked once the release's
/// changes are staged, right before its commit.
pub(crate) fn check_committed_fragments(repo: &Repo, config: &Config, state: &State) -> Result<()> {
    let dirs: Vec<String> = config
        .towncrier
        .sections
        .values()
        .map(|dir| in_tree(repo, &config.fragments_dir(dir)))
        .collect();
    let consumed: BTreeSet<String> = state
        .fragments
        .iter()
        .map(|f| in_tree(repo, Path::new(f)))
        .collect();
    let in_dirs = |path: &str| {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        dirs.iter().any(|d| d == dir)
            && crate::fragments::parse_basename(name, &config.towncrier.types).is_some()
    };
    let mut wrong = Vec::new();
    for path in repo.ls_files()?.into_iter().filter(|p| in_dirs(p)) {
        if consumed.contains(&path) {
            wrong.push(format!(
                "{path} is back in the index, but the changelog step took its entry into the \
                 section (the next release would list it again): remove it (`git rm -- {}`)",
                super::plan::shell_quote(&path)
            ));
        } else if repo.file_at(&state.base_commit, &path)?.is_none() {
            wrong.push(format!(
                "{path} was added since the release started, and its entry is in no section \
                 (committed, it would go out unlisted and be listed by the next release): put \
                 it aside for the next release (`git rm --cached -- {}`, then move or stash \
                 the file), or `git release abort` and start again to release it now",
                super::plan::shell_quote(&path)
            ));
        }
    }
    if wrong.is_empty() {
        return Ok(());
    }
    Err(Error::Step {
        step: "commit".into(),
        message: format!(
            "the release commit would hold news fragments it must not: {}; then `git release \
             continue`",
            wrong.join("; ")
        ),
    })
}

/// Whether the version file holds what the release's step writes to it: the version as
/// asked, in the file's own spelling (its `v` kept, `Version::spelled_as`), read as
/// pre-flight reads it (the whole file, trimmed). `v1.4.0` holds 1.4.0; `1.3.0`, an equal
/// version spelled otherwise (`1.4` or `1.4.0.0` for `1.4.0`: hx8), an unreadable file or
/// one holding no version does not — the step is done again, or `--skip` refused.
pub(crate) fn holds_version(
    file: &Path,
    pattern: Option<&crate::version::VersionPattern>,
    version: &Version,
) -> bool {
    crate::files::read_text(file).is_ok_and(|t| crate::version::holds_written(&t, pattern, version))
}

/// What `continue --skip` would take as done by hand and is not: a step whose work is
/// checkable (the version file, the changelog, the freeze) must have been done, or the
/// release commit would miss it.
pub(crate) fn missing_by_hand(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
    state: &State,
    kind: &StepKind,
) -> Result<Option<String>> {
    Ok(match kind {
        StepKind::VersionFile { file, pattern } => {
            (!holds_version(file, pattern.as_ref(), &plan.version)).then(|| {
                format!(
                    "{} does not hold {} as the release writes it",
                    file.display(),
                    plan.version
                )
            })
        }
        StepKind::Changelog => {
            let left = super::entries::present(&state.fragments).len();
            // A section is due when there are rc sections to fold or fragments to consume
            // (an rc of stale fragments only writes none: `continue` without --skip then).
            let due = !plan.rc_sections.is_empty() || !state.fragments.is_empty();
            if due && !section_written(repo, config, plan)? {
                Some(format!(
                    "{} has no {} section",
                    plan.changelog.display(),
                    plan.version
                ))
            } else if left > 0 {
                Some(format!(
                    "{left} consumed fragment(s) are still in the work tree"
                ))
            } else {
                None
            }
        }
        StepKind::Freeze => super::preflight::freeze_of(repo, config, plan)
            .ok()
            .flatten()
            .filter(|f| f.files > 0)
            .map(|f| format!("{} file(s) still hold the placeholder", f.files)),
        _ => None,
    })
}

/// Whether the changelog already holds this release's section (written before a stop, or
/// by hand) — and, when it does, that it is one the step could have written, or the release
/// stops rather than commit it: a final release's section stands in place of the
/// pre-release sections it folds (unless they are kept), and no entry of the section is
/// listed by an earlier release. A section `git release build` wrote while a final release
/// was stopped is neither (hostile3/04).
pub(crate) fn section_written(repo: &Repo, config: &Config, plan: &Plan) -> Result<bool> {
    let Some(log) = Changelog::read_with(&plan.changelog, Some(&config.towncrier.start_string))?
    else {
        return Ok(false);
    };
    let Some(index) = log.find(&plan.version) else {
        return Ok(false);
    };
    let file = plan.changelog.display();
    let folded: Vec<usize> = plan
        .rc_sections
        .iter()
        .filter_map(|rc| crate::version::Version::parse(rc).ok())
        .filter_map(|rc| log.find(&rc))
        .collect();
    let unfit = |why: String| Error::Step {
        step: "changelog".into(),
        message: format!(
            "{file} holds a {} section that the release did not write: {why}. Put the \
             changelog and the fragments back as the release left them (`git status` shows \
             what changed; `git restore --staged --worktree -- <path>…`), then \
             `git release continue`; or `git release abort`",
            plan.version
        ),
    };
    if !folded.is_empty() && !plan.request.keep_rc {
        let names: Vec<&str> = folded.iter().map(|&i| log.releases()[i].title()).collect();
        return Err(unfit(format!(
            "the pre-release sections it folds are still there ({})",
            names.join(", ")
        )));
    }
    // An rc may list a PR of an earlier rc of its cycle again (a newer text), and a
    // final's kept rc sections list its entries: only other releases count. An entry is
    // listed twice when an earlier release holds one of its release keys — the rule
    // pre-flight leaves stale fragments out by; the same PR with new words is a new entry.
    let cycle = log.releases_for(&plan.version);
    let earlier: BTreeSet<(u64, String)> = log
        .releases()
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index && !folded.contains(i) && !cycle.contains(i))
        .flat_map(|(_, r)| r.entries().flat_map(|e| e.release_keys()))
        .collect();
    let twice: BTreeSet<u64> = log.releases()[index]
        .entries()
        .flat_map(|e| e.release_keys())
        .filter(|key| earlier.contains(key))
        .map(|(pr, _)| pr)
        .collect();
    if !twice.is_empty() {
        let prs: Vec<String> = twice
            .iter()
            .map(|&pr| crate::changelog::Issue(pr).to_string())
            .collect();
        return Err(unfit(format!(
            "{} already listed, in the same words, by an earlier release",
            prs.join(", ")
        )));
    }
    // A final's section was read back before it was written, by the rules of
    // `consolidate::published`; what a step (or a hand) changed since is held to them too:
    // no PR reference outside an entry but those the folded rc sections' prose held (as the
    // base commit has them), no block left open, no control character. (A pre-release's
    // section is towncrier's, from the project's own template, whose entries need not be
    // bullets.)
    if plan.form.consolidates() {
        let refs = crate::changelog::RefFormat::new(config.towncrier.issue_format.as_deref());
        let carried = carried_at_base(repo, config, plan, &refs)?;
        let text = log.section_text(index);
        let first = log.releases()[index].line().max(1);
        let section = crate::changelog::Changelog::parse_project(text, None, &refs);
        let mut problems = crate::consolidate::references(&section, first, &refs, &carried);
        problems.extend(crate::consolidate::well_formed(&section, first));
        if !problems.is_empty() {
            return Err(unfit(problems.join("; ")));
        }
    }
    Ok(true)
}

/// The references of the prose of the rc sections the release folds, as the base commit
/// holds them: what the section may carry outside its entries.
fn carried_at_base(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
    refs: &crate::changelog::RefFormat,
) -> Result<crate::consolidate::Carried> {
    if plan.rc_sections.is_empty() || plan.base_commit.is_empty() {
        return Ok(Default::default());
    }
    let path = repo.relative_path(&plan.changelog);
    let Some(bytes) = repo.file_at(&plan.base_commit, &path)? else {
        return Ok(Default::default());
    };
    let text = String::from_utf8_lossy(&bytes);
    let base = Changelog::parse_project(&text, Some(&config.towncrier.start_string), refs);
    let sections: Vec<usize> = plan
        .rc_sections
        .iter()
        .filter_map(|rc| crate::version::Version::parse(rc).ok())
        .filter_map(|rc| base.find(&rc))
        .collect();
    Ok(crate::consolidate::Carried::of_sections(
        &base, &sections, refs,
    ))
}

/// Whether a file a step would write already holds, and HEAD already commits, what the
/// step would write (the next version bumped by hand before the release): its commit
/// would be empty, and git refuses an empty commit.
pub(super) fn already_committed(
    repo: &Repo,
    landed: &Path,
    text: &str,
    updated: &str,
) -> Result<bool> {
    if text != updated {
        return Ok(false);
    }
    let rel = repo.relative_path(landed);
    Ok(repo.file_at("HEAD", &rel)?.as_deref() == Some(updated.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_fnv1a() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    /// The version file holds the release's version in the file's own spelling (what the
    /// step writes, what `continue --skip` takes as done by hand), not another version, and
    /// not the same version spelled otherwise (hx8: `1.4` for `1.4.0` was taken).
    #[test]
    fn the_version_file_holds_its_version_with_or_without_v() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("VERSION");
        let version = Version::parse("1.4.0").unwrap();
        for (text, holds) in [
            ("1.4.0\n", true),
            ("v1.4.0\n", true),
            ("V1.4.0\r\n", true),
            ("  v1.4.0", true),
            ("v1.3.0\n", false),
            ("1.4.0rc1\n", false),
            ("1.4.0.post1\n", false),
            ("vv1.4.0\n", false),
            ("1.4.0\nmore\n", false),
            ("", false),
            ("1.4\n", false),
            ("v1.4\n", false),
            ("1.4.0.0\n", false),
            ("01.4.0\n", false),
            ("1.4.0+local\n", false),
        ] {
            std::fs::write(&file, text).unwrap();
            assert_eq!(holds_version(&file, None, &version), holds, "{text:?}");
        }
        assert!(!holds_version(&dir.path().join("missing"), None, &version));
        // The version as asked: `1.4` asked is written, and held, as `1.4`.
        let short = Version::parse("1.4").unwrap();
        let holds_written = |t: &str, v: &Version| crate::version::holds_written(t, None, v);
        assert!(holds_written("v1.4\n", &short) && !holds_written("1.4.0\n", &short));
    }
}
