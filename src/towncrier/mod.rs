//! towncrier's `build`, natively and byte for byte: the section rendered from the
//! fragments ([`render`]) and the news file it is written into ([`news_file`]).
//!
//! This reproduces towncrier 26.9's `render_fragments` (the Jinja2 template rendered with
//! `trim_blocks=True`, then `wrap`), the title logic of `build.py` (`title_format`,
//! `md_header_level`, the top underline) and `_writer.append_to_newsfile`. Templates run on
//! minijinja with the Python compatibility of [`crate::pycompat`].
//!
//! git-release additions: the changelog path may hold `{major}`, `{minor}`, `{patch}`
//! (`CHANGELOG/{major}.{minor}.md`), and a build is refused when the changelog already has
//! a section heading for the version.

pub mod news_file;
pub mod render;

use crate::config::{Config, TemplateSource};
use crate::error::{Error, Result};

pub use news_file::{
    BuildPlan, BuildReport, build, changelog_path, check_section_read_back, plan, remove_fragments,
};
pub use render::render_section;

/// towncrier's four templates, embedded (exact copies; see `templates/towncrier/NOTICE`).
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    (
        "default.md",
        include_str!("../../templates/towncrier/default.md"),
    ),
    (
        "default.rst",
        include_str!("../../templates/towncrier/default.rst"),
    ),
    (
        "hr-between-versions.rst",
        include_str!("../../templates/towncrier/hr-between-versions.rst"),
    ),
    (
        "single-file-no-bullets.rst",
        include_str!("../../templates/towncrier/single-file-no-bullets.rst"),
    ),
];

/// The template's display name and text.
pub(crate) fn load_template(source: &TemplateSource) -> Result<(String, String)> {
    match source {
        TemplateSource::Builtin { resource, .. } => BUILTIN_TEMPLATES
            .iter()
            .find(|(name, _)| name == resource)
            .map(|(_, text)| (source.display_name(), text.to_string()))
            .ok_or_else(|| Error::Template {
                name: source.display_name(),
                message: "is not one of towncrier's templates".into(),
            }),
        TemplateSource::File(path) => {
            let text = crate::files::read_text(path)?;
            Ok((source.display_name(), text))
        }
    }
}

/// The version to build when none is given: towncrier's `version` key, else the version
/// file (`VERSION` by default).
pub fn default_version(config: &Config) -> Result<String> {
    if let Some(v) = config
        .towncrier
        .version
        .as_ref()
        .filter(|v| !v.trim().is_empty())
    {
        return Ok(v.trim().to_string());
    }
    let Some(path) = config.version_path() else {
        return Err(Error::Usage(
            "no version given, no `version` in [tool.towncrier] and no version file: give the \
             version to build (`git release build 1.2.3`)"
                .into(),
        ));
    };
    match crate::files::read_text(&path) {
        Ok(text) if text.trim().is_empty() => Err(Error::Usage(format!(
            "{} is empty: give the version to build (`git release build 1.2.3`)",
            path.display()
        ))),
        Err(e) if crate::files::is_not_found(&e) => Err(Error::Usage(format!(
            "no version given, no `version` in [tool.towncrier] and no {}: give the version to build \
             (`git release build 1.2.3`)",
            path.display()
        ))),
        Err(e) => Err(e),
        // As the file writes it (`v1.2.3` too, as towncrier is given it).
        Ok(text) => match crate::version::held(
            &text,
            config.version_file()?.and_then(|f| f.pattern).as_ref(),
        ) {
            Ok((span, _)) => Ok(text[span].to_string()),
            Err(_) => Ok(text.trim().to_string()),
        },
    }
}

/// The date to print when none is given, as towncrier computes it: `SOURCE_DATE_EPOCH`
/// when set, else now, as a local date (`YYYY-MM-DD`).
pub fn default_date() -> Result<String> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let timestamp = source_date_epoch(epoch.as_deref())?.unwrap_or_else(jiff::Timestamp::now);
    Ok(timestamp
        .to_zoned(jiff::tz::TimeZone::system())
        .date()
        .strftime("%Y-%m-%d")
        .to_string())
}

/// The instant `SOURCE_DATE_EPOCH` names (its value, if set). Set but empty, or only
/// whitespace, it names none, as reproducible-builds.org's shell and Perl recipes read it
/// (`${SOURCE_DATE_EPOCH:-$(date +%s)}`; towncrier's `int('')` crashes instead). Anything
/// else must be a number of seconds since 1970.
fn source_date_epoch(value: Option<&str>) -> Result<Option<jiff::Timestamp>> {
    let Some(s) = value.filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let secs: i64 = s.trim().parse().map_err(|_| {
        Error::Usage(format!(
            "SOURCE_DATE_EPOCH must be a number of seconds since 1970, not `{s}`"
        ))
    })?;
    jiff::Timestamp::from_second(secs)
        .map(Some)
        .map_err(|e| Error::Usage(format!("SOURCE_DATE_EPOCH `{s}` is out of range: {e}")))
}

/// A date given on the command line, checked: a typo here would end up in the changelog.
/// `None` is towncrier's default ([`default_date`]).
pub fn date_or_today(date: Option<&str>) -> Result<String> {
    match date {
        None => default_date(),
        // Exactly `YYYY-MM-DD`: strptime alone takes `2026-1-6` and ` 2026-01-06`, which
        // would be printed into the heading as typed.
        Some(d) => jiff::civil::Date::strptime("%Y-%m-%d", d)
            .ok()
            .filter(|date| date.strftime("%Y-%m-%d").to_string() == d)
            .map(|_| d.to_string())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "`{d}` is not a date; use YYYY-MM-DD, e.g. 2026-02-13"
                ))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_source_date_epoch_is_unset() {
        for unset in [None, Some(""), Some("  "), Some("\t\n")] {
            assert_eq!(source_date_epoch(unset).unwrap(), None, "{unset:?}");
        }
        assert_eq!(
            source_date_epoch(Some(" 1700000000\n")).unwrap(),
            Some(jiff::Timestamp::from_second(1_700_000_000).unwrap())
        );
        for refused in ["yesterday", "1e9", "-", "99999999999999999999"] {
            let e = source_date_epoch(Some(refused)).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{refused}: {e}");
        }
    }
}
