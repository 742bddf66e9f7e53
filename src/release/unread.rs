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
    /// Each text of an entry naming no PR (whitespace squashed), with how many times the
    /// planned section holds it.
    pub texts: BTreeMap<String, usize>,
    /// How many entries naming no PR the planned section does not show in their words
    /// (a template that rewrites them): then the section must keep its planned text.
    pub untold: usize,
    /// The digest of the planned section, whitespace squashed.
    pub section: u64,
}

/// What the section holds now: each PR's references and each counted text's occurrences.
#[derive(Debug)]
pub(crate) struct Found {
    pub prs: BTreeMap<u64, usize>,
    pub texts: BTreeMap<String, usize>,
    pub section: u64,
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
        let rest = &build.text[at + section.len()..];
        let next = rest
            .lines()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim_end().to_string());
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
            texts,
            untold,
            section: fnv1a(planned.as_bytes()),
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
        for (words, n) in &found.texts {
            if let Some(planned) = self.texts.get_mut(words) {
                *planned = (*planned).min(*n);
            }
        }
        self.texts.retain(|_, n| *n > 0);
        self.section = found.section;
    }

    /// The section's text: after the head the changelog had (when it still has it), or
    /// from the section's own title; up to the line that followed it.
    fn locate<'t>(&self, text: &'t str, version: &str) -> Result<&'t str, String> {
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
                line_start(text, line - 1)
            }
        };
        let Some(next) = &self.next else {
            return Ok(&text[start..]);
        };
        let mut at = start;
        for line in text[start..].split_inclusive('\n') {
            if at > start && line.trim_end() == next {
                return Ok(&text[start..at]);
            }
            at += line.len();
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
        if self.untold > 0 && found.section != self.section {
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

#[cfg(test)]
mod tests {
    use super::*;

    const NEXT: &str = "1.3.0 (2026-10-01)";

    fn unread(head: &str, section: &str, texts: &[(&str, usize)]) -> Unread {
        Unread {
            head: (head.len(), fnv1a(head.as_bytes())),
            next: Some(NEXT.to_string()),
            texts: texts.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
            untold: 0,
            section: fnv1a(squash(section).as_bytes()),
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
}
