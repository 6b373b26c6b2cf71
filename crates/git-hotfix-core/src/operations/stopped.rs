//! Which stopped run `continue`, `skip` and `abort` act on: a finish, a backport, a
//! `patch apply`, or a deploy (verify, rollback) whose git-hotfix was killed mid-step.

use std::path::PathBuf;

use jiff::Timestamp;

use crate::engine::resumable::{Going, go_on, take_back};
use crate::engine::{self, Forge, Undone};
use crate::foundation::error::{Error, Result};
use crate::git::repo::Repo;
use crate::git::resolve;
use crate::operations::backport::{self, Backport};
use crate::operations::finish;
use crate::operations::patch_apply::{self, PatchRun};
use crate::operations::revert;
use crate::records::journal::{EventKind, Journal, StepResult, StepStart, Store};
use crate::records::run::RunKind;
use crate::records::run::Steps;
use crate::settings::config::Config;
use crate::settings::policy::VersionFiles;

pub enum StoppedRun {
    Finish(Box<Journal>),
    Backport(Box<Backport>),
    Patches(Box<PatchRun>),
    /// The hotfix whose deploy step was cut short ([`Journal::cut_short`]).
    Deploy(Box<Journal>),
}

impl StoppedRun {
    /// What the run is, as a person says it: "the finish of ENG-1", "the backport of
    /// ENG-1", "the patch apply onto release/1.1", "the deploy of 1.2.4 to production".
    pub fn name(&self) -> String {
        match self {
            StoppedRun::Finish(journal) => {
                let command = journal.run.as_ref().map_or("finish", |r| r.kind.command());
                match journal.run.as_ref().and_then(|r| r.reverts.as_ref()) {
                    // The whole rollback goes, the hotfix it started included.
                    Some(reverting) => format!(
                        "the rollback of {} (hotfix {}, at its {command})",
                        reverting.ticket, journal.ticket
                    ),
                    None => format!("the {command} of {}", journal.ticket),
                }
            }
            StoppedRun::Backport(run) => format!(
                "the backport of {}",
                run.hotfix.as_ref().unwrap_or(&run.name)
            ),
            StoppedRun::Patches(run) => format!("the patch apply onto {}", run.branch),
            StoppedRun::Deploy(journal) => journal.cut_short().map_or_else(
                || format!("a deploy of {}", journal.ticket),
                |c| c.run_name(),
            ),
        }
    }

    /// The steps the run recorded: those on GitHub need a forge to go on or be taken back.
    pub fn steps(&self) -> Steps {
        match self {
            StoppedRun::Finish(journal) => journal
                .run
                .as_ref()
                .map(|r| r.steps.clone())
                .unwrap_or_default(),
            StoppedRun::Backport(run) => run.steps.clone(),
            StoppedRun::Patches(run) => run.steps.clone(),
            StoppedRun::Deploy(_) => Steps::default(),
        }
    }

    /// The worktree where its conflict waits to be resolved.
    fn conflict_worktree(&self) -> Option<PathBuf> {
        match self {
            StoppedRun::Finish(journal) => journal
                .run
                .as_ref()
                .and_then(|r| r.conflict.as_ref())
                .map(|c| c.worktree.clone()),
            StoppedRun::Backport(run) => run.stopped.as_ref().map(|s| s.worktree.clone()),
            StoppedRun::Patches(run) => run.stopped.as_ref().map(|s| s.worktree.clone()),
            StoppedRun::Deploy(_) => None,
        }
    }
}

/// How a run went on once `skip` left out what it stopped on.
pub enum Skipped {
    Backport(backport::BackportOutcome),
    Patches(patch_apply::ApplyOutcome),
}

/// Leave out what `run` stopped on (a backport's line, a mail) and go on with the rest;
/// `forge` is for the steps on GitHub, `progress` hears of each line a backport does.
pub fn skip(repo: &Repo, run: StoppedRun, with: Continuing<'_>) -> Result<Skipped> {
    let Continuing {
        forge,
        now,
        progress,
        ..
    } = with;
    match run {
        StoppedRun::Backport(run) => {
            go_on(repo, *run, Going::Skip, (forge, now, progress)).map(Skipped::Backport)
        }
        StoppedRun::Patches(run) => go_on(repo, *run, Going::Skip, now).map(Skipped::Patches),
        StoppedRun::Finish(_) | StoppedRun::Deploy(_) => Err(Error::NothingToSkip {
            run: run.name(),
            cut_short: matches!(run, StoppedRun::Deploy(_)),
        }),
    }
}

