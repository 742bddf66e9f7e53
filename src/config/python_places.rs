//! The places Python packaging keeps a version besides `[project] version`, read without
//! Python: `[tool.poetry] version` of `pyproject.toml`, `[metadata] version` of
//! `setup.cfg` (a literal, or `attr: pkg.__version__` / `file: VERSION` followed where
//! setuptools would), and a literal `version="…"` in `setup.py`'s `setup(...)` call.

use std::path::Path;

use toml::{Table, Value};

/// `version = "1.2.3"` among the keys of `[tool.poetry]` (before any other table's header).
pub(super) const POETRY_VERSION: &str = r#"(?m)^\[tool\.poetry\][ \t]*(?:#.*)?\r?\n(?:(?:[^\[\r\n].*)?\r?\n)*?version[ \t]*=[ \t]*["']([^"'\r\n]+)["']"#;

/// `version = 1.2.3` among the keys of setup.cfg's `[metadata]`, the value alone on its line.
pub(super) const SETUP_CFG_VERSION: &str = r#"(?m)^\[metadata\][ \t]*\r?\n(?:(?:[^\[\r\n].*)?\r?\n)*?(?i:version)[ \t]*[=:][ \t]*([^\s]+)[ \t]*\r?$"#;

/// A literal `version="1.2.3"` keyword argument of the `setup(...)` call (not inside a
/// nested call, not commented out).
pub(super) const SETUP_PY_VERSION: &str =
    r#"\bsetup[ \t]*\((?:(?:[^()]|\([^()]*\))*?,)?\s*version\s*=\s*["']([^"'\r\n]+)["']"#;

/// `name = "…"` (with a `: str` annotation, either quote) at the top of a module: what
/// setuptools' `attr:` reads statically.
pub(super) fn literal_assignment(name: &str) -> String {
    format!(
        r#"(?m)^{}(?:[ \t]*:[ \t]*str)?[ \t]*=[ \t]*["']([^"'\r\n]+)["']"#,
        regex::escape(name)
    )
}

/// Whether poetry-dynamic-versioning writes the version from git tags at build time
/// (`[tool.poetry-dynamic-versioning] enable = true`): the `version = "0.0.0"` of
/// `[tool.poetry]` and the package's `__version__ = "0.0.0"` are its placeholders.
pub(super) fn versions_from_tags(pyproject: Option<&Table>) -> bool {
    pyproject
        .and_then(|p| {
            p.get("tool")?
                .get("poetry-dynamic-versioning")?
                .get("enable")
        })
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// `[tool.poetry] version`.
pub(super) fn poetry_version(pyproject: Option<&Table>) -> Option<&str> {
    pyproject?
        .get("tool")?
        .get("poetry")?
        .get("version")?
        .as_str()
}

/// The value of `key` in `[section]` of an INI file as Python's `configparser` reads it
/// (keys case-insensitive, `=` or `:`, full-line `#`/`;` comments, indented continuation
/// lines joined with `\n`); the first one.
pub(super) fn ini_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut in_section = false;
    let mut value: Option<String> = None;
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim();
        let indented = line.starts_with([' ', '\t']);
        if let Some(v) = value.as_mut() {
            if indented && !trimmed.is_empty() {
                if !trimmed.starts_with(['#', ';']) {
                    v.push('\n');
                    v.push_str(trimmed);
                }
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
            break;
        }
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            in_section = &trimmed[1..trimmed.len() - 1] == section;
            continue;
        }
        if !in_section || indented {
            continue;
        }
        let Some(at) = trimmed.find(['=', ':']) else {
            continue;
        };
        if trimmed[..at].trim().eq_ignore_ascii_case(key) {
            value = Some(trimmed[at + 1..].trim().to_string());
        }
    }
    value
}

/// What setup.cfg's `[metadata] version` says.
pub(super) enum SetupCfg {
    /// A version written there.
    Literal(String),
    /// `attr: module.name`: the module's file (relative to the root, `/`-separated) and
    /// the name assigned there.
    Attr {
        spec: String,
        module: Option<String>,
        name: String,
    },
    /// `file: path`: the one file holding the version.
    File { spec: String, path: String },
    /// What git-release cannot follow, and why.
    Unfollowed(String),
}

