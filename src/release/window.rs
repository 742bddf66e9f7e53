//! The review window: what the user may do while the release waits for them (the review
//! open in an editor, or the release stopped at it) stays the user's. The release's files are
//! watched across the review ([`watch`]: bytes, kind, executable bit, index entries); a
//! consumed fragment edited since the release read it is never published with its old text
//! and removed ([`check_fragments_carried`]); and where each write lands is checked again
//! right before it ([`landing_now`]), as a file may have been replaced by a symlink since
//! pre-flight.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::guard::{fnv1a, in_tree, release_paths};
use super::state::State;
use crate::error::{Error, Result};
use crate::git::Repo;

/// What the review must leave as it found it, taken before the review opens
/// ([`watch`]).
#[derive(Debug, Default)]
pub(crate) struct Watched {
    /// The release's uncommitted files other than the changelog and its fragments, with a
    /// digest of each one's bytes, kind and executable bit.
    files: Vec<(String, u64)>,
    /// What the index holds for those files, the changelog and the consumed fragments.
    index: Vec<(String, Option<String>)>,
}

/// The release's files as they are before the review opens: one that differs when it
/// closes was changed by the user meanwhile ([`unchanged_since`], [`index_unchanged`]).
/// `consumable`: the fragments the changelog step may consume besides the release's (one
/// the user renamed or added while the release was stopped), which the step removes.
pub(crate) fn watch(repo: &Repo, state: &State, consumable: &[String]) -> Watched {
    let mut skip: BTreeSet<String> = state
        .fragments
        .iter()
        .chain(consumable)
        .map(|f| in_tree(repo, Path::new(f)))
        .collect();
    if let Some(changelog) = &state.changelog {
        skip.insert(in_tree(repo, Path::new(changelog)));
    }
    // What the release left uncommitted, and the files it writes later (the next-version
    // file): the release commit takes them as the release's.
    let mut files: BTreeSet<String> = state.dirty.iter().flatten().cloned().collect();
    files.extend(release_paths(repo, state));
    let files: Vec<(String, u64)> = files
        .into_iter()
        .filter(|p| !p.ends_with('/') && !p.starts_with('/') && !skip.contains(p))
        .map(|p| {
            let digest = digest_of(&repo.root().join(&p));
            (p, digest)
        })
        .collect();
    let paths: Vec<&str> = files
        .iter()
        .map(|(p, _)| p.as_str())
        .chain(skip.iter().map(String::as_str))
        .collect();
    // Unreadable, the index is not judged (the commit's own checks still stand).
    let index = repo
        .index_entries(&paths)
        .map(|entries| paths.iter().map(|p| p.to_string()).zip(entries).collect())
        .unwrap_or_default();
    Watched { files, index }
}

/// Stop when a file of [`watch`] changed: the user edited a file the release had already
/// changed (a frozen source), or changed its mode or kind, while the review was open, and
/// the release commit would hold that edit with the release's change.
pub(crate) fn unchanged_since(repo: &Repo, watched: &Watched) -> Result<()> {
    let changed: Vec<&str> = watched
        .files
        .iter()
        .filter(|(p, d)| digest_of(&repo.root().join(p)) != *d)
        .map(|(p, _)| p.as_str())
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(Error::Step {
        step: "changelog".into(),
        message: format!(
            "{} changed while the review was open (its content, mode or kind), after the \
             release had changed it; the release commit would hold that change with the \
             release's. If it belongs in the release, `git release continue`; if not, undo \
             your change (keep the release's), then `git release continue`",
            changed.join(", ")
        ),
    })
}

/// Stop, before the section is written, when the index entry of a release path changed
/// while the review was open (a staged mode change, `git rm --cached`, a staged edit): the
/// release's own `git add` would override it without a word.
pub(crate) fn index_unchanged(repo: &Repo, watched: &Watched) -> Result<()> {
    if watched.index.is_empty() {
        return Ok(());
    }
    let paths: Vec<&str> = watched.index.iter().map(|(p, _)| p.as_str()).collect();
    let now = repo.index_entries(&paths)?;
    let changed: Vec<&str> = watched
        .index
        .iter()
        .zip(&now)
        .filter(|((_, then), now)| then != *now)
        .map(|((p, _), _)| p.as_str())
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(Error::Step {
        step: "changelog".into(),
        message: format!(
            "the index entry of {} changed while the review was open (a staged mode change, \
             removal or edit), and the release stages its own version of these files over \
             it; nothing was written. Put the index back as it was (`git restore --staged -- \
             <path>…`; `git update-index --chmod=-x <path>` for a mode), then `git release \
             continue`; or `git release abort`",
            changed.join(", ")
        ),
    })
}

