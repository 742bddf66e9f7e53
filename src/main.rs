use clap::Parser;

fn main() {
    let cli = git_release::cli::Cli::parse();
    match git_release::app::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
