//! Pre-flight: everything a release needs is checked before anything changes, and what
//! it found becomes the [`Plan`].

use std::path::{Path, PathBuf};

use super::checks::{RepositoryChecks, check_fragments_in_git, check_paths, check_repository};
use super::lock::Lock;
use super::next_version::{advance_by_hand, check_next_version};
use super::plan::{
    CommandStep, NextVersionStep, Plan, PlannedStep, StepKind, expand, relative, sed_replace,
    shell_quote,
};
use super::request::Request;
use super::section::{SectionPlan, plan_section};
use crate::changelog::Release as Section;
use crate::config::{Config, StepWhen, VersionFile};
use crate::consolidate;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::group::Strategy;
use crate::version::{Tags, Version};

/// Pre-flight: check everything, change nothing. The repository's release lock is taken
/// first and held by the plan until the release ends (or the plan is dropped).
pub fn preflight(repo: &Repo, config: &Config, request: &Request) -> Result<Plan> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let request = &request.anchored(&cwd);
    let version = Version::parse_normal(&request.version)?;
    let webui = request
        .webui_version
        .as_deref()
        .map(|w| Version::parse(w).map_err(|e| Error::Refused(format!("WebUI version: {e}"))))
        .transpose()?;
    // Also refused while a release is stopped here or in another work tree.
    let lock = Lock::acquire_for_writing(repo, None)?;
    // The work tree's status (the clean check's, in `check_repository`) is the longest
    // read of pre-flight, `git status` of the whole tree: started first, it runs while
    // everything up to that check does. Nothing below writes to the work tree or the index
    // before the check; the scope ends with the repository's checks (a grouping command,
    // which runs after them, sees a status of its own).
    let status = repo.status_ahead();
    // A kept review draft would be replaced by the release's review, or by the section
    // written without one (`--no-edit`).
    if version.is_final() {
        crate::review::check_no_kept_draft(repo.git_dir())?;
    }
    // Where the release reads and writes, checked before any of it is read (a FIFO there
    // would hang the read); the freeze's files are checked once they are known.
    let changelog = crate::towncrier::changelog_path(
        config,
        version.as_str(),
        &config.towncrier.name,
        &request.date,
    )?;
    check_paths(repo, config, &changelog, &[])?;
    // `git release v7.8.0rc1`: the `v` kept (for towncrier's heading) where the project
    // writes its versions with one; the request says it as the release (and `continue`)
    // takes it.
    let version = spelled_as_the_project(repo, config, version, &changelog);
    let request = &Request {
        version: version.spelled(),
        ..request.clone()
    };
    // The section (reading the changelog and fragments, folding, grouping) needs nothing
    // of the repository, and the repository's checks are mostly the work tree's status:
    // they run at once. A refusal still comes in the order the checks are written here,
    // the repository's first. An external grouper is started only once the repository
    // checks passed: it may be slow or costly, and must not run for a refused release.
    // Whether the section is consolidated (and reviewed) or written as towncrier builds it
    // (`SectionForm::of` reads the changelog: the planning's first step); a refusal here
    // comes with the section's, after the repository's. The repository's checks ask
    // whether the section is reviewed (for its editor) only at their end.
    let form = || consolidate::SectionForm::of(config, &version, &changelog);
    let reviewed = |form: &Result<consolidate::SectionForm>| {
        form.as_ref().is_ok_and(|f| f.consolidates()) && !request.no_edit
    };
    let (checks, section) = if request.grouping(config).strategy == Strategy::Command {
        let form = form();
        let reviewed = reviewed(&form);
        let checks = check_repository(
            repo,
            config,
            request,
            &version,
            webui.as_ref(),
            &changelog,
            || reviewed,
        );
        drop(status);
        (Ok(checks?), plan_section(config, &version, request, form))
    } else {
        std::thread::scope(|scope| {
            let version = &version;
            let (told, reviewed_rx) = std::sync::mpsc::sync_channel(1);
            let section = scope.spawn(move || {
                let form = form();
                // The receiver waits for this (a panic before it drops the sender: no review,
                // and the panic is raised below).
                let _ = told.send(reviewed(&form));
                plan_section(config, version, request, form)
            });
            let checks = check_repository(
                repo,
                config,
                request,
                version,
                webui.as_ref(),
                &changelog,
                || reviewed_rx.recv().unwrap_or(false),
            );
            drop(status);
            let section = section
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (checks, section)
        })
    };
    let RepositoryChecks {
        current,
        base_commit,
        branch,
        review_unavailable,
        base,
    } = checks?;
    let section = section?;
    // Planning ran other programs (a grouping command): the base branch must still be where
    // the checks found it, or the release would branch from a commit nobody reviewed.
    let head = repo.head_commit()?.unwrap_or_default();
    if head != base_commit {
        return Err(Error::Refused(format!(
            "HEAD moved from {} to {} while the release was planned (the grouping command \
             committed?); nothing was changed. Look at that commit (`git show {}`), undo it if \
             it is not yours to release, then run again",
            short(&base_commit),
            short(&head),
            short(&head),
        )));
    }
    check_rc_folded(config, &current, &version, &section, request)?;
    let tags = Tags::read(repo.tags()?);
    check_against_releases(config, &tags, &current, &version, &section, request)?;
    check_fragments_in_git(repo, config, &section.fragment_files)?;
    // Configured files must be usable before anything is touched.
    let next_version = check_next_version(repo, config, &version, &tags, request.allow_downgrade)?;
    let freeze = plan_freeze(
        repo,
        config,
        &version,
        &section.changelog,
        &request.files_read(),
    )?;
    let freeze_files: Vec<PathBuf> = freeze
        .iter()
        .flat_map(|f| &f.changes)
        .map(|c| repo.root().join(&c.path))
        .collect();
    check_paths(repo, config, &section.changelog, &freeze_files)?;

    let version_from = config.version_from().unwrap_or_else(|| {
        format!(
            "no version file: {current} is the newest release of the changelog and the \
             tags (the version comes from git tags; no file is written)"
        )
    });
    let mut plan = Plan {
        request: request.clone(),
        version,
        current,
        version_from,
        webui,
        base_branch: base.clone(),
        base_commit,
        branch,
        form: section.form,
        changelog: section.changelog,
        rc_sections: section.rc_sections,
        fragment_files: section.fragment_files,
        stale: section.stale,
        next_version,
        freeze,
        steps: Vec::new(),
        section: section.section,
        unread_section: section.unread_section,
        group_count: section.group_count,
        prepared: section.prepared,
        lock: Some(std::sync::Arc::new(lock)),
        review_unavailable,
    };
    plan.steps = plan_steps(repo, config, &plan)?;
    check_something_to_commit(&plan)?;
    Ok(plan)
}

