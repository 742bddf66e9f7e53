//! Entries as TF-IDF vectors: sparse, unit length, word ids local to one call.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use crate::group::{Context, Corpus, text};

/// A sparse, L2-normalised vector: (word id, weight), sorted by word id.
pub(crate) type SparseVec = Vec<(u32, f64)>;

/// Vectors for a set of texts; word ids are local to the call.
pub(crate) struct Vectors {
    pub vecs: Vec<SparseVec>,
    pub vocab: Vec<String>,
}

/// TF-IDF vectors of `texts`: each word weighs `(1 + ln count) × rarity`, rarity being
/// [`Corpus::idf`] over the changelog (or over the texts themselves when there is no
/// changelog), and every vector is scaled to length 1 so that a dot product is a cosine.
pub(crate) fn vectorize(texts: &[&str], ctx: &Context) -> Vectors {
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut vocab: Vec<String> = Vec::new();
    let docs: Vec<Vec<String>> = texts.iter().map(|t| text::words(t)).collect();
    // Rarity comes from the changelog; without one, from the entries themselves.
    let local;
    let corpus = if ctx.corpus.docs() > 0 {
        &ctx.corpus
    } else {
        local = Corpus::new(texts.iter().copied());
        &local
    };
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
                let idf = corpus.idf(&vocab[id as usize]);
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

/// The dot product of two sparse vectors (their cosine, as they are unit vectors).
pub(crate) fn dot(a: &SparseVec, b: &SparseVec) -> f64 {
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

/// The mean cosine similarity of every pair of `members`.
pub(crate) fn mean_similarity(members: &[usize], vecs: &[SparseVec]) -> f64 {
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
