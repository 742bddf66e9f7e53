//! Terminal output: colour and progress that respect `NO_COLOR`, `--color`, git's
//! `color.ui` and pipes.
//!
//! Whether to colour is decided once, per stream, in this order:
//!
//! 1. `--color always` / `--color never` wins.
//! 2. git's `color.ui`: `always` forces colour, `never` / `false` (and git's other false
//!    spellings) disables it; `auto`, `true` or an unknown value defer to the next rules.
//!    A configuration file overrides `NO_COLOR`, as the NO_COLOR convention asks.
//! 3. `NO_COLOR` set to any non-empty value disables colour.
//! 4. Otherwise colour only a terminal whose `TERM` is not `dumb`, as git does.
//!
//! stdout and stderr are decided separately (`git release … | less` still gets coloured
//! warnings on the terminal). Steps, warnings, notes, questions and progress go to stderr,
//! so stdout carries only the command's result (text or JSON). The progress animation
//! (a status line redrawn in place) needs both stdout and stderr on a terminal that is not
//! `dumb`, whatever the colour choice.

use std::fmt::Display;
use std::io::{self, BufRead, IsTerminal, Write};

use git_release::error::{Error, Result};

use super::args::ColorChoice;

/// The message of the error `confirm` returns when it cannot ask.
pub const NOT_A_TERMINAL: &str = "stdin is not a terminal; re-run with --yes to confirm";

/// What the decisions depend on besides the flag and the git config: read from the process
/// by [`TermEnv::from_process`], or given in full by tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermEnv {
    /// The value of `NO_COLOR`, if set.
    pub no_color: Option<String>,
    /// The value of `TERM`, if set.
    pub term: Option<String>,
    pub stdin_is_tty: bool,
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
}

impl TermEnv {
    pub fn from_process() -> TermEnv {
        let var = |name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        TermEnv {
            no_color: var("NO_COLOR"),
            term: var("TERM"),
            stdin_is_tty: io::stdin().is_terminal(),
            stdout_is_tty: io::stdout().is_terminal(),
            stderr_is_tty: io::stderr().is_terminal(),
        }
    }

    fn dumb(&self) -> bool {
        self.term.as_deref() == Some("dumb")
    }
}

/// git's reading of a `color.ui` value (`git_config_colorbool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColorUi {
    Always,
    Never,
    Auto,
}

fn parse_color_ui(value: &str) -> ColorUi {
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "always" => ColorUi::Always,
        "never" | "false" | "no" | "off" | "0" => ColorUi::Never,
        // "auto", and git's true spellings ("true", "yes", "on", "1", a bare key), which
        // have meant auto since git 1.8.4; an unknown value is left to the other rules.
        _ => ColorUi::Auto,
    }
}

/// Whether to colour a stream that is (`is_tty`) or is not a terminal; see the module doc
/// for the order of the rules.
pub fn use_color(
    choice: ColorChoice,
    color_ui: Option<&str>,
    no_color: Option<&str>,
    term: Option<&str>,
    is_tty: bool,
) -> bool {
    match choice {
        ColorChoice::Always => return true,
        ColorChoice::Never => return false,
        ColorChoice::Auto => {}
    }
    match color_ui.map(parse_color_ui) {
        Some(ColorUi::Always) => return true,
        Some(ColorUi::Never) => return false,
        Some(ColorUi::Auto) | None => {}
    }
    if no_color.is_some_and(|v| !v.is_empty()) {
        return false;
    }
    is_tty && term != Some("dumb")
}

/// Styles text for one stream, or leaves it alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    enabled: bool,
}

impl Paint {
    pub fn new(enabled: bool) -> Paint {
        Paint { enabled }
    }

    fn style(&self, code: &str, text: impl Display) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn bold(&self, text: impl Display) -> String {
        self.style("1", text)
    }

    pub fn dim(&self, text: impl Display) -> String {
        self.style("2", text)
    }
}

/// The terminal: colour decisions for stdout and stderr, progress, and questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    out: Paint,
    err: Paint,
    progress: bool,
    interactive: bool,
}

impl Term {
    /// Decide from the flag, git's `color.ui` (pass `repo.config_string("color.ui")`) and the
    /// process: `NO_COLOR`, `TERM` and which standard streams are terminals.
    pub fn new(choice: ColorChoice, color_ui: Option<String>) -> Term {
        Term::with_env(choice, color_ui.as_deref(), &TermEnv::from_process())
    }

