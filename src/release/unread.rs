//! A section the release does not read back as a release — reStructuredText, or Markdown
//! without a title (`title_format = false`) — counted in its own text, before the release
//! commit.
//!
//! When the release starts, the section is rendered as the changelog step will write it
//! ([`Unread::of_build`]): where it begins (the changelog's head before it, by length and
//! digest) and ends (the line after it: the newest older release's title), each PR's
//! references in it, and each entry naming no PR by its text as the plan rendered it. After
//! the steps, the section is found again — after the same head, or else at its own title
//! (towncrier's reading of a release title, `find_version_heading`), up to that next title —
//! and counted there only: a reference a step wrote into an older section excuses nothing.
//! Where the section cannot be found, or an entry naming no PR cannot be told by its text
//! and the section changed, the release is refused, never let through uncounted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::changelog::RefFormat;
use crate::fragments::FragmentSet;
use crate::towncrier::BuildPlan;

use super::guard::fnv1a;
use super::window::squash;

/// Where the planned section lies in the changelog the step writes, and what is counted in
/// it by text (see the module's notes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    /// The changelog's text before the section: its length in bytes and digest.
    pub head: (usize, u64),
    /// The first line after the section (the newest older release's title), `None` when
    /// the section ends the changelog.
    pub next: Option<String>,
    /// The section's own bytes as the step writes them (up to the text after it): their
    /// length and digest. `None` in a state recorded before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own: Option<(usize, u64)>,
    /// The changelog's text after the section (the older releases): its length and digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<(usize, u64)>,
    /// The lines of the title that followed the section, whole (`####`, ` 1.7.0rc1 (…)`,
    /// `####` — an rst title's overline alone is no title: it may equal a line of the
    /// section's own title). Empty in a state recorded before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next_title: Vec<String>,
    /// Each text of an entry naming no PR (whitespace squashed), with how many times the
    /// planned section holds it.
    pub texts: BTreeMap<String, usize>,
    /// How many entries naming no PR the planned section does not show in their words
    /// (a template that rewrites them): then the section must keep its planned text.
    pub untold: usize,
    /// The digest of the planned section, whitespace squashed.
    pub section: u64,
    /// The issues the section references as the changelog step wrote it (taken by
    /// [`Unread::written`]): one it references after a hand edit made while the release was
    /// stopped is no entry of this release, refused as in a section read back. `None` in a
    /// state recorded before it was kept, or before the step wrote the section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed: Option<std::collections::BTreeSet<u64>>,
    /// The planned section lists no entry (towncrier's section for no fragments): a list
    /// item in it is an entry added by hand, refused (its text may be reworded, as a
    /// section read back's prose may).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty: bool,
}

/// What the section holds now: each PR's references and each counted text's occurrences.
#[derive(Debug)]
pub(crate) struct Found {
    pub prs: BTreeMap<u64, usize>,
    pub texts: BTreeMap<String, usize>,
    pub section: u64,
    /// How many of its lines start a list item (`- `, `* `, `+ `, `#. `, `1. `): entries.
    pub items: usize,
}

/// Whether `line` starts a list item, in Markdown or reStructuredText.
fn is_item(line: &str) -> bool {
    let line = line.trim_start();
    let numbered = line.trim_start_matches(|c: char| c.is_ascii_digit() || c == '#');
    ["- ", "* ", "+ "].iter().any(|b| line.starts_with(b))
        || (numbered.len() < line.len() && [". ", ") "].iter().any(|b| numbered.starts_with(b)))
}

/// How many references to each PR `text` makes, as the project writes them.
pub(crate) fn references(refs: &RefFormat, text: &str) -> BTreeMap<u64, usize> {
    let mut counts = BTreeMap::new();
    for span in refs.spans(text) {
        *counts.entry(span.number).or_default() += 1;
    }
    counts
}