/// A release whose steps write nothing (no version file — the version comes from tags —,
/// no fragment, nothing to freeze, no configured command) would stop at an empty release
/// commit after making its branch: refused here, with nothing changed.
fn check_something_to_commit(plan: &Plan) -> Result<()> {
    let writes = plan.steps.iter().any(|s| {
        !matches!(
            s.kind,
            StepKind::CreateBranch | StepKind::Commit { .. } | StepKind::NextVersion(_)
        )
    });
    if writes {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "nothing to release in {}: there is no news fragment, no version file to write (the \
         version comes from the tags) and no configured step, so the release commit would be \
         empty; nothing was changed. Add a news fragment for it (`towncrier create`), or, if \
         the release only needs its tag, tag the commit yourself (`git tag {}`)",
        plan.version, plan.version
    )))
}

/// The version asked with a `v` (`v7.8.0rc1`) keeps it when the project writes its
/// versions so: the version file (`v7.7.0`) or the changelog's newest release (`## v7.7.0`);
/// else it is written without (`7.8.0rc1`, the project's spelling). Its value is the same.
fn spelled_as_the_project(
    repo: &Repo,
    config: &Config,
    version: Version,
    changelog: &Path,
) -> Version {
    if version.spelled() == version.as_str() {
        return version;
    }
    let file_has_v = config.version_file().ok().flatten().is_some_and(|f| {
        crate::version::held(&f.text, f.pattern.as_ref())
            .is_ok_and(|(span, _)| f.text[span].starts_with(['v', 'V']))
    });
    // A `v` the title format writes itself (pdm's `## Release v{version}`) is not the
    // version's.
    let format_has_v = matches!(
        &config.towncrier.title_format,
        crate::config::TitleFormat::Format(f) if f.contains("v{version}") || f.contains("V{version}")
    );
    // The newest release title (Markdown or reStructuredText) writes its version with a `v`;
    // with no release in the changelog yet, the newest tag of a release (jaraco's `v25.7.0`).
    // A history written without one decides against a tag's (`## 1.2.3`, tagged `v1.2.3`).
    let history_has_v = || {
        let titles = crate::changelog::release_titles(config, changelog).unwrap_or_default();
        match titles.first() {
            Some(t) => ["v", "V"]
                .iter()
                .any(|p| t.title.contains(&format!("{p}{}", t.version.as_str()))),
            None => Tags::read(repo.tags().unwrap_or_default())
                .newest(&version)
                .is_some_and(|v| v.spelled().starts_with(['v', 'V'])),
        }
    };
    if !format_has_v && (file_has_v || history_has_v()) {
        version
    } else {
        version.without_prefix()
    }
}

