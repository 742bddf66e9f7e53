//! Commits that removed a file with a given content: how a release that consumed a file
//! (a changelog fragment) is found again when the very same file comes back.

use std::collections::HashMap;
use std::path::Path;

use gix::bstr::ByteSlice;

use super::clone::entry_at;
use super::history::TreeReader;
use super::{CommitId, Repo, gix_error, history_from};
use crate::error::{Error, Result};

/// A commit that removed a file: it does not hold the path, its parent held it with the
/// content asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub commit: CommitId,
    pub parent: CommitId,
}

impl Repo {
    /// For each `(path, content)`, every commit reachable from HEAD whose parent held `path`
    /// (relative to the work-tree root) with exactly `content` and which holds no `path`:
    /// newest first. Empty on an unborn branch.
    ///
    /// Only commits that also changed `changed_with` (the changelog: a release's commit
    /// writes its section there) count, when it is given.
    ///
    /// Cost: one walk over HEAD's history reading, per commit, the trees down to the
    /// files' directories and `changed_with`; where both differ from the parent's, one pass
    /// over the parent's directory (and a look-up in the commit's for a file it held). A
    /// history where every commit adds a fragment costs a directory pass only at the
    /// commits that changed the changelog too.
    pub fn removals(
        &self,
        files: &[(String, Vec<u8>)],
        changed_with: Option<&str>,
    ) -> Result<Vec<Vec<Removal>>> {
        self.find_removals(files, changed_with)
            .map_err(|e| self.explain_walk_error(e))
    }

    fn find_removals(
        &self,
        files: &[(String, Vec<u8>)],
        changed_with: Option<&str>,
    ) -> Result<Vec<Vec<Removal>>> {
        let mut out = vec![Vec::new(); files.len()];
        if files.is_empty() {
            return Ok(out);
        }
        let context = "cannot read the history of the fragments";
        let head = self.repo.head().map_err(gix_error(context))?;
        let Some(tip) = head.id() else {
            return Ok(out);
        };
        let reader = TreeReader::new(&self.repo);
        let repo = &reader.repo;
        let kind = repo.object_hash();
        // Each file as (its directory's index, its name, its blob id).
        let mut dirs: Vec<String> = Vec::new();
        let mut wanted = Vec::new();
        for (path, content) in files {
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
            let d = match dirs.iter().position(|x| x == dir) {
                Some(d) => d,
                None => {
                    dirs.push(dir.to_string());
                    dirs.len() - 1
                }
            };
            let blob = gix::objs::compute_hash(kind, gix::objs::Kind::Blob, content)
                .map_err(|e| Error::Git(format!("{context}: {e}")))?;
            wanted.push((d, name.to_string(), blob));
        }
        // Per directory: name → the files asked about under that name (index, blob).
        let mut by_dir: Vec<HashMap<String, Vec<(usize, gix::ObjectId)>>> =
            vec![HashMap::new(); dirs.len()];
        for (k, (d, name, blob)) in wanted.iter().enumerate() {
            by_dir[*d].entry(name.clone()).or_default().push((k, *blob));
        }
        // The tree of each directory in each commit seen (`None`: no such directory).
        let mut trees: HashMap<gix::ObjectId, Vec<Option<gix::ObjectId>>> = HashMap::new();
        let dir_trees = |trees: &mut HashMap<gix::ObjectId, Vec<Option<gix::ObjectId>>>,
                         commit: gix::ObjectId|
         -> Result<Vec<Option<gix::ObjectId>>> {
            if let Some(known) = trees.get(&commit) {
                return Ok(known.clone());
            }
            let tree = reader.root_tree(commit).map_err(gix_error(context))?;
            let mut ids = Vec::with_capacity(dirs.len());
            for dir in &dirs {
                let id = if dir.is_empty() {
                    Some(tree.id)
                } else {
                    entry_at(&tree, Path::new(dir))
                        .map_err(gix_error(context))?
                        .filter(|(mode, _)| mode.is_tree())
                        .map(|(_, id)| id)
                };
                ids.push(id);
            }
            if let Some(path) = changed_with {
                ids.push(
                    entry_at(&tree, Path::new(path))
                        .map_err(gix_error(context))?
                        .map(|(_, id)| id),
                );
            }
            trees.insert(commit, ids.clone());
            Ok(ids)
        };
        let walk = history_from(repo, tip.detach(), context)?;
        for info in walk {
            let info = info.map_err(gix_error(context))?;
            let mine = dir_trees(&mut trees, info.id)?;
            for parent in info.parent_ids() {
                let parent = parent.detach();
                let theirs = dir_trees(&mut trees, parent)?;
                if changed_with.is_some() && mine.last() == theirs.last() {
                    continue;
                }
                for (d, names) in by_dir.iter().enumerate() {
                    let (Some(before), true) = (theirs[d], mine[d] != theirs[d]) else {
                        continue;
                    };
                    // One pass over the parent's directory for the files asked about…
                    let before = repo.find_tree(before).map_err(gix_error(context))?;
                    let mut held = Vec::new();
                    for entry in before.iter() {
                        let entry = entry.map_err(|e| Error::Git(format!("{context}: {e}")))?;
                        if !entry.mode().is_blob_or_symlink() {
                            continue;
                        }
                        if let Some(asked) = names.get(entry.filename().to_str_lossy().as_ref()) {
                            held.extend(
                                asked
                                    .iter()
                                    .filter(|(_, blob)| blob.as_ref() == entry.oid())
                                    .map(|(k, _)| *k),
                            );
                        }
                    }
                    if held.is_empty() {
                        continue;
                    }
                    // …then whether this commit still holds them.
                    let after = match mine[d] {
                        Some(id) => Some(repo.find_tree(id).map_err(gix_error(context))?),
                        None => None,
                    };
                    for k in held {
                        let name = wanted[k].1.as_str();
                        let gone = after.as_ref().is_none_or(|t| {
                            t.find_entry(name)
                                .is_none_or(|e| !e.mode().is_blob_or_symlink())
                        });
                        if gone {
                            out[k].push(Removal {
                                commit: info.id.to_string(),
                                parent: parent.to_string(),
                            });
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}
