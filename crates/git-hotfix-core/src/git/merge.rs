//! Bringing a commit into a branch inside the object database: fast-forward, merge commit,
//! or a conflict to resolve. Nothing here touches a worktree, an index or a ref.

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::merge::tree::TreatAsUnresolved;

use crate::foundation::error::{GitContext, Result};
use crate::foundation::oid::short;
use crate::git::repo::Repo;

/// What merging a commit into a branch gives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// The branch already contains the commit.
    UpToDate,
    /// The branch can move forward to the commit.
    FastForward {
        #[serde(with = "crate::foundation::oid::hex")]
        to: ObjectId,
    },
    /// A merge commit joins both.
    Merge {
        #[serde(with = "crate::foundation::oid::hex")]
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
    // The merge bases, once: they say up to date and fast-forward too, and without a
    // commit-graph each computation walks much of the history.
    let context = || format!("could not merge {} into {}", short(theirs), short(ours));
    let bases = repo
        .git
        .merge_bases_many(ours, &[theirs])
        .context(context)?;
    let mut outcome = match bases.as_slice() {
        [base] if *base == theirs => return Ok(Outcome::UpToDate),
        [base] if *base == ours => return Ok(Outcome::FastForward { to: theirs }),
        [base] => {
            let (base, ours, theirs) = (
                repo.tree_of(base.detach())?,
                repo.tree_of(ours)?,
                repo.tree_of(theirs)?,
            );
            let options = tree_options(repo, base, ours, theirs)?;
            repo.git
                .merge_trees(base, ours, theirs, labels.for_gix(), options)
                .context(context)?
        }
        // Several merge bases (a criss-cross): git's recursive merge, renames and all.
        _ => {
            let options = repo.git.tree_merge_options().context(context)?;
            repo.git
                .merge_commits(ours, theirs, labels.for_gix(), options.into())
                .context(context)?
                .tree_merge
        }
    };
    if outcome.has_unresolved_conflicts(TreatAsUnresolved::git()) {
        let paths = conflicted_paths(repo, &mut outcome)?;
        return Ok(Outcome::Conflict { paths });
    }
    let tree = outcome.tree.write().context(context)?.detach();
    let commit = commit(repo, message, tree, [ours, theirs])?;
    Ok(Outcome::Merge { commit })
}

/// The options of merging commit `theirs` into `ours`: as [`tree_options`] from their merge
/// base; with several merge bases (a criss-cross), git's full rename detection.
pub(crate) fn commit_options(
    repo: &Repo,
    ours: ObjectId,
    theirs: ObjectId,
) -> Result<gix::merge::tree::Options> {
    let context = || format!("could not merge {} into {}", short(theirs), short(ours));
    let bases = repo
        .git
        .merge_bases_many(ours, &[theirs])
        .context(context)?;
    match bases.as_slice() {
        [base] => tree_options(
            repo,
            repo.tree_of(base.detach())?,
            repo.tree_of(ours)?,
            repo.tree_of(theirs)?,
        ),
        _ => repo.git.tree_merge_options().context(context),
    }
}

/// The options of a three-way merge of trees `ours` and `theirs` from `base`, with rename
/// detection only when a rename can change the result (merge-ort's "relevant renames"). A
/// rename on one side matters only where the other side changed the path it renamed; when
/// neither side changed a path the other deleted, the merge without rename detection is the
/// same merge, and costs two tree diffs instead of pairing every file a far-diverged side
/// added with every file it deleted.
pub(crate) fn tree_options(
    repo: &Repo,
    base: ObjectId,
    ours: ObjectId,
    theirs: ObjectId,
) -> Result<gix::merge::tree::Options> {
    let options = repo
        .git
        .tree_merge_options()
        .context(|| "could not read the merge settings".to_string())?;
    let ours = Touched::of(repo, base, ours)?;
    let theirs = Touched::of(repo, base, theirs)?;
    let relevant = ours.deleted.iter().any(|p| theirs.changed.contains(p))
        || theirs.deleted.iter().any(|p| ours.changed.contains(p));
    Ok(match relevant {
        true => options,
        false => options.with_rewrites(None),
    })
}

/// The files (and links) one side of a merge deleted, and those it changed or deleted.
struct Touched {
    deleted: std::collections::HashSet<gix::bstr::BString>,
    changed: std::collections::HashSet<gix::bstr::BString>,
}

impl Touched {
    fn of(repo: &Repo, base: ObjectId, side: ObjectId) -> Result<Touched> {
        use crate::git::diff::TreeChange;
        let mut touched = Touched {
            deleted: Default::default(),
            changed: Default::default(),
        };
        if base == side {
            return Ok(touched);
        }
        for change in crate::git::diff::tree_changes(repo, base, side)? {
            match change {
                TreeChange::Deletion {
                    path, entry_mode, ..
                } if !entry_mode.is_tree() => {
                    touched.changed.insert(path.clone());
                    touched.deleted.insert(path);
                }
                TreeChange::Modification {
                    path,
                    previous_entry_mode,
                    ..
                } if !previous_entry_mode.is_tree() => {
                    touched.changed.insert(path);
                }
                _ => {}
            }
        }
        Ok(touched)
    }
}

/// The paths git would show as unmerged after this merge: those with conflict stages in an
/// index of the merged tree (a rename on both sides lists the original path too). The tree
/// and index are made in `repo`, so a repository with object memory keeps them there.
pub(crate) fn conflicted_paths(
    repo: &Repo,
    outcome: &mut gix::merge::tree::Outcome<'_>,
) -> Result<Vec<String>> {
    use gix::merge::tree::apply_index_entries::RemovalMode;
    let context = || "could not list the conflicts".to_string();
    let tree = outcome.tree.write().context(context)?.detach();
    let mut index = repo.git.index_from_tree(&tree).context(context)?;
    outcome.index_changed_after_applying_conflicts(
        &mut index,
        TreatAsUnresolved::git(),
        RemovalMode::Prune,
    );
    let mut paths: Vec<String> = index
        .entries()
        .iter()
        .filter(|e| e.stage_raw() != 0)
        .map(|e| e.path(&index).to_str_lossy().into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// Write a commit with the configured author and committer.
pub(crate) fn commit(
    repo: &Repo,
    message: &str,
    tree: ObjectId,
    parents: impl IntoIterator<Item = ObjectId>,
) -> Result<ObjectId> {
    commit_as(repo, &repo.author()?, message, tree, parents)
}

/// Write a commit by `author` with the configured committer.
pub(crate) fn commit_as(
    repo: &Repo,
    author: &gix::actor::Signature,
    message: &str,
    tree: ObjectId,
    parents: impl IntoIterator<Item = ObjectId>,
) -> Result<ObjectId> {
    let committer = repo.committer()?;
    let commit = repo
        .git
        .new_commit_as(
            committer.to_ref(&mut Default::default()),
            author.to_ref(&mut Default::default()),
            message,
            tree,
            parents,
        )
        .context(|| "could not write a commit".into())?;
    Ok(commit.id)
}

/// git's own wording for merge commits, so history reads the same either way.
pub fn merge_message(theirs: &str, into: &str) -> String {
    format!("Merge branch '{theirs}' into {into}\n")
}
