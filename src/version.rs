//! Release versions as users type them: PEP 440 (`26.2.0rc2`, `1.0a1`, `1.0.dev3`,
//! `1.0.post1`) and SemVer (`1.2.3-rc.1`), in one ordered type.

use std::cmp::Ordering;
use std::fmt;

use crate::error::Error;

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
    post: Option<u64>,
    dev: Option<u64>,
}

/// PEP 440's version grammar (packaging's `VERSION_PATTERN`).
const PEP440: &str = r"(?ix)^\s*v?
        (?:(?P<epoch>[0-9]+)!)?
        (?P<release>[0-9]+(?:\.[0-9]+)*)
        (?P<pre>[-_.]?(?P<pre_l>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<pre_n>[0-9]+)?)?
        (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
        (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
        \s*$";

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
        // SemVer first when the text uses SemVer's own separators, so that
        // `1.2.3-rc.1` keeps its spelling and `1.2.3-nightly.4` is accepted at all.
        if unprefixed.contains(['-', '+']) {
            if let Ok(v) = semver::Version::parse(unprefixed) {
                return Ok(Self::from_semver(unprefixed, v));
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
                post,
                dev,
            });
        }
        if let Ok(v) = semver::Version::parse(unprefixed) {
            return Ok(Self::from_semver(unprefixed, v));
        }
        Err(Error::Version {
            input: input.to_string(),
            reason: "it is neither PEP 440 nor SemVer".into(),
        })
    }

    fn from_semver(text: &str, v: semver::Version) -> Version {
        let mut pre = None;
        let mut other_pre = None;
        let mut dev = None;
        if !v.pre.is_empty() {
            let mut parts = v.pre.as_str().split('.');
            let head = parts.next().unwrap_or_default().to_ascii_lowercase();
            let n = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            // `rc1` written without the dot is common too.
            let (word, inline_n) = split_trailing_number(&head);
            let n = inline_n.unwrap_or(n);
            match word {
                "a" | "alpha" => pre = Some((Phase::Alpha, n)),
                "b" | "beta" => pre = Some((Phase::Beta, n)),
                "rc" | "c" | "pre" | "preview" => pre = Some((Phase::Rc, n)),
                "dev" => dev = Some(n),
                _ => other_pre = Some(v.pre.clone()),
            }
        }
        Version {
            text: text.to_string(),
            scheme: Scheme::SemVer,
            epoch: 0,
            release: vec![v.major, v.minor, v.patch],
            pre,
            other_pre,
            post: None,
            dev,
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
        out
    }

    /// [`Version::parse`], refusing a PEP 440 version not written in its normal form: the
    /// version names a branch, a changelog heading and a file, and `01.4.0` must not sit
    /// beside `1.4.0`.
    pub fn parse_normal(input: &str) -> Result<Version, Error> {
        let v = Version::parse(input)?;
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
    /// no version names none.
    pub fn is_named_by_tag(&self, tag: &str) -> bool {
        tag.trim() == tag && Version::parse(tag).is_ok_and(|v| v == *self)
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
            post: None,
            dev: None,
        }
    }

    /// True when both versions lead to the same release (`26.2.0rc1` and `26.2.0`).
    pub fn same_base(&self, other: &Version) -> bool {
        self.epoch == other.epoch && trimmed(&self.release) == trimmed(&other.release)
    }

    /// `X.(Y+1).0`, the development version that follows a sprint release.
    pub fn next_minor(&self) -> Result<Version, Error> {
        let minor = self.minor().checked_add(1).ok_or_else(|| Error::Version {
            input: self.to_string(),
            reason: "the minor version has no successor (it is the largest number there is)".into(),
        })?;
        Version::parse(&format!("{}.{minor}.0", self.major()))
    }

    fn cmp_key(&self) -> (u64, Vec<u64>, PreKey, i128, i128) {
        // Mirrors packaging's _cmpkey: dev-only versions sort before any pre-release,
        // versions without pre-release sort after all of theirs.
        let pre = match (self.pre, self.post, self.dev, &self.other_pre) {
            (Some((phase, n)), _, _, _) => PreKey::Phase(phase, n),
            (None, _, _, Some(p)) => PreKey::Other(p.clone()),
            (None, None, Some(_), None) => PreKey::DevOnly,
            _ => PreKey::None,
        };
        let post = self.post.map_or(-1, i128::from);
        let dev = self.dev.map_or(i128::MAX, i128::from);
        (self.epoch, trimmed(&self.release).to_vec(), pre, post, dev)
    }
}

fn split_trailing_number(s: &str) -> (&str, Option<u64>) {
    let idx = s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len());
    let (word, digits) = s.split_at(idx);
    (word, digits.parse().ok())
}

fn trimmed(release: &[u64]) -> &[u64] {
    let mut end = release.len();
    while end > 1 && release[end - 1] == 0 {
        end -= 1;
    }
    &release[..end]
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum PreKey {
    DevOnly,
    Other(semver::Prerelease),
    Phase(Phase, u64),
    None,
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
            assert!(v("1.4.0").is_named_by_tag(tag), "{tag}");
            assert!(v("1.4").is_named_by_tag(tag), "{tag}");
        }
        for tag in [
            "1.4.0rc1",
            "v1.4.1",
            "1.4.0.post1",
            "1.4.0.dev0",
            "release-1.4.0",
            " 1.4.0",
        ] {
            assert!(!v("1.4.0").is_named_by_tag(tag), "{tag}");
        }
        assert!(v("1.0rc1").is_named_by_tag("v1.0-RC1"));
        assert!(v("1.0rc1").is_named_by_tag("1.0.0-rc.1"));
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
}
