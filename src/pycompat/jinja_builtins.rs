//! Jinja2's built-in globals, filters and tests where minijinja's differ from them, as
//! towncrier runs Jinja2 (a default `Environment`: no autoescape, `Undefined` lenient).
//!
//! Each replacement follows `jinja2/filters.py`, `jinja2/tests.py` and
//! `jinja2/defaults.py` (Jinja2 3.1, the version towncrier 26.9 installs). Built-ins whose
//! result would change from one build to the next (`random`, `lipsum`) and the few not
//! reproduced (`urlize`, `wordwrap`) fail with a message naming them instead of printing
//! something else. `tests/fixtures/towncrier-cases/jinja-*` checks each against Jinja2.

use std::sync::{Arc, Mutex};

use minijinja::value::{Kwargs, Object, ObjectRepr, Rest};
use minijinja::{Environment, Error, ErrorKind, State, Value};

use super::repr::{py_float_repr, py_repr, py_str};
use super::strings::{py_isspace, py_splitlines_keepends, py_strip};

type R<T> = std::result::Result<T, Error>;

/// A keyword argument that may be given as `None` (which `Option<Value>` would hide).
fn kwarg(kwargs: &Kwargs, name: &str) -> R<Option<Value>> {
    if kwargs.has(name) {
        kwargs.get::<Value>(name).map(Some)
    } else {
        Ok(None)
    }
}

fn fail(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// Register the replacements on `env`.
pub fn register(env: &mut Environment<'static>) {
    env.add_function("range", range);
    env.add_function("cycler", |items: Rest<Value>| -> R<Value> {
        if items.is_empty() {
            return Err(fail("cycler(): at least one item has to be provided"));
        }
        Ok(Value::from_object(Cycler {
            items: items.0,
            pos: Mutex::new(0),
        }))
    });
    env.add_function("joiner", |sep: Option<Value>| {
        Value::from_object(Joiner {
            sep: sep.map_or_else(|| ", ".to_string(), |s| py_str(&s)),
            used: Mutex::new(false),
        })
    });
    env.add_function("lipsum", |_: Rest<Value>| -> R<Value> {
        Err(fail(
            "lipsum() is not supported: its text is random, so the changelog would change on every build",
        ))
    });
    env.add_filter("random", |_: Value| -> R<Value> {
        Err(fail(
            "the random filter is not supported: its choice would change on every build",
        ))
    });
    env.add_filter("urlize", |_: Rest<Value>| -> R<Value> {
        Err(fail("the urlize filter is not supported by git-release"))
    });
    env.add_filter("wordwrap", |_: Rest<Value>| -> R<Value> {
        Err(fail("the wordwrap filter is not supported by git-release"))
    });

    env.add_filter("int", int);
    env.add_filter("float", float);
    env.add_filter("map", map);
    env.add_filter("default", default);
    env.add_filter("d", default);
    env.add_filter("dictsort", dictsort);
    env.add_filter("escape", escape);
    env.add_filter("e", escape);
    env.add_filter("forceescape", |v: Value| {
        Value::from_safe_string(html_escape(&py_str(&v)))
    });
    env.add_filter("center", |v: Value, width: Option<i64>| {
        py_center(&py_str(&v), width.unwrap_or(80))
    });
    env.add_filter("filesizeformat", filesizeformat);
    env.add_filter("indent", indent);
    env.add_filter("pprint", pprint);
    env.add_filter("striptags", |v: Value| -> R<Value> {
        striptags(&py_str(&v))
    });
    env.add_filter("tojson", tojson);
    env.add_filter("truncate", truncate);
    env.add_filter("urlencode", urlencode);
    env.add_filter("wordcount", |v: Value| {
        let s = py_str(&v);
        let mut words = 0;
        let mut in_word = false;
        for c in s.chars() {
            let w = c.is_alphanumeric() || c == '_';
            if w && !in_word {
                words += 1;
            }
            in_word = w;
        }
        Value::from(words)
    });
    env.add_filter("xmlattr", xmlattr);
    env.add_filter("attr", attr);
    env.add_filter("groupby", groupby);

    env.add_test("callable", |v: Value| {
        // Jinja2's `Undefined` has `__call__`, so an undefined value is callable there.
        v.is_undefined()
            || (matches!(v.kind(), minijinja::value::ValueKind::Plain)
                && v.downcast_object_ref::<Cycler>().is_none())
    });
    env.add_test("sequence", |v: Value| {
        // Python: has `len()` and `__getitem__` (str, dict, list, tuple, range, Undefined).
        use minijinja::value::ValueKind as K;
        matches!(
            v.kind(),
            K::Undefined | K::String | K::Seq | K::Map | K::Bytes
        ) || v.downcast_object_ref::<PyRange>().is_some()
    });
}

// ---------------------------------------------------------------------------------------
// Numbers: Python's int() and float() on text.

/// Python's `float(str)`: surrounding whitespace, `_` between digits, `inf`/`nan`.
pub fn py_parse_float(s: &str) -> Option<f64> {
    let t = py_strip(s);
    let cleaned = strip_digit_underscores(t)?;
    let lower = cleaned.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if lower.len() - unsigned.len() > 1 {
        return None;
    }
    match unsigned {
        "inf" | "infinity" | "nan" => {}
        u if u.chars().all(|c| c.is_ascii_digit() || "._e+-".contains(c)) && !u.is_empty() => {}
        _ => return None,
    }
    cleaned.parse::<f64>().ok()
}

/// `_` is allowed only between two digits (Python's numeric literal rule).
fn strip_digit_underscores(t: &str) -> Option<String> {
    if !t.contains('_') {
        return Some(t.to_string());
    }
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == '_' {
            let ok = i > 0
                && chars[i - 1].is_ascii_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric());
            if !ok {
                return None;
            }
        } else {
            out.push(*c);
        }
    }
    Some(out)
}

