//! Native, towncrier-compatible rendering of a changelog section from fragments.
//!
//! This reproduces towncrier 26.9's `build` command byte for byte: `render_fragments` (the
//! Jinja2 template rendered with `trim_blocks=True`, then `wrap`), the title logic of
//! `build.py` (`title_format`, `md_header_level`, the top underline) and
//! `_writer.append_to_newsfile`. Templates run on minijinja with Python compatibility
//! shims: Python-style methods (`str.split`, `dict.items`…), Python's printing of
//! `True`/`False`/`None`/lists, and *mutable* list literals, because towncrier's own
//! Markdown template builds a list with `.append` and minijinja values are immutable
//! (see [`rewrite_list_literals`]).
//!
//! git-release additions: the changelog path may hold `{major}`, `{minor}`, `{patch}`
//! (`CHANGELOG/{major}.{minor}.md`), and a build is refused when the changelog already has
//! a section heading for the version.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use indexmap::IndexMap;
use minijinja::value::{Enumerator, Object, ObjectRepr, Rest};
use minijinja::{AutoEscape, Environment, ErrorKind, State, UndefinedBehavior, Value};
use regex::Regex;

use crate::config::{Config, TemplateSource, TitleFormat, Wrap};
use crate::error::{Error, Result};
use crate::fragments::{self, FragmentSet, py_isspace, py_lstrip, py_rstrip, py_strip};

/// towncrier's four templates, embedded (exact copies; see `templates/towncrier/NOTICE`).
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    (
        "default.md",
        include_str!("../templates/towncrier/default.md"),
    ),
    (
        "default.rst",
        include_str!("../templates/towncrier/default.rst"),
    ),
    (
        "hr-between-versions.rst",
        include_str!("../templates/towncrier/hr-between-versions.rst"),
    ),
    (
        "single-file-no-bullets.rst",
        include_str!("../templates/towncrier/single-file-no-bullets.rst"),
    ),
];

/// The function list literals are rewritten into (see [`rewrite_list_literals`]).
const LIST_FN: &str = "__git_release_list";

/// The file holding `[tool.towncrier]`, for error messages.
fn config_file(config: &Config) -> PathBuf {
    let towncrier = config.root.join("towncrier.toml");
    if towncrier.is_file() {
        towncrier
    } else {
        config.root.join("pyproject.toml")
    }
}

/// The values `build.py` passes around: the project name, the version and the date.
#[derive(Debug, Clone, PartialEq, Eq)]
struct VersionData<'a> {
    name: &'a str,
    version: &'a str,
    date: &'a str,
}

/// Render the section towncrier would build for these fragments: its `content` (what
/// `--draft` prints, minus click's final newline). Pure: reads the template (a project
/// file, or an embedded one), touches nothing.
pub fn render_section(
    config: &Config,
    fragments: &FragmentSet,
    version: &str,
    date: &str,
    name: Option<&str>,
) -> Result<String> {
    let tc = &config.towncrier;
    let name = name.unwrap_or(&tc.name);
    let (template_name, template) = load_template(&tc.template)?;
    let is_markdown = tc.template.is_markdown();
    let render_title = tc.title_format == TitleFormat::InTemplate;
    let md_header_level = if is_markdown {
        match &tc.title_format {
            TitleFormat::Format(f) => {
                static HASHES: LazyLock<Regex> =
                    LazyLock::new(|| Regex::new(r"(?m)^(#+)\s").expect("valid"));
                HASHES.captures(f).map_or(0, |c| c[1].len())
            }
            _ => usize::from(render_title),
        }
    } else {
        1
    };
    let data = VersionData {
        name,
        version,
        date,
    };
    let rendered = render_fragments(
        config,
        &template_name,
        &template,
        fragments,
        &data,
        render_title,
        md_header_level,
    )?;

    let top_line = top_line(config, &data)?;
    Ok(match top_line {
        Some(top) => {
            let mut parts = vec![top.clone()];
            if !is_markdown {
                let underline = tc.underlines.first().map(String::as_str).unwrap_or("");
                parts.push(underline.repeat(top.chars().count()));
            }
            parts.push(rendered);
            parts.join("\n")
        }
        None => rendered,
    })
}

/// The formatted `title_format`, when one is configured (towncrier's `top_line`).
fn top_line(config: &Config, data: &VersionData) -> Result<Option<String>> {
    match &config.towncrier.title_format {
        TitleFormat::Format(f) => py_format(
            f,
            &[
                ("name", data.name),
                ("version", data.version),
                ("project_date", data.date),
            ],
        )
        .map(Some)
        .map_err(|m| Error::config(config_file(config), "tool.towncrier.title_format", m)),
        _ => Ok(None),
    }
}

/// The template's display name and text.
fn load_template(source: &TemplateSource) -> Result<(String, String)> {
    match source {
        TemplateSource::Builtin { resource, .. } => BUILTIN_TEMPLATES
            .iter()
            .find(|(name, _)| name == resource)
            .map(|(_, text)| (source.display_name(), text.to_string()))
            .ok_or_else(|| Error::Template {
                name: source.display_name(),
                message: "is not one of towncrier's templates".into(),
            }),
        TemplateSource::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            Ok((source.display_name(), text))
        }
    }
}

