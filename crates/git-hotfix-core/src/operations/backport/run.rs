//! Running a backport: the targets' refs (and the checked-out line's files) through the
//! engine, a conflict's pause, and `continue`, `skip` and `abort`.

use std::path::PathBuf;

use jiff::Timestamp;

use super::plan::{compute_target, sources_for};
use super::{
    Backport, BackportRequest, OnConflict, PickRecord, PickStatus, RefState, Stop, Target, archive,
    load, plan, save,
};
use crate::engine::resumable::{Resumable, aborted_event};
use crate::engine::{self, Forge, Undone, WithForge};
use crate::foundation::error::{Error, Result};
use crate::foundation::names::BranchRole;
use crate::git::pick;
use crate::git::push::PushPlan;
use crate::git::refs::Edit;
use crate::git::repo::Repo;
use crate::git::resolve::{self, Resolving};
use crate::git::worktree;
use crate::records::journal::TargetStatus;
use crate::records::journal::{self, EventKind};
use crate::records::run::{PullRequest, Step};
use crate::settings::config::Config;

/// What a run tells as it goes: the plan once, then each target as it is handled.
pub enum Progress<'a> {
    Planned(&'a Backport),
    Target(&'a Target),
}

/// How a run (or a resumed one) ended.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum BackportOutcome {
    /// Every target handled; some may have conflicted (`--on-conflict skip`) or been skipped.
    Done { run: Backport },
    /// Paused on a conflict: `continue`, `skip` or `abort`.
    Stopped { run: Backport },
    /// `--on-conflict abort` and a target conflicted: nothing was written.
    Refused { run: Backport },
}

impl BackportOutcome {
    pub fn run(&self) -> &Backport {
        match self {
            BackportOutcome::Done { run }
            | BackportOutcome::Stopped { run }
            | BackportOutcome::Refused { run } => run,
        }
    }
}

