//! `finish --after-merge`: the hotfix reached production through its pull request. What
//! merged is fetched and tagged, the tag pushed, the local copy of the branch it merged
//! into caught up and the hotfix branch deleted, through the same plan, transaction and
//! journal as a local `finish` (so `continue` and `abort` work the same way).

use gix::ObjectId;
use jiff::Timestamp;

use crate::foundation::error::{Error, Result};
use crate::foundation::names::TAG_PREFIX;
use crate::git::cli;
use crate::git::merge::Outcome;
use crate::git::push;
use crate::git::repo::Repo;
use crate::operations::finish::{self, FinishOutcome, FinishPlan, Integration, Role};
use crate::operations::release;
use crate::records::journal::{EventKind, Journal, Proposal, PullRecord, Store};
use crate::records::run::FinishOptions;
use crate::records::run::{Merged, OpenedPull};
use crate::settings::config::Config;

/// Fetch `base` from the remote (in a shallow clone, deep enough to hold a merge made a
/// while ago), so that `merged`, the merge commit, is here to be tagged — unless this
/// clone's copy of the remote's base holds it already (a CI checkout of the merge); and the
/// hotfix's `tag` when the remote has it and this clone does not (a checkout that fetched
/// no tags, a rerun after another run tagged), so that a tag on the merge is taken as it is.
pub fn fetch(repo: &Repo, config: &Config, base: &str, merged: ObjectId, tag: &str) -> Result<()> {
    push::ensure_remote(repo, &config.remote)?;
    let tracking = repo.ref_target(&format!("refs/remotes/{}/{base}", config.remote))?;
    let here = match tracking {
        Some(tip) => repo.git.find_object(merged).is_ok() && repo.is_ancestor(merged, tip)?,
        None => false,
    };
    // Nothing to fetch when what the finish reads of the base is here: the merge, on the
    // remote's base.
    if !here && repo.is_shallow() {
        // A one-commit checkout of a base that moved on since the merge (a rerun, a queued
        // run) holds neither the merge nor the way from it to the tip: deepen the base.
        let branches = [base.to_string()];
        let depth = Some(crate::git::sync::SHALLOW_DEPTH);
        cli::fetch_branches(repo, &config.remote, &branches, depth, false)?;
    } else if !here {
        cli::fetch_branch(repo, &config.remote, base)?;
    }
    let name = format!("{TAG_PREFIX}{tag}");
    if repo.ref_target(&name)?.is_none()
        && cli::remote_refs(repo, &config.remote, &[&name])?.contains_key(&name)
    {
        cli::fetch_ref(repo, &config.remote, &name, &name)?;
    }
    Ok(())
}

/// A pull request that merged, as the forge tells it (the action's event).
#[derive(Debug, Clone)]
pub struct MergedPull {
    pub number: u64,
    pub url: String,
    pub base: String,
    /// The branch's tip GitHub merged, whoever pushed the last of it.
    pub head_sha: String,
    /// The commit the merge made on `base`.
    pub merge_commit: Option<String>,
}

/// The journal a merged pull request's hotfix is finished from: this clone's own, where the
/// hotfix started here — it knows it better than the record the branch carried —, else the
/// carried record. Refused while a run of it is stopped here, or when the two release
/// different versions: nothing is decided for the person who has it here.
pub fn adopt(repo: &Repo, carried: Journal) -> Result<Journal> {
    match Store::new(repo).load(&carried.ticket)? {
        None => Ok(carried),
        Some(local) if local.run.is_some() => Err(Error::RunInProgress {
            ticket: local.ticket,
            command: local.run.map(|r| r.kind.to_string()).unwrap_or_default(),
        }),
        Some(local) if local.version == carried.version => Ok(local),
        Some(local) => Err(Error::CarriedRecord {
            reason: format!(
                "it releases {} as {}, and this clone's journal as {} (`git hotfix finish --pr` brings the pull request up to date)",
                local.ticket, carried.version, local.version
            ),
        }),
    }
}

/// Record in `journal` the pull request that merged and what it merged (in memory: the
/// finish after the merge checks what merged against the record before it writes).
pub fn record_merged(journal: &mut Journal, pull: &MergedPull) -> Result<()> {
    let proposal = journal.proposal.get_or_insert_with(|| Proposal {
        base: pull.base.clone(),
        release: None,
        held: Default::default(),
        pushed: None,
        pull: None,
    });
    proposal.pull = Some(PullRecord {
        number: pull.number,
        url: pull.url.clone(),
    });
    if let Ok(head) = ObjectId::from_hex(pull.head_sha.as_bytes()) {
        proposal.pushed = Some(head);
    }
    let merged = pull
        .merge_commit
        .as_deref()
        .and_then(|sha| ObjectId::from_hex(sha.as_bytes()).ok());
    match merged {
        Some(_) => Ok(()),
        None => Err(Error::CarriedRecord {
            reason: format!("the event names no commit that merged #{}", pull.number),
        }),
    }
}

