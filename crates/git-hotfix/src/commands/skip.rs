use clap::Args;
use git_hotfix_core::operations::backport::{self, Progress};
use git_hotfix_core::operations::patch_apply;
use git_hotfix_core::operations::stopped::{self, StoppedRun};

use crate::args::{PlanArg, RunArg};
use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::render::backport::row;

/// Leave out what a run stopped on and go on: the line of a backport, the patch of a
/// `patch apply`
#[derive(Debug, Args)]
pub struct SkipArgs {
    #[command(flatten)]
    pub run: RunArg,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_skip(context: &Context, args: SkipArgs) -> Result<Exit> {
    let repo = context.repo()?;
    match stopped::find(&repo, args.run.which(), "skip")? {
        StoppedRun::Backport(run) => skip_backport(context, &repo, &run, args.plan.plan),
        StoppedRun::Patches(run) => skip_patch(context, &repo, &run, args.plan.plan),
        StoppedRun::Finish(journal) => Err(CommandError::usage(format!(
            "the stopped run is the finish of {}: there is nothing to skip in it",
            journal.ticket
        ))
        .hint("resolve it and `git hotfix continue`, or `git hotfix abort`")),
        StoppedRun::Deploy(journal) => Err(CommandError::usage(format!(
            "the stopped run is a deploy of {} cut short: a step's outcome cannot be skipped",
            journal.ticket
        ))
        .hint("`git hotfix continue` runs the step again and the rest; `git hotfix abort` records it as failed")),
    }
}

fn skip_backport(
    context: &Context,
    repo: &git_hotfix_core::Repo,
    run: &backport::Backport,
    plan: bool,
) -> Result<Exit> {
    let ui = &context.ui;
    if plan {
        let stopped = run
            .stopped
            .as_ref()
            .map(|s| run.targets[s.target].target.clone());
        if ui.json_mode() {
            ui.json(&serde_json::json!({ "plan": { "skip": stopped }, "executed": false }));
        } else {
            match &stopped {
                Some(target) => ui.out(format!(
                    "Would leave {target} out (removing its conflict worktree) and go on with the other lines"
                )),
                None => ui.out("Would go on with the lines not done yet"),
            }
        }
        return Ok(Exit::Ok);
    }
    let mut shown = |event: Progress<'_>| {
        if let Progress::Target(target) = event {
            ui.status("Done", row(target, run.onto_target));
        }
    };
    let forge = crate::forge::for_steps(context, repo, &run.steps)?;
    let engine_forge = forge
        .as_ref()
        .map(|f| f as &dyn git_hotfix_core::engine::Forge);
    let outcome = backport::skip(repo, engine_forge, context.now, &mut shown)?;
    crate::workflow::backport::finish_run(context, repo, outcome, forge)
}

fn skip_patch(
    context: &Context,
    repo: &git_hotfix_core::Repo,
    run: &patch_apply::PatchRun,
    plan: bool,
) -> Result<Exit> {
    let ui = &context.ui;
    if plan {
        let stopped = run.stopped.as_ref().map(|s| &run.patches[s.patch]);
        if ui.json_mode() {
            ui.json(&serde_json::json!({ "plan": { "skip": stopped }, "executed": false }));
        } else if let Some(patch) = stopped {
            ui.out(format!(
                "Would leave {} ({}) out, removing its worktree, and apply the patches after it",
                context.shown(&patch.origin),
                patch.subject
            ));
        }
        return Ok(Exit::Ok);
    }
    let outcome = patch_apply::skip(repo, context.now)?;
    crate::render::patch::report(context, repo, &outcome)
}
