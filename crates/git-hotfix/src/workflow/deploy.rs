//! Deploy, verify and rollback steps as a journaled run: each step recorded before it
//! starts, its process group marked while it runs, and a run cut short gone on with
//! (`continue`) or given up (`abort`).

use git_hotfix_core::operations::deploy::{self, DeployRun, Ended, Said, StepRan};
use git_hotfix_core::records::journal::{Action, PRODUCTION, StepResult, StepStart, Store};
use git_hotfix_core::views::production;
use git_hotfix_core::{Config, Journal, Repo};
use git_hotfix_plugin_host::{Release, Step};
use jiff::Timestamp;

use crate::args::StepArgs;
use crate::context::Context;
use crate::document::Document;
use crate::error::{CommandError, Exit, Result};
use crate::policies::DeploySteps;
use crate::steps::{Committed, PolicySteps, Runner, ServiceCheck, describe};
use crate::ui::{EMPHASIS, paint};

/// `deploy`, `verify` or `rollback` (of production) with `--plan`: the steps the policy
/// plans, each within its grants or not.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct DeployPlanDocument<'a> {
    pub ticket: &'a str,
    pub action: Action,
    pub environment: &'a str,
    pub release: &'a Release,
    pub plugin: String,
    pub steps: Vec<crate::policies::PlannedStep<'a>>,
    /// Verifying production with `[production-version]`: then the service must report the
    /// release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub then: Option<&'a ServiceCheck<'a>>,
    pub executed: bool,
}

impl Document for DeployPlanDocument<'_> {
    const NAME: &'static str = "deploy-plan";
}

/// `deploy`, `verify` or `rollback` (of production): each step run and how it ended.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct DeployDocument<'a> {
    pub ticket: &'a str,
    pub action: Action,
    pub environment: &'a str,
    pub release: &'a Release,
    /// `--force`: run though the journal said it was not due.
    pub forced: bool,
    pub steps: &'a [StepRan],
    /// Every step succeeded.
    pub ok: bool,
    pub executed: bool,
}

impl Document for DeployDocument<'_> {
    const NAME: &'static str = "deploy";
}

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
    /// A rollback by turning this feature flag off (`rollback --flag`): the policy is asked
    /// for a rollback whose settings hold `flag`, and the release stays.
    pub flag: Option<String>,
}

impl Request {
    /// A rollback of its own (not a `continue`): to the release before, or by `flag`.
    pub fn rollback(release: Release, recorded: bool, flag: Option<String>) -> Request {
        Request {
            action: Action::Rollback,
            release,
            forced: false,
            recorded,
            resume: None,
            flag,
        }
    }
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
        mut release,
        forced,
        recorded,
        resume,
        flag,
    } = request;
    if let Some(flag) = &flag {
        release.settings.push(("flag".into(), flag.clone()));
    }
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
        let question = match &flag {
            Some(flag) => format!("Turn feature flag `{flag}` off in production?"),
            None => format!(
                "Roll production back {}to {}?",
                from(&planned.release.version),
                planned.release.previous_version.as_deref().unwrap_or("?")
            ),
        };
        planned.steps.insert(0, (Step::Confirm(question), None));
    }
    // Verified means running, as the service itself says, when the team says where.
    let service = match action {
        Action::Verify => production::required(config, &environment)
            .map(|source| ServiceCheck::new(source, &planned.release.version)),
        _ => None,
    };
    let what = match action {
        Action::Deploy => format!("{} to {environment}", planned.release.tag),
        Action::Verify => format!("{} in {environment}", planned.release.tag),
        Action::Rollback => match &flag {
            // What runs there stays; said only when the records know what that is.
            Some(flag) if recorded => format!(
                "{environment} by turning feature flag `{flag}` off ({} stays)",
                planned.release.version
            ),
            Some(flag) => format!("{environment} by turning feature flag `{flag}` off"),
            None => format!(
                "{environment} {}to {}",
                from(&planned.release.version),
                planned.release.previous_version.as_deref().unwrap_or("?")
            ),
        },
    };
    if args.plan {
        let document = DeployPlanDocument {
            ticket: &journal.ticket,
            action,
            environment: &environment,
            release: &planned.release,
            plugin: planned.policy.plugin.to_string(),
            steps: planned.shown(),
            then: service.as_ref(),
            executed: false,
        };
        if !ui.json_mode() {
            ui.out(format!(
                "Would {} {} with {}:",
                match action {
                    Action::Rollback => "roll back",
                    other => other.name(),
                },
                paint(EMPHASIS, &what),
                planned.policy.plugin
            ));
            for line in planned.lines() {
                ui.out(line);
            }
            if let Some(check) = &service {
                ui.out(format!(
                    "  {}. {}",
                    planned.steps.len() + 1,
                    check.describe()
                ));
            }
        }
        return ui.conclude(&document, planned.not_granted());
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

    let run = DeployRun {
        action,
        environment: environment.clone(),
        version: planned.release.version.clone(),
        previous: planned.release.previous_version.clone(),
        tag: planned.release.tag.clone(),
        forced,
        flag,
        steps: steps
            .iter()
            .map(describe)
            .chain(service.as_ref().map(ServiceCheck::describe))
            .collect(),
        resume,
    };
    let mut runner = PolicySteps {
        runner,
        steps: &steps,
        then: service.as_ref(),
    };
    let said = &mut |said: Said<'_>| match said {
        Said::Began => ui.status(
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
        ),
        Said::Step { n, of, step } => ui.status(&format!("[{}/{of}]", n + 1), step),
        Said::Passed { detail } => ui.status("ok", detail),
    };
    let deployed = deploy::run(repo, config, &journal, &run, &mut runner, said)?;
    let failure = match &deployed.ended {
        Ended::Done => None,
        Ended::Failed { n, result, detail } => {
            Some(step_failed(action, &what, n + 1, *result, detail))
        }
        Ended::Interrupted { n } => Some(CommandError::new(
            Exit::Error,
            format!(
                "stopped by Ctrl-C before step {}: {what} was left as it is",
                n + 1
            ),
        )),
    };
    if failure.is_none() {
        ui.status(
            match action {
                Action::Deploy => "Deployed",
                Action::Verify => "Verified",
                Action::Rollback => "Rolled back",
            },
            format!("{what} in {:.1} s", deployed.took.as_secs_f64()),
        );
    }
    if let Some((until, follow_up)) = deployed.monitoring {
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
    crate::audit::share(context, repo, &deployed.journal);
    let document = DeployDocument {
        ticket: &deployed.journal.ticket,
        action,
        environment: &environment,
        release: &planned.release,
        forced,
        steps: &deployed.steps,
        ok: failure.is_none(),
        executed: true,
    };
    ui.conclude(&document, failure)
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

/// `continue` of a deploy, verify or rollback `cut` short: the policy's steps from `from`
/// (where the core says it goes on), for the release it was run for.
pub fn resume(
    context: &Context,
    repo: &Repo,
    journal: Journal,
    cut: &StepStart,
    from: usize,
    plan: bool,
) -> Result<Exit> {
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
            flag: cut.flag.clone(),
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
