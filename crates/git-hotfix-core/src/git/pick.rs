//! Cherry-picks in the object database: git's three-way merge of one commit's change (its
//! parent as the base) onto another commit, with `git cherry-pick -x`'s message, and no
//! checkout. Objects go to the repository given, so a plan passes one with object memory.

use std::collections::HashSet;

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::oid::short;
use crate::git::diff::{TreeChange, tree_changes};
use crate::git::repo::Repo;

/// What picking one commit onto another gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked {
    /// A new commit on top of `onto`.
    Commit { commit: ObjectId, tree: ObjectId },
    /// The change is already there; nothing to commit.
    Empty { why: EmptyBecause },
    /// These paths conflict.
    Conflict { paths: Vec<String> },
}

/// How a pick was found to be already applied.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum EmptyBecause {
    /// The target already contains the commit itself.
    Contained,
    /// The merge leaves the target's tree as it is (git says "the cherry-pick is now empty").
    NoChange,
    /// The target has a `(cherry picked from commit <source>)` trailer for it.
    Trailer,
    /// The target has a commit with the same change (same patch id).
    SamePatch,
}

/// The commit to pick and the parent its change is taken against.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub commit: ObjectId,
    /// `None` for a root commit: its change is against the empty tree.
    pub parent: Option<ObjectId>,
}

const TRAILER_PREFIX: &str = "(cherry picked from commit ";

impl Source {
    /// Read `commit` and choose the parent its change is measured against: the only one, or
    /// `mainline` (1-based) for a merge, which is refused without it as git does.
    pub fn of(repo: &Repo, commit: ObjectId, mainline: Option<u32>) -> Result<Source> {
        let found = repo
            .git
            .find_commit(commit)
            .context(|| format!("could not read commit {}", short(commit)))?;
        let parents: Vec<ObjectId> = found.parent_ids().map(|p| p.detach()).collect();
        let parent = match (parents.len(), mainline) {
            (0, _) => None,
            (1, None | Some(1)) => Some(parents[0]),
            (_, None) => {
                return Err(Error::MergeCommit {
                    commit: short(commit),
                    parents: parents.len(),
                });
            }
            (n, Some(m)) if m == 0 || m as usize > n => {
                return Err(Error::MergeCommit {
                    commit: short(commit),
                    parents: n,
                });
            }
            (_, Some(m)) => Some(parents[m as usize - 1]),
        };
        Ok(Source { commit, parent })
    }
}

/// Pick `source` onto `onto`. A change the target already has is `Empty`; a conflict lists
/// its paths (the merged objects are written even then, for a resolution worktree).
pub fn pick(repo: &Repo, onto: ObjectId, source: &Source) -> Result<Picked> {
    let (base_tree, onto_tree, source_tree) = trees(repo, onto, source)?;
    let merged = merge(repo, base_tree, onto_tree, source_tree, source)?;
    if !merged.conflicts.is_empty() {
        return Ok(Picked::Conflict {
            paths: merged.conflicts,
        });
    }
    let tree = merged.tree;
    if tree == onto_tree {
        return Ok(Picked::Empty {
            why: EmptyBecause::NoChange,
        });
    }
    let commit = commit_pick(repo, onto, source, tree)?;
    Ok(Picked::Commit { commit, tree })
}

/// How a commit with conflict markers says so, above the paths (one per line, indented).
const MARKERS_HEADING: &str = "Conflicts (markers committed, to resolve before merging):";

/// The paths of a backport branch (`commits`, its commits past the line) that still hold
/// the conflict markers a [`commit_markers`] commit committed, at the branch's `tip`: empty
/// once someone resolved them (or when no commit had any).
pub fn unresolved_markers(repo: &Repo, commits: &[ObjectId], tip: ObjectId) -> Result<Vec<String>> {
    let mut unresolved = Vec::new();
    for commit in commits {
        let (_, message) = author_and_message(repo, *commit)?;
        let Some((_, listed)) = message.split_once(MARKERS_HEADING) else {
            continue;
        };
        // The heading ends its line; the paths follow, one per line.
        for path in listed
            .lines()
            .skip(1)
            .map_while(|line| line.strip_prefix('\t'))
        {
            let marked = repo.read_file_at(tip, path)?.is_some_and(|bytes| {
                bytes
                    .split(|b| *b == b'\n')
                    .any(|line| line.starts_with(b"<<<<<<< "))
            });
            if marked && !unresolved.iter().any(|p| p == path) {
                unresolved.push(path.to_string());
            }
        }
    }
    Ok(unresolved)
}

