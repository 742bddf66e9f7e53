//! The placeholder freeze of a final release: every mention of a placeholder such as
//! `NEXT_RELEASE_VERSION` in the configured files becomes the released version, by ordered
//! rules that work on one line at a time.
//!
//! The freeze is computed whole, in memory ([`plan`]), before anything is written, and
//! written as one atomic set ([`Outcome::apply`]). What it promises:
//!
//! - only tracked files matching `files` and no `exclude` pattern are considered
//!   (`files` is required: there is no implicit whole tree), minus the files git-release
//!   reads or writes itself ([`Scope::spared`]); a file the release writes its version
//!   into is frozen, its version left to the version step ([`Scope::guarded`]: a rule
//!   that would change the version refuses the freeze);
//! - a file that does not mention the placeholder is never rewritten, and in a file that
//!   does, a line that does not mention it is never changed (see [`lines`]);
//! - binary files (a NUL in the first 8000 bytes, or git attributes `binary` / `-text`,
//!   which also covers LFS files) are never touched;
//! - a symlink never widens the set and stays a link: only regular files are written, each
//!   under its own path;
//! - a line the rules leave mentioning the placeholder refuses the whole freeze, listing
//!   every such line: nothing is half frozen;
//! - modes are kept; line endings (CRLF or LF) and bytes outside the changed lines are
//!   kept byte for byte.

pub mod lines;
pub mod patterns;
mod plan;
pub mod rule;

use std::path::PathBuf;

use regex::bytes::Regex;

use crate::error::{Error, Result};
pub use patterns::{PatternError, Patterns};
pub use plan::{Change, Guarded, LeftAlone, LeftLink, Outcome, RuleCount, Scope, Spared, plan};
pub use rule::{Action, ActionSpec, Rule, RuleError, Template};

/// Where a freeze was configured: the file and the prefix of the table's keys
/// (`freeze.` or `tool.git-release.freeze.`), so that problems found later name the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub table: String,
}

impl Origin {
    /// An error about `key` of the freeze table.
    pub fn error(&self, key: &str, message: impl Into<String>) -> Error {
        Error::config(&self.file, format!("{}{key}", self.table), message)
    }
}

/// A compiled freeze: the placeholder, which files, and the rules in order.
#[derive(Debug, Clone)]
pub struct Freeze {
    pub placeholder: String,
    pub files: Patterns,
    pub exclude: Patterns,
    pub rules: Vec<Rule>,
    pub origin: Origin,
    /// Finds the placeholder (literally).
    mention: Regex,
}

/// The placeholder is non-empty text on one line; checked before any rule is built from
/// it, so that an empty one is blamed on `placeholder`, not on the rule (`replace`) made
/// from it.
pub fn check_placeholder(placeholder: &str, origin: &Origin) -> Result<()> {
    if placeholder.trim().is_empty() || placeholder.contains(['\n', '\r']) {
        return Err(origin.error(
            "placeholder",
            "must be a non-empty text on one line, e.g. \"NEXT_RELEASE_VERSION\"",
        ));
    }
    Ok(())
}

impl Freeze {
    /// A freeze of `placeholder` (non-empty, one line) in `files` (at least one pattern)
    /// by `rules` (at least one).
    pub fn new(
        placeholder: String,
        files: Patterns,
        exclude: Patterns,
        rules: Vec<Rule>,
        origin: Origin,
    ) -> Result<Freeze> {
        check_placeholder(&placeholder, &origin)?;
        if files.is_empty() {
            return Err(origin.error(
                "files",
                "must list at least one pattern, e.g. [\"src/**/*.py\"]: the freeze rewrites source files, so it never covers the whole tree implicitly",
            ));
        }
        if rules.is_empty() {
            return Err(origin.error(
                "rule",
                "say what the placeholder becomes: `replace = \"…\"`, or [[freeze.rule]] entries",
            ));
        }
        let mention = Regex::new(&regex::escape(&placeholder))
            .map_err(|e| origin.error("placeholder", e.to_string()))?;
        Ok(Freeze {
            placeholder,
            files,
            exclude,
            rules,
            origin,
            mention,
        })
    }

    /// Whether `bytes` mention the placeholder.
    pub fn mentions(&self, bytes: &[u8]) -> bool {
        self.mention.is_match(bytes)
    }

    /// Freeze one file's bytes (see [`lines::freeze_bytes`]).
    pub fn freeze_bytes(&self, data: &[u8], version: &str) -> lines::FileFreeze {
        lines::freeze_bytes(data, &self.mention, &self.rules, version)
    }
}
