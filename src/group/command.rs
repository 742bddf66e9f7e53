//! `--strategy command`: an external program groups the whole release.
//!
//! git-release runs the configured command (`sh -c`, in the repository root, in a process
//! group of its own that is stopped whole on a stopping signal or the timeout), writes one
//! JSON document to its stdin (the release, its entries with ids, the grouped history and
//! the grouping rules: [`Input`]) and reads the grouping from its stdout. The answer must
//! place every entry exactly once; anything else (an unknown, missing or repeated id, JSON
//! that is not the expected shape, a failure, a timeout) is refused before anything is
//! written, with one message that says what and where. The accepted answer then goes
//! through [`finish`](super::finish) like every strategy's proposals. The JSON is described
//! in `strategies/README.md` and `strategies/command.schema.json`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::inline::{self, visible};
use super::{Context, Grouper, Item, Proposal, Tier, text};
use crate::error::{Error, Result};
use crate::process::{self, Ended};

/// The version of the JSON exchanged with the command (`format` in the input).
pub const FORMAT: u32 = 1;

/// The default `command-timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The most stdout read from the command; more is refused (and the command stopped).
pub const MAX_STDOUT: usize = 64 << 20;

/// How long the command's output may stay open after it exited (a process it started
/// holding it); the timeout still bounds the whole run.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// How much of the command's stderr a message quotes.
const STDERR_SHOWN: usize = 2000;

/// An earlier final release's grouped categories, as the command is told them.
#[derive(Debug, Clone, Serialize)]
pub struct PastRelease {
    /// The release's heading (`26.1.0 (2026-01-12)`).
    pub release: String,
    pub version: Option<String>,
    pub categories: Vec<PastCategory>,
}

/// One grouped category of an earlier release.
#[derive(Debug, Clone, Serialize)]
pub struct PastCategory {
    pub name: String,
    pub groups: Vec<PastGroup>,
    /// The entries under `Other <Category>` (or outside any subsection).
    pub other: Vec<PastEntry>,
}

/// One titled subsection of an earlier release.
#[derive(Debug, Clone, Serialize)]
pub struct PastGroup {
    pub title: String,
    pub description: String,
    /// The changelog does not record tiers: this is the tier the title's words give
    /// (`tier::from_title_words`), `subsystem` otherwise.
    pub tier: Tier,
    /// Every reference of the group's entries, in order.
    #[serde(flatten)]
    pub refs: References,
    pub entries: Vec<PastEntry>,
}

/// An entry of an earlier release.
#[derive(Debug, Clone, Serialize)]
pub struct PastEntry {
    #[serde(flatten)]
    pub refs: References,
    pub text: String,
}

/// An entry's references as the command is told them: `prs`, the PR numbers among them
/// (what the JSON always held), and `issues`, every one as the project writes it
/// (`"PROJ-12"`, `"1234"`) — an issue named by text is no number. The grouping engine
/// knows references as keys only: its caller names them ([`ReleaseInput::references`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct References {
    pub prs: Vec<u64>,
    pub issues: Vec<String>,
}

impl References {
    /// Keys that are all PR numbers, named as numbers (for callers without names).
    pub fn numbers(keys: &[u64]) -> References {
        References {
            prs: keys.to_vec(),
            issues: keys.iter().map(u64::to_string).collect(),
        }
    }
}

impl PastGroup {
    /// A group with the tier its title gives.
    pub fn new(title: &str, description: &str, entries: Vec<PastEntry>) -> PastGroup {
        let words: Vec<String> = text::normalize_phrase(title)
            .split(' ')
            .map(str::to_string)
            .collect();
        PastGroup {
            title: title.to_string(),
            description: description.to_string(),
            tier: super::tier::from_title_words(&words).unwrap_or(Tier::Subsystem),
            refs: References {
                prs: entries
                    .iter()
                    .flat_map(|e| e.refs.prs.iter().copied())
                    .collect(),
                issues: entries
                    .iter()
                    .flat_map(|e| e.refs.issues.iter().cloned())
                    .collect(),
            },
            entries,
        }
    }
}

