//! Project settings: towncrier's `[tool.towncrier]` (every documented key, same defaults)
//! and git-release's own `[tool.git-release]` / `.git-release.toml` (kebab-case keys).
//!
//! Unknown keys are warnings; a key of the wrong type is an error naming the file, the key
//! and what was expected.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use toml::{Table, Value};

use crate::error::{Error, Result};
use crate::group::registry::check_auto_order;
use crate::group::{Algorithm, Cutoff, Strategy};

/// One fragment type (`[[tool.towncrier.type]]` or `[tool.towncrier.fragment.<dir>]`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FragmentType {
    pub name: String,
    pub showcontent: bool,
    pub check: bool,
}

/// Where the Jinja2 template comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    /// A template shipped with towncrier, `towncrier:default` style (`resource` has its
    /// extension: `default.md`).
    Builtin { package: String, resource: String },
    /// A project file, absolute.
    File(PathBuf),
}

impl TemplateSource {
    /// The file extension decides markdown handling, as in towncrier.
    pub fn is_markdown(&self) -> bool {
        let name = match self {
            TemplateSource::Builtin { resource, .. } => resource.as_str(),
            TemplateSource::File(p) => p.to_str().unwrap_or_default(),
        };
        Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"))
    }

    pub fn display_name(&self) -> String {
        match self {
            TemplateSource::Builtin { package, resource } => format!("{package}:{resource}"),
            TemplateSource::File(p) => p.display().to_string(),
        }
    }
}

/// towncrier's `title_format`: `""` renders the title inside the template, `false` renders
/// none, a string is formatted and put on top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TitleFormat {
    InTemplate,
    Disabled,
    Format(String),
}

/// towncrier's `wrap`: `false`, `true` (79 columns) or a width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    Off,
    Width(usize),
}

/// `[tool.towncrier]`, with towncrier's defaults.
#[derive(Debug, Clone)]
pub struct Towncrier {
    /// Fragments directory relative to the root; `None` means `<package_dir>/<package>/newsfragments`.
    pub directory: Option<String>,
    pub filename: String,
    pub template: TemplateSource,
    pub start_string: String,
    pub title_format: TitleFormat,
    pub issue_format: Option<String>,
    pub underlines: Vec<String>,
    pub wrap: Wrap,
    pub all_bullets: bool,
    pub orphan_prefix: String,
    pub single_file: bool,
    /// Keyed by the type's directory (the file suffix), in the configured order.
    pub types: IndexMap<String, FragmentType>,
    /// Section name → sub-directory; `{"": ""}` when no sections are configured.
    pub sections: IndexMap<String, String>,
    pub package: String,
    pub package_dir: String,
    pub name: String,
    pub version: Option<String>,
    pub create_eof_newline: bool,
    pub create_add_extension: bool,
    pub ignore: Option<Vec<String>>,
    pub issue_pattern: String,
}

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
}

/// `[tool.git-release.freeze]`: the placeholder replaced by the version in final releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freeze {
    pub placeholder: String,
    pub files: Vec<String>,
    pub exclude: Vec<String>,
    pub replace: String,
}

/// `[tool.git-release.next-version]`: where the next development version is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextVersion {
    pub file: String,
    pub pattern: String,
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
pub struct Release {
    pub version_file: String,
    pub base_branch: String,
    /// Overrides towncrier's `filename`; may hold `{major}`, `{minor}`, `{patch}`.
    pub changelog: Option<String>,
    pub branch: String,
    pub commit_message: String,
    pub freeze: Option<Freeze>,
    pub next_version: Option<NextVersion>,
    pub steps: Vec<Step>,
    pub consolidate: Consolidate,
}

impl Default for Release {
    fn default() -> Self {
        Release {
            version_file: "VERSION".into(),
            base_branch: "main".into(),
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

/// Everything a command needs to know about the project.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory holding the configuration (towncrier's base directory).
    pub root: PathBuf,
    pub towncrier: Towncrier,
    pub release: Release,
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
            parse_release(&own_toml, "", &doc, &mut warnings)?
        } else if let Some(table) = pyproject_release {
            let table = table.as_table().cloned().ok_or_else(|| {
                Error::config(&pyproject_toml, "tool.git-release", "must be a table")
            })?;
            parse_release(&pyproject_toml, "tool.git-release.", &table, &mut warnings)?
        } else {
            Release::default()
        };

        Ok(Config {
            root: root.to_path_buf(),
            towncrier,
            release,
            warnings,
        })
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

    /// Type names (`Features`, `Fixes`…) in the configured order.
    pub fn category_order(&self) -> Vec<String> {
        self.towncrier
            .types
            .values()
            .map(|t| t.name.clone())
            .collect()
    }
}

fn read_toml(path: &Path) -> Result<Table> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    text.parse::<Table>().map_err(|e| Error::ConfigSyntax {
        path: path.to_path_buf(),
        message: e.to_string().trim().replace('\n', " "),
    })
}

