//! A minijinja environment that behaves like towncrier's Jinja2 one: `trim_blocks`,
//! lenient undefined values, Python printing, Python's `str`/`dict` methods, and *mutable*
//! list literals (towncrier's own Markdown template builds a list with `.append`, and
//! minijinja values are immutable: see [`super::jinja_source`]).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};

use minijinja::value::{Enumerator, Object, ObjectRepr, Rest};
use minijinja::{AutoEscape, Environment, ErrorKind, State, UndefinedBehavior, Value};

use super::jinja_builtins::is_range;
use super::repr::{py_repr, py_str, unprintable_in};
use crate::error::{Error, Result};

use super::jinja_source::{
    ADD_FN, CALLER_FN, CONCAT_FN, GETATTR_FN, LIST_FN, MOD_FN, MUL_FN, POW_FN, rewrite_source,
};

/// Render a Jinja2 template as towncrier does (`Template(src, trim_blocks=True)`).
///
/// `name` is the template's file (or `towncrier:<resource>`), named in every error.
pub fn render_template(name: &str, source: &str, ctx: Value) -> Result<String> {
    let env = compiled(name, source)?;
    let template = env
        .get_template(name)
        .map_err(|e| template_error(name, &e))?;
    let out = template.render(ctx).map_err(|e| template_error(name, &e))?;
    // A mark that reached the output another way than printing (a filter's text).
    if let Some(why) = unprintable_in(&out) {
        return Err(Error::Template {
            name: name.to_string(),
            message: why.to_string(),
        });
    }
    Ok(out)
}

/// The environment holding `source` compiled as the template `name`, compiled once per
/// process: a release renders the project's template for every fragment alone (which entry
/// each renders to), and compiling it each time cost ~3 ms per fragment (hostile18/02).
/// A template that does not compile is not kept (its error is said each time).
fn compiled(name: &str, source: &str) -> Result<Arc<Environment<'static>>> {
    type Cache = Vec<((String, String), Arc<Environment<'static>>)>;
    static CACHE: Mutex<Cache> = Mutex::new(Vec::new());
    let cache = || {
        CACHE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some((_, env)) = cache().iter().find(|(k, _)| k.0 == name && k.1 == source) {
        return Ok(env.clone());
    }
    let mut env = environment(name)?;
    let rewritten = rewrite_source(source).map_err(|message| Error::Template {
        name: name.to_string(),
        message,
    })?;
    // Kept for the process: the environment borrows its templates' text for its lifetime
    // (one or two distinct templates per run).
    let (static_name, static_source): (&'static str, &'static str) = (
        Box::leak(name.to_owned().into_boxed_str()),
        Box::leak(rewritten.into_owned().into_boxed_str()),
    );
    if let Err(err) = env.add_template(static_name, static_source) {
        // Reported against the user's own text when it has the error there.
        let err = match env.template_from_named_str(name, source) {
            Err(original) => original,
            Ok(_) => err,
        };
        return Err(template_error(name, &err));
    }
    let env = Arc::new(env);
    cache().push(((name.to_owned(), source.to_owned()), env.clone()));
    Ok(env)
}

fn template_error(name: &str, err: &minijinja::Error) -> Error {
    let mut message = match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    };
    // minijinja's integer arithmetic stops at ±2^127 (or 2^128): say that is what overflowed.
    let overflow = static_regex!(r"unable to calculate -?\d+ [-+*] -?\d+");
    if overflow.is_match(&message) {
        message.push_str(
            ": the result is beyond the integers git-release can hold (±2^127); Python would \
             print all its digits",
        );
    }
    // minijinja reserves names Jinja2 lets a template set (`self`, `loop`).
    if message.contains("cannot assign to reserved variable name self")
        || message.contains("cannot assign to reserved variable name loop")
    {
        message.push_str(
            " (Jinja2 lets a template set it, git-release does not support that: rename the \
             variable)",
        );
    }
    if let Some(line) = err.line() {
        let _ = write!(message, " (line {line})");
    }
    Error::Template {
        name: name.to_string(),
        message: message
            .replace(LIST_FN, "list")
            .replace(MOD_FN, "%")
            .replace(CONCAT_FN, "~")
            .replace(POW_FN, "**")
            .replace(GETATTR_FN, "getattr")
            .replace(CALLER_FN, "call")
            .replace(ADD_FN, "+")
            .replace(MUL_FN, "*"),
    }
}

