//! Word statistics of the whole changelog, and the one measure of a word's rarity.

use std::collections::HashMap;

use foldhash::fast::FixedState;

use super::text;

/// Word statistics of the whole changelog: rare words weigh more.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    df: HashMap<String, u32, FixedState>,
    docs: u32,
}

impl Corpus {
    /// Count the documents (entry texts) each word appears in.
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Corpus {
        let mut corpus = Corpus::default();
        for t in texts {
            corpus.add(t);
        }
        corpus
    }

    pub fn add(&mut self, text: &str) {
        self.docs += 1;
        let words = text::shared_words(text);
        let mut seen: Vec<&str> = words.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            match self.df.get_mut(w) {
                Some(n) => *n += 1,
                None => {
                    self.df.insert(w.to_string(), 1);
                }
            }
        }
    }

    pub fn docs(&self) -> u32 {
        self.docs
    }

    pub fn df(&self, word: &str) -> u32 {
        self.df.get(word).copied().unwrap_or(0)
    }

    /// How rare a word is: the smoothed inverse document frequency
    /// `ln((1 + documents) / (1 + documents with the word))`. It is 0 for a word every
    /// document has (such a word tells entries apart no better than none) and never
    /// negative, as a word is in at most every document. The TF-IDF vectors of the
    /// similarity strategy weigh words by it; titles and learned keywords rank by it.
    pub fn idf(&self, word: &str) -> f64 {
        ((1.0 + f64::from(self.docs)) / (1.0 + f64::from(self.df(word)))).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarity_is_zero_for_a_word_everywhere_and_grows_as_words_get_rarer() {
        let c = Corpus::new(["fair share weights", "fair share buckets", "fair quota"]);
        assert_eq!(c.idf("fair"), 0.0);
        assert!(c.idf("share") > 0.0);
        assert!(c.idf("quota") > c.idf("share"));
        assert!(c.idf("unseen") > c.idf("quota"));
    }
}
