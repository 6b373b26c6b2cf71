//! Catching up with the remote before deciding. A plan made from stale local refs fails
//! only at the push, after the release commit, the tag and the merges were made; so the
//! branches a command decides from are fetched first (with the tags that point into them),
//! and a local branch behind its remote is fast-forwarded, never silently used.

use gix::ObjectId;

use crate::foundation::error::{Error, Result};
use crate::foundation::names::{BRANCH_PREFIX, TAG_PREFIX};
use crate::git::cli;
use crate::git::refs::{self, Edit, Value};
use crate::git::repo::Repo;

/// What catching up did.
#[derive(Debug, Clone, Default, serde::Serialize, schemars::JsonSchema)]
pub struct Synced {
    pub remote: String,
    /// The branches fetched (those the remote has).
    pub fetched: Vec<String>,
    /// Local branches that were behind and now are where the remote has them.
    pub fast_forwarded: Vec<FastForward>,
    /// Local branches with commits the remote lacks (pushed by the run, when it pushes).
    pub ahead: Vec<String>,
    /// Branches this clone did not have, made where the remote has them (as `git switch`
    /// makes a branch from its remote-tracking one).
    pub tracked: Vec<String>,
}

/// How deep the branches are fetched into a shallow clone (a CI's one-commit checkout):
/// enough of each line to see an earlier pick of the same fix (its trailer, its patch),
/// not the line's whole history.
pub const SHALLOW_DEPTH: u32 = 50;

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct FastForward {
    pub branch: String,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub from: ObjectId,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub to: ObjectId,
}

/// Fetch `branches` that `remote` has, and the tags pointing into them, then bring each
/// local branch that is behind up to its remote-tracking ref. `None` when no such remote is
/// configured (a repository of one's own). A branch that diverged from the remote, or is
/// behind and checked out with local changes, is refused: nothing is decided from it.
/// `progress` lets git's own progress reach the terminal.
pub fn catch_up(
    repo: &Repo,
    remote: &str,
    branches: &[String],
    progress: bool,
) -> Result<Option<Synced>> {
    if !repo.has_remote(remote) {
        return Ok(None);
    }
    let there = remote_branches_of(repo, remote, branches)?;
    let fetched: Vec<String> = branches
        .iter()
        .filter(|b| there.contains_key(&format!("{BRANCH_PREFIX}{b}")))
        .cloned()
        .collect();
    // In a shallow clone, a fetch without a depth brings each line's whole history.
    let depth = match repo.is_shallow() {
        true => Some(SHALLOW_DEPTH),
        false => None,
    };
    cli::fetch_branches(repo, remote, &fetched, depth, progress)?;

    let mut synced = Synced {
        remote: remote.to_string(),
        fetched: fetched.clone(),
        ..Synced::default()
    };
    for branch in &fetched {
        let tracking = format!("refs/remotes/{remote}/{branch}");
        let Some(theirs) = repo.ref_target(&tracking)? else {
            continue;
        };
        let Some(local) = repo.branch_tip(branch)? else {
            refs::apply(
                repo,
                &[Edit {
                    name: format!("{BRANCH_PREFIX}{branch}"),
                    old: None,
                    new: Some(Value::Object(theirs)),
                }],
                &format!("hotfix: branch from {tracking}"),
            )?;
            synced.tracked.push(branch.clone());
            continue;
        };
        if local == theirs {
            continue;
        }
        if repo.is_ancestor(theirs, local)? {
            synced.ahead.push(branch.clone());
        } else if repo.is_ancestor(local, theirs)? {
            fast_forward(repo, branch, local, theirs, &tracking)?;
            synced.fast_forwarded.push(FastForward {
                branch: branch.clone(),
                from: local,
                to: theirs,
            });
        } else {
            return Err(Error::Diverged {
                branch: branch.clone(),
                remote: remote.to_string(),
            });
        }
    }
    Ok(Some(synced))
}

/// Where `remote` has each of `branches` now (full ref names), asked of the remote.
fn remote_branches_of(
    repo: &Repo,
    remote: &str,
    branches: &[String],
) -> Result<std::collections::HashMap<String, ObjectId>> {
    let names: Vec<String> = branches
        .iter()
        .map(|b| format!("{BRANCH_PREFIX}{b}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    cli::remote_refs(repo, remote, &names).map_err(|err| match err {
        Error::PushFailed { message, .. } => Error::FetchFailed {
            remote: remote.to_string(),
            what: branches.join(", "),
            message,
        },
        other => other,
    })
}

