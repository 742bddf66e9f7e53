//! Python's iterators that filters return: `reverse`'s and the generators of `map`,
//! `select`, `reject`, `selectattr`, `rejectattr`, `batch`, `slice`, `unique` and `items`
//! ([`OnePass`]): one pass, without a length, not printable (Python prints their address).

use std::sync::{Arc, Mutex};

use minijinja::value::{Object, ObjectRepr, Rest, ValueOrKwargs};
use minijinja::{Environment, Error, State, Value};

use super::*;

/// The filters that return a generator in Jinja2, as minijinja's with their result made a
/// [`OnePass`]; `length`, `count` and `last`, which Python cannot apply to one.
pub(super) fn register(env: &mut Environment<'static>) {
    let generator =
        |python, filter, call, items: Vec<Value>| OnePass::value(python, filter, call, items);
    env.add_filter(
        "select",
        move |state: &mut State, v: Value, test: Option<String>, args: Rest<ValueOrKwargs>| {
            let items = minijinja::filters::select(state, v, test.map(Into::into), args)?;
            R::Ok(generator(
                "generator object select_or_reject",
                "select",
                "select(…)",
                items,
            ))
        },
    );
    env.add_filter(
        "reject",
        move |state: &mut State, v: Value, test: Option<String>, args: Rest<ValueOrKwargs>| {
            let items = minijinja::filters::reject(state, v, test.map(Into::into), args)?;
            R::Ok(generator(
                "generator object select_or_reject",
                "reject",
                "reject(…)",
                items,
            ))
        },
    );
    env.add_filter(
        "selectattr",
        move |state: &mut State,
              v: Value,
              attr: String,
              test: Option<String>,
              args: Rest<ValueOrKwargs>| {
            let items =
                minijinja::filters::selectattr(state, v, attr.into(), test.map(Into::into), args)?;
            R::Ok(generator(
                "generator object select_or_reject",
                "selectattr",
                "selectattr(…)",
                items,
            ))
        },
    );
    env.add_filter(
        "rejectattr",
        move |state: &mut State,
              v: Value,
              attr: String,
              test: Option<String>,
              args: Rest<ValueOrKwargs>| {
            let items =
                minijinja::filters::rejectattr(state, v, attr.into(), test.map(Into::into), args)?;
            R::Ok(generator(
                "generator object select_or_reject",
                "rejectattr",
                "rejectattr(…)",
                items,
            ))
        },
    );
    env.add_filter(
        "batch",
        move |state: &State, v: Value, count: usize, fill: Option<Value>| {
            let items = items_of(&minijinja::filters::batch(state, v, count, fill)?)?;
            R::Ok(generator(
                "generator object do_batch",
                "batch",
                "batch(…)",
                items,
            ))
        },
    );
    env.add_filter(
        "slice",
        move |state: &State, v: Value, count: usize, fill: Option<Value>| {
            let items = items_of(&minijinja::filters::slice(state, v, count, fill)?)?;
            R::Ok(generator(
                "generator object sync_do_slice",
                "slice",
                "slice(…)",
                items,
            ))
        },
    );
    env.add_filter("items", move |v: Value| {
        let items = items_of(&minijinja::filters::items(&v)?)?;
        R::Ok(generator(
            "generator object do_items",
            "items",
            "items",
            items,
        ))
    });
    // Python's `len()` and `reversed()` fail on an iterator: so do these, saying so.
    for name in ["length", "count"] {
        env.add_filter(name, move |v: Value| -> R<Value> {
            if let Some(it) = v.downcast_object_ref::<OnePass>() {
                return Err(it.python_raises(name, "has no len()"));
            }
            minijinja::filters::length(&v).map(Value::from)
        });
    }
    env.add_filter("last", |v: Value| -> R<Value> {
        if let Some(it) = v.downcast_object_ref::<OnePass>() {
            return Err(it.python_raises("last", "is not reversible"));
        }
        minijinja::filters::last(v)
    });
}

