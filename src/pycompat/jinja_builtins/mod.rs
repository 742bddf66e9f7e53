//! Jinja2's built-in globals, filters and tests where minijinja's differ from them, as
//! towncrier runs Jinja2 (a default `Environment`: no autoescape, `Undefined` lenient).
//!
//! Each replacement follows `jinja2/filters.py`, `jinja2/tests.py` and
//! `jinja2/defaults.py` (Jinja2 3.1, the version towncrier 26.9 installs). Built-ins whose
//! result would change from one build to the next (`random`, `lipsum`) and the few not
//! reproduced (`urlize`; `wordwrap` on text with a hyphen) fail with a message naming them instead of printing
//! something else. `tests/fixtures/towncrier-cases/jinja-*` checks each against Jinja2.

mod iterators;
mod numbers;
mod objects;
mod sorting;
mod strmethods;
mod text;
pub(crate) mod width;

use std::sync::Mutex;

use minijinja::value::{Kwargs, Rest, StringInput};
use minijinja::{Environment, Error, ErrorKind, State, Value};

pub(crate) use numbers::py_pow;
pub use objects::custom_repr;
pub(crate) use objects::{getattr, is_method_name, is_range};
pub(crate) use sorting::py_sort_values;
pub use strmethods::py_title;
pub(crate) use text::html_escape;

use iterators::*;
use numbers::*;
use objects::*;
use sorting::*;
use text::*;

use super::repr::{py_float_repr, py_repr, py_repr_str, py_str, unprintable};
use super::strings::{py_isspace, py_splitlines_keepends, py_strip};

pub(crate) type R<T> = std::result::Result<T, Error>;

/// A keyword argument that may be given as `None` (which `Option<Value>` would hide).
pub(crate) fn kwarg(kwargs: &Kwargs, name: &str) -> R<Option<Value>> {
    if kwargs.has(name) {
        kwargs.get::<Value>(name).map(Some)
    } else {
        Ok(None)
    }
}

/// A filter's arguments by position in `names`, each given positionally or by keyword
/// (Jinja2's filters are Python functions); unknown keywords and extra positions refused.
pub(crate) fn arguments(
    args: &Rest<Value>,
    kwargs: &Kwargs,
    names: &[&str],
) -> R<Vec<Option<Value>>> {
    if args.len() > names.len() {
        return Err(Error::from(ErrorKind::TooManyArguments));
    }
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        out.push(match args.get(i) {
            Some(v) => Some(v.clone()),
            None => kwarg(kwargs, name)?,
        });
    }
    kwargs.assert_all_used()?;
    Ok(out)
}

/// The items a filter iterates: none of an undefined value (Jinja2's `Undefined` iterates
/// empty).
pub(crate) fn items_of(value: &Value) -> R<Vec<Value>> {
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    Ok(value.try_iter()?.collect())
}