/// setup.cfg's `[metadata] version`, when it has one.
pub(super) fn setup_cfg(root: &Path, text: &str) -> Option<SetupCfg> {
    let value = ini_value(text, "metadata", "version")?;
    let spec = format!("version = {}", value.replace('\n', " "));
    if let Some(rest) = value.strip_prefix("attr:") {
        let target = rest.trim();
        let Some((module, name)) = target.rsplit_once('.') else {
            return Some(SetupCfg::Unfollowed(format!(
                "`{spec}` names no module (`attr: package.__version__`)"
            )));
        };
        let package_dir = ini_value(text, "options", "package_dir").unwrap_or_default();
        return Some(SetupCfg::Attr {
            module: module_file(root, module, &package_dir),
            name: name.to_string(),
            spec,
        });
    }
    if let Some(rest) = value.strip_prefix("file:") {
        let files: Vec<&str> = rest
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect();
        return Some(match files.as_slice() {
            [one] => SetupCfg::File {
                path: one.trim_start_matches("./").to_string(),
                spec,
            },
            _ => SetupCfg::Unfollowed(format!(
                "`{spec}` joins {} files into the version, which git-release cannot write",
                files.len()
            )),
        });
    }
    Some(SetupCfg::Literal(value))
}

/// The sibling module `module_path`'s `text` imports `name` from (`from ._version import
/// __version__`, or `from .__about__ import (__version__, …)`), when it does.
pub(super) fn imported_from(module_path: &str, text: &str, name: &str) -> Option<String> {
    let import = regex::Regex::new(&format!(
        r"(?m)^from[ \t]+\.([A-Za-z_][A-Za-z0-9_]*)[ \t]+import[ \t]+\(?[^\r\n]*\b{}\b",
        regex::escape(name)
    ))
    .ok()?;
    let sibling = import.captures(text)?.get(1)?.as_str();
    // An import that renames (`version as __version__`) binds another name of the sibling.
    let line = import.find(text)?.as_str();
    if line.contains(&format!(" as {name}")) {
        return None;
    }
    let dir = module_path.rsplit_once('/').map_or("", |(d, _)| d);
    Some(if dir.is_empty() {
        format!("{sibling}.py")
    } else {
        format!("{dir}/{sibling}.py")
    })
}

