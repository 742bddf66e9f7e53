//! PR references in entry text.

/// PR numbers as people write them: `#8796, #8814`.
pub fn pr_list(prs: &[u64]) -> String {
    prs.iter()
        .map(|n| format!("#{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// Issue references, as towncrier's `issue_format` writes them: `[#1](url)` or `#1`, alone
// or in a parenthesised list, several separated by commas and/or whitespace (including a
// newline and indentation). They are read backwards from the end of the entry.

/// Where the text before the trailing issue references ends (a separating comma is left
/// out), and the referenced numbers in order, without duplicates.
pub(crate) fn trailing_refs(body: &str) -> (usize, Vec<u64>) {
    let b = body.as_bytes();
    let mut end = skip_space_back(b, b.len());
    let mut text_end = b.len();
    let mut groups = Vec::new();
    while let Some((start, numbers)) = ref_group_back(b, end) {
        groups.push(numbers);
        end = skip_space_back(b, start);
        if end > 0 && b[end - 1] == b',' {
            end = skip_space_back(b, end - 1);
        }
        text_end = end;
    }
    let mut prs = Vec::new();
    for n in groups.into_iter().rev().flatten() {
        if !prs.contains(&n) {
            prs.push(n);
        }
    }
    (text_end, prs)
}

fn skip_space_back(b: &[u8], mut end: usize) -> usize {
    while end > 0 && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// One reference, or a parenthesised list of them, ending at `end`.
fn ref_group_back(b: &[u8], end: usize) -> Option<(usize, Vec<u64>)> {
    if let Some((start, n)) = ref_back(b, end) {
        return Some((start, vec![n]));
    }
    if end == 0 || b[end - 1] != b')' {
        return None;
    }
    let mut numbers = Vec::new();
    let mut at = skip_space_back(b, end - 1);
    if at > 0 && b[at - 1] == b',' {
        at = skip_space_back(b, at - 1);
    }
    loop {
        let (start, n) = ref_back(b, at)?;
        numbers.push(n);
        at = skip_space_back(b, start);
        if at > 0 && b[at - 1] == b',' {
            at = skip_space_back(b, at - 1);
        } else {
            break;
        }
    }
    if at > 0 && b[at - 1] == b'(' {
        numbers.reverse();
        Some((at - 1, numbers))
    } else {
        None
    }
}

/// `[#123](url)` or `#123` (not glued to a word, so `C#1` is no reference) ending at `end`.
fn ref_back(b: &[u8], end: usize) -> Option<(usize, u64)> {
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u64, |n, &d| {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
    };
    let digits_back = |end: usize| {
        let mut d = end;
        while d > 0 && b[d - 1].is_ascii_digit() {
            d -= 1;
        }
        (d < end).then_some(d)
    };
    match b.get(end.checked_sub(1)?)? {
        b')' => {
            // `[#N](url)`: the url has no parentheses and no whitespace.
            let mut open = end - 1;
            while open > 0
                && !matches!(b[open - 1], b'(' | b')')
                && !b[open - 1].is_ascii_whitespace()
            {
                open -= 1;
            }
            let open = open.checked_sub(1).filter(|&o| b[o] == b'(')?;
            let close = open.checked_sub(1).filter(|&c| b[c] == b']')?;
            let d = digits_back(close)?;
            let hash = d.checked_sub(1).filter(|&h| b[h] == b'#')?;
            let bracket = hash.checked_sub(1).filter(|&o| b[o] == b'[')?;
            Some((bracket, number(&b[d..close])?))
        }
        c if c.is_ascii_digit() => {
            let d = digits_back(end)?;
            let hash = d.checked_sub(1).filter(|&h| b[h] == b'#')?;
            let glued = hash > 0 && (b[hash - 1].is_ascii_alphanumeric() || b[hash - 1] == b'_');
            if glued {
                return None;
            }
            Some((hash, number(&b[d..end])?))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Structure
// ---------------------------------------------------------------------------------------
