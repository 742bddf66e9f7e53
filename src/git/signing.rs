//! Whether git can sign the release's commits (`commit.gpgSign`), asked before any change,
//! and the configuration as the committing git binary sees it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::Repo;

/// What a test signature signs: never used for anything but checking that signing works.
const PAYLOAD: &[u8] = b"git-release: a test signature, made before the release changes anything\n";

impl Repo {
    /// Why git could not sign the release's commits when `commit.gpgSign` asks it to, or
    /// `None` (signing not asked, or a test signature was made). Asked the way git signs:
    /// the program of `gpg.format` (`gpg.program`, `gpg.<format>.program`) signs a test
    /// text with the key git would use — `user.signingKey`, else the committer — and the
    /// same arguments (`--status-fd=2 -bsau <key>` for openpgp and x509; `-Y sign -n git
    /// -f <key>` for ssh), so an expired or revoked key, a missing secret key, or a
    /// passphrase that cannot be asked (no terminal for pinentry) is found before any
    /// change. A passphrase asked here is kept by gpg-agent (or ssh-agent) for the commits.
    /// An ssh key from `gpg.ssh.defaultKeyCommand` is not tried (the command picks it).
    pub fn signing_problem(&self) -> Option<String> {
        if self.git_config("commit.gpgSign", true).as_deref() != Some("true") {
            return None;
        }
        let format = self
            .git_config("gpg.format", false)
            .unwrap_or_else(|| "openpgp".into());
        let key = self.git_config("user.signingKey", false);
        if format == "ssh" {
            let program = self
                .git_config("gpg.ssh.program", false)
                .unwrap_or_else(|| "ssh-keygen".into());
            let Some(key) = key else {
                return self
                    .git_config("gpg.ssh.defaultKeyCommand", false)
                    .is_none()
                    .then(|| "gpg.format is ssh but user.signingKey is not set".to_string());
            };
            return self.ssh_test_signature(&program, &key);
        }
        let default = if format == "x509" { "gpgsm" } else { "gpg" };
        let program = self
            .git_config(&format!("gpg.{format}.program"), false)
            .or_else(|| {
                (format == "openpgp")
                    .then(|| self.git_config("gpg.program", false))
                    .flatten()
            })
            .unwrap_or_else(|| default.to_string());
        let key = key.or_else(|| self.committer_ident())?;
        let mut cmd = Command::new(&program);
        cmd.args(["--status-fd=2", "-bsau", &key]);
        let out = match run_with_input(&mut cmd, &self.root, PAYLOAD) {
            Ok(out) => out,
            Err(e) => {
                return Some(format!(
                    "its signing program `{program}` cannot be run ({e})"
                ));
            }
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        // git's own test of a signature: success and the SIG_CREATED status line.
        if out.status.success() && stderr.contains("[GNUPG:] SIG_CREATED ") {
            return None;
        }
        Some(format!(
            "`{program}` could not make a test signature with the key `{key}` ({}){}",
            out.status,
            said(&stderr)
        ))
    }

    /// An ssh test signature, as git makes one: `<program> -Y sign -n git -f <key file>
    /// <file>`, with `-U` and the public key in a file of its own for a literal key (the
    /// private half is in ssh-agent).
    fn ssh_test_signature(&self, program: &str, key: &str) -> Option<String> {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => return Some(format!("no temporary directory for a test signature ({e})")),
        };
        let payload = dir.path().join("payload");
        if let Err(e) = std::fs::write(&payload, PAYLOAD) {
            return Some(format!("no temporary file for a test signature ({e})"));
        }
        let literal = key
            .strip_prefix("key::")
            .or_else(|| key.starts_with("ssh-").then_some(key));
        let mut cmd = Command::new(program);
        cmd.args(["-Y", "sign", "-n", "git", "-f"]);
        if let Some(public) = literal {
            let file = dir.path().join("key.pub");
            if let Err(e) = std::fs::write(&file, format!("{public}\n")) {
                return Some(format!("no temporary file for a test signature ({e})"));
            }
            cmd.arg(file).arg("-U");
        } else {
            let path = key.strip_prefix("~/").map_or_else(
                || PathBuf::from(key),
                |rest| {
                    std::env::var_os("HOME")
                        .map_or_else(|| PathBuf::from(key), |h| PathBuf::from(h).join(rest))
                },
            );
            let path = if path.is_absolute() {
                path
            } else {
                self.root.join(path)
            };
            if !path.exists() {
                return Some(format!(
                    "user.signingKey names {}, which does not exist",
                    path.display()
                ));
            }
            cmd.arg(path);
        }
        cmd.arg(&payload);
        let out = match run_with_input(&mut cmd, &self.root, b"") {
            Ok(out) => out,
            Err(e) => {
                return Some(format!(
                    "its signing program `{program}` cannot be run ({e})"
                ));
            }
        };
        let signed = dir.path().join("payload.sig");
        if out.status.success() && signed.exists() {
            return None;
        }
        Some(format!(
            "`{program}` could not make a test signature with the key `{key}` ({}){}",
            out.status,
            said(&String::from_utf8_lossy(&out.stderr))
        ))
    }

