//! Project settings: towncrier's `[tool.towncrier]` (every documented key, same defaults)
//! and git-release's own `[tool.git-release]` / `.git-release.toml` (kebab-case keys).
//!
//! Unknown keys are warnings; a key of the wrong type is an error naming the file, the key
//! and what was expected.

mod paths;
mod python_places;
mod reader;
mod release;
mod towncrier;
mod version_source;

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::error::{Error, Result};
pub(crate) use reader::near_miss;
use release::parse_release;
use towncrier::{default_towncrier, parse_towncrier};

pub use release::{Consolidate, Freeze, NextVersion, ReleaseSettings, Step, StepWhen};
pub use towncrier::{
    BUILTIN_TEMPLATES, FragmentType, IssuePattern, TemplateSource, TitleFormat, Towncrier, Wrap,
};
pub use version_source::{Found, VersionFile, VersionPlace};

/// Where a table of settings comes from: its file and the prefix of its keys, so that an
/// error found later names the key as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub file: PathBuf,
    /// `tool.towncrier.`, `tool.git-release.`, or `""` at the top of `.git-release.toml`.
    pub prefix: &'static str,
}

impl Source {
    /// An error about `key` of this table.
    pub fn error(&self, key: &str, message: impl Into<String>) -> Error {
        Error::config(&self.file, format!("{}{key}", self.prefix), message)
    }
}

/// Everything a command needs to know about the project.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory holding the configuration (towncrier's base directory).
    pub root: PathBuf,
    pub towncrier: Towncrier,
    pub release: ReleaseSettings,
    /// Where `[tool.towncrier]` is (or would be).
    pub towncrier_source: Source,
    /// Where git-release's own settings are (or would be).
    pub settings_source: Source,
    /// Where the project keeps its version (`version-file`, else found); none: its
    /// versions come from git tags.
    pub version_place: Option<VersionPlace>,
    /// The other places found holding the same version, written with it.
    pub version_also: Vec<VersionPlace>,
    /// Why the release is refused though the configuration is fine (places found holding
    /// different versions; a setup.cfg `attr:` git-release cannot follow): said by
    /// [`Config::version_files`].
    pub version_problem: Option<String>,
    /// Unknown keys and other things worth a warning.
    pub warnings: Vec<String>,
}

impl Config {
    /// Find and read the configuration, looking from `start` upwards to `stop` (the
    /// repository's top) like towncrier does. With no file at all, the defaults apply
    /// (`changes/` fragments, `CHANGELOG.md`, towncrier's markdown template).
    pub fn discover(start: &Path, stop: Option<&Path>) -> Result<Config> {
        let mut dir = start.to_path_buf();
        loop {
            if ["towncrier.toml", "pyproject.toml", ".git-release.toml"]
                .iter()
                .any(|f| dir.join(f).is_file())
            {
                return Config::load(&dir);
            }
            if Some(dir.as_path()) == stop {
                break;
            }
            match dir.parent() {
                Some(p) => dir = p.to_path_buf(),
                None => break,
            }
        }
        Config::load(stop.unwrap_or(start))
    }

