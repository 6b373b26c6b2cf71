//! merge-ort's directory rename detection, for the case gix's tree merge lacks: one side
//! adds a file inside a directory that the other side moved away. Backports meet it often —
//! `main` renamed `src/foo/` to `src/bar/` and the fix adds `src/bar/test_x.py`; on an older
//! line, which still has `src/foo/`, git puts the file in `src/foo/` and stops on it
//! (`CONFLICT (file location)`, git's default `merge.directoryRenames=conflict`), where a
//! plain three-way merge would add it to a directory the line does not have.
//!
//! A directory counts as renamed when the other side no longer has it and most of its files
//! went, unchanged, to one other directory (exact renames; a directory whose files were
//! also edited while moving is not recognised).

use std::collections::HashMap;

use gix::ObjectId;
use gix::bstr::{BStr, BString, ByteSlice};

use crate::foundation::error::{GitContext, Result};
use crate::git::diff::{TreeChange, tree_changes};
use crate::git::merge::entry_in;
use crate::git::repo::Repo;

/// A file `theirs` added at `from`, which belongs at `to`: `ours` renamed its directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Moved {
    pub from: BString,
    pub to: BString,
}

/// The files `theirs` added inside directories `ours` renamed, given what theirs changed
/// from `base` (`theirs_changes`).
pub(crate) fn moves(
    repo: &Repo,
    base: ObjectId,
    ours: ObjectId,
    theirs_changes: &[TreeChange],
) -> Result<Vec<Moved>> {
    let context = || "could not look for renamed directories".to_string();
    let added: Vec<&BString> = theirs_changes
        .iter()
        .filter_map(|change| match change {
            TreeChange::Addition {
                path, entry_mode, ..
            } if !entry_mode.is_tree() => Some(path),
            _ => None,
        })
        .collect();
    if added.is_empty() {
        return Ok(Vec::new());
    }
    let base_tree = repo.git.find_tree(base).context(context)?;
    let ours_tree = repo.git.find_tree(ours).context(context)?;
    let is_dir = |tree: &gix::Tree<'_>, path: &BStr| -> Result<bool> {
        Ok(entry_in(tree, path)?.is_some_and(|(mode, _)| mode.is_tree()))
    };
    let exists =
        |tree: &gix::Tree<'_>, path: &BStr| -> Result<bool> { Ok(entry_in(tree, path)?.is_some()) };
    // Additions whose nearest directory that the base had is gone from ours.
    let mut candidates = Vec::new();
    for path in added {
        let mut dir = path.as_slice();
        while let Some(cut) = dir.rfind_byte(b'/') {
            dir = &dir[..cut];
            if is_dir(&base_tree, dir.as_bstr())? {
                if !exists(&ours_tree, dir.as_bstr())? {
                    candidates.push(path.clone());
                }
                break;
            }
        }
    }
    if candidates.is_empty() {
        return Ok(Vec::new());
    }

    // Ours' exact renames, as votes for "directory A went to directory B".
    let changes = tree_changes(repo, base, ours)?;
    let mut added_by_id: HashMap<ObjectId, Vec<&BString>> = HashMap::new();
    for change in &changes {
        if let TreeChange::Addition {
            path,
            entry_mode,
            oid,
            ..
        } = change
            && !entry_mode.is_tree()
        {
            added_by_id.entry(*oid).or_default().push(path);
        }
    }
    let mut votes: HashMap<BString, HashMap<BString, usize>> = HashMap::new();
    for change in &changes {
        if let TreeChange::Deletion {
            path,
            entry_mode,
            oid,
            ..
        } = change
            && !entry_mode.is_tree()
            && let Some(to) = added_by_id.get_mut(oid).and_then(Vec::pop)
            && let Some((old_dir, new_dir)) = renamed_dirs(path.as_bstr(), to.as_bstr())
        {
            *votes
                .entry(old_dir)
                .or_default()
                .entry(new_dir)
                .or_default() += 1;
        }
    }

    let mut moved = Vec::new();
    for path in candidates {
        // The deepest directory above the file that ours renamed, and where it went.
        let mut dir = path.as_slice();
        while let Some(cut) = dir.rfind_byte(b'/') {
            dir = &dir[..cut];
            if exists(&ours_tree, dir.as_bstr())? {
                break;
            }
            let Some(new_dir) = votes.get(dir.as_bstr()).and_then(winner) else {
                continue;
            };
            let rest = &path[dir.len() + 1..];
            let to: BString = match new_dir.is_empty() {
                true => rest.into(),
                false => [new_dir.as_slice(), b"/", rest].concat().into(),
            };
            if !exists(&ours_tree, to.as_bstr())? {
                moved.push(Moved { from: path, to });
            }
            break;
        }
    }
    Ok(moved)
}

/// `tree` with each moved file at its new place.
pub(crate) fn apply(repo: &Repo, tree: ObjectId, moved: &[Moved]) -> Result<ObjectId> {
    let context = || "could not move files into renamed directories".to_string();
    let found = repo.git.find_tree(tree).context(context)?;
    let mut editor = repo.git.edit_tree(tree).context(context)?;
    for Moved { from, to } in moved {
        let Some((mode, id)) = entry_in(&found, from.as_bstr())? else {
            continue;
        };
        editor.remove(from.as_bstr()).context(context)?;
        editor
            .upsert(to.as_bstr(), mode.kind(), id)
            .context(context)?;
    }
    Ok(editor.write().context(context)?.detach())
}

/// The directories a rename of `old` to `new` moved: their parents with the trailing
/// components they share taken off (`a/sub/x` → `b/sub/y` moved `a` to `b`). `None` when
/// nothing is left of the old one (the top level is never renamed).
fn renamed_dirs(old: &BStr, new: &BStr) -> Option<(BString, BString)> {
    let mut old: Vec<&[u8]> = old.split(|&b| b == b'/').collect();
    let mut new: Vec<&[u8]> = new.split(|&b| b == b'/').collect();
    old.pop();
    new.pop();
    while let (Some(a), Some(b)) = (old.last(), new.last()) {
        if a != b {
            break;
        }
        old.pop();
        new.pop();
    }
    if old.is_empty() {
        return None;
    }
    Some((old.join(&b'/').into(), new.join(&b'/').into()))
}

/// The directory most renames went to, if one has more than any other (a tie is no rename,
/// as in git).
fn winner(votes: &HashMap<BString, usize>) -> Option<&BString> {
    let best = votes.values().max()?;
    let mut at_best = votes.iter().filter(|(_, n)| *n == best);
    let (dir, _) = at_best.next()?;
    at_best.next().is_none().then_some(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_renamed_part_is_what_differs_above_the_shared_tail() {
        let dirs = |a: &str, b: &str| renamed_dirs(a.into(), b.into());
        assert_eq!(dirs("a/x", "b/x"), Some(("a".into(), "b".into())));
        assert_eq!(dirs("a/sub/x", "b/sub/y"), Some(("a".into(), "b".into())));
        assert_eq!(dirs("src/a/x", "x"), Some(("src/a".into(), "".into())));
        assert_eq!(dirs("x", "b/x"), None);
        assert_eq!(dirs("a/x", "a/y"), None);
    }
}
