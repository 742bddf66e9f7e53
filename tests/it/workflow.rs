//! What the end-to-end tests of the release workflow and `consolidate` check against: the
//! state a refused command must leave alone, and a deliberately simple, independent reading
//! of changelogs and fragments that computes what a consolidated section must list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util::{git, snapshot};

/// Everything a refused command must leave as it was.
#[derive(Debug, PartialEq, Eq)]
pub struct RepoState {
    pub files: BTreeMap<String, Vec<u8>>,
    pub status: String,
    pub index: String,
    pub branches: String,
    pub head: String,
    pub current: String,
    pub state_file: bool,
    pub draft: Option<Vec<u8>>,
}

pub fn state(dir: &Path) -> RepoState {
    RepoState {
        files: snapshot(dir),
        status: git(dir, &["status", "--porcelain", "--untracked-files=all"]),
        index: git(dir, &["ls-files", "--stage"]),
        branches: git(
            dir,
            &[
                "for-each-ref",
                "--format=%(refname) %(objectname)",
                "refs/heads",
            ],
        ),
        head: git(dir, &["rev-parse", "HEAD"]),
        current: git(dir, &["symbolic-ref", "--short", "HEAD"]),
        state_file: dir.join(".git/git-release/state.json").exists(),
        draft: std::fs::read(dir.join(".git/RELEASE_NOTES.md")).ok(),
    }
}

// --- an independent reading of the inputs -------------------------------------------

/// One changelog entry: its category, PR numbers and text (links left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub category: String,
    pub prs: Vec<u64>,
    pub text: String,
}

impl Item {
    /// The entry's identity in a section: its PR numbers, or its text without one.
    pub fn keys(&self) -> Vec<String> {
        if self.prs.is_empty() {
            vec![format!("text:{}", norm(&self.text))]
        } else {
            self.prs.iter().map(|p| format!("#{p}")).collect()
        }
    }
}

pub fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A `## ` section of a changelog: its title and entries.
#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub items: Vec<Item>,
}

/// Read a Markdown changelog naively: `## ` starts a section, `### ` a category, `* `/`- `
/// an entry, indented lines continue it, PR numbers are the `[#N]` links.
pub fn sections(changelog: &str) -> Vec<Section> {
    let pr = regex::Regex::new(r"\[#(\d+)\]").unwrap();
    let mut out: Vec<Section> = Vec::new();
    let mut category = String::new();
    let mut current: Option<String> = None;
    let flush = |out: &mut Vec<Section>, current: &mut Option<String>, category: &str| {
        if let (Some(raw), Some(section)) = (current.take(), out.last_mut()) {
            let prs = pr
                .captures_iter(&raw)
                .map(|c| c[1].parse().unwrap())
                .collect();
            let text = raw.split(" ([#").next().unwrap().trim().to_string();
            section.items.push(Item {
                category: category.to_string(),
                prs,
                text,
            });
        }
    };
    for line in changelog.lines() {
        if let (true, Some(entry)) = (line.starts_with("  "), current.as_mut()) {
            entry.push(' ');
            entry.push_str(line.trim());
            continue;
        }
        flush(&mut out, &mut current, &category);
        if let Some(t) = line.strip_prefix("## ") {
            out.push(Section {
                title: t.trim().to_string(),
                items: Vec::new(),
            });
            category.clear();
        } else if let Some(c) = line.strip_prefix("### ") {
            category = c.trim().to_string();
        } else if let Some(e) = line.strip_prefix("* ").or_else(|| line.strip_prefix("- ")) {
            if !out.is_empty() {
                current = Some(e.to_string());
            }
        }
    }
    flush(&mut out, &mut current, &category);
    out
}

/// Whether a section title is a pre-release of `version` (`26.1.0rc1 (date)`).
pub fn is_pre_release_of(title: &str, version: &str) -> bool {
    let Some(rest) = title.strip_prefix(version) else {
        return false;
    };
    ["rc", "a", "b"].iter().any(|p| {
        rest.strip_prefix(p)
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// Fragment type directory → category name, from `[[tool.towncrier.type]]`.
pub fn types(pyproject: &Path) -> BTreeMap<String, String> {
    let doc: toml::Table = std::fs::read_to_string(pyproject).unwrap().parse().unwrap();
    doc["tool"]["towncrier"]["type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["directory"].as_str().unwrap().to_string(),
                t["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The news fragments in `changes/` (`<pr>.<type>.md`).
pub fn fragments(root: &Path) -> Vec<Item> {
    let types = types(&root.join("pyproject.toml"));
    let mut out = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(root.join("changes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let parts: Vec<&str> = name.split('.').collect();
        if parts.len() != 3 || parts[2] != "md" {
            continue;
        }
        let Ok(pr) = parts[0].parse::<u64>() else {
            continue;
        };
        let category = types
            .get(parts[1])
            .unwrap_or_else(|| panic!("{name}: unknown type"));
        out.push(Item {
            category: category.clone(),
            prs: vec![pr],
            text: std::fs::read_to_string(root.join("changes").join(&name))
                .unwrap()
                .trim()
                .to_string(),
        });
    }
    out
}

/// What consolidating `version` in the project at `root` must list, per category: the
/// entries of its pre-release sections and the fragments, minus those an earlier release
/// already lists with the same PR and text. Also returns the stale keys left out.
pub fn expected(
    root: &Path,
    version: &str,
) -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let log = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let all = sections(&log);
    let mut released = BTreeSet::new();
    let mut inputs = Vec::new();
    for s in &all {
        if is_pre_release_of(&s.title, version) {
            inputs.extend(s.items.iter().cloned());
        } else {
            for i in &s.items {
                for p in &i.prs {
                    released.insert((*p, norm(&i.text)));
                }
            }
        }
    }
    inputs.extend(fragments(root));
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stale = BTreeSet::new();
    for i in inputs {
        if i.prs
            .iter()
            .any(|p| released.contains(&(*p, norm(&i.text))))
        {
            stale.extend(i.keys());
            continue;
        }
        out.entry(i.category.clone()).or_default().extend(i.keys());
    }
    (out, stale)
}

/// Per category, the keys of the entries in a section as `consolidate --format json` (or
/// `gold.json`) lists them, counting how often each appears.
pub fn listed(json: &serde_json::Value) -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut out: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for c in json["categories"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap().to_string();
        let slot = out.entry(name).or_default();
        for g in c["groups"].as_array().unwrap() {
            for item in g["items"].as_array().unwrap() {
                let prs: Vec<u64> = item["prs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_u64().unwrap())
                    .collect();
                let it = Item {
                    category: String::new(),
                    prs,
                    text: item["text"].as_str().unwrap().to_string(),
                };
                for k in it.keys() {
                    *slot.entry(k).or_default() += 1;
                }
            }
        }
    }
    out
}
