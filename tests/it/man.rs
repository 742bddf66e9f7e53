//! `git release --help`: git runs `man git-release`, which finds the page only where man
//! looks. After `git release install-man-pages`, it is found next to the binary.

use std::path::Path;
use std::process::Command;

use crate::util::{self, text};

/// `git release --help` with `bin` first on PATH and nothing else telling man where to look.
fn help(bin: &Path) -> std::process::Output {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.to_path_buf()];
    // man-db looks in `<dir>/../share/man` for each PATH entry: an entry where a page was
    // installed before (a `cargo install` on this machine) is left out, so that only the
    // page this test installs can be found.
    dirs.extend(std::env::split_paths(&path).filter(|d| {
        !d.join("../share/man/man1/git-release.1").exists()
            && !d.join("../man/man1/git-release.1").exists()
    }));
    let mut cmd = util::git_command(bin);
    cmd.args(["release", "--help"])
        .env("PATH", std::env::join_paths(dirs).unwrap())
        .env_remove("MANPATH")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "80");
    cmd.output().unwrap()
}

#[test]
fn git_release_help_shows_the_page_once_installed() {
    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("man is not installed: `git release --help` cannot show a page here");
        return;
    }
    // A prefix laid out as `cargo install` does: <prefix>/bin/git-release.
    let prefix = tempfile::tempdir().unwrap();
    let bin = prefix.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("git-release");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_git-release"), &exe).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_git-release"), &exe).unwrap();
    }

    let before = help(&bin);
    assert!(
        !text(&before.stdout).contains("GIT-RELEASE(1)"),
        "a page was found before it was installed: the test would prove nothing"
    );

    let out = Command::new(&exe)
        .arg("install-man-pages")
        .current_dir(prefix.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = prefix.path().join("share/man/man1/git-release.1");
    assert!(page.is_file(), "{}", text(&out.stderr));
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("man/man1/git-release.1"),
    )
    .unwrap();
    assert!(
        std::fs::read_to_string(&page).unwrap() == committed,
        "the installed page differs from man/man1/git-release.1"
    );

    let after = help(&bin);
    let shown = text(&after.stdout);
    assert!(
        shown.contains("GIT-RELEASE(1)"),
        "{shown}\n{}",
        text(&after.stderr)
    );
    assert!(shown.contains("git release consolidate"), "{shown}");
}

/// `install-man-pages` writes only where man would look, or where it is told: a binary
/// outside a `bin` directory has no prefix (a usage error, nothing written), and a page
/// path that is a symlink to another file is refused, that file untouched.
#[test]
fn install_man_pages_writes_only_where_asked() {
    let home = tempfile::tempdir().unwrap();
    let downloads = home.path().join("Downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let exe = downloads.join("git-release");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_git-release"), &exe).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_git-release"), &exe).unwrap();
    }
    let out = Command::new(&exe)
        .arg("install-man-pages")
        .current_dir(home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not in a `bin` directory"));
    assert!(!home.path().join("share").exists(), "wrote under ~/share");

    let dir = home.path().join("man");
    std::fs::create_dir_all(dir.join("man1")).unwrap();
    let other = home.path().join("notes.txt");
    std::fs::write(&other, "mine\n").unwrap();
    std::os::unix::fs::symlink(&other, dir.join("man1/git-release.1")).unwrap();
    let out = Command::new(&exe)
        .arg("install-man-pages")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not a git-release.1 page"));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "mine\n");
}
