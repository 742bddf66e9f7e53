//! Running the steps of a release. Each step is recorded as started before it runs and as
//! done only after it succeeded, so a release stopped anywhere (a failed step, a signal,
//! a timeout, `kill -9`) is resumed at the step that did not finish, never after it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::Reporter;
use super::commits::{commit_new_changes, dirty_set};
use super::control::abort_with;
use super::plan::{CommandStep, NextVersionStep, Plan, StepKind, relative};
use super::preflight::freeze_of;
use super::state::{Modes, State, StepStatus, clear_state, save_state, write_state};
use super::summary::{Summary, frozen, stopped};
use super::window;
use super::{byproducts, entries, guard, left, rerun};
use crate::changelog::Changelog;
use crate::config::Config;
use crate::consolidate::{self, Prepared};
use crate::error::{Error, Result};
use crate::git::{DirtyKind, Repo};
use crate::process::{self, Ended, ProcessIdentity};
use crate::version::Version;

/// What every step may use.
pub(crate) struct Ctx<'a> {
    pub repo: &'a Repo,
    pub config: &'a Config,
    pub plan: &'a Plan,
    pub reporter: &'a dyn Reporter,
}

/// Run a planned release: the state file is written before the first change, then the
/// steps run in order. On a stop the state is saved and the error (exit code 4) says what
/// to do next.
pub fn execute(
    repo: &Repo,
    config: &Config,
    mut plan: Plan,
    reporter: &dyn Reporter,
) -> Result<Summary> {
    let mut state = State::new(&plan);
    let prepared = plan.prepared.take();
    state.modes = Some(Modes::read(repo)?);
    // A section pre-flight could not read back (reStructuredText, no title) is counted by
    // its text: nothing has changed yet, so a failure is a refusal.
    if let Some(planned) = entries::unread(config, &plan)? {
        // towncrier's section for no fragments lists nothing to count.
        if planned.prs.is_empty() && !plan.fragment_files.is_empty() {
            reporter.note(&format!(
                "the {} section names no PR as `issue_format` writes it: its entries cannot be \
                 counted before the release commit",
                plan.version
            ));
        }
        state.planned_entries = Some(planned);
    }
    state.fragment_digests = window::fragment_digests(&state);
    state.bytes = window::start_bytes(repo, &plan, &state);
    let _signals = process::catch();
    guard::record(repo, config, &mut state)?;
    // The first save: nothing has changed yet, so a failure is a refusal.
    write_state(repo, &state).map_err(|e| {
        Error::Refused(format!(
            "cannot save the release's state: {e}. Nothing was changed"
        ))
    })?;
    let ctx = Ctx {
        repo,
        config,
        plan: &plan,
        reporter,
    };
    run_steps(&ctx, prepared, &mut state)
}

