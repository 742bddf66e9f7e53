//! Where the project keeps its version. Configured (`version-file`, with `version-pattern`
//! for a file that is not a bare version), else found where Python projects keep it: a
//! `VERSION` file, alone; else every one of these the project has, the first the version's
//! place and the others written with it when they hold the same version (two that differ
//! refuse the release, naming both): `[project] version` of `pyproject.toml` when static
//! (not in `dynamic`); `[tool.poetry] version`; setup.cfg's `[metadata] version` (a
//! literal, or the file its `attr:` or `file:` names); a literal `version="…"` in
//! `setup.py`'s `setup(...)`; `__version__ = "…"` in towncrier's `package`'s
//! `__init__.py`, `_version.py` or `__about__.py` (under `package_dir`, else `src/`). None
//! of them (a version from git tags: setuptools-scm, hatch-vcs): no version file, the
//! current version is the newest release the changelog or the tags show.

use std::path::Path;

use toml::{Table, Value};

use super::python_places::{self, SetupCfg};
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
    /// `[tool.poetry] version` of `pyproject.toml`.
    PoetryTable,
    /// A literal `[metadata] version` of `setup.cfg`.
    SetupCfg,
    /// The file or module setup.cfg's `[metadata] version` names (`spec`: what it says,
    /// `version = attr: pkg.__version__`).
    SetupCfgNames { spec: String },
    /// A literal `version="…"` in `setup.py`'s `setup(...)` call.
    SetupPy,
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
        match &self.found {
            Found::Configured => format!("{} (`version-file`)", self.path),
            Found::VersionFile => self.path.clone(),
            Found::ProjectTable => format!("{} ([project] version)", self.path),
            Found::PoetryTable => format!("{} ([tool.poetry] version)", self.path),
            Found::SetupCfg => format!("{} ([metadata] version)", self.path),
            Found::SetupCfgNames { spec } => format!("{} (setup.cfg: `{spec}`)", self.path),
            Found::SetupPy => format!("{} (`setup(version=…)`)", self.path),
            Found::DunderVersion => format!("{} (`__version__`)", self.path),
        }
    }
}

/// What was found: the version's place, the other places holding the same version (written
/// with it), and why the release must be refused though the configuration is fine (two
/// places holding different versions; a setup.cfg `attr:` or `file:` git-release cannot
/// follow) — said when the version is read ([`Config::version_file`]).
#[derive(Debug, Clone, Default)]
pub(super) struct VersionSearch {
    pub place: Option<VersionPlace>,
    pub also: Vec<VersionPlace>,
    pub problem: Option<String>,
}

/// A place found and the version it holds (none: not a version there).
struct Candidate {
    place: VersionPlace,
    version: Option<Version>,
}

