//! The binary's side: clap definitions ([`args`]), one function per command
//! ([`commands`]), terminal output ([`term`], [`output`]), the demo and the man page.
//! Everything here turns flags into library calls and results into text; decisions live
//! in the library.

pub mod args;
mod commands;
mod demo;
mod man;
mod output;
mod term;

use git_release::Error;

pub use commands::run;

/// The exit code for an error: 2 for usage errors (like clap's own), 1 otherwise.
pub fn exit_code(err: &Error) -> i32 {
    match err {
        Error::Usage(_) => 2,
        _ => 1,
    }
}

/// Whether the error is a write to a closed pipe (`git release … | head -1`).
pub fn is_broken_pipe(err: &Error) -> bool {
    matches!(err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}