/// Run every step not finished yet, in order.
pub(crate) fn run_steps(
    ctx: &Ctx,
    mut prepared: Option<Prepared>,
    state: &mut State,
) -> Result<Summary> {
    let repo = ctx.repo;
    let total = state.steps.len();
    while let Some(i) = state.next_step() {
        if let Some(signal) = process::received() {
            save_state(repo, state)?;
            return Err(stopped(
                state,
                i,
                &format!(
                    "stopped by {} before this step started",
                    process::signal_name(signal)
                ),
            ));
        }
        ctx.reporter
            .step(i + 1, total, &state.steps[i].step.name.clone());
        // Saved with the step's start (see `left::start_step`).
        let left_before = left::start_step(repo, state);
        rerun::begin(repo, state, i)?;
        let record = &mut state.steps[i];
        let rerun = record.status != StepStatus::Pending;
        if !rerun {
            record.head_before = repo.head_commit()?;
            // A committing step's commit holds what changed since it started, not the
            // release's pending changes: the paths dirty before it are saved with its
            // start, in the same write, so no stop leaves it started without them. For any
            // command, and the freeze, they tell its changes from the user's.
            if let StepKind::Command(_) | StepKind::Freeze = &record.step.kind {
                record.dirty_before = dirty_set(repo)?.into_iter().collect();
            }
        }
        record.status = StepStatus::Started;
        save_state(repo, state)?;
        // Run again after its section was undone (`git checkout HEAD -- CHANGELOG.md` while
        // the release was stopped), the changelog step finds gone the fragments its first
        // run removed: built from what is left, the section would lose their entries while
        // their removal is committed. They are put back as the release found them (before
        // the review's watch starts) and consumed again.
        let changelog_step = matches!(state.steps[i].step.kind, StepKind::Changelog);
        if changelog_step && !guard::section_written(repo, ctx.config, ctx.plan)? {
            let there = entries::consumable(ctx.config, state);
            entries::restore_consumed(repo, ctx.reporter, state, &there)?;
        }
        // Every fragment the step may consume: the planned ones, and one the user renamed
        // or added while the release was stopped (a run again builds from what is there).
        let consumable = match changelog_step {
            true => entries::consumable(ctx.config, state),
            false => Vec::new(),
        };
        let fragments_before: Vec<(String, u64)> = match changelog_step {
            true => consumable
                .iter()
                .cloned()
                .map(|f| {
                    let digest = std::fs::read(&f).map_or(0, |b| guard::fnv1a(&b));
                    (f, digest)
                })
                .collect(),
            false => Vec::new(),
        };
        let untracked_before: BTreeSet<String> = repo.untracked_files()?.into_iter().collect();
        let ignored_before = byproducts::ignored_before(repo, &state.steps[i].step.kind);
        let digests_before = byproducts::digests_before(repo, &state.steps[i].step.kind);
        let head_before = repo.head_commit()?;
        // The review leaves the user time to work: the release's other files must be as it
        // left them when the review closes.
        let watched = match state.steps[i].step.kind {
            StepKind::Changelog => window::watch(repo, state, &consumable),
            _ => window::Watched::default(),
        };
        let result = run_step(ctx, i, rerun, &mut prepared, state, &watched)
            .and_then(|()| still_on_the_release_branch(repo, state))
            .and_then(|()| window::unchanged_since(repo, &watched));
        for (file, digest) in fragments_before {
            if Path::new(&file).symlink_metadata().is_err() {
                state.removed_fragments.retain(|(f, _)| *f != file);
                state.removed_fragments.push((file, digest));
            }
        }
        // Commits a step's own command made are the release's too (`abort` deletes them
        // with the branch, and the summary lists them). A built-in step makes only the
        // commit it records: HEAD moved under another (the user committed while the review
        // was open) is not the release's, and stops it.
        let moved = match (&head_before, repo.head_commit()) {
            (Some(before), Ok(Some(now))) if *before != now => Some((before.clone(), now)),
            _ => None,
        };
        let builtin = matches!(
            state.steps[i].step.kind,
            StepKind::Changelog | StepKind::VersionFile { .. } | StepKind::Freeze
        );
        let foreign_head = match moved {
            Some(_) if builtin => guard::foreign_commits_named(repo, state).ok().flatten(),
            _ => None,
        };
        let result = match (result, &foreign_head) {
            (Ok(()), Some(message)) => Err(Error::Step {
                step: state.steps[i].step.name.clone(),
                message: message.clone(),
            }),
            (other, _) => other,
        };
        if let Some((before, now)) = &moved
            && matches!(state.steps[i].step.kind, StepKind::Command(_))
            && repo.current_branch().ok().flatten().as_deref() == Some(state.branch.as_str())
            && let Ok(made) = repo.commits_between(before, now)
        {
            for id in made {
                if !state.commits.contains(&id) {
                    state.commits.push(id);
                }
            }
        }
        // Whatever happened, the files that appeared while a step ran are the release's (a
        // command's, or a hook's that git ran for the step) — except while the changelog
        // step waits for the review: what appears then besides the changelog is the user's.
        let kind = &state.steps[i].step.kind;
        let waits_for_the_user = matches!(kind, StepKind::Changelog);
        // What a command or the freeze changed is known only by looking.
        let opaque = matches!(kind, StepKind::Command(_) | StepKind::Freeze);
        if let Ok(now) = repo.untracked_files() {
            for path in now {
                if !untracked_before.contains(&path)
                    && !state.created.contains(&path)
                    && (!waits_for_the_user || guard::is_release_path(repo, state, &path))
                {
                    state.created.push(path);
                }
            }
        }
        byproducts::record_created_ignored(repo, state, ignored_before.as_ref());
        let hook_note = byproducts::record_hook_edits(repo, state, digests_before, result.is_err());
        state.steps[i].process_group = None;
        state.steps[i].process_leader = None;
        // What the release has left uncommitted, so that `continue` and `abort` tell it
        // from the user's changes (a failure to look must not hide the step's own error).
        if matches!(state.steps[i].step.kind, StepKind::CreateBranch) {
            // The release has changed no file yet: whatever is dirty is not its own.
            guard::record_dirty(ctx.config, state, Vec::new());
        } else if foreign_head.is_some() {
            // A commit of the user's took files from the work tree: what the release had
            // left uncommitted stays recorded as it was, so that once that commit is taken
            // off the branch (`git reset`) its changes are told apart again.
        } else if opaque {
            let before = rerun::not_the_steps(state, i);
            let _ = guard::record_changed_by(repo, ctx.config, state, &before);
        } else {
            let _ = guard::record_own(repo, ctx.config, state);
        }
        left::record(repo, state, &left_before);
        // The section the changelog step leaves is checked like one written by hand: a
        // section that breaks the release's invariants stops the release, uncommitted.
        let result = match result {
            Ok(()) if matches!(state.steps[i].step.kind, StepKind::Changelog) => {
                guard::section_written(repo, ctx.config, ctx.plan).and_then(|written| {
                    state.section = written;
                    state.section_entries =
                        guard::section_entries(ctx.config, ctx.plan)?.unwrap_or_default();
                    let planned = state.planned_entries.as_ref();
                    state.planned_entries = entries::written(ctx.config, ctx.plan, planned)?;
                    Ok(())
                })
            }
            other => other,
        };
        match result {
            Ok(()) => {
                state.steps[i].status = StepStatus::Done;
                save_state(repo, state)?;
            }
            Err(Error::Aborted(why)) => {
                // The review was emptied: undo everything, as promised.
                abort_with(repo, state, ctx.reporter)?;
                return Err(Error::Aborted(format!(
                    "{why}; the release was undone and nothing was written"
                )));
            }
            Err(e) if i == 0 && !repo.branch_exists(&state.branch)? => {
                // The release branch could not even be created: nothing changed.
                clear_state(repo);
                return Err(e);
            }
            Err(e) => {
                let record = &mut state.steps[i];
                if record.status != StepStatus::Interrupted {
                    record.status = match process::received() {
                        Some(_) => StepStatus::Interrupted,
                        None => StepStatus::Failed,
                    };
                }
                save_state(repo, state)?;
                let why = ctx.config.explain(e).to_string() + &hook_note;
                return Err(stopped(state, i, &why));
            }
        }
    }
    clear_state(repo);
    super::summary::from_record(ctx.repo, ctx.config, ctx.plan, state)
}

