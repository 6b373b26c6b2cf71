//! One journal per hotfix under `.git/hotfix/`: what was started, what each run did, and
//! where a stopped run stands. `status`, `continue` and `abort` read it; reports will too.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use jiff::Timestamp;

use crate::foundation::changelog::Format;
use crate::foundation::error::{Error, IoContext, Result};
use crate::foundation::version::Version;
use crate::git::refs::RefMove;
use crate::git::repo::{Base, Repo};
use crate::records::run::Run;

/// Bumped whenever a field changes meaning; older journals are refused with a clear error.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Journal {
    pub schema: u32,
    pub ticket: String,
    pub description: String,
    pub product: Option<String>,
    /// Short name of the hotfix branch.
    pub branch: String,
    pub base: Base,
    pub version: Version,
    /// The tag `finish` will create.
    pub tag: String,
    /// When the incident was detected (`start --detected-at`); the clock runs from it.
    /// Journals written before it was kept read the start's time instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected_at: Option<Timestamp>,
    /// A linked worktree `start --worktree` made for this hotfix.
    pub worktree: Option<PathBuf>,
    pub state: State,
    /// How urgent it is, as the severity policy (or a person) said.
    #[serde(default)]
    pub assessment: Option<Assessed>,
    pub events: Vec<Event>,
    /// A run that stopped part-way (a conflict, a rejected push) and waits for
    /// `continue` or `abort`.
    pub run: Option<Run>,
    /// `finish --pr`: the hotfix went up for review instead of being merged here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<Proposal>,
    /// `git hotfix tag`: the release was made on the hotfix branch and tagged before its
    /// finish, which releases the branch as it is rather than bump it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepared: Option<Prepared>,
    /// The run of a finish that pushed nothing, kept with the finished hotfix: while its
    /// release has not left this clone, `abort --hotfix` takes the finish back (someone
    /// released under its name meanwhile, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpublished: Option<Run>,
}

/// The release `git hotfix tag` made on the hotfix branch: `tag` names `tip`.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Prepared {
    pub tag: String,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub tip: ObjectId,
    pub release: Option<ReleaseCommit>,
    #[serde(default, skip_serializing_if = "Held::is_empty")]
    pub held: Held,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onto: Option<Onto>,
}

/// A newer release of the hotfix's line, made by someone else while the hotfix was under
/// way, that the fix was merged into before being released: every release of a line
/// contains the ones before it.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Onto {
    /// The newer release's tag.
    pub tag: String,
    /// The merge of the fix into it (first parent: the release; second: the fix), under
    /// the release commit.
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub merge: ObjectId,
}

/// A hotfix proposed as a pull request: its branch carries the release commit and was
/// pushed; the pull request, once opened, is remembered so that no run opens another.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Proposal {
    /// The branch the pull request merges into.
    pub base: String,
    /// The release commit `finish --pr` put on the branch.
    pub release: Option<ReleaseCommit>,
    /// What the fix had done of the release commit's work already.
    #[serde(default, skip_serializing_if = "Held::is_empty")]
    pub held: Held,
    /// What the remote's branch holds since the last push; `None` before the first.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub pushed: Option<ObjectId>,
    pub pull: Option<PullRecord>,
}

/// A pull request on the forge.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct PullRecord {
    pub number: u64,
    pub url: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Active,
    Finished,
    /// Ended on purpose without a release (`git hotfix abandon`).
    Abandoned,
}

/// An assessment, kept as data: the journal does not depend on the plugin contract.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Assessed {
    /// `P0` to `P3`.
    pub severity: String,
    /// The team's name for the level (`CRITICAL`), from its severity table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub label: String,
    pub response_minutes: u32,
    /// `immediate`, `same-day`, `next-business-day` or `scheduled`.
    pub deploy_window: String,
    pub reasons: Vec<String>,
    pub approvals_required: u32,
    pub skip_staging_allowed: bool,
    /// The policy that said so (`builtin:severity`, a file), or `--severity` for a person.
    pub by: String,
}

impl Assessed {
    /// The level as the team says it: its table's name (`CRITICAL`), else `P0` to `P3`.
    pub fn level(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.severity)
    }
}