/// Pick `source` onto `onto` although it conflicts: the commit holds git's merge result,
/// conflict markers included, and says which `paths` conflict, for someone to resolve on
/// the branch (a backport's pull request). Returns the commit and its tree.
pub fn commit_markers(
    repo: &Repo,
    onto: ObjectId,
    source: &Source,
    paths: &[String],
) -> Result<(ObjectId, ObjectId)> {
    let (base_tree, onto_tree, source_tree) = trees(repo, onto, source)?;
    let tree = merge(repo, base_tree, onto_tree, source_tree, source)?.tree;
    let (author, message) = author_and_message(repo, source.commit)?;
    let listed: String = paths.iter().map(|p| format!("\t{p}\n")).collect();
    let message = format!("{}\n\n{MARKERS_HEADING}\n{listed}", message.trim_end());
    let message = with_trailer(&message, source.commit);
    let commit = crate::git::merge::commit_as(repo, &author, &message, tree, [onto])?;
    Ok((commit, tree))
}

/// git's three-way merge of a pick, with `git cherry-pick`'s conflict labels.
fn merge(
    repo: &Repo,
    base: ObjectId,
    onto: ObjectId,
    theirs: ObjectId,
    source: &Source,
) -> Result<crate::git::merge::Merged> {
    let label = theirs_label(repo, source)?;
    let labels = crate::git::merge::Labels {
        ours: "HEAD",
        theirs: &label,
    };
    crate::git::merge::three_way(repo, base, onto, theirs, &labels)
}

/// The author (and date) and message of `commit`.
fn author_and_message(repo: &Repo, commit: ObjectId) -> Result<(gix::actor::Signature, String)> {
    let context = || format!("could not read commit {}", short(commit));
    let found = repo.git.find_commit(commit).context(context)?;
    let author = found
        .author()
        .context(context)?
        .to_owned()
        .context(context)?;
    let message = found
        .message_raw()
        .context(context)?
        .to_str_lossy()
        .into_owned();
    Ok((author, message))
}

/// The base, ours and theirs trees of a pick.
pub(crate) fn trees(
    repo: &Repo,
    onto: ObjectId,
    source: &Source,
) -> Result<(ObjectId, ObjectId, ObjectId)> {
    let base = match source.parent {
        Some(parent) => repo.tree_of(parent)?,
        None => ObjectId::empty_tree(repo.git.object_hash()),
    };
    Ok((base, repo.tree_of(onto)?, repo.tree_of(source.commit)?))
}

/// The label of the picked side in conflict markers, as `git cherry-pick` writes it.
pub(crate) fn theirs_label(repo: &Repo, source: &Source) -> Result<String> {
    let subject = repo.summary(source.commit)?;
    Ok(format!("{} ({subject})", short(source.commit)))
}

/// The commit of a pick: the source's author (and date) and message with git's `-x`
/// trailer, the configured committer, on top of `onto`.
pub(crate) fn commit_pick(
    repo: &Repo,
    onto: ObjectId,
    source: &Source,
    tree: ObjectId,
) -> Result<ObjectId> {
    let (author, message) = author_and_message(repo, source.commit)?;
    let message = with_trailer(&message, source.commit);
    crate::git::merge::commit_as(repo, &author, &message, tree, [onto])
}

/// The message of a pick of `source`: its own, with the `-x` trailer.
pub fn message_of(repo: &Repo, source: &Source) -> Result<String> {
    let (_, message) = author_and_message(repo, source.commit)?;
    Ok(with_trailer(&message, source.commit))
}

/// The message with `(cherry picked from commit <id>)` appended the way `git cherry-pick -x`
/// does: right after a closing block of trailers, else after a blank line.
pub fn with_trailer(message: &str, source: ObjectId) -> String {
    let mut out = message.trim_end_matches('\n').to_string();
    out.push('\n');
    let last_paragraph = out.trim_end().rsplit("\n\n").next().unwrap_or("");
    let ends_with_trailers = out.contains("\n\n")
        && !last_paragraph.is_empty()
        && last_paragraph.lines().all(is_trailer_line);
    if !ends_with_trailers {
        out.push('\n');
    }
    out.push_str(&format!("{TRAILER_PREFIX}{source})\n"));
    out
}

fn is_trailer_line(line: &str) -> bool {
    if line.starts_with(TRAILER_PREFIX) {
        return true;
    }
    match line.split_once(':') {
        Some((key, _)) => {
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }
        None => false,
    }
}

