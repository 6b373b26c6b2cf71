//! A deploy, verify or rollback as a journaled run: each step recorded before it starts and
//! once it ends, so that a git-hotfix killed mid-step leaves a run `continue` goes on with
//! (from the step whose outcome is unknown) and `abort` gives up. The steps themselves (a
//! policy's commands and HTTP checks) are run by the caller's [`StepRunner`].

use jiff::{SignedDuration, Timestamp};

use crate::foundation::clock;
use crate::foundation::error::{Error, Result};
use crate::git::repo::Repo;
use crate::records::journal::{
    Action, EventKind, Journal, PRODUCTION, StepResult, StepStart, Store, continue_runs,
    cut_short_said,
};
use crate::settings::config::Config;

/// Runs a run's steps, one at a time, where they run (processes, HTTP checks, a person's
/// confirmation).
pub trait StepRunner {
    /// The process group of a step a killed git-hotfix began that still runs: no step
    /// starts beside it. When there is none, what marked it is cleared.
    fn left_running(&mut self) -> Option<i32>;
    /// Ctrl-C was pressed: no further step starts.
    fn interrupted(&self) -> bool;
    /// Run step `n` (from 0).
    fn run(&mut self, n: usize) -> Ran;
}

/// How a step went.
#[derive(Debug, Clone)]
pub struct Ran {
    pub result: StepResult,
    /// What went wrong, or what a check answered.
    pub detail: Option<String>,
}

/// The run to make.
#[derive(Debug, Clone)]
pub struct DeployRun {
    pub action: Action,
    pub environment: String,
    /// The release the steps are for, and (for a rollback) the one it goes back to.
    pub version: String,
    pub previous: Option<String>,
    pub tag: String,
    /// Production deployed without a verified staging (`--force`).
    pub forced: bool,
    /// A rollback by turning this feature flag off: the release stays where it runs.
    pub flag: Option<String>,
    /// The steps as `--plan` shows them, in order.
    pub steps: Vec<String>,
    /// The step a `continue` begins with, run again after a kill; `None`: a run of its own,
    /// refused while another was cut short.
    pub resume: Option<usize>,
}

/// What the run does, as it happens, for the command to say.
#[derive(Debug)]
pub enum Said<'a> {
    /// The run starts: nothing stands in its way.
    Began,
    /// Step `n` (from 0) of `of` starts.
    Step { n: usize, of: usize, step: &'a str },
    /// The step passed.
    Passed { detail: &'a str },
}

/// A step run, as the journal and `--json` have it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct StepRan {
    /// The step, as `--plan` shows it.
    pub step: String,
    pub result: StepResult,
    pub started: Timestamp,
    pub ended: Timestamp,
    pub detail: Option<String>,
}

/// How the run ended.
#[derive(Debug, Clone)]
pub enum Ended {
    /// Every step passed.
    Done,
    /// Step `n` (from 0) failed or was declined; no step after it ran.
    Failed {
        n: usize,
        result: StepResult,
        detail: String,
    },
    /// Ctrl-C before step `n` (from 0): what the steps before it did stays.
    Interrupted { n: usize },
}

/// A run made, and recorded.
#[derive(Debug)]
pub struct Deployed {
    pub journal: Journal,
    pub steps: Vec<StepRan>,
    pub ended: Ended,
    /// Production verified: the watch until, and when the follow-up is due.
    pub monitoring: Option<(Timestamp, Timestamp)>,
    pub took: SignedDuration,
}

/// Where `continue` takes up a deploy (verify, rollback) of `journal` cut short: the step
/// it was cut at, and the first step to run (0-based) — that one again when its outcome is
/// unknown, the one after it when it passed before the kill.
pub fn resumes_at(journal: &Journal) -> Option<(&StepStart, usize)> {
    let (cut, ended) = journal.open_deploy()?;
    Some((cut, cut.index + usize::from(ended == Some(StepResult::Ok))))
}

