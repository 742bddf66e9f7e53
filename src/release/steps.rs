//! Running the steps of a release, and `continue` / `abort` after a failed one.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::Reporter;
use super::plan::{Plan, PlannedStep, StepKind, expand, relative, step_by_hand, step_name};
use super::preflight::{next_dev_version, plan_freeze, without_stale};
use super::state::{State, clear_state, load_state, save_state};
use super::summary::{Summary, count_groups};
use crate::changelog::{Changelog, Release as Section};
use crate::config::Config;
use crate::consolidate::{self, Prepared};
use crate::error::{Error, Result};
use crate::fragments;
use crate::git::Repo;
use crate::version::Version;

/// Run the steps from `state.completed` on. On failure the state is saved and the error
/// says what to do next.
pub fn execute(
    repo: &Repo,
    config: &Config,
    mut plan: Plan,
    reporter: &dyn Reporter,
) -> Result<Summary> {
    let mut state = State {
        request: plan.request.clone(),
        base_branch: plan.base_branch.clone(),
        base_commit: plan.base_commit.clone(),
        branch: plan.branch.clone(),
        steps: plan.steps.iter().map(|s| s.kind.clone()).collect(),
        previous: plan.current.to_string(),
        completed: 0,
        commits: Vec::new(),
        rc_merged: plan.rc_sections.clone(),
        dirty_before_step: Vec::new(),
    };
    let prepared = plan.prepared.take();
    run_steps(repo, config, &plan, prepared, &mut state, reporter)
}

/// Run the steps from `state.completed` on. On failure the state is saved and the error
/// says what to do next.
fn run_steps(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
    prepared: Option<Prepared>,
    state: &mut State,
    reporter: &dyn Reporter,
) -> Result<Summary> {
    let total = plan.steps.len();
    let mut written: Option<Section> = plan.section.clone();
    let mut prepared = prepared;
    while state.completed < total {
        let i = state.completed;
        let step = &plan.steps[i];
        reporter.step(i + 1, total, &step.name);
        let result = run_step(
            repo,
            config,
            plan,
            &step.kind,
            &mut prepared,
            &mut written,
            state,
            reporter,
        );
        match result {
            Ok(()) => {
                state.completed += 1;
                if i > 0 {
                    save_state(repo, state)?;
                }
            }
            Err(Error::Aborted(why)) => {
                // The review was emptied: undo everything, as promised.
                abort_with(repo, state, reporter)?;
                return Err(Error::Aborted(format!(
                    "{why}; the release was undone and nothing was written"
                )));
            }
            Err(e) => {
                if i > 0 {
                    save_state(repo, state)?;
                }
                return Err(failure(plan, i, config.explain(e)));
            }
        }
    }
    clear_state(repo);
    let section = written.as_ref();
    Ok(Summary {
        version: plan.version.to_string(),
        branch: plan.branch.clone(),
        kind: plan.kind().to_string(),
        webui: plan.webui.as_ref().map(Version::to_string),
        changelog: relative(repo, &plan.changelog),
        entries: section.map(|s| s.entries().count()).unwrap_or(0),
        categories: section.map(|s| s.categories.len()).unwrap_or(0),
        groups: section.map(count_groups).unwrap_or(0),
        rc_merged: plan.rc_sections.clone(),
        next_version: plan.next_version.as_ref().map(Version::to_string),
        commits: state.commits.clone(),
    })
}

/// The error for a failed step, with the ways forward.
fn failure(plan: &Plan, i: usize, error: Error) -> Error {
    let step = &plan.steps[i];
    let mut msg = format!(
        "step {}/{} failed: {}\n  {error}\n\nWhat now:\n",
        i + 1,
        plan.steps.len(),
        step.name
    );
    match &step.by_hand {
        Some(cmd) => msg.push_str(&format!("  - fix the problem, run the step yourself:  {cmd}\n    then run the remaining steps:           git release continue\n")),
        None => msg.push_str("  - fix the problem and do this step by hand, then run the remaining steps: git release continue\n"),
    }
    let rest: Vec<String> = plan.steps[i + 1..]
        .iter()
        .enumerate()
        .map(|(k, s)| match &s.by_hand {
            Some(c) => format!("      {}. {}   ({c})", i + k + 2, s.name),
            None => format!("      {}. {}", i + k + 2, s.name),
        })
        .collect();
    if !rest.is_empty() {
        msg.push_str(&format!(
            "  - or run the remaining steps by hand:\n{}\n",
            rest.join("\n")
        ));
    }
    msg.push_str("  - or undo everything:                    git release abort");
    Error::Step {
        step: step.name.clone(),
        message: msg,
    }
}

