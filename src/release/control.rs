//! `git release continue` and `git release abort`: a stopped release finished or undone,
//! exactly as its state file says, touching nothing that is not the release's.

use super::Reporter;
use super::checks::check_no_index_lock;
use super::commits::commit_new_changes;
use super::entries;
use super::guard;
use super::lock::Lock;
use super::plan::{Plan, StepKind};
use super::state::{State, StepStatus, clear_state, load_state, save_state};
use super::steps::{Ctx, run_steps};
use super::summary::Summary;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::process::{self, ProcessIdentity};
use crate::version::Version;

/// How to continue.
#[derive(Debug, Clone, Copy, Default)]
pub struct Continue {
    /// The step that stopped was finished by hand: mark it done instead of running it
    /// again (a committing command still gets its commit).
    pub skip: bool,
}

/// `git release continue`: run the step that did not finish again (or take it as done by
/// hand with `skip`), then the rest.
pub fn resume(
    repo: &Repo,
    config: &Config,
    how: Continue,
    reporter: &dyn Reporter,
) -> Result<Summary> {
    let lock = Lock::acquire(repo)?;
    let mut state = load_state(repo)?.ok_or_else(|| nothing_stopped(repo, "continue"))?;
    refuse_while_a_step_runs(&state)?;
    check_no_index_lock(repo)?;
    refuse_operation_in_progress(repo, "continue")?;
    let half_made = branch_half_made(repo, &state)?;
    if half_made {
        refuse_branches_in_use(
            repo,
            &[(&state.branch, "continue switches to it")],
            "continue",
        )?;
    }
    remove_unfinished_writes(repo)?;
    if half_made {
        // The branch exists and HEAD never moved to it: the step's other half.
        repo.switch(&state.branch)?;
    }
    let next = state.next_step();
    let branch_made = state
        .steps
        .first()
        .is_some_and(|s| s.status.finished() || repo.branch_exists(&state.branch).unwrap_or(false));
    if branch_made && !repo.branch_exists(&state.branch)? {
        return Err(Error::Refused(format!(
            "the release branch `{}` no longer exists (it was deleted while the release was \
             stopped), so there is nothing to continue; `git release abort` forgets the \
             release and changes nothing else, then start it again",
            state.branch
        )));
    }
    let expected = if branch_made {
        &state.branch
    } else {
        &state.base_branch
    };
    match repo.current_branch()? {
        Some(b) if &b == expected => {}
        other => {
            return Err(Error::Refused(format!(
                "the release continues on `{expected}`, but HEAD is on `{}`; run `git switch {expected}` first",
                other.unwrap_or_else(|| "a detached HEAD".into()),
            )));
        }
    }
    let mut plan = replan(config, &state)?;
    refuse_what_is_not_the_plan(repo, config, &state, how)?;
    // A commit of the user's on the release branch (made while the release was stopped, or
    // while its review was open) may hold the release's changes: named, never released.
    if branch_made && let Some(message) = guard::foreign_commits_named(repo, &state)? {
        return Err(Error::Refused(message));
    }
    if !how.skip {
        // After a kill nothing tells the killed step's writes from the user's by looking:
        // the step runs again, and what changed outside the release's files since it
        // started that it does not write again stops it, named (`rerun`).
        let unsure = guard::changed_since_killed(repo, &state)?;
        if !unsure.is_empty() {
            reporter.note(&format!(
                "a step was killed while it ran, and since it started {} changed outside the \
                 release's own files; only what the step writes when it runs again goes into \
                 the release, and the rest stops it, named",
                guard::list(&unsure)
            ));
        }
        guard::adopt_staged(repo, &mut state)?;
    }
    plan.lock = Some(std::sync::Arc::new(lock));
    let _signals = process::catch();
    if let Some(i) = next {
        let kind = &state.steps[i].step.kind;
        // A section written by hand is held to the release's entries as the step's own is.
        let missing = || -> Result<Option<String>> {
            Ok(
                match guard::missing_by_hand(repo, config, &plan, &state, kind)? {
                    None if matches!(kind, StepKind::Changelog) => {
                        entries::unpublished(config, &plan, state.planned_entries.as_ref())?
                    }
                    other => other,
                },
            )
        };
        if how.skip
            && let Some(missing) = missing()?
        {
            return Err(Error::Refused(format!(
                "`--skip` says step {} ({}) was done by hand, but {missing}; do it (or let the \
                 step do it: `git release continue` without --skip), then continue",
                i + 1,
                state.steps[i].step.name
            )));
        }
        guard::record_hand_work(repo, &mut state)?;
        guard::leave_hand_work_to_the_release_commit(repo, &mut state, i)?;
        let record = &mut state.steps[i];
        if how.skip {
            // Done by hand: a committing command still gets its own commit.
            if let StepKind::Command(c) = &record.step.kind
                && let Some(message) = &c.commit
            {
                let before = record.dirty_before.iter().cloned().collect();
                if let Some(id) = commit_new_changes(repo, &before, message)? {
                    state.commits.push(id);
                }
            }
            // What else changed outside the release's files is that step's work too (its
            // own commit, when it has one, took it already): the release commit takes it.
            guard::adopt_as_hand_work(repo, &mut state)?;
            let record = &mut state.steps[i];
            record.status = StepStatus::Skipped;
            save_state(repo, &state)?;
            reporter.note(&format!(
                "step {} ({}) marked as done by hand",
                i + 1,
                state.steps[i].step.name
            ));
        } else {
            reporter.note(&format!(
                "continuing {} at step {} ({}), which {}",
                state.request.version,
                i + 1,
                record.step.name,
                match record.status {
                    StepStatus::Pending => "had not started",
                    StepStatus::Started => "started and did not finish",
                    StepStatus::Interrupted => "was interrupted",
                    _ => "failed",
                }
            ));
        }
    }
    // A finished step whose work is gone from the work tree is done again.
    for k in guard::lost_work(repo, config, &plan, &state)? {
        state.steps[k].status = StepStatus::Pending;
        reporter.note(&format!(
            "step {} ({}) had finished, but its work is no longer in the work tree: it runs again",
            k + 1,
            state.steps[k].step.name
        ));
    }
    let ctx = Ctx {
        repo,
        config,
        plan: &plan,
        reporter,
    };
    run_steps(&ctx, None, &mut state)
}

