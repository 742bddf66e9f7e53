//! Where a release may write: inside the repository's work tree, outside its git
//! directory. A path is judged by where a write would land ([`crate::atomic::write_target`]:
//! through symlinks), so a link inside the repository to a file inside it is fine, and a
//! link, `..` or absolute path that leads out of it is refused before anything changes.

use std::path::{Path, PathBuf};

use super::plan::relative;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::git::Repo;

/// Where a write to `path` lands, when that is inside the work tree and outside `.git`;
/// otherwise why not (the caller names the setting at fault).
pub(crate) fn landing(repo: &Repo, path: &Path) -> std::result::Result<PathBuf, String> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        repo.root().join(path)
    };
    let target = crate::atomic::write_target(&path).map_err(|e| e.to_string())?;
    let resolved = crate::atomic::resolve(&target)?;
    let root = repo.root();
    let git_dirs = [repo.git_dir(), repo.common_dir()]
        .map(|d| d.canonicalize().unwrap_or_else(|_| d.to_path_buf()));
    if !resolved.starts_with(root) {
        return Err(format!(
            "it resolves to {}, outside the repository {}",
            resolved.display(),
            root.display()
        ));
    }
    if git_dirs.iter().any(|d| resolved.starts_with(d)) {
        return Err(format!(
            "it resolves to {}, inside git's own directory",
            resolved.display()
        ));
    }
    // A submodule's (or a nested clone's) file: this repository's `git add` refuses it, its
    // commit cannot hold it, and `abort` cannot bring it back.
    if let Some(nested) = nested_repository(repo, &resolved) {
        return Err(format!(
            "it resolves to {}, in {}, the work tree of another repository (a submodule or a \
             nested clone), whose files this repository can neither commit nor restore",
            resolved.display(),
            nested.display()
        ));
    }
    // A new file under a path whose directory is a file (an old `CHANGELOG` beside
    // `CHANGELOG/{major}.{minor}.md`): it could never be created.
    if let Some(blocking) = resolved
        .ancestors()
        .skip(1)
        .find(|a| a.symlink_metadata().is_ok())
        .filter(|a| !a.is_dir())
    {
        return Err(format!(
            "{} is a file, not a directory, so {} cannot be created in it",
            blocking.display(),
            resolved.display()
        ));
    }
    // Left out of the work tree by a sparse checkout, it would read as missing: written
    // anew from nothing (a changelog without its history), and its commit refused.
    if resolved.symlink_metadata().is_err()
        && let Ok(rel) = resolved.strip_prefix(root)
        && let rel = rel.to_string_lossy()
        && repo
            .skip_worktree(&rel)
            .is_ok_and(|hidden| hidden.iter().any(|h| *h == rel))
    {
        return Err(format!(
            "{rel} is tracked, but a sparse checkout leaves it out of the work tree, so the \
             release would write it anew without what it holds; check it out (`git \
             sparse-checkout add {}` or `git sparse-checkout disable`), then run again",
            super::plan::shell_quote(&rel)
        ));
    }
    // Read and written as a text file: anything else (a FIFO would hang the read) is not.
    if let Ok(meta) = std::fs::metadata(&resolved)
        && let Some(what) = crate::atomic::not_regular(&meta)
    {
        return Err(format!(
            "{} is {what}, not a regular file",
            resolved.display()
        ));
    }
    Ok(resolved)
}

