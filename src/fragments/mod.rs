//! News fragment discovery and parsing, as towncrier 26.9 does it (`find_fragments`,
//! `parse_newfragment_basename`, `split_fragments` and the sort keys of `render_fragments`),
//! so that a section built here is byte-identical to towncrier's.
//!
//! Files are taken in the order the directory is read, as towncrier's `os.listdir`: its
//! sorts are stable, so entries whose sort keys tie (`1.feature.md`, `1.feature.1.md`) come
//! out in that order, and so do orphan counters. One deliberate difference: a file that
//! looks like a fragment of a type the project does not configure (`123.feat.md`) is
//! reported in [`FragmentSet::unknown`] instead of being dropped without a word.

mod batch;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use regex::Regex;

use crate::config::{Config, TemplateSource};
use crate::error::{Error, Result};
use crate::pycompat::fnmatch::fnmatch_regex;
use crate::pycompat::strings::{
    py_int_of_digits, py_isdigit_but_not_int, py_rstrip, py_splitlines_keepends, py_strip,
    read_open_text,
};

/// One news fragment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    pub path: PathBuf,
    /// The section's name (a key of `config.towncrier.sections`; `""` without sections).
    pub section: String,
    /// The issue as towncrier computes it: leading zeros stripped from numbers, `""` for
    /// orphans (`+name.type.md`).
    pub issue: String,
    /// The fragment type's directory (`feature`, `fix`…), a key of `config.towncrier.types`.
    pub kind: String,
    /// `<issue>.<type>.<n>`'s `n` (0 when absent); orphans are numbered per type.
    pub counter: u32,
    /// The file's text, decoded as towncrier does (UTF-8 with replacement, universal newlines).
    pub content: String,
}

impl Fragment {
    /// The first character of the text that a changelog cannot show (the published
    /// section's own rule, `consolidate::published`: a control character but tab and the
    /// line ends, or U+2028/U+2029), with its 1-based line.
    pub fn unshowable(&self) -> Option<(usize, char)> {
        self.content
            .split('\n')
            .enumerate()
            .find_map(|(i, line)| line.chars().find(|&c| is_unshowable(c)).map(|c| (i + 1, c)))
    }
}

/// A character a changelog cannot show: git would take the file for binary (NUL), a
/// terminal for a command (ESC), or a renderer for a line break (U+2028, U+2029).
pub fn is_unshowable(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\r' | '\n')) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Refuse a fragment whose text holds a character a changelog cannot show, naming the
/// file and the line: a pre-release would publish it (towncrier copies any byte) and the
/// final would then refuse that rc's text. `build` writes it as towncrier does.
pub fn check_showable(set: &FragmentSet) -> Result<()> {
    match set
        .fragments
        .iter()
        .find_map(|f| f.unshowable().map(|at| (f, at)))
    {
        None => Ok(()),
        Some((f, (line, c))) => Err(Error::Fragment {
            path: f.path.clone(),
            message: format!(
                "line {line}: holds the character U+{:04X}, which a changelog cannot \
                 show (git would take the file for binary, a terminal for a command); remove \
                 it, then re-run",
                c as u32
            ),
        }),
    }
}

/// A file that looks like a fragment but names a type the project does not configure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFragment {
    pub path: PathBuf,
    /// The type the file name asks for (`feat` in `123.feat.md`).
    pub kind: String,
}

impl UnknownFragment {
    /// The error (or warning text) for this file, listing the configured types.
    pub fn to_error(&self, config: &Config) -> Error {
        Error::UnknownFragmentType {
            path: self.path.clone(),
            kind: self.kind.clone(),
            known: config.towncrier.types.keys().cloned().collect(),
        }
    }
}

/// Everything found in the fragment directories.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FragmentSet {
    /// Section names in the configured order; every section appears in the rendered
    /// output, even without fragments.
    pub sections: Vec<String>,
    /// Fragments in discovery order: sections in the configured order, files by name.
    pub fragments: Vec<Fragment>,
    /// Files that towncrier would silently skip although they look like fragments.
    pub unknown: Vec<UnknownFragment>,
}

