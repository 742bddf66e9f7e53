//! `git release rules learn`: the grouped history of the project's changelogs (and their
//! earlier versions) turned into a rules file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::changelog::Changelog;
use crate::config::{Config, TemplateSource};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::group::{self, learn};

/// Learn rules from `changelogs` (their texts; the first is the current changelog, whose
/// pending pre-release sections give the topics of the release being made). Sections and
/// entries read twice (the same file in several versions) count once.
pub fn learn_rules(config: &Config, changelogs: &[String]) -> learn::Learned {
    let start = Some(config.towncrier.start_string.as_str());
    let mut sections = Vec::new();
    let mut texts = Vec::new();
    let mut seen_entries = HashSet::new();
    let mut seen_sections = HashSet::new();
    for text in changelogs {
        let log = Changelog::parse_with(text, start);
        for r in log.releases() {
            for e in r.entries() {
                if seen_entries.insert((r.title().to_string(), e.text.clone())) {
                    texts.push(e.text.clone());
                }
            }
        }
        for s in grouped_sections(&log) {
            let titles: Vec<&str> = s.groups.iter().map(|g| g.title.as_str()).collect();
            let key = (s.release.clone(), s.category.clone(), titles.join("|"));
            if seen_sections.insert(key) {
                sections.push(s);
            }
        }
    }
    // The pending topics come from the current changelog (its pre-release sections),
    // with word rarity from everything read.
    let current = Changelog::parse_with(changelogs.first().map_or("", String::as_str), start);
    let c = &config.release.consolidate.grouping;
    let pending = pending_categories(&current, &c.categories);
    // The grouped history lets a pending topic that continues an earlier one take its title.
    let ctx = group::Context::new(
        group::Corpus::new(texts.iter().map(String::as_str)),
        super::history(&current, &[]),
        &c.components,
        c.min_group_size,
    );
    learn::learn(&sections, &pending, &texts, &ctx)
}

/// The entries of the pre-release sections newer than the changelog's newest final
/// release, per grouped category: the release being prepared (for
/// [`group::learn::learn`]).
pub fn pending_categories(
    log: &Changelog,
    grouped: &[String],
) -> Vec<group::learn::PendingCategory> {
    let newest_final = log
        .releases()
        .iter()
        .filter_map(|r| r.version())
        .filter(|v| v.is_final())
        .max()
        .cloned();
    let mut out: Vec<group::learn::PendingCategory> = Vec::new();
    for r in log.releases() {
        let Some(v) = r.version() else { continue };
        if v.is_final() || newest_final.as_ref().is_some_and(|f| v.base() <= *f) {
            continue;
        }
        for c in &r.categories {
            if !grouped.iter().any(|g| g.eq_ignore_ascii_case(&c.name)) {
                continue;
            }
            let slot = match out.iter().position(|p| p.category == c.name) {
                Some(i) => i,
                None => {
                    out.push(group::learn::PendingCategory {
                        category: c.name.clone(),
                        ..Default::default()
                    });
                    out.len() - 1
                }
            };
            if !out[slot].releases.contains(&v.to_string()) {
                out[slot].releases.push(v.to_string());
            }
            out[slot]
                .texts
                .extend(c.all_entries().map(|e| e.text.clone()));
        }
    }
    out
}

/// The grouped categories of a changelog's final releases, for learning rules
/// ([`group::learn::learn`]).
pub fn grouped_sections(log: &Changelog) -> Vec<group::learn::GroupedSection> {
    let mut out = Vec::new();
    for r in log.releases() {
        if r.version().is_none_or(|v| !v.is_final()) {
            continue;
        }
        for c in r.categories.iter().filter(|c| !c.subsections.is_empty()) {
            out.push(group::learn::GroupedSection {
                release: r.title().to_string(),
                category: c.name.clone(),
                groups: c
                    .subsections
                    .iter()
                    .map(|s| group::learn::LearnGroup {
                        title: s.title.clone(),
                        description: s.description.clone().unwrap_or_default(),
                        other: s.is_other(),
                        texts: s.entries.iter().map(|e| e.text.clone()).collect(),
                    })
                    .collect(),
            });
        }
    }
    out
}