impl Unread {
    /// The planned section of `build`, built from `kept`. An entry is counted by its text
    /// when its fragment names no PR, or when the section names no PR at all as
    /// `issue_format` writes it (`by_text_only`).
    pub(crate) fn of_build(build: &BuildPlan, kept: &FragmentSet, by_text_only: bool) -> Unread {
        let section = build.section.trim_end();
        let at = build.text.find(section).unwrap_or(0);
        // The text after the section is the older releases as towncrier puts them back,
        // left-stripped: the section's own bytes run to its first non-blank byte.
        let after = &build.text[at + section.len()..];
        let end = build.text.len() - after.trim_start().len();
        let rest = &build.text[end..];
        let next = rest
            .lines()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim_end().to_string());
        let own = &build.text.as_bytes()[at..end];
        let planned = squash(section);
        let mut texts = BTreeMap::new();
        let mut untold = 0;
        for f in &kept.fragments {
            if !by_text_only && f.issue.parse::<u64>().is_ok() {
                continue;
            }
            let text = squash(&f.content);
            match planned.matches(text.as_str()).count() {
                _ if text.is_empty() => untold += 1,
                0 => untold += 1,
                n => {
                    texts.insert(text, n);
                }
            }
        }
        Unread {
            head: (at, fnv1a(&build.text.as_bytes()[..at])),
            next,
            own: Some((own.len(), fnv1a(own))),
            tail: Some((rest.len(), fnv1a(rest.as_bytes()))),
            next_title: title_lines(rest),
            texts,
            untold,
            section: fnv1a(planned.as_bytes()),
            listed: None,
            empty: kept.fragments.is_empty(),
        }
    }

    /// The section in the changelog's `text` now, counted; `Err` says why it cannot be
    /// found.
    pub(crate) fn found(
        &self,
        text: &str,
        version: &str,
        refs: &RefFormat,
    ) -> Result<Found, String> {
        let section = self.locate(text, version)?;
        let squashed = squash(section);
        Ok(Found {
            prs: references(refs, section),
            texts: self
                .texts
                .keys()
                .map(|t| (t.clone(), squashed.matches(t.as_str()).count()))
                .collect(),
            section: fnv1a(squashed.as_bytes()),
            items: section.lines().filter(|l| is_item(l)).count(),
        })
    }

    /// Taken as the changelog step wrote the section (in `text`): an entry naming no PR
    /// whose words it holds fewer times — a fragment reworded while the release was stopped,
    /// the step building from what is there — is counted as often as written, and the
    /// section's text is the one kept. Unchanged when the section cannot be found.
    pub(crate) fn written(&mut self, text: &str, version: &str, refs: &RefFormat) {
        let Ok(found) = self.found(text, version, refs) else {
            return;
        };
        // Where it was written, exactly: later counts find it there.
        if let Ok((start, end)) = self.bounds(text, version) {
            self.own = Some((end - start, fnv1a(&text.as_bytes()[start..end])));
            self.tail = Some((text.len() - end, fnv1a(&text.as_bytes()[end..])));
        }
        for (words, n) in &found.texts {
            if let Some(planned) = self.texts.get_mut(words) {
                *planned = (*planned).min(*n);
            }
        }
        self.texts.retain(|_, n| *n > 0);
        self.section = found.section;
        self.listed = Some(found.prs.keys().copied().collect());
    }

    /// The section's text (see [`Unread::bounds`]).
    fn locate<'t>(&self, text: &'t str, version: &str) -> Result<&'t str, String> {
        let (start, end) = self.bounds(text, version)?;
        Ok(&text[start..end])
    }

    /// Where the section lies in `text`: from the end of the head the changelog had (when
    /// it still has it), or else from the section's own title (its overline included); to
    /// the start of the text that followed it (when the changelog still ends with it), or
    /// else to the end of the section's own bytes (when they are still there, the title
    /// that followed them still after them), or else to
    /// the whole title that followed it — never to a single line, which a line of the
    /// section's own title may equal (an rst overline as long as the next one's).
    fn bounds(&self, text: &str, version: &str) -> Result<(usize, usize), String> {
        let (len, digest) = self.head;
        let start = match text.get(..len) {
            Some(head) if fnv1a(head.as_bytes()) == digest => len,
            _ => {
                let Some((line, _)) =
                    crate::towncrier::news_file::find_version_heading(text, version, None)
                else {
                    return Err(format!(
                        "the text before the {version} section changed and no title of \
                         {version} is found"
                    ));
                };
                title_start(text, line - 1)
            }
        };
        let held = |(n, digest): (usize, u64), at: usize| {
            text.get(at..at + n)
                .is_some_and(|bytes| fnv1a(bytes.as_bytes()) == digest)
        };
        if let Some((n, digest)) = self.tail {
            if let Some(end) = text.len().checked_sub(n).filter(|&e| e >= start) {
                if held((n, digest), end) {
                    return Ok((start, end));
                }
            }
        }
        // The section's own bytes, still followed by the title that followed them.
        if let Some(own) = self.own.filter(|&own| held(own, start)) {
            let end = start + own.0;
            if self.next.is_none() || title_lines(&text[end..]) == self.next_title {
                return Ok((start, end));
            }
        }
        let Some(next) = &self.next else {
            return Ok((start, text.len()));
        };
        let lines: Vec<(usize, &str)> = text[start..]
            .split_inclusive('\n')
            .scan(start, |at, line| {
                let this = *at;
                *at += line.len();
                Some((this, line.trim_end()))
            })
            .collect();
        let title: Vec<&str> = match self.next_title.is_empty() {
            true => vec![next.as_str()],
            false => self.next_title.iter().map(String::as_str).collect(),
        };
        // Past the section's own title (an overline of the next title's length is not it).
        let own_title = title_lines(&text[start..]).len().max(1);
        for (k, &(at, _)) in lines.iter().enumerate().skip(own_title) {
            let here = lines[k..].iter().map(|(_, l)| *l);
            if here.clone().count() >= title.len() && here.zip(&title).all(|(l, t)| l == *t) {
                return Ok((start, at));
            }
        }
        Err(format!(
            "the line that followed the {version} section (`{next}`) is no longer after it"
        ))
    }

    /// What the section `found` lost or lists too often of the texts counted, one phrase
    /// each; and, when some entries could not be told by their text, any change at all.
    pub(crate) fn wrong(&self, found: &Found) -> Vec<String> {
        let mut wrong = Vec::new();
        for (text, &n) in &self.texts {
            let short: String = match text.chars().count() > 60 {
                true => format!("{}…", text.chars().take(60).collect::<String>()),
                false => text.clone(),
            };
            match found.texts.get(text).copied().unwrap_or(0) {
                0 => wrong.push(format!("the entry \"{short}\" (naming no PR) is missing")),
                m if m > n => wrong.push(format!("\"{short}\" is listed {m} times")),
                m if m < n => wrong.push(format!("\"{short}\" is listed {m} of {n} times")),
                _ => {}
            }
        }
        // What the changelog step wrote is what is committed: an issue referenced since
        // is an entry added by hand, not one of this release (as in a section read back).
        if let Some(listed) = &self.listed {
            for pr in found.prs.keys().filter(|pr| !listed.contains(pr)) {
                wrong.push(format!(
                    "{} is not an entry of this release (added since the changelog step \
                     wrote the section)",
                    crate::changelog::Issue(*pr)
                ));
            }
        }
        let changed = found.section != self.section;
        if self.empty && found.items > 0 && wrong.is_empty() {
            wrong.push(format!(
                "the section was written listing no entry (towncrier's section for no \
                 fragments), and now lists {}: an entry added by hand is not one of this \
                 release",
                found.items
            ));
        } else if !self.empty && self.untold > 0 && changed {
            wrong.push(format!(
                "the section changed, and {} of its entries naming no PR cannot be told by \
                 their text as the template renders them, so none may change",
                self.untold
            ));
        }
        wrong
    }
}

