//! The news file: where the section goes (`append_to_newsfile`), which file it is, and
//! the whole non-draft `build` (write, stage, remove the fragments).

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::fragments::FragmentSet;
use crate::pycompat::format::py_format;
use crate::pycompat::strings::{py_lstrip, py_rstrip, py_strip, universal_newlines};

use super::render::{VersionData, render_section, top_line};

/// The changelog file for a version: git-release's `changelog` (else towncrier's
/// `filename`) under the project root, with `{version}`, `{name}`, `{project_date}`,
/// `{major}`, `{minor}` and `{patch}` filled in. Unlike towncrier, which formats
/// `filename` only with `single_file = false`, the name is always formatted, so that a
/// single file per series (`CHANGELOG/{major}.{minor}.md`) works.
pub fn changelog_path(config: &Config, version: &str, name: &str, date: &str) -> Result<PathBuf> {
    let template = config.changelog_template();
    if !template.contains('{') && !template.contains('}') {
        return Ok(config.root.join(template));
    }
    let (mut major, mut minor, mut patch) = (String::new(), String::new(), String::new());
    if ["{major", "{minor", "{patch"]
        .iter()
        .any(|p| template.contains(p))
    {
        let v = crate::version::Version::parse(version)?;
        (major, minor, patch) = (
            v.major().to_string(),
            v.minor().to_string(),
            v.patch().to_string(),
        );
    }
    let file = py_format(
        template,
        &[
            ("name", name),
            ("version", version),
            ("project_date", date),
            ("major", &major),
            ("minor", &minor),
            ("patch", &patch),
        ],
    )
    .map_err(|m| config.changelog_key_error(m))?;
    Ok(config.root.join(file))
}

/// towncrier's `append_to_newsfile` text: the section goes right after `start_string`
/// (the text before it right-stripped, then a blank line, the start string and a newline);
/// without a start string it goes on top; a new (or per-release) file gets the section
/// alone. `existing` is the changelog as it is now (`None` for a new file).
pub fn insert_section(existing: Option<&str>, start_string: &str, content: &str) -> String {
    let (header, prev_body) = match existing {
        None => (String::new(), String::new()),
        Some(text) => {
            let text = universal_newlines(text);
            match (!start_string.is_empty())
                .then(|| text.split_once(start_string))
                .flatten()
            {
                Some((before, after)) => (
                    format!("{}\n\n{start_string}\n", py_rstrip(before)),
                    py_lstrip(after).to_string(),
                ),
                None => (String::new(), py_lstrip(&text).to_string()),
            }
        }
    };
    if prev_body.is_empty() {
        format!("{header}{}\n", py_rstrip(content))
    } else {
        format!("{header}{content}{prev_body}")
    }
}

/// The first heading of `text` that is for exactly `version` (`## 26.3.0rc1 (…)`, an RST
/// title, or towncrier's `top_line` anywhere): its 1-based line number and text.
pub fn find_version_heading(
    text: &str,
    version: &str,
    top_line: Option<&str>,
) -> Option<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    if let Some(top) = top_line.filter(|t| !t.is_empty()) {
        if let Some(pos) = text.find(top) {
            let line = text[..pos].matches('\n').count();
            return Some((line + 1, lines.get(line).unwrap_or(&top).to_string()));
        }
    }
    let boundary =
        |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '.' || c == '_'));
    let mentions = |line: &str| {
        line.match_indices(version).any(|(i, _)| {
            let before = line[..i].chars().next_back();
            let after = line[i + version.len()..].chars().next();
            // `v26.3.0` counts; `126.3.0` and `26.3.0rc1` do not.
            (boundary(before)
                || (before == Some('v') && boundary(line[..i - 1].chars().next_back())))
                && boundary(after)
                && after != Some('-')
                && after != Some('+')
        })
    };
    let rst_underline = |line: &str| {
        let line = py_rstrip(line);
        let mut chars = line.chars();
        chars
            .next()
            .is_some_and(|first| "=-`:'\"~^_*+#<>".contains(first) && chars.all(|c| c == first))
    };
    for (i, line) in lines.iter().enumerate() {
        let markdown = line.starts_with('#')
            && line
                .trim_start_matches('#')
                .starts_with(char::is_whitespace);
        let rst =
            !py_strip(line).is_empty() && lines.get(i + 1).is_some_and(|next| rst_underline(next));
        if (markdown || rst) && mentions(line) {
            return Some((i + 1, line.to_string()));
        }
    }
    None
}

