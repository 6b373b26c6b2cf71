use clap::Args;
use git_hotfix_core::engine;
use git_hotfix_core::operations::stopped::{self, Aborted};

use crate::args::{PlanArg, RunArg};
use crate::context::Context;
use crate::document::{Document, Planned};
use crate::error::{Exit, Result};
use crate::{forge, runs};

/// Undo a stopped or interrupted run: drop its conflict worktree, and take back what it
/// did (refs, worktrees, and what it pushed), reading each from where it is now
#[derive(Debug, Args)]
pub struct AbortArgs {
    #[command(flatten)]
    pub run: RunArg,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_abort(context: &Context, args: AbortArgs) -> Result<Exit> {
    let repo = context.repo()?;
    let config = || git_hotfix_core::Config::load(&repo, &context.overrides);
    let run = stopped::find_to_abort(&repo, config, args.run.which())?;
    let plan = args.plan.plan;
    let aborted = if plan {
        stopped::preview_abort(&repo, &run)?
    } else {
        let forge = forge::for_steps(context, &repo, &run.steps())?;
        let forge = forge.as_ref().map(|f| f as &dyn engine::Forge);
        stopped::abort(&repo, run, forge, context.now)?
    };
    render(context, &aborted, plan);
    Ok(Exit::Ok)
}

fn render(context: &Context, aborted: &Aborted, plan: bool) {
    let ui = &context.ui;
    if ui.json_mode() {
        match plan {
            true => ui.json(&Planned::new(aborted)),
            false => ui.json(&AbortDocument {
                executed: true,
                aborted,
            }),
        }
        return;
    }
    match aborted {
        // A deploy cut short takes nothing back: production is what the step left it.
        Aborted::GivenUp { run, step, .. } if plan => ui.out(format!(
            "Would record {run} as failed (step {step} was cut short); nothing is run or taken back"
        )),
        Aborted::GivenUp {
            run,
            environment,
            step,
        } => {
            ui.status(
                "Aborted",
                format!("{run}: recorded as failed (cut short at its step {step}), nothing run"),
            );
            ui.hint(format!(
                "what {environment} runs is whatever the cut step left: look, then `git hotfix deploy {environment}` or `git hotfix rollback`"
            ));
        }
        Aborted::Undone {
            run,
            remove_worktree,
            undo,
        } if plan => {
            ui.out(format!("Would abort {run}:"));
            if let Some(worktree) = remove_worktree {
                ui.out(format!("  - remove the worktree {}", worktree.display()));
            }
            if undo.is_empty() {
                ui.out("  - nothing else: it has written nothing yet");
            }
            for undone in undo {
                ui.out(format!("  - {}", runs::undone(undone, false)));
            }
        }
        Aborted::Undone {
            run,
            remove_worktree,
            undo,
        } => {
            if let Some(worktree) = remove_worktree {
                ui.status("Removed", format!("worktree {}", worktree.display()));
            }
            for undone in undo {
                ui.status("Undone", runs::undone(undone, true));
            }
            // Every step the run began is taken back, or the abort failed saying which.
            ui.status(
                "Aborted",
                if undo.is_empty() {
                    format!("{run}; it had written nothing")
                } else {
                    format!("{run}; everything it did is undone")
                },
            );
        }
    }
}

impl Document for Planned<'_, Aborted> {
    const NAME: &'static str = "abort-plan";
}

/// `abort`: the run taken back (or given up), and what it put back.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct AbortDocument<'a> {
    pub executed: bool,
    pub aborted: &'a Aborted,
}

impl Document for AbortDocument<'_> {
    const NAME: &'static str = "abort";
}
