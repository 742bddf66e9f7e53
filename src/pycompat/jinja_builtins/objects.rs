//! `attr` and the objects templates hold: bound methods, `range`, `cycler`, `joiner`.

use std::sync::{Arc, Mutex};

use minijinja::value::{Object, ObjectRepr, Rest};
use minijinja::{Error, ErrorKind, State, Value};

use super::*;

/// `attr(obj, name)`: Python's `getattr` only, never an item: a dict's keys are not its
/// attributes, so they give an undefined value; methods are looked up as methods.
pub(super) fn attr(value: Value, name: Value) -> Value {
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
pub(super) struct BoundMethod {
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
    if let Some(v) = value.downcast_object_ref::<DictView>() {
        return Some(v.python_repr());
    }
    value
        .downcast_object_ref::<Group>()
        .map(|g| format!("({}, {})", py_repr(&g.grouper), py_repr(&g.list)))
}

// ---------------------------------------------------------------------------------------
// Globals.

/// `range([start,] stop[, step])`, printed as Python prints a range.
pub(super) fn range(args: Rest<i64>) -> R<Value> {
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
pub(super) struct PyRange {
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
pub(super) struct Cycler {
    pub(super) items: Vec<Value>,
    pub(super) pos: Mutex<usize>,
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
pub(super) struct Joiner {
    pub(super) sep: String,
    pub(super) used: Mutex<bool>,
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

/// `reverse`: a string reversed; else, as Jinja2's `reversed(value)`, a one-pass iterator
/// (a second loop over it sees nothing, as in Python) that cannot be printed: Python prints
/// `<list_reverseiterator object at 0x…>`, an address that changes on every run.
pub(super) fn reverse(value: Value) -> R<Value> {
    use minijinja::value::ValueKind as K;
    match value.kind() {
        K::String | K::None => minijinja::filters::reverse(&value),
        K::Undefined => Ok(Value::from(Vec::<Value>::new())),
        _ => {
            let mut items: Vec<Value> = value.try_iter()?.collect();
            items.reverse();
            Ok(Value::from_object(Reversed {
                items: Mutex::new(Some(items)),
            }))
        }
    }
}

/// What `reverse` returns for a sequence (see [`reverse`]).
#[derive(Debug)]
pub(crate) struct Reversed {
    items: Mutex<Option<Vec<Value>>>,
}

/// The error for printing a [`Reversed`] iterator.
pub(crate) fn print_reversed_error() -> Error {
    fail(
        "printing the result of the reverse filter is not supported: Jinja2 prints a Python \
         iterator's memory address there (`<list_reverseiterator object at 0x…>`), which \
         changes on every build; write `|reverse|list` or loop over it",
    )
}

impl Object for Reversed {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Iterable
    }
    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        let items = self.items.lock().unwrap_or_else(|e| e.into_inner()).take();
        minijinja::value::Enumerator::Values(items.unwrap_or_default())
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<list_reverseiterator object>")
    }
}

/// `dict.items()`, `keys()` and `values()`: iterated as the list they hold, printed as
/// Python prints a view (`dict_items([('a', 1)])`).
#[derive(Debug)]
pub(crate) struct DictView {
    pub(crate) kind: &'static str,
    pub(crate) items: Value,
}

impl DictView {
    fn python_repr(&self) -> String {
        format!("dict_{}({})", self.kind, py_repr(&self.items))
    }
}

impl Object for DictView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Iterable
    }
    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Values(
            self.items
                .try_iter()
                .map(|it| it.collect())
                .unwrap_or_default(),
        )
    }
    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        self.items.len()
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.python_repr())
    }
}

/// A macro whose body reads `varargs` or `kwargs` (see `jinja_source`): the positional
/// arguments past its signature's go to `varargs`, the keywords it does not name to
/// `kwargs`, as Jinja2's `Macro` gives them — or are refused as Jinja2 refuses them when
/// the body does not read that one.
#[derive(Debug)]
pub(crate) struct VariadicMacro {
    pub(crate) inner: Value,
    pub(crate) name: String,
    pub(crate) args: Vec<String>,
    pub(crate) varargs: bool,
    pub(crate) kwargs: bool,
}

impl Object for VariadicMacro {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> R<Value> {
        let (positional, keywords) = match args.split_last() {
            Some((last, rest)) if last.is_kwargs() => (rest, Some(last)),
            _ => (args, None),
        };
        let n = self.args.len();
        let extra: Vec<Value> = positional.iter().skip(n).cloned().collect();
        if !extra.is_empty() && !self.varargs {
            return Err(Error::new(
                ErrorKind::TooManyArguments,
                format!(
                    "macro {} takes not more than {n} argument(s)",
                    py_repr_str(&self.name)
                ),
            ));
        }
        let mut passed = indexmap::IndexMap::<Value, Value>::new();
        let mut rest = indexmap::IndexMap::<Value, Value>::new();
        if let Some(keywords) = keywords {
            for key in keywords.try_iter()? {
                let value = keywords.get_item(&key)?;
                let name = key.as_str().unwrap_or_default();
                if name == "caller" || self.args.iter().any(|a| a == name) {
                    passed.insert(key, value);
                } else if self.kwargs {
                    rest.insert(key, value);
                } else {
                    return Err(Error::new(
                        ErrorKind::TooManyArguments,
                        format!(
                            "macro {} takes no keyword argument {}",
                            py_repr_str(&self.name),
                            py_repr_str(name)
                        ),
                    ));
                }
            }
        }
        passed.insert(
            Value::from("varargs"),
            Value::from(minijinja::value::Tuple::from(extra)),
        );
        passed.insert(Value::from("kwargs"), Value::from_object(rest));
        let mut call: Vec<Value> = positional.iter().take(n).cloned().collect();
        call.push(Value::from(minijinja::value::Kwargs::from_iter(
            passed
                .into_iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v)),
        )));
        self.inner.call(state, &call)
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<Macro {}>", py_repr_str(&self.name))
    }
}
