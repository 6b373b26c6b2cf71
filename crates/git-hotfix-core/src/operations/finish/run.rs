//! Running a finish: stop on a conflict, or write the plan's objects and hand its steps to
//! the engine; and what is a finish's own in `continue` and `abort` ([`Stopped`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use gix::ObjectId;
use jiff::Timestamp;

use super::{FinishOutcome, FinishPlan, Prior, plan, propose};
use crate::engine::resumable::{Resumable, aborted_event};
use crate::engine::{self, Forge, InJournal, Undone};
use crate::foundation::error::{Error, Result};
use crate::foundation::names::{BranchRole, TAG_PREFIX};
use crate::git::merge::{self, Labels};
use crate::git::push::PushPlan;
use crate::git::refs::Edit;
use crate::git::repo::Repo;
use crate::git::resolve::{self, Resolving};
use crate::operations::{revert, tag};
use crate::records::journal::{EventKind, Journal, ReleaseCommit, State, Store};
use crate::records::notes;
use crate::records::run::{
    Conflict, FinishOptions, Recorded, Run, RunKind, Step, Steps, VersionBefore, WorktreeStep,
};
use crate::settings::config::Config;
use crate::settings::policy::VersionFiles;

/// Run `finish`: plan, then stop on a conflict or write everything.
pub fn run(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    options: &FinishOptions,
    version_files: Option<&dyn VersionFiles>,
    now: Timestamp,
) -> Result<FinishOutcome> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    run_locked(
        repo,
        repo.in_memory(),
        config,
        journal,
        options,
        version_files,
        now,
    )
}

/// The body of a run, with the hotfix lock held; `mem` may already hold objects the run
/// needs (a resolution being continued), which are written only if the plan holds.
fn run_locked(
    repo: &Repo,
    mem: Repo,
    config: &Config,
    journal: &mut Journal,
    options: &FinishOptions,
    version_files: Option<&dyn VersionFiles>,
    now: Timestamp,
) -> Result<FinishOutcome> {
    let store = Store::new(repo);
    let prior = Prior::of(journal.run.as_ref());
    let plan = plan(repo, &mem, config, journal, options, &prior, version_files)?;
    if let Some(change) = &plan.settings
        && !options.accept_settings
    {
        return Err(Error::SettingsChange {
            ticket: journal.ticket.clone(),
            files: change.files.clone(),
            changes: change.keys.iter().map(ToString::to_string).collect(),
        });
    }
    let Prior {
        resolved,
        mut expected,
        ..
    } = prior;
    for integration in &plan.integrations {
        expected
            .entry(integration.branch.clone())
            .or_insert(integration.old);
    }
    if let Some(onto) = &plan.onto {
        expected.entry(onto.tag.clone()).or_insert(onto.release);
    }

    if let Some(stop) = plan.stop() {
        // Resolutions continued from an earlier stop must outlive this process.
        repo.keep_objects(mem)?;
        let branch = stop.into.clone();
        let worktree = resolve::path_for(repo, &journal.ticket, &branch);
        // A worktree left by a run killed while making it is replaced.
        resolve::remove(repo, &worktree)?;
        let paths = resolve::create(
            repo,
            &worktree,
            stop.ours,
            &Resolving::Merge {
                theirs: stop.theirs,
            },
            &Labels {
                ours: &branch,
                theirs: &journal.branch,
            },
            &merge::merge_message(&journal.branch, &branch),
        )?;
        journal.run = Some(Run {
            expected,
            resolved,
            release: plan.release.clone(),
            held: plan.held.clone(),
            onto: plan.onto.as_ref().and_then(super::OntoStep::record),
            conflict: Some(Conflict {
                branch: branch.clone(),
                worktree: worktree.clone(),
                paths: paths.clone(),
                onto: stop.onto,
            }),
            version_before: version_before(repo, journal)?,
            ..Run::after(journal.run.as_ref(), RunKind::Finish, options.clone())
        });
        journal.record(
            now,
            EventKind::Stopped {
                command: RunKind::Finish.to_string(),
                reason: format!("conflict merging into {branch}: {}", paths.join(", ")),
            },
        );
        store.save(journal)?;
        return Ok(FinishOutcome::Stopped {
            plan,
            branch,
            worktree,
            paths,
        });
    }

    let ready = Ready {
        mem,
        plan,
        expected,
        resolved,
    };
    execute(repo, journal, options, ready, now)
}