#[allow(clippy::too_many_arguments)]
fn run_step(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
    kind: &StepKind,
    prepared: &mut Option<Prepared>,
    written: &mut Option<Section>,
    state: &mut State,
    reporter: &dyn Reporter,
) -> Result<()> {
    let version = &plan.version;
    match kind {
        StepKind::CreateBranch => {
            repo.create_branch(&plan.branch)?;
            save_state(repo, state)?;
            Ok(())
        }
        StepKind::Webui(i) | StepKind::Configured(i) => {
            let Some(step) = config.release.steps.get(*i) else {
                return Err(Error::Step {
                    step: format!("step {}", i + 1),
                    message: "the configured steps changed since the release started; run this step by hand".into(),
                });
            };
            // The step's commit holds the step's changes, not the release's pending ones.
            let before = dirty_set(repo)?;
            state.dirty_before_step = before.iter().cloned().collect();
            run_command(repo, &step.run, plan)?;
            if let Some(message) = &step.commit {
                let message = expand(message, version, plan.webui.as_ref());
                match commit_new_changes(repo, &before, &message)? {
                    Some(id) => state.commits.push(id),
                    None => reporter.note(&format!("`{}` changed nothing; no commit", step.name)),
                }
            }
            Ok(())
        }
        StepKind::VersionFile => {
            let file = config.version_file()?;
            let (path, old) = (file.path, file.text);
            let newline = if old.ends_with('\n') || old.is_empty() {
                "\n"
            } else {
                ""
            };
            crate::atomic::write(&path, format!("{version}{newline}").as_bytes())
        }
        // Worked out again from the work tree as it is now (a WebUI step may have changed
        // it), and written all at once.
        StepKind::Freeze => match plan_freeze(repo, config, version, &plan.changelog)? {
            Some(freeze) => freeze.apply(repo.root()),
            None => Err(Error::Step {
                step: "freeze".into(),
                message: "`[freeze]` is no longer configured; freeze the placeholder by hand"
                    .into(),
            }),
        },
        StepKind::Changelog => {
            if version.is_final() {
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
                    reporter.note(&note);
                }
                let section = if plan.request.no_edit {
                    p.grouped.release()
                } else {
                    match crate::review::review_release(repo, config, &p, false)? {
                        Some(r) => r,
                        None => return Err(Error::Aborted("the draft was emptied".into())),
                    }
                };
                consolidate::write(&p, &section, plan.request.keep_rc, false, Some(repo))?;
                *written = Some(section);
            } else {
                let set = fragments::discover(config)?;
                let (kept, _) =
                    without_stale(config, &set, version, &plan.request.date, &plan.changelog)?;
                let files: Vec<PathBuf> = set.fragments.iter().map(|f| f.path.clone()).collect();
                if kept.fragments.is_empty() {
                    // Only stale fragments: no section, the fragments go.
                    return crate::towncrier::remove_fragments(Some(repo), &files);
                }
                let build = crate::towncrier::plan(
                    config,
                    &kept,
                    version.as_str(),
                    &plan.request.date,
                    Some(&config.towncrier.name),
                )?;
                crate::atomic::write(&build.changelog, build.text.as_bytes())?;
                repo.add(&[&build.changelog])?;
                *written = Changelog::parse_with(&build.section, None)
                    .releases()
                    .first()
                    .cloned();
                crate::towncrier::remove_fragments(Some(repo), &files)?;
            }
            Ok(())
        }
        StepKind::Commit => {
            repo.add_all()?;
            let id = repo.commit(&expand(
                &config.release.commit_message,
                version,
                plan.webui.as_ref(),
            ))?;
            state.commits.push(id);
            Ok(())
        }
        StepKind::NextVersion => {
            let (Some(nv), Some(next)) = (&config.release.next_version, &plan.next_version) else {
                return Err(Error::Step {
                    step: "next version".into(),
                    message: "`[next-version]` is no longer configured; advance the next development version by hand".into(),
                });
            };
            let file = config.root.join(&nv.file);
            let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
            let caps = nv.pattern.captures(&text).ok_or_else(|| Error::Step {
                step: "next version".into(),
                message: format!("`{}` no longer matches {}", nv.pattern, nv.file),
            })?;
            let Some(m) = caps.name("version") else {
                return Err(Error::Step {
                    step: "next version".into(),
                    message: format!("`{}` has no `version` group", nv.pattern),
                });
            };
            let updated = format!("{}{}{}", &text[..m.start()], next, &text[m.end()..]);
            crate::atomic::write(&file, updated.as_bytes())?;
            repo.add(&[&file])?;
            let id = repo.commit(&expand(&nv.message, next, None))?;
            state.commits.push(id);
            Ok(())
        }
    }
}

/// The paths that differ from HEAD (staged, modified or untracked).
fn dirty_set(repo: &Repo) -> Result<std::collections::BTreeSet<String>> {
    Ok(repo.dirty_paths()?.into_iter().map(|d| d.path).collect())
}

/// Commit the paths that became dirty since `before`, alone, with `message`; `None` when
/// there are none. A file the release had already changed stays with the release commit.
fn commit_new_changes(
    repo: &Repo,
    before: &std::collections::BTreeSet<String>,
    message: &str,
) -> Result<Option<String>> {
    let changed: Vec<String> = dirty_set(repo)?
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    if changed.is_empty() {
        return Ok(None);
    }
    repo.add(&changed)?;
    repo.commit_only(message, &changed).map(Some)
}

