//! Command dispatch: each subcommand becomes one library call; output and exit codes
//! are decided here.

use crate::cli::{Cli, Command};
use crate::error::Result;

/// Run the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    let name = match &cli.command {
        None => "release",
        Some(Command::Build(_)) => "build",
        Some(Command::Consolidate(_)) => "consolidate",
        Some(Command::Rules(_)) => "rules learn",
        Some(Command::Demo(_)) => "demo",
        Some(Command::Abort) => "abort",
        Some(Command::Continue(_)) => "continue",
    };
    eprintln!("git release {name}: not yet implemented");
    Ok(2)
}