/// A final release after its own pre-release (the version file says `1.4.0rc2`) folds that
/// pre-release's section: when the changelog has none (its path changed, or the section was
/// never written), the rc's entries would be missing from the release without a word.
fn check_rc_folded(
    config: &Config,
    current: &Version,
    version: &Version,
    section: &SectionPlan,
    request: &Request,
) -> Result<()> {
    if !version.is_final()
        || current.is_final()
        || current.base() != version.base()
        || request.allow_missing_rc
    {
        return Ok(());
    }
    // A local label (`1.4.0rc1+ubuntu1`, a downstream build) is no release of its own: the
    // section is the public version's.
    let current = &current.public();
    // Folded, or (a changelog not read back: reStructuredText) there, left as published.
    let folded = section
        .rc_sections
        .iter()
        .chain(section.form.unfolded())
        .any(|s| Version::parse(s).is_ok_and(|v| v == *current));
    if folded {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "{} {current}, but {} has no `{current}` section to fold into {version}, so its \
         entries would be missing from {version}{}. If the section is in \
         another file (the changelog's path changed), move it into this one; if {current} \
         was released without one, pass --allow-missing-rc",
        match config.version_place.as_ref() {
            Some(place) => format!("{} says", place.describe()),
            None => "the changelog and the tags (no version file) say".to_string(),
        },
        section.changelog.display(),
        if section.rc_sections.is_empty() {
            String::new()
        } else {
            format!(" (found: {})", section.rc_sections.join(", "))
        }
    )))
}

/// The version against the releases the repository shows ([`Tags::check_release`]): its
/// tags and the changelog's sections.
fn check_against_releases(
    config: &Config,
    tags: &Tags,
    current: &Version,
    version: &Version,
    section: &SectionPlan,
    request: &Request,
) -> Result<()> {
    let changelog = &section.changelog;
    tags.check_release(version, current, request.allow_downgrade, changelog, || {
        // A final's changelog was read on the planning thread: not read again here, after
        // both threads joined, where every millisecond is the user's.
        if let Some(prepared) = &section.prepared {
            return Ok(released_versions(prepared.changelog.releases()));
        }
        // Markdown's release headings, or reStructuredText's titles at the releases' level.
        Ok(crate::changelog::release_titles(config, changelog)?
            .into_iter()
            .map(|t| t.version)
            .collect())
    })
}

