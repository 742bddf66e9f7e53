//! One freeze rule: a regular expression tried on a line that mentions the placeholder,
//! and what happens when it matches (the line is dropped, kept as it is, or each match is
//! replaced by a template).
//!
//! Everything that can be wrong with a rule is found when it is compiled, so that a bad
//! configuration is refused before a release starts: the regex compiles, cannot match the
//! empty string, every capture group the template names exists, and the template writes
//! neither a line break nor the placeholder back.

use regex::bytes::{Captures, Regex};

/// What a rule does to a line it matches.
#[derive(Debug, Clone)]
pub enum Action {
    /// The line goes, with its line ending.
    Drop,
    /// The line stays as it is now; no later rule sees it, and it is not a leftover.
    Keep,
    /// Every match is replaced by the template; later rules see the result.
    Replace(Template),
}

impl Action {
    /// `drop`, `keep` or `replace`, as in the configuration.
    pub fn key(&self) -> &'static str {
        match self {
            Action::Drop => "drop",
            Action::Keep => "keep",
            Action::Replace(_) => "replace",
        }
    }
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Shown in the plan and in errors.
    pub name: String,
    pub regex: Regex,
    pub action: Action,
}

/// A problem with a rule: the key of the rule's table at fault and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub key: &'static str,
    pub message: String,
}

impl RuleError {
    fn new(key: &'static str, message: impl Into<String>) -> RuleError {
        RuleError {
            key,
            message: message.into(),
        }
    }
}

/// The action as configured, before its template is compiled.
#[derive(Debug, Clone, Copy)]
pub enum ActionSpec<'a> {
    Drop,
    Keep,
    Replace(&'a str),
}

impl Rule {
    /// Compile a rule: `pattern` (the `match` key) and its action. `placeholder` is the
    /// text being frozen: a replacement may not write it back.
    pub fn new(
        name: impl Into<String>,
        pattern: &str,
        action: ActionSpec<'_>,
        placeholder: &str,
    ) -> Result<Rule, RuleError> {
        if pattern.is_empty() {
            return Err(RuleError::new("match", "must not be empty"));
        }
        let regex = Regex::new(pattern).map_err(|e| {
            RuleError::new(
                "match",
                format!(
                    "is not a valid regular expression (the `regex` crate's syntax: no look-around, no back-references): {}",
                    one_line(&e.to_string())
                ),
            )
        })?;
        // The same parser the regex crate uses: a pattern that can match nothing at all
        // would, as a replacement, insert text between every two characters.
        let can_be_empty = regex_syntax::Parser::new()
            .parse(pattern)
            .map(|hir| hir.properties().minimum_len() == Some(0))
            .unwrap_or(false);
        if can_be_empty {
            return Err(RuleError::new(
                "match",
                format!(
                    "`{pattern}` can match the empty string, so it would match anywhere; make it match at least one character"
                ),
            ));
        }
        let action = match action {
            ActionSpec::Drop => Action::Drop,
            ActionSpec::Keep => Action::Keep,
            ActionSpec::Replace(text) => {
                Action::Replace(Template::parse(text, &regex, placeholder)?)
            }
        };
        Ok(Rule {
            name: name.into(),
            regex,
            action,
        })
    }

