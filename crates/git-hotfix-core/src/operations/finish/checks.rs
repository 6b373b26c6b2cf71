//! The project's own checks (`checks` in settings: its tests, type check, build), run on
//! the fix in its checkout before a finish releases it or proposes it. A failing check
//! stops the finish before anything moves; the journal keeps what ran and how it ended,
//! and the checklist's `tested` follows it. The commands themselves are run by the
//! caller's [`CheckRunner`].

use std::path::Path;

use gix::ObjectId;

use crate::foundation::clock;
use crate::foundation::error::{Error, Result};
use crate::foundation::names::BranchRole;
use crate::foundation::oid::short;
use crate::git::repo::Repo;
use crate::operations::deploy::Ran;
use crate::records::journal::{EventKind, Journal, StepResult, Store};
use crate::settings::config::Config;

/// How long one check may run: a full test suite and a build, on a slow machine.
pub const TIMEOUT_SECONDS: u32 = 3600;

/// Runs a check's command where the fix is checked out.
pub trait CheckRunner {
    /// Ctrl-C was pressed: no further check starts.
    fn interrupted(&self) -> bool;
    /// Run `command` (its words split on whitespace) in `dir`, for at most
    /// `timeout_seconds`.
    fn run(&mut self, dir: &Path, command: &str, timeout_seconds: u32) -> Ran;
    /// The checks are over: what the runner holds for them (a Ctrl-C catch) may go.
    fn done(&mut self) {}
}

/// What the checks do, as it happens, for the command to say.
#[derive(Debug)]
pub enum Said<'a> {
    /// `--no-checks`: not run, and recorded so.
    Skipped,
    /// They passed on this very commit already: not run again.
    PassedAlready { tip: ObjectId },
    /// Check `n` (from 0) of `of` starts.
    Check {
        n: usize,
        of: usize,
        command: &'a str,
    },
    /// All `count` passed on `tip`.
    Passed { tip: ObjectId, count: usize },
}

/// The checks `journal`'s product runs; empty when none are configured.
pub fn configured<'a>(config: &'a Config, journal: &Journal) -> Result<&'a [String]> {
    let product = config.product(journal.product.as_deref())?;
    Ok(config.checks_of(product.map(|(_, p)| p)))
}

/// Run the checks on the hotfix's tip, in the worktree that has its branch checked out;
/// `skip` (`--no-checks`) records that they were not run instead. Checks that passed on
/// this very commit are not run again. `journal` is updated and saved.
pub fn before_finish(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    skip: bool,
    runner: &mut dyn CheckRunner,
    said: &mut dyn FnMut(Said<'_>),
) -> Result<()> {
    let commands = configured(config, journal)?.to_vec();
    if commands.is_empty() {
        return Ok(());
    }
    let store = Store::new(repo);
    if skip {
        record(&store, journal, EventKind::ChecksSkipped)?;
        said(Said::Skipped);
        return Ok(());
    }
    let tip = repo.require_branch(&journal.branch, BranchRole::Hotfix)?;
    let passed = journal.events.iter().any(|e| {
        matches!(&e.what, EventKind::ChecksRan { commit, result: StepResult::Ok, commands: ran, .. }
            if *commit == tip && *ran == commands)
    });
    if passed {
        said(Said::PassedAlready { tip });
        return Ok(());
    }
    let Some(worktree) = repo.worktrees_on(&journal.branch)?.into_iter().next() else {
        return Err(Error::ChecksNowhere {
            branch: journal.branch.clone(),
        });
    };
    // The checks test what is committed: not a local edit that the release would not have.
    crate::git::worktree::ensure_clean(&worktree)?;

    let mut failed = None;
    for (n, command) in commands.iter().enumerate() {
        said(Said::Check {
            n,
            of: commands.len(),
            command,
        });
        let ran = runner.run(&worktree.path, command, TIMEOUT_SECONDS);
        if ran.result != StepResult::Ok || runner.interrupted() {
            failed = Some((command.clone(), ran.result, ran.detail));
            break;
        }
    }
    let (result, detail) = match &failed {
        Some((command, result, detail)) => (
            *result,
            Some(format!(
                "`{command}`: {}",
                detail.as_deref().unwrap_or("failed")
            )),
        ),
        None => (StepResult::Ok, None),
    };
    record(
        &store,
        journal,
        EventKind::ChecksRan {
            commit: tip,
            commands: commands.clone(),
            result,
            detail,
        },
    )?;
    match failed {
        None => {
            said(Said::Passed {
                tip,
                count: commands.len(),
            });
            Ok(())
        }
        Some((command, _, detail)) => Err(Error::CheckFailed {
            command,
            tip: short(tip),
            detail: detail.unwrap_or_else(|| "it failed".to_string()),
            branch: journal.branch.clone(),
        }),
    }
}

/// Add `what` to the journal as it is stored now (another command may have written since
/// this one read it), under the lock.
fn record(store: &Store, journal: &mut Journal, what: EventKind) -> Result<()> {
    let _lock = store.lock()?;
    if let Some(stored) = store.load_any(&journal.ticket)? {
        *journal = stored;
    }
    journal.record(clock::now(), what);
    store.save(journal)
}