pub(crate) fn fail(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// Methods called on template values that minijinja does not know: Python's `str` methods
/// ([`strmethods`]), `str.format` and `dict.get`/`items`/`keys`/`values` and `list.count`
/// (minijinja-contrib's); the other methods of Python's `dict` and `list` are refused by
/// name (a list the template builds with `[…]` has its own, in `jinja.rs`).
pub fn unknown_method(
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
    method: &str,
    args: &[Value],
) -> R<Value> {
    use minijinja::value::ValueKind as K;
    width::check_method(value, method, args)?;
    const DICT: &[&str] = &[
        "clear",
        "copy",
        "fromkeys",
        "pop",
        "popitem",
        "setdefault",
        "update",
    ];
    const LIST: &[&str] = &[
        "append", "clear", "copy", "extend", "index", "insert", "pop", "remove", "reverse", "sort",
    ];
    match value.kind() {
        K::String if value.is_safe() => {
            return markup_method(state, value.as_str().unwrap_or_default(), method, args);
        }
        K::String if method == "format" => {
            return super::format::py_str_format(state, value.as_str().unwrap_or_default(), args);
        }
        K::String => {
            return strmethods::call(value.as_str().unwrap_or_default(), method, args);
        }
        K::Map if DICT.contains(&method) => {
            return Err(fail(format!(
                "dict.{method}() is not supported by git-release in templates"
            )));
        }
        // `index` changes nothing: Python's, on any list or tuple.
        K::Seq if method == "index" => {
            let items: Vec<Value> = value.try_iter()?.collect();
            return seq_index(
                &items,
                args,
                if value.is_tuple() { "tuple" } else { "list" },
            );
        }
        K::Seq | K::Iterable if LIST.contains(&method) => {
            return Err(fail(format!(
                "list.{method}() is not supported by git-release on this list (only on a \
                 list the template builds with `[…]`)"
            )));
        }
        K::Map if matches!(method, "items" | "keys" | "values") => {
            let view =
                minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)?;
            return Ok(Value::from_object(DictView {
                kind: match method {
                    "items" => "items",
                    "keys" => "keys",
                    _ => "values",
                },
                items: Value::from(view.try_iter()?.collect::<Vec<_>>()),
            }));
        }
        _ => {}
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
}

/// markupsafe's `Markup` methods (3.0): `format`, `format_map` and `join` escape what they
/// are given, `replace` its new text, `ljust`/`rjust`/`center` their fill; the result is
/// Markup, and so are the parts of `split`, `rsplit`, `splitlines`, `partition` and
/// `rpartition`, and what the other `str` methods returning text give. `unescape()` (all of
/// HTML's named entities) is refused by name.
fn markup_method(state: &mut State<'_, '_>, text: &str, method: &str, args: &[Value]) -> R<Value> {
    let escape = |v: &Value| -> Value {
        if v.is_safe() {
            v.clone()
        } else {
            Value::from_safe_string(html_escape(&py_str(v)))
        }
    };
    let markup = |v: Value| -> Value {
        match v.as_str() {
            Some(s) if v.kind() == minijinja::value::ValueKind::String => {
                Value::from_safe_string(s.to_string())
            }
            _ => v,
        }
    };
    let mut args = args.to_vec();
    match method {
        "format" => return super::format::markup_format(state, text, &args),
        "format_map" => {
            let [mapping] = args.as_slice() else {
                return Err(fail("Markup.format_map() takes exactly one argument"));
            };
            let mut keywords = Vec::new();
            for key in mapping.try_iter()? {
                let value = mapping.get_item(&key)?;
                keywords.push((py_str(&key), value));
            }
            let kwargs = Value::from(Kwargs::from_iter(keywords));
            return super::format::markup_format(state, text, &[kwargs]);
        }
        "join" => {
            let [items] = args.as_slice() else {
                return Err(fail("Markup.join() takes exactly one argument"));
            };
            let parts: Vec<String> = items_of(items)?
                .iter()
                .map(|v| py_str(&escape(v)))
                .collect();
            return Ok(Value::from_safe_string(parts.join(text)));
        }
        "replace" | "ljust" | "rjust" | "center" => {
            if let Some(arg) = args.get_mut(1) {
                *arg = escape(arg);
            }
        }
        "striptags" if args.is_empty() => return striptags(text),
        "unescape" => {
            return Err(fail(
                "Markup.unescape() is not supported by git-release (Python's html.unescape \
                 and its table of named entities)",
            ));
        }
        _ => {}
    }
    // The text Python's `str` gives, in `Markup`.
    let result = strmethods::call(text, method, &args)?;
    Ok(match method {
        "split" | "rsplit" | "splitlines" | "partition" | "rpartition" => {
            let parts: Vec<Value> = result.try_iter()?.map(markup).collect();
            if result.is_tuple() {
                Value::from(minijinja::value::Tuple::from(parts))
            } else {
                Value::from(parts)
            }
        }
        "capitalize" | "title" | "lower" | "upper" | "replace" | "ljust" | "rjust" | "lstrip"
        | "rstrip" | "center" | "strip" | "translate" | "expandtabs" | "swapcase" | "zfill"
        | "casefold" | "removeprefix" | "removesuffix" => markup(result),
        _ => result,
    })
}

/// `list.index(x[, start[, end]])` (and `tuple.index`): the first position of `x` from
/// `start` (negative counts from the end) up to `end`; Python's `ValueError` if absent.
pub(crate) fn seq_index(items: &[Value], args: &[Value], kind: &str) -> R<Value> {
    let len = items.len() as i64;
    let bound = |v: Option<&Value>, default: i64| -> R<usize> {
        let Some(v) = v else {
            return Ok(default as usize);
        };
        let i = v.as_i64().ok_or_else(|| {
            fail(format!(
                "{kind}.index(): slice indices must be integers, not {}",
                super::repr::py_type_name(v)
            ))
        })?;
        Ok((if i < 0 { (i + len).max(0) } else { i.min(len) }) as usize)
    };
    let (Some(x), true) = (args.first(), args.len() <= 3) else {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{kind}.index() takes 1 to 3 positional arguments"),
        ));
    };
    let (start, end) = (bound(args.get(1), 0)?, bound(args.get(2), len)?);
    (start..end.max(start))
        .find(|&i| items[i] == *x)
        .map(Value::from)
        .ok_or_else(|| {
            fail(if kind == "tuple" {
                "tuple.index(x): x not in tuple".to_string()
            } else {
                format!("{} is not in list", py_repr(x))
            })
        })
}