/// A step must leave HEAD on the release branch: the release commits there and nowhere
/// else (a script that switches branches would have it commit on another).
fn still_on_the_release_branch(repo: &Repo, state: &State) -> Result<()> {
    let head = repo.current_branch()?;
    if head.as_deref() == Some(state.branch.as_str()) {
        return Ok(());
    }
    let branch = &state.branch;
    Err(Error::Step {
        step: "the release branch".into(),
        message: format!(
            "after this step HEAD is on {}, not on the release branch `{branch}`; the release \
             commits only on its own branch. See what the step did (`git status`, `git log`), \
             go back with `git switch {branch}`, then continue",
            head.map_or("a detached HEAD".to_string(), |b| format!("`{b}`")),
        ),
    })
}

/// Run step `i`; `rerun` when an earlier run started it and did not finish.
fn run_step(
    ctx: &Ctx,
    i: usize,
    rerun: bool,
    prepared: &mut Option<Prepared>,
    state: &mut State,
    watched: &window::Watched,
) -> Result<()> {
    let (repo, config, plan) = (ctx.repo, ctx.config, ctx.plan);
    let version = &plan.version;
    let kind = state.steps[i].step.kind.clone();
    match &kind {
        StepKind::CreateBranch => {
            if !(rerun && repo.current_branch()?.as_deref() == Some(plan.branch.as_str())) {
                repo.create_branch(&plan.branch)?;
            }
            // The tree was clean, and a new branch at HEAD changes no file: what changed is a
            // hook's (`post-checkout`), not the release's, and the release would commit it.
            let changed = repo.dirty_paths()?;
            if !changed.is_empty() {
                let list: Vec<&str> = changed.iter().map(|d| d.path.as_str()).collect();
                return Err(Error::Refused(format!(
                    "creating the release branch changed files (a `post-checkout` hook?): {}; \
                     they are not the release's, which would commit them. Remove them (or \
                     commit them on a branch of their own), then `git release continue`; or \
                     `git release abort`",
                    list.join(", ")
                )));
            }
            Ok(())
        }
        StepKind::Command(step) => run_configured(ctx, i, step, state),
        StepKind::VersionFile { file, pattern } => {
            let old = crate::files::read_text(file)?;
            window::check_landing(repo, file, "version file")?;
            // Where the file holds its version, spelled as it spells it (`v1.3.0` becomes
            // `v1.4.0`), its line end and every other byte kept (`version::write_held`;
            // `guard::holds_version` reads it back the same way).
            let written =
                crate::version::write_held(&old, pattern.as_ref(), version).ok_or_else(|| {
                    Error::Step {
                        step: "version file".into(),
                        message: format!(
                            "`{}` no longer matches {}: write {version} there by hand, then \
                         `git release continue --skip`",
                            pattern.as_ref().map(|p| p.as_str()).unwrap_or_default(),
                            file.display()
                        ),
                    }
                })?;
            crate::atomic::write(file, written.as_bytes())
        }
        // Worked out again from the work tree as it is now (a WebUI step may have changed
        // it; a freeze re-run after a stop finds nothing left to do), and written all at
        // once. The rules are the configuration's: they are what `git release freeze`
        // applies by hand too.
        StepKind::Freeze => match freeze_of(ctx.repo, config, plan)? {
            Some(freeze) => {
                freeze.apply(ctx.repo.root())?;
                rerun::check(repo, config, plan, state, i)?;
                let planned = plan.freeze.as_ref().map(|f| (f.places, f.files));
                let planned = planned.or(state.planned_freeze);
                state.frozen = Some(frozen(ctx.reporter, planned, &freeze));
                Ok(())
            }
            None => Err(Error::Step {
                step: "freeze".into(),
                message: "`[freeze]` is no longer configured; freeze the placeholder by hand"
                    .into(),
            }),
        },
        StepKind::Changelog => {
            if guard::section_written(repo, config, plan)? {
                // Written before the stop (or by hand, `consolidate --resume`): what may be
                // left is removing the fragments, the step's other half.
                return finish_changelog(repo, config, plan, state);
            }
            if !plan.form.consolidates() {
                entries::take_added(config, state);
            }
            write_changelog(ctx, rerun, prepared, state, watched)
        }
        StepKind::Commit { message } => {
            if let Some(id) = guard::commit_made(repo, &state.steps[i], message)? {
                // A commit made by hand with the step's message must hold all of it: what
                // is left in the work tree would be left out of the release.
                let left = repo.dirty_paths()?;
                if !left.is_empty() {
                    return Err(Error::Step {
                        step: "commit".into(),
                        message: format!(
                            "HEAD is `{}`, but the release's changes are not all in it: {} \
                             {} uncommitted; add them to that commit (`git add -A && git \
                             commit --amend --no-edit`), then continue",
                            message.lines().next().unwrap_or(message),
                            guard::list(&left),
                            if left.len() == 1 { "is" } else { "are" }
                        ),
                    });
                }
                state.commits.push(id);
                return Ok(());
            }
            // The commit holds every finished step's work, or is not made.
            let lost = guard::lost_work(repo, config, plan, state)?;
            if !lost.is_empty() {
                let names: Vec<String> = lost
                    .iter()
                    .map(|&k| format!("{} ({})", k + 1, state.steps[k].step.name))
                    .collect();
                for &k in &lost {
                    state.steps[k].status = StepStatus::Pending;
                }
                return Err(Error::Step {
                    step: "commit".into(),
                    message: format!(
                        "the work of step {} is no longer in the work tree (undone while the \
                         release was stopped?); the release commit would leave it out. \
                         `git release continue` does it again",
                        names.join(", ")
                    ),
                });
            }
            guard::no_foreign_commits(repo, state, "commit")?;
            // The files the release wrote or writes next still lead inside the repository
            // (one replaced by a symlink since would be committed as the link).
            window::check_landing(repo, &plan.changelog, "commit")?;
            for record in &state.steps {
                match &record.step.kind {
                    StepKind::VersionFile { file, .. } => {
                        window::check_landing(repo, file, "commit")?
                    }
                    StepKind::NextVersion(n) => window::check_landing(repo, &n.file, "commit")?,
                    _ => {}
                }
            }
            guard::check_section_entries(config, plan, state)?;
            super::section::check_no_entry_added(config, plan, state)?;
            let gone = entries::gone_for_good(repo, state);
            entries::check_published(config, plan, state.planned_entries.as_ref(), &gone)?;
            commit_own_changes(ctx, state)?;
            guard::check_committed_fragments(repo, config, state)?;
            let id = repo.commit(message)?;
            state.commits.push(id);
            Ok(())
        }
        StepKind::NextVersion(step) => {
            if let Some(id) = guard::commit_made(repo, &state.steps[i], &step.message)? {
                state.commits.push(id);
                return Ok(());
            }
            guard::no_foreign_commits(repo, state, "next version")?;
            advance(ctx, step, state)
        }
    }
}

