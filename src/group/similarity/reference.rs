//! The optimised clustering must give exactly what the straightforward version gave: the
//! originals of [`similar_pairs`] and [`average_linkage`] are kept here, verbatim, as the
//! reference, and compared on random and realistic inputs (labels equal, similarities
//! equal to the bit).

use std::collections::BinaryHeap;

use super::graph::similar_pairs;
use super::linkage::{Candidate, average_linkage};
use super::vectorise::SparseVec;
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