/// The version the saved journal has, when the run about to begin re-versioned the hotfix
/// (`--version`, `--next`: saved with the run).
fn version_before(repo: &Repo, journal: &Journal) -> Result<Option<VersionBefore>> {
    Ok(Store::new(repo)
        .load(&journal.ticket)?
        .filter(|saved| saved.version != journal.version)
        .map(|saved| VersionBefore {
            version: saved.version,
            tag: saved.tag,
        }))
}

/// A plan that holds, ready to be written: its objects (in `mem`), and the value each ref
/// it moves must still have (`expected`) or that a continued conflict resolved it to.
pub(crate) struct Ready {
    pub mem: Repo,
    pub plan: FinishPlan,
    pub expected: BTreeMap<String, ObjectId>,
    pub resolved: BTreeMap<String, ObjectId>,
}

/// Write a plan that holds: its objects, then its steps through the engine, then the
/// journal says the hotfix is finished.
pub(crate) fn execute(
    repo: &Repo,
    journal: &mut Journal,
    options: &FinishOptions,
    ready: Ready,
    now: Timestamp,
) -> Result<FinishOutcome> {
    let Ready {
        mem,
        plan,
        expected,
        resolved,
    } = ready;
    repo.keep_objects(mem)?;
    engine::failpoint::hit("objects");
    // What the journal says before this attempt: it says so again if nothing gets written.
    let before = Store::new(repo)
        .load(&journal.ticket)?
        .and_then(|saved| saved.run);
    let mut run = Run {
        expected,
        resolved,
        release: plan.release.clone(),
        held: plan.held.clone(),
        onto: plan.onto.as_ref().and_then(super::OntoStep::record),
        merged: plan.merged.clone(),
        ..Run::after(before.as_ref(), RunKind::Finish, options.clone())
    };
    run.steps.0.extend(steps_of(repo, journal, &plan).0);
    if run.version_before.is_none() {
        run.version_before = version_before(repo, journal)?;
    }
    journal.run = Some(run);
    let Completion {
        moved,
        pushed,
        notes_pushed,
    } = proceed(repo, journal, Some(before), now)?;
    Ok(FinishOutcome::Finished {
        plan,
        moved,
        pushed: pushed.is_some(),
        notes_pushed,
    })
}

/// The steps that make `plan` true: every ref in one transaction, the files of each
/// worktree whose commit changes, then the push.
fn steps_of(repo: &Repo, journal: &Journal, plan: &FinishPlan) -> Steps {
    let mut steps = Steps::default();
    steps.add(Step::Refs {
        edits: plan.edits(),
        message: format!("hotfix finish: {} {}", journal.ticket, journal.version),
    });
    for integration in &plan.integrations {
        if let (Some(worktree), Some(new)) =
            (&integration.checked_out, integration.outcome.new_tip())
        {
            steps.add(Step::Checkout {
                worktree: repo.recorded_worktree(worktree),
                from: integration.old,
                to: new,
                branch: Some(integration.branch.clone()),
            });
        }
    }
    for step in &plan.worktrees {
        let step = match step {
            WorktreeStep::Switch { path, tip, to, .. } => Step::Checkout {
                worktree: repo.recorded_worktree(path),
                from: plan.branch_tip,
                to: *tip,
                branch: Some(to.clone()),
            },
            WorktreeStep::Detach { path, tip, .. } => Step::Checkout {
                worktree: repo.recorded_worktree(path),
                from: plan.branch_tip,
                to: *tip,
                branch: None,
            },
            WorktreeStep::Follow { path, .. } => Step::Checkout {
                worktree: repo.recorded_worktree(path),
                from: plan.branch_tip,
                to: plan.tip,
                branch: Some(plan.branch.clone()),
            },
            WorktreeStep::Remove { path, .. } => Step::RemoveWorktree {
                path: path.clone(),
                at: plan.branch_tip,
            },
        };
        // A worktree whose commit stays (a fast-forward to the fix) has no files to move.
        if !matches!(step, Step::Checkout { from, to, .. } if from == to) {
            steps.add(step);
        }
    }
    if let Some(push) = plan.push.as_ref().filter(|p| !p.refs.is_empty()) {
        steps.add(Step::Push { plan: push.clone() });
    }
    steps
}