/// No release is stopped in this work tree: said so, naming the work tree where one is
/// (each work tree continues or aborts its own).
fn nothing_stopped(repo: &Repo, command: &str) -> Error {
    match super::state::stopped_elsewhere(repo).first() {
        Some(other) => Error::Refused(format!(
            "no release is in progress in this work tree; one is stopped in the work tree {}: \
             run `git release {command}` there",
            other.display()
        )),
        None => Error::Refused(format!("no release is in progress (nothing to {command})")),
    }
}

/// `continue` goes on with the release that was planned and with nothing else: it refuses
/// when the configuration a step still to run reads was edited since the stop, and (unless
/// `--skip` says the changes are the step done by hand) when something outside the
/// release's own paths changed since, which the release commit would take in.
fn refuse_what_is_not_the_plan(
    repo: &Repo,
    config: &Config,
    state: &State,
    how: Continue,
) -> Result<()> {
    let changed = guard::changed_config(config, state);
    let next = state.next_step();
    let reader = state.steps.iter().enumerate().find(|(k, s)| {
        !s.status.finished() && guard::reads_config(&s.step.kind) && !(how.skip && Some(*k) == next)
    });
    if let (false, Some((k, step))) = (changed.is_empty(), reader) {
        return Err(Error::Refused(format!(
            "{} changed since the release stopped, and step {} ({}) still to run reads it; the \
             release continues as it was planned and confirmed: undo the edit (`git diff -- {}`), \
             or `git release abort` and start again with the new configuration",
            changed.join(", "),
            k + 1,
            step.step.name,
            shell_words(&changed),
        )));
    }
    if how.skip {
        return Ok(());
    }
    let hook_edits = super::byproducts::unstaged_hook_edits(repo, state)?;
    if !hook_edits.is_empty() {
        return Err(Error::Refused(format!(
            "the hooks of the release commit that failed changed {}, and the release would \
             commit them unseen; look at them (`git diff`), stage (`git add <path>…`) what \
             belongs in the release and undo the rest, then `git release continue`",
            hook_edits.join(", ")
        )));
    }
    // As with `git rebase --continue`, what the user staged goes into the release; what
    // is only in the work tree is the user's own.
    let unstaged: Vec<_> = guard::foreign_changes(repo, state)?
        .into_iter()
        .filter(|d| d.kind != crate::git::DirtyKind::Staged)
        .collect();
    if !unstaged.is_empty() {
        return Err(Error::Refused(format!(
            "changed while the release was stopped, and not the release's: {}; the release \
             would commit them. If they belong in the release (the fix for the step), stage \
             them (`git add <path>…`); if not, put them aside (`git stash push \
             --include-untracked -- <path>…`); then `git release continue`. If they are the \
             stopped step done by hand, `git release continue --skip`",
            guard::list(&unstaged)
        )));
    }
    Ok(())
}