/// Stage the release's changes for its commit, and only them: what changed while the
/// release ran outside its own paths (an edit made while the review was open) is left
/// uncommitted and named. A path the user staged meanwhile would go into the commit
/// whatever is added, so the release stops and asks (as `continue` does after a stop, what
/// is staged then goes into the release).
fn commit_own_changes(ctx: &Ctx, state: &State) -> Result<()> {
    let repo = ctx.repo;
    let foreign = guard::foreign_changes(repo, state)?;
    // The next-version file, bumped by hand while the release was stopped (the stop names
    // that edit): its own commit, after this one, takes it — unless the release's own steps
    // changed it too (then it is in this commit, as they left it).
    let bumped_by_hand = guard::next_version_by_hand(repo, state);
    if foreign.is_empty() && bumped_by_hand.is_none() {
        return repo.add_all();
    }
    let staged: Vec<_> = foreign
        .iter()
        .filter(|d| matches!(d.kind, DirtyKind::Staged | DirtyKind::Conflicted))
        .cloned()
        .collect();
    if !staged.is_empty() {
        let (is, them, belong) = if staged.len() == 1 {
            ("is", "it", "belongs")
        } else {
            ("are", "them", "belong")
        };
        return Err(Error::Step {
            step: "commit".into(),
            message: format!(
                "{} changed while the release ran and {is} staged, but not the release's, so \
                 the release commit was not made. If {them} {belong} in the release, `git release \
                 continue` commits {them} with it; if not, put {them} aside (`git stash push \
                 --include-untracked -- <path>…`), then `git release continue`",
                guard::list(&staged),
            ),
        });
    }
    let foreign: BTreeSet<&str> = foreign.iter().map(|d| d.path.as_str()).collect();
    // What is staged already (the consumed fragments, removed from the index) is in; the
    // rest of the release's changes are added.
    let own: BTreeSet<String> = repo
        .dirty_paths()?
        .into_iter()
        .filter(|d| d.kind != DirtyKind::Staged && !foreign.contains(d.path.as_str()))
        .filter(|d| bumped_by_hand.as_deref() != Some(d.path.as_str()))
        .map(|d| d.path)
        .collect();
    let own: Vec<String> = own.into_iter().collect();
    for chunk in own.chunks(1000) {
        repo.add(chunk)?;
    }
    ctx.reporter.note(&format!(
        "left out of the release commit, changed while the release ran and not the \
         release's: {}",
        foreign.iter().copied().collect::<Vec<_>>().join(", ")
    ));
    Ok(())
}