/// Something that happened, for the timeline.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Event {
    pub at: Timestamp,
    #[serde(flatten)]
    pub what: EventKind,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum EventKind {
    Started {
        base: String,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        commit: ObjectId,
    },
    Assessed {
        severity: String,
        by: String,
    },
    Stopped {
        command: String,
        reason: String,
    },
    /// The hotfix was given another version (its planned one was taken, or a person chose).
    Reversioned {
        from: String,
        to: String,
    },
    /// A person ended the hotfix without releasing it (`git hotfix abandon`).
    Abandoned {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    RefsMoved {
        refs: Vec<RefMove>,
    },
    Pushed {
        remote: String,
        refs: Vec<String>,
    },
    Aborted {
        command: String,
        restored: Vec<RefMove>,
    },
    Finished {
        tag: Option<String>,
        /// The release commit `finish` made on top of the fix (not part of the fix: a
        /// backport leaves it out).
        #[serde(
            default,
            with = "crate::foundation::oid::hex_opt",
            skip_serializing_if = "Option::is_none"
        )]
        #[schemars(with = "Option<String>")]
        release: Option<ObjectId>,
        /// The release's changelog entry: the notes of a release published on the forge.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<String>,
        /// The version files the release commit bumped.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        bumped: Vec<String>,
        /// What the fix had done of the release commit's work already.
        #[serde(default, skip_serializing_if = "Held::is_empty")]
        held: Held,
        /// The newer release of its line the fix was merged into first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        onto: Option<Onto>,
    },
    Backported {
        targets: Vec<BackportedTarget>,
    },
    /// A pull request was opened for the hotfix (or found open).
    PullOpened {
        number: u64,
        url: String,
        base: String,
    },
    /// The hotfix's pull request merged on the forge (recorded at the forge's time).
    PullMerged {
        number: u64,
        url: String,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        commit: ObjectId,
    },
    /// A release was published on the forge for a tag.
    ReleasePublished {
        tag: String,
        url: String,
    },
    /// A person ticked a checklist item (`git hotfix check`); the event's time is the
    /// time they gave.
    Checked {
        item: Item,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A person took a tick back (`git hotfix check --undo`).
    Unchecked {
        item: Item,
    },
    /// A step of a deploy, a verification or a rollback is about to run: journaled before
    /// it starts, so that a git-hotfix killed while it runs leaves the step's outcome
    /// unknown rather than unsaid ([`Journal::cut_short`]).
    DeployStepStarted(StepStart),
    /// One step of a deploy, a verification or a rollback, recorded when it ended.
    DeployStep {
        action: Action,
        environment: String,
        /// The step as `deploy --plan` shows it.
        step: String,
        started: Timestamp,
        result: StepResult,
        /// What went wrong, or what a check answered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// The project's checks (`checks` in settings) ran on the fix before `finish`.
    ChecksRan {
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        commit: ObjectId,
        /// Each command as run, and how it ended.
        commands: Vec<String>,
        result: StepResult,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// `finish --no-checks`: the checks were configured and not run.
    ChecksSkipped,
    /// Production was verified: it is watched until `until`, and the follow-up to the
    /// people told is due at `follow_up` (the windows the settings gave then).
    Monitoring {
        until: Timestamp,
        follow_up: Timestamp,
    },
    /// This hotfix takes `ticket`'s fix back with `commit` (`rollback --revert`).
    Reverts {
        ticket: String,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        commit: ObjectId,
    },
    /// The hotfix was taken back by another, `by`, whose branch holds the revert commit.
    /// Written by git-hotfix before 0.2; a rollback now records [`EventKind::Reverts`] in
    /// its own journal, so that no run writes another hotfix's journal.
    Reverted {
        by: String,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        commit: ObjectId,
    },
    /// A deploy, verification or rollback ended: all its steps passed, or one did not.
    DeployEnded {
        action: Action,
        environment: String,
        started: Timestamp,
        ok: bool,
        /// The release the environment runs afterwards: the one deployed, or the one a
        /// rollback went back to (none for a verification, nor for a rollback by feature
        /// flag: the release stays).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<String>,
        /// Production deployed without a verified staging, on `--force`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        forced: bool,
        /// A rollback by turning this feature flag off (`rollback --flag`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flag: Option<String>,
    },
}

/// A deploy step as it began: what a `continue` needs to run it again, and the rest.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct StepStart {
    pub action: Action,
    pub environment: String,
    /// The step as `deploy --plan` shows it.
    pub step: String,
    /// Its place among the run's steps, from 0.
    pub index: usize,
    /// The release the steps were asked for, and where a rollback goes.
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    pub tag: String,
    /// The git-hotfix process that runs it.
    pub pid: u32,
    pub started: Timestamp,
    /// Production deployed without a verified staging, on `--force`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
    /// A rollback that turns this feature flag off (`rollback --flag`), the release left
    /// running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
}

/// What a deploy run cut short left, in a sentence: `ended` is how its last step begun
/// ended, if it did ([`Journal::open_deploy`]).
pub fn cut_short_said(cut: &StepStart, ended: Option<StepResult>) -> String {
    let step = cut.step.split_whitespace().collect::<Vec<_>>().join(" ");
    let (run, n) = (cut.run_name(), cut.index + 1);
    let by = format!(
        "begun {} by git-hotfix pid {}",
        cut.started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        cut.pid
    );
    match ended {
        None => {
            format!("{run} was cut short during step {n} (`{step}`), {by}: its outcome is unknown")
        }
        Some(StepResult::Ok) => format!(
            "{run} was cut short after step {n} (`{step}`), {by}, passed: the steps after it did not run"
        ),
        Some(_) => format!(
            "{run} was cut short after step {n} (`{step}`), {by}, failed: its end was never recorded"
        ),
    }
}

/// What `continue` runs of a deploy cut short, by how its last step ended.
pub fn continue_runs(ended: Option<StepResult>) -> &'static str {
    match ended {
        Some(StepResult::Ok) => "the steps after it",
        _ => "that step again and the rest",
    }
}

