//! What a clone may lack, and reading history through it: a shallow clone has no history
//! past its boundary, a partial clone (`--filter=blob:none`, `tree:0`) leaves objects on its
//! promisor remote until git fetches them, and a submodule's commit (a gitlink) is another
//! repository's object. gix reads none of these the way git does (it neither fetches from a
//! promisor remote nor stops at a gitlink when looking a path up), so this module says what
//! is missing instead of failing on an "object not found".

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::Path;

use super::history::TreeReader;
use super::{CommitTime, FileVersion, Repo, git_command, git_result, gix_error, history_from};
use crate::error::{Error, Result};

/// The history walks need the whole history: a fragment an earlier release consumed is
/// found by the commit that removed it, wherever it lies. A shallow clone is refused,
/// naming itself and what to do, before anything is read.
pub(super) fn check_full_history(repo: &gix::Repository) -> Result<()> {
    if repo.is_shallow().unwrap_or(false) {
        return Err(Error::Refused(format!(
            "this clone is shallow ({} lists where its history stops), so git-release cannot \
             check that no fragment an earlier release consumed comes back; fetch the whole \
             history (`git fetch --unshallow`; in CI, a checkout with `fetch-depth: 0`), then \
             run again",
            repo.git_dir().join("shallow").display()
        )));
    }
    Ok(())
}

/// The entry at `path` (relative to `tree`, `/`-separated) as its mode and object id, like
/// `tree.lookup_entry_by_path`, except that nothing is below a submodule: gix would look a
/// gitlink's commit (another repository's object) up as a tree and fail.
pub(super) fn entry_at(
    tree: &gix::Tree<'_>,
    path: &Path,
) -> std::result::Result<Option<(gix::object::tree::EntryMode, gix::ObjectId)>, gix::Error> {
    let mut names = path.components().map(|c| c.as_os_str().as_encoded_bytes());
    let Some(first) = names.next() else {
        return Ok(None);
    };
    let mut found = tree.find_entry(first).map(|e| (e.mode(), e.object_id()));
    for name in names {
        let Some((mode, id)) = found else {
            return Ok(None);
        };
        if !mode.is_tree() {
            return Ok(None);
        }
        let next = tree.repo.find_tree(id)?;
        found = next.find_entry(name).map(|e| (e.mode(), e.object_id()));
    }
    Ok(found)
}

impl Repo {
    /// Whether this is a partial clone: objects may be left on a promisor remote
    /// (`extensions.partialClone`, or a remote with `promisor = true`), as git decides.
    pub(super) fn is_partial_clone(&self) -> bool {
        let config = self.repo.config_snapshot();
        if config.string("extensions.partialClone").is_some() {
            return true;
        }
        self.repo.remote_names().iter().any(|name| {
            config
                .boolean(format!("remote.{name}.promisor").as_str())
                .unwrap_or(false)
        })
    }

    /// The bytes of blob `id`. A partial clone may not have it yet: then git reads it
    /// (`git cat-file blob`), fetching it from the promisor remote as any git command would.
    pub(super) fn blob_bytes(&self, id: gix::ObjectId, context: &str) -> Result<Vec<u8>> {
        match self.repo.find_blob(id) {
            Ok(blob) => Ok(blob.detach().data),
            Err(e) if !self.is_partial_clone() => Err(Error::Git(format!("{context}: {e}"))),
            Err(_) => {
                let args: Vec<OsString> = ["cat-file", "blob", &id.to_string()]
                    .map(OsString::from)
                    .to_vec();
                match git_command(&self.root, &args).output() {
                    Ok(out) if out.status.success() => Ok(out.stdout),
                    other => git_result(&args, other)
                        .map(String::into_bytes)
                        .map_err(|e| Error::Git(format!("{context}: {e}"))),
                }
            }
        }
    }

    /// A history walk's error, said for what it most likely is in a partial clone: an
    /// object (a tree of `--filter=tree:0`) that only the promisor remote has. Fetching
    /// every old tree one by one would take a round trip each; the user is told how to
    /// fetch them at once instead. Other errors are returned as they are.
    pub(super) fn explain_walk_error(&self, error: Error) -> Error {
        match error {
            Error::Git(message) if self.is_partial_clone() => Error::Refused(format!(
                "{message}; this is a partial clone, and git-release reads the trees of the \
                 whole history (to find fragments an earlier release consumed), which this \
                 clone left on its promisor remote; fetch them (`git fetch --refetch \
                 --filter=blob:none`, or clone with `--filter=blob:none` rather than \
                 `tree:0`), then run again"
            )),
            other => other,
        }
    }
}