/// The versions of a changelog's release sections.
fn released_versions<'a>(sections: impl IntoIterator<Item = &'a Section>) -> Vec<Version> {
    sections
        .into_iter()
        .filter_map(Section::version)
        .cloned()
        .collect()
}

/// A configured command as a step, snapshotted.
fn command_step(plan: &Plan, step: &crate::config::Step) -> PlannedStep {
    let version = &plan.version;
    let commit = step
        .commit
        .as_ref()
        .map(|m| expand(m, version, plan.webui.as_ref()));
    // By hand: the same command with the same environment, from the repository root.
    let env = [
        ("VERSION", version.to_string()),
        (
            "WEBUI_VERSION",
            plan.webui
                .as_ref()
                .map(Version::to_string)
                .unwrap_or_default(),
        ),
        ("PREVIOUS_VERSION", plan.current.to_string()),
        ("RELEASE_BRANCH", plan.branch.clone()),
        ("RELEASE_DATE", plan.request.date.clone()),
    ]
    .map(|(k, v)| format!("{k}={}", shell_quote(&v)))
    .join(" ");
    let mut by_hand = format!("{env} sh -c {}", shell_quote(&step.run));
    if let Some(message) = &commit {
        by_hand.push_str(&format!(
            ", then commit what it changed: git commit -m {} -- <its files>",
            shell_quote(message)
        ));
    }
    PlannedStep {
        kind: StepKind::Command(CommandStep {
            name: step.name.clone(),
            run: step.run.clone(),
            commit,
            timeout_secs: step.timeout_secs,
            webui: step.when == StepWhen::Webui,
        }),
        name: format!("Run `{}`", step.name),
        by_hand: Some(by_hand),
    }
}

/// The steps, in the order they run, each with what it needs and how to do it by hand.
/// The version file's step: the version written where the file holds its version, and the
/// same by hand (the whole file, or a `sed` of the line that holds it).
fn version_file_step(repo: &Repo, file: &VersionFile, version: &Version) -> PlannedStep {
    let shown = relative(repo, &file.path);
    let quoted = shell_quote(&shown);
    let by_hand = match &file.pattern {
        None => format!(
            "printf '%s\\n' {} > {quoted}",
            shell_quote(version.as_str())
        ),
        Some(_) => match crate::version::held(&file.text, file.pattern.as_ref()) {
            Ok((span, _)) => {
                let text = &file.text;
                let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                let end = text[span.end..]
                    .find(['\n', '\r'])
                    .map_or(text.len(), |i| span.end + i);
                let new = format!(
                    "{}{}{}",
                    &text[start..span.start],
                    version.spelled_as(&text[span.clone()]),
                    &text[span.end..end]
                );
                let script = sed_replace(&text[start..end], &new, false);
                format!("sed -i {} {quoted}", shell_quote(&script))
            }
            Err(_) => format!("(write {version} where {quoted} holds its version)"),
        },
    };
    PlannedStep {
        kind: StepKind::VersionFile {
            file: file.path.clone(),
            pattern: file.pattern.clone(),
        },
        name: format!("Write {version} to {shown}"),
        by_hand: Some(by_hand),
    }
}

