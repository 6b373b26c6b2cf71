//! Bringing a commit into a branch inside the object database: fast-forward, merge commit,
//! or a conflict to resolve. Nothing here touches a worktree, an index or a ref.

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::merge::tree::TreatAsUnresolved;

use crate::foundation::error::{GitContext, Result};
use crate::foundation::oid::short;
use crate::git::directory_renames;
use crate::git::repo::Repo;

/// What merging a commit into a branch gives.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// The branch already contains the commit.
    UpToDate,
    /// The branch can move forward to the commit.
    FastForward {
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        to: ObjectId,
    },
    /// A merge commit joins both.
    Merge {
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
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

/// How the hotfix joins the branch it lands on, as git's `merge.ff` says it: a team that
/// keeps production linear wants `ff-only`; one that wants every hotfix visible as a merge
/// wants `no-ff`.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Fast-forward when the branch has not moved, else a merge commit.
    #[default]
    Ff,
    /// Fast-forward or refuse: no merge commit is ever made.
    FfOnly,
    /// A merge commit even when a fast-forward would do.
    NoFf,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Ff => "ff",
            Mode::FfOnly => "ff-only",
            Mode::NoFf => "no-ff",
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
    let merged = match bases.as_slice() {
        [base] if *base == theirs => return Ok(Outcome::UpToDate),
        [base] if *base == ours => return Ok(Outcome::FastForward { to: theirs }),
        [base] => three_way(
            repo,
            repo.tree_of(base.detach())?,
            repo.tree_of(ours)?,
            repo.tree_of(theirs)?,
            labels,
        )?,
        // Several merge bases (a criss-cross): git's recursive merge, renames and all.
        _ => {
            let options = merge_options(repo)?;
            let mut outcome = repo
                .git
                .merge_commits(ours, theirs, labels.for_gix(), options.into())
                .context(context)?
                .tree_merge;
            let tree = outcome.tree.write().context(context)?.detach();
            written(repo, tree, &outcome.conflicts)?
        }
    };
    if !merged.conflicts.is_empty() {
        return Ok(Outcome::Conflict {
            paths: merged.conflicts,
        });
    }
    let commit = commit(repo, message, merged.tree, [ours, theirs])?;
    Ok(Outcome::Merge { commit })
}

/// A three-way merge of trees, written: the merged tree (with conflict markers where it
/// conflicts) and the paths git would show as unmerged.
#[derive(Debug)]
pub(crate) struct Merged {
    pub tree: ObjectId,
    pub conflicts: Vec<String>,
}

/// git's three-way merge of trees `ours` and `theirs` from `base`, written to `repo`.
///
/// Where `theirs` left a path as `base` had it, the result is `ours`' version; so the merge
/// runs on trees narrowed to the paths `theirs` changed, and its changes are grafted onto
/// `ours` (merge-ort resolves such directories without looking inside, the same way). A
/// pick, a revert or a back-merge then costs what its own change costs, however far `ours`
/// has moved and however large the repository. When `ours` deleted one of those paths (it
/// may have renamed it, a rename that matters), or a path is a file on one side and a
/// directory on another, the whole trees are merged.
pub(crate) fn three_way(
    repo: &Repo,
    base: ObjectId,
    ours: ObjectId,
    theirs: ObjectId,
    labels: &Labels<'_>,
) -> Result<Merged> {
    // Theirs' side of the merge, read once: it is small, the other side may be far away.
    let theirs_changes = crate::git::diff::tree_changes(repo, base, theirs)?;
    let mut merged = match narrowed(repo, base, ours, theirs, &theirs_changes, labels)? {
        Some(merged) => merged,
        None => {
            let options = tree_options(repo, base, ours, theirs)?;
            let outcome = repo.merge_trees(base, ours, theirs, labels.for_gix(), options)?;
            written_outcome(repo, outcome)?
        }
    };
    // What gix does not do: a file added inside a directory ours renamed goes where the
    // directory went, and the merge stops on it, as git's does.
    let moved = directory_renames::moves(repo, base, ours, &theirs_changes)?;
    if !moved.is_empty() {
        merged.tree = directory_renames::apply(repo, merged.tree, &moved)?;
        merged
            .conflicts
            .extend(moved.iter().map(|m| m.to.to_str_lossy().into_owned()));
        merged.conflicts.sort();
        merged.conflicts.dedup();
    }
    Ok(merged)
}