/// A step's command left running by a release that was killed must end first: it would
/// go on changing files under `continue` or after `abort`. Only that very group counts: a
/// group id reused since (a restart, another container) is someone else's.
fn refuse_while_a_step_runs(state: &State) -> Result<()> {
    for (i, s) in state.steps.iter().enumerate() {
        let Some(group) = s.process_group else {
            continue;
        };
        let Ok(id) = u32::try_from(group) else {
            continue;
        };
        let leader = s
            .process_leader
            .clone()
            .filter(|l| l.pid == id)
            .unwrap_or_else(|| ProcessIdentity::unknown(id));
        if leader.group_alive() {
            return Err(Error::Refused(format!(
                "step {} ({}) of the stopped release is still running as process group {group}; \
                 wait for it to end or stop it (`kill -TERM -{group}`), then run this again",
                i + 1,
                s.step.name
            )));
        }
    }
    Ok(())
}

/// The plan of a release in progress, rebuilt from its state (the tree is no longer clean
/// and the branch exists, so pre-flight's checks do not apply). The steps come from the
/// state file, never from the configuration.
fn replan(config: &Config, state: &State) -> Result<Plan> {
    let version = Version::parse(&state.request.version)?;
    let webui = state
        .request
        .webui_version
        .as_deref()
        .map(Version::parse)
        .transpose()?;
    let tc = &config.towncrier;
    let changelog =
        crate::towncrier::changelog_path(config, version.as_str(), &tc.name, &state.request.date)?;
    let form = match version.is_final() && !state.final_as_built {
        true => crate::consolidate::SectionForm::Consolidated,
        false => crate::consolidate::SectionForm::AsBuilt {
            unfolded: Vec::new(),
        },
    };
    Ok(Plan {
        request: state.request.clone(),
        current: Version::parse(&state.previous).unwrap_or_else(|_| version.clone()),
        version_from: String::new(),
        next_version: state
            .next_version
            .as_deref()
            .and_then(|v| Version::parse(v).ok()),
        version,
        webui,
        base_branch: state.base_branch.clone(),
        base_commit: state.base_commit.clone(),
        branch: state.branch.clone(),
        form,
        changelog,
        rc_sections: state.rc_merged.clone(),
        fragment_files: Vec::new(),
        stale: Vec::new(),
        freeze: None,
        steps: state.steps.iter().map(|s| s.step.clone()).collect(),
        section: None,
        // Its counts as planned, kept in the state: the summary reports them (05).
        unread_section: state.unread_section,
        group_count: 0,
        prepared: None,
        lock: None,
        review_unavailable: None,
    })
}

/// `git release abort`: back to the base branch, release branch deleted, fragments and
/// every other file restored, the files the release created removed.
pub fn abort(repo: &Repo, reporter: &dyn Reporter) -> Result<()> {
    let _lock = Lock::acquire(repo)?;
    let state = load_state(repo)?.ok_or_else(|| nothing_stopped(repo, "abort"))?;
    abort_with(repo, &state, reporter)
}

/// A write the stop cut short — its temporary file written, not yet renamed onto the file
/// it replaces — leaves that temporary file beside it: git-release's own, never the
/// user's (the name is [`atomic`](crate::atomic)'s), so it goes before anything is compared
/// (the file it was to replace is written again by the step that runs again). Also run by
/// the commands that write on their own (`consolidate`, `build`, `freeze`) once they hold
/// the lock, which serialises every write of git-release here: a temporary file found then
/// is a killed run's. Returns the paths removed (relative to the work tree).
pub fn remove_unfinished_writes(repo: &Repo) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    for path in repo.untracked_files()? {
        let full = repo.root().join(&path);
        // A regular file only, as `atomic::remove_unfinished_writes` removes: a symlink of
        // that name is never a write's temporary.
        if full
            .file_name()
            .is_some_and(crate::atomic::is_unfinished_write)
            && full.symlink_metadata().is_ok_and(|m| m.is_file())
        {
            std::fs::remove_file(&full).map_err(|e| Error::io(&full, e))?;
            removed.push(path);
        }
    }
    Ok(removed)
}

