//! Release versions as users type them: PEP 440 (`26.2.0rc2`, `1.0a1`, `1.0.dev3`,
//! `1.0.post1`) and SemVer (`1.2.3-rc.1`), in one ordered type.
//!
//! One rule for a local version label (PEP 440's `+…`) and SemVer's build metadata (also
//! `+…`): a version *read* (a tag, the version file, a changelog heading) may carry one, and
//! is ordered by PEP 440 (`1.4.0 < 1.4.0+b7`, segments compared as numbers or as text); a
//! version *released* never does, whatever its kind ([`Version::parse_normal`]): PyPI
//! refuses local versions, and SemVer ignores build metadata when it orders releases.

use std::cmp::Ordering;
use std::fmt;

use crate::error::Error;

mod held;
use held::prefix_of;
pub use held::{Unheld, VersionPattern, held, holds_written, write_held};

/// Which grammar a version was written in; it decides how it is printed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Pep440,
    SemVer,
}

/// Pre-release phase, in PEP 440 order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    Alpha,
    Beta,
    /// `rc`, `c`, `pre`, `preview` (PEP 440 treats them alike).
    Rc,
}

/// Whether a release consolidates and freezes (final) or is flat (pre-release).
///
/// Post-releases count as pre-releases here: a `26.2.0.post1` re-issues 26.2.0 and must
/// neither fold rc sections nor freeze placeholders again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReleaseKind {
    Final,
    PreRelease,
}

impl fmt::Display for ReleaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReleaseKind::Final => "Final release",
            ReleaseKind::PreRelease => "Pre-release",
        })
    }
}

/// A parsed version. Equality and ordering follow PEP 440 (SemVer pre-release tags are
/// mapped onto PEP 440 phases when they are `alpha`/`beta`/`rc`-like).
#[derive(Debug, Clone)]
pub struct Version {
    text: String,
    scheme: Scheme,
    epoch: u64,
    release: Vec<u64>,
    pre: Option<(Phase, u64)>,
    /// A SemVer pre-release tag that is not alpha/beta/rc-like (e.g. `1.2.3-nightly.4`).
    other_pre: Option<semver::Prerelease>,
    /// What a SemVer pre-release holds after its phase (or `dev`) and number.
    rest: Option<Rest>,
    post: Option<u64>,
    dev: Option<u64>,
    /// The local version label (PEP 440) or SemVer build metadata, normalized as PEP 440
    /// normalizes a local label: lower case, `-` and `_` read as `.`.
    local: Option<String>,
    /// The `v` or `V` it was written with (`v7.8.0rc1`): no part of its value (equality,
    /// order), kept for [`Version::spelled`].
    prefix: Option<char>,
}

/// A SemVer pre-release's identifiers after its phase (or `dev`) and number, which PEP 440
/// has no place for: `2` of `rc.1.2`, `beta` of `alpha.beta`. Without a number (`alpha.beta`)
/// the word stands where the number would, after every number, as SemVer orders a word
/// after a number: `alpha.1 < alpha.beta < beta`; with one, more identifiers come after
/// fewer: `rc.1 < rc.1.2 < rc.2`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rest {
    unnumbered: bool,
    ids: semver::Prerelease,
}

