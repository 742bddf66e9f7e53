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
