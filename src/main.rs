//! `git-release`: the command line. Parses the flags, runs the command, and turns the
//! outcome into an exit code (see `cli::exit_code`).

mod cli;

use clap::Parser;

fn main() {
    let args = cli::args::Cli::parse();
    let code = match cli::run(args) {
        Ok(code) => code,
        // `git release … | head`: the reader is gone, which is not an error (as ripgrep).
        Err(err) if cli::is_broken_pipe(&err) => 0,
        Err(err) => {
            eprintln!("error: {err}");
            cli::exit_code(&err)
        }
    };
    std::process::exit(code);
}