/// One line of a category: the (indented) text and the raw issues, sorted with [`issue_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FragmentEntry<'a> {
    pub text: &'a str,
    pub issues: Vec<&'a str>,
}

/// The maps of [`Split`] hash with foldhash rather than SipHash: their keys are whole
/// fragment texts, hashed once per fragment, and a local file cannot mount a hash-flooding
/// attack worth SipHash's cost.
pub type FastMap<K, V> = IndexMap<K, V, foldhash::fast::FixedState>;

/// One category of a [`Split`]: entry text → its issues.
pub type Texts = FastMap<String, Vec<String>>;

/// towncrier's `split_fragments` result: section → type directory → text → issues.
/// Maps keep first-appearance order, as Python dicts do.
pub type Split = FastMap<String, FastMap<String, Texts>>;

/// Find and read every fragment of the project, as `towncrier build` does.
///
/// Errors (as towncrier's): a file name that is not a fragment when `ignore` is configured
/// (strict mode), an issue that does not match `issue_pattern`, two files for the same
/// issue, type and counter, and unreadable files.
pub fn discover(config: &Config) -> Result<FragmentSet> {
    let tc = &config.towncrier;
    let strict = tc.ignore.is_some();
    let ignore = IgnoreList::new(config);

    let mut set = FragmentSet {
        sections: tc.sections.keys().cloned().collect(),
        ..Default::default()
    };
    // Orphans are numbered per type across all sections, as in towncrier.
    let mut orphan_counter: HashMap<String, u32> = HashMap::new();
    // For reading the files: each section's directory and where its fragments start, and
    // whether the listing reported each fragment as a regular file.
    let mut dirs: Vec<(PathBuf, usize)> = Vec::with_capacity(tc.sections.len());
    let mut regular: Vec<bool> = Vec::new();

    for (section, section_dir) in &tc.sections {
        let dir = config.fragments_dir(section_dir);
        // (name, path, file type); the file type comes with the listing, no stat.
        // Kept in listing order (see the module's documentation), never sorted.
        let names: Vec<(String, PathBuf, Option<std::fs::FileType>)> = match std::fs::read_dir(&dir)
        {
            Ok(entries) => entries
                .map(|e| {
                    e.map(|e| {
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            e.path(),
                            e.file_type().ok(),
                        )
                    })
                })
                .collect::<std::io::Result<_>>()
                .map_err(|e| Error::io(&dir, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io(&dir, e)),
        };

        set.fragments.reserve(names.len());
        dirs.push((dir, set.fragments.len()));
        let mut seen: HashMap<(String, String, u32), usize, foldhash::fast::FixedState> =
            HashMap::with_capacity_and_hasher(names.len(), Default::default());
        for (basename, path, file_type) in names {
            if ignore.matches(&basename) {
                continue;
            }
            let parsed = match parse_basename_as_python(&basename, &tc.types) {
                Some(Err(part)) => {
                    return Err(Error::Fragment {
                        path,
                        message: format!(
                            "names `{part}`, which towncrier takes for a number (Python's \
                             `str.isdigit()`) but cannot convert (`int()`): it stops with a \
                             ValueError on this file; rename it with the digits 0-9"
                        ),
                    });
                }
                parsed => parsed.and_then(|p| p.ok()),
            };
            let Some((mut issue, kind, mut counter)) = parsed else {
                let unknown = looks_like_unknown_type(&basename, config);
                if strict {
                    if let Some(kind) = unknown {
                        return Err(UnknownFragment { path, kind }.to_error(config));
                    }
                    return Err(Error::Fragment {
                        path,
                        message:
                            "is not a news fragment name (`<issue>.<type>.md`). If this file is \
                                  deliberate, add it to `ignore` in [tool.towncrier]."
                                .into(),
                    });
                }
                if let Some(kind) = unknown {
                    set.unknown.push(UnknownFragment { path, kind });
                }
                continue;
            };
            if !tc.orphan_prefix.is_empty() && issue.starts_with(&tc.orphan_prefix) {
                issue = String::new();
                let next = orphan_counter.entry(kind.clone()).or_insert(0);
                counter = *next;
                *next += 1;
            }
            if let Some(pattern) = &tc.issue_pattern {
                if !issue.is_empty() && !pattern.is_match(&issue) {
                    return Err(Error::Fragment {
                        path,
                        message: format!(
                            "issue name `{issue}` does not match the configured pattern `{}`; \
                             rename the fragment or change `issue_pattern`",
                            pattern.source
                        ),
                    });
                }
            }
            if file_type.is_some_and(|t| t.is_dir()) {
                return Err(Error::Fragment {
                    path,
                    message:
                        "is a directory named like a news fragment; rename it or add it to `ignore`"
                            .into(),
                });
            }
            let key = (issue.clone(), kind.clone(), counter);
            if let Some(first) = seen.get(&key).map(|&i| &set.fragments[i].path) {
                return Err(Error::Fragment {
                    path,
                    message: format!(
                        "is a second fragment for issue `{issue}`, type `{kind}` (counter {counter}) besides {}; \
                         merge them or give one a counter (`{issue}.{kind}.1.md`)",
                        first.display()
                    ),
                });
            }
            seen.insert(key, set.fragments.len());
            regular.push(file_type.is_some_and(|t| t.is_file()));
            set.fragments.push(Fragment {
                path,
                section: section.clone(),
                issue,
                kind,
                counter,
                content: String::new(),
            });
        }
    }
    read_contents(&mut set.fragments, &dirs, &regular)?;
    check_total(&set.fragments)?;
    Ok(set)
}

