//! Where the fixtures are, shared by tests/grouping_quality.rs and the `it` test binary
//! (which includes this file as `common`; its repository and process helpers are in
//! tests/it/util.rs).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The Backend.AI release cases: (version, date, folder).
pub fn backend_ai_cases() -> Vec<(String, String, PathBuf)> {
    let root = fixtures().join("backend-ai");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("before").is_dir())
        .map(|p| {
            let gold: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(p.join("gold.json")).unwrap())
                    .unwrap();
            let version = p.file_name().unwrap().to_string_lossy().into_owned();
            (version, gold["date"].as_str().unwrap().to_string(), p)
        })
        .collect();
    cases.sort();
    cases
}
