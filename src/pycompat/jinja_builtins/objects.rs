//! `attr` and the objects templates hold: bound methods, `range`, `cycler`, `joiner`.

use std::sync::{Arc, Mutex};

use minijinja::value::{Object, ObjectRepr, Rest};
use minijinja::{Error, ErrorKind, State, Value};

use super::*;

/// The methods of Python's `str`, `dict` and `list`.
const STR_METHODS: &[&str] = &[
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
const DICT_METHODS: &[&str] = &[
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
const LIST_METHODS: &[&str] = &[
    "append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse",
    "sort",
];

/// `attr(obj, name)`: Python's `getattr` only, never an item: a dict's keys are not its
/// attributes, so they give an undefined value; methods are looked up as methods.
pub(super) fn attr(value: Value, name: Value) -> Value {
    use minijinja::value::ValueKind as K;
    let name = py_str(&name);
    let methods = match value.kind() {
        K::String => STR_METHODS,
        K::Map => DICT_METHODS,
        K::Seq if !value.is_tuple() => LIST_METHODS,
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

impl BoundMethod {
    /// A method of `loop` prints with the loop's own repr (`<bound method
    /// LoopContext.cycle of <LoopContext 1/2>>`); a built-in type's method, with its
    /// object's address: refused.
    fn python_repr(&self) -> String {
        match self.target.as_object().map(|o| o.type_name()) {
            Some("minijinja::vm::loop_object::Loop") => format!(
                "<bound method LoopContext.{} of {}>",
                self.name,
                py_repr(&self.target)
            ),
            _ => unprintable(&with_address(&format!("the method `{}`", self.name))),
        }
    }
}

impl Object for BoundMethod {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> R<Value> {
        self.target.call_method(state, &self.name, args)
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.python_repr())
    }
}

/// Python's `repr` of the objects templates hold that minijinja would print otherwise: a
/// range, a dict view, a group (which it prints as lists), a macro, `loop`, a namespace and
/// Jinja2's global classes as Jinja2 prints them; for what Python prints with its memory
/// address (a function, a method, an iterator, a `cycler`/`joiner` object) or what cannot
/// be printed as Python does, the mark that refuses the output ([`unprintable`]).
pub fn custom_repr(value: &Value) -> Option<String> {
    if let Some(r) = value.downcast_object_ref::<PyRange>() {
        return Some(r.python_repr());
    }
    if let Some(v) = value.downcast_object_ref::<DictView>() {
        return Some(v.python_repr());
    }
    if let Some(g) = value.downcast_object_ref::<Group>() {
        return Some(format!("({}, {})", py_repr(&g.grouper), py_repr(&g.list)));
    }
    if let Some(m) = value.downcast_object_ref::<VariadicMacro>() {
        return Some(m.python_repr());
    }
    if let Some(c) = value.downcast_object_ref::<PyClass>() {
        return Some(c.repr.to_string());
    }
    if value.downcast_object_ref::<TemplateReference>().is_some() {
        return Some("<TemplateReference None>".to_string());
    }
    let address = |what: &str| Some(unprintable(&with_address(what)));
    if value.downcast_object_ref::<Cycler>().is_some() {
        return address("a cycler object");
    }
    if value.downcast_object_ref::<Joiner>().is_some() {
        return address("a joiner object");
    }
    if let Some(m) = value.downcast_object_ref::<BoundMethod>() {
        return Some(m.python_repr());
    }
    if let Some(it) = value.downcast_object_ref::<OnePass>() {
        return Some(unprintable(&it.message()));
    }
    match value.as_object()?.type_name() {
        "minijinja::vm::macro_object::Macro" => {
            let name = value.get_attr("name").ok()?;
            // A call block's `caller` has no name in Jinja2.
            Some(match name.as_str() {
                Some("caller") => "<Macro anonymous>".to_string(),
                _ => format!("<Macro {}>", py_repr(&name)),
            })
        }
        "minijinja::vm::loop_object::Loop" => {
            let (index, length) = (
                value.get_attr("index").ok()?,
                value.get_attr("length").ok()?,
            );
            Some(if length.is_undefined() {
                unprintable(
                    "printing `loop` in a loop over an iterator is not supported by \
                     git-release (Jinja2 counts the items first)",
                )
            } else {
                format!("<LoopContext {index}/{length}>")
            })
        }
        "minijinja::value::namespace_object::Namespace" => {
            let keys: Vec<Value> = value.try_iter().ok()?.collect();
            Some(if keys.len() > 1 {
                unprintable(
                    "printing a namespace with several attributes is not supported by \
                     git-release (Jinja2 prints them in the order they were set, which it \
                     does not keep)",
                )
            } else {
                let items: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        let v = value.get_item(k).unwrap_or_default();
                        format!("{}: {}", py_repr(k), py_repr(&v))
                    })
                    .collect();
                format!("<Namespace {{{}}}>", items.join(", "))
            })
        }
        "minijinja::functions::BoxedFunction" => address("a function"),
        _ => None,
    }
}

/// Why `what` cannot be printed: Python prints its memory address.
fn with_address(what: &str) -> String {
    format!(
        "printing {what} is not supported: Python prints its memory address there \
         (`<… at 0x…>`), which changes on every build"
    )
}

/// One of Jinja2's global classes (`range`, `dict`, `namespace`, `cycler`, `joiner`):
/// called as the function it wraps, printed as Python prints the class.
#[derive(Debug)]
pub(super) struct PyClass {
    pub(super) repr: &'static str,
    pub(super) function: Value,
}

impl Object for PyClass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> R<Value> {
        self.function.call(state, args)
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.repr)
    }
}