/// A minijinja environment that behaves like towncrier's Jinja2 one.
fn environment(name: &str) -> Result<Environment<'static>> {
    let mut env = Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(false)
        .keep_trailing_newline(false)
        .build()
        .map_err(|e| template_error(name, &e))?;
    env.set_syntax(syntax);
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_unknown_method_callback(|state, value, method, args| {
        super::jinja_builtins::unknown_method(state, value, method, args)
    });
    env.set_formatter(|out, _state, value| {
        // A string is printed as it is (Python's `str()` of a str), without a copy.
        let text = match value.as_str() {
            Some(s) => Cow::Borrowed(s),
            None if value.is_undefined() => return Ok(()),
            None => Cow::Owned(py_str(value)),
        };
        // What Python would print with an address (or git-release cannot print as it does),
        // even inside a list or a string made of it, is refused by what it is.
        if let Some(why) = unprintable_in(&text) {
            return Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                why.to_string(),
            ));
        }
        out.write_str(&text)?;
        Ok(())
    });
    env.add_function(MOD_FN, |a: Value, b: Value| {
        super::percent::py_mod(&a, &b).map_err(|m| list_error(ErrorKind::InvalidOperation, m))
    });
    env.add_function(POW_FN, |a: Value, b: Value, quirk: Option<bool>| {
        super::jinja_builtins::py_pow(&a, &b, quirk)
    });
    env.add_function(GETATTR_FN, super::jinja_builtins::getattr);
    env.add_function(ADD_FN, |a: Value, b: Value| py_add(&a, &b));
    env.add_function(MUL_FN, |a: Value, b: Value| py_mul(&a, &b));
    env.add_function(CONCAT_FN, |a: Value, b: Value| {
        let mut text = py_str(&a);
        text.push_str(&py_str(&b));
        text
    });
    env.add_function(LIST_FN, |items: Rest<Value>| {
        Value::from_object(PyList(Mutex::new(items.0)))
    });
    super::jinja_builtins::register(&mut env);
    Ok(env)
}

/// minijinja's own `a <op> b` (`op` one of `+`, `*`), for what Python does the same way.
fn minijinja_op(op: &str, a: &Value, b: &Value) -> std::result::Result<Value, minijinja::Error> {
    use std::sync::LazyLock;
    static ENV: LazyLock<Environment<'static>> = LazyLock::new(Environment::new);
    static ADD: LazyLock<Option<minijinja::Expression<'static, 'static>>> =
        LazyLock::new(|| ENV.compile_expression("a + b").ok());
    static MUL: LazyLock<Option<minijinja::Expression<'static, 'static>>> =
        LazyLock::new(|| ENV.compile_expression("a * b").ok());
    let expression = if op == "+" { &ADD } else { &MUL };
    let expression = expression
        .as_ref()
        .ok_or_else(|| list_error(ErrorKind::InvalidOperation, format!("`{op}` unavailable")))?;
    expression.eval(minijinja::context! { a => a.clone(), b => b.clone() })
}

