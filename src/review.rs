//! Reviewing the consolidated section in the user's editor, and validating the result.
//!
//! The draft is written to `.git/RELEASE_NOTES.md` with `<!-- … -->` comments that say how
//! to edit it and why each group holds its entries. After the editor exits the comments are
//! stripped and the draft is validated: one release heading for the right version, known
//! categories, well-formed subsections, every entry exactly once, no placeholder left. An
//! emptied draft aborts; a draft that does not validate is kept for `--resume`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::changelog::{Changelog, Entry, RefFormat, Release};
use crate::config::Config;
use crate::consolidate::{Carried, Identity, Mismatch, Prepared};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::version::Version;

/// The draft's file name inside the git directory.
pub const DRAFT_FILE: &str = "RELEASE_NOTES.md";

/// Words that mean the author meant to come back.
const PLACEHOLDERS: &[&str] = &["TODO", "TBD", "FIXME", "XXX", "<description>", "<title>"];

/// What the reviewed section must contain.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub version: Version,
    /// The categories the section may use (the project's type names).
    pub categories: Vec<String>,
    /// Every entry that must appear exactly once.
    pub entries: Vec<Entry>,
    /// How the project writes PR references: the draft is read with it.
    pub refs: RefFormat,
    /// The references the text outside entries may hold (the rc sections' prose carried).
    pub carried: Carried,
}

/// The outcome of a review.
#[derive(Debug)]
pub enum Outcome {
    /// The validated section.
    Accepted(Box<Release>),
    /// The user emptied the draft: nothing is written.
    Aborted,
}

/// Render the draft: instructions, then the section with a "why" comment under each group.
pub fn draft_text(
    section: &str,
    reasons: &BTreeMap<(String, String), String>,
    changelog: &str,
) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<!--\n\
         Review the section before it is written to {changelog}.\n\
         \n\
         - Move an entry to another group by moving its line; keep every entry exactly once.\n\
         - Rename a group by editing its \"#### \" heading; edit or delete its description.\n\
         - Delete a group's heading (and description) to merge its entries into the group above.\n\
         - Entry text may be edited; the PR links identify the entries.\n\
         - Comments like this one are removed. Empty the file to abort: nothing is written.\n\
         -->\n"
    ));
    let mut category = String::new();
    for line in section.lines() {
        out.push_str(line);
        out.push('\n');
        if let Some(name) = line.strip_prefix("### ") {
            category = name.trim().to_string();
        } else if let Some(title) = line.strip_prefix("#### ") {
            if let Some(why) = reasons.get(&(category.clone(), title.trim().to_string())) {
                out.push_str(&format!("<!-- why: {} -->\n", why.replace("--", "-")));
            }
        }
    }
    out
}

/// Remove the comments on lines of their own that are not part of an entry: the draft's
/// instructions and "why" notes, and any the author added between entries. A comment inside
/// an entry's text is the entry's (a fragment may say `` `<!-- x -->` ``) and is kept. Text
/// after a comment's end on its last line is kept. A comment that never closes is kept, so
/// that validation reports it.
pub fn strip_comments(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut next = 0;
    for (first, last) in crate::changelog::comments_outside_entries(text) {
        for line in &lines[next..first] {
            out.push_str(line);
        }
        let end = lines[last];
        if let Some(p) = end.rfind("-->") {
            let rest = &end[p + 3..];
            if !rest.trim().is_empty() {
                out.push_str(rest.trim_start());
            }
        }
        next = last + 1;
    }
    for line in &lines[next.min(lines.len())..] {
        out.push_str(line);
    }
    out
}

/// Validate a stripped draft. Problems are listed with the draft's line numbers.
pub fn validate(text: &str, expect: &Expectation) -> std::result::Result<Release, Vec<String>> {
    validate_with(text, expect, true)
}

