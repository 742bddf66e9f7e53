//! What a release section's text may hold besides its entries, read the way a Markdown
//! renderer reads it: the one rule for the section built before the review, the reviewed
//! draft, the section written, and the section the release is about to commit (the guard).
//!
//! - [`references`]: a PR reference (as the project's `issue_format` writes one, or a
//!   `[#N](…)` link) outside an entry lists that PR a second time, or lists one no input
//!   has. Only the prose the fold carries from the rc sections may hold references, as
//!   many as it held ([`Carried`]); any other is refused, naming its line.
//! - [`well_formed`]: nothing swallows what follows (a code fence or a `<pre>`, `<details>`…
//!   never closed), no control character, and no entry that would not be shown as one (inside
//!   a code block, or an HTML comment on its own).
//! - [`read_back`]: the text holds the entries the section has, no more (a description
//!   that starts a bullet would read as an entry) and one release heading.

use std::collections::BTreeMap;

use super::ledger::{Mismatch, compare};
use crate::changelog::{Changelog, Entry, RefFormat};

/// How many references to each PR the text outside entries may hold: those of the prose
/// the fold carries (an rc section's upgrade note that names a PR).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carried(BTreeMap<u64, usize>);

impl Carried {
    /// The references in `texts` (the non-entry text of the inputs).
    pub fn of<'t>(texts: impl IntoIterator<Item = &'t str>, refs: &RefFormat) -> Carried {
        let mut counts = BTreeMap::new();
        for text in texts {
            for line in text.lines().filter(|l| !is_link_definition(l)) {
                for number in numbers_in(line, refs) {
                    *counts.entry(number).or_insert(0) += 1;
                }
            }
        }
        Carried(counts)
    }

    /// The prose of the releases at `sections` of `changelog` (the rc sections a final
    /// release folds).
    pub fn of_sections(changelog: &Changelog, sections: &[usize], refs: &RefFormat) -> Carried {
        let texts = sections
            .iter()
            .filter_map(|&i| changelog.releases().get(i))
            .flat_map(|r| r.blocks())
            .filter(|b| b.kind == crate::changelog::BlockKind::Prose)
            .map(|b| b.text.as_str());
        Carried::of(texts, refs)
    }
}

/// The PRs a line references: as the project's `issue_format` writes them, and as `[#212]`,
/// which the changelog's definitions make a link to the PR. (One count for both the prose
/// carried and the text checked.) With a bare `{issue}` format no number outside an entry
/// is told from a reference (a version, a date): only the links count.
fn numbers_in(line: &str, refs: &RefFormat) -> Vec<u64> {
    let mut numbers: Vec<u64> = refs
        .outside_spans(line)
        .into_iter()
        .map(|s| s.number)
        .collect();
    numbers.extend(crate::group::inline::pr_shortcut_references(line));
    numbers
}

/// A link definition (`[#12]: https://…`) is not shown: it lists nothing.
fn is_link_definition(line: &str) -> bool {
    super::fold::is_link_definition(line)
}

/// The 1-based lines of `log`'s entries: for each, its first line and how many it spans.
fn entry_lines(log: &Changelog) -> Vec<(usize, usize)> {
    log.releases()
        .iter()
        .flat_map(|r| r.entries())
        .map(|e| (e.line, e.raw.lines().count().max(1)))
        .collect()
}

/// Which 1-based lines (index 0 unused) belong to an entry.
fn in_entries(n: usize, entries: &[(usize, usize)]) -> Vec<bool> {
    let mut inside = vec![false; n + 2];
    for &(first, count) in entries {
        for l in first..first + count {
            if let Some(x) = inside.get_mut(l) {
                *x = true;
            }
        }
    }
    inside
}