/// Fill in every fragment's text, in discovery order (the first error wins, with its
/// path). `dirs` holds each section's directory and its first fragment's index; `regular`
/// whether the listing reported each fragment as a regular file.
///
/// The files are read in batches ([`batch`]: io_uring, which turns some 1,400 system calls
/// into a dozen); what a batch leaves unread is read here with [`read_regular_text`], in order, so
/// that a FIFO blocks no earlier than it did. Reading on several threads was tried: in a
/// fresh process the thread start-up costs more than it saves on a few hundred small files.
fn read_contents(
    fragments: &mut [Fragment],
    dirs: &[(PathBuf, usize)],
    regular: &[bool],
) -> Result<()> {
    let mut reader = batch::Reader::new(fragments.len());
    for (n, (dir, start)) in dirs.iter().enumerate() {
        let end = dirs.get(n + 1).map_or(fragments.len(), |d| d.1);
        let section = &mut fragments[*start..end];
        let items: Vec<batch::Item> = section
            .iter()
            .zip(&regular[*start..end])
            .map(|(f, &regular)| batch::Item {
                name: f.path.file_name().unwrap_or_default(),
                regular,
            })
            .collect();
        let outcomes = reader.read(dir, &items);
        for (f, outcome) in section.iter_mut().zip(outcomes) {
            f.content = match outcome {
                batch::Outcome::Text(text) => text,
                batch::Outcome::Failed(e) => return Err(Error::io(&f.path, e)),
                batch::Outcome::Unread => read_regular_text(&f.path)?,
            };
        }
    }
    Ok(())
}

/// The largest fragment read, in bytes. A fragment is a line or a paragraph (a few hundred
/// bytes, a few KB at most); one of megabytes is a mistake (a log or a build artefact named
/// like a fragment) that would take the grouping's time and memory many times over — a
/// 50 MB file made pre-flight take 40 s and 1.7 GB, and abort under a memory limit.
pub const MAX_FRAGMENT_BYTES: u64 = 1024 * 1024;

/// The most text all of a release's fragments may hold together, in bytes: many
/// fragments each under [`MAX_FRAGMENT_BYTES`] cost the grouping the same (4 MB of
/// fragments took 22 s and 175 MB in a debug build). Backend.AI's largest release (343
/// fragments) holds 43 KB; this is a hundred times that.
pub const MAX_FRAGMENTS_TOTAL_BYTES: usize = 4 * 1024 * 1024;