/// `reverse`: a string reversed; else, as Jinja2's `reversed(value)`, a one-pass iterator
/// ([`OnePass`]: Python prints `<list_reverseiterator object at 0x…>`). An iterator (a
/// generator, another `reverse`) is not reversible in Python: Jinja2 makes it a list and
/// reverses that, a list it prints.
pub(super) fn reverse(value: Value) -> R<Value> {
    use minijinja::value::ValueKind as K;
    match value.kind() {
        K::String | K::None => minijinja::filters::reverse(&value),
        K::Undefined => Ok(Value::from(Vec::<Value>::new())),
        _ => {
            let mut items: Vec<Value> = value.try_iter()?.collect();
            items.reverse();
            if value.downcast_object_ref::<OnePass>().is_some() {
                return Ok(Value::from_object(crate::pycompat::jinja::PyList::new(
                    items,
                )));
            }
            Ok(OnePass::value(
                "list_reverseiterator object",
                "reverse",
                "reverse",
                items,
            ))
        }
    }
}

/// A Python iterator a filter returns (`reverse`'s, or the generator of `map`, `select`,
/// `reject`, `selectattr`, `rejectattr`, `batch`, `slice`, `unique`, `items`): one pass (a
/// second loop sees what the first left, as in Python), always true, without a length
/// (`|length` fails as Python's `len()` does), and not printable: Python prints its memory
/// address (`<generator object sync_do_map at 0x…>`), which changes on every build.
#[derive(Debug)]
pub(crate) struct OnePass {
    python: &'static str,
    filter: &'static str,
    call: &'static str,
    items: Arc<Mutex<std::collections::VecDeque<Value>>>,
}

impl OnePass {
    /// `python` is what Python prints before ` at 0x…>`; `call` how the filter is written in
    /// the advice (`map(…)`).
    pub(crate) fn value(
        python: &'static str,
        filter: &'static str,
        call: &'static str,
        items: Vec<Value>,
    ) -> Value {
        Value::from_object(OnePass {
            python,
            filter,
            call,
            items: Arc::new(Mutex::new(items.into())),
        })
    }

    /// Python's name of its type (`generator`, `list_reverseiterator`).
    pub(crate) fn python_type(&self) -> &'static str {
        self.python.split(' ').next().unwrap_or_default()
    }

    /// Python's `TypeError` where `filter` asks `len()` or `reversed()` of it.
    pub(crate) fn python_raises(&self, filter: &str, what: &str) -> Error {
        let kind = self.python_type();
        let message = if what == "has no len()" {
            format!("object of type '{kind}' has no len()")
        } else {
            format!("'{kind}' object {what}")
        };
        fail(format!(
            "{filter}: Python raises TypeError ({message}) on the result of the {} filter, \
             so towncrier fails on this template; write `|{}|list` first",
            self.filter, self.call
        ))
    }

    pub(super) fn message(&self) -> String {
        let what = if self.python.starts_with("generator") {
            "generator"
        } else {
            "iterator"
        };
        format!(
            "printing the result of the {} filter is not supported: Jinja2 prints a Python \
             {what}'s memory address there (`<{} at 0x…>`), which changes on every build; \
             write `|{}|list` or loop over it",
            self.filter, self.python, self.call
        )
    }
}

/// What is left of a [`OnePass`], taken one item at a time.
struct Drain(Arc<Mutex<std::collections::VecDeque<Value>>>);

impl Iterator for Drain {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.0.lock().unwrap_or_else(|e| e.into_inner()).len();
        (n, Some(n))
    }
}

impl Object for OnePass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Iterable
    }
    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Iter(Box::new(Drain(Arc::clone(&self.items))))
    }
    /// Not subscriptable: Jinja2's `getitem` gives an undefined value.
    fn get_value(self: &Arc<Self>, _key: &Value) -> Option<Value> {
        Some(Value::UNDEFINED)
    }
    /// No `len()` (and asking must not consume it).
    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        None
    }
    fn is_true(self: &Arc<Self>) -> bool {
        true
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&unprintable(&self.message()))
    }
}