/// What `abort` takes back, or (previewed) would.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Aborted {
    /// Every step the run began, taken back from where it is now, and its conflict
    /// worktree removed.
    Undone {
        run: String,
        remove_worktree: Option<PathBuf>,
        undo: Vec<Undone>,
    },
    /// A deploy (verify, rollback) cut short: recorded as failed at the step it was cut
    /// at (1-based). Nothing is run or taken back: the environment runs whatever the step
    /// left.
    GivenUp {
        run: String,
        environment: String,
        step: usize,
    },
}

/// What `continue` and `skip` need from outside the repository.
pub struct Continuing<'a> {
    /// The version files policy, for a finish that makes its release commit again.
    pub version_files: Option<&'a dyn VersionFiles>,
    /// For the steps on GitHub.
    pub forge: Option<&'a dyn Forge>,
    pub now: Timestamp,
    /// Hears of each line a backport does.
    pub progress: &'a mut dyn FnMut(backport::Progress<'_>),
}

/// How a stopped run went on.
pub enum Resumed {
    Backport(backport::BackportOutcome),
    Patches(patch_apply::ApplyOutcome),
    Finish {
        journal: Box<Journal>,
        outcome: Box<finish::FinishOutcome>,
    },
    /// A rollback through a pull request: the hotfix that takes the release back is
    /// started; its proposal (push, pull request) is what is left.
    RollbackToPropose(Box<Journal>),
    /// A deploy (verify, rollback) cut short: its steps go on from `from` (0-based: the one
    /// whose outcome is unknown, or the one after it when it passed before the kill), for
    /// the release `cut` names; the policy plans them again.
    Deploy {
        journal: Box<Journal>,
        cut: StepStart,
        from: usize,
    },
}

/// Go on with `run` once its conflict is resolved (or its push retried): a finish, a
/// backport and a patch apply go on here; a rollback through a pull request and a deploy
/// cut short say what is left (the proposal; the policy's steps from where it was cut).
pub fn resume(
    repo: &Repo,
    run: StoppedRun,
    config: &Config,
    with: Continuing<'_>,
) -> Result<Resumed> {
    let Continuing {
        version_files,
        forge,
        now,
        progress,
    } = with;
    match run {
        StoppedRun::Backport(run) => {
            go_on(repo, *run, Going::Continue, (forge, now, progress)).map(Resumed::Backport)
        }
        StoppedRun::Patches(run) => go_on(repo, *run, Going::Continue, now).map(Resumed::Patches),
        StoppedRun::Finish(mut journal) => {
            let to_propose = journal.run.as_ref().is_some_and(|r| {
                r.kind == RunKind::Revert && r.reverts.as_ref().is_some_and(|r| r.pr)
            });
            if to_propose {
                revert::complete_start(repo, &mut journal, now)?;
                return Ok(Resumed::RollbackToPropose(journal));
            }
            let stopped = finish::Stopped::to_continue(*journal, config);
            let with = (version_files, forge, now);
            let (journal, outcome) = go_on(repo, stopped, Going::Continue, with)?;
            Ok(Resumed::Finish {
                journal: Box::new(journal),
                outcome: Box::new(outcome),
            })
        }
        StoppedRun::Deploy(journal) => {
            let (cut, from) = crate::operations::deploy::resumes_at(&journal)
                .map(|(cut, from)| (cut.clone(), from))
                .ok_or(Error::NoStoppedRun { action: "continue" })?;
            Ok(Resumed::Deploy { journal, cut, from })
        }
    }
}

/// What [`abort`] would do to `run`, read from the repository (and the remote) as they are.
pub fn preview_abort(repo: &Repo, run: &StoppedRun) -> Result<Aborted> {
    let name = run.name();
    if let StoppedRun::Deploy(journal) = run {
        return given_up(name, journal);
    }
    let undo = engine::preview_undo(repo, &run.steps())?;
    Ok(Aborted::Undone {
        run: name,
        remove_worktree: run.conflict_worktree(),
        undo,
    })
}