/// towncrier's `render_fragments`: sort, render the template, wrap.
fn render_fragments(
    config: &Config,
    template_name: &str,
    template: &str,
    set: &FragmentSet,
    data: &VersionData,
    render_title: bool,
    md_header_level: usize,
) -> Result<String> {
    let tc = &config.towncrier;
    let issue_format = tc.issue_format.as_deref();
    let split = fragments::split(config, set);

    type Sections = IndexMap<String, IndexMap<String, IndexMap<String, Vec<String>>>>;
    let mut sections: Sections = IndexMap::new();
    let mut issues_by_category: IndexMap<String, IndexMap<String, Vec<String>>> = IndexMap::new();
    for (section_name, categories) in &split {
        let data_section = sections.entry(section_name.clone()).or_default();
        let issues_section = issues_by_category.entry(section_name.clone()).or_default();
        for (category, texts) in categories {
            let mut category_issues: Vec<&String> = texts.values().flatten().collect();
            category_issues.sort_by_cached_key(|i| fragments::issue_key(i));
            category_issues.dedup();
            let mut rendered = IndexMap::new();
            for entry in fragments::sorted_entries(texts, tc.all_bullets) {
                let issues = entry
                    .issues
                    .iter()
                    .map(|i| render_issue(issue_format, i))
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|m| {
                        Error::config(config_file(config), "tool.towncrier.issue_format", m)
                    })?;
                rendered.insert(append_newlines_if_trailing_code_block(&entry.text), issues);
            }
            data_section.insert(category.clone(), rendered);
            issues_section.insert(
                category.clone(),
                category_issues
                    .into_iter()
                    .map(|i| render_issue(issue_format, i))
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|m| {
                        Error::config(config_file(config), "tool.towncrier.issue_format", m)
                    })?,
            );
        }
    }

    let all_bullets = tc.all_bullets;
    let strings = |v: &[String]| Value::from_iter(v.iter().map(|s| Value::from(s.as_str())));
    let sections = Value::from_pairs(sections.iter().map(|(section, categories)| {
        let categories = Value::from_pairs(categories.iter().map(|(category, texts)| {
            (
                category.as_str(),
                Value::from_pairs(
                    texts
                        .iter()
                        .map(|(text, issues)| (text.as_str(), strings(issues))),
                ),
            )
        }));
        (section.as_str(), categories)
    }));
    let issues_by_category =
        Value::from_pairs(issues_by_category.iter().map(|(section, categories)| {
            (
                section.as_str(),
                Value::from_pairs(
                    categories
                        .iter()
                        .map(|(c, issues)| (c.as_str(), strings(issues))),
                ),
            )
        }));
    // Dicts with the keys (and key order) of towncrier's fragment type definitions.
    let definitions = Value::from_pairs(tc.types.iter().map(|(dir, t)| {
        (
            dir.as_str(),
            Value::from_pairs([
                ("name", Value::from(t.name.as_str())),
                ("showcontent", Value::from(t.showcontent)),
                ("check", Value::from(t.check)),
            ]),
        )
    }));
    let ctx = Value::from_pairs([
        ("render_title", Value::from(render_title)),
        ("sections", sections),
        ("definitions", definitions),
        ("underlines", underlines(&tc.underlines)),
        (
            "versiondata",
            Value::from_pairs([
                ("name", data.name),
                ("version", data.version),
                ("date", data.date),
            ]),
        ),
        (
            "top_underline",
            Value::from(
                tc.underlines
                    .first()
                    .map(String::as_str)
                    .unwrap_or_default(),
            ),
        ),
        (
            "get_indent",
            Value::from_function(move |text: &str| get_indent(text, all_bullets).to_string()),
        ),
        ("issues_by_category", issues_by_category),
        ("header_prefix", Value::from("#".repeat(md_header_level))),
    ]);
    let res = render_template(template_name, template, ctx)?;

    Ok(match tc.wrap {
        Wrap::Off => res,
        Wrap::Width(width) => {
            let width = if width == 0 { 79 } else { width };
            res.split('\n')
                .map(|line| fill(line, width, get_indent(line, all_bullets)))
                .collect::<Vec<_>>()
                .join("\n")
        }
    })
}

/// `underlines[1:]` as towncrier passes it: a tuple when the project keeps towncrier's
/// default `("=", "-", "~")` (a Python tuple), a list when it configures its own. (An
/// explicitly configured `["=", "-", "~"]` is a list in towncrier and a tuple here; this
/// only shows in a template that prints `underlines` itself.)
fn underlines(all: &[String]) -> Value {
    let rest: Vec<Value> = all
        .iter()
        .skip(1)
        .map(|s| Value::from(s.as_str()))
        .collect();
    if all == ["=", "-", "~"] {
        Value::from_object(minijinja::value::Tuple::new(rest))
    } else {
        Value::from(rest)
    }
}

/// towncrier's `get_indent`: the continuation indent of a wrapped line.
fn get_indent(text: &str, all_bullets: bool) -> &'static str {
    if all_bullets || text.starts_with("- ") || text.starts_with("* ") {
        "  "
    } else if text.starts_with("#. ") {
        "   "
    } else {
        ""
    }
}

/// towncrier's `render_issue`: `issue_format` (a Python format string), else `#N` for
/// numbers and the issue as is otherwise.
pub(crate) fn render_issue(
    issue_format: Option<&str>,
    issue: &str,
) -> std::result::Result<String, String> {
    match issue_format {
        Some(f) => py_format(f, &[("issue", issue)]),
        None if is_python_int(issue) => Ok(format!("#{issue}")),
        None => Ok(issue.to_string()),
    }
}

/// Whether Python's `int()` accepts the text (sign, digits, single underscores, spaces).
fn is_python_int(s: &str) -> bool {
    static INT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*[+-]?\d+(?:_\d+)*\s*$").expect("valid"));
    INT.is_match(s)
}

/// towncrier's `append_newlines_if_trailing_code_block`: a fragment ending in an indented
/// code block gets `"\n\n "` so that the issue link does not land inside the block.
pub(crate) fn append_newlines_if_trailing_code_block(text: &str) -> String {
    // On bytes without Unicode classes: the same matches on UTF-8 text (no multi-byte
    // character holds a `\n` byte), at a fraction of the compile time.
    static CODE: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        let indented = r"  [ \t]+[^\n]*";
        regex::bytes::Regex::new(&format!(r"(?-u)::\n\n(({indented})?\n)*{indented}\n?\z"))
            .expect("valid")
    });
    if text.contains("::\n\n") && CODE.is_match(text.as_bytes()) {
        format!("{text}\n\n ")
    } else {
        text.to_string()
    }
}