/// Refuse fragments that hold more than [`MAX_FRAGMENTS_TOTAL_BYTES`] together, naming the
/// largest (read already: each is under [`MAX_FRAGMENT_BYTES`]; the cost is in what
/// follows).
fn check_total(fragments: &[Fragment]) -> Result<()> {
    let total: usize = fragments.iter().map(|f| f.content.len()).sum();
    if total <= MAX_FRAGMENTS_TOTAL_BYTES {
        return Ok(());
    }
    let mut largest: Vec<&Fragment> = fragments.iter().collect();
    largest.sort_by_key(|f| std::cmp::Reverse(f.content.len()));
    let named: Vec<String> = largest
        .iter()
        .take(3)
        .map(|f| format!("{} ({} bytes)", f.path.display(), f.content.len()))
        .collect();
    Err(Error::Refused(format!(
        "the {} news fragments hold {total} bytes in all, more than a release's fragments may \
         ({MAX_FRAGMENTS_TOTAL_BYTES} bytes, {} MiB); the largest: {}. Fragments are short \
         texts: shorten these, or move what is not a fragment out of the fragments directory",
        fragments.len(),
        MAX_FRAGMENTS_TOTAL_BYTES / (1024 * 1024),
        named.join(", ")
    )))
}

/// A fragment's text, read only if the file (a symlink followed) is a regular file of at
/// most [`MAX_FRAGMENT_BYTES`]: a FIFO named like a fragment would block the read forever, a
/// device never end it, a huge file cost the grouping its time and memory many times over.
/// Opened without blocking and checked on the descriptor itself, so that nothing swapped in
/// between a check and the read is read. (The io_uring batch reads only files that fit its
/// small buffers: what it leaves unread comes here.)
fn read_regular_text(path: &Path) -> Result<String> {
    let (file, meta) = crate::files::open_unblocked(path)?;
    if !meta.is_file() {
        return Err(Error::Fragment {
            path: path.to_path_buf(),
            message: "is not a regular file (a pipe, socket or device), so its text cannot be \
                      read; a fragment is a text file: remove it"
                .into(),
        });
    }
    if meta.len() > MAX_FRAGMENT_BYTES {
        return Err(Error::Fragment {
            path: path.to_path_buf(),
            message: format!(
                "is {} bytes long, more than a news fragment may be ({MAX_FRAGMENT_BYTES} \
                 bytes, {} KiB); a fragment is a short text: shorten it, or move what is not \
                 a fragment out of the fragments directory",
                meta.len(),
                MAX_FRAGMENT_BYTES / 1024
            ),
        });
    }
    read_open_text(file, path)
}

/// towncrier's `parse_newfragment_basename`: the last dot-separated part (after the first)
/// that is a configured type is the type, everything before it the issue, and a number
/// right after it the counter.
pub(crate) fn parse_basename<V>(
    basename: &str,
    types: &IndexMap<String, V>,
) -> Option<(String, String, u32)> {
    parse_basename_as_python(basename, types).and_then(|parsed| parsed.ok())
}

