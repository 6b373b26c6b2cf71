//! Where a finish begins, whichever way it then goes (here, through a pull request, or
//! after one merged): the hotfix it finishes — or the one finished here already, whose push
//! or release is what is left —, the remote caught up, the version chosen again when asked,
//! and the tag checked free on the remote.

use jiff::Timestamp;

use crate::foundation::error::{Error, Result};
use crate::foundation::version::Version;
use crate::git::repo::{Base, Repo};
use crate::operations::remote::{self, CaughtUp, Reach};
use crate::operations::tag::{self, Choice};
use crate::records::journal::{Journal, Store};
use crate::settings::config::Config;

/// What the command line asked of the finish's beginning.
#[derive(Debug, Clone, Default)]
pub struct Begin<'a> {
    /// `--hotfix`: the hotfix to finish (default: the one checked out).
    pub hotfix: Option<&'a str>,
    /// `--version` or `--next`: release as another version than the one planned.
    pub version: Option<Choice>,
    /// `--allow-older-version`.
    pub allow_older_version: bool,
    /// `--after-merge`: what merged is fetched from the forge's branch, not caught up here.
    pub after_merge: bool,
    /// `--push`: the published hotfix branch is tracked too, for the push to lease on it.
    pub push: bool,
    pub reach: Reach,
    /// git's progress while fetching (on a terminal).
    pub progress: bool,
    pub now: Timestamp,
}

/// What the beginning did, as it happens, for the command to say.
#[derive(Debug)]
pub enum Said<'a> {
    CaughtUp(&'a CaughtUp),
    /// The version chosen again (`--version`, `--next`); recorded with the run it starts.
    Reversioned {
        ticket: &'a str,
        from: &'a Version,
        to: &'a Version,
        tag: &'a str,
    },
}

/// Where the finish goes on from.
#[derive(Debug)]
pub enum Begun {
    /// A hotfix in progress, ready to finish: no run of it stopped, the remote caught up,
    /// its version and tag final.
    Ready(Journal),
    /// The hotfix was finished here already: what is left is its push or its release.
    FinishedAlready(Journal),
}

pub fn begin(
    repo: &Repo,
    config: &Config,
    request: &Begin<'_>,
    said: &mut dyn FnMut(Said<'_>),
) -> Result<Begun> {
    let mut journal = match super::select(repo, request.hotfix) {
        Ok(journal) => journal,
        Err(err) => return finished_already(repo, request, err),
    };
    if let Some(run) = &journal.run {
        return Err(Error::RunInProgress {
            ticket: journal.ticket.clone(),
            command: run.kind.to_string(),
        });
    }
    if !request.after_merge {
        // What the finish merges into, as the remote has it, and the tags with it.
        let mut branches = vec![config.production_branch.clone()];
        branches.extend(config.develop_branch.clone());
        if let Base::Branch { name, .. } = &journal.base
            && !branches.contains(name)
        {
            branches.push(name.clone());
        }
        let caught_up = remote::catch_up(repo, config, &branches, request.reach, request.progress)?;
        if let Some(caught_up) = &caught_up {
            said(Said::CaughtUp(caught_up));
        }
        if request.push {
            // The published hotfix branch as it is now: a colleague may have pushed to it,
            // rewritten it or deleted it, and the push deletes it only as the release holds it.
            remote::track(
                repo,
                config,
                std::slice::from_ref(&journal.branch),
                request.reach,
            )?;
        }
    }
    if let Some(version) = &request.version {
        // Saved with the run; a plan only shows it.
        let from = journal.version.clone();
        tag::reversion(
            repo,
            config,
            &mut journal,
            version.clone(),
            request.allow_older_version,
            request.now,
        )?;
        if from != journal.version {
            said(Said::Reversioned {
                ticket: &journal.ticket,
                from: &from,
                to: &journal.version,
                tag: &journal.tag,
            });
        }
    }
    if !request.after_merge {
        remote::ensure_tag_free(
            repo,
            config,
            &journal.tag,
            journal.version.next_patch().to_string(),
            request.reach,
        )?;
    }
    Ok(Begun::Ready(journal))
}

/// No hotfix in progress answers `select`: the one named may be finished here already,
/// which a later `finish --push` or `--release` publishes; its version is final.
fn finished_already(repo: &Repo, request: &Begin<'_>, not_in_progress: Error) -> Result<Begun> {
    let finished = match request.hotfix {
        Some(ticket) => {
            Store::new(repo).load_finished(&crate::foundation::names::ticket(ticket)?)?
        }
        None => None,
    };
    match finished {
        Some(journal) if request.version.is_some() => Err(Error::VersionOfFinished {
            ticket: journal.ticket,
            tag: journal.tag,
            unpublished: journal.unpublished.is_some(),
        }),
        Some(journal) => Ok(Begun::FinishedAlready(journal)),
        None => Err(not_in_progress),
    }
}
