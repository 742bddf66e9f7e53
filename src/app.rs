//! Command dispatch: each subcommand becomes one library call; output and exit codes
//! are decided here.

use std::path::{Path, PathBuf};

use crate::changelog::Changelog;
use crate::cli::{
    BuildArgs, Cli, Command, ConsolidateArgs, LearnArgs, RulesCommand, SectionFormat,
};
use crate::config::Config;
use crate::consolidate;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::group::{self, learn};
use crate::review;
use crate::term::Term;
use crate::version::Version;

/// Run the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match &cli.command {
        None => release(&cli),
        Some(Command::Build(args)) => build(args),
        Some(Command::Consolidate(args)) => consolidate(args, &cli),
        Some(Command::Rules(RulesCommand::Learn(args))) => learn_rules(args),
        Some(Command::Demo(args)) => crate::demo::run(args, &cli),
        Some(Command::Abort) => {
            let repo = open_repo()?;
            let term = term_for(&cli, Some(&repo));
            crate::release::abort(&repo, &term)?;
            Ok(0)
        }
        Some(Command::Continue(args)) => {
            let repo = open_repo()?;
            let term = term_for(&cli, Some(&repo));
            let config = load_config()?;
            let summary = crate::release::resume(&repo, &config, &term)?;
            print_summary(&summary, args.format)?;
            Ok(0)
        }
    }
}

/// `git release <VERSION> [WEBUI_VERSION]`.
fn release(cli: &Cli) -> Result<i32> {
    let args = &cli.release;
    let version = args
        .version
        .clone()
        .ok_or_else(|| Error::Usage("a VERSION is required".into()))?;
    // The version is checked before anything else: a typo must not get further.
    Version::parse(&version)?;
    let repo = open_repo()?;
    let term = term_for(cli, Some(&repo));
    let config = load_config()?;
    let settings = grouping_settings(&config, &args.grouping);
    let request = crate::release::Request {
        version,
        webui_version: args.webui_version.clone(),
        date: parse_date(args.date.as_deref())?,
        no_edit: args.no_edit,
        allow_downgrade: args.allow_downgrade,
        strategy: settings.strategy,
        rules: settings.rules,
        labels_from: settings.labels_from,
        keep_rc: args.grouping.keep_rc || config.release.consolidate.keep_rc,
    };
    let json = args.format == crate::cli::SummaryFormat::Json;
    match crate::release::run(
        &repo,
        &config,
        &request,
        args.yes,
        args.dry_run,
        json,
        &term,
    )? {
        Some(summary) => {
            print_summary(&summary, args.format)?;
            Ok(0)
        }
        None => Ok(0),
    }
}

fn print_summary(
    summary: &crate::release::Summary,
    format: crate::cli::SummaryFormat,
) -> Result<()> {
    let text = match format {
        crate::cli::SummaryFormat::Text => summary.render(),
        crate::cli::SummaryFormat::Json => {
            serde_json::to_string_pretty(summary).expect("plain data serialises") + "\n"
        }
    };
    crate::term::print_out(&text)
}

/// The repository holding the current directory.
fn open_repo() -> Result<Repo> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    Repo::discover(&cwd)
}

fn term_for(cli: &Cli, repo: Option<&Repo>) -> Term {
    Term::new(cli.color, repo.and_then(|r| r.config_string("color.ui")))
}

/// `--date`, checked: a typo here would end up in the changelog.
pub fn parse_date(date: Option<&str>) -> Result<String> {
    match date {
        None => crate::build::default_date(),
        Some(d) => jiff::civil::Date::strptime("%Y-%m-%d", d)
            .map(|_| d.to_string())
            .map_err(|_| {
                Error::Usage(format!(
                    "`{d}` is not a date; use YYYY-MM-DD, e.g. 2026-02-13"
                ))
            }),
    }
}

/// The version in the project's version file.
pub fn current_version(config: &Config) -> Result<(std::path::PathBuf, String, Version)> {
    let path = config.root.join(&config.release.version_file);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Refused(format!(
                "{} does not exist; create it with the current version, or set `version-file` in [tool.git-release]",
                path.display()
            ))
        } else {
            Error::io(&path, e)
        }
    })?;
    let version = Version::parse(text.trim())
        .map_err(|e| Error::Refused(format!("{}: {e}", path.display())))?;
    Ok((path, text, version))
}

/// The grouping settings: strategy and data files from the flags first, then
/// `[tool.git-release.consolidate]`, which gives everything else.
pub fn grouping_settings(config: &Config, grouping: &crate::cli::GroupingArgs) -> group::Settings {
    let c = &config.release.consolidate.grouping;
    group::Settings {
        strategy: grouping.strategy.unwrap_or(c.strategy),
        rules: grouping.rules.clone().or_else(|| c.rules.clone()),
        labels_from: grouping
            .labels_from
            .clone()
            .or_else(|| c.labels_from.clone()),
        ..c.clone()
    }
}

