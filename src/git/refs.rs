//! References other than the checked-out branch: tags, and branches of remotes.

use gix::bstr::ByteSlice as _;

use super::{Repo, gix_error};
use crate::error::Result;

impl Repo {
    /// Whether the tag `refs/tags/<name>` exists.
    pub fn tag_exists(&self, name: &str) -> Result<bool> {
        let full = format!("refs/tags/{name}");
        let found = self
            .repo
            .try_find_reference(full.as_str())
            .map_err(gix_error(format!("cannot look up tag `{name}`")))?;
        Ok(found.is_some())
    }

    /// The remote-tracking branches named `name` on any remote (`origin/<name>`, …), as
    /// git's short names: the branch was pushed by someone, from somewhere.
    pub fn remote_branches(&self, name: &str) -> Result<Vec<String>> {
        let what = || format!("cannot list the remote branches named `{name}`");
        let platform = self.repo.references().map_err(gix_error(what()))?;
        let refs = platform
            .prefixed("refs/remotes/")
            .map_err(gix_error(what()))?;
        let suffix = format!("/{name}");
        let mut found = Vec::new();
        for reference in refs {
            let reference = reference.map_err(gix_error(what()))?;
            let full = reference.name().as_bstr();
            let Some(short) = full.strip_prefix(b"refs/remotes/") else {
                continue;
            };
            let short = short.to_str_lossy();
            // `<remote>/<name>`: the remote's part must not be empty.
            if short.len() > suffix.len() && short.ends_with(&suffix) {
                found.push(short.into_owned());
            }
        }
        Ok(found)
    }
}
