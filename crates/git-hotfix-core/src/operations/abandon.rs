//! `abandon`: end a hotfix on purpose, without a release. The journal (and the note, when
//! the hotfix was tagged) records it as abandoned; the branch stays unless asked, and even
//! then only when every commit on it is held by another branch or tag.

use gix::ObjectId;
use jiff::Timestamp;

use crate::foundation::error::{Error, Result};
use crate::foundation::names::BRANCH_PREFIX;
use crate::foundation::oid::short;
use crate::git::refs::{self, Edit, Value};
use crate::git::repo::Repo;
use crate::records::journal::{EventKind, Journal, State, Store};

/// What `abandon` will do.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct AbandonPlan {
    pub ticket: String,
    pub branch: String,
    /// The branch's tip, when it still exists.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub tip: Option<ObjectId>,
    pub delete_branch: bool,
    pub reason: Option<String>,
}

/// Plan ending `journal`: refused while one of its runs is stopped (continue or abort it
/// first), and, with `delete_branch`, when the branch is checked out or holds commits that
/// nothing else does.
pub fn plan(
    repo: &Repo,
    journal: &Journal,
    delete_branch: bool,
    reason: Option<String>,
) -> Result<AbandonPlan> {
    if let Some(run) = &journal.run {
        return Err(Error::RunInProgress {
            ticket: journal.ticket.clone(),
            command: run.kind.to_string(),
        });
    }
    let tip = repo.branch_tip(&journal.branch)?;
    if delete_branch && tip.is_some() {
        if let Some(worktree) = repo.worktrees_on(&journal.branch)?.first() {
            return Err(Error::BranchCheckedOut {
                branch: journal.branch.clone(),
                worktree: worktree.path.clone(),
            });
        }
        let lost = repo.only_on(&journal.branch)?;
        if !lost.is_empty() {
            return Err(Error::OnlyHolder {
                branch: journal.branch.clone(),
                commits: lost.into_iter().map(short).collect(),
            });
        }
    }
    Ok(AbandonPlan {
        ticket: journal.ticket.clone(),
        branch: journal.branch.clone(),
        tip,
        delete_branch: delete_branch && tip.is_some(),
        reason,
    })
}

/// Record the hotfix as abandoned, then delete its branch if planned. In that order: killed
/// in between, the branch is left over, never a journal that still claims the hotfix.
pub fn run(repo: &Repo, journal: &mut Journal, plan: &AbandonPlan, now: Timestamp) -> Result<()> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    journal.record(
        now,
        EventKind::Abandoned {
            reason: plan.reason.clone(),
        },
    );
    journal.state = State::Abandoned;
    store.save(journal)?;
    if let (true, Some(tip)) = (plan.delete_branch, plan.tip) {
        let delete = Edit {
            name: format!("{BRANCH_PREFIX}{}", plan.branch),
            old: Some(Value::Object(tip)),
            new: None,
        };
        refs::apply(repo, &[delete], &format!("hotfix abandon: {}", plan.ticket))?;
    }
    Ok(())
}
