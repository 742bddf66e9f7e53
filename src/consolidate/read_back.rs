//! A rendered section read back: every fragment must come back as an entry of its category
//! carrying its issue, once per distinct text, before its fragment is removed.

use crate::changelog::{RefFormat, Release};
use crate::config::Config;
use crate::error::{Error, Result};

/// What [`check_fragments_read_back`] makes of a category the rendered section holds under
/// no heading it can read (a template that writes it as an admonition, `:::{important}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unheaded {
    /// A final folds and groups by category: its entries would be lost.
    Refused,
    /// A pre-release's section is written as towncrier writes it: each fragment's text
    /// must be in it, where the template put it.
    WrittenAsRendered,
}

/// Every fragment must come back from the rendered section as an entry of its category
/// that carries its issue, once per distinct text (numbered fragments of one issue are
/// separate entries): a template whose output the changelog model cannot read, that
/// leaves a category or an entry out, or lists one twice would otherwise lose or repeat
/// entries silently (the fragments are deleted afterwards). Final and pre-releases alike,
/// but for a category the section writes under no heading (see [`Unheaded`]). `release`:
/// the section read back as a release, `None` when it is not one (reStructuredText, no
/// title): then each fragment must be shown in its text ([`check_fragments_shown`]).
pub fn check_fragments_read_back(
    config: &Config,
    set: &crate::fragments::FragmentSet,
    release: Option<&Release>,
    text: &str,
    refs: &RefFormat,
    unheaded: Unheaded,
) -> Result<()> {
    let Some(release) = release else {
        return check_fragments_shown(config, set, text, refs);
    };
    // (category, issue) → the distinct texts of its fragments, and one fragment's path.
    let mut wanted: std::collections::BTreeMap<(&str, u64), (Vec<&str>, &std::path::Path)> =
        std::collections::BTreeMap::new();
    let split = crate::fragments::split(config, set);
    for (kind, texts) in split.values().flatten() {
        let Some(ty) = config.towncrier.types.get(kind).filter(|t| t.showcontent) else {
            continue;
        };
        for (text, issues) in texts {
            for issue in issues {
                let (Some(number), Some(f)) = (
                    refs.fragment_key(issue),
                    set.fragments
                        .iter()
                        .find(|f| f.kind == *kind && f.issue == *issue),
                ) else {
                    continue;
                };
                let (texts, _) = wanted
                    .entry((ty.name.as_str(), number))
                    .or_insert_with(|| (Vec::new(), &f.path));
                if !texts.contains(&text.as_str()) {
                    texts.push(text);
                }
            }
        }
    }
    let template = config.towncrier.template.display_name();
    for ((category, key), (texts, path)) in wanted {
        let (issue, shown) = (key, crate::changelog::Issue(key));
        let Some(c) = release.category(category) else {
            if unheaded == Unheaded::WrittenAsRendered
                && texts.iter().all(|t| text.contains(&first_line(t)))
            {
                continue;
            }
            return Err(Error::Refused(format!(
                "{}: the section rendered with {template} has no `### {category}` heading (the \
                 template leaves the category out, or writes it so that it cannot be read back \
                 as Markdown), so its entries would be lost when its fragments are removed; the \
                 template must put each category under a heading one level below the \
                 release's. Rendered section:\n{}",
                path.display(),
                excerpt(text),
            )));
        };
        let mut found = c.all_entries().filter(|e| e.prs.contains(&issue)).count();
        if found > texts.len() {
            // Another entry may name the PR in its prose (`Fix the crash seen after #301`):
            // counted are the entries that also hold one of its fragments' texts, when
            // that accounts for each of them.
            let own = c
                .all_entries()
                .filter(|e| {
                    e.prs.contains(&issue) && texts.iter().any(|t| e.raw.contains(&first_line(t)))
                })
                .count();
            if own == texts.len() {
                found = own;
            }
        }
        if found > texts.len() {
            return Err(Error::Refused(format!(
                "{}: {shown} is listed {found} times under `### {category}` of the section \
                 rendered with {template}, for {} fragment text(s): the template must list each \
                 entry once. Rendered section:\n{}",
                path.display(),
                texts.len(),
                excerpt(text),
            )));
        }
        if found == texts.len() {
            continue;
        }
        // Say which entry could not be read, and which part of it.
        let holder = c.all_entries().find(|e| {
            !e.prs.contains(&issue) && texts.iter().any(|t| e.raw.contains(&first_line(t)))
        });
        let message = match holder {
            Some(e) => format!(
                "the entry `{}` (line {} of the rendered section) is read back without its \
                 reference to {shown}: the project writes it as `{}` (`issue_format`), and the \
                 reference in the entry is not recognised as that",
                e.raw.lines().next().unwrap_or_default(),
                e.line,
                refs.example(issue),
            ),
            None if texts.len() > 1 && found > 0 => format!(
                "{shown} has {} fragments with different texts in `{category}`, but only {found} \
                 entries for it are read back from the rendered section",
                texts.len()
            ),
            None => format!(
                "no entry under `### {category}` of the rendered section holds its text; the \
                 template must put each entry on a `* ` (or `- `) bullet under its category"
            ),
        };
        return Err(Error::Refused(format!(
            "{}: {shown} is missing from the section rendered with {template} when it is read \
             back as Markdown: {message}. Rendered section:\n{}",
            path.display(),
            excerpt(text),
        )));
    }
    Ok(())
}

