//! Python's `str` methods as templates call them (`"x".center(5)`, `title.split(": ", 1)`),
//! each as CPython 3 does it, with positional and keyword arguments. Where Rust's standard
//! library cannot give Python's answer (Unicode character classes beyond ASCII, `casefold`,
//! the title case of a few characters, the final-sigma rule) the method is refused on that
//! text, naming it, rather than answer differently; so are the methods no changelog
//! template can use (`encode`, `maketrans`, `translate`). Indexes are in characters, as in
//! Python.

use minijinja::value::Tuple;
use minijinja::{Error, ErrorKind, Value};

use super::*;

/// The arguments of a call by Python's signature `names` (the first `required` of them
/// required): positional ones first, then keyword ones; `None` for each not given.
fn signature(
    method: &str,
    args: &[Value],
    names: &[&str],
    required: usize,
) -> R<Vec<Option<Value>>> {
    let (positional, kwargs) = match args.split_last() {
        Some((last, rest)) if last.is_kwargs() => (rest, Some(last)),
        _ => (args, None),
    };
    if positional.len() > names.len() {
        return Err(Error::new(
            ErrorKind::TooManyArguments,
            format!(
                "str.{method}() takes at most {} argument(s) ({} given)",
                names.len(),
                positional.len()
            ),
        ));
    }
    let mut out: Vec<Option<Value>> = names.iter().map(|_| None).collect();
    for (slot, v) in out.iter_mut().zip(positional) {
        *slot = Some(v.clone());
    }
    if let Some(kwargs) = kwargs {
        for key in kwargs.try_iter()? {
            let name = key.as_str().unwrap_or_default();
            let Some(i) = names.iter().position(|n| *n == name) else {
                return Err(fail(format!(
                    "str.{method}() got an unexpected keyword argument '{name}'"
                )));
            };
            if out[i].is_some() {
                return Err(fail(format!(
                    "str.{method}() got multiple values for argument '{name}'"
                )));
            }
            out[i] = Some(kwargs.get_item(&key)?);
        }
    }
    if let Some(missing) = out[..required].iter().position(Option::is_none) {
        return Err(Error::new(
            ErrorKind::MissingArgument,
            format!(
                "str.{method}() is missing its argument '{}'",
                names[missing]
            ),
        ));
    }
    Ok(out)
}

fn string_arg(method: &str, v: &Value) -> R<String> {
    v.as_str().map(str::to_string).ok_or_else(|| {
        fail(format!(
            "str.{method}(): must be str, not {}",
            crate::pycompat::repr::py_type_name(v)
        ))
    })
}

/// A string argument that may be `None` (Python's default for `sep`, `chars`).
fn opt_string_arg(method: &str, v: &Option<Value>) -> R<Option<String>> {
    match v {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => string_arg(method, v).map(Some),
    }
}

fn int_arg(method: &str, v: &Option<Value>, default: i64) -> R<i64> {
    match v {
        None => Ok(default),
        Some(v) if v.kind() == minijinja::value::ValueKind::Bool => Ok(i64::from(v.is_true())),
        Some(v) if v.is_integer() => v
            .as_i64()
            .ok_or_else(|| fail(format!("str.{method}(): Python int too large to convert"))),
        Some(v) => Err(fail(format!(
            "str.{method}(): '{}' object cannot be interpreted as an integer",
            crate::pycompat::repr::py_type_name(v)
        ))),
    }
}

/// An optional slice bound (`start`/`end`), `None` allowed.
fn bound_arg(method: &str, v: &Option<Value>) -> R<Option<i64>> {
    match v {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        some => int_arg(method, some, 0).map(Some),
    }
}

/// CPython's `ADJUST_INDICES`: negative bounds count from the end; `end` is clamped to the
/// length, `start` is not (a start past the end finds nothing).
fn adjust(start: Option<i64>, end: Option<i64>, len: usize) -> (usize, usize) {
    let len = len as i64;
    let mut end = end.unwrap_or(len);
    if end > len {
        end = len;
    } else if end < 0 {
        end = (end + len).max(0);
    }
    let mut start = start.unwrap_or(0);
    if start < 0 {
        start = (start + len).max(0);
    }
    (start as usize, end as usize)
}

