//! `continue`, `skip` and `abort`, written once for every run that waits after a stop — a
//! conflict to resolve in a worktree, a step that failed, a kill: a finish, a backport, a
//! patch apply. Each kind says what is its own through [`Resumable`]; the order of things
//! (the lock, the run read again, what a kill left under way, the resolution, the rest, the
//! worktree last; or everything taken back) is here.

use std::path::PathBuf;

use jiff::Timestamp;

use super::{Forge, Record, Undone, WithForge};
use crate::foundation::error::{Error, Result};
use crate::git::repo::Repo;
use crate::git::resolve;
use crate::records::journal::{EventKind, Store};

/// A kind of run that waits after a stop.
pub trait Resumable: Record + Sized {
    /// What finds the run on disk again.
    type Key;
    /// How going on ended.
    type Outcome;
    /// What going on needs from outside the repository (the forge, the time, who hears of
    /// the progress).
    type With<'a>;
    fn key(&self) -> Self::Key;
    /// The run as it is on disk now, read once the hotfix lock is held (another process may
    /// have gone on with it); `None` when nothing waits any more.
    fn reload(self, repo: &Repo) -> Result<Option<Self>>;
    /// The worktree the run, as it is on disk, waits to be resolved in.
    fn waiting_in(repo: &Repo, key: &Self::Key) -> Option<PathBuf>;
    /// The worktree this run waits to be resolved in.
    fn waits_in(&self) -> Option<PathBuf>;
    /// Finish what a kill left under way, before anything else.
    fn recover(&mut self, _repo: &Repo, _with: &mut Self::With<'_>) -> Result<()> {
        Ok(())
    }
    /// `continue`: take what was resolved in [`Resumable::waits_in`] into the run.
    fn take_resolution(&mut self, repo: &Repo) -> Result<()>;
    /// `skip`: leave out what the run stopped on.
    fn leave_out(&mut self, repo: &Repo) -> Result<()>;
    /// Go on with what is left.
    fn proceed(self, repo: &Repo, with: Self::With<'_>) -> Result<Self::Outcome>;
    /// `abort`, before the steps are taken back.
    fn before_undo(&mut self, _repo: &Repo) -> Result<()> {
        Ok(())
    }
    /// `abort`, once every step begun is taken back (`undone`): the end recorded, the run
    /// put aside.
    fn aborted(self, repo: &Repo, undone: &[Undone], now: Timestamp) -> Result<()>;
}

/// How a run goes on: with what was resolved, or without what it stopped on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Going {
    Continue,
    Skip,
}

/// `continue` or `skip`: under the lock, the run read again, what a kill left under way
/// finished, the resolution taken (or the stop left out), and the rest done.
pub fn go_on<R: Resumable>(
    repo: &Repo,
    run: R,
    going: Going,
    mut with: R::With<'_>,
) -> Result<R::Outcome> {
    let action = match going {
        Going::Continue => "continue",
        Going::Skip => "skip",
    };
    let _lock = Store::new(repo).lock()?;
    let key = run.key();
    let mut run = run.reload(repo)?.ok_or(Error::NoStoppedRun { action })?;
    run.recover(repo, &mut with)?;
    let waited_in = run.waits_in();
    if waited_in.is_some() {
        match going {
            Going::Continue => run.take_resolution(repo)?,
            Going::Skip => run.leave_out(repo)?,
        }
    }
    let outcome = run.proceed(repo, with);
    // The worktree goes last, as `continue` is often run inside it and git cannot work
    // from a directory that is gone; it stays while the run, as it is on disk now, waits in
    // it (stopped there again, or failed before it took what it holds).
    if let Some(worktree) = waited_in
        && R::waiting_in(repo, &key).as_ref() != Some(&worktree)
    {
        resolve::remove(repo, &worktree)?;
    }
    outcome
}

/// `abort`: under the lock, the run read again, its conflict worktree removed, every step
/// it began taken back through the engine (`forge` closes what it opened on GitHub), and
/// its end recorded.
pub fn take_back<R: Resumable>(
    repo: &Repo,
    run: R,
    forge: Option<&dyn Forge>,
    now: Timestamp,
) -> Result<Vec<Undone>> {
    let _lock = Store::new(repo).lock()?;
    let mut run = run
        .reload(repo)?
        .ok_or(Error::NoStoppedRun { action: "abort" })?;
    if let Some(worktree) = run.waits_in() {
        resolve::remove(repo, &worktree)?;
    }
    run.before_undo(repo)?;
    let undone = super::undo(
        repo,
        &mut WithForge {
            record: &mut run,
            forge,
        },
    )?;
    run.aborted(repo, &undone, now)?;
    Ok(undone)
}

/// What an aborted run's record says of it: the refs put back.
pub fn aborted_event(command: impl Into<String>, undone: &[Undone]) -> EventKind {
    EventKind::Aborted {
        command: command.into(),
        restored: undone.iter().filter_map(Undone::ref_move).collect(),
    }
}
