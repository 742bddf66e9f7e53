//! The `similarity` strategy: entries whose titles share rare words end up together.
//!
//! Each entry becomes a TF-IDF vector of its words ([`super::text::words`]), with word
//! rarity taken from the whole changelog, so a word every release uses weighs little.
//! Entries are then merged by average-linkage agglomerative clustering over the sparse
//! cosine similarities, while two clusters are, on average, at least the cut-off alike. The cut-off defaults to a value measured on real changelogs; it can also be
//! learned from the project's own grouped releases (the value that best reproduces them).
//! DBSCAN (linfa-clustering) is available as an alternative algorithm.
//!
//! A cluster is titled by its most distinctive shared words, spelled as the entries spell
//! them (`Fair Share`, `GraphQL`), and gets a tier from its shape.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use super::levenshtein::Pattern;
use super::metrics;
use super::settings::{Algorithm, Cutoff, DEFAULT_MIN_SIMILARITY, SimilaritySettings};
use super::{Context, Grouper, HistorySection, Item, Proposal, Tier, text, tier};
use crate::error::Result;

/// The cut-offs tried when learning from history.
const CANDIDATE_CUTOFFS: &[f64] = &[0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.10, 0.12, 0.15, 0.20];

/// The `similarity` strategy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Similarity {
    pub settings: SimilaritySettings,
}

/// A sparse, L2-normalised vector: (word id, weight), sorted by word id.
pub(crate) type SparseVec = Vec<(u32, f64)>;

/// Vectors for a set of texts; word ids are local to the call.
pub(crate) struct Vectors {
    pub vecs: Vec<SparseVec>,
    pub vocab: Vec<String>,
}

pub(crate) fn vectorize(texts: &[&str], ctx: &Context) -> Vectors {
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut vocab: Vec<String> = Vec::new();
    let docs: Vec<Vec<String>> = texts.iter().map(|t| text::words(t)).collect();
    // Rarity comes from the changelog; without one, from the entries themselves.
    let local;
    let corpus = if ctx.corpus.docs() > 0 {
        &ctx.corpus
    } else {
        local = super::Corpus::new(texts.iter().copied());
        &local
    };
    let n = f64::from(corpus.docs());
    let mut vecs = Vec::with_capacity(docs.len());
    for words in docs {
        let mut tf: BTreeMap<u32, u32> = BTreeMap::new();
        for w in words {
            let id = *ids.entry(w.clone()).or_insert_with(|| {
                vocab.push(w.clone());
                (vocab.len() - 1) as u32
            });
            *tf.entry(id).or_default() += 1;
        }
        let mut v: SparseVec = tf
            .into_iter()
            .map(|(id, c)| {
                let df = f64::from(corpus.df(&vocab[id as usize]));
                let idf = ((1.0 + n) / (1.0 + df)).ln().max(0.0);
                (id, (1.0 + f64::from(c).ln()) * idf)
            })
            .filter(|&(_, w)| w > 0.0)
            .collect();
        let norm = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut v {
                *w /= norm;
            }
        }
        vecs.push(v);
    }
    Vectors { vecs, vocab }
}

