//! What a forge put on the base branch when it merged a pull request, as the commits a
//! backport picks: the pull request's own commits for a merge commit, the one commit of a
//! squash, the rebased commits of a rebase. A merge queue merges in one of these ways too.

use gix::ObjectId;

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::oid::short;
use crate::git::repo::Repo;
use crate::records::journal::ReleaseCommit;
use crate::settings::config::MergeCommits;

/// How the pull request was merged, as its merge commit shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// A merge commit whose second parent is the pull request's head.
    Merge,
    /// One new commit with the pull request's changes.
    Squash,
    /// The pull request's commits, rewritten one by one onto the base.
    Rebase,
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Method::Merge => "merge commit",
            Method::Squash => "squash",
            Method::Rebase => "rebase",
        })
    }
}

/// The pull request as the forge tells it.
#[derive(Debug, Clone, Copy)]
pub struct MergedPull {
    /// The commit the merge made on the base branch (a rebase's last one).
    pub merge: ObjectId,
    /// The head branch's tip when it merged.
    pub head: ObjectId,
    /// How many commits the pull request had.
    pub commits: u64,
}

/// The commits to pick for `pull`, oldest first, fetching from `remote` what this clone
/// lacks (a CI checkout has one commit): the merge commit and, for its kind to be told,
/// the pull request's head, each with as much history as the pull request spans.
pub fn picks(repo: &Repo, remote: &str, pull: &MergedPull) -> Result<(Method, Vec<ObjectId>)> {
    // A shallow clone may hold the merge without its parents: both are fetched deep
    // enough for the pull request's commits, the merge's parents and theirs.
    let shallow = repo.is_shallow();
    let depth = u32::try_from(pull.commits)
        .unwrap_or(u32::MAX)
        .saturating_add(2);
    let wanted: Vec<ObjectId> = [pull.merge, pull.head]
        .into_iter()
        .filter(|id| shallow || repo.git.find_object(*id).is_err())
        .collect();
    if !wanted.is_empty() {
        crate::git::cli::fetch_commits(repo, remote, &wanted, shallow.then_some(depth))?;
    }
    let context = || format!("could not read the merge {}", short(pull.merge));
    let merge = repo.git.find_commit(pull.merge).context(context)?;
    let parents: Vec<ObjectId> = merge.parent_ids().map(|id| id.detach()).collect();
    match parents.as_slice() {
        [base, head] if *head == pull.head => {
            let mut commits = repo.commits_between(*base, pull.head)?;
            commits.reverse();
            Ok((Method::Merge, commits))
        }
        [_] => {
            let n = usize::try_from(pull.commits).unwrap_or(usize::MAX).max(1);
            let merged = first_parents(repo, pull.merge, n)?;
            let original = first_parents(repo, pull.head, n)?;
            // A rebase keeps each commit's author, time and message; a squash is one new
            // commit with a message of its own.
            let rebased = merged.len() == n
                && original.len() == n
                && merged
                    .iter()
                    .zip(&original)
                    .map(|(a, b)| Ok(authored(repo, *a)? == authored(repo, *b)?))
                    .collect::<Result<Vec<bool>>>()?
                    .into_iter()
                    .all(|same| same);
            if rebased && n > 1 {
                let mut commits = merged;
                commits.reverse();
                Ok((Method::Rebase, commits))
            } else {
                Ok((Method::Squash, vec![pull.merge]))
            }
        }
        _ => Err(Error::UnknownRevision {
            rev: format!(
                "{} (a merge of {} parents, none of them the pull request's head {})",
                short(pull.merge),
                parents.len(),
                short(pull.head)
            ),
        }),
    }
}

/// A pull request's picks once its merge commits are dealt with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picks {
    pub commits: Vec<ObjectId>,
    /// `Some(1)` when the pull request is picked as one change, its merge commit against
    /// the base it merged into.
    pub mainline: Option<u32>,
    /// The merge commits left out (`skip`).
    pub skipped: Vec<ObjectId>,
}

