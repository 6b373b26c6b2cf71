//! `check`: a person ticks a checklist item git-hotfix cannot see happen, or takes a tick
//! back. A tick means what the workflow's own would: production verified by a person starts
//! the monitoring window and the follow-up's clock, as `verify` does. `assess --record`
//! keeps an assessment the same way.

use jiff::Timestamp;

use crate::foundation::error::{Error, Result};
use crate::git::repo::Repo;
use crate::records::journal::{Assessed, EventKind, Item, Journal, Store, escalated_at};
use crate::settings::config::Config;

/// Whom a tick of `escalated` says was called in: the rung `note` names, else the first
/// not ticked yet.
pub fn escalated_to(config: &Config, journal: &Journal, note: Option<&str>) -> Result<String> {
    let roles: Vec<String> = config.escalation.iter().map(|r| r.to.clone()).collect();
    let refused = |asked: Option<&str>| Error::NotOnLadder {
        asked: asked.map(String::from),
        roles: roles.clone(),
    };
    match note {
        _ if roles.is_empty() => Err(refused(note)),
        Some(asked) => roles
            .iter()
            .find(|r| r.trim().eq_ignore_ascii_case(asked.trim()))
            .cloned()
            .ok_or_else(|| refused(Some(asked))),
        None => {
            let done = journal.escalated();
            roles
                .iter()
                .find(|role| escalated_at(&done, role).is_none())
                .cloned()
                .ok_or_else(|| refused(None))
        }
    }
}

/// Record that `item` was done at `at`, with a person's `note` (for `escalated`, whom: the
/// rung it names, else the next one).
pub fn tick(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    item: Item,
    at: Timestamp,
    note: Option<String>,
) -> Result<()> {
    // Nothing of an incident happens before it is detected (when that time was given).
    if let Some(detected) = journal.detected_at
        && at < detected
    {
        return Err(Error::BeforeDetection {
            item: item.name().to_string(),
            at: at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            detected: detected.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        });
    }
    let note = match item {
        Item::Escalated => Some(escalated_to(config, journal, note.as_deref())?),
        _ => note,
    };
    let store = Store::new(repo);
    let _lock = store.lock()?;
    journal.record(at, EventKind::Checked { item, note });
    if item == Item::ProductionVerified {
        let (until, follow_up) = monitoring(config, at);
        journal.record(at, EventKind::Monitoring { until, follow_up });
    }
    store.save(journal)
}

/// Keep `assessed` as the hotfix's assessment (`assess --record`), said at `now`.
pub fn assessed(
    repo: &Repo,
    journal: &mut Journal,
    assessed: Assessed,
    now: Timestamp,
) -> Result<()> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    journal.record(
        now,
        EventKind::Assessed {
            severity: assessed.level().to_string(),
            by: assessed.by.clone(),
        },
    );
    journal.assessment = Some(assessed);
    store.save(journal)
}

/// Take back a tick a person gave, at `now`.
pub fn untick(repo: &Repo, journal: &mut Journal, item: Item, now: Timestamp) -> Result<()> {
    Store::new(repo).append(journal, now, EventKind::Unchecked { item })
}

/// Until when production is watched from its verification at `at`, and when the
/// follow-up is due, as the settings give them.
pub fn monitoring(config: &Config, at: Timestamp) -> (Timestamp, Timestamp) {
    (at + config.monitoring.0, at + config.follow_up.0)
}