/// `a + b`: markupsafe's `Markup.__add__`/`__radd__` (the text side escaped, the result
/// Markup) where one side is Markup and the other text; else minijinja's `+`.
fn py_add(a: &Value, b: &Value) -> std::result::Result<Value, minijinja::Error> {
    let text = |v: &Value| v.kind() == minijinja::value::ValueKind::String;
    if text(a) && text(b) && (a.is_safe() || b.is_safe()) {
        let side = |v: &Value| {
            let s = v.as_str().unwrap_or_default();
            if v.is_safe() {
                s.to_string()
            } else {
                super::jinja_builtins::html_escape(s)
            }
        };
        return Ok(Value::from_safe_string(side(a) + &side(b)));
    }
    // A new list (tuple) of the items both hold now, as Python's; minijinja's is a view
    // that a later `.append()` to either side changes.
    let seq = |v: &Value| v.kind() == minijinja::value::ValueKind::Seq;
    if seq(a) && seq(b) {
        if is_range(a) || is_range(b) {
            return Err(unsupported("+", a, b));
        }
        let kind = |v: &Value| if v.is_tuple() { "tuple" } else { "list" };
        if kind(a) != kind(b) {
            return Err(list_error(
                ErrorKind::InvalidOperation,
                format!(
                    "+: Python raises TypeError (can only concatenate {} (not \"{}\") to {}), so \
                     towncrier fails on this template",
                    kind(a),
                    kind(b),
                    kind(a)
                ),
            ));
        }
        let mut items: Vec<Value> = a.try_iter()?.collect();
        items.extend(b.try_iter()?);
        return Ok(if a.is_tuple() {
            Value::from(minijinja::value::Tuple::from(items))
        } else {
            Value::from_object(PyList::new(items))
        });
    }
    minijinja_op("+", a, b)
}

/// `a * b`: Python's `TypeError` for a string or sequence times a float (minijinja repeats
/// it); else minijinja's `*`.
fn py_mul(a: &Value, b: &Value) -> std::result::Result<Value, minijinja::Error> {
    use minijinja::value::ValueKind as K;
    let sequence = |v: &Value| matches!(v.kind(), K::String | K::Seq | K::Iterable);
    let float = |v: &Value| v.kind() == K::Number && !v.is_integer();
    if (sequence(a) && float(b)) || (float(a) && sequence(b)) {
        return Err(list_error(
            ErrorKind::InvalidOperation,
            format!(
                "{} * {}: Python raises TypeError (can't multiply sequence by non-int of type \
                 'float'), so towncrier fails on this template",
                py_repr(a),
                py_repr(b)
            ),
        ));
    }
    // A new list (tuple) repeating the items, as Python's (minijinja's is a view).
    let count = |v: &Value| {
        (v.kind() == K::Number && v.is_integer())
            .then(|| v.as_i64())
            .flatten()
    };
    for (seq, n) in [(a, b), (b, a)] {
        if seq.kind() == K::Seq
            && let Some(n) = count(n)
        {
            if is_range(seq) {
                return Err(unsupported("*", a, b));
            }
            let items: Vec<Value> = seq.try_iter()?.collect();
            let n = usize::try_from(n).unwrap_or(0);
            let total = items.len().saturating_mul(n);
            super::jinja_builtins::width::checked(i64::try_from(total).unwrap_or(i64::MAX), "*")?;
            let repeated: Vec<Value> = items.iter().cycle().take(total).cloned().collect();
            return Ok(if seq.is_tuple() {
                Value::from(minijinja::value::Tuple::from(repeated))
            } else {
                Value::from_object(PyList::new(repeated))
            });
        }
    }
    minijinja_op("*", a, b)
}

/// Python's `TypeError` for an operator its operands' types do not have.
fn unsupported(op: &str, a: &Value, b: &Value) -> minijinja::Error {
    let name = |v: &Value| {
        if is_range(v) {
            "range"
        } else {
            super::repr::py_type_name(v)
        }
    };
    list_error(
        ErrorKind::InvalidOperation,
        format!(
            "{op}: Python raises TypeError (unsupported operand type(s) for {op}: '{}' and \
             '{}'), so towncrier fails on this template",
            name(a),
            name(b)
        ),
    )
}

/// A mutable Python list for templates: list literals become this, so that `.append()`
/// and friends work as in Jinja2 (they change the list and return `None`).
#[derive(Debug, Default)]
pub(crate) struct PyList(Mutex<Vec<Value>>);

impl PyList {
    pub(crate) fn new(items: Vec<Value>) -> PyList {
        PyList(Mutex::new(items))
    }