/// What [`build`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    /// Whether the changelog was staged (`git add`): inside a git work tree only.
    pub staged: bool,
    pub changelog: PathBuf,
    /// Fragments removed (from git and the disk); empty with `keep`.
    pub removed: Vec<PathBuf>,
    /// Fragments left in place because of `keep`.
    pub kept: Vec<PathBuf>,
}

/// What a build would write, computed without touching anything.
#[derive(Debug, Clone)]
pub struct BuildPlan {
    /// The changelog file, absolute.
    pub changelog: PathBuf,
    /// Its new contents.
    pub text: String,
    /// The section alone (towncrier's `content`).
    pub section: String,
    /// The fragment files the section consumes.
    pub fragments: Vec<PathBuf>,
    /// The changelog as it is now, which `text` puts the section into (`None` for a new
    /// file, or one per release).
    pub previous: Option<String>,
}

/// Render the section and the changelog with it inserted, as towncrier would write it.
/// Refuses when the changelog already has a heading for `version` and when towncrier's
/// `filename` lies in a directory that does not exist; nothing changed. towncrier never
/// reads the structure of older sections, and neither does `build`: a duplicated release
/// heading, an entry outside any category or a heading that is not a category is written
/// around as towncrier writes around it. Consolidation, which needs that structure,
/// refuses them (`consolidate::prepare`).
pub fn plan(
    config: &Config,
    fragments: &FragmentSet,
    version: &str,
    date: &str,
    name: Option<&str>,
) -> Result<BuildPlan> {
    let tc = &config.towncrier;
    let name = name.unwrap_or(&tc.name);
    let content = render_section(config, fragments, version, date, Some(name))?;
    let path = changelog_path(config, version, name, date)?;
    refuse_missing_directory(config, &path)?;
    let existing = match std::fs::read(&path) {
        Ok(bytes) => Some(String::from_utf8(bytes).map_err(|_| {
            let e = std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not UTF-8 text; convert the file to UTF-8 first",
            );
            Error::io(&path, e)
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&path, e)),
    };
    if let Some(text) = &existing {
        let top = top_line(
            config,
            &VersionData {
                name,
                version,
                date,
            },
        )?;
        if let Some((line, heading)) = find_version_heading(text, version, top.as_deref()) {
            return Err(Error::Refused(format!(
                "{}:{line} already has a section for {version} (`{}`); nothing was changed. \
                 Remove that section first, or build another version.",
                path.display(),
                heading.trim()
            )));
        }
    }
    let previous = if tc.single_file {
        existing.as_deref()
    } else {
        None
    };
    let text = insert_section(previous, &tc.start_string, &content);
    let previous = existing.filter(|_| tc.single_file);
    Ok(BuildPlan {
        changelog: path,
        text,
        section: content,
        fragments: fragments.fragments.iter().map(|f| f.path.clone()).collect(),
        previous,
    })
}

