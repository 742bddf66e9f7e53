//! The one place the integration tests build a `git` or `git-release` process, and the
//! throwaway repositories they run in.
//!
//! Every process starts from [`isolate`]: nothing the test process inherited reaches git or
//! the binary — not a git hook's `GIT_DIR` / `GIT_INDEX_FILE` (which would send `git add`
//! to the outer repository's index), not `git -c` options passed down in
//! `GIT_CONFIG_PARAMETERS`, not the user's editor, colour settings or global git config.
//! The identity, the configuration and the editor are set here, or by the test, explicitly.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// The author and committer of every commit the tests make.
pub const NAME: &str = "Release Tester";
pub const EMAIL: &str = "release-tester@example.com";

/// Variables outside `GIT_*` that change what git or the binary does or prints: which
/// editor a review opens, colour, the build date, the version the release bumps to, the
/// language of git's messages (reported by the binary), the user's global git ignore and
/// attributes files (found through `XDG_CONFIG_HOME` even without a global config).
pub const CLEARED: &[&str] = &[
    "EDITOR",
    "VISUAL",
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
    "PAGER",
    "SOURCE_DATE_EPOCH",
    "NEXT_DEV_VERSION",
    "LANGUAGE",
    "LANG",
    "LC_ALL",
    "LC_MESSAGES",
    "XDG_CONFIG_HOME",
];

/// What every process gets instead: identity, no global or system config, no signing,
/// `main` as the first branch, no prompt, untranslated messages, and an ordinary terminal
/// type (without `TERM`, or with `TERM=dumb`, `git var GIT_EDITOR` fails when no editor is
/// configured, so whether a test passed would depend on where it ran).
pub const SET: &[(&str, &str)] = &[
    ("GIT_AUTHOR_NAME", NAME),
    ("GIT_AUTHOR_EMAIL", EMAIL),
    ("GIT_COMMITTER_NAME", NAME),
    ("GIT_COMMITTER_EMAIL", EMAIL),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_CONFIG_COUNT", "3"),
    ("GIT_CONFIG_KEY_0", "commit.gpgSign"),
    ("GIT_CONFIG_VALUE_0", "false"),
    ("GIT_CONFIG_KEY_1", "tag.gpgSign"),
    ("GIT_CONFIG_VALUE_1", "false"),
    ("GIT_CONFIG_KEY_2", "init.defaultBranch"),
    ("GIT_CONFIG_VALUE_2", "main"),
    ("GIT_TERMINAL_PROMPT", "0"),
    ("XDG_CONFIG_HOME", "/nonexistent/git-release-tests"),
    ("LC_ALL", "C"),
    ("TERM", "xterm"),
];

/// The variable that makes git-release read fragments one by one instead of through
/// io_uring (`src/fragments/batch.rs`); tests that compare both ways set it.
pub const NO_IO_URING: &str = "GIT_RELEASE_NO_IO_URING";

/// Make `cmd` independent of the environment it would inherit, whose variable names are
/// `inherited`: remove every `GIT_*` variable and those in [`CLEARED`], then set [`SET`].
/// (The inherited names are a parameter so that a test can check the removals against a
/// hostile environment without changing its own.)
pub fn isolate(cmd: &mut Command, inherited: impl IntoIterator<Item = OsString>) -> &mut Command {
    for key in inherited {
        if key.as_encoded_bytes().starts_with(b"GIT_") {
            cmd.env_remove(key);
        }
    }
    for key in CLEARED {
        cmd.env_remove(key);
    }
    cmd.envs(SET.iter().copied())
}

/// `program` in `dir`, isolated from this process's environment.
fn isolated(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir);
    isolate(&mut cmd, std::env::vars_os().map(|(key, _)| key));
    cmd
}

/// `git` in `dir`, isolated, with stdin closed. The only way the tests build a git process.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = isolated("git", dir);
    cmd.stdin(Stdio::null());
    cmd
}

/// `git-release` in `dir`, isolated. No editor is set: a test that reaches the review sets
/// `GIT_EDITOR` itself (see [`run`]). The only way the tests build the binary's process.
pub fn git_release(dir: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(git_release_process(dir))
}

/// [`git_release`] as a plain process, for a test that wires its standard streams itself.
pub fn git_release_process(dir: &Path) -> Command {
    isolated(env!("CARGO_BIN_EXE_git-release"), dir)
}

