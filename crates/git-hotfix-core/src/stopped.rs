//! Which stopped run `continue`, `skip` and `abort` act on: a finish or a backport.

use crate::backport::{self, Backport};
use crate::error::{Error, Result};
use crate::finish;
use crate::journal::{Journal, Store};
use crate::repo::Repo;

pub enum StoppedRun {
    Finish(Box<Journal>),
    Backport(Box<Backport>),
}

/// The run named (`--hotfix` for a finish, `--backport`), else the only one stopped.
pub fn find(
    repo: &Repo,
    hotfix: Option<&str>,
    backport: bool,
    action: &'static str,
) -> Result<StoppedRun> {
    if backport {
        return backport::load(repo)?
            .map(|run| StoppedRun::Backport(Box::new(run)))
            .ok_or(Error::NoStoppedRun { action });
    }
    if hotfix.is_some() {
        return finish::select_stopped(repo, hotfix, action)
            .map(|journal| StoppedRun::Finish(Box::new(journal)));
    }
    let stopped_backport = backport::load(repo)?;
    let stopped_finishes: Vec<String> = Store::new(repo)
        .active()?
        .into_iter()
        .filter(|j| j.run.is_some())
        .map(|j| j.ticket)
        .collect();
    match (stopped_backport, stopped_finishes.is_empty()) {
        (Some(run), true) => Ok(StoppedRun::Backport(Box::new(run))),
        (Some(run), false) => {
            let mut runs: Vec<String> = stopped_finishes
                .iter()
                .map(|t| format!("finish of {t}"))
                .collect();
            runs.push(format!("backport of {}", run.hotfix.unwrap_or(run.name)));
            Err(Error::AmbiguousRun { runs })
        }
        (None, _) => finish::select_stopped(repo, None, action)
            .map(|journal| StoppedRun::Finish(Box::new(journal))),
    }
}