/// The attributes of Jinja2's `Macro` that minijinja's macro lacks or gives another type.
const MACRO_ATTRIBUTES: &[&str] = &["arguments", "catch_kwargs", "catch_varargs"];

/// Whether `name` is a method's of a value of some type (see [`method_names`]), or one of
/// [`MACRO_ATTRIBUTES`]: `x.name` is read by [`getattr`] then.
pub(crate) fn is_method_name(name: &str) -> bool {
    [
        STR_METHODS,
        DICT_METHODS,
        LIST_METHODS,
        &["changed", "cycle", "next", "reset"],
        MACRO_ATTRIBUTES,
    ]
    .iter()
    .any(|names| names.contains(&name))
}

/// The method names Python's `getattr` finds on a value of `value`'s type before Jinja2
/// looks for an item (`d.items` is the dict's method, whatever key `d` holds).
pub(crate) fn method_names(value: &Value) -> &'static [&'static str] {
    use minijinja::value::ValueKind as K;
    match value.kind() {
        K::String if value.as_object().is_none() => STR_METHODS,
        K::Map
            if value
                .as_object()
                .is_some_and(|o| o.type_name().contains("Map")) =>
        {
            DICT_METHODS
        }
        K::Seq if value.is_tuple() => &["count", "index"],
        K::Seq if value.downcast_object_ref::<PyRange>().is_none() => LIST_METHODS,
        _ => match value.as_object().map(|o| o.type_name()) {
            Some("minijinja::vm::loop_object::Loop") => &["changed", "cycle"],
            _ if value.downcast_object_ref::<Cycler>().is_some() => &["next", "reset"],
            _ => &[],
        },
    }
}

/// `value.name` as Jinja2's `getattr` reads it, for a name that is a method of some type
/// (what a template's `x.name` is rewritten into when it is not called): the method of the
/// value's type, else minijinja's lookup.
pub(crate) fn getattr(value: Value, name: String) -> Value {
    // A macro that reads neither `varargs` nor `kwargs` (else it is a `VariadicMacro`).
    if value.as_object().map(|o| o.type_name()) == Some("minijinja::vm::macro_object::Macro")
        && MACRO_ATTRIBUTES.contains(&name.as_str())
    {
        return match name.as_str() {
            "arguments" => value
                .get_attr("arguments")
                .map_or(Value::UNDEFINED, |list| {
                    Value::from(minijinja::value::Tuple::from(
                        list.try_iter()
                            .map(|it| it.collect::<Vec<_>>())
                            .unwrap_or_default(),
                    ))
                }),
            _ => Value::from(false),
        };
    }
    if method_names(&value).contains(&name.as_str()) {
        return Value::from_object(BoundMethod {
            target: value,
            name,
        });
    }
    value.get_attr(&name).unwrap_or(Value::UNDEFINED)
}

// ---------------------------------------------------------------------------------------
// Globals.// ---------------------------------------------------------------------------------------
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

/// Jinja2's `Namespace(*args, **kwargs)`: its attributes are `dict(*args, **kwargs)`'s (a
/// mapping or pairs, then the keywords), made into minijinja's namespace by `make`.
pub(super) fn namespace_class(make: Value) -> Value {
    Value::from_object(NamespaceClass(make))
}

#[derive(Debug)]
struct NamespaceClass(Value);

