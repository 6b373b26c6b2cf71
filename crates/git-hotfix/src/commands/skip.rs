use clap::Args;
use git_hotfix_core::engine;
use git_hotfix_core::operations::backport::Progress;
use git_hotfix_core::operations::stopped::{self, StoppedRun};

use crate::args::{PlanArg, RunArg};
use crate::context::Context;
use crate::document::Planned;
use crate::error::{Exit, Result};
use crate::render::backport::{SkippedLine, row};
use crate::render::patch::Skipped;

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
    let ui = &context.ui;
    let repo = context.repo()?;
    let run = stopped::find(&repo, args.run.which(), "skip")?;
    if args.plan.plan && matches!(run, StoppedRun::Backport(_) | StoppedRun::Patches(_)) {
        plan(context, &run);
        return Ok(Exit::Ok);
    }
    let onto_target = matches!(&run, StoppedRun::Backport(b) if b.onto_target);
    let mut shown = |event: Progress<'_>| {
        if let Progress::Target(target) = event {
            ui.status("Done", row(target, onto_target));
        }
    };
    // Only a backport goes on to GitHub; the others are refused before anything is asked.
    let forge = match &run {
        StoppedRun::Backport(_) => crate::forge::for_steps(context, &repo, &run.steps())?,
        _ => None,
    };
    let engine_forge = forge.as_ref().map(|f| f as &dyn engine::Forge);
    let with = stopped::Continuing {
        version_files: None,
        forge: engine_forge,
        now: context.now,
        progress: &mut shown,
    };
    match stopped::skip(&repo, run, with)? {
        stopped::Skipped::Backport(outcome) => {
            crate::workflow::backport::finish_run(context, &repo, outcome, forge)
        }
        stopped::Skipped::Patches(outcome) => {
            crate::render::patch::report(context, &repo, &outcome)
        }
    }
}

/// What `skip` would leave out, and that the run goes on without it.
fn plan(context: &Context, run: &StoppedRun) {
    let ui = &context.ui;
    match run {
        StoppedRun::Backport(run) => {
            let stopped = run
                .stopped
                .as_ref()
                .map(|s| run.targets[s.target].target.clone());
            if ui.json_mode() {
                ui.json(&Planned::new(&SkippedLine { skip: stopped }));
            } else {
                match &stopped {
                    Some(target) => ui.out(format!(
                        "Would leave {target} out (removing its conflict worktree) and go on with the other lines"
                    )),
                    None => ui.out("Would go on with the lines not done yet"),
                }
            }
        }
        StoppedRun::Patches(run) => {
            let stopped = run.stopped.as_ref().map(|s| &run.patches[s.patch]);
            if ui.json_mode() {
                ui.json(&Planned::new(&Skipped { skip: stopped }));
            } else if let Some(patch) = stopped {
                ui.out(format!(
                    "Would leave {} ({}) out, removing its worktree, and apply the patches after it",
                    context.shown(&patch.origin),
                    patch.subject
                ));
            }
        }
        StoppedRun::Finish(_) | StoppedRun::Deploy(_) => {}
    }
}