/// The directory between `resolved` (absolute, symlink-free) and the work tree's root that
/// is another repository's work tree (it holds a `.git`: a submodule or a nested clone).
pub(crate) fn nested_repository(repo: &Repo, resolved: &Path) -> Option<PathBuf> {
    resolved
        .ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(repo.root()) && *dir != repo.root())
        .find(|dir| dir.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

/// Whether git commits what the release writes at `resolved` (where [`landing`] says a
/// write to `named` lands): a tracked file whose index entry does not hide the work tree
/// from git (assume-unchanged, skip-worktree), or a new file (the release creates it) git
/// does not ignore. Otherwise the release commit would leave out what the release wrote (or
/// take a file that was not its own), and `abort` could not restore it.
pub(crate) fn in_git(
    repo: &Repo,
    named: &Path,
    resolved: &Path,
) -> std::result::Result<(), String> {
    git_sees(repo, named, resolved, false)
}

/// [`in_git`] where a write lands, right before it: a bit set or an ignore rule added since
/// pre-flight (a step, the user while the review was open) is caught there. A file the
/// release created itself (a new changelog) is untracked until its commit, and its own.
pub(crate) fn seen_by_git(
    repo: &Repo,
    named: &Path,
    resolved: &Path,
) -> std::result::Result<(), String> {
    git_sees(repo, named, resolved, true)
}

fn git_sees(
    repo: &Repo,
    named: &Path,
    resolved: &Path,
    untracked_is_own: bool,
) -> std::result::Result<(), String> {
    let Ok(rel) = resolved.strip_prefix(repo.root()) else {
        return Ok(());
    };
    let rel = rel.to_string_lossy().replace('\\', "/");
    // As a shell word in the commands advised (a path with a space pasted as two).
    let word = super::plan::shell_quote(&rel);
    let named = named.strip_prefix(repo.root()).unwrap_or(named);
    let subject = if named == Path::new(&rel) {
        rel.clone()
    } else {
        format!("{} leads to {rel}, which", named.display())
    };
    case_twin(repo, &subject, &rel)?;
    let bits = repo.index_bits(&[&rel]).map_err(|e| e.to_string())?;
    match bits.first().copied().flatten() {
        Some(bits) if bits.assume_unchanged => Err(format!(
            "{subject} has git's assume-unchanged bit, so git would not see what the release \
             writes there and the release commit would leave it out; clear the bit (`git \
             update-index --no-assume-unchanged {word}`), then run again"
        )),
        Some(bits) if bits.skip_worktree => Err(format!(
            "{subject} has git's skip-worktree bit, so git would not see what the release \
             writes there and would refuse to add it; clear the bit (`git update-index \
             --no-skip-worktree {word}`), then run again"
        )),
        Some(_) => Ok(()),
        None if repo.ignored(&rel).map_err(|e| e.to_string())? => Err(format!(
            "{subject} is ignored by git and not tracked, so the release commit could not \
             hold what the release writes there (nor `git release abort` restore it); point \
             the setting at a file git tracks, or track this one (`git add -f {word}`, then \
             commit)"
        )),
        // There already, untracked: the release would commit the whole file as its own.
        None if !untracked_is_own && resolved.symlink_metadata().is_ok() => Err(format!(
            "{subject} is not tracked by git, so the release would commit all of it as its \
             own change (and `git release abort` would not know it); commit it first (`git add \
             {word}`, then `git commit`), or remove it"
        )),
        None => Ok(()),
    }
}

/// With `core.ignorecase` set (a clone made on a case-insensitive file system, copied to a
/// case-sensitive one), git takes a tracked path differing from `rel` only by case for it:
/// the release's `git add` would stage its write into that twin, and the release would stop
/// on a change it cannot tell from the user's.
fn case_twin(repo: &Repo, subject: &str, rel: &str) -> std::result::Result<(), String> {
    let ignorecase = repo.config_string("core.ignorecase").is_some_and(|v| {
        ["true", "yes", "on", "1"].contains(&v.trim().to_ascii_lowercase().as_str())
    });
    if !ignorecase {
        return Ok(());
    }
    let tracked = repo.ls_files().map_err(|e| e.to_string())?;
    let lower = rel.to_lowercase();
    match tracked
        .iter()
        .find(|t| *t != rel && t.to_lowercase() == lower)
    {
        Some(twin) => Err(format!(
            "{subject} has a twin git tracks, {twin}, differing only by case, and \
             `core.ignorecase` is true: git would stage what the release writes into the twin; \
             rename or remove one of them (`git mv`, `git rm`), or set `core.ignorecase` to \
             false if this file system tells case apart, then run again"
        )),
        None => Ok(()),
    }
}

/// [`landing`] and [`in_git`], or a refusal naming the setting (`what`: "`version-file` in
/// pyproject.toml") that gave the path.
pub(crate) fn check(repo: &Repo, path: &Path, what: impl FnOnce(String) -> Error) -> Result<()> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        repo.root().join(path)
    };
    landing(repo, &path)
        .map_err(|why| {
            format!("{why}; a release reads and writes only regular files inside its repository")
        })
        .and_then(|resolved| in_git(repo, &path, &resolved))
        .map_err(what)
}