/// PEP 440's version grammar (packaging's `VERSION_PATTERN`).
const PEP440: &str = r"(?ix)^\s*v?
        (?:(?P<epoch>[0-9]+)!)?
        (?P<release>[0-9]+(?:\.[0-9]+)*)
        (?P<pre>[-_.]?(?P<pre_l>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<pre_n>[0-9]+)?)?
        (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
        (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
        (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
        \s*$";

/// A local label as PEP 440 normalizes it: lower case, every separator a `.`.
fn normal_local(label: &str) -> String {
    label.to_ascii_lowercase().replace(['-', '_'], ".")
}

fn number(s: &str, input: &str) -> Result<u64, Error> {
    s.parse().map_err(|_| Error::Version {
        input: input.to_string(),
        reason: format!("the number `{s}` is too large"),
    })
}

impl Version {
    /// Parse a version in any accepted form.
    pub fn parse(input: &str) -> Result<Version, Error> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Error::Version {
                input: input.to_string(),
                reason: "it is empty".into(),
            });
        }
        let unprefixed = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        // SemVer first when the text uses SemVer's pre-release separator, so that
        // `1.2.3-rc.1` keeps its spelling and `1.2.3-nightly.4` is accepted at all. (A
        // `+` alone is PEP 440's local label as much as SemVer's build metadata: both
        // grammars read `1.4.0+b7` alike, and `1.4+b7` only PEP 440's does.)
        if unprefixed.contains('-') {
            if let Ok(v) = semver::Version::parse(unprefixed) {
                return Ok(Version {
                    prefix: prefix_of(trimmed),
                    ..Self::from_semver(unprefixed, v)
                });
            }
        }
        if let Some(c) = static_regex!(PEP440).captures(trimmed) {
            let release = c["release"]
                .split('.')
                .map(|p| number(p, input))
                .collect::<Result<Vec<_>, _>>()?;
            let pre = match c.name("pre_l") {
                Some(l) => {
                    let phase = match l.as_str().to_ascii_lowercase().as_str() {
                        "a" | "alpha" => Phase::Alpha,
                        "b" | "beta" => Phase::Beta,
                        _ => Phase::Rc,
                    };
                    let n = c
                        .name("pre_n")
                        .map(|m| number(m.as_str(), input))
                        .transpose()?;
                    Some((phase, n.unwrap_or(0)))
                }
                None => None,
            };
            let post = if c.name("post").is_some() {
                let n = c
                    .name("post_n1")
                    .or_else(|| c.name("post_n2"))
                    .map(|m| number(m.as_str(), input))
                    .transpose()?;
                Some(n.unwrap_or(0))
            } else {
                None
            };
            let dev = if c.name("dev").is_some() {
                Some(
                    c.name("dev_n")
                        .map(|m| number(m.as_str(), input))
                        .transpose()?
                        .unwrap_or(0),
                )
            } else {
                None
            };
            let epoch = c
                .name("epoch")
                .map(|m| number(m.as_str(), input))
                .transpose()?
                .unwrap_or(0);
            return Ok(Version {
                text: unprefixed.to_string(),
                scheme: Scheme::Pep440,
                epoch,
                release,
                pre,
                other_pre: None,
                rest: None,
                post,
                dev,
                local: c.name("local").map(|m| normal_local(m.as_str())),
                prefix: prefix_of(trimmed),
            });
        }
        if let Ok(v) = semver::Version::parse(unprefixed) {
            return Ok(Version {
                prefix: prefix_of(trimmed),
                ..Self::from_semver(unprefixed, v)
            });
        }
        Err(Error::Version {
            input: input.to_string(),
            reason: "it is neither PEP 440 nor SemVer".into(),
        })
    }

    fn from_semver(text: &str, v: semver::Version) -> Version {
        let (mut pre, mut dev, mut rest) = (None, None, None);
        let mut other_pre = None;
        if !v.pre.is_empty() {
            match semver_phase(&v.pre) {
                Some((Some(phase), n, r)) => (pre, rest) = (Some((phase, n)), r),
                Some((None, n, r)) => (dev, rest) = (Some(n), r),
                None => other_pre = Some(v.pre.clone()),
            }
        }
        Version {
            text: text.to_string(),
            scheme: Scheme::SemVer,
            epoch: 0,
            release: vec![v.major, v.minor, v.patch],
            pre,
            other_pre,
            rest,
            post: None,
            dev,
            local: (!v.build.is_empty()).then(|| normal_local(v.build.as_str())),
            prefix: None,
        }
    }

    /// The version as the user wrote it (without a leading `v`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// PEP 440's normal form (`01.4.0` → `1.4.0`, `1.0-RC1` → `1.0rc1`, `1.0.post` →
    /// `1.0.post0`); a SemVer version as written.
    pub fn normal_form(&self) -> String {
        if self.scheme != Scheme::Pep440 {
            return self.text.clone();
        }
        let mut out = String::new();
        if self.epoch != 0 {
            out.push_str(&format!("{}!", self.epoch));
        }
        let release: Vec<String> = self.release.iter().map(u64::to_string).collect();
        out.push_str(&release.join("."));
        if let Some((phase, n)) = self.pre {
            let l = match phase {
                Phase::Alpha => "a",
                Phase::Beta => "b",
                Phase::Rc => "rc",
            };
            out.push_str(&format!("{l}{n}"));
        }
        if let Some(n) = self.post {
            out.push_str(&format!(".post{n}"));
        }
        if let Some(n) = self.dev {
            out.push_str(&format!(".dev{n}"));
        }
        if let Some(local) = &self.local {
            out.push_str(&format!("+{local}"));
        }
        out
    }

    /// The local version label (or SemVer build metadata), normalized: `b.7` of `1.4.0+B-7`.
    pub fn local(&self) -> Option<&str> {
        self.local.as_deref()
    }

    /// The version without its local label (`1.4.0` of `1.4.0+b7`), spelled as written.
    pub fn public(&self) -> Version {
        if self.local.is_none() {
            return self.clone();
        }
        let text = match self.text.find('+') {
            Some(i) => self.text[..i].to_string(),
            None => self.text.clone(),
        };
        Version {
            text,
            local: None,
            ..self.clone()
        }
    }

    /// [`Version::parse`], refusing a PEP 440 version not written in its normal form: the
    /// version names a branch, a changelog heading and a file, and `01.4.0` must not sit
    /// beside `1.4.0`.
    /// A local label (`1.4.0+b7`, `1.4.0rc3+b7`, `1.2.3-rc.1+b7`) is refused, for every
    /// kind of release alike: see the module's documentation.
    pub fn parse_normal(input: &str) -> Result<Version, Error> {
        let v = Version::parse(input)?;
        if let Some(label) = &v.local {
            let public = v.public();
            return Err(Error::LocalVersion {
                input: input.to_string(),
                // As written (`+B-7`), not normalized (`+b.7`).
                label: input
                    .trim()
                    .split_once('+')
                    .map_or_else(|| label.clone(), |(_, l)| l.to_string()),
                public: match public.scheme {
                    Scheme::Pep440 => public.normal_form(),
                    Scheme::SemVer => public.text,
                },
            });
        }
        let normal = v.normal_form();
        if normal != v.text {
            return Err(Error::Version {
                input: input.to_string(),
                reason: format!("PEP 440 writes it `{normal}`; release `{normal}`"),
            });
        }
        Ok(v)
    }

    /// Whether a tag named `tag` marks this version's release: the name, with or without a
    /// leading `v`, is a version equal to this one (PEP 440 equality: `v1.4.0`, `1.4`,
    /// `1.4.0.0` and `1.4.0+local` all name 1.4.0; `1.0-RC1` names 1.0rc1). A name that is
    /// no version names none, nor does a floating tag ([`Version::floats_over`], `current`
    /// being the version file's).
    pub fn is_named_by_tag(&self, tag: &str, current: &Version) -> bool {
        Version::of_tag(tag).is_some_and(|v| !v.floats_over(self, current) && v == self.public())
    }

    /// True when this version, a tag's, is no release beside `asked` but a floating tag of
    /// a release line (GitHub Actions' `v1`, Docker's `v1.0`, moved to each release of
    /// their line): written with fewer release numbers than `asked`, in a project whose
    /// grammar has no such version — SemVer (`asked` or `current`, the version file, written
    /// so) always writes three (`v1.0` beside `1.0.0-rc.1`, or beside `1.0.0` after it) —
    /// or as a major version alone (`v1` beside `1.0.0rc1`: a project whose versions are
    /// one number asks for `2`, not `2.0.0`). PEP 440's `1.4` beside `1.4.0` is the same
    /// release (a tag of it, made by hand), and counts.
    pub fn floats_over(&self, asked: &Version, current: &Version) -> bool {
        let numbers = self.release.len();
        let semver = asked.scheme == Scheme::SemVer || current.scheme == Scheme::SemVer;
        numbers < asked.release.len() && (semver || numbers == 1)
    }

    /// The release a tag named `tag` marks: its name read as a version, with or without a
    /// leading `v`, without its local label (PEP 440's `==1.4.0` takes `1.4.0+local`); a
    /// name that is no version (`release-1.4.0`, ` 1.4.0`) marks none.
    pub fn of_tag(tag: &str) -> Option<Version> {
        (tag.trim() == tag)
            .then(|| Version::parse(tag).ok())
            .flatten()
            .map(|v| v.public())
    }

    /// True for a version that comes after its own final release (`1.4.0.post1`,
    /// `1.4.0.post1.dev0`): it can only be released once that final was.
    pub fn follows_its_final(&self) -> bool {
        self.public() > self.base()
    }

    /// True when this version, released, shows that `other`'s final release was made: the
    /// same base, at or after that final (`1.4.0`, `1.4.0.post2` show 1.4.0's final;
    /// `1.4.0rc1` does not). Local labels do not count.
    pub fn shows_final_of(&self, other: &Version) -> bool {
        self.same_base(other) && self.public() >= other.base()
    }

    fn component(&self, i: usize) -> u64 {
        self.release.get(i).copied().unwrap_or(0)
    }

    pub fn major(&self) -> u64 {
        self.component(0)
    }

    pub fn minor(&self) -> u64 {
        self.component(1)
    }

    pub fn patch(&self) -> u64 {
        self.component(2)
    }

    /// True for rc/a/alpha/b/beta/pre/dev versions (and SemVer pre-release tags).
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some() || self.other_pre.is_some()
    }

    pub fn is_postrelease(&self) -> bool {
        self.post.is_some()
    }

    /// Final releases consolidate rc sections and freeze placeholders; everything with a
    /// pre-release, dev or post tag is released flat.
    pub fn kind(&self) -> ReleaseKind {
        if self.is_prerelease() || self.is_postrelease() {
            ReleaseKind::PreRelease
        } else {
            ReleaseKind::Final
        }
    }

    pub fn is_final(&self) -> bool {
        self.kind() == ReleaseKind::Final
    }

    /// A sprint release has patch 0 (`26.2.0`, `26.2.0rc1`); only final sprint releases
    /// advance the next development version.
    pub fn is_sprint(&self) -> bool {
        self.patch() == 0
    }

    /// The release this version leads to: `26.2.0rc2` → `26.2.0`, `1.0a1` → `1.0`.
    pub fn base(&self) -> Version {
        let text = match self.scheme {
            Scheme::SemVer => format!("{}.{}.{}", self.major(), self.minor(), self.patch()),
            Scheme::Pep440 => {
                let rel = self
                    .release
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(".");
                if self.epoch > 0 {
                    format!("{}!{rel}", self.epoch)
                } else {
                    rel
                }
            }
        };
        Version {
            text,
            scheme: self.scheme,
            epoch: self.epoch,
            release: self.release.clone(),
            pre: None,
            other_pre: None,
            rest: None,
            post: None,
            dev: None,
            local: None,
            prefix: self.prefix,
        }
    }

    /// True when both versions lead to the same release (`26.2.0rc1` and `26.2.0`).
    pub fn same_base(&self, other: &Version) -> bool {
        self.epoch == other.epoch && trimmed(&self.release) == trimmed(&other.release)
    }

    /// `X.(Y+1).0`, the development version that follows a sprint release: the epoch kept
    /// (`1!2.0.0` → `1!2.1.0`, newer by PEP 440), and as many release numbers as the
    /// release has, three at least (`1.4.0.0` → `1.5.0.0`); no pre, post, dev or local part.
    pub fn next_minor(&self) -> Result<Version, Error> {
        let minor = self.minor().checked_add(1).ok_or_else(|| Error::Version {
            input: self.to_string(),
            reason: "the minor version has no successor (it is the largest number there is)".into(),
        })?;
        let mut release = vec![0; self.release.len().max(3)];
        release[0] = self.major();
        release[1] = minor;
        let numbers: Vec<String> = release.iter().map(u64::to_string).collect();
        let epoch = match self.epoch {
            0 => String::new(),
            e => format!("{e}!"),
        };
        Version::parse(&format!("{epoch}{}", numbers.join(".")))
    }

    fn cmp_key(
        &self,
    ) -> (
        u64,
        Vec<u64>,
        PreKey,
        i128,
        DevKey,
        Option<Vec<LocalSegment>>,
    ) {
        // Mirrors packaging's _cmpkey: dev-only versions sort before any pre-release,
        // versions without pre-release sort after all of theirs.
        let numbered = |n: u64| {
            let rest = self.rest.as_ref();
            let unnumbered = rest.is_some_and(|r| r.unnumbered);
            (unnumbered, n, rest.map(|r| r.ids.clone()))
        };
        let pre = match (self.pre, self.post, self.dev, &self.other_pre) {
            (Some((phase, n)), _, _, _) => {
                let (unnumbered, n, rest) = numbered(n);
                PreKey::Phase(phase, unnumbered, n, rest)
            }
            (None, _, _, Some(p)) => PreKey::Other(p.clone()),
            (None, None, Some(_), None) => PreKey::DevOnly,
            _ => PreKey::None,
        };
        let post = self.post.map_or(-1, i128::from);
        let dev = match (self.dev, self.pre) {
            (None, _) => DevKey::None,
            // A SemVer `dev` pre-release's rest is the dev number's.
            (Some(n), None) => {
                let (unnumbered, n, rest) = numbered(n);
                DevKey::Dev(unnumbered, n, rest)
            }
            (Some(n), Some(_)) => DevKey::Dev(false, n, None),
        };
        // No local label sorts before any; segments compare one by one, a number above
        // any text, and a label that extends another above it.
        let local = self
            .local
            .as_ref()
            .map(|l| l.split('.').map(LocalSegment::of).collect());
        (
            self.epoch,
            trimmed(&self.release).to_vec(),
            pre,
            post,
            dev,
            local,
        )
    }
}