    /// [`Term::new`] with the environment given instead of read.
    pub fn with_env(choice: ColorChoice, color_ui: Option<&str>, env: &TermEnv) -> Term {
        let decide = |is_tty| {
            use_color(
                choice,
                color_ui,
                env.no_color.as_deref(),
                env.term.as_deref(),
                is_tty,
            )
        };
        Term {
            out: Paint::new(decide(env.stdout_is_tty)),
            err: Paint::new(decide(env.stderr_is_tty)),
            progress: env.stdout_is_tty && env.stderr_is_tty && !env.dumb(),
            interactive: env.stdin_is_tty,
        }
    }

    pub fn bold(&self, text: impl Display) -> String {
        self.out.bold(text)
    }

    /// `[3/9] Update VERSION`, styled for stderr.
    pub fn step_line(&self, n: usize, total: usize, name: &str) -> String {
        let width = total.to_string().len();
        format!(
            "{} {}",
            self.err.dim(format!("[{n:>width$}/{total}]")),
            self.err.bold(name)
        )
    }

    /// Announce step `n` of `total` of the release workflow on stderr.
    pub fn step(&self, n: usize, total: usize, name: &str) {
        self.clear_status();
        say!("{}", self.step_line(n, total, name));
    }

    /// `warning: …`, styled for stderr.
    pub fn warn_line(&self, msg: &str) -> String {
        format!("{} {msg}", self.err.style("1;33", "warning:"))
    }

    /// Print a warning on stderr.
    pub fn warn(&self, msg: &str) {
        self.clear_status();
        say!("{}", self.warn_line(msg));
    }

    /// `note: …`, styled for stderr.
    pub fn note_line(&self, msg: &str) -> String {
        format!("{} {msg}", self.err.dim("note:"))
    }

    /// Print a note on stderr.
    pub fn note(&self, msg: &str) {
        self.clear_status();
        say!("{}", self.note_line(msg));
    }

    /// Erase the status line drawn by [`Term::status`], if any.
    pub fn clear_status(&self) {
        if self.progress {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }

    /// Ask a y/N question on the terminal: `true` only for `y` or `yes`. When stdin is not a
    /// terminal this is `Error::Refused` ([`NOT_A_TERMINAL`]) rather than a guess.
    pub fn confirm(&self, question: &str) -> Result<bool> {
        if !self.interactive {
            return Err(Error::Refused(NOT_A_TERMINAL.to_string()));
        }
        self.clear_status();
        let stdin = io::stdin();
        ask(question, &mut stdin.lock(), &mut io::stderr()).map_err(|e| Error::io("<stdin>", e))
    }
}

/// Write `question [y/N] ` to `output`, read one line from `input`: `y`/`yes` (any case) is
/// yes; anything else, end of input included, is no.
pub fn ask(question: &str, input: &mut dyn BufRead, output: &mut dyn Write) -> io::Result<bool> {
    write!(output, "{question} [y/N] ")?;
    output.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        writeln!(output)?;
        return Ok(false);
    }
    let answer = line.trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes")
}

impl git_release::release::Reporter for Term {
    fn step(&self, index: usize, total: usize, name: &str) {
        Term::step(self, index, total, name);
    }

    fn note(&self, message: &str) {
        Term::note(self, message);
    }

