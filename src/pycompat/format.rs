//! Python's `str.format` with keyword arguments, as towncrier formats `issue_format`,
//! `title_format` and file names.

use super::repr::py_repr_str;

/// Python's `str.format` with keyword arguments only (what towncrier uses for
/// `issue_format`, `title_format` and file names): `{name}`, `{name!s}`, `{name!r}`,
/// `{name:spec}` with string specs (fill, align, width, precision), `{{` and `}}`.
pub fn py_format(format: &str, args: &[(&str, &str)]) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(format.len() + 16);
    // Literal runs are copied whole: `issue_format` is formatted for every issue of a
    // release, and its URL is mostly literal text.
    let mut rest = format;
    // Braces are ASCII: a byte search finds them (a `char` pattern decodes every character).
    while let Some(i) = rest.bytes().position(|b| b == b'{' || b == b'}') {
        out.push_str(&rest[..i]);
        let brace = &rest[i..];
        if brace.starts_with("{{") || brace.starts_with("}}") {
            out.push_str(&brace[..1]);
            rest = &brace[2..];
            continue;
        }
        if brace.starts_with('}') {
            return Err(format!(
                "`{format}` has a single `}}`; write `}}}}` for a literal brace"
            ));
        }
        let Some(close) = brace.find('}') else {
            return Err(format!("`{format}` has a `{{` without its `}}`"));
        };
        let field = &brace[1..close];
        rest = &brace[close + 1..];
        let (head, spec) = field.split_once(':').unwrap_or((field, ""));
        let (key, conversion) = head.split_once('!').unwrap_or((head, ""));
        let Some((_, value)) = args.iter().find(|(k, _)| *k == key) else {
            let known: Vec<String> = args.iter().map(|(k, _)| format!("{{{k}}}")).collect();
            return Err(format!(
                "`{format}` uses `{{{key}}}`; the placeholders available are {}",
                known.join(", ")
            ));
        };
        match (conversion, spec) {
            ("" | "s", "") => out.push_str(value),
            ("" | "s", _) => out
                .push_str(&apply_string_spec(value, spec).map_err(|m| format!("`{format}`: {m}"))?),
            ("r", _) => out.push_str(
                &apply_string_spec(&py_repr_str(value), spec)
                    .map_err(|m| format!("`{format}`: {m}"))?,
            ),
            (other, _) => return Err(format!("`{format}`: unknown conversion `!{other}`")),
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Python's format spec for strings: `[[fill]align][width][.precision][s]`.
fn apply_string_spec(value: &str, spec: &str) -> std::result::Result<String, String> {
    if spec.is_empty() {
        return Ok(value.to_string());
    }
    let spec_re = static_regex!(
        r"^(?:(?P<fill>.)?(?P<align>[<>^]))?(?P<width>\d+)?(?:\.(?P<precision>\d+))?s?$"
    );
    let caps = spec_re
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
    // A template's width is checked by `jinja_builtins::width`; a configured format's here,
    // with the same limit: an allocation that large would abort the process.
    let limit = super::jinja_builtins::width::MAX_WIDTH;
    if i64::try_from(width).map_or(true, |w| w > limit) {
        return Err(format!(
            "a width of {width} is over the limit of {limit} characters"
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
