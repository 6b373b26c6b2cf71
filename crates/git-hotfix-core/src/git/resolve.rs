//! Worktrees made for resolving a conflict: git's usual conflict state (markers in the files,
//! three stages in the index, `MERGE_HEAD`) in a linked worktree of its own under
//! `.git/hotfix/resolve/`, so the user's checkout is never touched and `git status`,
//! `git diff` and `git mergetool` work there as after any `git merge`.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::index::entry::{Flags, Stage};
use gix::merge::tree::{TreatAsUnresolved, apply_index_entries::RemovalMode};

use crate::foundation::error::{Error, GitContext, IoContext, Result};
use crate::foundation::oid::short;
use crate::git::diff::tree_changes;
use crate::git::directory_renames;
use crate::git::merge::{self, Labels};
use crate::git::pick::{self, Source};
use crate::git::repo::Repo;

/// Where the resolution worktree for `ticket` merging into `branch` goes.
pub fn path_for(repo: &Repo, ticket: &str, branch: &str) -> PathBuf {
    let name = format!("{ticket}-{}", branch.replace('/', "-"));
    repo.common_dir().join("hotfix").join("resolve").join(name)
}

/// What a resolution worktree resolves.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Resolving {
    /// Merging the commit `theirs` (finish).
    Merge {
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        theirs: ObjectId,
    },
    /// Picking `source` against `parent` (backport).
    Pick {
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        source: ObjectId,
        #[serde(with = "crate::foundation::oid::hex_opt")]
        #[schemars(with = "Option<String>")]
        parent: Option<ObjectId>,
    },
    /// Applying a patch mail (`patch apply`) as the change from tree `base` to `theirs`.
    Patch {
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        base: ObjectId,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        theirs: ObjectId,
    },
}

impl Resolving {
    fn pick_source(&self) -> Option<Source> {
        match self {
            Resolving::Merge { .. } | Resolving::Patch { .. } => None,
            Resolving::Pick { source, parent } => Some(Source {
                commit: *source,
                parent: *parent,
            }),
        }
    }
}

/// Make the worktree at `path`: `ours` checked out (detached) with `what` applied and its
/// conflicts left for a person. Returns the conflicted paths.
pub fn create(
    repo: &Repo,
    path: &Path,
    ours: ObjectId,
    what: &Resolving,
    labels: &Labels<'_>,
    message: &str,
) -> Result<Vec<String>> {
    let context = || {
        format!(
            "could not prepare the conflict worktree at {}",
            path.display()
        )
    };
    // The same merge, with the same options, as the one that stopped on these conflicts,
    // and the files it put into directories ours renamed (see `merge::three_way`).
    let (mut outcome, moved) = match what {
        Resolving::Merge { theirs } => {
            let options = merge::commit_options(repo, ours, *theirs)?;
            let outcome = repo
                .git
                .merge_commits(ours, *theirs, labels.for_gix(), options.into())
                .context(context)?
                .tree_merge;
            let bases = repo
                .git
                .merge_bases_many(ours, &[*theirs])
                .context(context)?;
            let moved = match bases.as_slice() {
                [base] => {
                    let base = repo.tree_of(base.detach())?;
                    let changes = tree_changes(repo, base, repo.tree_of(*theirs)?)?;
                    directory_renames::moves(repo, base, repo.tree_of(ours)?, &changes)?
                }
                _ => Vec::new(),
            };
            (outcome, moved)
        }
        Resolving::Pick { .. } => {
            let source = what.pick_source().expect("a pick");
            let (base, ours_tree, theirs_tree) = pick::trees(repo, ours, &source)?;
            let options = merge::tree_options(repo, base, ours_tree, theirs_tree)?;
            let outcome = repo
                .git
                .merge_trees(base, ours_tree, theirs_tree, labels.for_gix(), options)
                .context(context)?;
            let changes = tree_changes(repo, base, theirs_tree)?;
            let moved = directory_renames::moves(repo, base, ours_tree, &changes)?;
            (outcome, moved)
        }
        Resolving::Patch { base, theirs } => {
            let ours_tree = repo.tree_of(ours)?;
            let options = merge::tree_options(repo, *base, ours_tree, *theirs)?;
            let outcome = repo
                .git
                .merge_trees(*base, ours_tree, *theirs, labels.for_gix(), options)
                .context(context)?;
            let changes = tree_changes(repo, *base, *theirs)?;
            let moved = directory_renames::moves(repo, *base, ours_tree, &changes)?;
            (outcome, moved)
        }
    };
    let mut tree = outcome.tree.write().context(context)?.detach();
    if !moved.is_empty() {
        tree = directory_renames::apply(repo, tree, &moved)?;
    }

    let interrupt = AtomicBool::new(false);
    let linked = repo
        .git
        .prepare_add_worktree(path, gix::worktree::add::Head::Detached(ours), &interrupt)
        .context(context)?
        .persist()
        .context(context)?;
    let populate = || -> Result<Vec<String>> {
        let workdir = linked.workdir().expect("a linked worktree").to_path_buf();
        let mut index = linked.index_from_tree(&tree).context(context)?;
        let mut checkout = linked
            .checkout_options(gix::worktree::stack::state::attributes::Source::IdMapping)
            .context(context)?;
        checkout.destination_is_initially_empty = true;
        let objects = linked
            .objects
            .clone()
            .into_arc()
            .io_context("could not open the object database", repo.common_dir())?;
        gix::worktree::state::checkout(
            &mut index,
            &workdir,
            objects,
            &gix::progress::Discard,
            &gix::progress::Discard,
            &interrupt,
            checkout,
        )
        .context(context)?;
        outcome.index_changed_after_applying_conflicts(
            &mut index,
            TreatAsUnresolved::git(),
            RemovalMode::Prune,
        );
        // A moved file is theirs alone, as git leaves it (stage 3).
        for moved in &moved {
            if let Some(entry) =
                index.entry_mut_by_path_and_stage(moved.to.as_bstr(), Stage::Unconflicted)
            {
                entry.flags.remove(Flags::STAGE_MASK);
                entry.flags |= Flags::from_stage(Stage::Theirs);
            }
        }
        let conflicted = conflicted_paths(&index);
        index.write(Default::default()).context(context)?;

        // The state files git's own commands read: `git status` then says what is going on,
        // and a `git commit` there makes the commit we expect.
        let git_dir = linked.git_dir();
        let head = match what {
            Resolving::Merge { theirs } => Some(("MERGE_HEAD", *theirs)),
            Resolving::Pick { source, .. } => Some(("CHERRY_PICK_HEAD", *source)),
            // A patch has no commit to name.
            Resolving::Patch { .. } => None,
        };
        if let Some((head_file, head)) = head {
            let head_path = git_dir.join(head_file);
            std::fs::write(&head_path, format!("{head}\n"))
                .io_context("could not write", &head_path)?;
        }
        let mut merge_msg = message.to_string();
        merge_msg.push_str("\n# Conflicts:\n");
        for path in &conflicted {
            merge_msg.push_str(&format!("#\t{path}\n"));
        }
        let msg_path = git_dir.join("MERGE_MSG");
        std::fs::write(&msg_path, merge_msg).io_context("could not write", &msg_path)?;
        Ok(conflicted)
    };
    match populate() {
        Ok(conflicted) => Ok(conflicted),
        Err(err) => {
            let _ = remove(repo, path);
            Err(err)
        }
    }
}

