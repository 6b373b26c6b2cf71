//! Bringing a commit into a branch inside the object database: fast-forward, merge commit,
//! or a conflict to resolve. Nothing here touches a worktree, an index or a ref.

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::merge::tree::TreatAsUnresolved;

use crate::error::{Error, GitContext, Result};
use crate::repo::{Repo, short};

/// What merging a commit into a branch gives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// The branch already contains the commit.
    UpToDate,
    /// The branch can move forward to the commit.
    FastForward {
        #[serde(with = "crate::oid::hex")]
        to: ObjectId,
    },
    /// A merge commit joins both.
    Merge {
        #[serde(with = "crate::oid::hex")]
        commit: ObjectId,
    },
    /// These paths conflict; a person has to decide.
    Conflict { paths: Vec<String> },
}

impl Outcome {
    /// The commit the branch will point to, if the merge went through.
    pub fn new_tip(&self) -> Option<ObjectId> {
        match self {
            Outcome::FastForward { to } => Some(*to),
            Outcome::Merge { commit } => Some(*commit),
            Outcome::UpToDate | Outcome::Conflict { .. } => None,
        }
    }
}

/// Labels for conflict markers: `<<<<<<< main` ... `>>>>>>> hotfix/ENG-1`.
pub struct Labels<'a> {
    pub ours: &'a str,
    pub theirs: &'a str,
}

impl Labels<'_> {
    pub(crate) fn for_gix(&self) -> gix::merge::blob::builtin_driver::text::Labels<'_> {
        gix::merge::blob::builtin_driver::text::Labels {
            ancestor: Some(BStr::new("merged common ancestors")),
            current: Some(self.ours.as_bytes().as_bstr()),
            other: Some(self.theirs.as_bytes().as_bstr()),
        }
    }
}

/// Merge `theirs` into `ours`. Objects are written to `repo`, so pass a repository with
/// object memory for a plan that must write nothing.
pub fn integrate(
    repo: &Repo,
    ours: ObjectId,
    theirs: ObjectId,
    labels: &Labels<'_>,
    message: &str,
) -> Result<Outcome> {
    if repo.is_ancestor(theirs, ours)? {
        return Ok(Outcome::UpToDate);
    }
    if repo.is_ancestor(ours, theirs)? {
        return Ok(Outcome::FastForward { to: theirs });
    }
    let context = || format!("could not merge {} into {}", short(theirs), short(ours));
    let options = repo.git.tree_merge_options().context(context)?;
    let mut outcome = repo
        .git
        .merge_commits(ours, theirs, labels.for_gix(), options.into())
        .context(context)?;
    let how = TreatAsUnresolved::git();
    if outcome.tree_merge.has_unresolved_conflicts(how) {
        let mut paths: Vec<String> = outcome
            .tree_merge
            .conflicts
            .iter()
            .filter(|c| c.is_unresolved(how))
            .flat_map(|c| [c.ours.location(), c.theirs.location()])
            .map(|p| p.to_str_lossy().into_owned())
            .collect();
        paths.sort();
        paths.dedup();
        return Ok(Outcome::Conflict { paths });
    }
    let tree = outcome.tree_merge.tree.write().context(context)?.detach();
    let commit = commit(repo, message, tree, [ours, theirs])?;
    Ok(Outcome::Merge { commit })
}

/// Write a commit with the configured author and committer.
pub(crate) fn commit(
    repo: &Repo,
    message: &str,
    tree: ObjectId,
    parents: impl IntoIterator<Item = ObjectId>,
) -> Result<ObjectId> {
    let committer = repo
        .git
        .committer()
        .ok_or(Error::NoIdentity)?
        .context(|| "could not read the committer identity".into())?;
    let author = repo
        .git
        .author()
        .ok_or(Error::NoIdentity)?
        .context(|| "could not read the author identity".into())?;
    let commit = repo
        .git
        .new_commit_as(committer, author, message, tree, parents)
        .context(|| "could not write a commit".into())?;
    Ok(commit.id)
}

/// git's own wording for merge commits, so history reads the same either way.
pub fn merge_message(theirs: &str, into: &str) -> String {
    format!("Merge branch '{theirs}' into {into}\n")
}
