//! `rollback --revert`: take a released hotfix back with a new release. Its fix is reverted
//! as `git revert` would (git's three-way merge, the fix's tip as the base and the commit
//! before the fix as theirs) on a hotfix of its own, branched from the release being taken
//! back; `finish` then releases it like any hotfix.

use gix::ObjectId;
use jiff::Timestamp;

use crate::engine::{self, InJournal};
use crate::foundation::error::{Error, Result};
use crate::foundation::names::BRANCH_PREFIX;
use crate::foundation::oid::short;
use crate::git::refs::{Edit, Value};
use crate::git::repo::Repo;
use crate::operations::start::{self, Checkout, StartPlan, StartRequest};
use crate::records::journal::{EventKind, Journal, State, Store};
use crate::records::run::{FinishOptions, Reverting, Run, RunKind, Step};
use crate::settings::config::Config;

/// The hotfix that takes another back, and its revert commit (held in memory until run).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct RevertPlan {
    /// The ticket of the hotfix taken back.
    pub of: String,
    pub start: StartPlan,
    /// The fix's commits, oldest first.
    #[serde(with = "crate::foundation::oid::hex_vec")]
    #[schemars(with = "Vec<String>")]
    pub reverted: Vec<ObjectId>,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub commit: ObjectId,
    pub message: String,
}

/// Plan the revert of finished `journal`, writing the revert commit to `mem`.
pub fn plan(repo: &Repo, mem: &Repo, config: &Config, journal: &Journal) -> Result<RevertPlan> {
    if journal.state != State::Finished || !repo.tag_exists(&journal.tag)? {
        return Err(Error::NotReleased {
            ticket: journal.ticket.clone(),
        });
    }
    let fix = crate::records::fix::fix_commits(repo, journal)?;
    let (Some(first), Some(last)) = (fix.first(), fix.last()) else {
        return Err(Error::NothingToRevert {
            ticket: journal.ticket.clone(),
        });
    };
    let before = repo
        .first_parent(first.id)?
        .ok_or_else(|| Error::NothingToRevert {
            ticket: journal.ticket.clone(),
        })?;
    let mut start = start::plan(
        repo,
        config,
        &StartRequest {
            ticket: format!("{}-rollback", journal.ticket),
            description: format!("revert {}", journal.description),
            from: Some(journal.tag.clone()),
            product: journal.product.clone(),
            version: None,
            allow_older: false,
            hotfix_release: false,
            checkout: Checkout::None,
        },
    )?;
    // The same incident: its severity (and clock) carry over.
    start.assessment = journal.assessment.clone();
    let onto = start.base.commit();

    let (base, ours, theirs) = (
        repo.tree_of(last.id)?,
        repo.tree_of(onto)?,
        repo.tree_of(before)?,
    );
    let theirs_label = format!("parent of {} ({})", short(first.id), first.summary);
    let labels = crate::git::merge::Labels {
        ours: "HEAD",
        theirs: &theirs_label,
    };
    let merged = crate::git::merge::three_way(mem, base, ours, theirs, &labels)?;
    if !merged.conflicts.is_empty() {
        return Err(Error::RevertConflicts {
            ticket: journal.ticket.clone(),
            onto: journal.tag.clone(),
            paths: merged.conflicts,
        });
    }
    let tree = merged.tree;
    if tree == ours {
        return Err(Error::NothingToRevert {
            ticket: journal.ticket.clone(),
        });
    }
    let message = message(journal, &fix);
    let commit = crate::git::merge::commit(mem, &message, tree, [onto])?;
    Ok(RevertPlan {
        of: journal.ticket.clone(),
        start,
        reverted: fix.iter().map(|c| c.id).collect(),
        commit,
        message,
    })
}

/// git's words for one commit (`Revert "…"`, `This reverts commit <id>.`), and for several.
fn message(journal: &Journal, fix: &[crate::records::fix::FixCommit]) -> String {
    match fix {
        [only] => format!(
            "Revert \"{}\"\n\nThis reverts commit {}, released in {} ({}).\n",
            only.summary, only.id, journal.tag, journal.ticket
        ),
        _ => {
            let listed: String = fix
                .iter()
                .map(|c| format!("{} {}\n", c.id, c.summary))
                .collect();
            format!(
                "Revert {}: {}\n\nThis reverts the commits released in {}:\n\n{listed}",
                journal.ticket, journal.description, journal.tag
            )
        }
    }
}

/// Start the revert's hotfix with the revert commit on its branch: the new hotfix's journal
/// holds a run whose first step creates the branch, so that `continue` goes on to its finish
/// with `options` (through a pull request with `pr`) and `abort` forgets it. Returns the
/// journal, its run's steps done.
pub fn execute(
    repo: &Repo,
    mem: Repo,
    plan: &RevertPlan,
    options: FinishOptions,
    pr: bool,
    now: Timestamp,
) -> Result<Journal> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    repo.keep_objects(mem)?;
    engine::failpoint::hit("objects");
    let mut journal = start::journal_of(&plan.start, now);
    journal.record(
        now,
        EventKind::Reverts {
            ticket: plan.of.clone(),
            commit: plan.commit,
        },
    );
    let mut run = Run::new(RunKind::Revert, options);
    run.reverts = Some(Reverting {
        ticket: plan.of.clone(),
        commit: plan.commit,
        pr,
    });
    run.steps.add(Step::Refs {
        edits: vec![Edit {
            name: format!("{BRANCH_PREFIX}{}", plan.start.branch),
            old: None,
            new: Some(Value::Object(plan.commit)),
        }],
        message: format!("hotfix rollback: {} reverts {}", plan.start.ticket, plan.of),
    });
    journal.run = Some(run);
    take_steps(repo, &mut journal, now)?;
    Ok(journal)
}

/// Take the steps left of the rollback's own start. When they fail having written nothing,
/// the hotfix is forgotten; otherwise the run waits for `continue` or `abort`.
pub(crate) fn take_steps(repo: &Repo, journal: &mut Journal, now: Timestamp) -> Result<()> {
    let store = Store::new(repo);
    let Err(err) = engine::run(repo, &mut InJournal::new(journal, &store)) else {
        return Ok(());
    };
    let steps = &journal.run.as_ref().expect("a run").steps;
    if engine::nothing_done(repo, steps)? {
        store.remove(&journal.ticket)?;
    } else {
        engine::record_stop(journal, &err, now);
        store.save(journal)?;
    }
    Err(err)
}

/// `continue` of a rollback through a pull request: its hotfix's start is completed here,
/// then the CLI opens the pull request as `finish --pr` does.
pub fn complete_start(repo: &Repo, journal: &mut Journal, now: Timestamp) -> Result<()> {
    let _lock = Store::new(repo).lock()?;
    take_steps(repo, journal, now)
}