/// Where `rules learn -o` may write: not over a file the project or git needs. Refused
/// before anything is learned or written: a path in git's own directory (`.git/config`), a
/// link in the repository that leads out of it, a file git-release reads as the project's
/// (the configuration files, the version file, the next-version file, towncrier's
/// template, the labels file, the changelogs learned from, anything in a fragments
/// directory, where it would be read as a fragment), and any other existing file that is
/// not a rules file (a rules file is replaced: that is how rules are learned again).
/// `changelogs`: the files the rules are learned from. A path outside the repository is
/// the user's to name (`-o /tmp/rules.toml`).
pub fn check_output(
    config: &Config,
    repo: Option<&Repo>,
    out: &Path,
    changelogs: &[PathBuf],
) -> Result<()> {
    // The learned-from changelog first: the likeliest slip (`-o` for `--changelog`).
    if let Some(input) = changelogs.iter().find(|f| crate::atomic::same_file(out, f)) {
        return Err(Error::Refused(format!(
            "{} is the changelog the rules are learned from ({}), and writing them there would \
             replace it; name another file for the rules (`-o rules.toml`), or pass the \
             changelog to learn from as `--changelog {}`",
            out.display(),
            input.display(),
            out.display()
        )));
    }
    let refuse = |why: String| {
        Err(Error::Refused(format!(
            "{} {why}, and the rules written there would replace it; name a new file for the \
             rules (`-o rules.toml`), or the rules file `[tool.git-release.consolidate] rules` \
             names. Nothing was written",
            out.display()
        )))
    };
    // Where the write lands (links followed), and where the name itself is (its
    // directories' links followed, not its own).
    let target = crate::atomic::write_target(out)?;
    let Ok(landing) = crate::atomic::resolve(&target) else {
        return Ok(()); // `..` below a missing directory: the write fails on its own.
    };
    let named = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(
            || crate::atomic::resolve(Path::new(".")),
            crate::atomic::resolve,
        )
        .ok()
        .zip(out.file_name())
        .map(|(dir, name)| dir.join(name));
    if let Some(repo) = repo {
        let git_dirs = [repo.git_dir(), repo.common_dir()]
            .map(|d| d.canonicalize().unwrap_or_else(|_| d.to_path_buf()));
        if git_dirs.iter().any(|d| landing.starts_with(d)) {
            return refuse(format!("is in git's own directory ({})", landing.display()));
        }
        if named.as_ref().is_some_and(|n| n.starts_with(repo.root()))
            && !landing.starts_with(repo.root())
        {
            return refuse(format!(
                "is a link in the repository to {}, outside it",
                landing.display()
            ));
        }
    }
    let rel = &config.release;
    let mut configured: Vec<(String, PathBuf)> =
        ["pyproject.toml", "towncrier.toml", ".git-release.toml"]
            .iter()
            .map(|f| ("a configuration file".to_string(), config.root.join(f)))
            .collect();
    configured.push((
        "the configuration file".into(),
        config.settings_source.file.clone(),
    ));
    configured.push((
        "the configuration file".into(),
        config.towncrier_source.file.clone(),
    ));
    if let Some(path) = config.version_path() {
        configured.push(("the version file (`version-file`)".into(), path));
    }
    if let Some(nv) = &rel.next_version {
        configured.push((
            "the next-version file (`next-version.file`)".into(),
            config.root.join(&nv.file),
        ));
    }
    if let TemplateSource::File(template) = &config.towncrier.template {
        configured.push(("towncrier's template (`template`)".into(), template.clone()));
    }
    if let Some(labels) = &rel.consolidate.grouping.labels_from {
        configured.push((
            "the labels file (`consolidate.labels-from`)".into(),
            labels.clone(),
        ));
    }
    for (what, path) in &configured {
        let same = crate::atomic::same_file(&target, path)
            || crate::atomic::resolve(path).is_ok_and(|p| p == landing);
        if same {
            return refuse(format!("is {what} of this project ({})", path.display()));
        }
    }
    for section_dir in config.towncrier.sections.values() {
        let dir = config.fragments_dir(section_dir);
        if crate::atomic::resolve(&dir).is_ok_and(|d| landing.starts_with(&d)) {
            return refuse(format!(
                "is in the fragments directory {}, where it would be read as a fragment",
                dir.display()
            ));
        }
    }
    // An existing file: replaced only when it is a rules file itself. (Anything but a
    // regular file is refused by the write, and never read here.)
    if std::fs::metadata(&target).is_ok_and(|m| m.is_file()) {
        let bytes = crate::files::read_regular(&target, Error::Refused)?;
        let rules = String::from_utf8(bytes)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                group::rules::RulesFile::parse(&target, &text)
                    .map(drop)
                    .map_err(|e| e.to_string())
            });
        if let Err(why) = rules {
            let in_repo = repo.and_then(|r| Some((r, landing.strip_prefix(r.root()).ok()?)));
            let tracked = match in_repo {
                Some((repo, rel)) => repo.tracked(&[&rel.to_string_lossy()])?[0],
                None => false,
            };
            let whose = if tracked {
                "a file git tracks"
            } else {
                "a file"
            };
            return refuse(format!(
                "is {whose} that is not a rules file ({})",
                why.lines().next().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::Context;

    #[test]
    fn pending_rc_entries_become_rules_for_their_topics() {
        let log = Changelog::parse(
            "## 2.0.0rc1 (2026-02-01)\n\n### Features\n\
             * Add usage bucket tables ([#1](u))\n\
             * Add usage bucket repository ([#2](u))\n\
             * Add usage bucket REST API ([#3](u))\n\
             * Add dark theme ([#4](u))\n\n\n\
             ## 1.9.0 (2026-01-01)\n\n### Features\n* Add a thing ([#0](u))\n\n\n\
             ## 1.9.0rc1 (2025-12-01)\n\n### Features\n* Add an old rc thing ([#9](u))\n",
        );
        let pending = pending_categories(&log, &["Features".to_string()]);
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].releases, ["2.0.0rc1"]);
        assert_eq!(pending[0].texts.len(), 4, "1.9.0rc1 is released already");
        let texts: Vec<String> = log
            .releases()
            .iter()
            .flat_map(|r| r.entries().map(|e| e.text.clone()))
            .collect();
        let ctx = Context::new(
            group::Corpus::new(texts.iter().map(String::as_str)),
            vec![],
            &[],
            2,
        );
        let learned = group::learn::learn(&[], &pending, &texts, &ctx);
        assert_eq!(learned.pending, 1);
        let rule = &learned.rules[0].spec;
        assert!(
            rule.keywords.iter().any(|k| k == "usage bucket"),
            "{:?}",
            rule.keywords
        );
        assert_eq!(rule.categories, ["Features"]);
        assert!(rule.description.is_some());
    }
}