/// The project's version place: configured, else a `VERSION` file, else every usual place
/// the project has (the first is the version's). A candidate that is `next-version.file`
/// is not taken (that file holds the next development version).
pub(super) fn find_version_place(
    root: &Path,
    configured: Option<(&str, Option<&VersionPattern>)>,
    pyproject: Option<&Table>,
    towncrier: &Towncrier,
    next_version_file: Option<&str>,
) -> VersionSearch {
    if let Some((path, pattern)) = configured {
        return VersionSearch {
            place: Some(VersionPlace {
                path: path.to_string(),
                pattern: pattern.cloned(),
                found: Found::Configured,
            }),
            ..VersionSearch::default()
        };
    }
    // Whatever stands there (a FIFO, a link to nothing) is the place, refused when read:
    // passed over, the release would go on without the version the project keeps there.
    let usable = |path: &str| {
        std::fs::symlink_metadata(root.join(path)).is_ok()
            && next_version_file.is_none_or(|nv| root.join(nv) != root.join(path))
    };
    if usable("VERSION") {
        return VersionSearch {
            place: Some(VersionPlace {
                path: "VERSION".into(),
                pattern: None,
                found: Found::VersionFile,
            }),
            ..VersionSearch::default()
        };
    }
    if python_places::versions_from_tags(pyproject) {
        return VersionSearch::default();
    }
    let mut found: Vec<Candidate> = Vec::new();
    let mut problem = None;
    // What a pattern finds in a file, as a version (none: the file or the version is not
    // there). (Every pattern is valid: the unit tests compile them.)
    let read = |path: &str, pattern: Option<&VersionPattern>| {
        let text = crate::files::read_text(&root.join(path)).ok()?;
        crate::version::held(&text, pattern).ok().map(|(_, v)| v)
    };
    let parsed = |v: &str| Version::parse(v).ok();
    if let Some(v) = static_project_version(pyproject).filter(|_| usable("pyproject.toml")) {
        found.push(Candidate {
            place: VersionPlace {
                path: "pyproject.toml".into(),
                pattern: VersionPattern::new(PROJECT_VERSION).ok(),
                found: Found::ProjectTable,
            },
            version: parsed(v),
        });
    }
    if let Some(v) = python_places::poetry_version(pyproject).filter(|_| usable("pyproject.toml")) {
        found.push(Candidate {
            place: VersionPlace {
                path: "pyproject.toml".into(),
                pattern: VersionPattern::new(python_places::POETRY_VERSION).ok(),
                found: Found::PoetryTable,
            },
            version: parsed(v),
        });
    }
    let setup_cfg = usable("setup.cfg")
        .then(|| crate::files::read_text(&root.join("setup.cfg")).ok())
        .flatten()
        .and_then(|text| python_places::setup_cfg(root, &text));
    match setup_cfg {
        Some(SetupCfg::Literal(v)) => found.push(Candidate {
            place: VersionPlace {
                path: "setup.cfg".into(),
                pattern: VersionPattern::new(python_places::SETUP_CFG_VERSION).ok(),
                found: Found::SetupCfg,
            },
            version: parsed(&v),
        }),
        Some(SetupCfg::File { spec, path }) if usable(&path) => {
            let version = read(&path, None);
            found.push(Candidate {
                place: VersionPlace {
                    path,
                    pattern: None,
                    found: Found::SetupCfgNames { spec },
                },
                version,
            });
        }
        Some(SetupCfg::File { spec, path }) => {
            problem = Some(format!(
                "setup.cfg: `{spec}`, but there is no {path} (or it is the next-version file)"
            ));
        }
        Some(SetupCfg::Attr { spec, module, name }) => {
            let pattern = match name.as_str() {
                "__version__" => VersionPattern::new(DUNDER_VERSION).ok(),
                _ => VersionPattern::new(&python_places::literal_assignment(&name)).ok(),
            };
            // `from ._version import __version__`: the module it is imported from, once.
            let module = module.filter(|m| usable(m)).map(|m| {
                let held = read(&m, pattern.as_ref()).is_some();
                let text = crate::files::read_text(&root.join(&m)).unwrap_or_default();
                match python_places::imported_from(&m, &text, &name) {
                    Some(from) if !held && usable(&from) => from,
                    _ => m,
                }
            });
            match module {
                Some(path) => match read(&path, pattern.as_ref()) {
                    Some(v) => found.push(Candidate {
                        place: VersionPlace {
                            path,
                            pattern,
                            found: Found::SetupCfgNames { spec },
                        },
                        version: Some(v),
                    }),
                    None => {
                        problem = Some(format!(
                            "setup.cfg: `{spec}`, but {path} holds no `{name} = \"…\"` with a \
                             version (git-release reads the assignment, it runs no Python)"
                        ))
                    }
                },
                None => {
                    problem = Some(format!(
                        "setup.cfg: `{spec}`, but git-release finds no file of that module \
                         (under `[options] package_dir`, as setuptools looks)"
                    ))
                }
            }
        }
        Some(SetupCfg::Unfollowed(why)) => problem = Some(format!("setup.cfg: {why}")),
        None => {}
    }
    let setup_py = VersionPattern::new(python_places::SETUP_PY_VERSION).ok();
    if usable("setup.py") && root.join("setup.py").is_file() {
        let text = crate::files::read_text(&root.join("setup.py")).unwrap_or_default();
        if let Some(span) = setup_py.as_ref().and_then(|p| p.find(&text)) {
            found.push(Candidate {
                place: VersionPlace {
                    path: "setup.py".into(),
                    pattern: setup_py,
                    found: Found::SetupPy,
                },
                version: parsed(&text[span]),
            });
        }
    }
    let dunder = VersionPattern::new(DUNDER_VERSION).ok();
    for path in package_candidates(towncrier) {
        if !usable(&path) || !root.join(&path).is_file() {
            continue;
        }
        let text = crate::files::read_text(&root.join(&path)).unwrap_or_default();
        if let Some(span) = dunder.as_ref().and_then(|p| p.find(&text)) {
            found.push(Candidate {
                place: VersionPlace {
                    path,
                    pattern: dunder,
                    found: Found::DunderVersion,
                },
                version: parsed(&text[span]),
            });
            break;
        }
    }
    settle(found, problem)
}