/// Python's `int(str, base)`.
pub fn py_parse_int(s: &str, base: u32) -> Option<i128> {
    let t = strip_digit_underscores(py_strip(s))?;
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, &t[..]),
    };
    let lower = rest.to_ascii_lowercase();
    let prefixed = |p: &str| lower.strip_prefix(p).map(str::to_string);
    let (base, digits) = match base {
        0 => {
            if let Some(d) = prefixed("0x") {
                (16, d)
            } else if let Some(d) = prefixed("0o") {
                (8, d)
            } else if let Some(d) = prefixed("0b") {
                (2, d)
            } else if lower.len() > 1 && lower.starts_with('0') {
                // Python refuses `010` with base 0, but accepts `000`.
                if lower.chars().all(|c| c == '0') {
                    (10, lower.clone())
                } else {
                    return None;
                }
            } else {
                (10, lower.clone())
            }
        }
        16 => (16, prefixed("0x").unwrap_or_else(|| lower.clone())),
        8 => (8, prefixed("0o").unwrap_or_else(|| lower.clone())),
        2 => (2, prefixed("0b").unwrap_or_else(|| lower.clone())),
        b if (2..=36).contains(&b) => (b, lower.clone()),
        _ => return None,
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let n = i128::from_str_radix(&digits, base).ok()?;
    Some(if neg { -n } else { n })
}

/// Python's `float(value)` for a template value; `None` where Python raises.
fn to_py_float(v: &Value) -> Option<f64> {
    use minijinja::value::ValueKind as K;
    match v.kind() {
        K::Bool => Some(if v.is_true() { 1.0 } else { 0.0 }),
        K::Number => f64::try_from(v.clone()).ok(),
        K::String => py_parse_float(v.as_str()?),
        _ => None,
    }
}

fn float_value(f: f64) -> Value {
    Value::from(f)
}

/// `int(value, default=0, base=10)`: Python's `int()`, then `int(float())`, else the default.
fn int(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let default: Value = match args.first() {
        Some(d) => d.clone(),
        None => kwarg(&kwargs, "default")?.unwrap_or(Value::from(0)),
    };
    let base: i64 = match args.get(1) {
        Some(b) => b
            .as_i64()
            .ok_or_else(|| fail("int: the base must be an integer"))?,
        None => kwargs.get::<Option<i64>>("base")?.unwrap_or(10),
    };
    kwargs.assert_all_used()?;
    use minijinja::value::ValueKind as K;
    let first = match value.kind() {
        K::String => u32::try_from(base)
            .ok()
            .and_then(|b| py_parse_int(value.as_str().unwrap_or_default(), b))
            .map(Value::from),
        K::Bool => Some(Value::from(i64::from(value.is_true()))),
        K::Number if value.is_integer() => Some(value.clone()),
        K::Number => to_py_float(&value)
            .filter(|f| f.is_finite())
            .map(|f| Value::from(f.trunc() as i128)),
        _ => None,
    };
    if let Some(v) = first {
        return Ok(v);
    }
    Ok(to_py_float(&value)
        .filter(|f| f.is_finite())
        .map(|f| Value::from(f.trunc() as i128))
        .unwrap_or(default))
}