/// towncrier's defaults when there is no `[tool.towncrier]` table, adjusted to this
/// tool's convention: fragments in `changes/`, a Markdown `CHANGELOG.md`.
fn default_towncrier() -> Towncrier {
    Towncrier {
        directory: Some("changes".into()),
        filename: "CHANGELOG.md".into(),
        template: TemplateSource::Builtin {
            package: "towncrier".into(),
            resource: "default.md".into(),
        },
        start_string: "<!-- towncrier release notes start -->\n".into(),
        title_format: TitleFormat::InTemplate,
        issue_format: None,
        underlines: vec!["=".into(), "-".into(), "~".into()],
        wrap: Wrap::Off,
        all_bullets: true,
        orphan_prefix: "+".into(),
        single_file: true,
        types: default_types(),
        sections: IndexMap::from([(String::new(), String::new())]),
        package: String::new(),
        package_dir: ".".into(),
        name: String::new(),
        version: None,
        create_eof_newline: true,
        create_add_extension: true,
        ignore: None,
        issue_pattern: String::new(),
    }
}

fn default_types() -> IndexMap<String, FragmentType> {
    [
        ("feature", "Features", true),
        ("bugfix", "Bugfixes", true),
        ("doc", "Improved Documentation", true),
        ("removal", "Deprecations and Removals", true),
        ("misc", "Misc", false),
    ]
    .into_iter()
    .map(|(dir, name, show)| {
        (
            dir.to_string(),
            FragmentType {
                name: name.into(),
                showcontent: show,
                check: true,
            },
        )
    })
    .collect()
}

/// Typed access to one TOML table, remembering which keys were read so that the rest
/// can be reported as unknown.
struct Reader<'a> {
    path: &'a Path,
    prefix: String,
    table: &'a Table,
    seen: BTreeSet<&'static str>,
}

impl<'a> Reader<'a> {
    fn new(path: &'a Path, prefix: impl Into<String>, table: &'a Table) -> Self {
        Reader {
            path,
            prefix: prefix.into(),
            table,
            seen: BTreeSet::new(),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn wrong(&self, key: &str, expected: &str, got: &Value) -> Error {
        Error::config(
            self.path,
            self.key(key),
            format!("must be {expected}, not {} `{got}`", got.type_str()),
        )
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.seen.insert(key);
        self.table.get(key)
    }

    fn string(&mut self, key: &'static str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong(key, "a string", v)),
        }
    }

    fn boolean(&mut self, key: &'static str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(v) => Err(self.wrong(key, "a boolean (true or false)", v)),
        }
    }

