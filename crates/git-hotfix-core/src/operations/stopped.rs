//! Which stopped run `continue`, `skip` and `abort` act on: a finish, a backport, a
//! `patch apply`, or a deploy (verify, rollback) whose git-hotfix was killed mid-step.

use crate::foundation::error::{Error, Result};
use crate::git::repo::Repo;
use crate::operations::backport::{self, Backport};
use crate::operations::finish;
use crate::operations::patch_apply::{self, PatchRun};
use crate::records::journal::{Journal, Store};
use crate::settings::config::Config;

pub enum StoppedRun {
    Finish(Box<Journal>),
    Backport(Box<Backport>),
    Patches(Box<PatchRun>),
    /// The hotfix whose deploy step was cut short ([`Journal::cut_short`]).
    Deploy(Box<Journal>),
}

/// The hotfixes, in progress or finished, with a deploy step cut short.
fn cut_short_deploys(repo: &Repo) -> Result<Vec<Journal>> {
    let store = Store::new(repo);
    let mut all = store.active()?;
    all.extend(store.ended()?);
    all.retain(|journal| journal.cut_short().is_some());
    Ok(all)
}

/// The run a command names.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    /// The only run stopped.
    Only,
    /// The finish of this hotfix (`--hotfix`).
    Finish(&'a str),
    /// The backport (`--backport`).
    Backport,
    /// The `patch apply` (`--patches`).
    Patches,
}

/// The run `abort` takes back: the one [`find`] finds, or, named with `--hotfix`, the
/// finish of a hotfix whose release never left this clone ([`finish::reopen`]). The
/// settings are read only then: a broken settings file never stands in the way of an abort.
pub fn find_to_abort(
    repo: &Repo,
    config: impl FnOnce() -> Result<Config>,
    which: Which<'_>,
) -> Result<StoppedRun> {
    let found = find(repo, which, "abort");
    let (Err(Error::NoStoppedRun { .. } | Error::NotAHotfix { .. }), Which::Finish(ticket)) =
        (&found, which)
    else {
        return found;
    };
    let id = crate::foundation::names::ticket(ticket)?;
    match Store::new(repo).load_finished(&id)? {
        Some(journal) => {
            finish::reopen(repo, &config()?, journal).map(|j| StoppedRun::Finish(Box::new(j)))
        }
        _ => found,
    }
}

/// The run named, else the only one stopped. What killed git-hotfix processes left (their
/// temporary files) is taken away first, whether a run is found or not: these are the
/// commands one runs after a kill.
pub fn find(repo: &Repo, which: Which<'_>, action: &'static str) -> Result<StoppedRun> {
    Store::new(repo).sweep();
    let none = || Error::NoStoppedRun { action };
    let deploys = cut_short_deploys(repo)?;
    match which {
        Which::Finish(ticket) => {
            let found = finish::select_stopped(repo, Some(ticket), action)
                .map(|journal| StoppedRun::Finish(Box::new(journal)));
            let deploy = deploys.into_iter().find(|j| j.ticket == ticket);
            return match (found, deploy) {
                (Err(_), Some(journal)) => Ok(StoppedRun::Deploy(Box::new(journal))),
                (found, _) => found,
            };
        }
        Which::Backport => {
            return backport::load(repo)?
                .map(|run| StoppedRun::Backport(Box::new(run)))
                .ok_or_else(none);
        }
        Which::Patches => {
            return patch_apply::load(repo)?
                .map(|run| StoppedRun::Patches(Box::new(run)))
                .ok_or_else(none);
        }
        Which::Only => {}
    }
    let backport = backport::load(repo)?;
    let patches = patch_apply::load(repo)?;
    if backport.is_none() && patches.is_none() && deploys.is_empty() {
        // Several stopped finishes: the one of the current branch.
        return finish::select_stopped(repo, None, action)
            .map(|journal| StoppedRun::Finish(Box::new(journal)));
    }
    let mut runs: Vec<(String, StoppedRun)> = Vec::new();
    for journal in Store::new(repo).active()? {
        if journal.run.is_some() {
            runs.push((
                format!("finish of {}", journal.ticket),
                StoppedRun::Finish(Box::new(journal)),
            ));
        }
    }
    if let Some(run) = backport {
        let name = format!("backport of {}", run.hotfix.as_ref().unwrap_or(&run.name));
        runs.push((name, StoppedRun::Backport(Box::new(run))));
    }
    if let Some(run) = patches {
        let name = format!("patch apply onto {}", run.branch);
        runs.push((name, StoppedRun::Patches(Box::new(run))));
    }
    for journal in deploys {
        let cut = journal.cut_short().expect("cut short");
        let name = format!("{} ({})", cut.run_name(), journal.ticket);
        runs.push((name, StoppedRun::Deploy(Box::new(journal))));
    }
    match runs.len() {
        0 => Err(none()),
        1 => Ok(runs.remove(0).1),
        _ => Err(Error::AmbiguousRun {
            runs: runs.into_iter().map(|(name, _)| name).collect(),
        }),
    }
}
