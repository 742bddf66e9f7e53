//! The binary's side: clap definitions ([`args`]), one function per command
//! ([`commands`]), terminal output ([`term`], [`output`]), the demo and the man page.
//! Everything here turns flags into library calls and results into text; decisions live
//! in the library.

pub mod args;
mod commands;
mod completions;
mod demo;
mod man;
mod output;
mod term;

use git_release::Error;

pub use commands::run;

/// The exit code for an error (see [`git_release::ErrorKind`]).
pub fn exit_code(err: &Error) -> i32 {
    err.kind().exit_code()
}

/// Whether the error is a write to a closed pipe (`git release … | head -1`).
pub fn is_broken_pipe(err: &Error) -> bool {
    matches!(err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}
