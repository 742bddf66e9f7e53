//! Command dispatch: each subcommand becomes one library call; output and exit codes
//! are decided here.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::cli::{BuildArgs, Cli, Command};
use crate::config::Config;
use crate::error::{Error, Result};

/// Run the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    let name = match &cli.command {
        None => "release",
        Some(Command::Build(args)) => return build(args),
        Some(Command::Consolidate(_)) => "consolidate",
        Some(Command::Rules(_)) => "rules learn",
        Some(Command::Demo(_)) => "demo",
        Some(Command::Abort) => "abort",
        Some(Command::Continue(_)) => "continue",
    };
    eprintln!("git release {name}: not yet implemented");
    Ok(2)
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

/// `git rev-parse --show-toplevel`, or `None` outside a work tree (or without git).
fn git_toplevel(cwd: &Path) -> Option<PathBuf> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(cwd)
        .args(["rev-parse", "--show-toplevel"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let top = String::from_utf8(out.stdout).ok()?;
    Some(PathBuf::from(top.trim_end_matches(['\n', '\r'])))
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
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{content}")
            .and_then(|_| stdout.flush())
            .map_err(|e| Error::io("<stdout>", e))?;
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