fn conflicted_paths(index: &gix::index::State) -> Vec<String> {
    let mut paths: Vec<String> = index
        .entries()
        .iter()
        .filter(|e| e.stage_raw() != 0)
        .map(|e| e.path(index).to_str_lossy().into_owned())
        .collect();
    paths.dedup();
    paths
}

/// The commit a person produced at `path`: the one they committed there, or the one
/// `commit` makes of the tree they staged (a merge of `ours` and `theirs`, a pick with its
/// author and trailer, a patch with the mail's). Unresolved paths, and changes made but
/// not staged (they would be lost), are errors naming them.
pub fn read(
    repo: &Repo,
    path: &Path,
    ours: ObjectId,
    what: &Resolving,
    commit: impl FnOnce(ObjectId) -> Result<ObjectId>,
) -> Result<ObjectId> {
    let context = || format!("could not read the resolution at {}", path.display());
    let linked = gix::open(path).context(context)?;
    let index = linked.index_or_empty().context(context)?;
    let conflicted = conflicted_paths(&index);
    if !conflicted.is_empty() {
        return Err(Error::UnresolvedConflicts {
            worktree: path.to_path_buf(),
            files: conflicted,
        });
    }
    let expected_parents = match what {
        Resolving::Merge { theirs } => vec![ours, *theirs],
        Resolving::Pick { .. } | Resolving::Patch { .. } => vec![ours],
    };
    let head = linked.head_id().context(context)?.detach();
    if head != ours {
        // They ran `git commit` there: accept it if it is the commit we asked for.
        let commit = linked.find_commit(head).context(context)?;
        let parents: Vec<ObjectId> = commit.parent_ids().map(|p| p.detach()).collect();
        if parents == expected_parents {
            return Ok(head);
        }
        return Err(Error::NotTheMerge {
            worktree: path.to_path_buf(),
            head: short(head),
            ours: short(ours),
            theirs: short(*expected_parents.last().expect("a parent")),
        });
    }
    let unstaged = crate::git::repo::unstaged_files_of(&linked)?;
    if !unstaged.is_empty() {
        return Err(Error::UnstagedResolution {
            worktree: path.to_path_buf(),
            files: unstaged,
        });
    }
    let tree = tree_from_index(repo, &index)?;
    let left = markers_left(repo, ours, what, tree)?;
    if !left.is_empty() {
        return Err(Error::MarkersLeft {
            worktree: path.to_path_buf(),
            files: left,
        });
    }
    commit(tree)
}

