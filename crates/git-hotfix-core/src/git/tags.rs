//! Release tags: the pattern that names them and the versions they carry.

use std::collections::HashMap;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::names::TAG_PREFIX;
use crate::foundation::template::{Template, TemplateError};
use crate::foundation::version::Version;
use crate::git::repo::Repo;

/// How release tags are named: `v{version}`, or `{product}/prod-v{version}` in a monorepo.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct TagPattern(Template);

impl TagPattern {
    pub const PLACEHOLDERS: &'static [&'static str] = &["version", "product"];

    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let template = Template::parse(source, Self::PLACEHOLDERS)?;
        match template.count("version") {
            0 => Err(TemplateError::Missing("version")),
            1 => Ok(TagPattern(template)),
            _ => Err(TemplateError::Repeated("version")),
        }
    }

    pub fn uses_product(&self) -> bool {
        self.0.uses("product")
    }

    /// The tag name (without `refs/tags/`) for `version`.
    pub fn render(&self, version: &Version, product: Option<&str>) -> String {
        self.0.render(|name| match name {
            "version" => version.to_string(),
            _ => product.unwrap_or_default().to_string(),
        })
    }

    /// Read the version out of a tag name: `None` when the name does not follow the pattern,
    /// `Some(Err(text))` when it does but the version part is not semver.
    pub fn version_of(&self, tag: &str, product: Option<&str>) -> Option<Result<Version, String>> {
        let (before, after) = self
            .0
            .split_around("version", |_| product.unwrap_or_default().to_string());
        let text = tag.strip_prefix(&before)?.strip_suffix(&after)?;
        if text.is_empty() || text.contains('/') {
            return None;
        }
        Some(Version::parse(text).ok_or_else(|| text.to_string()))
    }

    /// The pattern with the product filled in, as shown to people: `api/prod-v{version}`.
    pub fn describe(&self, product: Option<&str>) -> String {
        self.0.render(|name| match name {
            "version" => "{version}".to_string(),
            _ => product.unwrap_or_default().to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Display for TagPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> serde::Deserialize<'de> for TagPattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        TagPattern::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A tag that follows the pattern and carries a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTag {
    pub name: String,
    pub version: Version,
    pub commit: ObjectId,
}

/// The release tags of one product (or of the repository), read once.
#[derive(Debug, Default)]
pub struct ReleaseTags {
    pub tags: Vec<VersionTag>,
    /// Tags that follow the pattern but whose version is not semver; they are left out.
    pub not_semver: Vec<String>,
}

impl ReleaseTags {
    pub fn read(repo: &Repo, pattern: &TagPattern, product: Option<&str>) -> Result<Self> {
        let context = || "could not list tags".to_string();
        let platform = repo.git.references().context(context)?;
        let mut out = ReleaseTags::default();
        for reference in platform.tags().context(context)? {
            let mut reference = reference.context(context)?;
            let name = reference.name().as_bstr().to_str_lossy().into_owned();
            let short_name = name.strip_prefix(TAG_PREFIX).unwrap_or(&name).to_string();
            match pattern.version_of(&short_name, product) {
                None => {}
                Some(Err(_)) => out.not_semver.push(short_name),
                Some(Ok(version)) => {
                    // A tag of a tree or blob is not a release; skip it like a foreign tag.
                    let Some(commit) = tagged_commit(repo, &mut reference) else {
                        continue;
                    };
                    out.tags.push(VersionTag {
                        name: short_name,
                        version,
                        commit,
                    });
                }
            }
        }
        out.tags.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(out)
    }

    /// The highest version tagged on `commit` or any of its ancestors.
    pub fn newest_reachable_from(
        &self,
        repo: &Repo,
        commit: ObjectId,
    ) -> Result<Option<&VersionTag>> {
        if self.tags.is_empty() {
            return Ok(None);
        }
        let mut by_commit: HashMap<ObjectId, Vec<&VersionTag>> = HashMap::new();
        for tag in &self.tags {
            by_commit.entry(tag.commit).or_default().push(tag);
        }
        let context = || {
            format!(
                "could not walk the history of {}",
                crate::foundation::oid::short(commit)
            )
        };
        // Once the highest version of all is found, nothing further back can beat it.
        let highest = self.tags.last().map(|t| &t.version);
        let mut best: Option<&VersionTag> = None;
        for info in repo.git.rev_walk([commit]).all().context(context)? {
            let id = info.context(context)?.id;
            for tag in by_commit.get(&id).into_iter().flatten() {
                if best.is_none_or(|b| tag.version > b.version) {
                    best = Some(tag);
                }
            }
            if best.map(|b| &b.version) == highest {
                break;
            }
        }
        Ok(best)
    }

    /// The highest version at or above `version` that `commit` contains, if any. Only the
    /// few tags at or above `version` are checked, each with a merge-base, so the common case
    /// (no such release) walks no history at all.
    pub fn newest_at_or_above(
        &self,
        repo: &Repo,
        version: &Version,
        commit: ObjectId,
    ) -> Result<Option<&VersionTag>> {
        let candidates: Vec<&VersionTag> = self
            .tags
            .iter()
            .rev()
            .take_while(|t| t.version >= *version)
            .collect();
        // A merge-base each for a few; past that, one walk of the history costs less than
        // a merge-base per tag (an old line has dozens of newer releases).
        if candidates.len() <= 2 {
            for tag in candidates {
                if repo.is_ancestor(tag.commit, commit)? {
                    return Ok(Some(tag));
                }
            }
            return Ok(None);
        }
        let above = ReleaseTags {
            tags: candidates.into_iter().rev().cloned().collect(),
            not_semver: Vec::new(),
        };
        let Some(found) = above.newest_reachable_from(repo, commit)? else {
            return Ok(None);
        };
        Ok(self.tags.iter().find(|t| t.name == found.name))
    }

    /// A release of `version`'s line newer than `version`: `previous` (the newest release
    /// the hotfix's base contains) when above it, else the newest tag of the same
    /// major.minor above it. A hotfix released below it would go out older than what its
    /// line already shipped.
    pub fn newer_in_line<'t>(
        &'t self,
        version: &Version,
        previous: Option<&'t VersionTag>,
    ) -> Option<&'t VersionTag> {
        previous.filter(|p| p.version > *version).or_else(|| {
            self.tags
                .iter()
                .rev()
                .find(|t| t.version.major_minor() == version.major_minor() && t.version > *version)
        })
    }

    /// The newest release of `version`'s line (its major.minor) below it, when `commit`
    /// does not contain it: a release of `version` from `commit` would lack it. Only the
    /// newest is asked: it holds the ones before it, as every release of a line does.
    pub fn missing_below(
        &self,
        repo: &Repo,
        version: &Version,
        commit: ObjectId,
    ) -> Result<Option<&VersionTag>> {
        // A pre-release (`2.3.5-rc.1`) is not a release of the line, unless the hotfix is
        // numbered as one itself (`2.3.5-hotfix.2` after `-hotfix.1`).
        let counts = |t: &&VersionTag| version.is_prerelease() || !t.version.is_prerelease();
        let Some(newest) = self
            .tags
            .iter()
            .rev()
            .filter(counts)
            .find(|t| t.version.major_minor() == version.major_minor() && t.version < *version)
        else {
            return Ok(None);
        };
        Ok((!repo.is_ancestor(newest.commit, commit)?).then_some(newest))
    }

    /// The first version after `version`, and after every release of its line, that no tag
    /// names: `1.2.4` when `1.2.3` is the newest, `1.2.3-hotfix.2` after `-hotfix.1`.
    pub fn next_free(&self, version: &Version) -> Version {
        let newest = self
            .tags
            .iter()
            .map(|t| &t.version)
            .filter(|v| v.major_minor() == version.major_minor() && *v > version)
            .max()
            .unwrap_or(version);
        let mut free = match version.is_hotfix_release() {
            true => newest.next_hotfix_release(self.versions()),
            false => newest.next_patch(),
        };
        while self.find_version(&free).is_some() {
            free = free.next_patch();
        }
        free
    }

    pub fn find_version(&self, version: &Version) -> Option<&VersionTag> {
        self.tags.iter().find(|t| &t.version == version)
    }

    pub fn versions(&self) -> impl Iterator<Item = &Version> {
        self.tags.iter().map(|t| &t.version)
    }
}