    /// The shorthand `replace = "…"` in the freeze table: one rule replacing the literal
    /// placeholder.
    pub fn literal(placeholder: &str, replace: &str) -> Result<Rule, RuleError> {
        Rule::new(
            placeholder,
            &regex::escape(placeholder),
            ActionSpec::Replace(replace),
            placeholder,
        )
        .map_err(|e| RuleError::new("replace", e.message))
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A replacement template: literal text, `{version}`, and capture groups (`$1`, `${1}`,
/// `${name}`); `$$` is a dollar sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Version,
    Index(usize),
    Name(String),
}

impl Template {
    /// Read `text` left to right, in one pass. `{version}` and a group reference can never
    /// be confused: a reference always starts with `$`, so `${version}` names a group called
    /// `version` (an error if `regex` has none), never the version. Any other `{…}` is
    /// literal text (Python's f-string braces survive); any other `$` is an error.
    pub fn parse(text: &str, regex: &Regex, placeholder: &str) -> Result<Template, RuleError> {
        let err = |message: String| RuleError::new("replace", message);
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("{version}") {
                flush(&mut literal, &mut parts);
                parts.push(Part::Version);
                rest = after;
                continue;
            }
            if c != '$' {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
                continue;
            }
            let after = &rest[1..];
            if let Some(after) = after.strip_prefix('$') {
                literal.push('$');
                rest = after;
                continue;
            }
            let (reference, after) = if let Some(inner) = after.strip_prefix('{') {
                let end = inner.find('}').ok_or_else(|| {
                    err(format!(
                        "`${{` in `{text}` is not closed; write `${{1}}` or `${{name}}` for a group, `$$` for a dollar sign"
                    ))
                })?;
                (&inner[..end], &inner[end + 1..])
            } else {
                let digits =
                    after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                if digits == 0 {
                    return Err(err(format!(
                        "`$` in `{text}` must be followed by a group number, `{{name}}` or another `$` (write `$$` for a dollar sign)"
                    )));
                }
                (&after[..digits], &after[digits..])
            };
            flush(&mut literal, &mut parts);
            parts.push(group(reference, regex).map_err(err)?);
            rest = after;
        }
        flush(&mut literal, &mut parts);
        for part in &parts {
            if let Part::Literal(l) = part {
                if l.contains(['\n', '\r']) {
                    return Err(err(
                        "cannot contain a line break: rules work on one line at a time".into(),
                    ));
                }
            }
        }
        let written: String = parts
            .iter()
            .filter_map(|p| match p {
                Part::Literal(l) => Some(l.as_str()),
                _ => None,
            })
            .collect();
        if written.contains(placeholder) {
            return Err(err(format!(
                "writes the placeholder `{placeholder}` back; to leave such a line alone, use a rule with `keep = true`"
            )));
        }
        Ok(Template { parts })
    }

    /// The replacement for one match.
    pub fn expand(&self, caps: &Captures<'_>, version: &str, out: &mut Vec<u8>) {
        for part in &self.parts {
            let group = match part {
                Part::Literal(l) => {
                    out.extend_from_slice(l.as_bytes());
                    continue;
                }
                Part::Version => {
                    out.extend_from_slice(version.as_bytes());
                    continue;
                }
                Part::Index(i) => caps.get(*i),
                Part::Name(n) => caps.name(n),
            };
            // A group that took no part in the match is empty, as in the regex crate.
            if let Some(m) = group {
                out.extend_from_slice(m.as_bytes());
            }
        }
    }
}

fn flush(literal: &mut String, parts: &mut Vec<Part>) {
    if !literal.is_empty() {
        parts.push(Part::Literal(std::mem::take(literal)));
    }
}

/// A group reference (`1`, `name`), checked against the regex's groups.
fn group(reference: &str, regex: &Regex) -> Result<Part, String> {
    if !reference.is_empty() && reference.bytes().all(|b| b.is_ascii_digit()) {
        let index: usize = reference.parse().unwrap_or(usize::MAX);
        if index >= regex.captures_len() {
            return Err(format!(
                "refers to group {reference}, but `{}` has {} capture group(s)",
                regex.as_str(),
                regex.captures_len() - 1
            ));
        }
        return Ok(Part::Index(index));
    }
    let valid = reference
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`${{{reference}}}` is not a group reference: write `${{1}}` or `${{name}}`"
        ));
    }
    if !regex.capture_names().any(|n| n == Some(reference)) {
        let hint = if reference == "version" {
            " (the released version is `{version}`, without `$`)"
        } else {
            ""
        };
        return Err(format!(
            "refers to a group named `{reference}`, but `{}` has no such group{hint}",
            regex.as_str()
        ));
    }
    Ok(Part::Name(reference.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(pattern: &str, template: &str, line: &str) -> String {
        let rule = Rule::new("t", pattern, ActionSpec::Replace(template), "P").unwrap();
        let Action::Replace(t) = &rule.action else {
            unreachable!()
        };
        let caps = rule.regex.captures(line.as_bytes()).unwrap();
        let mut out = Vec::new();
        t.expand(&caps, "26.7.0", &mut out);
        String::from_utf8(out).unwrap()
    }

    fn refused(pattern: &str, action: ActionSpec<'_>) -> RuleError {
        Rule::new("t", pattern, action, "NEXT").unwrap_err()
    }

    #[test]
    fn templates_read_groups_version_and_dollars_in_one_pass() {
        assert_eq!(expand("(P)", "$$$1${1}{version}", "P"), "$PP26.7.0");
        assert_eq!(expand("(?P<v>P)", "${v}-{version}", "P"), "P-26.7.0");
        // Longest run of digits; an unmatched group is empty.
        assert_eq!(expand("(P)(x)?", "[$2]$1", "P"), "[]P");
        // Other braces are literal: an f-string survives.
        assert_eq!(expand("P", "f\"{x}{version}\"", "P"), "f\"{x}26.7.0\"");
        assert_eq!(expand("P", "{versions}", "P"), "{versions}");
    }

    #[test]
    fn version_in_dollar_braces_is_a_group_never_the_version() {
        let e = refused("NEXT", ActionSpec::Replace("${version}"));
        assert_eq!(e.key, "replace");
        assert!(e.message.contains("named `version`"), "{}", e.message);
        assert!(e.message.contains("`{version}`"), "{}", e.message);
        // With such a group, it is the group.
        let rule = Rule::new(
            "t",
            "(?P<version>NEXT)",
            ActionSpec::Replace("${version}"),
            "X",
        );
        assert!(rule.is_ok());
    }

    #[test]
    fn bad_rules_are_refused_with_their_key() {
        for (pattern, action, key, needle) in [
            (
                "(",
                ActionSpec::Drop,
                "match",
                "not a valid regular expression",
            ),
            ("(?<=x)NEXT", ActionSpec::Drop, "match", "look-around"),
            ("x*", ActionSpec::Drop, "match", "empty string"),
            (r"\b", ActionSpec::Replace("x"), "match", "empty string"),
            ("(?m)^", ActionSpec::Keep, "match", "empty string"),
            ("", ActionSpec::Drop, "match", "empty"),
            (
                "(NEXT)",
                ActionSpec::Replace("$2"),
                "replace",
                "1 capture group",
            ),
            ("NEXT", ActionSpec::Replace("${x"), "replace", "not closed"),
            (
                "NEXT",
                ActionSpec::Replace("${-}"),
                "replace",
                "not a group reference",
            ),
            ("NEXT", ActionSpec::Replace("5$"), "replace", "`$$`"),
            ("NEXT", ActionSpec::Replace("a\nb"), "replace", "line break"),
            ("NEXT", ActionSpec::Replace("a\rb"), "replace", "line break"),
            (
                "NEXT",
                ActionSpec::Replace("NEXT{version}"),
                "replace",
                "keep = true",
            ),
        ] {
            let e = refused(pattern, action);
            assert_eq!(e.key, key, "{pattern}: {e:?}");
            assert!(e.message.contains(needle), "{pattern}: {}", e.message);
        }
    }

    #[test]
    fn the_shorthand_matches_the_placeholder_literally() {
        let rule = Rule::literal("A.B", "\"{version}\"").unwrap();
        assert!(rule.regex.is_match(b"x = A.B"));
        assert!(!rule.regex.is_match(b"x = AxB"));
        let e = Rule::literal("A.B", "A.B").unwrap_err();
        assert_eq!(e.key, "replace");
    }
}