/// A digest of a file's bytes, its kind (a symlink or not) and its executable bit; the
/// bytes count as none when they cannot be read (or are no regular file's).
fn digest_of(path: &Path) -> u64 {
    let kind = match path.symlink_metadata() {
        Err(_) => 0u8,
        Ok(m) if m.file_type().is_symlink() => 1,
        Ok(m) => {
            use std::os::unix::fs::PermissionsExt;
            2 + u8::from(m.permissions().mode() & 0o111 != 0)
        }
    };
    let bytes = crate::files::read_regular(path, Error::Refused).unwrap_or_default();
    fnv1a(&bytes) ^ u64::from(kind).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The consumed fragments' digests, taken when the release starts, right after pre-flight
/// read them for the section.
pub(crate) fn fragment_digests(state: &State) -> Vec<(String, u64)> {
    state
        .fragments
        .iter()
        .map(|f| (f.clone(), digest_of(Path::new(f))))
        .collect()
}

/// The consumed fragments still in the work tree whose bytes (or kind, or mode) differ
/// from those the release read when it started: the user's edits.
pub(crate) fn edited_fragments(state: &State) -> Vec<&Path> {
    state
        .fragment_digests
        .iter()
        .map(|(path, then)| (Path::new(path), then))
        .filter(|(file, then)| file.symlink_metadata().is_ok() && digest_of(file) != **then)
        .map(|(file, _)| file)
        .collect()
}

/// A consumed fragment edited since the release read it (while the review was open, or
/// while the release was stopped) is removed by the changelog step: the section it writes,
/// `text` with every run of whitespace made one space: how a section is searched for the
/// words it must carry (a renderer wraps and indents them).
pub(crate) fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `section` (or the changelog's section when it was written before a stop), must carry
/// the fragment's text as it is now, or the edit would be lost with the file. Whitespace is
/// not compared. A fragment put back as it was, or whose new text the section holds,
/// passes; anything else stops the release with the fragment kept.
pub(crate) fn check_fragments_carried(repo: &Repo, state: &State, section: &str) -> Result<()> {
    let published = squash(section);
    let mut lost = Vec::new();
    for file in edited_fragments(state) {
        let now = crate::files::read_text(file)
            .map(|t| squash(&t))
            .unwrap_or_default();
        if now.is_empty() || !published.contains(&now) {
            lost.push(repo.relative_path(file));
        }
    }
    if lost.is_empty() {
        return Ok(());
    }
    Err(Error::Step {
        step: "changelog".into(),
        message: format!(
            "{} changed after the release read {}, and the section does not carry the new \
             text: the release would publish the old text and delete the edited file. Your \
             edit is kept and the fragments are not removed. Either carry the new wording into \
             the section (`git release continue` opens the review again; the draft keeps what \
             you reviewed), or put the fragment back as it was (`git restore -- {}`), then \
             `git release continue`; or `git release abort` and start again",
            lost.join(", "),
            if lost.len() == 1 { "it" } else { "them" },
            lost.join(" "),
        ),
    })
}

/// A fragment there is now that the release did not read when it started (added while it
/// was stopped, or moved to another type with `git mv` while the review was open) is
/// consumed with the others: the section must list it under its own category — by its issue
/// (`entries::fragment_issue`: a number or a name, `PROJ-12`; the review may reword it), or
/// by its text when it names none — or the release would
/// publish it elsewhere, or not at all, and delete it.
pub(crate) fn check_new_fragments_carried(
    repo: &Repo,
    config: &crate::config::Config,
    state: &State,
    section: &crate::changelog::Release,
) -> Result<()> {
    let Ok(set) = crate::fragments::discover(config) else {
        return Ok(());
    };
    let refs = crate::changelog::RefFormat::new(config.towncrier.issue_format.as_deref());
    let read: BTreeSet<&str> = state
        .fragment_digests
        .iter()
        .map(|(p, _)| p.as_str())
        .collect();
    let mut lost = Vec::new();
    for f in &set.fragments {
        if read.contains(f.path.display().to_string().as_str()) {
            continue;
        }
        let Some(ty) = config
            .towncrier
            .types
            .get(&f.kind)
            .filter(|t| t.showcontent)
        else {
            continue;
        };
        let text = crate::files::read_text(&f.path)
            .map(|t| squash(&t))
            .unwrap_or_default();
        let pr = super::entries::fragment_issue(&refs, f);
        let carried = section.category(&ty.name).is_some_and(|c| {
            c.all_entries().any(|e| match pr {
                Some(pr) => e.prs.contains(&pr),
                None => !text.is_empty() && squash(&e.raw).contains(&text),
            })
        });
        if !carried {
            lost.push(format!(
                "{} (`### {}`)",
                repo.relative_path(&f.path),
                ty.name
            ));
        }
    }
    if lost.is_empty() {
        return Ok(());
    }
    Err(Error::Step {
        step: "changelog".into(),
        message: format!(
            "{} appeared after the release read the fragments (added, or moved to another \
             type, while the review was open), and the section does not carry {} under that \
             category: the release would publish it elsewhere or not at all, and delete it. \
             Nothing was written and no fragment removed. Carry it into the section (`git \
             release continue` opens the review again), or undo the move or addition, then \
             `git release continue`; or `git release abort` and start again",
            lost.join(", "),
            if lost.len() == 1 { "it" } else { "them" },
        ),
    })
}

/// Where a write to `file` lands, checked right before the write (pre-flight checked it
/// once; the file may have been replaced since, by a symlink that leads out of the
/// repository): inside the work tree, or the release stops and writes nothing.
pub(crate) fn landing_now(repo: &Repo, file: &std::path::Path, step: &str) -> Result<PathBuf> {
    let landed = landing_inside(repo, file, step)?;
    // git must see what is written there: no index bit, no ignore rule set since pre-flight.
    super::paths::seen_by_git(repo, file, &landed).map_err(|why| Error::Step {
        step: step.into(),
        message: format!(
            "{why} — set since pre-flight checked it; this step did nothing with it: \
             `git release continue` checks again, or `git release abort`"
        ),
    })?;
    Ok(landed)
}

fn landing_inside(repo: &Repo, file: &std::path::Path, step: &str) -> Result<PathBuf> {
    super::paths::landing(repo, file).map_err(|why| Error::Step {
        step: step.into(),
        message: format!(
            "{}: {why}. It changed since pre-flight checked it (replaced by a symlink?), and \
             the release writes only inside its own repository: nothing was written to it. Put \
             it back as it was (`git restore -- {}`), then `git release continue`; or `git \
             release abort`",
            file.display(),
            repo.relative_path(file),
        ),
    })
}

/// [`landing_now`], for a write that goes through the path itself.
pub(crate) fn check_landing(repo: &Repo, file: &std::path::Path, step: &str) -> Result<()> {
    landing_now(repo, file, step).map(drop)
}

/// The files the release plans to write, relative to the work tree, with a digest of their
/// bytes now (see [`State::bytes`]).
pub(crate) fn start_bytes(
    repo: &Repo,
    plan: &super::plan::Plan,
    state: &State,
) -> Vec<(String, u64)> {
    let mut paths: BTreeSet<String> = BTreeSet::new();
    paths.insert(in_tree(repo, &plan.changelog));
    for fragment in &state.fragments {
        paths.insert(in_tree(repo, Path::new(fragment)));
    }
    for record in &state.steps {
        match &record.step.kind {
            super::plan::StepKind::VersionFile { file, .. } => {
                paths.insert(in_tree(repo, file));
            }
            super::plan::StepKind::NextVersion(step) => {
                paths.insert(in_tree(repo, &step.file));
            }
            _ => {}
        }
    }
    if let Some(freeze) = &plan.freeze {
        paths.extend(freeze.changes.iter().map(|c| c.path.clone()));
    }
    paths
        .into_iter()
        .filter(|p| !Path::new(p).is_absolute())
        .filter_map(|p| {
            let bytes = std::fs::read(repo.root().join(&p)).ok()?;
            Some((p, fnv1a(&bytes)))
        })
        .collect()
}

/// After `abort` restored the files through git's checkout: each file of [`start_bytes`]
/// whose bytes now differ from those it had, while the base commit's blob, as it is stored
/// (no conversion), has them, is given those bytes back — the checkout predated a
/// conversion set since (`core.autocrlf`, an `eol` attribute). What matched stays; what
/// neither gives is named (restored as git checks it out now).
pub(crate) fn give_back_bytes(repo: &Repo, state: &State) -> Vec<String> {
    let mut inexact = Vec::new();
    let mut given = Vec::new();
    for (rel, then) in &state.bytes {
        let path = repo.root().join(rel);
        let Ok(now) = std::fs::read(&path) else {
            continue;
        };
        if fnv1a(&now) == *then {
            continue;
        }
        match repo.file_at(&state.base_commit, rel) {
            Ok(Some(raw)) if fnv1a(&raw) == *then => {
                // Written in place: the file keeps its mode (given back just before).
                if std::fs::write(&path, &raw).is_err() {
                    inexact.push(rel.clone());
                } else {
                    given.push(rel.as_str());
                }
            }
            _ => inexact.push(rel.clone()),
        }
    }
    // The index recorded the size git's checkout wrote, which git takes as a change without
    // looking: staged again, the same blob, with the file's own size.
    if !given.is_empty() && repo.add(&given).is_err() {
        inexact.extend(given.iter().map(|p| p.to_string()));
    }
    inexact
}
