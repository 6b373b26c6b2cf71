use clap::Args;
use git_hotfix_core::operations::check;
use git_hotfix_core::records::journal::Assessed;
use git_hotfix_core::views::incident;

use crate::args::{IncidentArgs, PlanArg};
use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::render::duration_text;
use crate::ui::{EMPHASIS, paint};
use crate::workflow::assess::assess;

/// Assess how urgent an incident is, with the severity policy
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// What happened, e.g. `auth bypass on login` (default: the current hotfix's description)
    #[arg(long)]
    pub title: Option<String>,
    /// More about it
    #[arg(long)]
    pub description: Option<String>,
    #[command(flatten)]
    pub incident: IncidentArgs,
    /// Record the assessment in the hotfix's journal (its clock starts from it)
    #[arg(long)]
    pub record: bool,
    /// The hotfix to assess (default: the one whose branch is checked out)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_assess(context: &Context, args: AssessArgs) -> Result<Exit> {
    let ui = &context.ui;
    // Outside a repository the built-in policy still answers.
    let repo = context.repo().ok();
    let config = repo.as_ref().map(|r| context.config(r)).transpose()?;
    let journal = repo
        .as_ref()
        .and_then(|r| incident::select(r, args.hotfix.as_deref()).ok());
    if args.record && journal.is_none() {
        return Err(CommandError::new(
            Exit::Error,
            "--record needs a hotfix (in progress or open)",
        )
        .hint("run it on the hotfix branch, or name one with `--hotfix <ticket>`"));
    }
    let title = args
        .title
        .or_else(|| journal.as_ref().map(|j| j.description.clone()))
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            CommandError::usage("say what happened: `--title \"...\"`")
                .hint("on a hotfix branch the hotfix's description is used")
        })?;
    let incident = args.incident.incident(
        journal
            .as_ref()
            .map(|j| j.ticket.clone())
            .unwrap_or_default(),
        title,
        args.description.unwrap_or_default(),
    )?;
    let judged = assess(context, repo.as_ref(), config.as_ref(), incident)?;
    let assessed = judged.assessed;
    let recorded = args.record && !args.plan.plan;
    if recorded {
        let mut journal = journal.expect("checked above");
        let repo = repo.as_ref().expect("a journal means a repository");
        check::assessed(repo, &mut journal, assessed.clone(), context.now)?;
        crate::audit::share(context, repo, &journal);
    }
    if ui.json_mode() {
        ui.json(&AssessDocument {
            assessment: &assessed,
            recorded,
            unanswered: &judged.unanswered,
        });
    } else {
        render(context, &assessed);
        if recorded {
            ui.status("Recorded", "in the hotfix's journal");
        }
    }
    Ok(Exit::Ok)
}

fn render(context: &Context, assessed: &Assessed) {
    let ui = &context.ui;
    ui.out(format!(
        "{} · {}",
        paint(EMPHASIS, assessed.level()),
        assessed.label
    ));
    let staging = if assessed.skip_staging_allowed {
        "staging may be skipped"
    } else {
        "through staging"
    };
    let approvals = match assessed.approvals_required {
        0 => "no approval required".to_string(),
        1 => "1 approval".to_string(),
        n => format!("{n} approvals"),
    };
    ui.out(format!(
        "  respond within {}, deploy {}, {staging}, {approvals}",
        duration_text(assessed.response_minutes),
        assessed.deploy_window.replace('-', " ")
    ));
    if !assessed.reasons.is_empty() {
        ui.out("  because:");
        for reason in &assessed.reasons {
            ui.out(format!("    - {reason}"));
        }
    }
    ui.out(format!("  (policy: {})", assessed.by));
}

/// `assess`: the severity, its clocks and who judged it; recorded in the journal or not.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct AssessDocument<'a> {
    pub assessment: &'a Assessed,
    pub recorded: bool,
    /// The policy's questions nobody answered (no terminal, no `--answer`).
    pub unanswered: &'a [String],
}

impl crate::document::Document for AssessDocument<'_> {
    const NAME: &'static str = "assess";
}
