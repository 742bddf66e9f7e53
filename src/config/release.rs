//! git-release's own settings: `[tool.git-release]` in `pyproject.toml`, or the top level of
//! `.git-release.toml` (kebab-case keys).

use std::path::Path;
use std::time::Duration;

use toml::{Table, Value};

use super::reader::Reader;
use crate::error::{Error, Result};
use crate::freeze::{ActionSpec, Origin, Patterns, Rule};
use crate::group::registry::check_auto_order;
use crate::group::{Algorithm, Cutoff, Strategy};

/// When a configured step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepWhen {
    Always,
    /// Only when a WebUI version is given; runs right after the branch is created.
    Webui,
    Final,
    Pre,
}

/// `[[tool.git-release.step]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub run: String,
    pub when: StepWhen,
    /// Commit the step's changes on their own with this message (`{version}`,
    /// `{webui_version}` expand).
    pub commit: Option<String>,
    /// `timeout`: stop the step (its whole process group) after this many seconds, as an
    /// interrupted step that `continue` runs again.
    pub timeout_secs: Option<u64>,
}

/// `[tool.git-release.freeze]`: the placeholder frozen to the version in final releases.
pub use crate::freeze::Freeze;

/// `[tool.git-release.next-version]`: where the next development version is recorded.
#[derive(Debug, Clone)]
pub struct NextVersion {
    pub file: String,
    /// Holds a `version` capture group (checked when the configuration is read).
    pub pattern: regex::Regex,
    pub message: String,
}

/// `[tool.git-release.consolidate]`: how final releases are consolidated and grouped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Consolidate {
    pub keep_rc: bool,
    /// How entries are grouped: the strategy, its inputs and settings.
    pub grouping: crate::group::Settings,
}

/// git-release's own settings.
#[derive(Debug, Clone)]
pub struct ReleaseSettings {
    /// `version-file`, as configured (none: the version is found, see `Config::version_place`).
    pub version_file: Option<String>,
    /// `version-pattern`: where in `version-file` the version is (none: the whole file).
    pub version_pattern: Option<crate::version::VersionPattern>,
    /// `base-branch`, as configured (none: the repository's default branch, see
    /// `release::checks::base_branch`).
    pub base_branch: Option<String>,
    /// Overrides towncrier's `filename`; may hold `{major}`, `{minor}`, `{patch}`.
    pub changelog: Option<String>,
    pub branch: String,
    pub commit_message: String,
    pub freeze: Option<Freeze>,
    pub next_version: Option<NextVersion>,
    pub steps: Vec<Step>,
    pub consolidate: Consolidate,
}

impl Default for ReleaseSettings {
    fn default() -> Self {
        ReleaseSettings {
            version_file: None,
            version_pattern: None,
            base_branch: None,
            changelog: None,
            branch: "release/{version}".into(),
            commit_message: "release: {version}".into(),
            freeze: None,
            next_version: None,
            steps: Vec::new(),
            consolidate: Consolidate::default(),
        }
    }
}

