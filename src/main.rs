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

/// mimalloc's `mi_option_purge_delay`: its place in mimalloc 3's `mi_option_t` (the
/// `mimalloc` crate does not name it; `purge_delay_is_the_option_set_here` checks the
/// place by its default).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    #[cfg(test)]
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
}

use clap::Parser;

fn main() {
    // Freed memory is reused within the process but not handed back to the system (its
    // peak stays what it was): a run lasts milliseconds to minutes, and handing pages back,
    // at the end above all, was half a millisecond of a dry run's CPU in mimalloc's exit.
    // SAFETY: `mi_option_set` takes any option and value; this one is read when purging.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_the_option_set_here() {
        // mimalloc 3's default purge delay (`options.c`): another option at this place
        // would have another default.
        // SAFETY: reading an option.
        assert_eq!(unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }, 1000);
    }
}