/// The merge of [`three_way`] on trees narrowed to the paths `theirs` changed (`changes`,
/// from `base`), grafted onto `ours`; `None` when the shape of the trees needs the whole
/// merge.
fn narrowed(
    repo: &Repo,
    base: ObjectId,
    ours: ObjectId,
    theirs: ObjectId,
    changes: &[crate::git::diff::TreeChange],
    labels: &Labels<'_>,
) -> Result<Option<Merged>> {
    use crate::git::diff::TreeChange;
    use gix::objs::tree::EntryMode;
    let context = || {
        format!(
            "could not merge tree {} into {}",
            short(theirs),
            short(ours)
        )
    };
    let mut paths = Vec::new();
    for change in changes {
        let (path, modes) = match *change {
            TreeChange::Addition {
                ref path,
                entry_mode,
                ..
            }
            | TreeChange::Deletion {
                ref path,
                entry_mode,
                ..
            } => (path, [entry_mode, entry_mode]),
            TreeChange::Modification {
                ref path,
                previous_entry_mode,
                entry_mode,
                ..
            } => (path, [previous_entry_mode, entry_mode]),
        };
        // Directories follow from the files in them.
        if !modes.iter().all(EntryMode::is_tree) {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Ok(Some(Merged {
            tree: ours,
            conflicts: Vec::new(),
        }));
    }
    let sides = [base, ours, theirs]
        .into_iter()
        .map(|id| repo.git.find_tree(id).context(context))
        .collect::<Result<Vec<_>>>()?;
    // Each path's entry on the three sides, once the shapes allow a narrowed merge.
    let mut narrowed = Vec::with_capacity(paths.len());
    for path in &paths {
        let mut dir = path.as_slice();
        while let Some(cut) = dir.rfind_byte(b'/') {
            dir = &dir[..cut];
            for side in &sides {
                if entry_in(side, dir.as_bstr())?.is_some_and(|(mode, _)| !mode.is_tree()) {
                    return Ok(None);
                }
            }
        }
        let entries = sides
            .iter()
            .map(|side| entry_in(side, path.as_bstr()))
            .collect::<Result<Vec<_>>>()?;
        let ours_deleted = entries[0].is_some() && entries[1].is_none();
        if ours_deleted || entries.iter().flatten().any(|(mode, _)| mode.is_tree()) {
            return Ok(None);
        }
        narrowed.push((path, entries));
    }
    // The merge runs apart, so that the narrowed trees never reach the repository.
    let scratch = repo.in_memory();
    let empty = ObjectId::empty_tree(repo.git.object_hash());
    let mut editors = Vec::with_capacity(3);
    for _ in 0..3 {
        editors.push(scratch.git.edit_tree(empty).context(context)?);
    }
    for (path, entries) in &narrowed {
        for (editor, entry) in editors.iter_mut().zip(entries) {
            if let Some((mode, id)) = entry {
                editor
                    .upsert(path.as_bstr(), mode.kind(), *id)
                    .context(context)?;
            }
        }
    }
    let mut trees = Vec::with_capacity(3);
    for editor in &mut editors {
        trees.push(editor.write().context(context)?.detach());
    }
    let (narrow_base, narrow_ours, narrow_theirs) = (trees[0], trees[1], trees[2]);
    let options = tree_options(&scratch, narrow_base, narrow_ours, narrow_theirs)?;
    let outcome = scratch.merge_trees(
        narrow_base,
        narrow_ours,
        narrow_theirs,
        labels.for_gix(),
        options,
    )?;
    let merged = written_outcome(&scratch, outcome)?;

    // Graft what the merge changed onto the whole of `ours`, removals first (a file may
    // give way to a directory), with the objects the merge made (merged contents).
    let mut changes = crate::git::diff::tree_changes(&scratch, narrow_ours, merged.tree)?;
    changes.sort_by_key(|change| !matches!(change, TreeChange::Deletion { .. }));
    let mut graft = repo.git.edit_tree(ours).context(context)?;
    for change in changes {
        match change {
            TreeChange::Deletion {
                path, entry_mode, ..
            } if !entry_mode.is_tree() => {
                graft.remove(path.as_bstr()).context(context)?;
            }
            TreeChange::Addition {
                path,
                entry_mode,
                oid,
                ..
            }
            | TreeChange::Modification {
                path,
                entry_mode,
                oid,
                ..
            } if !entry_mode.is_tree() => {
                if !entry_mode.is_commit() && !repo.git.has_object(oid) {
                    let object = scratch.git.find_object(oid).context(context)?;
                    repo.git.write_blob(&object.data).context(context)?;
                }
                graft
                    .upsert(path.as_bstr(), entry_mode.kind(), oid)
                    .context(context)?;
            }
            _ => {}
        }
    }
    let tree = graft.write().context(context)?.detach();
    Ok(Some(Merged {
        tree,
        conflicts: merged.conflicts,
    }))
}

/// The mode and object at `path` in `tree`, if there is an entry.
pub(crate) fn entry_in(
    tree: &gix::Tree<'_>,
    path: &BStr,
) -> Result<Option<(gix::objs::tree::EntryMode, ObjectId)>> {
    Ok(tree
        .lookup_entry_by_path(path.to_str_lossy().as_ref())
        .context(|| format!("could not look up {path} in tree {}", short(tree.id)))?
        .map(|entry| (entry.mode(), entry.object_id())))
}

/// The merge `outcome` written to `repo`, with its unmerged paths.
fn written_outcome(
    repo: &Repo,
    mut outcome: gix::merge::plumbing::tree::Outcome<'_>,
) -> Result<Merged> {
    let tree = outcome
        .tree
        .write(|tree| repo.git.write_object(tree).map(|id| id.detach()))
        .context(|| "could not write the merged tree".to_string())?;
    written(repo, tree, &outcome.conflicts)
}

/// The merged `tree` and the paths its `conflicts` leave unmerged.
fn written(
    repo: &Repo,
    tree: ObjectId,
    conflicts: &[gix::merge::tree::Conflict],
) -> Result<Merged> {
    let unresolved = conflicts
        .iter()
        .any(|conflict| conflict.is_unresolved(TreatAsUnresolved::git()));
    let conflicts = match unresolved {
        true => conflicted_paths(repo, tree, conflicts)?,
        false => Vec::new(),
    };
    Ok(Merged { tree, conflicts })
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
        _ => merge_options(repo),
    }
}