    fn warn(&self, message: &str) {
        Term::warn(self, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColorChoice::{Always, Auto, Never};

    fn env(no_color: Option<&str>, term: Option<&str>, tty: bool) -> TermEnv {
        TermEnv {
            no_color: no_color.map(str::to_string),
            term: term.map(str::to_string),
            stdin_is_tty: tty,
            stdout_is_tty: tty,
            stderr_is_tty: tty,
        }
    }

    const XTERM: Option<&str> = Some("xterm-256color");

    #[test]
    fn auto_colours_a_terminal_only() {
        assert!(use_color(Auto, None, None, XTERM, true));
        assert!(!use_color(Auto, None, None, XTERM, false));
        assert!(use_color(Auto, None, None, None, true), "TERM unset");
        assert!(!use_color(Auto, None, None, Some("dumb"), true));
    }

    #[test]
    fn the_flag_wins() {
        for ui in [None, Some("always"), Some("never"), Some("false")] {
            for no_color in [None, Some("1")] {
                for tty in [true, false] {
                    assert!(use_color(Always, ui, no_color, Some("dumb"), tty));
                    assert!(!use_color(Never, ui, no_color, XTERM, tty));
                }
            }
        }
    }

    #[test]
    fn no_color_needs_a_non_empty_value() {
        assert!(!use_color(Auto, None, Some("1"), XTERM, true));
        assert!(
            !use_color(Auto, None, Some("false"), XTERM, true),
            "any value"
        );
        assert!(use_color(Auto, None, Some(""), XTERM, true));
        assert!(!use_color(Auto, Some("auto"), Some("1"), XTERM, true));
        assert!(!use_color(Auto, Some("true"), Some("1"), XTERM, true));
    }

    #[test]
    fn color_ui() {
        for never in ["never", "false", "False", "no", "off", "0"] {
            assert!(!use_color(Auto, Some(never), None, XTERM, true), "{never}");
        }
        // always forces, even on a pipe, and as a config file it beats NO_COLOR.
        assert!(use_color(Auto, Some("always"), None, XTERM, false));
        assert!(use_color(
            Auto,
            Some("Always"),
            Some("1"),
            Some("dumb"),
            false
        ));
        for auto in ["auto", "true", "yes", "on", "1", "", "bogus"] {
            assert!(use_color(Auto, Some(auto), None, XTERM, true), "{auto}");
            assert!(!use_color(Auto, Some(auto), None, XTERM, false), "{auto}");
        }
    }

    #[test]
    fn streams_are_decided_separately() {
        let mut e = env(None, XTERM, true);
        e.stdout_is_tty = false;
        let t = Term::with_env(Auto, None, &e);
        assert!(!t.out.enabled);
        assert!(!t.out.enabled);
        assert!(t.err.enabled);
        assert!(!t.progress, "no animation when stdout is piped");

        let t = Term::with_env(Always, None, &env(None, None, false));
        assert!(t.out.enabled && t.err.enabled);
    }

    #[test]
    fn progress_needs_terminals_not_colour() {
        assert!(Term::with_env(Never, None, &env(Some("1"), XTERM, true)).progress);
        assert!(!Term::with_env(Always, None, &env(None, XTERM, false)).progress);
        assert!(!Term::with_env(Auto, None, &env(None, Some("dumb"), true)).progress);
        let mut e = env(None, XTERM, true);
        e.stderr_is_tty = false;
        assert!(!Term::with_env(Auto, None, &e).progress);
    }

    #[test]
    fn plain_is_plain() {
        let t = Term::with_env(ColorChoice::Never, None, &TermEnv::default());
        assert!(!t.out.enabled && !t.err.enabled && !t.progress && !t.interactive);
        assert_eq!(t.bold("x"), "x");
        assert_eq!(t.step_line(3, 9, "Update VERSION"), "[3/9] Update VERSION");
        assert_eq!(t.step_line(3, 12, "Build"), "[ 3/12] Build");
        assert_eq!(t.warn_line("stale entry"), "warning: stale entry");
        assert_eq!(t.note_line("kept rc sections"), "note: kept rc sections");
    }

    #[test]
    fn styles() {
        let p = Paint::new(true);
        assert_eq!(p.bold("a"), "\x1b[1ma\x1b[0m");
        assert_eq!(p.dim("a"), "\x1b[2ma\x1b[0m");
        let off = Paint::new(false);
        assert_eq!(off.bold(42), "42");

        let t = Term::with_env(Always, None, &env(None, None, false));
        assert_eq!(
            t.step_line(1, 2, "Go"),
            "\x1b[2m[1/2]\x1b[0m \x1b[1mGo\x1b[0m"
        );
        assert_eq!(t.warn_line("w"), "\x1b[1;33mwarning:\x1b[0m w");
    }

    #[test]
    fn confirm_refuses_without_a_terminal() {
        let t = Term::with_env(Auto, None, &env(None, XTERM, false));
        let err = t.confirm("Cut release 1.0?").unwrap_err();
        assert!(matches!(err, Error::Refused(_)), "{err:?}");
        assert_eq!(err.to_string(), NOT_A_TERMINAL);
    }

    #[test]
    fn ask_reads_one_answer() {
        let cases: [(&[u8], bool); 8] = [
            (b"y\n", true),
            (b"YES\n", true),
            (b"  yes  \r\n", true),
            (b"n\n", false),
            (b"\n", false),
            (b"yep\n", false),
            (b"", false),
            (b"y", true),
        ];
        for (input, expected) in cases {
            let mut out = Vec::new();
            let got = ask("Go?", &mut &input[..], &mut out).unwrap();
            assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(input));
            assert!(out.starts_with(b"Go? [y/N] "));
        }
    }
}
