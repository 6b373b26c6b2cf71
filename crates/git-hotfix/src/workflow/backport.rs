//! `backport --pr`: every backport branch pushed in one leased push and proposed to its
//! line in a pull request of its own. Each pull request is remembered in the backport's
//! journal as it opens, so `continue` after a failure opens only the ones left.

use git_hotfix_core::operations::backport::{self, Backport, BackportOutcome};

use git_hotfix_core::git::push::{self, PushPlan};
use git_hotfix_core::git::repo::Repo;
use git_hotfix_core::records::journal::TargetStatus;
use git_hotfix_core::records::journal::{PullRecord, Store};
use git_hotfix_core::records::run::{PullRequest, Step};
use git_hotfix_core::settings::config::Config;
use git_hotfix_core::views::pull;
use git_hotfix_core::{Journal, ObjectId};
use git_hotfix_github::Pull;

use crate::cli::Context;
use crate::error::{CommandError, Exit, Result};
use crate::forge::{self, Forge};
use crate::ui::{EMPHASIS, paint};

/// End a backport run: when it asked for pull requests, push its branches and open them
/// (connecting to GitHub unless `forge` is given), then tell how it went.
pub fn finish_run(
    context: &Context,
    repo: &Repo,
    outcome: BackportOutcome,
    forge: Option<Forge>,
) -> Result<Exit> {
    let outcome = propose(context, repo, outcome, forge)?;
    super::backport::report(context, &outcome)
}

/// When a finished run asked for pull requests, push its branches and open them
/// (connecting to GitHub unless `forge` is given); a stopped or refused run as it is.
pub fn propose(
    context: &Context,
    repo: &Repo,
    outcome: BackportOutcome,
    forge: Option<Forge>,
) -> Result<BackportOutcome> {
    let BackportOutcome::Done { mut run } = outcome else {
        return Ok(outcome);
    };
    if run.open_pulls {
        let config = context.config(repo)?;
        let forge = match forge {
            Some(forge) => forge,
            None => {
                let forge = Forge::connect(context, repo, &config, false)?;
                forge.run(forge.github.check_access())?;
                forge
            }
        };
        open_pulls(context, repo, &config, &forge, &mut run)?;
        backport::complete(repo, &mut run, context.now)?;
        // The pull requests are in the finished hotfix's record now: its notes follow.
        if let Some(journal) = run
            .hotfix
            .as_deref()
            .map(|ticket| Store::new(repo).load_finished(ticket))
            .transpose()?
            .flatten()
        {
            crate::audit::share(context, repo, &journal);
        }
    }
    Ok(BackportOutcome::Done { run })
}

/// The targets that go up for review: index, backport branch and its tip.
fn proposed(run: &Backport) -> Vec<(usize, String, ObjectId)> {
    if run.onto_target {
        return Vec::new();
    }
    run.targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| Some((i, t.branch.clone(), t.proposed_tip()?)))
        .collect()
}

