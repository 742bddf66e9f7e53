//! The freeze of one file's bytes, line by line.
//!
//! - Lines end after `\n`, `\r\n` or a lone `\r` (as Python, editors and Backend.AI's
//!   own freeze script read them: a file with classic-Mac line ends is not one line that a
//!   `drop` rule would empty). Each line's own ending (or nothing on a last line without
//!   one) is kept byte for byte and never seen by the rules.
//! - A leading UTF-8 byte-order mark is kept and never seen by the rules (`^from` still
//!   matches the first line).
//! - A line that does not mention the placeholder is copied as it is: no rule sees it.
//! - The rules are tried in order, each on the line as the previous ones left it, and only
//!   while the line still mentions the placeholder.
//! - A line that still mentions it after every rule, and that no `keep` rule kept, is a
//!   leftover: the caller refuses the whole freeze.
//!
//! Bytes that are not UTF-8 pass through untouched: the rules are `regex::bytes`.

use regex::bytes::Regex;

use super::rule::{Action, Rule};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How much of a leftover line an error shows.
pub const LEFTOVER_CHARS: usize = 200;

/// A line the rules left mentioning the placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// 1-based.
    pub line: usize,
    /// The line as the rules left it, fit for a terminal: trimmed, control characters
    /// escaped (a file's bytes must not move the user's cursor), cut after
    /// [`LEFTOVER_CHARS`] characters.
    pub text: String,
}

/// What the rules did to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFreeze {
    /// The file after the freeze (equal to the input when nothing changed).
    pub new: Vec<u8>,
    /// How often each rule applied, by the rule's position: replaced matches, dropped
    /// lines, or kept lines.
    pub by_rule: Vec<usize>,
    pub replaced: usize,
    pub dropped: usize,
    /// Lines a `keep` rule kept.
    pub kept: usize,
    pub leftovers: Vec<Leftover>,
}

impl FileFreeze {
    /// Replaced matches and dropped lines.
    pub fn places(&self) -> usize {
        self.replaced + self.dropped
    }
}

/// Freeze `data`: every line that mentions the placeholder (`mention` finds it) goes
/// through `rules`; `version` is what `{version}` becomes.
pub fn freeze_bytes(data: &[u8], mention: &Regex, rules: &[Rule], version: &str) -> FileFreeze {
    let mut out = FileFreeze {
        new: Vec::with_capacity(data.len() + 64),
        by_rule: vec![0; rules.len()],
        replaced: 0,
        dropped: 0,
        kept: 0,
        leftovers: Vec::new(),
    };
    let body = match data.strip_prefix(BOM) {
        Some(rest) => {
            out.new.extend_from_slice(BOM);
            rest
        }
        None => data,
    };
    for (index, (content, ending)) in split_lines(body).enumerate() {
        if !mention.is_match(content) {
            out.new.extend_from_slice(content);
            out.new.extend_from_slice(ending);
            continue;
        }
        match freeze_line(content, mention, rules, version, &mut out) {
            LineFate::Dropped => {}
            LineFate::Kept(line) => {
                out.new.extend_from_slice(&line);
                out.new.extend_from_slice(ending);
            }
            LineFate::Left(line) => {
                out.leftovers.push(Leftover {
                    line: index + 1,
                    text: printable(&line),
                });
                out.new.extend_from_slice(&line);
                out.new.extend_from_slice(ending);
            }
        }
    }
    out
}

enum LineFate {
    Dropped,
    /// Frozen, or kept by a `keep` rule.
    Kept(Vec<u8>),
    /// Still mentions the placeholder.
    Left(Vec<u8>),
}

fn freeze_line(
    content: &[u8],
    mention: &Regex,
    rules: &[Rule],
    version: &str,
    out: &mut FileFreeze,
) -> LineFate {
    let mut line = content.to_vec();
    for (i, rule) in rules.iter().enumerate() {
        if !mention.is_match(&line) {
            break;
        }
        match &rule.action {
            Action::Drop => {
                if rule.regex.is_match(&line) {
                    out.by_rule[i] += 1;
                    out.dropped += 1;
                    return LineFate::Dropped;
                }
            }
            Action::Keep => {
                if rule.regex.is_match(&line) {
                    out.by_rule[i] += 1;
                    out.kept += 1;
                    return LineFate::Kept(line);
                }
            }
            Action::Replace(template) => {
                let mut next = Vec::with_capacity(line.len() + version.len());
                let mut last = 0;
                let mut count = 0;
                for caps in rule.regex.captures_iter(&line) {
                    let Some(m) = caps.get(0) else { continue };
                    next.extend_from_slice(&line[last..m.start()]);
                    template.expand(&caps, version, &mut next);
                    last = m.end();
                    count += 1;
                }
                if count > 0 {
                    next.extend_from_slice(&line[last..]);
                    line = next;
                    out.by_rule[i] += count;
                    out.replaced += count;
                }
            }
        }
    }
    if mention.is_match(&line) {
        LineFate::Left(line)
    } else {
        LineFate::Kept(line)
    }
}