/// What a completed run did.
struct Completion {
    moved: Vec<Edit>,
    pushed: Option<PushPlan>,
    /// The remote the hotfix's notes went to with the release.
    notes_pushed: Option<String>,
}

/// Take the run's steps that are left, write the hotfix's note (a step of its own), then
/// record the hotfix finished. A step that fails stops the run (the journal says where, for
/// `status`, `continue` and `abort`), unless nothing was written at all and the caller
/// said what the journal held `before`: then the attempt is forgotten.
fn proceed(
    repo: &Repo,
    journal: &mut Journal,
    before: Option<Option<Run>>,
    now: Timestamp,
) -> Result<Completion> {
    take_steps(repo, journal, before, now)?;
    // The run may have removed the worktree it was started from.
    let survivor = repo.surviving()?;
    let repo = survivor.as_ref().unwrap_or(repo);
    let run = journal.run.clone().expect("a run");
    let finished = finished(journal, &run, now);
    let noted = run.steps.0.iter().any(|r| is_note(&r.step));
    if !noted && let Some(edit) = notes::prepare(repo, &finished)? {
        journal.run.as_mut().expect("a run").steps.add(Step::Refs {
            edits: vec![edit],
            message: "git hotfix: note".into(),
        });
        take_steps(repo, journal, None, now)?;
    }
    // A release that went to a remote takes its note along, as a step too.
    let published = run.steps.0.iter().any(|r| is_notes_push(&r.step));
    if let Some(remote) = run.steps.pushed().next().map(|p| p.remote.clone())
        && run.options.push_notes
        && !published
        && let Some(plan) = notes::publishing(repo, &remote)?
    {
        journal
            .run
            .as_mut()
            .expect("a run")
            .steps
            .add(Step::Push { plan });
        take_steps(repo, journal, None, now)?;
    }
    let run = journal.run.clone().expect("a run");
    *journal = finished;
    journal.unpublished = unpublished(&run);
    Store::new(repo).save(journal)?;
    // A run killed after it took a resolution forgot where it was made: gone now.
    remove_resolutions(repo, &journal.ticket, &run)?;
    Ok(Completion {
        moved: run
            .steps
            .moved()
            .filter(|e| e.name != notes::REF)
            .cloned()
            .collect(),
        pushed: run
            .steps
            .pushed()
            .find(|p| !p.refs.iter().all(|r| r.name == notes::REF))
            .cloned(),
        notes_pushed: run
            .steps
            .0
            .iter()
            .find(|r| is_notes_push(&r.step))
            .and_then(|r| match &r.step {
                Step::Push { plan } => Some(plan.remote.clone()),
                _ => None,
            }),
    })
}

/// The engine's run of the steps left; a failure is journaled as the run's stop, or, with
/// `before` and nothing written, forgotten.
fn take_steps(
    repo: &Repo,
    journal: &mut Journal,
    before: Option<Option<Run>>,
    now: Timestamp,
) -> Result<()> {
    let store = Store::new(repo);
    let Err(err) = engine::run(repo, &mut InJournal::new(journal, &store)) else {
        return Ok(());
    };
    let steps = &journal.run.as_ref().expect("a run").steps;
    match before {
        Some(before) if engine::nothing_done(repo, steps)? => journal.run = before,
        _ => engine::record_stop(journal, &err, now),
    }
    store.save(journal)?;
    Err(err)
}

/// Remove the worktrees the run's resolved conflicts were resolved in.
fn remove_resolutions(repo: &Repo, ticket: &str, run: &Run) -> Result<()> {
    for branch in run.resolved.keys() {
        resolve::remove(repo, &resolve::path_for(repo, ticket, branch))?;
    }
    Ok(())
}

fn is_note(step: &Step) -> bool {
    matches!(step, Step::Refs { edits, .. } if edits.iter().all(|e| e.name == notes::REF))
}

fn is_notes_push(step: &Step) -> bool {
    matches!(step, Step::Push { plan } if plan.refs.iter().all(|r| r.name == notes::REF))
}

