//! hostile16's entry-accounting holes: a section git-release does not read back as a
//! release — reStructuredText, or Markdown with `title_format = false` — is counted in its
//! own text after the steps: an entry naming no PR by its words (05), each PR by its
//! references between the section's start and the next release's title, so a reference a
//! step moves into an older section excuses nothing (06). A step that drops any one entry
//! stops the release before its commit, with nothing consumed.
//! (Repro scripts: /work/hostile16/{05,06}-*.sh.)

use std::path::Path;

use proptest::prelude::*;

use crate::hostile17::untitled_project_with;
use crate::release::{head, read};
use crate::util::{self, git, ok, one_error, run};

const ARGS: [&str; 5] = ["1.1.0rc1", "--yes", "--no-edit", "--date", "2025-03-01"];
const PULL: &str = "https://example.com/demo/pull";

fn news(rst: bool) -> &'static str {
    if rst { "NEWS.rst" } else { "CHANGELOG.md" }
}

fn step(run: &str) -> String {
    format!("[[step]]\nname = \"tidy\"\nrun = '''{run}'''\n")
}

/// The release stopped before its commit (exit 4, `wrong` said), nothing committed, the
/// fragments still in `HEAD`; `git release abort` gives the work tree back as it was.
fn refused_and_undone(root: &Path, what: &str, wrong: &str) {
    let base = head(root);
    let before = util::snapshot(root);
    let fragments = git(root, &["ls-tree", "-r", "--name-only", "HEAD", "changes"]);
    let out = run(root, &ARGS, "false");
    let stderr = one_error(&out, what);
    assert_eq!(out.status.code(), Some(4), "{what}: {stderr}");
    assert!(stderr.contains(wrong), "{what}: wants `{wrong}`:\n{stderr}");
    assert_eq!(head(root), head_of_branch(root), "{what}");
    assert_eq!(
        git(root, &["log", "--format=%s", &format!("{base}..HEAD")]),
        "",
        "{what}: nothing committed"
    );
    assert_eq!(
        git(root, &["ls-tree", "-r", "--name-only", "HEAD", "changes"]),
        fragments,
        "{what}: no fragment consumed"
    );
    let out = run(root, &["abort"], "false");
    ok(&out, &format!("{what}: abort"));
    assert_eq!(
        util::snapshot(root),
        before,
        "{what}: abort gives it all back"
    );
}

fn head_of_branch(root: &Path) -> String {
    git(root, &["rev-parse", "release/1.1.0rc1"])
        .trim()
        .to_string()
}

fn fragments(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, t)| (n.to_string(), format!("{t}\n")))
        .collect()
}

/// hostile16/05: a step drops an entry naming no PR; hostile16/06: a step drops #12's
/// entry and writes a reference to #12 into the older section. Both stop the release
/// before its commit, in either format. A step that loses the next release's title (the
/// section's end) is refused saying so; one that edits the older section or the text
/// before the section (reStructuredText: the section is found at its title) goes through.
#[test]
fn untitled_sections_count_entries_naming_no_pr_and_only_their_own_references() {
    let frags = fragments(&[
        ("10.feature.md", "Add fair share scheduler"),
        ("12.fix.md", "Fix crash on start"),
        ("+abc.feature.md", "Orphan thing"),
    ]);
    for rst in [true, false] {
        let file = news(rst);
        let older = match rst {
            true => format!("s|^- First release.*|& See `#12 <{PULL}/12>`_.|"),
            false => format!("s|^\\* First release.*|& See ([#12]({PULL}/12)).|"),
        };
        for (script, wrong) in [
            (
                format!("sed -i '/Orphan thing/d' {file}"),
                "the entry \"Orphan thing\" (naming no PR) is missing",
            ),
            (
                format!("sed -i -e '/crash on start/d' -e '{older}' {file}"),
                "#12 is missing",
            ),
            (
                format!("sed -i 's/^1.0.0 (2025-01-01)$/Old/; s/^## 1.0.0 .*/## Old/' {file}"),
                "its entries cannot be counted: the line that followed",
            ),
        ] {
            let repo = untitled_project_with(rst, &frags, &step(&script));
            refused_and_undone(repo.path(), &format!("{file}: {script}"), wrong);
        }
        let mut fine = vec![format!("sed -i '{older}' {file}")];
        if rst {
            fine.push(format!(
                "sed -i 's/^Changes$/News/; s/^=======$/====/' {file}"
            ));
        }
        for script in fine {
            let repo = untitled_project_with(rst, &frags, &step(&script));
            let root = repo.path();
            ok(&run(root, &ARGS, "false"), &format!("{file}: {script}"));
            let log = read(root, file);
            assert!(log.contains("Orphan thing"), "{log}");
            assert_eq!(git(root, &["status", "--porcelain"]), "");
        }
    }
}