/// The whole release being grouped, for a strategy that answers for every category at
/// once (see [`Grouper::begin`]).
#[derive(Debug, Clone, Copy)]
pub struct ReleaseInput<'a> {
    pub version: &'a str,
    /// The categories to group, in the section's order, with their entries.
    pub categories: &'a [(String, Vec<Item>)],
    /// The grouped final releases of the changelog, newest first.
    pub history: &'a [PastRelease],
    /// An item's references (its `prs`, keys) as the command is told them.
    pub references: fn(&[u64]) -> References,
}

/// The document written to the command's stdin.
#[derive(Debug, Serialize)]
pub struct Input<'a> {
    pub format: u32,
    pub version: &'a str,
    pub categories: Vec<InputCategory<'a>>,
    pub history: &'a [PastRelease],
    pub rules: InputRules<'a>,
}

#[derive(Debug, Serialize)]
pub struct InputCategory<'a> {
    pub name: &'a str,
    /// The title entries left ungrouped are listed under.
    pub other_title: String,
    pub entries: Vec<InputEntry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct InputEntry<'a> {
    pub id: String,
    #[serde(flatten)]
    pub refs: References,
    pub text: &'a str,
}

#[derive(Debug, Serialize)]
pub struct InputRules<'a> {
    /// Highest first: an entry two groups want goes to the higher tier.
    pub tiers: Vec<&'static str>,
    pub min_group_size: usize,
    /// Names that are never a group's only reason (normalised as git-release compares
    /// them: lower case, separators as spaces), each once.
    pub components: Vec<&'a str>,
}

/// The id of entry `index` of category `category` (both counted from 0): `e1`, `e2`, …
/// numbered through the whole release, so that an id says which category it belongs to.
fn entry_id(offsets: &[usize], category: usize, index: usize) -> String {
    format!("e{}", offsets[category] + index + 1)
}

impl<'a> Input<'a> {
    pub fn new(release: &ReleaseInput<'a>, ctx: &'a Context) -> Input<'a> {
        let offsets = offsets(release.categories);
        Input {
            format: FORMAT,
            version: release.version,
            categories: release
                .categories
                .iter()
                .enumerate()
                .map(|(c, (name, items))| InputCategory {
                    name,
                    other_title: super::other_title(name),
                    entries: items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| InputEntry {
                            id: entry_id(&offsets, c, i),
                            refs: (release.references)(&item.prs),
                            text: &item.text,
                        })
                        .collect(),
                })
                .collect(),
            history: release.history,
            rules: InputRules {
                tiers: Tier::ALL.map(Tier::as_str).to_vec(),
                min_group_size: ctx.min_size,
                components: ctx.components.iter().fold(Vec::new(), |mut seen, c| {
                    if !seen.contains(&c.as_str()) {
                        seen.push(c.as_str());
                    }
                    seen
                }),
            },
        }
    }
}

/// Where each category's ids start.
fn offsets(categories: &[(String, Vec<Item>)]) -> Vec<usize> {
    let mut at = 0;
    categories
        .iter()
        .map(|(_, items)| {
            let start = at;
            at += items.len();
            start
        })
        .collect()
}

/// The external grouper.
#[derive(Debug)]
pub struct External {
    run: String,
    timeout: Duration,
    dir: Option<PathBuf>,
    /// Proposals by category (lower case), once [`Grouper::begin`] ran the command.
    answer: RefCell<Option<BTreeMap<String, Vec<Proposal>>>>,
}

impl External {
    /// The command `run` (a shell command line), run in `dir` (the repository root; the
    /// current directory when `None`).
    pub fn new(run: impl Into<String>, timeout: Duration, dir: Option<PathBuf>) -> External {
        External {
            run: run.into(),
            timeout,
            dir,
            answer: RefCell::new(None),
        }
    }

    /// An error about this command; nothing was written.
    fn refused(&self, message: impl std::fmt::Display) -> Error {
        Error::Refused(visible(&format!(
            "the grouping command `{}` {message}; nothing was written",
            self.run
        )))
    }

