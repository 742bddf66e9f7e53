//! Pre-flight: everything a release needs is checked before anything changes, and what
//! it found becomes the [`Plan`].

use std::path::{Path, PathBuf};

use super::plan::{Plan, PlannedStep, StepKind, expand, relative};
use super::request::Request;
use super::state::load_state;
use crate::changelog::{Changelog, Release as Section};
use crate::config::{Config, StepWhen};
use crate::consolidate::{self, Prepared};
use crate::error::{Error, Result};
use crate::fragments::{self, FragmentSet};
use crate::git::Repo;
use crate::version::Version;

/// Pre-flight: check everything, change nothing.
pub fn preflight(repo: &Repo, config: &Config, request: &Request) -> Result<Plan> {
    let version = Version::parse(&request.version)?;
    let webui = request
        .webui_version
        .as_deref()
        .map(|w| Version::parse(w).map_err(|e| Error::Refused(format!("WebUI version: {e}"))))
        .transpose()?;
    if let Some(state) = load_state(repo)? {
        return Err(Error::Refused(format!(
            "a release of {} is in progress on {}; finish it with `git release continue` or undo it with `git release abort`",
            state.request.version, state.branch
        )));
    }
    let current = config.version_file()?.version;
    check_clean(repo)?;
    let base = &config.release.base_branch;
    let base_commit = check_base_branch(repo, base)?;
    let branch = config.release.branch.replace("{version}", version.as_str());
    if repo.branch_exists(&branch)? {
        return Err(Error::Refused(format!(
            "the branch `{branch}` already exists; delete it (`git branch -D {branch}`) or release another version"
        )));
    }
    if version <= current && !request.allow_downgrade {
        return Err(Error::Refused(format!(
            "{version} is not newer than the current version {current} ({}); pass --allow-downgrade if this is intended",
            config.release.version_file
        )));
    }

    let section = plan_section(config, &version, request)?;
    // Configured files must be usable before anything is touched.
    let next_version = check_next_version(repo, config, &version)?;
    let freeze_files = match (&config.release.freeze, version.is_final()) {
        (Some(f), true) => freeze_targets(repo, config, f, &section.changelog)?,
        _ => Vec::new(),
    };

    let mut plan = Plan {
        request: request.clone(),
        version,
        current,
        webui,
        base_branch: base.clone(),
        base_commit,
        branch,
        changelog: section.changelog,
        rc_sections: section.rc_sections,
        fragment_files: section.fragment_files,
        stale: section.stale,
        next_version,
        freeze_files,
        steps: Vec::new(),
        section: section.section,
        group_count: section.group_count,
        prepared: section.prepared,
    };
    plan.steps = plan_steps(repo, config, &plan);
    Ok(plan)
}

/// The working tree must be clean: the release commits everything it finds.
fn check_clean(repo: &Repo) -> Result<()> {
    let dirty = repo.dirty_paths()?;
    if dirty.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = dirty
        .iter()
        .take(5)
        .map(|d| format!("{} ({})", d.path, d.kind))
        .collect();
    Err(Error::Refused(format!(
        "the working tree is not clean: {}{}. Commit, stash or remove these changes (untracked files count), then re-run",
        list.join(", "),
        if dirty.len() > 5 {
            format!(" and {} more", dirty.len() - 5)
        } else {
            String::new()
        }
    )))
}

/// HEAD must be on the base branch, with a commit; returns that commit.
fn check_base_branch(repo: &Repo, base: &str) -> Result<String> {
    match repo.current_branch()? {
        Some(b) if b == base => {}
        Some(b) => {
            return Err(Error::Refused(format!(
                "HEAD is on `{b}`, not on the base branch `{base}`; run `git switch {base}` first (or set `base-branch` in [tool.git-release])"
            )));
        }
        None => {
            return Err(Error::Refused(format!(
                "HEAD is detached; run `git switch {base}` first"
            )));
        }
    }
    repo.head_commit()?.ok_or_else(|| {
        Error::Refused(format!(
            "`{base}` has no commits yet; commit the project first"
        ))
    })
}

/// What the changelog step will do, worked out in pre-flight.
struct SectionPlan {
    changelog: PathBuf,
    section: Option<Section>,
    fragment_files: Vec<PathBuf>,
    rc_sections: Vec<String>,
    stale: Vec<String>,
    group_count: usize,
    prepared: Option<Prepared>,
}

