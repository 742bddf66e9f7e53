//! `git-release`: the command line. Parses the flags, runs the command, and turns the
//! outcome into an exit code (see `cli::exit_code`).

/// `eprintln!` that never panics: with stderr closed (`git release … 2>&1 | head -1`) a
/// message is lost, not the release. Everything the binary writes to stderr goes through it.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// [`say!`] without the newline.
macro_rules! say_more {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;

/// mimalloc rather than the C library's allocator: grouping builds many small strings and
/// maps (every word of every entry of the changelog's history), and a dry run of a final
/// release spent a fifth of its planning time in glibc's malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() {
    let args = cli::args::Cli::parse();
    let code = match cli::run(args) {
        Ok(code) => code,
        // `git release … | head`: the reader is gone, which is not an error (as ripgrep).
        Err(err) if cli::is_broken_pipe(&err) => 0,
        Err(err) => {
            say!("error: {err}");
            cli::exit_code(&err)
        }
    };
    std::process::exit(code);
}
