//! The text filters: escaping, `center`, `filesizeformat`, `indent`, `join`, `pprint`,
//! `striptags`, `tojson`, `truncate`, `urlencode`, `xmlattr`.

use minijinja::Value;
use minijinja::value::{Kwargs, Rest};

use super::*;

// ---------------------------------------------------------------------------------------
// Text.

/// markupsafe's `escape`: `& < > " '` as `&amp; &lt; &gt; &#34; &#39;`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `join(value, d='', attribute=None)`: `str(d).join(map(str, value))`, each item (or its
/// attribute) as Python's `str()` prints it — `True`, `None`, `1e+20` — where minijinja's own
/// filter writes `true`, `none` and every digit of a float.
pub(super) fn join(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let a = arguments(&args, &kwargs, &["d", "attribute"])?;
    let sep = a[0].as_ref().map_or_else(String::new, py_str);
    let attribute = &a[1];
    let parts: Vec<String> = items_of(&value)?
        .iter()
        .map(|item| match attribute {
            Some(a) => py_str(&super::numbers::getattr_path(item, a)),
            None => py_str(item),
        })
        .collect();
    Ok(Value::from(parts.join(&sep)))
}

pub(super) fn escape(value: Value) -> Value {
    if value.is_safe() {
        value
    } else {
        Value::from_safe_string(html_escape(&py_str(&value)))
    }
}

/// Python's `str.center(width)` (CPython puts the odd space on the left when `width` is odd).
pub fn py_center(s: &str, width: i64) -> String {
    let len = s.chars().count() as i64;
    if width <= len {
        return s.to_string();
    }
    let marg = width - len;
    let left = marg / 2 + (marg & width & 1);
    format!(
        "{}{s}{}",
        " ".repeat(left as usize),
        " ".repeat((marg - left) as usize)
    )
}