/// The file of `module` as setuptools finds it for `attr:`: `[options] package_dir`
/// (`= src`, `pkg = lib`) applied, then `a/b.py` or `a/b/__init__.py`.
fn module_file(root: &Path, module: &str, package_dir: &str) -> Option<String> {
    let mut dirs: Vec<(String, String)> = Vec::new();
    for line in package_dir.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('=') {
            Some((name, dir)) => dirs.push((name.trim().to_string(), dir.trim().to_string())),
            None => dirs.push((String::new(), line.to_string())),
        }
    }
    let parts: Vec<&str> = module.split('.').collect();
    let mut base = String::new();
    let mut rest = parts.as_slice();
    if let Some((_, dir)) = dirs.iter().find(|(n, _)| n == parts[0]) {
        base = dir.clone();
        rest = &parts[1..];
    } else if let Some((_, dir)) = dirs.iter().find(|(n, _)| n.is_empty()) {
        base = dir.clone();
    }
    let join = |tail: &str| {
        let base = base.trim_matches('/');
        let path = if base.is_empty() || base == "." {
            tail.to_string()
        } else {
            format!("{base}/{tail}")
        };
        path.trim_start_matches('/').to_string()
    };
    let stem = rest.join("/");
    let candidates = if stem.is_empty() {
        vec![join("__init__.py")]
    } else {
        vec![
            join(&format!("{stem}.py")),
            join(&format!("{stem}/__init__.py")),
        ]
    };
    candidates.into_iter().find(|c| root.join(c).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::VersionPattern;

    #[test]
    fn the_setup_cfg_pattern_finds_metadata_version_only() {
        let p = VersionPattern::new(SETUP_CFG_VERSION).unwrap();
        let text = "[bdist_wheel]\nuniversal = 1\nversion = 9\n\n[metadata]\nname = a\n# version = 0.1\nlong_description = file: README.rst\nversion = 1.2.3\n\n[options]\nversion = 7\n";
        assert_eq!(&text[p.find(text).unwrap()], "1.2.3");
        let crlf = "[metadata]\r\nname = a\r\nVersion: 2.0  \r\n";
        assert_eq!(&crlf[p.find(crlf).unwrap()], "2.0");
        assert_eq!(
            p.find("[metadata]\nname = a\n[options]\nversion = 1\n"),
            None
        );
        assert_eq!(
            ini_value(text, "metadata", "version").as_deref(),
            Some("1.2.3")
        );
        assert_eq!(
            ini_value(crlf, "metadata", "VERSION").as_deref(),
            Some("2.0")
        );
    }

    #[test]
    fn the_setup_py_pattern_takes_the_calls_literal_only() {
        let p = VersionPattern::new(SETUP_PY_VERSION).unwrap();
        let t = "from setuptools import setup\n\nsetup(\n    name=\"a\",\n    install_requires=[\"b (>=1)\"],\n    # version=\"0.1\",\n    version='1.2.3',\n)\n";
        assert_eq!(&t[p.find(t).unwrap()], "1.2.3");
        let one_line = "setuptools.setup(version = \"4.0\", name='x')\n";
        assert_eq!(&one_line[p.find(one_line).unwrap()], "4.0");
        for dynamic in [
            "setup(name='a', version=VERSION)\n",
            "setup(name='a', version=get_version())\n",
            "setup(name='a', **dict(version='1.0'))\n",
            "setup(name='a')\nx = dict(version='1.0')\n",
            "setup(name='a',\n    # version='0.1',\n)\n",
        ] {
            assert_eq!(p.find(dynamic), None, "{dynamic}");
        }
    }

    #[test]
    fn an_attr_follows_package_dir() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/pkg/sub")).unwrap();
        std::fs::write(root.join("src/pkg/__init__.py"), "").unwrap();
        std::fs::write(root.join("src/pkg/sub/about.py"), "").unwrap();
        assert_eq!(
            module_file(root, "pkg", "\n=src").as_deref(),
            Some("src/pkg/__init__.py")
        );
        assert_eq!(
            module_file(root, "pkg.sub.about", "= src").as_deref(),
            Some("src/pkg/sub/about.py")
        );
        assert_eq!(
            module_file(root, "lib", "lib = src/pkg").as_deref(),
            Some("src/pkg/__init__.py")
        );
        assert_eq!(module_file(root, "pkg", ""), None);
        let cfg =
            "[metadata]\nversion = attr: pkg.__version__\n[options]\npackage_dir =\n    =src\n";
        assert!(matches!(
            setup_cfg(root, cfg),
            Some(SetupCfg::Attr { module: Some(m), name, .. })
                if m == "src/pkg/__init__.py" && name == "__version__"
        ));
        let init = "from ._version import __version__\nfrom .x import y\n";
        assert_eq!(
            imported_from("src/pkg/__init__.py", init, "__version__").as_deref(),
            Some("src/pkg/_version.py")
        );
        let about = "from .__about__ import (\n    __version__,\n)\n";
        assert_eq!(imported_from("pkg/__init__.py", about, "__version__"), None);
        let one_line = "from .__about__ import (__author__, __version__)\n";
        assert_eq!(
            imported_from("pkg/__init__.py", one_line, "__version__").as_deref(),
            Some("pkg/__about__.py")
        );
        let scm = "from ._version import version as __version__\n";
        assert_eq!(imported_from("pkg/__init__.py", scm, "__version__"), None);
        assert!(matches!(
            setup_cfg(root, "[metadata]\nversion = file: a.txt, b.txt\n"),
            Some(SetupCfg::Unfollowed(_))
        ));
    }
}
