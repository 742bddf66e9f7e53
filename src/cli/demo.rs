//! `git release demo`: a full final release in a throwaway repository.
//!
//! The repository is built from files embedded in the binary (`demo/` in the source
//! tree): a small project at `1.4.0rc2` with two rc sections, new fragments (one of them
//! already released, one updating an rc entry), a rules file, a frozen placeholder, a
//! next-version file and a configured step. The release runs with the review skipped, and
//! the resulting section, summary and commits are printed.

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Run the demo: build the repository, release 1.4.0 in it, show the outcome.
pub fn run(args: &DemoArgs, cli: &Cli) -> Result<i32> {
    let temp;
    let dir: PathBuf = match &args.dir {
        Some(d) => {
            if let Some(target) = super::man::dangling(d) {
                return Err(Error::Refused(format!(
                    "{} is a symlink to {}, which does not exist; give --dir a new directory \
                     (the demo creates it), not a link",
                    d.display(),
                    target.display()
                )));
            }
            if d.exists() {
                return Err(Error::Refused(format!(
                    "{} already exists; give --dir a new directory (the demo creates it)",
                    d.display()
                )));
            }
            std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
            d.clone()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("git-release-demo-")
                .tempdir()
                .map_err(|e| Error::io(std::env::temp_dir(), e))?;
            temp.path().to_path_buf()
        }
    };
    create(&dir)?;
    let repo = Repo::discover(&dir)?;
    let term = Term::new(cli.color, None);
    let config = Config::load(repo.root())?;
    let c = &config.release.consolidate.grouping;
    let request = Request {
        version: DEMO_VERSION.into(),
        webui_version: None,
        date: git_release::towncrier::default_date()?,
        no_edit: true,
        allow_downgrade: false,
        allow_missing_rc: false,
        strategy: c.strategy,
        rules: c.rules.clone(),
        labels_from: c.labels_from.clone(),
        command: c.command.clone(),
        keep_rc: false,
    };
    say!("Demo project `widget` at 1.4.0rc2 in {}", dir.display());
    say!("Running: git release {DEMO_VERSION} --yes --no-edit\n");
    let plan = release::preflight(&repo, &config, &request)?;
    say_more!("{}", super::output::render_plan(&plan, &repo, &term));
    let summary = release::execute(&repo, &config, plan, &term)?;

    let log = Changelog::read(&dir.join("CHANGELOG.md"))?.expect("the demo has a changelog");
    let index = log
        .find(&git_release::version::Version::parse(DEMO_VERSION)?)
        .expect("the release wrote its section");
    let mut out = String::new();
    out.push_str(&format!("\n{}\n", term.bold("The new changelog section:")));
    out.push_str(log.section_text(index));
    out.push('\n');
    out.push_str(&render_summary(&summary));
    let commits = Command::new("git")
        .arg("-C")
        .arg(&dir)
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