/// The changelog: a final release folds its rc sections and the fragments; a pre-release
/// gets a flat section from the fragments.
fn plan_section(config: &Config, version: &Version, request: &Request) -> Result<SectionPlan> {
    let tc = &config.towncrier;
    let date = &request.date;
    if version.is_final() {
        let prepared = consolidate::prepare(config, version, date, &request.grouping(config))?;
        let stale = prepared
            .grouped
            .consolidation
            .stale
            .iter()
            .map(|s| format!("{} ({})", crate::changelog::pr_list(&s.prs), s.released_in))
            .collect();
        return Ok(SectionPlan {
            changelog: prepared.path.clone(),
            section: Some(prepared.grouped.release()),
            fragment_files: prepared.fragments.clone(),
            rc_sections: prepared.grouped.consolidation.section_versions.clone(),
            stale,
            group_count: prepared.grouped.group_count(),
            prepared: Some(prepared),
        });
    }
    // The fragments a pre-release publishes are checked as a final release's are.
    consolidate::check_fragment_files(config, &consolidate::repository_root(config))?;
    let set = fragments::discover(config)?;
    if let Some(u) = set.unknown.first() {
        return Err(u.to_error(config));
    }
    consolidate::check_fragment_texts(config, &set)?;
    let path = crate::towncrier::changelog_path(config, version.as_str(), &tc.name, date)?;
    let fragment_files: Vec<PathBuf> = set.fragments.iter().map(|f| f.path.clone()).collect();
    let (kept, stale) = without_stale(config, &set, version, date, &path)?;
    let section = if kept.fragments.is_empty() {
        None
    } else {
        let plan = crate::towncrier::plan(config, &kept, version.as_str(), date, Some(&tc.name))?;
        Changelog::parse_with(&plan.section, None)
            .releases()
            .first()
            .cloned()
    };
    Ok(SectionPlan {
        changelog: path,
        section,
        fragment_files,
        rc_sections: Vec::new(),
        stale,
        group_count: 0,
        prepared: None,
    })
}

/// After a final sprint release, the next development version: computable, and the
/// configured file must hold it where the pattern says.
fn check_next_version(repo: &Repo, config: &Config, version: &Version) -> Result<Option<Version>> {
    let Some(nv) = config.release.next_version.as_ref() else {
        return Ok(None);
    };
    if !(version.is_final() && version.is_sprint()) {
        return Ok(None);
    }
    let next = next_dev_version(version)?;
    let file = config.root.join(&nv.file);
    let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    if nv
        .pattern
        .captures(&text)
        .is_none_or(|c| c.name("version").is_none())
    {
        return Err(Error::Refused(format!(
            "{}: the next-version pattern `{}` matches nothing; fix `pattern` in [tool.git-release.next-version]",
            relative(repo, &file),
            nv.pattern
        )));
    }
    Ok(Some(next))
}