    /// Run the command on `input` and return its stdout.
    fn run(&self, input: Vec<u8>) -> Result<Vec<u8>> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(&self.run)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        // Its `git` reads the repository it runs in, not one a `GIT_DIR` names.
        crate::git::without_repo_env(&mut cmd);
        // Ctrl-C stops the command's group (which the terminal's signal does not reach).
        let _signals = process::watch();
        let mut pipes = Pipes::default();
        let mut group = 0;
        // A timeout too long to be a time on this clock is no deadline at all.
        let deadline = Instant::now().checked_add(self.timeout);
        let ended = process::run_in_group(&mut cmd, Some(self.timeout), |pgid, child| {
            group = pgid;
            pipes = Pipes::start(child, input);
        })
        .map_err(|e| self.refused(format!("could not be started (`sh -c`): {e}")))?;
        // Whatever the command left running in its group would hold the pipes open.
        process::end_group(group);
        let status = match ended {
            Ended::Exited(status) => status,
            Ended::Interrupted(signal) => {
                return Err(self.refused(format!(
                    "was stopped (its whole process group) because git release received {}",
                    process::signal_name(signal)
                )));
            }
            Ended::TimedOut(limit) => {
                return Err(self.refused(format!(
                    "ran longer than its timeout ({}s, the consolidate setting `command-timeout`) \
                     and was stopped (its whole process group)",
                    limit.as_secs_f64()
                )));
            }
        };
        // A process it started outside its group (`setsid`) may still hold its output open:
        // the rest is read until a short grace period or the timeout, whichever comes first.
        let grace = Instant::now() + OUTPUT_GRACE;
        let until = deadline.map_or(grace, |d| d.min(grace));
        let Some((stdout, overflow, stderr)) = pipes.collect(until) else {
            return Err(self.refused(
                "exited, but a process it started keeps its output (stdout, stderr or its \
                 input) open; its answer is not complete, so it is not used. Make the command \
                 wait for what it starts, or close those pipes in what it leaves running",
            ));
        };
        // (Checked first: a command cut off this way dies of SIGPIPE.)
        if overflow {
            return Err(self.refused(format!(
                "printed more than {} MiB on stdout, which is not a grouping",
                MAX_STDOUT >> 20
            )));
        }
        if !status.success() {
            let what = if status.code() == Some(127) {
                "was not found or could not be run (the shell exited with 127)".to_string()
            } else {
                format!("failed: it exited with {status}")
            };
            return Err(Error::Refused(visible(&format!(
                "the grouping command `{}` {what}; nothing was written{}",
                self.run,
                stderr_excerpt(&stderr)
            ))));
        }
        Ok(stdout)
    }

    /// Check the command's answer against the release and turn it into proposals.
    fn read_answer(
        &self,
        stdout: &[u8],
        release: &ReleaseInput<'_>,
    ) -> Result<BTreeMap<String, Vec<Proposal>>> {
        let value: Value = serde_json::from_slice(stdout).map_err(|e| {
            if stdout.iter().all(u8::is_ascii_whitespace) {
                self.refused("printed nothing on stdout; it must print the grouping as JSON")
            } else {
                self.refused(format!(
                    "printed something that is not JSON on stdout ({e})"
                ))
            }
        })?;
        check_answer(&value, release, &self.run).map_err(|e| self.refused(e))
    }
}

impl Grouper for External {
    fn begin(&self, release: &ReleaseInput<'_>, ctx: &Context) -> Result<()> {
        let input = serde_json::to_vec(&Input::new(release, ctx))
            .map_err(|e| self.refused(format!("could not be given its input: {e}")))?;
        let stdout = self.run(input)?;
        let answer = self.read_answer(&stdout, release)?;
        *self.answer.borrow_mut() = Some(answer);
        Ok(())
    }