/// Run a configured command through the shell, output shown live (on stderr, so that
/// stdout stays clean for `--format json`).
fn run_command(repo: &Repo, run: &str, plan: &Plan) -> Result<()> {
    use std::os::fd::AsFd;
    let out = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::inherit());
    let status = Command::new("sh")
        .arg("-c")
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
        .stdout(out)
        .status()
        .map_err(|e| Error::Step {
            step: run.into(),
            message: format!("cannot start `sh -c {run}`: {e}"),
        })?;
    if !status.success() {
        return Err(Error::Step {
            step: run.into(),
            message: format!("`{run}` exited with {status}"),
        });
    }
    Ok(())
}

/// `git release continue`: run the steps after the one that failed.
pub fn resume(repo: &Repo, config: &Config, reporter: &dyn Reporter) -> Result<Summary> {
    let mut state = load_state(repo)?
        .ok_or_else(|| Error::Refused("no release is in progress (nothing to continue)".into()))?;
    match repo.current_branch()? {
        Some(b) if b == state.branch => {}
        other => {
            return Err(Error::Refused(format!(
                "the release continues on `{}`, but HEAD is on `{}`; run `git switch {}` first",
                state.branch,
                other.unwrap_or_else(|| "a detached HEAD".into()),
                state.branch
            )));
        }
    }
    let plan = replan(config, &state)?;
    // The failed step is assumed fixed and done by hand; a step that commits its changes
    // still gets its commit.
    if let Some(StepKind::Webui(i) | StepKind::Configured(i)) = state.steps.get(state.completed) {
        if let Some(message) = config.release.steps.get(*i).and_then(|s| s.commit.as_ref()) {
            let before = state.dirty_before_step.iter().cloned().collect();
            let message = expand(message, &plan.version, plan.webui.as_ref());
            if let Some(id) = commit_new_changes(repo, &before, &message)? {
                state.commits.push(id);
            }
        }
    }
    state.completed += 1;
    save_state(repo, &state)?;
    reporter.note(&format!(
        "continuing {} after step {}",
        state.request.version, state.completed
    ));
    run_steps(repo, config, &plan, None, &mut state, reporter)
}

/// The plan of a release in progress, rebuilt from its state (the tree is no longer
/// clean and the branch exists, so pre-flight's checks do not apply).
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
    let next_version =
        if version.is_final() && version.is_sprint() && config.release.next_version.is_some() {
            Some(next_dev_version(&version)?)
        } else {
            None
        };
    // The section written before the failure, if the changelog step ran: the summary
    // describes it.
    let section = Changelog::read_with(&changelog, Some(&tc.start_string))?
        .and_then(|log| log.find(&version).map(|i| log.releases()[i].clone()));
    let steps = state
        .steps
        .iter()
        .map(|k| PlannedStep {
            kind: k.clone(),
            name: step_name(config, k, &version, webui.as_ref()),
            by_hand: step_by_hand(config, k, &version, webui.as_ref(), state),
        })
        .collect();
    Ok(Plan {
        request: state.request.clone(),
        current: Version::parse(&state.previous).unwrap_or_else(|_| version.clone()),
        version,
        webui,
        base_branch: state.base_branch.clone(),
        base_commit: state.base_commit.clone(),
        branch: state.branch.clone(),
        changelog,
        rc_sections: state.rc_merged.clone(),
        fragment_files: Vec::new(),
        stale: Vec::new(),
        next_version,
        freeze: None,
        steps,
        section,
        group_count: 0,
        prepared: None,
    })
}

/// `git release abort`: back to the base branch, release branch deleted, fragments and
/// every other file restored.
pub fn abort(repo: &Repo, reporter: &dyn Reporter) -> Result<()> {
    let state = load_state(repo)?
        .ok_or_else(|| Error::Refused("no release is in progress (nothing to abort)".into()))?;
    abort_with(repo, &state, reporter)
}

fn abort_with(repo: &Repo, state: &State, reporter: &dyn Reporter) -> Result<()> {
    // A review draft kept for `--resume` belongs to this release.
    let _ = std::fs::remove_file(crate::review::draft_path(repo.git_dir()));
    if repo.current_branch()?.as_deref() == Some(state.branch.as_str()) {
        repo.reset_hard("HEAD")?;
        repo.switch(&state.base_branch)?;
    } else {
        // Never on the release branch (the very first step failed): just clean up.
        repo.reset_hard("HEAD")?;
    }
    if repo.branch_exists(&state.branch)? {
        repo.delete_branch(&state.branch)?;
    }
    let left: Vec<String> = repo
        .dirty_paths()?
        .into_iter()
        .filter(|d| d.kind == crate::git::DirtyKind::Untracked)
        .map(|d| d.path)
        .collect();
    clear_state(repo);
    reporter.note(&format!(
        "aborted {}: back on {}, {} deleted",
        state.request.version, state.base_branch, state.branch
    ));
    if !left.is_empty() {
        reporter.warn(&format!(
            "untracked files created during the release were left in place: {}",
            left.join(", ")
        ));
    }
    Ok(())
}
