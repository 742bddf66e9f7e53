//! The similarity graph: which entries share words, and how alike they are (the cosine
//! of their vectors), as one sparse row per entry. Exact up to [`EXACT_LIMIT`] entries, a
//! k-nearest-neighbour graph above.

use super::vectorise::SparseVec;

/// The inverted index of the vectors: for each word id, the entries holding the word and
/// its weight there, in entry order. Word ids are dense (from [`vectorize`]), so the index
/// is a vector by word id. Every similarity graph below is built from it.
///
/// [`vectorize`]: super::vectorise::vectorize
fn postings(vecs: &[SparseVec]) -> Vec<Vec<(u32, f64)>> {
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
    postings
}

/// All pairs with a non-zero cosine similarity, through an inverted index (entries that
/// share no word are never compared).
///
/// Performance: the index is a vector by word id ([`postings`]) and each lookup starts after entry `i` in the posting list (lists are in entry order), so
/// pairs `(j, i)` with `j ≤ i` are never visited. Each pair's similarity is still the sum
/// of the products of its shared words, added in word-id order, so the values are the
/// same to the bit.
///
/// (The strategy uses [`similar_rows`]; the pairs are the tests' way in.)
#[cfg(test)]
pub(crate) fn similar_pairs(vecs: &[SparseVec]) -> Vec<(u32, u32, f64)> {
    let postings = postings(vecs);
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
/// weights, added in word-id order), for [`average_linkage_rows`](super::linkage::average_linkage_rows).
///
/// Performance: no pair list, and no sorting: each entry's similarities are accumulated
/// in a dense scratch row, which is then read in order.
pub(crate) fn similar_rows(vecs: &[SparseVec]) -> Vec<Vec<(u32, f64)>> {
    let postings = postings(vecs);
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

/// Add `bonus` to the similarity of every two entries of the same link group that the
/// rows already pair (rows as [`similar_rows`] makes them: symmetric, sorted by entry). A
/// link strengthens what the words say; it never pairs entries that share no word.
/// Groups must not overlap.
pub(crate) fn strengthen_links(rows: &mut [Vec<(u32, f64)>], groups: &[Vec<usize>], bonus: f64) {
    let mut group_of: Vec<Option<usize>> = vec![None; rows.len()];
    for (g, members) in groups.iter().enumerate() {
        for &m in members {
            if let Some(slot) = group_of.get_mut(m) {
                *slot = Some(g);
            }
        }
    }
    for (a, row) in rows.iter_mut().enumerate() {
        let Some(g) = group_of[a] else { continue };
        for (b, s) in row.iter_mut() {
            if group_of.get(*b as usize) == Some(&Some(g)) {
                *s += bonus;
            }
        }
    }
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
    let postings = postings(vecs);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_strengthen_existing_pairs_only_and_keep_rows_symmetric() {
        let mut rows: Vec<Vec<(u32, f64)>> = vec![
            vec![(2, 0.5)],
            vec![],
            vec![(0, 0.5), (3, 0.25)],
            vec![(2, 0.25)],
        ];
        // 0 and 3 share no word: the link adds nothing; 2 and 3 are linked.
        strengthen_links(&mut rows, &[vec![3, 0, 2], vec![1]], 0.125);
        assert_eq!(
            rows,
            [
                vec![(2, 0.625)],
                vec![],
                vec![(0, 0.625), (3, 0.375)],
                vec![(2, 0.375)],
            ]
        );
    }
}