/// Every PR reference of `text` outside its entries beyond what `carried` allows, as
/// problems naming the line (`first_line` is the line number of the text's first line).
pub fn references(
    log: &Changelog,
    first_line: usize,
    refs: &RefFormat,
    carried: &Carried,
) -> Vec<String> {
    let text = log.as_str();
    let entries = entry_lines(log);
    let inside = in_entries(text.lines().count(), &entries);
    let listed: BTreeMap<u64, ()> = log
        .releases()
        .iter()
        .flat_map(|r| r.entries())
        .flat_map(|e| e.prs.iter().map(|&p| (p, ())))
        .collect();
    let mut left = carried.0.clone();
    let mut problems = Vec::new();
    for (k, line) in text.lines().enumerate() {
        if inside.get(k + 1).copied().unwrap_or(false) || is_link_definition(line) {
            continue;
        }
        for number in numbers_in(line, refs) {
            let allowance = left.entry(number).or_insert(0);
            if *allowance > 0 {
                *allowance -= 1;
                continue;
            }
            let pr = crate::changelog::Issue(number);
            let what = if listed.contains_key(&number) {
                format!("{pr} is an entry of the section, so it would be listed twice")
            } else {
                format!("{pr} is no entry of the section, so it would be listed without one")
            };
            problems.push(format!(
                "line {}: a reference to {pr} outside any entry (\"{}\"): {what}. Text that is \
                 not an entry (a heading, a description, a note) may not link a PR; move the \
                 link into its entry or write the text without it",
                first_line + k,
                shown(line)
            ));
        }
    }
    problems.extend(references_in_code(log, first_line, refs));
    problems
}

/// Which of `n` lines (0-based) the code `blocks` hold, fences included.
fn code_lines(blocks: &[crate::changelog::CodeBlock], n: usize) -> Vec<bool> {
    let mut code = vec![false; n];
    for block in blocks {
        let last = block.last.min(n.saturating_sub(1));
        if block.first <= last {
            code[block.first..=last].fill(true);
        }
    }
    code
}

/// An entry's PR referenced only inside a code block of the entry (a fence the template's
/// link was glued to, one never closed): a renderer shows it as code, not as a link, and
/// the entry lists no PR where it is published.
fn references_in_code(log: &Changelog, first_line: usize, refs: &RefFormat) -> Vec<String> {
    let text = log.as_str();
    let lines: Vec<&str> = text.lines().collect();
    let code = code_lines(&crate::changelog::code_blocks(text), lines.len());
    let mut problems = Vec::new();
    for e in log.releases().iter().flat_map(|r| r.entries()) {
        let first = e.line.saturating_sub(1);
        let span = first..(first + e.raw.lines().count().max(1)).min(lines.len());
        // What a block the entry's last line ends swallows: its line, and the byte it
        // starts at (a template's references glued to an indented code line, `</pre>`…).
        let swallowed = crate::changelog::swallowed_tail(&e.raw).map(|(kind, at)| {
            let before = &e.raw[..at];
            let from = at - before.rfind('\n').map_or(0, |n| n + 1);
            (kind, first + before.matches('\n').count(), from)
        });
        // An entry with no line in a code block and no tail a block swallows has no
        // reference that is a problem below (each must be on such a line): its lines are
        // not searched for references.
        if swallowed.is_none() && !span.clone().any(|k| code[k]) {
            continue;
        }
        for &pr in &e.prs {
            let at: Vec<(usize, usize)> = span
                .clone()
                .flat_map(|k| {
                    refs.spans(lines[k])
                        .into_iter()
                        .filter(|s| s.number == pr)
                        .map(move |s| (k, s.start))
                })
                .collect();
            let Some(&(k, _)) = at.first() else { continue };
            let swallowing = |&(k, c): &(usize, usize)| match swallowed {
                Some((kind, line, from)) if line == k && c >= from => Some(kind),
                _ => None,
            };
            if at.iter().all(|&(k, _)| code[k]) {
                problems.push(format!(
                    "line {}: the reference to {} is inside a code block of its entry, where \
                     it is shown as code, not as a link; close the block above it (a line of its \
                     own fence) and put the reference below",
                    first_line + k,
                    crate::changelog::Issue(pr)
                ));
            } else if let Some(kind) = at.iter().find_map(swallowing)
                && at.iter().all(|p| code[p.0] || swallowing(p).is_some())
            {
                let k = at
                    .iter()
                    .find(|p| swallowing(p).is_some())
                    .map_or(k, |p| p.0);
                problems.push(format!(
                    "line {}: the reference to {} is on the last line of {kind} in its entry, \
                     which swallows the rest of that line: it is shown as code or raw HTML (or not \
                     at all), not as a link; put the reference below a blank line, in a paragraph \
                     of its own",
                    first_line + k,
                    crate::changelog::Issue(pr)
                ));
            }
        }
    }
    problems
}

