//! The whole release, from pre-flight to summary.
//!
//! Everything is checked before anything changes (version, version file, clean tree,
//! base branch, release branch, changelog, fragments, consolidation, configured files).
//! Then the steps run in order on a new `release/<version>` branch; their progress is
//! kept in `.git/git-release/state.json`, so that a failed step can be fixed and the rest
//! resumed with `git release continue`, or everything undone with `git release abort`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::changelog::{Changelog, Release as Section};
use crate::config::{Config, StepWhen};
use crate::consolidate::{self, Prepared};
use crate::error::{Error, Result};
use crate::fragments::{self, FragmentSet};
use crate::git::Repo;
use crate::term::Term;
use crate::version::{ReleaseKind, Version};

/// What the user asked for (the flags of `git release <VERSION>`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Request {
    pub version: String,
    pub webui_version: Option<String>,
    pub date: String,
    pub no_edit: bool,
    pub allow_downgrade: bool,
    pub strategy: crate::group::Strategy,
    pub rules: Option<PathBuf>,
    pub labels_from: Option<PathBuf>,
    pub keep_rc: bool,
}

impl Request {
    /// The grouping settings: the strategy and files asked for, the rest configured.
    pub fn grouping(&self, config: &Config) -> crate::group::Settings {
        crate::group::Settings {
            strategy: self.strategy,
            rules: self.rules.clone(),
            labels_from: self.labels_from.clone(),
            ..config.release.consolidate.grouping.clone()
        }
    }
}

/// One step of the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "index", rename_all = "kebab-case")]
pub enum StepKind {
    CreateBranch,
    /// A configured step with `when = "webui"`, by index in the configuration.
    Webui(usize),
    VersionFile,
    Freeze,
    Changelog,
    /// A configured step, by index in the configuration.
    Configured(usize),
    Commit,
    NextVersion,
}

/// A step with what it will do, for the plan and the progress lines.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedStep {
    pub kind: StepKind,
    pub name: String,
    /// A command that does the same by hand, shown when the step fails.
    pub by_hand: Option<String>,
}

/// Everything pre-flight found out.
#[derive(Debug, Clone)]
pub struct Plan {
    pub request: Request,
    pub version: Version,
    pub current: Version,
    pub webui: Option<Version>,
    pub base_branch: String,
    pub base_commit: String,
    pub branch: String,
    pub changelog: PathBuf,
    /// Pre-release sections folded into a final release, newest first.
    pub rc_sections: Vec<String>,
    /// Fragment files consumed (stale ones included).
    pub fragment_files: Vec<PathBuf>,
    /// Fragments left out because an earlier release lists them already.
    pub stale: Vec<String>,
    pub next_version: Option<Version>,
    pub freeze_files: Vec<PathBuf>,
    pub steps: Vec<PlannedStep>,
    /// The section the release writes (before review), when there is one.
    pub section: Option<Section>,
    pub group_count: usize,
}

impl Plan {
    pub fn kind(&self) -> ReleaseKind {
        self.version.kind()
    }
}

/// Progress kept between a failure and `continue`/`abort`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub request: Request,
    pub base_branch: String,
    pub base_commit: String,
    pub branch: String,
    pub steps: Vec<StepKind>,
    /// The version before the release (for `PREVIOUS_VERSION`).
    pub previous: String,
    /// Steps done (the failed step is the next one).
    pub completed: usize,
    pub commits: Vec<String>,
    /// The pre-release sections folded in (for the summary after `continue`).
    #[serde(default)]
    pub rc_merged: Vec<String>,
    /// The dirty paths before the last configured step ran: when it fails and is done by
    /// hand, `continue` commits what changed since, as the step would have.
    #[serde(default)]
    pub dirty_before_step: Vec<String>,
}

fn state_path(repo: &Repo) -> PathBuf {
    repo.git_dir().join("git-release").join("state.json")
}