    fn propose(
        &self,
        category: &str,
        _items: &[Item],
        candidates: &[usize],
        _ctx: &Context,
    ) -> Result<Vec<Proposal>> {
        let answer = self.answer.borrow();
        let Some(answer) = answer.as_ref() else {
            return Err(Error::Usage(
                "the command strategy groups a whole release at once; it cannot be asked for one category".into(),
            ));
        };
        Ok(answer
            .get(&category.to_lowercase())
            .into_iter()
            .flatten()
            .map(|p| Proposal {
                members: p
                    .members
                    .iter()
                    .copied()
                    .filter(|m| candidates.contains(m))
                    .collect(),
                ..p.clone()
            })
            .collect())
    }
}

/// The command's three pipes, fed and drained by threads so that none of them can block
/// the others (a command that writes before it reads, or never reads, cannot deadlock).
#[derive(Default)]
struct Pipes {
    stdin: Option<JoinHandle<()>>,
    stdout: Option<JoinHandle<(Vec<u8>, bool)>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

impl Pipes {
    fn start(child: &mut std::process::Child, input: Vec<u8>) -> Pipes {
        let stdin = child.stdin.take().map(|mut pipe| {
            std::thread::spawn(move || {
                // A command that does not read its input closes the pipe: not an error
                // (its answer is judged on its own).
                let _ = pipe.write_all(&input);
            })
        });
        let stdout = child.stdout.take().map(|pipe| {
            std::thread::spawn(move || {
                let mut out = Vec::new();
                // One byte more than allowed tells an overflow; the pipe is then closed,
                // which ends a command that keeps writing.
                let limit = u64::try_from(MAX_STDOUT).unwrap_or(u64::MAX) + 1;
                let _ = pipe.take(limit).read_to_end(&mut out);
                let overflow = out.len() > MAX_STDOUT;
                out.truncate(MAX_STDOUT);
                (out, overflow)
            })
        });
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut kept = Vec::new();
                let _ = (&mut pipe)
                    .take(u64::try_from(STDERR_SHOWN * 4).unwrap_or(u64::MAX))
                    .read_to_end(&mut kept);
                // The rest is drained so that the command never blocks on it.
                let _ = std::io::copy(&mut pipe, &mut std::io::sink());
                kept
            })
        });
        Pipes {
            stdin,
            stdout,
            stderr,
        }
    }

    /// Stdout (and whether it overflowed) and stderr, once the command has ended; `None`
    /// when a pipe is still open at `until` (a process the command started holds it; its
    /// thread is left blocked on it, and ends with git-release).
    fn collect(self, until: Instant) -> Option<(Vec<u8>, bool, Vec<u8>)> {
        loop {
            let done = self.stdin.as_ref().is_none_or(JoinHandle::is_finished)
                && self.stdout.as_ref().is_none_or(JoinHandle::is_finished)
                && self.stderr.as_ref().is_none_or(JoinHandle::is_finished);
            if done {
                break;
            }
            if Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if let Some(t) = self.stdin {
            let _ = t.join();
        }
        let (stdout, overflow) = self.stdout.and_then(|t| t.join().ok()).unwrap_or_default();
        let stderr = self.stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        Some((stdout, overflow, stderr))
    }
}

/// `. Its stderr:` and the first of it, or a note that it printed nothing.
fn stderr_excerpt(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.is_empty() {
        return " (it printed nothing on stderr)".into();
    }
    let mut shown: String = text.chars().take(STDERR_SHOWN).collect();
    if shown.len() < text.len() {
        shown.push_str("\n[… stderr cut]");
    }
    format!(". Its stderr:\n{shown}")
}