impl StepStart {
    /// The run as people say it: `the deploy of 1.2.4 to staging`, `the verification of
    /// 1.2.4 in staging`, `the rollback of staging from 1.2.4 to 1.2.3`.
    pub fn run_name(&self) -> String {
        let (version, environment) = (&self.version, &self.environment);
        match self.action {
            Action::Deploy => format!("the deploy of {version} to {environment}"),
            Action::Verify => format!("the verification of {version} in {environment}"),
            Action::Rollback => match &self.flag {
                Some(flag) => format!("the rollback of {environment} by feature flag `{flag}`"),
                None => format!(
                    "the rollback of {environment} from {version} to {}",
                    self.previous.as_deref().unwrap_or("the release before")
                ),
            },
        }
    }
}

/// What a backport did to one line, as the hotfix's journal remembers it.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct BackportedTarget {
    pub target: String,
    /// The branch that holds the picks, when one was written.
    pub branch: Option<String>,
    pub status: TargetStatus,
    /// The pull request that proposes it (`backport --pr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<PullRecord>,
}

/// When `role` was said to be called in, among `done` ([`Journal::escalated`]).
pub fn escalated_at(done: &[(String, Timestamp)], role: &str) -> Option<Timestamp> {
    done.iter()
        .find(|(to, _)| to.trim().eq_ignore_ascii_case(role.trim()))
        .map(|(_, at)| *at)
}

impl Journal {
    /// Who people said was called in (`check escalated`, the role as the note), and when;
    /// a tick taken back takes back the last one.
    pub fn escalated(&self) -> Vec<(String, Timestamp)> {
        let mut done: Vec<(String, Timestamp)> = Vec::new();
        for event in &self.events {
            match &event.what {
                EventKind::Checked {
                    item: Item::Escalated,
                    note,
                } => done.push((note.clone().unwrap_or_default(), event.at)),
                EventKind::Unchecked {
                    item: Item::Escalated,
                } => {
                    done.pop();
                }
                _ => {}
            }
        }
        done
    }

    /// The deploy step a git-hotfix began and never recorded the end of (it was killed
    /// while the step ran): its outcome is unknown until `continue` runs it again or
    /// `abort` records the deploy as failed. Read under the hotfix lock, which the deploy
    /// holds while it runs, a step found here is no longer running under git-hotfix.
    pub fn cut_short(&self) -> Option<&StepStart> {
        self.open_deploy().map(|(start, _)| start)
    }

    /// The deploy (verify, rollback) run begun and never recorded as ended: the last step
    /// it began, and how that step ended if it did (the kill came between it and the
    /// next).
    pub fn open_deploy(&self) -> Option<(&StepStart, Option<StepResult>)> {
        let mut open = None;
        for event in &self.events {
            match &event.what {
                EventKind::DeployStepStarted(start) => open = Some((start, None)),
                EventKind::DeployStep { result, .. } => {
                    if let Some((_, ended)) = &mut open {
                        *ended = Some(*result);
                    }
                }
                EventKind::DeployEnded { .. } => open = None,
                _ => {}
            }
        }
        open
    }