/// The characters Python's `str.title`/`capitalize` turn into a title-case letter that is
/// not their upper case (the DŽ digraphs; Georgian, whose title case is itself).
fn title_differs(c: char) -> bool {
    matches!(c as u32, 0x1C4..=0x1CC | 0x1F1..=0x1F3 | 0x10D0..=0x10FA | 0x10FD..=0x10FF)
}

/// The title-case letters (Unicode category Lt), which Python counts as cased but neither
/// upper nor lower case.
fn is_titlecase(c: char) -> bool {
    matches!(c as u32, 0x1C5 | 0x1C8 | 0x1CB | 0x1F2 | 0x1F88..=0x1F8F | 0x1F98..=0x1F9F
        | 0x1FA8..=0x1FAF | 0x1FBC | 0x1FCC | 0x1FFC)
}

fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || is_titlecase(c)
}

/// Python's `str.title()` of `s`: each run of cased letters starts with its title case, the
/// rest lower case. `None` where Rust's tables cannot tell Python's answer (see
/// [`title_known`]).
pub fn py_title(s: &str) -> Option<String> {
    if !s.chars().all(title_known) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut previous_cased = false;
    for c in s.chars() {
        if previous_cased {
            out.extend(c.to_lowercase());
        } else {
            out.push_str(&to_title(c).unwrap_or_else(|| c.to_string()));
        }
        previous_cased = is_cased(c);
    }
    Some(out)
}

/// Whether `str.title()` of `c` is known here (the final sigma's rule and title-case letters
/// Rust's tables do not hold are not).
fn title_known(c: char) -> bool {
    c != 'Σ' && (c.is_ascii() || !is_cased(c) || to_title(c).is_some())
}

/// Python's title case of `c`, or `None` where Rust's tables cannot tell it.
fn to_title(c: char) -> Option<String> {
    let upper: String = c.to_uppercase().collect();
    (upper.chars().count() == 1 && !title_differs(c)).then_some(upper)
}

/// Refuse `method` on `s` when `ok` fails for some character (Rust cannot give Python's
/// answer there).
fn refuse_unless(method: &str, s: &str, ok: impl Fn(char) -> bool) -> R<()> {
    match s.chars().find(|c| !ok(*c)) {
        None => Ok(()),
        Some(c) => Err(fail(format!(
            "str.{method}() is not supported by git-release on text with {c:?} (U+{:04X}): \
             Python's Unicode tables decide there",
            c as u32
        ))),
    }
}

/// Python's `str.split(sep=None, maxsplit=-1)` (`rsplit` with `reverse`).
fn split(s: &str, sep: Option<&str>, maxsplit: i64, reverse: bool) -> R<Vec<String>> {
    let max = usize::try_from(maxsplit).unwrap_or(usize::MAX);
    let mut out: Vec<String> = Vec::new();
    match sep {
        Some("") => return Err(fail("str.split(): empty separator")),
        Some(sep) if !reverse => {
            out.extend(s.splitn(max.saturating_add(1), sep).map(String::from));
        }
        Some(sep) => {
            out.extend(s.rsplitn(max.saturating_add(1), sep).map(String::from));
            out.reverse();
        }
        None => {
            // Runs of whitespace separate; none at either end counts; after `maxsplit`
            // splits the rest is kept whole (its leading whitespace stripped).
            let chars: Vec<char> = if reverse {
                s.chars().rev().collect()
            } else {
                s.chars().collect()
            };
            let mut i = 0;
            let n = chars.len();
            while i < n {
                while i < n && py_isspace(chars[i]) {
                    i += 1;
                }
                if i == n {
                    break;
                }
                if out.len() == max {
                    // The rest as it is, trailing whitespace included (CPython).
                    out.push(chars[i..].iter().collect());
                    break;
                }
                let start = i;
                while i < n && !py_isspace(chars[i]) {
                    i += 1;
                }
                out.push(chars[start..i].iter().collect());
            }
            if reverse {
                out = out
                    .into_iter()
                    .rev()
                    .map(|w| w.chars().rev().collect())
                    .collect();
            }
        }
    }
    Ok(out)
}