/// The steps, in the order they run.
fn plan_steps(repo: &Repo, config: &Config, plan: &Plan) -> Vec<PlannedStep> {
    let (version, branch, date) = (&plan.version, &plan.branch, &plan.request.date);
    let mut steps = vec![PlannedStep {
        kind: StepKind::CreateBranch,
        name: format!("Create branch {branch}"),
        by_hand: Some(format!("git switch -c {branch}")),
    }];
    if plan.webui.is_some() {
        for (i, s) in config
            .release
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.when == StepWhen::Webui)
        {
            steps.push(PlannedStep {
                kind: StepKind::Webui(i),
                name: format!("Run `{}`", s.name),
                by_hand: Some(s.run.clone()),
            });
        }
    }
    steps.push(PlannedStep {
        kind: StepKind::VersionFile,
        name: format!("Write {version} to {}", config.release.version_file),
        by_hand: Some(format!("echo {version} > {}", config.release.version_file)),
    });
    if let (Some(f), false) = (&config.release.freeze, plan.freeze_files.is_empty()) {
        steps.push(PlannedStep {
            kind: StepKind::Freeze,
            name: format!(
                "Freeze {} in {} file(s)",
                f.placeholder,
                plan.freeze_files.len()
            ),
            by_hand: None,
        });
    }
    let changelog_name = relative(repo, &plan.changelog);
    let fragment_files = &plan.fragment_files;
    let no_edit = plan.request.no_edit;
    match (&plan.section, version.is_final()) {
        (_, true) => steps.push(PlannedStep {
            kind: StepKind::Changelog,
            name: format!(
                "Consolidate {} into {changelog_name}{}",
                if plan.rc_sections.is_empty() {
                    "the fragments".to_string()
                } else {
                    plan.rc_sections.join(", ")
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
        (Some(_), false) => steps.push(PlannedStep {
            kind: StepKind::Changelog,
            name: format!(
                "Build {changelog_name} from {} fragment(s)",
                fragment_files.len()
            ),
            by_hand: Some(format!("git release build {version} --date {date}")),
        }),
        // Every fragment is stale: nothing to list, but they are consumed all the same.
        (None, false) if !fragment_files.is_empty() => steps.push(PlannedStep {
            kind: StepKind::Changelog,
            name: format!(
                "Remove {} stale fragment(s) (already released)",
                fragment_files.len()
            ),
            by_hand: Some(format!(
                "git rm {}",
                fragment_files
                    .iter()
                    .map(|f| relative(repo, f))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        }),
        (None, false) => {}
    }
    for (i, s) in config.release.steps.iter().enumerate() {
        let runs = match s.when {
            StepWhen::Always => true,
            StepWhen::Final => version.is_final(),
            StepWhen::Pre => !version.is_final(),
            StepWhen::Webui => false,
        };
        if runs {
            steps.push(PlannedStep {
                kind: StepKind::Configured(i),
                name: format!("Run `{}`", s.name),
                by_hand: Some(s.run.clone()),
            });
        }
    }
    let message = expand(&config.release.commit_message, version, plan.webui.as_ref());
    steps.push(PlannedStep {
        kind: StepKind::Commit,
        name: format!("Commit `{message}`"),
        by_hand: Some(format!("git add -A && git commit -m '{message}'")),
    });
    if let (Some(next), Some(nv)) = (&plan.next_version, &config.release.next_version) {
        steps.push(PlannedStep {
            kind: StepKind::NextVersion,
            name: format!(
                "Advance {} to {next} and commit `{}`",
                nv.file,
                expand(&nv.message, next, None)
            ),
            by_hand: None,
        });
    }
    steps
}

/// The development version after a sprint release: `NEXT_DEV_VERSION` when set, else
/// `X.(Y+1).0`.
pub(crate) fn next_dev_version(version: &Version) -> Result<Version> {
    match std::env::var("NEXT_DEV_VERSION") {
        Ok(v) if !v.trim().is_empty() => {
            Version::parse(v.trim()).map_err(|e| Error::Refused(format!("NEXT_DEV_VERSION: {e}")))
        }
        _ => version.next_minor(),
    }
}

/// The fragments minus the stale ones (an entry an earlier release already lists, by PR
/// number and text), and a description of those left out.
pub(crate) fn without_stale(
    config: &Config,
    set: &FragmentSet,
    version: &Version,
    date: &str,
    changelog: &Path,
) -> Result<(FragmentSet, Vec<String>)> {
    let Some(log) = Changelog::read_with(changelog, Some(&config.towncrier.start_string))? else {
        return Ok((set.clone(), Vec::new()));
    };
    if set.fragments.is_empty() {
        return Ok((set.clone(), Vec::new()));
    }
    let mut released = std::collections::HashMap::new();
    for r in log.releases() {
        for e in r.entries() {
            for &pr in &e.prs {
                released
                    .entry((pr.to_string(), e.normalized_text()))
                    .or_insert_with(|| r.title().to_string());
            }
        }
    }
    let mut kept = set.clone();
    let mut left_out = Vec::new();
    kept.fragments.retain(|f| {
        let single = FragmentSet {
            fragments: vec![f.clone()],
            unknown: Vec::new(),
            sections: set.sections.clone(),
        };
        let text = crate::towncrier::render_section(config, &single, version.as_str(), date, None)
            .unwrap_or_default();
        let parsed = Changelog::parse_with(&text, None);
        let Some(entry) = parsed
            .releases()
            .first()
            .and_then(|r| r.entries().next().cloned())
        else {
            return true;
        };
        match released.get(&(f.issue.clone(), entry.normalized_text())) {
            Some(title) => {
                left_out.push(format!("#{} ({})", f.issue, title));
                false
            }
            None => true,
        }
    });
    Ok((kept, left_out))
}

/// Tracked files the placeholder freeze will change.
pub(crate) fn freeze_targets(
    repo: &Repo,
    config: &Config,
    freeze: &crate::config::Freeze,
    changelog: &Path,
) -> Result<Vec<PathBuf>> {
    // Files the release writes itself, and the configuration (which spells the
    // placeholder), are never frozen.
    let mut spared = vec![
        changelog.to_path_buf(),
        config.root.join(&config.release.version_file),
    ];
    if let Some(nv) = &config.release.next_version {
        spared.push(config.root.join(&nv.file));
    }
    let own = config.root.join(".git-release.toml");
    spared.push(if own.is_file() {
        own
    } else {
        config.root.join("pyproject.toml")
    });
    let mut out = Vec::new();
    for f in repo.ls_files()? {
        let path = repo.root().join(&f);
        if spared.contains(&path) {
            continue;
        }
        let rel = path
            .strip_prefix(&config.root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or(f.clone());
        if !freeze.files.matches(&rel) || freeze.exclude.matches(&rel) {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&path) {
            if text.contains(&freeze.placeholder) {
                out.push(path);
            }
        }
    }
    Ok(out)
}
