//! Which fragments of a release stopped in another work tree this work tree holds too: a
//! command here that took one would publish its entry a second time once both merge.
//!
//! A fragment is the stopped release's when this work tree holds, as git stores text (line
//! ends aside: a CRLF checkout is the same file):
//! - the same path with the text the release started from (or a text that cannot be told:
//!   the release's base does not hold it);
//! - that text at another path (renamed, recategorised or moved, committed or not);
//! - when the stopped fragment's path is gone here and this work tree's history holds the
//!   release's base (its fragments were this work tree's too), a fragment beside where it
//!   was whose name gives the same PR (recategorised and reworded).
//!
//! A maintenance branch's own fragment of a backported PR at the same path, in other words,
//! is not the stopped release's.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::changelog::{RefFormat, issue_key};
use crate::git::Repo;

/// The fragments of a release stopped elsewhere (`fragments`, relative to the work tree;
/// `base`, the commit it started from, empty when unknown) this work tree holds, each named
/// once: its path here, and the stopped release's when it is another
/// (`changes/301.fix.md (was changes/301.feature.md)`).
pub(super) fn held_here(repo: &Repo, base: &str, fragments: &[PathBuf]) -> Vec<String> {
    let root = repo.root();
    let at_base = |f: &Path| match base.is_empty() {
        true => None,
        false => repo.file_at(base, f).ok().flatten(),
    };
    // This work tree's files: tracked, and those beside the stopped fragments.
    let mut files: BTreeSet<PathBuf> = repo
        .ls_files()
        .unwrap_or_default()
        .into_iter()
        .map(PathBuf::from)
        .collect();
    for dir in fragments.iter().filter_map(|f| f.parent()) {
        for entry in std::fs::read_dir(root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            files.insert(dir.join(entry.file_name()));
        }
    }
    let descends = !base.is_empty() && repo.is_ancestor(base, "HEAD").unwrap_or(false);
    // The project's types and format, read once when a name must tell an issue.
    let config = std::cell::OnceCell::new();
    let issue = |f: &Path| {
        let config = config.get_or_init(|| crate::config::Config::load(root).ok());
        issue_of(config.as_ref(), f)
    };
    let mut held = Vec::new();
    let mut name = |here: &Path, there: &Path| {
        let named = match here == there {
            true => here.display().to_string(),
            false => format!("{} (was {})", here.display(), there.display()),
        };
        if !held.contains(&named) {
            held.push(named);
        }
    };
    for f in fragments {
        let then = at_base(f);
        let here = root.join(f);
        let there = here.symlink_metadata().is_ok();
        if there {
            match (std::fs::read(&here), &then) {
                (Ok(now), Some(then)) if lf(&now) != lf(then) => {}
                // The same text, or one that cannot be told: it may be the same.
                _ => name(f, f),
            }
        }
        if let Some(then) = &then {
            let then = lf(then);
            // At most one CR more per line.
            let longest = then.len() + then.iter().filter(|&&b| b == b'\n').count();
            for other in files.iter().filter(|o| !fragments.contains(o)) {
                let path = root.join(other);
                let sized = path.metadata().is_ok_and(|m| {
                    m.is_file() && (then.len()..=longest).contains(&(m.len() as usize))
                });
                if sized && std::fs::read(&path).is_ok_and(|b| lf(&b) == then) {
                    name(other, f);
                }
            }
        }
        if there || !descends {
            continue;
        }
        let (Some(pr), Some(dir)) = (issue(f), f.parent()) else {
            continue;
        };
        for other in files.iter().filter(|o| o.parent() == Some(dir)) {
            if issue(other) == Some(pr) && root.join(other).is_file() {
                name(other, f);
            }
        }
    }
    held
}

/// The issue a fragment's file name gives (`301.fix.md`, `0301.fix.1.md`: 301;
/// `PROJ-12.fix.md`: `PROJ-12`; `fix-1.2.feature.md`: `fix-1.2`), as the release tells a
/// fragment's entries: towncrier's issue by the project's types, keyed as its references
/// are read ([`super::entries::fragment_issue`], `RefFormat::fragment_key`) — a name the
/// format does not read back is one change all the same, by its [`issue_key`]. `None` for
/// an orphan (`+abc.fix.md`) or a name of no type; without a configuration that loads, the
/// name up to its first dot.
fn issue_of(config: Option<&crate::config::Config>, path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    let Some(config) = config else {
        let (issue, rest) = name.split_once('.')?;
        let digits = !issue.is_empty() && issue.bytes().all(|b| b.is_ascii_digit());
        let issue = match issue.trim_start_matches('0') {
            "" if digits => "0",
            number if digits => number,
            _ => issue,
        };
        return issue_key(issue).filter(|_| !rest.is_empty());
    };
    let tc = &config.towncrier;
    let (issue, _, _) = crate::fragments::parse_basename(name, &tc.types)?;
    if issue.is_empty() || (!tc.orphan_prefix.is_empty() && issue.starts_with(&tc.orphan_prefix)) {
        return None;
    }
    let refs = RefFormat::new(tc.issue_format.as_deref());
    refs.fragment_key(&issue).or_else(|| issue_key(&issue))
}

/// `bytes` with CRLF line ends as LF, as git stores a text file checked out with
/// `core.autocrlf`.
pub(super) fn lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_name_gives_its_issue() {
        let dir = tempfile::tempdir().unwrap();
        let toml = "[tool.towncrier]\ndirectory = \"changes\"\nissue_format = \"GH-{issue}\"\n";
        std::fs::write(dir.path().join("pyproject.toml"), toml).unwrap();
        let config = crate::config::Config::load(dir.path()).unwrap();
        for config in [Some(&config), None] {
            let issue = |n: &str| issue_of(config, Path::new(n));
            assert_eq!(issue("changes/301.bugfix.md"), Some(301));
            assert_eq!(issue("changes/0301.bugfix.1.md"), Some(301));
            assert_eq!(issue("changes/PROJ-12.bugfix.md"), issue_key("PROJ-12"));
            assert_eq!(issue("changes/3a1.bugfix.md"), issue_key("3a1"));
            assert_eq!(issue("changes/301"), None);
        }
        let issue = |n: &str| issue_of(Some(&config), Path::new(n));
        assert_eq!(issue("changes/+abc.bugfix.md"), None);
        // towncrier's issue is everything before the type, dots included.
        assert_eq!(issue("changes/fix-1.2.feature.md"), issue_key("fix-1.2"));
        assert_eq!(issue("changes/c++.feature.md"), issue_key("c++"));
        assert_eq!(issue("changes/301.notes.md"), None);
        assert_eq!(lf(b"a\r\nb\rc\n"), b"a\nb\rc\n");
    }
}
