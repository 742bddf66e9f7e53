//! `git release demo`: a full final release in a throwaway repository.
//!
//! The repository is built from files embedded in the binary (`demo/` in the source
//! tree): a small project at `1.4.0rc2` with two rc sections, new fragments (one of them
//! already released, one updating an rc entry), a rules file, a frozen placeholder, a
//! next-version file and a configured step. The release runs with the review skipped, and
//! the resulting section, summary and commits are printed.
//!
//! SIGINT, SIGTERM or SIGHUP while the demo runs does not leave its temporary repository
//! behind: the demo catches them from the start ([`Interruptible`]), stops at the next
//! point between its phases (the release's steps stop as a release does, and say which
//! signal through [`git_release::process::received`]), removes the repository, and ends as
//! the signal would.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};

use git_release::changelog::Changelog;
use git_release::config::Config;
use git_release::error::{Error, Result};
use git_release::git::Repo;
use git_release::release::{self, Request};

use super::args::{Cli, DemoArgs};
use super::output::{print_out, render_summary};
use super::term::Term;

/// The demo project, file by file.
const FILES: &[(&str, &str)] = &[
    ("pyproject.toml", include_str!("../../demo/pyproject.toml")),
    ("VERSION", include_str!("../../demo/VERSION")),
    ("CHANGELOG.md", include_str!("../../demo/CHANGELOG.md")),
    (
        "changes/template.md",
        include_str!("../../demo/changes/template.md"),
    ),
    (
        "changes/README.md",
        include_str!("../../demo/changes/README.md"),
    ),
    (
        "changes/101.fix.md",
        include_str!("../../demo/changes/101.fix.md"),
    ),
    (
        "changes/122.feature.md",
        include_str!("../../demo/changes/122.feature.md"),
    ),
    (
        "changes/131.feature.md",
        include_str!("../../demo/changes/131.feature.md"),
    ),
    (
        "changes/133.feature.md",
        include_str!("../../demo/changes/133.feature.md"),
    ),
    (
        "changes/134.enhance.md",
        include_str!("../../demo/changes/134.enhance.md"),
    ),
    (
        "changes/135.fix.md",
        include_str!("../../demo/changes/135.fix.md"),
    ),
    (
        "changes/136.doc.md",
        include_str!("../../demo/changes/136.doc.md"),
    ),
    (
        "strategies/widget.toml",
        include_str!("../../demo/strategies/widget.toml"),
    ),
    (
        "src/widget/version.py",
        include_str!("../../demo/src/widget/version.py"),
    ),
    (
        "src/widget/reports.py",
        include_str!("../../demo/src/widget/reports.py"),
    ),
];

/// The version the demo releases.
pub const DEMO_VERSION: &str = "1.4.0";