/// `filesizeformat(value, binary=False)`.
pub(super) fn filesizeformat(value: Value, binary: Option<bool>, kwargs: Kwargs) -> R<Value> {
    let binary = match binary {
        Some(b) => b,
        None => kwargs.get::<Option<bool>>("binary")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    let bytes = to_py_float(&value).ok_or_else(|| {
        fail(format!(
            "filesizeformat: {} is not a number",
            py_repr(&value)
        ))
    })?;
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    let prefixes = if binary {
        ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    } else {
        ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    };
    if bytes == 1.0 {
        return Ok(Value::from("1 Byte"));
    }
    if bytes < base {
        return Ok(Value::from(format!("{} Bytes", bytes.trunc() as i128)));
    }
    let mut unit = base;
    for (i, prefix) in prefixes.iter().enumerate() {
        unit = base.powi(i as i32 + 2);
        if bytes < unit || i == prefixes.len() - 1 {
            return Ok(Value::from(format!(
                "{} {prefix}",
                py_format_fixed(base * bytes / unit, 1)
            )));
        }
    }
    unreachable!("the loop returns on its last prefix ({unit})")
}

/// Python's `f"{x:.{precision}f}"` (Rust rounds halves the same way: both use the exact
/// binary value).
pub(super) fn py_format_fixed(x: f64, precision: usize) -> String {
    if x.is_nan() {
        // Rust writes `NaN`; Python `nan`.
        return "nan".into();
    }
    format!("{x:.precision$}")
}

/// `indent(s, width=4, first=False, blank=False)`; `width` may be a string.
pub(super) fn indent(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let width = match args.first() {
        Some(w) => Some(w.clone()),
        None => kwarg(&kwargs, "width")?,
    };
    let first = match args.get(1) {
        Some(v) => v.is_true(),
        None => kwargs.get::<Option<bool>>("first")?.unwrap_or(false),
    };
    let blank = match args.get(2) {
        Some(v) => v.is_true(),
        None => kwargs.get::<Option<bool>>("blank")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    let indention = match &width {
        None => "    ".to_string(),
        Some(w) if w.as_str().is_some() => w.as_str().unwrap_or_default().to_string(),
        Some(w) => {
            let n = w
                .as_i64()
                .ok_or_else(|| fail("indent: the width must be a number or a string"))?;
            " ".repeat(super::width::checked(n, "indent")?)
        }
    };
    let s = format!("{}\n", py_str(&value));
    let lines: Vec<&str> = py_splitlines_keepends(&s)
        .into_iter()
        .map(strip_line_end)
        .collect();
    let mut rv = if blank {
        lines.join(&format!("\n{indention}"))
    } else {
        let mut rv = lines[0].to_string();
        for line in &lines[1..] {
            rv.push('\n');
            if !line.is_empty() {
                rv.push_str(&indention);
            }
            rv.push_str(line);
        }
        rv
    };
    if first {
        rv.insert_str(0, &indention);
    }
    Ok(if value.is_safe() {
        Value::from_safe_string(rv)
    } else {
        Value::from(rv)
    })
}

pub(super) fn strip_line_end(line: &str) -> &str {
    let line = line.strip_suffix("\r\n").unwrap_or(line);
    match line.chars().last() {
        Some(
            '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}'
            | '\u{2029}',
        ) => &line[..line.len() - line.chars().last().map_or(0, char::len_utf8)],
        _ => line,
    }
}

/// `pprint`: `pprint.pformat`, which is `repr` with dict keys sorted while it fits in 80
/// columns; longer values (which pprint breaks over lines) are refused.
pub(super) fn pprint(value: Value) -> R<Value> {
    let text = sorted_repr(&value)?;
    // What cannot be printed is refused for what it is, when the text is printed.
    if text.chars().count() > 80 && crate::pycompat::repr::unprintable_in(&text).is_none() {
        return Err(fail(
            "the pprint filter is not supported on values longer than 80 characters",
        ));
    }
    Ok(Value::from(text))
}

pub(super) fn sorted_repr(value: &Value) -> R<String> {
    use minijinja::value::ValueKind as K;
    if value.as_object().is_some()
        && let Some(repr) = custom_repr(value)
    {
        return Ok(repr);
    }
    Ok(match value.kind() {
        K::Map => {
            let mut items: Vec<(Value, Value)> = Vec::new();
            for k in value.try_iter()? {
                let v = value.get_item(&k)?;
                items.push((k, v));
            }
            py_sort_by_key(&mut items, false)?;
            let parts: R<Vec<String>> = items
                .iter()
                .map(|(k, v)| Ok(format!("{}: {}", py_repr(k), sorted_repr(v)?)))
                .collect();
            format!("{{{}}}", parts?.join(", "))
        }
        K::Seq | K::Iterable => {
            let parts: R<Vec<String>> = value.try_iter()?.map(|v| sorted_repr(&v)).collect();
            let parts = parts?;
            match (value.is_tuple(), parts.len()) {
                (true, 1) => format!("({},)", parts[0]),
                (true, _) => format!("({})", parts.join(", ")),
                _ => format!("[{}]", parts.join(", ")),
            }
        }
        _ => py_repr(value),
    })
}

/// markupsafe's `Markup.striptags`: comments and tags removed, whitespace collapsed, then
/// HTML entities decoded (`html.unescape`; the named entities beyond the common ones are
/// refused rather than guessed).
pub(super) fn striptags(s: &str) -> R<Value> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            match after.find("-->") {
                Some(end) => rest = &after[end + 3..],
                None => {
                    out.push_str(rest);
                    break;
                }
            }
        } else if let Some(after) = rest.strip_prefix('<') {
            match after.find('>') {
                Some(end) => rest = &after[end + 1..],
                None => {
                    out.push_str(rest);
                    break;
                }
            }
        } else {
            let next = rest.find('<').unwrap_or(rest.len());
            out.push_str(&rest[..next]);
            rest = &rest[next..];
        }
    }
    let collapsed = out
        .split(py_isspace)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Value::from(html_unescape(&collapsed)?))
}