/// [`validate`], the placeholder words looked for only when `placeholders` (a section no
/// one edited has none of its own; an entry may say `TODO` as the fragment wrote it).
fn validate_with(
    text: &str,
    expect: &Expectation,
    placeholders: bool,
) -> std::result::Result<Release, Vec<String>> {
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|_| placeholders) {
        for p in PLACEHOLDERS {
            if line.contains(p) {
                problems.push(format!(
                    "line {}: placeholder `{p}` left in the text",
                    n + 1
                ));
            }
        }
    }
    // What would not render as it reads (an unclosed fence or HTML block, a control
    // character, an entry shown as code) and PR references outside the entries: the same
    // rules as for the section written.
    let log = Changelog::parse_project(text, None, &expect.refs);
    problems.extend(crate::consolidate::well_formed(&log, 1));
    problems.extend(crate::consolidate::references(
        &log,
        1,
        &expect.refs,
        &expect.carried,
    ));
    for p in log.problems() {
        // The draft's structure is the grouping: a heading the reader does not take as a
        // group's would move entries without a word.
        use crate::changelog::ProblemKind::{
            DeepHeading, MisplacedHeading, SetextHeading, UnclosedComment,
        };
        let structural = matches!(
            p.kind,
            UnclosedComment | SetextHeading | DeepHeading | MisplacedHeading
        );
        if p.severity == crate::changelog::Severity::Error || structural {
            problems.push(format!("line {}: {}", p.line, p.message));
        }
    }
    let releases = log.releases();
    let release = match releases {
        [] => {
            problems.push(format!("no `## {} (date)` heading", expect.version));
            return Err(problems);
        }
        [one] => one.clone(),
        [first, more @ ..] => {
            for r in more {
                problems.push(format!(
                    "line {}: a second release heading `{}`; the draft holds one release",
                    r.line(),
                    r.title()
                ));
            }
            first.clone()
        }
    };
    if log.level() != 2 {
        problems.push(format!(
            "line {}: the release heading must start with `## `",
            release.line()
        ));
    }
    if release.version() != Some(&expect.version) {
        problems.push(format!(
            "line {}: the heading `{}` is not for version {}",
            release.line(),
            release.title(),
            expect.version
        ));
    }
    if let Some(e) = release.loose_entries().first() {
        problems.push(format!(
            "line {}: entry outside any `### ` category",
            e.line
        ));
    }
    let mut seen_categories: Vec<&str> = Vec::new();
    for c in &release.categories {
        // A new category is the maintainer's call (a "Security Improvements" block, say);
        // one that is nearly a known name is a typo.
        if let Some(near) = crate::consolidate::near_miss(&c.name, &expect.categories) {
            problems.push(format!(
                "line {}: unknown category `{}`; did you mean `{near}`? (known: {})",
                c.line,
                c.name,
                expect.categories.join(", ")
            ));
        }
        if seen_categories.contains(&c.name.as_str()) {
            problems.push(format!(
                "line {}: category `{}` appears twice",
                c.line, c.name
            ));
        }
        seen_categories.push(&c.name);
        for s in &c.subsections {
            if s.title.trim().is_empty() {
                problems.push(format!(
                    "line {}: a `#### ` heading without a title",
                    s.line
                ));
            }
            if s.entries.is_empty() {
                problems.push(format!(
                    "line {}: group `{}` has no entries",
                    s.line, s.title
                ));
            }
            // `#### Fixes` under Features reads as a category where it is published.
            let title = s.title.trim();
            if let Some(k) = crate::group::titled_like_category(title, &c.name, &expect.categories)
            {
                problems.push(format!(
                    "line {}: group `{title}` is titled like the category `{k}`; give it a \
                     title of its own",
                    s.line
                ));
            }
        }
        if c.entries.is_empty() && c.subsections.is_empty() {
            problems.push(format!(
                "line {}: category `{}` has no entries",
                c.line, c.name
            ));
        }
    }

    // Every expected entry exactly once, by its PRs wherever they stand (several listings
    // of one PR set may be merged); entries without a PR may be reworded, so they are
    // counted rather than matched by text.
    let found: Vec<&Entry> = release.entries().collect();
    let expected: Vec<&Entry> = expect.entries.iter().collect();
    let mut mismatches = crate::consolidate::compare_reviewed(&expected, &found);
    mismatches.sort_by_key(|m| match m {
        Mismatch::Missing { .. } => (0, 0),
        Mismatch::Extra { found: f, .. } => (1, f.first().map_or(0, |&k| found[k].line)),
    });
    for m in mismatches {
        match m {
            Mismatch::Missing { identity, texts } => {
                for text in texts {
                    problems.push(format!("missing entry: {}", describe(&identity, &text)));
                }
            }
            Mismatch::Extra {
                identity,
                found: listed,
                expected: 0,
            } => {
                for k in listed {
                    problems.push(format!(
                        "line {}: entry not in the release inputs ({}); add it as a news fragment instead",
                        found[k].line,
                        describe(&identity, &found[k].text)
                    ));
                }
            }
            // More entries without PR than the inputs have: the ones whose text no input
            // has are the added ones (an edited one still matches no input: named too).
            Mismatch::Extra {
                identity: Identity::Orphan,
                found: listed,
                expected,
            } if orphans_added(&listed, &found, &expect.entries).len()
                == listed.len() - expected =>
            {
                for k in orphans_added(&listed, &found, &expect.entries) {
                    problems.push(format!(
                        "line {}: entry not in the release inputs ({}); add it as a news fragment instead",
                        found[k].line,
                        describe(&Identity::Orphan, &found[k].text)
                    ));
                }
            }
            Mismatch::Extra {
                identity,
                found: listed,
                expected,
            } => problems.push(format!(
                "lines {}: the same entry is listed {} times, {expected} expected ({})",
                listed
                    .iter()
                    .map(|&k| found[k].line.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                listed.len(),
                describe(&identity, &found[listed[0]].text)
            )),
        }
    }
    if problems.is_empty() {
        Ok(release)
    } else {
        Err(problems)
    }
}