/// The commit a tag names, or `None` for a tag of a tree or blob. `packed-refs` records
/// each annotated tag's peeled target, so a packed tag costs an object header lookup, not
/// a read of the tag object (a thousand tags: most of what `status` spent here).
fn tagged_commit(repo: &Repo, reference: &mut gix::Reference<'_>) -> Option<ObjectId> {
    let known = reference
        .inner
        .peeled
        .or_else(|| reference.inner.target.try_id().map(ToOwned::to_owned));
    if let Some(id) = known {
        match repo.git.find_header(id).ok()?.kind() {
            gix::object::Kind::Commit => return Some(id),
            gix::object::Kind::Tag => {}
            gix::object::Kind::Tree | gix::object::Kind::Blob => return None,
        }
    }
    reference.peel_to_commit().ok().map(|commit| commit.id)
}

/// Refuse a version whose tag exists already, suggesting the next free patch.
pub fn ensure_untagged(
    repo: &Repo,
    tags: &ReleaseTags,
    pattern: &TagPattern,
    product: Option<&str>,
    version: &Version,
) -> Result<String> {
    let name = pattern.render(version, product);
    crate::foundation::names::validate_ref(TAG_PREFIX, &name)?;
    if repo.tag_exists(&name)? || tags.find_version(version).is_some() {
        return Err(Error::TagExists {
            name,
            suggestion: Some(tags.next_free(version).to_string()),
        });
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_need_exactly_one_version() {
        assert!(TagPattern::parse("v{version}").is_ok());
        assert_eq!(
            TagPattern::parse("release"),
            Err(TemplateError::Missing("version"))
        );
        assert_eq!(
            TagPattern::parse("{version}-{version}"),
            Err(TemplateError::Repeated("version"))
        );
    }

    #[test]
    fn versions_read_back_from_tag_names() {
        let plain = TagPattern::parse("v{version}").unwrap();
        let v = |t: &str| Version::parse(t).unwrap();
        assert_eq!(plain.version_of("v1.2.3", None), Some(Ok(v("1.2.3"))));
        assert_eq!(plain.version_of("v1.2", None), Some(Err("1.2".into())));
        assert_eq!(plain.version_of("release-1", None), None);
        assert_eq!(plain.version_of("api/v1.2.3", None), None);

        let mono = TagPattern::parse("{product}/prod-v{version}").unwrap();
        assert_eq!(
            mono.version_of("api/prod-v0.1.0", Some("api")),
            Some(Ok(v("0.1.0")))
        );
        assert_eq!(mono.version_of("web/prod-v0.1.0", Some("api")), None);
        assert_eq!(mono.render(&v("0.1.1"), Some("web")), "web/prod-v0.1.1");
    }
}