fn load_state(repo: &Repo) -> Result<Option<State>> {
    let path = state_path(repo);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::Refused(format!(
                "{} is damaged ({e}); remove it to start over",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, e)),
    }
}

fn save_state(repo: &Repo, state: &State) -> Result<()> {
    let text = serde_json::to_string_pretty(state).expect("plain data serialises");
    crate::atomic::write(&state_path(repo), text.as_bytes())
}

fn clear_state(repo: &Repo) {
    let _ = std::fs::remove_file(state_path(repo));
}

fn fill(template: &str, version: &Version, webui: Option<&Version>) -> String {
    template
        .replace("{version}", version.as_str())
        .replace("{webui_version}", webui.map(Version::as_str).unwrap_or(""))
}

fn relative(repo: &Repo, p: &Path) -> String {
    p.strip_prefix(repo.root())
        .unwrap_or(p)
        .display()
        .to_string()
}

/// Pre-flight: check everything, change nothing.
pub fn preflight(
    repo: &Repo,
    config: &Config,
    request: &Request,
) -> Result<(Plan, Option<Prepared>)> {
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
    let (_, _, current) = crate::app::current_version(config)?;

    let dirty = repo.dirty_paths()?;
    if !dirty.is_empty() {
        let list: Vec<String> = dirty
            .iter()
            .take(5)
            .map(|d| format!("{} ({})", d.path, d.kind))
            .collect();
        return Err(Error::Refused(format!(
            "the working tree is not clean: {}{}. Commit, stash or remove these changes (untracked files count), then re-run",
            list.join(", "),
            if dirty.len() > 5 {
                format!(" and {} more", dirty.len() - 5)
            } else {
                String::new()
            }
        )));
    }
    let base = &config.release.base_branch;
    match repo.current_branch()? {
        Some(b) if &b == base => {}
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
    let base_commit = repo.head_commit()?.ok_or_else(|| {
        Error::Refused(format!(
            "`{base}` has no commits yet; commit the project first"
        ))
    })?;
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

    // The changelog: a final release folds its rc sections and the fragments; a
    // pre-release gets a flat section from the fragments.
    let tc = &config.towncrier;
    let date = &request.date;
    let mut stale = Vec::new();
    let (changelog, section, fragment_files, rc_sections, prepared, group_count) = if version
        .is_final()
    {
        let prepared = consolidate::prepare(config, &version, date, &request.grouping(config))?;
        for s in &prepared.grouped.consolidation.stale {
            stale.push(format!(
                "{} ({})",
                crate::changelog::pr_list(&s.prs),
                s.released_in
            ));
        }
        let section = prepared.grouped.release();
        (
            prepared.path.clone(),
            Some(section),
            prepared.fragments.clone(),
            prepared.grouped.consolidation.section_versions.clone(),
            Some(prepared.clone()),
            prepared.grouped.group_count(),
        )
    } else {
        let set = fragments::discover(config)?;
        if let Some(u) = set.unknown.first() {
            return Err(u.to_error(config));
        }
        let path = crate::build::changelog_path(config, version.as_str(), &tc.name, date)?;
        let all_files: Vec<PathBuf> = set.fragments.iter().map(|f| f.path.clone()).collect();
        let (kept, left_out) = without_stale(config, &set, &version, date, &path)?;
        stale = left_out;
        let section = if kept.fragments.is_empty() {
            None
        } else {
            let plan = crate::build::plan(config, &kept, version.as_str(), date, Some(&tc.name))?;
            Changelog::parse_with(&plan.section, None)
                .releases()
                .first()
                .cloned()
        };
        (path, section, all_files, Vec::new(), None, 0)
    };

    // Configured files must be usable before anything is touched.
    let next_version = if version.is_final() && version.is_sprint() {
        match &config.release.next_version {
            Some(nv) => {
                let next = next_dev_version(&version)?;
                let file = config.root.join(&nv.file);
                let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
                let re = regex::Regex::new(&nv.pattern).expect("validated with the configuration");
                if re
                    .captures(&text)
                    .is_none_or(|c| c.name("version").is_none())
                {
                    return Err(Error::Refused(format!(
                        "{}: the next-version pattern `{}` matches nothing; fix `pattern` in [tool.git-release.next-version]",
                        relative(repo, &file),
                        nv.pattern
                    )));
                }
                Some(next)
            }
            None => None,
        }
    } else {
        None
    };
    let freeze_files = match (&config.release.freeze, version.is_final()) {
        (Some(f), true) => freeze_targets(repo, config, f, &changelog)?,
        _ => Vec::new(),
    };

    let mut steps = vec![PlannedStep {
        kind: StepKind::CreateBranch,
        name: format!("Create branch {branch}"),
        by_hand: Some(format!("git switch -c {branch}")),
    }];
    if webui.is_some() {
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
    if let (Some(f), false) = (&config.release.freeze, freeze_files.is_empty()) {
        steps.push(PlannedStep {
            kind: StepKind::Freeze,
            name: format!("Freeze {} in {} file(s)", f.placeholder, freeze_files.len()),
            by_hand: None,
        });
    }
    let changelog_name = relative(repo, &changelog);
    match (&section, version.is_final()) {
        (_, true) => steps.push(PlannedStep {
            kind: StepKind::Changelog,
            name: format!(
                "Consolidate {} into {changelog_name}{}",
                if rc_sections.is_empty() {
                    "the fragments".to_string()
                } else {
                    rc_sections.join(", ")
                },
                if request.no_edit {
                    ""
                } else {
                    " (review in your editor)"
                }
            ),
            by_hand: Some(format!(
                "git release consolidate {version} --date {date}{}",
                if request.no_edit { " --no-edit" } else { "" }
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
    let message = fill(&config.release.commit_message, &version, webui.as_ref());
    steps.push(PlannedStep {
        kind: StepKind::Commit,
        name: format!("Commit `{message}`"),
        by_hand: Some(format!("git add -A && git commit -m '{message}'")),
    });
    if let (Some(next), Some(nv)) = (&next_version, &config.release.next_version) {
        steps.push(PlannedStep {
            kind: StepKind::NextVersion,
            name: format!(
                "Advance {} to {next} and commit `{}`",
                nv.file,
                fill(&nv.message, next, None)
            ),
            by_hand: None,
        });
    }

    let plan = Plan {
        request: request.clone(),
        version,
        current,
        webui,
        base_branch: base.clone(),
        base_commit,
        branch,
        changelog,
        rc_sections,
        fragment_files,
        stale,
        next_version,
        freeze_files,
        steps,
        section,
        group_count,
    };
    Ok((plan, prepared))
}

/// The development version after a sprint release: `NEXT_DEV_VERSION` when set, else
/// `X.(Y+1).0`.
fn next_dev_version(version: &Version) -> Result<Version> {
    match std::env::var("NEXT_DEV_VERSION") {
        Ok(v) if !v.trim().is_empty() => {
            Version::parse(v.trim()).map_err(|e| Error::Refused(format!("NEXT_DEV_VERSION: {e}")))
        }
        _ => Ok(version.next_minor()),
    }
}

/// The fragments minus the stale ones (an entry an earlier release already lists, by PR
/// number and text), and a description of those left out.
fn without_stale(
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
        let text = crate::build::render_section(config, &single, version.as_str(), date, None)
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
fn freeze_targets(
    repo: &Repo,
    config: &Config,
    freeze: &crate::config::Freeze,
    changelog: &Path,
) -> Result<Vec<PathBuf>> {
    let include: Vec<glob::Pattern> = freeze
        .files
        .iter()
        .filter_map(|g| glob::Pattern::new(g).ok())
        .collect();
    let exclude: Vec<glob::Pattern> = freeze
        .exclude
        .iter()
        .filter_map(|g| glob::Pattern::new(g).ok())
        .collect();
    let opts = glob::MatchOptions {
        require_literal_separator: false,
        ..Default::default()
    };
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
        if !include.iter().any(|p| p.matches_with(&rel, opts))
            || exclude.iter().any(|p| p.matches_with(&rel, opts))
        {
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

/// The plan as data, for `--dry-run --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub version: String,
    pub current: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub sprint: bool,
    pub branch: String,
    pub base_branch: String,
    pub date: String,
    pub webui: Option<String>,
    pub changelog: String,
    pub rc_sections: Vec<String>,
    pub fragments: Vec<String>,
    pub stale: Vec<String>,
    pub entries: usize,
    pub categories: usize,
    pub groups: usize,
    pub next_version: Option<String>,
    pub steps: Vec<String>,
}

pub fn plan_view(plan: &Plan, repo: &Repo) -> PlanView {
    PlanView {
        version: plan.version.to_string(),
        current: plan.current.to_string(),
        kind: plan.kind().to_string(),
        sprint: plan.version.is_sprint(),
        branch: plan.branch.clone(),
        base_branch: plan.base_branch.clone(),
        date: plan.request.date.clone(),
        webui: plan.webui.as_ref().map(Version::to_string),
        changelog: relative(repo, &plan.changelog),
        rc_sections: plan.rc_sections.clone(),
        fragments: plan
            .fragment_files
            .iter()
            .map(|f| relative(repo, f))
            .collect(),
        stale: plan.stale.clone(),
        entries: plan
            .section
            .as_ref()
            .map(|s| s.entries().count())
            .unwrap_or(0),
        categories: plan
            .section
            .as_ref()
            .map(|s| s.categories.len())
            .unwrap_or(0),
        groups: plan.group_count,
        next_version: plan.next_version.as_ref().map(Version::to_string),
        steps: plan.steps.iter().map(|s| s.name.clone()).collect(),
    }
}

/// The plan, as shown before the question.
pub fn render_plan(plan: &Plan, repo: &Repo, term: &Term) -> String {
    let mut out = String::new();
    let kind = match (plan.kind(), plan.version.is_sprint()) {
        (ReleaseKind::Final, true) => "Final release (sprint)".to_string(),
        (k, _) => k.to_string(),
    };
    let _ = writeln!(
        out,
        "{}",
        term.bold(format!("Release plan for {}", plan.version))
    );
    let _ = writeln!(out, "  Version:    {} → {}", plan.current, plan.version);
    let _ = writeln!(out, "  Type:       {kind}");
    let _ = writeln!(
        out,
        "  Branch:     {} (from {})",
        plan.branch, plan.base_branch
    );
    let _ = writeln!(out, "  Date:       {}", plan.request.date);
    let _ = writeln!(
        out,
        "  WebUI:      {}",
        plan.webui
            .as_ref()
            .map(|w| w.to_string())
            .unwrap_or_else(|| "not updated".into())
    );
    let _ = writeln!(out, "  Changelog:  {}", relative(repo, &plan.changelog));
    if plan.version.is_final() {
        let _ = writeln!(
            out,
            "  RC merged:  {}",
            if plan.rc_sections.is_empty() {
                "none".into()
            } else {
                plan.rc_sections.join(", ")
            }
        );
    }
    let fragments = match plan.fragment_files.len() {
        0 if plan.version.is_final() => "none (the rc sections hold the entries)".to_string(),
        0 => "none: the changelog gets no section for this release".to_string(),
        n => format!(
            "{n} in {}",
            relative(
                repo,
                plan.fragment_files[0].parent().unwrap_or(Path::new("."))
            )
        ),
    };
    let _ = writeln!(out, "  Fragments:  {fragments}");
    if !plan.stale.is_empty() {
        let _ = writeln!(
            out,
            "  Stale:      {} already released, removed without being listed: {}",
            plan.stale.len(),
            plan.stale.join(", ")
        );
    }
    if let Some(s) = &plan.section {
        let entries = s.entries().count();
        let _ = writeln!(
            out,
            "  Entries:    {entries} across {} categories{}",
            s.categories.len(),
            if plan.group_count > 0 {
                format!(" ({} groups)", plan.group_count)
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(out, "Steps:");
    for (i, s) in plan.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, s.name);
    }
    out
}

/// What the release did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub version: String,
    pub branch: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub webui: Option<String>,
    pub changelog: String,
    pub entries: usize,
    pub categories: usize,
    pub groups: usize,
    pub rc_merged: Vec<String>,
    pub next_version: Option<String>,
    pub commits: Vec<String>,
}

impl Summary {
    pub fn render(&self) -> String {
        let mut out = String::from("Release prepared\n");
        let _ = writeln!(out, "  Version:    {}", self.version);
        let _ = writeln!(out, "  Branch:     {}", self.branch);
        let _ = writeln!(out, "  Type:       {}", self.kind);
        let _ = writeln!(
            out,
            "  WebUI:      {}",
            self.webui.as_deref().unwrap_or("not updated")
        );
        let changelog = if self.entries == 0 {
            "no new section".to_string()
        } else {
            format!(
                "{} entries across {} categories{}",
                self.entries,
                self.categories,
                if self.groups > 0 {
                    format!(" ({} groups)", self.groups)
                } else {
                    String::new()
                }
            )
        };
        let _ = writeln!(out, "  Changelog:  {changelog}");
        let merged = if self.rc_merged.is_empty() {
            "none".to_string()
        } else {
            self.rc_merged.join(", ")
        };
        let _ = writeln!(out, "  RC merged:  {merged}");
        if let Some(n) = &self.next_version {
            let _ = writeln!(out, "  Next:       {n}");
        }
        out
    }
}

/// Run the steps from `state.completed` on. On failure the state is saved and the error
/// says what to do next.
pub fn execute(
    repo: &Repo,
    config: &Config,
    plan: &Plan,
    prepared: Option<Prepared>,
    state: &mut State,
    term: &Term,
) -> Result<Summary> {
    let total = plan.steps.len();
    let mut written: Option<Section> = plan.section.clone();
    let mut prepared = prepared;
    while state.completed < total {
        let i = state.completed;
        let step = &plan.steps[i];
        term.step(i + 1, total, &step.name);
        let result = run_step(
            repo,
            config,
            plan,
            &step.kind,
            &mut prepared,
            &mut written,
            state,
            term,
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
                abort_with(repo, state, term)?;
                return Err(Error::Aborted(format!(
                    "{why}; the release was undone and nothing was written"
                )));
            }
            Err(e) => {
                if i > 0 {
                    save_state(repo, state)?;
                }
                return Err(failure(plan, i, e));
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

fn count_groups(s: &Section) -> usize {
    s.categories
        .iter()
        .flat_map(|c| &c.subsections)
        .filter(|g| !g.is_other())
        .count()
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
    term: &Term,
) -> Result<()> {
    let version = &plan.version;
    match kind {
        StepKind::CreateBranch => {
            repo.create_branch(&plan.branch)?;
            save_state(repo, state)?;
            Ok(())
        }
        StepKind::Webui(i) | StepKind::Configured(i) => {
            let step = &config.release.steps[*i];
            // The step's commit holds the step's changes, not the release's pending ones.
            let before = dirty_set(repo)?;
            state.dirty_before_step = before.iter().cloned().collect();
            run_command(repo, &step.run, plan)?;
            if let Some(message) = &step.commit {
                let message = fill(message, version, plan.webui.as_ref());
                match commit_new_changes(repo, &before, &message)? {
                    Some(id) => state.commits.push(id),
                    None => term.note(&format!("`{}` changed nothing; no commit", step.name)),
                }
            }
            Ok(())
        }
        StepKind::VersionFile => {
            let (path, old, _) = crate::app::current_version(config)?;
            let newline = if old.ends_with('\n') || old.is_empty() {
                "\n"
            } else {
                ""
            };
            crate::atomic::write(&path, format!("{version}{newline}").as_bytes())
        }
        StepKind::Freeze => {
            let f = config
                .release
                .freeze
                .as_ref()
                .expect("planned only when configured");
            let replacement = fill(&f.replace, version, plan.webui.as_ref());
            let mut set = crate::atomic::FileSet::new();
            for path in &plan.freeze_files {
                let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                set.put(path, text.replace(&f.placeholder, &replacement));
            }
            set.commit()
        }
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
                    term.note(&note);
                }
                let section = if plan.request.no_edit {
                    p.grouped.release()
                } else {
                    match crate::app::review_section(repo, config, &p, false)? {
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
                    return crate::build::remove_fragments(Some(repo), &files);
                }
                let build = crate::build::plan(
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
                crate::build::remove_fragments(Some(repo), &files)?;
            }
            Ok(())
        }
        StepKind::Commit => {
            repo.add_all()?;
            let id = repo.commit(&fill(
                &config.release.commit_message,
                version,
                plan.webui.as_ref(),
            ))?;
            state.commits.push(id);
            Ok(())
        }
        StepKind::NextVersion => {
            let nv = config
                .release
                .next_version
                .as_ref()
                .expect("planned only when configured");
            let next = plan.next_version.as_ref().expect("planned with a version");
            let file = config.root.join(&nv.file);
            let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
            let re = regex::Regex::new(&nv.pattern).expect("validated with the configuration");
            let caps = re.captures(&text).ok_or_else(|| Error::Step {
                step: "next version".into(),
                message: format!("`{}` no longer matches {}", nv.pattern, nv.file),
            })?;
            let m = caps.name("version").expect("checked in pre-flight");
            let updated = format!("{}{}{}", &text[..m.start()], next, &text[m.end()..]);
            crate::atomic::write(&file, updated.as_bytes())?;
            repo.add(&[&file])?;
            let id = repo.commit(&fill(&nv.message, next, None))?;
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
    let stderr = std::io::stderr();
    let out = stderr
        .as_fd_clone()
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

trait FdClone {
    fn as_fd_clone(&self) -> std::io::Result<std::os::fd::OwnedFd>;
}

impl FdClone for std::io::Stderr {
    fn as_fd_clone(&self) -> std::io::Result<std::os::fd::OwnedFd> {
        use std::os::fd::AsFd;
        self.as_fd().try_clone_to_owned()
    }
}

/// `git release <VERSION>`: plan, confirm, run.
pub fn run(
    repo: &Repo,
    config: &Config,
    request: &Request,
    yes: bool,
    dry_run: bool,
    json: bool,
    term: &Term,
) -> Result<Option<Summary>> {
    let (plan, prepared) = preflight(repo, config, request)?;
    let text = render_plan(&plan, repo, term);
    if dry_run {
        if json {
            let view = plan_view(&plan, repo);
            println!(
                "{}",
                serde_json::to_string_pretty(&view).expect("plain data serialises")
            );
        } else {
            print!("{text}");
            println!("Dry run: nothing was changed.");
        }
        return Ok(None);
    }
    eprint!("{text}");
    if !yes && !term.confirm("Proceed?")? {
        return Err(Error::Aborted("nothing was changed".into()));
    }
    let mut state = State {
        request: request.clone(),
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
    execute(repo, config, &plan, prepared, &mut state, term).map(Some)
}

/// `git release continue`: run the steps after the one that failed.
pub fn resume(repo: &Repo, config: &Config, term: &Term) -> Result<Summary> {
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
    let plan = replan(repo, config, &state)?;
    // The failed step is assumed fixed and done by hand; a step that commits its changes
    // still gets its commit.
    if let Some(StepKind::Webui(i) | StepKind::Configured(i)) = state.steps.get(state.completed) {
        if let Some(message) = config.release.steps.get(*i).and_then(|s| s.commit.as_ref()) {
            let before = state.dirty_before_step.iter().cloned().collect();
            let message = fill(message, &plan.version, plan.webui.as_ref());
            if let Some(id) = commit_new_changes(repo, &before, &message)? {
                state.commits.push(id);
            }
        }
    }
    state.completed += 1;
    save_state(repo, &state)?;
    term.note(&format!(
        "continuing {} after step {}",
        state.request.version, state.completed
    ));
    execute(repo, config, &plan, None, &mut state, term)
}

/// The plan of a release in progress, rebuilt from its state (the tree is no longer
/// clean and the branch exists, so pre-flight's checks do not apply).
fn replan(repo: &Repo, config: &Config, state: &State) -> Result<Plan> {
    let version = Version::parse(&state.request.version)?;
    let webui = state
        .request
        .webui_version
        .as_deref()
        .map(Version::parse)
        .transpose()?;
    let tc = &config.towncrier;
    let changelog =
        crate::build::changelog_path(config, version.as_str(), &tc.name, &state.request.date)?;
    let next_version =
        if version.is_final() && version.is_sprint() && config.release.next_version.is_some() {
            Some(next_dev_version(&version)?)
        } else {
            None
        };
    let freeze_files = match (&config.release.freeze, version.is_final()) {
        (Some(f), true) => freeze_targets(repo, config, f, &changelog)?,
        _ => Vec::new(),
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
        freeze_files,
        steps,
        section,
        group_count: 0,
    })
}

fn step_name(
    config: &Config,
    kind: &StepKind,
    version: &Version,
    webui: Option<&Version>,
) -> String {
    match kind {
        StepKind::CreateBranch => "Create the release branch".into(),
        StepKind::Webui(i) | StepKind::Configured(i) => {
            format!(
                "Run `{}`",
                config
                    .release
                    .steps
                    .get(*i)
                    .map(|s| s.name.as_str())
                    .unwrap_or("?")
            )
        }
        StepKind::VersionFile => format!("Write {version} to {}", config.release.version_file),
        StepKind::Freeze => "Freeze the placeholder".into(),
        StepKind::Changelog => "Update the changelog".into(),
        StepKind::Commit => format!(
            "Commit `{}`",
            fill(&config.release.commit_message, version, webui)
        ),
        StepKind::NextVersion => "Advance the next development version".into(),
    }
}

/// What to run by hand for a step of a release in progress (as pre-flight planned it).
fn step_by_hand(
    config: &Config,
    kind: &StepKind,
    version: &Version,
    webui: Option<&Version>,
    state: &State,
) -> Option<String> {
    let date = &state.request.date;
    match kind {
        StepKind::CreateBranch => Some(format!("git switch -c {}", state.branch)),
        StepKind::Webui(i) | StepKind::Configured(i) => {
            config.release.steps.get(*i).map(|s| s.run.clone())
        }
        StepKind::VersionFile => Some(format!("echo {version} > {}", config.release.version_file)),
        StepKind::Changelog if version.is_final() => Some(format!(
            "git release consolidate {version} --date {date}{}",
            if state.request.no_edit {
                " --no-edit"
            } else {
                ""
            }
        )),
        StepKind::Changelog => Some(format!("git release build {version} --date {date}")),
        StepKind::Commit => {
            let message = fill(&config.release.commit_message, version, webui);
            Some(format!("git add -A && git commit -m '{message}'"))
        }
        StepKind::Freeze | StepKind::NextVersion => None,
    }
}

/// `git release abort`: back to the base branch, release branch deleted, fragments and
/// every other file restored.
pub fn abort(repo: &Repo, term: &Term) -> Result<()> {
    let state = load_state(repo)?
        .ok_or_else(|| Error::Refused("no release is in progress (nothing to abort)".into()))?;
    abort_with(repo, &state, term)
}

fn abort_with(repo: &Repo, state: &State, term: &Term) -> Result<()> {
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
    term.note(&format!(
        "aborted {}: back on {}, {} deleted",
        state.request.version, state.base_branch, state.branch
    ));
    if !left.is_empty() {
        term.warn(&format!(
            "untracked files created during the release were left in place: {}",
            left.join(", ")
        ));
    }
    Ok(())
}
