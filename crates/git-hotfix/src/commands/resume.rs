use clap::Args;
use git_hotfix_core::finish::{self, ResumePreview};

use crate::cli::{Context, PlanArg};
use crate::commands::status::finish_steps;
use crate::error::{Exit, Result};

/// Resume a stopped run once its conflicts are resolved and staged (or retry its push)
#[derive(Debug, Args)]
pub struct ContinueArgs {
    /// The hotfix to resume (default: the only one stopped)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_continue(context: &Context, args: ContinueArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let mut journal = finish::select_stopped(&repo, args.hotfix.as_deref(), "continue")?;

    if args.plan.plan {
        let preview = finish::preview_resume(&repo, &config, &journal)?;
        if ui.json_mode() {
            ui.json(&serde_json::json!({ "plan": preview, "executed": false }));
            return Ok(Exit::Ok);
        }
        match &preview {
            ResumePreview::Finish { plan } => {
                ui.out(format!("Would continue finishing {}:", journal.ticket));
                for line in finish_steps(plan) {
                    ui.out(format!("  - {line}"));
                }
            }
            ResumePreview::Push { push }
            | ResumePreview::Complete {
                push: Some(push), ..
            } => {
                let refs: Vec<&str> = push.refs.iter().map(|r| r.name.as_str()).collect();
                ui.out(format!("Would push {} to {}", refs.join(" "), push.remote));
            }
            ResumePreview::Complete { push: None } => {
                ui.out(format!(
                    "Would record {} as finished: its refs moved before the run was interrupted",
                    journal.ticket
                ));
            }
        }
        return Ok(Exit::Ok);
    }

    let outcome = finish::resume(&repo, &config, &mut journal, context.now)?;
    crate::commands::finish::report(context, &journal, &outcome)
}