/// The answer checked: the shape, and every entry of every category exactly once. The
/// error says where (`categories[0].groups[2].entries[1]`) and what.
fn check_answer(
    value: &Value,
    release: &ReleaseInput<'_>,
    run: &str,
) -> std::result::Result<BTreeMap<String, Vec<Proposal>>, String> {
    let offsets = offsets(release.categories);
    // id → (category, index)
    let mut ids: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (c, (_, items)) in release.categories.iter().enumerate() {
        for i in 0..items.len() {
            ids.insert(entry_id(&offsets, c, i), (c, i));
        }
    }
    let categories = value
        .as_object()
        .ok_or("answered JSON that is not an object; it must be {\"categories\": [...]}")?
        .get("categories")
        .ok_or("answered an object without `categories`")?
        .as_array()
        .ok_or("answered `categories` that is not an array")?;
    // Where each id was placed, to refuse a second placement.
    let mut placed: BTreeMap<String, String> = BTreeMap::new();
    let mut out: BTreeMap<String, Vec<Proposal>> = BTreeMap::new();
    let mut seen_categories = vec![false; release.categories.len()];
    for (ci, cat) in categories.iter().enumerate() {
        let at = format!("categories[{ci}]");
        let obj = cat
            .as_object()
            .ok_or(format!("answered {at}, which is not an object"))?;
        let name = string_at(obj, "name", &at)?.ok_or(format!("answered {at} without `name`"))?;
        let c = release
            .categories
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!(
                    "answered {at}.name \"{name}\", which is not a category being grouped (these are: {})",
                    release
                        .categories
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        if std::mem::replace(&mut seen_categories[c], true) {
            return Err(format!("answered the category \"{name}\" twice ({at})"));
        }
        let cname = &release.categories[c].0;
        let mut take = |list: &Value, where_: &str| -> std::result::Result<Vec<usize>, String> {
            let list = list
                .as_array()
                .ok_or(format!("answered {where_}, which is not an array of ids"))?;
            let mut members = Vec::new();
            for (k, id) in list.iter().enumerate() {
                let here = format!("{where_}[{k}]");
                let id = id.as_str().ok_or(format!(
                    "answered {here}, which is not an id string (\"e1\")"
                ))?;
                let Some(&(owner, index)) = ids.get(id) else {
                    return Err(format!(
                        "answered the unknown id \"{id}\" at {here}: the input has no such entry"
                    ));
                };
                if owner != c {
                    return Err(format!(
                        "answered \"{id}\" at {here} under {cname}, but it is an entry of {}",
                        release.categories[owner].0
                    ));
                }
                if let Some(first) = placed.insert(id.to_string(), here.clone()) {
                    return Err(format!(
                        "answered \"{id}\" twice (at {first} and at {here}): every entry belongs to exactly one group"
                    ));
                }
                members.push(index);
            }
            Ok(members)
        };
        let mut proposals = Vec::new();
        if let Some(groups) = obj.get("groups") {
            let groups = groups
                .as_array()
                .ok_or(format!("answered {at}.groups, which is not an array"))?;
            for (gi, g) in groups.iter().enumerate() {
                let gat = format!("{at}.groups[{gi}]");
                let gobj = g
                    .as_object()
                    .ok_or(format!("answered {gat}, which is not an object"))?;
                let title = string_at(gobj, "title", &gat)?
                    .ok_or(format!("answered {gat} without `title`"))?;
                let title = one_line(title, &format!("{gat}.title"))?;
                if title.is_empty() {
                    return Err(format!("answered an empty title at {gat}.title"));
                }
                let description = string_at(gobj, "description", &gat)?
                    .map(|d| one_line(d, &format!("{gat}.description")))
                    .transpose()?
                    .filter(|d| !d.is_empty());
                let tier = match string_at(gobj, "tier", &gat)? {
                    None => Tier::Subsystem,
                    Some(t) => Tier::parse(t).ok_or(format!(
                        "answered the tier \"{t}\" at {gat}.tier; use one of {}",
                        Tier::ALL.map(Tier::as_str).join(", ")
                    ))?,
                };
                let members = take(
                    gobj.get("entries")
                        .ok_or(format!("answered {gat} without `entries`"))?,
                    &format!("{gat}.entries"),
                )?;
                proposals.push(Proposal {
                    evidence: vec![text::normalize_phrase(&title)],
                    title,
                    description,
                    tier,
                    members,
                    standalone: false,
                    reason: format!("grouped by `{run}`"),
                });
            }
        }
        if let Some(other) = obj.get("other") {
            take(other, &format!("{at}.other"))?;
        }
        out.insert(cname.to_lowercase(), proposals);
    }
    // In the release's order (e2 before e10).
    let mut missing: Vec<(&String, (usize, usize))> = ids
        .iter()
        .filter(|(id, _)| !placed.contains_key(*id))
        .map(|(id, &at)| (id, at))
        .collect();
    missing.sort_by_key(|&(_, at)| at);
    if let Some(&(first, (c, i))) = missing.first() {
        let (cname, items) = &release.categories[c];
        let text: String = items[i].text.chars().take(60).collect();
        return Err(format!(
            "left out {} of the release's entries, first \"{first}\" of {cname} (\"{text}\"): every \
             entry must be in one group or in its category's `other` list",
            missing.len()
        ));
    }
    Ok(out)
}

/// `key` of `obj` as a string, `None` when absent or null.
fn string_at<'v>(
    obj: &'v serde_json::Map<String, Value>,
    key: &str,
    at: &str,
) -> std::result::Result<Option<&'v str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("answered {at}.{key}, which is not a string")),
    }
}

