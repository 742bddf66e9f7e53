//! Python's `int()` and `float()` on text, and the filters built on them (`int`, `float`,
//! `map`, `default`).

use minijinja::value::{Kwargs, Rest};
use minijinja::{Error, ErrorKind, State, Value};

use super::*;

// ---------------------------------------------------------------------------------------
// Numbers: Python's int() and float() on text.

/// Python's `float(str)`: surrounding whitespace, `_` between digits, `inf`/`nan`.
/// Python's first step in `int()` and `float()` of a string: every Unicode decimal digit
/// as its ASCII digit (`٣` → `3`, `５` → `5`).
fn decimal_digits_to_ascii(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                crate::pycompat::strings::py_decimal_value(c)
                    .and_then(|v| char::from_digit(v, 10))
                    .unwrap_or(c)
            })
            .collect(),
    )
}

pub fn py_parse_float(s: &str) -> Option<f64> {
    let s = decimal_digits_to_ascii(s);
    let t = py_strip(&s);
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
pub(super) fn strip_digit_underscores(t: &str) -> Option<String> {
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
    let s = decimal_digits_to_ascii(s);
    let t = strip_digit_underscores(py_strip(&s))?;
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
pub(super) fn to_py_float(v: &Value) -> Option<f64> {
    use minijinja::value::ValueKind as K;
    match v.kind() {
        K::Bool => Some(if v.is_true() { 1.0 } else { 0.0 }),
        K::Number => f64::try_from(v.clone()).ok(),
        K::String => py_parse_float(v.as_str()?),
        _ => None,
    }
}

pub(super) fn float_value(f: f64) -> Value {
    Value::from(f)
}

/// `int(value, default=0, base=10)`: Python's `int()`, then `int(float())`, else the default.
pub(super) fn int(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
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
        K::String => {
            let text = value.as_str().unwrap_or_default();
            match u32::try_from(base).ok().map(|b| (b, py_parse_int(text, b))) {
                Some((_, Some(n))) => Some(Value::from(n)),
                // Python's integers have no bound: digits past i128 are a number there.
                Some((b, None)) if is_py_int_text(text, b) => return Err(too_large(&value)),
                _ => None,
            }
        }
        K::Bool => Some(Value::from(i64::from(value.is_true()))),
        K::Number if value.is_integer() => Some(value.clone()),
        // `int(value)` on a float: its OverflowError on `inf` is not caught.
        K::Number => truncated(&value, true)?,
        _ => None,
    };
    if let Some(v) = first {
        return Ok(v);
    }
    // `int(float(value))`, whose OverflowError is caught: the default.
    Ok(truncated(&value, false)?.unwrap_or(default))
}

/// `int(float(value))`, or `None` where Python raises what the `int` filter catches (not a
/// number, `nan`: `ValueError`; `inf`: `OverflowError` unless `overflow_fails`, the filter's
/// first `int(value)` on a float, which lets it through); an error naming the value where
/// Python's unbounded integer leaves i128's range.
fn truncated(value: &Value, overflow_fails: bool) -> R<Option<Value>> {
    match to_py_float(value).filter(|f| f.is_finite() || overflow_fails && f.is_infinite()) {
        Some(f) if f.is_infinite() => Err(fail(format!(
            "int: {} is infinite: Python raises OverflowError (cannot convert float \
             infinity to integer), so towncrier fails on this template",
            py_repr(value)
        ))),
        // i128's range is within ±2^127, which an f64 holds exactly.
        Some(f) if f.trunc().abs() >= 2f64.powi(127) => Err(too_large(value)),
        Some(f) => Ok(Some(Value::from(f.trunc() as i128))),
        None => Ok(None),
    }
}

fn too_large(value: &Value) -> Error {
    fail(format!(
        "int: {} is beyond the integers git-release can hold (±2^127); Python would print \
         all its digits",
        py_repr(value)
    ))
}

/// Text that Python's `int(text, base)` reads, however long (the digits alone checked).
fn is_py_int_text(text: &str, base: u32) -> bool {
    let Some(t) = strip_digit_underscores(py_strip(text)) else {
        return false;
    };
    let t = t
        .strip_prefix(['+', '-'])
        .unwrap_or(&t)
        .to_ascii_lowercase();
    let (radix, digits) = match (base, t.get(..2)) {
        (0 | 16, Some("0x")) => (16, &t[2..]),
        (0 | 8, Some("0o")) => (8, &t[2..]),
        (0 | 2, Some("0b")) => (2, &t[2..]),
        (0, _) => (10, &t[..]),
        (b, _) => (b, &t[..]),
    };
    (2..=36).contains(&radix) && !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix))
}

/// `float(value, default=0.0)`.
pub(super) fn float(value: Value, default: Option<Value>, kwargs: Kwargs) -> R<Value> {
    let default = match default {
        Some(d) => d,
        None => kwarg(&kwargs, "default")?.unwrap_or(float_value(0.0)),
    };
    kwargs.assert_all_used()?;
    Ok(to_py_float(&value).map(float_value).unwrap_or(default))
}

