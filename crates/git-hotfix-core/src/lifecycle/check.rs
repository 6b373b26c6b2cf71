//! `check`: a person ticks (or takes back) an item of the incident's checklist that
//! git-hotfix cannot see happen. What may be ticked, what stays as it is and why, and which
//! rung of the escalation ladder a tick is for, are decided here; the command parses and
//! renders.

use jiff::Timestamp;

use crate::foundation::error::{Error, Result};
use crate::git::repo::Repo;
use crate::operations::check;
use crate::records::journal::{Item, Journal};
use crate::settings::config::Config;
use crate::views::incident::{self, By, Tick};

/// What a person asks of one checklist item.
#[derive(Debug, Clone)]
pub struct Request {
    pub item: Item,
    /// When it happened (ticking).
    pub at: Timestamp,
    /// A word for the review; for `escalated`, whom (a rung of the ladder).
    pub note: Option<String>,
    /// Take back a tick given by mistake.
    pub undo: bool,
}

/// What became of the item.
#[derive(Debug, Clone)]
pub enum Checked {
    /// Ticked now; for an escalation, the rung it is for.
    Ticked { tick: Tick, rung: Option<String> },
    /// A person's tick taken back; for an escalation, the rung it was for.
    Unticked { tick: Tick, rung: Option<String> },
    /// Nothing written, and why.
    Unchanged { tick: Tick, why: Unchanged },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unchanged {
    /// git-hotfix saw it happen and ticked it itself.
    SeenByWorkflow { at: Timestamp },
    /// Taking back what is not ticked.
    NotTicked,
    /// A rung is called in once: ticked again, the journal would hold it twice.
    RungTickedAlready { to: String, at: Timestamp },
}

impl Checked {
    /// The item as it stands after the command.
    pub fn tick(&self) -> &Tick {
        match self {
            Checked::Ticked { tick, .. }
            | Checked::Unticked { tick, .. }
            | Checked::Unchanged { tick, .. } => tick,
        }
    }
}

/// Tick or untick `request.item` of `journal`'s checklist, at `now`, writing the journal
/// only when the item changes.
pub fn apply(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    request: &Request,
    now: Timestamp,
) -> Result<Checked> {
    let Request {
        item,
        at,
        note,
        undo,
    } = request;
    let (item, undo) = (*item, *undo);
    // An escalation's tick is its rung's: the one named, else the next (taken back: the
    // last one ticked).
    let rung = match (item, undo) {
        (Item::Escalated, false) => Some(check::escalated_to(config, journal, note.as_deref())?),
        _ => None,
    };
    let find = |journal: &Journal| -> Result<Tick> {
        Ok(incident::checklist(repo, journal, &config.escalation)?
            .into_iter()
            .rfind(|t| {
                t.item == item
                    && (rung.is_none() || t.note == rung)
                    && (item != Item::Escalated || !undo || t.done())
            })
            .unwrap_or(Tick {
                item,
                at: None,
                by: None,
                note: None,
                due: None,
            }))
    };
    let tick = find(journal)?;
    let unchanged = |why| {
        Ok(Checked::Unchanged {
            tick: tick.clone(),
            why,
        })
    };
    match (tick.by, tick.at, undo) {
        (Some(By::Workflow), _, true) => return Err(Error::TickedByWorkflow { item: item.name() }),
        (Some(By::Workflow), Some(at), false) => {
            return unchanged(Unchanged::SeenByWorkflow { at });
        }
        (None, _, true) => return unchanged(Unchanged::NotTicked),
        (Some(By::Person), Some(at), false) if item == Item::Escalated => {
            return unchanged(Unchanged::RungTickedAlready {
                to: tick.note.clone().unwrap_or_default(),
                at,
            });
        }
        _ => {}
    }
    if undo {
        // The rung a tick taken back was for, to say which.
        let rung = match item {
            Item::Escalated => tick.note.clone(),
            _ => None,
        };
        check::untick(repo, journal, item, now)?;
        return Ok(Checked::Unticked {
            tick: find(journal)?,
            rung,
        });
    }
    check::tick(repo, config, journal, item, *at, note.clone())?;
    Ok(Checked::Ticked {
        tick: find(journal)?,
        rung,
    })
}
