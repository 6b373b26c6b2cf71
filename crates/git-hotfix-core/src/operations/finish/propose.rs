//! `finish --pr`: put the hotfix up for review instead of merging it here. The release
//! commit (version bump, changelog) goes on the hotfix branch, the branch is pushed with a
//! lease, and the pull request the forge opens is remembered in the journal. Running it
//! again makes no second release commit and pushes only what is new.

use crate::settings::review::{self, SettingsChange};
use std::path::PathBuf;

use gix::ObjectId;
use jiff::Timestamp;

use crate::engine::{self, Forge};
use crate::foundation::error::{Error, Result};
use crate::foundation::names::BRANCH_PREFIX;
use crate::foundation::names::BranchRole;
use crate::git::diff::{self, Style};
use crate::git::push::{self, PushPlan};
use crate::git::refs::{Edit, Value};
use crate::git::repo::{CommitSummary, Repo};
use crate::operations::finish::{self, Landing};
use crate::operations::release;
use crate::records::journal::{EventKind, Journal, Proposal, PullRecord, Store};
use crate::records::journal::{Held, ReleaseCommit};
use crate::records::run::FinishOptions;
use crate::records::run::{OpenedPull, PullRequest, Run, RunKind, Step, Steps};
use crate::settings::config::Config;
use crate::settings::policy::VersionFiles;

/// Everything `finish --pr` will do before the forge is asked.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ProposePlan {
    pub ticket: String,
    pub branch: String,
    /// The branch the pull request merges into.
    pub base: String,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub branch_tip: ObjectId,
    /// What the branch holds once the release commit is on it.
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub tip: ObjectId,
    pub release: Option<ReleaseCommit>,
    /// What the fix had done of the release commit's work already.
    #[serde(skip_serializing_if = "Held::is_empty")]
    pub held: Held,
    /// The release commit is made now (not by an earlier run).
    pub release_is_new: bool,
    /// The fix, without the release commit.
    pub commits: Vec<CommitSummary>,
    /// The files the fix changes.
    pub changed: Vec<String>,
    /// The `Root cause:` paragraph of the fix's commit messages, if one has it.
    pub root_cause: Option<String>,
    /// The release the fix starts from, when it started from a tag.
    pub previous_release: Option<String>,
    /// Empty when the remote's branch already holds `tip`.
    pub push: PushPlan,
    /// Worktrees on the branch, whose files follow it to the release commit.
    pub worktrees: Vec<PathBuf>,
    /// What the fix changes of the team's settings, for the review to see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsChange>,
}

impl ProposePlan {
    /// `journal` as it stands once this plan is carried out: its branch pushed with the
    /// release commit on it, proposed into `base` (by a pull request not known yet).
    pub fn proposed(&self, journal: &Journal) -> Journal {
        Journal {
            proposal: Some(Proposal {
                base: self.base.clone(),
                release: self.release.clone(),
                held: self.held.clone(),
                pushed: Some(self.tip),
                pull: None,
            }),
            ..journal.clone()
        }
    }
}

/// Compute what `finish --pr` will do; the release commit is written to `mem`.
pub fn plan(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    options: &FinishOptions,
    version_files: Option<&dyn VersionFiles>,
) -> Result<ProposePlan> {
    let branch_tip = repo.require_branch(&journal.branch, BranchRole::Hotfix)?;
    let base_commit = journal.base.commit();
    let release_commits = journal.release_commits();
    let commits: Vec<CommitSummary> = repo
        .commit_summaries(base_commit, branch_tip)?
        .into_iter()
        .filter(|c| !release_commits.contains(&c.id))
        .collect();
    if commits.is_empty() {
        return Err(Error::NothingToFinish {
            branch: journal.branch.clone(),
            base: journal.base.label(),
        });
    }
    let worktrees: Vec<_> = repo
        .worktrees()?
        .into_iter()
        .filter(|w| w.branch() == Some(journal.branch.as_str()))
        .collect();
    for worktree in &worktrees {
        crate::git::worktree::ensure_clean(worktree)?;
    }

    let (release, release_is_new, held) = match finish::proposed_release(repo, journal, branch_tip)?
    {
        Some((release, held)) => (Some(release), false, held),
        None => {
            let facts = release::facts_now(journal, mem)?;
            let (made, held) = finish::release_commit(
                mem,
                config,
                journal,
                options,
                &facts,
                branch_tip,
                version_files,
            )?;
            let is_new = made.is_some();
            (made, is_new, held)
        }
    };
    let tip = match &release {
        Some(release) if release_is_new => release.commit,
        _ => branch_tip,
    };

    // The pull request releases this version: someone else's tag of it makes that untrue.
    crate::operations::tag::ensure_version_free(repo, config, journal, tip)?;
    let Landing {
        branch,
        newer_release,
    } = finish::line_of(repo, config, journal)?;
    let Some((base, role)) = branch else {
        return Err(Error::NoPullBase {
            version: journal.version.to_string(),
            newest: newer_release.unwrap_or_default(),
        });
    };

    let changed = diff::trees(
        mem,
        Some(repo.tree_of(base_commit)?),
        repo.tree_of(branch_tip)?,
        Style::Review,
    )?
    .iter()
    .map(|f| f.path().to_string())
    .collect();

    let push = push::publish_branches(repo, &config.remote, &[(journal.branch.clone(), tip)])?;
    // Reviewed in the pull request: its body shows it.
    let landing = repo.require_branch(&base, role.branch_role())?;
    let settings = review::of_fix(mem, base_commit, branch_tip, landing, tip)?;

    Ok(ProposePlan {
        ticket: journal.ticket.clone(),
        branch: journal.branch.clone(),
        base,
        branch_tip,
        tip,
        release,
        held,
        release_is_new,
        commits,
        changed,
        root_cause: crate::records::fix::root_cause(&crate::records::fix::fix_commits(
            repo, journal,
        )?),
        previous_release: match &journal.base {
            crate::git::repo::Base::Tag { name, .. } => Some(name.clone()),
            _ => None,
        },
        push,
        worktrees: worktrees.into_iter().map(|w| w.path).collect(),
        settings,
    })
}