/// Run `cmd`, panicking with its stderr unless it succeeds; returns stdout.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the command runs");
    assert!(
        out.status.success(),
        "{} {:?} failed ({}): {}",
        cmd.get_program().to_string_lossy(),
        cmd.get_args().collect::<Vec<_>>(),
        out.status,
        text(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Run git in `dir`, panicking with its output on failure; returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    stdout_of(git_command(dir).args(args))
}

/// Run the binary in `dir` with `args` and `GIT_EDITOR=editor`.
pub fn run(dir: &Path, args: &[&str], editor: &str) -> Output {
    git_release(dir)
        .args(args)
        .env("GIT_EDITOR", editor)
        .output()
        .unwrap()
}

/// Add `fragments` under `changes/` (committed, when there are any), run `git release
/// <version> <flags…>` with `GIT_EDITOR=editor`, check that it succeeded, and bring
/// `release/<version>` back to `main` (fast-forward); returns what it printed on stderr.
pub fn release_and_merge(
    root: &Path,
    version: &str,
    flags: &[&str],
    fragments: &[(&str, &str)],
    editor: &str,
) -> String {
    let files: Vec<(String, &str)> = fragments
        .iter()
        .map(|(name, body)| (format!("changes/{name}"), *body))
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    if !files.is_empty() {
        write_files(root, &files);
        commit_all(root, &format!("fragments for {version}"));
    }
    let mut args = vec![version];
    args.extend_from_slice(flags);
    let out = run(root, &args, editor);
    ok(&out, &format!("release {version}"));
    git(root, &["checkout", "--quiet", "main"]);
    let branch = format!("release/{version}");
    git(root, &["merge", "--quiet", "--ff-only", &branch]);
    text(&out.stderr)
}

// --- repositories ---

/// A fresh repository on `main`, without a commit.
pub fn empty_repo() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "--quiet", "--initial-branch=main"]);
    dir
}

/// A fresh repository on `main` holding a copy of `src`, everything committed.
pub fn repo_from(src: &Path) -> TempDir {
    let dir = empty_repo();
    copy_tree(src, dir.path());
    commit_all(dir.path(), "base");
    dir
}

/// A fresh repository on `main` with these files, committed.
pub fn repo_with(files: &[(&str, &str)]) -> TempDir {
    let dir = empty_repo();
    write_files(dir.path(), files);
    commit_all(dir.path(), "base");
    dir
}

/// Commit everything with `message`; returns the new commit's id.
pub fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "--quiet", "-m", message]);
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

/// Write the identity and `commit.gpgSign=false` into the repository's own config, for the
/// library's git writes made in-process (`Repo::commit`): their git inherits this test
/// process's environment, which [`isolate`] cannot reach.
pub fn identity_in_config(dir: &Path) {
    git(dir, &["config", "user.name", NAME]);
    git(dir, &["config", "user.email", EMAIL]);
    git(dir, &["config", "commit.gpgSign", "false"]);
}

// --- files ---

/// Write `text` to `name` under `root`, creating directories.
pub fn write_file(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        write_file(root, name, text);
    }
}

/// Copy a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` (outside `.git`), by relative path. A symlink is recorded by its
/// target (not followed), a pipe or socket by its kind (never read).
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(root, &path, out);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let content = if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                format!("symlink -> {}", target.display()).into_bytes()
            } else if kind.is_file() {
                std::fs::read(&path).unwrap()
            } else {
                b"(not a regular file)".to_vec()
            };
            out.insert(rel, content);
        }
    }
    let mut out = BTreeMap::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out);
    }
    out
}

// --- output ---

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Panics with the command's output unless it succeeded.
pub fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The stderr of a failed command, checking that it did not panic, exited with one of the
/// documented failure codes (1 failed, 2 usage, 3 refused, 4 stopped) and printed exactly
/// one `error:` line.
pub fn one_error(out: &Output, what: &str) -> String {
    let stderr = text(&out.stderr);
    let code = out.status.code();
    assert!(
        matches!(code, Some(1..=4)),
        "{what}: exit code {code:?}, expected 1 to 4\nstderr:\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what}: panicked\n{stderr}"
    );
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error:") || l.starts_with("error["))
        .collect();
    assert_eq!(errors.len(), 1, "{what}: one error expected\n{stderr}");
    stderr
}

/// The fixtures folder (real Backend.AI release states, towncrier cases).
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
