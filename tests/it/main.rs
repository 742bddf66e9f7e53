//! The integration tests, in one binary (as ripgrep's `tests/tests.rs`): one module per
//! area, sharing one set of helpers, so the suite links once.

// The fixture and repository helpers (also used by tests/grouping_quality.rs).
#[path = "../common/mod.rs"]
mod common;
mod workflow;

mod build;
mod changelog;
mod consolidate;
mod demo;
mod git;
mod release;
mod towncrier_cases;
