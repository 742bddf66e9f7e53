//! Typed access to one TOML table: every value read is checked against the type it must
//! have, errors name the file and the full key, and keys nobody read are reported.

use std::collections::BTreeSet;
use std::path::Path;

use toml::{Table, Value};

use crate::error::{Error, Result};

/// Whether `typed` is probably a misspelling of `known`: the same up to case and `_`/`-`,
/// or one or two edits away (for keys long enough that two edits are a typo, not a
/// different word).
pub(crate) fn near_miss(typed: &str, known: &str) -> bool {
    let norm = |s: &str| s.to_lowercase().replace('_', "-");
    let (t, k) = (norm(typed), norm(known));
    if t == k {
        return true;
    }
    let allowed = match k.chars().count() {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    };
    strsim::damerau_levenshtein(&t, &k) <= allowed
}

/// Typed access to one TOML table, remembering which keys were read so that the rest
/// can be reported as unknown.
pub(crate) struct Reader<'a> {
    path: &'a Path,
    prefix: String,
    table: &'a Table,
    seen: BTreeSet<&'static str>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(path: &'a Path, prefix: impl Into<String>, table: &'a Table) -> Self {
        Reader {
            path,
            prefix: prefix.into(),
            table,
            seen: BTreeSet::new(),
        }
    }

    pub(crate) fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    pub(crate) fn wrong(&self, key: &str, expected: &str, got: &Value) -> Error {
        Error::config(
            self.path,
            self.key(key),
            format!("must be {expected}, not {} `{got}`", got.type_str()),
        )
    }

    pub(crate) fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.seen.insert(key);
        self.table.get(key)
    }

    pub(crate) fn string(&mut self, key: &'static str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong(key, "a string", v)),
        }
    }

    /// A string that names something and so must hold more than white space: an empty
    /// one is refused here, naming the key, not found later where it is used.
    pub(crate) fn nonblank(&mut self, key: &'static str, what: &str) -> Result<Option<String>> {
        let v = self.string(key)?;
        if v.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(Error::config(
                self.path,
                self.key(key),
                format!("is empty; give {what}, or remove the key"),
            ));
        }
        Ok(v)
    }

    /// A commit message template: `{field}`s among `fields` only (an unknown one would be
    /// committed literally), and some text besides white space, git's `#` comment lines
    /// and `{webui_version}` (empty in a release without WebUI): git refuses an empty
    /// message, which would stop the release at its commit, after its first changes.
    pub(crate) fn message(&mut self, key: &'static str, fields: &[&str]) -> Result<Option<String>> {
        let Some(v) = self.string(key)? else {
            return Ok(None);
        };
        let error = |m: String| Err(Error::config(self.path, self.key(key), m));
        let known = || {
            fields
                .iter()
                .map(|f| format!("`{{{f}}}`"))
                .collect::<Vec<_>>()
        };
        let field = static_regex!(r"\{([A-Za-z_][A-Za-z0-9_]*)\}");
        if let Some(c) = field.captures_iter(&v).find(|c| !fields.contains(&&c[1])) {
            return error(format!(
                "names `{}`, which is not filled in (only {} are); it would be committed \
                 literally",
                &c[0],
                known().join(" and ")
            ));
        }
        let text = v.replace("{webui_version}", "");
        if !text
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        {
            return error(format!(
                "is empty{}: git refuses a commit without a message; write one, e.g. \
                 \"release: {{version}}\"",
                match v.trim().is_empty() {
                    true => "",
                    false =>
                        " once git drops its `#` comment lines and `{webui_version}` is \
                               empty (a release without WebUI)",
                }
            ));
        }
        Ok(Some(v))
    }

    pub(crate) fn boolean(&mut self, key: &'static str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(v) => Err(self.wrong(key, "a boolean (true or false)", v)),
        }
    }

    pub(crate) fn integer(&mut self, key: &'static str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Integer(i)) => Ok(Some(*i)),
            Some(v) => Err(self.wrong(key, "an integer", v)),
        }
    }

    pub(crate) fn strings(&mut self, key: &'static str) -> Result<Option<Vec<String>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.wrong(key, "a list of strings", other)),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            // A single string where a list is expected is a common slip; accept it.
            Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
            Some(v) => Err(self.wrong(key, "a list of strings", v)),
        }
    }

    pub(crate) fn table(&mut self, key: &'static str) -> Result<Option<&'a Table>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(t)),
            Some(v) => Err(self.wrong(key, "a table", v)),
        }
    }

    pub(crate) fn tables(&mut self, key: &'static str) -> Result<Option<Vec<&'a Table>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_table()
                        .ok_or_else(|| self.wrong(key, "an array of tables", i))
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(v) => Err(self.wrong(key, "an array of tables ([[...]])", v)),
        }
    }

    /// Compile `pattern` (the value of `key`, possibly wrapped) as a regular expression.
    /// A pattern finding a version in a file (`version-pattern`, `next-version.pattern`):
    /// a regular expression with one capture group, or a `version` group among several.
    pub(crate) fn version_pattern(
        &mut self,
        key: &'static str,
    ) -> Result<Option<crate::version::VersionPattern>> {
        let Some(text) = self.string(key)? else {
            return Ok(None);
        };
        crate::version::VersionPattern::new(&text)
            .map(Some)
            .map_err(|why| Error::config(self.path, self.key(key), why))
    }

    pub(crate) fn compile_regex(&self, key: &str, pattern: &str) -> Result<regex::Regex> {
        regex::Regex::new(pattern).map_err(|e| {
            Error::config(
                self.path,
                self.key(key),
                format!("is not a valid regular expression: {e}"),
            )
        })
    }

    /// Report keys nobody asked for: a warning, except in git-release's own tables where a
    /// key is a near-miss of a known one (`freze` for `freeze`): ignoring it would switch a
    /// feature off without a word, so it is an error saying which key was meant.
    pub(crate) fn finish(self, warnings: &mut Vec<String>) -> Result<()> {
        let strict = !self.prefix.starts_with("tool.towncrier");
        for key in self.table.keys() {
            if self.seen.contains(key.as_str()) {
                continue;
            }
            let meant = self
                .seen
                .iter()
                .find(|known| near_miss(key, known))
                .filter(|_| strict);
            match meant {
                Some(known) => {
                    return Err(Error::config(
                        self.path,
                        self.key(key),
                        format!(
                            "is not a setting; did you mean `{}`? (Unknown keys are otherwise \
                             ignored, and this one would switch `{known}` off without a word.)",
                            self.key(known)
                        ),
                    ));
                }
                None => warnings.push(format!(
                    "{}: unknown key `{}` (ignored)",
                    self.path.display(),
                    self.key(key)
                )),
            }
        }
        Ok(())
    }
}