    pub fn record(&mut self, at: Timestamp, what: EventKind) {
        self.events.push(Event { at, what });
    }

    /// The release commits this hotfix's runs made, finished or stopped part-way.
    pub fn release_commits(&self) -> Vec<ObjectId> {
        let finished = self.events.iter().filter_map(|e| match &e.what {
            EventKind::Finished { release, .. } => *release,
            _ => None,
        });
        let stopped = self
            .run
            .iter()
            .filter_map(|r| r.release.as_ref().map(|r| r.commit));
        let proposed = self
            .proposal
            .iter()
            .filter_map(|p| p.release.as_ref().map(|r| r.commit));
        let prepared = self
            .prepared
            .iter()
            .filter_map(|p| p.release.as_ref().map(|r| r.commit));
        finished
            .chain(stopped)
            .chain(proposed)
            .chain(prepared)
            .collect()
    }

    /// The newer releases this hotfix's runs merged the fix into, finished or stopped
    /// part-way: their commits are not the fix's.
    pub fn onto_merges(&self) -> Vec<ObjectId> {
        let finished = self.events.iter().filter_map(|e| match &e.what {
            EventKind::Finished { onto, .. } => onto.as_ref().map(|o| o.merge),
            _ => None,
        });
        let stopped = self
            .run
            .iter()
            .filter_map(|r| r.onto.as_ref().map(|o| o.merge));
        let prepared = self
            .prepared
            .iter()
            .filter_map(|p| p.onto.as_ref().map(|o| o.merge));
        finished.chain(stopped).chain(prepared).collect()
    }

    pub fn started_at(&self) -> Option<Timestamp> {
        self.events.first().map(|e| e.at)
    }

    /// The journal as another clone can use it: where a run stood and the worktree it used
    /// are of this machine only.
    pub fn portable(&self) -> Journal {
        Journal {
            run: None,
            worktree: None,
            unpublished: None,
            ..self.clone()
        }
    }

    /// When and to which remote the release's tag was pushed.
    pub fn release_pushed(&self) -> Option<(Timestamp, &str)> {
        let tag = format!("refs/tags/{}", self.tag);
        self.events.iter().find_map(|e| match &e.what {
            EventKind::Pushed { remote, refs } if refs.contains(&tag) => {
                Some((e.at, remote.as_str()))
            }
            _ => None,
        })
    }

    /// When the incident was detected: as `start` was told, else when it started.
    pub fn detected_at(&self) -> Option<Timestamp> {
        self.detected_at.or_else(|| self.started_at())
    }

    /// What a finished hotfix released: its tag, and its changelog entry as notes.
    pub fn released(&self) -> Option<Released> {
        self.events.iter().rev().find_map(|e| match &e.what {
            EventKind::Finished {
                tag: Some(tag),
                notes,
                ..
            } => Some(Released {
                tag: tag.clone(),
                notes: notes.clone(),
            }),
            _ => None,
        })
    }
}

/// The tag a finished hotfix made, and the notes for its release on the forge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    pub tag: String,
    pub notes: Option<String>,
}

/// The journals of one repository, shared by all its worktrees.
pub struct Store<'r> {
    dir: PathBuf,
    /// Where a finished journal's note goes (never an in-memory repository).
    repo: &'r Repo,
}