/// `git release consolidate`.
fn consolidate(args: &ConsolidateArgs, cli: &Cli) -> Result<i32> {
    let repo = open_repo().ok();
    let term = term_for(cli, repo.as_ref());
    let config = load_config()?;
    let version = match &args.version {
        Some(v) => Version::parse(v)?,
        None => current_version(&config)?.2.base(),
    };
    let date = parse_date(args.date.as_deref())?;
    let settings = grouping_settings(&config, &args.grouping);
    let prepared = consolidate::prepare(&config, &version, &date, &settings)?;
    for note in consolidate::report(&prepared.grouped.consolidation) {
        term.note(&note);
    }
    let level = prepared.changelog.level();
    let release = prepared.grouped.release();
    if args.dry_run {
        let text = match args.format {
            SectionFormat::Markdown => release.render(level),
            SectionFormat::Json => {
                serde_json::to_string_pretty(&prepared.grouped.view())
                    .expect("plain data serialises")
                    + "\n"
            }
        };
        crate::term::print_out(&text)?;
        return Ok(0);
    }
    let repo = repo.ok_or_else(|| {
        Error::Refused(
            "not in a git repository; run inside the project's repository (or use --dry-run)"
                .into(),
        )
    })?;
    let keep_rc = args.grouping.keep_rc || config.release.consolidate.keep_rc;
    let reviewed = if args.no_edit {
        release
    } else {
        match review_section(&repo, &config, &prepared, args.resume)? {
            Some(r) => r,
            None => {
                term.warn("the draft was emptied: nothing was written");
                return Ok(1);
            }
        }
    };
    consolidate::write(
        &prepared,
        &reviewed,
        keep_rc,
        args.keep_fragments,
        Some(&repo),
    )?;
    let c = &prepared.grouped.consolidation;
    eprintln!(
        "Wrote {} ({} entries, {} groups{}) to {}",
        version,
        c.entry_count(),
        prepared.grouped.group_count(),
        if c.section_versions.is_empty() {
            String::new()
        } else {
            format!(", folded {}", c.section_versions.join(", "))
        },
        prepared.path.display()
    );
    Ok(0)
}

/// Open the consolidated section in the editor and validate it; `None` when the user
/// emptied the draft.
pub fn review_section(
    repo: &Repo,
    config: &Config,
    prepared: &consolidate::Prepared,
    resume: bool,
) -> Result<Option<crate::changelog::Release>> {
    let release = prepared.grouped.release();
    let section = release.render(2);
    let display = prepared
        .path
        .strip_prefix(repo.root())
        .unwrap_or(&prepared.path)
        .display()
        .to_string();
    let draft = review::draft_text(&section, &prepared.grouped.reasons(), &display);
    let expect = review::Expectation {
        version: prepared.grouped.consolidation.version.clone(),
        categories: config.category_order(),
        entries: release.entries().cloned().collect(),
    };
    let editor = repo.editor()?;
    refuse_editor_without_terminal(repo, &editor)?;
    match review::review(
        &review::draft_path(repo.git_dir()),
        &draft,
        resume,
        &editor,
        repo.root(),
        &expect,
    )? {
        review::Outcome::Accepted(r) => Ok(Some(*r)),
        review::Outcome::Aborted => Ok(None),
    }
}