/// A section git-release does not read back as a release (reStructuredText, or Markdown
/// without a title: `title_format = false`) must still show each fragment it consumes, by
/// its issue as the project writes it or by its text. A template that renders nothing for
/// the fragments (or only whitespace, or a title), or leaves one out, would lose it when the
/// fragments are removed: refused in pre-flight, naming the template and each fragment it
/// drops. (An orphan of a type that shows no content is listed by nothing: not asked for.)
fn check_fragments_shown(
    config: &Config,
    set: &crate::fragments::FragmentSet,
    text: &str,
    refs: &RefFormat,
) -> Result<()> {
    let referenced: std::collections::BTreeSet<u64> =
        refs.spans(text).iter().map(|s| s.number).collect();
    let shown = super::fold::normalized_prose(text);
    let dropped: Vec<String> = set
        .fragments
        .iter()
        .filter(|f| {
            let content = super::fold::normalized_prose(&f.content);
            let by_issue = refs
                .fragment_key(&f.issue)
                .is_some_and(|k| referenced.contains(&k));
            let by_text = !content.is_empty() && shown.contains(&content);
            let listed = config
                .towncrier
                .types
                .get(&f.kind)
                .is_none_or(|t| t.showcontent);
            let nothing_to_show = f.issue.is_empty() && content.is_empty();
            let shown = by_issue || by_text || nothing_to_show;
            listed && !shown
        })
        .map(|f| f.path.display().to_string())
        .collect();
    if dropped.is_empty() {
        return Ok(());
    }
    let tc = &config.towncrier;
    let what = format!(
        "renders the section without {} of its {} fragment(s) — neither the issue nor the \
         text of {} is in it —, so they would be lost when the fragments are removed; make \
         the template list every fragment (towncrier's default template does), then run \
         again. Rendered section:\n{}",
        dropped.len(),
        set.fragments.len(),
        dropped.join(", "),
        match text.trim() {
            "" => "(nothing but whitespace)".to_string(),
            _ => excerpt(text),
        }
    );
    Err(match &tc.template {
        crate::config::TemplateSource::File(path) => config
            .towncrier_source
            .error("template", format!("is `{}`, which {what}", path.display())),
        builtin => Error::Refused(format!("{} {what}", builtin.display_name())),
    })
}

/// The first lines of a rendered section, for an error message.
fn excerpt(text: &str) -> String {
    text.lines().take(12).collect::<Vec<_>>().join("\n")
}

/// A fragment text's first line, trimmed: what finds its entry in a rendered section.
fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}