pub(crate) fn parse_release(
    path: &Path,
    prefix: &str,
    table: &Table,
    warnings: &mut Vec<String>,
) -> Result<ReleaseSettings> {
    let mut r = Reader::new(path, prefix, table);
    let mut rel = ReleaseSettings {
        version_file: r.nonblank("version-file", "the file that holds the version")?,
        ..ReleaseSettings::default()
    };
    if let Some(pattern) = r.version_pattern("version-pattern")? {
        if rel.version_file.is_none() {
            return Err(Error::config(
                path,
                r.key("version-pattern"),
                "finds the version in `version-file`, which is not set; set `version-file` to \
                 the file the pattern reads",
            ));
        }
        rel.version_pattern = Some(pattern);
    }
    if let Some(v) = r.nonblank(
        "base-branch",
        "the branch releases start from, e.g. \"main\"",
    )? {
        rel.base_branch = Some(v);
    }
    rel.changelog = r.nonblank("changelog", "the changelog file")?;
    if let Some(v) = r.string("branch")? {
        if !v.contains("{version}") {
            return Err(Error::config(
                path,
                r.key("branch"),
                "must contain `{version}`",
            ));
        }
        rel.branch = v;
    }
    if let Some(v) = r.message("commit-message", &["version", "webui_version"])? {
        rel.commit_message = v;
    }

    if let Some(t) = r.table("freeze")? {
        rel.freeze = Some(parse_freeze(path, &format!("{prefix}freeze."), t)?);
    }

    if let Some(t) = r.table("next-version")? {
        let mut nr = Reader::new(path, format!("{prefix}next-version."), t);
        let file = nr.nonblank("file", "the file to advance")?.ok_or_else(|| {
            Error::config(path, format!("{prefix}next-version.file"), "is required")
        })?;
        let pattern = nr.version_pattern("pattern")?.ok_or_else(|| {
            Error::config(path, format!("{prefix}next-version.pattern"), "is required")
        })?;
        // Its step reads the group by name (a stopped release's state holds the regex).
        if !pattern.has_version_group() {
            return Err(Error::config(
                path,
                format!("{prefix}next-version.pattern"),
                "needs a `(?P<version>...)` capture group around the version",
            ));
        }
        let pattern = nr.compile_regex("pattern", pattern.as_str())?;
        let message = nr
            .message("message", &["version"])?
            .unwrap_or_else(|| "chore: bump NEXT_RELEASE_VERSION to {version}".into());
        nr.finish(warnings)?;
        rel.next_version = Some(NextVersion {
            file,
            pattern,
            message,
        });
    }

    if let Some(steps) = r.tables("step")? {
        for (i, t) in steps.iter().enumerate() {
            let mut sr = Reader::new(path, format!("{prefix}step[{i}]."), t);
            let run = sr.nonblank("run", "the command to run")?.ok_or_else(|| {
                Error::config(path, format!("{prefix}step[{i}].run"), "is required")
            })?;
            let name = sr.nonblank("name", "the step's name")?;
            if name.as_deref().is_some_and(|n| n.contains(['\n', '\r'])) {
                return Err(Error::config(
                    path,
                    format!("{prefix}step[{i}].name"),
                    "holds a line break; a step's name is one line of the plan",
                ));
            }
            let name = name.unwrap_or_else(|| run.clone());
            let when = match sr.string("when")?.as_deref() {
                None | Some("always") => StepWhen::Always,
                Some("webui") => StepWhen::Webui,
                Some("final") => StepWhen::Final,
                Some("pre") => StepWhen::Pre,
                Some(other) => {
                    return Err(Error::config(
                        path,
                        format!("{prefix}step[{i}].when"),
                        format!(
                            "must be one of \"webui\", \"final\", \"pre\" or \"always\", not \"{other}\""
                        ),
                    ));
                }
            };
            let timeout_secs = match sr.integer("timeout")? {
                None => None,
                Some(t) if t >= 1 => u64::try_from(t).ok(),
                Some(_) => {
                    return Err(Error::config(
                        path,
                        format!("{prefix}step[{i}].timeout"),
                        "must be a number of seconds, at least 1",
                    ));
                }
            };
            let mut commit = sr.message("commit", &["version", "webui_version"])?;
            if when == StepWhen::Webui && commit.is_none() {
                commit = Some("chore: update webui to {webui_version}".into());
            }
            sr.finish(warnings)?;
            rel.steps.push(Step {
                name,
                run,
                when,
                commit,
                timeout_secs,
            });
        }
    }

    if let Some(t) = r.table("consolidate")? {
        rel.consolidate = parse_consolidate(path, &format!("{prefix}consolidate."), t, warnings)?;
    }

    r.finish(warnings)?;
    Ok(rel)
}

