//! Python's `fnmatch`, as towncrier matches its `ignore` list.

use regex::Regex;

/// Python's `fnmatch.translate`: `*`, `?`, `[seq]`, `[!seq]`, everything else literal.
/// `None` is a pattern that can never match (an empty `[]` set).
pub fn fnmatch_regex(pattern: &str) -> Option<Regex> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from(r"(?s)\A");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' => {
                if !re.ends_with(".*") {
                    re.push_str(".*");
                }
            }
            '?' => re.push('.'),
            '[' => {
                let mut j = i;
                if j < chars.len() && chars[j] == '!' {
                    j += 1;
                }
                if j < chars.len() && chars[j] == ']' {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    re.push_str(r"\[");
                    continue;
                }
                let mut stuff = &chars[i..j];
                i = j + 1;
                let negated = stuff.first() == Some(&'!');
                if negated {
                    stuff = &stuff[1..];
                }
                let mut class = String::new();
                let mut k = 0;
                while k < stuff.len() {
                    if k + 2 < stuff.len() && stuff[k + 1] == '-' {
                        let (lo, hi) = (stuff[k], stuff[k + 2]);
                        if lo <= hi {
                            class
                                .push_str(&format!(r"\x{{{:x}}}-\x{{{:x}}}", lo as u32, hi as u32));
                        }
                        k += 3;
                    } else {
                        class.push_str(&format!(r"\x{{{:x}}}", stuff[k] as u32));
                        k += 1;
                    }
                }
                match (class.is_empty(), negated) {
                    (true, true) => re.push('.'),
                    (true, false) => return None,
                    (false, true) => re.push_str(&format!("[^{class}]")),
                    (false, false) => re.push_str(&format!("[{class}]")),
                }
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push_str(r"\z");
    Regex::new(&re).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_like_python() {
        let m = |p: &str, s: &str| fnmatch_regex(p).is_some_and(|r| r.is_match(s));
        assert!(m("*.txt", "notes.txt"));
        assert!(m("readme*", "readme.md"));
        assert!(!m("readme", "readme.md"));
        assert!(m("a?c", "abc"));
        assert!(m("[!x]yz", "ayz"));
        assert!(!m("[!x]yz", "xyz"));
        assert!(m("[a-c]1", "b1"));
        assert!(m("[", "["));
        assert!(m("a.b", "a.b") && !m("a.b", "axb"));
        assert!(fnmatch_regex("[]").is_some_and(|r| r.is_match("[]")));
    }
}