/// Plan and run a backport; `progress` hears of the plan and of each target as it is written.
pub fn run(
    repo: &Repo,
    config: &Config,
    request: &BackportRequest,
    now: Timestamp,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<BackportOutcome> {
    let mem = repo.in_memory();
    let mut run = plan(repo, &mem, config, request)?;
    if request.on_conflict == OnConflict::Abort && run.conflicted() {
        return Ok(BackportOutcome::Refused { run });
    }
    progress(Progress::Planned(&run));
    let store = journal::Store::new(repo);
    let _lock = store.lock()?;
    repo.keep_objects(mem)?;
    run.events.push(journal::Event {
        at: now,
        what: EventKind::Started {
            base: run.name.clone(),
            commit: run.sources.last().expect("at least one source").commit,
        },
    });
    save(repo, &run)?;
    proceed(repo, run, now, progress)
}

/// Go through the targets in order: compute the pending ones (from the tips of that moment;
/// with `pause`, only up to the first conflict), write every clean one in one transaction
/// journaled before and after, then pause at the conflict or finish.
fn proceed(
    repo: &Repo,
    mut run: Backport,
    now: Timestamp,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<BackportOutcome> {
    let mem = repo.in_memory();
    let mut pause_at = None;
    for index in 0..run.targets.len() {
        if run.targets[index].status == TargetStatus::Pending {
            if run.targets[index].commits.is_empty() {
                run.targets[index].tip =
                    repo.require_branch(&run.targets[index].target, BranchRole::ReleaseLine)?;
            }
            compute_target(&mem, &mut run, index)?;
        }
        if run.targets[index].status == TargetStatus::Conflict
            && run.on_conflict == OnConflict::Pause
        {
            pause_at = Some(index);
            break;
        }
    }
    repo.keep_objects(mem)?;

    let handled = pause_at.unwrap_or(run.targets.len());
    // Clean targets, and with `--on-conflict commit` conflicted ones, get their branch.
    let clean: Vec<usize> = (0..handled)
        .filter(|&i| {
            let target = &run.targets[i];
            let writable = target.status == TargetStatus::Clean
                || (target.status == TargetStatus::Conflict && target.result.is_some());
            writable && target.ref_state == RefState::Untouched
        })
        .collect();
    write_targets(repo, &mut run, &clean)?;
    for target in &run.targets[..handled] {
        progress(Progress::Target(target));
    }

    if let Some(index) = pause_at {
        pause(repo, &mut run, index)?;
        // Later lines are picked again after the resolution, from their tips then.
        for later in &mut run.targets[index + 1..] {
            reset(later);
        }
        save(repo, &run)?;
        progress(Progress::Target(&run.targets[index]));
        return Ok(BackportOutcome::Stopped { run });
    }
    if run.open_pulls {
        // The caller opens the pull requests, then calls `complete`; until then the run
        // stays current, so that `continue` opens the ones a failure left out.
        save(repo, &run)?;
        return Ok(BackportOutcome::Done { run });
    }
    complete(repo, &mut run, now)?;
    Ok(BackportOutcome::Done { run })
}

/// End a run whose targets are all handled: archive its journal and tell the hotfix's.
pub fn complete(repo: &Repo, run: &mut Backport, now: Timestamp) -> Result<()> {
    run.events.push(journal::Event {
        at: now,
        what: EventKind::Finished {
            tag: None,
            release: None,
            notes: None,
            bumped: Vec::new(),
            held: Default::default(),
            onto: None,
        },
    });
    archive(repo, run, now)?;
    record_in_hotfix(repo, run, now)
}

/// Push the backport branches and open their pull requests, as steps of the run (once: a
/// `continue` does the ones left). Each target remembers the pull request opened for its
/// branch as soon as it is there, whether or not the others follow.
pub fn propose(
    repo: &Repo,
    run: &mut Backport,
    push: PushPlan,
    pulls: Vec<PullRequest>,
    forge: &dyn Forge,
) -> Result<()> {
    let _lock = journal::Store::new(repo).lock()?;
    let proposing = run
        .steps
        .0
        .iter()
        .any(|r| matches!(r.step, Step::Pull { .. }));
    if !proposing {
        if !push.refs.is_empty() {
            run.steps.add(Step::Push { plan: push });
        }
        for request in pulls {
            run.steps.add(Step::Pull {
                request: Box::new(request),
                existing: None,
                opened: None,
            });
        }
    }
    let ran = engine::run(
        repo,
        &mut WithForge {
            record: run,
            forge: Some(forge),
        },
    );
    let opened: Vec<(String, journal::PullRecord)> = run
        .steps
        .opened()
        .map(|(request, opened)| {
            let pull = journal::PullRecord {
                number: opened.number,
                url: opened.url.clone(),
            };
            (request.head.clone(), pull)
        })
        .collect();
    for (head, pull) in opened {
        if let Some(target) = run.targets.iter_mut().find(|t| t.branch == head) {
            target.pull = Some(pull);
        }
    }
    save(repo, run)?;
    ran
}

/// Remember the pull request opened (or found) for target `index`.
pub fn record_pull(
    repo: &Repo,
    run: &mut Backport,
    index: usize,
    pull: journal::PullRecord,
) -> Result<()> {
    let _lock = journal::Store::new(repo).lock()?;
    run.targets[index].pull = Some(pull);
    save(repo, run)
}

/// Forget what was computed for a target, so it is picked again.
fn reset(target: &mut Target) {
    target.status = TargetStatus::Pending;
    target.reason = None;
    target.conflicts.clear();
    target.commits.clear();
    target.result = None;
}

/// Create (or move) the branches of `indices` in one transaction, and the files of the
/// worktrees that have a moved target checked out with them: steps of the run's own,
/// journaled before they start.
fn write_targets(repo: &Repo, run: &mut Backport, indices: &[usize]) -> Result<()> {
    if indices.is_empty() {
        return Ok(());
    }
    let onto_target = run.onto_target;
    let edits: Vec<Edit> = indices
        .iter()
        .filter_map(|&i| run.targets[i].edit(onto_target))
        .collect();
    run.steps.add(Step::Refs {
        edits,
        message: format!("hotfix backport: {}", run.name),
    });
    if onto_target {
        for &i in indices {
            let target = &run.targets[i];
            worktree::ensure_clean_on(repo, &target.target)?;
            for checked_out in repo.worktrees_on(&target.target)? {
                run.steps.add(Step::Checkout {
                    worktree: repo.recorded_worktree(&checked_out.path),
                    from: target.tip,
                    to: target.result.expect("an edit"),
                    branch: Some(target.target.clone()),
                });
            }
        }
    }
    for &i in indices {
        run.targets[i].ref_state = RefState::Moving;
    }
    engine::run(repo, run)?;
    settle(run);
    save(repo, run)
}

/// Targets whose refs a step under way was moving are written once that step is done.
fn settle(run: &mut Backport) {
    let moved: Vec<Edit> = run.steps.moved().cloned().collect();
    let onto_target = run.onto_target;
    for target in &mut run.targets {
        if target.ref_state == RefState::Moving
            && target.edit(onto_target).is_some_and(|e| moved.contains(&e))
        {
            target.ref_state = RefState::Written;
        }
    }
}

/// Stop at target `index`'s conflict: a resolution worktree for the conflicting pick.
fn pause(repo: &Repo, run: &mut Backport, index: usize) -> Result<()> {
    let sources = sources_for(run, index);
    let target = &run.targets[index];
    let pick_index = target.commits.len() - 1;
    let onto = target
        .commits
        .iter()
        .rev()
        .find_map(|p| p.result)
        .unwrap_or(target.tip);
    let source = sources[pick_index];
    let worktree = resolve::path_for(repo, &run.name, &target.target);
    // A worktree left by a run killed while making it is replaced.
    resolve::remove(repo, &worktree)?;
    let theirs = pick::theirs_label(repo, &source)?;
    let message = pick::message_of(repo, &source)?;
    let paths = resolve::create(
        repo,
        &worktree,
        onto,
        &Resolving::Pick {
            source: source.commit,
            parent: source.parent,
        },
        &crate::git::merge::Labels {
            ours: "HEAD",
            theirs: &theirs,
        },
        &message,
    )?;
    run.stopped = Some(Stop {
        target: index,
        pick: pick_index,
        onto,
        worktree,
        paths,
    });
    Ok(())
}

/// `continue`, `skip` and `abort` of a backport: what is its own of them.
impl Resumable for Backport {
    type Key = ();
    type Outcome = BackportOutcome;
    /// The forge for its pull requests, the time, and who hears of each line done.
    type With<'a> = (
        Option<&'a dyn Forge>,
        Timestamp,
        &'a mut dyn FnMut(Progress<'_>),
    );

    fn key(&self) {}

    /// Its refs settled after a possible crash.
    fn reload(self, repo: &Repo) -> Result<Option<Backport>> {
        let mut run = load(repo)?;
        if let Some(run) = &mut run {
            settle(run);
        }
        Ok(run)
    }

    fn waiting_in(repo: &Repo, _: &()) -> Option<PathBuf> {
        load(repo).ok().flatten()?.stopped.map(|s| s.worktree)
    }

    fn waits_in(&self) -> Option<PathBuf> {
        self.stopped.as_ref().map(|s| s.worktree.clone())
    }

    fn recover(&mut self, repo: &Repo, with: &mut Self::With<'_>) -> Result<()> {
        finish_interrupted(repo, self, with.0)
    }

    fn take_resolution(&mut self, repo: &Repo) -> Result<()> {
        let mem = repo.in_memory();
        if take_resolution(&mem, self)?.is_some() {
            repo.keep_objects(mem)?;
            save(repo, self)?;
        }
        Ok(())
    }

    fn leave_out(&mut self, repo: &Repo) -> Result<()> {
        if let Some(stop) = self.stopped.take() {
            let target = &mut self.targets[stop.target];
            target.status = TargetStatus::Skipped;
            target.reason = Some("skipped after a conflict".into());
            target.result = None;
            save(repo, self)?;
        }
        Ok(())
    }

    fn proceed(self, repo: &Repo, (_, now, progress): Self::With<'_>) -> Result<BackportOutcome> {
        proceed(repo, self, now, progress)
    }

    fn before_undo(&mut self, _repo: &Repo) -> Result<()> {
        self.stopped = None;
        Ok(())
    }

    /// What it wrote is forgotten (its branches, its pull requests), and its record put
    /// aside.
    fn aborted(mut self, repo: &Repo, undone: &[Undone], now: Timestamp) -> Result<()> {
        for target in &mut self.targets {
            target.pull = None;
            target.ref_state = RefState::Untouched;
        }
        self.events.push(journal::Event {
            at: now,
            what: aborted_event("backport", undone),
        });
        archive(repo, &self, now)
    }
}