/// A line for an error message: see [`Leftover::text`].
fn printable(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut out = String::new();
    for (i, c) in text.trim().chars().enumerate() {
        if i == LEFTOVER_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The lines of `data`: (content, ending), where the ending is `\r\n`, `\n`, or empty for
/// a last line without one.
pub fn split_lines(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (content, ending) = match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(at) if rest[at..].starts_with(b"\r\n") => (at, 2),
            Some(at) => (at, 1),
            None => (rest.len(), 0),
        };
        let (line, after) = rest.split_at(content + ending);
        rest = after;
        Some(line.split_at(content))
    })
}

#[cfg(test)]
mod tests {
    use super::super::rule::ActionSpec;
    use super::*;

    const P: &str = "NEXT_RELEASE_VERSION";

    fn mention() -> Regex {
        Regex::new(&regex::escape(P)).unwrap()
    }

    fn rules(specs: &[(&str, ActionSpec<'_>)]) -> Vec<Rule> {
        specs
            .iter()
            .enumerate()
            .map(|(i, (m, a))| Rule::new(format!("r{i}"), m, *a, P).unwrap())
            .collect()
    }

    fn run(data: &[u8], rules: &[Rule]) -> FileFreeze {
        freeze_bytes(data, &mention(), rules, "26.7.0")
    }

    fn quote() -> Vec<Rule> {
        rules(&[(
            r"\bNEXT_RELEASE_VERSION\b",
            ActionSpec::Replace("\"{version}\""),
        )])
    }

    #[test]
    fn lines_end_after_newline_crlf_or_a_lone_cr() {
        let lines: Vec<_> = split_lines(b"a\r\nb\x0bc\x0cd\ne\rf\r\r\ng\n\rh\r").collect();
        assert_eq!(
            lines,
            [
                (&b"a"[..], &b"\r\n"[..]),
                (&b"b\x0bc\x0cd"[..], &b"\n"[..]),
                (&b"e"[..], &b"\r"[..]),
                (&b"f"[..], &b"\r"[..]),
                (&b""[..], &b"\r\n"[..]),
                (&b"g"[..], &b"\n"[..]),
                (&b""[..], &b"\r"[..]),
                (&b"h"[..], &b"\r"[..]),
            ]
        );
        assert_eq!(split_lines(b"").count(), 0);
        assert_eq!(split_lines(b"\n\n").count(), 2);
        assert_eq!(split_lines(b"\r\r").count(), 2);
        // Every byte is kept, in order.
        let data = b"x\ry\r\n\n\rz";
        let joined: Vec<u8> = split_lines(data)
            .flat_map(|(c, e)| [c, e].concat())
            .collect();
        assert_eq!(joined, data);
    }

    #[test]
    fn a_drop_rule_drops_one_cr_only_line() {
        let rules = rules(&[(r"^.*NEXT_RELEASE_VERSION.*$", ActionSpec::Drop)]);
        let f = run(
            b"keep_me = 1\rV = NEXT_RELEASE_VERSION\ralso_keep = 2\r",
            &rules,
        );
        assert_eq!(f.new, b"keep_me = 1\ralso_keep = 2\r");
        assert_eq!(f.dropped, 1);
        let f = run(b"a\rx = NEXT_RELEASE_VERSION\rb", &quote());
        assert_eq!(f.new, b"a\rx = \"26.7.0\"\rb");
    }

    #[test]
    fn crlf_and_a_missing_final_newline_are_kept() {
        let r = rules(&[
            (r"^from x import NEXT_RELEASE_VERSION$", ActionSpec::Drop),
            (
                r"\bNEXT_RELEASE_VERSION\b",
                ActionSpec::Replace("\"{version}\""),
            ),
        ]);
        let f = run(
            b"from x import NEXT_RELEASE_VERSION\r\nx = NEXT_RELEASE_VERSION\r\n",
            &r,
        );
        assert_eq!(f.new, b"x = \"26.7.0\"\r\n");
        let f = run(b"x = NEXT_RELEASE_VERSION", &r);
        assert_eq!(f.new, b"x = \"26.7.0\"");
        // Dropping an unterminated last line leaves the previous line's newline.
        let f = run(b"y = 1\nfrom x import NEXT_RELEASE_VERSION", &r);
        assert_eq!(f.new, b"y = 1\n");
        assert_eq!((f.dropped, f.replaced, f.places()), (1, 0, 1));
    }

    #[test]
    fn rules_chain_in_order_and_stop_once_the_line_is_frozen() {
        let r = rules(&[
            (
                r"\{NEXT_RELEASE_VERSION\}",
                ActionSpec::Replace("{version}"),
            ),
            (
                r"\bNEXT_RELEASE_VERSION\b",
                ActionSpec::Replace("\"{version}\""),
            ),
            // Never reached: the line no longer mentions the placeholder.
            (r"26", ActionSpec::Drop),
        ]);
        let f = run(
            b"m = f\"since {NEXT_RELEASE_VERSION}\" + NEXT_RELEASE_VERSION\n",
            &r,
        );
        assert_eq!(f.new, b"m = f\"since 26.7.0\" + \"26.7.0\"\n");
        assert_eq!(f.by_rule, [1, 1, 0]);
        assert_eq!(f.places(), 2);
    }

    #[test]
    fn lines_without_the_placeholder_are_never_seen() {
        // A loose rule cannot touch lines that do not mention the placeholder.
        let r = rules(&[
            (r"import", ActionSpec::Drop),
            (r"NEXT_RELEASE_VERSION", ActionSpec::Replace("{version}")),
        ]);
        let f = run(b"import os\nx = NEXT_RELEASE_VERSION\n", &r);
        assert_eq!(f.new, b"import os\nx = 26.7.0\n");
    }

    #[test]
    fn leftovers_are_reported_with_their_line() {
        let f = run(b"ok = 1\nMY_NEXT_RELEASE_VERSION_X = 1\n", &quote());
        assert_eq!(
            f.leftovers,
            [Leftover {
                line: 2,
                text: "MY_NEXT_RELEASE_VERSION_X = 1".into()
            }]
        );
    }

    #[test]
    fn leftover_text_is_safe_to_print() {
        let f = run(
            b"x = NEXT_RELEASE_VERSION_2 \x1b[2J\x07 \x08 end\n",
            &quote(),
        );
        assert_eq!(
            f.leftovers[0].text,
            "x = NEXT_RELEASE_VERSION_2 \\u{1b}[2J\\u{7} \\u{8} end"
        );
        let long = format!("NEXT_RELEASE_VERSIONS{}", "a".repeat(500));
        let f = run(long.as_bytes(), &quote());
        assert_eq!(f.leftovers[0].text.chars().count(), LEFTOVER_CHARS + 1);
        assert!(f.leftovers[0].text.ends_with('…'));
    }

    #[test]
    fn keep_exempts_a_line() {
        let r = rules(&[
            (r"`NEXT_RELEASE_VERSION`", ActionSpec::Keep),
            (
                r"\bNEXT_RELEASE_VERSION\b",
                ActionSpec::Replace("{version}"),
            ),
        ]);
        let data =
            b"The constant `NEXT_RELEASE_VERSION` is frozen.\nShips in NEXT_RELEASE_VERSION.\n";
        let f = run(data, &r);
        assert_eq!(
            f.new,
            b"The constant `NEXT_RELEASE_VERSION` is frozen.\nShips in 26.7.0.\n"
        );
        assert!(f.leftovers.is_empty());
        assert_eq!((f.kept, f.places()), (1, 1));
    }

    #[test]
    fn bom_and_non_utf8_bytes_survive() {
        let r = rules(&[
            (r"^from x import NEXT_RELEASE_VERSION$", ActionSpec::Drop),
            (
                r"\bNEXT_RELEASE_VERSION\b",
                ActionSpec::Replace("\"{version}\""),
            ),
        ]);
        let f = run(
            "\u{feff}from x import NEXT_RELEASE_VERSION\nx = NEXT_RELEASE_VERSION\n".as_bytes(),
            &r,
        );
        assert_eq!(f.new, "\u{feff}x = \"26.7.0\"\n".as_bytes());
        let f = run(b"# caf\xe9\nx = NEXT_RELEASE_VERSION # \xff\n", &r);
        assert_eq!(f.new, b"# caf\xe9\nx = \"26.7.0\" # \xff\n");
    }
}
