//! Patch files for places that cannot pull: a series of mails `git am` reads, one per
//! commit, with a manifest that says where they come from and what they hash to.

pub mod mail;
pub mod parse;

use std::io::Write as _;

use gix::ObjectId;

/// The manifest's file name, next to the patches.
pub const MANIFEST: &str = "manifest.json";
/// The manifest's format, for readers to check.
pub const MANIFEST_FORMAT: &str = "git-hotfix-patches/1";

/// `manifest.json`: the provenance of a series.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Manifest {
    pub format: String,
    pub source: Source,
    pub ticket: Option<String>,
    pub version: Option<String>,
    pub severity: Option<String>,
    pub product: Option<String>,
    pub patches: Vec<ManifestEntry>,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Source {
    /// The remote's URL, when the repository has one.
    pub repository: Option<String>,
    /// The commit the first patch applies to.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub base: Option<ObjectId>,
    #[serde(with = "crate::foundation::oid::hex_vec")]
    #[schemars(with = "Vec<String>")]
    pub commits: Vec<ObjectId>,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ManifestEntry {
    pub file: String,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
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

/// git's base 85 alphabet.
pub const BASE85: &[u8; 85] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

/// A `literal <size>` hunk: the content deflated, in base 85 lines of up to 52 bytes, each
/// led by its length (`A`–`Z` for 1–26, `a`–`z` for 27–52).
pub fn binary_literal(data: &[u8]) -> String {
    let mut deflated = gix::zlib::stream::deflate::Write::new(Vec::new(), Default::default());
    deflated
        .write_all(data)
        .expect("writing to memory does not fail");
    deflated.flush().expect("writing to memory does not fail");
    let deflated = deflated.into_inner();
    let mut out = format!("literal {}\n", data.len());
    for chunk in deflated.chunks(52) {
        let len = chunk.len() as u8;
        out.push(if len <= 26 {
            b'A' + len - 1
        } else {
            b'a' + len - 27
        } as char);
        for group in chunk.chunks(4) {
            let mut word = [0u8; 4];
            word[..group.len()].copy_from_slice(group);
            let mut value = u32::from_be_bytes(word);
            let mut digits = [0u8; 5];
            for digit in digits.iter_mut().rev() {
                *digit = BASE85[(value % 85) as usize];
                value /= 85;
            }
            out.push_str(std::str::from_utf8(&digits).expect("ASCII"));
        }
        out.push('\n');
    }
    out
}
