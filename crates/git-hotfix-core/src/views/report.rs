//! What the incident reports say, gathered from a hotfix's record (its journal, or its note
//! once the journal is gone) and the fix's commits. The words around the facts are
//! templates, the CLI's.

use jiff::Timestamp;

use crate::foundation::error::Result;
use crate::foundation::oid::short;
use crate::git::repo::{Base, Repo};
use crate::records::journal::Action;
use crate::records::journal::Item;
use crate::records::journal::PRODUCTION;
use crate::records::journal::TargetStatus;
use crate::records::journal::{EventKind, Journal, PullRecord, Store};
use crate::settings::config::Config;
use crate::views::deployed::Running;
use crate::views::incident::{self, By, Clock, Reading, Tick, minutes_text};

/// A moment of the incident: in UTC, and as an offset from detection.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Moment {
    pub at: Timestamp,
    /// `2026-03-05 14:23 UTC`
    pub utc: String,
    /// `14:23`
    pub time: String,
    /// `T+20m` from detection.
    pub offset: String,
}

impl Moment {
    fn new(at: Timestamp, detected: Timestamp) -> Moment {
        // In whole seconds, as git keeps a commit's time: a commit made in the second its
        // branch was created is not a minute before it.
        let minutes = (at.as_second() - detected.as_second()) / 60;
        Moment {
            at,
            utc: at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            time: at.strftime("%H:%M").to_string(),
            offset: format!(
                "T{}{}",
                if minutes < 0 { "-" } else { "+" },
                minutes_text(minutes.abs())
            ),
        }
    }
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Entry {
    #[serde(flatten)]
    pub moment: Moment,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Severity {
    /// `P0`
    pub level: String,
    /// `security vulnerability`
    pub label: String,
    pub target_minutes: u32,
    /// `2h`
    pub target: String,
    pub deploy_window: String,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Commit {
    pub id: String,
    pub short: String,
    pub summary: String,
    pub body: String,
    pub tests: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Deploy {
    pub action: Action,
    pub environment: String,
    #[serde(flatten)]
    pub moment: Moment,
    pub ok: bool,
    pub forced: bool,
    /// A rollback by turning this feature flag off, the release left running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Backported {
    pub target: String,
    pub status: TargetStatus,
    pub pull: Option<PullRecord>,
}

/// Everything a report may say.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Facts {
    pub ticket: String,
    pub title: String,
    pub product: Option<String>,
    pub version: String,
    pub tag: String,
    /// The release the hotfix branched from (`v1.2.3`, or a branch).
    pub base: String,
    pub severity: Option<Severity>,
    /// `resolved` (verified in production, and production still runs a release with the
    /// fix), `rolled back` (production went back to a release without it, the fix was
    /// reverted, or a feature flag was turned off in production since it was verified), `deployed` (in production, not verified yet), `released` (tagged, not in
    /// production), or `in progress`.
    pub status: String,
    pub detected: Moment,
    pub deployed: Option<Moment>,
    pub resolved: Option<Moment>,
    /// When production stopped running the fix: a rollback to a release without it, a
    /// release that reverts it, or its feature turned off.
    pub rolled_back: Option<Moment>,
    /// The feature flag turned off in production, when that is how it was rolled back.
    pub flagged_off: Option<String>,
    /// What production runs now, as deploys and rollbacks record it.
    pub production: Option<Running>,
    /// Detection to the production deploy, against the severity's target.
    pub minutes_to_deploy: Option<i64>,
    pub time_to_deploy: Option<String>,
    pub within_target: Option<bool>,
    /// Detection to resolution (or to now, while open): the window of impact.
    pub impact_minutes: i64,
    pub impact_duration: String,
    /// What the person writing the report said of the impact (`report --impact`).
    pub impact: Option<String>,
    pub timeline: Vec<Entry>,
    pub commits: Vec<Commit>,
    /// `Root cause:` from the fix's commit messages, when one says it.
    pub root_cause: Option<String>,
    pub regression_test: bool,
    pub pull: Option<PullRecord>,
    pub release_url: Option<String>,
    pub backports: Vec<Backported>,
    pub deploys: Vec<Deploy>,
    pub checklist: Vec<Tick>,
    /// The checklist's items not done yet, as people read them.
    pub open_items: Vec<String>,
    pub generated: Moment,
}

/// Gather the facts of `journal` at `now`.
pub fn facts(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    impact: Option<String>,
    now: Timestamp,
) -> Result<Facts> {
    let detected = journal.detected_at().unwrap_or(now);
    let moment = |at: Timestamp| Moment::new(at, detected);
    let checklist = incident::checklist(repo, journal, &config.escalation)?;
    let fix = crate::records::fix::fix_commits(repo, journal)?;
    let done = |item: Item| checklist.iter().find(|t| t.item == item).and_then(|t| t.at);
    let clock = Clock::of(journal, now);
    let deployed = incident::production_deployed(journal);
    let taken_back = taken_back(repo, journal)?;
    // What production runs now decides: a release without the fix is not a resolution,
    // whatever was verified before.
    let production = crate::views::deployed::running(repo, config, journal, PRODUCTION)?;
    // The release runs with its feature turned off: not resolved either. A flag turned off
    // before the fix was in production is a mitigation, not a rollback of it.
    let flag_off =
        incident::flagged_off(journal).filter(|(at, _)| deployed.is_some_and(|d| *at >= d));
    let rolled_back = match (&production, deployed) {
        (Some((running, Some(false))), Some(_)) => Some(running.at),
        _ => taken_back
            .iter()
            .map(|(at, _)| *at)
            .chain(flag_off.as_ref().map(|(at, _)| *at))
            .max(),
    };
    // Said only when the flag is what rolled it back last.
    let flagged_off = flag_off
        .filter(|(at, _)| rolled_back == Some(*at))
        .map(|(_, flag)| flag);
    // Verified in production means something only once production has the release.
    let resolved =
        done(Item::ProductionVerified).filter(|_| rolled_back.is_none() && deployed.is_some());
    let status = if resolved.is_some() {
        "resolved"
    } else if rolled_back.is_some() {
        "rolled back"
    } else if deployed.is_some() {
        "deployed"
    } else if done(Item::Tagged).is_some() {
        "released"
    } else {
        "in progress"
    };
    let minutes_to_deploy = deployed.map(|at| at.duration_since(detected).as_mins());
    let impact_minutes = resolved.unwrap_or(now).duration_since(detected).as_mins();

    let deploys: Vec<Deploy> = journal
        .events
        .iter()
        .filter_map(|e| match &e.what {
            EventKind::DeployEnded {
                action,
                environment,
                ok,
                forced,
                flag,
                ..
            } => Some(Deploy {
                action: *action,
                environment: environment.clone(),
                moment: moment(e.at),
                ok: *ok,
                forced: *forced,
                flag: flag.clone(),
            }),
            _ => None,
        })
        .collect();

    Ok(Facts {
        ticket: journal.ticket.clone(),
        title: journal.description.clone(),
        product: journal.product.clone(),
        version: journal.version.to_string(),
        tag: journal.tag.clone(),
        base: match &journal.base {
            Base::Tag { name, .. } => name.clone(),
            other => other.label(),
        },
        severity: journal.assessment.as_ref().map(|a| Severity {
            level: a.level().to_string(),
            label: a.label.clone(),
            target_minutes: a.response_minutes,
            target: minutes_text(i64::from(a.response_minutes)),
            deploy_window: a.deploy_window.clone(),
            reasons: a.reasons.clone(),
        }),
        status: status.to_string(),
        detected: moment(detected),
        deployed: deployed.map(moment),
        resolved: resolved.map(moment),
        rolled_back: rolled_back.map(moment),
        flagged_off,
        production: production.map(|(running, _)| running),
        minutes_to_deploy,
        time_to_deploy: minutes_to_deploy.map(minutes_text),
        within_target: match clock.map(|c| c.reading) {
            Some(Reading::Met { .. }) => Some(true),
            Some(Reading::Missed { .. }) => Some(false),
            _ => None,
        },
        impact_minutes,
        impact_duration: minutes_text(impact_minutes),
        impact,
        timeline: timeline(
            journal,
            &checklist,
            &deploys,
            &taken_back,
            detected,
            resolved,
        ),
        root_cause: crate::records::fix::root_cause(&fix),
        regression_test: fix.iter().any(|c| c.touches_tests),
        commits: fix
            .iter()
            .map(|c| Commit {
                id: c.id.to_string(),
                short: short(c.id),
                summary: c.summary.clone(),
                body: c.body.clone(),
                tests: c.touches_tests,
            })
            .collect(),
        pull: pull_of(journal),
        release_url: journal.events.iter().rev().find_map(|e| match &e.what {
            EventKind::ReleasePublished { url, .. } => Some(url.clone()),
            _ => None,
        }),
        backports: journal
            .events
            .iter()
            .filter_map(|e| match &e.what {
                EventKind::Backported { targets } => Some(targets),
                _ => None,
            })
            .flatten()
            .map(|t| Backported {
                target: t.target.clone(),
                status: t.status,
                pull: t.pull.clone(),
            })
            .collect(),
        deploys,
        open_items: incident::outstanding(&checklist)
            .into_iter()
            .map(|item| item.label().to_string())
            .collect(),
        checklist,
        generated: moment(now),
    })
}

/// The hotfix's own pull request (not a backport's).
fn pull_of(journal: &Journal) -> Option<PullRecord> {
    journal
        .proposal
        .as_ref()
        .and_then(|p| p.pull.clone())
        .or_else(|| {
            journal.events.iter().find_map(|e| match &e.what {
                EventKind::PullOpened { number, url, .. } => Some(PullRecord {
                    number: *number,
                    url: url.clone(),
                }),
                _ => None,
            })
        })
}

/// When and by which hotfix `journal`'s fix was taken back: the rollbacks released (their
/// journals say what they revert; older journals said it in the one taken back).
fn taken_back(repo: &Repo, journal: &Journal) -> Result<Vec<(Timestamp, String)>> {
    let mut found: Vec<(Timestamp, String)> = journal
        .events
        .iter()
        .filter_map(|e| match &e.what {
            EventKind::Reverted { by, .. } => Some((e.at, by.clone())),
            _ => None,
        })
        .collect();
    for rollback in Store::new(repo).finished()? {
        let reverts = rollback.events.iter().any(
            |e| matches!(&e.what, EventKind::Reverts { ticket, .. } if *ticket == journal.ticket),
        );
        let released = rollback.events.iter().rev().find_map(|e| match e.what {
            EventKind::Finished { .. } => Some(e.at),
            _ => None,
        });
        if let (true, Some(at)) = (reverts, released)
            && !found.iter().any(|(_, by)| *by == rollback.ticket)
        {
            found.push((at, rollback.ticket));
        }
    }
    Ok(found)
}

/// Detection, each checklist item as it was done, every deploy, verification and rollback
/// (failed ones too), and the resolution; in time order.
fn timeline(
    journal: &Journal,
    checklist: &[Tick],
    deploys: &[Deploy],
    taken_back: &[(Timestamp, String)],
    detected: Timestamp,
    resolved: Option<Timestamp>,
) -> Vec<Entry> {
    let entry = |at: Timestamp, what: String| Entry {
        moment: Moment::new(at, detected),
        what,
    };
    let mut entries = vec![entry(detected, "incident detected".into())];
    let deploy_items = [
        Item::StagingDeployed,
        Item::StagingVerified,
        Item::ProductionDeployed,
        Item::ProductionVerified,
    ];
    for tick in checklist {
        let Some(at) = tick.at else { continue };
        // The workflow's deploys are told below, each attempt; a person's tick is told here.
        if deploy_items.contains(&tick.item) && tick.by == Some(By::Workflow) {
            continue;
        }
        let mut what = match tick.item {
            Item::Assessed => match &journal.assessment {
                Some(a) => format!("assessed {} ({})", a.level(), a.label),
                None => "assessed".into(),
            },
            Item::FixCommitted => "first fix commit".into(),
            Item::Tagged => format!("tagged {}", journal.tag),
            item => item.label().to_string(),
        };
        match (tick.item, &tick.note) {
            (Item::Escalated, Some(to)) => what = format!("escalated to {to}"),
            (_, Some(note)) => what.push_str(&format!(" ({note})")),
            _ => {}
        }
        entries.push(entry(at, what));
    }
    for deploy in deploys {
        let verb = match (deploy.action, deploy.ok) {
            (Action::Deploy, true) => "deployed to",
            (Action::Deploy, false) => "deploy failed in",
            (Action::Verify, true) => "verified",
            (Action::Verify, false) => "verification failed in",
            (Action::Rollback, true) => "rolled back",
            (Action::Rollback, false) => "rollback failed in",
        };
        let how = if deploy.forced {
            " (before staging was verified)".to_string()
        } else if let Some(flag) = &deploy.flag {
            format!(" by turning feature flag `{flag}` off")
        } else {
            String::new()
        };
        entries.push(Entry {
            moment: deploy.moment.clone(),
            what: format!("{verb} {}{how}", deploy.environment),
        });
    }
    for (at, by) in taken_back {
        entries.push(entry(*at, format!("taken back: reverted by {by}")));
    }
    if let Some(at) = resolved {
        entries.push(entry(at, format!("resolved: verified in {PRODUCTION}")));
    }
    // git's times have whole seconds: within one second, the workflow's order stands.
    entries.sort_by_key(|e| e.moment.at.as_second());
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_count_from_detection() {
        let detected: Timestamp = "2026-03-05T14:03:00Z".parse().unwrap();
        let moment = Moment::new("2026-03-05T15:20:00Z".parse().unwrap(), detected);
        assert_eq!(moment.utc, "2026-03-05 15:20 UTC");
        assert_eq!(moment.time, "15:20");
        assert_eq!(moment.offset, "T+1h17m");
    }

    #[test]
    fn a_commit_in_the_second_its_branch_was_made_is_not_a_minute_before_it() {
        // Detected "25 minutes ago" at 14:48:00.7; the branch made then; the fix committed
        // in that second, which git keeps as 14:48:00.
        let detected: Timestamp = "2026-03-05T14:23:00.7Z".parse().unwrap();
        let branch = Moment::new("2026-03-05T14:48:00.9Z".parse().unwrap(), detected);
        let fix = Moment::new("2026-03-05T14:48:00Z".parse().unwrap(), detected);
        assert_eq!(branch.offset, "T+25m");
        assert_eq!(fix.offset, "T+25m");
    }
}