fn open_pulls(
    context: &Context,
    repo: &Repo,
    config: &Config,
    forge: &Forge,
    run: &mut Backport,
) -> Result<()> {
    let ui = &context.ui;
    let branches = proposed(run);
    // The first time: the push and the pull requests become steps of the run; a `continue`
    // does the ones left of them.
    let proposing = run
        .steps
        .0
        .iter()
        .any(|r| matches!(r.step, Step::Pull { .. }));
    let mut requests = Vec::new();
    let mut push = PushPlan {
        remote: config.remote.clone(),
        refs: Vec::new(),
    };
    if !proposing {
        let tips: Vec<(String, ObjectId)> = branches
            .iter()
            .map(|(_, branch, tip)| (branch.clone(), *tip))
            .collect();
        push = push::publish_branches(repo, &config.remote, &tips).map_err(|err| {
            CommandError::from(err).hint(
                "the backport branches are made; `git hotfix continue` pushes them and opens the pull requests",
            )
        })?;
        let journal = hotfix_journal(repo, run)?;
        for (index, branch, _) in &branches {
            let target = &run.targets[*index];
            // A branch an earlier run left has its pull request already: found, not rewritten.
            let found = match target.existing {
                Some(_) => forge.run(forge.github.open_pull(branch, &target.target))?,
                None => None,
            };
            match found {
                Some(Pull { number, url }) => {
                    backport::record_pull(repo, run, *index, PullRecord { number, url })?
                }
                None => requests.push(request(repo, config, journal.as_ref(), run, *index)?),
            }
        }
    }
    let pushing = push.refs.len();
    let remote = push.remote.clone();
    backport::propose(repo, run, push, requests, forge).map_err(|err| {
        CommandError::from(err).hint(
            "the pull requests opened so far are kept; `git hotfix continue` opens the ones left",
        )
    })?;
    if pushing > 0 {
        ui.status(
            "Pushed",
            format!(
                "{pushing} backport branch{} to {remote}",
                if pushing == 1 { "" } else { "es" },
            ),
        );
    }
    for (index, branch, _) in branches {
        let target = &run.targets[index];
        let Some(pull) = &target.pull else { continue };
        let opened = run
            .steps
            .opened()
            .find(|(request, _)| request.head == branch)
            .map(|(_, opened)| opened);
        for warning in opened.iter().flat_map(|o| &o.warnings) {
            ui.warn(warning);
        }
        let verb = match opened {
            Some(o) if o.created => "Opened",
            Some(o) if !o.changes.is_empty() => "Updated",
            _ => "Unchanged",
        };
        ui.status(
            verb,
            format!(
                "{:<24} #{} {}",
                target.target,
                pull.number,
                paint(EMPHASIS, &pull.url)
            ),
        );
    }
    Ok(())
}

/// The pull request proposing target `index`'s branch.
fn request(
    repo: &Repo,
    config: &Config,
    journal: Option<&Journal>,
    run: &Backport,
    index: usize,
) -> Result<PullRequest> {
    let target = &run.targets[index];
    let text = pull::backport(repo, config, journal, target)?;
    Ok(PullRequest {
        head: target.branch.clone(),
        base: target.target.clone(),
        title: text.title,
        body: text.body,
        // Committed conflict markers must not be merged by accident.
        draft: target.status == TargetStatus::Conflict || config.github.draft,
        labels: text.labels,
        reviewers: config.github.reviewers.clone(),
        assignees: config.github.assignees.clone(),
    })
}

/// The journal of the hotfix whose commits these are, in progress or finished.
fn hotfix_journal(repo: &Repo, run: &Backport) -> Result<Option<Journal>> {
    let Some(ticket) = &run.hotfix else {
        return Ok(None);
    };
    Ok(Store::new(repo).load_any(ticket)?)
}

/// `backport --pr --plan`: the push and the requests the run would make, sent nowhere.
pub fn plan_lines(
    context: &Context,
    repo: &Repo,
    config: &Config,
    run: &Backport,
) -> Result<Vec<String>> {
    let forge = Forge::connect(context, repo, config, true)?;
    let journal = hotfix_journal(repo, run)?;
    let mut lines = Vec::new();
    // Nothing is written yet: the branches would point at the picks.
    let branches = run
        .targets
        .iter()
        .enumerate()
        .filter(|_| !run.onto_target)
        .filter(|(_, t)| t.result.or(t.existing).is_some());
    for (index, target) in branches {
        let branch = &target.branch;
        lines.push(format!("push {branch} to {}", config.remote));
        if target.existing.is_some() {
            forge.run(forge.github.open_pull(branch, &target.target))?;
        } else {
            let spec = forge::spec(&request(repo, config, journal.as_ref(), run, index)?);
            forge.run(forge.github.ensure_pull(&spec))?;
        }
    }
    lines.extend(forge.planned_lines());
    Ok(lines)
}
