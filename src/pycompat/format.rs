//! Python's `str.format`: with keyword arguments, as towncrier formats `issue_format`,
//! `title_format` and file names; and on template values, as templates call it.

use minijinja::{State, Value};

use super::jinja_builtins::fail;
use super::repr::{py_repr, py_repr_str, py_str};

type R<T> = std::result::Result<T, minijinja::Error>;

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

/// Python's format spec mini-language: `[[fill]align][sign][z][#][0][width][grouping]
/// [.precision][type]`.
fn spec_captures(spec: &str) -> Option<regex::Captures<'_>> {
    static_regex!(
        r"^(?s:(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[+\- ])?(?P<z>z)?(?P<alt>#)?(?P<zero>0)?(?P<width>\d+)?(?P<group>[,_])?(?:\.(?P<precision>\d+))?(?P<type>[bcdeEfFgGnosxX%])?)$"
    )
    .captures(spec)
}

/// Python's format spec for strings: `[[fill]align][0][width][.precision][s]` (a `0`
/// before the width fills with `0` where no fill is given); the rest refused as Python
/// refuses it.
fn apply_string_spec(value: &str, spec: &str) -> std::result::Result<String, String> {
    if spec.is_empty() {
        return Ok(value.to_string());
    }
    let caps = spec_captures(spec)
        .ok_or_else(|| format!("format spec `{spec}` is not supported for text"))?;
    let refused = if let Some(t) = caps.name("type").filter(|t| t.as_str() != "s") {
        Some(format!(
            "Unknown format code '{}' for object of type 'str'",
            t.as_str()
        ))
    } else if caps.name("sign").is_some() {
        Some("Sign not allowed in string format specifier".to_string())
    } else if caps.name("alt").is_some() {
        Some("Alternate form (#) not allowed in string format specifier".to_string())
    } else if caps.name("z").is_some() {
        Some("Negative zero coercion (z) not allowed in string format specifier".to_string())
    } else if let Some(g) = caps.name("group") {
        Some(format!("Cannot specify '{}' with 's'.", g.as_str()))
    } else if caps.name("align").is_some_and(|a| a.as_str() == "=") {
        Some("'=' alignment not allowed in string format specifier".to_string())
    } else {
        None
    };
    if let Some(message) = refused {
        return Err(format!(
            "format spec `{spec}`: Python raises ValueError ({message})"
        ));
    }
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
            .unwrap_or(if caps.name("zero").is_some() {
                '0'
            } else {
                ' '
            });
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

// ---------------------------------------------------------------------------------------
// `str.format` in templates.

/// Python's `str.format(*args, **kwargs)` on a template value: the fields parsed as
/// CPython's `MarkupIterator` parses them (`{{`/`}}`, automatic or explicit numbering,
/// keywords, `[key]` lookups, the `!r`/`!s`/`!a` conversions, fields nested in the spec);
/// each value formatted by its spec as minijinja-contrib's `format` does, the spec-less
/// ones as Python's `str()`.
pub(crate) fn py_str_format(state: &mut State<'_, '_>, format: &str, args: &[Value]) -> R<Value> {
    str_format(state, format, args, false).map(Value::from)
}

/// markupsafe's `Markup.format`: each field formatted as `str.format` does, then escaped;
/// a `Markup` given is written as it is (and takes no format spec). The result is Markup.
pub(crate) fn markup_format(state: &mut State<'_, '_>, format: &str, args: &[Value]) -> R<Value> {
    str_format(state, format, args, true).map(Value::from_safe_string)
}

fn str_format(state: &mut State<'_, '_>, format: &str, args: &[Value], escape: bool) -> R<String> {
    let (positional, keywords) = match args.split_last() {
        Some((last, rest)) if last.is_kwargs() => (rest, Some(last)),
        _ => (args, None),
    };
    let mut next_auto: Option<usize> = Some(0);
    let mut manual = false;
    format_fields(
        state,
        format,
        positional,
        keywords,
        &mut next_auto,
        &mut manual,
        (2, escape),
    )
}

fn format_fields(
    state: &mut State<'_, '_>,
    format: &str,
    positional: &[Value],
    keywords: Option<&Value>,
    next_auto: &mut Option<usize>,
    manual: &mut bool,
    (depth, escape): (u32, bool),
) -> R<String> {
    let value_error = |m: &str| fail(format!("str.format: {m}"));
    if depth == 0 {
        return Err(value_error("Max string recursion exceeded"));
    }
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::with_capacity(format.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' if chars.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '}' => return Err(value_error("Single '}' encountered in format string")),
            '{' => {
                // The field runs to the brace that balances this one.
                let mut level = 1;
                let mut j = i + 1;
                while j < chars.len() {
                    match chars[j] {
                        '{' => level += 1,
                        '}' => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(value_error(if level > 1 {
                        "expected '}' before end of string"
                    } else {
                        "Single '{' encountered in format string"
                    }));
                }
                let field: String = chars[i + 1..j].iter().collect();
                i = j + 1;
                out.push_str(&format_field(
                    state,
                    &field,
                    positional,
                    keywords,
                    next_auto,
                    manual,
                    (depth, escape),
                )?);
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn format_field(
    state: &mut State<'_, '_>,
    field: &str,
    positional: &[Value],
    keywords: Option<&Value>,
    next_auto: &mut Option<usize>,
    manual: &mut bool,
    (depth, escape): (u32, bool),
) -> R<String> {
    let value_error = |m: &str| fail(format!("str.format: {m}"));
    // The name ends at the first `!` or `:` outside a `[...]`.
    let mut end = field.len();
    let mut in_bracket = false;
    for (k, c) in field.char_indices() {
        match c {
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            '{' if !in_bracket => return Err(value_error("unexpected '{' in field name")),
            '!' | ':' if !in_bracket => {
                end = k;
                break;
            }
            _ => {}
        }
    }
    let name = &field[..end];
    let rest = &field[end..];
    let (conversion, spec) = match rest.strip_prefix('!') {
        Some(r) => {
            let mut it = r.chars();
            let conversion = it.next().ok_or_else(|| {
                value_error("end of string while looking for conversion specifier")
            })?;
            let after = it.as_str();
            let spec = match after.strip_prefix(':') {
                Some(spec) => spec,
                None if after.is_empty() => "",
                None => return Err(value_error("expected ':' after conversion specifier")),
            };
            (Some(conversion), spec)
        }
        None => (None, rest.strip_prefix(':').unwrap_or("")),
    };
    // The first part: a number, a keyword, or nothing (the next automatic number).
    let first_end = name.find(['.', '[']).unwrap_or(name.len());
    let (first, mut lookups) = name.split_at(first_end);
    let mut value = if first.is_empty() {
        if *manual {
            return Err(value_error(
                "cannot switch from manual field specification to automatic field numbering",
            ));
        }
        let n = next_auto.ok_or_else(|| value_error("too many fields"))?;
        *next_auto = Some(n + 1);
        positional.get(n).cloned().ok_or_else(|| {
            fail(format!(
                "str.format: Replacement index {n} out of range for positional args tuple"
            ))
        })?
    } else if let Ok(n) = first.parse::<usize>() {
        if next_auto.is_some_and(|a| a > 0) {
            return Err(value_error(
                "cannot switch from automatic field numbering to manual field specification",
            ));
        }
        *manual = true;
        *next_auto = None;
        positional.get(n).cloned().ok_or_else(|| {
            fail(format!(
                "str.format: Replacement index {n} out of range for positional args tuple"
            ))
        })?
    } else {
        keywords
            .and_then(|k| k.get_item(&Value::from(first)).ok())
            .filter(|v| !v.is_undefined())
            .ok_or_else(|| fail(format!("str.format: KeyError {}", py_repr_str(first))))?
    };
    while !lookups.is_empty() {
        if let Some(r) = lookups.strip_prefix('[') {
            let close = r
                .find(']')
                .ok_or_else(|| value_error("Missing ']' in format string"))?;
            let key = &r[..close];
            let key = match key.parse::<i64>() {
                Ok(n) if key.bytes().all(|b| b.is_ascii_digit()) => Value::from(n),
                _ => Value::from(key),
            };
            value = value
                .get_item(&key)
                .ok()
                .filter(|v| !v.is_undefined())
                .ok_or_else(|| {
                    fail(format!(
                        "str.format: no item {} in {}",
                        py_repr(&key),
                        py_repr(&value)
                    ))
                })?;
            lookups = &r[close + 1..];
        } else {
            return Err(fail(format!(
                "str.format: the attribute lookup in `{{{name}}}` is not supported by \
                 git-release (Python's getattr on the value)"
            )));
        }
    }
    let value = match conversion {
        None => value,
        Some('s') => Value::from(py_str(&value)),
        Some('r') => Value::from(py_repr(&value)),
        Some('a') => Value::from(py_ascii(&py_repr(&value))),
        Some(c) => {
            return Err(fail(format!(
                "str.format: Unknown conversion specifier {c}"
            )));
        }
    };
    // Fields nested in the spec are formatted first, one level deep.
    let spec = if spec.contains(['{', '}']) {
        format_fields(
            state,
            spec,
            positional,
            keywords,
            next_auto,
            manual,
            (depth - 1, escape),
        )?
    } else {
        spec.to_string()
    };
    if escape {
        // markupsafe's `EscapeFormatter.format_field`.
        if value.is_safe() {
            if !spec.is_empty() {
                return Err(fail(format!(
                    "str.format: Python raises ValueError (Unsupported format specification \
                     for Markup.): `{spec}` on a Markup"
                )));
            }
            return Ok(py_str(&value));
        }
        let text = format_value(state, value, &spec)?;
        return Ok(super::jinja_builtins::html_escape(&text));
    }
    format_value(state, value, &spec)
}

/// One field's value (after its conversion) formatted by its spec.
fn format_value(state: &mut State<'_, '_>, value: Value, spec: &str) -> R<String> {
    let spec = spec.to_string();
    if spec.is_empty() {
        return Ok(py_str(&value));
    }
    // Text by Python's rules, its width in characters (minijinja-contrib's counts bytes).
    if let Some(text) = value.as_str() {
        return apply_string_spec(text, &spec).map_err(|m| fail(format!("str.format: {m}")));
    }
    if let Some(out) = number_spec(state, &value, &spec) {
        return out;
    }
    spec_format(state, &spec, value)
}

/// One value formatted by `spec`: the `%` type here, the others by minijinja-contrib.
fn spec_format(state: &mut State<'_, '_>, spec: &str, value: Value) -> R<String> {
    if spec.ends_with('%') {
        return percent_spec(state, &value, spec);
    }
    contrib_format(state, spec, value)
}

/// A number formatted by a spec with what minijinja-contrib's lacks: the `=` alignment
/// (the padding after the sign and the `0x` of `#`), `z` (a negative zero after rounding
/// written as zero) and the `n` type (`d` for an int, `g` for a float: towncrier never sets
/// a locale). `None` for any other spec. A bool takes a spec as the int it is.
fn number_spec(state: &mut State<'_, '_>, value: &Value, spec: &str) -> Option<R<String>> {
    use minijinja::value::ValueKind as K;
    let caps = spec_captures(spec)?;
    let text = |name: &str| caps.name(name).map_or("", |m| m.as_str());
    let align = text("align");
    let z = caps.name("z").is_some();
    if align != "=" && !z && text("type") != "n" {
        return None;
    }
    let mut value = match value.kind() {
        K::Bool => Value::from(i64::from(value.is_true())),
        K::Number => value.clone(),
        _ => return None,
    };
    let is_int = value.is_integer();
    let ty = match text("type") {
        "n" if !text("group").is_empty() => {
            return Some(Err(fail(format!(
                "str.format: Python raises ValueError (Cannot specify '{}' with 'n'.)",
                text("group")
            ))));
        }
        "n" if is_int => "d",
        "n" => "g",
        other => other,
    };
    let precision = caps
        .name("precision")
        .map_or(String::new(), |p| format!(".{}", p.as_str()));
    let float_type =
        matches!(ty, "e" | "E" | "f" | "F" | "g" | "G" | "%") || (ty.is_empty() && !is_int);
    if z {
        if !float_type {
            return Some(Err(fail(
                "str.format: Python raises ValueError (Negative zero coercion (z) not allowed \
                 in integer format specifier)",
            )));
        }
        // A negative number that rounds to zero is formatted as the zero it rounds to.
        if let Ok(f) = f64::try_from(value.clone())
            && f.is_sign_negative()
            && f.is_finite()
        {
            let probe = match spec_format(state, &format!("{precision}{ty}"), Value::from(f)) {
                Ok(p) => p,
                Err(e) => return Some(Err(e)),
            };
            let mantissa = probe.split(['e', 'E']).next().unwrap_or_default();
            if !mantissa.contains(|c: char| ('1'..='9').contains(&c)) {
                value = Value::from(-f);
            }
        }
    }
    let (sign, alt, group) = (text("sign"), text("alt"), text("group"));
    let fill = caps
        .name("fill")
        .map(|f| f.as_str())
        .or(caps.name("zero").map(|_| "0"));
    let width = text("width");
    // `=` with `0` is the `0` flag (which groups the zeros too); `%` pads by itself.
    if align != "=" || fill == Some("0") || ty == "%" {
        let (fill_align, zero) = match (align, fill) {
            ("=", Some("0")) => (String::new(), "0"),
            ("", _) => (String::new(), text("zero")),
            (align, fill) => (format!("{}{align}", fill.unwrap_or_default()), ""),
        };
        let spec = format!("{fill_align}{sign}{alt}{zero}{width}{group}{precision}{ty}");
        return Some(spec_format(state, &spec, value));
    }
    let core = match spec_format(state, &format!("{sign}{alt}{group}{precision}{ty}"), value) {
        Ok(c) => c,
        Err(e) => return Some(Err(e)),
    };
    let width: usize = width.parse().unwrap_or(0);
    if let Err(e) = super::jinja_builtins::width::checked(width as i64, "str.format") {
        return Some(Err(e));
    }
    let len = core.chars().count();
    if width <= len {
        return Some(Ok(core));
    }
    let mut head = usize::from(core.starts_with(['+', '-', ' ']));
    if !alt.is_empty() && matches!(ty, "b" | "o" | "x" | "X") {
        head += 2;
    }
    let head = head.min(core.len());
    Some(Ok(format!(
        "{}{}{}",
        &core[..head],
        fill.unwrap_or(" ").repeat(width - len),
        &core[head..]
    )))
}

/// One value formatted by `spec` as minijinja-contrib's `str.format` does.
fn contrib_format(state: &mut State<'_, '_>, spec: &str, value: Value) -> R<String> {
    let one = Value::from(format!("{{:{spec}}}"));
    let formatted =
        minijinja_contrib::pycompat::unknown_method_callback(state, &one, "format", &[value])?;
    Ok(py_str(&formatted))
}

/// The `%` presentation type, which minijinja-contrib lacks: the number times 100 in fixed
/// notation (6 digits unless a precision is given) and a `%`, then padded to the width as a
/// number is (right by default, after the sign for `=` or a leading `0`).
fn percent_spec(state: &mut State<'_, '_>, value: &Value, spec: &str) -> R<String> {
    use minijinja::value::ValueKind as K;
    let spec_re = static_regex!(
        r"^(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<rest>[+\- ]?#?)(?P<zero>0)?(?P<width>\d+)?(?P<group>[,_]?)(?:\.(?P<precision>\d+))?%$"
    );
    let caps = spec_re.captures(spec).ok_or_else(|| {
        fail(format!(
            "str.format: the format spec `{spec}` is not supported by git-release"
        ))
    })?;
    let number = match value.kind() {
        K::Bool => f64::from(u8::from(value.is_true())),
        K::Number => f64::try_from(value.clone())?,
        _ => {
            return Err(fail(format!(
                "str.format: Unknown format code '%' for object of type '{}'",
                super::repr::py_type_name(value)
            )));
        }
    };
    let precision = caps.name("precision").map_or("6", |p| p.as_str());
    let inner = format!(
        "{}{}.{precision}f",
        &caps["rest"],
        caps.name("group").map_or("", |g| g.as_str())
    );
    let body = contrib_format(state, &inner, Value::from(number * 100.0))? + "%";
    let width: usize = caps
        .name("width")
        .and_then(|w| w.as_str().parse().ok())
        .unwrap_or(0);
    super::jinja_builtins::width::checked(width as i64, "str.format")?;
    let len = body.chars().count();
    if width <= len {
        return Ok(body);
    }
    let zero = caps.name("zero").is_some() && caps.name("align").is_none();
    let fill = match caps.name("fill") {
        Some(f) => f.as_str(),
        None if zero => "0",
        None => " ",
    };
    let pad = width - len;
    Ok(match caps.name("align").map(|a| a.as_str()) {
        Some("<") => format!("{body}{}", fill.repeat(pad)),
        Some("^") => format!(
            "{}{body}{}",
            fill.repeat(pad / 2),
            fill.repeat(pad - pad / 2)
        ),
        Some("=") | None if zero || caps.name("align").is_some() => {
            let sign_len = usize::from(body.starts_with(['+', '-', ' ']));
            format!(
                "{}{}{}",
                &body[..sign_len],
                fill.repeat(pad),
                &body[sign_len..]
            )
        }
        _ => format!("{}{body}", fill.repeat(pad)),
    })
}

/// Python's `ascii()` of a `repr`: what is not ASCII as `\x`, `\u` or `\U` escapes.
fn py_ascii(repr: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(repr.len());
    for c in repr.chars() {
        let _ = match c as u32 {
            0..0x80 => {
                out.push(c);
                Ok(())
            }
            n @ 0x80..0x100 => write!(out, "\\x{n:02x}"),
            n @ 0x100..0x10000 => write!(out, "\\u{n:04x}"),
            n => write!(out, "\\U{n:08x}"),
        };
    }
    out
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
