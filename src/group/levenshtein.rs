//! Levenshtein distance over `char`s, bit-parallel: the same numbers as
//! `strsim::levenshtein` and `strsim::normalized_levenshtein` (tested against them), an
//! order of magnitude faster when one string is compared with many.
//!
//! The pattern's positions of each character are bit masks (64 positions a word), and
//! each character of the other string advances a whole column of the edit-distance
//! matrix with a few word operations: Myers' algorithm (1999) with Hyyrö's formulation
//! (2003), blocks of 64 positions coupled through the horizontal deltas, as rapidfuzz
//! does it.

/// A string prepared for many comparisons.
pub(crate) struct Pattern {
    /// Length in `char`s.
    len: usize,
    /// 64-bit words per mask.
    words: usize,
    /// Masks of ASCII characters: `ascii[c * words + w]`.
    ascii: Vec<u64>,
    /// Masks of other characters, sorted by character.
    other: Vec<(char, Vec<u64>)>,
}

impl Pattern {
    pub(crate) fn new(pattern: &str) -> Pattern {
        let chars: Vec<char> = pattern.chars().collect();
        let len = chars.len();
        let words = len.div_ceil(64).max(1);
        let mut ascii = vec![0u64; 128 * words];
        let mut other: Vec<(char, Vec<u64>)> = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            let (w, bit) = (i / 64, 1u64 << (i % 64));
            if c.is_ascii() {
                ascii[c as usize * words + w] |= bit;
            } else {
                match other.binary_search_by_key(&c, |(k, _)| *k) {
                    Ok(k) => other[k].1[w] |= bit,
                    Err(k) => {
                        let mut mask = vec![0u64; words];
                        mask[w] = bit;
                        other.insert(k, (c, mask));
                    }
                }
            }
        }
        Pattern {
            len,
            words,
            ascii,
            other,
        }
    }

    /// Word `w` of the mask of `c`'s positions in the pattern.
    fn mask(&self, c: char, w: usize) -> u64 {
        if c.is_ascii() {
            self.ascii[c as usize * self.words + w]
        } else {
            self.other
                .binary_search_by_key(&c, |(k, _)| *k)
                .map_or(0, |k| self.other[k].1[w])
        }
    }

    /// The Levenshtein distance to `text`, as `strsim::levenshtein(pattern, text)`.
    pub(crate) fn distance(&self, text: &str) -> usize {
        if self.len == 0 {
            return text.chars().count();
        }
        if self.words == 1 {
            return self.distance_one_word(text);
        }
        // Vertical deltas of the current column, per word: +1 (VP) and -1 (VN).
        let mut vp = vec![!0u64; self.words];
        let mut vn = vec![0u64; self.words];
        // The bit of the pattern's last position in the last word.
        let last = 1u64 << ((self.len - 1) % 64);
        let mut dist = self.len;
        for c in text.chars() {
            // Horizontal deltas carried from one block into the next (the top row of the
            // matrix grows by one per column: a +1 enters the first block).
            let (mut hp_carry, mut hn_carry) = (1u64, 0u64);
            for w in 0..self.words {
                let x = self.mask(c, w) | hn_carry;
                let d0 = (((x & vp[w]).wrapping_add(vp[w])) ^ vp[w]) | x | vn[w];
                let mut hp = vn[w] | !(d0 | vp[w]);
                let mut hn = d0 & vp[w];
                let (hp_in, hn_in) = (hp_carry, hn_carry);
                if w + 1 < self.words {
                    hp_carry = hp >> 63;
                    hn_carry = hn >> 63;
                } else {
                    hp_carry = u64::from(hp & last != 0);
                    hn_carry = u64::from(hn & last != 0);
                }
                hp = (hp << 1) | hp_in;
                hn = (hn << 1) | hn_in;
                vp[w] = hn | !(d0 | hp);
                vn[w] = hp & d0;
            }
            // The bottom cell of the column moved by the last block's carry.
            dist = dist + hp_carry as usize - hn_carry as usize;
        }
        dist
    }

    /// [`Pattern::distance`] for patterns of up to 64 characters (most changelog entries):
    /// the same steps with one block, in registers.
    fn distance_one_word(&self, text: &str) -> usize {
        let (mut vp, mut vn) = (!0u64, 0u64);
        let last = 1u64 << (self.len - 1);
        let mut dist = self.len;
        for c in text.chars() {
            let x = self.mask(c, 0);
            let d0 = (((x & vp).wrapping_add(vp)) ^ vp) | x | vn;
            let hp = vn | !(d0 | vp);
            let hn = d0 & vp;
            dist = dist + usize::from(hp & last != 0) - usize::from(hn & last != 0);
            let hp = (hp << 1) | 1;
            let hn = hn << 1;
            vp = hn | !(d0 | hp);
            vn = hp & d0;
        }
        dist
    }

    /// `strsim::normalized_levenshtein(pattern, text)`, to the bit: one minus the
    /// distance over the longer length (1 for two empty strings).
    pub(crate) fn normalized_similarity(&self, text: &str) -> f64 {
        let text_len = text.chars().count();
        if self.len == 0 && text_len == 0 {
            return 1.0;
        }
        1.0 - (self.distance(text) as f64) / (self.len.max(text_len) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_distances() {
        for (a, b, d) in [
            ("kitten", "sitting", 3),
            ("", "", 0),
            ("", "abc", 3),
            ("abc", "", 3),
            ("flaw", "lawn", 2),
            ("enable x030 linter rule", "enable x031 linter rule", 1),
            ("ü日本", "u日本語", 2),
        ] {
            assert_eq!(Pattern::new(a).distance(b), d, "{a} / {b}");
        }
    }

    /// Strings over a small alphabet (so that they share characters), ASCII and not,
    /// short and longer than one and two 64-bit blocks.
    fn string() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!['a', 'b', 'c', ' ', '0', 'x', 'é', '日', '`']),
            0..200,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn matches_strsim(a in string(), b in string()) {
            let p = Pattern::new(&a);
            prop_assert_eq!(p.distance(&b), strsim::levenshtein(&a, &b));
            prop_assert_eq!(
                p.normalized_similarity(&b).to_bits(),
                strsim::normalized_levenshtein(&a, &b).to_bits()
            );
        }

        /// Near-identical strings: the edits that templated changelog entries differ by.
        #[test]
        fn matches_strsim_on_near_copies(
            a in string(),
            edits in prop::collection::vec((0usize..200, prop::sample::select(vec!['a', 'z', '日'])), 0..6),
        ) {
            let mut b: Vec<char> = a.chars().collect();
            for (at, c) in edits {
                if b.is_empty() || at % 3 == 0 {
                    b.insert(at.min(b.len()), c);
                } else if at % 3 == 1 {
                    b.remove(at % b.len());
                } else {
                    let i = at % b.len();
                    b[i] = c;
                }
            }
            let b: String = b.into_iter().collect();
            prop_assert_eq!(Pattern::new(&a).distance(&b), strsim::levenshtein(&a, &b));
        }
    }
}
