//! The section towncrier renders for a set of fragments: `render_fragments` and the
//! title logic of `build.py`.

use std::collections::HashMap;

use minijinja::Value;

use crate::config::{Config, TitleFormat, Wrap};
use crate::error::Result;
use crate::fragments::{self, FragmentSet};
use crate::pycompat::format::py_format;
use crate::pycompat::jinja::render_template;
use crate::pycompat::strings::is_python_int;
use crate::pycompat::textwrap::fill;

use super::load_template;

/// The values `build.py` passes around: the project name, the version and the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionData<'a> {
    pub(crate) name: &'a str,
    pub(crate) version: &'a str,
    pub(crate) date: &'a str,
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
            TitleFormat::Format(f) => static_regex!(r"(?m)^(#+)\s")
                .captures(f)
                .map_or(0, |c| c[1].len()),
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
pub(crate) fn top_line(config: &Config, data: &VersionData) -> Result<Option<String>> {
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
        .map_err(|m| config.towncrier_source.error("title_format", m)),
        _ => Ok(None),
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
    let split = fragments::split(config, set);

    // Each issue is rendered once (it shows in its entry and in `issues_by_category`); the
    // template gets the same string value for both.
    let mut rendered_issues: HashMap<&str, Value, foldhash::fast::FixedState> = HashMap::default();
    let simple_format = tc.issue_format.as_deref().and_then(only_issue_placeholders);
    let mut render = |issue| {
        render_issue_once(
            config,
            simple_format.as_deref(),
            &mut rendered_issues,
            issue,
        )
    };
    let mut sections = Vec::with_capacity(split.len());
    let mut issues_by_category = Vec::with_capacity(split.len());
    for (section_name, categories) in &split {
        let mut data_section = Vec::with_capacity(categories.len());
        let mut issues_section = Vec::with_capacity(categories.len());
        for (category, texts) in categories {
            let mut category_issues: Vec<&str> =
                texts.values().flatten().map(String::as_str).collect();
            category_issues.sort_by_cached_key(|i| fragments::issue_key(i));
            category_issues.dedup();
            let mut rendered = Vec::with_capacity(texts.len());
            for entry in fragments::sorted_entries(texts, tc.all_bullets) {
                let issues = entry
                    .issues
                    .iter()
                    .map(|i| render(i))
                    .collect::<Result<Vec<_>>>()?;
                rendered.push((
                    Value::from(append_newlines_if_trailing_code_block(entry.text).as_ref()),
                    Value::from(issues),
                ));
            }
            data_section.push((category.as_str(), Value::from_pairs(rendered)));
            let issues = category_issues
                .into_iter()
                .map(&mut render)
                .collect::<Result<Vec<_>>>()?;
            issues_section.push((category.as_str(), Value::from(issues)));
        }
        sections.push((section_name.as_str(), Value::from_pairs(data_section)));
        issues_by_category.push((section_name.as_str(), Value::from_pairs(issues_section)));
    }

    let all_bullets = tc.all_bullets;
    let sections = Value::from_pairs(sections);
    let issues_by_category = Value::from_pairs(issues_by_category);
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
        (
            "underlines",
            underlines(&tc.underlines, tc.underlines_string),
        ),
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

/// [`render_issue`] as a template value, rendered at most once per issue.
/// `simple_format` is [`only_issue_placeholders`] of the project's `issue_format`.
fn render_issue_once<'a>(
    config: &Config,
    simple_format: Option<&[&str]>,
    rendered: &mut HashMap<&'a str, Value, foldhash::fast::FixedState>,
    issue: &'a str,
) -> Result<Value> {
    if let Some(v) = rendered.get(issue) {
        return Ok(v.clone());
    }
    let text = match simple_format {
        Some(pieces) => pieces.join(issue),
        None => render_issue(config.towncrier.issue_format.as_deref(), issue)
            .map_err(|m| config.towncrier_source.error("issue_format", m))?,
    };
    let v = Value::from(text);
    rendered.insert(issue, v.clone());
    Ok(v)
}

/// The literal pieces of an `issue_format` whose only placeholder is `{issue}` (no spec,
/// conversion or escaped brace): formatting it is joining them with the issue, exactly as
/// [`py_format`] would, without parsing the format for every issue.
fn only_issue_placeholders(format: &str) -> Option<Vec<&str>> {
    let pieces: Vec<&str> = format.split("{issue}").collect();
    pieces
        .iter()
        .all(|p| !p.contains(['{', '}']))
        .then_some(pieces)
}

/// `underlines[1:]` as towncrier passes it: a tuple when the project keeps towncrier's
/// default `("=", "-", "~")` (a Python tuple), a list when it configures its own. (An
/// explicitly configured `["=", "-", "~"]` is a list in towncrier and a tuple here; this
/// only shows in a template that prints `underlines` itself.) Configured as a string
/// (`as_string`), a string.
fn underlines(all: &[String], as_string: bool) -> Value {
    if as_string {
        return Value::from(all.iter().skip(1).map(String::as_str).collect::<String>());
    }
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

/// towncrier's `append_newlines_if_trailing_code_block`: a fragment ending in an indented
/// code block gets `"\n\n "` so that the issue link does not land inside the block.
/// An indented line of a code block.
const INDENTED: &str = r"  [ \t]+[^\n]*";

pub(crate) fn append_newlines_if_trailing_code_block(text: &str) -> std::borrow::Cow<'_, str> {
    // On bytes without Unicode classes: the same matches on UTF-8 text (no multi-byte
    // character holds a `\n` byte), at a fraction of the compile time. Compiled only when
    // a text holds `::\n\n` (`static_regex!` compiles where it is written: a binding
    // before the check compiled it for every build).
    let code = || {
        static_regex!(
            regex::bytes::Regex,
            format!(r"(?-u)::\n\n(({INDENTED})?\n)*{INDENTED}\n?\z")
        )
    };
    if text.contains("::\n\n") && code().is_match(text.as_bytes()) {
        format!("{text}\n\n ").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn issues_render_like_python() {
        assert_eq!(render_issue(None, "12").unwrap(), "#12");
        assert_eq!(render_issue(None, "gh-12").unwrap(), "gh-12");
        assert_eq!(render_issue(None, "1_000").unwrap(), "#1_000");
        assert_eq!(render_issue(Some("`{issue}`_"), "x").unwrap(), "`x`_");
    }

    #[test]
    fn simple_issue_formats_join_like_py_format() {
        let issues = ["12", "gh-3", "", "{issue}", "a}b"];
        for format in [
            "([#{issue}](https://example.com/{issue}))",
            "{issue}",
            "`#{issue} <https://example.com/{issue}>`_",
            "no placeholder",
            "",
        ] {
            let pieces = only_issue_placeholders(format).unwrap();
            for issue in issues {
                let via_format = py_format(format, &[("issue", issue)]).unwrap();
                assert_eq!(pieces.join(issue), via_format, "{format:?} {issue:?}");
            }
        }
        for format in [
            "{issue!r}",
            "{issue:>5}",
            "{{issue}}",
            "{issue}}}",
            "{other}",
            "{",
        ] {
            assert!(only_issue_placeholders(format).is_none(), "{format:?}");
        }
    }
}