/// Render a Jinja2 template as towncrier does (`Template(src, trim_blocks=True)`).
///
/// `name` is the template's file (or `towncrier:<resource>`), named in every error.
pub fn render_template(name: &str, source: &str, ctx: Value) -> Result<String> {
    let env = environment();
    let rewritten = rewrite_list_literals(source);
    let template = match env.template_from_named_str(name, &rewritten) {
        Ok(t) => t,
        Err(err) => {
            // Report the error against the user's own text when it has one there.
            let err = match env.template_from_named_str(name, source) {
                Err(original) => original,
                Ok(_) => err,
            };
            return Err(template_error(name, &err));
        }
    };
    template.render(ctx).map_err(|e| template_error(name, &e))
}

fn template_error(name: &str, err: &minijinja::Error) -> Error {
    let mut message = match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    };
    if let Some(line) = err.line() {
        let _ = write!(message, " (line {line})");
    }
    Error::Template {
        name: name.to_string(),
        message: message.replace(LIST_FN, "list"),
    }
}

/// A minijinja environment that behaves like towncrier's Jinja2 one.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(false)
            .keep_trailing_newline(false)
            .build()
            .expect("default delimiters are valid"),
    );
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    env.set_formatter(|out, _state, value| {
        if !value.is_undefined() {
            out.write_str(&py_str(value))?;
        }
        Ok(())
    });
    env.add_function(LIST_FN, |items: Rest<Value>| {
        Value::from_object(PyList(Mutex::new(items.0)))
    });
    env
}

/// Python's `str()` of a template value: strings as they are, `True`/`False`/`None`, and
/// containers as their `repr`.
fn py_str(value: &Value) -> String {
    match value.kind() {
        minijinja::value::ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        minijinja::value::ValueKind::Undefined => String::new(),
        _ => py_repr(value),
    }
}

/// Python's `repr()` of a template value.
fn py_repr(value: &Value) -> String {
    use minijinja::value::ValueKind as K;
    match value.kind() {
        K::Undefined => String::new(),
        K::None => "None".into(),
        K::Bool => if value.is_true() { "True" } else { "False" }.into(),
        K::String => py_repr_str(value.as_str().unwrap_or_default()),
        K::Seq | K::Iterable => {
            let items: Vec<String> = value
                .try_iter()
                .map(|it| it.map(|v| py_repr(&v)).collect())
                .unwrap_or_default();
            if value.is_tuple() {
                if items.len() == 1 {
                    format!("({},)", items[0])
                } else {
                    format!("({})", items.join(", "))
                }
            } else {
                format!("[{}]", items.join(", "))
            }
        }
        K::Map => {
            let items: Vec<String> = value
                .try_iter()
                .map(|it| {
                    it.map(|k| {
                        format!(
                            "{}: {}",
                            py_repr(&k),
                            py_repr(&value.get_item(&k).unwrap_or_default())
                        )
                    })
                    .collect()
                })
                .unwrap_or_default();
            format!("{{{}}}", items.join(", "))
        }
        K::Number if !value.is_integer() => match f64::try_from(value.clone()) {
            Ok(f) => py_float_repr(f),
            Err(_) => value.to_string(),
        },
        _ => value.to_string(),
    }
}

/// Python's `repr()` of a float: the shortest digits that round-trip (as Rust's), in
/// fixed notation from 1e-4 up to 1e16 (`3.0`, `0.0001`) and scientific outside
/// (`1e+20`, `1.5e-05`).
fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if f == 0.0 || (-4..16).contains(&exp) {
        let fixed = f.to_string();
        if fixed.contains(['.', 'e']) {
            fixed
        } else {
            format!("{fixed}.0")
        }
    } else {
        format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

/// Python's `repr()` of a string: single quotes unless the text has some and no double
/// quotes; escapes for backslashes, the quote and control characters.
fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A mutable Python list for templates: list literals become this, so that `.append()`
/// and friends work as in Jinja2 (they change the list and return `None`).
#[derive(Debug, Default)]
struct PyList(Mutex<Vec<Value>>);

impl PyList {
    fn items(&self) -> MutexGuard<'_, Vec<Value>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn list_error(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> minijinja::Error {
    minijinja::Error::new(kind, message)
}

/// Python's index normalisation: negative counts from the end; `None` when out of range.
fn py_index(index: i64, len: usize) -> Option<usize> {
    let i = if index < 0 { index + len as i64 } else { index };
    usize::try_from(i).ok().filter(|i| *i < len)
}

impl Object for PyList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let items = self.items();
        py_index(key.as_i64()?, items.len()).map(|i| items[i].clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.items().clone())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.items().len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> std::result::Result<Value, minijinja::Error> {
        let arity = |n: std::ops::RangeInclusive<usize>| {
            if args.len() < *n.start() {
                Err(list_error(
                    ErrorKind::MissingArgument,
                    format!("list.{method}() takes at least {} argument(s)", n.start()),
                ))
            } else if args.len() > *n.end() {
                Err(list_error(
                    ErrorKind::TooManyArguments,
                    format!("list.{method}() takes at most {} argument(s)", n.end()),
                ))
            } else {
                Ok(())
            }
        };
        let int_arg = |v: &Value| {
            v.as_i64().ok_or_else(|| {
                list_error(
                    ErrorKind::InvalidOperation,
                    format!("list.{method}(): the index must be an integer"),
                )
            })
        };
        let mut items = self.items();
        match method {
            "append" => {
                arity(1..=1)?;
                items.push(args[0].clone());
            }
            "extend" => {
                arity(1..=1)?;
                let new: Vec<Value> = args[0].try_iter()?.collect();
                items.extend(new);
            }
            "insert" => {
                arity(2..=2)?;
                let len = items.len() as i64;
                let i = int_arg(&args[0])?;
                let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
                items.insert(i as usize, args[1].clone());
            }
            "pop" => {
                arity(0..=1)?;
                if items.is_empty() {
                    return Err(list_error(
                        ErrorKind::InvalidOperation,
                        "pop from empty list",
                    ));
                }
                let i = match args.first() {
                    Some(v) => py_index(int_arg(v)?, items.len()).ok_or_else(|| {
                        list_error(ErrorKind::InvalidOperation, "pop index out of range")
                    })?,
                    None => items.len() - 1,
                };
                return Ok(items.remove(i));
            }
            "remove" => {
                arity(1..=1)?;
                let i = items.iter().position(|v| v == &args[0]).ok_or_else(|| {
                    list_error(ErrorKind::InvalidOperation, "list.remove(x): x not in list")
                })?;
                items.remove(i);
            }
            "clear" => {
                arity(0..=0)?;
                items.clear();
            }
            "index" => {
                arity(1..=1)?;
                return items
                    .iter()
                    .position(|v| v == &args[0])
                    .map(Value::from)
                    .ok_or_else(|| {
                        list_error(
                            ErrorKind::InvalidOperation,
                            format!("{} is not in list", py_repr(&args[0])),
                        )
                    });
            }
            "count" => {
                arity(1..=1)?;
                return Ok(Value::from(items.iter().filter(|v| *v == &args[0]).count()));
            }
            "reverse" => {
                arity(0..=0)?;
                items.reverse();
            }
            "copy" => {
                arity(0..=0)?;
                return Ok(Value::from_object(PyList(Mutex::new(items.clone()))));
            }
            _ => return Err(minijinja::Error::from(ErrorKind::UnknownMethod)),
        }
        Ok(Value::from(()))
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let items: Vec<String> = self.items().iter().map(py_repr).collect();
        write!(f, "[{}]", items.join(", "))
    }
}