/// The releases a repository's tags show made: each tag whose name is a version
/// ([`Version::of_tag`]: `1.4.0`, `v1.4.0`, `1.4.0+b7`), with it.
#[derive(Debug, Clone, Default)]
pub struct Tags(Vec<(String, Version)>);

impl Tags {
    /// The tags among `names` that name a version; the others (`release-1.4.0`) are left.
    pub fn read(names: impl IntoIterator<Item = String>) -> Tags {
        Tags(
            names
                .into_iter()
                .filter_map(|t| Version::of_tag(&t).map(|v| (t, v)))
                .collect(),
        )
    }

    /// Only the tags `keep` takes (by name and version).
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &Version) -> bool) {
        self.0.retain(|(name, v)| keep(name, v));
    }

    /// The newest tag naming a release beside `asked` (no floating tag), by version.
    pub fn newest<'a>(&'a self, asked: &'a Version) -> Option<&'a Version> {
        self.releases_beside(asked, asked).map(|(_, v)| v).max()
    }

    /// The tags that name a release beside `v` (`current`: the version file's): not the
    /// floating ones ([`Version::floats_over`]).
    fn releases_beside<'a>(
        &'a self,
        v: &'a Version,
        current: &'a Version,
    ) -> impl Iterator<Item = &'a (String, Version)> + Clone {
        self.0
            .iter()
            .filter(move |(_, t)| !t.floats_over(v, current))
    }

    /// The newest tag at or after `v` that `keep` takes.
    fn newest_from<'a>(
        &'a self,
        v: &'a Version,
        current: &'a Version,
        keep: impl Fn(&Version) -> bool,
    ) -> Option<&'a (String, Version)> {
        self.releases_beside(v, current)
            .filter(|(_, t)| t >= v && keep(t))
            .max_by(|a, b| a.1.cmp(&b.1))
    }

    /// `version` against the releases made. The releases of one base (its dev, pre, final
    /// and post releases; PEP 440: dev < rc < final < post) are made in version order: a
    /// release of the base at or after it refuses it, unless `allow_downgrade` (another
    /// base's release does not: a patch of an older line is made after a newer one). A tag
    /// and a section of the changelog (`## 1.4.0.post1`, merged from elsewhere, the version
    /// file behind) are one kind of evidence, read by one rule ([`Made`]): `1.4.0rc2` after
    /// `1.4.0rc3`, and `1.4.0` after `1.4.0.post1`, are refused whichever shows it. A
    /// version after its base's final (`1.4.0.post0`) needs that final made, shown by
    /// `current` (the version file), a tag or a section: else the final could never be
    /// released, being older.
    pub fn check_release(
        &self,
        version: &Version,
        current: &Version,
        allow_downgrade: bool,
        changelog: &std::path::Path,
        sections: impl FnOnce() -> Result<Vec<Version>, Error>,
    ) -> Result<(), Error> {
        let sections = sections()?;
        let made = self
            .releases_beside(version, current)
            .map(|(tag, v)| (Made::Tag(tag), v))
            .chain(sections.iter().map(|v| (Made::Section, v)));
        if !allow_downgrade {
            // The newest; of a tag and a section of one version, the tag.
            let newest = made
                .clone()
                .filter(|(_, m)| m.same_base(version) && *m >= version)
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)));
            match newest {
                Some((Made::Tag(tag), tagged)) => {
                    return Err(Error::OlderThanTag {
                        version: version.to_string(),
                        tag: tag.clone(),
                        tagged: tagged.to_string(),
                        base: version.base().to_string(),
                    });
                }
                Some((Made::Section, section)) => {
                    return Err(Error::OlderThanSection {
                        version: version.to_string(),
                        section: section.to_string(),
                        base: version.base().to_string(),
                        changelog: changelog.to_path_buf(),
                    });
                }
                None => {}
            }
        }
        let mut made = made;
        if !version.follows_its_final()
            || current.shows_final_of(version)
            || made.any(|(_, m)| m.shows_final_of(version))
        {
            return Ok(());
        }
        Err(Error::FinalNotReleased {
            version: version.to_string(),
            base: version.base().to_string(),
            current: current.to_string(),
            changelog: changelog.to_path_buf(),
        })
    }

    /// The next development version `next` (to be written to `file`) against the releases
    /// made: development never leads to a release already made, so no tag may be at or
    /// after it (with `allow_downgrade`, no tag of its own base: a maintenance line may stay
    /// behind a newer one).
    pub fn check_next(
        &self,
        next: &Version,
        file: &str,
        allow_downgrade: bool,
    ) -> Result<(), Error> {
        let Some((tag, tagged)) =
            self.newest_from(next, next, |t| !allow_downgrade || t.same_base(next))
        else {
            return Ok(());
        };
        Err(Error::NextVersionTagged {
            next: next.to_string(),
            file: file.to_string(),
            tag: tag.clone(),
            tagged: tagged.to_string(),
            suggestion: tagged
                .next_minor()
                .map_or_else(|_| "a later version".into(), |v| v.to_string()),
        })
    }
}