/// All pairs with a non-zero cosine similarity, through an inverted index (entries that
/// share no word are never compared).
///
/// Performance: the index is a vector by word id (ids are dense, from [`vectorize`]) and
/// each lookup starts after entry `i` in the posting list (lists are in entry order), so
/// pairs `(j, i)` with `j ≤ i` are never visited. Each pair's similarity is still the sum
/// of the products of its shared words, added in word-id order, so the values are the
/// same to the bit.
///
/// (The strategy uses [`similar_rows`]; the pairs are the tests' way in.)
#[cfg(test)]
pub(crate) fn similar_pairs(vecs: &[SparseVec]) -> Vec<(u32, u32, f64)> {
    let words = vecs
        .iter()
        .flat_map(|v| v.iter().map(|&(w, _)| w as usize + 1))
        .max()
        .unwrap_or(0);
    let mut postings: Vec<Vec<(u32, f64)>> = vec![Vec::new(); words];
    for (i, v) in vecs.iter().enumerate() {
        for &(w, x) in v {
            postings[w as usize].push((i as u32, x));
        }
    }
    let mut acc = vec![0.0f64; vecs.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut pairs = Vec::new();
    for (i, v) in vecs.iter().enumerate() {
        for &(w, x) in v {
            let list = &postings[w as usize];
            let later = list.partition_point(|&(j, _)| (j as usize) <= i);
            for &(j, y) in &list[later..] {
                if acc[j as usize] == 0.0 {
                    touched.push(j);
                }
                acc[j as usize] += x * y;
            }
        }
        touched.sort_unstable();
        for &j in &touched {
            pairs.push((i as u32, j, acc[j as usize]));
            acc[j as usize] = 0.0;
        }
        touched.clear();
    }
    pairs
}

/// Each entry's row of non-zero cosine similarities: `(other entry, similarity)` for
/// every entry it shares a word with, sorted by entry. These are both halves of
/// `similar_pairs`, with the same values to the bit (the products of the shared words'
/// weights, added in word-id order), for [`average_linkage_rows`].
///
/// Performance: no pair list, and no sorting: each entry's similarities are accumulated
/// in a dense scratch row, which is then read in order.
pub(crate) fn similar_rows(vecs: &[SparseVec]) -> Vec<Vec<(u32, f64)>> {
    let words = vecs
        .iter()
        .flat_map(|v| v.iter().map(|&(w, _)| w as usize + 1))
        .max()
        .unwrap_or(0);
    let mut postings: Vec<Vec<(u32, f64)>> = vec![Vec::new(); words];
    for (i, v) in vecs.iter().enumerate() {
        for &(w, x) in v {
            postings[w as usize].push((i as u32, x));
        }
    }
    let mut acc = vec![0.0f64; vecs.len()];
    let mut row: Vec<(u32, f64)> = Vec::new();
    vecs.iter()
        .enumerate()
        .map(|(i, v)| {
            for &(w, x) in v {
                for &(j, y) in &postings[w as usize] {
                    acc[j as usize] += x * y;
                }
            }
            // Not paired with itself.
            acc[i] = 0.0;
            row.clear();
            for (j, a) in acc.iter_mut().enumerate() {
                if *a != 0.0 {
                    row.push((j as u32, *a));
                    *a = 0.0;
                }
            }
            // Room for the clusters it will be paired with as merges go.
            let mut out = Vec::with_capacity(row.len() + row.len() / 4 + 4);
            out.extend_from_slice(&row);
            out
        })
        .collect()
}

/// Up to this many entries in a category, clustering uses every non-zero similarity.
/// Real categories hold tens to a few hundred entries; the largest in the Backend.AI
/// fixtures has 155.
pub const EXACT_LIMIT: usize = 2_000;

/// Above [`EXACT_LIMIT`], each entry keeps its most similar neighbours only (a k-nearest-
/// neighbour graph, the usual way to scale agglomerative clustering): exact average
/// linkage over every pair grows with the square of the entries (2.15 s for 10,000
/// synthetic entries, against about 0.3 s with this graph).
pub const NEIGHBOURS: usize = 64;

/// The rows of a k-nearest-neighbour graph: for each entry, the similarities to its `k`
/// most similar entries, plus the pairs where it is among the other's `k`, so that rows
/// stay symmetric as average linkage needs. Full rows are never stored: each is
/// accumulated in a scratch row and only its best `k` kept.
pub(crate) fn nearest_neighbours(vecs: &[SparseVec], k: usize) -> Vec<Vec<(u32, f64)>> {
    let words = vecs
        .iter()
        .flat_map(|v| v.iter().map(|&(w, _)| w as usize + 1))
        .max()
        .unwrap_or(0);
    let mut postings: Vec<Vec<(u32, f64)>> = vec![Vec::new(); words];
    for (i, v) in vecs.iter().enumerate() {
        for &(w, x) in v {
            postings[w as usize].push((i as u32, x));
        }
    }
    let n = vecs.len();
    let mut acc = vec![0.0f64; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut best: Vec<(u32, f64)> = Vec::new();
    let mut keep: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for (i, v) in vecs.iter().enumerate() {
        for &(w, x) in v {
            for &(j, y) in &postings[w as usize] {
                if acc[j as usize] == 0.0 {
                    touched.push(j);
                }
                acc[j as usize] += x * y;
            }
        }
        best.clear();
        for &j in &touched {
            if j as usize != i && acc[j as usize] != 0.0 {
                best.push((j, acc[j as usize]));
            }
            acc[j as usize] = 0.0;
        }
        touched.clear();
        if best.len() > k {
            // Most similar first; ties by entry, so the graph does not depend on order.
            best.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            best.truncate(k);
        }
        for &(j, s) in &best {
            keep[i].push((j, s));
            keep[j as usize].push((i as u32, s));
        }
    }
    for row in &mut keep {
        row.sort_unstable_by_key(|&(j, _)| j);
        row.dedup_by_key(|&mut (j, _)| j);
        let extra = row.len() / 4 + 4;
        row.reserve(extra);
    }
    keep
}

#[derive(PartialEq)]
struct Candidate {
    avg: f64,
    a: u32,
    b: u32,
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    // Highest similarity first; ties broken by the smaller ids so runs are reproducible.
    fn cmp(&self, other: &Self) -> Ordering {
        self.avg
            .total_cmp(&other.avg)
            .then_with(|| other.a.cmp(&self.a))
            .then_with(|| other.b.cmp(&self.b))
    }
}

/// [`average_linkage_rows`] from a list of pairs: each pair at most once, smaller id
/// first (as [`similar_pairs`] gives them); pairs not listed have similarity 0.
#[cfg(test)]
pub(crate) fn average_linkage(
    n: usize,
    pairs: &[(u32, u32, f64)],
    min_similarity: f64,
) -> Vec<usize> {
    let mut rows: Vec<Vec<(u32, f64)>> = {
        let mut degree = vec![0usize; n];
        for &(a, b, _) in pairs {
            debug_assert!(a < b, "pairs are (smaller id, larger id)");
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        degree.into_iter().map(Vec::with_capacity).collect()
    };
    for &(a, b, s) in pairs {
        rows[a as usize].push((b, s));
        rows[b as usize].push((a, s));
    }
    for row in &mut rows {
        // Already sorted when the pairs come from `similar_pairs`.
        if !row.is_sorted_by_key(|&(k, _)| k) {
            row.sort_unstable_by_key(|&(k, _)| k);
        }
    }
    average_linkage_rows(rows, min_similarity)
}

/// Average-linkage clustering over sparse similarities: repeatedly merge the two clusters
/// with the highest mean pairwise similarity, while it is at least `min_similarity`.
/// Returns a cluster label per entry.
///
/// `rows` holds each entry's similarities with the others, `(other, similarity)` sorted
/// by `other` and symmetric, as [`similar_rows`] gives them; pairs not listed have
/// similarity 0. They become the clusters' rows of sums.
///
/// Performance (the results are those of the textbook version kept in the tests as the
/// reference, with one heap entry per pair and a hash map of sums per cluster):
/// - the merge order is the same: always the pair of live clusters with the highest
///   average, ties to the smaller first id, then the smaller second id. Instead of one
///   heap entry per pair, each cluster `x` tracks its best partner among the live
///   clusters with a larger id (`best[x]`, the best of its `partners` at or above the
///   cut) and the heap holds those; an entry that is no longer its cluster's best is
///   stale and skipped;
/// - every sum is made with the same additions: merging `a` and `b` into `c` adds `a`'s
///   and `b`'s sums for each neighbour (one addition, so operand order is irrelevant),
///   and an average is `sum / (size × size)`, the product of two sizes being exact;
/// - a cluster's neighbours are a vector sorted by id instead of a hash map: a merged
///   cluster gets a new, larger id, so it is appended to its neighbours' vectors; dead
///   ids are skipped, and dropped in place when a vector fills up. A merged cluster's
///   vector reuses the allocation of one of its parts.
pub(crate) fn average_linkage_rows(
    mut rows: Vec<Vec<(u32, f64)>>,
    min_similarity: f64,
) -> Vec<usize> {
    let n = rows.len();
    // Cluster ids: 0..n are the entries; merges create new ids.
    let mut size: Vec<u32> = vec![1; n];
    let mut alive: Vec<bool> = vec![true; n];
    let mut parent: Vec<usize> = (0..n).collect();
    // Rows: (neighbour, sum of the similarities between the two clusters), by neighbour.

    // The partners each cluster `x` may merge with: live clusters with a larger id whose
    // average is at or above the cut, by id. An average only changes when one of the two
    // clusters dies, so entries stay exact; dead partners are dropped when found.
    let mut partners: Vec<Vec<(u32, f64)>> = rows
        .iter()
        .enumerate()
        .map(|(x, row)| {
            row.iter()
                .filter(|&&(y, s)| y as usize > x && s >= min_similarity)
                .copied()
                .collect()
        })
        .collect();
    // The best of them: the highest average, the smallest id on ties (the first wins).
    let best_partner = |list: &mut Vec<(u32, f64)>, alive: &[bool]| -> Option<(f64, u32)> {
        list.retain(|&(y, _)| alive[y as usize]);
        let mut best: Option<(f64, u32)> = None;
        for &(y, avg) in list.iter() {
            if best.is_none_or(|(b, _)| avg > b) {
                best = Some((avg, y));
            }
        }
        best
    };
    let mut best: Vec<Option<(f64, u32)>> = partners
        .iter_mut()
        .map(|list| best_partner(list, &alive))
        .collect();
    let mut heap: BinaryHeap<Candidate> = best
        .iter()
        .enumerate()
        .filter_map(|(x, b)| {
            b.map(|(avg, y)| Candidate {
                avg,
                a: x as u32,
                b: y,
            })
        })
        .collect();
    // Scratch space for a merged row, which is then copied into the larger of the two
    // parts' allocations (fresh large allocations cost page faults).
    let mut merged: Vec<(u32, f64)> = Vec::new();
    while let Some(Candidate { avg, a, b }) = heap.pop() {
        let (a, b) = (a as usize, b as usize);
        if !alive[a] || !alive[b] || best[a] != Some((avg, b as u32)) {
            continue;
        }
        // Merge into a fresh id so that stale heap entries are recognisable.
        let c = size.len();
        let new_size = size[a] + size[b];
        alive[a] = false;
        alive[b] = false;
        best[a] = None;
        best[b] = None;
        partners[a] = Vec::new();
        partners[b] = Vec::new();
        parent[a] = c;
        parent[b] = c;
        parent.push(c);
        size.push(new_size);
        alive.push(true);
        // The neighbours of `c`: those of `a` and `b` (both dead now, so left out), their
        // sums added where both have one.
        let (ra, rb) = (std::mem::take(&mut rows[a]), std::mem::take(&mut rows[b]));
        merged.clear();
        let (mut i, mut j) = (0, 0);
        loop {
            let (k, sum) = match (ra.get(i), rb.get(j)) {
                (Some(&(ka, sa)), Some(&(kb, sb))) if ka == kb => {
                    i += 1;
                    j += 1;
                    (ka, sa + sb)
                }
                (Some(&(ka, sa)), Some(&(kb, _))) if ka < kb => {
                    i += 1;
                    (ka, sa)
                }
                (Some(&(ka, sa)), None) => {
                    i += 1;
                    (ka, sa)
                }
                (_, Some(&(kb, sb))) => {
                    j += 1;
                    (kb, sb)
                }
                (None, None) => break,
            };
            if alive[k as usize] {
                merged.push((k, sum));
            }
        }
        for &(k, sum) in &merged {
            let k = k as usize;
            let row = &mut rows[k];
            if row.len() == row.capacity() {
                // Full: drop dead clusters first, and grow only if that freed too little
                // (in place, this avoids copies and fresh pages).
                row.retain(|&(y, _)| alive[y as usize]);
                if row.len() * 4 > row.capacity() * 3 {
                    row.reserve(row.capacity());
                }
            }
            row.push((c as u32, sum));
            // Every neighbour has a smaller id than `c`, so the pair is `k`'s to track.
            let avg = sum / (f64::from(new_size) * f64::from(size[k]));
            if avg >= min_similarity {
                partners[k].push((c as u32, avg));
            }
            if best[k].is_some_and(|(_, y)| y as usize == a || y as usize == b) {
                best[k] = best_partner(&mut partners[k], &alive);
            } else if avg >= min_similarity && best[k].is_none_or(|(b, _)| avg > b) {
                // On a tie the current partner stays: its id is smaller than `c`.
                best[k] = Some((avg, c as u32));
            } else {
                continue;
            }
            if let Some((avg, y)) = best[k] {
                heap.push(Candidate {
                    avg,
                    a: k as u32,
                    b: y,
                });
            }
        }
        let mut row = if ra.capacity() >= rb.capacity() {
            ra
        } else {
            rb
        };
        row.clear();
        row.extend_from_slice(&merged);
        rows.push(row);
        // `c` has the largest id: it has no partner of its own to track.
        best.push(None);
        partners.push(Vec::new());
    }
    // Follow parents to the root of each entry.
    (0..n)
        .map(|mut i| {
            while parent[i] != i {
                i = parent[i];
            }
            i
        })
        .collect()
}

/// DBSCAN from linfa-clustering over the dense unit vectors (L2 distance on unit vectors
/// orders pairs exactly like cosine similarity).
fn dbscan(vectors: &Vectors, min_similarity: f64) -> Vec<usize> {
    use linfa::traits::Transformer;
    let n = vectors.vecs.len();
    let dim = vectors.vocab.len().max(1);
    let mut dense = ndarray::Array2::<f64>::zeros((n, dim));
    for (i, v) in vectors.vecs.iter().enumerate() {
        for &(w, x) in v {
            dense[[i, w as usize]] = x;
        }
    }
    // |a - b|² = 2 − 2·cos(a, b) for unit vectors.
    let tolerance = (2.0 - 2.0 * min_similarity).max(0.0).sqrt();
    let labels: ndarray::Array1<Option<usize>> = linfa_clustering::Dbscan::params_with(
        2,
        linfa_nn::distance::L2Dist,
        linfa_nn::CommonNearestNeighbour::LinearSearch,
    )
    .tolerance(tolerance)
    .transform(&dense)
    // Only a zero tolerance is invalid: then nothing is similar enough.
    .unwrap_or_else(|_| ndarray::Array1::from_elem(n, None));
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| l.map_or(n + i, |c| c))
        .collect()
}

/// What clustering a set of texts needs whatever the cut-off: the vectors, and for
/// average linkage the similar pairs.
struct Prepared {
    vectors: Vectors,
    rows: Vec<Vec<(u32, f64)>>,
}

impl Similarity {
    pub fn new(settings: SimilaritySettings) -> Similarity {
        Similarity { settings }
    }

    fn prepare(&self, texts: &[&str], ctx: &Context) -> Prepared {
        let vectors = vectorize(texts, ctx);
        let rows = match self.settings.algorithm {
            Algorithm::Average if texts.len() > EXACT_LIMIT => {
                nearest_neighbours(&vectors.vecs, NEIGHBOURS)
            }
            Algorithm::Average => similar_rows(&vectors.vecs),
            Algorithm::Dbscan => Vec::new(),
        };
        Prepared { vectors, rows }
    }

    /// Cluster labels of prepared texts at a cut-off (clustering consumes the rows, so
    /// they are copied).
    fn cluster(&self, prepared: &Prepared, min_similarity: f64) -> Vec<usize> {
        match self.settings.algorithm {
            Algorithm::Average => average_linkage_rows(prepared.rows.clone(), min_similarity),
            Algorithm::Dbscan => dbscan(&prepared.vectors, min_similarity),
        }
    }

    /// Cluster labels for `texts` at a cut-off.
    fn labels(&self, texts: &[&str], ctx: &Context, min_similarity: f64) -> (Vec<usize>, Vectors) {
        let Prepared { vectors, rows } = self.prepare(texts, ctx);
        let labels = match self.settings.algorithm {
            Algorithm::Average => average_linkage_rows(rows, min_similarity),
            Algorithm::Dbscan => dbscan(&vectors, min_similarity),
        };
        (labels, vectors)
    }

    /// The cut-off: fixed, or the one that best reproduces the project's grouped history.
    pub fn cutoff(&self, ctx: &Context) -> f64 {
        match self.settings.cutoff {
            Cutoff::Fixed(cut) => cut,
            Cutoff::Learn => learn_cutoff(ctx, |texts, ctx| {
                let prepared = self.prepare(texts, ctx);
                move |cut| self.cluster(&prepared, cut)
            })
            .unwrap_or(DEFAULT_MIN_SIMILARITY),
        }
    }
}

/// The cut-off with the best BCubed F1 on the history's grouped sections, when there is
/// enough history to learn from (three sections, thirty grouped entries).
///
/// `prepare` readies a section's texts for clustering and returns the clustering at a
/// given cut-off. (Performance: each section is vectorised and paired once rather than
/// once per candidate cut-off; the scores are added in the same order as before.)
fn learn_cutoff<C: Fn(f64) -> Vec<usize>>(
    ctx: &Context,
    prepare: impl Fn(&[&str], &Context) -> C,
) -> Option<f64> {
    let sections: Vec<&HistorySection> = ctx
        .history
        .iter()
        .filter(|s| s.entries.len() >= 2)
        .collect();
    let grouped: usize = sections
        .iter()
        .map(|s| s.entries.iter().filter(|(_, g)| g.is_some()).count())
        .sum();
    if sections.len() < 3 || grouped < 30 {
        return None;
    }
    let prepared: Vec<(C, Vec<Option<usize>>)> = sections
        .iter()
        .map(|s| {
            let texts: Vec<&str> = s.entries.iter().map(|(t, _)| t.as_str()).collect();
            let gold: Vec<Option<usize>> = s.entries.iter().map(|(_, g)| *g).collect();
            (prepare(&texts, ctx), gold)
        })
        .collect();
    let mut best: Option<(f64, f64)> = None;
    for &cut in CANDIDATE_CUTOFFS {
        let mut total = metrics::Totals::default();
        for (cluster, gold) in &prepared {
            let labels = cluster(cut);
            let predicted = singleton_labels(&labels);
            total.add(&metrics::bcubed(&predicted, gold));
        }
        let f = total.f1();
        // Prefer the default on ties: it is the measured middle ground.
        let better = match best {
            None => true,
            Some((bf, bc)) => {
                f > bf + 1e-9
                    || ((f - bf).abs() <= 1e-9
                        && (cut - DEFAULT_MIN_SIMILARITY).abs()
                            < (bc - DEFAULT_MIN_SIMILARITY).abs())
            }
        };
        if better {
            best = Some((f, cut));
        }
    }
    best.map(|(_, c)| c)
}

/// Labels where clusters of one are `None`.
fn singleton_labels(labels: &[usize]) -> Vec<Option<usize>> {
    let mut count: HashMap<usize, usize> = HashMap::new();
    for &l in labels {
        *count.entry(l).or_default() += 1;
    }
    labels
        .iter()
        .map(|l| (count[l] > 1).then_some(*l))
        .collect()
}

impl Grouper for Similarity {
    fn propose(
        &self,
        _category: &str,
        items: &[Item],
        candidates: &[usize],
        ctx: &Context,
    ) -> Result<Vec<Proposal>> {
        if candidates.len() < 2 {
            return Ok(Vec::new());
        }
        let cut = self.cutoff(ctx);
        let texts: Vec<&str> = candidates.iter().map(|&i| items[i].text.as_str()).collect();
        let (labels, vectors) = self.labels(&texts, ctx, cut);
        let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (k, &l) in labels.iter().enumerate() {
            clusters.entry(l).or_default().push(k);
        }
        let mut out = Vec::new();
        for members in clusters.into_values().filter(|m| m.len() >= 2) {
            let member_texts: Vec<&str> = members.iter().map(|&k| texts[k]).collect();
            let cohesion = mean_similarity(&members, &vectors.vecs);
            let (title, evidence) = title_for(&member_texts, ctx);
            let tier = guess_tier(&member_texts, &evidence);
            out.push(Proposal {
                title,
                description: None,
                tier,
                members: members.iter().map(|&k| candidates[k]).collect(),
                standalone: false,
                reason: format!(
                    "similar titles: shared words {}; mean similarity {cohesion:.2} (cut-off {cut:.2})",
                    evidence.join(", ")
                ),
                evidence,
            });
        }
        Ok(out)
    }
}

fn dot(a: &SparseVec, b: &SparseVec) -> f64 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

fn mean_similarity(members: &[usize], vecs: &[SparseVec]) -> f64 {
    let mut sum = 0.0;
    let mut pairs = 0usize;
    for (x, &a) in members.iter().enumerate() {
        for &b in &members[x + 1..] {
            sum += dot(&vecs[a], &vecs[b]);
            pairs += 1;
        }
    }
    if pairs == 0 { 0.0 } else { sum / pairs as f64 }
}

/// A title from the most distinctive words the members share, spelled as written, and
/// the normalised words used (the group's evidence). Component names never title a group.
pub(crate) fn title_for(texts: &[&str], ctx: &Context) -> (String, Vec<String>) {
    let n = texts.len();
    // feature → (members containing it, surface spellings)
    let mut coverage: BTreeMap<String, (usize, BTreeMap<String, usize>)> = BTreeMap::new();
    for t in texts {
        let surf = text::surfaces(t);
        let mut seen: Vec<(String, String)> = Vec::new();
        for (w, s, _) in &surf {
            if !super::describe::is_verb(w) {
                seen.push((w.clone(), s.clone()));
            }
        }
        for pair in surf.windows(2) {
            if pair[0].0 != pair[1].0 && !super::describe::is_verb(&pair[0].0) {
                // Parts of one identifier are spelled together (`VFolder`, not `V Folder`).
                let glue = if pair[0].2 == pair[1].2 { "" } else { " " };
                seen.push((
                    format!("{} {}", pair[0].0, pair[1].0),
                    format!("{}{glue}{}", pair[0].1, pair[1].1),
                ));
            }
        }
        let mut counted: Vec<&str> = Vec::new();
        for (f, s) in &seen {
            let entry = coverage.entry(f.clone()).or_default();
            if !counted.contains(&f.as_str()) {
                entry.0 += 1;
                counted.push(f);
            }
            *entry.1.entry(s.clone()).or_default() += 1;
        }
    }
    let component = |f: &str| ctx.only_components(&[f.to_string()]);
    let idf = |f: &str| -> f64 {
        let ws: Vec<&str> = f.split(' ').collect();
        let base = ws.iter().map(|w| ctx.corpus.idf(w)).fold(0.0, f64::max);
        if ws.len() > 1 { base + 0.5 } else { base }
    };
    let min_cover = 2.max(n.div_ceil(3));
    let mut ranked: Vec<(f64, String)> = coverage
        .iter()
        .filter(|(f, (c, _))| *c >= min_cover.min(n) && !component(f))
        .map(|(f, (c, _))| ((*c as f64 / n as f64) * idf(f), f.clone()))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut chosen: Vec<String> = Vec::new();
    let cover = |f: &str| coverage[f].0;
    for (_, f) in &ranked {
        // A second topic joins the title only when it is about as common as the first.
        if let Some(first) = chosen.first() {
            if cover(f) * 3 < cover(first) * 2 {
                continue;
            }
        }
        let overlaps = chosen.iter().any(|c| {
            let cw: Vec<&str> = c.split(' ').collect();
            f.split(' ').any(|w| cw.contains(&w))
        });
        if !overlaps {
            chosen.push(f.clone());
        }
        if chosen.len() == 2 {
            break;
        }
    }
    if chosen.is_empty() {
        // Nothing but component names in common: keep them as evidence so the shared
        // rules dissolve the group.
        let shared: Vec<String> = coverage
            .iter()
            .filter(|(_, (c, _))| *c >= min_cover.min(n))
            .map(|(f, _)| f.clone())
            .collect();
        return ("Related Changes".into(), shared);
    }
    let spell = |f: &str| -> String {
        let surfaces = &coverage[f].1;
        let best = surfaces
            .iter()
            .max_by(|a, b| {
                a.1.cmp(b.1)
                    .then_with(|| b.0.len().cmp(&a.0.len()))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(s, _)| s.clone())
            .unwrap_or_else(|| f.to_string());
        title_case(&best)
    };
    let title = chosen
        .iter()
        .map(|f| spell(f))
        .collect::<Vec<_>>()
        .join(" and ");
    (title, chosen)
}

/// Capitalise plain lower-case words; leave acronyms and identifiers as written.
fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if w.chars().all(|c| c.is_lowercase() || !c.is_alphabetic()) {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => String::new(),
                }
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A tier from the cluster's shape: templated entries are a pattern, tooling words mean
/// infrastructure, a large cluster named by a phrase is an initiative, an identifier
/// shared by all is an entity, anything else a subsystem.
/// How many of a cluster's entries are compared pairwise to tell a templated pattern.
const TIER_SAMPLE: usize = 32;

pub(crate) fn guess_tier(texts: &[&str], evidence: &[String]) -> Tier {
    let n = texts.len();
    if evidence.iter().any(|e| tier::is_infrastructure_evidence(e)) {
        return Tier::Infrastructure;
    }
    // Templated: the entries read alike once code and numbers are masked. The shape of a
    // cluster shows in its first entries; comparing every pair of a cluster of hundreds
    // would cost more than the clustering.
    let masked: Vec<String> = texts.iter().take(TIER_SAMPLE).map(|t| mask(t)).collect();
    let mut sum = 0.0;
    let mut pairs = 0;
    for i in 0..masked.len() {
        // Performance: every pair is compared, so each text is prepared once for a
        // bit-parallel distance (the same values as `strsim::normalized_levenshtein`).
        let pattern = Pattern::new(&masked[i]);
        for m in &masked[i + 1..] {
            sum += pattern.normalized_similarity(m);
            pairs += 1;
        }
    }
    if pairs > 0 && sum / f64::from(pairs) >= 0.6 {
        return Tier::Pattern;
    }
    let phrase = evidence.iter().any(|e| e.contains(' '));
    if n >= 4 && phrase {
        return Tier::Initiative;
    }
    if evidence.len() == 1
        && !phrase
        && texts
            .iter()
            .all(|t| t.contains('`') || t.chars().any(|c| c.is_uppercase()))
    {
        return Tier::Entity;
    }
    Tier::Subsystem
}

/// Lower-case text with code spans and numbers replaced, for shape comparison.
fn mask(t: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in t.chars() {
        match c {
            '`' => {
                if !in_code {
                    out.push('X');
                }
                in_code = !in_code;
            }
            _ if in_code => {}
            d if d.is_ascii_digit() => {
                if !out.ends_with('0') {
                    out.push('0');
                }
            }
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{Corpus, finish};

    fn ctx(texts: &[&str]) -> Context {
        Context::new(
            Corpus::new(texts.iter().copied()),
            vec![],
            &["manager".into(), "agent".into()],
            2,
        )
    }

    #[test]
    fn average_linkage_merges_only_similar_entries() {
        // 0-1 alike, 2-3 alike, 4 alone.
        let pairs = vec![(0, 1, 0.9), (2, 3, 0.8), (1, 2, 0.05), (3, 4, 0.01)];
        let labels = average_linkage(5, &pairs, 0.1);
        assert_eq!(labels[0], labels[1]);
        assert_eq!(labels[2], labels[3]);
        assert_ne!(labels[0], labels[2]);
        assert_ne!(labels[4], labels[3]);
        // A low cut-off chains them all (4 joins through the average, not through 3 alone).
        let labels = average_linkage(5, &pairs, 0.001);
        assert!(labels[..4].iter().all(|&l| l == labels[0]));
    }

    #[test]
    fn groups_entries_sharing_rare_words_and_titles_them() {
        let texts = [
            "Add Fair Share weight management with bulk operations",
            "Implement FairShareService and the fair share repository",
            "Add REST API endpoints for fair share weights",
            "Fix crash in the storage volume listing",
            "Support TLS for the event bus",
            "Add retry to the event bus publisher",
        ];
        let items: Vec<Item> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Item::new(*t, vec![i as u64]))
            .collect();
        let c = ctx(&texts);
        let s = Similarity::new(SimilaritySettings {
            cutoff: Cutoff::Fixed(0.1),
            ..Default::default()
        });
        let g = finish(
            "Features",
            &items,
            s.propose("Features", &items, &[0, 1, 2, 3, 4, 5], &c)
                .unwrap(),
            &c,
        );
        let fair = g
            .groups
            .iter()
            .find(|g| g.members == [0, 1, 2])
            .expect("fair share group");
        assert!(fair.title.contains("Fair Share"), "{}", fair.title);
        assert!(g.other.contains(&3));
    }

    #[test]
    fn component_names_do_not_title_or_justify_groups() {
        let texts = [
            "Fix manager startup",
            "Fix manager shutdown hang",
            "Tune manager logging",
        ];
        let items: Vec<Item> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Item::new(*t, vec![i as u64]))
            .collect();
        let c = ctx(&texts);
        let (title, evidence) = title_for(&texts, &c);
        assert!(!title.to_lowercase().contains("manager"), "{title}");
        assert!(c.only_components(&evidence), "{evidence:?}");
        let s = Similarity::new(SimilaritySettings {
            cutoff: Cutoff::Fixed(0.01),
            ..Default::default()
        });
        let g = finish(
            "Fixes",
            &items,
            s.propose("Fixes", &items, &[0, 1, 2], &c).unwrap(),
            &c,
        );
        assert!(g.groups.is_empty(), "{:?}", g.groups);
    }

    #[test]
    fn templated_entries_are_a_pattern() {
        let texts = [
            "Enable UP030 linter rule",
            "Enable UP031 linter rule",
            "Enable UP046 linter rule",
        ];
        assert_eq!(guess_tier(&texts, &["up".into()]), Tier::Pattern);
    }

    #[test]
    fn the_cut_off_is_fixed_unless_learning_is_asked_for() {
        let history: Vec<HistorySection> = (0..3)
            .map(|r| HistorySection {
                release: format!("1.{r}.0"),
                category: "Features".into(),
                entries: (0..12)
                    .map(|i| (format!("Add widget part{i} number {r}"), Some(i % 2)))
                    .collect(),
                groups: vec![("A".into(), String::new()), ("B".into(), String::new())],
            })
            .collect();
        let c = Context::new(Corpus::default(), history, &[], 2);
        assert_eq!(Similarity::default().cutoff(&c), DEFAULT_MIN_SIMILARITY);
        let learned = Similarity::new(SimilaritySettings {
            cutoff: Cutoff::Learn,
            ..Default::default()
        })
        .cutoff(&c);
        assert!(CANDIDATE_CUTOFFS.contains(&learned));
        assert_eq!(
            Similarity::new(SimilaritySettings {
                cutoff: Cutoff::Fixed(0.3),
                ..Default::default()
            })
            .cutoff(&c),
            0.3
        );
    }

    #[test]
    fn large_inputs_keep_the_nearest_neighbours_symmetrically() {
        let texts = [
            "fair share weights",
            "fair share buckets",
            "fair share usage buckets",
            "storage volume crash",
            "storage volume listing",
        ];
        let c = ctx(&texts);
        let vectors = vectorize(&texts, &c);
        let full = similar_rows(&vectors.vecs);
        // With room for everyone, the graph is the full similarity rows.
        let all = nearest_neighbours(&vectors.vecs, texts.len());
        assert_eq!(
            all.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            full.iter().map(|r| r.to_vec()).collect::<Vec<_>>()
        );
        // With one neighbour each, every entry keeps its most similar one, symmetrically.
        let one = nearest_neighbours(&vectors.vecs, 1);
        for (i, row) in full.iter().enumerate() {
            let top = row.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
            assert!(one[i].contains(top), "{i}: {:?}", one[i]);
            for &(j, s) in &one[i] {
                assert!(one[j as usize].contains(&(i as u32, s)));
            }
        }
    }

    #[test]
    fn dbscan_agrees_on_an_easy_case() {
        let texts = [
            "fair share weights",
            "fair share buckets",
            "storage volume crash",
        ];
        let c = ctx(&texts);
        let s = Similarity::new(SimilaritySettings {
            cutoff: Cutoff::Fixed(0.2),
            algorithm: Algorithm::Dbscan,
        });
        let (labels, _) = s.labels(&texts, &c, 0.2);
        assert_eq!(labels[0], labels[1]);
        assert_ne!(labels[0], labels[2]);
    }
}

/// The optimised clustering must give exactly what the straightforward version gave: the
/// originals of [`similar_pairs`] and [`average_linkage`] are kept here, verbatim, as the
/// reference, and compared on random and realistic inputs (labels equal, similarities
/// equal to the bit).
#[cfg(test)]
mod reference {
    use super::*;
    use crate::group::Corpus;
    use proptest::prelude::*;

    /// The original `similar_pairs`: a hash map index, every posting visited.
    fn reference_similar_pairs(vecs: &[SparseVec]) -> Vec<(u32, u32, f64)> {
        let mut postings: HashMap<u32, Vec<(u32, f64)>> = HashMap::new();
        for (i, v) in vecs.iter().enumerate() {
            for &(w, x) in v {
                postings.entry(w).or_default().push((i as u32, x));
            }
        }
        let mut acc = vec![0.0f64; vecs.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut pairs = Vec::new();
        for (i, v) in vecs.iter().enumerate() {
            for &(w, x) in v {
                for &(j, y) in &postings[&w] {
                    if (j as usize) <= i {
                        continue;
                    }
                    if acc[j as usize] == 0.0 {
                        touched.push(j);
                    }
                    acc[j as usize] += x * y;
                }
            }
            touched.sort_unstable();
            for &j in &touched {
                pairs.push((i as u32, j, acc[j as usize]));
                acc[j as usize] = 0.0;
            }
            touched.clear();
        }
        pairs
    }

    /// The original `average_linkage`: one heap entry per pair, a hash map of sums per
    /// cluster.
    fn reference_average_linkage(
        n: usize,
        pairs: &[(u32, u32, f64)],
        min_similarity: f64,
    ) -> Vec<usize> {
        let mut size: Vec<u32> = vec![1; n];
        let mut alive: Vec<bool> = vec![true; n];
        let mut neighbours: Vec<HashMap<u32, f64>> = vec![HashMap::new(); n];
        let mut parent: Vec<usize> = (0..n).collect();
        for &(a, b, s) in pairs {
            neighbours[a as usize].insert(b, s);
            neighbours[b as usize].insert(a, s);
        }
        let mut heap: BinaryHeap<Candidate> = pairs
            .iter()
            .filter(|&&(_, _, s)| s >= min_similarity)
            .map(|&(a, b, s)| Candidate { avg: s, a, b })
            .collect();
        while let Some(Candidate { a, b, .. }) = heap.pop() {
            let (a, b) = (a as usize, b as usize);
            if !alive[a] || !alive[b] {
                continue;
            }
            let c = size.len();
            let new_size = size[a] + size[b];
            let mut merged = std::mem::take(&mut neighbours[a]);
            let other = std::mem::take(&mut neighbours[b]);
            if merged.len() < other.len() {
                let small = std::mem::replace(&mut merged, other);
                for (k, v) in small {
                    *merged.entry(k).or_default() += v;
                }
            } else {
                for (k, v) in other {
                    *merged.entry(k).or_default() += v;
                }
            }
            merged.remove(&(a as u32));
            merged.remove(&(b as u32));
            alive[a] = false;
            alive[b] = false;
            parent[a] = c;
            parent[b] = c;
            parent.push(c);
            size.push(new_size);
            alive.push(true);
            let mut keys: Vec<u32> = merged.keys().copied().collect();
            keys.sort_unstable();
            for k in keys {
                let sum = merged[&k];
                let nb = &mut neighbours[k as usize];
                nb.remove(&(a as u32));
                nb.remove(&(b as u32));
                nb.insert(c as u32, sum);
                let avg = sum / (f64::from(new_size) * f64::from(size[k as usize]));
                if avg >= min_similarity {
                    let (x, y) = if (k as usize) < c {
                        (k, c as u32)
                    } else {
                        (c as u32, k)
                    };
                    heap.push(Candidate { avg, a: x, b: y });
                }
            }
            neighbours.push(merged);
        }
        (0..n)
            .map(|mut i| {
                while parent[i] != i {
                    i = parent[i];
                }
                i
            })
            .collect()
    }

    /// The original `learn_cutoff`: every section clustered from scratch at every cut-off.
    fn reference_learn_cutoff(
        ctx: &Context,
        cluster: impl Fn(&[&str], &Context, f64) -> Vec<usize>,
    ) -> Option<f64> {
        let sections: Vec<&HistorySection> = ctx
            .history
            .iter()
            .filter(|s| s.entries.len() >= 2)
            .collect();
        let grouped: usize = sections
            .iter()
            .map(|s| s.entries.iter().filter(|(_, g)| g.is_some()).count())
            .sum();
        if sections.len() < 3 || grouped < 30 {
            return None;
        }
        let mut best: Option<(f64, f64)> = None;
        for &cut in CANDIDATE_CUTOFFS {
            let mut total = metrics::Totals::default();
            for s in &sections {
                let texts: Vec<&str> = s.entries.iter().map(|(t, _)| t.as_str()).collect();
                let labels = cluster(&texts, ctx, cut);
                let predicted = singleton_labels(&labels);
                let gold: Vec<Option<usize>> = s.entries.iter().map(|(_, g)| *g).collect();
                total.add(&metrics::bcubed(&predicted, &gold));
            }
            let f = total.f1();
            let better = match best {
                None => true,
                Some((bf, bc)) => {
                    f > bf + 1e-9
                        || ((f - bf).abs() <= 1e-9
                            && (cut - DEFAULT_MIN_SIMILARITY).abs()
                                < (bc - DEFAULT_MIN_SIMILARITY).abs())
                }
            };
            if better {
                best = Some((f, cut));
            }
        }
        best.map(|(_, c)| c)
    }

    /// The learned cut-off, both ways, for a history of sections of (text, gold group).
    fn learned_both_ways(
        sections: &[Vec<(String, Option<usize>)>],
        algorithm: Algorithm,
    ) -> (Option<f64>, Option<f64>) {
        let history: Vec<HistorySection> = sections
            .iter()
            .enumerate()
            .map(|(k, entries)| HistorySection {
                release: format!("1.{k}.0"),
                category: "Features".into(),
                entries: entries.clone(),
                groups: vec![],
            })
            .collect();
        let texts = sections.iter().flatten().map(|(t, _)| t.as_str());
        let ctx = Context::new(Corpus::new(texts), history, &[], 2);
        let sim = &Similarity::new(SimilaritySettings {
            cutoff: Cutoff::Learn,
            algorithm,
        });
        (
            learn_cutoff(&ctx, |texts, ctx| {
                let prepared = sim.prepare(texts, ctx);
                move |cut| sim.cluster(&prepared, cut)
            }),
            reference_learn_cutoff(&ctx, |texts, ctx, cut| sim.labels(texts, ctx, cut).0),
        )
    }

    /// Pairs compared to the bit.
    fn bits(pairs: &[(u32, u32, f64)]) -> Vec<(u32, u32, u64)> {
        pairs.iter().map(|&(a, b, s)| (a, b, s.to_bits())).collect()
    }

    /// Check both functions against their references on `texts`, at these cut-offs.
    fn check_texts(texts: &[String], with_corpus: bool, cuts: &[f64]) {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let corpus = if with_corpus {
            Corpus::new(refs.iter().copied())
        } else {
            Corpus::default()
        };
        let ctx = Context::new(corpus, vec![], &["manager".into()], 2);
        let vecs = vectorize(&refs, &ctx).vecs;
        let pairs = similar_pairs(&vecs);
        assert_eq!(bits(&pairs), bits(&reference_similar_pairs(&vecs)));
        // The rows the strategy uses are both halves of the pairs.
        let rows = similar_rows(&vecs);
        let mut from_pairs: Vec<Vec<(u32, u32, u64)>> = vec![Vec::new(); texts.len()];
        for &(a, b, s) in &pairs {
            from_pairs[a as usize].push((a, b, s.to_bits()));
            from_pairs[b as usize].push((b, a, s.to_bits()));
        }
        for row in &mut from_pairs {
            row.sort_unstable();
        }
        let rows_bits: Vec<Vec<(u32, u32, u64)>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| r.iter().map(|&(j, s)| (i as u32, j, s.to_bits())).collect())
            .collect();
        assert_eq!(rows_bits, from_pairs);
        for &cut in cuts {
            let expected = reference_average_linkage(texts.len(), &pairs, cut);
            assert_eq!(
                average_linkage(texts.len(), &pairs, cut),
                expected,
                "cut-off {cut}"
            );
            assert_eq!(
                average_linkage_rows(rows.clone(), cut),
                expected,
                "cut-off {cut}"
            );
        }
    }

    /// Words that survive normalisation, few enough that entries share many of them,
    /// with identifiers that split into several words; duplicates make exact ties.
    const VOCABULARY: &[&str] = &[
        "fair share",
        "FairShareService",
        "`fair_share_weight`",
        "session",
        "sessions",
        "scheduler",
        "GraphQL",
        "gql",
        "vfolder",
        "VFolderRow",
        "storage",
        "volume",
        "quota",
        "`resource_slots`",
        "image",
        "rescan",
        "registry",
        "container",
        "agent",
        "manager",
        "kernel",
        "restart",
        "UP031",
        "linter",
        "rule",
        "redis",
        "timeout",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(0..VOCABULARY.len(), 1..7).prop_map(|ws| {
            let words: Vec<&str> = ws.iter().map(|&w| VOCABULARY[w]).collect();
            format!("Add {}", words.join(" "))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn clustering_texts_matches_the_reference(
            texts in prop::collection::vec(text(), 0..70),
            with_corpus in any::<bool>(),
            cut in 0.0f64..1.0,
        ) {
            // Every cut-off the strategy may learn, and any other.
            let mut cuts = CANDIDATE_CUTOFFS.to_vec();
            cuts.push(cut);
            check_texts(&texts, with_corpus, &cuts);
        }

        /// Arbitrary sparse graphs, with similarities from a handful of values so that
        /// averages tie often.
        #[test]
        fn average_linkage_matches_the_reference_on_graphs(
            n in 1usize..40,
            edges in prop::collection::vec((0u32..40, 0u32..40, 0usize..6), 0..300),
            cut in prop::sample::select(vec![0.0, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 0.9]),
        ) {
            let values = [0.05, 0.1, 0.2, 0.25, 0.5, 1.0];
            let mut seen = std::collections::HashSet::new();
            let mut pairs: Vec<(u32, u32, f64)> = Vec::new();
            for (a, b, v) in edges {
                let (a, b) = (a.min(b) % n as u32, a.max(b) % n as u32);
                if a < b && seen.insert((a, b)) {
                    pairs.push((a, b, values[v]));
                }
            }
            prop_assert_eq!(
                average_linkage(n, &pairs, cut),
                reference_average_linkage(n, &pairs, cut)
            );
            // Pairs in entry order, as `similar_pairs` gives them.
            pairs.sort_by_key(|&(a, b, _)| (a, b));
            prop_assert_eq!(
                average_linkage(n, &pairs, cut),
                reference_average_linkage(n, &pairs, cut)
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        /// Sections whose entries share a topic word with their gold group, diluted by a
        /// varying number of words of their own (and a few shared ones), so that
        /// different cut-offs win.
        #[test]
        fn the_learned_cut_off_matches_the_reference(
            sections in prop::collection::vec(
                prop::collection::vec((0usize..5, 0usize..8, 0usize..3, any::<bool>()), 8..25),
                3..6,
            ),
            seed in 0usize..1000,
        ) {
            let topics = ["scheduler", "vfolder", "GraphQL", "registry", "quota"];
            let shared = ["session", "agent", "kernel"];
            let mut unique = seed * 1000;
            let sections: Vec<Vec<(String, Option<usize>)>> = sections
                .into_iter()
                .map(|entries| {
                    entries
                        .into_iter()
                        .map(|(g, own, common, grouped)| {
                            let mut text = topics[g].to_string();
                            for _ in 0..own {
                                unique += 1;
                                text += &format!(" word{unique}");
                            }
                            text += &format!(" {}", shared[..common].join(" "));
                            (text, grouped.then_some(g))
                        })
                        .collect()
                })
                .collect();
            let (fast, reference) = learned_both_ways(&sections, Algorithm::Average);
            prop_assert_eq!(fast, reference);
        }
    }

    #[test]
    fn the_learned_cut_off_matches_the_reference_with_dbscan() {
        let words = [
            "fair share",
            "session",
            "GraphQL",
            "vfolder",
            "quota",
            "UP031 linter",
        ];
        let sections: Vec<Vec<(String, Option<usize>)>> = (0..4)
            .map(|k| {
                (0..12)
                    .map(|i| {
                        let g = (i + k) % words.len();
                        (format!("Add {} {i}", words[g]), (g < 4).then_some(g))
                    })
                    .collect()
            })
            .collect();
        let (fast, reference) = learned_both_ways(&sections, Algorithm::Dbscan);
        assert!(reference.is_some());
        assert_eq!(fast, reference);
    }

    /// A category the size of a big release: 800 entries from a changelog-like generator
    /// (topics, identifiers, components, repeated templates), at the lowest, the default
    /// and the highest cut-off.
    #[test]
    fn clustering_a_large_category_matches_the_reference() {
        let topics = [
            "fair share scheduler",
            "session lifecycle",
            "vfolder permissions",
            "container registry",
            "resource group",
            "model serving",
            "image rescan",
            "agent heartbeat",
            "storage proxy",
            "event bus",
            "app proxy routing",
            "user quota",
            "audit log",
            "GraphQL pagination",
            "idle timeout",
        ];
        let names = ["SessionRow", "VFolderService", "ImageNode", "AgentRegistry"];
        let extras = [
            "in the manager",
            "for multi-node clusters",
            "with Redis",
            "",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let texts: Vec<String> = (0..800)
            .map(|_| {
                let topic = topics[next(topics.len()).min(next(topics.len()))];
                match next(4) {
                    0 => format!("Add {topic} {}", extras[next(extras.len())]),
                    1 => format!("Fix crash in {topic} when `{}` is missing", names[next(4)]),
                    2 => format!("Enable UP{:03} linter rule", next(40)),
                    _ => format!("Refactor {} for {topic}", names[next(4)]),
                }
            })
            .collect();
        check_texts(&texts, true, &[0.03, DEFAULT_MIN_SIMILARITY, 0.2]);
    }
}
