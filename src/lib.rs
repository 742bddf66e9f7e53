//! git-release: cut towncrier-style releases in one command.
//!
//! Data flows one way: [`config`] → [`fragments`] / [`changelog`] → [`build`] →
//! [`consolidate`] → [`group`] → [`review`] → write ([`atomic`]) → [`git`], driven by
//! [`release`] for the whole workflow and by [`app`] for the command line.

/// Command dispatch: turns parsed flags into library calls.
pub mod app;
/// Atomic file writes.
pub mod atomic;
/// Native, towncrier-compatible rendering of a changelog section from fragments.
pub mod build;
/// Changelog model: releases → categories → subsections → entries, lossless.
pub mod changelog;
/// Command-line definitions (clap); the man page is generated from them.
pub mod cli;
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
/// Terminal output: colour and progress that respect NO_COLOR, color.ui and pipes.
pub mod term;
/// Versions: PEP 440 and SemVer.
pub mod version;

pub use error::{Error, Result};
