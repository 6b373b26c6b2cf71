//! The port to GitHub for the hotfix's lifecycle: what a finish asks beyond the engine's
//! pull requests (the token's access, the tag's release, whether a pull request merged, and
//! develop brought up to a merged hotfix). The CLI implements it over its GitHub client;
//! the types here are the answers the workflow reads, nothing of the HTTP.

use crate::engine::Forge;
use crate::foundation::error::Result;
use crate::records::run::{OpenedPull, PullRequest};

/// GitHub, as the lifecycle speaks to it. Failures come back as
/// [`Error::Forge`](crate::foundation::error::Error::Forge), with what the client said.
pub trait GitHub: Forge {
    /// Refuse early, before anything moves, when the token cannot write to the repository.
    fn check_access(&self) -> Result<()>;
    /// Publish the release, or bring up to date the one the tag has.
    fn ensure_release(&self, release: &Release) -> Result<ReleaseOutcome>;
    /// What opening `request` would ask, on a client that records (`--plan`); it answers
    /// nothing.
    fn rehearse_pull(&self, request: &PullRequest) -> Result<()>;
    /// The pull request open from `head` into `base`, as found (nothing is created).
    fn pull_open_from(&self, head: &str, base: &str) -> Result<Option<OpenedPull>>;
    /// Where pull request `number` stands; `None` when GitHub has no such pull request.
    fn pull(&self, number: u64) -> Result<Option<PullState>>;
    /// The branch `name`, if the repository has it.
    fn branch(&self, name: &str) -> Result<Option<Branch>>;
    /// Whether `branch` has commit `sha` in its history.
    fn has_commit(&self, branch: &str, sha: &str) -> Result<bool>;
    /// Merge commit `sha` into `branch` on GitHub, with `message`.
    fn merge_into(&self, branch: &str, sha: &str, message: &str) -> Result<MergeOutcome>;
    /// Create branch `name` at `sha`, or leave it where it is when it exists.
    fn ensure_branch(&self, name: &str, sha: &str) -> Result<()>;
}

/// Reaches GitHub when the workflow needs it, and only then: most finishes never do.
pub trait Connect {
    /// The repository's GitHub; with `plan`, a client that records what it would send
    /// and sends nothing (no token needed).
    fn github(&self, plan: bool) -> Result<&dyn GitHub>;
}

/// The release a tag should have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub tag: String,
    pub name: String,
    /// The notes: the changelog entry.
    pub body: String,
    /// `false` for a release on an older line, so the repository's "latest" stays put.
    pub make_latest: bool,
}

/// What [`GitHub::ensure_release`] did.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ReleaseOutcome {
    /// The release's page; `None` in plan mode.
    pub url: Option<String>,
    pub created: bool,
    /// What changed on a release that existed; empty when it was as wanted.
    pub changes: Vec<String>,
}

/// Where a pull request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullState {
    pub number: u64,
    pub url: String,
    /// `open` or `closed`.
    pub state: String,
    pub merged: bool,
    /// The commit the merge made on the base branch (or the squashed/rebased tip).
    pub merge_commit: Option<String>,
    /// When it merged (RFC 3339), as GitHub recorded it.
    pub merged_at: Option<String>,
    pub base: String,
    pub head_sha: String,
}

/// A branch on GitHub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub name: String,
    /// Branch protection (or a ruleset) guards it: pushes and merges go through reviews.
    pub protected: bool,
}

/// What GitHub did when asked to merge a commit into a branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// A merge commit, now the branch's tip.
    Merged { sha: String },
    /// The branch had the commit already.
    HasIt,
    /// The two conflict: a person must merge them.
    Conflict,
    /// GitHub would not (a protection rule, a missing commit): its words.
    Refused { reason: String },
}