/// The first place found is the version's; the others that hold a version must hold the
/// same (each place once: setup.cfg's `attr:` may name the `__version__` found besides).
fn settle(found: Vec<Candidate>, problem: Option<String>) -> VersionSearch {
    let mut places: Vec<Candidate> = Vec::new();
    for c in found {
        if !places
            .iter()
            .any(|p| p.place.path == c.place.path && p.place.pattern == c.place.pattern)
        {
            places.push(c);
        }
    }
    let mut places = places.into_iter();
    let Some(first) = places.next() else {
        return VersionSearch {
            problem,
            ..VersionSearch::default()
        };
    };
    let mut search = VersionSearch {
        problem,
        ..VersionSearch::default()
    };
    for other in places {
        let Some(theirs) = &other.version else {
            continue;
        };
        match &first.version {
            Some(ours) if ours != theirs => {
                search.problem.get_or_insert_with(|| {
                    format!(
                        "{} says {ours} but {} says {theirs}: the project's version is written \
                         in both, and they differ",
                        first.place.describe(),
                        other.place.describe()
                    )
                });
            }
            _ => search.also.push(other.place),
        }
    }
    search.place = Some(first.place);
    search
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
    /// Where the version comes from, as the plan says it (`From:`); none: no version file.
    pub fn version_from(&self) -> Option<String> {
        let place = self.version_place.as_ref()?;
        if self.version_also.is_empty() {
            return Some(place.describe());
        }
        let also: Vec<String> = self.version_also.iter().map(|p| p.describe()).collect();
        Some(format!(
            "{}; also written: {}",
            place.describe(),
            also.join(", ")
        ))
    }

    /// The version file (configured, or found: [`VersionPlace`]) and the version it holds;
    /// `None` when the project keeps no version in a file.
    pub fn version_file(&self) -> Result<Option<VersionFile>> {
        Ok(self.version_files()?.into_iter().next())
    }

    /// Every file the release writes the version to: the version's place first, then the
    /// other places found holding the same version. Refused when the places found differ,
    /// or setup.cfg names a place git-release cannot follow.
    pub fn version_files(&self) -> Result<Vec<VersionFile>> {
        if let Some(problem) = &self.version_problem {
            return Err(Error::Refused(format!(
                "{problem}; make them agree (each holding the current version), or set \
                 `version-file` (and `version-pattern`) in [tool.git-release] to the one place \
                 the release writes the version to"
            )));
        }
        let Some(place) = &self.version_place else {
            return Ok(Vec::new());
        };
        let mut files = vec![self.read_place(place)?];
        for other in &self.version_also {
            let file = self.read_place(other)?;
            // Read again now: it may have changed since the configuration was read.
            if file.version != files[0].version {
                return Err(Error::Refused(format!(
                    "{} says {} but {} says {}: the project's version is written in both, and \
                     they differ; make them agree, or set `version-file` in [tool.git-release]",
                    place.describe(),
                    files[0].version,
                    other.describe(),
                    file.version
                )));
            }
            files.push(file);
        }
        Ok(files)
    }

    /// The version a place holds, checked as a reader of that file reads it.
    fn read_place(&self, place: &VersionPlace) -> Result<VersionFile> {
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
        let checked = matches!(
            place.found,
            Found::ProjectTable | Found::PoetryTable | Found::SetupCfg
        );
        let version = match crate::version::held(&text, pattern) {
            Ok((_, version)) => version,
            Err(Unheld::NoMatch) if checked => return Err(self.version_unfound(place)),
            Err(why) => return Err(self.unheld(place, why)),
        };
        if checked {
            self.check_read_as_written(place, &text, &version)?;
        }
        Ok(VersionFile {
            path,
            text,
            version,
            pattern: pattern.cloned(),
        })
    }

    /// The version as TOML (or setup.cfg's INI) reads it must be what the pattern found (a
    /// table written inline, a version after a multi-line string, an inline comment):
    /// else the release would write elsewhere.
    fn check_read_as_written(
        &self,
        place: &VersionPlace,
        text: &str,
        found: &Version,
    ) -> Result<()> {
        let table = text.parse::<Table>().ok();
        let ini;
        let read = match place.found {
            Found::ProjectTable => static_project_version(table.as_ref()),
            Found::PoetryTable => table
                .as_ref()
                .and_then(|t| t.get("tool")?.get("poetry")?.get("version")?.as_str()),
            _ => {
                ini = python_places::ini_value(text, "metadata", "version");
                ini.as_deref()
            }
        };
        if read.and_then(|p| Version::parse(p).ok()).as_ref() == Some(found) {
            return Ok(());
        }
        Err(self.version_unfound(place))
    }

    /// A version written where the pattern does not find it.
    fn version_unfound(&self, place: &VersionPlace) -> Error {
        let (what, how) = match place.found {
            Found::ProjectTable => (
                "[project] version is static",
                "`version = \"…\"` on its own line in [project]",
            ),
            Found::PoetryTable => (
                "[tool.poetry] version is set",
                "`version = \"…\"` on its own line in [tool.poetry]",
            ),
            _ => (
                "[metadata] version is set",
                "`version = 1.2.3` on its own line in [metadata], with no comment after it",
            ),
        };
        Error::Refused(format!(
            "{}: {what}, but git-release cannot find where the file writes it ({how}); set \
             `version-file` and `version-pattern` in [tool.git-release] to where the version is",
            self.root.join(&place.path).display()
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
