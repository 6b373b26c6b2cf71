//! The one sequencer every command that writes runs through.
//!
//! A command plans in memory, writes the objects its plan needs, then hands the engine a list
//! of steps (refs to move together, worktrees to bring along, a push). The engine journals
//! each step as started before doing it and as done after, so whatever kills the process
//! (Ctrl-C, SIGKILL, a full disk), the journal says which step may be half-way. Both ways
//! out read the repository before acting:
//!
//! - [`run`] (first time and `continue`) does what is left: a step that was under way is done
//!   again from what is there now (the refs still at their old value move, the files of a
//!   worktree not yet at the new commit are brought there, the refs a remote lacks are
//!   pushed);
//! - [`undo`] (`abort`) takes back what was done, last step first, by compare-and-swap from
//!   the value each ref has now, the remote's included (leased); what it cannot take back
//!   (someone moved a ref since) it names instead of claiming it did.
//!
//! [`resumable`] writes `continue`, `skip` and `abort` once, for every kind of run that
//! waits after a stop (a finish, a backport, a patch apply), around these two.

pub mod failpoint;
pub mod resumable;
mod step;

use crate::foundation::error::Result;
use crate::git::repo::Repo;
use crate::records::journal::{EventKind, Journal, Store};
use crate::records::run::{OpenedPull, Progress, PullRequest, Step, Steps};

pub use step::Undone;

/// The journal that holds a run's steps: the engine saves it before and after each one.
pub trait Record {
    fn steps(&mut self) -> &mut Steps;
    fn save(&self, repo: &Repo) -> Result<()>;
    /// The forge a run's [`Step::Pull`] goes to; `None` when the caller gave none.
    fn forge(&self) -> Option<&dyn Forge> {
        None
    }
}

/// The calls a run makes to the forge (GitHub). The core does not speak to it itself: the
/// CLI hands the engine one for runs that open pull requests. Failures come back as
/// [`Error::Forge`](crate::foundation::error::Error::Forge).
pub trait Forge {
    /// Open the pull request, or bring up to date the one open for its head and base.
    fn ensure_pull(&self, request: &PullRequest) -> Result<OpenedPull>;
    /// The number of the open pull request from `head` into `base`, if there is one.
    fn open_pull(&self, head: &str, base: &str) -> Result<Option<u64>>;
    fn close_pull(&self, number: u64) -> Result<()>;
}

/// A run kept in its hotfix's journal (a finish, a revert, a tag pushed).
pub struct InJournal<'a, 'r> {
    journal: &'a mut Journal,
    store: &'a Store<'r>,
}

impl<'a, 'r> InJournal<'a, 'r> {
    /// `journal` must have a run.
    pub fn new(journal: &'a mut Journal, store: &'a Store<'r>) -> Self {
        InJournal { journal, store }
    }
}

impl Record for InJournal<'_, '_> {
    fn steps(&mut self) -> &mut Steps {
        &mut self
            .journal
            .run
            .as_mut()
            .expect("a run in the journal")
            .steps
    }

    fn save(&self, _repo: &Repo) -> Result<()> {
        self.store.save(self.journal)
    }
}

/// A record whose pull requests go to `forge`.
pub struct WithForge<'a, R> {
    pub record: &'a mut R,
    pub forge: Option<&'a dyn Forge>,
}

impl<R: Record> Record for WithForge<'_, R> {
    fn steps(&mut self) -> &mut Steps {
        self.record.steps()
    }

    fn save(&self, repo: &Repo) -> Result<()> {
        self.record.save(repo)
    }

    fn forge(&self) -> Option<&dyn Forge> {
        self.forge
    }
}

/// Run the steps left of the run in `journal` (a hotfix's); a failure is recorded as the
/// run's stop, for `status`, and the run waits for `continue` or `abort`. Once they are all
/// done, the run leaves the journal, which records the refs it moved and what it pushed
/// (not yet saved: the caller adds its own outcome first). Returns the finished run.
pub fn run_in_journal(
    repo: &Repo,
    journal: &mut Journal,
    store: &Store,
    forge: Option<&dyn Forge>,
    now: jiff::Timestamp,
) -> Result<crate::records::run::Run> {
    let record = &mut InJournal::new(journal, store);
    if let Err(err) = run(repo, &mut WithForge { record, forge }) {
        record_stop(journal, &err, now);
        store.save(journal)?;
        return Err(err);
    }
    let done = journal.run.take().expect("a run in the journal");
    record_done(journal, &done.steps, now);
    Ok(done)
}