/// The byte offset of line `index` (0-based) of `text`, as `str::lines` counts them.
fn line_start(text: &str, index: usize) -> usize {
    text.split_inclusive('\n').take(index).map(str::len).sum()
}

/// A punctuation character repeated: an rst title's overline or underline.
fn is_adornment(line: &str) -> bool {
    let line = line.trim_end();
    let mut chars = line.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_punctuation() && chars.all(|d| d == c))
}

/// The byte offset of the title whose text is on line `index` (0-based): its overline's,
/// when the line before it is one matching the line after it.
fn title_start(text: &str, index: usize) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let over = index
        .checked_sub(1)
        .filter(|&i| is_adornment(lines[i]) && lines.get(index + 1) == Some(&lines[i]));
    line_start(text, over.unwrap_or(index))
}

/// The lines of the title `text` starts with (after blank lines), trimmed at the end: an
/// overline, its text and an underline; a text over its underline; else the first line.
fn title_lines(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take(3)
        .map(str::trim_end)
        .collect();
    let n = match lines[..] {
        [over, _, under, ..] if is_adornment(over) && over == under => 3,
        [first, under, ..] if !is_adornment(first) && is_adornment(under) => 2,
        [_, ..] => 1,
        [] => 0,
    };
    lines[..n].iter().map(|l| l.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEXT: &str = "1.3.0 (2026-10-01)";

    fn unread(head: &str, section: &str, texts: &[(&str, usize)]) -> Unread {
        Unread {
            head: (head.len(), fnv1a(head.as_bytes())),
            next: Some(NEXT.to_string()),
            own: None,
            tail: None,
            next_title: Vec::new(),
            texts: texts.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
            untold: 0,
            section: fnv1a(squash(section).as_bytes()),
            listed: None,
            empty: false,
        }
    }

    const HEAD: &str = "Changes\n=======\n\n.. towncrier release notes start\n\n";
    const SECTION: &str = "1.4.0 (2026-12-01)\n==================\n\nFeatures\n--------\n\n\
                           - Add it `#1 <https://e.com/pull/1>`_\n- Orphan thing\n\n";
    const OLD: &str = "1.3.0 (2026-10-01)\n==================\n\nFeatures\n--------\n\n\
                       - Old `#5 <https://e.com/pull/5>`_\n";

    fn refs() -> RefFormat {
        RefFormat::new(Some("`#{issue} <https://e.com/pull/{issue}>`_"))
    }

    /// What the changelog step wrote is what is committed: an issue referenced since (an
    /// entry added by hand while the release was stopped) is refused; so is a list item in
    /// a section written listing no entry, which may be reworded. A state recorded before
    /// `listed` was kept refuses nothing for it.
    #[test]
    fn an_entry_added_since_the_step_wrote_the_section_is_refused() {
        let whole = format!("{HEAD}{SECTION}{OLD}");
        let mut u = unread(HEAD, SECTION, &[("Orphan thing", 1)]);
        u.written(&whole, "1.4.0", &refs());
        assert_eq!(u.listed, Some([1].into_iter().collect()));
        let count = |u: &Unread, text: &str| u.wrong(&u.found(text, "1.4.0", &refs()).unwrap());
        assert!(count(&u, &whole).is_empty());
        let added = whole.replace(
            "- Orphan thing\n",
            "- Orphan thing\n- Hand `#9 <https://e.com/pull/9>`_\n",
        );
        assert_eq!(
            count(&u, &added),
            [
                "#9 is not an entry of this release (added since the changelog step wrote the \
              section)"
            ]
        );
        // Moved from the older section into this one: added all the same.
        let moved = whole.replace("- Old `#5", "- Hand").replace(
            "- Orphan thing\n",
            "- Orphan thing\n- Old `#5 <https://e.com/pull/5>`_\n",
        );
        assert_eq!(count(&u, &moved).len(), 1, "{moved}");
        let legacy = Unread {
            listed: None,
            ..u.clone()
        };
        assert!(count(&legacy, &added).is_empty());

        let none = "1.4.0 (2026-12-01)\n==================\n\nNo significant changes.\n\n";
        let whole = format!("{HEAD}{none}{OLD}");
        let mut e = Unread {
            empty: true,
            ..unread(HEAD, none, &[])
        };
        e.written(&whole, "1.4.0", &refs());
        assert!(count(&e, &whole).is_empty());
        for reworded in ["No significant\n  changes.", "A rebuild: nothing changed."] {
            let reworded = whole.replace("No significant changes.", reworded);
            assert!(count(&e, &reworded).is_empty(), "{reworded}");
        }
        for hand in [
            "- Hand entry.",
            "* Hand entry.",
            "Features\n--------\n\n#. Hand entry.",
            "- Hand `#9 <https://e.com/pull/9>`_",
        ] {
            let added = whole.replace("No significant changes.", hand);
            assert_eq!(count(&e, &added).len(), 1, "{hand}");
        }
    }

    /// The section is found after its head, or at its own title when the head changed, up
    /// to the next release's title: references there are not the section's.
    #[test]
    fn the_section_is_counted_between_its_head_or_title_and_the_next_title() {
        let u = unread(HEAD, SECTION, &[("Orphan thing", 1)]);
        let whole = format!("{HEAD}{SECTION}{OLD}");
        let found = u.found(&whole, "1.4.0", &refs()).unwrap();
        assert_eq!(found.prs, [(1, 1)].into_iter().collect());
        assert!(u.wrong(&found).is_empty());
        // A reference moved into the older section counts for nothing.
        let moved = whole
            .replace("- Add it `#1 <https://e.com/pull/1>`_\n", "")
            .replace("- Old ", "- Old, see `#1 <https://e.com/pull/1>`_ ");
        let found = u.found(&moved, "1.4.0", &refs()).unwrap();
        assert!(found.prs.is_empty(), "{:?}", found.prs);
        // The head changed: found by the title.
        let edited = whole.replace("Changes\n", "News\n");
        let found = u.found(&edited, "1.4.0", &refs()).unwrap();
        assert_eq!(found.prs, [(1, 1)].into_iter().collect());
        // Head and title gone: not found, said.
        let gone = edited.replace("1.4.0 (", "Next (");
        assert!(
            u.found(&gone, "1.4.0", &refs())
                .unwrap_err()
                .contains("no title")
        );
        // The next title gone: not found.
        let gone = whole.replace(NEXT, "Older");
        assert!(u.found(&gone, "1.4.0", &refs()).unwrap_err().contains(NEXT));
    }

    /// An entry naming no PR is counted by its text: dropped, doubled; one a template
    /// renders in other words holds the section to its planned text.
    #[test]
    fn entries_naming_no_pr_are_counted_by_their_text() {
        let u = unread(HEAD, SECTION, &[("Orphan thing", 1)]);
        let count = |text: &str| u.wrong(&u.found(text, "1.4.0", &refs()).unwrap());
        let whole = format!("{HEAD}{SECTION}{OLD}");
        assert!(count(&whole).is_empty());
        let dropped = whole.replace("- Orphan thing\n", "");
        assert_eq!(
            count(&dropped),
            ["the entry \"Orphan thing\" (naming no PR) is missing"]
        );
        // Moved into the older section: still missing from this one.
        let moved = dropped.replace("- Old ", "- Orphan thing\n- Old ");
        assert_eq!(count(&moved).len(), 1);
        let doubled = whole.replace("- Orphan thing\n", "- Orphan thing\n- Orphan thing\n");
        assert_eq!(count(&doubled), ["\"Orphan thing\" is listed 2 times"]);
        // Rewrapped: the same.
        let wrapped = whole.replace("- Orphan thing", "- Orphan\n  thing");
        assert!(count(&wrapped).is_empty());
        let untold = Unread {
            untold: 1,
            ..u.clone()
        };
        let found = untold.found(&wrapped, "1.4.0", &refs()).unwrap();
        assert!(untold.wrong(&found).is_empty(), "whitespace is no change");
        let found = untold.found(&dropped, "1.4.0", &refs()).unwrap();
        assert_eq!(untold.wrong(&found).len(), 2);
    }

    /// The plan of `section` written between `head` and `old`, as the changelog step
    /// writes it (towncrier's text: the section, then the older releases left-stripped).
    fn planned(head: &str, section: &str, old: &str) -> (Unread, String) {
        let text = format!("{head}{section}{old}");
        let build = BuildPlan {
            changelog: "CHANGELOG.rst".into(),
            text: text.clone(),
            section: section.to_string(),
            fragments: Vec::new(),
            previous: Some(format!("{head}{old}")),
        };
        (
            Unread::of_build(&build, &FragmentSet::default(), false),
            text,
        )
    }

    fn prs(u: &Unread, text: &str, version: &str) -> Vec<u64> {
        let refs = RefFormat::new(Some(":issue:`{issue}`"));
        let found = u.found(text, version, &refs).unwrap();
        found.prs.keys().copied().collect()
    }

    /// An over- and underlined title (pypa/build): hash-lines of one length over and under
    /// every release's title, the previous release's overline equal to the new section's
    /// own lines. The section is found where the release wrote it, to its own end — with
    /// the head or the tail changed by a step, and from a state that kept neither.
    #[test]
    fn identical_overlines_do_not_cut_the_section() {
        let bar = "#".repeat(21);
        let title = |v: &str| format!("{bar}\n {v} (2026-12-06)\n{bar}\n");
        let section = format!(
            "{}\n**********\n Bugfixes\n**********\n\n- Fixed bar. (:issue:`1181`)\n\n",
            title("1.7.0rc2")
        );
        let old = format!(
            "{}\n**********\n Features\n**********\n\n- Added foo. (:issue:`1180`)\n",
            title("1.7.0rc1")
        );
        let (u, text) = planned("", &section, &old);
        assert_eq!(u.next_title, [bar.as_str(), " 1.7.0rc1 (2026-12-06)", &bar]);
        assert_eq!(prs(&u, &text, "1.7.0rc2"), [1181]);
        // A step wrote a reference into the older section: the section's own bytes.
        let tail_changed = text.replace("- Added foo.", "- Added foo, see :issue:`1181`.");
        assert_eq!(prs(&u, &tail_changed, "1.7.0rc2"), [1181]);
        // The title that followed it lost: not found, said.
        let lost = tail_changed.replace(" 1.7.0rc1 (", " Old (");
        let refs = RefFormat::new(Some(":issue:`{issue}`"));
        let why = u.found(&lost, "1.7.0rc2", &refs).unwrap_err();
        assert!(why.contains("no longer after it"), "{why}");
        // A step rewrapped the section (head and tail kept): between them.
        let own_changed = text.replace("- Fixed bar.", "- Fixed\n  bar.");
        assert_eq!(prs(&u, &own_changed, "1.7.0rc2"), [1181]);
        // Both changed: up to the whole next title, never to the section's own underline.
        let both = own_changed.replace("- Added foo.", "- Added foo, see :issue:`1181`.");
        assert_eq!(prs(&u, &both, "1.7.0rc2"), [1181]);
        // The head changed too: found at its title, the overline included.
        let (u2, text2) = planned("Intro\n\n", &section, &old);
        let all = text2
            .replace("Intro", "Preface")
            .replace("- Fixed bar.", "- Fixed\n  bar.")
            .replace("- Added foo.", "- Added foo, see :issue:`1181`.");
        let (start, _) = u2.bounds(&all, "1.7.0rc2").unwrap();
        assert_eq!(start, "Preface\n\n".len());
        assert_eq!(prs(&u2, &all, "1.7.0rc2"), [1181]);
        // A state that kept neither own bytes nor the next title (recorded before them):
        // the next title's first line, looked for past the section's own title.
        let legacy = Unread {
            own: None,
            tail: None,
            next_title: Vec::new(),
            ..u.clone()
        };
        assert_eq!(prs(&legacy, &both, "1.7.0rc2"), [1181]);
    }

    /// Identical first lines, a title equal to an older one's (a template writing no
    /// version), underline-only titles: the section is still its own bytes.
    #[test]
    fn identical_titles_and_first_lines_do_not_move_the_section() {
        // A template whose title names no version: the section's title is the older one's.
        let section = "Changes\n=======\n\n- New (:issue:`2`)\n\n";
        let old = "Changes\n=======\n\n- Old (:issue:`1`)\n";
        let head = "Log\n===\n\n.. towncrier release notes start\n";
        let (u, text) = planned(head, section, old);
        assert_eq!(u.next_title, ["Changes", "======="]);
        assert_eq!(prs(&u, &text, "9.9.9"), [2]);
        let edited = text.replace("- New", "- Newer").replace("- Old", "- Older");
        assert_eq!(prs(&u, &edited, "9.9.9"), [2]);
        // Underline-only titles of one length, first lines alike (virtualenv's shape).
        let section = "v20.35.0rc2 (2026-01-02)\n------------------------\n\n- B (:issue:`4`)\n\n";
        let old = "v20.35.0rc1 (2026-01-01)\n------------------------\n\n- A (:issue:`3`)\n";
        let (u, text) = planned(head, section, old);
        let edited = text.replace("- B", "- Bb").replace("- A (", "- Aa (");
        assert_eq!(prs(&u, &edited, "20.35.0rc2"), [4]);
        // An overlined title whose old neighbour's overline is longer: no false cut either.
        let section = "====\n 2.0\n====\n\n- C (:issue:`6`)\n\n";
        let old = "=====\n 1.9 \n=====\n\n- D (:issue:`5`)\n";
        let (u, text) = planned("", section, old);
        let edited = text.replace("- C", "- Cc").replace("- D", "- Dd");
        assert_eq!(prs(&u, &edited, "2.0"), [6]);
    }
}