pub(super) fn html_unescape(s: &str) -> R<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let semi = tail[end..].starts_with(';');
        let decoded = if let Some(num) = name.strip_prefix('#') {
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            n.and_then(char::from_u32).map(String::from)
        } else {
            match name {
                "amp" => Some("&".into()),
                "lt" => Some("<".into()),
                "gt" => Some(">".into()),
                "quot" => Some("\"".into()),
                "apos" => Some("'".into()),
                "nbsp" => Some("\u{a0}".into()),
                "" => None,
                other if semi => {
                    return Err(fail(format!(
                        "the striptags filter does not know the HTML entity &{other};"
                    )));
                }
                _ => None,
            }
        };
        match decoded {
            Some(d) => {
                out.push_str(&d);
                rest = &tail[end + usize::from(semi)..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// `tojson(value, indent=None)`: `json.dumps(value, sort_keys=True)` with `< > & '`
/// escaped for HTML, as a safe string.
pub(super) fn tojson(value: Value, indent: Option<Value>, kwargs: Kwargs) -> R<Value> {
    let indent = match indent {
        Some(i) => Some(i),
        None => kwarg(&kwargs, "indent")?,
    };
    kwargs.assert_all_used()?;
    let indent: Option<String> = match indent {
        None => None,
        Some(i) if i.is_none() => None,
        Some(i) => match i.as_str() {
            Some(s) => Some(s.to_string()),
            None => Some(" ".repeat(super::width::checked(i.as_i64().unwrap_or(0), "indent")?)),
        },
    };
    let mut out = String::new();
    json_dump(&value, indent.as_deref(), 0, &mut out)?;
    let out = out
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\'', "\\u0027");
    Ok(Value::from_safe_string(out))
}

pub(super) fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(super) fn json_dump(v: &Value, indent: Option<&str>, depth: usize, out: &mut String) -> R<()> {
    use minijinja::value::ValueKind as K;
    let newline = |out: &mut String, depth: usize| {
        if let Some(ind) = indent {
            out.push('\n');
            out.push_str(&ind.repeat(depth));
        }
    };
    let sep = if indent.is_some() { "," } else { ", " };
    match v.kind() {
        K::None | K::Undefined => out.push_str("null"),
        K::Bool => out.push_str(if v.is_true() { "true" } else { "false" }),
        K::Number if v.is_integer() => out.push_str(&v.to_string()),
        K::Number => {
            let f = f64::try_from(v.clone()).unwrap_or(f64::NAN);
            out.push_str(&match f {
                f if f.is_nan() => "NaN".into(),
                f if f == f64::INFINITY => "Infinity".into(),
                f if f == f64::NEG_INFINITY => "-Infinity".into(),
                f => py_float_repr(f),
            });
        }
        K::String => json_str(v.as_str().unwrap_or_default(), out),
        // Python's `json` writes lists and tuples only (not an iterator, a view, a range).
        K::Iterable => {
            let kind = match v.downcast_object_ref::<OnePass>() {
                Some(it) => it.python_type().to_string(),
                None => match v.downcast_object_ref::<DictView>() {
                    Some(view) => format!("dict_{}", view.kind),
                    None => "object".to_string(),
                },
            };
            return Err(fail(format!(
                "tojson: Python raises TypeError (Object of type {kind} is not JSON \
                 serializable), so towncrier fails on this template"
            )));
        }
        K::Seq => {
            let items: Vec<Value> = v.try_iter()?.collect();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                newline(out, depth + 1);
                json_dump(item, indent, depth + 1, out)?;
            }
            newline(out, depth);
            out.push(']');
        }
        K::Map => {
            let mut items: Vec<(Value, Value)> = Vec::new();
            for k in v.try_iter()? {
                let val = v.get_item(&k)?;
                items.push((k, val));
            }
            if items.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            py_sort_by_key(&mut items, false)?;
            out.push('{');
            for (i, (k, val)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                newline(out, depth + 1);
                let key = match k.kind() {
                    K::String => k.as_str().unwrap_or_default().to_string(),
                    K::Bool => if k.is_true() { "true" } else { "false" }.to_string(),
                    K::None => "null".to_string(),
                    _ => py_str(k),
                };
                json_str(&key, out);
                out.push_str(": ");
                json_dump(val, indent, depth + 1, out)?;
            }
            newline(out, depth);
            out.push('}');
        }
        _ => {
            return Err(fail(format!(
                "tojson: a {} is not JSON serializable",
                v.kind()
            )));
        }
    }
    Ok(())
}

/// `truncate(s, length=255, killwords=False, end='...', leeway=5)`.
pub(super) fn truncate(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let arg = |i: usize, name: &str| -> R<Option<Value>> {
        Ok(match args.get(i) {
            Some(v) => Some(v.clone()),
            None => kwarg(&kwargs, name)?,
        })
    };
    let length = arg(0, "length")?.and_then(|v| v.as_i64()).unwrap_or(255);
    let killwords = arg(1, "killwords")?.is_some_and(|v| v.is_true());
    let end = arg(2, "end")?.map_or_else(|| "...".to_string(), |v| py_str(&v));
    let leeway = arg(3, "leeway")?.and_then(|v| v.as_i64()).unwrap_or(5);
    kwargs.assert_all_used()?;
    let Some(s) = value.as_str() else {
        return Err(fail(format!(
            "truncate: the value must be a string, not {}",
            value.kind()
        )));
    };
    let chars: Vec<char> = s.chars().collect();
    let end_len = end.chars().count() as i64;
    if length < end_len {
        return Err(fail(format!(
            "truncate: expected length >= {end_len}, got {length}"
        )));
    }
    if leeway < 0 {
        return Err(fail(format!(
            "truncate: expected leeway >= 0, got {leeway}"
        )));
    }
    if chars.len() as i64 <= length + leeway {
        return Ok(value);
    }
    let head: String = chars[..(length - end_len) as usize].iter().collect();
    if killwords {
        return Ok(Value::from(head + &end));
    }
    let kept = match head.rfind(' ') {
        Some(i) => &head[..i],
        None => &head[..],
    };
    Ok(Value::from(format!("{kept}{end}")))
}

/// werkzeug-style `url_quote` as Jinja2 has it: UTF-8, `_.-~` and alphanumerics kept,
/// `/` kept unless for a query string, where `%20` becomes `+`.
pub(super) fn url_quote(v: &Value, for_qs: bool) -> String {
    let s = py_str(v);
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(b as char);
            }
            b'/' if !for_qs => out.push('/'),
            b' ' if for_qs => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `urlencode(value)`: a string quoted, a dict or a sequence of pairs as a query string.
pub(super) fn urlencode(value: Value) -> R<Value> {
    use minijinja::value::ValueKind as K;
    let pairs: Vec<(Value, Value)> = match value.kind() {
        K::Map => value
            .try_iter()?
            .map(|k| {
                let v = value.get_item(&k).unwrap_or_default();
                (k, v)
            })
            .collect(),
        K::Seq | K::Iterable => {
            let mut pairs = Vec::new();
            for item in value.try_iter()? {
                let parts: Vec<Value> = item.try_iter()?.collect();
                let [k, v] = <[Value; 2]>::try_from(parts)
                    .map_err(|_| fail("urlencode: each item must be a (key, value) pair"))?;
                pairs.push((k, v));
            }
            pairs
        }
        _ => return Ok(Value::from(url_quote(&value, false))),
    };
    Ok(Value::from(
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", url_quote(k, true), url_quote(v, true)))
            .collect::<Vec<_>>()
            .join("&"),
    ))
}

/// `xmlattr(d, autospace=True)`.
pub(super) fn xmlattr(value: Value, autospace: Option<bool>) -> R<Value> {
    let mut items = Vec::new();
    for k in value.try_iter()? {
        let v = value.get_item(&k)?;
        if v.is_none() || v.is_undefined() {
            continue;
        }
        let key = py_str(&k);
        if key.chars().any(|c| py_isspace(c) || "/>=".contains(c)) {
            return Err(fail(format!(
                "xmlattr: invalid character in attribute name: {}",
                py_repr(&k)
            )));
        }
        items.push(format!(
            "{}=\"{}\"",
            html_escape(&key),
            if v.is_safe() {
                py_str(&v)
            } else {
                html_escape(&py_str(&v))
            }
        ));
    }
    let mut rv = items.join(" ");
    if autospace.unwrap_or(true) && !rv.is_empty() {
        rv.insert(0, ' ');
    }
    // A `Markup` only where autoescaping is on, which towncrier's Jinja2 does not turn on.
    Ok(Value::from(rv))
}
