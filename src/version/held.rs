//! Where a file holds its version, read and written in one place: the whole file (a
//! `VERSION` file), or the capture group of a pattern (`__version__ = "(…)"` in a package's
//! `__init__.py`, `[project] version` in `pyproject.toml`, a configured `version-pattern`).
//! A release writes the version there and keeps every other byte of the file.

use std::ops::Range;

use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Version;

/// A regular expression finding the version in a file: its `version` group
/// (`(?P<version>…)`), else its only capture group.
#[derive(Debug, Clone)]
pub struct VersionPattern {
    regex: Regex,
    group: usize,
}

impl VersionPattern {
    /// The pattern, or why it cannot find a version (said after the key that holds it).
    pub fn new(pattern: &str) -> Result<VersionPattern, String> {
        let regex =
            Regex::new(pattern).map_err(|e| format!("is not a valid regular expression: {e}"))?;
        let named = regex.capture_names().position(|n| n == Some("version"));
        let group = match named {
            Some(i) => i,
            None if regex.captures_len() == 2 => 1,
            None => {
                return Err(format!(
                    "= '{pattern}' needs one capture group around the version (or a \
                     `(?P<version>...)` group among several), as in \
                     `__version__ = \"([^\"]+)\"`"
                ));
            }
        };
        Ok(VersionPattern { regex, group })
    }

    pub fn as_str(&self) -> &str {
        self.regex.as_str()
    }

    /// Whether the version is a group named `version` (what a next-version step reads).
    pub fn has_version_group(&self) -> bool {
        self.regex.capture_names().any(|n| n == Some("version"))
    }

    /// The span of the version in `text`: the group of the first match.
    pub fn find(&self, text: &str) -> Option<Range<usize>> {
        let group = self.regex.captures(text)?.get(self.group)?;
        Some(group.range())
    }
}

impl PartialEq for VersionPattern {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for VersionPattern {}

impl std::fmt::Display for VersionPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for VersionPattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for VersionPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        VersionPattern::new(&text).map_err(serde::de::Error::custom)
    }
}

impl Version {
    /// This version as a file that holds `held` (its version, as written there) spells one:
    /// with `held`'s `v` or `V` prefix (`v1.4.0` held: `v1.5.0`), else as [`Version::as_str`].
    /// The one rule for every file a release writes a version to.
    pub fn spelled_as(&self, held: &str) -> String {
        match held.trim_start().chars().next() {
            Some(c @ ('v' | 'V')) => format!("{c}{self}"),
            _ => self.to_string(),
        }
    }

    /// The version as it was written, its `v` kept (`v7.8.0rc1`): what towncrier is given
    /// for the section's heading (`towncrier build --version v7.8.0rc1`).
    pub fn spelled(&self) -> String {
        match self.prefix {
            Some(c) => format!("{c}{}", self.text),
            None => self.text.clone(),
        }
    }

    /// The same version, written without its `v`.
    pub fn without_prefix(self) -> Version {
        Version {
            prefix: None,
            ..self
        }
    }
}

/// The `v` or `V` a version is written with.
pub(super) fn prefix_of(trimmed: &str) -> Option<char> {
    trimmed.chars().next().filter(|c| matches!(c, 'v' | 'V'))
}

/// Why a file does not hold a version where it is looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unheld {
    /// The pattern matches nothing.
    NoMatch,
    /// The whole file (no pattern) is more than one line: source, not a version.
    NotBare { lines: usize },
    /// The place holds this (escaped, at most 80 characters), which is no single version
    /// on one line.
    NotAVersion { shown: String, one_line: bool },
}

impl std::fmt::Display for Unheld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unheld::NoMatch => f.write_str("the pattern matches nothing"),
            Unheld::NotBare { lines } => write!(
                f,
                "holds {lines} lines, not a bare version: set `version-pattern` to the \
                 regular expression that finds the version in it"
            ),
            Unheld::NotAVersion { shown, one_line } => write!(
                f,
                "holds \"{shown}\", which is not {}",
                if *one_line {
                    "a version"
                } else {
                    "a version on one line"
                }
            ),
        }
    }
}

/// Where `text` holds its version and what it is: the pattern's group (one version, on one
/// line, no space around it), or without a pattern the whole text but its surrounding
/// white space (a single line).
pub fn held(
    text: &str,
    pattern: Option<&VersionPattern>,
) -> Result<(Range<usize>, Version), Unheld> {
    let span = match pattern {
        Some(p) => p.find(text).ok_or(Unheld::NoMatch)?,
        None => {
            let start = text.len() - text.trim_start().len();
            let end = text.trim_end().len().max(start);
            let lines = text[start..end].lines().count();
            if lines > 1 {
                return Err(Unheld::NotBare { lines });
            }
            start..end
        }
    };
    let found = &text[span.clone()];
    let one_line = !found.contains(['\n', '\r']);
    match Version::parse(found) {
        Ok(v) if one_line && found.trim() == found => Ok((span, v)),
        _ => {
            let shown: String = found.chars().take(80).collect();
            let more = if found.chars().count() > 80 {
                "…"
            } else {
                ""
            };
            Err(Unheld::NotAVersion {
                shown: format!("{}{more}", shown.escape_debug()),
                one_line,
            })
        }
    }
}

