//! Where the project keeps its version. Configured (`version-file`, with `version-pattern`
//! for a file that is not a bare version), else found where Python projects keep it, in
//! this order: a `VERSION` file; `[project] version` of `pyproject.toml` when static (not
//! in `dynamic`); `__version__ = "…"` in towncrier's `package`'s `__init__.py`,
//! `_version.py` or `__about__.py` (under `package_dir`, else `src/`). None of them (a
//! version from git tags: setuptools-scm, hatch-vcs): no version file, the current version
//! is the newest release the changelog or the tags show.

use std::path::Path;

use toml::{Table, Value};

use super::{Config, Towncrier};
use crate::error::{Error, Result};
use crate::version::{Unheld, Version, VersionPattern};

/// `__version__ = "1.2.3"` (with a `: str` annotation, either quote), its string.
const DUNDER_VERSION: &str =
    r#"(?m)^__version__(?:[ \t]*:[ \t]*str)?[ \t]*=[ \t]*["']([^"'\r\n]+)["']"#;

/// `version = "1.2.3"` among the keys of `[project]` (before any other table's header).
const PROJECT_VERSION: &str = r#"(?m)^\[project\][ \t]*(?:#.*)?\r?\n(?:(?:[^\[\r\n].*)?\r?\n)*?version[ \t]*=[ \t]*["']([^"'\r\n]+)["']"#;

/// How the version's place was chosen: what the plan says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// `version-file` (and `version-pattern`) in the settings.
    Configured,
    /// A `VERSION` file at the project's root.
    VersionFile,
    /// `[project] version` of `pyproject.toml`.
    ProjectTable,
    /// `__version__ = "…"` in the package's sources.
    DunderVersion,
}

/// The file holding the project's version, relative to the configuration's directory, and
/// where in it (none: the whole file).
#[derive(Debug, Clone)]
pub struct VersionPlace {
    pub path: String,
    pub pattern: Option<VersionPattern>,
    pub found: Found,
}

impl VersionPlace {
    /// What the plan says of it.
    pub fn describe(&self) -> String {
        match self.found {
            Found::Configured => format!("{} (`version-file`)", self.path),
            Found::VersionFile => self.path.clone(),
            Found::ProjectTable => format!("{} ([project] version)", self.path),
            Found::DunderVersion => format!("{} (`__version__`)", self.path),
        }
    }
}

/// The project's version place: configured, else the first of the usual ones the project
/// has, else none. A candidate that is `next-version.file` is not taken (that file holds
/// the next development version).
pub(super) fn find_version_place(
    root: &Path,
    configured: Option<(&str, Option<&VersionPattern>)>,
    pyproject: Option<&Table>,
    towncrier: &Towncrier,
    next_version_file: Option<&str>,
) -> Option<VersionPlace> {
    if let Some((path, pattern)) = configured {
        return Some(VersionPlace {
            path: path.to_string(),
            pattern: pattern.cloned(),
            found: Found::Configured,
        });
    }
    // Whatever stands there (a FIFO, a link to nothing) is the place, refused when read:
    // passed over, the release would go on without the version the project keeps there.
    let usable = |path: &str| {
        std::fs::symlink_metadata(root.join(path)).is_ok()
            && next_version_file.is_none_or(|nv| root.join(nv) != root.join(path))
    };
    if usable("VERSION") {
        return Some(VersionPlace {
            path: "VERSION".into(),
            pattern: None,
            found: Found::VersionFile,
        });
    }
    // (Both patterns are valid: the unit tests compile them.)
    if static_project_version(pyproject).is_some() && usable("pyproject.toml") {
        return Some(VersionPlace {
            path: "pyproject.toml".into(),
            pattern: VersionPattern::new(PROJECT_VERSION).ok(),
            found: Found::ProjectTable,
        });
    }
    let dunder = VersionPattern::new(DUNDER_VERSION).ok()?;
    for path in package_candidates(towncrier) {
        if !usable(&path) || !root.join(&path).is_file() {
            continue;
        }
        let text = crate::files::read_text(&root.join(&path)).unwrap_or_default();
        if dunder.find(&text).is_some() {
            return Some(VersionPlace {
                path,
                pattern: Some(dunder),
                found: Found::DunderVersion,
            });
        }
    }
    None
}

/// `[project] version`, when written in `pyproject.toml` (not listed in `dynamic`).
fn static_project_version(pyproject: Option<&Table>) -> Option<&str> {
    let project = pyproject?.get("project")?.as_table()?;
    let dynamic = project
        .get("dynamic")
        .and_then(Value::as_array)
        .is_some_and(|d| d.iter().any(|v| v.as_str() == Some("version")));
    if dynamic {
        return None;
    }
    project.get("version")?.as_str()
}

/// The package's files that may hold `__version__`, in order: under `package_dir`, and
/// under `src/` when `package_dir` is the root (the usual src layout).
fn package_candidates(towncrier: &Towncrier) -> Vec<String> {
    let package = towncrier.package.trim();
    if package.is_empty() {
        return Vec::new();
    }
    let mut names = vec![package.replace('.', "/")];
    let importable = package.replace(['-', '.'], "_");
    if !names.contains(&importable) {
        names.push(importable);
    }
    let base = towncrier.package_dir.trim_end_matches('/');
    let mut dirs = vec![base.to_string()];
    if base == "." || base.is_empty() {
        dirs.push("src".into());
    }
    let mut out = Vec::new();
    for dir in &dirs {
        for name in &names {
            for file in ["__init__.py", "_version.py", "__about__.py"] {
                let path = if dir == "." || dir.is_empty() {
                    format!("{name}/{file}")
                } else {
                    format!("{dir}/{name}/{file}")
                };
                if !out.contains(&path) {
                    out.push(path);
                }
            }
        }
    }
    out
}