/// The changelog step: the consolidated, reviewed section of a final release, or the
/// flat section of a pre-release.
fn write_changelog(
    ctx: &Ctx,
    rerun: bool,
    prepared: &mut Option<Prepared>,
    state: &State,
    watched: &window::Watched,
) -> Result<()> {
    let (repo, config, plan) = (ctx.repo, ctx.config, ctx.plan);
    let version = &plan.version;
    if plan.form.consolidates() {
        let p = match prepared.take() {
            Some(p) => p,
            None => consolidate::prepare(
                config,
                version,
                &plan.request.date,
                &plan.request.grouping(config),
            )?,
        };
        for note in consolidate::report(&p.grouped.consolidation) {
            ctx.reporter.note(&note);
        }
        let mut section = if plan.request.no_edit {
            p.grouped.release()
        } else {
            // A review that was interrupted or did not validate reopens its kept draft.
            let resume = rerun && crate::review::draft_path(repo.git_dir()).is_file();
            // A stopped release goes on with `continue` (which reopens the kept draft).
            let then = "then run `git release continue` (it reopens the kept draft)";
            let reviewed = crate::review::review_release(repo, config, &p, resume, then)?;
            // Ctrl-C pressed inside an editor that handled it (vi) is not a stop.
            if process::received() == Some(libc::SIGINT) {
                process::forget();
            }
            match reviewed {
                Some(r) => r,
                None => return Err(Error::Aborted("the draft was emptied".into())),
            }
        };
        // The review left the user time to work: what they changed meanwhile is theirs,
        // and nothing is written over it or removed with it.
        window::index_unchanged(repo, watched)?;
        window::unchanged_since(repo, watched)?;
        let keep_rc = plan.request.keep_rc;
        if keep_rc {
            let refs = crate::changelog::RefFormat::new(config.towncrier.issue_format.as_deref());
            let (read, log) = (&state.rc_words, &p.changelog);
            for key in entries::carry_rc_words(read, log, &plan.rc_sections, &refs, &mut section) {
                ctx.reporter.note(&format!(
                    "the pre-release entry of {key} was reworded in the changelog while the \
                     review was open: the section carries its new words"
                ));
            }
        }
        let gone = entries::gone(repo, state);
        let now = entries::Planned::of(&section);
        entries::check_building(plan, state.planned_entries.as_ref(), &now, &gone)?;
        let rendered = section.render(2);
        window::check_fragments_carried(repo, state, &rendered)?;
        window::check_new_fragments_carried(repo, config, state, &section)?;
        entries::check_rc_carried(
            keep_rc,
            &state.rc_words,
            &p.changelog,
            &plan.rc_sections,
            &rendered,
        )?;
        window::check_landing(repo, &plan.changelog, "changelog")?;
        consolidate::write(&p, &section, plan.request.keep_rc, false, Some(repo))?;
        crate::review::discard_draft(repo.git_dir());
        return Ok(());
    }
    let (files, build) = entries::pre_release_build(config, plan)?;
    let gone = entries::gone(repo, state);
    let planned = state.planned_entries.as_ref();
    let Some(build) = build else {
        // Only stale fragments: no section, the fragments go — unless the plan had entries
        // (their fragments removed while the release was stopped).
        entries::check_building(plan, planned, &entries::Planned::default(), &gone)?;
        return crate::towncrier::remove_fragments(Some(repo), &files);
    };
    let now = entries::counts_of_build(config, &build.section);
    entries::check_building(plan, planned, &now, &gone)?;
    window::check_landing(repo, &build.changelog, "changelog")?;
    crate::atomic::write(&build.changelog, build.text.as_bytes())?;
    repo.add(&[&build.changelog])?;
    crate::towncrier::remove_fragments(Some(repo), &files)
}

