//! Python's printf-style `%` formatting of strings (`"%s-%05.1f" % (a, b)`,
//! `"%(name)s" % d`), which Jinja2's `format` filter and the `%` operator on a string
//! are: conversions `s r a d i u o x X e E f F g G c %`, flags `-+ #0`, widths and
//! precisions (`*` too), mapping keys; Python's errors where it raises.

use std::fmt::Write as _;

use minijinja::Value;
use minijinja::value::ValueKind as K;

use super::repr::{py_repr, py_str};

/// `format % args` as Python computes it. `args` is a tuple (its items are the
/// arguments), a mapping (for `%(key)s`), or one value.
pub fn py_percent(format: &str, args: &Value) -> Result<String, String> {
    percent(format, args, false)
}

/// `Markup(format) % args`: as [`py_percent`], each `%s`, `%r` and `%a` argument
/// HTML-escaped first (but for a `%s` of a `Markup`), as markupsafe does.
pub fn py_markup_percent(format: &str, args: &Value) -> Result<String, String> {
    percent(format, args, true)
}

fn percent(format: &str, args: &Value, markup: bool) -> Result<String, String> {
    let tuple: Option<Vec<Value>> = if args.is_tuple() {
        Some(args.try_iter().map_err(|e| e.to_string())?.collect())
    } else {
        None
    };
    // CPython: a mapping that is not a tuple or a string serves `%(key)`, and then no
    // argument is "left over".
    let mapping = tuple.is_none() && matches!(args.kind(), K::Map | K::Seq);
    let items: Vec<Value> = tuple.clone().unwrap_or_else(|| vec![args.clone()]);
    let mut next = 0usize;
    let mut take = |what: &str| -> Result<Value, String> {
        let v = items
            .get(next)
            .cloned()
            .ok_or_else(|| format!("not enough arguments for format string ({what})"))?;
        next += 1;
        Ok(v)
    };
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::with_capacity(format.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let incomplete = || "incomplete format".to_string();
        let mut arg: Option<Value> = None;
        if chars.get(i) == Some(&'(') {
            if !mapping {
                return Err("format requires a mapping".into());
            }
            let mut depth = 1;
            let key_start = i + 1;
            while depth > 0 {
                i += 1;
                match chars.get(i) {
                    None => return Err("incomplete format key".into()),
                    Some('(') => depth += 1,
                    Some(')') => depth -= 1,
                    _ => {}
                }
            }
            let key: String = chars[key_start..i].iter().collect();
            i += 1;
            let v = args
                .get_item(&Value::from(key.as_str()))
                .map_err(|e| e.to_string())?;
            if v.is_undefined() {
                return Err(format!("KeyError: {}", super::repr::py_repr_str(&key)));
            }
            arg = Some(v);
        }
        let (mut left, mut plus, mut space, mut alt, mut zero) =
            (false, false, false, false, false);
        while let Some(&f) = chars.get(i) {
            match f {
                '-' => left = true,
                '+' => plus = true,
                ' ' => space = true,
                '#' => alt = true,
                '0' => zero = true,
                _ => break,
            }
            i += 1;
        }
        let number = |i: &mut usize, take: &mut dyn FnMut(&str) -> Result<Value, String>| {
            if chars.get(*i) == Some(&'*') {
                *i += 1;
                let v = take("*")?;
                return v
                    .as_i64()
                    .filter(|_| v.is_integer())
                    .map(Some)
                    .ok_or_else(|| "* wants int".to_string());
            }
            let digits_start = *i;
            while chars.get(*i).is_some_and(char::is_ascii_digit) {
                *i += 1;
            }
            if *i == digits_start {
                return Ok(None);
            }
            let digits: String = chars[digits_start..*i].iter().collect();
            digits
                .parse::<i64>()
                .map(Some)
                .map_err(|_| "width too big".to_string())
        };
        let mut width = number(&mut i, &mut take)?.unwrap_or(0);
        if width < 0 {
            left = true;
            width = width.saturating_neg();
        }
        let mut precision = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            precision = Some(number(&mut i, &mut take)?.unwrap_or(0).max(0));
        }
        for limit in [Some(width), precision].into_iter().flatten() {
            super::jinja_builtins::width::checked(limit, "%-format")
                .map_err(|e| e.detail().unwrap_or_default().to_string())?;
        }
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            return Err(incomplete());
        };
        i += 1;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let v = match arg.take() {
            Some(v) => v,
            None => take(&conv.to_string())?,
        };
        let (sign, body, numeric) = match conv {
            's' | 'r' | 'a' => {
                let text = match conv {
                    's' => py_str(&v),
                    'r' => py_repr(&v),
                    _ => ascii(&py_repr(&v)),
                };
                let text = if markup && !(conv == 's' && v.is_safe()) {
                    super::jinja_builtins::html_escape(&text)
                } else {
                    text
                };
                let text = match precision {
                    Some(p) => text.chars().take(p as usize).collect(),
                    None => text,
                };
                (String::new(), text, false)
            }
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => {
                let n = integer(&v, conv)?;
                let mut digits = match conv {
                    'o' => format!("{:o}", n.unsigned_abs()),
                    'x' => format!("{:x}", n.unsigned_abs()),
                    'X' => format!("{:X}", n.unsigned_abs()),
                    _ => n.unsigned_abs().to_string(),
                };
                if let Some(p) = precision {
                    let short = (p as usize).saturating_sub(digits.len());
                    digits.insert_str(0, &"0".repeat(short));
                }
                let prefix = match (alt, conv) {
                    (true, 'o') => "0o",
                    (true, 'x') => "0x",
                    (true, 'X') => "0X",
                    _ => "",
                };
                (sign_of(n < 0, plus, space) + prefix, digits, true)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let f = real(&v, conv)?;
                let p = precision.unwrap_or(6) as usize;
                let body = float_body(f.abs(), conv, p, alt);
                (
                    sign_of(f.is_sign_negative() && !f.is_nan(), plus, space),
                    body,
                    f.is_finite(),
                )
            }
            'c' => {
                let ch = match v.kind() {
                    K::String if v.as_str().is_some_and(|s| s.chars().count() == 1) => {
                        v.as_str().unwrap_or_default().to_string()
                    }
                    K::String => return Err("%c requires an int or a unicode character, not a string of length other than 1".into()),
                    K::Number | K::Bool if v.is_integer() || v.kind() == K::Bool => {
                        let n = integer(&v, 'c')?;
                        u32::try_from(n)
                            .ok()
                            .and_then(char::from_u32)
                            .map(String::from)
                            .ok_or("%c arg not in range(0x110000)")?
                    }
                    _ => return Err(format!("%c requires an int or a unicode character, not {}", crate::pycompat::repr::py_type_name(&v))),
                };
                (String::new(), ch, false)
            }
            other => {
                return Err(format!(
                    "unsupported format character '{other}' (0x{:x}) at index {start}",
                    other as u32
                ));
            }
        };
        let len = sign.chars().count() + body.chars().count();
        let pad = (width as usize).saturating_sub(len);
        if left {
            let _ = write!(out, "{sign}{body}{}", " ".repeat(pad));
        } else if zero && numeric {
            let _ = write!(out, "{sign}{}{body}", "0".repeat(pad));
        } else {
            let _ = write!(out, "{}{sign}{body}", " ".repeat(pad));
        }
    }
    if tuple.is_some() && next < items.len() || tuple.is_none() && !mapping && next == 0 {
        return Err("not all arguments converted during string formatting".into());
    }
    Ok(out)
}

