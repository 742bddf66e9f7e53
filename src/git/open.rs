//! Opening the repository a command works on, and whether git itself works in it: a
//! directory in no repository told apart from a repository git-release cannot read (a
//! SHA-256 or reftable one: refused naming the format, never taken for "no repository"),
//! and a repository git refuses (`safe.directory`) found before anything is written.

use std::ffi::OsString;
use std::path::Path;

use super::{Repo, git_command};
use crate::error::{Error, Result};

impl Repo {
    /// Find the repository containing `dir` (which may be any directory of its work tree).
    /// Refused when there is none, when it is bare, and when its format is one git-release
    /// cannot read.
    pub fn discover(dir: impl AsRef<Path>) -> Result<Repo> {
        let dir = dir.as_ref();
        Repo::discover_if_any(dir)?.map_or_else(
            |why| {
                Err(Error::Refused(format!(
                    "{} is not inside a git repository ({why}); run git release from your \
                     project",
                    dir.display()
                )))
            },
            Ok,
        )
    }

    /// [`Repo::discover`], with `Ok(Err(why))` for a directory that is in no repository at
    /// all (neither gix nor git finds one): a command that also works outside git (`build`,
    /// as towncrier's) goes on there, and only there — a bare repository or one of another
    /// format is refused, not written into as a plain directory.
    pub fn discover_if_any(dir: impl AsRef<Path>) -> Result<std::result::Result<Repo, String>> {
        let dir = dir.as_ref();
        // Absolute and symlink-free, like `git rev-parse --show-toplevel` prints it.
        let start = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
        // `GIT_*` overrides denied: see the module documentation.
        let mut trust = gix::sec::trust::Mapping::<gix::open::Options>::default();
        for options in [&mut trust.full, &mut trust.reduced] {
            options.permissions.env.git_prefix = gix::sec::Permission::Deny;
            // The index's checksum (a hash of the whole file: half of reading a large
            // index, on pre-flight's way to its planning) is not checked, as git itself
            // checks it only in `git fsck`: a release reads the index git reads (an index
            // git cannot parse is refused by both).
            // Checked: `an_index_with_a_bad_checksum_is_read_as_git_reads_it`.
            *options = std::mem::take(options).config_overrides(["index.skipHash=true"]);
        }
        let repo = match gix::ThreadSafeRepository::discover_opts(&start, Default::default(), trust)
        {
            Ok(repo) => repo.to_thread_local(),
            Err(e) => return not_opened(&start, &e.to_string()).map(Err),
        };
        check_format(&repo)?;
        let root = match repo.workdir() {
            Some(root) => root.to_path_buf(),
            None => {
                return Err(Error::Refused(format!(
                    "{} is a bare repository; git release needs a work tree",
                    repo.git_dir().display()
                )));
            }
        };
        let root = root.canonicalize().map_err(|e| Error::io(&root, e))?;
        Ok(Ok(Repo { repo, root }))
    }

    /// Whether git itself works in this repository: it refuses one owned by another user
    /// unless `safe.directory` names it, and then every `git add` fails — after the file
    /// was written. One `git rev-parse`, before anything is written.
    pub fn check_git_accepts(&self) -> Result<()> {
        let args = [OsString::from("rev-parse"), OsString::from("--git-dir")];
        let output = git_command(&self.root, &args)
            .output()
            .map_err(|e| Error::Git(format!("cannot run `git rev-parse`: {e}")))?;
        if output.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&output.stderr);
        let said = said
            .lines()
            .map(|l| l.trim().trim_start_matches("fatal: "))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Err(Error::Refused(format!(
            "git refuses to work in {} ({said}), so what git-release writes could not be \
             staged; nothing was written. Make git accept the repository as it says, then run \
             again",
            self.root.display(),
        )))
    }
}

/// A repository gix opened, in a format its reads would misread or fail on: references
/// kept in a reftable, objects named by SHA-256. Refused up front, naming the format.
fn check_format(repo: &gix::Repository) -> Result<()> {
    let config = repo.config_snapshot();
    if let Some(refs) = config.string("extensions.refStorage")
        && !refs.eq_ignore_ascii_case(b"files")
    {
        return Err(unsupported(
            repo.git_dir(),
            &format!(
                "keeps its references in the `{refs}` format (`extensions.refStorage = {refs}`)"
            ),
        ));
    }
    if repo.object_hash() != gix::hash::Kind::Sha1 {
        return Err(unsupported(
            repo.git_dir(),
            &format!("names its objects with {}", repo.object_hash()),
        ));
    }
    Ok(())
}

fn unsupported(git_dir: &Path, what: &str) -> Error {
    Error::Refused(format!(
        "the repository {} {what}, which git-release cannot read yet (it reads repositories \
         with SHA-1 object names and files for references, git's defaults); release from such \
         a clone, or make the release by hand",
        git_dir.display()
    ))
}

/// gix found no repository it could open at `start`: ask git. In no repository at all:
/// `Ok(why)`. A repository git opens but gix cannot (a SHA-256 one; gix's message alone
/// says only that its configuration could not be loaded): refused, naming the format.
fn not_opened(start: &Path, why: &str) -> Result<String> {
    let args = ["rev-parse", "--absolute-git-dir", "--show-object-format"].map(OsString::from);
    let Ok(output) = git_command(start, &args).output() else {
        return Ok(why.to_string());
    };
    let said = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        if said.contains("not a git repository") || said.trim().is_empty() {
            return Ok(why.to_string());
        }
        // git finds one and refuses it too (an extension it does not know, a broken
        // configuration): its own words.
        return Err(Error::Refused(format!(
            "{} is in a git repository neither git-release nor git can open ({}; git: {})",
            start.display(),
            why,
            said.trim().trim_start_matches("fatal: ")
        )));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    let git_dir = lines.next().unwrap_or_default();
    match lines.next().map(str::trim) {
        Some(format) if !format.is_empty() && format != "sha1" => Err(unsupported(
            Path::new(git_dir),
            &format!("names its objects with {format} (`extensions.objectFormat = {format}`)"),
        )),
        _ => Err(Error::Refused(format!(
            "git-release cannot open the repository {git_dir} ({why}); check it with `git \
             fsck`, or run git release in another clone"
        ))),
    }
}