/// Rewrite every list literal of a template (`[]`, `[a, b]`) into a call that builds a
/// mutable [`PyList`], leaving subscripts (`x[0]`, `f()[1:]`) alone.
///
/// Jinja2 lists are Python lists, and templates rely on it: towncrier's default Markdown
/// template does `{% set issue_pks = [] %}` … `{% set _ = issue_pks.append(…) %}`. A `[`
/// opens a literal unless it follows something that ends an operand (a name that is not a
/// keyword, a string, a number, `)`, `]` or `}`). The matching `]` becomes `)`. Line
/// structure is kept, so error line numbers still point at the user's template. On a
/// tokenizer error the source is returned unchanged, for minijinja to report.
pub(crate) fn rewrite_list_literals(source: &str) -> Cow<'_, str> {
    use minijinja::machinery::{Token, tokenize};
    const KEYWORDS: &[&str] = &[
        "and",
        "or",
        "not",
        "in",
        "is",
        "if",
        "else",
        "elif",
        "for",
        "set",
        "with",
        "include",
        "extends",
        "import",
        "from",
        "as",
        "print",
        "return",
        "call",
        "filter",
        "macro",
        "block",
        "autoescape",
        "do",
        "recursive",
    ];
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    let mut stack: Vec<bool> = Vec::new();
    let mut prev_is_operand = false;
    let mut prev_comma: Option<(usize, usize)> = None;
    for item in tokenize(source, false, Default::default()) {
        let Ok((token, span)) = item else {
            return Cow::Borrowed(source);
        };
        let (start, end) = (span.start_offset as usize, span.end_offset as usize);
        match token {
            Token::BracketOpen => {
                let literal = !prev_is_operand;
                if literal {
                    edits.push((start, end, "__git_release_list("));
                }
                stack.push(literal);
            }
            // The `]` of a literal.
            Token::BracketClose if stack.pop() == Some(true) => {
                // `[a, b,]` is fine in Jinja2; drop the comma so the call is too.
                if let Some((cs, ce)) = prev_comma {
                    edits.push((cs, ce, ""));
                }
                edits.push((start, end, ")"));
            }
            _ => {}
        }
        prev_comma = matches!(token, Token::Comma).then_some((start, end));
        prev_is_operand = match token {
            Token::Ident(name) => !KEYWORDS.contains(&name),
            Token::Str(_)
            | Token::String(_)
            | Token::Int(_)
            | Token::Int128(_)
            | Token::Float(_)
            | Token::ParenClose
            | Token::BracketClose
            | Token::BraceClose => true,
            _ => false,
        };
    }
    if edits.is_empty() {
        return Cow::Borrowed(source);
    }
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(source.len() + edits.len() * 20);
    let mut pos = 0;
    for (start, end, replacement) in edits {
        out.push_str(&source[pos..start]);
        out.push_str(replacement);
        pos = end;
    }
    out.push_str(&source[pos..]);
    Cow::Owned(out)
}

/// Python's `str.format` with keyword arguments only (what towncrier uses for
/// `issue_format`, `title_format` and file names): `{name}`, `{name!s}`, `{name!r}`,
/// `{name:spec}` with string specs (fill, align, width, precision), `{{` and `}}`.
pub(crate) fn py_format(
    format: &str,
    args: &[(&str, &str)],
) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(format.len() + 16);
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '}' => {
                return Err(format!(
                    "`{format}` has a single `}}`; write `}}}}` for a literal brace"
                ));
            }
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => field.push(c),
                        None => return Err(format!("`{format}` has a `{{` without its `}}`")),
                    }
                }
                let (head, spec) = field.split_once(':').unwrap_or((&field, ""));
                let (key, conversion) = head.split_once('!').unwrap_or((head, ""));
                let Some((_, value)) = args.iter().find(|(k, _)| *k == key) else {
                    let known: Vec<String> = args.iter().map(|(k, _)| format!("{{{k}}}")).collect();
                    return Err(format!(
                        "`{format}` uses `{{{key}}}`; the placeholders available are {}",
                        known.join(", ")
                    ));
                };
                let value = match conversion {
                    "" | "s" => value.to_string(),
                    "r" => py_repr_str(value),
                    other => return Err(format!("`{format}`: unknown conversion `!{other}`")),
                };
                out.push_str(
                    &apply_string_spec(&value, spec).map_err(|m| format!("`{format}`: {m}"))?,
                );
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Python's format spec for strings: `[[fill]align][width][.precision][s]`.
fn apply_string_spec(value: &str, spec: &str) -> std::result::Result<String, String> {
    static SPEC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:(?P<fill>.)?(?P<align>[<>^]))?(?P<width>\d+)?(?:\.(?P<precision>\d+))?s?$")
            .expect("valid")
    });
    if spec.is_empty() {
        return Ok(value.to_string());
    }
    let caps = SPEC
        .captures(spec)
        .ok_or_else(|| format!("format spec `{spec}` is not supported for text"))?;
    let mut text: String = match caps.name("precision") {
        Some(p) => value
            .chars()
            .take(p.as_str().parse().unwrap_or(usize::MAX))
            .collect(),
        None => value.to_string(),
    };
    let width: usize = caps
        .name("width")
        .and_then(|w| w.as_str().parse().ok())
        .unwrap_or(0);
    let len = text.chars().count();
    if width > len {
        let fill = caps
            .name("fill")
            .and_then(|f| f.as_str().chars().next())
            .unwrap_or(' ');
        let pad = width - len;
        let (left, right) = match caps.name("align").map(|a| a.as_str()) {
            Some(">") => (pad, 0),
            Some("^") => (pad / 2, pad - pad / 2),
            _ => (0, pad),
        };
        text = format!(
            "{}{text}{}",
            fill.to_string().repeat(left),
            fill.to_string().repeat(right)
        );
    }
    Ok(text)
}