impl<'r> Store<'r> {
    pub fn new(repo: &'r Repo) -> Store<'r> {
        Store {
            dir: repo.common_dir().join("hotfix"),
            repo,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn active_path(&self, ticket: &str) -> PathBuf {
        self.dir.join(format!("{ticket}.json"))
    }

    fn finished_dir(&self) -> PathBuf {
        self.dir.join("finished")
    }

    pub fn load(&self, ticket: &str) -> Result<Option<Journal>> {
        read_json(&self.active_path(ticket), SCHEMA)
    }

    /// Whether the hotfix's journal, as it is on disk now, holds a run waiting for
    /// `continue` or `abort` (one that cannot be read holds none that can be gone on with).
    pub fn run_waits(&self, ticket: &str) -> bool {
        self.load(ticket)
            .ok()
            .flatten()
            .is_some_and(|journal| journal.run.is_some())
    }

    /// The hotfixes in progress, oldest first.
    pub fn active(&self) -> Result<Vec<Journal>> {
        let mut all = read_dir_journals(&self.dir)?;
        all.sort_by_key(|j| j.started_at());
        Ok(all)
    }

    /// The hotfixes that ended, released or abandoned, oldest first.
    pub fn ended(&self) -> Result<Vec<Journal>> {
        let mut all = read_dir_journals(&self.finished_dir())?;
        all.sort_by_key(|j| j.started_at());
        Ok(all)
    }

    /// The released hotfixes, oldest first.
    pub fn finished(&self) -> Result<Vec<Journal>> {
        let mut all = self.ended()?;
        all.retain(|j| j.state == State::Finished);
        Ok(all)
    }

    /// The newest finished journal of `ticket`.
    pub fn load_finished(&self, ticket: &str) -> Result<Option<Journal>> {
        Ok(self
            .finished()?
            .into_iter()
            .rev()
            .find(|j| j.ticket == ticket))
    }

    /// The journal of `ticket`, in progress or else the newest that ended.
    pub fn load_any(&self, ticket: &str) -> Result<Option<Journal>> {
        match self.load(ticket)? {
            Some(journal) => Ok(Some(journal)),
            None => Ok(self.ended()?.into_iter().rev().find(|j| j.ticket == ticket)),
        }
    }

    /// Record `what` in `journal` and save it, under the lock.
    pub fn append(&self, journal: &mut Journal, at: Timestamp, what: EventKind) -> Result<()> {
        let _lock = self.lock()?;
        journal.record(at, what);
        self.save(journal)
    }

    /// Write atomically: a reader sees the old journal or the new one, never half of one.
    /// A finished hotfix's note (its audit trail in the repository) follows the journal.
    pub fn save(&self, journal: &Journal) -> Result<()> {
        self.ensure_no_links()?;
        let path = match journal.state {
            State::Active => self.active_path(&journal.ticket),
            State::Finished | State::Abandoned => self.finished_path(journal),
        };
        write_json(&path, journal)?;
        if journal.state != State::Active {
            let active = self.active_path(&journal.ticket);
            if active.exists() {
                fs::remove_file(&active).io_context("could not remove the journal", &active)?;
            }
            crate::records::notes::record(self.repo, journal)?;
        }
        Ok(())
    }

    /// Take back the finished journal a killed `save` wrote before it could remove the
    /// active one: once its run is aborted, the hotfix is in progress and nothing else.
    pub fn remove_finished(&self, journal: &Journal) -> Result<()> {
        let path = self.finished_path(journal);
        if path.exists() {
            fs::remove_file(&path).io_context("could not remove the journal", &path)?;
        }
        Ok(())
    }

    fn finished_path(&self, journal: &Journal) -> PathBuf {
        // An abandoned hotfix does not take the name of a later release of that version.
        let abandoned = match journal.state {
            State::Abandoned => "-abandoned",
            State::Active | State::Finished => "",
        };
        self.finished_dir().join(format!(
            "{}-{}{abandoned}.json",
            journal.ticket, journal.version
        ))
    }

    /// Forget a hotfix that never got anywhere (a start that failed half-way).
    pub fn remove(&self, ticket: &str) -> Result<()> {
        let path = self.active_path(ticket);
        if path.exists() {
            fs::remove_file(&path).io_context("could not remove the journal", &path)?;
        }
        Ok(())
    }

    /// Hold the repository's hotfix lock while a command writes. It is an OS file lock,
    /// so a process that dies (killed, Ctrl-C) releases it: it never needs removing by hand.
    /// Held, it takes away the temporary files of writes killed half-way.
    pub fn lock(&self) -> Result<OperationLock> {
        self.ensure_no_links()?;
        fs::create_dir_all(&self.dir).io_context("could not create", &self.dir)?;
        let path = self.dir.join("lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .io_context("could not open", &path)?;
        match file.try_lock() {
            Ok(()) => {
                sweep_temporary_files(&self.dir);
                Ok(OperationLock { _file: file })
            }
            Err(fs::TryLockError::WouldBlock) => Err(Error::Busy {
                path,
                doing: self.step_under_way(),
            }),
            Err(fs::TryLockError::Error(err)) => Err(err).io_context("could not lock", &path),
        }
    }
}

impl Store<'_> {
    /// The places git-hotfix writes under `.git/hotfix`: a symbolic link among them (which
    /// anyone who can write `.git` may plant) would take its writes out of the repository.
    const OWN: &'static [&'static str] = &[
        "",
        "lock",
        "finished",
        "apply",
        "apply/current",
        "backports",
        "resolve",
    ];

    /// Take away the temporary files killed git-hotfix processes left, unless another
    /// git-hotfix is at work now. Best effort, as [`sweep_temporary_files`].
    pub fn sweep(&self) {
        if self.ensure_no_links().is_err() {
            return;
        }
        let Ok(file) = fs::OpenOptions::new()
            .write(true)
            .open(self.dir.join("lock"))
        else {
            return;
        };
        if file.try_lock().is_ok() {
            sweep_temporary_files(&self.dir);
        }
    }

    /// The deploy step a git-hotfix that holds the lock runs, as its journal says.
    fn step_under_way(&self) -> Option<String> {
        let mut all = self.active().ok()?;
        all.extend(self.ended().ok()?);
        all.iter().find_map(|journal| {
            let step = journal.cut_short()?;
            Some(format!(
                "{} ({}): step {} `{}`, begun {} by pid {}",
                step.run_name(),
                journal.ticket,
                step.index + 1,
                step.step.split_whitespace().collect::<Vec<_>>().join(" "),
                step.started.strftime("%H:%M:%S UTC"),
                step.pid
            ))
        })
    }

    /// Whether another git-hotfix holds the lock now: a run it journals is under way, not
    /// stopped. Asks without taking the lock or writing anything.
    pub fn in_use(&self) -> bool {
        let Ok(file) = fs::OpenOptions::new()
            .write(true)
            .open(self.dir.join("lock"))
        else {
            return false;
        };
        matches!(file.try_lock(), Err(fs::TryLockError::WouldBlock))
    }

    fn ensure_no_links(&self) -> Result<()> {
        for own in Self::OWN {
            let path = match *own {
                "" => self.dir.clone(),
                own => self.dir.join(own),
            };
            if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(Error::LinkedRecords { path });
            }
        }
        Ok(())
    }
}

/// Take away, under `dir`, the temporary files of writes killed half-way
/// (`.<name>.<pid>.tmp`, see [`write_atomically`]) whose process is gone. Best effort: a
/// file left is litter, never a record, so a failure here stops nothing.
fn sweep_temporary_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        // A conflict worktree holds the repository's files, not ours.
        if kind.is_dir() && name != "resolve" {
            sweep_temporary_files(&entry.path());
        } else if kind.is_file()
            && let Some(pid) = name.to_str().and_then(temporary_file_owner)
            && !process_alive(pid)
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The process that writes a temporary file of [`write_atomically`] (or holds git's lock
/// on one), from its name.
fn temporary_file_owner(name: &str) -> Option<i32> {
    let name = name.strip_suffix(".lock").unwrap_or(name);
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    inner.rsplit_once('.')?.1.parse().ok()
}

fn process_alive(pid: i32) -> bool {
    let Some(pid) = rustix::process::Pid::from_raw(pid) else {
        return false;
    };
    // Not ours to signal (EPERM) is alive all the same.
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

/// Released when dropped (the file is closed), so an error return releases it too.
#[must_use]
pub struct OperationLock {
    _file: fs::File,
}

/// Read a JSON journal (a hotfix's, a backport's, a patch apply's) whose `schema` must be
/// `schema`; `None` when there is none.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    schema: u32,
) -> Result<Option<T>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).io_context("could not read the journal", path),
    };
    let unreadable = |reason: String| Error::Journal {
        path: path.to_path_buf(),
        reason,
    };
    decode(&bytes, schema).map(Some).map_err(unreadable)
}