/// `float(value, default=0.0)`.
fn float(value: Value, default: Option<Value>, kwargs: Kwargs) -> R<Value> {
    let default = match default {
        Some(d) => d,
        None => kwarg(&kwargs, "default")?.unwrap_or(float_value(0.0)),
    };
    kwargs.assert_all_used()?;
    Ok(to_py_float(&value).map(float_value).unwrap_or(default))
}

/// `map(filter, *args, **kwargs)` / `map(attribute=…, default=…)`: minijinja's, but keyword
/// arguments reach the mapped filter (`map('int', default=None)`).
fn map(state: &mut State, value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let items: Vec<Value> = if value.is_undefined() {
        Vec::new()
    } else {
        value.try_iter()?.collect()
    };
    if kwargs.has("attribute") {
        if !args.is_empty() {
            return Err(Error::from(ErrorKind::TooManyArguments));
        }
        let attribute: Value = kwargs.get("attribute")?;
        let default = kwarg(&kwargs, "default")?;
        kwargs.assert_all_used()?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let v = getattr_path(&item, &attribute);
            out.push(match (&default, v.is_undefined()) {
                (Some(d), true) => d.clone(),
                _ => v,
            });
        }
        return Ok(Value::from(out));
    }
    let Some(name) = args.first().and_then(|n| n.as_str().map(str::to_string)) else {
        return Err(fail("map: the name of a filter is required"));
    };
    let rest_kwargs: Kwargs = kwargs
        .args()
        .map(|k| Ok((k.to_string(), kwargs.get::<Value>(k)?)))
        .collect::<R<Vec<_>>>()?
        .into_iter()
        .collect();
    let has_kwargs = kwargs.args().next().is_some();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let mut call: Vec<Value> = vec![item];
        call.extend(args.iter().skip(1).cloned());
        if has_kwargs {
            call.push(Value::from(rest_kwargs.clone()));
        }
        out.push(state.apply_filter(&name, &call)?);
    }
    Ok(Value::from(out))
}

/// Jinja2's `make_attrgetter`: `a.b.0` looks up each part, digits as integer indexes.
fn getattr_path(item: &Value, attribute: &Value) -> Value {
    let Some(path) = attribute.as_str() else {
        return item.get_item(attribute).unwrap_or(Value::UNDEFINED);
    };
    let mut cur = item.clone();
    for part in path.split('.') {
        let key = match part.parse::<i64>() {
            Ok(i) if part.chars().all(|c| c.is_ascii_digit()) => Value::from(i),
            _ => Value::from(part),
        };
        cur = cur.get_item(&key).unwrap_or(Value::UNDEFINED);
        if cur.is_undefined() {
            break;
        }
    }
    cur
}

/// `default(value, default_value='', boolean=False)`.
fn default(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let fallback = match args.first() {
        Some(d) => d.clone(),
        None => kwarg(&kwargs, "default_value")?.unwrap_or(Value::from("")),
    };
    let boolean = match args.get(1) {
        Some(b) => b.is_true(),
        None => kwargs.get::<Option<bool>>("boolean")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    Ok(if value.is_undefined() || (boolean && !value.is_true()) {
        fallback
    } else {
        value
    })
}

// ---------------------------------------------------------------------------------------
// Sorting: Python's `<`, which refuses to compare unlike types.

fn sort_key(v: &Value, case_sensitive: bool) -> Value {
    match (case_sensitive, v.as_str()) {
        (false, Some(s)) => Value::from(s.to_lowercase()),
        _ => v.clone(),
    }
}

/// Python's ordering of two values, or the error Python raises.
pub fn py_cmp(a: &Value, b: &Value) -> R<std::cmp::Ordering> {
    use minijinja::value::ValueKind as K;
    let number = |v: &Value| matches!(v.kind(), K::Number | K::Bool);
    match (a.kind(), b.kind()) {
        _ if number(a) && number(b) => {
            if a.is_integer() && b.is_integer() || matches!(a.kind(), K::Bool) {
                Ok(a.cmp(b))
            } else {
                let (x, y) = (to_py_float(a), to_py_float(b));
                Ok(x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal))
            }
        }
        (K::String, K::String) => Ok(a.as_str().cmp(&b.as_str())),
        (K::Seq, K::Seq) => {
            let (x, y): (Vec<Value>, Vec<Value>) =
                (a.try_iter()?.collect(), b.try_iter()?.collect());
            for (p, q) in x.iter().zip(y.iter()) {
                if p != q {
                    return py_cmp(p, q);
                }
            }
            Ok(x.len().cmp(&y.len()))
        }
        _ => Err(fail(format!(
            "'<' not supported between {} and {}",
            a.kind(),
            b.kind()
        ))),
    }
}

