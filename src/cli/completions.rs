//! Shell completions, generated from the clap definitions (clap_complete), for the binary
//! (`git-release <TAB>`) and for git's subcommand convention (`git release <TAB>`).
//!
//! - bash: git's completion calls `_git_release` for `git release …` (and, when it is not
//!   defined yet, asks bash-completion to load the file named `git-release`). The function
//!   drops the words up to `release`, puts `git-release` in their place and hands the line
//!   to clap's completer.
//! - zsh: zsh's `_git` calls `_git-release` for `git release …`, with `release` as the
//!   first word, which is the shape clap's `_git-release` expects.
//! - fish: git's completion is told to complete `git release …` as `git-release …`.

use clap_complete::Shell as Generator;

use super::args::Shell;

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    match shell {
        // clap_complete's bash script names its state after the binary and, for a name with
        // a `-`, spells it two ways (subcommands then never complete); generated for
        // `git_release` it is consistent, and is then pointed at `git-release`.
        Shell::Bash => {
            generate(Generator::Bash, "git_release")
                .replace("_git_release() {", "_git_release_command() {")
                .replace(
                    "complete -F _git_release ",
                    "complete -F _git_release_command ",
                )
                .replace(" git_release\n", " git-release\n")
                + BASH_GIT
        }
        Shell::Zsh => generate(Generator::Zsh, "git-release"),
        Shell::Fish => generate(Generator::Fish, "git-release") + FISH_GIT,
    }
}

fn generate(generator: Generator, bin: &str) -> String {
    let mut cmd = super::args::command().bin_name(bin);
    let mut out = Vec::new();
    clap_complete::generate(generator, &mut cmd, bin, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `git release …` in bash, through git's completion.
const BASH_GIT: &str = r#"
# `git release <TAB>`: git's completion calls _git_release. Complete the words after
# `release` as the arguments of `git-release`.
_git_release() {
    local i at=-1
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ "${COMP_WORDS[i]}" == release ]]; then
            at=$i
            break
        fi
    done
    ((at < 0)) && return 0
    local COMP_WORDS=(git-release "${COMP_WORDS[@]:at+1}")
    local COMP_CWORD=$((COMP_CWORD - at))
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    _git_release_command git-release "$cur" "$prev"
}
"#;

/// `git release …` in fish, through git's completion.
const FISH_GIT: &str = r#"
# `git release <TAB>`: complete the words after `release` as the arguments of `git-release`.
function __git_release_complete
    set -l tokens (commandline -opc)
    set -l at (contains -i -- release $tokens)
    set -l rest
    if test (count $tokens) -gt $at
        set rest $tokens[(math $at + 1)..-1]
    end
    complete -C "git-release $rest "(commandline -ct)
end
complete -c git -n '__fish_seen_subcommand_from release' -f -a '(__git_release_complete)'
"#;