/// The commits whose `(cherry picked from commit X)` trailers name, among `commits`.
pub fn picked_from(repo: &Repo, commits: &[ObjectId]) -> Result<HashSet<ObjectId>> {
    let mut sources = HashSet::new();
    for &id in commits {
        let commit = repo
            .git
            .find_commit(id)
            .context(|| format!("could not read commit {}", short(id)))?;
        let message = commit
            .message_raw()
            .context(|| format!("could not read the message of {}", short(id)))?;
        for line in message.lines() {
            if let Some(rest) = line.to_str_lossy().strip_prefix(TRAILER_PREFIX)
                && let Ok(source) = ObjectId::from_hex(rest.trim_end_matches(')').as_bytes())
            {
                sources.insert(source);
            }
        }
    }
    Ok(sources)
}

/// The files a commit's change touches, sorted by path, each with its blob before and after
/// (null when absent): what [`patch_id`] digests, and, by the paths alone, a cheap filter —
/// two changes with different paths never have the same patch id.
pub fn changed_files(repo: &Repo, source: &Source) -> Result<Vec<(String, ObjectId, ObjectId)>> {
    let (base, _, theirs) = trees(repo, source.commit, source)?;
    let null = ObjectId::null(repo.git.object_hash());
    let mut entries: Vec<(String, ObjectId, ObjectId)> = tree_changes(repo, base, theirs)?
        .into_iter()
        .filter_map(|change| match change {
            TreeChange::Addition { entry_mode, .. } | TreeChange::Deletion { entry_mode, .. }
                if entry_mode.is_tree() =>
            {
                None
            }
            TreeChange::Modification { entry_mode, .. } if entry_mode.is_tree() => None,
            TreeChange::Addition { path, oid, .. } => Some((path.to_string(), null, oid)),
            TreeChange::Deletion { path, oid, .. } => Some((path.to_string(), oid, null)),
            TreeChange::Modification {
                path,
                previous_oid,
                oid,
                ..
            } => Some((path.to_string(), previous_oid, oid)),
        })
        .collect();
    entries.sort();
    Ok(entries)
}

/// A fingerprint of a commit's change that survives being applied elsewhere: the paths and
/// the removed and added lines (whitespace ignored), not the line numbers or blob ids —
/// the idea of `git patch-id`. `files` are the commit's [`changed_files`].
pub fn patch_id(
    repo: &Repo,
    commit: ObjectId,
    files: &[(String, ObjectId, ObjectId)],
) -> Result<ObjectId> {
    use gix::diff::blob::{Algorithm, Diff, InternedInput};
    let context = || format!("could not diff {}", short(commit));
    let mut text: Vec<u8> = Vec::new();
    let blob = |id: ObjectId| -> Result<Vec<u8>> {
        if id.is_null() {
            return Ok(Vec::new());
        }
        Ok(repo.git.find_blob(id).context(context)?.data.clone())
    };
    for (path, before, after) in files {
        text.extend_from_slice(path.as_bytes());
        text.push(0);
        let (before, after) = (blob(*before)?, blob(*after)?);
        let input = InternedInput::new(before.as_slice(), after.as_slice());
        let diff = Diff::compute(Algorithm::Myers, &input);
        for hunk in diff.hunks() {
            for (sign, range, tokens) in [
                (b'-', hunk.before.clone(), &input.before),
                (b'+', hunk.after.clone(), &input.after),
            ] {
                for index in range {
                    let line: &[u8] = input.interner[tokens[index as usize]];
                    text.push(sign);
                    text.extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
                }
            }
        }
    }
    gix::objs::compute_hash(repo.git.object_hash(), gix::objs::Kind::Blob, &text).context(context)
}

/// Whether `commit`'s message names `source` in a cherry-pick trailer.
pub fn names_source(message: &BStr, source: ObjectId) -> bool {
    let wanted = format!("{TRAILER_PREFIX}{source})");
    message.lines().any(|l| l.trim_end() == wanted.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ObjectId {
        ObjectId::from_hex(b"0123456789abcdef0123456789abcdef01234567").unwrap()
    }

    #[test]
    fn the_trailer_follows_a_blank_line_after_prose() {
        assert_eq!(
            with_trailer("fix: x\n\nbody text\n", id()),
            format!(
                "fix: x\n\nbody text\n\n(cherry picked from commit {})\n",
                id()
            )
        );
        assert_eq!(
            with_trailer("fix: x", id()),
            format!("fix: x\n\n(cherry picked from commit {})\n", id())
        );
    }

    #[test]
    fn the_trailer_joins_an_existing_trailer_block() {
        assert_eq!(
            with_trailer("fix: x\n\nSigned-off-by: A <a@x>\n", id()),
            format!(
                "fix: x\n\nSigned-off-by: A <a@x>\n(cherry picked from commit {})\n",
                id()
            )
        );
    }

    #[test]
    fn trailers_are_found_again() {
        let message = with_trailer("fix", id());
        assert!(names_source(message.as_bytes().as_bstr(), id()));
    }
}