    /// The committer as git names it to gpg when no `user.signingKey` is set: `Name <email>`.
    fn committer_ident(&self) -> Option<String> {
        let ident = self.git(["var", "GIT_COMMITTER_IDENT"]).ok()?;
        // `Name <email> <seconds> <zone>`: the date is not part of the key's name.
        let end = ident.rfind('>')?;
        Some(ident[..=end].trim().to_string())
    }

    /// A configuration value as the git binary, which makes the commits, sees it: read with
    /// gix, unless `git -c …` (or `GIT_CONFIG_COUNT`) overrides settings for this run —
    /// gix is kept from those — then asked of `git config` (`--type=bool` for a boolean,
    /// answered `true`/`false`).
    pub(super) fn git_config(&self, key: &str, boolean: bool) -> Option<String> {
        let overridden = ["GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"]
            .iter()
            .any(|v| std::env::var_os(v).is_some());
        if !overridden {
            return if boolean {
                self.repo
                    .config_snapshot()
                    .boolean(key)
                    .map(|b| b.to_string())
            } else {
                self.config_string(key)
            };
        }
        let mut args = vec!["config"];
        if boolean {
            args.push("--type=bool");
        }
        args.extend(["--get", key]);
        let value = self.git(args).ok()?;
        Some(value.trim().to_string()).filter(|v| !v.is_empty())
    }
}

/// Run `cmd` in `dir` with `input` on its stdin, its stdout and stderr captured.
fn run_with_input(cmd: &mut Command, dir: &Path, input: &[u8]) -> std::io::Result<Output> {
    let mut child = cmd
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // A program that does not read its input closes the pipe: what it says matters.
        let _ = stdin.write_all(input);
    }
    child.wait_with_output()
}

/// What a signing program said on stderr, its status lines left out, for a message.
fn said(stderr: &str) -> String {
    let mut lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("[GNUPG:]"))
        .collect();
    // gpg says some failures twice (`signing failed: No pinentry`).
    lines.dedup();
    if lines.is_empty() {
        String::new()
    } else {
        format!(": {}", lines.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::said;

    #[test]
    fn what_gpg_said_leaves_out_status_lines_and_repeats() {
        let stderr = "[GNUPG:] KEY_CONSIDERED ABC 3\ngpg: skipped \"T <t@e.x>\": Unusable secret key\n\
                      [GNUPG:] INV_SGNR 9 T <t@e.x>\ngpg: signing failed: Unusable secret key\n\
                      gpg: signing failed: Unusable secret key\n";
        assert_eq!(
            said(stderr),
            ": gpg: skipped \"T <t@e.x>\": Unusable secret key; gpg: signing failed: Unusable secret key"
        );
        assert_eq!(said("[GNUPG:] SIG_CREATED D 22 8 00\n\n"), "");
    }
}
