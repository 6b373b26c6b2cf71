//! The incident around a fix: the clock that runs from detection to the production deploy,
//! and the runbook's checklist. The workflow ticks what it sees itself (its events, the
//! fix's commits); a person ticks the rest with `git hotfix check`.

use jiff::{SignedDuration, Timestamp};

use crate::foundation::error::{Error, Result};
use crate::git::repo::Repo;
use crate::records::fix::FixCommit;
use crate::records::journal::Action;
use crate::records::journal::Item;
use crate::records::journal::PRODUCTION;
use crate::records::journal::STAGING;
use crate::records::journal::StepResult;
use crate::records::journal::{EventKind, Journal, Store};

/// Who ticked an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum By {
    /// git-hotfix saw it happen (an event, a commit).
    Workflow,
    /// Someone said so with `git hotfix check`.
    Person,
}

/// One checklist item and, when it is done, since when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Tick {
    pub item: Item,
    pub at: Option<Timestamp>,
    pub by: Option<By>,
    pub note: Option<String>,
    /// When it is due, for an item with a clock (the end of the monitoring window, the
    /// follow-up) not done yet.
    pub due: Option<Timestamp>,
}

impl Tick {
    pub fn done(&self) -> bool {
        self.at.is_some()
    }
}

/// The checklist of `journal`, the workflow's own ticks first, a person's for the rest; a
/// tick per rung of the `escalations` ladder (one not needed, since production was verified
/// before its time, is left out).
pub fn checklist(
    repo: &Repo,
    journal: &Journal,
    escalations: &[crate::settings::config::Escalation],
) -> Result<Vec<Tick>> {
    let fix = crate::records::fix::fix_commits(repo, journal)?;
    let release_time = match crate::records::fix::release_commit(journal) {
        Some(commit) => Some(repo.commit_time(commit)?),
        None => None,
    };
    let manual = manual_ticks(journal);
    let now = crate::foundation::clock::now();
    // The window runs from production's verification, whoever ticked it; not once the tick
    // was taken back, nor once production was rolled back after it.
    let verified =
        deploy_done(journal, Item::ProductionVerified).is_some() && !rolled_back(journal);
    let monitoring = journal
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.what {
            EventKind::Monitoring { until, follow_up } => Some((*until, *follow_up)),
            _ => None,
        })
        .filter(|_| verified);
    let due = |item: Item| match (item, monitoring) {
        (Item::Monitored, Some((until, _))) => Some(until),
        (Item::FollowedUp, Some((_, follow_up))) => Some(follow_up),
        _ => None,
    };
    let rungs = crate::views::escalation::ladder(escalations, journal, now)
        .into_iter()
        .filter_map(|rung| {
            use crate::views::escalation::RungState;
            let (at, due) = match rung.state {
                RungState::NotNeeded => return None,
                RungState::Escalated { at } => (Some(at), None),
                _ => (None, Some(rung.due)),
            };
            Some(Tick {
                item: Item::Escalated,
                at,
                by: at.map(|_| By::Person),
                note: Some(rung.to),
                due,
            })
        });
    let tick = |item: Item| {
        // The window is over when its time has come: a fact of the clock, not a claim
        // that someone watched.
        let seen = match (item, monitoring) {
            (Item::Monitored, Some((until, _))) if until <= now => Some(until),
            (Item::Monitored, _) => None,
            _ => seen(journal, item, &fix, release_time),
        };
        if let Some(at) = seen {
            return Tick {
                item,
                at: Some(at),
                by: Some(By::Workflow),
                note: None,
                due: None,
            };
        }
        match manual.iter().find(|(i, ..)| *i == item) {
            Some((_, at, note)) => Tick {
                item,
                at: Some(*at),
                by: Some(By::Person),
                note: note.clone(),
                due: None,
            },
            None => Tick {
                item,
                at: None,
                by: None,
                note: None,
                due: due(item),
            },
        }
    };
    let mut rungs = Some(rungs);
    let mut ticks = Vec::new();
    for item in Item::ALL {
        match item {
            Item::Escalated => ticks.extend(rungs.take().into_iter().flatten()),
            _ => ticks.push(tick(item)),
        }
    }
    Ok(ticks)
}

/// What people ticked with `check` and did not take back: item, time, note.
fn manual_ticks(journal: &Journal) -> Vec<(Item, Timestamp, Option<String>)> {
    let mut manual: Vec<(Item, Timestamp, Option<String>)> = Vec::new();
    for event in &journal.events {
        match &event.what {
            EventKind::Checked { item, note } => {
                manual.retain(|(i, ..)| i != item);
                manual.push((*item, event.at, note.clone()));
            }
            EventKind::Unchecked { item } => manual.retain(|(i, ..)| i != item),
            _ => {}
        }
    }
    manual
}