/// The changelog step after its section was written: the consumed fragments still in the
/// work tree are removed and the changelog staged, so a step stopped between its two
/// halves is finished rather than taken as done.
fn finish_changelog(repo: &Repo, config: &Config, plan: &Plan, state: &State) -> Result<()> {
    // Written by hand (or before a stop): held to the plan before it counts as the step's.
    let gone = entries::gone_for_good(repo, state);
    entries::check_published(config, plan, state.planned_entries.as_ref(), &gone)?;
    let left: Vec<PathBuf> = entries::present(&state.fragments)
        .into_iter()
        .map(PathBuf::from)
        .collect();
    if !left.is_empty() {
        let log = Changelog::read_with(&plan.changelog, Some(&config.towncrier.start_string))?;
        let section = log
            .as_ref()
            .and_then(|log| log.find(&plan.version).map(|k| log.section_text(k)))
            .unwrap_or("");
        window::check_fragments_carried(repo, state, section)?;
    }
    crate::towncrier::remove_fragments(Some(repo), &left)?;
    repo.add(&[&plan.changelog])
}

/// The next-version step: the pattern's `version` group becomes the next version, then
/// that file alone is committed.
fn advance(ctx: &Ctx, step: &NextVersionStep, state: &mut State) -> Result<()> {
    let repo = ctx.repo;
    let fail = |message: String| Error::Step {
        step: "next version".into(),
        message,
    };
    let pattern = regex::Regex::new(&step.pattern)
        .map_err(|e| fail(format!("`{}` is not a regex: {e}", step.pattern)))?;
    let file = &step.file;
    let text = crate::files::read_text(file)?;
    let m = pattern
        .captures(&text)
        .and_then(|c| c.name("version"))
        .ok_or_else(|| {
            fail(format!(
                "`{}` no longer matches {}",
                step.pattern,
                file.display()
            ))
        })?;
    let updated = format!("{}{}{}", &text[..m.start()], step.version, &text[m.end()..]);
    // Written through a symlink, the change is in the file the link leads to: that is the
    // path to commit (the link itself did not change). Where it lands is checked again
    // right before the write: a link put in its place since pre-flight may lead out.
    let landed = window::landing_now(repo, file, "next version")?;
    if guard::already_committed(repo, &landed, &text, &updated)? {
        ctx.reporter.note(&format!(
            "{} already holds {}: nothing to advance, no commit",
            relative(repo, file),
            step.version
        ));
        return Ok(());
    }
    crate::atomic::write(file, updated.as_bytes())?;
    repo.add(&[&landed])?;
    let id = repo.commit_only(&step.message, &[&landed])?;
    state.commits.push(id);
    Ok(())
}