/// The text's entries read back compared with `expected` (the section's own), and its
/// release headings (one): problems naming the line.
pub fn read_back(log: &Changelog, first_line: usize, expected: &[&Entry]) -> Vec<String> {
    let mut problems = Vec::new();
    for r in log.releases().iter().skip(1) {
        problems.push(format!(
            "line {}: a second release heading `{}` inside the section",
            first_line + r.line().saturating_sub(1),
            shown(r.title())
        ));
    }
    let found: Vec<&Entry> = log.releases().iter().flat_map(|r| r.entries()).collect();
    for m in compare(expected, &found) {
        match m {
            Mismatch::Extra {
                identity, found: f, ..
            } => {
                let at = f.last().map_or(0, |&k| found[k].line);
                problems.push(format!(
                    "line {}: text that is not an entry reads as one ({identity}, \"{}\"): a \
                     description or title may not start a list item",
                    first_line + at.saturating_sub(1),
                    shown(&found[f[f.len() - 1]].text)
                ));
            }
            Mismatch::Missing { identity, texts } => problems.push(format!(
                "the entry {identity} (\"{}\") does not read back from the section's text",
                shown(&texts.join(" "))
            )),
        }
    }
    problems
}

/// HTML elements that hold what follows them until they are closed: block containers, and
/// the raw-text ones a Markdown renderer passes through whole.
const HOLDING: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "div",
    "dl",
    "fieldset",
    "figure",
    "footer",
    "form",
    "header",
    "iframe",
    "main",
    "nav",
    "noscript",
    "ol",
    "pre",
    "script",
    "section",
    "style",
    "summary",
    "table",
    "textarea",
    "ul",
];