/// When `action` first succeeded in `environment`.
fn succeeded(journal: &Journal, action: Action, environment: &str) -> Option<Timestamp> {
    journal.events.iter().find_map(|e| match &e.what {
        EventKind::DeployEnded {
            action: a,
            environment: env,
            ok: true,
            ..
        } if *a == action && env == environment => Some(e.at),
        _ => None,
    })
}

/// When a deploy or verification `item` was done: the workflow's run, else a person's
/// tick. Needs only the journal (a note is enough), not the fix's commits.
pub fn deploy_done(journal: &Journal, item: Item) -> Option<Timestamp> {
    let (action, environment) = match item {
        Item::StagingDeployed => (Action::Deploy, STAGING),
        Item::StagingVerified => (Action::Verify, STAGING),
        Item::ProductionDeployed => (Action::Deploy, PRODUCTION),
        Item::ProductionVerified => (Action::Verify, PRODUCTION),
        _ => return None,
    };
    succeeded(journal, action, environment).or_else(|| {
        manual_ticks(journal)
            .into_iter()
            .find(|(ticked, ..)| *ticked == item)
            .map(|(_, at, _)| at)
    })
}

/// When production got the release: this stops the clock.
pub fn production_deployed(journal: &Journal) -> Option<Timestamp> {
    deploy_done(journal, Item::ProductionDeployed)
}

/// The items still to do: not done, and not made moot by a later step (staging once
/// production has the release, a pull request once merged, the release commit's parts
/// once tagged).
pub fn outstanding(checklist: &[Tick]) -> Vec<Item> {
    let done = |item: Item| checklist.iter().any(|t| t.item == item && t.done());
    let now = crate::foundation::clock::now();
    let mut open: Vec<Item> = checklist
        .iter()
        .filter(|t| !t.done())
        // An escalation whose time has not come is not owed yet.
        .filter(|t| t.item != Item::Escalated || t.due.is_some_and(|due| due <= now))
        .map(|t| t.item)
        .filter(|item| match item {
            Item::StagingDeployed | Item::StagingVerified => !done(Item::ProductionDeployed),
            Item::PrOpened => !done(Item::Merged),
            Item::VersionBumped | Item::Changelog => !done(Item::Tagged),
            _ => true,
        })
        .collect();
    open.dedup();
    open
}

/// When the workflow saw `item` happen, if it did.
fn seen(
    journal: &Journal,
    item: Item,
    fix: &[FixCommit],
    release_time: Option<Timestamp>,
) -> Option<Timestamp> {
    let first = |wanted: &dyn Fn(&EventKind) -> bool| {
        journal
            .events
            .iter()
            .find(|e| wanted(&e.what))
            .map(|e| e.at)
    };
    let deployed = |action: Action, environment: &str| succeeded(journal, action, environment);
    let finished = journal.events.iter().find_map(|e| match &e.what {
        EventKind::Finished {
            tag,
            notes,
            bumped,
            held,
            ..
        } => Some((e.at, tag, notes, bumped, held)),
        _ => None,
    });
    // What the fix did of the release commit's work counts from its last commit.
    let held_since = fix.last().map(|c| c.at);
    match item {
        Item::Assessed => first(&|e| matches!(e, EventKind::Assessed { .. })),
        Item::BranchCreated => first(&|e| matches!(e, EventKind::Started { .. })),
        Item::FixCommitted => fix.first().map(|c| c.at),
        Item::RegressionTest => fix.iter().find(|c| c.touches_tests).map(|c| c.at),
        Item::Tested => first(&|e| {
            matches!(
                e,
                EventKind::ChecksRan {
                    result: StepResult::Ok,
                    ..
                }
            )
        }),
        Item::VersionBumped => finished.and_then(|(_, _, _, bumped, held)| {
            match (bumped.is_empty(), held.version_files.is_empty()) {
                (false, _) => release_time,
                (true, false) => held_since,
                (true, true) => None,
            }
        }),
        Item::Changelog => finished.and_then(|(_, _, notes, _, held)| {
            match (notes.is_some(), held.changelog.is_some()) {
                (true, _) => release_time,
                (false, true) => held_since,
                (false, false) => None,
            }
        }),
        Item::PrOpened => first(&|e| matches!(e, EventKind::PullOpened { .. })),
        Item::Merged => {
            first(&|e| matches!(e, EventKind::PullMerged { .. })).or_else(|| merged_here(journal))
        }
        // By `finish`, or by `git hotfix tag` before it.
        Item::Tagged => finished
            .filter(|(_, tag, ..)| tag.is_some())
            .map(|(at, ..)| at)
            .or_else(|| {
                let tag = format!("refs/tags/{}", journal.tag);
                moved_and_kept(journal, &|name| name == tag)
            }),
        Item::Pushed => journal.release_pushed().map(|(at, _)| at),
        Item::StagingDeployed => deployed(Action::Deploy, STAGING),
        Item::StagingVerified => deployed(Action::Verify, STAGING),
        Item::ProductionDeployed => deployed(Action::Deploy, PRODUCTION),
        Item::ProductionVerified => deployed(Action::Verify, PRODUCTION),
        Item::Monitored
        | Item::Communicated
        | Item::FollowedUp
        | Item::ReviewScheduled
        | Item::Escalated => None,
    }
}