/// `text` with `version` written where it holds its version, spelled as it spells the one
/// it holds (`v1.3.0` becomes `v1.4.0`); every other byte kept. A whole-file version is
/// the version and the file's own line end (CRLF stays CRLF, none stays none). `None` when
/// the pattern no longer matches.
pub fn write_held(
    text: &str,
    pattern: Option<&VersionPattern>,
    version: &Version,
) -> Option<String> {
    match pattern {
        Some(p) => {
            let span = p.find(text)?;
            let written = version.spelled_as(&text[span.clone()]);
            Some(format!(
                "{}{written}{}",
                &text[..span.start],
                &text[span.end..]
            ))
        }
        None => {
            let newline = if text.ends_with("\r\n") {
                "\r\n"
            } else if text.ends_with('\n') || text.is_empty() {
                "\n"
            } else {
                ""
            };
            Some(format!("{}{newline}", version.spelled_as(text)))
        }
    }
}

/// Whether `text` holds `version` where it holds its version, as a release writes it.
pub fn holds_written(text: &str, pattern: Option<&VersionPattern>, version: &Version) -> bool {
    let found = match pattern {
        Some(p) => match p.find(text) {
            Some(span) => &text[span],
            None => return false,
        },
        None => text.trim(),
    };
    found == version.spelled_as(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    const INIT: &str = "\"\"\"pip.\"\"\"\n\nfrom typing import List\n\n__version__ = \"26.3\"\n\n\ndef main(args: List[str] | None = None) -> int:\n    return 0\n";

    #[test]
    fn a_pattern_finds_its_group_named_or_alone() {
        let p = VersionPattern::new(r#"__version__ = "([^"]+)""#).unwrap();
        assert_eq!(held(INIT, Some(&p)).unwrap().1, v("26.3"));
        let named = VersionPattern::new(r#"(__version__) = "(?P<version>[^"]+)""#).unwrap();
        assert_eq!(held(INIT, Some(&named)).unwrap().1, v("26.3"));
        assert!(VersionPattern::new("__version__ = .*").is_err());
        assert!(VersionPattern::new("(a)(b)").is_err());
        assert!(VersionPattern::new("(").is_err());
    }

    #[test]
    fn a_source_file_without_a_pattern_is_said_not_bare_never_quoted() {
        let err = held(INIT, None).unwrap_err();
        assert_eq!(err, Unheld::NotBare { lines: 9 });
        assert!(!err.to_string().contains("__version__"));
    }

    #[test]
    fn a_group_holding_more_than_a_version_is_refused() {
        let p = VersionPattern::new(r#"__version__ = (.*)"#).unwrap();
        assert!(matches!(
            held(INIT, Some(&p)),
            Err(Unheld::NotAVersion { .. })
        ));
        let p = VersionPattern::new(r#"(?s)__version__ = "(.*)"#).unwrap();
        assert!(matches!(
            held(INIT, Some(&p)),
            Err(Unheld::NotAVersion {
                one_line: false,
                ..
            })
        ));
        let p = VersionPattern::new(r#"__nothing__ = "(.*)""#).unwrap();
        assert_eq!(held(INIT, Some(&p)), Err(Unheld::NoMatch));
    }

    #[test]
    fn writing_keeps_every_other_byte_and_the_v() {
        let p = VersionPattern::new(r#"__version__ = "([^"]+)""#).unwrap();
        let out = write_held(INIT, Some(&p), &v("26.4rc1")).unwrap();
        assert_eq!(out, INIT.replace("26.3", "26.4rc1"));
        assert!(holds_written(&out, Some(&p), &v("26.4rc1")));
        assert!(!holds_written(INIT, Some(&p), &v("26.4rc1")));
        let with_v = "__version__ = \"v1.3.0\"\r\n";
        let out = write_held(with_v, Some(&p), &v("1.4.0")).unwrap();
        assert_eq!(out, "__version__ = \"v1.4.0\"\r\n");
        assert_eq!(
            write_held("v1.3.0\r\n", None, &v("1.4.0")).unwrap(),
            "v1.4.0\r\n"
        );
        assert_eq!(write_held("1.3.0", None, &v("1.4.0")).unwrap(), "1.4.0");
        assert!(write_held("nothing", Some(&p), &v("1.4.0")).is_none());
    }

    #[test]
    fn a_pattern_survives_the_state_file() {
        let p = VersionPattern::new(r#"__version__ = "([^"]+)""#).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        let back: VersionPattern = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert!(serde_json::from_str::<VersionPattern>("\"(a)(b)\"").is_err());
    }
}
