//! The throwaway demo repository.

use crate::cli::{Cli, DemoArgs};
use crate::error::Result;

pub fn run(_args: &DemoArgs, _cli: &Cli) -> Result<i32> {
    Err(crate::error::Error::Usage(
        "git release demo: not yet implemented".into(),
    ))
}
