//! Going to the remote before deciding: the branches and tags a command decides from are
//! fetched (and the local branches caught up) first, unless offline or planning; what that
//! did comes back typed, for the command to say.

use crate::foundation::error::{Error, Result};
use crate::git::repo::Repo;
use crate::git::sync::{self, Synced};
use crate::settings::config::Config;

/// How a command goes to the remote before deciding.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reach {
    /// `--offline`: decide from local state.
    pub offline: bool,
    /// `--plan`: write nothing, so fetch nothing either.
    pub plan: bool,
}

impl Reach {
    /// Whether the remote is asked at all (`offline` in the settings counts).
    pub fn goes(self, config: &Config) -> bool {
        !(self.offline || config.offline || self.plan)
    }
}

/// What catching up did.
#[derive(Debug, Clone)]
pub enum CaughtUp {
    /// Offline: nothing was fetched from `remote`.
    Offline { remote: String },
    /// A plan reads local state: the run fetches `branches` first.
    Local {
        remote: String,
        branches: Vec<String>,
    },
    /// Fetched, and the local branches behind caught up.
    Synced(Synced),
}

/// Fetch `branches` (and the tags pointing into them) from the configured remote and
/// fast-forward the local ones that are behind, unless offline or planning. `None` when
/// there is no such remote or nothing to fetch; `progress` shows git's on a terminal.
pub fn catch_up(
    repo: &Repo,
    config: &Config,
    branches: &[String],
    reach: Reach,
    progress: bool,
) -> Result<Option<CaughtUp>> {
    let remote = &config.remote;
    if !repo.has_remote(remote) {
        return Ok(None);
    }
    if reach.offline || config.offline {
        return Ok(Some(CaughtUp::Offline {
            remote: remote.clone(),
        }));
    }
    if branches.is_empty() {
        return Ok(None);
    }
    if reach.plan {
        return Ok(Some(CaughtUp::Local {
            remote: remote.clone(),
            branches: branches.to_vec(),
        }));
    }
    Ok(sync::catch_up(repo, remote, branches, progress)?.map(CaughtUp::Synced))
}

/// The branches `patterns` name: the local ones, and (unless offline or planning) those
/// only the remote has, which catching up then makes here. A clone has few local branches
/// (a CI checkout only one), and `--to release/1.2` means the project's line.
pub fn lines_matching(
    repo: &Repo,
    config: &Config,
    patterns: &[String],
    reach: Reach,
) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for pattern in patterns {
        lines.extend(repo.branches_matching(pattern)?);
    }
    if reach.goes(config) {
        lines.extend(sync::remote_branches_matching(
            repo,
            &config.remote,
            patterns,
        )?);
    }
    let mut seen = std::collections::HashSet::new();
    lines.retain(|line| seen.insert(line.clone()));
    Ok(lines)
}

/// Bring the remote-tracking refs of `branches` to what the remote has now, unless offline
/// or planning (a push leases on them).
pub fn track(repo: &Repo, config: &Config, branches: &[String], reach: Reach) -> Result<()> {
    match reach.goes(config) {
        true => sync::track(repo, &config.remote, branches),
        false => Ok(()),
    }
}

/// Refuse `tag` when the remote has a tag of that name that is not the local one: a version
/// someone else released, not yet fetched here (`next` is the one to suggest).
pub fn ensure_tag_free(
    repo: &Repo,
    config: &Config,
    tag: &str,
    next: String,
    reach: Reach,
) -> Result<()> {
    if reach.goes(config) && sync::tag_taken_on_remote(repo, &config.remote, tag)? {
        return Err(Error::TagExists {
            name: tag.to_string(),
            suggestion: Some(next),
        });
    }
    Ok(())
}

/// Bring in the deploys and rollbacks other clones recorded (the remote's hotfix notes), and
/// the release tags they name, before deciding from them what an environment runs — unless
/// offline or planning (a plan writes nothing, so it decides from this clone's records).
/// The error is the remote's: the caller decides from this clone's records and says so.
pub fn refresh_deploy_records(repo: &Repo, config: &Config, plan: bool) -> Result<()> {
    if config.offline || plan {
        return Ok(());
    }
    crate::records::notes::refresh(repo, &config.remote)?;
    sync::fetch_missing_tags(repo, &config.remote).map(drop)
}