/// `journal` as it is once `run` is done: its refs moved, its push made, finished.
fn finished(journal: &Journal, run: &Run, now: Timestamp) -> Journal {
    let mut finished = journal.clone();
    finished.run = None;
    engine::record_done(&mut finished, &run.steps, now);
    let moved: Vec<&Edit> = run.steps.moved().collect();
    let tag = moved
        .iter()
        .find_map(|e| e.name.strip_prefix(TAG_PREFIX))
        .map(str::to_string)
        .or_else(|| run.options.tag.then(|| journal.tag.clone()));
    let release = run.release.clone();
    let notes = release.as_ref().and_then(ReleaseCommit::notes);
    let bumped = release
        .as_ref()
        .map(|r| r.bumps.iter().map(|b| b.path.clone()).collect())
        .unwrap_or_default();
    finished.record(
        now,
        EventKind::Finished {
            tag,
            release: release.map(|r| r.commit),
            notes,
            bumped,
            held: run.held.clone(),
            onto: run.onto.clone(),
        },
    );
    finished.state = State::Finished;
    finished
}

/// The run of a finish that pushed nothing, to keep with the finished hotfix: it can still
/// be taken back ([`reopen`]). Its note's step included, so that the note goes too.
fn unpublished(run: &Run) -> Option<Run> {
    let pushed = run
        .steps
        .0
        .iter()
        .any(|r| matches!(r.step, Step::Push { .. }));
    (!pushed && run.reverts.is_none() && run.kind == RunKind::Finish).then(|| Run {
        conflict: None,
        ..run.clone()
    })
}

/// A finished hotfix whose release never left this clone, made a finish stopped at its
/// end again (in memory), so that `abort` takes it back as it takes back any run: its refs
/// and checkout, each only from where the finish left it. The way out when someone
/// released under its name meanwhile. Refused once anything of it was pushed or deployed.
pub fn reopen(repo: &Repo, config: &Config, mut journal: Journal) -> Result<Journal> {
    let refused = |why: &str| Error::FinishPublished {
        ticket: journal.ticket.clone(),
        why: why.to_string(),
    };
    let Some(run) = journal.unpublished.clone() else {
        return Err(refused(match journal.release_pushed() {
            Some(_) => "it was pushed",
            None => "only a finish made here, by `git hotfix finish`, that pushed nothing can be",
        }));
    };
    let finished_at = journal
        .events
        .iter()
        .rposition(|e| matches!(e.what, EventKind::Finished { .. }))
        .unwrap_or(0);
    for event in &journal.events[finished_at..] {
        match &event.what {
            EventKind::Pushed { .. } => return Err(refused("it was pushed since")),
            EventKind::DeployStepStarted(_)
            | EventKind::DeployStep { .. }
            | EventKind::DeployEnded { .. } => {
                return Err(refused("it was deployed since"));
            }
            _ => {}
        }
    }
    let ours = repo.peeled_commit(&format!("{TAG_PREFIX}{}", journal.tag))?;
    let there = crate::git::sync::remote_tag(repo, &config.remote, &journal.tag)?;
    if there.is_some() && there == ours {
        return Err(refused(&format!("{} is on {}", journal.tag, config.remote)));
    }
    // Its note goes once the release is taken back (`abort`), wherever the notes ref
    // moved since: not by undoing the step that wrote it.
    let mut run = run;
    run.steps.0.retain(|r| !is_note(&r.step));
    journal.run = Some(run);
    journal.unpublished = None;
    journal.state = State::Active;
    Ok(journal)
}

/// A finish (or a `finish --pr`, a tag pushed, a rollback) waiting in its journal, as
/// `continue` and `abort` take it up.
pub struct Stopped<'c> {
    journal: Journal,
    /// The settings it goes on with: `continue` only.
    config: Option<&'c Config>,
    /// Where a resolution's merge commit stays until the rest of the run holds.
    mem: Option<Repo>,
    /// The commit its tag released, before `abort` took the tag back.
    released: Option<ObjectId>,
}

impl<'c> Stopped<'c> {
    pub fn to_continue(journal: Journal, config: &'c Config) -> Self {
        Stopped {
            journal,
            config: Some(config),
            mem: None,
            released: None,
        }
    }

    pub fn to_abort(journal: Journal) -> Self {
        Stopped {
            journal,
            config: None,
            mem: None,
            released: None,
        }
    }

    fn run(&self) -> &Run {
        self.journal
            .run
            .as_ref()
            .expect("a stopped finish has its run")
    }
}