/// Compute what `finish --after-merge` will do; the tag object is written to `mem`.
pub fn plan(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    journal: &Journal,
    options: &FinishOptions,
    merged: &Merged,
) -> Result<FinishPlan> {
    let Some(proposal) = &journal.proposal else {
        return Err(Error::NotProposed {
            ticket: journal.ticket.clone(),
        });
    };
    let tracking = format!("refs/remotes/{}/{}", config.remote, merged.base);
    let remote_tip = repo.ref_target(&tracking)?;
    let on_base = match remote_tip {
        Some(tip) => {
            repo.git.find_object(merged.commit).is_ok() && repo.is_ancestor(merged.commit, tip)?
        }
        None => false,
    };
    let Some(remote_tip) = remote_tip.filter(|_| on_base) else {
        return Err(Error::MergeNotOnBase {
            number: merged.number,
            commit: merged.commit,
            tracking,
        });
    };

    let facts = release::facts_now(journal, mem)?;
    let tag = finish::tag_step(repo, mem, config, journal, options, &facts, merged.commit)?;

    let worktrees = repo.worktrees()?;
    // The local branch catches up with what the remote's holds, when it can fast-forward;
    // local commits of its own keep it where it is.
    let mut integrations = Vec::new();
    if let Some(old) = repo.branch_tip(&merged.base)? {
        let outcome = if old == remote_tip {
            Some(Outcome::UpToDate)
        } else if repo.is_ancestor(old, remote_tip)? {
            Some(Outcome::FastForward { to: remote_tip })
        } else {
            None
        };
        let role = if merged.base == config.production_branch {
            Role::Production
        } else {
            Role::ReleaseLine
        };
        if let Some(outcome) = outcome {
            integrations.push(Integration::new(
                &worktrees,
                merged.base.clone(),
                role,
                old,
                outcome,
            )?);
        }
    }

    // The branch goes only when everything on it went into the pull request.
    let branch_tip = repo.branch_tip(&journal.branch)?;
    let delete_branch = !options.keep && branch_tip.is_some() && branch_tip == proposal.pushed;
    let hotfix_worktrees: Vec<_> = worktrees
        .iter()
        .filter(|w| w.branch() == Some(journal.branch.as_str()))
        .collect();
    let worktree_steps = if delete_branch {
        for worktree in &hotfix_worktrees {
            crate::git::worktree::ensure_clean(worktree)?;
        }
        finish::plan_worktrees(
            repo,
            journal,
            &worktrees,
            &hotfix_worktrees,
            &merged.base,
            &integrations,
            branch_tip.unwrap_or(merged.commit),
        )?
    } else {
        Vec::new()
    };
    // A branch deleted by hand after the merge: nothing of it to delete or list.
    let commits = match branch_tip {
        Some(tip) => repo.commit_summaries(journal.base.commit(), tip)?,
        None => Vec::new(),
    };
    let branch_tip = branch_tip.or(proposal.pushed).unwrap_or(merged.commit);

    let mut plan = FinishPlan {
        onto: None,
        ticket: journal.ticket.clone(),
        branch: journal.branch.clone(),
        branch_tip,
        tip: merged.commit,
        release: proposal.release.clone(),
        held: proposal.held.clone(),
        base: journal.base.clone(),
        version: journal.version.clone(),
        commits,
        tag,
        integrations,
        older_than_production: None,
        develop_found: false,
        delete_branch,
        worktrees: worktree_steps,
        push: None,
        kept_on_remote: None,
        merged: Some(merged.clone()),
        // Reviewed in the pull request, whose body showed it.
        settings: None,
    };
    if options.push {
        plan.push = Some(finish::push_plan(repo, &config.remote, journal, &plan)?);
        plan.kept_on_remote = finish::kept_on_remote(repo, &config.remote, &plan)?;
    }
    crate::git::refs::ensure_unlocked(repo, &plan.edits())?;
    Ok(plan)
}

/// Run `finish --after-merge`: record the merge, then tag, tidy and push.
pub fn run(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    options: &FinishOptions,
    merged: &Merged,
    now: Timestamp,
) -> Result<FinishOutcome> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    run_locked(repo, config, journal, options, merged, now)
}

/// The body of [`run`], with the hotfix lock held (also for `continue`).
pub(crate) fn run_locked(
    repo: &Repo,
    config: &Config,
    journal: &mut Journal,
    options: &FinishOptions,
    merged: &Merged,
    now: Timestamp,
) -> Result<FinishOutcome> {
    let mem = repo.in_memory();
    let plan = plan(repo, &mem, config, journal, options, merged)?;
    let recorded = journal.events.iter().any(
        |e| matches!(&e.what, EventKind::PullMerged { number, .. } if *number == merged.number),
    );
    if !recorded {
        journal.record(
            merged.at.unwrap_or(now),
            EventKind::PullMerged {
                number: merged.number,
                url: merged.url.clone(),
                commit: merged.commit,
            },
        );
    }
    let expected = plan
        .integrations
        .iter()
        .map(|i| (i.branch.clone(), i.old))
        .collect();
    let ready = finish::Ready {
        mem,
        plan,
        expected,
        resolved: Default::default(),
    };
    finish::execute(repo, journal, options, ready, now)
}

/// How develop came to have a hotfix that merged into production.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatchUp {
    /// It had it already.
    HasIt,
    /// GitHub merged the hotfix branch into it: the merge commit.
    Merged { commit: String },
    /// A pull request brings it in, because `why`.
    Proposed { pull: OpenedPull, why: String },
}