/// `map(filter, *args, **kwargs)` / `map(attribute=…, default=…)`: minijinja's, but keyword
/// arguments reach the mapped filter (`map('int', default=None)`).
pub(super) fn map(state: &mut State, value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let items = items_of(&value)?;
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
        return Ok(sync_do_map(out));
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
    Ok(sync_do_map(out))
}

/// `map`'s generator (Jinja2's `sync_do_map`).
fn sync_do_map(items: Vec<Value>) -> Value {
    OnePass::value("generator object sync_do_map", "map", "map(…)", items)
}

/// Jinja2's `make_attrgetter`: `a.b.0` looks up each part, digits as integer indexes.
pub(super) fn getattr_path(item: &Value, attribute: &Value) -> Value {
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
pub(super) fn default(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
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
// Arithmetic where Python raises and minijinja prints `inf`, `nan` or a Rust message.

/// A template number as Python holds it: an `int` (a `bool` is one) or a `float`; `None`
/// for anything else.
enum PyNum {
    Int(i128),
    Float(f64),
}

fn py_num(v: &Value) -> Option<PyNum> {
    use minijinja::value::ValueKind as K;
    match v.kind() {
        K::Bool => Some(PyNum::Int(i128::from(v.is_true()))),
        K::Number if v.is_integer() => i128::try_from(v.clone()).ok().map(PyNum::Int),
        K::Number => f64::try_from(v.clone()).ok().map(PyNum::Float),
        _ => None,
    }
}

/// Python's `OverflowError` / `ValueError` / `ZeroDivisionError` where towncrier's Jinja2
/// stops: the build fails too, naming the expression and why.
fn python_raises(expression: &str, exception: &str) -> Error {
    fail(format!(
        "{expression}: Python raises {exception} here, so towncrier fails on this template"
    ))
}

/// An integer Python holds with all its digits, past what git-release can (±2^127).
pub(super) fn int_too_large(expression: &str) -> Error {
    fail(format!(
        "{expression} is beyond the integers git-release can hold (±2^127); Python would \
         print all its digits"
    ))
}

/// Python's `a ** b` (what `**` in a template is rewritten into; `negated_constant`: the
/// base is a negative number Jinja2 folded into a constant, which its generated code writes
/// as `-1 ** b`, that is `-(1 ** b)`, when the exponent is not a constant).
pub(crate) fn py_pow(a: &Value, b: &Value, negated_constant: Option<bool>) -> R<Value> {
    let expression = format!("{} ** {}", py_repr(a), py_repr(b));
    let (Some(x), Some(y)) = (py_num(a), py_num(b)) else {
        if a.is_undefined() || b.is_undefined() {
            return Err(fail(format!(
                "{expression}: an undefined value cannot be raised to a power (Jinja2 raises \
                 UndefinedError)"
            )));
        }
        return Err(fail(format!(
            "unsupported operand type(s) for ** or pow(): '{}' and '{}'",
            super::super::repr::py_type_name(a),
            super::super::repr::py_type_name(b)
        )));
    };
    if negated_constant == Some(true) {
        let magnitude = match x {
            PyNum::Int(i) => Value::from(i.unsigned_abs()),
            PyNum::Float(f) => Value::from(f.abs()),
        };
        return match py_num(&py_pow(&magnitude, b, None)?) {
            Some(PyNum::Int(i)) => Ok(Value::from(-i)),
            Some(PyNum::Float(f)) => Ok(Value::from(-f)),
            None => Err(int_too_large(&expression)),
        };
    }
    match (x, y) {
        (PyNum::Int(x), PyNum::Int(y)) if y >= 0 => {
            let y = u32::try_from(y).ok();
            // minijinja holds positive integers up to 2^128 - 1.
            y.and_then(|y| x.checked_pow(y))
                .map(Value::from)
                .or_else(|| {
                    let x = u128::try_from(x).ok()?;
                    y.and_then(|y| x.checked_pow(y)).map(Value::from)
                })
                .ok_or_else(|| int_too_large(&expression))
        }
        (PyNum::Int(0), PyNum::Int(_)) => Err(python_raises(
            &expression,
            "ZeroDivisionError (0.0 cannot be raised to a negative power)",
        )),
        (x, y) => {
            let as_float = |n| match n {
                PyNum::Int(i) => i as f64,
                PyNum::Float(f) => f,
            };
            float_pow(as_float(x), as_float(y))
                .map(Value::from)
                .map_err(|e| python_raises(&expression, e))
        }
    }
}

/// CPython's `float_pow` (`Objects/floatobject.c`): the special cases it decides itself,
/// then C's `pow`, an infinite result from finite operands being an `OverflowError`.
fn float_pow(iv: f64, iw: f64) -> Result<f64, &'static str> {
    let is_odd_integer = |w: f64| w.is_finite() && w.fract() == 0.0 && (w % 2.0).abs() == 1.0;
    if iw == 0.0 {
        return Ok(1.0);
    }
    if iv.is_nan() {
        return Ok(if iv == 1.0 { 1.0 } else { iv });
    }
    if iw.is_nan() {
        return Ok(if iv == 1.0 { 1.0 } else { iw });
    }
    if iw.is_infinite() {
        let v = iv.abs();
        return Ok(if v == 1.0 {
            1.0
        } else if (iw > 0.0) == (v > 1.0) {
            iw.abs()
        } else {
            0.0
        });
    }
    if iv.is_infinite() {
        let odd = is_odd_integer(iw);
        return Ok(match (iw > 0.0, odd) {
            (true, true) => iv,
            (true, false) => iv.abs(),
            (false, true) => 0f64.copysign(iv),
            (false, false) => 0.0,
        });
    }
    if iv == 0.0 {
        if iw < 0.0 {
            return Err("ZeroDivisionError (0.0 cannot be raised to a negative power)");
        }
        return Ok(if is_odd_integer(iw) { iv } else { 0.0 });
    }
    if iv == 1.0 {
        return Ok(1.0);
    }
    let (mut v, mut negate) = (iv, false);
    if iv < 0.0 {
        if iw != iw.floor() {
            return Err(
                "no error but makes a complex number (a negative number to a fractional \
                 power), which git-release does not reproduce",
            );
        }
        v = -iv;
        negate = is_odd_integer(iw);
    }
    if v == 1.0 {
        return Ok(if negate { -1.0 } else { 1.0 });
    }
    let r = v.powf(iw);
    if r.is_infinite() {
        return Err("OverflowError (34, 'Numerical result out of range')");
    }
    Ok(if negate { -r } else { r })
}

/// `round(value, precision=0, method='common')`: `common` is Python's `round()`
/// (minijinja's); `floor` and `ceil` are `math.floor(value * 10**precision) /
/// 10**precision`, which fails on an infinite or NaN product and always gives a float.
pub(super) fn round(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let [precision, method] =
        <[Option<Value>; 2]>::try_from(arguments(&args, &kwargs, &["precision", "method"])?)
            .unwrap_or_default();
    let precision = match &precision {
        None => 0,
        Some(p) => match py_num(p) {
            Some(PyNum::Int(p)) => i32::try_from(p).map_err(|_| {
                fail(format!(
                    "round: the precision {p} is beyond what git-release handles"
                ))
            })?,
            _ => {
                return Err(fail(format!(
                    "round: the precision must be an integer, not {}",
                    py_repr(p)
                )));
            }
        },
    };
    // A bool is the int it is (`round(True, 0)` is `1`).
    let value = if value.kind() == minijinja::value::ValueKind::Bool {
        Value::from(i64::from(value.is_true()))
    } else {
        value
    };
    let method = method.map_or_else(|| "common".to_string(), |m| py_str(&m));
    let ceil = match method.as_str() {
        "common" => {
            let kwargs = Kwargs::from_iter([("precision", Value::from(precision))]);
            return minijinja::filters::round(value, None, None, kwargs);
        }
        "ceil" => true,
        "floor" => false,
        _ => return Err(fail("round: method must be common, ceil or floor")),
    };
    let function = if ceil { "ceil" } else { "floor" };
    let expression = format!("math.{function}({} * 10**{precision})", py_repr(&value));
    let (scaled, factor) = match py_num(&value) {
        // int * 10**precision is exact, and so is its floor: the division gives the int.
        Some(PyNum::Int(i)) if precision >= 0 => return Ok(Value::from(i as f64)),
        Some(PyNum::Int(i)) => {
            let factor = 10f64.powi(precision);
            (i as f64 * factor, factor)
        }
        Some(PyNum::Float(f)) => {
            let factor = if precision >= 0 {
                // float * int: the int made a float first, which fails past f64's range.
                format!("1e{precision}")
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .ok_or_else(|| {
                        python_raises(
                            &expression,
                            "OverflowError (int too large to convert to float)",
                        )
                    })?
            } else {
                10f64.powf(f64::from(precision))
            };
            (f * factor, factor)
        }
        None => {
            return Err(fail(format!("round: {} is not a number", py_repr(&value))));
        }
    };
    if scaled.is_nan() {
        return Err(python_raises(
            &expression,
            "ValueError (cannot convert float NaN to integer)",
        ));
    }
    if scaled.is_infinite() {
        return Err(python_raises(
            &expression,
            "OverflowError (cannot convert float infinity to integer)",
        ));
    }
    // The floor is an int in Python: never -0.0.
    let whole = if ceil { scaled.ceil() } else { scaled.floor() } + 0.0;
    if factor == 0.0 {
        return Err(python_raises(&expression, "ZeroDivisionError"));
    }
    Ok(Value::from(whole / factor))
}