/// Take a paused run's resolution from its worktree: the conflicting pick becomes the commit
/// made there (written to `mem`), and its target goes on from there. Returns the stop.
fn take_resolution(mem: &Repo, run: &mut Backport) -> Result<Option<Stop>> {
    let Some(stop) = run.stopped.take() else {
        return Ok(None);
    };
    let source = sources_for(run, stop.target)[stop.pick];
    let commit = resolve::read(
        mem,
        &stop.worktree,
        stop.onto,
        &Resolving::Pick {
            source: source.commit,
            parent: source.parent,
        },
        |tree| pick::commit_pick(mem, stop.onto, &source, tree),
    )?;
    let tree = mem.tree_of(commit)?;
    let target = &mut run.targets[stop.target];
    target.commits[stop.pick] = PickRecord {
        source: source.commit,
        status: PickStatus::Picked,
        result: Some(commit),
        tree: Some(tree),
        empty: None,
    };
    target.status = TargetStatus::Pending;
    target.conflicts.clear();
    Ok(Some(stop))
}

/// What `continue` would do, computed in memory: the resolution taken and every pending
/// target picked from its tip now.
pub fn preview_resume(repo: &Repo) -> Result<Backport> {
    let mut run = load(repo)?.ok_or(Error::NoStoppedRun { action: "continue" })?;
    let mem = repo.in_memory();
    take_resolution(&mem, &mut run)?;
    for index in 0..run.targets.len() {
        if run.targets[index].status == TargetStatus::Pending {
            if run.targets[index].commits.is_empty() {
                run.targets[index].tip =
                    repo.require_branch(&run.targets[index].target, BranchRole::ReleaseLine)?;
            }
            compute_target(&mem, &mut run, index)?;
        }
    }
    Ok(run)
}

/// Do what was under way when a run was interrupted, before going on from there.
fn finish_interrupted(repo: &Repo, run: &mut Backport, forge: Option<&dyn Forge>) -> Result<()> {
    engine::run(repo, &mut WithForge { record: run, forge })?;
    settle(run);
    save(repo, run)
}

/// Tell the hotfix's journal what its backport did, for status and reports.
fn record_in_hotfix(repo: &Repo, run: &Backport, now: Timestamp) -> Result<()> {
    let Some(ticket) = &run.hotfix else {
        return Ok(());
    };
    let store = journal::Store::new(repo);
    let Some(mut journal) = store.load_any(ticket)? else {
        return Ok(());
    };
    journal.record(
        now,
        EventKind::Backported {
            targets: run
                .targets
                .iter()
                .map(|t| journal::BackportedTarget {
                    target: t.target.clone(),
                    branch: (t.ref_state == RefState::Written).then(|| t.branch.clone()),
                    status: t.status,
                    pull: t.pull.clone(),
                })
                .collect(),
        },
    );
    store.save(&journal)
}