/// Record in `journal` that its run stopped on `err`, for `status` (not yet saved).
pub fn record_stop(
    journal: &mut Journal,
    err: &crate::foundation::error::Error,
    now: jiff::Timestamp,
) {
    let command = journal
        .run
        .as_ref()
        .map_or_else(String::new, |r| r.kind.to_string());
    journal.record(
        now,
        EventKind::Stopped {
            command,
            reason: err.to_string(),
        },
    );
}

/// Record in `journal` what `steps` did: the refs they moved (the notes ref aside: it is the
/// record itself) and what they pushed.
pub fn record_done(journal: &mut Journal, steps: &Steps, now: jiff::Timestamp) {
    let refs: Vec<_> = steps
        .moved()
        .filter(|e| e.name.starts_with("refs/") && e.name != crate::records::notes::REF)
        .map(|e| e.to_move())
        .collect();
    if !refs.is_empty() {
        journal.record(now, EventKind::RefsMoved { refs });
    }
    for push in steps.pushed() {
        if push
            .refs
            .iter()
            .all(|r| r.name == crate::records::notes::REF)
        {
            continue;
        }
        journal.record(
            now,
            EventKind::Pushed {
                remote: push.remote.clone(),
                refs: push.refs.iter().map(|r| r.name.clone()).collect(),
            },
        );
    }
}

/// Whether a run that failed wrote nothing: no step is done, and a step under way is a
/// ref transaction none of whose refs moved. Such a run can be forgotten instead of
/// waiting for `abort`.
pub fn nothing_done(repo: &Repo, steps: &Steps) -> Result<bool> {
    for recorded in &steps.0 {
        match (&recorded.progress, &recorded.step) {
            (Progress::Pending, _) => {}
            (Progress::Started, Step::Refs { edits, .. }) => {
                if !step::preview_undo(repo, &recorded.step)?.is_empty() || edits.is_empty() {
                    return Ok(false);
                }
            }
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Do every step not done yet, in order. A step that fails stays `started` with why, for
/// `status`; the error is returned and the run waits for `continue` or `abort`.
pub fn run(repo: &Repo, record: &mut impl Record) -> Result<()> {
    let mut index = 0;
    while index < record.steps().0.len() {
        let recorded = &mut record.steps().0[index];
        if recorded.progress == Progress::Done {
            index += 1;
            continue;
        }
        let resuming = recorded.progress == Progress::Started;
        if !resuming {
            recorded.progress = Progress::Started;
            record.save(repo)?;
        }
        let mut step = record.steps().0[index].step.clone();
        failpoint::hit(step::name(&step));
        if let Err(err) = step::perform(repo, &mut step, resuming, record.forge()) {
            record.steps().0[index].failed = Some(err.to_string());
            record.save(repo)?;
            return Err(err);
        }
        failpoint::hit("done");
        let recorded = &mut record.steps().0[index];
        // A step that asked the forge keeps its answer.
        recorded.step = step;
        recorded.progress = Progress::Done;
        recorded.failed = None;
        record.save(repo)?;
        index += 1;
    }
    Ok(())
}

/// Take back every step begun, last first; each undone step becomes pending again, so an
/// undo that stops part-way can be taken up again. Returns what was undone.
pub fn undo(repo: &Repo, record: &mut impl Record) -> Result<Vec<Undone>> {
    // A ref someone moved since is named before anything is taken back: files brought
    // back for refs that then could not follow would leave a checkout of neither state.
    let begun: Vec<Step> = record
        .steps()
        .0
        .iter()
        .filter(|r| r.progress != Progress::Pending)
        .map(|r| r.step.clone())
        .collect();
    let switched = step::ensure_refs_can_go_back(repo, &begun)?;
    let mut undone = Vec::new();
    for index in (0..record.steps().0.len()).rev() {
        let recorded = &record.steps().0[index];
        if recorded.progress == Progress::Pending {
            continue;
        }
        let step = recorded.step.clone();
        failpoint::hit("undo");
        undone.extend(step::undo(repo, &step, record.forge(), &switched)?);
        let recorded = &mut record.steps().0[index];
        recorded.progress = Progress::Pending;
        recorded.failed = None;
        record.save(repo)?;
    }
    Ok(undone)
}

/// What `abort` would undo, read from the repository (and the remote) as it is now.
pub fn preview_undo(repo: &Repo, steps: &Steps) -> Result<Vec<Undone>> {
    let mut undone = Vec::new();
    for recorded in steps.0.iter().rev() {
        if recorded.progress != Progress::Pending {
            undone.extend(step::preview_undo(repo, &recorded.step)?);
        }
    }
    Ok(undone)
}
