use clap::Args;
use clap::builder::PossibleValuesParser;
use git_hotfix_core::operations::check;
use git_hotfix_core::records::journal::Item;
use git_hotfix_core::views::incident::{self, By};

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
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
    // An escalation's tick is its rung's: the one named, else the next (taken back: the
    // last one ticked).
    let rung = match (item, args.undo) {
        (Item::Escalated, false) => Some(check::escalated_to(
            &config,
            &journal,
            args.note.as_deref(),
        )?),
        _ => None,
    };
    let find = |journal: &git_hotfix_core::Journal| -> Result<incident::Tick> {
        Ok(incident::checklist(&repo, journal, &config.escalation)?
            .into_iter()
            .rfind(|t| {
                t.item == item
                    && (rung.is_none() || t.note == rung)
                    && (item != Item::Escalated || !args.undo || t.done())
            })
            .unwrap_or(incident::Tick {
                item,
                at: None,
                by: None,
                note: None,
                due: None,
            }))
    };
    let tick = find(&journal)?;

    let unchanged = |why: String| {
        if ui.json_mode() {
            ui.json(&CheckDocument {
                ticket: &journal.ticket,
                tick: &tick,
                recorded: false,
            });
        }
        ui.status("Unchanged", why);
        Ok(Exit::Ok)
    };
    match (tick.by, args.undo) {
        (Some(By::Workflow), true) => {
            return Err(CommandError::new(
                Exit::Error,
                format!(
                    "git-hotfix ticked `{}` itself; only a tick given with `check` can be taken back",
                    item.name()
                ),
            )
            .hint("the journal's events are the record of what happened"));
        }
        (Some(By::Workflow), false) => {
            let at = tick.at.expect("a tick has a time");
            return unchanged(format!(
                "{} is ticked already (at {}, seen by git-hotfix)",
                item.label(),
                at.strftime("%H:%M UTC")
            ));
        }
        (None, true) => return unchanged(format!("{} is not ticked", item.label())),
        // A rung is called in once: ticked again, the journal would hold it twice.
        (Some(By::Person), false) if item == Item::Escalated => {
            let at = tick.at.expect("a tick has a time");
            return unchanged(format!(
                "escalated to {} is ticked already (at {})",
                tick.note.as_deref().unwrap_or_default(),
                at.strftime("%H:%M UTC")
            ));
        }
        _ => {}
    }
    // The rung a tick taken back was for, to say which.
    let taken_back = match item {
        Item::Escalated => tick.note.as_ref().map(|to| format!("escalated to {to}")),
        _ => None,
    };
    match args.undo {
        true => check::untick(&repo, &mut journal, item, context.now)?,
        false => check::tick(&repo, &config, &mut journal, item, at, args.note.clone())?,
    }
    crate::audit::share(context, &repo, &journal);
    let tick = find(&journal)?;
    if ui.json_mode() {
        ui.json(&CheckDocument {
            ticket: &journal.ticket,
            tick: &tick,
            recorded: true,
        });
    } else if args.undo {
        ui.status(
            "Unchecked",
            format!(
                "{} of {}",
                taken_back.unwrap_or_else(|| item.label().to_string()),
                paint(EMPHASIS, &journal.ticket)
            ),
        );
    } else {
        let what = match &rung {
            Some(to) => format!("escalated to {to}"),
            None => item.label().to_string(),
        };
        ui.status(
            "Checked",
            format!(
                "{what} of {} at {}",
                paint(EMPHASIS, &journal.ticket),
                at.strftime("%H:%M UTC")
            ),
        );
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
