//! The next development version of a sprint release: what it is (`NEXT_DEV_VERSION`, else
//! `X.(Y+1).0`), whether the configured file can take it (its pattern, a file already
//! ahead, a tag on this line already at or after it), and its edit by hand.

use std::path::Path;

use super::plan::{relative, sed_replace, shell_quote};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::version::{Tags, Version};

/// After a final sprint release, the next development version: computable, and the
/// configured file must hold it where the pattern says.
pub(super) fn check_next_version(
    repo: &Repo,
    config: &Config,
    version: &Version,
    tags: &Tags,
    allow_downgrade: bool,
) -> Result<Option<Version>> {
    let Some(nv) = config.release.next_version.as_ref() else {
        return Ok(None);
    };
    if !(version.is_final() && version.is_sprint()) {
        return Ok(None);
    }
    let next = next_dev_version(version)?;
    if next <= *version {
        return Err(Error::Refused(format!(
            "the next development version {next} is not newer than the release {version}; \
             set NEXT_DEV_VERSION to a later version (or unset it for {})",
            version
                .next_minor()
                .map(|v| v.to_string())
                .unwrap_or_else(|_| "the default".into())
        )));
    }
    // A tag on another line's history (`v2.0.0` on main, while 1.x's next is 1.5.0) is not
    // a release this line's development leads to: only tags HEAD reaches count.
    let mut on_this_line = tags.clone();
    on_this_line.retain(|name, v| *v < next || repo.tag_reaches_head(name).unwrap_or(true));
    on_this_line.check_next(&next, &nv.file, allow_downgrade)?;
    let file = config.root.join(&nv.file);
    // A file that is no text (not UTF-8, not a regular file) is named with its setting.
    let text = crate::files::read_text(&file).map_err(|e| match e {
        Error::Refused(why) => config
            .settings_source
            .error("next-version.file", format!("names {why}")),
        other => other,
    })?;
    let key = "next-version.pattern";
    let Some(found) = nv.pattern.captures(&text).and_then(|c| c.name("version")) else {
        return Err(config.settings_source.error(
            key,
            format!(
                "= '{}' matches nothing in {}; fix it so that it finds the version there",
                nv.pattern,
                relative(repo, &file)
            ),
        ));
    };
    // The step replaces what the group holds with the next version: anything but one
    // version on one line (a name, a greedy match across lines) would be overwritten.
    let held = found.as_str();
    let one_line = !held.contains(['\n', '\r']);
    if !one_line || held.trim() != held || Version::parse(held).is_err() {
        let shown: String = held.chars().take(80).collect();
        let shown = shown.escape_debug();
        return Err(config.settings_source.error(
            key,
            format!(
                "= '{}': its `version` group holds \"{shown}\"{} in {}, not {}, and the \
                 next-version step would write {next} over all of it; make the group match \
                 the version alone, on its line (as in `__version__ = \"(?P<version>[^\"]+)\"`)",
                nv.pattern,
                if held.chars().count() > 80 { "…" } else { "" },
                relative(repo, &file),
                if one_line {
                    "a version"
                } else {
                    "a version on one line"
                },
            ),
        ));
    }
    // A release allowed to go backwards (`--allow-downgrade`) takes the file with it.
    if !allow_downgrade {
        check_not_ahead(repo, &file, held, &next)?;
    }
    Ok(Some(next))
}

/// The next-version file already ahead of the version the step would write (the next cycle
/// planned by hand: `2.0.0.dev0` over a bump to 1.5.0) is refused before anything changes:
/// the development version never moves backwards without a word. (A file already at that
/// version is fine: the step then changes nothing and commits nothing.)
fn check_not_ahead(repo: &Repo, file: &Path, held: &str, next: &Version) -> Result<()> {
    match Version::parse(held) {
        Ok(now) if now > *next => Err(Error::Refused(format!(
            "{} holds the development version {held}, ahead of {next}, which this release \
             would write there (moving it backwards); set NEXT_DEV_VERSION={held} to keep it \
             (the next-version step then changes nothing), or NEXT_DEV_VERSION to the version \
             to write. Nothing was changed",
            relative(repo, file)
        ))),
        _ => Ok(()),
    }
}

/// The edit the next-version step makes, as a command (the text the pattern matches now,
/// replaced by the same text holding the next version), and the next version as the step
/// writes it: spelled as the file spells its version, `v` prefix kept (`v1.4.0` → `v1.5.0`).
pub(super) fn advance_by_hand(
    repo: &Repo,
    file: &Path,
    pattern: &regex::Regex,
    next: &Version,
) -> Result<(String, String)> {
    let text = crate::files::read_text(file)?;
    let shown = shell_quote(&relative(repo, file));
    let found = pattern
        .captures(&text)
        .and_then(|c| Some((c.get(0)?, c.name("version")?)));
    let Some((whole, inner)) = found else {
        let by_hand = format!("(set the next version to {next} in {shown})");
        return Ok((by_hand, next.to_string()));
    };
    let written = next.spelled_as(inner.as_str());
    let old = whole.as_str();
    let new = format!(
        "{}{written}{}",
        &text[whole.start()..inner.start()],
        &text[inner.end()..whole.end()]
    );
    if old.contains('\n') {
        return Ok((
            format!("(in {shown}, replace `{old}` with `{new}`)"),
            written,
        ));
    }
    let by_hand = format!(
        "sed -i {} {shown}",
        shell_quote(&sed_replace(old, &new, false))
    );
    Ok((by_hand, written))
}

/// The development version after a sprint release: `NEXT_DEV_VERSION` when set (written as
/// a release's version is: in its normal form, without a local label), else `X.(Y+1).0`.
pub(crate) fn next_dev_version(version: &Version) -> Result<Version> {
    match std::env::var("NEXT_DEV_VERSION") {
        Ok(v) if !v.trim().is_empty() => Version::parse_normal(v.trim())
            .map_err(|e| Error::Refused(format!("NEXT_DEV_VERSION: {e}"))),
        _ => version.next_minor().map_err(|e| {
            Error::Refused(format!(
                "the next development version after {version} cannot be computed ({e}); \
                 set NEXT_DEV_VERSION to it"
            ))
        }),
    }
}
