//! Python's ordering (which refuses unlike types) and the filters that sort or compare:
//! `dictsort`, `groupby`, `sort`, `max`, `min`, `unique`.

use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Kwargs, Object, ObjectRepr, Rest};

use super::*;

// ---------------------------------------------------------------------------------------
// Sorting: Python's `<`, which refuses to compare unlike types.

pub(super) fn sort_key(v: &Value, case_sensitive: bool) -> Value {
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
pub(super) fn py_sort_by_key(items: &mut [(Value, Value)], reverse: bool) -> R<()> {
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

/// Python's `list.sort(reverse=…)`: stable, unlike types refused.
pub(crate) fn py_sort_values(items: &mut Vec<Value>, reverse: bool) -> R<()> {
    let mut pairs: Vec<(Value, Value)> = items.iter().map(|v| (v.clone(), v.clone())).collect();
    py_sort_by_key(&mut pairs, reverse)?;
    *items = pairs.into_iter().map(|(_, v)| v).collect();
    Ok(())
}

/// `dictsort(value, case_sensitive=False, by='key', reverse=False)`.
pub(super) fn dictsort(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
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
pub(super) fn groupby(value: Value, attribute: Value, kwargs: Kwargs) -> R<Value> {
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
    let mut items: Vec<(Value, Value)> = items_of(&value)?
        .into_iter()
        .map(|item| (sort_key(&key_of(&item), case_sensitive), item))
        .collect();
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
pub(super) struct Group {
    pub(super) grouper: Value,
    pub(super) list: Value,
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

/// Jinja2's `make_multi_attrgetter` with `ignore_case`: the key of `item` for `sort` — one
/// value per comma-separated attribute (the item itself without one), each string lowered
/// as Python's `str.lower()` does unless `case_sensitive`.
fn multi_key(item: &Value, attribute: Option<&Value>, case_sensitive: bool) -> Value {
    let parts: Vec<Value> = match attribute.and_then(|a| a.as_str()) {
        Some(names) => names
            .split(',')
            .map(|name| sort_key(&getattr_path(item, &Value::from(name)), case_sensitive))
            .collect(),
        None => vec![sort_key(
            &attribute.map_or_else(|| item.clone(), |a| getattr_path(item, a)),
            case_sensitive,
        )],
    };
    Value::from(parts)
}

/// Jinja2's `make_attrgetter` with `ignore_case` (`max`, `min`, `unique`): one attribute.
fn single_key(item: &Value, attribute: Option<&Value>, case_sensitive: bool) -> Value {
    let v = attribute.map_or_else(|| item.clone(), |a| getattr_path(item, a));
    sort_key(&v, case_sensitive)
}

/// `sort(value, reverse=False, case_sensitive=False, attribute=None)`: Python's stable
/// `sorted` by [`multi_key`].
pub(super) fn sort(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let a = arguments(&args, &kwargs, &["reverse", "case_sensitive", "attribute"])?;
    let reverse = a[0].as_ref().is_some_and(Value::is_true);
    let case_sensitive = a[1].as_ref().is_some_and(Value::is_true);
    let attribute = a[2].as_ref().filter(|v| !v.is_none());
    let mut items: Vec<(Value, Value)> = items_of(&value)?
        .into_iter()
        .map(|item| (multi_key(&item, attribute, case_sensitive), item))
        .collect();
    py_sort_by_key(&mut items, reverse)?;
    Ok(Value::from(
        items.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
    ))
}

/// `max`/`min(value, case_sensitive=False, attribute=None)`: Python's `max`/`min` by
/// [`single_key`] (the first of equal items); undefined for an empty sequence.
pub(super) fn extreme(value: Value, args: Rest<Value>, kwargs: Kwargs, max: bool) -> R<Value> {
    let a = arguments(&args, &kwargs, &["case_sensitive", "attribute"])?;
    let case_sensitive = a[0].as_ref().is_some_and(Value::is_true);
    let attribute = a[1].as_ref().filter(|v| !v.is_none());
    let mut best: Option<(Value, Value)> = None;
    for item in items_of(&value)? {
        let key = single_key(&item, attribute, case_sensitive);
        let better = match &best {
            None => true,
            Some((k, _)) => {
                let o = py_cmp(&key, k)?;
                if max {
                    o == std::cmp::Ordering::Greater
                } else {
                    o == std::cmp::Ordering::Less
                }
            }
        };
        if better {
            best = Some((key, item));
        }
    }
    Ok(best.map_or(Value::UNDEFINED, |(_, item)| item))
}

/// `unique(value, case_sensitive=False, attribute=None)`: the items whose [`single_key`]
/// was not seen before, in order.
pub(super) fn unique(value: Value, args: Rest<Value>, kwargs: Kwargs) -> R<Value> {
    let a = arguments(&args, &kwargs, &["case_sensitive", "attribute"])?;
    let case_sensitive = a[0].as_ref().is_some_and(Value::is_true);
    let attribute = a[1].as_ref().filter(|v| !v.is_none());
    let mut seen: Vec<Value> = Vec::new();
    let mut out = Vec::new();
    for item in items_of(&value)? {
        let key = single_key(&item, attribute, case_sensitive);
        // Jinja2 keeps the seen keys in a set: a list or dict is no key there.
        if matches!(key.kind(), minijinja::value::ValueKind::Map)
            || (matches!(key.kind(), minijinja::value::ValueKind::Seq) && !key.is_tuple())
        {
            return Err(fail(format!(
                "unique: unhashable type: '{}'",
                crate::pycompat::repr::py_type_name(&key)
            )));
        }
        if !seen.contains(&key) {
            seen.push(key);
            out.push(item);
        }
    }
    Ok(OnePass::value(
        "generator object sync_do_unique",
        "unique",
        "unique",
        out,
    ))
}