/// `[freeze]`. It rewrites source files, so an unknown key is an error here, not a
/// warning: a misspelt `exclude` or a rule key from a newer git-release must not be
/// silently ignored.
fn parse_freeze(path: &Path, table: &str, t: &Table) -> Result<Freeze> {
    let origin = Origin {
        file: path.to_path_buf(),
        table: table.to_string(),
    };
    reject_unknown(
        &origin,
        "",
        t,
        &["placeholder", "files", "exclude", "replace", "rule"],
    )?;
    let mut fr = Reader::new(path, table, t);
    let placeholder = fr.string("placeholder")?.ok_or_else(|| {
        origin.error(
            "placeholder",
            "is required: the text to freeze, e.g. \"NEXT_RELEASE_VERSION\"",
        )
    })?;
    crate::freeze::check_placeholder(&placeholder, &origin)?;
    let patterns = |key: &str, sources: Vec<String>| {
        Patterns::new(sources).map_err(|e| origin.error(key, e.message))
    };
    let files = fr.strings("files")?.ok_or_else(|| {
        origin.error(
            "files",
            "is required: the patterns of the files to freeze, e.g. [\"src/**/*.py\"] (the freeze never covers the whole tree implicitly)",
        )
    })?;
    let files = patterns("files", files)?;
    let exclude = patterns("exclude", fr.strings("exclude")?.unwrap_or_default())?;
    let rules = match (fr.string("replace")?, fr.tables("rule")?) {
        (Some(_), Some(_)) => {
            return Err(origin.error(
                "replace",
                format!("and [[{table}rule]] entries cannot both be given: `replace` is the shorthand for one rule; write it as a rule"),
            ));
        }
        (Some(replace), None) => vec![
            Rule::literal(&placeholder, &replace).map_err(|e| origin.error(e.key, e.message))?,
        ],
        (None, Some(tables)) => tables
            .iter()
            .enumerate()
            .map(|(i, rt)| parse_freeze_rule(&origin, i, rt, &placeholder))
            .collect::<Result<_>>()?,
        (None, None) => Vec::new(),
    };
    Freeze::new(placeholder, files, exclude, rules, origin)
}

/// `[[freeze.rule]]` number `i`: `match` and exactly one of `drop = true`, `keep = true`,
/// `replace = "…"`.
fn parse_freeze_rule(origin: &Origin, i: usize, t: &Table, placeholder: &str) -> Result<Rule> {
    let at = format!("rule[{i}].");
    reject_unknown(
        origin,
        &at,
        t,
        &["name", "match", "drop", "keep", "replace"],
    )?;
    let mut rr = Reader::new(&origin.file, format!("{}{at}", origin.table), t);
    let name = rr.string("name")?.unwrap_or_else(|| format!("rule[{i}]"));
    let pattern = rr.string("match")?.ok_or_else(|| {
        origin.error(
            &format!("{at}match"),
            "is required: the regular expression a line must match",
        )
    })?;
    let flag = |rr: &mut Reader<'_>, key: &'static str| -> Result<bool> {
        match rr.boolean(key)? {
            Some(false) => Err(origin.error(
                &format!("{at}{key}"),
                format!("`{key} = false` does nothing: write `{key} = true`, or remove the key"),
            )),
            v => Ok(v.is_some()),
        }
    };
    let drop = flag(&mut rr, "drop")?;
    let keep = flag(&mut rr, "keep")?;
    let replace = rr.string("replace")?;
    let action = match (drop, keep, replace.as_deref()) {
        (true, false, None) => ActionSpec::Drop,
        (false, true, None) => ActionSpec::Keep,
        (false, false, Some(r)) => ActionSpec::Replace(r),
        _ => {
            return Err(origin.error(
                &format!("rule[{i}]"),
                format!(
                    "({name}) needs exactly one of `drop = true`, `keep = true` or `replace = \"…\"`"
                ),
            ));
        }
    };
    Rule::new(name.clone(), &pattern, action, placeholder)
        .map_err(|e| origin.error(&format!("{at}{}", e.key), format!("({name}) {}", e.message)))
}

/// An error for the first key of `t` that is not in `known`.
fn reject_unknown(origin: &Origin, at: &str, t: &Table, known: &[&str]) -> Result<()> {
    match t.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(key) => Err(origin.error(
            &format!("{at}{key}"),
            format!(
                "is not a key of this table (known: {}); the freeze rewrites source files, so unknown keys are errors",
                known.join(", ")
            ),
        )),
    }
}