    fn integer(&mut self, key: &'static str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Integer(i)) => Ok(Some(*i)),
            Some(v) => Err(self.wrong(key, "an integer", v)),
        }
    }

    fn strings(&mut self, key: &'static str) -> Result<Option<Vec<String>>> {
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

    fn table(&mut self, key: &'static str) -> Result<Option<&'a Table>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(t)),
            Some(v) => Err(self.wrong(key, "a table", v)),
        }
    }

    fn tables(&mut self, key: &'static str) -> Result<Option<Vec<&'a Table>>> {
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

    /// Report keys nobody asked for.
    fn finish(self, warnings: &mut Vec<String>) {
        for key in self.table.keys() {
            if !self.seen.contains(key.as_str()) {
                warnings.push(format!(
                    "{}: unknown key `{}` (ignored)",
                    self.path.display(),
                    self.key(key)
                ));
            }
        }
    }
}

fn parse_towncrier(
    root: &Path,
    path: &Path,
    table: &Table,
    warnings: &mut Vec<String>,
) -> Result<Towncrier> {
    let mut r = Reader::new(path, "tool.towncrier.", table);
    if table.get("singlefile").is_some() {
        return Err(Error::config(
            path,
            "tool.towncrier.singlefile",
            "is not a valid option; did you mean `single_file`?",
        ));
    }
    let mut tc = default_towncrier();
    // towncrier's own defaults differ from git-release's no-config defaults.
    tc.directory = r.string("directory")?;
    tc.filename = r.string("filename")?.unwrap_or_else(|| "NEWS.rst".into());
    let markdown_file = Path::new(&tc.filename)
        .extension()
        .is_some_and(|e| e == "md");
    if let Some(v) = r.string("package")? {
        tc.package = v;
    }
    if let Some(v) = r.string("package_dir")? {
        tc.package_dir = v;
    }
    if let Some(v) = r.string("name")? {
        tc.name = v;
    }
    tc.version = r.string("version")?;
    tc.title_format = match r.get("title_format") {
        None => TitleFormat::InTemplate,
        Some(Value::String(s)) if s.is_empty() => TitleFormat::InTemplate,
        Some(Value::String(s)) => TitleFormat::Format(s.clone()),
        Some(Value::Boolean(false)) => TitleFormat::Disabled,
        Some(v) => return Err(r.wrong("title_format", "a string or false", v)),
    };
    tc.issue_format = r.string("issue_format")?;
    if let Some(v) = r.strings("underlines")? {
        tc.underlines = v;
    }
    tc.wrap = match r.get("wrap") {
        None | Some(Value::Boolean(false)) => Wrap::Off,
        Some(Value::Boolean(true)) => Wrap::Width(79),
        // towncrier tests `wrap is False`, so 0 (like any width <= 0) wraps at 79.
        Some(Value::Integer(n)) if *n <= 0 => Wrap::Width(79),
        Some(Value::Integer(n)) => Wrap::Width(*n as usize),
        Some(v) => return Err(r.wrong("wrap", "a boolean or a line width", v)),
    };
    if let Some(v) = r.boolean("all_bullets")? {
        tc.all_bullets = v;
    }
    if let Some(v) = r.string("orphan_prefix")? {
        tc.orphan_prefix = v;
    }
    if let Some(v) = r.boolean("single_file")? {
        tc.single_file = v;
    }
    if let Some(v) = r.boolean("create_eof_newline")? {
        tc.create_eof_newline = v;
    }
    if let Some(v) = r.boolean("create_add_extension")? {
        tc.create_add_extension = v;
    }
    tc.ignore = r.strings("ignore")?;
    if let Some(v) = r.string("issue_pattern")? {
        regex::Regex::new(&format!("^(?:{v})$")).map_err(|e| {
            Error::config(
                path,
                "tool.towncrier.issue_pattern",
                format!("is not a valid regular expression: {e}"),
            )
        })?;
        tc.issue_pattern = v;
    }

    let start_string = r.string("start_string")?.unwrap_or_default();
    tc.start_string = if start_string.is_empty() {
        if markdown_file {
            "<!-- towncrier release notes start -->\n".into()
        } else {
            ".. towncrier release notes start\n".into()
        }
    } else {
        start_string
    };

    // Sections.
    if let Some(sections) = r.tables("section")? {
        tc.sections = IndexMap::new();
        for (i, s) in sections.iter().enumerate() {
            let mut sr = Reader::new(path, format!("tool.towncrier.section[{i}]."), s);
            let name = sr.string("name")?.unwrap_or_default();
            let p = sr.string("path")?.ok_or_else(|| {
                Error::config(
                    path,
                    format!("tool.towncrier.section[{i}].path"),
                    "is required",
                )
            })?;
            sr.finish(warnings);
            tc.sections.insert(name, p);
        }
    }

    // Types: `[tool.towncrier.fragment.<dir>]` wins over `[[tool.towncrier.type]]`.
    let fragment = r.table("fragment")?;
    let types = r.tables("type")?;
    if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
        let mut keys: Vec<&String> = fragment.keys().collect();
        keys.sort();
        tc.types = IndexMap::new();
        for dir in keys {
            let key = format!("tool.towncrier.fragment.{dir}.");
            let options = match &fragment[dir] {
                Value::Table(t) => t.clone(),
                v => {
                    return Err(Error::config(
                        path,
                        key.trim_end_matches('.'),
                        format!("must be a table, not {}", v.type_str()),
                    ));
                }
            };
            let mut fr = Reader::new(path, key, &options);
            let mut capitalized = dir.clone();
            if let Some(first) = capitalized.get(0..1) {
                let upper = first.to_uppercase();
                capitalized = format!("{upper}{}", &dir[1..].to_lowercase());
            }
            let ty = FragmentType {
                name: fr.string("name")?.unwrap_or(capitalized),
                showcontent: fr.boolean("showcontent")?.unwrap_or(true),
                check: fr.boolean("check")?.unwrap_or(true),
            };
            fr.finish(warnings);
            tc.types.insert(dir.clone(), ty);
        }
    } else if let Some(types) = types.filter(|t| !t.is_empty()) {
        tc.types = IndexMap::new();
        for (i, t) in types.iter().enumerate() {
            let mut tr = Reader::new(path, format!("tool.towncrier.type[{i}]."), t);
            let name = tr.string("name")?.ok_or_else(|| {
                Error::config(
                    path,
                    format!("tool.towncrier.type[{i}].name"),
                    "is required",
                )
            })?;
            let directory = tr
                .string("directory")?
                .unwrap_or_else(|| name.to_lowercase());
            let ty = FragmentType {
                name,
                showcontent: tr.boolean("showcontent")?.unwrap_or(true),
                check: tr.boolean("check")?.unwrap_or(true),
            };
            tr.finish(warnings);
            tc.types.insert(directory, ty);
        }
    } else {
        tc.types = default_types();
    }

    // Template: `package:resource` or a path relative to the root.
    let template = r
        .string("template")?
        .unwrap_or_else(|| "towncrier:default".into());
    tc.template = resolve_template(root, path, &template, markdown_file)?;

    r.finish(warnings);
    Ok(tc)
}

