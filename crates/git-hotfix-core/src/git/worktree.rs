//! Bringing a worktree's files along when the commit it has checked out changes under it:
//! its branch moved, or its HEAD now names another branch.
//!
//! The move itself is git's two-way merge (`git read-tree -m -u <from> <to>`): files the move
//! does not touch keep any local change, and a change in its way refuses it. Two things
//! make that safe to repeat at any point, which a command killed half-way needs:
//!
//! - the index's stat data is refreshed first, so a file only `touch`ed (same content, new
//!   times) is not taken for a local change;
//! - a move that was killed while writing files leaves some of them at their new content
//!   with the index still at the old commit. A file of the move whose content is the old
//!   one or the new one is ours, and is put back to what the index says before the merge
//!   runs again; any other content is someone's work, and the move refuses, naming it.
//!
//! The same call brings a worktree back (from `to` to `from`) when a run is undone.

use std::collections::HashMap;
use std::path::Path;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use crate::foundation::error::{Error, GitContext, Result};
use crate::git::cli;
use crate::git::diff::{TreeChange, tree_changes};
use crate::git::repo::{Repo, Worktree};

/// Bring the worktree at `workdir`, on `branch` (`None`: detached), from `from` (the commit
/// its index was at when the move began) to `to`. Nothing to do when it is there already,
/// or when it is not on `branch` any more. `resuming` says the move may have been
/// interrupted before: an `index.lock` left there is then the killed move's own.
/// `switching_back`: an abort is about to put the worktree's HEAD back on the branch it
/// left for `branch`; then files committed or pulled on `branch` since are `branch`'s, and
/// the checkout goes to `to` from wherever HEAD is now, as `git switch` would.
pub fn follow(
    workdir: &Path,
    branch: Option<&str>,
    from: ObjectId,
    to: ObjectId,
    resuming: bool,
    switching_back: bool,
) -> Result<()> {
    let git = gix::open(workdir)
        .context(|| format!("could not open the worktree at {}", workdir.display()))?;
    let lock = git.git_dir().join("index.lock");
    if lock.exists() {
        if !resuming {
            return Err(Error::Locked { path: lock });
        }
        crate::git::refs::remove_own_lock(lock)?;
    }
    // The refs moved first, so HEAD is at `to` — unless a run cut short was committed over
    // since: the checkout is the person's now (its files are what they committed), and the
    // move no longer applies.
    let mut from = from;
    if let Ok(head) = git.head_id()
        && head.detach() != from
        && head.detach() != to
    {
        let on_branch = match (branch, git.head_name()) {
            (Some(branch), Ok(Some(name))) => {
                name.as_bstr() == format!("refs/heads/{branch}").as_str()
            }
            _ => false,
        };
        if !(switching_back && on_branch) {
            return Ok(());
        }
        from = head.detach();
    }
    // Switched to another branch since (a run cut short, then another hotfix started):
    // that checkout is not this move's.
    if let Some(branch) = branch
        && let Ok(Some(name)) = git.head_name()
        && name.as_bstr() != format!("refs/heads/{branch}").as_str()
    {
        return Ok(());
    }
    cli::refresh_index(workdir)?;

    // What the move changes: each path's blob before and after (`None`: absent).
    let changes = changed_paths(git.clone(), from, to)?;
    if changes.is_empty() {
        return Ok(());
    }
    let index = git
        .index_or_empty()
        .context(|| format!("could not read the index of {}", workdir.display()))?;
    let in_index = |path: &str| -> Option<ObjectId> {
        index
            .entry_by_path(path.as_bytes().as_bstr())
            .map(|entry| entry.id)
    };

    // The files of the move whose content is not what the index says.
    let unstaged: Vec<String> = cli::unstaged_paths(workdir)?;
    let mut off_index: Vec<String> = unstaged
        .into_iter()
        .filter(|p| changes.contains_key(p))
        .collect();
    for path in changes.keys() {
        let present = workdir.join(path).symlink_metadata().is_ok();
        if present && in_index(path).is_none() {
            off_index.push(path.clone());
        }
    }
    off_index.sort();
    off_index.dedup();

    let on_disk: Vec<String> = off_index
        .iter()
        .filter(|p| workdir.join(p).symlink_metadata().is_ok())
        .cloned()
        .collect();
    let hashes: HashMap<&String, ObjectId> = on_disk
        .iter()
        .zip(cli::hash_files(workdir, &on_disk)?)
        .collect();
    let mut theirs = Vec::new();
    let (mut restore, mut remove) = (Vec::new(), Vec::new());
    for path in &off_index {
        let (before, after) = changes[path];
        let content = hashes.get(path).copied();
        let ours = content == before || content == after;
        if !ours {
            theirs.push(path.clone());
        } else if in_index(path).is_some() {
            restore.push(path.clone());
        } else if content.is_some() {
            remove.push(path.clone());
        }
    }
    if !theirs.is_empty() {
        return Err(Error::DirtyWorktree {
            worktree: workdir.to_path_buf(),
            files: theirs,
        });
    }
    cli::checkout_index(workdir, &restore)?;
    for path in &remove {
        let file = workdir.join(path);
        std::fs::remove_file(&file).map_err(|source| Error::Io {
            context: "could not remove a file a killed run had written",
            path: file,
            source,
        })?;
    }
    cli::read_tree_two_way(workdir, from, to).map_err(|err| match err {
        Error::GitCommand { stderr, .. } => Error::CheckoutFailed {
            target: crate::foundation::oid::short(to),
            worktree: workdir.to_path_buf(),
            reason: stderr,
        },
        other => other,
    })
}