/// What a command run on its own — `build`, `consolidate`, `freeze`, the release's steps by
/// hand — changes in the work tree: the files it writes and the fragments it publishes and
/// removes. All paths absolute.
#[derive(Debug, Default, Clone, Copy)]
pub struct Changes<'a> {
    /// The changelog it writes.
    pub changelog: Option<&'a Path>,
    /// The files the freeze writes.
    pub frozen: &'a [PathBuf],
    /// The fragment files it reads: their text goes into the section, and they are
    /// removed (but with `--keep`).
    pub fragments: &'a [PathBuf],
}

/// The release's pre-flight rules for what a command run on its own changes, checked
/// before it writes or removes anything, so that a refusal changes nothing: git accepts
/// the repository (`safe.directory`) and its index lock is free; every written file lands
/// inside the work tree, outside `.git` and any submodule, in a file git commits (no
/// assume-unchanged or skip-worktree bit, not ignored: see [`seen_by_git`]); every fragment
/// removed is this repository's to remove, and none published is a link to text that is
/// not the project's (git's own files, a local file outside the fragment directories that
/// git does not track). Unlike a release, an untracked fragment may be consumed and an
/// untracked changelog written (towncrier's `build` does both).
pub fn check_changes(repo: &Repo, config: &Config, changes: &Changes<'_>) -> Result<()> {
    repo.check_git_accepts()?;
    repo.check_no_index_lock()?;
    let written = |path: &Path, what: &dyn Fn(String) -> Error| -> Result<()> {
        // A directory (or other non-file) where the file is: its read or write fails on its
        // own, an I/O error (exit 1), replacing nothing.
        if std::fs::metadata(path).is_ok_and(|m| crate::atomic::not_regular(&m).is_some()) {
            return Ok(());
        }
        let resolved = landing(repo, path).map_err(|why| {
            what(format!(
                "{why}; git-release writes only regular files inside its repository"
            ))
        })?;
        seen_by_git(repo, path, &resolved).map_err(what)
    };
    if let Some(changelog) = changes.changelog {
        written(changelog, &|why| {
            config.changelog_key_error(format!("names {}: {why}", relative(repo, changelog)))
        })?;
    }
    for file in changes.frozen {
        written(file, &|why| {
            config.settings_source.error(
                "freeze",
                format!("would freeze {}, but {why}", relative(repo, file)),
            )
        })?;
    }
    check_fragments(repo, config, changes.fragments)
}

/// The fragments of [`check_changes`]. Removing a fragment removes the file itself (a link
/// as a link), so where a removal lands is its directory, links resolved.
fn check_fragments(repo: &Repo, config: &Config, published: &[PathBuf]) -> Result<()> {
    let root = repo.root();
    let git_dirs = [repo.git_dir(), repo.common_dir()]
        .map(|d| d.canonicalize().unwrap_or_else(|_| d.to_path_buf()));
    let in_git_dir = |p: &Path| git_dirs.iter().any(|d| p.starts_with(d));
    let rels: Vec<String> = published.iter().map(|f| repo.relative_path(f)).collect();
    for (fragment, rel) in published.iter().zip(&rels) {
        let at = root.join(rel);
        let refuse = |why: String| {
            Err(Error::Refused(format!(
                "the fragment {} {why}; fragments are consumed only where this repository has \
                 them: keep the fragments directory (`directory` in [tool.towncrier]) in it, \
                 outside `.git` and any submodule. Nothing was written",
                fragment.display()
            )))
        };
        if Path::new(rel).is_absolute() || !at.starts_with(root) {
            return refuse(format!(
                "is at {}, outside the repository {} (its directory is a link out of it, or \
                 configured outside)",
                at.display(),
                root.display()
            ));
        }
        if in_git_dir(&at) {
            return refuse("is inside git's own directory".into());
        }
        if let Some(nested) = nested_repository(repo, &at) {
            return refuse(format!(
                "belongs to the repository at {} (a submodule or a nested clone), not to this \
                 one, which can neither commit its removal nor bring it back",
                relative(repo, &nested)
            ));
        }
    }
    let bits = repo.index_bits(&rels.iter().map(String::as_str).collect::<Vec<_>>())?;
    for (rel, bits) in rels.iter().zip(bits) {
        // Git looks away from the work tree's copy: the text published may not be git's,
        // and the removal staged is of a file whose last edits git never saw.
        if let Some((name, flag)) = bits.and_then(crate::git::IndexBits::looking_away) {
            return Err(Error::Refused(format!(
                "the fragment {rel} has git's {name} bit, so git does not see its changes in \
                 the work tree: the text published may not be the one git has; clear the bit \
                 (`git update-index {flag} {}`), then run again. Nothing was written",
                super::plan::shell_quote(rel)
            )));
        }
    }
    check_published_links(repo, config, published, &in_git_dir)
}

