//! Clustering the similarity graph: average-linkage agglomerative clustering (the
//! default), or DBSCAN.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::vectorise::Vectors;

/// A merge candidate in the heap: two clusters and their average similarity.
#[derive(PartialEq)]
pub(crate) struct Candidate {
    pub(crate) avg: f64,
    pub(crate) a: u32,
    pub(crate) b: u32,
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
/// by `other` and symmetric, as [`similar_rows`](super::graph::similar_rows) gives them; pairs not listed have
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
pub(crate) fn dbscan(vectors: &Vectors, min_similarity: f64) -> Vec<usize> {
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