/// Python's `a % b`: formatting when `a` is a string, else the remainder with the sign of
/// `b` (integers exactly, floats as CPython's `float.__mod__`).
pub fn py_mod(a: &Value, b: &Value) -> Result<Value, String> {
    if let Some(format) = a.as_str() {
        if a.is_safe() {
            return py_markup_percent(format, b).map(Value::from_safe_string);
        }
        return py_percent(format, b).map(Value::from);
    }
    let number = |v: &Value| matches!(v.kind(), K::Number | K::Bool);
    if !number(a) || !number(b) {
        return Err(format!(
            "unsupported operand type(s) for %: '{}' and '{}'",
            crate::pycompat::repr::py_type_name(a),
            crate::pycompat::repr::py_type_name(b)
        ));
    }
    let int = |v: &Value| -> Option<i128> {
        match v.kind() {
            K::Bool => Some(i128::from(v.is_true())),
            _ if v.is_integer() => i128::try_from(v.clone()).ok(),
            _ => None,
        }
    };
    if let (Some(x), Some(y)) = (int(a), int(b)) {
        if y == 0 {
            return Err("integer modulo by zero".into());
        }
        let r = x.checked_rem(y).unwrap_or(0);
        return Ok(Value::from(if r != 0 && (r < 0) != (y < 0) {
            r + y
        } else {
            r
        }));
    }
    let float = |v: &Value| real(v, '%');
    let (x, y) = (float(a)?, float(b)?);
    if y == 0.0 {
        return Err("float modulo".into());
    }
    let r = x % y;
    Ok(Value::from(if r == 0.0 {
        0f64.copysign(y)
    } else if (r < 0.0) != (y < 0.0) {
        r + y
    } else {
        r
    }))
}

