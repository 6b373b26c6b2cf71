//! `finish`: tag the fix, bring it into its line (and develop), delete the branch and push.
//! Everything is computed in memory first ([`plan`]); then the objects are written and the
//! run's steps (the refs in one transaction, the worktrees that follow them, the push) go
//! through the engine, which journals each before it starts ([`run`]), so that `continue`
//! and `abort` work from any point.
//!
//! `finish --pr` ([`propose`]) puts the fix up for review instead, and `finish --after-merge`
//! ([`after_merge`]) releases what its pull request merged.

pub mod after_merge;
pub mod begin;
pub mod checks;
mod plan;
pub mod propose;
pub mod publish;
mod run;

use std::collections::BTreeMap;
use std::path::PathBuf;

use gix::ObjectId;

use crate::foundation::error::{Error, Result};
use crate::foundation::names::{BRANCH_PREFIX, BranchRole};
use crate::foundation::version::Version;
use crate::git::merge::Outcome;
use crate::git::push::PushPlan;
use crate::git::refs::{Edit, Value};
use crate::git::repo::{Base, CommitSummary, Repo, Worktree};
use crate::operations::tag::TagStep;
use crate::records::journal::{Held, Journal, Onto, ReleaseCommit, Store};
use crate::records::run::{Merged, OpenedPull, Run, WorktreeStep};
use crate::settings::review::SettingsChange;

pub use plan::plan;
pub(crate) use plan::{
    Landing, kept_on_remote, line_of, onto_step, plan_worktrees, proposed_release, push_plan,
    release_commit, tag_step,
};
pub(crate) use run::{Ready, execute};
pub use run::{ResumePreview, Stopped, preview_resume, reopen, run};

/// Why a branch receives the fix.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Production,
    ReleaseLine,
    Develop,
}

impl Role {
    fn branch_role(self) -> BranchRole {
        match self {
            Role::Production => BranchRole::Production,
            Role::ReleaseLine => BranchRole::ReleaseLine,
            Role::Develop => BranchRole::Develop,
        }
    }
}

/// One branch that receives the hotfix.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Integration {
    pub branch: String,
    pub role: Role,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub old: ObjectId,
    pub outcome: Outcome,
    /// The worktree that has this branch checked out; its files follow the branch.
    pub checked_out: Option<PathBuf>,
}

impl Integration {
    /// `branch` receiving the fix as `outcome`; a worktree that has it checked out must be
    /// clean, as its files follow the branch.
    pub(crate) fn new(
        worktrees: &[Worktree],
        branch: String,
        role: Role,
        old: ObjectId,
        outcome: Outcome,
    ) -> Result<Integration> {
        let checked_out = worktrees
            .iter()
            .find(|w| w.branch() == Some(branch.as_str()));
        if let Some(worktree) = checked_out
            && outcome.new_tip().is_some()
        {
            let files = crate::git::repo::dirty_files_of(&crate::git::worktree::open(worktree)?)?;
            if !files.is_empty() {
                return Err(Error::CheckedOutElsewhere {
                    branch,
                    worktree: worktree.path.clone(),
                    files,
                });
            }
        }
        Ok(Integration {
            branch,
            role,
            old,
            outcome,
            checked_out: checked_out.map(|w| w.path.clone()),
        })
    }
}

/// The fix merged into a newer release of its line, released by someone else since the
/// hotfix started, before it is released itself: a release holds every earlier release of
/// its line.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct OntoStep {
    /// The newer release's tag.
    pub tag: String,
    /// Its commit.
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub release: ObjectId,
    /// The merge of the fix into it, or the conflict that stops the run.
    pub outcome: Outcome,
}

impl OntoStep {
    /// What the journal keeps of it once the merge is made.
    pub fn record(&self) -> Option<Onto> {
        match self.outcome {
            Outcome::Merge { commit } => Some(Onto {
                tag: self.tag.clone(),
                merge: commit,
            }),
            _ => None,
        }
    }
}

