//! The man page, `git-release(1)`, generated from the clap definitions in [`super::args`],
//! and `git release install-man-pages`, which puts it where `man` looks.
//!
//! `git release --help` makes git run `man git-release`, and man-db finds pages in
//! `<prefix>/share/man` for every `<prefix>/bin` on `PATH`: so the page goes next to the
//! running binary (`~/.cargo/bin/git-release` → `~/.cargo/share/man/man1/git-release.1`).
//! The repository keeps a copy in `man/man1/git-release.1`; a test fails while it is stale.

use std::path::PathBuf;

use git_release::error::{Error, Result};

use super::args::InstallManPagesArgs;

/// Where the man page lives in the repository.
#[cfg(test)]
const PATH: &str = "man/man1/git-release.1";
/// The command that rewrites it.
#[cfg(test)]
const REGENERATE: &str = "cargo run -- install-man-pages man";

/// The one-line summary of the man page's NAME section.
const SUMMARY: &str = "cut towncrier-style releases in one command";

/// The whole man page, `git-release(1)`: the release command, then a subsection for each
/// command (`build`, `consolidate`, `rules learn`…) with its synopsis, description and
/// options, then configuration, examples and the version.
///
/// clap_mangen renders one command per page and points at `git-release-build(1)` and so
/// on for subcommands, but `git help release` only opens `git-release(1)`; so each
/// command's synopsis, description and options are rendered with clap_mangen and placed
/// under a `.SS` subsection of COMMANDS instead. The date is left empty so that the page
/// only changes when the command line (or the version, in its footer) does.
pub fn render(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap_mangen::roff::{Roff, bold, italic, roman};

    let mut cmd = super::args::command().disable_help_subcommand(true);
    cmd.build();
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let top = clap_mangen::Man::new(cmd.clone().about(SUMMARY).long_about(format!("{about}.")));
    let leaves = leaf_commands(&cmd, Vec::new());
    let mut page = String::new();
    let render = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| -> std::io::Result<String> {
        let mut buf = Vec::new();
        f(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    let roff = |r: &Roff| render(&|w| r.to_writer(w));

    // clap_mangen writes an empty date unquoted, which shifts the source and manual.
    let mut head = Roff::new();
    head.control(
        "TH",
        [
            "GIT-RELEASE",
            "1",
            "\"\"",
            &format!("git-release {}", env!("CARGO_PKG_VERSION")),
            "Git Manual",
        ],
    );
    page += &roff(&head)?;
    page += &render(&|w| top.render_name_section(w))?;

    // One synopsis line per command, as git's own pages do.
    let mut synopsis = Roff::new();
    synopsis.control("SH", ["SYNOPSIS"]).control("nf", []);
    for (path, c) in std::iter::once((Vec::new(), &cmd)).chain(leaves.iter().cloned()) {
        let mut line = vec![bold(
            std::iter::once("git release".to_string())
                .chain(path)
                .collect::<Vec<_>>()
                .join(" "),
        )];
        // `--color`, `--help` and `--version` alone do not make a command take options.
        let visible = |a: &&clap::Arg| {
            !a.is_hide_set()
                && !a.is_global_set()
                && !matches!(
                    a.get_action(),
                    clap::ArgAction::Help
                        | clap::ArgAction::HelpShort
                        | clap::ArgAction::HelpLong
                        | clap::ArgAction::Version
                )
        };
        if c.get_arguments()
            .filter(visible)
            .any(|a| !a.is_positional())
        {
            line.extend([roman(" ["), italic("OPTIONS"), roman("]")]);
        }
        for p in c.get_positionals().filter(visible) {
            let (l, r) = if p.is_required_set() {
                ("<", ">")
            } else {
                ("[", "]")
            };
            let name = p
                .get_value_names()
                .map_or(p.get_id().to_string(), |v| v.join(" "));
            line.extend([roman(format!(" {l}")), italic(name), roman(r)]);
        }
        synopsis.text(line);
    }
    synopsis.control("fi", []);
    page += &roff(&synopsis)?;
    page += &render(&|w| top.render_description_section(w))?;
    page += &render(&|w| top.render_options_section(w))?;

    let mut commands = Roff::new();
    commands.control("SH", ["COMMANDS"]);
    page += &roff(&commands)?;
    for (path, sub) in &leaves {
        // `--color` and `--help` are the same for every command: documented once, above.
        let sub = (*sub)
            .clone()
            .mut_arg("color", |a| a.hide(true))
            .mut_arg("help", |a| a.hide(true));
        let man = clap_mangen::Man::new(sub.clone());
        let mut heading = Roff::new();
        heading.control("SS", [format!("git release {}", path.join(" ")).as_str()]);
        let mut section = roff(&heading)?;
        section += &render(&|w| man.render_synopsis_section(w))?;
        section += ".PP\n";
        section += &render(&|w| man.render_description_section(w))?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            section += &render(&|w| man.render_options_section(w))?;
        }
        // The sections clap_mangen opens become part of this subsection.
        for line in section.lines().filter(|l| !l.starts_with(".SH ")) {
            page += line;
            page.push('\n');
        }
    }

    // The help's epilogue: where configuration lives, and the examples in their columns.
    let (examples, configuration) = super::args::AFTER_HELP
        .split_once("\n\n")
        .unwrap_or((super::args::AFTER_HELP, ""));
    let mut tail = Roff::new();
    tail.control("SH", ["CONFIGURATION"]);
    let configuration = configuration.trim_start_matches("Configuration:").trim();
    tail.text([roman(configuration.replace('\n', " "))]);
    tail.control("SH", ["EXAMPLES"]);
    let examples: Vec<&str> = examples.lines().skip(1).map(str::trim).collect();
    // The explanations start in one column, whatever the width of the command before them.
    let column = examples
        .first()
        .and_then(|first| {
            let gap = first.find("  ")?;
            Some(gap + first[gap..].find(|c: char| c != ' ')?)
        })
        .unwrap_or(usize::MAX);
    for line in examples {
        let (example, what) = match line.get(column - 1..column) {
            Some(" ") => line.split_at(column),
            _ => (line, ""),
        };
        tail.control("TP", []);
        tail.text([bold(example.trim_end())]);
        if !what.is_empty() {
            tail.text([roman(what)]);
        }
    }
    tail.control("SH", ["EXIT STATUS"]);
    tail.control("TP", []);
    tail.text([bold("0")]);
    tail.text([roman("success")]);
    for kind in git_release::ErrorKind::ALL {
        tail.control("TP", []);
        tail.text([bold(kind.exit_code().to_string())]);
        tail.text([roman(kind.meaning())]);
    }
    tail.control("SH", ["SEE ALSO"]);
    tail.text([bold("git"), roman("(1), "), bold("towncrier"), roman("(1)")]);
    page += &roff(&tail)?;
    page += &render(&|w| top.render_version_section(w))?;

    out.write_all(tidy_roff(&page).as_bytes())
}

/// `git release install-man-pages [DIR]`: write `DIR/man1/git-release.1`; without `DIR`,
/// next to the running binary (`<prefix>/bin/git-release` → `<prefix>/share/man`).
pub fn install(args: &InstallManPagesArgs) -> Result<i32> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => default_dir()?,
    };
    let mut page = Vec::new();
    render(&mut page).map_err(|e| Error::io("<man page>", e))?;
    let path = dir.join("man1").join("git-release.1");
    for d in [dir.as_path(), &dir.join("man1")] {
        if let Some(target) = dangling(d) {
            return Err(Error::Refused(format!(
                "{} is a symlink to {}, which does not exist; create that directory, or \
                 remove the link (or give another directory), then run this again. Nothing \
                 was written",
                d.display(),
                target.display()
            )));
        }
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    // A link is written through only to a page of ours (a stow or package manager's
    // layout), never to another file it happens to name.
    let target = git_release::atomic::write_target(&path)?;
    if target != path && target.file_name() != path.file_name() {
        return Err(Error::Refused(format!(
            "{} is a symlink to {}, which is not a git-release.1 page; remove the link (or \
             give another directory), then run this again. Nothing was written",
            path.display(),
            target.display()
        )));
    }
    git_release::atomic::write(&path, &page)?;
    say!("Wrote {}", path.display());
    Ok(0)
}

