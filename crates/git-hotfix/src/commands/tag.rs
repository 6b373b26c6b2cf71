use clap::Args;
use git_hotfix_core::finish;
use git_hotfix_core::repo::short;
use git_hotfix_core::tag;

use crate::cli::{Context, PlanArg};
use crate::error::{Exit, Result};
use crate::ui::{EMPHASIS, paint};

/// Tag the hotfix tip on its own, for teams that merge through pull requests
#[derive(Debug, Args)]
pub struct TagArgs {
    /// The version to tag (default: the one chosen at start)
    #[arg(value_name = "X.Y.Z")]
    pub version: Option<String>,
    /// The tag message (default: `Hotfix <version>: <description>`)
    #[arg(short, long, value_name = "MSG")]
    pub message: Option<String>,
    /// The hotfix to tag (default: the one whose branch is checked out)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_tag(context: &Context, args: TagArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let mut journal = finish::select(&repo, args.hotfix.as_deref())?;
    let mem = repo.in_memory();
    let plan = tag::plan(
        &repo,
        &mem,
        &config,
        &mut journal,
        args.version.as_deref(),
        args.message.as_deref(),
    )?;
    if args.plan.plan {
        if ui.json_mode() {
            ui.json(&serde_json::json!({ "plan": plan, "executed": false }));
        } else if plan.tag.object.is_some() {
            ui.out(format!(
                "Would tag {} on {} (\"{}\")",
                plan.tag.name,
                short(plan.tag.target),
                plan.tag.message
            ));
        } else {
            ui.out(format!(
                "{} is already on {}",
                plan.tag.name,
                short(plan.tag.target)
            ));
        }
        return Ok(Exit::Ok);
    }
    tag::execute(&repo, mem, &mut journal, &plan, context.now)?;
    if ui.json_mode() {
        ui.json(&serde_json::json!({ "plan": plan, "executed": true }));
    } else if plan.tag.object.is_some() {
        ui.status(
            "Tagged",
            format!(
                "{} on {}",
                paint(EMPHASIS, &plan.tag.name),
                short(plan.tag.target)
            ),
        );
    } else {
        ui.status(
            "Kept",
            format!("{} (already on {})", plan.tag.name, short(plan.tag.target)),
        );
    }
    Ok(Exit::Ok)
}