/// Where a run stops for a person to resolve a merge.
#[derive(Debug, Clone)]
pub struct Stop {
    /// What the fix is merged into: a receiving branch, or a newer release's tag.
    pub into: String,
    pub ours: ObjectId,
    pub theirs: ObjectId,
    /// Into a newer release (`into` is its tag), under the release commit.
    pub onto: bool,
}

/// Everything `finish` will do.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct FinishPlan {
    pub ticket: String,
    pub branch: String,
    /// The hotfix branch's tip: refs move from here (compare-and-swap).
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub branch_tip: ObjectId,
    /// What is released: the release commit, or the branch tip when there is none.
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub tip: ObjectId,
    /// The commit that moves the version in the version files, on top of the fix.
    pub release: Option<ReleaseCommit>,
    /// What the fix had done of the release commit's work already.
    #[serde(skip_serializing_if = "Held::is_empty")]
    pub held: Held,
    /// The newer release of its line the fix is merged into first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onto: Option<OntoStep>,
    pub base: Base,
    pub version: Version,
    pub commits: Vec<CommitSummary>,
    pub tag: Option<TagStep>,
    pub integrations: Vec<Integration>,
    /// Set when the fix is for a line older than production: it is tagged on its own line
    /// and not merged into production (newer lines get it by backport).
    pub older_than_production: Option<String>,
    /// The develop branch receives the fix because it was found by name (`develop`, or
    /// git-flow's), not configured: the plan says so.
    pub develop_found: bool,
    pub delete_branch: bool,
    pub worktrees: Vec<WorktreeStep>,
    pub push: Option<PushPlan>,
    /// The published hotfix branch the push leaves on the remote, at this commit: someone
    /// pushed commits there that the release lacks, and deleting it would lose them.
    #[serde(
        with = "crate::foundation::oid::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub kept_on_remote: Option<ObjectId>,
    /// Set for `finish --after-merge`: the fix reached its line through this pull request,
    /// and the plan only tags the merge, catches the local branch up and tidies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged: Option<Merged>,
    /// What the fix changes of the team's settings where it lands: a finish goes on only
    /// once that is accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsChange>,
}

impl FinishPlan {
    /// The first merge that conflicts: the run will stop there.
    pub fn stop(&self) -> Option<Stop> {
        if let Some(onto) = self
            .onto
            .as_ref()
            .filter(|o| matches!(o.outcome, Outcome::Conflict { .. }))
        {
            return Some(Stop {
                into: onto.tag.clone(),
                ours: onto.release,
                theirs: self.branch_tip,
                onto: true,
            });
        }
        self.integrations
            .iter()
            .find(|i| matches!(i.outcome, Outcome::Conflict { .. }))
            .map(|i| Stop {
                into: i.branch.clone(),
                ours: i.old,
                theirs: self.tip,
                onto: false,
            })
    }

    /// The ref edits that make this plan true, in one transaction.
    pub(crate) fn edits(&self) -> Vec<Edit> {
        let mut edits = Vec::new();
        edits.extend(self.tag.as_ref().and_then(TagStep::edit));
        for integration in &self.integrations {
            if let Some(new) = integration.outcome.new_tip() {
                edits.push(Edit {
                    name: format!("{BRANCH_PREFIX}{}", integration.branch),
                    old: Some(Value::Object(integration.old)),
                    new: Some(Value::Object(new)),
                });
            }
        }
        let branch = format!("{BRANCH_PREFIX}{}", self.branch);
        if self.delete_branch {
            // A worktree on the branch moves off it in the same transaction, so that it never
            // names a branch that is gone; its files follow in a step of their own.
            for step in &self.worktrees {
                let new = match step {
                    WorktreeStep::Switch { to, .. } => {
                        Value::Symbolic(format!("{BRANCH_PREFIX}{to}"))
                    }
                    WorktreeStep::Detach { tip, .. } => Value::Object(*tip),
                    WorktreeStep::Remove { .. } | WorktreeStep::Follow { .. } => {
                        Value::Object(self.branch_tip)
                    }
                };
                edits.push(Edit {
                    name: step.head_ref().to_string(),
                    old: Some(Value::Symbolic(branch.clone())),
                    new: Some(new),
                });
            }
            edits.push(Edit {
                name: branch,
                old: Some(Value::Object(self.branch_tip)),
                new: None,
            });
        } else if self.tip != self.branch_tip && self.merged.is_none() {
            // Kept: the branch takes the release commit too.
            edits.push(Edit {
                name: branch,
                old: Some(Value::Object(self.branch_tip)),
                new: Some(Value::Object(self.tip)),
            });
        }
        edits
    }
}

