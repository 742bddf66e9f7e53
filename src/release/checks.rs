//! Pre-flight's checks of the repository and the request: each refuses, saying what to do,
//! before anything changes.

use std::path::{Path, PathBuf};

use super::paths;
use super::plan::relative;
use super::request::Request;
use crate::config::{Config, Found, StepWhen};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::version::{Tags, Version};

/// What the repository's checks found: the current version, the base branch's commit and
/// the release branch's name.
pub(super) struct RepositoryChecks {
    pub(super) current: Version,
    pub(super) base_commit: String,
    pub(super) branch: String,
    /// Why the final's review could not run here (no terminal, no editor), for a dry run,
    /// which reports it instead of refusing: it opens no review.
    pub(super) review_unavailable: Option<String>,
    /// The base branch (configured, else the repository's default: [`base_branch`]).
    pub(super) base: String,
}

/// Every check of the repository and the request that does not need the section: the
/// version is newer, the work tree clean, HEAD on the base branch, no branch or tag of
/// the release yet, an identity to commit with, the WebUI and review can run.
pub(super) fn check_repository(
    repo: &Repo,
    config: &Config,
    request: &Request,
    version: &Version,
    webui: Option<&Version>,
    changelog: &Path,
    reviewed: impl FnOnce() -> bool,
) -> Result<RepositoryChecks> {
    // `git var` runs as two processes: started now, they answer while the status is read.
    let identity = repo.start_identity_check();
    let current = match config.version_file()? {
        Some(file) => file.version,
        None => newest_release(repo, config, changelog, version)?,
    };
    check_no_index_lock(repo)?;
    // A merge (even one whose tree is clean), a cherry-pick or `git am` stopped half-way
    // would make the release's first step fail, or take its commit.
    if let Some(op) = repo.operation_in_progress() {
        let how = if op == "bisect" {
            "end it (`git bisect reset`)".to_string()
        } else {
            format!("finish it (`git {op} --continue`) or undo it (`git {op} --abort`)")
        };
        return Err(Error::Refused(format!(
            "a `git {op}` is in progress; {how}, then run again"
        )));
    }
    check_clean(repo)?;
    let (base, found) = base_branch(repo, config)?;
    let base_commit = check_base_branch(repo, &base, found)?;
    let branch = config.release.branch.replace("{version}", version.as_str());
    // A name git cannot take would fail only when the branch is created: refused here,
    // naming the setting.
    let exists = repo.branch_exists(&branch).map_err(|e| {
        config.settings_source.error(
            "branch",
            format!(
                "= \"{}\" makes `{branch}`, which git does not take as a branch name ({e}); \
                 use a valid name (see `git check-ref-format --branch`)",
                config.release.branch
            ),
        )
    })?;
    if exists {
        return Err(Error::Refused(format!(
            "the branch `{branch}` already exists; delete it (`git branch -D {branch}`) or release another version"
        )));
    }
    let in_the_way = repo.branches_in_the_way(&branch)?;
    if let Some(other) = in_the_way.first() {
        return Err(Error::Refused(format!(
            "the branch `{other}` exists, and git cannot create `{branch}` beside it (a branch \
             name cannot also be a directory of another); rename it (`git branch -m {other} \
             <new name>`) or set `branch` in the release settings to another pattern"
        )));
    }
    // Pushed by someone, from somewhere: this release was started elsewhere, and a second
    // branch of the same name would collide with it at the first push.
    if let Some(remote) = repo.remote_branches(&branch)?.first() {
        return Err(Error::Refused(format!(
            "the branch `{branch}` exists on a remote as `{remote}`: {version}'s release was \
             started elsewhere. Finish it there (`git switch {branch}` makes it yours), or \
             delete the remote branch if it was pushed by mistake, then run again"
        )));
    }
    // Compared as versions: with `v1.4.0` tagged, `1.4` or `1.4.0.0` is the same release.
    if let Some(tag) = repo
        .tags()?
        .into_iter()
        .find(|t| version.is_named_by_tag(t, &current))
    {
        let same =
            if tag.strip_prefix(['v', 'V']) == Some(version.as_str()) || tag == version.as_str() {
                String::new()
            } else {
                format!(" (the same version as {version})")
            };
        return Err(Error::Refused(format!(
            "the tag `{tag}` exists{same}: {version} was released already; release another \
             version (or delete the tag, `git tag -d {tag}`, if it was made by mistake)"
        )));
    }
    if let Some(why) = identity.missing() {
        return Err(Error::Refused(format!(
            "git cannot name the author of the release's commits: {why}. Set user.name and \
             user.email (`git config user.name …`, `git config user.email …`), then run again"
        )));
    }
    if let Some(why) = repo.signing_problem() {
        return Err(Error::Refused(format!(
            "commit.gpgSign is set, but git could not sign the release's commits: {why}. Fix \
             the signing setup, or release without signing (`git -c commit.gpgSign=false \
             release …`), then run again"
        )));
    }
    if *version <= current && !request.allow_downgrade {
        return Err(Error::Refused(format!(
            "{version} is not newer than the current version {current} ({}); pass --allow-downgrade if this is intended",
            match &config.version_place {
                Some(place) => place.describe(),
                None => "the newest release of the changelog and the tags".into(),
            }
        )));
    }
    check_webui_steps(config, webui)?;
    let mut review_unavailable = None;
    // The review's editor, for a section that is reviewed (`reviewed`: consolidated, without
    // `--no-edit`; asked last, as the planning works it out at the same time).
    if reviewed() {
        match repo.review_editor().map(drop) {
            Err(Error::Refused(why)) if request.dry_run => review_unavailable = Some(why),
            checked => checked?,
        }
    }

    Ok(RepositoryChecks {
        current,
        base_commit,
        branch,
        review_unavailable,
        base,
    })
}

