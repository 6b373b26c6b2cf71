//! Deploy, verify and rollback steps as a journaled run: each step recorded before it
//! starts, its process group marked while it runs, and a run cut short gone on with
//! (`continue`) or given up (`abort`).

use git_hotfix_core::records::journal::{
    Action, EventKind, PRODUCTION, StepResult, StepStart, Store, continue_runs, cut_short_said,
};
use git_hotfix_core::{Config, Journal, Repo};
use git_hotfix_plugin_host::{Release, Step};
use jiff::Timestamp;

use crate::args::StepArgs;
use crate::context::Context;
use crate::error::{CommandError, Exit, Result, conclude};
use crate::policies::DeploySteps;
use crate::steps::{Committed, Runner, describe};
use crate::ui::{EMPHASIS, paint};

/// What to run: the action, on which release (and where), and whether production goes
/// before a verified staging (`--force`).
pub(crate) struct Request {
    pub action: Action,
    pub release: Release,
    pub forced: bool,
    /// Whether what runs there now is recorded; if not, a rollback says only where it goes.
    pub recorded: bool,
    /// The step a `continue` begins with, run again after a kill; `None`: from the first.
    pub resume: Option<usize>,
}

/// Plan the action with the policy, refuse what is not granted or cannot be confirmed,
/// then run the steps in order until one does not pass, journaling each.
pub(crate) fn perform(
    context: &Context,
    repo: &Repo,
    config: &Config,
    journal: Journal,
    request: Request,
    args: &StepArgs,
) -> Result<Exit> {
    let Request {
        action,
        release,
        forced,
        recorded,
        resume,
    } = request;
    let ui = &context.ui;
    let from = |version: &str| match recorded {
        true => format!("from {version} "),
        false => String::new(),
    };
    let mut planned = DeploySteps::plan(context, repo, config, release, action)?;
    let environment = planned.release.environment.clone();
    // Production is rolled back under the rule that deploys to it: a person confirms, or
    // `--yes` does. Whatever the policy asks, the host asks this much.
    if action == Action::Rollback
        && environment == PRODUCTION
        && !planned
            .steps
            .iter()
            .any(|(step, _)| matches!(step, Step::Confirm(_)))
    {
        let question = format!(
            "Roll production back {}to {}?",
            from(&planned.release.version),
            planned.release.previous_version.as_deref().unwrap_or("?")
        );
        planned.steps.insert(0, (Step::Confirm(question), None));
    }
    let what = match action {
        Action::Deploy => format!("{} to {environment}", planned.release.tag),
        Action::Verify => format!("{} in {environment}", planned.release.tag),
        Action::Rollback => format!(
            "{environment} {}to {}",
            from(&planned.release.version),
            planned.release.previous_version.as_deref().unwrap_or("?")
        ),
    };
    if args.plan {
        let document = serde_json::json!({
            "ticket": journal.ticket,
            "action": action,
            "environment": environment,
            "release": planned.release,
            "plugin": planned.policy.plugin.to_string(),
            "steps": planned.to_json(),
            "executed": false,
        });
        if !ui.json_mode() {
            ui.out(format!(
                "Would {} {} with {}:",
                action.name(),
                paint(EMPHASIS, &what),
                planned.policy.plugin
            ));
            for line in planned.lines() {
                ui.out(line);
            }
        }
        return conclude(ui, document, planned.not_granted());
    }
    if let Some(refused) = planned.not_granted() {
        return Err(refused);
    }
    let steps: Vec<_> = planned.steps.iter().map(|(step, _)| step.clone()).collect();
    let checkout = repo.workdir().unwrap_or(&context.cwd).to_path_buf();
    let committed = match &config.file {
        Some(origin) => Committed::scripts(repo, &checkout, origin.commit, &steps)?,
        None => Committed::default(),
    };
    let runner = Runner::new(ui, checkout, committed, args.yes).marking(step_marker(repo));
    // A `continue` asks only what the steps it runs ask.
    if !runner.can_confirm(&steps[resume.unwrap_or(0).min(steps.len())..]) {
        return Err(CommandError::usage(format!(
            "the deploy policy asks for a confirmation before it can {} {what}, and there is no terminal to ask on",
            action.name()
        ))
        .hint("pass `--yes` to answer it"));
    }

    let store = Store::new(repo);
    let _lock = store.lock()?;
    // Re-read under the lock: another command may have written since it was selected.
    let mut journal = store.load_any(&journal.ticket)?.unwrap_or(journal);
    // A step a killed git-hotfix left running, or not, is decided first: its outcome is
    // unknown, and what runs there with it.
    // What a killed git-hotfix's step started may run on: nothing starts beside it.
    if let Some(group) = live_step_group(repo) {
        return Err(CommandError::new(
            Exit::Error,
            format!(
                "a step a killed git-hotfix began still runs (process group {group}): another would run beside it"
            ),
        )
        .hint(format!(
            "wait for it to end, or stop it (`kill -- -{group}`); then run this again"
        )));
    }
    let _ = std::fs::remove_file(step_marker(repo));
    if let Some(refused) = cut_short(&journal).filter(|_| resume.is_none()) {
        return Err(refused);
    }
    let started = Timestamp::now();
    ui.status(
        match action {
            Action::Deploy => "Deploying",
            Action::Verify => "Verifying",
            Action::Rollback => "Rolling back",
        },
        format!(
            "{} with {} ({} step{})",
            paint(EMPHASIS, &what),
            planned.policy.plugin,
            steps.len(),
            if steps.len() == 1 { "" } else { "s" }
        ),
    );
    let mut rows = Vec::new();
    let mut failure = None;
    for (n, step) in steps.iter().enumerate().skip(resume.unwrap_or(0)) {
        // The crash tests' kill between two steps (debug builds only).
        git_hotfix_core::engine::failpoint::hit("deploy-step");
        if runner.interrupted() {
            failure = Some(CommandError::new(
                Exit::Error,
                format!(
                    "stopped by Ctrl-C before step {}: {what} was left as it is",
                    n + 1
                ),
            ));
            break;
        }
        let shown = describe(step);
        ui.status(&format!("[{}/{}]", n + 1, steps.len()), &shown);
        let step_started = Timestamp::now();
        journal.record(
            step_started,
            EventKind::DeployStepStarted(StepStart {
                action,
                environment: environment.clone(),
                step: shown.clone(),
                index: n,
                version: planned.release.version.clone(),
                previous: planned.release.previous_version.clone(),
                tag: planned.release.tag.clone(),
                pid: std::process::id(),
                started: step_started,
                forced,
            }),
        );
        store.save(&journal)?;
        let ran = runner.run(step);
        let ended = Timestamp::now();
        journal.record(
            ended,
            EventKind::DeployStep {
                action,
                environment: environment.clone(),
                step: shown.clone(),
                started: step_started,
                result: ran.result,
                detail: ran.detail.clone(),
            },
        );
        store.save(&journal)?;
        rows.push(serde_json::json!({
            "step": shown,
            "result": ran.result,
            "started": step_started,
            "ended": ended,
            "detail": ran.detail,
        }));
        let detail = ran.detail.unwrap_or_default();
        match ran.result {
            StepResult::Ok => ui.status("ok", &detail),
            StepResult::Failed | StepResult::Declined => {
                failure = Some(step_failed(action, &what, n + 1, ran.result, &detail));
                break;
            }
        }
    }
    let ok = failure.is_none();
    journal.record(
        Timestamp::now(),
        EventKind::DeployEnded {
            action,
            environment: environment.clone(),
            started,
            ok,
            version: match action {
                Action::Deploy => Some(planned.release.version.clone()),
                Action::Rollback => planned.release.previous_version.clone(),
                Action::Verify => None,
            },
            forced,
        },
    );
    // Production verified: the watch starts, and the follow-up is due a while later.
    let monitoring = (ok && action == Action::Verify && environment == PRODUCTION).then(|| {
        let now = Timestamp::now();
        let (until, follow_up) = git_hotfix_core::operations::check::monitoring(config, now);
        journal.record(now, EventKind::Monitoring { until, follow_up });
        (until, follow_up)
    });
    store.save(&journal)?;
    if ok {
        let took = Timestamp::now().duration_since(started);
        ui.status(
            match action {
                Action::Deploy => "Deployed",
                Action::Verify => "Verified",
                Action::Rollback => "Rolled back",
            },
            format!("{what} in {:.1} s", took.as_secs_f64()),
        );
    }
    if let Some((until, follow_up)) = monitoring {
        let utc = |t: Timestamp| t.strftime("%Y-%m-%d %H:%M UTC").to_string();
        ui.status(
            "Monitor",
            format!(
                "production until {} ({:#}): error rates, latency, the health endpoint, support channels",
                utc(until),
                config.monitoring.0
            ),
        );
        ui.hint(format!(
            "the follow-up to the people told is due {}: `git hotfix report status-page`, then `git hotfix check followed-up`",
            utc(follow_up)
        ));
    }
    crate::audit::share(context, repo, &journal);
    let document = serde_json::json!({
        "ticket": journal.ticket,
        "action": action,
        "environment": environment,
        "release": planned.release,
        "forced": forced,
        "steps": rows,
        "ok": ok,
        "executed": true,
    });
    conclude(ui, document, failure)
}