const WORDS: [&str; 12] = [
    "fix",
    "crash",
    "add",
    "scheduler",
    "weights",
    "start",
    "cache",
    "export",
    "thing",
    "docs",
    "speed",
    "login",
];

/// An entry: its PR (none for an orphan), its type and its words.
fn entry() -> impl Strategy<Value = (Option<u32>, bool, Vec<usize>)> {
    (
        prop::option::of(300u32..340),
        any::<bool>(),
        prop::collection::vec(0..WORDS.len(), 1..4),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    /// For random sets of entries, with and without PRs, in either format: a step that
    /// deletes one entry's line stops the release before its commit, nothing consumed and
    /// all given back by `abort`; with no deletion the release goes through and lists each.
    #[test]
    fn any_one_entry_dropped_by_a_step_is_refused(
        rst in any::<bool>(),
        entries in prop::collection::vec(entry(), 1..6),
        pick in any::<prop::sample::Index>(),
        drop in any::<bool>(),
    ) {
        let mut frags = Vec::new();
        let mut texts = Vec::new();
        let mut seen_prs = std::collections::BTreeSet::new();
        for (i, (pr, fix, words)) in entries.iter().enumerate() {
            let kind = if *fix { "fix" } else { "feature" };
            // Texts may repeat, or one be the start of another (towncrier merges equal
            // texts of a category into one entry).
            let text: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
            let text = text.join(" ");
            let text = format!("{}{}", text[..1].to_uppercase(), &text[1..]);
            let name = match pr {
                Some(pr) if seen_prs.insert(*pr) => format!("{pr}.{kind}.md"),
                _ => format!("+e{i}.{kind}.md"),
            };
            frags.push((name, format!("{text}\n")));
            texts.push(text);
        }
        let file = news(rst);
        let victim = &texts[pick.index(texts.len())];
        let script = match drop {
            true => format!(
                "n=$(grep -n -- '^[-*] {victim}' {file} | head -1 | cut -d: -f1); sed -i \"${{n}}d\" {file}"
            ),
            false => "true".to_string(),
        };
        let repo = untitled_project_with(rst, &frags, &step(&script));
        let root = repo.path();
        let what = format!("{file}: {frags:?}, {script}");
        if drop {
            refused_and_undone(root, &what, "does not list each of the release's entries once");
        } else {
            ok(&run(root, &ARGS, "false"), &what);
            let log = read(root, file);
            for text in &texts {
                prop_assert!(log.contains(text.as_str()), "{}: {}\n{}", what, text, log);
            }
        }
    }
}

// --- 02: a fragment of a release stopped in another work tree, renamed here -------------

/// hostile16/02: 1.1.0rc1 stopped in the main work tree. In a linked work tree on `main`,
/// its fragments renamed to another type (committed, or moved on disk only), checked out
/// with CRLF line ends, or recategorised and reworded: `build 1.1.0rc2` is refused naming
/// the fragment here and the stopped release's, and changes nothing. A work tree whose
/// history does not hold the release's base (a maintenance line cut earlier), with its own
/// fragment of the same PR, and one holding only a new PR's fragment, build.
#[test]
fn a_stopped_releases_fragment_renamed_in_another_work_tree_is_refused_there() {
    let flag = tempfile::tempdir().unwrap();
    let step = crate::hostile::step_needing(&flag.path().join("never"), "");
    let repo = crate::release::project(&step);
    let root = repo.path();
    // A line whose history does not hold the release's base (the same files, committed
    // apart).
    let apart = git(root, &["commit-tree", "HEAD^{tree}", "-m", "apart"]);
    git(root, &["branch", "maint-0", apart.trim()]);
    let out = run(root, &ARGS, "false");
    assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
    let trees = tempfile::tempdir().unwrap();
    let build = ["build", "1.1.0rc2", "--date", "2025-03-02"];
    let mv = |wt: &Path, from: &str, to: &str| {
        std::fs::rename(wt.join(from), wt.join(to)).unwrap();
    };
    type Change = fn(&Path, &dyn Fn(&Path, &str, &str));
    let refused: [(&str, Change, &str); 4] = [
        (
            "renamed, committed",
            |wt, _| {
                git(wt, &["mv", "changes/10.feature.md", "changes/10.fix.md"]);
                git(wt, &["mv", "changes/12.fix.md", "changes/12.feature.md"]);
                util::commit_all(wt, "recategorise");
            },
            "changes/10.fix.md (was changes/10.feature.md)",
        ),
        (
            "renamed on disk only",
            |wt, mv| mv(wt, "changes/11.feature.md", "changes/11.fix.md"),
            "changes/11.fix.md (was changes/11.feature.md)",
        ),
        (
            "renamed, CRLF",
            |wt, mv| {
                mv(wt, "changes/12.fix.md", "changes/12.feature.md");
                let text = read(wt, "changes/12.feature.md").replace('\n', "\r\n");
                util::write_file(wt, "changes/12.feature.md", &text);
            },
            "changes/12.feature.md (was changes/12.fix.md)",
        ),
        (
            "recategorised and reworded",
            |wt, _| {
                git(wt, &["mv", "changes/10.feature.md", "changes/10.fix.md"]);
                util::write_file(wt, "changes/10.fix.md", "Fix the fair share scheduler\n");
                util::commit_all(wt, "reword");
            },
            "changes/10.fix.md (was changes/10.feature.md)",
        ),
    ];
    for (i, (what, change, named)) in refused.into_iter().enumerate() {
        let wt = trees.path().join(format!("wt{i}"));
        let branch = format!("side-{i}");
        git(root, &["branch", &branch, "main"]);
        git(
            root,
            &["worktree", "add", "-q", wt.to_str().unwrap(), &branch],
        );
        // The fragments not renamed are the same path's: removed, to leave the rename.
        change(&wt, &mv);
        for f in [
            "changes/10.feature.md",
            "changes/11.feature.md",
            "changes/12.fix.md",
        ] {
            if wt.join(f).exists() {
                git(&wt, &["rm", "-q", f]);
            }
        }
        let before = util::snapshot(&wt);
        let out = run(&wt, &build, "false");
        let stderr = one_error(&out, what);
        assert_eq!(out.status.code(), Some(3), "{what}: {stderr}");
        assert!(
            stderr.contains("stopped in the work tree") && stderr.contains(named),
            "{what}: wants {named}:\n{stderr}"
        );
        assert_eq!(util::snapshot(&wt), before, "{what}: nothing changed");
    }
    // Not the stopped release's: a line cut before its base, with its own #10 fragment;
    // and a work tree on main holding only a new PR's fragment.
    let cases: [(&str, &str); 2] = [("maint-0", "Backport the scheduler fix\n"), ("main", "")];
    for (i, (from, text)) in cases.into_iter().enumerate() {
        let wt = trees.path().join(format!("ok{i}"));
        let branch = format!("ok-{i}");
        git(root, &["branch", &branch, from]);
        git(
            root,
            &["worktree", "add", "-q", wt.to_str().unwrap(), &branch],
        );
        git(
            &wt,
            &[
                "rm",
                "-q",
                "changes/10.feature.md",
                "changes/11.feature.md",
                "changes/12.fix.md",
            ],
        );
        match text.is_empty() {
            true => util::write_file(&wt, "changes/401.fix.md", "Patch the crash\n"),
            false => util::write_file(&wt, "changes/10.fix.md", text),
        }
        util::commit_all(&wt, "own fragment");
        ok(&run(&wt, &build, "false"), &format!("build from {from}"));
    }
    std::fs::write(flag.path().join("never"), "").unwrap();
    ok(&run(root, &["continue"], "false"), "continue");
}

/// An entry naming no PR reworded while the release was stopped before its changelog step
/// (at a WebUI step) is written in its new words, and counted so: the release goes
/// through. A step after the changelog step that drops it is still refused.
#[test]
fn an_entry_naming_no_pr_reworded_while_stopped_is_counted_as_written() {
    let frags = fragments(&[
        ("10.feature.md", "Add fair share scheduler"),
        ("+abc.feature.md", "Orphan thing"),
    ]);
    for rst in [true, false] {
        let file = news(rst);
        let flag = tempfile::tempdir().unwrap();
        let flag = flag.path().join("ok");
        let webui = format!(
            "[[step]]\nname = \"webui\"\nwhen = \"webui\"\nrun = \"test -e '{}'\"\n",
            flag.display()
        );
        let repo = untitled_project_with(rst, &frags, &webui);
        let root = repo.path();
        let args = [
            "1.1.0rc1",
            "2.0.0",
            "--yes",
            "--no-edit",
            "--date",
            "2025-03-01",
        ];
        let out = run(root, &args, "false");
        assert_eq!(out.status.code(), Some(4), "{}", util::text(&out.stderr));
        util::write_file(root, "changes/+abc.feature.md", "A stray item, reworded\n");
        std::fs::write(&flag, "").unwrap();
        ok(
            &run(root, &["continue"], "false"),
            &format!("{file}: continue"),
        );
        assert!(read(root, file).contains("A stray item, reworded"));
    }
}