/// Deal with the merge commits among `commits`, the picks of `pull` merged by `method` (a
/// branch brought up to date by merging its base has them), as `policy` says. A merge
/// commit cannot be picked as it is: which side is the change is a choice.
pub fn merge_commits(
    repo: &Repo,
    pull: &MergedPull,
    method: Method,
    commits: Vec<ObjectId>,
    policy: MergeCommits,
) -> Result<Picks> {
    let mut merges = Vec::new();
    for commit in &commits {
        let found = repo
            .git
            .find_commit(*commit)
            .context(|| format!("could not read {}", short(*commit)))?;
        if found.parent_ids().count() > 1 {
            merges.push(*commit);
        }
    }
    if merges.is_empty() {
        return Ok(Picks {
            commits,
            mainline: None,
            skipped: Vec::new(),
        });
    }
    match policy {
        MergeCommits::Skip => Ok(Picks {
            commits: commits
                .into_iter()
                .filter(|c| !merges.contains(c))
                .collect(),
            mainline: None,
            skipped: merges,
        }),
        // The merge GitHub made holds the whole pull request against its base.
        MergeCommits::Pick if method == Method::Merge => Ok(Picks {
            commits: vec![pull.merge],
            mainline: Some(1),
            skipped: Vec::new(),
        }),
        // Refused; and a squash or rebase made no one commit that holds it all.
        MergeCommits::Fail | MergeCommits::Pick => Err(Error::MergesInPull {
            merges: merges
                .iter()
                .map(|m| Ok(format!("{} {}", short(*m), repo.summary(*m)?)))
                .collect::<Result<_>>()?,
        }),
    }
}

/// What became of a hotfix's release commit among a pull request's picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftOut {
    /// Taken out.
    Left(ObjectId),
    /// Not among them (a squash holds it inside its one commit).
    NotFound,
    /// The commit the record names changes more than a release commit does (`paths`):
    /// kept, since the record is text anyone who may edit the pull request can change.
    Kept {
        commit: ObjectId,
        paths: Vec<String>,
    },
}

/// Take the release commit `release` (a hotfix's version bump and changelog, which a line
/// does on its own) out of `commits`, the picks of a pull request merged by `method`: the
/// commit itself for a merge, its rewritten copy for a rebase — when it changes only the
/// files the release commit says it bumps and its changelog.
pub fn leave_out(
    repo: &Repo,
    method: Method,
    commits: &mut Vec<ObjectId>,
    release: &ReleaseCommit,
) -> Result<LeftOut> {
    let position = match method {
        Method::Merge => commits.iter().position(|c| *c == release.commit),
        Method::Rebase if repo.git.find_object(release.commit).is_ok() => {
            let wanted = authored(repo, release.commit)?;
            let mut found = None;
            for (i, commit) in commits.iter().enumerate() {
                if authored(repo, *commit)? == wanted {
                    found = Some(i);
                    break;
                }
            }
            found
        }
        Method::Rebase | Method::Squash => None,
    };
    let Some(position) = position else {
        return Ok(LeftOut::NotFound);
    };
    let commit = commits[position];
    let source = crate::git::pick::Source::of(repo, commit, None)?;
    let allowed: Vec<&str> = release
        .bumps
        .iter()
        .map(|b| b.path.as_str())
        .chain(release.changelog.iter().map(|c| c.path.as_str()))
        .collect();
    let paths: Vec<String> = crate::git::pick::changed_files(repo, &source)?
        .into_iter()
        .map(|(path, _, _)| path)
        .filter(|path| !allowed.contains(&path.as_str()))
        .collect();
    if !paths.is_empty() {
        return Ok(LeftOut::Kept { commit, paths });
    }
    commits.remove(position);
    Ok(LeftOut::Left(commit))
}

/// `tip` and its first parents, `n` commits at most, newest first.
fn first_parents(repo: &Repo, tip: ObjectId, n: usize) -> Result<Vec<ObjectId>> {
    let mut out = Vec::with_capacity(n);
    let mut at = Some(tip);
    while let Some(id) = at.filter(|_| out.len() < n) {
        out.push(id);
        at = repo
            .git
            .find_commit(id)
            .ok()
            .and_then(|c| c.parent_ids().next().map(|p| p.detach()));
    }
    Ok(out)
}

/// Who wrote `commit`, when, and what it says: what a rebase keeps.
fn authored(repo: &Repo, commit: ObjectId) -> Result<(String, String, i64, String)> {
    let context = || format!("could not read {}", short(commit));
    let commit = repo.git.find_commit(commit).context(context)?;
    let author = commit.author().context(context)?;
    let message = commit.message_raw().context(context)?.to_string();
    Ok((
        author.name.to_string(),
        author.email.to_string(),
        author.time().map(|t| t.seconds).unwrap_or_default(),
        message,
    ))
}