    /// Read the configuration of the project rooted at `root`.
    pub fn load(root: &Path) -> Result<Config> {
        let mut warnings = Vec::new();
        let towncrier_toml = root.join("towncrier.toml");
        let pyproject_toml = root.join("pyproject.toml");
        let own_toml = root.join(".git-release.toml");

        let pyproject = if pyproject_toml.is_file() {
            Some(read_toml(&pyproject_toml)?)
        } else {
            None
        };

        let (tc_path, tc_doc) = if towncrier_toml.is_file() {
            (
                Some(towncrier_toml.clone()),
                Some(read_toml(&towncrier_toml)?),
            )
        } else {
            (
                pyproject.as_ref().map(|_| pyproject_toml.clone()),
                pyproject.clone(),
            )
        };
        let tc_table = tc_doc
            .as_ref()
            .and_then(|d| d.get("tool"))
            .and_then(Value::as_table)
            .and_then(|t| t.get("towncrier"));
        let mut towncrier = match (tc_path.as_deref(), tc_table) {
            (Some(path), Some(table)) => {
                let table = table
                    .as_table()
                    .ok_or_else(|| Error::config(path, "tool.towncrier", "must be a table"))?;
                parse_towncrier(root, path, table, &mut warnings)?
            }
            _ => default_towncrier(),
        };
        // towncrier falls back to [project.name] for `package` and `name`.
        if let Some(project_name) = pyproject
            .as_ref()
            .and_then(|d| d.get("project"))
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
        {
            if towncrier.package.is_empty() {
                towncrier.package = project_name.to_string();
            }
            if towncrier.name.is_empty() {
                towncrier.name = towncrier.package.clone();
            }
        }
        // With a `package` and nothing naming the project, towncrier names it by the package
        // it imports: `package.title()` (an `incremental` version's own name aside, which
        // needs Python to read).
        if towncrier.name.is_empty() && !towncrier.package.is_empty() {
            towncrier.name = crate::pycompat::jinja_builtins::py_title(&towncrier.package)
                .unwrap_or_else(|| towncrier.package.clone());
        }

        let pyproject_release = pyproject
            .as_ref()
            .and_then(|d| d.get("tool"))
            .and_then(|t| t.get("git-release"))
            .cloned();
        let release = if own_toml.is_file() {
            if pyproject_release.is_some() {
                warnings.push(format!(
                    "{} is used; [tool.git-release] in {} is ignored",
                    own_toml.display(),
                    pyproject_toml.display()
                ));
            }
            let doc = read_toml(&own_toml)?;
            refuse_tool_tables(&own_toml, &doc)?;
            parse_release(&own_toml, "", &doc, &mut warnings)?
        } else if let Some(table) = pyproject_release {
            let table = table.as_table().cloned().ok_or_else(|| {
                Error::config(&pyproject_toml, "tool.git-release", "must be a table")
            })?;
            parse_release(&pyproject_toml, "tool.git-release.", &table, &mut warnings)?
        } else {
            ReleaseSettings::default()
        };

        let settings = if own_toml.is_file() {
            Source {
                file: own_toml,
                prefix: "",
            }
        } else {
            Source {
                file: pyproject_toml.clone(),
                prefix: "tool.git-release.",
            }
        };
        check_grouped_categories(&release, &towncrier, &settings, &mut warnings)?;
        let found = version_source::find_version_place(
            root,
            release
                .version_file
                .as_deref()
                .map(|f| (f, release.version_pattern.as_ref())),
            pyproject.as_ref(),
            &towncrier,
            release.next_version.as_ref().map(|nv| nv.file.as_str()),
        );
        let config = Config {
            root: root.to_path_buf(),
            towncrier,
            release,
            towncrier_source: Source {
                file: tc_path.unwrap_or(pyproject_toml),
                prefix: "tool.towncrier.",
            },
            settings_source: settings,
            version_place: found.place,
            version_also: found.also,
            version_problem: found.problem,
            warnings,
        };
        config.check_next_version_file()?;
        Ok(config)
    }

    /// The fragments directory for a section sub-directory, as towncrier computes it.
    pub fn fragments_dir(&self, section_dir: &str) -> PathBuf {
        let tc = &self.towncrier;
        match &tc.directory {
            Some(d) => self.root.join(d).join(section_dir),
            None => self
                .root
                .join(&tc.package_dir)
                .join(&tc.package)
                .join(section_dir)
                .join("newsfragments"),
        }
    }

    /// The changelog path template: git-release's `changelog`, else towncrier's `filename`.
    pub fn changelog_template(&self) -> &str {
        self.release
            .changelog
            .as_deref()
            .unwrap_or(&self.towncrier.filename)
    }

    /// The key the changelog's path comes from: git-release's `changelog`, else
    /// towncrier's `filename`.
    pub fn changelog_key_error(&self, message: impl Into<String>) -> Error {
        match self.release.changelog {
            Some(_) => self.settings_source.error("changelog", message),
            None => self.towncrier_source.error("filename", message),
        }
    }

    /// The version file's path, when the project has one (configured or found).
    pub fn version_path(&self) -> Option<PathBuf> {
        self.version_place.as_ref().map(|p| self.root.join(&p.path))
    }

    /// Every file the release writes the version to (the version file first).
    pub fn version_paths(&self) -> Vec<PathBuf> {
        let places = self.version_place.iter().chain(&self.version_also);
        places.map(|p| self.root.join(&p.path)).collect()
    }