/// A stable sort with Python's comparison; the first refusal is reported.
fn py_sort_by_key(items: &mut [(Value, Value)], reverse: bool) -> R<()> {
    let mut error = None;
    items.sort_by(|(a, _), (b, _)| match py_cmp(a, b) {
        Ok(o) => {
            if reverse {
                o.reverse()
            } else {
                o
            }
        }
        Err(e) => {
            error.get_or_insert(e);
            std::cmp::Ordering::Equal
        }
    });
    error.map_or(Ok(()), Err)
}

/// `dictsort(value, case_sensitive=False, by='key', reverse=False)`.
fn dictsort(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let case_sensitive = match args.first() {
        Some(v) => v.is_true(),
        None => kwargs
            .get::<Option<bool>>("case_sensitive")?
            .unwrap_or(false),
    };
    let by: String = match args.get(1) {
        Some(v) => py_str(v),
        None => kwargs
            .get::<Option<String>>("by")?
            .unwrap_or_else(|| "key".into()),
    };
    let reverse = match args.get(2) {
        Some(v) => v.is_true(),
        None => kwargs.get::<Option<bool>>("reverse")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    let pos = match by.as_str() {
        "key" => 0,
        "value" => 1,
        _ => {
            return Err(fail(
                "dictsort: you can only sort by either \"key\" or \"value\"",
            ));
        }
    };
    if !matches!(value.kind(), minijinja::value::ValueKind::Map) {
        return Err(fail("dictsort: the value is not a dict"));
    }
    let mut items: Vec<(Value, Value)> = Vec::new();
    for k in value.try_iter()? {
        let v = value.get_item(&k)?;
        let key = sort_key(if pos == 0 { &k } else { &v }, case_sensitive);
        items.push((key, Value::from(minijinja::value::Tuple::from([k, v]))));
    }
    py_sort_by_key(&mut items, reverse)?;
    Ok(Value::from(
        items.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
    ))
}

/// `groupby(value, attribute, default=None, case_sensitive=False)`: sorted by the key, each
/// group a `(grouper, list)` tuple whose grouper is its first item's own key.
fn groupby(value: Value, attribute: Value, kwargs: Kwargs) -> R<Value> {
    let default = kwarg(&kwargs, "default")?;
    let case_sensitive = kwargs
        .get::<Option<bool>>("case_sensitive")?
        .unwrap_or(false);
    kwargs.assert_all_used()?;
    let key_of = |item: &Value| {
        let v = getattr_path(item, &attribute);
        match (&default, v.is_undefined()) {
            (Some(d), true) => d.clone(),
            _ => v,
        }
    };
    let mut items: Vec<(Value, Value)> = Vec::new();
    if !value.is_undefined() {
        for item in value.try_iter()? {
            items.push((sort_key(&key_of(&item), case_sensitive), item));
        }
    }
    py_sort_by_key(&mut items, false)?;
    let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
    for (key, item) in items {
        match groups.last_mut() {
            Some((k, list)) if *k == key => list.push(item),
            _ => groups.push((key, vec![item])),
        }
    }
    Ok(Value::from(
        groups
            .into_iter()
            .map(|(_, list)| {
                let grouper = key_of(&list[0]);
                Value::from_object(Group {
                    grouper,
                    list: Value::from(list),
                })
            })
            .collect::<Vec<_>>(),
    ))
}

/// Jinja2's `_GroupTuple`: a `(grouper, list)` tuple with named fields.
#[derive(Debug)]
struct Group {
    grouper: Value,
    list: Value,
}

impl Object for Group {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match (key.as_str(), key.as_i64()) {
            (Some("grouper"), _) | (_, Some(0 | -2)) => Some(self.grouper.clone()),
            (Some("list"), _) | (_, Some(1 | -1)) => Some(self.list.clone()),
            _ => None,
        }
    }
    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Values(vec![self.grouper.clone(), self.list.clone()])
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({}, {})", py_repr(&self.grouper), py_repr(&self.list))
    }
}

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