/// With no version file (versions from git tags: setuptools-scm, hatch-vcs), the current
/// version is the newest release the changelog (Markdown or reStructuredText: its release
/// titles, [`crate::changelog::release_titles`]) or the tags show (a floating tag, `v1`, is
/// none); `0` with neither (a first release).
pub(super) fn newest_release(
    repo: &Repo,
    config: &Config,
    changelog: &Path,
    version: &Version,
) -> Result<Version> {
    // Markdown's release headings, or reStructuredText's titles at the releases' level.
    let section = crate::changelog::release_titles(config, changelog)?
        .into_iter()
        .map(|t| t.version)
        .max();
    let tags = Tags::read(repo.tags()?);
    let tag = tags.newest(version).cloned();
    match section.into_iter().chain(tag).max() {
        Some(newest) => Ok(newest),
        None => Ok(Version::parse("0")?),
    }
}

/// The branch releases start from, and how it was chosen (said when HEAD is elsewhere):
/// `base-branch` when configured; else `main` when it exists; else the repository's
/// default branch — the branch `origin/HEAD` names, else git's `init.defaultBranch`, when
/// it exists here, else `master` or `trunk` when exactly one of them exists; else `main`.
pub(super) fn base_branch(repo: &Repo, config: &Config) -> Result<(String, &'static str)> {
    if let Some(base) = &config.release.base_branch {
        return Ok((base.clone(), "`base-branch`"));
    }
    if repo.branch_exists("main")? {
        return Ok(("main".into(), "the default"));
    }
    let origin_head = std::fs::read_to_string(repo.common_dir().join("refs/remotes/origin/HEAD"))
        .ok()
        .and_then(|t| {
            t.trim()
                .strip_prefix("ref: refs/remotes/origin/")
                .map(str::to_string)
        });
    if let Some(name) = origin_head {
        if repo.branch_exists(&name)? {
            return Ok((name, "origin's default branch"));
        }
    }
    if let Some(name) = repo.config_string("init.defaultBranch") {
        if repo.branch_exists(&name)? {
            return Ok((name, "git's `init.defaultBranch`"));
        }
    }
    let mut usual = Vec::new();
    for name in ["master", "trunk"] {
        if repo.branch_exists(name)? {
            usual.push(name);
        }
    }
    if let [name] = usual[..] {
        return Ok((name.to_string(), "the repository's default branch"));
    }
    Ok(("main".into(), "the default"))
}