impl engine::Record for Stopped<'_> {
    fn steps(&mut self) -> &mut Steps {
        let run = self.journal.run.as_mut();
        &mut run.expect("a stopped finish has its run").steps
    }

    fn save(&self, repo: &Repo) -> Result<()> {
        Store::new(repo).save(&self.journal)
    }
}

/// `continue` and `abort` of a finish: what is its own of them.
impl Resumable for Stopped<'_> {
    type Key = String;
    /// The journal, and what the run did.
    type Outcome = (Journal, FinishOutcome);
    /// The version files policy (a finish makes its release commit again), the forge for
    /// its pull request, the time.
    type With<'a> = (
        Option<&'a dyn VersionFiles>,
        Option<&'a dyn Forge>,
        Timestamp,
    );

    fn key(&self) -> String {
        self.journal.ticket.clone()
    }

    /// The journal as it is on disk when it holds the run; else the one found: a finish
    /// reopened in memory for `abort` to take it back ([`reopen`]).
    fn reload(self, repo: &Repo) -> Result<Option<Self>> {
        Ok(Some(match Store::new(repo).load(&self.journal.ticket)? {
            Some(journal) if journal.run.is_some() => Stopped { journal, ..self },
            _ => self,
        }))
    }

    fn waiting_in(repo: &Repo, ticket: &String) -> Option<PathBuf> {
        let journal = Store::new(repo).load(ticket).ok().flatten()?;
        journal.run?.conflict.map(|c| c.worktree)
    }

    fn waits_in(&self) -> Option<PathBuf> {
        self.run().conflict.as_ref().map(|c| c.worktree.clone())
    }

    /// The merge commit of the resolution, made in memory: it is written only once the
    /// rest of the run holds.
    fn take_resolution(&mut self, repo: &Repo) -> Result<()> {
        let run = self.run().clone();
        let Some(Conflict {
            branch, worktree, ..
        }) = &run.conflict
        else {
            return Ok(());
        };
        let mem = repo.in_memory();
        let commit = resolution(repo, &mem, &self.journal, &run, branch, worktree)?;
        let mut resumed = run.clone();
        resumed.resolved.insert(branch.clone(), commit);
        resumed.conflict = None;
        self.journal.run = Some(resumed);
        self.mem = Some(mem);
        Ok(())
    }

    fn leave_out(&mut self, _repo: &Repo) -> Result<()> {
        Err(Error::NothingToSkip {
            run: format!("the finish of {}", self.journal.ticket),
            cut_short: false,
        })
    }

    /// The finish planned again (with its resolution, or by what the run is), or the steps
    /// that are left of it.
    fn proceed(
        mut self,
        repo: &Repo,
        (version_files, forge, now): Self::With<'_>,
    ) -> Result<(Journal, FinishOutcome)> {
        let config = self
            .config
            .expect("`continue` of a finish has its settings");
        let run = self.run().clone();
        let journal = &mut self.journal;
        let finish = |journal: &mut Journal, mem: Repo| {
            run_locked(repo, mem, config, journal, &run.options, version_files, now)
        };
        if let Some(mem) = self.mem.take() {
            let outcome = finish(journal, mem)?;
            return Ok((self.journal, outcome));
        }
        // What is left of the run, by what the run is.
        let (moved, pushed, pull) = match run.kind {
            // A run that never recorded a step (kept by an older git-hotfix) is planned again.
            RunKind::Finish if run.steps.0.is_empty() => {
                journal.run = None;
                let outcome = finish(journal, repo.in_memory())?;
                return Ok((self.journal, outcome));
            }
            RunKind::Finish => {
                let Completion {
                    moved,
                    pushed,
                    notes_pushed,
                } = proceed(repo, journal, None, now)?;
                let outcome = FinishOutcome::Completed {
                    moved,
                    pushed,
                    notes_pushed,
                };
                return Ok((self.journal, outcome));
            }
            // A rollback whose hotfix is started (or half-way): its finish goes on.
            RunKind::Revert => {
                revert::take_steps(repo, journal, now)?;
                let outcome = finish(journal, repo.in_memory())?;
                return Ok((self.journal, outcome));
            }
            RunKind::Propose => {
                let proposed = propose::proceed(repo, journal, forge, now)?;
                (proposed.moved, proposed.pushed, proposed.pull)
            }
            RunKind::Tag => {
                let (moved, pushed) = tag::proceed(repo, journal, now)?;
                (moved, pushed, None)
            }
        };
        let outcome = FinishOutcome::Resumed {
            kind: run.kind,
            moved,
            pushed,
            pull,
        };
        Ok((self.journal, outcome))
    }

    /// In progress again before any step is undone (a finish taken back, see [`reopen`]):
    /// cut short, it is a run waiting on `continue` or `abort`, and nothing else.
    fn before_undo(&mut self, repo: &Repo) -> Result<()> {
        remove_resolutions(repo, &self.journal.ticket, self.run())?;
        let store = Store::new(repo);
        store.save(&self.journal)?;
        store.remove_finished(&self.journal)?;
        let tag = format!("{TAG_PREFIX}{}", self.journal.tag);
        self.released = repo.peeled_commit(&tag)?;
        Ok(())
    }

    /// No note is left on a release taken back; a rollback goes whole, its hotfix
    /// included; a re-version made with the run goes with it.
    fn aborted(self, repo: &Repo, undone: &[Undone], now: Timestamp) -> Result<()> {
        let Stopped {
            mut journal,
            released,
            ..
        } = self;
        let store = Store::new(repo);
        let run = journal.run.take().expect("a stopped finish has its run");
        let tag = format!("{TAG_PREFIX}{}", journal.tag);
        if let Some(released) = released
            && repo.ref_target(&tag)?.is_none()
        {
            notes::forget(repo, released, &journal.ticket)?;
        }
        store.remove_finished(&journal)?;
        if run.reverts.is_some() {
            return store.remove(&journal.ticket);
        }
        if let Some(before) = run.version_before {
            journal.record(
                now,
                EventKind::Reversioned {
                    from: journal.version.to_string(),
                    to: before.version.to_string(),
                },
            );
            journal.version = before.version;
            journal.tag = before.tag;
        }
        journal.record(now, aborted_event(run.kind.to_string(), undone));
        store.save(&journal)
    }
}