/// What in `text` would not render as it reads: a control character, a code fence or an
/// HTML element that is never closed (it would swallow the rest of the changelog), an
/// entry wholly inside an HTML comment or inside an HTML block (not shown as an entry).
pub fn well_formed(log: &Changelog, first_line: usize) -> Vec<String> {
    let text = log.as_str();
    let starts: BTreeMap<usize, &Entry> = log
        .releases()
        .iter()
        .flat_map(|r| r.entries())
        .map(|e| (e.line, e))
        .collect();
    let at = |k: usize| first_line + k;
    let mut problems = Vec::new();
    // Control characters, line by line (a tab and the line ends are text).
    for (k, line) in text.split('\n').enumerate() {
        let bad = line.chars().find(|&c| {
            (c.is_control() && c != '\t' && c != '\r') || matches!(c, '\u{2028}' | '\u{2029}')
        });
        if let Some(c) = bad {
            problems.push(format!(
                "line {}: the control character U+{:04X}, which a changelog cannot show \
                 (git would take the file for binary, a terminal for a command); delete it",
                at(k),
                u32::from(c)
            ));
        }
    }
    // Code blocks, as the changelog reader marks them: a top-level fence never closed
    // swallows the rest — unless it stands in a block quote or a list item, which the next
    // release's heading ends, and the block with it. (An entry's line inside a closed block
    // is code, not an entry: the read-back finds the entry missing and the reference
    // outside any entry.)
    let lines: Vec<&str> = text.lines().collect();
    let blocks = crate::changelog::code_blocks(text);
    let fenced = code_lines(&blocks, lines.len());
    for block in &blocks {
        if let (Some(fence), false, false) = (&block.unclosed, block.indented, block.contained) {
            problems.push(format!(
                "line {}: the code fence \"{fence}\" is never closed: everything after it (the \
                 rest of the changelog) would be shown as code; close it with a line \"{fence}\"",
                at(block.first)
            ));
        }
    }
    for (&line, e) in &starts {
        let k = line.saturating_sub(1);
        let body = e
            .raw
            .trim_start()
            .trim_start_matches(['*', '-', '+'])
            .trim();
        let whole_comment = body
            .strip_prefix("<!--")
            .and_then(|inner| inner.find("-->").map(|p| p + 3 == inner.len()))
            .unwrap_or(false);
        if whole_comment {
            problems.push(format!(
                "line {}: the entry is an HTML comment (\"{}\"): it would not be shown; \
                 take the comment marks away or delete the entry's line",
                at(k),
                shown(body)
            ));
        }
    }
    // An entry below a line that starts an HTML block (CommonMark's block-level tags, such
    // as `<details>`), with no blank line between, is part of that block: raw HTML, not an
    // entry. (A tag indented on an entry's continuation line is inside that entry; one at
    // the margin interrupts it, as CommonMark's HTML blocks interrupt a paragraph.)
    let inside = in_entries(lines.len(), &entry_lines(log));
    let continues_an_entry = |j: usize| inside[j + 1] && lines[j].starts_with("  ");
    for &line in starts.keys() {
        let k = line.saturating_sub(1);
        let opener = (0..k)
            .rev()
            .take_while(|&j| !lines.get(j).is_none_or(|l| l.trim().is_empty()))
            .find(|&j| {
                !fenced[j]
                    && !continues_an_entry(j)
                    && crate::changelog::starts_html_block(lines[j])
            });
        if let Some(j) = opener {
            problems.push(format!(
                "line {}: the entry is inside the HTML block `{}` opened on line {} (no blank \
                 line between): it would be shown as raw HTML, not as an entry; put a blank \
                 line after that tag",
                at(k),
                shown(lines[j].trim()),
                at(j)
            ));
        }
    }
    // CommonMark's HTML blocks that run to their closing tag, blank lines included (`<pre>`,
    // `<script>`, `<style>`, `<textarea>`): an entry inside one is raw HTML.
    let mut raw_block: Option<(usize, &str)> = None;
    for (k, line) in lines.iter().enumerate() {
        let lower = line.trim_start().to_ascii_lowercase();
        if raw_block.is_none() && !fenced[k] && line.len() - line.trim_start().len() <= 3 {
            raw_block = ["pre", "script", "style", "textarea"]
                .into_iter()
                .find(|t| {
                    lower
                        .strip_prefix('<')
                        .and_then(|r| r.strip_prefix(t))
                        .is_some_and(|r| r.is_empty() || r.starts_with(['>', ' ', '\t']))
                })
                .map(|t| (k, t));
        } else if let Some((j, tag)) = raw_block
            && starts.contains_key(&(k + 1))
        {
            problems.push(format!(
                "line {}: the entry is inside the HTML block `<{tag}>` opened on line {} (it \
                 runs to `</{tag}>`): it would be shown as raw text, not as an entry; close the \
                 block above the entry",
                at(k),
                at(j)
            ));
        }
        if let Some((_, tag)) = raw_block
            && lower.contains(&format!("</{tag}>"))
        {
            raw_block = None;
        }
    }
    // HTML elements opened and never closed, outside code blocks, code spans and comments.
    let mut opened: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut in_comment = false;
    for (k, line) in lines.iter().enumerate() {
        if fenced[k] {
            continue;
        }
        let visible = outside_code_and_comments(line, &mut in_comment);
        let lower = visible.to_ascii_lowercase();
        let mut rest = lower.as_str();
        while let Some(p) = rest.find('<') {
            let after = &rest[p + 1..];
            let (closing, name_at) = match after.strip_prefix('/') {
                Some(a) => (true, a),
                None => (false, after),
            };
            let name: String = name_at
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let next = name_at[name.len()..].chars().next();
            let tag_ends = next.is_none_or(|c| c == '>' || c == '/' || c.is_whitespace());
            if let Some(&tag) = HOLDING.iter().find(|t| **t == name)
                && tag_ends
            {
                let self_closing = !closing
                    && name_at[name.len()..]
                        .split('>')
                        .next()
                        .is_some_and(|t| t.trim_end().ends_with('/'));
                if closing {
                    if let Some(stack) = opened.get_mut(tag) {
                        stack.pop();
                    }
                } else if !self_closing {
                    opened.entry(tag).or_default().push(k);
                }
            }
            rest = &rest[p + 1..];
        }
    }
    for (tag, stack) in opened {
        if let Some(&k) = stack.first() {
            problems.push(format!(
                "line {}: `<{tag}>` is never closed (`</{tag}>`): everything after it (the rest of \
                 the changelog) would be inside it; close it, or write it in backticks to show it",
                at(k)
            ));
        }
    }
    problems.sort_by_key(|p| line_of(p));
    problems
}

