//! `git release demo`: the first thing a newcomer runs.

use crate::util::{git, git_release};

#[test]
fn demo_runs_a_full_final_release() {
    let cwd = tempfile::tempdir().unwrap();
    let out = git_release(cwd.path())
        .arg("demo")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("## 1.4.0 ("), "{stdout}");
    assert!(stdout.contains("#### Usage Reports"), "{stdout}");
    assert!(stdout.contains("#### Other Features"), "{stdout}");
    assert!(
        !stdout.contains("## 1.4.0rc"),
        "rc sections are folded: {stdout}"
    );
    assert!(stdout.contains("Release prepared"), "{stdout}");
    assert!(
        stdout.contains("RC merged:  1.4.0rc2, 1.4.0rc1"),
        "{stdout}"
    );
    // The stale fragment (#101, released in 1.3.0) and the updated rc entry (#122) are reported.
    assert!(
        stderr.contains("#101") && stderr.contains("already released"),
        "{stderr}"
    );
    assert!(stderr.contains("#122"), "{stderr}");
}

#[test]
fn demo_keeps_its_repository_with_dir() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("demo");
    git_release(parent.path())
        .args(["demo", "--dir"])
        .arg(&dir)
        .env("NO_COLOR", "1")
        .assert()
        .success();
    assert_eq!(
        git(&dir, &["branch", "--show-current"]).trim(),
        "release/1.4.0"
    );
    let log = git(&dir, &["log", "--format=%s", "-3"]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "chore: bump NEXT_RELEASE_VERSION to 1.5.0",
            "release: 1.4.0",
            "widget 1.4.0rc2"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("VERSION")).unwrap(),
        "1.4.0\n"
    );
    let reports = std::fs::read_to_string(dir.join("src/widget/reports.py")).unwrap();
    assert!(reports.contains("@since(\"1.4.0\")"), "{reports}");
    let next = std::fs::read_to_string(dir.join("src/widget/version.py")).unwrap();
    assert!(next.contains("NEXT_RELEASE_VERSION = \"1.5.0\""), "{next}");
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    // A second demo into the same directory is refused.
    git_release(parent.path())
        .args(["demo", "--dir"])
        .arg(&dir)
        .assert()
        .code(3);
}

/// The demo touches nothing outside its temporary directory: the user's global hooks
/// (`core.hooksPath`: a post-commit that logs or pushes) do not run on its commits.
#[test]
fn demo_runs_none_of_the_users_hooks() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let hooks = home.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    let log = home.path().join("hook.log");
    for hook in ["pre-commit", "post-commit", "commit-msg"] {
        let path = hooks.join(hook);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho \"$0\" >> '{}'\n", log.display()),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let global = home.path().join("gitconfig");
    std::fs::write(
        &global,
        format!("[core]\n\thooksPath = {}\n", hooks.display()),
    )
    .unwrap();
    let out = git_release(home.path())
        .arg("demo")
        .env("GIT_CONFIG_GLOBAL", &global)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !log.exists(),
        "the user's hooks ran: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}
