//! The whole release, from pre-flight to summary.
//!
//! One release at a time: a lock ([`Lock`], `.git/git-release/lock`) is taken before
//! pre-flight and held to the end. Everything is checked before anything changes
//! ([`preflight`]: version, version file, clean tree, base branch, release branch, the
//! review's editor, the WebUI step, every path inside the repository, the next version,
//! changelog, fragments, consolidation). Then the steps run in order on a new
//! `release/<version>` branch ([`execute`]), each recorded in `.git/git-release/state.json`
//! as started before it runs and done after it succeeded; a step's command runs in its own
//! process group, stopped whole on SIGINT/SIGTERM or its timeout. A stopped release is
//! resumed at the step that did not finish with [`resume`] (`git release continue`, or
//! `--skip` for a step finished by hand), or undone on its own branch with [`abort`].

mod byproducts;
mod checks;
mod commits;
mod control;
mod entries;
mod guard;
mod left;
mod lock;
mod next_version;
mod paths;
mod plan;
mod preflight;
mod request;
mod rerun;
mod section;
mod shared;
mod state;
mod steps;
mod summary;
mod unread;
mod window;

pub use control::{Continue, abort, remove_unfinished_writes, resume};
pub use lock::Lock;
pub use paths::{Changes, check_changes};
pub use plan::{
    CommandStep, NextVersionStep, Plan, PlanView, PlannedStep, StaleEntry, StepKind, plan_view,
};
pub use preflight::{plan_freeze, preflight};
pub use request::Request;
pub use state::{FORMAT as STATE_FORMAT, State, StepRecord, StepStatus, Writes, record_by_hand};
pub use steps::execute;
pub use summary::{FreezeCount, Summary};

/// Where a running release reports its progress (the command line prints it).
pub trait Reporter {
    /// Step `index` (1-based) of `total` starts.
    fn step(&self, index: usize, total: usize, name: &str);
    /// Something worth knowing.
    fn note(&self, message: &str);
    /// Something that may need the user's attention.
    fn warn(&self, message: &str);
}
