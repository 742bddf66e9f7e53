//! The one tier policy: what a tier is, which group wins an entry several groups want,
//! the order groups are listed in, and the words that give a group its tier.
//!
//! Every decision between groups goes through [`Rank`]: the shared rules in
//! [`finish`](super::finish) when proposals overlap and when the finished groups are
//! listed, the `rules` strategy when several rules match an entry, and `auto` when its
//! passes want the same entry. Changing the precedence means changing [`Rank`]'s `Ord`
//! and nothing else.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How broad a group is; a higher tier wins when an entry could go to several groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// A named effort spanning many changes (`Fair Share Scheduler`).
    Initiative,
    /// A part of the system (`App Proxy and Routing`).
    Subsystem,
    /// One kind of object (`Scaling Group Management`).
    Entity,
    /// The same kind of change applied in many places (`Repository Pattern
    /// Standardization`).
    Pattern,
    /// Build, CI, tests, dependencies, tooling — linters and static analysis included
    /// (`Linter Rules`).
    Infrastructure,
}

impl Tier {
    /// Every tier, highest first.
    pub const ALL: [Tier; 5] = [
        Tier::Initiative,
        Tier::Subsystem,
        Tier::Entity,
        Tier::Pattern,
        Tier::Infrastructure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Initiative => "initiative",
            Tier::Subsystem => "subsystem",
            Tier::Entity => "entity",
            Tier::Pattern => "pattern",
            Tier::Infrastructure => "infrastructure",
        }
    }

    /// The tier named `s` (lower case), if any.
    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a group stands against the others. Sorting ranks puts the winner first:
///
/// 1. the higher tier: a named initiative says more about an entry than the pattern it
///    follows;
/// 2. the stronger claim on the entry at stake: how many of its words a rule matched
///    (only the `rules` strategy measures it; everything else claims with strength 0, so
///    the criterion is neutral there);
/// 3. the larger group: it tells the broader story;
/// 4. the earlier position: the earlier proposal, rule or `auto` pass. When the finished
///    groups are listed, their position is their title's alphabetical place: groups from
///    several strategies are merged by then, and alphabetical order is the same whichever
///    strategy found them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rank {
    pub tier: Tier,
    pub strength: usize,
    pub size: usize,
    pub position: usize,
}

impl Rank {
    /// The rank of a whole group, where no single entry's claim is at stake.
    pub fn of_group(tier: Tier, size: usize, position: usize) -> Rank {
        Rank {
            tier,
            strength: 0,
            size,
            position,
        }
    }
}

impl Ord for Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        self.tier
            .cmp(&other.tier)
            .then(other.strength.cmp(&self.strength))
            .then(other.size.cmp(&self.size))
            .then(self.position.cmp(&other.position))
    }
}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Words that, among the words a cluster's entries share, mark build, CI, test and
/// tooling work: the similarity strategy gives such a cluster the infrastructure tier.
///
/// Linters, type checkers and static analysers are tooling (`lint`, `linter`, `static`,
/// `ruff`, `mypy`): enabling a linter rule is a change to the tooling plus mechanical
/// edits, whatever the shape of the entries. The title words below agree.
pub const INFRASTRUCTURE_WORDS: &[&str] = &[
    "ci",
    "build",
    "test",
    "testing",
    "lint",
    "linter",
    "ruff",
    "mypy",
    "pyright",
    "type",
    "annotation",
    "docker",
    "dependency",
    "dependencies",
    "installer",
    "workflow",
    "pants",
    "packaging",
    "release",
    "script",
    "tooling",
    "github",
    "action",
    "pytest",
    "fixture",
    "mock",
    "coverage",
    "pre-commit",
    "format",
    "formatter",
    "static",
    "analysis",
];

/// Words that, in a group title a maintainer wrote, mark infrastructure work (for
/// learned rules). Shorter than [`INFRASTRUCTURE_WORDS`]: in a title, `type`, `release`
/// or `action` usually name a product concept (`GraphQL Type Naming`), not tooling.
pub const INFRASTRUCTURE_TITLE_WORDS: &[&str] = &[
    "ci",
    "build",
    "test",
    "testing",
    "tooling",
    "dependency",
    "packaging",
    "installer",
    "docker",
    "deployment",
    "infrastructure",
    "configuration",
    "observability",
    "monitoring",
    "lint",
    "linter",
    "static",
];

/// Words that, in a group title, mark one kind of change applied in many places.
/// Checked after [`INFRASTRUCTURE_TITLE_WORDS`]; no word is in both.
pub const PATTERN_TITLE_WORDS: &[&str] = &[
    "pattern",
    "standardization",
    "consistency",
    "quality",
    "cleanup",
    "refactoring",
    "migration",
    "naming",
];

/// The tier a group title's words give, if any: infrastructure words first, then pattern
/// words.
pub fn from_title_words(words: &[String]) -> Option<Tier> {
    if words
        .iter()
        .any(|w| INFRASTRUCTURE_TITLE_WORDS.contains(&w.as_str()))
    {
        return Some(Tier::Infrastructure);
    }
    if words
        .iter()
        .any(|w| PATTERN_TITLE_WORDS.contains(&w.as_str()))
    {
        return Some(Tier::Pattern);
    }
    None
}

/// True when an evidence word or phrase holds an infrastructure word.
pub fn is_infrastructure_evidence(evidence: &str) -> bool {
    evidence
        .split(' ')
        .any(|w| INFRASTRUCTURE_WORDS.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(tier: Tier, strength: usize, size: usize, position: usize) -> Rank {
        Rank {
            tier,
            strength,
            size,
            position,
        }
    }

    #[test]
    fn tier_then_strength_then_size_then_position() {
        let mut ranks = [
            rank(Tier::Pattern, 9, 9, 0),
            rank(Tier::Subsystem, 1, 2, 3),
            rank(Tier::Subsystem, 1, 5, 4),
            rank(Tier::Subsystem, 2, 1, 5),
            rank(Tier::Subsystem, 1, 5, 1),
            rank(Tier::Initiative, 0, 1, 9),
        ];
        ranks.sort();
        assert_eq!(
            ranks.iter().map(|r| r.position).collect::<Vec<_>>(),
            [9, 5, 1, 4, 3, 0]
        );
    }

    /// A word means one tier wherever it is looked at.
    #[test]
    fn keyword_lists_do_not_contradict_each_other() {
        for w in PATTERN_TITLE_WORDS {
            assert!(!INFRASTRUCTURE_TITLE_WORDS.contains(w), "{w}");
            assert!(!INFRASTRUCTURE_WORDS.contains(w), "{w}");
        }
        for w in ["lint", "linter", "static"] {
            assert_eq!(
                from_title_words(&[w.to_string()]),
                Some(Tier::Infrastructure)
            );
            assert!(is_infrastructure_evidence(w));
        }
    }
}
