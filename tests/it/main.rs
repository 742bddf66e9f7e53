//! The integration tests, in one binary (as ripgrep's `tests/tests.rs`): one module per
//! area, sharing one set of helpers, so the suite links once.
//!
//! Every git and `git-release` process is built by `util`, which isolates it from the
//! environment the tests run in (a git hook's `GIT_DIR`, the user's editor and config).

// The grouping-quality harness, shared with `cargo run --example score`.
#[path = "../../examples/score/harness.rs"]
mod harness;
/// Processes, repositories and files.
mod util;
/// What the workflow and `consolidate` tests check against.
mod workflow;

mod architecture;
mod build;
mod by_hand;
mod changelog;
mod command_strategy;
mod completions;
mod consolidate;
mod consolidate_inputs;
mod consolidate_props;
mod demo;
mod exit_codes;
mod freeze;
mod git;
mod grouping_quality;
mod hostile;
mod hostile6;
mod hostile7;
mod hostile8;
mod hostile11;
mod hostile12;
mod hostile13;
mod hostile14;
mod hostile15;
mod hostile16;
mod hostile17;
mod hostile18;
mod hostile19;
mod hostile20;
mod hostile21;
mod hostile22;
mod hostile23;
mod hostile24;
mod hostile25;
mod hostile26;
mod hostile28;
mod hostile30;
mod hostile31;
mod hostile32;
mod hostile33;
mod hostile34;
mod hostile36;
mod hostile37;
mod interrupts;
mod isolation;
mod leftovers;
mod man;
mod markup;
mod published;
mod messages;
mod preflight_paths;
mod processes;
mod rc_cycle;
mod rst_final;
mod clones;
mod release;
mod unreviewed;
mod release_ledger;
mod release_safety;
mod review_window;
mod status_ahead;
mod stopped_sections;
mod hostile27;
mod hostile29;
mod towncrier_cases;
mod versions;
mod hostile35;
