//! The runbook's escalation ladder (`[[escalation]]` in `.hotfix.toml`): who is called in,
//! how long after detection, while the incident is open. People escalate; the journal
//! keeps when they said so (`git hotfix check escalated`, the rung's role as its note), and
//! this view reads the ladder against the clock: done, due, coming, or not needed because
//! the incident closed first.

use jiff::Timestamp;

use crate::records::journal::{Action, EventKind, Item, Journal, PRODUCTION, escalated_at};
use crate::settings::config::Escalation;

/// One rung of the ladder, read at a moment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Rung {
    /// Who is called in: `senior engineer`.
    pub to: String,
    /// How long after detection.
    pub after_minutes: i64,
    pub due: Timestamp,
    #[serde(flatten)]
    pub state: RungState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum RungState {
    /// A person said it was done, at `at`.
    Escalated { at: Timestamp },
    /// Its time has come, the incident is open, and nobody said it was done.
    Due { over_minutes: i64 },
    /// Its time is still to come.
    Upcoming { in_minutes: i64 },
    /// The incident closed (production verified) before its time.
    NotNeeded,
    /// The incident closed after its time, and nobody said it was done.
    Missed,
}

/// The ladder of `journal`'s incident at `now`; empty without one or before detection is
/// known.
pub fn ladder(escalations: &[Escalation], journal: &Journal, now: Timestamp) -> Vec<Rung> {
    let Some(detected) = journal.detected_at() else {
        return Vec::new();
    };
    let done = journal.escalated();
    let closed = closed_at(journal);
    escalations
        .iter()
        .map(|rung| {
            let due = detected + rung.after.0;
            let state = match (escalated_at(&done, &rung.to), closed) {
                (Some(at), _) => RungState::Escalated { at },
                (None, Some(closed)) if closed < due => RungState::NotNeeded,
                (None, Some(_)) => RungState::Missed,
                (None, None) if due <= now => RungState::Due {
                    over_minutes: now.duration_since(due).as_mins(),
                },
                (None, None) => RungState::Upcoming {
                    in_minutes: due.duration_since(now).as_mins().max(1),
                },
            };
            Rung {
                to: rung.to.clone(),
                after_minutes: rung.after.0.as_mins(),
                due,
                state,
            }
        })
        .collect()
}

/// When the incident closed: production verified (by `verify` or a person's tick), and
/// not rolled back since.
fn closed_at(journal: &Journal) -> Option<Timestamp> {
    use crate::views::incident::{deploy_done, rolled_back};
    if deploy_done(journal, Item::ProductionVerified).is_none() || rolled_back(journal) {
        return None;
    }
    journal.events.iter().rev().find_map(|e| match &e.what {
        EventKind::DeployEnded {
            action: Action::Verify,
            environment,
            ok: true,
            ..
        } if environment == PRODUCTION => Some(e.at),
        EventKind::Checked {
            item: Item::ProductionVerified,
            ..
        } => Some(e.at),
        _ => None,
    })
}
