//! Reading a tree of every commit of a walk over history, cheaply: [`TreeReader`].
//!
//! In a pack most trees are deltas: reading a commit's tree applies its chain of deltas
//! (up to git's `--depth`, 50) from the nearest whole object, each inflated anew. gix only
//! keeps decoded objects between reads when built with its `max-performance` feature, which
//! this crate leaves off (it pulls in more crates for every other command). With
//! [`PackCache`] each object a chain resolves to is kept, so the next chain that runs
//! through it stops there: walking history newest first in a repository packed by git
//! (newer objects whole, older ones deltas against them) resolves each tree with one delta
//! instead of a chain. [`CommitCache`] keeps the commits the walk itself decoded (to learn
//! their parents and dates), so finding each one's tree does not inflate it again.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use gix::objs::Kind;
use gix::odb::pack::cache::{DecodeEntry, Object};

/// What a walk keeps of the objects it decoded from packs (trees and commits only).
const PACK_CACHE_BYTES: usize = 32 << 20;
/// What a walk keeps of the commits it decoded, read again for their trees right after.
const COMMIT_CACHE_BYTES: usize = 4 << 20;

/// A handle on the repository for walks that read a tree of every commit: with the two
/// caches below, and the commit-graph file (when git wrote one), which names each commit's
/// tree so that no commit is read for it.
pub(super) struct TreeReader {
    /// The repository, with the caches.
    pub(super) repo: gix::Repository,
    graph: Option<gix::commitgraph::Graph>,
}

impl TreeReader {
    pub(super) fn new(repo: &gix::Repository) -> Self {
        let mut repo = repo.clone();
        repo.objects
            .set_pack_cache(|| Box::new(PackCache::new(PACK_CACHE_BYTES)));
        repo.objects
            .set_object_cache(|| Box::new(CommitCache::new(COMMIT_CACHE_BYTES)));
        // A commit-graph that cannot be read is no reason to fail: the commits are.
        let graph = repo.commit_graph_if_enabled().ok().flatten();
        TreeReader { repo, graph }
    }

    /// The tree of `commit`.
    pub(super) fn root_tree(&self, commit: gix::ObjectId) -> Result<gix::Tree<'_>, gix::Error> {
        let id = match self.graph.as_ref().and_then(|g| g.commit_by_id(commit)) {
            Some(c) => c.root_tree_id().to_owned(),
            None => self.repo.find_commit(commit)?.tree_id()?.detach(),
        };
        self.repo.find_tree(id)
    }
}

/// Byte-bounded storage: the oldest entries go first past its budget.
struct Fifo<K, V> {
    entries: HashMap<K, (V, Vec<u8>)>,
    order: VecDeque<K>,
    bytes: usize,
    budget: usize,
}

impl<K: Hash + Eq + Copy, V: Copy> Fifo<K, V> {
    fn new(budget: usize) -> Self {
        Fifo {
            entries: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            budget,
        }
    }

    fn put(&mut self, key: K, value: V, data: &[u8]) {
        if data.len() > self.budget / 4 || self.entries.contains_key(&key) {
            return;
        }
        while self.bytes + data.len() > self.budget {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some((_, gone)) = self.entries.remove(&old) {
                self.bytes -= gone.len();
            }
        }
        self.bytes += data.len();
        self.order.push_back(key);
        self.entries.insert(key, (value, data.to_vec()));
    }

    fn get(&self, key: &K, out: &mut Vec<u8>) -> Option<V> {
        let (value, data) = self.entries.get(key)?;
        out.clear();
        out.extend_from_slice(data);
        Some(*value)
    }
}

/// Trees and commits decoded from packs, by pack and offset (blobs are read once: a
/// changelog of megabytes is not kept).
pub(super) struct PackCache(Fifo<(u32, u64), (Kind, usize)>);

impl PackCache {
    /// A cache holding at most `budget` bytes of object data.
    pub(super) fn new(budget: usize) -> Self {
        PackCache(Fifo::new(budget))
    }
}

impl DecodeEntry for PackCache {
    fn put(&mut self, pack: u32, offset: u64, data: &[u8], kind: Kind, compressed_size: usize) {
        if kind != Kind::Blob {
            self.0.put((pack, offset), (kind, compressed_size), data);
        }
    }

    fn get(&mut self, pack: u32, offset: u64, out: &mut Vec<u8>) -> Option<(Kind, usize)> {
        self.0.get(&(pack, offset), out)
    }
}

/// Commits by id, wherever they are stored.
pub(super) struct CommitCache(Fifo<gix::ObjectId, Kind>);

impl CommitCache {
    /// A cache holding at most `budget` bytes of commits.
    pub(super) fn new(budget: usize) -> Self {
        CommitCache(Fifo::new(budget))
    }
}

impl Object for CommitCache {
    fn put(&mut self, id: gix::ObjectId, kind: Kind, data: &[u8]) {
        if kind == Kind::Commit {
            self.0.put(id, kind, data);
        }
    }

    fn get(&mut self, id: &gix::ObjectId, out: &mut Vec<u8>) -> Option<Kind> {
        self.0.get(id, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_trees_within_its_budget_and_drops_the_oldest_first() {
        let mut cache = PackCache::new(100);
        cache.put(0, 1, &[1; 20], Kind::Tree, 7);
        cache.put(0, 2, &[2; 20], Kind::Tree, 8);
        let mut out = Vec::new();
        assert_eq!(cache.get(0, 1, &mut out), Some((Kind::Tree, 7)));
        assert_eq!(out, vec![1; 20]);
        // Past the budget, the first put goes first.
        for offset in 3..7 {
            cache.put(0, offset, &[offset as u8; 20], Kind::Tree, 1);
        }
        assert_eq!(cache.get(0, 1, &mut out), None);
        assert_eq!(cache.get(0, 6, &mut out), Some((Kind::Tree, 1)));
        assert_eq!(out, vec![6; 20]);
        assert!(cache.0.bytes <= 100);
        // Blobs and objects too big for it are not kept.
        cache.put(1, 1, &[0; 10], Kind::Blob, 1);
        cache.put(1, 2, &[0; 30], Kind::Tree, 1);
        assert_eq!(cache.get(1, 1, &mut out), None);
        assert_eq!(cache.get(1, 2, &mut out), None);
    }

    #[test]
    fn keeps_only_commits_by_id() {
        let mut cache = CommitCache::new(1000);
        let id = |b| gix::ObjectId::from_bytes_or_panic(&[b; 20]);
        cache.put(id(1), Kind::Commit, b"tree 1234");
        cache.put(id(2), Kind::Tree, b"a tree");
        let mut out = Vec::new();
        assert_eq!(cache.get(&id(1), &mut out), Some(Kind::Commit));
        assert_eq!(out, b"tree 1234");
        assert_eq!(cache.get(&id(2), &mut out), None);
    }
}