/// What a `finish --pr` run did.
#[derive(Debug, Clone, Default)]
pub struct Proposed {
    pub moved: Vec<Edit>,
    pub pushed: Option<PushPlan>,
    /// The pull request the forge opened or brought up to date.
    pub pull: Option<OpenedPull>,
}

/// The pull request a `finish --pr` opens: its words, once the plan is known, and the
/// forge that opens it.
pub struct Opening<'a> {
    pub describe: &'a dyn Fn(&Journal, &ProposePlan) -> PullRequest,
    pub forge: &'a dyn Forge,
}

/// Put the release commit on the branch, push it and open the pull request `opening`
/// words, as steps of one run: `continue` and `abort` work from wherever it stops.
pub fn run(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    options: &FinishOptions,
    version_files: Option<&dyn VersionFiles>,
    opening: Opening<'_>,
    now: Timestamp,
) -> Result<(ProposePlan, Proposed)> {
    let Opening { describe, forge } = opening;
    let store = Store::new(repo);
    let _lock = store.lock()?;
    let mem = repo.in_memory();
    let plan = plan(repo, &mem, config, journal, options, version_files)?;
    repo.keep_objects(mem)?;

    let mut steps = Steps::default();
    if plan.tip != plan.branch_tip {
        steps.add(Step::Refs {
            edits: vec![Edit {
                name: format!("{BRANCH_PREFIX}{}", plan.branch),
                old: Some(Value::Object(plan.branch_tip)),
                new: Some(Value::Object(plan.tip)),
            }],
            message: format!("hotfix finish --pr: {} {}", journal.ticket, journal.version),
        });
        for path in &plan.worktrees {
            steps.add(Step::Checkout {
                worktree: repo.recorded_worktree(path),
                from: plan.branch_tip,
                to: plan.tip,
                branch: Some(journal.branch.clone()),
            });
        }
    }
    if !plan.push.refs.is_empty() {
        steps.add(Step::Push {
            plan: plan.push.clone(),
        });
    }
    steps.add(Step::Pull {
        request: Box::new(describe(journal, &plan)),
        existing: journal
            .proposal
            .as_ref()
            .and_then(|p| p.pull.as_ref())
            .map(|p| p.number),
        opened: None,
    });
    let mut run = Run {
        release: plan.release.clone(),
        held: plan.held.clone(),
        ..Run::after(journal.run.as_ref(), RunKind::Propose, options.clone())
    };
    run.steps.0.extend(steps.0);
    journal.run = Some(run);
    let proposed = proceed(repo, journal, Some(forge), now)?;
    Ok((plan, proposed))
}

/// Take the steps of a `finish --pr` run that are left, then remember in the journal what
/// the remote's branch holds and the pull request. A failure leaves the run for `continue`
/// or `abort`.
pub(crate) fn proceed(
    repo: &Repo,
    journal: &mut Journal,
    forge: Option<&dyn Forge>,
    now: Timestamp,
) -> Result<Proposed> {
    let store = Store::new(repo);
    let run = engine::run_in_journal(repo, journal, &store, forge, now)?;
    // The remote's branch now holds what the local one does.
    let tip = repo.branch_tip(&journal.branch)?;
    let opened = run.steps.opened().next();
    let known = journal.proposal.as_ref().and_then(|p| p.pull.clone());
    let pull = opened.map(|(_, o)| PullRecord {
        number: o.number,
        url: o.url.clone(),
    });
    if let (Some((request, _)), Some(pull)) = (opened, &pull)
        && known.as_ref() != Some(pull)
    {
        journal.record(
            now,
            EventKind::PullOpened {
                number: pull.number,
                url: pull.url.clone(),
                base: request.base.clone(),
            },
        );
    }
    let before = journal.proposal.take();
    journal.proposal = Some(Proposal {
        base: opened.map_or_else(
            || before.as_ref().map(|p| p.base.clone()).unwrap_or_default(),
            |(request, _)| request.base.clone(),
        ),
        release: run
            .release
            .clone()
            .or_else(|| before.as_ref().and_then(|p| p.release.clone())),
        held: match run.release {
            Some(_) => run.held.clone(),
            None => before.as_ref().map(|p| p.held.clone()).unwrap_or_default(),
        },
        pushed: tip.or_else(|| before.as_ref().and_then(|p| p.pushed)),
        pull: pull.or(known),
    });
    store.save(journal)?;
    Ok(Proposed {
        moved: run.steps.moved().cloned().collect(),
        pushed: run.steps.pushed().next().cloned(),
        pull: opened.map(|(_, o)| o.clone()),
    })
}
