//! One limit on how wide a template may ask text to be. Jinja2 in Python raises
//! `MemoryError` or `OverflowError` for `"ab"|center(2**62)`; here an allocation that large
//! would abort the process, so every width a template gives (a filter's argument, a string
//! method's, a `%`/`str.format` spec's) is checked against [`MAX_WIDTH`] first and refused,
//! naming what asked for it. No changelog needs a line of a million characters.

use minijinja::Value;

use super::{R, fail};

/// The widest padding or indentation a template may ask for, in characters.
pub(crate) const MAX_WIDTH: i64 = 1 << 20;

/// `width` as a padding length, or an error naming `what` when it is over the limit.
pub(crate) fn checked(width: i64, what: &str) -> R<usize> {
    if width > MAX_WIDTH {
        return Err(fail(format!(
            "{what}: a width of {width} is over the limit of {MAX_WIDTH} characters"
        )));
    }
    Ok(usize::try_from(width).unwrap_or(0))
}

/// A format string (`%`-style or `str.format`) whose field widths and precisions are all
/// within the limit; else an error naming `what`. Only the specs are read: a long number
/// in the text around them is text.
pub(crate) fn check_format_string(format: &str, what: &str) -> R<()> {
    let b = format.as_bytes();
    let number = |i: &mut usize| -> i64 {
        let mut v: i64 = 0;
        while let Some(d) = b.get(*i).filter(|c| c.is_ascii_digit()) {
            v = v.saturating_mul(10).saturating_add(i64::from(d - b'0'));
            *i += 1;
        }
        v
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if b.get(i + 1) == Some(&b'%') => i += 2,
            b'%' => {
                i += 1;
                if b.get(i) == Some(&b'(') {
                    while i < b.len() && b[i] != b')' {
                        i += 1;
                    }
                    i += 1;
                }
                while matches!(b.get(i), Some(b'-' | b'+' | b' ' | b'#' | b'0')) {
                    i += 1;
                }
                checked(number(&mut i), what)?;
                if b.get(i) == Some(&b'.') {
                    i += 1;
                    checked(number(&mut i), what)?;
                }
            }
            b'{' if b.get(i + 1) == Some(&b'{') => i += 2,
            b'{' => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'}')
                    .map_or(b.len(), |e| i + e);
                if let Some(colon) = b[i..end].iter().position(|&c| c == b':') {
                    let mut j = i + colon + 1;
                    while j < end {
                        if b[j].is_ascii_digit() {
                            checked(number(&mut j), what)?;
                        } else {
                            j += 1;
                        }
                    }
                }
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Arguments of a Python string method that allocate by width (`center`, `ljust`, `rjust`,
/// `zfill`, `expandtabs`) or by a format string (`format`, `format_map`) are within the limit.
pub(crate) fn check_method(receiver: &Value, method: &str, args: &[Value]) -> R<()> {
    // Named only when a check runs: this callback sees every method call of a template.
    let what = || format!("str.{method}()");
    match method {
        "center" | "ljust" | "rjust" | "zfill" | "expandtabs" => {
            if let Some(w) = args.first().and_then(Value::as_i64) {
                checked(w, &what())?;
            }
        }
        "format" | "format_map" => {
            if let Some(s) = receiver.as_str() {
                check_format_string(s, &what())?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_over_the_limit_are_refused_by_name() {
        assert_eq!(checked(80, "center").unwrap(), 80);
        assert_eq!(checked(-3, "center").unwrap(), 0);
        let e = checked(1 << 62, "center").unwrap_err().to_string();
        assert!(e.contains("center") && e.contains("limit"), "{e}");
        assert!(check_format_string("%5d and {:>10}", "format").is_ok());
        assert!(check_format_string("%99999999999d", "format").is_err());
        assert!(check_format_string("{:99999999999999999999999}", "format").is_err());
        assert!(check_format_string("%(name)-99999999999s", "format").is_err());
        assert!(check_format_string("%.99999999999f", "format").is_err());
        // Numbers in the text around the specs are text.
        assert!(check_format_string("build 20260101123456: %s, {{99999999999}}", "format").is_ok());
    }
}
