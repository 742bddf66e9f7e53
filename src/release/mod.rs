//! The whole release, from pre-flight to summary.
//!
//! Everything is checked before anything changes ([`preflight`]: version, version file,
//! clean tree, base branch, release branch, changelog, fragments, consolidation,
//! configured files). Then the steps run in order on a new `release/<version>` branch
//! ([`execute`]); their progress is kept in `.git/git-release/state.json`, so that a
//! failed step can be fixed and the rest resumed with [`resume`] (`git release continue`),
//! or everything undone with [`abort`] (`git release abort`).

mod plan;
mod preflight;
mod request;
mod state;
mod steps;
mod summary;

pub use plan::{Plan, PlanView, PlannedStep, StepKind, plan_view};
pub use preflight::preflight;
pub use request::Request;
pub use state::State;
pub use steps::{abort, execute, resume};
pub use summary::Summary;

/// Where a running release reports its progress (the command line prints it).
pub trait Reporter {
    /// Step `index` (1-based) of `total` starts.
    fn step(&self, index: usize, total: usize, name: &str);
    /// Something worth knowing.
    fn note(&self, message: &str);
    /// Something that may need the user's attention.
    fn warn(&self, message: &str);
}