/// Where `path` leads when it is a symlink to nothing (a directory cannot be made there).
pub(super) fn dangling(path: &std::path::Path) -> Option<PathBuf> {
    let link = path.symlink_metadata().ok()?.file_type().is_symlink();
    (link && !path.exists()).then(|| std::fs::read_link(path).unwrap_or_default())
}

/// `<prefix>/share/man` for the running binary in `<prefix>/bin`.
fn default_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| Error::io("<the running binary>", e))?;
    let exe = exe.canonicalize().unwrap_or(exe);
    // man finds `<prefix>/share/man` only for a `<prefix>/bin` on PATH: a binary anywhere
    // else (a download directory, a build tree) has no prefix to write under.
    exe.parent()
        .filter(|dir| dir.file_name().is_some_and(|n| n == "bin"))
        .and_then(|bin| bin.parent())
        .map(|prefix| prefix.join("share").join("man"))
        .ok_or_else(|| {
            Error::Usage(format!(
                "{} is not in a `bin` directory, so there is no installation prefix whose \
                 `share/man` man would search; give the directory: `git release \
                 install-man-pages ~/.local/share/man`",
                exe.display()
            ))
        })
}

/// The commands that do something (`rules` only groups `rules learn`), with their path.
fn leaf_commands(cmd: &clap::Command, path: Vec<String>) -> Vec<(Vec<String>, &clap::Command)> {
    let mut out = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut p = path.clone();
        p.push(sub.get_name().to_string());
        if sub.has_subcommands() {
            out.extend(leaf_commands(sub, p));
        } else {
            out.push((p, sub));
        }
    }
    out
}

