use clap::Args;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::operations::{abandon, finish};

use crate::args::PlanArg;
use crate::context::Context;
use crate::error::{Exit, Result};
use crate::ui::{EMPHASIS, paint};

/// End a hotfix on purpose, without releasing it: the journal records it as abandoned and
/// the branch stays (unless `--delete-branch`)
#[derive(Debug, Args)]
pub struct AbandonArgs {
    /// The hotfix to end (default: the one whose branch is checked out)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    /// Delete the hotfix branch too; refused while a commit on it is on no other branch or tag
    #[arg(long)]
    pub delete_branch: bool,
    /// Why, for the timeline and the review
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_abandon(context: &Context, args: AbandonArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let mut journal = finish::select(&repo, args.hotfix.as_deref())?;
    let plan = abandon::plan(&repo, &journal, args.delete_branch, args.reason)?;
    if !args.plan.plan {
        abandon::run(&repo, &mut journal, &plan, context.now)?;
    }
    if ui.json_mode() {
        ui.json(&AbandonDocument {
            plan: &plan,
            executed: !args.plan.plan,
        });
        return Ok(Exit::Ok);
    }
    let would = |verb: &'static str, planned: &'static str| match args.plan.plan {
        true => planned,
        false => verb,
    };
    ui.status(
        would("Abandoned", "Would abandon"),
        // Not "nothing released": a `tag --push` may have published its tag already.
        format!(
            "hotfix {}: ended without a finish",
            paint(EMPHASIS, &plan.ticket)
        ),
    );
    match (plan.tip, plan.delete_branch) {
        (Some(tip), true) => ui.status(
            would("Deleted", "Would delete"),
            format!(
                "{} (was {}; its commits are on other refs)",
                plan.branch,
                short(tip)
            ),
        ),
        (Some(tip), false) => {
            ui.status("Kept", format!("{} at {}", plan.branch, short(tip)));
        }
        (None, _) => {}
    }
    Ok(Exit::Ok)
}

/// `abandon`: what it takes down (or would).
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct AbandonDocument<'a> {
    pub plan: &'a abandon::AbandonPlan,
    pub executed: bool,
}

impl crate::document::Document for AbandonDocument<'_> {
    const NAME: &'static str = "abandon";
}
