//! The structure ARCHITECTURE.md promises, checked on the source: the library's modules
//! import only downwards, the library never names clap, and no source file is longer
//! than 800 lines besides its tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest first: each may use only the ones before it.
/// (The same order as `src/lib.rs` and ARCHITECTURE.md.)
const LAYERS: &[&str] = &[
    "error",
    "json",
    "version",
    "pycompat",
    "atomic",
    "files",
    "process",
    "git",
    "group",
    "freeze",
    "config",
    "fragments",
    "changelog",
    "towncrier",
    "consolidate",
    "review",
    "release",
];

const MAX_LINES: usize = 800;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The library's files, by top-level module (`src/cli/` and `main.rs` are the binary's).
fn library_files() -> BTreeMap<String, Vec<PathBuf>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(src()).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "main" || module == "cli" || module == "lib" {
            continue;
        }
        out.entry(module).or_default().push(f);
    }
    out
}

/// The code of a file without its comments (doc comments name modules freely).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_library_module_has_a_layer() {
    let modules: Vec<String> = library_files().into_keys().collect();
    for m in &modules {
        assert!(
            LAYERS.contains(&m.as_str()),
            "src/{m} is not in the layer list of tests/it/architecture.rs (and ARCHITECTURE.md)"
        );
    }
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert_eq!(
        declared, LAYERS,
        "src/lib.rs lists the modules in layer order"
    );
}

#[test]
fn modules_import_only_downwards() {
    let crate_path = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let mut violations = Vec::new();
    for (module, files) in library_files() {
        let Some(level) = LAYERS.iter().position(|l| *l == module) else {
            continue;
        };
        for f in files {
            for c in crate_path.captures_iter(&code(&f)) {
                let used = &c[1];
                match LAYERS.iter().position(|l| *l == used) {
                    Some(l) if l > level => violations.push(format!(
                        "{} uses crate::{used}, a layer above `{module}`",
                        f.strip_prefix(src()).unwrap().display()
                    )),
                    _ => {}
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_library_never_names_clap() {
    let clap = regex::Regex::new(r"\bclap(_[a-z]+)?\b").unwrap();
    let mut found = Vec::new();
    for files in library_files().into_values() {
        for f in files {
            if clap.is_match(&code(&f)) {
                found.push(f.display().to_string());
            }
        }
    }
    let lib = code(&src().join("lib.rs"));
    if clap.is_match(&lib) {
        found.push("src/lib.rs".into());
    }
    assert!(found.is_empty(), "clap in the library: {found:?}");
}

/// The lines of a file outside its top-level `#[cfg(test)]` items (a `mod tests { … }`
/// block ends at the first `}` in column 0; a one-line item at its `;`).
fn non_test_lines(text: &str) -> usize {
    let mut count = 0;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("#[cfg(test)]") {
            for item in lines.by_ref() {
                if item == "}" || (item.ends_with(';') && !item.starts_with(' ')) {
                    break;
                }
            }
        } else {
            count += 1;
        }
    }
    count
}

#[test]
fn non_test_lines_skip_test_items_only() {
    let text = "a\n#[cfg(test)]\nuse x;\nb\n#[cfg(test)]\nmod t {\n    fn f() {\n    }\n}\nc\n";
    assert_eq!(non_test_lines(text), 3);
}

#[test]
fn no_source_file_is_longer_than_800_lines_besides_its_tests() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut long = Vec::new();
    for f in files {
        let lines = non_test_lines(&std::fs::read_to_string(&f).unwrap());
        if lines > MAX_LINES {
            long.push(format!("{}: {lines} lines", f.display()));
        }
    }
    assert!(long.is_empty(), "{}", long.join("\n"));
}

/// A message split over source lines keeps its continuation (`\` at the line's end): one
/// lost leaves the next line's indentation inside the sentence ("the release would
/// commit them" shown with 14 spaces in the middle, hostile12's report). A run of ten or
/// more spaces between words, on a line of a string literal, is that defect (after an
/// escape such as `\n` it is a test's indented text).
#[test]
fn no_message_holds_a_lost_line_continuation() {
    // A letter after a backslash is an escape (`\n` before a test's indented line).
    let gap = regex::Regex::new(r"(?:^|[^\\])[A-Za-z,.;)`] {10,}[A-Za-z(`]").unwrap();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") || !code.contains('"') {
                continue;
            }
            if gap.is_match(line) {
                found.push(format!("{}:{}", f.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
