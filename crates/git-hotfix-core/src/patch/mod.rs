//! Patch files for places that cannot pull: a series of mails `git am` reads, one per
//! commit, with a manifest that says where they come from and what they hash to.

pub mod am;
pub mod apply;
pub mod export;
pub mod mail;
pub mod parse;

use gix::ObjectId;

/// The manifest's file name, next to the patches.
pub const MANIFEST: &str = "manifest.json";
/// The manifest's format, for readers to check.
pub const MANIFEST_FORMAT: &str = "git-hotfix-patches/1";

/// `manifest.json`: the provenance of a series.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: String,
    pub source: Source,
    pub ticket: Option<String>,
    pub version: Option<String>,
    pub severity: Option<String>,
    pub product: Option<String>,
    pub patches: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// The remote's URL, when the repository has one.
    pub repository: Option<String>,
    /// The commit the first patch applies to.
    #[serde(with = "crate::oid::hex_opt")]
    pub base: Option<ObjectId>,
    #[serde(with = "crate::oid::hex_vec")]
    pub commits: Vec<ObjectId>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ManifestEntry {
    pub file: String,
    #[serde(with = "crate::oid::hex")]
    pub commit: ObjectId,
    pub subject: String,
    /// Of the file's bytes, 64 hex digits.
    pub sha256: String,
}

/// The sha256 of `bytes` as 64 hex digits.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