/// [`parse_basename`], saying which part towncrier takes for a number (`str.isdigit()`)
/// but cannot convert (`int()`: `²`, `①`), where it stops with a `ValueError`: `Err(part)`.
/// An issue of decimal digits is `str(int(issue))`, as towncrier writes it: `007` → `7`,
/// `٣` → `3`.
pub(crate) fn parse_basename_as_python<'b, V>(
    basename: &'b str,
    types: &IndexMap<String, V>,
) -> Option<std::result::Result<(String, String, u32), &'b str>> {
    // The parts after the first, from the last: each starts after a dot `d` and ends at
    // `end` (the next dot or the end of the name); the issue is everything before `d`.
    let mut end = basename.len();
    for (d, _) in basename.rmatch_indices('.') {
        let part = &basename[d + 1..end];
        // A handful of types: comparing names is cheaper than hashing each part.
        if types.keys().any(|t| t == part) {
            let issue = py_strip(&basename[..d]);
            if py_isdigit_but_not_int(issue) {
                return Some(Err(issue));
            }
            let issue = if is_digits(issue) {
                strip_leading_zeros(issue)
            } else if issue.is_ascii() {
                issue.to_string()
            } else {
                py_int_of_digits(issue).unwrap_or_else(|| issue.to_string())
            };
            let next = basename[end..]
                .strip_prefix('.')
                .map(|rest| rest.split('.').next().unwrap_or_default());
            let counter = match next {
                Some(p) if is_digits(p) => p.parse().unwrap_or(u32::MAX),
                Some(p) if py_isdigit_but_not_int(p) => return Some(Err(p)),
                Some(p) if !p.is_ascii() => {
                    py_int_of_digits(p).map_or(0, |n| n.parse().unwrap_or(u32::MAX))
                }
                _ => 0,
            };
            return Some(Ok((issue, part.to_string(), counter)));
        }
        end = d;
    }
    None
}