/// Of the entries without PR found at `listed`, those whose text no expected entry without
/// PR has at all (a second copy of an input's text is a repeat, not an addition).
fn orphans_added(listed: &[usize], found: &[&Entry], expected: &[Entry]) -> Vec<usize> {
    let inputs: Vec<String> = expected
        .iter()
        .filter(|e| e.prs.is_empty())
        .map(Entry::normalized_text)
        .collect();
    listed
        .iter()
        .copied()
        .filter(|&k| !inputs.contains(&found[k].normalized_text()))
        .collect()
}

fn describe(identity: &Identity, text: &str) -> String {
    let text: String = text.chars().take(70).collect();
    match identity {
        Identity::Orphan => format!("\"{text}\""),
        prs => format!("{prs} \"{text}\""),
    }
}

/// What to run once the editor is fixed, for `consolidate` (a release's review says
/// `git release continue` instead: see `release::steps`), the end of the sentence that
/// names the failed editor.
pub const RESUME_AFTER_EDITOR: &str = "then run `git release consolidate --resume`";

/// Run the editor on `path` the way git does: through the shell, so that editors with
/// arguments (`code --wait`, `sed -i …`) work.
pub fn run_editor(editor: &str, path: &Path, cwd: &Path, then: &str) -> Result<()> {
    if editor == ":" {
        return Ok(());
    }
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(editor)
        .arg(path)
        .current_dir(cwd)
        .status()
        .map_err(|e| Error::Review(format!("cannot start the editor `{editor}`: {e}")))?;
    if !status.success() {
        return Err(Error::Review(format!(
            "the editor `{editor}` exited with {status}; the draft is kept in {}: fix the editor, {then}",
            path.display()
        )));
    }
    Ok(())
}

/// Where the draft lives.
pub fn draft_path(git_dir: &Path) -> PathBuf {
    git_dir.join(DRAFT_FILE)
}

/// Refuse to start a new review over a kept draft: it holds review work (a review that
/// did not validate, was interrupted, or whose section could not be written) that a new
/// draft would silently replace.
pub fn check_no_kept_draft(git_dir: &Path) -> Result<()> {
    refuse_kept(&draft_path(git_dir))
}

fn refuse_kept(draft: &Path) -> Result<()> {
    if draft.symlink_metadata().is_err() {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "a draft from an earlier review is kept in {}, and a new review (or a section \
         written without one, --no-edit) would replace it; reopen it with `git release \
         consolidate --resume` (`--resume --no-edit` writes it as it is; `git release \
         continue` for a stopped release), or delete it to start a new review",
        draft.display()
    )))
}

/// Remove the reviewed draft once its section is written.
pub fn discard_draft(git_dir: &Path) {
    let _ = std::fs::remove_file(draft_path(git_dir));
}

/// Open the draft in the editor, then validate it. With `resume`, the kept draft is
/// reopened instead of writing a new one.
pub fn review(
    draft: &Path,
    initial: &str,
    resume: bool,
    editor_cmd: &str,
    cwd: &Path,
    expect: &Expectation,
    then: &str,
) -> Result<Outcome> {
    if resume && !draft.is_file() {
        return Err(Error::Refused(format!(
            "there is no draft to resume ({} does not exist); run the command without --resume \
             to start a new review",
            draft.display()
        )));
    }
    if !resume {
        refuse_kept(draft)?;
        crate::atomic::write(draft, initial.as_bytes())?;
    }
    run_editor(editor_cmd, draft, cwd, then)?;
    let outcome = read_draft(draft, expect)?;
    if let Outcome::Aborted = outcome {
        let _ = std::fs::remove_file(draft);
    }
    Ok(outcome)
}

