use clap::Args;
use git_hotfix_core::operations::init;

use crate::cli::{Context, PlanArg};
use crate::error::{Exit, Result};

/// Write a commented .hotfix.toml from what this repository already does
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing .hotfix.toml
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_init(context: &Context, args: InitArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let plan = init::plan(&repo, args.force)?;
    if args.plan.plan {
        if ui.json_mode() {
            ui.json(&serde_json::json!({ "plan": plan, "executed": false }));
        } else {
            ui.out(format!("Would write {}:\n", plan.path.display()));
            ui.out(&plan.text);
        }
        return Ok(Exit::Ok);
    }
    init::execute(&plan)?;
    if ui.json_mode() {
        ui.json(&serde_json::json!({ "plan": plan, "executed": true }));
        return Ok(Exit::Ok);
    }
    let detected = &plan.detected;
    let verb = if plan.replaces { "Replaced" } else { "Wrote" };
    ui.status(verb, plan.path.display());
    ui.status("Production", &detected.production_branch);
    if let Some(develop) = &detected.develop_branch {
        ui.status("Develop", develop);
    }
    if !detected.release_branches.is_empty() {
        ui.status("Lines", detected.release_branches.join(", "));
    }
    ui.status(
        "Tags",
        format!(
            "{} ({} existing tag{} match)",
            detected.tag_pattern,
            detected.tags_matched,
            if detected.tags_matched == 1 { "" } else { "s" }
        ),
    );
    ui.hint(format!(
        "review it, then commit it on {}: `git add .hotfix.toml && git commit -m \"Add git-hotfix settings\"`",
        detected.production_branch
    ));
    Ok(Exit::Ok)
}
