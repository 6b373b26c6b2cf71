//! Semantic versions as hotfixes use them: patch bumps and `-hotfix.N` post-releases.

use std::cmp::Ordering;
use std::fmt;

use crate::foundation::error::{Error, Result};

/// The pre-release label that marks a hotfix of an already released version
/// (`1.2.3-hotfix.1`). Plain semver orders it before `1.2.3`; for hotfixes it comes after,
/// since it is `1.2.3` plus a fix.
pub const HOTFIX_LABEL: &str = "hotfix";

/// A semantic version, ordered so that `X.Y.Z-hotfix.N` follows `X.Y.Z`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(semver::Version);

impl Version {
    /// Parse `1.2.3` (a leading `v` is accepted where people type versions).
    pub fn parse(text: &str) -> Option<Version> {
        semver::Version::parse(text).ok().map(Version)
    }

    /// Parse a version a user typed, as an error that says what was wrong.
    pub fn parse_arg(text: &str) -> Result<Version> {
        Self::parse(text.strip_prefix('v').unwrap_or(text)).ok_or_else(|| Error::NotSemver {
            what: "version",
            value: text.to_string(),
        })
    }

    /// `1.2.3` -> `1.2.4`, and a post-release `1.2.3-hotfix.2` -> `1.2.4` too.
    pub fn next_patch(&self) -> Version {
        Version(semver::Version::new(
            self.0.major,
            self.0.minor,
            self.0.patch + 1,
        ))
    }

    /// The next `-hotfix.N` of this release: `1.2.3` -> `1.2.3-hotfix.1`, or `.N+1` when
    /// `taken` already holds hotfix releases of it.
    pub fn next_hotfix_release<'a>(&self, taken: impl IntoIterator<Item = &'a Version>) -> Version {
        let release = (self.0.major, self.0.minor, self.0.patch);
        let highest = taken
            .into_iter()
            .filter(|v| (v.0.major, v.0.minor, v.0.patch) == release)
            .filter_map(Version::hotfix_number)
            .max()
            .unwrap_or(0);
        let mut next = semver::Version::new(release.0, release.1, release.2);
        next.pre = semver::Prerelease::new(&format!("{HOTFIX_LABEL}.{}", highest + 1))
            .expect("a valid pre-release");
        Version(next)
    }

    /// `X.Y.Z-hotfix.N`: a fix released on top of `X.Y.Z` rather than as the next patch.
    /// `1.2.3-rc.1`, `1.2.3-hotfix.1`: a version with a pre-release part.
    pub fn is_prerelease(&self) -> bool {
        !self.0.pre.is_empty()
    }

    pub fn is_hotfix_release(&self) -> bool {
        self.hotfix_number().is_some()
    }

    fn hotfix_number(&self) -> Option<u64> {
        let pre = self.0.pre.as_str();
        if pre == HOTFIX_LABEL {
            return Some(0);
        }
        pre.strip_prefix(HOTFIX_LABEL)?
            .strip_prefix('.')?
            .parse()
            .ok()
    }

    /// 0: an ordinary pre-release, 1: the release, 2: a hotfix post-release.
    fn phase(&self) -> u8 {
        match (self.0.pre.is_empty(), self.hotfix_number().is_some()) {
            (true, _) => 1,
            (false, true) => 2,
            (false, false) => 0,
        }
    }

    pub fn major_minor(&self) -> (u64, u64) {
        (self.0.major, self.0.minor)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.0, &other.0);
        (a.major, a.minor, a.patch, self.phase())
            .cmp(&(b.major, b.minor, b.patch, other.phase()))
            .then_with(|| a.pre.cmp(&b.pre))
            .then_with(|| a.build.cmp(&b.build))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl schemars::JsonSchema for Version {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Version".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A semantic version: `1.2.4`, `2.0.0-rc.1`",
        })
    }
}

impl<'de> serde::Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Version::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a semantic version")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn patch_bumps() {
        assert_eq!(v("1.2.3").next_patch(), v("1.2.4"));
        assert_eq!(v("1.2.3-hotfix.2").next_patch(), v("1.2.4"));
        assert_eq!(v("0.1.0+5").next_patch(), v("0.1.1"));
    }

    #[test]
    fn hotfix_releases_count_up() {
        assert_eq!(v("1.2.3").next_hotfix_release([]), v("1.2.3-hotfix.1"));
        let taken = [
            v("1.2.3-hotfix.1"),
            v("1.2.3-hotfix.2"),
            v("1.2.4-hotfix.7"),
        ];
        assert_eq!(v("1.2.3").next_hotfix_release(&taken), v("1.2.3-hotfix.3"));
    }

    #[test]
    fn hotfix_releases_sort_after_their_release() {
        let mut all = [
            v("1.2.4"),
            v("1.2.3-hotfix.2"),
            v("1.2.3"),
            v("1.2.3-rc.1"),
            v("1.2.3-hotfix.10"),
        ];
        all.sort();
        let text: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "1.2.3-rc.1",
                "1.2.3",
                "1.2.3-hotfix.2",
                "1.2.3-hotfix.10",
                "1.2.4"
            ]
        );
    }

    #[test]
    fn typed_versions_accept_a_leading_v_and_refuse_the_rest() {
        assert_eq!(Version::parse_arg("v1.2.4").unwrap(), v("1.2.4"));
        assert!(matches!(
            Version::parse_arg("1.2"),
            Err(Error::NotSemver { .. })
        ));
    }
}