    /// `error`, naming the configuration key and file it comes from when it says that a
    /// configured file does not exist (`version-file`, `next-version.file`,
    /// `consolidate.rules`, `consolidate.labels-from`); any other error as it is.
    pub fn explain(&self, error: Error) -> Error {
        let Error::Io { path, source } = &error else {
            return error;
        };
        if source.kind() == std::io::ErrorKind::NotADirectory {
            return self.not_a_directory(path).unwrap_or(error);
        }
        if source.kind() != std::io::ErrorKind::NotFound {
            return error;
        }
        let rel = &self.release;
        let grouping = &rel.consolidate.grouping;
        let configured = [
            (
                "version-file",
                rel.version_file.as_ref().map(|f| self.root.join(f)),
            ),
            (
                "next-version.file",
                rel.next_version.as_ref().map(|nv| self.root.join(&nv.file)),
            ),
            ("consolidate.rules", grouping.rules.clone()),
            ("consolidate.labels-from", grouping.labels_from.clone()),
        ];
        let Some((key, _)) = configured
            .into_iter()
            .find(|(_, p)| p.as_deref() == Some(path.as_path()))
        else {
            return error;
        };
        let what = match key {
            "version-file" => {
                "create it holding the current version, or point `version-file` at the file \
                 that holds it (with `version-pattern` for a source file), or remove the key: \
                 git-release then finds the version where Python projects keep it"
            }
            "next-version.file" => {
                "create it, or point `next-version.file` at the file that holds the next version"
            }
            _ => "create it, or fix the path (it is relative to the configuration file)",
        };
        self.settings_source.error(
            key,
            format!("names {}, which does not exist: {what}", path.display()),
        )
    }

    /// The project's changelog files: the configured path, or every file matching it when
    /// it holds placeholders (`CHANGELOG/{major}.{minor}.md`).
    pub fn changelog_files(&self) -> Result<Vec<PathBuf>> {
        let template = self.changelog_template();
        if !template.contains('{') {
            let p = self.root.join(template);
            return Ok(if p.is_file() { vec![p] } else { Vec::new() });
        }
        let full = paths::template_glob(&self.root, template);
        let mut files: Vec<PathBuf> = glob::glob(&full)
            .map_err(|e| self.changelog_key_error(format!("cannot be searched for: {e}")))?
            .filter_map(|p| p.ok())
            .collect();
        files.sort();
        Ok(files)
    }

    /// Type names (`Features`, `Fixes`…) in the configured order.
    pub fn category_order(&self) -> Vec<String> {
        self.towncrier
            .types
            .values()
            .map(|t| t.name.clone())
            .collect()
    }
}

/// `[consolidate] categories`, as configured, against towncrier's types' names (in any
/// case, as the consolidation matches them): a near miss of a type's name (`Featurez`, `features `) is a typo
/// that would group nothing, refused naming the key and the type meant; another name may
/// be a category the changelog's rc sections hold under a heading of their own, and is
/// warned about. (The defaults are not checked: a project without `Improvements` keeps
/// them.)
fn check_grouped_categories(
    release: &ReleaseSettings,
    towncrier: &Towncrier,
    settings: &Source,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let configured = &release.consolidate.grouping.categories;
    if *configured == crate::group::Settings::default().categories {
        return Ok(());
    }
    let names: Vec<&str> = towncrier.types.values().map(|t| t.name.as_str()).collect();
    // The consolidation matches a category by name, in any case (not by directory).
    let is_type = |c: &str| names.iter().any(|n| n.eq_ignore_ascii_case(c));
    let key = "consolidate.categories";
    for c in configured.iter().filter(|c| !is_type(c)) {
        let known = names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(meant) = names.iter().find(|n| reader::near_miss(c.trim(), n)) {
            return Err(settings.error(
                key,
                format!(
                    "holds \"{c}\", which is none of towncrier's types ({known}), so no \
                     category would be grouped under it; did you mean \"{meant}\"?"
                ),
            ));
        }
        warnings.push(format!(
            "{}: `{}{key}` holds \"{c}\", which is none of towncrier's types ({known}): \
             only a category of that name in the changelog's rc sections is grouped",
            settings.file.display(),
            settings.prefix
        ));
    }
    Ok(())
}