/// The version file and what it holds.
#[derive(Debug, Clone)]
pub struct VersionFile {
    pub path: std::path::PathBuf,
    /// The file as it is.
    pub text: String,
    pub version: Version,
    /// Where in the file the version is (none: the whole file).
    pub pattern: Option<VersionPattern>,
}

impl Config {
    /// The version file (configured, or found: [`VersionPlace`]) and the version it holds;
    /// `None` when the project keeps no version in a file.
    pub fn version_file(&self) -> Result<Option<VersionFile>> {
        let Some(place) = &self.version_place else {
            return Ok(None);
        };
        let path = self.root.join(&place.path);
        let text = crate::files::read_text(&path).map_err(|e| self.explain(e))?;
        // Invisible in an editor and in a message: said, not quoted.
        if text.starts_with('\u{feff}') {
            return Err(Error::Refused(format!(
                "{}: starts with a byte-order mark (U+FEFF), which no version holds; save it \
                 as UTF-8 without one",
                path.display()
            )));
        }
        let pattern = place.pattern.as_ref();
        let version = match crate::version::held(&text, pattern) {
            Ok((_, version)) => version,
            Err(Unheld::NoMatch) if place.found == Found::ProjectTable => {
                return Err(self.project_version_unfound());
            }
            Err(why) => return Err(self.unheld(place, why)),
        };
        if place.found == Found::ProjectTable {
            self.check_project_version(&text, &version)?;
        }
        Ok(Some(VersionFile {
            path,
            text,
            version,
            pattern: pattern.cloned(),
        }))
    }

    /// `[project] version` as TOML reads it must be what the pattern found (a table written
    /// inline, a version after a multi-line string): else the release would write elsewhere.
    fn check_project_version(&self, text: &str, found: &Version) -> Result<()> {
        let table = text.parse::<Table>().ok();
        let parsed = static_project_version(table.as_ref());
        if parsed.and_then(|p| Version::parse(p).ok()).as_ref() == Some(found) {
            return Ok(());
        }
        Err(self.project_version_unfound())
    }

    /// A static `[project] version` written where the pattern does not find it.
    fn project_version_unfound(&self) -> Error {
        Error::Refused(format!(
            "{}: [project] version is static, but git-release cannot find where the file \
             writes it (`version = \"…\"` on its own line in [project]); set `version-file` \
             and `version-pattern` in [tool.git-release] to where the version is",
            self.root.join("pyproject.toml").display()
        ))
    }

    /// Why the version's place holds no version, naming the key to set.
    fn unheld(&self, place: &VersionPlace, why: Unheld) -> Error {
        let path = self.root.join(&place.path);
        match place.found {
            Found::Configured => match (&why, &place.pattern) {
                (Unheld::NoMatch, Some(p)) => self.settings_source.error(
                    "version-pattern",
                    format!(
                        "= '{p}' matches nothing in {}; fix it so that it finds the version there",
                        path.display()
                    ),
                ),
                (Unheld::NotAVersion { .. }, Some(p)) => self.settings_source.error(
                    "version-pattern",
                    format!(
                        "= '{p}': its group {why} in {}; make the group match the version alone",
                        path.display()
                    ),
                ),
                _ => self
                    .settings_source
                    .error("version-file", format!("= \"{}\" {why}", place.path)),
            },
            _ => Error::Refused(format!(
                "{}: {}, where git-release takes the project's version from ({}) as no \
                 `version-file` is set; set `version-file` (and `version-pattern`) in \
                 [tool.git-release] to where the version is",
                path.display(),
                match why {
                    Unheld::NotAVersion { shown, .. } =>
                        format!("the version is written \"{shown}\", which is not a version"),
                    other => other.to_string(),
                },
                place.describe()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_table_pattern_finds_its_own_version_only() {
        let p = VersionPattern::new(PROJECT_VERSION).unwrap();
        let text = "[build-system]\nrequires = [\"x\"]\nversion = \"9\"\n\n[project]\nname = \"a\"\nclassifiers = [\n  \"A\",\n]\nversion = \"1.2.3\"\n[tool.x]\nversion = \"7\"\n";
        assert_eq!(&text[p.find(text).unwrap()], "1.2.3");
        let later = "[project]\nname = \"a\"\n[tool.x]\nversion = \"7\"\n";
        assert_eq!(p.find(later), None);
        let crlf = "[project]\r\nname = 'a'\r\nversion = '2.0'\r\n";
        assert_eq!(&crlf[p.find(crlf).unwrap()], "2.0");
    }

    #[test]
    fn the_dunder_pattern_takes_a_literal_only() {
        let p = VersionPattern::new(DUNDER_VERSION).unwrap();
        let t = "import x\n__version__: str = '1.0'\n";
        assert_eq!(&t[p.find(t).unwrap()], "1.0");
        for dynamic in [
            "__version__ = version('attrs')\n",
            "__version__ = version = '1.0'\n",
            "    __version__ = \"1.0\"\n",
            "x__version__ = \"1.0\"\n",
        ] {
            assert_eq!(p.find(dynamic), None, "{dynamic}");
        }
    }
}