/// A title or description is one line of plain inline text, as [`inline::check`] decides
/// for every strategy: said here with where in the answer it stands.
fn one_line(s: &str, at: &str) -> std::result::Result<String, String> {
    inline::check(s).map_err(|why| {
        format!("answered {why} at {at}; a title or description must be one line of plain text")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release() -> Vec<(String, Vec<Item>)> {
        vec![
            (
                "Features".into(),
                vec![
                    Item::new("Add A", vec![1]),
                    Item::new("Add B", vec![2]),
                    Item::new("Add C", vec![3]),
                ],
            ),
            ("Fixes".into(), vec![Item::new("Fix D", vec![4])]),
        ]
    }

    fn check(answer: &str) -> std::result::Result<BTreeMap<String, Vec<Proposal>>, String> {
        let cats = release();
        let r = ReleaseInput {
            version: "1.0.0",
            categories: &cats,
            history: &[],
            references: References::numbers,
        };
        check_answer(&serde_json::from_str(answer).unwrap(), &r, "x")
    }

    #[test]
    fn a_complete_answer_becomes_proposals() {
        let out = check(
            r#"{"categories":[{"name":"features","groups":[{"title":"Letters","tier":"initiative","entries":["e1","e3"]}],"other":["e2"]},
                {"name":"Fixes","other":["e4"]}]}"#,
        )
        .unwrap();
        let f = &out["features"];
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].members, [0, 2]);
        assert_eq!(f[0].tier, Tier::Initiative);
        assert!(out["fixes"].is_empty());
    }

    #[test]
    fn the_first_missing_entry_is_named_in_release_order() {
        let cats = vec![(
            "Features".to_string(),
            (0..12)
                .map(|i| Item::new(format!("Add {i}"), vec![i]))
                .collect::<Vec<_>>(),
        )];
        let r = ReleaseInput {
            version: "1.0.0",
            categories: &cats,
            history: &[],
            references: References::numbers,
        };
        let answer = serde_json::json!({"categories": [{"name": "Features",
            "other": ["e1", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e11", "e12"]}]});
        let err = check_answer(&answer, &r, "x").unwrap_err();
        assert!(
            err.contains("left out 2") && err.contains("first \"e2\""),
            "{err}"
        );
    }

    #[test]
    fn every_entry_exactly_once() {
        for (answer, needle) in [
            (
                r#"{"categories":[{"name":"Features","other":["e1","e2","e3"]}]}"#,
                "\"e4\" of Fixes",
            ),
            (
                r#"{"categories":[{"name":"Features","other":["e1","e2","e3","e9"]}]}"#,
                "unknown id \"e9\" at categories[0].other[3]",
            ),
            (
                r#"{"categories":[{"name":"Features","other":["e1","e2","e3","e1"]},{"name":"Fixes","other":["e4"]}]}"#,
                "\"e1\" twice",
            ),
            (
                r#"{"categories":[{"name":"Features","other":["e1","e2","e3","e4"]}]}"#,
                "an entry of Fixes",
            ),
            (
                r#"{"categories":[{"name":"Features","groups":[{"title":"T","entries":"e1"}]}]}"#,
                "categories[0].groups[0].entries, which is not an array",
            ),
            (
                r#"{"categories":[{"name":"Features","groups":[{"title":"T\n## 2.0","entries":["e1"]}]}]}"#,
                "line break",
            ),
            (
                r#"{"categories":[{"name":"Features","groups":[{"title":"- T","entries":["e1"]}]}]}"#,
                "list item",
            ),
            (
                r#"{"categories":[{"name":"Features","groups":[{"title":"T","tier":"epic","entries":["e1"]}]}]}"#,
                "tier \"epic\"",
            ),
            (
                r#"{"categories":[{"name":"Docs","groups":[]}]}"#,
                "not a category being grouped",
            ),
            (r#"[1]"#, "not an object"),
        ] {
            let err = check(answer).unwrap_err();
            assert!(err.contains(needle), "{answer}: {err}");
        }
    }

    #[test]
    fn links_and_urls_are_refused() {
        for bad in [
            "See [x](https://evil.example/#1) Stuff",
            "Added ([#8560](https://github.com/o/r/issues/8560)) things",
            "Docs at https://example.com",
            "Docs at <https://example.com>",
            "![img](a.png) title",
        ] {
            let err = one_line(bad, "x.title").unwrap_err();
            assert!(
                err.contains("link or URL") && err.contains("x.title"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn control_characters_are_refused() {
        for (bad, needle) in [
            ("a\nb", "line break"),
            ("a\rb", "line break"),
            ("a\u{2028}b", "line break"),
            ("a\u{2029}b", "line break"),
            ("a\u{85}b", "line break"),
            ("a\0b", "U+0000"),
            ("a\u{b}b", "U+000B"),
            ("a\u{c}b", "U+000C"),
            ("a\tb", "U+0009"),
            ("a\u{1b}[31mb", "U+001B"),
            ("a\u{7f}b", "U+007F"),
            ("a\u{9b}b", "U+009B"),
        ] {
            let err = one_line(bad, "x.title").unwrap_err();
            assert!(
                err.contains(needle) && err.contains("x.title"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn every_markdown_block_start_is_refused() {
        for (bad, needle) in [
            ("# T", "heading"),
            ("###### T", "heading"),
            ("> quoted", "block quote"),
            ("```", "code fence"),
            ("```rust", "code fence"),
            ("~~~", "code fence"),
            ("<pre>", "HTML"),
            ("<script>", "HTML"),
            ("</div>", "HTML"),
            ("<details><summary>x", "HTML"),
            ("<!-- c -->", "HTML"),
            ("<!DOCTYPE html>", "HTML"),
            ("<?php", "HTML"),
            ("1. item", "ordered list item"),
            ("1) item", "ordered list item"),
            ("123456789. item", "ordered list item"),
            ("2.", "ordered list item"),
            ("- item", "list item"),
            ("* item", "list item"),
            ("+ item", "list item"),
            ("*", "list item"),
            ("+", "list item"),
            ("---", "thematic break"),
            ("- - -", "thematic break"),
            ("***", "thematic break"),
            ("* * *", "thematic break"),
            ("___", "thematic break"),
            ("_ _ _", "thematic break"),
            ("===", "heading underline"),
            ("=", "heading underline"),
            ("--", "heading underline"),
            ("-", "heading underline"),
            ("[1]: https://evil.example", "link reference definition"),
            ("[x]:", "link reference definition"),
            ("    code", "indented code"),
        ] {
            let err = one_line(bad, "x.description").unwrap_err();
            assert!(err.contains(needle), "{bad:?}: {err}");
        }
    }

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(
            visible("red \u{1b}[31mx\u{1b}]0;t\u{7}\nnext\tcol\0\u{2028}\u{85}"),
            "red \\x1b[31mx\\x1b]0;t\\x07\nnext\tcol\\x00\\u{2028}\\x85"
        );
    }
}
