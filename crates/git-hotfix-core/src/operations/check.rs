//! `check`: a person ticks a checklist item git-hotfix cannot see happen, or takes a tick
//! back. A tick means what the workflow's own would: production verified by a person starts
//! the monitoring window and the follow-up's clock, as `verify` does. `assess --record`
//! keeps an assessment the same way.

use jiff::Timestamp;

use crate::foundation::error::{Error, Result};
use crate::git::repo::Repo;
use crate::records::journal::{Assessed, EventKind, Item, Journal, Store};
use crate::settings::config::Config;

/// Record that `item` was done at `at`, with a person's `note`.
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
            severity: assessed.severity.clone(),
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
