//! Python's `str()` and `repr()` of template values: `True`/`False`/`None`, quoted strings,
//! floats as CPython prints them, containers as their `repr`.

use std::fmt::Write as _;

use minijinja::Value;

/// Python's `str()` of a template value: strings as they are, `True`/`False`/`None`, and
/// containers as their `repr`.
pub fn py_str(value: &Value) -> String {
    match value.kind() {
        minijinja::value::ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        minijinja::value::ValueKind::Undefined => String::new(),
        _ => py_repr(value),
    }
}

/// The name of a template value's Python type, as Python's error messages give it
/// (`type(v).__name__`; Jinja2's own `Undefined` for an undefined value).
pub fn py_type_name(v: &Value) -> &'static str {
    use minijinja::value::ValueKind as K;
    match v.kind() {
        K::Undefined => "Undefined",
        K::None => "NoneType",
        K::Bool => "bool",
        K::Number if v.is_integer() => "int",
        K::Number => "float",
        K::String => "str",
        K::Seq if v.is_tuple() => "tuple",
        K::Seq => "list",
        K::Map => "dict",
        _ => "object",
    }
}

/// Python's `repr()` of a template value.
pub fn py_repr(value: &Value) -> String {
    use minijinja::value::ValueKind as K;
    match value.kind() {
        K::Undefined => String::new(),
        K::None => "None".into(),
        K::Bool => if value.is_true() { "True" } else { "False" }.into(),
        K::String => py_repr_str(value.as_str().unwrap_or_default()),
        K::Seq | K::Iterable if let Some(repr) = super::jinja_builtins::custom_repr(value) => repr,
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
pub fn py_float_repr(f: f64) -> String {
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
pub fn py_repr_str(s: &str) -> String {
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
            c if !py_isprintable(c) => {
                let n = c as u32;
                let _ = match n {
                    0..0x100 => write!(out, "\\x{n:02x}"),
                    0x100..0x10000 => write!(out, "\\u{n:04x}"),
                    _ => write!(out, "\\U{n:08x}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one character, as `repr` uses it: false for control
/// characters, format characters (Cf), separators other than the space (Zs, Zl, Zp) and
/// private-use characters. Unassigned code points (Cn, which Python also escapes) are not
/// known here and print as they are.
pub fn py_isprintable(c: char) -> bool {
    !matches!(c as u32,
        0..=0x1f | 0x7f..=0xa0 | 0xad
        | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2
        | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064
        | 0x2066..=0x206f | 0x3000 | 0xd800..=0xf8ff | 0xfeff | 0xfff9..=0xfffb
        | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a
        | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..=0x10ffff)
}