/// The templates towncrier ships, by resource name.
pub const BUILTIN_TEMPLATES: &[&str] = &[
    "default.md",
    "default.rst",
    "hr-between-versions.rst",
    "single-file-no-bullets.rst",
];

fn resolve_template(
    root: &Path,
    path: &Path,
    template: &str,
    markdown_file: bool,
) -> Result<TemplateSource> {
    // towncrier's `[-\w.]+:[-\w.]+$`, without compiling a Unicode regex on every start.
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    let is_resource = template
        .split_once(':')
        .is_some_and(|(a, b)| word(a) && word(b));
    if is_resource {
        let (package, resource) = template.split_once(':').expect("matched a colon");
        let mut resource = resource.to_string();
        if Path::new(&resource).extension().is_none() {
            resource.push_str(if markdown_file { ".md" } else { ".rst" });
        }
        let package = package.trim_end_matches(".templates");
        if package == "towncrier" && BUILTIN_TEMPLATES.contains(&resource.as_str()) {
            return Ok(TemplateSource::Builtin {
                package: package.into(),
                resource,
            });
        }
        return Err(Error::config(
            path,
            "tool.towncrier.template",
            format!(
                "names `{template}`, which git-release cannot load: only towncrier's own templates ({}) \
                 and project files are supported. Copy the template into the project and point `template` at it.",
                BUILTIN_TEMPLATES.join(", ")
            ),
        ));
    }
    let file = root.join(template);
    if !file.is_file() {
        return Err(Error::config(
            path,
            "tool.towncrier.template",
            format!("points to {}, which does not exist", file.display()),
        ));
    }
    Ok(TemplateSource::File(file))
}

