use clap::Args;
use git_hotfix_core::Repo;
use git_hotfix_core::engine::{self, Undone};
use git_hotfix_core::operations::stopped::{self, StoppedRun};
use git_hotfix_core::operations::{backport, finish, patch_apply};

use crate::args::{PlanArg, RunArg};
use crate::context::Context;
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

/// What an abort takes back, whichever run it is.
struct Abort {
    /// What the run is, for the last line: "the finish of ENG-1".
    what: String,
    /// The resolution worktree it removes.
    worktree: Option<std::path::PathBuf>,
    undone: Vec<Undone>,
}

pub fn cmd_abort(context: &Context, args: AbortArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = || git_hotfix_core::Config::load(&repo, &context.overrides);
    let run = stopped::find_to_abort(&repo, config, args.run.which())?;
    let plan = args.plan.plan;
    // A deploy cut short takes nothing back: production is what the step left it.
    if let StoppedRun::Deploy(journal) = &run {
        let cut = journal.cut_short().expect("a deploy cut short");
        let what = cut.run_name();
        let environment = cut.environment.clone();
        if plan {
            ui.out(format!(
                "Would record {what} as failed (step {} was cut short); nothing is run or taken back",
                cut.index + 1
            ));
            return Ok(Exit::Ok);
        }
        let said = crate::workflow::deploy::give_up(&repo, journal, context.now)?;
        ui.status("Aborted", said);
        ui.hint(format!(
            "what {environment} runs is whatever the cut step left: look, then `git hotfix deploy {environment}` or `git hotfix rollback`"
        ));
        return Ok(Exit::Ok);
    }
    let abort = if plan {
        preview(&repo, &run)?
    } else {
        execute(context, &repo, run)?
    };
    if ui.json_mode() {
        let what = serde_json::json!({
            "run": abort.what,
            "remove_worktree": abort.worktree,
            "undo": abort.undone,
        });
        ui.json(&if plan {
            serde_json::json!({ "plan": what, "executed": false })
        } else {
            serde_json::json!({ "executed": true, "aborted": what })
        });
        return Ok(Exit::Ok);
    }
    if plan {
        ui.out(format!("Would abort {}:", abort.what));
        if let Some(worktree) = &abort.worktree {
            ui.out(format!("  - remove the worktree {}", worktree.display()));
        }
        if abort.undone.is_empty() {
            ui.out("  - nothing else: it has written nothing yet");
        }
        for undone in &abort.undone {
            ui.out(format!("  - {}", runs::undone(undone, false)));
        }
        return Ok(Exit::Ok);
    }
    if let Some(worktree) = &abort.worktree {
        ui.status("Removed", format!("worktree {}", worktree.display()));
    }
    for undone in &abort.undone {
        ui.status("Undone", runs::undone(undone, true));
    }
    // Every step the run began is taken back, or the abort failed saying which it could not.
    ui.status(
        "Aborted",
        if abort.undone.is_empty() {
            format!("{}; it had written nothing", abort.what)
        } else {
            format!("{}; everything it did is undone", abort.what)
        },
    );
    Ok(Exit::Ok)
}

fn preview(repo: &Repo, run: &StoppedRun) -> Result<Abort> {
    Ok(match run {
        StoppedRun::Finish(journal) => {
            let preview = finish::preview_abort(repo, journal)?;
            Abort {
                what: finish_name(journal),
                worktree: preview.remove_worktree,
                undone: preview.undo,
            }
        }
        StoppedRun::Backport(run) => Abort {
            what: backport_name(run),
            worktree: run.stopped.as_ref().map(|s| s.worktree.clone()),
            undone: engine::preview_undo(repo, &run.steps)?,
        },
        StoppedRun::Patches(run) => Abort {
            what: format!("the patch apply onto {}", run.branch),
            worktree: run.stopped.as_ref().map(|s| s.worktree.clone()),
            undone: engine::preview_undo(repo, &run.steps)?,
        },
        StoppedRun::Deploy(_) => unreachable!("a deploy cut short is told apart first"),
    })
}

fn execute(context: &Context, repo: &Repo, run: StoppedRun) -> Result<Abort> {
    Ok(match run {
        StoppedRun::Finish(journal) => {
            let mut journal = *journal;
            let worktree = journal
                .run
                .as_ref()
                .and_then(|r| r.conflict.as_ref())
                .map(|c| c.worktree.clone());
            let what = finish_name(&journal);
            let steps = journal
                .run
                .as_ref()
                .map(|r| r.steps.clone())
                .unwrap_or_default();
            let forge = forge::for_steps(context, repo, &steps)?;
            let forge = forge.as_ref().map(|f| f as &dyn engine::Forge);
            let undone = finish::abort(repo, &mut journal, forge, context.now)?;
            Abort {
                what,
                worktree,
                undone,
            }
        }
        StoppedRun::Backport(run) => {
            let forge = forge::for_steps(context, repo, &run.steps)?;
            let forge = forge.as_ref().map(|f| f as &dyn engine::Forge);
            let (_, undone) = backport::abort(repo, forge, context.now)?;
            Abort {
                what: backport_name(&run),
                worktree: run.stopped.as_ref().map(|s| s.worktree.clone()),
                undone,
            }
        }
        StoppedRun::Deploy(_) => unreachable!("a deploy cut short is told apart first"),
        StoppedRun::Patches(run) => {
            let (_, undone) = patch_apply::abort(repo, context.now)?;
            Abort {
                what: format!("the patch apply onto {}", run.branch),
                worktree: run.stopped.as_ref().map(|s| s.worktree.clone()),
                undone,
            }
        }
    })
}

fn finish_name(journal: &git_hotfix_core::Journal) -> String {
    let command = journal
        .run
        .as_ref()
        .map_or("finish", |r| r.command.as_str());
    match journal.run.as_ref().and_then(|r| r.reverts.as_ref()) {
        // The whole rollback goes, the hotfix it started included.
        Some(reverting) => format!(
            "the rollback of {} (hotfix {}, at its {command})",
            reverting.ticket, journal.ticket
        ),
        None => format!("the {command} of {}", journal.ticket),
    }
}

fn backport_name(run: &backport::Backport) -> String {
    format!(
        "the backport of {}",
        run.hotfix.as_ref().unwrap_or(&run.name)
    )
}