/// Read the draft and validate it: the section, or the draft emptied.
fn read_draft(draft: &Path, expect: &Expectation) -> Result<Outcome> {
    let bytes = std::fs::read(draft).map_err(|e| Error::io(draft, e))?;
    // A draft that is not UTF-8 is refused like any draft that does not validate, and kept.
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::Review(format!(
            "the reviewed draft is not UTF-8 text (byte {}); nothing was written. The draft is \
             kept in {}: save it as UTF-8, then run `git release consolidate --resume`",
            e.utf8_error().valid_up_to(),
            draft.display()
        ))
    })?;
    let stripped = strip_comments(&text);
    if stripped.trim().is_empty() {
        return Ok(Outcome::Aborted);
    }
    match validate(&stripped, expect) {
        // The draft is kept until the section is written ([`discard_draft`]): a write that
        // is refused (the changelog changed meanwhile) leaves the review to resume.
        Ok(release) => Ok(Outcome::Accepted(Box::new(release))),
        Err(problems) => Err(Error::Review(format!(
            "the reviewed section does not validate; nothing was written:\n{}\n\
             The draft is kept in {}. Run `git release consolidate --resume` to fix it \
             (line numbers count from the first line after the removed comments).",
            problems
                .iter()
                .map(|p| format!("  - {p}"))
                .collect::<Vec<_>>()
                .join("\n"),
            draft.display()
        ))),
    }
}

/// Open a consolidated section in the editor and validate it; `None` when the user
/// emptied the draft. `then` ends the message of an editor that failed: what to run once it
/// is fixed ([`RESUME_AFTER_EDITOR`] for `consolidate`).
pub fn review_release(
    repo: &Repo,
    config: &Config,
    prepared: &Prepared,
    resume: bool,
    then: &str,
) -> Result<Option<Release>> {
    let release = prepared.grouped.release();
    let section = release.render(2);
    let display = prepared
        .path
        .strip_prefix(repo.root())
        .unwrap_or(&prepared.path)
        .display()
        .to_string();
    let draft = draft_text(&section, &prepared.grouped.reasons(), &display);
    let expect = expectation(config, prepared, &release);
    let editor = repo.review_editor()?;
    match review(
        &draft_path(repo.git_dir()),
        &draft,
        resume,
        &editor,
        repo.root(),
        &expect,
        then,
    )? {
        Outcome::Accepted(r) => Ok(Some(*r)),
        Outcome::Aborted => Ok(None),
    }
}

/// What the reviewed section of `prepared` (grouped as `release`) must hold.
fn expectation(config: &Config, prepared: &Prepared, release: &Release) -> Expectation {
    Expectation {
        version: prepared.grouped.consolidation.version.clone(),
        categories: config.category_order(),
        entries: release.entries().cloned().collect(),
        refs: prepared.refs.clone(),
        carried: prepared.ledger.carried(&prepared.refs),
    }
}

