//! The command line: clap definitions only (the man page, [`super::man`], is generated
//! from them).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use git_release::group::Strategy;

/// The epilogue of `--help`; the man page splits it into CONFIGURATION and EXAMPLES.
pub(crate) const AFTER_HELP: &str = "\
Examples:
  git release 26.2.0rc2            cut a pre-release: flat changelog section from changes/
  git release 26.2.0               cut the final release: fold 26.2.0rcN sections, group, review
  git release 26.2.0 26.2.3        ... and update the WebUI to 26.2.3 first
  git release build 26.2.0 --draft print the section towncrier would build
  git release consolidate --dry-run --format json
  git release rules learn > strategies/project.toml
  git release demo                 run a full final release in a throwaway repository

Configuration: [tool.towncrier] and [tool.git-release] in pyproject.toml (or towncrier.toml and
.git-release.toml). See the README for every key.";

/// Cut a release in one command: pre-flight checks, a release branch, the version file, a
/// towncrier-compatible changelog section built from news fragments, rc sections folded and
/// grouped for final releases, the project's own steps, and the release commits.
#[derive(Debug, Parser)]
#[command(
    name = "git-release",
    bin_name = "git release",
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = AFTER_HELP,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub release: ReleaseArgs,

    /// When to use colour: auto follows NO_COLOR, git's color.ui and whether stdout is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the changelog section from news fragments, exactly as towncrier would.
    ///
    /// Renders the project's Jinja2 template (or towncrier's default one) and inserts the section
    /// after `start_string` in the changelog, then removes the consumed fragments with git.
    Build(BuildArgs),

    /// Fold the rc sections of a final release into one section and group its entries.
    ///
    /// Takes the entries of every `## <VERSION>rcN` section plus the new fragments, removes
    /// duplicates and stale entries (already released), groups each configured category into
    /// `#### Subsection` blocks, opens the draft in your editor and writes it in place of the rc
    /// sections.
    Consolidate(ConsolidateArgs),

    /// Work with grouping rules files.
    #[command(subcommand)]
    Rules(RulesCommand),

    /// Run a full final release in a throwaway repository and show the result.
    ///
    /// The repository is built from data embedded in the binary: a small project with two rc
    /// sections, new fragments and a rules file. Nothing outside a temporary directory is touched.
    Demo(DemoArgs),

    /// Undo a stopped release: on its release branch, back to the base branch, release branch
    /// deleted, fragments restored, files it created removed. Refuses on any other branch.
    Abort,

    /// Resume a stopped release: the step that did not finish runs again (or, with --skip,
    /// is taken as done by hand), then the rest.
    Continue(ContinueArgs),

    /// Freeze the placeholder for VERSION now, as the release's freeze step does: the rules of
    /// `[freeze]`, every file at once, a leftover mention refused with nothing changed.
    ///
    /// The release runs it itself; this is the step done by hand (after a stopped release), or
    /// a freeze outside a release.
    Freeze(FreezeArgs),

    /// Install the manual page, so that `git release --help` (which runs `man
    /// git-release`) finds it.
    ///
    /// Writes `DIR/man1/git-release.1`. Without DIR, the page goes next to this binary:
    /// `<prefix>/share/man` for `<prefix>/bin/git-release` (`~/.cargo/share/man` after
    /// `cargo install`), where man looks for every `bin` directory on PATH.
    InstallManPages(InstallManPagesArgs),

    /// Print shell completions for bash, zsh or fish, for both `git release` and `git-release`.
    ///
    /// bash: `git release completions bash > ~/.local/share/bash-completion/completions/git-release`
    /// (git's own completion loads it for `git release <TAB>`), or `source <(git release
    /// completions bash)` in ~/.bashrc. zsh: write it as `_git-release` in a directory of
    /// `$fpath`. fish: `git release completions fish > ~/.config/fish/completions/git-release.fish`.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells completions are generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct FreezeArgs {
    /// The version the placeholder becomes (a final version).
    #[arg(value_name = "VERSION")]
    pub version: String,

    /// Show what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct InstallManPagesArgs {
    /// The manual directory to write into (it gets `man1/git-release.1`).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `git release <VERSION> [WEBUI_VERSION]`.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The version to release: PEP 440 (26.2.0, 26.2.0rc2, 1.0a1, 1.0.dev3, 1.0.post1) or SemVer
    /// (1.2.3, 1.2.3-rc.1). rc/a/b/dev/post versions are pre-releases; others are final.
    // The id differs from the field name: `version` is clap's own `--version` flag.
    #[arg(id = "release_version", value_name = "VERSION", required = true)]
    pub version: Option<String>,

    /// Also update the bundled WebUI to this version (runs the steps configured with
    /// `when = "webui"`, committed on their own).
    #[arg(value_name = "WEBUI_VERSION")]
    pub webui_version: Option<String>,

    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub yes: bool,

    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Release date written in the changelog (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,

    /// Skip the review of the consolidated section in the editor.
    #[arg(long)]
    pub no_edit: bool,

    /// Allow releasing a version that is not newer than the current one.
    #[arg(long)]
    pub allow_downgrade: bool,

    /// Release a final version without folding the pre-release the version file names
    /// (its changelog section is not found: moved to another file, or never written).
    #[arg(long)]
    pub allow_missing_rc: bool,

    #[command(flatten)]
    pub grouping: GroupingArgs,

    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
}

