//! The grouper never sees markup: link targets, URLs and HTML are not words of an entry, so
//! they never make a group, its title or its description.

use crate::util::{ok, repo_with, run, text};

const PYPROJECT: &str = r#"[tool.towncrier]
directory = "changes"
filename = "CHANGELOG.md"
issue_format = "[#{issue}](https://github.com/example/project/issues/{issue})"

[[tool.towncrier.type]]
directory = "feature"
name = "Features"
showcontent = true

[[tool.towncrier.type]]
directory = "fix"
name = "Fixes"
showcontent = true
"#;

/// Words that only markup holds in these entries.
const MARKUP_WORDS: &[&str] = &[
    "http", "github", "example", "com", "issues", "www", "href", "br",
];

#[test]
fn link_targets_urls_and_tags_never_group_title_or_describe() {
    // Fragment names with spaces are not PR numbers: towncrier renders each as a link that
    // stays in the entry's text, the same host in every entry; some entries link elsewhere
    // too. Their topics differ: nothing but markup is shared.
    let texts = [
        "Redesign the login page, see [the mockups](https://github.com/example/project/wiki/Login)",
        "Allow scoped API tokens <https://www.example.com/tokens>",
        "Add a dark theme to the dashboard<br/>following https://github.com/example/design",
        "Export reports as CSV files to example.com/reports/csv",
        "Send quota alerts by email",
        "Warm up the cache before the first request",
        "Keep schedules across timezone changes, see <a href=\"https://www.example.com/tz\">notes</a>",
        "Raise the upload size limit",
        "Show build logs live",
        "Support SAML single sign-on",
        "Paginate the audit log",
        "Compress backups",
    ];
    let names: Vec<String> = (1..=texts.len())
        .map(|i| format!("changes/topic {i}.feature.md"))
        .collect();
    let fragments: Vec<(&str, &str)> = names
        .iter()
        .map(String::as_str)
        .zip(texts.iter().copied())
        .collect();
    let mut files = vec![
        ("pyproject.toml", PYPROJECT),
        ("VERSION", "1.1.0rc1\n"),
        (
            "CHANGELOG.md",
            "# Changelog\n\n<!-- towncrier release notes start -->\n\n## 1.0.0 (2025-01-01)\n\n### Features\n\n- First release\n",
        ),
    ];
    files.extend(fragments);
    let repo = repo_with(&files);
    let out = run(
        repo.path(),
        &[
            "consolidate",
            "1.1.0",
            "--dry-run",
            "--format",
            "json",
            "--date",
            "2026-03-01",
            "--strategy",
            "similarity",
        ],
        "true",
    );
    ok(&out, "consolidate --dry-run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut checked = 0;
    let mut walk = vec![&json];
    while let Some(v) = walk.pop() {
        match v {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    if (key == "title" || key == "description")
                        && let Some(s) = value.as_str()
                    {
                        checked += 1;
                        assert!(
                            !s.contains("](") && !s.contains("[#"),
                            "{key} {s:?} holds link syntax:\n{}",
                            text(&out.stdout)
                        );
                        let lower = s.to_lowercase();
                        for w in lower.split(|c: char| !c.is_alphanumeric()) {
                            assert!(
                                !MARKUP_WORDS.iter().any(|m| w == *m || w == "https"),
                                "{key} {s:?} holds the markup word {w:?}:\n{}",
                                text(&out.stdout)
                            );
                        }
                    } else {
                        walk.push(value);
                    }
                }
            }
            serde_json::Value::Array(items) => walk.extend(items),
            _ => {}
        }
    }
    assert!(
        checked > 0,
        "no title or description to check:\n{}",
        text(&out.stdout)
    );
}
