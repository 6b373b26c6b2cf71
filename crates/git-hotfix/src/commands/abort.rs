use clap::Args;
use git_hotfix_core::backport::{self, RefState};
use git_hotfix_core::finish::{self, Stage};
use git_hotfix_core::patch::am;
use git_hotfix_core::refs::{Edit, Value};
use git_hotfix_core::repo::short;
use git_hotfix_core::stopped::{self, StoppedRun};

use crate::cli::{Context, PlanArg, RunArg};
use crate::error::{Exit, Result};

/// Undo a stopped run: drop its conflict worktree, or put back every ref it moved
#[derive(Debug, Args)]
pub struct AbortArgs {
    #[command(flatten)]
    pub run: RunArg,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_abort(context: &Context, args: AbortArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let mut journal = match stopped::find(&repo, args.run.which(), "abort")? {
        StoppedRun::Finish(journal) => *journal,
        StoppedRun::Backport(run) => return abort_backport(context, &repo, &run, args.plan.plan),
        StoppedRun::Patches(run) => return abort_patches(context, &repo, &run, args.plan.plan),
    };
    let stage = journal
        .run
        .as_ref()
        .map(|r| r.stage.clone())
        .expect("selected as stopped");

    if args.plan.plan {
        let preview = finish::preview_abort(&repo, &journal)?;
        if ui.json_mode() {
            ui.json(&serde_json::json!({ "plan": preview, "executed": false }));
            return Ok(Exit::Ok);
        }
        ui.out(format!(
            "Would abort the stopped run of {}:",
            journal.ticket
        ));
        if let Some(worktree) = &preview.remove_worktree {
            ui.out(format!(
                "  - remove the conflict worktree {}",
                worktree.display()
            ));
        }
        if preview.restore.is_empty() {
            ui.out("  - move no ref (none has moved)");
        }
        for edit in &preview.restore {
            ui.out(format!("  - {}", describe(edit)));
        }
        return Ok(Exit::Ok);
    }

    let restored = finish::abort(&repo, &mut journal, context.now)?;
    if ui.json_mode() {
        ui.json(&serde_json::json!({ "executed": true, "restored": restored }));
        return Ok(Exit::Ok);
    }
    if let Stage::Conflict { worktree, .. } = &stage {
        ui.status("Removed", format!("worktree {}", worktree.display()));
    }
    for edit in &restored {
        ui.status("Restored", describe(edit));
    }
    ui.status(
        "Aborted",
        format!(
            "the run of {}; {} is as before",
            journal.ticket, journal.branch
        ),
    );
    Ok(Exit::Ok)
}

fn abort_backport(
    context: &Context,
    repo: &git_hotfix_core::Repo,
    run: &backport::Backport,
    plan: bool,
) -> Result<Exit> {
    let ui = &context.ui;
    let written: Vec<&str> = run
        .targets
        .iter()
        .filter(|t| t.ref_state != RefState::Untouched)
        .map(|t| t.branch.as_str())
        .collect();
    if plan {
        if ui.json_mode() {
            ui.json(&serde_json::json!({
                "plan": { "remove_worktree": run.stopped.as_ref().map(|s| &s.worktree), "restore": written },
                "executed": false,
            }));
            return Ok(Exit::Ok);
        }
        ui.out("Would abort the backport:");
        if let Some(stop) = &run.stopped {
            ui.out(format!(
                "  - remove the conflict worktree {}",
                stop.worktree.display()
            ));
        }
        for branch in &written {
            let verb = if run.onto_target {
                "put back"
            } else {
                "delete"
            };
            ui.out(format!("  - {verb} {branch}"));
        }
        return Ok(Exit::Ok);
    }
    let aborted = backport::abort(repo, context.now)?;
    if ui.json_mode() {
        ui.json(&serde_json::json!({ "executed": true, "targets": aborted.targets }));
        return Ok(Exit::Ok);
    }
    if let Some(stop) = &run.stopped {
        ui.status("Removed", format!("worktree {}", stop.worktree.display()));
    }
    for branch in &written {
        let verb = if run.onto_target {
            "Restored"
        } else {
            "Deleted"
        };
        ui.status(verb, branch);
    }
    ui.status("Aborted", "the backport; no branch it made is left");
    Ok(Exit::Ok)
}

fn abort_patches(
    context: &Context,
    repo: &git_hotfix_core::Repo,
    run: &am::PatchRun,
    plan: bool,
) -> Result<Exit> {
    let ui = &context.ui;
    let worktree = run.stopped.as_ref().map(|s| &s.worktree);
    if plan {
        if ui.json_mode() {
            ui.json(&serde_json::json!({
                "plan": { "remove_worktree": worktree, "restore": [] },
                "executed": false,
            }));
            return Ok(Exit::Ok);
        }
        ui.out("Would abort the patch apply:");
        if let Some(worktree) = worktree {
            ui.out(format!("  - remove the worktree {}", worktree.display()));
        }
        ui.out(format!("  - move no ref ({} has not moved)", run.branch));
        return Ok(Exit::Ok);
    }
    let aborted = am::abort(repo, context.now)?;
    if ui.json_mode() {
        ui.json(&serde_json::json!({ "executed": true, "run": aborted }));
        return Ok(Exit::Ok);
    }
    if let Some(worktree) = worktree {
        ui.status("Removed", format!("worktree {}", worktree.display()));
    }
    ui.status(
        "Aborted",
        format!(
            "the patch apply; {} is as before ({})",
            run.branch,
            short(run.tip)
        ),
    );
    Ok(Exit::Ok)
}

fn describe(edit: &Edit) -> String {
    let show = |v: &Option<Value>| match v {
        None => "nothing".to_string(),
        Some(Value::Object(id)) => short(*id),
        Some(Value::Symbolic(name)) => name.clone(),
    };
    match (&edit.old, &edit.new) {
        (_, None) => format!("delete {}", edit.name),
        (None, Some(_)) => format!("recreate {} at {}", edit.name, show(&edit.new)),
        _ => format!("put {} back to {}", edit.name, show(&edit.new)),
    }
}