/// Refuse, before a branch moves from `from` to `to`, a move the files of the worktree at
/// `workdir` could not follow (an untracked file in the way, a path the file system cannot
/// hold): refused after the move, it would leave the branch moved and its checkout behind.
pub fn ensure_can_follow(workdir: &Path, from: ObjectId, to: ObjectId) -> Result<()> {
    let git = gix::open(workdir)
        .context(|| format!("could not open the worktree at {}", workdir.display()))?;
    let index = git.index_path();
    if !index.exists() {
        return Ok(());
    }
    // A copy, named as the records' temporary files are, so that a kill's is swept.
    let copy = git
        .common_dir()
        .join("hotfix")
        .join(format!(".index.{}.tmp", std::process::id()));
    std::fs::copy(&index, &copy).map_err(|source| Error::Io {
        context: "could not copy the index to check the checkout",
        path: copy.clone(),
        source,
    })?;
    let checked = cli::read_tree_two_way_would(workdir, &copy, from, to);
    let _ = std::fs::remove_file(&copy);
    checked.map_err(|err| match err {
        Error::GitCommand { stderr, .. } => Error::CheckoutFailed {
            target: crate::foundation::oid::short(to),
            worktree: workdir.to_path_buf(),
            reason: stderr,
        },
        other => other,
    })
}

type Change = (Option<ObjectId>, Option<ObjectId>);

/// Every file whose blob differs between the trees of `from` and `to`.
fn changed_paths(
    git: gix::Repository,
    from: ObjectId,
    to: ObjectId,
) -> Result<HashMap<String, Change>> {
    let repo = Repo::from(git);
    let blob = |mode: gix::objs::tree::EntryMode, id: ObjectId| (!mode.is_tree()).then_some(id);
    let mut changes = HashMap::new();
    for change in tree_changes(&repo, repo.tree_of(from)?, repo.tree_of(to)?)? {
        let (path, before, after) = match change {
            TreeChange::Addition {
                entry_mode,
                oid,
                path,
                ..
            } => (path, None, blob(entry_mode, oid)),
            TreeChange::Deletion {
                entry_mode,
                oid,
                path,
                ..
            } => (path, blob(entry_mode, oid), None),
            TreeChange::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
                path,
            } => (
                path,
                blob(previous_entry_mode, previous_oid),
                blob(entry_mode, oid),
            ),
        };
        if before.is_some() || after.is_some() {
            changes.insert(path.to_str_lossy().into_owned(), (before, after));
        }
    }
    Ok(changes)
}

/// Refuse a worktree with local changes (or an index another git holds), naming them.
pub fn ensure_clean(worktree: &Worktree) -> Result<()> {
    let git = open(worktree)?;
    let files = crate::git::repo::dirty_files_of(&git)?;
    if !files.is_empty() {
        return Err(Error::DirtyWorktree {
            worktree: worktree.path.clone(),
            files,
        });
    }
    let lock = git.git_dir().join("index.lock");
    if lock.exists() {
        return Err(Error::Locked { path: lock });
    }
    Ok(())
}

/// Refuse to move `branch` when a worktree that has it checked out has local changes: its
/// files follow the branch.
pub fn ensure_clean_on(repo: &Repo, branch: &str) -> Result<()> {
    for worktree in repo.worktrees_on(branch)? {
        let files = crate::git::repo::dirty_files_of(&open(&worktree)?)?;
        if !files.is_empty() {
            return Err(Error::CheckedOutElsewhere {
                branch: branch.to_string(),
                worktree: worktree.path,
                files,
            });
        }
    }
    Ok(())
}

pub fn open(worktree: &Worktree) -> Result<gix::Repository> {
    gix::open(&worktree.path)
        .context(|| format!("could not open the worktree at {}", worktree.path.display()))
}

/// `path` from `base`, with `.` and `..` taken out lexically (symbolic links are not
/// followed): how a path given relative (`main-wt/../client-wt`, a remote's `../origin.git`)
/// is shown and kept, as git shows worktrees.
pub fn absolute(base: &Path, path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for component in base.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether two paths name the same directory.
pub fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
