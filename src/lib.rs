//! git-release: cut towncrier-style releases in one command.
//!
//! The library holds every decision; the `git-release` binary only turns command-line
//! flags into calls to it and prints the results. Modules are layers, each importing only
//! the ones listed above it (see `ARCHITECTURE.md`); data flows one way:
//! [`config`] → [`fragments`] / [`changelog`] → [`towncrier`] → [`consolidate`] →
//! [`group`] → [`review`] → write ([`atomic`]) → [`git`], driven by [`release`].

#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

/// A regular expression written in the source, compiled once on first use: `&Regex`.
/// (`static_regex!(regex::bytes::Regex, pattern)` for a bytes one.)
macro_rules! static_regex {
    ($pattern:expr) => {
        static_regex!(regex::Regex, $pattern)
    };
    ($ty:ty, $pattern:expr) => {{
        static RE: std::sync::LazyLock<$ty> = std::sync::LazyLock::new(|| {
            // The pattern is part of the program, not input; every one is exercised by
            // the tests of the code that uses it.
            #[allow(clippy::expect_used)]
            <$ty>::new(&$pattern).expect("a pattern written in the source compiles")
        });
        &*RE
    }};
}

/// The library's error type, and what each error means for the exit code.
pub mod error;
/// JSON of plain data (state files, `--format json` views).
pub mod json;
/// Versions: PEP 440 and SemVer.
pub mod version;
/// Python behaviour towncrier's output depends on: string methods, `str.format`, `repr`,
/// `textwrap`, `fnmatch`, and a Jinja2-like template environment.
pub mod pycompat;
/// Atomic file writes.
pub mod atomic;
/// Reading a file a user names: regular files only, bounded.
pub mod files;
/// Running a command in a process group of its own, stoppable by signal or timeout.
pub mod process;
/// Git access: reads through gix, writes through the git binary.
pub mod git;
/// Grouping entries into subsections: the `Grouper` trait, its strategies, the tier policy.
pub mod group;
/// The placeholder freeze of final releases: ordered line rules, computed whole before
/// anything is written.
pub mod freeze;
/// Project settings: `[tool.towncrier]` and `[tool.git-release]`, read once into typed values.
pub mod config;
/// News fragment discovery and parsing, as towncrier does it.
pub mod fragments;
/// Changelog model: releases → categories → subsections → entries, lossless.
pub mod changelog;
/// towncrier's `build`, natively: the section rendered from fragments, and the news file.
pub mod towncrier;
/// Folding rc sections and new fragments into one final section, grouped.
pub mod consolidate;
/// The draft review loop in the user's editor, and draft validation.
pub mod review;
/// The whole release workflow, from pre-flight to summary.
pub mod release;

pub use error::{Error, ErrorKind, Result};
