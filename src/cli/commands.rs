//! One function per command: flags become a library call, its result becomes output.

use git_release::config::Config;
use git_release::consolidate;
use git_release::error::{Error, Result};
use git_release::git::{self, Repo};
use git_release::group;
use git_release::release::{self, Request};
use git_release::towncrier;
use git_release::version::Version;

use super::args::{
    BuildArgs, Cli, Command, ConsolidateArgs, FreezeArgs, GroupingArgs, LearnArgs, RulesCommand,
    SectionFormat, SummaryFormat,
};
use super::output::{print_out, render_plan, render_summary};
use super::term::Term;

/// Run the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match &cli.command {
        None => release(&cli),
        Some(Command::Build(args)) => build(args),
        Some(Command::Consolidate(args)) => consolidate(args, &cli),
        Some(Command::Rules(RulesCommand::Learn(args))) => learn_rules(args),
        Some(Command::Demo(args)) => super::demo::run(args, &cli),
        Some(Command::Freeze(args)) => freeze(args),
        Some(Command::InstallManPages(args)) => super::man::install(args),
        Some(Command::Completions(args)) => {
            print_out(&super::completions::script(args.shell))?;
            Ok(0)
        }
        Some(Command::Abort) => {
            let repo = open_repo()?;
            let term = term_for(&cli, Some(&repo));
            release::abort(&repo, &term)?;
            Ok(0)
        }
        Some(Command::Continue(args)) => {
            let repo = open_repo()?;
            let term = term_for(&cli, Some(&repo));
            let config = load_config()?;
            let how = release::Continue { skip: args.skip };
            let summary =
                release::resume(&repo, &config, how, &term).map_err(|e| config.explain(e))?;
            print_summary(&summary, args.format);
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
    Version::parse_normal(&version)?;
    let repo = open_repo()?;
    let term = term_for(cli, Some(&repo));
    let config = load_config()?;
    let request = request(&config, cli)?;
    let plan = release::preflight(&repo, &config, &request).map_err(|e| config.explain(e))?;
    if args.dry_run {
        match args.format {
            SummaryFormat::Json => print_out(&git_release::json::pretty(&release::plan_view(
                &plan, &repo,
            )))?,
            SummaryFormat::Text => print_out(&format!(
                "{}Dry run: nothing was changed.\n",
                render_plan(&plan, &repo, &term)
            ))?,
        }
        plan.release_at_exit();
        return Ok(0);
    }
    say_more!("{}", render_plan(&plan, &repo, &term));
    if !args.yes && !term.confirm("Proceed?")? {
        return Err(Error::Aborted("nothing was changed".into()));
    }
    let summary = release::execute(&repo, &config, plan, &term)?;
    print_summary(&summary, args.format);
    Ok(0)
}

/// The release asked for on the command line, with the configured defaults.
pub fn request(config: &Config, cli: &Cli) -> Result<Request> {
    let args = &cli.release;
    let settings = grouping_settings(config, &args.grouping);
    Ok(Request {
        version: args.version.clone().unwrap_or_default(),
        webui_version: args.webui_version.clone(),
        date: towncrier::date_or_today(args.date.as_deref())?,
        no_edit: args.no_edit,
        allow_downgrade: args.allow_downgrade,
        allow_missing_rc: args.allow_missing_rc,
        strategy: settings.strategy,
        rules: settings.rules,
        labels_from: settings.labels_from,
        command: settings.command,
        keep_rc: args.grouping.keep_rc || config.release.consolidate.keep_rc,
        dry_run: args.dry_run,
    })
}

/// The summary of a finished release. The release is made whatever happens to stdout, so
/// a write that fails (a full disk, a closed pipe) is not a failure: said on stderr (but
/// for a closed pipe, whose reader is gone on purpose), and the exit code stays success.
fn print_summary(summary: &release::Summary, format: SummaryFormat) {
    let text = match format {
        SummaryFormat::Text => render_summary(summary),
        SummaryFormat::Json => git_release::json::pretty(summary),
    };
    if let Err(err) = print_out(&text) {
        if !super::is_broken_pipe(&err) {
            say!("note: the release is made, but its summary could not be written: {err}");
        }
    }
}

/// The release lock for a command that writes on its own (`consolidate`, `build`,
/// `freeze`), and the temporary files that a killed run's unfinished writes left in the
/// work tree removed, each said on stderr (see [`release::remove_unfinished_writes`]).
fn lock_for_writing(repo: &Repo, writes: release::Writes<'_>) -> Result<release::Lock> {
    let lock = release::Lock::acquire_for_writing(repo, Some(writes))?;
    // Looking for them runs git: a repository git refuses (`safe.directory`) is refused
    // first, as the writes' own checks would.
    repo.check_git_accepts()?;
    for path in release::remove_unfinished_writes(repo)? {
        say!(
            "note: removed {path}: the temporary file of a write that a killed git release \
             left unfinished"
        );
    }
    Ok(lock)
}