/// Whether a file name towncrier skips is probably a fragment with a mistyped type:
/// `<issue>.<word>[.<n>][.<ext>]` where the issue is a number, an orphan (`+name`) or
/// matches `issue_pattern`. Returns the type it asks for.
fn looks_like_unknown_type(basename: &str, config: &Config) -> Option<String> {
    // `^[A-Za-z][A-Za-z0-9_-]*$`, by hand: compiling a regex costs more than all the
    // names it would check (its UTF-8 compiler alone zero-fills some 300 KiB).
    let word = |s: &str| {
        s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    let tc = &config.towncrier;
    let parts: Vec<&str> = basename.split('.').collect();
    if !(2..=4).contains(&parts.len()) {
        return None;
    }
    let issue = parts[0];
    let issue_like = is_digits(issue)
        || (!tc.orphan_prefix.is_empty()
            && issue.starts_with(&tc.orphan_prefix)
            && issue.len() > tc.orphan_prefix.len())
        || tc.issue_pattern.as_ref().is_some_and(|p| p.is_match(issue));
    if !issue_like || !word(parts[1]) {
        return None;
    }
    match &parts[2..] {
        [] => {}
        [x] if is_digits(x) || word(x) => {}
        [n, ext] if is_digits(n) && word(ext) => {}
        _ => return None,
    }
    Some(parts[1].to_string())
}

/// The names towncrier never reads as fragments.
struct IgnoreList {
    patterns: Vec<IgnorePattern>,
}

/// Most ignore entries are plain names; only real patterns pay for a regex.
enum IgnorePattern {
    Name(String),
    Glob(Regex),
    Never,
}

impl IgnoreList {
    fn new(config: &Config) -> Self {
        let mut names: Vec<String> = [
            ".gitignore",
            ".gitkeep",
            ".keep",
            "readme",
            "readme.md",
            "readme.rst",
        ]
        .map(String::from)
        .to_vec();
        if let TemplateSource::File(p) = &config.towncrier.template {
            // towncrier adds the basename as is (not lowercased), and compares it with the
            // lowercased file name: a `Template.md` is therefore not ignored. Same here.
            if let Some(name) = p.file_name() {
                names.push(name.to_string_lossy().into_owned());
            }
        }
        if let Some(ignore) = &config.towncrier.ignore {
            names.extend(ignore.iter().map(|s| s.to_lowercase()));
        }
        let patterns = names
            .into_iter()
            .map(|p| {
                if p.contains(['*', '?', '[']) {
                    fnmatch_regex(&p).map_or(IgnorePattern::Never, IgnorePattern::Glob)
                } else {
                    IgnorePattern::Name(p)
                }
            })
            .collect();
        IgnoreList { patterns }
    }

    fn matches(&self, basename: &str) -> bool {
        // Python's `lower()`; an ASCII name without a capital (most fragment names) is its
        // own lower case, and needs no copy.
        let lower: std::borrow::Cow<str> =
            if basename.is_ascii() && !basename.bytes().any(|b| b.is_ascii_uppercase()) {
                basename.into()
            } else {
                basename.to_lowercase().into()
            };
        self.patterns.iter().any(|p| match p {
            IgnorePattern::Name(name) => *name == lower,
            IgnorePattern::Glob(re) => re.is_match(&lower),
            IgnorePattern::Never => false,
        })
    }
}

/// towncrier's `split_fragments`: indent (or keep) the text, drop it for `showcontent =
/// false` types when there is an issue, and merge fragments with identical text into one
/// entry listing all their issues.
pub fn split(config: &Config, set: &FragmentSet) -> Split {
    let tc = &config.towncrier;
    let mut out: Split = set
        .sections
        .iter()
        .map(|s| (s.clone(), IndexMap::default()))
        .collect();
    for f in &set.fragments {
        let showcontent = tc.types.get(&f.kind).is_none_or(|t| t.showcontent);
        let content = if !showcontent && !f.issue.is_empty() {
            String::new()
        } else if tc.all_bullets {
            let indented = indent(py_strip(&f.content), "  ");
            indented.get(2..).unwrap_or_default().to_string()
        } else {
            py_rstrip(&f.content).to_string()
        };
        // Looked up by reference first: most fragments land in a section and a type that
        // already exist, and need no copy of their names.
        let categories = match out.get_index_of(f.section.as_str()) {
            Some(i) => &mut out[i],
            None => out.entry(f.section.clone()).or_default(),
        };
        let texts = match categories.get_index_of(f.kind.as_str()) {
            Some(i) => &mut categories[i],
            None => categories.entry(f.kind.clone()).or_default(),
        };
        // Most texts have one issue: no room for four.
        let issues = texts
            .entry(content)
            .or_insert_with(|| Vec::with_capacity(1));
        if !f.issue.is_empty() {
            issues.push(f.issue.clone());
        }
    }
    // Each entry's issues in Python's string order, sorted once rather than after every push.
    for issues in out
        .values_mut()
        .flat_map(|c| c.values_mut())
        .flat_map(|t| t.values_mut())
    {
        issues.sort_unstable();
    }
    out
}

/// The entries of one category in towncrier's order: issues sorted by [`issue_key`] inside
/// each entry, entries by towncrier's `entry_key`, then (without `all_bullets`) by [`bullet_key`].
pub fn sorted_entries(category: &Texts, all_bullets: bool) -> Vec<FragmentEntry<'_>> {
    let mut entries: Vec<(FragmentEntry, (&str, Vec<IssueKey>))> = category
        .iter()
        .map(|(text, issues)| {
            let mut keyed: Vec<(IssueKey, &str)> =
                issues.iter().map(|i| (issue_key(i), i.as_str())).collect();
            // Stable, as Python's `sorted`: equal keys keep the order of `split`.
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            let (keys, issues): (Vec<IssueKey>, Vec<&str>) = keyed.into_iter().unzip();
            // towncrier's `entry_key`: orphans (no issue) last, by text.
            let text_key = if issues.is_empty() { text.as_str() } else { "" };
            (FragmentEntry { text, issues }, (text_key, keys))
        })
        .collect();
    entries.sort_by(|a, b| a.1.cmp(&b.1));
    let mut entries: Vec<FragmentEntry> = entries.into_iter().map(|(e, _)| e).collect();
    if !all_bullets {
        entries.sort_by_key(|e| bullet_key(e.text));
    }
    entries
}

/// towncrier's `IssueParts`: numbers-only issues last, issues without digits first, the
/// rest grouped by their non-digit part and ordered by their number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IssueKey {
    is_digit: bool,
    has_digit: bool,
    non_digit_part: String,
    number: i128,
}