/// A configured command; a committing one commits what it changed, alone.
fn run_configured(ctx: &Ctx, i: usize, step: &CommandStep, state: &mut State) -> Result<()> {
    let repo = ctx.repo;
    if let Some(message) = &step.commit
        && let Some(id) = guard::commit_made(repo, &state.steps[i], message)?
    {
        if !state.commits.contains(&id) {
            state.commits.push(id);
        }
        return rerun::check(repo, ctx.config, ctx.plan, state, i);
    }
    // The step's commit holds the step's changes, not the release's pending ones (the
    // paths dirty before its first run were saved when it started).
    run_command(ctx, i, step, state)?;
    rerun::check(repo, ctx.config, ctx.plan, state, i)?;
    if step.commit.is_none() {
        let before: BTreeSet<&String> = state.steps[i].dirty_before.iter().collect();
        state.steps[i].changed = dirty_set(repo)?
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
    }
    if let Some(message) = &step.commit {
        let before = state.steps[i].dirty_before.iter().cloned().collect();
        match commit_new_changes(repo, &before, message)? {
            Some(id) => state.commits.push(id),
            None => ctx
                .reporter
                .note(&format!("`{}` changed nothing; no commit", step.name)),
        }
    }
    Ok(())
}

/// Run a configured command through the shell in its own process group, output shown
/// live (on stderr, so that stdout stays clean for `--format json`). Its process group is
/// recorded while it runs; a signal or its timeout stops the whole group.
fn run_command(ctx: &Ctx, i: usize, step: &CommandStep, state: &mut State) -> Result<()> {
    use std::os::fd::AsFd;
    let (repo, plan) = (ctx.repo, ctx.plan);
    let out = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::inherit());
    let run = &step.run;
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(run)
        .current_dir(repo.root())
        .env("VERSION", plan.version.as_str())
        .env(
            "WEBUI_VERSION",
            plan.webui.as_ref().map(Version::as_str).unwrap_or(""),
        )
        .env("PREVIOUS_VERSION", plan.current.as_str())
        .env("RELEASE_BRANCH", &plan.branch)
        .env("RELEASE_DATE", &plan.request.date)
        .stdin(Stdio::null())
        .stdout(out);
    crate::git::without_repo_env(&mut cmd);
    let mut saved = Ok(());
    let ended = process::run_in_group(
        &mut cmd,
        step.timeout_secs.map(Duration::from_secs),
        |g, _| {
            state.steps[i].process_group = Some(g);
            state.steps[i].process_leader = u32::try_from(g).ok().map(ProcessIdentity::of);
            saved = save_state(repo, state);
        },
    )
    .map_err(|e| Error::Step {
        step: run.clone(),
        message: format!("cannot start `sh -c {run}`: {e}"),
    })?;
    saved?;
    let message = match ended {
        Ended::Exited(status) if status.success() => return Ok(()),
        Ended::Exited(status) => format!("`{run}` exited with {status}"),
        Ended::Interrupted(signal) => {
            state.steps[i].status = StepStatus::Interrupted;
            format!(
                "`{run}` was stopped (its whole process group) because git release received {}",
                process::signal_name(signal)
            )
        }
        Ended::TimedOut(limit) => {
            state.steps[i].status = StepStatus::Interrupted;
            format!(
                "`{run}` ran longer than its timeout ({}s) and was stopped (its whole process group)",
                limit.as_secs()
            )
        }
    };
    Err(Error::Step {
        step: run.clone(),
        message,
    })
}