/// The repository holding the current directory.
fn open_repo() -> Result<Repo> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    Repo::discover(&cwd)
}

/// The repository holding the current directory, `None` outside any: for a command that
/// also works outside git. A bare repository, or one git-release cannot read, is refused,
/// never taken for a plain directory to write into.
fn repo_if_any() -> Result<Option<Repo>> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    Ok(Repo::discover_if_any(&cwd)?.ok())
}

fn term_for(cli: &Cli, repo: Option<&Repo>) -> Term {
    Term::new(cli.color, repo.and_then(|r| r.config_string("color.ui")))
}

/// The grouping settings: strategy and data files from the flags first, then
/// `[tool.git-release.consolidate]`, which gives everything else.
pub fn grouping_settings(config: &Config, grouping: &GroupingArgs) -> group::Settings {
    let c = &config.release.consolidate.grouping;
    group::Settings {
        strategy: grouping.strategy.unwrap_or(c.strategy),
        rules: grouping.rules.clone().or_else(|| c.rules.clone()),
        labels_from: grouping
            .labels_from
            .clone()
            .or_else(|| c.labels_from.clone()),
        command: grouping.command.clone().or_else(|| c.command.clone()),
        ..c.clone()
    }
}

/// `git release consolidate`.
fn consolidate(args: &ConsolidateArgs, cli: &Cli) -> Result<i32> {
    let repo = repo_if_any()?;
    let term = term_for(cli, repo.as_ref());
    let config = load_config()?;
    let version = match &args.version {
        Some(v) => Version::parse_normal(v)?,
        None => match config.version_file()? {
            Some(file) => file.version.base(),
            None => {
                return Err(Error::Usage(
                    "no version given and no version file: give the version to consolidate \
                     (`git release consolidate 1.2.0`)"
                        .into(),
                ));
            }
        },
    };
    let date = towncrier::date_or_today(args.date.as_deref())?;
    // Nothing to resume is said first: before a consolidation whose notes would be moot.
    if let (true, Some(repo)) = (args.resume, repo.as_ref()) {
        let draft = git_release::review::draft_path(repo.git_dir());
        if !draft.is_file() {
            return Err(Error::Refused(format!(
                "there is no draft to resume ({} does not exist); run the command without --resume to start a new review",
                draft.display()
            )));
        }
    }
    // A kept draft holds the reviewer's work: a new section (reviewed or not) never
    // replaces it; a dry run replaces nothing.
    if let (false, false, Some(repo)) = (args.resume, args.dry_run, repo.as_ref()) {
        git_release::review::check_no_kept_draft(repo.git_dir())?;
    }
    // A command that writes waits for no release: one at a time in a repository.
    let _lock = match (&repo, args.dry_run) {
        (Some(repo), false) => Some(lock_for_writing(
            repo,
            release::Writes::Changelog(version.as_str()),
        )?),
        _ => None,
    };
    let settings = grouping_settings(&config, &args.grouping);
    let prepared =
        consolidate::prepare(&config, &version, &date, &settings).map_err(|e| config.explain(e))?;
    for note in consolidate::report(&prepared.grouped.consolidation) {
        term.note(&note);
    }
    // What it will write and remove, held to the release's rules before the review opens.
    let changes = release::Changes {
        changelog: Some(&prepared.path),
        fragments: &prepared.fragments,
        ..Default::default()
    };
    if let (false, Some(repo)) = (args.dry_run, repo.as_ref()) {
        release::check_changes(repo, &config, &changes)?;
    }
    // The level and blank lines `write` gives the section (the template's, see
    // `consolidate::Layout`): the dry run prints the very bytes.
    let level = match prepared.changelog.releases().is_empty() {
        true => prepared.layout.level.unwrap_or(prepared.changelog.level()),
        false => prepared.changelog.level(),
    };
    let section = prepared.grouped.release();
    // A fresh section written unreviewed passes the review's checks; a kept draft is
    // checked as the reviewed text it is (`kept_release`).
    if args.no_edit && !args.resume {
        git_release::review::check_unreviewed(&config, &prepared)?;
    }
    if args.dry_run {
        // `--resume`: the kept draft is what would be written, not a fresh section.
        let kept = match (args.resume, repo.as_ref()) {
            (true, Some(repo)) => git_release::review::kept_release(repo, &config, &prepared)?,
            _ => None,
        };
        let text = match (args.format, kept) {
            (SectionFormat::Markdown, Some(kept)) => prepared.layout.render(&kept, level),
            (SectionFormat::Json, Some(kept)) => git_release::json::pretty(&kept.view()),
            (SectionFormat::Markdown, None) => prepared.layout.render(&section, level),
            (SectionFormat::Json, None) => git_release::json::pretty(&prepared.grouped.view()),
        };
        print_out(&text)?;
        return Ok(0);
    }
    let repo = repo.ok_or_else(|| {
        Error::Refused(
            "not in a git repository; run inside the project's repository (or use --dry-run)"
                .into(),
        )
    })?;
    let keep_rc = args.grouping.keep_rc || config.release.consolidate.keep_rc;
    let reviewed = if args.no_edit && !args.resume {
        section
    } else {
        let reviewed = if args.no_edit {
            git_release::review::kept_release(&repo, &config, &prepared)?
        } else {
            git_release::review::review_release(
                &repo,
                &config,
                &prepared,
                args.resume,
                git_release::review::RESUME_AFTER_EDITOR,
            )?
        };
        match reviewed {
            Some(r) => r,
            // As in `git release`: an emptied draft is the user saying no (exit code 3).
            None => {
                git_release::review::discard_draft(repo.git_dir());
                return Err(Error::Aborted(
                    "the draft was emptied: nothing was written".into(),
                ));
            }
        }
    };
    // A review may have been open for hours: checked again right before the write.
    if !args.no_edit {
        release::check_changes(&repo, &config, &changes)?;
    }
    consolidate::write(
        &prepared,
        &reviewed,
        keep_rc,
        args.keep_fragments,
        Some(&repo),
    )?;
    git_release::review::discard_draft(repo.git_dir());
    // Done by hand for a stopped release: the changelog is that release's work.
    release::record_by_hand(&repo, &[repo.relative_path(&prepared.path)])?;
    let c = &prepared.grouped.consolidation;
    say!(
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

/// `git release freeze VERSION`: the release's freeze step on its own.
fn freeze(args: &FreezeArgs) -> Result<i32> {
    let version = Version::parse_normal(&args.version)?;
    if !version.is_final() {
        return Err(Error::Usage(format!(
            "{version} is a pre-release; the placeholder is frozen for final releases only"
        )));
    }
    let repo = open_repo()?;
    let config = load_config()?;
    let _lock = if args.dry_run {
        None
    } else {
        Some(lock_for_writing(
            &repo,
            release::Writes::Freeze(version.as_str()),
        )?)
    };
    let date = towncrier::date_or_today(None)?;
    let changelog =
        towncrier::changelog_path(&config, version.as_str(), &config.towncrier.name, &date)?;
    let outcome = release::plan_freeze(&repo, &config, &version, &changelog, &[])
        .map_err(|e| config.explain(e))?
        .ok_or_else(|| {
            Error::Refused("there is no `[freeze]` in the configuration: nothing to freeze".into())
        })?;
    let mut text = String::new();
    super::output::render_freeze(&mut text, &outcome);
    say_more!("{text}");
    if args.dry_run {
        say!("Dry run: nothing was changed.");
        return Ok(0);
    }
    let frozen: Vec<std::path::PathBuf> = outcome
        .changes
        .iter()
        .map(|c| repo.root().join(&c.path))
        .collect();
    release::check_changes(
        &repo,
        &config,
        &release::Changes {
            frozen: &frozen,
            ..Default::default()
        },
    )
    .map_err(|e| config.explain(e))?;
    outcome.apply(repo.root())?;
    // Done by hand for a stopped release: its files are that release's work.
    let written: Vec<String> = outcome.changes.iter().map(|c| c.path.clone()).collect();
    release::record_by_hand(&repo, &written)?;
    say!("Froze {}: {}", outcome.placeholder, outcome.extent());
    Ok(0)
}

/// `git release rules learn`.
fn learn_rules(args: &LearnArgs) -> Result<i32> {
    let config = load_config()?;
    let files = match &args.changelog {
        Some(p) => vec![p.clone()],
        None => config.changelog_files()?,
    };
    if files.is_empty() {
        return Err(Error::Refused(format!(
            "no changelog found ({}); pass --changelog PATH",
            config.changelog_template()
        )));
    }
    // Nothing the project or git needs is written over (the changelog learned from, the
    // configuration, `.git/config`, a fragment…): refused before anything is learned.
    if let Some(out) = &args.output {
        let repo = repo_if_any().ok().flatten();
        consolidate::check_rules_output(&config, repo.as_ref(), out, &files)?;
    }
    let mut logs = Vec::new();
    for f in &files {
        let bytes = git_release::files::read_regular(f, |message| {
            Error::Refused(format!("{}: {message}", f.display()))
        })?;
        logs.push(String::from_utf8(bytes).map_err(|e| {
            Error::Refused(format!(
                "{}: is not UTF-8 text (byte {}); a changelog is UTF-8",
                f.display(),
                e.utf8_error().valid_up_to()
            ))
        })?);
        if args.history {
            let repo = open_repo()?;
            let rel = f.canonicalize().unwrap_or_else(|_| f.clone());
            let rel = rel.strip_prefix(repo.root()).unwrap_or(&rel).to_path_buf();
            for version in repo.file_history(&rel)? {
                logs.push(String::from_utf8_lossy(&version.contents).into_owned());
            }
        }
    }
    let learned = consolidate::learn_rules(&config, &logs);
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
    let out = group::learn::to_toml(&learned, &source);
    match &args.output {
        Some(path) => {
            git_release::atomic::write(path, out.as_bytes())?;
            say!("Wrote {} rules to {}", learned.rules.len(), path.display());
        }
        None => print_out(&out)?,
    }
    Ok(0)
}

/// The project's configuration, looked up from the current directory to the top of the
/// git work tree (or the current directory outside git); its warnings go to stderr.
pub fn load_config() -> Result<Config> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let top = git::toplevel(&cwd);
    let config = Config::discover(&cwd, top.as_deref())?;
    for warning in &config.warnings {
        say!("warning: {warning}");
    }
    Ok(config)
}

/// `git release build`: towncrier's `build`, natively. With `--draft` stdout holds exactly
/// what towncrier prints there; everything else goes to stderr.
fn build(args: &BuildArgs) -> Result<i32> {
    let config = load_config()?;
    let fragments = git_release::fragments::discover(&config).map_err(|e| config.explain(e))?;
    for unknown in &fragments.unknown {
        say!(
            "warning: {} (towncrier would skip it silently)",
            unknown.to_error(&config)
        );
    }
    let version = match args.version.as_ref().or(args.version_option.as_ref()) {
        Some(v) => v.clone(),
        None => towncrier::default_version(&config)?,
    };
    let date = match &args.date {
        Some(d) => d.clone(),
        None => towncrier::default_date()?,
    };
    let name = args.name.as_deref();

    if args.draft {
        let mut content = towncrier::render_section(&config, &fragments, &version, &date, name)?;
        content.push('\n');
        print_out(&content)?;
        // The process ends here: freeing every fragment and table one by one is wasted work.
        std::mem::forget((content, fragments, config));
        return Ok(0);
    }

    // Writing waits for no release (outside git there is no release to wait for), and in
    // a repository is held to the release's rules for what it writes and removes.
    let repo = repo_if_any()?;
    let _lock = match &repo {
        Some(repo) => {
            let lock = lock_for_writing(repo, release::Writes::Changelog(&version))?;
            let changelog = towncrier::changelog_path(
                &config,
                &version,
                name.unwrap_or(&config.towncrier.name),
                &date,
            )?;
            let files: Vec<std::path::PathBuf> =
                fragments.fragments.iter().map(|f| f.path.clone()).collect();
            let changes = release::Changes {
                changelog: Some(&changelog),
                fragments: &files,
                ..Default::default()
            };
            release::check_changes(repo, &config, &changes)?;
            Some(lock)
        }
        None => None,
    };
    say!(
        "Building {version} ({date}) from {} news fragment(s)...",
        fragments.fragments.len()
    );
    let report = towncrier::build(&config, &fragments, &version, &date, name, args.keep)?;
    // Done by hand for a stopped release: the changelog is that release's work.
    if let (true, Some(repo)) = (report.staged, &repo) {
        release::record_by_hand(repo, &[repo.relative_path(&report.changelog)])?;
    }
    // Outside a git work tree nothing is staged (towncrier's own wording says neither).
    let staged = if report.staged { " and staged" } else { "" };
    say!("Wrote{staged} {}", report.changelog.display());
    if !report.removed.is_empty() {
        say!("Removed the following files:");
        for p in &report.removed {
            say!("{}", p.display());
        }
    }
    if !report.kept.is_empty() {
        say!("Keeping the following files:");
        for p in &report.kept {
            say!("{}", p.display());
        }
    }
    if report.removed.is_empty() && report.kept.is_empty() {
        say!("No news fragments to remove. Skipping!");
    }
    say!("Done!");
    Ok(0)
}