/// JSON `text` as a `T` of `schema`, or why not: one this git-hotfix does not write is
/// refused by its `schema` field before its fields are read.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    text: &[u8],
    schema: u32,
) -> std::result::Result<T, String> {
    let value: serde_json::Value = serde_json::from_slice(text).map_err(|err| err.to_string())?;
    match value.get("schema").and_then(serde_json::Value::as_u64) {
        Some(found) if found == u64::from(schema) => {}
        other => {
            return Err(format!(
                "schema {} is not the one this git-hotfix writes ({schema})",
                other.map_or("missing".to_string(), |s| s.to_string())
            ));
        }
    }
    serde_json::from_value(value).map_err(|err| err.to_string())
}

/// Write a JSON journal atomically.
pub(crate) fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value).expect("serializable");
    write_atomically(path, crate::foundation::redact::redact(&text).as_bytes())
}

fn read_dir_journals(dir: &Path) -> Result<Vec<Journal>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err).io_context("could not read", dir),
    };
    let mut journals = Vec::new();
    for entry in entries {
        let path = entry.io_context("could not read", dir)?.path();
        if path.extension().is_some_and(|e| e == "json") {
            journals.extend(read_json(&path, SCHEMA)?);
        }
    }
    Ok(journals)
}

/// Write `bytes` to `path` so that a reader sees the old file or the new one, never half.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().expect("a file inside a directory");
    fs::create_dir_all(dir).io_context("could not create", dir)?;
    let name = path.file_name().expect("a file name").to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.io_context("could not write", path)
}