/// `wordwrap(s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True)`:
/// each line of `s` wrapped by Python's `textwrap.wrap`, joined with `wrapstring` (`\n`).
/// Where a `-` would let Python's hyphen rules (look-behinds on Unicode word classes)
/// decide, it is refused by name.
fn wordwrap(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let [width, break_long_words, wrapstring, break_on_hyphens] =
        <[Option<Value>; 4]>::try_from(arguments(
            &args,
            &kwargs,
            &[
                "width",
                "break_long_words",
                "wrapstring",
                "break_on_hyphens",
            ],
        )?)
        .unwrap_or_default();
    let width = match &width {
        None => 79,
        Some(w) => w.as_i64().ok_or_else(|| {
            fail(format!(
                "wordwrap: the width must be an integer, not {}",
                py_repr(w)
            ))
        })?,
    };
    let break_long_words = break_long_words.is_none_or(|b| b.is_true());
    let break_on_hyphens = break_on_hyphens.is_none_or(|b| b.is_true());
    let wrapstring = wrapstring
        .filter(|w| !w.is_none() && !w.is_undefined())
        .map_or_else(|| "\n".to_string(), |w| py_str(&w));
    // `s.splitlines()`: a string only.
    let Some(text) = value.as_str() else {
        return Err(fail(format!(
            "wordwrap: '{}' object has no attribute 'splitlines'",
            super::repr::py_type_name(&value)
        )));
    };
    if break_on_hyphens && text.contains('-') {
        return Err(fail(
            "the wordwrap filter is not supported by git-release on text with a `-` \
             (Python's rules for breaking at hyphens decide there); pass \
             break_on_hyphens=false",
        ));
    }
    let lines: Vec<&str> = py_splitlines_keepends(text)
        .into_iter()
        .map(|l| {
            l.strip_suffix("\r\n")
                .or_else(|| l.strip_suffix(is_line_break))
                .unwrap_or(l)
        })
        .collect();
    if !lines.is_empty() && width <= 0 {
        return Err(fail(format!(
            "wordwrap: invalid width {width} (must be > 0)"
        )));
    }
    let width = width::checked(width, "wordwrap")?;
    let wrapped: Vec<String> = lines
        .iter()
        .map(|line| super::textwrap::wrap_words(line, width, break_long_words).join(&wrapstring))
        .collect();
    Ok(Value::from(wrapped.join(&wrapstring)))
}

/// A character `str.splitlines` breaks at.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// A float as Python's `str()` writes it, for minijinja's filters that would print it in
/// Rust's way; any other value as it is.
pub(crate) fn float_as_text(v: Value) -> Value {
    if v.kind() == minijinja::value::ValueKind::Number && !v.is_integer() {
        Value::from(py_str(&v))
    } else {
        v
    }
}