/// git falls back to `vi` when no editor is configured; without a terminal that would hang
/// or fail half-way, so say what to do instead (a configured editor is the user's choice
/// and runs as it is, e.g. `GIT_EDITOR=true` or a `sed` script).
fn refuse_editor_without_terminal(repo: &Repo, editor: &str) -> Result<()> {
    use std::io::IsTerminal;
    let configured = ["GIT_EDITOR", "VISUAL", "EDITOR"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
        || repo
            .config_string("core.editor")
            .is_some_and(|e| !e.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    if !configured && (!std::io::stdin().is_terminal() || dumb) {
        return Err(Error::Refused(format!(
            "no terminal to open the review in `{editor}`; pass --no-edit to skip the review, \
             or set GIT_EDITOR (or core.editor) to the editor to use"
        )));
    }
    Ok(())
}

/// `git release rules learn`.
fn learn_rules(args: &LearnArgs) -> Result<i32> {
    let config = load_config()?;
    let files: Vec<std::path::PathBuf> = match &args.changelog {
        Some(p) => vec![p.clone()],
        None => changelog_files(&config)?,
    };
    if files.is_empty() {
        return Err(Error::Refused(format!(
            "no changelog found ({}); pass --changelog PATH",
            config.changelog_template()
        )));
    }
    let mut sections = Vec::new();
    let mut texts = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut logs = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
        logs.push(text);
        if args.history {
            let repo = open_repo()?;
            let rel = f.canonicalize().unwrap_or_else(|_| f.clone());
            let rel = rel.strip_prefix(repo.root()).unwrap_or(&rel).to_path_buf();
            for version in repo.file_history(&rel)? {
                logs.push(String::from_utf8_lossy(&version.contents).into_owned());
            }
        }
    }
    for text in &logs {
        let log = Changelog::parse_with(text, Some(&config.towncrier.start_string));
        for r in log.releases() {
            for e in r.entries() {
                if seen.insert((
                    "entry",
                    r.title().to_string(),
                    e.text.clone(),
                    String::new(),
                )) {
                    texts.push(e.text.clone());
                }
            }
        }
        for s in consolidate::grouped_sections(&log) {
            let key = (
                "section",
                s.release.clone(),
                s.category.clone(),
                s.groups
                    .iter()
                    .map(|g| g.title.clone())
                    .collect::<Vec<_>>()
                    .join("|"),
            );
            if seen.insert(key) {
                sections.push(s);
            }
        }
    }
    // The pending topics come from the current changelog (its pre-release sections),
    // with word rarity from everything read.
    let current = Changelog::parse_with(&logs[0], Some(&config.towncrier.start_string));
    let grouping = &config.release.consolidate.grouping;
    let pending = consolidate::pending_categories(&current, &grouping.categories);
    let ctx = group::Context::new(
        group::Corpus::new(texts.iter().map(String::as_str)),
        Vec::new(),
        &grouping.components,
        grouping.min_group_size,
    );
    let learned = learn::learn(&sections, &pending, &texts, &ctx);
    let source = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let source = if args.history {
        format!("{source} and its history")
    } else {
        source
    };
    let out = learn::to_toml(&learned, &source);
    match &args.output {
        Some(path) => {
            crate::atomic::write(path, out.as_bytes())?;
            eprintln!("Wrote {} rules to {}", learned.rules.len(), path.display());
        }
        None => {
            crate::term::print_out(&out)?;
        }
    }
    Ok(0)
}

/// The project's changelog files: the configured path, or every file matching it when it
/// holds placeholders (`CHANGELOG/{major}.{minor}.md`).
fn changelog_files(config: &Config) -> Result<Vec<std::path::PathBuf>> {
    let template = config.changelog_template();
    if !template.contains('{') {
        let p = config.root.join(template);
        return Ok(if p.is_file() { vec![p] } else { Vec::new() });
    }
    let pattern = regex::Regex::new(r"\{[^}]*\}")
        .expect("valid")
        .replace_all(template, "*")
        .into_owned();
    let full = config.root.join(&pattern);
    let mut files: Vec<std::path::PathBuf> = glob::glob(&full.to_string_lossy())
        .map_err(|e| {
            Error::Usage(format!(
                "cannot search for changelogs with `{pattern}`: {e}"
            ))
        })?
        .filter_map(|p| p.ok())
        .collect();
    files.sort();
    Ok(files)
}

/// The project's configuration, looked up from the current directory to the top of the
/// git work tree (or the current directory outside git); its warnings go to stderr.
fn load_config() -> Result<Config> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let top = git_toplevel(&cwd);
    let config = Config::discover(&cwd, top.as_deref())?;
    for warning in &config.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(config)
}

/// The top of the git work tree holding `cwd`, or `None` outside one. Found without
/// running git (a process start would be a large share of a `build --draft`): the nearest
/// ancestor with a `.git` entry, a directory or the file of a linked worktree or
/// submodule. When `GIT_DIR` or `GIT_WORK_TREE` redirect git, git itself is asked.
fn git_toplevel(cwd: &Path) -> Option<PathBuf> {
    if std::env::var_os("GIT_DIR").is_some() || std::env::var_os("GIT_WORK_TREE").is_some() {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(cwd)
            .args(["rev-parse", "--show-toplevel"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        let top = String::from_utf8(out.stdout)
            .ok()
            .filter(|_| out.status.success())?;
        return Some(PathBuf::from(top.trim_end_matches(['\n', '\r'])));
    }
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `git release build`: towncrier's `build`, natively. With `--draft` stdout holds exactly
/// what towncrier prints there; everything else goes to stderr.
fn build(args: &BuildArgs) -> Result<i32> {
    let config = load_config()?;
    let fragments = crate::fragments::discover(&config)?;
    for unknown in &fragments.unknown {
        eprintln!(
            "warning: {} (towncrier would skip it silently)",
            unknown.to_error(&config)
        );
    }
    let version = match &args.version {
        Some(v) => v.clone(),
        None => crate::build::default_version(&config)?,
    };
    let date = match &args.date {
        Some(d) => d.clone(),
        None => crate::build::default_date()?,
    };
    let name = args.name.as_deref();

    if args.draft {
        let content = crate::build::render_section(&config, &fragments, &version, &date, name)?;
        crate::term::print_out(&format!("{content}\n"))?;
        return Ok(0);
    }

    eprintln!(
        "Building {version} ({date}) from {} news fragment(s)...",
        fragments.fragments.len()
    );
    let report = crate::build::build(&config, &fragments, &version, &date, name, args.keep)?;
    eprintln!("Wrote and staged {}", report.changelog.display());
    if !report.removed.is_empty() {
        eprintln!("Removed the following files:");
        for p in &report.removed {
            eprintln!("{}", p.display());
        }
    }
    if !report.kept.is_empty() {
        eprintln!("Keeping the following files:");
        for p in &report.kept {
            eprintln!("{}", p.display());
        }
    }
    if report.removed.is_empty() && report.kept.is_empty() {
        eprintln!("No news fragments to remove. Skipping!");
    }
    eprintln!("Done!");
    Ok(0)
}