fn sign_of(negative: bool, plus: bool, space: bool) -> String {
    match (negative, plus, space) {
        (true, _, _) => "-".into(),
        (false, true, _) => "+".into(),
        (false, false, true) => " ".into(),
        _ => String::new(),
    }
}

/// The integer a `%d`/`%x`/`%o`/`%c` conversion formats (`%d` truncates a float; the
/// others refuse one).
fn integer(v: &Value, conv: char) -> Result<i128, String> {
    match v.kind() {
        K::Bool => Ok(i128::from(v.is_true())),
        K::Number if v.is_integer() => {
            i128::try_from(v.clone()).map_err(|_| "integer out of range".to_string())
        }
        K::Number if matches!(conv, 'd' | 'i' | 'u') => {
            let f = f64::try_from(v.clone()).unwrap_or(f64::NAN);
            if f.is_nan() {
                Err("cannot convert float NaN to integer".into())
            } else if f.is_infinite() || f.trunc().abs() >= 2f64.powi(127) {
                Err("cannot convert float infinity or one this large to an integer here".into())
            } else {
                Ok(f.trunc() as i128)
            }
        }
        _ if matches!(conv, 'd' | 'i' | 'u') => Err(format!(
            "%{conv} format: a real number is required, not {}",
            crate::pycompat::repr::py_type_name(v)
        )),
        _ => Err(format!(
            "%{conv} format: an integer is required, not {}",
            crate::pycompat::repr::py_type_name(v)
        )),
    }
}

fn real(v: &Value, conv: char) -> Result<f64, String> {
    match v.kind() {
        K::Bool => Ok(if v.is_true() { 1.0 } else { 0.0 }),
        K::Number => f64::try_from(v.clone()).map_err(|e| e.to_string()),
        _ => Err(format!(
            "%{conv} format: must be real number, not {}",
            crate::pycompat::repr::py_type_name(v)
        )),
    }
}

/// `ascii(text)`: non-ASCII characters as `\x`, `\u` or `\U` escapes.
fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c as u32 {
            0..0x80 => out.push(c),
            n @ 0x80..0x100 => {
                let _ = write!(out, "\\x{n:02x}");
            }
            n @ 0x100..0x10000 => {
                let _ = write!(out, "\\u{n:04x}");
            }
            n => {
                let _ = write!(out, "\\U{n:08x}");
            }
        }
    }
    out
}

/// A non-negative float as `%e`, `%f` or `%g` writes it (precision `p`, `#` keeps `%g`'s
/// zeros).
fn float_body(f: f64, conv: char, p: usize, alt: bool) -> String {
    let upper = conv.is_ascii_uppercase();
    if !f.is_finite() {
        let s = if f.is_nan() { "nan" } else { "inf" };
        return if upper { s.to_uppercase() } else { s.into() };
    }
    let body = match conv.to_ascii_lowercase() {
        'f' => {
            let s = format!("{f:.p$}");
            if alt && p == 0 { s + "." } else { s }
        }
        'e' => exp_form(f, p, alt),
        _ => {
            let p = p.max(1);
            let exp = exp_form(f, p - 1, false);
            let x: i32 = exp
                .rsplit_once('e')
                .and_then(|(_, e)| e.parse().ok())
                .unwrap_or(0);
            let s = if (-4..p as i32).contains(&x) {
                format!("{f:.prec$}", prec = (p as i32 - 1 - x) as usize)
            } else {
                exp
            };
            if alt {
                if s.contains('.') {
                    s
                } else if let Some((m, e)) = s.split_once('e') {
                    format!("{m}.e{e}")
                } else {
                    s + "."
                }
            } else {
                strip_zeros(&s)
            }
        }
    };
    if upper { body.to_uppercase() } else { body }
}