/// What shows a release made: a tag (by name) or a section of the changelog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Made<'a> {
    Tag(&'a String),
    Section,
}

fn trimmed(release: &[u64]) -> &[u64] {
    let mut end = release.len();
    while end > 1 && release[end - 1] == 0 {
        end -= 1;
    }
    &release[..end]
}

/// One segment of a local label, in PEP 440's order: text (compared without case: the label
/// is lower case already) before any number; numbers by value, however many digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalSegment {
    Text(String),
    /// The digits without leading zeros, ordered by their count first: the number's value.
    Number(usize, String),
}

impl LocalSegment {
    fn of(segment: &str) -> LocalSegment {
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            let digits = segment.trim_start_matches('0');
            LocalSegment::Number(digits.len(), digits.to_string())
        } else {
            LocalSegment::Text(segment.to_string())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum PreKey {
    DevOnly,
    Other(semver::Prerelease),
    /// The phase, a word in the number's place (SemVer), the number, SemVer's rest.
    Phase(Phase, bool, u64, Option<semver::Prerelease>),
    None,
}

/// A dev release before the release it leads to (`1.0.dev1 < 1.0`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum DevKey {
    Dev(bool, u64, Option<semver::Prerelease>),
    None,
}

/// A SemVer pre-release read as a PEP 440 phase (`None`: `dev`), its number and the rest
/// ([`Rest`]): `rc.1`, `rc1`, `RC.1.2`, `alpha.beta`, `dev.3`. `None` when it is no phase
/// (`nightly.4`) or its first identifier is not a word and a number (`rc1a`): it is then
/// ordered by SemVer's rules, before every phase.
fn semver_phase(pre: &semver::Prerelease) -> Option<(Option<Phase>, u64, Option<Rest>)> {
    let mut ids = pre.as_str().split('.');
    let head = ids.next()?.to_ascii_lowercase();
    let digits_at = head
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(head.len());
    let (word, digits) = head.split_at(digits_at);
    let phase = match word {
        "a" | "alpha" => Some(Phase::Alpha),
        "b" | "beta" => Some(Phase::Beta),
        "rc" | "c" | "pre" | "preview" => Some(Phase::Rc),
        "dev" => None,
        _ => return None,
    };
    let mut rest: Vec<&str> = ids.collect();
    let (unnumbered, n) = if !digits.is_empty() {
        (false, digits.parse().ok()?)
    } else {
        match rest.first() {
            // (A number too large for u64 leaves it to SemVer's order.)
            Some(id) if id.bytes().all(|b| b.is_ascii_digit()) => {
                let n = id.parse().ok()?;
                rest.remove(0);
                (false, n)
            }
            Some(_) => (true, 0),
            None => (false, 0),
        }
    };
    let rest = match rest.is_empty() {
        true => None,
        false => Some(Rest {
            unnumbered,
            ids: semver::Prerelease::new(&rest.join(".")).ok()?,
        }),
    };
    Some((phase, n, rest))
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_key().cmp(&other.cmp_key())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Version {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `v` typed is kept for the heading, and is no part of the value.
    #[test]
    fn a_v_is_spelled_but_not_compared() {
        let v = Version::parse("v7.8.0rc1").unwrap();
        let bare = Version::parse("7.8.0rc1").unwrap();
        assert_eq!(v, bare);
        assert_eq!(
            (v.as_str(), v.to_string()),
            ("7.8.0rc1", "7.8.0rc1".to_string())
        );
        assert_eq!(v.spelled(), "v7.8.0rc1");
        assert_eq!(
            Version::parse("V1.0.0-rc.1").unwrap().spelled(),
            "V1.0.0-rc.1"
        );
        assert_eq!(bare.spelled(), "7.8.0rc1");
        assert_eq!(v.clone().without_prefix().spelled(), "7.8.0rc1");
        assert_eq!(v.base().spelled(), "v7.8.0");
        assert_eq!(Version::parse_normal("v7.8.0").unwrap().spelled(), "v7.8.0");
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn parses_every_documented_form() {
        for (text, kind, base) in [
            ("26.2.0rc2", ReleaseKind::PreRelease, "26.2.0"),
            ("25.1.0b1", ReleaseKind::PreRelease, "25.1.0"),
            ("1.0a1", ReleaseKind::PreRelease, "1.0"),
            ("1.0alpha1", ReleaseKind::PreRelease, "1.0"),
            ("1.0beta2", ReleaseKind::PreRelease, "1.0"),
            ("1.0.dev3", ReleaseKind::PreRelease, "1.0"),
            ("1.0.post1", ReleaseKind::PreRelease, "1.0"),
            ("1.0pre1", ReleaseKind::PreRelease, "1.0"),
            ("1.2.3-rc.1", ReleaseKind::PreRelease, "1.2.3"),
            ("1.2.3-nightly.4", ReleaseKind::PreRelease, "1.2.3"),
            ("26.2.0", ReleaseKind::Final, "26.2.0"),
            ("v1.2.3", ReleaseKind::Final, "1.2.3"),
        ] {
            let parsed = v(text);
            assert_eq!(parsed.kind(), kind, "{text}");
            assert_eq!(parsed.base().as_str(), base, "{text}");
        }
    }

    #[test]
    fn keeps_the_spelling_the_user_typed() {
        assert_eq!(v("26.2.0rc2").to_string(), "26.2.0rc2");
        assert_eq!(v("1.2.3-rc.1").to_string(), "1.2.3-rc.1");
        assert_eq!(v("v1.2.3").to_string(), "1.2.3");
        assert_eq!(v("1.2.3-rc.1").scheme(), Scheme::SemVer);
    }

    #[test]
    fn orders_like_pep_440() {
        let order = [
            "1.0.dev1",
            "1.0a1.dev1",
            "1.0a1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0rc2",
            "1.0",
            "1.0.post1",
            "1.0.1",
            "1.1.0rc1",
            "1.1.0",
            "2.0",
        ];
        for pair in order.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0"));
        assert!(v("1.2.3-rc.1") < v("1.2.3"));
        assert!(v("1.2.3-rc.1") > v("1.2.3-beta.2"));
        assert!(v("26.2.0rc10") > v("26.2.0rc9"));
    }

    #[test]
    fn normal_forms() {
        for (written, normal) in [
            ("26.2.0", "26.2.0"),
            ("01.4.0", "1.4.0"),
            ("1.0RC1", "1.0rc1"),
            ("1.0-rc.1", "1.0rc1"),
            ("1.0.0-rc1", "1.0.0-rc1"),
            ("1.0a", "1.0a0"),
            ("1.0.post", "1.0.post0"),
            ("1.0-1", "1.0.post1"),
            ("1!2.0.dev3", "1!2.0.dev3"),
            ("1.2.3-rc.1", "1.2.3-rc.1"),
            ("v26.2.0", "26.2.0"),
        ] {
            assert_eq!(v(written).normal_form(), normal, "{written}");
        }
        assert!(Version::parse_normal("26.2.0rc2").is_ok());
        let err = Version::parse_normal("01.4.0").unwrap_err().to_string();
        assert!(err.contains("`1.4.0`"), "{err}");
    }

    #[test]
    fn a_tag_names_every_spelling_of_its_version() {
        for tag in [
            "1.4.0",
            "v1.4.0",
            "V1.4.0",
            "1.4",
            "v1.4",
            "1.4.0.0",
            "1.4.0+local",
        ] {
            assert!(v("1.4.0").is_named_by_tag(tag, &v("1.3.0")), "{tag}");
            assert!(v("1.4").is_named_by_tag(tag, &v("1.3.0")), "{tag}");
        }
        for tag in [
            "1.4.0rc1",
            "v1.4.1",
            "1.4.0.post1",
            "1.4.0.dev0",
            "release-1.4.0",
            " 1.4.0",
        ] {
            assert!(!v("1.4.0").is_named_by_tag(tag, &v("1.3.0")), "{tag}");
        }
        assert!(v("1.0rc1").is_named_by_tag("v1.0-RC1", &v("1.3.0")));
        assert!(v("1.0rc1").is_named_by_tag("1.0.0-rc.1", &v("1.3.0")));
    }

    #[test]
    fn a_version_is_spelled_as_the_file_spells_its_own() {
        assert_eq!(v("1.5.0").spelled_as("v1.4.0"), "v1.5.0");
        assert_eq!(v("1.5.0").spelled_as("  V1.4.0\n"), "V1.5.0");
        assert_eq!(v("1.5.0rc1").spelled_as("1.4.0"), "1.5.0rc1");
        assert_eq!(v("1.5.0").spelled_as(""), "1.5.0");
    }

    #[test]
    fn a_floating_tag_names_no_release() {
        let pep = v("1.3.0");
        // SemVer writes three numbers: `v1` and `v1.0` float over a SemVer version, or any
        // version of a project whose version file is SemVer.
        for asked in ["1.0.0-rc.1", "1.0.0-alpha.beta"] {
            for tag in ["v1", "v1.0", "1", "1.0"] {
                assert!(
                    Version::of_tag(tag).unwrap().floats_over(&v(asked), &pep),
                    "{tag}"
                );
            }
        }
        let semver_file = v("1.0.0-rc.2");
        assert!(!v("1.0.0").is_named_by_tag("v1.0", &semver_file));
        assert!(v("1.0.0").is_named_by_tag("v1.0.0", &semver_file));
        // PEP 440: a major version alone floats over a longer one; `1.4` is 1.4.0's tag.
        assert!(!v("1.0.0").is_named_by_tag("v1", &pep));
        assert!(!v("1.0rc1").is_named_by_tag("v1", &pep) && v("1").is_named_by_tag("v1", &pep));
        assert!(v("1.4.0").is_named_by_tag("1.4", &pep));
        // Not a floating tag: as many numbers or more, whatever the grammar.
        for tag in ["v1.0.0", "1.0.0-rc.1", "v1.0.0.0"] {
            assert!(
                !Version::of_tag(tag)
                    .unwrap()
                    .floats_over(&v("1.0.0-rc.1"), &pep),
                "{tag}"
            );
        }
        // Tags: a floating tag neither refuses a version nor shows its final made, nor
        // refuses the next development version.
        let tags = Tags::read(["v1", "v1.0", "v2"].map(String::from));
        let path = std::path::Path::new("CHANGELOG.md");
        let none = || Ok(Vec::new());
        assert!(
            tags.check_release(&v("1.0.0-rc.1"), &pep, false, path, none)
                .is_ok()
        );
        // (`v1.0` is PEP 440's 1.0, the final of 1.0.0rc1.)
        let err = tags.check_release(&v("1.0.0rc1"), &pep, false, path, none);
        assert!(matches!(err, Err(Error::OlderThanTag { ref tag, .. }) if tag == "v1.0"));
        let major = Tags::read(["v1".to_string()]);
        let post = major.check_release(&v("1.0.0.post1"), &v("1.0.0rc1"), false, path, none);
        assert!(
            matches!(post, Err(Error::FinalNotReleased { .. })),
            "{post:?}"
        );
        let post = tags.check_release(&v("1.0.0.post1"), &v("1.0.0rc1"), false, path, none);
        assert!(post.is_ok(), "{post:?}");
        assert!(tags.check_next(&v("1.1.0"), "v.py", false).is_ok());
    }

    #[test]
    fn sprint_and_next_minor() {
        assert!(v("26.2.0").is_sprint());
        assert!(!v("26.2.1").is_sprint());
        assert_eq!(v("26.2.0").next_minor().unwrap().as_str(), "26.3.0");
        assert!(v("1.18446744073709551615.0").next_minor().is_err());
        assert!(v("26.2.0rc1").same_base(&v("26.2.0")));
        assert!(!v("26.2.1rc1").same_base(&v("26.2.0")));
    }

    #[test]
    fn rejects_garbage_with_the_accepted_forms() {
        for bad in ["", "banana", "26.x", "1..2", "1.2.3-", "--1"] {
            let err = Version::parse(bad).unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.contains("PEP 440") && msg.contains("SemVer"),
                "{bad}: {msg}"
            );
        }
    }

    /// A SemVer pre-release keeps every identifier: `rc.1.2` is not `rc.1`, `alpha.beta`
    /// not `alpha`; SemVer's own example order holds (spec item 11), and PEP 440's phases
    /// still order it among PEP 440 versions.
    #[test]
    fn semver_prereleases_keep_every_identifier() {
        let order = [
            "1.0.0-nightly.4",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0-rc.1.2",
            "1.0.0-rc.1.10",
            "1.0.0-rc.1.x",
            "1.0.0-rc.2",
            "1.0.0",
        ];
        for pair in order.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        for (a, b) in [
            ("1.0.0-rc.1.2", "1.0.0-rc.1"),
            ("1.0.0-alpha.beta", "1.0.0-alpha"),
            ("1.0.0-dev.1.2", "1.0.0-dev.1"),
            ("1.0.0-rc1a", "1.0.0-rc.0"),
            ("1.0.0-rc.1.2", "1.0.0rc1"),
        ] {
            assert_ne!(v(a), v(b), "{a} {b}");
        }
        assert_eq!(v("1.0.0-rc.1"), v("1.0.0rc1"));
        assert_eq!(v("1.0.0-RC1"), v("1.0.0rc1"));
        assert_eq!(v("1.0.0-dev.3"), v("1.0.0.dev3"));
        assert!(v("1.0.0-dev.1.2") < v("1.0.0-dev.2"));
        assert!(v("1.0.0-dev.1.2") > v("1.0.0-dev.1"));
        assert!(v("1.0.0-rc1a").is_prerelease());
        assert_eq!(v("1.0.0-rc.1.2").base().as_str(), "1.0.0");
        assert!(!v("1.0.0-rc.1").is_named_by_tag("1.0.0-rc.1.2", &v("1.3.0")));
    }

    #[test]
    fn local_labels_order_as_pep_440_says() {
        let order = [
            "1.0rc1+zz",
            "1.0",
            "1.0+a",
            "1.0+abc",
            "1.0+abc.5",
            "1.0+B",
            "1.0+5",
            "1.0+5.abc",
            "1.0+9",
            "1.0+10",
            "1.0+10.0",
            "1.0.post0",
            "1.0.post0+1",
        ];
        for pair in order.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0+010"), v("1.0+10"));
        assert_eq!(v("1.0+B-7"), v("1.0+b.7"));
        assert_eq!(v("1.0+B-7").local(), Some("b.7"));
        assert_eq!(v("1.0+B_7").normal_form(), "1.0+b.7");
        assert_ne!(v("1.4.0+b7"), v("1.4.0"));
        // Read as PEP 440 or as SemVer, a label is one label.
        assert_eq!(v("1.4.0+b7").scheme(), Scheme::Pep440);
        assert_eq!(v("1.4.0-rc.1+b7").scheme(), Scheme::SemVer);
        assert_eq!(v("1.4.0-rc.1+b7").local(), Some("b7"));
        assert_eq!(v("1.4.0-rc.1+b7").public(), v("1.4.0rc1"));
        assert_eq!(v("1.4.0rc3+b7").public().as_str(), "1.4.0rc3");
        assert!(v("1.4+b7").public() == v("1.4.0"));
    }

    #[test]
    fn no_release_carries_a_local_label() {
        for (asked, public) in [
            ("1.4.0rc3+b7", "1.4.0rc3"),
            ("1.4.0+b7", "1.4.0"),
            ("1.4+b7", "1.4"),
            ("1.4.0.post1+b7", "1.4.0.post1"),
            ("1.4.0.dev2+b7", "1.4.0.dev2"),
            ("1!1.4.0+b7", "1!1.4.0"),
            ("1.4.0-rc.1+b7", "1.4.0-rc.1"),
            ("1.4.0+b7", "1.4.0"),
            ("v1.4.0RC3+b7", "1.4.0rc3"),
        ] {
            let err = Version::parse_normal(asked).unwrap_err();
            assert!(matches!(err, Error::LocalVersion { .. }), "{asked}: {err}");
            let msg = err.to_string();
            assert!(msg.contains(&format!("Use `{public}`")), "{asked}: {msg}");
            assert!(msg.contains("`+b7`"), "{asked}: {msg}");
        }
        // A tag or a version file may carry one: it is read.
        assert!(Version::parse("1.4.0rc3+b7").is_ok());
    }

    #[test]
    fn what_a_tag_marks_and_what_a_release_needs() {
        assert_eq!(Version::of_tag("v1.4.0+b7"), Some(v("1.4.0")));
        assert_eq!(Version::of_tag("release-1.4.0"), None);
        assert_eq!(Version::of_tag("1.4.0 "), None);
        for after in ["1.4.0.post0", "1.4.0.post1.dev0", "1.4.post2"] {
            assert!(v(after).follows_its_final(), "{after}");
        }
        for before in ["1.4.0", "1.4.0rc1", "1.4.0.dev3", "1.4.0+b7", "1.4.0-rc.1"] {
            assert!(!v(before).follows_its_final(), "{before}");
        }
        let post = v("1.4.0.post0");
        for shows in [
            "1.4.0",
            "v1.4",
            "1.4.0.post3",
            "1.4.0.post0.dev1",
            "1.4.0+b7",
        ] {
            assert!(v(shows).shows_final_of(&post), "{shows}");
        }
        for not in ["1.4.0rc1", "1.4.0.dev0", "1.4.1", "1!1.4.0", "1.3.9.post1"] {
            assert!(!v(not).shows_final_of(&post), "{not}");
        }
    }

    #[test]
    fn tags_refuse_what_comes_before_a_release_made() {
        let tags = |names: &[&str]| Tags::read(names.iter().map(|n| n.to_string()));
        let path = std::path::Path::new("CHANGELOG.md");
        let release = |t: &Tags, asked: &str, current: &str, down: bool| {
            t.check_release(&v(asked), &v(current), down, path, || Ok(Vec::new()))
        };
        // Of one base, in version order; another base's tag, or no version, does not count.
        let t = tags(&["v1.4.0rc3", "1.4.1", "release-1.4.9", "2.0.0"]);
        for asked in ["1.4.0rc2", "1.4.0rc3.dev1", "1.4.0a1", "1.4.0.dev0"] {
            let err = release(&t, asked, "1.3.0", false).unwrap_err();
            assert!(matches!(err, Error::OlderThanTag { .. }), "{asked}: {err}");
            assert!(err.to_string().contains("`v1.4.0rc3`"), "{asked}: {err}");
            assert!(release(&t, asked, "1.3.0", true).is_ok(), "{asked}");
        }
        for asked in ["1.4.0rc4", "1.4.0", "1.3.5"] {
            assert!(release(&t, asked, "1.3.0", false).is_ok(), "{asked}");
        }
        // After a final never made; a tag, the version file or a section shows it made.
        let err = release(&t, "1.4.0.post0", "1.4.0rc3", false).unwrap_err();
        assert!(matches!(err, Error::FinalNotReleased { .. }), "{err}");
        assert!(err.to_string().contains("`git release 1.4.0`"), "{err}");
        let shown = tags(&["1.4.0+b7"]);
        let none = || Ok(Vec::new());
        let ok = shown.check_release(&v("1.4.0.post0"), &v("1.4.0rc3"), false, path, none);
        assert!(ok.is_ok());
        let ok = t.check_release(&v("1.4.0.post0"), &v("1.4.0"), false, path, none);
        assert!(ok.is_ok());
        let sections = || Ok(vec![v("1.4.0rc3"), v("1.4.0")]);
        let ok = t.check_release(&v("1.4.0.post0"), &v("1.4.0rc3"), false, path, sections);
        assert!(ok.is_ok());
        // A section of the base at or after it refuses a version, as a tag does.
        let sections = || Ok(vec![v("1.5.0"), v("1.4.0rc3")]);
        let err = t
            .check_release(&v("1.5.0rc2"), &v("1.4.0"), false, path, sections)
            .unwrap_err();
        assert!(matches!(err, Error::OlderThanSection { .. }), "{err}");
        assert!(err.to_string().contains("`1.5.0` section"), "{err}");
        assert!(
            t.check_release(&v("1.5.0rc2"), &v("1.4.0"), true, path, sections)
                .is_ok()
        );
        assert!(
            t.check_release(&v("1.5.1rc1"), &v("1.4.0"), false, path, sections)
                .is_ok()
        );
        // A final, as any version: a post-release's section after it refuses it as its tag
        // does, its own section too; its rc sections do not.
        for (made, asked) in [
            ("1.4.0.post1", "1.4.0"),
            ("1.5.0", "1.5.0"),
            ("2.0.0", "2.0"),
        ] {
            let sections = || Ok(vec![v(made), v("1.4.0rc3")]);
            let err = tags(&[])
                .check_release(&v(asked), &v("1.3.0"), false, path, sections)
                .unwrap_err();
            assert!(
                matches!(err, Error::OlderThanSection { .. }),
                "{asked}: {err}"
            );
            assert!(
                err.to_string().contains(&format!("`{made}` section")),
                "{err}"
            );
            let err = tags(&[made])
                .check_release(&v(asked), &v("1.3.0"), false, path, || Ok(vec![]))
                .unwrap_err();
            assert!(matches!(err, Error::OlderThanTag { .. }), "{asked}: {err}");
        }
        let sections = || Ok(vec![v("1.4.0rc3"), v("1.4.0rc2")]);
        let ok = t.check_release(&v("1.4.0"), &v("1.4.0rc3"), false, path, sections);
        assert!(ok.is_ok());
        // Of a tag and a section of one version, the tag is named.
        let sections = || Ok(vec![v("1.4.0.post1")]);
        let err = tags(&["v1.4.0.post1"])
            .check_release(&v("1.4.0"), &v("1.3.0"), false, path, sections)
            .unwrap_err();
        assert!(matches!(err, Error::OlderThanTag { .. }), "{err}");

        // The next version: no tag at or after it (of its base alone with a downgrade).
        let t = tags(&["1.5.0rc1"]);
        assert!(t.check_next(&v("1.5.0"), "v.py", false).is_ok());
        for tag in ["1.5.0", "v1.5.0+b7", "1.5.0.post1", "1.5.1", "1!0.1"] {
            let err = tags(&[tag])
                .check_next(&v("1.5.0"), "v.py", false)
                .unwrap_err();
            assert!(
                matches!(err, Error::NextVersionTagged { .. }),
                "{tag}: {err}"
            );
            let msg = err.to_string();
            assert!(
                msg.contains(&format!("`{tag}`")) && msg.contains("NEXT_DEV_VERSION"),
                "{msg}"
            );
        }
        assert!(
            tags(&["1.5.1"])
                .check_next(&v("1.5.0"), "v.py", true)
                .is_ok()
        );
        assert!(
            tags(&["1.5.0.post1"])
                .check_next(&v("1.5.0"), "v.py", true)
                .is_err()
        );
    }

    #[test]
    fn the_next_minor_keeps_the_epoch_and_the_shape() {
        for (release, next) in [
            ("1!2.0.0", "1!2.1.0"),
            ("1.4", "1.5.0"),
            ("1.4.0.0", "1.5.0.0"),
            ("2", "2.1.0"),
            ("1.4.0", "1.5.0"),
        ] {
            let n = v(release).next_minor().unwrap();
            assert_eq!(n.as_str(), next, "{release}");
            assert!(n > v(release), "{release}");
        }
    }

    /// A PEP 440 version from its parts, in normal form.
    fn written(
        epoch: u64,
        release: &[u64],
        pre: Option<(u8, u64)>,
        post: Option<u64>,
        dev: Option<u64>,
        local: Option<&str>,
    ) -> String {
        let mut out = match epoch {
            0 => String::new(),
            e => format!("{e}!"),
        };
        let numbers: Vec<String> = release.iter().map(u64::to_string).collect();
        out.push_str(&numbers.join("."));
        if let Some((phase, n)) = pre {
            out.push_str(&format!("{}{n}", ["a", "b", "rc"][phase as usize % 3]));
        }
        if let Some(n) = post {
            out.push_str(&format!(".post{n}"));
        }
        if let Some(n) = dev {
            out.push_str(&format!(".dev{n}"));
        }
        if let Some(l) = local {
            out.push_str(&format!("+{l}"));
        }
        out
    }

    proptest::proptest! {
        /// For any PEP 440 version: its normal form reads back as itself; PEP 440's order
        /// of one base's kinds (dev < pre < final < local < post) holds; it follows its final
        /// exactly when it is a post-release of no pre-release; the next minor of its base keeps the epoch
        /// and is newer than every version of the series.
        #[test]
        fn versions_keep_pep_440s_order(
            epoch in 0u64..3,
            release in proptest::collection::vec(0u64..30, 1..5),
            pre in proptest::option::of((0u8..3, 0u64..5)),
            post in proptest::option::of(0u64..5),
            dev in proptest::option::of(0u64..5),
            local in proptest::option::of("[a-z0-9]{1,3}(\\.[a-z0-9]{1,3}){0,2}"),
        ) {
            let text = written(epoch, &release, pre, post, dev, local.as_deref());
            let parsed = v(&text);
            proptest::prop_assert_eq!(parsed.normal_form(), text.clone());
            proptest::prop_assert_eq!(v(&parsed.normal_form()), parsed.clone());
            let base = parsed.base();
            let final_ = v(&written(epoch, &release, None, None, None, None));
            proptest::prop_assert_eq!(&base, &final_);
            if let Some(l) = &local {
                proptest::prop_assert!(parsed.public() < parsed);
                proptest::prop_assert_eq!(parsed.local(), Some(l.as_str()));
                proptest::prop_assert!(Version::parse_normal(&text).is_err());
            }
            // A pre-release's post-release (`1.0a1.post1`) is still before the final.
            proptest::prop_assert_eq!(parsed.follows_its_final(), pre.is_none() && post.is_some());
            let is_before_final = pre.is_some() || (post.is_none() && dev.is_some());
            proptest::prop_assert_eq!(parsed.public() < final_, is_before_final);
            proptest::prop_assert_eq!(
                parsed.shows_final_of(&final_),
                !is_before_final
            );
            if dev.is_none() {
                let with_dev = v(&written(epoch, &release, pre, post, Some(0), None));
                proptest::prop_assert!(with_dev < parsed);
            }
            if pre.is_none() && post.is_none() {
                let alpha = v(&written(epoch, &release, Some((0, 0)), None, None, None));
                proptest::prop_assert_eq!(parsed < alpha, dev.is_some());
            }
            let next = base.next_minor().unwrap();
            let epoch_of = |v: &Version| v.normal_form().split_once('!').map(|(e, _)| e.to_string());
            proptest::prop_assert_eq!(epoch_of(&next), epoch_of(&parsed));
            proptest::prop_assert!(next > parsed);
            proptest::prop_assert!(next.minor() == parsed.minor() + 1);
            let next_dev = v(&format!("{}.dev0", next.normal_form()));
            proptest::prop_assert!(next_dev > parsed);
        }
    }
}
