//! Shell completions: `git release <TAB>` through git's own completion (bash, fish), and
//! `git-release <TAB>` directly, run in the real shells.

use std::path::Path;
use std::process::Command;

use crate::util::{self, text};

fn script(shell: &str) -> String {
    let out = util::git_release(Path::new("."))
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// git's bash completion, where Debian puts it.
const GIT_BASH_COMPLETION: &str = "/usr/share/bash-completion/completions/git";

/// What bash offers for each line (the cursor at its end), completing through git's
/// completion when it is installed (as a user's `git release <TAB>` does), else through
/// `_git_release` the way git's completion calls it.
fn bash_complete(lines: &[&str]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("git-release.bash");
    std::fs::write(&ours, script("bash")).unwrap();
    let through_git = Path::new(GIT_BASH_COMPLETION).is_file();
    let mut program = String::new();
    if through_git {
        program.push_str(&format!("source {GIT_BASH_COMPLETION}\n"));
    }
    program.push_str(&format!("source {}\n", ours.display()));
    program.push_str(&format!(
        r#"complete_line() {{
    COMP_LINE="$1"; COMP_POINT=${{#COMP_LINE}}
    read -ra COMP_WORDS <<< "$COMP_LINE"
    [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
    COMPREPLY=()
    if [[ "${{COMP_WORDS[0]}}" == git ]]; then {}; else _git_release_command git-release "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"; fi
    printf '%s ' "${{COMPREPLY[@]}}"; echo
}}
"#,
        if through_git {
            "__git_wrap__git_main"
        } else {
            "_git_release"
        }
    ));
    for line in lines {
        program.push_str(&format!("complete_line '{line}'\n"));
    }
    let out = Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(&program)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn bash_completes_git_release_and_git_dash_release() {
    let got = bash_complete(&[
        "git release --dr",
        "git release bu",
        "git -C somewhere release consolidate --str",
        "git release consolidate --strategy ",
        "git release completions ",
        "git-release consolidate --keep-f",
        "git release build --draft --da",
    ]);
    let expect: &[&[&str]] = &[
        &["--dry-run"],
        &["build"],
        &["--strategy"],
        &["auto", "rules", "similarity", "labels"],
        &["bash", "zsh", "fish"],
        &["--keep-fragments"],
        &["--date"],
    ];
    for (got, want) in got.iter().zip(expect) {
        for w in *want {
            assert!(got.iter().any(|g| g == w), "{w} not offered: {got:?}");
        }
    }
    assert_eq!(got.len(), expect.len());
}

#[test]
fn fish_completes_git_release_and_git_dash_release() {
    if !has("fish") {
        eprintln!("fish is not installed: its completions were not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("git-release.fish");
    std::fs::write(&ours, script("fish")).unwrap();
    let out = Command::new("fish")
        .arg("--no-config")
        .arg("-c")
        .arg(format!(
            "source {}; complete -C 'git release --dr'; echo ---; \
             complete -C 'git -C x release consolidate --str'; echo ---; \
             complete -C 'git-release consolidate --strategy '",
            ours.display()
        ))
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    let parts: Vec<&str> = stdout.split("---\n").collect();
    assert_eq!(parts.len(), 3, "{stdout}\n{}", text(&out.stderr));
    assert!(parts[0].starts_with("--dry-run"), "{stdout}");
    assert!(parts[1].starts_with("--strategy"), "{stdout}");
    for s in ["auto", "rules", "similarity", "labels"] {
        assert!(parts[2].lines().any(|l| l == s), "{s}: {stdout}");
    }
}

#[test]
fn zsh_defines_the_function_zshs_git_calls() {
    let zsh = script("zsh");
    assert!(zsh.starts_with("#compdef git-release"), "{zsh}");
    if !has("zsh") {
        eprintln!("zsh is not installed: its completion was not loaded");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("_git-release");
    std::fs::write(&ours, zsh).unwrap();
    // zsh's `_git` completes `git release …` by calling `_git-release`.
    let out = Command::new("zsh")
        .arg("-f")
        .arg("-c")
        .arg(format!(
            "autoload -U compinit && compinit -u -D && source {} && (( $+functions[_git-release] )) && echo defined",
            ours.display()
        ))
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout).trim(), "defined", "{}", text(&out.stderr));
}
