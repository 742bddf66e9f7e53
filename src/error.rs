//! The library's one error type: each message says what went wrong, where, and what to do.

use std::path::PathBuf;

/// The forms accepted, quoted in every parse error.
pub const ACCEPTED_FORMS: &str = "PEP 440 (26.2.0, 26.2.0rc2, 25.1.0b1, 1.0a1, 1.0.dev3, 1.0.post1) \
     or SemVer (1.2.3, 1.2.3-rc.1)";

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{input}` is not a version: {reason}. Use {ACCEPTED_FORMS}.")]
    Version { input: String, reason: String },

    /// A version to release with a local label (PEP 440) or build metadata (SemVer).
    #[error(
        "`{input}` carries the local version label `+{label}`, and no release may, whatever \
         its kind (rc, final, post, dev): PyPI refuses a local version, and SemVer orders \
         `{public}+{label}` as `{public}` itself. Use `{public}`"
    )]
    LocalVersion {
        input: String,
        label: String,
        public: String,
    },

    /// A version after its base's final release (`1.4.0.post0`) while that final was never
    /// made: once it is out, the final (older) could never be released.
    #[error(
        "{version} comes after {base}'s final release, which was never made: no tag names \
         {base}, {} has no `{base}` section, and the version file says {current}. Once \
         {version} is out, {base} could never be released (it is older). Release {base} \
         first (`git release {base}`); if it was released without a tag or a section, tag \
         its commit (`git tag {base} <commit>`) and run again",
        changelog.display()
    )]
    FinalNotReleased {
        version: String,
        base: String,
        current: String,
        changelog: PathBuf,
    },

    /// A tag names a release of the same base at or after the version to release.
    #[error(
        "the tag `{tag}` exists: {tagged} was released, and {version} is not newer (the dev, \
         pre, final and post releases of {base} are made in version order); release a \
         version after {tagged}, or pass --allow-downgrade if this is intended (or delete the \
         tag, `git tag -d {tag}`, if it was made by mistake)"
    )]
    OlderThanTag {
        version: String,
        tag: String,
        tagged: String,
        base: String,
    },

    /// A changelog section names a release of the same base at or after the version.
    #[error(
        "{} has a `{section}` section: {section} was released, and {version} is not newer \
         (the dev, pre, final and post releases of {base} are made in version order); \
         release a version after {section}, or pass --allow-downgrade if this is intended",
        changelog.display()
    )]
    OlderThanSection {
        version: String,
        section: String,
        base: String,
        changelog: PathBuf,
    },

    /// A tag names a release at or after the next development version.
    #[error(
        "the tag `{tag}` exists: {tagged} was released, and the next development version \
         {next}, which this release would write to {file}, is not newer (development would \
         claim to lead to a release already made); set NEXT_DEV_VERSION to the version \
         development leads to (after {tagged}, e.g. {suggestion}), or delete the tag (`git tag \
         -d {tag}`) if it was made by mistake"
    )]
    NextVersionTagged {
        next: String,
        file: String,
        tag: String,
        tagged: String,
        suggestion: String,
    },

    #[error("{}: cannot read it as TOML:\n{message}", path.display())]
    ConfigSyntax { path: PathBuf, message: String },

    #[error("{}: `{key}` {message}", path.display())]
    Config {
        path: PathBuf,
        key: String,
        message: String,
    },

    #[error("{}: {message}", path.display())]
    Fragment { path: PathBuf, message: String },

    #[error(
        "{}: `{kind}` is not a fragment type of this project (known: {}). \
         Rename the file or add the type to [tool.towncrier].",
        path.display(), known.join(", ")
    )]
    UnknownFragmentType {
        path: PathBuf,
        kind: String,
        known: Vec<String>,
    },

    #[error("template {name}: {message}")]
    Template { name: String, message: String },

    #[error("{}:{line}: {message}", path.display())]
    Changelog {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("{}: {message}", path.display())]
    Rules { path: PathBuf, message: String },

    #[error("{}: {message}", path.display())]
    Labels { path: PathBuf, message: String },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("git: {0}")]
    Git(String),

    /// A pre-flight check failed; nothing was changed.
    #[error("{0}")]
    Refused(String),

    /// The draft opened in the editor did not validate; it is kept for `--resume`.
    #[error("{0}")]
    Review(String),

    #[error("{0}")]
    Usage(String),

    #[error("{message}")]
    Step { step: String, message: String },

    #[error("aborted: {0}")]
    Aborted(String),
}

/// The four outcomes a script can tell apart, one exit code each (documented in the README
/// and the man page; 0 is success).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Something went wrong that is not one of the others (an I/O or git error); the
    /// message says what and what state is left. Exit code 1.
    Failed,
    /// The command line itself is wrong: an unknown flag, a version or date that does not
    /// parse. Nothing was changed. Exit code 2 (as clap's own usage errors).
    Usage,
    /// A check refused to go on (pre-flight, configuration, changelog, fragments, review,
    /// a declined confirmation). Nothing was changed. Exit code 3.
    Refused,
    /// A release stopped part-way: its state is saved, and `git release continue` or
    /// `git release abort` finishes or undoes it. Exit code 4.
    Stopped,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 4] = [
        ErrorKind::Failed,
        ErrorKind::Usage,
        ErrorKind::Refused,
        ErrorKind::Stopped,
    ];

    /// What the exit code tells a script (the man page's EXIT STATUS).
    pub fn meaning(self) -> &'static str {
        match self {
            ErrorKind::Failed => {
                "something failed that is none of the below (an I/O or git error); the message says what and what state is left"
            }
            ErrorKind::Usage => {
                "the command line is wrong (an unknown flag, a version or date that does not parse); nothing was changed"
            }
            ErrorKind::Refused => {
                "a check refused to go on (pre-flight, configuration, changelog, fragments, review, a declined confirmation); nothing was changed"
            }
            ErrorKind::Stopped => {
                "a release stopped part-way: its state is saved; run `git release continue` or `git release abort`"
            }
        }
    }

    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Failed => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Refused => 3,
            ErrorKind::Stopped => 4,
        }
    }
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn config(
        path: impl Into<PathBuf>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Error {
        Error::Config {
            path: path.into(),
            key: key.into(),
            message: message.into(),
        }
    }

    pub fn changelog(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Error {
        Error::Changelog {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    /// What the error means for the user (and for the exit code): see [`ErrorKind`].
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Usage(_) | Error::Version { .. } | Error::LocalVersion { .. } => {
                ErrorKind::Usage
            }
            Error::Step { .. } => ErrorKind::Stopped,
            Error::ConfigSyntax { .. }
            | Error::Config { .. }
            | Error::Fragment { .. }
            | Error::UnknownFragmentType { .. }
            | Error::Template { .. }
            | Error::Changelog { .. }
            | Error::Rules { .. }
            | Error::Labels { .. }
            | Error::Refused(_)
            | Error::FinalNotReleased { .. }
            | Error::OlderThanTag { .. }
            | Error::OlderThanSection { .. }
            | Error::NextVersionTagged { .. }
            | Error::Review(_)
            | Error::Aborted(_) => ErrorKind::Refused,
            Error::Io { .. } | Error::Git(_) => ErrorKind::Failed,
        }
    }
}