/// The changelog [`plan`] would write, read back as Markdown: it must hold the section
/// `release` (the planned section read alone) as that release, with the same entries, and
/// every release it held before, unchanged in order. towncrier puts the section right
/// after the *first* `start_string`, wherever it is; when that one is shown in a code block
/// above the real marker, the section lands where Markdown reads no heading (or its blank
/// lines end a block that then swallows the older releases), and no retry can change that.
/// `build` writes it there as towncrier does; a release refuses it up front with this,
/// naming the line.
pub fn check_section_read_back(
    config: &Config,
    plan: &BuildPlan,
    release: &crate::changelog::Release,
) -> Result<()> {
    use crate::changelog::{Changelog, Release};
    let Some(version) = release.version() else {
        return Ok(());
    };
    let tc = &config.towncrier;
    let refs = crate::changelog::RefFormat::new(tc.issue_format.as_deref());
    let start = (!tc.start_string.is_empty()).then_some(tc.start_string.as_str());
    let after = Changelog::parse_project(&plan.text, start, &refs);
    let before = plan
        .previous
        .as_deref()
        .map(|t| Changelog::parse_project(t, start, &refs));
    let entries = |r: &Release| {
        let mut prs: Vec<Vec<u64>> = r.entries().map(|e| e.prs.clone()).collect();
        prs.sort();
        prs
    };
    let titles = |log: &Changelog, skip: Option<usize>| -> Vec<String> {
        let releases = log.releases().iter().enumerate();
        releases
            .filter(|(k, _)| Some(*k) != skip)
            .map(|(_, r)| r.title().to_string())
            .collect()
    };
    let read = after.find(version);
    let older_kept = before
        .as_ref()
        .is_none_or(|b| titles(b, None) == titles(&after, read));
    if read.is_some_and(|k| entries(&after.releases()[k]) == entries(release)) && older_kept {
        return Ok(());
    }
    let marker = plan
        .previous
        .as_deref()
        .map(universal_newlines)
        .and_then(|t| Some(t[..t.find(start?)?].matches('\n').count() + 1));
    let at = match marker {
        Some(line) => format!(
            "{}:{line}, after the first `start_string` ({:?}), where towncrier puts it",
            plan.changelog.display(),
            tc.start_string.trim_end(),
        ),
        None => format!("the top of {}", plan.changelog.display()),
    };
    let what = match read {
        None => format!("does not read it as the {version} release"),
        Some(_) if !older_kept => "reads the releases below it differently".to_string(),
        Some(_) => format!("does not read the {version} release's entries"),
    };
    Err(Error::Refused(format!(
        "the {version} section would go at {at}, and Markdown then {what} (a code block \
         there holds no heading, or ends where the section starts); nothing was changed. \
         Write the marker differently where it is only shown, so that its first occurrence \
         is the real one."
    )))
}

/// towncrier opens its `filename` for writing and fails when the directory is missing,
/// after rendering and before removing anything: refuse the same, before any change.
/// git-release's own `changelog` key (`CHANGELOG/{major}.{minor}.md`) creates its
/// directories, as documented for it.
fn refuse_missing_directory(config: &Config, path: &Path) -> Result<()> {
    if config.release.changelog.is_some() {
        return Ok(());
    }
    match path.parent() {
        Some(dir) if !dir.is_dir() => Err(config.changelog_key_error(format!(
            "names {}, whose directory {} does not exist (towncrier refuses to write there \
             too); create the directory or change `filename`. Nothing was changed.",
            path.display(),
            dir.display(),
        ))),
        _ => Ok(()),
    }
}

/// The whole non-draft `build`: [`plan`], write the changelog atomically, `git add` it,
/// and `git rm` the consumed fragments (deleting the ones git does not track) unless
/// `keep`. Outside a git work tree towncrier writes and deletes without staging; so do we.
pub fn build(
    config: &Config,
    fragments: &FragmentSet,
    version: &str,
    date: &str,
    name: Option<&str>,
    keep: bool,
) -> Result<BuildReport> {
    let plan = plan(config, fragments, version, date, name)?;
    let repo = crate::git::Repo::discover(&config.root).ok();
    if let Some(repo) = &repo {
        check_inside(repo, &plan, keep)?;
        // The news file written and then `git add` refused would leave it half done.
        repo.check_no_index_lock()?;
    }
    crate::atomic::write(&plan.changelog, plan.text.as_bytes())?;
    if let Some(repo) = &repo {
        repo.add(&[&plan.changelog])?;
    }
    if keep || plan.fragments.is_empty() {
        return Ok(BuildReport {
            staged: repo.is_some(),
            changelog: plan.changelog,
            removed: Vec::new(),
            kept: plan.fragments,
        });
    }
    remove_fragments(repo.as_ref(), &plan.fragments)?;
    Ok(BuildReport {
        staged: repo.is_some(),
        changelog: plan.changelog,
        removed: plan.fragments,
        kept: Vec::new(),
    })
}