/// Sort key of one issue (towncrier's `issue_key`).
pub fn issue_key(issue: &str) -> IssueKey {
    let number = |s: &str| match s.parse::<i128>() {
        Ok(n) => n,
        // Python's `\d` and `int()` read every decimal digit, not only ASCII ones.
        Err(_) => py_int_of_digits(s)
            .and_then(|n| n.parse().ok())
            .unwrap_or(i128::MAX),
    };
    if is_digits(issue) {
        return IssueKey {
            is_digit: true,
            has_digit: true,
            non_digit_part: String::new(),
            number: number(issue),
        };
    }
    // The first run of digits; ASCII text is searched by hand (no regex to compile), other
    // text with the Unicode `\d` that Python's `re` uses.
    let found = if issue.is_ascii() {
        issue.find(|c: char| c.is_ascii_digit()).map(|start| {
            let end = issue[start..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(issue.len(), |e| start + e);
            (start, end)
        })
    } else {
        static_regex!(r"\d+")
            .find(issue)
            .map(|m| (m.start(), m.end()))
    };
    match found {
        None => IssueKey {
            is_digit: false,
            has_digit: false,
            non_digit_part: issue.to_string(),
            number: -1,
        },
        Some((start, end)) => IssueKey {
            is_digit: false,
            has_digit: true,
            non_digit_part: format!("{}{}", &issue[..start], &issue[end..]),
            number: number(&issue[start..end]),
        },
    }
}

/// Sort key by bullet style (towncrier's `bullet_key`), used without `all_bullets`.
pub(crate) fn bullet_key(text: &str) -> i32 {
    if text.is_empty() {
        -1
    } else if text.starts_with("- ") {
        0
    } else if text.starts_with("* ") {
        1
    } else if text.starts_with("#. ") {
        2
    } else {
        3
    }
}

/// towncrier's `indent`: `prefix` before every line that is not blank.
pub(crate) fn indent(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in py_splitlines_keepends(text) {
        if !py_strip(line).is_empty() {
            out.push_str(prefix);
        }
        out.push_str(line);
    }
    out
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn strip_leading_zeros(s: &str) -> String {
    let t = s.trim_start_matches('0');
    if t.is_empty() { "0".into() } else { t.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(names: &[&str]) -> IndexMap<String, ()> {
        names.iter().map(|n| (n.to_string(), ())).collect()
    }

    #[test]
    fn basenames_parse_like_towncrier() {
        let t = types(&["feature", "fix", "misc"]);
        assert_eq!(
            parse_basename("123.feature.md", &t),
            Some(("123".into(), "feature".into(), 0))
        );
        assert_eq!(
            parse_basename("0123.fix.2.md", &t),
            Some(("123".into(), "fix".into(), 2))
        );
        assert_eq!(
            parse_basename("000.fix", &t),
            Some(("0".into(), "fix".into(), 0))
        );
        assert_eq!(
            parse_basename("fix-1.2.3.feature", &t),
            Some(("fix-1.2.3".into(), "feature".into(), 0))
        );
        assert_eq!(
            parse_basename("+orphan.misc.md", &t),
            Some(("+orphan".into(), "misc".into(), 0))
        );
        // The last matching part wins: `fix.feature` is issue `fix`, type `feature`.
        assert_eq!(
            parse_basename("fix.feature.md", &t),
            Some(("fix".into(), "feature".into(), 0))
        );
        assert_eq!(parse_basename("123.feat.md", &t), None);
        assert_eq!(parse_basename("feature", &t), None);
    }

    #[test]
    fn issue_sorting_matches_towncrier_docstring() {
        let mut v: Vec<&str> = vec!["2", "#11", "#3", "gh-10", "gh-4", "omega", "alpha"];
        v.sort_by_key(|i| issue_key(i));
        assert_eq!(v, ["alpha", "omega", "#3", "#11", "gh-4", "gh-10", "2"]);
    }

    #[test]
    fn indent_like_towncrier() {
        assert_eq!(indent("a\n\nb\n  c", "  "), "  a\n\n  b\n    c");
    }
}