/// Write the demo project into `dir` and commit it on `main`.
pub fn create(dir: &Path) -> Result<()> {
    for (name, text) in FILES {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    let git = |args: &[&str]| -> Result<()> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .map_err(|e| Error::Git(format!("cannot run git: {e}; is git installed?")))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error::Git(format!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    };
    git(&["init", "--quiet", "--initial-branch=main"])?;
    git(&["config", "user.name", "git-release demo"])?;
    git(&["config", "user.email", "demo@git-release.invalid"])?;
    git(&["config", "commit.gpgsign", "false"])?;
    // The user's own hooks (a global `core.hooksPath`) must not run on the demo's commits;
    // hooks put in the demo's own `.git/hooks` do (to try a rejecting hook, say).
    git(&["config", "core.hooksPath", ".git/hooks"])?;
    git(&["add", "--all"])?;
    git(&["commit", "--quiet", "--no-verify", "-m", "widget 1.4.0rc2"])?;
    Ok(())
}

/// The stopping signal the demo received while [`Interruptible`] catches them (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc::c_int) {
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// SIGINT, SIGTERM and SIGHUP recorded instead of ending the process, while it lives (one
/// the process was started ignoring stays ignored); the previous dispositions come back on
/// drop. The release takes them over while its steps run, and gives them back.
struct Interruptible {
    previous: Vec<git_release::process::Previous>,
}

impl Interruptible {
    fn catch() -> Interruptible {
        RECEIVED.store(0, Ordering::SeqCst);
        // `record` only stores to an atomic.
        let handler: extern "C" fn(libc::c_int) = record;
        let previous =
            git_release::process::install(handler, git_release::process::Take::UnlessIgnored);
        Interruptible { previous }
    }

    /// The signal received so far: by the demo, or by the release's steps.
    fn received(&self) -> Option<i32> {
        match RECEIVED.load(Ordering::SeqCst) {
            0 => git_release::process::received(),
            signal => Some(signal),
        }
    }

    /// Stop between phases when a signal came.
    fn check(&self) -> std::result::Result<(), Interrupted> {
        match self.received() {
            Some(signal) => Err(Interrupted(signal)),
            None => Ok(()),
        }
    }
}

impl Drop for Interruptible {
    fn drop(&mut self) {
        git_release::process::restore(&self.previous);
    }
}

/// The demo was stopped by this signal.
struct Interrupted(i32);

/// End the process as `signal` would have, had nothing caught it (a shell then sees
/// 128 + its number).
fn die_by(signal: i32) -> ! {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    // SAFETY: the default disposition, then the signal to this process: it ends here.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
    std::process::exit(128 + signal);
}

/// Run the demo: build the repository, release 1.4.0 in it, show the outcome. A stopping
/// signal ends it as the signal would, the temporary repository removed first.
pub fn run(args: &DemoArgs, cli: &Cli) -> Result<i32> {
    let signals = Interruptible::catch();
    let mut temp = None;
    let outcome = in_repository(args, cli, &signals, &mut temp);
    let signal = match outcome {
        Err(Interrupted(signal)) => signal,
        Ok(result) => match signals.received() {
            Some(signal) => signal,
            None => return result,
        },
    };
    let gone = temp.take().map(|t: tempfile::TempDir| {
        let path = t.path().to_path_buf();
        let removed = t.close();
        (path, removed)
    });
    let name = match signal {
        libc::SIGINT => "SIGINT (Ctrl-C)",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    };
    match (gone, &args.dir) {
        (Some((path, Ok(()))), _) => say!(
            "\nThe demo was stopped by {name}; its repository {} is removed.",
            path.display()
        ),
        (Some((path, Err(e))), _) => say!(
            "\nThe demo was stopped by {name}; its repository {} could not be removed \
             ({e}): remove it yourself.",
            path.display()
        ),
        (None, Some(dir)) => say!(
            "\nThe demo was stopped by {name}; its repository is kept in {}.",
            dir.display()
        ),
        (None, None) => say!("\nThe demo was stopped by {name}."),
    }
    drop(signals);
    die_by(signal)
}

/// The demo's work, phase by phase, each followed by a check for a signal: the repository
/// (in `temp` unless `--dir` names one), the release, its outcome printed.
fn in_repository(
    args: &DemoArgs,
    cli: &Cli,
    signals: &Interruptible,
    temp: &mut Option<tempfile::TempDir>,
) -> std::result::Result<Result<i32>, Interrupted> {
    let dir: PathBuf = match &args.dir {
        Some(d) => {
            if let Some(target) = super::man::dangling(d) {
                return Ok(Err(Error::Refused(format!(
                    "{} is a symlink to {}, which does not exist; give --dir a new directory \
                     (the demo creates it), not a link",
                    d.display(),
                    target.display()
                ))));
            }
            if d.exists() {
                return Ok(Err(Error::Refused(format!(
                    "{} already exists; give --dir a new directory (the demo creates it)",
                    d.display()
                ))));
            }
            if let Err(e) = std::fs::create_dir_all(d) {
                return Ok(Err(Error::io(d, e)));
            }
            d.clone()
        }
        None => {
            let made = tempfile::Builder::new()
                .prefix("git-release-demo-")
                .tempdir()
                .map_err(|e| Error::io(std::env::temp_dir(), e));
            match made {
                Ok(t) => temp.insert(t).path().to_path_buf(),
                Err(e) => return Ok(Err(e)),
            }
        }
    };
    // A phase that fails because of the signal (a git it started was stopped by the same
    // Ctrl-C) is the signal's, not an error.
    macro_rules! phase {
        ($e:expr) => {{
            let value = $e;
            signals.check()?;
            match value {
                Ok(v) => v,
                Err(e) => return Ok(Err(e.into())),
            }
        }};
    }
    phase!(create(&dir));
    let repo = phase!(Repo::discover(&dir));
    let term = Term::new(cli.color, None);
    let config = phase!(Config::load(repo.root()));
    let c = &config.release.consolidate.grouping;
    let date = phase!(git_release::towncrier::default_date());
    let request = Request {
        version: DEMO_VERSION.into(),
        webui_version: None,
        date,
        no_edit: true,
        allow_downgrade: false,
        allow_missing_rc: false,
        strategy: c.strategy,
        rules: c.rules.clone(),
        labels_from: c.labels_from.clone(),
        command: c.command.clone(),
        keep_rc: false,
        dry_run: false,
    };
    say!("Demo project `widget` at 1.4.0rc2 in {}", dir.display());
    say!("Running: git release {DEMO_VERSION} --yes --no-edit\n");
    let plan = phase!(release::preflight(&repo, &config, &request));
    say_more!("{}", super::output::render_plan(&plan, &repo, &term));
    let summary = phase!(release::execute(&repo, &config, plan, &term));
    Ok(outcome(&dir, args, &summary, &term))
}

/// The new section, the summary and the commits, printed.
fn outcome(dir: &Path, args: &DemoArgs, summary: &release::Summary, term: &Term) -> Result<i32> {
    let log = Changelog::read(&dir.join("CHANGELOG.md"))?.expect("the demo has a changelog");
    let index = log
        .find(&git_release::version::Version::parse(DEMO_VERSION)?)
        .expect("the release wrote its section");
    let mut out = String::new();
    out.push_str(&format!("\n{}\n", term.bold("The new changelog section:")));
    out.push_str(log.section_text(index));
    out.push('\n');
    out.push_str(&render_summary(summary));
    let commits = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["log", "--format=  %h %s", "-3"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    out.push_str(&format!("\nCommits on {}:\n{commits}", summary.branch));
    if args.dir.is_some() {
        out.push_str(&format!(
            "\nThe repository is kept in {}: look around with `git -C {0} log -p`.\n",
            dir.display()
        ));
    } else {
        out.push_str("\nThe demo repository was temporary and is gone; keep one with `git release demo --dir DIR`.\n");
    }
    print_out(&out)?;
    Ok(0)
}