/// Run `run`'s steps in order until one does not pass, journaling each before it starts and
/// once it ends, and the run's end.
pub fn run(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    run: &DeployRun,
    runner: &mut dyn StepRunner,
    said: &mut dyn FnMut(Said<'_>),
) -> Result<Deployed> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    // Re-read under the lock: another command may have written since it was selected.
    let mut journal = store
        .load_any(&journal.ticket)?
        .unwrap_or_else(|| journal.clone());
    // What a killed git-hotfix's step started may run on: nothing starts beside it.
    if let Some(group) = runner.left_running() {
        return Err(Error::StepStillRunning { group });
    }
    if run.resume.is_none()
        && let Some((cut, ended)) = journal.open_deploy()
    {
        return Err(Error::DeployCutShort {
            said: cut_short_said(cut, ended),
            ticket: journal.ticket.clone(),
            environment: cut.environment.clone(),
            action: cut.action.name(),
            then: continue_runs(ended),
        });
    }
    said(Said::Began);
    let started = clock::now();
    let mut rows = Vec::new();
    let mut ended = Ended::Done;
    let of = run.steps.len();
    for (n, step) in run.steps.iter().enumerate().skip(run.resume.unwrap_or(0)) {
        // The crash tests' kill between two steps (debug builds only).
        crate::engine::failpoint::hit("deploy-step");
        if runner.interrupted() {
            ended = Ended::Interrupted { n };
            break;
        }
        said(Said::Step { n, of, step });
        let step_started = clock::now();
        journal.record(
            step_started,
            EventKind::DeployStepStarted(StepStart {
                action: run.action,
                environment: run.environment.clone(),
                step: step.clone(),
                index: n,
                version: run.version.clone(),
                previous: run.previous.clone(),
                tag: run.tag.clone(),
                pid: std::process::id(),
                started: step_started,
                forced: run.forced,
                flag: run.flag.clone(),
            }),
        );
        store.save(&journal)?;
        let ran = runner.run(n);
        let step_ended = clock::now();
        journal.record(
            step_ended,
            EventKind::DeployStep {
                action: run.action,
                environment: run.environment.clone(),
                step: step.clone(),
                started: step_started,
                result: ran.result,
                detail: ran.detail.clone(),
            },
        );
        store.save(&journal)?;
        rows.push(StepRan {
            step: step.clone(),
            result: ran.result,
            started: step_started,
            ended: step_ended,
            detail: ran.detail.clone(),
        });
        let detail = ran.detail.unwrap_or_default();
        match ran.result {
            StepResult::Ok => said(Said::Passed { detail: &detail }),
            StepResult::Failed | StepResult::Declined => {
                ended = Ended::Failed {
                    n,
                    result: ran.result,
                    detail,
                };
                break;
            }
        }
    }
    let ok = matches!(ended, Ended::Done);
    journal.record(
        clock::now(),
        EventKind::DeployEnded {
            action: run.action,
            environment: run.environment.clone(),
            started,
            ok,
            version: match (run.action, &run.flag) {
                (Action::Deploy, _) => Some(run.version.clone()),
                (Action::Rollback, None) => run.previous.clone(),
                (Action::Rollback, Some(_)) | (Action::Verify, _) => None,
            },
            forced: run.forced,
            flag: run.flag.clone(),
        },
    );
    // Production verified: the watch starts, and the follow-up is due a while later.
    let monitoring =
        (ok && run.action == Action::Verify && run.environment == PRODUCTION).then(|| {
            let now = clock::now();
            let (until, follow_up) = crate::operations::check::monitoring(config, now);
            journal.record(now, EventKind::Monitoring { until, follow_up });
            (until, follow_up)
        });
    store.save(&journal)?;
    Ok(Deployed {
        journal,
        steps: rows,
        ended,
        monitoring,
        took: clock::now().duration_since(started),
    })
}
