//! The user's editor as git chooses it, and git's index lock: what a command that will
//! open the review, or write through git, checks before anything changes.

use super::Repo;
use crate::error::{Error, Result};

/// The refusal when no editor is configured and there is no terminal to run vi in.
pub const NO_EDITOR: &str = "no terminal to open the review in, and no editor configured (git would \
     fall back to vi); pass --no-edit to skip the review, or set GIT_EDITOR (or core.editor) \
     to the editor to use";

impl Repo {
    /// The user's editor exactly as git chooses it (`git var GIT_EDITOR`: GIT_EDITOR,
    /// core.editor, VISUAL, EDITOR, then vi). It is a shell command line: run it as git does,
    /// `sh -c '<editor> "$@"' <editor> <file>`.
    ///
    /// With no editor configured and no usable terminal (`TERM` unset or `dumb`), git
    /// refuses to fall back to vi; so do we, saying what to do instead.
    pub fn editor(&self) -> Result<String> {
        match self.git(["var", "GIT_EDITOR"]) {
            Ok(out) => Ok(out.trim_end_matches(['\n', '\r']).to_string()),
            Err(_) if !self.editor_configured() => Err(Error::Refused(NO_EDITOR.into())),
            Err(e) => Err(e),
        }
    }

    /// The editor the review opens ([`Repo::editor`]), refused when the user configured
    /// none and there is no terminal for git's `vi` (stdin not a terminal, `TERM` unset or
    /// `dumb`): a configured editor is the user's choice and runs as it is (`GIT_EDITOR=true`,
    /// a `sed` script). The one place that decides whether a review can run here.
    pub fn review_editor(&self) -> Result<String> {
        use std::io::IsTerminal;
        if !self.editor_configured() {
            let term = std::env::var("TERM").unwrap_or_default();
            if term.is_empty() || term == "dumb" || !std::io::stdin().is_terminal() {
                return Err(Error::Refused(NO_EDITOR.into()));
            }
        }
        self.editor()
    }

    /// Whether the user chose an editor, rather than leaving git to fall back to vi: as
    /// git decides (`GIT_EDITOR`, `core.editor` — also from `git -c` —, `VISUAL` unless the
    /// terminal is dumb or unknown, `EDITOR`). The one place that decides.
    pub fn editor_configured(&self) -> bool {
        let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
        let dumb = std::env::var("TERM").map_or(true, |t| t.is_empty() || t == "dumb");
        set("GIT_EDITOR")
            || self
                .git_config("core.editor", false)
                .is_some_and(|e| !e.is_empty())
            || (set("VISUAL") && !dumb)
            || set("EDITOR")
    }

    /// git's index lock held by another process (or left by one that crashed) would make
    /// the first `git add` fail after files changed: refused before anything changes.
    pub fn check_no_index_lock(&self) -> Result<()> {
        let lock = self.git_dir().join("index.lock");
        if lock.symlink_metadata().is_ok() {
            return Err(Error::Refused(format!(
                "{} exists: another git process is working in this repository, or one stopped \
                 without cleaning up; when no git command is running, remove it (`rm {}`), \
                 then run again",
                lock.display(),
                crate::process::shell_quote(&lock.to_string_lossy())
            )));
        }
        Ok(())
    }
}