/// git's merge settings as merge-ort applies them: the repository's (conflict style,
/// rename limits), but content merges always by histogram diff, whatever `diff.algorithm`
/// says (merge-ort hardcodes it; with Myers, gix's content merge conflicts where git's
/// merges cleanly — seen on SQLAlchemy's real backports).
fn merge_options(repo: &Repo) -> Result<gix::merge::tree::Options> {
    let options = repo
        .git
        .tree_merge_options()
        .context(|| "could not read the merge settings".to_string())?;
    let mut options: gix::merge::plumbing::tree::Options = options.into();
    options.blob_merge.text.diff_algorithm = gix::diff::blob::Algorithm::Histogram;
    Ok(options.into())
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
    let options = merge_options(repo)?;
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

/// The paths git would show as unmerged after a merge that gave `tree` and `conflicts`:
/// those with conflict stages in an index of the merged tree (a rename on both sides lists
/// the original path too). The index is made in memory.
fn conflicted_paths(
    repo: &Repo,
    tree: ObjectId,
    conflicts: &[gix::merge::tree::Conflict],
) -> Result<Vec<String>> {
    use gix::merge::plumbing::tree::apply_index_entries;
    use gix::merge::tree::apply_index_entries::RemovalMode;
    let context = || "could not list the conflicts".to_string();
    let mut index = repo.git.index_from_tree(&tree).context(context)?;
    apply_index_entries(
        conflicts,
        TreatAsUnresolved::git(),
        &mut index,
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