/// A fragment that is a symlink publishes its target's text: it must be the project's —
/// inside the repository, not in git's own files, and a file git tracks or another
/// fragment git does not ignore — never a local file (a token in `.git/config`, an ignored
/// secret beside the checkout).
fn check_published_links(
    repo: &Repo,
    config: &Config,
    published: &[PathBuf],
    in_git_dir: &dyn Fn(&Path) -> bool,
) -> Result<()> {
    let root = repo.root();
    let fragment_dirs: Vec<PathBuf> = config
        .towncrier
        .sections
        .values()
        .filter_map(|d| config.fragments_dir(d).canonicalize().ok())
        .collect();
    let mut links: Vec<(&PathBuf, String)> = Vec::new();
    for fragment in published {
        if !fragment
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            continue;
        }
        // A dangling link publishes nothing: reading it fails on its own.
        let Ok(target) = fragment.canonicalize() else {
            continue;
        };
        let refuse = |why: String| {
            Err(Error::Refused(format!(
                "the fragment {} is a symlink to {}, {why}, so its text would be published as \
                 an entry; write the text into the fragment itself (or commit the file it \
                 names). Nothing was written",
                fragment.display(),
                target.display()
            )))
        };
        if in_git_dir(&target) {
            return refuse("inside git's own directory (its configuration, hooks, objects)".into());
        }
        match target.strip_prefix(root) {
            Ok(rel) => links.push((fragment, rel.to_string_lossy().into_owned())),
            Err(_) => return refuse(format!("outside the repository {}", root.display())),
        }
    }
    if links.is_empty() {
        return Ok(());
    }
    let targets: Vec<&str> = links.iter().map(|(_, t)| t.as_str()).collect();
    for ((fragment, target), tracked) in links.iter().zip(repo.tracked(&targets)?) {
        if tracked {
            continue;
        }
        let in_fragments = fragment_dirs
            .iter()
            .any(|d| root.join(target).starts_with(d));
        if !in_fragments || repo.ignored(target)? {
            return Err(Error::Refused(format!(
                "the fragment {} is a symlink to {target}, which git does not track (it is \
                 ignored, or untracked outside the fragment directories), so a local file's \
                 text would be published as an entry; commit {target}, or write the text into \
                 the fragment itself. Nothing was written",
                fragment.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn repo() -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("git")
            .args(["init", "--quiet"])
            .current_dir(dir.path())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .status()
            .unwrap();
        assert!(ok.success());
        let repo = Repo::discover(dir.path()).unwrap();
        (dir, repo)
    }

    #[test]
    fn inside_is_fine_outside_and_git_are_not() {
        let (dir, repo) = repo();
        let root = repo.root().to_path_buf();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/CHANGELOG.md"), "").unwrap();
        symlink("docs/CHANGELOG.md", root.join("CHANGELOG.md")).unwrap();
        symlink(outside.path().join("x"), root.join("OUT.md")).unwrap();
        symlink(outside.path(), root.join("outdir")).unwrap();
        symlink("docs/missing.md", root.join("DANGLING.md")).unwrap();
        for fine in [
            "VERSION",
            "CHANGELOG.md",
            "new/dir/file.md",
            "docs/../VERSION",
            "DANGLING.md",
        ] {
            assert!(landing(&repo, Path::new(fine)).is_ok(), "{fine}");
        }
        assert_eq!(
            landing(&repo, Path::new("CHANGELOG.md")).unwrap(),
            root.join("docs/CHANGELOG.md")
        );
        std::fs::create_dir(root.join("adir")).unwrap();
        let fifo = std::ffi::CString::new(root.join("PIPE").into_os_string().into_encoded_bytes())
            .unwrap();
        // SAFETY: mkfifo with a valid C path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        for refused in [
            "adir",
            "PIPE",
            "../VERSION",
            "OUT.md",
            "outdir/VERSION",
            ".git/config",
            "new/../../x",
            "/etc/passwd",
        ] {
            let why = landing(&repo, Path::new(refused)).unwrap_err();
            assert!(!why.is_empty(), "{refused}");
        }
        drop(dir);
    }
}