fn parse_release(
    path: &Path,
    prefix: &str,
    table: &Table,
    warnings: &mut Vec<String>,
) -> Result<Release> {
    let mut r = Reader::new(path, prefix, table);
    let mut rel = Release::default();
    if let Some(v) = r.string("version-file")? {
        rel.version_file = v;
    }
    if let Some(v) = r.string("base-branch")? {
        rel.base_branch = v;
    }
    rel.changelog = r.string("changelog")?;
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
    if let Some(v) = r.string("commit-message")? {
        rel.commit_message = v;
    }

    if let Some(t) = r.table("freeze")? {
        let mut fr = Reader::new(path, format!("{prefix}freeze."), t);
        let placeholder = fr
            .string("placeholder")?
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                Error::config(path, format!("{prefix}freeze.placeholder"), "is required")
            })?;
        let files = fr.strings("files")?.unwrap_or_else(|| vec!["**/*".into()]);
        let exclude = fr.strings("exclude")?.unwrap_or_default();
        let replace = fr.string("replace")?.unwrap_or_else(|| "{version}".into());
        for glob in files.iter().chain(&exclude) {
            glob::Pattern::new(glob).map_err(|e| {
                Error::config(
                    path,
                    format!("{prefix}freeze"),
                    format!("has an invalid glob `{glob}`: {e}"),
                )
            })?;
        }
        fr.finish(warnings);
        rel.freeze = Some(Freeze {
            placeholder,
            files,
            exclude,
            replace,
        });
    }

    if let Some(t) = r.table("next-version")? {
        let mut nr = Reader::new(path, format!("{prefix}next-version."), t);
        let file = nr.string("file")?.ok_or_else(|| {
            Error::config(path, format!("{prefix}next-version.file"), "is required")
        })?;
        let pattern = nr.string("pattern")?.ok_or_else(|| {
            Error::config(path, format!("{prefix}next-version.pattern"), "is required")
        })?;
        let re = regex::Regex::new(&pattern).map_err(|e| {
            Error::config(
                path,
                format!("{prefix}next-version.pattern"),
                format!("is not a valid regular expression: {e}"),
            )
        })?;
        if !re.capture_names().any(|n| n == Some("version")) {
            return Err(Error::config(
                path,
                format!("{prefix}next-version.pattern"),
                "needs a `(?P<version>...)` capture group around the version",
            ));
        }
        let message = nr
            .string("message")?
            .unwrap_or_else(|| "chore: bump NEXT_RELEASE_VERSION to {version}".into());
        nr.finish(warnings);
        rel.next_version = Some(NextVersion {
            file,
            pattern,
            message,
        });
    }

    if let Some(steps) = r.tables("step")? {
        for (i, t) in steps.iter().enumerate() {
            let mut sr = Reader::new(path, format!("{prefix}step[{i}]."), t);
            let run = sr.string("run")?.ok_or_else(|| {
                Error::config(path, format!("{prefix}step[{i}].run"), "is required")
            })?;
            let name = sr.string("name")?.unwrap_or_else(|| run.clone());
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
            let mut commit = sr.string("commit")?;
            if when == StepWhen::Webui && commit.is_none() {
                commit = Some("chore: update webui to {webui_version}".into());
            }
            sr.finish(warnings);
            rel.steps.push(Step {
                name,
                run,
                when,
                commit,
            });
        }
    }

    if let Some(t) = r.table("consolidate")? {
        let mut cr = Reader::new(path, format!("{prefix}consolidate."), t);
        let base = path.parent().unwrap_or(Path::new("."));
        let c = &mut rel.consolidate.grouping;
        if let Some(v) = cr.string("strategy")? {
            c.strategy = v.parse().map_err(|_| {
                Error::config(
                    path,
                    cr.key("strategy"),
                    format!("must be one of {}, not \"{v}\"", Strategy::names()),
                )
            })?;
        }
        c.rules = cr.string("rules")?.map(|p| base.join(p));
        c.labels_from = cr.string("labels-from")?.map(|p| base.join(p));
        if let Some(v) = cr.boolean("keep-rc")? {
            rel.consolidate.keep_rc = v;
        }
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
                    format!("{prefix}consolidate.min-group-size"),
                    "must be at least 1",
                ));
            }
            c.min_group_size = v as usize;
        }
        match cr.get("similarity-cutoff") {
            None => {}
            Some(Value::String(s)) if s == "learn" => c.similarity.cutoff = Cutoff::Learn,
            Some(Value::Float(f)) if (0.0..=1.0).contains(f) => {
                c.similarity.cutoff = Cutoff::Fixed(*f)
            }
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
                    format!("{prefix}consolidate.similarity-algorithm"),
                    format!(
                        "must be one of {}, not \"{v}\"",
                        Algorithm::ALL.map(|a| format!("\"{a}\"")).join(", ")
                    ),
                )
            })?;
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
        cr.finish(warnings);
    }

    r.finish(warnings);
    Ok(rel)
}

/// The strategies `auto-order` may list: `rules, similarity, labels`.
fn auto_order_names() -> String {
    Strategy::ALL
        .into_iter()
        .filter(|s| *s != Strategy::Auto)
        .map(Strategy::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(cfg.release.version_file, "VERSION");
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
            "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\nbogus = 1\n[tool.git-release]\nversion_file = \"V\"\n",
        )]);
        let cfg = Config::load(dir.path()).unwrap();
        assert_eq!(cfg.warnings.len(), 2, "{:?}", cfg.warnings);
        assert!(cfg.warnings[0].contains("tool.towncrier.bogus"));
        assert!(cfg.warnings[1].contains("tool.git-release.version_file"));
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
        assert_eq!(
            cfg.release.freeze.as_ref().unwrap().replace,
            "\"{version}\""
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
        ] {
            let dir = project(&[(".git-release.toml", text)]);
            let msg = Config::load(dir.path()).unwrap_err().to_string();
            assert!(msg.contains(needle), "{text}: {msg}");
        }
    }
}
