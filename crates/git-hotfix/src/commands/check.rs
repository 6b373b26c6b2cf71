use clap::Args;
use clap::builder::PossibleValuesParser;
use git_hotfix_core::lifecycle::check::{self, Checked, Unchanged};
use git_hotfix_core::records::journal::Item;
use git_hotfix_core::views::incident;

use crate::context::Context;
use crate::error::{Exit, Result};
use crate::ui::{EMPHASIS, paint};
use crate::when;

/// Tick an item of the incident's checklist that git-hotfix cannot see happen
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The item, e.g. `communicated` or `review-scheduled` (`git hotfix status` lists them)
    #[arg(value_parser = PossibleValuesParser::new(Item::ALL.map(Item::name)))]
    pub item: String,
    /// When it happened: `10 minutes ago`, `14:03`, an RFC 3339 time (default: now)
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
    /// A word for the review, e.g. `posted in #incidents`
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Take back a tick given by mistake
    #[arg(long, conflicts_with_all = ["at", "note"])]
    pub undo: bool,
    /// The incident (default: the hotfix checked out, else the open one)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
}

pub fn cmd_check(context: &Context, args: CheckArgs) -> Result<Exit> {
    let ui = &context.ui;
    let item = Item::parse(&args.item).expect("clap allows only item names");
    let at = match &args.at {
        Some(text) => when::parse("--at", text, context.now)?,
        None => context.now,
    };
    let repo = context.repo()?;
    let (mut journal, picked) = incident::select_recent(&repo, args.hotfix.as_deref())?;
    if picked {
        crate::render::say_picked(context, &journal);
    }
    let config = context.config(&repo)?;
    let request = check::Request {
        item,
        at,
        note: args.note.clone(),
        undo: args.undo,
    };
    let checked = check::apply(&repo, &config, &mut journal, &request, context.now)?;
    let recorded = !matches!(checked, Checked::Unchanged { .. });
    if recorded {
        crate::audit::share(context, &repo, &journal);
    }
    if ui.json_mode() {
        ui.json(&CheckDocument {
            ticket: &journal.ticket,
            tick: checked.tick(),
            recorded,
        });
    }
    let ticket = paint(EMPHASIS, &journal.ticket);
    let escalated = |to: &str| format!("escalated to {to}");
    match &checked {
        Checked::Unchanged { why, .. } => ui.status(
            "Unchanged",
            match why {
                Unchanged::SeenByWorkflow { at } => format!(
                    "{} is ticked already (at {}, seen by git-hotfix)",
                    item.label(),
                    at.strftime("%H:%M UTC")
                ),
                Unchanged::NotTicked => format!("{} is not ticked", item.label()),
                Unchanged::RungTickedAlready { to, at } => format!(
                    "{} is ticked already (at {})",
                    escalated(to),
                    at.strftime("%H:%M UTC")
                ),
            },
        ),
        Checked::Unticked { rung, .. } if !ui.json_mode() => ui.status(
            "Unchecked",
            format!(
                "{} of {ticket}",
                rung.as_deref()
                    .map_or_else(|| item.label().to_string(), escalated)
            ),
        ),
        Checked::Ticked { rung, .. } if !ui.json_mode() => ui.status(
            "Checked",
            format!(
                "{} of {ticket} at {}",
                rung.as_deref()
                    .map_or_else(|| item.label().to_string(), escalated),
                at.strftime("%H:%M UTC")
            ),
        ),
        _ => {}
    }
    Ok(Exit::Ok)
}

/// `check`: a checklist item, as it stands after the command.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct CheckDocument<'a> {
    pub ticket: &'a str,
    pub tick: &'a incident::Tick,
    /// Whether the journal changed.
    pub recorded: bool,
}

impl crate::document::Document for CheckDocument<'_> {
    const NAME: &'static str = "check";
}