/// Python's `textwrap.fill(text, width, subsequent_indent=…, break_long_words=False,
/// break_on_hyphens=False)` with the other options at their defaults (tabs expanded to 8,
/// whitespace replaced, whitespace dropped at line ends). Widths count code points.
pub(crate) fn fill(text: &str, width: usize, subsequent_indent: &str) -> String {
    wrap(text, width, subsequent_indent).join("\n")
}

/// Python's `textwrap.wrap` with the options of [`fill`].
pub(crate) fn wrap(text: &str, width: usize, subsequent_indent: &str) -> Vec<String> {
    const WS: [char; 6] = ['\t', '\n', '\x0b', '\x0c', '\r', ' '];
    // _munge_whitespace: expandtabs(8), then each ASCII whitespace becomes a space.
    let mut munged = String::with_capacity(text.len());
    let mut column = 0usize;
    for c in text.chars() {
        match c {
            '\t' => {
                let spaces = 8 - column % 8;
                munged.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            '\n' | '\r' => {
                munged.push(' ');
                column = 0;
            }
            c if WS.contains(&c) => {
                munged.push(' ');
                column += 1;
            }
            c => {
                munged.push(c);
                column += 1;
            }
        }
    }
    // _split with break_on_hyphens=False: runs of spaces and runs of everything else.
    let mut chunks: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut in_space = None;
    for (i, c) in munged.char_indices() {
        let space = c == ' ';
        if in_space.is_some_and(|s| s != space) {
            chunks.push(&munged[start..i]);
            start = i;
        }
        in_space = Some(space);
    }
    if start < munged.len() {
        chunks.push(&munged[start..]);
    }

    let len = |s: &str| s.chars().count() as isize;
    let blank = |s: &str| s.chars().all(py_isspace);
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let mut cur_line: Vec<&str> = Vec::new();
        let mut cur_len: isize = 0;
        let indent = if lines.is_empty() {
            ""
        } else {
            subsequent_indent
        };
        let width = width as isize - len(indent);
        if !lines.is_empty() && chunks.last().is_some_and(|c| blank(c)) {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            let l = len(chunk);
            if cur_len + l <= width {
                cur_line.push(chunk);
                cur_len += l;
                chunks.pop();
            } else {
                break;
            }
        }
        if let Some(chunk) = chunks.last() {
            // _handle_long_word with break_long_words=False: a word longer than the
            // line goes alone on its own line.
            if len(chunk) > width && cur_line.is_empty() {
                cur_line.push(chunk);
                chunks.pop();
            }
        }
        if cur_line.last().is_some_and(|c| blank(c)) {
            cur_line.pop();
        }
        if !cur_line.is_empty() {
            lines.push(format!("{indent}{}", cur_line.concat()));
        }
    }
    lines
}

/// The changelog file for a version: git-release's `changelog` (else towncrier's
/// `filename`) under the project root, with `{version}`, `{name}`, `{project_date}`,
/// `{major}`, `{minor}` and `{patch}` filled in. Unlike towncrier, which formats
/// `filename` only with `single_file = false`, the name is always formatted, so that a
/// single file per series (`CHANGELOG/{major}.{minor}.md`) works.
pub fn changelog_path(config: &Config, version: &str, name: &str, date: &str) -> Result<PathBuf> {
    let template = config.changelog_template();
    if !template.contains('{') && !template.contains('}') {
        return Ok(config.root.join(template));
    }
    let (mut major, mut minor, mut patch) = (String::new(), String::new(), String::new());
    if ["{major", "{minor", "{patch"]
        .iter()
        .any(|p| template.contains(p))
    {
        let v = crate::version::Version::parse(version)?;
        (major, minor, patch) = (
            v.major().to_string(),
            v.minor().to_string(),
            v.patch().to_string(),
        );
    }
    let own = config.root.join(".git-release.toml");
    let (file_of_key, key) = match &config.release.changelog {
        Some(_) if own.is_file() => (own, "changelog"),
        Some(_) => (
            config.root.join("pyproject.toml"),
            "tool.git-release.changelog",
        ),
        None => (config_file(config), "tool.towncrier.filename"),
    };
    let file = py_format(
        template,
        &[
            ("name", name),
            ("version", version),
            ("project_date", date),
            ("major", &major),
            ("minor", &minor),
            ("patch", &patch),
        ],
    )
    .map_err(|m| Error::config(file_of_key, key, m))?;
    Ok(config.root.join(file))
}