/// What a deploy policy is asked for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
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
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
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
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Item {
    Assessed,
    /// Someone of the escalation ladder was called in (the note names whom).
    Escalated,
    BranchCreated,
    FixCommitted,
    RegressionTest,
    Tested,
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
    Monitored,
    Communicated,
    FollowedUp,
    ReviewScheduled,
}

impl Item {
    pub const ALL: [Item; 20] = [
        Item::Assessed,
        Item::Escalated,
        Item::BranchCreated,
        Item::FixCommitted,
        Item::RegressionTest,
        Item::Tested,
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
        Item::Monitored,
        Item::Communicated,
        Item::FollowedUp,
        Item::ReviewScheduled,
    ];

    /// The name `git hotfix check` takes.
    pub fn name(self) -> &'static str {
        match self {
            Item::Assessed => "assessed",
            Item::Escalated => "escalated",
            Item::BranchCreated => "branch-created",
            Item::FixCommitted => "fix-committed",
            Item::RegressionTest => "regression-test",
            Item::Tested => "tested",
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
            Item::Monitored => "monitored",
            Item::FollowedUp => "followed-up",
            Item::Communicated => "communicated",
            Item::ReviewScheduled => "review-scheduled",
        }
    }

    /// As a person reads it in `status`.
    pub fn label(self) -> &'static str {
        match self {
            Item::Assessed => "assessed",
            Item::Escalated => "escalated",
            Item::BranchCreated => "branch created",
            Item::FixCommitted => "fix committed",
            Item::RegressionTest => "regression test touched",
            Item::Tested => "checks passed",
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
            Item::Monitored => "monitoring window over",
            Item::FollowedUp => "follow-up sent",
            Item::Communicated => "communicated",
            Item::ReviewScheduled => "review scheduled",
        }
    }

    pub fn parse(name: &str) -> Option<Item> {
        Item::ALL.into_iter().find(|item| item.name() == name)
    }

    /// Items only a person can tick: the workflow never sees them happen.
    pub fn by_hand_only(self) -> bool {
        matches!(
            self,
            Item::Communicated | Item::FollowedUp | Item::ReviewScheduled | Item::Escalated
        )
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TargetStatus {
    /// Not handled yet.
    Pending,
    /// Every commit picked (or already there), nothing conflicted.
    Clean,
    Conflict,
    /// The target already has every commit: no branch is needed.
    Empty,
    Skipped,
}

/// One file a release commit changes.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Bump {
    pub path: String,
    pub from: String,
    pub to: String,
}

/// The changelog entry a release commit adds.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ChangelogEntry {
    pub path: String,
    pub format: Format,
    pub text: String,
    /// The file did not exist.
    pub created: bool,
}

/// What the fix itself already did of the release commit's work, so that nothing is done
/// twice and the checklist still says it is done: version files that held the release's
/// version, and a changelog that had its entry.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Held {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub version_files: Vec<String>,
    /// The changelog's path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changelog: Option<String>,
}

impl Held {
    pub fn is_empty(&self) -> bool {
        self.version_files.is_empty() && self.changelog.is_none()
    }
}

/// The commit that moves the version in every version file, made on top of the fix.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ReleaseCommit {
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub commit: ObjectId,
    pub message: String,
    pub bumps: Vec<Bump>,
    #[serde(default)]
    pub changelog: Option<ChangelogEntry>,
}

impl ReleaseCommit {
    /// Its changelog entry: the notes of the release published on the forge.
    pub fn notes(&self) -> Option<String> {
        self.changelog.as_ref().map(|c| c.text.clone())
    }
}
