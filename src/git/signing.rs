//! Whether git can sign the release's commits (`commit.gpgSign`), asked before any change,
//! and the configuration as the committing git binary sees it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::Repo;

impl Repo {
    /// Why git could not sign the release's commits when `commit.gpgSign` asks it to, or
    /// `None` (signing not asked, or it looks possible). Asked the way git signs: the
    /// program of `gpg.format` (`gpg.program`, `gpg.<format>.program`) must run and hold a
    /// secret key for `user.signingKey` (else the committer's email); an ssh signature needs
    /// `user.signingKey` (or `gpg.ssh.defaultKeyCommand`), and a key file that exists.
    pub fn signing_problem(&self) -> Option<String> {
        if self.git_config("commit.gpgSign", true).as_deref() != Some("true") {
            return None;
        }
        let format = self
            .git_config("gpg.format", false)
            .unwrap_or_else(|| "openpgp".into());
        let key = self.git_config("user.signingKey", false);
        if format == "ssh" {
            let Some(key) = key else {
                return self
                    .git_config("gpg.ssh.defaultKeyCommand", false)
                    .is_none()
                    .then(|| "gpg.format is ssh but user.signingKey is not set".to_string());
            };
            let literal = key.starts_with("key::") || key.starts_with("ssh-");
            let path = key.strip_prefix("~/").map_or_else(
                || PathBuf::from(&key),
                |rest| {
                    std::env::var_os("HOME")
                        .map_or_else(|| PathBuf::from(&key), |h| PathBuf::from(h).join(rest))
                },
            );
            let path = if path.is_absolute() {
                path
            } else {
                self.root.join(path)
            };
            return (!literal && !path.exists()).then(|| {
                format!(
                    "user.signingKey names {}, which does not exist",
                    path.display()
                )
            });
        }
        let default = if format == "x509" { "gpgsm" } else { "gpg" };
        let program = self
            .config_string(&format!("gpg.{format}.program"))
            .or_else(|| {
                (format == "openpgp")
                    .then(|| self.config_string("gpg.program"))
                    .flatten()
            })
            .unwrap_or_else(|| default.to_string());
        let who = key.or_else(|| self.git_config("user.email", false));
        let mut cmd = Command::new(&program);
        cmd.args(["--batch", "--list-secret-keys"]);
        cmd.args(who.iter());
        let out = cmd
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .output();
        // Only gpg and gpgsm are asked for their keys: another signing program (a wrapper,
        // a KMS client) need not answer `--list-secret-keys`; it must only run.
        let is_gnupg = Path::new(&program)
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("gpg"));
        match out {
            Err(e) => Some(format!(
                "its signing program `{program}` cannot be run ({e})"
            )),
            Ok(_) if !is_gnupg => None,
            Ok(out) if !out.status.success() || out.stdout.iter().all(u8::is_ascii_whitespace) => {
                Some(format!(
                    "`{program}` holds no secret key for {}",
                    who.as_deref().unwrap_or("the committer")
                ))
            }
            Ok(_) => None,
        }
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