/// git's index lock held: see [`Repo::check_no_index_lock`].
pub(super) fn check_no_index_lock(repo: &Repo) -> Result<()> {
    repo.check_no_index_lock()
}

/// A WebUI version needs a step that updates the WebUI: without one the release would
/// claim a WebUI version it never installed.
fn check_webui_steps(config: &Config, webui: Option<&Version>) -> Result<()> {
    let Some(webui) = webui else {
        return Ok(());
    };
    if config
        .release
        .steps
        .iter()
        .any(|s| s.when == StepWhen::Webui)
    {
        return Ok(());
    }
    Err(config.settings_source.error(
        "step",
        format!(
            "has no step with `when = \"webui\"`, so nothing would update the WebUI to {webui}; \
             add one (`run` the command that installs it, with $WEBUI_VERSION), or leave the \
             WebUI version out"
        ),
    ))
}

/// Every file the release writes lands inside the repository (symlinks followed), in a
/// file whose changes git commits (see [`paths::in_git`]).
pub(super) fn check_paths(
    repo: &Repo,
    config: &Config,
    changelog: &Path,
    freeze: &[PathBuf],
) -> Result<()> {
    let src = &config.settings_source;
    let refuse = |key: &'static str, value: String| {
        move |why: String| src.error(key, format!("= \"{value}\": {why}"))
    };
    for place in config.version_place.iter().chain(&config.version_also) {
        let file = config.root.join(&place.path);
        match place.found {
            Found::Configured => {
                paths::check(repo, &file, refuse("version-file", place.path.clone()))?;
            }
            _ => paths::check(repo, &file, |why| {
                Error::Refused(format!(
                    "{}, where the project's version is, cannot be written: {why}; set \
                     `version-file` (and `version-pattern`) in [tool.git-release] to where \
                     the version is",
                    place.describe()
                ))
            })?,
        }
    }
    let (key, source) = match &config.release.changelog {
        Some(_) => ("changelog", src),
        None => ("filename", &config.towncrier_source),
    };
    paths::check(repo, changelog, |why| {
        source.error(key, format!("names {}: {why}", relative(repo, changelog)))
    })?;
    if let Some(nv) = &config.release.next_version {
        paths::check(
            repo,
            &config.root.join(&nv.file),
            refuse("next-version.file", nv.file.clone()),
        )?;
    }
    for file in freeze {
        paths::check(repo, file, |why| {
            src.error(
                "freeze",
                format!(
                    "would freeze {}, but {why}; or exclude it (`exclude` in [freeze])",
                    relative(repo, file)
                ),
            )
        })?;
    }
    Ok(())
}

