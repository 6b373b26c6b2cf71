//! The incident around a fix: the clock that runs from detection to the production deploy,
//! and the runbook's checklist. The workflow ticks what it sees itself (its events, the
//! fix's commits); a person ticks the rest with `git hotfix check`.

use gix::ObjectId;
use jiff::{SignedDuration, Timestamp};

use crate::error::{Error, Result};
use crate::journal::{EventKind, Journal, State, Store};
use crate::repo::Repo;

/// What a deploy policy is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Deploy,
    Verify,
    Rollback,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Deploy => "deploy",
            Action::Verify => "verify",
            Action::Rollback => "rollback",
        }
    }
}

/// How one deploy step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepResult {
    Ok,
    Failed,
    /// A confirmation was answered no.
    Declined,
}

/// The environments the checklist knows; a policy may deploy to others.
pub const STAGING: &str = "staging";
pub const PRODUCTION: &str = "production";

/// The runbook's checklist, in the order the work happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Item {
    Assessed,
    BranchCreated,
    FixCommitted,
    RegressionTest,
    VersionBumped,
    Changelog,
    PrOpened,
    Merged,
    Tagged,
    Pushed,
    StagingDeployed,
    StagingVerified,
    ProductionDeployed,
    ProductionVerified,
    Communicated,
    ReviewScheduled,
}

impl Item {
    pub const ALL: [Item; 16] = [
        Item::Assessed,
        Item::BranchCreated,
        Item::FixCommitted,
        Item::RegressionTest,
        Item::VersionBumped,
        Item::Changelog,
        Item::PrOpened,
        Item::Merged,
        Item::Tagged,
        Item::Pushed,
        Item::StagingDeployed,
        Item::StagingVerified,
        Item::ProductionDeployed,
        Item::ProductionVerified,
        Item::Communicated,
        Item::ReviewScheduled,
    ];

    /// The name `git hotfix check` takes.
    pub fn name(self) -> &'static str {
        match self {
            Item::Assessed => "assessed",
            Item::BranchCreated => "branch-created",
            Item::FixCommitted => "fix-committed",
            Item::RegressionTest => "regression-test",
            Item::VersionBumped => "version-bumped",
            Item::Changelog => "changelog",
            Item::PrOpened => "pr-opened",
            Item::Merged => "merged",
            Item::Tagged => "tagged",
            Item::Pushed => "pushed",
            Item::StagingDeployed => "staging-deployed",
            Item::StagingVerified => "staging-verified",
            Item::ProductionDeployed => "production-deployed",
            Item::ProductionVerified => "production-verified",
            Item::Communicated => "communicated",
            Item::ReviewScheduled => "review-scheduled",
        }
    }

    /// As a person reads it in `status`.
    pub fn label(self) -> &'static str {
        match self {
            Item::Assessed => "assessed",
            Item::BranchCreated => "branch created",
            Item::FixCommitted => "fix committed",
            Item::RegressionTest => "regression test touched",
            Item::VersionBumped => "version bumped",
            Item::Changelog => "changelog",
            Item::PrOpened => "PR opened",
            Item::Merged => "merged",
            Item::Tagged => "tagged",
            Item::Pushed => "pushed",
            Item::StagingDeployed => "deployed to staging",
            Item::StagingVerified => "staging verified",
            Item::ProductionDeployed => "deployed to production",
            Item::ProductionVerified => "production verified",
            Item::Communicated => "communicated",
            Item::ReviewScheduled => "review scheduled",
        }
    }

    pub fn parse(name: &str) -> Option<Item> {
        Item::ALL.into_iter().find(|item| item.name() == name)
    }

    /// Items only a person can tick: the workflow never sees them happen.
    pub fn by_hand_only(self) -> bool {
        matches!(self, Item::Communicated | Item::ReviewScheduled)
    }
}

/// Who ticked an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum By {
    /// git-hotfix saw it happen (an event, a commit).
    Workflow,
    /// Someone said so with `git hotfix check`.
    Person,
}

/// One checklist item and, when it is done, since when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tick {
    pub item: Item,
    pub at: Option<Timestamp>,
    pub by: Option<By>,
    pub note: Option<String>,
}

impl Tick {
    pub fn done(&self) -> bool {
        self.at.is_some()
    }
}