fn escape(value: Value) -> Value {
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
fn filesizeformat(value: Value, binary: Option<bool>, kwargs: Kwargs) -> R<Value> {
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
fn py_format_fixed(x: f64, precision: usize) -> String {
    format!("{x:.precision$}")
}

/// `indent(s, width=4, first=False, blank=False)`; `width` may be a string.
fn indent(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
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
            " ".repeat(usize::try_from(n).unwrap_or(0))
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

fn strip_line_end(line: &str) -> &str {
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
fn pprint(value: Value) -> R<Value> {
    let text = sorted_repr(&value)?;
    if text.chars().count() > 80 {
        return Err(fail(
            "the pprint filter is not supported on values longer than 80 characters",
        ));
    }
    Ok(Value::from(text))
}

fn sorted_repr(value: &Value) -> R<String> {
    use minijinja::value::ValueKind as K;
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
fn striptags(s: &str) -> R<Value> {
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

fn html_unescape(s: &str) -> R<String> {
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
fn tojson(value: Value, indent: Option<Value>, kwargs: Kwargs) -> R<Value> {
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
            None => Some(" ".repeat(usize::try_from(i.as_i64().unwrap_or(0)).unwrap_or(0))),
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

fn json_str(s: &str, out: &mut String) {
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

fn json_dump(v: &Value, indent: Option<&str>, depth: usize, out: &mut String) -> R<()> {
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
        K::Seq | K::Iterable => {
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
fn truncate(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
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
fn url_quote(v: &Value, for_qs: bool) -> String {
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
fn urlencode(value: Value) -> R<Value> {
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
fn xmlattr(value: Value, autospace: Option<bool>) -> R<Value> {
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
    Ok(Value::from_safe_string(rv))
}

/// `attr(obj, name)`: Python's `getattr` only, never an item: a dict's keys are not its
/// attributes, so they give an undefined value; methods are looked up as methods.
fn attr(value: Value, name: Value) -> Value {
    use minijinja::value::ValueKind as K;
    const STR: &[&str] = &[
        "capitalize",
        "casefold",
        "center",
        "count",
        "encode",
        "endswith",
        "expandtabs",
        "find",
        "format",
        "format_map",
        "index",
        "isalnum",
        "isalpha",
        "isascii",
        "isdecimal",
        "isdigit",
        "isidentifier",
        "islower",
        "isnumeric",
        "isprintable",
        "isspace",
        "istitle",
        "isupper",
        "join",
        "ljust",
        "lower",
        "lstrip",
        "maketrans",
        "partition",
        "removeprefix",
        "removesuffix",
        "replace",
        "rfind",
        "rindex",
        "rjust",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "translate",
        "upper",
        "zfill",
    ];
    const DICT: &[&str] = &[
        "clear",
        "copy",
        "fromkeys",
        "get",
        "items",
        "keys",
        "pop",
        "popitem",
        "setdefault",
        "update",
        "values",
    ];
    const LIST: &[&str] = &[
        "append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove",
        "reverse", "sort",
    ];
    let name = py_str(&name);
    let methods = match value.kind() {
        K::String => STR,
        K::Map => DICT,
        K::Seq if !value.is_tuple() => LIST,
        _ => &[],
    };
    if methods.contains(&name.as_str()) {
        Value::from_object(BoundMethod {
            target: value,
            name,
        })
    } else {
        Value::UNDEFINED
    }
}

/// A method looked up with `attr`, called later (`(x|attr("upper"))()`).
#[derive(Debug)]
struct BoundMethod {
    target: Value,
    name: String,
}

impl Object for BoundMethod {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> R<Value> {
        self.target.call_method(state, &self.name, args)
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<built-in method {}>", self.name)
    }
}

/// Python's `repr` of the objects defined here (a range, a group), which minijinja would
/// otherwise print as lists.
pub fn custom_repr(value: &Value) -> Option<String> {
    if let Some(r) = value.downcast_object_ref::<PyRange>() {
        return Some(r.python_repr());
    }
    value
        .downcast_object_ref::<Group>()
        .map(|g| format!("({}, {})", py_repr(&g.grouper), py_repr(&g.list)))
}

// ---------------------------------------------------------------------------------------
// Globals.

/// `range([start,] stop[, step])`, printed as Python prints a range.
fn range(args: Rest<i64>) -> R<Value> {
    let (start, stop, step) = match args.as_slice() {
        [stop] => (0, *stop, 1),
        [start, stop] => (*start, *stop, 1),
        [start, stop, step] => (*start, *stop, *step),
        _ => return Err(fail("range expected 1 to 3 integer arguments")),
    };
    if step == 0 {
        return Err(fail("range() arg 3 must not be zero"));
    }
    let len = if (step > 0 && start < stop) || (step < 0 && start > stop) {
        ((stop - start).unsigned_abs() - 1) / step.unsigned_abs() + 1
    } else {
        0
    };
    // Jinja2's sandbox limit is 100000 items; the default environment has none, but a
    // changelog template has no use for more.
    if len > 100_000 {
        return Err(fail("range() is limited to 100000 items here"));
    }
    Ok(Value::from_object(PyRange {
        start,
        stop,
        step,
        len: len as usize,
    }))
}

#[derive(Debug)]
struct PyRange {
    start: i64,
    stop: i64,
    step: i64,
    len: usize,
}

impl PyRange {
    fn at(&self, i: usize) -> i64 {
        self.start + self.step * i as i64
    }

    fn python_repr(&self) -> String {
        if self.step == 1 {
            format!("range({}, {})", self.start, self.stop)
        } else {
            format!("range({}, {}, {})", self.start, self.stop, self.step)
        }
    }
}

impl Object for PyRange {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let i = key.as_i64()?;
        let i = if i < 0 { i + self.len as i64 } else { i };
        usize::try_from(i)
            .ok()
            .filter(|i| *i < self.len)
            .map(|i| Value::from(self.at(i)))
    }
    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Values(
            (0..self.len).map(|i| Value::from(self.at(i))).collect(),
        )
    }
    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.len)
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.python_repr())
    }
}

/// Jinja2's `Cycler`: `next()`, `reset()`, `current`.
#[derive(Debug)]
struct Cycler {
    items: Vec<Value>,
    pos: Mutex<usize>,
}

impl Object for Cycler {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "current" => {
                let pos = *self.pos.lock().unwrap_or_else(|e| e.into_inner());
                Some(self.items[pos].clone())
            }
            "items" => Some(Value::from(self.items.clone())),
            _ => None,
        }
    }
    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> R<Value> {
        let mut pos = self.pos.lock().unwrap_or_else(|e| e.into_inner());
        if !args.is_empty() {
            return Err(Error::from(ErrorKind::TooManyArguments));
        }
        match method {
            "next" | "__next__" => {
                let v = self.items[*pos].clone();
                *pos = (*pos + 1) % self.items.len();
                Ok(v)
            }
            "reset" => {
                *pos = 0;
                Ok(Value::from(()))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<jinja2.utils.Cycler object>")
    }
}

/// Jinja2's `Joiner`: the empty string on the first call, the separator after.
#[derive(Debug)]
struct Joiner {
    sep: String,
    used: Mutex<bool>,
}

impl Object for Joiner {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> R<Value> {
        if !args.is_empty() {
            return Err(Error::from(ErrorKind::TooManyArguments));
        }
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        if *used {
            Ok(Value::from(self.sep.clone()))
        } else {
            *used = true;
            Ok(Value::from(""))
        }
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<jinja2.utils.Joiner object>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_and_float_text() {
        assert_eq!(py_parse_int(" 1_000 ", 10), Some(1000));
        assert_eq!(py_parse_int("0x1A", 16), Some(26));
        assert_eq!(py_parse_int("0x1A", 0), Some(26));
        assert_eq!(py_parse_int("010", 0), None);
        assert_eq!(py_parse_int("1__0", 10), None);
        assert_eq!(py_parse_int("-", 10), None);
        assert_eq!(py_parse_float("1e3"), Some(1000.0));
        assert_eq!(py_parse_float(" -inf "), Some(f64::NEG_INFINITY));
        assert_eq!(py_parse_float("1_0.5"), Some(10.5));
        assert_eq!(py_parse_float("abc"), None);
        assert_eq!(py_parse_float(""), None);
        assert_eq!(py_parse_float("--1"), None);
    }

    #[test]
    fn center_as_cpython() {
        assert_eq!(py_center("ab", 7), "   ab  ");
        assert_eq!(py_center("abc", 6), " abc  ");
        assert_eq!(py_center("a", 4), " a  ");
        assert_eq!(py_center("abcdef", 3), "abcdef");
    }
}
