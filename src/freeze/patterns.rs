//! `files` and `exclude`: glob patterns over paths relative to the configuration's
//! directory, with git's `:(glob)` pathspec rules: `*` and `?` never match `/`, `**/`
//! matches zero or more directories, `/**` everything below, `[…]` a class (never `/`).
//!
//! Before the rule-based freeze, `*` crossed `/` (`src/*.py` also took `src/a/b.py`).
//! [`Patterns::matches_loosely`] keeps that reading, so that the plan can warn about every
//! file whose fate the change decides.

use glob::{MatchOptions, Pattern};

const STRICT: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

const LOOSE: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

/// A list of glob patterns, as configured and compiled.
#[derive(Debug, Clone, Default)]
pub struct Patterns {
    sources: Vec<String>,
    compiled: Vec<Pattern>,
}

/// A pattern that cannot be used: its position in the list and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub index: usize,
    pub message: String,
}

impl Patterns {
    /// Compile `sources`. A pattern must be relative (no leading `/`, `./` or `..`) and a
    /// valid glob.
    pub fn new(sources: Vec<String>) -> Result<Patterns, PatternError> {
        let mut compiled = Vec::with_capacity(sources.len());
        for (index, source) in sources.iter().enumerate() {
            let err = |message: String| PatternError { index, message };
            if source.is_empty() {
                return Err(err("is empty".into()));
            }
            if source.starts_with('/') || source.starts_with("./") {
                return Err(err(format!(
                    "`{source}`: patterns are relative to the directory of the configuration file; drop the leading `{}`",
                    if source.starts_with('/') { "/" } else { "./" }
                )));
            }
            if source.split('/').any(|c| c == ".." || c == ".") {
                return Err(err(format!(
                    "`{source}`: a pattern cannot hold `.` or `..` components"
                )));
            }
            compiled.push(
                Pattern::new(source)
                    .map_err(|e| err(format!("`{source}` is not a valid glob: {}", e.msg)))?,
            );
        }
        Ok(Patterns { sources, compiled })
    }

    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Whether any pattern matches `path` (relative, `/`-separated).
    pub fn matches(&self, path: &str) -> bool {
        self.compiled.iter().any(|p| p.matches_with(path, STRICT))
    }

    /// The positions of the patterns that match `path`.
    pub fn matching<'a>(&'a self, path: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.compiled
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.matches_with(path, STRICT))
            .map(|(i, _)| i)
    }

    /// Whether any pattern matches `path` when `*` and `?` may cross `/`: how these
    /// patterns were read before.
    pub fn matches_loosely(&self, path: &str) -> bool {
        self.compiled.iter().any(|p| p.matches_with(path, LOOSE))
    }

    /// Whether the pattern at `index` names one path (it has no wildcard).
    pub fn is_literal(&self, index: usize) -> bool {
        self.sources
            .get(index)
            .is_some_and(|s| !s.contains(['*', '?', '[']))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(sources: &[&str]) -> Patterns {
        Patterns::new(sources.iter().map(|s| s.to_string()).collect()).unwrap()
    }

    #[test]
    fn star_stops_at_slash_as_in_git_pathspecs() {
        let g = p(&["src/**/*.py"]);
        assert!(g.matches("src/a.py"));
        assert!(g.matches("src/x/y/a.py"));
        assert!(!g.matches("srcx/a.py"));
        assert!(!g.matches("src/a.pyc"));
        let top = p(&["*.py"]);
        assert!(top.matches("a.py"));
        assert!(!top.matches("src/a.py"));
        assert!(top.matches_loosely("src/a.py"), "the old reading");
        assert!(p(&["src/**"]).matches("src/a/b"));
        assert!(p(&["**/*.md"]).matches("README.md"));
        assert!(!p(&["src/?"]).matches("src//"));
        assert!(
            p(&["src/*"]).matches("src/.hidden"),
            "no dotfile rule, as git"
        );
    }

    #[test]
    fn bad_patterns_are_refused() {
        for (bad, needle) in [
            ("/src/*.py", "leading `/`"),
            ("./src/*.py", "leading `./`"),
            ("src/../x", "`..`"),
            ("a**", "not a valid glob"),
            ("[", "not a valid glob"),
            ("", "empty"),
        ] {
            let e = Patterns::new(vec!["ok/*".into(), bad.into()]).unwrap_err();
            assert_eq!(e.index, 1);
            assert!(e.message.contains(needle), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn literal_patterns_are_told_apart() {
        let g = p(&["a/b.py", "a/*.py", "a/[bc].py", "a/?.py"]);
        assert!(g.is_literal(0));
        assert!(!g.is_literal(1) && !g.is_literal(2) && !g.is_literal(3));
        assert_eq!(g.matching("a/b.py").collect::<Vec<_>>(), [0, 1, 2, 3]);
    }
}