/// The files of `tree` (what a person staged) changed from `ours` that still hold git's
/// conflict markers — a `<<<<<<< ` line, then a `>>>>>>> ` line: `git add` takes them as
/// they are, and they would be released. A file exactly as the incoming side has it is
/// not a resolution, whatever its text.
fn markers_left(
    repo: &Repo,
    ours: ObjectId,
    what: &Resolving,
    tree: ObjectId,
) -> Result<Vec<String>> {
    use gix::diff::tree::recorder::Change;
    let theirs = match what {
        Resolving::Merge { theirs } => repo.tree_of(*theirs)?,
        Resolving::Pick { source, .. } => repo.tree_of(*source)?,
        Resolving::Patch { theirs, .. } => *theirs,
    };
    let theirs = repo
        .git
        .find_tree(theirs)
        .context(|| format!("could not read the tree {}", short(theirs)))?;
    let mut left = Vec::new();
    for change in tree_changes(repo, repo.tree_of(ours)?, tree)? {
        let (path, oid, mode) = match change {
            Change::Addition {
                path,
                oid,
                entry_mode,
                ..
            }
            | Change::Modification {
                path,
                oid,
                entry_mode,
                ..
            } => (path, oid, entry_mode),
            Change::Deletion { .. } => continue,
        };
        let incoming = theirs
            .lookup_entry_by_path(path.to_string())
            .ok()
            .flatten()
            .map(|e| e.object_id());
        if !mode.is_blob() || incoming == Some(oid) {
            continue;
        }
        let blob = repo
            .git
            .find_object(oid)
            .context(|| format!("could not read {path}"))?;
        let mut opened = false;
        for line in blob.data.split(|b| *b == b'\n') {
            if line.starts_with(b"<<<<<<< ") {
                opened = true;
            } else if opened && line.starts_with(b">>>>>>> ") {
                left.push(path.to_string());
                break;
            }
        }
    }
    Ok(left)
}

/// git's `write-tree`: the tree of everything staged.
fn tree_from_index(repo: &Repo, index: &gix::index::State) -> Result<ObjectId> {
    let context = || "could not write the staged tree".to_string();
    let mut editor = repo
        .git
        .edit_tree(ObjectId::empty_tree(repo.git.object_hash()))
        .context(context)?;
    for entry in index.entries() {
        if entry.flags.contains(Flags::INTENT_TO_ADD) {
            continue;
        }
        let Some(mode) = entry.mode.to_tree_entry_mode() else {
            continue;
        };
        editor
            .upsert(entry.path(index), mode.kind(), entry.id)
            .context(context)?;
    }
    Ok(editor.write().context(context)?.detach())
}

/// Leave a new file (a `.rej`) at `relative` in the worktree at `root`, never through or
/// beyond a symbolic link, and never over a file of the tree: every directory on the way
/// must be a real one and the name free. Returns whether it was written.
pub fn leave_file(root: &Path, relative: &str, content: &[u8]) -> Result<bool> {
    use std::io::Write as _;
    let path = root.join(relative);
    let mut dir = root.to_path_buf();
    let parents = relative.rsplit_once('/').map_or("", |(parents, _)| parents);
    for name in parents.split('/').filter(|n| !n.is_empty()) {
        dir.push(name);
        match dir.symlink_metadata() {
            Ok(meta) if meta.is_dir() => {}
            _ => return Ok(false),
        }
    }
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut file = match created {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(err) => return Err(err).io_context("could not write", &path),
    };
    file.write_all(content)
        .io_context("could not write", &path)?;
    Ok(true)
}

/// Whether git still has a linked worktree at `path` on its list.
fn registered(repo: &Repo, path: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(repo.common_dir().join("worktrees")) else {
        return false;
    };
    entries.flatten().any(|entry| {
        std::fs::read_to_string(entry.path().join("gitdir"))
            .is_ok_and(|gitdir| Path::new(gitdir.trim()).parent() == Some(path))
    })
}

/// Remove a resolution worktree, whatever it holds: it was made by us and its result, if
/// any, is already a commit.
pub fn remove(repo: &Repo, path: &Path) -> Result<()> {
    // A journal of a repository since moved or copied names the old place: only this
    // repository's own resolution of that name is removed, never a worktree elsewhere.
    let own = repo.common_dir().join("hotfix").join("resolve");
    let path = &match path.file_name() {
        Some(name) if !path.starts_with(&own) => own.join(name),
        _ => path.to_path_buf(),
    };
    if path.exists() && !path.join(".git").exists() {
        // A removal killed half-way: the rest of its files go the same way.
        std::fs::remove_dir_all(path).io_context("could not remove", path)?;
    }
    if !path.exists() {
        // A removal killed half-way leaves the administrative files of a worktree that is
        // gone: git lists it (prunable) until they go too.
        if registered(repo, path) {
            crate::git::cli::prune_worktrees(repo.common_dir())?;
        }
        return Ok(());
    }
    repo.git
        .remove_worktree(
            path,
            gix::worktree::remove::Force::DiscardChanges,
            gix::progress::Discard,
        )
        .context(|| format!("could not remove the worktree at {}", path.display()))?;
    // Leave no empty `resolve/` behind; it fails harmlessly while other resolutions remain.
    if let Some(parent) = path.parent() {
        let _ = std::fs::remove_dir(parent);
    }
    Ok(())
}