/// Every piece roff renders starts with the same apostrophe preamble: keep the first.
/// Code spans in help texts (`` `start_string` ``) are set in bold.
fn tidy_roff(page: &str) -> String {
    let mut out = String::new();
    let mut preamble_seen = false;
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if line.starts_with(".ie \\n(.g .ds Aq") {
            let el = lines.next();
            if !preamble_seen {
                out.push_str(line);
                out.push('\n');
                out.push_str(el.unwrap_or_default());
                out.push('\n');
                preamble_seen = true;
            }
            continue;
        }
        if !line.starts_with('.') && line.matches('`').count() % 2 == 0 {
            let mut bold = false;
            for part in line.split('`') {
                out.push_str(part);
                out.push_str(if bold { "\\fR" } else { "\\fB" });
                bold = !bold;
            }
            // One `\fB` too many after the last part.
            out.truncate(out.len() - 3);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn man_page_is_up_to_date() {
        let mut rendered = Vec::new();
        render(&mut rendered).expect("the man page renders");
        let rendered = String::from_utf8(rendered).expect("UTF-8");
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PATH);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != rendered {
            let line = committed
                .lines()
                .zip(rendered.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(rendered.lines().count()))
                + 1;
            panic!(
                "{} does not match the clap definitions (first difference at line {line}). \
                 Regenerate it with `{}` and commit the result.",
                PATH, REGENERATE
            );
        }
    }

    #[test]
    fn man_page_documents_every_command_and_option() {
        let mut rendered = Vec::new();
        render(&mut rendered).unwrap();
        let page = String::from_utf8(rendered).unwrap();
        for heading in [
            "git release build",
            "git release consolidate",
            "git release rules learn",
            "git release demo",
            "git release abort",
            "git release continue",
        ] {
            assert!(
                page.contains(&format!(".SS \"{heading}\"")),
                "no section for {heading}"
            );
        }
        // Every long option of every command appears (roff escapes `-` as `\-`).
        fn walk(cmd: &clap::Command, page: &str) {
            for arg in cmd.get_arguments() {
                if let Some(long) = arg.get_long() {
                    let roff = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
                    assert!(
                        page.contains(&roff),
                        "--{long} of {} missing",
                        cmd.get_name()
                    );
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, page);
            }
        }
        walk(&super::super::args::command(), &page);
        assert_eq!(page.matches(".TH ").count(), 1);
        assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH GIT-RELEASE 1 \"\" "));
    }
}