impl Repo {
    /// The contents of `path` at revision `rev` (anything `git rev-parse` takes that names a
    /// commit or a tree); `None` when the file does not exist there (or is a directory or a
    /// submodule). An unknown revision is an error.
    pub fn file_at(&self, rev: &str, path: impl AsRef<Path>) -> Result<Option<Vec<u8>>> {
        let path = path.as_ref();
        let id = self
            .repo
            .rev_parse_single(rev)
            .map_err(gix_error(format!("unknown revision `{rev}`")))?;
        let tree = id
            .object()
            .and_then(|o| o.peel_to_tree())
            .map_err(gix_error(format!("`{rev}` does not name a commit")))?;
        let context = format!("cannot read {} at {rev}", path.display());
        let Some((mode, id)) = entry_at(&tree, path).map_err(gix_error(&context))? else {
            return Ok(None);
        };
        if !mode.is_blob_or_symlink() {
            return Ok(None);
        }
        self.blob_bytes(id, &context).map(Some)
    }

    /// Every distinct version of `path` reachable from HEAD, newest first, each with the
    /// commit that introduced it: the commits `git log -- <path>` lists (a merge counts
    /// only when its version differs from all its parents'), minus those that deleted the
    /// file, keeping the newest commit for a version that came back later.
    ///
    /// Renames are not followed (like `git log` without `--follow`): history stops at the
    /// commit that created `path` under this name. Empty on an unborn branch.
    pub fn file_history(&self, path: impl AsRef<Path>) -> Result<Vec<FileVersion>> {
        let path = path.as_ref();
        self.file_versions(path)
            .map_err(|e| self.explain_walk_error(e))
    }

    fn file_versions(&self, path: &Path) -> Result<Vec<FileVersion>> {
        let context = format!("cannot read the history of {}", path.display());
        let head = self.repo.head().map_err(gix_error("cannot read HEAD"))?;
        let Some(tip) = head.id() else {
            return Ok(Vec::new());
        };
        let reader = TreeReader::new(&self.repo);
        let walk = history_from(&reader.repo, tip.detach(), &context)?;

        // The blob at `path` for each commit seen, so each commit's tree is searched once
        // (as itself, then as its children's parent).
        let mut blob_at: HashMap<gix::ObjectId, Option<gix::ObjectId>> = HashMap::new();
        let blob_of = |blob_at: &mut HashMap<gix::ObjectId, Option<gix::ObjectId>>,
                       commit: gix::ObjectId|
         -> Result<Option<gix::ObjectId>> {
            if let Some(known) = blob_at.get(&commit) {
                return Ok(*known);
            }
            let tree = reader.root_tree(commit).map_err(gix_error(&context))?;
            let blob = entry_at(&tree, path)
                .map_err(gix_error(&context))?
                .filter(|(mode, _)| mode.is_blob_or_symlink())
                .map(|(_, id)| id);
            blob_at.insert(commit, blob);
            Ok(blob)
        };

        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for info in walk {
            let info = info.map_err(gix_error(&context))?;
            let Some(blob) = blob_of(&mut blob_at, info.id)? else {
                continue;
            };
            let mut same_as_a_parent = false;
            for parent in info.parent_ids() {
                if blob_of(&mut blob_at, parent.detach())? == Some(blob) {
                    same_as_a_parent = true;
                    break;
                }
            }
            if same_as_a_parent || !seen.insert(blob) {
                continue;
            }
            let commit = self
                .repo
                .find_commit(info.id)
                .map_err(gix_error(&context))?;
            let time = commit.time().map_err(gix_error(&context))?;
            let contents = self.blob_bytes(blob, &context)?;
            out.push(FileVersion {
                commit: info.id.to_string(),
                time: CommitTime {
                    seconds: time.seconds,
                    offset: time.offset,
                },
                contents,
            });
        }
        Ok(out)
    }
}