/// Bring the remote-tracking refs of `branches` to where `remote` has them now, the local
/// branches left as they are: fetched where it has them, dropped where it no longer does
/// (a colleague deleted the branch). A push leased on them then expects what is there.
pub fn track(repo: &Repo, remote: &str, branches: &[String]) -> Result<()> {
    if !repo.has_remote(remote) {
        return Ok(());
    }
    let there = remote_branches_of(repo, remote, branches)?;
    let (present, gone): (Vec<String>, Vec<String>) = branches
        .iter()
        .cloned()
        .partition(|b| there.contains_key(&format!("{BRANCH_PREFIX}{b}")));
    let depth = repo.is_shallow().then_some(SHALLOW_DEPTH);
    cli::fetch_branches(repo, remote, &present, depth, false)?;
    for branch in gone {
        let tracking = format!("refs/remotes/{remote}/{branch}");
        if let Some(stale) = repo.ref_target(&tracking)? {
            refs::apply(
                repo,
                &[Edit {
                    name: tracking,
                    old: Some(Value::Object(stale)),
                    new: None,
                }],
                &format!("hotfix: {branch} is gone from {remote}"),
            )?;
        }
    }
    Ok(())
}

/// The branches `remote` has whose names match one of `patterns` (globs as `--to` takes
/// them), in the remote's order: lines this clone may not have yet.
pub fn remote_branches_matching(
    repo: &Repo,
    remote: &str,
    patterns: &[String],
) -> Result<Vec<String>> {
    if !repo.has_remote(remote) {
        return Ok(Vec::new());
    }
    let branches = cli::remote_branches(repo, remote)?;
    Ok(branches
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| {
            patterns
                .iter()
                .any(|p| crate::git::repo::glob_matches(p, name))
        })
        .collect())
}

/// Move `branch` from `from` to `to`: the ref alone when no worktree has it checked out,
/// else git's own fast-forward merge in that worktree, which must be clean.
fn fast_forward(
    repo: &Repo,
    branch: &str,
    from: ObjectId,
    to: ObjectId,
    tracking: &str,
) -> Result<()> {
    match repo.worktrees_on(branch)?.first() {
        None => refs::apply(
            repo,
            &[Edit {
                name: format!("{BRANCH_PREFIX}{branch}"),
                old: Some(Value::Object(from)),
                new: Some(Value::Object(to)),
            }],
            &format!("hotfix: fast-forward to {tracking}"),
        ),
        Some(worktree) => {
            let files = crate::git::repo::dirty_files_of(&crate::git::worktree::open(worktree)?)?;
            if !files.is_empty() {
                return Err(Error::CheckedOutElsewhere {
                    branch: branch.to_string(),
                    worktree: worktree.path.clone(),
                    files,
                });
            }
            cli::merge_ff_only(&worktree.path, to)
        }
    }
}

/// Whether `remote` has tag `name` as something else than the local tag (or has it while
/// there is none here): a version someone else released.
pub fn tag_taken_on_remote(repo: &Repo, remote: &str, name: &str) -> Result<bool> {
    let full = format!("{TAG_PREFIX}{name}");
    let there = remote_tag(repo, remote, name)?;
    Ok(match there {
        None => false,
        Some(there) => repo.ref_target(&full)? != Some(there),
    })
}

/// What tag `name` is on `remote` now; `None` when it has none (or is not configured).
pub fn remote_tag(repo: &Repo, remote: &str, name: &str) -> Result<Option<ObjectId>> {
    if !repo.has_remote(remote) {
        return Ok(None);
    }
    let full = format!("{TAG_PREFIX}{name}");
    cli::remote_ref(repo, remote, &full).map_err(|err| match err {
        Error::PushFailed { message, .. } => Error::FetchFailed {
            remote: remote.to_string(),
            what: full.clone(),
            message,
        },
        other => other,
    })
}

/// Fetch the tags `remote` has and this clone lacks (never one it has as something else):
/// a release recorded as running somewhere is known here by its tag. Returns their names.
pub fn fetch_missing_tags(repo: &Repo, remote: &str) -> Result<Vec<String>> {
    if !repo.has_remote(remote) {
        return Ok(Vec::new());
    }
    let mut missing = Vec::new();
    for (name, _) in cli::remote_tag_commits(repo, remote)? {
        if repo.ref_target(&format!("{TAG_PREFIX}{name}"))?.is_none() {
            missing.push(name);
        }
    }
    let refspecs: Vec<String> = missing
        .iter()
        .map(|name| format!("{TAG_PREFIX}{name}:{TAG_PREFIX}{name}"))
        .collect();
    cli::fetch_refspecs(repo, remote, &refspecs)?;
    Ok(missing)
}