impl Object for NamespaceClass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> R<Value> {
        let (positional, keywords) = match args.split_last() {
            Some((last, rest)) if last.is_kwargs() => (rest, Some(last)),
            _ => (args, None),
        };
        if positional.len() > 1 {
            return Err(fail(format!(
                "namespace(): Python raises TypeError (dict expected at most 1 argument, got {})",
                positional.len()
            )));
        }
        let mut items: Vec<(Value, Value)> = Vec::new();
        let mut set = |key: Value, value: Value| match items.iter_mut().find(|(k, _)| *k == key) {
            Some(item) => item.1 = value,
            None => items.push((key, value)),
        };
        if let Some(source) = positional.first() {
            if source.kind() == minijinja::value::ValueKind::Map {
                for key in source.try_iter()? {
                    let value = source.get_item(&key)?;
                    set(key, value);
                }
            } else {
                for pair in source.try_iter()? {
                    let both: Vec<Value> = pair.try_iter()?.collect();
                    let [key, value] = <[Value; 2]>::try_from(both).map_err(|_| {
                        fail(format!(
                            "namespace(): Python raises ValueError (dictionary update sequence \
                             element {} is not a pair)",
                            py_repr(&pair)
                        ))
                    })?;
                    set(key, value);
                }
            }
        }
        if let Some(keywords) = keywords {
            for key in keywords.try_iter()? {
                let value = keywords.get_item(&key)?;
                set(key, value);
            }
        }
        if let Some((key, _)) = items.iter().find(|(k, _)| k.as_str().is_none()) {
            return Err(fail(format!(
                "namespace(): the attribute {} is not a string, which git-release does not \
                 support",
                py_repr(key)
            )));
        }
        let attributes = minijinja::value::Kwargs::from_iter(
            items
                .into_iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v)),
        );
        self.0.call(state, &[Value::from(attributes)])
    }
}

/// Whether `v` is a `range(…)`, which has no `+` or `*` in Python.
pub(crate) fn is_range(v: &Value) -> bool {
    v.downcast_object_ref::<PyRange>().is_some()
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

/// Jinja2's `self` in a template read from a string: a `TemplateReference` to a template
/// without a name. (`self.block()` is minijinja's own: a call of the block.)
#[derive(Debug)]
pub(super) struct TemplateReference;

impl Object for TemplateReference {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<TemplateReference None>")
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
            "items" => Some(Value::from(minijinja::value::Tuple::from(
                self.items.clone(),
            ))),
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
        f.write_str(&unprintable(&with_address("a cycler object")))
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
        f.write_str(&unprintable(&with_address("a joiner object")))
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
    /// A call block's body.
    pub(crate) caller: bool,
}

impl Object for VariadicMacro {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    /// Jinja2's `Macro` attributes.
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(match key.as_str()? {
            "name" => Value::from(self.name.clone()),
            "arguments" => Value::from(minijinja::value::Tuple::from(
                self.args
                    .iter()
                    .map(|a| Value::from(a.clone()))
                    .collect::<Vec<_>>(),
            )),
            "catch_varargs" => Value::from(self.varargs),
            "catch_kwargs" => Value::from(self.kwargs),
            "caller" => self.inner.get_attr("caller").ok()?,
            _ => return None,
        })
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
        // Only the ones the body reads are its arguments (an argument of its own may be
        // named `varargs`).
        if self.varargs {
            passed.insert(
                Value::from("varargs"),
                Value::from(minijinja::value::Tuple::from(extra)),
            );
        }
        if self.kwargs {
            passed.insert(Value::from("kwargs"), Value::from_object(rest));
        }
        let mut call: Vec<Value> = positional.iter().take(n).cloned().collect();
        call.push(Value::from(minijinja::value::Kwargs::from_iter(
            passed
                .into_iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v)),
        )));
        self.inner.call(state, &call)
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.python_repr())
    }
}

impl VariadicMacro {
    /// A call block's `caller` has no name in Jinja2.
    fn python_repr(&self) -> String {
        if self.caller {
            "<Macro anonymous>".to_string()
        } else {
            format!("<Macro {}>", py_repr_str(&self.name))
        }
    }
}

/// The callee of a `{% call %}` whose body reads `varargs` or `kwargs`: called, it passes
/// the body (`caller`) wrapped as a [`VariadicMacro`] with the body's signature.
#[derive(Debug)]
pub(crate) struct CallerSite {
    pub(crate) callee: Value,
    pub(crate) args: Vec<String>,
    pub(crate) varargs: bool,
    pub(crate) kwargs: bool,
}

impl Object for CallerSite {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> R<Value> {
        let mut args = args.to_vec();
        if let Some(keywords) = args.last_mut().filter(|k| k.is_kwargs()) {
            let mut items = Vec::new();
            for key in keywords.try_iter()? {
                let mut value = keywords.get_item(&key)?;
                let name = key.as_str().unwrap_or_default().to_string();
                if name == "caller" {
                    value = Value::from_object(VariadicMacro {
                        inner: value,
                        name: name.clone(),
                        args: self.args.clone(),
                        varargs: self.varargs,
                        kwargs: self.kwargs,
                        caller: true,
                    });
                }
                items.push((name, value));
            }
            *keywords = Value::from(minijinja::value::Kwargs::from_iter(items));
        }
        self.callee.call(state, &args)
    }
}