/// The line a problem names, for sorting.
fn line_of(problem: &str) -> usize {
    problem
        .strip_prefix("line ")
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `line` without its code spans and the parts inside HTML comments (which may span
/// lines: `in_comment` carries the state).
fn outside_code_and_comments(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if *in_comment {
            match rest.find("-->") {
                Some(p) => {
                    rest = &rest[p + 3..];
                    *in_comment = false;
                }
                None => return out,
            }
        } else if let Some(r) = rest.strip_prefix("<!--") {
            *in_comment = true;
            rest = r;
        } else if rest.starts_with('`') {
            let ticks = rest.chars().take_while(|&c| c == '`').count();
            let fence = &rest[..ticks];
            match rest[ticks..].find(fence) {
                Some(p) => rest = &rest[ticks + p + ticks..],
                None => {
                    out.push_str(fence);
                    rest = &rest[ticks..];
                }
            }
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// A line or text for a message: at most 70 characters, control characters escaped.
fn shown(text: &str) -> String {
    crate::group::inline::quoted(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORMAT: &str = "([#{issue}](https://x/pull/{issue}))";

    fn refs() -> RefFormat {
        RefFormat::new(Some(FORMAT))
    }

    /// The text read as the checks read it.
    fn read(text: &str) -> Changelog {
        Changelog::parse_project(text, None, &refs())
    }

    const SECTION: &str = "## 1.4.0 (2026-12-06)\n\nUpgrade: see [#5](https://x/pull/5).\n\n\
        ### Features\n\n#### Hooks\nAdded hooks.\n\n* Add hooks ([#1](https://x/pull/1))\n\
        * Add more ([#2](https://x/pull/2))\n";

    #[test]
    fn references_outside_entries_need_carried_prose() {
        let carried = Carried::of(["Upgrade: see [#5](https://x/pull/5)."], &refs());
        assert!(references(&read(SECTION), 1, &refs(), &carried).is_empty());
        let none = references(&read(SECTION), 1, &refs(), &Carried::default());
        assert_eq!(none.len(), 1, "{none:?}");
        assert!(none[0].starts_with("line 3: a reference to #5"), "{none:?}");
        let twice = SECTION.replace("Added hooks.", "Added hooks, see [#1](https://x/pull/1).");
        let p = references(&read(&twice), 10, &refs(), &carried);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("line 17: a reference to #1"), "{p:?}");
        assert!(p[0].contains("listed twice"), "{p:?}");
        // A heading is not an entry either; a link definition is not shown.
        let heading = SECTION.replace("#### Hooks", "#### Hooks ([#9](https://x/pull/9))");
        assert!(references(&read(&heading), 1, &refs(), &carried)[0].contains("#9 is no entry"));
        let definition = format!("{SECTION}\n[#1]: https://x/pull/1\n");
        assert!(references(&read(&definition), 1, &refs(), &carried).is_empty());
    }

    #[test]
    fn a_bare_format_reads_no_reference_in_headings_dates_or_notes() {
        // pip-tools' and aio-libs' `{issue}`: the release heading's version and date, and a
        // note's numbers, are no references; the entries' own are read where they stand.
        let bare = RefFormat::new(Some("{issue}"));
        let section = "## 7.8.0 (2025-12-06)\n\n*2025-12-06*\n\nUpgrade: needs pip 26.2 (12).\n\n\
            ### Features\n\n- Add `--foo` (12)\n- Fix 3 crashes (13, 14)\n";
        let log = Changelog::parse_project(section, None, &bare);
        let prs: Vec<u64> = log.releases()[0]
            .entries()
            .flat_map(|e| e.prs.clone())
            .collect();
        assert_eq!(prs, vec![12, 13, 14]);
        assert_eq!(
            references(&log, 1, &bare, &Carried::default()),
            Vec::<String>::new()
        );
        // A link is a reference whatever the format: still refused outside the entries.
        let linked = section.replace("(12).", "([#12](https://x/pull/12)).");
        let log = Changelog::parse_project(&linked, None, &bare);
        let p = references(&log, 1, &bare, &Carried::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("#12 is an entry of the section"), "{p:?}");
        // Any other format keeps the check of its references, in a heading too.
        let hash = RefFormat::new(Some("#{issue}"));
        let log = Changelog::parse_project(
            "## 7.8.0 (#12)\n\n### Features\n\n- Add `--foo` (#12)\n",
            None,
            &hash,
        );
        let p = references(&log, 1, &hash, &Carried::default());
        assert!(p[0].starts_with("line 1: a reference to #12"), "{p:?}");
        // A name reads as its issue, named as written.
        let jira = RefFormat::new(Some("[{issue}](https://j/browse/{issue})"));
        let log = Changelog::parse_project(
            "## 1.0.0\n\nSee [PROJ-7](https://j/browse/PROJ-7).\n\n### Features\n\n\
             - Add ([PROJ-7](https://j/browse/PROJ-7))\n",
            None,
            &jira,
        );
        let p = references(&log, 1, &jira, &Carried::default());
        assert!(p[0].contains("PROJ-7 is an entry of the section"), "{p:?}");
    }

    #[test]
    fn what_reads_as_an_entry_or_a_release_is_named() {
        let log = Changelog::parse_project(SECTION, None, &refs());
        let expected: Vec<&Entry> = log.releases()[0].entries().collect();
        assert!(read_back(&read(SECTION), 1, &expected).is_empty());
        let fake = SECTION.replace(
            "Added hooks.",
            "Added.\n\n* Fake ([#999](https://x/pull/999))\n",
        );
        let p = read_back(&read(&fake), 1, &expected);
        assert!(
            p.iter()
                .any(|p| p.contains("line 10: text that is not an entry reads as one (#999")),
            "{p:?}"
        );
        let heading = SECTION.replace("#### Hooks", "#### Hooks\n## 9.9.9 (2020-01-01)");
        let p = read_back(&read(&heading), 1, &expected);
        assert!(
            p.iter()
                .any(|p| p.contains("line 8: a second release heading `9.9.9")),
            "{p:?}"
        );
    }

    /// An entry wrapped in a code block is code: the read-back misses it and names the
    /// reference left outside any entry.
    #[test]
    fn an_entry_in_a_code_block_is_not_an_entry() {
        let log = Changelog::parse_project(SECTION, None, &refs());
        let expected: Vec<&Entry> = log.releases()[0].entries().collect();
        let fenced = SECTION.replacen(
            "* Add more ([#2](https://x/pull/2))",
            "```\n* Add more ([#2](https://x/pull/2))\n```",
            1,
        );
        assert!(!read_back(&read(&fenced), 1, &expected).is_empty());
        let p = references(&read(&fenced), 1, &refs(), &Carried::default());
        assert!(
            p.iter()
                .any(|p| p.starts_with("line 12: a reference to #2")),
            "{p:?}"
        );
    }

    #[test]
    fn what_swallows_the_rest_or_hides_an_entry_is_named() {
        assert!(well_formed(&read(SECTION), 1).is_empty());
        for (from, to, needle) in [
            (
                "#### Hooks\n",
                "#### Hooks\n```\n",
                "line 8: the code fence \"```\" is never closed",
            ),
            (
                "#### Hooks\n",
                "#### Hooks\n~~~~\n",
                "line 8: the code fence \"~~~~\" is never closed",
            ),
            (
                "Added hooks.",
                "Added <pre>hooks.",
                "line 8: `<pre>` is never closed",
            ),
            (
                "Added hooks.",
                "<details>\nAdded",
                "line 8: `<details>` is never closed",
            ),
            (
                "Add hooks",
                "Add h\0ooks",
                "line 10: the control character U+0000",
            ),
            ("Add hooks", "Add \u{1b}[31mhooks", "U+001B"),
            ("Add hooks", "Add\u{2028}hooks", "U+2028"),
            (
                "* Add more ([#2](https://x/pull/2))",
                "* <!-- Add more ([#2](https://x/pull/2)) -->",
                "line 11: the entry is an HTML comment",
            ),
            // An HTML block's tag right above entries, at the margin: both are raw HTML.
            (
                "\n* Add hooks",
                "\n<details>\n* Add hooks",
                "line 11: the entry is inside the HTML block `<details>` opened on line 10",
            ),
            (
                "\n* Add hooks",
                "\n <DIV class=\"x\">\n* Add hooks",
                "line 12: the entry is inside the HTML block",
            ),
            (
                "* Add hooks",
                "<pre>\n\n* Add hooks",
                "line 12: the entry is inside the HTML block `<pre>` opened on line 10",
            ),
            (
                "* Add more",
                "</div>\n* Add more",
                "line 12: the entry is inside the HTML block `</div>` opened on line 11",
            ),
        ] {
            let text = SECTION.replacen(from, to, 1);
            let p = well_formed(&read(&text), 1);
            assert!(p.iter().any(|p| p.contains(needle)), "{to:?}: {p:?}");
        }
        for fine in [
            SECTION.replace(
                "Added hooks.",
                "Added `<details>` and <details>x</details>.",
            ),
            SECTION.replace("Added hooks.", "```sh\n# see <pre>\n```\n<div/>"),
            SECTION.replace("Add hooks", "Add hooks\n  ```\n  unclosed in the entry"),
            SECTION.replace("Added hooks.", "Added\ta < b.\r"),
            // A tag indented under an entry is that entry's; a blank line ends an HTML block;
            // a tag that is no block-level one (`<b>`, `<detailsx>`) starts none.
            SECTION.replace("* Add more", "  <div>x</div>\n* Add more"),
            SECTION.replace("* Add hooks", "<div>x</div>\n\n* Add hooks"),
            SECTION.replace("* Add hooks", "<b>x</b>\n* Add hooks"),
            SECTION.replace("* Add hooks", "<detailsx/>\n* Add hooks"),
        ] {
            assert!(well_formed(&read(&fine), 1).is_empty(), "{fine}");
        }
    }

    /// `[#5]` in prose the fold carries may stand in the section's prose; one more is named.
    #[test]
    fn a_shortcut_reference_counts_like_an_inline_one() {
        let text = SECTION.replace("Upgrade: see [#5](https://x/pull/5).", "Upgrade: see [#5].");
        let carried = Carried::of(["Upgrade: see [#5]."], &refs());
        assert!(references(&read(&text), 1, &refs(), &carried).is_empty());
        let p = references(&read(&text), 1, &refs(), &Carried::default());
        assert!(
            p.iter()
                .any(|p| p.contains("a reference to #5 outside any entry")),
            "{p:?}"
        );
    }

    /// An entry's PR referenced only inside its code block (a fence never closed, or one the
    /// link was glued to) is shown as code: named; one below a closed block is a link.
    #[test]
    fn a_reference_shown_as_code_is_named() {
        for (entry, named) in [
            (
                "* Add it:\n\n  ```toml\n  timeout = 5 ([#3](https://x/pull/3))\n",
                true,
            ),
            (
                "* Add it:\n\n  ```toml\n  timeout = 5\n  ``` ([#3](https://x/pull/3))\n",
                true,
            ),
            (
                "* Add it:\n\n  ```toml\n  timeout = 5\n  ```\n  ([#3](https://x/pull/3))\n",
                false,
            ),
            (
                "* Add it ([#3](https://x/pull/3)):\n\n  ```\n  see #3\n  ```\n",
                false,
            ),
        ] {
            let text = format!("{SECTION}{entry}");
            let p = references(&read(&text), 1, &refs(), &Carried::default());
            let found = p.iter().any(|p| p.contains("#3 is inside a code block"));
            assert_eq!(found, named, "{entry:?}: {p:?}");
        }
    }

    /// A strategy that puts every entry of a category in one group, titled and described
    /// as it is told.
    struct Fixed {
        title: String,
        description: String,
    }

    impl crate::group::Grouper for Fixed {
        fn propose(
            &self,
            _category: &str,
            _items: &[crate::group::Item],
            candidates: &[usize],
            _ctx: &crate::group::Context,
        ) -> crate::error::Result<Vec<crate::group::Proposal>> {
            Ok(vec![crate::group::Proposal {
                title: self.title.clone(),
                description: Some(self.description.clone()),
                tier: crate::group::Tier::Subsystem,
                members: candidates.to_vec(),
                standalone: true,
                reason: "test".into(),
                evidence: vec!["test".into()],
            }])
        }
    }

    /// Pieces of hostile titles and descriptions: markup, references in every form the
    /// default `issue_format` and links write, line breaks, control characters.
    fn piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            Just("Hooks".to_string()),
            Just(" and ".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("## 9.9.9 (2020-01-01)".to_string()),
            Just("* Fake entry ([#9](u/9))".to_string()),
            Just("[#1](u/1)".to_string()),
            Just("#1".to_string()),
            Just("#2".to_string()),
            Just("(#9)".to_string()),
            Just("```".to_string()),
            Just("<details>".to_string()),
            Just("<!--".to_string()),
            Just("\u{0}".to_string()),
            Just("\u{2028}".to_string()),
            Just("- ".to_string()),
            Just("1. ".to_string()),
            Just("https://x/pull/1".to_string()),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Whatever title and description a strategy proposes, no PR reference outside the
        /// entries, no extra entry, heading or open block survives to the section that is
        /// printed or written: the grouping is refused, or the ledger refuses the section,
        /// or the section's text reads back clean.
        #[test]
        fn no_reference_outside_entries_survives(
            title in proptest::collection::vec(piece(), 1..5),
            description in proptest::collection::vec(piece(), 1..5),
        ) {
            use crate::consolidate::{Ledger, fold, group};
            let log = Changelog::parse(
                "## 2.0.0rc1 (2026-02-01)\n\n### Features\n* Add A ([#1](u/1))\n* Add B ([#2](u/2))\n\n\
                 ## 1.0.0 (2025-01-01)\n\n### Features\n* Add Z ([#9](u/9))\n",
            );
            let version = crate::version::Version::parse("2.0.0").unwrap();
            let order = vec!["Features".to_string()];
            let c = fold(&log, std::path::Path::new("C.md"), None, &version, "d", &order).unwrap();
            let ledger = Ledger::new(&log, &c.sections, None);
            let grouper = Fixed { title: title.concat(), description: description.concat() };
            let ctx = crate::group::Context::new(Default::default(), vec![], &[], 1);
            let Ok(grouped) = group(c, &grouper, &order, &ctx) else {
                return Ok(());
            };
            let release = grouped.release();
            // towncrier's default `issue_format`: a bare `#1` is a reference too.
            let refs = RefFormat::new(None);
            if ledger.check_text(&release, &refs).is_err() {
                return Ok(());
            }
            let text = release.render(2);
            let expected: Vec<&Entry> = release.entries().collect();
            let log = Changelog::parse_project(&text, None, &refs);
            proptest::prop_assert!(references(&log, 1, &refs, &Carried::default()).is_empty(), "{}", text);
            proptest::prop_assert!(read_back(&log, 1, &expected).is_empty(), "{}", text);
            proptest::prop_assert!(well_formed(&log, 1).is_empty(), "{}", text);
            let prs: Vec<u64> = Changelog::parse(&text).releases()[0].entries().flat_map(|e| e.prs.clone()).collect();
            proptest::prop_assert_eq!(prs, vec![1, 2], "{}", text);
        }
    }

    /// The property above is not vacuous: a plain title and description go through.
    #[test]
    fn a_plain_title_and_description_are_published() {
        use crate::consolidate::{fold, group};
        let log =
            Changelog::parse("## 2.0.0rc1 (2026-02-01)\n\n### Features\n* Add A ([#1](u/1))\n");
        let version = crate::version::Version::parse("2.0.0").unwrap();
        let order = vec!["Features".to_string()];
        let c = fold(
            &log,
            std::path::Path::new("C.md"),
            None,
            &version,
            "d",
            &order,
        )
        .unwrap();
        let grouper = Fixed {
            title: "Hooks".into(),
            description: "Added hooks.".into(),
        };
        let ctx = crate::group::Context::new(Default::default(), vec![], &[], 1);
        let text = group(c, &grouper, &order, &ctx)
            .unwrap()
            .release()
            .render(2);
        assert!(text.contains("#### Hooks\nAdded hooks.\n"), "{text}");
    }
}
