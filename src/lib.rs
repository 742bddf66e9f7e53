//! git-release: cut towncrier-style releases in one command.
//!
//! Data flows one way: [`config`] → [`fragments`] / [`changelog`] → [`build`] →
//! [`consolidate`] → [`group`] → [`review`] → write ([`atomic`]) → [`git`], driven by
//! [`release`] for the whole workflow and by [`app`] for the command line.

/// Command dispatch: turns parsed flags into library calls.
pub mod app;
/// Atomic file writes.
pub mod atomic;
/// Changelog model: releases → categories → subsections → entries, lossless.
pub mod changelog;
/// Command-line definitions (clap); the man page is generated from them.
pub mod cli;
/// Python behaviour towncrier's output depends on: string methods, `str.format`, `repr`,
/// `textwrap`, `fnmatch`, and a Jinja2-like template environment.
pub mod pycompat;
/// Project settings: `[tool.towncrier]` and `[tool.git-release]`.
pub mod config;
/// Folding rc sections and new fragments into one final section.
pub mod consolidate;
/// The throwaway demo repository.
pub mod demo;
/// The library's error type.
pub mod error;
/// News fragment discovery and parsing, as towncrier does it.
pub mod fragments;
/// Git access: reads through gix, writes through the git binary.
pub mod git;
/// Grouping entries into subsections: the `Grouper` trait and its strategies.
pub mod group;
/// The man page, rendered from the command-line definitions.
pub mod man;
/// The whole release workflow, from pre-flight to summary.
pub mod release;
/// The draft review loop in the user's editor, and draft validation.
pub mod review;
/// BCubed scoring of a grouping against a reference grouping.
pub mod score;
/// towncrier's `build`, natively: the section rendered from fragments, and the news file.
pub mod towncrier;
/// Terminal output: colour and progress that respect NO_COLOR, color.ui and pipes.
pub mod term;
/// Versions: PEP 440 and SemVer.
pub mod version;

pub use error::{Error, Result};