/// Take `run` back: a finish, backport or patch apply undoes every step it began (`forge`
/// closes what it opened on GitHub); a deploy cut short is recorded as failed.
pub fn abort(
    repo: &Repo,
    run: StoppedRun,
    forge: Option<&dyn Forge>,
    now: Timestamp,
) -> Result<Aborted> {
    let name = run.name();
    let remove_worktree = run.conflict_worktree();
    let undo = match run {
        StoppedRun::Finish(journal) => {
            take_back(repo, finish::Stopped::to_abort(*journal), forge, now)?
        }
        StoppedRun::Backport(run) => take_back(repo, *run, forge, now)?,
        StoppedRun::Patches(run) => take_back(repo, *run, forge, now)?,
        StoppedRun::Deploy(journal) => {
            give_up(repo, &journal, now)?;
            return given_up(name, &journal);
        }
    };
    Ok(Aborted::Undone {
        run: name,
        remove_worktree,
        undo,
    })
}

fn given_up(run: String, journal: &Journal) -> Result<Aborted> {
    let cut = journal
        .cut_short()
        .ok_or(Error::NoStoppedRun { action: "abort" })?;
    Ok(Aborted::GivenUp {
        run,
        environment: cut.environment.clone(),
        step: cut.index + 1,
    })
}

/// Record the deploy of `journal` cut short as failed: its step's outcome unknown (unless
/// it was recorded before the kill), the run ended.
fn give_up(repo: &Repo, journal: &Journal, now: Timestamp) -> Result<()> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    let mut journal = store
        .load_any(&journal.ticket)?
        .unwrap_or_else(|| journal.clone());
    let Some((cut, ended)) = journal.open_deploy().map(|(c, e)| (c.clone(), e)) else {
        return Err(Error::NoStoppedRun { action: "abort" });
    };
    if ended.is_none() {
        journal.record(
            now,
            EventKind::DeployStep {
                action: cut.action,
                environment: cut.environment.clone(),
                step: cut.step.clone(),
                started: cut.started,
                result: StepResult::Failed,
                detail: Some(format!(
                    "outcome unknown: git-hotfix (pid {}) was killed while it ran",
                    cut.pid
                )),
            },
        );
    }
    journal.record(
        now,
        EventKind::DeployEnded {
            action: cut.action,
            environment: cut.environment.clone(),
            started: cut.started,
            ok: false,
            version: None,
            forced: cut.forced,
            flag: cut.flag.clone(),
        },
    );
    store.save(&journal)
}

/// The hotfixes, in progress or finished, with a deploy step cut short.
fn cut_short_deploys(repo: &Repo) -> Result<Vec<Journal>> {
    let store = Store::new(repo);
    let mut all = store.active()?;
    all.extend(store.ended()?);
    all.retain(|journal| journal.cut_short().is_some());
    Ok(all)
}

/// Take away the resolution worktrees no run waits in: what a kill left between a run
/// recording a resolution (or leaving its stop out) and removing the worktree it was made
/// in. Done under the hotfix lock, so that a run going on in another process removes its
/// own, and never the worktree this process works in. Best effort: whatever cannot be read
/// is left as it is.
fn sweep_resolutions(repo: &Repo) {
    let own = repo.common_dir().join("hotfix").join("resolve");
    // None was ever made: nothing to read, and nothing written (not even the lock file).
    if !own.exists() {
        return;
    }
    let store = Store::new(repo);
    let Ok(_lock) = store.lock() else {
        return;
    };
    let (Ok(backport), Ok(patches), Ok(active), Ok(worktrees)) = (
        backport::load(repo),
        patch_apply::load(repo),
        store.active(),
        repo.worktrees(),
    ) else {
        return;
    };
    let mut waited: Vec<PathBuf> = Vec::new();
    waited.extend(backport.and_then(|run| run.stopped).map(|s| s.worktree));
    waited.extend(patches.and_then(|run| run.stopped).map(|s| s.worktree));
    for journal in active {
        waited.extend(journal.run.and_then(|r| r.conflict).map(|c| c.worktree));
    }
    // Compared by name in the resolution directory, as `resolve::remove` finds them.
    let waited: Vec<_> = waited.iter().filter_map(|p| p.file_name()).collect();
    let here = std::env::current_dir().ok();
    for worktree in worktrees {
        let path = &worktree.path;
        let ours =
            path.parent().is_some_and(|p| p.ends_with("hotfix/resolve")) || path.starts_with(&own);
        let waits = path.file_name().is_some_and(|n| waited.contains(&n));
        let inside = here.as_ref().is_some_and(|h| h.starts_with(path));
        if ours && !waits && !inside {
            let _ = resolve::remove(repo, path);
        }
    }
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
    sweep_resolutions(repo);
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