/// `.git-release.toml` holds git-release's settings at its top level; a `[tool.…]` table
/// there is a file written for `pyproject.toml` (its settings would all be ignored).
fn refuse_tool_tables(path: &Path, doc: &Table) -> Result<()> {
    let Some(tool) = doc.get("tool") else {
        return Ok(());
    };
    let tables: Vec<String> = match tool.as_table() {
        Some(t) => t.keys().map(|k| format!("[tool.{k}]")).collect(),
        None => vec!["tool".into()],
    };
    let message = if tables.iter().any(|t| t == "[tool.git-release]") {
        "is pyproject.toml's form: in .git-release.toml the settings go at the top level. \
         Remove the `[tool.git-release]` header (and `tool.git-release.` from the headers of its \
         sub-tables: `[freeze]`, `[[step]]`…), or move the table into pyproject.toml"
            .to_string()
    } else {
        format!(
            "is not read from .git-release.toml ({}): towncrier's settings belong in \
             pyproject.toml or towncrier.toml",
            tables.join(", ")
        )
    };
    Err(Error::config(path, "tool", message))
}

fn read_toml(path: &Path) -> Result<Table> {
    let text = crate::files::read_text(path)?;
    text.parse::<Table>().map_err(|e| Error::ConfigSyntax {
        path: path.to_path_buf(),
        // toml's message draws a caret under the mistake: keep its lines.
        message: e.to_string().trim_end().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{Algorithm, Cutoff, Strategy};

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn reads_backend_ai_style_config() {
        let dir = project(&[
            ("changes/template.md", "{{ versiondata.version }}"),
            (
                "pyproject.toml",
                r#"
[tool.towncrier]
package = "ai.backend.manager"
filename = "CHANGELOG.md"
directory = "changes/"
title_format = ""
template = "changes/template.md"
start_string = "<!-- towncrier release notes start -->\n"
issue_format = "([#{issue}](https://github.com/lablup/backend.ai/issues/{issue}))"
underlines = ["", "", ""]

[[tool.towncrier.type]]
    directory = "feature"
    name = "Features"
    showcontent = true

[[tool.towncrier.type]]
    directory = "fix"
    name = "Fixes"
    showcontent = true
"#,
            ),
        ]);
        let cfg = Config::load(dir.path()).unwrap();
        let tc = &cfg.towncrier;
        assert_eq!(tc.directory.as_deref(), Some("changes/"));
        assert_eq!(tc.types.keys().collect::<Vec<_>>(), ["feature", "fix"]);
        assert_eq!(tc.title_format, TitleFormat::InTemplate);
        assert!(tc.template.is_markdown());
        assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
        assert_eq!(cfg.release.version_file, None);
        assert!(cfg.version_place.is_none());
    }

    #[test]
    fn wrong_types_name_file_key_and_expectation() {
        let dir = project(&[(
            "pyproject.toml",
            "[tool.towncrier]\nsingle_file = \"yes\"\n",
        )]);
        let msg = Config::load(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("pyproject.toml"), "{msg}");
        assert!(msg.contains("tool.towncrier.single_file"), "{msg}");
        assert!(msg.contains("boolean"), "{msg}");

        let dir = project(&[(".git-release.toml", "base-branch = 3\n")]);
        let msg = Config::load(dir.path()).unwrap_err().to_string();
        assert!(
            msg.contains(".git-release.toml")
                && msg.contains("base-branch")
                && msg.contains("string"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_keys_are_warnings() {
        let dir = project(&[(
            "pyproject.toml",
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\nbogus = 1\nsingle_flie = true\n\
             [tool.git-release]\nvendor-notes = \"V\"\n",
        )]);
        let cfg = Config::load(dir.path()).unwrap();
        assert_eq!(cfg.warnings.len(), 3, "{:?}", cfg.warnings);
        assert!(cfg.warnings[0].contains("tool.towncrier.bogus"));
        // towncrier's own table keeps towncrier's leniency, near-misses included.
        assert!(cfg.warnings[1].contains("tool.towncrier.single_flie"));
        assert!(cfg.warnings[2].contains("tool.git-release.vendor-notes"));
    }

    /// A misspelt key of git-release's own tables would switch a feature off without a word
    /// (`[freze]`, `version_file`, `min-group-sise`): an error naming the key meant.
    #[test]
    fn near_misses_of_git_release_keys_are_errors() {
        for (file, text, typed, meant) in [
            (
                "pyproject.toml",
                "[tool.git-release]\nversion_file = \"V\"\n",
                "tool.git-release.version_file",
                "tool.git-release.version-file",
            ),
            (
                ".git-release.toml",
                "[freze]\nplaceholder = \"X\"\n",
                "freze",
                "freeze",
            ),
            (
                ".git-release.toml",
                "[next_version]\nfile = \"a\"\n",
                "next_version",
                "next-version",
            ),
            (
                ".git-release.toml",
                "[consolidate]\nmin-group-sise = 3\n",
                "consolidate.min-group-sise",
                "consolidate.min-group-size",
            ),
            (
                ".git-release.toml",
                "[[steps]]\nrun = \"true\"\n",
                "steps",
                "step",
            ),
            (
                ".git-release.toml",
                "Base-Branch = \"main\"\n",
                "Base-Branch",
                "base-branch",
            ),
        ] {
            let dir = project(&[(file, text)]);
            let msg = Config::load(dir.path()).unwrap_err().to_string();
            assert!(
                msg.contains(&format!("`{typed}`"))
                    && msg.contains(&format!("did you mean `{meant}`")),
                "{text}: {msg}"
            );
        }
    }

    #[test]
    fn fragment_tables_are_sorted_and_capitalized() {
        let dir = project(&[(
            "towncrier.toml",
            "[tool.towncrier]\n[tool.towncrier.fragment.fix]\n[tool.towncrier.fragment.chore]\nname = \"Chores\"\nshowcontent = false\n",
        )]);
        let cfg = Config::load(dir.path()).unwrap();
        let names: Vec<_> = cfg
            .towncrier
            .types
            .values()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["Chores", "Fix"]);
        assert_eq!(cfg.towncrier.filename, "NEWS.rst");
        assert_eq!(
            cfg.towncrier.start_string,
            ".. towncrier release notes start\n"
        );
    }

    #[test]
    fn release_settings_in_their_own_file() {
        let dir = project(&[(
            ".git-release.toml",
            r#"
version-file = "VERSION"
changelog = "CHANGELOG/{major}.{minor}.md"
[freeze]
placeholder = "NEXT_RELEASE_VERSION"
files = ["src/**/*.py"]
replace = '"{version}"'
[next-version]
file = "src/defs.py"
pattern = 'NEXT = "(?P<version>[^"]+)"'
[[step]]
name = "webui"
run = "echo $WEBUI_VERSION"
when = "webui"
"#,
        )]);
        let cfg = Config::load(dir.path()).unwrap();
        assert_eq!(cfg.changelog_template(), "CHANGELOG/{major}.{minor}.md");
        let freeze = cfg.release.freeze.as_ref().unwrap();
        assert_eq!(freeze.files.sources(), ["src/**/*.py"]);
        assert_eq!(freeze.rules.len(), 1, "`replace` is one rule");
        assert_eq!(
            freeze
                .freeze_bytes(b"x = NEXT_RELEASE_VERSION\n", "1.0")
                .new,
            b"x = \"1.0\"\n"
        );
        assert_eq!(cfg.release.steps[0].when, StepWhen::Webui);
        assert_eq!(
            cfg.release.steps[0].commit.as_deref(),
            Some("chore: update webui to {webui_version}")
        );
        assert_eq!(
            cfg.release.next_version.as_ref().unwrap().message,
            "chore: bump NEXT_RELEASE_VERSION to {version}"
        );
    }

    #[test]
    fn grouping_settings_are_typed() {
        let dir = project(&[(
            ".git-release.toml",
            "[consolidate]\nstrategy = \"similarity\"\nauto-order = [\"similarity\", \"rules\"]\n\
             similarity-cutoff = \"learn\"\nsimilarity-algorithm = \"dbscan\"\nkeep-rc = true\n",
        )]);
        let c = Config::load(dir.path()).unwrap().release.consolidate;
        assert!(c.keep_rc);
        let g = c.grouping;
        assert_eq!(g.strategy, Strategy::Similarity);
        assert_eq!(g.auto_order, [Strategy::Similarity, Strategy::Rules]);
        assert_eq!(g.similarity.cutoff, Cutoff::Learn);
        assert_eq!(g.similarity.algorithm, Algorithm::Dbscan);
        assert_eq!(g.min_group_size, 2);
        assert_eq!(g.command, None);
        assert_eq!(g.command_timeout, std::time::Duration::from_secs(300));
        let dir = project(&[(
            ".git-release.toml",
            "[consolidate]\nstrategy = \"command\"\ncommand = \"python3 group.py\"\ncommand-timeout = 1.5\n",
        )]);
        let g = Config::load(dir.path())
            .unwrap()
            .release
            .consolidate
            .grouping;
        assert_eq!(g.strategy, Strategy::Command);
        assert_eq!(g.command.as_deref(), Some("python3 group.py"));
        assert_eq!(g.command_timeout, std::time::Duration::from_millis(1500));
    }

    #[test]
    fn a_pyproject_table_in_the_own_file_is_an_error() {
        let dir = project(&[(
            ".git-release.toml",
            "[tool.git-release]\nversion-file = \"V\"\n[tool.git-release.next-version]\nfile = \"a\"\n",
        )]);
        let msg = Config::load(dir.path()).unwrap_err().to_string();
        assert!(
            msg.contains(".git-release.toml") && msg.contains("top level"),
            "{msg}"
        );
        let dir = project(&[(
            ".git-release.toml",
            "[tool.towncrier]\nfilename = \"X.md\"\n",
        )]);
        let msg = Config::load(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("[tool.towncrier]"), "{msg}");
    }

    #[test]
    fn a_toml_syntax_error_keeps_its_caret_on_its_own_line() {
        let dir = project(&[(".git-release.toml", "base-branch = \n")]);
        let msg = Config::load(dir.path()).unwrap_err().to_string();
        let caret = msg
            .lines()
            .find(|l| l.trim_start().starts_with('|') && l.contains('^'));
        assert!(caret.is_some(), "{msg}");
        assert!(
            msg.lines()
                .next()
                .unwrap()
                .ends_with("cannot read it as TOML:"),
            "{msg}"
        );
    }

    #[test]
    fn bad_values_are_errors() {
        for (text, needle) in [
            (
                "[next-version]\nfile = \"a\"\npattern = \"(\"\n",
                "regular expression",
            ),
            (
                "[next-version]\nfile = \"a\"\npattern = \"x\"\n",
                "(?P<version>",
            ),
            ("[[step]]\nrun = \"x\"\nwhen = \"sometimes\"\n", "when"),
            ("[freeze]\nfiles = [\"a\"]\n", "placeholder"),
            (
                "[consolidate]\nsimilarity-cutoff = \"high\"\n",
                "similarity-cutoff",
            ),
            (
                "[consolidate]\nsimilarity-algorithm = \"kmeans\"\n",
                "similarity-algorithm",
            ),
            (
                "[consolidate]\nstrategy = \"magic\"\n",
                "consolidate.strategy",
            ),
            (
                "[consolidate]\nauto-order = [\"rules\", \"magic\"]\n",
                "consolidate.auto-order",
            ),
            (
                "[consolidate]\nauto-order = [\"similarity\", \"auto\"]\n",
                "consolidate.auto-order",
            ),
            (
                "[consolidate]\nauto-order = [\"command\", \"rules\"]\n",
                "consolidate.auto-order",
            ),
            (
                "[consolidate]\ncommand-timeout = 0\n",
                "consolidate.command-timeout",
            ),
            (
                "[consolidate]\ncommand-timeout = \"5m\"\n",
                "consolidate.command-timeout",
            ),
            (
                "[consolidate]\ncommand-timeout = 9223372036854775807\n",
                "consolidate.command-timeout",
            ),
            // The command strategy without its command, or an empty one: named, never a
            // usage error that names no file.
            (
                "[consolidate]\nstrategy = \"command\"\n",
                "consolidate.strategy",
            ),
            (
                "[consolidate]\nstrategy = \"command\"\ncommand = \" \"\n",
                "consolidate.command",
            ),
        ] {
            let dir = project(&[(".git-release.toml", text)]);
            let msg = Config::load(dir.path()).unwrap_err().to_string();
            assert!(msg.contains(needle), "{text}: {msg}");
        }
    }
}