/// `1.500000e+03`: Rust's `{:e}` with Python's exponent (a sign, two digits at least).
fn exp_form(f: f64, p: usize, alt: bool) -> String {
    let s = format!("{f:.p$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let dot = if alt && p == 0 { "." } else { "" };
    format!(
        "{mantissa}{dot}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    )
}

/// `%g` without `#`: trailing zeros of the fraction and a bare point dropped.
fn strip_zeros(s: &str) -> String {
    let (mantissa, exp) = match s.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    match exp {
        Some(e) => format!("{mantissa}e{e}"),
        None => mantissa.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::value::Tuple;

    fn t(items: Vec<Value>) -> Value {
        Value::from(Tuple::from(items))
    }

    fn v<T: Into<Value>>(x: T) -> Value {
        x.into()
    }

    #[test]
    fn percent_formatting_as_python() {
        for (fmt, args, python) in [
            ("%s-%s", t(vec![v(1), v("a")]), "1-a"),
            ("%r|%a", t(vec![v("é"), v("é")]), "'é'|'\\xe9'"),
            ("%d|%i|%u", t(vec![v(3.7), v(-3.7), v(true)]), "3|-3|1"),
            (
                "%5.2f|%-6.1f|%06.2f|%+.0f",
                t(vec![v(3.14259), v(2.25), v(-1.5), v(2.5)]),
                " 3.14|2.2   |-01.50|+2",
            ),
            (
                "%e|%E|%.2e",
                t(vec![v(12345.678), v(0.000123), v(0.0)]),
                "1.234568e+04|1.230000E-04|0.00e+00",
            ),
            (
                "%g|%g|%g|%g|%G|%#g",
                t(vec![
                    v(0.0001),
                    v(1e-5),
                    v(123456789.0),
                    v(100.0),
                    v(1e20),
                    v(1.5),
                ]),
                "0.0001|1e-05|1.23457e+08|100|1E+20|1.50000",
            ),
            (
                "%x|%X|%#x|%o|%#o|%05d|%.3d|% d",
                t(vec![v(255), v(255), v(255), v(8), v(8), v(-42), v(5), v(7)]),
                "ff|FF|0xff|10|0o10|-0042|005| 7",
            ),
            (
                "%c%c|%%|%*d|%-*d|%.*s",
                t(vec![v(65), v("b"), v(4), v(1), v(3), v(2), v(2), v("xyz")]),
                "Ab|%|   1|2  |xy",
            ),
            ("%s", v("alone"), "alone"),
            ("%s", Value::from(vec![v(1), v(2)]), "[1, 2]"),
            ("abc", Value::from(Vec::<Value>::new()), "abc"),
            (
                "%10s|%-4s|%.1s|%05s",
                t(vec![v("r"), v("l"), v("pq"), v("z")]),
                "         r|l   |p|    z",
            ),
        ] {
            assert_eq!(py_percent(fmt, &args).unwrap(), python, "{fmt}");
        }
        let map = Value::from(std::collections::BTreeMap::from([
            ("a", v(1)),
            ("b", v("x")),
        ]));
        assert_eq!(py_percent("%(a)03d %(b)s %%", &map).unwrap(), "001 x %");
        for (fmt, args, error) in [
            ("%s %s", t(vec![v(1)]), "not enough arguments"),
            ("%s", t(vec![v(1), v(2)]), "not all arguments converted"),
            ("abc", v(5), "not all arguments converted"),
            ("%d", v("x"), "a real number is required, not str"),
            ("%x", v(1.5), "an integer is required, not float"),
            ("%f", v("x"), "must be real number, not str"),
            (
                "%z",
                v(1),
                "unsupported format character 'z' (0x7a) at index 0",
            ),
            ("%(a)s", v(1), "format requires a mapping"),
            ("%", v(1), "incomplete format"),
            ("%(c)s", map.clone(), "KeyError: 'c'"),
            ("%*d", t(vec![v(i64::MIN), v(1)]), "over the limit"),
            ("%.99999999999d", v(1), "over the limit"),
        ] {
            let e = py_percent(fmt, &args).unwrap_err();
            assert!(e.contains(error), "{fmt}: {e}");
        }
    }

    #[test]
    fn modulo_as_python() {
        for (a, b, python) in [
            (v(7), v(3), "1"),
            (v(-7), v(3), "2"),
            (v(7), v(-3), "-2"),
            (v(7.5), v(2), "1.5"),
            (v(-7.5), v(2), "0.5"),
            (v(-4.0), v(2), "0.0"),
            (v(4.0), v(-2), "-0.0"),
            (v(true), v(2), "1"),
        ] {
            let r = py_mod(&a, &b).unwrap();
            assert_eq!(crate::pycompat::repr::py_repr(&r), python, "{a} % {b}");
        }
        assert_eq!(py_mod(&v("%s!"), &v(1)).unwrap().as_str(), Some("1!"));
        assert!(py_mod(&v(1), &v(0)).unwrap_err().contains("by zero"));
        assert!(
            py_mod(&v(1), &v("x"))
                .unwrap_err()
                .contains("'int' and 'str'")
        );
    }
}