/// Register the replacements on `env`.
pub fn register(env: &mut Environment<'static>) {
    // Jinja2's globals are classes (printed `<class 'range'>`), but for `lipsum`, a
    // function; minijinja's `debug` is not one of them.
    env.remove_global("debug");
    let minijinja_global = |env: &Environment<'static>, name: &str| {
        env.globals()
            .find(|(n, _)| *n == name)
            .map_or(Value::UNDEFINED, |(_, v)| v)
    };
    let classes = [
        ("range", "<class 'range'>", Value::from_function(range)),
        ("dict", "<class 'dict'>", minijinja_global(env, "dict")),
        (
            "namespace",
            "<class 'jinja2.utils.Namespace'>",
            namespace_class(minijinja_global(env, "namespace")),
        ),
        (
            "cycler",
            "<class 'jinja2.utils.Cycler'>",
            Value::from_function(|items: Rest<Value>| -> R<Value> {
                if items.is_empty() {
                    return Err(fail("cycler(): at least one item has to be provided"));
                }
                Ok(Value::from_object(Cycler {
                    items: items.0,
                    pos: Mutex::new(0),
                }))
            }),
        ),
        (
            "joiner",
            "<class 'jinja2.utils.Joiner'>",
            Value::from_function(|sep: Option<Value>| {
                Value::from_object(Joiner {
                    sep: sep.map_or_else(|| ", ".to_string(), |s| py_str(&s)),
                    used: Mutex::new(false),
                })
            }),
        ),
    ];
    for (name, repr, function) in classes {
        env.add_global(name, Value::from_object(PyClass { repr, function }));
    }
    env.add_global("self", Value::from_object(TemplateReference));
    env.add_function(
        super::jinja_source::VARIADIC_FN,
        |inner: Value, name: String, args: Vec<String>, varargs: bool, kwargs: bool| {
            Value::from_object(VariadicMacro {
                inner,
                name,
                args,
                varargs,
                kwargs,
                caller: false,
            })
        },
    );
    env.add_function(
        super::jinja_source::CALLER_FN,
        |callee: Value, args: Vec<String>, varargs: bool, kwargs: bool| {
            Value::from_object(CallerSite {
                callee,
                args,
                varargs,
                kwargs,
            })
        },
    );
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
    env.add_filter("wordwrap", wordwrap);

    // minijinja's string filters write a float as Rust prints it (`100000000000000000000.0`,
    // `0.00001`); Jinja2's call `str()` first (`1e+20`, `1e-05`). The float is made that text
    // before minijinja's own filter sees it.
    env.add_filter("upper", |state: &State, v: Value| -> R<Value> {
        let v = float_as_text(v);
        Ok(minijinja::filters::upper(StringInput::new(state, &v)?))
    });
    env.add_filter("lower", |state: &State, v: Value| -> R<Value> {
        let v = float_as_text(v);
        Ok(minijinja::filters::lower(StringInput::new(state, &v)?))
    });
    env.add_filter("capitalize", |state: &State, v: Value| -> R<Value> {
        let v = float_as_text(v);
        Ok(minijinja::filters::capitalize(StringInput::new(state, &v)?))
    });
    env.add_filter("title", |v: Value| -> String {
        minijinja::filters::title(std::borrow::Cow::Owned(py_str(&v)))
    });
    env.add_filter(
        "trim",
        |state: &State, v: Value, chars: Option<Value>| -> R<Value> {
            let v = float_as_text(v);
            let chars = chars.map(|c| std::borrow::Cow::Owned(py_str(&c)));
            Ok(minijinja::filters::trim(
                StringInput::new(state, &v)?,
                chars,
            ))
        },
    );
    // `replace(s, old, new, count=None)`: `str(s).replace(str(old), str(new), count)`.
    env.add_filter(
        "replace",
        |v: Value, old: Value, new: Value, count: Option<Value>, kwargs: Kwargs| -> R<Value> {
            let count = match count {
                Some(c) => Some(c),
                None => kwarg(&kwargs, "count")?,
            }
            .filter(|c| !c.is_none())
            .unwrap_or(Value::from(-1));
            kwargs.assert_all_used()?;
            let args = [Value::from(py_str(&old)), Value::from(py_str(&new)), count];
            strmethods::call(&py_str(&v), "replace", &args)
        },
    );
    env.add_filter("safe", |v: Value| Value::from_safe_string(py_str(&v)));
    // `soft_str`: a string (Markup too) as it is, anything else as Python's `str()`.
    env.add_filter("string", |v: Value| {
        if v.kind() == minijinja::value::ValueKind::String {
            v
        } else {
            Value::from(py_str(&v))
        }
    });
    env.add_filter("reverse", reverse);
    // `abs`: a bool is the int it is; -2^127's is past what git-release holds.
    env.add_filter("abs", |v: Value| -> R<Value> {
        if v.kind() == minijinja::value::ValueKind::Bool {
            return Ok(Value::from(i64::from(v.is_true())));
        }
        if v.is_integer() && i128::try_from(v.clone()).ok() == Some(i128::MIN) {
            return Err(int_too_large(&format!("abs({})", i128::MIN)));
        }
        minijinja::filters::abs(v)
    });
    env.add_filter("int", int);
    env.add_filter("round", round);
    env.add_filter("float", float);
    env.add_filter("map", map);
    env.add_filter("default", default);
    env.add_filter("d", default);
    env.add_filter("dictsort", dictsort);
    // minijinja's own fold only ASCII letters without case and take no positional flags.
    env.add_filter("sort", sort);
    env.add_filter("max", |v: Value, a: Rest<Value>, k: Kwargs| {
        extreme(v, a, k, true)
    });
    env.add_filter("min", |v: Value, a: Rest<Value>, k: Kwargs| {
        extreme(v, a, k, false)
    });
    env.add_filter("unique", unique);
    iterators::register(env);
    env.add_filter("escape", escape);
    env.add_filter("e", escape);
    env.add_filter("forceescape", |v: Value| {
        Value::from_safe_string(html_escape(&py_str(&v)))
    });
    env.add_filter("center", |v: Value, width: Option<i64>| -> R<Value> {
        let width = width.unwrap_or(80);
        width::checked(width, "center")?;
        // `Markup.center` gives a `Markup`.
        let text = py_center(&py_str(&v), width);
        Ok(if v.is_safe() {
            Value::from_safe_string(text)
        } else {
            Value::from(text)
        })
    });
    // `format(value, *args, **kwargs)`: `str(value) % (kwargs or args)`.
    env.add_filter(
        "format",
        |value: Value, args: Rest<Value>, kwargs: Kwargs| -> R<Value> {
            let names: Vec<String> = kwargs.args().map(str::to_string).collect();
            if !args.is_empty() && !names.is_empty() {
                return Err(fail(
                    "format: can't handle positional and keyword arguments at the same time",
                ));
            }
            let operand = if names.is_empty() {
                Value::from(minijinja::value::Tuple::from(args.0))
            } else {
                let mut map = std::collections::BTreeMap::new();
                for name in names {
                    let v: Value = kwargs.get(&name)?;
                    map.insert(name, v);
                }
                Value::from(map)
            };
            // `soft_str(value) % …`: a `Markup` stays one, and escapes what it is given.
            let text = py_str(&value);
            if value.is_safe() {
                super::percent::py_markup_percent(&text, &operand).map(Value::from_safe_string)
            } else {
                super::percent::py_percent(&text, &operand).map(Value::from)
            }
            .map_err(|m| fail(format!("format: {m}")))
        },
    );
    env.add_filter("filesizeformat", filesizeformat);
    env.add_filter("indent", indent);
    env.add_filter("join", join);
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
    // `isinstance(v, Mapping)`: a dict; not `loop`, a macro or a namespace, which minijinja
    // holds as maps.
    env.add_test("mapping", |v: Value| {
        v.kind() == minijinja::value::ValueKind::Map
            && !v.as_object().is_some_and(|o| {
                matches!(
                    o.type_name(),
                    "minijinja::vm::loop_object::Loop"
                        | "minijinja::vm::macro_object::Macro"
                        | "minijinja::value::namespace_object::Namespace"
                )
            })
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