fn step_failed(
    action: Action,
    what: &str,
    number: usize,
    result: StepResult,
    detail: &str,
) -> CommandError {
    let message = match result {
        StepResult::Declined => format!("stopped before step {number}: not confirmed ({detail})"),
        _ => format!("{} {what} failed at step {number}: {detail}", action.name()),
    };
    let hint = match action {
        Action::Deploy => {
            "fix the cause and deploy again, or go back: `git hotfix rollback` (the previous release)"
        }
        Action::Verify => {
            "look at the environment; if the release is at fault, `git hotfix rollback`"
        }
        Action::Rollback => "the rollback did not complete: look at the environment by hand",
    };
    CommandError::new(Exit::Error, message).hint(hint)
}

/// The refusal of a deploy, verify or rollback while a run a killed git-hotfix began has
/// no recorded end.
pub(crate) fn cut_short(journal: &Journal) -> Option<CommandError> {
    let (cut, ended) = journal.open_deploy()?;
    let ticket = &journal.ticket;
    Some(
        CommandError::new(Exit::Error, cut_short_said(cut, ended)).hint(format!(
            "look at {} first; then `git hotfix continue --hotfix {ticket}` runs {}, or `git hotfix abort --hotfix {ticket}` records the {} as failed",
            cut.environment,
            continue_runs(ended),
            cut.action.name()
        )),
    )
}

