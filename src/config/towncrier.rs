//! `[tool.towncrier]`: every key towncrier documents, with towncrier's defaults.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use toml::{Table, Value};

use super::reader::Reader;
use crate::error::{Error, Result};

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
    /// One underline per heading level. towncrier takes any sequence: a string
    /// (`underlines = "=-~"`, its own documentation's and PyInstaller's, astropy's) is its
    /// characters, and the template gets `underlines[1:]` as a string (`underlines_string`).
    pub underlines: Vec<String>,
    pub underlines_string: bool,
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
    /// `issue_pattern`, anchored at both ends.
    pub issue_pattern: Option<IssuePattern>,
}

/// towncrier's `issue_pattern`: the text as configured and the compiled, anchored regex.
#[derive(Debug, Clone)]
pub struct IssuePattern {
    pub source: String,
    pub regex: regex::Regex,
}

impl IssuePattern {
    pub fn is_match(&self, issue: &str) -> bool {
        self.regex.is_match(issue)
    }
}

/// towncrier's defaults when there is no `[tool.towncrier]` table, adjusted to this
/// tool's convention: fragments in `changes/`, a Markdown `CHANGELOG.md`.
pub(crate) fn default_towncrier() -> Towncrier {
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
        underlines_string: false,
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
        issue_pattern: None,
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

pub(crate) fn parse_towncrier(
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
    // A string is a sequence of characters to towncrier, not a one-item list.
    if let Some(Value::String(s)) = r.get("underlines") {
        tc.underlines = s.chars().map(String::from).collect();
        tc.underlines_string = true;
    } else if let Some(v) = r.strings("underlines")? {
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
    tc.issue_pattern = match r.string("issue_pattern")?.filter(|v| !v.is_empty()) {
        None => None,
        Some(source) => Some(IssuePattern {
            regex: r.compile_regex("issue_pattern", &format!(r"\A(?:{source})\z"))?,
            source,
        }),
    };

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
            sr.finish(warnings)?;
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
            fr.finish(warnings)?;
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
            tr.finish(warnings)?;
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

    r.finish(warnings)?;
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
    let resource_name = template.split_once(':').filter(|(a, b)| word(a) && word(b));
    if let Some((package, resource)) = resource_name {
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