/// What a stopped run carries into the next attempt.
#[derive(Debug, Clone, Default)]
pub struct Prior {
    pub resolved: BTreeMap<String, ObjectId>,
    pub expected: BTreeMap<String, ObjectId>,
    pub release: Option<ReleaseCommit>,
    pub held: Held,
    pub onto: Option<Onto>,
}

impl Prior {
    pub fn of(run: Option<&Run>) -> Prior {
        run.map(|run| Prior {
            resolved: run.resolved.clone(),
            expected: run.expected.clone(),
            release: run.release.clone(),
            held: run.held.clone(),
            onto: run.onto.clone(),
        })
        .unwrap_or_default()
    }
}

/// How a `finish` (or `continue`) ended.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum FinishOutcome {
    Finished {
        plan: FinishPlan,
        moved: Vec<Edit>,
        pushed: bool,
        /// The remote the hotfix's notes went to with the release.
        notes_pushed: Option<String>,
    },
    /// A stopped or interrupted finish is now complete: `moved` and `pushed` are what its
    /// steps did, this time and before.
    Completed {
        moved: Vec<Edit>,
        pushed: Option<PushPlan>,
        notes_pushed: Option<String>,
    },
    /// Another run kept in the hotfix's journal (`finish --pr`, `tag`) did what it had left.
    Resumed {
        #[serde(rename = "command")]
        kind: crate::records::run::RunKind,
        moved: Vec<Edit>,
        pushed: Option<PushPlan>,
        /// The pull request a `finish --pr` run opened or brought up to date.
        pull: Option<OpenedPull>,
    },
    /// Stopped on a conflict; `continue` or `abort` from here.
    Stopped {
        plan: FinishPlan,
        branch: String,
        worktree: PathBuf,
        paths: Vec<String>,
    },
}

/// Pick the hotfix a command works on: the named ticket, else the one whose branch is checked out.
pub fn select(repo: &Repo, ticket: Option<&str>) -> Result<Journal> {
    let store = Store::new(repo);
    if let Some(ticket) = ticket {
        let id = crate::foundation::names::ticket(ticket)?;
        return store.load(&id)?.ok_or_else(|| Error::NotAHotfix {
            selector: format!("ticket `{id}`"),
        });
    }
    let (branch, _) = repo.current_branch()?;
    store
        .active()?
        .into_iter()
        .find(|j| j.branch == branch)
        .ok_or_else(|| Error::NotAHotfix {
            selector: format!("branch `{branch}`"),
        })
}

/// The hotfix with a stopped run.
pub fn select_stopped(repo: &Repo, ticket: Option<&str>, action: &'static str) -> Result<Journal> {
    if ticket.is_some() {
        let journal = select(repo, ticket)?;
        return match journal.run {
            Some(_) => Ok(journal),
            None => Err(Error::NoStoppedRun { action }),
        };
    }
    let mut stopped: Vec<Journal> = Store::new(repo)
        .active()?
        .into_iter()
        .filter(|j| j.run.is_some())
        .collect();
    match stopped.len() {
        0 => Err(Error::NoStoppedRun { action }),
        1 => Ok(stopped.remove(0)),
        _ => {
            let current = repo.current_branch().ok().map(|(b, _)| b);
            match stopped
                .iter()
                .position(|j| Some(&j.branch) == current.as_ref())
            {
                Some(i) => Ok(stopped.remove(i)),
                None => Err(Error::AmbiguousHotfix {
                    tickets: stopped.into_iter().map(|j| j.ticket).collect(),
                }),
            }
        }
    }
}