/// towncrier's `append_to_newsfile` text: the section goes right after `start_string`
/// (the text before it right-stripped, then a blank line, the start string and a newline);
/// without a start string it goes on top; a new (or per-release) file gets the section
/// alone. `existing` is the changelog as it is now (`None` for a new file).
pub fn insert_section(existing: Option<&str>, start_string: &str, content: &str) -> String {
    let (header, prev_body) = match existing {
        None => (String::new(), String::new()),
        Some(text) => {
            let text = fragments::universal_newlines(text);
            match (!start_string.is_empty())
                .then(|| text.split_once(start_string))
                .flatten()
            {
                Some((before, after)) => (
                    format!("{}\n\n{start_string}\n", py_rstrip(before)),
                    py_lstrip(after).to_string(),
                ),
                None => (String::new(), py_lstrip(&text).to_string()),
            }
        }
    };
    if prev_body.is_empty() {
        format!("{header}{}\n", py_rstrip(content))
    } else {
        format!("{header}{content}{prev_body}")
    }
}

/// The first heading of `text` that is for exactly `version` (`## 26.3.0rc1 (…)`, an RST
/// title, or towncrier's `top_line` anywhere): its 1-based line number and text.
pub fn find_version_heading(
    text: &str,
    version: &str,
    top_line: Option<&str>,
) -> Option<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    if let Some(top) = top_line.filter(|t| !t.is_empty()) {
        if let Some(pos) = text.find(top) {
            let line = text[..pos].matches('\n').count();
            return Some((line + 1, lines.get(line).unwrap_or(&top).to_string()));
        }
    }
    let boundary =
        |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '.' || c == '_'));
    let mentions = |line: &str| {
        line.match_indices(version).any(|(i, _)| {
            let before = line[..i].chars().next_back();
            let after = line[i + version.len()..].chars().next();
            // `v26.3.0` counts; `126.3.0` and `26.3.0rc1` do not.
            (boundary(before)
                || (before == Some('v') && boundary(line[..i - 1].chars().next_back())))
                && boundary(after)
                && after != Some('-')
                && after != Some('+')
        })
    };
    let rst_underline = |line: &str| {
        let line = py_rstrip(line);
        let mut chars = line.chars();
        chars
            .next()
            .is_some_and(|first| "=-`:'\"~^_*+#<>".contains(first) && chars.all(|c| c == first))
    };
    for (i, line) in lines.iter().enumerate() {
        let markdown = line.starts_with('#')
            && line
                .trim_start_matches('#')
                .starts_with(char::is_whitespace);
        let rst =
            !py_strip(line).is_empty() && lines.get(i + 1).is_some_and(|next| rst_underline(next));
        if (markdown || rst) && mentions(line) {
            return Some((i + 1, line.to_string()));
        }
    }
    None
}

/// What [`build`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    pub changelog: PathBuf,
    /// Fragments removed (from git and the disk); empty with `keep`.
    pub removed: Vec<PathBuf>,
    /// Fragments left in place because of `keep`.
    pub kept: Vec<PathBuf>,
}

/// What a build would write, computed without touching anything.
#[derive(Debug, Clone)]
pub struct BuildPlan {
    /// The changelog file, absolute.
    pub changelog: PathBuf,
    /// Its new contents.
    pub text: String,
    /// The section alone (towncrier's `content`).
    pub section: String,
    /// The fragment files the section consumes.
    pub fragments: Vec<PathBuf>,
}

/// Render the section and the changelog with it inserted, as towncrier would write it.
/// Refuses when the changelog already has a heading for `version`, and when a Markdown
/// changelog is malformed (a duplicated final release heading, an entry outside any
/// category): both with the line number, nothing changed.
pub fn plan(
    config: &Config,
    fragments: &FragmentSet,
    version: &str,
    date: &str,
    name: Option<&str>,
) -> Result<BuildPlan> {
    let tc = &config.towncrier;
    let name = name.unwrap_or(&tc.name);
    let content = render_section(config, fragments, version, date, Some(name))?;
    let path = changelog_path(config, version, name, date)?;
    let existing = match std::fs::read(&path) {
        Ok(bytes) => Some(String::from_utf8(bytes).map_err(|_| {
            let e = std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not UTF-8 text; convert the file to UTF-8 first",
            );
            Error::io(&path, e)
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&path, e)),
    };
    if let Some(text) = &existing {
        let top = top_line(
            config,
            &VersionData {
                name,
                version,
                date,
            },
        )?;
        if let Some((line, heading)) = find_version_heading(text, version, top.as_deref()) {
            return Err(Error::Refused(format!(
                "{}:{line} already has a section for {version} (`{}`); nothing was changed. \
                 Remove that section first, or build another version.",
                path.display(),
                heading.trim()
            )));
        }
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        {
            crate::changelog::Changelog::parse_with(text, Some(&tc.start_string)).check(&path)?;
        }
    }
    let previous = if tc.single_file {
        existing.as_deref()
    } else {
        None
    };
    let text = insert_section(previous, &tc.start_string, &content);
    Ok(BuildPlan {
        changelog: path,
        text,
        section: content,
        fragments: fragments.fragments.iter().map(|f| f.path.clone()).collect(),
    })
}

/// The whole non-draft `build`: [`plan`], write the changelog atomically, `git add` it,
/// and `git rm` the consumed fragments (deleting the ones git does not track) unless
/// `keep`. Outside a git work tree towncrier writes and deletes without staging; so do we.
pub fn build(
    config: &Config,
    fragments: &FragmentSet,
    version: &str,
    date: &str,
    name: Option<&str>,
    keep: bool,
) -> Result<BuildReport> {
    let plan = plan(config, fragments, version, date, name)?;
    let repo = crate::git::Repo::discover(&config.root).ok();
    crate::atomic::write(&plan.changelog, plan.text.as_bytes())?;
    if let Some(repo) = &repo {
        repo.add(&[&plan.changelog])?;
    }
    if keep || plan.fragments.is_empty() {
        return Ok(BuildReport {
            changelog: plan.changelog,
            removed: Vec::new(),
            kept: plan.fragments,
        });
    }
    remove_fragments(repo.as_ref(), &plan.fragments)?;
    Ok(BuildReport {
        changelog: plan.changelog,
        removed: plan.fragments,
        kept: Vec::new(),
    })
}

