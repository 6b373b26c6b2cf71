use clap::Args;
use git_hotfix_core::backport::{self, Progress};

use crate::cli::{Context, PlanArg};
use crate::commands::backport::{report, row};
use crate::error::{Exit, Result};

/// Leave the line a backport stopped on out, and go on with the other lines
#[derive(Debug, Args)]
pub struct SkipArgs {
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_skip(context: &Context, args: SkipArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let run =
        backport::load(&repo)?.ok_or(git_hotfix_core::Error::NoStoppedRun { action: "skip" })?;
    if args.plan.plan {
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
    let outcome = backport::skip(&repo, context.now, &mut shown)?;
    report(context, &outcome)
}