/// A local finish merged the fix when it moved a branch other than the hotfix's own (and
/// no abort put it back).
fn merged_here(journal: &Journal) -> Option<Timestamp> {
    let own = format!("refs/heads/{}", journal.branch);
    moved_and_kept(journal, &|name| {
        name.starts_with("refs/heads/") && name != own
    })
}

/// When the first ref `wanted` names was moved to a commit by a run of this hotfix and not
/// restored by an abort since: what the journal says is still so.
fn moved_and_kept(journal: &Journal, wanted: &dyn Fn(&str) -> bool) -> Option<Timestamp> {
    let mut moved: Vec<(&str, Timestamp)> = Vec::new();
    for event in &journal.events {
        match &event.what {
            EventKind::RefsMoved { refs } => moved.extend(
                refs.iter()
                    .filter(|r| r.new.is_some() && wanted(&r.name))
                    .map(|r| (r.name.as_str(), event.at)),
            ),
            EventKind::Aborted { restored, .. } => {
                moved.retain(|(name, _)| !restored.iter().any(|r| r.name == *name))
            }
            _ => {}
        }
    }
    moved.first().map(|(_, at)| *at)
}

/// The response clock: from detection, the severity's time to the production deploy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Clock {
    pub severity: String,
    pub target_minutes: u32,
    pub detected: Timestamp,
    pub deadline: Timestamp,
    /// When production was deployed: the clock stopped.
    pub deployed: Option<Timestamp>,
    #[serde(flatten)]
    pub reading: Reading,
}

/// Where the clock stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Reading {
    Running {
        left_minutes: i64,
    },
    Overdue {
        over_minutes: i64,
    },
    /// Deployed within the target.
    Met {
        took_minutes: i64,
    },
    /// Deployed, but after the deadline.
    Missed {
        took_minutes: i64,
    },
}

impl Clock {
    /// The clock of an assessed incident at `now`; none before the severity is known.
    pub fn of(journal: &Journal, now: Timestamp) -> Option<Clock> {
        let assessed = journal.assessment.as_ref()?;
        let detected = journal.detected_at()?;
        let target = SignedDuration::from_mins(i64::from(assessed.response_minutes));
        let deadline = detected.checked_add(target).ok()?;
        let deployed = production_deployed(journal);
        let minutes = |d: SignedDuration| d.as_mins();
        let reading = match deployed {
            Some(at) if at <= deadline => Reading::Met {
                took_minutes: minutes(at.duration_since(detected)),
            },
            Some(at) => Reading::Missed {
                took_minutes: minutes(at.duration_since(detected)),
            },
            None if now <= deadline => Reading::Running {
                left_minutes: minutes(deadline.duration_since(now)),
            },
            None => Reading::Overdue {
                over_minutes: minutes(now.duration_since(deadline)),
            },
        };
        Some(Clock {
            severity: assessed.level().to_string(),
            target_minutes: assessed.response_minutes,
            detected,
            deadline,
            deployed,
            reading,
        })
    }
}

/// `1h12m`, `45m`, `2h`, `3d4h`: durations as people say them.
pub fn minutes_text(minutes: i64) -> String {
    let minutes = minutes.max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h{m:02}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d{h}h"),
    }
}

/// The incident a command works on: the named ticket (in progress, finished, or only in
/// the notes), else the
/// hotfix whose branch is checked out, else the only one in progress, else the newest
/// finished one whose production deploy is not verified yet.
pub fn select(repo: &Repo, ticket: Option<&str>) -> Result<Journal> {
    let store = Store::new(repo);
    if let Some(ticket) = ticket {
        let id = crate::foundation::names::ticket(ticket)?;
        // After its journal is gone (another clone), a finished hotfix lives on in its note.
        let journal = match store.load_any(&id)? {
            Some(journal) => Some(journal),
            None => crate::records::notes::find(repo, &id)?,
        };
        return journal.ok_or_else(|| Error::NotAHotfix {
            selector: format!("ticket `{id}`"),
        });
    }
    let mut active = store.active()?;
    if let Ok((branch, _)) = repo.current_branch()
        && let Some(i) = active.iter().position(|j| j.branch == branch)
    {
        return Ok(active.remove(i));
    }
    match active.len() {
        0 => {}
        1 => return Ok(active.remove(0)),
        _ => {
            return Err(Error::AmbiguousHotfix {
                tickets: active.into_iter().map(|j| j.ticket).collect(),
            });
        }
    }
    store
        .finished()?
        .into_iter()
        .rev()
        .find(is_open)
        .ok_or(Error::NoIncident)
}