/// Inside a git repository, what `build` writes and removes stays in it: the news file
/// (symlinks followed) and every fragment to remove resolve inside the work tree, or the
/// build is refused before anything is written. (towncrier writes and deletes through a
/// link wherever it leads; a link in the repository must not make `build` change files
/// git never had.)
fn check_inside(repo: &crate::git::Repo, plan: &BuildPlan, keep: bool) -> Result<()> {
    let root = repo
        .root()
        .canonicalize()
        .map_err(|e| Error::io(repo.root(), e))?;
    // Where a path lands; what cannot be resolved (a `..` below a directory not made yet)
    // cannot be shown to be inside, and is refused with it.
    let outside_at = |path: &Path| -> Option<PathBuf> {
        match crate::atomic::resolve(path) {
            Ok(at) if at.starts_with(&root) => None,
            Ok(at) => Some(at),
            Err(_) => Some(path.to_path_buf()),
        }
    };
    let target = crate::atomic::write_target(&plan.changelog)?;
    let removed: &[PathBuf] = if keep { &[] } else { &plan.fragments };
    let outside: Vec<(&PathBuf, PathBuf)> = std::iter::once((&plan.changelog, target.as_path()))
        .chain(removed.iter().map(|f| (f, f.as_path())))
        .filter_map(|(shown, path)| outside_at(path).map(|at| (shown, at)))
        .collect();
    let Some((path, at)) = outside.first() else {
        return Ok(());
    };
    Err(Error::Refused(format!(
        "{} resolves to {}, outside the repository {}{}; `build` writes and removes files only \
         inside it. Point the link inside the repository (or build with --draft). Nothing was \
         written",
        path.display(),
        at.display(),
        root.display(),
        match outside.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        }
    )))
}

/// Like towncrier: `git rm` the fragments git tracks, delete the others.
pub fn remove_fragments(repo: Option<&crate::git::Repo>, files: &[PathBuf]) -> Result<()> {
    let tracked = match repo {
        Some(repo) => {
            let rels: Vec<String> = files.iter().map(|p| repo.relative_path(p)).collect();
            repo.tracked(&rels.iter().map(String::as_str).collect::<Vec<_>>())?
        }
        None => vec![false; files.len()],
    };
    let mut in_git: Vec<&PathBuf> = Vec::new();
    let mut untracked: Vec<&PathBuf> = Vec::new();
    for (p, tracked) in files.iter().zip(tracked) {
        if tracked { &mut in_git } else { &mut untracked }.push(p);
    }
    if let (Some(repo), false) = (repo, in_git.is_empty()) {
        repo.rm(&in_git)?;
    }
    for p in untracked {
        std::fs::remove_file(p).map_err(|e| Error::io(p, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_section_like_towncrier() {
        let start = "<!-- start -->\n";
        assert_eq!(
            insert_section(None, start, "## 1.0\n\n- a\n\n"),
            "## 1.0\n\n- a\n"
        );
        assert_eq!(
            insert_section(
                Some("# Title  \n\n\n<!-- start -->\n\n\n## 0.9\n"),
                start,
                "## 1.0\n\n- a\n\n"
            ),
            "# Title\n\n<!-- start -->\n\n## 1.0\n\n- a\n\n## 0.9\n"
        );
        assert_eq!(
            insert_section(Some("\n## 0.9\n"), start, "## 1.0\n"),
            "## 1.0\n## 0.9\n"
        );
        assert_eq!(
            insert_section(Some("# T\n<!-- start -->\n"), start, "## 1.0\n\n"),
            "# T\n\n<!-- start -->\n\n## 1.0\n"
        );
        assert_eq!(
            insert_section(Some("a\r\n<!-- start -->\r\nold\r\n"), start, "new\n"),
            "a\n\n<!-- start -->\n\nnew\nold\n"
        );
    }

    #[test]
    fn version_headings() {
        let md = "# Changes\n\n## 26.3.0rc1 (2026-03-11)\n\n- x mentions 26.3.0\n\n## v26.2.0\n";
        assert_eq!(
            find_version_heading(md, "26.3.0rc1", None),
            Some((3, "## 26.3.0rc1 (2026-03-11)".into()))
        );
        assert_eq!(find_version_heading(md, "26.3.0", None), None);
        assert_eq!(
            find_version_heading(md, "26.2.0", None).map(|h| h.0),
            Some(7)
        );
        assert_eq!(find_version_heading(md, "6.2.0", None), None);
        let rst = "Proj 1.0 (2020-01-01)\n=====================\n\nFeatures\n--------\n";
        assert_eq!(find_version_heading(rst, "1.0", None).map(|h| h.0), Some(1));
        assert_eq!(find_version_heading("text 1.0\n", "1.0", None), None);
        assert_eq!(
            find_version_heading("a\nRelease one\n", "1.0", Some("Release one")).map(|h| h.0),
            Some(2)
        );
    }
}