/// A section written without the review (`--no-edit`) passes the review's checks all the
/// same: what the rc sections carried (a setext or misplaced heading, a code block that
/// runs on) is refused here, before anything is written, rather than published.
pub fn check_unreviewed(config: &Config, prepared: &Prepared) -> Result<()> {
    let release = prepared.grouped.release();
    let expect = expectation(config, prepared, &release);
    match validate_with(&release.render(2), &expect, false) {
        Ok(_) => Ok(()),
        Err(problems) => Err(Error::Refused(format!(
            "the {} section consolidated from {} would publish what the review refuses \
             ({}); correct the rc sections there, or run without --no-edit and correct it \
             in the review",
            expect.version,
            prepared.path.display(),
            problems
                .iter()
                .map(|p| match p.strip_prefix("line ") {
                    Some(rest) => format!("the section's line {rest}"),
                    None => p.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

/// The kept draft, without opening the editor (`consolidate --resume --no-edit`): the
/// reviewer's section, held to the same checks as a review that just closed (the version,
/// every entry of `prepared` once…), or refused with the draft kept; `None` when it was
/// emptied (left for the caller to discard). A fresh section is never put in its place.
pub fn kept_release(repo: &Repo, config: &Config, prepared: &Prepared) -> Result<Option<Release>> {
    let draft = draft_path(repo.git_dir());
    if !draft.is_file() {
        return Err(Error::Refused(format!(
            "there is no draft to resume ({} does not exist); run the command without --resume \
             to write a new section",
            draft.display()
        )));
    }
    let expect = expectation(config, prepared, &prepared.grouped.release());
    match read_draft(&draft, &expect)? {
        Outcome::Accepted(r) => Ok(Some(*r)),
        Outcome::Aborted => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTION: &str = "## 2.0.0 (2026-03-01)\n\n### Features\n\n#### Fair Share\nAdded fair share.\n\n* Add A ([#1](u/1))\n* Add B ([#2](u/2))\n\n#### Other Features\n* Add C ([#3](u/3))\n\n### Fixes\n* Fix D ([#4](u/4))\n";

    fn expectation() -> Expectation {
        let log = Changelog::parse(SECTION);
        Expectation {
            version: Version::parse("2.0.0").unwrap(),
            categories: vec!["Features".into(), "Fixes".into(), "Documentation".into()],
            entries: log.releases()[0].entries().cloned().collect(),
            refs: RefFormat::default(),
            carried: Carried::default(),
        }
    }

    #[test]
    fn the_draft_round_trips_through_comments() {
        let mut reasons = BTreeMap::new();
        reasons.insert(
            ("Features".to_string(), "Fair Share".to_string()),
            "rule `Fair Share`".to_string(),
        );
        let draft = draft_text(SECTION, &reasons, "CHANGELOG.md");
        assert!(draft.contains("<!-- why: rule `Fair Share` -->\n"));
        assert_eq!(strip_comments(&draft), SECTION);
        assert!(validate(&strip_comments(&draft), &expectation()).is_ok());
    }

    #[test]
    fn moving_entries_and_renaming_groups_is_fine() {
        let edited = SECTION
            .replace("#### Fair Share", "#### Fair Share Scheduler")
            .replace(
                "* Add B ([#2](u/2))\n\n#### Other Features\n* Add C ([#3](u/3))",
                "\n#### Other Features\n* Add C ([#3](u/3))\n* Add B, reworded ([#2](u/2))",
            );
        let r = validate(&edited, &expectation()).unwrap();
        assert_eq!(r.categories[0].subsections[0].title, "Fair Share Scheduler");
    }

    #[test]
    fn lost_duplicated_and_foreign_entries_are_reported() {
        let edited = SECTION.replace("* Add A ([#1](u/1))\n", "").replace(
            "* Fix D ([#4](u/4))\n",
            "* Fix D ([#4](u/4))\n* Fix D ([#4](u/4))\n* New ([#9](u/9))\n",
        );
        let problems = validate(&edited, &expectation()).unwrap_err();
        let all = problems.join("\n");
        assert!(all.contains("missing entry: #1"), "{all}");
        assert!(all.contains("listed 2 times"), "{all}");
        assert!(all.contains("not in the release inputs"), "{all}");
    }

    #[test]
    fn malformed_headings_and_placeholders_are_reported() {
        let edited = SECTION
            .replace("### Fixes", "### Fixez")
            .replace("Added fair share.", "TODO describe")
            .replace("## 2.0.0 (", "## 2.0.1 (");
        let all = validate(&edited, &expectation()).unwrap_err().join("\n");
        assert!(
            all.contains("unknown category `Fixez`; did you mean `Fixes`?"),
            "{all}"
        );
        // A category of its own is fine.
        let security = SECTION.replace(
            "### Fixes\n* Fix D ([#4](u/4))\n",
            "### Fixes\n* Fix D ([#4](u/4))\n\n### Security Improvements\n* Add A ([#1](u/1))\n",
        ).replace("* Add A ([#1](u/1))\n* Add B", "* Add B");
        assert!(validate(&security, &expectation()).is_ok());
        assert!(all.contains("placeholder `TODO`"), "{all}");
        assert!(all.contains("not for version 2.0.0"), "{all}");
        let empty_group = SECTION.replace("* Add C ([#3](u/3))\n", "");
        let all = validate(&empty_group, &expectation())
            .unwrap_err()
            .join("\n");
        assert!(
            all.contains("group `Other Features` has no entries"),
            "{all}"
        );
    }

    #[test]
    fn scripted_editors_edit_the_draft() {
        let dir = tempfile::tempdir().unwrap();
        let draft = dir.path().join(DRAFT_FILE);
        let expect = expectation();
        let ok = review(
            &draft,
            SECTION,
            false,
            "sed -i -e 's/#### Fair Share/#### Scheduler/'",
            dir.path(),
            &expect,
            RESUME_AFTER_EDITOR,
        )
        .unwrap();
        match ok {
            Outcome::Accepted(r) => assert_eq!(r.categories[0].subsections[0].title, "Scheduler"),
            Outcome::Aborted => panic!("accepted expected"),
        }
        // Kept until its section is written, then discarded.
        assert!(draft.exists());
        discard_draft(dir.path());
        assert!(!draft.exists());
        let aborted = review(
            &draft,
            SECTION,
            false,
            "sh -c ': > \"$1\"' --",
            dir.path(),
            &expect,
            RESUME_AFTER_EDITOR,
        )
        .unwrap();
        assert!(matches!(aborted, Outcome::Aborted));
        let err = review(
            &draft,
            SECTION,
            false,
            "sed -i -e '/Add A/d'",
            dir.path(),
            &expect,
            RESUME_AFTER_EDITOR,
        )
        .unwrap_err();
        assert!(err.to_string().contains("missing entry: #1"), "{err}");
        assert!(draft.exists(), "an invalid draft is kept for --resume");
        // Resume reopens the kept draft; putting the entry back makes it valid.
        let fixed = review(
            &draft,
            SECTION,
            true,
            "sed -i -e 's/^\\* Add B/* Add A ([#1](u\\/1))\\n* Add B/'",
            dir.path(),
            &expect,
            RESUME_AFTER_EDITOR,
        )
        .unwrap();
        assert!(matches!(fixed, Outcome::Accepted(_)));
    }

    #[test]
    fn only_the_comments_outside_entries_are_stripped() {
        let section = "## 2.0.0 (2026-03-01)\n\n### Features\n\
                       * Escape `<!-- x -->` in templates ([#1](u/1))\n\
                       * Fix B\n  <!-- kept: part of the entry -->\n  more ([#2](u/2))\n";
        let mut reasons = BTreeMap::new();
        reasons.insert(("Features".into(), "G".into()), "why".to_string());
        let draft = draft_text(section, &reasons, "CHANGELOG.md");
        assert!(draft.starts_with("<!--\n"));
        assert_eq!(strip_comments(&draft), section);
        // An author's comment between entries goes; text after a comment's end stays.
        let edited = section.replace(
            "* Fix B",
            "<!-- note to self -->\n<!--\nmulti\n--> Kept tail\n* Fix B",
        );
        assert_eq!(
            strip_comments(&edited),
            section.replace("* Fix B", "Kept tail\n* Fix B")
        );
        // A comment that never closes is kept, and reported.
        let open = format!("{section}<!-- oops\n");
        assert_eq!(strip_comments(&open), open);
        let log = Changelog::parse(section);
        let expect = Expectation {
            version: Version::parse("2.0.0").unwrap(),
            categories: vec!["Features".into()],
            entries: log.releases()[0].entries().cloned().collect(),
            refs: RefFormat::default(),
            carried: Carried::default(),
        };
        let all = validate(&open, &expect).unwrap_err().join("\n");
        assert!(all.contains("never closes"), "{all}");
        assert!(validate(section, &expect).is_ok());
    }

    #[test]
    fn an_entry_without_pr_may_be_reworded_not_dropped() {
        let section = format!("{SECTION}* Improve the docs\n* Improve the examples\n");
        let log = Changelog::parse(&section);
        let expect = Expectation {
            entries: log.releases()[0].entries().cloned().collect(),
            ..expectation()
        };
        let reworded = section.replace("Improve the docs", "Improve the user guide");
        assert!(validate(&reworded, &expect).is_ok());
        let dropped = section.replace("* Improve the docs\n", "");
        let all = validate(&dropped, &expect).unwrap_err().join("\n");
        assert!(all.contains("missing entry: \"Improve the docs\""), "{all}");
        let doubled = section.replace(
            "* Improve the docs\n",
            "* Improve the docs\n* Improve the docs\n",
        );
        let all = validate(&doubled, &expect).unwrap_err().join("\n");
        assert!(all.contains("listed 3 times, 2 expected"), "{all}");
    }

    #[test]
    fn resume_without_a_draft_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let draft = dir.path().join(DRAFT_FILE);
        let err = review(
            &draft,
            SECTION,
            true,
            "true",
            dir.path(),
            &expectation(),
            RESUME_AFTER_EDITOR,
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::Refused(_)) && err.to_string().contains("no draft to resume"),
            "{err}"
        );
        assert!(!draft.exists());
    }
}