/// `[consolidate]`: how final releases are consolidated and grouped.
fn parse_consolidate(
    path: &Path,
    prefix: &str,
    t: &Table,
    warnings: &mut Vec<String>,
) -> Result<Consolidate> {
    let mut cr = Reader::new(path, prefix, t);
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out = Consolidate::default();
    if let Some(v) = cr.boolean("keep-rc")? {
        out.keep_rc = v;
    }
    let c = &mut out.grouping;
    if let Some(v) = cr.string("strategy")? {
        c.strategy = v.parse().map_err(|_| {
            Error::config(
                path,
                cr.key("strategy"),
                format!("must be one of {}, not \"{v}\"", Strategy::names()),
            )
        })?;
    }
    c.rules = cr
        .nonblank("rules", "the rules file")?
        .map(|p| base.join(p));
    let labels = cr.nonblank("labels-from", "the labels file")?;
    c.labels_from = labels.map(|p| base.join(p));
    if let Some(v) = cr.strings("categories")? {
        c.categories = v;
    }
    if let Some(v) = cr.strings("components")? {
        c.components = v;
    }
    if let Some(v) = cr.integer("min-group-size")? {
        if v < 1 {
            return Err(Error::config(
                path,
                cr.key("min-group-size"),
                "must be at least 1",
            ));
        }
        c.min_group_size = usize::try_from(v).unwrap_or(usize::MAX);
    }
    match cr.get("similarity-cutoff") {
        None => {}
        Some(Value::String(s)) if s == "learn" => c.similarity.cutoff = Cutoff::Learn,
        Some(Value::Float(f)) if (0.0..=1.0).contains(f) => c.similarity.cutoff = Cutoff::Fixed(*f),
        Some(v) => {
            return Err(cr.wrong(
                "similarity-cutoff",
                "a number between 0 and 1, or \"learn\"",
                v,
            ));
        }
    }
    if let Some(v) = cr.string("similarity-algorithm")? {
        c.similarity.algorithm = v.parse().map_err(|_| {
            Error::config(
                path,
                cr.key("similarity-algorithm"),
                format!(
                    "must be one of {}, not \"{v}\"",
                    Algorithm::ALL.map(|a| format!("\"{a}\"")).join(", ")
                ),
            )
        })?;
    }
    c.command = cr.string("command")?;
    if c.command.as_ref().is_some_and(|v| v.trim().is_empty()) {
        return Err(Error::config(
            path,
            cr.key("command"),
            "is empty; give the program that groups the entries (strategies/README.md \
             describes the JSON it reads and prints), or remove the key",
        ));
    }
    if c.strategy == Strategy::Command && c.command.is_none() {
        return Err(Error::config(
            path,
            cr.key("strategy"),
            "is \"command\", but no `command` is set beside it; add `command = \"…\"` (the \
             program that groups the entries), or choose another strategy",
        ));
    }
    match cr.get("command-timeout") {
        None => {}
        Some(Value::Integer(n)) if *n > 0 && *n < 1_000_000_000 => {
            c.command_timeout = Duration::from_secs(u64::try_from(*n).unwrap_or(u64::MAX));
        }
        Some(Value::Float(f)) if f.is_finite() && *f > 0.0 && *f < 1e9 => {
            c.command_timeout = Duration::from_secs_f64(*f);
        }
        Some(v) => {
            return Err(cr.wrong(
                "command-timeout",
                "a number of seconds above 0 and below 1000000000",
                v,
            ));
        }
    }
    if let Some(v) = cr.strings("auto-order")? {
        let key = cr.key("auto-order");
        let mut order = Vec::new();
        for name in &v {
            order.push(name.parse::<Strategy>().map_err(|_| {
                Error::config(
                    path,
                    &key,
                    format!(
                        "lists `{name}`, which is not a strategy auto can use; use some of {}",
                        auto_order_names()
                    ),
                )
            })?);
        }
        check_auto_order(&order).map_err(|e| Error::config(path, &key, e))?;
        c.auto_order = order;
    }
    cr.finish(warnings)?;
    Ok(out)
}

/// The strategies `auto-order` may list: `rules, similarity, labels`.
fn auto_order_names() -> String {
    Strategy::ALL
        .into_iter()
        .filter(|s| s.is_auto_pass())
        .map(Strategy::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