/// Whether the release was stopped inside its first step, between creating the release
/// branch and moving HEAD to it (`git switch --create` interrupted): the step has not
/// finished, HEAD is still on the base branch at the base commit, and the branch points at
/// that same commit — nothing is on it but the release's start.
fn branch_half_made(repo: &Repo, state: &State) -> Result<bool> {
    let first_unfinished = state
        .steps
        .first()
        .is_some_and(|s| matches!(s.step.kind, StepKind::CreateBranch) && !s.status.finished());
    if !first_unfinished || repo.current_branch()?.as_deref() != Some(&state.base_branch) {
        return Ok(false);
    }
    let base = Some(&state.base_commit);
    Ok(repo.head_commit()?.as_ref() == base && repo.branch_commit(&state.branch)?.as_ref() == base)
}

/// `paths` as shell words, for a command a message advises (a path with a space pasted
/// as one argument).
fn shell_words(paths: &[String]) -> String {
    paths
        .iter()
        .map(|p| super::plan::shell_quote(p))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A merge, rebase, `git am`, cherry-pick, revert or bisect in progress (the user's, begun
/// while the release was stopped): `continue` would commit into it (in the middle of a
/// bisect), `abort` would reset under it, and the `git switch` either would advise is
/// refused by git while it lasts. Named, with how to end it, before anything changes.
fn refuse_operation_in_progress(repo: &Repo, command: &str) -> Result<()> {
    let Some(op) = repo.operation_in_progress() else {
        return Ok(());
    };
    let how = if op == "bisect" {
        "end it (`git bisect reset`)".to_string()
    } else {
        format!("finish it (`git {op} --continue`) or undo it (`git {op} --abort`)")
    };
    Err(Error::Refused(format!(
        "a `git {op}` is in progress; {how}, then run `git release {command}` again"
    )))
}

/// Undo the release `state` describes. Only the release branch is ever reset; on any other
/// branch (or the base branch while the release branch exists) this refuses, so work that
/// is not the release's is never touched.
pub(crate) fn abort_with(repo: &Repo, state: &State, reporter: &dyn Reporter) -> Result<()> {
    refuse_while_a_step_runs(state)?;
    check_no_index_lock(repo)?;
    refuse_operation_in_progress(repo, "abort")?;
    remove_unfinished_writes(repo)?;
    let (branch, base) = (&state.branch, &state.base_branch);
    let deleting = (branch.as_str(), "abort deletes it");
    let branch_exists = repo.branch_exists(branch)?;
    let head = repo.current_branch()?;
    match head.as_deref() {
        Some(b) if b == branch => {
            refuse_to_discard_the_users(repo, state)?;
            refuse_branches_in_use(repo, &[(base, "abort goes back to it"), deleting], "abort")?;
            keep_what_cannot_be_told(repo, state, reporter)?;
            let mut aborting = state.clone();
            aborting.aborting = true;
            aborting.restoring = repo.changed_since(&state.base_commit, None)?;
            save_state(repo, &aborting)?;
            repo.reset_hard("HEAD")?;
            remove_created(repo, &state.created)?;
            remove_created_ignored(repo, &state.created_ignored)?;
            repo.switch(base)?;
            restore_modes(repo, &aborting, reporter);
            give_back_bytes(repo, &aborting, reporter);
            repo.delete_branch(branch)?;
        }
        // The branch was never created: nothing on disk is the release's.
        Some(b) if b == base && !branch_exists => {}
        // Created, and HEAD never moved to it: the branch is all there is to undo.
        Some(_) if branch_half_made(repo, state)? => {
            refuse_branches_in_use(repo, &[deleting], "abort")?;
            repo.delete_branch(branch)?;
        }
        // An abort stopped between going back to the base branch and deleting the release
        // branch: the base branch as the release found it, clean, and the branch holding
        // only the release's commits — deleting it is what is left. (Without the mark, HEAD
        // went back by the user's hand, and the release's changes may be anywhere: refused
        // below.)
        Some(b)
            if b == base
                && state.aborting
                && repo.head_commit()?.as_ref() == Some(&state.base_commit)
                && repo.is_clean()? =>
        {
            refuse_to_discard_the_users(repo, state)?;
            refuse_branches_in_use(repo, &[deleting], "abort")?;
            restore_modes(repo, state, reporter);
            give_back_bytes(repo, state, reporter);
            repo.delete_branch(branch)?;
        }
        Some(b) if b == base => {
            return Err(Error::Refused(format!(
                "HEAD is on `{base}`, but the release's changes are on `{branch}`; abort undoes \
                 them there and leaves `{base}` alone: run `git switch {branch}` and \
                 `git release abort` again (or delete the branch yourself: `git branch -D {branch}`)"
            )));
        }
        other => {
            return Err(Error::Refused(format!(
                "HEAD is on {}, not on the release branch `{branch}`; abort only undoes the \
                 release on its own branch and never resets another: run `git switch {branch}` \
                 (your work on {} stays as it is), then `git release abort`",
                other.map_or("a detached HEAD".to_string(), |b| format!("`{b}`")),
                other.map_or("it".to_string(), |b| format!("`{b}`")),
            )));
        }
    }
    // A review draft kept for `--resume` belongs to this release.
    let _ = std::fs::remove_file(crate::review::draft_path(repo.git_dir()));
    let left = repo.untracked_files()?;
    clear_state(repo);
    reporter.note(&format!(
        "aborted {}: back on {base}{}",
        state.request.version,
        if branch_exists {
            format!(", {branch} deleted")
        } else {
            String::new()
        }
    ));
    if !left.is_empty() {
        reporter.warn(&format!(
            "untracked files that the release did not record as its own were left in place: {}",
            left.join(", ")
        ));
    }
    Ok(())
}

/// git checks a branch out in one work tree at a time, and will neither switch to nor
/// delete one checked out in another: each branch `command` will switch to or delete (with
/// what it does to it) is checked before anything changes, so it never stops half-way.
fn refuse_branches_in_use(repo: &Repo, branches: &[(&str, &str)], command: &str) -> Result<()> {
    for (branch, why) in branches {
        if let Some(other) = repo.worktrees_on_branch(branch)?.first() {
            let other = super::plan::shell_quote(&other.to_string_lossy());
            return Err(Error::Refused(format!(
                "`{branch}` is checked out in another work tree, {other}, and {why}; git \
                 allows a branch in one work tree at a time. Switch that work tree to another \
                 branch (`git -C {other} switch --detach`) or remove it (`git worktree remove \
                 {other}`), then `git release {command}`. Nothing was changed"
            )));
        }
    }
    Ok(())
}

/// Put back the modes the files `abort` restored had when the release started (git wrote
/// them with the umask's); a file whose mode cannot be set is named, not fatal: its
/// content is restored.
fn restore_modes(repo: &Repo, state: &State, reporter: &dyn Reporter) {
    let Some(modes) = &state.modes else {
        return;
    };
    for (path, e) in modes.restore(repo, &state.restoring) {
        reporter.warn(&format!(
            "{path} is restored, but its mode could not be set back as it was: {e}"
        ));
    }
}

/// Give back the bytes the files the release wrote had when it started, where git's
/// checkout wrote others (see [`super::window::give_back_bytes`]); a file it cannot is named.
fn give_back_bytes(repo: &Repo, state: &State, reporter: &dyn Reporter) {
    let inexact = super::window::give_back_bytes(repo, state);
    if !inexact.is_empty() {
        reporter.warn(&format!(
            "restored as git checks them out now, which differs from the bytes they had when \
             the release started (a checkout filter or line-end setting changed since?): {}",
            inexact.join(", ")
        ));
    }
}

/// `abort` discards the release's changes and deletes its branch: it refuses when either
/// would take the user's work with it (changes made while the release was stopped outside
/// the release's paths, commits on the branch that the release did not make and nothing
/// else holds).
fn refuse_to_discard_the_users(repo: &Repo, state: &State) -> Result<()> {
    // Checked before anything is undone: an abort that cannot end on the base branch
    // would stop half-way.
    if !repo.branch_exists(&state.base_branch)? {
        return Err(Error::Refused(format!(
            "the base branch `{}` no longer exists (renamed or deleted while the release was \
             stopped), and abort goes back to it; recreate it where the release started \
             (`git branch {} {}`), then `git release abort`",
            state.base_branch, state.base_branch, state.base_commit
        )));
    }
    let foreign = guard::foreign_changes(repo, state)?;
    if !foreign.is_empty() {
        return Err(Error::Refused(format!(
            "changed while the release was stopped, and not the release's: {}; abort would \
             discard them. Put them aside (`git stash push --include-untracked -- <path>…`) or \
             commit them on a branch of their own, then `git release abort`",
            guard::list(&foreign)
        )));
    }
    // A consumed fragment is the release's to remove, but an edit of it made since the
    // release read it is the user's: restored by abort, it would be lost.
    let edited: Vec<String> = super::window::edited_fragments(state)
        .into_iter()
        .map(|f| repo.relative_path(f))
        .collect();
    if !edited.is_empty() {
        return Err(Error::Refused(format!(
            "{} changed since the release read {}, and abort would give back the text it \
             read, discarding your edit. Keep a copy (`git stash push -- {}`; `git stash pop` \
             after the abort), or undo the edit (`git restore -- {}`), then `git release abort`",
            edited.join(", "),
            if edited.len() == 1 { "it" } else { "them" },
            shell_words(&edited),
            shell_words(&edited),
        )));
    }
    // So is an edit of a file the release wrote (the changelog, the version file, a frozen
    // source): abort would give back the file as the release found it.
    let edited = super::left::edited_since(repo, state);
    if !edited.is_empty() {
        return Err(Error::Refused(format!(
            "{} changed since the release wrote {}, and abort would give back what {} held \
             before the release, discarding your edit. Keep a copy of your edit elsewhere, \
             then put {} back as before the release (`git checkout {} -- {}`) and run `git \
             release abort` again",
            edited.join(", "),
            if edited.len() == 1 { "it" } else { "them" },
            if edited.len() == 1 { "it" } else { "they" },
            if edited.len() == 1 { "it" } else { "them" },
            &state.base_commit[..state.base_commit.len().min(12)],
            shell_words(&edited),
        )));
    }
    let commits = guard::commits_abort_would_lose(repo, state)?;
    if !commits.is_empty() {
        let shown: Vec<String> = commits
            .iter()
            .map(|(id, subject)| format!("{} {subject}", &id[..id.len().min(10)]))
            .collect();
        return Err(Error::Refused(format!(
            "`{}` holds commits the release did not make, which deleting it would lose: {}; \
             keep them on a branch of their own (`git branch <name> {}`), then `git release abort`",
            state.branch,
            shown.join("; "),
            &commits[0].0[..commits[0].0.len().min(10)],
        )));
    }
    Ok(())
}

/// A file changed since a step that was killed started holds the step's writes or the
/// user's edit, and nothing tells which: abort gives it back all the same (refusing would
/// refuse every abort after a kill that wrote a file), after keeping a copy it names.
fn keep_what_cannot_be_told(repo: &Repo, state: &State, reporter: &dyn Reporter) -> Result<()> {
    let mut unsure = super::left::unsure(repo, state);
    // Outside the release's files too: a tracked file changed or a new file staged since
    // the killed step started (abort gives back the one and drops the other), when it is
    // a file to copy. Untracked files abort leaves alone.
    for d in guard::changed_since_killed(repo, state)? {
        let file = repo.root().join(&d.path);
        let a_file = file.symlink_metadata().is_ok_and(|m| m.is_file());
        if d.kind != crate::git::DirtyKind::Untracked && a_file && !unsure.contains(&d.path) {
            unsure.push(d.path);
        }
    }
    if unsure.is_empty() {
        return Ok(());
    }
    let kept = super::left::keep_copies(repo, &unsure)?;
    let shown: Vec<String> = kept
        .iter()
        .map(|(path, to)| format!("{path} as {}", to.display()))
        .collect();
    reporter.warn(&format!(
        "a step was killed while it ran, and changed since it started: {}; whether by the \
         step or by you cannot be told, so a copy of each was kept before it was given back \
         as before the release: {}",
        unsure.join(", "),
        shown.join(", ")
    ));
    Ok(())
}

/// Remove the untracked files the release created (those still untracked), and the
/// directories that held only them.
fn remove_created(repo: &Repo, created: &[String]) -> Result<()> {
    let untracked: std::collections::BTreeSet<String> =
        repo.untracked_files()?.into_iter().collect();
    remove_files(repo, created.iter().filter(|p| untracked.contains(*p)))
}

/// Remove the ignored files the release's steps created (those still ignored and
/// untracked), and the directories that held only them.
fn remove_created_ignored(repo: &Repo, created: &[String]) -> Result<()> {
    if created.is_empty() {
        return Ok(());
    }
    let ignored = super::byproducts::ignored_files(repo)?;
    remove_files(repo, created.iter().filter(|p| ignored.contains(*p)))
}

fn remove_files<'a>(repo: &Repo, paths: impl Iterator<Item = &'a String>) -> Result<()> {
    for rel in paths {
        let path = repo.root().join(rel);
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == repo.root() || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}