/// The merge commit of the conflict resolved in `worktree` for `branch`, made in `mem`.
fn resolution(
    repo: &Repo,
    mem: &Repo,
    journal: &Journal,
    run: &Run,
    branch: &str,
    worktree: &std::path::Path,
) -> Result<ObjectId> {
    // Into a newer release, the fix goes in as it is: the release commit comes after.
    let tip = match run.conflict.as_ref().is_some_and(|c| c.onto) {
        true => repo.require_branch(&journal.branch, BranchRole::Hotfix)?,
        false => released_tip(repo, journal, run)?,
    };
    let ours = run.expected[branch];
    resolve::read(
        mem,
        worktree,
        ours,
        &Resolving::Merge { theirs: tip },
        |tree| {
            let message = merge::merge_message(&journal.branch, branch);
            merge::commit(mem, &message, tree, [ours, tip])
        },
    )
}

/// What a stopped run releases: its release commit, or the hotfix branch's tip.
fn released_tip(repo: &Repo, journal: &Journal, run: &Run) -> Result<ObjectId> {
    match &run.release {
        Some(release) => Ok(release.commit),
        None => repo.require_branch(&journal.branch, BranchRole::Hotfix),
    }
}

/// What `continue` would do, computed in memory.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "next", rename_all = "kebab-case")]
pub enum ResumePreview {
    /// The resolution is complete: the finish goes on with this plan.
    Finish { plan: Box<FinishPlan> },
    /// The steps left of a run that was stopped or interrupted.
    Steps { left: Vec<Recorded> },
}

pub fn preview_resume(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    version_files: Option<&dyn VersionFiles>,
) -> Result<ResumePreview> {
    let Some(run) = &journal.run else {
        return Err(Error::NoStoppedRun { action: "continue" });
    };
    let Some(Conflict {
        branch, worktree, ..
    }) = &run.conflict
    else {
        return Ok(ResumePreview::Steps {
            left: run.steps.left().cloned().collect(),
        });
    };
    let mem = repo.in_memory();
    let commit = resolution(repo, &mem, journal, run, branch, worktree)?;
    let mut prior = Prior::of(Some(run));
    prior.resolved.insert(branch.clone(), commit);
    let plan = plan(
        repo,
        &mem,
        config,
        journal,
        &run.options,
        &prior,
        version_files,
    )?;
    Ok(ResumePreview::Finish {
        plan: Box::new(plan),
    })
}