/// The checklist of `journal`, the workflow's own ticks first, a person's for the rest.
pub fn checklist(repo: &Repo, journal: &Journal) -> Result<Vec<Tick>> {
    let fix = fix_commits(repo, journal)?;
    let release_time = match release_commit(journal) {
        Some(commit) => Some(repo.commit_time(commit)?),
        None => None,
    };
    let manual = manual_ticks(journal);
    Ok(Item::ALL
        .into_iter()
        .map(|item| {
            if let Some(at) = seen(journal, item, &fix, release_time) {
                return Tick {
                    item,
                    at: Some(at),
                    by: Some(By::Workflow),
                    note: None,
                };
            }
            match manual.iter().find(|(i, ..)| *i == item) {
                Some((_, at, note)) => Tick {
                    item,
                    at: Some(*at),
                    by: Some(By::Person),
                    note: note.clone(),
                },
                None => Tick {
                    item,
                    at: None,
                    by: None,
                    note: None,
                },
            }
        })
        .collect())
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
    checklist
        .iter()
        .filter(|t| !t.done())
        .map(|t| t.item)
        .filter(|item| match item {
            Item::StagingDeployed | Item::StagingVerified => !done(Item::ProductionDeployed),
            Item::PrOpened => !done(Item::Merged),
            Item::VersionBumped | Item::Changelog => !done(Item::Tagged),
            _ => true,
        })
        .collect()
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
            tag, notes, bumped, ..
        } => Some((e.at, tag, notes, bumped)),
        _ => None,
    });
    match item {
        Item::Assessed => first(&|e| matches!(e, EventKind::Assessed { .. })),
        Item::BranchCreated => first(&|e| matches!(e, EventKind::Started { .. })),
        Item::FixCommitted => fix.first().map(|c| c.at),
        Item::RegressionTest => fix.iter().find(|c| c.touches_tests).map(|c| c.at),
        Item::VersionBumped => finished
            .filter(|(_, _, _, bumped)| !bumped.is_empty())
            .and(release_time),
        Item::Changelog => finished
            .filter(|(_, _, notes, _)| notes.is_some())
            .and(release_time),
        Item::PrOpened => first(&|e| matches!(e, EventKind::PullOpened { .. })),
        Item::Merged => {
            first(&|e| matches!(e, EventKind::PullMerged { .. })).or_else(|| merged_here(journal))
        }
        Item::Tagged => finished
            .filter(|(_, tag, ..)| tag.is_some())
            .map(|(at, ..)| at),
        Item::Pushed => journal.release_pushed().map(|(at, _)| at),
        Item::StagingDeployed => deployed(Action::Deploy, STAGING),
        Item::StagingVerified => deployed(Action::Verify, STAGING),
        Item::ProductionDeployed => deployed(Action::Deploy, PRODUCTION),
        Item::ProductionVerified => deployed(Action::Verify, PRODUCTION),
        Item::Communicated | Item::ReviewScheduled => None,
    }
}

/// A local finish merged the fix when it moved a branch other than the hotfix's own.
fn merged_here(journal: &Journal) -> Option<Timestamp> {
    let own = format!("refs/heads/{}", journal.branch);
    journal.events.iter().find_map(|e| match &e.what {
        EventKind::RefsMoved { refs }
            if refs
                .iter()
                .any(|r| r.name.starts_with("refs/heads/") && r.name != own && r.new.is_some()) =>
        {
            Some(e.at)
        }
        _ => None,
    })
}

/// A commit of the fix (the release commit is not part of it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FixCommit {
    #[serde(with = "crate::oid::hex")]
    pub id: ObjectId,
    pub at: Timestamp,
    pub summary: String,
    /// The message after its first line.
    pub body: String,
    /// It changes a test file: the regression test the runbook asks for.
    pub touches_tests: bool,
}

/// The fix's commits, oldest first: on the branch while it is in progress, below the
/// release commit (or the tag) once finished.
pub fn fix_commits(repo: &Repo, journal: &Journal) -> Result<Vec<FixCommit>> {
    let Some(tip) = fix_tip(repo, journal)? else {
        return Ok(Vec::new());
    };
    let releases = journal.release_commits();
    let mut commits = Vec::new();
    for id in repo
        .commits_between(journal.base.commit(), tip)?
        .into_iter()
        .rev()
    {
        if releases.contains(&id) {
            continue;
        }
        let touches_tests = crate::diff::commit(repo, id, crate::diff::Style::Review)?
            .iter()
            .any(|file| is_test_path(file.path()));
        let message = repo.message(id)?;
        let (summary, body) = message.split_once('\n').unwrap_or((&message, ""));
        commits.push(FixCommit {
            id,
            at: repo.commit_time(id)?,
            summary: summary.trim().to_string(),
            body: body.trim().to_string(),
            touches_tests,
        });
    }
    Ok(commits)
}

fn fix_tip(repo: &Repo, journal: &Journal) -> Result<Option<ObjectId>> {
    if journal.state == State::Active
        && let Some(tip) = repo.branch_tip(&journal.branch)?
    {
        return Ok(Some(tip));
    }
    if let Some(release) = release_commit(journal) {
        return repo.first_parent(release);
    }
    repo.peeled_commit(&format!("refs/tags/{}", journal.tag))
}

/// The release commit `finish` (or `finish --pr`) made on top of the fix.
fn release_commit(journal: &Journal) -> Option<ObjectId> {
    journal.release_commits().last().copied()
}

/// Whether a changed path is a test: under a test directory, or named like one.
pub fn is_test_path(path: &str) -> bool {
    const DIRS: &[&str] = &["test", "tests", "spec", "specs", "__tests__", "testing"];
    let mut parts = path.split('/');
    let name = parts.next_back().unwrap_or_default();
    if parts.any(|dir| DIRS.contains(&dir)) {
        return true;
    }
    let stem = name.split('.').next().unwrap_or_default();
    stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || stem.ends_with("Test")
        || stem.ends_with("Tests")
        || name.contains(".test.")
        || name.contains(".spec.")
}

/// The response clock: from detection, the severity's time to the production deploy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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
            severity: assessed.severity.clone(),
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
        let id = crate::names::ticket(ticket)?;
        // After its journal is gone (another clone), a finished hotfix lives on in its note.
        let journal = match store.load_any(&id)? {
            Some(journal) => Some(journal),
            None => crate::notes::find(repo, &id)?,
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

/// Open until production is verified.
pub fn is_open(journal: &Journal) -> bool {
    succeeded(journal, Action::Verify, PRODUCTION).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

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