fn plan_steps(repo: &Repo, config: &Config, plan: &Plan) -> Result<Vec<PlannedStep>> {
    let (version, branch, date) = (&plan.version, &plan.branch, &plan.request.date);
    let mut steps = vec![PlannedStep {
        kind: StepKind::CreateBranch,
        name: format!("Create branch {branch}"),
        by_hand: Some(format!("git switch -c {}", shell_quote(branch))),
    }];
    if plan.webui.is_some() {
        for s in config
            .release
            .steps
            .iter()
            .filter(|s| s.when == StepWhen::Webui)
        {
            steps.push(command_step(plan, s));
        }
    }
    // Two places in one file (`[project]` and `[tool.poetry]`) are told apart by name.
    let files = config.version_files()?;
    let places = config.version_place.iter().chain(&config.version_also);
    for (file, place) in files.iter().zip(places) {
        let mut step = version_file_step(repo, file, version);
        if files.iter().filter(|f| f.path == file.path).count() > 1 {
            step.name = format!("Write {version} to {}", place.describe());
        }
        steps.push(step);
    }
    if let Some(f) = plan.freeze.as_ref().filter(|f| f.files > 0) {
        steps.push(PlannedStep {
            kind: StepKind::Freeze,
            name: format!("Freeze {}: {}", f.placeholder, f.extent()),
            by_hand: Some(format!(
                "git release freeze {}",
                shell_quote(version.as_str())
            )),
        });
    }
    let changelog_name = relative(repo, &plan.changelog);
    let fragment_files = &plan.fragment_files;
    let no_edit = plan.request.no_edit;
    // A pre-release (or a final with nothing to fold) writes a section when a fragment is
    // left to list, or when there is none at all (towncrier's section for no fragments),
    // whether it reads back as Markdown or not (reStructuredText).
    let writes_section = plan.section.is_some() || plan.unread_section.is_some();
    match (writes_section, plan.form.consolidates()) {
        (_, true) => steps.push(PlannedStep {
            kind: StepKind::Changelog,
            name: format!(
                "Consolidate {} into {changelog_name}{}{}",
                if plan.rc_sections.is_empty() {
                    "the fragments".to_string()
                } else {
                    plan.rc_sections.join(", ")
                },
                // Pre-release sections of towncrier's text for none and no fragment.
                if plan
                    .section
                    .as_ref()
                    .is_some_and(|s| s.entries().next().is_none())
                {
                    ": no entries (towncrier's empty section)"
                } else {
                    ""
                },
                if no_edit {
                    ""
                } else {
                    " (review in your editor)"
                }
            ),
            by_hand: Some(format!(
                "git release consolidate {version} --date {date}{}",
                if no_edit { " --no-edit" } else { "" }
            )),
        }),
        (true, false) => steps.push(PlannedStep {
            kind: StepKind::Changelog,
            name: match fragment_files.len() {
                0 => format!("Build {changelog_name}: no fragments (towncrier's empty section)"),
                n => format!("Build {changelog_name} from {n} fragment(s)"),
            },
            by_hand: Some(format!("git release build {version} --date {date}")),
        }),
        // Every fragment is stale: nothing to list, but they are consumed all the same.
        (false, false) if !fragment_files.is_empty() => steps.push(PlannedStep {
            kind: StepKind::Changelog,
            name: format!(
                "Remove {} stale fragment(s) (already released)",
                fragment_files.len()
            ),
            by_hand: Some(format!(
                "git rm {}",
                fragment_files
                    .iter()
                    .map(|f| shell_quote(&relative(repo, f)))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        }),
        (false, false) => {}
    }
    for s in &config.release.steps {
        let runs = match s.when {
            StepWhen::Always => true,
            StepWhen::Final => version.is_final(),
            StepWhen::Pre => !version.is_final(),
            StepWhen::Webui => false,
        };
        if runs {
            steps.push(command_step(plan, s));
        }
    }
    let message = expand(&config.release.commit_message, version, plan.webui.as_ref());
    steps.push(PlannedStep {
        kind: StepKind::Commit {
            message: message.clone(),
        },
        name: format!("Commit `{message}`"),
        by_hand: Some(format!(
            "git add -A && git commit -m {}",
            shell_quote(&message)
        )),
    });
    if let (Some(next), Some(nv)) = (&plan.next_version, &config.release.next_version) {
        let file = config.root.join(&nv.file);
        let message = expand(&nv.message, next, None);
        let (by_hand, written) = advance_by_hand(repo, &file, &nv.pattern, next)?;
        steps.push(PlannedStep {
            kind: StepKind::NextVersion(NextVersionStep {
                file: file.clone(),
                pattern: nv.pattern.as_str().to_string(),
                version: written.clone(),
                message: message.clone(),
            }),
            name: format!("Advance {} to {written} and commit `{message}`", nv.file),
            by_hand: Some(format!(
                "{by_hand} && git commit -m {} -- {}",
                shell_quote(&message),
                shell_quote(&relative(repo, &file))
            )),
        });
    }
    Ok(steps)
}

/// [`plan_freeze`] of a planned release, as its freeze step and `continue` work it out
/// again from the work tree.
pub(super) fn freeze_of(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
) -> Result<Option<crate::freeze::Outcome>> {
    let also_read = plan.request.files_read();
    plan_freeze(repo, config, &plan.version, &plan.changelog, &also_read)
}

/// The placeholder freeze of a final release, worked out in memory from the work tree
/// (`None` for a pre-release, or without `[freeze]`). Nothing is written: a line the rules
/// leave mentioning the placeholder refuses the release here. `also_read`: the files the
/// release reads besides the configured ones (`--rules`, `--labels-from`:
/// [`Request::files_read`]), spared like them.
pub fn plan_freeze(
    repo: &Repo,
    config: &Config,
    version: &Version,
    changelog: &Path,
    also_read: &[PathBuf],
) -> Result<Option<crate::freeze::Outcome>> {
    let Some(freeze) = config
        .release
        .freeze
        .as_ref()
        .filter(|_| version.is_final())
    else {
        return Ok(None);
    };
    let canonical = config
        .root
        .canonicalize()
        .map_err(|e| Error::io(&config.root, e))?;
    // Relative to the repository root, `/`-separated; `None` outside it.
    let in_repo = |p: &Path| {
        let p = match p.strip_prefix(&config.root) {
            Ok(rest) => canonical.join(rest),
            Err(_) => canonical.join(p),
        };
        p.strip_prefix(repo.root())
            .ok()
            .map(|r| r.to_string_lossy().replace('\\', "/"))
    };
    let base = in_repo(&canonical)
        .filter(|b| !b.is_empty())
        .map(|b| format!("{b}/"))
        .unwrap_or_default();
    // What git-release reads or writes itself is never frozen; the files it writes the
    // version into are, their version left to the version step (`Scope::guarded`).
    let tc = &config.towncrier;
    let rel = &config.release;
    let mut files: Vec<PathBuf> = vec![
        changelog.to_path_buf(),
        config.settings_source.file.clone(),
        config.towncrier_source.file.clone(),
    ];
    files.extend(rel.next_version.iter().map(|nv| config.root.join(&nv.file)));
    files.extend(rel.consolidate.grouping.rules.clone());
    files.extend(rel.consolidate.grouping.labels_from.clone());
    files.extend(also_read.iter().cloned());
    if let crate::config::TemplateSource::File(t) = &tc.template {
        files.push(t.clone());
    }
    let dirs: Vec<PathBuf> = tc
        .sections
        .values()
        .map(|s| config.fragments_dir(s))
        .collect();
    // Spared under its own path and under the path it resolves to: a next-version file
    // that is a symlink must not be frozen through its target.
    let with_target = |p: &PathBuf| [Some(p.clone()), p.canonicalize().ok()];
    let spared = files
        .iter()
        .flat_map(with_target)
        .flatten()
        .filter_map(|f| in_repo(&f).map(|path| (path, false)))
        .chain(
            dirs.iter()
                .flat_map(with_target)
                .flatten()
                .filter_map(|d| in_repo(&d).map(|path| (path, true))),
        )
        .map(|(path, directory)| crate::freeze::Spared { path, directory })
        .collect();
    let places = config.version_place.iter().chain(&config.version_also);
    let guarded = places
        .flat_map(|p| with_target(&config.root.join(&p.path)).map(|f| (f, &p.pattern)))
        .filter_map(|(f, pattern)| {
            let path = in_repo(&f?)?;
            let pattern = pattern.clone();
            Some(crate::freeze::Guarded { path, pattern })
        })
        .collect();
    let scope = crate::freeze::Scope {
        base,
        spared,
        guarded,
    };
    crate::freeze::plan(repo, freeze, version.as_str(), &scope).map(Some)
}

/// A commit id as messages show it.
fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}
