//! Catching up with the remote before a command decides, and saying what that did: the
//! branches fetched, the local ones fast-forwarded, or that the plan is from local state.

use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::sync;
use git_hotfix_core::{Config, Error as CoreError, Repo};

use crate::context::Context;
use crate::error::Result;

/// How a command goes to the remote before deciding.
#[derive(Debug, Clone, Copy)]
pub struct Reach {
    /// `--offline`: decide from local state.
    pub offline: bool,
    /// `--plan`: write nothing, so fetch nothing either.
    pub plan: bool,
}

/// Fetch `branches` (and the tags pointing into them) from the configured remote and
/// fast-forward the local ones that are behind, unless offline or planning; say which.
pub fn catch_up(
    context: &Context,
    repo: &Repo,
    config: &Config,
    branches: &[String],
    reach: Reach,
) -> Result<()> {
    let ui = &context.ui;
    let remote = &config.remote;
    if !repo.has_remote(remote) {
        return Ok(());
    }
    if reach.offline || config.offline {
        ui.status(
            "Offline",
            format!("deciding from local state: nothing fetched from {remote}"),
        );
        return Ok(());
    }
    if branches.is_empty() {
        return Ok(());
    }
    if reach.plan {
        ui.status(
            "Local",
            format!(
                "a plan reads local state: the run fetches {} from {remote} first",
                branches.join(", ")
            ),
        );
        return Ok(());
    }
    let Some(synced) = sync::catch_up(repo, remote, branches, ui.interactive())? else {
        return Ok(());
    };
    if !synced.fetched.is_empty() {
        ui.status(
            "Fetched",
            format!("{} from {remote}", synced.fetched.join(", ")),
        );
    }
    if !synced.tracked.is_empty() {
        ui.status(
            "Branched",
            format!(
                "{} from {remote} (this clone had no such branch)",
                synced.tracked.join(", ")
            ),
        );
    }
    for moved in &synced.fast_forwarded {
        ui.status(
            "Caught up",
            format!(
                "{} with {remote}/{} ({} → {})",
                moved.branch,
                moved.branch,
                short(moved.from),
                short(moved.to)
            ),
        );
    }
    Ok(())
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
    if !(reach.offline || config.offline || reach.plan) {
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
    if reach.offline || config.offline || reach.plan {
        return Ok(());
    }
    Ok(sync::track(repo, &config.remote, branches)?)
}

/// Refuse `tag` when the remote has a tag of that name that is not the local one: a version
/// someone else released, not yet fetched here.
pub fn ensure_tag_free(
    repo: &Repo,
    config: &Config,
    tag: &str,
    next: String,
    reach: Reach,
) -> Result<()> {
    if reach.offline || config.offline || reach.plan {
        return Ok(());
    }
    if sync::tag_taken_on_remote(repo, &config.remote, tag)? {
        return Err(CoreError::TagExists {
            name: tag.to_string(),
            suggestion: Some(next),
        }
        .into());
    }
    Ok(())
}

/// Bring in the deploys and rollbacks other clones recorded (the remote's hotfix notes), and
/// the release tags they name, before deciding from them what an environment runs — unless
/// offline or planning (a plan writes nothing, so it decides from this clone's records); a
/// remote that does not answer leaves this clone's records, and that is said.
pub fn deploy_records(context: &Context, repo: &Repo, config: &Config, plan: bool) {
    if config.offline || plan {
        return;
    }
    let refreshed = git_hotfix_core::records::notes::refresh(repo, &config.remote)
        .and_then(|_| sync::fetch_missing_tags(repo, &config.remote));
    if let Err(err) = refreshed {
        context.ui.warn(format!(
            "the deploys other clones recorded could not be read from {}: deciding from this clone's ({err})",
            config.remote
        ));
    }
}