/// The directory between `file` and the work tree's root that is another repository's
/// work tree (it holds a `.git`: a submodule or a nested clone), if any.
fn nested_repository(repo: &Repo, file: &Path) -> Option<PathBuf> {
    let file = file.canonicalize().ok()?;
    file.ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(repo.root()) && *dir != repo.root())
        .find(|dir| dir.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

/// The fragments are the release's inputs as git has them: none left out of the work tree
/// by a sparse checkout (the release would go without it), none that git does not track
/// (an ignored file: the release would delete it, and `abort` could not bring it back).
pub(super) fn check_fragments_in_git(
    repo: &Repo,
    config: &Config,
    fragments: &[PathBuf],
) -> Result<()> {
    for section_dir in config.towncrier.sections.values() {
        let dir = config.fragments_dir(section_dir);
        let dir = dir.canonicalize().unwrap_or(dir);
        let rel = dir.strip_prefix(repo.root()).unwrap_or(&dir);
        // A file that is there has the bit without a sparse checkout: checked below.
        let hidden = repo.skip_worktree(&rel.to_string_lossy())?;
        let absent = |h: &&String| repo.root().join(h).symlink_metadata().is_err();
        if let Some(hidden) = hidden.iter().find(absent) {
            return Err(Error::Refused(format!(
                "{hidden} is tracked but not in the work tree (a sparse checkout leaves it out), \
                 so the release would go without it; check the fragments out \
                 (`git sparse-checkout add {}` or `git sparse-checkout disable`), then run again",
                rel.display()
            )));
        }
    }
    let rels: Vec<String> = fragments.iter().map(|f| repo.relative_path(f)).collect();
    let bits = repo.index_bits(&rels.iter().map(String::as_str).collect::<Vec<_>>())?;
    for ((fragment, rel), bits) in fragments.iter().zip(&rels).zip(bits) {
        let tracked = bits.is_some();
        if Path::new(rel).is_absolute() {
            return Err(Error::Refused(format!(
                "the fragment {} resolves to {rel}, outside the repository {} (the fragments \
                 directory is a link out of it?); a release consumes only fragments git has \
                 in this repository: move them in and commit them",
                fragment.display(),
                repo.root().display()
            )));
        }
        if !tracked && let Some(nested) = nested_repository(repo, fragment) {
            return Err(Error::Refused(format!(
                "{rel} belongs to the repository at {} (a submodule or a nested repository), not \
                 to this one, so this release can neither commit its removal nor bring it back; \
                 keep the fragments directory in this repository (or release from that one)",
                repo.relative_path(&nested)
            )));
        }
        if !tracked {
            return Err(Error::Refused(format!(
                "{rel} is not tracked by git (it is ignored), so the release would delete it and \
                 `git release abort` could not bring it back; add it (`git add -f {rel}`) and \
                 commit it, or move it out of the fragments directory"
            )));
        }
        // Git looks away from the work tree's copy: what the release publishes may not be
        // what git has, and `abort` would bring back git's copy, not the one published.
        if let Some((name, flag)) = bits.and_then(crate::git::IndexBits::looking_away) {
            return Err(Error::Refused(format!(
                "the fragment {rel} has git's {name} bit, so git does not see its changes in \
                 the work tree: the release would publish a text git may not have, and \
                 `git release abort` could not bring the file back as it is; clear the bit \
                 (`git update-index {flag} {rel}`), then run again"
            )));
        }
    }
    // A symlink publishes its target's text: that text must be the project's too, not a
    // local file git ignores or does not track (a secret beside the checkout).
    // Dangling links and links out of the repository are refused by the fragment files'
    // own check; the others' targets are looked up in the index at once.
    let links: Vec<(&String, String)> = fragments
        .iter()
        .zip(&rels)
        .filter(|(fragment, _)| fragment.symlink_metadata().is_ok_and(|m| m.is_symlink()))
        .filter_map(|(fragment, rel)| {
            Some((rel, repo.relative_path(&fragment.canonicalize().ok()?)))
        })
        .filter(|(_, target)| !Path::new(target).is_absolute())
        .collect();
    if links.is_empty() {
        return Ok(());
    }
    let targets: Vec<&str> = links.iter().map(|(_, t)| t.as_str()).collect();
    for ((rel, target_rel), tracked) in links.iter().zip(repo.tracked(&targets)?) {
        if !tracked {
            return Err(Error::Refused(format!(
                "the fragment {rel} is a symlink to {target_rel}, which git does not track (it is \
                 ignored or untracked), so the release would publish a local file's text; \
                 commit {target_rel}, or write the text into the fragment itself"
            )));
        }
    }
    Ok(())
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
fn check_base_branch(repo: &Repo, base: &str, found: &str) -> Result<String> {
    let exists = repo.branch_exists(base)?;
    match repo.current_branch()? {
        Some(b) if b == base => {}
        // Never advice to switch to a branch that is not there.
        Some(b) if !exists => {
            return Err(Error::Refused(format!(
                "HEAD is on `{b}`, and the base branch `{base}` ({found}) does not exist; if \
                 releases start from `{b}`, set `base-branch = \"{b}\"` in [tool.git-release]"
            )));
        }
        Some(b) => {
            return Err(Error::Refused(format!(
                "HEAD is on `{b}`, not on the base branch `{base}` ({found}); run `git switch \
                 {base}` first (or, if releases start from `{b}`, set `base-branch = \"{b}\"` \
                 in [tool.git-release])"
            )));
        }
        None if !exists => {
            return Err(Error::Refused(format!(
                "HEAD is detached, and the base branch `{base}` ({found}) does not exist; \
                 switch to the branch releases start from and set `base-branch` to it in \
                 [tool.git-release]"
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