/// Like towncrier: `git rm` the fragments git tracks, delete the others.
pub fn remove_fragments(repo: Option<&crate::git::Repo>, files: &[PathBuf]) -> Result<()> {
    let tracked: HashSet<PathBuf> = match repo {
        Some(repo) => repo
            .ls_files()?
            .into_iter()
            .map(|f| canonical(&repo.root().join(f)))
            .collect(),
        None => HashSet::new(),
    };
    let (in_git, untracked): (Vec<&PathBuf>, Vec<&PathBuf>) =
        files.iter().partition(|p| tracked.contains(&canonical(p)));
    if let (Some(repo), false) = (repo, in_git.is_empty()) {
        repo.rm(&in_git)?;
    }
    for p in untracked {
        std::fs::remove_file(p).map_err(|e| Error::io(p, e))?;
    }
    Ok(())
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The version to build when none is given: towncrier's `version` key, else the version
/// file (`VERSION` by default).
pub fn default_version(config: &Config) -> Result<String> {
    if let Some(v) = config
        .towncrier
        .version
        .as_ref()
        .filter(|v| !v.trim().is_empty())
    {
        return Ok(v.trim().to_string());
    }
    let file = config.root.join(&config.release.version_file);
    match std::fs::read_to_string(&file) {
        Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_string()),
        Ok(_) => Err(Error::Usage(format!(
            "{} is empty: give the version to build (`git release build 1.2.3`)",
            file.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::Usage(format!(
            "no version given, no `version` in [tool.towncrier] and no {}: give the version to build \
             (`git release build 1.2.3`)",
            file.display()
        ))),
        Err(e) => Err(Error::io(file, e)),
    }
}

/// The date to print when none is given, as towncrier computes it: `SOURCE_DATE_EPOCH`
/// when set, else now, as a local date (`YYYY-MM-DD`).
pub fn default_date() -> Result<String> {
    let timestamp = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => {
            let secs: i64 = s.trim().parse().map_err(|_| {
                Error::Usage(format!(
                    "SOURCE_DATE_EPOCH must be a number of seconds since 1970, not `{s}`"
                ))
            })?;
            jiff::Timestamp::from_second(secs).map_err(|e| {
                Error::Usage(format!("SOURCE_DATE_EPOCH `{s}` is out of range: {e}"))
            })?
        }
        Err(_) => jiff::Timestamp::now(),
    };
    Ok(timestamp
        .to_zoned(jiff::tz::TimeZone::system())
        .date()
        .strftime("%Y-%m-%d")
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str) -> String {
        render_template("t", src, Value::from(())).unwrap()
    }

    #[test]
    fn list_literals_become_mutable_lists() {
        let src = "{% set l = [] %}{% for i in [1, 2, 3,] %}{% set _ = l.append(i * 2) %}{% endfor %}{{ l|join(',') }}";
        assert_eq!(render(src), "2,4,6");
        // Nested literals, subscripts and `in` tests.
        assert_eq!(
            render("{% set l = [[1, 2], [3]] %}{{ l[0][1] }}{{ l[-1] }}{{ 3 in [1, 3] }}"),
            "2[3]True"
        );
        assert_eq!(
            render("{{ 'abc'[1] }}{{ [1,2,3][1:] }}{{ ([1] + [2])|length }}"),
            "b[2, 3]2"
        );
        assert_eq!(
            render(
                "{% set l = [1, 2, 3] %}{{ l.pop() }}{{ l.pop(0) }}{{ l }}{{ l.append(5) }}{{ l.index(5) }}"
            ),
            "31[2]None1"
        );
        assert_eq!(
            render(
                "{% set l = ['a'] %}{% set _ = l.extend(['b', 'c']) %}{% set _ = l.insert(0, 'z') %}{% set _ = l.remove('a') %}{{ l }}{{ l.count('b') }}"
            ),
            "['z', 'b', 'c']1"
        );
        assert_eq!(
            render("{% set d = {'k': [1]} %}{% set _ = d.k.append(2) %}{{ d.k }}"),
            "[1, 2]"
        );
    }

    #[test]
    fn rewrite_leaves_subscripts_and_strings() {
        let src = "{{ a[0] }}{{ f()[1] }}{{ '[x]' }}[data]{% if x in [1] %}{% endif %}";
        assert_eq!(
            rewrite_list_literals(src),
            "{{ a[0] }}{{ f()[1] }}{{ '[x]' }}[data]{% if x in __git_release_list(1) %}{% endif %}"
        );
        assert_eq!(
            rewrite_list_literals("{{ [1, [2,],] }}"),
            "{{ __git_release_list(1, __git_release_list(2)) }}"
        );
        assert!(matches!(
            rewrite_list_literals("no lists"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn python_printing() {
        assert_eq!(
            render("{{ true }} {{ none }} {{ undefined_thing }} {{ {'a': [1, 'x']} }}"),
            "True None  {'a': [1, 'x']}"
        );
        assert_eq!(py_repr_str("it's"), "\"it's\"");
        // repr() of floats, as CPython prints them.
        for (f, py) in [
            (3.0, "3.0"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-1.5e-7, "-1.5e-07"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "-0.0"),
            (123456789.125, "123456789.125"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(py_float_repr(f), py, "{f}");
        }
        assert_eq!(
            render("{{ 1e20 }} {{ [0.5] }} {{ 7 / 2 }}"),
            "1e+20 [0.5] 3.5"
        );
        assert_eq!(py_repr_str("a\\b'\""), "'a\\\\b\\'\"'");
    }

    #[test]
    fn template_errors_name_the_file() {
        let err = render_template("changes/template.md", "{% if %}", Value::from(()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("changes/template.md") && err.contains("line 1"),
            "{err}"
        );
        let err = render_template("t.md", "{{ [1].nope() }}", Value::from(()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.md") && !err.contains(LIST_FN), "{err}");
    }

    #[test]
    fn python_format() {
        assert_eq!(
            py_format("[#{issue}](u/{issue}) {{x}}", &[("issue", "12")]).unwrap(),
            "[#12](u/12) {x}"
        );
        assert_eq!(
            py_format(
                "{issue:>4}|{issue:*<4}|{issue:^5}|{issue:.1}",
                &[("issue", "12")]
            )
            .unwrap(),
            "  12|12**| 12  |1"
        );
        assert!(
            py_format("{nope}", &[("issue", "1")])
                .unwrap_err()
                .contains("{issue}")
        );
        assert!(py_format("a}b", &[]).is_err());
        assert!(py_format("{issue", &[("issue", "1")]).is_err());
    }

    /// Expected values printed by CPython 3.11's `textwrap.fill(text, width,
    /// subsequent_indent=…, break_long_words=False, break_on_hyphens=False)`.
    #[test]
    fn textwrap_matches_python() {
        let cases: &[(&str, usize, &str, &str)] = &[
            (
                "The quick brown fox jumps over the lazy dog",
                10,
                "",
                "The quick\nbrown fox\njumps over\nthe lazy\ndog",
            ),
            (
                "- a bullet that is long enough to wrap around",
                20,
                "  ",
                "- a bullet that is\n  long enough to\n  wrap around",
            ),
            (
                "  leading spaces stay on the first line",
                15,
                "  ",
                "  leading\n  spaces stay\n  on the first\n  line",
            ),
            (
                "averyveryverylongword short",
                5,
                "  ",
                "averyveryverylongword\n  short",
            ),
            (
                "tab\there and  two  spaces",
                12,
                "",
                "tab     here\nand  two\nspaces",
            ),
            ("   ", 10, "", ""),
            ("", 10, "", ""),
            (
                "well-hyphenated-words-stay-whole here",
                10,
                "",
                "well-hyphenated-words-stay-whole\nhere",
            ),
            ("a b", 1, "  ", "a\n  b"),
            (
                "ünïcödé wörds cöunt as chars",
                13,
                "",
                "ünïcödé wörds\ncöunt as\nchars",
            ),
            ("x\u{a0}y z", 3, "", "x\u{a0}y\nz"),
            ("a  \u{a0}  b c", 4, "", "a  \nb c"),
            ("word\x1cx y\u{2028}z", 5, "", "word\x1cx\ny\u{2028}z"),
            (
                "   indented first line goes on",
                8,
                "  ",
                "indented\n  first\n  line\n  goes\n  on",
            ),
            ("xxxxxxxxxx y", 3, "    ", "xxxxxxxxxx\n    y"),
        ];
        for (text, width, indent, expected) in cases {
            assert_eq!(fill(text, *width, indent), *expected, "{text:?} at {width}");
        }
    }

    #[test]
    fn trailing_code_block() {
        assert_eq!(
            append_newlines_if_trailing_code_block("Use::\n\n    code"),
            "Use::\n\n    code\n\n "
        );
        assert_eq!(
            append_newlines_if_trailing_code_block("Use::\n\n    a\n\n    b"),
            "Use::\n\n    a\n\n    b\n\n "
        );
        assert_eq!(
            append_newlines_if_trailing_code_block("Use:\n\n    code"),
            "Use:\n\n    code"
        );
        assert_eq!(
            append_newlines_if_trailing_code_block("Use::\n\n    code\nafter"),
            "Use::\n\n    code\nafter"
        );
    }

    #[test]
    fn insert_section_like_towncrier() {
        let start = "<!-- start -->\n";
        assert_eq!(
            insert_section(None, start, "## 1.0\n\n- a\n\n"),
            "## 1.0\n\n- a\n"
        );
        assert_eq!(
            insert_section(
                Some("# Title  \n\n\n<!-- start -->\n\n\n## 0.9\n"),
                start,
                "## 1.0\n\n- a\n\n"
            ),
            "# Title\n\n<!-- start -->\n\n## 1.0\n\n- a\n\n## 0.9\n"
        );
        assert_eq!(
            insert_section(Some("\n## 0.9\n"), start, "## 1.0\n"),
            "## 1.0\n## 0.9\n"
        );
        assert_eq!(
            insert_section(Some("# T\n<!-- start -->\n"), start, "## 1.0\n\n"),
            "# T\n\n<!-- start -->\n\n## 1.0\n"
        );
        assert_eq!(
            insert_section(Some("a\r\n<!-- start -->\r\nold\r\n"), start, "new\n"),
            "a\n\n<!-- start -->\n\nnew\nold\n"
        );
    }

    #[test]
    fn version_headings() {
        let md = "# Changes\n\n## 26.3.0rc1 (2026-03-11)\n\n- x mentions 26.3.0\n\n## v26.2.0\n";
        assert_eq!(
            find_version_heading(md, "26.3.0rc1", None),
            Some((3, "## 26.3.0rc1 (2026-03-11)".into()))
        );
        assert_eq!(find_version_heading(md, "26.3.0", None), None);
        assert_eq!(
            find_version_heading(md, "26.2.0", None).map(|h| h.0),
            Some(7)
        );
        assert_eq!(find_version_heading(md, "6.2.0", None), None);
        let rst = "Proj 1.0 (2020-01-01)\n=====================\n\nFeatures\n--------\n";
        assert_eq!(find_version_heading(rst, "1.0", None).map(|h| h.0), Some(1));
        assert_eq!(find_version_heading("text 1.0\n", "1.0", None), None);
        assert_eq!(
            find_version_heading("a\nRelease one\n", "1.0", Some("Release one")).map(|h| h.0),
            Some(2)
        );
    }

    #[test]
    fn issues_render_like_python() {
        assert_eq!(render_issue(None, "12").unwrap(), "#12");
        assert_eq!(render_issue(None, "gh-12").unwrap(), "gh-12");
        assert_eq!(render_issue(None, "1_000").unwrap(), "#1_000");
        assert_eq!(render_issue(Some("`{issue}`_"), "x").unwrap(), "`x`_");
    }
}