/// The hotfix a rollback of `environment` is about: the named one; else the one whose
/// release runs there now, as deploys and rollbacks record it — verified or not, as the
/// monitoring window is when rollbacks happen; when no deploy is recorded, or it runs a
/// release no hotfix made and the person named where to go (`target_named`), as [`select`].
pub fn select_running(
    repo: &Repo,
    ticket: Option<&str>,
    environment: &str,
    target_named: bool,
) -> Result<Journal> {
    use crate::views::deployed::{Owner, running_hotfix};
    if ticket.is_some() {
        return select(repo, ticket);
    }
    match running_hotfix(repo, environment)? {
        Owner::Hotfix(journal) => Ok(*journal),
        // Not a hotfix's: where to go is not for any hotfix's records to guess.
        Owner::Other { version } if !target_named => Err(Error::RunsNoHotfix {
            environment: environment.to_string(),
            version,
        }),
        Owner::Other { .. } | Owner::Unknown => select(repo, ticket),
    }
}

/// As [`select`], and once no incident is open, the most recent finished hotfix: what its
/// follow-ups (the report, the review, communicating) are about. Says whether it was picked
/// that way, for the caller to tell which one it took.
pub fn select_recent(repo: &Repo, ticket: Option<&str>) -> Result<(Journal, bool)> {
    match select(repo, ticket) {
        Err(Error::NoIncident) => {
            // In a clone that finished none itself, the team's last one, from the notes.
            let recent = match Store::new(repo).finished()?.pop() {
                Some(journal) => Some(journal),
                None => crate::records::notes::all(repo)?
                    .0
                    .into_iter()
                    .map(|n| n.journal)
                    .max_by_key(|j| j.started_at()),
            };
            recent
                .map(|journal| (journal, true))
                .ok_or(Error::NoIncident)
        }
        other => other.map(|journal| (journal, false)),
    }
}

/// Whether production was rolled back after its last verification.
pub(crate) fn rolled_back(journal: &Journal) -> bool {
    let last = |wanted: Action| {
        journal.events.iter().rev().find_map(|e| match &e.what {
            EventKind::DeployEnded {
                action,
                environment,
                ok: true,
                ..
            } if *action == wanted && environment == PRODUCTION => Some(e.at),
            _ => None,
        })
    };
    match (last(Action::Verify), last(Action::Rollback)) {
        (Some(verified), Some(rolled_back)) => rolled_back >= verified,
        _ => false,
    }
}

/// When production's feature flag was turned off (`rollback --flag`) after its last
/// verification, and which: the release still runs, and the incident is not over.
pub fn flagged_off(journal: &Journal) -> Option<(Timestamp, String)> {
    let mut off = None;
    for event in &journal.events {
        match &event.what {
            EventKind::DeployEnded {
                action: Action::Verify,
                environment,
                ok: true,
                ..
            } if environment == PRODUCTION => off = None,
            EventKind::DeployEnded {
                action: Action::Rollback,
                environment,
                ok: true,
                flag: Some(flag),
                ..
            } if environment == PRODUCTION => off = Some((event.at, flag.clone())),
            _ => {}
        }
    }
    off
}

/// Open until production is verified, and again once production is rolled back after that.
pub fn is_open(journal: &Journal) -> bool {
    succeeded(journal, Action::Verify, PRODUCTION).is_none() || rolled_back(journal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::fix::is_test_path;

    #[test]
    fn test_paths_are_recognised_by_directory_or_name() {
        for path in [
            "tests/auth.rs",
            "src/auth/__tests__/login.js",
            "spec/models/user_spec.rb",
            "pkg/auth/login_test.go",
            "app/test_login.py",
            "web/login.test.ts",
            "src/test/java/LoginTest.java",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in ["src/auth.rs", "latest.txt", "contest/main.c", "README.md"] {
            assert!(!is_test_path(path), "{path}");
        }
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(minutes_text(0), "0m");
        assert_eq!(minutes_text(45), "45m");
        assert_eq!(minutes_text(120), "2h");
        assert_eq!(minutes_text(72), "1h12m");
        assert_eq!(minutes_text(1440 + 240 + 5), "1d4h");
        assert_eq!(minutes_text(-3), "0m");
    }

    #[test]
    fn every_item_parses_back_from_its_name() {
        for item in Item::ALL {
            assert_eq!(Item::parse(item.name()), Some(item));
            let json = serde_json::to_value(item).unwrap();
            assert_eq!(json, item.name());
        }
    }
}