    fn items(&self) -> MutexGuard<'_, Vec<Value>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn list_error(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> minijinja::Error {
    minijinja::Error::new(kind, message)
}

/// Python's index normalisation: negative counts from the end; `None` when out of range.
fn py_index(index: i64, len: usize) -> Option<usize> {
    let i = if index < 0 { index + len as i64 } else { index };
    usize::try_from(i).ok().filter(|i| *i < len)
}

impl Object for PyList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let items = self.items();
        py_index(key.as_i64()?, items.len()).map(|i| items[i].clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.items().clone())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.items().len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> std::result::Result<Value, minijinja::Error> {
        let arity = |n: std::ops::RangeInclusive<usize>| {
            if args.len() < *n.start() {
                Err(list_error(
                    ErrorKind::MissingArgument,
                    format!("list.{method}() takes at least {} argument(s)", n.start()),
                ))
            } else if args.len() > *n.end() {
                Err(list_error(
                    ErrorKind::TooManyArguments,
                    format!("list.{method}() takes at most {} argument(s)", n.end()),
                ))
            } else {
                Ok(())
            }
        };
        let int_arg = |v: &Value| {
            v.as_i64().ok_or_else(|| {
                list_error(
                    ErrorKind::InvalidOperation,
                    format!("list.{method}(): the index must be an integer"),
                )
            })
        };
        let mut items = self.items();
        match method {
            "append" => {
                arity(1..=1)?;
                items.push(args[0].clone());
            }
            "extend" => {
                arity(1..=1)?;
                let new: Vec<Value> = args[0].try_iter()?.collect();
                items.extend(new);
            }
            "insert" => {
                arity(2..=2)?;
                let len = items.len() as i64;
                let i = int_arg(&args[0])?;
                let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
                items.insert(i as usize, args[1].clone());
            }
            "pop" => {
                arity(0..=1)?;
                if items.is_empty() {
                    return Err(list_error(
                        ErrorKind::InvalidOperation,
                        "pop from empty list",
                    ));
                }
                let i = match args.first() {
                    Some(v) => py_index(int_arg(v)?, items.len()).ok_or_else(|| {
                        list_error(ErrorKind::InvalidOperation, "pop index out of range")
                    })?,
                    None => items.len() - 1,
                };
                return Ok(items.remove(i));
            }
            "remove" => {
                arity(1..=1)?;
                let i = items.iter().position(|v| v == &args[0]).ok_or_else(|| {
                    list_error(ErrorKind::InvalidOperation, "list.remove(x): x not in list")
                })?;
                items.remove(i);
            }
            "clear" => {
                arity(0..=0)?;
                items.clear();
            }
            "index" => return super::jinja_builtins::seq_index(&items, args, "list"),
            "count" => {
                arity(1..=1)?;
                return Ok(Value::from(items.iter().filter(|v| *v == &args[0]).count()));
            }
            "reverse" => {
                arity(0..=0)?;
                items.reverse();
            }
            "sort" => {
                // `sort(*, key=None, reverse=False)`: keyword arguments only.
                let mut reverse = false;
                for arg in args {
                    let named = arg.is_kwargs().then(|| arg.try_iter().ok()).flatten();
                    let Some(names) = named else {
                        return Err(list_error(
                            ErrorKind::TooManyArguments,
                            "list.sort() takes no positional arguments",
                        ));
                    };
                    for name in names {
                        match name.as_str() {
                            Some("reverse") => reverse = arg.get_item(&name)?.is_true(),
                            _ => {
                                return Err(list_error(
                                    ErrorKind::InvalidOperation,
                                    format!(
                                        "list.sort({}=…) is not supported by git-release",
                                        py_str(&name)
                                    ),
                                ));
                            }
                        }
                    }
                }
                super::jinja_builtins::py_sort_values(&mut items, reverse)?;
            }
            "copy" => {
                arity(0..=0)?;
                return Ok(Value::from_object(PyList(Mutex::new(items.clone()))));
            }
            _ => return Err(minijinja::Error::from(ErrorKind::UnknownMethod)),
        }
        Ok(Value::from(()))
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let items: Vec<String> = self.items().iter().map(py_repr).collect();
        write!(f, "[{}]", items.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pycompat::repr::{py_float_repr, py_repr_str};

    fn render(src: &str) -> String {
        render_template("t", src, Value::from(())).unwrap()
    }

    #[test]
    fn list_literals_become_mutable_lists() {
        let src = "{% set l = [] %}{% for i in [1, 2, 3,] %}{% set _ = l.append(i * 2) %}{% endfor %}{{ l|join(',') }}";
        assert_eq!(render(src), "2,4,6");
        // Nested literals, subscripts and `in` tests.
        assert_eq!(
            render("{% set l = [[1, 2], [3]] %}{{ l[0][1] }}{{ l[-1] }}{{ 3 in [1, 3] }}"),
            "2[3]True"
        );
        assert_eq!(
            render("{{ 'abc'[1] }}{{ [1,2,3][1:] }}{{ ([1] + [2])|length }}"),
            "b[2, 3]2"
        );
        assert_eq!(
            render(
                "{% set l = [1, 2, 3] %}{{ l.pop() }}{{ l.pop(0) }}{{ l }}{{ l.append(5) }}{{ l.index(5) }}"
            ),
            "31[2]None1"
        );
        assert_eq!(
            render(
                "{% set l = ['a'] %}{% set _ = l.extend(['b', 'c']) %}{% set _ = l.insert(0, 'z') %}{% set _ = l.remove('a') %}{{ l }}{{ l.count('b') }}"
            ),
            "['z', 'b', 'c']1"
        );
        assert_eq!(
            render("{% set d = {'k': [1]} %}{% set _ = d.k.append(2) %}{{ d.k }}"),
            "[1, 2]"
        );
    }

    #[test]
    fn python_printing() {
        assert_eq!(
            render("{{ true }} {{ none }} {{ undefined_thing }} {{ {'a': [1, 'x']} }}"),
            "True None  {'a': [1, 'x']}"
        );
        assert_eq!(py_repr_str("it's"), "\"it's\"");
        // repr() of floats, as CPython prints them.
        for (f, py) in [
            (3.0, "3.0"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-1.5e-7, "-1.5e-07"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "-0.0"),
            (123456789.125, "123456789.125"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(py_float_repr(f), py, "{f}");
        }
        assert_eq!(
            render("{{ 1e20 }} {{ [0.5] }} {{ 7 / 2 }}"),
            "1e+20 [0.5] 3.5"
        );
        assert_eq!(py_repr_str("a\\b'\""), "'a\\\\b\\'\"'");
        // Characters Python's repr escapes (not printable), and ones it prints.
        assert_eq!(
            py_repr_str("a\u{200b}\u{a0}\u{85}\u{ad}\u{2028}\u{e000}\u{e0041}é€😀"),
            "'a\\u200b\\xa0\\x85\\xad\\u2028\\ue000\\U000e0041é€😀'"
        );
    }

    #[test]
    fn builtins_that_cannot_match_jinja2_are_refused_by_name() {
        for (src, name) in [
            ("{{ [1, 2]|random }}", "random"),
            ("{{ lipsum() }}", "lipsum"),
            ("{{ 'see https://x.org'|urlize }}", "urlize"),
            ("{{ 'a-b c'|wordwrap(1) }}", "wordwrap"),
        ] {
            let err = render_template("t.md", src, Value::from(()))
                .unwrap_err()
                .to_string();
            assert!(err.contains(name) && err.contains("t.md"), "{src}: {err}");
        }
    }

    #[test]
    fn template_errors_name_the_file() {
        let err = render_template("changes/template.md", "{% if %}", Value::from(()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("changes/template.md") && err.contains("line 1"),
            "{err}"
        );
        let err = render_template("t.md", "{{ [1].nope() }}", Value::from(()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.md") && !err.contains(LIST_FN), "{err}");
    }
}