/// `continue` of a deploy, verify or rollback cut short: its steps from the one whose
/// outcome is unknown, for the release it was run for.
pub fn resume(context: &Context, repo: &Repo, journal: Journal, plan: bool) -> Result<Exit> {
    let (cut, ended) = journal.open_deploy().expect("a deploy cut short");
    let cut = cut.clone();
    // A step that passed before the kill is not run again.
    let from = cut.index + usize::from(ended == Some(StepResult::Ok));
    let config = context.config(repo)?;
    let release = Release {
        version: cut.version.clone(),
        previous_version: cut.previous.clone(),
        tag: cut.tag.clone(),
        environment: cut.environment.clone(),
        settings: Vec::new(),
    };
    context.ui.status(
        "Continuing",
        format!("{}, cut short, from step {}", cut.run_name(), from + 1),
    );
    perform(
        context,
        repo,
        &config,
        journal,
        Request {
            action: cut.action,
            release,
            forced: cut.forced,
            recorded: true,
            resume: Some(from),
        },
        &StepArgs {
            plan,
            yes: false,
            hotfix: None,
        },
    )
}

/// Where a running deploy step's process group is marked (see [`Runner::marking`]).
fn step_marker(repo: &Repo) -> std::path::PathBuf {
    Store::new(repo).dir().join("deploy-step.pgid")
}

/// The process group of a step a killed git-hotfix began, while some of it still runs.
pub(crate) fn live_step_group(repo: &Repo) -> Option<i32> {
    crate::steps::live_group(&step_marker(repo))
}