/// Grouping options shared by `consolidate` and the release command.
#[derive(Debug, Args, Clone, Default)]
pub struct GroupingArgs {
    /// How entries are grouped into subsections (default: the configured one, else auto).
    #[arg(long, value_name = "STRATEGY", value_parser = StrategyParser)]
    pub strategy: Option<Strategy>,

    /// The keyword rules file (TOML; see strategies/README.md).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// PR labels as JSON, in the shape `gh pr list --json number,labels` prints.
    #[arg(long, value_name = "FILE")]
    pub labels_from: Option<PathBuf>,

    /// The command the `command` strategy runs (`sh -c`, in the repository root): it reads
    /// the release as JSON on stdin and prints the grouping (see strategies/README.md).
    #[arg(long, value_name = "CMD")]
    pub command: Option<String>,

    /// Keep the rc sections below the final section instead of removing them.
    #[arg(long)]
    pub keep_rc: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The version to build (default: towncrier's `version`, else the VERSION file).
    #[arg(value_name = "VERSION")]
    pub version: Option<String>,

    /// The version to build, as towncrier's scripts pass it (`towncrier build --version X`):
    /// the same as the positional VERSION.
    #[arg(long = "version", value_name = "VERSION", conflicts_with = "version")]
    pub version_option: Option<String>,

    /// Print the section to stdout and write nothing.
    #[arg(long)]
    pub draft: bool,

    /// Release date (default: today, or SOURCE_DATE_EPOCH when set).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,

    /// Keep the consumed fragments instead of removing them.
    #[arg(long)]
    pub keep: bool,

    /// Accepted for towncrier's scripts (`towncrier build --yes`): `build` never asks.
    #[arg(long)]
    pub yes: bool,

    /// Project name for templates that show it (default: towncrier's `name`).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SectionFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct ConsolidateArgs {
    /// The final version (default: the VERSION file's base version).
    #[arg(value_name = "VERSION")]
    pub version: Option<String>,

    #[command(flatten)]
    pub grouping: GroupingArgs,

    /// Release date of the final section (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,

    /// Write the section without opening it in the editor.
    #[arg(long)]
    pub no_edit: bool,

    /// Print the section and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Output format for --dry-run.
    #[arg(long, value_enum, default_value_t = SectionFormat::Markdown)]
    pub format: SectionFormat,

    /// Reopen the draft kept from a review that did not validate.
    #[arg(long)]
    pub resume: bool,

    /// Leave the consumed fragments in place.
    #[arg(long)]
    pub keep_fragments: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print a rules file that reproduces the groups of the changelog's grouped final sections.
    Learn(LearnArgs),
}

#[derive(Debug, Args)]
pub struct LearnArgs {
    /// The changelog to learn from (default: the project's changelog).
    #[arg(long, value_name = "PATH")]
    pub changelog: Option<PathBuf>,

    /// Also learn from the file's earlier versions in git history.
    #[arg(long)]
    pub history: bool,

    /// Write the rules here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build the demo repository here (must not exist) and keep it.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ContinueArgs {
    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub yes: bool,

    /// The step that stopped was finished by hand: take it as done (a committing step still
    /// gets its commit) instead of running it again, then run the rest.
    #[arg(long)]
    pub skip: bool,

    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// `--strategy`: the library's [`Strategy`] (its `FromStr` gives the error message), with
/// its names as clap's possible values, for `--help` and completions.
#[derive(Debug, Clone, Copy)]
struct StrategyParser;

impl clap::builder::TypedValueParser for StrategyParser {
    type Value = Strategy;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Strategy, clap::Error> {
        value.to_string_lossy().parse().map_err(|e| {
            clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{e}\n")).with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Strategy::ALL
                .into_iter()
                .map(|s| clap::builder::PossibleValue::new(s.as_str())),
        ))
    }
}

/// The clap command, for the man page and completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks (duplicate ids, conflicting flags), which otherwise
    /// only fire at run time in debug builds.
    #[test]
    fn command_is_consistent() {
        super::command().debug_assert();
    }
}
