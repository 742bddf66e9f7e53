//! The `auto` strategy (the default): the rules file first, PR labels next, and
//! title similarity for whatever is left. A pass only keeps the groups that survive the
//! shared rules, so an entry a rule could not place in a real group stays available to
//! the next pass.

use super::labels::{Labels, PrLabels};
use super::rules::{Rules, RulesFile};
use super::similarity::Similarity;
use super::{Context, Grouper, Item, Proposal};
use crate::error::Result;

pub struct Auto {
    rules: Option<Rules>,
    labels: Option<Labels>,
    similarity: Similarity,
}

impl Auto {
    pub fn new(rules: Option<RulesFile>, labels: Option<PrLabels>) -> Auto {
        let map = rules.as_ref().map(|r| r.labels.clone()).unwrap_or_default();
        Auto {
            labels: labels.map(|l| Labels::new(l, map)),
            rules: rules.map(Rules::new),
            similarity: Similarity::default(),
        }
    }

    pub fn with_similarity(mut self, similarity: Similarity) -> Auto {
        self.similarity = similarity;
        self
    }
}

impl Grouper for Auto {
    fn name(&self) -> &str {
        "auto"
    }

    fn propose(
        &self,
        category: &str,
        items: &[Item],
        candidates: &[usize],
        ctx: &Context,
    ) -> Result<Vec<Proposal>> {
        let mut remaining: Vec<usize> = candidates.to_vec();
        let mut out = Vec::new();
        let passes: [Option<&dyn Grouper>; 2] = [
            self.rules.as_ref().map(|r| r as &dyn Grouper),
            self.labels.as_ref().map(|l| l as &dyn Grouper),
        ];
        for pass in passes.into_iter().flatten() {
            let proposals = pass.propose(category, items, &remaining, ctx)?;
            let kept = super::finish(category, items, proposals.clone(), ctx);
            for group in kept.groups {
                let original = proposals
                    .iter()
                    .find(|p| p.title == group.title)
                    .cloned()
                    .expect("finish only keeps proposed titles");
                remaining.retain(|i| !group.members.contains(i));
                out.push(Proposal {
                    members: group.members,
                    ..original
                });
            }
        }
        out.extend(self.similarity.propose(category, items, &remaining, ctx)?);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{Corpus, finish};
    use std::path::Path;

    #[test]
    fn rules_first_then_similarity_for_the_rest() {
        let rules = RulesFile::parse(
            Path::new("r.toml"),
            "[[group]]\ntitle = \"Fair Share\"\ntier = \"initiative\"\nkeywords = [\"fair share\"]\n",
        )
        .unwrap();
        let texts = [
            "Add fair share weights",
            "Add fair share buckets",
            "Add retry to the event bus publisher",
            "Support TLS for the event bus",
            "Fix typo in the storage volume listing",
        ];
        let items: Vec<Item> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Item::new(*t, vec![i as u64]))
            .collect();
        let ctx = Context::new(Corpus::new(texts.iter().copied()), vec![], &[], 2);
        let auto = Auto::new(Some(rules), None);
        let g = finish(
            "Features",
            &items,
            auto.propose("Features", &items, &[0, 1, 2, 3, 4], &ctx)
                .unwrap(),
            &ctx,
        );
        assert_eq!(g.groups[0].title, "Fair Share");
        assert_eq!(g.groups[0].members, [0, 1]);
        assert!(
            g.groups.iter().any(|gr| gr.members == [2, 3]),
            "{:?}",
            g.groups
        );
        assert_eq!(g.other, [4]);
    }
}