fn pad(s: &str, width: i64, fill: char, left: usize, what: &str) -> R<String> {
    let len = s.chars().count();
    let width = width::checked(width, what)?;
    if width <= len {
        return Ok(s.to_string());
    }
    let right = width - len - left;
    let fill = fill.to_string();
    Ok(format!("{}{s}{}", fill.repeat(left), fill.repeat(right)))
}

fn fill_arg(method: &str, v: &Option<Value>) -> R<char> {
    match v {
        None => Ok(' '),
        Some(v) => {
            let s = string_arg(method, v)?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(fail(format!(
                    "str.{method}(): the fill character must be exactly one character long"
                ))),
            }
        }
    }
}

/// Python's `str.<method>(*args)` on `s`; `Err(UnknownMethod)` for a name `str` lacks.
pub(crate) fn call(s: &str, method: &str, args: &[Value]) -> R<Value> {
    // The common call, `text.endswith("…")`: one str affix and no bounds. Python compares
    // code points, and a UTF-8 suffix (or prefix) of code points is one of bytes; the
    // general path below (bounds, tuples of affixes) copies the text into characters.
    if let ("startswith" | "endswith", [affix]) = (method, args) {
        if let Some(affix) = affix.as_str() {
            return Ok(Value::from(if method == "startswith" {
                s.starts_with(affix)
            } else {
                s.ends_with(affix)
            }));
        }
    }
    let sig = |names: &[&str], required: usize| signature(method, args, names, required);
    let chars = || s.chars().collect::<Vec<char>>();
    let what = format!("str.{method}()");
    Ok(match method {
        "upper" | "lower" | "casefold" | "swapcase" | "title" | "capitalize" => {
            sig(&[], 0)?;
            match method {
                "upper" => Value::from(s.to_uppercase()),
                "lower" => Value::from(s.to_lowercase()),
                "casefold" => {
                    refuse_unless(method, s, |c| c.is_ascii())?;
                    Value::from(s.to_ascii_lowercase())
                }
                "swapcase" => {
                    refuse_unless(method, s, |c| c != 'Σ' && c != 'ς')?;
                    Value::from(
                        s.chars()
                            .map(|c| {
                                if c.is_uppercase() {
                                    c.to_lowercase().collect::<String>()
                                } else if c.is_lowercase() {
                                    c.to_uppercase().collect()
                                } else {
                                    c.to_string()
                                }
                            })
                            .collect::<String>(),
                    )
                }
                "title" => {
                    refuse_unless(method, s, title_known)?;
                    Value::from(py_title(s).unwrap_or_default())
                }
                _ => {
                    refuse_unless(method, s, |c| c != 'Σ')?;
                    let mut it = s.chars();
                    match it.next() {
                        None => Value::from(""),
                        Some(first) => {
                            let title = to_title(first).ok_or_else(|| {
                                fail(format!(
                                    "str.capitalize() is not supported by git-release on text \
                                     starting with {first:?}: Python's Unicode tables decide there"
                                ))
                            })?;
                            Value::from(title + &it.as_str().to_lowercase())
                        }
                    }
                }
            }
        }
        "isascii" | "isspace" | "islower" | "isupper" | "istitle" | "isalpha" | "isalnum"
        | "isdecimal" | "isdigit" | "isnumeric" | "isidentifier" | "isprintable" => {
            sig(&[], 0)?;
            let ascii_only = matches!(
                method,
                "isalpha" | "isalnum" | "isdecimal" | "isdigit" | "isnumeric" | "isidentifier"
            );
            if ascii_only {
                refuse_unless(method, s, |c| c.is_ascii())?;
            }
            let nonempty = !s.is_empty();
            Value::from(match method {
                "isascii" => s.is_ascii(),
                "isspace" => nonempty && s.chars().all(py_isspace),
                "islower" => {
                    !s.chars().any(|c| c.is_uppercase() || is_titlecase(c))
                        && s.chars().any(|c| c.is_lowercase())
                }
                "isupper" => {
                    !s.chars().any(|c| c.is_lowercase() || is_titlecase(c))
                        && s.chars().any(|c| c.is_uppercase())
                }
                "istitle" => {
                    let (mut cased, mut previous_cased) = (false, false);
                    let mut ok = true;
                    for c in s.chars() {
                        if c.is_uppercase() || is_titlecase(c) {
                            ok &= !previous_cased;
                            previous_cased = true;
                            cased = true;
                        } else if c.is_lowercase() {
                            ok &= previous_cased;
                            previous_cased = true;
                            cased = true;
                        } else {
                            previous_cased = false;
                        }
                    }
                    ok && cased
                }
                "isalpha" => nonempty && s.bytes().all(|b| b.is_ascii_alphabetic()),
                "isalnum" => nonempty && s.bytes().all(|b| b.is_ascii_alphanumeric()),
                "isdecimal" | "isdigit" | "isnumeric" => {
                    nonempty && s.bytes().all(|b| b.is_ascii_digit())
                }
                "isidentifier" => {
                    s.bytes()
                        .next()
                        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                }
                // `isprintable`, by Python's own tables.
                _ => s.chars().all(crate::pycompat::repr::py_isprintable),
            })
        }
        "strip" | "lstrip" | "rstrip" => {
            let a = sig(&["chars"], 0)?;
            let set = opt_string_arg(method, &a[0])?;
            let strip = |c: char| match &set {
                None => py_isspace(c),
                Some(set) => set.contains(c),
            };
            Value::from(match method {
                "strip" => s.trim_matches(strip),
                "lstrip" => s.trim_start_matches(strip),
                _ => s.trim_end_matches(strip),
            })
        }
        "split" | "rsplit" => {
            let a = sig(&["sep", "maxsplit"], 0)?;
            let sep = opt_string_arg(method, &a[0])?;
            let max = int_arg(method, &a[1], -1)?;
            let parts = split(s, sep.as_deref(), max, method == "rsplit")
                .map_err(|_| fail(format!("str.{method}(): empty separator")))?;
            Value::from(parts)
        }
        "splitlines" => {
            let a = sig(&["keepends"], 0)?;
            let keep = a[0].as_ref().is_some_and(Value::is_true);
            let lines = py_splitlines_keepends(s).into_iter();
            Value::from(if keep {
                lines.map(String::from).collect::<Vec<_>>()
            } else {
                lines.map(|l| text::strip_line_end(l).to_string()).collect()
            })
        }
        "startswith" | "endswith" => {
            let a = sig(&["prefix", "start", "end"], 1)?;
            let c = chars();
            let (start, end) = adjust(
                bound_arg(method, &a[1])?,
                bound_arg(method, &a[2])?,
                c.len(),
            );
            let affixes: Vec<String> = match &a[0] {
                Some(v) if v.is_tuple() => v
                    .try_iter()?
                    .map(|p| string_arg(method, &p))
                    .collect::<R<_>>()?,
                Some(v) if v.as_str().is_some() => vec![string_arg(method, v)?],
                Some(v) => {
                    return Err(fail(format!(
                        "{method} first arg must be str or a tuple of str, not {}",
                        crate::pycompat::repr::py_type_name(v)
                    )));
                }
                None => unreachable!("required by the signature"),
            };
            Value::from(affixes.iter().any(|p| {
                let p: Vec<char> = p.chars().collect();
                if start > end || end - start < p.len() {
                    return false;
                }
                if method == "startswith" {
                    c[start..start + p.len()] == p[..]
                } else {
                    c[end - p.len()..end] == p[..]
                }
            }))
        }
        "find" | "rfind" | "index" | "rindex" | "count" => {
            let a = sig(&["sub", "start", "end"], 1)?;
            let sub: Vec<char> = string_arg(method, a[0].as_ref().unwrap_or(&Value::UNDEFINED))?
                .chars()
                .collect();
            let c = chars();
            let (start, end) = adjust(
                bound_arg(method, &a[1])?,
                bound_arg(method, &a[2])?,
                c.len(),
            );
            let positions: Vec<usize> = if start > end || end - start < sub.len() {
                Vec::new()
            } else {
                (start..=end - sub.len())
                    .filter(|&i| c[i..i + sub.len()] == sub[..])
                    .collect()
            };
            match method {
                "count" => {
                    // Non-overlapping matches, left to right.
                    let mut n = 0;
                    let mut next = 0;
                    for &p in &positions {
                        if p >= next {
                            n += 1;
                            next = p + sub.len().max(1);
                        }
                    }
                    Value::from(if sub.is_empty() { positions.len() } else { n })
                }
                _ => {
                    let found = if method.starts_with('r') {
                        positions.last()
                    } else {
                        positions.first()
                    };
                    match (found, method) {
                        (Some(&p), _) => Value::from(p),
                        (None, "find" | "rfind") => Value::from(-1),
                        (None, _) => return Err(fail(format!("{what}: substring not found"))),
                    }
                }
            }
        }
        "replace" => {
            let a = sig(&["old", "new", "count"], 2)?;
            let (old, new) = (
                string_arg(method, a[0].as_ref().unwrap_or(&Value::UNDEFINED))?,
                string_arg(method, a[1].as_ref().unwrap_or(&Value::UNDEFINED))?,
            );
            let count = int_arg(method, &a[2], -1)?;
            let matches = if old.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(old.as_str()).count()
            };
            let n = usize::try_from(count).map_or(matches, |c| c.min(matches));
            let grown = s.len() as i64 + n as i64 * (new.len() as i64 - old.len() as i64);
            width::checked(grown, &what)?;
            Value::from(s.replacen(old.as_str(), &new, n))
        }
        "join" => {
            let a = sig(&["iterable"], 1)?;
            let items = a[0].as_ref().unwrap_or(&Value::UNDEFINED);
            let mut parts = Vec::new();
            for (i, item) in items.try_iter()?.enumerate() {
                parts.push(item.as_str().map(str::to_string).ok_or_else(|| {
                    fail(format!(
                        "str.join(): sequence item {i}: expected str instance, {} found",
                        crate::pycompat::repr::py_type_name(&item)
                    ))
                })?);
            }
            let total: usize = parts.iter().map(String::len).sum::<usize>()
                + s.len() * parts.len().saturating_sub(1);
            width::checked(total as i64, &what)?;
            Value::from(parts.join(s))
        }
        "center" | "ljust" | "rjust" => {
            let a = sig(&["width", "fillchar"], 1)?;
            let width = int_arg(method, &a[0], 0)?;
            let fill = fill_arg(method, &a[1])?;
            let len = s.chars().count() as i64;
            let marg = width.saturating_sub(len).max(0);
            let left = match method {
                "ljust" => 0,
                "rjust" => marg,
                _ => marg / 2 + (marg & width & 1),
            };
            Value::from(pad(s, width, fill, left as usize, &what)?)
        }
        "zfill" => {
            let a = sig(&["width"], 1)?;
            let width = int_arg(method, &a[0], 0)?;
            let len = s.chars().count() as i64;
            let zeros = width::checked(width.saturating_sub(len), &what)?;
            let (sign, rest) = match s.strip_prefix(['+', '-']) {
                Some(rest) => (&s[..1], rest),
                None => ("", s),
            };
            Value::from(format!("{sign}{}{rest}", "0".repeat(zeros)))
        }
        "expandtabs" => {
            let a = sig(&["tabsize"], 0)?;
            let size = int_arg(method, &a[0], 8)?;
            let size = width::checked(size, &what)?;
            let mut out = String::with_capacity(s.len());
            let mut column = 0usize;
            for c in s.chars() {
                match c {
                    '\t' => {
                        if size > 0 {
                            let n = size - column % size;
                            out.push_str(&" ".repeat(n));
                            column += n;
                        }
                    }
                    '\n' | '\r' => {
                        out.push(c);
                        column = 0;
                    }
                    c => {
                        out.push(c);
                        column += 1;
                    }
                }
                width::checked(column as i64, &what)?;
            }
            Value::from(out)
        }
        "partition" | "rpartition" => {
            let a = sig(&["sep"], 1)?;
            let sep = string_arg(method, a[0].as_ref().unwrap_or(&Value::UNDEFINED))?;
            if sep.is_empty() {
                return Err(fail(format!("{what}: empty separator")));
            }
            let found = if method == "partition" {
                s.split_once(sep.as_str())
            } else {
                s.rsplit_once(sep.as_str())
            };
            let parts: [Value; 3] = match (found, method) {
                (Some((a, b)), _) => [Value::from(a), Value::from(sep), Value::from(b)],
                (None, "partition") => [Value::from(s), Value::from(""), Value::from("")],
                (None, _) => [Value::from(""), Value::from(""), Value::from(s)],
            };
            Value::from(Tuple::from(parts))
        }
        "removeprefix" | "removesuffix" => {
            let a = sig(&["affix"], 1)?;
            let affix = string_arg(method, a[0].as_ref().unwrap_or(&Value::UNDEFINED))?;
            Value::from(if method == "removeprefix" {
                s.strip_prefix(affix.as_str()).unwrap_or(s)
            } else {
                s.strip_suffix(affix.as_str()).unwrap_or(s)
            })
        }
        "encode" | "maketrans" | "translate" | "format_map" => {
            return Err(fail(format!(
                "{what} is not supported by git-release in templates"
            )));
        }
        _ => return Err(Error::from(ErrorKind::UnknownMethod)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_str(s: &str, method: &str, args: &[Value]) -> R<String> {
        call(s, method, args).map(|v| py_str(&v))
    }

    #[test]
    fn one_affix_compares_code_points_as_python_does() {
        // (text, affix, startswith, endswith), as Python answers them.
        for (text, affix, starts, ends) in [
            ("café", "é", false, true),
            ("café", "caf", true, false),
            ("é", "\u{301}", false, false),
            ("", "", true, true),
            ("abc", "", true, true),
            ("ab", "abc", false, false),
        ] {
            let args = [Value::from(affix)];
            assert_eq!(
                call_str(text, "startswith", &args).unwrap(),
                if starts { "True" } else { "False" },
                "{text:?}.startswith({affix:?})"
            );
            assert_eq!(
                call_str(text, "endswith", &args).unwrap(),
                if ends { "True" } else { "False" },
                "{text:?}.endswith({affix:?})"
            );
        }
    }

    #[test]
    fn hostile_arguments_are_answered_or_refused_not_a_crash() {
        let min = Value::from(i64::MIN);
        let max = Value::from(i64::MAX);
        assert_eq!(
            call_str("ab", "zfill", std::slice::from_ref(&min)).unwrap(),
            "ab"
        );
        assert_eq!(
            call_str("ab", "center", std::slice::from_ref(&min)).unwrap(),
            "ab"
        );
        assert_eq!(
            call_str("ab", "ljust", std::slice::from_ref(&min)).unwrap(),
            "ab"
        );
        for method in ["zfill", "center", "rjust", "expandtabs"] {
            let e = call_str("a\tb", method, std::slice::from_ref(&max))
                .unwrap_err()
                .to_string();
            assert!(e.contains("limit") && e.contains(method), "{method}: {e}");
        }
        assert_eq!(
            call_str("abc", "find", &["b".into(), min.clone(), max.clone()]).unwrap(),
            "1"
        );
        assert_eq!(
            call_str("abc", "count", &["".into(), max.clone()]).unwrap(),
            "0"
        );
        assert_eq!(
            call_str("abc", "startswith", &["a".into(), max]).unwrap(),
            "False"
        );
        assert!(call_str("abc", "split", &["".into()]).is_err());
        assert!(call_str("abc", "partition", &["".into()]).is_err());
        assert!(call_str("abc", "index", &["z".into()]).is_err());
        assert!(call_str("abc", "join", &[Value::from(vec![1, 2])]).is_err());
        let e = call_str("abc", "encode", &[]).unwrap_err().to_string();
        assert!(e.contains("str.encode()"), "{e}");
    }
}
