use clap::Args;
use git_hotfix_core::finish::{self, Stage};
use git_hotfix_core::refs::{Edit, Value};
use git_hotfix_core::repo::short;

use crate::cli::{Context, PlanArg};
use crate::error::{Exit, Result};

/// Undo a stopped run: drop its conflict worktree, or put back every ref it moved
#[derive(Debug, Args)]
pub struct AbortArgs {
    /// The hotfix whose run to undo (default: the only one stopped)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_abort(context: &Context, args: AbortArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let mut journal = finish::select_stopped(&repo, args.hotfix.as_deref(), "abort")?;
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
